/* Recharge: bring the pages of a moved process that are still charged to
 * its old memory cgroup over to its new one, where the kernel does not move
 * charge itself (cgroup v2, v1 on 6.13+). Through public interfaces on a
 * pidfd (docs §9): process_madvise(MADV_COLLAPSE) over huge-page-aligned
 * ranges of private anonymous memory and shmem, whose new huge page is
 * charged to the memcg of the process's mm (DEST, after the move), and
 * process_madvise(MADV_PAGEOUT) over file mappings, whose pages refault
 * into DEST on their next touch. Every figure is measured with
 * /proc/kpagecgroup before and after (docs §4).
 *
 * Page cache the process only read(), never mapped, cannot be reached
 * through the process, and no /proc file lists it per process: it is not
 * reported (left_by[MC_LEFT_UNMAPPED] stays 0). The source's memory.reclaim
 * is the only lever for it, and it reclaims the whole source, not one
 * process. */
#ifndef MEMCG_RECHARGE_H
#define MEMCG_RECHARGE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cgroup.h"
#include "core/error.h"
#include "core/mounts.h"

/* The modes, bits as the knob's values (shmem counts as file) */
#define MC_RECHARGE_ANON 1
#define MC_RECHARGE_FILE 2
#define MC_RECHARGE_ALL 3

/* Why bytes stay charged to the source. */
enum mc_left_reason {
	MC_LEFT_SPARSE,		/* collapsing would grow RSS by 2% or more */
	MC_LEFT_HUGE,		/* already huge, and swap would take a split
				 * (or a hugetlb page) */
	MC_LEFT_SHARED,		/* in a range holding pages other processes
				 * map too */
	MC_LEFT_SWAPPED,	/* swap entries: the swap record keeps its
				 * owner (docs §9) */
	MC_LEFT_LOCKED,		/* mlocked mapping */
	MC_LEFT_LIMIT,		/* DEST (or an ancestor) had no room */
	MC_LEFT_UNALIGNED,	/* outside the huge-page-aligned ranges */
	MC_LEFT_UNMAPPED,	/* page cache only read(): never measured */
	MC_LEFT_KERNEL,		/* the kernel refused or kept them */
	MC_LEFT_COW,		/* private copies in a file mapping: no
				 * collapse reaches them */
	MC_LEFT_DIRTY,		/* file pages not written back yet: page
				 * out would only unmap them */
	MC_LEFT_STOPPED,	/* a stop signal came first */
	MC_LEFT_NREASONS
};

/* "sparse", "huge", ... as the JSON keys of left-by. */
const char *mc_left_reason_name(enum mc_left_reason r);

struct iovec;

/* The kernel call, replaceable for tests: process_madvise(pidfd, iov, n,
 * advice); 0 or an errno. */
struct mc_recharge_ops {
	int (*advise)(void *arg, int pidfd, const struct iovec *iov, size_t n,
		      int advice);
	void *arg;
};

struct mc_recharge_req {
	const struct mc_mounts *m;
	pid_t pid;			/* the process, already in DEST */
	pid_t tid;			/* a live thread when the leader has
					 * exited (0: pid) */
	uint64_t src_ino;		/* pages charged here come over */
	const struct mc_cgroup *dst;	/* DEST, for its room and its inode */
	unsigned mode;			/* MC_RECHARGE_* */
	bool dry_run;			/* classify and predict only */
	uint64_t rate;			/* bytes per second, 0: unlimited */
	volatile sig_atomic_t *stop;	/* checked between ranges (or NULL) */
	uint64_t huge_size;		/* mc_recharge_huge_size() */
	bool swap;			/* mc_recharge_swap_on() */
	const struct mc_recharge_ops *ops;	/* NULL: process_madvise */
};

struct mc_recharge_res {
	/* bytes of the process charged to DEST after that were charged to
	 * the source before (predicted in a dry run) */
	uint64_t recharged, recharged_anon, recharged_file;
	/* bytes still charged to the source at the end, by why; left is
	 * their sum. Kinds outside the mode are in not_asked instead. */
	uint64_t left, left_by[MC_LEFT_NREASONS];
	uint64_t not_asked;
	uint64_t rss_before, rss_after;
	uint64_t paged_out;	/* file bytes dropped: they refault into DEST */
	int kernel_errno;	/* the first errno of a kernel refusal */
	unsigned ranges, calls;	/* ranges acted on, process_madvise calls */
	bool exited;		/* gone, a kernel thread or a zombie */
	bool stopped;		/* *stop was set */
};

/* Whether recharge can work here: root (CAP_SYS_ADMIN for page frame
 * numbers), /proc/kpagecgroup readable, pidfd_open and process_madvise
 * supported. The error says what is missing. */
int mc_recharge_probe(const struct mc_mounts *m, struct mc_error *e);

/* The PMD huge page size from
 * /sys/kernel/mm/transparent_hugepage/hpage_pmd_size; ENOENT without THP. */
int mc_recharge_huge_size(const struct mc_mounts *m, uint64_t *size,
			  struct mc_error *e);
/* Whether /proc/swaps lists a swap area. */
int mc_recharge_swap_on(const struct mc_mounts *m, bool *on,
			struct mc_error *e);

/* Recharge one process (see the top of this file). res is zeroed first. A
 * process that is gone, exits meanwhile, is a zombie or a kernel thread
 * sets res->exited and returns 0. */
int mc_recharge(const struct mc_recharge_req *req,
		struct mc_recharge_res *res, struct mc_error *e);

#endif
