//! Transformer pieces shared by the encoder and the predictor: `LayerNorm`, `Mlp`, `Attention`,
//! `Block`. Field names are the official parameter names (`norm1.weight`, `attn.qkv.bias`, ...).

use burn::module::{Module, Param};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::gelu;
use burn::tensor::module::{attention, layer_norm};
use burn::tensor::ops::AttentionModuleOptions;

/// The LayerNorm epsilon of every official ViT (`partial(nn.LayerNorm, eps=1e-6)`).
pub const LAYER_NORM_EPS: f64 = 1e-6;

/// LayerNorm with PyTorch's parameter names (`weight`, `bias`), over the last dimension.
#[derive(Module, Debug)]
pub struct LayerNorm {
    pub weight: Param<Tensor<1>>,
    pub bias: Param<Tensor<1>>,
    epsilon: f64,
}

impl LayerNorm {
    /// Weight 1, bias 0 (the official `_init_weights`).
    pub fn new(dim: usize, device: &Device) -> Self {
        Self {
            weight: Param::from_tensor(Tensor::ones([dim], device)),
            bias: Param::from_tensor(Tensor::zeros([dim], device)),
            epsilon: LAYER_NORM_EPS,
        }
    }

    /// # Shapes
    /// - x: `[..., dim]` → `[..., dim]`
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        layer_norm(x, self.weight.val(), Some(self.bias.val()), self.epsilon)
    }
}

/// `Linear` with the official init: truncated normal (std 0.02) weights, zero bias.
pub fn linear(d_input: usize, d_output: usize, device: &Device) -> Linear {
    LinearConfig::new(d_input, d_output)
        .with_initializer(burn::module::Initializer::Normal {
            mean: 0.0,
            std: super::INIT_STD,
        })
        .init(device)
        .no_bias_init(device)
}

trait ZeroBias {
    fn no_bias_init(self, device: &Device) -> Self;
}

impl ZeroBias for Linear {
    fn no_bias_init(mut self, device: &Device) -> Self {
        if let Some(bias) = &self.bias {
            let [dim] = bias.val().dims();
            self.bias = Some(Param::from_tensor(Tensor::zeros([dim], device)));
        }
        self
    }
}

/// Two-layer MLP with exact (erf) GELU.
#[derive(Module, Debug)]
pub struct Mlp {
    pub fc1: Linear,
    pub fc2: Linear,
}

impl Mlp {
    pub fn new(dim: usize, hidden: usize, device: &Device) -> Self {
        Self {
            fc1: linear(dim, hidden, device),
            fc2: linear(hidden, dim, device),
        }
    }

    /// # Shapes
    /// - x: `[batch, tokens, dim]` → `[batch, tokens, dim]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.fc2.forward(gelu(self.fc1.forward(x)))
    }
}

/// Multi-head self-attention with a fused `qkv` projection (with bias) and `proj`.
#[derive(Module, Debug)]
pub struct Attention {
    pub qkv: Linear,
    pub proj: Linear,
    num_heads: usize,
}

impl Attention {
    pub fn new(dim: usize, num_heads: usize, device: &Device) -> Self {
        Self {
            qkv: linear(dim, 3 * dim, device),
            proj: linear(dim, dim, device),
            num_heads,
        }
    }

    /// # Shapes
    /// - x: `[batch, tokens, dim]` → `[batch, tokens, dim]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [batch, tokens, dim] = x.dims();
        let head_dim = dim / self.num_heads;
        // [batch, tokens, 3, heads, head_dim] → [3, batch, heads, tokens, head_dim]
        let qkv = self
            .qkv
            .forward(x)
            .reshape([batch, tokens, 3, self.num_heads, head_dim])
            .permute([2, 0, 3, 1, 4]);
        let take = |i: usize| -> Tensor<4> {
            qkv.clone()
                .narrow(0, i, 1)
                .reshape([batch, self.num_heads, tokens, head_dim])
        };
        let (q, k, v) = (take(0), take(1), take(2));
        // softmax(q kᵀ / sqrt(head_dim)) v, with the backend's fused attention where it has one.
        let options = AttentionModuleOptions {
            scale: Some((head_dim as f64).powf(-0.5)),
            softcap: None,
            is_causal: false,
        };
        let out = attention(q, k, v, None, None, options);
        // [batch, heads, tokens, head_dim] → [batch, tokens, dim]
        let out = out.swap_dims(1, 2).reshape([batch, tokens, dim]);
        self.proj.forward(out)
    }
}

/// Pre-norm transformer block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))`.
#[derive(Module, Debug)]
pub struct Block {
    pub norm1: LayerNorm,
    pub attn: Attention,
    pub norm2: LayerNorm,
    pub mlp: Mlp,
}

impl Block {
    pub fn new(dim: usize, num_heads: usize, mlp_ratio: f64, device: &Device) -> Self {
        // `int(dim * mlp_ratio)` as the official Block (ViT-g: 1408 * 48/11 = 6144).
        let hidden = (dim as f64 * mlp_ratio) as usize;
        Self {
            norm1: LayerNorm::new(dim, device),
            attn: Attention::new(dim, num_heads, device),
            norm2: LayerNorm::new(dim, device),
            mlp: Mlp::new(dim, hidden, device),
        }
    }

    /// The official `fix_init_weight`: divide `attn.proj` and `mlp.fc2` weights by sqrt(2 * layer_id).
    pub fn rescaled(mut self, layer_id: usize) -> Self {
        let factor = (2.0 * layer_id as f64).sqrt();
        for linear in [&mut self.attn.proj, &mut self.mlp.fc2] {
            // `detach`: the quotient is a new leaf, so this also works on an autodiff device.
            let weight = linear.weight.val().div_scalar(factor).detach();
            linear.weight = Param::from_tensor(weight);
        }
        self
    }

    /// # Shapes
    /// - x: `[batch, tokens, dim]` → `[batch, tokens, dim]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = x.clone() + self.attn.forward(self.norm1.forward(x));
        x.clone() + self.mlp.forward(self.norm2.forward(x))
    }
}
