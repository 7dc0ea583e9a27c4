#!/bin/bash
# A signal in the middle of --from with many processes (SIGTERM, and
# SIGUSR1 for the other catchable terminating signals): every process is in
# SRC or DEST, the run reports what it did and exits 128 + the signal, and
# DEST's setting is what it was. strace delays each write(2) so the signal
# lands mid-run.
set -u
. "$(dirname "$0")/lib.sh" "$@"
command -v strace >/dev/null || skip "strace is not installed"

# interrupt SIGNAL STATUS
interrupt() {
	local sig=$1 want=$2
	mkcg src "src-$sig"
	mkcg dst "dst-$sig"
	start "$src" --children 199
	knob_before=$(knob_of "$dst")
	all=$(sort -n "$mnt$src/cgroup.procs")
	expect "200 processes in SRC" [ "$(wc -l <<<"$all")" = 200 ]

	# (LeakSanitizer cannot run under ptrace)
	ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=write -e inject=write:delay_enter=20000 \
		"$memcg" move -J --from "$src" "$dst" >"$tmp/out" 2>"$tmp/err" &
	spid=$!
	# the traced memcg is strace's child, once it has exec'd memcg
	mpid=
	for _ in $(seq 200); do
		read -r mpid _ <"/proc/$spid/task/$spid/children"
		[ -n "$mpid" ] && [ "$(readlink "/proc/$mpid/exe")" = "$memcg" ] && break
		sleep 0.02
	done
	# wait until some, not all, have moved
	for _ in $(seq 200); do
		n=$(wc -l <"$mnt$dst/cgroup.procs")
		[ "$n" -ge 5 ] && break
		sleep 0.02
	done
	kill -"$sig" "$mpid"
	wait "$spid"
	st=$?
	cat "$tmp/err"
	moved=$(wc -l <"$mnt$dst/cgroup.procs")
	left=$(wc -l <"$mnt$src/cgroup.procs")
	expect "$sig: exit status $want" [ "$st" = "$want" ]
	expect "interrupted in the middle ($moved moved, $left left)" \
		[ "$moved" -gt 0 -a "$left" -gt 0 ]
	expect "every process is in SRC or DEST" \
		[ "$(cat "$mnt$src/cgroup.procs" "$mnt$dst/cgroup.procs" | sort -n)" = "$all" ]
	expect "the report parses" jq -e . "$tmp/out" >/dev/null
	expect "the report counts the moved ones" \
		[ "$(jq '[.processes[] | select(.status == "moved")] | length' "$tmp/out")" = "$moved" ]
	expect "the rest are not-attempted" \
		[ "$(jq '[.processes[] | select(.status == "not-attempted")] | length' "$tmp/out")" -ge 1 ]
	expect "DEST's setting is as before" [ "$(knob_of "$dst")" = "$knob_before" ]
	expect "no state record is left" [ -z "$(ls "${MEMCG_RUNDIR:-/run/memcg}" 2>/dev/null)" ]
}

interrupt TERM 143
interrupt USR1 138
finish
