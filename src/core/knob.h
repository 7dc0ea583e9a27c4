/* memory.move_charge_at_immigrate: read, set with a crash-safe record of the
 * old value, restore, and repair what a killed run left behind. */
#ifndef MEMCG_KNOB_H
#define MEMCG_KNOB_H

#include <stdbool.h>

#include "core/cgroup.h"
#include "core/error.h"

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

/* Read and write the knob of a cgroup (the kernel's file). */
int mc_knob_read(const struct mc_cgroup *cg, int *val, struct mc_error *e);
int mc_knob_write(const struct mc_cgroup *cg, int val, struct mc_error *e);

struct mc_knob_guard {
	const struct mc_cgroup *cg;
	int old;
	bool written;		/* we changed it: restore needed */
	char state[4200];	/* state file path while written */
};

/* The directory for state files: $MEMCG_RUNDIR or /run/memcg. */
const char *mc_rundir(void);

/* Read the old value, record it, write val. On the kernel's refusal
 * (EINVAL) e->code is EINVAL and nothing is left changed. The caller holds
 * the flock on cg. */
int mc_knob_set(struct mc_knob_guard *g, const struct mc_cgroup *cg, int val,
		const struct mc_ctl_ops *ops, struct mc_error *e);
/* Write the old value back (if it was changed) and drop the record. */
int mc_knob_restore(struct mc_knob_guard *g, const struct mc_ctl_ops *ops,
		    struct mc_error *e);

/* Restore every knob a killed run left changed (its record is there and
 * nobody holds the cgroup's lock). notice() is told what was repaired.
 * Returns the number repaired or -1. */
int mc_knob_repair(void (*notice)(const char *msg), struct mc_error *e);

#endif
