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

/* Write text to a new temporary file; returns its path (static buffer).
 * The file is removed when the test program exits. */
/* The files tmpfile_with made, removed when the test program exits. */
static char unit_tmp_files[64][32];
static int unit_ntmp;

static inline void unit_remove_tmp_files(void)
{
	for (int i = 0; i < unit_ntmp; i++)
		unlink(unit_tmp_files[i]);
}

static inline const char *tmpfile_with(const char *text)
{
	static char path[32];
	int fd;

	strcpy(path, "/tmp/memcg-unit-XXXXXX");
	fd = mkstemp(path);
	if (fd >= 0 && unit_ntmp < 64) {
		if (!unit_ntmp)
			atexit(unit_remove_tmp_files);
		strcpy(unit_tmp_files[unit_ntmp++], path);
	}
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#endif
