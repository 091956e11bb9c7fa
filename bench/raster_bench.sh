#!/usr/bin/env bash
# Raster benchmark: peak resident memory and throughput of `restore4k raster`
# on generated 3-band uint16 GeoTIFFs of growing size at x2, against
#  - the engine alone on the same tile windows (restore4k bench), and
#  - gdal_translate -r cubic -outsize 200% 200% (the classical reference for I/O).
# Peak memory must not grow with the image size.
#
#   bench/raster_bench.sh [SIZES...]     # default: 8192 16384 32768
#   R4K_BENCH_DIR=/big/disk bench/raster_bench.sh
#
# Needs about 2 + 10 x (size/8192)^2 GB of free disk for the largest size.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
r4k="${R4K_EXECUTABLE:-$root/build/apps/restore4k}"
work="${R4K_BENCH_DIR:-$(mktemp -d /tmp/r4k-raster-bench.XXXXXX)}"
mkdir -p "$work"
sizes=("${@:-8192 16384 32768}")
# shellcheck disable=SC2206
sizes=(${sizes[*]})
seed="$work/seed.tif"
model="${R4K_RASTER_MODEL:-builtin:bicubic-x2}"   # R4K_RASTER_MODEL=m.onnx for an engine-bound run

# A seed with real structure: the Landsat RGB.byte.tif of ../shared, as uint16, georeferenced.
gdal_translate -q -ot UInt16 -scale 0 255 100 4000 -outsize 1024 1024 -r bilinear \
  -a_srs EPSG:32633 -a_ullr 500000 6000000 510240 5989760 -a_nodata 0 \
  "${R4K_SHARED_DIR:-$root/../shared}/data/raster/RGB.byte.tif" "$seed"

measure() {  # measure NAME COMMAND... -> "seconds peak_kib"
  local log="$work/$1.time"
  shift
  /usr/bin/time -f "%e %M" -o "$log" "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log"; return 1; }
  cat "$log"
}

printf "%-7s %-24s %10s %12s %12s\n" size run seconds "peak MiB" "in MP/s"
for size in "${sizes[@]}"; do
  input="$work/in-$size.tif"
  gdal_translate -q -outsize "$size" "$size" -r bilinear -co TILED=YES -co BLOCKXSIZE=256 -co BLOCKYSIZE=256 \
    -co COMPRESS=ZSTD -co PREDICTOR=2 -co BIGTIFF=YES -co NUM_THREADS=ALL_CPUS "$seed" "$input"
  megapixels=$(python3 -c "print($size*$size/1e6)")

  read -r seconds peak < <(measure "r4k-$size" "$r4k" raster "$input" "$work/out-$size.tif" --model "$model" \
    --compress zstd --log-level warn)
  tiles=$(( ((size + 255) / 256) * ((size + 255) / 256) ))
  printf "%-7s %-24s %10.1f %12.0f %12.2f  (%d tiles, %.1f tiles/s)\n" "$size" "restore4k raster" "$seconds" \
    "$((peak / 1024))" "$(python3 -c "print($megapixels/$seconds)")" "$tiles" "$(python3 -c "print($tiles/$seconds)")"
  gdalinfo "$work/out-$size.tif" | grep -E "^Size is|^Pixel Size|NoData" | sort -u | sed 's/^/        /'
  rm -f "$work/out-$size.tif"

  read -r seconds peak < <(measure "gdal-$size" gdal_translate -q -r cubic -outsize 200% 200% -co TILED=YES \
    -co BLOCKXSIZE=512 -co BLOCKYSIZE=512 -co COMPRESS=ZSTD -co PREDICTOR=2 -co BIGTIFF=YES \
    -co NUM_THREADS=ALL_CPUS "$input" "$work/gdal-$size.tif")
  printf "%-7s %-24s %10.1f %12.0f %12.2f\n" "$size" "gdal_translate -r cubic" "$seconds" "$((peak / 1024))" \
    "$(python3 -c "print($megapixels/$seconds)")"
  rm -f "$work/gdal-$size.tif" "$input"
done

# The engine alone on the windows restore4k used: 256 px cores (the inputs'
# blocks; --tile 512 leaves room for one block after the halo) plus the
# model's receptive field on each side.
halo=$("$r4k" models info "$model" | sed -n 's/^receptive field: *\([0-9]*\) px.*/\1/p')
window=$((256 + 2 * halo))
echo "engine alone on ${window}x${window} windows (halo $halo):"
"$r4k" bench --model "$model" --tile "$window" --seconds 5 --peak-seconds 0 | tail -2
rm -rf "$work"
