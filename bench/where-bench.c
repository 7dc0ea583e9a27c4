/* Benchmark of page attribution (DESIGN, Performance: where): a child holds
 * N GiB resident; its pages are attributed by the engine, by a naive loop
 * that reads kpagecgroup with one pread a page, and pagemap is read alone
 * (the floor). Prints times, ratios and the peak RSS of `memcg where`.
 *
 *   where-bench [--thp] [--reps N] [--memcg BINARY] GIB...
 *
 * Run as root. Ratios are from one run; nothing is asserted. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/pages.h"

#define PM_PFN_MASK	((UINT64_C(1) << 55) - 1)
#define PM_PRESENT	(UINT64_C(1) << 63)
#define CHUNK		32768	/* as the engine reads pagemap */
#define MAXREPS		15

struct tally {
	uint64_t ino[64], pages[64];
	size_t n;
	uint64_t present;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "where-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The child: map, optionally ask for THP, touch, report, wait. */
static pid_t hold(size_t gib, bool thp)
{
	int fds[2];
	pid_t pid;
	char c = 'r';

	if (pipe(fds) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		size_t len = gib << 30;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		for (size_t off = 0; off < len; off += 4096)
			p[off] = 1;
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1) {
		fprintf(stderr, "where-bench: the child holding %zu GiB "
			"failed\n", gib);
		exit(1);
	}
	close(fds[0]);
	return pid;
}

static void count(struct tally *t, uint64_t ino)
{
	size_t i = 0;

	while (i < t->n && t->ino[i] != ino)
		i++;
	if (i == t->n && t->n < 64)
		t->ino[t->n++] = ino;
	if (i < 64)
		t->pages[i]++;
}

/* Walk pagemap as the engine does: maps ranges, CHUNK entries a read.
 * With kpc >= 0, one pread of kpagecgroup per present page. */
static double walk(pid_t pid, int kpc, struct tally *t)
{
	static uint64_t buf[CHUNK];
	char path[64], line[4096];
	double t0 = now();
	FILE *maps;
	int pm;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || pm < 0)
		die(path);
	while (fgets(line, sizeof(line), maps)) {
		uint64_t a, b;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &a, &b) != 2 ||
		    a >= UINT64_C(1) << 63)
			continue;
		for (uint64_t v = a / 4096; v < b / 4096;) {
			uint64_t n = b / 4096 - v;
			ssize_t got;

			n = n < CHUNK ? n : CHUNK;
			got = pread(pm, buf, n * 8, (off_t)(v * 8));

			if (got <= 0)
				break;
			for (ssize_t i = 0; i < got / 8; i++) {
				uint64_t ino = 0;

				if (!(buf[i] & PM_PRESENT))
					continue;
				t->present++;
				if (kpc < 0)
					continue;
				if (pread(kpc, &ino, 8, (off_t)((buf[i] &
					  PM_PFN_MASK) * 8)) != 8)
					ino = 0;
				count(t, ino);
			}
			v += (uint64_t)got / 8;
		}
	}
	fclose(maps);
	close(pm);
	return now() - t0;
}

static double engine(struct mc_pages *ctx, pid_t pid,
		     struct mc_pages_result *r)
{
	struct mc_error e;
	double t0 = now();

	if (mc_pages_attribute(ctx, pid, r, &e) < 0) {
		fprintf(stderr, "where-bench: %s\n", e.msg);
		exit(1);
	}
	return now() - t0;
}

/* Whether the engine and the naive loop agree, cgroup by cgroup. */
static bool agree(const struct mc_pages_result *r, const struct tally *t)
{
	uint64_t uncharged = (r->uncharged_anon + r->uncharged_file) / 4096;

	for (size_t i = 0; i < t->n; i++) {
		const struct mc_pages_cgroup *c = mc_pages_find(r, t->ino[i]);

		if (t->ino[i] == 0 ? t->pages[i] != uncharged
				   : !c || (c->anon + c->file) / 4096 !=
						   t->pages[i])
			return false;
	}
	return mc_pages_resident(r) / 4096 == t->present;
}

