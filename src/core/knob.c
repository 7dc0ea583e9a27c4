/* The charge-moving knob and its crash safety. Before a knob is written, a
 * record (directory, device, inode, old value) goes to a state file named
 * after the cgroup; it is removed after the restore. A record whose cgroup is
 * not locked belongs to a run that died: the next run restores it. */
#include "core/knob.h"
#include "core/lock.h"
#include "core/size.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	char buf[4];
	int fd = openat(dfd, MC_KNOB, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%d", val);

	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s/%s'", dir, MC_KNOB);
	if (write(fd, buf, (size_t)len) != len) {
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

const struct mc_ctl_ops mc_real_ops = {
	.knob_read = mc_knob_read,
	.knob_write = mc_knob_write,
	.attach = mc_cgroup_attach,
};

const char *mc_rundir(void)
{
	const char *d = getenv("MEMCG_RUNDIR");

	return d && *d ? d : "/run/memcg";
}

static int write_state(struct mc_knob_guard *g, struct mc_error *e)
{
	const struct mc_cgroup *cg = g->cg;
	char tmp[4300];
	FILE *f;

	if (mkdir(mc_rundir(), 0700) < 0 && errno != EEXIST)
		return mc_err(e, errno, "cannot create '%s'", mc_rundir());
	snprintf(g->state, sizeof(g->state), "%s/knob-%llu-%llu", mc_rundir(),
		 (unsigned long long)cg->dev, (unsigned long long)cg->ino);
	snprintf(tmp, sizeof(tmp), "%s.tmp", g->state);
	f = fopen(tmp, "we");
	if (!f)
		return mc_err(e, errno, "cannot create '%s'", tmp);
	fprintf(f, "dir=%s\ndev=%llu\nino=%llu\nold=%d\n", cg->dir,
		(unsigned long long)cg->dev, (unsigned long long)cg->ino,
		g->old);
	/* the record must be on disk before the knob changes */
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		int err = errno;

		fclose(f);
		unlink(tmp);
		return mc_err(e, err, "cannot write '%s'", tmp);
	}
	fclose(f);
	if (rename(tmp, g->state) < 0) {
		int err = errno;

		unlink(tmp);
		return mc_err(e, err, "cannot create '%s'", g->state);
	}
	return 0;
}

int mc_knob_set(struct mc_knob_guard *g, const struct mc_cgroup *cg, int val,
		const struct mc_ctl_ops *ops, struct mc_error *e)
{
	memset(g, 0, sizeof(*g));
	g->cg = cg;
	if (ops->knob_read(cg, &g->old, e) < 0)
		return -1;
	if (g->old == val)
		return 0;
	if (write_state(g, e) < 0)
		return -1;
	if (ops->knob_write(cg, val, e) < 0) {
		unlink(g->state);
		g->state[0] = '\0';
		return -1;
	}
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
	g->written = false;
	unlink(g->state);
	g->state[0] = '\0';
	return 0;
}

struct state_rec {
	char dir[4096];
	unsigned long long dev, ino;
	int old;
};

static int parse_state(const char *path, struct state_rec *r)
{
	FILE *f = fopen(path, "re");
	char line[4200];
	int got = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "dir=", 4))
			got |= 1, snprintf(r->dir, sizeof(r->dir), "%s", line + 4);
		else if (sscanf(line, "dev=%llu", &r->dev) == 1)
			got |= 2;
		else if (sscanf(line, "ino=%llu", &r->ino) == 1)
			got |= 4;
		else if (sscanf(line, "old=%d", &r->old) == 1)
			got |= 8;
	}
	fclose(f);
	return got == 15 ? 0 : -1;
}

/* One record: 1 repaired, 0 left alone (its run is alive), -1 error. */
static int repair_one(const char *path, void (*notice)(const char *),
		      struct mc_error *e)
{
	struct state_rec r;
	struct stat st;
	char msg[4600];
	int dfd, rc = 0;

	if (parse_state(path, &r) < 0) {
		unlink(path);
		return 0;
	}
	dfd = open(r.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno != ENOENT)
		return mc_err(e, errno, "cannot open '%s' to restore its %s "
			      "(the record stays in '%s')", r.dir, MC_KNOB,
			      path);
	if (dfd < 0 || fstat(dfd, &st) < 0 || st.st_ino != r.ino ||
	    st.st_dev != r.dev) {
		/* the cgroup is gone (or is another one now): nothing to fix */
		if (dfd >= 0)
			close(dfd);
		unlink(path);
		return 0;
	}
	if (mc_lock_fd(dfd) != 0) {
		close(dfd);
		return 0; /* a live run holds it and will restore it */
	}
	if (knob_write_fd(dfd, r.dir, r.old, e) == 0) {
		unlink(path);
		snprintf(msg, sizeof(msg),
			 "restored %s of '%s' to %d, left changed by a memcg "
			 "run that was killed", MC_KNOB, r.dir, r.old);
		if (notice)
			notice(msg);
		rc = 1;
	} else {
		rc = -1;
	}
	close(dfd); /* releases the lock */
	return rc;
}

int mc_knob_repair(void (*notice)(const char *msg), struct mc_error *e)
{
	DIR *d = opendir(mc_rundir());
	struct dirent *de;
	bool failed = false;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0
				       : mc_err(e, errno, "cannot open '%s'",
						mc_rundir());
	/* every record gets its chance; the first failure is reported */
	while ((de = readdir(d))) {
		struct mc_error re;
		char path[4400];
		int rc;

		if (strncmp(de->d_name, "knob-", 5) || strstr(de->d_name, ".tmp"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", mc_rundir(), de->d_name);
		rc = repair_one(path, notice, &re);
		if (rc < 0 && !failed) {
			*e = re;
			failed = true;
		}
		n += rc > 0;
	}
	closedir(d);
	return failed ? -1 : n;
}
