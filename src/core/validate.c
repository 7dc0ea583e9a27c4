/* A PID's checks before anything moves (step 1 of DESIGN's move): which
 * process it names (a TID stands for its thread group), whether it exists,
 * is a kernel thread, a zombie, PID 1, a container's init, where it is now,
 * and, for --back, whether it is still where a report left it. Private
 * rules, public entry points (mc_move_add_pid, mc_move_add_pid_at). */
#include "core/move.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/prefetch.h"
#include "core/proc.h"
#include "core/step.h"

/* The record of a process already added (a TID of it came first). */
static struct mc_move_rec *find_rec(struct mc_move *mv, pid_t pid)
{
	for (size_t i = 0; i < mv->nrecs; i++)
		if (mv->recs[i].pid == pid)
			return &mv->recs[i];
	return NULL;
}

/* The process a command-line PID names: itself, or the thread group of a
 * TID (writing a TID to cgroup.procs moves its whole process, docs §2.1:
 * the report shows the process). st->ids is the process's, or the PID's
 * own when its status cannot be read (the stat read then says why); *rss
 * says whether st->rss is the process's VmRSS, the RSS a --from row shows
 * (stat's rss lacks the per-CPU deltas on 6.2 and later). pf: what was
 * read already, or NULL. */
static pid_t process_of(struct mc_move *mv, pid_t pid,
			const struct mc_pidfacts *pf,
			struct mc_proc_status *st, bool *rss)
{
	struct mc_error ignored;
	pid_t tgid;

	*rss = false;
	st->ids.tgid = st->ids.nspid = pid;
	st->ids.nslevels = 1;
	if (pf && pf->status_ok)
		*st = pf->st;
	else if (mc_proc_read_status(mv->req.m, pid, st, &ignored) < 0)
		return pid;
	tgid = st->ids.tgid;
	*rss = tgid == pid;
	if (tgid != pid) {
		mv->tids = true;
		/* the container test reads the process, not the thread */
		*rss = mc_proc_read_status(mv->req.m, tgid, st, &ignored) == 0;
		if (!*rss) {
			st->ids.tgid = st->ids.nspid = tgid;
			st->ids.nslevels = 1;
		}
	}
	return tgid;
}

bool mc_valid_init_guard(struct mc_move *mv, struct mc_move_rec *r)
{
	if (r->pid != 1 || mv->req.force)
		return true;
	mc_rec_set(r, MC_FAILED, EPERM,
		   "PID 1 is the init system: moving it would move the init "
		   "system's process%s; --force moves it",
		   mv->req.h->type == MC_V2 ? "" : ", and its charge");
	return false;
}

void mc_valid_container_note(struct mc_move *mv, struct mc_move_rec *r,
			     const struct mc_proc_ids *ids)
{
	if (ids->nslevels < 2 || ids->nspid != 1)
		return;
	mc_rec_note(mv, r, true,
		    "process %d is the init of another PID namespace (a "
		    "container's PID 1)%s",
		    (int)r->pid,
		    mv->req.h->type == MC_V2 || mv->req.also
			? ""
			: ": its other cgroup v1 controllers stay where they "
			  "are (--also moves them too)");
}

/* Out of the root cgroup: what it means for the charge (docs §2.4: the
 * root's counters are not charged). Inferred from the kernel and the
 * mode, as the dry run infers it. */
void mc_valid_root_note(struct mc_move *mv, struct mc_move_rec *r)
{
	/* per process on --from's path: the cheap test first */
	if (!mv->origins[r->origin].cg.is_root || r->status != MC_PLANNED)
		return;
	if (mc_charge_cap(mv->req.h, &mv->kernel) == MC_CAP_YES &&
	    mv->req.mode != MC_CHARGE_NONE && mv->req.mode != MC_CHARGE_KEEP)
		mc_rec_note(mv, r, !mv->root_noted,
			    "process %d comes from the root cgroup, which has "
			    "no limit: the charge that moves with it counts "
			    "against the limits of '%s' and its ancestors "
			    "from now on",
			    (int)r->pid, mv->dst.path);
	else
		mc_rec_note(mv, r, !mv->root_noted,
			    "process %d comes from the root cgroup, which has "
			    "no limit: its pages stay charged to the root",
			    (int)r->pid);
	mv->root_noted = true;
}

void mc_valid_dest_note(struct mc_move *mv)
{
	if (mv->dst.is_root)
		mc_step_notice(mv,
			       "'%s' is the root cgroup, which has no limit: "
			       "memory charged to it counts against no limit",
			       mv->dst.path);
}

/* Where the process is now, as its origin; skipped when that is DEST, or,
 * for --back, when it is not where the report left it. */
