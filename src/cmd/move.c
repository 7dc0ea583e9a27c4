/* memcg move: options, validation, the engine, the report. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/move.h"
#include "core/proc.h"
#include "core/size.h"
#include "output/table.h"

enum {
	COL_PID, COL_COMM, COL_FROM, COL_TO, COL_STATUS, COL_ERROR, COL_MOVED,
	COL_SRC_BEFORE, COL_SRC_AFTER, COL_DST_BEFORE, COL_DST_AFTER, COL_RSS,
	COL_TIME, COL_CHARGE, COL_NOISY, COL_ANON_MOVED, COL_FILE_MOVED,
	COL_LEFT, COL_UNSEEN, COL_PREDICTED, COL_ALSO,
};

static const struct mc_colinfo columns[] = {
	[COL_PID] = { "PID", 5, MC_COLF_RIGHT, MC_COL_NUM, "process ID" },
	[COL_COMM] = { "COMM", 0.1, MC_COLF_TRUNC, MC_COL_STR, "command name",
		       MC_MEASURE_COMM },
	[COL_FROM] = { "FROM", 0.2, MC_COLF_PATH, MC_COL_STR,
		       "memory cgroup the process came from" },
	[COL_TO] = { "TO", 0.2, MC_COLF_PATH, MC_COL_STR,
		     "destination memory cgroup" },
	[COL_STATUS] = { "STATUS", 8, 0, MC_COL_STR,
			 "moved, failed, exited, skipped, rolled-back, "
			 "planned or not-attempted" },
	[COL_ERROR] = { "ERROR", 0.3, MC_COLF_WRAP, MC_COL_STR,
			"errno name and reason of a failure" },
	[COL_MOVED] = { "MOVED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			"charge that moved with the process (see memcg-move(8))",
			MC_MEASURE_USAGE },
	[COL_SRC_BEFORE] = { "SRC-BEFORE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			     "source usage_in_bytes before the move",
			     MC_MEASURE_USAGE },
	[COL_SRC_AFTER] = { "SRC-AFTER", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "source usage_in_bytes after the move",
			    MC_MEASURE_USAGE },
	[COL_DST_BEFORE] = { "DST-BEFORE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			     "destination usage_in_bytes before the move",
			     MC_MEASURE_USAGE },
	[COL_DST_AFTER] = { "DST-AFTER", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "destination usage_in_bytes after the move",
			    MC_MEASURE_USAGE },
	[COL_RSS] = { "RSS", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		      "resident set size of the process",
		      MC_MEASURE_RSS },
	[COL_TIME] = { "TIME", 6, MC_COLF_RIGHT, MC_COL_NUM,
		       "microseconds the kernel took for the move" },
	[COL_CHARGE] = { "CHARGE", 7, 0, MC_COL_STR,
			 "charge the kernel was asked to move, refused, or "
			 "never (v2)" },
	[COL_NOISY] = { "NOISY", 5, 0, MC_COL_BOOL,
			"source and destination readings disagree by more "
			"than the per-CPU slack",
			MC_MEASURE_USAGE },
	[COL_ANON_MOVED] = { "ANON-MOVED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			     "--exact: anonymous bytes of the process now "
			     "charged to DEST that were not before" },
	[COL_FILE_MOVED] = { "FILE-MOVED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			     "--exact: file and shmem bytes of the process "
			     "now charged to DEST that were not before" },
	[COL_LEFT] = { "LEFT", 6, MC_COLF_RIGHT, MC_COL_SIZE,
		       "--exact: bytes of the process still charged to the "
		       "source" },
	[COL_UNSEEN] = { "UNSEEN", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			 "swapped bytes, which /proc cannot attribute" },
	[COL_PREDICTED] = { "PREDICTED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "--dry-run: bytes the kernel would move under the "
			    "mode" },
	[COL_ALSO] = { "ALSO", 0.1, MC_COLF_TRUNC, MC_COL_STR,
		       "--also: the other hierarchies the process went into" },
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static const int default_cols[] = {
	COL_PID, COL_COMM, COL_FROM, COL_TO, COL_STATUS, COL_MOVED,
	COL_SRC_BEFORE, COL_SRC_AFTER, COL_DST_BEFORE, COL_DST_AFTER, COL_RSS,
	COL_TIME, -1,
};
/* JSON carries the whole record by default (DESIGN: one document) */
static const int default_json_cols[] = {
	COL_PID, COL_COMM, COL_FROM, COL_TO, COL_STATUS, COL_ERROR, COL_MOVED,
	COL_SRC_BEFORE, COL_SRC_AFTER, COL_DST_BEFORE, COL_DST_AFTER, COL_RSS,
	COL_TIME, COL_CHARGE, COL_NOISY, -1,
};
static const int exact_cols[] = { COL_ANON_MOVED, COL_FILE_MOVED, COL_LEFT,
				  -1 };
