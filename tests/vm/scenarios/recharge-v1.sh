# recharge-v1 — on cgroup v1 up to 6.12, memcg move --charge all
# --recharge all (memcg-move(8), RECHARGE): the kernel moves the charge of
# the process's mapped pages with it, except what it skips, and recharge
# completes that. The workload holds 64 MiB of anon in huge pages mapped
# with small page table entries, which the kernel's move leaves in A
# (docs §2.3: "partial THP" skipped), and a 16 MiB mapped tmpfs file, which
# it moves. Afterwards nothing mapped is left charged to A (LEFT within a
# few pages, and so says kpagecgroup), RECHARGED brought the huge pages
# the kernel left, CHARGE says all, and the status is 0.
. /vmtest/lib.sh
[ "$CGV" = 1 ] || skip "cgroup v1 scenario; this guest has cgroup v2"
need_recharge

A=$(cg_path A)
B=$(cg_path B)
F=/tmp/recharge-v1.map
scratch_file "$F"
cg_make "$A" "$B"
wl_start "$A" --thp yes --split yes --anon 64 --map "$F:16"

move_json m --charge all --recharge all "$B" "$WL"
same "exit status" "$RC" 0
same "charge" "$(jfield m "$WL" charge)" all
# the kernel moves the huge pages that were split meanwhile (its deferred
# split queue): how many it left varies, that it left some does not
atleast "RECHARGED: what the kernel's move left" "$(jnum m "$WL" recharged)" $((16 * MIB))
atleast "LEFT within 16 pages of 0" $((16 * PAGE)) "$(jnum m "$WL" left)"
where_pid w "$WL"
atleast "A's mapped pages by kpagecgroup, within 16 pages of 0" $((16 * PAGE)) \
	$(($(where_sum w "$WL" "$A" anon) + $(where_sum w "$WL" "$A" file)))
atleast "anon and file charged to B" \
	$(($(where_sum w "$WL" "$B" anon) + $(where_sum w "$WL" "$B" file))) $((80 * MIB * 99 / 100))
