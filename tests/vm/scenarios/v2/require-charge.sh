# require-charge — cgroup v2 never moves charges, so `--require-charge`
# cannot be met: memcg exits 3 having moved nothing (DESIGN.md "On cgroup
# v2"). The process is still in A, B has no process and no charge, and
# stderr says why; -J still prints one document.
. /vmtest/lib.sh
need_v2

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_held "$A"
A0=$(usage "$A")

run_memcg rq move -J --require-charge "$B" "$WL"
same "exit status" "$RC" 3
same "/proc/PID/cgroup" "$(cat "/proc/$WL/cgroup")" "0::$A"
same "processes in B" "$(count_procs "$B")" 0
near "B's memory.current" "$(usage "$B")" 0 "$SLACK"
near "A's memory.current" "$(usage "$A")" "$A0" "$SLACK"
contains "stderr says v2 cannot move the charge" /tmp/rq.err 'v2|cgroup2'
json_flat rq "memcg move -J --require-charge"
