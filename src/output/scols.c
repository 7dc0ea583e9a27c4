/* Tables, trees, raw and KEY="value" output through libsmartcols, from the
 * typed cells: the one file of memcg that includes <libsmartcols.h>. On a
 * terminal (or with a width) the table fits it: text columns are cut,
 * paths wrap at '/' and long text at spaces; off a terminal nothing is cut
 * or wrapped. */
#include <errno.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "core/size.h"
#include "output/escape.h"
#include "output/line.h"

/* libsmartcols ends a chunk of a custom-wrapped cell by writing a NUL into
 * the cell, and the byte it overwrites is lost. So every place a line may
 * end gets a byte of its own, a mark, dropped when the chunk is printed:
 * MARK_SEP where a reader expects a break (before '/' in a path, after a
 * space in text), MARK_ANY between any other two characters, for a name
 * wider than the column. MARK_START opens a marked cell: only the first
 * chunk of a cell holds it. libsmartcols encodes the rest of the text as
 * usual (\xHH), the marks pass as "safe" characters of no width. */
#define MARK_START '\x1d'
#define MARK_SEP '\x1e'
#define MARK_ANY '\x1f'
static const char safechars[] = "\x1d\x1e\x1f";

static bool is_mark(char c)
{
	return c == MARK_START || c == MARK_SEP || c == MARK_ANY;
}

/* Columns a character takes on a terminal; *len its bytes. */
static size_t char_width(const char *p, size_t *len)
{
	mbstate_t st;
	wchar_t wc;
	int w;

	memset(&st, 0, sizeof(st));
	*len = mbrtowc(&wc, p, MB_CUR_MAX, &st);
	if (*len == (size_t)-1 || *len == (size_t)-2 || *len == 0) {
		*len = 1;
		return 1;
	}
	w = wcwidth(wc);
	return w < 0 ? 1 : (size_t)w;
}

/* A unit of encoded text: a whole \xHH, or a character. */
static size_t unit_width(const char *p, size_t *len)
{
	if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
		*len = 4;
		return 4;
	}
	return char_width(p, len);
}

/* The width of a whole cell once encoded: the column needs no more. It
 * gets the cell as set, not yet encoded. */
static size_t chunk_size(const struct libscols_column *cl, const char *data,
			 void *unused)
{
	size_t n = strlen(data), width = 0, len;
	char *plain = malloc(n + 1), *enc = malloc(mc_escape_size(n));
	char *w = plain;

	(void)cl;
	(void)unused;
	if (plain && enc) {
		for (const char *r = data; *r; r++)
			if (!is_mark(*r))
				*w++ = *r;
		*w = '\0';
		mc_escape_to(enc, plain);
		for (const char *p = enc; *p; p += len)
			width += unit_width(p, &len);
	}
	free(plain);
	free(enc);
	return width;
}

/* Drop the marks of data up to end, and end the chunk there; a line of
 * text that ends at a space loses the space. */
static void close_chunk(char *data, const char *end)
{
	char *w = data;

	for (const char *r = data; r < end; r++)
		if (!is_mark(*r))
			*w++ = *r;
	while (*end == MARK_SEP && w > data && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* As much of data (encoded) as fits in the column, ended at the last
 * MARK_SEP that fits, else at the last MARK_ANY; returns where the rest
 * starts. A cell that fits whole loses its marks in place: its first chunk
 * then says there is no other (NULL), so that libsmartcols keeps the width
 * it measured; libsmartcols measures a later chunk itself, and counts each
 * \xHH in it as 7 columns, which misaligns such a line, never widens it. */
static char *next_chunk(const struct libscols_column *cl, char *data,
			void *unused)
{
	size_t width = scols_column_get_width(cl), used = 0, len, w;
	char *p, *sep = NULL, *any = NULL;
	bool first = strchr(data, MARK_START) != NULL, marks = false;

	(void)unused;
	for (p = data; *p; p += len) {
		if (is_mark(*p)) {
			len = 1;
			marks = true;
			if (*p != MARK_START)
				*(*p == MARK_SEP ? &sep : &any) = p;
			continue;
		}
		w = unit_width(p, &len);
		if (used + w > width)
			break;
		used += w;
	}
	if (!*p) {
		if (!marks)
			return NULL;
		close_chunk(data, p);
		return first ? NULL : p;
	}
	p = sep ? sep : any;
	if (!p)
		return NULL; /* not one character fits: libsmartcols cuts */
	close_chunk(data, p);
	return p + 1;
}

/* s marked for a column that wraps at sep ('/' or ' '). A mark byte in s
 * itself is written as the text \x1d..\x1f (libsmartcols then shows its
 * backslash as \x5c): it must not pass for a mark, nor reach a terminal. */
static char *marked(const char *s, char sep)
{
	char *out = malloc(1 + 2 * mc_escape_size(strlen(s)));
	char *w = out, prev = '\0';

	if (!out)
		return NULL;
	*w++ = MARK_START;
	for (const char *p = s; *p;) {
		size_t len;

		char_width(p, &len);
		if (p != s)
			*w++ = (sep == '/' && *p == '/') ||
					       (sep == ' ' && prev == ' ')
				       ? MARK_SEP
				       : MARK_ANY;
		prev = *p;
		if (is_mark(*p)) {
			w += sprintf(w, "\\x%02x", (unsigned char)*p);
		} else {
			memcpy(w, p, len);
			w += len;
		}
		p += len;
	}
	*w = '\0';
	return out;
}

/* How column i wraps: '/' (a path), ' ' (text), or not at all. Raw and
 * pairs lines are never wrapped. */
static char wraps_at(const struct mc_table *t, size_t i)
{
	int flags = t->info[t->cols[i]].flags;

	if (t->raw || t->pairs)
		return '\0';
	if (flags & MC_COLF_PATH)
		return '/';
	return flags & MC_COLF_WRAP ? ' ' : '\0';
}

/* Where a cell may wrap: in the column that draws the tree, a line below
 * another is cut instead, since the lines after it would lack the tree's
 * branches; a top line has none to lose. */
static char cell_wraps_at(const struct mc_table *t, const struct mc_line *ln,
			  size_t i, char wrap)
{
	if (ln->parent && (t->info[t->cols[i]].flags & MC_COLF_TREE))
		return '\0';
	return wrap;
}

static int scols_flags(const struct mc_table *t, int flags, char wrap)
{
	int f = (flags & MC_COLF_RIGHT ? SCOLS_FL_RIGHT : 0) |
		(flags & MC_COLF_TREE ? SCOLS_FL_TREE : 0);

	/* a column that may be cut or wrapped gives way first, before the
	 * ones that may not; with -u only a wrapping one does */
	if (!t->notruncate &&
	    (flags & (MC_COLF_TRUNC | MC_COLF_WRAP | MC_COLF_PATH)))
		f |= SCOLS_FL_TRUNC;
	return f | (wrap ? SCOLS_FL_WRAP : 0);
}

/* On a terminal, or as if on one --width wide; never sized off one. */
static void set_width(const struct mc_table *t, struct libscols_table *tb,
		      FILE *out)
{
	if (t->width) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, t->width);
	} else {
		scols_table_set_termforce(tb, isatty(fileno(out))
						      ? SCOLS_TERMFORCE_ALWAYS
						      : SCOLS_TERMFORCE_NEVER);
	}
}