/* `memcg where` as a user runs it: wall time and peak RSS. */
static double command(const char *memcg, pid_t pid, long *maxrss_kib)
{
	char arg[32];
	struct rusage ru;
	double t0 = now();
	int status;
	pid_t c;

	snprintf(arg, sizeof(arg), "%d", (int)pid);
	c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(memcg, memcg, "where", "-b", arg, (char *)NULL);
		_exit(127);
	}
	if (wait4(c, &status, 0, &ru) < 0)
		die("wait4");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "where-bench: '%s where %s' failed\n", memcg,
			arg);
		exit(1);
	}
	*maxrss_kib = ru.ru_maxrss;
	return now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct times {
	double floor[MAXREPS], eng[MAXREPS], naive[MAXREPS], cmd[MAXREPS];
	double r_floor[MAXREPS], r_naive[MAXREPS];
	long rss;
	bool ok;
};

/* Interleaved, run by run; ratios are taken per run, then the median. */
static void measure(struct mc_pages *ctx, pid_t pid, int reps,
		    const char *memcg, int kpc, struct times *tm)
{
	struct mc_pages_result r = { 0 };
	struct tally floor_t, naive_t;

	tm->ok = true;
	tm->rss = 0;
	for (int i = 0; i < reps; i++) {
		long rss = 0;

		tm->floor[i] = walk(pid, -1, &floor_t);
		tm->eng[i] = engine(ctx, pid, &r);
		tm->naive[i] = walk(pid, kpc, &naive_t);
		tm->cmd[i] = memcg ? command(memcg, pid, &rss) : 0;
		tm->rss = rss > tm->rss ? rss : tm->rss;
		tm->r_floor[i] = tm->eng[i] / tm->floor[i];
		tm->r_naive[i] = tm->naive[i] / tm->eng[i];
		tm->ok &= agree(&r, &naive_t) &&
			  floor_t.present == naive_t.present;
	}
	mc_pages_result_free(&r);
}

static void report(size_t gib, bool thp, int reps, const struct times *t0)
{
	struct times t = *t0;
	char rss[32] = "-";

	if (t.rss)
		snprintf(rss, sizeof(rss), "%.1f MiB", (double)t.rss / 1024);
	printf("%4zu GiB %-4s %8.3f %8.3f %8.3f %8.3f %7.2fx %7.1fx %11s %s\n",
	       gib, thp ? "thp" : "4k", median(t.floor, reps),
	       median(t.eng, reps), median(t.naive, reps),
	       median(t.cmd, reps), median(t.r_floor, reps),
	       median(t.r_naive, reps), rss, t.ok ? "yes" : "NO");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *memcg = NULL;
	struct mc_mounts m = { 0 };
	struct mc_pages *ctx;
	struct mc_error e;
	bool thp = false;
	int reps = 5, kpc, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--thp"))
			thp = true;
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--memcg") && i + 1 < argc)
			memcg = argv[++i];
		else
			break;
	}
	if (i == argc || reps < 1 || reps > MAXREPS) {
		fprintf(stderr, "usage: where-bench [--thp] [--reps 1..%d] "
			"[--memcg BINARY] GIB...\n", MAXREPS);
		return 2;
	}
	if (mc_pages_open(&ctx, &m, 0, &e) < 0) {
		fprintf(stderr, "where-bench: %s\n", e.msg);
		return 1;
	}
	kpc = open("/proc/kpagecgroup", O_RDONLY | O_CLOEXEC);
	if (kpc < 0)
		die("/proc/kpagecgroup");
	printf("    size page    floor   engine    naive  command  "
	       "eng/flr naive/eng   peak RSS agree\n");
	for (; i < argc; i++) {
		size_t gib = strtoul(argv[i], NULL, 10);
		pid_t pid = hold(gib, thp);
		struct times t;

		measure(ctx, pid, reps, memcg, kpc, &t);
		report(gib, thp, reps, &t);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(kpc);
	mc_pages_close(ctx);
	return 0;
}
