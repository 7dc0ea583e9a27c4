/* The move engine's test bench, shared by the tests of the knob and of the
 * engine's files: a fake control-file backend (on 6.13+ the real knob always
 * reads 0, so only a fake one can show that a restore happened) and a
 * fixture sysroot in a temporary directory, whose cgroups are plain
 * directories. Nothing here writes to a real cgroup. */
#ifndef MEMCG_UNIT_ENGINE_H
#define MEMCG_UNIT_ENGINE_H

#include "fixture.h"

#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "core/move.h"

/* --- the fake backend ---------------------------------------------------- */

#define MAXCG 8
static struct {
	const struct mc_cgroup *cg[MAXCG];
	int val[MAXCG];
	int n;
	bool refuse_nonzero;	/* like 6.13+: EINVAL for anything but 0 */
	bool fail_restore;	/* the write back fails */
	int fail_write;		/* every knob write fails: this errno */
	int reads;		/* knob reads (v2 has no knob: none) */
	int writes;
	int records_at_write;	/* state files when the last write came */
	pid_t fail_pid;		/* attach fails for this PID */
	int fail_errno;
	pid_t fail_back_pid;	/* ENOMEM when it is moved back */
	pid_t stop_after;	/* raise SIGTERM after attaching this PID */
	pid_t attached[64];
	int nattached;
	int knob_during_attach;	/* DEST's value while moving */
	/* called after each successful attach: a test's kernel side */
	void (*on_attach)(pid_t pid);
} fake;

static volatile sig_atomic_t stop;
static struct mc_move mv;

