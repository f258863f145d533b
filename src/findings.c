/*
 * findings.c - see findings.h.
 *
 * Every text is built here from templates/findings.yaml and kept in the
 * findings' pool, so that the brief, the report, the workbook and
 * assessment.csv print the same words for the same finding.
 */
#include "findings.h"
#include "dataset.h"
#include "textlayout.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const outlook_codes[OL_COUNT] = {
    "met", "on_track", "at_risk", "unlikely", "off_track", "insufficient_data", "not_applicable"};
static const char *const severity_codes[SEV_COUNT] = {"red_flag", "major", "risk", "note", "none"};

const char *outlook_name(outlook o) { return outlook_codes[o]; }
const char *severity_name(severity s) { return severity_codes[s]; }

int outlook_needs_attention(outlook o)
{
    return o == OL_AT_RISK || o == OL_UNLIKELY || o == OL_OFF_TRACK;
}

/* What the templates may ask for; anything else in a text is a typo. */
static const char *const known_vars[] = {
    "indicator", "department", "lead", "type", "type_mark", "unit", "target", "figure", "current",
    "gap", "gap_clause", "target_year", "due_year", "outlook", "status", "as_of", "done_date",
    "years", "years_text", "allowance", "year", "month", "day", "value", "from", "to", "base", "by",
    "limit", "what", "direction", "pct", "count", "amount", "next_year", "next_plan", "final_year",
    "question", "reading", "alternative", "probability", "ntargets", "n_met", "pct_met",
    "counts_text", "binding_total", "binding_counts_text", "veto_text", "top", "cutoff",
    "eval_year", "stage", "n", "symbol", "word", "reason", "doubt", "note", "failing_years",
    "deadline", "allowance_clause", "problem", "measure", "name", "quote", "places", "line",
    "count_note", "count_clause", "total", "total_unit", "worse_year",
    "member", "members", "dim", "share", "met", "goal", "failing_members", "chance", NULL};

/* ---------- pool and template access ---------- */

typedef struct fctx {
    findings *f;
    const evaluation *ev;
    const eval_context *ec;
    const plan *p;
    const labels *lb;
    const forecast_set *fs;
    diag_list *d;
    tvars g;
    int final_stage;   /* the evaluation year reaches the plan's end */
    double ms_on_track, ms_at_risk; /* words.milestone_chance */
} fctx;

#define keep(c, s) ((const char *)strpool_keep(&(c)->f->pool, (s)))
#define keepf(c, ...) ((const char *)strpool_printf(&(c)->f->pool, __VA_ARGS__))

/* Text at key expanded with v (NULL: the globals); "" when absent (the
 * required keys are checked when the template is loaded). */
static const char *tx(fctx *c, const char *key, const tvars *v)
{
    return keep(c, rtpl_expand(c->f->words, key, v ? v : &c->g, c->d));
}

/* The text at the formatted key, expanded; NULL when the template has no such key. */
static const char *vtx_opt(fctx *c, const tvars *v, const char *fmt, va_list ap)
{
    char *key = xvasprintf(fmt, ap);
    const char *s = rtpl_get(c->f->words, key) ? tx(c, key, v) : NULL;
    free(key);
    return s;
}

static const char *txf_opt(fctx *c, const tvars *v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *txf_opt(fctx *c, const tvars *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *s = vtx_opt(c, v, fmt, ap);
    va_end(ap);
    return s;
}

static const char *txf(fctx *c, const tvars *v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *txf(fctx *c, const tvars *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *s = vtx_opt(c, v, fmt, ap);
    va_end(ap);
    return s ? s : "";
}

/* The text at key, or at fallback where an office's findings.yaml (older
 * than key) has none. */
static const char *tx_or(fctx *c, const char *key, const char *fallback, const tvars *v)
{
    const char *s = txf_opt(c, v, "%s", key);
    return s ? s : tx(c, fallback, v);
}

/* ---------- numbers ---------- */

char *num_fixed(double v, int prec)
{
    if (fabs(v) < 0.5 * pow(10, -prec))
        v = 0; /* no "-0.00" */
    char buf[32];
    return format_f(buf, v, prec) ? xstrdup(buf) : xasprintf("%.*f", prec, v);
}

char *num_pct(double v)
{
    double r = fabs(v) < 0.05 ? 0.0 : v;
    char buf[32];
    char *s = format_f(buf, r, 1) ? xstrdup(buf) : xasprintf("%.1f", r);
    size_t n = strlen(s);
    if (n > 2 && strcmp(s + n - 2, ".0") == 0)
        s[n - 2] = '\0';
    return s;
}

static const char *fmt_fixed(fctx *c, double v, int prec)
{
    return keep(c, num_fixed(v, prec));
}

/* Shortest text for a threshold (3.4, 0.01, 15000). */
static const char *fmt_short(fctx *c, double v)
{
    char buf[32];
    double r = round(v * 1e6) / 1e6;
    return keep(c, xstrdup(format_number(r == 0 ? 0 : r, buf)));
}

/* A limit derived from a baseline (4 x 0.85 = 3.4): two decimals more than
 * the indicator shows, trailing zeros dropped. */
static const char *fmt_limit(fctx *c, const indicator *ind, double v)
{
    char buf[32];
    char *s = format_f(buf, v, ind->precision + 2) ? xstrdup(buf)
                                                   : xasprintf("%.*f", ind->precision + 2, v);
    if (strchr(s, '.')) {
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '0')
            s[--n] = '\0';
        if (n > 0 && s[n - 1] == '.')
            s[--n] = '\0';
    }
    return keep(c, s);
}

static const char *fmt_pct(fctx *c, double v)
{
    return keep(c, num_pct(v));
}

static const char *fmt_value(fctx *c, const indicator *ind, fvalue v)
{
    if (v.state == FV_OK)
        return fmt_fixed(c, v.v, ind->precision);
    return tx(c, v.state == FV_MISSING ? "words.value_missing" : "words.value_na", NULL);
}

/* A mean of a count (年均起数) gets decimals until a non-zero value shows. */
static const char *fmt_mean(fctx *c, const indicator *ind, fvalue v)
{
    if (v.state != FV_OK || ind->precision > 0)
        return fmt_value(c, ind, v);
    int prec = 1;
    while (prec < 3 && v.v != 0 && fabs(v.v) < 0.5 * pow(10, -prec))
        prec++;
    return fmt_fixed(c, v.v, prec);
}

static int judged_on_mean(const target *t)
{
    if (t->has_baseline)
        return t->baseline.reading == BASE_PERIOD_MEAN;
    return t->agg == AGG_WINDOW_MEAN;
}

static const char *fmt_current(fctx *c, const indicator *ind, const target_result *tr)
{
    return judged_on_mean(tr->t) ? fmt_mean(c, ind, tr->current) : fmt_value(c, ind, tr->current);
}

static const char *fmt_baseline(fctx *c, const indicator *ind, const target_result *tr)
{
    return tr->t->has_baseline && tr->t->baseline.reading == BASE_PERIOD_MEAN
               ? fmt_mean(c, ind, tr->baseline)
               : fmt_value(c, ind, tr->baseline);
}

/* A plain 下降/提高 (no percent, no amount): strictly below or above its
 * baseline, which is its limit. */
static int change_any(const target *t)
{
    return (t->op == OP_DECREASE || t->op == OP_INCREASE) && !t->has_by && !t->has_amount;
}

/* A target's limit as its texts give it: a plain 下降/提高 (no amount) has
 * the baseline itself as its limit, written as the baseline is ("须低于7.85",
 * beside "基期（7.85）", not 7.8524); any other limit with fmt_limit(). */
static const char *limit_text(fctx *c, const indicator *ind, const target_result *tr)
{
    const target *t = tr->t;
    if (change_any(t) && tr->baseline.state == FV_OK)
        return fmt_baseline(c, ind, tr);
    return fmt_limit(c, ind, tr->limit);
}

static const char *unit_of(fctx *c, const indicator *ind)
{
    return ind->unit && *ind->unit ? ind->unit : tx(c, "words.no_unit", NULL);
}

/* 1 for % and ‰: a difference of two such figures is in 个百分点 / 个千分点. */
static const char *points_key(const indicator *ind)
{
    if (!ind->unit)
        return NULL;
    if (strcmp(ind->unit, "%") == 0 || strcmp(ind->unit, "\xEF\xBC\x85") == 0)
        return "words.points.percent";
    if (strcmp(ind->unit, "\xE2\x80\xB0") == 0)
        return "words.points.permille";
    return NULL;
}

/* 1 if the indicator is a plain count of events (起, 人, 处 ...): no denominator. */
static int is_count(fctx *c, const indicator *ind)
{
    return ind->kind == IND_QUANTITATIVE && !ind->denominator &&
           indicator_count_unit(c->ec, ind) != NULL;
}

/*
 * An amount of the indicator (a gap, a quantity still needed) with its unit:
 * differences of percentages in 个百分点, counts whole and rounded up (the
 * safe direction: "还差0.4起" means one more), else the indicator's
 * precision with more decimals when that would show 0; of a mean (mean),
 * the decimals fmt_mean() gives it.
 */
static const char *amount_of(fctx *c, const indicator *ind, double v, int mean)
{
    v = fabs(v);
    tvars t;
    tv_init(&t, &c->g);
    const char *pk = points_key(ind);
    const char *num;
    if (is_count(c, ind) && mean) {
        num = fmt_mean(c, ind, fv_ok(v));
    } else if (is_count(c, ind)) {
        /* a count short of its target is short by one at least */
        double n = ceil(v - 1e-9);
        num = keepf(c, "%.0f", n < 1 ? 1.0 : n);
    } else {
        int prec = ind->precision;
        while (prec < 6 && v != 0 && fabs(v) < 0.5 * pow(10, -prec))
            prec++;
        num = fmt_fixed(c, v, prec);
    }
    tv_set(&t, "value", num);
    tv_set(&t, "unit", unit_of(c, ind));
    /* a mean's amount says it is one a year (年均0.3人): no fractional count */
    const char *s = pk                            ? tx(c, pk, &t)
                    : is_count(c, ind) && mean ? tx_or(c, "words.amount_mean", "words.amount", &t)
                                               : tx(c, "words.amount", &t);
    tv_free(&t);
    return s;
}

/* An amount of target t's figure: a mean of a count (年均4.8人 against 4.5)
 * is short by 0.3人 a year, not by one whole person. */
static const char *gap_amount(fctx *c, const indicator *ind, const target *t, double v)
{
    return amount_of(c, ind, v, judged_on_mean(t));
}

/* "2021 2023" -> "2021、2023年" (the separator and suffix from words.years). */
static const char *years_text(fctx *c, const char *list)
{
    if (!list || !*list)
        return NULL;
    strbuf b;
    sb_init(&b);
    const char *sep = tx(c, "words.list_separator", NULL);
    char *copy = xstrdup(list), *save = NULL;
    for (char *y = strtok_r(copy, " ,", &save); y; y = strtok_r(NULL, " ,", &save)) {
        if (b.len)
            sb_add(&b, sep);
        sb_add(&b, y);
    }
    free(copy);
    tvars t;
    tv_init(&t, &c->g);
    tv_set(&t, "years", b.s ? b.s : "");
    const char *s = tx(c, "words.years", &t);
    tv_free(&t);
    sb_free(&b);
    return s;
}

/* ---------- the texts of one finding ---------- */

static const char *departments(fctx *c, const indicator *ind)
{
    if (!ind->ndepartments)
        return tx(c, "words.no_department", NULL);
    const char *sep = tx(c, "words.list_separator", NULL);
    strbuf b;
    sb_init(&b);
    for (int i = 0; i < ind->ndepartments; i++) {
        if (i)
            sb_add(&b, sep);
        sb_add(&b, ind->departments[i]);
    }
    return keep(c, sb_take(&b));
}

static void date_vars(tvars *v, int y, int m, int d)
{
    tv_setf(v, "year", "%d", y);
    tv_setf(v, "month", "%d", m);
    tv_setf(v, "day", "%d", d);
}

static const char *record_date(fctx *c, const milestone_record *r)
{
    tvars v;
    tv_init(&v, &c->g);
    date_vars(&v, r->year, r->month, r->day);
    const char *s = tx(c, "words.as_of", &v);
    tv_free(&v);
    return s;
}

/* The base of a decrease/increase target: "2020年（4人）". */
static const char *base_text(fctx *c, const finding *it, int with_unit)
{
    const baseline_def *b = &it->tr->t->baseline;
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "year", "%d", b->year);
    tv_setf(&v, "from", "%d", b->period[0]);
    tv_setf(&v, "to", "%d", b->period[1]);
    tv_set(&v, "value", fmt_baseline(c, it->ind, it->tr));
    tv_set(&v, "unit", with_unit ? unit_of(c, it->ind) : "");
    const char *s = txf(c, &v, "words.base.%s", reading_name(b->reading));
    tv_free(&v);
    return s;
}

