#!/bin/bash
# A workload is moved, with all its threads; on a kernel that refuses charge
# moving (6.13+) the report says so, MOVED is 0 within the per-CPU slack, the
# source still holds the charge, and DEST's setting is what it was.
set -u
. "$(dirname "$0")/lib.sh" "$@"
kernel_moves_charge && skip "this kernel moves charges; the vm tier covers it"

mkcg src src
mkcg dst dst
start "$src" --anon 64 --threads 3
mib64=$((64 * 1024 * 1024))
knob_before=$(knob_of "$dst")
src_before=$(usage_of "$src")
expect "the workload's 64 MiB is charged to SRC" [ "$src_before" -ge "$mib64" ]

json=$("$memcg" move -J "$dst" "$wpid" 2>"$tmp/err")
st=$?
expect "exit status 0" [ "$st" = 0 ]
expect "JSON parses" jq -e . <<<"$json" >/dev/null
f() { jq -r ".processes[0].\"$1\"" <<<"$json"; }
expect "the process is in DEST" [ "$(cg_of "$wpid")" = "$dst" ]
expect "all its threads are in DEST" all_threads_in "$wpid" "$dst"
expect "DEST's cgroup.procs lists it" grep -qx "$wpid" "$mnt$dst/cgroup.procs"
expect "report: pid" [ "$(f pid)" = "$wpid" ]
expect "report: from SRC" [ "$(f from)" = "$src" ]
expect "report: to DEST" [ "$(f to)" = "$dst" ]
expect "report: status moved" [ "$(f status)" = moved ]
expect "report: the kernel refused charge moving" [ "$(f charge)" = refused ]
expect "a warning names the kernel's refusal" \
	grep -q "charge will not move: Linux $(uname -r | sed 's/[.]/[.]/g') no longer moves charges" "$tmp/err"
expect "report: MOVED is 0 within the slack" within "$(f moved)" 0 "$slack"
expect "report: SRC-BEFORE is SRC's usage then" within "$(f src-before)" "$src_before" "$slack"
expect "report: SRC-AFTER still holds the 64 MiB" [ "$(f src-after)" -ge "$mib64" ]
expect "report: RSS covers the 64 MiB" [ "$(f rss)" -ge "$mib64" ]
expect "report: time is a number of microseconds" [ "$(f time)" -ge 0 ]
expect "the source still holds the charge" [ "$(usage_of "$src")" -ge "$mib64" ]
expect "DEST holds almost none of it" [ "$(usage_of "$dst")" -lt $((mib64 / 8)) ]
expect "DEST's setting is as before" [ "$(knob_of "$dst")" = "$knob_before" ]

# a rerun into the same DEST is safe: skipped, exit 0
json=$("$memcg" move -J "$dst" "$wpid" 2>/dev/null)
st=$?
expect "moving again exits 0" [ "$st" = 0 ]
expect "moving again is skipped" [ "$(f status)" = skipped ]

# the table names the refusal for people too
out=$("$memcg" move "$src" "$wpid" 2>&1)
expect "the summary says charge did not move" grep -q "charge did not move" <<<"$out"
expect "back in SRC" [ "$(cg_of "$wpid")" = "$src" ]
finish
