/* Recharge, the run: DEST's room over its ancestors, the kernel calls
 * range by range on a pidfd as the walk plans them, and the figures from
 * the walks before and after. The plan and its rules are in
 * recharge_plan.c; what the host offers in recharge_host.c. */
#include "core/recharge_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/proc.h"

#define RC_MAX_RUNS 256	/* iovecs a call (UIO_MAXIOV is 1024) */

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL	/* include/uapi/linux/pidfd.h, 6.9 */
#endif

static const char *const reason_names[MC_LEFT_NREASONS] = {
	[MC_LEFT_SPARSE] = "sparse",	 [MC_LEFT_HUGE] = "huge",
	[MC_LEFT_SHARED] = "shared",	 [MC_LEFT_SWAPPED] = "swapped",
	[MC_LEFT_LOCKED] = "locked",	 [MC_LEFT_LIMIT] = "limit",
	[MC_LEFT_UNALIGNED] = "unaligned", [MC_LEFT_UNMAPPED] = "unmapped",
	[MC_LEFT_KERNEL] = "kernel",	 [MC_LEFT_COW] = "cow",
	[MC_LEFT_DIRTY] = "dirty",	 [MC_LEFT_STOPPED] = "stopped",
};

const char *mc_left_reason_name(enum mc_left_reason r)
{
	return (unsigned)r < MC_LEFT_NREASONS ? reason_names[r] : "?";
}

/* ---- the run ---- */

/* The limit and usage files of one cgroup, open for the run: read again
 * before each range, a pread each. -1: could not be opened. */
struct rc_limit {
	int limit_fd, usage_fd;
};

struct rc_run {
	const struct mc_recharge_req *req;
	struct mc_recharge_res *res;
	struct rc_policy pol;
	struct rc_frames f;	/* the plan's walk's, then the measure's */
	struct rc_frames pf;	/* the page outs' */
	struct rc_plan plan;
	struct rc_ahead ahead;
	struct rc_limit *lim;	/* DEST and its ancestors but the root */
	size_t nlim;
	int pidfd, pidfd_err;
	uint64_t t0, acted;	/* for the rate */
	uint64_t promised;	/* paged out, to refault into DEST */
	uint64_t used;		/* dry run: what the ranges would take */
	bool room_read, no_room;
	uint64_t room0;		/* dry run: the room read once */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void room_of(const struct rc_limit *l, uint64_t *room)
{
	uint64_t limit, usage;
	struct mc_error ignored;

	if (l->limit_fd < 0 ||
	    mc_fd_read_limit(l->limit_fd, &limit, "limit", &ignored) < 0) {
		*room = 0;	/* unreadable: assume none, never OOM */
		return;
	}
	if (limit == MC_UNLIMITED)
		return;
	if (l->usage_fd < 0 ||
	    mc_fd_read_u64(l->usage_fd, &usage, "usage", &ignored) < 0)
		usage = limit;
	if (limit - (usage < limit ? usage : limit) < *room)
		*room = limit - (usage < limit ? usage : limit);
}

/* The least room over DEST and its ancestors, re-read: page counters
 * charge every ancestor (docs §2.4). UINT64_MAX without a limit. */
static uint64_t room_now(struct rc_run *r)
{
	uint64_t room = UINT64_MAX;

	for (size_t i = 0; i < r->nlim; i++)
		room_of(&r->lim[i], &room);
	return room;
}

static int add_limit(struct rc_run *r, const struct mc_cgroup *cg,
		     struct mc_error *e)
{
	const struct mc_memfiles *mf = mc_memfiles(cg->hier->type);
	struct rc_limit *v = realloc(r->lim, (r->nlim + 1) * sizeof(*v));

