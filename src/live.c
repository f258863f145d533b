/*
 * live.c - see live.h. Each formula mirrors one branch of assess.c; the
 * comments name it. Tolerances are written as literals: the same 1e-9
 * relative slack assess.c allows a figure computed in binary against a
 * target written in decimal.
 */
#include "live.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double tol(double x) { return 1e-9 * (fabs(x) > 1 ? fabs(x) : 1); }

/* A window of yearly cells: its range, cell count and years outside the columns. */
typedef struct win {
    char r[160];
    int k, out;
} win;

static int get_win(const live_refs *lr, int part, int y0, int y1, win *w)
{
    w->r[0] = '\0';
    w->out = 0;
    w->k = lr->range(lr->ctx, part, y0, y1, w->r, sizeof w->r, &w->out);
    return w->k > 0 ? 0 : -1;
}

/* "Some year of the window has no value" (assess.c: w->missing). */
static void add_missing(strbuf *sb, const win *w, const live_refs *lr)
{
    if (w->out > 0)
        sb_add(sb, "TRUE");
    else
        sb_printf(sb, "COUNT(%s)+COUNTIF(%s,\"%s\")<%d", w->r, w->r, lr->w_na, w->k);
}

/* The value of one year, "" when missing (a blank cell reads as 0 otherwise). */
static char *one_year(const live_refs *lr, int year)
{
    win w;
    if (get_win(lr, LIVE_VALUE, year, year, &w) != 0 || w.out)
        return NULL;
    return xasprintf("=IF(%s=\"\",\"\",%s)", w.r, w.r);
}

/* An aggregate over a window: missing if a year is; not applicable if no year has a value. */
static char *window_figure(const live_refs *lr, int y0, int y1, const char *fn)
{
    win w;
    if (get_win(lr, LIVE_VALUE, y0, y1, &w) != 0)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "=IF(");
    add_missing(&sb, &w, lr);
    sb_printf(&sb, ",\"\",IF(COUNT(%s)=0,\"%s\",%s(%s)))", w.r, lr->w_na, fn, w.r);
    return sb_take(&sb);
}

/* window_ratio: scale * sum of numerators / sum of denominators (aggregate_value). */
static char *window_ratio(const indicator_result *ir, const target_result *tr, const live_refs *lr)
{
    win v, n, d;
    if (get_win(lr, LIVE_VALUE, tr->window[0], tr->window[1], &v) != 0 ||
        get_win(lr, LIVE_NUMERATOR, tr->window[0], tr->window[1], &n) != 0 ||
        get_win(lr, LIVE_DENOMINATOR, tr->window[0], tr->window[1], &d) != 0)
        return NULL;
    year_value yv = result_year(ir, tr->assessed_year);
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "=IF(");
    add_missing(&sb, &v, lr);
    sb_printf(&sb, ",\"\",IF(OR(COUNT(%s)<%d,COUNT(%s)<%d),\"\",IF(SUM(%s)=0,\"%s\",%.17g*SUM(%s)/SUM(%s))))",
              n.r, n.k, d.r, d.k, d.r, lr->w_na, yv.scale, n.r, d.r);
    return sb_take(&sb);
}

/* every_year: the worst year's value (judge_comparison). */
static char *worst_year(const indicator_result *ir, const target_result *tr, const live_refs *lr)
{
    win w;
    if (get_win(lr, LIVE_VALUE, tr->window[0], tr->window[1], &w) != 0)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "=IF(COUNT(%s)>0,%s(%s),IF(", w.r,
              ir->ind->better == BETTER_HIGHER ? "MIN" : "MAX", w.r);
    add_missing(&sb, &w, lr);
    sb_printf(&sb, ",\"\",\"%s\"))", lr->w_na);
    return sb_take(&sb);
}

static int is_change(const target *t) { return t->op == OP_DECREASE || t->op == OP_INCREASE; }

