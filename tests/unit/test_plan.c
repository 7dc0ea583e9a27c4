/* The plan (plan.c): the dry run changes nothing, the --require-charge rule,
 * and the refusal's reason; through mc_move_run and the fake backend of
 * engine.h. */
#include "engine.h"

#include "core/move.h"
#include "core/plan.h"

/* Two processes of /src, a dry run into /dst. */
static int setup(void **state)
{
	engine_setup(state);
	mv.req.dry_run = true;
	add_rec(101);
	add_rec(102);
	return 0;
}

/* A dry run of --from /src into /dst. */
static int setup_from(void **state)
{
	engine_setup(state);
	mv.req.dry_run = true;
	mv.from = 0;
	return 0;
}

/* A kernel that no longer moves charge (aa6b4fdf5940, 6.13). */
static void kernel_613(void)
{
	snprintf(mv.kernel.release, sizeof(mv.kernel.release), "6.13.2");
	mv.kernel.major = 6;
	mv.kernel.minor = 13;
}

/* No attach, no knob write, no record, no lock: a run holding DEST's lock
 * does not stop a dry run. */
static void dry_run_changes_nothing(void **state)
{
	struct mc_error e;
	int other = open(mv.dst.dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(state_files(), 0);
	assert_int_equal(mv.recs[0].status, MC_PLANNED);
	assert_int_equal(mv.recs[1].status, MC_PLANNED);
	assert_int_equal(mv.charge, MC_CHARGE_ALL);
	assert_false(mv.refused);
	close(other);
}

/* A dry run reads DEST's value for --charge keep, and writes nothing. */
static void dry_run_keep_reads_dest(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.mode = MC_CHARGE_KEEP;
	*slot(&mv.dst) = 1;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.charge, 1);
	assert_int_equal(fake.writes, 0);
}

/* --from SRC in a dry run lists SRC's processes as planned, moves none. */
static void dry_run_lists_src(void **state)
{
	struct mc_error e;

	(void)state;
	fixture_write("cg/src/cgroup.procs", "301\n302\n");
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.nrecs, 2);
	assert_int_equal(mv.recs[0].pid, 301);
	assert_int_equal(mv.recs[1].pid, 302);
	assert_int_equal(mv.recs[1].status, MC_PLANNED);
	assert_int_equal(mv.recs[1].origin, 0);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
}

/* On 6.13+ a dry run infers the refusal from the version and says so. */
static void dry_run_infers_refusal(void **state)
{
	struct mc_error e;

	(void)state;
	kernel_613();
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_true(mv.refused);
	assert_true(mv.refusal_inferred);
	assert_non_null(strstr(mv.refused_why, "6.13.2"));
	assert_false(mv.require_failed);
	assert_int_equal(mv.recs[0].status, MC_PLANNED);
}

/* ... and with --require-charge it is refused: -1, exit 3. */
static void dry_run_require_refused(void **state)
{
	struct mc_error e;

	(void)state;
	kernel_613();
	mv.req.require_charge = true;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_true(mv.require_failed);
	assert_int_equal(e.code, EINVAL);
	assert_non_null(strstr(e.msg, "cannot move charges"));
	assert_non_null(strstr(e.msg, "inferred"));
	assert_int_equal(fake.writes, 0);
}

/* The rule alone: only with --require-charge, and only on a refusal or a
 * DEST left at 0. */
static void require_rule(void **state)
{
	struct mc_error e;

	(void)state;
	mv.charge = MC_CHARGE_ALL;
	assert_int_equal(mc_plan_require(&mv, &e), 0);
	mc_plan_refuse(&mv, MC_CAP_NO_REMOVED, false);
	/* refused, but not required: the run goes on */
	assert_int_equal(mc_plan_require(&mv, &e), 0);
	assert_false(mv.require_failed);
	mv.req.require_charge = true;
	assert_int_equal(mc_plan_require(&mv, &e), -1);
	assert_true(mv.require_failed);
	assert_non_null(strstr(e.msg, mv.refused_why));
	/* a refusal learnt from the kernel's answer is not "inferred" */
	assert_null(strstr(e.msg, "inferred"));
}

/* --charge keep with DEST at 0 would move no charge: refused under
 * --require-charge, in the dry run as in the real one. */
static void keep_at_zero_refused(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.mode = MC_CHARGE_KEEP;
	mv.req.require_charge = true;
	*slot(&mv.dst) = 0;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_true(mv.require_failed);
	assert_non_null(strstr(e.msg, MC_KNOB " of '/dst' is 0"));
	/* the real run: nothing moves, nothing is written */
	mv.req.dry_run = false;
	mv.require_failed = false;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_true(mv.require_failed);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(mv.recs[0].status, MC_NOT_ATTEMPTED);
	/* DEST at 2: charge would move */
	*slot(&mv.dst) = 2;
	mv.require_failed = false;
	mv.req.dry_run = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_false(mv.require_failed);
}

/* The refusal's reason comes from the capability and the kernel. */
static void refuse_fills_the_reason(void **state)
{
	char v2[256];

	(void)state;
	kernel_613();
	mc_plan_refuse(&mv, MC_CAP_NO_REMOVED, true);
	assert_true(mv.refused);
	assert_true(mv.refusal_inferred);
	assert_non_null(strstr(mv.refused_why, "Linux 6.13.2"));
	assert_non_null(strstr(mv.refused_why, "only accepts 0"));
	mc_plan_refuse(&mv, MC_CAP_NO_V2, false);
	assert_false(mv.refusal_inferred);
	mc_charge_cap_reason(MC_CAP_NO_V2, &mv.kernel, v2, sizeof(v2));
	assert_string_equal(mv.refused_why, v2);
	assert_non_null(strstr(v2, "v2"));
}

