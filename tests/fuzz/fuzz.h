/* Shared by the libFuzzer targets: the entry point's prototype, a copy of
 * the input as a C string (its terminator just past the input, so reading
 * beyond it is an ASan report), and a check that aborts on a broken
 * invariant, which libFuzzer reports as a crash. */
#ifndef MEMCG_FUZZ_H
#define MEMCG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#define FUZZ_CHECK(cond)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#cond);                                    \
			abort();                                           \
		}                                                          \
	} while (0)

#endif
