/*
 * numtext.h - the one rule set for a number written as text, shared by the
 * CSV loader and the workbook import (docs/data-files.md, "Numbers").
 *
 * Accepted, and read as the plain decimal they stand for:
 *   - ASCII decimals: 1234, -3.5, 1e3;
 *   - full-width digits, point and signs (１２３．５, －, ＋) and U+2212 minus,
 *     as Chinese input methods type them;
 *   - thousands separators (',' or '，') that group exactly three digits
 *     after a first group of one to three: 1,234,567.5 (a comma is never a
 *     decimal point in Chinese statistics);
 *   - a trailing '%' or '％' on a share (kind share, 0-100 in percent): 85%
 *     is 85.
 * Refused, with a hint that says what to write: anything else, in
 * particular a bound or estimate (＜5, ≥95, 约300), '%' on a variable that
 * is not a share, badly grouped separators (1,23), a unit after the number
 * (300人), spaces inside a number. Never a silently different number.
 */
#ifndef PLANEVAL_NUMTEXT_H
#define PLANEVAL_NUMTEXT_H

#include <stddef.h>

/*
 * Read s (surrounding ASCII/ideographic spaces ignored) as a number.
 * share: 1 when the variable is a share (a trailing % is allowed).
 * Returns 0 and *out, or -1 with a hint (in English, for the analyst) in
 * hint: "" when the text is simply not a number.
 */
int numtext_parse(const char *s, int share, double *out, char *hint, size_t hintsize);

#endif
