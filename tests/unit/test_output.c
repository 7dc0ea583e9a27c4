/* Column selection and JSON types of the output layer. */
#include "unit.h"

#include "output/escape.h"
#include "output/table.h"

enum { C_A, C_B, C_SIZE, C_FLAG };
static const struct mc_colinfo info[] = {
	{ "A", 0, 0, MC_COL_STR, "a", 0 },
	{ "B", 0, 0, MC_COL_NUM, "b", 0 },
	{ "SIZE", 0, 0, MC_COL_SIZE, "size", 0 },
	{ "FLAG", 0, 0, MC_COL_BOOL, "flag", 0 },
};
static const int defaults[] = { C_A, C_SIZE, -1 };

static int init(struct mc_table *t, const char *output, int all,
		struct mc_error *e)
{
	struct mc_out_opts o = { .output = output, .output_all = all };

	return mc_table_init(t, "rows", info, 4, defaults, &o, e);
}

static void column_selection(void **state)
{
	struct mc_table t;
	struct mc_error e;

	(void)state;
	assert_int_equal(init(&t, NULL, 0, &e), 0);
	assert_true(mc_table_has(&t, C_A) && mc_table_has(&t, C_SIZE));
	assert_false(mc_table_has(&t, C_B) || mc_table_has(&t, C_FLAG));
	mc_table_free(&t);

	assert_int_equal(init(&t, "flag,b", 0, &e), 0);
	assert_int_equal(t.ncols, 2);
	assert_int_equal(t.cols[0], C_FLAG);
	assert_int_equal(t.cols[1], C_B);
	mc_table_free(&t);

	assert_int_equal(init(&t, "+B", 0, &e), 0);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.cols[2], C_B);
	mc_table_free(&t);

	assert_int_equal(init(&t, NULL, 1, &e), 0);
	assert_int_equal(t.ncols, 4);
	mc_table_free(&t);

	assert_int_equal(init(&t, "A,NOPE", 0, &e), -1);
	assert_int_equal(e.code, EINVAL);
	assert_non_null(strstr(e.msg, "'NOPE'"));
	assert_int_equal(init(&t, "", 0, &e), -1);
}

static char *render(int json, int bytes)
{
	struct mc_table t;
	struct mc_error e;
	struct mc_out_opts o = { .output_all = 1, .json = json,
				 .bytes = bytes };
	struct mc_line *ln;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(mc_table_init(&t, "rows", info, 4, defaults, &o, &e),
			 0);
	ln = mc_table_line(&t, NULL);
	mc_cell_str(&t, ln, C_A, "x");
	mc_cell_num(&t, ln, C_B, true, 42);
	mc_cell_size(&t, ln, C_SIZE, true, 1536);
	mc_cell_bool(&t, ln, C_FLAG, false);
	ln = mc_table_line(&t, NULL);
	mc_cell_str(&t, ln, C_A, NULL);
	mc_cell_num(&t, ln, C_B, false, 0);
	mc_cell_size(&t, ln, C_SIZE, false, 0);
	mc_cell_bool(&t, ln, C_FLAG, true);
	mc_table_print(&t, f);
	fclose(f);
	mc_table_free(&t);
	return buf;
}

static void json_types(void **state)
{
	char *s = render(1, 0);

	(void)state;
	/* -J implies bytes; numbers are numbers; unknown is null */
	assert_non_null(strstr(s, "\"size\": 1536"));
	assert_non_null(strstr(s, "\"b\": 42"));
	assert_non_null(strstr(s, "\"flag\": false"));
	assert_non_null(strstr(s, "\"flag\": true"));
	assert_non_null(strstr(s, "\"b\": null"));
	assert_non_null(strstr(s, "\"size\": null"));
	assert_non_null(strstr(s, "\"a\": null"));
	free(s);
}

static void human_and_bytes(void **state)
{
	char *s = render(0, 0);

	(void)state;
	assert_non_null(strstr(s, "1.5K"));
	assert_non_null(strstr(s, "no"));
	free(s);
	s = render(0, 1);
	assert_non_null(strstr(s, "1536"));
	assert_null(strstr(s, "1.5K"));
	free(s);
}

/* Print t to a string (for free()). */
static char *print(struct mc_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(mc_table_print(t, f), 0);
	fclose(f);
	return buf;
}

