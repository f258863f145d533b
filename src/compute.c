/* compute.c - see compute.h. */
#include "compute.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parameters may refer to parameters; a cycle is refused at load time, but
 * a depth limit keeps a mistake from becoming a stack overflow anyway. */
#define MAX_PARAM_DEPTH 32

typedef struct formula_ctx {
    const eval_context *ec;
    const indicator *ind;
    int depth;
} formula_ctx;

static fvalue eval_with(const formula_ctx *fc, const expr_def *e, int year);

static void trace_source(void *ctx, const char *path, int line, fvalue v);
static fvalue cb_variable_all(const formula_ctx *fc, int var, const formula_filter *filters,
                              int nfilters, int year);
static int cb_rows_all(const formula_ctx *fc, int var, const formula_filter *filters, int nfilters,
                       int year, void (*each)(void *acc, fvalue v), void *acc);

typedef struct trace_ctx {
    const eval_context *ec;
    int var;
    const formula_filter *filters;
    int nfilters;
    int year;
} trace_ctx;

static void trace_source(void *ctx, const char *path, int line, fvalue v)
{
    const trace_ctx *tc = ctx;
    tc->ec->trace(tc->ec->trace_ctx, tc->var, tc->filters, tc->nfilters, tc->year, path, line, v);
}

/*
 * The filters of a reference read for one member (ec->member_dim set): the
 * member's clause added when var's table has that dimension and the
 * reference does not filter on it already. *heap is to be freed.
 */
static const formula_filter *member_filters(const formula_ctx *fc, int var,
                                            const formula_filter *filters, int *nfilters,
                                            formula_filter **heap)
{
    const eval_context *ec = fc->ec;
    *heap = NULL;
    if (!ec->member_dim)
        return filters;
    const table_def *t = &ec->dict->tables[ec->dict->vars[var].table];
    int has = 0;
    for (int k = 0; k < t->ndims; k++)
        has |= str_eq(t->dims[k].name, ec->member_dim);
    for (int f = 0; f < *nfilters; f++)
        has &= !str_eq(filters[f].dim, ec->member_dim);
    if (!has)
        return filters;
    formula_filter *all = xmalloc((size_t)(*nfilters + 1) * sizeof *all);
    if (*nfilters)
        memcpy(all, filters, (size_t)*nfilters * sizeof *all);
    /* The clause borrows the member's text; nothing writes through it. */
    all[*nfilters].dim = (char *)ec->member_dim;
    all[*nfilters].values = (char **)&ec->member;
    all[*nfilters].nvalues = 1;
    (*nfilters)++;
    *heap = all;
    return all;
}

static fvalue cb_variable(void *ctx, int var, const formula_filter *filters, int nfilters,
                          int year)
{
    const formula_ctx *fc = ctx;
    formula_filter *heap;
    filters = member_filters(fc, var, filters, &nfilters, &heap);
    fvalue v = cb_variable_all(fc, var, filters, nfilters, year);
    free(heap);
    return v;
}

static int cb_rows(void *ctx, int var, const formula_filter *filters, int nfilters, int year,
                   void (*each)(void *acc, fvalue v), void *acc)
{
    const formula_ctx *fc = ctx;
    formula_filter *heap;
    filters = member_filters(fc, var, filters, &nfilters, &heap);
    int n = cb_rows_all(fc, var, filters, nfilters, year, each, acc);
    free(heap);
    return n;
}

static fvalue cb_variable_all(const formula_ctx *fc, int var, const formula_filter *filters,
                              int nfilters, int year)
{
    if (fc->ec->trace) {
        trace_ctx tc = {fc->ec, var, filters, nfilters, year};
        return region_value(fc->ec->r, var, filters, nfilters, year, trace_source, &tc);
    }
    return region_value(fc->ec->r, var, filters, nfilters, year, NULL, NULL);
}

static int cb_rows_all(const formula_ctx *fc, int var, const formula_filter *filters, int nfilters,
                       int year, void (*each)(void *acc, fvalue v), void *acc)
{
    if (fc->ec->trace) {
        trace_ctx tc = {fc->ec, var, filters, nfilters, year};
        /* Trace the rows through the summing path: same rows, with lines. */
        region_value(fc->ec->r, var, filters, nfilters, year, trace_source, &tc);
    }
    int n = region_rows(fc->ec->r, var, filters, nfilters, year, each, acc);
    /* An event log lists events; a year without a row had none, from the
     * log's first event to the region's last data year. Before its first
     * event the log did not exist: those years stay missing. */
    const dictionary *dict = fc->ec->dict;
    if (n < 0 && dict->tables[dict->vars[var].table].layout == LAYOUT_EVENTS &&
        region_has_table(fc->ec->r, var)) {
        int first, last, log_first, log_last;
        if (region_year_span(fc->ec->r, &first, &last) &&
            region_var_years(fc->ec->r, var, &log_first, &log_last) && year >= log_first &&
            year <= last)
            n = 0;
    }
    return n;
}

