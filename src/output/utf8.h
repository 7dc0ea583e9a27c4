/* Text made valid UTF-8 for JSON documents: bytes outside well-formed
 * sequences as the text \xHH, as tables and messages write them. */
#ifndef MEMCG_OUTPUT_UTF8_H
#define MEMCG_OUTPUT_UTF8_H

#include <stdbool.h>

/* A copy of s that is valid UTF-8 (for free()), or NULL without memory. */
char *mc_json_text(const char *s);

#endif
