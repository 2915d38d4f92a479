// SPDX-License-Identifier: MIT
// Driver diagnostics.
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void vsay(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "ptbench: %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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

void pt_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'ptbench --help'.\n");
	exit(PT_EXIT_USAGE);
}

void pt_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
	exit(PT_EXIT_FAILED);
}
