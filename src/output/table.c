/* Tables for every command: column selection and typed cells, kept until
 * print time. Commands build lines; they never format columns. */
#include "output/table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/size.h"
#include "output/line.h"

/* The document this run owes under -J, and whether one was printed. */
static struct {
	const char *name;
	bool printed;
} doc;

static int column_id(const struct mc_colinfo *info, size_t ninfo,
		     const char *name, size_t len)
{
	for (size_t i = 0; i < ninfo; i++)
		if (strlen(info[i].name) == len &&
		    !strncasecmp(info[i].name, name, len))
			return (int)i;
	return -1;
}

static void add_col(struct mc_table *t, int id)
{
	if (t->pos[id] >= 0)
		return; /* listed twice: print once */
	t->pos[id] = (int)t->ncols;
	t->cols[t->ncols++] = id;
}

static int select_columns(struct mc_table *t, const int *defaults,
			  const struct mc_out_opts *opts, struct mc_error *e)
{
	const char *list = opts->output;

	if (opts->output_all) {
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

int mc_table_init(struct mc_table *t, const char *name,
		  const struct mc_colinfo *info, size_t ninfo,
		  const int *defaults, const struct mc_out_opts *opts,
		  struct mc_error *e)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->info = info;
	t->ninfo = ninfo;
	t->json = opts->json;
	t->raw = opts->raw;
	t->noheadings = opts->noheadings;
	/* JSON always carries exact bytes (DESIGN: -J implies -b) */
	t->bytes = opts->bytes || opts->json;
	t->pairs = opts->pairs && !opts->json;
	t->notruncate = opts->notruncate;
	t->width = opts->width;
	if (t->json)
		mc_doc_owe(name);
	t->cols = calloc(ninfo, sizeof(*t->cols));
	t->pos = malloc(ninfo * sizeof(*t->pos));
	if (!t->cols || !t->pos) {
		mc_table_free(t);
		return mc_err(e, ENOMEM, "cannot allocate table");
	}
	memset(t->pos, 0xff, ninfo * sizeof(*t->pos));
	if (select_columns(t, defaults, opts, e) < 0) {
		mc_table_free(t);
		return -1;
	}
	return 0;
}

void mc_table_free(struct mc_table *t)
{
	for (size_t i = 0; i < t->nlines; i++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->lines[i]->cells[c].str);
		free(t->lines[i]);
	}
	free(t->lines);
	free(t->cols);
	free(t->pos);
	mc_extra_free(t);
	memset(t, 0, sizeof(*t));
}

bool mc_table_has(const struct mc_table *t, int id)
{
	return id >= 0 && (size_t)id < t->ninfo && t->pos[id] >= 0;
}

unsigned mc_table_needs(const struct mc_table *t)
{
	unsigned needs = 0;

	for (size_t i = 0; i < t->ncols; i++)
		needs |= t->info[t->cols[i]].needs;
	return needs;
}

struct mc_line *mc_table_line(struct mc_table *t, struct mc_line *parent)
{
	struct mc_line *ln;

	if (t->nlines == t->caplines) {
		size_t cap = t->caplines ? 2 * t->caplines : 64;
		struct mc_line **nv = realloc(t->lines, cap * sizeof(*nv));

		if (!nv)
			goto nomem;
		t->lines = nv;
		t->caplines = cap;
	}
	ln = calloc(1, sizeof(*ln) + t->ncols * sizeof(ln->cells[0]));
	if (!ln)
		goto nomem;
	ln->parent = parent;
	ln->index = t->nlines;
	t->lines[t->nlines++] = ln;
	return ln;
nomem:
	t->nomem = true;
	return NULL;
}

/* The cell of column id, or NULL when the column is not shown. */
static struct mc_cell *cell(struct mc_table *t, struct mc_line *ln, int id)
{
	if (!ln || !mc_table_has(t, id))
		return NULL;
	return &ln->cells[t->pos[id]];
}

void mc_cell_str(struct mc_table *t, struct mc_line *ln, int id,
		 const char *s)
{
	struct mc_cell *c = cell(t, ln, id);

	if (!c || !s)
		return;
	free(c->str);
	c->str = strdup(s);
	c->valid = c->str != NULL;
	if (!c->valid)
		t->nomem = true;
}

