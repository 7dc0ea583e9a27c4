#!/bin/bash
# --exact on a kernel that refuses charge moving: page attribution before
# and after says that none of the process's pages moved and that its 64 MiB
# of anonymous memory is still charged to the source (LEFT).
set -u
. "$(dirname "$0")/lib.sh" "$@"
kernel_moves_charge && skip "this kernel moves charges; the vm tier covers it"
[ -r /proc/kpagecgroup ] || skip "no /proc/kpagecgroup"

mkcg src src
mkcg dst dst
start "$src" --anon 64
mib64=$((64 * 1024 * 1024))

json=$("$memcg" move -J --exact "$dst" "$wpid" 2>/dev/null)
st=$?
f() { jq -r ".processes[0].\"$1\"" <<<"$json"; }
expect "exit status 0" [ "$st" = 0 ]
expect "the process is in DEST" [ "$(cg_of "$wpid")" = "$dst" ]
expect "no anonymous page moved" [ "$(f anon-moved)" = 0 ]
expect "no file page moved" [ "$(f file-moved)" = 0 ]
# LEFT is the process's pages charged to SRC: its 64 MiB, plus the few
# pages of stack and data it touched after joining SRC (under 1 MiB)
left=$(f left)
expect "LEFT is the 64 MiB ($left)" \
	[ "$left" -ge "$mib64" -a "$left" -le $((mib64 + 1024 * 1024)) ]
expect "UNSEEN is a number (no swap here: 0)" [ "$(f unseen)" = 0 ]

where=$("$memcg" where -J "$wpid")
in_src=$(jq --arg cg "$src" '[.charges[] | select(.cgroup == $cg) | .anon] | add // 0' <<<"$where")
expect "where still attributes the 64 MiB to SRC, as anon" [ "$in_src" -ge "$mib64" ]

# the dry run predicts nothing: this kernel moves nothing
json=$("$memcg" move -J --dry-run "$src" "$wpid" 2>/dev/null)
expect "predicted 0 on a kernel that refuses" [ "$(f predicted)" = 0 ]
expect "and says refused" [ "$(f charge)" = refused ]
finish
