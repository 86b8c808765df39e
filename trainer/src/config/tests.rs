use super::*;

const OFFICIAL: [&str; 4] = [
    "in1k_vith14_ep300",
    "in1k_vith16-448_ep300",
    "in22k_vith14_ep66",
    "in22k_vitg16_ep44",
];

fn config_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../configs")
        .join(name)
}

#[test]
fn official_configs_parse_unchanged() {
    for name in OFFICIAL {
        let config = IjepaConfig::from_yaml_file(&config_path(&format!("official/{name}.yaml")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let encoder = config.encoder_config().expect("encoder");
        assert!(encoder.embed_dim >= 1280, "{name}");
    }
    let g =
        IjepaConfig::from_yaml_file(&config_path("official/in22k_vitg16_ep44.yaml")).expect("g");
    let enc = g.encoder_config().expect("encoder");
    assert_eq!(
        (enc.embed_dim, enc.depth, enc.num_heads, enc.patch_size),
        (1408, 40, 16, 16)
    );
    assert!((enc.mlp_ratio - 48.0 / 11.0).abs() < 1e-12);
    let h448 = IjepaConfig::from_yaml_file(&config_path("official/in1k_vith16-448_ep300.yaml"))
        .expect("448");
    assert_eq!(h448.encoder_config().expect("enc").grid(), 28);
}

#[test]
fn tiny_config_is_custom() {
    let config = IjepaConfig::from_yaml_file(&config_path("tiny.yaml")).expect("tiny");
    assert_eq!(config.meta.model_name, "custom");
    config.validate().expect("valid");
}

fn err(yaml: &str) -> String {
    IjepaConfig::from_yaml_str(yaml)
        .expect_err("must fail")
        .to_string()
}

#[test]
fn unknown_keys_and_wrong_types_name_the_key() {
    assert!(err("data:\n  crop_szie: 3\n").contains("crop_szie"));
    assert!(err("mask:\n  patch_size: sixteen\n").contains("patch_size"));
    assert!(err("colour: 1\n").contains("colour"));
}

#[test]
fn impossible_values_name_the_key() {
    let e = err("data: {crop_size: 50}\nmask: {patch_size: 16}\nmeta: {model_name: vit_small}\n");
    assert!(e.contains("data.crop_size") && e.contains("50"), "{e}");
    let e = err(
        "meta: {model_name: custom, embed_dim: 66, depth: 2, num_heads: 4}\nmask: {patch_size: 16}\n",
    );
    assert!(
        e.contains("meta.embed_dim") && e.contains("num_heads"),
        "{e}"
    );
    let e = err(
        "meta: {model_name: custom, embed_dim: 30, depth: 2, num_heads: 3}\nmask: {patch_size: 16}\n",
    );
    assert!(e.contains("divisible by 4"), "{e}");
    let e = err("meta: {model_name: custom, depth: 2, num_heads: 4}\nmask: {patch_size: 16}\n");
    assert!(
        e.contains("meta.embed_dim") && e.contains("required"),
        "{e}"
    );
    let e = err("meta: {model_name: vit_small, embed_dim: 64}\nmask: {patch_size: 16}\n");
    assert!(e.contains("meta.embed_dim") && e.contains("custom"), "{e}");
    let e = err("meta: {model_name: vit_enormous}\nmask: {patch_size: 16}\n");
    assert!(
        e.contains("meta.model_name") && e.contains("vit_giant"),
        "{e}"
    );
    let e =
        err("mask: {patch_size: 16, pred_mask_scale: [0.3, 0.1]}\nmeta: {model_name: vit_small}\n");
    assert!(e.contains("mask.pred_mask_scale"), "{e}");
}

#[test]
fn presets_match_the_official_ones() {
    let p = preset("vit_huge").expect("huge");
    assert_eq!((p.embed_dim, p.depth, p.num_heads), (1280, 32, 16));
    assert_eq!(preset("vit_tiny").map(|p| p.num_heads), Some(3));
    assert!(preset("vit_unknown").is_none());
}
