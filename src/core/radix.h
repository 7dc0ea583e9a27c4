/* Sorting page runs by frame number (the model's kpagecgroup.c and the
 * engine's recharge_frames.c): least significant digit first, 8 bits a
 * pass, passes over digits that every key shares skipped. A macro, so that
 * each caller keeps its own element type and the copies stay typed. */
#ifndef MEMCG_RADIX_H
#define MEMCG_RADIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* static TYPE *NAME(TYPE *a, TYPE *tmp, size_t n): sort a[0..n) by its
 * uint64_t member pfn, with tmp (n elements) to spare; returns the buffer
 * holding the result (a or tmp). */
#define MC_RADIX_BY_PFN(NAME, TYPE)                                           \
	static TYPE *NAME(TYPE *a, TYPE *tmp, size_t n)                       \
	{                                                                     \
		uint64_t all = 0;                                             \
		bool sorted = true;                                           \
                                                                              \
		for (size_t i = 0; i < n; i++) {                              \
			all |= a[i].pfn;                                      \
			sorted &= i == 0 || a[i - 1].pfn <= a[i].pfn;         \
		}                                                             \
		for (unsigned shift = 0; !sorted && shift < 64 &&             \
					 (all >> shift);                      \
		     shift += 8) {                                            \
			size_t count[256] = { 0 }, pos = 0;                   \
			TYPE *t;                                              \
                                                                              \
			for (size_t i = 0; i < n; i++)                        \
				count[(a[i].pfn >> shift) & 0xff]++;          \
			if (count[(a[0].pfn >> shift) & 0xff] == n)           \
				continue;                                     \
			for (size_t d = 0; d < 256; d++) {                    \
				size_t c = count[d];                          \
                                                                              \
				count[d] = pos;                               \
				pos += c;                                     \
			}                                                     \
			for (size_t i = 0; i < n; i++)                        \
				tmp[count[(a[i].pfn >> shift) & 0xff]++] =    \
				    a[i];                                     \
			t = a;                                                \
			a = tmp;                                              \
			tmp = t;                                              \
		}                                                             \
		return a;                                                     \
	}

#endif
