/* Shared by the files of recharge (recharge.c: the run and the kernel
 * calls; recharge_plan.c: mappings and ranges, and why each stays;
 * recharge_frames.c: the pages of one range, from pagemap and the kpage
 * files). Not for use outside them: recharge.h is the interface. */
#ifndef MEMCG_RECHARGE_IMPL_H
#define MEMCG_RECHARGE_IMPL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/recharge.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

/* pagemap entry bits (docs §4) */
#define RC_PM_PFN	((UINT64_C(1) << 55) - 1)
#define RC_PM_EXCL	(UINT64_C(1) << 56)	/* page_mapcount() == 1 */
#define RC_PM_FILE	(UINT64_C(1) << 61)
#define RC_PM_SWAP	(UINT64_C(1) << 62)
#define RC_PM_PRESENT	(UINT64_C(1) << 63)
/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define RC_KPF_DIRTY	(UINT64_C(1) << 4)
#define RC_KPF_WRITEBACK	(UINT64_C(1) << 8)
#define RC_KPF_HEAD	(UINT64_C(1) << 15)
#define RC_KPF_TAIL	(UINT64_C(1) << 16)
#define RC_KPF_THP	(UINT64_C(1) << 22)

/* Room kept below every limit after a range (DESIGN, Decisions) */
#define RC_MARGIN	(UINT64_C(1) << 20)

enum rc_kind {
	RC_ANON,	/* private anonymous: collapse */
	RC_SHMEM,	/* shmem, tmpfs, SysV shm, shared anonymous: collapse */
	RC_FILE,	/* other file mappings: page out */
	RC_HUGETLB,	/* hugetlbfs: neither */
};

/* One mapping of /proc/PID/smaps. */
struct rc_map {
	uint64_t start, end;	/* bytes */
	uint64_t offset;	/* file offset, bytes */
	enum rc_kind kind;
	bool locked;		/* VmFlags lo */
	bool nohuge;		/* VmFlags nh: MADV_NOHUGEPAGE, which
				 * refuses collapse too (EINVAL) */
	/* a file mapping's kind, RC_FILE or RC_SHMEM, is told (rc_map_kind)
	 * only where it matters: a statfs through map_files each */
	bool untold;
	char path[PATH_MAX];	/* the name maps gives */
};

enum rc_action {
	RC_NOTHING,		/* left, for seg->reason */
	RC_COLLAPSE,
	RC_SPLIT_COLLAPSE,	/* page out its first page (splits the THP),
				 * then collapse */
	RC_PAGEOUT,
};

/* What one range's pages look like. */
struct rc_count {
	uint32_t pages;		/* in the range */
	uint32_t present;	/* present, whoever they are charged to */
	uint32_t src_anon, src_file;	/* present, charged to the source */
	uint32_t dst_anon, dst_file;	/* present, charged to DEST */
	uint32_t src_dropable;	/* file pages of those mapped once, clean */
	uint32_t src_dirty;	/* file pages of those mapped once, dirty
				 * or under writeback */
	uint32_t shared;	/* present pages mapped more than once */
	uint32_t swapped;	/* swap entries */
	bool one_thp;		/* one PMD-mapped THP charged to the source */
};

/* A range of at most one huge page: an aligned range of a collapse kind,
 * an edge outside the aligned ranges, or a piece of a file mapping. */
struct rc_seg {
	uint64_t start, len;	/* bytes */
	enum rc_kind kind;
	bool aligned;		/* a whole aligned huge page range */
	bool locked, nohuge;
	enum rc_action action;
	enum mc_left_reason reason;	/* what its source pages stay for */
	int err;		/* the kernel's errno, for MC_LEFT_KERNEL */
	bool done;		/* the call(s) succeeded */
	bool measured;		/* counted at the end */
	struct rc_count before;
};

/* The rules, pure, for the tests: what to do with a range of a mapping
 * given its pages (docs §9). */
struct rc_policy {
	unsigned mode;		/* MC_RECHARGE_* */
	bool swap;
	uint64_t page;		/* bytes */
	uint64_t pmd_pages;	/* pages of a huge page */
};
void rc_classify(const struct rc_policy *p, struct rc_seg *s);
/* Collapsing grows RSS by less than 2% of the range (DESIGN, Decisions). */
bool rc_dense(const struct rc_count *c);
/* room (the least of limit - usage over DEST and its ancestors with a
 * limit) is enough for need bytes more, keeping RC_MARGIN below. */
bool rc_room_ok(uint64_t room, uint64_t need);
/* The kind asked for by mode; anon pages of a file mapping are anon. */
bool rc_kind_asked(unsigned mode, enum rc_kind kind, bool anon);

/* ---- recharge_frames.c: the pages; recharge_walk.c: a mapping's ---- */

#define RC_CHUNK 4096	/* pages read at a time: 16 MiB of address space */

/* Pages seen by a walk. */
struct rc_tally {
	uint64_t present;
	uint64_t src_anon, src_file, dst_anon, dst_file;
};

struct rc_frames {
	const struct mc_mounts *m;
	pid_t pid;
	int pm_fd, kpc_fd, kpf_fd, cnt_fd;
	bool scan;		/* PAGEMAP_SCAN may be asked (6.7+) */
	uint64_t page, pmd_pages;
	unsigned pmd_shift;	/* pmd_pages is 1 << pmd_shift */
	uint64_t chunk;		/* pages read at a time, a multiple of
				 * pmd_pages */
	uint64_t src, dst;	/* inodes */
	/* the pages read last: [first, first + n), as page numbers */
	uint64_t first, n;
	uint64_t *pm_v, *ino_v, *flags_v, *count_v;
	uint8_t *thp;		/* per range: it maps one THP */
	/* the range counted last: its pages in the arrays above */
	uint64_t *pm, *ino, *flags, *count;
	struct rc_pf *runs, *cruns, *tmp;	/* frames to look up */
	uint64_t *win;		/* a window of a kpage file */
	uint64_t head_pfn, head_ino, head_end;	/* the last THP resolved */
	struct rc_tally tally;	/* of the ranges walked */
};

