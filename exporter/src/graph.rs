//! The ViT encoder as an ONNX graph, op by op, from [`EncoderWeights`].
//!
//! The graph mirrors the official I-JEPA `VisionTransformer.forward` (no masks):
//! `Conv` patch embedding, `+ pos_embed`, pre-norm blocks (`LayerNormalization`, multi-head
//! attention, exact-erf GELU MLP), final `LayerNormalization` → `embeddings`, and
//! `ReduceMean` over tokens → `pooled`. Attention is written with separate Q/K/V `MatMul`s
//! (the packed `qkv` weight split in three) and `Softmax(Div(Q·Kᵀ, √d))`, the pattern ONNX
//! Runtime's attention fusion recognizes.
//!
//! With `fp16`, weights and compute are float16 between a `Cast` of the float32 input and
//! float32 outputs; LayerNormalization and Softmax run in float32 (cast up and back down),
//! where float16 overflows or loses the small differences they depend on.

use crate::error::{ExportError, Result};
use crate::proto::{Attr, Dim, ElemType, GraphBuilder};
use crate::weights::{EncoderWeights, LAYER_NORM_EPS, WeightTensor};

/// Opsets the builder writes: 17 introduced `LayerNormalization`, 18 moved `ReduceMean`'s
/// axes to an input, 20 added `Gelu`.
pub const SUPPORTED_OPSETS: &[i64] = &[17, 18, 19, 20];
/// The default opset.
pub const DEFAULT_OPSET: i64 = 17;

/// Name of the graph input and outputs (the runtime's contract).
pub const INPUT_NAME: &str = "pixels";
pub const EMBEDDINGS_NAME: &str = "embeddings";
pub const POOLED_NAME: &str = "pooled";
/// Symbolic batch dimension.
pub const BATCH_DIM: &str = "batch";

/// How to write the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphOptions {
    pub opset: i64,
    pub fp16: bool,
}

impl Default for GraphOptions {
    fn default() -> Self {
        Self {
            opset: DEFAULT_OPSET,
            fp16: false,
        }
    }
}

impl GraphOptions {
    /// Refuses an opset the builder does not write.
    pub fn validate(&self) -> Result<()> {
        if SUPPORTED_OPSETS.contains(&self.opset) {
            Ok(())
        } else {
            Err(ExportError::UnsupportedOpset {
                requested: self.opset,
                supported: SUPPORTED_OPSETS,
            })
        }
    }
}

