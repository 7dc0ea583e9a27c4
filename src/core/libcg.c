/* libcgroup in its one role, move --also (DESIGN, "libcgroup's one job"):
 * initialised lazily, only when --also is given; its error codes become
 * errno values here; its pitfalls stay here. */
#include "core/libcg.h"

#include <errno.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* A hierarchy as libcgroup sees it: the first mount of its controllers in
 * /proc/mounts (libcgroup ignores the others and mount roots). */
struct hier {
	char *names;		/* its controllers, "cpu,cpuacct" */
	char *ctl;		/* the first one, which names it to libcgroup */
	char *mount;
	bool v1, memory;
};

struct hiers {
	struct hier *v;
	size_t n;
};

struct mc_also {
	struct hiers all;	/* every mounted one */
	struct hier **v;	/* the ones chosen, in the order of LIST */
	size_t n;
	char *path;		/* the cgroup, as a hierarchy path */
	char *names;		/* mc_also_names */
	char *done;		/* the last move's hierarchies */
};

/* libcgroup's codes as errno values. Its v1 attach opens "tasks" and turns
 * every errno but EPERM and ENOENT into ECGROUPNOTALLOWED: EACCES is the
 * likeliest of them. */
static int lcg_errno(int rc)
{
	switch (rc) {
	case ECGOTHER:
		return cgroup_get_last_errno() ? cgroup_get_last_errno() : EIO;
	case ECGROUPNOTEXIST:
		return ENOENT;
	case ECGROUPNOTOWNER:
		return EPERM;
	case ECGROUPNOTALLOWED:
		return EACCES;
	case ECGROUPNOTMOUNTED:
	case ECGROUPSUBSYSNOTMOUNTED:
		return ENODEV;
	case ECGINVAL:
		return EINVAL;
	default:
		return EIO;
	}
}

static int ready(struct mc_error *e)
{
	static int rc = -1;

	if (rc < 0) {
		/* its default logger writes to stderr: core never prints */
		cgroup_set_logger(NULL, -1, NULL);
		rc = cgroup_init();
	}
	if (rc)
		return mc_errx(e, lcg_errno(rc),
			       "--also: libcgroup cannot start: %s",
			       strerror(lcg_errno(rc)));
	return 0;
}

static void free_hiers(struct hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		free(hs->v[i].names);
		free(hs->v[i].ctl);
		free(hs->v[i].mount);
	}
	free(hs->v);
	memset(hs, 0, sizeof(*hs));
}

static struct hier *find_mount(struct hiers *hs, const char *mount)
{
	for (size_t i = 0; i < hs->n; i++)
		if (!strcmp(hs->v[i].mount, mount))
			return &hs->v[i];
	return NULL;
}

static struct hier *new_hier(struct hiers *hs, const char *mount)
{
	struct hier *nv = realloc(hs->v, (hs->n + 1) * sizeof(*nv));
	struct statfs sf;
	struct hier *h;

