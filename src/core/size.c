/* Size formatting shared by messages and tables. */
#include "core/size.h"

#include <stdio.h>

char *mc_size_human(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	unsigned exp = 0;
	unsigned __int128 tenths;

	while (exp < 6 && bytes >= (1ULL << (10 * (exp + 1))))
		exp++;
	if (exp == 0) {
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
		return buf;
	}
	/* round to the nearest tenth of the unit; 1023.96K becomes 1M */
	tenths = ((unsigned __int128)bytes * 10 + (1ULL << (10 * exp)) / 2) >>
		 (10 * exp);
	if (tenths >= 10240 && exp < 6) {
		exp++;
		tenths = ((unsigned __int128)bytes * 10 +
			  (1ULL << (10 * exp)) / 2) >> (10 * exp);
	}
	if (tenths % 10)
		snprintf(buf, len, "%llu.%llu%c",
			 (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10), units[exp]);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)(tenths / 10),
			 units[exp]);
	return buf;
}

char *mc_size_human_signed(char *buf, size_t len, int64_t bytes)
{
	uint64_t mag;

	if (bytes >= 0)
		return mc_size_human(buf, len, (uint64_t)bytes);
	mag = (uint64_t)(-(bytes + 1)) + 1; /* INT64_MIN safe */
	if (len < 2)
		return buf;
	buf[0] = '-';
	mc_size_human(buf + 1, len - 1, mag);
	return buf;
}

size_t mc_fmt_i64(char *buf, int64_t v)
{
	char tmp[21];
	uint64_t mag = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}
