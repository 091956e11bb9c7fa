# shellcheck shell=bash
# A private single-node Slurm cluster for the tests. Source this file; do not
# run it. See tests/slurm/README.md.
#
#   slurm_can_run                 0 if this machine can run the harness, else
#                                 prints one line (the reason) to stderr, 1
#   slurm_start DIR               munged + slurmctld + slurmd, all files under
#                                 DIR, on loopback; exports SLURM_CONF; waits
#                                 until the node is idle
#   slurm_stop DIR                stops all of it (idempotent)
#   slurm_cleanup DIR             slurm_stop, then removes DIR unless
#                                 R4K_KEEP_SLURM_DIR=1 (for EXIT traps)
#   slurm_wait_job JOBID [SECS]   waits until the job (every array task) has
#                                 left the queue; prints one line per task
#   slurm_job_states JOBID        one line per task: ID STATE EXIT RESTARTS
#   slurm_logs DIR                dumps the daemons' logs and the queue
#
# R4K_SLURM_OVERSUBSCRIBE (read by slurm_start): the partition's OverSubscribe,
# FORCE:4 by default (up to 4 jobs per core); NO for one job per core.
# R4K_KEEP_SLURM_DIR=1 (read by slurm_cleanup): keep DIR for debugging.
#
# Everything the cluster writes (slurm.conf, state, spool, logs, pid files,
# the munge key, socket and seed) lives under DIR; nothing in /etc, /var or
# /run is read or written, and a system munged (if any) is never used.
# Call slurm_start in the test's own shell (not in $(...)): it exports
# SLURM_CONF there, which sbatch, squeue, scontrol and the jobs then use.

# The daemons live in /usr/sbin, which a non-login PATH may lack.
case ":${PATH}:" in
  *:/usr/sbin:*) ;;
  *) PATH="${PATH}:/usr/sbin" ;;
esac

_SLURM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

_slurm_say() { echo "slurm_cluster: $*" >&2; }

slurm_can_run() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "the Slurm harness needs root (slurmd runs jobs as root, munged as the munge user)" >&2
    return 1
  fi
  local tool
  for tool in munged munge unmunge slurmctld slurmd sbatch squeue scontrol sinfo scancel ss setpriv setsid timeout; do
    if ! command -v "${tool}" > /dev/null 2>&1; then
      echo "the Slurm harness needs '${tool}' (Debian: slurm-wlm, munge, iproute2, util-linux, coreutils)" >&2
      return 1
    fi
  done
  if ! id -u munge > /dev/null 2>&1; then
    echo "the Slurm harness needs a 'munge' user (Debian package munge)" >&2
    return 1
  fi
  return 0
}

# Absolute, symlink-free path of an existing directory.
_slurm_dir() {
  if [[ -z ${1:-} || ! -d $1 ]]; then
    _slurm_say "not a directory: '${1:-}'"
    return 1
  fi
  (cd "$1" && pwd -P)
}

# True when nothing listens on TCP port $1.
_slurm_port_free() {
  ! ss -Hltn 2> /dev/null | awk '{print $4}' | grep -Eq "[:.]$1\$"
}

# Two consecutive free ports below the ephemeral range: prints "CTLD SLURMD".
_slurm_pick_ports() {
  local try base
  for ((try = 0; try < 200; try++)); do
    base=$((10000 + (RANDOM * 32768 + RANDOM) % 22000))
    if _slurm_port_free "${base}" && _slurm_port_free $((base + 1)); then
      echo "${base} $((base + 1))"
      return 0
    fi
  done
  _slurm_say "found no two free TCP ports"
  return 1
}

# PID from a pid file when that process is alive and is the named daemon.
_slurm_pid_of() {
  local file=$1 name=$2 pid
  [[ -r ${file} ]] || return 1
  pid=$(tr -dc '0-9' < "${file}")
  [[ -n ${pid} && -r /proc/${pid}/comm ]] || return 1
  [[ $(cat "/proc/${pid}/comm" 2> /dev/null) == "${name}"* ]] || return 1
  echo "${pid}"
}

