#!/usr/bin/env bash
# Issue 18: int8 QDQ models against their fp32 originals on the onednn
# backend, in one run, on
#   - SRVGG x4, 64 features x 16 convolutions (random weights; compressed here
#     with `restore4k models compress ... --calibration builtin`),
#   - builtin:film-x4 against builtin:film-x4-int8,
# at tiles 128 and 256, batch 1, three configurations per tile:
#   direct     fp32, oneDNN's direct convolution on every layer
#   autotuned  fp32, AutoTune's choice per layer (Winograd or direct; cache
#              filled by an untimed warm-up)
#   int8       the QDQ model (precision auto: int8)
# alternated (forward, then backward) REPEATS times; the table gives each
# configuration's best repeat and the ratios, with the range of per-repeat
# ratios. The convolutions' own time per tile (oneDNN's exec times under
# ONEDNN_VERBOSE, summed over convolution primitives) is measured for direct
# and int8 beside it. Then ONNX Runtime (npm onnxruntime-node, installed into
# bench/ort_peer on first use) runs each QDQ file and its fp32 original
# (ort_peer/ort_qdq_check.js: PSNR of one against the other), and times both.
#
#   bench/int8_bench.sh [seconds a measurement] [repeats]     # default 1.5 s, 3 repeats
#   R4K_BENCH_THREADS=2   threads (default: the cores)
#   R4K_BUILD_DIR=build   restore4k build
#   R4K_QUIET_MAX=45      wait at most this long for idle CPUs before each measurement
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${R4K_BUILD_DIR:-$root/build}"
[[ $build = /* ]] || build="$root/$build"
r4k="$build/apps/restore4k"
seconds="${1:-1.5}"
repeats="${2:-3}"
threads="${R4K_BENCH_THREADS:-$(nproc)}"
tiles=(128 256)
configs=(direct autotuned int8)
work="$(mktemp -d /tmp/r4k-int8-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
source "$root/bench/quiet_host.sh"

peer="$root/bench/ort_peer"
if [[ ! -f $peer/node_modules/onnxruntime-node/package.json ]]; then
  echo "installing onnxruntime-node into $peer ..." >&2
  (cd "$peer" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --no-audit --no-fund >&2)
fi

"$build/tests/r4k-make-test-model" srvgg "$work/srvgg.onnx" --scale 4 --features 64 --convs 16
"$r4k" models compress "$work/srvgg.onnx" -o "$work/srvgg-int8.onnx" --calibration builtin >&2
film="$("$r4k" models info builtin:film-x4 | sed -n 's/^file: *//p')"
film_int8="$("$r4k" models info builtin:film-x4-int8 | sed -n 's/^file: *//p')"
fp32_of() { [[ $1 == srvgg ]] && echo "$work/srvgg.onnx" || echo "$film"; }
int8_of() { [[ $1 == srvgg ]] && echo "$work/srvgg-int8.onnx" || echo "$film_int8"; }

results="$work/results.tsv"   # model tile config repeat tiles_per_s
: > "$results"
bench_one() {  # model tile config repeat
  local model=$1 tile=$2 config=$3 repeat=$4 file options=()
  case $config in
    direct) file=$(fp32_of "$model"); options=(--algorithm direct --autotune false) ;;
    autotuned) file=$(fp32_of "$model"); options=(--algorithm auto --autotune true) ;;
    int8) file=$(int8_of "$model"); options=(--autotune false) ;;
  esac
  quiet
  "$r4k" bench --model "$file" --threads "$threads" --tile "$tile" --seconds "$seconds" --peak-seconds 0 \
    "${options[@]}" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 0; }
  awk -v m="$model" -v c="$config" -v r="$repeat" '/^ *[0-9]+ +[0-9.]+ / { printf "%s\t%d\t%s\t%d\t%s\n", m, $1, c, r, $2 }' \
    "$work/last.log" >> "$results"
  grep -E "^ *[0-9]+ " "$work/last.log" | sed "s/^/  [$model $config r$repeat] /" >&2
}

# Milliseconds of convolution primitives per tile (ONEDNN_VERBOSE exec times).
conv_ms() {  # file tile options...
  local file=$1 tile=$2 convs
  shift 2
  convs=$("$r4k" models info "$file" | sed -n 's/.*Conv x\([0-9]*\).*/\1/p')
  quiet
  ONEDNN_VERBOSE=1 "$r4k" bench --model "$file" --threads "$threads" --tile "$tile" --seconds "$seconds" \
    --peak-seconds 0 "$@" 2>&1 | awk -F, -v convs="$convs" '
      $2 == "exec" && $4 == "convolution" { total += $NF; ++n }
      END { if (n > 0) printf "%.3f", total / (n / convs) }'
}

