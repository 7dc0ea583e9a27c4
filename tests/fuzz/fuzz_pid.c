/* libFuzzer target: PID operands (mc_parse_pid: strict decimal,
 * 1..INT_MAX) and the PID list of a cgroup.procs buffer (mc_next_pid). */
#include "fuzz.h"

#include <limits.h>

#include "core/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_string(data, size);
	size_t steps = 0;
	pid_t pid = 0;

	if (!buf)
		return 0;
	if (mc_parse_pid(buf, &pid) == 0) {
		FUZZ_CHECK(pid >= 1 && *buf);
		FUZZ_CHECK(strspn(buf, "0123456789") == strlen(buf));
	}
	/* every call consumes input: the walk ends */
	for (char *p = buf; p && *p; steps++) {
		char *next = mc_next_pid(p, &pid);

		FUZZ_CHECK(!next || next > p);
		FUZZ_CHECK(pid >= 0 && pid <= INT_MAX);
		FUZZ_CHECK(steps <= size);
		p = next;
	}
	free(buf);
	return 0;
}
