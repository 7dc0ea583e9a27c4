/* The knob's crash-safety records: the run directory that holds them,
 * checked before use, and one record's format. Every access to a record is
 * relative to a descriptor of that directory and never follows a link: root
 * reads these files and writes what they say into cgroups. */
#ifndef MEMCG_RECORD_H
#define MEMCG_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* A record is four short lines; a larger file is not one. */
#define MC_RECORD_MAX 8192

struct mc_record {
	char dir[4096];		     /* the cgroup's directory, absolute */
	unsigned long long dev, ino; /* its st_dev and st_ino */
	int old;		     /* the knob's value to restore, 0..3 */
};

/* The directory of the records: $MEMCG_RUNDIR or /run/memcg. */
const char *mc_rundir(void);

/* Open the run directory (O_RDONLY), made with mode 0700 first when create
 * is set. Refused unless it is a directory, not a symbolic link, owned by
 * root or the caller and not writable by its group or others: whoever can
 * write there can make root restore what they like. A directory that does
 * not exist is ENOENT in e->code. */
int mc_rundir_open(bool create, struct mc_error *e);

/* The record's file name for a cgroup: "knob-DEV-INO". */
void mc_record_name(char *buf, size_t len, unsigned long long dev,
		    unsigned long long ino);
/* Whether a name in the run directory is a record ("knob-...") or the
 * temporary file of one being written ("knob-....tmp"). */
bool mc_record_is_name(const char *name, bool *tmp);

/* Parse len bytes: the lines dir=, dev=, ino=, old=, each once and each
 * ending with a newline; dir absolute, dev and ino decimal, old 0 to 3.
 * Anything else is EBADMSG with the reason in e. */
int mc_record_parse(const char *buf, size_t len, struct mc_record *r,
		    struct mc_error *e);

/* Write r under name in the run directory open at rfd: written to
 * name.tmp (a leftover of that name removed first, never followed; created
 * O_EXCL, mode 0600), synced, then renamed to name. Holds a shared flock on
 * rfd meanwhile: the repair removes other runs' .tmp files only under an
 * exclusive one. */
int mc_record_write(int rfd, const char *name, const struct mc_record *r,
		    struct mc_error *e);

/* Read and parse the record name in rfd: a regular file only (a FIFO would
 * block, a link to /dev/zero never end), opened without following a link or
 * blocking, at most MC_RECORD_MAX bytes. */
int mc_record_read(int rfd, const char *name, struct mc_record *r,
		   struct mc_error *e);

#endif
