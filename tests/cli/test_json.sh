#!/bin/bash
# JSON from a --sysroot fixture tree: parses with jq, numbers are numbers,
# every field holds the value the fixture set, unknown values are null.
# usage: test_json.sh MEMCG
set -u
memcg=$1
. "$(dirname "$0")/lib.sh"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/proc/self" "$root/proc/sys/kernel" "$root/proc/4242" \
	"$root/proc/4343" "$root/cg/A" "$root/cg/B"
cat >"$root/proc/self/mountinfo" <<'MI'
22 1 0:20 / /proc rw,relatime - proc proc rw
27 26 0:24 / /cg rw,relatime - cgroup cgroup rw,memory
28 26 0:25 / /unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
MI
echo 6.1.0-30-amd64 >"$root/proc/sys/kernel/osrelease"
echo '4242 (java worker) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 9 0 5555 900000000 207360 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0' \
	>"$root/proc/4242/stat"
echo '4:memory:/A' >"$root/proc/4242/cgroup"
echo '4343 (sleep) S 1 4343 4343 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 6666 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0' \
	>"$root/proc/4343/stat"
echo '4:memory:/B' >"$root/proc/4343/cgroup"
echo 903839744 >"$root/cg/A/memory.usage_in_bytes"
echo 1048576 >"$root/cg/B/memory.usage_in_bytes"
echo 0 >"$root/cg/B/memory.move_charge_at_immigrate"

json=$("$memcg" --sysroot "$root" move --dry-run -J /B 4242 4343 2>/dev/null)
st=$?
expect "dry run exits 0" [ "$st" = 0 ]
expect "output parses as JSON" jq -e . <<<"$json" >/dev/null
field() { jq -c ".processes[$1].\"$2\"" <<<"$json"; }
expect "pid is a number" [ "$(field 0 pid)" = 4242 ]
expect "comm keeps its space" [ "$(field 0 comm)" = '"java worker"' ]
expect "from is the hierarchy path" [ "$(field 0 from)" = '"/A"' ]
expect "to is the hierarchy path" [ "$(field 0 to)" = '"/B"' ]
expect "status planned" [ "$(field 0 status)" = '"planned"' ]
expect "src-before is A's usage in bytes" [ "$(field 0 src-before)" = 903839744 ]
expect "dst-before is B's usage in bytes" [ "$(field 0 dst-before)" = 1048576 ]
expect "rss is 207360 pages" [ "$(field 0 rss)" = $((207360 * $(getconf PAGESIZE))) ]
expect "moved is null in a dry run" [ "$(field 0 moved)" = null ]
expect "src-after is null in a dry run" [ "$(field 0 src-after)" = null ]
expect "time is null in a dry run" [ "$(field 0 time)" = null ]
expect "error is null" [ "$(field 0 error)" = null ]
expect "charge asked: all (6.1 moves charges)" [ "$(field 0 charge)" = '"all"' ]
expect "a process already in DEST is skipped" [ "$(field 1 status)" = '"skipped"' ]
expect "numbers are JSON numbers" \
	jq -e '.processes[0] | (.pid|type)=="number" and (."src-before"|type)=="number" and (.rss|type)=="number"' <<<"$json" >/dev/null
expect "one document" [ "$(jq -s length <<<"$json")" = 1 ]
expect "the document's keys: processes, then summary" \
	[ "$(jq -c 'keys_unsorted' <<<"$json")" = '["processes","summary"]' ]
expect "summary: a count of every status, charge-moved, recharged, charge, reason" \
	[ "$(jq -c '.summary | keys_unsorted' <<<"$json")" = '["moved","failed","exited","skipped","rolled-back","planned","not-attempted","charge-moved","recharged","charge","reason"]' ]
expect "summary: 1 planned, 1 skipped, the rest 0" \
	[ "$(jq -c '.summary | [.moved, .failed, .exited, .skipped, ."rolled-back", .planned, ."not-attempted"]' <<<"$json")" = '[0,0,0,1,0,1,0]' ]
expect "summary: nothing measured in a dry run, no recharge" \
	[ "$(jq -c '.summary | [."charge-moved", .recharged]' <<<"$json")" = '[null,null]' ]
expect "summary: 6.1 moves charge, no reason" \
	[ "$(jq -c '.summary | [.charge, .reason]' <<<"$json")" = '["moved",null]' ]
expect "rows carry note and start" \
	[ "$(jq -c '.processes[0] | [.note, .start]' <<<"$json")" = '[null,5555]' ]
