/* Memory hierarchy discovery on recorded and generated mountinfo files. */
#include "unit.h"

#include "core/mounts.h"

static const struct mc_hier *pick(struct mc_mounts *m, const char *file,
				  const char *want, struct mc_error *e)
{
	assert_int_equal(mc_mounts_parse(m, file, NULL, e), 0);
	return mc_mounts_memory(m, want, e);
}

static void v1_only(void **state)
{
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h = pick(&m, fixture("mountinfo-6.1-v1.txt"),
				       NULL, &e);

	(void)state;
	assert_int_equal(m.n, 1); /* the tmpfs at /sys/fs/cgroup is not one */
	assert_non_null(h);
	assert_string_equal(h->target, "/sys/fs/cgroup/memory");
	assert_string_equal(h->root, "/");
	assert_int_equal(h->type, MC_V1);
	mc_mounts_free(&m);
}

static void systemd_hybrid(void **state)
{
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h = pick(&m, fixture("mountinfo-6.1-hybrid.txt"),
				       NULL, &e);
	size_t v1 = 0, v2 = 0, mem = 0;

	(void)state;
	for (size_t i = 0; i < m.n; i++) {
		v1 += m.h[i].type == MC_V1;
		v2 += m.h[i].type == MC_V2;
		mem += m.h[i].memory;
	}
	assert_int_equal(v1, 13);
	assert_int_equal(v2, 1);
	assert_int_equal(mem, 1); /* name=systemd, cpu,cpuacct: not memory */
	assert_string_equal(h->target, "/sys/fs/cgroup/memory");
	mc_mounts_free(&m);
}

/* A sysroot whose MNT/cgroup.controllers lists controllers: what decides
 * whether a cgroup2 mount at MNT offers memory (docs §8). */
static const char *v2_sysroot_at(const char *mnt, const char *controllers)
{
	static char root[64];
	char path[200];
	FILE *f;

	strcpy(root, "/tmp/memcg-mounts-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "mkdir -p '%s%s'", root, mnt);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s%s/cgroup.controllers", root, mnt);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", controllers);
	fclose(f);
	return root;
}

static const char *v2_sysroot(const char *controllers)
{
	return v2_sysroot_at("/sys/fs/cgroup", controllers);
}

static void rm_sysroot(const char *root)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void v2_only_is_used(void **state)
{
	const char *root = v2_sysroot("cpuset cpu io memory hugetlb pids");
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	assert_int_equal(mc_mounts_parse(&m, fixture("mountinfo-6.12-v2.txt"),
					 root, &e), 0);
	h = mc_mounts_memory(&m, NULL, &e);
	assert_non_null(h);
	assert_int_equal(h->type, MC_V2);
	assert_string_equal(h->target, "/sys/fs/cgroup");
	/* --mount names it too: memory is in its cgroup.controllers */
	assert_ptr_equal(mc_mounts_memory(&m, "/sys/fs/cgroup", &e), h);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

static void v2_without_memory_says_why(void **state)
{
	const char *root = v2_sysroot("cpuset cpu io pids");
	struct mc_mounts m;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_mounts_parse(&m, fixture("mountinfo-6.12-v2.txt"),
					 root, &e), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.h[0].type, MC_V2);
	assert_null(mc_mounts_memory(&m, NULL, &e));
	assert_int_equal(e.code, ENOENT);
	assert_non_null(strstr(e.msg, "no cgroup2 mount offers it"));
	assert_null(mc_mounts_memory(&m, "/sys/fs/cgroup", &e));
	assert_int_equal(e.code, EINVAL);
	assert_non_null(strstr(e.msg, "cgroup2 mount without the memory"));
	mc_mounts_free(&m);
	rm_sysroot(root);
}

/* 6.1 booted with cgroup_no_v1=memory (recorded): the one cgroup hierarchy
 * is cgroup2 at /sys/fs/cgroup, and it offers memory. */
