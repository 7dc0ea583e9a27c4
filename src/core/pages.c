/* Page attribution: each present page of a process, from /proc/PID/pagemap
 * to its page frame, to the memory cgroup /proc/kpagecgroup names for it.
 * It streams: pagemap is read in chunks, the frames of a batch are sorted
 * and kpagecgroup is read in coalesced ranges, so the memory used does not
 * depend on the size of the process, and nothing is allocated per page. */
#include "core/pages.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* pagemap entry bits (docs §4; Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PFN_MASK	((UINT64_C(1) << 55) - 1)
#define PM_FILE		(UINT64_C(1) << 61)
#define PM_SWAP		(UINT64_C(1) << 62)
#define PM_PRESENT	(UINT64_C(1) << 63)

/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_THP			22
#define KPF(bit)		(UINT64_C(1) << (bit))

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
#define PAGE_IS_HUGE	(1 << 6)
#endif
#define NSPANS	256		/* populated ranges asked for at a time */

#define CHUNK	32768		/* pagemap entries a read: 128 MiB of memory */
#define BATCH	(2 * CHUNK)	/* runs sorted together */
#define WINDOW	65536		/* kpagecgroup entries a read, at most */
/* Measured here: one pread costs about as much as reading 4 more entries of
 * kpagecgroup (about 50 ns each), so a hole that small is read through. */
#define GAP	4
#define FLAGS_BLOCK	512	/* kpageflags entries a read */
#define MAX_FOLIO	(1 << 18)	/* how far back a THP head can be */
#define KERNEL_HALF	(UINT64_C(1) << 63)

/* Consecutive pages of the address space on consecutive frames. */
struct run {
	uint64_t pfn;
	uint32_t len;		/* pages */
	uint8_t file;		/* pagemap bit 61 */
	uint8_t huge;		/* one PMD-mapped folio: look up pfn alone */
};

struct mc_pages {
	const struct mc_mounts *m;
	int kpc_fd, kpf_fd;
	bool scan;			/* PAGEMAP_SCAN may be asked */
	uint64_t page;			/* bytes */
	uint64_t pmd_pages;
	pid_t pid;

	uint64_t *pm;			/* CHUNK pagemap entries */
	struct page_region *regions;	/* huge ranges of the chunk */
	struct page_region spans[NSPANS];	/* populated ranges of a VMA */
	size_t nregions, capregions;
	struct run *runs, *tmp;		/* BATCH each */
	size_t nruns;
	uint64_t *kpc;			/* the window of kpagecgroup read */
	uint64_t kpc_base, kpc_len;
	uint64_t kpf[FLAGS_BLOCK];	/* a block of kpageflags */
	char maps_buf[1 << 16];		/* stdio buffer for /proc/PID/maps */
	uint64_t kpf_base;
	bool kpf_valid;
	uint64_t tail_pfn, tail_ino;	/* the last THP tail resolved */
	bool tail_valid;

	uint32_t *hash;			/* ino -> index + 1 into out->v */
	size_t hcap;

	char *line;			/* a line of /proc/PID/maps */
	size_t linecap;
	uint64_t done;			/* bytes attributed so far */
	void (*progress)(void *arg, uint64_t done);
	void *progress_arg;
	struct mc_pages_stats st;
};

/* ---- results ---- */

uint64_t mc_pages_resident(const struct mc_pages_result *r)
{
	uint64_t sum = r->uncharged_anon + r->uncharged_file;

	for (size_t i = 0; i < r->n; i++)
		sum += r->v[i].anon + r->v[i].file;
	return sum;
}

static int cmp_cgroup(const void *a, const void *b)
{
	uint64_t x = ((const struct mc_pages_cgroup *)a)->ino;
	uint64_t y = ((const struct mc_pages_cgroup *)b)->ino;

	return (x > y) - (x < y);
}

const struct mc_pages_cgroup *mc_pages_find(const struct mc_pages_result *r,
					    uint64_t ino)
{
	struct mc_pages_cgroup key = { .ino = ino };

	if (!r->n)
		return NULL;
	return bsearch(&key, r->v, r->n, sizeof(*r->v), cmp_cgroup);
}