json=$("$memcg" --sysroot "$root" move --dry-run -J --charge none /B 4242 2>/dev/null)
expect "summary: --charge none is not asked" \
	[ "$(jq -c '.summary.charge' <<<"$json")" = '"not asked"' ]

# the default columns for people: DEST is said once, in the summary line
out=$("$memcg" --sysroot "$root" move --dry-run /B 4242 2>/dev/null)
expect "the summary line names DEST" grep -q "^dry run into '/B': 1 planned" <<<"$out"
out=$("$memcg" --sysroot "$root" move --dry-run /B 4242 2>/dev/null)
expect "default columns: PID COMM FROM STATUS MOVED RSS CHARGE (PREDICTED)" \
	[ "$(head -n1 <<<"$out" | tr -s ' ' | sed 's/^ //')" = "PID COMM FROM STATUS MOVED RSS CHARGE PREDICTED" ]

# into the root cgroup: a note says what that means for the charge
echo 0 >"$root/cg/memory.usage_in_bytes"
: >"$root/cg/cgroup.sane_behavior"	# v1's root has it, no other cgroup
"$memcg" --sysroot "$root" move --dry-run / 4242 >/dev/null 2>"$root/err"
expect "into the root: a note that it has no limit" \
	grep -q "^memcg: '/' is the root cgroup, which has no limit" "$root/err"

# a thread ID stands for its process; two of them make one row
mkdir -p "$root/proc/4250" "$root/proc/4251"
printf 'Name:\tjava\nTgid:\t4242\nPid:\t4250\nNSpid:\t4250\n' >"$root/proc/4250/status"
printf 'Name:\tjava\nTgid:\t4242\nPid:\t4251\nNSpid:\t4251\n' >"$root/proc/4251/status"
json=$("$memcg" --sysroot "$root" move --dry-run -J /B 4250 4251 2>"$root/err")
expect "a TID: one row, the process's PID" \
	[ "$(jq -c '[.processes[] | .pid]' <<<"$json")" = '[4242]' ]
expect "its note names both TIDs" \
	jq -e '.processes[0].note | test("4250 is a thread of process 4242") and test("thread 4251")' <<<"$json" >/dev/null
expect "the notes go to stderr too" grep -q "4250 is a thread of process 4242" "$root/err"

# PID 1 needs --force (predicted by the dry run, as the real run ends)
mkdir -p "$root/proc/1"
echo '1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 3 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0' \
	>"$root/proc/1/stat"
echo '4:memory:/A' >"$root/proc/1/cgroup"
json=$("$memcg" --sysroot "$root" move --dry-run -J /B 1 2>/dev/null)
st=$?
expect "PID 1 without --force: exit 1" [ "$st" = 1 ]
expect "PID 1 without --force: failed, EPERM, FROM known" \
	[ "$(jq -c '.processes[0] | [.status, (.error | startswith("EPERM: PID 1 is the init system")), .from]' <<<"$json")" = '["failed",true,"/A"]' ]
json=$("$memcg" --sysroot "$root" move --dry-run -J --force /B 1 2>/dev/null)
expect "PID 1 with --force: planned" [ "$(field 0 status)" = '"planned"' ]

echo 6.18.0 >"$root/proc/sys/kernel/osrelease"
json=$("$memcg" --sysroot "$root" move --dry-run -J /B 4242 2>/dev/null)
expect "6.13+: charge refused (inferred)" [ "$(field 0 charge)" = '"refused"' ]
check "6.13+ dry run with --require-charge exits 3" 3 "inferred from the kernel version" \
	"$memcg" --sysroot "$root" move --dry-run --require-charge /B 4242

json=$("$memcg" --sysroot "$root" move --dry-run -J /B 7 2>/dev/null)
st=$?
expect "a missing PID fails the dry run with 1" [ "$st" = 1 ]
expect "its error names ESRCH" [ "$(field 0 error)" = '"ESRCH: no such process"' ]

json=$("$memcg" --sysroot "$root" mounts -J -o target,type,memory,used,moves-charge,inferred 2>/dev/null)
expect "mounts JSON parses" jq -e . <<<"$json" >/dev/null
expect "mounts: memory is a boolean" [ "$(jq -c '.mounts[0].memory' <<<"$json")" = true ]
expect "mounts: the v1 memory mount is used" [ "$(jq -c '.mounts[0].used' <<<"$json")" = true ]
expect "mounts: 6.18 does not move (inferred)" \
	[ "$(jq -c '[.mounts[0]."moves-charge", .mounts[0].inferred]' <<<"$json")" = '[false,true]' ]
