/* Cgroup names: the three forms, normalisation, refused escapes. */
#include "unit.h"

#include "core/cgroup.h"

static const char table[] =
	"31 26 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"32 26 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
	"40 1 0:28 /docker/abc /mnt/sub rw - cgroup cgroup rw,memory\n";

static struct mc_mounts m;

static int setup(void **state)
{
	struct mc_error e;

	(void)state;
	return mc_mounts_parse(&m, tmpfile_with(table), NULL, &e);
}

static int teardown(void **state)
{
	(void)state;
	mc_mounts_free(&m);
	return 0;
}

/* Parse name on mount index i; expect hpath and rel, or NULL for an error
 * with the given errno. */
static void expect(int i, const char *name, const char *hpath,
		   const char *rel, int err)
{
	char *hp = NULL, *r = NULL;
	struct mc_error e = { 0 };
	int rc = mc_cgroup_parse_name(&m, &m.h[i], name, &hp, &r, &e);

	if (!hpath) {
		assert_int_equal(rc, -1);
		assert_int_equal(e.code, err);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(hp, hpath);
	assert_string_equal(r, rel);
	free(hp);
	free(r);
}

static void hierarchy_paths(void **state)
{
	(void)state;
	expect(0, "/batch/job1", "/batch/job1", "batch/job1", 0);
	expect(0, "batch//job1/", "/batch/job1", "batch/job1", 0);
	expect(0, "/./batch/./job1", "/batch/job1", "batch/job1", 0);
	expect(0, "/", "/", ".", 0);
	expect(0, "/with space", "/with space", "with space", 0);
}

static void filesystem_paths(void **state)
{
	(void)state;
	expect(0, "/sys/fs/cgroup/memory/batch", "/batch", "batch", 0);
	expect(0, "/sys/fs/cgroup/memory", "/", ".", 0);
	expect(0, "/sys/fs/cgroup/memory/", "/", ".", 0);
	/* a prefix that is not a whole component is not the mount point */
	expect(0, "/sys/fs/cgroup/memoryx", "/sys/fs/cgroup/memoryx",
	       "sys/fs/cgroup/memoryx", 0);
}

static void libcgroup_form(void **state)
{
	(void)state;
	expect(0, "memory:/batch", "/batch", "batch", 0);
	expect(0, "memory:batch/a:b", "/batch/a:b", "batch/a:b", 0);
	expect(0, "cpu:/batch", NULL, NULL, EINVAL);
	expect(0, "memory:", NULL, NULL, EINVAL);
}

static void escapes_refused(void **state)
{
	(void)state;
	expect(0, "/batch/../..", NULL, NULL, EINVAL);
	expect(0, "..", NULL, NULL, EINVAL);
	expect(0, "/sys/fs/cgroup/memory/../cpu", NULL, NULL, EINVAL);
	expect(0, "memory:/a/../../etc", NULL, NULL, EINVAL);
	expect(0, "", NULL, NULL, EINVAL);
	/* a path under another controller's mount */
	expect(0, "/sys/fs/cgroup/cpu/batch", NULL, NULL, EINVAL);
}

static void bind_mounted_subtree(void **state)
{
	(void)state;
	/* hierarchy path inside the mount's root */
	expect(2, "/docker/abc/x", "/docker/abc/x", "x", 0);
	expect(2, "/docker/abc", "/docker/abc", ".", 0);
	/* filesystem path: the mount root is prefixed */
	expect(2, "/mnt/sub/x", "/docker/abc/x", "x", 0);
	/* outside the mount's root: not reachable through it */
	expect(2, "/docker/other", NULL, NULL, EXDEV);
	expect(2, "/docker/abcd", NULL, NULL, EXDEV);
}

static void ancestry(void **state)
{
	(void)state;
	assert_true(mc_path_is_ancestor("/", "/a"));
	assert_true(mc_path_is_ancestor("/a", "/a/b"));
	assert_true(mc_path_is_ancestor("/a", "/a"));
	assert_false(mc_path_is_ancestor("/a", "/ab"));
	assert_false(mc_path_is_ancestor("/a/b", "/a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hierarchy_paths),
		cmocka_unit_test(filesystem_paths),
		cmocka_unit_test(libcgroup_form),
		cmocka_unit_test(escapes_refused),
		cmocka_unit_test(bind_mounted_subtree),
		cmocka_unit_test(ancestry),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
