/* A cgroup handle: name resolution that cannot escape the hierarchy, a
 * directory descriptor checked to be on a cgroup filesystem, and control-file
 * I/O through it. */
#ifndef MEMCG_CGROUP_H
#define MEMCG_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/mounts.h"

struct mc_cgroup {
	const struct mc_hier *hier;
	char *path;	/* hierarchy path, as /proc/PID/cgroup prints it */
	char *rel;	/* path below the mount point, "." for the mount root */
	char *dir;	/* the directory (mount point joined with rel) */
	int dfd;	/* O_RDONLY directory descriptor (usable for flock) */
	ino_t ino;	/* = the kpagecgroup value of its pages (docs §4) */
	dev_t dev;
	bool is_root;	/* the hierarchy's real root (not a cgroupns root) */
};

/* Parse a user's name (hierarchy path, filesystem path under h's mount
 * point, or "memory:/path") into a normalised hierarchy path and the path
 * below the mount point. Refuses "..", other controllers, paths under other
 * cgroup mounts and paths the mount cannot reach. Pure: no filesystem access. */
int mc_cgroup_parse_name(const struct mc_mounts *m, const struct mc_hier *h,
			 const char *name, char **hpath, char **rel,
			 struct mc_error *e);

/* The hierarchy path below h's mount point, or -1 (EXDEV) when the mount's
 * root does not contain it. */
int mc_cgroup_rel_of(const struct mc_hier *h, const char *hpath, char **rel,
		     struct mc_error *e);

#define MC_CG_WRITE 1	/* check the filesystem type; refused with sysroot */

/* Resolve name and open its directory beneath the mount point. */
int mc_cgroup_open(struct mc_cgroup *cg, const struct mc_mounts *m,
		   const struct mc_hier *h, const char *name, int flags,
		   struct mc_error *e);
void mc_cgroup_close(struct mc_cgroup *cg);

/* Descriptor of a control file in the cgroup, opened without following
 * links. */
int mc_cgroup_openat(const struct mc_cgroup *cg, const char *file, int oflags,
		     struct mc_error *e);

/* Move a process into the cgroup whose cgroup.procs is open at procs_fd:
 * one write() of its PID. 0 or an errno. */
int mc_cgroup_attach(int procs_fd, pid_t pid);

/* pread(fd, 0) of one unsigned decimal number. */
int mc_fd_read_u64(int fd, uint64_t *v, const char *what, struct mc_error *e);
int mc_cgroup_read_u64(const struct mc_cgroup *cg, const char *file,
		       uint64_t *v, struct mc_error *e);
/* One value of a "key value" file such as memory.stat (exact key match). */
int mc_cgroup_read_stat(const struct mc_cgroup *cg, const char *file,
			const char *key, uint64_t *v, struct mc_error *e);

/* The memory files and memory.stat keys that differ between cgroup v1
 * and v2 (docs §9). The stat keys are the cgroup's own figures. */
struct mc_memfiles {
	const char *usage;	/* a page counter: current at once */
	const char *limit;
	const char *anon, *file, *shmem;	/* keys of memory.stat */
	const char *swap_file;	/* v2: memory.swap.current; v1: NULL */
	const char *swap_key;	/* v1: "swap" in memory.stat; v2: NULL */
};
const struct mc_memfiles *mc_memfiles(enum mc_hier_type type);

#define MC_UNLIMITED UINT64_MAX

/* The cgroup's usage (memory.usage_in_bytes, memory.current). The root of
 * a v2 hierarchy has no such file (ENOENT). */
int mc_cgroup_read_usage(const struct mc_cgroup *cg, uint64_t *usage,
			 struct mc_error *e);
/* Its limit: memory.limit_in_bytes (v1: a value at or above 2^62 is the
 * page counter's maximum, unlimited) or memory.max (v2: "max"), with
 * MC_UNLIMITED for no limit. */
int mc_cgroup_read_limit(const struct mc_cgroup *cg, uint64_t *limit,
			 struct mc_error *e);
/* The same from a descriptor open on that file, read again from its
 * start. */
int mc_fd_read_limit(int fd, uint64_t *limit, const char *what,
		     struct mc_error *e);

/* a is b or an ancestor of b (hierarchy paths). */
bool mc_path_is_ancestor(const char *a, const char *b);

#endif
