/* results.c - see results.h. */
#include "results.h"
#include "sha256.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The unlocked stdio calls are safe (planeval has no threads): fputs and
 * fputc took ~300 instructions a field with their locking, 21 million on
 * the CSV files of 5 synthetic regions (util.h put_bytes). */
void csv_field(FILE *f, const char *s, int last)
{
    if (!s)
        s = "";
    size_t n = strcspn(s, ",\"\n\r");
    if (!s[n]) {
        put_bytes(f, s, n);
    } else {
        putc_unlocked('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                putc_unlocked('"', f);
            putc_unlocked(*p, f);
        }
        putc_unlocked('"', f);
    }
    putc_unlocked(last ? '\n' : ',', f);
}

static void csv_num(FILE *f, double v, int last)
{
    char buf[32];
    csv_field(f, format_number(v, buf), last);
}

static void csv_int(FILE *f, int v, int last)
{
    char buf[16];
    buf[0] = '-';
    format_uint(buf + (v < 0), v < 0 ? 0u - (unsigned)v : (unsigned)v);
    csv_field(f, buf, last);
}

void csv_value(FILE *f, fvalue v, int last)
{
    if (v.state == FV_OK)
        csv_num(f, v.v, last);
    else
        csv_field(f, "", last);
}

static const char *state_name(fvalue v)
{
    return v.state == FV_OK ? "ok" : v.state == FV_MISSING ? "missing" : "not_applicable";
}

static char *departments(const indicator *ind)
{
    strbuf b;
    sb_init(&b);
    for (int i = 0; i < ind->ndepartments; i++) {
        if (i)
            sb_add(&b, "; ");
        sb_add(&b, ind->departments[i]);
    }
    return sb_take(&b);
}

static const group_def *find_group(const plan *p, const char *id)
{
    for (int i = 0; id && i < p->ngroups; i++)
        if (strcmp(p->groups[i].id, id) == 0)
            return &p->groups[i];
    return NULL;
}

static void csv_opt(FILE *f, double v, int last)
{
    if (isfinite(v))
        csv_num(f, v, last);
    else
        csv_field(f, "", last);
}

/* ---------- the definition digest ---------- */

typedef struct def_ctx {
    const eval_context *ec;
    const indicator *ind;
    sha256_ctx *h;
    int depth;
} def_ctx;

static void def_add(def_ctx *dc, const char *key, const char *value)
{
    /* key=value and a NUL: no two different definitions hash the same text */
    sha256_update(dc->h, key, strlen(key));
    sha256_update(dc->h, "=", 1);
    if (value)
        sha256_update(dc->h, value, strlen(value));
    sha256_update(dc->h, "", 1);
}

static void def_add_num(def_ctx *dc, const char *key, double v)
{
    char buf[32];
    def_add(dc, key, format_number(v, buf));
}

/* References by name, so that the digest does not depend on load order. */
static int def_ref(void *ctx, const formula_ref *ref, int back, char *buf, size_t size)
{
    const def_ctx *dc = ctx;
    const char *name = "?";
    if (ref->kind == REF_VARIABLE && dc->ec->dict && ref->id >= 0 && ref->id < dc->ec->dict->nvars)
        name = dc->ec->dict->vars[ref->id].name;
    else if (ref->kind == REF_PARAM && dc->ec->syms && ref->id >= 0 && ref->id < dc->ec->syms->n)
        name = dc->ec->syms->names[ref->id];
    else if (ref->kind == REF_SPECIAL && ref->id >= 0 && ref->id < SP_COUNT)
        name = special_names[ref->id];
    strbuf b;
    sb_init(&b);
    sb_add(&b, name);
    for (int i = 0; i < ref->nfilters; i++) {
        sb_printf(&b, "%s%s=", i ? "," : "{", ref->filters[i].dim);
        for (int k = 0; k < ref->filters[i].nvalues; k++)
            sb_printf(&b, "%s%s", k ? "|" : "", ref->filters[i].values[k]);
    }
    if (ref->nfilters)
        sb_add(&b, "}");
    if (back)
        sb_printf(&b, "@%d", back);
    snprintf(buf, size, "%s", b.s ? b.s : "");
    sb_free(&b);
    return 0;
}

