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
	char *recharge;
	char *rate;
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

/* --recharge and --rate (move_rc.c): parse them (a usage error is 2),
 * hand them to the engine, whether recharge was asked. */
int mc_move_rc_parse(void);
void mc_move_rc_request(struct mc_move_req *req);
bool mc_move_rc_asked(void);
/* The recharge columns' ids in the report's column table. */
struct mc_move_rc_cols {
	int recharged, anon, file, left, left_by, rss_before, rss_after, error,
	    time;
};
/* A row's recharge cells (nothing without a recharge result). */
void mc_move_rc_cells(struct mc_table *t, struct mc_line *ln,
		      const struct mc_move_rec *r,
		      const struct mc_move_rc_cols *c);
/* summary.recharged: the sum over every run; false: null. */
bool mc_move_rc_total(const struct mc_move_runs *runs, uint64_t *sum);
/* The summary line's recharge part, and the per-process warnings. */
void mc_move_rc_summary(const struct mc_move_runs *runs, FILE *out);
void mc_move_rc_warn(const struct mc_move *mv);
/* The exit status with recharge's rule: 0 becomes 64 when DEST's limit
 * or the kernel kept bytes in a source. */
int mc_move_rc_exit(const struct mc_move_runs *runs, int status);

/* --back REPORT: move each process still where the report left it back
 * to its origin. Returns the exit status. */
int mc_move_back(const struct mc_ctx *c, struct mc_table *t,
		 const struct mc_move_req *req, struct mc_move_runs *runs);

#endif
