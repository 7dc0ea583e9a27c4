/* One error type for core/: the errno and a message written where the failure
 * happened. Core code never prints and never exits; commands print. */
#ifndef MEMCG_ERROR_H
#define MEMCG_ERROR_H

#include <stddef.h>

struct mc_error {
	int code;	/* errno value, 0 when no error */
	char msg[640];	/* "cannot open '/batch': ..." without the program name */
};

/* Record an error and return -1, so callers can write
 * "return mc_err(e, errno, "cannot open '%s'", path);". The errno text is
 * appended when errnum is non-zero. */
int mc_err(struct mc_error *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, without appending strerror(errnum). */
int mc_errx(struct mc_error *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing message with more context: "moving 42: <old msg>". */
int mc_err_wrap(struct mc_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void mc_err_clear(struct mc_error *e);

/* "ENOMEM", "EINVAL", ... for the errnos this tool reports; NULL if unknown. */
const char *mc_errno_name(int errnum);

#endif
