/* Recharge on --sysroot fixture trees that each test writes:
 * proc/PID/{stat,maps,smaps,pagemap,map_files}, proc/kpage{cgroup,flags,
 * count} and a memory hierarchy of plain directories holding their limit
 * and usage files. The kernel's call is a fake that does to the fixture
 * what the kernel does to the process: a collapse charges the whole range
 * to DEST (filling holes), a page out drops file pages and splits THPs. */
#include "unit.h"

#include <ftw.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "core/recharge_impl.h"

#define PRESENT	(UINT64_C(1) << 63)
#define SWAP	(UINT64_C(1) << 62)
#define FILEPG	(UINT64_C(1) << 61)
#define DIRTY	(UINT64_C(1) << 4)
#define HEAD	(UINT64_C(1) << 15)
#define TAIL	(UINT64_C(1) << 16)
#define THP	(UINT64_C(1) << 22)
#define MNT	"/sys/fs/cgroup/memory"
#define PG	UINT64_C(4096)
#define HUGE	(UINT64_C(512) * PG)
#define MIB	(UINT64_C(1) << 20)
/* pages of the fixtures live at 2 MiB (vpn 0x200) and up; their frames
 * at 0x10000 and up, one range's worth apart */
#define VPN0	UINT64_C(0x200)

static char root[64];
static struct mc_mounts mounts;
static struct mc_cgroup dst;
static uint64_t src_ino;
static struct mc_recharge_req req;
static struct mc_recharge_res res;
static char maps[4096], smaps[8192];

/* the fake kernel */
static struct {
	int advice[64];
	uint64_t start[64], len[64];
	size_t niov[64];
	int n;
	int fail;		/* errno every call returns */
	uint64_t next_pfn;	/* frames for the holes a collapse fills */
} k;

