/* What main() gives the commands: global options, exit statuses, option
 * parsing and message helpers. */
#ifndef MEMCG_H
#define MEMCG_H

#include <popt.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/mounts.h"
#include "output/table.h"

enum {
	MC_EXIT_OK = 0,
	MC_EXIT_FAIL = 1,	/* failure; nothing was changed */
	MC_EXIT_USAGE = 2,
	MC_EXIT_NOCHARGE = 3,	/* charge cannot move and that was required */
	MC_EXIT_PARTIAL = 64,	/* some processes moved, others failed */
	MC_EXIT_SIGINT = 130,
	MC_EXIT_SIGTERM = 143,
};

struct mc_global {
	char *mount;		/* --mount PATH */
	char *sysroot;		/* --sysroot DIR */
	int help;
};
extern struct mc_global mc_g;
extern struct poptOption mc_global_popt[];

/* The output options (-o, --output-all, -J, -r, -n, -b) and -H. */
extern struct mc_out_opts mc_out;
extern int mc_list_columns;
extern struct poptOption mc_output_popt[];

struct mc_cmd {
	const char *name;
	int (*run)(int argc, const char **argv);
	const char *args;	/* synopsis after the options */
	const char *summary;
};
extern const struct mc_cmd mc_commands[];

/* Parse a command's options. Options with a non-zero val are handed to
 * on_opt (may be NULL), which returns 0 or an exit status. Returns the
 * context positioned after the options (operands from poptGetArgs), or NULL
 * after printing help (*rc 0) or a usage error (*rc 2). */
poptContext mc_popt(const char *cmd, int argc, const char **argv,
		    const struct poptOption *table, const char *args,
		    int (*on_opt)(int val, poptContext ctx), int *rc);

void mc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "memcg: <msg>" and return status. */
int mc_fail(int status, const struct mc_error *e);
int mc_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* PIDs as operands: every one strict (1..INT_MAX), none twice. *pids is
 * for free(); *n may be 0. Returns 0 or an exit status (usage error). */
int mc_pid_operands(const char **args, pid_t **pids, size_t *n);

/* Mounts and the memory hierarchy for commands that need one. */
int mc_load_hier(struct mc_mounts *m, const struct mc_hier **h);

#endif
