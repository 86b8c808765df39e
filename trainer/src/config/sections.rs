//! The YAML sections as plain serde structs (`#[serde(default, deny_unknown_fields)]`).
//!
//! Defaults are the official `in1k_vith14_ep300.yaml` values, so a partial file means "the official
//! recipe except for what is written". Fields marked *extension* are not in the official code.

use serde::{Deserialize, Serialize};

/// A whole config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct IjepaConfig {
    pub data: DataSection,
    pub logging: LoggingSection,
    pub mask: MaskSection,
    pub meta: MetaSection,
    pub optimization: OptimizationSection,
}

/// `data:` — the image source and augmentations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSection {
    pub batch_size: usize,
    pub color_jitter_strength: f64,
    /// RandomResizedCrop area range.
    pub crop_scale: [f64; 2],
    pub crop_size: usize,
    /// Folder under `root_path` holding the images (recursive PNG/JPEG, or a CLEVR_v1.0 root).
    pub image_folder: String,
    pub num_workers: usize,
    pub pin_mem: bool,
    pub root_path: String,
    pub use_color_distortion: bool,
    pub use_gaussian_blur: bool,
    pub use_horizontal_flip: bool,
    /// *Extension*: for a CLEVR_v1.0 root, the split to train on (`images/<split>/`).
    pub split: Option<String>,
    /// *Extension*: normalization mean (official: ImageNet's).
    pub mean: [f64; 3],
    /// *Extension*: normalization std (official: ImageNet's).
    pub std: [f64; 3],
}

impl Default for DataSection {
    fn default() -> Self {
        Self {
            batch_size: 128,
            color_jitter_strength: 0.0,
            crop_scale: [0.3, 1.0],
            crop_size: 224,
            image_folder: String::new(),
            num_workers: 2,
            pin_mem: true,
            root_path: String::new(),
            use_color_distortion: false,
            use_gaussian_blur: false,
            use_horizontal_flip: false,
            split: None,
            mean: [0.485, 0.456, 0.406],
            std: [0.229, 0.224, 0.225],
        }
    }
}

/// `logging:` — where runs write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingSection {
    pub folder: String,
    pub write_tag: String,
    /// *Extension*: write a checkpoint every N iterations (0: only at epoch ends).
    pub checkpoint_every: usize,
    /// *Extension*: print/log a CSV row every N iterations.
    pub log_every: usize,
}

impl Default for LoggingSection {
    fn default() -> Self {
        Self {
            folder: "runs/ijepa".to_string(),
            write_tag: "jepa".to_string(),
            checkpoint_every: 0,
            log_every: 1,
        }
    }
}

/// How the multi-block mask sampler treats the last patch row/column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MaskMode {
    /// The official sampler, quirks included (block corners drawn with an exclusive upper bound,
    /// so the last patch row/column is never used).
    Official,
    /// Blocks may touch the last patch row/column.
    #[default]
    Fixed,
}

/// `mask:` — the multi-block masking strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaskSection {
    pub allow_overlap: bool,
    pub aspect_ratio: [f64; 2],
    pub enc_mask_scale: [f64; 2],
    pub min_keep: usize,
    pub num_enc_masks: usize,
    pub num_pred_masks: usize,
    pub patch_size: usize,
    pub pred_mask_scale: [f64; 2],
    /// *Extension*: `official` or `fixed` (default) sampling of block corners.
    pub mode: MaskMode,
}

impl Default for MaskSection {
    fn default() -> Self {
        Self {
            allow_overlap: false,
            aspect_ratio: [0.75, 1.5],
            enc_mask_scale: [0.85, 1.0],
            min_keep: 10,
            num_enc_masks: 1,
            num_pred_masks: 4,
            patch_size: 14,
            pred_mask_scale: [0.15, 0.2],
            mode: MaskMode::default(),
        }
    }
}

/// `meta:` — the architecture and run switches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetaSection {
    pub copy_data: bool,
    pub load_checkpoint: bool,
    /// `vit_tiny`, `vit_small`, `vit_base`, `vit_large`, `vit_huge`, `vit_giant`, or `custom`.
    pub model_name: String,
    pub pred_depth: usize,
    pub pred_emb_dim: usize,
    pub read_checkpoint: Option<String>,
    pub use_bfloat16: bool,
    /// *Extension* (`model_name: custom` only): encoder width.
    pub embed_dim: Option<usize>,
    /// *Extension* (`model_name: custom` only): encoder depth.
    pub depth: Option<usize>,
    /// *Extension* (`model_name: custom` only): attention heads (encoder and predictor).
    pub num_heads: Option<usize>,
    /// *Extension* (`model_name: custom` only): MLP hidden size / width (default 4).
    pub mlp_ratio: Option<f64>,
    /// *Extension*: seed of weights init, masks and data order.
    pub seed: u64,
}

impl Default for MetaSection {
    fn default() -> Self {
        Self {
            copy_data: false,
            load_checkpoint: false,
            model_name: "vit_huge".to_string(),
            pred_depth: 12,
            pred_emb_dim: 384,
            read_checkpoint: None,
            use_bfloat16: false,
            embed_dim: None,
            depth: None,
            num_heads: None,
            mlp_ratio: None,
            seed: 0,
        }
    }
}

/// The regression loss between predicted and target features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// `F.smooth_l1_loss` (beta 1), as the official `train.py`.
    #[default]
    SmoothL1,
    /// Mean squared L2 distance per predicted token, as written in the paper.
    L2,
}

/// `optimization:` — AdamW and its schedules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizationSection {
    /// EMA momentum, linear from `ema[0]` to `ema[1]` over the run.
    pub ema: [f64; 2],
    pub epochs: usize,
    pub final_lr: f64,
    pub final_weight_decay: f64,
    pub ipe_scale: f64,
    pub lr: f64,
    pub start_lr: f64,
    /// Warmup epochs.
    pub warmup: f64,
    pub weight_decay: f64,
    /// *Extension*: `smooth_l1` (official code) or `l2` (paper).
    pub loss: LossKind,
    /// *Extension*: micro-batches per optimizer step.
    pub grad_accum_steps: usize,
    /// *Extension*: iterations per epoch when the data set is smaller or larger than wanted
    /// (`null`: one pass over the data).
    pub iterations_per_epoch: Option<usize>,
}

impl Default for OptimizationSection {
    fn default() -> Self {
        Self {
            ema: [0.996, 1.0],
            epochs: 300,
            final_lr: 1.0e-6,
            final_weight_decay: 0.4,
            ipe_scale: 1.0,
            lr: 0.001,
            start_lr: 0.0002,
            warmup: 40.0,
            weight_decay: 0.04,
            loss: LossKind::default(),
            grad_accum_steps: 1,
            iterations_per_epoch: None,
        }
    }
}
