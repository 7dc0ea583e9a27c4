/* Tables, trees and raw output through libsmartcols, from the typed cells:
 * the one file of memcg that includes <libsmartcols.h>. */
#include <errno.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/size.h"
#include "output/line.h"

static int scols_flags(int flags)
{
	return (flags & MC_COLF_RIGHT ? SCOLS_FL_RIGHT : 0) |
	       (flags & MC_COLF_TRUNC ? SCOLS_FL_TRUNC : 0) |
	       (flags & MC_COLF_WRAP ? SCOLS_FL_WRAP : 0) |
	       (flags & MC_COLF_TREE ? SCOLS_FL_TREE : 0);
}

static struct libscols_table *new_table(const struct mc_table *t)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_set_name(tb, t->name);
	scols_table_enable_raw(tb, t->raw);
	scols_table_enable_noheadings(tb, t->noheadings);
	for (size_t i = 0; i < t->ncols; i++) {
		const struct mc_colinfo *ci = &t->info[t->cols[i]];

		if (!scols_table_new_column(tb, ci->name, ci->whint,
					    scols_flags(ci->flags))) {
			scols_unref_table(tb);
			return NULL;
		}
	}
	return tb;
}

/* Lines in the order they were added: a parent always comes before its
 * children, so its libsmartcols line exists when they are added. */
static int add_lines(const struct mc_table *t, struct libscols_table *tb,
		     struct libscols_line **sl)
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

			if (s && scols_line_set_data(sl[n], i, s) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* libsmartcols prints nothing for a table without lines; a reader still
 * wants to see the columns (`memcg ps` of an empty cgroup). With no cells,
 * each column is as wide as its name: the names and one space between. */
static int print_header(const struct mc_table *t, FILE *out)
{
	for (size_t i = 0; i < t->ncols; i++)
		fprintf(out, "%s%s", i ? " " : "", t->info[t->cols[i]].name);
	return fputc('\n', out) == EOF ? -EIO : 0;
}

int mc_print_scols(const struct mc_table *t, FILE *out)
{
	struct libscols_table *tb = new_table(t);
	struct libscols_line **sl = calloc(t->nlines ? t->nlines : 1,
					   sizeof(*sl));
	int rc = -ENOMEM;

	if (!t->nlines && !t->noheadings) {
		free(sl);
		scols_unref_table(tb);
		return print_header(t, out);
	}
	if (tb && sl)
		rc = add_lines(t, tb, sl);
	if (!rc) {
		scols_table_set_stream(tb, out);
		rc = scols_print_table(tb);
	}
	free(sl);
	scols_unref_table(tb);
	return rc;
}