static const int predict_cols[] = { COL_PREDICTED, -1 };
static const int also_cols[] = { COL_ALSO, -1 };

const struct mc_colinfo *mc_move_columns(size_t *n)
{
	*n = NCOLS;
	return columns;
}

/* The defaults, with the columns of --exact, --dry-run and --also added. */
static const int *defaults(bool json, bool exact, bool predict, bool also)
{
	static int cols[NCOLS + 1];
	size_t n = 0;
	const int *lists[] = { json ? default_json_cols : default_cols,
			       exact ? exact_cols : NULL,
			       predict ? predict_cols : NULL,
			       also ? also_cols : NULL };

	for (size_t l = 0; l < 4; l++)
		for (const int *c = lists[l]; c && *c >= 0; c++)
			cols[n++] = *c;
	if (json && (exact || predict))
		cols[n++] = COL_UNSEEN;
	cols[n] = -1;
	return cols;
}

static struct {
	char *charge;
	char *from;
	char *wait;
	char *also;
	int keep_setting, require_charge, atomic, dry_run, exact;
} opt;

/* given once each: main says so when one comes twice */
enum { OPT_CHARGE = 1, OPT_FROM, OPT_ALSO };

struct poptOption mc_move_options[] = {
	{ "charge", 'c', POPT_ARG_STRING, &opt.charge, OPT_CHARGE,
	  "charge to move: anon, file, all (default), none or keep", "MODE" },
	{ "from", 'f', POPT_ARG_STRING, &opt.from, OPT_FROM,
	  "move every process of SRC", "SRC" },
	{ "keep-setting", '\0', POPT_ARG_NONE, &opt.keep_setting, 0,
	  "leave DEST's move_charge_at_immigrate as set", NULL },
	{ "require-charge", '\0', POPT_ARG_NONE, &opt.require_charge, 0,
	  "stop with status 3 if the kernel will not move charge", NULL },
	{ "atomic", '\0', POPT_ARG_NONE, &opt.atomic, 0,
	  "if any process fails, move the others back", NULL },
	{ "dry-run", '\0', POPT_ARG_NONE, &opt.dry_run, 0,
	  "validate, predict and show the plan; change nothing", NULL },
	{ "exact", '\0', POPT_ARG_NONE, &opt.exact, 0,
	  "attribute each process's pages before and after (root)", NULL },
	{ "also", '\0', POPT_ARG_STRING, &opt.also, OPT_ALSO,
	  "also move into DEST's path in these v1 hierarchies (cpu,blkio,"
	  "... or *)", "LIST" },
	{ "wait", 'w', POPT_ARG_STRING, &opt.wait, 0,
	  "seconds to wait for another run's lock on DEST (default 60)",
	  "SECONDS" },
	POPT_TABLEEND
};

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

/* Every signal that would end the run with a knob changed stops it
 * instead, so the restore happens: a lost terminal (SIGHUP) and SIGQUIT
 * too. A closed pipe on stderr must not kill it either. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a lock wait must end */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static bool progress_shown;

static void notice(const char *msg)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = false;
	mc_warn("%s", msg);
}

/* only on a terminal: a log should not fill with counters */
static void progress(size_t done)
{
	fprintf(stderr, "\rmemcg: %zu processes handled", done);
	progress_shown = true;
}

static int parse_mode(enum mc_charge_mode *mode)
{
	int v;

	*mode = MC_CHARGE_ALL;
	if (!opt.charge)
		return 0;
	v = mc_mode_parse(opt.charge, true);
	*mode = (enum mc_charge_mode)v;
	if (v < MC_CHARGE_KEEP)
		return mc_usage("--charge: '%s' is not one of anon, file, all, "
				"none, keep", opt.charge);
	return 0;
}

