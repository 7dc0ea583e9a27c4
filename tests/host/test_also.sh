#!/bin/bash
# move --also: a workload moved into DEST of the memory hierarchy is also
# moved, every thread of it, into the cgroup of the same path in the cpu
# hierarchy, and the report says so; a list naming no mounted hierarchy is
# a usage error that moves nothing.
set -u
. "$(dirname "$0")/lib.sh" "$@"

cpu_mnt=$(awk '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == "cpu") print $5 }' /proc/self/mountinfo | head -n 1)
[ -n "$cpu_mnt" ] || skip "no cgroup v1 cpu hierarchy is mounted"
own_cpu=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' /proc/self/cgroup)
[ -n "$own_cpu" ] || skip "this process is in no v1 cpu cgroup"
[ "$own_cpu" = / ] && own_cpu=

mkcg src src
mkcg dst dst
# DEST's path in the cpu hierarchy must lie beneath our own cpu cgroup:
# nothing is created anywhere else
case $dst/ in
"$own_cpu"/*) ;;
*) skip "'$dst' is not beneath this process's cpu cgroup '${own_cpu:-/}'" ;;
esac

# the components of DEST's path missing from the cpu hierarchy, created
# here and removed on every way out: lib.sh's cleanup ends the workloads,
# so the cpu cgroups are empty, then removes the scratch list backwards
# (deepest first)
rel=${dst#"$own_cpu"}
d=$cpu_mnt$own_cpu
IFS=/ read -ra parts <<<"${rel#/}"
for p in "${parts[@]}"; do
	d=$d/$p
	[ -d "$d" ] && continue
	mkdir "$d" || exit 1
	scratch+=("$d")
done

cpu_of() {
	awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' "$1"
}

start "$src" --threads 4
expect "the workload has several threads" \
	[ "$(ls /proc/"$wpid"/task | wc -l)" -ge 5 ]
cpu_before=$(cpu_of "/proc/$wpid/cgroup")

check "--also nosuch is a usage error" 2 "nosuch" \
	"$memcg" move --also nosuch "$dst" "$wpid"
expect "--also nosuch moved nothing (memory)" [ "$(cg_of "$wpid")" = "$src" ]
expect "--also nosuch moved nothing (cpu)" \
	[ "$(cpu_of "/proc/$wpid/cgroup")" = "$cpu_before" ]

json=$("$memcg" move -J --also cpu "$dst" "$wpid" 2>"$tmp/err")
st=$?
expect "exit status 0" [ "$st" = 0 ]
[ "$st" = 0 ] || cat "$tmp/err"
json_parses() { jq -e . <<<"$json" >/dev/null; }
expect "JSON parses" json_parses
expect "report: status moved" \
	[ "$(jq -r '.processes[0].status' <<<"$json")" = moved ]
expect "report: also cpu" \
	[ "$(jq -r '.processes[0].also' <<<"$json")" = cpu ]
expect "the process is in DEST" [ "$(cg_of "$wpid")" = "$dst" ]
expect "all its threads are in DEST" all_threads_in "$wpid" "$dst"
threads_in_cpu() {
	local t
	for t in /proc/"$wpid"/task/*; do
		[ "$(cpu_of "$t/cgroup")" = "$dst" ] || return 1
	done
}
expect "all its threads are in the cpu cgroup '$dst'" threads_in_cpu
finish
