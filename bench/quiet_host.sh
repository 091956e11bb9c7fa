# Sourced by the bench scripts (not run alone).
# The host is shared: before each measurement wait (at most R4K_QUIET_MAX s,
# default 45; 0: never) until the other processes leave the CPUs mostly idle
# (under 25 % busy over one second; niced work counts as idle), and say how long that took.
quiet() {
  local max="${R4K_QUIET_MAX:-45}" waited=0 busy
  while :; do
    busy=$(awk '/^cpu / { print $2 + $4 + $7 + $8, $3 + $5 + $6 }' /proc/stat; sleep 1
           awk '/^cpu / { print $2 + $4 + $7 + $8, $3 + $5 + $6 }' /proc/stat)
    busy=$(echo "$busy" | awk 'NR == 1 { b = $1; i = $2 } NR == 2 { printf "%.0f", 100 * ($1 - b) / ($1 - b + $2 - i) }')
    ((busy < 25 || waited >= max)) && break
    waited=$((waited + 1))
  done
  ((waited == 0)) || echo "  (waited ${waited} s for the CPUs; ${busy} % busy when started)" >&2
}