static int parse_wait(int *secs)
{
	pid_t v;

	*secs = 60;
	if (!opt.wait)
		return 0;
	if (!strcmp(opt.wait, "0")) {
		*secs = 0;
		return 0;
	}
	if (mc_parse_pid(opt.wait, &v) < 0)
		return mc_usage("--wait: '%s' is not a number of seconds",
				opt.wait);
	*secs = (int)v;
	return 0;
}

/* Operands: DEST then PIDs (strict, no duplicates). */
static int parse_operands(const char **args, const char **dest,
			  pid_t **pids, size_t *npids)
{
	int rc;

	if (!args || !args[0])
		return mc_usage("move: no destination cgroup given");
	*dest = args[0];
	rc = mc_pid_operands(args + 1, pids, npids);
	if (rc)
		return rc;
	if (opt.from && *npids)
		return mc_usage("move: --from SRC takes no PIDs");
	if (!opt.from && !*npids)
		return mc_usage("move: no PIDs given (or use --from SRC)");
	return 0;
}

static bool v2(const struct mc_move *mv)
{
	return mv->req.h->type == MC_V2;
}

static void add_row(struct mc_table *t, const struct mc_move *mv,
		    const struct mc_move_rec *r)
{
	struct mc_line *ln = mc_table_line(t, NULL);
	char err[900];

	mc_cell_num(t, ln, COL_PID, true, r->pid);
	mc_cell_str(t, ln, COL_COMM, r->comm[0] ? r->comm : NULL);
	mc_cell_str(t, ln, COL_FROM,
		    r->origin < mv->norigins ? mv->origins[r->origin].cg.path
					     : NULL);
	mc_cell_str(t, ln, COL_TO, mv->dst.path);
	mc_cell_str(t, ln, COL_STATUS, mc_status_name(r->status));
	if (r->status == MC_FAILED || r->also_failed) {
		snprintf(err, sizeof(err), "%s: %s",
			 mc_errno_name(r->err) ? mc_errno_name(r->err) : "error",
			 r->msg ? r->msg : "failed");
		mc_cell_str(t, ln, COL_ERROR, err);
	}
	mc_cell_size(t, ln, COL_MOVED, r->have_moved, r->moved);
	mc_cell_size(t, ln, COL_SRC_BEFORE, r->have_before,
		     (int64_t)r->src_before);
	mc_cell_size(t, ln, COL_SRC_AFTER, r->have_after,
		     (int64_t)r->src_after);
	mc_cell_size(t, ln, COL_DST_BEFORE, r->have_before,
		     (int64_t)r->dst_before);
	mc_cell_size(t, ln, COL_DST_AFTER, r->have_after,
		     (int64_t)r->dst_after);
	mc_cell_size(t, ln, COL_RSS, r->have_rss, (int64_t)r->rss);
	mc_cell_num(t, ln, COL_TIME, r->have_time, (int64_t)r->time_us);
	mc_cell_str(t, ln, COL_CHARGE,
		    v2(mv) ? "never (v2)"
		    : mv->refused ? "refused"
				: mv->charge >= 0 ? mc_mode_name(mv->charge)
						  : NULL);
	if (r->have_moved)
		mc_cell_bool(t, ln, COL_NOISY, r->noisy);
	mc_cell_size(t, ln, COL_ANON_MOVED, r->have_exact, r->anon_moved);
	mc_cell_size(t, ln, COL_FILE_MOVED, r->have_exact, r->file_moved);
	mc_cell_size(t, ln, COL_LEFT, r->have_exact, (int64_t)r->left);
	mc_cell_size(t, ln, COL_UNSEEN, r->have_unseen, (int64_t)r->unseen);
	mc_cell_size(t, ln, COL_PREDICTED, r->have_predicted,
		     (int64_t)r->predicted);
	mc_cell_str(t, ln, COL_ALSO, r->also);
}

struct tally {
	size_t moved, failed, exited, skipped, rolled, planned, notatt;
	size_t also_failed;	/* moved, but not into every --also hierarchy */
	int64_t charge;
	uint64_t left, predicted;
	bool exact, predict;
	bool measured;	/* some MOVED was read: the columns asked for it */
	bool noisy;
};

