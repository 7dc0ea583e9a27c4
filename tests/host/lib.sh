# Shared by the host tests: skip rules, scratch cgroups beneath the test's
# own memory cgroup (removed on every path), workloads started inside them.
# usage from a test: . lib.sh "$@"  (MEMCG WORKLOAD)
memcg=$1
workload=$2
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root to create cgroups"
mnt=$(awk '$0 ~ / - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == "memory") print $5 }' /proc/self/mountinfo | head -n 1)
[ -n "$mnt" ] || skip "no cgroup v1 memory hierarchy is mounted"
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
[ -n "$own" ] || skip "this process is in no v1 memory cgroup"
[ "$own" = / ] && own=
base="$mnt$own"
test_name=$(basename "$0" .sh)
scratch=()
pids=()
tmp=$(mktemp -d)
# the knob's records of these runs stay in the test's own directory, never
# in the system's /run/memcg
export MEMCG_RUNDIR=$tmp/run
page=$(getconf PAGESIZE)
# the per-CPU stock a usage reading may carry: 64 pages per CPU (docs §2.4)
slack=$((64 * $(nproc) * page))

cleanup() {
	local p i d
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
	done
	# children die with their parent (PR_SET_PDEATHSIG); wait until the
	# scratch cgroups are empty, bounded
	for ((i = ${#scratch[@]} - 1; i >= 0; i--)); do
		d=${scratch[i]}
		for _ in $(seq 50); do
			rmdir "$d" 2>/dev/null && break
			[ -d "$d" ] || break
			sleep 0.1
		done
		[ -d "$d" ] && echo "warning: could not remove $d"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# mkcg VAR NAME: a scratch cgroup; its hierarchy path goes to VAR (not
# through $(...): the list of what to remove must live in this shell)
mkcg() {
	local path="$own/memcg-test-$test_name-$$-$2"
	mkdir "$mnt$path" || exit 1
	scratch+=("$mnt$path")
	printf -v "$1" '%s' "$path"
}

# start CGROUP-PATH WORKLOAD-ARGS...: a workload that lives in CGROUP from
# its first page on; sets $wpid once it has touched its memory
start() {
	local cg=$1 out
	shift
	out="$tmp/wl.${#pids[@]}"
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ \
		"$mnt$cg" "$workload" "$@" >"$out" &
	wpid=$!
	pids+=("$wpid")
	for _ in $(seq 600); do
		grep -q '^ready' "$out" 2>/dev/null && return 0
		kill -0 "$wpid" 2>/dev/null || break
		sleep 0.05
	done
	echo "workload $* did not start"
	exit 1
}

# cg_of PID: the memory cgroup path of a task
cg_of() {
	awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$1/cgroup"
}

# all_threads_in PID CGROUP-PATH
all_threads_in() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "$t/cgroup")" = "$2" ] || return 1
	done
}

usage_of() { cat "$mnt$1/memory.usage_in_bytes"; }
knob_of() { cat "$mnt$1/memory.move_charge_at_immigrate"; }

# within A B TOL: |A - B| <= TOL
within() {
	local d=$(($1 - $2))
	[ "${d#-}" -le "$3" ]
}

# the kernel moves charges on v1 before 6.13 (docs §1)
kernel_moves_charge() {
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	[ "$major" -lt 6 ] || { [ "$major" = 6 ] && [ "$minor" -lt 13 ]; }
}
