/* Page attribution, the process side: its mappings from /proc/PID/maps,
 * their page frames from /proc/PID/pagemap, read in chunks, with
 * PAGEMAP_SCAN (6.7+) to skip what is not populated and to find the pages
 * mapped huge, gathered as runs of consecutive frames. */
#include "core/pages_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a chunk of pagemap: runs of frames ---- */

static int exited(pid_t pid, struct mc_error *e)
{
	return mc_errx(e, ESRCH, "process %d exited", (int)pid);
}

/* The PMD-mapped huge ranges of [first, first + n) pages, from
 * PAGEMAP_SCAN (6.7+): a PMD maps one folio, and a folio is charged to
 * one memory cgroup (folio_memcg), so one frame of each PMD names the
 * cgroup of all 512 (fs/proc/task_mmu.c, pagemap_thp_category). x86-64
 * only: there every huge mapping is a PMD or a PUD; elsewhere cont-PTE
 * hugetlb pages are smaller than a PMD. */
static void find_huge(struct mc_pages *ctx, int pm, uint64_t first,
		      uint64_t n)
{
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.start = first * ctx->page,
		.end = (first + n) * ctx->page,
		.vec = (uintptr_t)ctx->regions,
		.vec_len = ctx->capregions,
		.category_mask = PAGE_IS_HUGE | PAGE_IS_PRESENT,
		.return_mask = PAGE_IS_HUGE | PAGE_IS_PRESENT,
	};
	int got;

	ctx->nregions = 0;
#ifdef __x86_64__
	if (!ctx->scan)
		return;
	got = ioctl(pm, PAGEMAP_SCAN, &a);
	ctx->st.huge_scans++;
	if (got < 0 && (errno == ENOTTY || errno == EINVAL))
		ctx->scan = false; /* before 6.7: the per-page path */
	/* a full vector leaves the rest to the per-page path: still exact */
	ctx->nregions = got > 0 ? (size_t)got : 0;
#else
	(void)pm;
	(void)a;
	(void)got;
#endif
}

static ssize_t read_pagemap(struct mc_pages *ctx, int pm, uint64_t first,
			    uint64_t n, struct mc_error *e)
{
	ssize_t got = pread(pm, ctx->pm, n * 8, (off_t)(first * 8));

	if (got < 0 && (errno == ESRCH || errno == ENOENT))
		return exited(ctx->pid, e);
	if (got < 0)
		return mc_err(e, errno, "cannot read /proc/%d/pagemap",
			      (int)ctx->pid);
	ctx->st.pagemap_reads++;
	/* the kernel reads nothing once the process has no memory left
	 * (fs/proc/task_mmu.c, pagemap_read: !mmget_not_zero) */
	if (got < 8)
		return exited(ctx->pid, e);
	return got / 8;
}

static void push(struct mc_pages *ctx, uint64_t pfn, uint64_t len,
		 bool file, bool huge)
{
	ctx->runs[ctx->nruns++] = (struct run){ pfn, (uint32_t)len, file,
						huge };
}

struct cursor {
	uint64_t first;		/* page number of pm[0] */
	size_t n;		/* entries */
	size_t region;		/* next huge range to consider */
};

/* How many entries from i lie in one PMD of a huge range (0 if i is in
 * none); *limit is where the next huge range starts. */
static size_t huge_at(struct mc_pages *ctx, struct cursor *c, size_t i,
		      size_t *limit)
{
	uint64_t vpn = c->first + i, start, end, pmd_end;
	const struct page_region *rg;

	while (c->region < ctx->nregions &&
	       ctx->regions[c->region].end / ctx->page <= vpn)
		c->region++;
	*limit = c->n;
	if (c->region == ctx->nregions)
		return 0;
	rg = &ctx->regions[c->region];
	start = rg->start / ctx->page;
	if (start > vpn) {
		*limit = start - c->first < c->n ? start - c->first : c->n;
		return 0;
	}
	end = rg->end / ctx->page;
	pmd_end = (vpn / ctx->pmd_pages + 1) * ctx->pmd_pages;
	if (end > pmd_end)
		end = pmd_end;
	return end - vpn < c->n - i ? end - vpn : c->n - i;
}

