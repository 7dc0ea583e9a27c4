/* The one output layer: libsmartcols tables driven by a column table, the way
 * findmnt and lsblk do it. A command describes its columns once (name, width
 * hint, kind, help); -o, --output-all, -H, the JSON type of every value and
 * the help text all come from that description. */
#ifndef MEMCG_TABLE_H
#define MEMCG_TABLE_H

#include <libsmartcols.h>
#include <popt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct libscols_table;
struct libscols_line;

enum mc_col_kind {
	MC_COL_STR,	/* text; NULL prints as an empty cell or JSON null */
	MC_COL_NUM,	/* integer printed as is (PID, microseconds) */
	MC_COL_SIZE,	/* bytes: human by default, exact with -b and in JSON */
	MC_COL_BOOL,	/* yes/no; JSON true/false */
};

struct mc_colinfo {
	const char *name;
	double whint;		/* libsmartcols width hint */
	int flags;		/* SCOLS_FL_* */
	enum mc_col_kind kind;
	const char *help;
};

/* What the shared output options set; filled by mc_output_popt. */
struct mc_out_opts {
	char *output;		/* -o/--output list, "+COL,..." appends */
	int output_all;
	int json;
	int raw;
	int noheadings;
	int bytes;
	int list_columns;
};

extern struct mc_out_opts mc_out;
extern struct poptOption mc_output_popt[];

struct mc_table {
	struct libscols_table *tb;
	const struct mc_colinfo *info;
	size_t ninfo;
	int *cols;		/* selected column ids, in output order */
	size_t ncols;
	int *pos;		/* id -> position in cols, or -1 */
	bool bytes;
	bool json;
};

/* Select columns from mc_out (or the defaults, ids ending with -1) and set up
 * a table of the given JSON name. Returns -1 with e set on an unknown column
 * (e->code EINVAL: a usage error). */
int mc_table_init(struct mc_table *t, const char *name,
		  const struct mc_colinfo *info, size_t ninfo,
		  const int *defaults, struct mc_error *e);
void mc_table_free(struct mc_table *t);

/* Whether a column was selected: commands read only what is shown. */
bool mc_table_has(const struct mc_table *t, int id);

struct libscols_line *mc_table_line(struct mc_table *t,
				    struct libscols_line *parent);

/* Cell setters; a column that is not selected is ignored. valid=false is an
 * unknown or not applicable value: empty cell, JSON null. */
void mc_cell_str(struct mc_table *t, struct libscols_line *ln, int id,
		 const char *s);
void mc_cell_num(struct mc_table *t, struct libscols_line *ln, int id,
		 bool valid, int64_t v);
void mc_cell_size(struct mc_table *t, struct libscols_line *ln, int id,
		  bool valid, int64_t v);
void mc_cell_bool(struct mc_table *t, struct libscols_line *ln, int id,
		  bool v);

int mc_table_print(struct mc_table *t, FILE *out);

/* -H/--list-columns: every column with its help (respects -J, -r, -n). */
int mc_table_list_columns(const struct mc_colinfo *info, size_t ninfo,
			  FILE *out);

#endif