void mc_pages_reset(struct mc_pages_result *r)
{
	struct mc_pages_cgroup *v = r->v;
	size_t cap = r->cap;

	memset(r, 0, sizeof(*r));
	r->v = v;
	r->cap = cap;
}

void mc_pages_result_free(struct mc_pages_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* ---- accumulation: a small hash of the cgroups seen ---- */

static size_t hash_of(uint64_t ino, size_t cap)
{
	return (size_t)((ino * UINT64_C(0x9E3779B97F4A7C15)) >> 32) &
	       (cap - 1);
}

static void hash_put(struct mc_pages *ctx, uint64_t ino, size_t idx)
{
	size_t h = hash_of(ino, ctx->hcap);

	while (ctx->hash[h])
		h = (h + 1) & (ctx->hcap - 1);
	ctx->hash[h] = (uint32_t)idx + 1;
}

static int hash_grow(struct mc_pages *ctx, const struct mc_pages_result *out,
		     struct mc_error *e)
{
	size_t cap = ctx->hcap * 2;
	uint32_t *nh = calloc(cap, sizeof(*nh));

	if (!nh)
		return mc_err(e, ENOMEM, "cannot allocate");
	free(ctx->hash);
	ctx->hash = nh;
	ctx->hcap = cap;
	for (size_t i = 0; i < out->n; i++)
		hash_put(ctx, out->v[i].ino, i);
	return 0;
}

static struct mc_pages_cgroup *new_cgroup(struct mc_pages *ctx,
					  struct mc_pages_result *out,
					  uint64_t ino, struct mc_error *e)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		struct mc_pages_cgroup *nv = realloc(out->v, cap * sizeof(*nv));

		if (!nv)
			return mc_err(e, ENOMEM, "cannot allocate"), NULL;
		out->v = nv;
		out->cap = cap;
	}
	if ((out->n + 1) * 2 > ctx->hcap && hash_grow(ctx, out, e) < 0)
		return NULL;
	out->v[out->n] = (struct mc_pages_cgroup){ .ino = ino };
	hash_put(ctx, ino, out->n);
	return &out->v[out->n++];
}

static struct mc_pages_cgroup *cgroup_of(struct mc_pages *ctx,
					 struct mc_pages_result *out,
					 uint64_t ino, struct mc_error *e)
{
	size_t h = hash_of(ino, ctx->hcap);

	for (; ctx->hash[h]; h = (h + 1) & (ctx->hcap - 1))
		if (out->v[ctx->hash[h] - 1].ino == ino)
			return &out->v[ctx->hash[h] - 1];
	return new_cgroup(ctx, out, ino, e);
}

static int add(struct mc_pages *ctx, struct mc_pages_result *out,
	       uint64_t ino, uint64_t pages, bool file, struct mc_error *e)
{
	uint64_t bytes = pages * ctx->page;
	struct mc_pages_cgroup *c;

	ctx->done += bytes;
	if (!ino) {
		*(file ? &out->uncharged_file : &out->uncharged_anon) += bytes;
		return 0;
	}
	c = cgroup_of(ctx, out, ino, e);
	if (!c)
		return -1;
	*(file ? &c->file : &c->anon) += bytes;
	return 0;
}

/* ---- THP tails ---- */

static int flags_of(struct mc_pages *ctx, uint64_t pfn, uint64_t *flags,
		    struct mc_error *e)
{
	uint64_t base = pfn & ~(uint64_t)(FLAGS_BLOCK - 1);

	if (!ctx->kpf_valid || ctx->kpf_base != base) {
		ssize_t n = pread(ctx->kpf_fd, ctx->kpf, sizeof(ctx->kpf),
				  (off_t)(base * 8));

		if (n < 0)
			return mc_err(e, errno, "cannot read /proc/kpageflags");
		ctx->st.kpf_reads++;
		/* frames past the end of memory read as nothing */
		memset((char *)ctx->kpf + n, 0, sizeof(ctx->kpf) - (size_t)n);
		ctx->kpf_base = base;
		ctx->kpf_valid = true;
	}
	*flags = ctx->kpf[pfn - base];
	return 0;
}

