/* /proc parsers: PIDs, stat, cgroup. */
#include "unit.h"

#include <linux/capability.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <sys/mman.h>

#include "core/proc.h"

static void pid_parsing(void **state)
{
	pid_t p;

	(void)state;
	assert_int_equal(mc_parse_pid("1", &p), 0);
	assert_int_equal(p, 1);
	assert_int_equal(mc_parse_pid("2147483647", &p), 0);
	assert_int_equal(p, 2147483647);
	assert_int_equal(mc_parse_pid("2147483648", &p), -1);
	assert_int_equal(mc_parse_pid("99999999999999999999", &p), -1);
	assert_int_equal(mc_parse_pid("0", &p), -1);
	assert_int_equal(mc_parse_pid("-1", &p), -1);
	assert_int_equal(mc_parse_pid("+5", &p), -1);
	assert_int_equal(mc_parse_pid("12abc", &p), -1);
	assert_int_equal(mc_parse_pid(" 12", &p), -1);
	assert_int_equal(mc_parse_pid("", &p), -1);
}

static void stat_with_odd_comm(void **state)
{
	struct mc_proc_stat st;
	/* comm "a) (b c" holds spaces and ')' */
	const char *line =
		"4242 (a) (b c) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 "
		"20 0 3 0 987654 68000000 16641 18446744073709551615 1 1 0 0 "
		"0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

	(void)state;
	assert_int_equal(mc_proc_parse_stat(line, &st), 0);
	assert_string_equal(st.comm, "a) (b c");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.flags, 4194560);
	assert_int_equal(st.starttime, 987654);
	assert_int_equal(st.rss_pages, 16641);
	assert_false(st.flags & MC_PF_KTHREAD);
}

static void stat_kernel_thread(void **state)
{
	struct mc_proc_stat st;
	const char *line = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 "
			   "0 20 0 1 0 2 0 0 18446744073709551615 0 0 0 0 0 "
			   "0 0 2147483647 0 0 0 0 0 0 0 0 0 0 0\n";

	(void)state;
	assert_int_equal(mc_proc_parse_stat(line, &st), 0);
	assert_true(st.flags & MC_PF_KTHREAD);
}

static void stat_garbage(void **state)
{
	struct mc_proc_stat st;

	(void)state;
	assert_int_equal(mc_proc_parse_stat("", &st), -1);
	assert_int_equal(mc_proc_parse_stat("1 (x", &st), -1);
	assert_int_equal(mc_proc_parse_stat("1 (x) S 1 2", &st), -1);
}

/* s copied so that its terminator is the last byte before an unmapped
 * page: a parser that reads past the end faults, in any build. */
static char *at_page_end(const char *s, void **map)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n = strlen(s) + 1;
	char *base = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(base != MAP_FAILED);
	assert_int_equal(mprotect(base + page, (size_t)page, PROT_NONE), 0);
	memcpy(base + page - n, s, n);
	*map = base;
	return base + page - n;
}

/* Found by fuzz_proc_stat: a line that ends right after "comm) " had its
 * state read from the terminator and the field loop started past it. */
static void stat_cut_after_comm(void **state)
{
	static const char *const cut[] = { "2 (kthhreajd) ", "1 (x) S", "1 () " };
	long page = sysconf(_SC_PAGESIZE);
	struct mc_proc_stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(cut) / sizeof(*cut); i++) {
		void *map;
		char *s = at_page_end(cut[i], &map);

		assert_int_equal(mc_proc_parse_stat(s, &st), -1);
		munmap(map, 2 * (size_t)page);
	}
}

static char *slurp(const char *path)
{
	struct mc_error e;
	char *buf = mc_read_file_at(AT_FDCWD, path, NULL, &e);

	assert_non_null(buf);
	return buf;
}

