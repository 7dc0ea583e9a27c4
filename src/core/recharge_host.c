/* Recharge, what the host offers: the interfaces it needs (root,
 * /proc/kpagecgroup, pidfd_open, process_madvise), the huge page size,
 * whether swap is on. */
#include "core/recharge_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int read_small(const struct mc_mounts *m, const char *rel, char *buf,
		      size_t len, struct mc_error *e)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	mc_sysroot_path(m, path, sizeof(path), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mc_err(e, errno, "cannot open '%s'", path);
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return mc_err(e, errno, "cannot read '%s'", path);
	buf[n] = '\0';
	return 0;
}

int mc_recharge_huge_size(const struct mc_mounts *m, uint64_t *size,
			  struct mc_error *e)
{
	char buf[64], *end;

	if (read_small(m, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
		       buf, sizeof(buf), e) < 0)
		return -1;
	*size = strtoull(buf, &end, 10);
	if (!*size || (*size & (*size - 1)) || (*end && *end != '\n'))
		return mc_errx(e, EBADMSG, "hpage_pmd_size reads '%s'", buf);
	return 0;
}

int mc_recharge_swap_on(const struct mc_mounts *m, bool *on,
			struct mc_error *e)
{
	char buf[512];

	/* a heading line, then one line per swap area */
	if (read_small(m, "/proc/swaps", buf, sizeof(buf), e) < 0)
		return -1;
	*on = strchr(buf, '\n') && strchr(buf, '\n')[1] != '\0';
	return 0;
}

static int probe_madvise(struct mc_error *e)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov = { p, (size_t)page };
	int fd, rc = 0;

	if (p == MAP_FAILED)
		return mc_err(e, errno, "cannot map a page");
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd < 0)
		rc = mc_err(e, errno, "pidfd_open is not available (Linux 5.3)");
	/* harmless on our own page: it only ages it */
	else if (syscall(SYS_process_madvise, fd, &iov, 1, MADV_COLD, 0) < 0)
		rc = mc_err(e, errno,
			    "process_madvise is not available (Linux 5.10)");
	if (fd >= 0)
		close(fd);
	munmap(p, (size_t)page);
	return rc;
}

int mc_recharge_probe(const struct mc_mounts *m, struct mc_error *e)
{
	char path[PATH_MAX];
	int fd;

	mc_sysroot_path(m, path, sizeof(path), "/proc/kpagecgroup");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return mc_errx(e, errno, "recharge needs root: '%s' is "
			       "readable by root only", path);
	if (fd < 0)
		return mc_err(e, errno, "recharge needs '%s'", path);
	close(fd);
	return probe_madvise(e);
}
