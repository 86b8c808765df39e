//! ViT-H/14 (630M parameters, 2.5 GB of float32) exports with its weights in ONNX external
//! data and a peak resident memory of at most ~2x the model's size. Slow and memory-hungry,
//! so ignored by default: `cargo test --release -p ijepa-exporter --test large_model_memory -- --ignored --nocapture`.

mod common;

use anyhow::{Context, Result};
use burn::tensor::Device;
use ijepa_exporter::from_module::spec_from_config;
use ijepa_exporter::onnx_file::{IMAGENET_MEAN, IMAGENET_STD};
use ijepa_exporter::{EncoderKind, EncoderWeights, ExportOptions, Provenance, write_encoder};
use ijepa_trainer::config::preset;
use ijepa_trainer::model::VitConfig;

/// The budget: the Burn module and our copy of its weights coexist for a moment (2x), plus
/// one tensor in flight and the process's own ~100 MB.
const MAX_PEAK_OVER_MODEL: f64 = 2.2;

/// Peak resident set size of this process (`VmHWM`), in bytes.
fn peak_rss() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .context("no VmHWM")?;
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .context("VmHWM value")?
        .parse()?;
    Ok(kb * 1024)
}

#[test]
#[ignore = "2.5 GB model: run explicitly"]
fn vit_huge_14_exports_within_twice_its_size() -> Result<()> {
    let arch = preset("vit_huge").context("vit_huge preset")?;
    let config = VitConfig {
        img_size: 224,
        patch_size: 14,
        in_chans: 3,
        embed_dim: arch.embed_dim,
        depth: arch.depth,
        num_heads: arch.num_heads,
        mlp_ratio: arch.mlp_ratio,
        qkv_bias: true,
    };
    let device = Device::flex();
    device.seed(3);
    let model = config.init(&device);
    let weights = EncoderWeights::from_module(&model, spec_from_config(&config, 224))?;
    drop(model);
    let model_bytes = weights.num_params() as u64 * 4;
    println!(
        "ViT-H/14: {} parameters, {:.2} GB",
        weights.num_params(),
        model_bytes as f64 / 1e9
    );

    let dir = tempfile::tempdir()?;
    let out = dir.path().join("vit_h14.onnx");
    let prov = Provenance {
        encoder: EncoderKind::Target,
        mean: IMAGENET_MEAN,
        std: IMAGENET_STD,
        source: "random sha256:none".into(),
    };
    let written = write_encoder(weights, &prov, &ExportOptions::default(), &out)?;
    let data = written
        .external_data
        .context("ViT-H must use external data")?;
    assert!(std::fs::metadata(&out)?.len() < 1 << 20);
    assert!(std::fs::metadata(&data)?.len() >= model_bytes);
    let peak = peak_rss()?;
    let ratio = peak as f64 / model_bytes as f64;
    println!(
        "peak RSS {:.2} GB = {ratio:.2}x the model",
        peak as f64 / 1e9
    );
    assert!(
        ratio <= MAX_PEAK_OVER_MODEL,
        "peak {ratio:.2}x the model size"
    );
    // The file is complete and valid: the checker follows the external data.
    common::python_check(&[&out], &[])?;
    Ok(())
}
