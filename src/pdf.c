/*
 * pdf.c - see pdf.h.
 *
 * One model of the evaluation (an item per target, with its outlook, its
 * texts and its department) feeds both documents. Each document is a list
 * of sections from its template; each section kind is a function below.
 * Layout is done by report_doc (two passes: a dry one that counts pages
 * and finds the pages of headings, then the real one). The brief is fitted
 * to its page limit by dropping the least urgent details in dry passes.
 */
#include "pdf.h"
#include "charts.h"
#include "report_changes.h"
#include "report_doc.h"
#include "report_tpl.h"
#include "review.h"
#include "textlayout.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------- outlook colours ---------- */

#define needs_attention outlook_needs_attention

/* Colours survive greyscale printing: status is also given by a symbol and a word. */
static const rcolor outlook_color[OL_COUNT] = {{0.00, 0.42, 0.24}, {0.00, 0.33, 0.62},
                                               {0.78, 0.40, 0.00}, {0.80, 0.22, 0.05},
                                               {0.75, 0.08, 0.08}, {0.35, 0.35, 0.35},
                                               {0.35, 0.35, 0.35}};

static const rcolor black = {0, 0, 0};
static const rcolor grey = {0.38, 0.38, 0.38};
static const rcolor dark_red = {0.70, 0.08, 0.08};
static const rcolor flag_fill = {1.00, 0.95, 0.94};
static const rcolor calm_border = {0.45, 0.55, 0.45};
static const rcolor calm_fill = {0.95, 0.98, 0.95};

/* ---------- the model ---------- */

typedef finding titem;

typedef struct ctx {
    const evaluation *ev;
    const eval_context *ec;
    const plan *p;
    const labels *lb;
    const forecast_set *fs;
    change_list *changes;   /* since the previous run; may be NULL */
    const findings *f;      /* what the evaluation found (findings.h) */
    out_set *out;
    diag_list *d;
    rtpl *brief, *report;   /* templates */
    rtpl *t;                /* the one being rendered */
    rdoc *doc;
    const rfonts *fonts;    /* own_fonts, or the run's (outcome.fonts) */
    rfonts *own_fonts;
    tvars g;                /* placeholders of every text */
    strpool pool;           /* strings freed with the context */
    char **warned_keys;
    size_t nwarned, capwarned;


    /* numbering, reset each pass; with the pages below, what a pass has
     * come to (brief_mark) */
    struct pass_at {
        int sec_no, app_no, table_no, figure_no;
        int key_end_page;   /* page on which the key findings end */
        int red_flags_page;
    } at;

    /* brief fitting */
    int n_key, n_detail, n_compact, n_problems, n_milestones;
    int knobs_read; /* K_* the brief's sections read (knob()) since render_brief cleared it */
    int max_pages;
    struct brief_marks *marks; /* while fitting: where dry passes were (render_brief) */

    /* charts */
    chart_templates ct;
    int have_ct, ct_loaded;
    /* the data-quality review's counts by check (review.h), found on the
     * report's first layout pass and kept for the others; -1: not yet */
    int review_n[4];
    size_t review_total;
    /* words.numerals as looked up for the template numerals_t (numeral_word):
     * numeral_at() tries them all for each heading, each a formatted key */
    const rtpl *numerals_t;
    const char **numerals;
    int nnumerals, numerals_known;
    /* item_vars' placeholders of each finding (by its index in c->f->items)
     * and outlook_cell's texts, made once for the template item_t / cell_t:
     * both are the same at every layout pass (the brief is laid out a dozen
     * times to fit its pages), and were a tenth of the documents' layout */
    tvars **item_tv;
    const rtpl *item_t;
    const char *cell[OL_COUNT];
    const rtpl *cell_t;
} ctx;

/* The brief's fitting knobs (n_key ... n_milestones), as bits. */
enum { K_KEY = 1, K_DETAIL = 2, K_COMPACT = 4, K_PROBLEMS = 8, K_MILESTONES = 16 };

/* Knob k as a section of the brief reads it: noted in knobs_read, so that
 * a dry pass resumed from a mark (render_brief) is one whose sections
 * before the mark read the knobs the mark was taken with. Sections read
 * the knobs only through here. */
static int knob(ctx *c, int k)
{
    c->knobs_read |= k;
    switch (k) {
    case K_KEY:
        return c->n_key;
    case K_DETAIL:
        return c->n_detail;
    case K_COMPACT:
        return c->n_compact;
    case K_PROBLEMS:
        return c->n_problems;
    default:
        return c->n_milestones;
    }
}

#define keep(c, s) strpool_keep(&(c)->pool, (s))
#define keepf(c, ...) strpool_printf(&(c)->pool, __VA_ARGS__)

/* ---------- template access: the document's own file, report.yaml, then findings.yaml ---------- */

/* The template that has key, and the text there (*text), or NULL. */
static rtpl *owner_text(ctx *c, const char *key, const char **text)
{
    rtpl *const in[] = {c->t, c->report, c->f ? c->f->words : NULL};
    size_t h = rtpl_key_hash(key); /* one hash for the three */
    for (int i = 0; i < 3; i++)
        /* the report's own file is c->report: not searched twice */
        if (in[i] && (i != 1 || in[1] != in[0]) && (*text = rtpl_get_hashed(in[i], key, h)))
            return in[i];
    return NULL;
}

static const char *tget(ctx *c, const char *key)
{
    const char *text;
    return owner_text(c, key, &text) ? text : NULL;
}

static void missing_key(ctx *c, const char *key)
{
    for (size_t i = 0; i < c->nwarned; i++)
        if (strcmp(c->warned_keys[i], key) == 0)
            return;
    *ARRAY_PUSH(c->warned_keys, c->nwarned, c->capwarned) = xstrdup(key);
    diag_add(c->d, DIAG_WARNING, rtpl_file(c->t ? c->t : c->report), 0, 0,
             "report template: no text for '%s' (left empty)", key);
}

/* Expand the text at key with v (pooled; "" and a warning when absent). */
static const char *tx(ctx *c, const char *key, const tvars *v)
{
    const char *text;
    rtpl *t = owner_text(c, key, &text);
    if (!t) {
        missing_key(c, key);
        return "";
    }
    return keep(c, rtpl_fill(t, text, key, v ? v : &c->g, c->d));
}

static const char *txf(ctx *c, const tvars *v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *txf(ctx *c, const tvars *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *key = xvasprintf(fmt, ap);
    va_end(ap);
    const char *s = tx(c, key, v);
    free(key);
    return s;
}

/* The same, but NULL (no warning) when the key is absent. */
static const char *tx_opt(ctx *c, const char *key, const tvars *v)
{
    const char *text;
    rtpl *t = owner_text(c, key, &text);
    return t ? keep(c, rtpl_fill(t, text, key, v ? v : &c->g, c->d)) : NULL;
}

/* sec.key in buf (n bytes), or NULL if it does not fit: the documents
 * ask for some 5,000 section texts a plan, each pass, and vsnprintf cost
 * more than finding the text. */
static const char *sec_key(char *buf, size_t n, const char *sec, const char *key)
{
    size_t a = strlen(sec), b = strlen(key);
    if (a + b + 2 > n)
        return NULL;
    memcpy(buf, sec, a);
    buf[a] = '.';
    memcpy(buf + a + 1, key, b + 1);
    return buf;
}

/* Section-relative key. */
static const char *sx(ctx *c, const char *sec, const char *key, const tvars *v)
{
    char buf[128];
    const char *k = sec_key(buf, sizeof buf, sec, key);
    return k ? tx(c, k, v) : txf(c, v, "%s.%s", sec, key);
}

/* sx, but NULL (no warning) when the key is absent: keys added after
 * users copied their templates. */
static const char *sx_opt(ctx *c, const char *sec, const char *key, const tvars *v)
{
    char buf[128];
    if (sec_key(buf, sizeof buf, sec, key))
        return tx_opt(c, buf, v);
    char *k = xasprintf("%s.%s", sec, key);
    const char *s = tx_opt(c, k, v);
    free(k);
    return s;
}

/* The i-th word of words.numerals (一 for 0), or NULL past its end. The
 * words are looked up once for the template being rendered (c->t: the
 * lookup goes through it first). */
static const char *numeral_word(ctx *c, int i)
{
    if (!c->numerals_known || c->numerals_t != c->t) {
        c->nnumerals = 0;
        const char *w;
        char key[48];
        for (int k = 0; snprintf(key, sizeof key, "words.numerals.%d", k), (w = tget(c, key)); k++) {
            c->numerals = xrealloc(c->numerals, (size_t)(k + 1) * sizeof *c->numerals);
            c->numerals[k] = w;
            c->nnumerals = k + 1;
        }
        c->numerals_t = c->t;
        c->numerals_known = 1;
    }
    return i >= 0 && i < c->nnumerals ? c->numerals[i] : NULL;
}

static const char *numeral(ctx *c, int n)
{
    const char *s = numeral_word(c, n - 1);
    return s ? s : keepf(c, "%d", n);
}

/* ---------- numbers ---------- */

static const char *fmt_fixed(ctx *c, double v, int prec)
{
    return keep(c, num_fixed(v, prec));
}

static const char *fmt_pct(ctx *c, double v)
{
    return keep(c, num_pct(v));
}

static const char *fmt_value(ctx *c, const indicator *ind, fvalue v)
{
    if (v.state == FV_OK)
        return fmt_fixed(c, v.v, ind->precision);
    return tx(c, v.state == FV_MISSING ? "words.value_missing" : "words.value_na", NULL);
}

static void date_vars(tvars *v, int y, int m, int d)
{
    tv_setf(v, "year", "%d", y);
    tv_setf(v, "month", "%d", m);
    tv_setf(v, "day", "%d", d);
}

static const char *unit_of(ctx *c, const indicator *ind)
{
    return ind->unit && *ind->unit ? ind->unit : tx(c, "words.no_unit", NULL);
}

/* ---------- the findings, as the documents use them ---------- */

/* Findings needing attention (off track or at risk), most serious first;
 * quantitative_only leaves the tasks (milestones) out, counted in *tasks
 * when tasks is not NULL. */
static int attention_list(ctx *c, titem ***out, int quantitative_only, int *tasks)
{
    const findings *f = c->f;
    titem **l = xcalloc((size_t)(f->nranked ? f->nranked : 1), sizeof *l);
    int n = 0, left = 0;
    for (int i = 0; i < f->nranked; i++) {
        titem *it = f->ranked[i];
        if (!needs_attention(it->ol))
            continue;
        if (quantitative_only && it->ind->kind == IND_MILESTONE)
            left++;
        else
            l[n++] = it;
    }
    if (tasks)
        *tasks = left;
    *out = l;
    return n;
}

/* item_vars()' placeholders freed: another template, or the context closes. */
static void item_vars_free(ctx *c)
{
    if (c->item_tv)
        for (int i = 0; i < c->f->n; i++)
            if (c->item_tv[i]) {
                tv_free(c->item_tv[i]);
                free(c->item_tv[i]);
            }
    free(c->item_tv);
    c->item_tv = NULL;
    c->item_t = NULL;
}

/* A milestone not yet due: its chance of completion (forecast.h,
 * fc_milestone_prob) as {probability}, and in the findings' words as
 * {chance}; 0 when it has none. */
static int milestone_chance_vars(ctx *c, const titem *it, tvars *v)
{
    if (!it->chance)
        return 0;
    tv_set(v, "probability", fmt_pct(c, 100 * it->fc->prob));
    tv_set(v, "chance", it->chance);
    return 1;
}

/* Placeholders of a finding in the documents' own texts (item_title, ...). */
static void set_item_vars(ctx *c, const titem *it, tvars *v)
{
    tv_set(v, "indicator", it->ind->name);
    tv_set(v, "department", it->dept);
    tv_set(v, "type", it->ind->type);
    const char *mark = it->ind->type ? tget(c, keepf(c, "words.type_mark.%s", it->ind->type)) : NULL;
    tv_set(v, "type_mark", mark ? mark : "");
    tv_set(v, "unit", unit_of(c, it->ind));
    tv_set(v, "target", it->target);
    tv_set(v, "figure", it->figure);
    tv_set(v, "current", it->current);
    tv_set(v, "gap", it->gap ? it->gap : "");
    tv_set(v, "count_note", it->count_note ? it->count_note : "");
    tv_setf(v, "target_year", "%d", it->tr->t->year);
    tv_setf(v, "due_year", "%d", it->tr->t->year);
    tv_set(v, "outlook", it->outlook_word);
    tv_set(v, "status", it->tr->record ? it->tr->record->status : tx(c, "words.figure.none", NULL));
    tv_set(v, "as_of", it->as_of ? it->as_of : "");
    tv_set(v, "done_date", it->done_date ? it->done_date : "");
    tv_set(v, "years_text", it->veto_years ? it->veto_years : "");
    tv_set(v, "years", it->missing ? it->missing : "");
    const char *allow = it->fc && it->fc->allowance && it->tr->status == V_NOT_YET_DUE
                            ? it->fc->allowance
                            : NULL;
    tv_set(v, "allowance", allow ? allow : "");
    tv_set(v, "problem", it->problem ? it->problem : "");
    tv_set(v, "measure", it->action ? it->action : "");
    tv_set(v, "doubt", it->doubt ? it->doubt : "");
    tv_set(v, "reason", it->reason ? it->reason : "");
    tv_set(v, "note", it->note ? it->note : "");
}

/* The placeholders of finding it (over the globals c->g): made at the
 * first call for the template being rendered, kept for the next passes.
 * Texts add their own values in a tvars of their own over this one. */
static const tvars *item_vars(ctx *c, const titem *it)
{
    if (c->item_t != c->t) {
        item_vars_free(c);
        c->item_t = c->t;
    }
    if (!c->item_tv)
        c->item_tv = xcalloc((size_t)(c->f->n ? c->f->n : 1), sizeof *c->item_tv);
    tvars **slot = &c->item_tv[it - c->f->items];
    if (!*slot) {
        *slot = xmalloc(sizeof **slot);
        tv_init(*slot, &c->g);
        set_item_vars(c, it, *slot);
    }
    return *slot;
}

/* ---------- counts ---------- */

typedef struct counts {
    int n[OL_COUNT];
    int total;
} counts;

static void count_items(ctx *c, int type, const char *group, counts *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < c->f->n; i++) {
        const titem *it = &c->f->items[i];
        if (type >= 0 && it->type_rank != type)
            continue;
        if (group && (!it->ind->group || strcmp(it->ind->group, group) != 0))
            continue;
        out->n[it->ol]++;
        out->total++;
    }
}

static const char *counts_text(ctx *c, const counts *k)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, "");
    const char *sep = tx(c, "words.counts_separator", NULL);
    for (int o = 0; o < OL_COUNT; o++) {
        if (!k->n[o])
            continue;
        tvars v;
        tv_init(&v, &c->g);
        tv_set(&v, "status", txf(c, NULL, "words.outlook.%s", outlook_name((outlook)o)));
        tv_setf(&v, "n", "%d", k->n[o]);
        if (b.len)
            sb_add(&b, sep);
        sb_add(&b, tx(c, "words.counts_item", &v));
        tv_free(&v);
    }
    return keep(c, sb_take(&b));
}

