//! The main job end to end at toy size: render → pretrain a few steps → export → probe → report.
//! (The real run is `ijepa pipeline --config configs/demo.yaml`.)

use ijepa::pipeline::{PipelineConfig, run_pipeline};
use ijepa_tests::configs;

#[test]
fn pipeline_runs_end_to_end_at_toy_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = std::fs::read_to_string(configs().join("demo.yaml")).expect("demo.yaml");
    let out = dir.path().join("out");
    let yaml = demo
        .replace("train_images: 2000", "train_images: 48")
        .replace("val_images: 500", "val_images: 24")
        .replace("image_size: [96, 64]", "image_size: [72, 48]")
        .replace("crop_size: 64", "crop_size: 48")
        .replace("embed_dim: 128", "embed_dim: 32")
        .replace("depth: 4", "depth: 1")
        .replace("pred_emb_dim: 48", "pred_emb_dim: 16")
        .replace("min_keep: 4", "min_keep: 3")
        .replace("batch_size: 16", "batch_size: 8")
        .replace(
            "out: out/pipeline",
            &format!("out: {}\n  max_steps: 3", out.display()),
        );
    let path = dir.path().join("toy.yaml");
    std::fs::write(&path, yaml).expect("write config");
    let config = PipelineConfig::from_yaml_file(&path).expect("config");
    assert_eq!(config.pipeline.max_steps, Some(3));
    let report = run_pipeline(&config).expect("pipeline");
    assert_eq!(report.train.steps_run, 3);
    assert_eq!(report.probes.len(), 2);
    for probe in &report.probes {
        let names: Vec<&str> = probe.results.iter().map(|r| r.name.as_str()).collect();
        assert!(
            names.contains(&"I-JEPA (pretrained)") && names.contains(&"random init"),
            "{names:?}"
        );
        assert!(
            probe.results.len() >= 4,
            "majority and raw-pixel baselines too: {names:?}"
        );
    }
    for file in [
        "report.md",
        "masks.png",
        "probe-accuracy.png",
        "encoder.onnx",
        "random-init.onnx",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let md = std::fs::read_to_string(out.join("report.md")).expect("report");
    assert!(md.contains("Clevr/Count") && md.contains("Clevr/Dist") && md.contains("masks.png"));
}

#[test]
fn pipeline_config_errors_name_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = std::fs::read_to_string(configs().join("demo.yaml")).expect("demo.yaml");
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, demo.replace("train_seconds:", "train_secs:")).expect("write");
    let err = PipelineConfig::from_yaml_file(&path)
        .expect_err("unknown key")
        .to_string();
    assert!(err.contains("train_secs"), "{err}");
    std::fs::write(&path, demo.replace("crop_size: 64", "crop_size: 60")).expect("write");
    let err = PipelineConfig::from_yaml_file(&path)
        .expect_err("not divisible")
        .to_string();
    assert!(err.contains("data.crop_size"), "{err}");
    PipelineConfig::from_yaml_file(&configs().join("demo.yaml")).expect("demo.yaml is valid");
}
