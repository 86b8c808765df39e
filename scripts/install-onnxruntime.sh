#!/usr/bin/env bash
# Installs ONNX Runtime (the shared library our runtime loads with `ort`'s load-dynamic) and the
# Python tools the tests compare against into `.venv/` at the project root.
#   scripts/install-onnxruntime.sh          # CPU: onnxruntime 1.32.0 (ort 2.0.0-rc.15 needs >= 1.31)
#   IJEPA_ORT_GPU=1 scripts/install-onnxruntime.sh   # onnxruntime-gpu (CUDA + TensorRT providers)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
pkg="onnxruntime==1.32.0"
if [ "${IJEPA_ORT_GPU:-0}" = "1" ]; then pkg="onnxruntime-gpu==1.31.1"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "$pkg" "onnx>=1.17" numpy
lib=$(ls "$venv"/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so* | head -n 1)
echo "ONNX Runtime library: $lib"
