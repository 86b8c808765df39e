//! The ViT encoder: conv patch embedding, fixed sin-cos positions, pre-norm blocks, final norm.

use burn::module::{Initializer, Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::layers::{Block, LayerNorm};
use super::masking::apply_masks;
use super::pos_embed::{interpolate_pos_embed, sincos_2d};

/// Encoder hyper-parameters (the official `VisionTransformer` arguments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VitConfig {
    pub img_size: usize,
    pub patch_size: usize,
    pub in_chans: usize,
    pub embed_dim: usize,
    pub depth: usize,
    pub num_heads: usize,
    pub mlp_ratio: f64,
    pub qkv_bias: bool,
}

impl VitConfig {
    /// Patches per side.
    pub fn grid(&self) -> usize {
        self.img_size / self.patch_size
    }

    /// Tokens per image.
    pub fn num_patches(&self) -> usize {
        self.grid() * self.grid()
    }

    /// Random weights with the official init (truncated-normal std 0.02, zero biases, unit norms,
    /// `fix_init_weight` rescaling) and the fixed sin-cos position embedding.
    pub fn init(&self, device: &Device) -> VisionTransformer {
        let proj = Conv2dConfig::new(
            [self.in_chans, self.embed_dim],
            [self.patch_size, self.patch_size],
        )
        .with_stride([self.patch_size, self.patch_size])
        .with_initializer(Initializer::Normal {
            mean: 0.0,
            std: super::INIT_STD,
        })
        .init(device);
        let mut proj = proj;
        proj.bias = Some(Param::from_tensor(Tensor::zeros([self.embed_dim], device)));
        VisionTransformer {
            patch_embed: PatchEmbed {
                proj,
                patch_size: self.patch_size,
            },
            pos_embed: fixed_pos_embed(self.embed_dim, self.grid(), device),
            blocks: (0..self.depth)
                .map(|i| {
                    Block::new(self.embed_dim, self.num_heads, self.mlp_ratio, device)
                        .rescaled(i + 1)
                })
                .collect(),
            norm: LayerNorm::new(self.embed_dim, device),
        }
    }
}

/// A `[1, grid^2, dim]` sin-cos embedding as a parameter that takes no gradient.
pub(crate) fn fixed_pos_embed(dim: usize, grid: usize, device: &Device) -> Param<Tensor<3>> {
    let values = sincos_2d(dim, grid);
    let tensor = Tensor::<1>::from_data(TensorData::new(values, [grid * grid * dim]), device)
        .reshape([1, grid * grid, dim]);
    Param::from_tensor(tensor).set_require_grad(false)
}

/// `Conv2d(in_chans, embed_dim, kernel = stride = patch)` then flatten to tokens.
#[derive(Module, Debug)]
pub struct PatchEmbed {
    pub proj: Conv2d,
    patch_size: usize,
}

impl PatchEmbed {
    /// # Shapes
    /// - x: `[batch, chans, H, W]` → `[batch, (H/p)*(W/p), dim]` (row-major patches)
    pub fn forward(&self, x: Tensor<4>) -> Tensor<3> {
        let y = self.proj.forward(x); // [batch, dim, H/p, W/p]
        let [batch, dim, h, w] = y.dims();
        y.reshape([batch, dim, h * w]).swap_dims(1, 2)
    }
}

/// The I-JEPA encoder (no cls token). Used as context encoder and as EMA target encoder.
#[derive(Module, Debug)]
pub struct VisionTransformer {
    pub patch_embed: PatchEmbed,
    pub pos_embed: Param<Tensor<3>>,
    pub blocks: Vec<Block>,
    pub norm: LayerNorm,
}

impl VisionTransformer {
    /// Encodes images; with masks, keeps only the listed patches (after adding positions).
    ///
    /// # Shapes
    /// - x: `[batch, 3, H, W]`, H and W multiples of the patch size (any grid: the position
    ///   embedding is interpolated bicubically when it differs from the trained one)
    /// - masks: each `[batch, keep]`
    /// - output: `[batch, tokens, dim]`, or `[batch * masks.len(), keep, dim]` with masks
    pub fn forward(&self, x: Tensor<4>, masks: Option<&[Tensor<2, Int>]>) -> Tensor<3> {
        let [_, _, h, w] = x.dims();
        let tokens = self.patch_embed.forward(x);
        let [_, n, _] = tokens.dims();
        let pos = if n == self.num_patches() {
            self.pos_embed.val()
        } else {
            assert_eq!(h, w, "only square inputs are supported, got {h}x{w}");
            self.pos_embed_for_grid(h / self.patch_size())
        };
        let mut x = tokens + pos;
        if let Some(masks) = masks {
            x = apply_masks(x, masks);
        }
        for block in &self.blocks {
            x = block.forward(x);
        }
        self.norm.forward(x)
    }

    /// Patch side in pixels.
    pub fn patch_size(&self) -> usize {
        self.patch_embed.patch_size
    }

    /// Width of the tokens.
    pub fn embed_dim(&self) -> usize {
        self.pos_embed.val().dims()[2]
    }

    /// Tokens of the trained grid.
    pub fn num_patches(&self) -> usize {
        self.pos_embed.val().dims()[1]
    }

    /// Patches per side of the trained grid.
    pub fn grid(&self) -> usize {
        (self.num_patches() as f64).sqrt().round() as usize
    }

    /// The stored position embedding resampled to `grid x grid` (bicubic; identity when equal).
    pub fn pos_embed_for_grid(&self, grid: usize) -> Tensor<3> {
        let pos = self.pos_embed.val();
        if grid == self.grid() {
            return pos;
        }
        let dim = self.embed_dim();
        let device = pos.device();
        let values: Vec<f32> = pos
            .into_data()
            .convert::<f32>()
            .try_to_vec()
            .unwrap_or_default();
        let resized = interpolate_pos_embed(&values, dim, self.grid(), grid);
        Tensor::<1>::from_data(TensorData::new(resized, [grid * grid * dim]), &device).reshape([
            1,
            grid * grid,
            dim,
        ])
    }

    /// This encoder for another input size: the position embedding is resampled and fixed.
    pub fn with_image_size(mut self, img_size: usize) -> Self {
        let grid = img_size / self.patch_size();
        let pos = self.pos_embed_for_grid(grid);
        self.pos_embed = Param::from_tensor(pos).set_require_grad(false);
        self
    }
}

#[cfg(test)]
mod tests {
    use burn::prelude::Device;

    #[test]
    fn models_initialize_on_an_autodiff_device() {
        let device = Device::flex().autodiff();
        let vit = super::VitConfig {
            img_size: 16,
            patch_size: 8,
            in_chans: 3,
            embed_dim: 8,
            depth: 2,
            num_heads: 2,
            mlp_ratio: 4.0,
            qkv_bias: true,
        };
        let encoder = vit.init(&device);
        assert_eq!(encoder.blocks.len(), 2);
    }
}
