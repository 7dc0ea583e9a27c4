# exec — on v2 `memcg exec DEST COMMAND` runs COMMAND in DEST from its first
# page: /proc/self/cgroup reads 0::DEST, the memory it touches is charged to
# DEST (here the workload's 64 MiB of anon), and its exit status is memcg's.
. /vmtest/lib.sh
need_v2

E=$(cg_path E)
cg_make "$E"

run_memcg ex exec "$E" -- sh -c 'cat /proc/self/cgroup; exit 7'
same "exit status is the command's" "$RC" 7
same "the command saw its cgroup" "$(cat /tmp/ex.out)" "0::$E"

memcg exec "$E" memcg-workload --anon 64 >/tmp/exwl.out 2>&1 &
WL=$!
WL_PIDS="$WL_PIDS $WL"
WL_OUTS="$WL_OUTS $WL:/tmp/exwl.out"
wl_wait
same "the workload runs in E" "$(cat "/proc/$WL/cgroup")" "0::$E"
atleast "E's memory.current" "$(usage "$E")" $((64 * MIB))
wl_stop "$WL"
