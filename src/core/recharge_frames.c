/* Recharge, the pages of one range (at most a huge page): their pagemap
 * entries, and for each present page its memory cgroup
 * (/proc/kpagecgroup), how many times it is mapped (/proc/kpagecount) and
 * its flags (/proc/kpageflags), read in windows over the sorted frame
 * numbers (docs §4). */
#include "core/recharge_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RC_WINDOW 1024	/* kpage entries a read, at most */
#define RC_GAP 64	/* a hole this small is read through */

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
	size_t n;

	memset(f, 0, sizeof(*f));
	f->pm_fd = f->kpc_fd = f->kpf_fd = f->cnt_fd = -1;
	f->m = m;
	f->pid = pid;
	f->src = src;
	f->dst = dst;
	f->page = (uint64_t)sysconf(_SC_PAGESIZE);
	f->pmd_pages = f->page / 8;	/* a page table page's entries */
	n = f->pmd_pages;
	f->pm = calloc(n, sizeof(*f->pm));
	f->ino = calloc(n, sizeof(*f->ino));
	f->flags = calloc(n, sizeof(*f->flags));
	f->count = calloc(n, sizeof(*f->count));
	f->win = calloc(RC_WINDOW, sizeof(*f->win));
	f->order = calloc(n, sizeof(*f->order));
	if (!f->pm || !f->ino || !f->flags || !f->count || !f->win ||
	    !f->order)
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
	free(f->pm);
	free(f->ino);
	free(f->flags);
	free(f->count);
	free(f->win);
	free(f->order);
	memset(f, 0, sizeof(*f));
	f->pm_fd = f->kpc_fd = f->kpf_fd = f->cnt_fd = -1;
}

/* Entries [base, base + n) of a kpage file into f->win; past the end of
 * memory they read as 0. */
static int read_kpage(struct rc_frames *f, int fd, uint64_t base, uint64_t n,
		      struct mc_error *e)
{
	ssize_t got = pread(fd, f->win, n * 8, (off_t)(base * 8));

	if (got < 0)
		return mc_err(e, errno, "cannot read a /proc/kpage file");
	memset((char *)f->win + got, 0, n * 8 - (size_t)got);
	return 0;
}

static uint64_t pfn_of(const struct rc_frames *f, uint32_t i)
{
	return f->pm[i] & RC_PM_PFN;
}

/* Present pages [a, b) of f->order, on frames close enough to be read
 * at once: into ino, flags and count. */
static int read_window(struct rc_frames *f, size_t a, size_t b,
		       struct mc_error *e)
{
	uint64_t base = pfn_of(f, f->order[a]);
	uint64_t n = pfn_of(f, f->order[b - 1]) - base + 1;
	int fds[3] = { f->kpc_fd, f->kpf_fd, f->cnt_fd };
	uint64_t *out[3] = { f->ino, f->flags, f->count };

	for (int k = 0; k < 3; k++) {
		if (read_kpage(f, fds[k], base, n, e) < 0)
			return -1;
		for (size_t j = a; j < b; j++)
			out[k][f->order[j]] = f->win[pfn_of(f, f->order[j]) -
						     base];
	}
	return 0;
}

static const struct rc_frames *sort_ctx;

static int by_pfn(const void *a, const void *b)
{
	uint64_t x = pfn_of(sort_ctx, *(const uint32_t *)a);
	uint64_t y = pfn_of(sort_ctx, *(const uint32_t *)b);

	return (x > y) - (x < y);
}

static int lookup(struct rc_frames *f, size_t n, struct mc_error *e)
{
	size_t a = 0;

	sort_ctx = f;
	qsort(f->order, n, sizeof(*f->order), by_pfn);
	while (a < n) {
		uint64_t base = pfn_of(f, f->order[a]);
		size_t b = a + 1;

		while (b < n && pfn_of(f, f->order[b]) - base < RC_WINDOW &&
		       pfn_of(f, f->order[b]) - pfn_of(f, f->order[b - 1]) <=
			       RC_GAP)
			b++;
		if (read_window(f, a, b, e) < 0)
			return -1;
		a = b;
	}
	return 0;
}