/* words.target_short.<op> for table cells when given, else words.target.<op>. */
static const char *target_form(fctx *c, const tvars *v, int short_form, const char *op)
{
    const char *s = short_form ? txf_opt(c, v, "words.target_short.%s", op) : NULL;
    return s ? s : txf(c, v, "words.target.%s", op);
}

/* 分别: each member's own figure, "县级≥400㎡、乡级≥40㎡". */
static const char *member_goals_text(fctx *c, const target *t, tvars *v, int with_unit)
{
    const char *s = "";
    for (int i = 0; i < t->ngoals; i++) {
        tv_set(v, "value", fmt_short(c, t->goals[i].value));
        tv_set(v, "member", t->goals[i].member);
        tv_set(v, "goal", target_form(c, v, !with_unit, op_name(t->op)));
        s = keepf(c, "%s%s%s", s, i ? tx(c, "words.list_separator", v) : "",
                  tx(c, "words.each.member_goal", v));
    }
    return s;
}

/* The target in words; with_unit 0 gives the short form for table cells. */
static const char *target_text(fctx *c, const finding *it, int with_unit)
{
    const target *t = it->tr->t;
    const indicator *ind = it->ind;
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "unit", with_unit ? unit_of(c, ind) : "");
    tv_setf(&v, "year", "%d", t->year);
    const char *s;
    if (t->ngoals) {
        s = member_goals_text(c, t, &v, with_unit);
    } else if (t->op <= OP_EQ) {
        tv_set(&v, "value", fmt_short(c, t->value));
        s = target_form(c, &v, !with_unit, op_name(t->op));
    } else if (t->op == OP_ZERO) {
        s = target_form(c, &v, !with_unit, "zero");
    } else if (t->op == OP_DECREASE || t->op == OP_INCREASE) {
        tv_set(&v, "base", base_text(c, it, with_unit));
        tv_set(&v, "by", t->has_by ? fmt_short(c, t->by) : "");
        tv_set(&v, "limit", it->tr->has_limit ? fmt_limit(c, ind, it->tr->limit) : "");
        tv_set(&v, "amount", t->has_amount ? fmt_short(c, t->amount) : "");
        if (t->has_amount)
            s = target_form(c, &v, !with_unit, keepf(c, "%s_amount", op_name(t->op)));
        else if (it->tr->zero_baseline)
            s = target_form(c, &v, !with_unit, "keep_zero");
        else if (t->has_by && t->by == 0 &&
                 rtpl_get(c->f->words, keepf(c, "words.target.%s_none", op_name(t->op))))
            /* "下降0%以上" says nothing: not above the baseline */
            s = target_form(c, &v, !with_unit, keepf(c, "%s_none", op_name(t->op)));
        else if (t->has_by)
            s = target_form(c, &v, !with_unit, op_name(t->op));
        else
            s = target_form(c, &v, !with_unit, keepf(c, "%s_any", op_name(t->op)));
    } else {
        tv_setf(&v, "from", "%d", t->window[0]);
        tv_setf(&v, "to", "%d", t->window[1]);
        /* a trend over one year is that year against the one before */
        s = OP_IS_TREND(t->op) && t->window[0] == t->window[1]
                ? target_form(c, &v, !with_unit, keepf(c, "%s_year", op_name(t->op)))
                : target_form(c, &v, !with_unit, op_name(t->op));
    }
    if (ind->kind == IND_QUANTITATIVE && !t->has_baseline && t->agg != AGG_YEAR) {
        tv_setf(&v, "from", "%d", t->window[0]);
        tv_setf(&v, "to", "%d", t->window[1]);
        s = keepf(c, "%s%s", s, txf(c, &v, "words.aggregate.%s", aggregate_name(t->agg)));
    }
    if (t->each) {
        tv_set(&v, "dim", t->each_label);
        tv_set(&v, "share", fmt_short(c, t->share));
        s = keepf(c, "%s%s", s, tx(c, t->has_share && t->share < 100 ? "words.each.share"
                                   : t->ngoals                        ? "words.each.respectively"
                                                                      : "words.each.all",
                                   &v));
    }
    tv_free(&v);
    return s;
}

/* The latest observed year of the series up to the evaluation year, or -1. */
static int latest_year(fctx *c, const indicator_result *ir)
{
    for (int k = ir->nyears - 1; k >= 0; k--)
        if (ir->first_year + k <= c->ev->eval_year && ir->years[k].value.state == FV_OK)
            return ir->first_year + k;
    return -1;
}

