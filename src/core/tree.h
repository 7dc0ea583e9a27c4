/* The cgroup directories of a memory hierarchy: a walk with each
 * directory's inode, a cgroup's processes, and the inode-to-path map that
 * names the cgroups /proc/kpagecgroup reports. */
#ifndef MEMCG_TREE_H
#define MEMCG_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/mounts.h"

struct mc_tree_node {
	const char *path;	/* as /proc/PID/cgroup prints it */
	const char *rel;	/* below the mount point ("." for it) */
	uint64_t ino;		/* st_ino = the kpagecgroup value */
	unsigned depth;		/* levels below the walk's start (0) */
};

/* Called for each directory, parents before children. Non-zero stops the
 * walk and is returned by mc_tree_walk. */
typedef int (*mc_tree_fn)(void *arg, const struct mc_tree_node *node,
			  struct mc_error *e);

/* Walk the cgroup at rel (below h's mount point) and its descendants, the
 * same way on every hierarchy, --mount and --sysroot. Directories are
 * opened relative to their parent without following links, so paths of
 * any length are walked; one descriptor is open per level of depth.
 * node->path and node->rel are valid during the call only. Directories
 * removed during the walk are left out; ENOENT when rel does not exist. */
int mc_tree_walk(const struct mc_mounts *m, const struct mc_hier *h,
		 const char *rel, mc_tree_fn fn, void *arg,
		 struct mc_error *e);
/* The same, down to maxdepth levels below rel (0: rel alone; negative: no
 * limit): deeper directories are not even read. */
int mc_tree_walk_depth(const struct mc_mounts *m, const struct mc_hier *h,
		       const char *rel, int maxdepth, mc_tree_fn fn,
		       void *arg, struct mc_error *e);

/* The PIDs of the cgroup at rel (its cgroup.procs), sorted; *pids is for
 * free(). ENOENT when the cgroup does not exist. */
int mc_tree_procs(const struct mc_mounts *m, const struct mc_hier *h,
		  const char *rel, pid_t **pids, size_t *n,
		  struct mc_error *e);

/* Inode -> hierarchy path, built once per run from a walk of the whole
 * mounted hierarchy. */
struct mc_inomap_ent {
	uint64_t ino;
	char *path;
};

struct mc_inomap {
	const struct mc_mounts *m;
	const struct mc_hier *h;
	struct mc_inomap_ent *v;	/* sorted by ino */
	size_t n, cap;
	uint64_t *unknown;		/* not found by a walk after the miss */
	size_t nunknown;
};

int mc_inomap_build(struct mc_inomap *map, const struct mc_mounts *m,
		    const struct mc_hier *h, struct mc_error *e);

/* The path of the cgroup whose directory has inode ino, or NULL when no
 * directory has it: a cgroup removed a moment ago (kpagecgroup still
 * reports its inode for a while: DESIGN, Decisions) or, when the mount's
 * root is not the hierarchy's, one outside the mounted part. A miss walks
 * the hierarchy again once for that inode, for cgroups created since. */
const char *mc_inomap_path(struct mc_inomap *map, uint64_t ino);

/* The inode of the cgroup at a hierarchy path (as /proc/PID/cgroup prints
 * it); 0 when the map has no such directory. */
uint64_t mc_inomap_ino(const struct mc_inomap *map, const char *path);

void mc_inomap_free(struct mc_inomap *map);

#endif
