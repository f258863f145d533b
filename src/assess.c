/*
 * assess.c - verdicts for every target of a plan.
 *
 * The rules, in short (docs/indicator-yaml.md has the user's version):
 *   - A target due after the evaluation year is NOT_YET_DUE; its figure so
 *     far is still computed and compared ("progress").
 *   - Any missing year the target needs makes it INSUFFICIENT, with the
 *     years named; nothing is interpolated.
 *   - Years that are not applicable (zero denominator, no events) are left
 *     out of window aggregates; if nothing is left, NOT_APPLICABLE.
 *   - A decrease against a zero baseline is read as "keep at zero".
 */
#include "assess.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *stage_name(stage s)
{
    static const char *const names[] = {"auto", "annual", "midterm", "final"};
    return names[s];
}

const char *verdict_name(verdict v)
{
    static const char *const names[] = {"met", "not_met", "not_yet_due", "insufficient_data",
                                        "not_applicable"};
    return names[v];
}

year_value result_year(const indicator_result *ir, int year)
{
    if (year < ir->first_year || year >= ir->first_year + ir->nyears) {
        year_value yv;
        memset(&yv, 0, sizeof yv);
        yv.value = yv.num = yv.den = fv_missing();
        yv.scale = 1;
        return yv;
    }
    return ir->years[year - ir->first_year];
}

/* Tolerance for comparing computed figures with targets written in decimal. */
static double tol(double x) { return 1e-9 * (fabs(x) > 1 ? fabs(x) : 1); }

int target_compare(target_op op, double v, double goal)
{
    double e = tol(goal);
    switch (op) {
    case OP_LE: return v <= goal + e;
    case OP_LT: return v < goal - e;
    case OP_GE: return v >= goal - e;
    case OP_GT: return v > goal + e;
    case OP_EQ: return fabs(v - goal) <= e || (goal == 100 && v >= 100 - e);
    case OP_ZERO: return fabs(v) <= e;
    default: return 0;
    }
}

static void add_year(char **list, int year)
{
    char *old = *list;
    *list = old ? xasprintf("%s %d", old, year) : xasprintf("%d", year);
    free(old);
}

/* What a window of years gives for one target. */
typedef struct window_stats {
    int nok, nundef;
    double sum, min, max;
    double num_sum, den_sum; /* ratios */
    int ratio_ok;            /* every used year had num and den */
    char *missing, *excluded, *undefined;
    double count_sum;
    int count_missing;
} window_stats;

static void window_stats_free(window_stats *w)
{
    free(w->missing);
    free(w->excluded);
    free(w->undefined);
}

static void collect_window(const eval_context *ec, const indicator_result *ir, const target *t,
                           const int window[2], int counted, window_stats *w)
{
    memset(w, 0, sizeof *w);
    w->ratio_ok = 1;
    eval_context wec = *ec;
    wec.window[0] = window[0];
    wec.window[1] = window[1];
    for (int y = window[0]; y <= window[1]; y++) {
        if (t->exclude_when.f) {
            fvalue ex = compute_expr(&wec, ir->ind, &t->exclude_when, y);
            if (ex.state == FV_MISSING) {
                add_year(&w->missing, y);
                continue;
            }
            if (ex.state == FV_OK && ex.v != 0) {
                add_year(&w->excluded, y);
                continue;
            }
        }
        year_value yv = result_year(ir, y);
        if (yv.value.state == FV_MISSING) {
            add_year(&w->missing, y);
            continue;
        }
        if (ir->ind->numerator) {
            if (yv.num.state == FV_OK && yv.den.state == FV_OK) {
                w->num_sum += yv.num.v;
                w->den_sum += yv.den.v;
            } else {
                w->ratio_ok = 0;
            }
        }
        if (counted) {
            fvalue c = indicator_count(ec, ir->ind, &yv);
            if (c.state == FV_OK)
                w->count_sum += c.v;
            else
                w->count_missing = 1;
        }
        if (yv.value.state == FV_UNDEFINED) {
            w->nundef++;
            add_year(&w->undefined, y);
            continue;
        }
        double v = yv.value.v;
        if (w->nok == 0 || v < w->min)
            w->min = v;
        if (w->nok == 0 || v > w->max)
            w->max = v;
        w->sum += v;
        w->nok++;
    }
}

