#!/usr/bin/env python3
"""Strict checks of an exported I-JEPA encoder with the reference ONNX tools.

    .venv/bin/python scripts/check_onnx.py MODEL.onnx [MODEL.onnx ...]
        onnx.checker.check_model(full_check=True) and the metadata the runtime needs.
    .venv/bin/python scripts/check_onnx.py MODEL.onnx --reference fixtures/official-tiny/reference.safetensors \
        --key target_encoder_output [--fp16]
        also run it with onnxruntime on the fixture's `input` and compare with the reference.
    .venv/bin/python scripts/check_onnx.py MODEL.onnx --fusions
        list what ONNX Runtime's optimizers fuse (session-level ORT_ENABLE_ALL, and the
        onnxruntime.transformers optimizer with model_type="vit").

Exits non-zero on the first failure. The Rust tests in exporter/tests/ call it.
"""
import argparse
import collections
import json
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

REQUIRED_METADATA = [
    "ijepa.crop_size", "ijepa.patch_size", "ijepa.embed_dim", "ijepa.depth", "ijepa.num_heads",
    "ijepa.encoder", "ijepa.mean", "ijepa.std", "ijepa.source",
]
# float32 export vs the official PyTorch outputs: both are float32 on CPU, differing only in
# summation order, so 1e-4 absolute is far above the noise (~1e-6) and far below a real bug.
MAX_ABS_F32 = 1e-4
# float16 export: ~3 decimal digits per op through a few blocks; 2e-2 relative error norm.
MAX_REL_F16 = 2e-2


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": np.float32, "I64": np.int64, "F64": np.float64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = raw[8 + n + a:8 + n + b]
        out[name] = np.frombuffer(buf, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def check(path):
    onnx.checker.check_model(str(path), full_check=True)
    model = onnx.load(str(path), load_external_data=False)
    meta = {p.key: p.value for p in model.metadata_props}
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        sys.exit(f"{path}: metadata_props lacks {missing}")
    inputs = [i.name for i in model.graph.input]
    outputs = [o.name for o in model.graph.output]
    if inputs != ["pixels"] or outputs != ["embeddings", "pooled"]:
        sys.exit(f"{path}: inputs {inputs} / outputs {outputs}, expected ['pixels'] / ['embeddings', 'pooled']")
    batch = model.graph.input[0].type.tensor_type.shape.dim[0]
    if batch.dim_param != "batch":
        sys.exit(f"{path}: the batch dimension is not symbolic 'batch'")
    print(f"{path}: check_model(full_check=True) ok, opset {model.opset_import[0].version}, "
          f"{len(model.graph.node)} nodes, metadata {meta}")


def compare(path, reference, key, fp16):
    ref = read_safetensors(reference)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    emb, pooled = sess.run(["embeddings", "pooled"], {"pixels": ref["input"]})
    for got, want_key in [(emb, key), (pooled, key.replace("_output", "_mean_pooled"))]:
        want = ref[want_key]
        if fp16:
            rel = float(np.linalg.norm(got - want) / np.linalg.norm(want))
            print(f"{path}: {want_key} relative error {rel:.3e} (limit {MAX_REL_F16})")
            if not rel <= MAX_REL_F16:
                sys.exit(f"{path}: relative error {rel} over {MAX_REL_F16}")
        else:
            err = float(np.abs(got - want).max())
            print(f"{path}: {want_key} max abs error {err:.3e} (limit {MAX_ABS_F32})")
            if not err <= MAX_ABS_F32:
                sys.exit(f"{path}: max abs error {err} over {MAX_ABS_F32}")


def fusions(path):
    model = onnx.load(str(path), load_external_data=False)
    before = collections.Counter(n.op_type for n in model.graph.node)
    print(f"original graph: {dict(before)}")
    with tempfile.TemporaryDirectory() as tmp:
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.optimized_model_filepath = str(Path(tmp) / "opt.onnx")
        ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        opt = onnx.load(opts.optimized_model_filepath, load_external_data=False)
        after = collections.Counter(
            (n.domain + "." if n.domain else "") + n.op_type for n in opt.graph.node)
        print(f"ORT session ORT_ENABLE_ALL (CPU): {dict(after)}")
    meta = {p.key: p.value for p in model.metadata_props}
    try:
        import sympy  # noqa: F401  (the transformers optimizer's shape inference needs it)
    except ImportError:
        print("onnxruntime.transformers optimizer skipped: it needs sympy (pip install sympy)")
        return
    from onnxruntime.transformers.optimizer import optimize_model
    opt = optimize_model(str(path), model_type="vit", num_heads=int(meta["ijepa.num_heads"]),
                         hidden_size=int(meta["ijepa.embed_dim"]), opt_level=0)
    print(f"onnxruntime.transformers optimize_model(model_type='vit'): "
          f"{opt.get_fused_operator_statistics()}")
    print(f"  node types: {dict(collections.Counter(n.op_type for n in opt.model.graph.node))}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--reference", type=Path)
    ap.add_argument("--key", default="target_encoder_output")
    ap.add_argument("--fp16", action="store_true", help="compare with the float16 tolerance")
    ap.add_argument("--fusions", action="store_true")
    args = ap.parse_args()
    for path in args.models:
        check(path)
        if args.reference:
            compare(path, args.reference, args.key, args.fp16)
        if args.fusions:
            fusions(path)


if __name__ == "__main__":
    main()
