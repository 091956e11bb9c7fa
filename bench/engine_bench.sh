#!/usr/bin/env bash
# Reproduces the engine table of docs/BENCHMARKS.md: the SRVGG x4
# architecture (64 features, 16 body convolutions; Real-ESRGAN's compact
# video model) with random weights, through `restore4k bench`, which measures
# the FP32 FMA peak in the same run.
#
#   bench/engine_bench.sh [backend] [seconds per tile]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${R4K_BUILD_DIR:-$root/build}"
backend="${1:-opencv}"
seconds="${2:-5}"
model="$(mktemp -d)/srvgg_x4.onnx"
"$build/tests/r4k-make-test-model" srvgg "$model" --scale 4 --features 64 --convs 16
"$build/apps/restore4k" bench --model "$model" --backend "$backend" --tile 64 128 256 \
  --seconds "$seconds" --peak-seconds 3
rm -rf "$(dirname "$model")"
