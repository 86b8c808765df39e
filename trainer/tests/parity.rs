//! One training step from the official-tiny weights on its input and masks reproduces the
//! official losses, and gradients reach only the context encoder and the predictor.

use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};
use ijepa_trainer::checkpoint::{load_official_encoder, load_official_predictor};
use ijepa_trainer::config::{IjepaConfig, LossKind};
use ijepa_trainer::optim::{AdamW, GradStore, float_params};
use ijepa_trainer::train::{ema_update, forward_loss};
use safetensors::SafeTensors;
use std::path::{Path, PathBuf};

/// Relative tolerance on the loss (the brief's 1e-5; f32 sums over ~5k elements differ from
/// PyTorch's in the last bits only).
const LOSS_REL_TOL: f64 = 1e-5;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn f32s(st: &SafeTensors<'_>, name: &str) -> (Vec<f32>, Vec<usize>) {
    let v = st.tensor(name).expect(name);
    let vals = v
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    (vals, v.shape().to_vec())
}

fn mask(st: &SafeTensors<'_>, name: &str, device: &Device) -> Tensor<2, Int> {
    let v = st.tensor(name).expect(name);
    let vals: Vec<i64> = v
        .data()
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    let shape = v.shape();
    Tensor::from_data(TensorData::new(vals, [shape[0], shape[1]]), device)
}

#[test]
fn official_tiny_loss_and_gradient_flow() {
    let cfg = IjepaConfig::from_yaml_file(&root().join("configs/tiny.yaml")).expect("tiny config");
    let ckpt = root().join("fixtures/official-tiny/checkpoint.pth.tar");
    let bytes = std::fs::read(root().join("fixtures/official-tiny/reference.safetensors"))
        .expect("reference");
    let st = SafeTensors::deserialize(&bytes).expect("safetensors");

    let plain = Device::flex();
    let ad = plain.clone().autodiff();
    let vit = cfg.encoder_config().expect("encoder config");
    // Loaded on the plain device, the trainable two switched to training (autodiff).
    let encoder = load_official_encoder(&ckpt, "encoder", &vit, &plain)
        .expect("encoder")
        .train();
    let target = load_official_encoder(&ckpt, "target_encoder", &vit, &plain).expect("target");
    let predictor = load_official_predictor(&ckpt, &cfg.predictor_config().expect("pred"), &plain)
        .expect("predictor")
        .train();

    let (input, shape) = f32s(&st, "input");
    let n = input.len();
    let imgs = Tensor::<1>::from_data(TensorData::new(input, [n]), &ad)
        .reshape([shape[0], shape[1], shape[2], shape[3]]);
    let masks_enc = vec![mask(&st, "masks_enc_0", &ad)];
    let masks_pred: Vec<_> = (0..4)
        .map(|i| mask(&st, &format!("masks_pred_{i}"), &ad))
        .collect();

    for (kind, key) in [
        (LossKind::SmoothL1, "loss_smooth_l1"),
        (LossKind::L2, "loss_l2"),
    ] {
        let out = forward_loss(
            &encoder,
            &target,
            &predictor,
            imgs.clone(),
            &masks_enc,
            &masks_pred,
            kind,
        );
        let got: f32 = out.loss.into_scalar();
        let want = f32s(&st, key).0[0];
        let rel = ((got - want) as f64).abs() / (want as f64).abs();
        eprintln!("{key}: ours {got} official {want} rel {rel:.2e}");
        assert!(
            rel < LOSS_REL_TOL,
            "{key}: ours {got} vs official {want} (rel {rel:.2e})"
        );
    }

    // Gradients: every trainable encoder/predictor parameter, never the fixed position
    // embeddings, and the target encoder is not even on the autodiff device.
    let out = forward_loss(
        &encoder,
        &target,
        &predictor,
        imgs,
        &masks_enc,
        &masks_pred,
        LossKind::SmoothL1,
    );
    let grads = out.loss.backward();
    let mut store = GradStore::new();
    store.accumulate("encoder.", &encoder, &grads);
    store.accumulate("predictor.", &predictor, &grads);
    store.accumulate("target_encoder.", &target, &grads);
    store.finish_micro_batch();
    let keys: Vec<String> = store.keys().cloned().collect();
    let enc_params = float_params(&encoder).len();
    let pred_params = float_params(&predictor).len();
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("encoder.")).count(),
        enc_params - 1,
        "all encoder params but pos_embed get gradients"
    );
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("predictor.")).count(),
        pred_params - 1,
        "all predictor params but predictor_pos_embed get gradients"
    );
    assert!(
        !keys
            .iter()
            .any(|k| k.starts_with("target_encoder.") || k.contains("pos_embed"))
    );
    for key in &keys {
        let g = store.mean(key).expect("grad");
        let norm: f32 = g.powi_scalar(2).sum().into_scalar();
        assert!(norm.is_finite() && norm > 0.0, "{key}: |g|² = {norm}");
    }

    // The update moves the encoder, the EMA moves the target toward it, positions stay fixed.
    let mut opt = AdamW::new();
    let before = float_params(&encoder);
    let enc2 = opt.step("encoder.", encoder, &store, 1e-3, 0.04);
    let after = float_params(&enc2);
    let moved = |k: &str| -> f32 {
        (before[k].values.clone() - after[k].values.clone())
            .abs()
            .max()
            .into_scalar()
    };
    assert!(moved("blocks.0.attn.qkv.weight") > 0.0);
    assert_eq!(moved("pos_embed"), 0.0);
    let t_before = float_params(&target);
    let target2 = ema_update(target, &enc2, 0.5);
    let t_after = float_params(&target2);
    let k = "blocks.1.mlp.fc2.weight";
    let want = t_before[k].values.clone().mul_scalar(0.5) + after[k].values.clone().mul_scalar(0.5);
    let err: f32 = (t_after[k].values.clone() - want).abs().max().into_scalar();
    assert!(err < 1e-6, "EMA error {err}");
}