/* What was measured: "2025年3人", "2021—2025年年均0.15%". */
static const char *figure_text(fctx *c, const finding *it)
{
    const target_result *tr = it->tr;
    const indicator *ind = it->ind;
    tvars v;
    tv_init(&v, &c->g);
    const char *s;
    if (ind->kind != IND_QUANTITATIVE) {
        if (tr->record) {
            tv_set(&v, "status", tr->record->status);
            tv_set(&v, "as_of", it->as_of);
            s = tx(c, "words.figure.milestone", &v);
        } else {
            s = tx(c, "words.figure.none", &v);
        }
        tv_free(&v);
        return s;
    }
    if (tr->current.state != FV_OK) {
        /* Not due and its window not begun (or not computable): the latest value. */
        int y = tr->due ? -1 : latest_year(c, it->ir);
        if (y >= 0) {
            tv_setf(&v, "year", "%d", y);
            tv_set(&v, "value", fmt_value(c, ind, result_year(it->ir, y).value));
            tv_set(&v, "unit", unit_of(c, ind));
            s = tx(c, "words.figure.latest", &v);
        } else {
            s = tx(c, "words.figure.none", &v);
        }
        tv_free(&v);
        return s;
    }
    const target *t = tr->t;
    tv_set(&v, "value", fmt_current(c, ind, tr));
    tv_set(&v, "unit", unit_of(c, ind));
    tv_setf(&v, "year", "%d", tr->assessed_year);
    tv_setf(&v, "from", "%d", tr->window[0]);
    tv_setf(&v, "to", "%d", tr->window[1]);
    aggregate agg = t->agg;
    if (t->has_baseline)
        agg = t->baseline.reading == BASE_PERIOD_TOTAL  ? AGG_WINDOW_SUM
              : t->baseline.reading == BASE_PERIOD_MEAN ? AGG_WINDOW_MEAN
                                                        : AGG_YEAR;
    if (agg == AGG_YEAR || tr->window[0] == tr->window[1]) {
        s = tx(c, "words.figure.year", &v);
    } else {
        tv_set(&v, "what", txf(c, &v, "words.what.%s", aggregate_name(agg)));
        s = tx(c, "words.figure.window", &v);
    }
    if (tr->member) {
        /* a target over every member shows its worst member's figure */
        tv_set(&v, "member", tr->member);
        tv_set(&v, "figure", s);
        s = tx(c, "words.figure.member", &v);
    }
    if (tr->has_change) {
        int up = (t->op == OP_INCREASE) == (tr->change_pct >= 0);
        tv_set(&v, "direction", tx(c, up ? "words.direction_up" : "words.direction_down", &v));
        tv_set(&v, "pct", fmt_pct(c, fabs(tr->change_pct)));
        s = keepf(c, "%s%s", s,
                  tx(c, fabs(tr->change_pct) < 0.05 ? "words.figure.change_none" : "words.figure.change", &v));
    }
    tv_free(&v);
    return s;
}

/* The figure a quantitative target is compared with: its limit or value. */
static int goal_of(const target_result *tr, double *goal)
{
    const target *t = tr->t;
    if (tr->has_limit) {
        *goal = tr->limit;
        return 1;
    }
    if (t->op <= OP_EQ || t->op == OP_ZERO) {
        *goal = t->op == OP_ZERO ? 0 : t->value;
        return 1;
    }
    return 0;
}

/* 1 when smaller is better for this target (a ceiling). */
static int is_ceiling(const target_result *tr)
{
    const target *t = tr->t;
    if (t->op == OP_LE || t->op == OP_LT || t->op == OP_ZERO || t->op == OP_DECREASE ||
        t->op == OP_FALLING)
        return 1;
    if (t->op == OP_EQ)
        return tr->current.state == FV_OK && tr->current.v > t->value;
    return 0;
}

/* Variables of a target over every member: the failing ones, the counts. */
static void member_vars(fctx *c, const target_result *tr, tvars *v)
{
    (void)c;
    tv_set(v, "members", tr->failing_members ? tr->failing_members : "");
    tv_set(v, "dim", tr->t->each_label ? tr->t->each_label : "");
    tv_setf(v, "n", "%d", tr->nmembers);
    tv_setf(v, "met", "%d", tr->nmembers_met);
}

/*
 * A target on one year's figure to reach (>=, >, ==), missed in its year
 * and met in the latest year since (a task to finish by 2022, finished in
 * 2023): that year, else 0. A late completion, not a gap still to close.
 */
static int caught_up_year(fctx *c, const finding *it)
{
    const target_result *tr = it->tr;
    const target *t = tr->t;
    /* only what is built up and stays (>=, >, ==: 完成率, 建成数): a year
     * of fewer deaths does not undo a year of more (<=, <) */
    if (it->ind->kind != IND_QUANTITATIVE || tr->status != V_NOT_MET || t->agg != AGG_YEAR ||
        t->each || (t->op != OP_GE && t->op != OP_GT && t->op != OP_EQ) || t->explicit_window)
        return 0;
    int y = latest_year(c, it->ir);
    if (y <= t->year)
        return 0;
    return target_compare(t->op, result_year(it->ir, y).value.v, t->value) ? y : 0;
}

/*
 * A strict target (> 60 %, < 2, 下降 against a baseline) missed by a figure
 * exactly at its goal: no amount says how far (not "0.0个百分点", nor
 * "须降低1起" or "年均0.00人" for a mean); a plain count under a strict
 * bound is short by one all the same (amount_of).
 */
static int at_limit(fctx *c, const finding *it)
{
    const target_result *tr = it->tr;
    const target *t = tr->t;
    int any = change_any(t);
    double goal;
    /* at the goal as the verdicts compare (assess.c's tolerance) */
    return (t->op == OP_LT || t->op == OP_GT || any) && tr->current.state == FV_OK &&
           goal_of(tr, &goal) && fabs(tr->current.v - goal) <= 1e-9 * fmax(1, fabs(goal)) &&
           (any || !is_count(c, it->ind) || judged_on_mean(t));
}

/* How far a quantitative target is missed; NULL when it is not. */
static const char *gap_text(fctx *c, const finding *it)
{
    const target_result *tr = it->tr;
    const target *t = tr->t;
    const indicator *ind = it->ind;
    if (ind->kind != IND_QUANTITATIVE || !outlook_needs_attention(it->ol) ||
        tr->current.state != FV_OK || it->holds)
        return NULL;
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "unit", unit_of(c, ind));
    const char *s = NULL;
    double cur = tr->current.v, goal = 0;
    int has_goal = goal_of(tr, &goal);
    if (t->each) {
        member_vars(c, tr, &v);
        s = tx(c, tr->failing_members ? "words.gap.members" : "words.gap.members_none", &v);
    } else if (t->agg == AGG_EVERY_YEAR && tr->failing_years && t->op <= OP_EQ) {
        tv_set(&v, "years", years_text(c, tr->failing_years));
        s = tx(c, "words.gap.every_year", &v);
    } else if (OP_IS_TREND(t->op) && tr->failing_years) {
        tv_set(&v, "years", years_text(c, tr->failing_years));
        s = txf(c, &v, "words.gap.%s", op_name(t->op));
    } else if (t->op == OP_ZERO || tr->zero_baseline) {
        /* a decrease from a base of zero is read as "keep at zero" */
        tv_set(&v, "gap", gap_amount(c, ind, t, cur));
        s = tx(c, is_count(c, ind) ? "words.gap.zero" : "words.gap.above", &v);
    } else if (t->op == OP_DECREASE || t->op == OP_INCREASE) {
        tv_set(&v, "by", t->has_by ? fmt_short(c, t->by) : "0");
        tv_set(&v, "limit", tr->has_limit ? limit_text(c, ind, tr) : "");
        double pct = tr->has_change ? tr->change_pct : 0;
        tv_set(&v, "pct", fmt_pct(c, fabs(pct)));
        if (!tr->has_limit) {
            s = tx(c, "words.gap.none", &v);
        } else if (t->has_amount) {
            /* the limit is B -/+ amount: say how far the figure is from it */
            int down = t->op == OP_DECREASE;
            tv_set(&v, "gap", gap_amount(c, ind, t, down ? cur - tr->limit : tr->limit - cur));
            s = tx(c, down ? "words.gap.above_limit" : "words.gap.below_limit", &v);
        } else if (!t->has_by) {
            s = tx(c, t->op == OP_DECREASE ? "words.gap.decrease_any" : "words.gap.increase_any", &v);
        } else if (t->op == OP_DECREASE) {
            tv_set(&v, "gap", gap_amount(c, ind, t, cur - tr->limit));
            /* The change and the limit are on different figures (a window
             * mean against a baseline total, say): say only the limit. */
            /* no change at all ("与基期持平" precedes): not "仅下降0%" */
            s = pct < 0              ? tx(c, "words.gap.decrease_rise", &v)
                : pct >= t->by - 1e-9 ? tx(c, "words.gap.above_limit", &v)
                : pct < 0.05           ? tx_or(c, "words.gap.decrease_flat", "words.gap.decrease", &v)
                                      : tx(c, "words.gap.decrease", &v);
        } else {
            tv_set(&v, "gap", gap_amount(c, ind, t, tr->limit - cur));
            s = pct >= t->by - 1e-9 ? tx(c, "words.gap.below_limit", &v)
                : fabs(pct) < 0.05    ? tx_or(c, "words.gap.increase_flat", "words.gap.increase", &v)
                : pct < 0              ? tx_or(c, "words.gap.increase_fall", "words.gap.increase", &v)
                                      : tx(c, "words.gap.increase", &v);
        }
    } else if (has_goal && at_limit(c, it) &&
               (s = txf_opt(c, &v, "words.gap.%s", is_ceiling(tr) ? "at_limit_high" : "at_limit_low"))) {
        /* said above */
    } else if (has_goal) {
        tv_set(&v, "gap", gap_amount(c, ind, t, cur - goal));
        s = tx(c, is_ceiling(tr) ? "words.gap.above" : "words.gap.below", &v);
    } else {
        s = tx(c, "words.gap.none", &v);
    }
    if (s && it->caught_up) {
        tv_setf(&v, "year", "%d", it->caught_up);
        tv_set(&v, "value", fmt_value(c, ind, result_year(it->ir, it->caught_up).value));
        const char *late = txf_opt(c, &v, "words.gap.caught_up");
        if (late)
            s = keepf(c, "%s%s", s, late);
    }
    tv_free(&v);
    return s;
}

