/* libFuzzer target: mountinfo, through the line filter and libmount
 * (mc_mounts_parse_stream), then the choice of the memory hierarchy. A
 * mount table holds what others mounted: paths with spaces and escapes,
 * any options. The sysroot is a directory that does not exist, so the
 * cgroup.controllers of a cgroup2 line is never found on this machine. */
#include "fuzz.h"

#include "core/mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_mounts m;
	struct mc_error e;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (mc_mounts_parse_stream(&m, f, "mountinfo", "/nonexistent-memcg",
				   &e) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			FUZZ_CHECK(m.h[i].target && m.h[i].root);
			FUZZ_CHECK(m.h[i].source && m.h[i].options);
		}
		mc_mounts_memory(&m, NULL, &e);
		if (m.n)
			mc_mounts_memory(&m, m.h[0].target, &e);
		mc_mounts_free(&m);
	}
	fclose(f);
	return 0;
}
