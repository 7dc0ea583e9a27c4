/* Size formatting (size.c): human sizes as util-linux prints them, and the
 * decimals of the per-process path. */
#include "unit.h"

#include "core/size.h"

static void sizes(void **state)
{
	char b[MC_SIZE_BUFSZ];

	(void)state;
	assert_string_equal(mc_size_human(b, sizeof(b), 0), "0B");
	assert_string_equal(mc_size_human(b, sizeof(b), 1023), "1023B");
	assert_string_equal(mc_size_human(b, sizeof(b), 1024), "1K");
	assert_string_equal(mc_size_human(b, sizeof(b), 1536), "1.5K");
	assert_string_equal(mc_size_human(b, sizeof(b), 67108864), "64M");
	assert_string_equal(mc_size_human(b, sizeof(b), 851898777), "812.4M");
	/* 1023.96K rounds up to the next unit, not to "1024K" */
	assert_string_equal(mc_size_human(b, sizeof(b), 1048535), "1M");
	assert_string_equal(mc_size_human(b, sizeof(b), 1ULL << 40), "1T");
	assert_string_equal(mc_size_human(b, sizeof(b), UINT64_MAX), "16E");
	assert_string_equal(mc_size_human_signed(b, sizeof(b), -1572864),
			    "-1.5M");
	assert_string_equal(mc_size_human_signed(b, sizeof(b), INT64_MIN),
			    "-8E");
}

static void decimals(void **state)
{
	char b[32];

	(void)state;
	assert_int_equal(mc_fmt_i64(b, 0), 1);
	assert_string_equal(b, "0");
	mc_fmt_i64(b, 4242);
	assert_string_equal(b, "4242");
	mc_fmt_i64(b, -8192);
	assert_string_equal(b, "-8192");
	mc_fmt_i64(b, INT64_MAX);
	assert_string_equal(b, "9223372036854775807");
	assert_int_equal(mc_fmt_i64(b, INT64_MIN), 20);
	assert_string_equal(b, "-9223372036854775808");
}

/* One decimal, dropped when it is zero; rounding to the nearest tenth. */
static void human_rounding(void **state)
{
	char b[MC_SIZE_BUFSZ];

	(void)state;
	assert_string_equal(mc_size_human(b, sizeof(b), 1), "1B");
	assert_string_equal(mc_size_human(b, sizeof(b), 1075), "1K");
	assert_string_equal(mc_size_human(b, sizeof(b), 1076), "1.1K");
	assert_string_equal(mc_size_human(b, sizeof(b), 1996), "1.9K");
	assert_string_equal(mc_size_human(b, sizeof(b), 1997), "2K");
	assert_string_equal(mc_size_human(b, sizeof(b), 10240), "10K");
	assert_string_equal(mc_size_human(b, sizeof(b), 3ULL << 30), "3G");
	assert_string_equal(mc_size_human(b, sizeof(b), 5ULL << 50), "5P");
	/* below the next unit by less than a twentieth: the next unit */
	assert_string_equal(mc_size_human(b, sizeof(b), (1ULL << 30) - 1),
			    "1G");
	assert_string_equal(mc_size_human_signed(b, sizeof(b), 1536), "1.5K");
	assert_string_equal(mc_size_human_signed(b, sizeof(b), -1), "-1B");
	assert_string_equal(mc_size_human_signed(b, sizeof(b), 0), "0B");
}

/* A short buffer is cut, never overrun. */
static void human_short_buffer(void **state)
{
	char b[8];

	(void)state;
	memset(b, 'z', sizeof(b));
	mc_size_human(b, 4, 851898777);
	assert_string_equal(b, "812");
	assert_int_equal(b[4], 'z');
	mc_size_human_signed(b, 4, -1572864);
	assert_string_equal(b, "-1.");
	assert_int_equal(b[4], 'z');
}

static void decimals_length(void **state)
{
	char b[32];

	(void)state;
	assert_int_equal(mc_fmt_i64(b, 9), 1);
	assert_int_equal(mc_fmt_i64(b, 10), 2);
	assert_string_equal(b, "10");
	assert_int_equal(mc_fmt_i64(b, -1), 2);
	assert_string_equal(b, "-1");
	assert_int_equal(mc_fmt_i64(b, 2147483647), 10);
	assert_string_equal(b, "2147483647");
	assert_int_equal(mc_fmt_i64(b, 1000000000000LL), 13);
	assert_string_equal(b, "1000000000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(decimals),
		cmocka_unit_test(human_rounding),
		cmocka_unit_test(human_short_buffer),
		cmocka_unit_test(decimals_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
