/* A line of progress on stderr for work that takes a while: done of total,
 * the rate and the time left, redrawn a few times a second and cleared at
 * the end. Only on a terminal, never with -J: a log or a script reading
 * stderr gets no counters. */
#include "cmd/cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/size.h"

/* Quick work shows nothing; slow work is redrawn by the clock, not per
 * item, so a fast loop does not spend its time on the terminal. */
#define SHOW_AFTER_MS 1000
#define REDRAW_MS 250

/* The line on the screen now, for a message to clear first. */
static struct mc_progress *shown;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void mc_progress_start(struct mc_progress *p, const struct mc_ctx *c,
		       const char *what, const char *unit, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO) && !c->out->json;
	snprintf(p->what, sizeof(p->what), "%s", what);
	p->unit = unit;
	p->total = total;
	p->start = p->last = now_ms();
}

static void fmt_amount(char *buf, size_t len, const struct mc_progress *p,
		       uint64_t v)
{
	if (p->unit)
		snprintf(buf, len, "%" PRIu64, v);
	else
		mc_size_human(buf, len, v);
}

static void fmt_left(char *buf, size_t len, uint64_t secs)
{
	if (secs < 60)
		snprintf(buf, len, "%" PRIu64 "s", secs);
	else if (secs < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", secs / 60,
			 secs % 60);
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", secs / 3600,
			 secs / 60 % 60);
}

/* Columns of the terminal on stderr: a longer line would wrap, and \r
 * would not take it back. */
static size_t term_cols(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col;
	return 80;
}

static void draw(struct mc_progress *p, uint64_t ms)
{
	char done[32], total[32], rate[32], left[32], line[256];
	uint64_t elapsed = ms - p->start;
	uint64_t per_s = elapsed ? p->done * 1000 / elapsed : 0;
	size_t n, cols = term_cols();

	fmt_amount(done, sizeof(done), p, p->done);
	fmt_amount(total, sizeof(total), p, p->total);
	fmt_amount(rate, sizeof(rate), p, per_s);
	n = (size_t)snprintf(line, sizeof(line), "memcg: %s: %s of %s%s%s, "
			     "%s/s", p->what, done, total, p->unit ? " " : "",
			     p->unit ? p->unit : "", rate);
	if (per_s && p->done < p->total && n < sizeof(line)) {
		fmt_left(left, sizeof(left), (p->total - p->done) / per_s);
		snprintf(line + n, sizeof(line) - n, ", %s left", left);
	}
	if (strlen(line) >= cols)
		line[cols - 1] = '\0';
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->last = ms;
	shown = p;
}

void mc_progress_update(struct mc_progress *p, uint64_t done)
{
	uint64_t ms;

	p->done = done;
	if (!p->on)
		return;
	ms = now_ms();
	if (ms - p->start < SHOW_AFTER_MS ||
	    (shown == p && ms - p->last < REDRAW_MS))
		return;
	draw(p, ms);
}

void mc_progress_hide(void)
{
	if (!shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	shown = NULL;
}

void mc_progress_end(struct mc_progress *p)
{
	if (shown == p)
		mc_progress_hide();
	p->on = false;
}
