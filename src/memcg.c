/* main(): global options, the command table, dispatch, exit status. */
#include "memcg.h"

#include "core/proc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int mc_cmd_move(int argc, const char **argv);
int mc_cmd_mounts(int argc, const char **argv);
int mc_cmd_charge(int argc, const char **argv);
int mc_cmd_where(int argc, const char **argv);
int mc_cmd_ps(int argc, const char **argv);

const struct mc_cmd mc_commands[] = {
	{ "move", mc_cmd_move, "[OPTIONS] DEST PID... | --from SRC DEST",
	  "move processes into a memory cgroup and report their charge" },
	{ "mounts", mc_cmd_mounts, "[OPTIONS]",
	  "list memory hierarchies and whether charges can move" },
	{ "charge", mc_cmd_charge, "[OPTIONS] CGROUP [none|anon|file|all]",
	  "read or set memory.move_charge_at_immigrate" },
	{ "where", mc_cmd_where, "[OPTIONS] PID...",
	  "show which memory cgroups a process's pages are charged to" },
	{ "ps", mc_cmd_ps, "[OPTIONS] CGROUP",
	  "list the processes of a memory cgroup and where they are charged" },
	{ NULL, NULL, NULL, NULL },
};

struct mc_global mc_g;

struct poptOption mc_global_popt[] = {
	{ "mount", '\0', POPT_ARG_STRING, &mc_g.mount, 0,
	  "use the memory hierarchy mounted at PATH", "PATH" },
	{ "sysroot", '\0', POPT_ARG_STRING, &mc_g.sysroot, 0,
	  "read /proc and mounts below DIR (read-only commands)", "DIR" },
	{ "help", 'h', POPT_ARG_NONE, &mc_g.help, 0, "show this help", NULL },
	POPT_TABLEEND
};

struct mc_out_opts mc_out;
int mc_list_columns;

struct poptOption mc_output_popt[] = {
	{ "output", 'o', POPT_ARG_STRING, &mc_out.output, 0,
	  "columns to print (+COL adds to the defaults)", "LIST" },
	{ "output-all", '\0', POPT_ARG_NONE, &mc_out.output_all, 0,
	  "print all columns", NULL },
	{ "json", 'J', POPT_ARG_NONE, &mc_out.json, 0,
	  "JSON output (sizes in bytes)", NULL },
	{ "raw", 'r', POPT_ARG_NONE, &mc_out.raw, 0, "raw output", NULL },
	{ "noheadings", 'n', POPT_ARG_NONE, &mc_out.noheadings, 0,
	  "do not print headings", NULL },
	{ "bytes", 'b', POPT_ARG_NONE, &mc_out.bytes, 0,
	  "print sizes in bytes", NULL },
	{ "list-columns", 'H', POPT_ARG_NONE, &mc_list_columns, 0,
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
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, mc_global_popt, 0,
	  "Global options:", NULL },
	POPT_TABLEEND
};

void mc_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("memcg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int mc_fail(int status, const struct mc_error *e)
{
	mc_warn("%s", e->msg);
	return status;
}

int mc_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("memcg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'memcg --help' or 'memcg COMMAND --help'.\n", stderr);
	return MC_EXIT_USAGE;
}

/* popt reads "-1" as an option; name the real problem instead. */
static int negative_operand(int argc, const char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (a[0] == '-' && a[1] >= '0' && a[1] <= '9')
			return mc_usage("'%s': negative numbers are not valid "
					"(PIDs and seconds are positive)", a);
	}
	return 0;
}

