/* Cgroup names and handles. Writes go through directory descriptors that were
 * resolved beneath the mount point without following symlinks and checked to
 * be on a cgroup filesystem, never through a path that could be swapped. */
#include "core/cgroup.h"
#include "core/size.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

/* Normalise "a//b/./c/" to "/a/b/c" ("/" for the root); refuse "..". */
static int normalise(const char *in, char **out, struct mc_error *e)
{
	size_t len = strlen(in);
	char *buf = malloc(len + 2), *o = buf;
	const char *p = in;

	if (!buf)
		return mc_err(e, ENOMEM, "cannot allocate");
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && !strncmp(p, "..", 2)) {
			free(buf);
			return mc_errx(e, EINVAL,
				       "'%s': '..' is not allowed in a cgroup "
				       "name", in);
		}
		if (!(n == 1 && *p == '.')) {
			*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == buf)
		*o++ = '/';
	*o = '\0';
	*out = buf;
	return 0;
}

/* If path equals prefix or continues it with '/', return the rest ("" or
 * "/x"), else NULL. */
static const char *under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1 && prefix[0] == '/')
		return path;
	if (strncmp(path, prefix, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path + n;
}

bool mc_path_is_ancestor(const char *a, const char *b)
{
	return under(b, a) != NULL;
}

int mc_cgroup_rel_of(const struct mc_hier *h, const char *hpath, char **rel,
		     struct mc_error *e)
{
	const char *rest = under(hpath, h->root);

	if (!rest)
		return mc_errx(e, EXDEV,
			       "cgroup '%s' is outside the part of the "
			       "hierarchy mounted at '%s' (mount root '%s')",
			       hpath, h->target, h->root);
	while (*rest == '/')
		rest++;
	*rel = strdup(*rest ? rest : ".");
	return *rel ? 0 : mc_err(e, ENOMEM, "cannot allocate");
}

/* A name under another cgroup mount names a cgroup of another controller. */
static int other_mount(const struct mc_mounts *m, const struct mc_hier *h,
		       const char *norm, const char *name, struct mc_error *e)
{
	for (size_t i = 0; m && i < m->n; i++) {
		const struct mc_hier *o = &m->h[i];

		if (o == h || !strcmp(o->target, h->target) ||
		    !under(norm, o->target))
			continue;
		if (o->type == MC_V1 && o->memory)
			return mc_errx(e, EINVAL,
				       "'%s' is under '%s', another mount of "
				       "the memory hierarchy; name it by its "
				       "path in the hierarchy or choose that "
				       "mount with --mount",
				       name, o->target);
		if (o->type == MC_V2 && o->memory)
			return mc_errx(e, EINVAL,
				       "'%s' is in the cgroup v2 hierarchy "
				       "mounted at '%s'; memcg moves processes "
				       "in the v1 memory hierarchy at '%s'",
				       name, o->target, h->target);
		return mc_errx(e, EINVAL,
			       "'%s' is in the cgroup hierarchy mounted at "
			       "'%s', which has no memory controller",
			       name, o->target);
	}
	return 0;
}

int mc_cgroup_parse_name(const struct mc_mounts *m, const struct mc_hier *h,
			 const char *name, char **hpath, char **rel,
			 struct mc_error *e)
{
	const char *colon = strchr(name, ':'), *path = name;
	char *norm = NULL, *hp = NULL;
	const char *rest;
	int rc = -1;

	if (!*name)
		return mc_errx(e, EINVAL, "empty cgroup name");
	/* libcgroup's "controller:path" splits at the first colon */
	if (colon && name[0] != '/') {
		if (colon - name != 6 || strncmp(name, "memory", 6))
			return mc_errx(e, EINVAL,
				       "'%s': only the memory controller is "
				       "supported", name);
		path = colon + 1;
		if (!*path)
			return mc_errx(e, EINVAL, "'%s': no cgroup path", name);
	}
	if (normalise(path, &norm, e) < 0)
		return -1;
	rest = path == name && name[0] == '/' ? under(norm, h->target) : NULL;
	if (rest && strcmp(h->target, "/")) {
		/* a filesystem path: the hierarchy path is the mount's root
		 * joined with what follows the mount point */
		size_t n = strlen(h->root) + strlen(rest) + 2;

		hp = malloc(n);
		if (!hp) {
			mc_err(e, ENOMEM, "cannot allocate");
			goto out;
		}
		snprintf(hp, n, "%s%s", strcmp(h->root, "/") ? h->root : "",
			 rest);
		if (!*hp)
			strcpy(hp, "/");
	} else {
		if (path == name && other_mount(m, h, norm, name, e) < 0)
			goto out;
		hp = norm;
		norm = NULL;
	}
	if (mc_cgroup_rel_of(h, hp, rel, e) < 0)
		goto out;
	*hpath = hp;
	hp = NULL;
	rc = 0;
out:
	free(norm);
	free(hp);
	return rc;
}

/* An O_RDONLY descriptor of the directory an O_PATH descriptor names. */
static int open_dir_of(int pathfd)
{
	return openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static long do_openat2(int dfd, const char *path, struct open_how *how)
{
	return syscall(SYS_openat2, dfd, path, how, sizeof(*how));
}

/* Fallback for kernels before 5.6 (or a seccomp filter that refuses
 * openat2): one component at a time, O_NOFOLLOW, and every directory on the
 * mount's own device, as RESOLVE_NO_XDEV would have it. */
static int walk_nofollow(int mfd, const char *rel)
{
	char *copy = strdup(rel), *save = NULL;
	int fd = open_dir_of(mfd);
	struct stat mst, st;

	if (fd >= 0 && fstat(fd, &mst) < 0) {
		close(fd);
		fd = -1;
	}

	if (!copy || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (char *c = strtok_r(copy, "/", &save); c && fd >= 0;
	     c = strtok_r(NULL, "/", &save)) {
		int nfd = openat(fd, c,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;

		/* O_NOFOLLOW with O_DIRECTORY reports a link to a directory
		 * as ENOTDIR; it is a link, as openat2 would say (ELOOP) */
		if (nfd < 0 && saved == ENOTDIR &&
		    fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			saved = ELOOP;

		if (nfd >= 0 && (fstat(nfd, &st) < 0 || st.st_dev != mst.st_dev)) {
			close(nfd);
			nfd = -1;
			saved = EXDEV;
		}
		close(fd);
		fd = nfd;
		errno = saved;
	}
	free(copy);
	return fd;
}

static int open_beneath(int mfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = do_openat2(mfd, rel, &how);

	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		return walk_nofollow(mfd, rel);
	return (int)fd;
}

/* The filesystem of the hierarchy's type: a v1 memory hierarchy is never
 * on cgroup2, and the reverse. */
static bool on_cgroupfs(int fd, enum mc_hier_type type)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 &&
	       sf.f_type == (type == MC_V2 ? CGROUP2_SUPER_MAGIC
					   : CGROUP_SUPER_MAGIC);
}

static int open_dir(struct mc_cgroup *cg, const struct mc_mounts *m,
		    int flags, struct mc_error *e)
{
	char mp[4096];
	struct stat st;
	int mfd;

	mc_sysroot_path(m, mp, sizeof(mp), cg->hier->target);
	mfd = open(mp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return mc_err(e, errno, "cannot open mount point '%s'", mp);
	if ((flags & MC_CG_WRITE) && !on_cgroupfs(mfd, cg->hier->type)) {
		close(mfd);
		return mc_errx(e, EXDEV, "'%s' is not a cgroup filesystem",
			       mp);
	}
	cg->dfd = open_beneath(mfd, cg->rel);
	if (cg->dfd < 0) {
		int err = errno;

		close(mfd);
		if (err == ENOENT)
			return mc_errx(e, ENOENT,
				       "cgroup '%s' does not exist (no '%s')",
				       cg->path, cg->dir);
		if (err == ELOOP || err == EXDEV)
			return mc_errx(e, err,
				       "'%s' leaves the memory hierarchy "
				       "(a symbolic link or another "
				       "filesystem)", cg->dir);
		return mc_err(e, err, "cannot open cgroup '%s'", cg->dir);
	}
	close(mfd);
	if ((flags & MC_CG_WRITE) && !on_cgroupfs(cg->dfd, cg->hier->type))
		return mc_errx(e, EXDEV, "'%s' is not on a cgroup filesystem",
			       cg->dir);
	if (fstat(cg->dfd, &st) < 0)
		return mc_err(e, errno, "cannot stat '%s'", cg->dir);
	cg->ino = st.st_ino;
	cg->dev = st.st_dev;
	/* v1: only the real root has cgroup.sane_behavior; v2: every cgroup
	 * but the root has cgroup.type. "/" may be a cgroup namespace's root,
	 * whose counters are ordinary */
	if (cg->hier->type == MC_V2)
		cg->is_root = faccessat(cg->dfd, "cgroup.type", F_OK,
					AT_SYMLINK_NOFOLLOW) != 0;
	else
		cg->is_root = faccessat(cg->dfd, "cgroup.sane_behavior", F_OK,
					AT_SYMLINK_NOFOLLOW) == 0;
	return 0;
}

int mc_cgroup_open(struct mc_cgroup *cg, const struct mc_mounts *m,
		   const struct mc_hier *h, const char *name, int flags,
		   struct mc_error *e)
{
	size_t n;

	memset(cg, 0, sizeof(*cg));
	cg->dfd = -1;
	cg->hier = h;
	if ((flags & MC_CG_WRITE) && m->sysroot)
		return mc_errx(e, EINVAL,
			       "--sysroot is for reading; it cannot be used "
			       "to change cgroups");
	if (mc_cgroup_parse_name(m, h, name, &cg->path, &cg->rel, e) < 0)
		return -1;
	n = strlen(h->target) + strlen(cg->rel) + 2;
	cg->dir = malloc(n);
	if (!cg->dir)
		goto nomem;
	if (!strcmp(cg->rel, "."))
		snprintf(cg->dir, n, "%s", h->target);
	else
		snprintf(cg->dir, n, "%s%s%s", h->target,
			 strcmp(h->target, "/") ? "/" : "", cg->rel);
	if (open_dir(cg, m, flags, e) < 0) {
		mc_cgroup_close(cg);
		return -1;
	}
	return 0;
nomem:
	mc_cgroup_close(cg);
	return mc_err(e, ENOMEM, "cannot allocate");
}

void mc_cgroup_close(struct mc_cgroup *cg)
{
	if (cg->dfd >= 0)
		close(cg->dfd);
	free(cg->path);
	free(cg->rel);
	free(cg->dir);
	memset(cg, 0, sizeof(*cg));
	cg->dfd = -1;
}

int mc_cgroup_openat(const struct mc_cgroup *cg, const char *file, int oflags,
		     struct mc_error *e)
{
	int fd = openat(cg->dfd, file, oflags | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s/%s'", cg->dir, file);
	return fd;
}

int mc_cgroup_attach(int procs_fd, pid_t pid)
{
	char buf[24];
	size_t len = mc_fmt_i64(buf, pid);

	/* one write() per process: the kernel moves the whole thread group
	 * and, on v1 before 6.13, its charge (docs §2.2) */
	if (write(procs_fd, buf, len) == (ssize_t)len)
		return 0;
	return errno ? errno : EIO;
}

int mc_fd_read_u64(int fd, uint64_t *v, const char *what, struct mc_error *e)
{
	char buf[64], *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return mc_err(e, errno, "cannot read '%s'", what);
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	/* EBADMSG, not EINVAL: callers read EINVAL as the kernel's refusal.
	 * strtoull takes blanks and a sign ("-1" is 2^64 - 1); the kernel
	 * prints neither, so the first byte must be a digit */
	if (errno || buf[0] < '0' || buf[0] > '9' ||
	    (*end && *end != '\n'))
		return mc_errx(e, EBADMSG, "'%s' does not hold a number", what);
	return 0;
}

int mc_cgroup_read_u64(const struct mc_cgroup *cg, const char *file,
		       uint64_t *v, struct mc_error *e)
{
	char what[4200];
	int fd = mc_cgroup_openat(cg, file, O_RDONLY, e), rc;

	if (fd < 0)
		return -1;
	snprintf(what, sizeof(what), "%s/%s", cg->dir, file);
	rc = mc_fd_read_u64(fd, v, what, e);
	close(fd);
	return rc;
}

int mc_cgroup_read_stat(const struct mc_cgroup *cg, const char *file,
			const char *key, uint64_t *v, struct mc_error *e)
{
	int fd = mc_cgroup_openat(cg, file, O_RDONLY, e);
	size_t klen = strlen(key);
	char line[256];
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return mc_err(e, errno, "cannot read '%s/%s'", cg->dir, file);
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			*v = strtoull(line + klen + 1, NULL, 10);
			fclose(f);
			return 0;
		}
	fclose(f);
	return mc_errx(e, ENOENT, "'%s/%s' has no '%s'", cg->dir, file, key);
}

const struct mc_memfiles *mc_memfiles(enum mc_hier_type type)
{
	static const struct mc_memfiles v1 = {
		.usage = "memory.usage_in_bytes",
		.limit = "memory.limit_in_bytes",
		.anon = "rss",
		.file = "cache",
		.shmem = "shmem",
		.swap_key = "swap",
	};
	static const struct mc_memfiles v2 = {
		.usage = "memory.current",
		.limit = "memory.max",
		.anon = "anon",
		.file = "file",
		.shmem = "shmem",
		.swap_file = "memory.swap.current",
	};

	return type == MC_V2 ? &v2 : &v1;
}

int mc_cgroup_read_usage(const struct mc_cgroup *cg, uint64_t *usage,
			 struct mc_error *e)
{
	return mc_cgroup_read_u64(cg, mc_memfiles(cg->hier->type)->usage,
				  usage, e);
}

/* v1 prints PAGE_COUNTER_MAX in bytes, rounded down to a page (near
 * 2^63): anything from 2^62 up is no limit */
#define V1_NO_LIMIT (UINT64_C(1) << 62)

int mc_fd_read_limit(int fd, uint64_t *limit, const char *what,
		     struct mc_error *e)
{
	char buf[8] = "";
	int rc = 0;

	if (pread(fd, buf, sizeof(buf) - 1, 0) >= 3 && !strcmp(buf, "max\n"))
		*limit = MC_UNLIMITED;
	else if ((rc = mc_fd_read_u64(fd, limit, what, e)) == 0 &&
		 *limit >= V1_NO_LIMIT)
		*limit = MC_UNLIMITED;
	return rc;
}

int mc_cgroup_read_limit(const struct mc_cgroup *cg, uint64_t *limit,
			 struct mc_error *e)
{
	const char *file = mc_memfiles(cg->hier->type)->limit;
	int fd = mc_cgroup_openat(cg, file, O_RDONLY, e), rc;
	char what[4200];

	if (fd < 0)
		return -1;
	snprintf(what, sizeof(what), "%s/%s", cg->dir, file);
	rc = mc_fd_read_limit(fd, limit, what, e);
	close(fd);
	return rc;
}
