/* --from SRC: passes over SRC's cgroup.procs, each PID tried once, until a
 * pass finds nothing new (at most MC_FROM_PASSES). */
#include "core/from.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ahead.h"
#include "core/proc.h"
#include "core/step.h"

/* A set of PIDs already tried by --from: open addressing, grows by 2. */
struct pidset {
	pid_t *v;
	size_t cap, n;
};

static bool pidset_add(struct pidset *s, pid_t pid)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		struct pidset ns = {
		    calloc(s->cap ? s->cap * 2 : 1024, sizeof(pid_t)),
		    s->cap ? s->cap * 2 : 1024, 0};
		if (!ns.v)
			return false;
		for (size_t k = 0; k < s->cap; k++)
			if (s->v[k])
				pidset_add(&ns, s->v[k]);
		free(s->v);
		*s = ns;
	}
	for (i = (size_t)pid * 2654435761u % s->cap; s->v[i];
	     i = (i + 1) % s->cap)
		if (s->v[i] == pid)
			return false;
	s->v[i] = pid;
	s->n++;
	return true;
}

static bool pidset_has(const struct pidset *s, pid_t pid)
{
	if (!s->cap)
		return false;
	for (size_t i = (size_t)pid * 2654435761u % s->cap; s->v[i];
	     i = (i + 1) % s->cap)
		if (s->v[i] == pid)
			return true;
	return false;
}

/* cgroup.procs is reopened for every pass: a v1 descriptor that is read
 * again within a second reuses its cached PID list (cgroup_pidlist_start in
 * kernel/cgroup/cgroup-v1.c), which would hide new forks. */
static char *read_procs(struct mc_move *mv, struct mc_error *e)
{
	const struct mc_cgroup *src = &mv->origins[mv->from].cg;
	int fd = mc_cgroup_openat(src, "cgroup.procs", O_RDONLY, e);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = mc_read_fd(fd, "cgroup.procs", NULL, e);
	close(fd);
	return buf;
}

/* Only the root cgroup holds kernel threads, which cannot move: --from
 * leaves them out rather than report a failure for each. */
static bool is_kthread(struct mc_move *mv, pid_t pid)
{
	struct mc_proc_stat st;
	struct mc_error ignored;

	return mv->origins[mv->from].cg.is_root &&
	       mc_proc_read_stat(mv->req.m, pid, &st, &ignored) == 0 &&
	       (st.flags & MC_PF_KTHREAD);
}

/* Whether pid is still in SRC, re-reading SRC once the list in hand is
 * older than MC_FRESH_US. */
static bool still_in_src(struct mc_move *mv, pid_t pid, uint64_t *stamp,
			 struct pidset *now, bool *fresh_list)
{
	struct mc_error ignored;
	char *buf, *p;
	pid_t v;

	if (mc_step_now_us() - *stamp >= MC_FRESH_US &&
	    (buf = read_procs(mv, &ignored))) {
		if (now->cap)
			memset(now->v, 0, now->cap * sizeof(*now->v));
		now->n = 0;
		for (p = buf; (p = mc_next_pid(p, &v));)
			if (v > 0)
				pidset_add(now, v);
		free(buf);
		*stamp = mc_step_now_us();
		*fresh_list = true;
	}
	/* until SRC is read again, the pass's own list is the answer */
	return !*fresh_list || pidset_has(now, pid);
}

/* The list a pass works from: the first one takes what mc_from_empty read
 * (a v1 read of a large cgroup.procs costs as much as many moves), the
 * others read SRC again; *stamp is when the list was read, so that
 * still_in_src reads SRC again before a write once it is MC_FRESH_US old. */
static char *pass_list(struct mc_move *mv, uint64_t *stamp,
		       struct mc_error *e)
{
	char *buf = mv->from_procs;

	if (buf) {
		mv->from_procs = NULL;
		*stamp = mv->from_procs_us;
		return buf;
	}
	*stamp = mc_step_now_us();
	return read_procs(mv, e);
}

/* What a pass carries from one PID to the next. */
struct pass {
	struct pidset now;	/* SRC as last re-read (still_in_src) */
	uint64_t stamp;		/* when the list in hand was read */
	bool fresh_list;	/* now holds a re-read */
	bool halted;		/* the run stopped: the rest is listed */
	struct mc_ahead *ah;	/* the reader ahead, or NULL: inline */
};

/* A reader of /proc ahead of the moves, when it pays: the columns need
 * /proc per process and the list has enough PIDs not tried yet to pay for
 * a thread. NULL: read inline. */
static struct mc_ahead *ahead_start(struct mc_move *mv, char *buf,
				    const struct pidset *seen)
{
	unsigned want = mc_facts_want(mv);
	size_t n = 0;
	pid_t *pids, v;
	char *p;

	if (!want)
		return NULL;
	for (p = buf; (p = mc_next_pid(p, &v));)
		n += v > 0 && !pidset_has(seen, v);
	if (n < MC_AHEAD_MIN || !(pids = malloc(n * sizeof(*pids))))
		return NULL;
	n = 0;
	for (p = buf; (p = mc_next_pid(p, &v));)
		if (v > 0 && !pidset_has(seen, v))
			pids[n++] = v;
	return mc_ahead_start(mv->req.m, want, pids, n, MC_AHEAD_WINDOW);
}

