/* Recharge in the move run (--recharge MODE): after the moves, each process
 * that is in DEST (moved, or skipped because it was there already) has its
 * pages still charged to its source brought over by the recharge module
 * (recharge.h). The engine's files call the few entry points below; the
 * command reads the per-process result from the record. */
#ifndef MEMCG_RCSTEP_H
#define MEMCG_RCSTEP_H

#include "core/move.h"
#include "core/recharge.h"

/* The module's entry points, replaceable for tests (NULL: the module). */
struct mc_rc_hooks {
	int (*probe)(const struct mc_mounts *m, struct mc_error *e);
	int (*huge_size)(const struct mc_mounts *m, uint64_t *size,
			 struct mc_error *e);
	int (*swap_on)(const struct mc_mounts *m, bool *on, struct mc_error *e);
	int (*recharge)(const struct mc_recharge_req *req,
			struct mc_recharge_res *res, struct mc_error *e);
	/* the source of a process already in DEST: the inode of the other
	 * cgroup holding most of its pages of the kinds in mode, 0: none */
	uint64_t (*source)(const struct mc_move *mv, pid_t task,
			   unsigned mode);
};

/* One process's recharge, hung on its record (r->rc). */
struct mc_rc_rec {
	struct mc_recharge_res res;
	uint64_t src_ino;	/* the cgroup its pages came from */
	pid_t tid;		/* the live thread used, its leader gone */
	uint64_t time_us;	/* its recharge, walks before and after in */
	bool have_time;
	int err;		/* the module could not run: errno */
	char msg[300];		/* and why */
};

/* --require-charge with --recharge: satisfied when recharge can work here
 * (mc_recharge_probe); otherwise the run stops before anything moves
 * (require_failed, exit 3). 0 or -1 with e set. */
int mc_rcstep_require(struct mc_move *mv, struct mc_error *e);

/* Recharge every process in DEST, or in a dry run predict it. Nothing
 * under --atomic unless every move succeeded; nothing once a stop signal
 * came (the process at hand stops between ranges). */
void mc_rcstep_run(struct mc_move *mv);

/* Bytes of the record left for a reason memcg could have acted on (DEST's
 * limit, a kernel refusal), or a recharge that could not run. */
bool mc_rcstep_left_acted(const struct mc_move_rec *r);

/* The exit status with recharge's rule (DESIGN, Settlements: Exit
 * statuses): the move's status stands, but 0 becomes 64 when some record
 * has bytes left for limit or kernel. Recharge never makes it 1. */
int mc_rcstep_exit(const struct mc_move *mv, int status);

/* The sum of RECHARGED over the records; false when nothing recharged
 * (no --recharge, or no record got that far). */
bool mc_rcstep_total(const struct mc_move *mv, uint64_t *sum);

void mc_rcstep_free(struct mc_move *mv);

#endif
