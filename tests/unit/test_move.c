/* The move engine's run (mc_move_run): the knob is set around the moves and
 * restored on every path, --atomic rolls back, a signal or a lock ends the
 * run cleanly; through the fake backend of engine.h. */
#include "engine.h"

#include "core/move.h"

/* Three processes of /src, to be moved into /dst. */
static int setup(void **state)
{
	engine_setup(state);
	add_rec(101);
	add_rec(102);
	add_rec(103);
	return 0;
}

/* --- tests ---------------------------------------------------------------- */

static void set_during_move_restored_after(void **state)
{
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 3);
	assert_int_equal(fake.knob_during_attach, 3);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
	assert_int_equal(mv.recs[2].status, MC_MOVED);
}

static void restored_after_a_failure(void **state)
{
	struct mc_error e;

	(void)state;
	fake.fail_pid = 102;
	fake.fail_errno = ENOMEM;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[1].status, MC_FAILED);
	assert_int_equal(mv.recs[2].status, MC_MOVED);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

static void atomic_rolls_back_and_restores_both(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	*slot(&mv.origins[0].cg) = 1;
	fake.fail_pid = 103;
	fake.fail_errno = EINVAL;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_ROLLED_BACK);
	assert_int_equal(mv.recs[1].status, MC_ROLLED_BACK);
	assert_int_equal(mv.recs[2].status, MC_FAILED);
	/* 101, 102 forward, then 102, 101 back */
	assert_int_equal(fake.nattached, 4);
	assert_int_equal(fake.attached[2], 102);
	assert_int_equal(fake.attached[3], 101);
	/* the origin's knob was raised for the rollback and put back */
	assert_int_equal(*slot(&mv.origins[0].cg), 1);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

/* A PID that is no longer in DEST (it left, or was reused) is not written
 * back: the rollback would move a process it did not move. */
static void rollback_skips_a_pid_that_left(void **state)
{
	char file[160];
	struct mc_error e;
	FILE *f;

	(void)state;
	mv.req.atomic = true;
	fake.fail_pid = 103;
	fake.fail_errno = EINVAL;
	snprintf(file, sizeof(file), "%s/proc/102/cgroup", root);
	f = fopen(file, "w");
	fprintf(f, "4:memory:/elsewhere\n");
	fclose(f);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_ROLLED_BACK);
	assert_int_equal(mv.recs[1].status, MC_FAILED);
	assert_non_null(strstr(mv.recs[1].msg, "left '/dst'"));
	/* 101, 102 forward, then only 101 back */
	assert_int_equal(fake.nattached, 3);
	assert_int_equal(fake.attached[2], 101);
}

static void interrupted_restores(void **state)
{
	struct mc_error e;

	(void)state;
	fake.stop_after = 101;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.interrupted, SIGTERM);
	assert_int_equal(mv.recs[0].status, MC_MOVED);
	assert_int_equal(mv.recs[1].status, MC_NOT_ATTEMPTED);
	assert_int_equal(mv.recs[2].status, MC_NOT_ATTEMPTED);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

static void refused_changes_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	fake.refuse_nonzero = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_true(mv.refused);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(fake.nattached, 3); /* processes still move */
	assert_int_equal(state_files(), 0);
}

static void require_charge_moves_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	fake.refuse_nonzero = true;
	mv.req.require_charge = true;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_true(mv.require_failed);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(mv.recs[0].status, MC_NOT_ATTEMPTED);
	assert_int_equal(state_files(), 0);
}

static void keep_setting_leaves_it(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.keep_setting = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(*slot(&mv.dst), 3);
	assert_int_equal(state_files(), 0);
}

static void failed_restore_keeps_record(void **state)
{
	struct mc_error e;

	(void)state;
	fake.fail_restore = true;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_non_null(strstr(e.msg, "cannot restore"));
	assert_int_equal(*slot(&mv.dst), 3);
	/* the record stays, so the next run can repair it */
	assert_int_equal(state_files(), 1);
}

