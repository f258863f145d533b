/*
 * compare_pdf.c - comparison.pdf (compare.h): the look of report.pdf
 * (report_doc.h: A4, the same faces, header and footer), a first page with
 * the regions' summary and the off-track list, then per shared indicator a
 * ranking table and small multiples: one small line chart per plan, all on
 * the same y scale, with the plan's target line; off-track plans framed red.
 */
#include "compare.h"
#include "report_doc.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const rcolor black = {0, 0, 0};
static const rcolor grey = {0.38, 0.38, 0.38};
static const rcolor light = {0.80, 0.80, 0.80};
static const rcolor red = {0.75, 0.08, 0.08};
static const rcolor red_fill = {1.00, 0.95, 0.94};
static const rcolor green = {0.00, 0.42, 0.24};
static const rcolor blue = {0.00, 0.33, 0.62};
static const rcolor amber = {0.70, 0.42, 0.00};
static const rcolor line_blue = {0.18, 0.33, 0.59};

/* A province: beyond this many regions the PDF shows what is read (the
 * regions most off track, the largest gaps, per indicator both ends of the
 * ranking, the distribution and the off-track regions), and the workbook
 * keeps every row. Pages, memory and time then stop growing with regions. */
#define FULL_ROWS 30
#define ENDS 10        /* rows shown at each end of a long ranking */
#define NAMES_SHOWN 40 /* off-track regions named in a long section */

#define PANELS_PER_ROW 4
#define PANEL_H 78.0
#define PANEL_GAP 10.0

typedef struct pctx {
    const comparison *c;
    const labels *t;
    rdoc *doc;
    strpool pool; /* strings alive until the end */
    struct tm date;
} pctx;

static const char *keep(pctx *p, char *s)
{
    return strpool_keep(&p->pool, s);
}

static const char *fill(pctx *p, const char *section, const char *code, const char *const *vars)
{
    return keep(p, cmp_fill(p->t, section, code, vars));
}

static const char *T(pctx *p, const char *section, const char *code)
{
    return label(p->t, section, code);
}

static const char *num(pctx *p, double v)
{
    char buf[64];
    return keep(p, xstrdup(cmp_num(v, buf, sizeof buf)));
}

static const char *intf(pctx *p, int v)
{
    return keep(p, xasprintf("%d", v));
}


static rcell coloured(const char *text, rcolor col)
{
    rcell x = rdoc_cell(text, RA_CENTER);
    x.has_color = 1;
    x.color = col;
    return x;
}

static rcolor status_colour(const char *code)
{
    if (strcmp(code, "met") == 0 || strcmp(code, "on_track") == 0)
        return green;
    if (strcmp(code, "not_met") == 0 || strcmp(code, "off_track") == 0 ||
        strcmp(code, "unlikely") == 0)
        return red;
    if (strcmp(code, "at_risk") == 0)
        return amber;
    if (strcmp(code, "not_yet_due") == 0)
        return blue;
    return grey;
}

/* Widths scaled to the content width. */
static void widths(pctx *p, const double *rel, int n, double *w)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += rel[i];
    for (int i = 0; i < n; i++)
        w[i] = rdoc_content_width(p->doc) * rel[i] / sum;
}

/* ---------- cell texts ---------- */

/* A figure in the plan's own unit, named when it is not the group's (a
 * plan in ‰ among plans in %: the heading's unit would mislead). */
static const char *own_unit(pctx *p, const cmp_row *r, const char *text)
{
    return r->factor != 1 && text[0] ? keep(p, xasprintf("%s%s", text, r->unit)) : text;
}

static const char *target_text(pctx *p, const cmp_row *r)
{
    const char *t;
    if (strcmp(r->comparator, "decrease") == 0 || strcmp(r->comparator, "increase") == 0) {
        const char *v[] = {"op", r->comparator_zh, "value", r->target_value, NULL};
        t = r->target_value[0] ? fill(p, "cell", "change", v) : r->comparator_zh;
    } else if (strcmp(r->comparator, "zero") == 0) {
        t = r->comparator_zh;
    } else {
        t = keep(p, xasprintf("%s%s", r->comparator_zh, own_unit(p, r, r->target_value)));
    }
    const char *v[] = {"year", intf(p, r->target_year), "target", t, NULL};
    t = fill(p, "cell", "target", v);
    if (r->has_limit && (strcmp(r->comparator, "decrease") == 0 ||
                         strcmp(r->comparator, "increase") == 0)) {
        const char *lv[] = {"limit", own_unit(p, r, num(p, r->limit)), NULL};
        t = keep(p, xasprintf("%s%s", t, fill(p, "cell", "limit", lv)));
    }
    return t;
}