static const char *outlook_cell(ctx *c, outlook o)
{
    if (c->cell_t != c->t) {
        memset(c->cell, 0, sizeof c->cell);
        c->cell_t = c->t;
    }
    if (c->cell[o])
        return c->cell[o];
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "symbol", txf(c, NULL, "words.outlook_symbol.%s", outlook_name((outlook)o)));
    tv_set(&v, "word", txf(c, NULL, "words.outlook.%s", outlook_name((outlook)o)));
    const char *s = tx(c, "words.outlook_cell", &v);
    tv_free(&v);
    return c->cell[o] = s;
}

/* ---------- styles ---------- */


static void para(ctx *c, const char *text, int indent)
{
    if (!text || !*text)
        return;
    rstyle s = RST_BODY;
    if (indent)
        s.indent_first = 2 * s.size;
    rdoc_para(c->doc, text, &s);
    rdoc_space(c->doc, 3);
}

static void small_para(ctx *c, const char *text, rcolor col)
{
    if (!text || !*text)
        return;
    rstyle s = RST_SMALL;
    s.color = col;
    rdoc_para(c->doc, text, &s);
}

/* A numbered section heading ({no} / {ano}), level 1, in the contents. */
static void section_heading(ctx *c, const char *sec)
{
    const char *raw = tget(c, keepf(c, "%s.heading", sec));
    if (!raw)
        return;
    tvars v;
    tv_init(&v, &c->g);
    if (strstr(raw, "{no}"))
        tv_set(&v, "no", numeral(c, ++c->at.sec_no));
    if (strstr(raw, "{ano}"))
        tv_set(&v, "ano", numeral(c, ++c->at.app_no));
    const char *h = sx(c, sec, "heading", &v);
    tv_free(&v);
    rstyle s = RST_H1;
    if (rdoc_y(c->doc) > rdoc_page_height(c->doc) * 0.09 + 2)
        rdoc_space(c->doc, 6);
    rdoc_heading(c->doc, h, &s, 1, 1, 60);
    rdoc_space(c->doc, 2);
}

static void caption(ctx *c, const char *text)
{
    rstyle s = RST_CAPTION;
    rdoc_heading(c->doc, text, &s, 0, 0, 40);
}

static rcell status_cell(ctx *c, outlook o)
{
    rcell x = rdoc_cell(outlook_cell(c, o), RA_CENTER);
    x.has_color = 1;
    x.color = outlook_color[o];
    return x;
}

/*
 * Column widths: fixed columns take their content width (within [min, max]);
 * flexible ones (weight > 0) share the rest by weight.
 */
static void fit_columns(ctx *c, int ncols, const char *const *const *texts, int nrows,
                        const double *weight, double *w, const rstyle *body, const rstyle *head)
{
    rstyle st = *body, hs = *head;
    double total = rdoc_content_width(c->doc), fixed = 0, wsum = 0;
    int nflex = 0;
    for (int j = 0; j < ncols; j++) {
        if (weight[j] > 0) {
            wsum += weight[j];
            nflex++;
            continue;
        }
        double m = rdoc_cell_width(c->doc, texts[0][j], &hs);
        for (int r = 1; r < nrows; r++) {
            double x = rdoc_cell_width(c->doc, texts[r][j], &st);
            if (x > m)
                m = x;
        }
        w[j] = m < 22 ? 22 : m > 70 ? 70 : m;
        fixed += w[j];
    }
    double rest = total - fixed, min_flex = 45.0 * nflex;
    if (rest < min_flex && fixed > 0) {
        /* Too many fixed columns: shrink them alike (their text wraps). */
        double scale = (total - min_flex) / fixed;
        for (int j = 0; j < ncols; j++)
            if (weight[j] <= 0)
                w[j] *= scale;
        rest = min_flex;
    }
    for (int j = 0; j < ncols; j++)
        if (weight[j] > 0)
            w[j] = rest * weight[j] / wsum;
}

/* ---------- shared sections ---------- */

static void counts_table(ctx *c, const char *sec)
{
    counts all;
    count_items(c, -1, NULL, &all);
    int show[OL_COUNT];
    for (int o = 0; o < OL_COUNT; o++)
        show[o] = o <= OL_AT_RISK || o == OL_OFF_TRACK || all.n[o] > 0;
    const char *hdr[2 + OL_COUNT];
    double weight[2 + OL_COUNT], w[2 + OL_COUNT];
    int nc = 0;
    hdr[nc] = sx(c, sec, "col_type", NULL);
    weight[nc++] = 1;
    for (int o = 0; o < OL_COUNT; o++)
        if (show[o]) {
            hdr[nc] = outlook_cell(c, (outlook)o);
            weight[nc++] = 1;
        }
    hdr[nc] = sx(c, sec, "col_total", NULL);
    weight[nc++] = 1;
    const char *const *rows[1] = {hdr};
    rstyle st = RST_CELL, hs = RST_CELL_HEAD;
    st.size = hs.size = 9;
    st.leading = hs.leading = 13;
    fit_columns(c, nc, rows, 1, weight, w, &st, &hs);
    rtable *t = rdoc_table_begin(c->doc, nc, w, hdr, &st, &hs);
    int ntypes_seen = 0;
    for (int ty = 0; ty <= c->f->ntypes; ty++) {
        counts k;
        count_items(c, ty, NULL, &k);
        if (!k.total)
            continue;
        ntypes_seen++;
        rcell rc[2 + OL_COUNT];
        int j = 0;
        rc[j++] = rdoc_cell(ty < c->f->ntypes ? c->f->type_names[ty] : "—", RA_CENTER);
        for (int o = 0; o < OL_COUNT; o++)
            if (show[o]) {
                rc[j] = rdoc_cell(keepf(c, "%d", k.n[o]), RA_CENTER);
                if (k.n[o] && needs_attention((outlook)o)) {
                    rc[j].has_color = 1;
                    rc[j].color = outlook_color[o];
                    rc[j].head = 1;
                }
                j++;
            }
        rc[j++] = rdoc_cell(keepf(c, "%d", k.total), RA_CENTER);
        rdoc_table_row(t, rc);
    }
    if (ntypes_seen != 1) {
        rcell rc[2 + OL_COUNT];
        int j = 0;
        rc[j++] = rdoc_cell(sx(c, sec, "total_row", NULL), RA_CENTER);
        rc[0].head = 1;
        for (int o = 0; o < OL_COUNT; o++)
            if (show[o])
                rc[j++] = rdoc_cell(keepf(c, "%d", all.n[o]), RA_CENTER);
        rc[j++] = rdoc_cell(keepf(c, "%d", all.total), RA_CENTER);
        for (int q = 1; q < j; q++)
            rc[q].head = 1;
        rdoc_table_row(t, rc);
    }
    rdoc_table_end(t);
    rdoc_space(c->doc, 6);
}

static void headline_text(ctx *c, const char *sec)
{
    counts all, bind;
    count_items(c, -1, NULL, &all);
    count_items(c, 0, NULL, &bind);
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "counts_text", counts_text(c, &all));
    tv_set(&v, "overall", c->f->overall);
    para(c, sx(c, sec, "intro", &v), 1);
    /* optional: the overall sentence of findings.yaml already counts the
     * binding targets; a template whose intro does not use it may add this */
    if (bind.total && c->f->ntypes && tget(c, keepf(c, "%s.binding", sec))) {
        tv_setf(&v, "binding_total", "%d", bind.total);
        tv_set(&v, "binding_counts_text", counts_text(c, &bind));
        para(c, sx(c, sec, "binding", &v), 1);
    }
    tv_free(&v);
}

/* The lines of the red flags box: 一票否决 first, then binding final targets needing attention. */
static int red_flag_lines(ctx *c, const char **lines, int *is_flag)
{
    const findings *f = c->f;
    int n = 0, vetoes = 0, bflags = 0, binding = 0;
    int *seen = xcalloc((size_t)(c->ev->ninds ? c->ev->ninds : 1), sizeof(int));
    for (int i = 0; i < f->nranked; i++) {
        const titem *it = f->ranked[i];
        if (!it->veto || it->sev != SEV_RED_FLAG || seen[it->ii])
            continue;
        seen[it->ii] = 1;
        tvars v;
        tv_init(&v, item_vars(c, it));
        is_flag[n] = 1;
        lines[n++] = tx(c, "words.red_flags.veto", &v);
        tv_free(&v);
        vetoes++;
    }
    free(seen);
    if (!vetoes)
        lines[n++] = tx(c, "words.red_flags.no_veto", NULL);
    for (int i = 0; i < f->n; i++)
        binding += f->items[i].binding;
    for (int i = 0; i < f->nranked; i++) {
        const titem *it = f->ranked[i];
        if (!it->binding || it->veto || !it->final || !needs_attention(it->ol))
            continue;
        tvars v;
        tv_init(&v, item_vars(c, it));
        is_flag[n] = 1;
        lines[n++] = tx(c, it->ol == OL_AT_RISK ? "words.red_flags.binding_risk"
                                                : "words.red_flags.binding", &v);
        tv_free(&v);
        bflags++;
    }
    if (binding && !bflags)
        lines[n++] = tx(c, "words.red_flags.no_binding", NULL);
    return n;
}

/* The red flags in a box: 一票否决 and binding targets missed or at risk. */
static void red_flags_box(ctx *c)
{
    const char **lines = xcalloc((size_t)c->f->n + 3, sizeof *lines);
    int *is_flag = xcalloc((size_t)c->f->n + 3, sizeof *is_flag);
    int n = red_flag_lines(c, lines, is_flag), flags = 0;
    for (int i = 0; i < n; i++)
        flags += is_flag[i];
    rstyle s = rdoc_style(RF_HEAD, 10.5, 16, RA_LEFT);
    double pad = 8, w = rdoc_content_width(c->doc) - 2 * pad;
    double h = 2 * pad;
    for (int i = 0; i < n; i++)
        h += rdoc_text_height(c->doc, lines[i], &s, w) + (i ? 3 : 0);
    rdoc_ensure(c->doc, h + 4);
    double top = rdoc_y(c->doc);
    rdoc_rect(c->doc, rdoc_left(c->doc), top, rdoc_content_width(c->doc), h, flags ? 1.4 : 0.8,
              flags ? &dark_red : &calm_border, flags ? &flag_fill : &calm_fill);
    double y = top + pad;
    for (int i = 0; i < n; i++) {
        if (i)
            y += 3;
        s.color = is_flag[i] ? dark_red : black;
        y += rdoc_text_box(c->doc, lines[i], &s, rdoc_left(c->doc) + pad, y, w);
    }
    rdoc_space(c->doc, h + 8);
    c->at.red_flags_page = rdoc_page(c->doc);
    free(is_flag);
    free(lines);
}

/* One problem and its action; the doubt and the note of the finding go with it. */
static void problem_entry(ctx *c, const titem *it, int no)
{
    rstyle ps = rdoc_style(RF_BODY, 10, 15.5, RA_JUSTIFY);
    rstyle ms = ps;
    ms.indent_left = 1.5 * ps.size;
    ms.color = (rcolor){0.10, 0.22, 0.45};
    rstyle ns = ms;
    ns.size = 9;
    ns.leading = 13.5;
    ns.color = grey;
    tvars v;
    tv_init(&v, item_vars(c, it));
    tv_setf(&v, "n", "%d", no);
    const char *p = tx(c, "words.problem_item", &v);
    const char *m = tx(c, "words.measure_item", &v);
    const char *extra[3];
    int ne = 0;
    if (it->reason)
        extra[ne++] = tx(c, "words.reason_item", &v);
    if (it->doubt)
        extra[ne++] = tx(c, "words.doubt_item", &v);
    if (it->note)
        extra[ne++] = tx(c, "words.note_item", &v);
    tv_free(&v);
    /* Keep a problem with (the start of) its measure. */
    rdoc_ensure(c->doc, rdoc_text_height(c->doc, p, &ps, rdoc_content_width(c->doc)) +
                            2 * ms.leading);
    rdoc_para(c->doc, p, &ps);
    for (int i = 0; i < ne; i++)
        rdoc_para(c->doc, extra[i], &ns);
    rdoc_para(c->doc, m, &ms);
    rdoc_space(c->doc, 4);
}

/* Problems from first to first + max (max < 0: all), numbered from first + 1. */
static void problems_list(ctx *c, const char *sec, int first, int max)
{
    const findings *f = c->f;
    if (first >= f->nproblems) {
        if (!first)
            para(c, sx(c, sec, "none", NULL), 1);
        return;
    }
    int end = max >= 0 && first + max < f->nproblems ? first + max : f->nproblems;
    for (int i = first; i < end; i++)
        problem_entry(c, f->problems[i], i + 1);
    if (end < f->nproblems) {
        tvars v;
        tv_init(&v, &c->g);
        tv_setf(&v, "n", "%d", f->nproblems - end);
        small_para(c, sx(c, sec, "more", &v), grey);
        tv_free(&v);
    }
}

/* ---------- charts ---------- */

/* What the charts of this plan are drawn from. */
static chart_env charts_env(ctx *c, int no_title)
{
    chart_env env;
    memset(&env, 0, sizeof env);
    env.ev = c->ev;
    env.ec = c->ec;
    env.lb = c->lb;
    env.tpl = &c->ct;
    env.flags = no_title ? CHART_NO_TITLE : 0;
    env.forecasts = c->fs;
    env.findings = c->f;
    return env;
}

/*
 * The trend chart of ir drawn as vectors into the box (x, y) w x h points
 * (its print size), or a placeholder with missing_text when it cannot be
 * drawn. Nothing in a dry pass: the caller has reserved the box.
 */
static void indicator_chart(ctx *c, const indicator_result *ir, const char *missing_text,
                            double x, double y, double w, double h, int no_title)
{
    if (rdoc_dry(c->doc))
        return;
    if (c->have_ct && chart_indicator_drawable(ir)) {
        chart_env env = charts_env(c, no_title);
        const fc_indicator *fc = c->fs ? &c->fs->inds[ir - c->ev->inds] : NULL;
        canvas *cv = canvas_pdf_new(c->doc, x, y, 1);
        int rc = chart_indicator_canvas(&env, ir, fc, cv, w * 25.4 / 72, h * 25.4 / 72, c->d);
        if (canvas_free(cv, c->d) == 0 && rc == 0)
            return;
    }
    rdoc_placeholder(c->doc, x, y, w, h, missing_text);
}

/* ---------- header and footer ---------- */

typedef struct deco {
    ctx *c;
    int skip_first; /* the report's cover has none */
} deco;

static void decorate(void *arg, rdoc *d, int page, int pages)
{
    deco *dc = arg;
    ctx *c = dc->c;
    if (dc->skip_first && page == 1)
        return;
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "page", "%d", page);
    tv_setf(&v, "pages", "%d", pages);
    const char *left = tx(c, "document.header_left", &v);
    const char *right = tx(c, "document.header_right", &v);
    const char *foot = tx(c, "document.footer", &v);
    tv_free(&v);
    rdoc_running_heads(d, left, right, foot);
}

/* ---------- the brief ---------- */

