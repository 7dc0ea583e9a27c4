/* --from SRC through mc_move_run: passes over SRC's cgroup.procs until one
 * finds nothing new. The fake attach plays the kernel: it takes the PID out
 * of the fixture SRC's cgroup.procs, and a test's hook may add others (a
 * fork) or take some away. */
#include "engine.h"

#include <sys/file.h>
#include <time.h>

#include "core/move.h"
#include "core/proc.h"

/* SRC's processes, written to its cgroup.procs after every change. */
static pid_t src[64];
static int nsrc;

static void src_write(void)
{
	char text[64 * 12] = "", pid[16];

	for (int i = 0; i < nsrc; i++) {
		snprintf(pid, sizeof(pid), "%d\n", (int)src[i]);
		strcat(text, pid);
	}
	fixture_write("cg/src/cgroup.procs", text);
}

static void src_add(pid_t pid)
{
	assert_true(nsrc < 64);
	src[nsrc++] = pid;
	src_write();
}

static void src_remove(pid_t pid)
{
	for (int i = 0; i < nsrc; i++)
		if (src[i] == pid) {
			src[i] = src[--nsrc];
			break;
		}
	src_write();
}

/* What a test adds to the kernel's side of an attach. */
static void (*then)(pid_t pid);

/* The attached process leaves SRC. */
static void kernel_attach(pid_t pid)
{
	src_remove(pid);
	if (then)
		then(pid);
}

static int setup(void **state)
{
	engine_setup(state);
	nsrc = 0;
	then = NULL;
	fake.on_attach = kernel_attach;
	mv.from = 0;
	return 0;
}

static struct mc_move_rec *rec_of(pid_t pid)
{
	for (size_t i = 0; i < mv.nrecs; i++)
		if (mv.recs[i].pid == pid)
			return &mv.recs[i];
	return NULL;
}

static bool was_attached(pid_t pid)
{
	for (int i = 0; i < fake.nattached; i++)
		if (fake.attached[i] == pid)
			return true;
	return false;
}

/* 202 forks 203 while it moves: the first pass read SRC before 203
 * existed, a second pass finds and moves it. */
static void fork_to_203(pid_t pid)
{
	if (pid == 202)
		src_add(203);
}

static void second_pass_moves_a_new_pid(void **state)
{
	struct mc_error e;

	(void)state;
	src_add(201);
	src_add(202);
	then = fork_to_203;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 3);
	assert_int_equal(fake.attached[2], 203);
	assert_int_equal(mv.nrecs, 3);
	for (size_t i = 0; i < mv.nrecs; i++) {
		assert_int_equal(mv.recs[i].status, MC_MOVED);
		assert_int_equal(mv.recs[i].origin, 0);
	}
	assert_int_equal(nsrc, 0);
	/* the knob was set for the moves and restored */
	assert_int_equal(fake.knob_during_attach, 3);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

/* Every moved process forks the next PID: one new PID a pass. */
static void fork_next(pid_t pid)
{
	src_add(pid + 1);
}

static void still_appearing_not_attempted(void **state)
{
	const pid_t first = 301, last = first + MC_FROM_PASSES;
	struct mc_error e;
	struct mc_move_rec *r;

	(void)state;
	src_add(first);
	then = fork_next;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	/* one PID moved in each of the passes; the one found after the last
	 * is reported, not chased */
	assert_int_equal(fake.nattached, MC_FROM_PASSES);
	assert_false(was_attached(last));
	assert_int_equal(mv.nrecs, MC_FROM_PASSES + 1);
	for (pid_t pid = first; pid < last; pid++)
		assert_int_equal(rec_of(pid)->status, MC_MOVED);
	r = rec_of(last);
	assert_non_null(r);
	assert_int_equal(r->status, MC_NOT_ATTEMPTED);
	assert_non_null(strstr(r->msg, "still appearing in '/src'"));
	assert_int_equal(*slot(&mv.dst), 0);
}

/* Nothing to move (DESIGN, Settlements): no lock (a run holding DEST's
 * does not stop it), no knob write, no state record, no record. */
static void empty_src_moves_nothing(void **state)
{
	struct mc_error e;
	int other = open(mv.dst.dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_int_equal(flock(other, LOCK_EX), 0);
	mv.req.wait = 0;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_true(mv.nothing);
	assert_int_equal(mv.nrecs, 0);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(fake.records_at_write, 0);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
	close(other);
}

/* The root with only kernel threads has nothing to move either; the dry
 * run says so the same way. */
static void kernel_threads_alone_are_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	mv.origins[0].cg.is_root = true;
	mv.req.dry_run = true;
	proc_stat(2, "kthreadd", MC_PF_KTHREAD, 10);
	src_add(2);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_true(mv.nothing);
	assert_int_equal(mv.nrecs, 0);
}

/* PID 1 in SRC without --force: failed with the reason, never written;
 * the others move. */
