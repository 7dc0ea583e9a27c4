/* memcg charge: read or set a cgroup's memory.move_charge_at_immigrate, and
 * --restore what a killed run left changed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "core/knob.h"
#include "memcg.h"
#include "output/table.h"

enum { COL_CGROUP, COL_MODE, COL_VALUE, COL_MOVES, COL_REASON };

static const struct mc_colinfo columns[] = {
	[COL_CGROUP] = { "CGROUP", 0.3, 0, MC_COL_STR, "memory cgroup" },
	[COL_MODE] = { "MODE", 5, 0, MC_COL_STR,
		       "none, anon, file or all" },
	[COL_VALUE] = { "VALUE", 5, MC_COLF_RIGHT, MC_COL_NUM,
			"the value of memory.move_charge_at_immigrate" },
	[COL_MOVES] = { "MOVES-CHARGE", 12, 0, MC_COL_BOOL,
			"whether this kernel acts on the value (inferred "
			"from its version)" },
	[COL_REASON] = { "REASON", 0.3, MC_COLF_WRAP, MC_COL_STR,
			 "why charges do or do not move" },
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static const int default_cols[] = { COL_CGROUP, COL_MODE, COL_VALUE,
				    COL_MOVES, -1 };

static int restore;
static struct poptOption charge_popt[] = {
	{ "restore", '\0', POPT_ARG_NONE, &restore, 0,
	  "restore settings left changed by a killed memcg run", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, mc_output_popt, 0,
	  "Output options:", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, mc_global_popt, 0,
	  "Global options:", NULL },
	POPT_TABLEEND
};

static void notice(const char *msg)
{
	mc_warn("%s", msg);
}

static int show(const struct mc_cgroup *cg, const struct mc_kernel *k)
{
	enum mc_charge_cap cap = mc_charge_cap(cg->hier, k);
	struct mc_line *ln;
	struct mc_table t;
	struct mc_error e;
	char why[256];
	int val;

	if (mc_table_init(&t, "cgroups", columns, NCOLS, default_cols, &mc_out, &e) < 0)
		return mc_fail(MC_EXIT_USAGE, &e);
	if (mc_real_ops.knob_read(cg, &val, &e) < 0) {
		mc_table_free(&t);
		return mc_fail(MC_EXIT_FAIL, &e);
	}
	ln = mc_table_line(&t, NULL);
	mc_cell_str(&t, ln, COL_CGROUP, cg->path);
	mc_cell_str(&t, ln, COL_MODE, mc_mode_name(val));
	mc_cell_num(&t, ln, COL_VALUE, true, val);
	mc_cell_bool(&t, ln, COL_MOVES, cap == MC_CAP_YES);
	mc_cell_str(&t, ln, COL_REASON,
		    mc_charge_cap_reason(cap, k, why, sizeof(why)));
	mc_table_print(&t, stdout);
	mc_table_free(&t);
	return MC_EXIT_OK;
}

static int set(const struct mc_cgroup *cg, const struct mc_kernel *k, int val)
{
	struct mc_error e;
	char why[256];

	if (mc_knob_repair(notice, &e) < 0)
		mc_warn("%s", e.msg);
	/* the same lock as memcg move: never interleave with a run */
	if (flock(cg->dfd, LOCK_EX | LOCK_NB) < 0)
		return mc_warn("'%s' is locked by a memcg move in progress; "
			       "try again when it ends", cg->path),
		       MC_EXIT_FAIL;
	if (mc_real_ops.knob_write(cg, val, &e) == 0)
		return MC_EXIT_OK;
	if (e.code == EINVAL && val != 0) {
		/* 6.13+: only 0 is accepted (aa6b4fdf5940, docs §1) */
		mc_warn("cannot set %s of '%s' to %d (%s): %s", MC_KNOB,
			cg->path, val, mc_mode_name(val),
			mc_charge_cap_reason(MC_CAP_NO_REMOVED, k, why,
					     sizeof(why)));
		return MC_EXIT_NOCHARGE;
	}
	return mc_fail(MC_EXIT_FAIL, &e);
}

static int run(const char *name, const char *mode)
{
	const struct mc_hier *h;
	struct mc_cgroup cg;
	struct mc_mounts m;
	struct mc_kernel k;
	struct mc_error e;
	int rc, val = -1;

	if (mode && (val = mc_mode_parse(mode)) < 0)
		return mc_usage("charge: '%s' is not one of none, anon, file, "
				"all", mode);
	if (mode && mc_g.sysroot)
		return mc_usage("charge: --sysroot is for reading; it cannot "
				"set a mode");
	rc = mc_load_hier(&m, &h);
	if (rc)
		return rc;
	if (mc_kernel_read(&k, mc_g.sysroot, &e) < 0 ||
	    mc_cgroup_open(&cg, &m, h, name, mode ? MC_CG_WRITE : 0, &e) < 0) {
		mc_mounts_free(&m);
		return mc_fail(e.code == EINVAL ? MC_EXIT_USAGE : MC_EXIT_FAIL,
			       &e);
	}
	rc = mode ? set(&cg, &k, val) : show(&cg, &k);
	mc_cgroup_close(&cg);
	mc_mounts_free(&m);
	return rc;
}

static int repair(void)
{
	struct mc_error e;
	int n;

	if (mc_g.sysroot)
		return mc_usage("--restore changes cgroups; it cannot be used "
				"with --sysroot");
	n = mc_knob_repair(notice, &e);
	if (n < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	if (n == 0)
		fprintf(stderr, "memcg: nothing to restore\n");
	return MC_EXIT_OK;
}

int mc_cmd_charge(int argc, const char **argv)
{
	const char **args;
	poptContext ctx;
	int rc, n = 0;

	ctx = mc_popt("charge", argc, argv, charge_popt,
		      "[OPTIONS] CGROUP [none|anon|file|all] | --restore", NULL,
		      &rc);
	if (!ctx)
		return rc;
	args = poptGetArgs(ctx);
	while (args && args[n])
		n++;
	if (mc_list_columns)
		rc = mc_table_list_columns(columns, NCOLS, &mc_out, stdout);
	else if (restore)
		rc = n ? mc_usage("charge: --restore takes no arguments")
		       : repair();
	else if (n < 1 || n > 2)
		rc = mc_usage("charge: expected CGROUP and an optional mode");
	else
		rc = run(args[0], n == 2 ? args[1] : NULL);
	poptFreeContext(ctx);
	return rc;
}
