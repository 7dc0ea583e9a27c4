/* The move engine. Per process it does only what the report needs: two
 * pread()s of usage_in_bytes (the previous process's "after" is the next
 * one's "before"), one write() to DEST's cgroup.procs, and /proc reads only
 * for the columns shown. */
#include "core/move.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "core/proc.h"
#include "core/size.h"

static const char *const status_names[] = {
	[MC_PLANNED] = "planned",	  [MC_MOVED] = "moved",
	[MC_FAILED] = "failed",		  [MC_EXITED] = "exited",
	[MC_SKIPPED] = "skipped",	  [MC_ROLLED_BACK] = "rolled-back",
	[MC_NOT_ATTEMPTED] = "not-attempted",
};

const char *mc_status_name(enum mc_status s)
{
	return status_names[s];
}

static uint64_t absdiff(int64_t a, int64_t b)
{
	return a > b ? (uint64_t)(a - b) : (uint64_t)(b - a);
}

int64_t mc_moved_rule(enum mc_rel rel, uint64_t src_before, uint64_t src_after,
		      uint64_t dst_before, uint64_t dst_after, uint64_t slack,
		      bool *noisy)
{
	int64_t src_drop = (int64_t)(src_before - src_after);
	int64_t dst_rise = (int64_t)(dst_after - dst_before);

	switch (rel) {
	case MC_REL_SRC_ROOT:
		/* the root's counters are not charged (docs §2.4) */
		*noisy = false;
		return dst_rise;
	case MC_REL_DST_ROOT:
		*noisy = false;
		return src_drop;
	case MC_REL_SRC_ANCESTOR:
		/* parent -> child: the parent's hierarchical usage stays */
		*noisy = absdiff(src_drop, 0) > slack;
		return dst_rise;
	case MC_REL_DST_ANCESTOR:
		*noisy = absdiff(dst_rise, 0) > slack;
		return src_drop;
	default:
		*noisy = absdiff(src_drop, dst_rise) > slack;
		return src_drop;
	}
}