static void pid1_in_src_needs_force(void **state)
{
	struct mc_error e;

	(void)state;
	proc_stat(1, "init", 0, 1);
	proc_stat(701, "sh", 0, 20);
	src_add(1);
	src_add(701);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_false(mv.nothing);
	assert_int_equal(fake.nattached, 1);
	assert_int_equal(fake.attached[0], 701);
	assert_int_equal(rec_of(1)->status, MC_FAILED);
	assert_int_equal(rec_of(1)->err, EPERM);
	assert_non_null(strstr(rec_of(1)->msg, "--force"));
}

/* 401's move takes longer than a PID list stays fresh, and meanwhile 402
 * leaves SRC (it exits, or another tool moves it): the list in hand still
 * names 402, but SRC no longer does, so 402 is not written. */
static void slow_move_and_402_leaves(pid_t pid)
{
	struct timespec nap = { 0, 150 * 1000 * 1000 };

	if (pid != 401)
		return;
	nanosleep(&nap, NULL);
	src_remove(402);
}

static void pid_that_left_src_not_moved(void **state)
{
	struct mc_error e;

	(void)state;
	src_add(401);
	src_add(402);
	src_add(403);
	then = slow_move_and_402_leaves;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_false(was_attached(402));
	assert_null(rec_of(402));
	assert_true(was_attached(401) && was_attached(403));
	assert_int_equal(rec_of(403)->status, MC_MOVED);
}

/* 501 forks 503 while it moves. */
static void fork_to_503(pid_t pid)
{
	if (pid == 501)
		src_add(503);
}

/* A signal during a pass: what is left of it is not attempted, no later
 * pass runs (503 is never listed), and the knob is restored. */
static void interrupt_ends_the_passes(void **state)
{
	struct mc_error e;

	(void)state;
	src_add(501);
	src_add(502);
	then = fork_to_503;
	fake.stop_after = 501;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.interrupted, SIGTERM);
	assert_int_equal(fake.nattached, 1);
	assert_int_equal(rec_of(501)->status, MC_MOVED);
	assert_int_equal(rec_of(502)->status, MC_NOT_ATTEMPTED);
	assert_null(rec_of(503));
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

/* --atomic stops at the first failure: the rest of SRC is listed
 * not-attempted, so the report accounts for every process of SRC. */
static void atomic_failure_lists_the_rest(void **state)
{
	struct mc_error e;

	(void)state;
	for (pid_t p = 601; p <= 605; p++)
		src_add(p);
	mv.req.atomic = true;
	fake.fail_pid = 602;
	fake.fail_errno = EINVAL;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.nrecs, 5);
	assert_int_not_equal(rec_of(601)->status, MC_MOVED);
	assert_int_equal(rec_of(602)->status, MC_FAILED);
	for (pid_t p = 603; p <= 605; p++) {
		assert_non_null(rec_of(p));
		assert_int_equal(rec_of(p)->status, MC_NOT_ATTEMPTED);
		assert_false(was_attached(p));
	}
}

/* A run that cannot start (DEST locked by another run) still lists SRC's
 * processes, each not-attempted. */
static void not_started_lists_src(void **state)
{
	int other = open(mv.dst.dir, O_RDONLY | O_DIRECTORY);
	struct mc_error e;

	(void)state;
	assert_int_equal(flock(other, LOCK_EX), 0);
	for (pid_t p = 701; p <= 703; p++)
		src_add(p);
	mv.req.wait = 0;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_int_equal(e.code, EWOULDBLOCK);
	assert_int_equal(mv.nrecs, 3);
	for (pid_t p = 701; p <= 703; p++)
		assert_int_equal(rec_of(p)->status, MC_NOT_ATTEMPTED);
	assert_int_equal(fake.nattached, 0);
	close(other);
}

/* Only the root holds kernel threads; --from the root leaves them out
 * instead of reporting each as failed. */
static void root_kernel_threads_left_out(void **state)
{
	struct mc_error e;

	(void)state;
	mv.origins[0].cg.is_root = true;
	proc_stat(2, "kthreadd", MC_PF_KTHREAD, 10);
	proc_stat(601, "sh", 0, 20);
	src_add(2);
	src_add(601);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 1);
	assert_int_equal(fake.attached[0], 601);
	assert_null(rec_of(2));
	assert_int_equal(rec_of(601)->status, MC_MOVED);
}

/* A PID that failed to move stays in SRC: later passes do not try it
 * again (each PID is tried once). */
static void each_pid_tried_once(void **state)
{
	struct mc_error e;

	(void)state;
	src_add(701);
	src_add(702);
	fake.fail_pid = 701;
	fake.fail_errno = EINVAL;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.nrecs, 2);
	assert_int_equal(rec_of(701)->status, MC_FAILED);
	assert_int_equal(rec_of(701)->err, EINVAL);
	assert_int_equal(rec_of(702)->status, MC_MOVED);
	assert_int_equal(fake.nattached, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(second_pass_moves_a_new_pid),
		T(still_appearing_not_attempted),
		T(empty_src_moves_nothing),
		T(kernel_threads_alone_are_nothing),
		T(pid1_in_src_needs_force),
		T(pid_that_left_src_not_moved),
		T(interrupt_ends_the_passes),
		T(atomic_failure_lists_the_rest),
		T(not_started_lists_src),
		T(root_kernel_threads_left_out),
		T(each_pid_tried_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
