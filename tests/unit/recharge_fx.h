/* The recharge tests' bench: a --sysroot fixture tree in a temporary
 * directory, proc/PID/{stat,maps,smaps,pagemap,map_files},
 * proc/kpage{cgroup,flags,count} and a memory hierarchy of plain
 * directories holding their limit and usage files, and a fake of the
 * kernel's call that does to the fixture what the kernel does to the
 * process: a collapse charges the whole range to DEST (filling holes), a
 * page out drops file pages and splits THPs. */
#ifndef MEMCG_UNIT_RECHARGE_FX_H
#define MEMCG_UNIT_RECHARGE_FX_H

#include "fixture.h"

#include <inttypes.h>
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

static uint64_t get_u64(const char *rel, uint64_t i)
{
	uint64_t v = 0;
	int fd = open(fixture_path(rel), O_RDONLY);

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
	fixture_u64("/proc/4242/pagemap", vpn, entry);
	if (!(entry & PRESENT))
		return;
	fixture_u64("/proc/kpagecgroup", entry & RC_PM_PFN, ino);
	fixture_u64("/proc/kpageflags", entry & RC_PM_PFN, flags);
	fixture_u64("/proc/kpagecount", entry & RC_PM_PFN, count);
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
	fixture_write("/proc/4242/maps", maps);
	fixture_write("/proc/4242/smaps", smaps);
}

#define ANON "rw-p 00000000 00:00 0 "
#define ANONVM "rd wr mr mw me ac"

static void set_usage(const char *cg, uint64_t usage)
{
	char rel[128], v[32];

	snprintf(rel, sizeof(rel), MNT "%s/memory.usage_in_bytes", cg);
	snprintf(v, sizeof(v), "%" PRIu64 "\n", usage);
	fixture_write(rel, v);
}

static void limit(const char *cg, uint64_t lim, uint64_t usage)
{
	char rel[128], v[32];

	snprintf(rel, sizeof(rel), MNT "%s/memory.limit_in_bytes", cg);
	snprintf(v, sizeof(v), "%" PRIu64 "\n", lim);
	fixture_write(rel, v);
	set_usage(cg, usage);
}

static uint64_t usage_of(const char *cg)
{
	char rel[128], buf[32] = "";
	FILE *f;

	snprintf(rel, sizeof(rel), MNT "%s/memory.usage_in_bytes", cg);
	f = fopen(fixture_path(rel), "r");
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

/* A THP without swap, paged out in part or whole, is split in place: the
 * whole huge page (its range here) */
static void split(uint64_t vpn)
{
	uint64_t v0 = vpn / 512 * 512;

	for (uint64_t v = v0; v < v0 + 512; v++) {
		uint64_t e = get_u64("/proc/4242/pagemap", v);

		if (e & PRESENT)
			fixture_u64("/proc/kpageflags", e & RC_PM_PFN, 0);
	}
}

static void page_out(uint64_t vpn, uint64_t n)
{
	for (uint64_t v = vpn; v < vpn + n; v++) {
		uint64_t e = get_u64("/proc/4242/pagemap", v);

		if (!(e & PRESENT))
			continue;
		if (e & FILEPG)	/* dropped */
			fixture_u64("/proc/4242/pagemap", v, 0);
		else if (get_u64("/proc/kpageflags", e & RC_PM_PFN) & THP)
			split(v);
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
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();	/* the fixtures spell addresses for 4 KiB pages */
	memset(&k, 0, sizeof(k));
	k.next_pfn = 0x80000;
	maps[0] = smaps[0] = '\0';
	fixture_tree("recharge");
	fixture_write("/proc/self/mountinfo",
		 "34 30 0:31 / " MNT " rw,relatime - cgroup cgroup rw,memory\n");
	fixture_write("/proc/4242/stat",
		 "4242 (wl) S 1 4242 4242 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 "
		 "0 100 1000000 256 18446744073709551615 0 0 0 0 0 0 0 0 0 0 "
		 "0 0 17 0 0 0 0 0 0\n");
	fixture_write("/proc/4242/pagemap", "");
	fixture_write("/proc/kpagecgroup", "");
	fixture_write("/proc/kpageflags", "");
	fixture_write("/proc/kpagecount", "");
	fixture_write(MNT "/cgroup.sane_behavior", "0\n");
	limit("/src", 9223372036854771712u, 0);
	limit("/dst", 9223372036854771712u, 0);
	src_ino = fixture_ino(MNT "/src");
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

static int teardown(void **state)
{
	(void)state;
	mc_cgroup_close(&dst);
	mc_mounts_free(&mounts);
	fixture_remove();
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

#endif
