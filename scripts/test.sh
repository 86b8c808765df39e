#!/usr/bin/env bash
# The project's test command (README.md): installs ONNX Runtime into .venv/ if missing, then runs
# every test: the workspace (release: the models run optimized) and the burn-import round trip,
# which lives outside the workspace because of a protobuf version clash.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if ! ls .venv/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so* >/dev/null 2>&1; then
  scripts/install-onnxruntime.sh
fi
ORT_DYLIB_PATH="$(ls "$root"/.venv/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so* | head -n 1)"
export ORT_DYLIB_PATH
export IJEPA_PYTHON="$root/.venv/bin/python"
cargo test --release --workspace
if [ -f tests/burn-import-roundtrip/Cargo.toml ]; then
  # dev profile: compiles much faster than release and the tiny model runs fast either way
  cargo test --manifest-path tests/burn-import-roundtrip/Cargo.toml
fi
