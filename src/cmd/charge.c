/* memcg charge: read or set a cgroup's memory.move_charge_at_immigrate, and
 * --restore what a killed run left changed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/knob.h"
#include "core/lock.h"
#include "output/table.h"

enum { COL_CGROUP, COL_MODE, COL_VALUE, COL_MOVES, COL_REASON };

static const struct mc_colinfo columns[] = {
	[COL_CGROUP] = { "CGROUP", 0.3, MC_COLF_PATH, MC_COL_STR,
			 "memory cgroup" },
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
struct poptOption mc_charge_options[] = {
	{ "restore", '\0', POPT_ARG_NONE, &restore, 0,
	  "restore settings left changed by a killed memcg run", NULL },
	POPT_TABLEEND
};

const struct mc_colinfo *mc_charge_columns(size_t *n)
{
	*n = NCOLS;
	return columns;
}

static void notice(const char *msg)
{
	mc_warn("%s", msg);
}

static int show(const struct mc_ctx *c, const struct mc_cgroup *cg,
		const struct mc_kernel *k)
{
	enum mc_charge_cap cap = mc_charge_cap(cg->hier, k);
	struct mc_line *ln;
	struct mc_table t;
	struct mc_error e;
	char why[256];
	int val = 0;

	if (mc_table_init(&t, "cgroups", columns, NCOLS, default_cols, c->out,
			  &e) < 0)
		return mc_fail(MC_EXIT_USAGE, &e);
	/* v2 has no knob (docs §8): the row says why, MODE and VALUE null */
	if (cap != MC_CAP_NO_V2 && mc_knob_read(cg, &val, &e) < 0) {
		mc_table_free(&t);
		return mc_fail(MC_EXIT_FAIL, &e);
	}
	ln = mc_table_line(&t, NULL);
	mc_cell_str(&t, ln, COL_CGROUP, cg->path);
	mc_cell_str(&t, ln, COL_MODE,
		    cap == MC_CAP_NO_V2 ? NULL : mc_mode_name(val));
	mc_cell_num(&t, ln, COL_VALUE, cap != MC_CAP_NO_V2, val);
	mc_cell_bool(&t, ln, COL_MOVES, cap == MC_CAP_YES);
	mc_cell_str(&t, ln, COL_REASON,
		    mc_charge_cap_reason(cap, k, why, sizeof(why)));
	mc_table_print(&t, stdout);
	mc_table_free(&t);
	if (cap == MC_CAP_NO_V2)
		mc_warn("'%s' is on cgroup v2, which has no %s: the kernel "
			"never moves charges there", cg->path, MC_KNOB);
	return MC_EXIT_OK;
}

static int set(const struct mc_cgroup *cg, const struct mc_kernel *k, int val)
{
	struct mc_error e;
	char why[256];

	if (cg->hier->type == MC_V2) {
		if (val == MC_CHARGE_NONE) {
			mc_warn("'%s' is on cgroup v2, which never moves "
				"charges: nothing to set", cg->path);
			return MC_EXIT_OK;
		}
		mc_warn("cannot set '%s' to move charges (%s): cgroup v2 has "
			"no %s and never moves charges", cg->path,
			mc_mode_name(val), MC_KNOB);
		return MC_EXIT_NOCHARGE;
	}
	if (mc_knob_repair(notice, &e) < 0)
		mc_warn("%s", e.msg);
	/* the same lock as memcg move: never interleave with a run */
	if (mc_lock_fd(cg->dfd) != 0)
		return mc_warn("'%s' is locked by a memcg move in progress; "
			       "try again when it ends", cg->path),
		       MC_EXIT_FAIL;
	if (mc_knob_write(cg, val, &e) == 0)
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

static int run(struct mc_ctx *c, const char *name, const char *mode)
{
	struct mc_cgroup cg;
	struct mc_kernel k;
	struct mc_error e;
	int rc, val = -1;

	if (mode && (val = mc_mode_parse(mode, false)) < 0)
		return mc_usage("charge: '%s' is not one of none, anon, file, "
				"all", mode);
	rc = mc_begin(c, mode ? "it cannot set a mode" : NULL);
	if (rc)
		return rc;
	if (mc_kernel_read(&k, c->sysroot, &e) < 0 ||
	    mc_cgroup_open(&cg, &c->m, c->h, name, mode ? MC_CG_WRITE : 0,
			   &e) < 0)
		return mc_fail_setup(&e);
	rc = mode ? set(&cg, &k, val) : show(c, &cg, &k);
	mc_cgroup_close(&cg);
	return rc;
}

/* Loads no hierarchy: the records say what to restore. */
static int repair(const struct mc_ctx *c)
{
	struct mc_error e;
	int n = mc_refuse_sysroot(c, "--restore changes cgroups");

	if (n)
		return n;
	n = mc_knob_repair(notice, &e);
	if (n < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	if (n == 0)
		fprintf(stderr, "memcg: nothing to restore\n");
	return MC_EXIT_OK;
}

int mc_cmd_charge(struct mc_ctx *c)
{
	if (restore)
		return c->nargs ? mc_usage("charge: --restore takes no "
					   "arguments")
				: repair(c);
	if (c->nargs < 1 || c->nargs > 2)
		return mc_usage("charge: expected CGROUP and an optional mode");
	return run(c, c->args[0], c->nargs == 2 ? c->args[1] : NULL);
}
