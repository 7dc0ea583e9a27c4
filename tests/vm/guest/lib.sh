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
#
# Layouts. The guest has either the v1 memory hierarchy alone at
# /sys/fs/cgroup/memory or cgroup2 at /sys/fs/cgroup with memory enabled
# for the root's children (see init). CGV says which; the helpers read the
# files of that version: usage memory.usage_in_bytes / memory.current,
# limit memory.limit_in_bytes / memory.max, and memory.stat's rss, cache,
# shmem, mapped_file / anon, file, shmem, file_mapped. On v2 the usage
# counter moves in steps of up to the per-CPU stock (kernel-memcg.md §8):
# compare it within SLACK, never exactly.
set -eu

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	CGV=2
	MEM=/sys/fs/cgroup
	USAGE_FILE=memory.current
	LIMIT_FILE=memory.max
	K_RSS=anon K_CACHE=file K_SHMEM=shmem K_MAPPED=file_mapped
else
	CGV=1
	MEM=/sys/fs/cgroup/memory
	USAGE_FILE=memory.usage_in_bytes
	LIMIT_FILE=memory.limit_in_bytes
	K_RSS=rss K_CACHE=cache K_SHMEM=shmem K_MAPPED=mapped_file
fi
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

# The memory cgroup of a /proc/PID/cgroup file: the line of the v1 memory
# hierarchy, or on v2 the 0:: line.
cg_line() {
	if [ "$CGV" = 2 ]; then
		sed -n 's/^0::\(.*\)$/\1/p' "$1"
	else
		sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' "$1"
	fi
}

# This shell's memory cgroup, as /proc/self/cgroup names it.
self_cg() { cg_line /proc/self/cgroup; }

# For scenarios written for one version: skip (with the reason) elsewhere.
need_v2() {
	[ "$CGV" = 2 ] || skip "cgroup v2 scenario; this guest has a v1 memory hierarchy"
}

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

# A cgroup's usage counter (hierarchical on v1 and v2).
usage() { cg_read "$1" "$USAGE_FILE"; }

# Set a cgroup's memory limit (bytes, or "max" on v2).
cg_limit() { cg_write "$1" "$LIMIT_FILE" "$2"; }

# The memory cgroup a process (or task) is in.
cg_of() { cg_line "/proc/$1/cgroup"; }

procs_of() { cat "$(cg_dir "$1")/cgroup.procs"; }

count_procs() { procs_of "$1" | wc -l; }

# memory.stat lags behind for small changes until the kernel's periodic
# flush, at most 2 s later (kernel-memcg.md §3).
settle() { sleep 2.5; }

