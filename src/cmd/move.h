/* memcg move's files in cmd/, and what they share: the options and the run
 * (move.c), the report, its summary and the exit status (move_report.c),
 * undo from a saved report (back.c). A report covers one engine run, or
 * several for --back (one per origin cgroup). */
#ifndef MEMCG_CMD_MOVE_H
#define MEMCG_CMD_MOVE_H

#include <signal.h>

#include "cmd/cmd.h"
#include "core/move.h"
#include "output/table.h"

struct mc_move_opts {
	char *charge;
	char *from;
	char *wait;
	char *also;
	char *back;
	int keep_setting, require_charge, atomic, dry_run, exact, force;
};
extern struct mc_move_opts mc_mopt;

/* The report's table with the defaults these options ask for; the columns
 * of -o when the fallback is false, the defaults alone when it is true (a
 * document after a bad -o). */
int mc_move_table(struct mc_table *t, const struct mc_ctx *c, bool fallback,
		  struct mc_error *e);

/* The dry run predicts when the columns show it (PREDICTED, UNSEEN). */
bool mc_move_table_predicts(const struct mc_table *t);

/* The runs one report shows (one, or --back's), and whether the report,
 * or under -J the document, went out. */
struct mc_move_runs {
	struct mc_move **v;
	size_t n;
	int rc;			/* -1: a run could not start or finish */
	bool printed;
};

/* The rows, the failures and notes on stderr, the summary line (stdout in
 * plain table mode, else stderr) and, under -J, the summary object. */
void mc_move_report(const struct mc_ctx *c, struct mc_table *t,
		    struct mc_move_runs *runs);
/* Under -J, when no report went out: the document with the rows there are
 * (often none) and the summary, whatever ended the run. */
void mc_move_doc(const struct mc_ctx *c, struct mc_move_runs *runs);
/* The exit status of memcg-move(8) over every run. */
int mc_move_exit(const struct mc_move_runs *runs);

/* What the engine is asked, from the options and the columns. */
void mc_move_request(struct mc_move_req *req, const struct mc_ctx *c,
		     const struct mc_table *t, enum mc_charge_mode mode,
		     int wait);
/* The stop flag the signal handlers set, and catching them. */
extern volatile sig_atomic_t mc_move_stop;
void mc_move_catch_signals(void);
/* Erase the progress line, if one is shown, before the report. */
void mc_move_progress_end(void);

/* --back REPORT: move each process still where the report left it back
 * to its origin. Returns the exit status. */
int mc_move_back(const struct mc_ctx *c, struct mc_table *t,
		 const struct mc_move_req *req, struct mc_move_runs *runs);

#endif
