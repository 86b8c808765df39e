//! `ijepa-runtime`: run an exported I-JEPA ONNX encoder with ONNX Runtime (`ort`, no Burn):
//! image preprocessing, batch embedding, benchmarks, CLEVR-format data and linear probes.
//!
//! The ONNX Runtime library is loaded at run time (see [`ort_library`]): install it once with
//! `scripts/install-onnxruntime.sh`. Library use: [`Embedder::open`] then [`Embedder::embed`].
//!
//! Run: `cargo run --release -- embed --model encoder.onnx --images DIR --out emb.npy`.

pub mod bench;
pub mod clevr;
pub mod device;
pub mod embed_files;
pub mod embedder;
pub mod error;
pub mod images;
pub mod metadata;
pub mod npy;
pub mod ort_library;
pub mod preprocess;
pub mod probe;
pub mod session;

pub use device::{BatchProfile, Device, TensorRtOptions};
pub use embedder::Embedder;
pub use error::{Result, RuntimeError};
pub use metadata::ModelInfo;
pub use session::SessionConfig;
