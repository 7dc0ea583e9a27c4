/* Test workload: holds a known amount of memory of each kind, then waits.
 *
 *   memcg-workload [--thp no|default|yes] [--stride N] [--split yes|no]
 *                  [--anon MIB]
 *                  [--map FILE:MIB] [--read FILE:MIB]
 *                  [--sysv MIB] [--posix NAME:MIB] [--threads N]
 *                  [--children N] [--hold SECONDS]
 *
 * --thp     for the --anon options after it: "no" (the default) advises
 *           MADV_NOHUGEPAGE, "default" gives no advice (the system's
 *           setting decides; collapse is allowed), "yes" MADV_HUGEPAGE
 *           (huge pages from the first touch); with "default" and "yes" the
 *           memory starts on a 2 MiB boundary, as a huge-page-aware
 *           allocator places it (older kernels do not align it themselves)
 * --stride  for the --anon options after it: write one page in N
 * --split   for the --anon options after it: "yes" maps each huge page
 *           with small page table entries once touched (the huge page
 *           stays whole), as a partial mprotect leaves it; the kernel's
 *           charge moving skips such pages (docs §2.3)
 * --anon    private anonymous memory, every page written (or one in N)
 * --map     a file created at FILE, MIB long, mapped shared and every page
 *           read through the mapping (a tmpfs path gives shmem pages)
 * --read    a file created at FILE, MIB long, read() but never mapped
 * --sysv    a SysV shared memory segment, attached and every page written
 * --posix   a POSIX shm object /dev/shm/NAME, mapped and every page written
 * --threads extra threads that just sleep
 * --leader-exit yes: once ready, the main thread exits and the other
 *           threads live on (a zombie leader, as after pthread_exit)
 * --children forked children that only sleep (no memory of their own)
 * --hold    exit after this many seconds (default: wait for a signal)
 *
 * Prints "ready PID" on stdout once everything is touched; tests wait for it.
 * SIGUSR1 reads every page of the --map files again through their mappings
 * (pages dropped meanwhile fault back in) and prints "touched", so a test
 * can make the process use its memory once more.
 * The SysV segment is marked for removal at once so it never outlives us. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "memcg-workload: %s '%s': %s\n", what, arg,
		strerror(errno));
	exit(1);
}

static size_t parse_mib(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "memcg-workload: bad size '%s'\n", s);
		exit(2);
	}
	return v * MIB;
}

/* "PATH:MIB" -> path (in place) and bytes */
static size_t split_spec(char *spec, char **path)
{
	char *colon = strrchr(spec, ':');

	if (!colon) {
		fprintf(stderr, "memcg-workload: expected PATH:MIB, got '%s'\n",
			spec);
		exit(2);
	}
	*colon = '\0';
	*path = spec;
	return parse_mib(colon + 1);
}

static void touch_write(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		p[off] = (char)(off / 4096 + 1);
}

static int anon_thp;		/* --thp: 0 no, 1 default, 2 yes */
static size_t anon_stride = 1;	/* --stride */
static int anon_split;		/* --split */

/* Split the huge page mappings of [p, p + len) into page table entries:
 * protect one small page of each 2 MiB differently, then give it back
 * (the mappings merge again, the huge pages stay huge, mapped small). */
static void split_mappings(char *p, size_t len)
{
	for (size_t off = 0; off + 2 * MIB <= len; off += 2 * MIB) {
		mprotect(p + off, 4096, PROT_READ);
		mprotect(p + off, 4096, PROT_READ | PROT_WRITE);
	}
}

static volatile char sink;
static void touch_read(const char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		sink += p[off];
}

static int make_file(const char *path, size_t len)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die("cannot create", path);
	memset(buf, 'x', sizeof(buf));
	for (size_t done = 0; done < len; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("cannot write", path);
	return fd;
}

/* len bytes of anonymous memory starting on a huge page boundary: map 2 MiB
 * more and unmap the edges. */
static char *map_aligned(size_t len)
{
	size_t huge = 2 * MIB;
	char *p = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return p;
	a = (char *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + len, (size_t)(p + huge - a));
	return a;
}

