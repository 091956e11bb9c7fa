#!/usr/bin/env bash
# What splitting a film over N machines costs: the CPU time (user + system,
# of restore4k and everything it runs) of the plan, the N segment tasks and
# the join, against a single-machine run of the same job, measured in one
# run with the configurations alternated and repeated. The segments run one
# after the other here (this machine has 2 cores); on a cluster they run at
# once, so the wall time on M machines is about
#   single-run time x (CPU(N) / CPU(single)) / min(N, M) + the join.
#   bench/film_segments_bench.sh [FRAMES] [REPEATS] [restore4k video options...]
# Defaults: 100 frames of the demo's degraded PAL clip (interlaced MPEG-2,
# flicker, grain, dust), 2 repeats, --preset film-4k.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
restore4k="${R4K_BUILD_DIR:-$root/build}/apps/restore4k"
frames="${1:-100}"
repeats="${2:-2}"
shift $(($# > 2 ? 2 : $#))
options=("$@")
((${#options[@]})) || options=(--preset film-4k)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
seconds=$(awk "BEGIN { print $frames / 25 }")
ffmpeg -v error -y -f lavfi -i "testsrc2=size=720x576:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t "$seconds" -vf "eq=brightness='0.04*sin(2*PI*t*5.3)':eval=frame,noise=alls=12:allf=t,setsar=16/15" \
  -flags +ilme+ildct -top 1 -c:v mpeg2video -b:v 8M -pix_fmt yuv420p -colorspace bt470bg \
  -color_primaries bt470bg -color_trc smpte170m -color_range tv -c:a ac3 -ac 2 -shortest "$work/film.mkv"

# CPU seconds (user + system, children included) of a command line.
cpu_of() {
  local before after pid=$BASHPID
  before=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat")
  "$@" >/dev/null 2>&1
  after=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat")
  awk "BEGIN { print ($after - $before) / $(getconf CLK_TCK) }"
}
single() { "$restore4k" video "$work/film.mkv" "$work/single.mkv" "${options[@]}"; }
split() {
  local n=$1 plan="$work/plan-$1"
  rm -rf "$plan" "$work/joined-$n.mkv"
  "$restore4k" video "$work/film.mkv" "$plan" --plan "$n" "${options[@]}"
  for ((k = 0; k < n; k++)); do "$restore4k" video "$work/film.mkv" "$plan" --segment "$k"; done
  "$restore4k" join "$plan" "$work/joined-$n.mkv"
}
declare -A total
for n in single 1 2 4; do total[$n]=0; done
for ((r = 1; r <= repeats; r++)); do
  order=(single 1 2 4)
  ((r % 2 == 0)) && order=(4 2 1 single)
  for n in "${order[@]}"; do
    # (the shell's own children are counted: run each in a subshell)
    if [[ $n == single ]]; then t=$( (cpu_of single) ); else t=$( (cpu_of split "$n") ); fi
    echo "repeat $r: $n: $t CPU-s"
    total[$n]=$(awk "BEGIN { print ${total[$n]} + $t }")
  done
done
for n in 1 2 4; do
  echo "N=$n: CPU ratio to N=1 $(awk "BEGIN { printf \"%.3f\", ${total[$n]} / ${total[1]} }")"
done
for n in 1 2 4; do
  cmp_frames=$(diff <(ffmpeg -v error -i "$work/single.mkv" -map 0:v -f framemd5 -) \
                    <(ffmpeg -v error -i "$work/joined-$n.mkv" -map 0:v -f framemd5 -) >/dev/null && echo identical || echo DIFFERENT)
  echo "N=$n: CPU ratio to the single run $(awk "BEGIN { printf \"%.3f\", ${total[$n]} / ${total[single]} }"), frames $cmp_frames"
done
echo "frames: $frames; options: ${options[*]}; repeats: $repeats"
