/* The move run: open DEST, take the locks, set the knob, move every process
 * (step.c, from.c), roll back under --atomic, restore the knob and release
 * the locks on every path. A dry run goes to plan.c instead. */
#include "core/move.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dest.h"
#include "core/from.h"
#include "core/lock.h"
#include "core/plan.h"
#include "core/proc.h"
#include "core/rcstep.h"
#include "core/step.h"

/* --exact needs page attribution (root); a dry run predicts with it when it
 * can and says why not when it cannot. */
static int open_pages(struct mc_move *mv, struct mc_error *e)
{
	struct mc_error pe;

	if (!mv->req.exact && !mv->predicting)
		return 0;
	if (mc_pages_open(&mv->pages, mv->req.m, 0, &pe) == 0)
		return 0;
	if (mv->req.exact) {
		*e = pe;
		return mc_err_wrap(e, "--exact");
	}
	mc_step_notice(mv, "no prediction: %s", pe.msg);
	mv->predicting = false;
	return 0;
}

void mc_move_init(struct mc_move *mv, const struct mc_move_req *req)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(mv, 0, sizeof(*mv));
	mv->req = *req;
	mv->ops = req->ops ? req->ops : &mc_real_ops;
	mv->dst.dfd = mv->dst_procs_fd = mv->dst_usage_fd = -1;
	mv->from = -1;
	mv->charge = -1;
	mv->predicting = req->predict && req->dry_run;
	if (cpus < 1)
		cpus = 1;
	/* up to MEMCG_CHARGE_BATCH (64) pages of per-CPU stock (docs §2.4) */
	mv->slack = 64ULL * (uint64_t)cpus * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* --also: checked before anything moves (a bad list is a usage error). */
static int open_also(struct mc_move *mv, struct mc_error *e)
{
	if (!mv->req.also)
		return 0;
	if (mv->req.h->type == MC_V2)
		return mc_errx(e, EINVAL,
			       "--also moves processes in other cgroup v1 "
			       "hierarchies; on cgroup v2 every controller "
			       "is in the one hierarchy already");
	return mc_also_open(&mv->also, mv->req.also, mv->dst.path, e);
}

int mc_move_open(struct mc_move *mv, const char *dest, struct mc_error *e)
{
	char msg[900];

	if (mc_kernel_read(&mv->kernel, mv->req.m->sysroot, e) < 0)
		return -1;
	if (mc_cgroup_open(&mv->dst, mv->req.m, mv->req.h, dest,
			   mv->req.dry_run ? 0 : MC_CG_WRITE, e) < 0)
		return -1;
	if (!mv->req.dry_run) {
		mv->dst_procs_fd =
		    mc_cgroup_openat(&mv->dst, "cgroup.procs", O_WRONLY, e);
		/* a user who may not write it: every process fails, as
		 * the dry run predicts, and nothing is locked or set */
		if (mv->dst_procs_fd < 0 && e->code == EACCES)
			mc_plan_note_denied(mv);
		else if (mv->dst_procs_fd < 0)
			return -1;
	}
	if (open_also(mv, e) < 0)
		return -1;
	if (mc_dest_unit_warning(mv->req.m, &mv->dst, msg, sizeof(msg)))
		mc_step_notice(mv, "%s", msg);
	mc_valid_dest_note(mv);
	if ((mv->req.measure & MC_MEASURE_USAGE)) {
		mv->dst_usage_fd = mc_cgroup_openat(
		    &mv->dst, mc_memfiles(mv->req.h->type)->usage, O_RDONLY, e);
		/* the root of a v2 hierarchy has no memory.current: the
		 * readings are unknown, the move goes on */
		if (mv->dst_usage_fd < 0 &&
		    !(e->code == ENOENT && mv->dst.is_root))
			return -1;
	}
	return open_pages(mv, e);
}

