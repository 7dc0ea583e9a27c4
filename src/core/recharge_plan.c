/* Recharge, the plan: the process's mappings from /proc/PID/smaps, each
 * cut into ranges of at most a huge page, the ranges that hold pages
 * charged to the source classified (collapse, page out, or why not), and
 * at the end the bytes still charged to the source, by why. */
#include "core/recharge_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include "core/array.h"
#include "core/proc.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994	/* include/uapi/linux/magic.h */
#endif

/* ---- the rules ---- */

bool rc_dense(const struct rc_count *c)
{
	/* collapse fills every page of the range, max_ptes_none does not
	 * apply to it (docs §9): the holes are the growth of RSS */
	return (uint64_t)(c->pages - c->present) * 50 < c->pages;
}

bool rc_room_ok(uint64_t room, uint64_t need)
{
	return room >= need && room - need >= RC_MARGIN;
}

bool rc_kind_asked(unsigned mode, enum rc_kind kind, bool anon)
{
	switch (kind) {
	case RC_ANON:
		return mode & MC_RECHARGE_ANON;
	case RC_SHMEM:
		return mode & MC_RECHARGE_FILE;	/* as for the knob */
	default:
		return mode & (anon ? MC_RECHARGE_ANON : MC_RECHARGE_FILE);
	}
}

static void classify_collapse(const struct rc_policy *p, struct rc_seg *s)
{
	const struct rc_count *c = &s->before;

	if (!s->aligned) {
		s->reason = MC_LEFT_UNALIGNED;
	} else if (c->shared) {
		/* collapse would copy pages others map: theirs stay */
		s->reason = MC_LEFT_SHARED;
	} else if (c->one_thp) {
		/* collapsing a PMD-mapped THP is a no-op; MADV_PAGEOUT
		 * splits it in place only where no swap takes it (docs §9) */
		s->reason = MC_LEFT_HUGE;
		if (!p->swap)
			s->action = RC_SPLIT_COLLAPSE;
	} else if (!rc_dense(c)) {
		s->reason = MC_LEFT_SPARSE;
	} else {
		s->action = RC_COLLAPSE;
	}
}

void rc_classify(const struct rc_policy *p, struct rc_seg *s)
{
	s->action = RC_NOTHING;
	s->reason = MC_LEFT_KERNEL;
	s->err = 0;
	s->done = false;
	if (s->locked) {
		s->reason = MC_LEFT_LOCKED;
		return;
	}
	switch (s->kind) {
	case RC_HUGETLB:
		s->reason = MC_LEFT_HUGE;
		return;
	case RC_FILE:
		/* its file pages mapped once drop; refault charges DEST */
		if ((p->mode & MC_RECHARGE_FILE) && s->before.src_dropable)
			s->action = RC_PAGEOUT;
		return;
	default:
		if (rc_kind_asked(p->mode, s->kind, s->kind == RC_ANON))
			classify_collapse(p, s);
	}
}

/* ---- smaps ---- */

static bool is_shmem(const struct mc_mounts *m, pid_t pid, uint64_t start,
		     uint64_t end, const char *path)
{
	char rel[96], abs[PATH_MAX];
	struct statfs sf;

	snprintf(rel, sizeof(rel), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)pid, start, end);
	mc_sysroot_path(m, abs, sizeof(abs), rel);
	if (statfs(abs, &sf) == 0)
		return sf.f_type == TMPFS_MAGIC;
	/* map_files needs CAP_SYS_ADMIN: the names the kernel gives */
	return !strncmp(path, "/dev/shm/", 9) || !strncmp(path, "/SYSV", 5) ||
	       !strncmp(path, "/memfd:", 7) ||
	       !strncmp(path, "/dev/zero ", 10);
}

struct rc_header {
	char perms[8];
	unsigned long inode;
};

static bool parse_header(const char *line, struct rc_map *map,
			 struct rc_header *h)
{
	unsigned long long a, b, off;
	unsigned maj, min;
	int pos = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %lu %n", &a, &b, h->perms,
		   &off, &maj, &min, &h->inode, &pos) < 7 || b < a)
		return false;
	memset(map, 0, sizeof(*map));
	map->start = a;
	map->end = b;
	map->offset = off;
	snprintf(map->path, sizeof(map->path), "%s", line + pos);
	map->path[strcspn(map->path, "\n")] = '\0';
	return true;
}

