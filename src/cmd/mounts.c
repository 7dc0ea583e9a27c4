/* memcg mounts: the cgroup hierarchies, which one memcg uses, and whether
 * this kernel can move charges. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/mounts.h"
#include "memcg.h"
#include "output/table.h"

enum {
	COL_TARGET, COL_TYPE, COL_ROOT, COL_SOURCE, COL_OPTIONS, COL_MEMORY,
	COL_USED, COL_MOVES, COL_INFERRED, COL_REASON, COL_KERNEL,
};

static const struct mc_colinfo columns[] = {
	[COL_TARGET] = { "TARGET", 0.3, 0, MC_COL_STR, "mount point" },
	[COL_TYPE] = { "TYPE", 7, 0, MC_COL_STR, "cgroup (v1) or cgroup2" },
	[COL_ROOT] = { "ROOT", 0.1, 0, MC_COL_STR,
		       "root of the mount within the hierarchy" },
	[COL_SOURCE] = { "SOURCE", 0.1, 0, MC_COL_STR, "mount source" },
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

static struct poptOption mounts_popt[] = {
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, mc_output_popt, 0,
	  "Output options:", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, mc_global_popt, 0,
	  "Global options:", NULL },
	POPT_TABLEEND
};

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

static void summary(const struct mc_hier *used, const struct mc_kernel *k,
		    const struct mc_error *why, FILE *out)
{
	char reason[256];

	if (!used) {
		fprintf(out, "memcg: %s\n", why->msg);
		return;
	}
	fprintf(out, "memcg uses the memory hierarchy at %s; %s%s\n",
		used->target,
		mc_charge_cap_reason(mc_charge_cap(used, k), k, reason,
				     sizeof(reason)),
		" (inferred from the kernel version)");
}

static int list(void)
{
	const struct mc_hier *used;
	struct mc_mounts m;
	struct mc_kernel k;
	struct mc_table t;
	struct mc_error e, why;

	if (mc_table_init(&t, "mounts", columns, NCOLS, default_cols, &mc_out, &e) < 0)
		return mc_fail(MC_EXIT_USAGE, &e);
	if (mc_mounts_load(&m, mc_g.sysroot, &e) < 0 ||
	    mc_kernel_read(&k, mc_g.sysroot, &e) < 0) {
		mc_table_free(&t);
		return mc_fail(MC_EXIT_FAIL, &e);
	}
	used = mc_mounts_memory(&m, mc_g.mount, &why);
	if (!used && mc_g.mount) {
		mc_mounts_free(&m);
		mc_table_free(&t);
		return mc_fail(why.code == EINVAL ? MC_EXIT_USAGE : MC_EXIT_FAIL,
			       &why);
	}
	for (size_t i = 0; i < m.n; i++)
		add_row(&t, &m.h[i], used, &k);
	mc_table_print(&t, stdout);
	summary(used, &k, &why, mc_out.json || mc_out.raw ? stderr : stdout);
	mc_table_free(&t);
	mc_mounts_free(&m);
	return MC_EXIT_OK;
}

int mc_cmd_mounts(int argc, const char **argv)
{
	poptContext ctx;
	int rc;

	ctx = mc_popt("mounts", argc, argv, mounts_popt, "[OPTIONS]", NULL,
		      &rc);
	if (!ctx)
		return rc;
	if (poptPeekArg(ctx))
		rc = mc_usage("mounts: unexpected argument '%s'",
			      poptPeekArg(ctx));
	else if (mc_list_columns)
		rc = mc_table_list_columns(columns, NCOLS, &mc_out, stdout);
	else
		rc = list();
	poptFreeContext(ctx);
	return rc;
}
