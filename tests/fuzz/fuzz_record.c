/* libFuzzer target: the knob's state record parser. Root restores what a
 * record says, so it must take exactly what memcg writes: a record it
 * accepts is one it could have written, and reads back the same. */
#include "fuzz.h"

#include "core/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_record r, again;
	struct mc_error e;
	char text[MC_RECORD_MAX + 64];
	int n;

	if (mc_record_parse((const char *)data, size, &r, &e) < 0)
		return 0;
	FUZZ_CHECK(r.old >= 0 && r.old <= 3);
	FUZZ_CHECK(r.dir[0] == '/' && strlen(r.dir) < sizeof(r.dir));
	FUZZ_CHECK(!strchr(r.dir, '\n'));
	/* as record.c writes it */
	n = snprintf(text, sizeof(text), "dir=%s\ndev=%llu\nino=%llu\nold=%d\n",
		     r.dir, r.dev, r.ino, r.old);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(text));
	FUZZ_CHECK(mc_record_parse(text, (size_t)n, &again, &e) == 0);
	FUZZ_CHECK(!strcmp(r.dir, again.dir) && r.dev == again.dev &&
		   r.ino == again.ino && r.old == again.old);
	return 0;
}
