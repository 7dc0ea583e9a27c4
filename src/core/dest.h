/* What DEST is, beyond its name: the rules a move on cgroup v2 meets (no
 * processes in a cgroup that hands memory to children; delegation), and
 * whether a service manager owns it. Private to the engine; it returns
 * answers and messages, the callers decide what to do with them. */
#ifndef MEMCG_DEST_H
#define MEMCG_DEST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cgroup.h"
#include "core/error.h"
#include "core/mounts.h"

/* v2: dst has child cgroups and memory in its cgroup.subtree_control, so
 * the kernel refuses processes there (EBUSY, docs §9). */
bool mc_dest_v2_busy(const struct mc_cgroup *dst);

/* v2: a process moves only when the writer can write the cgroup.procs of
 * the common ancestor of its cgroup and dst (delegation). 0, or -1 with
 * e->code EACCES naming that cgroup. */
int mc_dest_v2_access(const struct mc_mounts *m, const struct mc_cgroup *src,
		      const struct mc_cgroup *dst, struct mc_error *e);

/* Why the kernel refused a process with err on v2, when v2 explains it:
 * the message, or NULL. */
const char *mc_dest_v2_why(int err, const struct mc_cgroup *dst, char *buf,
			   size_t len);

/* dst lies in a systemd unit that may move the process back or fight over
 * the cgroup: v2, a .service or .scope cgroup (dst or an ancestor) without
 * the trusted.delegate xattr; v1, a .service, .scope or .slice path.
 * Returns the warning in buf, or false. */
bool mc_dest_unit_warning(const struct mc_mounts *m,
			  const struct mc_cgroup *dst, char *buf, size_t len);

#endif
