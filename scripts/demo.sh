#!/usr/bin/env bash
# Sets restore4k up (scripts/setup.sh) and runs the main job on the built-in
# default: a synthetic test chart upscaled x4, tile by tile.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
restore4k="${R4K_BUILD_DIR:-$root/build}/apps/restore4k"
out="$root/out/demo"
mkdir -p "$out"
"$restore4k" sample-image "$out/chart.png" --width 480 --height 270
"$restore4k" image "$out/chart.png" "$out/chart_x4.png"
echo
echo "demo: input  $out/chart.png"
echo "demo: output $out/chart_x4.png (x4)"
