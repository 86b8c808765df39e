//! The I-JEPA networks in Burn: the ViT encoder (context and target) and the narrow-ViT predictor.
//!
//! Parameter paths are the official checkpoint keys without `module.` (`blocks.0.attn.qkv.weight`),
//! so official weights load without a mapping table and ONNX initializers carry the same names.

mod layers;
mod masking;
pub mod pos_embed;
mod predictor;
mod vit;

pub use layers::{Attention, Block, LAYER_NORM_EPS, LayerNorm, Mlp};
pub use masking::{apply_masks, masks_from_rows, repeat_interleave_batch};
pub use predictor::{Predictor, PredictorConfig};
pub use vit::{PatchEmbed, VisionTransformer, VitConfig};

/// Std of the official truncated-normal init of Linear/Conv weights and the mask token.
pub const INIT_STD: f64 = 0.02;
