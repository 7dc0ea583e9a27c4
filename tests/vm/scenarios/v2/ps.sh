# ps — `memcg ps` of the cgroup a process was moved into by hand: on v2 its
# pages stayed in A, so CHARGED-ELSEWHERE holds the workload (at least
# 78 MiB) and CHARGED-HERE less than 1 MiB. Then `ps -J` of the now empty
# A prints {"processes": []} with exit 0 (DESIGN.md, Settlements: JSON).
. /vmtest/lib.sh
need_v2

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_held "$A"
echo "$WL" >"$(cg_dir "$B")/cgroup.procs"
same "/proc/PID/cgroup after the move by hand" "$(cat "/proc/$WL/cgroup")" "0::$B"

json_run p ps "$B"
same "exit status" "$RC" 0
same "rows" "$(jget p processes)" 1
atleast "CHARGED-ELSEWHERE" "$(jnum p "$WL" charged-elsewhere)" $((HELD - 2 * MIB))
below "CHARGED-HERE" "$(jnum p "$WL" charged-here)" "$MIB"

same "processes in A" "$(count_procs "$A")" 0
json_run e ps "$A"
same "ps of an empty cgroup: exit status" "$RC" 0
same "ps of an empty cgroup: processes" "$(jtype e processes):$(jget e processes)" array:0
same "ps of an empty cgroup: top-level keys" "$(jget e '')" 1