# Processes that belong to the cluster in $1: the daemons (and whatever they
# started, e.g. slurmstepd) carry R4K_SLURM_DAEMON_OF=$1 in their environment;
# job processes carry SLURM_CONF=$1/slurm.conf and a SLURM_JOB_ID. This shell
# and its ancestors are never listed (a test may itself run inside a job).
_slurm_cluster_pids() {
  local dir=$1 keep=" " p=${BASHPID} env_file pid
  while [[ -n ${p} && ${p} -gt 1 ]]; do
    keep+="${p} "
    p=$(awk '/^PPid:/ {print $2}' "/proc/${p}/status" 2> /dev/null)
  done
  for env_file in /proc/[0-9]*/environ; do
    pid=${env_file#/proc/}
    pid=${pid%/environ}
    [[ ${keep} == *" ${pid} "* ]] && continue
    if { tr '\0' '\n' < "${env_file}"; } 2> /dev/null |
      awk -v d="R4K_SLURM_DAEMON_OF=${dir}" -v c="SLURM_CONF=${dir}/slurm.conf" '
          $0 == d { daemon = 1 } $0 == c { conf = 1 } /^SLURM_JOB_ID=/ { job = 1 }
          END { exit !(daemon || (conf && job)) }'; then
      echo "${pid}"
    fi
  done
}

# Sends TERM to the given PIDs, waits up to $1 seconds, then KILLs the rest.
_slurm_kill_wait() {
  local secs=$1 pid alive i
  shift
  [[ $# -gt 0 ]] || return 0
  kill -TERM "$@" 2> /dev/null
  for ((i = 0; i < secs * 10; i++)); do
    alive=0
    for pid in "$@"; do
      if kill -0 "${pid}" 2> /dev/null && [[ $(awk '{print $3}' "/proc/${pid}/stat" 2> /dev/null) != Z ]]; then
        alive=1
      fi
    done
    [[ ${alive} -eq 0 ]] && return 0
    sleep 0.1
  done
  kill -KILL "$@" 2> /dev/null
  sleep 0.2
  return 0
}

slurm_logs() {
  local dir f
  dir=$(_slurm_dir "${1:-}") || return 1
  for f in "${dir}/log/slurmctld.log" "${dir}/log/slurmd.log" "${dir}/munge/munged.log" \
    "${dir}/log/slurmctld.stdout" "${dir}/log/slurmd.stdout" "${dir}/log/munged.stdout"; do
    [[ -s ${f} ]] || continue
    echo "===== ${f} (last 150 lines) =====" >&2
    tail -n 150 "${f}" >&2
  done
  if [[ -f ${dir}/slurm.conf ]]; then
    echo "===== sinfo / squeue / scontrol show job =====" >&2
    SLURM_CONF="${dir}/slurm.conf" timeout 10 sinfo -N -l >&2 2>&1
    SLURM_CONF="${dir}/slurm.conf" timeout 10 squeue -l >&2 2>&1
    SLURM_CONF="${dir}/slurm.conf" timeout 10 scontrol -o show job >&2 2>&1
  fi
  return 0
}

_slurm_write_conf() {
  local dir=$1 ctld_port=$2 slurmd_port=$3 node=$4 hw=$5 cluster=$6
  cat > "${dir}/slurm.conf" << EOF
# Written by tests/slurm/slurm_cluster.sh: a private single-node cluster.
ClusterName=${cluster}
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=${ctld_port}
SlurmdPort=${slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=${dir}/munge/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/run/slurmctld.pid
SlurmdPidFile=${dir}/run/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=${dir}/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
MailProg=/bin/true
ReturnToService=2
JobRequeue=1
KillWait=2
MinJobAge=900
InactiveLimit=0
SlurmdTimeout=300
NodeName=${node} NodeAddr=127.0.0.1 ${hw} State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=${R4K_SLURM_OVERSUBSCRIBE:-FORCE:4}
EOF
  : > "${dir}/plugstack.conf"
}

# Kills the daemons of $1 without touching munged; used between attempts.
_slurm_stop_slurm_daemons() {
  local dir=$1 pids=() pid
  pid=$(_slurm_pid_of "${dir}/run/slurmd.pid" slurmd) && pids+=("${pid}")
  pid=$(_slurm_pid_of "${dir}/run/slurmctld.pid" slurmctld) && pids+=("${pid}")
  _slurm_kill_wait 10 "${pids[@]}"
  rm -f "${dir}/run/slurmd.pid" "${dir}/run/slurmctld.pid"
}

# Runs a command as the munge user (no PAM session, environment kept).
_slurm_as_munge() {
  setpriv --reuid=munge --regid=munge --init-groups --inh-caps=-all -- "$@"
}

_slurm_start_munge() {
  local dir=$1 sock i
  sock="${dir}/munge/munge.socket"
  # munged (as user munge) must reach its socket directory through DIR.
  chmod 0711 "${dir}"
  mkdir -p "${dir}/munge"
  chown munge:munge "${dir}/munge"
  chmod 0711 "${dir}/munge"
  if [[ ! -s ${dir}/munge/munge.key ]]; then
    if command -v mungekey > /dev/null 2>&1; then
      _slurm_as_munge mungekey --create --keyfile="${dir}/munge/munge.key" || return 1
    else
      dd if=/dev/urandom of="${dir}/munge/munge.key" bs=1024 count=1 status=none || return 1
    fi
  fi
  chown munge:munge "${dir}/munge/munge.key"
  chmod 0400 "${dir}/munge/munge.key"
  _slurm_as_munge env R4K_SLURM_DAEMON_OF="${dir}" munged \
    --socket="${sock}" --key-file="${dir}/munge/munge.key" \
    --log-file="${dir}/munge/munged.log" --pid-file="${dir}/munge/munged.pid" \
    --seed-file="${dir}/munge/munged.seed" --num-threads=2 \
    < /dev/null >> "${dir}/log/munged.stdout" 2>&1 || {
    _slurm_say "munged did not start"
    return 1
  }
  for ((i = 0; i < 100; i++)); do
    if [[ -S ${sock} ]] && munge -n -S "${sock}" 2> /dev/null | unmunge -S "${sock}" > /dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  _slurm_say "munged does not answer on ${sock}"
  return 1
}

# Waits up to $3 seconds until node $2 of the cluster in $1 is idle. Returns
# 0 then; 2 at once when a daemon's port was taken; 1 otherwise (a daemon
# died, or the node never became idle).
_slurm_wait_idle() {
  local dir=$1 node=$2 secs=$3 state="" started=${SECONDS}
  while ((SECONDS - started < secs)); do
    state=$(SLURM_CONF="${dir}/slurm.conf" timeout 5 sinfo -h -N -n "${node}" -o '%T' 2> /dev/null | head -n 1)
    [[ ${state} == idle ]] && return 0
    if grep -qs 'Address already in use' "${dir}/log/slurmctld.log" "${dir}/log/slurmd.log"; then
      return 2
    fi
    # The daemons write their pid files as they start; one that is gone after
    # that (a fatal error in its log) will not come back.
    if ((SECONDS - started >= 3)) &&
      ! { _slurm_pid_of "${dir}/run/slurmctld.pid" slurmctld && _slurm_pid_of "${dir}/run/slurmd.pid" slurmd; } > /dev/null; then
      sleep 0.5
      grep -qs 'Address already in use' "${dir}/log/slurmctld.log" "${dir}/log/slurmd.log" && return 2
      _slurm_say "slurmctld or slurmd exited while starting"
      return 1
    fi
    sleep 0.5
  done
  _slurm_say "node ${node} is '${state:-unknown}', not idle, after ${secs} s"
  return 1
}

# The start time of process $1 (field 22 of /proc/PID/stat), empty when it is
# gone or a zombie.
_slurm_proc_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- ${stat}
  [[ $1 != Z ]] || return 1
  echo "${20}"
}

# Runs in the background (see _slurm_start_watchdog): stops the cluster in $1
# once process $2 (the test script) is gone, however it ended.
_slurm_watch() {
  local dir=$1 owner=$2 since
  since=$(_slurm_proc_start "${owner}") || since=""
  while [[ -n ${since} && $(_slurm_proc_start "${owner}") == "${since}" ]]; do
    sleep 1
  done
  slurm_stop "${dir}"
}

# A watchdog outside the test's process tree, so that a test killed with
# SIGKILL (ctest's timeout) still leaves no daemon behind. slurm_stop ends it.
_slurm_start_watchdog() {
  local dir=$1
  (
    cd / || exit 0
    # shellcheck disable=SC2016 # expanded by the inner bash
    env R4K_SLURM_DAEMON_OF="${dir}" setsid bash -c \
      'source "$1" && _slurm_watch "$2" "$3"' r4k-slurm-watchdog "${_SLURM_LIB}" "${dir}" "$$" \
      < /dev/null > /dev/null 2>&1 &
  )
}

slurm_start() {
  local dir node hw ports ctld_port slurmd_port attempt cluster rc
  dir=$(_slurm_dir "${1:-}") || return 1
  slurm_can_run || return 1
  mkdir -p "${dir}/state" "${dir}/spool" "${dir}/log" "${dir}/run" "${dir}/munge"
  chmod 0700 "${dir}/state" "${dir}/spool"

  # The node as slurmd sees it ("NodeName=vm CPUs=2 Boards=1 ... RealMemory=N").
  hw=$(slurmd -C 2> /dev/null | head -n 1)
  node=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<< "${hw}")
  hw=${hw#NodeName=* }
  if [[ -z ${node} || ${hw} != *CPUs=* ]]; then
    _slurm_say "slurmd -C did not describe this node"
    return 1
  fi
  cluster=r4k$(printf '%05d' $((RANDOM % 100000)))

  _slurm_start_watchdog "${dir}"
  _slurm_start_munge "${dir}" || {
    slurm_logs "${dir}"
    return 1
  }

  for attempt in 1 2 3; do
    ports=$(_slurm_pick_ports) || return 1
    read -r ctld_port slurmd_port <<< "${ports}"
    _slurm_write_conf "${dir}" "${ctld_port}" "${slurmd_port}" "${node}" "${hw}" "${cluster}"
    export SLURM_CONF="${dir}/slurm.conf"
    # -c: a fresh cluster, whatever StateSaveLocation holds. The daemons fork
    # into the background and write their pid files under DIR/run.
    env R4K_SLURM_DAEMON_OF="${dir}" slurmctld -c -f "${SLURM_CONF}" \
      < /dev/null >> "${dir}/log/slurmctld.stdout" 2>&1
    env R4K_SLURM_DAEMON_OF="${dir}" slurmd -f "${SLURM_CONF}" -N "${node}" \
      < /dev/null >> "${dir}/log/slurmd.stdout" 2>&1
    _slurm_wait_idle "${dir}" "${node}" 60
    rc=$?
    [[ ${rc} -eq 0 ]] && return 0
    [[ ${rc} -eq 2 && ${attempt} -lt 3 ]] || break
    # Another process took a port between the check and the bind (e.g. a
    # second test starting at the same time): start over on other ports.
    _slurm_say "port ${ctld_port} or ${slurmd_port} was taken; trying others"
    _slurm_stop_slurm_daemons "${dir}"
    mv -f "${dir}/log/slurmctld.log" "${dir}/log/slurmctld.log.${attempt}" 2> /dev/null
    mv -f "${dir}/log/slurmd.log" "${dir}/log/slurmd.log.${attempt}" 2> /dev/null
    rm -rf "${dir}/state" "${dir}/spool"
    mkdir -m 0700 "${dir}/state" "${dir}/spool"
  done
  slurm_logs "${dir}"
  return 1
}

slurm_stop() {
  local dir pid pids=() jobs i
  dir=$(_slurm_dir "${1:-}" 2> /dev/null) || return 0
  # Cancel what still runs so that no slurmstepd or job outlives the cluster.
  if _slurm_pid_of "${dir}/run/slurmctld.pid" slurmctld > /dev/null; then
    jobs=$(SLURM_CONF="${dir}/slurm.conf" timeout 10 squeue -h -o '%A' 2> /dev/null | sort -u)
    if [[ -n ${jobs} ]]; then
      # shellcheck disable=SC2086
      SLURM_CONF="${dir}/slurm.conf" timeout 10 scancel ${jobs} 2> /dev/null
      for ((i = 0; i < 50; i++)); do
        [[ -z $(SLURM_CONF="${dir}/slurm.conf" timeout 5 squeue -h -o '%A' 2> /dev/null) ]] && break
        sleep 0.2
      done
    fi
  fi
  pid=$(_slurm_pid_of "${dir}/run/slurmd.pid" slurmd) && _slurm_kill_wait 10 "${pid}"
  pid=$(_slurm_pid_of "${dir}/run/slurmctld.pid" slurmctld) && _slurm_kill_wait 10 "${pid}"
  pid=$(_slurm_pid_of "${dir}/munge/munged.pid" munged) && _slurm_kill_wait 10 "${pid}"
  # Whatever is left (slurmstepd, jobs, a daemon whose pid file is missing).
  mapfile -t pids < <(_slurm_cluster_pids "${dir}")
  _slurm_kill_wait 5 "${pids[@]}"
  rm -f "${dir}/run/slurmd.pid" "${dir}/run/slurmctld.pid" "${dir}/munge/munged.pid"
  return 0
}

slurm_cleanup() {
  local dir=${1:-}
  [[ -n ${dir} && -d ${dir} ]] || return 0
  slurm_stop "${dir}"
  if [[ ${R4K_KEEP_SLURM_DIR:-0} == 1 ]]; then
    _slurm_say "kept ${dir} (R4K_KEEP_SLURM_DIR=1)"
  else
    rm -rf "${dir}"
  fi
}

# One line per task of job $1: "JOBID[_TASK] STATE EXITCODE RESTARTS REASON",
# from scontrol (there is no accounting database, so no sacct). Fails when
# slurmctld does not know the job (any more).
slurm_job_states() {
  local out
  out=$(timeout 10 scontrol -o show job "$1" 2> /dev/null) || return 1
  [[ -n ${out} ]] || return 1
  awk '{
      id = ""; task = ""; state = ""; ec = ""; rs = ""; reason = ""
      for (i = 1; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "ArrayJobId") id = substr($i, 12)
        else if (kv[1] == "JobId" && id == "") jid = substr($i, 7)
        else if (kv[1] == "ArrayTaskId") task = substr($i, 13)
        else if (kv[1] == "JobState") state = kv[2]
        else if (kv[1] == "ExitCode") ec = kv[2]
        else if (kv[1] == "Restarts") rs = kv[2]
        else if (kv[1] == "Reason") reason = kv[2]
      }
      if (id == "") id = jid
      print (task == "" ? id : id "_" task), state, ec, rs, reason
    }' <<< "${out}"
}

# Waits up to $2 seconds (default 120) until every task of job $1 is in a
# final state, or is pending on a dependency that can never be satisfied.
# Prints slurm_job_states' lines. Returns 0 when all tasks COMPLETED, 1 when
# one did not (or the job is unknown), 124 on timeout (then also prints the
# job's record to stderr).
slurm_wait_job() {
  local job=$1 secs=${2:-120} states="" pending started=${SECONDS}
  while ((SECONDS - started < secs)); do
    states=$(slurm_job_states "${job}") || {
      _slurm_say "job ${job} is unknown to slurmctld"
      return 1
    }
    pending=$(awk '$2 !~ /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|OUT_OF_MEMORY)$/ &&
                   $5 != "DependencyNeverSatisfied"' <<< "${states}")
    if [[ -z ${pending} ]]; then
      echo "${states}"
      awk '$2 != "COMPLETED" { bad = 1 } END { exit bad }' <<< "${states}"
      return
    fi
    sleep 0.5
  done
  _slurm_say "job ${job} still not done after ${secs} s:"
  echo "${states}"
  timeout 10 scontrol show job "${job}" >&2
  return 124
}

# --- What every Slurm test script does first ---------------------------------
# slurm_test_begin NAME: exits 77 (skipped, with the reason) when the machine
# cannot run the harness; otherwise sets `dir` to a new temporary folder
# (r4k-slurm-NAME.XXXXXX) that an EXIT trap stops the cluster in and removes,
# also on ctest's TERM or ^C. Then slurm_phase MESSAGE prints a timed step,
# and slurm_fail MESSAGE prints it, the end of every job log under `dir`
# (not the daemons', which slurm_logs adds) and exits 1.
slurm_test_begin() {
  local reason
  if ! reason=$(slurm_can_run 2>&1); then
    echo "SKIP: ${reason}"
    exit 77
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/r4k-slurm-$1.XXXXXX")
  trap 'slurm_cleanup "${dir}"' EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
}

slurm_phase() { echo "[$(date +%T) +${SECONDS}s] $*"; }

slurm_fail() {
  echo "FAIL: $*" >&2
  local log
  while IFS= read -r log; do
    echo "--- ${log}" >&2
    tail -5 "${log}" >&2
  done < <(find "${dir}" -name '*.log' -not -path "${dir}/log/*" -not -path "${dir}/munge/*" 2> /dev/null | sort)
  slurm_logs "${dir}"
  exit 1
}
