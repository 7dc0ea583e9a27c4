/* Recharge on fixture trees (recharge_fx.h): the rules alone, then a
 * process whose pages are charged to the source, recharged through a fake
 * kernel call and measured on the fixture's kpage files. */
#include "recharge_fx.h"

/* ---- the rules alone ---- */

static void density_rule(void **state)
{
	struct rc_policy p = { MC_RECHARGE_ALL, false, PG, 512 };
	struct rc_seg s = { .kind = RC_ANON, .aligned = true,
			    .before = { .pages = 512, .src_anon = 502 } };

	(void)state;
	/* growth under 2% of the range: at most 10 holes of 512 */
	s.before.present = 502;
	rc_classify(&p, &s);
	assert_int_equal(s.action, RC_COLLAPSE);
	s.before.present = 501;
	rc_classify(&p, &s);
	assert_int_equal(s.action, RC_NOTHING);
	assert_int_equal(s.reason, MC_LEFT_SPARSE);
	/* the same for shmem, in mode file only */
	s.kind = RC_SHMEM;
	s.before.present = 512;
	p.mode = MC_RECHARGE_ANON;
	rc_classify(&p, &s);
	assert_int_equal(s.action, RC_NOTHING);
	p.mode = MC_RECHARGE_FILE;
	rc_classify(&p, &s);
	assert_int_equal(s.action, RC_COLLAPSE);
}

static void room_rule(void **state)
{
	(void)state;
	/* the range and 1 MiB more must fit */
	assert_true(rc_room_ok(HUGE + MIB, HUGE));
	assert_false(rc_room_ok(HUGE + MIB - 1, HUGE));
	assert_false(rc_room_ok(HUGE - 1, HUGE));
	assert_false(rc_room_ok(0, HUGE));
}

static void huge_rule(void **state)
{
	struct rc_policy p = { MC_RECHARGE_ANON, false, PG, 512 };
	struct rc_seg s = { .kind = RC_ANON, .aligned = true,
			    .before = { .pages = 512, .present = 512,
					.src_anon = 512, .one_thp = true } };

	(void)state;
	rc_classify(&p, &s);
	assert_int_equal(s.action, RC_SPLIT_COLLAPSE);
	p.swap = true;	/* page out would swap it out, not split it */
	rc_classify(&p, &s);
	assert_int_equal(s.action, RC_NOTHING);
	assert_int_equal(s.reason, MC_LEFT_HUGE);
	/* pages others map come first: nothing is split for them */
	p.swap = false;
	s.before.shared = 1;
	rc_classify(&p, &s);
	assert_int_equal(s.reason, MC_LEFT_SHARED);
	assert_int_equal(s.action, RC_NOTHING);
	s.before.shared = 0;
	s.locked = true;
	rc_classify(&p, &s);
	assert_int_equal(s.reason, MC_LEFT_LOCKED);
	assert_int_equal(s.action, RC_NOTHING);
}

/* ---- a process on fixtures ---- */

/* [2 MiB - 8 KiB, 6 MiB + 4 KiB): two pages before the first aligned
 * range, a dense range, a sparse one (1 page in 16), one page after. */
static void dense_sparse_unaligned(void)
{
	mapping(0x1fe000, 0x601000, ANON, ANONVM);
	pages(VPN0 - 2, 2, src_ino, 0);
	pages(VPN0, 512, src_ino, 0);
	for (uint64_t i = 0; i < 512; i += 16)
		pages(VPN0 + 512 + i, 1, src_ino, 0);
	pages(VPN0 + 1024, 1, src_ino, 0);
}

static void dry_run_predicts(void **state)
{
	(void)state;
	dense_sparse_unaligned();
	req.dry_run = true;
	run();
	assert_int_equal(k.n, 0);
	assert_int_equal(res.recharged, 512 * PG);
	assert_int_equal(res.recharged_anon, 512 * PG);
	assert_int_equal(res.left_by[MC_LEFT_SPARSE], 32 * PG);
	assert_int_equal(res.left_by[MC_LEFT_UNALIGNED], 3 * PG);
	assert_int_equal(res.left, 35 * PG);
	assert_int_equal(res.rss_before, 547 * PG);
	assert_int_equal(res.rss_after, 547 * PG);	/* no holes filled */
	/* nothing was touched */
	assert_int_equal(get_u64("/proc/kpagecgroup", 0x10000 + VPN0),
			 src_ino);
}

