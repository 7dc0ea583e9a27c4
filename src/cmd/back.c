/* memcg move --back REPORT: undo a move from its saved -J document. Each
 * process the report says moved, and that is still where the report left
 * it (its "to", the same start time), goes back to its "from": one engine
 * run per origin cgroup, one report for them all. json-c reads the report
 * here, in the command layer (core/ stays free of it). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/move.h"

/* A process the report says moved. */
struct back_rec {
	pid_t pid;
	const char *from, *to;		/* borrowed from the parsed document */
	unsigned long long start;	/* 0: the report does not say */
};

/* The whole of FILE, or of standard input for "-". */
static char *slurp(const char *name, struct mc_error *e)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;

	if (!f)
		return mc_err(e, errno, "--back: cannot open '%s'", name), NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				mc_err(e, ENOMEM, "--back: cannot allocate");
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		len += fread(buf + len, 1, cap - len - 1, f);
		if (feof(f) || ferror(f))
			break;
	}
	if (buf && ferror(f)) {
		mc_err(e, EIO, "--back: cannot read '%s'", name);
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* One element of "processes"; *take says whether it moved. A usage error
 * (the message) when it is not shaped as move -J writes it. */
static const char *parse_one(struct json_object *o, struct back_rec *r,
			     bool *take)
{
	struct json_object *v;
	const char *status;
	int64_t pid;

	*take = false;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "pid", &v) ||
	    !json_object_is_type(v, json_type_int))
		return "an element of \"processes\" has no numeric \"pid\"";
	pid = json_object_get_int64(v);
	status = str_of(o, "status");
	if (pid < 1 || pid > INT32_MAX || !status)
		return "an element of \"processes\" has no valid \"pid\" and "
		       "\"status\"";
	if (strcmp(status, "moved"))
		return NULL;
	r->pid = (pid_t)pid;
	r->from = str_of(o, "from");
	r->to = str_of(o, "to");
	if (!r->from || !r->to)
		return "a moved process has no \"from\" and \"to\" (save the "
		       "report with -J and its default columns)";
	r->start = json_object_object_get_ex(o, "start", &v) &&
			   json_object_is_type(v, json_type_int)
		       ? (unsigned long long)json_object_get_int64(v)
		       : 0;
	*take = true;
	return NULL;
}

/* The moved processes of the document in text. */
static const char *parse(struct json_object *doc, struct back_rec **v,
			 size_t *n)
{
	struct json_object *procs;
	const char *why = NULL;
	size_t len;

	*v = NULL;
	*n = 0;
	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "processes", &procs) ||
	    !json_object_is_type(procs, json_type_array))
		return "it has no \"processes\" array";
	len = json_object_array_length(procs);
	*v = calloc(len ? len : 1, sizeof(**v));
	if (!*v)
		return "out of memory";
	for (size_t i = 0; i < len && !why; i++) {
		bool take;

		why = parse_one(json_object_array_get_idx(procs, i), &(*v)[*n],
				&take);
		*n += take;
	}
	return why;
}

/* Runs in the order each origin first appears in the report. */
static size_t group_of(const struct back_rec *v, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!strcmp(v[k].from, v[i].from))
			return k;
	return i;
}

/* One run: back into from, the processes of that group. */
static int prepare(struct mc_move *mv, const struct back_rec *v, size_t n,
		   size_t first, struct mc_error *fatal)
{
	struct mc_error e;
	bool opened = mc_move_open(mv, v[first].from, &e) == 0;

	if (!opened)
		mc_move_fail_planned(mv, v[first].from, &e);
	for (size_t i = first; i < n; i++)
		if (group_of(v, i) == first &&
		    mc_move_add_pid_at(mv, v[i].pid, v[i].to, v[i].start,
				       fatal) < 0)
			return -1;
	if (!opened)
		mc_move_fail_planned(mv, v[first].from, &e);
	return opened ? 1 : 0;
}

/* Every group's run; the report and the exit status over all of them. */
static int run_all(const struct mc_ctx *c, struct mc_table *t,
		   const struct mc_move_req *req, struct mc_move_runs *runs,
		   const struct back_rec *v, size_t n)
{
	struct mc_error e;
	int ok;

	for (size_t i = 0; i < n; i++) {
		struct mc_move *mv;

		if (group_of(v, i) != i)
			continue;
		mv = runs->v[runs->n++];
		mc_move_init(mv, req);
		ok = prepare(mv, v, n, i, &e);
		if (ok < 0)
			return mc_fail(MC_EXIT_FAIL, &e);
		if (ok && mc_move_run(mv, &e) < 0) {
			runs->rc = -1;
			if (e.code != EINTR)
				mc_warn("%s", e.msg);
		}
	}
	mc_move_progress_end();
	mc_move_report(c, t, runs);
	return mc_move_exit(runs);
}

static int back(const struct mc_ctx *c, struct mc_table *t,
		const struct mc_move_req *req, struct mc_move_runs *runs,
		const struct back_rec *v, size_t n)
{
	struct mc_move *moves = calloc(n ? n : 1, sizeof(*moves));
	struct mc_move **ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	int rc;

	if (!moves || !ptrs) {
		free(moves);
		free(ptrs);
		mc_warn("--back: cannot allocate");
		return MC_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &moves[i];
	runs->v = ptrs;
	runs->n = 0;
	mc_move_catch_signals();
	rc = run_all(c, t, req, runs, v, n);
	/* the report is out: the runs end here */
	for (size_t k = 0; k < runs->n; k++)
		mc_move_free(runs->v[k]);
	runs->n = 0;
	free(moves);
	return rc;
}

int mc_move_back(const struct mc_ctx *c, struct mc_table *t,
		 const struct mc_move_req *req, struct mc_move_runs *runs)
{
	const char *name = mc_mopt.back, *why;
	enum json_tokener_error jerr;
	struct json_object *doc;
	struct back_rec *v;
	struct mc_error e;
	char *text = slurp(name, &e);
	size_t n;
	int rc;

	if (!text)
		return mc_fail(MC_EXIT_FAIL, &e);
	doc = json_tokener_parse_verbose(text, &jerr);
	free(text);
	if (!doc)
		return mc_usage("--back: '%s' is not a memcg move -J report: "
				"not JSON (%s)",
				name, json_tokener_error_desc(jerr));
	why = parse(doc, &v, &n);
	if (why)
		rc = mc_usage("--back: '%s' is not a memcg move -J report: %s",
			      name, why);
	else if (!n) {
		mc_warn("nothing to move back: '%s' has no moved process", name);
		rc = MC_EXIT_OK;
	} else {
		rc = back(c, t, req, runs, v, n);
	}
	free(v);
	json_object_put(doc);
	return rc;
}
