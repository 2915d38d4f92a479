// SPDX-License-Identifier: MIT
// Did you mean: the closest valid name by edit distance (optimal string
// alignment: a swap of neighbours counts one, the commonest typo).
#include "suggest.h"

#include <stdio.h>
#include <string.h>

#define PT_SUGGEST_MAX 256

int pt_edit_distance(const char *a, const char *b)
{
	static const int cap = PT_SUGGEST_MAX - 1;
	size_t la = strlen(a), lb = strlen(b);
	int d[3][PT_SUGGEST_MAX]; /* row i at d[i % 3] */

	la = la > (size_t)cap ? (size_t)cap : la;
	lb = lb > (size_t)cap ? (size_t)cap : lb;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int *cur = d[i % 3], *prev = d[(i + 2) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1], v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

const char *pt_suggest(const char *word, const char *const *names, int n)
{
	const char *best = NULL;
	int best_d = 1 << 30;
	size_t lw = strlen(word);

	if (!lw)
		return NULL;
	for (int i = 0; i < n; i++) {
		int d = pt_edit_distance(word, names[i]);

		/* "count" for "cou": a prefix is as good as one edit. */
		if (strncmp(names[i], word, lw) == 0 && d > 1)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	/* Close enough: about a third of the word may be wrong, at least one
	 * letter, at most three. */
	return best && best_d <= (lw < 6 ? 1 : lw < 9 ? 2 : 3) ? best : NULL;
}

void pt_suggest_append(char *buf, size_t len, const char *word, const char *const *names,
		       int n)
{
	const char *s = pt_suggest(word, names, n);
	size_t used = strlen(buf);

	if (s && used < len)
		used += (size_t)snprintf(buf + used, len - used, "; did you mean '%s'?", s);
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, " (valid: ");
	for (int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
	if (used < len)
		snprintf(buf + used, len - used, ")");
}