static void def_expr(def_ctx *dc, const char *key, const expr_def *e)
{
    if (!e || !e->text) {
        def_add(dc, key, "");
        return;
    }
    /* The printed formula ignores spacing; formulas with no printed form
     * (row functions) fall back to their source text without blanks. */
    char *text = NULL;
    if (!e->f || formula_print(e->f, def_ref, dc, &text) != 0) {
        free(text);
        text = xstrdup(e->text);
        char *w = text;
        for (const char *r = text; *r; r++)
            if (*r != ' ' && *r != '\t' && *r != '\n' && *r != '\r')
                *w++ = *r;
        *w = '\0';
    }
    def_add(dc, key, text);
    free(text);
    /* the parameter values in force, and theirs in turn */
    if (!e->f || dc->depth > 16)
        return;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    for (int i = 0; i < n; i++) {
        if (refs[i].kind != REF_PARAM)
            continue;
        const param_def *pd = plan_param(dc->ec->p, dc->ec->cat, dc->ind, refs[i].id);
        char *pkey = xasprintf("param %s", dc->ec->syms && refs[i].id < dc->ec->syms->n
                                               ? dc->ec->syms->names[refs[i].id] : "?");
        dc->depth++;
        if (pd) {
            def_add(dc, "param unit", pd->unit);
            def_expr(dc, pkey, &pd->value);
        } else {
            def_add(dc, pkey, "(undefined)");
        }
        dc->depth--;
        free(pkey);
    }
}

void indicator_definition(const eval_context *ec, const indicator *ind, char out[17])
{
    sha256_ctx h;
    sha256_init(&h);
    def_ctx dc = {ec, ind, &h, 0};
    def_add(&dc, "kind", kind_name(ind->kind));
    def_add(&dc, "unit", ind->unit);
    def_add(&dc, "better", better_name(ind->better));
    def_expr(&dc, "formula", ind->formula);
    def_expr(&dc, "numerator", ind->numerator);
    def_expr(&dc, "denominator", ind->denominator);
    def_expr(&dc, "scale", ind->scale);
    for (int k = 0; k < ind->ntargets; k++) {
        const target *t = &ind->targets[k];
        char buf[64];
        snprintf(buf, sizeof buf, "target %d", k + 1);
        def_add(&dc, buf, op_name(t->op));
        snprintf(buf, sizeof buf, "%d", t->year);
        def_add(&dc, "year", buf);
        if (t->has_value)
            def_add_num(&dc, "value", t->value);
        if (t->has_by)
            def_add_num(&dc, "by", t->by);
        if (t->has_amount)
            def_add_num(&dc, "amount", t->amount);
        for (int r = 0; r < t->nrestated; r++) {
            def_add(&dc, "restated", t->restated[r].quote);
            if (t->restated[r].has_value)
                def_add_num(&dc, "restated value", t->restated[r].value);
        }
        def_add(&dc, "aggregate", aggregate_name(t->agg));
        snprintf(buf, sizeof buf, "%d-%d", t->window[0], t->window[1]);
        def_add(&dc, "window", buf);
        def_expr(&dc, "exclude_when", &t->exclude_when);
        if (t->has_baseline) {
            const baseline_def *b = &t->baseline;
            def_add(&dc, "baseline", reading_name(b->reading));
            if (b->reading == BASE_YEAR)
                snprintf(buf, sizeof buf, "%d", b->year);
            else
                snprintf(buf, sizeof buf, "%d-%d", b->period[0], b->period[1]);
            def_add(&dc, "baseline years", buf);
            if (b->has_value)
                def_add_num(&dc, "baseline value", b->value);
        }
    }
    char hex[65];
    sha256_final_hex(&h, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
}

void write_series_csv(FILE *f, const evaluation *ev, const eval_context *ec)
{
    write_series_csv_fc(f, ev, ec, NULL);
}

/* Forecast rows of one indicator: kind forecast, state forecast. */
static void write_forecast_rows(FILE *f, const evaluation *ev, const fc_indicator *fi)
{
    const indicator *ind = fi->ir->ind;
    for (int k = 0; k < fi->npoints_fc; k++) {
        const fc_point *pt = &fi->points[k];
        csv_field(f, ev->p->id, 0);
        csv_field(f, ind->id, 0);
        csv_field(f, ind->name, 0);
        csv_field(f, ind->unit, 0);
        csv_int(f, pt->year, 0);
        csv_opt(f, pt->value, 0);
        csv_field(f, "forecast", 0);
        csv_field(f, "", 0);
        if (pt->has_exposure)
            csv_num(f, pt->exposure, 0);
        else
            csv_field(f, "", 0);
        if (ind->numerator)
            csv_num(f, fi->scale, 0);
        else
            csv_field(f, "", 0);
        csv_field(f, "", 0);
        csv_field(f, "", 0);
        csv_field(f, "forecast", 0);
        csv_field(f, fc_model_name(fi->model), 0);
        csv_opt(f, pt->lo80, 0);
        csv_opt(f, pt->hi80, 0);
        csv_opt(f, pt->lo95, 0);
        csv_opt(f, pt->hi95, 1);
    }
}

void write_series_csv_fc(FILE *f, const evaluation *ev, const eval_context *ec,
                         const forecast_set *fs)
{
    fputs("plan_id,indicator_id,name,unit,year,value,state,numerator,denominator,scale,count,"
          "count_variable,kind,model,lower_80,upper_80,lower_95,upper_95\n",
          f);
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        const indicator *ind = ir->ind;
        int counted = indicator_count_unit(ec, ind) != NULL;
        const fc_indicator *fi = fs && i < fs->ninds ? &fs->inds[i] : NULL;
        for (int k = 0; k < ir->nyears; k++) {
            const year_value *yv = &ir->years[k];
            csv_field(f, ev->p->id, 0);
            csv_field(f, ind->id, 0);
            csv_field(f, ind->name, 0);
            csv_field(f, ind->unit, 0);
            csv_int(f, ir->first_year + k, 0);
            csv_value(f, yv->value, 0);
            csv_field(f, state_name(yv->value), 0);
            if (ind->numerator) {
                csv_value(f, yv->num, 0);
                csv_value(f, yv->den, 0);
                csv_num(f, yv->scale, 0);
            } else {
                csv_field(f, "", 0);
                csv_field(f, "", 0);
                csv_field(f, "", 0);
            }
            if (counted) {
                csv_value(f, indicator_count(ec, ind, yv), 0);
                csv_field(f, indicator_count_text(ec, ind), 0);
            } else {
                csv_field(f, "", 0);
                csv_field(f, "", 0);
            }
            csv_field(f, "observed", 0);
            csv_field(f, "", 0);
            /* count-based rates: exact Poisson (Garwood) intervals */
            const double *ci = fi && fi->has_obs_ci ? &fi->obs_ci[4 * k] : NULL;
            for (int c = 0; c < 4; c++)
                csv_opt(f, ci ? ci[c] : NAN, c == 3);
        }
        if (fi)
            write_forecast_rows(f, ev, fi);
    }
}

