/* memcg where: for each process, the memory cgroups its resident pages are
 * charged to, anon and file apart, with swapped and uncharged pages. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/pages.h"
#include "core/proc.h"
#include "core/tree.h"
#include "output/table.h"

enum {
	COL_PID, COL_COMM, COL_CGROUP, COL_ANON, COL_FILE, COL_TOTAL,
	COL_KIND, COL_INODE, COL_CURRENT,
};

static const struct mc_colinfo columns[] = {
	[COL_PID] = { "PID", 5, MC_COLF_RIGHT, MC_COL_NUM, "process ID" },
	[COL_COMM] = { "COMM", 0.1, MC_COLF_TRUNC, MC_COL_STR, "command name" },
	[COL_CGROUP] = { "CGROUP", 0.3, MC_COLF_PATH, MC_COL_STR,
			 "memory cgroup the pages are charged to, or "
			 "(uncharged), (swapped), (removed cgroup, inode N)" },
	[COL_ANON] = { "ANON", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "private anonymous pages" },
	[COL_FILE] = { "FILE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "file, shmem/tmpfs and shared anonymous pages" },
	[COL_TOTAL] = { "TOTAL", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			"ANON plus FILE" },
	[COL_KIND] = { "KIND", 9, 0, MC_COL_STR,
		       "cgroup, removed, unknown, uncharged or swapped" },
	[COL_INODE] = { "INODE", 6, MC_COLF_RIGHT, MC_COL_NUM,
			"inode of the cgroup directory (the kpagecgroup "
			"value)" },
	[COL_CURRENT] = { "CURRENT", 7, 0, MC_COL_BOOL,
			  "the process is in this cgroup now" },
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

enum {
	SUM_PID, SUM_COMM, SUM_CGROUP, SUM_RESIDENT, SUM_HERE, SUM_ELSEWHERE,
	SUM_UNCHARGED, SUM_SWAPPED, SUM_ANON, SUM_FILE, SUM_CGROUPS,
};

static const struct mc_colinfo sum_columns[] = {
	[SUM_PID] = { "PID", 5, MC_COLF_RIGHT, MC_COL_NUM, "process ID" },
	[SUM_COMM] = { "COMM", 0.1, MC_COLF_TRUNC, MC_COL_STR, "command name" },
	[SUM_CGROUP] = { "CGROUP", 0.3, MC_COLF_PATH, MC_COL_STR,
			 "memory cgroup the process is in" },
	[SUM_RESIDENT] = { "RESIDENT", 8, MC_COLF_RIGHT, MC_COL_SIZE,
			   "resident pages, charged or not" },
	[SUM_HERE] = { "CHARGED-HERE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "charged to the cgroup the process is in" },
	[SUM_ELSEWHERE] = { "CHARGED-ELSEWHERE", 6, MC_COLF_RIGHT,
			    MC_COL_SIZE, "charged to other cgroups" },
	[SUM_UNCHARGED] = { "UNCHARGED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "resident, charged to no cgroup" },
	[SUM_SWAPPED] = { "SWAPPED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			  "swapped out (not attributable to a cgroup)" },
	[SUM_ANON] = { "ANON", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "resident private anonymous pages" },
	[SUM_FILE] = { "FILE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "resident file, shmem/tmpfs and shared anonymous "
		       "pages" },
	[SUM_CGROUPS] = { "CGROUPS", 7, MC_COLF_RIGHT, MC_COL_NUM,
			  "number of cgroups the pages are charged to" },
};
#define NSUMCOLS (sizeof(sum_columns) / sizeof(sum_columns[0]))

static const int default_cols[] = {
	COL_PID, COL_COMM, COL_CGROUP, COL_ANON, COL_FILE, COL_TOTAL, -1,
};
static const int default_json_cols[] = {
	COL_PID, COL_COMM, COL_CGROUP, COL_ANON, COL_FILE, COL_TOTAL,
	COL_KIND, COL_INODE, COL_CURRENT, -1,
};
static const int default_sum_cols[] = {
	SUM_PID, SUM_COMM, SUM_CGROUP, SUM_RESIDENT, SUM_HERE, SUM_ELSEWHERE,
	SUM_UNCHARGED, SUM_SWAPPED, -1,
};
static const int default_json_sum_cols[] = {
	SUM_PID, SUM_COMM, SUM_CGROUP, SUM_RESIDENT, SUM_HERE, SUM_ELSEWHERE,
	SUM_UNCHARGED, SUM_SWAPPED, SUM_ANON, SUM_FILE, SUM_CGROUPS, -1,
};

static int summary;

struct poptOption mc_where_options[] = {
	{ "summary", 's', POPT_ARG_NONE, &summary, 0,
	  "one line per process", NULL },
	POPT_TABLEEND
};

/* -s has columns of its own */
const struct mc_colinfo *mc_where_columns(size_t *n)
{
	*n = summary ? NSUMCOLS : NCOLS;
	return summary ? sum_columns : columns;
}