echo "restore4k $r4k (sources $(git -C "$root" log -1 --format=%h 2>/dev/null || echo "?")); $threads threads;" \
  "$seconds s a measurement; $repeats repeats; $(date -u '+%F %H:%M UTC'); oneDNN ISA: $(ONEDNN_VERBOSE=1 "$r4k" \
  models info builtin:clean-x2 2>&1 | sed -n 's/.*cpu,isa:\(.*\)/\1/p' | head -1)" >&2
conv_table="$work/conv.tsv"
: > "$conv_table"
for model in srvgg film; do
  "$r4k" bench --model "$(fp32_of "$model")" --threads "$threads" --tile "${tiles[@]}" --seconds 0 --peak-seconds 0 \
    --algorithm auto --autotune true > /dev/null 2>&1   # AutoTune's warm-up, untimed
  for tile in "${tiles[@]}"; do
    for ((r = 1; r <= repeats; r++)); do
      order=("${configs[@]}")
      ((r % 2 == 0)) && order=(int8 autotuned direct)
      for config in "${order[@]}"; do bench_one "$model" "$tile" "$config" "$r"; done
    done
    printf "%s\t%d\t%s\t%s\n" "$model" "$tile" "$(conv_ms "$(fp32_of "$model")" "$tile" --algorithm direct --autotune false)" \
      "$(conv_ms "$(int8_of "$model")" "$tile" --autotune false)" >> "$conv_table"
  done
done

echo >&2
ort_lines="$work/ort.txt"
: > "$ort_lines"
for model in srvgg film; do
  for tile in 64 128; do
    node "$peer/ort_qdq_check.js" "$(fp32_of "$model")" "$(int8_of "$model")" --tile "$tile" --threads "$threads" \
      | sed "s/^/$model /" >> "$ort_lines"
  done
  for file in "$(fp32_of "$model")" "$(int8_of "$model")"; do
    node "$peer/ort_bench.js" "$file" --tile "${tiles[@]}" --seconds "$seconds" --threads "$threads" \
      | grep '^ort ' | sed "s|^|$model $(basename "$file") |" >> "$ort_lines"
  done
done

python3 - "$results" "$conv_table" "$ort_lines" <<'EOF'
import collections, sys
results, conv, ort = sys.argv[1:]
names = {"srvgg": "SRVGG x4 64×16", "film": "builtin:film-x4"}
tps = collections.defaultdict(lambda: collections.defaultdict(dict))
for line in open(results):
    m, t, c, r, v = line.split("\t")
    tps[(m, int(t))][c][int(r)] = float(v)
convs = {}
for line in open(conv):
    m, t, d, q = line.rstrip("\n").split("\t")
    convs[(m, int(t))] = (float(d), float(q)) if d and q else None
def ratio(cell, a, b):
    common = sorted(set(cell[a]) & set(cell[b]))
    if not common: return "–"
    per = [cell[a][r] / cell[b][r] for r in common]
    return f"**{max(cell[a].values()) / max(cell[b].values()):.2f}** ({min(per):.2f}–{max(per):.2f})"
print("| model | tile | direct fp32 tiles/s | autotuned fp32 tiles/s | int8 tiles/s | int8 / direct | int8 / autotuned | convolutions: direct ms → int8 ms a tile (×) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for (m, t) in sorted(tps, key=lambda k: (["srvgg", "film"].index(k[0]), k[1])):
    cell = tps[(m, t)]
    best = {c: max(cell[c].values()) if cell[c] else float("nan") for c in ("direct", "autotuned", "int8")}
    c = convs.get((m, t))
    conv_text = f"{c[0]:.2f} → {c[1]:.2f} (**{c[0] / c[1]:.2f}**)" if c else "–"
    print(f"| {names[m]} | {t} | {best['direct']:.2f} | {best['autotuned']:.2f} | {best['int8']:.2f} | "
          f"{ratio(cell, 'int8', 'direct')} | {ratio(cell, 'int8', 'autotuned')} | {conv_text} |")
print()
print("ONNX Runtime on the same files:")
print()
print("```")
print(open(ort).read().rstrip())
print("```")
EOF
