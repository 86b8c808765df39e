//! Trainer checkpoints: one safetensors file holding the context encoder, target encoder and
//! predictor (keys `encoder.<path>`, `target_encoder.<path>`, `predictor.<path>`, Burn layout:
//! Linear weights `[in, out]`), the AdamW moments (`opt.exp_avg.<key>`, `opt.exp_avg_sq.<key>`),
//! and JSON metadata: format, step, seed, per-parameter optimizer steps and the YAML config.
//! All randomness of a run is a function of `(seed, step)`, so that is the whole RNG state.
//!
//! Written atomically: to `<file>.tmp`, flushed, then renamed over the target.

use super::TrainError;
use crate::config::IjepaConfig;
use crate::model::{Predictor, VisionTransformer};
use crate::optim::{AdamW, Moments, float_params, map_float_params};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The `format` metadata value of this layout.
pub const FORMAT: &str = "ijepa-rs-trainer/1";

/// Everything a run needs to continue.
#[derive(Debug, Clone)]
pub struct TrainerState {
    pub config: IjepaConfig,
    pub encoder: VisionTransformer,
    pub target_encoder: VisionTransformer,
    pub predictor: Predictor,
    pub optimizer: AdamW,
    /// Optimizer steps done.
    pub step: u64,
    pub seed: u64,
}

/// The networks of a trainer checkpoint (for `ijepa export` and evaluation).
#[derive(Debug)]
pub struct TrainerCheckpoint {
    pub config: IjepaConfig,
    pub encoder: VisionTransformer,
    pub target_encoder: VisionTransformer,
    pub predictor: Predictor,
    pub step: u64,
}

/// Whether `path` looks like a trainer checkpoint (a safetensors file with our `format`).
/// Only the header is read.
pub fn is_trainer_checkpoint(path: &Path) -> bool {
    use std::io::Read;
    /// Headers larger than this are not ours (ours are a few hundred KiB at most).
    const MAX_HEADER: u64 = 64 << 20;
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut len = [0u8; 8];
    if f.read_exact(&mut len).is_err() {
        return false;
    }
    let n = u64::from_le_bytes(len);
    if n > MAX_HEADER {
        return false;
    }
    let mut header = vec![0u8; n as usize];
    if f.read_exact(&mut header).is_err() {
        return false;
    }
    serde_json::from_slice::<serde_json::Value>(&header)
        .ok()
        .and_then(|h| h["__metadata__"]["format"].as_str().map(|f| f == FORMAT))
        .unwrap_or(false)
}

fn bytes_of(t: Tensor<1>) -> Result<Vec<u8>, TrainError> {
    let values = t
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| TrainError::Checkpoint(format!("reading a tensor: {e:?}")))?;
    Ok(values.iter().flat_map(|v| v.to_le_bytes()).collect())
}

