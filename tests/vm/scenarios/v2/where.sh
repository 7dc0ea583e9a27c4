# where — after a move by hand (echo PID > B/cgroup.procs), `memcg where`
# still finds the pages charged to A, where v2 leaves them
# (kernel-memcg.md §8: kpagecgroup gives the cgroup2 directory's inode):
# at least 78 MiB of the 80 MiB workload in A, less than 1 MiB in B, and
# no more in A than A's own memory.current.
. /vmtest/lib.sh
need_v2

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_held "$A"
echo "$WL" >"$(cg_dir "$B")/cgroup.procs"
same "/proc/PID/cgroup after the move by hand" "$(cat "/proc/$WL/cgroup")" "0::$B"

json_run w where "$WL"
same "exit status" "$RC" 0
inA=$(where_sum w "$WL" "$A")
atleast "bytes charged to $A" "$inA" $((HELD - 2 * MIB))
below "bytes charged to $B" "$(where_sum w "$WL" "$B")" "$MIB"
Acur=$(usage "$A")
atleast "A's memory.current (+ SLACK) vs the bytes charged to $A" $((Acur + SLACK)) "$inA"
