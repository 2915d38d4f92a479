// SPDX-License-Identifier: MIT
// The terminal's width and text laid out within it.
#include "term.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int clamp_width(long w)
{
	return w < PT_TERM_MIN ? PT_TERM_MIN : w > PT_TERM_MAX ? PT_TERM_MAX : (int)w;
}

int pt_term_width(FILE *f)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	int fd = fileno(f);

	if (env && *env >= '1' && *env <= '9') {
		char *end;
		long w;

		errno = 0;
		w = strtol(env, &end, 10);
		if (!errno && !*end)
			return clamp_width(w);
	}
	if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return clamp_width(ws.ws_col);
	return 80;
}

int pt_text_cols(const char *s)
{
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

void pt_put_padded(FILE *f, const char *s, int w, int right)
{
	int pad = w - pt_text_cols(s);

	if (!right)
		fputs(s, f);
	for (; pad > 0; pad--)
		fputc(' ', f);
	if (right)
		fputs(s, f);
}

/* Bytes of @s's first @cols display columns. */
static size_t cols_bytes(const char *s, int cols)
{
	size_t i = 0;

	for (int c = 0; s[i] && c <= cols; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++c > cols)
			break;
	return i;
}

size_t pt_wrap_line(const char *s, int w, const char **next)
{
	size_t len = 0, fit;

	if (!*s || w < 1) {
		*next = s;
		return 0;
	}
	fit = cols_bytes(s, w);
	if (!s[fit]) {
		len = fit;
	} else if (s[fit] == ' ') {
		len = fit;
	} else {
		for (len = fit; len > 0 && s[len - 1] != ' '; len--)
			;
		if (len == 0)
			len = fit; /* one word wider than the column: cut it */
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	*next = s + len;
	while (**next == ' ')
		(*next)++;
	return len;
}

void pt_put_wrapped(FILE *f, const char *text, int width, int indent)
{
	const char *s = text, *next;
	int first = 1;

	while (*s == ' ')
		s++;
	for (size_t len; (len = pt_wrap_line(s, first ? width : width - indent, &next)) > 0;
	     s = next, first = 0)
		fprintf(f, "%*s%.*s\n", first ? 0 : indent, "", (int)len, s);
}

void pt_put_message(FILE *f, const char *text, int width, int indent)
{
	const char *s = text, *next;

	while (*s == ' ')
		s++;
	for (int first = 1; *s; s = next, first = 0) {
		size_t len = pt_wrap_line(s, first ? width : width - indent, &next);
		size_t word = strcspn(s, " ");

		if (len < word) { /* cut inside its first word: keep it whole */
			len = word;
			for (next = s + word; *next == ' '; next++)
				;
		}
		fprintf(f, "%*s%.*s\n", first ? 0 : indent, "", (int)len, s);
	}
}