/*
 * The figure the verdict and the gap are on, and what it is: "1.547
 * （2021—2025年年均）" (a window's mean is not the ranking year's value
 * beside it); in the plan's own unit, named when it is not the group's.
 */
static const char *current_text(pctx *p, const cmp_row *r)
{
    if (!r->has_current)
        return "";
    const char *basis;
    /* a window's figure (a mean, a total, a worst year); a year's otherwise,
     * a change against a baseline year among them */
    if (r->window[0] && r->window[0] < r->window[1] && r->aggregate[0] &&
        strcmp(r->aggregate, "year") != 0) {
        const char *v[] = {"from", intf(p, r->window[0]), "to", intf(p, r->window[1]), "what",
                           T(p, "what", r->aggregate), NULL};
        basis = fill(p, "cell", "basis_window", v);
    } else {
        const char *v[] = {"year", intf(p, r->current_year), NULL};
        basis = fill(p, "cell", "basis_year", v);
    }
    const char *v[] = {"value", own_unit(p, r, num(p, r->current)), "basis", basis, NULL};
    return fill(p, "cell", "current", v);
}

static const char *gap_text(pctx *p, const cmp_row *r)
{
    if (!r->has_gap)
        return "";
    return own_unit(p, r, r->gap > 0 ? keep(p, xasprintf("+%s", num(p, r->gap))) : num(p, r->gap));
}

static const char *gap_pct_text(pctx *p, const cmp_row *r)
{
    if (!r->has_gap_pct)
        return "";
    char buf[32];
    snprintf(buf, sizeof buf, "%+.1f%%", r->gap_pct);
    return keep(p, xstrdup(buf));
}

/* A target not yet due in results with findings: its outlook is the plan's
 * own, as its brief words it, not the forecast's. */
static int own_outlook(const cmp_row *r)
{
    return strcmp(r->status, "not_yet_due") == 0 && r->outlook[0];
}

/* The code of what forecast_text() says (for its colour). */
static const char *forecast_code(const cmp_row *r)
{
    return own_outlook(r) ? r->outlook : r->forecast_status;
}

static const char *forecast_text(pctx *p, const cmp_row *r)
{
    const char *word = own_outlook(r) ? r->outlook_zh : r->forecast_status_zh;
    if (!word[0])
        return "";
    if (strcmp(r->status, "not_yet_due") == 0 && r->has_prob) {
        /* "难以达标 10%" read as 10 % short; the chance says what it is */
        const char *v[] = {"status", word, "probability",
                           keep(p, xasprintf("%.0f", 100 * r->prob)), NULL};
        return fill(p, "cell", "forecast_chance", v);
    }
    return word;
}

/* ---------- header and footer ---------- */

static void decorate(void *arg, rdoc *d, int page, int pages)
{
    pctx *p = arg;
    const char *v[] = {"page", intf(p, page), "pages", intf(p, pages), NULL};
    const char *left = fill(p, "document", "header_left", v);
    const char *right = fill(p, "document", "header_right", v);
    const char *foot = fill(p, "document", "footer", v);
    rdoc_running_heads(d, left, right, foot);
}

/* ---------- first page ---------- */

static void heading(pctx *p, const char *text)
{
    rstyle s = RST_H1;
    if (rdoc_y(p->doc) > rdoc_page_height(p->doc) * 0.09 + 2)
        rdoc_space(p->doc, 8);
    rdoc_heading(p->doc, text, &s, 1, 1, 60);
    rdoc_space(p->doc, 2);
}

typedef struct region_key {
    int off, i; /* off-track rows, position listed */
} region_key;

/* Most off track first, then as listed. */
static int by_off_track(const void *a, const void *b)
{
    const region_key *x = a, *y = b;
    return x->off != y->off ? y->off - x->off : x->i - y->i;
}

