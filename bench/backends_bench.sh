#!/usr/bin/env bash
# Reproduces the backend table of docs/BENCHMARKS.md: the native onednn
# backend against opencv, in the same run, on the SRVGG x4 architecture
# (Real-ESRGAN compact: 64 features, 16 convolutions) at tiles 64/128/256 and
# RRDBNet (Real-ESRGAN x4plus: 64 features, growth 32, 23 blocks) at 64/128.
#
#   bench/backends_bench.sh [seconds per tile]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${R4K_BUILD_DIR:-$root/build}"
seconds="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$build/tests/r4k-make-test-model" srvgg "$work/srvgg_x4.onnx" --scale 4 --features 64 --convs 16
"$build/tests/r4k-make-test-model" rrdb "$work/rrdbnet_x4.onnx" --features 64 --growth 32 --blocks 23
for backend in onednn opencv; do
  "$build/apps/restore4k" bench --model "$work/srvgg_x4.onnx" --backend "$backend" --tile 64 128 256 \
    --seconds "$seconds" --peak-seconds 2
done
for backend in onednn opencv; do
  "$build/apps/restore4k" bench --model "$work/rrdbnet_x4.onnx" --backend "$backend" --tile 64 128 \
    --seconds "$seconds" --peak-seconds 0
done
