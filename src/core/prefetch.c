/* The /proc reads of command-line PIDs on two threads: the caller and one
 * helper take chunks of the list from a shared counter until it is done,
 * each writing only the facts of the PIDs it took; the join orders those
 * writes before the checks read them. */
#include "core/prefetch.h"

#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/ahead.h"
#include "core/step.h"
#include "core/thread.h"

/* PIDs a thread takes at a time: few enough to share the list evenly,
 * enough that the counter is not fought over. */
#define CHUNK 32

struct job {
	const struct mc_mounts *m;
	enum mc_hier_type type;
	const pid_t *pids;
	size_t n;
	struct mc_pidfacts *f;
	bool start;
	atomic_size_t next;
	atomic_long pidfds;		/* pidfds that may still be opened */
};

/* The pidfds stay open from the checks to the writes: they may take the
 * open-files limit but for a reserve, which the run's own files (cgroups,
 * records, locks) need; past it, the start time pins a process. */
#define RESERVE 256

static long pidfd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX)
		return LONG_MAX;
	return (long)rl.rlim_cur - RESERVE;
}

/* Make the descriptor table big enough for the pidfds to come while this
 * process has one thread: the kernel grows it by doubling, and a growth
 * in a process whose threads share it waits for an RCU grace period
 * (expand_fdtable, synchronize_rcu): 10-20 ms each on the 2-CPU host,
 * 40 ms of a 1000-PID move spent asleep. One growth now costs none. */
static void grow_fdtable(long pidfds)
{
	int fd = open("/", O_PATH | O_CLOEXEC), hi;

	if (fd < 0 || pidfds <= 0)
		goto out;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, fd + (int)(pidfds < 65536 ? pidfds : 65536));
	if (hi >= 0)
		close(hi);
out:
	if (fd >= 0)
		close(fd);
}

static void read_one(struct job *j, size_t i)
{
	struct mc_pidfacts *f = &j->f[i];
	struct mc_error ignored;
	pid_t pid = j->pids[i];

	f->pidfd = -1;
	f->status_ok = mc_proc_read_status(j->m, pid, &f->st, &ignored) == 0;
	/* a TID's process is read by its check, as one given alone is */
	if (f->status_ok && f->st.ids.tgid == pid) {
		if (mc_proc_read_cgroup(j->m, pid, j->type, &f->cgpath,
					&ignored) < 0)
			f->cgpath = NULL;
		if (atomic_fetch_sub(&j->pidfds, 1) > 0)
			f->pidfd = mc_pidfd_open(pid);
		if (j->start || f->st.kthread < 0 || f->pidfd < 0)
			f->stat_ok = mc_proc_read_stat(j->m, pid, &f->ps,
						       &ignored) == 0;
	}
	f->read_us = mc_step_now_us();
}

static void *work(void *arg)
{
	struct job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, CHUNK)) < j->n)
		for (size_t k = i; k < i + CHUNK && k < j->n; k++)
			read_one(j, k);
	return NULL;
}

struct mc_pidfacts *mc_pidfacts_read(const struct mc_mounts *m,
				     enum mc_hier_type type, const pid_t *pids,
				     size_t n, bool start)
{
	struct job j = { .m = m, .type = type, .pids = pids, .n = n,
			 .start = start };
	pthread_t helper;
	bool two;

	j.f = calloc(n ? n : 1, sizeof(*j.f));
	if (!j.f)
		return NULL;
	atomic_init(&j.next, 0);
	atomic_init(&j.pidfds, pidfd_budget());
	if ((long)n < atomic_load(&j.pidfds))
		atomic_store(&j.pidfds, (long)n);
	grow_fdtable(atomic_load(&j.pidfds));
	/* below MC_AHEAD_MIN a thread costs more than it saves */
	two = n >= MC_AHEAD_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
	      mc_thread_start(&helper, work, &j) == 0;
	work(&j);
	if (two)
		pthread_join(helper, NULL);
	return j.f;
}

void mc_pidfacts_free(struct mc_pidfacts *f, size_t n)
{
	if (!f)
		return;
	for (size_t i = 0; i < n; i++) {
		free(f[i].cgpath);
		if (f[i].pidfd >= 0)
			close(f[i].pidfd);
	}
	free(f);
}
