//! `ijepa embed`'s job: image files in, `[n, dim]` or `[n, tokens, dim]` float32 `.npy` out, plus
//! `<out>.txt` with one embedded path per line (row `i` of the array is line `i`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rayon::prelude::*;

use crate::embedder::Embedder;
use crate::error::{Result, RuntimeError};
use crate::images::load_image;
use crate::npy;

/// What to keep of the encoder output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pool {
    /// The mean over tokens: `[n, dim]`.
    #[default]
    Mean,
    /// All tokens: `[n, tokens, dim]`.
    None,
}

impl FromStr for Pool {
    type Err = RuntimeError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mean" => Ok(Pool::Mean),
            "none" => Ok(Pool::None),
            _ => Err(RuntimeError::InvalidArgument(format!(
                "unknown pooling `{s}`: expected mean or none"
            ))),
        }
    }
}

/// Options of [`embed_files`].
#[derive(Clone, Copy, Debug, Default)]
pub struct EmbedFilesOptions {
    pub pool: Pool,
    /// Skip (and report) files that cannot be decoded instead of failing on the first one.
    pub skip_bad: bool,
}

/// What [`embed_files`] wrote.
#[derive(Clone, Debug)]
pub struct EmbedFilesReport {
    pub npy: PathBuf,
    /// The list of embedded paths, `<npy>.txt`.
    pub list: PathBuf,
    pub shape: Vec<usize>,
    pub embedded: Vec<PathBuf>,
    /// Files skipped with `skip_bad`, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// The path list written next to `npy`: `emb.npy` → `emb.npy.txt`.
pub fn list_path(npy: &Path) -> PathBuf {
    let mut name = npy.as_os_str().to_owned();
    name.push(".txt");
    PathBuf::from(name)
}

/// Embeds `paths` in the given order (callers sort them) and writes the `.npy` and its path list.
/// `progress` is called with the number of files handled after each batch.
pub fn embed_files(
    embedder: &Embedder,
    paths: &[PathBuf],
    out: &Path,
    options: EmbedFilesOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<EmbedFilesReport> {
    let mut data = Vec::new();
    let mut row_shape = Vec::new();
    let mut embedded = Vec::new();
    let mut skipped = Vec::new();
    for chunk in paths.chunks(embedder.batch_size()) {
        let decoded: Vec<(PathBuf, Result<image::DynamicImage>)> = chunk
            .par_iter()
            .map(|path| (path.clone(), load_image(path)))
            .collect();
        let mut images = Vec::with_capacity(chunk.len());
        for (path, image) in decoded {
            match image {
                Ok(image) => {
                    images.push(image);
                    embedded.push(path);
                }
                Err(err) if options.skip_bad => {
                    let reason = match err {
                        RuntimeError::Image { reason, .. } => reason,
                        other => other.to_string(),
                    };
                    tracing::warn!("skipping {}: {reason}", path.display());
                    skipped.push((path, reason));
                }
                Err(err) => return Err(err),
            }
        }
        if !images.is_empty() {
            match options.pool {
                Pool::Mean => {
                    let out = embedder.embed(&images)?;
                    row_shape = out.shape()[1..].to_vec();
                    data.extend(out.iter().copied());
                }
                Pool::None => {
                    let out = embedder.embed_tokens(&images)?;
                    row_shape = out.shape()[1..].to_vec();
                    data.extend(out.iter().copied());
                }
            }
        }
        progress(chunk.len());
    }
    if embedded.is_empty() {
        return Err(RuntimeError::NoImages(format!(
            "{} files given, none could be decoded",
            paths.len()
        )));
    }
    let mut shape = vec![embedded.len()];
    shape.extend(row_shape);
    npy::write_f32(out, &shape, &data)?;
    let list = list_path(out);
    let mut text = String::new();
    for path in &embedded {
        let _ = writeln!(text, "{}", path.display());
    }
    std::fs::write(&list, text).map_err(|e| RuntimeError::io("cannot write", &list, e))?;
    Ok(EmbedFilesReport {
        npy: out.to_path_buf(),
        list,
        shape,
        embedded,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_path_appends_txt() {
        assert_eq!(
            list_path(Path::new("out/emb.npy")),
            PathBuf::from("out/emb.npy.txt")
        );
    }

    #[test]
    fn pool_names() -> Result<()> {
        assert_eq!("mean".parse::<Pool>()?, Pool::Mean);
        assert_eq!("none".parse::<Pool>()?, Pool::None);
        assert!("max".parse::<Pool>().is_err());
        Ok(())
    }
}
