//! Errors of the CLEVR reader and renderer; each names the file (and scene) and the fix.

use std::path::PathBuf;

/// Result alias for the CLEVR module.
pub type Result<T, E = ClevrError> = std::result::Result<T, E>;

/// Everything that can go wrong reading or writing a CLEVR-layout data set.
#[derive(Debug, thiserror::Error)]
pub enum ClevrError {
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The scenes file is not JSON, or its top level is not `{"scenes": [...]}`.
    #[error(
        "{path}: {reason} (expected a CLEVR scenes file: {{\"info\": {{...}}, \"scenes\": [...]}})"
    )]
    ScenesFile { path: PathBuf, reason: String },
    /// One scene is malformed (missing key, wrong type, unknown value).
    #[error("{path}: scene {index} ({name}): {reason}")]
    Scene {
        path: PathBuf,
        index: usize,
        name: String,
        reason: String,
    },
    /// A scene has no label for the task (too few/many objects, depth outside the bins).
    #[error(
        "{path}: scene {index} ({name}) has no {task} label: {reason} (pass --skip-undefined to skip such scenes)"
    )]
    UndefinedLabel {
        path: PathBuf,
        index: usize,
        name: String,
        task: &'static str,
        reason: String,
    },
    /// A scene names an image that is not on disk.
    #[error("{path}: scene {index} names image {image}, which does not exist")]
    MissingImage {
        path: PathBuf,
        index: usize,
        image: PathBuf,
    },
    /// Encoding or decoding a PNG failed.
    #[error("image {path}: {reason}")]
    Image { path: PathBuf, reason: String },
    /// The contact sheet could not be drawn.
    #[error("contact sheet: {0}")]
    Plot(#[from] ijepa_plots::PlotError),
    /// An invalid request (zero-sized image, empty split name, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The renderer could not place objects satisfying the constraints.
    #[error(
        "could not place {objects} visible, non-intersecting objects for {image} after {tries} tries"
    )]
    Placement {
        image: String,
        objects: usize,
        tries: usize,
    },
}

impl ClevrError {
    /// Wraps an I/O error with what was being done to which file.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
