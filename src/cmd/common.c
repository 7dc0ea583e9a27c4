/* What every command shares: messages on stderr (encoded as table cells
 * are), the mapping of setup errors to exit statuses, PID operands. */
#include "cmd/cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "output/escape.h"

/* "memcg: MESSAGE\n" and tail on stderr, the message encoded as a table
 * cell is: names come from cgroup directories and /proc, which anyone who
 * may create a cgroup or name a process can fill with escape sequences. */
__attribute__((format(printf, 1, 0))) static void
message(const char *fmt, va_list ap, const char *tail)
{
	char *msg = NULL, *enc = NULL;

	mc_progress_hide();
	if (vasprintf(&msg, fmt, ap) >= 0)
		enc = malloc(mc_escape_size(strlen(msg)));
	if (enc)
		mc_escape_to(enc, msg);
	/* never the raw text: without memory, say so instead */
	fprintf(stderr, "memcg: %s\n%s", enc ? enc : "out of memory",
		tail ? tail : "");
	free(enc);
	free(msg);
}

void mc_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(fmt, ap, NULL);
	va_end(ap);
}

int mc_fail(int status, const struct mc_error *e)
{
	mc_warn("%s", e->msg);
	return status;
}

int mc_fail_setup(const struct mc_error *e)
{
	return mc_fail(e->code == EINVAL ? MC_EXIT_USAGE : MC_EXIT_FAIL, e);
}

int mc_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(fmt, ap, "Try 'memcg --help' or 'memcg COMMAND --help'.\n");
	va_end(ap);
	return MC_EXIT_USAGE;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int mc_pid_operands(const char **args, pid_t **pids, size_t *n)
{
	size_t count = 0;
	pid_t *sorted;

	while (args && args[count])
		count++;
	*n = 0;
	*pids = calloc(count ? count : 1, sizeof(**pids));
	sorted = calloc(count ? count : 1, sizeof(*sorted));
	if (!*pids || !sorted) {
		free(sorted);
		return MC_EXIT_FAIL;
	}
	for (size_t i = 0; i < count; i++)
		if (mc_parse_pid(args[i], &(*pids)[i]) < 0) {
			free(sorted);
			return mc_usage("'%s' is not a PID (1 to %d)", args[i],
					INT_MAX);
		}
	/* duplicates by sorting a copy: thousands of PIDs stay cheap */
	memcpy(sorted, *pids, count * sizeof(*sorted));
	qsort(sorted, count, sizeof(*sorted), cmp_pid);
	for (size_t i = 1; i < count; i++)
		if (sorted[i] == sorted[i - 1]) {
			pid_t dup = sorted[i];

			free(sorted);
			return mc_usage("PID %d is given twice", (int)dup);
		}
	free(sorted);
	*n = count;
	return 0;
}
