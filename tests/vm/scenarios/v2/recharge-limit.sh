# recharge-limit — memcg move --recharge all into a B whose memory.max is
# 16 MiB, with 64 MiB of anon in the process (memcg-move(8), RECHARGE:
# DEST's limits). The process moves (its charge stays in A), then recharge
# brings ranges over only while B stays at least 1 MiB below its limit:
# B's memory.peak (where the kernel has it) never goes over 16 MiB, no OOM
# kill in B, the workload lives, LEFT-BY says limit for what stayed, some
# was recharged, and the status is 64 (1 if nothing moved).
. /vmtest/lib.sh
need_v2
need_recharge

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
cg_limit "$B" $((16 * MIB))
wl_start "$A" --thp default --anon 64

move_json m --recharge all "$B" "$WL"
case "$RC" in
64 | 1) note "ok: exit status $RC" ;;
*) fail "exit status $RC, expected 64 (or 1)" ;;
esac
if [ -r "$(cg_dir "$B")/memory.peak" ]; then
	PEAK=$(cg_read "$B" memory.peak)
	atleast "B's limit (16 MiB) vs memory.peak" $((16 * MIB)) "$PEAK"
	# 1 MiB of room kept after each range, plus the per-CPU stock
	atleast "B's limit less 1 MiB vs memory.peak" $((15 * MIB + SLACK)) "$PEAK"
else
	note "no memory.peak in this kernel; memory.current is $(usage "$B")"
	atleast "B's limit (16 MiB) vs memory.current" $((16 * MIB)) "$(usage "$B")"
fi
same "OOM kills in B" "$(awk '$1 == "oom_kill" { print $2 }' "$(cg_dir "$B")/memory.events")" 0
kill -0 "$WL" 2>/dev/null || fail "the workload died"
note "ok: the workload lives"
atleast "LEFT-BY limit" "$(jleft m "$WL" limit)" $((32 * MIB))
atleast "RECHARGED" "$(jnum m "$WL" recharged)" $((2 * MIB))
contains "stderr names B's limit" /tmp/m.err "limit of '$B'"