/* The figure an aggregate gives over a window. */
static fvalue aggregate_value(aggregate agg, const window_stats *w, const indicator_result *ir,
                              int year)
{
    if (w->missing)
        return fv_missing();
    switch (agg) {
    case AGG_YEAR: {
        year_value yv = result_year(ir, year);
        return yv.value;
    }
    case AGG_WINDOW_MEAN:
        return w->nok ? fv_ok(w->sum / w->nok) : fv_undefined();
    case AGG_WINDOW_SUM:
        return w->nok ? fv_ok(w->sum) : fv_undefined();
    case AGG_WINDOW_MAX:
        return w->nok ? fv_ok(w->max) : fv_undefined();
    case AGG_WINDOW_MIN:
        return w->nok ? fv_ok(w->min) : fv_undefined();
    case AGG_WINDOW_RATIO: {
        if (!w->ratio_ok)
            return fv_missing();
        if (w->den_sum == 0)
            return fv_undefined();
        year_value yv = result_year(ir, year);
        return fv_ok(yv.scale * w->num_sum / w->den_sum);
    }
    case AGG_EVERY_YEAR:
        return w->nok ? fv_ok(w->max) : fv_undefined(); /* replaced by the caller */
    }
    return fv_missing();
}

static void set_detail(target_result *tr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_detail(target_result *tr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    free(tr->detail);
    tr->detail = s;
}

static char *num(double v, char *buf) { return format_number(v, buf); }

/* Comparison targets: <=, <, >=, >, ==, zero. */
static void judge_comparison(const eval_context *ec, const indicator_result *ir, target_result *tr,
                             const window_stats *w)
{
    const target *t = tr->t;
    double goal = t->op == OP_ZERO ? 0 : t->value;
    tr->has_limit = 1;
    tr->limit = goal;
    char b1[32], b2[32];
    if (t->agg == AGG_EVERY_YEAR) {
        /* Every year must hold: a failing year decides, even if others are missing. */
        int nfail = 0;
        double worst = 0;
        int have = 0;
        for (int y = tr->window[0]; y <= tr->window[1]; y++) {
            year_value yv = result_year(ir, y);
            if (yv.value.state != FV_OK)
                continue;
            if (tr->excluded_years) {
                char ys[8];
                snprintf(ys, sizeof ys, "%d", y);
                if (strstr(tr->excluded_years, ys))
                    continue;
            }
            int worse = !have || (ir->ind->better == BETTER_HIGHER ? yv.value.v < worst
                                                                   : yv.value.v > worst);
            if (worse)
                worst = yv.value.v;
            have = 1;
            if (!target_compare(t->op, yv.value.v, goal)) {
                add_year(&tr->failing_years, y);
                nfail++;
            }
        }
        tr->current = have ? fv_ok(worst) : w->missing ? fv_missing() : fv_undefined();
        if (nfail) {
            tr->status = V_NOT_MET;
            set_detail(tr, "every year %d-%d must be %s %s; not in %s", tr->window[0],
                       tr->window[1], op_name(t->op), num(goal, b1), tr->failing_years);
        } else if (w->missing) {
            tr->status = V_INSUFFICIENT;
            set_detail(tr, "no data for %s", w->missing);
        } else if (!have) {
            tr->status = V_NOT_APPLICABLE;
            set_detail(tr, "not applicable in any year of %d-%d", tr->window[0], tr->window[1]);
        } else {
            tr->status = V_MET;
            set_detail(tr, "every year %d-%d %s %s (worst %s)", tr->window[0], tr->window[1],
                       op_name(t->op), num(goal, b1), num(worst, b2));
        }
        return;
    }
    tr->current = aggregate_value(t->agg, w, ir, tr->assessed_year);
    if (tr->current.state == FV_MISSING) {
        tr->status = V_INSUFFICIENT;
        if (t->agg == AGG_YEAR)
            set_detail(tr, "no data for %d", tr->assessed_year);
        else
            set_detail(tr, "no data for %s", w->missing ? w->missing : "some years");
        return;
    }
    if (tr->current.state == FV_UNDEFINED) {
        tr->status = V_NOT_APPLICABLE;
        set_detail(tr, "%s: zero denominator or no events in %d-%d", aggregate_name(t->agg),
                   tr->window[0], tr->window[1]);
        return;
    }
    int ok = target_compare(t->op, tr->current.v, goal);
    tr->status = ok ? V_MET : V_NOT_MET;
    const char *what = t->agg == AGG_YEAR ? "value" : aggregate_name(t->agg);
    if (t->agg == AGG_YEAR)
        set_detail(tr, "%s in %d = %s, target %s %s", what, tr->assessed_year,
                   num(tr->current.v, b1), op_name(t->op), num(goal, b2));
    else
        set_detail(tr, "%s over %d-%d = %s, target %s %s", what, tr->window[0], tr->window[1],
                   num(tr->current.v, b1), op_name(t->op), num(goal, b2));
    (void)ec;
}

/* Sum or mean over a period of years of the series (missing -> MISSING). */
static fvalue period_figure(const indicator_result *ir, int from, int to, int mean, char **missing)
{
    double s = 0;
    int n = 0;
    for (int y = from; y <= to; y++) {
        year_value yv = result_year(ir, y);
        if (yv.value.state == FV_MISSING) {
            add_year(missing, y);
            continue;
        }
        if (yv.value.state == FV_UNDEFINED)
            continue;
        s += yv.value.v;
        n++;
    }
    if (*missing)
        return fv_missing();
    if (!n)
        return fv_undefined();
    return fv_ok(mean ? s / n : s);
}

/*
 * falling / rising (持续下降, 逐年提高): every year of the window strictly
 * beyond the year before it, the first year against the one before the
 * window when there is a figure for it. A year that failed decides, as for
 * every_year; the current figure is the last year's value.
 */
static void judge_trend(const indicator_result *ir, target_result *tr, const window_stats *w)
{
    const target *t = tr->t;
    int down = t->op == OP_FALLING;
    int npairs = 0, nfail = 0;
    year_value prev = result_year(ir, tr->window[0] - 1);
    for (int y = tr->window[0]; y <= tr->window[1]; y++) {
        year_value yv = result_year(ir, y);
        if (yv.value.state == FV_OK && prev.value.state == FV_OK) {
            double a = prev.value.v, b = yv.value.v;
            int ok = down ? b < a - tol(a) : b > a + tol(a);
            npairs++;
            if (!ok) {
                add_year(&tr->failing_years, y);
                nfail++;
            }
        }
        prev = yv;
    }
    year_value last = result_year(ir, tr->window[1]);
    tr->current = last.value;
    const char *dir = down ? "below" : "above";
    if (nfail) {
        tr->status = V_NOT_MET;
        set_detail(tr, "every year %d-%d must be %s the year before; not in %s", tr->window[0],
                   tr->window[1], dir, tr->failing_years);
    } else if (w->missing) {
        tr->status = V_INSUFFICIENT;
        set_detail(tr, "no data for %s", w->missing);
    } else if (!npairs) {
        tr->status = V_INSUFFICIENT;
        set_detail(tr, "no two consecutive years with a figure in %d-%d", tr->window[0] - 1,
                   tr->window[1]);
    } else {
        tr->status = V_MET;
        set_detail(tr, "every year %d-%d %s the year before (%d comparison%s)", tr->window[0],
                   tr->window[1], dir, npairs, npairs == 1 ? "" : "s");
    }
}

/* decrease / increase by an amount: the limit is B - amount or B + amount,
 * also from a baseline of zero (新建2支 from none). */
static void judge_amount(target_result *tr)
{
    const target *t = tr->t;
    double B = tr->baseline.v, C = tr->current.v;
    char b1[32], b2[32], b3[32], b4[32];
    tr->has_limit = 1;
    tr->limit = t->op == OP_DECREASE ? B - t->amount : B + t->amount;
    int ok = t->op == OP_DECREASE ? C <= tr->limit + tol(tr->limit)
                                  : C >= tr->limit - tol(tr->limit);
    if (fabs(B) > tol(0)) {
        tr->has_change = 1;
        tr->change_pct = t->op == OP_DECREASE ? (B - C) / B * 100 : (C - B) / B * 100;
    }
    tr->status = ok ? V_MET : V_NOT_MET;
    set_detail(tr, "%s: baseline %s, current %s, %s by %s wanted; limit %s",
               reading_name(t->baseline.reading), num(B, b1), num(C, b2),
               t->op == OP_DECREASE ? "reduction" : "increase", num(t->amount, b3),
               num(tr->limit, b4));
}

/* decrease / increase against a baseline. */
static void judge_change(const eval_context *ec, const indicator_result *ir, target_result *tr,
                         diag_list *warnings)
{
    const target *t = tr->t;
    const baseline_def *b = &t->baseline;
    char b1[32], b2[32], b3[32], b4[32], b5[32];
    tr->has_baseline = 1;
    /* Baseline B: the plan's own figure wins; the data are checked against it. */
    char *bmissing = NULL;
    fvalue from_data;
    if (b->reading == BASE_YEAR)
        from_data = result_year(ir, b->year).value;
    else
        from_data = period_figure(ir, b->period[0], b->period[1], b->reading == BASE_PERIOD_MEAN,
                                  &bmissing);
    if (b->has_value) {
        tr->baseline = fv_ok(b->value);
        tr->baseline_given = 1;
        if (from_data.state == FV_OK && fabs(from_data.v - b->value) > tol(b->value))
            diag_add(warnings, DIAG_WARNING, ec->p->path, t->line, 0,
                     "indicator %s: the plan gives baseline %s but the data give %s (%s); the "
                     "plan's figure is used",
                     ir->ind->id, num(b->value, b1), num(from_data.v, b2), reading_name(b->reading));
    } else {
        tr->baseline = from_data;
    }
    /* Current figure C, read the same way as B. */
    char *cmissing = NULL;
    if (b->reading == BASE_YEAR)
        tr->current = result_year(ir, tr->assessed_year).value;
    else
        tr->current = period_figure(ir, tr->window[0], tr->window[1],
                                    b->reading == BASE_PERIOD_MEAN, &cmissing);
    if (tr->baseline.state == FV_MISSING) {
        tr->status = V_INSUFFICIENT;
        if (b->reading == BASE_YEAR)
            set_detail(tr, "no baseline: no data for %d", b->year);
        else
            set_detail(tr, "no baseline: no data for %s", bmissing ? bmissing : "the period");
    } else if (tr->current.state == FV_MISSING) {
        tr->status = V_INSUFFICIENT;
        if (b->reading == BASE_YEAR)
            set_detail(tr, "no data for %d", tr->assessed_year);
        else
            set_detail(tr, "no data for %s", cmissing ? cmissing : "the window");
        free(tr->missing_years);
        tr->missing_years = cmissing ? xstrdup(cmissing) : xasprintf("%d", tr->assessed_year);
    } else if (tr->baseline.state == FV_UNDEFINED || tr->current.state == FV_UNDEFINED) {
        tr->status = V_NOT_APPLICABLE;
        set_detail(tr, "baseline or current figure not applicable (zero denominator)");
    } else if (t->has_amount) {
        judge_amount(tr);
    } else if (fabs(tr->baseline.v) <= tol(0)) {
        /* A change against zero has no percent: hold the line at zero. */
        tr->zero_baseline = 1;
        tr->has_limit = 1;
        tr->limit = 0;
        int ok = t->op == OP_DECREASE ? tr->current.v <= tol(0) : tr->current.v > tol(0);
        tr->status = ok ? V_MET : V_NOT_MET;
        set_detail(tr, "baseline is 0: read as %s; %s = %s",
                   t->op == OP_DECREASE ? "keep at zero" : "any increase from zero",
                   b->reading == BASE_YEAR ? "value" : reading_name(b->reading),
                   num(tr->current.v, b1));
    } else {
        double B = tr->baseline.v, C = tr->current.v;
        double by = t->has_by ? t->by : 0;
        tr->has_change = 1;
        tr->has_limit = 1;
        int ok;
        if (t->op == OP_DECREASE) {
            tr->change_pct = (B - C) / B * 100;
            tr->limit = B * (100 - by) / 100; /* fewer rounding steps than B * (1 - by/100) */
            ok = t->has_by ? tr->change_pct >= by - tol(by) : C < B - tol(B);
        } else {
            tr->change_pct = (C - B) / B * 100;
            tr->limit = B * (100 + by) / 100;
            ok = t->has_by ? tr->change_pct >= by - tol(by) : C > B + tol(B);
        }
        tr->status = ok ? V_MET : V_NOT_MET;
        set_detail(tr, "%s: baseline %s, current %s, %s %s%% (target %s%s%%); limit %s",
                   reading_name(b->reading), num(B, b1), num(C, b2),
                   t->op == OP_DECREASE ? "reduction" : "increase", num(round(tr->change_pct * 100) / 100, b3),
                   t->has_by ? ">= " : "> ", t->has_by ? num(by, b4) : "0", num(tr->limit, b5));
    }
    free(bmissing);
    free(cmissing);
}

/* Milestones and qualitative items, from milestones.csv. */
static void judge_tracked(const eval_context *ec, const indicator_result *ir, target_result *tr,
                          int eval_year)
{
    const milestone_record *recs;
    int n = region_milestones(ec->r, ec->p->id, ir->ind->id, &recs);
    const milestone_record *last = NULL;
    for (int i = 0; i < n; i++)
        if (recs[i].year <= eval_year)
            last = &recs[i];
    tr->record = last;
    const target *t = tr->t;
    if (!last) {
        tr->status = tr->due ? V_INSUFFICIENT : V_NOT_YET_DUE;
        set_detail(tr, "no status recorded in milestones.csv up to %d", eval_year);
        return;
    }
    char date[48];
    snprintf(date, sizeof date, "%04d-%02d-%02d", last->year, last->month, last->day);
    if (t->op == OP_DONE) {
        int done = last->role == MSS_DONE;
        if (done) {
            /* The completion date is the first record of the done status. */
            const milestone_record *first_done = last;
            for (int i = 0; i < n; i++)
                if (recs[i].role == MSS_DONE && recs[i].year <= eval_year) {
                    first_done = &recs[i];
                    break;
                }
            int on_time = first_done->year <= t->year;
            tr->status = on_time ? V_MET : tr->due ? V_NOT_MET : V_MET;
            snprintf(date, sizeof date, "%04d-%02d-%02d", first_done->year, first_done->month,
                     first_done->day);
            set_detail(tr, "completed %s%s (due %d)", date, on_time ? "" : ", late", t->year);
        } else {
            tr->status = tr->due ? V_NOT_MET : V_NOT_YET_DUE;
            if (!tr->due)
                tr->progress = 0;
            set_detail(tr, "%s as of %s (due %d)%s", last->status, date, t->year,
                       tr->due ? ": overdue" : "");
        }
    } else {
        int achieved = last->role == MSS_ACHIEVED || last->role == MSS_MOSTLY_ACHIEVED;
        int rated = achieved || last->role == MSS_NOT_ACHIEVED;
        if (!rated) {
            char *const *w = ec->dict->ms_status;
            tr->status = tr->due ? V_INSUFFICIENT : V_NOT_YET_DUE;
            set_detail(tr, "status '%s' as of %s is not a rating (%s/%s/%s)", last->status, date,
                       w[MSS_ACHIEVED], w[MSS_MOSTLY_ACHIEVED], w[MSS_NOT_ACHIEVED]);
        } else {
            tr->status = !tr->due ? V_NOT_YET_DUE : achieved ? V_MET : V_NOT_MET;
            if (!tr->due)
                tr->progress = achieved;
            set_detail(tr, "rated %s as of %s (due %d)", last->status, date, t->year);
        }
    }
}

/* A quantitative target on the series of ir, its window already set in tr. */
static void judge_quantity(const eval_context *ec, const indicator_result *ir, target_result *tr,
                           diag_list *warnings)
{
    const target *t = tr->t;
    tr->count_unit = indicator_count_unit(ec, ir->ind);
    window_stats w;
    collect_window(ec, ir, t, tr->window, tr->count_unit != NULL, &w);
    if (w.excluded)
        tr->excluded_years = xstrdup(w.excluded);
    /* A change target reads its own years (judge_change names any missing). */
    if (w.missing && t->op != OP_DECREASE && t->op != OP_INCREASE)
        tr->missing_years = xstrdup(w.missing);
    if (tr->count_unit) {
        year_value yv = result_year(ir, tr->assessed_year);
        /* a change read on period means or totals compares the window's
         * figure: its count is the window's too (Q04's 4 % over 2021-2025
         * rests on the accident of 2023, not on 2025's none) */
        int change = t->op == OP_DECREASE || t->op == OP_INCREASE;
        int period = change && t->has_baseline && t->baseline.reading != BASE_YEAR;
        int one_year = !period && (t->agg == AGG_YEAR || change);
        if (one_year)
            tr->count = indicator_count(ec, ir->ind, &yv);
        else
            tr->count = w.count_missing ? fv_missing() : fv_ok(w.count_sum);
        tr->total_unit = indicator_total_unit(ec, ir->ind);
        if (one_year)
            tr->total = yv.den;
        else
            tr->total = w.missing || !w.ratio_ok ? fv_missing() : fv_ok(w.den_sum);
    }
    if (t->op == OP_DECREASE || t->op == OP_INCREASE)
        judge_change(ec, ir, tr, warnings);
    else if (OP_IS_TREND(t->op))
        judge_trend(ir, tr, &w);
    else
        judge_comparison(ec, ir, tr, &w);
    window_stats_free(&w);
}

/* The members of t's dimension in the years of tr's window: the plan's own
 * list when it gives one figure per member, else those the data name in
 * the rows the formula reads (each reference with its own filters). */
static int find_members(const eval_context *ec, const indicator *ind, const target_result *tr,
                        char ***members)
{
    const target *t = tr->t;
    int n = 0;
    *members = NULL;
    if (t->ngoals) {
        *members = xcalloc((size_t)t->ngoals, sizeof **members);
        for (int i = 0; i < t->ngoals; i++)
            (*members)[n++] = xstrdup(t->goals[i].member);
        return n;
    }
    const expr_def *parts[] = {ind->formula, ind->numerator, ind->denominator};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        if (!parts[k] || !parts[k]->f)
            continue;
        const formula_ref *refs;
        int nr = formula_refs(parts[k]->f, &refs);
        for (int i = 0; i < nr; i++)
            for (int y = tr->window[0]; refs[i].kind == REF_VARIABLE && y <= tr->window[1]; y++)
                region_members(ec->r, refs[i].id, refs[i].filters, refs[i].nfilters, t->each, y,
                               members, &n);
    }
    return n;
}

