/* What DEST is (dest.c): cgroup v2's EBUSY where DEST hands memory to
 * children, its EACCES on the common ancestor's cgroup.procs, the messages
 * that explain both, and the warning for a DEST inside a systemd unit; on
 * the fixture sysroot of engine.h, switched to v2 where a test says so. */
#include "engine.h"

#include <grp.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "core/dest.h"

static struct mc_cgroup cg;

static int setup(void **state)
{
	sysroot_setup(state);
	hier.type = MC_V2;
	memset(&cg, 0, sizeof(cg));
	cg.dfd = -1;
	return 0;
}

static int teardown(void **state)
{
	mc_cgroup_close(&cg);
	return sysroot_teardown(state);
}

/* A v2 cgroup of the fixture: a directory with cgroup.type (the root of
 * the hierarchy has none) and cgroup.procs. */
static void v2_cgroup(const char *name)
{
	char rel[160];

	snprintf(rel, sizeof(rel), "cg/%s/cgroup.type", name);
	fixture_write(rel, "domain\n");
	snprintf(rel, sizeof(rel), "cg/%s/cgroup.procs", name);
	fixture_write(rel, "");
}

/* Open name in the fixture hierarchy, of the type hier has now. */
static void open_cg(const char *name)
{
	struct mc_error e;

	mc_cgroup_close(&cg);
	assert_int_equal(mc_cgroup_open(&cg, &mounts, &hier, name, 0, &e), 0);
}

/* --- EBUSY ---------------------------------------------------------------- */

/* /p with a child /p/c, handing it the controllers in subtree. */
static void parent_with_child(const char *subtree)
{
	v2_cgroup("p");
	v2_cgroup("p/c");
	fixture_write("cg/p/cgroup.subtree_control", subtree);
}

static void busy_with_child_and_memory(void **state)
{
	(void)state;
	parent_with_child("cpu memory io\n");
	open_cg("/p");
	assert_false(cg.is_root);
	assert_true(mc_dest_v2_busy(&cg));
	/* the child itself takes processes */
	open_cg("/p/c");
	assert_false(mc_dest_v2_busy(&cg));
}

/* Files are not children: without a child directory the rule is moot. */
static void not_busy_without_child(void **state)
{
	(void)state;
	v2_cgroup("p");
	fixture_write("cg/p/cgroup.subtree_control", "cpu memory io\n");
	open_cg("/p");
	assert_false(mc_dest_v2_busy(&cg));
}

/* Only the memory controller, as a whole word, keeps processes out. */
static void not_busy_without_memory(void **state)
{
	const char *subtrees[] = { "cpu io pids\n", "memoryx\n",
				   "cpu xmemory\n", "" };

	(void)state;
	for (size_t i = 0; i < sizeof(subtrees) / sizeof(*subtrees); i++) {
		parent_with_child(subtrees[i]);
		open_cg("/p");
		assert_false(mc_dest_v2_busy(&cg));
	}
	/* and the same fixture with memory is busy */
	parent_with_child("memory\n");
	open_cg("/p");
	assert_true(mc_dest_v2_busy(&cg));
}

/* v1 has no such rule, whatever the directory holds. */
static void not_busy_on_v1(void **state)
{
	(void)state;
	parent_with_child("memory\n");
	hier.type = MC_V1;
	open_cg("/p");
	assert_false(mc_dest_v2_busy(&cg));
}

/* The root of the hierarchy is exempt from the no-internal-process rule. */
static void root_is_exempt(void **state)
{
	(void)state;
	v2_cgroup("p");
	fixture_write("cg/cgroup.subtree_control", "cpu memory\n");
	open_cg("/");
	assert_true(cg.is_root);
	assert_false(mc_dest_v2_busy(&cg));
}

/* --- EACCES --------------------------------------------------------------- */

static const char *const tree[] = { "/", "/a", "/a/b", "/a/c", "/ab" };
#define NTREE (sizeof(tree) / sizeof(*tree))

/* Make cgroup.procs writable for everyone in every cgroup of tree but
 * closed, which no one may write (not even its owner). */
static void procs_closed(const char *closed)
{
	char path[256];

	for (size_t i = 0; i < NTREE; i++) {
		bool shut = closed && !strcmp(tree[i], closed);

		snprintf(path, sizeof(path), "%s/cg%s/cgroup.procs", root,
			 strcmp(tree[i], "/") ? tree[i] : "");
		assert_int_equal(chmod(path, shut ? 0444 : 0666), 0);
	}
}

