//! Checks that turn impossible settings into errors naming the key, and the derived model configs.

use super::presets::{PRESET_NAMES, preset};
use super::{ConfigError, IjepaConfig, ModelPreset};
use crate::model::{PredictorConfig, VitConfig};

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_string(),
        message: message.into(),
    }
}

fn check_range(key: &str, range: [f64; 2], low: f64, high: f64) -> Result<(), ConfigError> {
    let [a, b] = range;
    if !(a.is_finite() && b.is_finite()) || a > b || a < low || b > high {
        return Err(invalid(
            key,
            format!("[{a}, {b}] must be an increasing range within [{low}, {high}]"),
        ));
    }
    Ok(())
}

impl IjepaConfig {
    /// The encoder architecture: a named preset, or `custom` with `meta.embed_dim/depth/num_heads`.
    pub fn model_preset(&self) -> Result<ModelPreset, ConfigError> {
        let meta = &self.meta;
        if meta.model_name == "custom" {
            let need = |value: Option<usize>, key: &str| {
                value.ok_or_else(|| invalid(key, "required when `meta.model_name` is `custom`"))
            };
            return Ok(ModelPreset {
                embed_dim: need(meta.embed_dim, "meta.embed_dim")?,
                depth: need(meta.depth, "meta.depth")?,
                num_heads: need(meta.num_heads, "meta.num_heads")?,
                mlp_ratio: meta.mlp_ratio.unwrap_or(4.0),
            });
        }
        let Some(found) = preset(&meta.model_name) else {
            return Err(invalid(
                "meta.model_name",
                format!(
                    "unknown model `{}`; expected one of {} or `custom`",
                    meta.model_name,
                    PRESET_NAMES.join(", ")
                ),
            ));
        };
        for (value, key) in [
            (meta.embed_dim, "meta.embed_dim"),
            (meta.depth, "meta.depth"),
            (meta.num_heads, "meta.num_heads"),
        ] {
            if value.is_some() {
                return Err(invalid(
                    key,
                    format!(
                        "only allowed with `meta.model_name: custom` (`{}` fixes it)",
                        meta.model_name
                    ),
                ));
            }
        }
        if meta.mlp_ratio.is_some() {
            return Err(invalid(
                "meta.mlp_ratio",
                "only allowed with `meta.model_name: custom`",
            ));
        }
        Ok(found)
    }

    /// Encoder config (image size from `data.crop_size`, patch from `mask.patch_size`).
    pub fn encoder_config(&self) -> Result<VitConfig, ConfigError> {
        let arch = self.model_preset()?;
        Ok(VitConfig {
            img_size: self.data.crop_size,
            patch_size: self.mask.patch_size,
            in_chans: 3,
            embed_dim: arch.embed_dim,
            depth: arch.depth,
            num_heads: arch.num_heads,
            mlp_ratio: arch.mlp_ratio,
            qkv_bias: true,
        })
    }

    /// Predictor config (heads taken from the encoder, as the official `init_model`).
    pub fn predictor_config(&self) -> Result<PredictorConfig, ConfigError> {
        let encoder = self.encoder_config()?;
        Ok(PredictorConfig {
            num_patches: encoder.num_patches(),
            embed_dim: encoder.embed_dim,
            predictor_embed_dim: self.meta.pred_emb_dim,
            depth: self.meta.pred_depth,
            num_heads: encoder.num_heads,
            mlp_ratio: 4.0,
        })
    }

