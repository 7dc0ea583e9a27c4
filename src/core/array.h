/* Growing arrays: room for one more element, the capacity doubled when it
 * is reached. One helper for every list the core builds (records, PIDs,
 * cgroups, ranges), so none of them writes the realloc dance again. */
#ifndef MEMCG_ARRAY_H
#define MEMCG_ARRAY_H

#include <errno.h>
#include <stdlib.h>

#include "core/error.h"

/* *arr has *cap elements and n in use: make room for element n, growing
 * to first elements, then doubling. 0, or -1 with e ENOMEM (*arr kept). */
static inline int mc_array_room(void **arr, size_t n, size_t *cap,
				size_t elem, size_t first, struct mc_error *e)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : first;
	nv = realloc(*arr, ncap * elem);
	if (!nv)
		return mc_err(e, ENOMEM, "cannot allocate");
	*arr = nv;
	*cap = ncap;
	return 0;
}

/* The same for an array variable of any element type. */
#define MC_ARRAY_ROOM(arr, n, cap, first, e)                                  \
	mc_array_room((void **)&(arr), (n), &(cap), sizeof(*(arr)), (first), \
		      (e))

#endif
