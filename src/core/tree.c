/* Walking a memory hierarchy's directories (libcgroup where it sees the
 * hierarchy, directly elsewhere), a cgroup's processes, and the map from
 * kpagecgroup inodes to cgroup paths. */
#include "core/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/libcg.h"
#include "core/proc.h"

/* Hierarchy path of a directory: the mount's root joined with rel. */
static void hier_path(const struct mc_hier *h, const char *rel, char *buf,
		      size_t len)
{
	bool top = !strcmp(h->root, "/");

	if (!strcmp(rel, "."))
		snprintf(buf, len, "%s", h->root);
	else
		snprintf(buf, len, "%s/%s", top ? "" : h->root, rel);
}

static void dir_path(const struct mc_mounts *m, const struct mc_hier *h,
		     const char *rel, char *buf, size_t len)
{
	char sub[PATH_MAX + 2];

	snprintf(sub, sizeof(sub), "%s/%s", h->target, rel);
	mc_sysroot_path(m, buf, len, sub);
}

struct walk {
	const struct mc_mounts *m;
	const struct mc_hier *h;
	mc_tree_fn fn;
	void *arg;
};

static int visit(struct walk *w, const char *rel, uint64_t ino,
		 struct mc_error *e)
{
	char path[PATH_MAX + 256];
	struct mc_tree_node node = { path, rel, ino };

	hier_path(w->h, rel, path, sizeof(path));
	return w->fn(w->arg, &node, e);
}

/* libcgroup gives paths; the inode needs a stat. */
static int libcg_visit(void *arg, const char *rel, struct mc_error *e)
{
	struct walk *w = arg;
	char dir[PATH_MAX * 2];
	struct stat st;

	dir_path(w->m, w->h, rel, dir, sizeof(dir));
	if (stat(dir, &st) < 0) /* removed while we walk */
		return errno == ENOENT ? 0
				       : mc_err(e, errno, "cannot stat '%s'", dir);
	return visit(w, rel, st.st_ino, e);
}

static bool is_dir_entry(int dfd, const struct dirent *d)
{
	struct stat st;

	if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
		return false;
	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_DIR;
	return fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

static int walk_dir(struct walk *w, int dfd, char *rel, size_t rlen,
		    struct mc_error *e);

static int walk_child(struct walk *w, int dfd, const char *name, char *rel,
		      size_t rlen, struct mc_error *e)
{
	bool top = !strcmp(rel, ".");
	size_t n = strlen(rel);
	int cfd, rc;

	if (n + strlen(name) + 2 > rlen)
		return mc_errx(e, ENAMETOOLONG, "cgroup path too long: '%s/%s'",
			       rel, name);
	cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (cfd < 0) /* removed while we walk: not part of the answer */
		return errno == ENOENT ? 0 : mc_err(e, errno,
						    "cannot open '%s/%s'", rel,
						    name);
	if (top)
		strcpy(rel, name);
	else
		sprintf(rel + n, "/%s", name);
	rc = walk_dir(w, cfd, rel, rlen, e);
	close(cfd);
	if (top)
		strcpy(rel, ".");
	else
		rel[n] = '\0';
	return rc;
}

static int walk_dir(struct walk *w, int dfd, char *rel, size_t rlen,
		    struct mc_error *e)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int rc, fd;

	if (fstat(dfd, &st) < 0)
		return mc_err(e, errno, "cannot stat '%s'", rel);
	rc = visit(w, rel, st.st_ino, e);
	if (rc)
		return rc;
	fd = dup(dfd);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return mc_err(e, errno, "cannot read directory '%s'", rel);
	}
	while (!rc && (d = readdir(dir)))
		if (is_dir_entry(dfd, d))
			rc = walk_child(w, dfd, d->d_name, rel, rlen, e);
	closedir(dir);
	return rc;
}

