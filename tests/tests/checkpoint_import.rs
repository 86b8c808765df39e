//! Official checkpoint import: a config that does not fit is an error naming the tensor, both
//! shapes and the config field; `inspect` reports the architecture the shapes imply.

use burn::prelude::Device;
use ijepa_tests::official_tiny;
use ijepa_trainer::checkpoint::{inspect, load_official, load_official_encoder};
use ijepa_trainer::config::IjepaConfig;

const FIXTURE_CONFIG: &str = "data: {crop_size: 48}\nmask: {patch_size: 8}\nmeta: {model_name: custom, embed_dim: 64, depth: 2, num_heads: 4, pred_depth: 2, pred_emb_dim: 32}\n";

fn error_with(yaml_edit: (&str, &str)) -> String {
    let yaml = FIXTURE_CONFIG.replace(yaml_edit.0, yaml_edit.1);
    let config = IjepaConfig::from_yaml_str(&yaml).expect("valid config");
    load_official(
        &official_tiny().join("checkpoint.pth.tar"),
        &config,
        &Device::flex(),
    )
    .expect_err("config does not fit the checkpoint")
    .to_string()
}

#[test]
fn the_fixture_config_loads() {
    let config = IjepaConfig::from_yaml_str(FIXTURE_CONFIG).expect("config");
    load_official(
        &official_tiny().join("checkpoint.pth.tar"),
        &config,
        &Device::flex(),
    )
    .expect("loads");
}

#[test]
fn wrong_width_names_tensor_shapes_and_field() {
    let err = error_with(("embed_dim: 64", "embed_dim: 96"));
    // The first mismatching tensor in name order; every width-carrying tensor names the same field.
    assert!(
        err.contains("entry `encoder`") && err.contains("[64]") && err.contains("[96]"),
        "{err}"
    );
    assert!(err.contains("meta.embed_dim"), "{err}");
}

#[test]
fn wrong_depth_and_grid_name_the_field() {
    let err = error_with(("depth: 2, num_heads", "depth: 3, num_heads"));
    assert!(
        err.contains("blocks.2") && err.contains("meta.depth"),
        "{err}"
    );
    let err = error_with(("depth: 2, num_heads", "depth: 1, num_heads"));
    assert!(
        err.contains("blocks.1") && err.contains("meta.depth"),
        "{err}"
    );
    let err = error_with(("crop_size: 48", "crop_size: 64"));
    assert!(
        err.contains("pos_embed") && err.contains("data.crop_size"),
        "{err}"
    );
    let err = error_with(("pred_emb_dim: 32", "pred_emb_dim: 48"));
    assert!(
        err.contains("predictor") && err.contains("meta.pred_emb_dim"),
        "{err}"
    );
    let err = error_with(("pred_depth: 2", "pred_depth: 3"));
    assert!(
        err.contains("predictor_blocks.2") && err.contains("meta.pred_depth"),
        "{err}"
    );
}

#[test]
fn missing_entry_and_unreadable_file_are_clear() {
    let config = IjepaConfig::from_yaml_str(FIXTURE_CONFIG).expect("config");
    let vit = config.encoder_config().expect("vit");
    let err = load_official_encoder(
        &official_tiny().join("checkpoint.pth.tar"),
        "ema_encoder",
        &vit,
        &Device::flex(),
    )
    .expect_err("no such entry")
    .to_string();
    assert!(
        err.contains("ema_encoder") && err.contains("target_encoder"),
        "{err}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.pth.tar");
    std::fs::write(&bad, b"not a checkpoint").expect("write");
    let err = load_official(&bad, &config, &Device::flex())
        .expect_err("garbage")
        .to_string();
    assert!(err.contains("bad.pth.tar"), "{err}");
}

#[test]
fn inspect_infers_the_architecture() {
    let report = inspect(&official_tiny().join("checkpoint.pth.tar")).expect("inspect");
    let names: Vec<&str> = report.entries.iter().map(|(n, _)| n.as_str()).collect();
    for entry in ["encoder", "predictor", "target_encoder", "opt", "epoch"] {
        assert!(names.contains(&entry), "{entry} missing from {names:?}");
    }
    let arch = report.architecture.clone().expect("architecture");
    assert_eq!(
        (
            arch.embed_dim,
            arch.depth,
            arch.patch_size,
            arch.grid,
            arch.crop_size
        ),
        (64, 2, 8, 6, 48)
    );
    assert_eq!((arch.pred_emb_dim, arch.pred_depth), (Some(32), Some(2)));
    assert!((arch.mlp_ratio - 4.0).abs() < 1e-9);
    assert!(arch.matching_presets.is_empty());
    let text = report.to_string();
    assert!(
        text.contains("num_heads") && text.contains("encoder.module.blocks.1.attn.qkv.weight"),
        "{text}"
    );
}
