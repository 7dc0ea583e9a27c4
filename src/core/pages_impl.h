/* Shared by the files of page attribution (pages.c, pagemap.c,
 * kpagecgroup.c): the context, the kernel's bits, and the steps one file
 * hands to another. Not for use outside them: pages.h is the interface. */
#ifndef MEMCG_PAGES_IMPL_H
#define MEMCG_PAGES_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "core/pagemap_scan.h"
#include "core/pages.h"

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

/* pages.c: count pages of one cgroup (ino 0: charged to none). */
int pages_add(struct mc_pages *ctx, struct mc_pages_result *out, uint64_t ino,
	      uint64_t pages, bool file, struct mc_error *e);

/* kpagecgroup.c: look up the frames of the runs gathered so far, and
 * count them. */
int pages_flush(struct mc_pages *ctx, struct mc_pages_result *out,
		struct mc_error *e);

/* pagemap.c: every present page of ctx->pid, through its maps and
 * pagemap, into out. */
int pages_walk(struct mc_pages *ctx, struct mc_pages_result *out,
	       struct mc_error *e);

#endif
