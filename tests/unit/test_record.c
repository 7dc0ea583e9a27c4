/* The knob's records against a hostile run directory: planted links and
 * special files, forged and broken records, a directory others can write.
 * The fixture cgroups are plain directories (engine.h). */
#include "engine.h"

#include <sys/wait.h>

#include "core/knob.h"
#include "core/record.h"

static struct mc_cgroup cg;
static char rundir[128];

static int setup(void **state)
{
	sysroot_setup(state);
	fake_cgroup(&cg, "dst");
	snprintf(rundir, sizeof(rundir), "%s/run", root);
	assert_int_equal(mkdir(rundir, 0700), 0);
	/* a hang (a FIFO, /dev/zero) fails the test instead of blocking it */
	alarm(20);
	return 0;
}

static int teardown(void **state)
{
	alarm(0);
	mc_cgroup_close(&cg);
	return sysroot_teardown(state);
}

/* rel under root holding text (a record, a victim). */
static void put(const char *rel, const char *text)
{
	fixture_write(rel, text);
}

static void expect_file(const char *rel, const char *text)
{
	char path[256], buf[256] = { 0 };
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) >= 0);
	close(fd);
	assert_string_equal(buf, text);
}

static bool exists(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return lstat(path, &st) == 0;
}

/* The record name of cg. */
static const char *cg_record(const char *suffix)
{
	static char name[128];

	snprintf(name, sizeof(name), "run/knob-%llu-%llu%s",
		 (unsigned long long)cg.dev, (unsigned long long)cg.ino,
		 suffix);
	return name;
}

/* A record for cg with its device and inode, old value as text. */
static void plant_record(const char *name, const char *old)
{
	char text[512];

	snprintf(text, sizeof(text), "dir=%s\ndev=%llu\nino=%llu\nold=%s\n",
		 cg.dir, (unsigned long long)cg.dev,
		 (unsigned long long)cg.ino, old);
	put(name, text);
}

/* The repair, taking the fixture's plain directories for cgroups. */
static int repair(struct mc_error *e)
{
	return mc_knob_repair_fs(fixture_fs(), NULL, e);
}

/* A link planted at the temporary record's name is not followed: its
 * target keeps its contents, and the record is made anew, mode 0600. */
static void planted_tmp_link_is_not_followed(void **state)
{
	char victim[160], link[200];
	struct mc_knob_guard g;
	struct mc_error e;
	struct stat st;

	(void)state;
	put("victim", "precious\n");
	snprintf(victim, sizeof(victim), "%s/victim", root);
	snprintf(link, sizeof(link), "%s/%s", root, cg_record(".tmp"));
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), 0);
	expect_file("victim", "precious\n");
	assert_false(exists(cg_record(".tmp")));
	assert_int_equal(stat(g.state, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(mc_knob_restore(&g, &fake_ops, &e), 0);
}

/* A run directory others could write to (or plant links in) is refused,
 * with its name and the reason, before the knob is touched. */
static void unsafe_rundir_is_refused(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	assert_int_equal(chmod(rundir, 0777), 0);
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), -1);
	assert_non_null(strstr(e.msg, rundir));
	assert_non_null(strstr(e.msg, "writable"));
	assert_int_equal(fake.writes, 0);
	assert_int_equal(chmod(rundir, 0720), 0);
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), -1);
	assert_int_equal(fake.writes, 0);
}

static void rundir_link_is_refused(void **state)
{
	char elsewhere[160];
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", root);
	assert_int_equal(mkdir(elsewhere, 0700), 0);
	assert_int_equal(rmdir(rundir), 0);
	assert_int_equal(symlink(elsewhere, rundir), 0);
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), -1);
	assert_non_null(strstr(e.msg, rundir));
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(fake.writes, 0);
}

/* Owned by someone else: they could replace its records. */
static void rundir_of_another_user_is_refused(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(chown(rundir, 65534, 65534), 0);
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), -1);
	assert_non_null(strstr(e.msg, rundir));
	assert_non_null(strstr(e.msg, "owned by"));
	assert_int_equal(fake.writes, 0);
}

/* A record naming a directory that is not on a cgroup filesystem (here
 * the plain fixture directory, with the right device and inode) gets
 * nothing written; it is reported and kept. */
static void forged_record_is_not_followed(void **state)
{
	struct mc_error e;

	(void)state;
	put("cg/dst/" MC_KNOB, "3\n");
	plant_record(cg_record(""), "0");
	assert_int_equal(mc_knob_repair(NULL, &e), -1);
	assert_non_null(strstr(e.msg, cg.dir));
	assert_non_null(strstr(e.msg, "cgroup v1 filesystem"));
	expect_file("cg/dst/" MC_KNOB, "3\n");
	assert_true(exists(cg_record("")));
}

/* A value the knob cannot hold is refused when the record is read, before
 * anything is written: the knob file keeps what it had. */
