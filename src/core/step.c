/* One process's move and its readings. Per process it does only what the
 * report needs: two pread()s of usage_in_bytes (the previous process's
 * "after" is the next one's "before"), one write() to DEST's cgroup.procs,
 * and /proc reads only for what is measured. */
#include "core/step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ahead.h"
#include "core/array.h"
#include "core/dest.h"
#include "core/proc.h"
#include "core/size.h"

static const char *const status_names[] = {
	[MC_PLANNED] = "planned",
	[MC_MOVED] = "moved",
	[MC_FAILED] = "failed",
	[MC_EXITED] = "exited",
	[MC_SKIPPED] = "skipped",
	[MC_ROLLED_BACK] = "rolled-back",
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

void mc_step_notice(struct mc_move *mv, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!mv->req.notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mv->req.notice(msg);
}

void mc_rec_reserve(struct mc_move *mv, size_t n)
{
	struct mc_move_rec *v;

	if (n <= mv->caprecs || !(v = realloc(mv->recs, n * sizeof(*v))))
		return;
	mv->recs = v;
	mv->caprecs = n;
}

struct mc_move_rec *mc_rec_new(struct mc_move *mv, pid_t pid,
			       struct mc_error *e)
{
	struct mc_move_rec *r;

	if (MC_ARRAY_ROOM(mv->recs, mv->nrecs, mv->caprecs, 64, e) < 0)
		return NULL;
	r = &mv->recs[mv->nrecs++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->pidfd = -1;
	r->origin = (size_t)-1;
	r->status = MC_PLANNED;
	return r;
}

void mc_rec_set(struct mc_move_rec *r, enum mc_status st, int err,
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

void mc_rec_note(struct mc_move *mv, struct mc_move_rec *r, bool tell,
		 const char *fmt, ...)
{
	char *add = NULL, *all = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) < 0)
		add = NULL;
	va_end(ap);
	if (!add)
		return;
	if (tell)
		mc_step_notice(mv, "%s", add);
	if (!r->note) {
		r->note = add;
		return;
	}
	if (asprintf(&all, "%s; %s", r->note, add) >= 0) {
		free(r->note);
		r->note = all;
	}
	free(add);
}

static const char *usage_file(const struct mc_move *mv)
{
	return mc_memfiles(mv->req.h->type)->usage;
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
	if (mc_cgroup_open(&o->cg, mv->req.m, mv->req.h, hpath,
			   mv->req.dry_run ? 0 : MC_CG_WRITE, e) < 0)
		return -1;
	o->rel = relation(&o->cg, &mv->dst);
	if ((mv->req.measure & MC_MEASURE_USAGE)) {
		o->usage_fd = mc_cgroup_openat(&o->cg, usage_file(mv),
					       O_RDONLY, e);
		/* the root of a v2 hierarchy has no memory.current: its
		 * readings are unknown */
		if (o->usage_fd < 0 && !(e->code == ENOENT && o->cg.is_root)) {
			mc_cgroup_close(&o->cg);
			return -1;
		}
	}
	return (ssize_t)mv->norigins++;
}

uint64_t mc_step_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int read_usage(int fd, uint64_t *v)
{
	struct mc_error ignored;

	return mc_fd_read_u64(fd, v, "usage", &ignored);
}

void mc_step_read_before(struct mc_move *mv, struct mc_move_rec *r,
			 struct mc_carry *c)
{
	const struct mc_origin *o = &mv->origins[r->origin];

	if (!(mv->req.measure & MC_MEASURE_USAGE))
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
		       struct mc_carry *c)
{
	const struct mc_origin *o = &mv->origins[r->origin];

	c->valid = false;
	if (!(mv->req.measure & MC_MEASURE_USAGE))
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

static void limit_of(struct mc_move *mv, const char *path, struct mc_room *rm)
{
	uint64_t limit, usage, room;
	struct mc_cgroup cg;
	struct mc_error ignored;

	if (mc_cgroup_open(&cg, mv->req.m, mv->req.h, path, 0, &ignored) < 0)
		return;
	if (!cg.is_root && mc_cgroup_read_limit(&cg, &limit, &ignored) == 0 &&
	    limit != MC_UNLIMITED &&
	    mc_cgroup_read_usage(&cg, &usage, &ignored) == 0) {
		room = limit > usage ? limit - usage : 0;
		char *where = strdup(cg.path);

		if (where && (!rm->known || room < rm->room)) {
			free(rm->where);
			*rm = (struct mc_room){true, room, limit, usage, where};
		} else {
			free(where);
		}
	}
	mc_cgroup_close(&cg);
}

/* From DEST up to the top of the mounted part of the hierarchy. */
void mc_step_room(struct mc_move *mv, struct mc_room *rm)
{
	char *path = strdup(mv->dst.path), *slash;

	memset(rm, 0, sizeof(*rm));
	while (path) {
		limit_of(mv, path, rm);
		if (!strcmp(path, mv->req.h->root) || !strcmp(path, "/"))
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
	struct mc_room rm;

	mc_step_room(mv, &rm);
	snprintf(rss, sizeof(rss), "?");
	if (r->have_rss)
		mc_size_human(rss, sizeof(rss), r->rss);
	if (!rm.known) {
		mc_rec_set(r, MC_FAILED, ENOMEM,
			   "the kernel found no room for the charge, though no "
			   "memory limit is set on the destination or its "
			   "ancestors; the process has %s resident",
			   rss);
		return;
	}
	if (strcmp(rm.where, mv->dst.path))
		snprintf(who, sizeof(who),
			 "limit of the destination's "
			 "ancestor '%s'",
			 rm.where);
	else
		snprintf(who, sizeof(who), "destination limit");
	mc_rec_set(r, MC_FAILED, ENOMEM,
		   "%s is %s with %s in use, the process has %s resident to "
		   "charge there",
		   who, mc_size_human(lim, sizeof(lim), rm.limit),
		   mc_size_human(use, sizeof(use), rm.usage), rss);
	free(rm.where);
}

/* The PID may have been reused since it was validated: compare start times. */
bool mc_step_same_process(struct mc_move *mv, struct mc_move_rec *r)
{
	struct mc_proc_stat st;
	struct mc_error ignored;

	if (r->pidfd >= 0) {
		bool alive = mc_pidfd_alive(r->pidfd);

		close(r->pidfd);
		r->pidfd = -1;
		if (!alive)
			mc_rec_set(r, MC_EXITED, ESRCH, "exited before the move");
		return alive;
	}
	if (mc_proc_read_stat(mv->req.m, r->pid, &st, &ignored) < 0) {
		mc_rec_set(r, MC_EXITED, ESRCH, "exited before the move");
		return false;
	}
	if (st.starttime != r->starttime) {
		mc_rec_set(r, MC_EXITED, ESRCH,
			   "exited; PID %d now belongs to another process",
			   (int)r->pid);
		return false;
	}
	return true;
}

/* Fill the columns that need /proc for a PID taken from cgroup.procs, each
 * fact from one file: status has the name, the resident set (VmRSS: exact,
 * where stat's rss lacks the per-CPU deltas on 6.2 and later) and NSpid
 * (the container note); stat is read only for the start time, which START
 * shows and --atomic's rollback needs to tell a reused PID. ahead.c reads
 * the same facts on a second thread for --from. */
void mc_step_proc_cols(struct mc_move *mv, struct mc_move_rec *r)
{
	unsigned want = mc_facts_want(mv);
	struct mc_facts f;

	if (!want)
		return;
	mc_facts_read(mv->req.m, r->pid, want, &f);
	mc_facts_apply(mv, r, want, &f);
}

/* Page attribution of pid into res, for --exact and prediction. False when
 * not asked, or the process is gone (an ordinary outcome). */
bool mc_step_attribute(struct mc_move *mv, pid_t pid,
		       struct mc_pages_result *res)
{
	struct mc_error e;

	if (!mv->pages)
		return false;
	if (mc_pages_attribute(mv->pages, pid, res, &e) == 0)
		return true;
	if (e.code != ESRCH)
		mc_step_notice(mv, "%s", e.msg);
	mc_pages_reset(res);
	return false;
}

uint64_t mc_step_bytes_in(const struct mc_pages_result *res, uint64_t ino,
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

	r->anon_moved = (int64_t)mc_step_bytes_in(&mv->after, dst, true) -
			(int64_t)mc_step_bytes_in(&mv->before, dst, true);
	r->file_moved = (int64_t)mc_step_bytes_in(&mv->after, dst, false) -
			(int64_t)mc_step_bytes_in(&mv->before, dst, false);
	r->left = mc_step_bytes_in(&mv->after, src, true) +
		  mc_step_bytes_in(&mv->after, src, false);
	r->unseen = mv->after.swapped;
	r->have_exact = r->have_unseen = true;
}

void mc_step_read_room(struct mc_move *mv)
{
	struct mc_room rm;

	mc_step_room(mv, &rm);
	mv->have_room = rm.known;
	mv->room = rm.room;
	free(rm.where);
}

void mc_step_room_warn(struct mc_move *mv, const struct mc_move_rec *r)
{
	char room[MC_SIZE_BUFSZ], rss[MC_SIZE_BUFSZ];

	if (!mv->have_room || !r->have_rss || r->rss <= mv->room ||
	    !(mv->refused || mv->charge == 0))
		return;
	mc_step_notice(mv,
		       "'%s' has room for %s more within its limits; process "
		       "%d has %s resident, which stays charged to its "
		       "source: the OOM killer of '%s' will pick it first",
		       mv->dst.path, mc_size_human(room, sizeof(room), mv->room),
		       (int)r->pid, mc_size_human(rss, sizeof(rss), r->rss),
		       mv->dst.path);
}

/* --also, after the memory move: the other hierarchies. A failure there
 * does not undo the memory move; the row says what happened. */
static void move_also(struct mc_move *mv, struct mc_move_rec *r)
{
	const char *done = "";
	struct mc_error e;
	int rc;

	if (!mv->also)
		return;
	rc = mc_also_move(mv->also, r->pid, &done, &e);
	free(r->also);
	r->also = strdup(done);
	/* gone since its memory move: nothing left to move elsewhere */
	if (rc == 0 || e.code == ESRCH)
		return;
	r->also_failed = true;
	r->err = e.code;
	r->msg = strdup(e.msg);
}

/* Move one process. Returns false when the run must stop (--atomic). */
bool mc_step_move(struct mc_move *mv, struct mc_move_rec *r, struct mc_carry *c)
{
	uint64_t t0;
	bool seen;
	char why[700];
	int err;

	if (mv->req.progress)
		mv->req.progress((size_t)(r - mv->recs) + 1,
				 mv->progress_total > mv->nrecs
					 ? mv->progress_total
					 : mv->nrecs);
	if (r->validated && !mc_step_same_process(mv, r))
		return true;
	/* the page walks stay outside the usage readings: they take time */
	seen = mc_step_attribute(mv, r->pid, &mv->before);
	mc_step_read_before(mv, r, c);
	t0 = mc_step_now_us();
	err = mv->ops->attach(mv->dst_procs_fd, r->pid);
	r->time_us = mc_step_now_us() - t0;
	r->have_time = true;
	read_after(mv, r, c);
	/* a difference needs both walks */
	if (err == 0 && seen && mc_step_attribute(mv, r->pid, &mv->after))
		exact_cols(mv, r);
	if (err == 0) {
		mc_rec_set(r, MC_MOVED, 0, NULL);
		mc_step_room_warn(mv, r);
		move_also(mv, r);
		if (r->have_before && r->have_after) {
			r->moved = mc_moved_rule(mv->origins[r->origin].rel,
						 r->src_before, r->src_after,
						 r->dst_before, r->dst_after,
						 mv->slack, &r->noisy);
			r->have_moved = true;
		}
		return true;
	}
	if (err == ESRCH) {
		/* the kernel found no such process: it exited */
		mc_rec_set(r, MC_EXITED, ESRCH, "exited during the move");
		return true;
	}
	if (err == EINTR) {
		mc_rec_set(r, MC_NOT_ATTEMPTED, EINTR, "interrupted");
		return false;
	}
	if (err == ENOMEM)
		explain_nomem(mv, r);
	else if (mc_dest_v2_why(err, &mv->dst, why, sizeof(why)))
		mc_rec_set(r, MC_FAILED, err, "%s", why);
	else
		mc_rec_set(r, MC_FAILED, err, "%s", strerror(err));
	r->moved = 0;
	r->have_moved = true;
	return !mv->req.atomic;
}

bool mc_step_stopped(struct mc_move *mv)
{
	if (mv->req.stop && *mv->req.stop && !mv->interrupted)
		mv->interrupted = *mv->req.stop;
	return mv->interrupted != 0;
}

void mc_rec_mark_rest(struct mc_move *mv, size_t from)
{
	for (size_t i = from; i < mv->nrecs; i++)
		if (mv->recs[i].status == MC_PLANNED)
			mc_rec_set(&mv->recs[i], MC_NOT_ATTEMPTED, 0, "%s",
				   mv->interrupted ? "interrupted"
						   : "run stopped");
}