/* The head of the compound page pfn is a tail of, or 0. */
static int find_head(struct mc_pages *ctx, uint64_t pfn, uint64_t *head,
		     struct mc_error *e)
{
	uint64_t flags;

	*head = 0;
	for (uint64_t p = pfn; p-- > 0 && pfn - p <= MAX_FOLIO;) {
		if (flags_of(ctx, p, &flags, e) < 0)
			return -1;
		if (flags & KPF(KPF_COMPOUND_HEAD)) {
			*head = p;
			return 0;
		}
		if (!(flags & KPF(KPF_COMPOUND_TAIL)))
			return 0; /* split or freed meanwhile */
	}
	return 0;
}

static int kpc_one(struct mc_pages *ctx, uint64_t pfn, uint64_t *ino,
		   struct mc_error *e)
{
	ssize_t n;

	if (pfn >= ctx->kpc_base && pfn < ctx->kpc_base + ctx->kpc_len) {
		*ino = ctx->kpc[pfn - ctx->kpc_base];
		return 0;
	}
	*ino = 0;
	n = pread(ctx->kpc_fd, ino, sizeof(*ino), (off_t)(pfn * 8));
	if (n < 0)
		return mc_err(e, errno, "cannot read /proc/kpagecgroup");
	ctx->st.kpc_reads++;
	ctx->st.kpc_pages++;
	return 0;
}

/* A page that reads 0 is uncharged, or, on 6.1, the tail of a THP whose
 * charge is recorded in its head only (docs §8): it is charged where the
 * head is. Kernels that read the folio for a tail (6.12) never get here
 * for a charged THP. */
static int tail_ino(struct mc_pages *ctx, uint64_t pfn, uint64_t *ino,
		    struct mc_error *e)
{
	uint64_t flags, head;

	*ino = 0;
	if (ctx->kpf_fd < 0)
		return 0;
	if (flags_of(ctx, pfn, &flags, e) < 0)
		return -1;
	if (!(flags & KPF(KPF_COMPOUND_TAIL)) || !(flags & KPF(KPF_THP)))
		return 0;
	ctx->st.tails++;
	/* the tail after a tail has the same head: no head lies between */
	if (ctx->tail_valid && pfn == ctx->tail_pfn + 1) {
		ctx->tail_pfn = pfn;
		*ino = ctx->tail_ino;
		return 0;
	}
	if (find_head(ctx, pfn, &head, e) < 0 ||
	    (head && kpc_one(ctx, head, ino, e) < 0))
		return -1;
	ctx->tail_valid = true;
	ctx->tail_pfn = pfn;
	ctx->tail_ino = *ino;
	return 0;
}

/* ---- a batch: sort the runs, read kpagecgroup in windows, sum ---- */

/* Least significant digit first, 8 bits a pass; passes over digits that
 * every key shares are skipped. Returns the buffer holding the result. */
static struct run *sort_runs(struct run *a, struct run *tmp, size_t n)
{
	uint64_t all = 0;
	bool sorted = true;

	for (size_t i = 0; i < n; i++) {
		all |= a[i].pfn;
		sorted &= i == 0 || a[i - 1].pfn <= a[i].pfn;
	}
	for (unsigned shift = 0; !sorted && shift < 64 && (all >> shift);
	     shift += 8) {
		size_t count[256] = { 0 }, pos = 0;
		struct run *t;

		for (size_t i = 0; i < n; i++)
			count[(a[i].pfn >> shift) & 0xff]++;
		if (count[(a[0].pfn >> shift) & 0xff] == n)
			continue;
		for (size_t d = 0; d < 256; d++) {
			size_t c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i].pfn >> shift) & 0xff]++] = a[i];
		t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

/* Frames a run needs looked up: a huge run's first frame stands for all. */
static uint64_t need(const struct run *r)
{
	return r->huge ? 1 : r->len;
}

static int read_window(struct mc_pages *ctx, uint64_t base, uint64_t len,
		       struct mc_error *e)
{
	ssize_t n = pread(ctx->kpc_fd, ctx->kpc, len * 8, (off_t)(base * 8));