/* The data are illustrative: said on page 1 in a box, so nobody signs them by mistake. */
static void provenance_box(ctx *c, const char *sec)
{
    if (!c->f->provenance)
        return;
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "provenance", c->f->provenance);
    const char *text = sx(c, sec, "provenance", &v);
    tv_free(&v);
    rstyle s = rdoc_style(RF_HEAD, 9.5, 14, RA_LEFT);
    s.color = dark_red;
    double pad = 5, w = rdoc_content_width(c->doc) - 2 * pad;
    double h = rdoc_text_height(c->doc, text, &s, w) + 2 * pad;
    rdoc_ensure(c->doc, h + 4);
    double top = rdoc_y(c->doc);
    rdoc_rect(c->doc, rdoc_left(c->doc), top, rdoc_content_width(c->doc), h, 1.0, &dark_red,
              &flag_fill);
    rdoc_text_box(c->doc, text, &s, rdoc_left(c->doc) + pad, top + pad, w);
    rdoc_space(c->doc, h + 8);
}

/*
 * The most serious findings, each with its figures and the action by whom:
 * what a leader who reads only page 1 must know. The rest of the problems
 * follow in the section of kind `problems`.
 */
static void brief_key_findings(ctx *c, const char *sec)
{
    section_heading(c, sec);
    const findings *f = c->f;
    if (!f->nproblems) {
        para(c, sx(c, sec, "none", NULL), 1);
        c->at.key_end_page = rdoc_page(c->doc);
        return;
    }
    int n = knob(c, K_KEY) < f->nproblems ? knob(c, K_KEY) : f->nproblems;
    for (int i = 0; i < n; i++)
        problem_entry(c, f->problems[i], i + 1);
    c->at.key_end_page = rdoc_page(c->doc);
}

static void brief_title(ctx *c, const char *sec)
{
    rdoc_start(c->doc);
    rstyle t = rdoc_style(RF_HEAD, 20, 30, RA_CENTER);
    rstyle s = rdoc_style(RF_HEAD, 12, 18, RA_CENTER);
    rstyle m = rdoc_style(RF_BODY, 9.5, 15, RA_CENTER);
    m.color = grey;
    rdoc_para(c->doc, sx(c, sec, "title", NULL), &t);
    rdoc_space(c->doc, 2);
    rdoc_para(c->doc, sx(c, sec, "subtitle", NULL), &s);
    rdoc_para(c->doc, sx(c, sec, "meta", NULL), &m);
    rdoc_space(c->doc, 4);
    rdoc_hline(c->doc, rdoc_left(c->doc), rdoc_right(c->doc), rdoc_y(c->doc), 1.2, dark_red);
    rdoc_space(c->doc, 8);
    provenance_box(c, sec);
}

#define BRIEF_CHART_W_MM 84.0
#define BRIEF_CHART_H_MM 50.0
#define PT(mm) ((mm) * 72.0 / 25.4)

static void brief_item(ctx *c, const char *sec, const titem *it, int no, int with_chart)
{
    rdoc *d = c->doc;
    tvars v;
    tv_init(&v, item_vars(c, it));
    tv_setf(&v, "n", "%d", no);
    const char *title = sx(c, sec, "item_title", &v);
    const char *lines[8];
    int nl = 0;
    lines[nl++] = sx(c, sec, "item_status", &v);
    lines[nl++] = sx(c, sec, "item_figure", &v);
    lines[nl++] = sx(c, sec, "item_target", &v);
    if (it->gap)
        lines[nl++] = sx(c, sec, "item_gap", &v);
    /* optional: an office may leave the small-count line out */
    const char *count_line = it->count_note ? tx_opt(c, keepf(c, "%s.item_count", sec), &v) : NULL;
    if (count_line)
        lines[nl++] = count_line;
    if (it->fc && it->fc->has_forecast && it->tr->status == V_NOT_YET_DUE) {
        tv_set(&v, "forecast", fmt_fixed(c, it->fc->value, it->ind->precision));
        tv_set(&v, "lo80", fmt_fixed(c, it->fc->lo80, it->ind->precision));
        tv_set(&v, "hi80", fmt_fixed(c, it->fc->hi80, it->ind->precision));
        tv_set(&v, "probability",
               it->fc->has_prob ? keepf(c, "%s%%", fmt_pct(c, 100 * it->fc->prob))
                                : tx(c, "words.value_missing", NULL));
        lines[nl++] = sx(c, sec, "item_forecast", &v);
    }
    if (it->fc && it->fc->allowance && it->tr->status == V_NOT_YET_DUE)
        lines[nl++] = sx(c, sec, "item_allowance", &v);
    lines[nl++] = sx(c, sec, "item_department", &v);
    tv_free(&v);

    rstyle ts = rdoc_style(RF_HEAD, 11, 17, RA_LEFT);
    rstyle ls = rdoc_style(RF_BODY, 9, 13.5, RA_LEFT);
    double cw = rdoc_content_width(d);
    double chart_w = with_chart ? PT(BRIEF_CHART_W_MM) : 0;
    double chart_h = with_chart ? PT(BRIEF_CHART_H_MM) : 0;
    double text_x = rdoc_left(d) + (with_chart ? chart_w + 10 : 0);
    double text_w = cw - (with_chart ? chart_w + 10 : 0);
    double th = 0;
    for (int i = 0; i < nl; i++)
        th += rdoc_text_height(d, lines[i], &ls, text_w);
    double title_h = rdoc_text_height(d, title, &ts, cw);
    double body_h = th > chart_h ? th : chart_h;
    rdoc_ensure(d, title_h + body_h + 8);
    rstyle tsc = ts;
    tsc.color = outlook_color[it->ol];
    rdoc_para(d, title, &tsc);
    double top = rdoc_y(d) + 2;
    if (with_chart) {
        tvars mv;
        tv_init(&mv, &c->g);
        tv_set(&mv, "indicator", it->ind->name);
        const char *miss = sx(c, sec, "chart_missing", &mv);
        tv_free(&mv);
        indicator_chart(c, it->ir, miss, rdoc_left(d), top, chart_w, chart_h, 1);
    }
    double y = top;
    for (int i = 0; i < nl; i++) {
        rstyle s = ls;
        if (i == 0) {
            s.font = RF_HEAD;
            s.color = outlook_color[it->ol];
        }
        y += rdoc_text_box(d, lines[i], &s, text_x, y, text_w);
    }
    rdoc_space(d, body_h + 10);
}

static void brief_attention(ctx *c, const char *sec)
{
    titem **l;
    int tasks;
    int n = attention_list(c, &l, 1, &tasks);
    /* Milestones have their own section; qualitative items are listed here. */
    section_heading(c, sec);
    if (!n) {
        para(c, sx(c, sec, "none", NULL), 1);
        free(l);
        return;
    }
    /* the overview's counts include the tasks (milestones): say how many
     * are not here, so that the two figures agree */
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "n", "%d", n);
    tv_setf(&v, "tasks", "%d", tasks);
    const char *intro = tasks > 0 ? sx_opt(c, sec, "intro_tasks", &v) : NULL;
    para(c, intro ? intro : sx(c, sec, "intro", &v), 1);
    int nd = knob(c, K_DETAIL) < n ? knob(c, K_DETAIL) : n;
    for (int i = 0; i < nd; i++)
        brief_item(c, sec, l[i], i + 1, l[i]->ind->kind == IND_QUANTITATIVE);
    int rest = n - nd;
    if (rest > 0) {
        tv_setf(&v, "n", "%d", rest);
        small_para(c, sx(c, sec, "more", &v), grey);
        rdoc_space(c->doc, 3);
        int nc = knob(c, K_COMPACT) < rest ? knob(c, K_COMPACT) : rest;
        if (nc > 0) {
            const char *hdr[5] = {sx(c, sec, "col_indicator", NULL), sx(c, sec, "col_status", NULL),
                                  sx(c, sec, "col_figure", NULL), sx(c, sec, "col_target", NULL),
                                  sx(c, sec, "col_department", NULL)};
            double weight[5] = {0.30, 0, 0.25, 0.25, 0.20}, w[5];
            const char ***rows = xcalloc((size_t)nc + 1, sizeof *rows);
            const char **cellv = xcalloc((size_t)(nc + 1) * 5, sizeof *cellv);
            for (int j = 0; j < 5; j++)
                cellv[j] = hdr[j];
            rows[0] = cellv;
            for (int r = 0; r < nc; r++) {
                const titem *it = l[nd + r];
                const char **rw = cellv + (r + 1) * 5;
                /* the target with its year (col_target_cell): two targets
                 * of one indicator (2022's and 2025's) are told apart */
                tvars tv;
                tv_init(&tv, item_vars(c, it));
                const char *tc = sx_opt(c, sec, "col_target_cell", &tv);
                tv_free(&tv);
                rw[0] = it->ind->name;
                rw[1] = outlook_cell(c, it->ol);
                rw[2] = it->figure;
                rw[3] = tc ? tc : it->target;
                rw[4] = it->dept;
                rows[r + 1] = rw;
            }
            rstyle st = RST_CELL, hs = RST_CELL_HEAD;
            st.size = hs.size = 8;
            st.leading = hs.leading = 11;
            fit_columns(c, 5, (const char *const *const *)rows, nc + 1, weight, w, &st, &hs);
            rtable *t = rdoc_table_begin(c->doc, 5, w, hdr, &st, &hs);
            for (int r = 0; r < nc; r++) {
                const titem *it = l[nd + r];
                rcell rc[5] = {rdoc_cell(it->ind->name, RA_LEFT), status_cell(c, it->ol),
                               rdoc_cell(it->figure, RA_LEFT), rdoc_cell(rows[r + 1][3], RA_LEFT),
                               rdoc_cell(it->dept, RA_LEFT)};
                rdoc_table_row(t, rc);
            }
            rdoc_table_end(t);
            rdoc_space(c->doc, 6);
            free(rows);
            free(cellv);
        }
    }
    tv_free(&v);
    free(l);
}

/* Milestones past due and not done (or done late). */
static int overdue_list(ctx *c, titem ***out)
{
    const findings *f = c->f;
    titem **l = xcalloc((size_t)(f->nranked ? f->nranked : 1), sizeof *l);
    int n = 0;
    for (int i = 0; i < f->nranked; i++)
        if (f->ranked[i]->overdue || f->ranked[i]->late)
            l[n++] = f->ranked[i];
    *out = l;
    return n;
}


static void brief_milestones(ctx *c, const char *sec)
{
    titem **l;
    int n = overdue_list(c, &l);
    section_heading(c, sec);
    if (!n) {
        para(c, sx(c, sec, "none", NULL), 1);
        free(l);
        return;
    }
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "n", "%d", n);
    para(c, sx(c, sec, "intro", &v), 1);
    int nm = knob(c, K_MILESTONES) < n ? knob(c, K_MILESTONES) : n;
    const char *hdr[4] = {sx(c, sec, "col_item", NULL), sx(c, sec, "col_due", NULL),
                          sx(c, sec, "col_progress", NULL), sx(c, sec, "col_department", NULL)};
    const char **cellv = xcalloc((size_t)(nm + 1) * 4, sizeof *cellv);
    const char ***rows = xcalloc((size_t)nm + 1, sizeof *rows);
    for (int j = 0; j < 4; j++)
        cellv[j] = hdr[j];
    rows[0] = cellv;
    for (int r = 0; r < nm; r++) {
        const titem *it = l[r];
        const char **rw = cellv + (r + 1) * 4;
        tvars iv;
        tv_init(&iv, item_vars(c, it));
        tv_setf(&iv, "year", "%d", it->tr->t->year);
        rw[0] = it->ind->name;
        rw[1] = sx(c, sec, "due_cell", &iv);
        rw[2] = it->late ? sx(c, sec, "late_cell", &iv)
                : it->tr->record ? sx(c, sec, "progress_cell", &iv)
                                 : sx(c, sec, "no_record", &iv);
        rw[3] = it->dept;
        tv_free(&iv);
        rows[r + 1] = rw;
    }
    double weight[4] = {0.45, 0, 0.30, 0.25}, w[4];
    rstyle st = RST_CELL, hs = RST_CELL_HEAD;
    st.size = hs.size = 8;
    st.leading = hs.leading = 11;
    fit_columns(c, 4, (const char *const *const *)rows, nm + 1, weight, w, &st, &hs);
    rtable *t = rdoc_table_begin(c->doc, 4, w, hdr, &st, &hs);
    for (int r = 0; r < nm; r++) {
        const char **rw = cellv + (r + 1) * 4;
        rcell rc[4] = {rdoc_cell(rw[0], RA_LEFT), rdoc_cell(rw[1], RA_CENTER), rdoc_cell(rw[2], RA_LEFT),
                       rdoc_cell(rw[3], RA_LEFT)};
        rc[2].has_color = 1;
        rc[2].color = outlook_color[OL_OFF_TRACK];
        rdoc_table_row(t, rc);
    }
    rdoc_table_end(t);
    rdoc_space(c->doc, 4);
    if (nm < n) {
        tv_setf(&v, "n", "%d", n - nm);
        small_para(c, sx(c, sec, "more", &v), grey);
    }
    rdoc_space(c->doc, 4);
    tv_free(&v);
    free(rows);
    free(cellv);
    free(l);
}

/*
 * The brief is laid out a dozen times while it is fitted to its pages,
 * each time with one of its knobs (n_key, ...) changed, most often the
 * last section's (the problems). A section's layout depends on where it
 * starts and on the knobs it reads: so a dry pass starts at the last
 * section whose start it has seen with the same knobs read before it, in
 * the state it was then (the document's page, cursor and headings, and the
 * counters below), instead of from the top.
 */
typedef struct brief_mark {
    int sec;   /* the section it starts */
    int knobs; /* read by the sections before it (K_*) */
    int n[5];  /* their values (fit_state), the others 0 */
    struct pass_at at;
    rdoc_mark *doc;
} brief_mark;

typedef struct brief_marks {
    brief_mark *m;
    size_t n, cap;
} brief_marks;

static void fit_state(const ctx *c, int *n);

/* The knobs' values now, those not in knobs as 0. */
static void masked_state(const ctx *c, int knobs, int *n)
{
    fit_state(c, n);
    for (int k = 0; k < 5; k++)
        if (!(knobs >> k & 1))
            n[k] = 0;
}

/* The mark of section sec after knobs, or NULL. */
static brief_mark *find_mark(ctx *c, int sec, int knobs)
{
    int n[5];
    masked_state(c, knobs, n);
    for (size_t i = 0; i < c->marks->n; i++) {
        brief_mark *m = &c->marks->m[i];
        if (m->sec == sec && m->knobs == knobs && memcmp(m->n, n, sizeof n) == 0)
            return m;
    }
    return NULL;
}

static void take_mark(ctx *c, int sec, int knobs)
{
    if (find_mark(c, sec, knobs))
        return;
    brief_mark *m = ARRAY_PUSH(c->marks->m, c->marks->n, c->marks->cap);
    m->sec = sec;
    m->knobs = knobs;
    masked_state(c, knobs, m->n);
    m->at = c->at;
    m->doc = rdoc_mark_take(c->doc);
}

/* The furthest mark this pass can start from (with its state put back), or NULL. */
static const brief_mark *resume_mark(ctx *c)
{
    const brief_mark *best = NULL;
    for (size_t i = 0; i < c->marks->n; i++) {
        const brief_mark *m = &c->marks->m[i];
        int n[5];
        masked_state(c, m->knobs, n);
        if ((!best || m->sec > best->sec) && memcmp(m->n, n, sizeof n) == 0)
            best = m;
    }
    if (best) {
        c->at = best->at;
        rdoc_mark_resume(c->doc, best->doc);
    }
    return best;
}

