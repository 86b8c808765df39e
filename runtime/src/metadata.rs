//! What an exported encoder says about itself: `ijepa.*` metadata and its input/output shapes.
//!
//! The contract (written by the exporter): input `pixels` f32 `[batch, 3, H, W]`, outputs `embeddings`
//! `[batch, tokens, dim]` and `pooled` `[batch, dim]`; metadata `ijepa.crop_size`, `ijepa.mean`,
//! `ijepa.std` (comma-separated), plus `ijepa.patch_size`, `ijepa.embed_dim`, `ijepa.depth`,
//! `ijepa.num_heads`, `ijepa.encoder`, `ijepa.source` (informational).

use std::path::{Path, PathBuf};

use ort::session::Session;
use ort::value::ValueType;

use crate::error::{Result, RuntimeError};

/// Name of the input tensor.
pub const INPUT_PIXELS: &str = "pixels";
/// Name of the token-level output.
pub const OUTPUT_EMBEDDINGS: &str = "embeddings";
/// Name of the mean-pooled output.
pub const OUTPUT_POOLED: &str = "pooled";

/// Everything the runtime needs to know about one encoder file.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ModelInfo {
    pub path: PathBuf,
    /// Side of the square input, in pixels.
    pub crop_size: usize,
    pub mean: [f32; 3],
    pub std: [f32; 3],
    /// A batch size baked into the file, if the batch dimension is not symbolic.
    pub fixed_batch: Option<usize>,
    /// `(H, W)` baked into the file, if those dimensions are not symbolic.
    pub fixed_hw: Option<(usize, usize)>,
    /// `[tokens, dim]` of `embeddings`, where the file states them.
    pub tokens: Option<usize>,
    pub dim: Option<usize>,
    pub has_pooled: bool,
    /// The other `ijepa.*` keys, verbatim (patch size, depth, heads, encoder, source).
    pub extra: Vec<(String, String)>,
}

impl ModelInfo {
    /// Reads and checks the contract of an opened session.
    pub fn read(session: &Session, path: &Path) -> Result<Self> {
        let contract = |reason: String| RuntimeError::Contract {
            path: path.to_path_buf(),
            reason,
        };
        let input = session
            .inputs()
            .iter()
            .find(|i| i.name() == INPUT_PIXELS)
            .ok_or_else(|| {
                contract(format!(
                    "no input named `{INPUT_PIXELS}` (inputs: {:?})",
                    names(session.inputs())
                ))
            })?;
        let input_shape = f32_shape(input.dtype())
            .ok_or_else(|| contract(format!("input `{INPUT_PIXELS}` is not a float32 tensor")))?;
        if input_shape.len() != 4 || (input_shape[1] >= 0 && input_shape[1] != 3) {
            return Err(contract(format!(
                "input `{INPUT_PIXELS}` has shape {input_shape:?}, expected [batch, 3, H, W]"
            )));
        }
        let embeddings = session
            .outputs()
            .iter()
            .find(|o| o.name() == OUTPUT_EMBEDDINGS)
            .ok_or_else(|| {
                contract(format!(
                    "no output named `{OUTPUT_EMBEDDINGS}` (outputs: {:?})",
                    names(session.outputs())
                ))
            })?;
        let emb_shape = f32_shape(embeddings.dtype())
            .filter(|s| s.len() == 3)
            .ok_or_else(|| {
                contract(format!(
                    "output `{OUTPUT_EMBEDDINGS}` is not a float32 [batch, tokens, dim] tensor"
                ))
            })?;
        let has_pooled = session.outputs().iter().any(|o| o.name() == OUTPUT_POOLED);

        let metadata = session
            .metadata()
            .map_err(|e| contract(format!("cannot read metadata: {e}")))?;
        let custom = |key: &str| metadata.custom(key);
        let fixed_hw = match (known(input_shape[2]), known(input_shape[3])) {
            (Some(h), Some(w)) => Some((h, w)),
            _ => None,
        };
        let crop_size =
            match (custom("ijepa.crop_size"), fixed_hw) {
                (Some(text), hw) => {
                    let crop = parse_usize(path, "ijepa.crop_size", &text)?;
                    if let Some((h, w)) = hw.filter(|&(h, w)| h != crop || w != crop) {
                        return Err(RuntimeError::InputSize {
                            path: path.to_path_buf(),
                            want_h: h,
                            want_w: w,
                            got_h: crop,
                            got_w: crop,
                        });
                    }
                    crop
                }
                (None, Some((h, w))) if h == w => h,
                (None, _) => return Err(contract(
                    "metadata key `ijepa.crop_size` is missing and the input is not a fixed square"
                        .into(),
                )),
            };
        let mean = parse_triple(path, "ijepa.mean", custom("ijepa.mean"))?;
        let std = parse_triple(path, "ijepa.std", custom("ijepa.std"))?;
        if let Some(bad) = std.iter().find(|s| **s <= 0.0) {
            return Err(metadata_error(
                path,
                "ijepa.std",
                &format!("{std:?}"),
                &format!("{bad} is not positive"),
            ));
        }
        let mut extra = Vec::new();
        for key in [
            "ijepa.patch_size",
            "ijepa.embed_dim",
            "ijepa.depth",
            "ijepa.num_heads",
            "ijepa.encoder",
            "ijepa.source",
        ] {
            if let Some(value) = custom(key) {
                extra.push((key.to_string(), value));
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            crop_size,
            mean,
            std,
            fixed_batch: known(input_shape[0]),
            fixed_hw,
            tokens: known(emb_shape[1]),
            dim: known(emb_shape[2]),
            has_pooled,
            extra,
        })
    }
}

