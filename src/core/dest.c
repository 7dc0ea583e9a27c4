/* What DEST is, beyond its name: cgroup v2's rules for processes (no
 * internal processes where memory is handed down; delegation by the common
 * ancestor) and the systemd units that own cgroups. */
#include "core/dest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static bool has_child(const struct mc_cgroup *cg)
{
	int fd = openat(cg->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	bool found = false;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (de = readdir(d)))
		found = de->d_type == DT_DIR && strcmp(de->d_name, ".") &&
			strcmp(de->d_name, "..");
	closedir(d);
	return found;
}

/* "memory" as a whole word of cgroup.subtree_control */
static bool hands_down_memory(const struct mc_cgroup *cg)
{
	int fd = mc_cgroup_openat(cg, "cgroup.subtree_control", O_RDONLY,
				  &(struct mc_error){0});
	char buf[512], *tok, *save;
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, "memory"))
			return true;
	return false;
}

bool mc_dest_v2_busy(const struct mc_cgroup *dst)
{
	/* the root is exempt from the no-internal-process rule */
	return dst->hier->type == MC_V2 && !dst->is_root &&
	       hands_down_memory(dst) && has_child(dst);
}

/* The longest common ancestor of two hierarchy paths. */
static char *common_ancestor(const char *a, const char *b)
{
	size_t n = 0, last = 0;

	while (a[n] && a[n] == b[n]) {
		if (a[n] == '/')
			last = n;
		n++;
	}
	/* a whole last component in both: "/a" and "/a/b" share "/a" */
	if ((!a[n] || a[n] == '/') && (!b[n] || b[n] == '/'))
		last = n;
	return strndup(a, last ? last : 1);
}

int mc_dest_v2_access(const struct mc_mounts *m, const struct mc_cgroup *src,
		      const struct mc_cgroup *dst, struct mc_error *e)
{
	char *path = common_ancestor(src->path, dst->path);
	struct mc_cgroup cg;
	int rc = 0;

	if (!path)
		return mc_err(e, ENOMEM, "cannot allocate");
	if (mc_cgroup_open(&cg, m, dst->hier, path, 0, e) < 0) {
		/* above the mount's root: the kernel will judge */
		free(path);
		mc_err_clear(e);
		return 0;
	}
	if (faccessat(cg.dfd, "cgroup.procs", W_OK, AT_EACCESS) < 0 &&
	    errno == EACCES)
		rc = mc_errx(e, EACCES,
			     "cannot write '%s/cgroup.procs': cgroup v2 moves a "
			     "process only for a writer of the common ancestor "
			     "'%s' of its cgroup and the destination",
			     cg.dir, cg.path);
	mc_cgroup_close(&cg);
	free(path);
	return rc;
}

const char *mc_dest_v2_why(int err, const struct mc_cgroup *dst, char *buf,
			   size_t len)
{
	if (dst->hier->type != MC_V2)
		return NULL;
	if (err == EBUSY)
		snprintf(buf, len,
			 "'%s' has child cgroups and hands them the memory "
			 "controller (cgroup.subtree_control): cgroup v2 keeps "
			 "processes out of such a cgroup", dst->path);
	else if (err == EACCES)
		snprintf(buf, len,
			 "permission denied: cgroup v2 moves a process only "
			 "for a writer of the cgroup.procs of the common "
			 "ancestor of its cgroup and '%s'", dst->path);
	else
		return NULL;
	return buf;
}

static bool unit_suffix(const char *name, size_t n, bool slice)
{
	static const char *const sfx[] = { ".service", ".scope", ".slice" };

	for (size_t i = 0; i < (slice ? 3u : 2u); i++) {
		size_t k = strlen(sfx[i]);

		if (n > k && !strncmp(name + n - k, sfx[i], k))
			return true;
	}
	return false;
}

/* The path of the deepest unit cgroup of path ("/a.slice/b.service/x" ->
 * "/a.slice/b.service"), or NULL. */
static char *unit_of(const char *path, bool slice)
{
	size_t end = 0;

	for (const char *p = path; *p;) {
		const char *c = p + 1, *q = c + strcspn(c, "/");

		if (unit_suffix(c, (size_t)(q - c), slice))
			end = (size_t)(q - path);
		p = q;
	}
	return end ? strndup(path, end) : NULL;
}

bool mc_dest_unit_warning(const struct mc_mounts *m,
			  const struct mc_cgroup *dst, char *buf, size_t len)
{
	bool v2 = dst->hier->type == MC_V2;
	char *unit = unit_of(dst->path, !v2);
	struct mc_cgroup cg;
	struct mc_error ignored;
	bool warn = unit != NULL;

	/* v2: systemd marks a unit it delegated with trusted.delegate */
	if (unit && v2 && mc_cgroup_open(&cg, m, dst->hier, unit, 0,
					 &ignored) == 0) {
		warn = fgetxattr(cg.dfd, "trusted.delegate", NULL, 0) < 0;
		mc_cgroup_close(&cg);
	}
	if (warn)
		snprintf(buf, len,
			 "'%s' is inside the systemd unit '%s'%s: systemd may "
			 "move the process back or fight over the cgroup",
			 dst->path, unit, v2 ? ", which is not delegated" : "");
	free(unit);
	return warn;
}
