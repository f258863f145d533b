/*
 * xlsplit.h - a spreadsheet formula within Excel's limits: at most 8,192
 * characters, 255 arguments to a function and 64 levels of nesting.
 * Beyond them Excel refuses the formula and LibreOffice shows #N/A (min()
 * over 5,000 items printed 50,031 characters).
 *
 * A longer formula is split through helper cells, without changing what
 * it computes:
 *   - MIN, MAX, SUM, COUNT over too many arguments or too long become the
 *     same function over chunks, each chunk in a helper cell (COUNT's
 *     chunks are summed; a MIN/MAX chunk with no number is "", which the
 *     outer MIN/MAX ignores as it ignores blank cells);
 *   - a chain a+b-c+... or a*b/c*... is cut into left prefixes, each in a
 *     helper cell that the next one continues (the order of the operations
 *     is kept, so the rounding is the same);
 *   - a long argument or parenthesised part is moved whole into a helper.
 * A single reference is never moved (a blank cell would read as 0).
 * References without a sheet are qualified with the formula's own sheet
 * when they move.
 */
#ifndef PLANEVAL_XLSPLIT_H
#define PLANEVAL_XLSPLIT_H

#include <stddef.h>

/* Excel's limits (characters, not bytes). */
#define XL_CELL_MAX 32767 /* a cell's text: longer ones are cut, with a note */
#define XL_FORMULA_MAX 8192
#define XL_ARGS_MAX 255
#define XL_NESTING_MAX 64

/*
 * Write helper formula text (with its leading "=") into a new cell and
 * its reference, qualified with a sheet ("'计算辅助'!A2"), into ref.
 * Returns 0, or -1 when it cannot.
 */
typedef int (*xl_place_fn)(void *ctx, const char *text, char *ref, size_t n);

/* 1 when formula is within the limits as it is (xl_fit then copies it). */
int xl_fits(const char *formula);

/*
 * formula (with its leading "=") within the limits: a copy when it fits,
 * else the split formula, its helpers given to place. home: the quoted
 * name of the formula's sheet ("'年度数据'"). Returns NULL when it cannot
 * be split (helpers already placed then stay unused); a formula of a form
 * it does not read (an array, a space) is kept as it is when short.
 */
char *xl_fit(const char *formula, const char *home, xl_place_fn place, void *ctx);

#endif