	if (!v)
		return mc_err(e, ENOMEM, "cannot allocate");
	r->lim = v;
	v[r->nlim].limit_fd = mc_cgroup_openat(cg, mf->limit, O_RDONLY, e);
	v[r->nlim].usage_fd = mc_cgroup_openat(cg, mf->usage, O_RDONLY, e);
	r->nlim++;
	/* a file that cannot be opened reads as no room (room_of) */
	mc_err_clear(e);
	return 0;
}

/* DEST, then from its parent up to the mount's root; the root has no
 * limit. */
static int open_limits(struct rc_run *r, struct mc_error *e)
{
	const struct mc_cgroup *dst = r->req->dst;
	char *path = strdup(dst->path), *slash;
	struct mc_cgroup anc;

	if (!path)
		return mc_err(e, ENOMEM, "cannot allocate");
	if (!dst->is_root && add_limit(r, dst, e) < 0) {
		free(path);
		return -1;
	}
	while (strcmp(path, dst->hier->root) && strcmp(path, "/")) {
		slash = strrchr(path, '/');
		slash[slash == path] = '\0';
		if (mc_cgroup_open(&anc, r->req->m, dst->hier, path, 0, e) < 0)
			break;
		if (!anc.is_root && add_limit(r, &anc, e) < 0) {
			mc_cgroup_close(&anc);
			free(path);
			return -1;
		}
		mc_cgroup_close(&anc);
	}
	free(path);
	/* an ancestor that cannot be opened is not a limit we know of */
	mc_err_clear(e);
	return 0;
}

static void close_limits(struct rc_run *r)
{
	for (size_t i = 0; i < r->nlim; i++) {
		if (r->lim[i].limit_fd >= 0)
			close(r->lim[i].limit_fd);
		if (r->lim[i].usage_fd >= 0)
			close(r->lim[i].usage_fd);
	}
	free(r->lim);
}

static bool has_room(struct rc_run *r, uint64_t need)
{
	uint64_t room, owed = r->promised + r->used;

	if (!r->req->dry_run) {
		room = room_now(r);
	} else {
		if (!r->room_read)
			r->room0 = room_now(r);
		r->room_read = true;
		room = r->room0;
	}
	if (room == UINT64_MAX)
		return true;
	return room >= owed && rc_room_ok(room - owed, need);
}

/* ---- the kernel calls ---- */

static void open_pidfd(struct rc_run *r)
{
	pid_t tid = r->req->tid;

	r->pidfd = -1;
	if (r->req->ops)
		return;
	/* a leader that exited has no mm: a live thread's pidfd (6.9+) */
	if (tid && tid != r->req->pid)
		r->pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	else
		r->pidfd = (int)syscall(SYS_pidfd_open, r->req->pid, 0);
	r->pidfd_err = r->pidfd < 0 ? errno : 0;
}

/* 0 or the errno of the kernel's refusal. */
static int advise(struct rc_run *r, const struct iovec *iov, size_t n,
		  int advice)
{
	r->res->calls++;
	if (r->req->ops)
		return r->req->ops->advise(r->req->ops->arg, r->pidfd, iov, n,
					   advice);
	if (r->pidfd < 0)
		return r->pidfd_err;
	/* one call per range: atomic as far as we are concerned */
	if (syscall(SYS_process_madvise, r->pidfd, iov, n, advice, 0) < 0)
		return errno;
	return 0;
}

static int advise_range(struct rc_run *r, const struct rc_seg *s, int advice)
{
	struct iovec iov = { (void *)(uintptr_t)s->start, s->len };

	return advise(r, &iov, 1, advice);
}

static int advise_first(struct rc_run *r, const struct rc_seg *s, int advice)
{
	struct iovec iov = { (void *)(uintptr_t)s->start, r->pol.page };

	return advise(r, &iov, 1, advice);
}

/* MADV_PAGEOUT over the runs of file pages charged to the source that
 * only this process maps: others' mappings of a page stay untouched. The
 * pages are read again first: they may have changed since the plan. */
static int pageout(struct rc_run *r, struct rc_seg *s, int *err,
		   struct mc_error *e)
{
	struct iovec iov[RC_MAX_RUNS];
	struct rc_count c;
	uint64_t n = s->len / r->pol.page;
	size_t k = 0;

