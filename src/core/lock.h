/* The cgroup lock: an exclusive flock(2) on a cgroup's directory. A move
 * holds it on DEST (and with --atomic on every origin) while it changes the
 * knob and moves processes; `memcg charge` and the repair of a killed run's
 * record take it too, so none of them interleave. It dies with its holder. */
#ifndef MEMCG_LOCK_H
#define MEMCG_LOCK_H

#include <signal.h>

#include "core/cgroup.h"
#include "core/error.h"

struct mc_lock_wait {
	int secs;			   /* 0: do not wait */
	const volatile sig_atomic_t *stop; /* a signal ends the wait */
	void (*notice)(const char *msg);   /* told once that it waits */
};

/* Lock the directory open at dfd without waiting: 0, EWOULDBLOCK when
 * another process holds it, or another errno. */
int mc_lock_fd(int dfd);

/* Lock cg, waiting as w says (NULL: do not wait). -1 with e->code
 * EWOULDBLOCK when it is still held after the wait, EINTR when a signal
 * stopped the wait. */
int mc_lock(const struct mc_cgroup *cg, const struct mc_lock_wait *w,
	    struct mc_error *e);
void mc_unlock(const struct mc_cgroup *cg);

#endif
