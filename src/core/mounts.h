/* Memory hierarchies: cgroup v1 mounts with the memory controller and cgroup2
 * mounts, found in mountinfo with libmount. */
#ifndef MEMCG_MOUNTS_H
#define MEMCG_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

enum mc_hier_type { MC_V1 = 1, MC_V2 = 2 };

struct mc_hier {
	enum mc_hier_type type;
	int id;			/* mount ID */
	char *target;		/* mount point, unescaped, without sysroot */
	char *root;		/* root of the mount within the hierarchy */
	char *source;
	char *options;		/* super options */
	bool memory;		/* v1: "memory" token; v2: in cgroup.controllers */
};

struct mc_mounts {
	struct mc_hier *h;
	size_t n;
	char *sysroot;		/* NULL or a prefix for every read path */
};

/* Read <sysroot>/proc/self/mountinfo. */
int mc_mounts_load(struct mc_mounts *m, const char *sysroot,
		   struct mc_error *e);
/* Parse a mountinfo file; only cgroup and cgroup2 lines reach libmount. */
int mc_mounts_parse(struct mc_mounts *m, const char *path, const char *sysroot,
		    struct mc_error *e);
/* The same from an open stream; path names it in messages. */
int mc_mounts_parse_stream(struct mc_mounts *m, FILE *in, const char *path,
			   const char *sysroot, struct mc_error *e);
void mc_mounts_free(struct mc_mounts *m);

/* The memory hierarchy memcg uses: the mount at want (if given: a v1
 * memory mount or a cgroup2 mount with memory in cgroup.controllers), else
 * the v1 memory mount when there is one, otherwise the cgroup2 mount that
 * offers memory, preferring a mount whose root is "/". */
const struct mc_hier *mc_mounts_memory(const struct mc_mounts *m,
				       const char *want, struct mc_error *e);

/* "<sysroot><path>" in buf; returns buf. */
char *mc_sysroot_path(const struct mc_mounts *m, char *buf, size_t len,
		      const char *path);

/* Kernel release and what it says about charge moving. */
struct mc_kernel {
	char release[128];
	int major, minor;
};
int mc_kernel_read(struct mc_kernel *k, const char *sysroot,
		   struct mc_error *e);

enum mc_charge_cap {
	MC_CAP_YES,		/* v1 before 6.13: the knob works */
	MC_CAP_NO_REMOVED,	/* v1 on 6.13+: the knob only accepts 0 */
	MC_CAP_NO_V2,		/* cgroup v2 never moved charges */
};
/* Inferred from the hierarchy type and the kernel version (docs §1, §5). */
enum mc_charge_cap mc_charge_cap(const struct mc_hier *h,
				 const struct mc_kernel *k);
const char *mc_charge_cap_reason(enum mc_charge_cap c,
				 const struct mc_kernel *k, char *buf,
				 size_t len);

#endif