/* The /proc columns of r: from the reader ahead when it has them fresh. */
static void proc_cols(struct mc_move *mv, struct pass *ps,
		      struct mc_move_rec *r)
{
	struct mc_facts f;

	if (ps->ah && mc_ahead_take(ps->ah, r->pid, MC_FRESH_US, &f))
		mc_facts_apply(mv, r, mc_facts_want(mv), &f);
	else
		mc_step_proc_cols(mv, r);
}

/* One PID of a pass: its record, its columns and its move. false = stop
 * the pass. */
static bool pass_pid(struct mc_move *mv, struct pass *ps, struct pidset *seen,
		     pid_t v, bool move, size_t *fresh, struct mc_error *e,
		     struct mc_carry *c)
{
	struct mc_move_rec *r;

	if (v <= 0 || !pidset_add(seen, v))
		return true;
	/* an interrupt or a stop ends the reader too; the rest read inline */
	if (ps->ah && (ps->halted || mc_step_stopped(mv))) {
		mc_ahead_end(ps->ah);
		ps->ah = NULL;
	}
	if (is_kthread(mv, v))
		return true;
	/* gone from SRC since the list was read: not SRC's any more */
	if (move && !still_in_src(mv, v, &ps->stamp, &ps->now,
				  &ps->fresh_list))
		return true;
	(*fresh)++;
	r = mc_rec_new(mv, v, e);
	if (!r)
		return false;
	r->origin = (size_t)mv->from;
	proc_cols(mv, ps, r);
	if (!mc_valid_init_guard(mv, r))
		return true;
	mc_valid_root_note(mv, r);
	if (!move)
		return true;
	/* once the run stops (a signal, --atomic's first failure), the rest
	 * of SRC is listed, not-attempted: the report accounts for every
	 * process of SRC */
	if (ps->halted || mc_step_stopped(mv)) {
		mc_rec_set(r, MC_NOT_ATTEMPTED, 0, "%s",
			   mv->interrupted ? "interrupted" : "run stopped");
		return true;
	}
	ps->halted = !mc_step_move(mv, r, c);
	return true;
}

/* One pass over SRC; *fresh counts PIDs not seen before. false = stop. */
static bool from_pass(struct mc_move *mv, struct pidset *seen, bool move,
		      size_t *fresh, struct mc_error *e, struct mc_carry *c)
{
	struct pass ps = {0};
	char *buf = pass_list(mv, &ps.stamp, e), *p;
	bool ok = true;
	pid_t v;

	*fresh = 0;
	if (!buf)
		return false;
	/* the total for progress: what was done, and this pass's list */
	mv->progress_total = mv->nrecs;
	for (p = buf; (p = mc_next_pid(p, &v));)
		mv->progress_total += v > 0;
	mc_rec_reserve(mv, mv->progress_total);
	if (move)
		ps.ah = ahead_start(mv, buf, seen);
	for (p = buf; ok && (p = mc_next_pid(p, &v));)
		ok = pass_pid(mv, &ps, seen, v, move, fresh, e, c);
	/* on every way out: an --atomic stop, an error, the end */
	mc_ahead_end(ps.ah);
	free(buf);
	free(ps.now.v);
	return ok && !ps.halted && !mc_step_stopped(mv);
}

bool mc_from_move(struct mc_move *mv, struct mc_error *e)
{
	struct pidset seen = {0};
	struct mc_carry c = {0};
	size_t fresh = 1, before;
	bool ok = true;

	for (int pass = 0; ok && fresh && pass < MC_FROM_PASSES; pass++) {
		ok = from_pass(mv, &seen, true, &fresh, e, &c);
		/* SRC removed once it was empty (a release agent, a manager):
		 * nothing new, not a failure */
		if (!ok && pass > 0 && e->code == ENOENT) {
			mc_err_clear(e);
			ok = true;
			fresh = 0;
		}
	}
	if (ok && fresh) {
		/* still forking after the last pass: report, do not chase */
		before = mv->nrecs;
		from_pass(mv, &seen, false, &fresh, e, &c);
		for (size_t i = before; i < mv->nrecs; i++)
			mc_rec_set(&mv->recs[i], MC_NOT_ATTEMPTED, 0,
				   "still appearing in '%s' after %d passes",
				   mv->origins[mv->from].cg.path,
				   MC_FROM_PASSES);
	}
	free(seen.v);
	return ok;
}

bool mc_from_list(struct mc_move *mv, struct mc_error *e)
{
	struct pidset seen = {0};
	struct mc_carry c = {0};
	size_t fresh;
	bool ok = from_pass(mv, &seen, false, &fresh, e, &c);

	free(seen.v);
	return ok;
}

bool mc_from_empty(struct mc_move *mv)
{
	struct mc_error ignored;
	uint64_t t = mc_step_now_us();
	char *buf = read_procs(mv, &ignored), *p;
	bool empty = buf != NULL;
	pid_t v;

	for (p = buf; empty && p && (p = mc_next_pid(p, &v));)
		empty = v <= 0 || is_kthread(mv, v);
	if (empty || !buf) {
		free(buf);
		return empty;
	}
	/* the first pass starts from this list */
	free(mv->from_procs);
	mv->from_procs = buf;
	mv->from_procs_us = t;
	return false;
}