/* How far a member's figure is from its limit, relative to it: > 0 missed. */
static double member_gap(const target_result *m)
{
    double d = m->current.v - m->limit;
    int ceiling = m->t->op == OP_LE || m->t->op == OP_LT || m->t->op == OP_ZERO;
    if (!ceiling)
        d = -d;
    if (m->t->op == OP_EQ)
        d = fabs(d);
    return d / (fabs(m->limit) > 1e-12 ? fabs(m->limit) : 1);
}

static void add_name(char **list, const char *name)
{
    char *old = *list;
    *list = old ? xasprintf("%s、%s", old, name) : xstrdup(name);
    free(old);
}

/* One member judged like a target on the whole, on the member's rows only. */
static void judge_member(const eval_context *ec, const indicator_result *ir,
                         const target_result *tr, const char *member, target *mt,
                         target_result *mtr, year_value *years)
{
    eval_context mec = *ec;
    mec.member_dim = tr->t->each;
    mec.member = member;
    indicator_result mir = *ir;
    mir.years = years;
    for (int k = 0; k < ir->nyears; k++)
        years[k] = compute_indicator(&mec, ir->ind, ir->first_year + k);
    *mt = *tr->t;
    mt->each = NULL;
    for (int g = 0; g < tr->t->ngoals; g++)
        if (strcmp(tr->t->goals[g].member, member) == 0) {
            mt->value = tr->t->goals[g].value;
            mt->has_value = 1;
        }
    memset(mtr, 0, sizeof *mtr);
    mtr->t = mt;
    mtr->count_unit = NULL;
    mtr->current = mtr->baseline = fv_missing();
    mtr->due = tr->due;
    mtr->assessed_year = tr->assessed_year;
    mtr->window[0] = tr->window[0];
    mtr->window[1] = tr->window[1];
    diag_list scratch;
    memset(&scratch, 0, sizeof scratch);
    judge_quantity(&mec, &mir, mtr, &scratch);
    diag_free(&scratch);
}

