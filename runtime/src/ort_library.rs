//! Finding and loading the ONNX Runtime shared library (`ort` is built with `load-dynamic`).
//!
//! Search order: `ORT_DYLIB_PATH`, then `.venv/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*`
//! (the `onnxruntime` / `onnxruntime-gpu` wheel that `scripts/install-onnxruntime.sh` installs) in the
//! current directory or any ancestor, then the same next to the executable's ancestors. Otherwise
//! [`RuntimeError::LibraryNotFound`] says the command that fixes it. The path is resolved and checked
//! here, before `ort` sees it, because `ort` panics on a bad library path.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Result, RuntimeError};

/// Environment variable that overrides the library search.
pub const ORT_DYLIB_ENV: &str = "ORT_DYLIB_PATH";

/// The oldest ONNX Runtime minor version (1.x) this build of `ort` accepts.
pub const MIN_ORT_MINOR: u32 = ort::MINOR_VERSION;

/// The process-wide ONNX Runtime environment (ONNX Runtime allows one per process) and its library.
/// Only a success is kept, so a failed load can be retried after fixing the cause.
static ENVIRONMENT: Mutex<Option<(ort::environment::Environment, PathBuf)>> = Mutex::new(None);

/// Returns the library [`init`] would load, without loading it.
pub fn find_library() -> Result<PathBuf> {
    if let Some(value) = std::env::var_os(ORT_DYLIB_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(value);
        if path.is_file() {
            return Ok(path);
        }
        return Err(not_found(format!(
            "{ORT_DYLIB_ENV}={} is not a file",
            path.display()
        )));
    }
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        starts.push(dir);
    }
    for start in &starts {
        for dir in start.ancestors() {
            if let Some(lib) = library_in_venv(&dir.join(".venv")) {
                return Ok(lib);
            }
        }
    }
    let searched: Vec<String> = starts.iter().map(|p| p.display().to_string()).collect();
    Err(not_found(format!(
        "{ORT_DYLIB_ENV} is unset and no .venv with onnxruntime was found in [{}] or their ancestors",
        searched.join(", ")
    )))
}

/// The ONNX Runtime library inside a virtual environment, if the `onnxruntime` wheel is installed there.
pub fn library_in_venv(venv: &Path) -> Option<PathBuf> {
    let lib_dir = venv.join("lib");
    let mut pythons: Vec<PathBuf> = std::fs::read_dir(&lib_dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("python3"))
        })
        .collect();
    pythons.sort();
    for python in pythons {
        let capi = python.join("site-packages/onnxruntime/capi");
        let Ok(entries) = std::fs::read_dir(&capi) else {
            continue;
        };
        let mut libs: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(is_library_name)
            })
            .collect();
        libs.sort();
        if let Some(lib) = libs.into_iter().next() {
            return Some(lib);
        }
    }
    None
}

/// `libonnxruntime.so`, `libonnxruntime.so.1.32.0`, `libonnxruntime.1.32.0.dylib`; not the provider libraries.
fn is_library_name(name: &str) -> bool {
    name.starts_with("libonnxruntime.") && (name.contains(".so") || name.ends_with(".dylib"))
}

fn not_found(reason: String) -> RuntimeError {
    RuntimeError::LibraryNotFound {
        reason,
        min_minor: MIN_ORT_MINOR,
    }
}

/// Loads ONNX Runtime once per process and returns the shared environment and the library path.
///
/// Later calls return the environment of the first successful call.
pub fn init() -> Result<(ort::environment::Environment, PathBuf)> {
    let mut guard = ENVIRONMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(loaded) = guard.as_ref() {
        return Ok(loaded.clone());
    }
    let loaded = load()?;
    *guard = Some(loaded.clone());
    Ok(loaded)
}

fn load() -> Result<(ort::environment::Environment, PathBuf)> {
    let path = find_library()?;
    let load_error = |reason: String| RuntimeError::LibraryLoad {
        path: path.clone(),
        reason,
        min_minor: MIN_ORT_MINOR,
    };
    let builder = ort::init_from(&path).map_err(|e| load_error(e.to_string()))?;
    let env = builder
        .with_name("ijepa")
        .build()
        .map_err(|e| load_error(e.to_string()))?;
    tracing::info!(library = %path.display(), "loaded ONNX Runtime");
    Ok((env, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_names() {
        assert!(is_library_name("libonnxruntime.so.1.32.0"));
        assert!(is_library_name("libonnxruntime.so"));
        assert!(is_library_name("libonnxruntime.1.32.0.dylib"));
        assert!(!is_library_name("libonnxruntime_providers_shared.so"));
        assert!(!is_library_name(
            "onnxruntime_pybind11_state.cpython-311-x86_64-linux-gnu.so"
        ));
    }

    #[test]
    fn finds_a_fake_venv_and_ignores_an_empty_one() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let venv = dir.path().join(".venv");
        assert_eq!(library_in_venv(&venv), None);
        let capi = venv.join("lib/python3.12/site-packages/onnxruntime/capi");
        std::fs::create_dir_all(&capi)?;
        std::fs::write(capi.join("libonnxruntime_providers_shared.so"), b"")?;
        assert_eq!(library_in_venv(&venv), None);
        std::fs::write(capi.join("libonnxruntime.so.1.32.0"), b"")?;
        assert_eq!(
            library_in_venv(&venv),
            Some(capi.join("libonnxruntime.so.1.32.0"))
        );
        Ok(())
    }
}
