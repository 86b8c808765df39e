//! A pipeline file: an ordinary I-JEPA config (official layout) plus a `pipeline:` section.

use std::path::{Path, PathBuf};

use ijepa_trainer::config::IjepaConfig;
use serde::{Deserialize, Serialize};

use super::PipelineError;

/// `pipeline:` — what the main job renders, how long it trains, and how it probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineSection {
    /// Output folder (data, run, ONNX files, report).
    pub out: String,
    /// Synthetic CLEVR images per split.
    pub train_images: usize,
    pub val_images: usize,
    /// Rendered image size `[width, height]` (CLEVR v1.0 is 480x320; same 3:2 aspect here).
    pub image_size: [u32; 2],
    /// Seed of the renderer.
    pub data_seed: u64,
    /// Wall-clock training budget in seconds (the run stops early with a checkpoint).
    pub train_seconds: u64,
    /// Hard cap of optimizer steps (`null`: the configured epochs).
    pub max_steps: Option<u64>,
    /// Probe train scenes (`null`: all of the train split).
    pub probe_train_limit: Option<usize>,
    /// Which encoder is exported and probed (`target`, as the paper evaluates, or `context`).
    pub encoder: String,
}

impl Default for PipelineSection {
    fn default() -> Self {
        Self {
            out: "out/pipeline".into(),
            train_images: 2000,
            val_images: 500,
            image_size: [96, 64],
            data_seed: 0,
            train_seconds: 360,
            max_steps: None,
            probe_train_limit: None,
            encoder: "target".into(),
        }
    }
}

/// The parsed file: the training config (validated as any config) and the pipeline section.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub path: PathBuf,
    pub ijepa: IjepaConfig,
    pub pipeline: PipelineSection,
}

impl PipelineConfig {
    /// Reads a pipeline YAML file; errors name the file and the key.
    pub fn from_yaml_file(path: &Path) -> Result<Self, PipelineError> {
        let text = std::fs::read_to_string(path).map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let bad = |message: String| PipelineError::Config {
            path: path.to_path_buf(),
            message,
        };
        let mut value: serde_yaml::Value =
            serde_yaml::from_str(&text).map_err(|err| bad(err.to_string()))?;
        let section = match value.as_mapping_mut() {
            Some(map) => map.remove("pipeline"),
            None => return Err(bad("expected a mapping at the top level".into())),
        };
        let pipeline: PipelineSection = match section {
            Some(section) => {
                serde_yaml::from_value(section).map_err(|err| bad(format!("pipeline: {err}")))?
            }
            None => PipelineSection::default(),
        };
        if pipeline.train_images == 0 || pipeline.val_images == 0 {
            return Err(bad(
                "pipeline.train_images and pipeline.val_images must be at least 1".into(),
            ));
        }
        if !matches!(pipeline.encoder.as_str(), "target" | "context") {
            return Err(bad(format!(
                "pipeline.encoder `{}` must be `target` or `context`",
                pipeline.encoder
            )));
        }
        let rest = serde_yaml::to_string(&value).map_err(|err| bad(err.to_string()))?;
        let ijepa = IjepaConfig::from_yaml_str(&rest).map_err(|err| bad(err.to_string()))?;
        Ok(Self {
            path: path.to_path_buf(),
            ijepa,
            pipeline,
        })
    }
}
