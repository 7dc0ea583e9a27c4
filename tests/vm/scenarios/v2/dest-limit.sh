# dest-limit — on v2 a DEST whose memory.max (16 MiB) is below what the
# process holds (80 MiB) still takes it: the kernel charges nothing on the
# move (kernel-memcg.md §9: no error, no memory.events). memcg moves it,
# exits 0 and warns on stderr that DEST has no room for it (DESIGN.md,
# Settlements: v2, where the charge does not move); the process is alive
# in DEST a second later and DEST's usage is still about 0.
. /vmtest/lib.sh
need_v2

A=$(cg_path A)
D=$(cg_path D)
cg_make "$A" "$D"
cg_limit "$D" $((16 * MIB))
wl_held "$A"

run_memcg dl move -J "$D" "$WL"
same "exit status" "$RC" 0
contains "stderr warns about DEST's limit or room" /tmp/dl.err 'room|limit'
json_flat dl "memcg move -J"
same "status" "$(jfield dl "$WL" status)" moved
same "/proc/PID/cgroup" "$(cat "/proc/$WL/cgroup")" "0::$D"
sleep 1
kill -0 "$WL" 2>/dev/null || fail "the process died after the move into $D"
note "ok: the process is alive 1 s later"
same "/proc/PID/cgroup 1 s later" "$(cat "/proc/$WL/cgroup")" "0::$D"
near "D's memory.current" "$(usage "$D")" 0 "$SLACK"
