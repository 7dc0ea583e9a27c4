/* The plan: whether charge can move and what --require-charge makes of it,
 * and the dry run, which validates and predicts and changes nothing. */
#include "core/plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dest.h"
#include "core/from.h"
#include "core/rcstep.h"
#include "core/size.h"
#include "core/step.h"

void mc_plan_refuse(struct mc_move *mv, enum mc_charge_cap cap, bool inferred)
{
	mv->refused = true;
	mv->refusal_inferred = inferred;
	mc_charge_cap_reason(cap, &mv->kernel, mv->refused_why,
			     sizeof(mv->refused_why));
}

void mc_plan_warn_v2(struct mc_move *mv)
{
	if (mv->req.h->type == MC_V2 && mv->req.charge_given &&
	    mv->req.mode != MC_CHARGE_NONE && mv->req.mode != MC_CHARGE_KEEP)
		mc_step_notice(mv, "charge will not move: %s%s",
			       mv->refused_why, mc_plan_recharge_hint(mv));
}

const char *mc_plan_recharge_hint(const struct mc_move *mv)
{
	return mv->req.recharge ? ""
				: " (memcg move --recharge moves it itself)";
}

int mc_plan_require(struct mc_move *mv, struct mc_error *e)
{
	if (!mv->req.require_charge)
		return 0;
	/* with --recharge, memcg moves the charge itself where it can */
	if (mv->req.recharge)
		return mc_rcstep_require(mv, e);
	if (mv->refused) {
		mv->require_failed = true;
		return mc_errx(e, EINVAL, "cannot move charges: %s%s",
			       mv->refused_why,
			       mv->refusal_inferred ? " (inferred from the "
						      "kernel version)"
						    : "");
	}
	/* only --charge keep gets here with 0: none is a usage error */
	if (mv->charge == 0) {
		mv->require_failed = true;
		return mc_errx(e, EINVAL,
			       "%s of '%s' is 0 and --charge keep "
			       "leaves it so: no charge would move",
			       MC_KNOB, mv->dst.path);
	}
	return 0;
}

uint64_t mc_move_predict(const struct mc_pages_result *res, uint64_t from,
			 int mode)
{
	return ((mode & 1) ? mc_step_bytes_in(res, from, true) : 0) +
	       ((mode & 2) ? mc_step_bytes_in(res, from, false) : 0);
}

/* What the kernel would refuse on v2 (docs §9): DEST that hands memory
 * to children (EBUSY), a writer who may not write the common ancestor's
 * cgroup.procs (EACCES). -1 when the record now says failed. */
static int predict_v2(struct mc_move *mv, struct mc_move_rec *r)
{
	char why[700];
	struct mc_error e;

	if (mv->req.h->type != MC_V2)
		return 0;
	if (mc_dest_v2_busy(&mv->dst)) {
		mc_rec_set(r, MC_FAILED, EBUSY, "predicted: %s",
			   mc_dest_v2_why(EBUSY, &mv->dst, why, sizeof(why)));
		return -1;
	}
	if (mc_dest_v2_access(mv->req.m, &mv->origins[r->origin].cg, &mv->dst,
			      &e) < 0) {
		mc_rec_set(r, MC_FAILED, e.code, "predicted: %s", e.msg);
		return -1;
	}
	return 0;
}

/* What the kernel would move (docs §2.1, §2.3): only pages charged to the
 * process's current cgroup; anon with value 1, file and shmem with value 2.
 * The precharge must fit in DEST, or the write fails with ENOMEM (§2.2).
 * Swap entries (value 1) and page cache that is not mapped (value 2) are
 * not seen: UNSEEN counts the swap. */
