/* Gathering the figures of memcg show: one cgroup's files read once, a
 * subtree of cgroups in display order, and the LEFT scan over every
 * process's pages. */
#include "core/stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/array.h"
#include "core/knob.h"
#include "core/proc.h"

unsigned mc_stats_parse(const char *text, const char *const *keys, size_t n,
			uint64_t *vals)
{
	unsigned found = 0;

	for (const char *line = text; line && *line;) {
		const char *sp = strchr(line, ' '), *nl = strchr(line, '\n');

		if (sp && (!nl || sp < nl))
			for (size_t i = 0; i < n; i++)
				/* whole keys: "rss" must not take "total_rss"
				 * nor "rss_huge" */
				if (strlen(keys[i]) == (size_t)(sp - line) &&
				    !strncmp(line, keys[i], sp - line)) {
					vals[i] = strtoull(sp + 1, NULL, 10);
					found |= 1u << i;
				}
		line = nl ? nl + 1 : NULL;
	}
	return found;
}

/* A file the cgroup does not have is an answer (the bit stays clear), not
 * a failure. */
static int absent(struct mc_error *e)
{
	if (e->code != ENOENT)
		return -1;
	mc_err_clear(e);
	return 0;
}

/* The whole text of a control file into *text; *text stays NULL when the
 * cgroup has no such file. */
static int read_text(const struct mc_cgroup *cg, const char *file,
		     char **text, struct mc_error *e)
{
	char what[4200];
	int fd = mc_cgroup_openat(cg, file, O_RDONLY, e);

	*text = NULL;
	if (fd < 0)
		return absent(e);
	snprintf(what, sizeof(what), "%s/%s", cg->dir, file);
	*text = mc_read_fd(fd, what, NULL, e);
	close(fd);
	return *text ? 0 : -1;
}

static int read_memory_stat(const struct mc_cgroup *cg, unsigned want,
			    struct mc_cgstats *st, struct mc_error *e)
{
	const struct mc_memfiles *f = mc_memfiles(cg->hier->type);
	const char *keys[] = { f->anon, f->file, f->shmem, f->swap_key };
	uint64_t *dst[] = { &st->anon, &st->file, &st->shmem, &st->swap };
	static const unsigned bits[] = { MC_ST_ANON, MC_ST_FILE, MC_ST_SHMEM,
					 MC_ST_SWAP };
	size_t n = f->swap_key ? 4 : 3;
	uint64_t vals[4];
	unsigned found;
	char *text;

	if (read_text(cg, "memory.stat", &text, e) < 0)
		return -1;
	if (!text)
		return 0;
	found = mc_stats_parse(text, keys, n, vals);
	free(text);
	for (size_t i = 0; i < n; i++)
		if ((want & bits[i]) && (found & (1u << i))) {
			st->have |= bits[i];
			*dst[i] = vals[i];
		}
	return 0;
}

static int count_procs(const struct mc_cgroup *cg, struct mc_cgstats *st,
		       struct mc_error *e)
{
	char *text;
	pid_t pid;

	if (read_text(cg, "cgroup.procs", &text, e) < 0)
		return -1;
	if (!text)
		return 0;
	st->procs = 0;
	for (char *p = text; (p = mc_next_pid(p, &pid));)
		st->procs += pid != 0;
	free(text);
	st->have |= MC_ST_PROCS;
	return 0;
}

/* One reading: 0 with its bit set, 0 when the file is absent, or -1. */
static int one(int rc, unsigned bit, struct mc_cgstats *st,
	       struct mc_error *e)
{
	if (rc == 0) {
		st->have |= bit;
		return 0;
	}
	return absent(e);
}

int mc_stats_read(const struct mc_cgroup *cg, unsigned want,
		  struct mc_cgstats *st, struct mc_error *e)
{
	const struct mc_memfiles *f = mc_memfiles(cg->hier->type);
	unsigned in_stat = MC_ST_ANON | MC_ST_FILE | MC_ST_SHMEM |
			   (f->swap_key ? MC_ST_SWAP : 0);
	int rc = 0;

	memset(st, 0, sizeof(*st));
	mc_err_clear(e);
	if (want & MC_ST_USAGE)
		rc = one(mc_cgroup_read_usage(cg, &st->usage, e), MC_ST_USAGE,
			 st, e);
	if (!rc && (want & MC_ST_LIMIT))
		rc = one(mc_cgroup_read_limit(cg, &st->limit, e), MC_ST_LIMIT,
			 st, e);
	/* one read of memory.stat for all its figures; v1 keeps swap there,
	 * v2 in a file of its own */
	if (!rc && (want & in_stat))
		rc = read_memory_stat(cg, want, st, e);
	if (!rc && (want & MC_ST_SWAP) && f->swap_file)
		rc = one(mc_cgroup_read_u64(cg, f->swap_file, &st->swap, e),
			 MC_ST_SWAP, st, e);
	if (!rc && (want & MC_ST_PROCS))
		rc = count_procs(cg, st, e);
	if (!rc && (want & MC_ST_CHARGE) && cg->hier->type == MC_V1)
		rc = one(mc_knob_read(cg, &st->charge, e), MC_ST_CHARGE, st,
			 e);
	return rc;
}

/* ---- a subtree ---- */

struct collect {
	const struct mc_mounts *m;
	const struct mc_hier *h;
	unsigned want;
	struct mc_stats_tree *t;
};

static struct mc_stats_node *new_node(struct mc_stats_tree *t,
				      struct mc_error *e)
{
	if (MC_ARRAY_ROOM(t->v, t->n, t->cap, 64, e) < 0)
		return NULL;
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	return &t->v[t->n];
}

