//! Round trip on `fixtures/official-tiny`: both encoders of the official checkpoint, exported
//! at opsets 17 and 20, in float32 and float16, inline and with external data, run through
//! ONNX Runtime on the fixture's `input` and compared with the official PyTorch outputs;
//! every file passes `onnx.checker.check_model(full_check=True)`.

mod common;

use std::path::{Path, PathBuf};

use anyhow::Result;
use burn::prelude::Device;
use common::*;
use ijepa_exporter::from_module::spec_from_config;
use ijepa_exporter::onnx_file::{IMAGENET_MEAN, IMAGENET_STD};
use ijepa_exporter::{
    EncoderKind, EncoderWeights, ExportOptions, GraphOptions, Provenance, write_encoder,
};
use ijepa_trainer::checkpoint::load_official_encoder;
use ijepa_trainer::config::IjepaConfig;

fn export(kind: EncoderKind, opts: ExportOptions, out: &Path) -> Result<PathBuf> {
    // The fixture's architecture, as its config.yaml describes it.
    let vit = IjepaConfig::from_yaml_file(&fixture("config.yaml"))?.encoder_config()?;
    let model = load_official_encoder(
        &fixture("checkpoint.pth.tar"),
        kind.checkpoint_key(),
        &vit,
        &Device::flex(),
    )?;
    let w = EncoderWeights::from_module(&model, spec_from_config(&vit, vit.img_size))?;
    let prov = Provenance {
        encoder: kind,
        mean: IMAGENET_MEAN,
        std: IMAGENET_STD,
        source: "checkpoint.pth.tar sha256:test".into(),
    };
    Ok(write_encoder(w, &prov, &opts, out)?.model)
}

fn reference_key(kind: EncoderKind) -> &'static str {
    match kind {
        EncoderKind::Target => "target_encoder",
        EncoderKind::Context => "context_encoder",
    }
}

#[test]
fn float32_exports_match_the_official_outputs() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (shape, input) = reference("input")?;
    let mut files = Vec::new();
    for kind in [EncoderKind::Target, EncoderKind::Context] {
        for opset in [17, 18, 19, 20] {
            let opts = ExportOptions {
                graph: GraphOptions { opset, fp16: false },
                ..Default::default()
            };
            let path = export(
                kind,
                opts,
                &dir.path().join(format!("{}-{opset}.onnx", kind.as_str())),
            )?;
            let (eshape, emb, pooled) = run_encoder(&path, &shape, &input)?;
            let (ref_shape, ref_emb) = reference(&format!("{}_output", reference_key(kind)))?;
            let (_, ref_pooled) = reference(&format!("{}_mean_pooled", reference_key(kind)))?;
            assert_eq!(eshape, ref_shape);
            let (e1, e2) = (
                max_abs_diff(&emb, &ref_emb),
                max_abs_diff(&pooled, &ref_pooled),
            );
            println!(
                "{} opset {opset}: embeddings max abs err {e1:.2e}, pooled {e2:.2e}",
                kind.as_str()
            );
            assert!(
                e1 <= MAX_ABS_F32 && e2 <= MAX_ABS_F32,
                "{} opset {opset}: {e1} / {e2}",
                kind.as_str()
            );
            files.push(path);
        }
    }
    let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    python_check(&files, &[])?;
    Ok(())
}

#[test]
fn float16_exports_are_within_two_percent() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (shape, input) = reference("input")?;
    for kind in [EncoderKind::Target, EncoderKind::Context] {
        for opset in [17, 20] {
            let opts = ExportOptions {
                graph: GraphOptions { opset, fp16: true },
                ..Default::default()
            };
            let path = export(
                kind,
                opts,
                &dir.path()
                    .join(format!("{}-fp16-{opset}.onnx", kind.as_str())),
            )?;
            let (_, emb, pooled) = run_encoder(&path, &shape, &input)?;
            let (_, ref_emb) = reference(&format!("{}_output", reference_key(kind)))?;
            let (_, ref_pooled) = reference(&format!("{}_mean_pooled", reference_key(kind)))?;
            let (r1, r2) = (rel_err(&emb, &ref_emb), rel_err(&pooled, &ref_pooled));
            println!(
                "{} fp16 opset {opset}: embeddings rel err {r1:.2e}, pooled {r2:.2e}",
                kind.as_str()
            );
            assert!(
                r1 <= MAX_REL_F16 && r2 <= MAX_REL_F16,
                "{}: {r1} / {r2}",
                kind.as_str()
            );
            python_check(&[&path], &[])?;
        }
    }
    Ok(())
}

#[test]
fn external_data_gives_the_same_outputs() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (shape, input) = reference("input")?;
    let inline = export(
        EncoderKind::Target,
        ExportOptions::default(),
        &dir.path().join("inline.onnx"),
    )?;
    let opts = ExportOptions {
        external_data_threshold: 0,
        ..Default::default()
    };
    let external = export(EncoderKind::Target, opts, &dir.path().join("external.onnx"))?;
    let data = dir.path().join("external.onnx.data");
    assert!(data.is_file(), "no external data file");
    // All weights but the tiny constants left the protobuf.
    assert!(std::fs::metadata(&external)?.len() < 64 * 1024);
    assert!(std::fs::metadata(&data)?.len() > 400_000);
    let (_, a, pa) = run_encoder(&inline, &shape, &input)?;
    let (_, b, pb) = run_encoder(&external, &shape, &input)?;
    assert_eq!(a, b);
    assert_eq!(pa, pb);
    python_check(&[&external], &[])?;
    Ok(())
}

#[test]
fn metadata_is_what_the_runtime_reads() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = export(
        EncoderKind::Context,
        ExportOptions::default(),
        &dir.path().join("m.onnx"),
    )?;
    let keys = [
        "ijepa.crop_size",
        "ijepa.patch_size",
        "ijepa.embed_dim",
        "ijepa.depth",
        "ijepa.num_heads",
        "ijepa.encoder",
        "ijepa.mean",
        "ijepa.std",
        "ijepa.source",
    ];
    let m = metadata(&path, &keys)?;
    assert_eq!(m["ijepa.crop_size"], "48");
    assert_eq!(m["ijepa.patch_size"], "8");
    assert_eq!(m["ijepa.embed_dim"], "64");
    assert_eq!(m["ijepa.depth"], "2");
    assert_eq!(m["ijepa.num_heads"], "4");
    assert_eq!(m["ijepa.encoder"], "context");
    assert_eq!(m["ijepa.mean"], "0.485,0.456,0.406");
    assert_eq!(m["ijepa.std"], "0.229,0.224,0.225");
    assert_eq!(m["ijepa.source"], "checkpoint.pth.tar sha256:test");
    Ok(())
}
