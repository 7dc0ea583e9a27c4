/* The figures of memory cgroups as memcg show reports them, on cgroup v1
 * and v2 alike: usage, limit, the cgroup's own memory.stat figures, process
 * count, the charge knob; and LEFT, bytes charged to a cgroup by processes
 * that now live in another, from page attribution. No printing. */
#ifndef MEMCG_STATS_H
#define MEMCG_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cgroup.h"
#include "core/error.h"
#include "core/mounts.h"
#include "core/pages.h"
#include "core/tree.h"

/* Which figures to read, and which were found. */
enum {
	MC_ST_USAGE = 1 << 0,	/* memory.usage_in_bytes, memory.current */
	MC_ST_LIMIT = 1 << 1,	/* memory.limit_in_bytes, memory.max */
	MC_ST_ANON = 1 << 2,	/* memory.stat: v1 rss, v2 anon */
	MC_ST_FILE = 1 << 3,	/* memory.stat: v1 cache, v2 file */
	MC_ST_SHMEM = 1 << 4,	/* memory.stat: shmem */
	MC_ST_SWAP = 1 << 5,	/* v1 memory.stat swap, v2 memory.swap.current */
	MC_ST_PROCS = 1 << 6,	/* the PIDs of cgroup.procs */
	MC_ST_CHARGE = 1 << 7,	/* v1 memory.move_charge_at_immigrate */
};

/*
 * One cgroup's figures, each read once. They are informational: usage is a
 * page counter (current, but with up to 64 pages per CPU of pre-charge),
 * memory.stat lags up to 2 s for small changes (docs §3, §8). The stat
 * figures are the cgroup's own, not its descendants' (v1 "rss", never
 * "total_rss").
 */
struct mc_cgstats {
	unsigned have;		/* MC_ST_* of the figures found */
	uint64_t usage;
	uint64_t limit;		/* MC_UNLIMITED: no limit */
	uint64_t anon, file, shmem, swap;	/* bytes */
	uint64_t procs;
	int charge;		/* the knob's value (enum mc_charge_mode) */
};

/* The values of keys[0..n-1] in a "key value" text such as memory.stat,
 * keys matched whole ("rss" is not "total_rss"). Returns the bits (1 << i)
 * of the keys found; vals[i] is set for those only. */
unsigned mc_stats_parse(const char *text, const char *const *keys, size_t n,
			uint64_t *vals);

/* Read the figures want (MC_ST_*) asks for. A file the cgroup does not
 * have leaves its bit clear in st->have: the v2 root has no memory.current,
 * v2 has no knob, a kernel without swap accounting no swap figure. Any
 * other failure is -1 with e naming the file. */
int mc_stats_read(const struct mc_cgroup *cg, unsigned want,
		  struct mc_cgstats *st, struct mc_error *e);

/* A cgroup of a subtree, with its figures. */
struct mc_stats_node {
	char *path;		/* hierarchy path */
	uint64_t ino;
	unsigned depth;		/* below the subtree's top (0) */
	struct mc_cgstats st;
};

struct mc_stats_tree {
	struct mc_stats_node *v;	/* parents before their children,
					 * siblings by name */
	size_t n, cap;
};

/* The cgroup at rel (below h's mount point) and its descendants down to
 * maxdepth levels (negative: all), each with the figures want asks for.
 * Cgroups removed meanwhile are left out. Nodes are appended to t, so
 * several subtrees can share it; free it with mc_stats_tree_free. */
int mc_stats_tree(const struct mc_mounts *m, const struct mc_hier *h,
		  const char *rel, int maxdepth, unsigned want,
		  struct mc_stats_tree *t, struct mc_error *e);
void mc_stats_tree_free(struct mc_stats_tree *t);

/*
 * LEFT: for each cgroup, the bytes charged to it that belong to processes
 * living in another cgroup. Every process on the system is attributed once
 * (mc_pages_attribute); each process adds its bytes charged to cgroups
 * other than its own. So it sees only pages some process maps: page cache
 * that no process maps, and swapped pages, are not counted; a page mapped
 * by several processes, or at several addresses, counts once for each, as
 * RSS counts it.
 */
struct mc_left_ent {
	uint64_t ino;
	uint64_t bytes;
};

struct mc_left {
	struct mc_left_ent *v;	/* sorted by ino */
	size_t n, cap;
	size_t procs;		/* processes attributed */
	size_t skipped;		/* processes that could not be read */
	struct mc_error why;	/* why the first of them was skipped */
};

/* Scan every process of <sysroot>/proc. map names the processes' own
 * cgroups (its hierarchy is the one scanned). A process that exits
 * meanwhile is no failure; one that cannot be read is counted in skipped.
 * Fails (-1) when page frames are hidden from this process (EPERM) or
 * memory runs out. */
int mc_left_scan(struct mc_pages *ctx, struct mc_inomap *map,
		 struct mc_left *out, struct mc_error *e);
/* The LEFT bytes of the cgroup with inode ino (0 when none). */
uint64_t mc_left_of(const struct mc_left *l, uint64_t ino);
void mc_left_free(struct mc_left *l);

#endif
