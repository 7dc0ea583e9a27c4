/* The error object (error.c): messages with and without the errno text,
 * context prefixed by callers, long messages cut inside the buffer, and
 * errno names. */
#include "unit.h"

#include "core/error.h"

/* An error with guard bytes after it: a write past msg lands there. */
static struct {
	struct mc_error e;
	char guard[64];
} g;

static void guard_set(void)
{
	memset(&g, 0, sizeof(g));
	memset(g.guard, 0x5a, sizeof(g.guard));
}

static void guard_intact(void)
{
	for (size_t i = 0; i < sizeof(g.guard); i++)
		assert_int_equal(g.guard[i], 0x5a);
}

static void err_appends_strerror(void **state)
{
	char want[sizeof(g.e.msg)];

	(void)state;
	guard_set();
	assert_int_equal(mc_err(&g.e, ENOENT, "cannot open '%s'", "/batch"),
			 -1);
	assert_int_equal(g.e.code, ENOENT);
	snprintf(want, sizeof(want), "cannot open '/batch': %s",
		 strerror(ENOENT));
	assert_string_equal(g.e.msg, want);
	/* no errno, no text after the message */
	assert_int_equal(mc_err(&g.e, 0, "plain %d", 42), -1);
	assert_int_equal(g.e.code, 0);
	assert_string_equal(g.e.msg, "plain 42");
}

static void errx_does_not(void **state)
{
	(void)state;
	guard_set();
	assert_int_equal(mc_errx(&g.e, EINVAL, "'%s': bad", "x"), -1);
	assert_int_equal(g.e.code, EINVAL);
	assert_string_equal(g.e.msg, "'x': bad");
}

static void wrap_prefixes(void **state)
{
	(void)state;
	guard_set();
	mc_errx(&g.e, ENOMEM, "limit reached");
	assert_int_equal(mc_err_wrap(&g.e, "moving %d", 42), -1);
	assert_string_equal(g.e.msg, "moving 42: limit reached");
	/* the errno stays the cause's */
	assert_int_equal(g.e.code, ENOMEM);
	mc_err_wrap(&g.e, "--exact");
	assert_string_equal(g.e.msg, "--exact: moving 42: limit reached");
}

/* A message longer than the buffer is cut, NUL-terminated, and nothing
 * after the buffer is touched, by the message, the errno text or a
 * prefix. */
static void long_messages_cut(void **state)
{
	char big[2000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	guard_set();
	mc_err(&g.e, ENOENT, "cannot open '%s'", big);
	assert_int_equal(strlen(g.e.msg), sizeof(g.e.msg) - 1);
	assert_memory_equal(g.e.msg, "cannot open 'xxx", 16);
	guard_intact();
	/* a message that just fits loses the errno text, not its end */
	guard_set();
	big[sizeof(g.e.msg) - 1] = '\0';
	mc_err(&g.e, ENOENT, "%s", big);
	assert_int_equal(strlen(g.e.msg), sizeof(g.e.msg) - 1);
	assert_null(strchr(g.e.msg, ':'));
	guard_intact();
	/* a prefix on a full message, and a prefix longer than the buffer */
	mc_err_wrap(&g.e, "moving %d", 42);
	assert_int_equal(strlen(g.e.msg), sizeof(g.e.msg) - 1);
	assert_memory_equal(g.e.msg, "moving 42: xxx", 14);
	guard_intact();
	big[sizeof(big) - 1000] = '\0';
	mc_err_wrap(&g.e, "%s", big);
	assert_int_equal(strlen(g.e.msg), sizeof(g.e.msg) - 1);
	guard_intact();
}

/* Core functions take a NULL error where the caller does not care. */
static void null_error_is_allowed(void **state)
{
	(void)state;
	assert_int_equal(mc_err(NULL, EIO, "x"), -1);
	assert_int_equal(mc_errx(NULL, EIO, "x"), -1);
	assert_int_equal(mc_err_wrap(NULL, "x"), -1);
	mc_err_clear(NULL);
}

static void clear_empties(void **state)
{
	(void)state;
	mc_err(&g.e, EIO, "broken");
	mc_err_clear(&g.e);
	assert_int_equal(g.e.code, 0);
	assert_string_equal(g.e.msg, "");
}

static void errno_names(void **state)
{
	(void)state;
	assert_string_equal(mc_errno_name(ENOMEM), "ENOMEM");
	assert_string_equal(mc_errno_name(EINVAL), "EINVAL");
	assert_string_equal(mc_errno_name(ESRCH), "ESRCH");
	assert_string_equal(mc_errno_name(EBUSY), "EBUSY");
	assert_string_equal(mc_errno_name(EBADMSG), "EBADMSG");
	assert_string_equal(mc_errno_name(EXDEV), "EXDEV");
	/* EWOULDBLOCK is EAGAIN on Linux */
	assert_string_equal(mc_errno_name(EWOULDBLOCK), "EAGAIN");
	assert_null(mc_errno_name(0));
	assert_null(mc_errno_name(-1));
	assert_null(mc_errno_name(4095));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(err_appends_strerror),
		cmocka_unit_test(errx_does_not),
		cmocka_unit_test(wrap_prefixes),
		cmocka_unit_test(long_messages_cut),
		cmocka_unit_test(null_error_is_allowed),
		cmocka_unit_test(clear_empties),
		cmocka_unit_test(errno_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
