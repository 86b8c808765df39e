//! [`EncoderWeights`] from the trainer's Burn [`VisionTransformer`]: its parameter paths are
//! already the official keys, and its Linear weights are already `[in, out]`.

use std::collections::BTreeMap;

use burn::store::ModuleSnapshot;
use burn::store::burn_pack::DType;
use ijepa_trainer::model::{VisionTransformer, VitConfig};

use crate::error::{ExportError, Result};
use crate::weights::{EncoderSpec, EncoderWeights, WeightTensor};

/// The spec of an encoder built from `config` for `img_size` pixels.
pub fn spec_from_config(config: &VitConfig, img_size: usize) -> EncoderSpec {
    EncoderSpec {
        img_size,
        patch_size: config.patch_size,
        in_chans: config.in_chans,
        embed_dim: config.embed_dim,
        depth: config.depth,
        num_heads: config.num_heads,
        // The official `int(dim * mlp_ratio)`.
        mlp_hidden: (config.embed_dim as f64 * config.mlp_ratio) as usize,
        qkv_bias: config.qkv_bias,
    }
}

impl EncoderWeights {
    /// Copies the parameters of `model` (float32) and checks them against `spec`.
    pub fn from_module(model: &VisionTransformer, spec: EncoderSpec) -> Result<Self> {
        let mut tensors = BTreeMap::new();
        for snapshot in model.collect(None, None, false) {
            let name = snapshot.name.clone();
            let shape = snapshot.shape.to_vec();
            if snapshot.dtype != DType::F32 {
                return Err(ExportError::Load {
                    path: "<burn module>".into(),
                    message: format!(
                        "parameter `{name}` is {:?}, expected float32",
                        snapshot.dtype
                    ),
                });
            }
            let bytes = snapshot.into_bytes().map_err(|err| ExportError::Load {
                path: "<burn module>".into(),
                message: format!("cannot read parameter `{name}`: {err}"),
            })?;
            let data = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            tensors.insert(name, WeightTensor { shape, data });
        }
        Self::new(spec, tensors, "Burn encoder")
    }
}
