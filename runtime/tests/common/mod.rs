//! Shared helpers of the runtime's integration tests: the project's Python (for the test model and
//! the Python onnxruntime reference), the official fixture, and a small test encoder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use ndarray::Array4;

/// The workspace root (the runtime crate's parent).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/official-tiny").join(name)
}

/// `.venv/bin/python`, installed by `scripts/install-onnxruntime.sh` (with onnx, numpy, onnxruntime).
pub fn python() -> anyhow::Result<PathBuf> {
    let python = root().join(".venv/bin/python");
    if !python.exists() {
        bail!(
            "{} is missing: run scripts/install-onnxruntime.sh",
            python.display()
        );
    }
    Ok(python)
}

/// Runs a Python script from `runtime/tests/` and fails with its stderr if it fails.
pub fn run_python(script: &str, args: &[&str]) -> anyhow::Result<String> {
    let path = root().join("runtime/tests").join(script);
    let output = Command::new(python()?)
        .arg(&path)
        .args(args)
        .output()
        .context("running python")?;
    if !output.status.success() {
        bail!(
            "{script} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Writes a test encoder (see `make_test_model.py`) into `dir` and returns its path.
pub fn make_model(dir: &Path, name: &str, extra_args: &[&str]) -> anyhow::Result<PathBuf> {
    let out = dir.join(name);
    let out_str = out.to_str().context("temp path is not UTF-8")?;
    let mut args = vec!["--out", out_str];
    args.extend_from_slice(extra_args);
    run_python("make_test_model.py", &args)?;
    Ok(out)
}

/// The fixture's three 48×48 PNGs.
pub fn fixture_images() -> anyhow::Result<Vec<image::DynamicImage>> {
    (0..3)
        .map(|i| Ok(image::open(fixture(&format!("image_{i}.png")))?))
        .collect()
}

pub fn fixture_paths() -> Vec<PathBuf> {
    (0..3).map(|i| fixture(&format!("image_{i}.png"))).collect()
}

/// A float32 tensor of `reference.safetensors`.
pub fn reference_tensor(key: &str) -> anyhow::Result<(Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(fixture("reference.safetensors"))?;
    let tensors = safetensors::SafeTensors::deserialize(&bytes)?;
    let view = tensors.tensor(key)?;
    anyhow::ensure!(view.dtype() == safetensors::Dtype::F32, "{key} is not f32");
    let data = view
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((view.shape().to_vec(), data))
}

/// The fixture's normalized input, `[3, 3, 48, 48]`.
pub fn reference_input() -> anyhow::Result<Array4<f32>> {
    let (shape, data) = reference_tensor("input")?;
    let [n, c, h, w] = <[usize; 4]>::try_from(shape.as_slice())
        .map_err(|_| anyhow::anyhow!("input is not 4-d"))?;
    Ok(Array4::from_shape_vec((n, c, h, w), data)?)
}

pub fn max_abs_diff<'a>(
    a: impl IntoIterator<Item = &'a f32>,
    b: impl IntoIterator<Item = &'a f32>,
) -> f32 {
    a.into_iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
