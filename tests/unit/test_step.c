/* One process's move (step.c): the MOVED rule on recorded readings, the
 * prediction, records, the start-time check and DEST's room; on the
 * fixture sysroot of engine.h. */
#include "engine.h"

#include "core/proc.h"
#include "core/step.h"

#include <signal.h>
#include <sys/wait.h>

#define MIB (1024LL * 1024)
#define SLACK (64 * 2 * 4096ULL) /* 64 pages x 2 CPUs */

static void plain_move(void **state)
{
	bool noisy = true;
	/* recorded in a 6.1 guest (docs §7): A 97.49 -> 16.48 MiB, B 0 ->
	 * 81.25 MiB; B rose by 240 KiB more than A fell (per-CPU stock) */
	int64_t m = mc_moved_rule(MC_REL_NONE, 102226985, 17280532, 0,
				  85196800, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 102226985 - 17280532);
	assert_false(noisy);
}

static void disagreement_is_noisy(void **state)
{
	bool noisy = false;
	/* the source fell by 64 MiB but the destination rose by 80 MiB: some
	 * other task charged DEST meanwhile */
	int64_t m = mc_moved_rule(MC_REL_NONE, 100 * MIB, 36 * MIB, 0,
				  80 * MIB, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_true(noisy);
}

static void refused_is_zero_not_clamped(void **state)
{
	bool noisy = true;
	/* the kernel kept the charge; the source even grew a little */
	int64_t m = mc_moved_rule(MC_REL_NONE, 70 * MIB, 70 * MIB + 8192, 0,
				  0, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, -8192);
	assert_false(noisy);
}

static void parent_to_child(void **state)
{
	bool noisy = true;
	/* the parent's hierarchical usage does not change; the child's rise
	 * is what moved */
	int64_t m = mc_moved_rule(MC_REL_SRC_ANCESTOR, 200 * MIB,
				  200 * MIB + 4096, 10 * MIB, 74 * MIB, SLACK,
				  &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_false(noisy);
}

static void child_to_parent(void **state)
{
	bool noisy = true;
	int64_t m = mc_moved_rule(MC_REL_DST_ANCESTOR, 74 * MIB, 10 * MIB,
				  200 * MIB, 200 * MIB, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_false(noisy);
}

static void ancestor_changed_is_noisy(void **state)
{
	bool noisy = false;
	int64_t m = mc_moved_rule(MC_REL_DST_ANCESTOR, 74 * MIB, 10 * MIB,
				  200 * MIB, 230 * MIB, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_true(noisy);
}

static void root_sides(void **state)
{
	bool noisy = true;

	(void)state;
	/* the root's usage is an estimate: use the other side */
	assert_int_equal(mc_moved_rule(MC_REL_SRC_ROOT, 5000 * MIB, 4900 * MIB,
				       0, 64 * MIB, SLACK, &noisy),
			 64 * MIB);
	assert_false(noisy);
	assert_int_equal(mc_moved_rule(MC_REL_DST_ROOT, 64 * MIB, 0,
				       5000 * MIB, 5100 * MIB, SLACK, &noisy),
			 64 * MIB);
	assert_false(noisy);
}

/* Prediction follows the kernel's rules (docs §2.1, §2.3). */
static void prediction_rules(void **state)
{
	struct mc_pages_cgroup v[] = {
		{ .ino = 10, .anon = 64 * MIB, .file = 16 * MIB }, /* source */
		{ .ino = 20, .anon = 4 * MIB, .file = 8 * MIB },   /* other */
	};
	struct mc_pages_result r = { .v = v, .n = 2, .cap = 2,
				     .swapped = 2 * MIB };

	(void)state;
	assert_int_equal(mc_move_predict(&r, 10, 0), 0);
	assert_int_equal(mc_move_predict(&r, 10, 1), 64 * MIB);
	assert_int_equal(mc_move_predict(&r, 10, 2), 16 * MIB);
	assert_int_equal(mc_move_predict(&r, 10, 3), 80 * MIB);
	/* pages charged to another cgroup never move with the process */
	assert_int_equal(mc_move_predict(&r, 30, 3), 0);
	assert_int_equal(mc_move_predict(&r, 20, 3), 12 * MIB);
}

/* --- records ------------------------------------------------------------- */

static void new_records_are_planned(void **state)
{
	struct mc_error e;
	struct mc_move_rec *r;

	(void)state;
	/* the fixture's origin is not needed: records start without one */
	for (pid_t pid = 1000; pid < 1200; pid++) {
		r = mc_rec_new(&mv, pid, &e);
		assert_non_null(r);
		assert_int_equal(r->pid, pid);
		assert_int_equal(r->status, MC_PLANNED);
		assert_int_equal(r->origin, (size_t)-1);
		assert_null(r->msg);
		assert_false(r->have_before || r->have_moved);
	}
	/* growing the array kept the earlier records */
	assert_int_equal(mv.nrecs, 200);
	for (size_t i = 0; i < mv.nrecs; i++)
		assert_int_equal(mv.recs[i].pid, 1000 + (pid_t)i);
}

static void record_messages(void **state)
{
	struct mc_error e;
	struct mc_move_rec *r = mc_rec_new(&mv, 42, &e);

	(void)state;
	mc_rec_set(r, MC_FAILED, ENOMEM, "limit is %s", "64M");
	assert_int_equal(r->status, MC_FAILED);
	assert_int_equal(r->err, ENOMEM);
	assert_string_equal(r->msg, "limit is 64M");
	/* a new status replaces the message; none leaves none */
	mc_rec_set(r, MC_MOVED, 0, NULL);
	assert_int_equal(r->status, MC_MOVED);
	assert_int_equal(r->err, 0);
	assert_null(r->msg);
	assert_string_equal(mc_status_name(MC_ROLLED_BACK), "rolled-back");
	assert_string_equal(mc_status_name(MC_NOT_ATTEMPTED), "not-attempted");
}

static void rest_marked_not_attempted(void **state)
{
	struct mc_error e;

	(void)state;
	for (pid_t pid = 1; pid <= 4; pid++)
		mc_rec_new(&mv, pid, &e);
	mc_rec_set(&mv.recs[0], MC_MOVED, 0, NULL);
	mc_rec_set(&mv.recs[2], MC_SKIPPED, 0, "already there");
	mv.interrupted = SIGINT;
	mc_rec_mark_rest(&mv, 1);
	assert_int_equal(mv.recs[0].status, MC_MOVED);
	assert_int_equal(mv.recs[1].status, MC_NOT_ATTEMPTED);
	assert_string_equal(mv.recs[1].msg, "interrupted");
	assert_int_equal(mv.recs[2].status, MC_SKIPPED);
	assert_string_equal(mv.recs[2].msg, "already there");
	assert_int_equal(mv.recs[3].status, MC_NOT_ATTEMPTED);
}

/* --- the start-time check ------------------------------------------------ */

static void same_process_by_start_time(void **state)
{
	struct mc_error e;
	struct mc_move_rec *r = mc_rec_new(&mv, 4242, &e);

	(void)state;
	r->starttime = 987654;
	proc_stat(4242, "java", 0, 987654);
	assert_true(mc_step_same_process(&mv, r));
	assert_int_equal(r->status, MC_PLANNED);
	/* the PID now belongs to a process started later */
	proc_stat(4242, "java", 0, 987655);
	assert_false(mc_step_same_process(&mv, r));
	assert_int_equal(r->status, MC_EXITED);
	assert_int_equal(r->err, ESRCH);
	assert_non_null(strstr(r->msg, "another process"));
}

static void gone_process_exited(void **state)
{
	struct mc_error e;
	struct mc_move_rec *r = mc_rec_new(&mv, 4243, &e);

	(void)state;
	r->starttime = 5;
	assert_false(mc_step_same_process(&mv, r));
	assert_int_equal(r->status, MC_EXITED);
	assert_non_null(strstr(r->msg, "exited before the move"));
}

/* A PID checked with a pidfd: the same process while the pidfd's process
 * is there, exited once it is reaped, and the pidfd closed either way. */
static void same_process_by_pidfd(void **state)
{
	struct mc_error e;
	struct mc_move_rec *r = mc_rec_new(&mv, 4245, &e);
	pid_t child = fork();
	int status;

	(void)state;
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	r->pidfd = mc_pidfd_open(child);
	if (r->pidfd < 0) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		skip();
	}
	assert_true(mc_step_same_process(&mv, r));
	assert_int_equal(r->pidfd, -1);
	assert_int_equal(r->status, MC_PLANNED);
	r->pidfd = mc_pidfd_open(child);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	/* reaped: its PID is free for another process, which must not move */
	assert_false(mc_step_same_process(&mv, r));
	assert_int_equal(r->pidfd, -1);
	assert_int_equal(r->status, MC_EXITED);
	assert_non_null(strstr(r->msg, "exited before the move"));
}

/* A validated PID reused before its write is not moved. */
static void reused_pid_not_written(void **state)
{
	struct mc_carry c = { 0 };
	struct mc_error e;
	struct mc_move_rec *r = mc_rec_new(&mv, 4244, &e);

	(void)state;
	r->origin = 0;
	r->validated = true;
	r->starttime = 100;
	proc_stat(4244, "sh", 0, 200);
	assert_true(mc_step_move(&mv, r, &c));
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(r->status, MC_EXITED);
}

/* --- DEST's room --------------------------------------------------------- */

static void limits(const char *cg, const char *limit, const char *usage)
{
	char rel[160];

	snprintf(rel, sizeof(rel), "cg/%s/memory.limit_in_bytes", cg);
	fixture_write(rel, limit);
	snprintf(rel, sizeof(rel), "cg/%s/memory.usage_in_bytes", cg);
	fixture_write(rel, usage);
}

/* DEST at /a/dst below /a. */
static void nested_dest(void)
{
	mc_cgroup_close(&mv.dst);
	fake_cgroup(&mv.dst, "a/dst");
}

static void room_of_dest(void **state)
{
	struct mc_room rm;

	(void)state;
	nested_dest();
	/* DEST: 10 MiB left; its parent: 500 MiB left */
	limits("a/dst", "104857600\n", "94371840\n");
	limits("a", "1073741824\n", "551288832\n");
	mc_step_room(&mv, &rm);
	assert_true(rm.known);
	assert_int_equal(rm.room, 10 * MIB);
	assert_int_equal(rm.limit, 100 * MIB);
	assert_int_equal(rm.usage, 90 * MIB);
	assert_string_equal(rm.where, "/a/dst");
	free(rm.where);
}

static void tighter_ancestor_wins(void **state)
{
	struct mc_room rm;

	(void)state;
	nested_dest();
	/* DEST: 500 MiB left; its parent only 8 MiB, and a charge into DEST
	 * is a charge into its parent too */
	limits("a/dst", "1073741824\n", "551288832\n");
	limits("a", "209715200\n", "201326592\n");
	mc_step_room(&mv, &rm);
	assert_true(rm.known);
	assert_int_equal(rm.room, 8 * MIB);
	assert_string_equal(rm.where, "/a");
	free(rm.where);
}

static void unlimited_is_no_room_limit(void **state)
{
	struct mc_room rm;

	(void)state;
	nested_dest();
	/* v1's "no limit" (PAGE_COUNTER_MAX pages), and one over its limit */
	limits("a/dst", "9223372036854771712\n", "4096\n");
	mc_step_room(&mv, &rm);
	assert_false(rm.known);
	assert_null(rm.where);
	limits("a", "1048576\n", "2097152\n");
	mc_step_room(&mv, &rm);
	assert_true(rm.known);
	assert_int_equal(rm.room, 0);
	assert_string_equal(rm.where, "/a");
	free(rm.where);
}

/* ENOMEM from the write names the limit that bound it. */
static void nomem_names_the_limit(void **state)
{
	struct mc_carry c = { 0 };
	struct mc_error e;
	struct mc_move_rec *r = mc_rec_new(&mv, 4245, &e);

	(void)state;
	nested_dest();
	limits("a", "209715200\n", "201326592\n");
	r->origin = 0;
	r->rss = 64 * MIB;
	r->have_rss = true;
	fake.fail_pid = 4245;
	fake.fail_errno = ENOMEM;
	assert_true(mc_step_move(&mv, r, &c));
	assert_int_equal(r->status, MC_FAILED);
	assert_int_equal(r->err, ENOMEM);
	assert_non_null(strstr(r->msg, "ancestor '/a'"));
	assert_non_null(strstr(r->msg, "200M with 192M in use"));
	assert_non_null(strstr(r->msg, "64M resident"));
	assert_true(r->have_moved);
	assert_int_equal(r->moved, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, engine_setup, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_move),
		cmocka_unit_test(disagreement_is_noisy),
		cmocka_unit_test(refused_is_zero_not_clamped),
		cmocka_unit_test(parent_to_child),
		cmocka_unit_test(child_to_parent),
		cmocka_unit_test(ancestor_changed_is_noisy),
		cmocka_unit_test(root_sides),
		cmocka_unit_test(prediction_rules),
		T(new_records_are_planned),
		T(record_messages),
		T(rest_marked_not_attempted),
		T(same_process_by_start_time),
		T(gone_process_exited),
		T(reused_pid_not_written),
		T(same_process_by_pidfd),
		T(room_of_dest),
		T(tighter_ancestor_wins),
		T(unlimited_is_no_room_limit),
		T(nomem_names_the_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
