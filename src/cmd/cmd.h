/* The commands, and what each gets from main (memcg.c): its entry in the
 * command table with flags, the parsed options and operands, the memory
 * hierarchy; exit statuses and the message helpers every command uses. */
#ifndef MEMCG_CMD_H
#define MEMCG_CMD_H

#include <popt.h>
#include <stdbool.h>
#include <stdint.h>
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
	MC_EXIT_EXEC_FAIL = 125,	/* exec: memcg's own failure */
	MC_EXIT_CANNOT_RUN = 126,	/* exec: COMMAND is not executable */
	MC_EXIT_NOT_FOUND = 127,	/* exec: COMMAND was not found */
	MC_EXIT_SIGINT = 130,
	MC_EXIT_SIGTERM = 143,
};

/* What a command asks of main, by its entry in the command table. */
enum {
	/* the mount table, and the memory hierarchy if there is one (a
	 * --mount that names none is an error) */
	MC_CMD_MOUNTS = 1 << 0,
	/* a memory hierarchy it cannot do without (implies MC_CMD_MOUNTS) */
	MC_CMD_HIER = 1 << 1,
	/* may write: a run that does is refused under --sysroot */
	MC_CMD_WRITES = 1 << 2,
	/* prints a table: the output options, -H/--list-columns */
	MC_CMD_COLUMNS = 1 << 3,
	/* runs a command given after its operands: options end at the first
	 * operand, and its own failures exit 125 (as env(1)) */
	MC_CMD_COMMAND = 1 << 4,
};

struct mc_ctx;

struct mc_cmd {
	const char *name;
	int (*run)(struct mc_ctx *c);
	unsigned flags;			/* MC_CMD_* */
	/* its own options, or NULL. One with a val (1..15) may be given
	 * once: main says so when it is given twice */
	struct poptOption *options;
	/* MC_CMD_COLUMNS: the columns -H lists, after options are parsed */
	const struct mc_colinfo *(*columns)(size_t *n);
	/* the key of its -J document, printed empty on a path that prints
	 * none (its table may name another: where -s) */
	const char *doc;
	const char *args;		/* synopsis after the options */
	const char *summary;
};

/* What main hands a command. */
struct mc_ctx {
	const struct mc_cmd *cmd;
	const char **args;		/* operands, NULL-terminated */
	size_t nargs;
	const struct mc_out_opts *out;	/* -o, --output-all, -J, -r, -n, -b,
					 * -P, -u, --width */
	const char *sysroot;		/* --sysroot DIR, or NULL */
	const char *mount;		/* --mount PATH, or NULL */
	/* set by mc_begin(), as the flags ask */
	bool loaded;
	struct mc_mounts m;
	const struct mc_hier *h;	/* NULL: none (MC_CMD_MOUNTS only) */
	struct mc_error why;		/* why h is NULL */
};

/* --sysroot is for reading: a usage error when this run writes. writes is
 * what the refusal says after "CMD: --sysroot is for reading; " (NULL: this
 * run writes nothing). Only for commands flagged MC_CMD_WRITES. Returns 0
 * or the exit status. */
int mc_refuse_sysroot(const struct mc_ctx *c, const char *writes);
/* The usage checks are done: mc_refuse_sysroot(), then load what the
 * command's flags ask for (main frees it after the command). Returns 0 or
 * an exit status. */
int mc_begin(struct mc_ctx *c, const char *writes);

/* Whether stdout is for programs (-J, -r, -n, -P): it holds the rows
 * alone, and summaries go to stderr (DESIGN, Settlements: Streams). */
bool mc_stdout_is_data(const struct mc_ctx *c);

int mc_cmd_move(struct mc_ctx *c);
extern struct poptOption mc_move_options[];
const struct mc_colinfo *mc_move_columns(size_t *n);

int mc_cmd_mounts(struct mc_ctx *c);
const struct mc_colinfo *mc_mounts_columns(size_t *n);

int mc_cmd_charge(struct mc_ctx *c);
extern struct poptOption mc_charge_options[];
const struct mc_colinfo *mc_charge_columns(size_t *n);

int mc_cmd_where(struct mc_ctx *c);
extern struct poptOption mc_where_options[];
const struct mc_colinfo *mc_where_columns(size_t *n);

int mc_cmd_ps(struct mc_ctx *c);
extern struct poptOption mc_ps_options[];
const struct mc_colinfo *mc_ps_columns(size_t *n);

int mc_cmd_exec(struct mc_ctx *c);

int mc_cmd_show(struct mc_ctx *c);
extern struct poptOption mc_show_options[];
const struct mc_colinfo *mc_show_columns(size_t *n);

/* Progress (progress.c) of work that may take long: one line on stderr,
 * "memcg: WHAT: DONE of TOTAL [UNIT], RATE/s, TIME left", shown after about
 * a second and redrawn a few times a second, only when stderr is a
 * terminal and never with -J. A message clears it first; it comes back at
 * the next update. */
struct mc_progress {
	bool on;
	char what[48];		/* "where 4242", "ps" */
	const char *unit;	/* "processes"; NULL: bytes, shown as sizes */
	uint64_t total, done;
	uint64_t start, last;	/* milliseconds, monotonic */
};
void mc_progress_start(struct mc_progress *p, const struct mc_ctx *c,
		       const char *what, const char *unit, uint64_t total);
/* done so far; cheap enough to call per item */
void mc_progress_update(struct mc_progress *p, uint64_t done);
/* The work is over: the line is cleared. */
void mc_progress_end(struct mc_progress *p);
/* Clear whatever line of progress is shown (before a message). */
void mc_progress_hide(void);

/* Messages (common.c): "memcg: ..." on stderr, encoded as table cells are
 * (\xHH for control characters and invalid bytes): a cgroup name holding
 * ESC never reaches the terminal raw. */
void mc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print e and return status. */
int mc_fail(int status, const struct mc_error *e);
/* A setup step failed: a name that is wrong in itself (EINVAL) is a usage
 * error, anything else a failure. Prints e, returns the status. */
int mc_fail_setup(const struct mc_error *e);
/* A usage error: the message, a hint at --help; returns MC_EXIT_USAGE. */
int mc_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* PIDs as operands: every one strict (1..INT_MAX), none twice. *pids is
 * for free(); *n may be 0. Returns 0 or an exit status (usage error). */
int mc_pid_operands(const char **args, pid_t **pids, size_t *n);

#endif
