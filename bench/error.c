// SPDX-License-Identifier: MIT
// Driver diagnostics.
#include "error.h"

#include "term.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

size_t pt_utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

const char *pt_shown(const char *s, size_t max, char *buf, size_t n)
{
	size_t o = 0, k, chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < n; p += k) {
		k = pt_utf8_len(p);
		if (chars++ >= max) {
			o += (size_t)snprintf(buf + o, n - o, "...");
			break;
		}
		if (k == 0 || *p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *p);
			k = 1;
		} else {
			memcpy(buf + o, p, k);
			o += k;
		}
	}
	buf[o < n ? o : n - 1] = '\0';
	return buf;
}

/* On a terminal, wrapped to its width like the rest of what ptbench
 * shows; into a file or a pipe, one line a message (for grep and logs). */
static void vsay(const char *kind, const char *fmt, va_list ap)
{
	char msg[2048], shown[4 * sizeof(msg)], text[sizeof(shown) + 64];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(text, sizeof(text), "ptbench: %s%s", kind,
		 pt_shown(msg, sizeof(msg), shown, sizeof(shown)));
	if (isatty(STDERR_FILENO))
		pt_put_message(stderr, text, pt_term_width(stderr), 2);
	else
		fprintf(stderr, "%s\n", text);
}

void pt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning: ", fmt, ap);
	va_end(ap);
}

void pt_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

const char *pt_usage_command;

int pt_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'ptbench %s%s--help'.\n", pt_usage_command ? pt_usage_command : "",
		pt_usage_command ? " " : "");
	return PT_EXIT_USAGE;
}
