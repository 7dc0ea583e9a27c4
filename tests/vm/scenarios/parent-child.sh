# parent-child — moves between A and its child A/C. A's usage is
# hierarchical, so it does not change; MOVED must still be the amount
# that moved (the non-ancestor side's change, DESIGN.md "MOVED"), as the
# local rss fields of memory.stat show.
. /vmtest/lib.sh

A=$(cg_path A)
C=$(cg_path A/C)
cg_make "$A" "$C"
wl_start "$A" --anon 32
settle
snap A0 "$A"
snap C0 "$C"
knobC=$(knob "$C")
knobA=$(knob "$A")

note "--- parent to child"
move_json pc --charge all "$C" "$WL"
settle
snap A1 "$A"
snap C1 "$C"
same "exit status" "$RC" 0
same "status" "$(jfield pc "$WL" status)" moved
moved=$(jnum pc "$WL" moved)
near "A's hierarchical usage unchanged" "$A1_usage" "$A0_usage"
near "A local rss after" "$A1_rss" 0
near "C rss after" "$C1_rss" $((32 * MIB))
near "MOVED vs 32 MiB" "$moved" $((32 * MIB))
near "MOVED vs C's rss increase" "$moved" $((C1_rss - C0_rss))
same "process's cgroup" "$(cg_of "$WL")" "$C"
same "C's move_charge_at_immigrate restored" "$(knob "$C")" "$knobC"

note "--- child to parent"
move_json cp --charge all "$A" "$WL"
settle
snap A2 "$A"
snap C2 "$C"
same "exit status" "$RC" 0
same "status" "$(jfield cp "$WL" status)" moved
moved=$(jnum cp "$WL" moved)
near "A's hierarchical usage unchanged" "$A2_usage" "$A1_usage"
near "C rss after" "$C2_rss" 0
near "A local rss after" "$A2_rss" $((32 * MIB))
near "MOVED vs 32 MiB" "$moved" $((32 * MIB))
near "MOVED vs C's rss decrease" "$moved" $((C1_rss - C2_rss))
same "process's cgroup" "$(cg_of "$WL")" "$A"
same "A's move_charge_at_immigrate restored" "$(knob "$A")" "$knobA"