static void do_anon(size_t len)
{
	char *p = anon_thp ? map_aligned(len)
			   : mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("cannot map anonymous memory", "anon");
	/* Small pages only unless asked: the tests count pages, and THP
	 * handling is a case of its own (docs: 6.1 reports 0 for THP tails).
	 * MADV_NOHUGEPAGE also refuses MADV_COLLAPSE. */
	if (anon_thp != 1)
		madvise(p, len, anon_thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += 4096 * anon_stride)
		p[off] = (char)(off / 4096 + 1);
	if (anon_split)
		split_mappings(p, len);
}

/* The --map mappings, for SIGUSR1. */
#define MAXMAPS 16
static struct {
	const char *p;
	size_t len;
} maps[MAXMAPS];
static int nmaps;

static void do_map(char *spec)
{
	char *path;
	size_t len = split_spec(spec, &path);
	int fd = make_file(path, len);
	char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("cannot map", path);
	touch_read(p, len);
	close(fd);
	if (nmaps < MAXMAPS)
		maps[nmaps++] = (typeof(maps[0])){ p, len };
}

/* Only async-signal-safe calls: reads of memory and write(2). */
static void on_usr1(int sig)
{
	(void)sig;
	for (int i = 0; i < nmaps; i++)
		touch_read(maps[i].p, maps[i].len);
	if (write(1, "touched\n", 8) < 0)
		_exit(1);
}

static void do_read(char *spec)
{
	static char buf[1 << 16];
	char *path;
	size_t len = split_spec(spec, &path);
	int fd = make_file(path, len);

	if (lseek(fd, 0, SEEK_SET) < 0)
		die("cannot seek", path);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static void do_sysv(size_t len)
{
	int id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
	char *p;

	if (id < 0)
		die("cannot create SysV segment", "sysv");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("cannot attach SysV segment", "sysv");
	shmctl(id, IPC_RMID, NULL);
	touch_write(p, len);
}

static void do_posix(char *spec)
{
	char *name;
	size_t len = split_spec(spec, &name);
	int fd = shm_open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *p;

	if (fd < 0)
		die("cannot open POSIX shm", name);
	if (ftruncate(fd, (off_t)len) < 0)
		die("cannot size POSIX shm", name);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("cannot map POSIX shm", name);
	close(fd);
	touch_write(p, len);
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 0, children = 0, hold = -1, leader_exit = 0;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "memcg-workload: %s needs a value\n", o);
			return 2;
		}
		i++;
		if (!strcmp(o, "--thp") && (!strcmp(v, "no") ||
		    !strcmp(v, "default") || !strcmp(v, "yes")))
			anon_thp = !strcmp(v, "default") ? 1 :
				   !strcmp(v, "yes") ? 2 : 0;
		else if (!strcmp(o, "--split") && (!strcmp(v, "yes") ||
						    !strcmp(v, "no")))
			anon_split = !strcmp(v, "yes");
		else if (!strcmp(o, "--stride") && atoi(v) > 0)
			anon_stride = (size_t)atoi(v);
		else if (!strcmp(o, "--anon"))
			do_anon(parse_mib(v));
		else if (!strcmp(o, "--map"))
			do_map(v);
		else if (!strcmp(o, "--read"))
			do_read(v);
		else if (!strcmp(o, "--sysv"))
			do_sysv(parse_mib(v));
		else if (!strcmp(o, "--posix"))
			do_posix(v);
		else if (!strcmp(o, "--threads"))
			threads = atoi(v);
		else if (!strcmp(o, "--children"))
			children = atoi(v);
		else if (!strcmp(o, "--hold"))
			hold = atoi(v);
		else if (!strcmp(o, "--leader-exit") && !strcmp(v, "yes"))
			leader_exit = 1;
		else {
			fprintf(stderr, "memcg-workload: unknown option %s\n", o);
			return 2;
		}
	}
	for (int t = 0; t < threads; t++) {
		pthread_t th;

		if (pthread_create(&th, NULL, sleeper, NULL))
			die("cannot start thread", "threads");
	}
	for (int c = 0; c < children; c++) {
		pid_t p = fork();

		if (p < 0)
			die("cannot fork", "children");
		if (p == 0) {
			/* never outlive the test's own process */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	signal(SIGUSR1, on_usr1);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	if (leader_exit && threads > 0)
		pthread_exit(NULL);
	if (hold >= 0) {
		sleep((unsigned)hold);
		return 0;
	}
	for (;;)
		pause();
}
