//! I-JEPA pretraining: the loop (target forward without gradients, context encoder, predictor,
//! loss, AdamW with the official groups and schedules, EMA), logging (CSV, collapse signals,
//! plots), NaN/Inf stop, and exactly resumable checkpoints.
//!
//! Entry point: [`train`]; `ijepa train --config configs/tiny.yaml --data <folder>` calls it.

mod checkpoint;
mod collapse;
mod ema;
mod log;
mod run;
mod step;

pub use checkpoint::{
    FORMAT, TrainerCheckpoint, TrainerState, is_trainer_checkpoint, load_trainer_checkpoint,
    load_trainer_state, save_checkpoint,
};
pub use collapse::{CollapseStats, collapse_stats, effective_rank};
pub use ema::ema_update;
pub use log::{CSV_HEADER, LogRow};
pub use run::train;
pub use step::{StepOutput, TARGET_LN_EPS, forward_loss, l2, layer_norm_no_affine, smooth_l1};

use std::path::PathBuf;
use std::time::Duration;

/// Where training runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrainDevice {
    /// Burn's Flex CPU backend (the default).
    #[default]
    Cpu,
    /// Burn's CUDA backend on this GPU index (needs the `cuda` cargo feature).
    Cuda(usize),
}

impl std::str::FromStr for TrainDevice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|i| i.parse().ok())
                .map(Self::Cuda)
                .ok_or_else(|| format!("unknown device `{s}`: use cpu, cuda or cuda:<index>")),
        }
    }
}

/// A progress report after each optimizer step.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Optimizer steps done (global) and the step the run stops at.
    pub step: u64,
    pub total: u64,
    pub loss: f64,
}

/// Called after each optimizer step (e.g. to drive a progress bar).
pub type ProgressFn = Box<dyn Fn(&Progress) + Send + Sync>;

/// How to run [`train`]; everything else comes from the config.
#[derive(Default)]
pub struct TrainOptions {
    /// Output folder (CSV, checkpoints, plots); default `logging.folder`.
    pub output_dir: Option<PathBuf>,
    /// Image folder (or CLEVR_v1.0 root) overriding `data.root_path` / `data.image_folder`.
    pub data_dir: Option<PathBuf>,
    /// Override of `optimization.epochs` (changes the schedules' length).
    pub epochs: Option<usize>,
    /// Stop once this many optimizer steps (global, counting resumed ones) are done; the
    /// schedules still span the configured epochs.
    pub max_steps: Option<u64>,
    /// Stop (with a checkpoint) once this much wall time has passed.
    pub time_budget: Option<Duration>,
    pub device: TrainDevice,
    /// A trainer checkpoint to continue from.
    pub resume: Option<PathBuf>,
    /// Checkpoint every N steps (overrides `logging.checkpoint_every`; 0: epoch ends and the end).
    pub checkpoint_every: Option<u64>,
    /// Skip the PNG plots at the end.
    pub no_plots: bool,
    pub progress: Option<ProgressFn>,
}

/// Why the run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Finished,
    MaxSteps,
    TimeBudget,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// The last checkpoint written (resume from it, or export it).
    pub checkpoint: PathBuf,
    pub csv: PathBuf,
    pub plots: Vec<PathBuf>,
    /// `(global step, loss)` of every step of this run.
    pub losses: Vec<(u64, f64)>,
    /// Optimizer steps done in total and in this run.
    pub final_step: u64,
    pub steps_run: u64,
    /// Training throughput of this run: images per second of step compute time (waits for the
    /// loader excluded, like the official `gpu_timer` around `train_step`).
    pub images_per_sec: f64,
    /// Mean share of a step spent sampling masks (on the loader thread).
    pub mask_time_fraction: f64,
    pub stop: StopReason,
}

/// Errors of training.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Mask(#[from] crate::masks::MaskError),
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the checkpoint: {0}")]
    Checkpoint(String),
    #[error("checkpoint {path} cannot be loaded: {message}")]
    BadCheckpoint { path: PathBuf, message: String },
    #[error("cannot resume from {path}: {message}")]
    ResumeMismatch { path: PathBuf, message: String },
    #[error(
        "loss became {loss} at step {step}: training stopped; the last good checkpoint is {}",
        checkpoint.as_ref().map_or("(none written yet)".to_string(), |p| p.display().to_string())
    )]
    NonFiniteLoss {
        step: u64,
        loss: f64,
        checkpoint: Option<PathBuf>,
    },
    #[error("cannot draw the training plots: {0}")]
    Plot(String),
    #[error("device: {0}")]
    Device(String),
}
