/* SPDX-License-Identifier: MIT */
/* "did you mean X?" for a misspelled name, and the list of valid ones. */
#ifndef PT_SUGGEST_H
#define PT_SUGGEST_H

#include <stddef.h>

/* Edit distance between @a and @b (insertions, deletions, substitutions,
 * and swaps of neighbours count 1), at most 255 compared bytes. */
int pt_edit_distance(const char *a, const char *b);

/* The name of @names (@n of them) closest to @word, when it is close enough
 * to be a misspelling of it (or starts with it); NULL otherwise. */
const char *pt_suggest(const char *word, const char *const *names, int n);

/* Writes "; did you mean 'X'? (valid: a, b, c)" (without the question when
 * nothing is close) after the text already in @buf. */
void pt_suggest_append(char *buf, size_t len, const char *word, const char *const *names,
		       int n);

#endif
