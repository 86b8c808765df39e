#!/usr/bin/env python3
"""Writes a small ONNX encoder that honours the ijepa-rs encoder contract, for the runtime's tests
and benchmarks (the real exporter writes the same interface):

  input  `pixels`     float32 [batch, 3, crop, crop]   (batch symbolic unless --fixed-batch)
  output `embeddings` float32 [batch, tokens, dim]     (after a final LayerNorm)
  output `pooled`     float32 [batch, dim]             (mean over tokens)
  metadata ijepa.crop_size, ijepa.patch_size, ijepa.embed_dim, ijepa.depth, ijepa.num_heads,
           ijepa.encoder, ijepa.mean, ijepa.std, ijepa.source

The graph is a ViT: patchify Conv, + position embedding, `depth` pre-norm blocks (attention and an
exact-erf GELU MLP), final LayerNorm, ReduceMean. Weights are seeded random numbers.
  .venv/bin/python runtime/tests/make_test_model.py --out /tmp/tiny.onnx                 # 48/8, dim 64, depth 1
  .venv/bin/python runtime/tests/make_test_model.py --out /tmp/vits.onnx --crop 224 --patch 16 --dim 384 --depth 12 --heads 6
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8


def build(crop, patch, dim, depth, heads, fixed_batch, seed, pooled=True, mean=None, std=None):
    rng = np.random.default_rng(seed)
    grid = crop // patch
    tokens = grid * grid
    inits, nodes = [], []

    def weight(name, shape, scale=None):
        fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
        scale = scale if scale is not None else 1.0 / np.sqrt(fan_in)
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name))
        return name

    def const(name, value, dtype=np.float32):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def layer_norm(x, prefix, out=None):
        w = const(f"{prefix}.weight", 1.0 + 0.1 * rng.standard_normal(dim))
        b = const(f"{prefix}.bias", 0.1 * rng.standard_normal(dim))
        return node("LayerNormalization", [x, w, b], out or f"{prefix}.out", axis=-1, epsilon=1e-6)

    def linear(x, prefix, fan_out):
        fan_in = dim if not prefix.endswith("fc2") else 4 * dim
        w = weight(f"{prefix}.weight_t", [fan_in, fan_out])
        b = const(f"{prefix}.bias", 0.02 * rng.standard_normal(fan_out))
        return node("Add", [node("MatMul", [x, w], f"{prefix}.mm"), b], f"{prefix}.out")

    x = node("Conv", ["pixels", weight("patch_embed.proj.weight", [dim, 3, patch, patch]),
                      const("patch_embed.proj.bias", 0.02 * rng.standard_normal(dim))],
             "patch_embed.out", kernel_shape=[patch, patch], strides=[patch, patch])
    x = node("Reshape", [x, const("shape_bdt", [0, dim, -1], np.int64)], "patch_embed.flat")
    x = node("Transpose", [x], "patch_embed.tokens", perm=[0, 2, 1])
    x = node("Add", [x, weight("pos_embed", [1, tokens, dim], 0.1)], "tokens.0")
    head_dim = dim // heads
    for i in range(depth):
        p = f"blocks.{i}"
        h = layer_norm(x, f"{p}.norm1")
        qkv = linear(h, f"{p}.attn.qkv", 3 * dim)
        qkv = node("Reshape", [qkv, const(f"{p}.qkv_shape", [0, 0, 3, heads, head_dim], np.int64)], f"{p}.qkv5")
        qkv = node("Transpose", [qkv], f"{p}.qkv_t", perm=[2, 0, 3, 1, 4])  # [3, B, heads, T, hd]
        q, k, v = (node("Gather", [qkv, const(f"{p}.idx{j}", j, np.int64)], f"{p}.{n}", axis=0)
                   for j, n in enumerate("qkv"))
        kt = node("Transpose", [k], f"{p}.kt", perm=[0, 1, 3, 2])
        scores = node("Mul", [node("MatMul", [q, kt], f"{p}.qk"), const(f"{p}.scale", head_dim ** -0.5)], f"{p}.scores")
        attn = node("Softmax", [scores], f"{p}.attn", axis=-1)
        o = node("Transpose", [node("MatMul", [attn, v], f"{p}.av")], f"{p}.av_t", perm=[0, 2, 1, 3])
        o = node("Reshape", [o, const(f"{p}.merge_shape", [0, 0, dim], np.int64)], f"{p}.merged")
        x = node("Add", [x, linear(o, f"{p}.attn.proj", dim)], f"{p}.res1")
        h = linear(layer_norm(x, f"{p}.norm2"), f"{p}.mlp.fc1", 4 * dim)
        erf = node("Erf", [node("Mul", [h, const(f"{p}.inv_sqrt2", 2 ** -0.5)], f"{p}.hs")], f"{p}.erf")
        gelu = node("Mul", [node("Mul", [h, const(f"{p}.half", 0.5)], f"{p}.hh"),
                            node("Add", [erf, const(f"{p}.one", 1.0)], f"{p}.erf1")], f"{p}.gelu")
        x = node("Add", [x, linear(gelu, f"{p}.mlp.fc2", dim)], f"{p}.res2")
    layer_norm(x, "norm", out="embeddings")
    outputs = [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, [fixed_batch or "batch", tokens, dim])]
    if pooled:
        node("ReduceMean", ["embeddings"], "pooled", axes=[1], keepdims=0)
        outputs.append(helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [fixed_batch or "batch", dim]))
    graph = helper.make_graph(
        nodes, "ijepa_test_encoder",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, [fixed_batch or "batch", 3, crop, crop])],
        outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make_test_model.py")
    model.ir_version = IR_VERSION
    meta = {
        "ijepa.crop_size": str(crop), "ijepa.patch_size": str(patch), "ijepa.embed_dim": str(dim),
        "ijepa.depth": str(depth), "ijepa.num_heads": str(heads), "ijepa.encoder": "target",
        "ijepa.mean": mean or "0.485,0.456,0.406", "ijepa.std": std or "0.229,0.224,0.225",
        "ijepa.source": f"make_test_model.py seed={seed}",
    }
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--crop", type=int, default=48)
    ap.add_argument("--patch", type=int, default=8)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=1)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--fixed-batch", type=int, default=None)
    ap.add_argument("--no-pooled", action="store_true", help="omit the `pooled` output")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    model = build(args.crop, args.patch, args.dim, args.depth, args.heads, args.fixed_batch, args.seed,
                  pooled=not args.no_pooled)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