static void record_value_out_of_range(void **state)
{
	const char *bad[] = { "1234567", "4", "-1", "3x", "", " 3", "03" };
	struct mc_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		put("cg/dst/" MC_KNOB, "3\n");
		plant_record(cg_record(""), bad[i]);
		assert_int_equal(repair(&e), -1);
		assert_non_null(strstr(e.msg, "old="));
		expect_file("cg/dst/" MC_KNOB, "3\n");
		assert_true(exists(cg_record("")));
	}
}

/* A FIFO, a link to /dev/zero, a directory: reported and skipped, never
 * read (a FIFO blocks an open, /dev/zero never ends). */
static void special_files_are_skipped(void **state)
{
	char path[200];
	struct mc_error e;

	(void)state;
	snprintf(path, sizeof(path), "%s/run/knob-1-2", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(repair(&e), -1);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "not a regular file"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/dev/zero", path), 0);
	assert_int_equal(repair(&e), -1);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(repair(&e), -1);
	assert_non_null(strstr(e.msg, path));
}

/* A record larger than any record is not read whole. */
static void oversized_record_is_skipped(void **state)
{
	static char big[64 * 1024];
	struct mc_error e;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	put("run/knob-1-2", big);
	assert_int_equal(repair(&e), -1);
	assert_non_null(strstr(e.msg, "knob-1-2"));
	assert_true(exists("run/knob-1-2"));
}

/* What a killed run left half-written is removed by the next repair. */
static void leftover_tmp_is_removed(void **state)
{
	struct mc_error e;

	(void)state;
	put("run/knob-1-2.tmp", "dir=/sys/fs/cg");
	assert_int_equal(repair(&e), 0);
	assert_false(exists("run/knob-1-2.tmp"));
}

/* A record that cannot be parsed is reported and kept, not deleted
 * behind a "nothing to restore". */
static void garbage_record_is_kept(void **state)
{
	struct mc_error e;

	(void)state;
	put("run/knob-1-2", "hello\n");
	assert_int_equal(repair(&e), -1);
	assert_non_null(strstr(e.msg, "knob-1-2"));
	assert_true(exists("run/knob-1-2"));
}

/* The record parser: exactly the four lines memcg writes. */
static void parser_takes_only_records(void **state)
{
	static const char *const bad[] = {
		"dir=/a\ndev=1\nino=2\n",			/* no old= */
		"dir=/a\ndev=1\nino=2\nold=1",		/* cut short */
		"dir=/a\ndev=1\nino=2\nold=1\nold=1\n",	/* twice */
		"dir=a\ndev=1\nino=2\nold=1\n",		/* relative */
		"dir=\ndev=1\nino=2\nold=1\n",
		"dir=/a\ndev=-1\nino=2\nold=1\n",
		"dir=/a\ndev=18446744073709551616\nino=2\nold=1\n",
		"dir=/a\ndev=1\nino=2\nold=1\nuid=0\n",	/* unknown */
		"dir=/a\ndev=1\nino=2\nold=1\n\n",
		"",
	};
	const char good[] = "dir=/sys/fs/cgroup/memory/a b\ndev=18446744073709551615\n"
			    "ino=7\nold=3\n";
	const char nul[] = "dir=/a\0b\ndev=1\nino=2\nold=1\n";
	struct mc_record r;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_record_parse(good, strlen(good), &r, &e), 0);
	assert_string_equal(r.dir, "/sys/fs/cgroup/memory/a b");
	assert_true(r.dev == 18446744073709551615ULL);
	assert_int_equal(r.ino, 7);
	assert_int_equal(r.old, 3);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(mc_record_parse(bad[i], strlen(bad[i]), &r, &e),
				 -1);
		assert_int_equal(e.code, EBADMSG);
	}
	assert_int_equal(mc_record_parse(nul, sizeof(nul) - 1, &r, &e), -1);
}

/* What the repair says, and that a bad record does not stop the good. */
static void repair_goes_on_past_a_bad_record(void **state)
{
	struct mc_error e;

	(void)state;
	put("cg/dst/" MC_KNOB, "3");
	plant_record(cg_record(""), "1");
	put("run/knob-1-2", "hello\n");
	assert_int_equal(mc_knob_repair_fs(fixture_fs(), keep_notice, &e), -1);
	assert_non_null(strstr(e.msg, "knob-1-2"));
	expect_file("cg/dst/" MC_KNOB, "1");
	assert_false(exists(cg_record("")));
	assert_int_equal(said_with("restored", cg.dir), 1);
}

/* A record whose cgroup is gone is removed, and the repair says so. */
static void stale_record_is_removed_with_a_note(void **state)
{
	char text[256];
	struct mc_error e;

	(void)state;
	snprintf(text, sizeof(text), "dir=%s/gone\ndev=1\nino=2\nold=0\n",
		 root);
	put("run/knob-1-2", text);
	assert_int_equal(mc_knob_repair_fs(fixture_fs(), keep_notice, &e), 0);
	assert_false(exists("run/knob-1-2"));
	assert_int_equal(said_with("no longer exists", "knob-1-2"), 1);
}

