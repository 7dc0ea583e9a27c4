/* The attribution engine and the cgroup tree on --sysroot fixture trees that
 * each test writes: proc/PID/maps and pagemap, proc/kpagecgroup and
 * kpageflags, and a memory hierarchy of plain directories. */
#include "fixture.h"

#include <inttypes.h>

#include "core/pages.h"
#include "core/tree.h"

#define PRESENT	(UINT64_C(1) << 63)
#define SWAP	(UINT64_C(1) << 62)
#define FILEPG	(UINT64_C(1) << 61)
#define HEAD	(UINT64_C(1) << 15)
#define TAIL	(UINT64_C(1) << 16)
#define THP	(UINT64_C(1) << 22)
#define PID	4242
#define MNT	"/sys/fs/cgroup/memory"

struct fx {
	struct mc_mounts m;
	const struct mc_hier *h;
	struct mc_pages *ctx;
	struct mc_pages_result r;
	uint64_t ino_top, ino_a, ino_b, ino_c;
	long page;
};

static void pagemap(uint64_t vpn, uint64_t entry)
{
	fixture_u64("/proc/" "4242" "/pagemap", vpn, entry);
}

static void charge(uint64_t pfn, uint64_t ino, uint64_t flags)
{
	fixture_u64("/proc/kpagecgroup", pfn, ino);
	fixture_u64("/proc/kpageflags", pfn, flags);
}

/* A hierarchy /, /a, /a/b, /c mounted at MNT; PID 4242 exists. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mc_error e;

	/* the fixtures spell addresses for 4 KiB pages */
	if (sysconf(_SC_PAGESIZE) != 4096) {
		free(f);
		skip();
	}
	fixture_tree("pages");
	f->page = sysconf(_SC_PAGESIZE);
	fixture_mkdir("/proc/self");
	fixture_mkdir("/proc/4242");
	fixture_mkdir(MNT "/a/b");
	fixture_mkdir(MNT "/c");
	fixture_write("/proc/self/mountinfo",
		 "34 30 0:31 / " MNT " rw,relatime - cgroup cgroup rw,memory\n");
	fixture_write("/proc/kpagecgroup", "");
	fixture_write("/proc/kpageflags", "");
	f->ino_top = fixture_ino(MNT);
	f->ino_a = fixture_ino(MNT "/a");
	f->ino_b = fixture_ino(MNT "/a/b");
	f->ino_c = fixture_ino(MNT "/c");
	assert_int_equal(mc_mounts_load(&f->m, root, &e), 0);
	f->h = mc_mounts_memory(&f->m, NULL, &e);
	assert_non_null(f->h);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mc_pages_result_free(&f->r);
	mc_pages_close(f->ctx);
	mc_mounts_free(&f->m);
	fixture_remove();
	free(f);
	return 0;
}

static int attribute(struct fx *f, struct mc_error *e)
{
	if (!f->ctx)
		assert_int_equal(mc_pages_open(&f->ctx, &f->m, 0, e), 0);
	return mc_pages_attribute(f->ctx, PID, &f->r, e);
}

static const struct mc_pages_cgroup *cg(struct fx *f, uint64_t ino)
{
	const struct mc_pages_cgroup *c = mc_pages_find(&f->r, ino);

	assert_non_null(c);
	return c;
}

static void anon_file_split(void **state)
{
	struct fx *f = *state;
	uint64_t pg = (uint64_t)f->page;
	struct mc_error e;

	fixture_write("/proc/4242/maps",
		 "00010000-00018000 rw-p 00000000 00:00 0 \n"
		 "00400000-00404000 r--p 00000000 08:01 77 /usr/bin/x\n");
	/* 8 anon pages: 5 charged to a, 3 to b; 4 file pages charged to c */
	for (uint64_t i = 0; i < 8; i++) {
		pagemap(0x10 + i, PRESENT | (0x1000 + i));
		charge(0x1000 + i, i < 5 ? f->ino_a : f->ino_b, 0);
	}
	for (uint64_t i = 0; i < 4; i++) {
		pagemap(0x400 + i, PRESENT | FILEPG | (0x2000 + i));
		charge(0x2000 + i, f->ino_c, 0);
	}
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(f->r.n, 3);
	assert_int_equal(cg(f, f->ino_a)->anon, 5 * pg);
	assert_int_equal(cg(f, f->ino_a)->file, 0);
	assert_int_equal(cg(f, f->ino_b)->anon, 3 * pg);
	assert_int_equal(cg(f, f->ino_c)->file, 4 * pg);
	assert_int_equal(cg(f, f->ino_c)->anon, 0);
	assert_int_equal(mc_pages_resident(&f->r), 12 * pg);
	assert_int_equal(f->r.swapped, 0);
	/* sorted by inode, for mc_pages_find */
	for (size_t i = 1; i < f->r.n; i++)
		assert_true(f->r.v[i - 1].ino < f->r.v[i].ino);
}

