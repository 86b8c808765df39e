#!/usr/bin/env python3
"""Python baselines for `ijepa bench`: the same ONNX file, batch sizes and threads in Python
onnxruntime, and (when torch and the official I-JEPA code are available) PyTorch eager running the
official model. Same protocol as `ijepa bench`: `--warmup` untimed runs, then `--iters` timed runs of
the model alone on random normalized pixels; median / p90 latency and images/s = batch / median.

  .venv/bin/python scripts/bench_python_ort.py --model encoder.onnx --batch 1,8,32 --threads 2 \
      [--rust-json encoder.bench.json]   # print ours / python ratios from `ijepa bench --json`
      [--torch-ijepa-src ~/ijepa --torch-checkpoint fixtures/official-tiny/checkpoint.pth.tar]
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort


def summarize(batch, times_ms):
    times_ms = sorted(times_ms)
    n = len(times_ms)
    median = statistics.median(times_ms)
    p90 = times_ms[min(max(int(np.ceil(0.9 * n)), 1), n) - 1]  # nearest rank, as bench.rs
    return {"batch": batch, "iters": n, "median_ms": median, "p90_ms": p90,
            "mean_ms": sum(times_ms) / n, "images_per_s": batch / (median / 1e3)}


def time_fn(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def bench_ort(model, batches, threads, warmup, iters, crop):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    rows = []
    for batch in batches:
        pixels = rng.uniform(-2, 2, size=(batch, 3, crop, crop)).astype(np.float32)
        rows.append(summarize(batch, time_fn(lambda: session.run(["pooled"], {"pixels": pixels}), warmup, iters)))
    return rows


def bench_torch(src, checkpoint, meta, batches, threads, warmup, iters):
    """PyTorch eager on the official `VisionTransformer` (target encoder of an official checkpoint)."""
    import functools

    import torch
    sys.path.insert(0, src)
    from src.models.vision_transformer import VisionTransformer  # the official repository's layout

    crop, patch = int(meta["ijepa.crop_size"]), int(meta["ijepa.patch_size"])
    model = VisionTransformer(img_size=[crop], patch_size=patch, embed_dim=int(meta["ijepa.embed_dim"]),
                              depth=int(meta["ijepa.depth"]), num_heads=int(meta["ijepa.num_heads"]),
                              mlp_ratio=4, qkv_bias=True,
                              norm_layer=functools.partial(torch.nn.LayerNorm, eps=1e-6))
    if checkpoint:
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)["target_encoder"]
        model.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    model.eval()
    if threads:
        torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    rows = []
    with torch.inference_mode():
        for batch in batches:
            pixels = torch.rand(batch, 3, crop, crop, generator=gen) * 4 - 2
            rows.append(summarize(batch, time_fn(lambda: model(pixels).mean(dim=1), warmup, iters)))
    return rows


def print_table(title, rows):
    print(title)
    print(f"{'batch':>6} {'median ms':>12} {'p90 ms':>12} {'images/s':>12}")
    for r in rows:
        print(f"{r['batch']:>6} {r['median_ms']:>12.3f} {r['p90_ms']:>12.3f} {r['images_per_s']:>12.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", default="1,8,32")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--rust-json", help="an `ijepa bench` JSON report: print ours/python images/s ratios")
    ap.add_argument("--torch-ijepa-src", help="a checkout of facebookresearch/ijepa (enables PyTorch eager)")
    ap.add_argument("--torch-checkpoint", help="an official checkpoint whose target encoder to load")
    args = ap.parse_args()
    batches = [int(b) for b in args.batch.split(",")]
    meta = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"]).get_modelmeta().custom_metadata_map
    crop = int(meta["ijepa.crop_size"])
    threads_text = args.threads or "default"
    result = {"model": args.model, "threads": args.threads, "onnxruntime": ort.__version__,
              "python_ort": bench_ort(args.model, batches, args.threads, args.warmup, args.iters, crop)}
    print_table(f"python onnxruntime {ort.__version__} (threads: {threads_text})", result["python_ort"])
    if args.torch_ijepa_src:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("PyTorch eager: skipped (torch is not installed)")
        else:
            result["torch_eager"] = bench_torch(args.torch_ijepa_src, args.torch_checkpoint, meta, batches,
                                                args.threads, args.warmup, args.iters)
            print_table(f"PyTorch eager (threads: {threads_text})", result["torch_eager"])
    if args.rust_json:
        with open(args.rust_json) as f:
            ours = {r["batch"]: r for r in json.load(f)["rows"]}
        result["ratios"] = []
        print(f"{'batch':>6} {'ours img/s':>12} {'ours/py-ort':>12}" + (f" {'ours/torch':>12}" if "torch_eager" in result else ""))
        for i, row in enumerate(result["python_ort"]):
            if row["batch"] not in ours:
                continue
            mine = ours[row["batch"]]["images_per_s"]
            ratio = {"batch": row["batch"], "ours_images_per_s": mine, "vs_python_ort": mine / row["images_per_s"]}
            line = f"{row['batch']:>6} {mine:>12.1f} {ratio['vs_python_ort']:>12.2f}"
            if "torch_eager" in result:
                ratio["vs_torch_eager"] = mine / result["torch_eager"][i]["images_per_s"]
                line += f" {ratio['vs_torch_eager']:>12.2f}"
            result["ratios"].append(ratio)
            print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
