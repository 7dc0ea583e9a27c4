/* Text for JSON: a JSON string must be valid UTF-8, and names memcg prints
 * (cgroup directories, process names) are bytes anyone may choose. A byte
 * that does not belong to a well-formed UTF-8 sequence is written as the
 * text \xHH, the form tables and messages use; so is the backslash that
 * starts a literal "\x", so the two cannot be told apart wrongly. */
#include "output/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	/* the second byte's range rules out overlongs and surrogates */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static bool needs_escape(const unsigned char *s, size_t *len)
{
	*len = seq_len(s);
	return !*len || (s[0] == '\\' && s[1] == 'x');
}

char *mc_json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, n = 0;
	char *out, *w;

	for (; *p; p += len ? len : 1)
		n += needs_escape(p, &len) ? 4 : len;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	w = out;
	for (p = (const unsigned char *)s; *p; p += len ? len : 1) {
		if (needs_escape(p, &len)) {
			w += sprintf(w, "\\x%02x", *p);
			len = 1;
		} else {
			memcpy(w, p, len);
			w += len;
		}
	}
	*w = '\0';
	return out;
}