static void collapse_dense_only(void **state)
{
	(void)state;
	dense_sparse_unaligned();
	run();
	assert_int_equal(k.n, 1);
	assert_int_equal(k.advice[0], MADV_COLLAPSE);
	assert_int_equal(k.start[0], 0x200000);
	assert_int_equal(k.len[0], HUGE);
	/* measured by kpagecgroup before and after */
	assert_int_equal(res.recharged, 512 * PG);
	assert_int_equal(res.recharged_anon, 512 * PG);
	assert_int_equal(res.left_by[MC_LEFT_SPARSE], 32 * PG);
	assert_int_equal(res.left_by[MC_LEFT_UNALIGNED], 3 * PG);
	assert_int_equal(res.left, left_sum());
	assert_int_equal(res.left, 35 * PG);
	assert_int_equal(res.rss_after, res.rss_before);
	assert_int_equal(res.ranges, 1);
}

/* Holes of a dense range are filled: RSS grows by them. */
static void collapse_fills_holes(void **state)
{
	(void)state;
	mapping(0x200000, 0x400000, ANON, ANONVM);
	pages(VPN0, 512, src_ino, 0);
	for (uint64_t i = 0; i < 10; i++)
		fixture_u64("/proc/4242/pagemap", VPN0 + 7 + i * 40, 0);
	run();
	assert_int_equal(k.n, 1);
	assert_int_equal(res.recharged, 502 * PG);
	assert_int_equal(res.rss_after - res.rss_before, 10 * PG);
	assert_int_equal(res.left, 0);
}

static void two_dense_ranges(void)
{
	mapping(0x200000, 0x600000, ANON, ANONVM);
	pages(VPN0, 1024, src_ino, 0);
}

/* DEST keeps 1 MiB below its limit after every range, re-read each
 * time: room for one range of two. */
static void room_for_one(void **state)
{
	(void)state;
	two_dense_ranges();
	limit("/dst", 64 * MIB, 64 * MIB - HUGE - MIB);
	run();
	assert_int_equal(k.n, 1);
	assert_int_equal(res.recharged, 512 * PG);
	assert_int_equal(res.left_by[MC_LEFT_LIMIT], 512 * PG);
	assert_int_equal(res.left, 512 * PG);
	assert_true(usage_of("/dst") <= 64 * MIB - MIB);
}

static void no_room(void **state)
{
	(void)state;
	two_dense_ranges();
	limit("/dst", 64 * MIB, 64 * MIB - HUGE - MIB + 1);
	run();
	assert_int_equal(k.n, 0);
	assert_int_equal(res.recharged, 0);
	assert_int_equal(res.left_by[MC_LEFT_LIMIT], 1024 * PG);
}

/* An ancestor's limit binds as DEST's does (page counters charge every
 * ancestor). */
static void ancestor_room(void **state)
{
	const struct mc_hier *h = dst.hier;
	struct mc_error e;

	(void)state;
	two_dense_ranges();
	limit("/p", 64 * MIB, 64 * MIB - HUGE);
	limit("/p/dst", 9223372036854771712u, 0);
	mc_cgroup_close(&dst);
	assert_int_equal(mc_cgroup_open(&dst, &mounts, h, "/p/dst", 0, &e), 0);
	run();
	assert_int_equal(k.n, 0);
	assert_int_equal(res.left_by[MC_LEFT_LIMIT], 1024 * PG);
}

/* One PMD-mapped THP charged to the source; on 6.1 its tails read 0 in
 * kpagecgroup (docs §8). */
static void one_thp(void)
{
	mapping(0x200000, 0x400000, ANON, ANONVM " hg");
	for (uint64_t i = 0; i < 512; i++)
		page(VPN0 + i, PRESENT | (0x40000 + i), i ? 0 : src_ino,
		     THP | (i ? TAIL : HEAD), 1);
}

/* Split by a page out of its first page, then collapsed. */
static void huge_without_swap(void **state)
{
	(void)state;
	one_thp();
	run();
	assert_int_equal(k.n, 2);
	assert_int_equal(k.advice[0], MADV_PAGEOUT);
	assert_int_equal(k.start[0], 0x200000);
	assert_int_equal(k.len[0], PG);
	assert_int_equal(k.advice[1], MADV_COLLAPSE);
	assert_int_equal(k.len[1], HUGE);
	assert_int_equal(res.recharged, HUGE);
	assert_int_equal(res.left, 0);
}