static void cgroup_lines(void **state)
{
	char *buf, *p = NULL;

	(void)state;
	buf = slurp(fixture("proc-cgroup-6.1-hybrid.txt"));
	assert_int_equal(mc_proc_parse_cgroup(buf, MC_V1, &p), 0);
	assert_string_equal(p, "/tool.slice/A");
	free(p);
	free(buf);

	buf = slurp(fixture("proc-cgroup-6.1-v1.txt"));
	assert_int_equal(mc_proc_parse_cgroup(buf, MC_V1, &p), 0);
	assert_string_equal(p, "/A");
	free(p);
	assert_int_equal(mc_proc_parse_cgroup(buf, MC_V2, &p), -1);
	free(buf);

	/* a name with a space is not escaped in /proc/PID/cgroup */
	buf = slurp(fixture("proc-cgroup-6.1-v2-space.txt"));
	assert_int_equal(mc_proc_parse_cgroup(buf, MC_V2, &p), 0);
	assert_string_equal(p, "/tool.slice/with space");
	free(p);
	free(buf);

	/* outside the cgroup namespace's root */
	buf = slurp(fixture("proc-cgroup-6.1-v2-cgns-outside.txt"));
	assert_int_equal(mc_proc_parse_cgroup(buf, MC_V2, &p), 0);
	assert_string_equal(p, "/../other");
	free(p);
	free(buf);

	/* a lingering cpu,cpuacct line has no memory token */
	buf = slurp(fixture("proc-cgroup-6.1-v2-memory-root-v1cpu-lingering.txt"));
	assert_int_equal(mc_proc_parse_cgroup(buf, MC_V1, &p), -1);
	free(buf);
}

/* The path of one hierarchy type in a recorded /proc/PID/cgroup, or NULL
 * when the file has no line for it. */
static char *path_in(const char *name, enum mc_hier_type type)
{
	char *buf = slurp(fixture(name)), *p = NULL;

	if (mc_proc_parse_cgroup(buf, type, &p) < 0)
		p = NULL;
	free(buf);
	return p;
}

static void expect_path(const char *name, enum mc_hier_type type,
			const char *want)
{
	char *p = path_in(name, type);

	if (!want) {
		assert_null(p);
		return;
	}
	assert_non_null(p);
	assert_string_equal(p, want);
	free(p);
}

/* The cgroup2 layouts the guests recorded: MC_V2 takes the 0:: line. */
static void cgroup_v2_recorded(void **state)
{
	(void)state;
	/* 6.1 with cgroup_no_v1=memory, and with cgroup_no_v1=all */
	expect_path("proc-cgroup-6.1-v2-memory.txt", MC_V2, "/tool.slice/A");
	expect_path("proc-cgroup-6.1-v2-memory.txt", MC_V1, NULL);
	expect_path("proc-cgroup-6.1-v2-all.txt", MC_V2, "/tool.slice/A");
	expect_path("proc-cgroup-6.1-v2-all-root.txt", MC_V2, "/");
	/* 6.12, no v1 memory controller at all */
	expect_path("proc-cgroup-6.12-v2-A.txt", MC_V2, "/A");
	expect_path("proc-cgroup-6.12-v2-A.txt", MC_V1, NULL);
	expect_path("proc-cgroup-6.12-v2-root.txt", MC_V2, "/");
	/* inside a cgroup namespace */
	expect_path("proc-cgroup-6.1-v2-cgns.txt", MC_V2, "/");
	expect_path("proc-cgroup-6.1-v2-cgns-inner.txt", MC_V2, "/inner");
	/* the lingering v1 cpu,cpuacct line does not hide the 0:: line */
	expect_path("proc-cgroup-6.1-v2-memory-root-v1cpu-lingering.txt",
		    MC_V2, "/");
}

/* Hybrids: each type reads its own line, whichever comes first. */
static void cgroup_hybrid_recorded(void **state)
{
	(void)state;
	expect_path("proc-cgroup-6.1-hybrid.txt", MC_V2, "/tool.slice/A");
	expect_path("proc-cgroup-6.1-hybrid-root.txt", MC_V1, "/");
	expect_path("proc-cgroup-6.1-hybrid-root.txt", MC_V2, "/");
	expect_path("proc-cgroup-6.1-hybridmin.txt", MC_V1, "/tool/A");
	expect_path("proc-cgroup-6.1-hybridmin.txt", MC_V2, "/tool/A");
	expect_path("proc-cgroup-6.1-hybridmin-root.txt", MC_V1, "/");
	expect_path("proc-cgroup-6.1-hybridmin-root.txt", MC_V2, "/");
}

