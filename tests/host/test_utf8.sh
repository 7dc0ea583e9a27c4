#!/bin/bash
# A process whose name is not valid UTF-8 (anyone may name their own
# program so) cannot break a report: `ps -J`, `where -J` and `move -J`
# print valid JSON, the stray bytes as the text \xHH, and the move happens.
set -u
. "$(dirname "$0")/lib.sh" "$@"

mkcg src src
mkcg dst dst
name=$'ab\xff\xfecd'
cp /bin/sleep "$tmp/$name"
sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 600' _ "$mnt$src" "$tmp/$name" &
wpid=$!
pids+=("$wpid")
for _ in $(seq 100); do
	[ "$(cat "/proc/$wpid/comm" 2>/dev/null)" = "$name" ] && break
	sleep 0.05
done
expect "the process is named with bytes that are not UTF-8" \
	[ "$(cat "/proc/$wpid/comm")" = "$name" ]

utf8_json() { iconv -f UTF-8 -t UTF-8 >/dev/null <<<"$1" && jq -e . >/dev/null <<<"$1"; }
out=$("$memcg" ps -J "$src" 2>/dev/null)
expect "ps -J: valid UTF-8 and JSON" utf8_json "$out"
expect "ps -J: the name with \\xHH" \
	[ "$(jq -r '.processes[0].comm' <<<"$out")" = 'ab\xff\xfecd' ]
out=$("$memcg" where -J "$wpid" 2>/dev/null)
expect "where -J: valid UTF-8 and JSON" utf8_json "$out"
out=$("$memcg" move -J "$dst" "$wpid" 2>/dev/null)
expect "move -J: valid UTF-8 and JSON" utf8_json "$out"
expect "move -J: the name with \\xHH" \
	[ "$(jq -r '.processes[0].comm' <<<"$out")" = 'ab\xff\xfecd' ]
expect "the move happened" [ "$(cg_of "$wpid")" = "$dst" ]
finish
