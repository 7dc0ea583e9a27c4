# lib.sh — shell functions for the vm scenarios, sourced by each one in the guest
# (busybox sh). A scenario creates scratch cgroups beneath its own memory
# cgroup, starts workloads in them, runs memcg and compares memcg's report
# with the kernel's own files. Everything it creates is removed on exit,
# on failure and on SIGTERM too.
#
# Tolerances. memory.usage_in_bytes carries up to 64 pages per CPU of
# per-CPU charge stock (kernel-memcg.md §2.4, §3), and a workload holds a
# few hundred KiB beyond what it was asked for (stack, libc data, page
# tables, which are kernel memory and never move). TOL covers both, and is
# well below the smallest amount a scenario asserts on (4 MiB), so a kind
# of memory that went the wrong way cannot pass.
set -eu

MEM=/sys/fs/cgroup/memory
MIB=1048576
PAGE=4096
NCPU=$(nproc)
SLACK=$((64 * PAGE * NCPU))
TOL=$((SLACK + 64 * PAGE))
JSON_AWK=/vmtest/json.awk

CG_MADE=""
WL_PIDS=""
WL_OUTS=""
WL_N=0
SCRATCH_FILES=""

note() { echo "$*"; }

fail() {
	echo "FAIL: $*" >&2
	echo "$*" >>"${VMTEST_REASON:-/dev/null}"
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	echo "$*" >>"${VMTEST_REASON:-/dev/null}"
	exit 77
}

mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

# ---- cgroups ---------------------------------------------------------

# This shell's memory cgroup, as /proc/self/cgroup names it.
self_cg() { sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup; }

# The hierarchy path of a scratch cgroup NAME beneath our own cgroup.
cg_path() {
	local base
	base=$(self_cg)
	echo "${base%/}/$1"
}

cg_dir() { echo "$MEM$1"; }

# Create scratch cgroups (hierarchy paths), parents first; they are
# removed in the reverse order on exit.
cg_make() {
	local p
	for p in "$@"; do
		mkdir "$(cg_dir "$p")" || fail "cannot create cgroup $p"
		CG_MADE="$p $CG_MADE"
	done
}

cg_read() { cat "$(cg_dir "$1")/$2"; }

cg_write() { echo "$3" >"$(cg_dir "$1")/$2"; }

# One local (non-hierarchical) field of memory.stat.
stat_get() { awk -v k="$2" '$1 == k { print $2 }' "$(cg_dir "$1")/memory.stat"; }

knob() { cg_read "$1" memory.move_charge_at_immigrate; }

