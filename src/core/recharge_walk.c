/* Recharge, the walk: every range of a mapping that may hold a present or
 * a swapped page, read a chunk at a time (recharge_frames.c), counted and
 * handed to the caller, and tallied. */
#include "core/recharge_impl.h"

#include <errno.h>
#include <sys/ioctl.h>

#define RC_SPANS 256	/* populated spans asked of PAGEMAP_SCAN at once */

#ifndef PAGEMAP_SCAN
/* include/uapi/linux/fs.h, Linux 6.7 and later */
struct page_region {
	uint64_t start, end, categories;
};

struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT	(1 << 3)
#define PAGE_IS_SWAPPED	(1 << 4)
#endif

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
		uint64_t end = b - a > RC_CHUNK ? (a + RC_CHUNK) / huge * huge
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
