/* Test driver of the recharge module, until `memcg move --recharge` calls
 * it: recharge one process that is already in DEST and print the result as
 * key=value lines.
 *
 *   memcg-recharge-probe PID SRC DEST MODE [--dry-run] [--rate MIB/S]
 *   memcg-recharge-probe --probe
 *
 * SRC and DEST are cgroup paths of the memory hierarchy; MODE is anon,
 * file or all. Exit 0 when it ran, 1 on an error (on stderr), 2 on usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/recharge.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int usage(void)
{
	fprintf(stderr, "usage: memcg-recharge-probe PID SRC DEST "
			"anon|file|all [--dry-run] [--rate MIB/S]\n"
			"       memcg-recharge-probe --probe\n");
	return 2;
}

static void print(const struct mc_recharge_res *r)
{
	printf("exited=%d\nstopped=%d\n", r->exited, r->stopped);
	printf("recharged=%llu\nrecharged_anon=%llu\nrecharged_file=%llu\n",
	       (unsigned long long)r->recharged,
	       (unsigned long long)r->recharged_anon,
	       (unsigned long long)r->recharged_file);
	printf("left=%llu\n", (unsigned long long)r->left);
	for (int i = 0; i < MC_LEFT_NREASONS; i++)
		printf("left_%s=%llu\n", mc_left_reason_name(i),
		       (unsigned long long)r->left_by[i]);
	printf("not_asked=%llu\nrss_before=%llu\nrss_after=%llu\n"
	       "paged_out=%llu\nkernel_errno=%d\nranges=%u\ncalls=%u\n",
	       (unsigned long long)r->not_asked,
	       (unsigned long long)r->rss_before,
	       (unsigned long long)r->rss_after,
	       (unsigned long long)r->paged_out, r->kernel_errno, r->ranges,
	       r->calls);
}

static int fail(struct mc_error *e)
{
	fprintf(stderr, "memcg-recharge-probe: %s\n", e->msg);
	return 1;
}

static int parse_args(int argc, char **argv, struct mc_recharge_req *req)
{
	if (argc < 5)
		return -1;
	req->pid = atoi(argv[1]);
	if (!strcmp(argv[4], "anon"))
		req->mode = MC_RECHARGE_ANON;
	else if (!strcmp(argv[4], "file"))
		req->mode = MC_RECHARGE_FILE;
	else if (!strcmp(argv[4], "all"))
		req->mode = MC_RECHARGE_ALL;
	else
		return -1;
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run"))
			req->dry_run = true;
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			req->rate = strtoull(argv[++i], NULL, 10) << 20;
		else
			return -1;
	}
	return req->pid > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mc_recharge_req req = { .stop = &stop };
	struct mc_recharge_res res;
	struct mc_mounts m = { 0 };
	struct mc_cgroup src, dst;
	const struct mc_hier *h;
	struct mc_error e = { 0 };

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (mc_mounts_load(&m, NULL, &e) < 0)
		return fail(&e);
	if (argc == 2 && !strcmp(argv[1], "--probe")) {
		if (mc_recharge_probe(&m, &e) < 0)
			return fail(&e);
		printf("probe=ok\n");
		return 0;
	}
	if (parse_args(argc, argv, &req) < 0)
		return usage();
	if (!(h = mc_mounts_memory(&m, NULL, &e)) ||
	    mc_cgroup_open(&src, &m, h, argv[2], 0, &e) < 0 ||
	    mc_cgroup_open(&dst, &m, h, argv[3], 0, &e) < 0 ||
	    mc_recharge_huge_size(&m, &req.huge_size, &e) < 0 ||
	    mc_recharge_swap_on(&m, &req.swap, &e) < 0)
		return fail(&e);
	req.m = &m;
	req.src_ino = src.ino;
	req.dst = &dst;
	if (mc_recharge(&req, &res, &e) < 0)
		return fail(&e);
	print(&res);
	mc_cgroup_close(&src);
	mc_cgroup_close(&dst);
	mc_mounts_free(&m);
	return 0;
}
