#!/bin/bash
# Output for people and for scripts, on a --sysroot fixture whose cgroups
# lie three levels deep under long names: on a terminal (script(1) gives
# each command a pty of 80 and of 120 columns) every table is no wider
# than it; --width N likewise, terminal or not; -u cuts nothing; piped,
# nothing is cut or wrapped; with -n, -r, -P and -J standard output holds
# rows alone; -J prints one document with the command's key on every
# failure path; a name holding ESC never reaches a terminal raw.
# usage: test_output.sh MEMCG
set -u
memcg=$1
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 77; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
deep=/batch-jobs-aa/worker-pool-bb/instance-cc
esc=$'/red\e[31mname'
mkdir -p "$root/proc/self" "$root/proc/sys/kernel" "$root/proc/4242" \
	"$root/proc/4343" "$root/cg$deep" "$root/cg$esc"
echo '27 26 0:24 / /cg rw,relatime - cgroup cgroup rw,memory' \
	>"$root/proc/self/mountinfo"
echo 6.1.0-30-amd64 >"$root/proc/sys/kernel/osrelease"
stat='S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 9 0 5555 900000000 207360 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0'
echo "4242 (java-worker-thr) $stat" >"$root/proc/4242/stat"
echo "4343 (sleep) $stat" >"$root/proc/4343/stat"
echo "4:memory:$deep" >"$root/proc/4242/cgroup"
echo "4:memory:$esc" >"$root/proc/4343/cgroup"
printf '4242\n' >"$root/cg$deep/cgroup.procs"
printf '4343\n' >"$root/cg$esc/cgroup.procs"
for d in "" /batch-jobs-aa /batch-jobs-aa/worker-pool-bb "$deep" "$esc"; do
	echo 903839744 >"$root/cg$d/memory.usage_in_bytes"
	echo 67108864 >"$root/cg$d/memory.limit_in_bytes"
	echo 0 >"$root/cg$d/memory.move_charge_at_immigrate"
done
for d in /batch-jobs-aa /batch-jobs-aa/worker-pool-bb; do
	: >"$root/cg$d/cgroup.procs"
done
m() { "$memcg" --sysroot "$root" "$@"; }
not() { ! "$@"; }
# quiet CMD...: CMD's status, its output dropped (a redirect after expect
# would drop expect's own verdict line too)
quiet() { "$@" >/dev/null 2>&1; }

# on_tty COLS CMD...: what CMD writes to standard output on a terminal
# COLS wide, carriage returns dropped
on_tty() {
	local cols=$1 cmd
	shift
	printf -v cmd '%q ' "$@"
	script -qfec "stty cols $cols; $cmd 2>/dev/null" /dev/null </dev/null |
		tr -d '\r'
}
# the widest line of a table (move's summary line is text, not a row)
widest() {
	awk '!/^dry run( into [^:]*)?:/ { if (length > w) w = length } END { print w + 0 }'
}

# the default columns of every table command (move: the default columns
# the design settles on, PID COMM FROM STATUS MOVED RSS CHARGE, at 80)
tables=(
	"mounts"
	"charge $deep"
	"show"
	"show --list"
	"ps -R /"
	"move --dry-run -o pid,comm,from,status,moved,rss,charge /batch-jobs-aa 4242 4343"
	"ps -H"
)
for cols in 80 120; do
	for t in "${tables[@]}"; do
		# shellcheck disable=SC2086
		out=$(on_tty "$cols" "$memcg" --sysroot "$root" $t)
		expect "$t: on a terminal of $cols columns, rows" [ -n "$out" ]
		expect "$t: ... no wider than $cols ($(widest <<<"$out"))" \
			[ "$(widest <<<"$out")" -le "$cols" ]
	done
done
out=$(on_tty 120 "$memcg" --sysroot "$root" move --dry-run /batch-jobs-aa 4242)
expect "move's default columns fit 120 ($(widest <<<"$out"))" \
	[ "$(widest <<<"$out")" -le 120 ]
out=$(on_tty 40 "$memcg" --sysroot "$root" show --list -o path,usage)
expect "on a terminal a deep path wraps at '/'" \
	awk 'prev ~ /^\/batch-jobs-aa\/worker-pool-bb +862M$/ &&
	     /^\/instance-cc *$/ { ok = 1 } { prev = $0 } END { exit !ok }' <<<"$out"

for t in "ps -R /" "show --list" "mounts" "charge $deep"; do
	# shellcheck disable=SC2086
	out=$(m $t --width 60 2>/dev/null)
	expect "$t --width 60: no wider than 60 ($(widest <<<"$out"))" \
		[ "$(widest <<<"$out")" -le 60 ]
done
out=$(m ps -R / --width 40 2>/dev/null)
expect "--width 40 cuts COMM" not grep -q java-worker-thr <<<"$out"
out=$(m ps -R / --width 40 -u 2>/dev/null)
expect "-u does not cut COMM" grep -q java-worker-thr <<<"$out"
expect "-u still wraps a path at '/'" grep -qE '^ +/instance-cc' <<<"$out"
out=$(m ps -R / 2>/dev/null)
expect "piped, nothing is wrapped: the whole path on the row" \
	grep -qE "^ *4242 java-worker-thr $deep " <<<"$out"
expect "piped, nothing is cut" [ "$(wc -l <<<"$out")" = 3 ]

