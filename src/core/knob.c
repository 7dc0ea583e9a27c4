/* The charge-moving knob and its crash safety. Before a knob is written, a
 * record (directory, device, inode, old value) goes to a state file named
 * after the cgroup (record.c); it is removed after the restore. A record
 * whose cgroup is not locked belongs to a run that died: the next run
 * restores it, after checking that it names a cgroup. */
#include "core/knob.h"
#include "core/lock.h"
#include "core/record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static const char *const mode_names[] = { "none", "anon", "file", "all" };

int mc_mode_parse(const char *s, bool allow_keep)
{
	for (int i = MC_CHARGE_NONE; i <= MC_CHARGE_ALL; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return allow_keep && !strcmp(s, "keep") ? MC_CHARGE_KEEP : -2;
}

const char *mc_mode_name(int v)
{
	if (v == MC_CHARGE_KEEP)
		return "keep";
	return v >= MC_CHARGE_NONE && v <= MC_CHARGE_ALL ? mode_names[v]
							 : "unknown";
}

static int knob_read_fd(int dfd, const char *dir, int *val, struct mc_error *e)
{
	char what[4200];
	uint64_t v;
	int fd = openat(dfd, MC_KNOB, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	snprintf(what, sizeof(what), "%s/%s", dir, MC_KNOB);
	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s'", what);
	rc = mc_fd_read_u64(fd, &v, what, e);
	close(fd);
	if (rc == 0)
		*val = (int)v;
	return rc;
}

static int knob_write_fd(int dfd, const char *dir, int val,
			 struct mc_error *e)
{
	char digit = (char)('0' + val);
	int fd;

	/* the knob takes 0 to 3; nothing else is ever written */
	if (val < MC_CHARGE_NONE || val > MC_CHARGE_ALL)
		return mc_errx(e, ERANGE, "%d is not a value of %s", val,
			       MC_KNOB);
	fd = openat(dfd, MC_KNOB, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s/%s'", dir, MC_KNOB);
	if (write(fd, &digit, 1) != 1) {
		int err = errno;

		close(fd);
		return mc_err(e, err, "cannot write %d to '%s/%s'", val, dir,
			      MC_KNOB);
	}
	close(fd);
	return 0;
}

int mc_knob_read(const struct mc_cgroup *cg, int *val, struct mc_error *e)
{
	return knob_read_fd(cg->dfd, cg->dir, val, e);
}

int mc_knob_write(const struct mc_cgroup *cg, int val, struct mc_error *e)
{
	return knob_write_fd(cg->dfd, cg->dir, val, e);
}

/* Linux 6.13 and later take only 0 (aa6b4fdf5940, docs §1). */
bool mc_knob_refuses(int val)
{
	static const struct mc_hier v1 = { .type = MC_V1 };
	struct mc_kernel k;
	struct mc_error ignored;

	return val != MC_CHARGE_NONE && mc_kernel_read(&k, NULL, &ignored) == 0 &&
	       mc_charge_cap(&v1, &k) == MC_CAP_NO_REMOVED;
}

const struct mc_ctl_ops mc_real_ops = {
	.knob_read = mc_knob_read,
	.knob_write = mc_knob_write,
	.attach = mc_cgroup_attach,
	.refuses = mc_knob_refuses,
};

/* Why a record cannot be kept, and what the caller can do instead. */
static int no_rundir(const struct mc_cgroup *cg, int val,
		     const struct mc_error *re, struct mc_error *e)
{
	return mc_errx(e, re->code,
		       "%s; memcg keeps the old value of %s of '%s' there "
		       "before it changes it: set MEMCG_RUNDIR to a directory "
		       "of your own, or use --charge %s",
		       re->msg, MC_KNOB, cg->path,
		       val == MC_CHARGE_NONE ? "keep to leave it as it is"
					     : "none to move no charge");
}

/* Record g's old value before the knob changes; *rfd is the run
 * directory, open on success. */
static int record(struct mc_knob_guard *g, int val,
		  const struct mc_ctl_ops *ops, int *rfd, struct mc_error *e)
{
	const struct mc_cgroup *cg = g->cg;
	struct mc_record r = { .dev = cg->dev, .ino = cg->ino, .old = g->old };
	struct mc_error re;
	char name[64];

	/* one record a line: a newline in the path would end it early */
	if (strchr(cg->dir, '\n') || strlen(cg->dir) >= sizeof(r.dir))
		return mc_errx(e, ENAMETOOLONG,
			       "cannot record the %s of '%s': its path has a "
			       "newline or is too long", MC_KNOB, cg->path);
	*rfd = mc_rundir_open(true, &re);
	if (*rfd < 0) {
		/* a kernel that would refuse needs no record (6.13+) */
		if (ops->refuses && ops->refuses(val))
			return mc_errx(e, EINVAL, "the kernel refuses %d", val);
		return no_rundir(cg, val, &re, e);
	}
	strcpy(r.dir, cg->dir);
	mc_record_name(name, sizeof(name), cg->dev, cg->ino);
	snprintf(g->state, sizeof(g->state), "%s/%s", mc_rundir(), name);
	if (mc_record_write(*rfd, name, &r, e) < 0) {
		close(*rfd);
		g->state[0] = '\0';
		return -1;
	}
	return 0;
}

/* Remove g's record; rfd is the run directory or -1 to open it. */
static int drop_record(struct mc_knob_guard *g, int rfd, struct mc_error *e)
{
	char name[64];
	int fd = rfd >= 0 ? rfd : mc_rundir_open(false, e), rc = 0;

	mc_record_name(name, sizeof(name), g->cg->dev, g->cg->ino);
	if (fd < 0 || (unlinkat(fd, name, 0) < 0 && errno != ENOENT))
		rc = fd < 0 ? -1
			    : mc_err(e, errno, "cannot remove '%s'", g->state);
	if (fd >= 0 && fd != rfd)
		close(fd);
	g->state[0] = '\0';
	return rc;
}

int mc_knob_set(struct mc_knob_guard *g, const struct mc_cgroup *cg, int val,
		const struct mc_ctl_ops *ops, struct mc_error *e)
{
	int rfd;

	memset(g, 0, sizeof(*g));
	g->cg = cg;
	if (ops->knob_read(cg, &g->old, e) < 0)
		return -1;
	if (g->old == val)
		return 0;
	if (record(g, val, ops, &rfd, e) < 0)
		return -1;
	if (ops->knob_write(cg, val, e) < 0) {
		drop_record(g, rfd, NULL);
		close(rfd);
		return -1;
	}
	close(rfd);
	g->written = true;
	return 0;
}

int mc_knob_restore(struct mc_knob_guard *g, const struct mc_ctl_ops *ops,
		    struct mc_error *e)
{
	if (!g->written)
		return 0;
	if (ops->knob_write(g->cg, g->old, e) < 0)
		return mc_err_wrap(e, "cannot restore %s of '%s' to %d (the "
				   "record stays in '%s')", MC_KNOB,
				   g->cg->path, g->old, g->state);
	if (mc_knob_forget(g, e) < 0)
		return mc_err_wrap(e, "restored %s of '%s' to %d, but its "
				   "record stays", MC_KNOB, g->cg->path, g->old);
	return 0;
}

int mc_knob_forget(struct mc_knob_guard *g, struct mc_error *e)
{
	g->written = false;
	return g->state[0] ? drop_record(g, -1, e) : 0;
}

/* What the repair of a caller who is not root passes over in silence: no
 * run directory, or one it cannot read (/run/memcg is root's, mode 0700),
 * and root's records in it. Root is told. */
static bool quiet(int err)
{
	return err == ENOENT || (geteuid() != 0 && err == EACCES);
}

static void say(void (*notice)(const char *), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(void (*notice)(const char *), const char *fmt, ...)
{
	char msg[4800];
	va_list ap;

	if (!notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	notice(msg);
}

/* A record with nothing left to restore: removed, and the reason said. */
static int drop_stale(int rfd, const char *name, const struct mc_record *r,
		      const char *why, void (*notice)(const char *),
		      struct mc_error *e)
{
	if (unlinkat(rfd, name, 0) < 0)
		return mc_err(e, errno, "cannot remove '%s/%s'", mc_rundir(),
			      name);
	say(notice, "removed the record '%s/%s': '%s' %s, nothing to restore",
	    mc_rundir(), name, r->dir, why);
	return 0;
}

/* The record's cgroup, checked as any cgroup memcg writes to: a directory
 * on a cgroup v1 filesystem (fs_magic) with the recorded device and inode.
 * 1 with *dfd open, 0 when the record was stale (removed), -1 (kept). */
static int open_target(int rfd, const char *name, const struct mc_record *r,
		       unsigned long fs_magic, int *dfd,
		       void (*notice)(const char *), struct mc_error *e)
{
	int fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs sf;
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return drop_stale(rfd, name, r, "no longer exists", notice, e);
	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s' to restore its %s "
			      "(the record stays in '%s/%s')", r->dir, MC_KNOB,
			      mc_rundir(), name);
	if (fstatfs(fd, &sf) < 0 || (unsigned long)sf.f_type != fs_magic) {
		close(fd);
		return mc_errx(e, EXDEV, "'%s' is not a directory on a cgroup "
			       "v1 filesystem: nothing is written there, and "
			       "the record stays in '%s/%s'", r->dir,
			       mc_rundir(), name);
	}
	if (fstat(fd, &st) < 0 || st.st_dev != r->dev || st.st_ino != r->ino) {
		close(fd);
		return drop_stale(rfd, name, r, "is another cgroup now (its "
				  "device or inode differ)", notice, e);
	}
	*dfd = fd;
	return 1;
}

/* One record: 1 repaired, 0 left alone (its run is alive, or it was
 * stale), -1 error (kept). */
static int repair_one(int rfd, const char *name, unsigned long fs_magic,
		      void (*notice)(const char *), struct mc_error *e)
{
	struct mc_record r;
	int dfd = -1, rc;

	if (mc_record_read(rfd, name, &r, e) < 0)
		return quiet(e->code) ? 0 : -1; /* ENOENT: its run removed it */
	rc = open_target(rfd, name, &r, fs_magic, &dfd, notice, e);
	if (rc <= 0)
		return rc;
	if (mc_lock_fd(dfd) != 0) {
		close(dfd);
		return 0; /* a live run holds it and will restore it */
	}
	rc = knob_write_fd(dfd, r.dir, r.old, e);
	if (rc == 0) {
		unlinkat(rfd, name, 0);
		say(notice, "restored %s of '%s' to %d, left changed by a "
		    "memcg run that was killed", MC_KNOB, r.dir, r.old);
		rc = 1;
	}
	close(dfd); /* releases the lock */
	return rc;
}

/* A .tmp record a killed run left half-written. A live run writes its
 * own under a shared lock on the run directory: only with the exclusive
 * one is a .tmp certainly abandoned. */
static int remove_tmp(int rfd, const char *name, bool *locked,
		      struct mc_error *e)
{
	if (!*locked) {
		if (flock(rfd, LOCK_EX | LOCK_NB) < 0)
			return 0;
		*locked = true;
	}
	if (unlinkat(rfd, name, 0) < 0 && errno != ENOENT)
		return mc_err(e, errno, "cannot remove '%s/%s'", mc_rundir(),
			      name);
	return 0;
}

int mc_knob_repair_fs(unsigned long fs_magic, void (*notice)(const char *),
		      struct mc_error *e)
{
	bool failed = false, locked = false;
	struct mc_error oe;
	int rfd = mc_rundir_open(false, &oe), n = 0, dfd;
	struct dirent *de;
	DIR *d;

	if (rfd < 0)
		return quiet(oe.code) ? 0 : (*e = oe, -1);
	dfd = dup(rfd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		mc_err(e, errno, "cannot read '%s'", mc_rundir());
		if (dfd >= 0)
			close(dfd);
		close(rfd);
		return -1;
	}
	/* every record gets its chance; the first failure is reported */
	while ((de = readdir(d))) {
		struct mc_error re;
		bool tmp;
		int rc;

		if (!mc_record_is_name(de->d_name, &tmp))
			continue;
		rc = tmp ? remove_tmp(rfd, de->d_name, &locked, &re)
			 : repair_one(rfd, de->d_name, fs_magic, notice, &re);
		if (rc < 0 && !failed) {
			*e = re;
			failed = true;
		}
		n += rc > 0;
	}
	closedir(d);
	close(rfd); /* and with it the lock */
	return failed ? -1 : n;
}

int mc_knob_repair(void (*notice)(const char *msg), struct mc_error *e)
{
	return mc_knob_repair_fs(CGROUP_SUPER_MAGIC, notice, e);
}
