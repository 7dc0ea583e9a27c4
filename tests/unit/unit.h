/* Shared by the unit tests: cmocka includes and fixture helpers. */
#ifndef MEMCG_UNIT_H
#define MEMCG_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

/* Path of a committed fixture file. */
static inline const char *fixture(const char *name)
{
	static char path[4096];
	const char *dir = getenv("MEMCG_FIXTURES");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "fixtures", name);
	return path;
}

/* Write text to a new temporary file; returns its path (static buffer). */
static inline const char *tmpfile_with(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/memcg-unit-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#endif
