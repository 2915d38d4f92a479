/* SPDX-License-Identifier: MIT */
/* Driver diagnostics: one prefix, printf-checked formats (rt-tests'
 * rt-error.h, with the format attributes it lacks). */
#ifndef PT_ERROR_H
#define PT_ERROR_H

#define PT_EXIT_OK 0
#define PT_EXIT_FAILED 1
#define PT_EXIT_USAGE 2
#define PT_EXIT_INT 130
#define PT_EXIT_TERM 143

void pt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A bad option or value: message, a hint to --help, exit 2. */
_Noreturn void pt_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void pt_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
