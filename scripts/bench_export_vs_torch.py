#!/usr/bin/env python3
"""ONNX Runtime throughput of our exported encoder vs the graph `torch.onnx.export` makes from
the official PyTorch model with the same weights, on the same threads. A benchmark, not a test.

    cargo run --release -- export --checkpoint fixtures/official-tiny/checkpoint.pth.tar \
        --config configs/tiny.yaml --encoder target --out out/tiny-target.onnx
    .venv/bin/python scripts/bench_export_vs_torch.py --ours out/tiny-target.onnx \
        --checkpoint fixtures/official-tiny/checkpoint.pth.tar --encoder target --threads 2

Without torch installed it benchmarks our graph alone and says that the comparison was skipped.
The official model is rebuilt from the classes of facebookresearch/ijepa
(src/models/vision_transformer.py, commit 52c1ae95), with the same module names, so the
checkpoint's state dict loads into it unchanged.
"""
import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort


def session(path, threads):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def bench(sess, pixels, seconds):
    name = sess.get_inputs()[0].name
    for _ in range(3):
        sess.run(None, {name: pixels})
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        sess.run(None, {name: pixels})
        runs += 1
    elapsed = time.perf_counter() - start
    return runs * pixels.shape[0] / elapsed


def official_model(torch, meta, hidden):
    """The official I-JEPA VisionTransformer (no masks, eval mode)."""
    nn = torch.nn

    class MLP(nn.Module):
        def __init__(self, dim, hidden):
            super().__init__()
            self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    class Attention(nn.Module):
        def __init__(self, dim, num_heads):
            super().__init__()
            self.num_heads = num_heads
            self.scale = (dim // num_heads) ** -0.5
            self.qkv, self.proj = nn.Linear(dim, dim * 3, bias=True), nn.Linear(dim, dim)

        def forward(self, x):
            B, N, C = x.shape
            qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
            return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))

    class Block(nn.Module):
        def __init__(self, dim, num_heads, hidden):
            super().__init__()
            self.norm1, self.attn = nn.LayerNorm(dim, eps=1e-6), Attention(dim, num_heads)
            self.norm2, self.mlp = nn.LayerNorm(dim, eps=1e-6), MLP(dim, hidden)

        def forward(self, x):
            x = x + self.attn(self.norm1(x))
            return x + self.mlp(self.norm2(x))

    class PatchEmbed(nn.Module):
        def __init__(self, patch, dim):
            super().__init__()
            self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

        def forward(self, x):
            return self.proj(x).flatten(2).transpose(1, 2)

    class VisionTransformer(nn.Module):
        def __init__(self, img, patch, dim, depth, num_heads, hidden):
            super().__init__()
            self.patch_embed = PatchEmbed(patch, dim)
            self.pos_embed = nn.Parameter(torch.zeros(1, (img // patch) ** 2, dim), requires_grad=False)
            self.blocks = nn.ModuleList([Block(dim, num_heads, hidden) for _ in range(depth)])
            self.norm = nn.LayerNorm(dim, eps=1e-6)

        def forward(self, x):
            x = self.patch_embed(x) + self.pos_embed
            for blk in self.blocks:
                x = blk(x)
            return self.norm(x)

    dim = int(meta["ijepa.embed_dim"])
    return VisionTransformer(int(meta["ijepa.crop_size"]), int(meta["ijepa.patch_size"]), dim,
                             int(meta["ijepa.depth"]), int(meta["ijepa.num_heads"]), hidden)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ours", type=Path, required=True, help="ONNX file written by `ijepa export`")
    ap.add_argument("--checkpoint", type=Path, required=True, help="the checkpoint it was exported from")
    ap.add_argument("--encoder", choices=["target", "context"], default="target")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    args = ap.parse_args()

    model = onnx.load(str(args.ours), load_external_data=False)
    meta = {p.key: p.value for p in model.metadata_props}
    size = int(meta["ijepa.crop_size"])
    rng = np.random.default_rng(0)
    pixels = rng.standard_normal((args.batch, 3, size, size), dtype=np.float32)

    ours = session(args.ours, args.threads)
    ours_ips = bench(ours, pixels, args.seconds)
    print(f"ours ({args.ours.name}, opset {model.opset_import[0].version}, {len(model.graph.node)} nodes): "
          f"{ours_ips:.1f} images/s "
          f"(batch {args.batch}, {args.threads} threads)")

    try:
        import torch
    except ImportError:
        print("torch is not installed: skipping the torch.onnx.export comparison "
              "(pip install torch, then rerun)")
        return

    torch.set_num_threads(args.threads)
    fc1 = next(t for t in model.graph.initializer if t.name == "blocks.0.mlp.fc1.weight")
    net = official_model(torch, meta, fc1.dims[1]).eval()
    key = {"target": "target_encoder", "context": "encoder"}[args.encoder]
    state = torch.load(args.checkpoint, map_location="cpu", weights_only=False)[key]
    net.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    opset = model.opset_import[0].version
    a = ours.run(["embeddings"], {"pixels": pixels})[0]
    with tempfile.TemporaryDirectory() as tmp:
        for label, dynamo in [("TorchScript exporter", False), ("dynamo exporter", True)]:
            path = Path(tmp) / f"torch-{dynamo}.onnx"
            try:
                with torch.no_grad():
                    torch.onnx.export(net, (torch.from_numpy(pixels[:1]),), str(path), input_names=["pixels"],
                                      output_names=["embeddings"], dynamic_axes={"pixels": {0: "batch"}},
                                      opset_version=opset, dynamo=dynamo)
                theirs = session(path, args.threads)
            except Exception as err:  # an exporter that fails is reported, not fatal
                print(f"torch.onnx.export ({label}) failed: {err}")
                continue
            b = theirs.run(None, {theirs.get_inputs()[0].name: pixels})[0]
            ops = len(onnx.load(str(path), load_external_data=False).graph.node)
            torch_ips = bench(theirs, pixels, args.seconds)
            # Measure ours again right after, so that both see the same machine load.
            ours_again = bench(ours, pixels, args.seconds)
            print(f"torch.onnx.export ({label}, {ops} nodes, max abs diff to ours {np.abs(a - b).max():.1e}): "
                  f"{torch_ips:.1f} images/s; ours again {ours_again:.1f} images/s; "
                  f"ratio ours / torch: {ours_again / torch_ips:.3f}")


if __name__ == "__main__":
    main()
