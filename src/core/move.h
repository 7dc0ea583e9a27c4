/* The move engine's interface: the request (what the caller asked), the
 * records (one per process) and the run's state. The engine is split by its
 * steps: step.c moves one process and reads around it, from.c does --from's
 * passes, plan.c the dry run and prediction, validate.c a PID's checks
 * before anything moves, move.c the run itself (lock, knob, loop,
 * rollback). It returns records; it does not know how they
 * print. */
#ifndef MEMCG_MOVE_H
#define MEMCG_MOVE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cgroup.h"
#include "core/error.h"
#include "core/knob.h"
#include "core/libcg.h"
#include "core/mounts.h"
#include "core/pages.h"

#define MC_FROM_PASSES 8	/* DESIGN: re-read SRC at most 8 times */

struct mc_rc_rec;	/* --recharge: one process's result (rcstep.h) */
struct mc_rc_hooks;	/* the recharge module's calls (rcstep.h) */

/* What the engine measures per process: the columns shown ask for it. */
enum mc_measure {
	MC_MEASURE_COMM = 1 << 0,	/* command name (/proc/PID/status) */
	MC_MEASURE_RSS = 1 << 1,	/* resident set size (/proc/PID/status) */
	MC_MEASURE_USAGE = 1 << 2,	/* usage before and after each write */
	MC_MEASURE_START = 1 << 3,	/* start time (/proc/PID/stat) */
};

enum mc_status {
	MC_PLANNED,
	MC_MOVED,
	MC_FAILED,
	MC_EXITED,
	MC_SKIPPED,
	MC_ROLLED_BACK,
	MC_NOT_ATTEMPTED,
};
const char *mc_status_name(enum mc_status s);

/* How the source relates to the destination, for the MOVED rule. */
enum mc_rel {
	MC_REL_NONE,
	MC_REL_SRC_ROOT,
	MC_REL_DST_ROOT,
	MC_REL_SRC_ANCESTOR,	/* parent -> child */
	MC_REL_DST_ANCESTOR,	/* child -> parent */
};

/* MOVED from one process's readings (DESIGN, memcg-move(8)): the source's
 * decrease of usage_in_bytes, cross-checked with the destination's increase;
 * noisy when they differ by more than slack. When one side is the root, or
 * an ancestor of the other (whose hierarchical usage does not change), the
 * other side is used and the ancestor's change is the cross-check. */
int64_t mc_moved_rule(enum mc_rel rel, uint64_t src_before, uint64_t src_after,
		      uint64_t dst_before, uint64_t dst_after, uint64_t slack,
		      bool *noisy);

/* Bytes the kernel would move for a process whose pages are res, from the
 * cgroup with inode from, under knob value mode (docs §2.1, §2.3): only
 * pages charged to from; anon with value 1, file and shmem with value 2. */
uint64_t mc_move_predict(const struct mc_pages_result *res, uint64_t from,
			 int mode);

struct mc_origin {
	struct mc_cgroup cg;
	int usage_fd;		/* memory.usage_in_bytes, opened once */
	int procs_fd;		/* cgroup.procs, for rollback */
	struct mc_knob_guard knob;
	bool knob_set;
	bool locked;
	enum mc_rel rel;
};

struct mc_move_rec {
	pid_t pid;
	unsigned long long starttime;	/* 0: unknown */
	bool validated;			/* a command-line PID: checked again
					 * right before the write, by pidfd
					 * or by start time */
	int pidfd;			/* pins it from its check to its
					 * write, or -1 */
	char comm[64];
	size_t origin;			/* index into origins */
	enum mc_status status;
	int err;			/* errno of a failure */
	char *msg;			/* why it failed, was skipped, exited */
	char *note;			/* what else to know of it (a thread
					 * given, a container's init, the
					 * root cgroup), "; "-separated */
	bool have_before, have_after, have_moved, have_rss, have_time;
	uint64_t src_before, src_after, dst_before, dst_after;
	int64_t moved;
	bool noisy;
	uint64_t rss;
	uint64_t time_us;
	/* --exact: this process's pages, attributed before and after */
	bool have_exact;
	int64_t anon_moved, file_moved;	/* now charged to DEST, not before */
	uint64_t left;			/* still charged to the source */
	bool have_unseen;
	uint64_t unseen;		/* swapped: no /proc file attributes it */
	/* --also: the hierarchies it went into; a failure there leaves the
	 * status moved and names itself in err and msg */
	char *also;
	bool also_failed;
	/* --dry-run: what the kernel would move under the mode */
	bool have_predicted;
	uint64_t predicted;
	/* --recharge: the recharge of its pages, once it ran (rcstep.h) */
	struct mc_rc_rec *rc;
};

