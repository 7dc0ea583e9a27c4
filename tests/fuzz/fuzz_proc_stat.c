/* libFuzzer target: the /proc/PID/stat parser. The kernel writes the file,
 * but comm is whatever the process named itself: spaces, parentheses,
 * newlines. */
#include "fuzz.h"

#include "core/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_string(data, size);
	struct mc_proc_stat st;

	if (!buf)
		return 0;
	if (mc_proc_parse_stat(buf, &st) == 0)
		FUZZ_CHECK(strlen(st.comm) < sizeof(st.comm));
	free(buf);
	return 0;
}