static void target_value_text(const target *t, char *buf, size_t n)
{
    char b[32];
    if (t->op <= OP_EQ)
        snprintf(buf, n, "%s", format_number(t->value, b));
    else if (t->op == OP_ZERO)
        snprintf(buf, n, "0");
    else if ((t->op == OP_DECREASE || t->op == OP_INCREASE) && t->has_by)
        snprintf(buf, n, "%s", format_number(t->by, b));
    else if ((t->op == OP_DECREASE || t->op == OP_INCREASE) && t->has_amount)
        snprintf(buf, n, "%s", format_number(t->amount, b));
    else
        buf[0] = '\0';
}

static const char *const forecast_columns =
    "forecast_model,forecast_value,forecast_lower_80,forecast_upper_80,forecast_lower_95,"
    "forecast_upper_95,probability_met,forecast_status,forecast_status_zh,forecast_note,"
    "pace_task_share,pace_time_share,pace_ratio,sdg_ratio,sdg_method,sdg_progress,"
    "required_annual_change,recent_annual_change,ci_lower_95,ci_upper_95,ci_vs_target,"
    "allowance,sensitivity_year,sensitivity_period_mean,sensitivity_period_total,sensitivity";

/* The forecast columns of one target (all empty without a forecast). */
static void write_forecast_cells(FILE *f, const fc_indicator *fi, const fc_target *ft,
                                 const labels *lb)
{
    if (!fi || !ft || (ft->status == FS_NONE && !ft->has_prob)) {
        for (int c = 0; c < 26; c++)
            csv_field(f, "", 0);
        return;
    }
    csv_field(f, fi->model != FM_NONE ? fc_model_name(fi->model) : "", 0);
    if (ft->has_forecast) {
        csv_opt(f, ft->value, 0);
        csv_opt(f, ft->lo80, 0);
        csv_opt(f, ft->hi80, 0);
        csv_opt(f, ft->lo95, 0);
        csv_opt(f, ft->hi95, 0);
    } else {
        for (int c = 0; c < 5; c++)
            csv_field(f, "", 0);
    }
    csv_opt(f, ft->has_prob ? ft->prob : NAN, 0);
    csv_field(f, fc_status_name(ft->status), 0);
    csv_field(f, label(lb, "forecast_status", fc_status_name(ft->status)), 0);
    csv_field(f, ft->note, 0);
    csv_opt(f, ft->has_pace ? ft->task_share : NAN, 0);
    csv_opt(f, ft->has_pace ? ft->time_share : NAN, 0);
    csv_opt(f, ft->has_pace ? ft->pace_ratio : NAN, 0);
    csv_opt(f, ft->sdg.ok ? ft->sdg.ratio : NAN, 0);
    csv_field(f, ft->sdg.ok ? (ft->sdg.linear ? "absolute" : "compound") : "", 0);
    csv_field(f, ft->sdg.ok ? ft->sdg.category : "", 0);
    csv_opt(f, ft->has_required ? ft->required_change : NAN, 0);
    csv_opt(f, ft->has_recent ? ft->recent_change : NAN, 0);
    csv_opt(f, ft->has_ci ? ft->ci_lo : NAN, 0);
    csv_opt(f, ft->has_ci ? ft->ci_hi : NAN, 0);
    csv_field(f, ft->has_ci ? ft->ci_vs_target : "", 0);
    csv_field(f, ft->allowance, 0);
    for (int r = 0; r < 3; r++)
        csv_field(f, ft->has_sensitivity ? verdict_name(ft->sens[r]) : "", 0);
    csv_field(f, ft->has_sensitivity ? ft->sensitivity : "", 0);
}