/* Entries in the run directory: the knob's state files. */
static inline int state_files(void)
{
	char dir[128];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/run", root);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static inline int *slot(const struct mc_cgroup *cg)
{
	for (int i = 0; i < fake.n; i++)
		if (fake.cg[i] == cg)
			return &fake.val[i];
	assert_true(fake.n < MAXCG);
	fake.cg[fake.n] = cg;
	fake.val[fake.n] = 0;
	return &fake.val[fake.n++];
}

static inline int fake_read(const struct mc_cgroup *cg, int *val,
			    struct mc_error *e)
{
	(void)e;
	fake.reads++;
	*val = *slot(cg);
	return 0;
}

static inline int fake_write(const struct mc_cgroup *cg, int val,
			     struct mc_error *e)
{
	fake.records_at_write = state_files();
	if (fake.fail_write)
		return mc_errx(e, fake.fail_write, "write failed");
	if (fake.refuse_nonzero && val)
		return mc_errx(e, EINVAL, "refused");
	if (fake.fail_restore && fake.writes > 0)
		return mc_errx(e, EIO, "write failed");
	fake.writes++;
	*slot(cg) = val;
	return 0;
}

static inline int fake_attach(int fd, pid_t pid)
{
	(void)fd;
	if (pid == fake.fail_pid)
		return fake.fail_errno;
	for (int i = 0; pid == fake.fail_back_pid && i < fake.nattached; i++)
		if (fake.attached[i] == pid)
			return ENOMEM;
	assert_true(fake.nattached < 64);
	fake.attached[fake.nattached++] = pid;
	fake.knob_during_attach = *slot(&mv.dst);
	if (pid == fake.stop_after)
		stop = SIGTERM;
	if (fake.on_attach)
		fake.on_attach(pid);
	return 0;
}

static const struct mc_ctl_ops fake_ops = { .knob_read = fake_read,
					    .knob_write = fake_write,
					    .attach = fake_attach };

/* --- the notices --------------------------------------------------------- */

/* What the engine said through req.notice (a test sets mv.req.notice to
 * keep_notice), so a test can count warnings. */
#define MAXNOTICES 16
static struct {
	char msg[MAXNOTICES][1024];
	int n;
} said;

static inline void keep_notice(const char *msg)
{
	assert_true(said.n < MAXNOTICES);
	snprintf(said.msg[said.n++], sizeof(said.msg[0]), "%s", msg);
}

/* Notices that contain a and, if given, b. */
static inline int said_with(const char *a, const char *b)
{
	int n = 0;

	for (int i = 0; i < said.n; i++)
		n += strstr(said.msg[i], a) && (!b || strstr(said.msg[i], b));
	return n;
}

/* --- the fixture sysroot ------------------------------------------------- */

/* root/cg/ is the "memory mount", root/proc/ the processes' files,
 * root/run/ the knob's state files. The hierarchy is v1 unless a test
 * switches it to v2 (engine_setup_v2, or hier.type after sysroot_setup). */
static struct mc_hier hier = { .type = MC_V1, .target = "/cg", .root = "/",
			       .memory = true };
static struct mc_mounts mounts = { .h = &hier, .n = 1 };

/* A cgroup handle on the directory root/cg/name (made with its parents),
 * with an empty cgroup.procs; dir is the real path, as the knob's record
 * and the lock need it. On v2 it gets a cgroup.type too: every v2 cgroup
 * but the root has one, and that is how its handle tells it from the root. */
static inline void fake_cgroup(struct mc_cgroup *cg, const char *name)
{
	char dir[128], file[160];
	struct stat st;

	snprintf(file, sizeof(file), "cg/%s/cgroup.procs", name);
	fixture_write(file, "");
	if (hier.type == MC_V2) {
		snprintf(file, sizeof(file), "cg/%s/cgroup.type", name);
		fixture_write(file, "domain\n");
	}
	snprintf(dir, sizeof(dir), "%s/cg/%s", root, name);
	memset(cg, 0, sizeof(*cg));
	cg->hier = &hier;
	snprintf(file, sizeof(file), "/%s", name);
	cg->path = strdup(file);
	cg->rel = strdup(name);
	cg->dir = strdup(dir);
	cg->dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(cg->dfd >= 0);
	assert_int_equal(fstat(cg->dfd, &st), 0);
	cg->ino = st.st_ino;
	cg->dev = st.st_dev;
}

/* The filesystem type of the fixture cgroups, for mc_knob_repair_fs: they
 * are plain directories, where the real repair wants a cgroup filesystem. */
static inline unsigned long fixture_fs(void)
{
	struct statfs sf;

	assert_int_equal(statfs(root, &sf), 0);
	return (unsigned long)sf.f_type;
}

/* proc/PID/cgroup: the process is in the memory cgroup path (v2: the
 * unified hierarchy's "0::" line) */
static inline void proc_in(pid_t pid, const char *path)
{
	char file[64], text[160];

	snprintf(file, sizeof(file), "proc/%d/cgroup", (int)pid);
	snprintf(text, sizeof(text), "%s%s\n",
		 hier.type == MC_V2 ? "0::" : "4:memory:", path);
	fixture_write(file, text);
}

/* proc/PID/stat with the fields the engine reads: comm, state, flags,
 * threads, start time, RSS in pages. */
static inline void proc_stat(pid_t pid, const char *comm, unsigned flags,
			     unsigned long long starttime)
{
	char file[64], text[320];

	snprintf(file, sizeof(file), "proc/%d/stat", (int)pid);
	snprintf(text, sizeof(text),
		 "%d (%s) S 1 %d %d 0 -1 %u 0 0 0 0 0 0 0 0 20 0 1 0 %llu "
		 "1000000 256 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 "
		 "0 0 0 0 0 0\n",
		 (int)pid, comm, (int)pid, (int)pid, flags, starttime);
	fixture_write(file, text);
}

/* A planned record from origin 0 whose process is now in DEST (the
 * rollback checks that). */
static inline void add_rec(pid_t pid)
{
	struct mc_move_rec *r;

	mv.recs = realloc(mv.recs, (mv.nrecs + 1) * sizeof(*r));
	r = &mv.recs[mv.nrecs++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->pidfd = -1;
	r->origin = 0;
	r->status = MC_PLANNED;
	proc_in(pid, "/dst");
}

/* The sysroot alone: the fake reset, root/{cg,proc,run} (run is made by the
 * knob when it records). */
static inline int sysroot_setup(void **state)
{
	char dir[128];

	(void)state;
	memset(&fake, 0, sizeof(fake));
	memset(&said, 0, sizeof(said));
	stop = 0;
	/* hier is shared by the tests of one executable: start from v1 */
	hier.type = MC_V1;
	fixture_tree("unit");
	snprintf(dir, sizeof(dir), "%s/run", root);
	setenv("MEMCG_RUNDIR", dir, 1);
	snprintf(dir, sizeof(dir), "%s/cg", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/proc", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	mounts.sysroot = root;
	return 0;
}

static inline int sysroot_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* A run from /src into /dst on a 6.1 kernel (which moves charge on v1),
 * through the fake backend, with no records yet: both knobs 0. */
static inline int engine_setup_on(void **state, enum mc_hier_type type)
{
	sysroot_setup(state);
	hier.type = type;
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
	return 0;
}

static inline int engine_setup(void **state)
{
	return engine_setup_on(state, MC_V1);
}

/* The same run on a cgroup v2 hierarchy (6.1 booted with
 * cgroup_no_v1=memory): /src and /dst have cgroup.type, the mount's root
 * has none. */
static inline int engine_setup_v2(void **state)
{
	return engine_setup_on(state, MC_V2);
}

static inline int engine_teardown(void **state)
{
	mc_move_free(&mv);
	return sysroot_teardown(state);
}

#endif
