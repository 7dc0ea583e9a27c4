/* The reader ahead of --from's moves (core/ahead.c) on a fixture /proc:
 * facts come in the list's order through a window smaller than the list, a
 * PID the mover skips is let go, a gone PID reads as gone, the mover reads
 * what the reader has not reached when it is behind, a stop ends the
 * reader with its window at most read, and every way out joins and frees
 * (the sanitizer build checks the freeing). Then through mc_move_run: a
 * --from list long enough for the reader gets the same columns as inline,
 * and an --atomic stop and an interrupt end the reader. */
#include "engine.h"

#include <pthread.h>
#include <time.h>

#include "core/ahead.h"

#define FIRST 1000
#define LONG (MC_AHEAD_MIN + 36)

/* proc/PID/status with what the move's columns read: RSS of pid kB */
static void proc_status(pid_t pid, int nspid)
{
	char file[64], text[256];

	snprintf(file, sizeof(file), "proc/%d/status", (int)pid);
	snprintf(text, sizeof(text),
		 "Name:\tp%d\nUmask:\t0022\nState:\tS (sleeping)\n"
		 "Tgid:\t%d\nPid:\t%d\nNSpid:\t%d\t%d\nVmRSS:\t%d kB\n",
		 (int)pid, (int)pid, (int)pid, (int)pid, nspid, (int)pid);
	fixture_write(file, text);
}

/* pids FIRST.. FIRST+n-1, each with a status, in a new array */
static pid_t *list_of(size_t n)
{
	pid_t *pids = malloc(n * sizeof(*pids));

	assert_non_null(pids);
	for (size_t i = 0; i < n; i++) {
		pids[i] = FIRST + (pid_t)i;
		proc_status(pids[i], pids[i]);
	}
	return pids;
}

static void assert_facts_of(const struct mc_facts *f, pid_t pid)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "p%d", (int)pid);
	assert_int_equal(f->pid, pid);
	assert_true(f->have_status);
	assert_string_equal(f->st.comm, comm);
	assert_int_equal(f->st.rss, (uint64_t)pid * 1024);
}

static void in_order_through_a_small_window(void **state)
{
	struct mc_ahead *a;
	struct mc_facts f;

	(void)state;
	for (size_t window = 1; window <= 8; window *= 2) {
		a = mc_ahead_start(&mounts, MC_MEASURE_COMM, list_of(40), 40,
				   window);
		assert_non_null(a);
		for (pid_t pid = FIRST; pid < FIRST + 40; pid++) {
			assert_true(mc_ahead_take(a, pid, UINT64_MAX, &f));
			assert_facts_of(&f, pid);
		}
		/* the list has ended */
		assert_false(mc_ahead_take(a, FIRST, UINT64_MAX, &f));
		mc_ahead_end(a);
	}
}

/* The mover skips PIDs (seen before, gone from SRC): their slots go. */
static void skipped_pids_let_go(void **state)
{
	struct mc_ahead *a;
	struct mc_facts f;

	(void)state;
	a = mc_ahead_start(&mounts, MC_MEASURE_RSS, list_of(40), 40, 4);
	for (pid_t pid = FIRST + 1; pid < FIRST + 40; pid += 3) {
		assert_true(mc_ahead_take(a, pid, UINT64_MAX, &f));
		assert_facts_of(&f, pid);
	}
	mc_ahead_end(a);
}

/* A PID whose files are gone reads as gone; its record shows no COMM or
 * RSS, as inline, and its write will say it exited. */
static void gone_pid_reads_gone(void **state)
{
	struct mc_ahead *a;
	struct mc_move_rec r = {0};
	struct mc_facts f;
	pid_t *pids = list_of(10);
	char file[64];

	(void)state;
	snprintf(file, sizeof(file), "%s/proc/%d/status", root, FIRST + 5);
	assert_int_equal(unlink(file), 0);
	proc_stat(FIRST + 6, "p", 0, 77);
	a = mc_ahead_start(&mounts, MC_MEASURE_COMM | MC_MEASURE_START, pids,
			   10, 4);
	assert_true(mc_ahead_take(a, FIRST + 5, UINT64_MAX, &f));
	assert_false(f.have_status);
	mc_facts_apply(&mv, &r, MC_MEASURE_COMM, &f);
	assert_string_equal(r.comm, "");
	assert_false(r.have_rss);
	/* START asked: no stat is gone too, with its status still there */
	assert_false(f.have_stat);
	assert_true(mc_ahead_take(a, FIRST + 6, UINT64_MAX, &f));
	assert_true(f.have_stat && f.have_status);
	assert_int_equal(f.starttime, 77);
	assert_true(mc_ahead_take(a, FIRST + 7, UINT64_MAX, &f));
	assert_false(f.have_stat || f.have_status);
	mc_ahead_end(a);
}

