/* Walking a memory hierarchy's directories, a cgroup's processes, and the
 * map from kpagecgroup inodes to cgroup paths: one path for every hierarchy,
 * --mount and --sysroot. Directories are opened relative to their parent's
 * descriptor and paths live on the heap, so a cgroup deeper than PATH_MAX is
 * walked like any other. */
#include "core/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/proc.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* A path that grows as the walk descends and shrinks as it returns. */
struct buf {
	char *s;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *sep, const char *name,
		   struct mc_error *e)
{
	size_t n = strlen(sep) + strlen(name);

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *ns;

		while (b->len + n + 1 > cap)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (!ns)
			return mc_err(e, ENOMEM, "cannot allocate");
		b->s = ns;
		b->cap = cap;
	}
	b->len += (size_t)sprintf(b->s + b->len, "%s%s", sep, name);
	return 0;
}

static void buf_cut(struct buf *b, size_t len)
{
	b->len = len;
	if (b->s)
		b->s[len] = '\0';
}

/* The mount point of h, below the sysroot, opened as a directory. */
static int open_mount(const struct mc_mounts *m, const struct mc_hier *h,
		      struct mc_error *e)
{
	const char *pre = m->sysroot ? m->sysroot : "";
	char *dir = malloc(strlen(pre) + strlen(h->target) + 1);
	int fd;

	if (!dir)
		return mc_err(e, ENOMEM, "cannot allocate");
	strcpy(dir, pre);
	strcat(dir, h->target);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		mc_err(e, errno, "cannot open '%s'", dir);
	free(dir);
	return fd;
}

/* The cgroup at rel below h's mount point, one component at a time with
 * O_NOFOLLOW: no component can be a link, and no path handed to the kernel
 * is longer than a name. ENOENT when it does not exist. */
static int open_rel(const struct mc_mounts *m, const struct mc_hier *h,
		    const char *rel, struct mc_error *e)
{
	char *copy = strdup(rel), *save = NULL, *c;
	int fd = copy ? open_mount(m, h, e) : -1;

	if (!copy)
		return mc_err(e, ENOMEM, "cannot allocate");
	for (c = strtok_r(copy, "/", &save); fd >= 0 && c;
	     c = strtok_r(NULL, "/", &save)) {
		int next = -1;

		if (!strcmp(c, "."))
			continue;
		/* callers pass parsed names, which never hold ".." */
		if (!strcmp(c, ".."))
			mc_errx(e, EINVAL, "'%s': '..' in a cgroup path", rel);
		else if ((next = openat(fd, c, DIR_FLAGS)) < 0)
			mc_err(e, errno, "cannot open '%s/%s'", h->target, rel);
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
}

/* The names of the subdirectories of dfd, NUL-separated in *names; read
 * whole before descending, so that one descriptor per level is open. A
 * directory removed meanwhile reads as empty. */
static int read_names(int dfd, struct buf *names, struct mc_error *e)
{
	int fd = dup(dfd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *d;

	buf_cut(names, 0);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return mc_err(e, errno, "cannot read a cgroup directory");
	}
	errno = 0;
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		/* a file whose type is not known is tried as a directory */
		if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
			continue;
		if (buf_add(names, "", d->d_name, e) < 0 ||
		    buf_add(names, "", "/", e) < 0) {
			closedir(dir);
			return -1;
		}
		errno = 0;
	}
	if (errno && errno != ENOENT) {
		mc_err(e, errno, "cannot read a cgroup directory");
		closedir(dir);
		return -1;
	}
	closedir(dir);
	return 0;
}

struct walk {
	mc_tree_fn fn;
	void *arg;
	struct buf rel;		/* below the mount point; "" for it */
	struct buf path;	/* the hierarchy path; "" for "/" */
	unsigned depth;		/* of the directory being walked */
	int maxdepth;		/* negative: no limit */
};

static int walk_dir(struct walk *w, int dfd, struct mc_error *e);

/* A child that is gone by now (ENOENT), or is no directory (a file of
 * unknown type, or a name replaced meanwhile), is not part of the answer. */
static int walk_child(struct walk *w, int dfd, const char *name,
		      struct mc_error *e)
{
	size_t rlen = w->rel.len, plen = w->path.len;
	int cfd = openat(dfd, name, DIR_FLAGS), rc;