	if (!nv)
		return NULL;
	hs->v = nv;
	h = memset(&nv[hs->n], 0, sizeof(*h));
	h->mount = strdup(mount);
	h->names = strdup("");
	if (!h->mount || !h->names) {
		free(h->mount);
		free(h->names);
		return NULL;
	}
	/* libcgroup also lists controllers of a cgroup2 mount */
	h->v1 = statfs(mount, &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC;
	hs->n++;
	return h;
}

/* One more controller of the hierarchy mounted at mount. */
static int add_ctl(struct hiers *hs, const char *name, const char *mount)
{
	struct hier *h = find_mount(hs, mount);
	char *names;

	if (!h && !(h = new_hier(hs, mount)))
		return -1;
	names = malloc(strlen(h->names) + strlen(name) + 2);
	if (!names)
		return -1;
	sprintf(names, "%s%s%s", h->names, *h->names ? "," : "", name);
	free(h->names);
	h->names = names;
	if (!h->ctl && !(h->ctl = strdup(name)))
		return -1;
	h->memory |= !strcmp(name, "memory");
	return 0;
}

/* Every mounted controller libcgroup knows, by hierarchy. */
static int load_hiers(struct hiers *hs, struct mc_error *e)
{
	struct cgroup_mount_point info;
	void *it = NULL;
	int rc;

	for (rc = cgroup_get_controller_begin(&it, &info); !rc;
	     rc = cgroup_get_controller_next(&it, &info))
		if (add_ctl(hs, info.name, info.path) < 0) {
			cgroup_get_controller_end(&it);
			return mc_err(e, ENOMEM, "cannot allocate");
		}
	if (it)
		cgroup_get_controller_end(&it);
	if (rc != ECGEOF)
		return mc_errx(e, lcg_errno(rc), "--also: cannot list the "
			       "mounted controllers: %s",
			       strerror(lcg_errno(rc)));
	return 0;
}

/* A controller name as libcgroup and /proc/cgroups spell them. */
static bool good_name(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_", s[i]))
			return false;
	return true;
}

/* The syntax alone, before libcgroup is started. */
static int check_syntax(const char *list, struct mc_error *e)
{
	const char *p = list;

	if (!strcmp(list, "*"))
		return 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (!good_name(p, n))
			return mc_errx(e, EINVAL, "--also: '%s' is not a list "
				       "of controllers (\"cpu,blkio\") or \"*\"",
				       list);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static bool has_ctl(const struct hier *h, const char *name, size_t n)
{
	for (const char *p = h->names; *p; p += strcspn(p, ","),
			p += *p == ',') {
		if (strcspn(p, ",") == n && !strncmp(p, name, n))
			return true;
	}
	return false;
}

/* The hierarchy of one name of the list, or NULL with EINVAL and why. */
static struct hier *find_ctl(struct hiers *all, const char *name, size_t n,
			     struct mc_error *e)
{
	for (size_t i = 0; i < all->n; i++) {
		struct hier *h = &all->v[i];

		if (!has_ctl(h, name, n))
			continue;
		if (!h->v1)
			return mc_errx(e, EINVAL, "--also: '%.*s' is on cgroup "
				       "v2 here ('%s'), not a v1 hierarchy",
				       (int)n, name, h->mount), NULL;
		if (h->memory)
			return mc_errx(e, EINVAL, "--also: '%.*s' is the memory "
				       "hierarchy, which the move itself "
				       "changes", (int)n, name), NULL;
		return h;
	}
	return mc_errx(e, EINVAL, "--also: '%.*s' is not a mounted cgroup v1 "
		       "hierarchy", (int)n, name), NULL;
}

/* Choose h (once: two names of one hierarchy move the process once). */
static int take(struct mc_also *a, struct hier *h, struct mc_error *e)
{
	struct hier **nv;

	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == h)
			return 0;
	nv = realloc(a->v, (a->n + 1) * sizeof(*nv));
	if (!nv)
		return mc_err(e, ENOMEM, "cannot allocate");
	a->v = nv;
	a->v[a->n++] = h;
	return 0;
}

static int choose(struct mc_also *a, const char *list, struct mc_error *e)
{
	struct hiers *all = &a->all;
	const char *p = list;

	if (!strcmp(list, "*")) {
		for (size_t i = 0; i < all->n; i++)
			if (all->v[i].v1 && !all->v[i].memory &&
			    take(a, &all->v[i], e) < 0)
				return -1;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		struct hier *h = find_ctl(all, p, n, e);

		if (!h || take(a, h, e) < 0)
			return -1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The cgroup exists in each hierarchy, and its path fits libcgroup's
 * FILENAME_MAX buffers (longer ones it truncates or aborts on). */
static int check_paths(struct mc_also *a, struct mc_error *e)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct hier *h = a->v[i];
		size_t len = strlen(h->mount) + strlen(a->path);
		struct stat st;
		char *dir;
		int err;

		if (len + sizeof("/cgroup.procs") > FILENAME_MAX)
			return mc_errx(e, ENAMETOOLONG, "--also: %s: the path of "
				       "'%s' is longer than libcgroup takes",
				       h->names, a->path);
		dir = malloc(len + 1);
		if (!dir)
			return mc_err(e, ENOMEM, "cannot allocate");
		sprintf(dir, "%s%s", h->mount, a->path);
		err = stat(dir, &st) < 0 ? errno
		      : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
		free(dir);
		if (err == ENOENT)
			return mc_errx(e, ENOENT, "--also: %s: no cgroup '%s' "
				       "(under '%s')", h->names, a->path,
				       h->mount);
		if (err)
			return mc_errx(e, err, "--also: %s: cgroup '%s' (under "
				       "'%s'): %s", h->names, a->path, h->mount,
				       strerror(err));
	}
	return 0;
}

/* "a,b,c" of the hierarchies chosen, into a->names; a->done gets room. */
static int join_names(struct mc_also *a, struct mc_error *e)
{
	size_t len = 1;

	for (size_t i = 0; i < a->n; i++)
		len += strlen(a->v[i]->names) + 1;
	a->names = calloc(1, len);
	a->done = calloc(1, len);
	if (!a->names || !a->done)
		return mc_err(e, ENOMEM, "cannot allocate");
	for (size_t i = 0; i < a->n; i++)
		sprintf(a->names + strlen(a->names), "%s%s", i ? "," : "",
			a->v[i]->names);
	return 0;
}

int mc_also_open(struct mc_also **also, const char *list, const char *path,
		 struct mc_error *e)
{
	struct mc_also *a;

