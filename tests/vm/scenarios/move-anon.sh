# move-anon — 64 MiB of anonymous memory moves with --charge all.
# memcg's JSON row is checked field by field against the kernel's own
# files: MOVED is within tolerance of 64 MiB and of the rss that left the
# source and reached the destination, and DEST's knob is back to its value.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
wl_start "$A" --anon 64
settle
snap A0 "$A"
snap B0 "$B"
knob0=$(knob "$B")

move_json m --charge all "$B" "$WL"
settle
snap A1 "$A"
snap B1 "$B"

same "exit status" "$RC" 0
same "rows" "$(jget m processes)" 1
same "status" "$(jfield m "$WL" status)" moved
same "charge" "$(jfield m "$WL" charge)" all
same "from" "$(jfield m "$WL" from)" "$A"
same "to" "$(jfield m "$WL" to)" "$B"
same "error" "$(jfield m "$WL" error)" null
same "noisy" "$(jfield m "$WL" noisy)" false
moved=$(jnum m "$WL" moved)
sb=$(jnum m "$WL" src-before)
sa=$(jnum m "$WL" src-after)
db=$(jnum m "$WL" dst-before)
da=$(jnum m "$WL" dst-after)
rss=$(jnum m "$WL" rss)
jnum m "$WL" time >/dev/null

# What the kernel shows, from memory.stat (exact page counts).
near "A rss before" "$A0_rss" $((64 * MIB))
near "A rss after" "$A1_rss" 0
near "B rss after" "$B1_rss" $((64 * MIB))
near "MOVED vs 64 MiB" "$moved" $((64 * MIB))
near "MOVED vs A's rss decrease" "$moved" $((A0_rss - A1_rss))
near "MOVED vs B's rss increase" "$moved" $((B1_rss - B0_rss))

# The report's raw readings agree with MOVED and with the kernel.
same "MOVED = SRC-BEFORE - SRC-AFTER" "$moved" $((sb - sa))
near "DST-AFTER - DST-BEFORE vs MOVED" $((da - db)) "$moved" "$SLACK"
near "SRC-BEFORE vs A's usage before" "$sb" "$A0_usage"
near "SRC-AFTER vs A's usage after" "$sa" "$A1_usage"
near "DST-BEFORE vs B's usage before" "$db" "$B0_usage"
near "DST-AFTER vs B's usage after" "$da" "$B1_usage"
near "RSS vs the process's VmRSS" "$rss" \
	$(($(awk '/^VmRSS:/ { print $2 }' "/proc/$WL/status") * 1024))

same "process's cgroup" "$(cg_of "$WL")" "$B"
same "B's move_charge_at_immigrate restored" "$(knob "$B")" "$knob0"