/*
 * A figure resting on a handful of events or units (3 deaths, 1 of 2 parks)
 * moves a long way with one more or one fewer: say what it rests on. NULL
 * when the count is not small, or when the count on record is not the one
 * the figure reads (a change between period means rests on two windows).
 */
static const char *count_note_text(fctx *c, const finding *it)
{
    const target_result *tr = it->tr;
    const target *t = tr->t;
    int change = t->op == OP_DECREASE || t->op == OP_INCREASE;
    int share = tr->total_unit && tr->total.state == FV_OK && tr->total.v >= 1;
    /* a plain count (4 deaths) already says what it rests on */
    if (!it->small_count || !it->ind->denominator || (tr->count.v < 1 && !share) ||
        (change && t->has_baseline && t->baseline.reading != BASE_YEAR))
        return NULL;
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "count", "%.0f", tr->count.v);
    tv_set(&v, "unit", tr->count_unit);
    tv_setf(&v, "year", "%d", tr->assessed_year);
    tv_setf(&v, "from", "%d", tr->window[0]);
    tv_setf(&v, "to", "%d", tr->window[1]);
    int one_year = t->agg == AGG_YEAR || change || tr->window[0] == tr->window[1];
    const char *key = one_year ? "words.small_count.year" : "words.small_count.window";
    /* a share of a few units: "17个中的9个" says more than the 52.9 % alone */
    if (share) {
        tv_setf(&v, "total", "%.0f", tr->total.v);
        tv_set(&v, "total_unit", tr->total_unit);
        key = one_year ? "words.small_count.year_share" : "words.small_count.window_share";
    }
    const char *s = tx(c, key, &v);
    tv_free(&v);
    return s;
}

/* The gap relative to the target, 0..1, for ranking. */
static double relative_gap(const finding *it)
{
    const target_result *tr = it->tr;
    /* A task not done weighs as a 10 % gap: after sizeable quantitative misses,
     * before marginal ones. */
    if (it->ind->kind != IND_QUANTITATIVE)
        return outlook_needs_attention(it->ol) ? 0.1 : 0;
    double goal, cur;
    if (tr->current.state != FV_OK || !goal_of(tr, &goal))
        return outlook_needs_attention(it->ol) ? 0.3 : 0;
    cur = tr->current.v;
    double d = is_ceiling(tr) ? cur - goal : goal - cur;
    if (d <= 0)
        return 0;
    double r = fabs(goal) > 1e-12 ? d / fabs(goal) : 1;
    return r > 1 ? 1 : r;
}

/* The latest year moved away from the target (by the indicator's better direction). */
static int worsening(fctx *c, const finding *it)
{
    const indicator_result *ir = it->ir;
    if (it->ind->kind != IND_QUANTITATIVE || it->ind->better == BETTER_NONE)
        return 0;
    int y = latest_year(c, ir);
    if (y < 0)
        return 0;
    year_value a = result_year(ir, y - 1), b = result_year(ir, y);
    if (a.value.state != FV_OK || b.value.state != FV_OK)
        return 0;
    return it->ind->better == BETTER_LOWER ? b.value.v > a.value.v : b.value.v < a.value.v;
}

static int list_has(fctx *c, const char *list_key, const char *value)
{
    int n = rtpl_count(c->f->words, list_key);
    for (int i = 0; i < n; i++) {
        const char *s = rtpl_getf(c->f->words, "%s.%d", list_key, i);
        if (s && value && strcmp(s, value) == 0)
            return 1;
    }
    return 0;
}

static const fc_target *forecast_of(fctx *c, int ii, int ti)
{
    if (!c->fs || ii >= c->fs->ninds)
        return NULL;
    const fc_indicator *fi = &c->fs->inds[ii];
    return ti < fi->ntargets ? &fi->targets[ti] : NULL;
}

/* 1 if the latest observed figure already satisfies the target (a window not yet begun). */
static int latest_meets(fctx *c, const finding *it)
{
    const target *t = it->tr->t;
    if (it->ind->kind != IND_QUANTITATIVE || !(t->op <= OP_EQ || t->op == OP_ZERO))
        return 0;
    int y = latest_year(c, it->ir);
    if (y < 0)
        return 0;
    return target_compare(t->op, result_year(it->ir, y).value.v, t->op == OP_ZERO ? 0 : t->value);
}

/*
 * The outlook of a target, and when progress so far and the forecast
 * disagree, the reason for the one stated: a figure already at the target
 * level whose forecast says it will slip is "at risk" (not "unlikely"); a
 * figure short of the target whose forecast reaches it is "on track",
 * saying so.
 */
static outlook outlook_of(fctx *c, finding *it)
{
    const target_result *tr = it->tr;
    const indicator *ind = it->ind;
    switch (tr->status) {
    case V_MET: return OL_MET;
    case V_NOT_MET: return OL_OFF_TRACK;
    case V_INSUFFICIENT: return OL_INSUFFICIENT;
    case V_NOT_APPLICABLE: return OL_NA;
    case V_NOT_YET_DUE: break;
    }
    if (ind->kind == IND_QUANTITATIVE && tr->t->op == OP_ZERO && tr->progress == 0 &&
        tr->t->agg != AGG_YEAR)
        return OL_UNLIKELY; /* a zero target missed once in its window cannot be met any more */
    if (ind->kind == IND_QUANTITATIVE && OP_IS_TREND(tr->t->op) && tr->progress == 0)
        return OL_UNLIKELY; /* so is a trend broken in a year already past */
    /* A target over every member has no forecast (the series is the whole):
     * the members so far decide, below. */
    if (it->fc && !tr->t->each) {
        outlook fo = OL_COUNT;
        switch (it->fc->status) {
        case FS_MET: fo = OL_MET; break;
        case FS_ON_TRACK: fo = OL_ON_TRACK; break;
        case FS_AT_RISK: fo = OL_AT_RISK; break;
        case FS_OFF_TRACK: fo = OL_UNLIKELY; break;
        case FS_INSUFFICIENT: fo = OL_INSUFFICIENT; break;
        case FS_NONE: break;
        }
        if (fo != OL_COUNT) {
            tvars v;
            tv_init(&v, &c->g);
            tv_set(&v, "probability",
                   it->fc->has_prob ? fmt_pct(c, 100 * it->fc->prob) : tx(c, "words.value_missing", NULL));
            tv_setf(&v, "target_year", "%d", tr->t->year);
            int level = tr->progress == 1 || (tr->progress < 0 && latest_meets(c, it));
            if (ind->kind == IND_QUANTITATIVE && level && (fo == OL_UNLIKELY || fo == OL_AT_RISK)) {
                it->reason = tx(c, "words.reconcile.level_met_trend_not", &v);
                it->holds = 1;
                fo = OL_AT_RISK;
            } else if (ind->kind == IND_QUANTITATIVE && tr->progress == 0 &&
                       (fo == OL_ON_TRACK || fo == OL_MET)) {
                it->reason = tx(c, "words.reconcile.level_short_trend_ok", &v);
                fo = OL_ON_TRACK;
            }
            tv_free(&v);
            return fo;
        }
    }
    if (ind->kind == IND_QUANTITATIVE)
        return tr->progress == 1 ? OL_ON_TRACK : tr->progress == 0 ? OL_AT_RISK : OL_INSUFFICIENT;
    /* A milestone in progress: its chance of completion by its year (the
     * plan's records, how long it has been open and the time left), not
     * its status word. */
    if (it->fc && it->fc->has_prob && ind->kind == IND_MILESTONE)
        return it->fc->prob >= c->ms_on_track ? OL_ON_TRACK
               : it->fc->prob >= c->ms_at_risk ? OL_AT_RISK
                                               : OL_UNLIKELY;
    if (!tr->record)
        return OL_INSUFFICIENT;
    if (tr->progress == 1)
        return OL_ON_TRACK;
    return list_has(c, "words.on_track_statuses", tr->record->status) ? OL_ON_TRACK : OL_AT_RISK;
}