enum { N_NAME, N_SIZE };
static const struct mc_colinfo tree_info[] = {
	{ "NAME", 0, MC_COLF_TREE, MC_COL_STR, "name", 1 },
	{ "SIZE", 0, MC_COLF_RIGHT, MC_COL_SIZE, "size", 2 },
};
static const int tree_defaults[] = { N_NAME, -1 };

/* parent /a with child /a/b, and /c at the top */
static char *render_tree(int json)
{
	struct mc_out_opts o = { .output = "+size", .json = json };
	struct mc_table t;
	struct mc_error e;
	struct mc_line *a, *b, *c;
	char *s;

	assert_int_equal(mc_table_init(&t, "cgroups", tree_info, 2,
				       tree_defaults, &o, &e), 0);
	a = mc_table_line(&t, NULL);
	mc_cell_str(&t, a, N_NAME, "/a");
	mc_cell_size(&t, a, N_SIZE, true, 2048);
	b = mc_table_line(&t, a);
	mc_cell_str(&t, b, N_NAME, "/a/b");
	mc_cell_size(&t, b, N_SIZE, false, 0);
	c = mc_table_line(&t, NULL);
	mc_cell_str(&t, c, N_NAME, "/c");
	s = print(&t);
	mc_table_free(&t);
	return s;
}

static void json_children(void **state)
{
	char *s = render_tree(1);
	const char *a = strstr(s, "\"/a\"");
	const char *kids = strstr(s, "\"children\": [");
	const char *b = strstr(s, "\"/a/b\"");
	const char *c = strstr(s, "\"/c\"");

	(void)state;
	/* slashes stay as they are; the child is inside its parent */
	assert_non_null(a);
	assert_non_null(kids);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a < kids && kids < b && b < c);
	assert_null(strstr(s, "\\/"));
	assert_non_null(strstr(s, "\"size\": 2048"));
	assert_non_null(strstr(s, "\"size\": null"));
	/* one children array: /c has none */
	assert_null(strstr(kids + 1, "\"children\""));
	free(s);
}

static void tree_lines(void **state)
{
	char *s = render_tree(0);

	(void)state;
	assert_non_null(strstr(s, "/a/b"));
	assert_non_null(strstr(s, "2K"));
	/* the child is drawn below its parent, indented by the tree */
	assert_true(strstr(s, "/a ") < strstr(s, "/a/b"));
	assert_null(strstr(s, "\n/a/b"));
	free(s);
}

static void empty_document(void **state)
{
	struct mc_out_opts o = { .json = 1 };
	struct mc_table t;
	struct mc_error e;
	char *s;

	(void)state;
	assert_int_equal(mc_table_init(&t, "processes", info, 4, defaults, &o,
				       &e), 0);
	s = print(&t);
	/* still one document, with an empty array */
	assert_non_null(strstr(s, "\"processes\": ["));
	assert_null(strstr(s, "\"a\""));
	free(s);
	mc_table_free(&t);
}

/* The object beside the rows: typed values in order, null where not
 * valid, after the rows; a table printed as text leaves it out. */
static void extra_object(void **state)
{
	struct mc_out_opts o = { .json = 1 };
	struct mc_table t;
	struct mc_error e;
	char *s;

	(void)state;
	assert_int_equal(mc_table_init(&t, "processes", info, 4, defaults, &o,
				       &e), 0);
	mc_table_extra(&t, "summary");
	mc_extra_num(&t, "moved", true, 2);
	mc_extra_num(&t, "charge-moved", false, 0);
	mc_extra_str(&t, "charge", "never (v2)");
	mc_extra_str(&t, "reason", NULL);
	s = print(&t);
	assert_non_null(strstr(s, "\"summary\": {"));
	assert_true(strstr(s, "\"processes\"") < strstr(s, "\"summary\""));
	assert_true(strstr(s, "\"moved\": 2,") < strstr(s, "\"charge-moved\": null,"));
	assert_non_null(strstr(s, "\"charge\": \"never (v2)\""));
	assert_non_null(strstr(s, "\"reason\": null"));
	free(s);
	mc_table_free(&t);
	assert_int_equal(init(&t, NULL, 0, &e), 0);
	mc_table_extra(&t, "summary");
	mc_extra_num(&t, "moved", true, 2);
	s = print(&t);
	assert_string_equal(s, "A SIZE\n");
	free(s);
	mc_table_free(&t);
}