/* The helper of mover_reads_when_reader_is_behind: after a while, the
 * text of the FIFO that holds the reader up. */
static void *release_fifo(void *path)
{
	struct timespec nap = {0, 100 * 1000 * 1000};
	char text[160];
	int fd;

	nanosleep(&nap, NULL);
	fd = open(path, O_WRONLY);
	snprintf(text, sizeof(text),
		 "Name:\tp%d\nTgid:\t%d\nNSpid:\t%d\nVmRSS:\t%d kB\n", FIRST,
		 FIRST, FIRST, FIRST);
	/* no cmocka assert off the test's thread: a short write shows as
	 * FIRST's facts in the test */
	if (fd >= 0) {
		ssize_t n = write(fd, text, strlen(text));

		(void)n;
		close(fd);
	}
	return NULL;
}

/* The reader is held up on FIRST (its status a FIFO nobody writes yet):
 * the mover, waiting for FIRST, reads the PIDs after it in the window
 * itself, so they were read before FIRST was. */
static void mover_reads_when_reader_is_behind(void **state)
{
	struct timespec nap = {0, 20 * 1000 * 1000};
	struct mc_facts first, f;
	struct mc_ahead *a;
	pthread_t helper;
	char fifo[128];
	pid_t *pids = list_of(12);

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/proc/%d/status", root, FIRST);
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(pthread_create(&helper, NULL, release_fifo, fifo), 0);
	a = mc_ahead_start(&mounts, MC_MEASURE_COMM, pids, 12, 8);
	/* the reader has claimed FIRST and waits in its open */
	nanosleep(&nap, NULL);
	assert_true(mc_ahead_take(a, FIRST, UINT64_MAX, &first));
	assert_facts_of(&first, FIRST);
	for (pid_t pid = FIRST + 1; pid < FIRST + 12; pid++) {
		assert_true(mc_ahead_take(a, pid, UINT64_MAX, &f));
		assert_facts_of(&f, pid);
		/* the window, less FIRST's slot, was read meanwhile */
		if (pid < FIRST + 8)
			assert_true(f.read_us < first.read_us);
	}
	mc_ahead_end(a);
	assert_int_equal(pthread_join(helper, NULL), 0);
}

/* Facts read too long before the write are not used: read again. */
static void stale_facts_not_used(void **state)
{
	struct mc_ahead *a;
	struct mc_facts f;

	(void)state;
	a = mc_ahead_start(&mounts, MC_MEASURE_COMM, list_of(3), 3, 4);
	assert_false(mc_ahead_take(a, FIRST, 0, &f));
	assert_true(mc_ahead_take(a, FIRST + 1, UINT64_MAX, &f));
	/* a PID not ahead: the rest is let go, then no more */
	assert_false(mc_ahead_take(a, 4242, UINT64_MAX, &f));
	assert_false(mc_ahead_take(a, FIRST + 2, UINT64_MAX, &f));
	mc_ahead_end(a);
}

/* After a stop the reader reads nothing more: what can still be taken is
 * at most its window. */
static void stop_ends_the_reader(void **state)
{
	struct mc_ahead *a;
	struct mc_facts f;
	size_t after = 0;

	(void)state;
	a = mc_ahead_start(&mounts, MC_MEASURE_COMM, list_of(200), 200, 4);
	assert_true(mc_ahead_take(a, FIRST, UINT64_MAX, &f));
	mc_ahead_quit(a);
	for (pid_t pid = FIRST + 1; pid < FIRST + 200; pid++)
		after += mc_ahead_take(a, pid, UINT64_MAX, &f);
	assert_true(after <= 4);
	mc_ahead_end(a);
}

