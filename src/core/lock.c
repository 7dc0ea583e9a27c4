/* The cgroup lock: flock(2) on the directory descriptor of a cgroup (opened
 * O_RDONLY: an O_PATH descriptor gives EBADF). */
#include "core/lock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>

int mc_lock_fd(int dfd)
{
	return flock(dfd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
}

int mc_lock(const struct mc_cgroup *cg, const struct mc_lock_wait *w,
	    struct mc_error *e)
{
	struct timespec nap = {0, 50 * 1000 * 1000};
	int secs = w ? w->secs : 0;
	long tries = (long)secs * 20;
	bool told = false;
	int err;

	while ((err = mc_lock_fd(cg->dfd)) != 0) {
		if (err != EWOULDBLOCK && err != EINTR)
			return mc_err(e, err, "cannot lock '%s'", cg->dir);
		if (w && w->stop && *w->stop)
			return mc_errx(e, EINTR,
				       "interrupted while waiting for '%s'",
				       cg->path);
		if (tries-- <= 0)
			return mc_errx(e, EWOULDBLOCK,
				       "another memcg run is moving processes "
				       "into '%s' (waited %d s; see --wait)",
				       cg->path, secs);
		if (!told && w && w->notice) {
			char msg[700];

			snprintf(msg, sizeof(msg),
				 "waiting for another memcg run on '%s'",
				 cg->path);
			w->notice(msg);
			told = true;
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}

void mc_unlock(const struct mc_cgroup *cg)
{
	flock(cg->dfd, LOCK_UN);
}