static void place(struct mc_move *mv, struct mc_move_rec *r, const char *expect,
		  const struct mc_pidfacts *pf)
{
	struct mc_error pe;
	char *path = NULL;
	ssize_t o;

	if (pf && pf->cgpath && !(path = strdup(pf->cgpath))) {
		mc_rec_set(r, MC_FAILED, ENOMEM, "cannot allocate");
		return;
	}
	if (!path && mc_proc_read_cgroup(mv->req.m, r->pid, mv->req.h->type,
					 &path, &pe) < 0) {
		mc_rec_set(r, MC_FAILED, pe.code, "%s",
			   pe.code == ESRCH ? "no such process" : pe.msg);
		return;
	}
	o = mc_move_origin(mv, path, &pe);
	/* the pidfds took the descriptors an origin needs: give them up */
	if (o < 0 && pe.code == EMFILE && mc_move_shed_pidfds(mv))
		o = mc_move_origin(mv, path, &pe);
	if (o < 0) {
		mc_rec_set(r, MC_FAILED, pe.code, "its cgroup: %s", pe.msg);
		free(path);
		return;
	}
	r->origin = (size_t)o;
	if (mv->origins[o].cg.ino == mv->dst.ino &&
	    mv->origins[o].cg.dev == mv->dst.dev)
		mc_rec_set(r, MC_SKIPPED, 0, "already in '%s'", mv->dst.path);
	else if (expect && strcmp(path, expect))
		mc_rec_set(r, MC_SKIPPED, 0,
			   "not where the report left it: in '%s', not '%s'",
			   path, expect);
	/* --back: a skip is news (the report said otherwise): say why */
	if (expect && r->status == MC_SKIPPED)
		mc_rec_note(mv, r, true, "process %d is %s", (int)r->pid,
			    r->msg);
	free(path);
}

/* What a PID's check needs of stat, from what the prefetch read: stat
 * itself, or, where the start time is not wanted, status with its Kthread:
 * line and a pidfd to pin the process instead (none in a dry run, which
 * writes nothing). The pidfd goes to the record, which closes it. */
static bool facts_stat(struct mc_move *mv, struct mc_move_rec *r,
		       struct mc_pidfacts *pf, struct mc_proc_stat *st)
{
	if (!pf)
		return false;
	if (pf->stat_ok) {
		*st = pf->ps;
	} else if (pf->status_ok && pf->st.kthread >= 0 && !mv->facts_start &&
		   (pf->pidfd >= 0 || mv->req.dry_run)) {
		memset(st, 0, sizeof(*st));
		snprintf(st->comm, sizeof(st->comm), "%s", pf->st.comm);
		st->state = pf->st.state;
		st->threads = pf->st.threads;
		st->flags = pf->st.kthread ? MC_PF_KTHREAD : 0;
		st->rss = pf->st.rss;
	} else {
		return false;
	}
	r->pidfd = pf->pidfd;
	pf->pidfd = -1;
	return true;
}

/* Exists, not a kernel thread, not a zombie, the same process. */
static bool check_stat(struct mc_move *mv, struct mc_move_rec *r,
		       unsigned long long start, struct mc_pidfacts *pf)
{
	struct mc_proc_stat st;
	struct mc_error pe;

	if (!facts_stat(mv, r, pf, &st) &&
	    mc_proc_read_stat(mv->req.m, r->pid, &st, &pe) < 0) {
		if (start && pe.code == ESRCH)
			mc_rec_set(r, MC_EXITED, ESRCH, "exited");
		else
			mc_rec_set(r, MC_FAILED, pe.code, "%s",
				   pe.code == ESRCH ? "no such process"
						    : pe.msg);
		return false;
	}
	snprintf(r->comm, sizeof(r->comm), "%s", st.comm);
	r->starttime = st.starttime;
	r->validated = true;
	r->rss = st.rss;
	r->have_rss = true;
	if (start && st.starttime != start) {
		mc_rec_set(r, MC_EXITED, ESRCH,
			   "exited; PID %d now belongs to another process",
			   (int)r->pid);
		return false;
	}
	if (st.flags & MC_PF_KTHREAD) {
		mc_rec_set(r, MC_FAILED, EINVAL,
			   "it is a kernel thread, which cannot be moved");
		return false;
	}
	if (st.state == 'Z' && st.threads <= 1) {
		mc_rec_set(r, MC_EXITED, ESRCH,
			   "exited (a zombie: nothing to move)");
		return false;
	}
	return true;
}

/* ENOENT while reading a PID's files means it exited: an ordinary outcome. */
static int add_pid(struct mc_move *mv, pid_t given, const char *expect,
		   unsigned long long start, struct mc_pidfacts *pf,
		   struct mc_error *e)
{
	struct mc_proc_status st;
	bool have_rss;
	pid_t pid = process_of(mv, given, pf, &st, &have_rss);
	struct mc_move_rec *r = mv->tids ? find_rec(mv, pid) : NULL;