/* Indexes of the regions in table order: as listed, or for a province
 * (only the first FULL_ROWS shown) the most off track first. */
static int *regions_order(const comparison *c)
{
    region_key *k = xcalloc((size_t)c->nregions + 1, sizeof *k);
    for (int i = 0; i < c->nregions; i++)
        k[i] = (region_key){c->regions[i].off_track, i};
    if (c->nregions > FULL_ROWS)
        qsort(k, (size_t)c->nregions, sizeof *k, by_off_track);
    int *o = xcalloc((size_t)c->nregions + 1, sizeof *o);
    for (int i = 0; i < c->nregions; i++)
        o[i] = k[i].i;
    free(k);
    return o;
}

typedef struct off_row {
    const cmp_row *r;
    const cmp_indicator *ind;
    size_t i; /* position found, the tie-break: the sort is stable */
} off_row;

/* By gap percent, descending; rows without one last, in the order found. */
static int by_gap(const void *a, const void *b)
{
    const off_row *x = a, *y = b;
    if (x->r->has_gap_pct != y->r->has_gap_pct)
        return x->r->has_gap_pct ? -1 : 1;
    if (x->r->has_gap_pct && x->r->gap_pct != y->r->gap_pct)
        return x->r->gap_pct > y->r->gap_pct ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void opening(pctx *p)
{
    const comparison *c = p->c;
    rdoc *d = p->doc;
    rdoc_start(d);
    rstyle t = rdoc_style(RF_HEAD, 20, 30, RA_CENTER);
    rdoc_para(d, T(p, "document", "title"), &t);
    rdoc_space(d, 4);
    rstyle s = rdoc_style(RF_BODY, 10.5, 17, RA_CENTER);
    s.color = grey;
    const char *dv[] = {"year", intf(p, p->date.tm_year + 1900), "month",
                        intf(p, p->date.tm_mon + 1), "day", intf(p, p->date.tm_mday), NULL};
    rdoc_para(d, fill(p, "document", "date", dv), &s);
    rdoc_space(d, 10);
    int off = 0;
    for (int i = 0; i < c->nregions; i++)
        off += c->regions[i].off_track;
    const char *cv[] = {"nplans", intf(p, c->nplans), "nregions", intf(p, c->nregions),
                        "nshared", intf(p, c->ninds), "year", intf(p, c->eval_year),
                        "offtrack", intf(p, off), NULL};
    rstyle b = RST_BODY;
    rdoc_para(d, fill(p, "document", "cover_line", cv), &b);
    rdoc_space(d, 4);
    rstyle sm = RST_SMALL;
    sm.color = grey;
    sm.align = RA_JUSTIFY;
    rdoc_para(d, T(p, "document", "intro"), &sm);

    /* The regions. */
    heading(p, T(p, "document", "summary_heading"));
    static const char *const sc[] = {"region", "plans", "rows", "met", "not_met",
                                     "not_yet_due", "other", "off_track"};
    static const double rel[] = {1.4, 2.4, 0.9, 0.7, 0.7, 0.7, 0.7, 0.8};
    double w[8];
    widths(p, rel, 8, w);
    const char *h[8];
    for (int i = 0; i < 8; i++)
        h[i] = T(p, "summary", sc[i]);
    rstyle cs = RST_CELL, chs = RST_CELL_HEAD;
    int shown = c->nregions;
    int *order = regions_order(c);
    if (c->nregions > FULL_ROWS) {
        shown = FULL_ROWS;
        const char *v[] = {"shown", intf(p, shown), "n", intf(p, c->nregions), NULL};
        rdoc_para(d, fill(p, "document", "summary_cut", v), &sm);
        rdoc_space(d, 3);
    }
    rtable *tb = rdoc_table_begin(d, 8, w, h, &cs, &chs);
    for (int i = 0; i < shown; i++) {
        const cmp_region *g = &c->regions[order[i]];
        rcell r[8] = {rdoc_cell(g->region_name, RA_LEFT), rdoc_cell(g->titles, RA_LEFT),
                      rdoc_cell(intf(p, g->rows), RA_CENTER), coloured(intf(p, g->met), green),
                      coloured(intf(p, g->not_met), g->not_met ? red : grey),
                      coloured(intf(p, g->not_yet_due), blue), rdoc_cell(intf(p, g->other), RA_CENTER),
                      coloured(intf(p, g->off_track), g->off_track ? red : grey)};
        rdoc_table_row(tb, r);
    }
    rdoc_table_end(tb);
    free(order);

    /* Who is off track, and by how much: the largest gap first. */
    heading(p, T(p, "document", "offtrack_heading"));
    off_row *l = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < c->ninds; i++)
        for (int k = 0; k < c->inds[i].nrows; k++)
            if (c->inds[i].rows[k].off_track) {
                off_row o = {&c->inds[i].rows[k], &c->inds[i], n};
                *ARRAY_PUSH(l, n, cap) = o;
            }
    if (n > 1)
        qsort(l, n, sizeof *l, by_gap);
    size_t nshown = n;
    if (c->nregions > FULL_ROWS && n > FULL_ROWS) {
        nshown = FULL_ROWS;
        const char *v[] = {"shown", intf(p, (int)nshown), "n", intf(p, (int)n), NULL};
        rdoc_para(d, fill(p, "document", "offtrack_cut", v), &sm);
        rdoc_space(d, 3);
    }
    if (n == 0) {
        rdoc_para(d, T(p, "document", "offtrack_none"), &sm);
    } else {
        rdoc_para(d, T(p, "document", "offtrack_intro"), &sm);
        rdoc_space(d, 3);
        /* The last column is the plan's own finding, worded as in its brief. */
        static const char *const oc[] = {"indicator", "region", "current", "target",
                                         "status", "gap", "gap_pct", "finding"};
        static const double orel[] = {1.6, 0.9, 0.7, 1.2, 0.8, 0.7, 0.6, 3.2};
        double ow[8];
        widths(p, orel, 8, ow);
        const char *oh[8];
        for (int i = 0; i < 8; i++)
            oh[i] = T(p, "col", oc[i]);
        rtable *ot = rdoc_table_begin(d, 8, ow, oh, &cs, &chs);
        for (size_t i = 0; i < nshown; i++) {
            const cmp_row *r = l[i].r;
            int due = strcmp(r->status, "not_yet_due") != 0;
            const char *cur = r->has_current ? num(p, r->current) : "";
            rcell row[8] = {rdoc_cell(l[i].ind->name, RA_LEFT),
                            rdoc_cell(r->region_name, RA_LEFT),
                            rdoc_cell(cur, RA_RIGHT),
                            rdoc_cell(target_text(p, r), RA_LEFT),
                            coloured(due ? r->status_zh : forecast_text(p, r),
                                     status_colour(due ? r->status : forecast_code(r))),
                            coloured(gap_text(p, r), red),
                            coloured(gap_pct_text(p, r), red),
                            rdoc_cell(r->finding, RA_LEFT)};
            row[2].align = row[5].align = row[6].align = RA_RIGHT;
            rdoc_table_row(ot, row);
        }
        rdoc_table_end(ot);
    }
    free(l);
}