/// Builds the encoder graph, consuming the weights one tensor at a time.
pub fn build_encoder_graph(mut w: EncoderWeights, opts: GraphOptions) -> Result<GraphBuilder> {
    opts.validate()?;
    let spec = w.spec().clone();
    let compute = if opts.fp16 {
        ElemType::F16
    } else {
        ElemType::F32
    };
    let mut b = Ops {
        g: GraphBuilder::new("ijepa_vit_encoder"),
        compute,
        opts,
    };
    let (d, heads) = (spec.embed_dim, spec.num_heads);
    let head_dim = d / heads;
    let batch = || Dim::Symbolic(BATCH_DIM.to_string());
    b.g.add_input(
        INPUT_NAME,
        ElemType::F32,
        &[
            batch(),
            Dim::Fixed(spec.in_chans),
            Dim::Fixed(spec.img_size),
            Dim::Fixed(spec.img_size),
        ],
    );
    b.g.add_output(
        EMBEDDINGS_NAME,
        ElemType::F32,
        &[batch(), Dim::Fixed(spec.num_tokens()), Dim::Fixed(d)],
    );
    b.g.add_output(POOLED_NAME, ElemType::F32, &[batch(), Dim::Fixed(d)]);

    // Shared constants.
    let flat_shape = b.int64s("const.patch_flatten_shape", &[0, 0, -1])?;
    let heads_shape = b.int64s("const.heads_shape", &[0, 0, heads as i64, head_dim as i64])?;
    let tokens_shape = b.int64s("const.tokens_shape", &[0, 0, d as i64])?;
    let sqrt_head_dim = b.scalar("const.sqrt_head_dim", (head_dim as f32).sqrt())?;

    // Patch embedding: [B,3,H,W] -> [B,D,g,g] -> [B,D,N] -> [B,N,D], + pos_embed.
    let pixels = if opts.fp16 {
        b.cast("patch_embed/cast_fp16", INPUT_NAME, ElemType::F16)?
    } else {
        INPUT_NAME.to_string()
    };
    let conv_w = b.weight(&mut w, "patch_embed.proj.weight")?;
    let conv_b = b.weight(&mut w, "patch_embed.proj.bias")?;
    let p = spec.patch_size as i64;
    let conv = b.op(
        "Conv",
        "patch_embed/proj",
        &[&pixels, &conv_w, &conv_b],
        vec![
            ("kernel_shape", Attr::Ints(vec![p, p])),
            ("strides", Attr::Ints(vec![p, p])),
        ],
    )?;
    let flat = b.op(
        "Reshape",
        "patch_embed/flatten",
        &[&conv, &flat_shape],
        vec![],
    )?;
    let tokens = b.op(
        "Transpose",
        "patch_embed/transpose",
        &[&flat],
        perm(&[0, 2, 1]),
    )?;
    let pos = b.weight(&mut w, "pos_embed")?;
    let mut x = b.op("Add", "pos_embed/add", &[&tokens, &pos], vec![])?;

    for i in 0..spec.depth {
        let s = format!("blocks.{i}");
        // x = x + proj(attention(norm1(x)))
        let h = b.layer_norm(&mut w, &x, &format!("{s}.norm1"))?;
        let mut qkv = Vec::with_capacity(3);
        let packed_w = w.take(&format!("{s}.attn.qkv.weight"))?;
        let packed_b = if spec.qkv_bias {
            Some(w.take(&format!("{s}.attn.qkv.bias"))?)
        } else {
            None
        };
        for (part, which) in ["q", "k", "v"].iter().enumerate() {
            let wt = b.tensor(
                &format!("{s}.attn.qkv.weight.{which}"),
                split_columns(&packed_w, part, d),
            )?;
            let mut t = b.op(
                "MatMul",
                &format!("{s}.attn/{which}_matmul"),
                &[&h, &wt],
                vec![],
            )?;
            if let Some(pb) = &packed_b {
                let bt = b.tensor(
                    &format!("{s}.attn.qkv.bias.{which}"),
                    split_bias(pb, part, d),
                )?;
                t = b.op("Add", &format!("{s}.attn/{which}_add"), &[&t, &bt], vec![])?;
            }
            let r = b.op(
                "Reshape",
                &format!("{s}.attn/{which}_heads"),
                &[&t, &heads_shape],
                vec![],
            )?;
            // q, v: [B,H,N,hd]; k: [B,H,hd,N] (already transposed for Q·Kᵀ).
            let order: &[i64] = if *which == "k" {
                &[0, 2, 3, 1]
            } else {
                &[0, 2, 1, 3]
            };
            qkv.push(b.op(
                "Transpose",
                &format!("{s}.attn/{which}_transpose"),
                &[&r],
                perm(order),
            )?);
        }
        drop((packed_w, packed_b));
        let scores = b.op(
            "MatMul",
            &format!("{s}.attn/qk_matmul"),
            &[&qkv[0], &qkv[1]],
            vec![],
        )?;
        let scaled = b.op(
            "Div",
            &format!("{s}.attn/qk_scale"),
            &[&scores, &sqrt_head_dim],
            vec![],
        )?;
        let probs = b.softmax(&scaled, &format!("{s}.attn"))?;
        let ctx = b.op(
            "MatMul",
            &format!("{s}.attn/av_matmul"),
            &[&probs, &qkv[2]],
            vec![],
        )?;
        let ctx = b.op(
            "Transpose",
            &format!("{s}.attn/merge_transpose"),
            &[&ctx],
            perm(&[0, 2, 1, 3]),
        )?;
        let ctx = b.op(
            "Reshape",
            &format!("{s}.attn/merge_heads"),
            &[&ctx, &tokens_shape],
            vec![],
        )?;
        let out = b.linear(&mut w, &ctx, &format!("{s}.attn.proj"))?;
        // Branch first: ORT's attention fusion follows the first `Add` input of the
        // SkipLayerNormalization it anchors on, which must be the attention output.
        x = b.op("Add", &format!("{s}/residual1"), &[&out, &x], vec![])?;

        // x = x + fc2(gelu(fc1(norm2(x))))
        let h = b.layer_norm(&mut w, &x, &format!("{s}.norm2"))?;
        let h = b.linear(&mut w, &h, &format!("{s}.mlp.fc1"))?;
        let h = b.gelu(&h, &format!("{s}.mlp"))?;
        let h = b.linear(&mut w, &h, &format!("{s}.mlp.fc2"))?;
        x = b.op("Add", &format!("{s}/residual2"), &[&h, &x], vec![])?;
    }

    // Final norm (float32 in both modes) -> embeddings; mean over tokens -> pooled.
    let x = if opts.fp16 {
        b.cast("norm/cast_fp32", &x, ElemType::F32)?
    } else {
        x
    };
    let nw = b.weight_as(&mut w, "norm.weight", ElemType::F32)?;
    let nb = b.weight_as(&mut w, "norm.bias", ElemType::F32)?;
    b.g.add_node(
        "LayerNormalization",
        "norm",
        &[&x, &nw, &nb],
        &[EMBEDDINGS_NAME],
        vec![
            ("axis", Attr::Int(-1)),
            ("epsilon", Attr::Float(LAYER_NORM_EPS)),
        ],
    )?;
    if opts.opset >= 18 {
        let axes = b.int64s("const.token_axis", &[1])?;
        b.g.add_node(
            "ReduceMean",
            "pool",
            &[EMBEDDINGS_NAME, &axes],
            &[POOLED_NAME],
            vec![("keepdims", Attr::Int(0))],
        )?;
    } else {
        b.g.add_node(
            "ReduceMean",
            "pool",
            &[EMBEDDINGS_NAME],
            &[POOLED_NAME],
            vec![("axes", Attr::Ints(vec![1])), ("keepdims", Attr::Int(0))],
        )?;
    }
    Ok(b.g)
}

