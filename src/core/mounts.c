/* Find memory hierarchies. libmount parses; we hand it only the cgroup and
 * cgroup2 lines, because a container host can have tens of thousands of
 * overlay mounts and parsing those is most of the cost. */
#include "core/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

char *mc_sysroot_path(const struct mc_mounts *m, char *buf, size_t len,
		      const char *path)
{
	snprintf(buf, len, "%s%s", m && m->sysroot ? m->sysroot : "", path);
	return buf;
}

/* The filesystem type is the first field after the " - " separator. */
static bool is_cgroup_line(const char *line, size_t len)
{
	const char *sep = memmem(line, len, " - ", 3);
	const char *fstype;
	size_t rest;

	if (!sep)
		return false;
	fstype = sep + 3;
	rest = len - (size_t)(fstype - line);
	return (rest > 7 && !memcmp(fstype, "cgroup ", 7)) ||
	       (rest > 8 && !memcmp(fstype, "cgroup2 ", 8));
}

/* Copy the cgroup lines of a mountinfo stream into a memory buffer. */
static char *filter_mountinfo(FILE *in, size_t *outlen, struct mc_error *e)
{
	char *line = NULL, *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	FILE *out;

	out = open_memstream(&buf, &len);
	if (!out)
		return mc_err(e, errno, "cannot allocate"), NULL;
	while ((n = getline(&line, &cap, in)) > 0)
		if (is_cgroup_line(line, (size_t)n))
			fwrite(line, 1, (size_t)n, out);
	free(line);
	if (fclose(out) != 0) {
		free(buf);
		return mc_err(e, ENOMEM, "cannot allocate"), NULL;
	}
	*outlen = len;
	return buf;
}

static bool has_token(const char *optstr, const char *name)
{
	char *val = NULL;
	size_t valsz = 0;

	/* exact option match: "memory_recursiveprot" is not "memory" */
	return optstr && mnt_optstr_get_option(optstr, name, &val, &valsz) == 0;
}

/* Whether a cgroup2 mount offers the memory controller: cgroup.controllers
 * is the evidence, not the presence of memory.* files (docs §8). */
static bool v2_has_memory(const struct mc_mounts *m, const char *target)
{
	char path[4096], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s%s/cgroup.controllers",
		 m->sysroot ? m->sysroot : "", target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
		if (!strcmp(tok, "memory"))
			return true;
	return false;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int add_fs(struct mc_mounts *m, struct libmnt_fs *fs,
		  struct mc_error *e)
{
	const char *type = mnt_fs_get_fstype(fs);
	struct mc_hier *h, *nv;

	nv = realloc(m->h, (m->n + 1) * sizeof(*m->h));
	if (!nv)
		return mc_err(e, ENOMEM, "cannot allocate");
	m->h = nv;
	h = &m->h[m->n];
	memset(h, 0, sizeof(*h));
	h->type = !strcmp(type, "cgroup2") ? MC_V2 : MC_V1;
	h->id = mnt_fs_get_id(fs);
	h->target = dup_or_empty(mnt_fs_get_target(fs));
	h->root = dup_or_empty(mnt_fs_get_root(fs));
	h->source = dup_or_empty(mnt_fs_get_source(fs));
	h->options = dup_or_empty(mnt_fs_get_fs_options(fs));
	if (!h->target || !h->root || !h->source || !h->options) {
		free(h->target), free(h->root), free(h->source), free(h->options);
		return mc_err(e, ENOMEM, "cannot allocate");
	}
	m->n++;
	h->memory = h->type == MC_V1 ? has_token(h->options, "memory")
				     : v2_has_memory(m, h->target);
	return 0;
}

int mc_mounts_parse(struct mc_mounts *m, const char *path, const char *sysroot,
		    struct mc_error *e)
{
	FILE *in = fopen(path, "re");
	int rc;

	if (!in) {
		memset(m, 0, sizeof(*m));
		return mc_err(e, errno, "cannot open '%s'", path);
	}
	rc = mc_mounts_parse_stream(m, in, path, sysroot, e);
	fclose(in);
	return rc;
}

int mc_mounts_parse_stream(struct mc_mounts *m, FILE *in, const char *path,
			   const char *sysroot, struct mc_error *e)
{
	struct libmnt_table *tb = NULL;
	struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	size_t len = 0;
	char *buf;
	FILE *f = NULL;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (sysroot && *sysroot && !(m->sysroot = strdup(sysroot)))
		return mc_err(e, ENOMEM, "cannot allocate");
	buf = filter_mountinfo(in, &len, e);
	if (!buf)
		goto out;
	tb = mnt_new_table();
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!tb || !it) {
		mc_err(e, ENOMEM, "cannot allocate");
		goto out;
	}
	if (len) {
		f = fmemopen(buf, len, "r");
		if (!f || mnt_table_parse_stream(tb, f, path) != 0) {
			mc_errx(e, EINVAL, "cannot parse '%s'", path);
			goto out;
		}
	}
	while (mnt_table_next_fs(tb, it, &fs) == 0)
		if (add_fs(m, fs, e) < 0)
			goto out;
	rc = 0;
out:
	if (f)
		fclose(f);
	free(buf);
	mnt_free_iter(it);
	mnt_unref_table(tb);
	if (rc < 0)
		mc_mounts_free(m);
	return rc;
}