# Record and print a cgroup's figures as TAG_usage, TAG_rss, TAG_cache,
# TAG_shmem and TAG_mapped (v1: local fields, descendants not included; v2:
# memory.stat is hierarchical and TAG_rss is anon, TAG_cache file).
snap() {
	local tag="$1" cg="$2" u r c s m
	u=$(usage "$cg")
	r=$(stat_get "$cg" "$K_RSS")
	c=$(stat_get "$cg" "$K_CACHE")
	s=$(stat_get "$cg" "$K_SHMEM")
	m=$(stat_get "$cg" "$K_MAPPED")
	eval "${tag}_usage=$u ${tag}_rss=$r ${tag}_cache=$c ${tag}_shmem=$s ${tag}_mapped=$m"
	note "kernel $tag $cg: $USAGE_FILE=$u $K_RSS=$r $K_CACHE=$c $K_SHMEM=$s $K_MAPPED=$m"
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

# atleast WHAT ACTUAL MIN / below WHAT ACTUAL LIMIT (ACTUAL < LIMIT)
atleast() {
	[ "$2" -ge "$3" ] || fail "$1: $2 ($(mib "$2")), expected at least $(mib "$3")"
	note "ok: $1: $2 ($(mib "$2")), at least $(mib "$3")"
}

below() {
	[ "$2" -lt "$3" ] || fail "$1: $2 ($(mib "$2")), expected below $(mib "$3")"
	note "ok: $1: $2 ($(mib "$2")), below $(mib "$3")"
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
	# an earlier scenario's output of the same name must not pass for
	# this workload's "ready" before its shell has opened the file
	rm -f "/tmp/wl.$WL_N.out"
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
		# the file appears once the workload's shell has started
		until grep -q '^ready' "$out" 2>/dev/null; do
			if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 1200 ]; then
				cat "$out" 2>/dev/null || true
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

# The v2 scenarios' workload, started in hierarchy path CG: 64 MiB of
# touched anonymous memory and a 16 MiB tmpfs file, mapped and read. HELD
# is what it charges to CG (a few hundred KiB more: stack, libc data, page
# tables).
HELD=$((80 * MIB))
wl_held() {
	local f="/tmp/${VMTEST_NAME:-wl}.map"
	scratch_file "$f"
	wl_start "$1" --anon 64 --map "$f:16"
}

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

# json_flat NAME WHAT: flatten /tmp/NAME.out (what WHAT printed) into
# /tmp/NAME.flat (see json.awk). Invalid JSON fails the scenario.
json_flat() {
	awk -f "$JSON_AWK" "/tmp/$1.out" >"/tmp/$1.flat" ||
		fail "$2 did not print one valid JSON document"
}

# json_run NAME COMMAND ARGS...: memcg COMMAND -J ARGS, then json_flat.
json_run() {
	local name="$1" cmd="$2"
	shift 2
	run_memcg "$name" "$cmd" -J "$@"
	json_flat "$name" "memcg $cmd -J"
}

# move_json NAME ARGS...: memcg move -J ARGS, as json_run.
move_json() {
	local name="$1"
	shift
	json_run "$name" move "$@"
}

# where_sum NAME PID CGROUP [FIELD]: from a `memcg where -J` document, the
# sum of FIELD (default total) over PID's rows charged to CGROUP; 0 when
# there is none.
where_sum() {
	awk -F '\t' -v pid="$2" -v cg="$3" -v f="${4:-total}" '
		match($1, /^charges\.[0-9]+\./) {
			i = substr($1, 9, RLENGTH - 9)
			v[i, substr($1, RLENGTH + 1)] = $3
			rows[i] = 1
		}
		END {
			s = 0
			for (i in rows)
				if (v[i, "pid"] == pid && v[i, "cgroup"] == cg)
					s += v[i, f]
			printf "%.0f\n", s
		}' "/tmp/$1.flat"
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

# ---- recharge --------------------------------------------------------

# The ext4 disk that init mounted (tmpfs cannot show a page-out's refault).
DISK=/mnt/disk
need_disk() {
	grep -q " $DISK ext4 " /proc/mounts || skip "no ext4 disk in this guest"
}

# Recharge needs transparent huge pages and kpagecgroup.
need_recharge() {
	[ -r /sys/kernel/mm/transparent_hugepage/hpage_pmd_size ] ||
		skip "no transparent huge pages in this kernel"
	[ -r /proc/kpagecgroup ] || skip "no /proc/kpagecgroup in this kernel"
}

rss_of() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

# grew_below WHAT BEFORE AFTER PERCENT: AFTER - BEFORE < BEFORE * PERCENT%
grew_below() {
	[ $(($3 - $2)) -lt $(($2 * $4 / 100)) ] ||
		fail "$1: RSS $2 -> $3, grew by $(($3 - $2)), not below $4%"
	note "ok: $1: RSS $(mib "$2") -> $(mib "$3")"
}

# jleft NAME PID REASON: bytes of LEFT-BY for REASON (0 when absent; the
# object itself must be there).
jleft() {
	local row v
	row=$(jrow "$1" "$2")
	[ "$(jtype "$1" "processes.$row.left-by")" = object ] ||
		fail "left-by of PID $2 is $(jtype "$1" "processes.$row.left-by"), not an object"
	v=$(jget "$1" "processes.$row.left-by.$3")
	echo "${v:-0}"
}

# thp_madvise: huge pages only where a mapping asks for them, for this
# scenario (restored on exit), so that memory a workload touches sparsely
# stays in small pages instead of being filled by huge pages at fault time
# (the kernel's "always").
THP=/sys/kernel/mm/transparent_hugepage/enabled
THP_WAS=""
thp_madvise() {
	THP_WAS=$(sed 's/.*\[\(.*\)\].*/\1/' "$THP")
	echo madvise >"$THP" || fail "cannot set $THP"
	note "transparent_hugepage/enabled: $THP_WAS -> madvise"
}

# where_pid NAME PID: memcg where -J PID, flattened into /tmp/NAME.flat.
where_pid() {
	json_run "$1" where "$2"
}

# ---- cleanup ---------------------------------------------------------

cleanup() {
	local p i
	[ -z "$THP_WAS" ] || echo "$THP_WAS" >"$THP"
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
