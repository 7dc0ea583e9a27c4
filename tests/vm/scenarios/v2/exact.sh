# exact — `move --exact` on cgroup v2: kpagecgroup shows every page of the
# process still charged to the source after the move (kernel-memcg.md §9),
# so ANON-MOVED and FILE-MOVED are about 0 and LEFT is the whole workload
# (80 MiB, less 2 MiB for what it may not have touched), within 2 MiB of
# what `memcg where` attributes to A afterwards.
. /vmtest/lib.sh
need_v2

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_held "$A"

run_memcg x move -J --exact "$B" "$WL"
same "exit status" "$RC" 0
json_flat x "memcg move -J --exact"
same "status" "$(jfield x "$WL" status)" moved
left=$(jnum x "$WL" left)
atleast "LEFT" "$left" $((HELD - 2 * MIB))
near "ANON-MOVED" "$(jnum x "$WL" anon-moved)" 0 "$SLACK"
near "FILE-MOVED" "$(jnum x "$WL" file-moved)" 0 "$SLACK"

json_run w where "$WL"
same "memcg where: exit status" "$RC" 0
near "LEFT vs memcg where's bytes in $A" "$left" "$(where_sum w "$WL" "$A")" $((2 * MIB))
