/* A PID's checks before anything moves (validate.c): a TID stands for its
 * process, two TIDs of one process make one record, PID 1 needs --force,
 * a container's init and a process from the root are noted, and --back's
 * expectations (still where the report left it, the same process). Through
 * mc_move_add_pid on the fixture sysroot of engine.h. */
#include "engine.h"

#include "core/move.h"

/* A dry run into /dst with no records yet (the origins are fixtures). */
static int setup(void **state)
{
	engine_setup(state);
	mv.req.dry_run = true;
	return 0;
}

/* proc/PID/status with its thread group and NSpid line. */
static void proc_status(pid_t pid, pid_t tgid, const char *nspid)
{
	char file[64], text[160];

	snprintf(file, sizeof(file), "proc/%d/status", (int)pid);
	snprintf(text, sizeof(text), "Name:\tx\nTgid:\t%d\nPid:\t%d\nNSpid:\t%s\n",
		 (int)tgid, (int)pid, nspid);
	fixture_write(file, text);
}

/* A process of /src: stat, cgroup and status. */
static void process(pid_t pid, const char *comm)
{
	char ns[16];

	proc_stat(pid, comm, 0, 1000 + (unsigned long long)pid);
	proc_in(pid, "/src");
	snprintf(ns, sizeof(ns), "%d", (int)pid);
	proc_status(pid, pid, ns);
}

static void tid_is_its_process(void **state)
{
	struct mc_error e;

	(void)state;
	process(4242, "java");
	proc_status(4250, 4242, "4250");
	proc_status(4251, 4242, "4251");
	assert_int_equal(mc_move_add_pid(&mv, 4250, &e), 0);
	assert_int_equal(mv.nrecs, 1);
	assert_int_equal(mv.recs[0].pid, 4242);
	assert_string_equal(mv.recs[0].comm, "java");
	assert_int_equal(mv.recs[0].status, MC_PLANNED);
	assert_non_null(strstr(mv.recs[0].note,
			       "4250 is a thread of process 4242"));
	/* a second TID, then the process itself: still one record */
	assert_int_equal(mc_move_add_pid(&mv, 4251, &e), 0);
	assert_int_equal(mc_move_add_pid(&mv, 4242, &e), 0);
	assert_int_equal(mv.nrecs, 1);
	assert_non_null(strstr(mv.recs[0].note, "thread 4251 of process 4242"));
	assert_non_null(strstr(mv.recs[0].note, "process 4242 itself"));
}

/* Without a status file (a fixture, an old sysroot) the PID is its own
 * process, as before. */
static void no_status_is_the_pid(void **state)
{
	struct mc_error e;

	(void)state;
	proc_stat(77, "sh", 0, 5);
	proc_in(77, "/src");
	assert_int_equal(mc_move_add_pid(&mv, 77, &e), 0);
	assert_int_equal(mv.recs[0].pid, 77);
	assert_null(mv.recs[0].note);
}

/* PID 1 without --force: failed with the reason, and a real run writes
 * nothing for it; with --force it is planned. */
static void pid1_needs_force(void **state)
{
	struct mc_error e;

	(void)state;
	process(1, "systemd");
	mv.req.dry_run = false;
	assert_int_equal(mc_move_add_pid(&mv, 1, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_FAILED);
	assert_int_equal(mv.recs[0].err, EPERM);
	assert_non_null(strstr(mv.recs[0].msg, "init system"));
	assert_non_null(strstr(mv.recs[0].msg, "and its charge"));
	assert_int_equal(mc_move_run(&mv, &e), 0);
	assert_int_equal(fake.nattached, 0);
	assert_int_equal(fake.writes, 0);
	mv.req.force = true;
	mv.req.dry_run = true;
	assert_int_equal(mc_move_add_pid(&mv, 1, &e), 0);
	assert_int_equal(mv.recs[1].status, MC_PLANNED);
}

/* The init of another PID namespace: NSpid ends with 1. */
static void container_init_noted(void **state)
{
	struct mc_error e;

	(void)state;
	process(7001, "sh");
	proc_status(7001, 7001, "7001\t1");
	process(7002, "sh");
	proc_status(7002, 7002, "7002\t2");
	assert_int_equal(mc_move_add_pid(&mv, 7001, &e), 0);
	assert_int_equal(mc_move_add_pid(&mv, 7002, &e), 0);
	assert_int_equal(mv.recs[0].status, MC_PLANNED);
	assert_non_null(strstr(mv.recs[0].note, "init of another PID namespace"));
	assert_non_null(strstr(mv.recs[0].note, "--also"));
	assert_null(mv.recs[1].note);
}

/* From the root cgroup: the note says what happens to the charge. */
static void root_origin_noted(void **state)
{
	struct mc_error e;

	(void)state;
	mv.origins[0].cg.is_root = true;
	process(88, "sh");
	assert_int_equal(mc_move_add_pid(&mv, 88, &e), 0);
	assert_non_null(strstr(mv.recs[0].note, "root cgroup"));
	/* 6.1 moves charges with the default mode */
	assert_non_null(strstr(mv.recs[0].note, "counts against the limits"));
}

/* --back: a process no longer where the report left it is skipped; a PID
 * whose start time differs is another process now: exited. */
static void back_expectations(void **state)
{
	struct mc_error e;

	(void)state;
	process(501, "a");
	process(502, "b");
	assert_int_equal(mc_move_add_pid_at(&mv, 501, "/src", 1501, &e), 0);
	assert_int_equal(mc_move_add_pid_at(&mv, 502, "/elsewhere", 1502, &e),
			 0);
	assert_int_equal(mv.recs[0].status, MC_PLANNED);
	assert_int_equal(mv.recs[1].status, MC_SKIPPED);
	assert_non_null(strstr(mv.recs[1].msg, "not where the report left it"));
	process(503, "c");
	assert_int_equal(mc_move_add_pid_at(&mv, 503, "/src", 99, &e), 0);
	assert_int_equal(mv.recs[2].status, MC_EXITED);
	assert_non_null(strstr(mv.recs[2].msg, "another process"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, engine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(tid_is_its_process),
		T(no_status_is_the_pid),
		T(pid1_needs_force),
		T(container_init_noted),
		T(root_origin_noted),
		T(back_expectations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
