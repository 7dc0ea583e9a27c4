/* Page attribution: where each resident page of a process is charged, from
 * /proc/PID/pagemap and /proc/kpagecgroup, as bytes per memory cgroup. */
#ifndef MEMCG_PAGES_H
#define MEMCG_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/mounts.h"

/*
 * Counting rules, shared by every caller:
 * - A page counts once per address it is mapped at in the process, as RSS
 *   counts it: a file page mapped twice counts twice.
 * - "file" is pagemap bit 61: file pages, shmem/tmpfs, SysV shm and shared
 *   anonymous memory; "anon" is everything else. This is the split the
 *   kernel's charge moving uses: anon moves with knob value 1, file/shmem
 *   with value 2 (docs §2.1).
 * - The inode is the kpagecgroup value: st_ino of the cgroup directory in
 *   the memory hierarchy (docs §4). The kernel reports a page of a removed
 *   cgroup as its nearest live ancestor, except for a while right after the
 *   removal, when it can still report the removed inode (DESIGN, Decisions).
 */

struct mc_pages_cgroup {
	uint64_t ino;		/* kpagecgroup value, never 0 */
	uint64_t anon, file;	/* bytes */
};

struct mc_pages_result {
	struct mc_pages_cgroup *v;	/* sorted by ino */
	size_t n, cap;
	uint64_t uncharged_anon;	/* present, charged to no cgroup */
	uint64_t uncharged_file;	/* (zero page, kernel pages, ...) */
	uint64_t swapped;		/* swap entries: no /proc file says
					 * which cgroup holds their charge */
	uint64_t huge;			/* of the resident bytes, those in
					 * PMD-mapped huge pages */
};

/* Bytes charged to cgroups plus uncharged: what the process has resident. */
uint64_t mc_pages_resident(const struct mc_pages_result *r);
/* The entry of ino, or NULL. */
const struct mc_pages_cgroup *mc_pages_find(const struct mc_pages_result *r,
					    uint64_t ino);
/* A process's resident bytes as seen from one cgroup, the one it is in:
 * charged there, charged to other cgroups, charged to none. Swapped bytes
 * are in none of them (r->swapped). */
struct mc_pages_split {
	uint64_t here, elsewhere, uncharged;
};
/* here_ino 0 (the cgroup is not known) counts every charged byte as
 * elsewhere. */
void mc_pages_split(const struct mc_pages_result *r, uint64_t here_ino,
		    struct mc_pages_split *out);
/* Empty r for reuse, keeping its memory. */
void mc_pages_reset(struct mc_pages_result *r);
void mc_pages_result_free(struct mc_pages_result *r);

/* Counters of the work done, for tests and benchmarks. */
struct mc_pages_stats {
	uint64_t pagemap_reads;		/* pread calls on pagemap */
	uint64_t kpc_reads, kpc_pages;	/* pread calls on kpagecgroup, and
					 * entries they read */
	uint64_t kpf_reads;		/* pread calls on kpageflags */
	uint64_t huge_scans;		/* PAGEMAP_SCAN ioctls */
	uint64_t tails;			/* pages read 0, found a THP tail */
};

struct mc_pages;

#define MC_PAGES_NO_SCAN 0x1	/* do not ask PAGEMAP_SCAN for huge pages */

/* Open /proc/kpagecgroup and /proc/kpageflags (below m->sysroot) and
 * allocate the buffers (about 3 MiB, whatever the size of the processes): a
 * context for many processes, used by one thread at a time; m must outlive
 * it. Without the rights (root, CAP_SYS_ADMIN) the error says what is
 * needed (EACCES); without /proc/kpagecgroup, ENOENT. */
int mc_pages_open(struct mc_pages **ctx, const struct mc_mounts *m,
		  unsigned flags, struct mc_error *e);
void mc_pages_close(struct mc_pages *ctx);

/* Called after each batch with the resident bytes attributed so far; for a
 * progress display. */
void mc_pages_set_progress(struct mc_pages *ctx,
			   void (*fn)(void *arg, uint64_t done), void *arg);

/* Attribute every resident page of pid. out is reset first (it may be
 * reused across calls; free it with mc_pages_result_free). A process that
 * is gone, or exits during the walk, fails with e->code ESRCH: an ordinary
 * outcome, and out holds nothing then. So does a kernel thread, which has
 * no memory: callers that may meet one tell it by PF_KTHREAD first. Page
 * frame numbers hidden from this process (no CAP_SYS_ADMIN) fail with
 * EPERM, for every process alike. The answer is a snapshot of a moving
 * target: pages are charged, freed and moved while the walk runs. */
int mc_pages_attribute(struct mc_pages *ctx, pid_t pid,
		       struct mc_pages_result *out, struct mc_error *e);

const struct mc_pages_stats *mc_pages_get_stats(const struct mc_pages *ctx);

#endif
