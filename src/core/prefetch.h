/* The /proc reads of command-line PIDs, done before their checks (private
 * to the engine). Each PID costs two or three /proc reads (status, cgroup,
 * and stat where status cannot stand in for it: about 13-18 us here, four
 * times its write to cgroup.procs), independent of each other and of the
 * checks' order; with many PIDs they run on two threads, and the checks
 * then take what was read. A read that failed is not kept: the check reads
 * again, inline, and says why. Each process is also pinned by a pidfd
 * (Linux 5.3+), which tells right before its write whether the PID still
 * names it. */
#ifndef MEMCG_PREFETCH_H
#define MEMCG_PREFETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/proc.h"

struct mc_pidfacts {
	bool status_ok;			/* st holds /proc/PID/status */
	bool stat_ok;			/* ps holds /proc/PID/stat */
	struct mc_proc_status st;
	struct mc_proc_stat ps;
	char *cgpath;			/* its memory cgroup, or NULL */
	int pidfd;			/* the process pinned, or -1 */
};

/* The facts of pids[0..n): status for each; for a PID that is its own
 * process (a TID's process is read by the check), its cgroup in h (from
 * /proc/PID/cgroup, or for a process of one thread from the members of a
 * cgroup read earlier), a pidfd,
 * and stat when the start time is wanted (start), status has no Kthread:
 * line (before 6.4) or no pidfd could be had; pidfds only with pin (a dry
 * run writes nothing: nothing to pin). NULL when memory runs out: every
 * check reads inline. */
struct mc_pidfacts *mc_pidfacts_read(const struct mc_mounts *m,
				     const struct mc_hier *h, const pid_t *pids,
				     size_t n, bool start, bool pin);
/* Free them, closing the pidfds not taken (set to -1 by the taker). */
void mc_pidfacts_free(struct mc_pidfacts *f, size_t n);

#endif
