/* The floor for bench/move: read SRC's cgroup.procs once, write each PID to
 * DEST's cgroup.procs through one descriptor, nothing else.
 * usage: move-floor SRC-DIR DEST-DIR */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 20], path[4096];
	char *p, *end;
	ssize_t n;
	int in, out;

	if (argc != 3)
		return 2;
	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[1]);
	in = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[2]);
	out = open(path, O_WRONLY);
	if (in < 0 || out < 0)
		return 1;
	size_t used = 0;
	while ((n = read(in, buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)n;
	if (n < 0)
		return 1;
	buf[used] = '\0';
	for (p = buf; *p; p = end + 1) {
		end = strchr(p, '\n');
		if (!end)
			break;
		if (write(out, p, (size_t)(end - p)) < 0)
			perror("write");
	}
	return 0;
}