int live_covered(const indicator_result *ir, const target_result *tr)
{
    const target *t = tr->t;
    int form = t->op <= OP_INCREASE || OP_IS_TREND(t->op);
    /* years left out: written out year by year for a window mean or total only */
    int excl = !t->exclude_when.f ||
               (!is_change(t) && (t->agg == AGG_WINDOW_MEAN || t->agg == AGG_WINDOW_SUM));
    /* A target over every member is judged on each member's rows, which the
     * sheet's yearly columns (the whole) do not hold: its figures stay fixed. */
    return ir->ind->kind == IND_QUANTITATIVE && !t->each && tr->window[0] <= tr->window[1] && form &&
           excl;
}

/* One year's value cell; 0 when the year is outside the workbook's columns. */
static int year_cell(const live_refs *lr, int year, char *buf, size_t n)
{
    int out = 0;
    return lr->range(lr->ctx, LIVE_VALUE, year, year, buf, n, &out) == 1 && !out;
}

/* Excel's limit on a formula's length: beyond it, the figure stays fixed. */
enum { FORMULA_MAX = 8000 };

static char *take_short(strbuf *sb)
{
    if (sb->len > FORMULA_MAX) {
        sb_free(sb);
        return NULL;
    }
    return sb_take(sb);
}

/*
 * A window mean or total with exclude_when (collect_window), year by year:
 * with X the year's condition and V its value, a year is missing when X is
 * "" or, not left out, V is; left out when X is a number other than 0.
 */
static char *excluded_figure(const target_result *tr, const live_refs *lr, int mean)
{
    strbuf miss, cnt, sum;
    sb_init(&miss);
    sb_init(&cnt);
    sb_init(&sum);
    sb_add(&miss, "0");
    sb_add(&cnt, "0");
    sb_add(&sum, "0");
    int ok = lr->exclude != NULL;
    for (int y = tr->window[0]; ok && y <= tr->window[1]; y++) {
        char v[160];
        if (!year_cell(lr, y, v, sizeof v)) {
            sb_add(&miss, "+1"); /* a year outside the columns has no value */
            continue;
        }
        char *x = lr->exclude(lr->ctx, y);
        if (!x) {
            ok = 0;
            break;
        }
        sb_printf(&miss, "+IF(%s=\"\",1,IF(AND(ISNUMBER(%s),%s<>0),0,IF(%s=\"\",1,0)))", x, x, x, v);
        sb_printf(&cnt, "+IF(%s=\"\",0,IF(AND(ISNUMBER(%s),%s<>0),0,IF(ISNUMBER(%s),1,0)))", x, x, x, v);
        sb_printf(&sum, "+IF(%s=\"\",0,IF(AND(ISNUMBER(%s),%s<>0),0,IF(ISNUMBER(%s),%s,0)))", x, x, x, v,
                  v);
        free(x);
    }
    strbuf sb;
    sb_init(&sb);
    if (ok) {
        sb_printf(&sb, "=IF((%s)>0,\"\",IF((%s)=0,\"%s\",(%s)", miss.s, cnt.s, lr->w_na, sum.s);
        if (mean)
            sb_printf(&sb, "/(%s)", cnt.s);
        sb_add(&sb, "))");
    }
    sb_free(&miss);
    sb_free(&cnt);
    sb_free(&sum);
    if (!ok) {
        sb_free(&sb);
        return NULL;
    }
    return take_short(&sb);
}

/*
 * falling / rising (judge_trend): over each pair of consecutive years with
 * a figure, the first year against the one before the window, the pairs
 * where a year is not beyond the one before (with assess.c's tolerance).
 * A failing pair decides; then a missing year; then no pair at all.
 */
