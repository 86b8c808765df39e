//! Multi-block mask collator for I-JEPA: per batch one target-block size and one context-block
//! size, per image `npred` target blocks and `nenc` context blocks, the context minus the targets,
//! everything truncated to the batch minimum so it stacks.
//!
//! Semantics follow the official `MaskCollator` (facebookresearch/ijepa `src/masks/multiblock.py`)
//! with two fixes: settings under which the official sampler would loop forever are rejected up
//! front with an error naming them, and [`MaskMode::Fixed`] lets blocks touch the last patch
//! row/column. The two block sizes of batch `step` come from the official generator
//! (`torch.Generator().manual_seed(step)`, reproduced by [`TorchGenerator`]), so they are exactly
//! the official ones; block positions come from a ChaCha generator seeded by `(seed, step)`. A
//! batch's masks depend only on `(seed, step)`, so resumed runs see the same masks.

mod block;
mod torch_rng;

pub use block::{BlockSize, MaskMode, block_size_from_uniform, smallest_block};
pub use torch_rng::TorchGenerator;

use block::{block_mask, sample_corner};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Failed attempts at one constraint level before the official sampler drops one acceptable
/// region (its `og_timeout`).
const TRIES_PER_LEVEL: usize = 20;

/// Errors of the mask sampler.
#[derive(Debug, thiserror::Error)]
pub enum MaskError {
    #[error(transparent)]
    Unsatisfiable(Box<Unsatisfiable>),
    #[error("invalid mask settings: {0}")]
    Invalid(String),
}

/// Settings under which no valid block exists for some draw (the official sampler's hang).
#[derive(Debug, thiserror::Error)]
#[error(
    "mask settings can never give a valid {kind} block: on a {grid_h}×{grid_w} patch grid \
     (crop {crop_size}, patch {patch_size}) the smallest {kind} block from scale {scale:?} and \
     aspect {aspect:?} is {h}×{w} = {area} patches, which is not larger than mask.min_keep = \
     {min_keep} (the official sampler loops forever here); lower mask.min_keep below {area} \
     or raise the {key} lower bound"
)]
pub struct Unsatisfiable {
    pub kind: &'static str,
    pub key: &'static str,
    pub crop_size: usize,
    pub patch_size: usize,
    pub grid_h: usize,
    pub grid_w: usize,
    pub scale: [f64; 2],
    pub aspect: [f64; 2],
    pub h: usize,
    pub w: usize,
    pub area: usize,
    pub min_keep: usize,
}

/// Settings of the multi-block sampler (the official YAML `mask` section plus the crop size).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiBlockConfig {
    pub crop_size: usize,
    pub patch_size: usize,
    pub enc_mask_scale: [f64; 2],
    pub pred_mask_scale: [f64; 2],
    pub aspect_ratio: [f64; 2],
    pub num_enc_masks: usize,
    pub num_pred_masks: usize,
    pub min_keep: usize,
    pub allow_overlap: bool,
    pub mode: MaskMode,
}

impl MultiBlockConfig {
    /// The sampler settings of a config: its `mask` section and `data.crop_size`.
    pub fn from_config(cfg: &crate::config::IjepaConfig) -> Self {
        let m = &cfg.mask;
        Self {
            crop_size: cfg.data.crop_size,
            patch_size: m.patch_size,
            enc_mask_scale: m.enc_mask_scale,
            pred_mask_scale: m.pred_mask_scale,
            aspect_ratio: m.aspect_ratio,
            num_enc_masks: m.num_enc_masks,
            num_pred_masks: m.num_pred_masks,
            min_keep: m.min_keep,
            allow_overlap: m.allow_overlap,
            mode: m.mode,
        }
    }
}

/// Masks of one kind for a batch: `[batch, len]` row-major patch indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskSet {
    pub batch: usize,
    pub len: usize,
    pub indices: Vec<i64>,
}