static void free_result_text(target_result *tr);

/*
 * each: every member of a dimension judged on its own rows; met when at
 * least `share` percent of the members with a figure meet it (every member
 * by default), not met when even the members without data could not make
 * it up. The worst member's figure is the one shown, the failing ones named.
 */
static void judge_members(const eval_context *ec, const indicator_result *ir, target_result *tr,
                          diag_list *warnings)
{
    const target *t = tr->t;
    char **members;
    int n = find_members(ec, ir->ind, tr, &members);
    int nmet = 0, nfail = 0, nmissing = 0, worst = -1;
    double worst_gap = 0;
    char b1[32], b2[32];
    year_value *years = xcalloc((size_t)(ir->nyears > 0 ? ir->nyears : 1), sizeof *years);
    char *failing_detail = NULL;
    for (int i = 0; i < n; i++) {
        target mt;
        target_result mtr;
        judge_member(ec, ir, tr, members[i], &mt, &mtr, years);
        if (mtr.status == V_MET || mtr.status == V_NOT_MET) {
            double gap = member_gap(&mtr);
            if (worst < 0 || gap > worst_gap) {
                worst = i;
                worst_gap = gap;
                tr->current = mtr.current;
                tr->limit = mtr.limit;
            }
            if (mtr.status == V_MET) {
                nmet++;
            } else {
                nfail++;
                add_name(&tr->failing_members, members[i]);
                char *old = failing_detail;
                failing_detail = xasprintf("%s%s%s %s (limit %s)", old ? old : "", old ? ", " : "",
                                           members[i], num(mtr.current.v, b1), num(mtr.limit, b2));
                free(old);
            }
        } else if (mtr.status == V_INSUFFICIENT) {
            nmissing++;
            add_name(&tr->missing_members, members[i]);
            if (!tr->missing_years && mtr.missing_years)
                tr->missing_years = xstrdup(mtr.missing_years);
        }
        free_result_text(&mtr);
    }
    free(years);
    int judged = nmet + nfail + nmissing;
    tr->nmembers = judged;
    tr->nmembers_met = nmet;
    tr->has_limit = worst >= 0;
    if (worst >= 0)
        tr->member = xstrdup(members[worst]);
    /* Members needed: share percent of those judged, rounded up. */
    int need = (int)ceil(t->share * judged / 100 - 1e-9);
    if (!n)
        tr->status = V_INSUFFICIENT;
    else if (!judged)
        tr->status = V_NOT_APPLICABLE;
    else if (nmet >= need)
        tr->status = V_MET;
    else if (nmet + nmissing >= need)
        tr->status = V_INSUFFICIENT;
    else
        tr->status = V_NOT_MET;
    if (!n)
        set_detail(tr, "each %s: no member in the data for %d-%d", t->each, tr->window[0],
                   tr->window[1]);
    else
        set_detail(tr, "each %s: %d of %d members meet it (%s%% wanted)%s%s%s%s", t->each, nmet,
                   judged, num(t->share, b1), failing_detail ? "; not met: " : "",
                   failing_detail ? failing_detail : "", tr->missing_members ? "; no data: " : "",
                   tr->missing_members ? tr->missing_members : "");
    if (tr->status == V_INSUFFICIENT && !tr->missing_years)
        tr->missing_years = xasprintf("%d", tr->assessed_year);
    free(failing_detail);
    for (int i = 0; i < n; i++)
        free(members[i]);
    free(members);
    (void)warnings;
}

