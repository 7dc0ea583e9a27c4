#!/bin/bash
# memcg charge --restore against a hostile run directory: what it reads is
# checked before anything is written, nothing blocks or spins, and every
# record it does not act on is reported with the reason (exit 1), never
# dropped in silence. The run directory is a temporary one (MEMCG_RUNDIR);
# the "cgroups" named by the records are plain directories, which is the
# point: memcg must refuse to write there.
# usage: test_records.sh MEMCG
set -u
memcg=$1
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run=$tmp/run
export MEMCG_RUNDIR=$run

# fresh: an empty run directory
fresh() {
	rm -rf "$run"
	mkdir -m 0700 "$run"
}

# restore: charge --restore, bounded (a FIFO used to block it forever)
restore() {
	timeout 20 "$memcg" charge --restore
}

# record FILE DIR OLD: a record for DIR (its real device and inode)
record() {
	printf 'dir=%s\ndev=%s\nino=%s\nold=%s\n' "$2" \
		"$(stat -c %d "$2")" "$(stat -c %i "$2")" "$3" >"$run/$1"
}

mkdir "$tmp/plain"
printf '3\n' >"$tmp/plain/memory.move_charge_at_immigrate"
knob() { cat "$tmp/plain/memory.move_charge_at_immigrate"; }

rm -rf "$run"
check "no run directory: nothing to restore" 0 "nothing to restore" restore
fresh
check "an empty one: nothing to restore" 0 "nothing to restore" restore

record knob-1-2 "$tmp/plain" 0
check "a record naming a directory that is no cgroup" 1 \
	"'$tmp/plain' is not a directory on a cgroup v1 filesystem" restore
expect "is not written to" [ "$(knob)" = 3 ]
expect "and stays, for someone to look at" [ -f "$run/knob-1-2" ]

fresh
record knob-1-2 "$tmp/plain" 1234567
check "a value the knob cannot hold" 1 "knob-1-2' is not a valid record: its old= value" restore
expect "writes nothing" [ "$(knob)" = 3 ]

fresh
printf 'hello\n' >"$run/knob-1-2"
check "a record that does not parse is reported" 1 "knob-1-2' is not a valid record" restore
expect "and kept" [ -f "$run/knob-1-2" ]

fresh
mkfifo "$run/knob-1-2"
check "a FIFO is skipped, not opened for a blocking read" 1 "not a regular file" restore
fresh
ln -s /dev/zero "$run/knob-1-2"
check "a link to /dev/zero is not followed" 1 "not a regular file \(a symbolic link\)" restore

fresh
printf 'dir=/sys' >"$run/knob-1-2.tmp"
check "a half-written record a killed run left is removed" 0 "nothing to restore" restore
expect "it is gone" [ ! -e "$run/knob-1-2.tmp" ]

fresh
printf 'dir=%s/gone\ndev=1\nino=2\nold=0\n' "$tmp" >"$run/knob-1-2"
check "a record of a cgroup that is gone is removed, with a note" 0 \
	"removed the record '$run/knob-1-2': '$tmp/gone' no longer exists" restore
expect "it is gone" [ ! -e "$run/knob-1-2" ]

fresh
chmod 0777 "$run"
check "a run directory others can write to is refused" 1 \
	"refusing the run directory '$run': it is writable by its group or others" restore
rm -rf "$run"
ln -s "$tmp/plain" "$run"
check "so is a symbolic link" 1 "refusing the run directory '$run': it is a symbolic link" restore
finish