int rc_frames_open(struct rc_frames *f, const struct mc_mounts *m, pid_t pid,
		   uint64_t src, uint64_t dst, struct mc_error *e);
void rc_frames_close(struct rc_frames *f);
/* Read pages [first, first + n) (page numbers, n at most f->chunk) and
 * what is needed of their frames. ESRCH: the process is gone. */
int rc_frames_load(struct rc_frames *f, uint64_t first, uint64_t n,
		   struct mc_error *e);
/* Count the pages [off, off + n) of those (one range) into c; the page
 * functions below index them meanwhile. */
void rc_frames_count(struct rc_frames *f, uint64_t off, uint64_t n,
		     struct rc_count *c);
/* Both, for the pages [start, start + len) (bytes, one range). */
int rc_frames_scan(struct rc_frames *f, uint64_t start, uint64_t len,
		   struct rc_count *c, struct mc_error *e);
/* What a walk calls for each range, with its count; the page functions
 * below index the range's pages meanwhile. */
typedef int (*rc_range_fn)(void *arg, struct rc_frames *f, uint64_t start,
			   uint64_t len, const struct rc_count *c,
			   struct mc_error *e);
/* Every range of the mapping [start, end) that may hold a present or a
 * swapped page (all of them before 6.7), in order, a chunk of pages read
 * at a time; added to f->tally. */
int rc_frames_walk(struct rc_frames *f, uint64_t start, uint64_t end,
		   rc_range_fn fn, void *arg, struct mc_error *e);
/* 0, or ESRCH once the process is gone (its maps then read empty). */
int rc_frames_alive(struct rc_frames *f, struct mc_error *e);
/* After rc_frames_scan or in a walk's call: page i is charged to the
 * source, present. */
bool rc_frames_src(const struct rc_frames *f, uint64_t i);
/* ... a file page mapped once (by this process) */
bool rc_frames_own_file(const struct rc_frames *f, uint64_t i);
/* ... and clean: MADV_PAGEOUT drops it. A dirty page would only be
 * unmapped, still charged to the source in the page cache, since reclaim
 * outside kswapd writes no file page back (mm/vmscan.c). */
bool rc_frames_dropable(const struct rc_frames *f, uint64_t i);

/* ---- recharge_plan.c: mappings and ranges ---- */

struct rc_plan {
	struct rc_seg *v;
	size_t n, cap;
	uint64_t not_asked;	/* bytes charged to the source, other kinds */
	/* while it is walked on a thread of its own: v and n change under
	 * mu, and each range added is signalled on grew */
	pthread_mutex_t *mu;
	pthread_cond_t *grew;
};

/* The next mapping of an open smaps file (or of a maps file, without its
 * flags); 0 at the end, 1 for one, its kind maybe untold. */
int rc_next_map(FILE *in, bool smaps, char **line, size_t *cap,
		struct rc_map *map);
/* Every mapping of the process (smaps, or maps where smaps's flags cannot
 * matter), walked: its ranges that hold pages charged to the source or
 * swap entries, classified; f->tally is what the walk saw of the whole
 * process. */
int rc_plan_build(struct rc_plan *plan, const struct rc_policy *p,
		  struct rc_frames *f, bool dry_run, struct mc_error *e);
void rc_plan_free(struct rc_plan *plan);
/* Every mapping of the process (maps) walked again: the bytes still
 * charged to the source (and the swap entries) of every planned range, by
 * reason, into res, paged_out for the ranges paged out; f->tally is what
 * the walk saw of the whole process. */
int rc_plan_measure(struct rc_plan *plan, const struct rc_policy *p,
		    struct rc_frames *f, struct mc_recharge_res *res,
		    struct mc_error *e);
/* The same from the scan before, for a dry run. */
void rc_plan_predict(const struct rc_plan *plan, const struct rc_policy *p,
		     struct mc_recharge_res *res);

/* ---- recharge_walk.c: the plan's walk ahead of the calls ---- */

/* The plan walked on a thread of its own while the caller acts on the
 * ranges planned so far, in order: the plan's walk (pagemap, the kpage
 * files) then costs the calls nothing but the first ranges' wait. */
struct rc_ahead {
	struct rc_plan *plan;
	const struct rc_policy *p;
	struct rc_frames *f;	/* the walk's, until rc_ahead_finish */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t grew;
	bool on;		/* the thread runs or has not been joined */
	bool walked;		/* the walk is over */
	int rc;			/* its result, e its error */
	struct mc_error e;
};

/* Start the walk (rc_plan_build); a dry run's, or where no thread can be
 * made, walks here and now. 0 or -1 for the walk done here. */
int rc_ahead_start(struct rc_ahead *a, struct rc_plan *plan,
		   const struct rc_policy *p, struct rc_frames *f,
		   bool dry_run, struct mc_error *e);
/* A copy of planned range k, once the walk has got that far; false when
 * it ended (or failed) before. */
bool rc_ahead_get(struct rc_ahead *a, size_t k, struct rc_seg *s);
/* Range k as acted on, back into the plan. */
void rc_ahead_put(struct rc_ahead *a, size_t k, const struct rc_seg *s);
/* Wait for the walk's end: its result, and its error in e. */
int rc_ahead_finish(struct rc_ahead *a, struct mc_error *e);

#endif
