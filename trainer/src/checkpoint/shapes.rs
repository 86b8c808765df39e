//! Compares the tensors a file holds with those a config's model needs, before loading, so that
//! a mismatch names the tensor, both shapes and the config field to fix.

use std::collections::BTreeMap;
use std::path::Path;

use super::CheckpointError;

/// The config field that decides a tensor's shape (or presence).
pub(crate) fn field_for(tensor: &str, dim_index: Option<usize>) -> &'static str {
    let predictor = tensor.starts_with("predictor_") || tensor == "mask_token";
    if tensor.starts_with("predictor_blocks.") && dim_index.is_none() {
        return "meta.pred_depth";
    }
    if tensor.starts_with("blocks.") && dim_index.is_none() {
        return "meta.depth (or meta.model_name)";
    }
    if tensor.contains("pos_embed") && dim_index == Some(1) {
        return "data.crop_size / mask.patch_size (the token grid)";
    }
    if tensor == "patch_embed.proj.weight" && matches!(dim_index, Some(2 | 3)) {
        return "mask.patch_size";
    }
    if tensor.contains("mlp.fc1") || tensor.contains("mlp.fc2") {
        return "meta.mlp_ratio (or meta.model_name)";
    }
    if predictor {
        return "meta.pred_emb_dim";
    }
    "meta.embed_dim (or meta.model_name)"
}

/// Checks `found` (file: name → PyTorch shape) against `expected` (model: name → Burn shape).
/// Burn stores Linear weights transposed, so 2-D shapes are compared reversed.
pub(crate) fn check_shapes(
    path: &Path,
    entry: &str,
    found: &BTreeMap<String, Vec<usize>>,
    expected: &BTreeMap<String, Vec<usize>>,
) -> Result<(), CheckpointError> {
    for (name, want) in expected {
        let want_pt: Vec<usize> = if want.len() == 2 {
            want.iter().rev().copied().collect()
        } else {
            want.clone()
        };
        match found.get(name) {
            None => {
                return Err(CheckpointError::MissingTensor {
                    path: path.to_path_buf(),
                    entry: entry.to_string(),
                    tensor: name.clone(),
                    expected: want_pt,
                    field: field_for(name, None).to_string(),
                });
            }
            Some(have) if *have != want_pt => {
                let dim = have
                    .iter()
                    .zip(&want_pt)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                return Err(CheckpointError::ShapeMismatch {
                    path: path.to_path_buf(),
                    entry: entry.to_string(),
                    tensor: name.clone(),
                    found: have.clone(),
                    expected: want_pt,
                    field: field_for(name, Some(dim)).to_string(),
                });
            }
            Some(_) => {}
        }
    }
    if let Some((name, shape)) = found.iter().find(|(name, _)| !expected.contains_key(*name)) {
        return Err(CheckpointError::UnexpectedTensor {
            path: path.to_path_buf(),
            entry: entry.to_string(),
            tensor: name.clone(),
            shape: shape.clone(),
            field: field_for(name, None).to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(items: &[(&str, &[usize])]) -> BTreeMap<String, Vec<usize>> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect()
    }

    #[test]
    fn names_tensor_shapes_and_field() {
        let expected = map(&[
            ("blocks.0.mlp.fc1.weight", &[64, 256]),
            ("pos_embed", &[1, 36, 64]),
        ]);
        let found = map(&[
            ("blocks.0.mlp.fc1.weight", &[256, 64]),
            ("pos_embed", &[1, 16, 64]),
        ]);
        let err = check_shapes(Path::new("c.pth.tar"), "encoder", &found, &expected)
            .expect_err("grid differs")
            .to_string();
        assert!(
            err.contains("pos_embed") && err.contains("[1, 16, 64]") && err.contains("[1, 36, 64]")
        );
        assert!(err.contains("data.crop_size"), "{err}");

        let found = map(&[
            ("blocks.0.mlp.fc1.weight", &[256, 64]),
            ("pos_embed", &[1, 36, 64]),
            ("blocks.1.norm1.weight", &[64]),
        ]);
        let err = check_shapes(Path::new("c"), "encoder", &found, &expected)
            .expect_err("extra block")
            .to_string();
        assert!(
            err.contains("blocks.1.norm1.weight") && err.contains("meta.depth"),
            "{err}"
        );
    }
}
