#!/usr/bin/env python3
"""Runs an encoder with Python onnxruntime on a tensor from a .safetensors file (default key `input`,
the official fixture's normalized images) and saves `pooled` with np.save. With --ours, also loads
our .npy with np.load (checking the writer) and fails if it differs by more than --tol.

  .venv/bin/python runtime/tests/python_ort_reference.py --model m.onnx \
      --safetensors fixtures/official-tiny/reference.safetensors --out ref.npy [--ours ours.npy]
"""
import argparse
import json
import struct
import sys

import numpy as np
import onnxruntime as ort

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}


def read_safetensors(path, key):
    """The safetensors layout: u64 header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    entry = header[key]
    start, end = entry["data_offsets"]
    raw = data[8 + n + start:8 + n + end]
    return np.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--safetensors", required=True)
    ap.add_argument("--key", default="input")
    ap.add_argument("--output", default="pooled", help="pooled or embeddings")
    ap.add_argument("--out", required=True)
    ap.add_argument("--ours")
    ap.add_argument("--tol", type=float, default=1e-5)
    args = ap.parse_args()
    pixels = np.ascontiguousarray(read_safetensors(args.safetensors, args.key), dtype=np.float32)
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    (result,) = session.run([args.output], {"pixels": pixels})
    np.save(args.out, result)
    if args.ours:
        ours = np.load(args.ours)
        if ours.dtype != np.float32 or ours.shape != result.shape:
            sys.exit(f"ours: dtype {ours.dtype} shape {ours.shape}, python onnxruntime: {result.dtype} {result.shape}")
        diff = float(np.abs(ours - result).max())
        print(f"max |ours - python onnxruntime| = {diff:.3g}")
        if not diff <= args.tol:
            sys.exit(f"difference {diff} exceeds {args.tol}")


if __name__ == "__main__":
    main()
