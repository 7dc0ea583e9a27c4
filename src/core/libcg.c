/* libcgroup behind a small interface: initialised lazily, only by commands
 * that use it; its error codes become errno values; its pitfalls stay here
 * (DESIGN, "Dependencies": libcgroup). */
#include "core/libcg.h"

#include <errno.h>
#include <libcgroup.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool tried;
static char *memory_mount;	/* libcgroup's mount of the memory controller */

static bool ready(void)
{
	if (!tried) {
		tried = true;
		/* its default logger writes to stdout: core never prints */
		cgroup_set_logger(NULL, -1, NULL);
		if (cgroup_init() != 0 ||
		    cgroup_get_subsys_mount_point("memory", &memory_mount) != 0)
			memory_mount = NULL;
	}
	return memory_mount != NULL;
}

bool mc_libcg_sees(const struct mc_mounts *m, const struct mc_hier *h)
{
	/* libcgroup reads /proc/mounts itself and takes the first memory
	 * mount: it knows nothing of --sysroot or of --mount choosing
	 * another one (an escaped mount point never matches: the safe way) */
	if (m->sysroot || h->type != MC_V1 || !ready())
		return false;
	return !strcmp(memory_mount, h->target);
}

/* libcgroup's codes are often misleading: ECGROUPUNSUPP is what
 * cgroup_get_procs returns for a cgroup that no longer exists. */
static int lcg_err(struct mc_error *e, int rc, const char *what)
{
	int err = EIO;

	if (rc == ECGOTHER)
		err = cgroup_get_last_errno();
	else if (rc == ECGROUPNOTEXIST || rc == ECGROUPUNSUPP)
		err = ENOENT;
	if (err == ENOENT)
		return mc_errx(e, ENOENT, "%s: no such cgroup", what);
	return mc_errx(e, err, "%s: libcgroup: %s", what, cgroup_strerror(rc));
}

/* "/sys/fs/cgroup/memory/a//b/" -> "a/b"; the mount point itself -> "." */
static const char *rel_of(const char *full, char *buf, size_t len)
{
	const char *p = full + strlen(memory_mount);
	size_t n = 0;

	if (strncmp(full, memory_mount, strlen(memory_mount)))
		p = full;
	for (; *p && n + 1 < len; p++) {
		if (*p == '/' && (n == 0 || buf[n - 1] == '/'))
			continue;
		buf[n++] = *p;
	}
	if (n && buf[n - 1] == '/')
		n--;
	if (!n)
		buf[n++] = '.';
	buf[n] = '\0';
	return buf;
}

static void base_path(const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "/%s", strcmp(rel, ".") ? rel : "");
}

int mc_libcg_walk(const char *rel, mc_libcg_fn fn, void *arg,
		  struct mc_error *e)
{
	char base[PATH_MAX], sub[PATH_MAX];
	struct cgroup_file_info info;
	void *handle = NULL;
	int level = 0, rc, stop = 0;

	if (!ready())
		return mc_errx(e, ENOTSUP, "libcgroup does not see the memory "
			       "hierarchy");
	base_path(rel, base, sizeof(base));
	rc = cgroup_walk_tree_begin("memory", base, 0, &handle, &info, &level);
	while (!rc && !stop) {
		if (info.type == CGROUP_FILE_TYPE_DIR)
			stop = fn(arg, rel_of(info.full_path, sub, sizeof(sub)),
				  e);
		if (!stop)
			rc = cgroup_walk_tree_next(0, &handle, &info, level);
	}
	/* on a failed begin, 2.0 frees the handle and sets it to NULL;
	 * older versions leave it unset, which NULL above covers */
	if (handle)
		cgroup_walk_tree_end(&handle);
	if (stop)
		return stop;
	if (rc != ECGEOF)
		return lcg_err(e, rc, base);
	return 0;
}

int mc_libcg_procs(const char *rel, pid_t **pids, size_t *n,
		   struct mc_error *e)
{
	char name[PATH_MAX];
	int size = 0, rc;

	*pids = NULL;
	*n = 0;
	if (!ready())
		return mc_errx(e, ENOTSUP, "libcgroup does not see the memory "
			       "hierarchy");
	base_path(rel, name, sizeof(name));
	rc = cgroup_get_procs(name, (char *)"memory", pids, &size);
	if (rc) {
		free(*pids);
		*pids = NULL;
		return lcg_err(e, rc, name);
	}
	*n = size > 0 ? (size_t)size : 0;
	return 0;
}
