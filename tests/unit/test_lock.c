/* The cgroup lock (lock.c): flock(2) on a cgroup's directory, the wait for
 * another holder, and its end by a signal. Another holder is another open
 * file description of the same directory, as another run's would be. */
#include "engine.h"

#include <time.h>

#include "core/lock.h"

static struct mc_cgroup cg;
static int other;		/* the other run's descriptor */
static int notices;
static char last_notice[1024];

static int setup(void **state)
{
	sysroot_setup(state);
	fake_cgroup(&cg, "batch");
	other = open(cg.dir, O_RDONLY | O_DIRECTORY);
	assert_true(other >= 0);
	notices = 0;
	last_notice[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	close(other);
	mc_cgroup_close(&cg);
	return sysroot_teardown(state);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lock_fd_is_exclusive(void **state)
{
	(void)state;
	assert_int_equal(mc_lock_fd(cg.dfd), 0);
	/* the holder may take it again; anybody else may not */
	assert_int_equal(mc_lock_fd(cg.dfd), 0);
	assert_int_equal(mc_lock_fd(other), EWOULDBLOCK);
	assert_int_equal(mc_lock_fd(-1), EBADF);
}

/* With no wait it gives up at once and names the cgroup. */
static void held_lock_without_waiting(void **state)
{
	struct mc_lock_wait w = { .secs = 0 };
	struct mc_error e;
	double t0 = now();

	(void)state;
	assert_int_equal(flock(other, LOCK_EX), 0);
	assert_int_equal(mc_lock(&cg, &w, &e), -1);
	assert_int_equal(e.code, EWOULDBLOCK);
	assert_non_null(strstr(e.msg, "'/batch'"));
	assert_non_null(strstr(e.msg, "waited 0 s"));
	assert_int_equal(mc_lock(&cg, NULL, &e), -1);
	assert_int_equal(e.code, EWOULDBLOCK);
	assert_true(now() - t0 < 0.5);
}

/* It waits about as long as asked, then gives up. */
static void held_lock_waits_then_gives_up(void **state)
{
	struct mc_lock_wait w = { .secs = 1 };
	struct mc_error e;
	double t0 = now(), took;

	(void)state;
	assert_int_equal(flock(other, LOCK_EX), 0);
	assert_int_equal(mc_lock(&cg, &w, &e), -1);
	took = now() - t0;
	assert_int_equal(e.code, EWOULDBLOCK);
	assert_non_null(strstr(e.msg, "waited 1 s"));
	assert_true(took >= 0.9 && took < 3.0);
}

/* The notice of the wait is where a test can act while mc_lock waits. */
static volatile sig_atomic_t stop_flag;

static void stop_while_waiting(const char *msg)
{
	notices++;
	snprintf(last_notice, sizeof(last_notice), "%s", msg);
	stop_flag = SIGINT;
}

static void release_while_waiting(const char *msg)
{
	notices++;
	snprintf(last_notice, sizeof(last_notice), "%s", msg);
	assert_int_equal(flock(other, LOCK_UN), 0);
}

/* A signal that arrives during the wait ends it with EINTR, well before
 * the wait's end. */
static void signal_ends_the_wait(void **state)
{
	struct mc_lock_wait w = { .secs = 30,
				  .stop = &stop_flag,
				  .notice = stop_while_waiting };
	struct mc_error e;
	double t0 = now();

	(void)state;
	stop_flag = 0;
	assert_int_equal(flock(other, LOCK_EX), 0);
	assert_int_equal(mc_lock(&cg, &w, &e), -1);
	assert_int_equal(e.code, EINTR);
	assert_non_null(strstr(e.msg, "'/batch'"));
	assert_int_equal(notices, 1);
	assert_non_null(strstr(last_notice, "waiting for another memcg run"));
	assert_true(now() - t0 < 2.0);
}

/* The holder lets go during the wait: the lock is taken. */
static void wait_ends_when_released(void **state)
{
	struct mc_lock_wait w = { .secs = 30,
				  .notice = release_while_waiting };
	struct mc_error e;
	double t0 = now();

	(void)state;
	assert_int_equal(flock(other, LOCK_EX), 0);
	assert_int_equal(mc_lock(&cg, &w, &e), 0);
	assert_int_equal(notices, 1);
	assert_true(now() - t0 < 2.0);
	assert_int_equal(mc_lock_fd(other), EWOULDBLOCK);
}

static void unlock_lets_another_lock(void **state)
{
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_lock(&cg, NULL, &e), 0);
	assert_int_equal(mc_lock_fd(other), EWOULDBLOCK);
	mc_unlock(&cg);
	assert_int_equal(mc_lock_fd(other), 0);
	/* and now the first one waits its turn */
	assert_int_equal(mc_lock(&cg, NULL, &e), -1);
	assert_int_equal(e.code, EWOULDBLOCK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(lock_fd_is_exclusive),
		T(held_lock_without_waiting),
		T(held_lock_waits_then_gives_up),
		T(signal_ends_the_wait),
		T(wait_ends_when_released),
		T(unlock_lets_another_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
