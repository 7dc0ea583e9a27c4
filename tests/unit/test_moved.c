/* The MOVED rule on recorded before/after readings. */
#include "unit.h"

#include "core/move.h"

#define MIB (1024LL * 1024)
#define SLACK (64 * 2 * 4096ULL) /* 64 pages x 2 CPUs */

static void plain_move(void **state)
{
	bool noisy = true;
	/* recorded in a 6.1 guest (docs §7): A 97.49 -> 16.48 MiB, B 0 ->
	 * 81.25 MiB; B rose by 240 KiB more than A fell (per-CPU stock) */
	int64_t m = mc_moved_rule(MC_REL_NONE, 102226985, 17280532, 0,
				  85196800, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 102226985 - 17280532);
	assert_false(noisy);
}

static void disagreement_is_noisy(void **state)
{
	bool noisy = false;
	/* the source fell by 64 MiB but the destination rose by 80 MiB: some
	 * other task charged DEST meanwhile */
	int64_t m = mc_moved_rule(MC_REL_NONE, 100 * MIB, 36 * MIB, 0,
				  80 * MIB, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_true(noisy);
}

static void refused_is_zero_not_clamped(void **state)
{
	bool noisy = true;
	/* the kernel kept the charge; the source even grew a little */
	int64_t m = mc_moved_rule(MC_REL_NONE, 70 * MIB, 70 * MIB + 8192, 0,
				  0, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, -8192);
	assert_false(noisy);
}

static void parent_to_child(void **state)
{
	bool noisy = true;
	/* the parent's hierarchical usage does not change; the child's rise
	 * is what moved */
	int64_t m = mc_moved_rule(MC_REL_SRC_ANCESTOR, 200 * MIB,
				  200 * MIB + 4096, 10 * MIB, 74 * MIB, SLACK,
				  &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_false(noisy);
}

static void child_to_parent(void **state)
{
	bool noisy = true;
	int64_t m = mc_moved_rule(MC_REL_DST_ANCESTOR, 74 * MIB, 10 * MIB,
				  200 * MIB, 200 * MIB, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_false(noisy);
}

static void ancestor_changed_is_noisy(void **state)
{
	bool noisy = false;
	int64_t m = mc_moved_rule(MC_REL_DST_ANCESTOR, 74 * MIB, 10 * MIB,
				  200 * MIB, 230 * MIB, SLACK, &noisy);

	(void)state;
	assert_int_equal(m, 64 * MIB);
	assert_true(noisy);
}

static void root_sides(void **state)
{
	bool noisy = true;

	(void)state;
	/* the root's usage is an estimate: use the other side */
	assert_int_equal(mc_moved_rule(MC_REL_SRC_ROOT, 5000 * MIB, 4900 * MIB,
				       0, 64 * MIB, SLACK, &noisy),
			 64 * MIB);
	assert_false(noisy);
	assert_int_equal(mc_moved_rule(MC_REL_DST_ROOT, 64 * MIB, 0,
				       5000 * MIB, 5100 * MIB, SLACK, &noisy),
			 64 * MIB);
	assert_false(noisy);
}

/* Prediction follows the kernel's rules (docs §2.1, §2.3). */
static void prediction_rules(void **state)
{
	struct mc_pages_cgroup v[] = {
		{ .ino = 10, .anon = 64 * MIB, .file = 16 * MIB }, /* source */
		{ .ino = 20, .anon = 4 * MIB, .file = 8 * MIB },   /* other */
	};
	struct mc_pages_result r = { .v = v, .n = 2, .cap = 2,
				     .swapped = 2 * MIB };

	(void)state;
	assert_int_equal(mc_move_predict(&r, 10, 0), 0);
	assert_int_equal(mc_move_predict(&r, 10, 1), 64 * MIB);
	assert_int_equal(mc_move_predict(&r, 10, 2), 16 * MIB);
	assert_int_equal(mc_move_predict(&r, 10, 3), 80 * MIB);
	/* pages charged to another cgroup never move with the process */
	assert_int_equal(mc_move_predict(&r, 30, 3), 0);
	assert_int_equal(mc_move_predict(&r, 20, 3), 12 * MIB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_move),
		cmocka_unit_test(disagreement_is_noisy),
		cmocka_unit_test(refused_is_zero_not_clamped),
		cmocka_unit_test(parent_to_child),
		cmocka_unit_test(child_to_parent),
		cmocka_unit_test(ancestor_changed_is_noisy),
		cmocka_unit_test(root_sides),
		cmocka_unit_test(prediction_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