/* A process as the report names it. */
struct proc {
	pid_t pid;
	char comm[64];
	char *cgroup;		/* its memory cgroup now, or NULL */
	uint64_t ino;		/* that cgroup's inode, 0 if unknown */
	uint64_t rss;		/* bytes: the total of its progress */
};

struct where {
	const struct mc_ctx *c;
	const struct mc_mounts *m;
	const struct mc_hier *h;
	struct mc_pages *ctx;
	struct mc_inomap map;
	struct mc_table t;
	struct mc_pages_result r;
	size_t ok, failed;
};

static int parse_pids(const char **args, pid_t **pids, size_t *n)
{
	int rc = mc_pid_operands(args, pids, n);

	if (!rc && !*n)
		rc = mc_usage("where: no PIDs given");
	return rc;
}

static int read_proc(struct where *w, struct proc *p, struct mc_error *e)
{
	struct mc_proc_status status;
	struct mc_error ignored;
	struct mc_proc_stat st;

	if (mc_proc_read_stat(w->m, p->pid, &st, e) < 0)
		return -1;
	if (st.flags & MC_PF_KTHREAD)
		return mc_errx(e, EINVAL, "process %d is a kernel thread: it "
			       "has no memory of its own", (int)p->pid);
	snprintf(p->comm, sizeof(p->comm), "%s", st.comm);
	p->rss = st.rss;
	/* RSS as memcg move reports it: VmRSS of /proc/PID/status, which
	 * counts what stat's rss leaves in per-CPU counters */
	if (mc_proc_read_status(w->m, p->pid, &status, &ignored) == 0)
		p->rss = status.rss;
	/* a zombie or a process outside the hierarchy has no answer here;
	 * the pages still have theirs */
	if (mc_proc_read_cgroup(w->m, p->pid, w->h->type, &p->cgroup, e) ==
	    0)
		p->ino = mc_inomap_ino(&w->map, p->cgroup);
	mc_err_clear(e);
	return 0;
}

/* ---- rows: one per cgroup of each process ---- */

struct row {
	const char *cgroup, *kind;
	bool have_ino, split;
	uint64_t ino, anon, file, total;
};

static void add_row(struct where *w, const struct proc *p,
		    const struct row *r)
{
	struct mc_table *t = &w->t;
	struct mc_line *ln = mc_table_line(t, NULL);

	mc_cell_num(t, ln, COL_PID, true, p->pid);
	mc_cell_str(t, ln, COL_COMM, p->comm);
	mc_cell_str(t, ln, COL_CGROUP, r->cgroup);
	mc_cell_size(t, ln, COL_ANON, r->split, (int64_t)r->anon);
	mc_cell_size(t, ln, COL_FILE, r->split, (int64_t)r->file);
	mc_cell_size(t, ln, COL_TOTAL, true, (int64_t)r->total);
	mc_cell_str(t, ln, COL_KIND, r->kind);
	mc_cell_num(t, ln, COL_INODE, r->have_ino, (int64_t)r->ino);
	if (r->have_ino)
		mc_cell_bool(t, ln, COL_CURRENT, p->ino && r->ino == p->ino);
}

