/* Text made safe for a terminal in the form libsmartcols gives table cells:
 * a control character, a byte that is not part of a printable character in
 * the current locale, and the backslash of a literal "\x" print as \xHH.
 * For the text memcg prints itself (messages) and for the cells of wrapping
 * columns, which reach libsmartcols already encoded. */
#ifndef MEMCG_OUTPUT_ESCAPE_H
#define MEMCG_OUTPUT_ESCAPE_H

#include <stddef.h>

/* The buffer mc_escape_to needs for len bytes of text, its NUL included. */
size_t mc_escape_size(size_t len);
/* Encode s into dst (mc_escape_size(strlen(s)) bytes); returns the end
 * of dst (its NUL). */
char *mc_escape_to(char *dst, const char *s);

#endif
