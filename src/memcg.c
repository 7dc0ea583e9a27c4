/* main(): global options, the command table with its flags, option parsing,
 * the steps commands share (--list-columns, the --sysroot refusal, loading
 * the hierarchy), dispatch, exit status. */
#include "cmd/cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const struct mc_cmd commands[] = {
	{ "move", mc_cmd_move, MC_CMD_HIER | MC_CMD_WRITES | MC_CMD_COLUMNS,
	  mc_move_options, mc_move_columns, "processes",
	  "[OPTIONS] DEST PID... | --from SRC DEST | --back REPORT",
	  "move processes into a memory cgroup and report their charge" },
	{ "mounts", mc_cmd_mounts, MC_CMD_MOUNTS | MC_CMD_COLUMNS, NULL,
	  mc_mounts_columns, "mounts", "[OPTIONS]",
	  "list memory hierarchies and whether charges can move" },
	{ "charge", mc_cmd_charge, MC_CMD_HIER | MC_CMD_WRITES | MC_CMD_COLUMNS,
	  mc_charge_options, mc_charge_columns, "cgroups",
	  "[OPTIONS] CGROUP [none|anon|file|all] | --restore",
	  "read or set memory.move_charge_at_immigrate" },
	{ "where", mc_cmd_where, MC_CMD_HIER | MC_CMD_COLUMNS,
	  mc_where_options, mc_where_columns, "charges", "[OPTIONS] PID...",
	  "show which memory cgroups a process's pages are charged to" },
	{ "ps", mc_cmd_ps, MC_CMD_HIER | MC_CMD_COLUMNS, mc_ps_options,
	  mc_ps_columns, "processes", "[OPTIONS] CGROUP",
	  "list the processes of a memory cgroup and where they are charged" },
	{ "exec", mc_cmd_exec, MC_CMD_HIER | MC_CMD_WRITES | MC_CMD_COMMAND,
	  NULL, NULL, NULL, "[OPTIONS] DEST [--] COMMAND [ARGS...]",
	  "run a command inside a memory cgroup" },
	{ "show", mc_cmd_show, MC_CMD_HIER | MC_CMD_COLUMNS, mc_show_options,
	  mc_show_columns, "cgroups", "[OPTIONS] [CGROUP...]",
	  "show memory cgroups as a tree with their usage and limits" },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL },
};

static struct {
	char *mount;		/* --mount PATH */
	char *sysroot;		/* --sysroot DIR */
	int help;
} g;

static struct poptOption global_popt[] = {
	{ "mount", '\0', POPT_ARG_STRING, &g.mount, 0,
	  "use the memory hierarchy mounted at PATH", "PATH" },
	{ "sysroot", '\0', POPT_ARG_STRING, &g.sysroot, 0,
	  "read /proc and mounts below DIR (read-only commands)", "DIR" },
	{ "help", 'h', POPT_ARG_NONE, &g.help, 0, "show this help", NULL },
	POPT_TABLEEND
};

/* The output options belong to the command line; output/ gets out.o. */
static struct {
	struct mc_out_opts o;
	int list_columns;
	char *width;		/* --width N, checked after parsing */
} out;

static struct poptOption output_popt[] = {
	{ "output", 'o', POPT_ARG_STRING, &out.o.output, 0,
	  "columns to print (+COL adds to the defaults)", "LIST" },
	{ "output-all", '\0', POPT_ARG_NONE, &out.o.output_all, 0,
	  "print all columns", NULL },
	{ "json", 'J', POPT_ARG_NONE, &out.o.json, 0,
	  "JSON output (sizes in bytes)", NULL },
	{ "raw", 'r', POPT_ARG_NONE, &out.o.raw, 0, "raw output", NULL },
	{ "noheadings", 'n', POPT_ARG_NONE, &out.o.noheadings, 0,
	  "do not print headings", NULL },
	{ "pairs", 'P', POPT_ARG_NONE, &out.o.pairs, 0,
	  "print KEY=\"value\" pairs, one line per row", NULL },
	{ "notruncate", 'u', POPT_ARG_NONE, &out.o.notruncate, 0,
	  "do not truncate text in columns", NULL },
	{ "width", '\0', POPT_ARG_STRING, &out.width, 0,
	  "format the table for N columns, terminal or not", "N" },
	{ "bytes", 'b', POPT_ARG_NONE, &out.o.bytes, 0,
	  "print sizes in bytes", NULL },
	{ "list-columns", 'H', POPT_ARG_NONE, &out.list_columns, 0,
	  "list the available columns", NULL },
	POPT_TABLEEND
};

static int version;
static int list_commands;
static struct poptOption top_popt[] = {
	{ "version", 'V', POPT_ARG_NONE, &version, 0, "print the version",
	  NULL },
	{ "list-commands", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN,
	  &list_commands, 0, "list the commands (for completion)", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, global_popt, 0,
	  "Global options:", NULL },
	POPT_TABLEEND
};

