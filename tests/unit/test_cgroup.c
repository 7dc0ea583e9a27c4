/* The cgroup module: names (the three forms, normalisation, refused
 * escapes), handles opened beneath a mount point of the fixture sysroot of
 * engine.h, the cgroup.procs write and control-file reads. */
#include "engine.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "core/cgroup.h"

static const char table[] =
	"31 26 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"32 26 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
	"40 1 0:28 /docker/abc /mnt/sub rw - cgroup cgroup rw,memory\n";

static struct mc_mounts m;

static int names_setup(void **state)
{
	const char *path = tmpfile_with(table);
	struct mc_error e;
	int rc;

	(void)state;
	rc = mc_mounts_parse(&m, path, NULL, &e);
	unlink(path);
	return rc;
}

static int names_teardown(void **state)
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

/* --- handles on the fixture sysroot ------------------------------------ */

static struct mc_cgroup cg;

static int setup(void **state)
{
	sysroot_setup(state);
	memset(&cg, 0, sizeof(cg));
	cg.dfd = -1;
	fixture_write("cg/batch/job1/cgroup.procs", "");
	return 0;
}

static int teardown(void **state)
{
	mc_cgroup_close(&cg);
	return sysroot_teardown(state);
}

static ino_t ino_of(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void open_beneath_the_mount(void **state)
{
	const char *names[] = { "/batch/job1", "/cg/batch/job1",
				"memory:/batch/job1", "batch//job1/" };
	struct mc_error e;
	struct stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, names[i],
						0, &e),
				 0);
		assert_string_equal(cg.path, "/batch/job1");
		assert_string_equal(cg.rel, "batch/job1");
		/* dir names the cgroup as the system sees it, without the
		 * sysroot */
		assert_string_equal(cg.dir, "/cg/batch/job1");
		assert_int_equal(cg.ino, ino_of("cg/batch/job1"));
		assert_int_equal(fstat(cg.dfd, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_false(cg.is_root);
		mc_cgroup_close(&cg);
		assert_int_equal(cg.dfd, -1);
	}
}

/* Only the real root has cgroup.sane_behavior; a "/" without it is a
 * cgroup namespace's root, whose counters are ordinary. */
static void root_known_by_sane_behavior(void **state)
{
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/", 0, &e), 0);
	assert_string_equal(cg.rel, ".");
	assert_int_equal(cg.ino, ino_of("cg"));
	assert_false(cg.is_root);
	mc_cgroup_close(&cg);
	fixture_write("cg/cgroup.sane_behavior", "0\n");
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/", 0, &e), 0);
	assert_true(cg.is_root);
	/* and only the root */
	mc_cgroup_close(&cg);
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch", 0, &e), 0);
	assert_false(cg.is_root);
}

static void missing_cgroup(void **state)
{
	struct mc_error e;

	(void)state;
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch/nope", 0, &e), -1);
	assert_int_equal(e.code, ENOENT);
	assert_non_null(strstr(e.msg, "'/batch/nope' does not exist"));
	assert_int_equal(cg.dfd, -1);
	assert_null(cg.path);
}

/* A symbolic link inside the mount cannot lead out of it. */
static void symlink_does_not_escape(void **state)
{
	char target[128], link[128];
	struct mc_error e;

	(void)state;
	snprintf(target, sizeof(target), "%s/outside", root);
	assert_int_equal(mkdir(target, 0700), 0);
	snprintf(link, sizeof(link), "%s/cg/batch/out", root);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch/out", 0, &e), -1);
	assert_int_equal(e.code, ELOOP);
	assert_non_null(strstr(e.msg, "leaves the memory hierarchy"));
	/* nor does a symlinked control file */
	snprintf(link, sizeof(link), "%s/cg/batch/job1/memory.stat", root);
	assert_int_equal(symlink("/proc/self/status", link), 0);
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0, &e), 0);
	assert_int_equal(mc_cgroup_openat(&cg, "memory.stat", O_RDONLY, &e),
			 -1);
	assert_int_equal(e.code, ELOOP);
}

/* openat2 refused with ENOSYS, as before Linux 5.6 (or under valgrind,
 * or a seccomp filter that does not know it). */