static void notice(struct mc_move *mv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void notice(struct mc_move *mv, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!mv->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mv->notice(msg);
}

static struct mc_move_rec *new_rec(struct mc_move *mv, pid_t pid,
				   struct mc_error *e)
{
	struct mc_move_rec *r;

	if (mv->nrecs == mv->caprecs) {
		size_t cap = mv->caprecs ? mv->caprecs * 2 : 64;
		struct mc_move_rec *nr = realloc(mv->recs, cap * sizeof(*nr));

		if (!nr)
			return mc_err(e, ENOMEM, "cannot allocate"), NULL;
		mv->recs = nr;
		mv->caprecs = cap;
	}
	r = &mv->recs[mv->nrecs++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->origin = (size_t)-1;
	r->status = MC_PLANNED;
	return r;
}

static void rec_set(struct mc_move_rec *r, enum mc_status st, int err,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void rec_set(struct mc_move_rec *r, enum mc_status st, int err,
		    const char *fmt, ...)
{
	va_list ap;

	r->status = st;
	r->err = err;
	free(r->msg);
	r->msg = NULL;
	if (!fmt)
		return;
	va_start(ap, fmt);
	if (vasprintf(&r->msg, fmt, ap) < 0)
		r->msg = NULL;
	va_end(ap);
}

static enum mc_rel relation(const struct mc_cgroup *src,
			    const struct mc_cgroup *dst)
{
	if (src->is_root)
		return MC_REL_SRC_ROOT;
	if (dst->is_root)
		return MC_REL_DST_ROOT;
	if (mc_path_is_ancestor(src->path, dst->path))
		return MC_REL_SRC_ANCESTOR;
	if (mc_path_is_ancestor(dst->path, src->path))
		return MC_REL_DST_ANCESTOR;
	return MC_REL_NONE;
}

ssize_t mc_move_origin(struct mc_move *mv, const char *hpath,
		       struct mc_error *e)
{
	struct mc_origin *o, *no;

	for (size_t i = 0; i < mv->norigins; i++)
		if (!strcmp(mv->origins[i].cg.path, hpath))
			return (ssize_t)i;
	no = realloc(mv->origins, (mv->norigins + 1) * sizeof(*no));
	if (!no)
		return mc_err(e, ENOMEM, "cannot allocate");
	mv->origins = no;
	o = &mv->origins[mv->norigins];
	memset(o, 0, sizeof(*o));
	o->usage_fd = o->procs_fd = -1;
	if (mc_cgroup_open(&o->cg, mv->m, mv->h, hpath,
			   mv->dry_run ? 0 : MC_CG_WRITE, e) < 0)
		return -1;
	o->rel = relation(&o->cg, &mv->dst);
	if (mv->want_usage) {
		o->usage_fd = mc_cgroup_openat(&o->cg, "memory.usage_in_bytes",
					       O_RDONLY, e);
		if (o->usage_fd < 0) {
			mc_cgroup_close(&o->cg);
			return -1;
		}
	}
	return (ssize_t)mv->norigins++;
}

/* --exact needs page attribution (root); a dry run predicts with it when it
 * can and says why not when it cannot. */
static int open_pages(struct mc_move *mv, struct mc_error *e)
{
	struct mc_error pe;

	if (!mv->exact && !mv->predict)
		return 0;
	if (mc_pages_open(&mv->pages, mv->m, 0, &pe) == 0)
		return 0;
	if (mv->exact) {
		*e = pe;
		return mc_err_wrap(e, "--exact");
	}
	notice(mv, "no prediction: %s", pe.msg);
	mv->predict = false;
	return 0;
}

int mc_move_init(struct mc_move *mv, const char *dest, struct mc_error *e)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	mv->dst_procs_fd = mv->dst_usage_fd = -1;
	mv->from = -1;
	mv->charge = -1;
	if (cpus < 1)
		cpus = 1;
	/* up to MEMCG_CHARGE_BATCH (64) pages of per-CPU stock (docs §2.4) */
	mv->slack = 64ULL * (uint64_t)cpus * (uint64_t)sysconf(_SC_PAGESIZE);
	if (mc_kernel_read(&mv->kernel, mv->m->sysroot, e) < 0)
		return -1;
	if (mc_cgroup_open(&mv->dst, mv->m, mv->h, dest,
			   mv->dry_run ? 0 : MC_CG_WRITE, e) < 0)
		return -1;
	if (!mv->dry_run) {
		mv->dst_procs_fd = mc_cgroup_openat(&mv->dst, "cgroup.procs",
						    O_WRONLY, e);
		if (mv->dst_procs_fd < 0)
			return -1;
	}
	if (mv->want_usage) {
		mv->dst_usage_fd = mc_cgroup_openat(
			&mv->dst, "memory.usage_in_bytes", O_RDONLY, e);
		if (mv->dst_usage_fd < 0)
			return -1;
	}
	return open_pages(mv, e);
}

int mc_move_set_from(struct mc_move *mv, const char *src, struct mc_error *e)
{
	struct mc_cgroup tmp;
	ssize_t i;

	/* resolve the user's name first: the origin table keys on paths */
	if (mc_cgroup_open(&tmp, mv->m, mv->h, src, 0, e) < 0)
		return -1;
	if (tmp.ino == mv->dst.ino && tmp.dev == mv->dst.dev) {
		mc_cgroup_close(&tmp);
		return mc_errx(e, EINVAL,
			       "source and destination are the same cgroup "
			       "'%s'", mv->dst.path);
	}
	i = mc_move_origin(mv, tmp.path, e);
	mc_cgroup_close(&tmp);
	if (i < 0)
		return -1;
	mv->from = i;
	return 0;
}

/* ENOENT while reading a PID's files means it exited: an ordinary outcome. */
int mc_move_add_pid(struct mc_move *mv, pid_t pid, struct mc_error *e)
{
	struct mc_move_rec *r = new_rec(mv, pid, e);
	struct mc_proc_stat st;
	struct mc_error pe;
	char *path = NULL;
	ssize_t o;

	if (!r)
		return -1;
	if (mc_proc_read_stat(mv->m, pid, &st, &pe) < 0) {
		rec_set(r, MC_FAILED, pe.code, "%s",
			pe.code == ESRCH ? "no such process" : pe.msg);
		return 0;
	}
	snprintf(r->comm, sizeof(r->comm), "%s", st.comm);
	r->starttime = st.starttime;
	r->validated = true;
	r->rss = st.rss;
	r->have_rss = true;
	if (st.flags & MC_PF_KTHREAD) {
		rec_set(r, MC_FAILED, EINVAL,
			"it is a kernel thread, which cannot be moved");
		return 0;
	}
	if (st.state == 'Z' && st.threads <= 1) {
		rec_set(r, MC_EXITED, ESRCH, "exited (a zombie: nothing to move)");
		return 0;
	}
	if (mc_proc_read_cgroup(mv->m, pid, MC_V1, &path, &pe) < 0) {
		rec_set(r, MC_FAILED, pe.code, "%s",
			pe.code == ESRCH ? "no such process" : pe.msg);
		return 0;
	}
	o = mc_move_origin(mv, path, &pe);
	if (o < 0) {
		rec_set(r, MC_FAILED, pe.code, "its cgroup: %s", pe.msg);
		free(path);
		return 0;
	}
	free(path);
	r->origin = (size_t)o;
	if (mv->origins[o].cg.ino == mv->dst.ino &&
	    mv->origins[o].cg.dev == mv->dst.dev)
		rec_set(r, MC_SKIPPED, 0, "already in '%s'", mv->dst.path);
	return 0;
}

static int lock_dir(struct mc_move *mv, const struct mc_cgroup *cg,
		    struct mc_error *e)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	long tries = (long)mv->wait * 20;
	bool told = false;

	while (flock(cg->dfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return mc_err(e, errno, "cannot lock '%s'", cg->dir);
		if (mv->stop && *mv->stop) {
			mv->interrupted = *mv->stop;
			return mc_errx(e, EINTR,
				       "interrupted while waiting for '%s'",
				       cg->path);
		}
		if (tries-- <= 0)
			return mc_errx(e, EWOULDBLOCK,
				       "another memcg run is moving processes "
				       "into '%s' (waited %d s; see --wait)",
				       cg->path, mv->wait);
		if (!told) {
			notice(mv, "waiting for another memcg run on '%s'",
			       cg->path);
			told = true;
		}
		nanosleep(&nap, NULL);
	}
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
	size_t n = 1 + (mv->atomic ? mv->norigins : 0), k = 0;
	const struct mc_cgroup **v = calloc(n, sizeof(*v));
	int rc = 0;

	if (!v)
		return mc_err(e, ENOMEM, "cannot allocate");
	v[k++] = &mv->dst;
	for (size_t i = 0; mv->atomic && i < mv->norigins; i++)
		if (mv->origins[i].cg.ino != mv->dst.ino ||
		    mv->origins[i].cg.dev != mv->dst.dev)
			v[k++] = &mv->origins[i].cg;
	qsort(v, k, sizeof(*v), cmp_origin_ino);
	for (size_t i = 0; i < k && rc == 0; i++) {
		rc = lock_dir(mv, v[i], e);
		if (rc == 0 && v[i] == &mv->dst)
			mv->dst_locked = true;
		for (size_t j = 0; rc == 0 && j < mv->norigins; j++)
			if (v[i] == &mv->origins[j].cg)
				mv->origins[j].locked = true;
	}
	free(v);
	return rc;
}

static void unlock_all(struct mc_move *mv)
{
	if (mv->dst_locked)
		flock(mv->dst.dfd, LOCK_UN);
	mv->dst_locked = false;
	for (size_t i = 0; i < mv->norigins; i++)
		if (mv->origins[i].locked) {
			flock(mv->origins[i].cg.dfd, LOCK_UN);
			mv->origins[i].locked = false;
		}
}

static void refuse(struct mc_move *mv, enum mc_charge_cap cap, bool inferred)
{
	mv->refused = true;
	mv->refusal_inferred = inferred;
	mc_charge_cap_reason(cap, &mv->kernel, mv->refused_why,
			     sizeof(mv->refused_why));
}

/* Step 3 of DESIGN's move: set DEST's knob, or learn that the kernel
 * refuses. -1 only when the run must stop. */
static int set_charge(struct mc_move *mv, struct mc_error *e)
{
	struct mc_error ke;

	if (mv->mode == MC_MODE_KEEP) {
		if (mv->ops->knob_read(&mv->dst, &mv->charge, e) < 0)
			return -1;
	} else if (mc_knob_set(&mv->knob, &mv->dst, mv->mode, mv->ops, &ke) <
		   0) {
		/* 6.13+ accepts only 0 (aa6b4fdf5940, docs §1) */
		if (ke.code != EINVAL) {
			*e = ke;
			return -1;
		}
		refuse(mv, MC_CAP_NO_REMOVED, false);
	} else {
		mv->charge = mv->mode;
	}
	if (!mv->refused && mv->charge == 0 && mv->mode == MC_MODE_KEEP &&
	    mv->require_charge) {
		mv->require_failed = true;
		return mc_errx(e, EINVAL,
			       "%s of '%s' is 0 and --charge keep leaves it "
			       "so: no charge would move", MC_KNOB,
			       mv->dst.path);
	}
	if (mv->refused && mv->require_charge) {
		mv->require_failed = true;
		return mc_errx(e, EINVAL, "cannot move charges: %s",
			       mv->refused_why);
	}
	if (mv->refused)
		notice(mv, "charge will not move: %s", mv->refused_why);
	return 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Readings carried from one process to the next (same origin). */
struct carry {
	size_t origin;
	bool valid;
	uint64_t src, dst;
};

static int read_usage(int fd, uint64_t *v)
{
	struct mc_error ignored;

	return mc_fd_read_u64(fd, v, "memory.usage_in_bytes", &ignored);
}

static void read_before(struct mc_move *mv, struct mc_move_rec *r,
			struct carry *c)
{
	const struct mc_origin *o = &mv->origins[r->origin];

	if (!mv->want_usage)
		return;
	/* with --exact, page walks lie between two writes: read afresh */
	if (c->valid && c->origin == r->origin && !mv->pages) {
		r->src_before = c->src;
		r->dst_before = c->dst;
		r->have_before = true;
		return;
	}
	r->have_before = read_usage(o->usage_fd, &r->src_before) == 0 &&
			 read_usage(mv->dst_usage_fd, &r->dst_before) == 0;
}

static void read_after(struct mc_move *mv, struct mc_move_rec *r,
		       struct carry *c)
{
	const struct mc_origin *o = &mv->origins[r->origin];

	c->valid = false;
	if (!mv->want_usage)
		return;
	r->have_after = read_usage(o->usage_fd, &r->src_after) == 0 &&
			read_usage(mv->dst_usage_fd, &r->dst_after) == 0;
	if (r->have_after) {
		c->origin = r->origin;
		c->src = r->src_after;
		c->dst = r->dst_after;
		c->valid = true;
	}
}

/* The tightest limit a charge into DEST meets: DEST's own or an
 * ancestor's, since page counters charge every ancestor (docs §2.4). */
struct room {
	bool known;
	uint64_t room, limit, usage;
	char *where;		/* hierarchy path of the binding cgroup */
};

#define UNLIMITED (UINT64_C(1) << 62)

static void limit_of(struct mc_move *mv, const char *path, struct room *rm)
{
	uint64_t limit, usage, room;
	struct mc_cgroup cg;
	struct mc_error ignored;

	if (mc_cgroup_open(&cg, mv->m, mv->h, path, 0, &ignored) < 0)
		return;
	if (!cg.is_root &&
	    mc_cgroup_read_u64(&cg, "memory.limit_in_bytes", &limit,
			       &ignored) == 0 &&
	    mc_cgroup_read_u64(&cg, "memory.usage_in_bytes", &usage,
			       &ignored) == 0 &&
	    limit < UNLIMITED) {
		room = limit > usage ? limit - usage : 0;
		char *where = strdup(cg.path);

		if (where && (!rm->known || room < rm->room)) {
			free(rm->where);
			*rm = (struct room){ true, room, limit, usage, where };
		} else {
			free(where);
		}
	}
	mc_cgroup_close(&cg);
}

/* From DEST up to the top of the mounted part of the hierarchy. */
static void dest_room(struct mc_move *mv, struct room *rm)
{
	char *path = strdup(mv->dst.path), *slash;

	memset(rm, 0, sizeof(*rm));
	while (path) {
		limit_of(mv, path, rm);
		if (!strcmp(path, mv->h->root) || !strcmp(path, "/"))
			break;
		/* "/a/b" -> "/a", "/a" -> "/" */
		slash = strrchr(path, '/');
		slash[slash == path] = '\0';
	}
	free(path);
}

static void explain_nomem(struct mc_move *mv, struct mc_move_rec *r)
{
	char lim[MC_SIZE_BUFSZ], use[MC_SIZE_BUFSZ], rss[MC_SIZE_BUFSZ];
	char who[4200];
	struct room rm;

	dest_room(mv, &rm);
	snprintf(rss, sizeof(rss), "?");
	if (r->have_rss)
		mc_size_human(rss, sizeof(rss), r->rss);
	if (!rm.known) {
		rec_set(r, MC_FAILED, ENOMEM,
			"the kernel found no room for the charge, though no "
			"memory limit is set on the destination or its "
			"ancestors; the process has %s resident", rss);
		return;
	}
	if (strcmp(rm.where, mv->dst.path))
		snprintf(who, sizeof(who), "limit of the destination's "
			 "ancestor '%s'", rm.where);
	else
		snprintf(who, sizeof(who), "destination limit");
	rec_set(r, MC_FAILED, ENOMEM,
		"%s is %s with %s in use, the process has %s resident to "
		"charge there", who, mc_size_human(lim, sizeof(lim), rm.limit),
		mc_size_human(use, sizeof(use), rm.usage), rss);
	free(rm.where);
}

/* The PID may have been reused since it was validated: compare start times. */
static bool same_process(struct mc_move *mv, struct mc_move_rec *r)
{
	struct mc_proc_stat st;
	struct mc_error ignored;

	if (mc_proc_read_stat(mv->m, r->pid, &st, &ignored) < 0) {
		rec_set(r, MC_EXITED, ESRCH, "exited before the move");
		return false;
	}
	if (st.starttime != r->starttime) {
		rec_set(r, MC_EXITED, ESRCH,
			"exited; PID %d now belongs to another process",
			(int)r->pid);
		return false;
	}
	return true;
}

/* Fill the columns that need /proc for a PID taken from cgroup.procs. */
static void read_proc_cols(struct mc_move *mv, struct mc_move_rec *r)
{
	struct mc_proc_stat st;
	struct mc_error ignored;

	/* --atomic: the start time lets a rollback tell a reused PID */
	if (!mv->want_comm && !mv->want_rss && !mv->atomic)
		return;
	if (mc_proc_read_stat(mv->m, r->pid, &st, &ignored) < 0)
		return;
	r->starttime = st.starttime;
	snprintf(r->comm, sizeof(r->comm), "%s", st.comm);
	r->rss = st.rss;
	r->have_rss = true;
}

/* Page attribution of pid into res, for --exact and prediction. False when
 * not asked, or the process is gone (an ordinary outcome). */
static bool attribute(struct mc_move *mv, pid_t pid,
		      struct mc_pages_result *res)
{
	struct mc_error e;

	if (!mv->pages)
		return false;
	if (mc_pages_attribute(mv->pages, pid, res, &e) == 0)
		return true;
	if (e.code != ESRCH)
		notice(mv, "%s", e.msg);
	mc_pages_reset(res);
	return false;
}

static uint64_t bytes_in(const struct mc_pages_result *res, uint64_t ino,
			 bool anon)
{
	const struct mc_pages_cgroup *c = mc_pages_find(res, ino);

	return c ? (anon ? c->anon : c->file) : 0;
}

/* ANON-MOVED and FILE-MOVED: this process's bytes charged to DEST after the
 * move less those charged there before; LEFT: its bytes still charged to
 * the source. Exact to the page for mapped pages (docs §4); swap entries
 * and page cache that is not mapped are not seen. */
static void exact_cols(struct mc_move *mv, struct mc_move_rec *r)
{
	uint64_t src = mv->origins[r->origin].cg.ino, dst = mv->dst.ino;

	r->anon_moved = (int64_t)bytes_in(&mv->after, dst, true) -
			(int64_t)bytes_in(&mv->before, dst, true);
	r->file_moved = (int64_t)bytes_in(&mv->after, dst, false) -
			(int64_t)bytes_in(&mv->before, dst, false);
	r->left = bytes_in(&mv->after, src, true) +
		  bytes_in(&mv->after, src, false);
	r->unseen = mv->after.swapped;
	r->have_exact = r->have_unseen = true;
}

/* Move one process. Returns false when the run must stop (--atomic). */
static bool move_one(struct mc_move *mv, struct mc_move_rec *r,
		     struct carry *c)
{
	uint64_t t0;
	bool seen;
	int err;

	if (mv->progress && (r - mv->recs) % 256 == 255)
		mv->progress((size_t)(r - mv->recs) + 1);
	if (r->validated && !same_process(mv, r))
		return true;
	/* the page walks stay outside the usage readings: they take time */
	seen = attribute(mv, r->pid, &mv->before);
	read_before(mv, r, c);
	t0 = now_us();
	err = mv->ops->attach(mv->dst_procs_fd, r->pid);
	r->time_us = now_us() - t0;
	r->have_time = true;
	read_after(mv, r, c);
	/* a difference needs both walks */
	if (err == 0 && seen && attribute(mv, r->pid, &mv->after))
		exact_cols(mv, r);
	if (err == 0) {
		rec_set(r, MC_MOVED, 0, NULL);
		if (r->have_before && r->have_after) {
			r->moved = mc_moved_rule(
				mv->origins[r->origin].rel, r->src_before,
				r->src_after, r->dst_before, r->dst_after,
				mv->slack, &r->noisy);
			r->have_moved = true;
		}
		return true;
	}
	if (err == ESRCH) {
		/* the kernel found no such process: it exited */
		rec_set(r, MC_EXITED, ESRCH, "exited during the move");
		return true;
	}
	if (err == EINTR) {
		rec_set(r, MC_NOT_ATTEMPTED, EINTR, "interrupted");
		return false;
	}
	if (err == ENOMEM)
		explain_nomem(mv, r);
	else
		rec_set(r, MC_FAILED, err, "%s", strerror(err));
	r->moved = 0;
	r->have_moved = true;
	return !mv->atomic;
}

static bool stopped(struct mc_move *mv)
{
	if (mv->stop && *mv->stop && !mv->interrupted)
		mv->interrupted = *mv->stop;
	return mv->interrupted != 0;
}

static void mark_rest(struct mc_move *mv, size_t from)
{
	for (size_t i = from; i < mv->nrecs; i++)
		if (mv->recs[i].status == MC_PLANNED)
			rec_set(&mv->recs[i], MC_NOT_ATTEMPTED, 0, "%s",
				mv->interrupted ? "interrupted" : "run stopped");
}

static bool move_listed(struct mc_move *mv)
{
	struct carry c = { 0 };

	for (size_t i = 0; i < mv->nrecs; i++) {
		if (mv->recs[i].status != MC_PLANNED)
			continue;
		if (stopped(mv) || !move_one(mv, &mv->recs[i], &c)) {
			mark_rest(mv, i);
			return false;
		}
	}
	return true;
}

/* A set of PIDs already tried by --from: open addressing, grows by 2. */
struct pidset {
	pid_t *v;
	size_t cap, n;
};

static bool pidset_add(struct pidset *s, pid_t pid)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		struct pidset ns = { calloc(s->cap ? s->cap * 2 : 1024,
					    sizeof(pid_t)),
				     s->cap ? s->cap * 2 : 1024, 0 };
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
	       mc_proc_read_stat(mv->m, pid, &st, &ignored) == 0 &&
	       (st.flags & MC_PF_KTHREAD);
}

/* A PID list older than this is read again before the next write, so a PID
 * that left SRC and was reused meanwhile is not moved: with charge moving a
 * write can take tens of milliseconds (docs §2.2). */
#define FRESH_US 100000

/* Whether pid is still in SRC, re-reading SRC once the list in hand is
 * older than FRESH_US. */
static bool still_in_src(struct mc_move *mv, pid_t pid, uint64_t *stamp,
			 struct pidset *now, bool *fresh_list)
{
	struct mc_error ignored;
	char *buf, *p;
	pid_t v;

	if (now_us() - *stamp >= FRESH_US &&
	    (buf = read_procs(mv, &ignored))) {
		if (now->cap)
			memset(now->v, 0, now->cap * sizeof(*now->v));
		now->n = 0;
		for (p = buf; (p = mc_next_pid(p, &v));)
			if (v > 0)
				pidset_add(now, v);
		free(buf);
		*stamp = now_us();
		*fresh_list = true;
	}
	/* until SRC is read again, the pass's own list is the answer */
	return !*fresh_list || pidset_has(now, pid);
}

/* One pass over SRC; *fresh counts PIDs not seen before. false = stop. */
static bool from_pass(struct mc_move *mv, struct pidset *seen, bool move,
		      size_t *fresh, struct mc_error *e, struct carry *c)
{
	struct pidset now = { 0 };
	uint64_t stamp = now_us();
	bool fresh_list = false;
	char *buf = read_procs(mv, e), *p;
	pid_t v;

	*fresh = 0;
	if (!buf)
		return false;
	for (p = buf; (p = mc_next_pid(p, &v));) {
		struct mc_move_rec *r;

		if (v <= 0 || !pidset_add(seen, v))
			continue;
		if (is_kthread(mv, v))
			continue;
		/* gone from SRC since the list was read: not SRC's any more */
		if (move && !still_in_src(mv, v, &stamp, &now, &fresh_list))
			continue;
		(*fresh)++;
		r = new_rec(mv, v, e);
		if (!r) {
			free(buf);
			return false;
		}
		r->origin = (size_t)mv->from;
		read_proc_cols(mv, r);
		if (!move)
			continue;
		if (stopped(mv)) {
			rec_set(r, MC_NOT_ATTEMPTED, 0, "interrupted");
			continue;
		}
		if (!move_one(mv, r, c)) {
			mark_rest(mv, mv->nrecs);
			free(buf);
			free(now.v);
			return false;
		}
	}
	free(buf);
	free(now.v);
	return !stopped(mv);
}

static bool move_from(struct mc_move *mv, struct mc_error *e)
{
	struct pidset seen = { 0 };
	struct carry c = { 0 };
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
			rec_set(&mv->recs[i], MC_NOT_ATTEMPTED, 0,
				"still appearing in '%s' after %d passes",
				mv->origins[mv->from].cg.path, MC_FROM_PASSES);
	}
	free(seen.v);
	return ok;
}

/* Before a rollback writes a PID: is it still the process that was moved,
 * and still in DEST? A PID reused meanwhile must not be moved. */
static bool still_ours(struct mc_move *mv, struct mc_move_rec *r)
{
	struct mc_error ignored;
	char *path = NULL;
	bool in_dst;

	if (r->starttime && !same_process(mv, r))
		return false;
	if (mc_proc_read_cgroup(mv->m, r->pid, MC_V1, &path, &ignored) < 0) {
		rec_set(r, MC_EXITED, ESRCH, "exited before the rollback");
		return false;
	}
	in_dst = !strcmp(path, mv->dst.path);
	free(path);
	if (!in_dst)
		rec_set(r, MC_FAILED, EBUSY,
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
		o->procs_fd = mc_cgroup_openat(&o->cg, "cgroup.procs",
					       O_WRONLY, e);
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
		rec_set(r, err ? MC_EXITED : MC_ROLLED_BACK, err,
			err ? "exited before the rollback" : "moved back to '%s'",
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
			rec_set(r, MC_FAILED, e.code,
				"moved, then could not be moved back to '%s': "
				"%s", mv->origins[r->origin].cg.path, e.msg);
	}
}

static bool needs_rollback(const struct mc_move *mv)
{
	if (!mv->atomic)
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
	if (!mv->keep_setting) {
		struct mc_error de;

		if (mc_knob_restore(&mv->knob, mv->ops, &de) < 0 && rc == 0) {
			*e = de;
			rc = -1;
		}
	} else if (mv->knob.written) {
		/* kept on purpose: the record is no longer needed */
		unlink(mv->knob.state);
		mv->knob.written = false;
	}
	return rc;
}

static bool anything_to_do(const struct mc_move *mv)
{
	if (mv->from >= 0)
		return true;
	for (size_t i = 0; i < mv->nrecs; i++)
		if (mv->recs[i].status == MC_PLANNED)
			return true;
	return false;
}

uint64_t mc_move_predict(const struct mc_pages_result *res, uint64_t from,
			 int mode)
{
	return ((mode & 1) ? bytes_in(res, from, true) : 0) +
	       ((mode & 2) ? bytes_in(res, from, false) : 0);
}

/* How much more DEST can be charged, with its ancestors' limits. */
static void read_room(struct mc_move *mv)
{
	struct room rm;

	dest_room(mv, &rm);
	mv->have_room = rm.known;
	mv->room = rm.room;
	free(rm.where);
}

/* What the kernel would move (docs §2.1, §2.3): only pages charged to the
 * process's current cgroup; anon with value 1, file and shmem with value 2.
 * The precharge must fit in DEST, or the write fails with ENOMEM (§2.2).
 * Swap entries (value 1) and page cache that is not mapped (value 2) are
 * not seen: UNSEEN counts the swap. */
static void predict(struct mc_move *mv, struct mc_move_rec *r)
{
	char room[MC_SIZE_BUFSZ], need[MC_SIZE_BUFSZ];
	uint64_t ino = mv->origins[r->origin].cg.ino;
	int mode = mv->refused ? 0 : mv->charge;

	if (!mv->predict || !attribute(mv, r->pid, &mv->before))
		return;
	r->predicted = mc_move_predict(&mv->before, ino, mode);
	r->have_predicted = true;
	r->unseen = (mode & 1) ? mv->before.swapped : 0;
	r->have_unseen = true;
	if (!mv->have_room)
		return;
	if (r->predicted > mv->room) {
		rec_set(r, MC_FAILED, ENOMEM,
			"predicted: the destination has room for %s more, the "
			"process would bring %s",
			mc_size_human(room, sizeof(room), mv->room),
			mc_size_human(need, sizeof(need), r->predicted));
		return;
	}
	mv->room -= r->predicted; /* the next process finds less room */
}

static int dry_run(struct mc_move *mv, struct mc_error *e)
{
	enum mc_charge_cap cap = mc_charge_cap(mv->h, &mv->kernel);
	struct pidset seen = { 0 };
	struct carry c = { 0 };
	size_t fresh;

	mv->charge = mv->mode;
	if (mv->mode == MC_MODE_KEEP &&
	    mv->ops->knob_read(&mv->dst, &mv->charge, e) < 0)
		return -1;
	if (cap != MC_CAP_YES)
		refuse(mv, cap, true);
	if (mv->refused && mv->require_charge) {
		mv->require_failed = true;
		return mc_errx(e, EINVAL, "cannot move charges: %s (inferred "
			       "from the kernel version)", mv->refused_why);
	}
	if (mv->charge == 0 && mv->require_charge) {
		mv->require_failed = true;
		return mc_errx(e, EINVAL, "%s of '%s' is 0 and --charge keep "
			       "leaves it so: no charge would move", MC_KNOB,
			       mv->dst.path);
	}
	if (mv->from >= 0 && !from_pass(mv, &seen, false, &fresh, e, &c) &&
	    !mv->interrupted) {
		free(seen.v);
		return -1;
	}
	free(seen.v);
	if (mv->predict)
		read_room(mv);
	for (size_t i = 0; i < mv->nrecs; i++) {
		if (mv->recs[i].status != MC_PLANNED)
			continue;
		/* a prediction walks every page: let a signal end it */
		if (stopped(mv)) {
			mark_rest(mv, i);
			break;
		}
		c.valid = false;
		read_before(mv, &mv->recs[i], &c);
		predict(mv, &mv->recs[i]);
	}
	return 0;
}

/* --atomic is all or nothing from the start: a PID that failed validation
 * stops the run before anything moves. */
static int atomic_precheck(struct mc_move *mv, struct mc_error *e)
{
	for (size_t i = 0; mv->atomic && i < mv->nrecs; i++) {
		const struct mc_move_rec *r = &mv->recs[i];

		if (r->status == MC_FAILED) {
			mark_rest(mv, 0);
			return mc_errx(e, r->err,
				       "--atomic: nothing moved, because of "
				       "process %d: %s", (int)r->pid,
				       r->msg ? r->msg : "cannot be moved");
		}
	}
	return 0;
}

int mc_move_run(struct mc_move *mv, struct mc_error *e)
{
	struct mc_error re;
	bool ok;
	int rc;

	if (mv->dry_run)
		return dry_run(mv, e);
	if (mc_knob_repair(mv->notice, &re) < 0)
		notice(mv, "%s", re.msg);
	if (atomic_precheck(mv, e) < 0)
		return -1;
	if (!anything_to_do(mv))
		return 0;
	if (lock_all(mv, e) < 0) {
		unlock_all(mv);
		mark_rest(mv, 0);
		return -1;
	}
	if (set_charge(mv, e) < 0) {
		restore_all(mv, &re);
		unlock_all(mv);
		mark_rest(mv, 0);
		return -1;
	}
	mc_err_clear(e);
	ok = mv->from >= 0 ? move_from(mv, e) : move_listed(mv);
	stopped(mv);
	if (needs_rollback(mv))
		rollback(mv);
	rc = restore_all(mv, &re);
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
	for (size_t i = 0; i < mv->nrecs; i++)
		free(mv->recs[i].msg);
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
