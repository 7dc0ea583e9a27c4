# charge — cgroup v2 has no memory.move_charge_at_immigrate (ENOENT,
# kernel-memcg.md §8): `memcg charge /B` exits 0 saying that v2 never moves
# charges, and asking for a mode (`memcg charge /B all`) exits 3 (DESIGN.md
# "On cgroup v2"), not 1 for a missing file.
. /vmtest/lib.sh
need_v2

B=$(cg_path B)
cg_make "$B"

run_memcg c charge "$B"
same "memcg charge: exit status" "$RC" 0
cat /tmp/c.out /tmp/c.err >/tmp/c.all
contains "memcg charge names v2" /tmp/c.all 'v2|cgroup2'
contains "memcg charge says charges never move there" /tmp/c.all \
	'never mov|not mov|no [a-z_. ]*(knob|move_charge_at_immigrate)'

run_memcg ca charge "$B" all
same "memcg charge all: exit status" "$RC" 3
contains "memcg charge all says why on stderr" /tmp/ca.err 'v2|cgroup2'
