/* The unit tests' fixture tree: a temporary directory that a test fills
 * with what a --sysroot holds (proc files, a memory hierarchy of plain
 * directories) and removes afterwards. There is one tree at a time, in
 * root: the tests of one executable run one after another. */
#ifndef MEMCG_UNIT_FIXTURE_H
#define MEMCG_UNIT_FIXTURE_H

#include "unit.h"

#include <dirent.h>
#include <sys/stat.h>

static char root[64];

/* A new tree in root: /tmp/memcg-NAME-XXXXXX. */
static inline void fixture_tree(const char *name)
{
	snprintf(root, sizeof(root), "/tmp/memcg-%s-XXXXXX", name);
	assert_non_null(mkdtemp(root));
}

/* The path of rel below root; rel may start with '/' (the path it stands
 * for on a real system) or not. Four buffers, as a call may take two. */
static inline const char *fixture_path(const char *rel)
{
	static char path[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s%s%s", root,
		 *rel == '/' ? "" : "/", rel);
	return path[i];
}

/* Make each directory of path (below root) that ends before a '/'. */
static inline void fixture_parents(char *path)
{
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
		*s = '/';
	}
}

/* The directory root/rel, with its parents. */
static inline void fixture_mkdir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/", fixture_path(rel));
	fixture_parents(path);
}

/* Write text to root/rel, creating the directories on the way. */
static inline void fixture_write(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s", fixture_path(rel));
	fixture_parents(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* One 64-bit entry at index i of a binary /proc file (pagemap, kpage*),
 * created if need be; the entries before it read 0. */
static inline void fixture_u64(const char *rel, uint64_t i, uint64_t v)
{
	int fd = open(fixture_path(rel), O_WRONLY | O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, 8, (off_t)(i * 8)), 8);
	close(fd);
}

/* The inode of root/rel: what the kernel's files name a cgroup by. */
static inline uint64_t fixture_ino(const char *rel)
{
	struct stat st;

	assert_int_equal(stat(fixture_path(rel), &st), 0);
	return st.st_ino;
}

/* Remove name below dfd and all it holds, through descriptors: a tree may
 * be deeper than PATH_MAX. Links are removed, not followed. */
static inline void fixture_remove_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *d;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		unlinkat(dfd, name, 0);
		return;
	}
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			fixture_remove_at(dirfd(dir), d->d_name);
	closedir(dir);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Remove the tree. */
static inline void fixture_remove(void)
{
	fixture_remove_at(AT_FDCWD, root);
}

#endif
