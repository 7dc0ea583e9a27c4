# read-only-file — a file the process only read() (never mapped) keeps its
# page cache in the source: charge moving takes mapped file pages only
# (kernel-memcg.md §2.3, §7). MOVED counts the anonymous memory and not
# the 16 MiB of cache.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
scratch_file /tmp/ro.read
wl_start "$A" --anon 8 --read /tmp/ro.read:16
settle
snap A0 "$A"
snap B0 "$B"
knob0=$(knob "$B")
near "A cache before (the file read)" "$A0_cache" $((16 * MIB))
near "A mapped_file before" "$A0_mapped" 0

move_json ro --charge all "$B" "$WL"
settle
snap A1 "$A"
snap B1 "$B"

same "exit status" "$RC" 0
same "status" "$(jfield ro "$WL" status)" moved
moved=$(jnum ro "$WL" moved)
near "cache stayed in A" "$A1_cache" "$A0_cache"
near "no cache in B" "$B1_cache" 0
near "B rss after" "$B1_rss" $((8 * MIB))
near "MOVED vs the 8 MiB of anon" "$moved" $((8 * MIB))
near "MOVED vs B's increase of rss+cache" "$moved" \
	$((B1_rss + B1_cache - B0_rss - B0_cache))
same "process's cgroup" "$(cg_of "$WL")" "$B"
same "B's move_charge_at_immigrate restored" "$(knob "$B")" "$knob0"
