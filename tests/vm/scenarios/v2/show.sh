# show — `memcg show -J /` reports A's usage as the kernel has it: equal to
# A's memory.current read right after, within SLACK (v2's counter moves in
# steps of the per-CPU stock). Skipped while memcg has no show command.
. /vmtest/lib.sh
need_v2

run_memcg h show --help
if [ "$RC" != 0 ] && grep -q 'not a memcg command' /tmp/h.err; then
	skip "memcg has no show command yet"
fi

A=$(cg_path A)
cg_make "$A"
wl_held "$A"

json_run s show /
Acur=$(usage "$A")
same "exit status" "$RC" 0
same "cgroups is an array" "$(jtype s cgroups)" array
# A's node, at any depth of the nested children, by its path
node=$(awk -F '\t' -v p="$A" '
	$1 ~ /^cgroups\..*\.path$/ && $2 == "string" && $3 == p {
		sub(/\.path$/, "", $1); print $1; exit }' /tmp/s.flat)
[ -n "$node" ] || fail "no cgroup $A in memcg show -J /"
note "ok: $A is $node"
[ "$(jtype s "$node.usage")" = number ] ||
	fail "usage of $A is $(jtype s "$node.usage"), not a number"
near "usage of $A vs its memory.current" "$(jget s "$node.usage")" "$Acur" "$SLACK"
