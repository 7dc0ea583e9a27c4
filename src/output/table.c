/* libsmartcols tables for every command: column selection, cell formatting,
 * JSON types. Commands build lines; they never format columns. */
#include "output/table.h"

#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/size.h"

struct mc_out_opts mc_out;

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
	{ "list-columns", 'H', POPT_ARG_NONE, &mc_out.list_columns, 0,
	  "list the available columns", NULL },
	POPT_TABLEEND
};

static int column_id(const struct mc_colinfo *info, size_t ninfo,
		     const char *name, size_t len)
{
	for (size_t i = 0; i < ninfo; i++)
		if (strlen(info[i].name) == len &&
		    !strncasecmp(info[i].name, name, len))
			return (int)i;
	return -1;
}

static int add_col(struct mc_table *t, int id)
{
	if (t->pos[id] >= 0)
		return 0; /* listed twice: print once */
	t->pos[id] = (int)t->ncols;
	t->cols[t->ncols++] = id;
	return 0;
}

static int select_columns(struct mc_table *t, const int *defaults,
			  struct mc_error *e)
{
	const char *list = mc_out.output;

	if (mc_out.output_all) {
		for (size_t i = 0; i < t->ninfo; i++)
			add_col(t, (int)i);
		return 0;
	}
	if (!list || *list == '+') {
		for (const int *d = defaults; *d >= 0; d++)
			add_col(t, *d);
		if (list)
			list++;
	}
	while (list && *list) {
		size_t len = strcspn(list, ",");
		int id = column_id(t->info, t->ninfo, list, len);

		if (id < 0)
			return mc_errx(e, EINVAL,
				       "unknown column '%.*s' (see --list-columns)",
				       (int)len, list);
		add_col(t, id);
		list += len;
		if (*list == ',')
			list++;
	}
	if (!t->ncols)
		return mc_errx(e, EINVAL, "no columns selected");
	return 0;
}

static int json_type(enum mc_col_kind k)
{
	switch (k) {
	case MC_COL_NUM:
	case MC_COL_SIZE:
		return SCOLS_JSON_NUMBER;
	case MC_COL_BOOL:
		/* an empty cell prints null */
		return SCOLS_JSON_BOOLEAN_OPTIONAL;
	default:
		return SCOLS_JSON_STRING;
	}
}

static int setup_scols(struct mc_table *t, const char *name,
		       struct mc_error *e)
{
	t->tb = scols_new_table();
	if (!t->tb)
		return mc_err(e, ENOMEM, "cannot create table");
	scols_table_enable_json(t->tb, t->json);
	scols_table_set_name(t->tb, name);
	scols_table_enable_raw(t->tb, mc_out.raw);
	scols_table_enable_noheadings(t->tb, mc_out.noheadings);
	for (size_t i = 0; i < t->ncols; i++) {
		const struct mc_colinfo *ci = &t->info[t->cols[i]];
		struct libscols_column *cl =
			scols_table_new_column(t->tb, ci->name, ci->whint,
					       ci->flags);
		if (!cl)
			return mc_err(e, ENOMEM, "cannot create column");
		scols_column_set_json_type(cl, json_type(ci->kind));
	}
	return 0;
}

int mc_table_init(struct mc_table *t, const char *name,
		  const struct mc_colinfo *info, size_t ninfo,
		  const int *defaults, struct mc_error *e)
{
	memset(t, 0, sizeof(*t));
	t->info = info;
	t->ninfo = ninfo;
	t->json = mc_out.json;
	/* JSON always carries exact bytes (DESIGN: -J implies -b) */
	t->bytes = mc_out.bytes || mc_out.json;
	t->cols = calloc(ninfo, sizeof(*t->cols));
	t->pos = malloc(ninfo * sizeof(*t->pos));
	if (!t->cols || !t->pos) {
		mc_table_free(t);
		return mc_err(e, ENOMEM, "cannot allocate table");
	}
	memset(t->pos, 0xff, ninfo * sizeof(*t->pos));
	if (select_columns(t, defaults, e) < 0 || setup_scols(t, name, e) < 0) {
		mc_table_free(t);
		return -1;
	}
	return 0;
}

void mc_table_free(struct mc_table *t)
{
	scols_unref_table(t->tb);
	free(t->cols);
	free(t->pos);
	memset(t, 0, sizeof(*t));
}

bool mc_table_has(const struct mc_table *t, int id)
{
	return id >= 0 && (size_t)id < t->ninfo && t->pos[id] >= 0;
}

struct libscols_line *mc_table_line(struct mc_table *t,
				    struct libscols_line *parent)
{
	return scols_table_new_line(t->tb, parent);
}

void mc_cell_str(struct mc_table *t, struct libscols_line *ln, int id,
		 const char *s)
{
	if (mc_table_has(t, id) && s)
		scols_line_set_data(ln, (size_t)t->pos[id], s);
}

void mc_cell_num(struct mc_table *t, struct libscols_line *ln, int id,
		 bool valid, int64_t v)
{
	char buf[32];

	if (!mc_table_has(t, id) || !valid)
		return;
	mc_fmt_i64(buf, v);
	scols_line_set_data(ln, (size_t)t->pos[id], buf);
}

void mc_cell_size(struct mc_table *t, struct libscols_line *ln, int id,
		  bool valid, int64_t v)
{
	char buf[MC_SIZE_BUFSZ];

	if (!mc_table_has(t, id) || !valid)
		return;
	if (t->bytes)
		mc_fmt_i64(buf, v);
	else
		mc_size_human_signed(buf, sizeof(buf), v);
	scols_line_set_data(ln, (size_t)t->pos[id], buf);
}

void mc_cell_bool(struct mc_table *t, struct libscols_line *ln, int id,
		  bool v)
{
	if (!mc_table_has(t, id))
		return;
	/* libsmartcols reads "n..." and "0" as JSON false */
	scols_line_set_data(ln, (size_t)t->pos[id], v ? "yes" : "no");
}

int mc_table_print(struct mc_table *t, FILE *out)
{
	scols_table_set_stream(t->tb, out);
	return scols_print_table(t->tb);
}

int mc_table_list_columns(const struct mc_colinfo *info, size_t ninfo,
			  FILE *out)
{
	static const struct mc_colinfo list_info[] = {
		{ "NAME", 0, 0, MC_COL_STR, "column name" },
		{ "DESCRIPTION", 0, 0, MC_COL_STR, "what the column shows" },
	};
	static const int defaults[] = { 0, 1, -1 };
	struct mc_out_opts saved = mc_out;
	struct mc_table t;
	struct mc_error e;
	int rc;

	/* -o applies to the command's own table, not to this one */
	mc_out.output = NULL;
	mc_out.output_all = 0;
	rc = mc_table_init(&t, "columns", list_info, 2, defaults, &e);
	mc_out = saved;
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < ninfo; i++) {
		struct libscols_line *ln = mc_table_line(&t, NULL);

		mc_cell_str(&t, ln, 0, info[i].name);
		mc_cell_str(&t, ln, 1, info[i].help);
	}
	rc = mc_table_print(&t, out);
	mc_table_free(&t);
	return rc;
}
