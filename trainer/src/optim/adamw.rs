//! AdamW with the official parameter groups: weight decay on every parameter except biases and
//! 1-D parameters (`'bias' in name or p.ndim == 1` in the official `init_opt`), with the
//! learning rate and weight decay given per step by the schedules.
//!
//! The update is PyTorch's `torch.optim.AdamW` (decoupled decay `p ← p·(1 − lr·wd)`, bias-corrected
//! moments, `eps` added after the square root). State is keyed by parameter path, so it survives a
//! checkpoint round trip independently of Burn's parameter ids.

use super::params::{GradStore, map_float_params};
use burn::module::Module;
use burn::tensor::Tensor;
use std::collections::BTreeMap;

/// PyTorch's AdamW defaults (the official recipe keeps them).
pub const BETA1: f64 = 0.9;
pub const BETA2: f64 = 0.999;
pub const EPS: f64 = 1e-8;

/// Moments of one parameter (flattened).
#[derive(Debug, Clone)]
pub struct Moments {
    pub step: u64,
    pub exp_avg: Tensor<1>,
    pub exp_avg_sq: Tensor<1>,
}

/// Whether the official recipe exempts `path` (with `rank` dims) from weight decay.
pub fn is_no_decay(path: &str, rank: usize) -> bool {
    path.contains("bias") || rank == 1
}

/// The optimizer: hyper-parameters and per-parameter moments.
#[derive(Debug, Clone)]
pub struct AdamW {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub state: BTreeMap<String, Moments>,
}

impl Default for AdamW {
    fn default() -> Self {
        Self {
            beta1: BETA1,
            beta2: BETA2,
            eps: EPS,
            state: BTreeMap::new(),
        }
    }
}

impl AdamW {
    pub fn new() -> Self {
        Self::default()
    }

    /// One update of `module`'s parameters that have a gradient in `grads` under `prefix`
    /// (`"encoder."`, `"predictor."`); parameters without one (the fixed position embeddings)
    /// are left alone, as PyTorch skips parameters whose `grad` is `None`.
    pub fn step<M: Module>(
        &mut self,
        prefix: &str,
        module: M,
        grads: &GradStore,
        lr: f64,
        weight_decay: f64,
    ) -> M {
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        map_float_params(module, |path, rank, p| {
            let key = format!("{prefix}{path}");
            let g = grads.mean(&key)?;
            let n = g.dims()[0];
            let device = g.device();
            let st = self.state.entry(key).or_insert_with(|| Moments {
                step: 0,
                exp_avg: Tensor::zeros([n], &device),
                exp_avg_sq: Tensor::zeros([n], &device),
            });
            st.step += 1;
            let wd = if is_no_decay(path, rank) {
                0.0
            } else {
                weight_decay
            };
            let p = if wd != 0.0 {
                p.mul_scalar((1.0 - lr * wd) as f32)
            } else {
                p
            };
            st.exp_avg =
                st.exp_avg.clone().mul_scalar(b1 as f32) + g.clone().mul_scalar((1.0 - b1) as f32);
            st.exp_avg_sq = st.exp_avg_sq.clone().mul_scalar(b2 as f32)
                + (g.clone() * g).mul_scalar((1.0 - b2) as f32);
            let t = st.step as i32;
            let bias1 = 1.0 - b1.powi(t);
            let bias2_sqrt = (1.0 - b2.powi(t)).sqrt();
            let denom = st
                .exp_avg_sq
                .clone()
                .sqrt()
                .div_scalar(bias2_sqrt as f32)
                .add_scalar(eps as f32);
            let update = (st.exp_avg.clone() / denom).mul_scalar((lr / bias1) as f32);
            Some(p - update)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_groups() {
        assert!(is_no_decay("blocks.0.attn.qkv.bias", 1));
        assert!(is_no_decay("norm.weight", 1));
        assert!(!is_no_decay("blocks.0.attn.qkv.weight", 2));
        assert!(!is_no_decay("mask_token", 3));
        assert!(!is_no_decay("patch_embed.proj.weight", 4));
    }

    /// Float32 tensors against an f64 reference of `torch.optim.AdamW`.
    const TOL: f32 = 1e-6;

    #[test]
    fn two_steps_match_torch_adamw() {
        use burn::nn::LinearConfig;
        use burn::tensor::{Device, TensorData};
        let device = Device::flex().autodiff();
        let layer = LinearConfig::new(3, 2).init(&device);
        let w0: Vec<f32> = layer.weight.val().into_data().try_to_vec().expect("w");
        let b0: Vec<f32> = layer
            .bias
            .as_ref()
            .expect("bias")
            .val()
            .into_data()
            .try_to_vec()
            .expect("b");
        let x = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, -2.0, 0.5], [3]), &device)
            .reshape([1, 3]);
        // loss = sum(x W + b)  →  dW[i][j] = x[i], db[j] = 1 (the same both steps).
        let (lr, wd) = (0.01, 0.1);
        let mut opt = AdamW::new();
        let mut layer = layer;
        for _ in 0..2 {
            let loss = layer.forward(x.clone()).sum();
            let grads = loss.backward();
            let mut store = GradStore::new();
            store.accumulate("l.", &layer, &grads);
            store.finish_micro_batch();
            layer = opt.step("l.", layer, &store, lr, wd);
        }
        let reference = |p0: f64, g: f64, wd: f64| {
            let (mut p, mut m, mut v) = (p0, 0.0, 0.0);
            for t in 1..=2 {
                p *= 1.0 - lr * wd;
                m = BETA1 * m + (1.0 - BETA1) * g;
                v = BETA2 * v + (1.0 - BETA2) * g * g;
                let denom = (v.sqrt() / (1.0 - BETA2.powi(t)).sqrt()) + EPS;
                p -= lr / (1.0 - BETA1.powi(t)) * m / denom;
            }
            p
        };
        let w: Vec<f32> = layer.weight.val().into_data().try_to_vec().expect("w");
        let xs = [1.0, -2.0, 0.5];
        for (k, (&got, &p0)) in w.iter().zip(&w0).enumerate() {
            let want = reference(p0 as f64, xs[k / 2], wd) as f32;
            assert!((got - want).abs() < TOL, "w[{k}] {got} vs {want}");
        }
        let b: Vec<f32> = layer
            .bias
            .as_ref()
            .expect("bias")
            .val()
            .into_data()
            .try_to_vec()
            .expect("b");
        for (k, (&got, &p0)) in b.iter().zip(&b0).enumerate() {
            let want = reference(p0 as f64, 1.0, 0.0) as f32;
            assert!(
                (got - want).abs() < TOL,
                "bias[{k}] (no decay) {got} vs {want}"
            );
        }
    }
}
