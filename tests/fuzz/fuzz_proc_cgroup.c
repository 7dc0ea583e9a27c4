/* libFuzzer target: the /proc/PID/cgroup parser, for both hierarchy
 * types. Cgroup names are chosen by whoever made the cgroup: colons,
 * spaces, " (deleted)". */
#include "fuzz.h"

#include "core/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum mc_hier_type types[] = {MC_V1, MC_V2};
	char *buf = fuzz_string(data, size);

	if (!buf)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		char *path = NULL;

		if (mc_proc_parse_cgroup(buf, types[i], &path) == 0) {
			/* a part of one line of the input */
			FUZZ_CHECK(path && strlen(path) < size);
			FUZZ_CHECK(!strchr(path, '\n'));
			free(path);
		}
	}
	free(buf);
	return 0;
}
