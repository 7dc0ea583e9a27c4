# atomic-rollback — `--atomic` over three small processes and one big one
# that B's limit cannot take: the big one fails with ENOMEM, the small
# ones already moved go back to A with their charge, memcg exits 1, and
# both knobs (B's, and A's which memcg sets for the way back) are restored.
# Then `--atomic` with a PID that no longer exists: a bad PID aborts the
# whole batch before anything moves (DESIGN.md "memcg move", step 1).
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
cg_write "$B" memory.limit_in_bytes $((32 * MIB))
wl_launch "$A" --anon 4
s1=$WL
wl_launch "$A" --anon 4
s2=$WL
wl_launch "$A" --anon 64
big=$WL
wl_launch "$A" --anon 4
s3=$WL
wl_wait
settle
snap A0 "$A"
snap B0 "$B"
knobA=$(knob "$A")
knobB=$(knob "$B")

move_json at --atomic --charge all "$B" "$s1" "$s2" "$big" "$s3"
settle
snap A1 "$A"
snap B1 "$B"

same "exit status" "$RC" 1
same "status of the big one" "$(jfield at "$big" status)" failed
contains "its error names ENOMEM" /tmp/at.flat \
	"^processes\.[0-9]+\.error	string	ENOMEM"
for p in "$s1" "$s2"; do
	same "status of $p" "$(jfield at "$p" status)" rolled-back
done
case "$(jfield at "$s3" status)" in
rolled-back | not-attempted) note "ok: status of $s3: $(jfield at "$s3" status)" ;;
*) fail "status of $s3: $(jfield at "$s3" status)" ;;
esac
for p in "$s1" "$s2" "$big" "$s3"; do
	same "cgroup of $p" "$(cg_of "$p")" "$A"
done
near "A rss back where it was" "$A1_rss" "$A0_rss"
near "B rss" "$B1_rss" 0
same "B's move_charge_at_immigrate restored" "$(knob "$B")" "$knobB"
same "A's move_charge_at_immigrate restored" "$(knob "$A")" "$knobA"

note "--- a PID that has exited"
sh -c 'exit 0' &
gone=$!
wait "$gone" || true
move_json ag --atomic --charge all "$B" "$s1" "$gone" "$s2"
settle
snap A2 "$A"
snap B2 "$B"
same "exit status" "$RC" 1
contains "stderr names the PID" /tmp/ag.err "$gone"
for p in "$s1" "$s2"; do
	same "cgroup of $p" "$(cg_of "$p")" "$A"
done
near "A rss unchanged" "$A2_rss" "$A1_rss"
near "B rss" "$B2_rss" 0
same "B's move_charge_at_immigrate restored" "$(knob "$B")" "$knobB"
same "A's move_charge_at_immigrate restored" "$(knob "$A")" "$knobA"