/* popt reads "-1" as an option; name the real problem instead. A command
 * that runs a command stops at its first operand: the rest is not ours. */
static int negative_operand(int argc, const char **argv, bool first_operand)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--") || (first_operand && a[0] != '-'))
			break;
		if (a[0] == '-' && a[1] >= '0' && a[1] <= '9')
			return mc_usage("'%s': negative numbers are not valid "
					"(PIDs, seconds and depths are "
					"positive)", a);
	}
	return 0;
}

/* The command's own options, the output options of a command with a table,
 * the global options: help lists them in that order. */
static void options_of(const struct mc_cmd *cmd, struct poptOption t[4])
{
	size_t n = 0;

	memset(t, 0, 4 * sizeof(*t)); /* ends with POPT_TABLEEND */
	if (cmd->options)
		t[n++] = (struct poptOption){ NULL, '\0',
					      POPT_ARG_INCLUDE_TABLE,
					      cmd->options, 0, NULL, NULL };
	if (cmd->flags & MC_CMD_COLUMNS)
		t[n++] = (struct poptOption){ NULL, '\0',
					      POPT_ARG_INCLUDE_TABLE,
					      output_popt, 0,
					      "Output options:", NULL };
	t[n] = (struct poptOption){ NULL, '\0', POPT_ARG_INCLUDE_TABLE,
				    global_popt, 0, "Global options:", NULL };
}

/* An option of the command with a val may be given once; popt keeps only
 * the last value, so the first is kept here to be freed. */
static int given_once(const struct mc_cmd *cmd, int val)
{
	static char *first[16];
	static unsigned seen;
	const struct poptOption *o = cmd->options;

	while (o && (o->longName || o->shortName) && o->val != val)
		o++;
	if (!o || val <= 0 || val >= 16 || o->val != val)
		return 0;
	if (seen & (1u << val)) {
		free(first[val]);
		return mc_usage("--%s may be given once", o->longName);
	}
	seen |= 1u << val;
	if (o->argInfo == POPT_ARG_STRING)
		first[val] = *(char **)o->arg;
	return 0;
}

/* Parse a command's options. Returns the context positioned at the
 * operands, or NULL after printing help (*rc 0) or a usage error. */
static poptContext parse(const struct mc_cmd *cmd, int argc,
			 const char **argv, int *rc)
{
	static char name[64]; /* popt keeps argv[0] for its help text */
	struct poptOption table[4];
	poptContext ctx;
	int c;

	*rc = negative_operand(argc, argv, cmd->flags & MC_CMD_COMMAND);
	if (*rc)
		return NULL;
	snprintf(name, sizeof(name), "memcg %s", cmd->name);
	argv[0] = name;
	options_of(cmd, table);
	ctx = poptGetContext(name, argc, argv, table,
			     cmd->flags & MC_CMD_COMMAND
				     ? POPT_CONTEXT_POSIXMEHARDER
				     : 0);
	poptSetOtherOptionHelp(ctx, cmd->args);
	while ((c = poptGetNextOpt(ctx)) > 0)
		if ((*rc = given_once(cmd, c)) != 0)
			goto stop;
	if (c < -1) {
		*rc = mc_usage("%s: %s", poptBadOption(ctx, 0), poptStrerror(c));
		goto stop;
	}
	if (g.help) {
		poptPrintHelp(ctx, stdout, 0);
		*rc = MC_EXIT_OK;
		goto stop;
	}
	return ctx;
stop:
	poptFreeContext(ctx);
	return NULL;
}

int mc_refuse_sysroot(const struct mc_ctx *c, const char *writes)
{
	if ((c->cmd->flags & MC_CMD_WRITES) && writes && c->sysroot)
		return mc_usage("%s: --sysroot is for reading; %s",
				c->cmd->name, writes);
	return 0;
}

