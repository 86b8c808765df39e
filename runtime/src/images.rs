//! Finding and decoding image files (PNG, JPEG) for `ijepa embed`.

use std::path::{Path, PathBuf};

use image::DynamicImage;

use crate::error::{Result, RuntimeError};

/// File extensions taken from directories (compared case-insensitively).
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg"];

/// Expands directories (recursively, PNG/JPEG only) and keeps explicit files; sorted, without duplicates.
pub fn list_images(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for input in inputs {
        if input.is_dir() {
            collect_dir(input, &mut found)?;
        } else if input.is_file() {
            found.push(input.clone());
        } else {
            return Err(RuntimeError::io(
                "cannot read",
                input,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            ));
        }
    }
    found.sort();
    found.dedup();
    if found.is_empty() {
        let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(RuntimeError::NoImages(names.join(", ")));
    }
    Ok(found)
}

fn collect_dir(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| RuntimeError::io("cannot list", dir, e))?;
    for entry in entries {
        let path = entry
            .map_err(|e| RuntimeError::io("cannot list", dir, e))?
            .path();
        if path.is_dir() {
            collect_dir(&path, found)?;
        } else if has_image_extension(&path) {
            found.push(path);
        }
    }
    Ok(())
}

fn has_image_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        IMAGE_EXTENSIONS
            .iter()
            .any(|known| e.eq_ignore_ascii_case(known))
    })
}

/// Decodes one file, guessing the format from its bytes (a `.png` that is really a JPEG still works).
pub fn load_image(path: &Path) -> Result<DynamicImage> {
    let image_error = |reason: String| RuntimeError::Image {
        path: path.to_path_buf(),
        reason,
    };
    image::ImageReader::open(path)
        .map_err(|e| image_error(e.to_string()))?
        .with_guessed_format()
        .map_err(|e| image_error(e.to_string()))?
        .decode()
        .map_err(|e| image_error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sorted_images_recursively_and_rejects_empty_input() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir(dir.path().join("sub"))?;
        for name in ["b.png", "a.JPG", "sub/c.jpeg", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"x")?;
        }
        let listed = list_images(&[dir.path().to_path_buf(), dir.path().join("b.png")])?;
        let names: Vec<String> = listed
            .iter()
            .map(|p| p.strip_prefix(dir.path()).map(|r| r.display().to_string()))
            .collect::<Result<_, _>>()?;
        assert_eq!(names, vec!["a.JPG", "b.png", "sub/c.jpeg"]);
        std::fs::create_dir(dir.path().join("empty"))?;
        assert!(matches!(
            list_images(&[dir.path().join("empty")]),
            Err(RuntimeError::NoImages(_))
        ));
        assert!(list_images(&[dir.path().join("missing")]).is_err());
        Ok(())
    }

    #[test]
    fn a_corrupt_file_is_an_error_naming_it() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("broken.png");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\nnot really")?;
        let message = load_image(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("broken.png"), "{message}");
        Ok(())
    }
}
