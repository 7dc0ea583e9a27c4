# ebusy — cgroup v2's "no internal processes" rule: a DEST with a child
# and memory in its cgroup.subtree_control refuses processes with EBUSY
# (kernel-memcg.md §9). The dry run predicts it (DESIGN.md "On cgroup
# v2"), the move reports it: exit 1, the row failed with an error starting
# with EBUSY, and the process stays in A.
. /vmtest/lib.sh
need_v2

A=$(cg_path A)
P=$(cg_path P)
C=$(cg_path P/C)
cg_make "$A" "$P" "$C"
cg_write "$P" cgroup.subtree_control +memory
contains "memory enabled for P's children" "$(cg_dir "$P")/cgroup.subtree_control" '(^| )memory( |$)'
wl_held "$A"

run_memcg d move -J --dry-run "$P" "$WL"
same "dry run: exit status" "$RC" 1
json_flat d "memcg move -J --dry-run"
same "dry run: status" "$(jfield d "$WL" status)" failed
case "$(jfield d "$WL" error)" in
EBUSY*) note "ok: dry run: error: $(jfield d "$WL" error)" ;;
*) fail "dry run: error '$(jfield d "$WL" error)', expected one starting with EBUSY" ;;
esac
same "after the dry run: /proc/PID/cgroup" "$(cat "/proc/$WL/cgroup")" "0::$A"

run_memcg m move -J "$P" "$WL"
same "exit status" "$RC" 1
json_flat m "memcg move -J"
same "status" "$(jfield m "$WL" status)" failed
case "$(jfield m "$WL" error)" in
EBUSY*) note "ok: error: $(jfield m "$WL" error)" ;;
*) fail "error '$(jfield m "$WL" error)', expected one starting with EBUSY" ;;
esac
same "/proc/PID/cgroup" "$(cat "/proc/$WL/cgroup")" "0::$A"
same "processes in P" "$(count_procs "$P")" 0
