//! `export_encoder` (checkpoint + YAML config → ONNX), as `ijepa export` calls it: the
//! fixture round trip, `--image-size`, and the errors for bad input, which leave no file.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use anyhow::Result;
use burn::tensor::{Device, Tensor, TensorData};
use common::*;
use ijepa_exporter::export::{ExportRequest, export_encoder, source_tag};
use ijepa_exporter::{EncoderKind, ExportOptions, GraphOptions};
use ijepa_trainer::checkpoint::load_official_encoder;
use ijepa_trainer::config::IjepaConfig;

fn tiny_config() -> PathBuf {
    repo_root().join("configs/tiny.yaml")
}

fn request(encoder: EncoderKind, out: &Path) -> ExportRequest {
    ExportRequest {
        checkpoint: fixture("checkpoint.pth.tar"),
        config: tiny_config(),
        encoder,
        out: out.to_path_buf(),
        image_size: None,
        options: ExportOptions::default(),
    }
}

/// Files left in `dir`.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn both_encoders_round_trip_through_the_trainer_loader() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (shape, input) = reference("input")?;
    for (kind, key) in [
        (EncoderKind::Target, "target_encoder"),
        (EncoderKind::Context, "context_encoder"),
    ] {
        let out = dir.path().join(format!("{}.onnx", kind.as_str()));
        let written = export_encoder(&request(kind, &out))?;
        assert!(written.external_data.is_none());
        let (_, emb, pooled) = run_encoder(&out, &shape, &input)?;
        let (_, ref_emb) = reference(&format!("{key}_output"))?;
        let (_, ref_pooled) = reference(&format!("{key}_mean_pooled"))?;
        let (e1, e2) = (
            max_abs_diff(&emb, &ref_emb),
            max_abs_diff(&pooled, &ref_pooled),
        );
        println!("{key}: embeddings max abs err {e1:.2e}, pooled {e2:.2e}");
        assert!(e1 <= MAX_ABS_F32 && e2 <= MAX_ABS_F32, "{key}: {e1} / {e2}");
        let meta = metadata(&out, &["ijepa.encoder", "ijepa.source"])?;
        assert_eq!(meta["ijepa.encoder"], kind.as_str());
        assert_eq!(
            meta["ijepa.source"],
            source_tag(&fixture("checkpoint.pth.tar"))?
        );
        assert!(meta["ijepa.source"].starts_with("checkpoint.pth.tar sha256:"));
    }
    assert_eq!(listing(dir.path()), ["context.onnx", "target.onnx"]);
    Ok(())
}

#[test]
fn image_size_bakes_in_the_interpolated_position_embedding() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("target-64.onnx");
    let mut req = request(EncoderKind::Target, &out);
    req.image_size = Some(64);
    export_encoder(&req)?;
    assert_eq!(
        metadata(&out, &["ijepa.crop_size"])?["ijepa.crop_size"],
        "64"
    );

    // The Burn model interpolates the same way at run time.
    let device = Device::flex();
    let config = IjepaConfig::from_yaml_file(&tiny_config())?.encoder_config()?;
    let model = load_official_encoder(
        &fixture("checkpoint.pth.tar"),
        "target_encoder",
        &config,
        &device,
    )?;
    let shape = [2usize, 3, 64, 64];
    let pixels: Vec<f32> = (0..shape.iter().product::<usize>())
        .map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0)
        .collect();
    let x = Tensor::<4>::from_data(TensorData::new(pixels.clone(), shape), &device);
    let want: Vec<f32> = model
        .forward(x, None)
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (eshape, got, _) = run_encoder(&out, &shape, &pixels)?;
    assert_eq!(eshape, [2, 64, 64]);
    let err = max_abs_diff(&got, &want);
    println!("image size 64: max abs err vs Burn {err:.2e}");
    assert!(err <= MAX_ABS_F32, "{err}");
    Ok(())
}

