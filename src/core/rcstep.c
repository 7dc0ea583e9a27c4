/* Recharge in the move run (--recharge MODE): once the moves are done, each
 * process in DEST gets the recharge module's run (or its prediction in a
 * dry run), with its origin as the source; the result hangs on its record.
 * DESIGN, Decisions: "Recharge, precisely"; Settlements: "Recharge modes". */
#include "core/rcstep.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pages.h"
#include "core/proc.h"
#include "core/step.h"

static uint64_t source_of_skipped(const struct mc_move *mv, pid_t task,
				  unsigned mode);

static const struct mc_rc_hooks module = {
	mc_recharge_probe, mc_recharge_huge_size, mc_recharge_swap_on,
	mc_recharge, source_of_skipped,
};

struct rc_run {
	struct mc_move *mv;
	const struct mc_rc_hooks *h;
	struct mc_recharge_req base;	/* what every process shares */
	bool setup_failed;
	struct mc_error why;		/* of the failed setup */
};

static const struct mc_rc_hooks *hooks(const struct mc_move *mv)
{
	return mv->req.rc_hooks ? mv->req.rc_hooks : &module;
}

int mc_rcstep_require(struct mc_move *mv, struct mc_error *e)
{
	struct mc_error pe;

	if (hooks(mv)->probe(mv->req.m, &pe) == 0)
		return 0;
	mv->require_failed = true;
	return mc_errx(e, pe.code, "cannot recharge: %s", pe.msg);
}

static bool in_dest(const struct mc_move *mv, const struct mc_move_rec *r)
{
	const struct mc_cgroup *o;

	if (r->origin >= mv->norigins)
		return false;
	switch (r->status) {
	case MC_MOVED:
		return !mv->req.dry_run;
	case MC_PLANNED:
		return mv->req.dry_run;
	case MC_SKIPPED:
		/* --back skips a process that is elsewhere too */
		o = &mv->origins[r->origin].cg;
		return o->ino == mv->dst.ino && o->dev == mv->dst.dev;
	default:
		return false;
	}
}

/* --atomic: recharge after every move succeeded; what recharge leaves
 * never triggers a rollback (DESIGN, Settlements: Recharge modes). */
static bool all_moved(const struct mc_move *mv)
{
	for (size_t i = 0; i < mv->nrecs; i++)
		switch (mv->recs[i].status) {
		case MC_FAILED:
		case MC_ROLLED_BACK:
		case MC_NOT_ATTEMPTED:
			return false;
		default:
			break;
		}
	return true;
}

/* What the module needs once a run: root and the interfaces (probe), the
 * huge page size, whether swap is on. */
static int setup(struct rc_run *run)
{
	struct mc_move *mv = run->mv;
	struct mc_recharge_req *b = &run->base;

	b->m = mv->req.m;
	b->dst = &mv->dst;
	b->mode = mv->req.recharge;
	b->dry_run = mv->req.dry_run;
	b->rate = mv->req.rate;
	/* the module only reads the flag */
	b->stop = (volatile sig_atomic_t *)mv->req.stop;
	if (run->h->probe(mv->req.m, &run->why) < 0 ||
	    run->h->huge_size(mv->req.m, &b->huge_size, &run->why) < 0 ||
	    run->h->swap_on(mv->req.m, &b->swap, &run->why) < 0) {
		run->setup_failed = true;
		mc_step_notice(mv, "cannot recharge: %s", run->why.msg);
		return -1;
	}
	return 0;
}

/* The source of a process already in DEST (its origin is DEST): the other
 * cgroup holding most of its pages of the kinds asked, by kpagecgroup.
 * 0 when none holds any. A rerun's case, rare: the context is its own. */
static uint64_t source_of_skipped(const struct mc_move *mv, pid_t task,
				  unsigned mode)
{
	struct mc_pages_result pr = { 0 };
	struct mc_pages *pages;
	uint64_t best = 0, ino = 0;
	struct mc_error e;

	if (mc_pages_open(&pages, mv->req.m, 0, &e) < 0)
		return 0;
	if (mc_pages_attribute(pages, task, &pr, &e) < 0)
		pr.n = 0;
	for (size_t i = 0; i < pr.n; i++) {
		const struct mc_pages_cgroup *c = &pr.v[i];
		uint64_t b = ((mode & MC_RECHARGE_ANON) ? c->anon : 0) +
			     ((mode & MC_RECHARGE_FILE) ? c->file : 0);

		if (c->ino != mv->dst.ino && b > best) {
			best = b;
			ino = c->ino;
		}
	}
	mc_pages_result_free(&pr);
	mc_pages_close(pages);
	return ino;
}

/* A live thread of a process whose leader exited (a zombie with threads):
 * its /proc files and pidfd reach the memory (DESIGN, Settlements). 0
 * when the leader lives. */
