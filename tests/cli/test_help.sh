# memcg help [COMMAND]: the man page memcg-COMMAND(8) through man (the pages
# of this build, MANPATH pointing at them, MANPAGER=cat), memcg(8) without a
# COMMAND; what "memcg [COMMAND] --help" prints where man cannot be run (a
# PATH without it) or does not find the page (a MANPATH without it); usage
# errors.
# usage: test_help.sh MEMCG MAN-BUILD-DIR
set -u
memcg=$1
mandir=$(cd "$2" 2>/dev/null && pwd)
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/empty" "$tmp/nobin"
not() { ! "$@"; }
export MANPAGER=cat PAGER=cat MANWIDTH=80

check "help of an unknown command" 2 "'nosuch' is not a memcg command" \
	"$memcg" help nosuch
check "help of two commands" 2 "one COMMAND at most" "$memcg" help move ps
check "help --help" 0 "" "$memcg" help --help

# The fallback, man missing: exactly what --help prints, on stdout.
for c in "" $("$memcg" --list-commands); do
	want=$("$memcg" $c --help)
	got=$(PATH=$tmp/nobin "$memcg" help $c 2>"$tmp/err"); st=$?
	expect "help ${c:-(none)} without man exits 0" [ "$st" = 0 ]
	expect "help ${c:-(none)} without man prints 'memcg${c:+ $c} --help'" \
		[ "$got" = "$want" ]
	expect "help ${c:-(none)} without man says why on stderr" \
		grep -q "man cannot be run; this is 'memcg${c:+ $c} --help'" "$tmp/err"
done

if ! command -v man >/dev/null; then
	echo "skipped: man not found: man pages through man are not checked"
	finish
	exit
fi

# The fallback, the page not installed.
got=$(MANPATH=$tmp/empty "$memcg" help move 2>"$tmp/err"); st=$?
expect "help move without the page exits 0" [ "$st" = 0 ]
expect "help move without the page prints 'memcg move --help'" \
	[ "$got" = "$("$memcg" move --help)" ]
expect "help move without the page names it" \
	grep -q "no manual page memcg-move(8)" "$tmp/err"

if [ -z "$mandir" ] || [ ! -f "$mandir/memcg.8" ]; then
	echo "skipped: no man pages built (scdoc not found): man pages through man are not checked"
	finish
	exit
fi
mkdir "$tmp/man"
ln -s "$mandir" "$tmp/man/man8"
export MANPATH=$tmp/man
for c in "" $("$memcg" --list-commands); do
	page=memcg${c:+-$c}
	got=$("$memcg" help $c 2>"$tmp/err"); st=$?
	expect "help ${c:-(none)} exits 0" [ "$st" = 0 ]
	expect "help ${c:-(none)} shows $page(8)" \
		[ "$(head -n1 <<<"$got" | awk '{ print $1 }')" = "$page(8)" ]
	expect "help ${c:-(none)} shows the page's NAME" \
		grep -Eq "^ +$page - " <<<"$got"
	# (troff may warn about a table too wide for 80 columns)
	expect "help ${c:-(none)} falls back to nothing" \
		not grep -q '^memcg:' "$tmp/err"
done

finish
