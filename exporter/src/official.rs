//! Reading an encoder straight from an official I-JEPA checkpoint (`torch.save` of a dict
//! with `encoder` / `target_encoder` state dicts, keys prefixed `module.`), without building
//! a Burn module: one copy of the weights in memory.

use std::collections::BTreeMap;
use std::path::Path;

use burn::store::pytorch_reader::{DType, PytorchReader};

use crate::error::{ExportError, Result};
use crate::onnx_file::EncoderKind;
use crate::weights::{EncoderSpec, EncoderWeights, WeightTensor};

/// The DistributedDataParallel prefix of the official state dicts.
const DDP_PREFIX: &str = "module.";

/// Loads one encoder of an official checkpoint, checked against `spec`.
pub fn read_official_encoder(
    path: &Path,
    kind: EncoderKind,
    spec: EncoderSpec,
) -> Result<EncoderWeights> {
    let reader = PytorchReader::with_top_level_key(path, kind.checkpoint_key()).map_err(|err| {
        ExportError::Checkpoint {
            path: path.to_path_buf(),
            message: format!(
                "{err} (looking for the `{}` state dict)",
                kind.checkpoint_key()
            ),
        }
    })?;
    let mut tensors = BTreeMap::new();
    for (name, tensor) in reader.into_tensors() {
        let key = name.strip_prefix(DDP_PREFIX).unwrap_or(&name).to_string();
        if tensor.dtype() != DType::F32 {
            return Err(ExportError::UnsupportedDtype {
                key,
                path: path.to_path_buf(),
                dtype: format!("{:?}", tensor.dtype()),
            });
        }
        let bytes = tensor.read().map_err(|err| ExportError::Checkpoint {
            path: path.to_path_buf(),
            message: err.to_string(),
        })?;
        let data = bytes
            .chunks_exact(4)
            .map(|c| f32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        tensors.insert(
            key,
            WeightTensor {
                shape: tensor.shape().to_vec(),
                data,
            },
        );
    }
    let source = format!("{} `{}`", path.display(), kind.checkpoint_key());
    EncoderWeights::from_pytorch_layout(spec, tensors, &source)
}