static pid_t live_thread(const struct mc_move *mv, pid_t pid)
{
	struct mc_proc_stat st;
	struct mc_error ignored;
	char rel[64], dir[PATH_MAX];
	struct dirent *de;
	pid_t tid = 0;
	DIR *d;

	if (mc_proc_read_stat(mv->req.m, pid, &st, &ignored) < 0 ||
	    st.state != 'Z' || st.threads <= 1)
		return 0;
	snprintf(rel, sizeof(rel), "/proc/%d/task", (int)pid);
	mc_sysroot_path(mv->req.m, dir, sizeof(dir), rel);
	if (!(d = opendir(dir)))
		return 0;
	while (!tid && (de = readdir(d))) {
		pid_t t;

		if (mc_parse_pid(de->d_name, &t) < 0 || t == pid)
			continue;
		if (mc_proc_read_stat(mv->req.m, t, &st, &ignored) == 0 &&
		    st.state != 'Z')
			tid = t;
	}
	closedir(d);
	return tid;
}

/* The kinds a dry run predicts: where the kernel would move a kind with
 * the process (v1 up to 6.12, its knob value), recharge finds none of it
 * left in the source, so only the others are predicted. */
static unsigned predicted_kinds(const struct mc_move *mv, unsigned mode)
{
	if (!mv->req.dry_run || mv->refused || mv->charge <= 0 ||
	    mv->req.h->type == MC_V2)
		return mode;
	return mode & ~(unsigned)mv->charge;
}

static void one(struct rc_run *run, struct mc_move_rec *r)
{
	struct mc_move *mv = run->mv;
	struct mc_recharge_req req = run->base;
	struct mc_rc_rec *rc = calloc(1, sizeof(*rc));
	struct mc_error e = { 0 };
	bool rc_failed;
	uint64_t t0;

	if (!(r->rc = rc))
		return;
	if (run->setup_failed) {
		rc->err = run->why.code ? run->why.code : EINVAL;
		snprintf(rc->msg, sizeof(rc->msg), "%s", run->why.msg);
		return;
	}
	req.pid = r->pid;
	req.tid = rc->tid = live_thread(mv, r->pid);
	req.mode = predicted_kinds(mv, req.mode);
	if (r->status == MC_SKIPPED)
		rc->src_ino = run->h->source(mv, rc->tid ? rc->tid : r->pid,
					     req.mode);
	else
		rc->src_ino = mv->origins[r->origin].cg.ino;
	req.src_ino = rc->src_ino;
	/* nothing charged elsewhere, or nothing the kernel would leave */
	if (!req.mode || !req.src_ino)
		return;
	t0 = mc_step_now_us();
	rc_failed = run->h->recharge(&req, &rc->res, &e) < 0;
	rc->time_us = mc_step_now_us() - t0;
	rc->have_time = !mv->req.dry_run;
	if (rc_failed) {
		rc->err = e.code ? e.code : EIO;
		snprintf(rc->msg, sizeof(rc->msg), "%s", e.msg);
		mc_step_notice(mv, "cannot recharge %d: %s", (int)r->pid,
			       e.msg);
	}
}

void mc_rcstep_run(struct mc_move *mv)
{
	struct rc_run run = { .mv = mv, .h = hooks(mv) };
	bool ready = false;

	if (!mv->req.recharge || (mv->req.atomic && !all_moved(mv)))
		return;
	mv->rc_ran = true;
	for (size_t i = 0; i < mv->nrecs; i++) {
		/* a signal: the process at hand stopped between ranges; the
		 * others are not started */
		if (mc_step_stopped(mv))
			break;
		if (!in_dest(mv, &mv->recs[i]) || mv->recs[i].rc)
			continue;
		if (!ready)
			setup(&run);
		ready = true;
		one(&run, &mv->recs[i]);
	}
	/* a signal during the last one counts too (exit 128 + signal) */
	mc_step_stopped(mv);
}

bool mc_rcstep_left_acted(const struct mc_move_rec *r)
{
	const struct mc_rc_rec *rc = r->rc;

	return rc && (rc->err || rc->res.left_by[MC_LEFT_LIMIT] ||
		      rc->res.left_by[MC_LEFT_KERNEL]);
}

int mc_rcstep_exit(const struct mc_move *mv, int status)
{
	/* 64 is "partial" of memcg(8)'s exit statuses */
	if (status != 0)
		return status;
	for (size_t i = 0; i < mv->nrecs; i++)
		if (mc_rcstep_left_acted(&mv->recs[i]))
			return 64;
	return 0;
}

bool mc_rcstep_total(const struct mc_move *mv, uint64_t *sum)
{
	bool tried = false, measured = false;

	*sum = 0;
	for (size_t i = 0; i < mv->nrecs; i++) {
		const struct mc_rc_rec *rc = mv->recs[i].rc;

		tried |= rc != NULL;
		if (rc && !rc->err) {
			*sum += rc->res.recharged;
			measured = true;
		}
	}
	/* nothing to recharge is 0; a recharge that never ran (the run
	 * stopped before it, --atomic rolled back) is unknown */
	return mv->req.recharge && mv->rc_ran && (measured || !tried);
}

void mc_rcstep_free(struct mc_move *mv)
{
	for (size_t i = 0; i < mv->nrecs; i++) {
		free(mv->recs[i].rc);
		mv->recs[i].rc = NULL;
	}
}
