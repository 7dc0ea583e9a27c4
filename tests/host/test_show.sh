#!/bin/bash
# memcg show on the running kernel: a scratch parent with two children, a
# workload of 32 MiB anon in the first under a 64 MiB limit. -J nests the
# children with the kernel's figures (usage as the kernel reads it a moment
# later, anon, limit, processes, charge setting); --depth 0 shows the parent
# alone; --list gives full paths; and once the workload is moved by hand
# to the other child with its charge left behind, --exact finds that charge
# in the first child's LEFT.
set -u
. "$(dirname "$0")/lib.sh" "$@"

mib=$((1024 * 1024))
mkcg parent show
# children of the scratch parent; removed before it (cleanup goes backwards)
a=$parent/a
b=$parent/b
mkdir "$mnt$a" && scratch+=("$mnt$a") || exit 1
mkdir "$mnt$b" && scratch+=("$mnt$b") || exit 1
echo $((64 * mib)) >"$mnt$a/memory.limit_in_bytes" || exit 1
start "$a" --anon 32

json=$("$memcg" show -J "$parent" 2>"$tmp/err")
st=$?
usage_now=$(usage_of "$a")
expect "show -J exits 0" [ "$st" = 0 ]
expect "one document that parses" [ "$(jq -s length <<<"$json")" = 1 ]
expect "the parent on top, its two children nested" \
	[ "$(jq -c '[.cgroups[] | .path, [.children[].path]]' <<<"$json")" = "[\"$parent\",[\"$a\",\"$b\"]]" ]
ca() { jq -r ".cgroups[0].children[0].\"$1\"" <<<"$json"; }
cb() { jq -r ".cgroups[0].children[1].\"$1\"" <<<"$json"; }
expect "the child's usage is its usage_in_bytes (within 64 pages a CPU)" \
	within "$(ca usage)" "$usage_now" "$slack"
expect "the child's anon holds the workload's 32 MiB" \
	[ "$(ca anon)" -ge $((32 * mib)) ]
expect "the child's limit is 64 MiB" [ "$(ca limit)" = $((64 * mib)) ]
expect "the child has one process" [ "$(ca procs)" = 1 ]
expect "the other child uses less than 1 MiB" [ "$(cb usage)" -lt "$mib" ]
expect "the other child has no process" [ "$(cb procs)" = 0 ]
expect "charge is a mode name" grep -qxE 'none|anon|file|all' <<<"$(ca charge)"
expect "charge is the knob's value" \
	[ "$(ca charge)" = "$(echo none anon file all | cut -d' ' -f$(($(knob_of "$a") + 1)))" ]

json=$("$memcg" show -J --depth 0 "$parent" 2>/dev/null)
expect "--depth 0 shows the parent alone" \
	[ "$(jq -c '[.cgroups[] | .path, (.children // [] | length)]' <<<"$json")" = "[\"$parent\",0]" ]
json=$("$memcg" show -J --list "$parent" 2>/dev/null)
expect "--list gives one flat list of full paths" \
	[ "$(jq -c '[.cgroups[] | .path, (.children // [] | length)]' <<<"$json")" = "[\"$parent\",0,\"$a\",0,\"$b\",0]" ]
out=$("$memcg" show -n -o path "$parent" 2>/dev/null)
expect "the tree names each child under its parent" \
	[ "$(sed -n '2s/^[^a-z]*//p;3s/^[^a-z]*//p' <<<"$out" | tr '\n' ' ')" = "a b " ]

# the move by hand, with the knob at 0 where a kernel would still move
# charges: the 32 MiB stays charged to a
if [ ! -r /proc/kpagecgroup ]; then
	echo "skip the --exact checks: no /proc/kpagecgroup"
	finish
	exit
fi
echo 0 >"$mnt$b/memory.move_charge_at_immigrate" 2>/dev/null
echo "$wpid" >"$mnt$b/cgroup.procs" || exit 1
expect "the workload is in the other child now" [ "$(cg_of "$wpid")" = "$b" ]
json=$("$memcg" show -J --exact "$parent" 2>"$tmp/err")
st=$?
expect "show --exact exits 0" [ "$st" = 0 ]
expect "the first child's LEFT holds the workload's memory (>= 30 MiB)" \
	[ "$(ca left)" -ge $((30 * mib)) ]
expect "the other child holds nothing left by others" \
	[ "$(cb left)" -lt "$mib" ]
expect "the first child has no process now" [ "$(ca procs)" = 0 ]
finish
