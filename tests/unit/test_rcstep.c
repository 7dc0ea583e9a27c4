/* Recharge in the move run (rcstep.c): which processes are recharged and
 * when (after every move, after the knob's restore, only once every move
 * succeeded under --atomic, a process already in DEST too, none after a
 * signal), --require-charge satisfied by the probe, the dry run's kinds,
 * a leader that exited, and the exit status rule; through the fake
 * backend of engine.h and a fake recharge module. */
#include "engine.h"

#include "core/rcstep.h"

#define MIB (1024ULL * 1024ULL)
#define SRC_OF_SKIPPED 4242

static struct {
	int probe_err;			/* the probe fails with it */
	int calls;
	pid_t pid[8], tid[8];
	uint64_t src[8];
	unsigned mode[8];
	bool dry[8];
	int attached_at[8];		/* moves done when it was called */
	int knob_at[8];			/* DEST's knob then */
	uint64_t left_limit, left_sparse;	/* what each call leaves */
	pid_t stop_in;			/* a signal during this one */
} rc;

static int fake_probe(const struct mc_mounts *m, struct mc_error *e)
{
	(void)m;
	if (rc.probe_err)
		return mc_errx(e, rc.probe_err, "no kpagecgroup");
	return 0;
}

static int fake_huge(const struct mc_mounts *m, uint64_t *size,
		     struct mc_error *e)
{
	(void)m;
	(void)e;
	*size = 2 * MIB;
	return 0;
}

static int fake_swap(const struct mc_mounts *m, bool *on, struct mc_error *e)
{
	(void)m;
	(void)e;
	*on = false;
	return 0;
}

static int fake_recharge(const struct mc_recharge_req *req,
			 struct mc_recharge_res *res, struct mc_error *e)
{
	int k = rc.calls++;

	(void)e;
	assert_true(k < 8);
	rc.pid[k] = req->pid;
	rc.tid[k] = req->tid;
	rc.src[k] = req->src_ino;
	rc.mode[k] = req->mode;
	rc.dry[k] = req->dry_run;
	rc.attached_at[k] = fake.nattached;
	rc.knob_at[k] = *slot(&mv.dst);
	memset(res, 0, sizeof(*res));
	res->recharged = res->recharged_anon = 8 * MIB;
	res->left_by[MC_LEFT_LIMIT] = rc.left_limit;
	res->left_by[MC_LEFT_SPARSE] = rc.left_sparse;
	res->left = rc.left_limit + rc.left_sparse;
	if (req->pid == rc.stop_in) {
		stop = SIGINT;
		res->stopped = true;
	}
	return 0;
}

static uint64_t fake_source(const struct mc_move *m, pid_t task,
			    unsigned mode)
{
	(void)m;
	(void)task;
	(void)mode;
	return SRC_OF_SKIPPED;
}

static const struct mc_rc_hooks fake_rc = {
	fake_probe, fake_huge, fake_swap, fake_recharge, fake_source,
};

/* Two processes of /src to be moved into /dst with --recharge all. */
static int setup(void **state)
{
	engine_setup(state);
	memset(&rc, 0, sizeof(rc));
	mv.req.recharge = MC_RECHARGE_ALL;
	mv.req.rc_hooks = &fake_rc;
	add_rec(101);
	add_rec(102);
	return 0;
}

static int setup_v2(void **state)
{
	engine_setup_v2(state);
	memset(&rc, 0, sizeof(rc));
	mv.req.recharge = MC_RECHARGE_ALL;
	mv.req.rc_hooks = &fake_rc;
	add_rec(101);
	return 0;
}

/* A third process, already in DEST: its origin is DEST's own cgroup. */
static void add_skipped(pid_t pid)
{
	struct mc_move_rec *r;

	mv.origins = realloc(mv.origins, 2 * sizeof(*mv.origins));
	memset(&mv.origins[1], 0, sizeof(mv.origins[1]));
	fake_cgroup(&mv.origins[1].cg, "dst");
	mv.origins[1].usage_fd = mv.origins[1].procs_fd = -1;
	mv.norigins = 2;
	add_rec(pid);
	r = &mv.recs[mv.nrecs - 1];
	r->origin = 1;
	r->status = MC_SKIPPED;
}

/* --- tests ---------------------------------------------------------------- */

