/* The libcgroup wrapper: the only place that includes <libcgroup.h>. Its
 * error codes (50000+) are turned into errno values and messages here. */
#ifndef MEMCG_LIBCG_H
#define MEMCG_LIBCG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/mounts.h"

/* Whether libcgroup sees the hierarchy memcg uses: no sysroot, and the
 * first mount of the memory controller in /proc/mounts (the only one
 * libcgroup uses) is h's mount point. Initialises libcgroup on first use;
 * false when it cannot. */
bool mc_libcg_sees(const struct mc_mounts *m, const struct mc_hier *h);

/* Called for each cgroup directory of a walk, parents first, with its path
 * below the mount point ("." for the mount point itself). Non-zero stops
 * the walk and is returned. */
typedef int (*mc_libcg_fn)(void *arg, const char *rel, struct mc_error *e);

/* Walk the cgroup at rel and its descendants (cgroup_walk_tree_*). Only
 * when mc_libcg_sees() said yes. */
int mc_libcg_walk(const char *rel, mc_libcg_fn fn, void *arg,
		  struct mc_error *e);

/* The processes of the cgroup at rel (cgroup_get_procs), sorted. *pids is
 * for free(). Only when mc_libcg_sees() said yes. */
int mc_libcg_procs(const char *rel, pid_t **pids, size_t *n,
		   struct mc_error *e);

#endif