/* A SIZES column: "key:size,..." in a table (bytes with -b), an object of
 * numbers in JSON, {} when it has no keys, null when not set. */
static char *sizes_doc(int json, int bytes, size_t n)
{
	static const struct mc_colinfo by[] = {
		{ "BY", 0, 0, MC_COL_SIZES, "bytes by key", 0 },
	};
	static const int d[] = { 0, -1 };
	static const char *const keys[] = { "sparse", "limit" };
	static const uint64_t v[] = { 2097152, 10485760 };
	struct mc_out_opts o = { .json = json, .bytes = bytes,
				 .noheadings = 1 };
	struct mc_table t;
	struct mc_error e;
	char *s;

	assert_int_equal(mc_table_init(&t, "rows", by, 1, d, &o, &e), 0);
	mc_cell_sizes(&t, mc_table_line(&t, NULL), 0, keys, v, n);
	mc_table_line(&t, NULL);
	s = print(&t);
	mc_table_free(&t);
	return s;
}

static void sizes_column(void **state)
{
	char *s;

	(void)state;
	s = sizes_doc(0, 0, 2);
	assert_non_null(strstr(s, "sparse:2M,limit:10M"));
	free(s);
	s = sizes_doc(0, 1, 2);
	assert_non_null(strstr(s, "sparse:2097152,limit:10485760"));
	free(s);
	s = sizes_doc(1, 0, 2);
	assert_non_null(strstr(s, "\"by\": {"));
	assert_non_null(strstr(s, "\"sparse\": 2097152"));
	assert_non_null(strstr(s, "\"limit\": 10485760"));
	assert_non_null(strstr(s, "\"by\": null"));
	free(s);
	s = sizes_doc(1, 0, 0);
	assert_non_null(strstr(s, "\"by\": {\n"));
	free(s);
}

/* A table without lines still shows its columns; -n shows nothing. */
static void empty_table_has_header(void **state)
{
	struct mc_table t;
	struct mc_error e;
	char *s;

	(void)state;
	assert_int_equal(init(&t, NULL, 0, &e), 0);
	s = print(&t);
	assert_string_equal(s, "A SIZE\n");
	free(s);
	mc_table_free(&t);
	assert_int_equal(mc_table_init(&t, "rows", info, 4, defaults,
				       &(struct mc_out_opts){ .noheadings = 1 },
				       &e), 0);
	s = print(&t);
	assert_string_equal(s, "");
	free(s);
	mc_table_free(&t);
}

/* JSON strings are valid UTF-8 whatever a name holds: a stray byte as
 * the text \xHH (as tables write it), well-formed sequences kept. */
static void json_text_is_utf8(void **state)
{
	struct mc_out_opts o = { .json = 1, .output = "a" };
	struct mc_table t;
	struct mc_error e;
	char *s;

	(void)state;
	assert_int_equal(mc_table_init(&t, "rows", info, 4, defaults, &o, &e),
			 0);
	mc_cell_str(&t, mc_table_line(&t, NULL), C_A, "caf\xc3\xa9");
	mc_cell_str(&t, mc_table_line(&t, NULL), C_A, "a\xff\xc3(b");
	mc_cell_str(&t, mc_table_line(&t, NULL), C_A, "\xed\xa0\x80s");
	mc_cell_str(&t, mc_table_line(&t, NULL), C_A, "lit\\x41");
	s = print(&t);
	assert_non_null(strstr(s, "\"a\": \"caf\xc3\xa9\""));
	assert_non_null(strstr(s, "\"a\": \"a\\\\xff\\\\xc3(b\""));
	/* a surrogate is not UTF-8: three stray bytes */
	assert_non_null(strstr(s, "\"\\\\xed\\\\xa0\\\\x80s\""));
	/* a literal \x cannot pass for an escape */
	assert_non_null(strstr(s, "\"lit\\\\x5cx41\""));
	free(s);
	mc_table_free(&t);
}