int mc_begin(struct mc_ctx *c, const char *writes)
{
	unsigned flags = c->cmd->flags;
	struct mc_error e;
	int rc = mc_refuse_sysroot(c, writes);

	if (rc || !(flags & (MC_CMD_MOUNTS | MC_CMD_HIER)))
		return rc;
	if (mc_mounts_load(&c->m, c->sysroot, &e) < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	c->loaded = true;
	c->h = mc_mounts_memory(&c->m, c->mount, &c->why);
	/* without --mount, a command that can do without one goes on */
	if (!c->h && ((flags & MC_CMD_HIER) || c->mount))
		return mc_fail_setup(&c->why);
	return 0;
}

bool mc_stdout_is_data(const struct mc_ctx *c)
{
	const struct mc_out_opts *o = c->out;

	return o->json || o->raw || o->noheadings || o->pairs;
}

/* --width N: a number of columns, strictly (util-linux's strtou32_or_err),
 * never a silent 0. */
static int parse_width(void)
{
	char *end;
	long v;

	if (!out.width)
		return 0;
	errno = 0;
	v = strtol(out.width, &end, 10);
	if (out.width[0] < '0' || out.width[0] > '9' || *end || errno ||
	    v < 1 || v > INT_MAX)
		return mc_usage("--width: '%s' is not a number of columns (1 "
				"or more)", out.width);
	out.o.width = (size_t)v;
	return 0;
}

static int list_columns(const struct mc_cmd *cmd)
{
	size_t n;
	const struct mc_colinfo *info = cmd->columns(&n);

	return mc_table_list_columns(info, n, &out.o, stdout) < 0
		       ? MC_EXIT_FAIL
		       : MC_EXIT_OK;
}

/* Parse, then -H or the command; what main loaded for it is freed here. */
static int dispatch(const struct mc_cmd *cmd, int argc, const char **argv)
{
	static const char *none[] = { NULL };
	struct mc_ctx c = { .cmd = cmd, .out = &out.o };
	poptContext ctx;
	int rc;

	ctx = parse(cmd, argc, argv, &rc);
	/* from here on -J owes a document, whatever happens (help aside) */
	if (out.o.json && cmd->doc && (ctx || rc))
		mc_doc_owe(cmd->doc);
	if (!ctx)
		goto out;
	c.args = poptGetArgs(ctx) ? poptGetArgs(ctx) : none;
	while (c.args[c.nargs])
		c.nargs++;
	c.sysroot = g.sysroot;
	c.mount = g.mount;
	rc = parse_width();
	if (!rc && (cmd->flags & MC_CMD_COLUMNS) && out.list_columns)
		rc = list_columns(cmd);
	else if (!rc)
		rc = cmd->run(&c);
	if (c.loaded)
		mc_mounts_free(&c.m);
	poptFreeContext(ctx);
out:
	mc_doc_settle(stdout);
	return rc;
}

static void top_help(poptContext ctx, FILE *f)
{
	poptPrintHelp(ctx, f, 0);
	fputs("\nCommands:\n", f);
	for (const struct mc_cmd *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fputs("\nSee memcg(8) and memcg-COMMAND(8).\n", f);
}

/* A move keeps descriptors open for each cgroup processes come from: use
 * what the hard limit allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Output a script depends on must not be lost silently (a full disk, a
 * closed pipe): as util-linux's close_stdout. */
static int close_stdout(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	if (errno != EPIPE)
		mc_warn("write error: %s", strerror(errno));
	return rc ? rc : MC_EXIT_FAIL;
}

static const struct mc_cmd *find_command(const char *name)
{
	for (const struct mc_cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* The command name and its arguments, or an exit status in *rc. */
static const struct mc_cmd *top_level(poptContext ctx, const char ***rest,
				      int *rc)
{
	const struct mc_cmd *cmd;
	int c;

	*rc = MC_EXIT_OK;
	while ((c = poptGetNextOpt(ctx)) > 0)
		;
	if (c < -1) {
		*rc = mc_usage("%s: %s", poptBadOption(ctx, 0), poptStrerror(c));
		return NULL;
	}
	if (version) {
		printf("memcg %s\n", MEMCG_VERSION);
		return NULL;
	}
	if (list_commands) {
		for (cmd = commands; cmd->name; cmd++)
			printf("%s\n", cmd->name);
		return NULL;
	}
	*rest = poptGetArgs(ctx);
	if (g.help) {
		top_help(ctx, stdout);
		return NULL;
	}
	if (!*rest) {
		*rc = mc_usage("no command given");
		return NULL;
	}
	cmd = find_command((*rest)[0]);
	if (!cmd)
		*rc = mc_usage("'%s' is not a memcg command", (*rest)[0]);
	return cmd;
}

int main(int argc, const char **argv)
{
	const struct mc_cmd *cmd;
	const char **rest = NULL, **sub;
	poptContext ctx;
	int n = 0, rc;

	/* stop at the command name: its options belong to it */
	ctx = poptGetContext("memcg", argc, argv, top_popt,
			     POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(ctx, "[OPTIONS] COMMAND [ARGS...]");
	cmd = top_level(ctx, &rest, &rc);
	if (!cmd)
		goto out;
	while (rest[n])
		n++;
	/* the command gets its own argv: popt owns the strings in rest */
	sub = calloc((size_t)n + 1, sizeof(*sub));
	if (!sub) {
		rc = MC_EXIT_FAIL;
		goto out;
	}
	memcpy(sub, rest, (size_t)n * sizeof(*sub));
	/* a command memcg runs keeps the limits it was given */
	if (!(cmd->flags & MC_CMD_COMMAND))
		raise_fd_limit();
	rc = dispatch(cmd, n, sub);
	/* as env(1): memcg's own failures, usage errors included, are 125;
	 * 126 and 127 say the command could not be run */
	if ((cmd->flags & MC_CMD_COMMAND) && rc && rc != MC_EXIT_CANNOT_RUN &&
	    rc != MC_EXIT_NOT_FOUND)
		rc = MC_EXIT_EXEC_FAIL;
	free(sub);
out:
	poptFreeContext(ctx);
	return close_stdout(rc);
}
