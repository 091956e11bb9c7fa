#!/usr/bin/env bash
# Rasters under a real (private, single-node) Slurm:
#  1. a batch of 5 GeoTIFFs as a 3-task array (docs/cluster/batch-array.sbatch,
#     the count from --shards, the index from SLURM_ARRAY_TASK_ID): every
#     output byte-identical to a single-machine batch, each file done once;
#  2. one raster in 3 shards plus the dependent join
#     (docs/cluster/submit-raster.sh): byte-identical to a single run.
#   raster_shards_slurm_test.sh RESTORE4K_BINARY
# Exit 77 (skipped) when the machine cannot run Slurm (not root, no munge).
set -u -o pipefail
restore4k=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "${here}/../.." && pwd)
# shellcheck source=tests/slurm/slurm_cluster.sh
source "${here}/slurm_cluster.sh"
slurm_test_begin raster
for tool in ffmpeg gdal_translate gdalinfo; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool missing (scripts/setup.sh installs it)"; exit 77; }
done
export PATH="$(dirname "${restore4k}"):${PATH}"

# GeoTIFFs of a moving test picture, 3 bands, georeferenced (UTM 33N).
scene() {  # scene NAME SIZE FRAME
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=$2:rate=25" -vf "select=eq(n\,$3)" -frames:v 1 "${dir}/$1.png" &&
    gdal_translate -q -of GTiff -a_srs EPSG:32633 -a_ullr 500000 4200000 $((500000 + 10 * ${2%x*})) \
      $((4200000 - 10 * ${2#*x})) -co TILED=YES -co BLOCKXSIZE=64 -co BLOCKYSIZE=64 "${dir}/$1.png" "$3" ||
    return 1
}
mkdir -p "${dir}/in" "${dir}/ref" "${dir}/out" "${dir}/big"
for i in 0 1 2 3 4; do scene "s$i" 192x128 "$i" && mv "$i" "${dir}/in/scene$i.tif" || slurm_fail "making scene $i"; done
scene big 640x512 7 && mv 7 "${dir}/big/scene.tif" || slurm_fail "making the big scene"
options=(--model builtin:bicubic-x2 --tile 128)

slurm_phase "single-machine references"
restore4k batch "${dir}/in/*.tif" "${dir}/ref" "${options[@]}" > "${dir}/ref.log" 2>&1 || slurm_fail "reference batch"
restore4k raster "${dir}/big/scene.tif" "${dir}/single.tif" "${options[@]}" > "${dir}/single.log" 2>&1 ||
  slurm_fail "reference raster"

slurm_start "${dir}" || slurm_fail "the cluster did not start"
cd "${dir}" || slurm_fail "no ${dir}"

slurm_phase "a batch of 5 files as a 3-task array"
timeout 120 sbatch --wait --array=0-2 --output="${dir}/out/batch-%a.log" "${root}/docs/cluster/batch-array.sbatch" \
  "${dir}/in/*.tif" "${dir}/out" 3 "${options[@]}" > /dev/null || slurm_fail "the batch array failed (rc $?)"
for i in 0 1 2 3 4; do
  cmp -s "${dir}/ref/scene$i.tif" "${dir}/out/scene$i.tif" || slurm_fail "scene$i.tif differs from the single-machine batch"
done
done_items=$(cat "${dir}"/out/restore4k-batch-report.shard-*-of-3.json | grep -c '"status": "done"')
[[ ${done_items} == 5 ]] || slurm_fail "the 3 shards did ${done_items} files, not 5 (each once)"

slurm_phase "one raster in 3 shards and the join"
read -r array join < <("${root}/docs/cluster/submit-raster.sh" "${dir}/big/scene.tif" "${dir}/big/joined.tif" 3 \
  "${options[@]}" 2> "${dir}/submit.log")
[[ -n ${array:-} && -n ${join:-} ]] || slurm_fail "submit-raster.sh: $(cat "${dir}/submit.log")"
slurm_wait_job "${join}" 200 > "${dir}/join-state.txt" || slurm_fail "the join did not complete: $(cat "${dir}/join-state.txt")"
slurm_job_states "${array}" | awk '$2 != "COMPLETED" { bad = 1 } END { exit bad }' ||
  slurm_fail "not every shard completed: $(slurm_job_states "${array}")"
cmp -s "${dir}/single.tif" "${dir}/big/joined.tif" || slurm_fail "the joined raster differs from the single run"
leftovers=$(find "${dir}/big" -name '.*' | wc -l)
[[ ${leftovers} == 0 ]] || slurm_fail "the join left ${leftovers} hidden files: $(find "${dir}/big" -name '.*')"
slurm_phase "ok: batch outputs and the joined raster byte-identical to single-machine runs"