expect "mounts: no answer for a mount without memory" \
	[ "$(jq -c '.mounts[1]."moves-charge"' <<<"$json")" = null ]

json=$("$memcg" --sysroot "$root" mounts -J -r 2>/dev/null)
expect "-J with -r still prints the document" \
	jq -e '.mounts | length == 2' <<<"$json" >/dev/null
json=$("$memcg" move -H -J)
expect "-H -J: the columns as a document" \
	jq -e '.columns[0] == {"name": "PID", "description": "process ID"}' <<<"$json" >/dev/null
json=$("$memcg" --sysroot "$root" move --dry-run -J /B 4242 2>/dev/null)
expect "a path keeps its slashes unescaped" grep -qF '"to": "/B"' <<<"$json"

# memcg show on the same tree: A with figures, B with few files, A/a1 below
mkdir -p "$root/cg/A/a1"
echo 67108864 >"$root/cg/A/memory.limit_in_bytes"
echo 9223372036854771712 >"$root/cg/B/memory.limit_in_bytes"
printf 'cache 4096\nrss 33554432\nshmem 0\nswap 0\ntotal_cache 9\ntotal_rss 9\n' \
	>"$root/cg/A/memory.stat"
printf '4242\n' >"$root/cg/A/cgroup.procs"
: >"$root/cg/B/cgroup.procs"
echo 3 >"$root/cg/A/memory.move_charge_at_immigrate"
echo 1000 >"$root/cg/A/a1/memory.usage_in_bytes"
json=$("$memcg" --sysroot "$root" show -J 2>/dev/null)
st=$?
expect "show exits 0" [ "$st" = 0 ]
expect "show: one document that parses" [ "$(jq -s length <<<"$json")" = 1 ]
expect "show: the root on top, its children nested by name" \
	[ "$(jq -c '[.cgroups[0].path, [.cgroups[0].children[].path]]' <<<"$json")" = '["/",["/A","/B"]]' ]
expect "show: grandchildren nested, with full paths" \
	[ "$(jq -c '.cgroups[0].children[0].children[0].path' <<<"$json")" = '"/A/a1"' ]
a() { jq -c ".cgroups[0].children[0].\"$1\"" <<<"$json"; }
b() { jq -c ".cgroups[0].children[1].\"$1\"" <<<"$json"; }
expect "show: the default keys" \
	[ "$(jq -c '.cgroups[0].children[0] | keys_unsorted' <<<"$json")" = '["path","usage","limit","anon","file","procs","charge","children"]' ]
expect "show: usage in bytes" [ "$(a usage)" = 903839744 ]
expect "show: limit in bytes" [ "$(a limit)" = 67108864 ]
expect "show: v1's page counter maximum is no limit: null" [ "$(b limit)" = null ]
expect "show: anon is rss, not total_rss" [ "$(a anon)" = 33554432 ]
expect "show: file is cache" [ "$(a file)" = 4096 ]
expect "show: procs counts cgroup.procs" [ "$(a procs)" = 1 ]
expect "show: procs of an empty cgroup is 0" [ "$(b procs)" = 0 ]
expect "show: charge by mode name" [ "$(a charge)" = '"all"' ]
expect "show: a missing file is null" [ "$(b anon)" = null ]
expect "show: numbers are JSON numbers" \
	jq -e '.cgroups[0].children[0] | (.usage|type)=="number" and (.procs|type)=="number"' <<<"$json" >/dev/null
json=$("$memcg" --sysroot "$root" show -J -o path,shmem,swap,left /A 2>/dev/null)
expect "show -o: only the columns asked for" \
	[ "$(jq -c '.cgroups[0] | del(.children)' <<<"$json")" = '{"path":"/A","shmem":0,"swap":0,"left":null}' ]
json=$("$memcg" --sysroot "$root" show -J --depth 0 /A 2>/dev/null)
expect "show --depth 0: the cgroup alone" \
	[ "$(jq -c '[.cgroups[] | .path, (.children | length)]' <<<"$json")" = '["/A",0]' ]
json=$("$memcg" --sysroot "$root" show -J --list 2>/dev/null)
expect "show --list -J: one flat array, parents first" \
	[ "$(jq -c '[.cgroups[].path]' <<<"$json")" = '["/","/A","/A/a1","/B"]' ]
