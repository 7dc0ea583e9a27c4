/* Size formatting: "812.4M" as util-linux prints sizes, or exact bytes. */
#ifndef MEMCG_SIZE_H
#define MEMCG_SIZE_H

#include <stddef.h>
#include <stdint.h>

#define MC_SIZE_BUFSZ 32

/* Base-1024 units, one decimal that is dropped when it is zero:
 * 0 -> "0B", 1023 -> "1023B", 1536 -> "1.5K", 67108864 -> "64M". */
char *mc_size_human(char *buf, size_t len, uint64_t bytes);

/* Same for signed values: -1572864 -> "-1.5M". */
char *mc_size_human_signed(char *buf, size_t len, int64_t bytes);

/* Decimal digits of v into buf (at least 21 bytes), NUL-terminated;
 * returns the length. snprintf costs more than the move it reports on the
 * per-process path. */
size_t mc_fmt_i64(char *buf, int64_t v);

#endif
