#!/bin/bash
# Upscales one raster too large for one machine's time on a Slurm cluster:
# N array tasks each compute their share of the tiles (tile t goes to shard
# t mod N) into the intermediate file next to OUTPUT that they share, each
# with its own journal; the join writes the GeoTIFF/COG once every shard has
# all its tiles.
#   submit-raster.sh INPUT OUTPUT.tif SHARDS [restore4k raster options...]
# Prints the two job ids (shards, join). Every node must see INPUT and
# OUTPUT's folder at the same paths (a shared file system).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
input=$1 output=$2 shards=$3
shift 3
logs="$(dirname "$output")"
array=$(sbatch --parsable --array=0-$((shards - 1)) --output="$logs/raster-shard-%a.log" \
  "$here/raster-shard.sbatch" "$input" "$output" "$shards" "$@")
join=$(sbatch --parsable --dependency=afterok:"$array" --output="$logs/raster-join.log" \
  "$here/raster-join.sbatch" "$input" "$output" "$shards" "$@")
echo "$array $join"