/* --- cgroup v2 ----------------------------------------------------------- */

#define MIB (1024ULL * 1024)

/* Two processes of /src, a dry run into /dst on cgroup v2, whose room is
 * 10 MiB (memory.max less memory.current) and below both RSSes. */
static int setup_v2(void **state)
{
	engine_setup_v2(state);
	mv.req.dry_run = true;
	mv.req.notice = keep_notice;
	add_rec(101);
	add_rec(102);
	fixture_write("cg/dst/memory.max", "104857600\n");
	fixture_write("cg/dst/memory.current", "94371840\n");
	for (int i = 0; i < 2; i++) {
		mv.recs[i].rss = 64 * MIB;
		mv.recs[i].have_rss = true;
	}
	return 0;
}

/* DEST has a child cgroup and hands it memory: the kernel would refuse
 * every process with EBUSY (docs §9). */
static void busy_dest(void)
{
	fixture_write("cg/dst/cgroup.subtree_control", "cpu memory\n");
	fixture_write("cg/dst/child/cgroup.type", "domain\n");
}

/* A dry run on v2 knows that no charge moves (a fact, not an inference)
 * and predicts the room warning for each process. */
static void dry_run_v2_warns_of_room(void **state)
{
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_true(mv.refused);
	assert_false(mv.refusal_inferred);
	assert_int_equal(mv.recs[0].status, MC_PLANNED);
	assert_int_equal(mv.recs[1].status, MC_PLANNED);
	assert_int_equal(said_with("OOM killer", "process 101 "), 1);
	assert_int_equal(said_with("OOM killer", "process 102 "), 1);
	assert_int_equal(said_with("OOM killer", "'/dst'"), 2);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.reads + fake.writes, 0);
}

/* A busy DEST: every planned record fails with the predicted EBUSY,
 * nothing is attached, and the room warning is still given, so one dry run
 * names every obstacle. */
static void dry_run_v2_predicts_ebusy(void **state)
{
	struct mc_error e;

	(void)state;
	busy_dest();
	assert_int_equal(mc_move_run(&mv, &e), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mv.recs[i].status, MC_FAILED);
		assert_int_equal(mv.recs[i].err, EBUSY);
		assert_non_null(mv.recs[i].msg);
		assert_memory_equal(mv.recs[i].msg, "predicted:", 10);
		assert_non_null(strstr(mv.recs[i].msg, "'/dst'"));
	}
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.reads + fake.writes, 0);
	assert_int_equal(state_files(), 0);
	assert_int_equal(said_with("OOM killer", "process 101 "), 1);
	assert_int_equal(said_with("OOM killer", "process 102 "), 1);
}

/* Only planned records are predicted: one already in DEST stays skipped. */
static void dry_run_v2_ebusy_only_planned(void **state)
{
	struct mc_error e;

	(void)state;
	busy_dest();
	mv.recs[0].status = MC_SKIPPED;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_SKIPPED);
	assert_int_equal(mv.recs[1].status, MC_FAILED);
	assert_int_equal(mv.recs[1].err, EBUSY);
}

/* DEST's cgroup.procs not writable by this user: the dry run predicts
 * EACCES for every process, as the real run ends (faccessat with the
 * effective IDs; root is made nobody for the call). */
static void dry_run_predicts_eacces(void **state)
{
	char procs[160];
	bool root_user = geteuid() == 0;
	struct mc_error e;
	int rc;

	(void)state;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", mv.dst.dir);
	assert_int_equal(chmod(procs, 0444), 0);
	if (root_user)
		assert_int_equal(seteuid(65534), 0);
	rc = mc_move_run(&mv, &e);
	if (root_user)
		assert_int_equal(seteuid(0), 0);
	assert_int_equal(rc, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mv.recs[i].status, MC_FAILED);
		assert_int_equal(mv.recs[i].err, EACCES);
		assert_non_null(strstr(mv.recs[i].msg,
				       "predicted: permission denied"));
	}
	assert_int_equal(fake.writes, 0);
}

/* The real run that could not open DEST's cgroup.procs (EACCES): every
 * process fails with the same reason, without a lock or a knob write. */
static void real_run_denied(void **state)
{
	struct mc_error e;
	int other = open(mv.dst.dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	mv.req.dry_run = false;
	mv.req.wait = 0;
	assert_int_equal(flock(other, LOCK_EX), 0);
	mc_plan_note_denied(&mv);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_FAILED);
	assert_int_equal(mv.recs[1].err, EACCES);
	assert_non_null(strstr(mv.recs[1].msg, "permission denied"));
	assert_null(strstr(mv.recs[1].msg, "predicted"));
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(state_files(), 0);
	close(other);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, engine_teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_v2, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(dry_run_changes_nothing),
		T(dry_run_keep_reads_dest),
		cmocka_unit_test_setup_teardown(dry_run_lists_src, setup_from,
						engine_teardown),
		T(dry_run_infers_refusal),
		T(dry_run_require_refused),
		T(require_rule),
		T(keep_at_zero_refused),
		T(refuse_fills_the_reason),
		T2(dry_run_v2_warns_of_room),
		T2(dry_run_v2_predicts_ebusy),
		T2(dry_run_v2_ebusy_only_planned),
		T(dry_run_predicts_eacces),
		T(real_run_denied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