/* What the caller asks for. The engine copies it and never changes it. */
struct mc_move_req {
	const struct mc_mounts *m;
	const struct mc_hier *h;
	const struct mc_ctl_ops *ops;		/* NULL: the kernel's files */
	const volatile sig_atomic_t *stop;	/* signal number or 0 */
	void (*notice)(const char *msg);
	/* per process: done of total as known so far (--from learns the
	 * total pass by pass) */
	void (*progress)(size_t done, size_t total);
	enum mc_charge_mode mode;
	bool keep_setting, require_charge, atomic, dry_run;
	bool exact;				/* --exact */
	bool predict;				/* dry run: PREDICTED */
	int wait;				/* seconds for DEST's lock */
	unsigned measure;			/* enum mc_measure bits */
	bool charge_given;			/* --charge on the command line */
	bool force;				/* --force: PID 1 may move */
	const char *also;			/* --also LIST, or NULL */
	unsigned recharge;			/* --recharge: MC_RECHARGE_*
						 * bits, 0 without it */
	uint64_t rate;				/* --rate in bytes/s, 0: none */
	const struct mc_rc_hooks *rc_hooks;	/* NULL: the module */
};

/* The run's state. Every descriptor is -1 until it is opened, so
 * mc_move_free is safe after any failure once mc_move_init has run. */
struct mc_pidfacts;

struct mc_move {
	struct mc_move_req req;
	const struct mc_ctl_ops *ops;
	struct mc_kernel kernel;
	struct mc_cgroup dst;
	int dst_procs_fd, dst_usage_fd;
	struct mc_knob_guard knob;
	bool dst_locked;
	int charge;			/* knob value in effect, -1 unknown */
	bool refused;			/* the kernel will not move charge */
	bool refusal_inferred;		/* from the version (dry run) */
	char refused_why[256];
	bool require_failed;		/* --require-charge and refused: exit 3 */
	bool nothing;			/* --from: SRC had no process, so
					 * nothing was locked or written */
	int dst_denied;			/* EACCES: this user may not write
					 * DEST's cgroup.procs */
	char denied_why[700];
	bool tids;			/* a TID was given: look for its
					 * process among the records */
	/* while command-line PIDs are checked (mc_move_add_pids): what was
	 * read of them ahead, so that their pidfds can be given up */
	struct mc_pidfacts *facts;
	size_t nfacts;
	bool facts_start;		/* the start time is wanted */
	bool root_noted;		/* the root-cgroup note was given */
	ssize_t from;			/* origin of --from, or -1 */
	char *from_procs;		/* SRC's cgroup.procs as the check for
					 * an empty SRC read it: the first
					 * pass's list, not read twice */
	uint64_t from_procs_us;		/* when it was read */
	size_t progress_total;		/* processes to try, as known */
	bool rc_ran;			/* --recharge: its phase was reached */
	int interrupted;		/* signal that stopped the run */
	uint64_t slack;			/* bytes: 64 pages per CPU */

	struct mc_also *also;		/* --also: the other hierarchies */
	struct mc_pages *pages;		/* attribution, when asked */
	bool predicting;		/* req.predict, and pages could open */
	struct mc_pages_result before, after;
	bool have_room;			/* DEST's room, when it matters */
	uint64_t room;

	struct mc_origin *origins;
	size_t norigins;
	struct mc_move_rec *recs;
	size_t nrecs, caprecs;
};

/* Take the request; every descriptor -1. Cannot fail. */
void mc_move_init(struct mc_move *mv, const struct mc_move_req *req);
/* Open DEST (and prepare its descriptors). */
int mc_move_open(struct mc_move *mv, const char *dest, struct mc_error *e);
/* --from SRC. */
int mc_move_set_from(struct mc_move *mv, const char *src, struct mc_error *e);
/* Validate a PID from the command line and add its record (planned,
 * skipped, or failed with the reason). A TID stands for its process: the
 * record is the process's (one record for several of its TIDs), and its
 * note names the TIDs. PID 1 fails without req.force. -1 only on a fatal
 * error. */
int mc_move_add_pid(struct mc_move *mv, pid_t pid, struct mc_error *e);
/* mc_move_add_pid of each of pids[0..n), in order; their /proc files are
 * read first, on two threads when there are many (prefetch.h). */
int mc_move_add_pids(struct mc_move *mv, const pid_t *pids, size_t n,
		     struct mc_error *e);
/* Give up the pidfds that pin checked processes (their start times pin
 * them from then on) and those read ahead: for descriptors that ran out.
 * False when there were none. */
bool mc_move_shed_pidfds(struct mc_move *mv);
/* The same for --back: the process must still be in expect (a hierarchy
 * path), or it is skipped with the reason; with start (its start time in
 * clock ticks, 0 unknown) a PID that now names another process is
 * exited. */
int mc_move_add_pid_at(struct mc_move *mv, pid_t pid, const char *expect,
		       unsigned long long start, struct mc_error *e);
/* DEST could not be opened (--back: an origin gone): name it, so the rows
 * say where they were to go, and fail every planned record with e. */
void mc_move_fail_planned(struct mc_move *mv, const char *dest,
			  const struct mc_error *e);
/* Lock, set the knob, move, roll back, restore. -1 when the run could not
 * start (nothing moved) or a restore failed. */
int mc_move_run(struct mc_move *mv, struct mc_error *e);
void mc_move_free(struct mc_move *mv);

/* Add an origin cgroup that is already open (tests) or find one by path. */
ssize_t mc_move_origin(struct mc_move *mv, const char *hpath,
		       struct mc_error *e);

#endif
