/* Set and restore of move_charge_at_immigrate on every path, through an
 * injected control-file backend: on 6.13+ the real knob always reads 0, so
 * only a fake one can show that a restore happened. */
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "core/move.h"

/* --- the fake backend ---------------------------------------------------- */

#define MAXCG 4
static struct {
	const struct mc_cgroup *cg[MAXCG];
	int val[MAXCG];
	int n;
	bool refuse_nonzero;	/* like 6.13+: EINVAL for anything but 0 */
	bool fail_restore;	/* the write back fails */
	int writes;
	pid_t fail_pid;		/* attach fails for this PID */
	int fail_errno;
	pid_t stop_after;	/* raise SIGTERM after attaching this PID */
	int attached[16];
	int nattached;
	int knob_during_attach;	/* DEST's value while moving */
} fake;

static volatile sig_atomic_t stop;
static struct mc_move mv;

static int *slot(const struct mc_cgroup *cg)
{
	for (int i = 0; i < fake.n; i++)
		if (fake.cg[i] == cg)
			return &fake.val[i];
	fake.cg[fake.n] = cg;
	fake.val[fake.n] = 0;
	return &fake.val[fake.n++];
}

static int fake_read(const struct mc_cgroup *cg, int *val, struct mc_error *e)
{
	(void)e;
	*val = *slot(cg);
	return 0;
}

static int fake_write(const struct mc_cgroup *cg, int val, struct mc_error *e)
{
	if (fake.refuse_nonzero && val)
		return mc_errx(e, EINVAL, "refused");
	if (fake.fail_restore && fake.writes > 0)
		return mc_errx(e, EIO, "write failed");
	fake.writes++;
	*slot(cg) = val;
	return 0;
}

static int fake_attach(int fd, pid_t pid)
{
	(void)fd;
	if (pid == fake.fail_pid)
		return fake.fail_errno;
	fake.attached[fake.nattached++] = pid;
	fake.knob_during_attach = *slot(&mv.dst);
	if (pid == fake.stop_after)
		stop = SIGTERM;
	return 0;
}

static const struct mc_ctl_ops fake_ops = { fake_read, fake_write,
					    fake_attach };

/* --- fixtures: DEST and one origin are plain directories ---------------- */

/* A sysroot: cg/ is the "memory mount", proc/PID/cgroup says where the
 * moved processes are (the rollback checks it). */
static char root[64];
static struct mc_hier hier = { .type = MC_V1, .target = "/cg", .root = "/",
			       .memory = true };
static struct mc_mounts mounts = { .h = &hier, .n = 1 };

static void fake_cgroup(struct mc_cgroup *cg, const char *name)
{
	char dir[128], file[160];
	struct stat st;
	int fd;

	snprintf(dir, sizeof(dir), "%s/cg/%s", root, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	close(fd);
	memset(cg, 0, sizeof(*cg));
	cg->hier = &hier;
	snprintf(file, sizeof(file), "/%s", name);
	cg->path = strdup(file);
	cg->rel = strdup(name);
	cg->dir = strdup(dir);
	cg->dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(cg->dfd >= 0);
	fstat(cg->dfd, &st);
	cg->ino = st.st_ino;
	cg->dev = st.st_dev;
}

/* proc/PID/cgroup of a moved process: in DEST */
static void in_dest(pid_t pid)
{
	char dir[128], file[160];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/proc/%d", root, (int)pid);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/cgroup", dir);
	f = fopen(file, "w");
	fprintf(f, "4:memory:/dst\n");
	fclose(f);
}

static void add_rec(pid_t pid)
{
	struct mc_move_rec *r;

	mv.recs = realloc(mv.recs, (mv.nrecs + 1) * sizeof(*r));
	r = &mv.recs[mv.nrecs++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->origin = 0;
	r->status = MC_PLANNED;
	in_dest(pid);
}

static int setup(void **state)
{
	char dir[128];

	(void)state;
	memset(&fake, 0, sizeof(fake));
	stop = 0;
	strcpy(root, "/tmp/memcg-knob-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/run", root);
	setenv("MEMCG_RUNDIR", dir, 1);
	snprintf(dir, sizeof(dir), "%s/cg", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/proc", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	mounts.sysroot = root;
	mc_move_init(&mv, &(struct mc_move_req){ .m = &mounts,
						 .h = &hier,
						 .ops = &fake_ops,
						 .stop = &stop,
						 .mode = MC_CHARGE_ALL });
	snprintf(mv.kernel.release, sizeof(mv.kernel.release), "6.1.0");
	mv.kernel.major = 6;
	mv.kernel.minor = 1;
	fake_cgroup(&mv.dst, "dst");
	mv.origins = calloc(1, sizeof(*mv.origins));
	mv.norigins = 1;
	fake_cgroup(&mv.origins[0].cg, "src");
	mv.origins[0].usage_fd = mv.origins[0].procs_fd = -1;
	*slot(&mv.dst) = 0;
	*slot(&mv.origins[0].cg) = 0;
	add_rec(101);
	add_rec(102);
	add_rec(103);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	mc_move_free(&mv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int state_files(void)
{
	char cmd[256];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls '%s/run' 2>/dev/null | wc -l", root);
	p = popen(cmd, "r");
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
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

/* A killed run left a record; the knob file holds the value it set. */
static void repair_after_kill(void **state)
{
	char path[256], knob[256], buf[8] = { 0 };
	struct mc_knob_guard g;
	struct mc_error e;
	int fd;

	(void)state;
	snprintf(knob, sizeof(knob), "%s/cg/dst/" MC_KNOB, root);
	fd = open(knob, O_CREAT | O_WRONLY, 0600);
	assert_int_equal(write(fd, "1", 1), 1);
	close(fd);
	/* set to 3 through the real backend, then "die" before restoring */
	assert_int_equal(mc_knob_set(&g, &mv.dst, 3, &mc_real_ops, &e), 0);
	assert_int_equal(state_files(), 1);
	/* while its run holds the lock, the record is left alone */
	assert_int_equal(flock(mv.dst.dfd, LOCK_EX), 0);
	snprintf(path, sizeof(path), "%s", mv.dst.dir);
	int other = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(other >= 0);
	close(mv.dst.dfd); /* the "killed" run's descriptor: lock released */
	mv.dst.dfd = other;
	assert_int_equal(mc_knob_repair(NULL, &e), 1);
	fd = open(knob, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 1);
	close(fd);
	assert_string_equal(buf, "1");
	assert_int_equal(state_files(), 0);
}

static void repair_skips_a_live_run(void **state)
{
	char knob[256];
	struct mc_knob_guard g;
	struct mc_error e;
	int fd;

	(void)state;
	snprintf(knob, sizeof(knob), "%s/cg/dst/" MC_KNOB, root);
	fd = open(knob, O_CREAT | O_WRONLY, 0600);
	assert_int_equal(write(fd, "0", 1), 1);
	close(fd);
	assert_int_equal(mc_knob_set(&g, &mv.dst, 3, &mc_real_ops, &e), 0);
	assert_int_equal(flock(mv.dst.dfd, LOCK_EX), 0);
	assert_int_equal(mc_knob_repair(NULL, &e), 0);
	assert_int_equal(state_files(), 1);
	assert_int_equal(mc_knob_restore(&g, &mc_real_ops, &e), 0);
	assert_int_equal(state_files(), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

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
		T(repair_after_kill),
		T(repair_skips_a_live_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