/// Writes `state` to `path` atomically.
pub fn save_checkpoint(state: &TrainerState, path: &Path) -> Result<(), TrainError> {
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (prefix, params) in [
        ("encoder.", float_params(&state.encoder)),
        ("target_encoder.", float_params(&state.target_encoder)),
        ("predictor.", float_params(&state.predictor)),
    ] {
        for (name, p) in params {
            tensors.push((format!("{prefix}{name}"), p.shape, bytes_of(p.values)?));
        }
    }
    let mut opt_steps = BTreeMap::new();
    for (key, m) in &state.optimizer.state {
        let n = m.exp_avg.dims()[0];
        tensors.push((
            format!("opt.exp_avg.{key}"),
            vec![n],
            bytes_of(m.exp_avg.clone())?,
        ));
        tensors.push((
            format!("opt.exp_avg_sq.{key}"),
            vec![n],
            bytes_of(m.exp_avg_sq.clone())?,
        ));
        opt_steps.insert(key.clone(), m.step);
    }
    let mut meta = HashMap::new();
    meta.insert("format".to_string(), FORMAT.to_string());
    meta.insert("step".to_string(), state.step.to_string());
    meta.insert("seed".to_string(), state.seed.to_string());
    meta.insert("config".to_string(), state.config.to_yaml_string());
    meta.insert(
        "opt_steps".to_string(),
        serde_json::to_string(&opt_steps).map_err(|e| TrainError::Checkpoint(e.to_string()))?,
    );
    let views = tensors
        .iter()
        .map(|(name, shape, data)| {
            TensorView::new(Dtype::F32, shape.clone(), data).map(|v| (name.clone(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TrainError::Checkpoint(e.to_string()))?;
    let bytes = safetensors::serialize(views, Some(meta))
        .map_err(|e| TrainError::Checkpoint(e.to_string()))?;
    write_atomic(path, &bytes)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    let io = |source| TrainError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    {
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// A checkpoint read into memory.
struct Loaded {
    path: PathBuf,
    bytes: Vec<u8>,
    meta: HashMap<String, String>,
}

impl Loaded {
    fn read(path: &Path) -> Result<Self, TrainError> {
        let bad = |m: String| TrainError::BadCheckpoint {
            path: path.to_path_buf(),
            message: m,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let (_, md) = SafeTensors::read_metadata(&bytes)
            .map_err(|e| bad(format!("not a safetensors file ({e})")))?;
        let meta = md.metadata().clone().unwrap_or_default();
        match meta.get("format") {
            Some(f) if f == FORMAT => {}
            other => {
                return Err(bad(format!(
                    "format is {other:?}, expected {FORMAT:?} (official .pth.tar checkpoints are \
                     loaded with the official loader, not --resume)"
                )));
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            meta,
        })
    }

    fn bad(&self, message: String) -> TrainError {
        TrainError::BadCheckpoint {
            path: self.path.clone(),
            message,
        }
    }

    fn meta_u64(&self, key: &str) -> Result<u64, TrainError> {
        self.meta
            .get(key)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| self.bad(format!("metadata `{key}` is missing or not a number")))
    }

    fn config(&self) -> Result<IjepaConfig, TrainError> {
        let text = self
            .meta
            .get("config")
            .ok_or_else(|| self.bad("metadata `config` is missing".into()))?;
        IjepaConfig::from_yaml_str(text).map_err(|e| self.bad(format!("stored config: {e}")))
    }

    fn tensors(&self) -> Result<SafeTensors<'_>, TrainError> {
        SafeTensors::deserialize(&self.bytes).map_err(|e| self.bad(e.to_string()))
    }
}

fn f32_values(view: &TensorView<'_>) -> Vec<f32> {
    view.data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Replaces every float parameter of `module` with `prefix<path>` from `st`.
fn fill<M: burn::module::Module>(
    module: M,
    st: &SafeTensors<'_>,
    prefix: &str,
    device: &Device,
    errors: &mut Vec<String>,
) -> M {
    map_float_params(module, |path, _rank, old| {
        let key = format!("{prefix}{path}");
        let n = old.dims()[0];
        match st.tensor(&key) {
            Ok(v) if v.dtype() == Dtype::F32 && v.shape().iter().product::<usize>() == n => Some(
                Tensor::from_data(TensorData::new(f32_values(&v), [n]), device),
            ),
            Ok(v) => {
                errors.push(format!(
                    "`{key}` has {:?} {:?}, the config expects {n} f32 values",
                    v.dtype(),
                    v.shape()
                ));
                None
            }
            Err(_) => {
                errors.push(format!("`{key}` is missing"));
                None
            }
        }
    })
}

/// The three networks on the plain `device`.
fn build_models(
    ld: &Loaded,
    config: &IjepaConfig,
    device: &Device,
) -> Result<(VisionTransformer, VisionTransformer, Predictor), TrainError> {
    let st = ld.tensors()?;
    let enc_cfg = config.encoder_config().map_err(|e| ld.bad(e.to_string()))?;
    let pred_cfg = config
        .predictor_config()
        .map_err(|e| ld.bad(e.to_string()))?;
    let mut errors = Vec::new();
    let encoder = fill(enc_cfg.init(device), &st, "encoder.", device, &mut errors);
    let target = fill(
        enc_cfg.init(device),
        &st,
        "target_encoder.",
        device,
        &mut errors,
    );
    let predictor = fill(
        pred_cfg.init(device),
        &st,
        "predictor.",
        device,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ld.bad(format!("does not match its config: {}", errors.join("; "))));
    }
    Ok((encoder, target, predictor))
}

/// Loads a trainer checkpoint's networks on `device` (for export and evaluation).
pub fn load_trainer_checkpoint(
    path: &Path,
    device: &Device,
) -> Result<TrainerCheckpoint, TrainError> {
    let ld = Loaded::read(path)?;
    let config = ld.config()?;
    let (encoder, target_encoder, predictor) = build_models(&ld, &config, device)?;
    Ok(TrainerCheckpoint {
        step: ld.meta_u64("step")?,
        config,
        encoder,
        target_encoder,
        predictor,
    })
}

/// Loads the full training state to continue a run on the plain `device`: the encoder and
/// predictor switched to training (autodiff), the target encoder plain.
pub fn load_trainer_state(path: &Path, device: &Device) -> Result<TrainerState, TrainError> {
    let ld = Loaded::read(path)?;
    let config = ld.config()?;
    let (encoder, target_encoder, predictor) = build_models(&ld, &config, device)?;
    let (encoder, predictor) = (encoder.train(), predictor.train());
    let steps: BTreeMap<String, u64> = ld
        .meta
        .get("opt_steps")
        .map(|s| serde_json::from_str(s))
        .transpose()
        .map_err(|e| ld.bad(format!("metadata `opt_steps`: {e}")))?
        .unwrap_or_default();
    let st = ld.tensors()?;
    let plain = device;
    let mut optimizer = AdamW::new();
    for (key, step) in steps {
        let get = |name: String| -> Result<Tensor<1>, TrainError> {
            let v = st
                .tensor(&name)
                .map_err(|_| ld.bad(format!("optimizer tensor `{name}` is missing")))?;
            let vals = f32_values(&v);
            let n = vals.len();
            Ok(Tensor::from_data(TensorData::new(vals, [n]), plain))
        };
        let exp_avg = get(format!("opt.exp_avg.{key}"))?;
        let exp_avg_sq = get(format!("opt.exp_avg_sq.{key}"))?;
        optimizer.state.insert(
            key,
            Moments {
                step,
                exp_avg,
                exp_avg_sq,
            },
        );
    }
    Ok(TrainerState {
        step: ld.meta_u64("step")?,
        seed: ld.meta_u64("seed")?,
        config,
        encoder,
        target_encoder,
        predictor,
        optimizer,
    })
}