static void marks_free(brief_marks *b)
{
    for (size_t i = 0; i < b->n; i++)
        rdoc_mark_free(b->m[i].doc);
    free(b->m);
}

static void render_brief(ctx *c)
{
    c->at.sec_no = c->at.app_no = c->at.table_no = c->at.figure_no = 0;
    c->at.red_flags_page = 0;
    int nsec = rtpl_count(c->t, "sections");
    int marking = c->marks && rdoc_dry(c->doc);
    const brief_mark *from = marking ? resume_mark(c) : NULL;
    int knobs = from ? from->knobs : 0; /* read by the sections laid out so far */
    for (int s = from ? from->sec : 0; s < nsec; s++) {
        char sec[32];
        snprintf(sec, sizeof sec, "sections.%d", s);
        const char *kind = rtpl_getf(c->t, "%s.kind", sec);
        if (!kind)
            continue;
        if (marking)
            take_mark(c, s, knobs);
        c->knobs_read = 0;
        if (strcmp(kind, "title") == 0) {
            brief_title(c, sec);
        } else if (strcmp(kind, "headline") == 0) {
            section_heading(c, sec);
            headline_text(c, sec);
            counts_table(c, sec);
        } else if (strcmp(kind, "red_flags") == 0) {
            section_heading(c, sec);
            red_flags_box(c);
        } else if (strcmp(kind, "attention") == 0) {
            brief_attention(c, sec);
        } else if (strcmp(kind, "milestones") == 0) {
            brief_milestones(c, sec);
        } else if (strcmp(kind, "key_findings") == 0) {
            brief_key_findings(c, sec);
        } else if (strcmp(kind, "problems") == 0) {
            int first = knob(c, K_KEY) < c->f->nproblems ? knob(c, K_KEY) : c->f->nproblems;
            if (first < c->f->nproblems) {
                section_heading(c, sec);
                problems_list(c, sec, first, knob(c, K_PROBLEMS));
            }
        } else if (strcmp(kind, "note") == 0) {
            rdoc_space(c->doc, 6);
            small_para(c, sx(c, sec, "text", NULL), grey);
        }
        knobs |= c->knobs_read; /* what the next sections' marks depend on */
    }
}

/* ---------- the report ---------- */

/* 1 if text has placeholders and every one of them is empty. */
static int placeholders_empty(ctx *c, const char *text)
{
    int any = 0;
    for (const char *p = text ? text : ""; (p = strchr(p, '{')) != NULL; p++) {
        const char *e = strchr(p, '}');
        if (!e)
            break;
        char *name = xstrndup(p + 1, (size_t)(e - p - 1));
        const char *v = tv_get(&c->g, name);
        free(name);
        if (v && *v)
            return 0;
        any = 1;
    }
    return any;
}

static void report_cover(ctx *c, const char *sec)
{
    rdoc *d = c->doc;
    rdoc_start(d);
    rdoc_space(d, 150);
    rstyle t = rdoc_style(RF_HEAD, 24, 36, RA_CENTER);
    rstyle s = rdoc_style(RF_HEAD, 20, 30, RA_CENTER);
    rstyle l = rdoc_style(RF_BODY, 12, 22, RA_CENTER);
    rstyle n = rdoc_style(RF_BODY, 9.5, 15, RA_CENTER);
    n.color = grey;
    rdoc_para(d, sx(c, sec, "title", NULL), &t);
    rdoc_space(d, 14);
    rdoc_para(d, sx(c, sec, "subtitle", NULL), &s);
    rdoc_space(d, 90);
    int nl = rtpl_count(c->t, keepf(c, "%s.lines", sec));
    for (int i = 0; i < nl; i++)
        if (!placeholders_empty(c, rtpl_getf(c->t, "%s.lines.%d", sec, i)))
            rdoc_para(d, txf(c, NULL, "%s.lines.%d", sec, i), &l);
    rdoc_space(d, 40);
    rdoc_para(d, sx(c, sec, "date", NULL), &l);
    rdoc_space(d, 40);
    provenance_box(c, sec);
    rdoc_para(d, sx(c, sec, "note", NULL), &n);
    rdoc_new_page(d);
}

static void report_toc(ctx *c, const char *sec)
{
    rstyle h = rdoc_style(RF_HEAD, 16, 26, RA_CENTER);
    rdoc_para(c->doc, sx(c, sec, "heading", NULL), &h);
    rdoc_space(c->doc, 8);
    rstyle s = rdoc_style(RF_BODY, 10.5, 19, RA_LEFT);
    rdoc_toc_page(c->doc, &s, 21);
}

static void report_summary(ctx *c, const char *sec)
{
    section_heading(c, sec);
    headline_text(c, sec);
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "table_no", "%d", ++c->at.table_no);
    caption(c, sx(c, sec, "table_heading", &v));
    tv_free(&v);
    counts_table(c, sec);
    rstyle h2 = RST_H2;
    rdoc_heading(c->doc, sx(c, sec, "red_flags_heading", NULL), &h2, 2, 1, 50);
    red_flags_box(c);
}

/* Years shown in the indicator tables: the plan period up to the evaluation. */
static void table_years(ctx *c, int *y0, int *y1)
{
    *y0 = c->p->period[0];
    *y1 = c->ev->eval_year < c->ev->data_last_year ? c->ev->eval_year : c->ev->data_last_year;
    if (*y1 < *y0)
        *y1 = *y0 - 1;
    if (*y1 - *y0 > 7) /* a long plan: its last eight years */
        *y0 = *y1 - 7;
}

/* 1 if the indicator's name already ends with its unit in brackets: 死亡人数（人）. */
static int name_has_unit(const indicator *ind)
{
    if (!ind->unit || !*ind->unit)
        return 0;
    char *suffix = xasprintf("\xEF\xBC\x88%s\xEF\xBC\x89", ind->unit); /* （unit） */
    size_t n = strlen(ind->name), m = strlen(suffix);
    int has = n >= m && strcmp(ind->name + n - m, suffix) == 0;
    free(suffix);
    return has;
}

static const char *baseline_cell(ctx *c, const indicator_result *ir)
{
    for (int k = 0; k < ir->ntargets; k++)
        if (ir->targets[k].t->has_baseline && ir->targets[k].baseline.state == FV_OK)
            return findings_of(c->f, (int)(ir - c->ev->inds), k)->baseline_value;
    year_value yv = result_year(ir, c->p->period[0] - 1);
    return fmt_value(c, ir->ind, yv.value);
}

static void quant_table(ctx *c, const char *sec, const char *group_id, const char *group_name)
{
    int y0, y1;
    table_years(c, &y0, &y1);
    int nyears = y1 - y0 + 1;
    /* Forecast columns only when some target of the table is not yet due. */
    int with_fc = 0;
    for (int i = 0; i < c->f->n && c->fs; i++) {
        const titem *it = &c->f->items[i];
        if (it->ind->kind == IND_QUANTITATIVE && it->tr->status == V_NOT_YET_DUE && it->fc &&
            it->fc->has_forecast &&
            (group_id ? it->ind->group && strcmp(it->ind->group, group_id) == 0
                      : !it->ind->group || !*it->ind->group))
            with_fc = 1;
    }
    int ncols = 1 + 1 + nyears + 3 + (with_fc ? 2 : 0) + 1;
    /* rows: one per target */
    int nrows = 0;
    for (int i = 0; i < c->f->n; i++) {
        const titem *it = &c->f->items[i];
        if (it->ind->kind == IND_QUANTITATIVE && it->ind->group && group_id &&
            strcmp(it->ind->group, group_id) == 0)
            nrows++;
        else if (it->ind->kind == IND_QUANTITATIVE && !group_id &&
                 (!it->ind->group || !*it->ind->group))
            nrows++;
    }
    if (!nrows)
        return;
    const char **cellv = xcalloc((size_t)(nrows + 1) * (size_t)ncols, sizeof *cellv);
    const char ***rows = xcalloc((size_t)nrows + 1, sizeof *rows);
    const titem **ritem = xcalloc((size_t)nrows + 1, sizeof *ritem);
    int j = 0;
    int fcyear = c->p->period[1];
    cellv[j++] = sx(c, sec, "col_indicator", NULL);
    cellv[j++] = sx(c, sec, "col_baseline", NULL);
    for (int y = y0; y <= y1; y++)
        cellv[j++] = keepf(c, "%d", y);
    cellv[j++] = sx(c, sec, "col_target", NULL);
    cellv[j++] = sx(c, sec, "col_current", NULL);
    cellv[j++] = sx(c, sec, "col_status", NULL);
    if (with_fc) {
        tvars v;
        tv_init(&v, &c->g);
        tv_setf(&v, "year", "%d", fcyear);
        cellv[j++] = sx(c, sec, "col_forecast", &v);
        cellv[j++] = sx(c, sec, "col_probability", &v);
        tv_free(&v);
    }
    cellv[j++] = sx(c, sec, "col_department", NULL);
    rows[0] = cellv;
    int r = 0;
    for (int i = 0; i < c->f->n; i++) {
        const titem *it = &c->f->items[i];
        int in = it->ind->kind == IND_QUANTITATIVE &&
                 (group_id ? it->ind->group && strcmp(it->ind->group, group_id) == 0
                           : !it->ind->group || !*it->ind->group);
        if (!in)
            continue;
        const char **rw = cellv + (size_t)(r + 1) * (size_t)ncols;
        int first = it->ti == 0;
        j = 0;
        tvars v;
        tv_init(&v, item_vars(c, it));
        rw[j++] = first ? (it->ind->unit && *it->ind->unit && !name_has_unit(it->ind)
                               ? sx(c, sec, "indicator_cell", &v)
                               : sx(c, sec, "indicator_cell_nounit", &v))
                        : "";
        rw[j++] = first ? baseline_cell(c, it->ir) : "";
        for (int y = y0; y <= y1; y++)
            rw[j++] = first ? fmt_value(c, it->ind, result_year(it->ir, y).value) : "";
        rw[j++] = it->tr->t->year != c->p->period[1]
                      ? keepf(c, "%s%s", it->target_nu, sx(c, sec, "target_year_cell", &v))
                      : it->target_nu;
        rw[j++] = it->current;
        rw[j++] = outlook_cell(c, it->ol);
        if (with_fc) {
            const fc_target *f = it->fc;
            rw[j++] = f && f->has_forecast && it->tr->status == V_NOT_YET_DUE
                          ? fmt_fixed(c, f->value, it->ind->precision)
                          : tx(c, "words.value_missing", NULL);
            rw[j++] = f && f->has_prob && it->tr->status == V_NOT_YET_DUE
                          ? keepf(c, "%s%%", fmt_pct(c, 100 * f->prob))
                          : tx(c, "words.value_missing", NULL);
        }
        rw[j++] = first ? it->dept : "";
        tv_free(&v);
        rows[r + 1] = rw;
        ritem[r] = it;
        r++;
    }
    double *weight = xcalloc((size_t)ncols, sizeof(double));
    double *w = xcalloc((size_t)ncols, sizeof(double));
    weight[0] = 0.40;
    weight[1 + 1 + nyears] = 0.33;       /* target */
    weight[ncols - 1] = 0.27;            /* department */
    rstyle st = RST_CELL, hs = RST_CELL_HEAD;
    fit_columns(c, ncols, (const char *const *const *)rows, nrows + 1, weight, w, &st, &hs);
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "table_no", "%d", ++c->at.table_no);
    tv_set(&v, "group", group_name);
    caption(c, sx(c, sec, "quant_caption", &v));
    tv_free(&v);
    rtable *t = rdoc_table_begin(c->doc, ncols, w, cellv, &st, &hs);
    rcell *rc = xcalloc((size_t)ncols, sizeof(rcell));
    for (r = 0; r < nrows; r++) {
        const char **rw = rows[r + 1];
        for (j = 0; j < ncols; j++)
            rc[j] = rdoc_cell(rw[j], j == 0 || j == 1 + 1 + nyears || j == ncols - 1 ? RA_LEFT : RA_RIGHT);
        rc[1 + 1 + nyears + 2] = status_cell(c, ritem[r]->ol);
        rdoc_table_row(t, rc);
    }
    rdoc_table_end(t);
    rdoc_space(c->doc, 8);
    free(rc);
    free(w);
    free(weight);
    free(ritem);
    free(rows);
    free(cellv);
}

static void milestone_table(ctx *c, const char *sec, const char *group_id, const char *group_name)
{
    int nrows = 0;
    for (int i = 0; i < c->f->n; i++) {
        const titem *it = &c->f->items[i];
        if (it->ind->kind != IND_QUANTITATIVE &&
            (group_id ? it->ind->group && strcmp(it->ind->group, group_id) == 0
                      : !it->ind->group || !*it->ind->group))
            nrows++;
    }
    if (!nrows)
        return;
    enum { NC = 6 };
    const char **cellv = xcalloc((size_t)(nrows + 1) * NC, sizeof *cellv);
    const char ***rows = xcalloc((size_t)nrows + 1, sizeof *rows);
    const titem **ritem = xcalloc((size_t)nrows, sizeof *ritem);
    const char *keys[NC] = {"col_item", "col_due", "col_status", "col_progress", "col_evidence",
                            "col_department"};
    for (int j = 0; j < NC; j++)
        cellv[j] = sx(c, sec, keys[j], NULL);
    rows[0] = cellv;
    int r = 0;
    for (int i = 0; i < c->f->n; i++) {
        const titem *it = &c->f->items[i];
        if (!(it->ind->kind != IND_QUANTITATIVE &&
              (group_id ? it->ind->group && strcmp(it->ind->group, group_id) == 0
                        : !it->ind->group || !*it->ind->group)))
            continue;
        const char **rw = cellv + (r + 1) * NC;
        tvars v;
        tv_init(&v, item_vars(c, it));
        tv_setf(&v, "year", "%d", it->tr->t->year);
        rw[0] = it->ind->name;
        rw[1] = sx(c, sec, "due_cell", &v);
        rw[2] = outlook_cell(c, it->ol);
        const char *chance = it->tr->record && milestone_chance_vars(c, it, &v)
                                 ? sx_opt(c, sec, "progress_chance_cell", &v)
                                 : NULL;
        rw[3] = !it->tr->record ? sx(c, sec, "no_record", &v)
                : chance        ? chance
                                : sx(c, sec, "progress_cell", &v);
        rw[4] = it->tr->record && it->tr->record->evidence ? keep(c, reader_text(it->tr->record->evidence)) : "";
        rw[5] = it->dept;
        tv_free(&v);
        rows[r + 1] = rw;
        ritem[r] = it;
        r++;
    }
    double weight[NC] = {0.28, 0, 0, 0.17, 0.37, 0.18}, w[NC];
    rstyle st = RST_CELL, hs = RST_CELL_HEAD;
    fit_columns(c, NC, (const char *const *const *)rows, nrows + 1, weight, w, &st, &hs);
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "table_no", "%d", ++c->at.table_no);
    tv_set(&v, "group", group_name);
    caption(c, sx(c, sec, "milestone_caption", &v));
    tv_free(&v);
    rtable *t = rdoc_table_begin(c->doc, NC, w, cellv, &st, &hs);
    for (r = 0; r < nrows; r++) {
        const char **rw = rows[r + 1];
        rcell rc[NC] = {rdoc_cell(rw[0], RA_LEFT), rdoc_cell(rw[1], RA_CENTER), status_cell(c, ritem[r]->ol),
                        rdoc_cell(rw[3], RA_LEFT), rdoc_cell(rw[4], RA_LEFT), rdoc_cell(rw[5], RA_LEFT)};
        rdoc_table_row(t, rc);
    }
    rdoc_table_end(t);
    rdoc_space(c->doc, 8);
    free(ritem);
    free(rows);
    free(cellv);
}

