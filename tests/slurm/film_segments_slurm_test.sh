#!/usr/bin/env bash
# A film over many machines under a real (private, single-node) Slurm:
# docs/cluster/submit-film.sh plans a 100-frame film into 4 segments, submits
# them as an array job (each task's index from SLURM_ARRAY_TASK_ID, the count
# from the plan) and the join with --dependency=afterok on the array. One
# task is requeued while it runs (scontrol requeue: SIGTERM, exit 75, run
# again), and the join still waits for it. The joined film must equal a
# single-machine run of the same job: decoded frames, video packets and
# audio packets (ffmpeg -f framemd5).
#   film_segments_slurm_test.sh RESTORE4K_BINARY
# Exit 77 (skipped) when the machine cannot run Slurm (not root, no munge).
set -u -o pipefail
restore4k=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "${here}/../.." && pwd)
# shellcheck source=tests/slurm/slurm_cluster.sh
source "${here}/slurm_cluster.sh"
slurm_test_begin film
framemd5() { ffmpeg -v error -i "$1" -map "0:$2" ${3:+-c copy} -f framemd5 - | grep -v '^#'; }
# The jobs find the program on the PATH, as a user's do.
export PATH="$(dirname "${restore4k}"):${PATH}"

film="${dir}/reel.mkv"
ffmpeg -v error -y -f lavfi -i "testsrc2=size=320x240:rate=25,eq=brightness='0.02*sin(n*1.7)':eval=frame,noise=alls=12:allf=t" \
  -f lavfi -i "sine=frequency=330:sample_rate=48000" -t 4 -c:v libx264 -bf 2 -g 12 -c:a aac -shortest "${film}" ||
  slurm_fail "ffmpeg could not make the film"
options=(--deflicker --deflicker-radius 4 --dust --denoise 1 --threads 1)

slurm_phase "the single-machine run"
restore4k video "${film}" "${dir}/single.mkv" "${options[@]}" > "${dir}/single.log" 2>&1 ||
  slurm_fail "single run: $(tail -3 "${dir}/single.log")"

mkdir -p "${dir}/slurm"
slurm_start "${dir}" || slurm_fail "the cluster did not start"
slurm_phase "submit-film.sh: plan, 4 segments as an array, the join after them"
cd "${dir}" || slurm_fail "no ${dir}"
read -r array join < <("${root}/docs/cluster/submit-film.sh" "${film}" "${dir}/plan" "${dir}/joined.mkv" 4 \
  "${options[@]}" 2> "${dir}/submit.log")
[[ -n ${array:-} && -n ${join:-} ]] || slurm_fail "submit-film.sh: $(cat "${dir}/submit.log")"
slurm_phase "array ${array}, join ${join}"

# Requeue task 1 once it is writing its segment (its partial file exists).
for ((i = 0; i < 600; i++)); do
  compgen -G "${dir}/plan/.segment-0001-of-0004.r4k-partial-*" > /dev/null && break
  [[ -f ${dir}/plan/segment-0001-of-0004.mkv ]] && slurm_fail "task 1 finished before it could be requeued"
  sleep 0.1
done
compgen -G "${dir}/plan/.segment-0001-of-0004.r4k-partial-*" > /dev/null || slurm_fail "task 1 never started writing"
slurm_phase "scontrol requeue ${array}_1 while it runs"
scontrol requeue "${array}_1" || slurm_fail "scontrol requeue ${array}_1"

slurm_wait_job "${join}" 280 > "${dir}/join-state.txt" || slurm_fail "the join did not complete: $(cat "${dir}/join-state.txt")"
states=$(slurm_job_states "${array}")
slurm_phase "array: $(echo "${states}" | tr '\n' ';')"
echo "${states}" | awk '$2 != "COMPLETED" { bad = 1 } END { exit bad }' || slurm_fail "not every task completed: ${states}"
restarts=$(echo "${states}" | awk -v t="${array}_1" '$1 == t { print $4 }')
[[ ${restarts} == 1 ]] || slurm_fail "task 1 ran ${restarts:-?} times more, not once: ${states}"
# Both runs are in its log (appended): the second found the first's partial file and did the segment again.
[[ $(grep -c "segment 1/4 (SLURM_ARRAY_TASK_ID)" "${dir}/plan/segment-1.log") == 2 ]] ||
  slurm_fail "task 1 did not run twice: $(cat "${dir}/plan/segment-1.log")"

slurm_phase "comparing the joined film with the single-machine run"
[[ -f ${dir}/joined.mkv ]] || slurm_fail "no joined film"
cmp -s <(framemd5 "${dir}/single.mkv" v) <(framemd5 "${dir}/joined.mkv" v) || slurm_fail "the decoded frames differ"
[[ $(framemd5 "${dir}/joined.mkv" v | wc -l) == 100 ]] || slurm_fail "the joined film does not hold 100 frames"
cmp -s <(framemd5 "${dir}/single.mkv" v copy) <(framemd5 "${dir}/joined.mkv" v copy) || slurm_fail "the video packets differ"
cmp -s <(framemd5 "${dir}/single.mkv" a copy) <(framemd5 "${dir}/joined.mkv" a copy) || slurm_fail "the audio packets differ"
slurm_phase "ok: 100 frames, video and audio packets identical"
