# The guest's half of bench/recharge, run by the vm guest's init as a
# scenario (busybox sh; bench/recharge sets RUNS and BENCH_MIB above this): per
# THP mode and run, a workload of BENCH_MIB MiB of anon moved by the kernel
# (knob 3; the write's time is memcg's TIME), then another recharged by
# memcg move --charge none --recharge anon (the whole command, timed by
# /proc/uptime), with its RECHARGE-TIME (the recharge of the process
# alone, its page walks in). One "BENCH thp=... run=... kernel_us=...
# kernel_bytes=... recharge_us=... recharge_bytes=... rtime_us=..." line
# per run.
. /vmtest/lib.sh
[ "$CGV" = 1 ] || skip "needs the v1 memory hierarchy"
A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
now() { cut -d ' ' -f 1 /proc/uptime; }
# The memory the previous run freed is scattered: a recharge right after
# it pays for compaction to find huge pages, which the kernel's move never
# needs. Both contenders start from compacted memory (COMPACT=0 skips it,
# to see that cost).
settle_memory() {
	[ "${COMPACT:-1}" = 0 ] || echo 1 >/proc/sys/vm/compact_memory
}
THP_WAS=$(sed 's/.*\[\(.*\)\].*/\1/' "$THP")

# small pages (huge ones only on request, which the workload does not
# make), then huge pages from the first touch
for thp in madvise always; do
	echo "$thp" >"$THP"
	for r in $(seq "$RUNS"); do
		wl_start "$A" --thp default --anon "$BENCH_MIB"
		settle_memory
		run_memcg k move -J --charge all "$B" "$WL" >/dev/null
		json_flat k "memcg move"
		kus=$(jnum k "$WL" time)
		kbytes=$(jnum k "$WL" moved)
		wl_stop "$WL"
		WL_OUTS=""
		wl_start "$A" --thp default --anon "$BENCH_MIB"
		settle_memory
		t0=$(now)
		memcg move -J --charge none --recharge anon "$B" "$WL" \
			>/tmp/r.out 2>/tmp/r.err || true
		t1=$(now)
		json_flat r "memcg move --recharge"
		rbytes=$(jnum r "$WL" recharged)
		rtime=$(jnum r "$WL" recharge-time)
		wl_stop "$WL"
		WL_OUTS=""
		rus=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1e6 }')
		echo "BENCH thp=$thp run=$r kernel_us=$kus kernel_bytes=$kbytes recharge_us=$rus recharge_bytes=$rbytes rtime_us=$rtime"
	done
done