static void recharges_each_after_every_move(void **state)
{
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 2);
	assert_int_equal(rc.pid[0], 101);
	assert_int_equal(rc.pid[1], 102);
	/* every move first, the knob restored before the first recharge */
	assert_int_equal(rc.attached_at[0], 2);
	assert_int_equal(rc.knob_at[0], 0);
	assert_int_equal(rc.src[0], mv.origins[0].cg.ino);
	assert_int_equal(rc.mode[0], MC_RECHARGE_ALL);
	assert_false(rc.dry[0]);
	assert_non_null(mv.recs[1].rc);
	assert_int_equal(mv.recs[1].rc->res.recharged, 8 * MIB);
}

static void skipped_is_recharged_from_where_its_pages_are(void **state)
{
	struct mc_error e;

	(void)state;
	add_skipped(103);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 3);
	assert_int_equal(mv.recs[2].status, MC_SKIPPED);
	assert_int_equal(rc.pid[2], 103);
	assert_int_equal(rc.src[2], SRC_OF_SKIPPED);
	/* it was not written to cgroup.procs */
	assert_int_equal(fake.nattached, 2);
}

static void skipped_alone_is_recharged(void **state)
{
	struct mc_error e;

	(void)state;
	mv.recs[0].status = mv.recs[1].status = MC_FAILED;
	add_skipped(103);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 1);
	assert_int_equal(rc.pid[0], 103);
}

static void no_recharge_without_the_option(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.recharge = 0;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 0);
	assert_null(mv.recs[0].rc);
}

static void atomic_recharges_after_all_moved(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 2);
	assert_int_equal(rc.attached_at[0], 2);
	assert_int_equal(mv.recs[0].status, MC_MOVED);
}

static void atomic_failure_recharges_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	fake.fail_pid = 102;
	fake.fail_errno = EINVAL;
	/* one already in DEST stays there, and is not recharged either */
	add_skipped(103);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_ROLLED_BACK);
	assert_int_equal(mv.recs[2].status, MC_SKIPPED);
	assert_int_equal(rc.calls, 0);
}

static void atomic_left_limit_keeps_the_moves(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.atomic = true;
	rc.left_limit = MIB;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_MOVED);
	assert_int_equal(mv.recs[1].status, MC_MOVED);
	assert_int_equal(fake.nattached, 2);
}

static void a_signal_stops_before_the_next(void **state)
{
	struct mc_error e;

	(void)state;
	rc.stop_in = 101;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 1);
	assert_true(mv.recs[0].rc->res.stopped);
	assert_null(mv.recs[1].rc);
	assert_int_equal(mv.interrupted, SIGINT);
}

static void a_signal_during_the_last_one_counts(void **state)
{
	struct mc_error e;

	(void)state;
	rc.stop_in = 102;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 2);
	assert_int_equal(mv.interrupted, SIGINT);
}

static void require_charge_satisfied_by_recharge(void **state)
{
	struct mc_error e;

	(void)state;
	/* a kernel that refuses to move charge (6.13+) */
	fake.refuse_nonzero = true;
	mv.req.require_charge = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_false(mv.require_failed);
	assert_int_equal(fake.nattached, 2);
	assert_int_equal(rc.calls, 2);
}

static void require_charge_without_recharge_moves_nothing(void **state)
{
	struct mc_error e;

	(void)state;
	rc.probe_err = EACCES;
	mv.req.require_charge = true;
	assert_int_equal(mc_move_run(&mv, &e), -1);
	assert_true(mv.require_failed);
	assert_non_null(strstr(e.msg, "cannot recharge"));
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(rc.calls, 0);
	assert_int_equal(*slot(&mv.dst), 0);
	assert_int_equal(state_files(), 0);
}

static void v2_require_charge_with_recharge_moves(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.require_charge = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_false(mv.require_failed);
	assert_int_equal(fake.nattached, 1);
	assert_int_equal(rc.calls, 1);
}

static void probe_failure_without_require_is_partial(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.notice = keep_notice;
	rc.probe_err = EACCES;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 2);
	assert_int_equal(rc.calls, 0);
	assert_int_equal(said_with("cannot recharge", NULL), 1);
	assert_int_equal(mv.recs[0].rc->err, EACCES);
	assert_int_equal(mc_rcstep_exit(&mv, 0), 64);
}

