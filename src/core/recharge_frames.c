/* Recharge, the pages: a stretch of the address space read from pagemap at
 * once (a chunk: RC_CHUNK pages, or a huge page if more), and for its
 * present pages their memory cgroup (/proc/kpagecgroup), and where needed
 * their flags (/proc/kpageflags) and map count (/proc/kpagecount), each
 * file read in windows over the frame numbers sorted (docs §4); then
 * counted range by range (a huge page at most). */
#include "core/recharge_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/radix.h"

#define RC_WINDOW 4096	/* kpage entries a read, at most */
/* a hole this small between frames is read through: in the 6.1 guest a
 * read costs about as much as 8 entries of kpagecgroup */
#define RC_GAP 8


/* What is known of the pages of a range besides their pagemap entries. */
enum { RC_THP_NO, RC_THP_YES };

/* Pages to look up: consecutive in the address space (from idx) and in
 * frame numbers (from pfn). */
struct rc_pf {
	uint64_t pfn;
	uint32_t idx, len;
};

static int open_proc(const struct mc_mounts *m, const char *rel,
		     struct mc_error *e)
{
	char path[PATH_MAX];
	int fd;

	mc_sysroot_path(m, path, sizeof(path), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ESRCH) &&
	    strstr(rel, "/pagemap"))
		return mc_errx(e, ESRCH, "the process exited");
	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s'", path);
	return fd;
}

int rc_frames_open(struct rc_frames *f, const struct mc_mounts *m, pid_t pid,
		   uint64_t src, uint64_t dst, struct mc_error *e)
{
	char rel[64];

	memset(f, 0, sizeof(*f));
	f->pm_fd = f->kpc_fd = f->kpf_fd = f->cnt_fd = -1;
	f->m = m;
	f->pid = pid;
	f->src = src;
	f->dst = dst;
	f->page = (uint64_t)sysconf(_SC_PAGESIZE);
	f->pmd_pages = f->page / 8;	/* a page table page's entries */
	f->pmd_shift = (unsigned)__builtin_ctzll(f->pmd_pages);
	/* a whole huge page at least (8192 pages with 64 KiB pages) */
	f->chunk = RC_CHUNK > f->pmd_pages ? RC_CHUNK : f->pmd_pages;
	/* fixture files under a sysroot answer no ioctl */
	f->scan = !m->sysroot;
	/* each is written before it is read: not cleared, so the pages a
	 * small process never needs are never touched */
	f->pm_v = malloc(f->chunk * sizeof(*f->pm_v));
	f->ino_v = malloc(f->chunk * sizeof(*f->ino_v));
	f->flags_v = malloc(f->chunk * sizeof(*f->flags_v));
	f->count_v = malloc(f->chunk * sizeof(*f->count_v));
	f->runs = malloc(f->chunk * sizeof(*f->runs));
	f->cruns = malloc(f->chunk * sizeof(*f->cruns));
	f->tmp = malloc(f->chunk * sizeof(*f->tmp));
	f->win = malloc(RC_WINDOW * sizeof(*f->win));
	f->thp = calloc(f->chunk / f->pmd_pages + 2, sizeof(*f->thp));
	if (!f->pm_v || !f->ino_v || !f->flags_v || !f->count_v || !f->runs ||
	    !f->cruns || !f->tmp || !f->win || !f->thp)
		return mc_err(e, ENOMEM, "cannot allocate");
	snprintf(rel, sizeof(rel), "/proc/%d/pagemap", (int)pid);
	if ((f->pm_fd = open_proc(m, rel, e)) < 0 ||
	    (f->kpc_fd = open_proc(m, "/proc/kpagecgroup", e)) < 0 ||
	    (f->kpf_fd = open_proc(m, "/proc/kpageflags", e)) < 0 ||
	    (f->cnt_fd = open_proc(m, "/proc/kpagecount", e)) < 0)
		return -1;
	return 0;
}

