//! Loads the official I-JEPA checkpoints into the Burn model via burn-store's PyTorch reader.
//!
//! Each entry (`encoder`, `target_encoder`, `predictor`) is a state dict whose keys carry the
//! DistributedDataParallel prefix `module.` (stripped here; files without it load too). Shapes are
//! checked against the config first, so a mismatch names the tensor, both shapes and the field to
//! fix. Other entries (`opt`, `scaler`, `epoch`, ...) are ignored.

use std::collections::BTreeMap;
use std::path::Path;

use burn::prelude::*;
use burn_store::pytorch_reader::{PickleValue, PytorchReader};
use burn_store::{ModuleSnapshot, ModuleStore, PytorchStore};

use super::CheckpointError;
use super::shapes::check_shapes;
use crate::config::IjepaConfig;
use crate::model::{Predictor, PredictorConfig, VisionTransformer, VitConfig};

/// The three networks of an official checkpoint.
#[derive(Debug)]
pub struct OfficialModels {
    pub encoder: VisionTransformer,
    pub target_encoder: VisionTransformer,
    pub predictor: Predictor,
}

/// Loads `encoder`, `target_encoder` and `predictor` as the config describes them.
pub fn load_official(
    path: &Path,
    config: &IjepaConfig,
    device: &Device,
) -> Result<OfficialModels, CheckpointError> {
    let encoder_config = config.encoder_config()?;
    Ok(OfficialModels {
        encoder: load_official_encoder(path, "encoder", &encoder_config, device)?,
        target_encoder: load_official_encoder(path, "target_encoder", &encoder_config, device)?,
        predictor: load_official_predictor(path, &config.predictor_config()?, device)?,
    })
}

/// Loads one encoder entry (`encoder` or `target_encoder`).
pub fn load_official_encoder(
    path: &Path,
    entry: &str,
    config: &VitConfig,
    device: &Device,
) -> Result<VisionTransformer, CheckpointError> {
    let mut model = config.init(device);
    load_entry(path, entry, &mut model)?;
    Ok(model)
}

/// Loads the `predictor` entry.
pub fn load_official_predictor(
    path: &Path,
    config: &PredictorConfig,
    device: &Device,
) -> Result<Predictor, CheckpointError> {
    let mut model = config.init(device);
    load_entry(path, "predictor", &mut model)?;
    Ok(model)
}

/// Top-level entry names of a checkpoint file (a pickled dict).
pub(crate) fn top_level_entries(
    path: &Path,
) -> Result<BTreeMap<String, PickleValue>, CheckpointError> {
    let value =
        PytorchReader::read_pickle_data(path, None).map_err(|err| CheckpointError::Read {
            path: path.to_path_buf(),
            message: err.to_string(),
        })?;
    match value {
        PickleValue::Dict(map) => Ok(map.into_iter().collect()),
        other => Err(CheckpointError::Read {
            path: path.to_path_buf(),
            message: format!("expected a dict at the top level, found {}", kind(&other)),
        }),
    }
}

pub(crate) fn kind(value: &PickleValue) -> String {
    match value {
        PickleValue::None => "None".into(),
        PickleValue::Bool(b) => format!("bool {b}"),
        PickleValue::Int(i) => format!("int {i}"),
        PickleValue::Float(f) => format!("float {f}"),
        PickleValue::String(s) => format!("str {s:?}"),
        PickleValue::List(l) => format!("list of {}", l.len()),
        PickleValue::Dict(d) => format!("dict of {} entries", d.len()),
        PickleValue::Bytes(b) => format!("{} bytes", b.len()),
        PickleValue::Unsupported(t) => t.clone(),
    }
}

fn load_entry<M: ModuleSnapshot + Module>(
    path: &Path,
    entry: &str,
    model: &mut M,
) -> Result<(), CheckpointError> {
    let entries = top_level_entries(path)?;
    if !entries.contains_key(entry) {
        return Err(CheckpointError::MissingEntry {
            path: path.to_path_buf(),
            key: entry.to_string(),
            available: entries.keys().cloned().collect::<Vec<_>>().join(", "),
        });
    }
    let apply_error = |message: String| CheckpointError::Apply {
        path: path.to_path_buf(),
        entry: entry.to_string(),
        message,
    };
    let mut store = PytorchStore::from_file(path)
        .with_top_level_key(entry)
        .with_key_remapping(r"^module\.", "");
    let found: BTreeMap<String, Vec<usize>> = store
        .get_all_tensors()
        .map_err(|err| apply_error(err.to_string()))?
        .iter()
        .map(|(name, tensor)| (name.clone(), tensor.shape.to_vec()))
        .collect();
    let expected: BTreeMap<String, Vec<usize>> = model
        .collect(None, None, false)
        .into_iter()
        .map(|tensor| (tensor.name.clone(), tensor.shape.to_vec()))
        .collect();
    check_shapes(path, entry, &found, &expected)?;
    let result = model
        .load_from(&mut store)
        .map_err(|err| apply_error(err.to_string()))?;
    if !result.errors.is_empty() || !result.missing.is_empty() {
        return Err(apply_error(result.to_string()));
    }
    tracing::debug!(
        entry,
        tensors = result.applied.len(),
        "loaded checkpoint entry"
    );
    Ok(())
}
