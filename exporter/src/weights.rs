//! [`EncoderWeights`]: the hyper-parameters and float32 tensors of one ViT encoder, keyed by
//! the official parameter paths (`blocks.0.attn.qkv.weight`, no `module.` prefix), with
//! Linear weights in Burn's `[in, out]` layout. The graph builder consumes it.

use std::collections::BTreeMap;

use crate::error::{ExportError, Result};

/// LayerNorm epsilon of the official I-JEPA ViT (`partial(nn.LayerNorm, eps=1e-6)`).
pub const LAYER_NORM_EPS: f32 = 1e-6;

/// Hyper-parameters of a ViT encoder as the graph needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderSpec {
    /// Input height and width in pixels.
    pub img_size: usize,
    pub patch_size: usize,
    pub in_chans: usize,
    pub embed_dim: usize,
    pub depth: usize,
    pub num_heads: usize,
    /// Hidden width of the MLP (`embed_dim * mlp_ratio`).
    pub mlp_hidden: usize,
    pub qkv_bias: bool,
}

impl EncoderSpec {
    /// Patches per side.
    pub fn grid(&self) -> usize {
        self.img_size / self.patch_size
    }

    /// Tokens per image.
    pub fn num_tokens(&self) -> usize {
        self.grid() * self.grid()
    }

    /// Checks that the numbers describe a ViT.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(ExportError::InvalidConfig(m));
        if self.patch_size == 0
            || self.img_size == 0
            || !self.img_size.is_multiple_of(self.patch_size)
        {
            return bad(format!(
                "image size {} is not a positive multiple of patch size {}",
                self.img_size, self.patch_size
            ));
        }
        if self.num_heads == 0 || !self.embed_dim.is_multiple_of(self.num_heads) {
            return bad(format!(
                "embed_dim {} is not divisible by num_heads {}",
                self.embed_dim, self.num_heads
            ));
        }
        if self.depth == 0 || self.mlp_hidden == 0 || self.in_chans == 0 {
            return bad("depth, MLP width and input channels must be positive".into());
        }
        Ok(())
    }

    /// Every tensor the encoder needs, with its shape (Linear weights `[in, out]`).
    pub fn expected_tensors(&self) -> Vec<(String, Vec<usize>)> {
        let (d, h) = (self.embed_dim, self.mlp_hidden);
        let p = self.patch_size;
        let mut out = vec![
            (
                "patch_embed.proj.weight".into(),
                vec![d, self.in_chans, p, p],
            ),
            ("patch_embed.proj.bias".into(), vec![d]),
            ("pos_embed".into(), vec![1, self.num_tokens(), d]),
        ];
        for i in 0..self.depth {
            let b = format!("blocks.{i}");
            out.push((format!("{b}.norm1.weight"), vec![d]));
            out.push((format!("{b}.norm1.bias"), vec![d]));
            out.push((format!("{b}.attn.qkv.weight"), vec![d, 3 * d]));
            if self.qkv_bias {
                out.push((format!("{b}.attn.qkv.bias"), vec![3 * d]));
            }
            out.push((format!("{b}.attn.proj.weight"), vec![d, d]));
            out.push((format!("{b}.attn.proj.bias"), vec![d]));
            out.push((format!("{b}.norm2.weight"), vec![d]));
            out.push((format!("{b}.norm2.bias"), vec![d]));
            out.push((format!("{b}.mlp.fc1.weight"), vec![d, h]));
            out.push((format!("{b}.mlp.fc1.bias"), vec![h]));
            out.push((format!("{b}.mlp.fc2.weight"), vec![h, d]));
            out.push((format!("{b}.mlp.fc2.bias"), vec![d]));
        }
        out.push(("norm.weight".into(), vec![d]));
        out.push(("norm.bias".into(), vec![d]));
        out
    }
}

/// A float32 tensor, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// The checked weights of one encoder.
#[derive(Debug, Clone)]
pub struct EncoderWeights {
    spec: EncoderSpec,
    tensors: BTreeMap<String, WeightTensor>,
}

/// Whether a parameter path is a Linear weight (PyTorch `[out, in]`, Burn `[in, out]`):
/// the one remapping between the two layouts.
pub fn is_linear_weight(key: &str) -> bool {
    key.ends_with(".weight")
        && (key.contains(".attn.") || key.contains(".mlp."))
        && !key.contains("norm")
}

/// Transposes a 2-D row-major tensor.
pub fn transpose_2d(t: &WeightTensor) -> WeightTensor {
    let (rows, cols) = (t.shape[0], t.shape[1]);
    let mut data = vec![0.0; t.data.len()];
    for r in 0..rows {
        for c in 0..cols {
            data[c * rows + r] = t.data[r * cols + c];
        }
    }
    WeightTensor {
        shape: vec![cols, rows],
        data,
    }
}