static void huge_with_swap(void **state)
{
	(void)state;
	one_thp();
	req.swap = true;
	run();
	assert_int_equal(k.n, 0);
	assert_int_equal(res.left_by[MC_LEFT_HUGE], HUGE);
	assert_int_equal(res.recharged, 0);
}

static void shared_swapped_locked(void **state)
{
	(void)state;
	mapping(0x200000, 0x600000, ANON, ANONVM);
	pages(VPN0, 1024, src_ino, 0);
	/* one page of the first range is mapped by another process too */
	page(VPN0 + 3, PRESENT | (0x10000 + VPN0 + 3), src_ino, 0, 2);
	/* the second range: 12 swap entries make it sparse */
	for (uint64_t i = 0; i < 12; i++)
		page(VPN0 + 512 + i, SWAP | (i << 5), 0, 0, 0);
	mapping(0x600000, 0x800000, ANON, ANONVM " lo");
	pages(VPN0 + 1024, 512, src_ino, 0);
	run();
	assert_int_equal(k.n, 0);
	assert_int_equal(res.left_by[MC_LEFT_SHARED], 512 * PG);
	assert_int_equal(res.left_by[MC_LEFT_SPARSE], 500 * PG);
	assert_int_equal(res.left_by[MC_LEFT_SWAPPED], 12 * PG);
	assert_int_equal(res.left_by[MC_LEFT_LOCKED], 512 * PG);
	assert_int_equal(res.left, left_sum());
}

static void status(const char *vmlck_kb)
{
	char text[256];

	snprintf(text, sizeof(text), "Name:\twl\nVmLck:\t%8s kB\n"
		 "HugetlbPages:\t%8s kB\n", vmlck_kb, "0");
	fixture_write("/proc/4242/status", text);
}

/* Without locked memory (nor hugetlb pages) no mapping's flags matter:
 * maps is read, not smaps (whose page table walk costs). */
static void no_locked_memory(void **state)
{
	struct mc_error e = { 0 };

	(void)state;
	two_dense_ranges();
	status("0");
	write_maps();
	unlink(fixture_path("/proc/4242/smaps"));
	assert_int_equal(mc_recharge(&req, &res, &e), 0);
	assert_int_equal(k.n, 2);
	assert_int_equal(res.recharged, 1024 * PG);
	assert_int_equal(res.left, 0);
}

/* With some, smaps says which mapping is locked. */
static void locked_memory(void **state)
{
	(void)state;
	mapping(0x200000, 0x400000, ANON, ANONVM);
	pages(VPN0, 512, src_ino, 0);
	mapping(0x400000, 0x600000, ANON, ANONVM " lo");
	pages(VPN0 + 512, 512, src_ino, 0);
	status("2048");
	run();
	assert_int_equal(k.n, 1);
	assert_int_equal(k.start[0], 0x200000);
	assert_int_equal(res.left_by[MC_LEFT_LOCKED], 512 * PG);
}

/* proc/4242/map_files/START-END, a link to where the file lives: shmem
 * is told by the filesystem's type (tmpfs). */
static void map_file(const char *range, const char *target)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "/proc/4242/map_files/%s", range);
	fixture_write(rel, "");
	unlink(fixture_path(rel));
	assert_int_equal(symlink(target, fixture_path(rel)), 0);
}

static void file_pages(void **state)
{
	(void)state;
	mapping(0x200000, 0x20a000, "r--s 00000000 08:01 77 /data/f",
		"rd sh mr mw me ms");
	map_file("200000-20a000", "/proc");
	pages(VPN0, 4, src_ino, FILEPG);	/* clean, mapped here only */
	for (uint64_t i = 4; i < 6; i++)	/* dirty */
		page(VPN0 + i, PRESENT | FILEPG | (0x10000 + VPN0 + i),
		     src_ino, DIRTY, 1);
	page(VPN0 + 6, PRESENT | FILEPG | (0x10000 + VPN0 + 6), src_ino, 0,
	     2);				/* mapped elsewhere too */
	/* a library's data: private copies of its pages */
	mapping(0x300000, 0x302000, "rw-p 00001000 08:01 78 /lib/x.so",
		"rd wr mr mw me ac");
	map_file("300000-302000", "/proc");
	pages(VPN0 + 256, 2, src_ino, 0);
	run();
	assert_int_equal(k.n, 1);
	assert_int_equal(k.advice[0], MADV_PAGEOUT);
	assert_int_equal(k.niov[0], 1);
	assert_int_equal(k.start[0], 0x200000);
	assert_int_equal(k.len[0], 4 * PG);
	assert_int_equal(res.paged_out, 4 * PG);
	assert_int_equal(res.left_by[MC_LEFT_DIRTY], 2 * PG);
	assert_int_equal(res.left_by[MC_LEFT_SHARED], 1 * PG);
	assert_int_equal(res.left_by[MC_LEFT_COW], 2 * PG);
	assert_int_equal(res.left, 5 * PG);
	assert_int_equal(res.rss_before - res.rss_after, 4 * PG);
}

