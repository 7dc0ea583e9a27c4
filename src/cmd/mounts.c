/* memcg mounts: the cgroup hierarchies, which one memcg uses, and whether
 * this kernel can move charges. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mounts.h"
#include "output/table.h"

enum {
	COL_TARGET, COL_TYPE, COL_ROOT, COL_SOURCE, COL_OPTIONS, COL_MEMORY,
	COL_USED, COL_MOVES, COL_INFERRED, COL_REASON, COL_KERNEL,
};

static const struct mc_colinfo columns[] = {
	[COL_TARGET] = { "TARGET", 0.3, MC_COLF_PATH, MC_COL_STR,
			 "mount point" },
	[COL_TYPE] = { "TYPE", 7, 0, MC_COL_STR, "cgroup (v1) or cgroup2" },
	[COL_ROOT] = { "ROOT", 0.1, MC_COLF_PATH, MC_COL_STR,
		       "root of the mount within the hierarchy" },
	[COL_SOURCE] = { "SOURCE", 0.1, MC_COLF_TRUNC, MC_COL_STR,
			 "mount source" },
	[COL_OPTIONS] = { "OPTIONS", 0.2, MC_COLF_TRUNC, MC_COL_STR,
			  "super options (v1: the controllers)" },
	[COL_MEMORY] = { "MEMORY", 6, 0, MC_COL_BOOL,
			 "has the memory controller" },
	[COL_USED] = { "USED", 4, 0, MC_COL_BOOL,
		       "the hierarchy memcg uses" },
	[COL_MOVES] = { "MOVES-CHARGE", 12, 0, MC_COL_BOOL,
			"whether moving a process moves its charge here" },
	[COL_INFERRED] = { "INFERRED", 8, 0, MC_COL_BOOL,
			   "MOVES-CHARGE is inferred from the kernel version" },
	[COL_REASON] = { "REASON", 0.3, MC_COLF_WRAP, MC_COL_STR,
			 "why charges do or do not move" },
	[COL_KERNEL] = { "KERNEL", 8, 0, MC_COL_STR, "kernel release" },
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static const int default_cols[] = {
	COL_TARGET, COL_TYPE, COL_ROOT, COL_MEMORY, COL_USED, COL_MOVES,
	COL_INFERRED, -1,
};

const struct mc_colinfo *mc_mounts_columns(size_t *n)
{
	*n = NCOLS;
	return columns;
}

static void add_row(struct mc_table *t, const struct mc_hier *h,
		    const struct mc_hier *used, const struct mc_kernel *k)
{
	struct mc_line *ln = mc_table_line(t, NULL);
	char why[256];

	mc_cell_str(t, ln, COL_TARGET, h->target);
	mc_cell_str(t, ln, COL_TYPE, h->type == MC_V2 ? "cgroup2" : "cgroup");
	mc_cell_str(t, ln, COL_ROOT, h->root);
	mc_cell_str(t, ln, COL_SOURCE, h->source);
	mc_cell_str(t, ln, COL_OPTIONS, h->options);
	mc_cell_bool(t, ln, COL_MEMORY, h->memory);
	mc_cell_bool(t, ln, COL_USED, h == used);
	mc_cell_str(t, ln, COL_KERNEL, k->release);
	if (!h->memory)
		return; /* not applicable: empty cells, JSON null */
	enum mc_charge_cap cap = mc_charge_cap(h, k);
	mc_cell_bool(t, ln, COL_MOVES, cap == MC_CAP_YES);
	/* v2 is certain (no knob at all); v1 is read off the version */
	mc_cell_bool(t, ln, COL_INFERRED, h->type == MC_V1);
	mc_cell_str(t, ln, COL_REASON, mc_charge_cap_reason(cap, k, why,
							    sizeof(why)));
}

/* A note, so on stderr whatever the output mode (DESIGN, Decisions). */
static void note(const struct mc_hier *used, const struct mc_kernel *k,
		 const struct mc_error *why)
{
	char reason[256];

	if (!used) {
		mc_warn("%s", why->msg);
		return;
	}
	mc_warn("using the memory hierarchy at %s (%s); %s%s", used->target,
		used->type == MC_V2 ? "cgroup2" : "cgroup v1",
		mc_charge_cap_reason(mc_charge_cap(used, k), k, reason,
				     sizeof(reason)),
		/* v2 has no knob at all: certain, not read off the version */
		used->type == MC_V1 ? " (inferred from the kernel version)"
				    : "");
}

int mc_cmd_mounts(struct mc_ctx *c)
{
	struct mc_kernel k;
	struct mc_table t;
	struct mc_error e;
	int rc;

	if (c->nargs)
		return mc_usage("mounts: unexpected argument '%s'", c->args[0]);
	if (mc_table_init(&t, "mounts", columns, NCOLS, default_cols, c->out,
			  &e) < 0)
		return mc_fail(MC_EXIT_USAGE, &e);
	rc = mc_begin(c, NULL);
	if (!rc && mc_kernel_read(&k, c->sysroot, &e) < 0)
		rc = mc_fail(MC_EXIT_FAIL, &e);
	if (!rc) {
		for (size_t i = 0; i < c->m.n; i++)
			add_row(&t, &c->m.h[i], c->h, &k);
		mc_table_print(&t, stdout);
		/* after the table, also where both go to one file */
		fflush(stdout);
		note(c->h, &k, &c->why);
	}
	mc_table_free(&t);
	return rc;
}