static void swapped_and_uncharged(void **state)
{
	struct fx *f = *state;
	uint64_t pg = (uint64_t)f->page;
	struct mc_error e;

	fixture_write("/proc/4242/maps",
		 "00010000-00020000 rw-p 00000000 00:00 0 \n");
	pagemap(0x10, PRESENT | 0x3000);		/* charged to a */
	charge(0x3000, f->ino_a, 0);
	pagemap(0x11, SWAP | (7 << 5) | 1);		/* swapped */
	pagemap(0x12, SWAP | (8 << 5) | 1);
	pagemap(0x13, PRESENT | 0x3001);		/* uncharged anon */
	pagemap(0x14, PRESENT | FILEPG | 0x3002);	/* uncharged file */
	charge(0x3001, 0, 0);
	charge(0x3002, 0, 0);
	/* 0x15..0x1f are not present: not counted at all */
	pagemap(0x1f, 0);
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(f->r.swapped, 2 * pg);
	assert_int_equal(f->r.uncharged_anon, pg);
	assert_int_equal(f->r.uncharged_file, pg);
	assert_int_equal(mc_pages_resident(&f->r), 3 * pg);
}

/* 6.1: a THP's tails read 0 in kpagecgroup; they are charged where the
 * head is (docs §8). Mapped backwards, so the sort has work to do. */
static void thp_tails_follow_head(void **state)
{
	struct fx *f = *state;
	uint64_t pg = (uint64_t)f->page;
	const struct mc_pages_stats *st;
	struct mc_error e;

	fixture_write("/proc/4242/maps",
		 "00200000-00600000 rw-p 00000000 00:00 0 \n");
	for (uint64_t i = 0; i < 512; i++) {
		/* folio X: frames 0x10000.., head charged to b */
		pagemap(0x200 + i, PRESENT | (0x10000 + 511 - i));
		charge(0x10000 + i, i ? 0 : f->ino_b,
		       THP | (i ? TAIL : HEAD));
		/* folio Y: its head reads 0 too: uncharged, all of it */
		pagemap(0x400 + i, PRESENT | (0x20000 + i));
		charge(0x20000 + i, 0, THP | (i ? TAIL : HEAD));
	}
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(cg(f, f->ino_b)->anon, 512 * pg);
	assert_int_equal(f->r.uncharged_anon, 512 * pg);
	st = mc_pages_get_stats(f->ctx);
	assert_int_equal(st->tails, 2 * 511);
	/* a handful of flag blocks, not a read per tail */
	assert_true(st->kpf_reads <= 4);
}

/* A tail whose flags are not THP's (a hugetlb page, say) is not
 * followed: what kpagecgroup says, 0, stands. */
static void zero_without_thp_is_uncharged(void **state)
{
	struct fx *f = *state;
	struct mc_error e;

	fixture_write("/proc/4242/maps",
		 "00010000-00012000 rw-p 00000000 00:00 0 \n");
	charge(0x4000, f->ino_a, HEAD);
	charge(0x4001, 0, TAIL);
	pagemap(0x10, PRESENT | 0x4000);
	pagemap(0x11, PRESENT | 0x4001);
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(cg(f, f->ino_a)->anon, (uint64_t)f->page);
	assert_int_equal(f->r.uncharged_anon, (uint64_t)f->page);
}

static void removed_cgroup(void **state)
{
	struct fx *f = *state;
	struct mc_inomap map;
	struct mc_error e;
	uint64_t gone = 987654321;

	fixture_write("/proc/4242/maps",
		 "00010000-00012000 rw-p 00000000 00:00 0 \n");
	pagemap(0x10, PRESENT | 0x5000);
	pagemap(0x11, PRESENT | 0x5001);
	charge(0x5000, gone, 0);
	charge(0x5001, f->ino_c, 0);
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(cg(f, gone)->anon, (uint64_t)f->page);
	assert_int_equal(mc_inomap_build(&map, &f->m, f->h, &e), 0);
	assert_string_equal(mc_inomap_path(&map, f->ino_top), "/");
	assert_string_equal(mc_inomap_path(&map, f->ino_a), "/a");
	assert_string_equal(mc_inomap_path(&map, f->ino_b), "/a/b");
	assert_string_equal(mc_inomap_path(&map, f->ino_c), "/c");
	assert_null(mc_inomap_path(&map, gone));
	assert_int_equal(mc_inomap_ino(&map, "/a/b"), f->ino_b);
	assert_int_equal(mc_inomap_ino(&map, "/nope"), 0);
	/* a cgroup made after the map was built is found by a new walk */
	fixture_mkdir(MNT "/c/late");
	assert_string_equal(mc_inomap_path(&map, fixture_ino(MNT "/c/late")),
			    "/c/late");
	mc_inomap_free(&map);
}

