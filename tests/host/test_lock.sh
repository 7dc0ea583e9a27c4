#!/bin/bash
# A second memcg move into the same DEST waits for the first (flock on the
# DEST directory), and with --wait 0 gives up at once, moving nothing.
set -u
. "$(dirname "$0")/lib.sh" "$@"
command -v strace >/dev/null || skip "strace is not installed"

mkcg src src
mkcg dst dst
start "$src" --children 99
first=$(sort -n "$mnt$src/cgroup.procs")
start "$src"
second=$wpid

# the first run is slowed to about 50 ms per process
# (LeakSanitizer cannot run under ptrace)
ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=write -e inject=write:delay_enter=50000 \
	"$memcg" move -o pid,status --from "$src" "$dst" >/dev/null 2>&1 &
spid=$!
# (cgroup files report size 0: read them, do not test -s)
for _ in $(seq 200); do
	[ -n "$(cat "$mnt$dst/cgroup.procs")" ] && break
	sleep 0.02
done
expect "the first run has started" [ -n "$(cat "$mnt$dst/cgroup.procs")" ]

check "--wait 0 gives up" 1 "another memcg run is moving processes into" \
	"$memcg" move --wait 0 "$dst" "$second"
"$memcg" move --wait 60 "$dst" "$second" >/dev/null 2>"$tmp/err" &
mpid=$!
sleep 0.5
expect "the second run is waiting" kill -0 "$mpid"
expect "it said it is waiting" grep -q "waiting for another memcg run" "$tmp/err"
wait "$spid"
wait "$mpid"
st=$?
expect "the second run then succeeds" [ "$st" = 0 ]
expect "its process is in DEST" [ "$(cg_of "$second")" = "$dst" ]
finish