fn perm(p: &[i64]) -> Vec<(&'static str, Attr)> {
    vec![("perm", Attr::Ints(p.to_vec()))]
}

/// Columns `part*d .. (part+1)*d` of a `[d, 3d]` packed qkv weight.
fn split_columns(t: &WeightTensor, part: usize, d: usize) -> WeightTensor {
    let cols = t.shape[1];
    let data = t
        .data
        .chunks_exact(cols)
        .flat_map(|row| row[part * d..(part + 1) * d].iter().copied())
        .collect();
    WeightTensor {
        shape: vec![t.shape[0], d],
        data,
    }
}

/// Elements `part*d .. (part+1)*d` of a `[3d]` packed qkv bias.
fn split_bias(t: &WeightTensor, part: usize, d: usize) -> WeightTensor {
    WeightTensor {
        shape: vec![d],
        data: t.data[part * d..(part + 1) * d].to_vec(),
    }
}

/// Little-endian bytes of `data` as `elem` (float32 or float16).
fn float_bytes(data: &[f32], elem: ElemType) -> Vec<u8> {
    match elem {
        ElemType::F16 => data
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect(),
        _ => data.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

/// The graph under construction plus the op helpers the encoder uses.
struct Ops {
    g: GraphBuilder,
    compute: ElemType,
    opts: GraphOptions,
}

impl Ops {
    /// One node with one output named like the node.
    fn op(
        &mut self,
        op: &str,
        name: &str,
        inputs: &[&str],
        attrs: Vec<(&str, Attr)>,
    ) -> Result<String> {
        self.g.add_node(op, name, inputs, &[name], attrs)?;
        Ok(name.to_string())
    }

    fn cast(&mut self, name: &str, input: &str, to: ElemType) -> Result<String> {
        self.op(
            "Cast",
            name,
            &[input],
            vec![("to", Attr::Int(to.onnx_code()))],
        )
    }

    fn int64s(&mut self, name: &str, values: &[i64]) -> Result<String> {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.g
            .add_initializer(name, ElemType::I64, vec![values.len()], bytes)
    }

    /// A scalar constant in the compute type.
    fn scalar(&mut self, name: &str, value: f32) -> Result<String> {
        self.g.add_initializer(
            name,
            self.compute,
            vec![],
            float_bytes(&[value], self.compute),
        )
    }

    /// An initializer in the compute type from a tensor the caller made.
    fn tensor(&mut self, name: &str, t: WeightTensor) -> Result<String> {
        let bytes = float_bytes(&t.data, self.compute);
        drop(t.data);
        self.g.add_initializer(name, self.compute, t.shape, bytes)
    }

    /// Moves parameter `key` into the graph as an initializer of the same name.
    fn weight(&mut self, w: &mut EncoderWeights, key: &str) -> Result<String> {
        let t = w.take(key)?;
        self.tensor(key, t)
    }

    fn weight_as(&mut self, w: &mut EncoderWeights, key: &str, elem: ElemType) -> Result<String> {
        let t = w.take(key)?;
        let bytes = float_bytes(&t.data, elem);
        drop(t.data);
        self.g.add_initializer(key, elem, t.shape, bytes)
    }

    /// `x @ W + b` with `W` `[in, out]`: [B,N,in] -> [B,N,out].
    fn linear(&mut self, w: &mut EncoderWeights, x: &str, scope: &str) -> Result<String> {
        let wt = self.weight(w, &format!("{scope}.weight"))?;
        let bt = self.weight(w, &format!("{scope}.bias"))?;
        let mm = self.op("MatMul", &format!("{scope}/matmul"), &[x, &wt], vec![])?;
        self.op("Add", &format!("{scope}/add"), &[&mm, &bt], vec![])
    }

    /// LayerNorm over the last axis; in float32 when the graph is float16.
    fn layer_norm(&mut self, w: &mut EncoderWeights, x: &str, scope: &str) -> Result<String> {
        let attrs = vec![
            ("axis", Attr::Int(-1)),
            ("epsilon", Attr::Float(LAYER_NORM_EPS)),
        ];
        let wk = format!("{scope}.weight");
        let bk = format!("{scope}.bias");
        if !self.opts.fp16 {
            let (wt, bt) = (self.weight(w, &wk)?, self.weight(w, &bk)?);
            return self.op("LayerNormalization", scope, &[x, &wt, &bt], attrs);
        }
        let (wt, bt) = (
            self.weight_as(w, &wk, ElemType::F32)?,
            self.weight_as(w, &bk, ElemType::F32)?,
        );
        let up = self.cast(&format!("{scope}/cast_fp32"), x, ElemType::F32)?;
        let ln = self.op("LayerNormalization", scope, &[&up, &wt, &bt], attrs)?;
        self.cast(&format!("{scope}/cast_fp16"), &ln, ElemType::F16)
    }

    /// Softmax over the last axis; in float32 when the graph is float16.
    fn softmax(&mut self, x: &str, scope: &str) -> Result<String> {
        let attrs = vec![("axis", Attr::Int(-1))];
        if !self.opts.fp16 {
            return self.op("Softmax", &format!("{scope}/softmax"), &[x], attrs);
        }
        let up = self.cast(&format!("{scope}/softmax_cast_fp32"), x, ElemType::F32)?;
        let sm = self.op("Softmax", &format!("{scope}/softmax"), &[&up], attrs)?;
        self.cast(&format!("{scope}/softmax_cast_fp16"), &sm, ElemType::F16)
    }

    /// Exact GELU: the opset-20 `Gelu` op, or `x * 0.5 * (1 + erf(x / √2))` before it (the
    /// sequence `torch.onnx.export` writes and ONNX Runtime fuses into one `Gelu`).
    fn gelu(&mut self, x: &str, scope: &str) -> Result<String> {
        if self.opts.opset >= 20 {
            return self.op("Gelu", &format!("{scope}/gelu"), &[x], vec![]);
        }
        let consts = ["const.gelu.sqrt2", "const.gelu.one", "const.gelu.half"];
        if !self.g.has_initializer(consts[0]) {
            self.scalar(consts[0], std::f32::consts::SQRT_2)?;
            self.scalar(consts[1], 1.0)?;
            self.scalar(consts[2], 0.5)?;
        }
        let div = self.op("Div", &format!("{scope}/gelu_div"), &[x, consts[0]], vec![])?;
        let erf = self.op("Erf", &format!("{scope}/gelu_erf"), &[&div], vec![])?;
        let add = self.op(
            "Add",
            &format!("{scope}/gelu_add"),
            &[&erf, consts[1]],
            vec![],
        )?;
        let mul = self.op("Mul", &format!("{scope}/gelu_mul"), &[x, &add], vec![])?;
        self.op("Mul", &format!("{scope}/gelu"), &[&mul, consts[2]], vec![])
    }
}