static void judge_target(const eval_context *ec, const indicator_result *ir, const target *t,
                         int eval_year, target_result *tr, diag_list *warnings)
{
    memset(tr, 0, sizeof *tr);
    tr->t = t;
    tr->count_unit = NULL;
    tr->count = fv_missing();
    tr->total = fv_missing();
    tr->current = fv_missing();
    tr->baseline = fv_missing();
    tr->progress = -1;
    tr->due = t->year <= eval_year;
    tr->assessed_year = tr->due ? t->year : eval_year;
    tr->window[0] = t->window[0];
    tr->window[1] = tr->due ? t->window[1] : eval_year;
    if (tr->window[1] > tr->assessed_year && !t->explicit_window)
        tr->window[1] = tr->assessed_year;
    if (ir->ind->kind != IND_QUANTITATIVE) {
        judge_tracked(ec, ir, tr, eval_year);
        return;
    }
    if (tr->window[0] > tr->window[1]) {
        tr->status = V_NOT_YET_DUE;
        set_detail(tr, "the window %d-%d has not begun", t->window[0], t->window[1]);
        return;
    }
    /* A target on the value of one year needs that year only. */
    if (t->agg == AGG_YEAR && t->op != OP_DECREASE && t->op != OP_INCREASE && !OP_IS_TREND(t->op) &&
        !t->explicit_window)
        tr->window[0] = tr->window[1] = tr->assessed_year;
    if (t->each)
        judge_members(ec, ir, tr, warnings);
    else
        judge_quantity(ec, ir, tr, warnings);

    /* Every gap in a window is said (docs/results.md), also where the years
     * with data decide the verdict all the same (a failing year of an
     * every-year target). */
    if (tr->missing_years && *tr->missing_years)
        diag_add(warnings, DIAG_WARNING, ec->p->path, t->line, 0,
                 "indicator %s (target %d): no data for %s in %s%s", ir->ind->id, t->year,
                 tr->missing_years, ec->p->region,
                 tr->status == V_INSUFFICIENT ? ""
                 : !tr->due                   ? " (not yet due: progress so far on the years with data)"
                                              : " (judged on the years with data)");
    if (!tr->due) {
        /* Not judged yet: say whether the figure so far is on the right side. */
        if (tr->status == V_MET)
            tr->progress = 1;
        else if (tr->status == V_NOT_MET)
            tr->progress = 0;
        char *old = tr->detail;
        tr->detail = xasprintf("due %d; so far: %s", t->year, old ? old : "");
        free(old);
        tr->status = V_NOT_YET_DUE;
    }
}