	if (cfd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
			       ? 0
			       : mc_err(e, errno, "cannot open '%s/%s'",
					w->path.s, name);
	rc = buf_add(&w->rel, rlen ? "/" : "", name, e);
	if (!rc)
		rc = buf_add(&w->path, "/", name, e);
	w->depth++;
	if (!rc)
		rc = walk_dir(w, cfd, e);
	w->depth--;
	close(cfd);
	buf_cut(&w->rel, rlen);
	buf_cut(&w->path, plen);
	return rc;
}

static int walk_dir(struct walk *w, int dfd, struct mc_error *e)
{
	struct mc_tree_node node;
	struct buf names = { 0 };
	struct stat st;
	int rc;

	if (fstat(dfd, &st) < 0)
		return mc_err(e, errno, "cannot stat '%s'", w->path.s);
	node.rel = w->rel.len ? w->rel.s : ".";
	node.path = w->path.len ? w->path.s : "/";
	node.ino = st.st_ino;
	node.depth = w->depth;
	rc = w->fn(w->arg, &node, e);
	if (rc || (w->maxdepth >= 0 && w->depth >= (unsigned)w->maxdepth))
		return rc;
	rc = read_names(dfd, &names, e);
	for (char *p = names.s; !rc && p && p < names.s + names.len;) {
		char *end = strchr(p, '/');

		*end = '\0';
		rc = walk_child(w, dfd, p, e);
		p = end + 1;
	}
	free(names.s);
	return rc;
}

/* rel and the hierarchy path of the cgroup the walk starts at. */
static int walk_start(struct walk *w, const struct mc_hier *h,
		      const char *rel, struct mc_error *e)
{
	bool top = !strcmp(rel, ".") || !*rel;
	int rc;

	rc = buf_add(&w->rel, "", top ? "" : rel, e);
	if (!rc)
		rc = buf_add(&w->path, "", strcmp(h->root, "/") ? h->root : "",
			     e);
	if (!rc && !top)
		rc = buf_add(&w->path, "/", rel, e);
	return rc;
}

int mc_tree_walk(const struct mc_mounts *m, const struct mc_hier *h,
		 const char *rel, mc_tree_fn fn, void *arg,
		 struct mc_error *e)
{
	return mc_tree_walk_depth(m, h, rel, -1, fn, arg, e);
}

int mc_tree_walk_depth(const struct mc_mounts *m, const struct mc_hier *h,
		       const char *rel, int maxdepth, mc_tree_fn fn,
		       void *arg, struct mc_error *e)
{
	struct walk w = { .fn = fn, .arg = arg, .maxdepth = maxdepth };
	int dfd = open_rel(m, h, rel, e), rc;

	if (dfd < 0)
		return -1;
	rc = walk_start(&w, h, rel, e);
	if (!rc)
		rc = walk_dir(&w, dfd, e);
	close(dfd);
	free(w.rel.s);
	free(w.path.s);
	return rc;
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
		if (MC_ARRAY_ROOM(*pids, *n, cap, 64, e) < 0)
			return -1;
		(*pids)[(*n)++] = v;
	}
	if (*n) /* an empty cgroup has no array to sort */
		qsort(*pids, *n, sizeof(**pids), cmp_pid);
	return 0;
}

static char *read_procs(const struct mc_mounts *m, const struct mc_hier *h,
			const char *rel, struct mc_error *e)
{
	int dfd = open_rel(m, h, rel, e), fd;
	char *buf;

	if (dfd < 0)
		return NULL;
	fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		mc_err(e, errno, "cannot open '%s/%s/cgroup.procs'",
		       h->target, rel);
	close(dfd);
	if (fd < 0)
		return NULL;
	buf = mc_read_fd(fd, "cgroup.procs", NULL, e);
	close(fd);
	return buf;
}

int mc_tree_procs(const struct mc_mounts *m, const struct mc_hier *h,
		  const char *rel, pid_t **pids, size_t *n,
		  struct mc_error *e)
{
	char *buf = read_procs(m, h, rel, e);
	int rc = -1;

	*pids = NULL;
	*n = 0;
	if (!buf) {
		if (e->code == ENOENT)
			mc_errx(e, ENOENT, "'%s/%s': no such cgroup", h->target,
				rel);
		return -1;
	}
	rc = parse_procs(buf, pids, n, e);
	free(buf);
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

	if (MC_ARRAY_ROOM(map->v, map->n, map->cap, 64, e) < 0)
		return -1;
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
