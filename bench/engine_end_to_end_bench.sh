#!/usr/bin/env bash
# Issue 17 end to end: `restore4k video --preset film-4k` (builtin:film-x4) and
# `restore4k raster --model builtin:clean-x2` with the engine before and after a
# change, in one run: two restore4k builds, runs alternated (before, after,
# after, before, ...), each configuration warmed up once untimed (AutoTune
# measures and caches its layers then, in a fresh $XDG_CACHE_HOME), wall time
# of the whole command (model loading included).
#
#   bench/engine_end_to_end_bench.sh BEFORE_RESTORE4K AFTER_RESTORE4K [FRAMES] [REPEATS] [RASTER_SIZE]
#   (defaults: 24 frames of the demo's degraded PAL clip, 3 repeats, a 1536x1536 3-band uint16 GeoTIFF)
#   R4K_RASTER_MODEL=builtin:clean-x2   the raster's model
#   R4K_AFTER_OPTIONS="--autotune true" options given to the after build only
#   R4K_QUIET_MAX=45                    wait at most this long for a quiet CPU before each run
#
# "before" is usually a build of the commit before the change:
#   git worktree add /tmp/r4k-before COMMIT~1
#   cmake -S /tmp/r4k-before -B build-before -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-before restore4k
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
before="${1:?usage: engine_end_to_end_bench.sh BEFORE_RESTORE4K AFTER_RESTORE4K [FRAMES] [REPEATS] [RASTER_SIZE]}"
after="${2:?usage: engine_end_to_end_bench.sh BEFORE_RESTORE4K AFTER_RESTORE4K [FRAMES] [REPEATS] [RASTER_SIZE]}"
frames="${3:-24}"
repeats="${4:-3}"
raster_size="${5:-1536}"
raster_model="${R4K_RASTER_MODEL:-builtin:clean-x2}"
read -r -a after_options <<< "${R4K_AFTER_OPTIONS:-}"
work="$(mktemp -d /tmp/r4k-e2e-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"

# The demo's degraded PAL clip (interlaced MPEG-2, flicker, grain), as bench/film_segments_bench.sh makes it.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=720x576:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t "$(awk "BEGIN { print $frames / 25 }")" \
  -vf "eq=brightness='0.04*sin(2*PI*t*5.3)':eval=frame,noise=alls=12:allf=t,setsar=16/15" \
  -flags +ilme+ildct -top 1 -c:v mpeg2video -b:v 8M -pix_fmt yuv420p -colorspace bt470bg \
  -color_primaries bt470bg -color_trc smpte170m -color_range tv -c:a ac3 -ac 2 -shortest "$work/film.mkv"
# A georeferenced 3-band uint16 GeoTIFF with real structure (as bench/raster_bench.sh makes it).
gdal_translate -q -ot UInt16 -scale 0 255 100 4000 -outsize "$raster_size" "$raster_size" -r bilinear \
  -a_srs EPSG:32633 -a_ullr 500000 6000000 510240 5989760 -a_nodata 0 -co TILED=YES \
  "${R4K_SHARED_DIR:-$root/../shared}/data/raster/RGB.byte.tif" "$work/scene.tif"

# quiet: wait for idle CPUs before a measurement (R4K_QUIET_MAX).
source "$root/bench/quiet_host.sh"

wall() {  # wall seconds of a command (its output in $work/last.log)
  local start end
  start=$(date +%s.%N)
  if ! "$@" > "$work/last.log" 2>&1; then
    echo "FAILED: $*" >&2
    cat "$work/last.log" >&2
    echo nan
    return
  fi
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}
run() {  # run before|after video|raster -> wall seconds
  local binary="$before" options=()
  if [[ $1 == after ]]; then binary="$after"; options=("${after_options[@]}"); fi
  rm -rf "$work/out"
  mkdir -p "$work/out"
  quiet
  case $2 in
    video) wall "$binary" video "$work/film.mkv" "$work/out/film-4k.mkv" --preset film-4k "${options[@]}" ;;
    raster) wall "$binary" raster "$work/scene.tif" "$work/out/scene_x2.tif" --model "$raster_model" "${options[@]}" ;;
  esac
}

declare -A times
echo "before: $before; after: $after ${after_options[*]}; $frames frames of 720x576 PAL (film-4k);" \
  "raster ${raster_size}x${raster_size} x3 uint16 ($raster_model); $repeats repeats; $(date -u '+%F %H:%M UTC')" >&2
for job in video raster; do
  for build in before after; do
    t=$(run "$build" "$job")
    echo "warm-up $job $build: $t s" >&2
  done
  for ((r = 1; r <= repeats; r++)); do
    order=(before after)
    ((r % 2 == 0)) && order=(after before)
    for build in "${order[@]}"; do
      t=$(run "$build" "$job")
      echo "repeat $r $job $build: $t s" >&2
      times[$job-$build]+="$t "
    done
  done
done

python3 - "$frames" "$raster_size" "$raster_model" "${times[video-before]}" "${times[video-after]}" \
  "${times[raster-before]}" "${times[raster-after]}" <<'EOF'
import sys
frames, size, model = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
series = [[float(x) for x in a.split()] for a in sys.argv[4:8]]
def mean(v): return sum(v) / len(v)
print()
print("| run | before s (each) | after s (each) | before | after | after / before |")
print("|---|---|---|---:|---:|---:|")
for (name, unit, amount), b, a in [(("`restore4k video --preset film-4k`, %d frames 720×576" % frames, "frames/s", frames),
                                     series[0], series[1]),
                                   (("`restore4k raster --model %s`, %d×%d x3" % (model, size, size), "MP/s in",
                                     size * size / 1e6), series[2], series[3])]:
    per = [bb / aa for bb, aa in zip(b, a)]
    print(f"| {name} | {' '.join(f'{x:.1f}' for x in b)} | {' '.join(f'{x:.1f}' for x in a)} | "
          f"{amount / mean(b):.3f} {unit} | {amount / mean(a):.3f} {unit} | **{mean(b) / mean(a):.2f}** "
          f"({min(per):.2f}–{max(per):.2f}) |")
EOF