static fvalue cb_param(void *ctx, int sym, int year)
{
    const formula_ctx *fc = ctx;
    if (fc->depth >= MAX_PARAM_DEPTH)
        return fv_missing();
    const param_def *pd = plan_param(fc->ec->p, fc->ec->cat, fc->ind, sym);
    if (!pd || !pd->value.f)
        return fv_missing();
    formula_ctx inner = {fc->ec, fc->ind, fc->depth + 1};
    return eval_with(&inner, &pd->value, year);
}

static fvalue cb_special(void *ctx, int id, int year)
{
    const formula_ctx *fc = ctx;
    const plan *p = fc->ec->p;
    switch ((special_name)id) {
    case SP_YEAR: return fv_ok(year);
    case SP_PERIOD_START: return fv_ok(p->period[0]);
    case SP_PERIOD_END: return fv_ok(p->period[1]);
    case SP_WINDOW_START: return fv_ok(fc->ec->window[0]);
    case SP_WINDOW_END: return fv_ok(fc->ec->window[1]);
    case SP_BASELINE_START: return fv_ok(p->baseline_period[0]);
    case SP_BASELINE_END: return fv_ok(p->baseline_period[1]);
    case SP_COUNT: break;
    }
    return fv_missing();
}

static fvalue eval_with(const formula_ctx *fc, const expr_def *e, int year)
{
    if (!e || !e->f)
        return fv_missing();
    formula_data data = {cb_variable, cb_rows, cb_param, cb_special, (void *)fc};
    return formula_eval(e->f, year, &data);
}

fvalue compute_expr(const eval_context *ec, const indicator *ind, const expr_def *e, int year)
{
    formula_ctx fc = {ec, ind, 0};
    return eval_with(&fc, e, year);
}

year_value compute_indicator(const eval_context *ec, const indicator *ind, int year)
{
    year_value yv;
    memset(&yv, 0, sizeof yv);
    yv.num = yv.den = fv_undefined();
    yv.scale = 1;
    if (ind->numerator) {
        yv.num = compute_expr(ec, ind, ind->numerator, year);
        yv.den = compute_expr(ec, ind, ind->denominator, year);
        fvalue sc = compute_expr(ec, ind, ind->scale, year);
        if (sc.state == FV_OK)
            yv.scale = sc.v;
        if (yv.num.state == FV_MISSING || yv.den.state == FV_MISSING || sc.state == FV_MISSING)
            yv.value = fv_missing();
        else if (yv.num.state == FV_UNDEFINED || yv.den.state == FV_UNDEFINED ||
                 sc.state == FV_UNDEFINED || yv.den.v == 0)
            yv.value = fv_undefined(); /* a zero denominator: not applicable */
        else
            yv.value = fv_ok(yv.scale * yv.num.v / yv.den.v);
    } else if (ind->formula) {
        yv.value = compute_expr(ec, ind, ind->formula, year);
    } else {
        yv.value = fv_undefined();
    }
    if (yv.value.state == FV_OK && !isfinite(yv.value.v))
        yv.value = fv_undefined();
    return yv;
}

/* The count variable e is exactly (deaths, accidents), or -1. */
static int expr_count_var(const eval_context *ec, const expr_def *e)
{
    formula_ref ref;
    if (!e || !e->f || !formula_is_single_ref(e->f, &ref))
        return -1;
    return ec->dict->vars[ref.id].kind == VK_COUNT ? ref.id : -1;
}

int indicator_count_var(const eval_context *ec, const indicator *ind)
{
    return expr_count_var(ec, ind->numerator ? ind->numerator : ind->formula);
}

/* The unit of the count e is (a count variable, or count()/count_if() of rows), or NULL. */
static const char *expr_count_unit(const eval_context *ec, const expr_def *e)
{
    int var = expr_count_var(ec, e);
    if (var >= 0)
        return ec->dict->vars[var].unit ? ec->dict->vars[var].unit : "";
    /* rows count events only where the dictionary says what a row is */
    formula_ref ref;
    if (e && e->f && formula_is_row_count(e->f, &ref) && ref.kind == REF_VARIABLE)
        return ec->dict->tables[ec->dict->vars[ref.id].table].row_unit;
    return NULL;
}

const char *indicator_count_unit(const eval_context *ec, const indicator *ind)
{
    return expr_count_unit(ec, ind->numerator ? ind->numerator : ind->formula);
}

const char *indicator_total_unit(const eval_context *ec, const indicator *ind)
{
    return ind->numerator ? expr_count_unit(ec, ind->denominator) : NULL;
}

fvalue indicator_count(const eval_context *ec, const indicator *ind, const year_value *yv)
{
    if (!indicator_count_unit(ec, ind))
        return fv_undefined();
    return ind->numerator ? yv->num : yv->value;
}

const char *indicator_count_text(const eval_context *ec, const indicator *ind)
{
    if (!indicator_count_unit(ec, ind))
        return NULL;
    return (ind->numerator ? ind->numerator : ind->formula)->text;
}
