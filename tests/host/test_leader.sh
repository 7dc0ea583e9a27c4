#!/bin/bash
# A process whose leader has exited while other threads live: its
# /proc/PID/cgroup reads the root (the kernel gives an exiting task the root
# css_set), but the process is where its live threads are. memcg moves it,
# reports FROM as that cgroup (not the root), and --atomic does not mistake
# it for a process that left DEST.
set -u
. "$(dirname "$0")/lib.sh" "$@"

mkcg src src
mkcg dst dst
start "$src" --anon 8 --threads 2 --leader-exit yes
for _ in $(seq 100); do
	[ "$(awk '/^State:/ { print $2 }' "/proc/$wpid/status")" = Z ] && break
	sleep 0.05
done
expect "the leader is a zombie" \
	[ "$(awk '/^State:/ { print $2 }' "/proc/$wpid/status")" = Z ]
expect "its /proc/PID/cgroup reads the root" [ "$(cg_of "$wpid")" = / ]
expect "its live threads are in SRC" \
	bash -c "grep -l ':memory:$src\$' /proc/$wpid/task/*/cgroup | grep -vq '/task/$wpid/'"

json=$("$memcg" move -J --atomic "$dst" "$wpid" 2>"$tmp/err")
st=$?
f() { jq -r ".processes[0].\"$1\"" <<<"$json"; }
expect "exit status 0" [ "$st" = 0 ]
expect "status moved" [ "$(f status)" = moved ]
expect "FROM is SRC, not the root" [ "$(f from)" = "$src" ]
live=$(ls "/proc/$wpid/task" | grep -vx "$wpid")
for t in $live; do
	expect "thread $t is in DEST" \
		[ "$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$wpid/task/$t/cgroup")" = "$dst" ]
done
finish
