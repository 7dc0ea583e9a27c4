# from-many — `--from A` moves all 50 processes of A (one workload with 49
# children) into B, and only A's own: a process in the child cgroup A/D
# stays. The charge (shared copy-on-write pages move with the first
# process that maps them) all ends in B.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
D=$(cg_path A/D)
cg_make "$A" "$B" "$D"
wl_start "$A" --anon 8 --children 49
parent=$WL
wl_start "$D" --anon 4
inD=$WL
settle
procs_of "$A" >/tmp/fm.pids
same "processes in A" "$(wc -l </tmp/fm.pids)" 50
snap A0 "$A"
snap B0 "$B"
knob0=$(knob "$B")

move_json fm --charge all --from "$A" "$B"
settle
snap A1 "$A"
snap B1 "$B"

same "exit status" "$RC" 0
same "rows" "$(jget fm processes)" 50
total=0
for p in $(cat /tmp/fm.pids); do
	[ "$(cg_of "$p")" = "$B" ] || fail "process $p is in $(cg_of "$p"), not $B"
	[ "$(jfield fm "$p" status)" = moved ] ||
		fail "row of $p: status $(jfield fm "$p" status)"
	total=$((total + $(jnum fm "$p" moved)))
done
note "ok: all 50 processes in $B with status moved"
same "processes left in A" "$(count_procs "$A")" 0
same "process in A/D" "$(cg_of "$inD")" "$D"
near "A rss after" "$A1_rss" 0
near "B rss after" "$B1_rss" "$A0_rss"
near "sum of MOVED vs A's rss decrease" "$total" $((A0_rss - A1_rss))
near "sum of MOVED vs B's rss increase" "$total" $((B1_rss - B0_rss))
same "B's move_charge_at_immigrate restored" "$(knob "$B")" "$knob0"