/* ---------- one shared indicator ---------- */

typedef struct scale {
    double y0, y1;
    int x0, x1;
} scale;

static void indicator_scale(const cmp_indicator *ind, scale *s)
{
    int any = 0;
    double lo = 0, hi = 0;
    for (int k = 0; k < ind->nrows; k++) {
        const cmp_row *r = &ind->rows[k];
        double f = r->factor > 0 ? r->factor : 1;
        for (int i = 0; i < r->nyears + 1; i++) {
            double v;
            if (i < r->nyears)
                v = r->values[i] * f;
            else if (r->has_limit)
                v = r->limit * f;
            else
                continue;
            if (!any || v < lo)
                lo = v;
            if (!any || v > hi)
                hi = v;
            any = 1;
        }
    }
    if (!any)
        lo = 0, hi = 1;
    if (lo >= 0 && lo < 0.35 * hi)
        lo = 0; /* from zero when that costs little room */
    if (hi - lo < 1e-12) {
        /* one value throughout: around it, but not below zero for figures
         * that cannot be negative (no "-1" under a row of zero accidents) */
        double m = fabs(hi) > 0 ? fabs(hi) * 0.1 : 1;
        lo = lo >= 0 && lo - m < 0 ? 0 : lo - m;
        hi += m;
    } else {
        double pad = (hi - lo) * 0.08;
        hi += pad;
        if (lo != 0)
            lo -= pad;
    }
    s->y0 = lo;
    s->y1 = hi;
    s->x0 = ind->first_year ? ind->first_year : 0;
    s->x1 = ind->last_year > s->x0 ? ind->last_year : s->x0 + 1;
}

