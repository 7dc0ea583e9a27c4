/* Readers of /proc/PID. A process can exit between any two reads: ENOENT and
 * ESRCH are reported as ESRCH, an ordinary outcome for callers. */
#include "core/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int mc_parse_pid(const char *s, pid_t *pid)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (v < 1)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

int mc_proc_parse_stat(const char *buf, struct mc_proc_stat *st)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	unsigned long long field[22];
	const char *p;
	size_t n;

	if (!open || !close || close < open || close[1] != ' ')
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = '\0';
	p = close + 2;
	/* a line cut after "comm) " has no state: never step past its end */
	if (!*p)
		return -1;
	st->state = *p++;
	/* fields 4.. after the state: ppid pgrp session tty_nr tpgid flags(9)
	 * ... num_threads(20) ... starttime(22) vsize(23) rss(24) */
	for (int i = 0; i < 21; i++) {
		char *end;

		if (*p != ' ')
			return -1;
		field[i] = strtoull(p + 1, &end, 10);
		if (end == p + 1) {
			/* tty_nr and others can be negative: skip the sign */
			field[i] = (unsigned long long)strtoll(p + 1, &end, 10);
			if (end == p + 1)
				return -1;
		}
		p = end;
	}
	st->flags = (unsigned)field[5];
	st->threads = (unsigned long)field[16];
	st->starttime = field[18];
	st->rss_pages = field[20];
	st->rss = st->rss_pages * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

char *mc_read_fd(int fd, const char *what, size_t *len, struct mc_error *e)
{
	size_t cap = 4096, used = 0;
	char *buf = NULL;

	for (;;) {
		char *nb = realloc(buf, cap + 1);
		ssize_t n;

		if (!nb) {
			free(buf);
			return mc_err(e, ENOMEM, "cannot allocate"), NULL;
		}
		buf = nb;
		/* read(), not pread(): a seq_file read at another offset than
		 * its own starts over, which for cgroup.procs rebuilds the
		 * PID list on every call (seq_read_iter) */
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			int err = errno;

			free(buf);
			return mc_err(e, err, "cannot read '%s'", what), NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used == cap)
			cap *= 2;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
}

char *mc_read_file_at(int dfd, const char *path, size_t *len,
		      struct mc_error *e)
{
	int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s'", path), NULL;
	buf = mc_read_fd(fd, path, len, e);
	close(fd);
	return buf;
}

static char *read_pid_file(const struct mc_mounts *m, pid_t pid,
			   const char *name, struct mc_error *e)
{
	char path[4200], rel[64];
	char *buf;

	snprintf(rel, sizeof(rel), "/proc/%d/%s", (int)pid, name);
	mc_sysroot_path(m, path, sizeof(path), rel);
	buf = mc_read_file_at(AT_FDCWD, path, NULL, e);
	if (!buf && (e->code == ENOENT || e->code == ESRCH))
		mc_errx(e, ESRCH, "process %d does not exist", (int)pid);
	return buf;
}

/* A small /proc/PID file in one read() into buf, on the per-process path
 * of a move: no allocation. A seq_file hands a reader as much of its one
 * record as fits, so a read that leaves room got all of it; a longer file
 * (status with thousands of CPUs) goes on into an allocation, *heap, which
 * the caller frees. Returns the text, or NULL with ESRCH when the process
 * is gone. */
static char *read_small(const struct mc_mounts *m, pid_t pid, const char *name,
			char *buf, size_t size, char **heap,
			struct mc_error *e)
{
	char path[4200], rel[64], *rest;
	ssize_t n;
	int fd;

	*heap = NULL;
	snprintf(rel, sizeof(rel), "/proc/%d/%s", (int)pid, name);
	fd = open(mc_sysroot_path(m, path, sizeof(path), rel),
		  O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (n < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		if (err == ESRCH || (fd < 0 && err == ENOENT))
			mc_errx(e, ESRCH, fd < 0 ? "process %d does not exist"
						 : "process %d exited",
				(int)pid);
		else
			mc_err(e, err, "cannot %s '%s'",
			       fd < 0 ? "open" : "read", path);
		return NULL;
	}
	buf[n] = '\0';
	if ((size_t)n < size - 1) {
		close(fd);
		return buf;
	}
	rest = mc_read_fd(fd, path, NULL, e);
	close(fd);
	if (rest && asprintf(heap, "%s%s", buf, rest) < 0) {
		*heap = NULL;
		mc_err(e, ENOMEM, "cannot allocate");
	}
	free(rest);
	return *heap;
}

int mc_proc_read_stat(const struct mc_mounts *m, pid_t pid,
		      struct mc_proc_stat *st, struct mc_error *e)
{
	char buf[1024], *heap, *text;
	int rc;

