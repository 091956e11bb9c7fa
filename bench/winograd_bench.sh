#!/usr/bin/env bash
# Issue 17: the onednn backend with oneDNN's direct convolution everywhere
# (today's engine), with Winograd F(4x4,3x3) wherever a layer can take it, and
# autotuned (each layer measured, the faster kept), against ONNX Runtime CPU
# (npm onnxruntime-node, installed here into bench/ort_peer on first use) and
# OpenCV DNN, in one run, on
#   - SRVGG x4, 64 features x 16 convolutions (random weights),
#   - builtin:film-x4 (32 features x 10 convolutions, the film-4k preset's model),
#   - RRDBNet x4plus (64 features, growth 32, 23 blocks, random weights),
# at tiles 64/128/256, batch 1, the same thread count for every backend.
# GFLOPS are effective: the direct convolution's FLOPs (restore4k's count for
# the onednn backend) over the measured time, for every backend alike, so a
# Winograd layer can exceed 100 % of the FMA peak. The peak is measured by each
# restore4k bench call, in the same run; every share is of the best peak measured for that model.
#
# The machine is shared and noisy (other jobs only ever slow a measurement
# down): per model and tile the five configurations run one after the other,
# in alternating order (forward, then backward), REPEATS times; the table
# gives each configuration's best repeat, and ratios of those (with the range
# of the per-repeat ratios, configurations measured next to each other).
#
#   bench/winograd_bench.sh [seconds a measurement] [repeats]     # default 1.5 s, 3 repeats
#   R4K_BENCH_MODELS="srvgg film rrdb"   which models (default all three)
#   R4K_RRDB_TILES="64 128 256"          RRDBNet tiles (256 takes about 20 s a run on 2 AVX2 cores)
#   R4K_BENCH_THREADS=2                  threads for every backend (default: the number of cores)
#   R4K_BUILD_DIR=build-bench            restore4k build (default: build)
#   R4K_QUIET_MAX=45                     wait at most this long for a quiet CPU before each measurement
#   R4K_BENCH_KEEP=DIR                   keep the raw results (results.tsv) in DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${R4K_BUILD_DIR:-$root/build}"
[[ $build = /* ]] || build="$root/$build"
r4k="$build/apps/restore4k"
seconds="${1:-1.5}"
repeats="${2:-3}"
threads="${R4K_BENCH_THREADS:-$(nproc)}"
models=(${R4K_BENCH_MODELS:-srvgg film rrdb})
tiles=(64 128 256)
rrdb_tiles=(${R4K_RRDB_TILES:-64 128 256})
configs=(direct winograd autotuned onnxruntime opencv)
work="$(mktemp -d /tmp/r4k-winograd-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# AutoTune's cache in a fresh folder: the run tunes from nothing, in the warm-up.
export XDG_CACHE_HOME="$work/cache"

# ONNX Runtime, installed by the bench (not by setup).
peer="$root/bench/ort_peer"
if [[ ! -f $peer/node_modules/onnxruntime-node/package.json ]]; then
  echo "installing onnxruntime-node into $peer ..." >&2
  # Linux x64 packages carry the CPU runtime; the CUDA download is not wanted.
  (cd "$peer" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --no-audit --no-fund >&2)
fi

model_path() {  # srvgg|film|rrdb -> the ONNX file
  case $1 in
    srvgg) echo "$work/srvgg_x4_64x16.onnx" ;;
    rrdb) echo "$work/rrdbnet_x4.onnx" ;;
    film) "$r4k" models info builtin:film-x4 | sed -n 's/^file: *//p' ;;
  esac
}
model_spec() { [[ $1 == film ]] && echo builtin:film-x4 || model_path "$1"; }
model_tiles() { [[ $1 == rrdb ]] && echo "${rrdb_tiles[*]}" || echo "${tiles[*]}"; }
model_name() {
  case $1 in srvgg) echo "SRVGG x4 64x16" ;; film) echo "builtin:film-x4" ;; rrdb) echo "RRDBNet x4 (23 blocks)" ;; esac
}

"$build/tests/r4k-make-test-model" srvgg "$work/srvgg_x4_64x16.onnx" --scale 4 --features 64 --convs 16
"$build/tests/r4k-make-test-model" rrdb "$work/rrdbnet_x4.onnx" --features 64 --growth 32 --blocks 23

results="$work/results.tsv"   # model tile config repeat tiles_per_s peak_gflops flop_per_px
: > "$results"

