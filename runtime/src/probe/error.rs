//! Errors of the linear probe; each names the file or split and the fix.

use std::path::PathBuf;

/// Result alias for the probe module.
pub type Result<T, E = ProbeError> = std::result::Result<T, E>;

/// Everything that can go wrong in `ijepa probe`.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// Reading the CLEVR data failed.
    #[error(transparent)]
    Clevr(#[from] crate::clevr::ClevrError),
    /// Opening or running an encoder failed.
    #[error(transparent)]
    Runtime(#[from] crate::error::RuntimeError),
    /// Features and labels do not fit together (shapes, NaN, labels out of range).
    #[error("probe features: {0}")]
    Features(String),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The confusion-matrix PNG could not be drawn.
    #[error("confusion matrix plot: {0}")]
    Plot(#[from] ijepa_plots::PlotError),
    /// An invalid request (bad `--baseline`, unknown `--features`, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl ProbeError {
    /// Wraps an I/O error with what was being done to which file.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
