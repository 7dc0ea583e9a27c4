/* The figures of memcg show on --sysroot fixture trees of v1 and v2 files:
 * memory.stat keys matched whole, limits (a number, "max", v1's page
 * counter maximum), absent files, a subtree's order and depth, and LEFT
 * from the pages of every process. */
#include "fixture.h"

#include "core/pages.h"
#include "core/stats.h"
#include "core/tree.h"

#define V1 "/sys/fs/cgroup/memory"
#define V2 "/sys/fs/cgroup"
#define PRESENT (UINT64_C(1) << 63)

struct fx {
	struct mc_mounts m;
	const struct mc_hier *h;
};

static int setup_with(void **state, const char *mountinfo)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mc_error e;

	fixture_tree("stats");
	fixture_mkdir("/proc/self");
	fixture_write("/proc/self/mountinfo", mountinfo);
	assert_int_equal(mc_mounts_load(&f->m, root, &e), 0);
	f->h = mc_mounts_memory(&f->m, NULL, &e);
	*state = f;
	return 0;
}

static int setup_v1(void **state)
{
	setup_with(state, "34 30 0:31 / " V1 " rw - cgroup cgroup rw,memory\n");
	assert_non_null(((struct fx *)*state)->h);
	return 0;
}

/* v2: the mount's cgroup.controllers must name memory */
static int setup_v2(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mc_error e;

	fixture_tree("stats");
	fixture_mkdir("/proc/self");
	fixture_mkdir(V2);
	fixture_write(V2 "/cgroup.controllers", "cpu io memory pids\n");
	fixture_write("/proc/self/mountinfo",
		 "30 24 0:26 / " V2 " rw - cgroup2 cgroup2 rw\n");
	assert_int_equal(mc_mounts_load(&f->m, root, &e), 0);
	f->h = mc_mounts_memory(&f->m, NULL, &e);
	assert_non_null(f->h);
	assert_int_equal(f->h->type, MC_V2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mc_mounts_free(&f->m);
	fixture_remove();
	free(f);
	return 0;
}

static void read_cg(struct fx *f, const char *name, unsigned want,
		    struct mc_cgstats *st)
{
	struct mc_cgroup cg;
	struct mc_error e;

	assert_int_equal(mc_cgroup_open(&cg, &f->m, f->h, name, 0, &e), 0);
	assert_int_equal(mc_stats_read(&cg, want, st, &e), 0);
	mc_cgroup_close(&cg);
}

#define ALL 0xffu

/* v1's stat keys have hierarchical twins (total_rss) and longer cousins
 * (rss_huge): only the whole key counts */
static void parse_exact_keys(void **state)
{
	static const char *const keys[] = { "rss", "cache", "swap", "shmem" };
	uint64_t v[4] = { 0 };
	unsigned found;

	(void)state;
	/* the whole key first, then what a prefix or substring match would
	 * take instead */
	found = mc_stats_parse("rss 100\ncache 20\nrss_huge 7\n"
			       "total_rss 999\nswapcached 5\ntotal_swap 6\n",
			       keys, 4, v);
	assert_int_equal(found, 0x3);
	assert_int_equal(v[0], 100);
	assert_int_equal(v[1], 20);
	/* a key at the very end, without a newline */
	found = mc_stats_parse("total_shmem 1\nshmem 42", keys, 4, v);
	assert_int_equal(found, 0x8);
	assert_int_equal(v[3], 42);
	assert_int_equal(mc_stats_parse("", keys, 4, v), 0);
}

static void v1_figures(void **state)
{
	struct fx *f = *state;
	struct mc_cgstats st;

	fixture_mkdir(V1 "/a");
	fixture_write(V1 "/a/memory.usage_in_bytes", "52428800\n");
	fixture_write(V1 "/a/memory.limit_in_bytes", "67108864\n");
	fixture_write(V1 "/a/memory.stat",
		 "cache 4096\nrss 33554432\nrss_huge 0\nshmem 8192\n"
		 "swap 12288\ntotal_cache 999\ntotal_rss 88888888\n"
		 "total_shmem 1\ntotal_swap 2\n");
	fixture_write(V1 "/a/cgroup.procs", "4242\n4343\n17\n");
	fixture_write(V1 "/a/memory.move_charge_at_immigrate", "3\n");
	read_cg(f, "/a", ALL, &st);
	assert_int_equal(st.have, ALL);
	assert_int_equal(st.usage, 52428800);
	assert_int_equal(st.limit, 67108864);
	assert_int_equal(st.anon, 33554432);
	assert_int_equal(st.file, 4096);
	assert_int_equal(st.shmem, 8192);
	assert_int_equal(st.swap, 12288);
	assert_int_equal(st.procs, 3);
	assert_int_equal(st.charge, 3);
	/* only what is asked for is read */
	read_cg(f, "/a", MC_ST_USAGE | MC_ST_SHMEM, &st);
	assert_int_equal(st.have, MC_ST_USAGE | MC_ST_SHMEM);
}

/* v1 prints its page counter's maximum for "no limit" */
static void v1_unlimited_and_absent(void **state)
{
	struct fx *f = *state;
	struct mc_cgstats st;

	fixture_mkdir(V1 "/b");
	fixture_write(V1 "/b/memory.usage_in_bytes", "0\n");
	fixture_write(V1 "/b/memory.limit_in_bytes", "9223372036854771712\n");
	/* no swap accounting: no swap key; an empty cgroup */
	fixture_write(V1 "/b/memory.stat", "cache 0\nrss 0\nshmem 0\n");
	fixture_write(V1 "/b/cgroup.procs", "");
	read_cg(f, "/b", ALL, &st);
	assert_int_equal(st.limit, MC_UNLIMITED);
	assert_true(st.have & MC_ST_LIMIT);
	assert_false(st.have & MC_ST_SWAP);
	assert_false(st.have & MC_ST_CHARGE);
	assert_int_equal(st.procs, 0);
	assert_true(st.have & MC_ST_PROCS);
	/* a cgroup with none of the files has no figures, and no error */
	fixture_mkdir(V1 "/bare");
	read_cg(f, "/bare", ALL, &st);
	assert_int_equal(st.have, 0);
}

static void v1_unreadable_is_an_error(void **state)
{
	struct fx *f = *state;
	struct mc_cgstats st;
	struct mc_cgroup cg;
	struct mc_error e;

	fixture_mkdir(V1 "/c");
	/* a directory where a number belongs: EISDIR on read, not ENOENT */
	fixture_mkdir(V1 "/c/memory.usage_in_bytes");
	assert_int_equal(mc_cgroup_open(&cg, &f->m, f->h, "/c", 0, &e), 0);
	assert_int_equal(mc_stats_read(&cg, MC_ST_USAGE, &st, &e), -1);
	assert_non_null(strstr(e.msg, "memory.usage_in_bytes"));
	mc_cgroup_close(&cg);
}

static void v2_figures(void **state)
{
	struct fx *f = *state;
	struct mc_cgstats st;

	fixture_mkdir(V2 "/a");
	fixture_write(V2 "/a/memory.current", "84299776\n");
	fixture_write(V2 "/a/memory.max", "max\n");
	fixture_write(V2 "/a/memory.stat",
		 "anon 67158016\nfile 16785408\nkernel 2000\nshmem 16785408\n"
		 "file_mapped 5\nanon_thp 0\n");
	fixture_write(V2 "/a/memory.swap.current", "4096\n");
	fixture_write(V2 "/a/cgroup.procs", "12\n");
	read_cg(f, "/a", ALL, &st);
	/* no knob on v2 */
	assert_int_equal(st.have, ALL & ~MC_ST_CHARGE);
	assert_int_equal(st.usage, 84299776);
	assert_int_equal(st.limit, MC_UNLIMITED);
	assert_int_equal(st.anon, 67158016);
	assert_int_equal(st.file, 16785408);
	assert_int_equal(st.shmem, 16785408);
	assert_int_equal(st.swap, 4096);
	assert_int_equal(st.procs, 1);
	fixture_write(V2 "/a/memory.max", "67108864\n");
	read_cg(f, "/a", MC_ST_LIMIT, &st);
	assert_int_equal(st.limit, 67108864);
}

/* the v2 root has no memory.current, memory.max, memory.swap.current */
static void v2_root(void **state)
{
	struct fx *f = *state;
	struct mc_cgstats st;

	fixture_write(V2 "/memory.stat", "anon 1\nfile 2\nshmem 3\n");
	fixture_write(V2 "/cgroup.procs", "1\n2\n");
	read_cg(f, "/", ALL, &st);
	assert_int_equal(st.have,
			 MC_ST_ANON | MC_ST_FILE | MC_ST_SHMEM | MC_ST_PROCS);
	assert_int_equal(st.procs, 2);
}

/* Parents before children, siblings by name, depth below the top. */
static void subtree_order_and_depth(void **state)
{
	struct fx *f = *state;
	static const char *const want[] = { "/p",     "/p/a",   "/p/a/x",
					    "/p/a-b", "/p/a.b", "/p/b" };
	struct mc_stats_tree t = { 0 };
	struct mc_error e;

	fixture_mkdir(V1 "/p/b");
	fixture_mkdir(V1 "/p/a-b");
	fixture_mkdir(V1 "/p/a/x");
	fixture_mkdir(V1 "/p/a.b");
	fixture_write(V1 "/p/a/x/memory.usage_in_bytes", "77\n");
	assert_int_equal(mc_stats_tree(&f->m, f->h, "p", -1, ALL, &t, &e), 0);
	assert_int_equal(t.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(t.v[i].path, want[i]);
	assert_int_equal(t.v[0].depth, 0);
	assert_int_equal(t.v[2].depth, 2);
	assert_int_equal(t.v[2].st.usage, 77);
	assert_int_equal(t.v[2].ino, fixture_ino(V1 "/p/a/x"));
	/* a second subtree is appended; depth 0 is the top alone */
	assert_int_equal(mc_stats_tree(&f->m, f->h, "p/a", 0, ALL, &t, &e),
			 0);
	assert_int_equal(t.n, 7);
	assert_string_equal(t.v[6].path, "/p/a");
	mc_stats_tree_free(&t);
	assert_int_equal(mc_stats_tree(&f->m, f->h, "nope", -1, ALL, &t, &e),
			 -1);
	assert_int_equal(e.code, ENOENT);
	mc_stats_tree_free(&t);
}

static void process(int pid, const char *cgroup, unsigned flags)
{
	char dir[64], buf[512];

	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	fixture_mkdir(dir);
	snprintf(buf, sizeof(buf),
		 "%d (p) S 1 1 1 0 -1 %u 0 0 0 0 0 0 0 0 20 0 1 0 5 1000 "
		 "10 0 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 pid, flags);
	snprintf(dir, sizeof(dir), "/proc/%d/stat", pid);
	fixture_write(dir, buf);
	snprintf(buf, sizeof(buf), "4:memory:%s\n", cgroup);
	snprintf(dir, sizeof(dir), "/proc/%d/cgroup", pid);
	fixture_write(dir, buf);
	snprintf(dir, sizeof(dir), "/proc/%d/maps", pid);
	fixture_write(dir, "00010000-00020000 rw-p 00000000 00:00 0 \n");
	/* pagemap as long as the mapping, not present until pages() */
	snprintf(dir, sizeof(dir), "/proc/%d/pagemap", pid);
	fixture_u64(dir, 0x1f, 0);
}

/* n pages of pid from page vpn on, charged to ino, frames from pfn on */
static void pages(int pid, uint64_t vpn, uint64_t pfn, uint64_t n,
		  uint64_t ino)
{
	char pm[64];

	snprintf(pm, sizeof(pm), "/proc/%d/pagemap", pid);
	for (uint64_t i = 0; i < n; i++) {
		fixture_u64(pm, vpn + i, PRESENT | (pfn + i));
		fixture_u64("/proc/kpagecgroup", pfn + i, ino);
		fixture_u64("/proc/kpageflags", pfn + i, 0);
	}
}

/* 4242 lives in /a with 3 pages charged to /b; 4343 lives in /b with 2
 * pages charged to /a; a kernel thread and a process outside the map add
 * nothing of their own to the cgroups they live in. */
static void left_of_every_process(void **state)
{
	struct fx *f = *state;
	uint64_t a, b, pg = (uint64_t)sysconf(_SC_PAGESIZE);
	struct mc_pages *ctx;
	struct mc_inomap map;
	struct mc_left l;
	struct mc_error e;

	if (pg != 4096)
		skip();
	fixture_mkdir(V1 "/a");
	fixture_mkdir(V1 "/b");
	a = fixture_ino(V1 "/a");
	b = fixture_ino(V1 "/b");
	process(4242, "/a", 0x400100);
	pages(4242, 0x10, 0x1000, 5, a);
	pages(4242, 0x15, 0x1005, 3, b);
	process(4343, "/b", 0x400100);
	pages(4343, 0x10, 0x2000, 2, a);
	pages(4343, 0x12, 0x2002, 4, b);
	process(2, "/", 0x208040);	/* a kernel thread: not read */
	process(77, "/gone", 0x400100); /* its cgroup is not in the map */
	pages(77, 0x10, 0x3000, 1, b);
	fixture_mkdir("/proc/5555");	/* exited: no files */
	assert_int_equal(mc_pages_open(&ctx, &f->m, 0, &e), 0);
	assert_int_equal(mc_inomap_build(&map, &f->m, f->h, &e), 0);
	assert_int_equal(mc_left_scan(ctx, &map, &l, &e), 0);
	assert_int_equal(mc_left_of(&l, a), 2 * pg);
	assert_int_equal(mc_left_of(&l, b), 4 * pg);
	assert_int_equal(mc_left_of(&l, fixture_ino(V1)), 0);
	assert_int_equal(l.procs, 3);
	assert_int_equal(l.skipped, 0);
	mc_left_free(&l);
	mc_inomap_free(&map);
	mc_pages_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_exact_keys),
		cmocka_unit_test_setup_teardown(v1_figures, setup_v1,
						teardown),
		cmocka_unit_test_setup_teardown(v1_unlimited_and_absent,
						setup_v1, teardown),
		cmocka_unit_test_setup_teardown(v1_unreadable_is_an_error,
						setup_v1, teardown),
		cmocka_unit_test_setup_teardown(v2_figures, setup_v2,
						teardown),
		cmocka_unit_test_setup_teardown(v2_root, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(subtree_order_and_depth,
						setup_v1, teardown),
		cmocka_unit_test_setup_teardown(left_of_every_process,
						setup_v1, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
