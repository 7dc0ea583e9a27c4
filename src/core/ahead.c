/* Reading /proc ahead of the moves: a reader thread fills a ring of slots
 * with each PID's facts while the mover writes PIDs to cgroup.procs. One
 * mutex guards the counters (PIDs claimed for reading, slots taken) and
 * each slot's ready flag; a slot's facts are written only by the thread
 * that claimed its PID and read by the mover only once it is ready, so the
 * mutex's ordering is all the slots need. A thread with nothing to do
 * sleeps on a condition variable instead of spinning, since the other
 * needs the second core. */
#include "core/ahead.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>

#include "core/step.h"
#include "core/thread.h"

unsigned mc_facts_want(const struct mc_move *mv)
{
	unsigned want = mv->req.measure &
			(MC_MEASURE_COMM | MC_MEASURE_RSS | MC_MEASURE_START);

	/* --atomic's rollback tells a reused PID by its start time */
	if (mv->req.atomic)
		want |= MC_MEASURE_START;
	return want;
}

void mc_facts_read(const struct mc_mounts *m, pid_t pid, unsigned want,
		   struct mc_facts *f)
{
	struct mc_proc_stat st;
	struct mc_error ignored;

	f->pid = pid;
	f->have_stat = f->have_status = false;
	f->starttime = 0;
	if ((want & MC_MEASURE_START) &&
	    mc_proc_read_stat(m, pid, &st, &ignored) == 0) {
		f->have_stat = true;
		f->starttime = st.starttime;
	}
	/* gone at the stat read: the columns stay unknown, as inline */
	if (!(want & MC_MEASURE_START) || f->have_stat)
		f->have_status =
		    mc_proc_read_status(m, pid, &f->st, &ignored) == 0;
	f->read_us = mc_step_now_us();
}

void mc_facts_apply(struct mc_move *mv, struct mc_move_rec *r, unsigned want,
		    const struct mc_facts *f)
{
	if ((want & MC_MEASURE_START) && !f->have_stat)
		return;
	if (want & MC_MEASURE_START)
		r->starttime = f->starttime;
	if (!f->have_status)
		return;
	snprintf(r->comm, sizeof(r->comm), "%s", f->st.comm);
	r->rss = f->st.rss;
	r->have_rss = true;
	/* a container's init is what --from of a container's cgroup meets */
	mc_valid_container_note(mv, r, &f->st.ids);
}

/* A slot: the facts of pids[i] for one i, ready once read. */
struct slot {
	struct mc_facts f;
	bool ready;			/* under lock */
};

struct mc_ahead {
	const struct mc_mounts *m;
	unsigned want;
	pid_t *pids;
	size_t n, window;
	struct slot *slots;		/* pids[i] goes to slots[i % window] */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t ready;		/* a slot is ready, or the reader ended */
	pthread_cond_t room;		/* slots were taken, or quit */
	size_t claimed;			/* under lock: pids[0..claimed) are
					 * read or being read */
	size_t taken;			/* under lock: slots the mover let go */
	bool quit;			/* under lock */
	bool reader_waits, mover_waits;	/* under lock: who to wake */
};

/* The reader, once its window is full, sleeps until a quarter of it is
 * free: one wake-up per quarter window rather than one per PID on the
 * mover's side, and little time idle (reading is what both cores are
 * short of). Below resume, it reads again; resume < window. */
static size_t resume(const struct mc_ahead *a)
{
	return a->window - (a->window >= 4 ? a->window / 4 : 1);
}

static bool window_full(const struct mc_ahead *a, bool waited)
{
	size_t ahead = a->claimed - a->taken;

	return waited ? ahead > resume(a) : ahead >= a->window;
}

/* Read the next PID not claimed yet into its slot. Under lock; the lock is
 * let go while reading. */