static const char *at(const char *rel)
{
	static char path[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s%s", root, rel);
	return path[i];
}

static void put_text(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s", at(rel));
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void put_u64(const char *rel, uint64_t i, uint64_t v)
{
	int fd = open(at(rel), O_RDWR | O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, 8, (off_t)(i * 8)), 8);
	close(fd);
}

static uint64_t get_u64(const char *rel, uint64_t i)
{
	uint64_t v = 0;
	int fd = open(at(rel), O_RDONLY);

	assert_true(fd >= 0);
	assert_true(pread(fd, &v, 8, (off_t)(i * 8)) >= 0);
	close(fd);
	return v;
}

/* One page at vpn: pagemap entry, and for a present one its frame's
 * cgroup, flags and map count. */
static void page(uint64_t vpn, uint64_t entry, uint64_t ino, uint64_t flags,
		 uint64_t count)
{
	put_u64("/proc/4242/pagemap", vpn, entry);
	if (!(entry & PRESENT))
		return;
	put_u64("/proc/kpagecgroup", entry & RC_PM_PFN, ino);
	put_u64("/proc/kpageflags", entry & RC_PM_PFN, flags);
	put_u64("/proc/kpagecount", entry & RC_PM_PFN, count);
}

/* n pages from vpn, present on their own frames, charged to ino. */
static void pages(uint64_t vpn, uint64_t n, uint64_t ino, uint64_t bits)
{
	for (uint64_t i = 0; i < n; i++)
		page(vpn + i, PRESENT | bits | (0x10000 + vpn + i), ino, 0, 1);
}

/* A mapping [start, end) into maps and smaps (Rss is all that is read). */
static void mapping(uint64_t start, uint64_t end, const char *rest,
		    const char *vmflags)
{
	char line[256];

	snprintf(line, sizeof(line), "%08" PRIx64 "-%08" PRIx64 " %s\n", start,
		 end, rest);
	strcat(maps, line);
	strcat(smaps, line);
	snprintf(line, sizeof(line), "Rss: %" PRIu64 " kB\nSwap: 0 kB\n"
		 "VmFlags: %s\n", (end - start) / 1024, vmflags);
	strcat(smaps, line);
}

static void write_maps(void)
{
	put_text("/proc/4242/maps", maps);
	put_text("/proc/4242/smaps", smaps);
}

#define ANON "rw-p 00000000 00:00 0 "
#define ANONVM "rd wr mr mw me ac"

static void set_usage(const char *cg, uint64_t usage)
{
	char rel[128], v[32];

	snprintf(rel, sizeof(rel), MNT "%s/memory.usage_in_bytes", cg);
	snprintf(v, sizeof(v), "%" PRIu64 "\n", usage);
	put_text(rel, v);
}

static void limit(const char *cg, uint64_t lim, uint64_t usage)
{
	char rel[128], v[32];

	snprintf(rel, sizeof(rel), MNT "%s/memory.limit_in_bytes", cg);
	snprintf(v, sizeof(v), "%" PRIu64 "\n", lim);
	put_text(rel, v);
	set_usage(cg, usage);
}

static uint64_t usage_of(const char *cg)
{
	char rel[128], buf[32] = "";
	FILE *f;

	snprintf(rel, sizeof(rel), MNT "%s/memory.usage_in_bytes", cg);
	f = fopen(at(rel), "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	return strtoull(buf, NULL, 10);
}

static void collapse(uint64_t vpn0)
{
	uint64_t first = get_u64("/proc/4242/pagemap", vpn0) & RC_PM_PFN;

	/* an already PMD-mapped THP: the kernel's no-op (SCAN_PMD_MAPPED) */
	if (first && (get_u64("/proc/kpageflags", first) & THP))
		return;
	for (uint64_t v = vpn0; v < vpn0 + 512; v++) {
		uint64_t e = get_u64("/proc/4242/pagemap", v);

		if (!(e & PRESENT))
			e = PRESENT | k.next_pfn++;
		page(v, e, dst.ino, 0, 1);
	}
}

static void page_out(uint64_t vpn, uint64_t n)
{
	for (uint64_t v = vpn; v < vpn + n; v++) {
		uint64_t e = get_u64("/proc/4242/pagemap", v), pfn;

		if (!(e & PRESENT))
			continue;
		pfn = e & RC_PM_PFN;
		if (e & FILEPG)
			put_u64("/proc/4242/pagemap", v, 0);	/* dropped */
		else	/* a THP without swap: split in place */
			put_u64("/proc/kpageflags", pfn, 0);
	}
}

static int fake_advise(void *arg, int pidfd, const struct iovec *iov,
		       size_t n, int advice)
{
	(void)arg;
	(void)pidfd;
	assert_true(k.n < 64);
	k.advice[k.n] = advice;
	k.start[k.n] = (uintptr_t)iov[0].iov_base;
	k.len[k.n] = iov[0].iov_len;
	k.niov[k.n++] = n;
	if (k.fail)
		return k.fail;
	for (size_t i = 0; i < n; i++) {
		uint64_t vpn = (uintptr_t)iov[i].iov_base / PG;

		if (advice == MADV_COLLAPSE) {
			assert_int_equal(iov[i].iov_len, HUGE);
			collapse(vpn);
			/* the new huge page is charged to DEST */
			set_usage(dst.path, usage_of(dst.path) + HUGE);
		} else {
			page_out(vpn, iov[i].iov_len / PG);
		}
	}
	return 0;
}

static const struct mc_recharge_ops fake_ops = { fake_advise, NULL };

static int setup(void **state)
{
	struct stat st;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();	/* the fixtures spell addresses for 4 KiB pages */
	memset(&k, 0, sizeof(k));
	k.next_pfn = 0x80000;
	maps[0] = smaps[0] = '\0';
	strcpy(root, "/tmp/memcg-recharge-XXXXXX");
	assert_non_null(mkdtemp(root));
	put_text("/proc/self/mountinfo",
		 "34 30 0:31 / " MNT " rw,relatime - cgroup cgroup rw,memory\n");
	put_text("/proc/4242/stat",
		 "4242 (wl) S 1 4242 4242 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 "
		 "0 100 1000000 256 18446744073709551615 0 0 0 0 0 0 0 0 0 0 "
		 "0 0 17 0 0 0 0 0 0\n");
	put_text("/proc/4242/pagemap", "");
	put_text("/proc/kpagecgroup", "");
	put_text("/proc/kpageflags", "");
	put_text("/proc/kpagecount", "");
	put_text(MNT "/cgroup.sane_behavior", "0\n");
	limit("/src", 9223372036854771712u, 0);
	limit("/dst", 9223372036854771712u, 0);
	assert_int_equal(stat(at(MNT "/src"), &st), 0);
	src_ino = st.st_ino;
	assert_int_equal(mc_mounts_load(&mounts, root, &e), 0);
	h = mc_mounts_memory(&mounts, NULL, &e);
	assert_non_null(h);
	assert_int_equal(mc_cgroup_open(&dst, &mounts, h, "/dst", 0, &e), 0);
	req = (struct mc_recharge_req){ .m = &mounts, .pid = 4242,
					.src_ino = src_ino, .dst = &dst,
					.mode = MC_RECHARGE_ALL,
					.huge_size = HUGE, .ops = &fake_ops };
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	mc_cgroup_close(&dst);
	mc_mounts_free(&mounts);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void run(void)
{
	struct mc_error e = { 0 };

	write_maps();
	assert_int_equal(mc_recharge(&req, &res, &e), 0);
	assert_false(res.exited);
}

static uint64_t left_sum(void)
{
	uint64_t sum = 0;

	for (int i = 0; i < MC_LEFT_NREASONS; i++)
		sum += res.left_by[i];
	return sum;
}

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
		put_u64("/proc/4242/pagemap", VPN0 + 7 + i * 40, 0);
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

static void huge_without_swap(void **state)
{
	(void)state;
	one_thp();
	run();
	assert_int_equal(k.n, 2);
	assert_int_equal(k.advice[0], MADV_PAGEOUT);
	assert_int_equal(k.advice[1], MADV_COLLAPSE);
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

/* proc/4242/map_files/START-END, a link to where the file lives: shmem
 * is told by the filesystem's type (tmpfs). */
static void map_file(const char *range, const char *target)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "/proc/4242/map_files/%s", range);
	put_text(rel, "");
	unlink(at(rel));
	assert_int_equal(symlink(target, at(rel)), 0);
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
	assert_int_equal(k.n, 2);
	assert_int_equal(res.kernel_errno, EAGAIN);
	assert_int_equal(res.left_by[MC_LEFT_KERNEL], 1024 * PG);
	assert_int_equal(res.recharged, 0);
}

static void exited(void **state)
{
	struct mc_error e = { 0 };

	(void)state;
	two_dense_ranges();
	write_maps();
	unlink(at("/proc/4242/stat"));
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
