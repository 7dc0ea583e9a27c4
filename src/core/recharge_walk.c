/* Recharge, the walk: every range of a mapping that may hold a present or
 * a swapped page, read a chunk at a time (recharge_frames.c), counted and
 * handed to the caller, and tallied; and the plan's walk on a thread of its
 * own, the ranges it has planned acted on meanwhile. */
#include "core/recharge_impl.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/thread.h"

#define RC_SPANS 256	/* populated spans asked of PAGEMAP_SCAN at once */

#include "core/pagemap_scan.h"

static void tally(struct rc_tally *t, const struct rc_count *c)
{
	t->present += c->present;
	t->src_anon += c->src_anon;
	t->src_file += c->src_file;
	t->dst_anon += c->dst_anon;
	t->dst_file += c->dst_file;
}

/* Every range of pages [a, b), a and b on range boundaries or a mapping's
 * ends. */
static int walk_dense(struct rc_frames *f, uint64_t a, uint64_t b,
		      rc_range_fn fn, void *arg, struct mc_error *e)
{
	uint64_t huge = f->pmd_pages;

	while (a < b) {
		uint64_t end = b - a > f->chunk ? (a + f->chunk) / huge * huge
						: b;

		if (rc_frames_load(f, a, end - a, e) < 0)
			return -1;
		for (uint64_t cur = a; cur < end;) {
			uint64_t next = (cur / huge + 1) * huge;
			struct rc_count c;

			if (next > end)
				next = end;
			rc_frames_count(f, cur - a, next - cur, &c);
			tally(&f->tally, &c);
			if (fn(arg, f, cur * f->page, (next - cur) * f->page,
			       &c, e) < 0)
				return -1;
			cur = next;
		}
		a = end;
	}
	return 0;
}

/* The populated spans of [a, b) from PAGEMAP_SCAN (6.7+), widened to
 * whole ranges: what holds neither a present nor a swapped page is not
 * read (a sanitizer's terabytes of reserved shadow). 1 when the kernel
 * has no PAGEMAP_SCAN. */
static int walk_spans(struct rc_frames *f, uint64_t a, uint64_t b,
		      rc_range_fn fn, void *arg, struct mc_error *e)
{
	struct page_region spans[RC_SPANS];
	uint64_t huge = f->pmd_pages, from = 0, to = 0, cur = a;

	while (cur < b) {
		struct pm_scan_arg s = {
			.size = sizeof(s),
			.start = cur * f->page,
			.end = b * f->page,
			.vec = (uintptr_t)spans,
			.vec_len = RC_SPANS,
			.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
			.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		};
		int got = ioctl(f->pm_fd, PAGEMAP_SCAN, &s);

		if (got < 0 && cur == a && (errno == ENOTTY || errno == EINVAL))
			return 1;
		if (got < 0 && (errno == ESRCH || errno == ENOENT))
			return mc_errx(e, ESRCH, "process %d exited",
				       (int)f->pid);
		if (got < 0)
			return mc_err(e, errno, "cannot scan /proc/%d/pagemap",
				      (int)f->pid);
		for (int i = 0; i < got; i++) {
			uint64_t s0 = spans[i].start / f->page / huge * huge;
			uint64_t s1 = (spans[i].end / f->page + huge - 1) /
				      huge * huge;

			s0 = s0 < a ? a : s0;
			s1 = s1 > b ? b : s1;
			if (to && s0 <= to) {
				to = s1 > to ? s1 : to;
				continue;
			}
			if (to && walk_dense(f, from, to, fn, arg, e) < 0)
				return -1;
			from = s0;
			to = s1;
		}
		if (s.walk_end <= cur * f->page)
			break;
		cur = s.walk_end / f->page;
	}
	return to ? walk_dense(f, from, to, fn, arg, e) : 0;
}

int rc_frames_walk(struct rc_frames *f, uint64_t start, uint64_t end,
		   rc_range_fn fn, void *arg, struct mc_error *e)
{
	uint64_t a = start / f->page, b = end / f->page;
	int rc;

	if (f->scan) {
		rc = walk_spans(f, a, b, fn, arg, e);
		if (rc <= 0)
			return rc;
		f->scan = false;	/* before 6.7: every entry */
	}
	return walk_dense(f, a, b, fn, arg, e);
}

/* ---- the plan's walk ahead ---- */

static void *walk_ahead(void *arg)
{
	struct rc_ahead *a = arg;
	int rc;

	rc = rc_plan_build(a->plan, a->p, a->f, false, &a->e);

	pthread_mutex_lock(&a->mu);
	a->rc = rc;
	a->walked = true;
	pthread_cond_broadcast(&a->grew);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

int rc_ahead_start(struct rc_ahead *a, struct rc_plan *plan,
		   const struct rc_policy *p, struct rc_frames *f,
		   bool dry_run, struct mc_error *e)
{
	memset(a, 0, sizeof(*a));
	a->plan = plan;
	a->p = p;
	a->f = f;
	a->walked = true;
	/* a dry run acts on nothing: its plan first, whole */
	if (dry_run)
		return rc_plan_build(plan, p, f, true, e);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->grew, NULL);
	a->walked = false;
	plan->mu = &a->mu;
	plan->grew = &a->grew;
	/* signals are the caller's: they end its sleeps (--rate); it starts
	 * on another CPU (thread.h: 7 to 11 ms alone on the caller's in the
	 * 6.1 guest otherwise, while the caller waits for its first range) */
	if (mc_thread_start(&a->thread, walk_ahead, a) == 0) {
		a->on = true;
		return 0;
	}
	/* no thread: the walk first, then the calls */
	a->walked = true;
	plan->mu = NULL;
	plan->grew = NULL;
	pthread_cond_destroy(&a->grew);
	pthread_mutex_destroy(&a->mu);
	return rc_plan_build(plan, p, f, false, e);
}

bool rc_ahead_get(struct rc_ahead *a, size_t k, struct rc_seg *s)
{
	bool have;

	if (!a->on) {
		if (k >= a->plan->n)
			return false;
		*s = a->plan->v[k];
		return true;
	}
	pthread_mutex_lock(&a->mu);
	while (k >= a->plan->n && !a->walked)
		pthread_cond_wait(&a->grew, &a->mu);
	/* a walk that failed leaves a plan that is no plan */
	have = k < a->plan->n && a->rc == 0;
	if (have)
		*s = a->plan->v[k];
	pthread_mutex_unlock(&a->mu);
	return have;
}

void rc_ahead_put(struct rc_ahead *a, size_t k, const struct rc_seg *s)
{
	if (a->on)
		pthread_mutex_lock(&a->mu);
	a->plan->v[k] = *s;
	if (a->on)
		pthread_mutex_unlock(&a->mu);
}

int rc_ahead_finish(struct rc_ahead *a, struct mc_error *e)
{
	if (!a->on)
		return 0;
	pthread_join(a->thread, NULL);
	a->on = false;
	a->plan->mu = NULL;
	a->plan->grew = NULL;
	pthread_cond_destroy(&a->grew);
	pthread_mutex_destroy(&a->mu);
	if (a->rc < 0)
		*e = a->e;
	return a->rc;
}