#define REPORT_CHART_W_MM CHART_WIDTH_MM
#define REPORT_CHART_H_MM CHART_HEIGHT_MM

static void group_charts(ctx *c, const char *sec, const char *group_id)
{
    for (int i = 0; i < c->ev->ninds; i++) {
        const indicator_result *ir = &c->ev->inds[i];
        const indicator *ind = ir->ind;
        int in = group_id ? ind->group && strcmp(ind->group, group_id) == 0
                          : !ind->group || !*ind->group;
        if (!in || ind->kind != IND_QUANTITATIVE)
            continue;
        double w = PT(REPORT_CHART_W_MM), h = PT(REPORT_CHART_H_MM);
        tvars v;
        tv_init(&v, &c->g);
        tv_setf(&v, "figure_no", "%d", ++c->at.figure_no);
        tv_set(&v, "indicator", ind->name);
        tv_set(&v, "id", ind->id);
        const char *cap = sx(c, sec, "chart_caption", &v);
        const char *miss = sx(c, sec, "chart_missing", &v);
        tv_free(&v);
        rstyle cs = RST_CAPTION;
        double ch = rdoc_text_height(c->doc, cap, &cs, rdoc_content_width(c->doc));
        rdoc_ensure(c->doc, h + ch + 6);
        double x = rdoc_left(c->doc) + (rdoc_content_width(c->doc) - w) / 2;
        indicator_chart(c, ir, miss, x, rdoc_y(c->doc), w, h, 0);
        rdoc_space(c->doc, h + 2);
        rdoc_para(c->doc, cap, &cs);
        rdoc_space(c->doc, 8);
    }
}

/*
 * A part or group name without a trailing reference to the plan's lines
 * ("三、主要任务（L184—193）" -> "三、主要任务"): the reader has no use for
 * them, and parts split by them belong together.
 */
static const char *without_line_ref(ctx *c, const char *name)
{
    if (!name)
        return NULL;
    const char *open = NULL;
    for (const char *p = name; *p;) {
        uint32_t cp;
        int n = tl_decode(p, &cp);
        if (cp == 0xFF08) /* （ */
            open = p;
        p += n;
    }
    size_t len = strlen(name);
    if (open && open > name && open[3] == 'L' && open[4] >= '0' && open[4] <= '9' && len >= 3 &&
        strcmp(name + len - 3, "\xEF\xBC\x89") == 0) /* ends with ） */
        return keep(c, xstrndup(name, (size_t)(open - name)));
    return name;
}

/* Length of a leading numeral from words.numerals at p ("十二"), 0 if none. */
static size_t numeral_at(ctx *c, const char *p)
{
    size_t best = 0;
    const char *num;
    for (int i = 0; (num = numeral_word(c, i)) != NULL; i++) {
        size_t len = strlen(num);
        if (len > best && strncmp(p, num, len) == 0)
            best = len;
    }
    return best;
}

/*
 * A part or group name without the number the plan gave it ("三、主要任务"
 * -> "主要任务", "（一）完善…" -> "完善…", "3.主要指标" -> "主要指标"): the
 * report numbers its headings itself, one hierarchy 一、（一）1.（1）.
 */
static const char *without_number(ctx *c, const char *name)
{
    if (!name)
        return NULL;
    const char *p = name;
    uint32_t cp;
    int n = tl_decode(p, &cp);
    if (cp == 0xFF08 || cp == '(') { /* （一） (1) */
        const char *q = p + n;
        size_t k = numeral_at(c, q);
        if (!k)
            while (*q >= '0' && *q <= '9')
                q++, k = 1;
        else
            q += k;
        uint32_t close;
        int m = tl_decode(q, &close);
        if (k && (close == 0xFF09 || close == ')'))
            p = q + m;
    } else if (*p >= '0' && *p <= '9') { /* 3. 3、 3． */
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            q++;
        uint32_t sep;
        int m = tl_decode(q, &sep);
        if (sep == '.' || sep == 0x3001 || sep == 0xFF0E)
            p = q + m;
    } else {
        size_t k = numeral_at(c, p); /* 三、 */
        uint32_t sep;
        int m = k ? tl_decode(p + k, &sep) : 0;
        if (k && sep == 0x3001)
            p += k + (size_t)m;
    }
    while (*p == ' ')
        p++;
    return *p ? p : name;
}

/* 1 if any group of the plan has a part. */
static int plan_has_parts(const plan *p)
{
    for (int g = 0; g < p->ngroups; g++)
        if (p->groups[g].part && *p->groups[g].part)
            return 1;
    return 0;
}

/* The heading of a part: （一）… at level 2. */
static void part_heading(ctx *c, const char *sec, const char *part, int no)
{
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "part", part);
    tv_set(&v, "part_no", numeral(c, no));
    rstyle h2 = RST_H2;
    rdoc_space(c->doc, 4);
    rdoc_heading(c->doc, sx(c, sec, "part_heading", &v), &h2, 2, 1, 80);
    tv_free(&v);
}

/* Counts of the targets of group gid (NULL: the ungrouped ones). */
static void group_counts(ctx *c, const char *gid, counts *k)
{
    if (gid) {
        count_items(c, -1, gid, k);
        return;
    }
    memset(k, 0, sizeof *k);
    for (int i = 0; i < c->f->n; i++)
        if (!c->f->items[i].ind->group || !*c->f->items[i].ind->group) {
            k->n[c->f->items[i].ol]++;
            k->total++;
        }
}

/*
 * The plan's own structure: parts （一）, groups 1. under them (groups are
 * （一） themselves when the plan has no parts), each with its tables and
 * charts. The numbers are the report's; the plan's own are dropped.
 */
static void report_plan(ctx *c, const char *sec)
{
    section_heading(c, sec);
    para(c, sx(c, sec, "intro", NULL), 1);
    const plan *p = c->p;
    int parts = plan_has_parts(p);
    int part_no = 0, group_no = 0;
    const char *cur_part = NULL;
    for (int g = 0; g <= p->ngroups; g++) {
        const char *gid = g < p->ngroups ? p->groups[g].id : NULL;
        const char *gname = g < p->ngroups ? without_number(c, without_line_ref(c, p->groups[g].name))
                                           : sx(c, sec, "ungrouped", NULL);
        const char *part = g < p->ngroups ? without_number(c, without_line_ref(c, p->groups[g].part))
                                          : NULL;
        counts k;
        group_counts(c, gid, &k);
        if (!k.total)
            continue;
        if (parts && (!cur_part || !part || strcmp(cur_part, part) != 0)) {
            part_heading(c, sec, part ? part : sx(c, sec, "ungrouped", NULL), ++part_no);
            cur_part = part;
            group_no = 0;
        }
        tvars v;
        tv_init(&v, &c->g);
        tv_set(&v, "group", gname);
        if (parts) {
            tv_setf(&v, "group_no", "%d", ++group_no);
            rstyle h3 = RST_H3;
            rdoc_heading(c->doc, sx(c, sec, "group_heading", &v), &h3, 3, 1, 80);
        } else {
            tv_set(&v, "part", gname);
            tv_set(&v, "part_no", numeral(c, ++part_no));
            rstyle h2 = RST_H2;
            rdoc_heading(c->doc, sx(c, sec, "part_heading", &v), &h2, 2, 1, 80);
        }
        tv_setf(&v, "n", "%d", k.total);
        tv_set(&v, "counts_text", counts_text(c, &k));
        small_para(c, sx(c, sec, "summary", &v), grey);
        rdoc_space(c->doc, 3);
        tv_free(&v);
        quant_table(c, sec, gid, gname);
        group_charts(c, sec, gid);
        milestone_table(c, sec, gid, gname);
    }
}

/* Name of a period in the plans' wording: “十三五”时期, or 2015—2019年. */
static const char *period_name(ctx *c, int from, int to, int full_from, int full_to)
{
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "from", "%d", from);
    tv_setf(&v, "to", "%d", to);
    const char *name = tget(c, keepf(c, "words.period.%d-%d", full_from, full_to));
    const char *s;
    if (name && from == full_from && to == full_to) {
        s = keep(c, xstrdup(name));
    } else if (name) {
        tv_set(&v, "name", name);
        tv_setf(&v, "n", "%d", to - from + 1);
        s = tx(c, "words.period_partial", &v);
    } else {
        s = tx(c, "words.period_other", &v);
    }
    tv_free(&v);
    return s;
}

/* The accidents chart of the comparison section, when the region has accident data. */
static void comparison_accidents_chart(ctx *c, const char *sec, tvars *g)
{
    chart_env env = charts_env(c, 0);
    if (!c->have_ct || !chart_has_accidents(&env))
        return;
    double w = PT(REPORT_CHART_W_MM), h = PT(CHART_ACCIDENTS_HEIGHT_MM);
    tv_setf(g, "figure_no", "%d", ++c->at.figure_no);
    const char *cap = sx(c, sec, "accidents_caption", g);
    rstyle cs = RST_CAPTION;
    rdoc_ensure(c->doc, h + 30);
    if (!rdoc_dry(c->doc)) {
        canvas *cv = canvas_pdf_new(c->doc, rdoc_left(c->doc) + (rdoc_content_width(c->doc) - w) / 2,
                                    rdoc_y(c->doc), 1);
        chart_accidents_canvas(&env, cv, REPORT_CHART_W_MM, CHART_ACCIDENTS_HEIGHT_MM, c->d);
        canvas_free(cv, c->d);
    }
    rdoc_space(c->doc, h + 2);
    rdoc_para(c->doc, cap, &cs);
    rdoc_space(c->doc, 8);
}

static void report_comparison(ctx *c, const char *sec)
{
    const plan *p = c->p;
    int b0 = p->baseline_period[0], b1 = p->baseline_period[1];
    int c0 = p->period[0];
    int c1 = c->ev->eval_year < c->ev->data_last_year ? c->ev->eval_year : c->ev->data_last_year;
    const char *base_name = period_name(c, b0, b1, b0, b1);
    const char *cur_name = period_name(c, c0, c1, p->period[0], p->period[1]);
    tvars g;
    tv_init(&g, &c->g);
    tv_set(&g, "base_period", base_name);
    tv_set(&g, "current_period", cur_name);
    /* heading with the period's name */
    const char *raw = tget(c, keepf(c, "%s.heading", sec));
    if (raw) {
        if (strstr(raw, "{no}"))
            tv_set(&g, "no", numeral(c, ++c->at.sec_no));
        rstyle s = RST_H1;
        rdoc_space(c->doc, 6);
        rdoc_heading(c->doc, sx(c, sec, "heading", &g), &s, 1, 1, 60);
        rdoc_space(c->doc, 2);
    }
    para(c, sx(c, sec, "intro", &g), 1);
    const char **sentences = xcalloc(2 * (size_t)c->ev->ninds + 1, sizeof *sentences);
    int ns = 0;
    int same_len = (b1 - b0) == (c1 - c0);
    rtable *t = NULL;
    for (int i = 0; i < c->ev->ninds && c1 >= c0 && b1 >= b0; i++) {
        const indicator_result *ir = &c->ev->inds[i];
        const indicator *ind = ir->ind;
        if (ind->kind != IND_QUANTITATIVE || ind->denominator ||
            indicator_count_var(c->ec, ind) < 0)
            continue;
        /* A base period the count's table has no rows for is missing, not zero. */
        int first = 0, last = 0;
        if (!region_var_years(c->ec->r, indicator_count_var(c->ec, ind), &first, &last) ||
            b0 < first || c1 > last)
            continue;
        double bs = 0, cs = 0;
        int ok = 1;
        for (int y = b0; y <= b1 && ok; y++) {
            year_value yv = result_year(ir, y);
            ok = yv.value.state == FV_OK;
            bs += ok ? yv.value.v : 0;
        }
        for (int y = c0; y <= c1 && ok; y++) {
            year_value yv = result_year(ir, y);
            ok = yv.value.state == FV_OK;
            cs += ok ? yv.value.v : 0;
        }
        if (!ok)
            continue;
        double bv = same_len ? bs : bs / (b1 - b0 + 1);
        double cv = same_len ? cs : cs / (c1 - c0 + 1);
        int prec = same_len ? ind->precision : ind->precision + 1;
        tvars v;
        tv_init(&v, &g);
        tv_set(&v, "indicator", ind->name);
        tv_set(&v, "unit", unit_of(c, ind));
        tv_set(&v, "base", fmt_fixed(c, bv, prec));
        tv_set(&v, "current", fmt_fixed(c, cv, prec));
        const char *key, *change;
        if (fabs(bv - cv) < 1e-9) {
            key = "unchanged";
            change = sx(c, sec, "change_none", &v);
        } else if (bv == 0) {
            key = "from_zero"; /* no percentage of a zero base */
            change = sx(c, sec, "change_new", &v);
        } else {
            double pct = (cv - bv) / bv * 100;
            tv_set(&v, "pct", fmt_pct(c, fabs(pct)));
            key = pct < 0 ? "decrease" : "increase";
            change = sx(c, sec, pct < 0 ? "change_down" : "change_up", &v);
        }
        sentences[ns++] = sx(c, sec, key, &v);
        /* The plans' other reading: the last year of each period. */
        year_value yb = result_year(ir, b1), yc = result_year(ir, c1);
        if (yb.value.state == FV_OK && yc.value.state == FV_OK &&
            rtpl_has(c->report, keepf(c, "%s.year_decrease", sec))) {
            tvars yv;
            tv_init(&yv, &v);
            tv_setf(&yv, "base_year", "%d", b1);
            tv_setf(&yv, "year", "%d", c1);
            tv_set(&yv, "base", fmt_value(c, ind, yb.value));
            tv_set(&yv, "current", fmt_value(c, ind, yc.value));
            double a = yb.value.v, b = yc.value.v;
            const char *ykey = fabs(a - b) < 1e-9 ? "year_unchanged"
                               : a == 0          ? "year_from_zero"
                               : b < a           ? "year_decrease"
                                                 : "year_increase";
            if (a != 0)
                tv_set(&yv, "pct", fmt_pct(c, fabs((b - a) / a * 100)));
            sentences[ns++] = sx(c, sec, ykey, &yv);
            tv_free(&yv);
        }
        if (!t) {
            tvars hv;
            tv_init(&hv, &g);
            tv_setf(&hv, "from", "%d", b0);
            tv_setf(&hv, "to", "%d", b1);
            const char *bl = keepf(c, "%s\n%s", base_name,
                                   sx(c, sec, same_len ? "total_label" : "mean_label", &hv));
            tv_setf(&hv, "from", "%d", c0);
            tv_setf(&hv, "to", "%d", c1);
            const char *cl = keepf(c, "%s\n%s", cur_name,
                                   sx(c, sec, same_len ? "total_label" : "mean_label", &hv));
            tv_free(&hv);
            double cw = rdoc_content_width(c->doc);
            double w[4] = {cw * 0.34, cw * 0.22, cw * 0.22, cw * 0.22};
            const char *hdr[4] = {sx(c, sec, "col_indicator", &g), bl, cl,
                                  sx(c, sec, "col_change", &g)};
            rstyle st = RST_CELL, hs = RST_CELL_HEAD;
            st.size = hs.size = 9;
            st.leading = hs.leading = 13;
            t = rdoc_table_begin(c->doc, 4, w, hdr, &st, &hs);
        }
        rcell rc[4] = {rdoc_cell(name_has_unit(ind) || !ind->unit || !*ind->unit
                                ? ind->name
                                : sx(c, sec, "indicator_cell", &v),
                            RA_LEFT),
                       rdoc_cell(tv_get(&v, "base"), RA_RIGHT), rdoc_cell(tv_get(&v, "current"), RA_RIGHT),
                       rdoc_cell(change, RA_CENTER)};
        rdoc_table_row(t, rc);
        tv_free(&v);
    }
    if (t) {
        rdoc_table_end(t);
        rdoc_space(c->doc, 6);
        for (int i = 0; i < ns; i++)
            para(c, sentences[i], 1);
    } else {
        para(c, sx(c, sec, "none", &g), 1);
    }
    comparison_accidents_chart(c, sec, &g);
    free(sentences);
    tv_free(&g);
}

