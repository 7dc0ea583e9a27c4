/* --from SRC for the engine (private to it): passes over SRC's processes. */
#ifndef MEMCG_FROM_H
#define MEMCG_FROM_H

#include "core/move.h"

/* Move SRC's processes: passes until one finds nothing new, at most
 * MC_FROM_PASSES; what still appears after that is not-attempted. False
 * when the run stopped (an interrupt, --atomic, an error in e). */
bool mc_from_move(struct mc_move *mv, struct mc_error *e);

/* One pass that only lists SRC's processes as planned records (dry run).
 * False when SRC could not be read or a signal stopped it. */
bool mc_from_list(struct mc_move *mv, struct mc_error *e);

/* SRC has no process that could move (kernel threads aside): nothing to
 * move. False when it has, or cannot be read (the passes say why). */
bool mc_from_empty(struct mc_move *mv);

#endif
