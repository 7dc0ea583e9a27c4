/* memcg show: the memory cgroups below CGROUP as a tree (or --list) with
 * their usage, limit, memory.stat figures, process count and charge
 * setting; with --exact, LEFT from the pages of every process. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/cgroup.h"
#include "core/knob.h"
#include "core/pages.h"
#include "core/stats.h"
#include "core/tree.h"
#include "output/table.h"

enum {
	COL_PATH, COL_USAGE, COL_LIMIT, COL_ANON, COL_FILE, COL_SHMEM,
	COL_SWAP, COL_PROCS, COL_CHARGE, COL_LEFT,
};

/* A column's needs are the MC_ST_* figures it shows, and: */
enum { NEEDS_LEFT = 1 << 8 };	/* the page scan of --exact */

static const struct mc_colinfo columns[] = {
	[COL_PATH] = { "PATH", 0.3, MC_COLF_TREE | MC_COLF_PATH, MC_COL_STR,
		       "the cgroup: its name in the tree, its hierarchy path "
		       "with --list, -r and -J" },
	[COL_USAGE] = { "USAGE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			"memory charged (usage_in_bytes, memory.current)",
			MC_ST_USAGE },
	[COL_LIMIT] = { "LIMIT", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			"memory limit (limit_in_bytes, memory.max); empty when "
			"unlimited", MC_ST_LIMIT },
	[COL_ANON] = { "ANON", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "anonymous memory of the cgroup itself (memory.stat: "
		       "rss, anon)", MC_ST_ANON },
	[COL_FILE] = { "FILE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "page cache of the cgroup itself, shmem included "
		       "(memory.stat: cache, file)", MC_ST_FILE },
	[COL_SHMEM] = { "SHMEM", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			"shmem/tmpfs of the cgroup itself (memory.stat: shmem)",
			MC_ST_SHMEM },
	[COL_SWAP] = { "SWAP", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "swap of the cgroup itself (memory.stat: swap; "
		       "memory.swap.current)", MC_ST_SWAP },
	[COL_PROCS] = { "PROCS", 5, MC_COLF_RIGHT, MC_COL_NUM,
			"number of processes in the cgroup itself",
			MC_ST_PROCS },
	[COL_CHARGE] = { "CHARGE", 6, 0, MC_COL_STR,
			 "memory.move_charge_at_immigrate: none, anon, file, "
			 "all; never (v2)", MC_ST_CHARGE },
	[COL_LEFT] = { "LEFT", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "charged here, held by processes now in other cgroups "
		       "(--exact, root)", NEEDS_LEFT },
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static const int default_cols[] = {
	COL_PATH, COL_USAGE, COL_LIMIT, COL_ANON, COL_FILE, COL_PROCS,
	COL_CHARGE, -1,
};
static const int default_exact_cols[] = {
	COL_PATH, COL_USAGE, COL_LIMIT, COL_ANON, COL_FILE, COL_PROCS,
	COL_CHARGE, COL_LEFT, -1,
};

static struct {
	char *depth;
	int list;
	int exact;
} opt;

struct poptOption mc_show_options[] = {
	{ "depth", 'd', POPT_ARG_STRING, &opt.depth, 1,
	  "levels of descendants to show (0: CGROUP alone)", "N" },
	{ "list", '\0', POPT_ARG_NONE, &opt.list, 0,
	  "one line per cgroup with its full path, no tree", NULL },
	{ "exact", '\0', POPT_ARG_NONE, &opt.exact, 0,
	  "add LEFT, from the pages of every process (root)", NULL },
	POPT_TABLEEND
};

const struct mc_colinfo *mc_show_columns(size_t *n)
{
	*n = NCOLS;
	return columns;
}

struct show {
	const struct mc_ctx *c;
	struct mc_table t;
	struct mc_stats_tree tree;
	bool have_left;
	struct mc_left left;
};

/* -1 for every level, else 0..INT_MAX strictly: "2x", "" and "-1" are
 * usage errors, never a silent 0. */
static int parse_depth(int *depth)
{
	char *end;
	long v;

	*depth = -1;
	if (!opt.depth)
		return 0;
	errno = 0;
	v = strtol(opt.depth, &end, 10);
	if (opt.depth[0] < '0' || opt.depth[0] > '9' || *end || errno ||
	    v > INT_MAX)
		return mc_usage("--depth: '%s' is not a number of levels (0 "
				"or more)", opt.depth);
	*depth = (int)v;
	return 0;
}

/* One operand's subtree; a name that resolves nowhere is reported and
 * the others still shown. Returns 0 or the operand's exit status. */
static int gather(struct show *s, const char *name, int depth)
{
	const struct mc_ctx *c = s->c;
	unsigned want = mc_table_needs(&s->t) & ~(unsigned)NEEDS_LEFT;
	struct mc_cgroup cg;
	struct mc_error e;
	int rc;

	if (mc_cgroup_open(&cg, &c->m, c->h, name, 0, &e) < 0)
		return mc_fail_setup(&e);
	rc = mc_stats_tree(&c->m, c->h, cg.rel, depth, want, &s->tree, &e);
	mc_cgroup_close(&cg);
	return rc < 0 ? mc_fail(MC_EXIT_FAIL, &e) : 0;
}

/* LEFT needs the page attribution of every process, asked for by --exact:
 * without root that fails before anything is read. *ctx stays NULL when
 * LEFT is not shown. */
static int open_left(struct show *s, struct mc_pages **ctx)
{
	struct mc_error e;

	*ctx = NULL;
	if (!(mc_table_needs(&s->t) & NEEDS_LEFT))
		return 0;
	if (!opt.exact) {
		mc_warn("LEFT stays empty: it needs --exact");
		return 0;
	}
	if (mc_pages_open(ctx, &s->c->m, 0, &e) < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	return 0;
}

static int scan_left(struct show *s, struct mc_pages *ctx)
{
	struct mc_inomap map;
	struct mc_error e;
	int rc;

	if (!ctx)
		return 0;
	rc = mc_inomap_build(&map, &s->c->m, s->c->h, &e);
	if (!rc) {
		rc = mc_left_scan(ctx, &map, &s->left, &e);
		mc_inomap_free(&map);
	}
	if (rc < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	s->have_left = true;
	if (s->left.skipped)
		mc_warn("LEFT leaves out %zu process%s that could not be "
			"read (%s)", s->left.skipped,
			s->left.skipped == 1 ? "" : "es", s->left.why.msg);
	return 0;
}

static const char *charge_of(const struct show *s,
			     const struct mc_cgstats *st)
{
	if (s->c->h->type == MC_V2)
		return "never (v2)";
	return st->have & MC_ST_CHARGE ? mc_mode_name(st->charge) : NULL;
}

static void cells(struct show *s, struct mc_line *ln,
		  const struct mc_stats_node *n, bool tree)
{
	const struct mc_cgstats *st = &n->st;
	const char *base = strrchr(n->path, '/');
	struct mc_table *t = &s->t;

	/* a tree line names the cgroup below its parent; a top line, a list
	 * line and a document the whole path */
	mc_cell_str(t, ln, COL_PATH,
		    tree && n->depth && base ? base + 1 : n->path);
	mc_cell_size(t, ln, COL_USAGE, st->have & MC_ST_USAGE,
		     (int64_t)st->usage);
	mc_cell_size(t, ln, COL_LIMIT,
		     (st->have & MC_ST_LIMIT) && st->limit != MC_UNLIMITED,
		     (int64_t)st->limit);
	mc_cell_size(t, ln, COL_ANON, st->have & MC_ST_ANON,
		     (int64_t)st->anon);
	mc_cell_size(t, ln, COL_FILE, st->have & MC_ST_FILE,
		     (int64_t)st->file);
	mc_cell_size(t, ln, COL_SHMEM, st->have & MC_ST_SHMEM,
		     (int64_t)st->shmem);
	mc_cell_size(t, ln, COL_SWAP, st->have & MC_ST_SWAP,
		     (int64_t)st->swap);
	mc_cell_num(t, ln, COL_PROCS, st->have & MC_ST_PROCS,
		    (int64_t)st->procs);
	mc_cell_str(t, ln, COL_CHARGE, charge_of(s, st));
	mc_cell_size(t, ln, COL_LEFT, s->have_left,
		     (int64_t)mc_left_of(&s->left, n->ino));
}

/* Nodes come parents first, siblings by name: a node's parent is the
 * last one seen a level up. */
static int add_lines(struct show *s)
{
	const struct mc_out_opts *out = s->c->out;
	/* raw output has no tree to draw: flat, with paths; a document
	 * nests children whatever the mode */
	bool nest = !opt.list && (out->json || !out->raw);
	bool tree = nest && !out->json;
	struct mc_line **up = NULL;
	size_t nup = 0, valid = 0;	/* levels of up[] that hold a line */

	for (size_t i = 0; i < s->tree.n; i++) {
		const struct mc_stats_node *n = &s->tree.v[i];
		struct mc_line *parent = NULL;

		if (n->depth >= nup) {
			struct mc_line **nv =
				realloc(up, (n->depth + 1) * sizeof(*nv));

			if (!nv) {
				free(up);
				return -1;
			}
			up = nv;
			nup = n->depth + 1;
		}
		/* a cgroup removed during the walk leaves no stale parent */
		if (nest && n->depth && n->depth - 1 < valid)
			parent = up[n->depth - 1];
		up[n->depth] = mc_table_line(&s->t, parent);
		valid = n->depth + 1;
		cells(s, up[n->depth], n, tree);
	}
	free(up);
	return 0;
}

/* Each operand's subtree, then LEFT; a missing operand is reported and
 * the others still shown, with the worst status. */
static int gather_all(struct show *s, struct mc_pages *ctx, int depth)
{
	const struct mc_ctx *c = s->c;
	int rc = 0, one;

	if (!c->nargs)
		rc = gather(s, c->h->root, depth);
	for (size_t i = 0; i < c->nargs; i++) {
		one = gather(s, c->args[i], depth);
		if (one && rc != MC_EXIT_USAGE)
			rc = one;
	}
	one = scan_left(s, ctx);
	return rc ? rc : one;
}

static int run(struct show *s, int depth)
{
	const struct mc_ctx *c = s->c;
	struct mc_pages *ctx;
	int rc = open_left(s, &ctx);

	if (!rc)
		rc = gather_all(s, ctx, depth);
	mc_pages_close(ctx);
	if (add_lines(s) < 0 && !rc)
		rc = MC_EXIT_FAIL;
	/* the cgroups that were found, and with -J a document on every path */
	if ((s->tree.n || c->out->json) && mc_table_print(&s->t, stdout) < 0)
		rc = MC_EXIT_FAIL;
	return rc;
}

int mc_cmd_show(struct mc_ctx *c)
{
	struct show s = { .c = c };
	struct mc_error e;
	int rc, depth;

	/* usage errors first: they need no hierarchy */
	rc = parse_depth(&depth);
	if (rc)
		return rc;
	if (mc_table_init(&s.t, "cgroups", columns, NCOLS,
			  opt.exact ? default_exact_cols : default_cols, c->out,
			  &e) < 0)
		return mc_fail(MC_EXIT_USAGE, &e);
	rc = mc_begin(c, NULL);
	if (!rc)
		rc = run(&s, depth);
	mc_left_free(&s.left);
	mc_stats_tree_free(&s.tree);
	mc_table_free(&s.t);
	return rc;
}