static void file_not_asked(void **state)
{
	(void)state;
	mapping(0x200000, 0x204000, "r--s 00000000 08:01 77 /data/f",
		"rd sh mr mw me ms");
	map_file("200000-204000", "/proc");
	pages(VPN0, 4, src_ino, FILEPG);
	req.mode = MC_RECHARGE_ANON;
	run();
	assert_int_equal(k.n, 0);
	assert_int_equal(res.not_asked, 4 * PG);
	assert_int_equal(res.left, 0);
}

static void shmem(const char *offset)
{
	char rest[128];

	snprintf(rest, sizeof(rest), "rw-s %s 00:05 99 /dev/shm/x", offset);
	mapping(0x200000, 0x400000, rest, "rd wr sh mr mw me ms");
	map_file("200000-400000", "/dev/shm");
	pages(VPN0, 512, src_ino, FILEPG);
}

static void shmem_collapses(void **state)
{
	(void)state;
	shmem("00000000");
	run();
	assert_int_equal(k.n, 1);
	assert_int_equal(k.advice[0], MADV_COLLAPSE);
	assert_int_equal(res.recharged_file, HUGE);
	assert_int_equal(res.recharged_anon, 0);
}

/* File offsets out of step with addresses: EINVAL from the kernel (docs
 * §9), so no call. */
static void shmem_misaligned(void **state)
{
	(void)state;
	shmem("00001000");
	run();
	assert_int_equal(k.n, 0);
	assert_int_equal(res.left_by[MC_LEFT_UNALIGNED], HUGE);
}

static void stop_first(void **state)
{
	volatile sig_atomic_t stop = 1;

	(void)state;
	two_dense_ranges();
	req.stop = &stop;
	run();
	assert_true(res.stopped);
	assert_int_equal(k.n, 0);
	assert_int_equal(res.left_by[MC_LEFT_STOPPED], 1024 * PG);
}

static void kernel_refuses(void **state)
{
	(void)state;
	two_dense_ranges();
	k.fail = EAGAIN;
	run();
	/* EAGAIN is asked once more (madvise_collapse_errno) */
	assert_int_equal(k.n, 4);
	assert_int_equal(res.kernel_errno, EAGAIN);
	assert_int_equal(res.left_by[MC_LEFT_KERNEL], 1024 * PG);
	assert_int_equal(res.recharged, 0);
	/* anything else is not asked twice */
	memset(&k, 0, sizeof(k));
	k.fail = EINVAL;
	run();
	assert_int_equal(k.n, 2);
	assert_int_equal(res.kernel_errno, EINVAL);
}

static void exited(void **state)
{
	struct mc_error e = { 0 };

	(void)state;
	two_dense_ranges();
	write_maps();
	unlink(fixture_path("/proc/4242/stat"));
	assert_int_equal(mc_recharge(&req, &res, &e), 0);
	assert_true(res.exited);
	assert_int_equal(k.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(density_rule),
		cmocka_unit_test(room_rule),
		cmocka_unit_test(huge_rule),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(dry_run_predicts),
		T(collapse_dense_only),
		T(collapse_fills_holes),
		T(room_for_one),
		T(no_room),
		T(ancestor_room),
		T(huge_without_swap),
		T(huge_with_swap),
		T(shared_swapped_locked),
		T(no_locked_memory),
		T(locked_memory),
		T(file_pages),
		T(file_not_asked),
		T(shmem_collapses),
		T(shmem_misaligned),
		T(stop_first),
		T(kernel_refuses),
		T(exited),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
