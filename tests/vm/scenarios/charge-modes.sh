# charge-modes — one process holding anonymous memory, a mapped tmpfs
# file, a SysV segment and a POSIX shm object is moved with --charge none,
# anon, file and all. Each kind lands where kernel-memcg.md §2.1/§2.3
# says: anon moves with value 1, mapped file and shmem pages (all three
# are shmem here) with value 2, nothing with 0; MOVED matches the total of
# the kernel's per-kind changes, and DEST's knob gets its old value back.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
scratch_file /tmp/cm.map
scratch_file /dev/shm/cm-posix

# the kind sizes, MiB: the shm kinds add up to SHM
ANON=16 MAP=12 SYSV=8 POSIX=4
SHM=$((MAP + SYSV + POSIX))

one_mode() {
	local mode="$1" value="$2" prior="$3" moved
	note "--- --charge $mode (knob value $value)"
	wl_start "$A" --anon "$ANON" --map /tmp/cm.map:"$MAP" \
		--sysv "$SYSV" --posix cm-posix:"$POSIX"
	# a prior value other than the requested one, to see it restored
	echo "$prior" >"$(cg_dir "$B")/memory.move_charge_at_immigrate"
	settle
	snap A0 "$A"
	snap B0 "$B"
	near "A rss before" "$A0_rss" $((ANON * MIB))
	near "A shmem before" "$A0_shmem" $((SHM * MIB))
	near "A mapped_file before" "$A0_mapped" $((SHM * MIB))

	move_json "cm-$mode" --charge "$mode" "$B" "$WL"
	settle
	snap A1 "$A"
	snap B1 "$B"
	same "exit status" "$RC" 0
	same "status" "$(jfield "cm-$mode" "$WL" status)" moved
	same "charge" "$(jfield "cm-$mode" "$WL" charge)" "$mode"
	moved=$(jnum "cm-$mode" "$WL" moved)

	if [ $((value & 1)) = 1 ]; then
		near "anon moved: A rss" "$A1_rss" 0
		near "anon moved: B rss" "$B1_rss" "$A0_rss"
	else
		near "anon stayed: A rss" "$A1_rss" "$A0_rss"
		near "anon stayed: B rss" "$B1_rss" 0
	fi
	if [ $((value & 2)) = 2 ]; then
		near "shm moved: A shmem" "$A1_shmem" 0
		near "shm moved: B shmem" "$B1_shmem" "$A0_shmem"
		near "shm moved: B mapped_file" "$B1_mapped" "$A0_mapped"
	else
		near "shm stayed: A shmem" "$A1_shmem" "$A0_shmem"
		near "shm stayed: A mapped_file" "$A1_mapped" "$A0_mapped"
		near "shm stayed: B shmem" "$B1_shmem" 0
	fi
	near "MOVED vs A's decrease of rss+cache" "$moved" \
		$((A0_rss + A0_cache - A1_rss - A1_cache))
	near "MOVED vs B's increase of rss+cache" "$moved" \
		$((B1_rss + B1_cache - B0_rss - B0_cache))
	same "process's cgroup" "$(cg_of "$WL")" "$B"
	same "B's move_charge_at_immigrate restored" "$(knob "$B")" "$prior"

	wl_stop "$WL"
	rm -f /tmp/cm.map /dev/shm/cm-posix
}

one_mode none 0 3
one_mode anon 1 2
one_mode file 2 1
one_mode all 3 0
