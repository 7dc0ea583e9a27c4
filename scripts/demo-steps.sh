#!/bin/sh
# The demo's steps, in POSIX sh so that the same file runs on this machine
# and in the VM's busybox: two scratch cgroups beneath this process's memory
# cgroup, a workload with 64 MiB of anonymous memory and a 16 MiB mapped
# file, "memcg move" and its report, cleanup.
# MEMCG and WORKLOAD name the binaries (default: memcg, memcg-workload).
set -eu
memcg=${MEMCG:-memcg}
workload=${WORKLOAD:-memcg-workload}

mnt=$(awk '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == "memory") print $5 }' /proc/self/mountinfo | head -n 1)
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
[ "$own" = / ] && own=
src=$own/memcg-demo-$$-src
dst=$own/memcg-demo-$$-dst
tmp=$(mktemp -d /dev/shm/memcg-demo.XXXXXX)
wpid=

cleanup() {
	set +e
	if [ -n "$wpid" ]; then
		kill "$wpid" 2>/dev/null
		wait "$wpid" 2>/dev/null
	fi
	for d in "$mnt$src" "$mnt$dst"; do
		[ -d "$d" ] && rmdir "$d"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$mnt$src" "$mnt$dst"
sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$mnt$src" \
	"$workload" --anon 64 --map "$tmp/mapped:16" >"$tmp/ready" &
wpid=$!
while ! grep -q ready "$tmp/ready" 2>/dev/null; do sleep 0.1; done

echo "\$ memcg mounts -o target,type,used,moves-charge,inferred"
"$memcg" mounts -o target,type,used,moves-charge,inferred 2>&1
echo
echo "\$ memcg move $dst $wpid     # 64 MiB anon + 16 MiB mapped file, --charge all"
"$memcg" move -o pid,comm,status,moved,src-before,src-after,dst-before,dst-after,rss,charge \
	"$dst" "$wpid" 2>&1 || true
