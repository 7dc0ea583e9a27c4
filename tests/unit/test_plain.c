/* The plain layout (output/plain.c) against libsmartcols itself: generated
 * tables printed both ways must be the same bytes, and a table with a cell
 * to encode must be left to libsmartcols. */
#include "unit.h"

#include "output/line.h"
#include "output/table.h"

#define MAXCOLS 6

static const double hints[] = { 0, 0.2, 0.5, 1, 3, 8, 12, 20 };
static const char charset[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.:,";

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/* A random text of 0..max bytes; spaces only when allowed. */
static void text(unsigned *seed, char *s, unsigned max, bool spaces)
{
	unsigned n = rnd(seed, max + 1);

	for (unsigned i = 0; i < n; i++)
		s[i] = spaces && rnd(seed, 6) == 0
			       ? ' '
			       : charset[rnd(seed, sizeof(charset) - 1)];
	s[n] = '\0';
}

struct gen {
	struct mc_colinfo info[MAXCOLS];
	char names[MAXCOLS][12];
	int defaults[MAXCOLS + 1];
	struct mc_table t;
};

/* A table of random columns (names, hints, alignment, kinds) and lines
 * (empty, unknown and text cells), raw or not, with or without heading. */
static void generate(struct gen *g, unsigned *seed)
{
	size_t ncols = 1 + rnd(seed, MAXCOLS), nlines = rnd(seed, 12);
	bool raw = rnd(seed, 3) == 0;
	struct mc_out_opts o = { .raw = raw, .noheadings = rnd(seed, 4) == 0 };
	struct mc_error e;

	for (size_t i = 0; i < ncols; i++) {
		text(seed, g->names[i], 8, false);
		if (!g->names[i][0])
			strcpy(g->names[i], "X");
		g->info[i] = (struct mc_colinfo){
			g->names[i], hints[rnd(seed, 8)],
			rnd(seed, 2) ? MC_COLF_RIGHT : 0,
			rnd(seed, 3) ? MC_COL_STR : MC_COL_SIZE, "", 0};
		g->defaults[i] = (int)i;
	}
	g->defaults[ncols] = -1;
	assert_int_equal(mc_table_init(&g->t, "rows", g->info, ncols,
				       g->defaults, &o, &e),
			 0);
	for (size_t l = 0; l < nlines; l++) {
		struct mc_line *ln = mc_table_line(&g->t, NULL);

		for (size_t i = 0; i < ncols; i++) {
			char s[32];
			unsigned pick = rnd(seed, 8);

			if (g->info[i].kind == MC_COL_SIZE)
				mc_cell_size(&g->t, ln, (int)i, pick != 0,
					     (int64_t)rnd(seed, 1u << 30));
			else if (pick == 0)
				mc_cell_str(&g->t, ln, (int)i, NULL);
			else if (pick == 1)
				mc_cell_str(&g->t, ln, (int)i, "");
			else {
				text(seed, s, 24, !raw);
				mc_cell_str(&g->t, ln, (int)i, s);
			}
		}
	}
}

static char *print_with(struct mc_table *t, bool plain, bool *taken)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = 0;

	assert_non_null(f);
	if (plain)
		*taken = mc_print_plain(t, f, &rc);
	else
		rc = mc_print_scols(t, f);
	assert_int_equal(rc, 0);
	fclose(f);
	return buf;
}

static void same_as_libsmartcols(void **state)
{
	unsigned seed = 20261206, taken = 0;

	(void)state;
	for (int n = 0; n < 3000; n++) {
		struct gen g;
		bool plain = false;
		char *want, *got;

		generate(&g, &seed);
		want = print_with(&g.t, false, NULL);
		got = print_with(&g.t, true, &plain);
		if (plain) {
			taken++;
			if (strcmp(want, got))
				fail_msg("table %d differs:\n[%s]\n[%s]", n, want,
					 got);
		} else {
			assert_string_equal(got, "");
		}
		free(want);
		free(got);
		mc_table_free(&g.t);
	}
	/* only tables without lines go to libsmartcols here */
	assert_true(taken > 2500);
}

/* A byte libsmartcols would encode (a control character, a backslash, a
 * byte of UTF-8) leaves the table to it, untouched. */
static void encoded_cells_left_alone(void **state)
{
	static const char *const cells[] = { "a\x1b[2Jb", "C:\\x41", "caf\xc3\xa9",
					     "\x7f" };
	static const struct mc_colinfo info[] = {
		{ "NAME", 0, 0, MC_COL_STR, "", 0 },
	};
	static const int defaults[] = { 0, -1 };

	(void)state;
	for (size_t i = 0; i < sizeof(cells) / sizeof(*cells); i++) {
		struct mc_out_opts o = {0};
		struct mc_table t;
		struct mc_error e;
		bool plain = true;
		char *got;

		assert_int_equal(mc_table_init(&t, "rows", info, 1, defaults,
					       &o, &e),
				 0);
		mc_cell_str(&t, mc_table_line(&t, NULL), 0, "plain");
		mc_cell_str(&t, mc_table_line(&t, NULL), 0, cells[i]);
		got = print_with(&t, true, &plain);
		assert_false(plain);
		assert_string_equal(got, "");
		free(got);
		mc_table_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_as_libsmartcols),
		cmocka_unit_test(encoded_cells_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
