# mounts — the cgroup v2 layouts: Debian's 6.12 (built without the v1
# memory controller) and 6.1 booted with cgroup_no_v1=memory
# (kernel-memcg.md §7, §8). The kernel refuses a v1 memory mount, and memcg
# uses the cgroup2 mount at /sys/fs/cgroup: `memcg mounts -J` shows it
# with memory true, used true and moves-charge false, and no v1 row with
# memory.
. /vmtest/lib.sh
need_v2

grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts ||
	fail "cgroup2 is not mounted at /sys/fs/cgroup"
mkdir -p /tmp/v1probe
if mount -t cgroup -o memory cgroup /tmp/v1probe 2>/dev/null; then
	umount /tmp/v1probe
	rmdir /tmp/v1probe
	fail "this kernel mounts a v1 memory hierarchy, contrary to kernel-memcg.md §7, §8"
fi
rmdir /tmp/v1probe
note "ok: the kernel refuses a v1 memory mount"

run_memcg mo mounts
same "memcg mounts: exit status" "$RC" 0
contains "memcg mounts lists the cgroup2 mount" /tmp/mo.out '^/sys/fs/cgroup +cgroup2 '

json_run moj mounts
same "memcg mounts -J: exit status" "$RC" 0
# the JSON rows: exactly one cgroup2 row at /sys/fs/cgroup that holds
# memory, is used and cannot move charges; no row is a v1 hierarchy with
# memory, and no other row is used
awk -F '\t' '
	match($1, /^mounts\.[0-9]+\./) {
		i = substr($1, 8, RLENGTH - 8)
		v[i, substr($1, RLENGTH + 1)] = $3
		rows[i] = 1
	}
	END {
		for (i in rows) {
			if (v[i, "type"] == "cgroup" && v[i, "memory"] == "true")
				v1++
			if (v[i, "used"] == "true")
				used++
			if (v[i, "type"] == "cgroup2" && v[i, "target"] == "/sys/fs/cgroup" &&
			    v[i, "memory"] == "true" && v[i, "used"] == "true" &&
			    v[i, "moves-charge"] == "false")
				v2++
		}
		exit !(v1 == 0 && used == 1 && v2 == 1)
	}' /tmp/moj.flat ||
	fail "memcg mounts -J: expected the cgroup2 row at /sys/fs/cgroup with memory true, used true, moves-charge false, no other row used and no v1 memory row"
note "ok: memcg mounts -J: the cgroup2 row is used, has memory, moves-charge false"