#[test]
fn a_checkpoint_that_does_not_fit_the_config_is_a_clear_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let text = std::fs::read_to_string(tiny_config())?.replace("embed_dim: 64", "embed_dim: 96");
    let config = dir.path().join("wide.yaml");
    std::fs::write(&config, text)?;
    let out = dir.path().join("out/model.onnx");
    let mut req = request(EncoderKind::Context, &out);
    req.config = config;
    let err = export_encoder(&req).unwrap_err().to_string();
    println!("{err}");
    assert!(err.contains("checkpoint.pth.tar"), "{err}");
    assert!(err.contains("shape") && err.contains("96"), "{err}");
    assert!(!out.exists());
    assert!(listing(&dir.path().join("out")).is_empty());
    Ok(())
}

#[test]
fn an_unwritable_output_path_is_a_clear_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"a file")?;
    let out = blocker.join("model.onnx");
    let err = export_encoder(&request(EncoderKind::Context, &out))
        .unwrap_err()
        .to_string();
    println!("{err}");
    assert!(err.contains("not-a-dir"), "{err}");
    assert_eq!(listing(dir.path()), ["not-a-dir"]);

    // A directory as the output.
    let err = export_encoder(&request(EncoderKind::Context, dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("is a directory"), "{err}");
    assert_eq!(listing(dir.path()), ["not-a-dir"]);
    Ok(())
}

#[test]
fn an_unsupported_opset_is_a_clear_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("model.onnx");
    for opset in [13, 16, 21] {
        let mut req = request(EncoderKind::Context, &out);
        req.options.graph = GraphOptions { opset, fp16: false };
        let err = export_encoder(&req).unwrap_err().to_string();
        assert!(
            err.contains(&format!("opset {opset} is not supported")),
            "{err}"
        );
        assert!(err.contains("[17, 18, 19, 20]"), "{err}");
    }
    assert!(listing(dir.path()).is_empty());
    Ok(())
}

#[test]
fn an_existing_file_is_replaced_whole() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("model.onnx");
    std::fs::write(&out, b"old contents")?;
    export_encoder(&request(EncoderKind::Target, &out))?;
    assert!(std::fs::metadata(&out)?.len() > 400_000);
    assert_eq!(listing(dir.path()), ["model.onnx"]);
    Ok(())
}

#[test]
fn a_trainer_checkpoint_exports_like_the_official_one() -> Result<()> {
    use ijepa_trainer::checkpoint::load_official;
    use ijepa_trainer::optim::AdamW;
    use ijepa_trainer::train::{TrainerState, save_checkpoint};

    let device = Device::flex();
    let config = IjepaConfig::from_yaml_file(&tiny_config())?;
    let models = load_official(&fixture("checkpoint.pth.tar"), &config, &device)?;
    let state = TrainerState {
        config,
        encoder: models.encoder,
        target_encoder: models.target_encoder,
        predictor: models.predictor,
        optimizer: AdamW::new(),
        step: 0,
        seed: 0,
    };
    let dir = tempfile::tempdir()?;
    let ckpt = dir.path().join("trainer.safetensors");
    save_checkpoint(&state, &ckpt)?;
    let (shape, input) = reference("input")?;
    for (kind, key) in [
        (EncoderKind::Target, "target_encoder"),
        (EncoderKind::Context, "context_encoder"),
    ] {
        let out = dir.path().join(format!("{}.onnx", kind.as_str()));
        let mut req = request(kind, &out);
        req.checkpoint = ckpt.clone();
        export_encoder(&req)?;
        let (_, emb, _) = run_encoder(&out, &shape, &input)?;
        let err = max_abs_diff(&emb, &reference(&format!("{key}_output"))?.1);
        println!("trainer checkpoint, {key}: max abs err {err:.2e}");
        assert!(err <= MAX_ABS_F32, "{key}: {err}");
    }

    // The same checkpoint with a config it was not trained with.
    let text = std::fs::read_to_string(tiny_config())?
        .replace("depth: 2\n  num_heads", "depth: 3\n  num_heads");
    let wrong = dir.path().join("deeper.yaml");
    std::fs::write(&wrong, text)?;
    let mut req = request(EncoderKind::Target, &dir.path().join("never.onnx"));
    req.checkpoint = ckpt;
    req.config = wrong;
    let err = export_encoder(&req).unwrap_err().to_string();
    assert!(err.contains("pass the config it was trained with"), "{err}");
    assert!(!dir.path().join("never.onnx").exists());
    Ok(())
}