/* A live run's half-written record, under its shared lock, stays. */
static void live_tmp_is_left_alone(void **state)
{
	struct mc_error e;
	int fd = open(rundir, O_RDONLY | O_DIRECTORY);

	(void)state;
	put("run/knob-1-2.tmp", "dir=/sys/fs/cg");
	assert_int_equal(flock(fd, LOCK_SH), 0);
	assert_int_equal(repair(&e), 0);
	assert_true(exists("run/knob-1-2.tmp"));
	close(fd);
	assert_int_equal(repair(&e), 0);
	assert_false(exists("run/knob-1-2.tmp"));
}

/* No run directory is needed unless a knob is about to change; when one
 * is needed and cannot be had, the message says what to do. */
static void rundir_only_for_a_write(void **state)
{
	char bad[160];
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	put("file", "");
	snprintf(bad, sizeof(bad), "%s/file/run", root);
	setenv("MEMCG_RUNDIR", bad, 1);
	*slot(&cg) = 3;
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), 0);
	assert_false(g.written);
	assert_int_equal(repair(&e), -1); /* root is told; ENOTDIR */
	assert_int_equal(mc_knob_set(&g, &cg, 1, &fake_ops, &e), -1);
	assert_non_null(strstr(e.msg, bad));
	assert_non_null(strstr(e.msg, "MEMCG_RUNDIR"));
	assert_non_null(strstr(e.msg, "--charge none"));
	assert_int_equal(mc_knob_set(&g, &cg, 0, &fake_ops, &e), -1);
	assert_non_null(strstr(e.msg, "--charge keep"));
	assert_int_equal(fake.writes, 0);
}

static bool refuses_all(int val)
{
	return val != 0;
}

/* A kernel that would refuse the value needs no record: the answer is
 * its refusal, without a write. */
static void refusal_needs_no_record(void **state)
{
	const struct mc_ctl_ops ops = { .knob_read = fake_read,
					.knob_write = fake_write,
					.attach = fake_attach,
					.refuses = refuses_all };
	char bad[160];
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	/* a directory that cannot be made: its parent does not exist */
	snprintf(bad, sizeof(bad), "%s/none/run", root);
	setenv("MEMCG_RUNDIR", bad, 1);
	assert_int_equal(mc_knob_set(&g, &cg, 3, &ops, &e), -1);
	assert_int_equal(e.code, EINVAL);
	assert_int_equal(fake.writes, 0);
	/* with a record at hand the kernel is asked, as always */
	setenv("MEMCG_RUNDIR", rundir, 1);
	assert_int_equal(mc_knob_set(&g, &cg, 3, &ops, &e), 0);
	assert_int_equal(fake.writes, 1);
}

/* Not root: a run directory it cannot read is passed over in silence
 * (root's /run/memcg is 0700), as is one that does not exist. */
static void not_root_repairs_quietly(void **state)
{
	struct mc_error e;
	pid_t pid;
	int st;

	(void)state;
	if (geteuid() != 0)
		skip();
	put("run/knob-1-2", "hello\n");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		/* root's directory, then none at all */
		if (mc_knob_repair(NULL, &e) != 0)
			_exit(3);
		setenv("MEMCG_RUNDIR", "/nonexistent/memcg", 1);
		_exit(mc_knob_repair(NULL, &e) != 0 ? 4 : 0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* root is told about the same directory */
	assert_int_equal(repair(&e), -1);
}

/* --keep-setting: the record goes, the value stays. */
static void forget_keeps_the_value(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_knob_set(&g, &cg, 2, &fake_ops, &e), 0);
	assert_int_equal(state_files(), 1);
	assert_int_equal(mc_knob_forget(&g, &e), 0);
	assert_int_equal(state_files(), 0);
	assert_false(g.written);
	assert_int_equal(*slot(&cg), 2);
	assert_int_equal(mc_knob_restore(&g, &fake_ops, &e), 0);
	assert_int_equal(*slot(&cg), 2);
}

/* A path the one-line format cannot hold is refused before the write. */
static void newline_in_path_is_refused(void **state)
{
	struct mc_cgroup nl;
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	fake_cgroup(&nl, "a\nb");
	assert_int_equal(mc_knob_set(&g, &nl, 3, &fake_ops, &e), -1);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(state_files(), 0);
	mc_cgroup_close(&nl);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(planted_tmp_link_is_not_followed),
		T(unsafe_rundir_is_refused),
		T(rundir_link_is_refused),
		T(rundir_of_another_user_is_refused),
		T(forged_record_is_not_followed),
		T(record_value_out_of_range),
		T(special_files_are_skipped),
		T(oversized_record_is_skipped),
		T(leftover_tmp_is_removed),
		T(garbage_record_is_kept),
		cmocka_unit_test(parser_takes_only_records),
		T(repair_goes_on_past_a_bad_record),
		T(stale_record_is_removed_with_a_note),
		T(live_tmp_is_left_alone),
		T(rundir_only_for_a_write),
		T(refusal_needs_no_record),
		T(not_root_repairs_quietly),
		T(newline_in_path_is_refused),
		T(forget_keeps_the_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
