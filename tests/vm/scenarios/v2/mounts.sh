# no-v1-hierarchy — on Debian's 6.12 kernel (built without the v1 memory
# controller, kernel-memcg.md §1, §7) with cgroup2 at /sys/fs/cgroup:
# `memcg mounts` says there is no v1 memory hierarchy, and `memcg move`
# exits 1 with one message saying so, not a stack of errno strings.
. /vmtest/lib.sh

grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts ||
	fail "cgroup2 is not mounted at /sys/fs/cgroup"
mkdir -p /tmp/v1probe
if mount -t cgroup -o memory cgroup /tmp/v1probe 2>/dev/null; then
	umount /tmp/v1probe
	fail "this kernel mounts a v1 memory hierarchy, contrary to kernel-memcg.md §7"
fi
rmdir /tmp/v1probe
note "ok: the kernel refuses a v1 memory mount"

run_memcg mo mounts
same "memcg mounts: exit status" "$RC" 0
cat /tmp/mo.out /tmp/mo.err >/tmp/mo.all
contains "memcg mounts says there is no v1 memory hierarchy" /tmp/mo.all \
	'no (cgroup )?v1 memory|v1 memory[a-z ]*(none|not found|absent|missing|not mounted)'
contains "memcg mounts lists the cgroup2 mount" /tmp/mo.out 'cgroup2'

run_memcg moj mounts -J
same "memcg mounts -J: exit status" "$RC" 0
awk -f "$JSON_AWK" /tmp/moj.out >/tmp/moj.flat ||
	fail "memcg mounts -J did not print one valid JSON document"
# the JSON rows: the cgroup2 mount holds memory and cannot move charges;
# no row is a v1 hierarchy with memory
awk -F '\t' '
	$1 ~ /^mounts\.[0-9]+\.type$/ { split($1, f, "."); type[f[2]] = $3 }
	$1 ~ /^mounts\.[0-9]+\.memory$/ { split($1, f, "."); mem[f[2]] = $3 }
	$1 ~ /^mounts\.[0-9]+\.moves-charge$/ { split($1, f, "."); moves[f[2]] = $3 }
	END {
		for (i in type) {
			if (type[i] == "cgroup" && mem[i] == "true") v1++
			if (type[i] == "cgroup2" && mem[i] == "true" && moves[i] == "false") v2++
		}
		exit !(v1 == 0 && v2 == 1)
	}' /tmp/moj.flat ||
	fail "memcg mounts -J: expected one cgroup2 row with memory that cannot move charges, and no v1 memory row"
note "ok: memcg mounts -J: one cgroup2 memory row, moves-charge false, no v1 memory row"

wl_start - --anon 4
before=$(cat "/proc/$WL/cgroup")
mkdir /sys/fs/cgroup/B
run_memcg mv move /B "$WL"
# should memcg have moved it after all, bring it back so B can go
rmdir /sys/fs/cgroup/B 2>/dev/null || {
	echo "$WL" >/sys/fs/cgroup/cgroup.procs
	rmdir /sys/fs/cgroup/B
}
same "memcg move: exit status" "$RC" 1
contains "memcg move says there is no v1 memory hierarchy" /tmp/mv.err \
	'v1 memory'
[ "$(wc -l </tmp/mv.err)" -le 2 ] ||
	fail "memcg move printed $(wc -l </tmp/mv.err) lines on stderr, expected one message"
if grep -Eq 'No such file or directory|Invalid argument|Operation not permitted|: [^:]+: [^:]+: ' /tmp/mv.err; then
	fail "memcg move's message is a stack of errno strings"
fi
note "ok: one plain message"
same "process not moved" "$(cat "/proc/$WL/cgroup")" "$before"