/* Years of the plan window with a non-zero count ("2023年1起，2024年2起"), or NULL. */
static const char *veto_years(fctx *c, const indicator_result *ir)
{
    const indicator *ind = ir->ind;
    const char *sep = tx(c, "words.red_flags.veto_years_separator", NULL);
    strbuf b;
    sb_init(&b);
    for (int y = c->p->period[0]; y <= c->ev->eval_year; y++) {
        year_value yv = result_year(ir, y);
        if (yv.value.state != FV_OK || yv.value.v <= 0)
            continue;
        tvars v;
        tv_init(&v, &c->g);
        tv_setf(&v, "year", "%d", y);
        tv_set(&v, "count", fmt_value(c, ind, yv.value));
        tv_set(&v, "unit", unit_of(c, ind));
        if (b.len)
            sb_add(&b, sep);
        sb_add(&b, tx(c, "words.red_flags.veto_year", &v));
        tv_free(&v);
    }
    return b.len ? keep(c, sb_take(&b)) : NULL;
}

static int is_veto(fctx *c, const indicator_result *ir, const char **years)
{
    const indicator *ind = ir->ind;
    *years = NULL;
    if (ind->kind != IND_QUANTITATIVE || ind->veto == 0)
        return 0;
    int zero = 0, missed = 0;
    for (int k = 0; k < ir->ntargets; k++)
        if (ir->targets[k].t->op == OP_ZERO) {
            zero = 1;
            if (ir->targets[k].status == V_NOT_MET || ir->targets[k].progress == 0)
                missed = 1;
        }
    int listed = ind->veto == 1 || (ind->use && list_has(c, "words.veto_catalogue", ind->use->id));
    if (!zero && !listed)
        return 0;
    *years = veto_years(c, ir);
    return missed || *years != NULL;
}

static int type_rank(fctx *c, const char *type)
{
    for (int i = 0; i < c->f->ntypes; i++)
        if (type && strcmp(c->f->types[i], type) == 0)
            return i;
    return c->f->ntypes;
}

/* A milestone done, but after its year (judged not met; its latest status is a done one). */
static int is_late(const finding *it)
{
    return it->tr->t->op == OP_DONE && it->tr->status == V_NOT_MET && it->tr->record &&
           it->tr->record->role == MSS_DONE;
}

/* 1 if [s, e) is only references: "L22", "L240、L248", "见P4e说明", "events.csv". */
static int only_refs(const char *s, const char *e)
{
    if (e - s >= 3 && strncmp(s, "\xE8\xA7\x81", 3) == 0) /* 见 */
        s += 3;
    if (e - s >= 6 && strncmp(e - 6, "\xE8\xAF\xB4\xE6\x98\x8E", 6) == 0) /* 说明 */
        e -= 6;
    int ascii = 0;
    for (const char *p = s; p < e;) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == ',' || *p == ' ' || *p == '.' || *p == '_') {
            ascii++;
            p++;
        } else if (e - p >= 3 && (strncmp(p, "\xE3\x80\x81", 3) == 0 ||   /* 、 */
                                  strncmp(p, "\xE2\x80\x94", 3) == 0 ||   /* — */
                                  strncmp(p, "\xEF\xBC\x8C", 3) == 0)) {  /* ， */
            p += 3;
        } else {
            return 0;
        }
    }
    return ascii > 0;
}

char *reader_text(const char *text)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, "");
    for (const char *p = text ? text : ""; *p;) {
        if (strncmp(p, "\xEF\xBC\x88", 3) == 0) { /* （ */
            const char *close = strstr(p + 3, "\xEF\xBC\x89");
            if (close && only_refs(p + 3, close)) {
                p = close + 3;
                continue;
            }
        }
        int boundary = p == text || !((p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z'));
        if (*p == 'L' && boundary && p[1] >= '0' && p[1] <= '9') {
            const char *q = p + 1;
            while (*q >= '0' && *q <= '9')
                q++;
            sb_printf(&b, "规划第%.*s行", (int)(q - p - 1), p + 1);
            p = q;
            continue;
        }
        sb_addc(&b, *p++);
    }
    return sb_take(&b);
}

/* The interpretation doubt of the indicator, worded. */
static const char *doubt_text(fctx *c, const indicator *ind)
{
    if (!ind->doubt)
        return NULL;
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "question", keep(c, reader_text(ind->doubt->question)));
    tv_set(&v, "reading", keep(c, reader_text(ind->doubt->reading)));
    tv_set(&v, "alternative", ind->doubt->alternative ? keep(c, reader_text(ind->doubt->alternative)) : "");
    const char *s = tx(c, ind->doubt->alternative ? "words.doubt_alternative" : "words.doubt", &v);
    tv_free(&v);
    return s;
}

/*
 * The plan's other statements of this target that give another figure
 * (`restated:` with a value), named beside the verdict with the reading
 * used; NULL when there are none.
 */
static const char *conflict_text(fctx *c, const finding *it)
{
    const target *t = it->tr->t;
    strbuf places = {0};
    for (int i = 0; i < t->nrestated; i++) {
        const restatement *rs = &t->restated[i];
        if (!rs->has_value || !t->has_value || fabs(rs->value - t->value) <= 1e-9 * fabs(t->value))
            continue;
        tvars v;
        tv_init(&v, &c->g);
        tv_set(&v, "quote", keep(c, reader_text(rs->quote)));
        tv_setf(&v, "line", "%d", rs->line);
        if (places.len)
            sb_add(&places, tx(c, "words.list_separator", NULL));
        sb_add(&places, tx(c, rs->line ? "words.restated.place_line" : "words.restated.place", &v));
        tv_free(&v);
    }
    if (!places.len)
        return NULL;
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "places", keep(c, sb_take(&places)));
    tv_set(&v, "target", it->target);
    const char *s = tx(c, "words.restated.conflict", &v);
    tv_free(&v);
    return s;
}

/* A milestone's chance of completion in words (words.milestone_chance_text), or NULL. */
static const char *chance_text(fctx *c, const finding *it)
{
    if (!it->fc || !it->fc->has_prob || it->ind->kind != IND_MILESTONE ||
        it->tr->status != V_NOT_YET_DUE)
        return NULL;
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "probability", fmt_pct(c, 100 * it->fc->prob));
    const char *s = tx(c, "words.milestone_chance_text", &v);
    tv_free(&v);
    return s;
}

