/* memcg move: options, validation, the engine run, and the report
 * (move_report.c); --back REPORT is in back.c. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/move.h"
#include "core/proc.h"

struct mc_move_opts mc_mopt;

/* given once each: main says so when one comes twice */
enum { OPT_CHARGE = 1, OPT_FROM, OPT_ALSO, OPT_BACK, OPT_RECHARGE, OPT_RATE };

struct poptOption mc_move_options[] = {
	{ "charge", 'c', POPT_ARG_STRING, &mc_mopt.charge, OPT_CHARGE,
	  "charge to move: anon, file, all (default), none or keep", "MODE" },
	{ "from", 'f', POPT_ARG_STRING, &mc_mopt.from, OPT_FROM,
	  "move every process of SRC", "SRC" },
	{ "keep-setting", '\0', POPT_ARG_NONE, &mc_mopt.keep_setting, 0,
	  "leave DEST's move_charge_at_immigrate as set", NULL },
	{ "require-charge", '\0', POPT_ARG_NONE, &mc_mopt.require_charge, 0,
	  "stop with status 3 if the kernel will not move charge", NULL },
	{ "atomic", '\0', POPT_ARG_NONE, &mc_mopt.atomic, 0,
	  "if any process fails, move the others back", NULL },
	{ "dry-run", '\0', POPT_ARG_NONE, &mc_mopt.dry_run, 0,
	  "validate, predict and show the plan; change nothing", NULL },
	{ "exact", '\0', POPT_ARG_NONE, &mc_mopt.exact, 0,
	  "attribute each process's pages before and after (root)", NULL },
	{ "also", '\0', POPT_ARG_STRING, &mc_mopt.also, OPT_ALSO,
	  "also move into DEST's path in these v1 hierarchies (cpu,blkio,"
	  "... or *)", "LIST" },
	{ "force", '\0', POPT_ARG_NONE, &mc_mopt.force, 0,
	  "move PID 1 (the init system) too", NULL },
	{ "back", '\0', POPT_ARG_STRING, &mc_mopt.back, OPT_BACK,
	  "move the processes of a saved move -J report back where they "
	  "came from (- reads standard input)", "REPORT" },
	{ "recharge", '\0', POPT_ARG_STRING, &mc_mopt.recharge, OPT_RECHARGE,
	  "bring pages still charged to the source over to DEST: anon, "
	  "file or all (see memcg-move(8), RECHARGE)", "MODE" },
	{ "rate", '\0', POPT_ARG_STRING, &mc_mopt.rate, OPT_RATE,
	  "recharge at most this many MiB a second", "MIB/S" },
	{ "wait", 'w', POPT_ARG_STRING, &mc_mopt.wait, 0,
	  "seconds to wait for another run's lock on DEST (default 60)",
	  "SECONDS" },
	POPT_TABLEEND
};

volatile sig_atomic_t mc_move_stop;

static void on_signal(int sig)
{
	mc_move_stop = sig;
}

/* Every catchable signal whose default would end the run with a knob
 * changed stops it instead, so the restore happens and the report is
 * printed (DESIGN, Settlements: exit statuses): a lost terminal (SIGHUP),
 * SIGQUIT, a stray SIGUSR1 or timer, a limit's SIGXCPU/SIGXFSZ. A closed
 * pipe on stderr must not kill it either. */