/* Memory on unified, the other controllers on v1 (docs §9): the v2 path is
 * the 0:: line's, after lines whose hierarchy IDs also start with digits;
 * there is no memory line for v1. Names with spaces stay whole. */
static void cgroup_hybrid_memory_on_unified(void **state)
{
	char *p = NULL;

	(void)state;
	assert_int_equal(mc_proc_parse_cgroup("2:pids:/\n1:cpu,cpuacct:/\n"
					      "0::/A\n", MC_V2, &p), 0);
	assert_string_equal(p, "/A");
	free(p);
	assert_int_equal(mc_proc_parse_cgroup("2:pids:/\n1:cpu,cpuacct:/\n"
					      "0::/A\n", MC_V1, &p), -1);
	assert_int_equal(mc_proc_parse_cgroup("10::/not-v2\n2:pids:/x y\n"
					      "0::/job one/A b\n", MC_V2,
					      &p), 0);
	assert_string_equal(p, "/job one/A b");
	free(p);
	/* no trailing newline */
	assert_int_equal(mc_proc_parse_cgroup("1:name=systemd:/s\n0::/a b",
					      MC_V2, &p), 0);
	assert_string_equal(p, "/a b");
	free(p);
}

static void cgroup_tokens(void **state)
{
	char *p = NULL;

	(void)state;
	assert_int_equal(mc_proc_parse_cgroup("7:memory_x:/no\n5:blkio,memory:/a:b c\n",
					      MC_V1, &p), 0);
	assert_string_equal(p, "/a:b c");
	free(p);
}

/* A thread's status names its process (Tgid) and its PID per namespace:
 * a container's init is 1 in the innermost one. */
static void status_ids(void **state)
{
	struct mc_proc_ids ids;
	const char *thread = "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\n"
			     "Tgid:\t4242\nNgid:\t0\nPid:\t4250\nPPid:\t1\n"
			     "NStgid:\t4242\nNSpid:\t4250\nNSpgid:\t4242\n";
	const char *init = "Name:\tsh\nTgid:\t7001\nPid:\t7001\n"
			   "NSpid:\t7001\t1\nNSpgid:\t7001\t1\n";

	(void)state;
	assert_int_equal(mc_proc_parse_ids(thread, &ids), 0);
	assert_int_equal(ids.tgid, 4242);
	assert_int_equal(ids.nslevels, 1);
	assert_int_equal(ids.nspid, 4250);
	assert_int_equal(mc_proc_parse_ids(init, &ids), 0);
	assert_int_equal(ids.tgid, 7001);
	assert_int_equal(ids.nslevels, 2);
	assert_int_equal(ids.nspid, 1);
	/* no NSpid line (before 4.1): one level */
	assert_int_equal(mc_proc_parse_ids("Tgid:\t9\nPid:\t9\n", &ids), 0);
	assert_int_equal(ids.nslevels, 1);
	assert_int_equal(ids.nspid, 9);
	/* "Tgid" must be a whole key; no Tgid is an error */
	assert_int_equal(mc_proc_parse_ids("XTgid:\t9\n", &ids), -1);
	assert_int_equal(mc_proc_parse_ids("Tgid:\tx\n", &ids), -1);
	assert_int_equal(mc_proc_parse_ids("", &ids), -1);
}

/* The real file of this process: its own thread group, and a thread of it
 * names the same group. */
static void status_of_self(void **state)
{
	struct mc_mounts m = { 0 };
	struct mc_proc_ids ids;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_proc_read_ids(&m, getpid(), &ids, &e), 0);
	assert_int_equal(ids.tgid, getpid());
	assert_int_equal(mc_proc_read_ids(&m, 2147483647, &ids, &e), -1);
	assert_int_equal(e.code, ESRCH);
}

/* status in place of stat: the name with status's two escapes undone
 * (a newline and a backslash), VmRSS in bytes, 0 without an mm. */