static void fill_item(fctx *c, finding *it, int ii, int ti, int veto, const char *vyears,
                      const char *dept)
{
    const indicator_result *ir = &c->ev->inds[ii];
    it->ii = ii;
    it->ti = ti;
    it->ind = ir->ind;
    it->ir = ir;
    it->tr = &ir->targets[ti];
    it->fc = forecast_of(c, ii, ti);
    it->type_rank = type_rank(c, ir->ind->type);
    it->binding = c->f->ntypes > 0 && it->type_rank == 0;
    it->veto = veto;
    it->veto_years = vyears;
    it->dept = dept;
    int last = 0;
    for (int k = 0; k < ir->ntargets; k++)
        if (ir->targets[k].t->year > last)
            last = ir->targets[k].t->year;
    it->final = it->tr->t->year == last;
    if (it->tr->record) {
        it->as_of = record_date(c, it->tr->record);
        const milestone_record *recs;
        int nr = region_milestones(c->ec->r, c->p->id, ir->ind->id, &recs);
        for (int q = 0; q < nr; q++)
            if (strcmp(recs[q].status, it->tr->record->status) == 0 &&
                recs[q].year <= c->ev->eval_year) {
                it->done_date = record_date(c, &recs[q]);
                break;
            }
    }
    it->ol = outlook_of(c, it);
    it->chance = chance_text(c, it);
    it->outlook_word = txf(c, NULL, "words.outlook.%s", outlook_codes[it->ol]);
    it->target = target_text(c, it, 1);
    it->target_nu = target_text(c, it, 0);
    it->base = it->tr->t->has_baseline ? base_text(c, it, 1) : NULL;
    it->baseline_value = fmt_baseline(c, ir->ind, it->tr);
    it->missing = years_text(c, it->tr->missing_years);
    it->figure = figure_text(c, it);
    it->current = ir->ind->kind == IND_QUANTITATIVE ? fmt_current(c, ir->ind, it->tr) : it->figure;
    it->caught_up = caught_up_year(c, it);
    it->gap = gap_text(c, it);
    it->rel_gap = relative_gap(it);
    it->worsening = worsening(c, it);
    it->small_count = it->tr->count_unit && it->tr->count.state == FV_OK &&
                      it->tr->count.v < 10;
    it->count_note = count_note_text(c, it);
    it->doubt = doubt_text(c, ir->ind);
    const char *conflict = conflict_text(c, it);
    if (conflict)
        it->doubt = it->doubt ? keepf(c, "%s；%s", it->doubt, conflict) : conflict;
    it->late = ir->ind->kind == IND_MILESTONE && is_late(it);
    it->overdue = ir->ind->kind == IND_MILESTONE && it->tr->status == V_NOT_MET && !it->late &&
                  it->tr->t->year < c->ev->eval_year;
}

/* ---------- seriousness and rank ---------- */

static severity severity_of(const finding *it)
{
    const indicator *ind = it->ind;
    switch (it->ol) {
    case OL_MET: case OL_ON_TRACK: case OL_NA: return SEV_NONE;
    case OL_INSUFFICIENT: return SEV_NOTE;
    default: break;
    }
    if (it->superseded)
        return SEV_NOTE;
    if (it->veto && it->tr->t->op == OP_ZERO)
        return SEV_RED_FLAG;
    if ((ind->kind == IND_MILESTONE && is_late(it)) || (it->caught_up && !it->binding))
        return SEV_NOTE; /* done, only late (a binding target missed stays a red flag) */
    int missed = it->ol == OL_OFF_TRACK || it->ol == OL_UNLIKELY;
    if (!it->final)
        return missed ? SEV_RISK : SEV_NOTE;
    if (missed)
        return it->binding ? SEV_RED_FLAG : SEV_MAJOR;
    return SEV_RISK;
}

static int urgency(outlook o)
{
    return o == OL_OFF_TRACK ? 0 : o == OL_UNLIKELY ? 1 : o == OL_AT_RISK ? 2 : 3;
}

static int cmp_rank(const void *a, const void *b)
{
    const finding *x = *(finding *const *)a, *y = *(finding *const *)b;
    if (x->sev != y->sev)
        return (int)x->sev - (int)y->sev;
    if (x->veto != y->veto)
        return y->veto - x->veto;
    if (x->binding != y->binding)
        return y->binding - x->binding;
    if (x->final != y->final)
        return y->final - x->final;
    if (urgency(x->ol) != urgency(y->ol))
        return urgency(x->ol) - urgency(y->ol);
    /* gaps within 5 % of each other count as equal: then the trend decides */
    double dg = y->rel_gap - x->rel_gap;
    if (fabs(dg) > 0.05)
        return dg > 0 ? 1 : -1;
    if (x->worsening != y->worsening)
        return y->worsening - x->worsening;
    if (x->ii != y->ii)
        return x->ii - y->ii;
    return x->ti - y->ti;
}

/* An interim target missed whose indicator's final target is met or on track
 * (superseded), or needs attention too (merged: one action, the final one's). */
static void mark_superseded(findings *f)
{
    for (int i = 0; i < f->n; i++) {
        finding *it = &f->items[i];
        if (it->final || !outlook_needs_attention(it->ol))
            continue;
        for (int k = 0; k < it->ir->ntargets; k++) { /* the indicator's own targets */
            const finding *o = &f->items[f->first[it->ii] + k];
            if (o->final && (o->ol == OL_MET || o->ol == OL_ON_TRACK)) {
                it->superseded = o->tr->t->year;
                it->superseded_met = o->ol == OL_MET;
            } else if (o->final && outlook_needs_attention(o->ol) &&
                       it->tr->status == V_NOT_MET) {
                /* missed (due), not only at risk: a target not yet due
                 * keeps its own action */
                it->merged = o->tr->t->year;
            }
        }
    }
}

static void rank_findings(fctx *c)
{
    findings *f = c->f;
    mark_superseded(f);
    f->ranked = xcalloc((size_t)(f->n ? f->n : 1), sizeof *f->ranked);
    for (int i = 0; i < f->n; i++) {
        finding *it = &f->items[i];
        it->sev = severity_of(it);
        if (it->sev != SEV_NONE)
            f->ranked[f->nranked++] = it;
    }
    if (f->nranked > 1)
        qsort(f->ranked, (size_t)f->nranked, sizeof *f->ranked, cmp_rank);
    for (int i = 0; i < f->nranked; i++)
        f->ranked[i]->rank = i + 1;
}

/* ---------- problems and actions ---------- */

/* The problem rule of a finding (words.problems.<kind>), or NULL for none. */
static const char *problem_kind(fctx *c, const finding *it)
{
    const indicator *ind = it->ind;
    const target_result *tr = it->tr;
    if (tr->status == V_INSUFFICIENT)
        return "data_gap";
    if (it->veto && tr->t->op == OP_ZERO && (it->ol == OL_OFF_TRACK || it->ol == OL_UNLIKELY))
        return "veto";
    if (ind->kind == IND_QUANTITATIVE) {
        switch (it->ol) {
        case OL_OFF_TRACK: return it->binding ? "binding_off_track" : "off_track";
        case OL_UNLIKELY: return "unlikely";
        case OL_AT_RISK: return "at_risk";
        default: return NULL;
        }
    }
    if (ind->kind == IND_MILESTONE && tr->status == V_NOT_MET)
        return is_late(it) ? "late" : tr->t->year < c->ev->eval_year ? "overdue" : "due_now";
    if (ind->kind == IND_QUALITATIVE && tr->status == V_NOT_MET)
        return "not_achieved";
    if (ind->kind != IND_QUANTITATIVE && tr->status == V_NOT_YET_DUE && it->chance &&
        (it->ol == OL_AT_RISK || it->ol == OL_UNLIKELY))
        return it->ol == OL_AT_RISK ? "milestone_chance_at_risk" : "milestone_chance_unlikely";
    if (ind->kind != IND_QUANTITATIVE && tr->status == V_NOT_YET_DUE &&
        (it->ol == OL_AT_RISK || it->ol == OL_UNLIKELY))
        return "milestone_at_risk";
    return NULL;
}

/* The action kind: what must be done, by the form of the target. */
static const char *action_kind(fctx *c, const finding *it, const char *pkind)
{
    const target *t = it->tr->t;
    if (strcmp(pkind, "data_gap") == 0 || strcmp(pkind, "veto") == 0 ||
        strcmp(pkind, "late") == 0 || strcmp(pkind, "not_achieved") == 0)
        return pkind;
    if (it->ind->kind != IND_QUANTITATIVE)
        return "milestone";
    if (it->caught_up)
        return "caught_up";
    if (t->each && it->tr->failing_members)
        return "members";
    if (t->op == OP_ZERO || it->tr->zero_baseline)
        return "zero";
    if (t->agg == AGG_EVERY_YEAR)
        return "every_year";
    if (OP_IS_TREND(t->op))
        return op_name(t->op);
    double goal;
    if (it->tr->current.state != FV_OK || !goal_of(it->tr, &goal))
        return "general";
    if (is_ceiling(it->tr))
        return "ceiling";
    if (t->op == OP_EQ && rtpl_get(c->f->words, c->final_stage && it->tr->due ? "actions.final.reach"
                                                                             : "actions.interim.reach"))
        return "reach";
    return is_count(c, it->ind) ? "stock" : "floor";
}

