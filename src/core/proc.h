/* /proc/PID readers. Parsers take buffers so tests feed them strings. */
#ifndef MEMCG_PROC_H
#define MEMCG_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/mounts.h"

struct mc_proc_stat {
	char comm[64];
	char state;
	unsigned flags;
	unsigned long long starttime;	/* clock ticks after boot */
	unsigned long threads;
	uint64_t rss_pages;
	uint64_t rss;			/* bytes */
};

#define MC_PF_KTHREAD 0x00200000u	/* include/linux/sched.h */

/* Strict decimal PID, 1..INT_MAX: "12abc", "-1", "0", "" are refused. */
int mc_parse_pid(const char *s, pid_t *pid);

/* /proc/PID/stat: comm may hold spaces and ')' so the fields after it are
 * found from the last ')'. */
int mc_proc_parse_stat(const char *buf, struct mc_proc_stat *st);
/* ESRCH in e->code when the process is gone. */
int mc_proc_read_stat(const struct mc_mounts *m, pid_t pid,
		      struct mc_proc_stat *st, struct mc_error *e);

/* What /proc/PID/status says of a task's identity: the thread group (the
 * process) it belongs to, and its PID in each PID namespace, outermost
 * first (NSpid:). A TID given as a PID names its process by tgid. */
struct mc_proc_ids {
	pid_t tgid;
	int nslevels;		/* NSpid fields: 1 outside any child ns */
	pid_t nspid;		/* the last NSpid field: its PID innermost */
};

/* Parse a status buffer; -1 when it has no Tgid: line. A missing NSpid:
 * line (kernels before 4.1) reads as one level, the PID itself. */
int mc_proc_parse_ids(const char *buf, struct mc_proc_ids *ids);
/* ESRCH in e->code when the task is gone. */
int mc_proc_read_ids(const struct mc_mounts *m, pid_t pid,
		     struct mc_proc_ids *ids, struct mc_error *e);

/* What one read of /proc/PID/status gives a move's columns: the command
 * name (as stat's comm: status's escapes of newline and backslash undone),
 * the resident set (VmRSS, as stat's rss) and the identity; and what a
 * PID's check needs: state, threads, and whether it is a kernel thread
 * (the Kthread: line of 6.4 and later; before, stat's flags say). A
 * process whose start time is not needed costs this one read, not two. */
struct mc_proc_status {
	char comm[64];
	uint64_t rss;			/* bytes; 0 without an mm */
	struct mc_proc_ids ids;
	char state;			/* as stat's; '?' without a State: */
	unsigned long threads;		/* 0 without a Threads: line */
	int kthread;			/* 1, 0, or -1: no Kthread: line */
};

/* -1 without a Name: or Tgid: line. */
int mc_proc_parse_status(const char *buf, struct mc_proc_status *st);
/* ESRCH in e->code when the process is gone. */
int mc_proc_read_status(const struct mc_mounts *m, pid_t pid,
			struct mc_proc_status *st, struct mc_error *e);

/* A pidfd of process pid (pidfd_open, Linux 5.3+; close-on-exec), or -1
 * with errno set (ENOSYS before 5.3, EINVAL for a TID, EMFILE). */
int mc_pidfd_open(pid_t pid);
/* Whether the process a pidfd pins is still there: while it lives (or is
 * a zombie nobody reaped), its PID names it and no other process. */
bool mc_pidfd_alive(int pidfd);

/* Descriptors this process may still open under RLIMIT_NOFILE (counted in
 * /proc/self/fd); 0 when that cannot be known. */
long mc_fds_free(void);
/* What a run keeps free for its own files (records, locks, control
 * files) when it holds descriptors of its own choosing (pidfds). */
#define MC_FDS_RESERVE 256

/* The memory cgroup path in a /proc/PID/cgroup buffer: the v1 line whose
 * controller list has the exact token "memory", or the "0::" line for v2.
 * Names may hold spaces and colons: the path is everything after the second
 * colon. A " (deleted)" suffix is kept. */
int mc_proc_parse_cgroup(const char *buf, enum mc_hier_type type,
			 char **path);
int mc_proc_read_cgroup(const struct mc_mounts *m, pid_t pid,
			enum mc_hier_type type, char **path,
			struct mc_error *e);

/* The next PID of a cgroup.procs buffer (one decimal PID a line) into
 * *pid, 0 if out of range; returns where the next one starts, or NULL at
 * the end. */
char *mc_next_pid(char *p, pid_t *pid);

/* Read a whole file from a descriptor (from its current offset). */
char *mc_read_fd(int fd, const char *what, size_t *len, struct mc_error *e);
/* Read a whole small file (of /proc or a cgroup) into a new buffer. */
char *mc_read_file_at(int dfd, const char *path, size_t *len,
		      struct mc_error *e);

#endif
