# recharge-anon — memcg move --recharge all on cgroup v2 (kernel-memcg.md
# §9; memcg-move(8), RECHARGE): 64 MiB of touched anonymous memory (on a
# 2 MiB boundary, in small pages) in A moves to B, its charge left in A;
# recharge collapses it into huge pages charged to B. At least 99% of the
# process's anon is then charged to B by kpagecgroup (memcg where),
# RECHARGED is within 1% of that, RSS grew by less than 2%, nothing is left
# for B's limit or the kernel, and the status is 0.
. /vmtest/lib.sh
need_v2
need_recharge

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_start "$A" --thp default --anon 64
R0=$(rss_of "$WL")

move_json m --recharge all "$B" "$WL"
R1=$(rss_of "$WL")
same "exit status" "$RC" 0
same "status" "$(jfield m "$WL" status)" moved
same "charge" "$(jfield m "$WL" charge)" "never (v2)"

where_pid w "$WL"
INA=$(where_sum w "$WL" "$A" anon)
INB=$(where_sum w "$WL" "$B" anon)
note "kpagecgroup: anon in A $INA, in B $INB"
atleast "anon charged to B (99% of its anon)" "$INB" $(((INA + INB) * 99 / 100))
atleast "anon charged to B (of the 64 MiB)" "$INB" $((64 * MIB * 99 / 100))
near "RECHARGED vs B's anon by kpagecgroup" "$(jnum m "$WL" recharged)" "$INB" $((INB / 100))
same "summary.recharged is the row's" "$(jget m summary.recharged)" "$(jnum m "$WL" recharged)"
grew_below "collapse" "$R0" "$R1" 2
same "LEFT-BY limit" "$(jleft m "$WL" limit)" 0
same "LEFT-BY kernel" "$(jleft m "$WL" kernel)" 0
below "A's memory.current after" "$(usage "$A")" $((8 * MIB))