	if (n < 0)
		return mc_err(e, errno, "cannot read /proc/kpagecgroup");
	ctx->st.kpc_reads++;
	ctx->st.kpc_pages += len;
	/* frames past the end of memory read as nothing: uncharged */
	memset((char *)ctx->kpc + n, 0, len * 8 - (size_t)n);
	ctx->kpc_base = base;
	ctx->kpc_len = len;
	return 0;
}

static int account_huge(struct mc_pages *ctx, struct mc_pages_result *out,
			const struct run *r, struct mc_error *e)
{
	uint64_t ino = ctx->kpc[r->pfn - ctx->kpc_base];

	if (!ino && tail_ino(ctx, r->pfn, &ino, e) < 0)
		return -1;
	out->huge += (uint64_t)r->len * ctx->page;
	return add(ctx, out, ino, r->len, r->file, e);
}

static int account_run(struct mc_pages *ctx, struct mc_pages_result *out,
		       const struct run *r, struct mc_error *e)
{
	const uint64_t *kpc = ctx->kpc + (r->pfn - ctx->kpc_base);
	uint64_t cur = 0, count = 0;

	if (r->huge)
		return account_huge(ctx, out, r, e);
	for (uint32_t i = 0; i < r->len; i++) {
		uint64_t ino = kpc[i];

		if (!ino && tail_ino(ctx, r->pfn + i, &ino, e) < 0)
			return -1;
		if (ino != cur && count) {
			if (add(ctx, out, cur, count, r->file, e) < 0)
				return -1;
			count = 0;
		}
		cur = ino;
		count++;
	}
	return count ? add(ctx, out, cur, count, r->file, e) : 0;
}

/* Runs [i, *j) that one read of kpagecgroup covers. */
static uint64_t window_of(const struct run *r, size_t i, size_t n, size_t *j)
{
	uint64_t base = r[i].pfn, end = base + need(&r[i]);

	for (*j = i + 1; *j < n && r[*j].pfn <= end + GAP; (*j)++) {
		uint64_t rend = r[*j].pfn + need(&r[*j]);

		if (rend > end && rend - base > WINDOW)
			break;
		if (rend > end)
			end = rend;
	}
	return end - base;
}

static int flush(struct mc_pages *ctx, struct mc_pages_result *out,
		 struct mc_error *e)
{
	struct run *r = sort_runs(ctx->runs, ctx->tmp, ctx->nruns);
	size_t n = ctx->nruns, j;

	ctx->nruns = 0;
	for (size_t i = 0; i < n; i = j) {
		uint64_t len = window_of(r, i, n, &j);

		if (read_window(ctx, r[i].pfn, len, e) < 0)
			return -1;
		for (size_t k = i; k < j; k++)
			if (account_run(ctx, out, &r[k], e) < 0)
				return -1;
	}
	ctx->kpc_len = 0;
	if (ctx->progress && n)
		ctx->progress(ctx->progress_arg, ctx->done);
	return 0;
}

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

		if (ctx->nruns + n > BATCH && flush(ctx, out, e) < 0)
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

static void start(struct mc_pages *ctx, pid_t pid,
		  struct mc_pages_result *out)
{
	mc_pages_reset(out);
	memset(ctx->hash, 0, ctx->hcap * sizeof(*ctx->hash));
	ctx->pid = pid;
	ctx->nruns = 0;
	ctx->done = 0;
	ctx->kpc_len = 0;
	/* frames change owner between processes: cached flags are stale */
	ctx->kpf_valid = false;
	ctx->tail_valid = false;
}

int mc_pages_attribute(struct mc_pages *ctx, pid_t pid,
		       struct mc_pages_result *out, struct mc_error *e)
{
	FILE *maps = NULL;
	int pm = -1, rc = -1;

	start(ctx, pid, out);
	maps = open_maps(ctx, e);
	if (!maps)
		goto out;
	pm = open_pagemap(ctx, e);
	if (pm < 0 || walk_maps(ctx, maps, pm, out, e) < 0 ||
	    flush(ctx, out, e) < 0 || still_there(ctx, pm, e) < 0)
		goto out;
	qsort(out->v, out->n, sizeof(*out->v), cmp_cgroup);
	rc = 0;
out:
	if (rc < 0)
		mc_pages_reset(out);
	if (pm >= 0)
		close(pm);
	if (maps)
		fclose(maps);
	return rc;
}

