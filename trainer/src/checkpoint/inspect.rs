//! `ijepa inspect`: what a checkpoint holds, and the architecture its shapes imply.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use burn_store::pytorch_reader::PytorchReader;

use super::CheckpointError;
use super::official::{kind, top_level_entries};
use crate::config::{ModelPreset, preset};

/// One tensor of the file.
#[derive(Debug, Clone)]
pub struct TensorEntry {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: String,
}

/// What the shapes of an encoder (and predictor) entry tell.
#[derive(Debug, Clone, PartialEq)]
pub struct InferredArchitecture {
    pub entry: String,
    pub embed_dim: usize,
    pub depth: usize,
    pub patch_size: usize,
    pub grid: usize,
    pub crop_size: usize,
    pub mlp_ratio: f64,
    pub pred_emb_dim: Option<usize>,
    pub pred_depth: Option<usize>,
    /// Named presets with these width/depth/MLP ratio (they fix `num_heads`).
    pub matching_presets: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct CheckpointReport {
    pub path: String,
    /// Top-level entries and a description of each.
    pub entries: Vec<(String, String)>,
    pub tensors: Vec<TensorEntry>,
    pub architecture: Option<InferredArchitecture>,
}

/// Reads the file's structure (tensor data is not loaded).
pub fn inspect(path: &Path) -> Result<CheckpointReport, CheckpointError> {
    let entries = top_level_entries(path)?;
    let reader = PytorchReader::new(path).map_err(|err| CheckpointError::Read {
        path: path.to_path_buf(),
        message: err.to_string(),
    })?;
    let mut tensors: Vec<TensorEntry> = reader
        .tensors()
        .iter()
        .map(|(name, t)| TensorEntry {
            name: name.clone(),
            shape: t.shape().to_vec(),
            dtype: format!("{:?}", t.dtype()),
        })
        .collect();
    tensors.sort_by_key(|t| natural_key(&t.name));
    let shapes: BTreeMap<&str, &[usize]> = tensors
        .iter()
        .map(|t| (t.name.as_str(), t.shape.as_slice()))
        .collect();
    let architecture = ["target_encoder", "encoder", ""]
        .iter()
        .find_map(|entry| infer(entry, &shapes));
    Ok(CheckpointReport {
        path: path.display().to_string(),
        entries: entries.iter().map(|(k, v)| (k.clone(), kind(v))).collect(),
        tensors,
        architecture,
    })
}

/// Sorts `blocks.10` after `blocks.9`.
fn natural_key(name: &str) -> Vec<(String, usize)> {
    name.split('.')
        .map(|part| match part.parse::<usize>() {
            Ok(n) => (String::new(), n),
            Err(_) => (part.to_string(), 0),
        })
        .collect()
}

fn infer(entry: &str, shapes: &BTreeMap<&str, &[usize]>) -> Option<InferredArchitecture> {
    let prefix = |rest: &str| -> Option<String> {
        [
            format!("{entry}.module.{rest}"),
            format!("{entry}.{rest}"),
            rest.to_string(),
        ]
        .into_iter()
        .map(|k| k.trim_start_matches('.').to_string())
        .find(|k| shapes.contains_key(k.as_str()))
    };
    let get = |rest: &str| prefix(rest).and_then(|k| shapes.get(k.as_str()).copied());
    let pos = get("pos_embed")?;
    let proj = get("patch_embed.proj.weight")?;
    let (tokens, embed_dim) = (pos[1], pos[2]);
    let grid = (tokens as f64).sqrt().round() as usize;
    let patch_size = proj[2];
    let depth = (0..)
        .take_while(|i| get(&format!("blocks.{i}.norm1.weight")).is_some())
        .count();
    let hidden = get("blocks.0.mlp.fc1.weight").map_or(4 * embed_dim, |s| s[0]);
    let mlp_ratio = hidden as f64 / embed_dim as f64;
    let pred_entry = if entry.is_empty() { "" } else { "predictor" };
    let pred = |rest: &str| {
        [
            format!("{pred_entry}.module.{rest}"),
            format!("{pred_entry}.{rest}"),
        ]
        .into_iter()
        .find_map(|k| shapes.get(k.trim_start_matches('.')).copied())
    };
    let pred_emb_dim = pred("predictor_embed.weight").map(|s| s[0]);
    let pred_depth = pred_emb_dim.map(|_| {
        (0..)
            .take_while(|i| pred(&format!("predictor_blocks.{i}.norm1.weight")).is_some())
            .count()
    });
    let matching_presets = crate::config::PRESET_NAMES
        .iter()
        .filter(|name| {
            preset(name).is_some_and(|p: ModelPreset| {
                p.embed_dim == embed_dim
                    && p.depth == depth
                    && (p.mlp_ratio - mlp_ratio).abs() < 1e-3
            })
        })
        .map(|name| name.to_string())
        .collect();
    Some(InferredArchitecture {
        entry: if entry.is_empty() {
            "(top level)".into()
        } else {
            entry.to_string()
        },
        embed_dim,
        depth,
        patch_size,
        grid,
        crop_size: grid * patch_size,
        mlp_ratio,
        pred_emb_dim,
        pred_depth,
        matching_presets,
    })
}

impl fmt::Display for CheckpointReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "checkpoint: {}", self.path)?;
        writeln!(f, "top-level entries:")?;
        for (name, what) in &self.entries {
            writeln!(f, "  {name:<16} {what}")?;
        }
        writeln!(f, "tensors ({}):", self.tensors.len())?;
        for t in &self.tensors {
            writeln!(
                f,
                "  {:<60} {:<18} {}",
                t.name,
                format!("{:?}", t.shape),
                t.dtype
            )?;
        }
        match &self.architecture {
            None => writeln!(
                f,
                "architecture: not an I-JEPA encoder (no pos_embed/patch_embed)"
            )?,
            Some(a) => {
                writeln!(f, "architecture (from `{}`):", a.entry)?;
                writeln!(f, "  embed_dim    {}", a.embed_dim)?;
                writeln!(f, "  depth        {}", a.depth)?;
                writeln!(f, "  patch_size   {}  (mask.patch_size)", a.patch_size)?;
                writeln!(
                    f,
                    "  grid         {}x{}  (crop_size {}, data.crop_size)",
                    a.grid, a.grid, a.crop_size
                )?;
                writeln!(f, "  mlp_ratio    {:.4}", a.mlp_ratio)?;
                if let (Some(dim), Some(depth)) = (a.pred_emb_dim, a.pred_depth) {
                    writeln!(f, "  predictor    pred_emb_dim {dim}, pred_depth {depth}")?;
                }
                if a.matching_presets.is_empty() {
                    writeln!(
                        f,
                        "  model_name   custom (no named preset has these shapes)"
                    )?;
                } else {
                    writeln!(
                        f,
                        "  model_name   {} (matching presets)",
                        a.matching_presets.join(" or ")
                    )?;
                }
                writeln!(
                    f,
                    "cannot tell from the file: num_heads (attention heads do not change any shape; \
                     set meta.num_heads with model_name: custom, or use the preset's)"
                )?;
            }
        }
        Ok(())
    }
}