static void count(const struct mc_move *mv, struct tally *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < mv->nrecs; i++) {
		const struct mc_move_rec *r = &mv->recs[i];

		switch (r->status) {
		case MC_MOVED:
			s->moved++;
			s->also_failed += r->also_failed;
			if (r->have_moved) {
				s->charge += r->moved;
				s->measured = true;
			}
			if (r->have_exact) {
				s->left += r->left;
				s->exact = true;
			}
			s->noisy |= r->noisy;
			break;
		case MC_FAILED: s->failed++; break;
		case MC_EXITED: s->exited++; break;
		case MC_SKIPPED: s->skipped++; break;
		case MC_ROLLED_BACK: s->rolled++; break;
		case MC_PLANNED:
			s->planned++;
			s->predicted += r->predicted;
			s->predict |= r->have_predicted;
			break;
		case MC_NOT_ATTEMPTED: s->notatt++; break;
		}
	}
}

static void print_failures(const struct mc_move *mv)
{
	for (size_t i = 0; i < mv->nrecs; i++) {
		const struct mc_move_rec *r = &mv->recs[i];
		const char *name = mc_errno_name(r->err);

		if (r->also_failed) {
			mc_warn("moved %d to '%s', but: %s", (int)r->pid,
				mv->dst.path, r->msg);
			continue;
		}
		if (r->status != MC_FAILED)
			continue;
		if (name)
			mc_warn("cannot move %d to '%s': %s (%s)", (int)r->pid,
				mv->dst.path, r->msg ? r->msg : "failed", name);
		else
			mc_warn("cannot move %d to '%s': %s", (int)r->pid,
				mv->dst.path, r->msg ? r->msg : "failed");
	}
}

static void print_summary(const struct mc_move *mv, const struct tally *s,
			  FILE *out)
{
	char moved[MC_SIZE_BUFSZ];

	if (mv->req.dry_run) {
		fprintf(out, "dry run: %zu planned, %zu failed, %zu exited, "
			"%zu skipped; charge %s", s->planned, s->failed,
			s->exited, s->skipped,
			v2(mv) ? "would not move (cgroup v2 never moves "
				 "charges)"
			: mv->refused ? "would not move (inferred from the "
					"kernel version)"
			: mv->charge == 0 ? "would not move (DEST's setting "
					    "is 0)"
					  : "would move (inferred from the "
					    "kernel version)");
		if (s->predict)
			fprintf(out, "; predicted %s",
				mc_size_human(moved, sizeof(moved),
					      s->predicted));
		fputc('\n', out);
		return;
	}
	fprintf(out, "%zu moved, %zu failed, %zu exited, %zu skipped",
		s->moved, s->failed, s->exited, s->skipped);
	if (s->rolled)
		fprintf(out, ", %zu rolled back", s->rolled);
	if (s->notatt)
		fprintf(out, ", %zu not attempted", s->notatt);
	if (v2(mv))
		fprintf(out, "; charge did not move (cgroup v2 never moves "
			"charges)");
	else if (mv->refused)
		fprintf(out, "; charge did not move (refused by the kernel)");
	else if (s->measured)
		fprintf(out, "; charge moved %s%s",
			mc_size_human_signed(moved, sizeof(moved), s->charge),
			s->noisy ? " (noisy)" : "");
	/* what stayed behind is known only page by page (--exact): RSS
	 * counts shared pages once per process, usage moves with others */
	if (s->exact)
		fprintf(out, "; still charged to the source: %s (--exact)",
			mc_size_human(moved, sizeof(moved), s->left));
	fputc('\n', out);
}

static void report(const struct mc_ctx *c, struct mc_table *t,
		   const struct mc_move *mv)
{
	struct tally s;

	for (size_t i = 0; i < mv->nrecs; i++)
		add_row(t, mv, &mv->recs[i]);
	mc_table_print(t, stdout);
	print_failures(mv);
	count(mv, &s);
	/* the summary is for people: stderr when stdout is for programs */
	print_summary(mv, &s, mc_stdout_is_data(c) ? stderr : stdout);
}

