#!/bin/bash
# Output on the running kernel: scratch cgroups three levels deep under long
# names, and one whose name holds ESC, each with a workload. On a pty of 80
# and 120 columns (script(1)) and with --width 60 every table is no wider;
# with -n, -r, -P and -J stdout holds rows alone; -J prints one document
# with the command's key where the command fails; ESC never reaches
# stdout or stderr raw.
set -u
. "$(dirname "$0")/lib.sh" "$@"
command -v script >/dev/null || skip "no script(1)"

mkcg top deep
deep=$top
for d in worker-pool-bb instance-cc; do
	deep=$deep/$d
	mkdir "$mnt$deep" || exit 1
	scratch+=("$mnt$deep")
done
start "$deep" --anon 8
wdeep=$wpid
mkcg esc $'\e[31mred'
start "$esc" --anon 8
wesc=$wpid

on_tty() {
	local cols=$1 cmd
	shift
	printf -v cmd '%q ' "$@"
	script -qfec "stty cols $cols; $cmd 2>/dev/null" /dev/null </dev/null |
		tr -d '\r'
}
widest() { awk '{ if (length > w) w = length } END { print w + 0 }'; }
not() { ! "$@"; }

tables=(
	"ps -R $top"
	"where $wdeep"
	"where -s $wdeep $wesc"
	"show $top"
	"show --list $top"
	"charge $deep"
	"mounts"
)
for cols in 80 120; do
	for t in "${tables[@]}"; do
		# shellcheck disable=SC2086
		out=$(on_tty "$cols" "$memcg" $t)
		expect "$t: rows on a terminal of $cols" [ -n "$out" ]
		expect "$t: ... no wider than $cols ($(widest <<<"$out"))" \
			[ "$(widest <<<"$out")" -le "$cols" ]
	done
done
# where -s aside: its eight headings alone take 75 columns
for t in "${tables[@]}"; do
	[[ $t == "where -s"* ]] && continue
	# shellcheck disable=SC2086
	out=$("$memcg" $t --width 60 2>/dev/null)
	expect "$t --width 60: no wider than 60 ($(widest <<<"$out"))" \
		[ "$(widest <<<"$out")" -le 60 ]
done
out=$("$memcg" ps -o pid,cgroup "$deep" 2>/dev/null)
expect "piped, the whole path on the row" grep -qE "^ *$wdeep $deep\$" <<<"$out"

for o in -n -r -P -J; do
	out=$("$memcg" where "$wdeep" $o 2>/dev/null)
	case $o in
	-J) expect "where -J: one document" [ "$(jq -s length <<<"$out")" = 1 ] ;;
	-P) expect "where -P: pairs alone" \
		[ "$(grep -cvE '^PID="[0-9]+" ' <<<"$out")" = 0 ] ;;
	-n) expect "where -n: rows alone" \
		[ "$(grep -cvE "^ *$wdeep " <<<"$out")" = 0 ] ;;
	-r) expect "where -r: heading and rows alone" \
		[ "$(grep -cvE "^(PID|$wdeep) " <<<"$out")" = 0 ] ;;
	esac
done

doc() {
	local name=$1 want=$2 key=$3 out st
	shift 3
	out=$("$@" 2>/dev/null)
	st=$?
	expect "-J $name: exit $want ($st)" [ "$st" = "$want" ]
	expect "-J $name: one document {\"$key\": []}" \
		jq -se "length == 1 and .[0] == {\"$key\": []}" <<<"$out" >/dev/null
}
doc "where of a missing PID" 1 charges "$memcg" where -J 99999999
doc "ps of a missing cgroup" 1 processes "$memcg" ps -J /nosuch
doc "mounts --mount /nowhere" 1 mounts "$memcg" mounts -J --mount /nowhere
doc "charge of a missing cgroup" 1 cgroups "$memcg" charge -J /nosuch
doc "show of a missing cgroup" 1 cgroups "$memcg" show -J /nosuch

# ESC: in every table and message, on a terminal and piped
for t in "ps $esc" "ps -R ${own:-/}" "where $wesc" "where -s $wesc" \
	"show ${own:-/}" "charge $esc" "show $esc/nope" "ps $esc/nope"; do
	# shellcheck disable=SC2086
	out=$("$memcg" $t 2>&1)
	expect "$t: no raw ESC" not grep -q $'\e' <<<"$out"
	expect "$t: ESC shown as \\x1b" grep -qF '\x1b[31mred' <<<"$out"
	# shellcheck disable=SC2086
	out=$(on_tty 60 "$memcg" $t)
	expect "$t on a terminal: no raw ESC" not grep -q $'\e' <<<"$out"
done
finish
