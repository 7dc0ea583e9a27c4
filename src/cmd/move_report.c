/* memcg move's report: the columns, one row per process, the failures on
 * standard error, the summary line and the JSON summary object, and the
 * exit status, over one engine run or several (--back). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/move.h"
#include "core/size.h"

enum {
	COL_PID, COL_COMM, COL_FROM, COL_TO, COL_STATUS, COL_ERROR, COL_MOVED,
	COL_SRC_BEFORE, COL_SRC_AFTER, COL_DST_BEFORE, COL_DST_AFTER, COL_RSS,
	COL_TIME, COL_CHARGE, COL_NOISY, COL_ANON_MOVED, COL_FILE_MOVED,
	COL_LEFT, COL_UNSEEN, COL_PREDICTED, COL_ALSO, COL_NOTE, COL_START,
	COL_RECHARGED, COL_RECHARGED_ANON, COL_RECHARGED_FILE, COL_LEFT_BY,
	COL_RSS_BEFORE, COL_RSS_AFTER, COL_RECHARGE_TIME,
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
			"errno name and reason of a failure (of a move, or "
			"the kernel's refusal to recharge)" },
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
		       "--exact, --recharge: bytes of the process still "
		       "charged to the source (with --recharge, at the end)" },
	[COL_UNSEEN] = { "UNSEEN", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			 "swapped bytes, which /proc cannot attribute" },
	[COL_PREDICTED] = { "PREDICTED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "--dry-run: bytes the kernel would move under the "
			    "mode" },
	[COL_ALSO] = { "ALSO", 0.1, MC_COLF_TRUNC, MC_COL_STR,
		       "--also: the other hierarchies the process went into" },
	[COL_NOTE] = { "NOTE", 0.3, MC_COLF_WRAP, MC_COL_STR,
		       "what else to know: a thread given for its process, a "
		       "container's init, the root cgroup" },
	[COL_START] = { "START", 8, MC_COLF_RIGHT, MC_COL_NUM,
			"start time of the process in clock ticks after boot "
			"(--back checks it)",
			MC_MEASURE_START },
	[COL_RECHARGED] = { "RECHARGED", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "--recharge: bytes charged to DEST after that were "
			    "charged to the source before (dry run: "
			    "predicted)" },
	[COL_RECHARGED_ANON] = { "RECHARGED-ANON", 6, MC_COLF_RIGHT,
				 MC_COL_SIZE, "--recharge: of RECHARGED, "
				 "anonymous memory" },
	[COL_RECHARGED_FILE] = { "RECHARGED-FILE", 6, MC_COLF_RIGHT,
				 MC_COL_SIZE, "--recharge: of RECHARGED, file "
				 "and shmem" },
	[COL_LEFT_BY] = { "LEFT-BY", 0.2, MC_COLF_WRAP, MC_COL_SIZES,
			  "--recharge: LEFT by reason (sparse, huge, shared, "
			  "swapped, locked, limit, unaligned, kernel, cow, "
			  "dirty, stopped, not-asked)" },
	[COL_RSS_BEFORE] = { "RSS-BEFORE", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			     "--recharge: resident bytes before it" },
	[COL_RSS_AFTER] = { "RSS-AFTER", 6, MC_COLF_RIGHT, MC_COL_SIZE,
			    "--recharge: resident bytes after it" },
	[COL_RECHARGE_TIME] = { "RECHARGE-TIME", 8, MC_COLF_RIGHT, MC_COL_NUM,
				"--recharge: microseconds its recharge took, "
				"the page walks before and after included" },
};
static const struct mc_move_rc_cols rc_cols = {
	COL_RECHARGED, COL_RECHARGED_ANON, COL_RECHARGED_FILE, COL_LEFT,
	COL_LEFT_BY, COL_RSS_BEFORE, COL_RSS_AFTER, COL_ERROR,
	COL_RECHARGE_TIME,
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* For people: what happened to each process (DESIGN, Settlements:
 * DEST is said once, in the summary; the readings by -o). */
static const int default_cols[] = {
	COL_PID, COL_COMM, COL_FROM, COL_STATUS, COL_MOVED, COL_RSS,
	COL_CHARGE, -1,
};
/* JSON carries the whole record by default (DESIGN: one document, its
 * keys kept); NOTE and START are for scripts and for --back */