static bool follows(uint64_t prev, uint64_t v)
{
	return (v & PM_PRESENT) && (v & PM_FILE) == (prev & PM_FILE) &&
	       (v & PM_PFN_MASK) == (prev & PM_PFN_MASK) + 1;
}

/* Entries from i on consecutive frames, at most max of them. */
static size_t run_len(const uint64_t *pm, size_t i, size_t max)
{
	size_t k = 1;

	while (k < max && follows(pm[i + k - 1], pm[i + k]))
		k++;
	return k;
}

static int take_entries(struct mc_pages *ctx, struct mc_pages_result *out,
			struct cursor *c, struct mc_error *e)
{
	for (size_t i = 0; i < c->n;) {
		uint64_t v = ctx->pm[i];
		size_t limit, huge, len;

		if (!(v & PM_PRESENT)) {
			if (v & PM_SWAP)
				out->swapped += ctx->page;
			i++;
			continue;
		}
		if (!(v & PM_PFN_MASK))
			return mc_errx(e, EPERM,
				       "/proc/%d/pagemap shows no page frame "
				       "numbers: reading them needs "
				       "CAP_SYS_ADMIN (run as root)",
				       (int)ctx->pid);
		huge = huge_at(ctx, c, i, &limit);
		/* a huge range that changed since the scan fails the
		 * contiguity check and goes the per-page way */
		len = run_len(ctx->pm, i, huge ? huge : limit - i);
		push(ctx, v & PM_PFN_MASK, len, v & PM_FILE, huge == len);
		i += len;
	}
	return 0;
}

/* Every page of [first, end), entry by entry. */
static int walk_dense(struct mc_pages *ctx, int pm, uint64_t first,
		      uint64_t end, struct mc_pages_result *out,
		      struct mc_error *e)
{
	while (first < end) {
		uint64_t n = end - first < CHUNK ? end - first : CHUNK;
		struct cursor c = { first, 0, 0 };
		ssize_t got;

		if (ctx->nruns + n > BATCH && pages_flush(ctx, out, e) < 0)
			return -1;
		find_huge(ctx, pm, first, n);
		got = read_pagemap(ctx, pm, first, n, e);
		if (got < 0)
			return -1;
		c.n = (size_t)got;
		if (take_entries(ctx, out, &c, e) < 0)
			return -1;
		first += (uint64_t)got;
	}
	return 0;
}

/* Only the populated (present or swapped) ranges of [first, end), found
 * by PAGEMAP_SCAN (6.7+), which skips empty page tables: a sanitizer's
 * terabytes of reserved shadow, read entry by entry, would be gigabytes of
 * zeros. Kernels without it read every entry. */
static int walk_range(struct mc_pages *ctx, int pm, uint64_t first,
		      uint64_t end, struct mc_pages_result *out,
		      struct mc_error *e)
{
	while (ctx->scan && first < end) {
		struct pm_scan_arg a = {
			.size = sizeof(a),
			.start = first * ctx->page,
			.end = end * ctx->page,
			.vec = (uintptr_t)ctx->spans,
			.vec_len = NSPANS,
			.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
			.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		};
		int got = ioctl(pm, PAGEMAP_SCAN, &a);

		if (got < 0 && (errno == ENOTTY || errno == EINVAL)) {
			ctx->scan = false; /* before 6.7 */
			break;
		}
		if (got < 0)
			return errno == ESRCH || errno == ENOENT
				       ? exited(ctx->pid, e)
				       : mc_err(e, errno, "cannot scan "
						"/proc/%d/pagemap",
						(int)ctx->pid);
		for (int i = 0; i < got; i++)
			if (walk_dense(ctx, pm, ctx->spans[i].start / ctx->page,
				       ctx->spans[i].end / ctx->page, out,
				       e) < 0)
				return -1;
		if (a.walk_end >= end * ctx->page)
			return 0;
		first = a.walk_end / ctx->page;
	}
	return walk_dense(ctx, pm, first, end, out, e);
}