static void exits_mid_walk(void **state)
{
	struct fx *f = *state;
	struct mc_error e;

	/* the second range lies past the end of pagemap: a process whose
	 * memory is gone reads nothing there */
	fixture_write("/proc/4242/maps",
		 "00010000-00012000 rw-p 00000000 00:00 0 \n"
		 "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n");
	pagemap(0x10, PRESENT | 0x6000);
	charge(0x6000, f->ino_a, 0);
	assert_int_equal(attribute(f, &e), -1);
	assert_int_equal(e.code, ESRCH);
	assert_int_equal(f->r.n, 0);
	assert_int_equal(mc_pages_resident(&f->r), 0);
}

static void gone_before(void **state)
{
	struct fx *f = *state;
	struct mc_error e;

	assert_int_equal(mc_pages_open(&f->ctx, &f->m, 0, &e), 0);
	assert_int_equal(mc_pages_attribute(f->ctx, 4343, &f->r, &e), -1);
	assert_int_equal(e.code, ESRCH);
	assert_non_null(strstr(e.msg, "4343"));
}

static void pfn_hidden(void **state)
{
	struct fx *f = *state;
	struct mc_error e;

	fixture_write("/proc/4242/maps",
		 "00010000-00012000 rw-p 00000000 00:00 0 \n");
	pagemap(0x10, PRESENT);	/* present, frame number zeroed */
	assert_int_equal(attribute(f, &e), -1);
	assert_int_equal(e.code, EPERM);
	assert_non_null(strstr(e.msg, "CAP_SYS_ADMIN"));
}

static void no_kpagecgroup(void **state)
{
	struct fx *f = *state;
	struct mc_error e;

	assert_int_equal(unlink(fixture_path("/proc/kpagecgroup")), 0);
	assert_int_equal(mc_pages_open(&f->ctx, &f->m, 0, &e), -1);
	assert_int_equal(e.code, ENOENT);
	assert_non_null(strstr(e.msg, "CONFIG_MEMCG"));
	assert_null(f->ctx);
}

/* vsyscall lies above the task size, where pagemap reads nothing: it is
 * not a sign that the process exited. */
static void vsyscall_skipped(void **state)
{
	struct fx *f = *state;
	struct mc_error e;

	fixture_write("/proc/4242/maps",
		 "00010000-00011000 rw-p 00000000 00:00 0 \n"
		 "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 "
		 "                 [vsyscall]\n");
	pagemap(0x10, PRESENT | 0x7000);
	charge(0x7000, f->ino_a, 0);
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(cg(f, f->ino_a)->anon, (uint64_t)f->page);
}

/* Frames scattered over a range are sorted and read in one window; far
 * apart ones in separate reads. */
static void sorted_and_coalesced(void **state)
{
	struct fx *f = *state;
	const struct mc_pages_stats *st;
	struct mc_error e;
	uint64_t n = 1000;

	fixture_write("/proc/4242/maps",
		 "00100000-004e8000 rw-p 00000000 00:00 0 \n");
	for (uint64_t i = 0; i < n; i++) {
		/* a permutation of 0x8000..0x8000+n-1, every other frame
		 * far away */
		uint64_t pfn = 0x8000 + (i * 389) % n;

		pfn += (i % 2) ? 0x100000 : 0;
		pagemap(0x100 + i, PRESENT | pfn);
		charge(pfn, (i % 2) ? f->ino_b : f->ino_a, 0);
	}
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(cg(f, f->ino_a)->anon, n / 2 * (uint64_t)f->page);
	assert_int_equal(cg(f, f->ino_b)->anon, n / 2 * (uint64_t)f->page);
	st = mc_pages_get_stats(f->ctx);
	/* two windows of 999 frames: holes of one frame are read through */
	assert_int_equal(st->kpc_reads, 2);
	assert_int_equal(st->kpc_pages, 2 * 999);
}

/* More pages than a chunk and a batch hold: several flushes, one
 * answer. The context is reused for a second process. */
