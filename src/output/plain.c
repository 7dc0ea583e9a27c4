/* Tables off a terminal whose every cell is plain: printable ASCII with no
 * backslash (and, raw, no space). libsmartcols 2.38 prints each byte of a
 * cell through mbrtowc, iswprint and wcwidth: 5000 rows of `memcg move`
 * took 20 ms there, more than the moves themselves. For such a table
 * nothing needs encoding and a byte is a column, so the layout is done
 * here, byte for byte as libsmartcols does it off a terminal (the unit
 * test prints generated tables both ways and compares them): a column is
 * as wide as its widest cell or its name, or its width hint (>= 1) when
 * that is wider than both; one space between columns; right-aligned
 * columns padded on the left; the last column never padded on the right.
 * Anything else (a terminal, a tree, pairs, a byte to encode) goes to
 * libsmartcols. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/size.h"
#include "output/line.h"

/* Every cell's text, made once: arena holds them NUL-ended, off[] points
 * into it (SIZE_MAX: no text). */
struct texts {
	char *arena;
	size_t used, cap;
	size_t *off;
	size_t *width;		/* per column */
};

static bool plain(const char *s, bool raw)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '\\' || (raw && c == ' '))
			return false;
	}
	return true;
}

static int keep(struct texts *x, const char *s, size_t *off)
{
	size_t n = strlen(s) + 1;

	if (x->used + n > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		char *a;

		while (x->used + n > cap)
			cap *= 2;
		if (!(a = realloc(x->arena, cap)))
			return -1;
		x->arena = a;
		x->cap = cap;
	}
	memcpy(x->arena + x->used, s, n);
	*off = x->used;
	x->used += n;
	return 0;
}

/* The texts of all cells, and each column's width from its cells; false
 * when a cell is not plain (or memory ran out): libsmartcols prints it. */
static bool gather(const struct mc_table *t, struct texts *x)
{
	size_t n = t->nlines * t->ncols;
	char buf[MC_SIZE_BUFSZ];

	x->off = malloc((n ? n : 1) * sizeof(*x->off));
	x->width = calloc(t->ncols ? t->ncols : 1, sizeof(*x->width));
	if (!x->off || !x->width)
		return false;
	for (size_t l = 0; l < t->nlines; l++)
		for (size_t i = 0; i < t->ncols; i++) {
			const char *s = mc_cell_text(t, t->lines[l], i, buf,
						     sizeof(buf));
			size_t *off = &x->off[l * t->ncols + i];

			*off = SIZE_MAX;
			if (!s || !*s)
				continue;
			if (!plain(s, t->raw) || keep(x, s, off) < 0)
				return false;
			if (strlen(s) > x->width[i])
				x->width[i] = strlen(s);
		}
	return true;
}

/* A column's width, given its widest cell: at least its name, else at
 * least a width hint that is a number of columns. */
static void settle_widths(const struct mc_table *t, struct texts *x)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const struct mc_colinfo *ci = &t->info[t->cols[i]];
		size_t min = strlen(ci->name);

		if (x->width[i] < min)
			x->width[i] = min;
		else if (ci->whint >= 1 && x->width[i] < (size_t)ci->whint)
			x->width[i] = (size_t)ci->whint;
	}
}

static void pad(FILE *out, size_t n)
{
	static const char spaces[] = "                                ";

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		fwrite(spaces, 1, k, out);
		n -= k;
	}
}

/* One line: the cells s[i] (NULL: empty). */
static void put_line(const struct mc_table *t, const struct texts *x,
		     const char *const *s, FILE *out)
{
	for (size_t i = 0; i < t->ncols; i++) {
		bool last = i + 1 == t->ncols;
		size_t len = s[i] ? strlen(s[i]) : 0, w = x->width[i];

		if (t->raw) {
			if (s[i])
				fputs(s[i], out);
		} else if (t->info[t->cols[i]].flags & MC_COLF_RIGHT) {
			/* an empty last cell is not padded */
			if (len || !last)
				pad(out, w - len);
			if (s[i])
				fputs(s[i], out);
		} else {
			if (s[i])
				fputs(s[i], out);
			if (!last)
				pad(out, w - len);
		}
		if (!last)
			fputc(' ', out);
	}
	fputc('\n', out);
}

static int put_table(const struct mc_table *t, const struct texts *x,
		     FILE *out)
{
	const char **s = calloc(t->ncols ? t->ncols : 1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (!t->noheadings) {
		for (size_t i = 0; i < t->ncols; i++)
			s[i] = t->info[t->cols[i]].name;
		put_line(t, x, s, out);
	}
	for (size_t l = 0; l < t->nlines; l++) {
		for (size_t i = 0; i < t->ncols; i++) {
			size_t off = x->off[l * t->ncols + i];

			s[i] = off == SIZE_MAX ? NULL : x->arena + off;
		}
		put_line(t, x, s, out);
	}
	free(s);
	return ferror(out) ? -EIO : 0;
}

bool mc_print_plain(const struct mc_table *t, FILE *out, int *rc)
{
	struct texts x = {0};
	bool done = false;

	if (t->pairs || !t->nlines)
		return false;
	for (size_t i = 0; i < t->ncols; i++)
		if ((t->info[t->cols[i]].flags & MC_COLF_TREE) ||
		    !plain(t->info[t->cols[i]].name, t->raw))
			return false;
	if (gather(t, &x)) {
		settle_widths(t, &x);
		*rc = put_table(t, &x, out);
		done = true;
	}
	free(x.arena);
	free(x.off);
	free(x.width);
	return done;
}
