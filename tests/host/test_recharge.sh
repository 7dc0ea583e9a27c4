#!/bin/bash
# Recharge on the running kernel: a workload moved by hand from scratch
# cgroup A into B leaves its charge in A (cgroup v1 on 6.13+, or a DEST
# without move_charge_at_immigrate); recharge brings it to B and says what
# stayed and why. 64 MiB of touched anon: at least 99% comes over (by
# kpagecgroup, through memcg where), the reported figure agrees within 1%,
# RSS grows by less than 2%, and a dry run changes nothing. A sparse one
# (1 page in 16) is not collapsed, its LEFT says sparse. A B limited to
# 16 MiB never goes over it (nor within 1 MiB of it), the workload lives,
# LEFT says limit.
# usage: test_recharge.sh MEMCG WORKLOAD RECHARGE-DRIVER
set -u
. "$(dirname "$0")/lib.sh" "$@"
driver=$3
[ -r /proc/kpagecgroup ] || skip "no /proc/kpagecgroup on this kernel"
[ -r /sys/kernel/mm/transparent_hugepage/hpage_pmd_size ] ||
	skip "no transparent huge pages on this kernel"
"$driver" --probe >/dev/null 2>&1 || skip "recharge is not possible here"

mib=$((1024 * 1024))

# recharge PID SRC DEST MODE [--dry-run]: the result as key=value lines
# in $tmp/res (the one place that names the command line)
recharge() {
	local pid=$1 src=$2 dst=$3 mode=$4
	shift 4
	"$driver" "$pid" "$src" "$dst" "$mode" "$@" >"$tmp/res"
}
res() { sed -n "s/^$1=//p" "$tmp/res"; }

# bytes of PID's pages charged to cgroup CG, anon, by kpagecgroup
anon_in() {
	"$memcg" where -J "$1" 2>/dev/null |
		jq "[.charges[] | select(.cgroup == \"$2\") | .anon] | add // 0"
}
anon_all() {
	"$memcg" where -J "$1" 2>/dev/null | jq "[.charges[].anon] | add // 0"
}
rss_of() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

# below A B PERCENT: A < B * PERCENT / 100
below() { [ $(($1 * 100)) -lt $(($2 * $3)) ]; }

# moved WORKLOAD-ARGS...: a workload started in A, then moved to B by
# hand, its charge left in A; sets wpid
moved() {
	start "$a" "$@"
	echo "$wpid" >"$mnt$b/cgroup.procs" || exit 1
	[ "$(cg_of "$wpid")" = "$b" ] || exit 1
}

# -- 64 MiB of touched anon ------------------------------------------------
mkcg a a1
mkcg b b1
moved --thp default --anon 64
expect "the move left the charge in A" [ "$(anon_in "$wpid" "$a")" -ge $((64 * mib)) ]
rss0=$(rss_of "$wpid")

recharge "$wpid" "$a" "$b" anon --dry-run
expect "dry run: predicts the 64 MiB" [ "$(res recharged)" -ge $((64 * mib)) ]
expect "dry run: touches nothing" [ "$(anon_in "$wpid" "$a")" -ge $((64 * mib)) ]
expect "dry run: makes no call" [ "$(res calls)" = 0 ]

recharge "$wpid" "$a" "$b" anon
in_b=$(anon_in "$wpid" "$b")
total=$(anon_all "$wpid")
rss1=$(rss_of "$wpid")
expect "at least 99% of its anon is charged to B" [ $((in_b * 100)) -ge $((total * 99)) ]
expect "RECHARGED is within 1% of what kpagecgroup shows in B" \
	within "$(res recharged)" "$in_b" $((in_b / 100))
expect "RSS grew by less than 2%" below $((rss1 - rss0)) "$rss0" 2
expect "the driver's RSS figures agree" \
	below $(($(res rss_after) - $(res rss_before))) "$(res rss_before)" 2
expect "LEFT for limit or kernel is 0" \
	[ "$(res left_limit)" = 0 -a "$(res left_kernel)" = 0 ]
expect "A's usage dropped by the 64 MiB" [ "$(usage_of "$a")" -lt $((8 * mib)) ]
kill "$wpid"

# -- sparse: 1 page in 16 ---------------------------------------------------
moved --thp default --stride 16 --anon 64
rss0=$(rss_of "$wpid")
recharge "$wpid" "$a" "$b" anon
rss1=$(rss_of "$wpid")
expect "sparse: RSS grew by less than 2%" below $((rss1 - rss0)) "$rss0" 2
expect "sparse: LEFT says sparse for the 4 MiB touched" \
	[ "$(res left_sparse)" -ge $((4 * mib * 99 / 100)) ]
expect "sparse: nothing was collapsed" [ "$(res calls)" = 0 ]
kill "$wpid"

# -- B limited to 16 MiB -----------------------------------------------------
mkcg small small
echo $((16 * mib)) >"$mnt$small/memory.limit_in_bytes"
start "$a" --thp default --anon 64
echo "$wpid" >"$mnt$small/cgroup.procs" || exit 1
echo 0 >"$mnt$small/memory.max_usage_in_bytes"
recharge "$wpid" "$a" "$small" anon
peak=$(cat "$mnt$small/memory.max_usage_in_bytes")
expect "limit: B never went over its 16 MiB" [ "$peak" -le $((16 * mib)) ]
# the room rule keeps 1 MiB free after each range; a usage reading may
# carry the per-CPU stock on top
expect "limit: B stayed 1 MiB below its limit" \
	[ "$peak" -le $((15 * mib + slack)) ]
expect "limit: B's failcnt stayed 0" [ "$(cat "$mnt$small/memory.failcnt")" = 0 ]
expect "limit: the workload lives" kill -0 "$wpid"
expect "limit: LEFT says limit" [ "$(res left_limit)" -gt 0 ]
expect "limit: some was recharged" [ "$(res recharged)" -gt 0 ]
finish