static void read_next(struct mc_ahead *a)
{
	size_t i = a->claimed++;
	struct slot *sl = &a->slots[i % a->window];

	pthread_mutex_unlock(&a->lock);
	mc_facts_read(a->m, a->pids[i], a->want, &sl->f);
	pthread_mutex_lock(&a->lock);
	sl->ready = true;
}

static void *reader(void *arg)
{
	struct mc_ahead *a = arg;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		bool waited = false;

		while (!a->quit && a->claimed < a->n &&
		       window_full(a, waited)) {
			a->reader_waits = waited = true;
			pthread_cond_wait(&a->room, &a->lock);
		}
		a->reader_waits = false;
		if (a->quit || a->claimed == a->n)
			break;
		read_next(a);
		if (a->mover_waits)
			pthread_cond_signal(&a->ready);
	}
	/* a mover waiting for the slot it read last */
	pthread_cond_signal(&a->ready);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void ahead_free(struct mc_ahead *a)
{
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->ready);
	pthread_cond_destroy(&a->room);
	free(a->slots);
	free(a->pids);
	free(a);
}

struct mc_ahead *mc_ahead_start(const struct mc_mounts *m, unsigned want,
				pid_t *pids, size_t n, size_t window)
{
	struct mc_ahead *a = calloc(1, sizeof(*a));

	if (!a || !window || !(a->slots = calloc(window, sizeof(*a->slots)))) {
		free(a);
		free(pids);
		return NULL;
	}
	*a = (struct mc_ahead){.m = m,
			       .want = want,
			       .pids = pids,
			       .n = n,
			       .window = window,
			       .slots = a->slots};
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->ready, NULL);
	pthread_cond_init(&a->room, NULL);
	if (mc_thread_start(&a->thread, reader, a) < 0) {
		ahead_free(a);
		return NULL;
	}
	return a;
}

/* Let the slot at a->taken go; the reader wakes once it may resume. Under
 * lock. */
static void let_go(struct mc_ahead *a)
{
	a->slots[a->taken % a->window].ready = false;
	a->taken++;
	if (a->reader_waits && a->claimed - a->taken <= resume(a))
		pthread_cond_signal(&a->room);
}

/* Until the slot at a->taken is ready: false when its PID is not claimed
 * and will not be (a stop, the end of the list). The mover does not sit
 * idle while the reader is behind: it reads the next PID not claimed yet,
 * ahead of its own, which shares the reading between the two cores; it
 * sleeps only when the window holds nothing left to read. Under lock. */
static bool wait_ready(struct mc_ahead *a)
{
	for (;;) {
		if (a->taken < a->claimed &&
		    a->slots[a->taken % a->window].ready)
			return true;
		if (a->taken >= a->claimed && (a->quit || a->claimed == a->n))
			return false;
		if (!a->quit && a->claimed < a->n &&
		    a->claimed - a->taken < a->window) {
			read_next(a);
			continue;
		}
		a->mover_waits = true;
		pthread_cond_wait(&a->ready, &a->lock);
		a->mover_waits = false;
	}
}

bool mc_ahead_take(struct mc_ahead *a, pid_t pid, uint64_t max_age_us,
		   struct mc_facts *f)
{
	bool hit = false;

	pthread_mutex_lock(&a->lock);
	while (!hit && wait_ready(a)) {
		hit = a->slots[a->taken % a->window].f.pid == pid;
		if (hit)
			*f = a->slots[a->taken % a->window].f;
		let_go(a);
	}
	pthread_mutex_unlock(&a->lock);
	/* read long before the write (a slow move, charge moving): a PID may
	 * have been reused since, so read again, as SRC's list is */
	return hit && mc_step_now_us() - f->read_us < max_age_us;
}

void mc_ahead_quit(struct mc_ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->quit = true;
	pthread_cond_signal(&a->room);
	pthread_mutex_unlock(&a->lock);
}

void mc_ahead_end(struct mc_ahead *a)
{
	if (!a)
		return;
	mc_ahead_quit(a);
	pthread_join(a->thread, NULL);
	ahead_free(a);
}
