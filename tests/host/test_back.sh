#!/bin/bash
# Undo: two sleepers from two different cgroups moved into a third, the -J
# report saved; --back puts each back into its own origin, and a second
# --back of the same report skips both (exit 0).
set -u
. "$(dirname "$0")/lib.sh" "$@"

mkcg a a
mkcg b b
mkcg dst dst
start "$a" --anon 1
pa=$wpid
start "$b" --anon 1
pb=$wpid
"$memcg" move -J "$dst" "$pa" "$pb" >"$tmp/report.json" 2>/dev/null
expect "both moved into DEST" [ "$(cg_of "$pa"),$(cg_of "$pb")" = "$dst,$dst" ]

json=$("$memcg" move -J --back "$tmp/report.json" 2>"$tmp/err")
st=$?
expect "--back: exit 0" [ "$st" = 0 ]
expect "--back: each is back in its own origin" \
	[ "$(cg_of "$pa"),$(cg_of "$pb")" = "$a,$b" ]
expect "--back: rows from DEST to each origin" \
	[ "$(jq -c '[.processes[] | [.pid, .from, .to, .status]]' <<<"$json")" = \
	  "[[$pa,\"$dst\",\"$a\",\"moved\"],[$pb,\"$dst\",\"$b\",\"moved\"]]" ]
expect "--back: the summary counts 2 moved" [ "$(jq '.summary.moved' <<<"$json")" = 2 ]
expect "--back: the summary line names both origins" \
	grep -q "^into '$a' and '$b': 2 moved" "$tmp/err"

json=$("$memcg" move -J --back - <"$tmp/report.json" 2>/dev/null)
st=$?
expect "a second --back: exit 0" [ "$st" = 0 ]
expect "a second --back: both skipped, already in their origins" \
	[ "$(jq -c '[.processes[] | [.status, .note]]' <<<"$json")" = \
	  "[[\"skipped\",\"process $pa is already in '$a'\"],[\"skipped\",\"process $pb is already in '$b'\"]]" ]
expect "a second --back: nothing moved" [ "$(cg_of "$pa"),$(cg_of "$pb")" = "$a,$b" ]

# a process that moved on from where the report left it is skipped
"$memcg" move -J "$b" "$pa" >"$tmp/r2.json" 2>/dev/null
echo "$pa" >"$mnt$dst/cgroup.procs"
json=$("$memcg" move -J --back "$tmp/r2.json" 2>/dev/null)
st=$?
expect "moved on: exit 0, skipped with the reason" \
	[ "$st,$(jq -r '.processes[0] | .status + ": " + .note' <<<"$json")" = \
	  "0,skipped: process $pa is not where the report left it: in '$dst', not '$b'" ]
expect "moved on: it stays where it went" [ "$(cg_of "$pa")" = "$dst" ]
check "--back with a DEST: exit 2" 2 "takes no DEST" \
	"$memcg" move --back "$tmp/report.json" "$dst"
finish
