/* SPDX-License-Identifier: MIT */
/* Driver diagnostics: one prefix, printf-checked formats (rt-tests'
 * rt-error.h, with the format attributes it lacks). Messages never exit:
 * the caller returns the status they give. Bytes other than printable
 * ASCII and well-formed UTF-8 are shown as \xHH, so that no value from
 * outside reaches the terminal raw. */
#ifndef PT_ERROR_H
#define PT_ERROR_H

#include <stddef.h>

#define PT_EXIT_OK 0
#define PT_EXIT_FAILED 1
#define PT_EXIT_USAGE 2
#define PT_EXIT_INT 130
#define PT_EXIT_TERM 143

void pt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A bad option or value: the message and a hint to --help. Returns
 * PT_EXIT_USAGE. */
int pt_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The command whose --help the hint names ("run"); NULL: the program's. */
extern const char *pt_usage_command;

/* Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
size_t pt_utf8_len(const unsigned char *s);
/* @s for a message into @buf: at most @max characters (then "..."), bytes
 * other than printable ASCII and well-formed UTF-8 as \xHH. */
const char *pt_shown(const char *s, size_t max, char *buf, size_t n);

#endif
