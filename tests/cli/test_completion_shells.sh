# The zsh and fish completions (completions/_memcg, completions/memcg.fish),
# each run by its shell with the built memcg first on PATH, as a user's
# shell runs it: zsh interactive in a zpty, completing on TAB with compadd
# recording what it adds (nothing inserted); fish by "complete -C LINE",
# loading the completion from fish_complete_path. Both must offer every
# command, every long option of memcg and of each command, every column
# after -o (also within a list, after +, in lower case), commands after
# help, option values named by --help, and, on a sysroot fixture, cgroups of
# the memory hierarchy and PIDs from /proc.
# Exit 77 (skipped) when zsh or fish is not installed (scripts/test installs
# both), after testing the one that is.
# usage: test_completion_shells.sh MEMCG SOURCE-DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
. "$(dirname "$0")/lib.sh"
export PATH="$(dirname "$bin"):$PATH"
[ "$(command -v memcg)" = "$bin" ] || { echo "FAIL memcg on PATH is not $bin"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A sysroot with a v1 memory hierarchy at /sys/fs/cgroup/memory, two
# cgroups, and two processes (one with a comm).
mkdir -p "$tmp/root/proc/self" "$tmp/root/proc/sys/kernel" "$tmp/root/proc/4242" \
	"$tmp/root/proc/77" "$tmp/root/sys/fs/cgroup/memory/batch/job1" \
	"$tmp/root/sys/fs/cgroup/memory/web"
echo java >"$tmp/root/proc/4242/comm"
echo 6.1.0-27-amd64 >"$tmp/root/proc/sys/kernel/osrelease"
cat >"$tmp/root/proc/self/mountinfo" <<'EOF'
25 24 0:23 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate
29 24 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:14 - cgroup cgroup rw,cpu,cpuacct
30 24 0:28 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory
EOF
sys=$tmp/root

# The zsh driver: for each LINE, "== LINE" and then what completing at its
# end adds, one candidate a line, as it would stand on the line (the
# ignored prefix, -P/-p prefixes, the match, the -S suffix).
cat >"$tmp/driver.zsh" <<'EOF'
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z 'PS1="> "; fpath=($MC_FPATH $fpath); autoload -Uz compinit && compinit -u -D'
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a __h __o apre hpre asuf; builtin compadd -O __h "$@"
  zparseopts -E -a __o P:=apre p:=hpre S:=asuf
  local h; for h in "${__h[@]}"; do
    print -r -- $'"'"'\n<<C>>'"'"'"$IPREFIX${apre[2]}${hpre[2]}$h${asuf[2]}"
  done
  builtin compadd "$@" }'
zpty -w z '_mc_quiet() { compstate[insert]=""; compstate[list]="" }
  _mc_tab() { comppostfuncs=(_mc_quiet); zle complete-word; print -r -- $'"'"'\n<<E>>'"'"' }
  zle -N _mc_tab; bindkey "^I" _mc_tab'
zpty -w z 'print R""EADY'
zpty -r z out '*READY*' || exit 1
for line; do
  zpty -w -n z "$line"$'\t'
  zpty -r z out '*<<E>>*' || exit 1
  print -r -- "== $line"
  print -r -- "${out//$'\r'/}" | sed -n 's/^<<C>>//p'
  zpty -w -n z $'\C-u'
done
zpty -d z
EOF

# What each shell offers for the lines, in blocks "== LINE".
run_zsh() {
	MC_FPATH=$src/completions timeout 120 zsh -f "$tmp/driver.zsh" "$@"
}
run_fish() {
	timeout 120 fish --no-config -c '
		set fish_complete_path $argv[1]
		for l in $argv[2..-1]
			echo "== $l"
			complete -C"$l" | string replace -r "\t.*" ""
		end' "$src/completions" "$@"
}

# offered BLOCKS LINE: the candidates of LINE.
offered() {
	awk -v want="== $2" '$0 == want { on = 1; next } /^== / { on = 0 } on' <<<"$1"
}

# expect_all NAME WANTED OFFERED: every line of WANTED is a line of OFFERED.
expect_all() {
	local missing
	missing=$(comm -23 <(printf '%s\n' "$2" | sort -u) <(printf '%s\n' "$3" | sort -u))
	checks=$((checks + 1))
	if [ -z "$2" ]; then
		fails=$((fails + 1))
		printf 'FAIL %s: nothing to expect\n' "$1"
	elif [ -z "$missing" ]; then
		printf 'ok   %s\n' "$1"
	else
		fails=$((fails + 1))
		printf 'FAIL %s: not offered: %s\n' "$1" "$(printf '%s ' $missing)"
	fi
}