poptContext mc_popt(const char *cmd, int argc, const char **argv,
		    const struct poptOption *table, const char *args,
		    int (*on_opt)(int val, poptContext ctx), int *rc)
{
	static char name[64]; /* popt keeps argv[0] for its help text */
	poptContext ctx;
	int c;

	*rc = negative_operand(argc, argv);
	if (*rc)
		return NULL;
	snprintf(name, sizeof(name), "memcg %s", cmd);
	argv[0] = name;
	ctx = poptGetContext(name, argc, argv, table, 0);
	poptSetOtherOptionHelp(ctx, args);
	while ((c = poptGetNextOpt(ctx)) > 0)
		if (on_opt && (*rc = on_opt(c, ctx)) != 0) {
			poptFreeContext(ctx);
			return NULL;
		}
	if (c < -1) {
		*rc = mc_usage("%s: %s", poptBadOption(ctx, 0), poptStrerror(c));
		poptFreeContext(ctx);
		return NULL;
	}
	if (mc_g.help) {
		poptPrintHelp(ctx, stdout, 0);
		poptFreeContext(ctx);
		*rc = MC_EXIT_OK;
		return NULL;
	}
	return ctx;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int mc_pid_operands(const char **args, pid_t **pids, size_t *n)
{
	size_t count = 0;
	pid_t *sorted;

	while (args && args[count])
		count++;
	*n = 0;
	*pids = calloc(count ? count : 1, sizeof(**pids));
	sorted = calloc(count ? count : 1, sizeof(*sorted));
	if (!*pids || !sorted) {
		free(sorted);
		return MC_EXIT_FAIL;
	}
	for (size_t i = 0; i < count; i++)
		if (mc_parse_pid(args[i], &(*pids)[i]) < 0) {
			free(sorted);
			return mc_usage("'%s' is not a PID (1 to %d)", args[i],
					INT_MAX);
		}
	/* duplicates by sorting a copy: thousands of PIDs stay cheap */
	memcpy(sorted, *pids, count * sizeof(*sorted));
	qsort(sorted, count, sizeof(*sorted), cmp_pid);
	for (size_t i = 1; i < count; i++)
		if (sorted[i] == sorted[i - 1]) {
			pid_t dup = sorted[i];

			free(sorted);
			return mc_usage("PID %d is given twice", (int)dup);
		}
	free(sorted);
	*n = count;
	return 0;
}

int mc_load_hier(struct mc_mounts *m, const struct mc_hier **h)
{
	struct mc_error e;

	if (mc_mounts_load(m, mc_g.sysroot, &e) < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	*h = mc_mounts_memory(m, mc_g.mount, &e);
	if (!*h) {
		mc_mounts_free(m);
		return mc_fail(e.code == EINVAL ? MC_EXIT_USAGE : MC_EXIT_FAIL,
			       &e);
	}
	return 0;
}

static void top_help(poptContext ctx, FILE *out)
{
	poptPrintHelp(ctx, out, 0);
	fputs("\nCommands:\n", out);
	for (const struct mc_cmd *c = mc_commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fputs("\nSee memcg(8) and memcg-COMMAND(8).\n", out);
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
	for (const struct mc_cmd *c = mc_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, const char **argv)
{
	const struct mc_cmd *cmd;
	const char **rest, **sub;
	poptContext ctx;
	int c, n = 0, rc;

	/* stop at the command name: its options belong to it */
	ctx = poptGetContext("memcg", argc, argv, top_popt,
			     POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(ctx, "[OPTIONS] COMMAND [ARGS...]");
	while ((c = poptGetNextOpt(ctx)) > 0)
		;
	if (c < -1) {
		rc = mc_usage("%s: %s", poptBadOption(ctx, 0), poptStrerror(c));
		goto out;
	}
	rc = MC_EXIT_OK;
	if (version) {
		printf("memcg %s\n", MEMCG_VERSION);
		goto out;
	}
	if (list_commands) {
		for (cmd = mc_commands; cmd->name; cmd++)
			printf("%s\n", cmd->name);
		goto out;
	}
	rest = poptGetArgs(ctx);
	if (mc_g.help) {
		top_help(ctx, stdout);
		goto out;
	}
	if (!rest) {
		rc = mc_usage("no command given");
		goto out;
	}
	cmd = find_command(rest[0]);
	if (!cmd) {
		rc = mc_usage("'%s' is not a memcg command", rest[0]);
		goto out;
	}
	while (rest[n])
		n++;
	/* the command gets its own argv: popt owns the strings in rest */
	sub = calloc((size_t)n + 1, sizeof(*sub));
	if (!sub) {
		rc = MC_EXIT_FAIL;
		goto out;
	}
	memcpy(sub, rest, (size_t)n * sizeof(*sub));
	raise_fd_limit();
	rc = cmd->run(n, sub);
	free(sub);
out:
	poptFreeContext(ctx);
	return close_stdout(rc);
}
