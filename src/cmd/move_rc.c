/* memcg move --recharge MODE and --rate MiB/s: their parsing, what the
 * engine is asked, a row's recharge columns, the recharge part of the
 * summary and of the exit status, and its warnings on stderr (DESIGN,
 * Decisions: "Recharge, precisely"; Settlements: "Recharge modes"). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/move.h"
#include "core/rcstep.h"
#include "core/size.h"

static unsigned rc_mode;
static uint64_t rc_rate;

int mc_move_rc_parse(void)
{
	char *end;
	double v;
	int m;

	rc_mode = 0;
	rc_rate = 0;
	if (mc_mopt.recharge) {
		/* the words and bits of --charge: anon 1, file 2, all 3 */
		m = mc_mode_parse(mc_mopt.recharge, false);
		if (m < MC_RECHARGE_ANON)
			return mc_usage("--recharge: '%s' is not one of anon, "
					"file, all", mc_mopt.recharge);
		rc_mode = (unsigned)m;
	}
	if (!mc_mopt.rate)
		return 0;
	if (!rc_mode)
		return mc_usage("--rate limits --recharge, which was not "
				"given");
	errno = 0;
	v = strtod(mc_mopt.rate, &end);
	if (errno || end == mc_mopt.rate || *end || !isfinite(v) || v <= 0 ||
	    v > 1e12)
		return mc_usage("--rate: '%s' is not a positive number of "
				"MiB/s", mc_mopt.rate);
	rc_rate = (uint64_t)(v * 1048576.0);
	if (!rc_rate)
		rc_rate = 1;
	return 0;
}

void mc_move_rc_request(struct mc_move_req *req)
{
	req->recharge = rc_mode;
	req->rate = rc_rate;
}

bool mc_move_rc_asked(void)
{
	return rc_mode != 0;
}

/* LEFT-BY's keys: the module's reasons, and the kinds outside the mode. */
static size_t left_by(const struct mc_recharge_res *res, const char **keys,
		      uint64_t *v)
{
	size_t n = 0;

	for (int i = 0; i < MC_LEFT_NREASONS; i++)
		if (res->left_by[i]) {
			keys[n] = mc_left_reason_name((enum mc_left_reason)i);
			v[n++] = res->left_by[i];
		}
	if (res->not_asked) {
		keys[n] = "not-asked";
		v[n++] = res->not_asked;
	}
	return n;
}

/* ERROR of a row whose recharge the kernel refused (or that could not
 * run): the errno's name first, as for a failed move. */
static void error_cell(struct mc_table *t, struct mc_line *ln, int col,
		       const struct mc_rc_rec *rc)
{
	const char *name;
	char text[600];
	int err = rc->err ? rc->err : rc->res.kernel_errno;

	if (!err || (!rc->err && !rc->res.left_by[MC_LEFT_KERNEL]))
		return;
	name = mc_errno_name(err);
	if (rc->err)
		snprintf(text, sizeof(text), "%s: recharge: %s",
			 name ? name : "error", rc->msg);
	else
		snprintf(text, sizeof(text),
			 "%s: recharge: the kernel refused a range (%s)",
			 name ? name : "error", strerror(err));
	mc_cell_str(t, ln, col, text);
}

void mc_move_rc_cells(struct mc_table *t, struct mc_line *ln,
		      const struct mc_move_rec *r,
		      const struct mc_move_rc_cols *c)
{
	const struct mc_rc_rec *rc = r->rc;
	const char *keys[MC_LEFT_NREASONS + 1];
	uint64_t v[MC_LEFT_NREASONS + 1];
	bool ok;

	if (!rc)
		return;
	error_cell(t, ln, c->error, rc);
	/* gone during its recharge: nothing is known of it */
	ok = !rc->err && !rc->res.exited;
	mc_cell_size(t, ln, c->recharged, ok, (int64_t)rc->res.recharged);
	mc_cell_size(t, ln, c->anon, ok, (int64_t)rc->res.recharged_anon);
	mc_cell_size(t, ln, c->file, ok, (int64_t)rc->res.recharged_file);
	/* still charged to the source at the end, whatever the kinds asked */
	mc_cell_size(t, ln, c->left, ok,
		     (int64_t)(rc->res.left + rc->res.not_asked));
	if (ok)
		mc_cell_sizes(t, ln, c->left_by, keys, v,
			      left_by(&rc->res, keys, v));
	mc_cell_size(t, ln, c->rss_before, ok, (int64_t)rc->res.rss_before);
	mc_cell_size(t, ln, c->rss_after, ok, (int64_t)rc->res.rss_after);
	mc_cell_num(t, ln, c->time, rc->have_time, (int64_t)rc->time_us);
}

bool mc_move_rc_total(const struct mc_move_runs *runs, uint64_t *sum)
{
	bool valid = runs->n > 0;
	uint64_t one;

	*sum = 0;
	for (size_t k = 0; k < runs->n; k++) {
		valid &= mc_rcstep_total(runs->v[k], &one);
		*sum += one;
	}
	return valid;
}

/* "; recharged 62.0M, 2.0M left (limit)" on the summary line. */
void mc_move_rc_summary(const struct mc_move_runs *runs, FILE *out)
{
	char b[MC_SIZE_BUFSZ];
	uint64_t sum, left = 0, acted = 0;

	if (!mc_move_rc_total(runs, &sum))
		return;
	for (size_t k = 0; k < runs->n; k++)
		for (size_t i = 0; i < runs->v[k]->nrecs; i++) {
			const struct mc_rc_rec *rc = runs->v[k]->recs[i].rc;

			if (!rc || rc->err)
				continue;
			left += rc->res.left;
			acted += rc->res.left_by[MC_LEFT_LIMIT] +
				 rc->res.left_by[MC_LEFT_KERNEL];
		}
	fprintf(out, "; %s %s", runs->v[0]->req.dry_run ? "would recharge"
							 : "recharged",
		mc_size_human(b, sizeof(b), sum));
	if (left)
		fprintf(out, ", %s left", mc_size_human(b, sizeof(b), left));
	if (acted)
		fprintf(out, " (%s for DEST's limit or the kernel)",
			mc_size_human(b, sizeof(b), acted));
}

/* What DEST's limit or the kernel kept in the source, per process. */
void mc_move_rc_warn(const struct mc_move *mv)
{
	char b[MC_SIZE_BUFSZ], l[MC_SIZE_BUFSZ], k[MC_SIZE_BUFSZ];

	for (size_t i = 0; i < mv->nrecs; i++) {
		const struct mc_move_rec *r = &mv->recs[i];
		const struct mc_rc_rec *rc = r->rc;
		const char *name;

		if (!mc_rcstep_left_acted(r) || rc->err)
			continue;
		name = mc_errno_name(rc->res.kernel_errno);
		mc_warn("recharge of %d left %s in its source: %s for the "
			"limit of '%s' or an ancestor, %s refused by the "
			"kernel%s%s",
			(int)r->pid,
			mc_size_human(b, sizeof(b), rc->res.left),
			mc_size_human(l, sizeof(l),
				      rc->res.left_by[MC_LEFT_LIMIT]),
			mv->dst.path,
			mc_size_human(k, sizeof(k),
				      rc->res.left_by[MC_LEFT_KERNEL]),
			name ? " with " : "", name ? name : "");
	}
}

int mc_move_rc_exit(const struct mc_move_runs *runs, int status)
{
	for (size_t k = 0; k < runs->n; k++)
		status = mc_rcstep_exit(runs->v[k], status);
	return status;
}
