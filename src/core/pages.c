/* Page attribution: each present page of a process, from /proc/PID/pagemap
 * to its page frame, to the memory cgroup /proc/kpagecgroup names for it.
 * It streams: pagemap is read in chunks (pagemap.c), the frames of a batch
 * are sorted and kpagecgroup is read in coalesced ranges (kpagecgroup.c), so
 * the memory used does not depend on the size of the process, and nothing is
 * allocated per page. This file: the results, the per-cgroup tally, the
 * context and the public entry points. */
#include "core/pages_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/array.h"

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

void mc_pages_split(const struct mc_pages_result *r, uint64_t here_ino,
		    struct mc_pages_split *out)
{
	const struct mc_pages_cgroup *c = here_ino ? mc_pages_find(r, here_ino)
						   : NULL;
	uint64_t charged = 0;

	for (size_t i = 0; i < r->n; i++)
		charged += r->v[i].anon + r->v[i].file;
	out->here = c ? c->anon + c->file : 0;
	out->elsewhere = charged - out->here;
	out->uncharged = r->uncharged_anon + r->uncharged_file;
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
	if (MC_ARRAY_ROOM(out->v, out->n, out->cap, 16, e) < 0)
		return NULL;
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

int pages_add(struct mc_pages *ctx, struct mc_pages_result *out, uint64_t ino,
	      uint64_t pages, bool file, struct mc_error *e)
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

/* ---- a process ---- */

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
	start(ctx, pid, out);
	if (pages_walk(ctx, out, e) < 0) {
		mc_pages_reset(out);
		return -1;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_cgroup);
	return 0;
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
