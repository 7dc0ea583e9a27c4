# threads — a process with 8 extra threads: every thread ends in B (the
# move writes cgroup.procs, which takes the whole thread group) and the
# charge moves with the leader.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_start "$A" --anon 16 --threads 8
settle
snap A0 "$A"
snap B0 "$B"
knob0=$(knob "$B")
same "threads" "$(ls "/proc/$WL/task" | wc -l)" 9

move_json th --charge all "$B" "$WL"
settle
snap A1 "$A"
snap B1 "$B"

same "exit status" "$RC" 0
same "status" "$(jfield th "$WL" status)" moved
moved=$(jnum th "$WL" moved)
for t in "/proc/$WL/task/"*; do
	same "cgroup of thread ${t##*/}" "$(cg_of "$WL/task/${t##*/}")" "$B"
done
same "threads still in A" "$(cat "$(cg_dir "$A")/tasks" | wc -l)" 0
same "threads in B" "$(cat "$(cg_dir "$B")/tasks" | wc -l)" 9
near "A rss after" "$A1_rss" 0
near "B rss after" "$B1_rss" $((16 * MIB))
near "MOVED vs 16 MiB" "$moved" $((16 * MIB))
near "MOVED vs A's rss decrease" "$moved" $((A0_rss - A1_rss))
same "B's move_charge_at_immigrate restored" "$(knob "$B")" "$knob0"