    /// Every check; called by the loaders.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let arch = self.model_preset()?;
        let (crop, patch) = (self.data.crop_size, self.mask.patch_size);
        if patch == 0 {
            return Err(invalid("mask.patch_size", "must be positive"));
        }
        if crop == 0 || crop % patch != 0 {
            return Err(invalid(
                "data.crop_size",
                format!("{crop} is not divisible by mask.patch_size {patch}"),
            ));
        }
        if arch.num_heads == 0 || arch.embed_dim % arch.num_heads != 0 {
            return Err(invalid(
                if self.meta.model_name == "custom" {
                    "meta.embed_dim"
                } else {
                    "meta.model_name"
                },
                format!(
                    "embed_dim {} is not divisible by num_heads {}",
                    arch.embed_dim, arch.num_heads
                ),
            ));
        }
        if arch.embed_dim % 4 != 0 {
            return Err(invalid(
                "meta.embed_dim",
                format!(
                    "{} must be divisible by 4 for the 2D sin-cos position embedding",
                    arch.embed_dim
                ),
            ));
        }
        if arch.depth == 0 {
            return Err(invalid("meta.depth", "must be at least 1"));
        }
        if !(arch.mlp_ratio.is_finite() && arch.mlp_ratio > 0.0) {
            return Err(invalid("meta.mlp_ratio", "must be positive"));
        }
        let pred = self.meta.pred_emb_dim;
        if pred == 0 || !pred.is_multiple_of(4) {
            return Err(invalid(
                "meta.pred_emb_dim",
                format!("{pred} must be a positive multiple of 4 (sin-cos position embedding)"),
            ));
        }
        if !pred.is_multiple_of(arch.num_heads) {
            return Err(invalid(
                "meta.pred_emb_dim",
                format!(
                    "{pred} is not divisible by the encoder's num_heads {}",
                    arch.num_heads
                ),
            ));
        }
        if self.meta.pred_depth == 0 {
            return Err(invalid("meta.pred_depth", "must be at least 1"));
        }
        if self.data.batch_size == 0 {
            return Err(invalid("data.batch_size", "must be at least 1"));
        }
        check_range("data.crop_scale", self.data.crop_scale, 0.0, 1.0)?;
        if self.data.crop_scale[1] <= 0.0 {
            return Err(invalid(
                "data.crop_scale",
                "the upper bound must be positive",
            ));
        }
        if self.data.std.iter().any(|s| s.is_nan() || *s <= 0.0) {
            return Err(invalid("data.std", "every channel's std must be positive"));
        }
        let mask = &self.mask;
        check_range("mask.enc_mask_scale", mask.enc_mask_scale, 0.0, 1.0)?;
        check_range("mask.pred_mask_scale", mask.pred_mask_scale, 0.0, 1.0)?;
        check_range(
            "mask.aspect_ratio",
            mask.aspect_ratio,
            f64::MIN_POSITIVE,
            f64::MAX,
        )?;
        if mask.num_enc_masks == 0 {
            return Err(invalid("mask.num_enc_masks", "must be at least 1"));
        }
        if mask.num_pred_masks == 0 {
            return Err(invalid("mask.num_pred_masks", "must be at least 1"));
        }
        let opt = &self.optimization;
        check_range("optimization.ema", opt.ema, 0.0, 1.0)?;
        for (value, key) in [
            (opt.lr, "optimization.lr"),
            (opt.start_lr, "optimization.start_lr"),
            (opt.final_lr, "optimization.final_lr"),
            (opt.weight_decay, "optimization.weight_decay"),
            (opt.final_weight_decay, "optimization.final_weight_decay"),
            (opt.warmup, "optimization.warmup"),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(invalid(
                    key,
                    format!("{value} must be a finite number >= 0"),
                ));
            }
        }
        if !(opt.ipe_scale.is_finite() && opt.ipe_scale > 0.0) {
            return Err(invalid("optimization.ipe_scale", "must be positive"));
        }
        if opt.epochs == 0 {
            return Err(invalid("optimization.epochs", "must be at least 1"));
        }
        if opt.grad_accum_steps == 0 {
            return Err(invalid(
                "optimization.grad_accum_steps",
                "must be at least 1",
            ));
        }
        if opt.iterations_per_epoch == Some(0) {
            return Err(invalid(
                "optimization.iterations_per_epoch",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}
