#!/bin/bash
# Page attribution on the running kernel: a workload touching 64 MiB of
# anonymous memory inside a scratch cgroup is charged there, as anon, by
# memcg where (rows and --summary) and memcg ps; without root, where says
# what it needs; after its cgroup is removed, its pages are named by the
# removed inode or the nearest live ancestor, never by the old path.
set -u
. "$(dirname "$0")/lib.sh" "$@"
[ -r /proc/kpagecgroup ] || skip "no /proc/kpagecgroup on this kernel"

mib64=$((64 * 1024 * 1024))
mkcg cg wl
start "$cg" --anon 64
ino=$(stat -c %i "$mnt$cg")

json=$("$memcg" where -J "$wpid" 2>"$tmp/err")
st=$?
expect "where exits 0" [ "$st" = 0 ]
expect "where prints JSON" jq -e . <<<"$json" >/dev/null
row() { jq -r --arg cg "$1" ".charges[] | select(.cgroup == \$cg) | .\"$2\"" <<<"$json"; }
expect "at least 64 MiB charged to the scratch cgroup as anon" \
	[ "$(row "$cg" anon)" -ge "$mib64" ]
expect "the row names the cgroup's inode" [ "$(row "$cg" inode)" = "$ino" ]
expect "the row is the process's current cgroup" [ "$(row "$cg" current)" = true ]
expect "the row is of kind cgroup" [ "$(row "$cg" kind)" = cgroup ]
expect "every row is about the workload" \
	[ "$(jq "[.charges[] | select(.pid != $wpid)] | length" <<<"$json")" = 0 ]

json=$("$memcg" where -s -J "$wpid" 2>/dev/null)
f() { jq -r ".processes[0].\"$1\"" <<<"$json"; }
expect "--summary: the process's cgroup" [ "$(f cgroup)" = "$cg" ]
expect "--summary: charged here covers the 64 MiB" [ "$(f charged-here)" -ge "$mib64" ]
expect "--summary: resident covers charged here" \
	[ "$(f resident)" -ge "$(f charged-here)" ]

json=$("$memcg" ps -J "$cg" 2>/dev/null)
expect "ps lists the workload" [ "$(jq -r '.processes[0].pid' <<<"$json")" = "$wpid" ]
expect "ps: charged here covers the 64 MiB" \
	[ "$(jq -r '.processes[0]."charged-here"' <<<"$json")" -ge "$mib64" ]
json=$("$memcg" ps -R -J "${own:-/}" 2>/dev/null)
expect "ps -R on the parent finds it in the scratch cgroup" \
	[ "$(jq -r ".processes[] | select(.pid == $wpid) | .cgroup" <<<"$json")" = "$cg" ]

if command -v setpriv >/dev/null; then
	check "without root, where says what it needs" 1 "needs root" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$memcg" where "$wpid"
fi

# move the workload out, remove its cgroup: the charge stays behind on
# this kernel, and kpagecgroup names the removed inode for a while, then
# the nearest live ancestor (docs §4, DESIGN Decisions)
mkcg other other
echo "$wpid" >"$mnt$other/cgroup.procs"
if kernel_moves_charge; then
	echo "skip the removed-cgroup checks: this kernel moves the charge"
else
	rmdir "$mnt$cg"
	json=$("$memcg" where -J "$wpid" 2>/dev/null)
	parent=${own:-/}
	left=$(jq "[.charges[] | select(.cgroup == \"$parent\" or .inode == $ino) | .anon] | add // 0" <<<"$json")
	expect "the 64 MiB is named by the removed inode or the parent" \
		[ "$left" -ge "$mib64" ]
	expect "no row names the removed path" \
		[ "$(jq "[.charges[] | select(.cgroup == \"$cg\")] | length" <<<"$json")" = 0 ]
	removed=$(jq -r ".charges[] | select(.inode == $ino) | .cgroup" <<<"$json")
	expect "a removed inode is named as such" \
		[ -z "$removed" -o "$removed" = "(removed cgroup, inode $ino)" ]
fi
finish