	*err = 0;
	if ((r->pf.pm_fd < 0 &&
	     rc_frames_open(&r->pf, r->req->m, r->f.pid, r->f.src, r->f.dst,
			    e) < 0) ||
	    rc_frames_scan(&r->pf, s->start, s->len, &c, e) < 0)
		return -1;
	for (uint64_t i = 0; i < n && !*err; i++) {
		char *at = (char *)(uintptr_t)(s->start + i * r->pol.page);

		if (!rc_frames_dropable(&r->pf, i))
			continue;
		if (k && (char *)iov[k - 1].iov_base + iov[k - 1].iov_len == at) {
			iov[k - 1].iov_len += r->pol.page;
			continue;
		}
		if (k == RC_MAX_RUNS) {
			*err = advise(r, iov, k, MADV_PAGEOUT);
			k = 0;
		}
		iov[k++] = (struct iovec){ at, r->pol.page };
	}
	if (k && !*err)
		*err = advise(r, iov, k, MADV_PAGEOUT);
	return 0;
}

/* Sleep so that the bytes acted on so far keep to the rate. */
static void pace(struct rc_run *r, uint64_t bytes)
{
	uint64_t due, now;
	struct timespec ts;

	if (!r->req->rate)
		return;
	due = r->t0 + (uint64_t)((double)r->acted * 1e9 / (double)r->req->rate);
	r->acted += bytes;
	now = now_ns();
	if (due <= now)
		return;
	ts.tv_sec = (time_t)((due - now) / 1000000000u);
	ts.tv_nsec = (long)((due - now) % 1000000000u);
	/* a signal ends the sleep: the stop flag is checked next */
	nanosleep(&ts, NULL);
}

/* The calls for one range: 0 with *err the kernel's answer, or -1. */
static int call(struct rc_run *r, struct rc_seg *s, int *err,
		struct mc_error *e)
{
	switch (s->action) {
	case RC_PAGEOUT:
		return pageout(r, s, err, e);
	case RC_SPLIT_COLLAPSE:
		/* without swap, page out splits the THP in place (docs §9):
		 * over its first page only, which the kernel splits off
		 * (madvise_cold_or_pageout_pte_range) and, finding no swap,
		 * leaves; over the whole range it would try to reclaim the
		 * huge page, then each of its pages */
		*err = advise_first(r, s, MADV_PAGEOUT);
		if (*err)
			return 0;
		/* fall through */
	default:
		*err = advise_range(r, s, MADV_COLLAPSE);
		/* a page off the LRU or locked for a moment: "trying again
		 * might succeed" (madvise_collapse_errno), once */
		if (*err == EAGAIN)
			*err = advise_range(r, s, MADV_COLLAPSE);
		return 0;
	}
}

static uint64_t need_of(const struct rc_run *r, const struct rc_seg *s)
{
	/* a collapse charges a whole huge page to DEST before it frees the
	 * small ones; what is paged out comes back on its next touch */
	if (s->action == RC_PAGEOUT)
		return (uint64_t)s->before.src_dropable * r->pol.page;
	return s->len;
}

/* One range: the stop flag, the room, the calls. -1 on an error; an exit
 * of the process sets res->exited. */
static int act(struct rc_run *r, struct rc_seg *s, struct mc_error *e)
{
	uint64_t need = need_of(r, s);
	int err = 0;

	if (r->req->stop && *r->req->stop) {
		r->res->stopped = true;
		s->reason = MC_LEFT_STOPPED;
		return 0;
	}
	if (r->no_room || !has_room(r, need)) {
		/* no room now: the rest waits for none (DESIGN, Decisions) */
		r->no_room = true;
		s->reason = MC_LEFT_LIMIT;
		return 0;
	}
	r->res->ranges++;
	if (r->req->dry_run && s->nohuge && s->action != RC_PAGEOUT) {
		/* what the kernel answers (vma_thp_disabled) */
		s->err = EINVAL;
		if (!r->res->kernel_errno)
			r->res->kernel_errno = EINVAL;
		return 0;
	}
	if (r->req->dry_run) {
		r->used += need;
		s->done = true;
		return 0;
	}
	pace(r, need);
	if (call(r, s, &err, e) < 0)
		return e->code == ESRCH ? (r->res->exited = true, 0) : -1;
	if (err == ESRCH) {
		r->res->exited = true;
		return 0;
	}
	s->err = err;
	s->done = !err;
	s->reason = MC_LEFT_KERNEL;	/* for whatever stays */
	if (err && !r->res->kernel_errno)
		r->res->kernel_errno = err;
	if (!err && s->action == RC_PAGEOUT)
		r->promised += need;
	return 0;
}

/* The ranges in order, as the walk plans them. */
static int run_plan(struct rc_run *r, struct mc_error *e)
{
	struct rc_seg s;

	r->t0 = now_ns();
	for (size_t k = 0; !r->res->exited && rc_ahead_get(&r->ahead, k, &s);
	     k++) {
		if (s.action != RC_NOTHING && act(r, &s, e) < 0)
			return -1;
		rc_ahead_put(&r->ahead, k, &s);
	}
	return 0;
}

/* ---- the measurement ---- */

/* The task whose /proc files show the process's memory: a leader that
 * exited has no mm, and its pagemap and maps read empty; a live thread's
 * show the same address space. */
static pid_t task_of(const struct mc_recharge_req *req)
{
	return req->tid ? req->tid : req->pid;
}

static uint64_t moved(uint64_t src_before, uint64_t src_after,
		      uint64_t dst_before, uint64_t dst_after)
{
	uint64_t left_src = src_before > src_after ? src_before - src_after : 0;
	uint64_t came = dst_after > dst_before ? dst_after - dst_before : 0;

	/* what left the source and arrived in DEST: a process that frees
	 * or allocates meanwhile moves either figure, not both */
	return left_src < came ? left_src : came;
}

/* From the pages the walks before and after saw (by kpagecgroup). */
static void result(struct rc_run *r, const struct rc_tally *b,
		   const struct rc_tally *a)
{
	struct mc_recharge_res *res = r->res;
	uint64_t pg = r->pol.page;

	res->rss_after = a->present * pg;
	res->recharged_anon = moved(b->src_anon, a->src_anon, b->dst_anon,
				    a->dst_anon) * pg;
	res->recharged_file = moved(b->src_file, a->src_file, b->dst_file,
				    a->dst_file) * pg;
	res->recharged = res->recharged_anon + res->recharged_file;
}

static void total_left(struct mc_recharge_res *res)
{
	res->left = 0;
	for (int i = 0; i < MC_LEFT_NREASONS; i++)
		res->left += res->left_by[i];
}

/* ---- the entry point ---- */

/* Nothing to recharge: gone, a zombie, a kernel thread (no memory). */
static bool nothing_there(const struct mc_recharge_req *req)
{
	struct mc_proc_stat st;
	struct mc_error ignored;

	if (mc_proc_read_stat(req->m, req->pid, &st, &ignored) < 0)
		return true;
	return (st.flags & MC_PF_KTHREAD) ||
	       (st.state == 'Z' && (!req->tid || req->tid == req->pid));
}

static int init_policy(struct rc_run *r, struct mc_error *e)
{
	r->pol.mode = r->req->mode;
	r->pol.swap = r->req->swap;
	r->pol.page = (uint64_t)sysconf(_SC_PAGESIZE);
	r->pol.pmd_pages = r->req->huge_size / r->pol.page;
	/* the frames of one range are read into a page table's worth */
	if (r->req->huge_size % r->pol.page ||
	    r->pol.pmd_pages != r->pol.page / 8)
		return mc_errx(e, EINVAL, "a huge page of %llu bytes is not "
			       "mapped by one page table here",
			       (unsigned long long)r->req->huge_size);
	return 0;
}

/* Gone during the run: an ordinary outcome, nothing to report. */
static int gone(struct mc_recharge_res *res, struct mc_error *e)
{
	memset(res, 0, sizeof(*res));
	res->exited = true;
	mc_err_clear(e);
	return 0;
}

static int measure_end(struct rc_run *r, const struct rc_tally *before,
		       struct mc_error *e)
{
	if (r->req->dry_run) {
		r->res->rss_after = before->present * r->pol.page;
		rc_plan_predict(&r->plan, &r->pol, r->res);
		return 0;
	}
	memset(&r->f.tally, 0, sizeof(r->f.tally));
	if (rc_plan_measure(&r->plan, &r->pol, &r->f, r->res, e) < 0)
		return -1;
	result(r, before, &r->f.tally);
	return 0;
}

static int recharge(struct rc_run *r, struct mc_error *e)
{
	struct rc_tally before;
	struct mc_error walk_e;
	int rc;

	/* the ranges are acted on as the walk plans them: it starts first */
	if (init_policy(r, e) < 0 ||
	    rc_frames_open(&r->f, r->req->m, task_of(r->req), r->req->src_ino,
			   r->req->dst->ino, e) < 0 ||
	    rc_ahead_start(&r->ahead, &r->plan, &r->pol, &r->f,
			   r->req->dry_run, e) < 0)
		return -1;
	rc = open_limits(r, e);
	if (rc == 0 && !r->req->dry_run)
		open_pidfd(r);
	if (rc == 0)
		rc = run_plan(r, e);
	/* the walk's failure first: the plan it left is no plan */
	if (rc_ahead_finish(&r->ahead, &walk_e) < 0) {
		*e = walk_e;
		return -1;
	}
	if (rc < 0)
		return -1;
	before = r->f.tally;
	r->res->rss_before = before.present * r->pol.page;
	if (r->res->exited)
		return 0;
	return measure_end(r, &before, e);
}

int mc_recharge(const struct mc_recharge_req *req,
		struct mc_recharge_res *res, struct mc_error *e)
{
	struct rc_run r = { .req = req, .res = res, .pidfd = -1 };
	int rc;

	memset(res, 0, sizeof(*res));
	r.f.pm_fd = r.f.kpc_fd = r.f.kpf_fd = r.f.cnt_fd = -1;
	r.pf.pm_fd = r.pf.kpc_fd = r.pf.kpf_fd = r.pf.cnt_fd = -1;
	if (nothing_there(req))
		return gone(res, e);
	rc = recharge(&r, e);
	if (rc < 0 && e->code == ESRCH)
		rc = gone(res, e);
	else if (res->exited)
		rc = gone(res, e);
	total_left(res);
	rc_frames_close(&r.f);
	rc_frames_close(&r.pf);
	rc_plan_free(&r.plan);
	close_limits(&r);
	if (r.pidfd >= 0)
		close(r.pidfd);
	return rc;
}
