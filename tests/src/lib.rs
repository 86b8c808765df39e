//! Shared helpers for the workspace integration tests in `tests/tests/`: fixture paths and the
//! official reference tensors (`fixtures/official-tiny/reference.safetensors`).
//!
//! Run: `cargo test --release -p ijepa-tests`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `fixtures/` at the workspace root.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `configs/` at the workspace root.
pub fn configs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs")
}

/// `fixtures/official-tiny/`.
pub fn official_tiny() -> PathBuf {
    fixtures().join("official-tiny")
}

/// A reference tensor: shape and values (int64 tensors are converted exactly to `i64`).
#[derive(Debug, Clone)]
pub struct RefTensor {
    pub shape: Vec<usize>,
    pub f32: Vec<f32>,
    pub i64: Vec<i64>,
}

impl RefTensor {
    /// Rows of an int64 `[rows, cols]` tensor (the masks).
    pub fn rows(&self) -> Vec<Vec<i64>> {
        self.i64
            .chunks(self.shape[1])
            .map(<[i64]>::to_vec)
            .collect()
    }
}

/// Every tensor of `reference.safetensors` by name.
pub fn reference() -> BTreeMap<String, RefTensor> {
    let bytes = std::fs::read(official_tiny().join("reference.safetensors"))
        .expect("reference.safetensors");
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("valid safetensors");
    file.tensors()
        .into_iter()
        .map(|(name, view)| {
            let data = view.data();
            let (f32, i64) = match view.dtype() {
                safetensors::Dtype::F32 => (
                    data.chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect(),
                    Vec::new(),
                ),
                safetensors::Dtype::I64 => (
                    Vec::new(),
                    data.chunks_exact(8)
                        .map(|c| {
                            i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
                        })
                        .collect(),
                ),
                other => panic!("{name}: unexpected dtype {other:?}"),
            };
            (
                name,
                RefTensor {
                    shape: view.shape().to_vec(),
                    f32,
                    i64,
                },
            )
        })
        .collect()
}

/// Largest absolute difference.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// ‖a − b‖ / ‖b‖.
pub fn relative_l2(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    let num: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
    let den: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
    (num / den).sqrt()
}