static bool has_flag(const char *flags, const char *f)
{
	for (const char *p = flags; (p = strstr(p, f)); p += 2)
		if ((p == flags || p[-1] == ' ') &&
		    (p[2] == ' ' || p[2] == '\n' || !p[2]))
			return true;
	return false;
}

static void finish_map(struct rc_map *map, const struct rc_header *h,
		       const char *flags)
{
	bool shared = h->perms[3] == 's';

	map->locked = has_flag(flags, "lo");
	map->nohuge = has_flag(flags, "nh");
	if (has_flag(flags, "ht"))
		map->kind = RC_HUGETLB;
	else if (!h->inode && !shared)
		map->kind = RC_ANON;	/* heap, stack, [anon:...] too */
	else
		map->untold = true;
}

/* A file mapping's kind, told once: shmem (tmpfs) or another file. */
static void tell_kind(const struct mc_mounts *m, pid_t pid,
		      struct rc_map *map)
{
	if (!map->untold)
		return;
	map->untold = false;
	map->kind = is_shmem(m, pid, map->start, map->end, map->path)
			    ? RC_SHMEM
			    : RC_FILE;
}

int rc_next_map(FILE *in, bool smaps, char **line, size_t *cap,
		struct rc_map *map)
{
	struct rc_header h;
	bool in_map = false;

	while (getline(line, cap, in) > 0) {
		if (parse_header(*line, map, &h)) {
			in_map = true;
			if (smaps)
				continue;
			/* maps: one line a mapping, no flags */
			finish_map(map, &h, "");
			return 1;
		} else if (in_map && !strncmp(*line, "VmFlags:", 8)) {
			/* the last line of a mapping (fs/proc/task_mmu.c) */
			finish_map(map, &h, *line + 8);
			return 1;
		}
	}
	return 0;
}

/* The kB of a "Key: N kB" line of a status buffer, or -1. */
static long long status_kb(const char *buf, const char *key)
{
	size_t len = strlen(key);
	char *end;
	long long kb;

	for (const char *p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, key, len)) {
			kb = strtoll(p + len, &end, 10);
			return end != p + len && !strncmp(end, " kB", 3) ? kb
									  : -1;
		}
	return -1;
}

/* What recharge reads of smaps, at the cost of a walk of every page table
 * (for its Rss lines), is three flags of each mapping: lo (mlocked), ht
 * (hugetlb) and nh (no huge pages, which the kernel refuses a collapse
 * for: only a dry run predicts from it). A process without locked memory
 * (status's VmLck, where mlock(), MAP_LOCKED and mlockall() count) and
 * without hugetlb pages (HugetlbPages) has no mapping the first two would
 * change, so outside a dry run maps says enough. */
static bool flags_needed(const struct rc_frames *f, bool dry_run)
{
	char rel[64], path[PATH_MAX], *buf;
	struct mc_error ignored;
	bool needed;

	if (dry_run)
		return true;
	snprintf(rel, sizeof(rel), "/proc/%d/status", (int)f->pid);
	mc_sysroot_path(f->m, path, sizeof(path), rel);
	buf = mc_read_file_at(AT_FDCWD, path, NULL, &ignored);
	needed = !buf || status_kb(buf, "VmLck:") != 0 ||
		 status_kb(buf, "HugetlbPages:") != 0;
	free(buf);
	return needed;
}

/* ---- the ranges ---- */

static int push(struct rc_plan *plan, const struct rc_seg *s,
		struct mc_error *e)
{
	int rc = 0;

	if (plan->mu)
		pthread_mutex_lock(plan->mu);
	if (MC_ARRAY_ROOM(plan->v, plan->n, plan->cap, 64, e) < 0)
		rc = -1;
	else
		plan->v[plan->n++] = *s;
	if (plan->mu) {
		pthread_cond_signal(plan->grew);
		pthread_mutex_unlock(plan->mu);
	}
	return rc;
}

/* A shmem mapping collapses only where file offsets and addresses agree
 * modulo the huge page (thp_vma_suitable_order): EINVAL otherwise (docs
 * §9). */
static bool collapsible(const struct rc_map *map, uint64_t huge)
{
	if (map->kind == RC_ANON)
		return true;
	return map->kind == RC_SHMEM && (map->start - map->offset) % huge == 0;
}

struct plan_walk {
	struct rc_plan *plan;
	const struct rc_policy *p;
	struct rc_map *map;
};

/* One range of a mapping: kept when it holds pages charged to the source
 * or swap entries, classified. */