	if (r) {
		/* a second TID of one process: one row, one write */
		if (given == pid)
			mc_rec_note(mv, r, true,
				    "process %d itself was given too: it moves "
				    "once", (int)pid);
		else
			mc_rec_note(mv, r, true,
				    "thread %d of process %d was given too: it "
				    "moves once", (int)given, (int)pid);
		return 0;
	}
	r = mc_rec_new(mv, pid, e);
	if (!r)
		return -1;
	if (given != pid)
		mc_rec_note(mv, r, true,
			    "%d is a thread of process %d: the whole process "
			    "moves", (int)given, (int)pid);
	/* the rest of pf is the PID's own: a TID's process is read here */
	if (pid != given)
		pf = NULL;
	if (!check_stat(mv, r, start, pf)) {
		if (r->pidfd >= 0)
			close(r->pidfd);
		r->pidfd = -1;
		return 0;
	}
	if (have_rss)
		r->rss = st.rss;
	/* where it is first: the row of a refused PID 1 shows FROM too */
	place(mv, r, expect, pf);
	if (r->status == MC_PLANNED && mc_valid_init_guard(mv, r)) {
		mc_valid_container_note(mv, r, &st.ids);
		mc_valid_root_note(mv, r);
	}
	/* a process that will not be written needs no pin */
	if (r->status != MC_PLANNED && r->pidfd >= 0) {
		close(r->pidfd);
		r->pidfd = -1;
	}
	return 0;
}

int mc_move_add_pid_at(struct mc_move *mv, pid_t pid, const char *expect,
		       unsigned long long start, struct mc_error *e)
{
	return add_pid(mv, pid, expect, start, NULL, e);
}

int mc_move_add_pid(struct mc_move *mv, pid_t pid, struct mc_error *e)
{
	return add_pid(mv, pid, NULL, 0, NULL, e);
}

int mc_move_add_pids(struct mc_move *mv, const pid_t *pids, size_t n,
		     struct mc_error *e)
{
	/* START shows the start time, --atomic's rollback tells a reused
	 * PID by it */
	bool start = (mv->req.measure & MC_MEASURE_START) || mv->req.atomic;
	struct mc_pidfacts *f = mc_pidfacts_read(mv->req.m, mv->req.h, pids,
						 n, start, !mv->req.dry_run);
	int rc = 0;

	mv->facts = f;
	mv->nfacts = f ? n : 0;
	mv->facts_start = start;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = add_pid(mv, pids[i], NULL, 0, f ? &f[i] : NULL, e);
	/* the run's own files come next: they keep their reserve */
	if (mc_fds_free() < MC_FDS_RESERVE)
		mc_move_shed_pidfds(mv);
	mv->facts = NULL;
	mv->nfacts = 0;
	mc_pidfacts_free(f, n);
	return rc;
}

/* A record's pidfd given up: its start time pins it from here, read while
 * the pidfd says the PID is still its own (alive before and after the
 * read); gone meanwhile, it is exited. */
static void unpin(struct mc_move *mv, struct mc_move_rec *r)
{
	struct mc_proc_stat st;
	struct mc_error ignored;
	bool ok = mc_pidfd_alive(r->pidfd) &&
		  mc_proc_read_stat(mv->req.m, r->pid, &st, &ignored) == 0 &&
		  mc_pidfd_alive(r->pidfd);

	close(r->pidfd);
	r->pidfd = -1;
	if (!ok) {
		if (r->status == MC_PLANNED)
			mc_rec_set(r, MC_EXITED, ESRCH,
				   "exited before the move");
		return;
	}
	r->starttime = st.starttime;
}

bool mc_move_shed_pidfds(struct mc_move *mv)
{
	bool shed = false;

	for (size_t i = 0; i < mv->nrecs; i++)
		if (mv->recs[i].pidfd >= 0) {
			unpin(mv, &mv->recs[i]);
			shed = true;
		}
	/* the PIDs not checked yet read stat instead (facts_stat) */
	for (size_t i = 0; i < mv->nfacts; i++)
		if (mv->facts[i].pidfd >= 0) {
			close(mv->facts[i].pidfd);
			mv->facts[i].pidfd = -1;
			shed = true;
		}
	return shed;
}

void mc_move_fail_planned(struct mc_move *mv, const char *dest,
			  const struct mc_error *e)
{
	if (!mv->dst.path)
		mv->dst.path = strdup(dest);
	for (size_t i = 0; i < mv->nrecs; i++)
		if (mv->recs[i].status == MC_PLANNED)
			mc_rec_set(&mv->recs[i], MC_FAILED, e->code, "%s",
				   e->msg);
}
