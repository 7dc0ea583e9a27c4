# recharge-file — memcg move --recharge file of a file mapped from an ext4
# disk (memcg-move(8), RECHARGE; kernel-memcg.md §9: MADV_PAGEOUT drops a
# clean file page, and its next touch reads it back into the cgroup of the
# process that touches it; tmpfs cannot show that). A 16 MiB file written
# and mapped by the workload in A, then written back (sync); the process
# moves to B, recharge pages its file pages out, the workload reads them
# all again (SIGUSR1): at least 95% of the file is then charged to B by
# kpagecgroup, and the status is 0.
. /vmtest/lib.sh
need_v2
need_recharge
need_disk

A=$(cg_path A)
B=$(cg_path B)
F="$DISK/recharge-file.map"
scratch_file "$F"
cg_make "$A" "$B"
wl_start "$A" --map "$F:16"
sync
where_pid w0 "$WL"
atleast "file charged to A before" "$(where_sum w0 "$WL" "$A" file)" $((16 * MIB * 99 / 100))

move_json m --recharge file "$B" "$WL"
same "exit status" "$RC" 0
same "LEFT-BY dirty" "$(jleft m "$WL" dirty)" 0

OUT=$(echo "$WL_OUTS" | tr ' ' '\n' | sed -n "s/^$WL://p")
kill -USR1 "$WL"
i=0
until grep -q '^touched' "$OUT"; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || fail "the workload did not touch its file again"
	sleep 0.1
done
where_pid w "$WL"
INB=$(where_sum w "$WL" "$B" file)
note "kpagecgroup: file in A $(where_sum w "$WL" "$A" file), in B $INB"
atleast "file charged to B after the touch (95% of 16 MiB)" "$INB" $((16 * MIB * 95 / 100))
