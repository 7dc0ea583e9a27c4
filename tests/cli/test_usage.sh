#!/bin/bash
# Help, version and every usage error with its exit status (memcg(8)). None
# of these may touch a cgroup: they fail before anything is read or written.
# usage: test_usage.sh MEMCG VERSION
set -u
memcg=$1
version=$2
. "$(dirname "$0")/lib.sh"

out=$("$memcg" --help); st=$?
expect "--help exits 0" [ "$st" = 0 ]
for c in $("$memcg" --list-commands); do
	expect "--help lists $c" grep -q "^  $c " <<<"$out"
	check "$c --help exits 0" 0 "" "$memcg" "$c" --help
	check "$c -h exits 0" 0 "" "$memcg" "$c" -h
	expect "$c --help prints a usage line" \
		grep -q "^Usage: memcg $c " <<<"$("$memcg" "$c" --help)"
done
expect "-V prints the version" [ "$("$memcg" -V)" = "memcg $version" ]

usage='Try .memcg --help'
check "no command" 2 "$usage" "$memcg"
check "unknown command" 2 "'nosuch' is not a memcg command" "$memcg" nosuch
check "unknown global option" 2 "bogus" "$memcg" --bogus
check "unknown move option" 2 "bogus" "$memcg" move --bogus /x 1
check "move without DEST" 2 "no destination" "$memcg" move
check "move without PIDs" 2 "no PIDs" "$memcg" move /x
check "PID not a number" 2 "'12abc' is not a PID" "$memcg" move /x 12abc
check "PID zero" 2 "'0' is not a PID" "$memcg" move /x 0
check "PID negative" 2 "'-1': negative numbers are not valid" "$memcg" move /x -1
check "PID overflow" 2 "'2147483648' is not a PID" "$memcg" move /x 2147483648
check "PID far overflow" 2 "is not a PID" "$memcg" move /x 99999999999999999999
check "duplicate PIDs" 2 "PID 5 is given twice" "$memcg" move /x 5 7 5
check "empty --charge=" 2 "--charge: '' is not one of" "$memcg" move --charge= /x 1
check "bad --charge" 2 "--charge: 'most' is not one of" "$memcg" move --charge most /x 1
check "--charge twice" 2 "--charge may be given once" "$memcg" move -c all -c anon /x 1
check "--from twice" 2 "--from may be given once" "$memcg" move --from /a --from /b /x
check "--also twice" 2 "--also may be given once" "$memcg" move --also cpu --also blkio /x 1
check "--from with PIDs" 2 "--from SRC takes no PIDs" "$memcg" move --from /a /x 1
check "--back with DEST" 2 "--back REPORT takes no DEST or PIDs" \
	"$memcg" move --back /dev/null /x
check "--back with --from" 2 "--back and --from exclude each other" \
	"$memcg" move --back /dev/null --from /a
check "--back with --atomic" 2 "--back does not take --atomic" \
	"$memcg" move --back /dev/null --atomic
check "--back twice" 2 "--back may be given once" \
	"$memcg" move --back /dev/null --back /dev/null
notjson=$(mktemp)
trap 'rm -f "$notjson"' EXIT
echo 'not json' >"$notjson"
check "--back of a file that is not JSON names it" 2 \
	"--back: '$notjson' is not a memcg move -J report: not JSON" \
	"$memcg" move --back "$notjson"
echo '{"processes": [{"pid": 5, "status": "moved", "from": "/a"}]}' >"$notjson"
check "--back of a report without \"to\" names it" 2 \
	"'$notjson' is not a memcg move -J report: a moved process has no" \
	"$memcg" move --back "$notjson"
check "--back of a document without processes, from stdin" 2 \
	"'-' is not a memcg move -J report: it has no \"processes\" array" \
	sh -c "echo '{\"mounts\": []}' | \"\$1\" move --back -" _ "$memcg"
check "none with --require-charge" 2 "asks for nothing" \
	"$memcg" move --charge none --require-charge /x 1
check "unknown column" 2 "unknown column 'NOPE'" "$memcg" move -o PID,NOPE /x 1
check "bad --wait" 2 "--wait: 'soon'" "$memcg" move --wait soon /x 1
check "bad --recharge" 2 "--recharge: 'bogus' is not one of anon, file, all" \
	"$memcg" move --recharge bogus /x 1
check "--recharge none" 2 "--recharge: 'none' is not one of" \
	"$memcg" move --recharge none /x 1
check "empty --recharge=" 2 "--recharge: '' is not one of" \
	"$memcg" move --recharge= /x 1
check "--recharge twice" 2 "--recharge may be given once" \
	"$memcg" move --recharge anon --recharge file /x 1
check "--rate 0" 2 "--rate: '0' is not a positive number" \
	"$memcg" move --recharge all --rate 0 /x 1
check "--rate x" 2 "--rate: 'x' is not a positive number" \
	"$memcg" move --recharge all --rate x /x 1
check "--rate negative" 2 "--rate: '-5' is not a positive number" \
	"$memcg" move --recharge all --rate=-5 /x 1
check "--rate 10abc" 2 "--rate: '10abc' is not a positive number" \
	"$memcg" move --recharge all --rate 10abc /x 1
check "--rate without --recharge" 2 "--rate limits --recharge" \
	"$memcg" move --rate 10 /x 1
check "move under --sysroot" 2 "only --dry-run" "$memcg" --sysroot /nonexistent move /x 1
check "charge without CGROUP" 2 "expected CGROUP" "$memcg" charge
check "charge bad mode" 2 "'most' is not one of" "$memcg" charge /x most
check "charge extra operand" 2 "expected CGROUP" "$memcg" charge /x all more
check "charge set under --sysroot" 2 "cannot set" "$memcg" charge --sysroot /nonexistent /x all
check "charge --restore with operand" 2 "takes no arguments" "$memcg" charge --restore /x
check "mounts extra operand" 2 "unexpected argument" "$memcg" mounts extra
check "mounts unknown column" 2 "unknown column" "$memcg" mounts -o nope
check "show: --depth not a number" 2 "--depth: '1x' is not a number" "$memcg" show -d 1x
check "show: --depth empty" 2 "--depth: '' is not a number" "$memcg" show --depth=
check "show: --depth negative" 2 "'-1': negative numbers" "$memcg" show --depth -1
check "show: --depth overflow" 2 "is not a number" "$memcg" show -d 99999999999999999999
check "show: --depth twice" 2 "--depth may be given once" "$memcg" show -d 1 -d 2
check "show: unknown column" 2 "unknown column 'NOPE'" "$memcg" show -o PATH,NOPE
# with POSIXLY_CORRECT, options after operands are operands
check "POSIXLY_CORRECT: options first" 2 "'--dry-run' is not a PID" \
	env POSIXLY_CORRECT=1 "$memcg" move /x 1 --dry-run
finish
