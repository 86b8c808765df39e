//! Checkpoints: reading the official `.pth.tar` files (dicts with `encoder`, `predictor`,
//! `target_encoder`, DDP `module.`-prefixed keys) and describing what a file holds.

// The error enum names tensors, shapes and fields in full; it is built once per failed load.
#![allow(clippy::result_large_err)]

mod inspect;
mod official;
mod shapes;

pub use inspect::{CheckpointReport, InferredArchitecture, TensorEntry, inspect};
pub use official::{OfficialModels, load_official, load_official_encoder, load_official_predictor};

use std::path::PathBuf;

/// Errors from reading checkpoints. Variants carry both shapes and paths for the message; they
/// are built once per failed load, so their size does not matter.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("cannot read checkpoint {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("checkpoint {path} has no `{key}` entry (it has: {available})")]
    MissingEntry {
        path: PathBuf,
        key: String,
        available: String,
    },
    #[error(
        "checkpoint {path}, entry `{entry}`: tensor `{tensor}` has shape {found:?} but the config \
         expects {expected:?}; fix `{field}` in the config"
    )]
    ShapeMismatch {
        path: PathBuf,
        entry: String,
        tensor: String,
        found: Vec<usize>,
        expected: Vec<usize>,
        field: String,
    },
    #[error(
        "checkpoint {path}, entry `{entry}`: tensor `{tensor}` is missing (expected shape \
         {expected:?}); fix `{field}` in the config"
    )]
    MissingTensor {
        path: PathBuf,
        entry: String,
        tensor: String,
        expected: Vec<usize>,
        field: String,
    },
    #[error(
        "checkpoint {path}, entry `{entry}`: tensor `{tensor}` {shape:?} has no place in the model \
         the config describes; fix `{field}` in the config"
    )]
    UnexpectedTensor {
        path: PathBuf,
        entry: String,
        tensor: String,
        shape: Vec<usize>,
        field: String,
    },
    #[error("checkpoint {path}, entry `{entry}`: {message}")]
    Apply {
        path: PathBuf,
        entry: String,
        message: String,
    },
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}
