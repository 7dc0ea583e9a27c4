#!/bin/bash
# Run as an unprivileged user against a scratch cgroup: the dry run predicts
# EACCES on DEST's cgroup.procs (failed, exit 1), and the real run as that
# user agrees and changes nothing. And --from an empty SRC: nothing to move,
# no lock, no setting written, no warning about the charge, exit 0.
set -u
. "$(dirname "$0")/lib.sh" "$@"
command -v setpriv >/dev/null || skip "setpriv is not installed"

mkcg src src
mkcg dst dst
start "$src" --anon 1
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nobody test -x "$memcg" || skip "the unprivileged user cannot run $memcg"

json=$(nobody "$memcg" move --dry-run -J "$dst" "$wpid" 2>/dev/null)
st=$?
expect "non-root dry run: exit 1" [ "$st" = 1 ]
expect "non-root dry run: failed, EACCES predicted" \
	[ "$(jq -r '.processes[0] | .status + " " + .error' <<<"$json")" = \
	  "failed EACCES: predicted: permission denied: this user may not write '$mnt$dst/cgroup.procs'" ]
json=$(nobody "$memcg" move -J "$dst" "$wpid" 2>/dev/null)
st=$?
expect "non-root real run: exit 1, as predicted" [ "$st" = 1 ]
expect "non-root real run: failed, EACCES" \
	[ "$(jq -r '.processes[0] | .status + " " + .error' <<<"$json")" = \
	  "failed EACCES: permission denied: this user may not write '$mnt$dst/cgroup.procs'" ]
expect "non-root real run: the process stayed" [ "$(cg_of "$wpid")" = "$src" ]

# an empty SRC, while another holds DEST's lock: a run that took the lock
# would wait and fail (--wait 0)
mkcg empty empty
exec {lockfd}<"$mnt$dst"
flock -x "$lockfd"
out=$("$memcg" move --wait 0 --from "$empty" "$dst" 2>&1)
st=$?
exec {lockfd}<&-
expect "empty SRC: exit 0" [ "$st" = 0 ]
expect "empty SRC: one line, nothing to move" \
	[ "$out" = "memcg: nothing to move: '$empty' has no processes" ]
finish