/* Ended with a full window and nothing taken, or at once: joined, freed. */
static void end_on_every_path(void **state)
{
	struct mc_ahead *a;

	(void)state;
	a = mc_ahead_start(&mounts, MC_MEASURE_COMM, list_of(300), 300, 8);
	assert_non_null(a);
	mc_ahead_end(a);
	a = mc_ahead_start(&mounts, MC_MEASURE_COMM, list_of(300), 300, 1);
	mc_ahead_end(a);
	/* no window: no reader, and the list is freed */
	assert_null(mc_ahead_start(&mounts, MC_MEASURE_COMM, list_of(3), 3, 0));
	mc_ahead_end(NULL);
}

/* --- through the run ------------------------------------------------------ */

static int attaches;

/* The fake backend keeps 64 attaches; a long list counts its own. */
static void count_attach(pid_t pid)
{
	(void)pid;
	attaches++;
	fake.nattached = 0;
}

/* SRC holding LONG processes, each with status, stat and cgroup files;
 * FIRST + 7 is a container's init. */
static void long_src(void)
{
	char *text = calloc(LONG, 12), pid[16];

	assert_non_null(text);
	for (pid_t p = FIRST; p < FIRST + LONG; p++) {
		proc_status(p, p == FIRST + 7 ? 1 : p);
		proc_stat(p, "p", 0, 100 + (unsigned long long)p);
		proc_in(p, "/dst");
		snprintf(pid, sizeof(pid), "%d\n", (int)p);
		strcat(text, pid);
	}
	fixture_write("cg/src/cgroup.procs", text);
	free(text);
}

static int setup(void **state)
{
	engine_setup(state);
	attaches = 0;
	fake.on_attach = count_attach;
	mv.from = 0;
	mv.req.measure = MC_MEASURE_COMM | MC_MEASURE_RSS;
	mv.req.notice = keep_notice;
	long_src();
	return 0;
}

static void columns_as_inline(void **state)
{
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(attaches, LONG);
	assert_int_equal(mv.nrecs, LONG);
	for (size_t i = 0; i < mv.nrecs; i++) {
		struct mc_move_rec *r = &mv.recs[i];
		struct mc_facts f = {.pid = r->pid, .have_status = true};

		assert_int_equal(r->status, MC_MOVED);
		assert_true(r->have_rss);
		f.st.rss = r->rss;
		snprintf(f.st.comm, sizeof(f.st.comm), "%s", r->comm);
		assert_facts_of(&f, FIRST + (pid_t)i);
		assert_true(!r->note == (r->pid != FIRST + 7));
	}
	assert_int_equal(said_with("init of another PID namespace", NULL), 1);
}

/* --atomic: the start times come from the reader too, and a failure stops
 * the pass with the reader running: it is joined, the moved go back. */
static void atomic_stop_ends_the_reader(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	fake.fail_pid = FIRST + 70;
	fake.fail_errno = EINVAL;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	/* every process of SRC has its row: the rest not-attempted */
	assert_int_equal(mv.nrecs, LONG);
	for (size_t i = 0; i < 70; i++) {
		assert_int_equal(mv.recs[i].status, MC_ROLLED_BACK);
		assert_int_equal(mv.recs[i].starttime,
				 100 + FIRST + (unsigned long long)i);
	}
	assert_int_equal(mv.recs[70].status, MC_FAILED);
	for (size_t i = 71; i < LONG; i++)
		assert_int_equal(mv.recs[i].status, MC_NOT_ATTEMPTED);
	assert_int_equal(attaches, 2 * 70);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

/* An interrupt: the reader stops, the rest is not attempted, its columns
 * read inline as before. */
static void interrupt_ends_the_reader(void **state)
{
	struct mc_error e;

	(void)state;
	fake.stop_after = FIRST + 9;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.interrupted, SIGTERM);
	assert_int_equal(attaches, 10);
	assert_int_equal(mv.nrecs, LONG);
	for (size_t i = 10; i < mv.nrecs; i++) {
		assert_int_equal(mv.recs[i].status, MC_NOT_ATTEMPTED);
		assert_true(mv.recs[i].have_rss);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, sysroot_setup, sysroot_teardown)
#define R(f) cmocka_unit_test_setup_teardown(f, setup, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(in_order_through_a_small_window),
		T(skipped_pids_let_go),
		T(gone_pid_reads_gone),
		T(mover_reads_when_reader_is_behind),
		T(stale_facts_not_used),
		T(stop_ends_the_reader),
		T(end_on_every_path),
		R(columns_as_inline),
		R(atomic_stop_ends_the_reader),
		R(interrupt_ends_the_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