static int resolve_stage(const plan *p, stage st, int year, int data_last, stage *out_stage,
                         int *out_year, diag_list *d)
{
    if (st == STAGE_AUTO) {
        if (data_last >= p->period[1])
            st = STAGE_FINAL;
        else if (data_last >= p->midterm_year)
            st = STAGE_MIDTERM;
        else
            st = STAGE_ANNUAL;
    }
    if (!year) {
        year = st == STAGE_FINAL ? p->period[1] : st == STAGE_MIDTERM ? p->midterm_year : data_last;
    }
    if (year < p->period[0] - 1 || year > p->period[1] + 10) {
        diag_add(d, DIAG_ERROR, p->path, 0, 0,
                 "evaluation year %d is outside the plan period %d-%d", year, p->period[0],
                 p->period[1]);
        return -1;
    }
    if (year > data_last)
        diag_add(d, DIAG_WARNING, p->path, 0, 0,
                 "evaluation year %d is after the last data year %d: later years are missing",
                 year, data_last);
    *out_stage = st;
    *out_year = year;
    return 0;
}

/*
 * The data against the kind the plan or catalogue declares: a stock or a
 * cumulative total that falls, a share outside 0-100 % (0-1000 per mille).
 * A warning at the declaration, naming the indicator and the years; the
 * forecast then treats it as a value (forecast.c, stock_kind).
 */
