//! An encoder ONNX file: graph + `metadata_props` (the runtime's contract) + where it goes.

use std::path::Path;

use crate::error::Result;
use crate::graph::{GraphOptions, build_encoder_graph};
use crate::proto::{ModelInfo, Written, write_model};
use crate::weights::EncoderWeights;

/// Weights above this many bytes go to ONNX external data: protobuf refuses messages over
/// 2 GiB (2^31 - 1 bytes), and this leaves ~140 MB for the graph itself.
pub const DEFAULT_EXTERNAL_DATA_THRESHOLD: u64 = 2_000_000_000;

/// ImageNet normalization, the official I-JEPA transforms.
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

/// Which of the checkpoint's encoders to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncoderKind {
    /// The context encoder (`encoder` in the checkpoint): the design's exported model.
    Context,
    /// The EMA target encoder (`target_encoder`): what the paper evaluates.
    Target,
}

impl EncoderKind {
    /// The value of `ijepa.encoder`.
    pub fn as_str(self) -> &'static str {
        match self {
            EncoderKind::Context => "context",
            EncoderKind::Target => "target",
        }
    }

    /// The key of its state dict in an official checkpoint.
    pub fn checkpoint_key(self) -> &'static str {
        match self {
            EncoderKind::Context => "encoder",
            EncoderKind::Target => "target_encoder",
        }
    }
}

/// How to write the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportOptions {
    pub graph: GraphOptions,
    /// Weights over this many bytes go to `<file>.data` (ONNX external data).
    pub external_data_threshold: u64,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            graph: GraphOptions::default(),
            external_data_threshold: DEFAULT_EXTERNAL_DATA_THRESHOLD,
        }
    }
}

/// What the metadata says beyond the architecture.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub encoder: EncoderKind,
    pub mean: [f32; 3],
    pub std: [f32; 3],
    /// `"<file name> sha256:<hex>"` of the checkpoint.
    pub source: String,
}

/// The `metadata_props` of an encoder file.
pub fn metadata(weights: &EncoderWeights, prov: &Provenance) -> Vec<(String, String)> {
    let s = weights.spec();
    let join = |v: &[f32; 3]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    [
        ("ijepa.crop_size", s.img_size.to_string()),
        ("ijepa.patch_size", s.patch_size.to_string()),
        ("ijepa.embed_dim", s.embed_dim.to_string()),
        ("ijepa.depth", s.depth.to_string()),
        ("ijepa.num_heads", s.num_heads.to_string()),
        ("ijepa.encoder", prov.encoder.as_str().to_string()),
        ("ijepa.mean", join(&prov.mean)),
        ("ijepa.std", join(&prov.std)),
        ("ijepa.source", prov.source.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Writes `weights` as an ONNX encoder to `out` (through a temporary file).
pub fn write_encoder(
    weights: EncoderWeights,
    prov: &Provenance,
    opts: &ExportOptions,
    out: &Path,
) -> Result<Written> {
    opts.graph.validate()?;
    let spec = weights.spec().clone();
    let info = ModelInfo {
        opset: opts.graph.opset,
        producer_name: "ijepa-rs".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: format!(
            "I-JEPA ViT {} encoder: {}x{} input, patch {}, dim {}, depth {}, heads {}{}",
            prov.encoder.as_str(),
            spec.img_size,
            spec.img_size,
            spec.patch_size,
            spec.embed_dim,
            spec.depth,
            spec.num_heads,
            if opts.graph.fp16 { ", float16" } else { "" }
        ),
        metadata: metadata(&weights, prov),
    };
    let graph = build_encoder_graph(weights, opts.graph)?;
    let written = write_model(graph, &info, out, opts.external_data_threshold)?;
    tracing::info!(
        path = %written.model.display(),
        weight_bytes = written.weight_bytes,
        external = written.external_data.is_some(),
        "wrote ONNX encoder"
    );
    Ok(written)
}
