# cli.docs: the man pages and the bash completion agree with the binary.
# For memcg itself and every command of "memcg --list-commands":
#   - man/memcg[-NAME].scd exists, has the header "memcg[-NAME](8)" and builds
#     with scdoc without a message (skipped where scdoc is not found);
#   - every long option that "memcg [NAME] --help" prints is documented there
#     in a definition list (a line that starts with a bold term and names
#     *--option*), and every column of "memcg NAME --list-columns" likewise
#     as *COLUMN*; memcg(8) names every command's page;
#   - the completion offers every command, every long option of each command
#     and every column after -o; and, on a sysroot fixture, cgroup paths of the
#     memory hierarchy, PIDs after DEST, and only values the help names.
# Usage: test_docs.sh MEMCG SOURCE-DIR
bin=$1
src=$2
fails=0
checks=0

ok() {
	checks=$((checks + 1))
	printf 'ok   %s\n' "$1"
}

fail() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	printf 'FAIL %s\n' "$1"
}

# The long options of "memcg [CMD] --help": option lines are indented by
# fewer than 9 spaces; descriptions and their continuations by more.
long_options() {
	"$bin" "$@" --help | grep -E '^ {1,8}-' |
		grep -oE -- '--[A-Za-z0-9][-A-Za-z0-9]*' | sort -u
}

columns() {
	"$bin" "$1" --list-columns -r -n | cut -d' ' -f1
}

# has FILE WORD: a term line of FILE (one that starts with "*", as the
# terms of scdoc definition lists do) names *WORD*.
has() {
	grep -E '^\*' "$1" | grep -qF -- "*$2*"
}

check_page() {
	local page=$1 name=$2 cmd=$3 opt col msg
	if [ ! -f "$page" ]; then
		fail "$name: no man page source ${page#"$src"/}"
		return
	fi
	if [ "$(head -n1 "$page")" = "$name(8)" ]; then
		ok "$name: header $name(8)"
	else
		fail "$name: first line is '$(head -n1 "$page")', want '$name(8)'"
	fi
	if [ -n "$scdoc" ]; then
		msg=$(scdoc <"$page" 2>&1 >/dev/null)
		if [ $? -eq 0 ] && [ -z "$msg" ]; then
			ok "$name: scdoc builds it"
		else
			fail "$name: scdoc: $msg"
		fi
	fi
	local missing=()
	for opt in $(long_options $cmd); do
		has "$page" "$opt" || missing+=("$opt")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "$name: documents every option of --help"
	else
		fail "$name: options not documented as *--option*: ${missing[*]}"
	fi
	[ -n "$cmd" ] || return
	missing=()
	for col in $(columns "$cmd"); do
		has "$page" "$col" || missing+=("$col")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "$name: documents every column"
	else
		fail "$name: columns not documented as *COLUMN*: ${missing[*]}"
	fi
}

# Without scdoc the build makes no man pages (a configure message says so):
# the sources are still checked against the binary, not built.
scdoc=$(command -v scdoc)
if [ -z "$scdoc" ]; then
	echo "skipped: scdoc not found: the man pages are not built, their sources are checked"
fi

commands=$("$bin" --list-commands)
if [ -z "$commands" ]; then
	fail "memcg --list-commands prints no command"
fi

check_page "$src/man/memcg.scd" memcg ""
for cmd in $commands; do
	check_page "$src/man/memcg-$cmd.scd" "memcg-$cmd" "$cmd"
	if grep -qF -- "*memcg-$cmd*(8)" "$src/man/memcg.scd"; then
		ok "memcg(8) refers to memcg-$cmd(8)"
	else
		fail "memcg(8) does not refer to *memcg-$cmd*(8)"
	fi
done

# ---- the completion

if [ ! -r /usr/share/bash-completion/bash_completion ]; then
	fail "bash-completion is not installed (scripts/test installs it)"
	printf '%d of %d checks failed\n' "$fails" "$checks"
	exit 1
fi
# shellcheck disable=SC1091
. /usr/share/bash-completion/bash_completion
# shellcheck disable=SC1091
. "$src/completions/memcg.bash"
compopt() { :; } # only valid while readline completes

