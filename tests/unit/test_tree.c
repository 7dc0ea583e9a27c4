/* The cgroup tree on --sysroot fixtures of plain directories: walk order
 * and inodes, cgroups removed during a walk, process lists, links, and
 * paths longer than PATH_MAX. */
#include "fixture.h"

#include <limits.h>
#include <sys/stat.h>

#include "core/tree.h"

#define MNT "/sys/fs/cgroup/memory"

struct fx {
	struct mc_mounts m;
	const struct mc_hier *h;
};

static void load(struct fx *f, const char *mount_root)
{
	char line[256];
	struct mc_error e;

	snprintf(line, sizeof(line),
		 "34 30 0:31 %s " MNT " rw,relatime - cgroup cgroup "
		 "rw,memory\n", mount_root);
	fixture_write("/proc/self/mountinfo", line);
	assert_int_equal(mc_mounts_load(&f->m, root, &e), 0);
	f->h = mc_mounts_memory(&f->m, NULL, &e);
	assert_non_null(f->h);
}

/* A hierarchy /, /a, /a/b, /a/b/c, /d mounted at MNT. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	fixture_tree("tree");
	fixture_mkdir("/proc/self");
	fixture_mkdir(MNT "/a/b/c");
	fixture_mkdir(MNT "/d");
	fixture_write(MNT "/cgroup.procs", "1\n");
	fixture_write(MNT "/a/memory.usage_in_bytes", "0\n");
	load(f, "/");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mc_mounts_free(&f->m);
	fixture_remove();
	free(f);
	return 0;
}

struct seen {
	char path[16][64], rel[16][64];
	uint64_t ino[16];
	unsigned depth[16];
	size_t n;
	const char *stop_at;	/* return 7 here */
	bool remove_other;	/* visiting x or y removes the other */
};

static int collect(void *arg, const struct mc_tree_node *node,
		   struct mc_error *e)
{
	struct seen *s = arg;

	(void)e;
	assert_true(s->n < 16);
	snprintf(s->path[s->n], sizeof(s->path[0]), "%s", node->path);
	snprintf(s->rel[s->n], sizeof(s->rel[0]), "%s", node->rel);
	s->depth[s->n] = node->depth;
	s->ino[s->n++] = node->ino;
	if (s->remove_other && !strcmp(node->path, "/x"))
		assert_int_equal(rmdir(fixture_path(MNT "/y")), 0);
	if (s->remove_other && !strcmp(node->path, "/y"))
		assert_int_equal(rmdir(fixture_path(MNT "/x")), 0);
	return s->stop_at && !strcmp(node->path, s->stop_at) ? 7 : 0;
}

static ssize_t find(const struct seen *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->path[i], path))
			return (ssize_t)i;
	return -1;
}

static void parents_first_with_inodes(void **state)
{
	struct fx *f = *state;
	static const char *const want[][2] = {
		{ "/", "." }, { "/a", "a" }, { "/a/b", "a/b" },
		{ "/a/b/c", "a/b/c" }, { "/d", "d" },
	};
	struct seen s = { 0 };
	struct mc_error e;

	assert_int_equal(mc_tree_walk(&f->m, f->h, ".", collect, &s, &e), 0);
	assert_int_equal(s.n, 5);
	for (size_t i = 0; i < 5; i++) {
		char dir[128];
		ssize_t k = find(&s, want[i][0]);

		assert_true(k >= 0);
		assert_string_equal(s.rel[k], want[i][1]);
		snprintf(dir, sizeof(dir), MNT "/%s", want[i][1]);
		assert_int_equal(s.ino[k], fixture_ino(dir));
	}
	assert_int_equal(find(&s, "/"), 0);
	assert_true(find(&s, "/a") < find(&s, "/a/b"));
	assert_true(find(&s, "/a/b") < find(&s, "/a/b/c"));
}

