//! Finding the training images: a recursive scan for PNG/JPEG files, sorted by path.

use super::DataError;
use std::path::{Path, PathBuf};

/// The folder to scan for `root_path` / `image_folder` (an absolute `image_folder` wins).
///
/// A CLEVR_v1.0 root (a folder with `images/<split>`) resolves to that split (`split`, default
/// `train`); any other folder (a CLEVR split folder included) is used as is.
pub fn resolve_image_dir(
    root_path: &Path,
    image_folder: &Path,
    split: Option<&str>,
) -> Result<PathBuf, DataError> {
    let dir = root_path.join(image_folder);
    if !dir.is_dir() {
        return Err(DataError::MissingFolder { path: dir });
    }
    let split_dir = dir.join("images").join(split.unwrap_or("train"));
    if split_dir.is_dir() {
        tracing::info!(path = %split_dir.display(), "CLEVR-style root: using its split folder");
        return Ok(split_dir);
    }
    if let Some(split) = split {
        return Err(DataError::MissingFolder {
            path: dir.join("images").join(split),
        });
    }
    Ok(dir)
}

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// All PNG/JPEG files under `dir` (recursive, following no symlinked folders), sorted.
pub fn find_images(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| DataError::Io {
            path: d.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| DataError::Io {
                path: d.clone(),
                source,
            })?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|source| DataError::Io {
                path: path.clone(),
                source,
            })?;
            if kind.is_dir() {
                stack.push(path);
            } else if is_image(&path) {
                out.push(path);
            }
        }
    }
    if out.is_empty() {
        return Err(DataError::NoImages {
            path: dir.to_path_buf(),
        });
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_images_sorted_and_resolves_clevr_roots() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let split = tmp.path().join("CLEVR_v1.0/images/train/sub");
        std::fs::create_dir_all(&split).expect("mkdir");
        for name in ["b.PNG", "a.jpg", "sub/c.jpeg", "notes.txt"] {
            let p = tmp.path().join("CLEVR_v1.0/images/train").join(name);
            std::fs::write(p, b"x").expect("write");
        }
        let dir = resolve_image_dir(tmp.path(), Path::new("CLEVR_v1.0"), None).expect("resolve");
        assert!(dir.ends_with("images/train"));
        let found = find_images(&dir).expect("scan");
        let names: Vec<_> = found
            .iter()
            .map(|p| {
                p.strip_prefix(&dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a.jpg", "b.PNG", "sub/c.jpeg"]);
        assert!(matches!(
            resolve_image_dir(tmp.path(), Path::new("missing"), None),
            Err(DataError::MissingFolder { .. })
        ));
    }
}
