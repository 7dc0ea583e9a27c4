/* Column selection and JSON types of the output layer. */
#include "unit.h"

#include "output/table.h"

enum { C_A, C_B, C_SIZE, C_FLAG };
static const struct mc_colinfo info[] = {
	{ "A", 0, 0, MC_COL_STR, "a" },
	{ "B", 0, 0, MC_COL_NUM, "b" },
	{ "SIZE", 0, 0, MC_COL_SIZE, "size" },
	{ "FLAG", 0, 0, MC_COL_BOOL, "flag" },
};
static const int defaults[] = { C_A, C_SIZE, -1 };

static int init(struct mc_table *t, const char *output, int all,
		struct mc_error *e)
{
	memset(&mc_out, 0, sizeof(mc_out));
	mc_out.output = (char *)output;
	mc_out.output_all = all;
	return mc_table_init(t, "rows", info, 4, defaults, e);
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
	struct libscols_line *ln;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	memset(&mc_out, 0, sizeof(mc_out));
	mc_out.output_all = 1;
	mc_out.json = json;
	mc_out.bytes = bytes;
	assert_int_equal(mc_table_init(&t, "rows", info, 4, defaults, &e), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(column_selection),
		cmocka_unit_test(json_types),
		cmocka_unit_test(human_and_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
