#!/bin/bash
# A delegated subtree: a user who is not root, owning two cgroups, moves
# their own process between them. No record is needed when no knob is
# written; a run directory they cannot use is no reason for a warning;
# where a record is needed and cannot be kept, the message says what to do.
set -u
. "$(dirname "$0")/lib.sh" "$@"
command -v setpriv >/dev/null || skip "no setpriv"
user=65534

mkcg src src
mkcg dst dst
chown -R "$user" "$mnt$src" "$mnt$dst"
# the run directory is beneath the test's directory, which is root's
# (mode 0700): like /run/memcg, the user can neither read nor make it
export MEMCG_RUNDIR=$tmp/run

as_user() {
	setpriv --reuid="$user" --regid="$user" --clear-groups -- "$@"
}

# a workload of the user's own, in src from its first page on
out="$tmp/wl.user"
setpriv --reuid="$user" --regid="$user" --clear-groups -- \
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ \
	"$mnt$src" "$workload" --anon 4 >"$out" &
wpid=$!
pids+=("$wpid")
for _ in $(seq 600); do
	grep -q '^ready' "$out" 2>/dev/null && break
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.05
done
expect "the user's workload runs in SRC" [ "$(cg_of "$wpid")" = "$src" ]

# quiet: "$1" says nothing on stderr and exits 0
quiet() {
	local err st
	err=$("$@" 2>&1 >/dev/null)
	st=$?
	[ "$st" = 0 ] && [ -z "$err" ] && return 0
	printf '  exit %s: %s\n' "$st" "$err"
	return 1
}
expect "charge reads the mode in silence" quiet as_user "$memcg" charge "$dst"
expect "charge sets none in silence (no repair warning)" \
	quiet as_user "$memcg" charge "$dst" none
err=$(as_user "$memcg" move --charge none "$dst" "$wpid" 2>&1 >/dev/null)
st=$?
expect "--charge none moves the user's process (exit $st: $err)" [ "$st" = 0 ]
expect "into DEST" [ "$(cg_of "$wpid")" = "$dst" ]
expect "and says nothing of the run directory" \
	eval '! grep -q "$tmp/run" <<<"$err"'
check "--charge keep moves it back" 0 "" \
	as_user "$memcg" move --charge keep "$src" "$wpid"
expect "into SRC" [ "$(cg_of "$wpid")" = "$src" ]

if kernel_moves_charge; then
	# a knob write needs a record, and there is nowhere to keep one
	check "a knob write without a run directory names the way out" 1 \
		"MEMCG_RUNDIR.*--charge none" \
		as_user "$memcg" move "$dst" "$wpid"
	expect "the process stayed in SRC" [ "$(cg_of "$wpid")" = "$src" ]
else
	# the kernel refuses the value: no record is needed to be refused
	check "the default --charge all moves it, charge refused" 0 \
		"charge will not move" as_user "$memcg" move "$dst" "$wpid"
	expect "into DEST" [ "$(cg_of "$wpid")" = "$dst" ]
fi
expect "nothing was made in the run directory" [ ! -e "$tmp/run" ]
expect "DEST's setting is 0" [ "$(knob_of "$dst")" = 0 ]
finish
