/* move --also: lists that are refused before libcgroup is started, as
 * usage errors. (Lists checked against the mounted hierarchies, and the
 * moves, need a host: tests/host/test_also.sh.) */
#include "unit.h"

#include "core/libcg.h"

static void refused(const char *list)
{
	struct mc_also *a = (struct mc_also *)&a;
	struct mc_error e;

	assert_int_equal(mc_also_open(&a, list, "/batch", &e), -1);
	assert_int_equal(e.code, EINVAL);
	assert_null(a);
	assert_non_null(strstr(e.msg, "--also"));
}

static void bad_lists(void **state)
{
	(void)state;
	refused("");
	refused(",");
	refused("cpu,");
	refused(",cpu");
	refused("cpu,,blkio");
	refused("*,cpu");
	refused("cpu,*");
	refused("**");
	refused("cpu blkio");
	refused("CPU");
	refused("cpu:/batch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
