//! `ijepa-exporter`: I-JEPA ViT encoders to standard ONNX, op by op, with `onnx-protobuf`.
//!
//! [`EncoderWeights`] (hyper-parameters + tensors keyed by the official parameter paths) →
//! [`graph::build_encoder_graph`] → [`proto::write_model`] (inline weights, or external data
//! over 2 GB; always a temporary file renamed into place). [`export_encoder`] does it all from
//! a checkpoint and a YAML config; `ijepa export` is its CLI.
//!
//! Try: `cargo test --release -p ijepa-exporter` (round trip on `fixtures/official-tiny`).

pub mod error;
pub mod export;
pub mod from_module;
pub mod graph;
pub mod onnx_file;
pub mod proto;
pub mod weights;

pub use error::{ExportError, Result};
pub use export::{ExportRequest, export_encoder};
pub use graph::{DEFAULT_OPSET, GraphOptions, SUPPORTED_OPSETS};
pub use onnx_file::{EncoderKind, ExportOptions, Provenance, write_encoder};
pub use proto::Written;
pub use weights::{EncoderSpec, EncoderWeights, WeightTensor};