static int without_openat2(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return syscall(__NR_openat2, AT_FDCWD, "/", NULL, 0) < 0 &&
			       errno == ENOSYS
		       ? 0
		       : -1;
}

/* The same refusal by the component walk that replaces openat2: found by
 * the memcheck pass, where a link came back as "Not a directory". */
static void symlink_refused_without_openat2(void **state)
{
	char target[128], link[128];
	struct mc_error e;
	pid_t pid;
	int st;

	(void)state;
	snprintf(target, sizeof(target), "%s/outside", root);
	assert_int_equal(mkdir(target, 0700), 0);
	snprintf(link, sizeof(link), "%s/cg/batch/out", root);
	assert_int_equal(symlink(target, link), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (without_openat2() < 0)
			_exit(2);
		/* the walk still opens what is there */
		if (mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0,
				   &e) < 0)
			_exit(3);
		mc_cgroup_close(&cg);
		if (mc_cgroup_open(&cg, &mounts, &hier, "/batch/out", 0,
				   &e) == 0 ||
		    e.code != ELOOP ||
		    !strstr(e.msg, "leaves the memory hierarchy")) {
			fprintf(stderr, "%s\n", e.msg);
			_exit(4);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Writes are refused under --sysroot, and off a cgroup filesystem. */
static void writes_need_a_cgroupfs(void **state)
{
	char target[128];
	struct mc_hier real = hier;
	struct mc_mounts m2 = { .h = &real, .n = 1 };
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/batch",
					MC_CG_WRITE, &e),
			 -1);
	assert_int_equal(e.code, EINVAL);
	assert_non_null(strstr(e.msg, "--sysroot"));
	/* the same directory without a sysroot: a temporary directory is no
	 * cgroup filesystem */
	snprintf(target, sizeof(target), "%s/cg", root);
	real.target = target;
	assert_int_equal(
		mc_cgroup_open(&cg, &m2, &real, "/batch", MC_CG_WRITE, &e), -1);
	assert_int_equal(e.code, EXDEV);
	assert_non_null(strstr(e.msg, "not a cgroup filesystem"));
	/* for reading it is fine */
	assert_int_equal(mc_cgroup_open(&cg, &m2, &real, "/batch", 0, &e), 0);
}

/* One write() of the decimal PID, nothing else. */
static void attach_writes_the_pid(void **state)
{
	char buf[32] = { 0 };
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(mc_cgroup_attach(p[1], 4242), 0);
	assert_int_equal(mc_cgroup_attach(p[1], 2147483647), 0);
	close(p[1]);
	assert_int_equal(read(p[0], buf, sizeof(buf) - 1), 14);
	close(p[0]);
	assert_string_equal(buf, "42422147483647");
	/* errors come back as errno values */
	assert_int_equal(mc_cgroup_attach(p[1], 1), EBADF);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(mc_cgroup_attach(p[1], 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

static void read_one_number(void **state)
{
	struct mc_error e;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0,
					&e),
			 0);
	fixture_write("cg/batch/job1/memory.usage_in_bytes", "851443712\n");
	assert_int_equal(mc_cgroup_read_u64(&cg, "memory.usage_in_bytes", &v,
					    &e),
			 0);
	assert_int_equal(v, 851443712);
	fixture_write("cg/batch/job1/memory.limit_in_bytes",
		      "18446744073709551615\n");
	assert_int_equal(mc_cgroup_read_u64(&cg, "memory.limit_in_bytes", &v,
					    &e),
			 0);
	assert_true(v == UINT64_MAX);
	/* not a number: EBADMSG, never EINVAL (the kernel's refusal) */
	const char *bad[] = { "", "12abc\n", "max\n", "18446744073709551616\n",
			      "1 2\n", "-1\n", "+1\n", " 1\n", "-0\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		fixture_write("cg/batch/job1/memory.usage_in_bytes", bad[i]);
		assert_int_equal(mc_cgroup_read_u64(&cg,
						    "memory.usage_in_bytes",
						    &v, &e),
				 -1);
		assert_int_equal(e.code, EBADMSG);
	}
	assert_int_equal(mc_cgroup_read_u64(&cg, "memory.nope", &v, &e), -1);
	assert_int_equal(e.code, ENOENT);
}

/* Keys match whole: "rss" is not "total_rss" nor "rss_huge" (the kernel
 * selftests' strstr lookup gets this wrong). */
static void stat_keys_match_exactly(void **state)
{
	struct mc_error e;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0,
					&e),
			 0);
	fixture_write("cg/batch/job1/memory.stat",
		      "cache 4096\nrss_huge 2097152\ntotal_rss 999\nrss 123\n"
		      "total_cache 8192\n");
	assert_int_equal(
		mc_cgroup_read_stat(&cg, "memory.stat", "rss", &v, &e), 0);
	assert_int_equal(v, 123);
	assert_int_equal(
		mc_cgroup_read_stat(&cg, "memory.stat", "total_rss", &v, &e),
		0);
	assert_int_equal(v, 999);
	assert_int_equal(
		mc_cgroup_read_stat(&cg, "memory.stat", "cache", &v, &e), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(
		mc_cgroup_read_stat(&cg, "memory.stat", "rs", &v, &e), -1);
	assert_int_equal(e.code, ENOENT);
	assert_non_null(strstr(e.msg, "has no 'rs'"));
	assert_int_equal(
		mc_cgroup_read_stat(&cg, "memory.stat", "swap", &v, &e), -1);
	assert_int_equal(e.code, ENOENT);
}

