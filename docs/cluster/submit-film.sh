#!/bin/bash
# Restores one film on a Slurm cluster: writes the plan (once, here, before
# any task), submits its segments as an array job, and the join as a job
# that starts when every segment task has succeeded.
#
#   submit-film.sh INPUT PLAN_FOLDER OUTPUT SEGMENTS [restore4k video options...]
#   submit-film.sh /archive/reel-07.mkv /scratch/reel-07.plan /archive/reel-07-4k.mkv 16 --preset film-4k
#
# Prints the two job ids (segments, join). Every node must see the input,
# the plan folder and the output's folder at the same paths (a shared file
# system) and run the same restore4k build on the same instruction set.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
input=$1 plan=$2 output=$3 segments=$4
shift 4
restore4k video "$input" "$plan" --plan "$segments" "$@"
array=$(sbatch --parsable --array=0-$((segments - 1)) --output="$plan/segment-%a.log" \
  "$here/film-segment.sbatch" "$input" "$plan")
join=$(sbatch --parsable --dependency=afterok:"$array" --output="$plan/join.log" \
  "$here/film-join.sbatch" "$plan" "$output")
echo "$array $join"