static const int default_json_cols[] = {
	COL_PID, COL_COMM, COL_FROM, COL_TO, COL_STATUS, COL_ERROR, COL_MOVED,
	COL_SRC_BEFORE, COL_SRC_AFTER, COL_DST_BEFORE, COL_DST_AFTER, COL_RSS,
	COL_TIME, COL_CHARGE, COL_NOISY, COL_NOTE, COL_START, -1,
};
static const int exact_cols[] = { COL_ANON_MOVED, COL_FILE_MOVED, COL_LEFT,
				  -1 };
static const int predict_cols[] = { COL_PREDICTED, -1 };
static const int also_cols[] = { COL_ALSO, -1 };
static const int rc_table_cols[] = { COL_RECHARGED, COL_LEFT, COL_LEFT_BY,
				     -1 };
static const int rc_json_cols[] = { COL_RECHARGED, COL_RECHARGED_ANON,
				    COL_RECHARGED_FILE, COL_LEFT, COL_LEFT_BY,
				    COL_RSS_BEFORE, COL_RSS_AFTER,
				    COL_RECHARGE_TIME, -1 };

const struct mc_colinfo *mc_move_columns(size_t *n)
{
	*n = NCOLS;
	return columns;
}

/* The defaults, with the columns of --exact, --dry-run, --also and
 * --recharge added (each once). */
static const int *defaults(bool json, bool exact, bool predict, bool also)
{
	static int cols[2 * NCOLS + 1];
	size_t n = 0;
	const int *lists[] = { json ? default_json_cols : default_cols,
			       exact ? exact_cols : NULL,
			       predict ? predict_cols : NULL,
			       also ? also_cols : NULL,
			       !mc_move_rc_asked() ? NULL
			       : json ? rc_json_cols : rc_table_cols };

	for (size_t l = 0; l < 5; l++)
		for (const int *c = lists[l]; c && *c >= 0; c++)
			cols[n++] = *c;
	if (json && (exact || predict))
		cols[n++] = COL_UNSEEN;
	cols[n] = -1;
	return cols;
}


int mc_move_table(struct mc_table *t, const struct mc_ctx *c, bool fallback,
		  struct mc_error *e)
{
	struct mc_out_opts o = *c->out;
	bool exact = mc_mopt.exact && !mc_mopt.dry_run;

	if (fallback) {
		o.output = NULL;
		o.output_all = 0;
	}
	return mc_table_init(t, "processes", columns, NCOLS,
			     defaults(o.json, exact, mc_mopt.dry_run,
				      mc_mopt.also != NULL),
			     &o, e);
}

bool mc_move_table_predicts(const struct mc_table *t)
{
	return mc_table_has(t, COL_PREDICTED) || mc_table_has(t, COL_UNSEEN);
}

static bool v2(const struct mc_move *mv)
{
	return mv->req.h->type == MC_V2;
}