	*also = NULL;
	if (check_syntax(list, e) < 0)
		return -1;
	a = calloc(1, sizeof(*a));
	if (!a)
		return mc_err(e, ENOMEM, "cannot allocate");
	/* "/" is the hierarchy's root: libcgroup wants "" or "/" alike */
	a->path = strdup(strcmp(path, "/") ? path : "");
	if (!a->path) {
		mc_err(e, ENOMEM, "cannot allocate");
		goto fail;
	}
	if (ready(e) < 0 || load_hiers(&a->all, e) < 0 ||
	    choose(a, list, e) < 0 || check_paths(a, e) < 0 ||
	    join_names(a, e) < 0)
		goto fail;
	if (!a->n) {
		mc_errx(e, EINVAL, "--also: '*' found no mounted cgroup v1 "
			"hierarchy besides the memory one");
		goto fail;
	}
	*also = a;
	return 0;
fail:
	mc_also_free(a);
	return -1;
}

const char *mc_also_names(const struct mc_also *also)
{
	return also->names;
}

static bool process_exists(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* libcgroup writes the leader, then each thread it lists, to the tasks
 * file, and stops at the first thread that fails: one that exits meanwhile
 * (ESRCH) would leave the threads after it behind. Writing a thread twice
 * is harmless, so a process still there is tried again, a few times. */
static int move_into(const struct hier *h, const char *path, pid_t pid)
{
	const char *ctl[] = { h->ctl, NULL };
	int err = 0;

	for (int tries = 0; tries < 4; tries++) {
		int rc = cgroup_change_cgroup_path(path, pid, ctl);

		if (!rc)
			return 0;
		/* a leader gone before its write reads ESRCH, after it the
		 * listing of its threads ENOENT */
		if (!process_exists(pid))
			return ESRCH;
		err = lcg_errno(rc);
		if (err != ESRCH)
			break;
	}
	return err;
}

/* "cpu (Permission denied), blkio (...)" */
static void add_failure(char *msg, size_t len, const struct hier *h, int err)
{
	/* the kernel's answer to a cpuset that has no CPUs or memory nodes */
	bool empty = err == ENOSPC && has_ctl(h, "cpuset", 6);
	size_t n = strlen(msg);

	snprintf(msg + n, len - n, "%s%s (%s%s)", n ? ", " : "", h->names,
		 strerror(err),
		 empty ? ": its cpuset.cpus or cpuset.mems is empty" : "");
}

int mc_also_move(struct mc_also *a, pid_t pid, const char **done,
		 struct mc_error *e)
{
	char msg[sizeof(e->msg)] = "";
	int first = 0;

	a->done[0] = '\0';
	*done = a->done;
	for (size_t i = 0; i < a->n; i++) {
		int err = move_into(a->v[i], a->path, pid);

		/* gone: no other hierarchy can take it either */
		if (err == ESRCH)
			return mc_errx(e, ESRCH, "process %d exited",
				       (int)pid);
		if (!err) {
			sprintf(a->done + strlen(a->done), "%s%s",
				*a->done ? "," : "", a->v[i]->names);
			continue;
		}
		if (!first)
			first = err;
		add_failure(msg, sizeof(msg), a->v[i], err);
	}
	if (first)
		return mc_errx(e, first, "cannot move %d into '%s' of %s",
			       (int)pid, *a->path ? a->path : "/", msg);
	return 0;
}

void mc_also_free(struct mc_also *a)
{
	if (!a)
		return;
	free_hiers(&a->all);
	free(a->v);
	free(a->path);
	free(a->names);
	free(a->done);
	free(a);
}