/* A formula with the dictionary's labels in place of variable names. */
/*
 * A formula with the dictionary's labels in place of variable names, and a
 * parameter replaced by its value in force for ind (labelled in turn, one
 * level deep).
 */
static const char *formula_words_in(ctx *c, const indicator *ind, const char *text, int depth)
{
    if (!text)
        return "";
    strbuf b;
    sb_init(&b);
    sb_add(&b, "");
    const dictionary *dict = c->ec->dict;
    for (const char *s = text; *s;) {
        if (*s == '"') {
            const char *e = strchr(s + 1, '"');
            size_t n = e ? (size_t)(e - s + 1) : strlen(s);
            sb_addn(&b, s, n);
            s += n;
            continue;
        }
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_') {
            const char *e = s;
            while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || *e == '_' ||
                   (*e >= '0' && *e <= '9'))
                e++;
            char *id = xstrndup(s, (size_t)(e - s));
            const char *fn = *e == '(' ? tget(c, keepf(c, "words.functions.%s", id)) : NULL;
            if (fn) { /* count_if( -> 满足条件的记录数( */
                sb_add(&b, fn);
                free(id);
                s = e;
                continue;
            }
            int v = dictionary_find_var(dict, id);
            int sym = symtab_find(c->ec->syms, id);
            const param_def *pd = sym >= 0 && depth < 1 ? plan_param(c->p, c->ec->cat, ind, sym) : NULL;
            if (v >= 0 && dict->vars[v].label)
                sb_add(&b, dict->vars[v].label);
            else if (pd && pd->value.text)
                sb_add(&b, formula_words_in(c, ind, pd->value.text, depth + 1));
            else
                sb_add(&b, id);
            free(id);
            s = e;
            continue;
        }
        if (*s == '{') { /* a row filter {kind="森林火灾", milestone="扑灭"} -> （森林火灾、扑灭） */
            const char *e = strchr(s, '}');
            if (e) {
                sb_add(&b, "\xEF\xBC\x88");
                int first = 1;
                for (const char *q = s; q < e; q++) {
                    if (*q != '"')
                        continue;
                    const char *qe = memchr(q + 1, '"', (size_t)(e - q - 1));
                    if (!qe)
                        break;
                    if (!first)
                        sb_add(&b, tx(c, "words.list_separator", NULL));
                    sb_addn(&b, q + 1, (size_t)(qe - q - 1));
                    first = 0;
                    q = qe;
                }
                sb_add(&b, "\xEF\xBC\x89");
                s = e + 1;
                continue;
            }
        }
        if ((s[0] == '<' || s[0] == '>' || s[0] == '=' || s[0] == '!') && s[1] == '=') {
            sb_add(&b, s[0] == '<' ? "≤" : s[0] == '>' ? "≥" : s[0] == '=' ? "＝" : "≠");
            s += 2;
            continue;
        }
        if (*s == '*') {
            sb_add(&b, "×");
            s++;
            continue;
        }
        if (*s == '/') {
            sb_add(&b, "÷");
            s++;
            continue;
        }
        sb_addc(&b, *s++);
    }
    return keep(c, sb_take(&b));
}

static const char *formula_words(ctx *c, const indicator *ind, const char *text)
{
    return formula_words_in(c, ind, text, 0);
}

/* 1 if text has one of ops outside brackets and quotes: "a * b" as a
 * denominator must be read (a × b), not a ÷ b × c. */
static int top_level_op(const char *text, const char *ops)
{
    int depth = 0, quote = 0;
    for (const char *s = text; *s; s++) {
        if (quote)
            quote = *s != '"';
        else if (*s == '"')
            quote = 1;
        else if (*s == '(' || *s == '{' || *s == '[')
            depth++;
        else if (*s == ')' || *s == '}' || *s == ']')
            depth--;
        else if (depth == 0 && strchr(ops, *s))
            return 1;
    }
    return 0;
}

/* An operand of the ratio's template in words, bracketed when an operator
 * of its own would bind wrongly there (ops). */
static const char *operand_words(ctx *c, const indicator *ind, const char *text, const char *ops)
{
    const char *w = formula_words(c, ind, text);
    return top_level_op(text, ops) ? keepf(c, "(%s)", w) : w;
}

/* The years the forecasts left out as outlying and the shifts of level
 * they adjusted for (fc_adjust_series), named, so that a reader knows
 * which figures the trend does not rest on as recorded. */
/* One more item of a list paragraph, after the list's separator. */
static void add_item(ctx *c, strbuf *b, const char *item)
{
    if (item && b->len)
        sb_add(b, tx(c, "words.models_separator", NULL));
    if (item)
        sb_add(b, item);
}

/* The optional paragraph `key` of section sec with its {items}, when there
 * are any. */
static void items_para(ctx *c, const char *sec, const char *key, const strbuf *b)
{
    if (!b->len)
        return;
    tvars v;
    tv_init(&v, &c->g);
    tv_set(&v, "items", b->s);
    const char *text = sx_opt(c, sec, key, &v);
    if (text)
        para(c, text, 1);
    tv_free(&v);
}

static void report_adjustments(ctx *c, const char *sec)
{
    static const char *const item_key[] = {NULL, "forecast_outlier_item", "forecast_shift_item"};
    static const char *const para_key[] = {NULL, "forecast_outliers", "forecast_shifts"};
    for (int kind = FA_OUTLIER; kind <= FA_SHIFT; kind++) {
        strbuf b;
        sb_init(&b);
        sb_add(&b, "");
        for (int i = 0; i < c->fs->ninds; i++) {
            const fc_adjust *a = &c->fs->inds[i].adjust;
            if ((int)a->kind != kind)
                continue;
            const indicator *ind = c->ev->inds[i].ind;
            tvars v;
            tv_init(&v, &c->g);
            tv_set(&v, "indicator", ind->name);
            tv_setf(&v, "year", "%d", a->year);
            const char *val = fmt_fixed(c, kind == FA_OUTLIER ? a->value : fabs(a->shift),
                                        ind->precision);
            /* a change of a percentage is in percentage points */
            int points = kind == FA_SHIFT && ind->unit && strcmp(ind->unit, "%") == 0;
            if (points) {
                tvars pv;
                tv_init(&pv, &c->g);
                tv_set(&pv, "value", val);
                val = tx(c, "words.points.percent", &pv);
                tv_free(&pv);
            }
            tv_set(&v, "value", val);
            tv_set(&v, "direction", tx(c, a->shift < 0 ? "words.direction_down"
                                                       : "words.direction_up", NULL));
            tv_set(&v, "unit", points || !ind->unit ? "" : ind->unit);
            add_item(c, &b, sx_opt(c, sec, item_key[kind], &v));
            tv_free(&v);
        }
        items_para(c, sec, para_key[kind], &b);
        sb_free(&b);
    }
}

/* The indicators whose last figure may stay unchanged (docs/methodology.md
 * 4d), named with how often their figure repeated; optional wording. */
static void report_unchanged(ctx *c, const char *sec)
{
    strbuf b;
    sb_init(&b);
    sb_add(&b, "");
    for (int i = 0; i < c->fs->ninds; i++) {
        const fc_indicator *fi = &c->fs->inds[i];
        if (!fi->stale.on || fi->model == FM_NONE || fi->npoints_fc < 1)
            continue;
        tvars v;
        tv_init(&v, &c->g);
        tv_set(&v, "indicator", c->ev->inds[i].ind->name);
        tv_setf(&v, "pairs", "%d", fi->stale.pairs);
        tv_setf(&v, "repeats", "%d", fi->stale.repeats);
        add_item(c, &b, sx_opt(c, sec, "forecast_unchanged_item", &v));
        tv_free(&v);
    }
    items_para(c, sec, "forecast_unchanged", &b);
    sb_free(&b);
}

static void report_method(ctx *c, const char *sec)
{
    section_heading(c, sec);
    para(c, sx(c, sec, "intro", NULL), 1);
    rstyle h2 = RST_H2;
    rdoc_heading(c->doc, sx(c, sec, "status_heading", NULL), &h2, 2, 1, 40);
    para(c, sx(c, sec, "status_intro", NULL), 1);
    rdoc_heading(c->doc, sx(c, sec, "forecast_heading", NULL), &h2, 2, 1, 40);
    if (c->fs) {
        /* The models the forecasts chose, counted. */
        int used[FM_NMODELS] = {0};
        for (int i = 0; i < c->fs->ninds; i++)
            used[c->fs->inds[i].model]++;
        strbuf b;
        sb_init(&b);
        sb_add(&b, "");
        const char *sep = tx(c, "words.models_separator", NULL);
        for (int m = 1; m < FM_NMODELS; m++)
            if (used[m]) {
                tvars mv;
                tv_init(&mv, &c->g);
                tv_setf(&mv, "n", "%d", used[m]);
                if (b.len)
                    sb_add(&b, sep);
                sb_add(&b, txf(c, &mv, "words.models.%s", fc_model_name((fc_model)m)));
                tv_free(&mv);
            }
        tvars v;
        tv_init(&v, &c->g);
        tv_set(&v, "forecast_method", b.s);
        tv_set(&v, "on_track_pct", fmt_pct(c, 100 * c->fs->opt.on_track));
        tv_set(&v, "at_risk_pct", fmt_pct(c, 100 * c->fs->opt.at_risk));
        para(c, sx(c, sec, "forecast_text", &v), 1);
        tv_free(&v);
        sb_free(&b);
        report_adjustments(c, sec);
        report_unchanged(c, sec);
    } else {
        para(c, sx(c, sec, "forecast_none", NULL), 1);
    }
    /* Every quantitative indicator: formula, reading, baseline. */
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "table_no", "%d", ++c->at.table_no);
    rdoc_space(c->doc, 4);
    caption(c, sx(c, sec, "table_heading", &v));
    tv_free(&v);
    double cw = rdoc_content_width(c->doc);
    double w[4] = {cw * 0.22, cw * 0.32, cw * 0.26, cw * 0.20};
    const char *hdr[4] = {sx(c, sec, "col_indicator", NULL), sx(c, sec, "col_formula", NULL),
                          sx(c, sec, "col_reading", NULL), sx(c, sec, "col_baseline", NULL)};
    rstyle st = RST_CELL, hs = RST_CELL_HEAD;
    rtable *t = rdoc_table_begin(c->doc, 4, w, hdr, &st, &hs);
    for (int i = 0; i < c->ev->ninds; i++) {
        const indicator_result *ir = &c->ev->inds[i];
        const indicator *ind = ir->ind;
        if (ind->kind != IND_QUANTITATIVE)
            continue;
        const char *ftext;
        tvars fv;
        tv_init(&fv, &c->g);
        if (ind->numerator && ind->denominator) {
            /* {scale}×{numerator}÷{denominator}: a sum is bracketed anywhere,
             * a product or quotient too as the denominator */
            tv_set(&fv, "numerator", operand_words(c, ind, ind->numerator->text, "+-"));
            tv_set(&fv, "denominator", operand_words(c, ind, ind->denominator->text, "+-*/"));
            tv_set(&fv, "scale", ind->scale ? operand_words(c, ind, ind->scale->text, "+-") : "1");
            ftext = ind->scale && strcmp(ind->scale->text, "1") != 0
                          ? sx(c, sec, "formula_ratio", &fv)
                          : sx(c, sec, "formula_ratio_noscale", &fv);
        } else {
            ftext = formula_words(c, ind, ind->formula ? ind->formula->text : "");
        }
        strbuf reading, base;
        sb_init(&reading);
        sb_init(&base);
        sb_add(&reading, "");
        sb_add(&base, "");
        for (int k = 0; k < ir->ntargets; k++) {
            const titem *it = findings_of(c->f, i, k);
            tv_setf(&fv, "year", "%d", it->tr->t->year);
            tv_set(&fv, "target", it->target);
            if (reading.len)
                sb_addc(&reading, '\n');
            sb_add(&reading, sx(c, sec, "reading_cell", &fv));
            if (it->tr->t->has_baseline) {
                tv_set(&fv, "reading", it->base);
                tv_set(&fv, "value", it->baseline_value);
                tv_set(&fv, "source", sx(c, sec, it->tr->baseline_given ? "baseline_plan" : "baseline_data", &fv));
                if (base.len)
                    sb_addc(&base, '\n');
                sb_add(&base, sx(c, sec, "baseline_cell", &fv));
            }
        }
        rcell rc[4] = {rdoc_cell(ind->name, RA_LEFT), rdoc_cell(ftext, RA_LEFT),
                       rdoc_cell(keep(c, sb_take(&reading)), RA_LEFT), rdoc_cell(keep(c, sb_take(&base)), RA_LEFT)};
        rdoc_table_row(t, rc);
        tv_free(&fv);
    }
    rdoc_table_end(t);
    rdoc_space(c->doc, 8);
    /* Parameters of the plan. */
    if (c->p->nparams) {
        rdoc_heading(c->doc, sx(c, sec, "params_heading", NULL), &h2, 2, 1, 40);
        for (int i = 0; i < c->p->nparams; i++) {
            const param_def *pd = &c->p->params[i];
            tvars pv;
            tv_init(&pv, &c->g);
            if (!pd->note) { /* a parameter without a description says nothing to a reader */
                tv_free(&pv);
                continue;
            }
            tv_set(&pv, "name", keep(c, reader_text(pd->note)));
            tv_set(&pv, "value", formula_words(c, NULL, pd->value.text));
            tv_set(&pv, "unit", pd->unit ? pd->unit : "");
            tv_set(&pv, "note", pd->note ? pd->note : "");
            small_para(c, sx(c, sec, "param_line", &pv), black);
            rdoc_space(c->doc, 2);
            tv_free(&pv);
        }
    }
}

/* A data file as a reader knows it: the dictionary's table title, not its path. */
static const char *table_title(ctx *c, const char *sec, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const dictionary *dict = c->ec->dict;
    for (int i = 0; i < dict->ntables; i++)
        if (dict->tables[i].file && strcmp(dict->tables[i].file, base) == 0 && dict->tables[i].title)
            return dict->tables[i].title;
    if (strcmp(base, "milestones.csv") == 0)
        return sx(c, sec, "milestones_table", NULL);
    return base;
}