static void larger_than_a_batch(void **state)
{
	struct fx *f = *state;
	uint64_t n = 150000, pg = (uint64_t)f->page;
	struct mc_error e;
	uint64_t *pm = calloc(n, 8);
	char maps[128];
	int fd;

	snprintf(maps, sizeof(maps), "10000000-%" PRIx64 " rw-p 00000000 "
		 "00:00 0 \n", 0x10000000 + n * pg);
	fixture_write("/proc/4242/maps", maps);
	for (uint64_t i = 0; i < n; i++)
		pm[i] = PRESENT | (i % 3 ? FILEPG : 0) | (0x40000 + i * 2);
	fd = open(fixture_path("/proc/4242/pagemap"), O_WRONLY | O_CREAT, 0644);
	assert_int_equal(pwrite(fd, pm, n * 8, 0x10000 * 8), (ssize_t)(n * 8));
	close(fd);
	for (uint64_t i = 0; i < n; i++)
		pm[i] = f->ino_c;
	fd = open(fixture_path("/proc/kpagecgroup"), O_WRONLY, 0644);
	/* every other frame, the rest 0: the holes are read through */
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(pwrite(fd, &pm[i], 8,
					(off_t)((0x40000 + i * 2) * 8)), 8);
	close(fd);
	free(pm);
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(f->r.n, 1);
	assert_int_equal(cg(f, f->ino_c)->anon, 50000 * pg);
	assert_int_equal(cg(f, f->ino_c)->file, 100000 * pg);
	assert_true(mc_pages_get_stats(f->ctx)->pagemap_reads >= 5);
	/* the same context for another process: nothing carries over */
	fixture_write("/proc/4242/maps", "");
	assert_int_equal(attribute(f, &e), 0);
	assert_int_equal(f->r.n, 0);
	assert_int_equal(mc_pages_resident(&f->r), 0);
}

static int collect(void *arg, const struct mc_tree_node *node,
		   struct mc_error *e)
{
	char *out = arg;

	(void)e;
	strcat(out, node->path);
	strcat(out, "=");
	strcat(out, node->rel);
	strcat(out, " ");
	return 0;
}

static void tree_walk_and_procs(void **state)
{
	struct fx *f = *state;
	char seen[512] = "";
	struct mc_error e;
	pid_t *pids;
	size_t n;

	assert_int_equal(mc_tree_walk(&f->m, f->h, "a", collect, seen, &e), 0);
	assert_string_equal(seen, "/a=a /a/b=a/b ");
	fixture_write(MNT "/a/cgroup.procs", "300\n12\n4242\n");
	assert_int_equal(mc_tree_procs(&f->m, f->h, "a", &pids, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 12);
	assert_int_equal(pids[1], 300);
	assert_int_equal(pids[2], 4242);
	free(pids);
	assert_int_equal(mc_tree_procs(&f->m, f->h, "c/none", &pids, &n, &e),
			 -1);
	assert_int_equal(e.code, ENOENT);
}

/* Charged here, elsewhere, to none: from one cgroup's point of view. */
static void split_here_elsewhere(void **state)
{
	struct mc_pages_cgroup v[] = {
		{ .ino = 10, .anon = 100, .file = 20 },
		{ .ino = 20, .anon = 5, .file = 0 },
		{ .ino = 30, .anon = 0, .file = 7 },
	};
	struct mc_pages_result r = { .v = v, .n = 3, .cap = 3,
				     .uncharged_anon = 3,
				     .uncharged_file = 4, .swapped = 1000 };
	struct mc_pages_split sp;

	(void)state;
	mc_pages_split(&r, 20, &sp);
	assert_int_equal(sp.here, 5);
	assert_int_equal(sp.elsewhere, 127);
	assert_int_equal(sp.uncharged, 7);
	assert_int_equal(sp.here + sp.elsewhere + sp.uncharged,
			 mc_pages_resident(&r));
	/* a cgroup with no pages of the process, and an unknown one */
	mc_pages_split(&r, 40, &sp);
	assert_int_equal(sp.here, 0);
	assert_int_equal(sp.elsewhere, 132);
	mc_pages_split(&r, 0, &sp);
	assert_int_equal(sp.here, 0);
	assert_int_equal(sp.elsewhere, 132);
	r.n = 0;
	mc_pages_split(&r, 10, &sp);
	assert_int_equal(sp.here + sp.elsewhere, 0);
	assert_int_equal(sp.uncharged, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(anon_file_split, setup,
						teardown),
		cmocka_unit_test_setup_teardown(swapped_and_uncharged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(thp_tails_follow_head, setup,
						teardown),
		cmocka_unit_test_setup_teardown(zero_without_thp_is_uncharged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(removed_cgroup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(exits_mid_walk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(gone_before, setup, teardown),
		cmocka_unit_test_setup_teardown(pfn_hidden, setup, teardown),
		cmocka_unit_test_setup_teardown(no_kpagecgroup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(vsyscall_skipped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(sorted_and_coalesced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(larger_than_a_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tree_walk_and_procs, setup,
						teardown),
		cmocka_unit_test(split_here_elsewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