static char *trend_verdict(const target_result *tr, const live_refs *lr)
{
    win w;
    if (get_win(lr, LIVE_VALUE, tr->window[0], tr->window[1], &w) != 0)
        return NULL;
    int down = tr->t->op == OP_FALLING;
    strbuf fails, pairs;
    sb_init(&fails);
    sb_init(&pairs);
    sb_add(&fails, "0");
    sb_add(&pairs, "0");
    char prev[160], cur[160];
    int have = year_cell(lr, tr->window[0] - 1, prev, sizeof prev);
    for (int y = tr->window[0]; y <= tr->window[1]; y++) {
        if (!year_cell(lr, y, cur, sizeof cur)) {
            have = 0;
            continue;
        }
        if (have) {
            sb_printf(&pairs, "+IF(AND(ISNUMBER(%s),ISNUMBER(%s)),1,0)", prev, cur);
            sb_printf(&fails, "+IF(AND(ISNUMBER(%s),ISNUMBER(%s)),IF(%s%c%s%c1E-9*MAX(1,ABS(%s)),0,1),0)",
                      prev, cur, cur, down ? '<' : '>', prev, down ? '-' : '+', prev);
        }
        memcpy(prev, cur, sizeof prev);
        have = 1;
    }
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "=IF((%s)>0,\"%s\",IF(", fails.s, lr->w_not_met);
    add_missing(&sb, &w, lr);
    sb_printf(&sb, ",\"%s\",IF((%s)=0,\"%s\",\"%s\")))", lr->w_insufficient, pairs.s,
              lr->w_insufficient, lr->w_met);
    sb_free(&fails);
    sb_free(&pairs);
    return take_short(&sb);
}

/* A period reading of a decrease/increase target (period_figure). */
static char *period_reading(const live_refs *lr, baseline_reading rd, int y0, int y1, int year)
{
    if (rd == BASE_YEAR)
        return one_year(lr, year);
    return window_figure(lr, y0, y1, rd == BASE_PERIOD_MEAN ? "AVERAGE" : "SUM");
}

char *live_current(const indicator_result *ir, const target_result *tr, const live_refs *lr)
{
    const target *t = tr->t;
    if (!live_covered(ir, tr))
        return NULL;
    if (is_change(t))
        return period_reading(lr, t->baseline.reading, tr->window[0], tr->window[1],
                              tr->assessed_year);
    if (OP_IS_TREND(t->op)) /* judge_trend: the last year's value */
        return one_year(lr, tr->window[1]);
    if (t->exclude_when.f)
        return excluded_figure(tr, lr, t->agg == AGG_WINDOW_MEAN);
    switch (t->agg) {
    case AGG_YEAR:
        if (tr->window[0] == tr->window[1] && tr->window[0] == tr->assessed_year)
            return one_year(lr, tr->assessed_year);
        return NULL; /* a year's value with an explicit window: rare, left fixed */
    case AGG_WINDOW_MEAN: return window_figure(lr, tr->window[0], tr->window[1], "AVERAGE");
    case AGG_WINDOW_SUM: return window_figure(lr, tr->window[0], tr->window[1], "SUM");
    case AGG_WINDOW_MAX: return window_figure(lr, tr->window[0], tr->window[1], "MAX");
    case AGG_WINDOW_MIN: return window_figure(lr, tr->window[0], tr->window[1], "MIN");
    case AGG_WINDOW_RATIO: return window_ratio(ir, tr, lr);
    case AGG_EVERY_YEAR: return worst_year(ir, tr, lr);
    }
    return NULL;
}

char *live_baseline(const indicator_result *ir, const target_result *tr, const live_refs *lr)
{
    const baseline_def *b = &tr->t->baseline;
    if (!live_covered(ir, tr) || !is_change(tr->t) || b->has_value)
        return NULL;
    return period_reading(lr, b->reading, b->period[0], b->period[1], b->year);
}

/* Both figures are numbers (not missing, not the not-applicable word). */
static void both_numbers(strbuf *sb, const live_refs *lr)
{
    sb_printf(sb, "AND(ISNUMBER(%s),ISNUMBER(%s))", lr->base, lr->cur);
}

char *live_change(const target_result *tr, const live_refs *lr)
{
    if (!is_change(tr->t))
        return NULL;
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "=IF(");
    both_numbers(&sb, lr);
    /* judge_change: (B - C) / B * 100 for a decrease, (C - B) / B * 100 for an increase */
    if (tr->t->op == OP_DECREASE)
        sb_printf(&sb, ",IF(ABS(%s)<=1E-9,\"\",(%s-%s)/%s*100),\"\")", lr->base, lr->base, lr->cur,
                  lr->base);
    else
        sb_printf(&sb, ",IF(ABS(%s)<=1E-9,\"\",(%s-%s)/%s*100),\"\")", lr->base, lr->cur, lr->base,
                  lr->base);
    return sb_take(&sb);
}