# The memory cgroup a process (or task) is in.
cg_of() { sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' "/proc/$1/cgroup"; }

procs_of() { cat "$(cg_dir "$1")/cgroup.procs"; }

count_procs() { procs_of "$1" | wc -l; }

# memory.stat lags behind for small changes until the kernel's periodic
# flush, at most 2 s later (kernel-memcg.md §3).
settle() { sleep 2.5; }

# Record and print a cgroup's figures as TAG_usage, TAG_rss, TAG_cache,
# TAG_shmem and TAG_mapped (local fields: descendants are not included).
snap() {
	local tag="$1" cg="$2" u r c s m
	u=$(cg_read "$cg" memory.usage_in_bytes)
	r=$(stat_get "$cg" rss)
	c=$(stat_get "$cg" cache)
	s=$(stat_get "$cg" shmem)
	m=$(stat_get "$cg" mapped_file)
	eval "${tag}_usage=$u ${tag}_rss=$r ${tag}_cache=$c ${tag}_shmem=$s ${tag}_mapped=$m"
	note "kernel $tag $cg: usage=$u rss=$r cache=$c shmem=$s mapped_file=$m"
}

# ---- checks ----------------------------------------------------------

# near WHAT ACTUAL EXPECTED [TOLERANCE]: |ACTUAL - EXPECTED| <= TOLERANCE.
near() {
	local what="$1" a="$2" e="$3" t="${4:-$TOL}" d
	d=$((a - e))
	[ "$d" -lt 0 ] && d=$((-d))
	if [ "$d" -gt "$t" ]; then
		fail "$what: $a ($(mib "$a")), expected $e ($(mib "$e")) within $t"
	fi
	note "ok: $what: $a ($(mib "$a")), expected $(mib "$e") within $t"
}

same() {
	[ "$2" = "$3" ] || fail "$1: '$2', expected '$3'"
	note "ok: $1: $2"
}

# contains WHAT FILE REGEX (case-insensitive extended regex)
contains() {
	grep -Eqi "$3" "$2" || fail "$1: output does not match /$3/"
	note "ok: $1"
}

# ---- workloads -------------------------------------------------------

# wl_launch CG ARGS...: start memcg-workload inside hierarchy path CG ("-"
# for where we are); it joins CG before it allocates, so every page it
# touches is charged there. Its PID is left in WL; wl_wait waits for it.
wl_launch() {
	local cg="$1" dir=""
	shift
	WL_N=$((WL_N + 1))
	[ "$cg" = - ] || dir=$(cg_dir "$cg")
	sh -c '[ -z "$0" ] || echo "$$" >"$0/cgroup.procs" || exit 1
		exec memcg-workload "$@"' "$dir" "$@" >"/tmp/wl.$WL_N.out" 2>&1 &
	WL=$!
	WL_PIDS="$WL_PIDS $WL"
	WL_OUTS="$WL_OUTS $WL:/tmp/wl.$WL_N.out"
}

# Wait until every launched workload has printed "ready".
wl_wait() {
	local e pid out i
	for e in $WL_OUTS; do
		pid=${e%%:*}
		out=${e#*:}
		i=0
		until grep -q '^ready' "$out"; do
			if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 1200 ]; then
				cat "$out"
				fail "workload $pid did not get ready"
			fi
			i=$((i + 1))
			sleep 0.1
		done
	done
}

wl_start() {
	wl_launch "$@"
	wl_wait
}

# Kill one workload (its children follow it: they die with their parent).
wl_stop() {
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# Files the workloads create: removed on exit so their page cache goes.
scratch_file() { SCRATCH_FILES="$SCRATCH_FILES $1"; }

# ---- memcg -----------------------------------------------------------

# run_memcg NAME ARGS...: run memcg ARGS, keep stdout in /tmp/NAME.out
# and stderr in /tmp/NAME.err, print both, and leave the exit status in RC.
run_memcg() {
	local name="$1"
	shift
	note "\$ memcg $*"
	RC=0
	memcg "$@" >"/tmp/$name.out" 2>"/tmp/$name.err" || RC=$?
	sed 's/^/  stdout: /' "/tmp/$name.out"
	sed 's/^/  stderr: /' "/tmp/$name.err"
	note "  exit status $RC"
}

# move_json NAME ARGS...: memcg move -J ARGS; the flattened JSON is in
# /tmp/NAME.flat (see json.awk). Invalid JSON fails the scenario.
move_json() {
	local name="$1"
	shift
	run_memcg "$name" move -J "$@"
	awk -f "$JSON_AWK" "/tmp/$name.out" >"/tmp/$name.flat" ||
		fail "memcg move -J did not print one valid JSON document"
}

# jget NAME PATH: a value from /tmp/NAME.flat ("" when absent).
jget() { awk -F '\t' -v p="$2" '$1 == p { print $3; exit }' "/tmp/$1.flat"; }

jtype() { awk -F '\t' -v p="$2" '$1 == p { print $2; exit }' "/tmp/$1.flat"; }

# jrow NAME PID: the index of PID's row in processes[].
jrow() {
	awk -F '\t' -v pid="$2" '$1 ~ /^processes\.[0-9]+\.pid$/ && $3 == pid {
		split($1, f, "."); print f[2]; exit }' "/tmp/$1.flat"
}

# jfield NAME PID FIELD: one field of PID's row; fails if there is no row.
jfield() {
	local row
	row=$(jrow "$1" "$2")
	[ -n "$row" ] || fail "no row for PID $2 in memcg's JSON"
	jget "$1" "processes.$row.$3"
}

# A number field, checked to be a JSON number (not a string, not null).
jnum() {
	local row
	row=$(jrow "$1" "$2")
	[ -n "$row" ] || fail "no row for PID $2 in memcg's JSON"
	[ "$(jtype "$1" "processes.$row.$3")" = number ] ||
		fail "$3 of PID $2 is $(jtype "$1" "processes.$row.$3"), not a number"
	jget "$1" "processes.$row.$3"
}

# ---- cleanup ---------------------------------------------------------

cleanup() {
	local p i
	for p in $WL_PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	for p in $WL_PIDS; do wait "$p" 2>/dev/null || true; done
	for p in $SCRATCH_FILES; do rm -f "$p"; done
	for p in $CG_MADE; do
		# killed children may take a moment to leave the cgroup
		i=0
		while ! rmdir "$(cg_dir "$p")" 2>/dev/null && [ "$i" -lt 50 ]; do
			i=$((i + 1))
			sleep 0.1
		done
	done
}

trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
