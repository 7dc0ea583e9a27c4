/* The /proc reads of command-line PIDs on two threads: the caller and one
 * helper take chunks of the list from a shared counter until it is done,
 * each writing only the facts of the PIDs it took; the join orders those
 * writes before the checks read them.
 *
 * Where a process is: PIDs given together mostly come from a few cgroups
 * (`memcg move DEST $(cat SRC/cgroup.procs)`), and /proc/PID/cgroup costs
 * a third of a PID's reads here, under the global cgroup_mutex the other
 * thread's reads and every write also take. So once a process's cgroup is
 * read, that cgroup's cgroup.procs is read too (up to MEMBERS cgroups),
 * and a later process with one thread that it lists is in that cgroup:
 * its only task is its leader, which /proc/PID/cgroup names. A process
 * with more threads is read as before (on v1 its threads may be in other
 * cgroups, and cgroup.procs lists a process for any of them). Both are
 * looks taken before the write, a few milliseconds apart, in which a PID
 * is not reused (the kernel hands PIDs out cyclically). */
#include "core/prefetch.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/ahead.h"
#include "core/step.h"
#include "core/thread.h"

/* PIDs a thread takes at a time: few enough to share the list evenly,
 * enough that the counter is not fought over. */
#define CHUNK 32

/* Cgroups whose members are known: a few, at most MEMBERS. */
#define MEMBERS 4

struct members {
	char *path;			/* as /proc/PID/cgroup names it */
	pid_t *pids;			/* sorted */
	size_t n;
};

struct job {
	const struct mc_mounts *m;
	const struct mc_hier *h;
	const pid_t *pids;
	size_t n;
	struct mc_pidfacts *f;
	bool start;
	bool pin;			/* pidfds wanted (not a dry run) */
	atomic_size_t next;
	atomic_long pidfds;		/* pidfds that may still be opened */
	pthread_mutex_t lock;		/* guards the members */
	struct members known[MEMBERS];
	size_t nknown;
	bool full;			/* no more cgroups to list */
};

/* The pidfds stay open from the checks to the writes: they may take half
 * of the descriptors free under the open-files limit, less a reserve for
 * the run's own files (records, locks); past it, the start time pins a
 * process. The origins' descriptors come later: a check that finds none
 * left gives the pidfds up (mc_move_shed_pidfds). */
static long pidfd_budget(void)
{
	long free = mc_fds_free();

	return free > MC_FDS_RESERVE ? (free - MC_FDS_RESERVE) / 2 : 0;
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

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The cgroup that lists pid among its members, or NULL. Under lock. */
static const char *member_of(const struct job *j, pid_t pid)
{
	for (size_t k = 0; k < j->nknown; k++)
		if (bsearch(&pid, j->known[k].pids, j->known[k].n, sizeof(pid),
			    cmp_pid))
			return j->known[k].path;
	return NULL;
}

/* Whether path's members are known. Under lock. */
static bool listed(const struct job *j, const char *path)
{
	for (size_t k = 0; k < j->nknown; k++)
		if (!strcmp(j->known[k].path, path))
			return true;
	return false;
}

/* The members of path (a cgroup a process was just found in), sorted. */
static void list_members(struct job *j, const char *path)
{
	struct members *mb = &j->known[j->nknown];
	struct mc_error ignored;
	struct mc_cgroup cg;
	char *buf = NULL, *p;
	size_t n = 0;
	pid_t v;
	int fd;

	if (mc_cgroup_open(&cg, j->m, j->h, path, 0, &ignored) < 0) {
		j->full = true;
		return;
	}
	fd = mc_cgroup_openat(&cg, "cgroup.procs", O_RDONLY, &ignored);
	if (fd >= 0) {
		buf = mc_read_fd(fd, "cgroup.procs", NULL, &ignored);
		close(fd);
	}
	mc_cgroup_close(&cg);
	for (p = buf; p && (p = mc_next_pid(p, &v));)
		n++;
	mb->pids = buf ? malloc((n ? n : 1) * sizeof(*mb->pids)) : NULL;
	mb->path = strdup(path);
	if (!mb->pids || !mb->path) {
		free(mb->pids);
		free(mb->path);
		free(buf);
		j->full = true;
		return;
	}
	for (p = buf, mb->n = 0; (p = mc_next_pid(p, &v));)
		if (v > 0)
			mb->pids[mb->n++] = v;
	free(buf);
	qsort(mb->pids, mb->n, sizeof(*mb->pids), cmp_pid);
	j->full = ++j->nknown >= MEMBERS;
}

/* The memory cgroup of pid into f->cgpath (NULL when it cannot be read):
 * from a cgroup's members for a process of one thread, else from
 * /proc/PID/cgroup, whose cgroup then has its members listed. */
static void place(struct job *j, struct mc_pidfacts *f, pid_t pid)
{
	/* a kernel thread's cgroup (the root) is not worth listing */
	bool single = f->st.threads == 1 && f->st.kthread != 1;
	struct mc_error ignored;
	const char *known = NULL;

	if (single) {
		pthread_mutex_lock(&j->lock);
		known = member_of(j, pid);
		f->cgpath = known ? strdup(known) : NULL;
		pthread_mutex_unlock(&j->lock);
		if (f->cgpath)
			return;
	}
	if (mc_proc_read_cgroup(j->m, pid, j->h->type, &f->cgpath,
				&ignored) < 0) {
		f->cgpath = NULL;
		return;
	}
	if (!single)
		return;
	pthread_mutex_lock(&j->lock);
	/* the other thread may have listed it meanwhile; a process that
	 * came after the listing is not in it, its cgroup is */
	if (!j->full && !member_of(j, pid) && !listed(j, f->cgpath))
		list_members(j, f->cgpath);
	pthread_mutex_unlock(&j->lock);
}

static void read_one(struct job *j, size_t i)
{
	struct mc_pidfacts *f = &j->f[i];
	struct mc_error ignored;
	pid_t pid = j->pids[i];

	/* pinned first: what is read next is of the process it pins, or,
	 * if that one is reaped meanwhile, the pidfd tells at the write */
	f->pidfd = j->pin && atomic_fetch_sub(&j->pidfds, 1) > 0
			   ? mc_pidfd_open(pid)
			   : -1;
	f->status_ok = mc_proc_read_status(j->m, pid, &f->st, &ignored) == 0;
	/* a TID's process is read by its check, as one given alone is (and
	 * pidfd_open refuses a TID: EINVAL) */
	if (f->status_ok && f->st.ids.tgid == pid) {
		place(j, f, pid);
		if (j->start || f->st.kthread < 0 || (j->pin && f->pidfd < 0))
			f->stat_ok = mc_proc_read_stat(j->m, pid, &f->ps,
						       &ignored) == 0;
	}
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
				     const struct mc_hier *h, const pid_t *pids,
				     size_t n, bool start, bool pin)
{
	struct job j = { .m = m, .h = h, .pids = pids, .n = n,
			 .start = start, .pin = pin };
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
	/* the members' lock, before the helper can take it */
	pthread_mutex_init(&j.lock, NULL);
	/* below MC_AHEAD_MIN a thread costs more than it saves */
	two = n >= MC_AHEAD_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
	      mc_thread_start(&helper, work, &j) == 0;
	work(&j);
	if (two)
		pthread_join(helper, NULL);
	pthread_mutex_destroy(&j.lock);
	for (size_t k = 0; k < j.nknown; k++) {
		free(j.known[k].path);
		free(j.known[k].pids);
	}
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
