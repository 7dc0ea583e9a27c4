/* Inside the output layer: a line's typed cells, kept until print time, and
 * the two renderers that read them. */
#ifndef MEMCG_OUTPUT_LINE_H
#define MEMCG_OUTPUT_LINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "output/table.h"

/* One value; its kind is its column's. Not valid: unknown or not set. */
struct mc_cell {
	bool valid;
	int64_t num;		/* NUM, SIZE, BOOL */
	char *str;		/* STR */
};

struct mc_line {
	struct mc_line *parent;
	size_t index;		/* in the table's lines */
	struct mc_cell cells[];	/* by position among the selected columns */
};

/* The object beside the rows (mc_table_extra): values with the kind of
 * the cell they print like (NUM or STR; not valid: null). */
struct mc_extra_val {
	const char *key;
	enum mc_col_kind kind;
	struct mc_cell cell;
};

struct mc_extra {
	const char *name;
	struct mc_extra_val *vals;
	size_t n;
};

void mc_extra_free(struct mc_table *t);

/* The cell of line ln at position i as a table prints it: buf (at least
 * 32 bytes) or the cell's own text, NULL when empty. */
const char *mc_cell_text(const struct mc_table *t, const struct mc_line *ln,
			 size_t i, char *buf, size_t len);

int mc_print_scols(const struct mc_table *t, FILE *out);
/* Off a terminal, a table of plain cells laid out as libsmartcols lays it
 * out, without its per-byte cost (plain.c): true when printed (*rc set),
 * false when the table is not one (nothing written). */
bool mc_print_plain(const struct mc_table *t, FILE *out, int *rc);
int mc_print_json(const struct mc_table *t, FILE *out);

#endif