static void predict(struct mc_move *mv, struct mc_move_rec *r)
{
	char room[MC_SIZE_BUFSZ], need[MC_SIZE_BUFSZ];
	uint64_t ino = mv->origins[r->origin].cg.ino;
	int mode = mv->refused ? 0 : mv->charge;

	if (!mv->predicting || !mc_step_attribute(mv, r->pid, &mv->before))
		return;
	r->predicted = mc_move_predict(&mv->before, ino, mode);
	r->have_predicted = true;
	r->unseen = (mode & 1) ? mv->before.swapped : 0;
	r->have_unseen = true;
	if (!mv->have_room)
		return;
	if (r->predicted > mv->room) {
		mc_rec_set(
		    r, MC_FAILED, ENOMEM,
		    "predicted: the destination has room for %s more, the "
		    "process would bring %s",
		    mc_size_human(room, sizeof(room), mv->room),
		    mc_size_human(need, sizeof(need), r->predicted));
		return;
	}
	mv->room -= r->predicted; /* the next process finds less room */
}

void mc_plan_note_denied(struct mc_move *mv)
{
	mv->dst_denied = EACCES;
	snprintf(mv->denied_why, sizeof(mv->denied_why),
		 "permission denied: this user may not write '%s/cgroup.procs'",
		 mv->dst.dir);
}

int mc_plan_denied(struct mc_move *mv, bool predicted, struct mc_error *e)
{
	if (mv->from >= 0 && !mc_from_list(mv, e) && !mv->interrupted)
		return -1;
	for (size_t i = 0; i < mv->nrecs; i++)
		if (mv->recs[i].status == MC_PLANNED)
			mc_rec_set(&mv->recs[i], MC_FAILED, mv->dst_denied,
				   "%s%s", predicted ? "predicted: " : "",
				   mv->denied_why);
	return 0;
}

/* The real run opens DEST's cgroup.procs for writing; the dry run asks
 * with the effective IDs, as the open would check (a cgroup file's mode
 * is all there is to it on v1; v2 adds the common ancestor's). */
static bool may_write_procs(const struct mc_move *mv)
{
	return faccessat(mv->dst.dfd, "cgroup.procs", W_OK, AT_EACCESS) == 0 ||
	       errno != EACCES;
}

int mc_plan_dry_run(struct mc_move *mv, struct mc_error *e)
{
	enum mc_charge_cap cap = mc_charge_cap(mv->req.h, &mv->kernel);
	struct mc_carry c = {0};

	mv->charge = mv->req.mode;
	if (mv->req.mode == MC_CHARGE_KEEP && cap != MC_CAP_NO_V2 &&
	    mv->ops->knob_read(&mv->dst, &mv->charge, e) < 0)
		return -1;
	/* v2 never moves charge: a fact of the hierarchy, not a guess */
	if (cap != MC_CAP_YES)
		mc_plan_refuse(mv, cap, cap != MC_CAP_NO_V2);
	/* the real run stops at its open of cgroup.procs, before the lock
	 * and --require-charge's check */
	if (!may_write_procs(mv)) {
		mc_plan_note_denied(mv);
		return mc_plan_denied(mv, true, e);
	}
	if (mc_plan_require(mv, e) < 0)
		return -1;
	mc_plan_warn_v2(mv);
	if (mv->from >= 0 && !mc_from_list(mv, e) && !mv->interrupted)
		return -1;
	if (mv->predicting || mv->refused || mv->charge == 0)
		mc_step_read_room(mv);
	for (size_t i = 0; i < mv->nrecs; i++) {
		if (mv->recs[i].status != MC_PLANNED)
			continue;
		/* a prediction walks every page: let a signal end it */
		if (mc_step_stopped(mv)) {
			mc_rec_mark_rest(mv, i);
			break;
		}
		c.valid = false;
		mc_step_read_before(mv, &mv->recs[i], &c);
		/* before v2's refusals: a dry run names every obstacle, and
		 * DEST's room is still one once its EBUSY is dealt with */
		mc_step_room_warn(mv, &mv->recs[i]);
		if (predict_v2(mv, &mv->recs[i]) < 0)
			continue;
		predict(mv, &mv->recs[i]);
	}
	mc_rcstep_run(mv);
	return 0;
}