char *live_limit(const target_result *tr, const live_refs *lr)
{
    const target *t = tr->t;
    if (!is_change(t))
        return NULL;
    double by = t->has_by ? t->by : 0;
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "=IF(");
    both_numbers(&sb, lr);
    if (t->has_amount) /* judge_amount: B - amount or B + amount, also from zero */
        sb_printf(&sb, ",%s%c%.17g,\"\")", lr->base, t->op == OP_DECREASE ? '-' : '+', t->amount);
    else
        sb_printf(&sb, ",IF(ABS(%s)<=1E-9,0,%s*(100%c%.17g)/100),\"\")", lr->base, lr->base,
                  t->op == OP_DECREASE ? '-' : '+', by);
    return sb_take(&sb);
}

/* v satisfies t's comparison (target_compare), v a cell or range criterion. */
static void comparison(strbuf *sb, const target *t, const char *v)
{
    double g = t->op == OP_ZERO ? 0 : t->value, e = tol(g);
    switch (t->op) {
    case OP_LE: sb_printf(sb, "%s<=%.15g", v, g + e); break;
    case OP_LT: sb_printf(sb, "%s<%.15g", v, g - e); break;
    case OP_GE: sb_printf(sb, "%s>=%.15g", v, g - e); break;
    case OP_GT: sb_printf(sb, "%s>%.15g", v, g + e); break;
    case OP_EQ:
        if (g == 100)
            sb_printf(sb, "%s>=%.15g", v, g - e);
        else
            sb_printf(sb, "ABS(%s-%.17g)<=%.15g", v, g, e);
        break;
    default: sb_printf(sb, "ABS(%s)<=%.15g", v, e); break;
    }
}

/* every_year: the number of years with a value that fail the comparison. */
static void failing_years(strbuf *sb, const target *t, const char *r)
{
    double g = t->op == OP_ZERO ? 0 : t->value, e = tol(g);
    switch (t->op) {
    case OP_LE: sb_printf(sb, "COUNTIF(%s,\">%.15g\")", r, g + e); break;
    case OP_LT: sb_printf(sb, "COUNTIF(%s,\">=%.15g\")", r, g - e); break;
    case OP_GE: sb_printf(sb, "COUNTIF(%s,\"<%.15g\")", r, g - e); break;
    case OP_GT: sb_printf(sb, "COUNTIF(%s,\"<=%.15g\")", r, g + e); break;
    case OP_EQ:
        if (g == 100)
            sb_printf(sb, "(COUNT(%s)-COUNTIF(%s,\">=%.15g\"))", r, r, g - e);
        else
            sb_printf(sb, "(COUNT(%s)-COUNTIFS(%s,\">=%.15g\",%s,\"<=%.15g\"))", r, r, g - e, r,
                      g + e);
        break;
    default:
        sb_printf(sb, "(COUNT(%s)-COUNTIFS(%s,\">=%.15g\",%s,\"<=%.15g\"))", r, r, -e, r, e);
        break;
    }
}

static char *every_year_verdict(const target_result *tr, const live_refs *lr)
{
    win w;
    if (get_win(lr, LIVE_VALUE, tr->window[0], tr->window[1], &w) != 0)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "=IF(");
    failing_years(&sb, tr->t, w.r);
    sb_printf(&sb, ">0,\"%s\",IF(", lr->w_not_met);
    add_missing(&sb, &w, lr);
    sb_printf(&sb, ",\"%s\",IF(COUNT(%s)=0,\"%s\",\"%s\")))", lr->w_insufficient, w.r, lr->w_na,
              lr->w_met);
    return sb_take(&sb);
}

