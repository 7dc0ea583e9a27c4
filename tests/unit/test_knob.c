/* The charge knob alone: mode names, set and restore with a crash-safe
 * record written before the knob changes, and the repair of what a killed
 * run left; with the fake backend of engine.h and the real one on fixture
 * files. */
#include "engine.h"

#include "core/knob.h"

static struct mc_cgroup cg;

static int setup(void **state)
{
	sysroot_setup(state);
	fake_cgroup(&cg, "dst");
	return 0;
}

static int teardown(void **state)
{
	mc_cgroup_close(&cg);
	return sysroot_teardown(state);
}

/* The knob file of cg holding text, for the real backend. */
static void knob_file(const char *text)
{
	fixture_write("cg/dst/" MC_KNOB, text);
}

static void mode_names(void **state)
{
	(void)state;
	assert_string_equal(mc_mode_name(MC_CHARGE_NONE), "none");
	assert_string_equal(mc_mode_name(MC_CHARGE_ANON), "anon");
	assert_string_equal(mc_mode_name(MC_CHARGE_FILE), "file");
	assert_string_equal(mc_mode_name(MC_CHARGE_ALL), "all");
	assert_string_equal(mc_mode_name(MC_CHARGE_KEEP), "keep");
	assert_string_equal(mc_mode_name(4), "unknown");
	assert_string_equal(mc_mode_name(-2), "unknown");
}

static void mode_parsing(void **state)
{
	(void)state;
	/* the knob's values (DESIGN, Vocabulary) */
	assert_int_equal(mc_mode_parse("none", false), 0);
	assert_int_equal(mc_mode_parse("anon", false), 1);
	assert_int_equal(mc_mode_parse("file", false), 2);
	assert_int_equal(mc_mode_parse("all", true), 3);
	/* keep only where the caller allows it (move, not charge) */
	assert_int_equal(mc_mode_parse("keep", true), MC_CHARGE_KEEP);
	assert_int_equal(mc_mode_parse("keep", false), -2);
	assert_int_equal(mc_mode_parse("", true), -2);
	assert_int_equal(mc_mode_parse("ALL", true), -2);
	assert_int_equal(mc_mode_parse("3", true), -2);
	assert_int_equal(mc_mode_parse("alll", true), -2);
}

/* The record is on disk before the knob changes, holds the old value, and
 * is gone after the restore. */
static void set_records_before_the_write(void **state)
{
	char path[160], buf[512] = { 0 };
	struct mc_knob_guard g;
	struct mc_error e;
	FILE *f;

	(void)state;
	*slot(&cg) = 1;
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), 0);
	assert_int_equal(fake.records_at_write, 1);
	assert_true(g.written);
	assert_int_equal(g.old, 1);
	assert_int_equal(*slot(&cg), 3);
	assert_int_equal(state_files(), 1);
	snprintf(path, sizeof(path), "%s/run/knob-%llu-%llu", root,
		 (unsigned long long)cg.dev, (unsigned long long)cg.ino);
	assert_string_equal(g.state, path);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(buf, "old=1\n"));
	snprintf(path, sizeof(path), "dir=%s\n", cg.dir);
	assert_non_null(strstr(buf, path));

	assert_int_equal(mc_knob_restore(&g, &fake_ops, &e), 0);
	assert_int_equal(*slot(&cg), 1);
	assert_false(g.written);
	assert_int_equal(state_files(), 0);
	/* a second restore has nothing to write */
	assert_int_equal(mc_knob_restore(&g, &fake_ops, &e), 0);
	assert_int_equal(fake.writes, 2);
}

/* Asking for the value it already holds writes nothing and records
 * nothing. */
static void same_value_is_left_alone(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	*slot(&cg) = 3;
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), 0);
	assert_false(g.written);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(state_files(), 0);
	assert_int_equal(mc_knob_restore(&g, &fake_ops, &e), 0);
	assert_int_equal(fake.writes, 0);
}