static int plan_range(void *arg, struct rc_frames *f, uint64_t start,
		      uint64_t len, const struct rc_count *c,
		      struct mc_error *e)
{
	struct plan_walk *w = arg;
	uint64_t huge = w->p->pmd_pages * w->p->page;
	struct rc_seg s = { .start = start, .len = len, .before = *c };

	if (!c->src_anon && !c->src_file && !c->swapped)
		return 0;
	tell_kind(f->m, f->pid, w->map);
	s.kind = w->map->kind;
	s.locked = w->map->locked;
	s.nohuge = w->map->nohuge;
	s.aligned = collapsible(w->map, huge) && start % huge == 0 &&
		    len == huge;
	rc_classify(w->p, &s);
	return push(w->plan, &s, e);
}

/* pagemap reads nothing above the task's size ([vsyscall]) */
#define RC_TASK_END (UINT64_C(1) << 63)

int rc_plan_build(struct rc_plan *plan, const struct rc_policy *p,
		  struct rc_frames *f, bool dry_run, struct mc_error *e)
{
	char rel[64], path[PATH_MAX], *line = NULL;
	bool smaps = flags_needed(f, dry_run);
	size_t cap = 0;
	struct rc_map map;
	struct plan_walk w = { plan, p, &map };
	FILE *in;
	int rc = 0;

	snprintf(rel, sizeof(rel), "/proc/%d/%s", (int)f->pid,
		 smaps ? "smaps" : "maps");
	mc_sysroot_path(f->m, path, sizeof(path), rel);
	in = fopen(path, "re");
	if (!in && (errno == ENOENT || errno == ESRCH))
		return mc_errx(e, ESRCH, "process %d exited", (int)f->pid);
	if (!in)
		return mc_err(e, errno, "cannot open '%s'", path);
	/* every mapping: what is not planned still counts in the tally */
	while (rc == 0 &&
	       rc_next_map(in, smaps, &line, &cap, &map))
		if (map.end <= RC_TASK_END)
			rc = rc_frames_walk(f, map.start, map.end, plan_range,
					    &w, e);
	free(line);
	fclose(in);
	return rc;
}

void rc_plan_free(struct rc_plan *plan)
{
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}

/* ---- what stays, and why ---- */

/* Where a page charged to the source counts: a reason, or -1 for a kind
 * the mode did not ask for. */
enum page_kind { PG_ANON, PG_SHARED, PG_DIRTY, PG_OWN };

static int reason_of(const struct rc_policy *p, const struct rc_seg *s,
		     enum page_kind k)
{
	bool anon = k == PG_ANON;

	if (!rc_kind_asked(p->mode, s->kind, anon))
		return -1;
	if (s->locked)
		return MC_LEFT_LOCKED;
	if (s->kind == RC_FILE && anon)
		return MC_LEFT_COW;
	if (s->kind == RC_FILE && k == PG_SHARED)
		return MC_LEFT_SHARED;
	if (s->kind == RC_FILE && k == PG_DIRTY)
		return MC_LEFT_DIRTY;
	return (int)s->reason;
}

static void add(struct mc_recharge_res *res, int reason, uint64_t bytes)
{
	if (reason < 0)
		res->not_asked += bytes;
	else
		res->left_by[reason] += bytes;
}

static void swapped(const struct rc_policy *p, const struct rc_seg *s,
		    uint32_t n, struct mc_recharge_res *res)
{
	/* no /proc file names the owner of a swap entry (docs §4): those
	 * of the kinds asked count as left, since the process had them
	 * before its move */
	if (rc_kind_asked(p->mode, s->kind, s->kind == RC_ANON))
		res->left_by[MC_LEFT_SWAPPED] += (uint64_t)n * p->page;
}

/* The pages of a range still charged to the source, from its count
 * after: anon, file pages others map too, dirty ones, and clean ones
 * mapped only here. */
static void measure_seg(const struct rc_policy *p, const struct rc_seg *s,
			const struct rc_count *c, struct mc_recharge_res *res)
{
	uint64_t pg = p->page;
	uint64_t shared_file = c->src_file - c->src_dropable - c->src_dirty;

	add(res, reason_of(p, s, PG_ANON), c->src_anon * pg);
	add(res, reason_of(p, s, PG_SHARED), shared_file * pg);
	add(res, reason_of(p, s, PG_DIRTY), c->src_dirty * pg);
	add(res, reason_of(p, s, PG_OWN), c->src_dropable * pg);
	if (s->action == RC_PAGEOUT && s->done &&
	    s->before.src_dropable > c->src_dropable)
		res->paged_out += (s->before.src_dropable - c->src_dropable) *
				  pg;
}