static void locked_dest_times_out_untouched(void **state)
{
	struct mc_error e;
	int other = open(mv.dst.dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_int_equal(flock(other, LOCK_EX), 0);
	mv.req.wait = 0;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_int_equal(e.code, EWOULDBLOCK);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	close(other);
}

/* mc_move_free after a failed open closes only what was opened: a
 * descriptor left at 0 would close standard input. */
static void free_after_failed_open_keeps_stdin(void **state)
{
	struct mc_mounts bare = { .h = &hier, .n = 1, .sysroot = root };
	char dir[128];
	struct mc_move m2;
	struct mc_error e;
	FILE *f;

	(void)state;
	if (fcntl(0, F_GETFD) < 0)
		assert_int_equal(open("/dev/null", O_RDONLY), 0);
	snprintf(dir, sizeof(dir), "%s/proc/sys", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	strcat(dir, "/kernel");
	assert_int_equal(mkdir(dir, 0700), 0);
	strcat(dir, "/osrelease");
	f = fopen(dir, "w");
	fputs("not-a-release\n", f);
	fclose(f);
	mc_move_init(&m2, &(struct mc_move_req){ .m = &bare, .h = &hier });
	/* the kernel release cannot be parsed: the open fails before DEST */
	assert_int_equal(mc_move_open(&m2, "/dst", &e), -1);
	assert_non_null(strstr(e.msg, "kernel release"));
	mc_move_free(&m2);
	assert_true(fcntl(0, F_GETFD) >= 0);
}

/* Interrupted under --atomic: what moved goes back, the rest is not tried. */
static void atomic_interrupt_rolls_back(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	fake.stop_after = 102;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.interrupted, SIGTERM);
	assert_int_equal(mv.recs[0].status, MC_ROLLED_BACK);
	assert_int_equal(mv.recs[1].status, MC_ROLLED_BACK);
	assert_int_equal(mv.recs[2].status, MC_NOT_ATTEMPTED);
	assert_int_equal(fake.nattached, 4);
	assert_int_equal(fake.attached[2], 102);
	assert_int_equal(fake.attached[3], 101);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

/* A rollback the origin's limit refuses leaves that process in DEST,
 * failed with the reason (DESIGN, --atomic); the others still go back. */
static void failed_rollback_says_why(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	fake.fail_pid = 103;
	fake.fail_errno = EINVAL;
	fake.fail_back_pid = 101;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_FAILED);
	assert_int_equal(mv.recs[0].err, ENOMEM);
	assert_non_null(strstr(mv.recs[0].msg, "could not be moved back"));
	assert_int_equal(mv.recs[1].status, MC_ROLLED_BACK);
	assert_int_equal(*slot(&mv.origins[0].cg), 0);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

/* --atomic with a PID that failed validation moves nothing at all. */
static void atomic_bad_pid_moves_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	mv.recs[1].status = MC_FAILED;
	mv.recs[1].err = ESRCH;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_int_equal(e.code, ESRCH);
	assert_non_null(strstr(e.msg, "process 102"));
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(mv.recs[0].status, MC_NOT_ATTEMPTED);
	assert_int_equal(mv.recs[2].status, MC_NOT_ATTEMPTED);
}

/* --charge keep: the knob is read, never written, and what it holds is
 * the charge in effect. */
static void keep_mode_writes_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.mode = MC_CHARGE_KEEP;
	*slot(&mv.dst) = 2;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(mv.charge, 2);
	assert_int_equal(fake.knob_during_attach, 2);
	assert_int_equal(fake.nattached, 3);
	assert_int_equal(state_files(), 0);
}

/* Records that are not planned (already in DEST, failed validation) are
 * never written; with none planned there is no lock and no knob write. */
static void only_planned_records_move(void **state)
{
	struct mc_error e;
	int other = open(mv.dst.dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	mv.recs[0].status = MC_SKIPPED;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 2);
	assert_int_equal(fake.attached[0], 102);
	assert_int_equal(mv.recs[0].status, MC_SKIPPED);
	/* run again with nothing planned while another holds DEST's lock */
	fake.nattached = fake.writes = 0;
	mv.recs[1].status = mv.recs[2].status = MC_SKIPPED;
	assert_int_equal(flock(other, LOCK_EX), 0);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	close(other);
}

/* --- cgroup v2 ----------------------------------------------------------- */

#define MIB (1024ULL * 1024)

/* The same three processes, on a cgroup v2 hierarchy. */
static int setup_v2(void **state)
{
	engine_setup_v2(state);
	mv.req.notice = keep_notice;
	add_rec(101);
	add_rec(102);
	add_rec(103);
	return 0;
}

/* v1, with the notices kept (for the room warning). */
static int setup_v1_notices(void **state)
{
	setup(state);
	mv.req.notice = keep_notice;
	return 0;
}

/* v2 has no knob (docs §8): the run writes cgroup.procs and nothing
 * else, so it reads no knob, writes none, records nothing to restore, and
 * reports the charge as staying behind for a fact of the hierarchy. */
static void v2_moves_without_a_knob(void **state)
{
	char v2[256], run[128];
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.reads, 0);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(state_files(), 0);
	/* not even made and removed: the run directory never existed */
	snprintf(run, sizeof(run), "%s/run", root);
	assert_int_equal(access(run, F_OK), -1);
	assert_int_equal(fake.nattached, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fake.attached[i], 101 + i);
		assert_int_equal(mv.recs[i].status, MC_MOVED);
	}
	/* CHARGE prints "never (v2)": refused, not inferred, for the v2
	 * reason, with no knob value in effect */
	assert_true(mv.refused);
	assert_false(mv.refusal_inferred);
	mc_charge_cap_reason(MC_CAP_NO_V2, &mv.kernel, v2, sizeof(v2));
	assert_string_equal(mv.refused_why, v2);
	assert_int_equal(mv.charge, -1);
	assert_false(mv.require_failed);
}

/* --require-charge on v2: nothing can satisfy it, so nothing moves. */
static void v2_require_charge_moves_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.require_charge = true;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_true(mv.require_failed);
	assert_non_null(strstr(e.msg, "cgroup v2"));
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.reads + fake.writes, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mv.recs[i].status, MC_NOT_ATTEMPTED);
	assert_int_equal(state_files(), 0);
}