fn names(outlets: &[ort::value::Outlet]) -> Vec<String> {
    outlets.iter().map(|o| o.name().to_string()).collect()
}

fn f32_shape(dtype: &ValueType) -> Option<Vec<i64>> {
    match dtype {
        ValueType::Tensor {
            ty: ort::value::TensorElementType::Float32,
            shape,
            ..
        } => Some(shape.to_vec()),
        _ => None,
    }
}

/// A dimension that is a number in the file (symbolic ones read as -1).
fn known(dim: i64) -> Option<usize> {
    usize::try_from(dim).ok().filter(|d| *d > 0)
}

fn metadata_error(path: &Path, key: &str, value: &str, reason: &str) -> RuntimeError {
    RuntimeError::Metadata {
        path: path.to_path_buf(),
        key: key.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

fn parse_usize(path: &Path, key: &str, text: &str) -> Result<usize> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| metadata_error(path, key, text, "expected a positive integer"))
}

/// Parses `"0.485,0.456,0.406"`.
pub fn parse_triple(path: &Path, key: &str, text: Option<String>) -> Result<[f32; 3]> {
    let text = text.ok_or_else(|| RuntimeError::Contract {
        path: path.to_path_buf(),
        reason: format!(
            "metadata key `{key}` is missing; re-export the encoder with `ijepa export`"
        ),
    })?;
    let values: Vec<f32> = text
        .split(',')
        .map(|v| v.trim().parse::<f32>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| metadata_error(path, key, &text, &e.to_string()))?;
    <[f32; 3]>::try_from(values.as_slice()).map_err(|_| {
        metadata_error(
            path,
            key,
            &text,
            &format!("expected 3 comma-separated numbers, got {}", values.len()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mean_and_rejects_bad_lists() -> Result<()> {
        let path = Path::new("m.onnx");
        assert_eq!(
            parse_triple(path, "ijepa.mean", Some("0.485, 0.456,0.406".into()))?,
            [0.485, 0.456, 0.406]
        );
        assert!(parse_triple(path, "ijepa.mean", Some("0.5,0.5".into())).is_err());
        assert!(parse_triple(path, "ijepa.mean", Some("a,b,c".into())).is_err());
        let missing = parse_triple(path, "ijepa.std", None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(missing.contains("ijepa.std"), "{missing}");
        Ok(())
    }

    #[test]
    fn symbolic_dimensions_are_unknown() {
        assert_eq!(known(-1), None);
        assert_eq!(known(0), None);
        assert_eq!(known(48), Some(48));
    }
}
