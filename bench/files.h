/* SPDX-License-Identifier: MIT */
/* Files of a run: whole files written to an exclusive temporary name next
 * to their final one and renamed into place, with every temporary name in
 * flight known, so that any way out (a second signal included) removes it;
 * and removing a directory tree with system calls only. */
#ifndef PT_FILES_H
#define PT_FILES_H

#include <limits.h>
#include <stdio.h>

struct pt_tmp {
	FILE *f;
	int slot; /* in the registry of temporary names */
	char final[PATH_MAX];
};

/* Opens @dir/.@name.XXXXXX (mode 0644) for writing, to become @dir/@name.
 * 0 or a negative errno; on failure nothing is left behind. */
int pt_tmp_open(struct pt_tmp *t, const char *dir, const char *name);
/* The temporary name of @t (valid until commit or abort). */
const char *pt_tmp_path(const struct pt_tmp *t);
/* Flushes, syncs, closes and renames @t into place: the file appears whole
 * or not at all. 0 or a negative errno (then the temporary is removed). */
int pt_tmp_commit(struct pt_tmp *t);
/* Links @t to its final name only if that name is free (-EEXIST if not),
 * else as pt_tmp_commit(), but keeps it open at its final name: for a file
 * the run appends to (results.csv). */
int pt_tmp_claim(struct pt_tmp *t, int replace);
/* Closes and removes @t. */
void pt_tmp_abort(struct pt_tmp *t);
/* Removes every temporary name in flight. Async-signal-safe. */
void pt_tmp_unlink_all(void);

/* Removes @path and the tree under it, without following links, with
 * system calls only (async-signal-safe); best effort. */
void pt_rm_tree(const char *path);

#endif