impl MaskSet {
    /// The indices of image `b`.
    pub fn row(&self, b: usize) -> &[i64] {
        &self.indices[b * self.len..(b + 1) * self.len]
    }

    /// An int tensor `[batch, len]` on `device`.
    pub fn to_tensor(&self, device: &Device) -> Tensor<2, Int> {
        Tensor::from_data(
            TensorData::new(self.indices.clone(), [self.batch, self.len]),
            device,
        )
    }
}

/// One batch of masks: `enc[i]` is context mask `i`, `pred[j]` target mask `j`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskBatch {
    pub enc: Vec<MaskSet>,
    pub pred: Vec<MaskSet>,
}

impl MaskBatch {
    /// Tensors for the model: `(masks_enc, masks_pred)`.
    pub fn to_tensors(&self, device: &Device) -> (Vec<Tensor<2, Int>>, Vec<Tensor<2, Int>>) {
        (
            self.enc.iter().map(|m| m.to_tensor(device)).collect(),
            self.pred.iter().map(|m| m.to_tensor(device)).collect(),
        )
    }
}

/// The multi-block mask sampler; validated at construction so that sampling cannot hang.
#[derive(Debug, Clone)]
pub struct MultiBlockSampler {
    cfg: MultiBlockConfig,
    grid: usize,
}

impl MultiBlockSampler {
    /// Validates `cfg`: returns [`MaskError::Unsatisfiable`] where some draw could give a block
    /// with no more than `min_keep` patches (the official sampler's endless loop).
    pub fn new(cfg: MultiBlockConfig) -> Result<Self, MaskError> {
        if cfg.patch_size == 0 || cfg.crop_size < cfg.patch_size {
            return Err(MaskError::Invalid(format!(
                "crop_size {} must be at least patch_size {} (> 0)",
                cfg.crop_size, cfg.patch_size
            )));
        }
        if cfg.num_enc_masks == 0 || cfg.num_pred_masks == 0 {
            return Err(MaskError::Invalid(format!(
                "mask.num_enc_masks ({}) and mask.num_pred_masks ({}) must be at least 1",
                cfg.num_enc_masks, cfg.num_pred_masks
            )));
        }
        for (key, r) in [
            ("mask.enc_mask_scale", cfg.enc_mask_scale),
            ("mask.pred_mask_scale", cfg.pred_mask_scale),
        ] {
            if !(r[0] > 0.0 && r[0] <= r[1] && r[1] <= 1.0) {
                return Err(MaskError::Invalid(format!(
                    "{key} {r:?} must satisfy 0 < low <= high <= 1"
                )));
            }
        }
        let a = cfg.aspect_ratio;
        if !(a[0] > 0.0 && a[0] <= a[1]) {
            return Err(MaskError::Invalid(format!(
                "mask.aspect_ratio {a:?} must satisfy 0 < low <= high"
            )));
        }
        let grid = cfg.crop_size / cfg.patch_size;
        let checks = [
            ("target", "mask.pred_mask_scale", cfg.pred_mask_scale, a),
            (
                "context",
                "mask.enc_mask_scale",
                cfg.enc_mask_scale,
                [1.0, 1.0],
            ),
        ];
        for (kind, key, scale, aspect) in checks {
            let s = smallest_block(grid, grid, scale, aspect, cfg.mode);
            if s.area() <= cfg.min_keep {
                return Err(MaskError::Unsatisfiable(Box::new(Unsatisfiable {
                    kind,
                    key,
                    crop_size: cfg.crop_size,
                    patch_size: cfg.patch_size,
                    grid_h: grid,
                    grid_w: grid,
                    scale,
                    aspect,
                    h: s.h,
                    w: s.w,
                    area: s.area(),
                    min_keep: cfg.min_keep,
                })));
            }
        }
        Ok(Self { cfg, grid })
    }

    /// The settings.
    pub fn config(&self) -> &MultiBlockConfig {
        &self.cfg
    }