# restore4k bench -> results rows. GFLOPS (one decimal) and the model's FLOPs
# per pixel give tiles/s to more digits than the printed tiles/s.
r4k_bench() {  # model tile config repeat backend extra-options...
  local model=$1 tile=$2 config=$3 repeat=$4 backend=$5 log="$work/last.log"
  shift 5
  if ! "$r4k" bench --model "$(model_spec "$model")" --backend "$backend" --threads "$threads" \
      --tile "$tile" --seconds "$seconds" --peak-seconds 0.5 "$@" > "$log" 2>&1; then
    echo "FAILED: restore4k bench $model $config:" >&2
    cat "$log" >&2
    return 0
  fi
  awk -v model="$model" -v config="$config" -v repeat="$repeat" '
    /^FP32 FMA peak:/ { peak = $4 }
    /FLOP per input pixel/ { for (i = 1; i <= NF; ++i) if ($i == "FLOP") flop = $(i - 1) }
    /^ *[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ / {
      tps = (flop > 0 && $4 > 0) ? $4 * 1e9 / (flop * $1 * $1) : $2
      printf "%s\t%d\t%s\t%d\t%.6g\t%s\t%s\n", model, $1, config, repeat, tps, peak, flop
    }' "$log" >> "$results"
  grep -E "^FP32|^ *[0-9]+ " "$log" | sed "s/^/  [$model $config r$repeat] /" >&2
}

ort_bench() {  # model tile repeat
  local model=$1 tile=$2 repeat=$3 log="$work/last.log"
  if ! node "$peer/ort_bench.js" "$(model_path "$model")" --tile "$tile" --seconds "$seconds" \
      --threads "$threads" --channels 3 > "$log" 2>&1; then
    echo "FAILED: onnxruntime $model:" >&2
    cat "$log" >&2
    return 0
  fi
  sed -n 's/^ort tile=\([0-9]*\) tiles_per_s=\([0-9.]*\).*/\1 \2/p' "$log" | while read -r tile tps; do
    printf "%s\t%d\tonnxruntime\t%d\t%s\t\t\n" "$model" "$tile" "$repeat" "$tps" >> "$results"
  done
  grep '^ort ' "$log" | sed "s/^/  [$model onnxruntime r$repeat] /" >&2
}

# quiet: wait for idle CPUs before a measurement (R4K_QUIET_MAX).
source "$root/bench/quiet_host.sh"

cache_text() { cat "$XDG_CACHE_HOME/restore4k/autotune.yaml" 2>/dev/null || true; }

# (--autotune true/false, not on/off: in this tree `restore4k bench --autotune on`
# reads as off — settings::as_boolean sees the unnormalised "on".)
run_config() {  # model tile config repeat
  quiet
  case $3 in
    direct) r4k_bench "$1" "$2" direct "$4" onednn --algorithm direct --autotune false ;;
    winograd) r4k_bench "$1" "$2" winograd "$4" onednn --algorithm winograd --autotune false ;;
    autotuned) r4k_bench "$1" "$2" autotuned "$4" onednn --algorithm auto --autotune true ;;
    onnxruntime) ort_bench "$1" "$2" "$4" ;;
    opencv) r4k_bench "$1" "$2" opencv "$4" opencv ;;
  esac
}

echo "restore4k $r4k (sources $(git -C "$build/.." log -1 --format=%h 2>/dev/null || echo "?"));" \
  "$threads threads; $seconds s a measurement;" \
  "$repeats repeats; $(date -u '+%F %H:%M UTC')" >&2
for model in "${models[@]}"; do
  # Warm-up: AutoTune measures and caches every layer at every tile here, so
  # no tuning is in the timed runs (the cache must not change after this).
  quiet
  start=$(date +%s.%N)
  # shellcheck disable=SC2046
  "$r4k" bench --model "$(model_spec "$model")" --backend onednn --threads "$threads" --tile $(model_tiles "$model") \
    --seconds 0 --peak-seconds 0 --algorithm auto --autotune true > "$work/last.log" 2>&1 || cat "$work/last.log" >&2
  end=$(date +%s.%N)
  cache_sum=$(cache_text | md5sum)
  echo "[$model] AutoTune warm-up (tuning + 4 runs a tile): $(awk "BEGIN { printf \"%.1f\", $end - $start }") s;" \
    "cache: $(cache_text | grep -c '|') choices" >&2
  for tile in $(model_tiles "$model"); do
    for ((r = 1; r <= repeats; r++)); do
      order=("${configs[@]}")
      if ((r % 2 == 0)); then order=(opencv onnxruntime autotuned winograd direct); fi
      for config in "${order[@]}"; do run_config "$model" "$tile" "$config" "$r"; done
    done
  done
  if [[ $(cache_text | md5sum) != "$cache_sum" ]]; then
    echo "[$model] WARNING: the AutoTune cache changed during the timed runs (tuning was timed)" >&2
  fi
  # What AutoTune chose for this model (the cache is keyed by the file's SHA-256), per tile.
  sha=$(sha256sum "$(model_path "$model")" | cut -d' ' -f1)
  for tile in $(model_tiles "$model"); do
    echo "[$model] AutoTune at tile $tile: $(cache_text | grep -F "|$sha|" | grep -E "@1x[0-9]+x${tile}x${tile}:" |
      sed 's/.*: //; s/-b[0-9]*$//' | sort | uniq -c | awk '{ printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1 }')" >&2
  done