func=$(complete -p memcg 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
if [ -z "$func" ]; then
	fail "completions/memcg.bash registers no completion for memcg"
	printf '%d of %d checks failed\n' "$fails" "$checks"
	exit 1
fi
ok "completion function $func"

# offers WORD...: the completion of the words (the last one is being
# completed, "" for a new word), one candidate per line.
offers() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$func" "$bin" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}

# expect_all NAME WANTED OFFERED: every line of WANTED is a line of OFFERED.
expect_all() {
	local missing
	missing=$(comm -23 <(printf '%s\n' "$2" | sort -u) <(printf '%s\n' "$3" | sort -u))
	if [ -z "$2" ]; then
		fail "$1: nothing to expect"
	elif [ -z "$missing" ]; then
		ok "$1"
	else
		fail "$1: not offered: $(printf '%s ' $missing)"
	fi
}

expect_all "completion offers every command" "$commands" "$(offers "$bin" "")"
expect_all "completion offers the global options" "$(long_options)" \
	"$(offers "$bin" --)"
for cmd in $commands; do
	expect_all "completion offers every option of $cmd" \
		"$(long_options "$cmd")" "$(offers "$bin" "$cmd" --)"
	# a command without a table (exec) has no -o at all
	"$bin" "$cmd" --help | grep -q -- --list-columns || continue
	expect_all "completion offers every column of $cmd after -o" \
		"$(columns "$cmd" | sed 's/$/,/')" "$(offers "$bin" "$cmd" -o "")"
done
expect_all "completion offers commands after exec's DEST" "sh" \
	"$(offers "$bin" exec /x s)"
expect_all "completion offers commands after help" "$commands" \
	"$(offers "$bin" help "")"
if offers "$bin" help "" | grep -qx sh; then
	fail "completion offers programs after help"
else
	ok "completion offers no program after help"
fi
expect_all "completion adds to a column list" "PID,COMM," \
	"$(offers "$bin" move -o PID,CO)"
expect_all "completion keeps the + of a column list" "+ERROR," \
	"$(offers "$bin" move --output=+ERR)"

# A sysroot with a v1 memory hierarchy at /sys/fs/cgroup/memory, two
# cgroups, and two processes.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proc/self" "$tmp/proc/sys/kernel" "$tmp/proc/4242" "$tmp/proc/77" \
	"$tmp/sys/fs/cgroup/memory/batch/job1" "$tmp/sys/fs/cgroup/memory/web"
echo 6.1.0-27-amd64 >"$tmp/proc/sys/kernel/osrelease"
cat >"$tmp/proc/self/mountinfo" <<'EOF'
25 24 0:23 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate
29 24 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:14 - cgroup cgroup rw,cpu,cpuacct
30 24 0:28 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory
EOF

expect_all "completion offers cgroups for DEST" "$(printf '%s\n' / /batch/ /web/)" \
	"$(offers "$bin" --sysroot "$tmp" move "")"
expect_all "completion descends into a cgroup" "/batch/job1/" \
	"$(offers "$bin" --sysroot "$tmp" move /batch/)"
expect_all "completion offers filesystem paths under the mount" \
	"/sys/fs/cgroup/memory/web/" \
	"$(offers "$bin" --sysroot "$tmp" move /sys/fs/cgroup/memory/w)"
expect_all "completion offers memory:/path names" "/batch/" \
	"$(offers "$bin" --sysroot "$tmp" charge memory:/b)"
expect_all "completion offers cgroups for --from" "/web/" \
	"$(offers "$bin" --sysroot "$tmp" move --from /w)"
expect_all "completion offers cgroups for DEST after --from SRC" "/batch/" \
	"$(offers "$bin" --sysroot "$tmp" move -f /web /b)"
expect_all "completion offers cgroups for show" "$(printf '%s\n' / /batch/ /web/)" \
	"$(offers "$bin" --sysroot "$tmp" show "")"
expect_all "completion offers cgroups for every CGROUP of show" "/web/" \
	"$(offers "$bin" --sysroot "$tmp" show -d 1 /batch /w)"
expect_all "completion offers PIDs after DEST" "$(printf '%s\n' 4242 77)" \
	"$(offers "$bin" --sysroot "$tmp" move /batch "")"
if offers "$bin" --sysroot "$tmp" move --from /web /batch "" | grep -q .; then
	fail "completion offers something after --from SRC DEST"
else
	ok "completion offers nothing after --from SRC DEST"
fi
# a FILE or REPORT value is a file of the file system (move --back)
touch "$tmp/report.json"
expect_all "completion offers files for move --back REPORT" "$tmp/report.json" \
	"$(offers "$bin" move --back "$tmp/rep")"
expect_all "completion offers the memory mount for --mount" \
	/sys/fs/cgroup/memory "$(offers "$bin" --sysroot "$tmp" --mount "")"

# --also LIST: the v1 hierarchies other than the memory one, from memcg
# mounts and the controllers /proc/cgroups names
printf '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t2\t1\t1\ncpuacct\t2\t1\t1\nmemory\t3\t1\t1\n' \
	>"$tmp/proc/cgroups"
if "$bin" move --help | grep -q -- '--also'; then
	expect_all "completion offers controllers for --also" \
		"$(printf '%s\n' '*' cpu cpuacct)" \
		"$(offers "$bin" --sysroot "$tmp" move --also "")"
	expect_all "completion adds to a list of controllers" cpu,cpuacct \
		"$(offers "$bin" --sysroot "$tmp" move --also cpu,)"
	if offers "$bin" --sysroot "$tmp" move --also "" | grep -qx memory; then
		fail "completion offers memory for --also"
	else
		ok "completion leaves memory out of --also"
	fi
else
	echo "skip completion of --also: move has no --also"
fi

# Values: offered ones must be named by the help, and there must be some.
values_named() {
	local name=$1 helptext=$2 offered=$3 v bad=
	if [ -z "$offered" ]; then
		fail "$name: nothing offered"
		return
	fi
	for v in $offered; do
		grep -qw -- "$v" <<<"$helptext" || bad="$bad $v"
	done
	if [ -z "$bad" ]; then
		ok "$name"
	else
		fail "$name: offered but not in --help:$bad"
	fi
}
values_named "completion offers --charge values from move --help" \
	"$("$bin" move --help | grep -A3 -e '--charge')" \
	"$(offers "$bin" move --charge "")"
values_named "completion offers --recharge values from move --help" \
	"$("$bin" move --help | grep -A3 -e '--recharge')" \
	"$(offers "$bin" move --recharge "")"
if [ "$(offers "$bin" move --recharge "" | sort | tr '\n' ' ')" = "all anon file " ]; then
	ok "completion offers anon, file and all for --recharge"
else
	fail "completion offers '$(offers "$bin" move --recharge "" | tr '\n' ' ')' for --recharge"
fi
values_named "completion offers charge's modes from its usage line" \
	"$("$bin" charge --help | head -n1)" \
	"$(offers "$bin" --sysroot "$tmp" charge /batch "")"

printf '%d of %d checks failed\n' "$fails" "$checks"
[ "$fails" -eq 0 ]
