/* move --also: the other cgroup v1 hierarchies a moved process is taken
 * into, through libcgroup, as "cgclassify -g cpu:/path PID" does. This is
 * the only interface to libcgroup (libcg.c is the only file that includes
 * <libcgroup.h>); its error codes become errno values and messages there. */
#ifndef MEMCG_LIBCG_H
#define MEMCG_LIBCG_H

#include <sys/types.h>

#include "core/error.h"

struct mc_also;

/* Check LIST once, before anything moves, and initialise libcgroup (the
 * first call only: a run without --also never pays for it). LIST is "*",
 * every mounted v1 hierarchy but the memory one, or controller names
 * separated by commas ("cpu,cpuacct,blkio"); names of one hierarchy
 * (co-mounted controllers) count once. path is DEST's hierarchy path
 * ("/batch/job1"); the cgroup of that path must exist in each hierarchy.
 * Errors: EINVAL when LIST is malformed or names something that is not a
 * mounted v1 hierarchy other than the memory one (a usage error); ENOENT
 * when the cgroup is missing from one of them, ENAMETOOLONG when its path is
 * longer than libcgroup can take, others when libcgroup cannot start; the
 * message names the controller and the cgroup. The caller refuses --also
 * on cgroup v2 before this. */
int mc_also_open(struct mc_also **also, const char *list, const char *path,
		 struct mc_error *e);

/* The hierarchies chosen, as their controllers, comma-separated:
 * "cpu,cpuacct,blkio" (co-mounted ones together). */
const char *mc_also_names(const struct mc_also *also);

/* Move every thread of pid into the cgroup in each hierarchy, in order.
 * *done is set to the hierarchies it went into, comma-separated ("" for
 * none): the ALSO column; it is valid until the next call. 0 when it went
 * into all; -1 otherwise, after trying every hierarchy, with the errno of
 * the first failure and a message naming each hierarchy that failed and
 * why. ESRCH when the process is gone (an ordinary outcome). */
int mc_also_move(struct mc_also *also, pid_t pid, const char **done,
		 struct mc_error *e);

void mc_also_free(struct mc_also *also);

#endif