	text = read_small(m, pid, "stat", buf, sizeof(buf), &heap, e);
	if (!text)
		return -1;
	rc = mc_proc_parse_stat(text, st);
	free(heap);
	if (rc < 0)
		return mc_errx(e, EINVAL, "cannot parse /proc/%d/stat",
			       (int)pid);
	return 0;
}

/* The value of a "Key:\tvalue" line of a status buffer, or NULL. */
static const char *status_field(const char *buf, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = buf; *p;) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, key, n) && p[n] == ':')
			return p + n + 1;
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

int mc_proc_parse_ids(const char *buf, struct mc_proc_ids *ids)
{
	const char *tgid = status_field(buf, "Tgid");
	const char *ns = status_field(buf, "NSpid");
	char *end;
	long v;

	if (!tgid)
		return -1;
	v = strtol(tgid, &end, 10);
	if (end == tgid || v < 1 || v > INT_MAX)
		return -1;
	ids->tgid = (pid_t)v;
	ids->nslevels = 1;
	ids->nspid = ids->tgid;
	if (!ns)
		return 0;
	/* the pid of each level, tab-separated, up to the end of the line */
	ids->nslevels = 0;
	for (;;) {
		while (*ns == '\t' || *ns == ' ')
			ns++;
		if (*ns < '0' || *ns > '9')
			break;
		v = strtol(ns, &end, 10);
		ids->nslevels++;
		ids->nspid = (pid_t)v;
		ns = end;
	}
	if (!ids->nslevels)
		return -1;
	return 0;
}

/* The Name: value up to its line's end, undoing the two escapes status
 * makes ('\n' and '\\' for a newline and a backslash, the rest as is):
 * then it is the comm of /proc/PID/stat. */
static void status_name(const char *v, char *comm, size_t len)
{
	size_t n = 0;

	if (*v == '\t')
		v++;
	for (; *v && *v != '\n' && n + 1 < len; v++) {
		if (v[0] == '\\' && (v[1] == 'n' || v[1] == '\\'))
			comm[n++] = *++v == 'n' ? '\n' : '\\';
		else
			comm[n++] = *v;
	}
	comm[n] = '\0';
}

int mc_proc_parse_status(const char *buf, struct mc_proc_status *st)
{
	const char *name = status_field(buf, "Name");
	const char *rss = status_field(buf, "VmRSS");
	const char *state, *threads, *kthread;

	if (!name || mc_proc_parse_ids(buf, &st->ids) < 0)
		return -1;
	status_name(name, st->comm, sizeof(st->comm));
	/* no VmRSS: line without an mm (a zombie leader): stat says 0 */
	st->rss = rss ? strtoull(rss, NULL, 10) * 1024 : 0;
	state = status_field(buf, "State");
	st->state = state ? state[strspn(state, "\t ")] : '?';
	threads = status_field(buf, "Threads");
	st->threads = threads ? strtoul(threads, NULL, 10) : 0;
	kthread = status_field(buf, "Kthread");
	st->kthread = kthread ? strtol(kthread, NULL, 10) != 0 : -1;
	return 0;
}

int mc_proc_read_ids(const struct mc_mounts *m, pid_t pid,
		     struct mc_proc_ids *ids, struct mc_error *e)
{
	struct mc_proc_status st;

	/* the same read and parse as a move's columns: one path for status */
	if (mc_proc_read_status(m, pid, &st, e) < 0)
		return -1;
	*ids = st.ids;
	return 0;
}

int mc_proc_read_status(const struct mc_mounts *m, pid_t pid,
			struct mc_proc_status *st, struct mc_error *e)
{
	char buf[4096], *heap, *text;
	int rc;

	text = read_small(m, pid, "status", buf, sizeof(buf), &heap, e);
	if (!text)
		return -1;
	rc = mc_proc_parse_status(text, st);
	free(heap);
	if (rc < 0)
		return mc_errx(e, EINVAL, "cannot parse /proc/%d/status",
			       (int)pid);
	return 0;
}

