/* SPDX-License-Identifier: MIT */
/* Text for the terminal: its width, and text laid out within a width
 * (UTF-8 aware padding, word wrapping). */
#ifndef PT_TERM_H
#define PT_TERM_H

#include <stddef.h>
#include <stdio.h>

#define PT_TERM_MIN 40	/* narrower is taken as this */
#define PT_TERM_MAX 400 /* wider is taken as this */

/* The width to lay text out in for @f: $COLUMNS when it is a number, else
 * the terminal's (TIOCGWINSZ) when @f is one, else 80. */
int pt_term_width(FILE *f);

/* Display columns of @s (UTF-8: one a code point). */
int pt_text_cols(const char *s);

/* @s padded with blanks to @w columns, on the right (@right: on the left). */
void pt_put_padded(FILE *f, const char *s, int w, int right);

/* The next line of @s (which starts with no blank; words split at blanks) that fits @w columns: its
 * length in bytes; *@next is where the line after it starts. A word longer
 * than @w is cut. Returns 0 at the end of @s. */
size_t pt_wrap_line(const char *s, int w, const char **next);

/* @text word-wrapped to @width columns, lines after the first indented by
 * @indent blanks. */
void pt_put_wrapped(FILE *f, const char *text, int width, int indent);

/* A message (a warning, an error) word-wrapped like pt_put_wrapped, but a
 * word wider than the line (a path, a command to paste) stays whole. */
void pt_put_message(FILE *f, const char *text, int width, int indent);

#endif
