# dest-limit — B's limit (16 MiB) is below the 64 MiB the process has
# charged: the kernel refuses the attach with ENOMEM (kernel-memcg.md
# §2.2), so memcg exits 1 with a message naming the limit, the process
# stays in A with its charge, and B's knob gets its old value back.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
cg_write "$B" memory.limit_in_bytes $((16 * MIB))
# a non-default prior value, so that "restored" cannot pass by accident
cg_write "$B" memory.move_charge_at_immigrate 1
wl_start "$A" --anon 64
settle
snap A0 "$A"
snap B0 "$B"

move_json dl --charge all "$B" "$WL"
settle
snap A1 "$A"
snap B1 "$B"

same "exit status" "$RC" 1
contains "stderr mentions the limit" /tmp/dl.err 'limit'
contains "stderr names ENOMEM" /tmp/dl.err 'ENOMEM'
same "status" "$(jfield dl "$WL" status)" failed
contains "error field names ENOMEM" /tmp/dl.flat \
	"^processes\.[0-9]+\.error	string	ENOMEM"
same "MOVED of a failed move" "$(jnum dl "$WL" moved)" 0
same "process's cgroup" "$(cg_of "$WL")" "$A"
near "A rss kept" "$A1_rss" "$A0_rss"
near "B rss" "$B1_rss" 0
near "B usage" "$(cg_read "$B" memory.usage_in_bytes)" 0
same "B's move_charge_at_immigrate restored" "$(knob "$B")" 1
