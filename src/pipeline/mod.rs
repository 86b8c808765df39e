//! `ijepa pipeline`: the main job. Renders a synthetic CLEVR set, pretrains I-JEPA on its train
//! split within a time budget, exports the encoder (and a random-init twin of it) to ONNX, runs
//! the Clevr/Count and Clevr/Dist linear probes against the baselines, and writes a report.

mod config;
mod figures;
mod report;
mod stages;

pub use config::{PipelineConfig, PipelineSection};
pub use report::PipelineReport;
pub use stages::run_pipeline;

use std::path::PathBuf;

/// Errors of the pipeline: each names the stage that failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("pipeline config {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("pipeline stage `{step}` failed: {message}")]
    Step { step: &'static str, message: String },
}
