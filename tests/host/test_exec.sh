#!/bin/bash
# memcg exec runs a command inside DEST from its first page: the command
# sees DEST in /proc/self/cgroup, its memory is charged to DEST (not to the
# cgroup memcg was started in), its exit status is memcg's; memcg's own
# failures exit 125, a command that cannot run 126, one not found 127 (as
# env(1)), and then nothing ran.
set -u
. "$(dirname "$0")/lib.sh" "$@"

mkcg dst dst
mib32=$((32 * 1024 * 1024))

out=$("$memcg" exec "$dst" -- sh -c 'grep memory /proc/self/cgroup; exit 7' \
	2>"$tmp/err")
st=$?
expect "the command's exit status passes through" [ "$st" = 7 ]
expect "the command ran in DEST" [ "${out#*:memory:}" = "$dst" ]
expect "nothing on stderr" [ ! -s "$tmp/err" ]

out=$("$memcg" exec "$dst" grep memory /proc/self/cgroup)
expect "without --, options after DEST belong to the command" \
	[ "${out#*:memory:}" = "$dst" ]

# a workload exec'd into DEST holds 32 MiB there: charged to DEST
"$memcg" exec "$dst" "$workload" --anon 32 >"$tmp/wl" &
wpid=$!
pids+=("$wpid")
for _ in $(seq 600); do
	grep -q '^ready' "$tmp/wl" 2>/dev/null && break
	sleep 0.05
done
expect "the workload keeps memcg's PID" grep -qx "ready $wpid" "$tmp/wl"
expect "the workload is in DEST" [ "$(cg_of "$wpid")" = "$dst" ]
expect "its 32 MiB are charged to DEST" [ "$(usage_of "$dst")" -ge "$mib32" ]
kill "$wpid"
wait "$wpid" 2>/dev/null

check "a command not found: 127" 127 "cannot run '/nonexistent'" \
	"$memcg" exec "$dst" /nonexistent
check "a command that cannot run: 126" 126 "cannot run '$tmp': " \
	"$memcg" exec "$dst" "$tmp"
check "a missing DEST: 125" 125 "does not exist" \
	"$memcg" exec "$dst/nosuch" true
check "no COMMAND: 125" 125 "expected DEST and a COMMAND" \
	"$memcg" exec "$dst"
check "an unknown option: 125" 125 "unknown option" \
	"$memcg" exec --bogus "$dst" true
check "--sysroot: 125" 125 "sysroot" \
	"$memcg" --sysroot / exec "$dst" true
expect "nothing is left in DEST" [ -z "$(cat "$mnt$dst/cgroup.procs")" ]
finish
