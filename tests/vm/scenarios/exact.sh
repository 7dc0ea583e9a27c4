# exact — --exact and the dry run's prediction against the kernel: a
# process with 32 MiB of anonymous memory and an 8 MiB mapped tmpfs file is
# predicted, then moved with --charge all --exact; ANON-MOVED matches the
# kernel's change in rss, FILE-MOVED its change in shmem, PREDICTED the
# total, and LEFT is what stayed in the source. Then a DEST limit too small
# for the precharge is predicted as ENOMEM.
. /vmtest/lib.sh

A=$(cg_path A)
B=$(cg_path B)
cg_make "$A" "$B"
scratch_file /tmp/exact.map
wl_start "$A" --anon 32 --map /tmp/exact.map:8
settle
snap A0 "$A"
snap B0 "$B"

move_json p --dry-run --charge all "$B" "$WL"
same "dry run exit status" "$RC" 0
same "dry run status" "$(jfield p "$WL" status)" planned
predicted=$(jnum p "$WL" predicted)
near "PREDICTED vs 40 MiB" "$predicted" $((40 * MIB))
same "the dry run moved nothing" "$(cg_of "$WL")" "$A"

move_json m --exact --charge all "$B" "$WL"
settle
snap A1 "$A"
snap B1 "$B"
same "exit status" "$RC" 0
same "status" "$(jfield m "$WL" status)" moved
anon=$(jnum m "$WL" anon-moved)
file=$(jnum m "$WL" file-moved)
left=$(jnum m "$WL" left)
near "ANON-MOVED vs B's rss increase" "$anon" $((B1_rss - B0_rss))
near "ANON-MOVED vs A's rss decrease" "$anon" $((A0_rss - A1_rss))
near "FILE-MOVED vs B's shmem increase" "$file" $((B1_shmem - B0_shmem))
near "LEFT vs what A still holds of it" "$left" $((A1_rss + A1_shmem))
near "PREDICTED vs what moved" "$predicted" $((anon + file))

# a limit below the precharge: predicted ENOMEM, with the numbers
C=$(cg_path C)
cg_make "$C"
cg_write "$C" memory.limit_in_bytes $((16 * MIB))
wl_start "$A" --anon 24
move_json q --dry-run --charge anon "$C" "$WL"
same "predicted failure exit status" "$RC" 1
same "predicted failure status" "$(jfield q "$WL" status)" failed
contains "the error names ENOMEM and the room" /tmp/q.out \
	'"error": "ENOMEM: predicted: the destination has room for [0-9.]+[KM]'
same "still in A" "$(cg_of "$WL")" "$A"