static void needs(void **state)
{
	struct mc_out_opts o = { 0 };
	struct mc_table t;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_table_init(&t, "cgroups", tree_info, 2,
				       tree_defaults, &o, &e), 0);
	assert_int_equal(mc_table_needs(&t), 1);
	mc_table_free(&t);
	o.output_all = 1;
	assert_int_equal(mc_table_init(&t, "cgroups", tree_info, 2,
				       tree_defaults, &o, &e), 0);
	assert_int_equal(mc_table_needs(&t), 3);
	mc_table_free(&t);
}

/* Messages print text with mc_escape_to: byte for byte what a table cell
 * of libsmartcols shows for the same text. */
static void escape_as_tables(void **state)
{
	static const char *texts[] = {
		"a\x1b[31mb", "t\tab", "del\x7f", "lit\\x41", "hi\xc3\xa9",
		"bad\xff\xfe", "back\\slash", "plain /batch/job1",
	};
	struct mc_out_opts o = { .noheadings = 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char enc[64], want[80];
		struct mc_table t;
		struct mc_error e;
		char *s;

		assert_int_equal(mc_table_init(&t, "rows", info, 4,
					       (const int[]){ C_A, -1 }, &o,
					       &e), 0);
		mc_cell_str(&t, mc_table_line(&t, NULL), C_A, texts[i]);
		s = print(&t);
		mc_escape_to(enc, texts[i]);
		snprintf(want, sizeof(want), "%s\n", enc);
		assert_string_equal(s, want);
		free(s);
		mc_table_free(&t);
	}
}

static const struct mc_colinfo path_info[] = {
	{ "PATH", 0.5, MC_COLF_PATH, MC_COL_STR, "a path", 0 },
	{ "N", 4, MC_COLF_RIGHT, MC_COL_NUM, "a number", 0 },
};

/* The lines of a one-row table of path at width, and what they hold. */
static void wrapped(const char *path, size_t width, char *joined,
		    size_t *widest)
{
	struct mc_out_opts o = { .noheadings = 1, .width = width };
	struct mc_table t;
	struct mc_error e;
	struct mc_line *ln;
	char *s, *line, *save = NULL;

	assert_int_equal(mc_table_init(&t, "rows", path_info, 2,
				       (const int[]){ 0, 1, -1 }, &o, &e), 0);
	ln = mc_table_line(&t, NULL);
	mc_cell_str(&t, ln, 0, path);
	mc_cell_num(&t, ln, 1, true, 9999);
	s = print(&t);
	*joined = '\0';
	*widest = 0;
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		*widest = n > *widest ? n : *widest;
		/* the number ends the first line, spaces pad the others */
		if (n > 5 && !strcmp(line + n - 5, " 9999"))
			line[n -= 5] = '\0';
		while (n && line[n - 1] == ' ')
			line[--n] = '\0';
		strcat(joined, line);
	}
	free(s);
	mc_table_free(&t);
}

/* A path wider than its column wraps at '/' where it can, inside a name
 * only where it must, and loses no byte; a mark byte in a name is text. */
static void wrap_at_slash(void **state)
{
	char joined[256];
	size_t widest;

	(void)state;
	wrapped("/batch-jobs/worker-pool/instance", 20, joined, &widest);
	assert_string_equal(joined, "/batch-jobs/worker-pool/instance");
	assert_true(widest <= 20);
	wrapped("/c1f417699aaac7ef552363147b474993/x", 20, joined, &widest);
	assert_string_equal(joined, "/c1f417699aaac7ef552363147b474993/x");
	assert_true(widest <= 20);
	wrapped("/a\x1e" "b\x1d/c", 12, joined, &widest);
	assert_string_equal(joined, "/a\\x5cx1eb\\x5cx1d/c");
	/* off a terminal and without a width nothing wraps */
	wrapped("/batch-jobs/worker-pool/instance", 0, joined, &widest);
	assert_int_equal(widest, strlen("/batch-jobs/worker-pool/instance") +
					 1 + 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(column_selection),
		cmocka_unit_test(json_types),
		cmocka_unit_test(human_and_bytes),
		cmocka_unit_test(json_children),
		cmocka_unit_test(extra_object),
		cmocka_unit_test(sizes_column),
		cmocka_unit_test(tree_lines),
		cmocka_unit_test(empty_document),
		cmocka_unit_test(empty_table_has_header),
		cmocka_unit_test(json_text_is_utf8),
		cmocka_unit_test(needs),
		cmocka_unit_test(escape_as_tables),
		cmocka_unit_test(wrap_at_slash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
