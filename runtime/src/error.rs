//! The runtime's error type: every message names the file, key or tensor involved and the fix.

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T, E = RuntimeError> = std::result::Result<T, E>;

/// Everything that can go wrong while loading ONNX Runtime, opening a model or embedding images.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// Neither `ORT_DYLIB_PATH` nor a project `.venv` gave a usable ONNX Runtime library.
    #[error(
        "ONNX Runtime library not found: {reason}. Fix: run `scripts/install-onnxruntime.sh` at the project root \
         (installs onnxruntime into .venv/), or set ORT_DYLIB_PATH to a libonnxruntime.so (>= 1.{min_minor})"
    )]
    LibraryNotFound { reason: String, min_minor: u32 },
    /// The library exists but `ort` refused it (wrong version, not ONNX Runtime, dlopen failure).
    #[error(
        "could not load ONNX Runtime from {path}: {reason}. Fix: run `scripts/install-onnxruntime.sh` \
         (ort needs ONNX Runtime >= 1.{min_minor})"
    )]
    LibraryLoad {
        path: PathBuf,
        reason: String,
        min_minor: u32,
    },
    /// A device the user asked for by name cannot be used (feature not compiled in, provider missing).
    #[error("device `{device}` is not available: {reason}")]
    DeviceUnavailable { device: String, reason: String },
    /// `--device` got a value that is not a device name.
    #[error("unknown device `{0}`: expected one of cpu, cuda, tensorrt, auto")]
    UnknownDevice(String),
    /// ONNX Runtime failed to open a model file.
    #[error("could not open ONNX model {path}: {reason}")]
    ModelOpen { path: PathBuf, reason: String },
    /// The model file does not follow the encoder contract (inputs, outputs, metadata).
    #[error("ONNX model {path} does not follow the I-JEPA encoder contract: {reason}")]
    Contract { path: PathBuf, reason: String },
    /// A metadata value could not be parsed.
    #[error("ONNX model {path}: metadata key `{key}` = {value:?} is invalid: {reason}")]
    Metadata {
        path: PathBuf,
        key: String,
        value: String,
        reason: String,
    },
    /// Pixels of the wrong spatial size for a model with a fixed-size input.
    #[error(
        "input size {got_h}x{got_w} does not match the model's fixed input size {want_h}x{want_w} ({path}); \
         resize the images (Embedder::embed does) or re-export the model for {got_h}x{got_w}"
    )]
    InputSize {
        path: PathBuf,
        want_h: usize,
        want_w: usize,
        got_h: usize,
        got_w: usize,
    },
    /// A tensor handed to the model has the wrong number of channels or rank.
    #[error("tensor `{tensor}` has shape {got:?}, expected {expected}")]
    Shape {
        tensor: String,
        got: Vec<usize>,
        expected: String,
    },
    /// ONNX Runtime failed while running the model.
    #[error("running {path} failed: {reason}")]
    Inference { path: PathBuf, reason: String },
    /// An image could not be read or decoded.
    #[error("could not read image {path}: {reason} (pass --skip-bad to skip unreadable images)")]
    Image { path: PathBuf, reason: String },
    /// No image files were found.
    #[error("no PNG/JPEG images found in {0}")]
    NoImages(String),
    /// Any other file-system error, with the file it concerns.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An invalid argument (empty batch list, zero threads, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl RuntimeError {
    /// Wraps an I/O error with what was being done to which file.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