static int exit_status(const struct mc_move *mv, int run_rc)
{
	struct tally s;

	if (mv->interrupted)
		return 128 + mv->interrupted; /* 130 SIGINT, 143 SIGTERM */
	if (mv->require_failed)
		return MC_EXIT_NOCHARGE;
	if (run_rc < 0)
		return MC_EXIT_FAIL;
	count(mv, &s);
	if (mv->req.atomic && (s.failed || s.rolled))
		return MC_EXIT_FAIL;
	if (!s.failed && !s.notatt && !s.also_failed)
		return MC_EXIT_OK;
	/* a dry run's planned processes stand for the ones it would move */
	return s.moved || s.planned ? MC_EXIT_PARTIAL : MC_EXIT_FAIL;
}

/* What the engine is asked to do: the options, and per process only what
 * the selected columns show. */
static void request(struct mc_move_req *req, const struct mc_ctx *c,
		    const struct mc_table *t, enum mc_charge_mode mode,
		    int wait)
{
	req->m = &c->m;
	req->h = c->h;
	req->stop = &stop_sig;
	req->notice = notice;
	if (isatty(STDERR_FILENO))
		req->progress = progress;
	req->mode = mode;
	req->keep_setting = opt.keep_setting;
	req->require_charge = opt.require_charge;
	req->atomic = opt.atomic;
	req->dry_run = opt.dry_run;
	req->exact = opt.exact && !opt.dry_run;
	req->predict = opt.dry_run && (mc_table_has(t, COL_PREDICTED) ||
				       mc_table_has(t, COL_UNSEEN));
	req->wait = wait;
	req->measure = mc_table_needs(t);
	req->also = opt.also;
	req->charge_given = opt.charge != NULL;
}

/* Validate, move, report. Returns the exit status. */
static int move(const struct mc_ctx *c, struct mc_move *mv, struct mc_table *t,
		const char *dest, const pid_t *pids, size_t npids)
{
	struct mc_error e;
	int run_rc;

	if (mc_move_open(mv, dest, &e) < 0 ||
	    (opt.from && mc_move_set_from(mv, opt.from, &e) < 0))
		return mc_fail_setup(&e);
	for (size_t i = 0; i < npids; i++)
		if (mc_move_add_pid(mv, pids[i], &e) < 0)
			return mc_fail(MC_EXIT_FAIL, &e);
	catch_signals();
	run_rc = mc_move_run(mv, &e);
	if (progress_shown)
		fputs("\r\033[K", stderr);
	/* an interrupt says so by its exit status; anything else, and a
	 * failed restore on the way out of one, is printed */
	if (run_rc < 0 && e.code != EINTR)
		mc_warn("%s", e.msg);
	report(c, t, mv);
	return exit_status(mv, run_rc);
}

static int run(struct mc_ctx *c, const char *dest, const pid_t *pids,
	       size_t npids, enum mc_charge_mode mode, int wait)
{
	bool exact = opt.exact && !opt.dry_run;
	struct mc_move_req req = { 0 };
	struct mc_move mv;
	struct mc_table t;
	struct mc_error e;
	int rc;

	/* columns first: a bad -o must not come after processes moved */
	if (mc_table_init(&t, "processes", columns, NCOLS,
			  defaults(c->out->json, exact, opt.dry_run,
				   opt.also != NULL),
			  c->out, &e) < 0)
		return mc_fail(MC_EXIT_USAGE, &e);
	rc = mc_begin(c, opt.dry_run ? NULL : "only --dry-run can use it");
	if (!rc) {
		request(&req, c, &t, mode, wait);
		mc_move_init(&mv, &req);
		rc = move(c, &mv, &t, dest, pids, npids);
		mc_move_free(&mv);
	}
	mc_table_free(&t);
	return rc;
}

int mc_cmd_move(struct mc_ctx *c)
{
	const char *dest = NULL;
	pid_t *pids = NULL;
	size_t npids = 0;
	enum mc_charge_mode mode;
	int rc, wait;

	rc = parse_mode(&mode);
	if (!rc)
		rc = parse_wait(&wait);
	if (!rc && mode == MC_CHARGE_NONE && opt.require_charge)
		rc = mc_usage("--charge none with --require-charge asks for "
			      "nothing to move");
	if (!rc)
		rc = parse_operands(c->args, &dest, &pids, &npids);
	if (!rc)
		rc = run(c, dest, pids, npids, mode, wait);
	free(pids);
	return rc;
}
