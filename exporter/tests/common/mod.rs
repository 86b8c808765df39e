//! Helpers shared by the exporter's integration tests: the fixture, ONNX Runtime through
//! `ort`, and the Python `onnx` checker.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use ort::session::Session;
use ort::value::TensorRef;

/// float32 export vs the official PyTorch outputs: both are float32 on CPU and differ only
/// in summation order (~1e-6), so 1e-4 is far above that noise and far below any real bug.
pub const MAX_ABS_F32: f32 = 1e-4;
/// float16 weights and compute: ~3 significant digits per op through two blocks.
pub const MAX_REL_F16: f32 = 2e-2;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("fixtures/official-tiny").join(name)
}

/// A float32 tensor of the fixture's `reference.safetensors`.
pub fn reference(name: &str) -> Result<(Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(fixture("reference.safetensors"))?;
    let st = safetensors::SafeTensors::deserialize(&bytes)?;
    let t = st
        .tensor(name)
        .with_context(|| format!("reference tensor {name}"))?;
    let data = t
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((t.shape().to_vec(), data))
}

/// The ONNX Runtime shared library: `ORT_DYLIB_PATH`, or the one scripts/install-onnxruntime.sh
/// put into `.venv`.
fn ort_library() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("ORT_DYLIB_PATH")
        && !p.is_empty()
    {
        return Ok(PathBuf::from(p));
    }
    let lib_dir = repo_root().join(".venv/lib");
    for entry in std::fs::read_dir(&lib_dir).with_context(|| {
        format!(
            "no ORT_DYLIB_PATH and no {}: run scripts/install-onnxruntime.sh",
            lib_dir.display()
        )
    })? {
        let capi = entry?.path().join("site-packages/onnxruntime/capi");
        if let Ok(files) = std::fs::read_dir(&capi) {
            for f in files {
                let p = f?.path();
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                if name.starts_with("libonnxruntime.so") {
                    return Ok(p);
                }
            }
        }
    }
    bail!(
        "no libonnxruntime.so under {}: run scripts/install-onnxruntime.sh",
        lib_dir.display()
    )
}

/// The process-wide ONNX Runtime environment (one per process).
static ENVIRONMENT: Mutex<Option<ort::environment::Environment>> = Mutex::new(None);

/// Opens a CPU session on an ONNX file.
pub fn session(path: &Path) -> Result<Session> {
    let mut env = ENVIRONMENT
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?;
    if env.is_none() {
        *env = Some(ort::init_from(ort_library()?)?.build()?);
    }
    let env = env.as_ref().context("environment")?;
    Ok(Session::builder(env)?
        .with_intra_threads(2)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .commit_from_file(path)?)
}

/// Runs an encoder file on `[B,3,H,W]` pixels: (embeddings shape, embeddings, pooled).
pub fn run_encoder(
    path: &Path,
    shape: &[usize],
    pixels: &[f32],
) -> Result<(Vec<usize>, Vec<f32>, Vec<f32>)> {
    let mut sess = session(path)?;
    let input = TensorRef::from_array_view((shape.to_vec(), pixels))?;
    let out = sess.run(ort::inputs!["pixels" => input])?;
    let (eshape, emb) = out["embeddings"].try_extract_tensor::<f32>()?;
    let (_, pooled) = out["pooled"].try_extract_tensor::<f32>()?;
    Ok((
        eshape.iter().map(|&d| d as usize).collect(),
        emb.to_vec(),
        pooled.to_vec(),
    ))
}

/// Custom metadata of an ONNX file, read back by ONNX Runtime.
pub fn metadata(path: &Path, keys: &[&str]) -> Result<HashMap<String, String>> {
    let sess = session(path)?;
    let meta = sess.metadata()?;
    let mut out = HashMap::new();
    for k in keys {
        if let Some(v) = meta.custom(k) {
            out.insert(k.to_string(), v);
        }
    }
    Ok(out)
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// ‖a−b‖/‖b‖.
pub fn rel_err(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    let num: f32 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f32 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}

/// Runs scripts/check_onnx.py (onnx.checker.check_model(full_check=True) + the metadata
/// and I/O contract) with the project's Python, failing the test when it fails.
pub fn python_check(models: &[&Path], extra: &[&str]) -> Result<String> {
    let python = std::env::var("IJEPA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join(".venv/bin/python"));
    let out = Command::new(&python)
        .arg(repo_root().join("scripts/check_onnx.py"))
        .args(models)
        .args(extra)
        .output()
        .with_context(|| {
            format!(
                "cannot run {}: run scripts/install-onnxruntime.sh",
                python.display()
            )
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        bail!("check_onnx.py failed:\n{text}");
    }
    Ok(text)
}