static void dry_run_predicts_what_the_kernel_leaves(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.dry_run = true;
	mv.req.recharge = MC_RECHARGE_ALL;
	mv.req.mode = MC_CHARGE_ANON;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(rc.calls, 2);
	assert_true(rc.dry[0]);
	/* 6.1 on v1 moves the anon with the process: file is left */
	assert_int_equal(rc.mode[0], MC_RECHARGE_FILE);
}

static void v2_dry_run_predicts_every_kind(void **state)
{
	struct mc_error e;

	(void)state;
	mv.req.dry_run = true;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.calls, 1);
	assert_true(rc.dry[0]);
	assert_int_equal(rc.mode[0], MC_RECHARGE_ALL);
}

/* proc/PID/stat of a zombie leader whose other threads live */
static void zombie_leader(pid_t pid, pid_t tid)
{
	char file[64], text[320];

	snprintf(file, sizeof(file), "proc/%d/stat", (int)pid);
	snprintf(text, sizeof(text),
		 "%d (x) Z 1 %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 7 0 0 0 0 "
		 "0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		 (int)pid, (int)pid, (int)pid);
	fixture_write(file, text);
	snprintf(file, sizeof(file), "proc/%d/task/%d/stat", (int)pid,
		 (int)pid);
	fixture_write(file, text);
	snprintf(file, sizeof(file), "proc/%d/task/%d/stat", (int)pid,
		 (int)tid);
	fixture_write(file, "");
	proc_stat(tid, "x", 0, 7);
}

static void a_leader_gone_uses_a_live_thread(void **state)
{
	struct mc_error e;

	(void)state;
	zombie_leader(101, 105);
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(rc.pid[0], 101);
	assert_int_equal(rc.tid[0], 105);
	assert_int_equal(rc.tid[1], 0);
}

/* The exit status: the move's stands, 0 becomes 64 for bytes left for
 * DEST's limit (or a kernel refusal), never 1 from recharge alone. */
static void exit_status_rule(void **state)
{
	struct mc_error e;

	(void)state;
	rc.left_sparse = MIB;
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(mc_rcstep_exit(&mv, 0), 0);
	mv.recs[1].rc->res.left_by[MC_LEFT_LIMIT] = MIB;
	assert_int_equal(mc_rcstep_exit(&mv, 0), 64);
	assert_int_equal(mc_rcstep_exit(&mv, 64), 64);
	assert_int_equal(mc_rcstep_exit(&mv, 1), 1);
	assert_int_equal(mc_rcstep_exit(&mv, 130), 130);
	mv.recs[1].rc->res.left_by[MC_LEFT_LIMIT] = 0;
	mv.recs[1].rc->res.left_by[MC_LEFT_KERNEL] = MIB;
	assert_int_equal(mc_rcstep_exit(&mv, 0), 64);
}

static void total_sums_the_records(void **state)
{
	struct mc_error e;
	uint64_t sum;

	(void)state;
	/* before the run reached recharge: unknown (JSON null), not 0 */
	assert_false(mc_rcstep_total(&mv, &sum));
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_true(mc_rcstep_total(&mv, &sum));
	assert_int_equal(sum, 16 * MIB);
	mv.req.recharge = 0;
	assert_false(mc_rcstep_total(&mv, &sum));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, engine_teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_v2, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(recharges_each_after_every_move),
		T(skipped_is_recharged_from_where_its_pages_are),
		T(skipped_alone_is_recharged),
		T(no_recharge_without_the_option),
		T(atomic_recharges_after_all_moved),
		T(atomic_failure_recharges_nothing),
		T(atomic_left_limit_keeps_the_moves),
		T(a_signal_stops_before_the_next),
		T(a_signal_during_the_last_one_counts),
		T(require_charge_satisfied_by_recharge),
		T(require_charge_without_recharge_moves_nothing),
		T2(v2_require_charge_with_recharge_moves),
		T(probe_failure_without_require_is_partial),
		T(dry_run_predicts_what_the_kernel_leaves),
		T2(v2_dry_run_predicts_every_kind),
		T(a_leader_gone_uses_a_live_thread),
		T(exit_status_rule),
		T(total_sums_the_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
