# sigterm-restore — `--from A` over 80 processes, interrupted by SIGTERM
# once the first ones are in B: memcg exits 143 with DEST's knob back to
# its old value, every process in A or B, and a report that matches where
# each process is and how much charge B got.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
cg_write "$B" memory.move_charge_at_immigrate 1
# Each workload holds its own memory, so each move costs the kernel a
# page walk and the run lasts long enough to be interrupted.
i=0
while [ "$i" -lt 40 ]; do
	wl_launch "$A" --anon 6 --children 1
	i=$((i + 1))
done
wl_wait
settle
procs_of "$A" >/tmp/st.pids
same "processes in A" "$(wc -l </tmp/st.pids)" 80
snap A0 "$A"
snap B0 "$B"

note "\$ memcg move -J --charge all --from $A $B  (SIGTERM once B is not empty)"
memcg move -J --charge all --from "$A" "$B" >/tmp/st.out 2>/tmp/st.err &
mp=$!
i=0
until [ -n "$(head -n 1 "$(cg_dir "$B")/cgroup.procs")" ]; do
	kill -0 "$mp" 2>/dev/null || break
	i=$((i + 1))
	[ "$i" -lt 20000 ] || fail "nothing reached B"
done
kill -TERM "$mp" 2>/dev/null || true
RC=0
wait "$mp" || RC=$?
sed 's/^/  stdout: /' /tmp/st.out
sed 's/^/  stderr: /' /tmp/st.err
note "  exit status $RC"
awk -f "$JSON_AWK" /tmp/st.out >/tmp/st.flat ||
	fail "memcg move -J did not print one valid JSON document"
settle
snap A1 "$A"
snap B1 "$B"

inA=$(count_procs "$A")
inB=$(count_procs "$B")
note "after: $inA processes in A, $inB in B"
[ "$inA" -gt 0 ] || fail "memcg finished all 80 moves before SIGTERM arrived: the run was not interrupted"
same "exit status" "$RC" 143
same "B's move_charge_at_immigrate restored" "$(knob "$B")" 1
same "processes in A or B" $((inA + inB)) 80
total=0
for p in $(cat /tmp/st.pids); do
	status=$(jfield st "$p" status)
	case "$status:$(cg_of "$p")" in
	"moved:$B") total=$((total + $(jnum st "$p" moved))) ;;
	"not-attempted:$A") ;;
	*) fail "process $p: status '$status' but in $(cg_of "$p")" ;;
	esac
done
note "ok: each row's status matches where its process is"
near "sum of MOVED vs B's rss increase" "$total" $((B1_rss - B0_rss))
near "sum of MOVED vs A's rss decrease" "$total" $((A0_rss - A1_rss))