static void status_fields(void **state)
{
	struct mc_proc_status st;
	const char *odd = "Name:\ta\\nb\\\\c\\t d\nUmask:\t0022\n"
			  "Tgid:\t77\nPid:\t77\nNSpid:\t77\t1\n"
			  "VmRSS:\t    1234 kB\nRssAnon:\t 1000 kB\n";

	(void)state;
	assert_int_equal(mc_proc_parse_status(odd, &st), 0);
	assert_string_equal(st.comm, "a\nb\\c\\t d");
	assert_int_equal(st.rss, 1234 * 1024);
	assert_int_equal(st.ids.tgid, 77);
	assert_int_equal(st.ids.nslevels, 2);
	assert_int_equal(st.ids.nspid, 1);
	assert_int_equal(mc_proc_parse_status("Name:\tz\nState:\tZ\nTgid:\t5\n",
					      &st), 0);
	assert_string_equal(st.comm, "z");
	assert_int_equal(st.rss, 0);
	assert_int_equal(mc_proc_parse_status("Tgid:\t5\n", &st), -1);
}

/* What a PID's check takes from status where stat is not read: the state
 * letter, the thread count, and the Kthread: line of 6.4 and later (-1
 * where the kernel has none: stat's flags must be read then). */
static void status_check_fields(void **state)
{
	struct mc_proc_status st;

	(void)state;
	assert_int_equal(
	    mc_proc_parse_status("Name:\tkthreadd\nState:\tS (sleeping)\n"
				 "Tgid:\t2\nNSpid:\t2\nKthread:\t1\n"
				 "Threads:\t1\n",
				 &st),
	    0);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.threads, 1);
	assert_int_equal(st.kthread, 1);
	/* 6.1: no Kthread: line; a zombie leader with live threads */
	assert_int_equal(
	    mc_proc_parse_status("Name:\tjava\nState:\tZ (zombie)\n"
				 "Tgid:\t9\nNSpid:\t9\nThreads:\t12\n",
				 &st),
	    0);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.threads, 12);
	assert_int_equal(st.kthread, -1);
	assert_int_equal(mc_proc_parse_status("Name:\tsh\nTgid:\t9\n"
					      "Kthread:\t0\n",
					      &st),
			 0);
	assert_int_equal(st.kthread, 0);
	assert_int_equal(st.state, '?');
}

/* This kernel's own status of a kernel thread (kthreadd, PID 2, where
 * this PID namespace has it) and of this process agree with stat. */
static void status_kthread_matches_stat(void **state)
{
	struct mc_mounts m = { 0 };
	struct mc_proc_status ps;
	struct mc_proc_stat st;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_proc_read_status(&m, getpid(), &ps, &e), 0);
	assert_int_equal(mc_proc_read_stat(&m, getpid(), &st, &e), 0);
	assert_int_equal(ps.state, st.state);
	assert_int_equal(ps.threads, st.threads);
	if (ps.kthread >= 0)
		assert_int_equal(ps.kthread, 0);
	if (mc_proc_read_stat(&m, 2, &st, &e) < 0 ||
	    !(st.flags & MC_PF_KTHREAD))
		return;
	assert_int_equal(mc_proc_read_status(&m, 2, &ps, &e), 0);
	if (ps.kthread >= 0)
		assert_int_equal(ps.kthread, 1);
}

/* A process this one may not signal is there all the same: EPERM from
 * pidfd_send_signal comes only for a process that exists, and moving it
 * needs no right to signal it (root without CAP_KILL, on v1; a delegated
 * user, on v2). As root: a target of another user, checked from a child
 * that dropped CAP_KILL. */
static void pidfd_alive_without_kill_right(void **state)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2];
	pid_t target, checker;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		if (setuid(65534) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	checker = fork();
	assert_true(checker >= 0);
	if (checker == 0) {
		int fd;

		if (syscall(SYS_capget, &hdr, caps) < 0)
			_exit(2);
		caps[CAP_KILL / 32].effective &= ~(1u << (CAP_KILL % 32));
		if (syscall(SYS_capset, &hdr, caps) < 0)
			_exit(2);
		/* the check itself: this child may not signal the target */
		if (kill(target, 0) == 0 || errno != EPERM)
			_exit(3);
		fd = mc_pidfd_open(target);
		_exit(fd >= 0 && mc_pidfd_alive(fd) ? 0 : 1);
	}
	assert_int_equal(waitpid(checker, &status, 0), checker);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A pidfd pins its process: alive while it runs and while it is a zombie
 * nobody reaped (its PID still names it), gone once reaped. */
static void pidfd_pins_process(void **state)
{
	pid_t child;
	int fd, status;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	fd = mc_pidfd_open(child);
	if (fd < 0 && errno == ENOSYS) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		skip();
	}
	assert_true(fd >= 0);
	assert_true(mc_pidfd_alive(fd));
	kill(child, SIGKILL);
	/* a zombie: not reaped yet, the PID is still its own */
	assert_int_equal(waitid(P_PID, (id_t)child, NULL, WEXITED | WNOWAIT),
			 0);
	assert_true(mc_pidfd_alive(fd));
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_false(mc_pidfd_alive(fd));
	close(fd);
}

