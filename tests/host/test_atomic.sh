#!/bin/bash
# --atomic with one bad PID moves nothing net; without it, the good ones
# move and the exit status says "partial".
set -u
. "$(dirname "$0")/lib.sh" "$@"

mkcg src src
mkcg dst dst
start "$src" --anon 4
a=$wpid
start "$src" --anon 4
b=$wpid
# a PID that is free now: the highest one not in /proc
bad=$(($(cat /proc/sys/kernel/pid_max) - 1))
while [ -e "/proc/$bad" ]; do bad=$((bad - 1)); done

check "--atomic with a bad PID exits 1" 1 "nothing moved" \
	"$memcg" move --atomic "$dst" "$a" "$bad" "$b"
expect "the first good process stayed in SRC" [ "$(cg_of "$a")" = "$src" ]
expect "the second good process stayed in SRC" [ "$(cg_of "$b")" = "$src" ]

json=$("$memcg" move -J "$dst" "$a" "$bad" "$b" 2>/dev/null)
st=$?
expect "without --atomic: partial, exit 64" [ "$st" = 64 ]
expect "the good ones moved" [ "$(cg_of "$a")/$(cg_of "$b")" = "$dst/$dst" ]
expect "the bad one is reported failed with ESRCH" \
	[ "$(jq -r '.processes[1] | .status + " " + .error' <<<"$json")" = "failed ESRCH: no such process" ]

# --atomic --from: everything of SRC moves together
start "$src" --anon 1 --children 5
json=$("$memcg" move -J --atomic --from "$src" "$dst" 2>/dev/null)
st=$?
expect "--atomic --from exits 0" [ "$st" = 0 ]
expect "SRC is empty" [ -z "$(cat "$mnt$src/cgroup.procs")" ]
expect "six processes reported moved" \
	[ "$(jq '[.processes[] | select(.status == "moved")] | length' <<<"$json")" = 6 ]
finish
