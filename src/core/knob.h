/* memory.move_charge_at_immigrate: read, set with a crash-safe record of the
 * old value, restore, and repair what a killed run left behind. */
#ifndef MEMCG_KNOB_H
#define MEMCG_KNOB_H

#include <stdbool.h>

#include "core/cgroup.h"
#include "core/error.h"
#include "core/record.h"

#define MC_KNOB "memory.move_charge_at_immigrate"

/* Control-file backend. The real one writes the kernel's files; unit tests
 * inject one that records writes and fails on demand. */
struct mc_ctl_ops {
	int (*knob_read)(const struct mc_cgroup *cg, int *val,
			 struct mc_error *e);
	int (*knob_write)(const struct mc_cgroup *cg, int val,
			  struct mc_error *e);
	/* write(2) of a PID to a cgroup.procs descriptor: 0 or an errno */
	int (*attach)(int procs_fd, pid_t pid);
	/* Whether the kernel would refuse val without trying, asked only when
	 * no record can be kept (a record is needed only for a write that
	 * can succeed). NULL: never assumed. */
	bool (*refuses)(int val);
};

extern const struct mc_ctl_ops mc_real_ops;

/* The knob's values (DESIGN, Vocabulary), and keep: leave it as it is. */
enum mc_charge_mode {
	MC_CHARGE_KEEP = -1,
	MC_CHARGE_NONE = 0,
	MC_CHARGE_ANON = 1,	/* value 1: anonymous pages and swap */
	MC_CHARGE_FILE = 2,	/* value 2: file and shmem pages */
	MC_CHARGE_ALL = 3,
};

/* Knob value <-> mode name: none 0, anon 1, file 2, all 3, and "keep"
 * when allow_keep. -2 if unknown. */
int mc_mode_parse(const char *s, bool allow_keep);
const char *mc_mode_name(int v);

/* Read and write the knob of a cgroup (the kernel's file). Only 0 to 3
 * are written (ERANGE otherwise). */
int mc_knob_read(const struct mc_cgroup *cg, int *val, struct mc_error *e);
int mc_knob_write(const struct mc_cgroup *cg, int val, struct mc_error *e);
/* This kernel takes only 0 (6.13 and later): true for any other val. */
bool mc_knob_refuses(int val);

struct mc_knob_guard {
	const struct mc_cgroup *cg;
	int old;
	bool written;		/* we changed it: restore needed */
	char state[4200];	/* state file path while written */
};

/* Read the old value, record it (record.h), write val. The run directory
 * is needed only here, when the knob is about to change: a value already
 * in place is left alone without a record. On the kernel's refusal
 * (EINVAL) e->code is EINVAL and nothing is left changed; when no record
 * can be kept and ops->refuses says the kernel would refuse val, that is
 * the answer without a write. The caller holds the flock on cg. */
int mc_knob_set(struct mc_knob_guard *g, const struct mc_cgroup *cg, int val,
		const struct mc_ctl_ops *ops, struct mc_error *e);
/* Write the old value back (if it was changed) and drop the record. */
int mc_knob_restore(struct mc_knob_guard *g, const struct mc_ctl_ops *ops,
		    struct mc_error *e);
/* Drop the record without a restore (--keep-setting). */
int mc_knob_forget(struct mc_knob_guard *g, struct mc_error *e);

/* Restore every knob a killed run left changed (its record is there and
 * nobody holds the cgroup's lock), and remove half-written records. A
 * record is only acted on when it parses and names a directory on a cgroup
 * v1 filesystem with the recorded device and inode; one whose directory is
 * gone or is another cgroup now is removed, others are kept and reported.
 * notice() is told what was repaired or removed. Without a run directory,
 * or (not as root) one it cannot read, there is nothing to do: 0, in
 * silence. Returns the number repaired or -1 with the first failure. */
int mc_knob_repair(void (*notice)(const char *msg), struct mc_error *e);
/* The same for records whose cgroups are on a filesystem of type fs_magic
 * (statfs f_type): the kernel's is CGROUP_SUPER_MAGIC; unit tests, whose
 * cgroups are plain directories, pass their own. */
int mc_knob_repair_fs(unsigned long fs_magic, void (*notice)(const char *),
		      struct mc_error *e);

#endif