done
[[ -n ${R4K_BENCH_KEEP:-} ]] && { mkdir -p "$R4K_BENCH_KEEP"; cp "$results" "$R4K_BENCH_KEEP/results.tsv"; }
python3 - "$results" "$threads" "$seconds" "$repeats" <<'EOF'
import collections, statistics, sys
path, threads, seconds, repeats = sys.argv[1:]
names = {"srvgg": "SRVGG x4 64×16", "film": "builtin:film-x4", "rrdb": "RRDBNet x4"}
configs = ["direct", "winograd", "autotuned", "onnxruntime", "opencv"]
tps = collections.defaultdict(dict)       # (model, tile) -> config -> {repeat: tiles/s}
peaks = collections.defaultdict(list)      # model -> peaks
flop = {}                                  # model -> onednn FLOP per input pixel (the direct count)
for line in open(path):
    model, tile, config, repeat, value, peak, f = (line.rstrip("\n").split("\t") + [""] * 7)[:7]
    tps[(model, int(tile))].setdefault(config, {})[int(repeat)] = float(value)
    if peak:
        peaks[model].append(float(peak))
    if f and config == "direct":
        flop[model] = float(f)

def mean(values):
    return sum(values) / len(values) if values else float("nan")

def best(values):
    return max(values) if values else float("nan")

def ratio(a, b, cell):
    common = sorted(set(cell.get(a, {})) & set(cell.get(b, {})))
    if not common:
        return "–"
    per = [cell[a][r] / cell[b][r] for r in common]
    whole = best(list(cell[a].values())) / best(list(cell[b].values()))
    spread = f" ({min(per):.2f}–{max(per):.2f})" if len(per) > 1 else ""
    return f"**{whole:.2f}**{spread}"

print()
print(f"Batch 1, {threads} threads, ≥ {seconds} s (and ≥ 3 runs) a measurement, {repeats} alternated repeats; tiles/s are")
print("each configuration's best repeat; a ratio is of the bests, with the range of the per-repeat ratios in brackets.")
for model in sorted({m for m, _ in tps}, key=["srvgg", "film", "rrdb"].index):
    p = best(peaks[model])
    print(f"- {names[model]}: {flop.get(model, float('nan')):,.0f} FLOP per input pixel (direct convolution); "
          f"FMA peak measured {min(peaks[model]):.1f}–{max(peaks[model]):.1f} GFLOPS (shares below: of the best, {p:.1f})")
print()
print("| model | tile | " + " | ".join(f"{c} tiles/s" for c in configs) + " | autotuned / direct | autotuned / ORT | winograd / direct |")
print("|---|---:|" + "---:|" * (len(configs) + 3))
rows = sorted(tps, key=lambda k: (["srvgg", "film", "rrdb"].index(k[0]), k[1]))
for key in rows:
    cell = tps[key]
    values = []
    for c in configs:
        v = list(cell.get(c, {}).values())
        values.append(f"{best(v):.3g}" if v else "failed")
    print(f"| {names[key[0]]} | {key[1]} | " + " | ".join(values) + f" | {ratio('autotuned', 'direct', cell)} | "
          f"{ratio('autotuned', 'onnxruntime', cell)} | {ratio('winograd', 'direct', cell)} |")
print()
print("Effective GFLOPS (the direct convolution's FLOPs over the best time) and share of the best FMA peak measured in the run:")
print()
print("| model | tile | " + " | ".join(configs) + " |")
print("|---|---:|" + "---:|" * len(configs))
for key in rows:
    cell = tps[key]
    model, tile = key
    p = best(peaks[model])
    values = []
    for c in configs:
        v = list(cell.get(c, {}).values())
        if not v or model not in flop:
            values.append("–")
            continue
        g = best(v) * flop[model] * tile * tile / 1e9
        values.append(f"{g:.1f} ({100 * g / p:.0f} %)")
    print(f"| {names[model]} | {tile} | " + " | ".join(values) + " |")
EOF