impl EncoderWeights {
    /// Checks that `tensors` holds exactly what `spec` needs, with the right shapes.
    /// `source_name` names where they came from, for error messages.
    pub fn new(
        spec: EncoderSpec,
        mut tensors: BTreeMap<String, WeightTensor>,
        source_name: &str,
    ) -> Result<Self> {
        spec.validate()?;
        let mut checked = BTreeMap::new();
        for (key, expected) in spec.expected_tensors() {
            let t = tensors
                .remove(&key)
                .ok_or_else(|| ExportError::MissingTensor {
                    key: key.clone(),
                    source_name: source_name.to_string(),
                    depth: spec.depth,
                })?;
            if t.shape != expected {
                return Err(ExportError::ShapeMismatch {
                    key,
                    expected,
                    actual: t.shape,
                });
            }
            let needed = expected.iter().product::<usize>();
            if t.data.len() != needed {
                return Err(ExportError::BadLength {
                    key,
                    shape: expected,
                    len: t.data.len(),
                    needed,
                });
            }
            checked.insert(key, t);
        }
        if !tensors.is_empty() {
            return Err(ExportError::UnexpectedTensors {
                source_name: source_name.to_string(),
                keys: tensors.into_keys().collect(),
            });
        }
        Ok(Self {
            spec,
            tensors: checked,
        })
    }

    /// Like [`new`](Self::new), for tensors in PyTorch layout (Linear weights `[out, in]`).
    pub fn from_pytorch_layout(
        spec: EncoderSpec,
        tensors: BTreeMap<String, WeightTensor>,
        source_name: &str,
    ) -> Result<Self> {
        let tensors = tensors
            .into_iter()
            .map(|(k, t)| {
                if is_linear_weight(&k) && t.shape.len() == 2 {
                    let tt = transpose_2d(&t);
                    (k, tt)
                } else {
                    (k, t)
                }
            })
            .collect();
        Self::new(spec, tensors, source_name)
    }

    pub fn spec(&self) -> &EncoderSpec {
        &self.spec
    }

    /// Borrows a tensor.
    pub fn get(&self, key: &str) -> Option<&WeightTensor> {
        self.tensors.get(key)
    }

    /// Removes a tensor, so that the graph builder holds each weight only once.
    pub fn take(&mut self, key: &str) -> Result<WeightTensor> {
        self.tensors
            .remove(key)
            .ok_or_else(|| ExportError::MissingTensor {
                key: key.to_string(),
                source_name: "encoder".into(),
                depth: self.spec.depth,
            })
    }

    /// Replaces the position embedding by one for a `grid`×`grid` input of `img_size`
    /// pixels (the caller interpolates it).
    pub fn set_image_size(&mut self, img_size: usize, pos_embed: Vec<f32>) -> Result<()> {
        let mut spec = self.spec.clone();
        spec.img_size = img_size;
        spec.validate()?;
        let shape = vec![1, spec.num_tokens(), spec.embed_dim];
        if pos_embed.len() != shape.iter().product::<usize>() {
            return Err(ExportError::BadLength {
                key: "pos_embed".into(),
                len: pos_embed.len(),
                needed: shape.iter().product(),
                shape,
            });
        }
        self.tensors.insert(
            "pos_embed".into(),
            WeightTensor {
                shape,
                data: pos_embed,
            },
        );
        self.spec = spec;
        Ok(())
    }

    /// Number of float parameters.
    pub fn num_params(&self) -> usize {
        self.tensors.values().map(|t| t.data.len()).sum()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    pub(crate) fn tiny_spec() -> EncoderSpec {
        EncoderSpec {
            img_size: 16,
            patch_size: 8,
            in_chans: 3,
            embed_dim: 8,
            depth: 1,
            num_heads: 2,
            mlp_hidden: 32,
            qkv_bias: true,
        }
    }

    fn zeros(spec: &EncoderSpec) -> BTreeMap<String, WeightTensor> {
        spec.expected_tensors()
            .into_iter()
            .map(|(k, shape)| {
                let n = shape.iter().product();
                (
                    k,
                    WeightTensor {
                        shape,
                        data: vec![0.0; n],
                    },
                )
            })
            .collect()
    }

    #[test]
    fn linear_weights_are_the_only_remapped_keys() {
        assert!(is_linear_weight("blocks.0.attn.qkv.weight"));
        assert!(is_linear_weight("blocks.3.mlp.fc2.weight"));
        assert!(!is_linear_weight("blocks.0.norm1.weight"));
        assert!(!is_linear_weight("patch_embed.proj.weight"));
        assert!(!is_linear_weight("blocks.0.attn.qkv.bias"));
        let t = WeightTensor {
            shape: vec![2, 3],
            data: vec![1., 2., 3., 4., 5., 6.],
        };
        assert_eq!(transpose_2d(&t).data, [1., 4., 2., 5., 3., 6.]);
    }

    #[test]
    fn checks_missing_extra_and_misshapen_tensors() {
        let spec = tiny_spec();
        assert!(EncoderWeights::new(spec.clone(), zeros(&spec), "t").is_ok());

        let mut m = zeros(&spec);
        m.remove("norm.bias");
        let err = EncoderWeights::new(spec.clone(), m, "t").unwrap_err();
        assert!(err.to_string().contains("`norm.bias` is missing"), "{err}");

        let mut m = zeros(&spec);
        m.insert(
            "blocks.1.norm1.weight".into(),
            WeightTensor {
                shape: vec![8],
                data: vec![0.0; 8],
            },
        );
        let err = EncoderWeights::new(spec.clone(), m, "t").unwrap_err();
        assert!(err.to_string().contains("blocks.1.norm1.weight"), "{err}");

        let mut wide = spec.clone();
        wide.embed_dim = 16;
        let err = EncoderWeights::new(wide, zeros(&spec), "t").unwrap_err();
        assert!(matches!(err, ExportError::ShapeMismatch { .. }), "{err}");
    }
}