/* ---- a process ---- */

static FILE *open_maps(struct mc_pages *ctx, struct mc_error *e)
{
	char rel[64], path[PATH_MAX];
	FILE *f;

	snprintf(rel, sizeof(rel), "/proc/%d/maps", (int)ctx->pid);
	mc_sysroot_path(ctx->m, path, sizeof(path), rel);
	f = fopen(path, "re");
	if (!f && (errno == ENOENT || errno == ESRCH))
		return mc_errx(e, ESRCH, "process %d does not exist",
			       (int)ctx->pid), NULL;
	if (!f)
		return mc_err(e, errno, "cannot open '%s'", path), NULL;
	/* /proc says 1 KiB blocks; a map of many mappings wants fewer reads
	 * (glibc ignores the size unless it is given the buffer) */
	setvbuf(f, ctx->maps_buf, _IOFBF, sizeof(ctx->maps_buf));
	return f;
}

static int open_pagemap(struct mc_pages *ctx, struct mc_error *e)
{
	char rel[64], path[PATH_MAX];
	int fd;

	snprintf(rel, sizeof(rel), "/proc/%d/pagemap", (int)ctx->pid);
	mc_sysroot_path(ctx->m, path, sizeof(path), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ESRCH))
		return exited(ctx->pid, e);
	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s'", path);
	return fd;
}

/* "start-end perms ..." in hex, as page numbers. */
static bool parse_range(const char *line, uint64_t page, uint64_t *first,
			uint64_t *end)
{
	char *p;
	uint64_t a = strtoull(line, &p, 16), b;

	if (*p != '-')
		return false;
	b = strtoull(p + 1, &p, 16);
	if (*p != ' ' || b < a)
		return false;
	*first = a / page;
	*end = b / page;
	return true;
}

static int walk_maps(struct mc_pages *ctx, FILE *maps, int pm,
		     struct mc_pages_result *out, struct mc_error *e)
{
	uint64_t first, end;

	errno = 0;
	while (getline(&ctx->line, &ctx->linecap, maps) > 0) {
		if (!parse_range(ctx->line, ctx->page, &first, &end))
			continue;
		/* pagemap reads nothing above the task's size ([vsyscall]) */
		if (first * ctx->page >= KERNEL_HALF)
			continue;
		if (walk_range(ctx, pm, first, end, out, e) < 0)
			return -1;
		errno = 0;
	}
	if (ferror(maps))
		return errno == ESRCH || errno == ENOENT
			       ? exited(ctx->pid, e)
			       : mc_err(e, errno, "cannot read /proc/%d/maps",
					(int)ctx->pid);
	return 0;
}

/* maps and pagemap read nothing once the process is gone, which would pass
 * for an empty one: ask pagemap once more at the end. */
static int still_there(struct mc_pages *ctx, int pm, struct mc_error *e)
{
	return read_pagemap(ctx, pm, 0, 1, e) < 0 ? -1 : 0;
}

int pages_walk(struct mc_pages *ctx, struct mc_pages_result *out,
	       struct mc_error *e)
{
	FILE *maps = open_maps(ctx, e);
	int pm = -1, rc = -1;

	if (!maps)
		return -1;
	pm = open_pagemap(ctx, e);
	if (pm >= 0 && walk_maps(ctx, maps, pm, out, e) == 0 &&
	    pages_flush(ctx, out, e) == 0 && still_there(ctx, pm, e) == 0)
		rc = 0;
	if (pm >= 0)
		close(pm);
	fclose(maps);
	return rc;
}