void mc_move_catch_signals(void)
{
	static const int sigs[] = { SIGINT,  SIGTERM,	SIGHUP,	 SIGQUIT,
				    SIGUSR1, SIGUSR2,	SIGALRM, SIGVTALRM,
				    SIGPROF, SIGXCPU,	SIGXFSZ };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a lock wait must end */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The progress of a long run (shared reporter, cmd/progress.c). */
static struct mc_progress prog;
static const struct mc_ctx *prog_ctx;
static bool prog_started;

/* --back runs the engine once per origin: a warning they all give (the
 * kernel refuses the setting) is said once. */
static void notice(const char *msg)
{
	static char last[1024];

	if (!strcmp(msg, last))
		return;
	snprintf(last, sizeof(last), "%s", msg);
	mc_warn("%s", msg); /* it clears the progress line first */
}

void mc_move_progress_end(void)
{
	if (prog_started)
		mc_progress_end(&prog);
	prog_started = false;
}

/* The reporter decides whether and when to draw (a terminal, no -J, work
 * longer than a second). */
static void progress(size_t done, size_t total)
{
	if (!prog_started) {
		mc_progress_start(&prog, prog_ctx, "move", "processes", total);
		prog_started = true;
	}
	prog.total = total;
	mc_progress_update(&prog, done);
}

static int parse_mode(enum mc_charge_mode *mode)
{
	int v;

	*mode = MC_CHARGE_ALL;
	if (!mc_mopt.charge)
		return 0;
	v = mc_mode_parse(mc_mopt.charge, true);
	*mode = (enum mc_charge_mode)v;
	if (v < MC_CHARGE_KEEP)
		return mc_usage("--charge: '%s' is not one of anon, file, all, "
				"none, keep", mc_mopt.charge);
	return 0;
}

static int parse_wait(int *secs)
{
	pid_t v;

	*secs = 60;
	if (!mc_mopt.wait)
		return 0;
	if (!strcmp(mc_mopt.wait, "0")) {
		*secs = 0;
		return 0;
	}
	if (mc_parse_pid(mc_mopt.wait, &v) < 0)
		return mc_usage("--wait: '%s' is not a number of seconds",
				mc_mopt.wait);
	*secs = (int)v;
	return 0;
}

/* Operands: DEST then PIDs (strict, no duplicates). */
static int parse_operands(const char **args, const char **dest,
			  pid_t **pids, size_t *npids)
{
	int rc;

	if (!args || !args[0])
		return mc_usage("move: no destination cgroup given");
	*dest = args[0];
	rc = mc_pid_operands(args + 1, pids, npids);
	if (rc)
		return rc;
	if (mc_mopt.from && *npids)
		return mc_usage("move: --from SRC takes no PIDs");
	if (!mc_mopt.from && !*npids)
		return mc_usage("move: no PIDs given (or use --from SRC)");
	return 0;
}

/* What the engine is asked to do: the options, and per process only what
 * the selected columns show. */
void mc_move_request(struct mc_move_req *req, const struct mc_ctx *c,
		     const struct mc_table *t, enum mc_charge_mode mode,
		     int wait)
{
	req->m = &c->m;
	req->h = c->h;
	req->stop = &mc_move_stop;
	req->notice = notice;
	prog_ctx = c;
	req->progress = progress;
	req->mode = mode;
	req->keep_setting = mc_mopt.keep_setting;
	req->require_charge = mc_mopt.require_charge;
	req->atomic = mc_mopt.atomic;
	req->dry_run = mc_mopt.dry_run;
	req->exact = mc_mopt.exact && !mc_mopt.dry_run;
	req->predict = mc_mopt.dry_run && mc_move_table_predicts(t);
	req->wait = wait;
	req->measure = mc_table_needs(t);
	req->also = mc_mopt.also;
	req->charge_given = mc_mopt.charge != NULL;
	req->force = mc_mopt.force;
	mc_move_rc_request(req);
}

/* Validate, move, report. Returns the exit status. */
static int move(const struct mc_ctx *c, struct mc_move_runs *runs,
		struct mc_table *t, const char *dest, const pid_t *pids,
		size_t npids)
{
	struct mc_move *mv = runs->v[0];
	struct mc_error e;

	if (mc_move_open(mv, dest, &e) < 0 ||
	    (mc_mopt.from && mc_move_set_from(mv, mc_mopt.from, &e) < 0))
		return mc_fail_setup(&e);
	if (mc_move_add_pids(mv, pids, npids, &e) < 0)
		return mc_fail(MC_EXIT_FAIL, &e);
	mc_move_catch_signals();
	runs->rc = mc_move_run(mv, &e);
	mc_move_progress_end();
	/* an interrupt says so by its exit status; anything else, and a
	 * failed restore on the way out of one, is printed */
	if (runs->rc < 0 && e.code != EINTR)
		mc_warn("%s", e.msg);
	mc_move_report(c, t, runs);
	return mc_move_exit(runs);
}

static int run(struct mc_ctx *c, struct mc_move_runs *runs, const char *dest,
	       const pid_t *pids, size_t npids, enum mc_charge_mode mode,
	       int wait)
{
	struct mc_move_req req = { 0 };
	struct mc_table t;
	struct mc_error e;
	int rc;

	/* columns first: a bad -o must not come after processes moved */
	if (mc_move_table(&t, c, false, &e) < 0)
		return mc_fail(MC_EXIT_USAGE, &e);
	rc = mc_begin(c, mc_mopt.dry_run ? NULL : "only --dry-run can use it");
	if (!rc) {
		mc_move_request(&req, c, &t, mode, wait);
		if (mc_mopt.back) {
			rc = mc_move_back(c, &t, &req, runs);
		} else {
			mc_move_init(runs->v[0], &req);
			runs->n = 1;
			rc = move(c, runs, &t, dest, pids, npids);
		}
	}
	mc_table_free(&t);
	return rc;
}

/* The options that --back, --from and PIDs exclude. */
static int check_combinations(const struct mc_ctx *c)
{
	if (!mc_mopt.back)
		return 0;
	if (c->nargs)
		return mc_usage("move: --back REPORT takes no DEST or PIDs "
				"(each process goes back to its FROM)");
	if (mc_mopt.from)
		return mc_usage("move: --back and --from exclude each other");
	if (mc_mopt.atomic || mc_mopt.also)
		return mc_usage("move: --back does not take --%s",
				mc_mopt.atomic ? "atomic" : "also");
	return 0;
}

int mc_cmd_move(struct mc_ctx *c)
{
	static struct mc_move one;
	struct mc_move *v[1] = { &one };
	struct mc_move_runs runs = { v, 0, 0, false };
	const char *dest = NULL;
	pid_t *pids = NULL;
	size_t npids = 0;
	enum mc_charge_mode mode;
	int rc, wait;

	rc = parse_mode(&mode);
	if (!rc)
		rc = parse_wait(&wait);
	if (!rc)
		rc = mc_move_rc_parse();
	if (!rc && mode == MC_CHARGE_NONE && mc_mopt.require_charge &&
	    !mc_move_rc_asked())
		rc = mc_usage("--charge none with --require-charge asks for "
			      "nothing to move");
	if (!rc)
		rc = check_combinations(c);
	if (!rc && !mc_mopt.back)
		rc = parse_operands(c->args, &dest, &pids, &npids);
	if (!rc)
		rc = run(c, &runs, dest, pids, npids, mode, wait);
	/* -J: one document on every path once it was parsed (DESIGN) */
	mc_move_doc(c, &runs);
	for (size_t k = 0; k < runs.n; k++)
		mc_move_free(runs.v[k]);
	if (runs.v != v)
		free(runs.v);
	free(pids);
	return rc;
}