out=$("$memcg" --sysroot "$root" show -r -n -o path 2>/dev/null)
expect "show -r: full paths, no tree" [ "$(echo $out)" = "/ /A /A/a1 /B" ]
out=$("$memcg" --sysroot "$root" show -n -o path /A 2>/dev/null)
expect "show: the tree names a child under its parent" \
	grep -qxE '.-a1' <<<"$(sed -n 2p <<<"$out")"
json=$("$memcg" --sysroot "$root" show -J /B /nope /A/a1 2>"$root/err")
st=$?
expect "show: a missing cgroup gives 1" [ "$st" = 1 ]
expect "show: ... and is named" grep -q "'/nope' does not exist" "$root/err"
expect "show: ... and the document holds the others" \
	[ "$(jq -c '[.cgroups[].path]' <<<"$json")" = '["/B","/A/a1"]' ]
check "show: --exact under a sysroot without kpagecgroup" 1 "kpagecgroup" \
	"$memcg" --sysroot "$root" show --exact

# cgroup v2: the root has no memory.current, there is no knob
v2=$root/v2
mkdir -p "$v2/proc/self" "$v2/sys/fs/cgroup/C"
echo '30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw' >"$v2/proc/self/mountinfo"
echo 'cpu memory pids' >"$v2/sys/fs/cgroup/cgroup.controllers"
echo 5000 >"$v2/sys/fs/cgroup/C/memory.current"
echo max >"$v2/sys/fs/cgroup/C/memory.max"
printf 'anon 4096\nfile 8192\nshmem 0\n' >"$v2/sys/fs/cgroup/C/memory.stat"
echo 12288 >"$v2/sys/fs/cgroup/C/memory.swap.current"
json=$("$memcg" --sysroot "$v2" show -J --output-all 2>/dev/null)
c() { jq -c ".cgroups[0].children[0].\"$1\"" <<<"$json"; }
expect "show v2: the root's usage is null" [ "$(jq -c '.cgroups[0].usage' <<<"$json")" = null ]
expect "show v2: memory.current" [ "$(c usage)" = 5000 ]
expect "show v2: max is null" [ "$(c limit)" = null ]
expect "show v2: anon, file" [ "$(c anon),$(c file)" = 4096,8192 ]
expect "show v2: swap from memory.swap.current" [ "$(c swap)" = 12288 ]
expect "show v2: charge never moves" [ "$(c charge)" = '"never (v2)"' ]

check "where the mount is not a memory hierarchy" 2 "without the memory controller" \
	"$memcg" --sysroot "$root" --mount /unified move --dry-run /B 4242
check "a name with .. is refused" 2 "'\.\.' is not allowed" \
	"$memcg" --sysroot "$root" move --dry-run /B/../.. 4242
check "a missing DEST fails with 1" 1 "cgroup '/C' does not exist" \
	"$memcg" --sysroot "$root" move --dry-run /C 4242
json=$("$memcg" --sysroot "$root" move --dry-run -J /C 4242 2>/dev/null)
st=$?
expect "-J with a missing DEST: exit 1 and still one document" \
	[ "$st,$(jq -c '[(.processes | length), .summary.failed]' <<<"$json")" = '1,[0,0]' ]
json=$("$memcg" --sysroot "$root" move -J /B 2>/dev/null)
st=$?
expect "-J with a usage error of the operands: exit 2 and the document" \
	[ "$st,$(jq -c '.processes' <<<"$json")" = '2,[]' ]
mkdir -p "$root/cg/E"
: >"$root/cg/E/cgroup.procs"
echo 0 >"$root/cg/E/memory.usage_in_bytes"
json=$("$memcg" --sysroot "$root" move --dry-run -J --from /E /B 2>"$root/err")
st=$?
expect "--from an empty SRC: exit 0" [ "$st" = 0 ]
expect "--from an empty SRC: nothing to move, said once" \
	[ "$(grep -c "^memcg: nothing to move: '/E' has no processes$" "$root/err")" = 1 ]
expect "--from an empty SRC: no rows, a summary of zeros" \
	[ "$(jq -c '[(.processes | length), (.summary | .moved + .failed + .planned + .skipped)]' <<<"$json")" = '[0,0]' ]
ln -s "$root/cg/A" "$root/cg/link"
check "a symlink out of place is refused" 1 "leaves the memory hierarchy" \
	"$memcg" --sysroot "$root" move --dry-run /link 4242
finish
