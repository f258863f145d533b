/*
 * live.h - the workbook's live model: Excel formulas that reproduce
 * assess.c's figures and verdicts for one target from the yearly values
 * of 年度数据, so that an analyst who corrects a raw figure sees the
 * current value, baseline, change, limit and verdict follow.
 *
 * The caller says where things are: the yearly cells of the indicator (a
 * range per part: value, numerator, denominator) and the cells of the
 * target's own row (current value, baseline, change). A yearly cell holds a
 * number, "" (missing) or the not-applicable word (a zero denominator, no
 * events); the formulas tell them apart as assess.c does.
 *
 * Each function returns the formula text with its leading "=" (allocated),
 * or NULL when the target form has none (a milestone, an exclude_when
 * condition on a window other than a mean or total, or one with no
 * spreadsheet form, a year outside the workbook's columns): the caller then
 * writes planeval's value and marks it as fixed.
 */
#ifndef PLANEVAL_LIVE_H
#define PLANEVAL_LIVE_H

#include "assess.h"

enum { LIVE_VALUE, LIVE_NUMERATOR, LIVE_DENOMINATOR };

typedef struct live_refs {
    /*
     * The range of part's yearly cells for the years [y0, y1] clipped to the
     * workbook's columns ("'年度数据'!E5:I5"); returns the number of cells
     * (0: none, buf untouched) and sets *outside to the years left out.
     */
    int (*range)(void *ctx, int part, int y0, int y1, char *buf, size_t n, int *outside);
    void *ctx;
    /*
     * The target's exclude_when condition in year as a formula without its
     * "=": 1 (leave the year out), 0, "" (a missing input) or another word
     * (not applicable: the year is kept); NULL when it has no formula.
     */
    char *(*exclude)(void *ctx, int year);
    const char *cur, *base, *change, *verdict; /* cells of the target's row */
    /* milestones.csv's statuses by ms_role (the data dictionary's milestone_statuses) */
    char *const *ms_status;
    /* words: labels.yaml status (the yearly not-applicable word is w_na) */
    const char *w_met, *w_not_met, *w_insufficient, *w_na;
} live_refs;

char *live_current(const indicator_result *ir, const target_result *tr, const live_refs *lr);
char *live_baseline(const indicator_result *ir, const target_result *tr, const live_refs *lr);
char *live_change(const target_result *tr, const live_refs *lr);
char *live_limit(const target_result *tr, const live_refs *lr);
/* The verdict as if due (达标, 未达标, 数据不足, 不适用). */
char *live_verdict(const indicator_result *ir, const target_result *tr, const live_refs *lr);

/*
 * A milestone's or qualitative item's verdict (judge_tracked) over its row
 * of 里程碑: status, the cell of the latest status recorded up to the
 * evaluation year (a milestones.csv word, "" when none); date, the cell of
 * the date it was first recorded done or else of that status
 * ("2023-06-30"). Whether the target is due follows from the dates and is
 * written in. not_due: the word 未到期. The statuses are lr->ms_status's.
 */
char *live_tracked(const target_result *tr, const char *status, const char *date,
                   const live_refs *lr, const char *not_due);

/* Is target tr of ir judged by formulas (a quantitative target these cover)? */
int live_covered(const indicator_result *ir, const target_result *tr);

#endif