/*
 * The data-quality review (review.h) in one paragraph: how many questions
 * for the departments, by kind, over the same years as `planeval check`.
 */
static void report_review(ctx *c, const char *sec)
{
    const plan *p = c->ec->p;
    int first = p->baseline_period[0] ? p->baseline_period[0] : p->period[0];
    int *n = c->review_n;
    if (n[0] < 0) {
        review rv;
        review_plan(&rv, c->ec, first, c->ev->eval_year);
        memset(c->review_n, 0, sizeof c->review_n);
        for (size_t i = 0; i < rv.n; i++)
            n[rv.notes[i].check]++;
        c->review_total = rv.n;
        review_free(&rv);
    }
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "from", "%d", first);
    tv_setf(&v, "to", "%d", c->ev->eval_year);
    tv_setf(&v, "n", "%zu", c->review_total);
    tv_setf(&v, "n_missing", "%d", n[RC_MISSING]);
    tv_setf(&v, "n_jump", "%d", n[RC_JUMP]);
    tv_setf(&v, "n_part", "%d", n[RC_PART]);
    tv_setf(&v, "n_range", "%d", n[RC_RANGE]);
    tv_setf(&v, "factor", "%g", REVIEW_JUMP_FACTOR);
    para(c, sx(c, sec, c->review_total ? "review_count" : "review_none", &v), 1);
    tv_free(&v);
}

static void report_data(ctx *c, const char *sec)
{
    section_heading(c, sec);
    const region_data *r = c->ec->r;
    int nf = region_file_count(r);
    tvars v;
    tv_init(&v, &c->g);
    tv_setf(&v, "nfiles", "%d", nf);
    para(c, sx(c, sec, "intro", &v), 1);
    if (c->f->provenance)
        para(c, sx(c, sec, "readme_note", &v), 1);
    tv_setf(&v, "table_no", "%d", ++c->at.table_no);
    caption(c, sx(c, sec, "files_heading", &v));
    double cw = rdoc_content_width(c->doc);
    double w[2] = {cw * 0.80, cw * 0.20};
    const char *hdr[2] = {sx(c, sec, "col_file", NULL), sx(c, sec, "col_rows", NULL)};
    rstyle st = RST_CELL, hs = RST_CELL_HEAD;
    st.size = hs.size = 8.5;
    st.leading = hs.leading = 12;
    rtable *t = rdoc_table_begin(c->doc, 2, w, hdr, &st, &hs);
    for (int i = 0; i < nf; i++) {
        const char *path, *enc;
        int rows;
        region_file_info(r, i, &path, &enc, &rows);
        rcell rc[2] = {rdoc_cell(table_title(c, sec, path), RA_LEFT),
                       rdoc_cell(keepf(c, "%d", rows), RA_RIGHT)};
        rdoc_table_row(t, rc);
    }
    rdoc_table_end(t);
    rdoc_space(c->doc, 8);
    rstyle h2 = RST_H2;
    rdoc_heading(c->doc, sx(c, sec, "gaps_heading", NULL), &h2, 2, 1, 40);
    int gaps = 0;
    for (int i = 0; i < c->f->n; i++) {
        const titem *it = &c->f->items[i];
        if (!it->tr->missing_years)
            continue;
        tvars iv;
        tv_init(&iv, item_vars(c, it));
        tv_set(&iv, "years", it->missing);
        small_para(c, sx(c, sec, "gap_line", &iv), black);
        rdoc_space(c->doc, 2);
        tv_free(&iv);
        gaps++;
    }
    if (!gaps)
        para(c, sx(c, sec, "gaps_none", NULL), 1);
    rdoc_space(c->doc, 4);
    report_review(c, sec);
    /* The technical messages themselves (file, line, in English) are for
     * analysts: warnings.csv and the workbook; the report gives their number. */
    const diag_list *wl = &c->ev->warnings;
    tv_setf(&v, "n", "%d", (int)wl->n);
    para(c, sx(c, sec, wl->n ? "warnings_count" : "warnings_none", &v), 1);
    tv_free(&v);
}

static void report_charts(ctx *c, const char *sec)
{
    chart_env env = charts_env(c, 0);
    if (!c->have_ct || chart_reserve_count(&env) == 0)
        return;
    /* the natural height, text measured with the PDF's fonts */
    canvas *m = canvas_pdf_new(c->doc, 0, 0, 1);
    double h_mm = chart_reserves_height_on(&env, m, REPORT_CHART_W_MM);
    canvas_free(m, c->d);
    if (h_mm <= 0)
        return;
    section_heading(c, sec);
    para(c, sx(c, sec, "intro", NULL), 1);
    double w = PT(REPORT_CHART_W_MM), h = PT(h_mm), scale = 1;
    double maxh = rdoc_page_height(c->doc) - 180;
    if (h > maxh) {
        scale = maxh / h;
        w *= scale;
        h = maxh;
    }
    rdoc_ensure(c->doc, h + 8);
    if (!rdoc_dry(c->doc)) {
        canvas *cv = canvas_pdf_new(
            c->doc, rdoc_left(c->doc) + (rdoc_content_width(c->doc) - w) / 2, rdoc_y(c->doc),
            scale);
        chart_reserves_canvas(&env, cv, REPORT_CHART_W_MM, h_mm, c->d);
        canvas_free(cv, c->d);
    }
    rdoc_space(c->doc, h + 8);
}

static void render_report(ctx *c)
{
    c->at.sec_no = c->at.app_no = c->at.table_no = c->at.figure_no = 0;
    int nsec = rtpl_count(c->t, "sections");
    for (int s = 0; s < nsec; s++) {
        char sec[32];
        snprintf(sec, sizeof sec, "sections.%d", s);
        const char *kind = rtpl_getf(c->t, "%s.kind", sec);
        if (!kind)
            continue;
        if (strcmp(kind, "cover") == 0)
            report_cover(c, sec);
        else if (strcmp(kind, "toc") == 0)
            report_toc(c, sec);
        else if (strcmp(kind, "summary") == 0)
            report_summary(c, sec);
        else if (strcmp(kind, "plan") == 0)
            report_plan(c, sec);
        else if (strcmp(kind, "comparison") == 0)
            report_comparison(c, sec);
        else if (strcmp(kind, "reserves") == 0)
            report_charts(c, sec);
        else if (strcmp(kind, "problems") == 0) {
            section_heading(c, sec);
            para(c, sx(c, sec, "intro", NULL), 1);
            problems_list(c, sec, 0, -1);
        } else if (strcmp(kind, "method") == 0)
            report_method(c, sec);
        else if (strcmp(kind, "changes") == 0) {
            section_heading(c, sec);
            report_changes_draw(c->doc, c->changes, &c->at.table_no, c->d);
        } else if (strcmp(kind, "data") == 0)
            report_data(c, sec);
        else if (strcmp(kind, "note") == 0)
            small_para(c, sx(c, sec, "text", NULL), grey);
    }
}

/* ---------- templates: loading and checking ---------- */

static const char *const known_vars[] = {
    "plan_title", "plan_id", "region_name", "region", "stage", "eval_year", "date",
    "data_first_year", "data_last_year", "period_start", "period_end", "document", "issuer",
    "issued", "ninds", "ntargets", "page", "pages", "no", "ano", "counts_text",
    "binding_total", "binding_counts_text", "status", "n", "symbol", "word", "table_no",
    "figure_no", "part", "part_no", "group", "group_no", "indicator", "id", "unit", "department",
    "type", "type_mark", "target", "figure", "current", "gap", "count_note", "target_year", "due_year", "outlook", "as_of",
    "done_date", "years", "years_text", "allowance", "year", "month", "day",
    "value", "from", "to", "base", "by", "limit", "what", "direction", "pct", "count",
    "forecast", "lo80", "hi80", "probability", "chance", "problem", "measure", "base_period",
    "current_period", "name", "note", "numerator", "denominator", "scale", "reading", "source",
    "forecast_method", "on_track_pct", "at_risk_pct", "nfiles", "base_year",
    "overall", "provenance", "doubt", "reason", "cutoff", "n_missing", "n_jump", "n_part", "n_range",
    "factor", "items", "tasks", "pairs", "repeats", NULL};

typedef struct kind_keys {
    const char *kind;
    const char *const *keys;
} kind_keys;

static const char *const k_title[] = {"title", "subtitle", "meta", NULL};
static const char *const k_headline[] = {"heading", "intro", "col_type", "col_total", "total_row", NULL};
static const char *const k_red[] = {"heading", NULL};
static const char *const k_attention[] = {"heading", "intro", "none", "item_title", "item_status",
                                          "item_figure", "item_target", "item_gap",
                                          "item_count", "item_department", "chart_missing", "more",
                                          "col_indicator",
                                          "col_status", "col_figure", "col_target",
                                          "col_department", NULL};
static const char *const k_milestones[] = {"heading", "intro", "none", "col_item", "col_due",
                                           "col_progress", "col_department", "due_cell",
                                           "progress_cell", "late_cell", "no_record", "more", NULL};
static const char *const k_problems[] = {"heading", "none", NULL};
static const char *const k_key[] = {"heading", "none", NULL};
static const char *const k_note[] = {"text", NULL};
static const char *const k_cover[] = {"title", "subtitle", "date", "note", NULL};
static const char *const k_toc[] = {"heading", NULL};
static const char *const k_summary[] = {"heading", "intro", "table_heading", "col_type", "col_total",
                                        "total_row", "red_flags_heading", NULL};
static const char *const k_plan[] = {"heading", "part_heading", "group_heading", "ungrouped",
                                     "quant_caption", "milestone_caption", "chart_caption",
                                     "chart_missing", "col_indicator", "col_baseline",
                                     "col_target", "col_current", "col_status", "col_department",
                                     "col_item", "col_due", "col_progress", "col_evidence",
                                     "indicator_cell", "indicator_cell_nounit", "target_year_cell", "due_cell",
                                     "progress_cell", "no_record", "summary", NULL};
static const char *const k_comparison[] = {"heading", "col_indicator", "indicator_cell", "col_change",
                                           "accidents_caption", "decrease",
                                           "increase", "unchanged", "from_zero", "total_label",
                                           "mean_label", "change_down", "change_up",
                                           "change_none", "change_new", "none", NULL};
static const char *const k_method[] = {"heading", "status_heading", "forecast_heading",
                                       "forecast_none", "table_heading", "col_indicator",
                                       "col_formula", "col_reading", "col_baseline",
                                       "formula_ratio", "formula_ratio_noscale", "reading_cell",
                                       "baseline_cell", "baseline_plan", "baseline_data", NULL};
static const char *const k_data[] = {"heading", "intro", "readme_note", "files_heading", "col_file",
                                     "col_rows", "gaps_heading", "gap_line", "gaps_none",
                                     "warnings_none", "warnings_count", "milestones_table",
                                     "review_count", "review_none", NULL};
static const char *const k_reserves[] = {"heading", NULL};
static const char *const k_changes[] = {"heading", NULL};

static const kind_keys brief_kinds[] = {{"title", k_title},         {"headline", k_headline},
                                        {"red_flags", k_red},       {"attention", k_attention},
                                        {"milestones", k_milestones}, {"problems", k_problems},
                                        {"key_findings", k_key},
                                        {"note", k_note},           {NULL, NULL}};
static const kind_keys report_kinds[] = {
    {"cover", k_cover},     {"toc", k_toc},           {"summary", k_summary},
    {"plan", k_plan},       {"comparison", k_comparison}, {"problems", k_problems},
    {"method", k_method},   {"data", k_data},         {"reserves", k_reserves},
    {"note", k_note},       {"changes", k_changes}, {NULL, NULL}};


static const char *const k_document[] = {"file_title", "header_left", "header_right", "footer",
                                         NULL};

static void check_template(rtpl *t, const kind_keys *kinds, diag_list *d)
{
    rtpl_require(t, "document", k_document, "document", d);
    int n = rtpl_count(t, "sections");
    if (!n)
        diag_add(d, DIAG_ERROR, rtpl_file(t), 0, 0, "report template: no sections");
    for (int s = 0; s < n; s++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "sections.%d", s);
        const char *kind = rtpl_getf(t, "%s.kind", prefix);
        const kind_keys *k = kinds;
        while (k->kind && (!kind || strcmp(k->kind, kind) != 0))
            k++;
        if (!k->kind) {
            strbuf b;
            sb_init(&b);
            for (const kind_keys *q = kinds; q->kind; q++)
                sb_printf(&b, "%s%s", q == kinds ? "" : ", ", q->kind);
            char kkey[48];
            snprintf(kkey, sizeof kkey, "%s.kind", prefix);
            diag_add(d, DIAG_ERROR, rtpl_file(t), rtpl_line(t, kkey), 0,
                     "section %d: unknown kind '%s' (one of: %s)", s + 1, kind ? kind : "", b.s);
            sb_free(&b);
            continue;
        }
        char *what = xasprintf("section %d (kind %s)", s + 1, kind);
        rtpl_require(t, prefix, k->keys, what, d);
        free(what);
    }
}

/* The template dir/name through tc, its kinds checked, and its
 * placeholders against vars (NULL: not checked); NULL on an error. */
static rtpl *load_template_vars(const char *dir, const char *name, const kind_keys *kinds,
                                rtpl_cache *tc, const char *const *vars, diag_list *d)
{
    char *path = xasprintf("%s/%s", dir, name);
    rtpl *t = NULL;
    size_t before = diag_errors(d);
    if (rtpl_load_cached(tc, &t, path, vars, d) == 0) {
        check_template(t, kinds, d);
        if (diag_errors(d) > before) {
            rtpl_free(t);
            t = NULL;
        }
    }
    free(path);
    return t;
}

static rtpl *load_template(const char *dir, const char *name, const kind_keys *kinds,
                           rtpl_cache *tc, diag_list *d)
{
    return load_template_vars(dir, name, kinds, tc, known_vars, d);
}

int pdf_templates_present(const char *templates_dir)
{
    struct stat st;
    char *a = xasprintf("%s/brief.yaml", templates_dir);
    char *b = xasprintf("%s/report.yaml", templates_dir);
    int ok = stat(a, &st) == 0 && stat(b, &st) == 0;
    free(a);
    free(b);
    return ok;
}

/* The document date (util.h output_date()). */
static void doc_date(int eval_year, struct tm *out)
{
    time_t t = output_date(eval_year);
    memset(out, 0, sizeof *out);
    gmtime_r(&t, out);
}

