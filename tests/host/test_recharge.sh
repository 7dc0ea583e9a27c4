#!/bin/bash
# memcg move --recharge on the running kernel: a workload in scratch cgroup
# A moved into B where the kernel leaves its charge in A (cgroup v1 on
# 6.13+) has it brought over by recharge, which says what stayed and why.
# 64 MiB of touched anon: a dry run predicts the 64 MiB and changes
# nothing; the run brings at least 99% to B (by kpagecgroup, through memcg
# where), RECHARGED agrees within 1%, RSS grows by less than 2%, exit 0. A
# sparse one (1 page in 16) is not collapsed, RSS grows by less than 2%,
# LEFT-BY says sparse. A B limited to 16 MiB never goes over it (nor within
# 1 MiB of it), the workload lives, the exit status is 64 (or 1) and
# LEFT-BY says limit; once the limit is lifted, a rerun (the process is
# skipped, already in B) brings what the limit kept. --rate 32 keeps to
# 32 MiB/s, and SIGINT stops between ranges: exit 130, the report says
# what was recharged and that the rest was stopped.
# usage: test_recharge.sh MEMCG WORKLOAD
set -u
. "$(dirname "$0")/lib.sh" "$@"
[ -r /proc/kpagecgroup ] || skip "no /proc/kpagecgroup on this kernel"
[ -r /sys/kernel/mm/transparent_hugepage/hpage_pmd_size ] ||
	skip "no transparent huge pages on this kernel"
kernel_moves_charge && skip "this kernel moves the charge with the process"

mib=$((1024 * 1024))

# recharge PID DEST MODE [OPTION...]: memcg move --recharge MODE -J DEST
# PID, its document in $tmp/res, its exit status in $rc
recharge() {
	local pid=$1 dst=$2 mode=$3
	shift 3
	rc=0
	"$memcg" move --recharge "$mode" "$@" -J "$dst" "$pid" >"$tmp/res" \
		2>"$tmp/err" || rc=$?
}
# res KEY: the process row's value (left-by.REASON: 0 when absent)
res() {
	case $1 in
	left-by.*) jq ".processes[0][\"left-by\"][\"${1#left-by.}\"] // 0" "$tmp/res" ;;
	*) jq ".processes[0][\"$1\"]" "$tmp/res" ;;
	esac
}

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

# -- 64 MiB of touched anon ------------------------------------------------
mkcg a a1
mkcg b b1
start "$a" --thp default --anon 64
rss0=$(rss_of "$wpid")

recharge "$wpid" "$b" anon --dry-run
expect "dry run: exit 0" [ "$rc" = 0 ]
expect "dry run: predicts the 64 MiB" [ "$(res recharged)" -ge $((64 * mib)) ]
expect "dry run: the process stays in A" [ "$(cg_of "$wpid")" = "$a" ]
expect "dry run: touches nothing" [ "$(anon_in "$wpid" "$a")" -ge $((64 * mib)) ]
expect "dry run: RECHARGE-TIME is null (nothing ran)" [ "$(res recharge-time)" = null ]

t0=${EPOCHREALTIME/./}
recharge "$wpid" "$b" anon
t1=${EPOCHREALTIME/./}
expect "RECHARGE-TIME is some time, within the command's ($(res recharge-time) of $((t1 - t0)) us)" \
	[ "$(res recharge-time)" -gt 0 -a "$(res recharge-time)" -le $((t1 - t0)) ]
in_b=$(anon_in "$wpid" "$b")
total=$(anon_all "$wpid")
rss1=$(rss_of "$wpid")
expect "exit 0" [ "$rc" = 0 ]
expect "moved to B" [ "$(res status)" = '"moved"' -a "$(cg_of "$wpid")" = "$b" ]
expect "at least 99% of its anon is charged to B" [ $((in_b * 100)) -ge $((total * 99)) ]
expect "RECHARGED is within 1% of what kpagecgroup shows in B" \
	within "$(res recharged)" "$in_b" $((in_b / 100))
expect "RECHARGED-ANON is RECHARGED" [ "$(res recharged-anon)" = "$(res recharged)" ]
expect "summary.recharged is the row's" \
	[ "$(jq .summary.recharged "$tmp/res")" = "$(res recharged)" ]
expect "RSS grew by less than 2%" below $((rss1 - rss0)) "$rss0" 2
expect "RSS-BEFORE and RSS-AFTER agree" \
	below $(($(res rss-after) - $(res rss-before))) "$(res rss-before)" 2