/* mc_dest_v2_access for a process in src moving to dst, asked by an
 * unprivileged writer: as root, faccessat(AT_EACCESS) finds every file
 * writable, so a forked child drops to nobody first. Returns the child's
 * rc (0, or the errno) with the message in msg; -1 when it could not drop
 * its privileges. */
static int access_as_nobody(const char *src, const char *dst, char *msg,
			    size_t len)
{
	char sp[64], dp[64];
	int p[2], status;
	ssize_t n;
	pid_t pid;

	snprintf(sp, sizeof(sp), "%s", src);
	snprintf(dp, sizeof(dp), "%s", dst);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mc_cgroup s = { .hier = &hier, .path = sp, .dfd = -1 };
		struct mc_cgroup d = { .hier = &hier, .path = dp, .dfd = -1 };
		struct mc_error e = { 0 };

		close(p[0]);
		/* no cmocka here: the child only reports */
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 ||
		     setresgid(65534, 65534, 65534) < 0 ||
		     setresuid(65534, 65534, 65534) < 0))
			_exit(255);
		if (mc_dest_v2_access(&mounts, &s, &d, &e) == 0)
			_exit(0);
		if (write(p[1], e.msg, strlen(e.msg)) < 0)
			_exit(254);
		_exit(e.code == EACCES ? 1 : 2);
	}
	close(p[1]);
	n = read(p[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 255)
		return -1;
	assert_true(WEXITSTATUS(status) <= 1);
	return WEXITSTATUS(status) ? EACCES : 0;
}

/* For each pair, close each cgroup's cgroup.procs in turn: only the common
 * ancestor's refuses the move, and the message names it. */
