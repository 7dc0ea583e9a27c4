/* Reading /proc ahead of the moves (private to the engine). For --from,
 * each process's /proc/PID/status read costs about twice its write to
 * cgroup.procs, and the two are independent kernel work: a second thread
 * reads the facts of a pass's PIDs, in the pass's order and a bounded
 * window ahead, while the mover writes. The facts of a PID are still read
 * before its write: when the reader is behind, the mover waits, or reads
 * them itself. */
#ifndef MEMCG_AHEAD_H
#define MEMCG_AHEAD_H

#include "core/move.h"
#include "core/proc.h"

/* What the columns of one process need from /proc: status (COMM, RSS, the
 * container note) and, for START and --atomic's rollback, stat's start
 * time. */
struct mc_facts {
	pid_t pid;
	bool have_stat;			/* stat read (when asked) */
	bool have_status;		/* status read: false when gone */
	unsigned long long starttime;
	struct mc_proc_status st;
	uint64_t read_us;		/* when they were read (monotonic) */
};

/* The MC_MEASURE_* bits of /proc facts the run needs; 0: none. */
unsigned mc_facts_want(const struct mc_move *mv);
/* Read them for pid; touches nothing but f, so any thread may call it. */
void mc_facts_read(const struct mc_mounts *m, pid_t pid, unsigned want,
		   struct mc_facts *f);
/* Fill r's columns from f, as mc_step_proc_cols does (the mover's thread:
 * it may give a notice). */
void mc_facts_apply(struct mc_move *mv, struct mc_move_rec *r, unsigned want,
		    const struct mc_facts *f);

/* Below this many PIDs a thread costs more than it saves. */
#define MC_AHEAD_MIN 64
/* How far ahead the reader goes: enough to ride out a slow read or write
 * on either side (a reader that finds its window full idles), above all
 * the first write of a run, which waits 5-25 ms here for the kernel
 * (cgroup_threadgroup_rwsem's first writer waits for an RCU grace
 * period): about 15 ms of reading; little enough that the facts are fresh
 * when used (MC_FRESH_US), and 2048 slots of 120 bytes. */
#define MC_AHEAD_WINDOW 2048

struct mc_ahead;

/* Start a reader over pids[0..n) (which it owns from here: freed by
 * mc_ahead_end, or at once when it returns NULL) with a window of that
 * many slots. NULL when no thread could start: read inline. */
struct mc_ahead *mc_ahead_start(const struct mc_mounts *m, unsigned want,
				pid_t *pids, size_t n, size_t window);
/* The facts of pid, the next of the list that the mover wants: PIDs before
 * it that the mover skipped are let go. While the reader is behind, the
 * caller reads the next PIDs of the window itself rather than sit idle.
 * False when pid is not ahead (the reader stopped or the list ended) or its
 * facts are max_age_us old or more: read inline. */
bool mc_ahead_take(struct mc_ahead *a, pid_t pid, uint64_t max_age_us,
		   struct mc_facts *f);
/* Stop the reader at its next PID (an interrupt, the end of a pass);
 * what it has read can still be taken. */
void mc_ahead_quit(struct mc_ahead *a);
/* Stop the reader, join it and free everything; NULL is fine. */
void mc_ahead_end(struct mc_ahead *a);

#endif