struct measure_walk {
	struct rc_plan *plan;
	const struct rc_policy *p;
	struct mc_recharge_res *res;
	size_t k;		/* the next planned range */
};

static void measure_one(const struct rc_policy *p, struct rc_seg *s,
			const struct rc_count *c, struct mc_recharge_res *res)
{
	measure_seg(p, s, c, res);
	swapped(p, s, c->swapped, res);
	s->measured = true;
}

/* One range of a mapping: the planned range it is, if any. */
static int measure_range(void *arg, struct rc_frames *f, uint64_t start,
			 uint64_t len, const struct rc_count *c,
			 struct mc_error *e)
{
	struct measure_walk *w = arg;
	struct rc_plan *plan = w->plan;

	(void)f;
	(void)e;
	while (w->k < plan->n && plan->v[w->k].start < start)
		w->k++;
	if (w->k < plan->n && plan->v[w->k].start == start &&
	    plan->v[w->k].len == len)
		measure_one(w->p, &plan->v[w->k++], c, w->res);
	return 0;
}

int rc_plan_measure(struct rc_plan *plan, const struct rc_policy *p,
		    struct rc_frames *f, struct mc_recharge_res *res,
		    struct mc_error *e)
{
	char rel[64], path[PATH_MAX], *line = NULL;
	struct measure_walk w = { plan, p, res, 0 };
	size_t cap = 0;
	struct rc_header h;
	struct rc_map map;
	FILE *maps;
	int rc = 0;

	snprintf(rel, sizeof(rel), "/proc/%d/maps", (int)f->pid);
	mc_sysroot_path(f->m, path, sizeof(path), rel);
	maps = fopen(path, "re");
	if (!maps && (errno == ENOENT || errno == ESRCH))
		return mc_errx(e, ESRCH, "process %d exited", (int)f->pid);
	if (!maps)
		return mc_err(e, errno, "cannot open '%s'", path);
	while (rc == 0 && getline(&line, &cap, maps) > 0)
		if (parse_header(line, &map, &h) && map.end <= RC_TASK_END)
			rc = rc_frames_walk(f, map.start, map.end,
					    measure_range, &w, e);
	free(line);
	fclose(maps);
	if (rc == 0)
		rc = rc_frames_alive(f, e);
	/* a planned range the walk did not meet as it was (its mapping
	 * changed or went, or it holds nothing now): on its own */
	for (size_t k = 0; rc == 0 && k < plan->n; k++) {
		struct rc_count c;

		if (plan->v[k].measured)
			continue;
		rc = rc_frames_scan(f, plan->v[k].start, plan->v[k].len, &c,
				    e);
		if (rc == 0)
			measure_one(p, &plan->v[k], &c, res);
	}
	return rc;
}

static void predict_seg(const struct rc_policy *p, const struct rc_seg *s,
			struct mc_recharge_res *res)
{
	const struct rc_count *c = &s->before;
	uint64_t pg = p->page;
	uint64_t shared_file = c->src_file - c->src_dropable - c->src_dirty;

	if (s->kind == RC_FILE) {
		add(res, reason_of(p, s, PG_ANON), c->src_anon * pg);
		add(res, reason_of(p, s, PG_SHARED), shared_file * pg);
		add(res, reason_of(p, s, PG_DIRTY), c->src_dirty * pg);
		if (s->done)
			res->paged_out += c->src_dropable * pg;
		else
			add(res, reason_of(p, s, PG_OWN), c->src_dropable * pg);
		return;
	}
	if (!s->done) {
		add(res, reason_of(p, s, s->kind == RC_ANON ? PG_ANON : PG_OWN),
		    (uint64_t)(c->src_anon + c->src_file) * pg);
		return;
	}
	res->recharged_anon += c->src_anon * pg;
	res->recharged_file += c->src_file * pg;
	res->rss_after += (uint64_t)(c->pages - c->present) * pg;
}

void rc_plan_predict(const struct rc_plan *plan, const struct rc_policy *p,
		     struct mc_recharge_res *res)
{
	for (size_t k = 0; k < plan->n; k++) {
		predict_seg(p, &plan->v[k], res);
		swapped(p, &plan->v[k], plan->v[k].before.swapped, res);
	}
	res->recharged = res->recharged_anon + res->recharged_file;
	res->rss_after -= res->paged_out < res->rss_after ? res->paged_out
							  : res->rss_after;
}