static void check_quantity_data(const indicator_result *ir, diag_list *warnings)
{
    const indicator *ind = ir->ind;
    if (ind->quantity == QK_UNSET || !ind->quantity_line)
        return;
    const char *kind = quantity_kind_name(ind->quantity);
    int prev = -1;
    double top = strcmp(ind->unit, "%") == 0 ? 100 : 1000;
    for (int k = 0; k < ir->nyears; k++) {
        const fvalue *v = &ir->years[k].value;
        if (v->state != FV_OK)
            continue;
        char b1[32], b2[32];
        if (ind->forecast_stock && prev >= 0 && v->v < ir->years[prev].value.v) {
            diag_add(warnings, DIAG_WARNING, ind->quantity_path, ind->quantity_line, 0,
                     "indicator %s: declared %s (forecast: {kind: %s}) but it falls from %s in "
                     "%d to %s in %d; its forecast is that of a value",
                     ind->id, ind->quantity == QK_STOCK ? "a stock" : "a cumulative total", kind,
                     num(ir->years[prev].value.v, b1), ir->first_year + prev, num(v->v, b2),
                     ir->first_year + k);
            return;
        }
        if (ind->quantity == QK_SHARE && (v->v < 0 || v->v > top)) {
            diag_add(warnings, DIAG_WARNING, ind->quantity_path, ind->quantity_line, 0,
                     "indicator %s: declared a share (forecast: {kind: share}) but it is %s%s "
                     "in %d, outside 0-%s",
                     ind->id, num(v->v, b1), ind->unit, ir->first_year + k, num(top, b2));
            return;
        }
        prev = k;
    }
}