/* --- cgroup v1 and v2 ----------------------------------------------------- */

/* The files and stat keys that differ between v1 and v2 (docs §9). */
static void memfiles_by_type(void **state)
{
	const struct mc_memfiles *v1 = mc_memfiles(MC_V1);
	const struct mc_memfiles *v2 = mc_memfiles(MC_V2);

	(void)state;
	assert_string_equal(v1->usage, "memory.usage_in_bytes");
	assert_string_equal(v1->limit, "memory.limit_in_bytes");
	assert_string_equal(v1->anon, "rss");
	assert_string_equal(v1->file, "cache");
	assert_string_equal(v1->shmem, "shmem");
	assert_null(v1->swap_file);
	assert_string_equal(v1->swap_key, "swap");
	assert_string_equal(v2->usage, "memory.current");
	assert_string_equal(v2->limit, "memory.max");
	assert_string_equal(v2->anon, "anon");
	assert_string_equal(v2->file, "file");
	assert_string_equal(v2->shmem, "shmem");
	assert_string_equal(v2->swap_file, "memory.swap.current");
	assert_null(v2->swap_key);
}

/* The limit file of the handle's type holding text, read. */
static int limit_reads(const char *text, uint64_t *limit, struct mc_error *e)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "cg/batch/job1/%s",
		 mc_memfiles(hier.type)->limit);
	fixture_write(rel, text);
	return mc_cgroup_read_limit(&cg, limit, e);
}

static void limit_v2(void **state)
{
	struct mc_error e;
	uint64_t v = 0;

	(void)state;
	hier.type = MC_V2;
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0, &e), 0);
	assert_int_equal(limit_reads("max\n", &v, &e), 0);
	assert_true(v == MC_UNLIMITED);
	assert_int_equal(limit_reads("104857600\n", &v, &e), 0);
	assert_int_equal(v, 104857600);
	/* the v1 file is not read on v2 */
	fixture_write("cg/batch/job1/memory.limit_in_bytes", "4096\n");
	assert_int_equal(limit_reads("max\n", &v, &e), 0);
	assert_true(v == MC_UNLIMITED);
}

static void limit_v1(void **state)
{
	struct mc_error e;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0, &e), 0);
	/* PAGE_COUNTER_MAX in bytes, as v1 prints no limit on x86-64 */
	assert_int_equal(limit_reads("9223372036854771712\n", &v, &e), 0);
	assert_true(v == MC_UNLIMITED);
	assert_int_equal(limit_reads("1073741824\n", &v, &e), 0);
	assert_int_equal(v, 1073741824);
	assert_int_equal(limit_reads("4096\n", &v, &e), 0);
	assert_int_equal(v, 4096);
}