# standard output holds rows alone; the summary goes to stderr
dry=(move --dry-run /batch-jobs-aa 4242)
out=$(m "${dry[@]}" 2>"$root/err")
expect "a table carries the summary on stdout" grep -q '^dry run' <<<"$out"
out=$(m "${dry[@]}" -n 2>"$root/err")
expect "-n: only rows on stdout" [ "$(grep -cvE '^ *4242 ' <<<"$out")" = 0 ]
expect "-n: the summary on stderr" grep -q '^dry run' "$root/err"
out=$(m "${dry[@]}" -r 2>"$root/err")
expect "-r: a heading and rows on stdout" \
	[ "$(grep -cvE '^(PID |4242 )' <<<"$out")" = 0 ]
expect "-r: the summary on stderr" grep -q '^dry run' "$root/err"
out=$(m "${dry[@]}" -P 2>"$root/err")
pair='[A-Z][-A-Z]*="([^"\\]|\\x[0-9a-f][0-9a-f])*"'
expect "-P: only KEY=\"value\" lines on stdout" \
	[ "$(grep -cvE "^$pair( $pair)*\$" <<<"$out")" = 0 ]
expect "-P: the keys are the column names" grep -q '^PID="4242" COMM="java-worker-thr"' <<<"$out"
expect "-P: the summary on stderr" grep -q '^dry run' "$root/err"
out=$(m "${dry[@]}" -J 2>"$root/err")
expect "-J: stdout is one document" [ "$(jq -s length <<<"$out")" = 1 ]
expect "-J: the summary on stderr" grep -q '^dry run' "$root/err"
for t in "mounts" "show" "ps -R /" "charge $deep"; do
	for o in -n -r -P; do
		# shellcheck disable=SC2086
		out=$(m $t $o 2>/dev/null)
		expect "$t $o: no note on stdout" not grep -q 'memcg:' <<<"$out"
	done
done
out=$(m ps -P /batch-jobs-aa 2>/dev/null)
expect "-P of an empty cgroup prints nothing" [ -z "$out" ]

# -J: one document with the command's key, on every path past -J
# doc NAME STATUS KEY CMD...
doc() {
	local name=$1 want=$2 key=$3 out st
	shift 3
	out=$("$@" 2>/dev/null)
	st=$?
	expect "-J $name: exit $want ($st)" [ "$st" = "$want" ]
	expect "-J $name: one document {\"$key\": [...]}" \
		quiet jq -se "length == 1 and (.[0] | keys - [\"summary\"] == [\"$key\"]) and (.[0].\"$key\" | type == \"array\")" <<<"$out"
}
doc "where of a missing PID" 1 charges m where -J 99999999
doc "where without kpagecgroup" 1 charges m where -J 4242
doc "where without PIDs" 2 charges m where -J
doc "where -s" 1 processes m where -s -J 99999999
doc "where, bad PID" 2 charges m where -J 12x
doc "ps of a missing cgroup" 1 processes m ps -J /nosuch
doc "ps of an empty cgroup" 0 processes m ps -J /batch-jobs-aa
doc "ps, two cgroups" 2 processes m ps -J /a /b
doc "ps, unknown column" 2 processes m ps -J -o nope /
doc "ps, unknown option after -J" 2 processes m ps -J --bogus /
doc "mounts --mount nowhere" 1 mounts m mounts -J --mount /nowhere
doc "mounts, extra operand" 2 mounts m mounts -J extra
doc "charge of a missing cgroup" 1 cgroups m charge -J /nosuch
doc "charge, bad mode" 2 cgroups m charge -J /x most
doc "charge, setting under --sysroot" 2 cgroups m charge -J "$deep" all
doc "show of a missing cgroup" 1 cgroups m show -J /nosuch
doc "show, bad depth" 2 cgroups m show -J -d x
doc "move of a missing DEST" 1 processes m move --dry-run -J /nosuch 4242
doc "move, bad --charge" 2 processes m move -J --charge most /x 1
doc "--width 0" 2 processes m ps -J --width 0 /
expect "--help -J prints help, no document" \
	not jq -e . <<<"$("$memcg" ps -J --help)" >/dev/null 2>&1
check "--width x is a usage error" 2 "--width: 'x' is not a number" m ps --width x /
check "--width 0 is a usage error" 2 "--width: '0' is not a number" m ps --width=0 /

# a cgroup whose name holds ESC: escaped in tables and in messages
for t in "ps $esc" "show" "show --list" "ps -R / --width 50" "ps -R / -P"; do
	# shellcheck disable=SC2086
	out=$(m $t 2>&1)
	expect "$t: ESC never raw" not grep -q $'\e' <<<"$out"
	expect "$t: ESC as \\x1b" grep -qF 'red\x1b[31mname' <<<"$out"
done
out=$(m show "$esc/nope" 2>&1 >/dev/null)
expect "a message naming ESC: never raw" not grep -q $'\e' <<<"$out"
expect "a message naming ESC: \\x1b, as in tables" grep -qF "'/red\x1b[31mname/nope' does not exist" <<<"$out"
out=$(m move --charge $'\e]0;x\a' /x 1 2>&1)
expect "a usage error: BEL and ESC escaped" grep -qF "'\x1b]0;x\x07'" <<<"$out"
finish