void write_assessment_csv(FILE *f, const evaluation *ev, const eval_context *ec,
                          const labels *lb)
{
    write_assessment_csv_fc(f, ev, ec, lb, NULL);
}

static void write_assessment(FILE *f, const evaluation *ev, const eval_context *ec,
                             const labels *lb, const forecast_set *fs, const findings *fnd);

void write_assessment_csv_fc(FILE *f, const evaluation *ev, const eval_context *ec,
                             const labels *lb, const forecast_set *fs)
{
    write_assessment(f, ev, ec, lb, fs, NULL);
}

void write_assessment_csv_findings(FILE *f, const outcome *oc)
{
    write_assessment(f, oc->ev, oc->ec, oc->lb, oc->fs, oc->f);
}

/* The findings' columns of one target: the same words as the PDFs and the workbook. */
static void write_finding_cells(FILE *f, const plan *p, const finding *x)
{
    csv_field(f, p->title, 0);
    csv_field(f, x ? outlook_name(x->ol) : "", 0);
    csv_field(f, x ? x->outlook_word : "", 0);
    csv_field(f, x ? severity_name(x->sev) : "", 0);
    if (x && x->rank)
        csv_int(f, x->rank, 0);
    else
        csv_field(f, "", 0);
    csv_field(f, x ? x->problem : "", 0);
    csv_field(f, x ? x->action : "", 0);
    csv_field(f, x ? x->doubt : "", 0);
    csv_field(f, x ? x->reason : "", 1);
}