static int direct_walk(struct walk *w, const char *start, struct mc_error *e)
{
	char dir[PATH_MAX * 2], rel[PATH_MAX];
	int dfd, rc;

	dir_path(w->m, w->h, start, dir, sizeof(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return mc_err(e, errno, "cannot open '%s'", dir);
	snprintf(rel, sizeof(rel), "%s", start);
	rc = walk_dir(w, dfd, rel, sizeof(rel), e);
	close(dfd);
	return rc;
}

int mc_tree_walk(const struct mc_mounts *m, const struct mc_hier *h,
		 const char *rel, mc_tree_fn fn, void *arg,
		 struct mc_error *e)
{
	struct walk w = { m, h, fn, arg };

	if (mc_libcg_sees(m, h))
		return mc_libcg_walk(rel, libcg_visit, &w, e);
	return direct_walk(&w, rel, e);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* cgroup.procs holds one decimal PID a line. */
static int parse_procs(char *buf, pid_t **pids, size_t *n,
		       struct mc_error *e)
{
	size_t cap = 0;
	pid_t v;

	for (char *p = buf; (p = mc_next_pid(p, &v));) {
		if (!v)
			continue;
		if (*n == cap) {
			pid_t *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(*pids, cap * sizeof(**pids));
			if (!nv)
				return mc_err(e, ENOMEM, "cannot allocate");
			*pids = nv;
		}
		(*pids)[(*n)++] = v;
	}
	qsort(*pids, *n, sizeof(**pids), cmp_pid);
	return 0;
}

static int direct_procs(const struct mc_mounts *m, const struct mc_hier *h,
			const char *rel, pid_t **pids, size_t *n,
			struct mc_error *e)
{
	char dir[PATH_MAX * 2], path[PATH_MAX * 2 + 16];
	char *buf;
	int rc;

	dir_path(m, h, rel, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	buf = mc_read_file_at(AT_FDCWD, path, NULL, e);
	if (!buf)
		return e->code == ENOENT ? mc_errx(e, ENOENT,
						   "%s: no such cgroup", dir)
					 : -1;
	rc = parse_procs(buf, pids, n, e);
	free(buf);
	return rc;
}

int mc_tree_procs(const struct mc_mounts *m, const struct mc_hier *h,
		  const char *rel, pid_t **pids, size_t *n,
		  struct mc_error *e)
{
	int rc;

	*pids = NULL;
	*n = 0;
	if (mc_libcg_sees(m, h))
		rc = mc_libcg_procs(rel, pids, n, e);
	else
		rc = direct_procs(m, h, rel, pids, n, e);
	if (rc < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
	}
	return rc;
}

static int add_node(void *arg, const struct mc_tree_node *node,
		    struct mc_error *e)
{
	struct mc_inomap *map = arg;
	struct mc_inomap_ent *ent;

	if (map->n == map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 64;
		struct mc_inomap_ent *nv = realloc(map->v, cap * sizeof(*nv));

		if (!nv)
			return mc_err(e, ENOMEM, "cannot allocate");
		map->v = nv;
		map->cap = cap;
	}
	ent = &map->v[map->n];
	ent->ino = node->ino;
	ent->path = strdup(node->path);
	if (!ent->path)
		return mc_err(e, ENOMEM, "cannot allocate");
	map->n++;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	uint64_t x = ((const struct mc_inomap_ent *)a)->ino;
	uint64_t y = ((const struct mc_inomap_ent *)b)->ino;

	return (x > y) - (x < y);
}

static void drop_entries(struct mc_inomap *map)
{
	for (size_t i = 0; i < map->n; i++)
		free(map->v[i].path);
	map->n = 0;
}

static int walk_all(struct mc_inomap *map, struct mc_error *e)
{
	int rc;

	drop_entries(map);
	rc = mc_tree_walk(map->m, map->h, ".", add_node, map, e);
	qsort(map->v, map->n, sizeof(*map->v), cmp_ent);
	return rc ? -1 : 0;
}

int mc_inomap_build(struct mc_inomap *map, const struct mc_mounts *m,
		    const struct mc_hier *h, struct mc_error *e)
{
	memset(map, 0, sizeof(*map));
	map->m = m;
	map->h = h;
	if (walk_all(map, e) < 0) {
		mc_inomap_free(map);
		return -1;
	}
	return 0;
}

static const char *find(const struct mc_inomap *map, uint64_t ino)
{
	struct mc_inomap_ent key = { ino, NULL };
	const struct mc_inomap_ent *ent =
		map->n ? bsearch(&key, map->v, map->n, sizeof(*map->v),
				 cmp_ent)
		       : NULL;

	return ent ? ent->path : NULL;
}

static bool known_unknown(const struct mc_inomap *map, uint64_t ino)
{
	for (size_t i = 0; i < map->nunknown; i++)
		if (map->unknown[i] == ino)
			return true;
	return false;
}

const char *mc_inomap_path(struct mc_inomap *map, uint64_t ino)
{
	const char *path = find(map, ino);
	struct mc_error e;
	uint64_t *nv;

	if (path || known_unknown(map, ino))
		return path;
	/* a failed walk keeps what it found: the answer is then "unknown",
	 * which is what the caller prints for a miss anyway */
	walk_all(map, &e);
	path = find(map, ino);
	if (path)
		return path;
	nv = realloc(map->unknown, (map->nunknown + 1) * sizeof(*nv));
	if (nv) {
		map->unknown = nv;
		map->unknown[map->nunknown++] = ino;
	}
	return NULL;
}

uint64_t mc_inomap_ino(const struct mc_inomap *map, const char *path)
{
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->v[i].path, path))
			return map->v[i].ino;
	return 0;
}

void mc_inomap_free(struct mc_inomap *map)
{
	drop_entries(map);
	free(map->v);
	free(map->unknown);
	memset(map, 0, sizeof(*map));
}