int evaluate_plan(evaluation *ev, const eval_context *ec, stage st, int year, diag_list *d)
{
    memset(ev, 0, sizeof *ev);
    const plan *p = ec->p;
    ev->p = p;
    int first = 0, last = 0;
    if (!region_year_span(ec->r, &first, &last)) {
        diag_add(d, DIAG_ERROR, p->path, 0, 0, "no data found for region '%s' (%s)", p->region,
                 region_dir(ec->r));
        return -1;
    }
    if (resolve_stage(p, st, year, last, &ev->stage, &ev->eval_year, d) != 0)
        return -1;
    ev->data_first_year = first;
    ev->data_last_year = last;
    int series_last = ev->eval_year < last ? ev->eval_year : last;
    if (series_last < first)
        series_last = first - 1;
    ev->ninds = p->ninds;
    ev->inds = xcalloc((size_t)(p->ninds ? p->ninds : 1), sizeof(indicator_result));
    for (int i = 0; i < p->ninds; i++) {
        indicator_result *ir = &ev->inds[i];
        const indicator *ind = &p->inds[i];
        ir->ind = ind;
        ir->first_year = first;
        ir->nyears = ind->kind == IND_QUANTITATIVE ? series_last - first + 1 : 0;
        ir->years = xcalloc((size_t)(ir->nyears > 0 ? ir->nyears : 1), sizeof(year_value));
        for (int k = 0; k < ir->nyears; k++)
            ir->years[k] = compute_indicator(ec, ind, first + k);
        check_quantity_data(ir, &ev->warnings);
        ir->ntargets = ind->ntargets;
        ir->targets = xcalloc((size_t)(ind->ntargets ? ind->ntargets : 1), sizeof(target_result));
        for (int t = 0; t < ind->ntargets; t++)
            judge_target(ec, ir, &ind->targets[t], ev->eval_year, &ir->targets[t], &ev->warnings);
    }
    return 0;
}

static void free_result_text(target_result *tr)
{
    free(tr->missing_years);
    free(tr->excluded_years);
    free(tr->failing_years);
    free(tr->detail);
    free(tr->member);
    free(tr->failing_members);
    free(tr->missing_members);
}

void evaluation_free(evaluation *ev)
{
    for (int i = 0; i < ev->ninds; i++) {
        indicator_result *ir = &ev->inds[i];
        for (int t = 0; t < ir->ntargets; t++)
            free_result_text(&ir->targets[t]);
        free(ir->targets);
        free(ir->years);
    }
    free(ev->inds);
    diag_free(&ev->warnings);
    memset(ev, 0, sizeof *ev);
}
