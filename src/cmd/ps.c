/* memcg ps: the processes of a memory cgroup (-R: and of its descendants),
 * their RSS and, as root, how much of it is charged here or elsewhere. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/cgroup.h"
#include "core/pages.h"
#include "core/proc.h"
#include "core/tree.h"
#include "output/table.h"

enum {
	COL_PID, COL_COMM, COL_CGROUP, COL_RSS, COL_HERE, COL_ELSEWHERE,
	COL_UNCHARGED, COL_SWAPPED,
};

/* What a column needs measured beyond /proc/PID/stat. */
enum { NEEDS_PAGES = 1 << 0 };	/* page attribution (root) */

static const struct mc_colinfo columns[] = {
	[COL_PID] = { "PID", 5, MC_COLF_RIGHT, MC_COL_NUM, "process ID" },
	[COL_COMM] = { "COMM", 0.1, MC_COLF_TRUNC, MC_COL_STR, "command name" },
	[COL_CGROUP] = { "CGROUP", 0.3, MC_COLF_PATH, MC_COL_STR,
			 "memory cgroup the process is in" },
	[COL_RSS] = { "RSS", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		      "resident set size" },
	[COL_HERE] = { "CHARGED-HERE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "resident pages charged to the process's cgroup "
		       "(root only)", NEEDS_PAGES },
	[COL_ELSEWHERE] = { "CHARGED-ELSEWHERE", 6, MC_COLF_RIGHT,
			    MC_COL_SIZE,
			    "resident pages charged to other cgroups (root "
			    "only)", NEEDS_PAGES },
	[COL_UNCHARGED] = { "UNCHARGED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "resident pages charged to no cgroup (root only)",
			    NEEDS_PAGES },
	[COL_SWAPPED] = { "SWAPPED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			  "swapped out pages (root only)", NEEDS_PAGES },
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static const int default_cols[] = {
	COL_PID, COL_COMM, COL_CGROUP, COL_RSS, COL_HERE, COL_ELSEWHERE, -1,
};
/* without root the charged columns have nothing to show */
static const int default_user_cols[] = {
	COL_PID, COL_COMM, COL_CGROUP, COL_RSS, -1,
};

static int recursive;

struct poptOption mc_ps_options[] = {
	{ "recursive", 'R', POPT_ARG_NONE, &recursive, 0,
	  "include the processes of descendant cgroups", NULL },
	POPT_TABLEEND
};

const struct mc_colinfo *mc_ps_columns(size_t *n)
{
	*n = NCOLS;
	return columns;
}

struct group {
	char *path, *rel;
	uint64_t ino;
	pid_t *pids;		/* its processes, read before any is shown */
	size_t npids;
};

struct ps {
	const struct mc_mounts *m;
	const struct mc_hier *h;
	struct mc_table t;
	struct mc_pages *ctx;		/* NULL: not root, or not asked for */
	struct mc_pages_result r;
	struct group *g;
	size_t ng;
	struct mc_progress prog;	/* processes done of all listed */
};

/* Open the engine first: whether it opens decides the default columns. */
static int setup_table(struct ps *p, const struct mc_out_opts *out,
		       struct mc_error *e)
{
	struct mc_error why;
	bool root = mc_pages_open(&p->ctx, p->m, 0, &why) == 0;

	if (mc_table_init(&p->t, "processes", columns, NCOLS,
			  root ? default_cols : default_user_cols, out, e) < 0)
		return -1;
	if (!root && (mc_table_needs(&p->t) & NEEDS_PAGES))
		mc_warn("the CHARGED columns stay empty: %s", why.msg);
	if (root && !(mc_table_needs(&p->t) & NEEDS_PAGES)) {
		mc_pages_close(p->ctx);
		p->ctx = NULL;
	}
	return 0;
}

static int add_group(void *arg, const struct mc_tree_node *node,
		     struct mc_error *e)
{
	struct ps *p = arg;
	struct group *nv = realloc(p->g, (p->ng + 1) * sizeof(*nv));

	if (!nv)
		return mc_err(e, ENOMEM, "cannot allocate");
	p->g = nv;
	memset(&nv[p->ng], 0, sizeof(nv[p->ng]));
	nv[p->ng].path = strdup(node->path);
	nv[p->ng].rel = strdup(node->rel);
	nv[p->ng].ino = node->ino;
	if (!nv[p->ng].path || !nv[p->ng].rel) {
		free(nv[p->ng].path);
		free(nv[p->ng].rel);
		return mc_err(e, ENOMEM, "cannot allocate");
	}
	p->ng++;
	return 0;
}

/* The cgroup named, and with -R its descendants, parents first. */
static int find_groups(struct ps *p, const char *name, struct mc_error *e)
{
	struct mc_cgroup cg;
	int rc;

	if (mc_cgroup_open(&cg, p->m, p->h, name, 0, e) < 0)
		return -1;
	if (recursive) {
		rc = mc_tree_walk(p->m, p->h, cg.rel, add_group, p, e);
	} else {
		struct mc_tree_node node = { cg.path, cg.rel, cg.ino, 0 };

		rc = add_group(p, &node, e);
	}
	mc_cgroup_close(&cg);
	return rc ? -1 : 0;
}

static void charged_cells(struct ps *p, struct mc_line *ln,
			  const struct group *g, bool have)
{
	struct mc_pages_split sp;

	mc_pages_split(&p->r, g->ino, &sp);
	mc_cell_size(&p->t, ln, COL_HERE, have, (int64_t)sp.here);
	mc_cell_size(&p->t, ln, COL_ELSEWHERE, have, (int64_t)sp.elsewhere);
	mc_cell_size(&p->t, ln, COL_UNCHARGED, have, (int64_t)sp.uncharged);
	mc_cell_size(&p->t, ln, COL_SWAPPED, have, (int64_t)p->r.swapped);
}

/* RSS as memcg move reports it: VmRSS of /proc/PID/status, which counts
 * what stat's rss leaves in per-CPU counters (kept when status fails). */
static void resident_set(const struct mc_mounts *m, pid_t pid,
			 struct mc_proc_stat *st)
{
	struct mc_proc_status status;
	struct mc_error ignored;

	if (mc_proc_read_status(m, pid, &status, &ignored) == 0)
		st->rss = status.rss;
}

/* One process; one that is gone by now is left out, as ps(1) does. */
static int add_process(struct ps *p, const struct group *g, pid_t pid,
		       struct mc_error *e)
{
	struct mc_proc_stat st;
	struct mc_line *ln;
	bool have = false;

	if (mc_proc_read_stat(p->m, pid, &st, e) < 0)
		return e->code == ESRCH ? 0 : -1;
	resident_set(p->m, pid, &st);
	mc_pages_reset(&p->r);
	have = p->ctx != NULL;
	/* a kernel thread has no memory of its own: nothing to attribute */
	if (have && !(st.flags & MC_PF_KTHREAD) &&
	    mc_pages_attribute(p->ctx, pid, &p->r, e) < 0) {
		if (e->code == ESRCH)
			return 0;
		/* hidden frame numbers hide them for every process */
		if (e->code == EPERM || e->code == ENOMEM)
			return -1;
		/* one process we may not read: its row says unknown */
		mc_warn("%s", e->msg);
		have = false;
	}
	ln = mc_table_line(&p->t, NULL);
	mc_cell_num(&p->t, ln, COL_PID, true, pid);
	mc_cell_str(&p->t, ln, COL_COMM, st.comm);
	mc_cell_str(&p->t, ln, COL_CGROUP, g->path);
	mc_cell_size(&p->t, ln, COL_RSS, true,
		     (int64_t)st.rss);
	charged_cells(p, ln, g, have);
	return 0;
}

/* The processes of every group first: their number is the total that
 * progress counts against (a page walk per process, as root, is slow). */
static int read_procs(struct ps *p, uint64_t *total, struct mc_error *e)
{
	*total = 0;
	for (size_t i = 0; i < p->ng; i++) {
		struct group *g = &p->g[i];

		if (mc_tree_procs(p->m, p->h, g->rel, &g->pids, &g->npids,
				  e) < 0) {
			/* with -R a descendant can go while we list */
			if (!recursive || e->code != ENOENT)
				return -1;
			g->pids = NULL;
			g->npids = 0;
		}
		*total += g->npids;
	}
	return 0;
}

static void free_ps(struct ps *p)
{
	for (size_t i = 0; i < p->ng; i++) {
		free(p->g[i].path);
		free(p->g[i].rel);
		free(p->g[i].pids);
	}
	free(p->g);
	mc_pages_result_free(&p->r);
	mc_pages_close(p->ctx);
	mc_table_free(&p->t);
}

static int list_groups(struct ps *p, const struct mc_ctx *c,
		       struct mc_error *e)
{
	uint64_t total, done = 0;
	int rc = read_procs(p, &total, e);

	if (rc < 0)
		return -1;
	mc_progress_start(&p->prog, c, "ps", "processes", total);
	for (size_t i = 0; i < p->ng && !rc; i++) {
		const struct group *g = &p->g[i];

		for (size_t k = 0; k < g->npids && !rc; k++) {
			rc = add_process(p, g, g->pids[k], e);
			mc_progress_update(&p->prog, ++done);
		}
	}
	mc_progress_end(&p->prog);
	return rc;
}

int mc_cmd_ps(struct mc_ctx *c)
{
	struct ps p = { 0 };
	struct mc_error e;
	int rc;

	if (!c->nargs)
		return mc_usage("ps: no cgroup given");
	if (c->nargs > 1)
		return mc_usage("ps: unexpected argument '%s'", c->args[1]);
	rc = mc_begin(c, NULL);
	if (rc)
		return rc;
	p.m = &c->m;
	p.h = c->h;
	if (setup_table(&p, c->out, &e) < 0)
		rc = mc_fail(MC_EXIT_USAGE, &e);
	else if (find_groups(&p, c->args[0], &e) < 0)
		rc = mc_fail_setup(&e);
	else if (list_groups(&p, c, &e) < 0)
		rc = mc_fail(MC_EXIT_FAIL, &e);
	else
		mc_table_print(&p.t, stdout);
	free_ps(&p);
	return rc;
}