/* CHARGE of a row: the mode in effect, refused, never (v2). */
static const char *charge_cell(const struct mc_move *mv)
{
	if (v2(mv))
		return "never (v2)";
	if (mv->refused)
		return "refused";
	return mv->charge >= 0 ? mc_mode_name(mv->charge) : NULL;
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
	mc_cell_str(t, ln, COL_CHARGE, charge_cell(mv));
	if (r->have_moved)
		mc_cell_bool(t, ln, COL_NOISY, r->noisy);
	mc_cell_size(t, ln, COL_ANON_MOVED, r->have_exact, r->anon_moved);
	mc_cell_size(t, ln, COL_FILE_MOVED, r->have_exact, r->file_moved);
	mc_cell_size(t, ln, COL_LEFT, r->have_exact, (int64_t)r->left);
	mc_cell_size(t, ln, COL_UNSEEN, r->have_unseen, (int64_t)r->unseen);
	mc_cell_size(t, ln, COL_PREDICTED, r->have_predicted,
		     (int64_t)r->predicted);
	mc_cell_str(t, ln, COL_ALSO, r->also);
	mc_cell_str(t, ln, COL_NOTE, r->note);
	mc_cell_num(t, ln, COL_START, r->starttime != 0,
		    (int64_t)r->starttime);
	mc_move_rc_cells(t, ln, r, &rc_cols);
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

static void count_rec(const struct mc_move_rec *r, struct tally *s)
{
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

static void count(const struct mc_move_runs *runs, struct tally *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t k = 0; k < runs->n; k++)
		for (size_t i = 0; i < runs->v[k]->nrecs; i++)
			count_rec(&runs->v[k]->recs[i], s);
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

/* DEST, said once: "'/batch'", or for --back every origin. */
static void print_dests(const struct mc_move_runs *runs, FILE *out)
{
	for (size_t k = 0; k < runs->n; k++)
		fprintf(out, "%s'%s'", k ? (k + 1 == runs->n ? " and " : ", ")
					 : "",
			runs->v[k]->dst.path);
}

static void dry_summary(const struct mc_move_runs *runs,
			const struct tally *s, FILE *out)
{
	const struct mc_move *mv = runs->v[0];
	char moved[MC_SIZE_BUFSZ];

	fprintf(out, ": %zu planned, %zu failed, %zu exited, %zu skipped; "
		"charge %s", s->planned, s->failed, s->exited, s->skipped,
		v2(mv) ? "would not move (cgroup v2 never moves charges)"
		: mv->refused ? "would not move (inferred from the kernel "
				"version)"
		: mv->charge == 0 ? "would not move (DEST's setting is 0)"
				  : "would move (inferred from the kernel "
				    "version)");
	if (s->predict)
		fprintf(out, "; predicted %s",
			mc_size_human(moved, sizeof(moved), s->predicted));
	mc_move_rc_summary(runs, out);
	fputc('\n', out);
}

static void print_summary(const struct mc_move_runs *runs,
			  const struct tally *s, FILE *out)
{
	const struct mc_move *mv = runs->v[0];
	char moved[MC_SIZE_BUFSZ];

	fputs(mv->req.dry_run ? "dry run into " : "into ", out);
	print_dests(runs, out);
	if (mv->req.dry_run) {
		dry_summary(runs, s, out);
		return;
	}
	fprintf(out, ": %zu moved, %zu failed, %zu exited, %zu skipped",
		s->moved, s->failed, s->exited, s->skipped);
	if (s->rolled)
		fprintf(out, ", %zu rolled back", s->rolled);
	if (s->notatt)
		fprintf(out, ", %zu not attempted", s->notatt);
	if (v2(mv))
		fprintf(out, "; charge did not move (cgroup v2 never moves "
			"charges%s)", mv->req.recharge ? "" : "; see --recharge");
	else if (mv->refused)
		fprintf(out, "; charge did not move (refused by the kernel%s)",
			mv->req.recharge ? "" : "; see --recharge");
	else if (s->measured)
		fprintf(out, "; charge moved %s%s",
			mc_size_human_signed(moved, sizeof(moved), s->charge),
			s->noisy ? " (noisy)" : "");
	/* what stayed behind is known only page by page (--exact): RSS
	 * counts shared pages once per process, usage moves with others */
	if (s->exact)
		fprintf(out, "; still charged to the source: %s (--exact)",
			mc_size_human(moved, sizeof(moved), s->left));
	mc_move_rc_summary(runs, out);
	fputc('\n', out);
}

/* "charge" and "reason" of the summary object: what the kernel did with
 * the charge in this run, or, where the run never reached the setting
 * (nothing to do, a setup error), what it would do, as the dry run infers
 * it. NULL where nothing is known. */
static const char *charge_word(const struct mc_move *mv, char *why,
			       size_t len, const char **reason)
{
	enum mc_charge_cap cap;

	*reason = NULL;
	if (!mv)
		return NULL;
	if (v2(mv) || mv->refused) {
		*reason = mv->refused ? mv->refused_why
				      : mc_charge_cap_reason(MC_CAP_NO_V2,
							     &mv->kernel, why,
							     len);
		return v2(mv) ? "never (v2)" : "refused";
	}
	if (mv->charge == 0 || mv->req.mode == MC_CHARGE_NONE)
		return "not asked";
	if (mv->charge > 0)
		return "moved";
	if (!mv->kernel.major || mv->req.mode == MC_CHARGE_KEEP)
		return NULL;
	cap = mc_charge_cap(mv->req.h, &mv->kernel);
	if (cap == MC_CAP_YES)
		return "moved";
	*reason = mc_charge_cap_reason(cap, &mv->kernel, why, len);
	return "refused";
}

static void summary_object(struct mc_table *t, const struct mc_move_runs *runs,
			   const struct tally *s)
{
	const char *reason, *word;
	char why[256];
	uint64_t recharged;
	bool rc_valid;

	word = charge_word(runs->n ? runs->v[0] : NULL, why, sizeof(why),
			   &reason);
	mc_table_extra(t, "summary");
	mc_extra_num(t, "moved", true, (int64_t)s->moved);
	mc_extra_num(t, "failed", true, (int64_t)s->failed);
	mc_extra_num(t, "exited", true, (int64_t)s->exited);
	mc_extra_num(t, "skipped", true, (int64_t)s->skipped);
	mc_extra_num(t, "rolled-back", true, (int64_t)s->rolled);
	mc_extra_num(t, "planned", true, (int64_t)s->planned);
	mc_extra_num(t, "not-attempted", true, (int64_t)s->notatt);
	mc_extra_num(t, "charge-moved", s->measured, s->charge);
	/* the sum of RECHARGED; null without --recharge */
	rc_valid = mc_move_rc_total(runs, &recharged);
	mc_extra_num(t, "recharged", rc_valid, (int64_t)recharged);
	mc_extra_str(t, "charge", word);
	mc_extra_str(t, "reason", reason);
}

static void print_doc(const struct mc_ctx *c, struct mc_table *t,
		      struct mc_move_runs *runs)
{
	struct tally s;

	count(runs, &s);
	if (c->out->json)
		summary_object(t, runs, &s);
	mc_table_print(t, stdout);
	runs->printed = true;
}

void mc_move_report(const struct mc_ctx *c, struct mc_table *t,
		    struct mc_move_runs *runs)
{
	struct tally s;

	/* --from an empty SRC: no table, one line (DESIGN, Settlements) */
	if (runs->n == 1 && runs->v[0]->nothing) {
		mc_warn("nothing to move: '%s' has no processes",
			runs->v[0]->origins[runs->v[0]->from].cg.path);
		if (c->out->json)
			print_doc(c, t, runs);
		runs->printed = true;
		return;
	}
	for (size_t k = 0; k < runs->n; k++)
		for (size_t i = 0; i < runs->v[k]->nrecs; i++)
			add_row(t, runs->v[k], &runs->v[k]->recs[i]);
	print_doc(c, t, runs);
	for (size_t k = 0; k < runs->n; k++) {
		print_failures(runs->v[k]);
		mc_move_rc_warn(runs->v[k]);
	}
	count(runs, &s);
	/* the summary is for people: stderr when stdout is for programs */
	if (runs->n)
		print_summary(runs, &s, mc_stdout_is_data(c) ? stderr : stdout);
}

void mc_move_doc(const struct mc_ctx *c, struct mc_move_runs *runs)
{
	struct mc_table t;
	struct mc_error e;

	if (!c->out->json || runs->printed)
		return;
	if (mc_move_table(&t, c, true, &e) < 0)
		return;
	for (size_t k = 0; k < runs->n; k++)
		for (size_t i = 0; i < runs->v[k]->nrecs; i++)
			add_row(&t, runs->v[k], &runs->v[k]->recs[i]);
	print_doc(c, &t, runs);
	mc_table_free(&t);
}

static int move_exit(const struct mc_move_runs *runs)
{
	bool atomic = runs->n && runs->v[0]->req.atomic;
	struct tally s;

	for (size_t k = 0; k < runs->n; k++)
		if (runs->v[k]->interrupted)
			return 128 + runs->v[k]->interrupted;
	for (size_t k = 0; k < runs->n; k++)
		if (runs->v[k]->require_failed)
			return MC_EXIT_NOCHARGE;
	if (runs->rc < 0)
		return MC_EXIT_FAIL;
	count(runs, &s);
	if (atomic && (s.failed || s.rolled))
		return MC_EXIT_FAIL;
	if (!s.failed && !s.notatt && !s.also_failed)
		return MC_EXIT_OK;
	/* a dry run's planned processes stand for the ones it would move */
	return s.moved || s.planned ? MC_EXIT_PARTIAL : MC_EXIT_FAIL;
}

int mc_move_exit(const struct mc_move_runs *runs)
{
	return mc_move_rc_exit(runs, move_exit(runs));
}
