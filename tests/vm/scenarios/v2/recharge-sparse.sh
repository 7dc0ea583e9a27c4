# recharge-sparse — memcg move --recharge all of a sparse workload on
# cgroup v2 (memcg-move(8), RECHARGE, the density rule): 64 MiB mapped,
# one page in 16 touched. Collapsing a range would fill its holes and grow
# RSS 16-fold, so no range is collapsed: RECHARGED is 0, LEFT-BY says
# sparse for the 4 MiB touched, which stay charged to A, RSS grew by less
# than 2%, and the status is 0 (sparse is no reason memcg could act on).
# Huge pages only on request meanwhile: with "always" the kernel would fill
# each touched 2 MiB at fault time and nothing would be sparse.
. /vmtest/lib.sh
need_v2
need_recharge
thp_madvise

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_start "$A" --thp default --stride 16 --anon 64
R0=$(rss_of "$WL")

move_json m --recharge all "$B" "$WL"
R1=$(rss_of "$WL")
same "exit status" "$RC" 0
same "RECHARGED" "$(jnum m "$WL" recharged)" 0
atleast "LEFT-BY sparse" "$(jleft m "$WL" sparse)" $((4 * MIB * 99 / 100))
grew_below "no collapse" "$R0" "$R1" 2
where_pid w "$WL"
atleast "anon still charged to A" "$(where_sum w "$WL" "$A" anon)" $((4 * MIB * 99 / 100))