void mc_cell_num(struct mc_table *t, struct mc_line *ln, int id, bool valid,
		 int64_t v)
{
	struct mc_cell *c = cell(t, ln, id);

	if (c) {
		c->valid = valid;
		c->num = v;
	}
}

void mc_cell_size(struct mc_table *t, struct mc_line *ln, int id, bool valid,
		  int64_t v)
{
	mc_cell_num(t, ln, id, valid, v);
}

void mc_cell_bool(struct mc_table *t, struct mc_line *ln, int id, bool v)
{
	mc_cell_num(t, ln, id, true, v);
}

/* The text is made now, the way the table prints it: "key:size" joined by
 * ',' (human sizes, or bytes with -b); under -J "key=bytes", which the JSON
 * writer turns into an object. */
void mc_cell_sizes(struct mc_table *t, struct mc_line *ln, int id,
		   const char *const *keys, const uint64_t *bytes, size_t n)
{
	char text[1024] = "", v[MC_SIZE_BUFSZ];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(text); i++) {
		if (t->json || t->bytes)
			mc_fmt_i64(v, (int64_t)bytes[i]);
		else
			mc_size_human(v, sizeof(v), bytes[i]);
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s%s%c%s", i ? "," : "", keys[i],
					t->json ? '=' : ':', v);
	}
	mc_cell_str(t, ln, id, text);
}

const char *mc_cell_text(const struct mc_table *t, const struct mc_line *ln,
			 size_t i, char *buf, size_t len)
{
	const struct mc_cell *c = &ln->cells[i];

	if (!c->valid)
		return NULL;
	switch (t->info[t->cols[i]].kind) {
	case MC_COL_STR:
	case MC_COL_SIZES:
		return c->str;
	case MC_COL_BOOL:
		return c->num ? "yes" : "no";
	case MC_COL_SIZE:
		if (!t->bytes)
			return mc_size_human_signed(buf, len, c->num);
		/* fall through: exact bytes */
	case MC_COL_NUM:
		break;
	}
	mc_fmt_i64(buf, c->num);
	return buf;
}

int mc_table_print(struct mc_table *t, FILE *out)
{
	if (t->nomem)
		return -ENOMEM;
	if (!t->json) {
		int rc;

		/* off a terminal, most tables need none of libsmartcols'
		 * per-byte work */
		if (!t->width && !isatty(fileno(out)) &&
		    mc_print_plain(t, out, &rc))
			return rc;
		return mc_print_scols(t, out);
	}
	/* printed or not, this was the one chance: never a second document */
	doc.printed = true;
	return mc_print_json(t, out);
}

void mc_doc_owe(const char *name)
{
	doc.name = name;
}

int mc_doc_settle(FILE *out)
{
	struct mc_table empty = { .name = doc.name, .json = true };

	if (!doc.name || doc.printed)
		return 0;
	doc.printed = true;
	return mc_print_json(&empty, out);
}

int mc_table_list_columns(const struct mc_colinfo *info, size_t ninfo,
			  const struct mc_out_opts *opts, FILE *out)
{
	static const struct mc_colinfo list_info[] = {
		{ "NAME", 0, 0, MC_COL_STR, "column name", 0 },
		{ "DESCRIPTION", 0.7, MC_COLF_WRAP, MC_COL_STR,
		  "what the column shows", 0 },
	};
	static const int defaults[] = { 0, 1, -1 };
	/* -o applies to the command's own table, not to this one */
	struct mc_out_opts lo = *opts;
	struct mc_table t;
	struct mc_error e;
	int rc;

	lo.output = NULL;
	lo.output_all = 0;
	if (mc_table_init(&t, "columns", list_info, 2, defaults, &lo, &e) < 0)
		return -1;
	for (size_t i = 0; i < ninfo; i++) {
		struct mc_line *ln = mc_table_line(&t, NULL);

		mc_cell_str(&t, ln, 0, info[i].name);
		mc_cell_str(&t, ln, 1, info[i].help);
	}
	rc = mc_table_print(&t, out);
	mc_table_free(&t);
	return rc;
}