# expect_only NAME WANTED OFFERED: the same lines.
expect_only() {
	checks=$((checks + 1))
	if [ "$(printf '%s\n' "$2" | sort -u)" = "$(printf '%s\n' "$3" | sort -u)" ]; then
		printf 'ok   %s\n' "$1"
	else
		fails=$((fails + 1))
		printf 'FAIL %s: offered %s, want %s\n' "$1" "$(printf '%s ' $3)" "$(printf '%s ' $2)"
	fi
}

long_options() {
	memcg "$@" --help | grep -E '^ {1,8}-' |
		grep -oE -- '--[A-Za-z0-9][-A-Za-z0-9]*' | sort -u
}

commands=$(memcg --list-commands)
table_commands=()
lines=("memcg " "memcg mo" "memcg --" "memcg help " "memcg move -o PID,CO"
	"memcg move --output=+ERR" "memcg move -o +err" "memcg move --charge "
	"memcg exec /x s" "memcg --sysroot $sys move " "memcg --sysroot $sys move /batch/"
	"memcg --sysroot $sys charge memory:/b" "memcg --sysroot $sys move /batch "
	"memcg --sysroot $sys move -f /web /b")
for c in $commands; do
	lines+=("memcg $c --")
	if memcg "$c" --help | grep -q -- --list-columns; then
		table_commands+=("$c")
		lines+=("memcg $c -o ")
	fi
done

check_shell() {
	local sh=$1 out c
	out=$("run_$sh" "${lines[@]}")
	if [ -z "$out" ]; then
		fail=1
		checks=$((checks + 1)) fails=$((fails + 1))
		echo "FAIL $sh: the driver printed nothing"
		return
	fi
	expect_all "$sh offers every command" "$commands" "$(offered "$out" "memcg ")"
	expect_only "$sh completes 'memcg mo' to the commands starting with mo" \
		"$(grep '^mo' <<<"$commands")" "$(offered "$out" "memcg mo")"
	expect_all "$sh offers the global options" "$(long_options)" \
		"$(offered "$out" "memcg --")"
	for c in $commands; do
		expect_all "$sh offers every option of $c" "$(long_options "$c")" \
			"$(offered "$out" "memcg $c --")"
	done
	for c in "${table_commands[@]}"; do
		expect_all "$sh offers every column of $c after -o" \
			"$(memcg "$c" --list-columns -r -n | cut -d' ' -f1 | sed 's/$/,/')" \
			"$(offered "$out" "memcg $c -o ")"
	done
	expect_all "$sh adds to a column list" "PID,COMM," \
		"$(offered "$out" "memcg move -o PID,CO")"
	expect_all "$sh keeps the + of --output=" "--output=+ERROR," \
		"$(offered "$out" "memcg move --output=+ERR")"
	expect_all "$sh offers lower case columns to lower case" "+error," \
		"$(offered "$out" "memcg move -o +err")"
	expect_all "$sh offers the commands after help" "$commands" \
		"$(offered "$out" "memcg help ")"
	expect_only "$sh offers the --charge values that move --help names" \
		"$(memcg move --help | grep -A1 -e '--charge=' | grep -oE '\b(anon|file|all|none|keep)\b')" \
		"$(offered "$out" "memcg move --charge ")"
	expect_all "$sh offers programs after exec's DEST" sh \
		"$(offered "$out" "memcg exec /x s")"
	expect_all "$sh offers cgroups for DEST" "$(printf '%s\n' / /batch/ /web/)" \
		"$(offered "$out" "memcg --sysroot $sys move ")"
	expect_all "$sh descends into a cgroup" /batch/job1/ \
		"$(offered "$out" "memcg --sysroot $sys move /batch/")"
	expect_all "$sh offers memory:/path names" memory:/batch/ \
		"$(offered "$out" "memcg --sysroot $sys charge memory:/b")"
	expect_only "$sh offers the PIDs of /proc after DEST" "$(printf '%s\n' 4242 77)" \
		"$(offered "$out" "memcg --sysroot $sys move /batch ")"
	expect_only "$sh offers DEST after --from SRC" /batch/ \
		"$(offered "$out" "memcg --sysroot $sys move -f /web /b")"
}

missing=
for sh in zsh fish; do
	if command -v "$sh" >/dev/null; then
		check_shell "$sh"
	else
		echo "skipped: $sh not found (scripts/test installs it): its completion is not tested"
		missing="$missing $sh"
	fi
done
finish || exit 1
[ -z "$missing" ] || exit 77