expect "LEFT-BY is an object" [ "$(jq -r '.processes[0]["left-by"] | type' "$tmp/res")" = object ]
expect "nothing left for limit or kernel" \
	[ "$(res left-by.limit)" = 0 -a "$(res left-by.kernel)" = 0 ]
expect "A's usage dropped by the 64 MiB" [ "$(usage_of "$a")" -lt $((8 * mib)) ]
kill "$wpid"

# -- sparse: 1 page in 16 ---------------------------------------------------
start "$a" --thp default --stride 16 --anon 64
rss0=$(rss_of "$wpid")
recharge "$wpid" "$b" anon
rss1=$(rss_of "$wpid")
expect "sparse: exit 0" [ "$rc" = 0 ]
expect "sparse: RSS grew by less than 2%" below $((rss1 - rss0)) "$rss0" 2
expect "sparse: LEFT-BY says sparse for the 4 MiB touched" \
	[ "$(res left-by.sparse)" -ge $((4 * mib * 99 / 100)) ]
expect "sparse: nothing was collapsed" [ "$(res recharged)" = 0 ]
expect "sparse: its anon is still charged to A" \
	[ "$(anon_in "$wpid" "$a")" -ge $((4 * mib * 99 / 100)) ]
kill "$wpid"

# -- B limited to 16 MiB -----------------------------------------------------
mkcg small small
echo $((16 * mib)) >"$mnt$small/memory.limit_in_bytes"
start "$a" --thp default --anon 64
echo 0 >"$mnt$small/memory.max_usage_in_bytes"
recharge "$wpid" "$small" anon
peak=$(cat "$mnt$small/memory.max_usage_in_bytes")
expect "limit: exit 64 or 1" [ "$rc" = 64 -o "$rc" = 1 ]
expect "limit: B never went over its 16 MiB" [ "$peak" -le $((16 * mib)) ]
# the room rule keeps 1 MiB free after each range; a usage reading may
# carry the per-CPU stock on top
expect "limit: B stayed 1 MiB below its limit" \
	[ "$peak" -le $((15 * mib + slack)) ]
expect "limit: B's failcnt stayed 0" [ "$(cat "$mnt$small/memory.failcnt")" = 0 ]
expect "limit: the workload lives" kill -0 "$wpid"
expect "limit: LEFT-BY says limit" [ "$(res left-by.limit)" -gt 0 ]
expect "limit: some was recharged" [ "$(res recharged)" -gt 0 ]
expect "limit: stderr says what the limit kept" grep -q "limit of '$small'" "$tmp/err"

# -- a rerun once the limit is lifted: the process is already there --------
left=$(res left-by.limit)
echo -1 >"$mnt$small/memory.limit_in_bytes"
recharge "$wpid" "$small" anon
expect "rerun: exit 0" [ "$rc" = 0 ]
expect "rerun: skipped, as it is in DEST" [ "$(res status)" = '"skipped"' ]
expect "rerun: what the limit kept comes over" \
	[ "$(res recharged)" -ge $((left * 9 / 10)) ]
expect "rerun: nothing left for the limit" [ "$(res left-by.limit)" = 0 ]
kill "$wpid"

# -- --rate, and SIGINT between ranges ---------------------------------------
# 128 MiB at 32 MiB/s takes 4 s; the interrupt comes after 1 s
start "$a" --thp default --anon 128
t0=${EPOCHREALTIME/./}
"$memcg" move --recharge anon --rate 32 -J "$b" "$wpid" >"$tmp/res" 2>"$tmp/err" &
mpid=$!
sleep 1
kill -INT "$mpid"
rc=0
wait "$mpid" || rc=$?
t1=${EPOCHREALTIME/./}
expect "interrupt: exit 130" [ "$rc" = 130 ]
expect "interrupt: the document was printed" jq -e .summary "$tmp/res" >/dev/null
expect "interrupt: some was recharged" [ "$(res recharged)" -gt 0 ]
expect "interrupt: --rate kept it to about 32 MiB/s" \
	[ "$(res recharged)" -le $((32 * mib * (t1 - t0) / 1000000 + 4 * mib)) ]
expect "interrupt: the rest is LEFT-BY stopped" [ "$(res left-by.stopped)" -gt $((32 * mib)) ]
expect "interrupt: RECHARGED is what kpagecgroup shows in B" \
	within "$(res recharged)" "$(anon_in "$wpid" "$b")" $((4 * mib))
finish