    /// Patches per side of the grid.
    pub fn grid(&self) -> usize {
        self.grid
    }

    /// Samples the masks of batch `step` (deterministic in `(seed, step)`).
    pub fn sample(&self, batch_size: usize, seed: u64, step: u64) -> MaskBatch {
        let cfg = &self.cfg;
        let g = self.grid;
        let mut sizes = TorchGenerator::new(step);
        let p_size = block_size_from_uniform(
            sizes.rand(),
            g,
            g,
            cfg.pred_mask_scale,
            cfg.aspect_ratio,
            cfg.mode,
        );
        let e_size =
            block_size_from_uniform(sizes.rand(), g, g, cfg.enc_mask_scale, [1.0, 1.0], cfg.mode);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(step);

        let mut preds: Vec<Vec<Vec<i64>>> = Vec::with_capacity(batch_size);
        let mut encs: Vec<Vec<Vec<i64>>> = Vec::with_capacity(batch_size);
        let (mut min_pred, mut min_enc) = (g * g, g * g);
        for _ in 0..batch_size {
            let mut masks_p = Vec::with_capacity(cfg.num_pred_masks);
            let mut complements = Vec::with_capacity(cfg.num_pred_masks);
            for _ in 0..cfg.num_pred_masks {
                let (mask, block) = self.sample_block(&mut rng, p_size, &[]);
                min_pred = min_pred.min(mask.len());
                masks_p.push(mask);
                complements.push(block.iter().map(|&b| !b).collect::<Vec<bool>>());
            }
            let regions: &[Vec<bool>] = if cfg.allow_overlap { &[] } else { &complements };
            let mut masks_e = Vec::with_capacity(cfg.num_enc_masks);
            for _ in 0..cfg.num_enc_masks {
                let (mask, _) = self.sample_block(&mut rng, e_size, regions);
                min_enc = min_enc.min(mask.len());
                masks_e.push(mask);
            }
            preds.push(masks_p);
            encs.push(masks_e);
        }
        MaskBatch {
            enc: collate(&encs, cfg.num_enc_masks, min_enc),
            pred: collate(&preds, cfg.num_pred_masks, min_pred),
        }
    }

    /// One block of `size`, constrained to `regions` (the complements of the target blocks);
    /// returns the kept indices and the unconstrained block. Like the official sampler, after
    /// every [`TRIES_PER_LEVEL`] failures the last remaining region is dropped; construction
    /// guarantees the unconstrained block is large enough, so this terminates.
    fn sample_block(
        &self,
        rng: &mut ChaCha8Rng,
        size: BlockSize,
        regions: &[Vec<bool>],
    ) -> (Vec<i64>, Vec<bool>) {
        let g = self.grid;
        let mut tries = 0usize;
        let mut timeout = TRIES_PER_LEVEL;
        loop {
            let (top, left) = sample_corner(rng, g, g, size, self.cfg.mode);
            let block = block_mask(g, g, top, left, size);
            let active = regions.len().saturating_sub(tries);
            let kept: Vec<i64> = (0..g * g)
                .filter(|&i| block[i] && regions[..active].iter().all(|r| r[i]))
                .map(|i| i as i64)
                .collect();
            if kept.len() > self.cfg.min_keep {
                return (kept, block);
            }
            timeout -= 1;
            if timeout == 0 {
                tries += 1;
                timeout = TRIES_PER_LEVEL;
                tracing::debug!(tries, "mask sampler: no valid block, dropping one region");
            }
        }
    }
}

/// `[image][mask][indices]` → one [`MaskSet`] per mask, each row truncated to `len`.
fn collate(per_image: &[Vec<Vec<i64>>], n_masks: usize, len: usize) -> Vec<MaskSet> {
    (0..n_masks)
        .map(|m| MaskSet {
            batch: per_image.len(),
            len,
            indices: per_image
                .iter()
                .flat_map(|masks| masks[m][..len].iter().copied())
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
