#!/bin/bash
# Many PIDs on the command line, whose /proc files are read on two threads
# before their checks and whose processes are pinned by pidfds until their
# writes: every process moves, the rows keep the order given, each with
# its own command and origin; a TID, a PID that does not exist and a
# kernel thread among them get their usual rows; a process whose threads
# are in two cgroups shows its leader's; and with an open-files
# limit below the number of PIDs, the pidfds leave the run the files it
# needs (the start time pins the rest): every process still moves.
set -u
. "$(dirname "$0")/lib.sh" "$@"

n=400
# in_cg CGROUP PID...: how many of the PIDs the kernel has in CGROUP
in_cg() {
	local cg=$1 p c=0
	shift
	for p; do
		[ "$(cg_of "$p")" = "$cg" ] && c=$((c + 1))
	done
	echo "$c"
}
mkcg src src
mkcg dst dst
start "$src" --anon 1 --children $((n - 1)) --threads 1
mapfile -t procs <"$mnt$src/cgroup.procs"
expect "the workload made $n processes" [ ${#procs[@]} = "$n" ]
tid=
for t in /proc/"$wpid"/task/*; do
	[ "${t##*/}" = "$wpid" ] || tid=${t##*/}
done
expect "the workload's leader has a thread" [ -n "$tid" ]

# the leader given as its TID, the rest reversed, and one PID past pid_max
others=()
for ((i = ${#procs[@]} - 1; i >= 0; i--)); do
	[ "${procs[i]}" = "$wpid" ] || others+=("${procs[i]}")
done
json=$("$memcg" move -J "$dst" "$tid" "${others[@]}" 2147483647 2>"$tmp/err")
st=$?
expect "one PID that does not exist among moved ones: exit 64 (partial)" [ "$st" = 64 ]
expect "one row per process given, in the order given" \
	[ "$(jq -r '.processes[].pid' <<<"$json" | paste -sd ' ')" = \
	  "$wpid ${others[*]} 2147483647" ]
expect "every workload process moved" \
	[ "$(jq '[.processes[] | select(.status == "moved")] | length' <<<"$json")" = "$n" ]
expect "the PID that does not exist failed: no such process" \
	jq -e '.processes[-1] | .status == "failed" and .error == "ESRCH: no such process"' \
	<<<"$json" >/dev/null
expect "each row has its own command and origin" \
	jq -e --arg s "$src" '[.processes[:-1][] | .comm == "memcg-workload" and .from == $s] | all' \
	<<<"$json" >/dev/null
expect "the TID's row is its process, with the note" \
	jq -e --arg t "$tid" '.processes[0].note | startswith($t + " is a thread of process")' \
	<<<"$json" >/dev/null
expect "the kernel has every process in DEST" [ "$(in_cg "$dst" "${procs[@]}")" = "$n" ]

# a kernel thread (kthreadd) among many: refused at its check, in a dry run
kt=2
if [ "$(awk '{ print $9 }' /proc/$kt/stat 2>/dev/null)" ] &&
	(( $(awk '{ print $9 }' /proc/$kt/stat) & 0x00200000 )); then
	json=$("$memcg" move -J --dry-run "$src" "${procs[@]}" "$kt" 2>/dev/null)
	expect "a kernel thread among many: failed, said so" \
		jq -e '.processes[-1] | .status == "failed" and (.error | test("kernel thread"))' \
		<<<"$json" >/dev/null
	expect "a kernel thread among many: the others planned" \
		[ "$(jq '[.processes[] | select(.status == "planned")] | length' <<<"$json")" = "$n" ]
fi

# A process whose threads are split between cgroups (v1 allows it): DEST's
# cgroup.procs (where the processes are now) lists it for its thread
# there, but its leader, which FROM names, is elsewhere. Given after the
# processes in DEST, it still shows where its leader is.
mkcg other other
start "$other" --anon 1 --threads 1
split=$wpid
for t in /proc/"$split"/task/*; do
	[ "${t##*/}" = "$split" ] || echo "${t##*/}" >"$mnt$dst/tasks"
done
expect "the split process's leader is in OTHER, its thread in DEST" \
	[ "$(cg_of "$split")" = "$other" ] && grep -qx "$split" "$mnt$dst/cgroup.procs"
json=$("$memcg" move -J --dry-run "$src" "${procs[@]}" "$split" 2>/dev/null)
expect "the split process's row: FROM is its leader's cgroup" \
	jq -e --arg o "$other" '.processes[-1].from == $o' <<<"$json" >/dev/null
expect "the others' rows: FROM is DEST, where they are" \
	jq -e --arg d "$dst" '[.processes[:-1][] | .from == $d] | all' <<<"$json" >/dev/null

# fewer open files than PIDs: the run's own files are still there
json=$( (ulimit -n 300 && exec "$memcg" move -J "$src" "${procs[@]}") 2>"$tmp/err")
st=$?
expect "under a limit of 300 open files, 400 PIDs: exit 0" [ "$st" = 0 ]
expect "under the limit: every process moved" \
	[ "$(jq '[.processes[] | select(.status == "moved")] | length' <<<"$json")" = "$n" ]
expect "under the limit: the kernel has every process back in SRC" \
	[ "$(in_cg "$src" "${procs[@]}")" = "$n" ]
# Each process in a cgroup of its own, under a limit that fits the
# origins' descriptors but not theirs and a pidfd each: the pidfds give
# way, and every process moves.
k=150
for ((i = 0; i < k; i++)); do
	mkcg "one[$i]" "one-$i"
	echo "${procs[i]}" >"$mnt${one[i]}/cgroup.procs"
done
json=$( (ulimit -n 400 && exec "$memcg" move -J "$dst" "${procs[@]:0:k}") 2>"$tmp/err")
st=$?
expect "$k processes from $k cgroups under a limit of 400 open files: exit 0 (got $st)" [ "$st" = 0 ]
expect "from $k cgroups: every process moved" \
	[ "$(jq '[.processes[] | select(.status == "moved")] | length' <<<"$json")" = "$k" ]
expect "from $k cgroups: each row names its own origin" \
	jq -e --arg o "$own/memcg-test-$test_name-$$-one-" \
	'[.processes | to_entries[] | .value.from == $o + (.key | tostring)] | all' \
	<<<"$json" >/dev/null
finish