static int one_entry(int fd, uint64_t pfn, uint64_t *v, struct mc_error *e)
{
	*v = 0;
	if (pread(fd, v, 8, (off_t)(pfn * 8)) < 0)
		return mc_err(e, errno, "cannot read a /proc/kpage file");
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

static bool one_thp(const struct rc_frames *f, uint64_t n)
{
	uint64_t first = pfn_of(f, 0);

	if (n != f->pmd_pages || first % f->pmd_pages ||
	    (f->flags[0] & (RC_KPF_HEAD | RC_KPF_THP)) !=
		    (RC_KPF_HEAD | RC_KPF_THP) || f->ino[0] != f->src)
		return false;
	for (uint64_t i = 0; i < n; i++)
		if (!(f->pm[i] & RC_PM_PRESENT) || pfn_of(f, i) != first + i)
			return false;
	return true;
}

static void count(struct rc_frames *f, uint64_t n, struct rc_count *c)
{
	memset(c, 0, sizeof(*c));
	c->pages = (uint32_t)n;
	for (uint64_t i = 0; i < n; i++) {
		if (f->pm[i] & RC_PM_SWAP)
			c->swapped++;
		if (!(f->pm[i] & RC_PM_PRESENT))
			continue;
		c->present++;
		c->shared += f->count[i] > 1;
		if (f->ino[i] != f->src)
			continue;
		if (f->pm[i] & RC_PM_FILE)
			c->src_file++;
		else
			c->src_anon++;
		c->src_dropable += rc_frames_dropable(f, i);
		c->src_dirty += rc_frames_own_file(f, i) &&
				!rc_frames_dropable(f, i);
	}
	c->one_thp = one_thp(f, n);
}

static int read_pagemap(struct rc_frames *f, uint64_t start, uint64_t n,
			struct mc_error *e)
{
	ssize_t got = pread(f->pm_fd, f->pm, n * 8,
			    (off_t)(start / f->page * 8));

	if (got < 0 && (errno == ESRCH || errno == ENOENT))
		return mc_errx(e, ESRCH, "process %d exited", (int)f->pid);
	if (got < 0)
		return mc_err(e, errno, "cannot read /proc/%d/pagemap",
			      (int)f->pid);
	/* nothing once the process has no memory left (docs §4) */
	if (got == 0 && n)
		return mc_errx(e, ESRCH, "process %d exited", (int)f->pid);
	memset((char *)f->pm + got, 0, n * 8 - (size_t)got);
	return 0;
}

int rc_frames_scan(struct rc_frames *f, uint64_t start, uint64_t len,
		   struct rc_count *c, struct mc_error *e)
{
	uint64_t n = len / f->page;
	size_t np = 0;

	if (read_pagemap(f, start, n, e) < 0)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		f->ino[i] = f->flags[i] = f->count[i] = 0;
		if (!(f->pm[i] & RC_PM_PRESENT))
			continue;
		if (!pfn_of(f, i))
			return mc_errx(e, EPERM,
				       "/proc/%d/pagemap shows no page frame "
				       "numbers: recharge needs CAP_SYS_ADMIN",
				       (int)f->pid);
		f->order[np++] = (uint32_t)i;
	}
	if (lookup(f, np, e) < 0)
		return -1;
	for (size_t j = 0; j < np; j++) {
		uint32_t i = f->order[j];

		if (!f->ino[i] && (f->flags[i] & RC_KPF_TAIL) &&
		    (f->flags[i] & RC_KPF_THP) &&
		    tail_ino(f, pfn_of(f, i), &f->ino[i], e) < 0)
			return -1;
	}
	count(f, n, c);
	return 0;
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