/* An explicit --charge all on v2 asks for what cannot happen: one notice
 * saying why. */
static void v2_explicit_charge_warns_once(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.charge_given = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(said.n, 1);
	assert_non_null(strstr(said.msg[0], "cgroup v2"));
	assert_int_equal(fake.nattached, 3);
}

/* The default --charge was not the user's request: no notice on v2. */
static void v2_default_charge_is_silent(void **state)
{
	struct mc_error e;

	(void)state;
	assert_false(mv.req.charge_given);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(said.n, 0);
	assert_int_equal(fake.nattached, 3);
}

/* DEST's limit and usage, in the files of the fixture's hierarchy type. */
static void dest_room(uint64_t limit, uint64_t usage)
{
	const struct mc_memfiles *f = mc_memfiles(hier.type);
	char rel[128], num[32];

	snprintf(rel, sizeof(rel), "cg/dst/%s", f->limit);
	snprintf(num, sizeof(num), "%llu\n", (unsigned long long)limit);
	fixture_write(rel, num);
	snprintf(rel, sizeof(rel), "cg/dst/%s", f->usage);
	snprintf(num, sizeof(num), "%llu\n", (unsigned long long)usage);
	fixture_write(rel, num);
}

/* DEST has room for 10 MiB more; 101 and 103 are larger, 102 fits and
 * 103 is just over. */
static void tight_dest(void)
{
	const uint64_t rss[] = { 64 * MIB, 4 * MIB, 10 * MIB + 4096 };

	dest_room(100 * MIB, 90 * MIB);
	for (int i = 0; i < 3; i++) {
		mv.recs[i].rss = rss[i];
		mv.recs[i].have_rss = true;
	}
}

/* One warning for each process whose RSS exceeds DEST's room, naming DEST
 * and its OOM killer; none for the one that fits. */
static void expect_room_warnings(void)
{
	assert_int_equal(said_with("OOM killer", NULL), 2);
	assert_int_equal(said_with("OOM killer", "process 101 "), 1);
	assert_int_equal(said_with("OOM killer", "process 102 "), 0);
	assert_int_equal(said_with("OOM killer", "process 103 "), 1);
	assert_int_equal(said_with("OOM killer", "'/dst'"), 2);
	assert_int_equal(fake.nattached, 3); /* and they all still move */
}

static void v2_room_warning_per_process(void **state)
{
	struct mc_error e;

	(void)state;
	tight_dest();
	assert_int_equal(mc_move_run(&mv, &e), 0);
	expect_room_warnings();
}

static void v2_no_room_warning_when_rss_fits(void **state)
{
	struct mc_error e;

	(void)state;
	tight_dest();
	/* exactly the room is no excess */
	mv.recs[0].rss = mv.recs[2].rss = 10 * MIB;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(said_with("OOM killer", NULL), 0);
	assert_int_equal(fake.nattached, 3);
}

/* v1 on a kernel that refuses the knob: the charge stays behind too. */
static void v1_refused_room_warning(void **state)
{
	struct mc_error e;

	(void)state;
	fake.refuse_nonzero = true;
	tight_dest();
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_true(mv.refused);
	expect_room_warnings();
}

/* v1 with --charge none: the knob is 0, the charge stays behind. */
static void v1_charge_none_room_warning(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.mode = MC_CHARGE_NONE;
	tight_dest();
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.charge, 0);
	expect_room_warnings();
}

/* v1 with the knob accepted: the charge goes with the process (or the
 * write fails with ENOMEM), so DEST's room is no reason to warn. */
static void v1_charge_moves_no_room_warning(void **state)
{
	struct mc_error e;

	(void)state;
	tight_dest();
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.knob_during_attach, MC_CHARGE_ALL);
	assert_int_equal(said_with("OOM killer", NULL), 0);
	assert_int_equal(fake.nattached, 3);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, engine_teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_v2, engine_teardown)
#define T1N(f) \
	cmocka_unit_test_setup_teardown(f, setup_v1_notices, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(set_during_move_restored_after),
		T(restored_after_a_failure),
		T(atomic_rolls_back_and_restores_both),
		T(rollback_skips_a_pid_that_left),
		T(interrupted_restores),
		T(refused_changes_nothing),
		T(require_charge_moves_nothing),
		T(keep_setting_leaves_it),
		T(failed_restore_keeps_record),
		T(locked_dest_times_out_untouched),
		T(free_after_failed_open_keeps_stdin),
		T(atomic_interrupt_rolls_back),
		T(failed_rollback_says_why),
		T(atomic_bad_pid_moves_nothing),
		T(keep_mode_writes_nothing),
		T(only_planned_records_move),
		T2(v2_moves_without_a_knob),
		T2(v2_require_charge_moves_nothing),
		T2(v2_explicit_charge_warns_once),
		T2(v2_default_charge_is_silent),
		T2(v2_room_warning_per_process),
		T2(v2_no_room_warning_when_rss_fits),
		T1N(v1_refused_room_warning),
		T1N(v1_charge_none_room_warning),
		T1N(v1_charge_moves_no_room_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