static void global_vars(ctx *c, const struct tm *date)
{
    const plan *p = c->p;
    const evaluation *ev = c->ev;
    tvars *g = &c->g;
    tv_set(g, "plan_title", p->title);
    tv_set(g, "plan_id", p->id);
    tv_set(g, "region_name", p->region_name ? p->region_name : p->region);
    tv_set(g, "region", p->region);
    tv_set(g, "stage", label(c->lb, "stage", stage_name(ev->stage)));
    tv_setf(g, "eval_year", "%d", ev->eval_year);
    tv_setf(g, "data_first_year", "%d", ev->data_first_year);
    tv_setf(g, "data_last_year", "%d", c->f->data_cutoff); /* the last year this evaluation used */
    tv_setf(g, "cutoff", "%d", c->f->data_cutoff);
    tv_setf(g, "period_start", "%d", p->period[0]);
    tv_setf(g, "period_end", "%d", p->period[1]);
    tv_set(g, "document", p->document ? p->document : "");
    tv_set(g, "issuer", p->issuer ? p->issuer : "");
    tv_set(g, "issued", p->issued ? p->issued : "");
    tv_setf(g, "ninds", "%d", ev->ninds);
    tv_setf(g, "ntargets", "%d", c->f->n);
    tvars v;
    tv_init(&v, g);
    date_vars(&v, date->tm_year + 1900, date->tm_mon + 1, date->tm_mday);
    tv_set(g, "date", tx(c, "words.date", &v));
    tv_free(&v);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static rdoc *open_doc(ctx *c, const struct tm *date, int outline)
{
    rdoc_info info;
    memset(&info, 0, sizeof info);
    info.title = tx(c, "document.file_title", NULL);
    info.subject = tx_opt(c, "document.subject", NULL);
    info.author = tx_opt(c, "document.author", NULL);
    info.keywords = tx_opt(c, "document.keywords", NULL);
    info.creator = "planeval";
    info.year = date->tm_year + 1900;
    info.month = date->tm_mon + 1;
    info.day = date->tm_mday;
    info.hour = date->tm_hour;
    info.minute = date->tm_min;
    info.second = date->tm_sec;
    info.outline_open = outline;
    return rdoc_new(c->fonts, &info, c->d);
}

static int run_pass(ctx *c, int dry, void (*render)(ctx *))
{
    rdoc_begin_pass(c->doc, dry);
    render(c);
    return rdoc_end_pass(c->doc);
}

/*
 * The pages of the brief at each choice of how much it holds, as laid out
 * while fitting: the same choice lays out the same pages, and halving over
 * one knob after another came back to choices already laid out (a layout
 * pass is the brief's whole work).
 */
typedef struct fit_memo {
    struct {
        int n[5]; /* n_key, n_detail, n_compact, n_problems, n_milestones */
        int pages;
    } *e;
    size_t n, cap;
} fit_memo;

static void fit_state(const ctx *c, int *n)
{
    n[0] = c->n_key;
    n[1] = c->n_detail;
    n[2] = c->n_compact;
    n[3] = c->n_problems;
    n[4] = c->n_milestones;
}

/* A dry pass of the brief as it now is, remembered in m. */
static int brief_pass(ctx *c, fit_memo *m)
{
    int pages = run_pass(c, 1, render_brief);
    fit_state(c, ARRAY_PUSH(m->e, m->n, m->cap)->n);
    m->e[m->n - 1].pages = pages;
    return pages;
}

/* 1 if the last pass in m was at settings n, with its pages in *pages. */
static int memo_pages_last(const fit_memo *m, const int *n, int *pages)
{
    if (m->n == 0 || memcmp(m->e[m->n - 1].n, n, sizeof m->e[0].n) != 0)
        return 0;
    *pages = m->e[m->n - 1].pages;
    return 1;
}

/* Pages of the brief with *knob at v; fewer detailed items (n_detail) put
 * as many more in the table (n_compact), counted from d0 and c0. */
static int brief_pages_at(ctx *c, fit_memo *m, int *knob, int v, int d0, int c0)
{
    *knob = v;
    if (knob == &c->n_detail)
        c->n_compact = c0 + (d0 - v);
    int n[5];
    fit_state(c, n);
    for (size_t i = 0; i < m->n; i++)
        if (memcmp(m->e[i].n, n, sizeof n) == 0)
            return m->e[i].pages;
    return brief_pass(c, m);
}

/*
 * The largest v in [lo, hi] at which the brief fits its pages, found by
 * halving: more items never take fewer pages, so this is where one step at
 * a time would stop, in about log2(hi - lo) passes instead of hi - lo (a
 * pass lays the whole brief out). Leaves *knob at v; v is lo when nothing
 * fits. Returns the brief's pages at v.
 */
static int fit_knob(ctx *c, fit_memo *memo, int *knob, int lo, int hi)
{
    int d0 = c->n_detail, c0 = c->n_compact;
    int a = lo, b = hi, best = lo - 1, at = lo - 1, pages = 0;
    while (a <= b) {
        int m = a + (b - a + 1) / 2;
        pages = brief_pages_at(c, memo, knob, m, d0, c0);
        at = m;
        if (pages <= c->max_pages) {
            best = m;
            a = m + 1;
        } else {
            b = m - 1;
        }
    }
    int v = best >= lo ? best : lo;
    if (at != v)
        pages = brief_pages_at(c, memo, knob, v, d0, c0);
    return pages;
}

/* Fit the brief into max_pages by dropping the least urgent details.
 * *settled: 1 if the last pass laid out was at the settings fitted (a
 * dry pass of the brief depends on its settings only), so that the
 * document is as another pass at them would leave it. */
static int fit_brief(ctx *c, int *settled)
{
    titem **l;
    int natt = attention_list(c, &l, 1, NULL);
    free(l);
    int nover = overdue_list(c, &l);
    free(l);
    const char *mp = tget(c, "document.max_pages");
    c->max_pages = mp ? atoi(mp) : 4;
    if (c->max_pages < 1)
        c->max_pages = 4;
    const char *mx = NULL;
    int nsec = rtpl_count(c->t, "sections");
    for (int s = 0; s < nsec; s++) {
        const char *kind = rtpl_getf(c->t, "sections.%d.kind", s);
        if (kind && strcmp(kind, "problems") == 0)
            mx = rtpl_getf(c->t, "sections.%d.max_items", s);
    }
    const char *mk = NULL;
    for (int s = 0; s < nsec; s++) {
        const char *kind = rtpl_getf(c->t, "sections.%d.kind", s);
        if (kind && strcmp(kind, "key_findings") == 0)
            mk = rtpl_getf(c->t, "sections.%d.max_items", s);
    }
    c->n_key = mk ? atoi(mk) : 5;
    c->n_detail = natt < 8 ? natt : 8;
    c->n_compact = natt - c->n_detail;
    c->n_milestones = nover;
    c->n_problems = mx ? atoi(mx) : c->f->nproblems;
    if (c->n_problems > c->f->nproblems)
        c->n_problems = c->f->nproblems;
    fit_memo memo = {NULL, 0, 0};
    brief_marks marks = {NULL, 0, 0};
    c->marks = &marks;
    int pages = brief_pass(c, &memo);
    /* The key findings end on page 1: at least three of them. */
    while (c->at.key_end_page > 1 && c->n_key > 3) {
        c->n_key--;
        pages = brief_pass(c, &memo);
    }
    /* Each step takes one thing away, in this order, while it is still too long. */
    int *knobs[] = {&c->n_problems, &c->n_detail, &c->n_compact, &c->n_milestones, &c->n_detail,
                    &c->n_compact, &c->n_problems, &c->n_milestones};
    const int floor_of[] = {6, 3, 6, 4, 0, 0, 0, 0};
    for (size_t k = 0; k < sizeof knobs / sizeof knobs[0] && pages > c->max_pages; k++)
        if (*knobs[k] > floor_of[k])
            pages = fit_knob(c, &memo, knobs[k], floor_of[k], *knobs[k] - 1);
    /* Then give back what still fits, problems first: no half-empty last page
     * while items are left to the report. */
    int *fill[] = {&c->n_problems, &c->n_compact, &c->n_milestones};
    const int most[] = {c->f->nproblems, natt, nover};
    for (size_t k = 0; k < sizeof fill / sizeof fill[0] && pages <= c->max_pages; k++)
        if (*fill[k] < most[k])
            pages = fit_knob(c, &memo, fill[k], *fill[k], most[k]);
    if (pages > c->max_pages)
        diag_add(c->d, DIAG_WARNING, rtpl_file(c->t), 0, 0,
                 "the brief of %s has %d pages, more than %d", c->p->id, pages, c->max_pages);
    int now[5];
    fit_state(c, now);
    *settled = memo_pages_last(&memo, now, &pages);
    free(memo.e);
    c->marks = NULL;
    marks_free(&marks);
    return pages;
}

static int write_doc(ctx *c, const char *name, void (*render)(ctx *), deco *dc)
{
    if (!c->out) { /* pdf_check_reports: every text expanded, nothing saved */
        run_pass(c, 1, render);
        return 0;
    }
    const char *path = outset_path(c->out, name, c->d);
    if (!path)
        return -1;
    rdoc_set_decorate(c->doc, decorate, dc);
    run_pass(c, 0, render);
    return rdoc_save(c->doc, path);
}

/* The brief: fitted to its pages, then written. */
static int brief_doc(ctx *c, const struct tm *date, pdf_stats *stats)
{
    int rc = 0;
    double t0 = now_seconds();
    c->t = c->brief;
    c->doc = open_doc(c, date, 0);
    int settled = 0;
    int pages = rdoc_failed(c->doc) ? 0 : fit_brief(c, &settled);
    if (!settled)
        pages = run_pass(c, 1, render_brief);
    deco db = {c, 0};
    if (rdoc_failed(c->doc) || write_doc(c, "brief.pdf", render_brief, &db) != 0)
        rc = -1;
    else if (c->at.red_flags_page > 1)
        diag_add(c->d, DIAG_WARNING, rtpl_file(c->brief), 0, 0,
                 "the red flags of the brief of %s fall on page %d, not the first", c->p->id,
                 c->at.red_flags_page);
    rdoc_free(c->doc);
    c->doc = NULL;
    if (stats) {
        stats->brief_seconds = now_seconds() - t0;
        stats->brief_pages = pages;
    }
    return rc;
}

/* The report: dry until the contents' page numbers settle (a second dry
 * pass made by rdoc_toc_settle() from the first), then for real. */
static int report_doc(ctx *c, const struct tm *date, pdf_stats *stats)
{
    int rc = 0, pages = 0;
    double t0 = now_seconds();
    c->t = c->report;
    c->doc = open_doc(c, date, 1);
    if (!rdoc_failed(c->doc)) {
        run_pass(c, 1, render_report);
        if ((pages = rdoc_toc_settle(c->doc)) < 0)
            pages = run_pass(c, 1, render_report);
        deco dr = {c, 1};
        if (write_doc(c, "report.pdf", render_report, &dr) != 0)
            rc = -1;
    } else {
        rc = -1;
    }
    rdoc_free(c->doc);
    c->doc = NULL;
    if (stats) {
        stats->report_seconds = now_seconds() - t0;
        stats->report_pages = pages;
    }
    return rc;
}

/* The families of the body and heading faces: the brief's, else the report's. */
static void font_families(const rtpl *brief, const rtpl *report, const char **body,
                          const char **head)
{
    *body = rtpl_get(brief, "fonts.body");
    *head = rtpl_get(brief, "fonts.heading");
    if (!*body)
        *body = rtpl_get(report, "fonts.body");
    if (!*head)
        *head = rtpl_get(report, "fonts.heading");
}

/* Templates and fonts of both documents; 0, or -1 with errors in d. */
static int ctx_open(ctx *c, const outcome *oc, out_set *out, diag_list *d)
{
    memset(c, 0, sizeof *c);
    c->review_n[0] = -1; /* found by report_review when first needed */
    c->ev = oc->ev;
    c->ec = oc->ec;
    c->p = oc->ev->p;
    c->lb = oc->lb;
    c->fs = oc->fs;
    c->f = oc->f;
    c->changes = oc->changes;
    c->out = out;
    c->d = d;
    tv_init(&c->g, NULL);
    size_t before = diag_errors(d);
    c->report = load_template(oc->templates_dir, "report.yaml", report_kinds, oc->templates, d);
    c->brief = load_template(oc->templates_dir, "brief.yaml", brief_kinds, oc->templates, d);
    if (!c->report || !c->brief || diag_errors(d) > before)
        return -1;
    const char *body, *head;
    font_families(c->brief, c->report, &body, &head);
    if (oc->fonts)
        c->fonts = rfonts_cached(oc->fonts, body, head, d);
    else if (rfonts_open(&c->own_fonts, body, head, d) == 0)
        c->fonts = c->own_fonts;
    if (!c->fonts)
        return -1;
    /* Chart wording problems are the charts' to report; the documents then
     * show placeholders. */
    char *ct_path = xasprintf("%s/charts.yaml", oc->templates_dir);
    diag_list ctd;
    memset(&ctd, 0, sizeof ctd);
    c->have_ct = chart_templates_load_cached(&c->ct, ct_path, oc->wordings, &ctd) == 0;
    c->ct_loaded = 1;
    diag_free(&ctd);
    free(ct_path);
    return 0;
}

static void ctx_close(ctx *c)
{
    if (c->ct_loaded)
        chart_templates_free(&c->ct);
    rfonts_free(c->own_fonts);
    for (size_t i = 0; i < c->nwarned; i++)
        free(c->warned_keys[i]);
    free(c->warned_keys);
    free(c->numerals);
    item_vars_free(c);
    tv_free(&c->g);
    strpool_free(&c->pool);
    rtpl_free(c->brief);
    rtpl_free(c->report);
}

/* Both documents into out, or (out NULL) only laid out: every text expanded. */
static int render_documents(out_set *out, const outcome *oc, pdf_stats *stats, diag_list *d)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    size_t before = diag_errors(d);
    ctx c;
    int rc = -1;
    if (ctx_open(&c, oc, out, d) == 0) {
        struct tm date;
        doc_date(oc->ev->eval_year, &date);
        c.t = c.report;
        global_vars(&c, &date);
        rc = brief_doc(&c, &date, stats);
        if (report_doc(&c, &date, stats) != 0)
            rc = -1;
    }
    ctx_close(&c);
    return diag_errors(d) > before ? -1 : rc;
}

/*
 * A worker's first document opened the fonts (libharu's parse of two
 * faces, and fontconfig's configuration for a family): once in each
 * worker. Opened once before the workers are forked, they are shared
 * (20 regions, -j 2: 2,013 -> 1,407 page faults, 1,147 -> 1,131 ms of CPU,
 * medians of 5). The templates are those of tc, which a run has parsed
 * already (session_preload_templates), read here for the families only:
 * their placeholders are not checked through tc, which would take the
 * documents' warnings (a list is checked once per cache).
 */
void pdf_fonts_preload(rfonts_cache *fc, rtpl_cache *tc, const char *templates_dir)
{
    if (!fc || !pdf_templates_present(templates_dir))
        return;
    diag_list quiet;
    memset(&quiet, 0, sizeof quiet);
    rtpl *report = load_template_vars(templates_dir, "report.yaml", report_kinds, tc, NULL, &quiet);
    rtpl *brief =
        report ? load_template_vars(templates_dir, "brief.yaml", brief_kinds, tc, NULL, &quiet) : NULL;
    if (brief && diag_errors(&quiet) == 0) {
        const char *body, *head;
        font_families(brief, report, &body, &head);
        rfonts_cached(fc, body, head, &quiet);
    }
    rtpl_free(report);
    rtpl_free(brief);
    diag_free(&quiet);
}

int pdf_write_reports(out_set *out, const outcome *oc, pdf_stats *stats, diag_list *d)
{
    return render_documents(out, oc, stats, d);
}

int pdf_check_reports(const outcome *oc, diag_list *d)
{
    return render_documents(NULL, oc, NULL, d);
}
