#!/bin/bash
# --require-charge on a kernel that refuses charge moving: exit 3, nothing
# moved, nothing changed. Bad input leaves every setting as it was.
set -u
. "$(dirname "$0")/lib.sh" "$@"
kernel_moves_charge && skip "this kernel moves charges; the vm tier covers it"

mkcg src src
mkcg dst dst
start "$src" --anon 8
knob_before=$(knob_of "$dst")

check "--require-charge exits 3" 3 "cannot move charges: Linux .* no longer moves charges" \
	"$memcg" move --require-charge "$dst" "$wpid"
expect "the process stayed in SRC" [ "$(cg_of "$wpid")" = "$src" ]
expect "DEST's setting is as before" [ "$(knob_of "$dst")" = "$knob_before" ]

check "charge all on this kernel exits 3" 3 "only accepts 0" \
	"$memcg" charge "$dst" all
check "charge none is accepted" 0 "" "$memcg" charge "$dst" none
out=$("$memcg" charge -J "$dst")
expect "charge reads the mode" [ "$(jq -r '.cgroups[0].mode' <<<"$out")" = none ]
expect "and says this kernel does not act on it" \
	[ "$(jq -r '.cgroups[0]."moves-charge"' <<<"$out")" = false ]

check "a DEST that does not exist" 1 "does not exist" \
	"$memcg" move "$dst/nope" "$wpid"
check "a DEST outside the hierarchy" 2 "'\.\.' is not allowed" \
	"$memcg" move "$dst/../../.." "$wpid"
check "a DEST under another controller" 2 "no memory controller" \
	"$memcg" move /sys/fs/cgroup/pids "$wpid"
check "SRC = DEST" 2 "same cgroup" "$memcg" move --from "$dst" "$dst"
check "an unknown PID fails with 1" 1 "no such process \(ESRCH\)" \
	"$memcg" move "$dst" 2147483647
expect "after all that, the process is still in SRC" [ "$(cg_of "$wpid")" = "$src" ]
expect "and DEST's setting is as before" [ "$(knob_of "$dst")" = "$knob_before" ]
finish