static void write_assessment(FILE *f, const evaluation *ev, const eval_context *ec,
                             const labels *lb, const forecast_set *fs, const findings *fnd)
{
    fputs("plan_id,stage,evaluation_year,indicator_id,target_no,name,kind,group,group_name,type,"
          "department,unit,better,target_year,comparator,comparator_zh,target_value,aggregate,"
          "window,exclude_when,baseline_reading,baseline_years,baseline_value,baseline_source,"
          "current_year,current_value,limit,change_pct,status,status_zh,progress,count,"
          "count_variable,small_count,missing_years,excluded_years,failing_years,"
          "milestone_status,milestone_date,evidence,source_line,target_source_line,detail,",
          f);
    fputs(forecast_columns, f);
    fputs(fnd ? ",region,region_name,catalogue,catalogue_name,definition,plan_title,outlook,"
                "outlook_zh,severity,rank,finding,action,doubt,reason\n"
              : ",region,region_name,catalogue,catalogue_name,definition\n",
          f);
    char buf[64];
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        const indicator *ind = ir->ind;
        char *deps = departments(ind);
        const group_def *g = find_group(ev->p, ind->group);
        char def[17];
        indicator_definition(ec, ind, def);
        for (int k = 0; k < ir->ntargets; k++) {
            const target_result *tr = &ir->targets[k];
            const target *t = tr->t;
            csv_field(f, ev->p->id, 0);
            csv_field(f, stage_name(ev->stage), 0);
            csv_int(f, ev->eval_year, 0);
            csv_field(f, ind->id, 0);
            csv_int(f, k + 1, 0);
            csv_field(f, ind->name, 0);
            csv_field(f, kind_name(ind->kind), 0);
            csv_field(f, ind->group, 0);
            csv_field(f, g ? g->name : "", 0);
            csv_field(f, ind->type, 0);
            csv_field(f, deps, 0);
            csv_field(f, ind->unit, 0);
            csv_field(f, better_name(ind->better), 0);
            csv_int(f, t->year, 0);
            csv_field(f, op_name(t->op), 0);
            csv_field(f, label(lb, "op", op_name(t->op)), 0);
            target_value_text(t, buf, sizeof buf);
            csv_field(f, buf, 0);
            csv_field(f, ind->kind == IND_QUANTITATIVE && !t->has_baseline ? aggregate_name(t->agg) : "",
                      0);
            if (ind->kind == IND_QUANTITATIVE) {
                /* the years judged so far; a window not begun has none
                 * (its end is the evaluation year, before its start):
                 * then the years the target covers */
                const int *w = tr->window[0] > tr->window[1] ? t->window : tr->window;
                snprintf(buf, sizeof buf, "%d-%d", w[0], w[1]);
                csv_field(f, buf, 0);
            } else {
                csv_field(f, "", 0);
            }
            csv_field(f, t->exclude_when.text, 0);
            if (t->has_baseline) {
                const baseline_def *b = &t->baseline;
                csv_field(f, reading_name(b->reading), 0);
                if (b->reading == BASE_YEAR)
                    snprintf(buf, sizeof buf, "%d", b->year);
                else
                    snprintf(buf, sizeof buf, "%d-%d", b->period[0], b->period[1]);
                csv_field(f, buf, 0);
                csv_value(f, tr->baseline, 0);
                csv_field(f, tr->baseline_given ? "plan" : "data", 0);
            } else {
                for (int c = 0; c < 4; c++)
                    csv_field(f, "", 0);
            }
            csv_int(f, tr->assessed_year, 0);
            csv_value(f, tr->current, 0);
            if (tr->has_limit)
                csv_num(f, tr->limit, 0);
            else
                csv_field(f, "", 0);
            if (tr->has_change)
                /* to 6 decimals: a derived percentage, whose last bits are
                 * float noise (24.999999999999993 for 25) */
                csv_num(f, round(tr->change_pct * 1e6) / 1e6, 0);
            else
                csv_field(f, "", 0);
            csv_field(f, verdict_name(tr->status), 0);
            csv_field(f, label(lb, "status", verdict_name(tr->status)), 0);
            csv_field(f, tr->progress == 1 ? "on_course" : tr->progress == 0 ? "off_course" : "", 0);
            if (tr->count_unit) {
                csv_value(f, tr->count, 0);
                csv_field(f, indicator_count_text(ec, ind), 0);
                /* Under 10 events a rate moves a lot with one event more or less. */
                csv_field(f, tr->count.state == FV_OK && tr->count.v < 10 ? "yes" : "no", 0);
            } else {
                csv_field(f, "", 0);
                csv_field(f, "", 0);
                csv_field(f, "", 0);
            }
            csv_field(f, tr->missing_years, 0);
            csv_field(f, tr->excluded_years, 0);
            csv_field(f, tr->failing_years, 0);
            if (tr->record) {
                csv_field(f, tr->record->status, 0);
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", tr->record->year, tr->record->month,
                         tr->record->day);
                csv_field(f, buf, 0);
                csv_field(f, tr->record->evidence, 0);
            } else {
                csv_field(f, "", 0);
                csv_field(f, "", 0);
                csv_field(f, "", 0);
            }
            if (ind->source.line)
                csv_int(f, ind->source.line, 0);
            else
                csv_field(f, "", 0);
            if (t->source.line)
                csv_int(f, t->source.line, 0);
            else
                csv_field(f, "", 0);
            csv_field(f, tr->detail, 0);
            const fc_indicator *fi = fs && i < fs->ninds ? &fs->inds[i] : NULL;
            write_forecast_cells(f, fi, fi && k < fi->ntargets ? &fi->targets[k] : NULL, lb);
            /* Which region, and the shared definition it uses: for comparisons
             * across plans (docs/results.md). */
            csv_field(f, ev->p->region, 0);
            csv_field(f, ev->p->region_name, 0);
            csv_field(f, ind->use ? ind->use->id : "", 0);
            csv_field(f, ind->use && ind->use->name ? ind->use->name : "", 0);
            csv_field(f, def, fnd == NULL);
            if (fnd)
                write_finding_cells(f, ev->p, findings_of(fnd, i, k));
        }
        free(deps);
    }
}

void write_warnings_csv(FILE *f, const diag_list *warnings)
{
    fputs("level,file,line,column,message\n", f);
    for (size_t i = 0; i < warnings->n; i++) {
        const diag *w = &warnings->items[i];
        csv_field(f, w->level == DIAG_ERROR ? "error" : "warning", 0);
        csv_field(f, w->file, 0);
        csv_int(f, w->line, 0);
        csv_int(f, w->col, 0);
        csv_field(f, w->msg, 1);
    }
}
