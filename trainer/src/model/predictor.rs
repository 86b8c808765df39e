//! The narrow-ViT predictor: maps context tokens plus positioned mask tokens to target features.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::layers::{Block, LayerNorm, linear};
use super::masking::{apply_masks, repeat_interleave_batch};
use super::vit::fixed_pos_embed;

/// Predictor hyper-parameters (the official `vit_predictor` arguments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictorConfig {
    /// Encoder tokens per image (grid side squared).
    pub num_patches: usize,
    pub embed_dim: usize,
    pub predictor_embed_dim: usize,
    pub depth: usize,
    pub num_heads: usize,
    pub mlp_ratio: f64,
}

impl PredictorConfig {
    /// Random weights with the official init.
    pub fn init(&self, device: &Device) -> Predictor {
        let grid = (self.num_patches as f64).sqrt().round() as usize;
        let dim = self.predictor_embed_dim;
        let mask_token = Tensor::random(
            [1, 1, dim],
            burn::tensor::Distribution::Normal(0.0, super::INIT_STD),
            device,
        );
        Predictor {
            predictor_embed: linear(self.embed_dim, dim, device),
            mask_token: Param::from_tensor(mask_token),
            predictor_pos_embed: fixed_pos_embed(dim, grid, device),
            predictor_blocks: (0..self.depth)
                .map(|i| Block::new(dim, self.num_heads, self.mlp_ratio, device).rescaled(i + 1))
                .collect(),
            predictor_norm: LayerNorm::new(dim, device),
            predictor_proj: linear(dim, self.embed_dim, device),
        }
    }
}

/// The I-JEPA predictor.
#[derive(Module, Debug)]
pub struct Predictor {
    pub predictor_embed: Linear,
    pub mask_token: Param<Tensor<3>>,
    pub predictor_pos_embed: Param<Tensor<3>>,
    pub predictor_blocks: Vec<Block>,
    pub predictor_norm: LayerNorm,
    pub predictor_proj: Linear,
}

impl Predictor {
    /// Predicts the target-block features from the context tokens (official batching).
    ///
    /// # Shapes
    /// - x: `[batch * masks_x.len(), n_ctx, embed_dim]` (context encoder output)
    /// - masks_x: each `[batch, n_ctx]`; masks: each `[batch, n_pred]`
    /// - output: `[batch * masks_x.len() * masks.len(), n_pred, embed_dim]`, target-mask-major
    pub fn forward(
        &self,
        x: Tensor<3>,
        masks_x: &[Tensor<2, Int>],
        masks: &[Tensor<2, Int>],
    ) -> Tensor<3> {
        let [rows, n_ctx, _] = x.dims();
        let batch = rows / masks_x.len();
        let x = self.predictor_embed.forward(x);
        let [_, num_patches, dim] = self.predictor_pos_embed.val().dims();
        let pos = self
            .predictor_pos_embed
            .val()
            .expand([batch, num_patches, dim]);
        let x = x + apply_masks(pos.clone(), masks_x);

        let pos_embs = repeat_interleave_batch(apply_masks(pos, masks), batch, masks_x.len());
        let [pred_rows, n_pred, _] = pos_embs.dims();
        let pred_tokens = self.mask_token.val().expand([pred_rows, n_pred, dim]) + pos_embs;

        let x = x.repeat_dim(0, masks.len());
        let mut x = Tensor::cat(vec![x, pred_tokens], 1);
        for block in &self.predictor_blocks {
            x = block.forward(x);
        }
        let x = self.predictor_norm.forward(x);
        let x = x.narrow(1, n_ctx, n_pred);
        self.predictor_proj.forward(x)
    }
}