void rc_frames_close(struct rc_frames *f)
{
	int fds[] = { f->pm_fd, f->kpc_fd, f->kpf_fd, f->cnt_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(f->pm_v);
	free(f->ino_v);
	free(f->flags_v);
	free(f->count_v);
	free(f->runs);
	free(f->cruns);
	free(f->tmp);
	free(f->win);
	free(f->thp);
	memset(f, 0, sizeof(*f));
	f->pm_fd = f->kpc_fd = f->kpf_fd = f->cnt_fd = -1;
}

/* ---- the kpage files ---- */

/* Entries [base, base + n) of a kpage file into buf; past the end of
 * memory they read as 0. */
static int read_kpage(int fd, uint64_t *buf, uint64_t base, uint64_t n,
		      struct mc_error *e)
{
	ssize_t got = pread(fd, buf, n * 8, (off_t)(base * 8));

	if (got < 0)
		return mc_err(e, errno, "cannot read a /proc/kpage file");
	memset((char *)buf + got, 0, n * 8 - (size_t)got);
	return 0;
}

MC_RADIX_BY_PFN(sort_runs, struct rc_pf)

/* Page i joins the runs to look up. */
static size_t add_run(struct rc_pf *runs, size_t n, uint64_t i, uint64_t pfn)
{
	struct rc_pf *last = n ? &runs[n - 1] : NULL;

	if (last && last->idx + last->len == i && last->pfn + last->len == pfn &&
	    last->len < RC_WINDOW) {
		last->len++;
		return n;
	}
	runs[n] = (struct rc_pf){ pfn, (uint32_t)i, 1 };
	return n + 1;
}

/* Look the runs up in the kpage file fd, into out (indexed as the
 * chunk): the frames sorted, read in windows. */
static int lookup(struct rc_frames *f, int fd, struct rc_pf *runs, size_t n,
		  uint64_t *out, struct mc_error *e)
{
	struct rc_pf *r = sort_runs(runs, f->tmp, n);

	for (size_t i = 0, j; i < n; i = j) {
		uint64_t base = r[i].pfn, end = base + r[i].len;

		for (j = i + 1; j < n && r[j].pfn <= end + RC_GAP; j++) {
			uint64_t rend = r[j].pfn + r[j].len;

			if (rend > end && rend - base > RC_WINDOW)
				break;
			if (rend > end)
				end = rend;
		}
		if (read_kpage(fd, f->win, base, end - base, e) < 0)
			return -1;
		for (size_t k = i; k < j; k++)
			memcpy(out + r[k].idx, f->win + (r[k].pfn - base),
			       r[k].len * sizeof(*out));
	}
	return 0;
}

/* ---- transparent huge pages ---- */

/* Pages [i, i + pmd_pages) (a whole range) are present on consecutive
 * frames from one aligned to a huge page: they may be one THP. */
static bool thp_candidate(const struct rc_frames *f, uint64_t i)
{
	const uint64_t *pm = f->pm_v + i;
	uint64_t first = pm[0] & RC_PM_PFN;

	if (!(pm[0] & RC_PM_PRESENT) || first % f->pmd_pages)
		return false;
	for (uint64_t t = 1; t < f->pmd_pages; t++)
		if (pm[t] != pm[0] + t)
			return false;
	return true;
}

static int one_entry(int fd, uint64_t pfn, uint64_t *v, struct mc_error *e)
{
	*v = 0;
	if (pread(fd, v, 8, (off_t)(pfn * 8)) < 0)
		return mc_err(e, errno, "cannot read a /proc/kpage file");
	return 0;
}

/* Whether the range from page i maps one THP, and then its flags. Folios
 * are aligned to their size in frame numbers, and a tail belongs to the
 * nearest head before it: the frame half a huge page after a head aligned
 * to a huge page is a tail only in a folio of that head as large as a huge
 * page at least. So two entries of kpageflags tell. The tails' flags are
 * the folio's (dirty, writeback and THP are kept per folio). */
static int thp_check(struct rc_frames *f, uint64_t i, bool *thp,
		     struct mc_error *e)
{
	uint64_t pfn = f->pm_v[i] & RC_PM_PFN, head, mid;

	*thp = false;
	if (!thp_candidate(f, i))
		return 0;
	if (one_entry(f->kpf_fd, pfn, &head, e) < 0)
		return -1;
	if (!(head & RC_KPF_HEAD))
		return 0;
	if (one_entry(f->kpf_fd, pfn + f->pmd_pages / 2, &mid, e) < 0)
		return -1;
	if (!(mid & RC_KPF_TAIL))
		return 0;
	*thp = true;
	f->flags_v[i] = head;
	for (uint64_t t = 1; t < f->pmd_pages; t++)
		f->flags_v[i + t] = (head & ~RC_KPF_HEAD) | RC_KPF_TAIL;
	return 0;
}


/* 6.1 reads 0 in kpagecgroup for a THP's tails: the charge is the head's
 * (docs §4, §8). A folio is aligned to its size in frame numbers, so the
 * head is the first of the candidates, from small folios to a PMD's, that
 * kpageflags calls a head. */
static int tail_ino(struct rc_frames *f, uint64_t pfn, uint64_t *ino,
		    struct mc_error *e)
{
	uint64_t fl;

	if (pfn >= f->head_pfn && pfn < f->head_end) {
		*ino = f->head_ino;
		return 0;
	}
	for (uint64_t size = 2; size <= f->pmd_pages; size *= 2) {
		uint64_t head = pfn & ~(size - 1);

		if (one_entry(f->kpf_fd, head, &fl, e) < 0)
			return -1;
		if (fl & RC_KPF_HEAD) {
			if (one_entry(f->kpc_fd, head, ino, e) < 0)
				return -1;
			f->head_pfn = head;
			f->head_end = head + size;
			f->head_ino = *ino;
			return 0;
		}
	}
	return 0;
}

/* ---- a chunk ---- */

static int read_pagemap(struct rc_frames *f, uint64_t first, uint64_t n,
			struct mc_error *e)
{
	ssize_t got = pread(f->pm_fd, f->pm_v, n * 8, (off_t)(first * 8));

	if (got < 0 && (errno == ESRCH || errno == ENOENT))
		return mc_errx(e, ESRCH, "process %d exited", (int)f->pid);
	if (got < 0)
		return mc_err(e, errno, "cannot read /proc/%d/pagemap",
			      (int)f->pid);
	/* nothing once the process has no memory left (docs §4) */
	if (got == 0 && n)
		return mc_errx(e, ESRCH, "process %d exited", (int)f->pid);
	memset((char *)f->pm_v + got, 0, n * 8 - (size_t)got);
	return 0;
}

/* The index in the chunk of the range page i is in. */
static uint64_t range_of(const struct rc_frames *f, uint64_t i)
{
	return ((f->first + i) >> f->pmd_shift) - (f->first >> f->pmd_shift);
}

/* The end of the range page i starts, within the chunk. */
static uint64_t range_end(const struct rc_frames *f, uint64_t i)
{
	uint64_t end = i + f->pmd_pages - ((f->first + i) & (f->pmd_pages - 1));

	return end < f->n ? end : f->n;
}

/* Each range's THP check, then the frames to look up in kpagecgroup (a
 * THP's head stands for its tails) into f->runs. */
static int cgroup_runs(struct rc_frames *f, size_t *nruns,
		       struct mc_error *e)
{
	size_t n = 0;

	for (uint64_t i = 0, end; i < f->n; i = end) {
		bool thp = false;

		end = range_end(f, i);
		memset(f->flags_v + i, 0, (end - i) * sizeof(*f->flags_v));
		memset(f->ino_v + i, 0, (end - i) * sizeof(*f->ino_v));
		if (end - i == f->pmd_pages && thp_check(f, i, &thp, e) < 0)
			return -1;
		f->thp[range_of(f, i)] = thp;
		for (uint64_t k = i; k < (thp ? i + 1 : end); k++) {
			uint64_t v = f->pm_v[k];

			if (!(v & RC_PM_PRESENT))
				continue;
			if (!(v & RC_PM_PFN))
				return mc_errx(e, EPERM,
					       "/proc/%d/pagemap shows no page "
					       "frame numbers: recharge needs "
					       "CAP_SYS_ADMIN", (int)f->pid);
			n = add_run(f->runs, n, k, v & RC_PM_PFN);
		}
	}
	*nruns = n;
	return 0;
}

/* After kpagecgroup: a THP's tails are charged with its head. Then the
 * pages whose flags matter, into f->runs: one that reads no cgroup (a
 * THP's tail on 6.1) and a file page of the source (dirty, under
 * writeback); and into f->cruns those whose map count matters, the pages
 * pagemap does not call exclusive (page_mapcount() == 1, in
 * fs/proc/task_mmu.c), the others being mapped once. */
static void other_runs(struct rc_frames *f, size_t *nflags, size_t *ncount)
{
	size_t nf = 0, nc = 0;

	for (uint64_t i = 0, end; i < f->n; i = end) {
		bool thp = f->thp[range_of(f, i)];

		end = range_end(f, i);
		for (uint64_t k = i; k < end; k++) {
			uint64_t v = f->pm_v[k];

			f->count_v[k] = (v & RC_PM_PRESENT) ? 1 : 0;
			if (!(v & RC_PM_PRESENT))
				continue;
			if (thp)
				f->ino_v[k] = f->ino_v[i];
			else if (!f->ino_v[k] || ((v & RC_PM_FILE) &&
						   f->ino_v[k] == f->src))
				nf = add_run(f->runs, nf, k, v & RC_PM_PFN);
			if (!(v & RC_PM_EXCL))
				nc = add_run(f->cruns, nc, k, v & RC_PM_PFN);
		}
	}
	*nflags = nf;
	*ncount = nc;
}

int rc_frames_load(struct rc_frames *f, uint64_t first, uint64_t n,
		   struct mc_error *e)
{
	size_t nruns = 0, nflags = 0, ncount = 0;

	f->first = first;
	f->n = n;
	/* frames change owner: what was resolved before is stale */
	f->head_end = 0;
	if (read_pagemap(f, first, n, e) < 0 ||
	    cgroup_runs(f, &nruns, e) < 0 ||
	    lookup(f, f->kpc_fd, f->runs, nruns, f->ino_v, e) < 0)
		return -1;
	other_runs(f, &nflags, &ncount);
	if (lookup(f, f->kpf_fd, f->runs, nflags, f->flags_v, e) < 0 ||
	    lookup(f, f->cnt_fd, f->cruns, ncount, f->count_v, e) < 0)
		return -1;
	for (uint64_t i = 0; nflags && i < n; i++)
		if ((f->pm_v[i] & RC_PM_PRESENT) && !f->ino_v[i] &&
		    (f->flags_v[i] & RC_KPF_TAIL) &&
		    (f->flags_v[i] & RC_KPF_THP) &&
		    tail_ino(f, f->pm_v[i] & RC_PM_PFN, &f->ino_v[i], e) < 0)
			return -1;
	return 0;
}

void rc_frames_count(struct rc_frames *f, uint64_t off, uint64_t n,
		     struct rc_count *c)
{
	f->pm = f->pm_v + off;
	f->ino = f->ino_v + off;
	f->flags = f->flags_v + off;
	f->count = f->count_v + off;
	memset(c, 0, sizeof(*c));
	c->pages = (uint32_t)n;
	for (uint64_t i = 0; i < n; i++) {
		bool file = f->pm[i] & RC_PM_FILE;

		if (f->pm[i] & RC_PM_SWAP)
			c->swapped++;
		if (!(f->pm[i] & RC_PM_PRESENT))
			continue;
		c->present++;
		c->shared += f->count[i] > 1;
		if (f->ino[i] == f->dst)
			*(file ? &c->dst_file : &c->dst_anon) += 1;
		if (f->ino[i] != f->src)
			continue;
		*(file ? &c->src_file : &c->src_anon) += 1;
		c->src_dropable += rc_frames_dropable(f, i);
		c->src_dirty += rc_frames_own_file(f, i) &&
				!rc_frames_dropable(f, i);
	}
	/* one PMD-mapped THP charged to the source (or one mapped by page
	 * table entries: pagemap tells them apart only from 6.7) */
	c->one_thp = n == f->pmd_pages && f->thp[range_of(f, off)] &&
		     (f->flags[0] & RC_KPF_THP) && f->ino[0] == f->src;
}

int rc_frames_scan(struct rc_frames *f, uint64_t start, uint64_t len,
		   struct rc_count *c, struct mc_error *e)
{
	if (rc_frames_load(f, start / f->page, len / f->page, e) < 0)
		return -1;
	rc_frames_count(f, 0, len / f->page, c);
	return 0;
}

int rc_frames_alive(struct rc_frames *f, struct mc_error *e)
{
	/* maps and pagemap read nothing once the process is gone, which
	 * would pass for an empty one */
	return read_pagemap(f, 0, 1, e);
}

bool rc_frames_src(const struct rc_frames *f, uint64_t i)
{
	return (f->pm[i] & RC_PM_PRESENT) && f->ino[i] == f->src;
}

bool rc_frames_own_file(const struct rc_frames *f, uint64_t i)
{
	return rc_frames_src(f, i) && (f->pm[i] & RC_PM_FILE) &&
	       f->count[i] <= 1;
}

bool rc_frames_dropable(const struct rc_frames *f, uint64_t i)
{
	return rc_frames_own_file(f, i) &&
	       !(f->flags[i] & (RC_KPF_DIRTY | RC_KPF_WRITEBACK));
}
