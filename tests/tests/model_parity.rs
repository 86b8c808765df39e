//! The Burn model loaded from the official checkpoint reproduces the official outputs.
//!
//! Fixture: `fixtures/official-tiny` (written by the official PyTorch code; see its README).

use burn::prelude::*;
use ijepa_tests::{RefTensor, max_abs_diff, official_tiny, reference};
use ijepa_trainer::checkpoint::load_official;
use ijepa_trainer::config::IjepaConfig;
use ijepa_trainer::model::{VisionTransformer, masks_from_rows, pos_embed::sincos_2d};

/// float32 forward of a 2-block ViT in another framework: summation order differs, ~1e-6 typical.
const OUTPUT_TOL: f32 = 1e-4;
/// The stored sin-cos tables were computed in float64 and rounded to float32, as ours.
const POS_EMBED_TOL: f32 = 1e-6;

fn tensor4(r: &RefTensor, device: &Device) -> Tensor<4> {
    let s = &r.shape;
    Tensor::<1>::from_data(TensorData::new(r.f32.clone(), [r.f32.len()]), device)
        .reshape([s[0], s[1], s[2], s[3]])
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_to_vec()
        .expect("f32 data")
}

fn load() -> (ijepa_trainer::checkpoint::OfficialModels, Device) {
    let device = Device::flex();
    let config = IjepaConfig::from_yaml_file(&official_tiny().join("config.yaml")).expect("config");
    let models = load_official(
        &official_tiny().join("checkpoint.pth.tar"),
        &config,
        &device,
    )
    .expect("load");
    (models, device)
}

#[test]
fn encoders_match_the_official_outputs() {
    let (models, device) = load();
    let refs = reference();
    let input = tensor4(&refs["input"], &device);
    for (model, key) in [
        (&models.target_encoder, "target_encoder_output"),
        (&models.encoder, "context_encoder_output"),
    ] {
        let out = model.forward(input.clone(), None);
        assert_eq!(out.dims().to_vec(), refs[key].shape, "{key} shape");
        let err = max_abs_diff(&values(out), &refs[key].f32);
        assert!(
            err <= OUTPUT_TOL,
            "{key}: max abs error {err:e} > {OUTPUT_TOL:e}"
        );
        eprintln!("{key}: max abs error {err:e}");
    }
}

#[test]
fn predictor_matches_the_official_output() {
    let (models, device) = load();
    let refs = reference();
    let input = tensor4(&refs["input"], &device);
    let masks_enc = vec![masks_from_rows(&refs["masks_enc_0"].rows(), &device)];
    let masks_pred: Vec<_> = (0..4)
        .map(|i| masks_from_rows(&refs[&format!("masks_pred_{i}")].rows(), &device))
        .collect();
    let context = models.encoder.forward(input, Some(&masks_enc));
    let out = models.predictor.forward(context, &masks_enc, &masks_pred);
    assert_eq!(out.dims().to_vec(), refs["predictor_output"].shape);
    let err = max_abs_diff(&values(out), &refs["predictor_output"].f32);
    assert!(err <= OUTPUT_TOL, "predictor: max abs error {err:e}");
    eprintln!("predictor_output: max abs error {err:e}");
}

#[test]
fn sincos_tables_equal_the_stored_ones() {
    let (models, _) = load();
    let err = max_abs_diff(&sincos_2d(64, 6), &values(models.encoder.pos_embed.val()));
    assert!(err <= POS_EMBED_TOL, "encoder pos_embed: {err:e}");
    let err = max_abs_diff(
        &sincos_2d(32, 6),
        &values(models.predictor.predictor_pos_embed.val()),
    );
    assert!(err <= POS_EMBED_TOL, "predictor_pos_embed: {err:e}");
}

fn run_at(model: &VisionTransformer, size: usize, device: &Device) -> Tensor<3> {
    let x = Tensor::<4>::random(
        [2, 3, size, size],
        burn::tensor::Distribution::Normal(0.0, 1.0),
        device,
    );
    model.forward(x, None)
}

#[test]
fn position_embedding_interpolates_to_other_sizes() {
    let (models, device) = load();
    let pos = models.target_encoder.pos_embed.val();
    assert_eq!(
        values(models.target_encoder.pos_embed_for_grid(6)),
        values(pos),
        "48 -> 48 is the identity"
    );
    let out = run_at(&models.target_encoder, 64, &device);
    assert_eq!(out.dims(), [2, 64, 64]);
    assert!(values(out).iter().all(|v| v.is_finite()));
    let resized = models.target_encoder.with_image_size(32);
    assert_eq!(resized.num_patches(), 16);
    assert_eq!(run_at(&resized, 32, &device).dims(), [2, 16, 64]);
}

/// Loss of float32 tensors reduced over ~2k elements; a relative error of 1e-5 is what the
/// issue asks and leaves room for summation order only.
const LOSS_REL_TOL: f64 = 1e-5;

#[test]
fn losses_match_the_official_ones() {
    use ijepa_trainer::model::{apply_masks, repeat_interleave_batch};
    use ijepa_trainer::train::{TARGET_LN_EPS, l2, layer_norm_no_affine, smooth_l1};
    let (models, device) = load();
    let refs = reference();
    let input = tensor4(&refs["input"], &device);
    let masks_enc = vec![masks_from_rows(&refs["masks_enc_0"].rows(), &device)];
    let masks_pred: Vec<_> = (0..4)
        .map(|i| masks_from_rows(&refs[&format!("masks_pred_{i}")].rows(), &device))
        .collect();
    // h: the official target — layer-normed target features, gathered, repeated per context mask.
    let h = layer_norm_no_affine(
        models.target_encoder.forward(input.clone(), None),
        TARGET_LN_EPS,
    );
    let h = repeat_interleave_batch(apply_masks(h, &masks_pred), 3, masks_enc.len());
    let z = models.predictor.forward(
        models.encoder.forward(input, Some(&masks_enc)),
        &masks_enc,
        &masks_pred,
    );
    for (name, loss, key) in [
        (
            "smooth_l1",
            smooth_l1(z.clone(), h.clone()),
            "loss_smooth_l1",
        ),
        ("l2", l2(z, h), "loss_l2"),
    ] {
        let ours = values(loss)[0] as f64;
        let official = refs[key].f32[0] as f64;
        let rel = ((ours - official) / official).abs();
        assert!(
            rel <= LOSS_REL_TOL,
            "{name}: ours {ours} vs official {official} (rel {rel:e})"
        );
        eprintln!("{name}: ours {ours:.7} official {official:.7} rel {rel:e}");
    }
}