static void ancestor_decides(void **state)
{
	static const struct {
		const char *src, *dst, *ancestor;
	} pairs[] = {
		{ "/a/b", "/a/c", "/a" },
		{ "/a/c", "/a/b", "/a" },
		{ "/a", "/a/b", "/a" },
		{ "/a/b", "/a", "/a" },
		/* a common prefix that is not a whole component */
		{ "/ab", "/a", "/" },
		{ "/a", "/ab", "/" },
	};
	char msg[700], want[64];

	(void)state;
	for (size_t i = 1; i < NTREE; i++)
		v2_cgroup(tree[i] + 1);
	fixture_write("cg/cgroup.procs", "");
	/* the unprivileged child must reach the fixture */
	snprintf(msg, sizeof(msg), "chmod -R a+rX '%s'", root);
	assert_int_equal(system(msg), 0);
	procs_closed(NULL);
	if (access_as_nobody("/a/b", "/a/c", msg, sizeof(msg)) < 0) {
		print_message("cannot drop to an unprivileged uid: the EACCES "
			      "cases are not tested\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		/* every cgroup.procs open: the move is allowed */
		procs_closed(NULL);
		assert_int_equal(access_as_nobody(pairs[i].src, pairs[i].dst,
						  msg, sizeof(msg)),
				 0);
		for (size_t k = 0; k < NTREE; k++) {
			bool is = !strcmp(tree[k], pairs[i].ancestor);
			int rc;

			procs_closed(tree[k]);
			rc = access_as_nobody(pairs[i].src, pairs[i].dst, msg,
					      sizeof(msg));
			if (rc != (is ? EACCES : 0))
				print_message("%s -> %s with %s closed: %s\n",
					      pairs[i].src, pairs[i].dst,
					      tree[k], rc ? msg : "allowed");
			assert_int_equal(rc, is ? EACCES : 0);
			if (!is)
				continue;
			snprintf(want, sizeof(want), "ancestor '%s'",
				 pairs[i].ancestor);
			assert_non_null(strstr(msg, want));
		}
	}
}

/* --- the messages --------------------------------------------------------- */

static void why_on_v2(void **state)
{
	char path[] = "/batch", buf[700];
	struct mc_cgroup d = { .hier = &hier, .path = path, .dfd = -1 };

	(void)state;
	assert_ptr_equal(mc_dest_v2_why(EBUSY, &d, buf, sizeof(buf)), buf);
	assert_non_null(strstr(buf, "'/batch' has child cgroups"));
	assert_non_null(strstr(buf, "cgroup.subtree_control"));
	assert_ptr_equal(mc_dest_v2_why(EACCES, &d, buf, sizeof(buf)), buf);
	assert_non_null(strstr(buf, "permission denied"));
	assert_non_null(strstr(buf, "common ancestor"));
	assert_non_null(strstr(buf, "'/batch'"));
	/* other errnos have no v2 explanation */
	assert_null(mc_dest_v2_why(ENOMEM, &d, buf, sizeof(buf)));
	assert_null(mc_dest_v2_why(EINVAL, &d, buf, sizeof(buf)));
	assert_null(mc_dest_v2_why(ESRCH, &d, buf, sizeof(buf)));
}

static void why_not_on_v1(void **state)
{
	char path[] = "/batch", buf[700];
	struct mc_cgroup d = { .hier = &hier, .path = path, .dfd = -1 };

	(void)state;
	hier.type = MC_V1;
	assert_null(mc_dest_v2_why(EBUSY, &d, buf, sizeof(buf)));
	assert_null(mc_dest_v2_why(EACCES, &d, buf, sizeof(buf)));
}

/* --- systemd units -------------------------------------------------------- */

/* mc_dest_unit_warning for a DEST at path; its message in msg. */
static bool unit_warning(const char *path, char *msg, size_t len)
{
	char p[128];
	struct mc_cgroup d = { .hier = &hier, .path = p, .dfd = -1 };

	snprintf(p, sizeof(p), "%s", path);
	snprintf(msg, len, "untouched");
	return mc_dest_unit_warning(&mounts, &d, msg, len);
}

/* v1 knows no delegation mark: a unit's path is the evidence. */
static void unit_warning_on_v1(void **state)
{
	char msg[900];

	(void)state;
	hier.type = MC_V1;
	assert_true(unit_warning("/system.slice/foo.service/x", msg,
				 sizeof(msg)));
	assert_non_null(strstr(msg, "unit '/system.slice/foo.service'"));
	assert_null(strstr(msg, "not delegated"));
	assert_true(unit_warning("/user.slice", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "unit '/user.slice'"));
	assert_false(unit_warning("/batch/job", msg, sizeof(msg)));
	assert_string_equal(msg, "untouched");
	/* a suffix alone is no unit */
	assert_false(unit_warning("/batch/.service", msg, sizeof(msg)));
}

/* v2: a .service cgroup without trusted.delegate gets the warning; with
 * it, systemd has handed the subtree over. */
static void unit_warning_on_v2(void **state)
{
	char msg[900], dir[160];

	(void)state;
	v2_cgroup("system.slice/foo.service/x");
	assert_true(unit_warning("/system.slice/foo.service/x", msg,
				 sizeof(msg)));
	assert_non_null(strstr(msg, "unit '/system.slice/foo.service'"));
	assert_non_null(strstr(msg, "not delegated"));
	/* v2's slices are systemd's too, but only a unit with processes
	 * delegates */
	assert_false(unit_warning("/system.slice", msg, sizeof(msg)));
	/* the mark counts on the unit's cgroup, not below it */
	snprintf(dir, sizeof(dir), "%s/cg/system.slice/foo.service/x", root);
	if (setxattr(dir, "trusted.delegate", "1", 1, 0) < 0) {
		print_message("the temporary filesystem refuses trusted "
			      "xattrs (%s): the delegated case is not "
			      "tested\n",
			      strerror(errno));
		skip();
	}
	assert_true(unit_warning("/system.slice/foo.service/x", msg,
				 sizeof(msg)));
	snprintf(dir, sizeof(dir), "%s/cg/system.slice/foo.service", root);
	assert_int_equal(setxattr(dir, "trusted.delegate", "1", 1, 0), 0);
	assert_false(unit_warning("/system.slice/foo.service/x", msg,
				  sizeof(msg)));
	assert_string_equal(msg, "untouched");
	assert_false(unit_warning("/system.slice/foo.service", msg,
				  sizeof(msg)));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(busy_with_child_and_memory),
		T(not_busy_without_child),
		T(not_busy_without_memory),
		T(not_busy_on_v1),
		T(root_is_exempt),
		T(ancestor_decides),
		T(why_on_v2),
		T(why_not_on_v1),
		T(unit_warning_on_v1),
		T(unit_warning_on_v2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