static void panel(pctx *p, const cmp_indicator *ind, const cmp_row *r, const scale *s, double x,
                  double y, double w)
{
    rdoc *d = p->doc;
    /* Title line: region and plan; small-count and off-track marks. */
    const char *mark = r->note == CN_SMALL_COUNT ? T(p, "document", "small_mark") : "";
    char *title = xasprintf("%s %s%s", r->region_name, r->plan_title, mark);
    double offw = r->off_track ? rdoc_text_width(d, T(p, "document", "off_mark"), RF_HEAD, 6.5) + 4
                               : 0;
    char *fit = rdoc_text_fit(d, title, RF_HEAD, 7, w - offw);
    rdoc_text_at(d, fit, RF_HEAD, 7, black, x, y + 8, RA_LEFT);
    free(fit);
    free(title);
    if (r->off_track)
        rdoc_text_at(d, T(p, "document", "off_mark"), RF_HEAD, 6.5, red, x + w, y + 8, RA_RIGHT);
    double top = y + 12, h = PANEL_H;
    rdoc_rect(d, x, top, w, h, r->off_track ? 1.2 : 0.5, r->off_track ? &red : &light,
              r->off_track ? &red_fill : NULL);
    /* Plot area inside the frame, room for the y labels on the left. */
    double px0 = x + 24, px1 = x + w - 5, py0 = top + 5, py1 = top + h - 5;
#define SX(yr) (s->x1 > s->x0 ? px0 + (px1 - px0) * ((yr) - s->x0) / (double)(s->x1 - s->x0) \
                              : (px0 + px1) / 2)
#define SY(v) (py1 - (py1 - py0) * ((v) - s->y0) / (s->y1 - s->y0))
    rdoc_text_at(d, num(p, s->y1), RF_BODY, 5.5, grey, px0 - 2, py0 + 4, RA_RIGHT);
    rdoc_text_at(d, num(p, s->y0), RF_BODY, 5.5, grey, px0 - 2, py1, RA_RIGHT);
    rdoc_line(d, px0, py1, px1, py1, 0.4, light, 0);
    rdoc_text_at(d, intf(p, s->x0), RF_BODY, 5.5, grey, px0, top + h + 7, RA_LEFT);
    rdoc_text_at(d, intf(p, s->x1), RF_BODY, 5.5, grey, px1, top + h + 7, RA_RIGHT);
    double f = r->factor > 0 ? r->factor : 1;
    if (r->has_limit)
        rdoc_line(d, px0, SY(r->limit * f), px1, SY(r->limit * f), 0.8, red, 1);
    if (r->nyears == 0) {
        rdoc_text_at(d, T(p, "document", "no_data"), RF_BODY, 7, grey, (px0 + px1) / 2,
                     (py0 + py1) / 2 + 3, RA_CENTER);
        return;
    }
    /* The series, broken where a year has no value. */
    double *xs = xcalloc((size_t)r->nyears, sizeof *xs);
    double *ys = xcalloc((size_t)r->nyears, sizeof *ys);
    int m = 0;
    for (int i = 0; i <= r->nyears; i++) {
        if (i == r->nyears || (m > 0 && r->years[i] != r->years[i - 1] + 1)) {
            if (m > 1)
                rdoc_polyline(d, xs, ys, m, 1.1, line_blue, 0);
            m = 0;
            if (i == r->nyears)
                break;
        }
        xs[m] = SX(r->years[i]);
        ys[m] = SY(r->values[i] * f);
        m++;
    }
    for (int i = 0; i < r->nyears; i++)
        rdoc_marker(d, SX(r->years[i]), SY(r->values[i] * f),
                    r->years[i] == r->rank_year ? 2.2 : 1.2, line_blue);
    free(xs);
    free(ys);
#undef SX
#undef SY
    (void)ind;
}