int mc_mounts_load(struct mc_mounts *m, const char *sysroot,
		   struct mc_error *e)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/proc/self/mountinfo",
		 sysroot ? sysroot : "");
	return mc_mounts_parse(m, path, sysroot, e);
}

void mc_mounts_free(struct mc_mounts *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->h[i].target);
		free(m->h[i].root);
		free(m->h[i].source);
		free(m->h[i].options);
	}
	free(m->h);
	free(m->sysroot);
	memset(m, 0, sizeof(*m));
}

/* Which memory hierarchy to prefer: v1 over cgroup2 (the v1 memory
 * controller is where charges can move, and a hybrid with both has it in
 * use), and the mount of the whole hierarchy over a bind mount of part. */
static int rank(const struct mc_hier *h)
{
	return (h->type == MC_V1 ? 2 : 0) + !strcmp(h->root, "/");
}

const struct mc_hier *mc_mounts_memory(const struct mc_mounts *m,
				       const char *want, struct mc_error *e)
{
	const struct mc_hier *best = NULL;

	for (size_t i = 0; i < m->n; i++) {
		const struct mc_hier *h = &m->h[i];

		if (want) {
			if (strcmp(h->target, want))
				continue;
			if (h->memory)
				return h;
			mc_errx(e, EINVAL,
				"'%s' is a %s mount without the memory "
				"controller", want,
				h->type == MC_V2 ? "cgroup2" : "cgroup v1");
			return NULL;
		}
		if (h->memory && (!best || rank(h) > rank(best)))
			best = h;
	}
	if (best)
		return best;
	if (want)
		mc_errx(e, ENOENT, "'%s' is not a cgroup mount point", want);
	else
		mc_errx(e, ENOENT,
			"no memory hierarchy: no cgroup v1 mount has the memory "
			"controller, and no cgroup2 mount offers it in "
			"cgroup.controllers (is it disabled?)");
	return NULL;
}

int mc_kernel_read(struct mc_kernel *k, const char *sysroot,
		   struct mc_error *e)
{
	char path[4096];
	struct utsname u;
	FILE *f;

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease",
		 sysroot ? sysroot : "");
	f = fopen(path, "re");
	if (f) {
		if (!fgets(k->release, sizeof(k->release), f))
			k->release[0] = '\0';
		fclose(f);
		k->release[strcspn(k->release, "\n")] = '\0';
	}
	if (!k->release[0]) {
		if (uname(&u) < 0)
			return mc_err(e, errno, "cannot read the kernel release");
		snprintf(k->release, sizeof(k->release), "%s", u.release);
	}
	if (sscanf(k->release, "%d.%d", &k->major, &k->minor) != 2)
		return mc_errx(e, EINVAL, "cannot parse kernel release '%s'",
			       k->release);
	return 0;
}

enum mc_charge_cap mc_charge_cap(const struct mc_hier *h,
				 const struct mc_kernel *k)
{
	if (h->type == MC_V2)
		return MC_CAP_NO_V2;
	/* aa6b4fdf5940 (v6.13-rc1): the knob accepts only 0 (docs §1) */
	if (k->major > 6 || (k->major == 6 && k->minor >= 13))
		return MC_CAP_NO_REMOVED;
	return MC_CAP_YES;
}

const char *mc_charge_cap_reason(enum mc_charge_cap c,
				 const struct mc_kernel *k, char *buf,
				 size_t len)
{
	switch (c) {
	case MC_CAP_NO_V2:
		snprintf(buf, len, "cgroup v2 never moves charges");
		break;
	case MC_CAP_NO_REMOVED:
		snprintf(buf, len,
			 "Linux %s no longer moves charges (removed in 6.13; "
			 "memory.move_charge_at_immigrate only accepts 0)",
			 k->release);
		break;
	default:
		snprintf(buf, len, "Linux %s moves charges on cgroup v1",
			 k->release);
	}
	return buf;
}
