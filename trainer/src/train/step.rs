//! One I-JEPA forward pass: targets from the EMA encoder (no gradient, LayerNorm without affine
//! over the feature dim, gathered by the target masks), context encoder on the context tokens,
//! predictor, and the loss between prediction and target.

use crate::config::LossKind;
use crate::model::{Predictor, VisionTransformer, apply_masks, repeat_interleave_batch};
use burn::tensor::{Int, Tensor};

/// `F.layer_norm`'s default epsilon, used on the target features (the official `forward_target`).
pub const TARGET_LN_EPS: f64 = 1e-5;

/// The result of [`forward_loss`].
#[derive(Debug, Clone)]
pub struct StepOutput {
    /// Scalar loss `[1]` (on the autodiff device when the encoder is).
    pub loss: Tensor<1>,
    /// Target-encoder output before masking `[batch, tokens, dim]` (no gradient), for collapse
    /// monitoring.
    pub target_features: Tensor<3>,
}

/// LayerNorm over the last dim without affine parameters.
pub fn layer_norm_no_affine(x: Tensor<3>, eps: f64) -> Tensor<3> {
    let mean = x.clone().mean_dim(2);
    let centered = x - mean;
    let var = centered.clone().powi_scalar(2).mean_dim(2);
    centered / var.add_scalar(eps).sqrt()
}

/// `F.smooth_l1_loss(z, h)` with beta 1 (mean over all elements).
pub fn smooth_l1(z: Tensor<3>, h: Tensor<3>) -> Tensor<1> {
    let d = (z - h).abs();
    let small = d.clone().clamp_max(1.0);
    // d < 1: 0.5·d²; d ≥ 1: d − 0.5  (= 0.5·min(d,1)² + d − min(d,1)).
    (small.clone().powi_scalar(2).mul_scalar(0.5) + d - small).mean()
}

/// The paper's loss: the mean over predicted tokens of the squared L2 distance.
pub fn l2(z: Tensor<3>, h: Tensor<3>) -> Tensor<1> {
    (z - h).powi_scalar(2).sum_dim(2).mean()
}

/// Forward pass and loss of one batch.
///
/// # Shapes
/// - imgs: `[batch, 3, H, W]` on the training (autodiff) device
/// - masks_enc / masks_pred: each `[batch, keep]` on the same device
pub fn forward_loss(
    encoder: &VisionTransformer,
    target_encoder: &VisionTransformer,
    predictor: &Predictor,
    imgs: Tensor<4>,
    masks_enc: &[Tensor<2, Int>],
    masks_pred: &[Tensor<2, Int>],
    loss: LossKind,
) -> StepOutput {
    let batch = imgs.dims()[0];
    // Targets: computed on the plain (non-autodiff) tensors, so no graph is recorded.
    let plain_pred: Vec<Tensor<2, Int>> = masks_pred.iter().map(|m| m.clone().inner()).collect();
    let target_features = target_encoder.forward(imgs.clone().inner(), None); // [B, N, D]
    let h = layer_norm_no_affine(target_features.clone(), TARGET_LN_EPS);
    let h = apply_masks(h, &plain_pred); // [npred·B, K, D]
    let h = repeat_interleave_batch(h, batch, masks_enc.len()); // [nenc·npred·B, K, D]
    let h = if imgs.is_autodiff() {
        Tensor::from_inner(h)
    } else {
        h
    };
    // Context: encoder on the context tokens, then the predictor at the target positions.
    let z = encoder.forward(imgs, Some(masks_enc)); // [nenc·B, K_enc, D]
    let z = predictor.forward(z, masks_enc, masks_pred); // [nenc·npred·B, K, D]
    let loss = match loss {
        LossKind::SmoothL1 => smooth_l1(z, h),
        LossKind::L2 => l2(z, h),
    };
    StepOutput {
        loss,
        target_features,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn smooth_l1_matches_its_definition() {
        let device = Device::flex();
        let z = Tensor::<1>::from_data(TensorData::new(vec![0.0f32, 0.5, 3.0, -2.0], [4]), &device)
            .reshape([1, 1, 4]);
        let h = Tensor::<3>::zeros([1, 1, 4], &device);
        let got: f32 = smooth_l1(z.clone(), h.clone()).into_scalar();
        let want = (0.0 + 0.125 + 2.5 + 1.5) / 4.0;
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        let got_l2: f32 = l2(z, h).into_scalar();
        assert!((got_l2 - 13.25).abs() < 1e-5);
    }
}
