# pid1 — the guard on PID 1 (the init system), tested where moving it is
# harmless: this guest's PID 1 is its own /init. Without --force, `memcg
# move DEST 1` (and its dry run) fails for PID 1 with EPERM and the reason,
# writes nothing, and PID 1 stays where it was; with --force it moves (and
# is put back at once).
. /vmtest/lib.sh

B=$(cg_path B)
cg_make "$B"
home=$(cg_of 1)

run_memcg p1 move -J "$B" 1
same "exit status without --force" "$RC" 1
json_flat p1 "memcg move -J"
same "status" "$(jfield p1 1 status)" failed
contains "the error names EPERM and --force" /tmp/p1.out 'EPERM.*--force'
same "PID 1 did not move" "$(cg_of 1)" "$home"
same "nothing in B" "$(count_procs "$B")" 0

run_memcg p1d move -J --dry-run "$B" 1
same "dry run: exit status" "$RC" 1
json_flat p1d "memcg move -J --dry-run"
same "dry run: status" "$(jfield p1d 1 status)" failed
same "dry run: PID 1 did not move" "$(cg_of 1)" "$home"

run_memcg p1f move -J --force --charge none "$B" 1
moved_to=$(cg_of 1)
# put PID 1 back before any check can end the script
echo 1 >"$(cg_dir "$home")/cgroup.procs"
same "with --force: exit status" "$RC" 0
same "with --force: PID 1 was in B" "$moved_to" "$B"
same "PID 1 is back" "$(cg_of 1)" "$home"
