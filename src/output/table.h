/* The one output layer: tables driven by a column table, the way findmnt and
 * lsblk do it. A command describes its columns once (name, width hint, kind,
 * help, what the engine must measure for it); -o, --output-all, -H, the JSON
 * type of every value and the help text all come from that description.
 * Cells keep their typed values; printing renders them through libsmartcols
 * (table, tree, raw, pairs) or json-c (-J). It knows no command line: the
 * options come in a plain struct. */
#ifndef MEMCG_TABLE_H
#define MEMCG_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

enum mc_col_kind {
	MC_COL_STR,	/* text; NULL prints as an empty cell or JSON null */
	MC_COL_NUM,	/* integer printed as is (PID, microseconds) */
	MC_COL_SIZE,	/* bytes: human by default, exact with -b and in JSON */
	MC_COL_BOOL,	/* yes/no; JSON true/false */
	MC_COL_SIZES,	/* bytes by key: "a:2M,b:10M" in a table (exact
			 * with -b), an object {"a": N, "b": N} in JSON */
};

/* How a column prints in a table on a terminal (JSON, raw and pairs
 * ignore them; off a terminal nothing is cut or wrapped). */
enum {
	MC_COLF_RIGHT = 1 << 0,	/* right-aligned */
	MC_COLF_TRUNC = 1 << 1,	/* truncated on a narrow terminal */
	MC_COLF_WRAP = 1 << 2,	/* wrapped on a narrow terminal, at spaces */
	MC_COLF_TREE = 1 << 3,	/* draws the tree of lines with a parent */
	/* a path: wrapped at '/' on a narrow terminal; truncated where it
	 * draws a tree (a wrapped line would break the tree's lines) */
	MC_COLF_PATH = 1 << 4,
};

struct mc_colinfo {
	const char *name;
	double whint;		/* width hint: < 1 a share, >= 1 columns */
	int flags;		/* MC_COLF_* */
	enum mc_col_kind kind;
	const char *help;
	unsigned needs;		/* what the engine measures for it (the
				 * command's own bits) */
};

/* The output options, as the command line set them. */
struct mc_out_opts {
	const char *output;	/* -o LIST; "+COL,..." adds to the defaults */
	int output_all;
	int json;		/* implies bytes */
	int raw;
	int noheadings;
	int bytes;
	int pairs;		/* KEY="value" lines (-J wins over it, it over
				 * raw) */
	int notruncate;		/* never cut a cell (wrapping stays) */
	size_t width;		/* as if on a terminal this wide; 0: the
				 * terminal's width, or no limit off one */
};

struct mc_line;
struct mc_extra;	/* output/extra.c */

struct mc_table {
	const char *name;	/* the JSON document's key */
	const struct mc_colinfo *info;
	size_t ninfo;
	int *cols;		/* selected column ids, in output order */
	size_t ncols;
	int *pos;		/* id -> position in cols, or -1 */
	bool json, raw, noheadings, bytes, pairs, notruncate;
	size_t width;
	struct mc_line **lines;	/* in the order they were added */
	size_t nlines, caplines;
	bool nomem;		/* a line could not be stored: print fails */
	struct mc_extra *extra;	/* an object beside the rows (-J), or NULL */
};

/* Select columns from opts (or the defaults, ids ending with -1) and set up a
 * table whose JSON document is {"name": [...]}. Returns -1 with e set on an
 * unknown column (e->code EINVAL: a usage error). */
int mc_table_init(struct mc_table *t, const char *name,
		  const struct mc_colinfo *info, size_t ninfo,
		  const int *defaults, const struct mc_out_opts *opts,
		  struct mc_error *e);
void mc_table_free(struct mc_table *t);

/* Whether a column was selected: commands read only what is shown. */
bool mc_table_has(const struct mc_table *t, int id);
/* The needs of the selected columns, ORed. */
unsigned mc_table_needs(const struct mc_table *t);

/* A new line, under parent (NULL: at the top). A line with a parent is in
 * the tree of a MC_COLF_TREE column and in its parent's "children" array in
 * JSON. NULL when out of memory; the cell setters ignore a NULL line and
 * mc_table_print then fails. */
struct mc_line *mc_table_line(struct mc_table *t, struct mc_line *parent);

/* Cell setters; a column that is not selected is ignored. valid=false is an
 * unknown or not applicable value: empty cell, JSON null. */
void mc_cell_str(struct mc_table *t, struct mc_line *ln, int id,
		 const char *s);
void mc_cell_num(struct mc_table *t, struct mc_line *ln, int id, bool valid,
		 int64_t v);
void mc_cell_size(struct mc_table *t, struct mc_line *ln, int id, bool valid,
		  int64_t v);
void mc_cell_bool(struct mc_table *t, struct mc_line *ln, int id, bool v);
/* A SIZES cell: n keys (literals or strings that outlive the call) with
 * their bytes, in this order; n = 0 is an empty cell, {} in JSON. */
void mc_cell_sizes(struct mc_table *t, struct mc_line *ln, int id,
		   const char *const *keys, const uint64_t *bytes, size_t n);

/* An object of typed key/values that the JSON document carries after the
 * rows, {"NAME": [...], "name": {...}} (a command's summary); the other
 * formats ignore it. Keys are kept as given (literals: they must outlive
 * the table) and print in the order they were set. A value that cannot be
 * stored makes mc_table_print fail, as a line does. */
void mc_table_extra(struct mc_table *t, const char *name);
void mc_extra_num(struct mc_table *t, const char *key, bool valid, int64_t v);
void mc_extra_str(struct mc_table *t, const char *key, const char *s);

/* Print the table, or with json the document. 0 or a negative errno. */
int mc_table_print(struct mc_table *t, FILE *out);

/* -J promises one document on every path (DESIGN, Settlements: JSON): the
 * run owes {"name": []} until a document is printed. mc_table_init of a
 * JSON table names what is owed, so a command whose key depends on its
 * options (where -s) owes the right one. mc_doc_settle prints the empty
 * document if none was printed; 0 or a negative errno. */
void mc_doc_owe(const char *name);
int mc_doc_settle(FILE *out);

/* -H/--list-columns: every column with its help, printed as opts say (-J,
 * -r, -n; the column choice of opts is for the command's own table). */
int mc_table_list_columns(const struct mc_colinfo *info, size_t ninfo,
			  const struct mc_out_opts *opts, FILE *out);

#endif