/* The panels of rows[show[0..nshow)] (all rows when show is NULL). */
static void small_multiples(pctx *p, const cmp_indicator *ind, const int *show, int nshow)
{
    rdoc *d = p->doc;
    scale s;
    indicator_scale(ind, &s);
    rstyle cap = RST_CAPTION;
    cap.size = 8.5;
    cap.color = grey;
    double w = (rdoc_content_width(d) - (PANELS_PER_ROW - 1) * PANEL_GAP) / PANELS_PER_ROW;
    double row_h = PANEL_H + 12 + 14;
    rdoc_space(d, 6);
    rdoc_heading(d, T(p, "document", "chart_caption"), &cap, 0, 0, row_h);
    int n = show ? nshow : ind->nrows;
    for (int k = 0; k < n; k += PANELS_PER_ROW) {
        rdoc_ensure(d, row_h);
        double y = rdoc_y(d);
        for (int j = 0; j < PANELS_PER_ROW && k + j < n; j++)
            panel(p, ind, &ind->rows[show ? show[k + j] : k + j], &s,
                  rdoc_left(d) + j * (w + PANEL_GAP), y, w);
        rdoc_space(d, row_h);
    }
}

/* A row of the ranking table. */
static void ranking_row(pctx *p, const cmp_row *r, rcell *row)
{
    const char *rank = r->rank ? intf(p, r->rank) : "\xe2\x80\x94"; /* em dash */
    if (r->note == CN_SMALL_COUNT)
        rank = keep(p, xasprintf("%s%s", rank, T(p, "document", "small_mark")));
    const char *val = r->rank ? num(p, r->rank_value)
                      : r->note != CN_NONE ? T(p, "note", cmp_note_code(r->note))
                                            : "";
    rcell cells[10] = {rdoc_cell(rank, RA_CENTER),
                       rdoc_cell(r->region_name, RA_LEFT),
                       rdoc_cell(r->plan_title, RA_LEFT),
                       rdoc_cell(val, r->rank ? RA_RIGHT : RA_LEFT),
                       rdoc_cell(current_text(p, r), RA_RIGHT),
                       rdoc_cell(target_text(p, r), RA_LEFT),
                       coloured(r->status_zh, status_colour(r->status)),
                       coloured(forecast_text(p, r), status_colour(forecast_code(r))),
                       coloured(gap_text(p, r), r->has_gap && r->gap > 0 ? red : grey),
                       coloured(gap_pct_text(p, r), r->has_gap && r->gap > 0 ? red : grey)};
    cells[8].align = cells[9].align = RA_RIGHT;
    if (r->note == CN_SMALL_COUNT || r->rank == 0) {
        cells[0].has_color = 1;
        cells[0].color = grey;
    }
    if (r->off_track) {
        cells[0].has_fill = cells[1].has_fill = cells[2].has_fill = 1;
        cells[0].fill = cells[1].fill = cells[2].fill = red_fill;
    }
    memcpy(row, cells, sizeof cells);
}

/* The ranking: rows[show[...]] (all when show is NULL); a long one is
 * printed as its top ENDS, a line saying how many are left out, its last
 * ENDS ranked (show[0..ENDS) and show[ENDS..)). */
