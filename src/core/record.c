/* The knob's records on disk: the checked run directory, one record's text,
 * and its atomic write and bounded read through the directory's
 * descriptor. */
#include "core/record.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *mc_rundir(void)
{
	const char *d = getenv("MEMCG_RUNDIR");

	return d && *d ? d : "/run/memcg";
}

/* Who may own the run directory, and how it may be open to others. */
static int check_rundir(int fd, const char *path, struct mc_error *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return mc_err(e, errno, "cannot stat '%s'", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return mc_errx(e, EPERM,
			       "refusing the run directory '%s': it is owned "
			       "by user %u, neither root nor you",
			       path, (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return mc_errx(e, EPERM,
			       "refusing the run directory '%s': it is "
			       "writable by its group or others (mode %04o)",
			       path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int mc_rundir_open(bool create, struct mc_error *e)
{
	const char *path = mc_rundir();
	int fd;

	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return mc_err(e, errno, "cannot create '%s'", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* O_NOFOLLOW with O_DIRECTORY: ENOTDIR for a link to a directory */
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		struct stat st;
		bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);

		return mc_errx(e, link ? ELOOP : ENOTDIR,
			       "refusing the run directory '%s': it is %s",
			       path,
			       link ? "a symbolic link" : "not a directory");
	}
	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s'", path);
	if (check_rundir(fd, path, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void mc_record_name(char *buf, size_t len, unsigned long long dev,
		    unsigned long long ino)
{
	snprintf(buf, len, "knob-%llu-%llu", dev, ino);
}

bool mc_record_is_name(const char *name, bool *tmp)
{
	size_t n = strlen(name);

	if (strncmp(name, "knob-", 5))
		return false;
	*tmp = n > 4 && !strcmp(name + n - 4, ".tmp");
	return true;
}

/* A decimal number of at most 20 digits that fits: no sign, no blank. */
static int parse_ull(const char *s, size_t n, unsigned long long *v)
{
	unsigned long long x = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || x > (ULLONG_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* One "key=value" line, value of n bytes; bit is the key's bit in got. */
static int parse_field(const char *key, size_t klen, const char *v, size_t n,
		       struct mc_record *r, unsigned *bit)
{
	if (klen == 3 && !memcmp(key, "dir", 3)) {
		*bit = 1;
		if (n == 0 || n >= sizeof(r->dir) || v[0] != '/')
			return -1;
		memcpy(r->dir, v, n);
		r->dir[n] = '\0';
	} else if (klen == 3 && !memcmp(key, "dev", 3)) {
		*bit = 2;
		return parse_ull(v, n, &r->dev);
	} else if (klen == 3 && !memcmp(key, "ino", 3)) {
		*bit = 4;
		return parse_ull(v, n, &r->ino);
	} else if (klen == 3 && !memcmp(key, "old", 3)) {
		/* the knob's values (DESIGN, Vocabulary), one digit */
		*bit = 8;
		if (n != 1 || v[0] < '0' || v[0] > '3')
			return -1;
		r->old = v[0] - '0';
	} else {
		*bit = 0;
		return -1;
	}
	return 0;
}

int mc_record_parse(const char *buf, size_t len, struct mc_record *r,
		    struct mc_error *e)
{
	const char *p = buf, *end = buf + len;
	unsigned got = 0;

	memset(r, 0, sizeof(*r));
	if (memchr(buf, '\0', len))
		return mc_errx(e, EBADMSG, "it holds a NUL byte");
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *eq = eol ? memchr(p, '=', (size_t)(eol - p)) : NULL;
		unsigned bit = 0;

		if (!eol)
			return mc_errx(e, EBADMSG,
				       "its last line is cut short");
		if (!eq)
			return mc_errx(e, EBADMSG, "a line is not KEY=VALUE");
		if (parse_field(p, (size_t)(eq - p), eq + 1,
				(size_t)(eol - eq - 1), r, &bit) < 0)
			return bit ? mc_errx(e, EBADMSG,
					     "its %.3s= value is not valid%s",
					     p, bit == 8 ? " (0 to 3)" : "")
				   : mc_errx(e, EBADMSG,
					     "it has an unknown key");
		if (got & bit)
			return mc_errx(e, EBADMSG, "%.3s= appears twice", p);
		got |= bit;
		p = eol + 1;
	}
	if (got != 15)
		return mc_errx(e, EBADMSG, "it lacks %s=",
			       !(got & 1)   ? "dir"
			       : !(got & 2) ? "dev"
			       : !(got & 4) ? "ino"
					    : "old");
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The record's text in tmp, on disk: 0 or an errno. */
static int write_tmp(int rfd, const char *tmp, const struct mc_record *r)
{
	char text[MC_RECORD_MAX];
	int len =
	    snprintf(text, sizeof(text), "dir=%s\ndev=%llu\nino=%llu\nold=%d\n",
		     r->dir, r->dev, r->ino, r->old);
	int fd, err = 0;

	/* only a run holding the cgroup's lock writes its record: one left
	 * under this name is from a run that died, or was planted */
	if (unlinkat(rfd, tmp, 0) < 0 && errno != ENOENT)
		return errno;
	fd = openat(rfd, tmp,
		    O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	/* The record must be written before the knob changes. It answers a
	 * killed run, not a machine crash: the page cache outlives a killed
	 * process, and no cgroup outlives a reboot, so no fsync (it cost up
	 * to milliseconds a run on a disk-backed run directory). */
	if (len < 0 || (size_t)len >= sizeof(text))
		err = ENAMETOOLONG;
	else if (write_all(fd, text, (size_t)len) < 0)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

int mc_record_write(int rfd, const char *name, const struct mc_record *r,
		    struct mc_error *e)
{
	char tmp[128];
	int err;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if (flock(rfd, LOCK_SH) < 0)
		return mc_err(e, errno, "cannot lock '%s'", mc_rundir());
	err = write_tmp(rfd, tmp, r);
	if (!err && renameat(rfd, tmp, rfd, name) < 0)
		err = errno;
	if (err)
		unlinkat(rfd, tmp, 0);
	flock(rfd, LOCK_UN);
	if (err)
		return mc_err(e, err, "cannot write the record '%s/%s'",
			      mc_rundir(), name);
	return 0;
}

/* Up to MC_RECORD_MAX + 1 bytes of fd: one more than a record can have
 * tells a file that is too large. */
static ssize_t read_bounded(int fd, char *buf)
{
	size_t used = 0;

	while (used <= MC_RECORD_MAX) {
		ssize_t n = read(fd, buf + used, MC_RECORD_MAX + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	return (ssize_t)used;
}

/* Open name in rfd if it is a regular file: lstat first, so that a device
 * node is never opened, then fstat of what was opened, in case it changed
 * in between. */
static int open_regular(int rfd, const char *name, struct mc_error *e)
{
	const char *dir = mc_rundir();
	struct stat st;
	int fd;

	if (fstatat(rfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return mc_err(e, errno, "cannot read '%s/%s'", dir, name);
	if (S_ISREG(st.st_mode)) {
		fd = openat(rfd, name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
				O_CLOEXEC);
		if (fd < 0)
			return mc_err(e, errno, "cannot read '%s/%s'", dir,
				      name);
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			return fd;
		close(fd);
	}
	return mc_errx(e, EBADMSG,
		       "'%s/%s' is not a regular file%s: "
		       "skipped",
		       dir, name,
		       S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
}

int mc_record_read(int rfd, const char *name, struct mc_record *r,
		   struct mc_error *e)
{
	char *buf = malloc(MC_RECORD_MAX + 1);
	int fd = buf ? open_regular(rfd, name, e) : -1, rc = -1;
	ssize_t n;

	if (!buf)
		return mc_err(e, ENOMEM, "cannot allocate");
	if (fd < 0)
		goto out;
	n = read_bounded(fd, buf);
	close(fd);
	if (n < 0)
		mc_err(e, errno, "cannot read '%s/%s'", mc_rundir(), name);
	else if (n > MC_RECORD_MAX)
		mc_errx(e, EFBIG, "'%s/%s' is larger than any record: skipped",
			mc_rundir(), name);
	else if (mc_record_parse(buf, (size_t)n, r, e) < 0)
		mc_err_wrap(e, "'%s/%s' is not a valid record", mc_rundir(),
			    name);
	else
		rc = 0;
out:
	free(buf);
	return rc;
}