int mc_move_set_from(struct mc_move *mv, const char *src, struct mc_error *e)
{
	struct mc_cgroup tmp;
	ssize_t i;

	/* resolve the user's name first: the origin table keys on paths */
	if (mc_cgroup_open(&tmp, mv->req.m, mv->req.h, src, 0, e) < 0)
		return -1;
	if (tmp.ino == mv->dst.ino && tmp.dev == mv->dst.dev) {
		mc_cgroup_close(&tmp);
		return mc_errx(e, EINVAL,
			       "source and destination are the same cgroup "
			       "'%s'",
			       mv->dst.path);
	}
	i = mc_move_origin(mv, tmp.path, e);
	mc_cgroup_close(&tmp);
	if (i < 0)
		return -1;
	mv->from = i;
	return 0;
}

static int cmp_origin_ino(const void *a, const void *b)
{
	const struct mc_cgroup *x = *(const struct mc_cgroup *const *)a;
	const struct mc_cgroup *y = *(const struct mc_cgroup *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* --atomic locks DEST and every origin up front, in inode order, so two
 * runs moving in opposite directions cannot deadlock. */
static int lock_all(struct mc_move *mv, struct mc_error *e)
{
	size_t n = 1 + (mv->req.atomic ? mv->norigins : 0), k = 0;
	const struct mc_cgroup **v = calloc(n, sizeof(*v));
	struct mc_lock_wait w = {mv->req.wait, mv->req.stop, mv->req.notice};
	int rc = 0;

	if (!v)
		return mc_err(e, ENOMEM, "cannot allocate");
	v[k++] = &mv->dst;
	for (size_t i = 0; mv->req.atomic && i < mv->norigins; i++)
		if (mv->origins[i].cg.ino != mv->dst.ino ||
		    mv->origins[i].cg.dev != mv->dst.dev)
			v[k++] = &mv->origins[i].cg;
	qsort(v, k, sizeof(*v), cmp_origin_ino);
	for (size_t i = 0; i < k && rc == 0; i++) {
		rc = mc_lock(v[i], &w, e);
		if (rc == 0 && v[i] == &mv->dst)
			mv->dst_locked = true;
		for (size_t j = 0; rc == 0 && j < mv->norigins; j++)
			if (v[i] == &mv->origins[j].cg)
				mv->origins[j].locked = true;
	}
	free(v);
	if (rc < 0 && e->code == EINTR)
		mv->interrupted = *mv->req.stop;
	return rc;
}

static void unlock_all(struct mc_move *mv)
{
	if (mv->dst_locked)
		mc_unlock(&mv->dst);
	mv->dst_locked = false;
	for (size_t i = 0; i < mv->norigins; i++)
		if (mv->origins[i].locked) {
			mc_unlock(&mv->origins[i].cg);
			mv->origins[i].locked = false;
		}
}

/* Step 3 of DESIGN's move: set DEST's knob, or learn that the kernel
 * refuses. -1 only when the run must stop. */
static int set_charge(struct mc_move *mv, struct mc_error *e)
{
	struct mc_error ke;

	/* v2 has no knob: nothing to set, nothing to restore (docs §8) */
	if (mv->req.h->type == MC_V2) {
		mc_plan_refuse(mv, MC_CAP_NO_V2, false);
		if (mc_plan_require(mv, e) < 0)
			return -1;
		mc_plan_warn_v2(mv);
		return 0;
	}
	if (mv->req.mode == MC_CHARGE_KEEP) {
		if (mv->ops->knob_read(&mv->dst, &mv->charge, e) < 0)
			return -1;
	} else if (mc_knob_set(&mv->knob, &mv->dst, mv->req.mode, mv->ops,
			       &ke) < 0) {
		/* 6.13+ accepts only 0 (aa6b4fdf5940, docs §1) */
		if (ke.code != EINVAL) {
			*e = ke;
			return -1;
		}
		mc_plan_refuse(mv, MC_CAP_NO_REMOVED, false);
	} else {
		mv->charge = mv->req.mode;
	}
	if (mc_plan_require(mv, e) < 0)
		return -1;
	if (mv->refused)
		mc_step_notice(mv, "charge will not move: %s%s",
			       mv->refused_why, mc_plan_recharge_hint(mv));
	return 0;
}

static bool move_listed(struct mc_move *mv)
{
	struct mc_carry c = {0};

	for (size_t i = 0; i < mv->nrecs; i++) {
		if (mv->recs[i].status != MC_PLANNED)
			continue;
		if (mc_step_stopped(mv) ||
		    !mc_step_move(mv, &mv->recs[i], &c)) {
			mc_rec_mark_rest(mv, i);
			return false;
		}
	}
	return true;
}

/* Before a rollback writes a PID: is it still the process that was moved,
 * and still in DEST? A PID reused meanwhile must not be moved. */
static bool still_ours(struct mc_move *mv, struct mc_move_rec *r)
{
	struct mc_error ignored;
	char *path = NULL;
	bool in_dst;

	if (r->starttime && !mc_step_same_process(mv, r))
		return false;
	if (mc_proc_read_cgroup(mv->req.m, r->pid, mv->req.h->type, &path,
				&ignored) < 0) {
		mc_rec_set(r, MC_EXITED, ESRCH, "exited before the rollback");
		return false;
	}
	in_dst = !strcmp(path, mv->dst.path);
	free(path);
	if (!in_dst)
		mc_rec_set(r, MC_FAILED, EBUSY,
			   "moved, then left '%s' before the rollback",
			   mv->dst.path);
	return in_dst;
}

static int rollback_one(struct mc_move *mv, struct mc_move_rec *r,
			struct mc_error *e)
{
	struct mc_origin *o = &mv->origins[r->origin];
	int err;

	if (!still_ours(mv, r))
		return 0;
	if (o->procs_fd < 0) {
		o->procs_fd =
		    mc_cgroup_openat(&o->cg, "cgroup.procs", O_WRONLY, e);
		if (o->procs_fd < 0)
			return -1;
	}
	/* the charge comes back only if the origin's knob asks for it */
	if (!o->knob_set && !mv->refused && mv->charge > 0) {
		if (mc_knob_set(&o->knob, &o->cg, mv->charge, mv->ops, e) < 0)
			return -1;
		o->knob_set = true;
	}
	err = mv->ops->attach(o->procs_fd, r->pid);
	if (err == 0 || err == ESRCH) {
		mc_rec_set(r, err ? MC_EXITED : MC_ROLLED_BACK, err,
			   err ? "exited before the rollback"
			       : "moved back to '%s'",
			   o->cg.path);
		return 0;
	}
	if (err == ENOMEM)
		return mc_errx(e, ENOMEM,
			       "the origin's limit has no room for the charge");
	return mc_err(e, err, "write to '%s/cgroup.procs'", o->cg.dir);
}

static void rollback(struct mc_move *mv)
{
	for (size_t i = mv->nrecs; i-- > 0;) {
		struct mc_move_rec *r = &mv->recs[i];
		struct mc_error e;

		if (r->status != MC_MOVED)
			continue;
		if (rollback_one(mv, r, &e) < 0)
			mc_rec_set(r, MC_FAILED, e.code,
				   "moved, then could not be moved back to "
				   "'%s': %s",
				   mv->origins[r->origin].cg.path, e.msg);
	}
}

static bool needs_rollback(const struct mc_move *mv)
{
	if (!mv->req.atomic)
		return false;
	if (mv->interrupted)
		return true;
	for (size_t i = 0; i < mv->nrecs; i++)
		if (mv->recs[i].status == MC_FAILED)
			return true;
	return false;
}

/* Restore every knob this run changed; the first failure is reported. */
static int restore_all(struct mc_move *mv, struct mc_error *e)
{
	int rc = 0;

	for (size_t i = 0; i < mv->norigins; i++) {
		struct mc_error oe;

		if (mv->origins[i].knob_set &&
		    mc_knob_restore(&mv->origins[i].knob, mv->ops, &oe) < 0 &&
		    rc == 0) {
			*e = oe;
			rc = -1;
		}
	}
	if (!mv->req.keep_setting) {
		struct mc_error de;

		if (mc_knob_restore(&mv->knob, mv->ops, &de) < 0 && rc == 0) {
			*e = de;
			rc = -1;
		}
	} else if (mv->knob.written) {
		struct mc_error fe;

		/* kept on purpose: the record is no longer needed */
		if (mc_knob_forget(&mv->knob, &fe) < 0 && rc == 0) {
			*e = fe;
			rc = -1;
		}
	}
	return rc;
}

static bool anything_to_do(const struct mc_move *mv)
{
	if (mv->from >= 0)
		return true;
	for (size_t i = 0; i < mv->nrecs; i++)
		if (mv->recs[i].status == MC_PLANNED ||
		    /* already in DEST: --recharge re-runs */
		    (mv->recs[i].status == MC_SKIPPED && mv->req.recharge))
			return true;
	return false;
}

/* --atomic is all or nothing from the start: a PID that failed validation
 * stops the run before anything moves. */
static int atomic_precheck(struct mc_move *mv, struct mc_error *e)
{
	for (size_t i = 0; mv->req.atomic && i < mv->nrecs; i++) {
		const struct mc_move_rec *r = &mv->recs[i];

		if (r->status == MC_FAILED) {
			mc_rec_mark_rest(mv, 0);
			return mc_errx(e, r->err,
				       "--atomic: nothing moved, because of "
				       "process %d: %s",
				       (int)r->pid,
				       r->msg ? r->msg : "cannot be moved");
		}
	}
	return 0;
}

/* A run that could not start (a lock, the knob, --require-charge): every
 * process is not-attempted, --from's too, which have no record yet. */
static void not_started(struct mc_move *mv)
{
	struct mc_error ignored;

	if (mv->from >= 0 && !mv->nrecs)
		mc_from_list(mv, &ignored);
	mc_rec_mark_rest(mv, 0);
}

int mc_move_run(struct mc_move *mv, struct mc_error *e)
{
	struct mc_error re;
	bool ok;
	int rc;

	/* nothing to move: no lock, no record, no knob write, no warning */
	if (mv->from >= 0 && mc_from_empty(mv)) {
		mv->nothing = true;
		return 0;
	}
	if (mv->req.dry_run)
		return mc_plan_dry_run(mv, e);
	if (mv->dst_denied)
		return mc_plan_denied(mv, false, e);
	if (mc_knob_repair(mv->req.notice, &re) < 0)
		mc_step_notice(mv, "%s", re.msg);
	if (atomic_precheck(mv, e) < 0)
		return -1;
	if (!anything_to_do(mv))
		return 0;
	if (lock_all(mv, e) < 0) {
		unlock_all(mv);
		not_started(mv);
		return -1;
	}
	if (set_charge(mv, e) < 0) {
		restore_all(mv, &re);
		unlock_all(mv);
		not_started(mv);
		return -1;
	}
	mc_err_clear(e);
	if (mv->refused || mv->charge == 0)
		mc_step_read_room(mv);
	ok = mv->from >= 0 ? mc_from_move(mv, e) : move_listed(mv);
	mc_step_stopped(mv);
	if (needs_rollback(mv))
		rollback(mv);
	rc = restore_all(mv, &re);
	/* the knob is back: recharge takes time; DEST stays locked */
	mc_rcstep_run(mv);
	unlock_all(mv);
	if (rc < 0) {
		*e = re;
		return -1;
	}
	/* a run that stopped on an error of its own (not a process's) */
	return !ok && e->code ? -1 : 0;
}

void mc_move_free(struct mc_move *mv)
{
	for (size_t i = 0; i < mv->nrecs; i++) {
		free(mv->recs[i].msg);
		if (mv->recs[i].pidfd >= 0)
			close(mv->recs[i].pidfd);
		free(mv->recs[i].also);
		free(mv->recs[i].note);
	}
	if (mv->also)
		mc_also_free(mv->also);
	mc_rcstep_free(mv);
	free(mv->recs);
	for (size_t i = 0; i < mv->norigins; i++) {
		struct mc_origin *o = &mv->origins[i];

		if (o->usage_fd >= 0)
			close(o->usage_fd);
		if (o->procs_fd >= 0)
			close(o->procs_fd);
		mc_cgroup_close(&o->cg);
	}
	free(mv->origins);
	free(mv->from_procs);
	mc_pages_result_free(&mv->before);
	mc_pages_result_free(&mv->after);
	if (mv->pages)
		mc_pages_close(mv->pages);
	if (mv->dst_procs_fd >= 0)
		close(mv->dst_procs_fd);
	if (mv->dst_usage_fd >= 0)
		close(mv->dst_usage_fd);
	mc_cgroup_close(&mv->dst);
}
