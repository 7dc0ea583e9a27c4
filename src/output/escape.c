/* The \xHH encoding of libsmartcols (its mbs_safe_encode), for text that
 * does not go through a table: the same bytes print the same way in a cell
 * and in a message. */
#include "output/escape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

size_t mc_escape_size(size_t len)
{
	return len * 4 + 1;
}

static char *hex(char *dst, unsigned char c)
{
	static const char digits[] = "0123456789abcdef";

	*dst++ = '\\';
	*dst++ = 'x';
	*dst++ = digits[c >> 4];
	*dst++ = digits[c & 0xf];
	return dst;
}

char *mc_escape_to(char *dst, const char *s)
{
	mbstate_t st;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t len = mbrtowc(&wc, s, MB_CUR_MAX, &st);

		if (len == (size_t)-1 || len == (size_t)-2) {
			/* not a character here: the byte alone, as
			 * libsmartcols does, and a fresh start after it */
			memset(&st, 0, sizeof(st));
			len = 1;
			if (isprint((unsigned char)*s))
				*dst++ = *s;
			else
				dst = hex(dst, (unsigned char)*s);
		} else if ((*s == '\\' && s[1] == 'x') || !iswprint(wc)) {
			/* a literal \x would read as an escape; control
			 * characters are not printable */
			for (size_t i = 0; i < len; i++)
				dst = hex(dst, (unsigned char)s[i]);
		} else {
			memcpy(dst, s, len);
			dst += len;
		}
		s += len;
	}
	*dst = '\0';
	return dst;
}