int mc_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

bool mc_pidfd_alive(int pidfd)
{
	/* signal 0: the checks of a kill, no signal sent; ESRCH once the
	 * process is reaped and its PID free for another. EPERM (no right
	 * to signal it: another user's process, no CAP_KILL; a security
	 * module) comes only for a process that is there, and moving it
	 * needs no such right; any other refusal says nothing of it, and the
	 * write's answer decides. */
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 ||
	       errno != ESRCH;
}

long mc_fds_free(void)
{
	struct rlimit rl;
	struct dirent *d;
	long open = 0;
	DIR *dir;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (!(dir = opendir("/proc/self/fd")))
		return 0;
	while ((d = readdir(dir)))
		open += d->d_name[0] != '.';
	closedir(dir);
	/* the directory's own descriptor is not open any more */
	open--;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX)
		return LONG_MAX - open;
	return (long)rl.rlim_cur > open ? (long)rl.rlim_cur - open : 0;
}

char *mc_next_pid(char *p, pid_t *pid)
{
	char *end;
	long v = strtol(p, &end, 10);

	if (end == p)
		return NULL;
	*pid = v > 0 && v <= INT_MAX ? (pid_t)v : 0;
	return end + strspn(end, "\n");
}

static bool has_memory_token(const char *ctrl, size_t len)
{
	while (len) {
		size_t n = 0;

		while (n < len && ctrl[n] != ',')
			n++;
		if (n == 6 && !strncmp(ctrl, "memory", 6))
			return true;
		ctrl += n;
		len -= n;
		if (len) {
			ctrl++;
			len--;
		}
	}
	return false;
}

int mc_proc_parse_cgroup(const char *buf, enum mc_hier_type type, char **path)
{
	const char *line = buf;

	while (*line) {
		const char *eol = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', (size_t)(eol - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1))
				    : NULL;

		if (c2) {
			bool match = type == MC_V2
				? (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1)
				: has_memory_token(c1 + 1, (size_t)(c2 - c1 - 1));

			if (match) {
				*path = strndup(c2 + 1, (size_t)(eol - c2 - 1));
				return *path ? 0 : -1;
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	errno = ENOENT;
	return -1;
}

/* A thread of pid other than its leader, as "task/TID/cgroup", or false.
 * A leader that has exited while other threads live reads as the root in
 * /proc/PID/cgroup (the kernel gives an exiting task the root css_set): the
 * process is where its live threads are. */
static bool live_thread_file(const struct mc_mounts *m, pid_t pid, char *rel,
			     size_t len)
{
	struct mc_proc_stat st;
	struct mc_error ignored;
	char dir[4200], sub[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (mc_proc_read_stat(m, pid, &st, &ignored) < 0 || st.state != 'Z' ||
	    st.threads <= 1)
		return false;
	snprintf(sub, sizeof(sub), "/proc/%d/task", (int)pid);
	d = opendir(mc_sysroot_path(m, dir, sizeof(dir), sub));
	while (d && !found && (de = readdir(d))) {
		pid_t tid;

		if (mc_parse_pid(de->d_name, &tid) == 0 && tid != pid) {
			snprintf(rel, len, "task/%d/cgroup", (int)tid);
			found = true;
		}
	}
	if (d)
		closedir(d);
	return found;
}

int mc_proc_read_cgroup(const struct mc_mounts *m, pid_t pid,
			enum mc_hier_type type, char **path,
			struct mc_error *e)
{
	char *buf = read_pid_file(m, pid, "cgroup", e), task[64];
	int rc;

	if (!buf)
		return -1;
	rc = mc_proc_parse_cgroup(buf, type, path);
	free(buf);
	if (rc == 0 && !strcmp(*path, "/") &&
	    live_thread_file(m, pid, task, sizeof(task)) &&
	    (buf = read_pid_file(m, pid, task, e))) {
		free(*path);
		rc = mc_proc_parse_cgroup(buf, type, path);
		free(buf);
	}
	if (rc < 0)
		return mc_errx(e, ENOENT,
			       "process %d is in no memory cgroup (no memory "
			       "line in /proc/%d/cgroup)",
			       (int)pid, (int)pid);
	return 0;
}