static struct libscols_table *new_table(const struct mc_table *t, FILE *out,
					char *wrap)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_set_name(tb, t->name);
	scols_table_enable_raw(tb, t->raw && !t->pairs);
	scols_table_enable_export(tb, t->pairs);
	scols_table_enable_noheadings(tb, t->noheadings);
	set_width(t, tb, out);
	for (size_t i = 0; i < t->ncols; i++) {
		const struct mc_colinfo *ci = &t->info[t->cols[i]];
		struct libscols_column *cl;

		wrap[i] = wraps_at(t, i);
		cl = scols_table_new_column(tb, ci->name, ci->whint,
					    scols_flags(t, ci->flags, wrap[i]));
		if (!cl) {
			scols_unref_table(tb);
			return NULL;
		}
		if (wrap[i]) {
			scols_column_set_wrapfunc(cl, chunk_size, next_chunk,
						  NULL);
			scols_column_set_safechars(cl, safechars);
		}
	}
	return tb;
}

static int set_cell(struct libscols_line *sl, size_t i, const char *s,
		    char at)
{
	char *m;

	if (!at)
		return scols_line_set_data(sl, i, s);
	m = marked(s, at);
	if (!m || scols_line_refer_data(sl, i, m) < 0) {
		free(m);
		return -ENOMEM;
	}
	return 0;
}

/* Lines in the order they were added: a parent always comes before its
 * children, so its libsmartcols line exists when they are added. */
static int add_lines(const struct mc_table *t, struct libscols_table *tb,
		     struct libscols_line **sl, const char *wrap)
{
	char buf[MC_SIZE_BUFSZ];

	for (size_t n = 0; n < t->nlines; n++) {
		const struct mc_line *ln = t->lines[n];
		struct libscols_line *parent =
			ln->parent ? sl[ln->parent->index] : NULL;

		sl[n] = scols_table_new_line(tb, parent);
		if (!sl[n])
			return -ENOMEM;
		for (size_t i = 0; i < t->ncols; i++) {
			const char *s = mc_cell_text(t, ln, i, buf,
						     sizeof(buf));

			if (s && set_cell(sl[n], i, s,
					  cell_wraps_at(t, ln, i, wrap[i])) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* libsmartcols prints nothing for a table without lines; a reader still
 * wants to see the columns (`memcg ps` of an empty cgroup). With no cells,
 * each column is as wide as its name: the names and one space between.
 * Pairs have no heading: no line, no output. */
static int print_header(const struct mc_table *t, FILE *out)
{
	if (t->pairs)
		return 0;
	for (size_t i = 0; i < t->ncols; i++)
		fprintf(out, "%s%s", i ? " " : "", t->info[t->cols[i]].name);
	return fputc('\n', out) == EOF ? -EIO : 0;
}

int mc_print_scols(const struct mc_table *t, FILE *out)
{
	char *wrap = calloc(t->ncols ? t->ncols : 1, 1);
	struct libscols_table *tb = wrap ? new_table(t, out, wrap) : NULL;
	struct libscols_line **sl = calloc(t->nlines ? t->nlines : 1,
					   sizeof(*sl));
	int rc = -ENOMEM;

	if (!t->nlines && !t->noheadings) {
		rc = print_header(t, out);
		goto out;
	}
	if (tb && sl)
		rc = add_lines(t, tb, sl, wrap);
	if (!rc) {
		scols_table_set_stream(tb, out);
		rc = scols_print_table(tb);
	}
out:
	free(sl);
	free(wrap);
	scols_unref_table(tb);
	return rc;
}
