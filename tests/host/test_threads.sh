#!/bin/bash
# A thread ID given as a PID moves its whole process and is reported as it:
# the row shows the TGID and its note names the TID; two TIDs of one
# process make one row; the same PID twice is still a usage error.
set -u
. "$(dirname "$0")/lib.sh" "$@"

mkcg src src
mkcg dst dst
start "$src" --anon 4 --threads 2
tids=()
for t in /proc/"$wpid"/task/*; do
	[ "${t##*/}" = "$wpid" ] || tids+=("${t##*/}")
done
expect "the workload has two threads besides its leader" [ ${#tids[@]} = 2 ]

json=$("$memcg" move -J "$dst" "${tids[0]}" 2>"$tmp/err")
st=$?
expect "a TID: exit 0" [ "$st" = 0 ]
expect "a TID: one row, the process's PID (the TGID)" \
	[ "$(jq -c '[.processes[] | .pid]' <<<"$json")" = "[$wpid]" ]
expect "a TID: moved" [ "$(jq -r '.processes[0].status' <<<"$json")" = moved ]
expect "a TID: the note names it" \
	jq -e --arg t "${tids[0]}" --arg p "$wpid" \
	'.processes[0].note == "\($t) is a thread of process \($p): the whole process moves"' \
	<<<"$json" >/dev/null
expect "a TID: the note is on stderr too" \
	grep -q "memcg: ${tids[0]} is a thread of process $wpid" "$tmp/err"
expect "the whole process is in DEST" all_threads_in "$wpid" "$dst"

json=$("$memcg" move -J "$src" "${tids[0]}" "${tids[1]}" 2>/dev/null)
st=$?
expect "two TIDs: exit 0" [ "$st" = 0 ]
expect "two TIDs: one row" [ "$(jq -c '[.processes[] | .pid]' <<<"$json")" = "[$wpid]" ]
expect "two TIDs: the note names both" \
	jq -e --arg a "${tids[0]}" --arg b "${tids[1]}" \
	'.processes[0].note | contains($a) and contains("thread " + $b)' <<<"$json" >/dev/null
expect "two TIDs: back in SRC, every thread" all_threads_in "$wpid" "$src"
expect "two TIDs: one move, one row moved" \
	[ "$(jq -r '.summary.moved' <<<"$json")" = 1 ]
check "the same PID twice: exit 2" 2 "PID $wpid is given twice" \
	"$memcg" move "$dst" "$wpid" "$wpid"
finish