/* Variables of a finding's problem and action texts. */
static void finding_vars(fctx *c, const finding *it, tvars *v)
{
    const indicator *ind = it->ind;
    const target_result *tr = it->tr;
    tv_set(v, "indicator", ind->name);
    tv_set(v, "department", it->dept);
    tv_set(v, "lead", ind->ndepartments ? tx(c, "actions.lead", v) : tx(c, "actions.lead_none", v));
    tv_set(v, "type", ind->type);
    const char *mark = ind->type ? rtpl_getf(c->f->words, "words.type_mark.%s", ind->type) : NULL;
    tv_set(v, "type_mark", mark ? mark : "");
    tv_set(v, "unit", unit_of(c, ind));
    tv_set(v, "target", it->target);
    tv_set(v, "figure", it->figure);
    tv_set(v, "current", it->current);
    tv_set(v, "gap", it->gap ? it->gap : "");
    tv_setf(v, "target_year", "%d", tr->t->year);
    tv_setf(v, "due_year", "%d", tr->t->year);
    tv_set(v, "outlook", it->outlook_word);
    tv_set(v, "status", tr->record ? tr->record->status : tx(c, "words.figure.none", NULL));
    tv_set(v, "as_of", it->as_of ? it->as_of : "");
    tv_set(v, "done_date", it->done_date ? it->done_date : "");
    tv_set(v, "years", it->missing ? it->missing : "");
    tv_set(v, "years_text", it->veto_years ? it->veto_years : "");
    const char *allow = it->fc && it->fc->allowance && tr->status == V_NOT_YET_DUE ? it->fc->allowance : NULL;
    tv_set(v, "allowance", allow ? allow : "");
    tv_set(v, "allowance_clause", allow ? tx(c, "actions.allowance_clause", v) : "");
    tv_set(v, "gap_clause", it->gap ? tx(c, "words.gap_clause", v) : "");
    tv_set(v, "count_note", it->count_note ? it->count_note : "");
    tv_set(v, "count_clause", it->count_note ? tx(c, "words.count_clause", v) : "");
    const char *ft = years_text(c, tr->failing_years);
    tv_set(v, "failing_years", ft ? ft : "");
    tv_set(v, "failing_members", tr->failing_members ? tr->failing_members : "");
    tv_set(v, "dim", tr->t->each_label ? tr->t->each_label : "");
    tv_setf(v, "deadline", "%d", tr->t->year > c->ev->eval_year ? tr->t->year : c->ev->eval_year + 1);
    double goal = 0;
    int has_goal = ind->kind == IND_QUANTITATIVE && goal_of(tr, &goal);
    /* a whole count (not a mean of one) is held to whole numbers: "> 7个" is
     * reached at 8, "< 3起" kept at 2, a limit of 3.6人 is 3人 and one of
     * 0.85起 none (the amount, rounded up, already counts so) */
    double whole = goal;
    const target *tt = tr->t;
    if (has_goal && is_count(c, ind) && !judged_on_mean(tt))
        whole = tt->op == OP_GT || (tt->op == OP_INCREASE && change_any(tt)) ? floor(goal + 1e-9) + 1
              : tt->op == OP_LT || (tt->op == OP_DECREASE && change_any(tt)) ? ceil(goal - 1e-9) - 1
              : is_ceiling(tr)                                               ? floor(goal + 1e-9)
                                                                             : ceil(goal - 1e-9);
    if (has_goal && whole != goal) {
        goal = whole;
        tv_set(v, "limit", fmt_short(c, goal));
    } else {
        tv_set(v, "limit", has_goal ? (tr->has_limit ? limit_text(c, ind, tr) : fmt_short(c, goal)) : "");
    }
    tv_set(v, "amount", has_goal && tr->current.state == FV_OK
                            ? gap_amount(c, ind, tr->t, tr->current.v - goal)
                            : "");
    tv_setf(v, "final_year", "%d", it->superseded ? it->superseded : it->merged);
    /* the year that moved away (worsening): its latest */
    tv_setf(v, "worse_year", "%d", it->worsening ? latest_year(c, it->ir) : 0);
    tv_set(v, "chance", it->chance ? it->chance : "");
}

static void build_problem(fctx *c, finding *it)
{
    const char *pk = problem_kind(c, it);
    if (!pk)
        return;
    tvars v;
    tv_init(&v, &c->g);
    finding_vars(c, it, &v);
    /* milestones without any record have their own wording */
    it->problem = it->tr->record ? NULL : txf_opt(c, &v, "words.problems.%s_no_record", pk);
    if (!it->problem)
        it->problem = txf_opt(c, &v, "words.problems.%s", pk);
    if (!it->problem) {
        tv_free(&v);
        return; /* the office left this kind of problem out */
    }
    if (it->superseded) {
        it->note = tx(c, it->superseded_met ? "words.superseded" : "words.superseded_on_track", &v);
        it->action = tx(c, it->superseded_met ? "actions.superseded" : "actions.superseded_on_track", &v);
        tv_free(&v);
        return;
    }
    /* not two demands on one figure (2022's gap and 2025's): the final
     * target's action is the one to carry out */
    if (it->merged && strcmp(pk, "veto") != 0 &&
        (it->action = txf_opt(c, &v, "actions.merged"))) {
        tv_free(&v);
        return;
    }
    const char *ak = action_kind(c, it, pk);
    /* A target not yet due is worked on in the plan period; a missed one
     * after the plan's end goes to 整改 and the next plan. */
    const char *when = c->final_stage && it->tr->due ? "final" : "interim";
    /* The most specific text the template gives: a task not started, a
     * figure that meets the target so far (nothing to make up: its own
     * text or the general one, never "须降低…"), a figure moving away, a
     * large gap (a fifth of the target or more). */
    const char *variant = NULL;
    if (strcmp(ak, "milestone") == 0 && it->tr->record &&
        it->tr->record->role == MSS_NOT_STARTED)
        variant = "not_started";
    else if (it->holds)
        variant = "hold";
    else if (at_limit(c, it))
        variant = "at_limit";
    else if (it->worsening)
        variant = "worsening";
    else if (it->rel_gap >= 0.2)
        variant = "large";
    it->action = variant ? txf_opt(c, &v, "actions.%s.%s_%s", when, ak, variant) : NULL;
    if (!it->action && !it->holds)
        it->action = txf_opt(c, &v, "actions.%s.%s", when, ak);
    if (!it->action)
        it->action = txf(c, &v, "actions.%s.general", when);
    tv_free(&v);
}

static void build_problems(fctx *c)
{
    findings *f = c->f;
    f->problems = xcalloc((size_t)(f->n ? f->n : 1), sizeof *f->problems);
    int *veto_done = xcalloc((size_t)(c->ev->ninds ? c->ev->ninds : 1), sizeof(int));
    for (int i = 0; i < f->n; i++)
        build_problem(c, &f->items[i]);
    for (int i = 0; i < f->nranked; i++) {
        finding *it = f->ranked[i];
        if (!it->problem)
            continue;
        if (it->veto && it->tr->t->op == OP_ZERO) {
            if (veto_done[it->ii])
                continue; /* one red flag per indicator */
            veto_done[it->ii] = 1;
        }
        f->problems[f->nproblems++] = it;
    }
    free(veto_done);
}

/* ---------- the overall sentence ---------- */

static const char *counts_text(fctx *c, const int *n)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, "");
    const char *sep = tx(c, "words.counts_separator", NULL);
    for (int o = 0; o < OL_COUNT; o++) {
        if (!n[o])
            continue;
        tvars v;
        tv_init(&v, &c->g);
        tv_set(&v, "status", txf(c, NULL, "words.outlook.%s", outlook_codes[o]));
        tv_setf(&v, "n", "%d", n[o]);
        if (b.len)
            sb_add(&b, sep);
        sb_add(&b, tx(c, "words.counts_item", &v));
        tv_free(&v);
    }
    return keep(c, sb_take(&b));
}

static void build_overall(fctx *c)
{
    findings *f = c->f;
    int all[OL_COUNT] = {0}, bind[OL_COUNT] = {0}, nbind = 0;
    for (int i = 0; i < f->n; i++) {
        all[f->items[i].ol]++;
        if (f->items[i].binding) {
            bind[f->items[i].ol]++;
            nbind++;
        }
    }
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "ntargets", "%d", f->n);
    tv_setf(&v, "n_met", "%d", all[OL_MET]);
    tv_set(&v, "pct_met", fmt_pct(c, f->n ? 100.0 * all[OL_MET] / f->n : 0));
    tv_set(&v, "counts_text", counts_text(c, all));
    tv_setf(&v, "binding_total", "%d", nbind);
    tv_set(&v, "binding_counts_text", counts_text(c, bind));
    int veto = 0;
    for (int i = 0; i < f->n; i++)
        veto |= f->items[i].sev == SEV_RED_FLAG && f->items[i].veto;
    tv_set(&v, "veto_text", tx(c, veto ? "overall.veto" : "overall.no_veto", &v));
    /* the largest problems by name */
    strbuf b;
    sb_init(&b);
    int ntop = 0;
    for (int i = 0; i < f->nranked && ntop < 3; i++) {
        const finding *it = f->ranked[i];
        if (it->sev > SEV_MAJOR || it->ind->kind != IND_QUANTITATIVE)
            continue;
        int dup = 0;
        for (int k = 0; k < i; k++)
            dup |= f->ranked[k]->ii == it->ii && f->ranked[k]->sev <= SEV_MAJOR;
        if (dup)
            continue;
        if (ntop)
            sb_add(&b, tx(c, "words.list_separator", NULL));
        sb_printf(&b, "%s", it->ind->name);
        ntop++;
    }
    tv_set(&v, "top", b.s ? b.s : "");
    sb_free(&b);
    const char *s = tx(c, nbind ? "overall.text_binding" : "overall.text", &v);
    if (ntop)
        s = keepf(c, "%s%s", s, tx(c, "overall.top", &v));
    f->overall = s;
    tv_free(&v);
}

