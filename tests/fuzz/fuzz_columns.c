/* libFuzzer target: the column list of -o (select_columns through
 * mc_table_init), with the output options from the first byte, then one
 * line printed in the chosen mode. */
#include "fuzz.h"

#include "output/table.h"

static const struct mc_colinfo cols[] = {
    {"PID", 6, MC_COLF_RIGHT, MC_COL_NUM, "process ID", 1},
    {"COMM", 0.1, MC_COLF_TRUNC, MC_COL_STR, "command name", 2},
    {"RSS", 6, MC_COLF_RIGHT, MC_COL_SIZE, "resident set size", 4},
    {"NOISY", 5, 0, MC_COL_BOOL, "readings disagree", 0},
    {"PATH", 0.3, MC_COLF_WRAP | MC_COLF_TREE, MC_COL_STR, "cgroup", 0},
};
static const int defaults[] = {0, 1, 2, -1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct mc_out_opts o = {0};
	struct mc_line *top, *child;
	struct mc_error e;
	struct mc_table t;
	char *list;

	if (size < 1 || (!null && !(null = fopen("/dev/null", "w"))))
		return 0;
	list = fuzz_string(data + 1, size - 1);
	if (!list)
		return 0;
	o.output = data[0] & 1 ? NULL : list;
	o.output_all = data[0] >> 1 & 1;
	o.json = data[0] >> 2 & 1;
	o.raw = data[0] >> 3 & 1;
	o.noheadings = data[0] >> 4 & 1;
	o.bytes = data[0] >> 5 & 1;
	if (mc_table_init(&t, "rows", cols, 5, defaults, &o, &e) == 0) {
		FUZZ_CHECK(t.ncols >= 1 && t.ncols <= 5);
		top = mc_table_line(&t, NULL);
		child = mc_table_line(&t, top);
		/* each column through its kind's setter, as commands do */
		mc_cell_num(&t, top, 0, true, 4242);
		mc_cell_str(&t, top, 1, list);
		mc_cell_size(&t, top, 2, data[0] >> 6 & 1, INT64_MIN);
		mc_cell_bool(&t, top, 3, data[0] >> 7);
		mc_cell_str(&t, top, 4, "/");
		mc_cell_num(&t, child, 0, false, 0);
		mc_cell_size(&t, child, 2, true, INT64_MAX);
		mc_cell_str(&t, child, 4, list);
		mc_table_print(&t, null);
		mc_table_free(&t);
	}
	free(list);
	return 0;
}
