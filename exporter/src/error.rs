//! The exporter's error type: every message names the file, key or tensor at fault and the fix.

use std::path::PathBuf;

/// Everything that can go wrong while turning a checkpoint into an ONNX file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The opset asked for is not one the graph builder writes.
    #[error("opset {requested} is not supported; choose one of {supported:?} (default 17)")]
    UnsupportedOpset {
        requested: i64,
        supported: &'static [i64],
    },

    /// A tensor the encoder needs is not in the weights.
    #[error(
        "tensor `{key}` is missing from the {source_name} weights; the checkpoint does not hold a \
         {depth}-block ViT encoder as the config describes (check --config against --checkpoint)"
    )]
    MissingTensor {
        key: String,
        source_name: String,
        depth: usize,
    },

    /// A tensor has a different shape than the configuration implies.
    #[error(
        "tensor `{key}` has shape {actual:?} but the config implies {expected:?}; \
         the checkpoint does not fit the config (check embed_dim/depth/num_heads/patch_size/crop_size)"
    )]
    ShapeMismatch {
        key: String,
        expected: Vec<usize>,
        actual: Vec<usize>,
    },

    /// A tensor holds a number of values that does not match its shape.
    #[error("tensor `{key}` has {len} values but its shape {shape:?} needs {needed}")]
    BadLength {
        key: String,
        shape: Vec<usize>,
        len: usize,
        needed: usize,
    },

    /// The weights hold tensors the encoder does not use.
    #[error(
        "the {source_name} weights hold tensors an encoder of this config does not use: {keys:?}; \
         the checkpoint has more blocks or a different architecture than the config"
    )]
    UnexpectedTensors {
        source_name: String,
        keys: Vec<String>,
    },

    /// Hyper-parameters that cannot describe a ViT.
    #[error("invalid encoder configuration: {0}")]
    InvalidConfig(String),

    /// Reading a PyTorch checkpoint failed.
    #[error("cannot read PyTorch checkpoint {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },

    /// A tensor in the checkpoint is not float32.
    #[error("tensor `{key}` in {path} is {dtype}, expected float32")]
    UnsupportedDtype {
        key: String,
        path: PathBuf,
        dtype: String,
    },

    /// The YAML config cannot be read or is invalid.
    #[error("config {path}: {message}")]
    Config { path: PathBuf, message: String },

    /// Loading the model through the trainer failed.
    #[error("cannot load the encoder from {path}: {message}")]
    Load { path: PathBuf, message: String },

    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The output path has no usable parent directory or file name.
    #[error("output path {path} is not usable: {reason}")]
    BadOutputPath { path: PathBuf, reason: String },

    /// Protobuf serialization failed.
    #[error("cannot serialize the ONNX model for {path}: {message}")]
    Serialize { path: PathBuf, message: String },

    /// The inline model would exceed protobuf's 2 GB message limit.
    #[error(
        "the ONNX model for {path} would be {bytes} bytes, over protobuf's 2 GB limit; \
         lower the external-data threshold so that the weights go to a separate file"
    )]
    TooLarge { path: PathBuf, bytes: u64 },
}

/// Shorthand used across the crate.
pub type Result<T> = std::result::Result<T, ExportError>;