/* Open by hierarchy path in the "memory:" form: a cgroup whose path starts
 * like the mount point is not taken for a filesystem path. */
static int open_node(struct collect *c, const char *path,
		     struct mc_cgroup *cg, struct mc_error *e)
{
	char *name = malloc(strlen(path) + sizeof("memory:"));
	int rc;

	if (!name)
		return mc_err(e, ENOMEM, "cannot allocate");
	strcpy(name, "memory:");
	strcat(name, path);
	rc = mc_cgroup_open(cg, c->m, c->h, name, 0, e);
	free(name);
	return rc;
}

static int add_node(void *arg, const struct mc_tree_node *node,
		    struct mc_error *e)
{
	struct collect *c = arg;
	struct mc_stats_node *sn = new_node(c->t, e);
	struct mc_cgroup cg;
	int rc;

	if (!sn)
		return -1;
	if (open_node(c, node->path, &cg, e) < 0) {
		/* removed since the walk read its parent: not in the answer */
		if (e->code != ENOENT)
			return -1;
		mc_err_clear(e);
		return 0;
	}
	rc = mc_stats_read(&cg, c->want, &sn->st, e);
	mc_cgroup_close(&cg);
	if (rc < 0)
		return -1;
	sn->path = strdup(node->path);
	if (!sn->path)
		return mc_err(e, ENOMEM, "cannot allocate");
	sn->ino = node->ino;
	sn->depth = node->depth;
	c->t->n++;
	return 0;
}

/* '/' before every other byte: sorted paths are then a walk that visits
 * parents before children and siblings by name ("/a", "/a/x", "/a-b"). */
static int cmp_node(const void *pa, const void *pb)
{
	const unsigned char *a =
		(const unsigned char *)((const struct mc_stats_node *)pa)->path;
	const unsigned char *b =
		(const unsigned char *)((const struct mc_stats_node *)pb)->path;
	int x, y;

	while (*a && *a == *b) {
		a++;
		b++;
	}
	x = *a == '/' ? 1 : *a ? *a + 1 : 0;
	y = *b == '/' ? 1 : *b ? *b + 1 : 0;
	return (x > y) - (x < y);
}

int mc_stats_tree(const struct mc_mounts *m, const struct mc_hier *h,
		  const char *rel, int maxdepth, unsigned want,
		  struct mc_stats_tree *t, struct mc_error *e)
{
	struct collect c = { m, h, want, t };
	size_t first = t->n;

	if (mc_tree_walk_depth(m, h, rel, maxdepth, add_node, &c, e))
		return -1;
	qsort(t->v + first, t->n - first, sizeof(t->v[0]), cmp_node);
	return 0;
}

void mc_stats_tree_free(struct mc_stats_tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- LEFT ---- */

static int left_add(struct mc_left *l, uint64_t ino, uint64_t bytes,
		    struct mc_error *e)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n && l->v[lo].ino == ino) {
		l->v[lo].bytes += bytes;
		return 0;
	}
	if (MC_ARRAY_ROOM(l->v, l->n, l->cap, 32, e) < 0)
		return -1;
	memmove(&l->v[lo + 1], &l->v[lo], (l->n - lo) * sizeof(l->v[0]));
	l->v[lo] = (struct mc_left_ent){ ino, bytes };
	l->n++;
	return 0;
}

/* A process that is gone is no answer; one that cannot be read is
 * counted, with the first reason kept. */
static int skip(struct mc_left *l, struct mc_error *e)
{
	if (e->code != ESRCH && l->skipped++ == 0)
		l->why = *e;
	mc_err_clear(e);
	return 0;
}

static int left_process(struct mc_pages *ctx, struct mc_inomap *map,
			pid_t pid, struct mc_pages_result *r,
			struct mc_left *l, struct mc_error *e)
{
	struct mc_proc_stat st;
	char *path;
	uint64_t own;

	if (mc_proc_read_stat(map->m, pid, &st, e) < 0)
		return skip(l, e);
	/* a kernel thread has no memory of its own */
	if (st.flags & MC_PF_KTHREAD)
		return 0;
	if (mc_proc_read_cgroup(map->m, pid, map->h->type, &path, e) < 0)
		return skip(l, e);
	/* 0 when its cgroup is outside the map: then every charge it has
	 * in the map is elsewhere */
	own = mc_inomap_ino(map, path);
	free(path);
	if (mc_pages_attribute(ctx, pid, r, e) < 0)
		/* hidden frame numbers hide them for every process */
		return e->code == EPERM || e->code == ENOMEM ? -1
							     : skip(l, e);
	l->procs++;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].ino != own &&
		    left_add(l, r->v[i].ino, r->v[i].anon + r->v[i].file, e))
			return -1;
	return 0;
}

int mc_left_scan(struct mc_pages *ctx, struct mc_inomap *map,
		 struct mc_left *out, struct mc_error *e)
{
	struct mc_pages_result r = { 0 };
	char path[4200];
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	mc_sysroot_path(map->m, path, sizeof(path), "/proc");
	dir = opendir(path);
	if (!dir)
		return mc_err(e, errno, "cannot open '%s'", path);
	while (!rc && (d = readdir(dir))) {
		pid_t pid;

		if (mc_parse_pid(d->d_name, &pid) == 0)
			rc = left_process(ctx, map, pid, &r, out, e);
	}
	closedir(dir);
	mc_pages_result_free(&r);
	return rc;
}

uint64_t mc_left_of(const struct mc_left *l, uint64_t ino)
{
	for (size_t lo = 0, hi = l->n; lo < hi;) {
		size_t mid = (lo + hi) / 2;

		if (l->v[mid].ino == ino)
			return l->v[mid].bytes;
		if (l->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void mc_left_free(struct mc_left *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
