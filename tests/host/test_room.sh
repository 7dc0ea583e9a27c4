#!/bin/bash
# Where the charge stays behind (this kernel refuses to move it, 6.13+), a
# process moved into a DEST whose limit leaves less room than its RSS still
# moves, and memcg warns that DEST's OOM killer will pick it first (DESIGN,
# Settlements: where the charge does not move); the dry run predicts the
# same warning. One that fits gets no warning.
set -u
. "$(dirname "$0")/lib.sh" "$@"
kernel_moves_charge && skip "this kernel moves charges; the vm tier covers it"

mkcg src src
mkcg small small
mkcg roomy roomy
echo $((16 * 1024 * 1024)) >"$mnt$small/memory.limit_in_bytes"
echo $((512 * 1024 * 1024)) >"$mnt$roomy/memory.limit_in_bytes"
start "$src" --anon 64

"$memcg" move --dry-run "$small" "$wpid" >/dev/null 2>"$tmp/dry"
expect "the dry run warns: no room for the RSS in DEST" \
	grep -q "'$small' has room for .* process $wpid has .* resident.*OOM killer of '$small'" "$tmp/dry"
expect "the dry run moved nothing" [ "$(cg_of "$wpid")" = "$src" ]

"$memcg" move "$small" "$wpid" >/dev/null 2>"$tmp/real"
st=$?
expect "the move succeeds (exit 0)" [ "$st" = 0 ]
expect "the process is in DEST" [ "$(cg_of "$wpid")" = "$small" ]
expect "the move warns as the dry run did" \
	grep -q "'$small' has room for .* process $wpid has .* resident.*OOM killer of '$small'" "$tmp/real"
expect "the process survives" kill -0 "$wpid"

"$memcg" move "$roomy" "$wpid" >/dev/null 2>"$tmp/fits"
expect "into a DEST with room: no such warning" bash -c "! grep -q \"OOM killer\" \"$tmp/fits\""
finish
