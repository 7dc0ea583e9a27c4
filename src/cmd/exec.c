/* memcg exec: run a command inside a memory cgroup, the counterpart of
 * cgexec. memcg writes its own PID to DEST's cgroup.procs and then becomes
 * COMMAND (execvp), so every page COMMAND touches is charged to DEST from
 * the first, on any hierarchy, and COMMAND's exit status is memcg's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/cgroup.h"

/* Into DEST: one write of our PID (no threads yet, no charge to speak of:
 * what memcg allocated goes away with the exec). */
static int enter(struct mc_ctx *c, const char *dest)
{
	struct mc_cgroup cg;
	struct mc_error e;
	int fd, err;

	if (mc_cgroup_open(&cg, &c->m, c->h, dest, MC_CG_WRITE, &e) < 0)
		return mc_fail(MC_EXIT_EXEC_FAIL, &e);
	fd = mc_cgroup_openat(&cg, "cgroup.procs", O_WRONLY, &e);
	if (fd < 0) {
		mc_cgroup_close(&cg);
		return mc_fail(MC_EXIT_EXEC_FAIL, &e);
	}
	err = mc_cgroup_attach(fd, getpid());
	close(fd);
	if (err)
		mc_warn("cannot enter '%s': %s", cg.path, strerror(err));
	mc_cgroup_close(&cg);
	return err ? MC_EXIT_EXEC_FAIL : 0;
}

int mc_cmd_exec(struct mc_ctx *c)
{
	const char **argv = c->args + 1;
	size_t n = c->nargs;
	int rc;

	/* options end at DEST, so popt leaves a "--" after it to us */
	if (n > 1 && !strcmp(argv[0], "--")) {
		argv++;
		n--;
	}
	if (n < 2)
		return mc_usage("exec: expected DEST and a COMMAND");
	rc = mc_begin(c, "it cannot run a command in a cgroup");
	if (!rc)
		rc = enter(c, c->args[0]);
	if (rc)
		return rc;
	/* what was written must not be written twice by COMMAND's exit */
	if (fflush(stdout) == EOF)
		return MC_EXIT_EXEC_FAIL;
	execvp(argv[0], (char *const *)argv);
	rc = errno == ENOENT ? MC_EXIT_NOT_FOUND : MC_EXIT_CANNOT_RUN;
	mc_warn("cannot run '%s': %s", argv[0], strerror(errno));
	return rc;
}
