/* One process's move and its readings, shared by the engine's files
 * (from.c, plan.c, move.c) and private to them: records, origins, usage
 * reads, DEST's room, the write, and the page attribution around it. */
#ifndef MEMCG_STEP_H
#define MEMCG_STEP_H

#include "core/move.h"

void mc_step_notice(struct mc_move *mv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Room for n records in all, when the count is known (a pass of
 * --from): one allocation instead of a doubling per power of two. Out of
 * memory it does nothing: mc_rec_new grows as usual. */
void mc_rec_reserve(struct mc_move *mv, size_t n);
/* A new record for pid (status planned, no origin); NULL on ENOMEM. */
struct mc_move_rec *mc_rec_new(struct mc_move *mv, pid_t pid,
			       struct mc_error *e);
/* Set a record's status, errno and message (fmt may be NULL). */
void mc_rec_set(struct mc_move_rec *r, enum mc_status st, int err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Add to a record's note ("; "-separated); with tell, say it on the
 * notice channel too (each note names its process). */
void mc_rec_note(struct mc_move *mv, struct mc_move_rec *r, bool tell,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Mark every record from index from that is still planned not-attempted. */
void mc_rec_mark_rest(struct mc_move *mv, size_t from);

/* Usage readings carried from one process to the next (same origin): the
 * previous process's "after" is the next one's "before". */
struct mc_carry {
	size_t origin;
	bool valid;
	uint64_t src, dst;
};

/* CLOCK_MONOTONIC in microseconds. */
uint64_t mc_step_now_us(void);

void mc_step_read_before(struct mc_move *mv, struct mc_move_rec *r,
			 struct mc_carry *c);
/* COMM, RSS and the start time of a PID taken from cgroup.procs. */
void mc_step_proc_cols(struct mc_move *mv, struct mc_move_rec *r);
/* Page attribution of pid into res; false when not asked or gone. */
bool mc_step_attribute(struct mc_move *mv, pid_t pid,
		       struct mc_pages_result *res);
/* Bytes of res charged to the cgroup with inode ino, anon or file. */
uint64_t mc_step_bytes_in(const struct mc_pages_result *res, uint64_t ino,
			  bool anon);

/* The tightest limit a charge into DEST meets: DEST's own or an
 * ancestor's, since page counters charge every ancestor (docs §2.4). */
struct mc_room {
	bool known;
	uint64_t room, limit, usage;
	char *where; /* hierarchy path of the binding cgroup */
};
void mc_step_room(struct mc_move *mv, struct mc_room *rm);

/* Where the charge stays in the source (v2, v1 on 6.13+, --charge none),
 * the process still lands in DEST: warn when its RSS is more than DEST's
 * room (mv->room), since DEST's OOM killer will pick it first. */
void mc_step_room_warn(struct mc_move *mv, const struct mc_move_rec *r);
/* Read DEST's room into mv->room when the charge stays behind. */
void mc_step_read_room(struct mc_move *mv);

/* Move one process. Returns false when the run must stop (--atomic). */
bool mc_step_move(struct mc_move *mv, struct mc_move_rec *r,
		  struct mc_carry *c);
/* How old a look at a PID of --from may be when it is written: a PID list
 * older than this is read again before the next write, so a PID that left
 * SRC and was reused meanwhile is not moved (with charge moving a write
 * can take tens of milliseconds, docs §2.2), and facts read ahead that
 * long ago are read again. */
#define MC_FRESH_US 100000

/* The PID still names the process validated earlier: its pidfd, else its
 * start time. Closes the pidfd either way (its work is done). */
bool mc_step_same_process(struct mc_move *mv, struct mc_move_rec *r);
/* A stop signal arrived (it is recorded in mv->interrupted). */
bool mc_step_stopped(struct mc_move *mv);

/* validate.c: PID 1 without --force fails (false); a container's init
 * and a process from the root cgroup get their notes. */
struct mc_proc_ids;
bool mc_valid_init_guard(struct mc_move *mv, struct mc_move_rec *r);
void mc_valid_container_note(struct mc_move *mv, struct mc_move_rec *r,
			     const struct mc_proc_ids *ids);
void mc_valid_root_note(struct mc_move *mv, struct mc_move_rec *r);
/* DEST is the root cgroup: say once what that means for the charge. */
void mc_valid_dest_note(struct mc_move *mv);

#endif