/* ---- the context ---- */

static int open_kpage(const struct mc_mounts *m, const char *name,
		      struct mc_error *e)
{
	char rel[64], path[PATH_MAX];
	int fd;

	snprintf(rel, sizeof(rel), "/proc/%s", name);
	mc_sysroot_path(m, path, sizeof(path), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == EACCES || errno == EPERM)
		return mc_errx(e, errno,
			       "finding where pages are charged needs root: "
			       "'%s' is readable by root only, and "
			       "/proc/PID/pagemap shows page frame numbers "
			       "only to CAP_SYS_ADMIN", path);
	if (errno == ENOENT)
		return mc_errx(e, ENOENT,
			       "'%s' does not exist: this kernel cannot tell "
			       "where pages are charged (it needs CONFIG_MEMCG "
			       "and CONFIG_PROC_PAGE_MONITOR)", path);
	return mc_err(e, errno, "cannot open '%s'", path);
}

static int alloc_buffers(struct mc_pages *ctx, struct mc_error *e)
{
	ctx->pm = malloc(CHUNK * sizeof(*ctx->pm));
	ctx->runs = malloc(BATCH * sizeof(*ctx->runs));
	ctx->tmp = malloc(BATCH * sizeof(*ctx->tmp));
	ctx->kpc = malloc(WINDOW * sizeof(*ctx->kpc));
	/* a chunk holds at most one range per PMD, plus the ends */
	ctx->capregions = CHUNK / ctx->pmd_pages + 2;
	ctx->regions = calloc(ctx->capregions, sizeof(*ctx->regions));
	ctx->hcap = 64;
	ctx->hash = calloc(ctx->hcap, sizeof(*ctx->hash));
	if (!ctx->pm || !ctx->runs || !ctx->tmp || !ctx->kpc ||
	    !ctx->regions || !ctx->hash)
		return mc_err(e, ENOMEM, "cannot allocate");
	return 0;
}

int mc_pages_open(struct mc_pages **ctxp, const struct mc_mounts *m,
		  unsigned flags, struct mc_error *e)
{
	struct mc_pages *ctx = calloc(1, sizeof(*ctx));

	*ctxp = NULL;
	if (!ctx)
		return mc_err(e, ENOMEM, "cannot allocate");
	ctx->m = m;
	ctx->kpf_fd = -1;
	ctx->page = (uint64_t)sysconf(_SC_PAGESIZE);
	/* a page table page holds page/8 entries: the pages of a PMD */
	ctx->pmd_pages = ctx->page / 8;
	/* fixture files under a sysroot answer no ioctl */
	ctx->scan = !(flags & MC_PAGES_NO_SCAN) && !m->sysroot;
	ctx->kpc_fd = open_kpage(m, "kpagecgroup", e);
	if (ctx->kpc_fd < 0 || alloc_buffers(ctx, e) < 0) {
		mc_pages_close(ctx);
		return -1;
	}
	/* without it THP tails on 6.1 count as uncharged; it comes with
	 * kpagecgroup (CONFIG_PROC_PAGE_MONITOR), so this is a fixture's
	 * choice rather than a kernel's */
	ctx->kpf_fd = open_kpage(m, "kpageflags", e);
	mc_err_clear(e);
	*ctxp = ctx;
	return 0;
}

void mc_pages_close(struct mc_pages *ctx)
{
	if (!ctx)
		return;
	if (ctx->kpc_fd >= 0)
		close(ctx->kpc_fd);
	if (ctx->kpf_fd >= 0)
		close(ctx->kpf_fd);
	free(ctx->pm);
	free(ctx->runs);
	free(ctx->tmp);
	free(ctx->kpc);
	free(ctx->regions);
	free(ctx->hash);
	free(ctx->line);
	free(ctx);
}

void mc_pages_set_progress(struct mc_pages *ctx,
			   void (*fn)(void *arg, uint64_t done), void *arg)
{
	ctx->progress = fn;
	ctx->progress_arg = arg;
}

const struct mc_pages_stats *mc_pages_get_stats(const struct mc_pages *ctx)
{
	return &ctx->st;
}