/* Right after a cgroup is removed kpagecgroup can still report its inode
 * (DESIGN, Decisions): say so rather than guess a path. */
static void name_cgroup(struct where *w, uint64_t ino, struct row *r,
			char *buf, size_t len)
{
	r->cgroup = mc_inomap_path(&w->map, ino);
	r->kind = "cgroup";
	if (r->cgroup)
		return;
	if (!strcmp(w->h->root, "/")) {
		r->kind = "removed";
		snprintf(buf, len, "(removed cgroup, inode %" PRIu64 ")", ino);
	} else {
		/* above the mounted part of the hierarchy, or removed */
		r->kind = "unknown";
		snprintf(buf, len, "(cgroup outside '%s' or removed, inode "
			 "%" PRIu64 ")", w->h->root, ino);
	}
	r->cgroup = buf;
}

static const struct mc_pages_result *sort_r;

static int by_total(const void *a, const void *b)
{
	const struct mc_pages_cgroup *x = &sort_r->v[*(const size_t *)a];
	const struct mc_pages_cgroup *y = &sort_r->v[*(const size_t *)b];
	uint64_t tx = x->anon + x->file, ty = y->anon + y->file;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static int add_rows(struct where *w, const struct proc *p)
{
	const struct mc_pages_result *res = &w->r;
	size_t *order = calloc(res->n ? res->n : 1, sizeof(*order));
	uint64_t un = res->uncharged_anon + res->uncharged_file;
	char buf[160];

	if (!order)
		return -1;
	for (size_t i = 0; i < res->n; i++)
		order[i] = i;
	sort_r = res;
	qsort(order, res->n, sizeof(*order), by_total);
	for (size_t i = 0; i < res->n; i++) {
		const struct mc_pages_cgroup *c = &res->v[order[i]];
		struct row r = { .have_ino = true, .split = true, .ino = c->ino,
				 .anon = c->anon, .file = c->file,
				 .total = c->anon + c->file };

		name_cgroup(w, c->ino, &r, buf, sizeof(buf));
		add_row(w, p, &r);
	}
	free(order);
	if (un)
		add_row(w, p, &(struct row){ "(uncharged)", "uncharged", false,
					     true, 0, res->uncharged_anon,
					     res->uncharged_file, un });
	/* no /proc file says which cgroup a swap entry is charged to */
	if (res->swapped)
		add_row(w, p, &(struct row){ "(swapped)", "swapped", false,
					     false, 0, 0, 0, res->swapped });
	return 0;
}

/* ---- --summary: one line per process ---- */

static void add_summary(struct where *w, const struct proc *p)
{
	const struct mc_pages_result *res = &w->r;
	uint64_t resident = mc_pages_resident(res), anon = 0, file = 0;
	struct mc_table *t = &w->t;
	struct mc_line *ln = mc_table_line(t, NULL);
	struct mc_pages_split sp;

	mc_pages_split(res, p->ino, &sp);
	for (size_t i = 0; i < res->n; i++) {
		anon += res->v[i].anon;
		file += res->v[i].file;
	}
	mc_cell_num(t, ln, SUM_PID, true, p->pid);
	mc_cell_str(t, ln, SUM_COMM, p->comm);
	mc_cell_str(t, ln, SUM_CGROUP, p->cgroup);
	mc_cell_size(t, ln, SUM_RESIDENT, true, (int64_t)resident);
	/* without the process's cgroup, here and elsewhere are unknown */
	mc_cell_size(t, ln, SUM_HERE, p->ino != 0, (int64_t)sp.here);
	mc_cell_size(t, ln, SUM_ELSEWHERE, p->ino != 0,
		     (int64_t)sp.elsewhere);
	mc_cell_size(t, ln, SUM_UNCHARGED, true, (int64_t)sp.uncharged);
	mc_cell_size(t, ln, SUM_SWAPPED, true, (int64_t)res->swapped);
	mc_cell_size(t, ln, SUM_ANON, true,
		     (int64_t)(anon + res->uncharged_anon));
	mc_cell_size(t, ln, SUM_FILE, true,
		     (int64_t)(file + res->uncharged_file));
	mc_cell_num(t, ln, SUM_CGROUPS, true, (int64_t)res->n);
}

/* ---- the run ---- */

/* The pages module reports the bytes it attributed after each batch. */
static void on_pages(void *arg, uint64_t done)
{
	mc_progress_update(arg, done);
}

/* 0, or -1 when the run cannot go on (e->code says why). */
static int one(struct where *w, pid_t pid, struct mc_error *e)
{
	struct proc p = { .pid = pid };
	struct mc_progress pr;
	char what[32];
	int rc = 0;

	if (read_proc(w, &p, e) == 0) {
		snprintf(what, sizeof(what), "where %d", (int)pid);
		mc_progress_start(&pr, w->c, what, NULL, p.rss);
		mc_pages_set_progress(w->ctx, on_pages, &pr);
		rc = mc_pages_attribute(w->ctx, pid, &w->r, e);
		mc_pages_set_progress(w->ctx, NULL, NULL);
		mc_progress_end(&pr);
		if (rc == 0)
			rc = summary ? (add_summary(w, &p), 0)
				     : add_rows(w, &p);
	} else {
		rc = -1;
	}
	free(p.cgroup);
	if (rc == 0) {
		w->ok++;
		return 0;
	}
	/* hidden frame numbers hide them for every process */
	if (e->code == EPERM || e->code == ENOMEM)
		return -1;
	mc_warn("%s", e->msg);
	w->failed++;
	return 0;
}

static int setup(struct where *w, struct mc_error *e)
{
	if (mc_pages_open(&w->ctx, w->m, 0, e) < 0)
		return -1;
	return mc_inomap_build(&w->map, w->m, w->h, e);
}

static int init_table(struct where *w, const struct mc_out_opts *out,
		      struct mc_error *e)
{
	if (summary)
		return mc_table_init(&w->t, "processes", sum_columns, NSUMCOLS,
				     out->json ? default_json_sum_cols
					       : default_sum_cols,
				     out, e);
	return mc_table_init(&w->t, "charges", columns, NCOLS,
			     out->json ? default_json_cols : default_cols, out,
			     e);
}

static int run(struct where *w, const pid_t *pids, size_t n)
{
	struct mc_error e;

	if (setup(w, &e) < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	for (size_t i = 0; i < n; i++)
		if (one(w, pids[i], &e) < 0)
			return mc_fail(MC_EXIT_FAIL, &e);
	if (w->ok)
		mc_table_print(&w->t, stdout);
	return !w->failed ? MC_EXIT_OK : w->ok ? MC_EXIT_PARTIAL : MC_EXIT_FAIL;
}

int mc_cmd_where(struct mc_ctx *c)
{
	struct where w = { 0 };
	struct mc_error e;
	pid_t *pids = NULL;
	size_t n = 0;
	int rc;

	/* the table first: with -s its -J document has another key, owed
	 * from here on */
	rc = init_table(&w, c->out, &e) < 0 ? mc_fail(MC_EXIT_USAGE, &e) : 0;
	if (!rc)
		rc = parse_pids(c->args, &pids, &n);
	if (!rc)
		rc = mc_begin(c, NULL);
	if (!rc) {
		w.c = c;
		w.m = &c->m;
		w.h = c->h;
		rc = run(&w, pids, n);
	}
	free(pids);
	mc_pages_result_free(&w.r);
	mc_inomap_free(&w.map);
	mc_pages_close(w.ctx);
	mc_table_free(&w.t);
	return rc;
}