/* ---------- building ---------- */

static rtpl *load_words(const char *templates_dir, rtpl_cache *tc, diag_list *d)
{
    char *path = xasprintf("%s/findings.yaml", templates_dir);
    rtpl *t = NULL;
    if (rtpl_load_cached(tc, &t, path, known_vars, d) != 0)
        t = NULL;
    free(path);
    return t;
}

/* Keys every findings.yaml must give. */
static const char *const required[] = {
    "words.outlook.met", "words.outlook.off_track", "words.no_department", "words.years",
    "words.points.percent", "words.amount", "words.gap.above", "words.gap.below",
    "words.problems.off_track", "actions.lead", "actions.lead_none", "actions.final.general",
    "actions.interim.general", "actions.superseded", "overall.text", "overall.text_binding",
    "overall.top", "overall.veto", "overall.no_veto", "words.reconcile.level_met_trend_not",
    "words.reconcile.level_short_trend_ok", "words.doubt", "words.doubt_alternative",
    "words.superseded", "words.superseded_on_track", "actions.superseded_on_track",
    "words.milestone_chance.on_track", "words.milestone_chance.at_risk",
    "words.milestone_chance_text", NULL};
/* Newer keys (words.gap.at_limit_*, caught_up, *_flat, increase_fall,
 * words.amount_mean, actions.merged, the *_hold and *_at_limit actions) are
 * optional: an office's older findings.yaml keeps its own wording there
 * (tx_or, txf_opt). */

/* A probability threshold of words.milestone_chance: a number in [0, 1]. */
static double chance_threshold(const rtpl *t, const char *key, diag_list *d)
{
    const char *s = rtpl_get(t, key);
    char *end = NULL;
    double x = s ? strtod(s, &end) : NAN;
    if (s && (end == s || *end || !(x >= 0 && x <= 1))) {
        diag_add(d, DIAG_ERROR, rtpl_file(t), rtpl_line(t, key), 0,
                 "%s must be a probability between 0 and 1, not '%s'", key, s);
        x = NAN;
    }
    return x;
}

/* The thresholds of a milestone's outlook; errors in d (file and line). */
static void chance_thresholds(const rtpl *t, double *on_track, double *at_risk, diag_list *d)
{
    *on_track = chance_threshold(t, "words.milestone_chance.on_track", d);
    *at_risk = chance_threshold(t, "words.milestone_chance.at_risk", d);
    if (*at_risk > *on_track)
        diag_add(d, DIAG_ERROR, rtpl_file(t), rtpl_line(t, "words.milestone_chance.at_risk"), 0,
                 "words.milestone_chance.at_risk (%g) is above on_track (%g)", *at_risk,
                 *on_track);
}

/* words.on_track_statuses are statuses milestones.csv may hold (the data dictionary's). */
static void check_statuses(const rtpl *t, const dictionary *dict, diag_list *d)
{
    int n = rtpl_count(t, "words.on_track_statuses");
    for (int i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof key, "words.on_track_statuses.%d", i);
        const char *s = rtpl_get(t, key);
        if (ms_role_of(dict, s) < 0)
            diag_add(d, DIAG_ERROR, rtpl_file(t), rtpl_line(t, key), 0,
                     "on_track_statuses: '%s' is not one of the data dictionary's "
                     "milestone_statuses", s ? s : "");
    }
}

int findings_check_templates(const char *templates_dir, diag_list *d)
{
    size_t before = diag_errors(d);
    rtpl *t = load_words(templates_dir, NULL, d);
    if (t) {
        double on, risk;
        rtpl_require(t, "", required, "findings", d);
        chance_thresholds(t, &on, &risk, d);
    }
    rtpl_free(t);
    return diag_errors(d) > before ? -1 : 0;
}

static void global_vars(fctx *c, const labels *lb)
{
    const plan *p = c->p;
    tvars *g = &c->g;
    tv_setf(g, "eval_year", "%d", c->ev->eval_year);
    tv_setf(g, "cutoff", "%d", c->f->data_cutoff);
    tv_set(g, "stage", label(lb, "stage", stage_name(c->ev->stage)));
    int next = c->ev->eval_year + 1;
    tv_setf(g, "next_year", "%d", next);
    /* the plan that follows: the period after this plan's */
    int len = p->period[1] - p->period[0] + 1;
    const char *np = rtpl_getf(c->f->words, "words.period_short.%d-%d", p->period[1] + 1,
                               p->period[1] + len);
    tv_set(g, "next_plan", np ? np : tx(c, "words.next_plan_other", NULL));
}

int findings_build(findings *f, const evaluation *ev, const eval_context *ec,
                   const labels *lb, const forecast_set *fs, const char *templates_dir,
                   rtpl_cache *tc, diag_list *d)
{
    memset(f, 0, sizeof *f);
    f->ev = ev;
    size_t before = diag_errors(d);
    f->words = load_words(templates_dir, tc, d);
    if (!f->words)
        return -1;
    rtpl_require(f->words, "", required, "findings", d);
    fctx c = {f, ev, ec, ev->p, lb, fs, d, {0}, 0, 0, 0};
    chance_thresholds(f->words, &c.ms_on_track, &c.ms_at_risk, d);
    check_statuses(f->words, ec->dict, d);
    if (diag_errors(d) > before)
        return -1;
    tv_init(&c.g, NULL);
    c.final_stage = ev->stage == STAGE_FINAL || ev->eval_year >= ev->p->period[1];
    f->data_cutoff = ev->data_last_year < ev->eval_year ? ev->data_last_year : ev->eval_year;
    global_vars(&c, lb);
    f->ntypes = rtpl_count(f->words, "words.types");
    f->types = xcalloc((size_t)(f->ntypes ? f->ntypes : 1), sizeof(char *));
    f->type_names = xcalloc((size_t)(f->ntypes ? f->ntypes : 1), sizeof(char *));
    for (int i = 0; i < f->ntypes; i++) {
        f->types[i] = xstrdup(rtpl_getf(f->words, "words.types.%d", i));
        const char *shown = rtpl_getf(f->words, "words.type_names.%s", f->types[i]);
        f->type_names[i] = xstrdup(shown ? shown : f->types[i]);
    }
    int n = 0;
    for (int i = 0; i < ev->ninds; i++)
        n += ev->inds[i].ntargets;
    f->items = xcalloc((size_t)(n ? n : 1), sizeof(finding));
    f->first = xcalloc((size_t)(ev->ninds ? ev->ninds : 1), sizeof(int));
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        f->first[i] = f->n;
        const char *vyears;
        int veto = is_veto(&c, ir, &vyears);
        const char *dept = departments(&c, ir->ind);
        for (int k = 0; k < ir->ntargets; k++)
            fill_item(&c, &f->items[f->n++], i, k, veto, vyears, dept);
    }
    rank_findings(&c);
    build_problems(&c);
    build_overall(&c);
    const data_provenance *pv = region_provenance(ec->r);
    if (pv->declared && pv->illustrative)
        f->provenance = pv->statement && *pv->statement ? keep(&c, xstrdup(pv->statement))
                                                        : tx(&c, "words.illustrative", NULL);
    tv_free(&c.g);
    return diag_errors(d) > before ? -1 : 0;
}

const finding *findings_of(const findings *f, int ii, int ti)
{
    if (!f->first || ii < 0 || ii >= f->ev->ninds || ti < 0 || ti >= f->ev->inds[ii].ntargets)
        return NULL;
    return &f->items[f->first[ii] + ti];
}

const char *findings_type_name(const findings *f, const char *type)
{
    for (int i = 0; type && i < f->ntypes; i++)
        if (strcmp(f->types[i], type) == 0)
            return f->type_names[i];
    return type;
}

void findings_free(findings *f)
{
    for (int i = 0; i < f->ntypes; i++) {
        free(f->types[i]);
        free(f->type_names[i]);
    }
    free(f->types);
    free(f->type_names);
    free(f->items);
    free(f->first);
    free(f->ranked);
    free(f->problems);
    strpool_free(&f->pool);
    rtpl_free(f->words);
    memset(f, 0, sizeof *f);
}
