/*
 * compute.h - evaluating an indicator's formula year by year over one
 * region's data: the yearly series every later stage (assessment,
 * forecasts, reports) works from.
 */
#ifndef PLANEVAL_COMPUTE_H
#define PLANEVAL_COMPUTE_H

#include "dataset.h"
#include "plan.h"

/* Called for every data cell a formula reads (for `planeval explain`). */
typedef void (*trace_fn)(void *ctx, int var, const formula_filter *filters, int nfilters,
                         int year, const char *path, int line, fvalue v);

typedef struct eval_context {
    const plan *p;
    const catalogue *cat;
    const symtab *syms;
    const dictionary *dict;
    const region_data *r;
    int window[2];        /* values of window_start / window_end */
    /* A member's figure (a target with `each:`): variables of a table with
     * dimension member_dim read only the rows of member. NULL: all rows. */
    const char *member_dim;
    const char *member;
    trace_fn trace;       /* may be NULL */
    void *trace_ctx;
} eval_context;

/* One year of an indicator: the value, and for ratios its parts. */
typedef struct year_value {
    fvalue value;
    fvalue num, den;      /* FV_UNDEFINED when the indicator is not a ratio */
    double scale;
} year_value;

/* Evaluate expression e (of indicator ind, for parameter scope) in year. */
fvalue compute_expr(const eval_context *ec, const indicator *ind, const expr_def *e, int year);

/* Value of indicator ind in year: scale * num / den for ratios. */
year_value compute_indicator(const eval_context *ec, const indicator *ind, int year);

/*
 * If ind's numerator (or formula) is exactly one reference to a count
 * variable (deaths, accidents), return its dictionary id; else -1. Such
 * indicators are small-count figures and are labelled so.
 */
int indicator_count_var(const eval_context *ec, const indicator *ind);

/*
 * The unit of the count a figure rests on (人 for deaths, 起 for events
 * counted by count()/count_if() over a table whose rows the dictionary
 * names with row_unit), or NULL when the figure rests on no count.
 */
const char *indicator_count_unit(const eval_context *ec, const indicator *ind);
/* The unit of a ratio's denominator when it too is a count (17 个 towns, 4 起 fires), or NULL. */
const char *indicator_total_unit(const eval_context *ec, const indicator *ind);

/*
 * The count behind a count-based indicator (e.g. ps_deaths{sector="道路交通"}
 * for a road death rate) in the year yv was computed for: its numerator, or
 * its value when it is a plain count, filters included, taken from yv rather
 * than evaluated again. FV_UNDEFINED when ind is not count-based.
 */
fvalue indicator_count(const eval_context *ec, const indicator *ind, const year_value *yv);
/* Text of that count's expression, or NULL. */
const char *indicator_count_text(const eval_context *ec, const indicator *ind);


#endif
