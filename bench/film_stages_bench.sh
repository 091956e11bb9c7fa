#!/usr/bin/env bash
# Per-stage cost of the film-4k chain on 720x576 frames, measured in one run:
# the chain is run without queues (one thread carries every stage in turn),
# cut after each stage; a stage's cost is the time its prefix adds. Usage:
#   bench/film_stages_bench.sh [FRAMES] [MODEL]
# (defaults: 30 frames, builtin:film-x4 — the preset's model; builtin:bicubic-x4
# measures the chain around a classical x4).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${R4K_BUILD_DIR:-$root/build}"
frames="${1:-30}"
model="${2:-builtin:film-x4}"
export GST_PLUGIN_PATH="$build/pipeline"
# A moving test picture with grain (ffmpeg's testsrc2), stored losslessly.
clip="$(mktemp -d)/film-bench.mkv"
trap 'rm -rf "$(dirname "$clip")"' EXIT
ffmpeg -v error -y -f lavfi -i "testsrc2=size=720x576:rate=25" -frames:v "$frames" -vf "noise=alls=10:allf=t,setsar=16/15" \
  -c:v ffv1 -pix_fmt yuv420p "$clip"
source="filesrc location=$clip ! matroskademux ! avdec_ffv1 ! \
video/x-raw,format=I420,width=720,height=576 ! videoconvert ! video/x-raw,format=I420,colorimetry=bt601"
stages=(
  "identity"
  "r4kdeflicker"
  "r4kdustbust"
  "r4kdenoise"
  "r4ksuperres model=$model"
  "r4kfit width=3840 height=2160"
  "videoconvert primaries-mode=fast ! video/x-raw,colorimetry=bt709"
)
names=(decode-and-source deflicker dustbust denoise "superres-${model#builtin:}" fit-3840x2160 colour-bt709)
chain="$source"
previous=0
total=0
declare -a costs
for i in "${!stages[@]}"; do
  chain="$chain ! ${stages[$i]}"
  start=$(date +%s.%N)
  gst-launch-1.0 -q $chain ! fakesink >/dev/null
  end=$(date +%s.%N)
  elapsed=$(echo "$end - $start" | bc -l)
  costs[$i]=$(echo "$elapsed - $previous" | bc -l)
  previous=$elapsed
done
total=$previous
echo "film-4k chain on $frames frames of 720x576 (one thread through the chain): total ${total} s"
printf "%-22s %10s %8s\n" stage "s/frame" share
for i in "${!stages[@]}"; do
  printf "%-22s %10.4f %7.1f%%\n" "${names[$i]}" "$(echo "${costs[$i]} / $frames" | bc -l)" \
    "$(echo "100 * ${costs[$i]} / $total" | bc -l)"
done
