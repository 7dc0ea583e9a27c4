/* libFuzzer target: cgroup names in their three forms (hierarchy path,
 * filesystem path under the mount point, "memory:/path"), resolved against
 * a fixed set of mounts. The first byte picks the hierarchy; the rest is
 * the name. Whatever is accepted must stay inside the hierarchy: a
 * normalised absolute path and a relative one without "..". */
#include "fuzz.h"

#include "core/cgroup.h"

static struct mc_hier hier[] = {
    {.type = MC_V1,
     .target = "/sys/fs/cgroup/memory",
     .root = "/",
     .memory = true},
    {.type = MC_V1,
     .target = "/mnt/job",
     .root = "/batch/job1",
     .memory = true},
    {.type = MC_V1, .target = "/sys/fs/cgroup/cpu,cpuacct", .root = "/"},
    {.type = MC_V2,
     .target = "/sys/fs/cgroup/unified",
     .root = "/",
     .memory = true},
    {.type = MC_V2, .target = "/", .root = "/..", .memory = true},
};
static const struct mc_mounts mounts = {.h = hier, .n = 5};

static bool has_dotdot(const char *p)
{
	for (const char *c = p; (c = strstr(c, "..")); c += 2)
		if ((c == p || c[-1] == '/') && (c[2] == '/' || !c[2]))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mc_hier *h;
	char *name, *hpath = NULL, *rel = NULL;
	struct mc_error e;

	if (size < 1)
		return 0;
	h = &hier[data[0] % mounts.n];
	name = fuzz_string(data + 1, size - 1);
	if (!name)
		return 0;
	if (mc_cgroup_parse_name(&mounts, h, name, &hpath, &rel, &e) == 0) {
		FUZZ_CHECK(hpath[0] == '/' && !strstr(hpath, "//"));
		FUZZ_CHECK(rel[0] && rel[0] != '/' && !has_dotdot(rel));
		FUZZ_CHECK(mc_path_is_ancestor(h->root, hpath) ||
			   has_dotdot(h->root));
		free(hpath);
		free(rel);
	}
	free(name);
	return 0;
}
