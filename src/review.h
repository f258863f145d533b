/*
 * review.h - the data-quality review (数据质量审核) of a plan's data, before
 * anything is judged: questions to put to the departments, not errors
 * (values that break a variable's rules are already errors of the loader).
 *
 * For each variable the plan reads, over the evaluation's years:
 *   missing   years without a value (listed together);
 *   range     a value outside the variable's declared `plausible: [min, max]`;
 *   jump      a value more than REVIEW_JUMP_FACTOR times the previous
 *             year's, or less than its 1/REVIEW_JUMP_FACTOR (counts only
 *             when both years are at least REVIEW_MIN_COUNT: small counts
 *             move by chance);
 * and for each indicator in percent read as one variable over another in
 * the same unit (a part of a whole: villages covered / villages):
 *   part      a numerator above its denominator.
 * Totals are sums of their parts by construction (a `rows` table sums its
 * rows), so no separate total is compared.
 */
#ifndef PLANEVAL_REVIEW_H
#define PLANEVAL_REVIEW_H

#include <stdio.h>
#include <time.h>

#include "compute.h"
#include "labels.h"

#define REVIEW_JUMP_FACTOR 3.0
#define REVIEW_MIN_COUNT 20

typedef enum review_check { RC_MISSING, RC_JUMP, RC_PART, RC_RANGE } review_check;

typedef struct review_note {
    review_check check;
    int var;             /* RC_MISSING, RC_JUMP; -1 for RC_PART */
    int ind;             /* RC_PART; else the first indicator reading var */
    int year, year2;     /* RC_MISSING: one run of missing years year..year2 */
    double value, other; /* RC_JUMP: value (year) and the previous; RC_PART: num, den;
                          * RC_RANGE: value and the bound it passes */
} review_note;

typedef struct review {
    review_note *notes;
    size_t n, cap;
} review;

/* Review the data of the plan of ec over first..last. */
void review_plan(review *rv, const eval_context *ec, int first, int last);
void review_free(review *rv);

/* One line per note, for `planeval check` (analysts: names and figures). */
void review_print(const review *rv, const eval_context *ec, FILE *out);

/* The review as CSV for the departments, one row per note, in department
 * order, with the Chinese wording of templates/collect.yaml (section
 * review). Returns 0 or -1 (write error). */
int review_write_csv(const review *rv, const eval_context *ec, const labels *words, FILE *out);

/* The same as a workbook with a sheet per department (numbered: "1 县卫生健康局"),
 * the answer column highlighted; created: the document date (deterministic
 * output). Returns 0 or -1. */
int review_write_xlsx(const review *rv, const eval_context *ec, const labels *words,
                      const char *path, time_t created);

#endif