static void walk_below_and_stop(void **state)
{
	struct fx *f = *state;
	struct seen s = { 0 };
	struct mc_error e;

	assert_int_equal(mc_tree_walk(&f->m, f->h, "a/b", collect, &s, &e),
			 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.path[0], "/a/b");
	assert_string_equal(s.rel[0], "a/b");
	assert_string_equal(s.path[1], "/a/b/c");
	assert_string_equal(s.rel[1], "a/b/c");
	memset(&s, 0, sizeof(s));
	s.stop_at = "/a/b";
	assert_int_equal(mc_tree_walk(&f->m, f->h, "a", collect, &s, &e), 7);
	assert_int_equal(s.n, 2);
	assert_int_equal(mc_tree_walk(&f->m, f->h, "nope", collect, &s, &e),
			 -1);
	assert_int_equal(e.code, ENOENT);
}

/* The mount's root is /ctr: hierarchy paths start with it. */
/* depth counts from the start; deeper directories are not visited */
static void walk_to_a_depth(void **state)
{
	struct fx *f = *state;
	struct seen s = { 0 };
	struct mc_error e;

	assert_int_equal(mc_tree_walk_depth(&f->m, f->h, ".", 0, collect, &s,
					    &e), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.path[0], "/");
	memset(&s, 0, sizeof(s));
	assert_int_equal(mc_tree_walk_depth(&f->m, f->h, "a", 1, collect, &s,
					    &e), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.depth[find(&s, "/a")], 0);
	assert_int_equal(s.depth[find(&s, "/a/b")], 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(mc_tree_walk(&f->m, f->h, ".", collect, &s, &e), 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.depth[find(&s, "/a/b/c")], 3);
	assert_int_equal(s.depth[find(&s, "/d")], 1);
}

static void mount_root_below_top(void **state)
{
	struct fx *f = *state;
	struct seen s = { 0 };
	struct mc_error e;

	mc_mounts_free(&f->m);
	load(f, "/ctr");
	assert_int_equal(mc_tree_walk(&f->m, f->h, "a/b", collect, &s, &e),
			 0);
	assert_string_equal(s.path[0], "/ctr/a/b");
	assert_string_equal(s.rel[0], "a/b");
	assert_string_equal(s.path[1], "/ctr/a/b/c");
	memset(&s, 0, sizeof(s));
	assert_int_equal(mc_tree_walk(&f->m, f->h, ".", collect, &s, &e), 0);
	assert_string_equal(s.path[0], "/ctr");
	assert_string_equal(s.rel[0], ".");
}

/* Whichever of x and y comes first removes the other: the walk leaves it
 * out and goes on. */
static void removed_during_walk(void **state)
{
	struct fx *f = *state;
	struct seen s = { 0 };
	struct mc_error e;

	fixture_mkdir(MNT "/x");
	fixture_mkdir(MNT "/y");
	s.remove_other = true;
	assert_int_equal(mc_tree_walk(&f->m, f->h, ".", collect, &s, &e), 0);
	assert_true((find(&s, "/x") < 0) != (find(&s, "/y") < 0));
	assert_int_equal(s.n, 6);
}

static void links_not_followed(void **state)
{
	struct fx *f = *state;
	struct seen s = { 0 };
	struct mc_error e;
	pid_t *pids;
	size_t n;

	assert_int_equal(symlink(fixture_path(MNT "/a"),
				 fixture_path(MNT "/d/link")),
			 0);
	assert_int_equal(mc_tree_walk(&f->m, f->h, "d", collect, &s, &e), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(mc_tree_procs(&f->m, f->h, "d/link", &pids, &n, &e),
			 -1);
	/* O_DIRECTORY | O_NOFOLLOW on a link: ENOTDIR on Linux */
	assert_true(e.code == ENOTDIR || e.code == ELOOP);
}

static void procs_sorted_and_enoent(void **state)
{
	struct fx *f = *state;
	struct mc_error e;
	pid_t *pids;
	size_t n;

	fixture_write(MNT "/a/cgroup.procs", "300\n12\n4242\n7\n");
	assert_int_equal(mc_tree_procs(&f->m, f->h, "a", &pids, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_int_equal(pids[0], 7);
	assert_int_equal(pids[1], 12);
	assert_int_equal(pids[2], 300);
	assert_int_equal(pids[3], 4242);
	free(pids);
	fixture_write(MNT "/d/cgroup.procs", "");
	assert_int_equal(mc_tree_procs(&f->m, f->h, "d", &pids, &n, &e), 0);
	assert_int_equal(n, 0);
	free(pids);
	assert_int_equal(mc_tree_procs(&f->m, f->h, "a/none", &pids, &n, &e),
			 -1);
	assert_int_equal(e.code, ENOENT);
	assert_null(pids);
	assert_int_equal(n, 0);
	/* a directory without cgroup.procs is no cgroup either */
	assert_int_equal(mc_tree_procs(&f->m, f->h, "a/b", &pids, &n, &e),
			 -1);
	assert_int_equal(e.code, ENOENT);
}

#define LEVELS 24
#define NAMELEN 200

/* The deepest cgroup of a chain of LEVELS directories with NAMELEN-byte
 * names below /d, made through descriptors; returns its descriptor. */
static int make_deep(char *rel, size_t len)
{
	char name[NAMELEN + 1];
	int fd = open(fixture_path(MNT "/d"), O_RDONLY | O_DIRECTORY);

	snprintf(rel, len, "d");
	for (int i = 0; i < LEVELS; i++) {
		int next;

		memset(name, 'a' + i % 26, NAMELEN);
		name[NAMELEN] = '\0';
		assert_int_equal(mkdirat(fd, name, 0755), 0);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
		strcat(rel, "/");
		strcat(rel, name);
	}
	return fd;
}

struct deepest {
	size_t longest;
	uint64_t ino;
};

static int note_deepest(void *arg, const struct mc_tree_node *node,
			struct mc_error *e)
{
	struct deepest *d = arg;

	(void)e;
	assert_int_equal(strlen(node->path), strlen(node->rel) + 1);
	if (strlen(node->path) > d->longest) {
		d->longest = strlen(node->path);
		d->ino = node->ino;
	}
	return 0;
}

static void deeper_than_path_max(void **state)
{
	struct fx *f = *state;
	char rel[LEVELS * (NAMELEN + 1) + 8], hpath[sizeof(rel) + 1];
	int fd = make_deep(rel, sizeof(rel));
	struct deepest d = { 0 };
	struct mc_inomap map;
	struct mc_error e;
	struct stat st;
	pid_t *pids;
	size_t n;
	int pfd;

	assert_true(strlen(rel) > PATH_MAX);
	assert_int_equal(fstat(fd, &st), 0);
	pfd = openat(fd, "cgroup.procs", O_WRONLY | O_CREAT, 0644);
	assert_int_equal(write(pfd, "42\n5\n", 5), 5);
	close(pfd);
	close(fd);
	assert_int_equal(mc_tree_walk(&f->m, f->h, "d", note_deepest, &d, &e),
			 0);
	assert_int_equal(d.longest, strlen(rel) + 1);
	assert_int_equal(d.ino, st.st_ino);
	assert_int_equal(mc_tree_procs(&f->m, f->h, rel, &pids, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], 5);
	free(pids);
	assert_int_equal(mc_inomap_build(&map, &f->m, f->h, &e), 0);
	snprintf(hpath, sizeof(hpath), "/%s", rel);
	assert_string_equal(mc_inomap_path(&map, st.st_ino), hpath);
	assert_int_equal(mc_inomap_ino(&map, hpath), st.st_ino);
	mc_inomap_free(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(parents_first_with_inodes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(walk_below_and_stop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(walk_to_a_depth, setup,
						teardown),
		cmocka_unit_test_setup_teardown(mount_root_below_top, setup,
						teardown),
		cmocka_unit_test_setup_teardown(removed_during_walk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(links_not_followed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(procs_sorted_and_enoent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(deeper_than_path_max, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
