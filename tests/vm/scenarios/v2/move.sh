# move — on cgroup v2 a move writes cgroup.procs and the charge stays in
# the source, to the byte (kernel-memcg.md §8, §9). `memcg move -J /B PID`
# exits 0 with a row that says so: status moved, CHARGE "never (v2)", MOVED
# about 0 by the usual rule (the source's decrease of memory.current), and
# the kernel agrees: the process is in B, A's memory.current is where it
# was and B's about 0. memory.current moves in steps of up to 64 pages per
# CPU, so usage is compared within SLACK, never exactly.
. /vmtest/lib.sh
need_v2

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_held "$A"
A0=$(usage "$A")
B0=$(usage "$B")
atleast "A's memory.current before" "$A0" $((HELD - 2 * MIB))

run_memcg m move -J "$B" "$WL"
A1=$(usage "$A")
B1=$(usage "$B")
note "kernel: A's memory.current $A0 -> $A1, B's $B0 -> $B1"

same "exit status" "$RC" 0
json_flat m "memcg move -J"
same "processes is an array" "$(jtype m processes)" array
same "rows" "$(jget m processes)" 1
same "status" "$(jfield m "$WL" status)" moved
same "charge" "$(jfield m "$WL" charge)" "never (v2)"
same "error" "$(jfield m "$WL" error)" null
same "from" "$(jfield m "$WL" from)" "$A"
same "to" "$(jfield m "$WL" to)" "$B"
near "MOVED" "$(jnum m "$WL" moved)" 0 "$SLACK"
near "SRC-BEFORE vs A's memory.current before" "$(jnum m "$WL" src-before)" "$A0" "$SLACK"
near "DST-AFTER vs B's memory.current after" "$(jnum m "$WL" dst-after)" "$B1" "$SLACK"

same "/proc/PID/cgroup" "$(cat "/proc/$WL/cgroup")" "0::$B"
near "A's memory.current after vs before" "$A1" "$A0" "$SLACK"
near "B's memory.current after" "$B1" 0 "$SLACK"