static void v2_memory_kernel_option(void **state)
{
	const char *root = v2_sysroot("cpuset cpu io memory hugetlb pids "
				      "rdma misc");
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	assert_int_equal(mc_mounts_parse(
				 &m, fixture("mountinfo-6.1-v2-memory.txt"),
				 root, &e), 0);
	assert_int_equal(m.n, 1);
	h = mc_mounts_memory(&m, NULL, &e);
	assert_ptr_equal(h, &m.h[0]);
	assert_int_equal(h->type, MC_V2);
	assert_true(h->memory);
	assert_string_equal(h->target, "/sys/fs/cgroup");
	assert_string_equal(h->root, "/");
	assert_string_equal(h->source, "cgroup2");
	assert_ptr_equal(mc_mounts_memory(&m, "/sys/fs/cgroup", &e), h);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

/* The same mount with memory missing from cgroup.controllers: its super
 * option memory_recursiveprot must not pass for the controller. */
static void v2_memory_recursiveprot_is_not_memory(void **state)
{
	const char *root = v2_sysroot("cpuset cpu io hugetlb pids");
	struct mc_mounts m;
	struct mc_error e;

	(void)state;
	assert_int_equal(mc_mounts_parse(
				 &m, fixture("mountinfo-6.1-v2-memory.txt"),
				 root, &e), 0);
	assert_int_equal(m.n, 1);
	assert_non_null(strstr(m.h[0].options, "memory_recursiveprot"));
	assert_false(m.h[0].memory);
	assert_null(mc_mounts_memory(&m, NULL, &e));
	assert_int_equal(e.code, ENOENT);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

/* v1 memory plus cgroup2 at unified, whose cgroup.controllers (recorded)
 * lists no memory: the v1 mount is the hierarchy. */
static void hybridmin_uses_v1(void **state)
{
	const char *root = v2_sysroot_at("/sys/fs/cgroup/unified",
					 "cpuset cpu io hugetlb pids rdma misc");
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	assert_int_equal(mc_mounts_parse(
				 &m, fixture("mountinfo-6.1-hybridmin.txt"),
				 root, &e), 0);
	assert_int_equal(m.n, 2);
	h = mc_mounts_memory(&m, NULL, &e);
	assert_non_null(h);
	assert_int_equal(h->type, MC_V1);
	assert_string_equal(h->target, "/sys/fs/cgroup/memory");
	assert_int_equal(m.h[1].type, MC_V2);
	assert_string_equal(m.h[1].target, "/sys/fs/cgroup/unified");
	assert_false(m.h[1].memory);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

/* The hybrid with memory on unified (v1 memory disabled, the other v1
 * controllers mounted, as docs §9 measured): cgroup2 is the hierarchy. */
static const char hybrid_unified_memory[] =
	"26 23 0:23 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"27 26 0:24 / /sys/fs/cgroup/unified rw,relatime - "
	"cgroup2 cgroup2 rw,nsdelegate\n"
	"28 26 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - "
	"cgroup cgroup rw,cpu,cpuacct\n"
	"29 26 0:26 / /sys/fs/cgroup/pids rw,relatime - "
	"cgroup cgroup rw,pids\n";

static void hybrid_memory_on_unified(void **state)
{
	const char *root = v2_sysroot_at("/sys/fs/cgroup/unified",
					 "cpuset io memory hugetlb rdma misc");
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;
	const char *file = tmpfile_with(hybrid_unified_memory);

	(void)state;
	assert_int_equal(mc_mounts_parse(&m, file, root, &e), 0);
	unlink(file);
	assert_int_equal(m.n, 3);
	h = mc_mounts_memory(&m, NULL, &e);
	assert_ptr_equal(h, &m.h[0]);
	assert_int_equal(h->type, MC_V2);
	assert_string_equal(h->target, "/sys/fs/cgroup/unified");
	assert_false(m.h[1].memory);
	assert_false(m.h[2].memory);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

static const char comounted[] =
	"30 26 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	"31 26 0:27 / /sys/fs/cgroup/mem,blk rw - cgroup cgroup rw,blkio,memory,xattr\n"
	"32 26 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

static void comounted_memory_exact_token(void **state)
{
	const char *path = tmpfile_with(comounted);
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h = pick(&m, path, NULL, &e);

	(void)state;
	unlink(path);
	assert_non_null(h);
	assert_string_equal(h->target, "/sys/fs/cgroup/mem,blk");
	assert_false(m.h[0].memory);
	/* memory_recursiveprot is a cgroup2 option, not the controller */
	assert_false(m.h[2].memory);
	mc_mounts_free(&m);
}

static const char bind_space[] =
	"31 26 0:28 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"40 1 0:28 / /mnt/all\\040memory rw - cgroup cgroup rw,memory\n"
	"41 1 0:29 / /mnt/named rw - cgroup cgroup rw,name=systemd\n";

static void bind_mount_root_and_escaped_space(void **state)
{
	const char *path = tmpfile_with(bind_space);
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h = pick(&m, path, NULL, &e);

	(void)state;
	unlink(path);
	assert_string_equal(m.h[0].root, "/docker/abc");
	assert_string_equal(m.h[1].target, "/mnt/all memory");
	/* the mount of the whole hierarchy wins over the sub-tree */
	assert_ptr_equal(h, &m.h[1]);
	assert_false(m.h[2].memory);
	mc_mounts_free(&m);
}

static void mount_option_chooses(void **state)
{
	const char *path = tmpfile_with(bind_space);
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h = pick(&m, path, "/sys/fs/cgroup/memory", &e);

	(void)state;
	unlink(path);
	assert_ptr_equal(h, &m.h[0]);
	assert_null(mc_mounts_memory(&m, "/mnt/named", &e));
	assert_int_equal(e.code, EINVAL);
	assert_null(mc_mounts_memory(&m, "/nowhere", &e));
	assert_int_equal(e.code, ENOENT);
	mc_mounts_free(&m);
}

/* Write text to a new mountinfo file and parse it with sysroot. */
static void parse_text(struct mc_mounts *m, const char *text,
		       const char *sysroot)
{
	char path[64];
	struct mc_error e;

	snprintf(path, sizeof(path), "%s", tmpfile_with(text));
	assert_int_equal(mc_mounts_parse(m, path, sysroot, &e), 0);
	unlink(path);
}

/* Memory on cgroup2 at unified, the other controllers on v1: a hybrid
 * booted with cgroup_no_v1=memory (docs §9, where /proc/PID/cgroup reads
 * "2:pids:/ 1:cpu,cpuacct:/ 0::/A"). */
static const char hybrid_v2_memory[] =
	"26 23 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - "
	"tmpfs tmpfs rw,mode=755,inode64\n"
	"27 26 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime "
	"- cgroup2 cgroup2 rw,nsdelegate\n"
	"28 26 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,"
	"relatime - cgroup cgroup rw,cpu,cpuacct\n"
	"29 26 0:26 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime - "
	"cgroup cgroup rw,pids\n";

static void hybrid_memory_on_cgroup2(void **state)
{
	const char *root = v2_sysroot_at("/sys/fs/cgroup/unified",
					 "cpuset io memory hugetlb rdma misc");
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	parse_text(&m, hybrid_v2_memory, root);
	assert_int_equal(m.n, 3); /* the tmpfs is no cgroup mount */
	h = mc_mounts_memory(&m, NULL, &e);
	assert_non_null(h);
	assert_int_equal(h->type, MC_V2);
	assert_string_equal(h->target, "/sys/fs/cgroup/unified");
	assert_true(h->memory);
	/* the v1 mounts have other controllers */
	assert_false(m.h[1].memory);
	assert_false(m.h[2].memory);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

/* The same hybrid where unified lists no memory (docs §8: systemd's
 * unified has none): no memory hierarchy at all. */
static void hybrid_without_memory_anywhere(void **state)
{
	const char *root = v2_sysroot_at("/sys/fs/cgroup/unified", "");
	struct mc_mounts m;
	struct mc_error e;

	(void)state;
	parse_text(&m, hybrid_v2_memory, root);
	assert_false(m.h[0].memory);
	assert_null(mc_mounts_memory(&m, NULL, &e));
	assert_int_equal(e.code, ENOENT);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

/* A v1 memory mount and a cgroup2 mount that also lists memory (in either
 * order in mountinfo): the v1 mount, where charges can move. */
static const char v1_line[] =
	"27 26 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime "
	"- cgroup cgroup rw,memory\n";
static const char v2_line[] =
	"28 26 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime "
	"- cgroup2 cgroup2 rw,nsdelegate\n";

static void v1_memory_wins_over_cgroup2(void **state)
{
	const char *root = v2_sysroot_at("/sys/fs/cgroup/unified",
					 "cpu io memory pids");
	char text[512];
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	for (int first_v2 = 0; first_v2 <= 1; first_v2++) {
		snprintf(text, sizeof(text), "%s%s",
			 first_v2 ? v2_line : v1_line,
			 first_v2 ? v1_line : v2_line);
		parse_text(&m, text, root);
		assert_int_equal(m.n, 2);
		assert_true(m.h[0].memory && m.h[1].memory);
		h = mc_mounts_memory(&m, NULL, &e);
		assert_non_null(h);
		assert_int_equal(h->type, MC_V1);
		assert_string_equal(h->target, "/sys/fs/cgroup/memory");
		mc_mounts_free(&m);
	}
	rm_sysroot(root);
}

/* --mount naming the cgroup2 mount takes it, though v1 would win. */
static void mount_option_picks_cgroup2(void **state)
{
	const char *root = v2_sysroot_at("/sys/fs/cgroup/unified",
					 "cpu io memory pids");
	char text[512];
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", v1_line, v2_line);
	parse_text(&m, text, root);
	h = mc_mounts_memory(&m, "/sys/fs/cgroup/unified", &e);
	assert_non_null(h);
	assert_int_equal(h->type, MC_V2);
	assert_string_equal(h->target, "/sys/fs/cgroup/unified");
	/* and naming the v1 mount takes that one */
	h = mc_mounts_memory(&m, "/sys/fs/cgroup/memory", &e);
	assert_non_null(h);
	assert_int_equal(h->type, MC_V1);
	mc_mounts_free(&m);
	rm_sysroot(root);
}

static void ten_thousand_mounts(void **state)
{
	char path[] = "/tmp/memcg-unit-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct mc_mounts m;
	struct mc_error e;
	const struct mc_hier *h;

	(void)state;
	for (int i = 0; i < 10000; i++)
		fprintf(f, "%d 1 0:%d / /var/lib/containers/%d/merged rw - "
			"overlay overlay rw,lowerdir=/l%d,upperdir=/u%d\n",
			100 + i, 100 + i, i, i, i);
	fprintf(f, "27 26 0:24 / /sys/fs/cgroup/memory rw - cgroup cgroup "
		   "rw,memory\n");
	fclose(f);
	h = pick(&m, path, NULL, &e);
	assert_non_null(h);
	assert_int_equal(m.n, 1);
	assert_string_equal(h->target, "/sys/fs/cgroup/memory");
	mc_mounts_free(&m);
	unlink(path);
}

static void charge_capability_by_version(void **state)
{
	struct mc_hier v1 = { .type = MC_V1, .memory = true };
	struct mc_hier v2 = { .type = MC_V2, .memory = true };
	struct mc_kernel k61 = { "6.1.0-30-amd64", 6, 1 };
	struct mc_kernel k612 = { "6.12.1", 6, 12 };
	struct mc_kernel k613 = { "6.13.0", 6, 13 };
	struct mc_kernel k7 = { "7.0", 7, 0 };

	(void)state;
	assert_int_equal(mc_charge_cap(&v1, &k61), MC_CAP_YES);
	assert_int_equal(mc_charge_cap(&v1, &k612), MC_CAP_YES);
	assert_int_equal(mc_charge_cap(&v1, &k613), MC_CAP_NO_REMOVED);
	assert_int_equal(mc_charge_cap(&v1, &k7), MC_CAP_NO_REMOVED);
	assert_int_equal(mc_charge_cap(&v2, &k61), MC_CAP_NO_V2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v1_only),
		cmocka_unit_test(systemd_hybrid),
		cmocka_unit_test(v2_only_is_used),
		cmocka_unit_test(v2_without_memory_says_why),
		cmocka_unit_test(v2_memory_kernel_option),
		cmocka_unit_test(v2_memory_recursiveprot_is_not_memory),
		cmocka_unit_test(hybridmin_uses_v1),
		cmocka_unit_test(hybrid_memory_on_unified),
		cmocka_unit_test(comounted_memory_exact_token),
		cmocka_unit_test(bind_mount_root_and_escaped_space),
		cmocka_unit_test(mount_option_chooses),
		cmocka_unit_test(hybrid_memory_on_cgroup2),
		cmocka_unit_test(hybrid_without_memory_anywhere),
		cmocka_unit_test(v1_memory_wins_over_cgroup2),
		cmocka_unit_test(mount_option_picks_cgroup2),
		cmocka_unit_test(ten_thousand_mounts),
		cmocka_unit_test(charge_capability_by_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
