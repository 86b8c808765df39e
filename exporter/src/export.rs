//! [`export_encoder`]: checkpoint + YAML config → ONNX encoder file, the library side of
//! `ijepa export`.

use std::io::Read;
use std::path::{Path, PathBuf};

use burn::tensor::Device;
use ijepa_trainer::checkpoint::load_official_encoder;
use ijepa_trainer::config::IjepaConfig;
use ijepa_trainer::model::{VisionTransformer, VitConfig};
use ijepa_trainer::train::{is_trainer_checkpoint, load_trainer_checkpoint};
use sha2::{Digest, Sha256};

use crate::error::{ExportError, Result};
use crate::from_module::spec_from_config;
use crate::onnx_file::{EncoderKind, ExportOptions, Provenance, write_encoder};
use crate::proto::Written;
use crate::weights::EncoderWeights;

/// What to export and where.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// An official `.pth.tar`, or a checkpoint `ijepa train` wrote (safetensors).
    pub checkpoint: PathBuf,
    /// The YAML config the checkpoint was trained with.
    pub config: PathBuf,
    pub encoder: EncoderKind,
    pub out: PathBuf,
    /// Input size to bake in (the position embedding is interpolated); default the crop size.
    pub image_size: Option<usize>,
    pub options: ExportOptions,
}

/// Loads the encoder, checks it against the config and writes the ONNX file.
pub fn export_encoder(req: &ExportRequest) -> Result<Written> {
    // Cheap checks before any weight is read.
    req.options.graph.validate()?;
    let config = IjepaConfig::from_yaml_file(&req.config).map_err(|err| ExportError::Config {
        path: req.config.clone(),
        message: err.to_string(),
    })?;
    let config_error = |err: ijepa_trainer::config::ConfigError| ExportError::Config {
        path: req.config.clone(),
        message: err.to_string(),
    };
    config.validate().map_err(config_error)?;
    let vit = config.encoder_config().map_err(config_error)?;
    let img_size = req.image_size.unwrap_or(vit.img_size);
    let spec = spec_from_config(&vit, img_size);
    spec.validate()?;

    let device = Device::flex();
    tracing::info!(checkpoint = %req.checkpoint.display(), encoder = req.encoder.as_str(), "loading");
    let mut model = load_encoder(req, &vit, &device)?;
    if img_size != vit.img_size {
        tracing::info!(
            from = vit.img_size,
            to = img_size,
            "interpolating the position embedding"
        );
        model = model.with_image_size(img_size);
    }
    let weights = EncoderWeights::from_module(&model, spec)?;
    drop(model);

    let prov = Provenance {
        encoder: req.encoder,
        // `data.mean` / `data.std` (default: ImageNet's, as the official transforms).
        mean: config.data.mean.map(|v| v as f32),
        std: config.data.std.map(|v| v as f32),
        source: source_tag(&req.checkpoint)?,
    };
    write_encoder(weights, &prov, &req.options, &req.out)
}

/// The requested encoder of an official or a trainer checkpoint, checked against `vit`.
fn load_encoder(
    req: &ExportRequest,
    vit: &VitConfig,
    device: &Device,
) -> Result<VisionTransformer> {
    let load_error = |message: String| ExportError::Load {
        path: req.checkpoint.clone(),
        message,
    };
    if !is_trainer_checkpoint(&req.checkpoint) {
        return load_official_encoder(&req.checkpoint, req.encoder.checkpoint_key(), vit, device)
            .map_err(|err| load_error(err.to_string()));
    }
    let ckpt = load_trainer_checkpoint(&req.checkpoint, device)
        .map_err(|err| load_error(err.to_string()))?;
    let trained = ckpt
        .config
        .encoder_config()
        .map_err(|err| load_error(err.to_string()))?;
    if &trained != vit {
        return Err(load_error(format!(
            "this trainer checkpoint holds an encoder {trained:?}, but {} describes {vit:?}; \
             pass the config it was trained with",
            req.config.display()
        )));
    }
    Ok(match req.encoder {
        EncoderKind::Context => ckpt.encoder,
        EncoderKind::Target => ckpt.target_encoder,
    })
}

/// `"<file name> sha256:<hex>"` of a file, read in chunks.
pub fn source_tag(path: &Path) -> Result<String> {
    let io = |source| ExportError::Io {
        action: "cannot read",
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(format!("{name} sha256:{hex}"))
}