static void ranking_table(pctx *p, const cmp_indicator *ind, const int *show, int nshow,
                          int cut)
{
    rdoc *d = p->doc;
    const char *yv[] = {"year", ind->rank_year ? intf(p, ind->rank_year) : "", NULL};
    const char *vh = ind->rank_year ? fill(p, "col", "value_year", yv) : T(p, "col", "value");
    const char *heads[10] = {T(p, "col", "rank"),   T(p, "col", "region"),
                             T(p, "col", "plan"),   vh,
                             T(p, "col", "current"), T(p, "col", "target"),
                             T(p, "col", "status"), T(p, "col", "forecast"),
                             T(p, "col", "gap"),    T(p, "col", "gap_pct")};
    static const double rel[] = {0.5, 1.2, 1.55, 0.8, 1.05, 1.45, 0.65, 0.85, 0.75, 0.7};
    double w[10];
    widths(p, rel, 10, w);
    rstyle cs = RST_CELL, chs = RST_CELL_HEAD;
    rtable *tb = rdoc_table_begin(d, 10, w, heads, &cs, &chs);
    for (int k = 0; k < nshow; k++) {
        if (show && cut && k == ENDS) {
            rdoc_table_end(tb);
            rstyle sm = RST_SMALL;
            sm.color = grey;
            sm.align = RA_CENTER;
            const char *v[] = {"n", intf(p, cut), NULL};
            rdoc_para(d, fill(p, "document", "ranking_cut", v), &sm);
            tb = rdoc_table_begin(d, 10, w, heads, &cs, &chs);
        }
        rcell row[10];
        ranking_row(p, &ind->rows[show ? show[k] : k], row);
        rdoc_table_row(tb, row);
    }
    rdoc_table_end(tb);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile q of sorted v[0..n), by linear interpolation (n > 0). */
static double quantile(const double *v, int n, double q)
{
    double h = (n - 1) * q;
    int lo = (int)h;
    return lo + 1 < n ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[n - 1];
}

/* A long section's summary: the distribution of the ranked values and the
 * regions off track (the first NAMES_SHOWN by rank). */
static void long_section_notes(pctx *p, const cmp_indicator *ind)
{
    rdoc *d = p->doc;
    rstyle sm = RST_SMALL;
    sm.align = RA_JUSTIFY;
    double *v = xcalloc((size_t)ind->nrows, sizeof *v);
    int n = 0, off = 0;
    for (int k = 0; k < ind->nrows; k++) {
        if (ind->rows[k].rank)
            v[n++] = ind->rows[k].rank_value;
        off += ind->rows[k].off_track != 0;
    }
    if (n > 0) {
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        const char *dv[] = {"nranked", intf(p, n), "min", num(p, v[0]), "q1",
                            num(p, quantile(v, n, 0.25)), "median", num(p, quantile(v, n, 0.5)),
                            "q3", num(p, quantile(v, n, 0.75)), "max", num(p, v[n - 1]),
                            "unit", ind->unit, NULL};
        rdoc_para(d, fill(p, "document", "distribution", dv), &sm);
    }
    free(v);
    if (off > 0) {
        strbuf names;
        sb_init(&names);
        int named = 0;
        for (int k = 0; k < ind->nrows && named < NAMES_SHOWN; k++)
            if (ind->rows[k].off_track) {
                if (named++)
                    sb_add(&names, "、");
                sb_add(&names, ind->rows[k].region_name);
            }
        const char *ov[] = {"n", intf(p, off), "regions", names.s ? names.s : "", NULL};
        rdoc_para(d, fill(p, "document", off > named ? "offtrack_regions_more" : "offtrack_regions",
                          ov), &sm);
        sb_free(&names);
    }
    rdoc_space(d, 4);
}

/* Rows shown of a long ranking: the first ENDS and the last ENDS ranked;
 * *cut: how many are left out (unranked ones included). */
static int *ends_of_ranking(const cmp_indicator *ind, int *nshow, int *cut)
{
    int nranked = 0;
    for (int k = 0; k < ind->nrows; k++)
        nranked += ind->rows[k].rank != 0;
    int *show = xcalloc(2 * ENDS + 1, sizeof *show), n = 0;
    /* rows are by rank, the unranked last */
    for (int k = 0; k < ind->nrows && k < ENDS; k++)
        show[n++] = k;
    for (int k = nranked - ENDS > ENDS ? nranked - ENDS : ENDS; k < nranked; k++)
        show[n++] = k;
    *nshow = n;
    *cut = ind->nrows - n;
    return show;
}

static void indicator_section(pctx *p, const cmp_indicator *ind, int no)
{
    rdoc *d = p->doc;
    const char *hv[] = {"no", intf(p, no), "name", ind->name, NULL};
    heading(p, fill(p, "document", "indicator_heading", hv));
    rstyle sm = RST_SMALL;
    sm.color = grey;
    const char *better = T(p, "better", ind->better > 0 ? "higher" : ind->better < 0 ? "lower"
                                                                                      : "other");
    const char *mv[] = {"catalogue", ind->catalogue, "unit", ind->unit, "better", better,
                        "nplans", intf(p, ind->nrows), NULL};
    strbuf b;
    sb_init(&b);
    sb_add(&b, fill(p, "document", "indicator_meta", mv));
    if (ind->rank_year) {
        const char *v[] = {"year", intf(p, ind->rank_year), NULL};
        sb_add(&b, fill(p, "document", "rank_year", v));
    } else {
        sb_add(&b, T(p, "document", "rank_latest"));
    }
    if (ind->years_differ) {
        strbuf ys;
        sb_init(&ys);
        for (int k = 0; k < ind->nrows; k++)
            if (ind->rows[k].latest_year) {
                const char *v[] = {"plan", ind->rows[k].plan_title, "year",
                                   intf(p, ind->rows[k].latest_year), NULL};
                if (ys.len)
                    sb_add(&ys, ", ");
                sb_add(&ys, fill(p, "cell", "plan_years", v));
            }
        const char *v[] = {"years", ys.s ? ys.s : "", NULL};
        sb_add(&b, fill(p, "document", "years_differ", v));
        sb_free(&ys);
    }
    strbuf conv;
    sb_init(&conv);
    for (int k = 0; k < ind->nrows; k++)
        if (ind->rows[k].factor != 1 && ind->rows[k].factor != 0) {
            if (conv.len)
                sb_add(&conv, ", ");
            sb_add(&conv, ind->rows[k].plan_title);
        }
    if (conv.len) {
        const char *v[] = {"plans", conv.s, "unit", ind->unit, NULL};
        sb_add(&b, fill(p, "document", "unit_note", v));
    }
    sb_free(&conv);
    if (ind->nsmall)
        sb_add(&b, T(p, "document", "small_note"));
    rdoc_para(d, b.s, &sm);
    sb_free(&b);
    rdoc_space(d, 4);

    int *show = NULL, nshow = ind->nrows, cut = 0;
    if (ind->nrows > FULL_ROWS) {
        long_section_notes(p, ind);
        show = ends_of_ranking(ind, &nshow, &cut);
    }
    ranking_table(p, ind, show, nshow, cut);
    small_multiples(p, ind, show, nshow);
    free(show);
}

static void render(pctx *p)
{
    opening(p);
    for (int i = 0; i < p->c->ninds; i++)
        indicator_section(p, &p->c->inds[i], i + 1);
}

/* The document date (util.h output_date()). */
static void doc_date(int eval_year, struct tm *out)
{
    time_t t = output_date(eval_year);
    memset(out, 0, sizeof *out);
    gmtime_r(&t, out);
}

int comparison_write_pdf(const char *path, const comparison *c, const labels *t,
                         rfonts_cache *fonts_cache, diag_list *d)
{
    pctx p;
    memset(&p, 0, sizeof p);
    p.c = c;
    p.t = t;
    doc_date(c->eval_year, &p.date);
    /* the run's fonts when it has them: the faces parsed and their
     * coverage found once per process, not again for this document */
    rfonts *own = NULL;
    const char *body = label(t, "fonts", "body"), *head = label(t, "fonts", "heading");
    const rfonts *fonts = fonts_cache ? rfonts_cached(fonts_cache, body, head, d)
                          : rfonts_open(&own, body, head, d) == 0 ? own
                                                                   : NULL;
    if (!fonts)
        return -1;
    rdoc_info info;
    memset(&info, 0, sizeof info);
    info.title = T(&p, "document", "file_title");
    info.author = T(&p, "document", "author");
    info.creator = "planeval";
    info.year = p.date.tm_year + 1900;
    info.month = p.date.tm_mon + 1;
    info.day = p.date.tm_mday;
    info.hour = p.date.tm_hour;
    info.minute = p.date.tm_min;
    info.second = p.date.tm_sec;
    info.outline_open = 1;
    int rc = -1;
    p.doc = rdoc_new(fonts, &info, d);
    if (p.doc && !rdoc_failed(p.doc)) {
        rdoc_begin_pass(p.doc, 1);
        render(&p);
        rdoc_end_pass(p.doc);
        rdoc_set_decorate(p.doc, decorate, &p);
        rdoc_begin_pass(p.doc, 0);
        render(&p);
        rdoc_end_pass(p.doc);
        rc = rdoc_failed(p.doc) ? -1 : rdoc_save(p.doc, path);
    }
    if (p.doc)
        rdoc_free(p.doc);
    rfonts_free(own);
    strpool_free(&p.pool);
    return rc;
}
