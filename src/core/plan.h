/* The plan, for the engine (private to it): whether charge can move, the
 * --require-charge rule, and the dry run. */
#ifndef MEMCG_PLAN_H
#define MEMCG_PLAN_H

#include "core/move.h"

/* The kernel will not move charge, for the reason cap gives; inferred
 * when it comes from the version rather than a refused write. */
void mc_plan_refuse(struct mc_move *mv, enum mc_charge_cap cap, bool inferred);

/* The --require-charge rule, in one place: with it, a refusal or a DEST
 * left at 0 by --charge keep stops the run (exit 3) before anything
 * moves. -1 with e set and require_failed when so. */
int mc_plan_require(struct mc_move *mv, struct mc_error *e);

/* An explicit --charge that asks for charge on v2 is told once that none
 * moves there (the default is not). */
void mc_plan_warn_v2(struct mc_move *mv);

/* This user may not write DEST's cgroup.procs (EACCES): remember why. */
void mc_plan_note_denied(struct mc_move *mv);
/* Then every process fails with EACCES (with --from, SRC's, listed once),
 * "predicted" in a dry run; nothing is locked or written. 0, or -1 when
 * SRC cannot be read. */
int mc_plan_denied(struct mc_move *mv, bool predicted, struct mc_error *e);

/* Where the kernel will not move charge: the words that point at
 * --recharge, when it was not asked for (empty otherwise). */
const char *mc_plan_recharge_hint(const struct mc_move *mv);

/* Validate, predict and change nothing: no lock, no knob write. */
int mc_plan_dry_run(struct mc_move *mv, struct mc_error *e);

#endif
