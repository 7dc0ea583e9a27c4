/* The placed start of mc_thread_start: a trampoline carries the CPUs the
 * thread may use once it runs. */
#include "core/thread.h"

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

struct start {
	void *(*fn)(void *);
	void *arg;
	bool placed;			/* started away from the caller's CPU */
	cpu_set_t cpus;			/* the CPUs it may use after that */
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	/* placed: now the scheduler may move it as it likes */
	if (s.placed)
		pthread_setaffinity_np(pthread_self(), sizeof(s.cpus), &s.cpus);
	return s.fn(s.arg);
}

static void other_cpu(struct start *s, pthread_attr_t *attr)
{
	int cpu = sched_getcpu();
	cpu_set_t other;

	if (cpu < 0 || cpu >= CPU_SETSIZE ||
	    sched_getaffinity(0, sizeof(s->cpus), &s->cpus) < 0 ||
	    !CPU_ISSET(cpu, &s->cpus) || CPU_COUNT(&s->cpus) < 2)
		return;
	other = s->cpus;
	CPU_CLR(cpu, &other);
	s->placed = pthread_attr_setaffinity_np(attr, sizeof(other),
						&other) == 0;
}

int mc_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	struct start *s = calloc(1, sizeof(*s));
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	if (!s || pthread_attr_init(&attr)) {
		free(s);
		return -1;
	}
	s->fn = fn;
	s->arg = arg;
	other_cpu(s, &attr);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, &attr, trampoline, s);
	/* the CPUs changed meanwhile (a cpuset): start it anywhere */
	if (rc && s->placed) {
		s->placed = false;
		rc = pthread_create(t, NULL, trampoline, s);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc)
		free(s);
	return rc ? -1 : 0;
}