/* Neither "max" nor a number: an error, never a limit. */
static void limit_garbage(void **state)
{
	const char *bad[] = { "", "\n", "maxx\n", "max 1\n", "12abc\n",
			      "0x10\n", "none\n" };
	struct mc_error e;
	uint64_t v;

	(void)state;
	for (int t = MC_V1; t <= MC_V2; t++) {
		hier.type = t;
		mc_cgroup_close(&cg);
		assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier,
						"/batch/job1", 0, &e),
				 0);
		for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
			v = 12345;
			assert_int_equal(limit_reads(bad[i], &v, &e), -1);
			assert_int_equal(e.code, EBADMSG);
		}
	}
}

/* Usage is memory.current on v2, memory.usage_in_bytes on v1: the same
 * directory with both files gives each its own. */
static void usage_by_type(void **state)
{
	struct mc_error e;
	uint64_t v = 0;

	(void)state;
	fixture_write("cg/batch/job1/memory.usage_in_bytes", "851443712\n");
	fixture_write("cg/batch/job1/memory.current", "84299776\n");
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0, &e), 0);
	assert_int_equal(mc_cgroup_read_usage(&cg, &v, &e), 0);
	assert_int_equal(v, 851443712);
	mc_cgroup_close(&cg);
	hier.type = MC_V2;
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch/job1", 0, &e), 0);
	assert_int_equal(mc_cgroup_read_usage(&cg, &v, &e), 0);
	assert_int_equal(v, 84299776);
	/* the v2 root has no memory.current (docs §8): ENOENT */
	mc_cgroup_close(&cg);
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/", 0, &e), 0);
	assert_int_equal(mc_cgroup_read_usage(&cg, &v, &e), -1);
	assert_int_equal(e.code, ENOENT);
}

/* v2: every cgroup but the root has cgroup.type, so the root is the one
 * without it; cgroup.sane_behavior, v1's mark, means nothing there. */
static void v2_root_known_by_cgroup_type(void **state)
{
	struct mc_error e;

	(void)state;
	hier.type = MC_V2;
	fixture_write("cg/batch/cgroup.type", "domain\n");
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/", 0, &e), 0);
	assert_true(cg.is_root);
	mc_cgroup_close(&cg);
	assert_int_equal(
		mc_cgroup_open(&cg, &mounts, &hier, "/batch", 0, &e), 0);
	assert_false(cg.is_root);
	mc_cgroup_close(&cg);
	/* a cgroup namespace's root has cgroup.type: not the real root,
	 * even with v1's mark beside it */
	fixture_write("cg/cgroup.type", "domain\n");
	fixture_write("cg/cgroup.sane_behavior", "0\n");
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, "/", 0, &e), 0);
	assert_false(cg.is_root);
}

static void ancestry_by_components(void **state)
{
	(void)state;
	assert_true(mc_path_is_ancestor("/", "/"));
	assert_true(mc_path_is_ancestor("/a/b", "/a/b/c/d"));
	assert_false(mc_path_is_ancestor("/a/b", "/a/bc"));
	assert_false(mc_path_is_ancestor("/a/b", "/a/b c"));
	assert_false(mc_path_is_ancestor("/b", "/a/b"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hierarchy_paths),
		cmocka_unit_test(filesystem_paths),
		cmocka_unit_test(libcgroup_form),
		cmocka_unit_test(escapes_refused),
		cmocka_unit_test(bind_mounted_subtree),
		cmocka_unit_test(ancestry),
		cmocka_unit_test(ancestry_by_components),
		T(open_beneath_the_mount),
		T(root_known_by_sane_behavior),
		T(missing_cgroup),
		T(symlink_does_not_escape),
		T(symlink_refused_without_openat2),
		T(writes_need_a_cgroupfs),
		T(attach_writes_the_pid),
		T(read_one_number),
		T(stat_keys_match_exactly),
		cmocka_unit_test(memfiles_by_type),
		T(limit_v2),
		T(limit_v1),
		T(limit_garbage),
		T(usage_by_type),
		T(v2_root_known_by_cgroup_type),
	};
	return cmocka_run_group_tests(tests, names_setup, names_teardown);
}