/* The two files agree on this process: the name, and the resident set
 * within what touching a page between the reads can change. */
static void status_matches_stat(void **state)
{
	struct mc_mounts m = { 0 };
	struct mc_proc_status ps;
	struct mc_proc_stat st;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_proc_read_stat(&m, getpid(), &st, &e), 0);
	assert_int_equal(mc_proc_read_status(&m, getpid(), &ps, &e), 0);
	assert_string_equal(ps.comm, st.comm);
	assert_int_equal(ps.ids.tgid, getpid());
	assert_true(ps.rss + (1 << 20) > st.rss && st.rss + (1 << 20) > ps.rss);
	assert_int_equal(mc_proc_read_status(&m, 2147483647, &ps, &e), -1);
	assert_int_equal(e.code, ESRCH);
}

/* put TEXT into ROOT/REL, making the directories on the way */
static void put(const char *root, const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A process whose leader exited while two threads live: /proc/PID/cgroup
 * reads the root; its cgroup is its live threads' (hardening: --atomic
 * must not take it for a process of the root). */
static void cgroup_of_exited_leader(void **state)
{
	struct mc_mounts m = { 0 };
	char root[] = "/tmp/memcg-proc-XXXXXX", cmd[64];
	char *path = NULL;
	struct mc_error e;
	const char *stat =
		"77 (w) %c 1 77 77 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 %d 0 "
		"1234 0 0 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 "
		"0 0 0 0 0\n";
	char line[256];

	(void)state;
	assert_non_null(mkdtemp(root));
	m.sysroot = root;
	put(root, "proc/77/cgroup", "4:memory:/\n");
	put(root, "proc/77/task/77/cgroup", "4:memory:/\n");
	put(root, "proc/77/task/78/cgroup", "4:memory:/batch\n");
	snprintf(line, sizeof(line), stat, 'Z', 2);
	put(root, "proc/77/stat", line);
	assert_int_equal(mc_proc_read_cgroup(&m, 77, MC_V1, &path, &e), 0);
	assert_string_equal(path, "/batch");
	free(path);
	/* a live leader that is in the root is in the root */
	snprintf(line, sizeof(line), stat, 'S', 2);
	put(root, "proc/77/stat", line);
	assert_int_equal(mc_proc_read_cgroup(&m, 77, MC_V1, &path, &e), 0);
	assert_string_equal(path, "/");
	free(path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pid_parsing),
		cmocka_unit_test(status_ids),
		cmocka_unit_test(status_of_self),
		cmocka_unit_test(status_fields),
		cmocka_unit_test(status_matches_stat),
		cmocka_unit_test(status_check_fields),
		cmocka_unit_test(status_kthread_matches_stat),
		cmocka_unit_test(pidfd_pins_process),
		cmocka_unit_test(pidfd_alive_without_kill_right),
		cmocka_unit_test(cgroup_of_exited_leader),
		cmocka_unit_test(stat_with_odd_comm),
		cmocka_unit_test(stat_kernel_thread),
		cmocka_unit_test(stat_garbage),
		cmocka_unit_test(stat_cut_after_comm),
		cmocka_unit_test(cgroup_lines),
		cmocka_unit_test(cgroup_v2_recorded),
		cmocka_unit_test(cgroup_hybrid_recorded),
		cmocka_unit_test(cgroup_hybrid_memory_on_unified),
		cmocka_unit_test(cgroup_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