static void failed_write_leaves_no_record(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	fake.fail_write = EIO;
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), -1);
	assert_int_equal(e.code, EIO);
	/* it was recorded for the write, and dropped when the write failed */
	assert_int_equal(fake.records_at_write, 1);
	assert_int_equal(state_files(), 0);
	assert_false(g.written);
	assert_int_equal(*slot(&cg), 0);
}

/* 6.13+: the kernel's refusal is EINVAL, and nothing stays changed. */
static void refusal_is_einval(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	fake.refuse_nonzero = true;
	assert_int_equal(mc_knob_set(&g, &cg, 1, &fake_ops, &e), -1);
	assert_int_equal(e.code, EINVAL);
	assert_false(g.written);
	assert_int_equal(state_files(), 0);
}

/* A failed restore keeps the record for the next run's repair. */
static void failed_restore_keeps_record(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;

	(void)state;
	fake.fail_restore = true;
	assert_int_equal(mc_knob_set(&g, &cg, 3, &fake_ops, &e), 0);
	assert_int_equal(mc_knob_restore(&g, &fake_ops, &e), -1);
	assert_int_equal(e.code, EIO);
	assert_non_null(strstr(e.msg, "cannot restore"));
	assert_non_null(strstr(e.msg, g.state));
	assert_true(g.written);
	assert_int_equal(state_files(), 1);
}

/* The real backend reads and writes the knob's file. */
static void real_backend_on_a_file(void **state)
{
	char buf[8] = { 0 };
	struct mc_error e;
	int v = -1, fd;

	(void)state;
	knob_file("2\n");
	assert_int_equal(mc_knob_read(&cg, &v, &e), 0);
	assert_int_equal(v, 2);
	/* the kernel's file takes one write of the digits, no newline */
	knob_file("");
	assert_int_equal(mc_knob_write(&cg, 1, &e), 0);
	fd = openat(cg.dfd, MC_KNOB, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 1);
	close(fd);
	assert_string_equal(buf, "1");
	knob_file("x\n");
	assert_int_equal(mc_knob_read(&cg, &v, &e), -1);
	assert_int_equal(e.code, EBADMSG);
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
	assert_int_equal(mc_knob_set(&g, &cg, 3, &mc_real_ops, &e), 0);
	assert_int_equal(state_files(), 1);
	/* while its run holds the lock, the record is left alone */
	assert_int_equal(flock(cg.dfd, LOCK_EX), 0);
	snprintf(path, sizeof(path), "%s", cg.dir);
	int other = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(other >= 0);
	close(cg.dfd); /* the "killed" run's descriptor: lock released */
	cg.dfd = other;
	assert_int_equal(mc_knob_repair_fs(fixture_fs(), NULL, &e), 1);
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
	assert_int_equal(mc_knob_set(&g, &cg, 3, &mc_real_ops, &e), 0);
	assert_int_equal(flock(cg.dfd, LOCK_EX), 0);
	assert_int_equal(mc_knob_repair_fs(fixture_fs(), NULL, &e), 0);
	assert_int_equal(state_files(), 1);
	assert_int_equal(mc_knob_restore(&g, &mc_real_ops, &e), 0);
	assert_int_equal(state_files(), 0);
}

/* A record whose cgroup is gone is dropped, not an error. */
static void repair_drops_a_removed_cgroup(void **state)
{
	struct mc_knob_guard g;
	struct mc_error e;
	char cmd[256];

	(void)state;
	knob_file("0");
	assert_int_equal(mc_knob_set(&g, &cg, 3, &mc_real_ops, &e), 0);
	assert_int_equal(state_files(), 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cg.dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mc_knob_repair_fs(fixture_fs(), NULL, &e), 0);
	assert_int_equal(state_files(), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode_names),
		cmocka_unit_test(mode_parsing),
		T(set_records_before_the_write),
		T(same_value_is_left_alone),
		T(failed_write_leaves_no_record),
		T(refusal_is_einval),
		T(failed_restore_keeps_record),
		T(real_backend_on_a_file),
		T(repair_after_kill),
		T(repair_skips_a_live_run),
		T(repair_drops_a_removed_cgroup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
