/* Page attribution, the kpagecgroup side: the frames of a batch of runs
 * sorted, /proc/kpagecgroup read in coalesced windows, and the tails of
 * transparent huge pages charged where their head is. */
#include "core/pages_impl.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/radix.h"

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

MC_RADIX_BY_PFN(sort_runs, struct run)

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
	return pages_add(ctx, out, ino, r->len, r->file, e);
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
			if (pages_add(ctx, out, cur, count, r->file, e) < 0)
				return -1;
			count = 0;
		}
		cur = ino;
		count++;
	}
	return count ? pages_add(ctx, out, cur, count, r->file, e) : 0;
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

int pages_flush(struct mc_pages *ctx, struct mc_pages_result *out,
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