/* judge_change: insufficient, not applicable, zero baseline, then the change. */
static char *change_verdict(const target_result *tr, const live_refs *lr)
{
    const target *t = tr->t;
    const char *B = lr->base, *C = lr->cur;
    strbuf sb;
    sb_init(&sb);
    if (t->has_amount) {
        /* judge_amount: C against B -/+ amount, with tol() of that limit */
        char sign = t->op == OP_DECREASE ? '-' : '+';
        sb_printf(&sb, "=IF(OR(%s=\"\",%s=\"\"),\"%s\",IF(OR(%s=\"%s\",%s=\"%s\"),\"%s\",IF(",
                  B, C, lr->w_insufficient, B, lr->w_na, C, lr->w_na, lr->w_na);
        if (t->op == OP_DECREASE)
            sb_printf(&sb, "%s<=(%s%c%.17g)+1E-9*MAX(1,ABS(%s%c%.17g))", C, B, sign, t->amount, B,
                      sign, t->amount);
        else
            sb_printf(&sb, "%s>=(%s%c%.17g)-1E-9*MAX(1,ABS(%s%c%.17g))", C, B, sign, t->amount, B,
                      sign, t->amount);
        sb_printf(&sb, ",\"%s\",\"%s\")))", lr->w_met, lr->w_not_met);
        return sb_take(&sb);
    }
    sb_printf(&sb, "=IF(OR(%s=\"\",%s=\"\"),\"%s\",IF(OR(%s=\"%s\",%s=\"%s\"),\"%s\",IF(ABS(%s)<=1E-9,IF(",
              B, C, lr->w_insufficient, B, lr->w_na, C, lr->w_na, lr->w_na, B);
    if (t->op == OP_DECREASE)
        sb_printf(&sb, "%s<=1E-9", C);
    else
        sb_printf(&sb, "%s>1E-9", C);
    sb_printf(&sb, ",\"%s\",\"%s\"),IF(", lr->w_met, lr->w_not_met);
    if (t->has_by)
        sb_printf(&sb, "%s>=%.15g", lr->change, t->by - tol(t->by));
    else if (t->op == OP_DECREASE)
        sb_printf(&sb, "%s<%s-1E-9*MAX(1,ABS(%s))", C, B, B);
    else
        sb_printf(&sb, "%s>%s+1E-9*MAX(1,ABS(%s))", C, B, B);
    sb_printf(&sb, ",\"%s\",\"%s\"))))", lr->w_met, lr->w_not_met);
    return sb_take(&sb);
}

char *live_verdict(const indicator_result *ir, const target_result *tr, const live_refs *lr)
{
    const target *t = tr->t;
    if (!live_covered(ir, tr))
        return NULL;
    if (is_change(t))
        return change_verdict(tr, lr);
    if (OP_IS_TREND(t->op))
        return trend_verdict(tr, lr);
    if (t->agg == AGG_EVERY_YEAR)
        return every_year_verdict(tr, lr);
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "=IF(%s=\"\",\"%s\",IF(%s=\"%s\",\"%s\",IF(", lr->cur, lr->w_insufficient,
              lr->cur, lr->w_na, lr->w_na);
    comparison(&sb, t, lr->cur);
    sb_printf(&sb, ",\"%s\",\"%s\")))", lr->w_met, lr->w_not_met);
    return sb_take(&sb);
}

char *live_tracked(const target_result *tr, const char *status, const char *date,
                   const live_refs *lr, const char *not_due)
{
    const char *S = status;
    char *const *w = lr->ms_status;
    int due = tr->due;
    if (tr->t->op == OP_DONE) {
        /* done on time is met even before the year; done late is missed once due */
        if (!due)
            return xasprintf("=IF(%s=\"%s\",\"%s\",\"%s\")", S, w[MSS_DONE], lr->w_met, not_due);
        return xasprintf("=IF(%s=\"\",\"%s\",IF(%s=\"%s\",IF(VALUE(LEFT(%s,4))<=%d,\"%s\","
                         "\"%s\"),\"%s\"))",
                         S, lr->w_insufficient, S, w[MSS_DONE], date, tr->t->year, lr->w_met,
                         lr->w_not_met, lr->w_not_met);
    }
    if (!due)
        return NULL; /* a rating before its year is 未到期 whatever it says */
    return xasprintf("=IF(OR(%s=\"%s\",%s=\"%s\"),\"%s\",IF(%s=\"%s\",\"%s\",\"%s\"))", S,
                     w[MSS_ACHIEVED], S, w[MSS_MOSTLY_ACHIEVED], lr->w_met, S,
                     w[MSS_NOT_ACHIEVED], lr->w_not_met, lr->w_insufficient);
}
