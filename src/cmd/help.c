/* memcg help [COMMAND]: the command's manual page, memcg-COMMAND(8), as git
 * help opens git-COMMAND(1); memcg(8) without a COMMAND. Where man is missing
 * or the page is not installed, what "memcg [COMMAND] --help" prints. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"

extern char **environ;

/* Whether man finds the page ("man -w 8 PAGE", quietly): 1 it does, 0 it
 * does not, -1 man cannot be run. */
static int man_finds(const char *page)
{
	char *argv[] = { "man", "-w", "8", (char *)page, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, err;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	err = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					       O_WRONLY, 0) ||
	      posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
					       O_WRONLY, 0) ||
	      posix_spawnp(&pid, "man", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int mc_cmd_help(struct mc_ctx *c)
{
	const char *name = c->nargs ? c->args[0] : NULL;
	char page[80];
	int found;

	if (c->nargs > 1)
		return mc_usage("help: one COMMAND at most");
	if (name && !mc_is_command(name))
		return mc_usage("'%s' is not a memcg command", name);
	if (name)
		snprintf(page, sizeof(page), "memcg-%s", name);
	else
		snprintf(page, sizeof(page), "memcg");
	found = man_finds(page);
	if (found > 0) {
		if (fflush(stdout) == EOF)
			return MC_EXIT_FAIL;
		execlp("man", "man", "8", page, (char *)NULL);
		found = -1; /* it was there a moment ago */
	}
	if (found < 0)
		mc_warn("man cannot be run; this is 'memcg%s%s --help'",
			name ? " " : "", name ? name : "");
	else
		mc_warn("no manual page %s(8); this is 'memcg%s%s --help'",
			page, name ? " " : "", name ? name : "");
	return mc_print_help(name);
}
