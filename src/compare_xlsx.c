/*
 * compare_xlsx.c - comparison.xlsx (compare.h), with libxlsxwriter and the
 * conventions of workbook.c: sheet names and wording from the templates,
 * a fixed creation date, every call's error kept and the file removed when
 * one failed.
 *
 * Sheets: overview (the regions), ranking (comparison.csv as a table), gaps (the
 * off-track plans, largest gap first), values (observed values, indicator x
 * plan x year, in the indicator's common unit) and charts (one native line
 * chart per shared indicator over values, a line per plan).
 */
#include "compare.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

typedef struct xctx {
    lxw_workbook *w;
    const comparison *c;
    const labels *t;
    lxw_error err;
    const char *err_where;
    lxw_format *title, *head, *italic, *num, *pct, *red, *grey;
} xctx;

static void check(xctx *x, lxw_error e, const char *what)
{
    if (e != LXW_NO_ERROR && x->err == LXW_NO_ERROR) {
        x->err = e;
        x->err_where = what;
    }
}

static const char *T(xctx *x, const char *section, const char *code)
{
    return label(x->t, section, code);
}

static void str(xctx *x, lxw_worksheet *ws, int r, int c, const char *s, lxw_format *f)
{
    if (s && s[0])
        check(x, worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, f),
              "worksheet_write_string");
}

static void number(xctx *x, lxw_worksheet *ws, int r, int c, int has, double v, lxw_format *f)
{
    if (has)
        check(x, worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, v, f),
              "worksheet_write_number");
}

static void header(xctx *x, lxw_worksheet *ws, int r, const char *const *texts, int n)
{
    for (int i = 0; i < n; i++)
        str(x, ws, r, i, texts[i], x->head);
    check(x, worksheet_set_row(ws, (lxw_row_t)r, 30, NULL), "worksheet_set_row");
}

static lxw_worksheet *sheet(xctx *x, const char *code)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->w, T(x, "sheet", code));
    if (!ws)
        check(x, LXW_ERROR_SHEETNAME_ALREADY_USED, "workbook_add_worksheet (sheet name)");
    return ws;
}

static void widths(xctx *x, lxw_worksheet *ws, const double *w, int n)
{
    for (int i = 0; i < n; i++)
        check(x, worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, w[i], NULL),
              "worksheet_set_column");
}

static const char *better_code(int b)
{
    return b > 0 ? "higher" : b < 0 ? "lower" : "other";
}

/* ---------- overview ---------- */

static void overview(xctx *x, lxw_worksheet *ws)
{
    const comparison *c = x->c;
    str(x, ws, 0, 0, T(x, "document", "title"), x->title);
    int off = 0;
    for (int i = 0; i < c->nregions; i++)
        off += c->regions[i].off_track;
    char a[16], b[16], d[16], e[16], f[16];
    snprintf(a, sizeof a, "%d", c->nplans);
    snprintf(b, sizeof b, "%d", c->nregions);
    snprintf(d, sizeof d, "%d", c->ninds);
    snprintf(e, sizeof e, "%d", c->eval_year);
    snprintf(f, sizeof f, "%d", off);
    const char *v[] = {"nplans", a, "nregions", b, "nshared", d, "year", e, "offtrack", f, NULL};
    char *line = cmp_fill(x->t, "document", "cover_line", v);
    str(x, ws, 1, 0, line, NULL);
    free(line);
    static const char *const sc[] = {"region", "plans", "rows", "met", "not_met",
                                     "not_yet_due", "other", "off_track"};
    const char *h[8];
    for (int i = 0; i < 8; i++)
        h[i] = T(x, "summary", sc[i]);
    header(x, ws, 3, h, 8);
    for (int i = 0; i < c->nregions; i++) {
        const cmp_region *g = &c->regions[i];
        int r = 4 + i;
        str(x, ws, r, 0, g->region_name, NULL);
        str(x, ws, r, 1, g->plans, NULL);
        int n[6] = {g->rows, g->met, g->not_met, g->not_yet_due, g->other, g->off_track};
        for (int k = 0; k < 6; k++)
            number(x, ws, r, 2 + k, 1, n[k], k == 5 && n[k] ? x->red : NULL);
    }
    static const double w[] = {12, 44, 10, 8, 8, 8, 8, 10};
    widths(x, ws, w, 8);
}

/* ---------- ranking ---------- */

enum { R_CAT, R_NAME, R_UNIT, R_BETTER, R_RANKYEAR, R_RANK, R_VALUE, R_NOTE, R_REGION, R_PLAN,
       R_OWNID, R_OWNNAME, R_LATESTYEAR, R_LATEST, R_TARGETYEAR, R_TARGET, R_LIMIT, R_CURRENT,
       R_STATUS, R_FORECAST, R_PROB, R_GAP, R_GAPPCT, R_N };

static void ranking(xctx *x, lxw_worksheet *ws)
{
    static const char *const hc[R_N] = {
        "catalogue", "indicator", "unit", "better", "rank_year", "rank", "value", "note", "region",
        "plan", "own_id", "own_name", "latest_year", "latest", "target_year", "target", "limit",
        "current", "status", "forecast", "probability", "gap", "gap_pct"};
    const char *h[R_N];
    for (int i = 0; i < R_N; i++)
        h[i] = T(x, "col", hc[i]);
    str(x, ws, 0, 0, T(x, "xlsx", "ranking_note"), x->italic);
    header(x, ws, 1, h, R_N);
    int r = 2;
    for (int i = 0; i < x->c->ninds; i++) {
        const cmp_indicator *ind = &x->c->inds[i];
        for (int k = 0; k < ind->nrows; k++, r++) {
            const cmp_row *w = &ind->rows[k];
            str(x, ws, r, R_CAT, ind->catalogue, NULL);
            str(x, ws, r, R_NAME, ind->name, NULL);
            str(x, ws, r, R_UNIT, ind->unit, NULL);
            str(x, ws, r, R_BETTER, T(x, "better", better_code(ind->better)), NULL);
            number(x, ws, r, R_RANKYEAR, w->rank_year != 0, w->rank_year, NULL);
            number(x, ws, r, R_RANK, w->rank != 0, w->rank,
                   w->note == CN_SMALL_COUNT ? x->grey : NULL);
            number(x, ws, r, R_VALUE, w->rank != 0, w->rank_value, x->num);
            if (w->note != CN_NONE)
                str(x, ws, r, R_NOTE, T(x, "note", cmp_note_code(w->note)), NULL);
            str(x, ws, r, R_REGION, w->region_name, NULL);
            str(x, ws, r, R_PLAN, w->plan_id, NULL);
            str(x, ws, r, R_OWNID, w->indicator_id, NULL);
            str(x, ws, r, R_OWNNAME, w->name, NULL);
            number(x, ws, r, R_LATESTYEAR, w->latest_year != 0, w->latest_year, NULL);
            number(x, ws, r, R_LATEST, w->latest_year != 0, w->latest, x->num);
            number(x, ws, r, R_TARGETYEAR, 1, w->target_year, NULL);
            char *tg = xasprintf("%s%s", w->comparator_zh, w->target_value);
            str(x, ws, r, R_TARGET, tg, NULL);
            free(tg);
            number(x, ws, r, R_LIMIT, w->has_limit, w->limit, x->num);
            number(x, ws, r, R_CURRENT, w->has_current, w->current, x->num);
            str(x, ws, r, R_STATUS, w->status_zh, w->off_track ? x->red : NULL);
            str(x, ws, r, R_FORECAST, w->forecast_status_zh, NULL);
            number(x, ws, r, R_PROB, w->has_prob, w->prob, NULL);
            number(x, ws, r, R_GAP, w->has_gap, w->gap, w->has_gap && w->gap > 0 ? x->red : x->num);
            number(x, ws, r, R_GAPPCT, w->has_gap_pct, w->gap_pct, x->pct);
        }
    }
    static const double w[R_N] = {24, 28, 12, 10, 9, 6, 12, 22, 10, 20, 8, 36, 9, 12, 8, 16, 10,
                                  12, 10, 10, 9, 10, 9};
    widths(x, ws, w, R_N);
    worksheet_freeze_panes(ws, 2, 2);
    check(x, worksheet_autofilter(ws, 1, 0, (lxw_row_t)(r > 2 ? r - 1 : 2), R_N - 1),
          "worksheet_autofilter");
}

/* ---------- gaps ---------- */

typedef struct gap_item {
    const cmp_indicator *ind;
    const cmp_row *row;
} gap_item;

static int cmp_gap(const void *a, const void *b)
{
    const cmp_row *x = ((const gap_item *)a)->row, *y = ((const gap_item *)b)->row;
    if (x->has_gap_pct != y->has_gap_pct)
        return x->has_gap_pct ? -1 : 1;
    if (x->has_gap_pct && x->gap_pct != y->gap_pct)
        return x->gap_pct > y->gap_pct ? -1 : 1;
    int c = strcmp(((const gap_item *)a)->ind->catalogue, ((const gap_item *)b)->ind->catalogue);
    return c ? c : strcmp(x->plan_id, y->plan_id);
}

static void gaps(xctx *x, lxw_worksheet *ws)
{
    static const char *const hc[] = {"indicator", "catalogue", "region", "plan", "unit",
                                      "current", "limit", "target", "status", "forecast",
                                      "gap", "gap_pct"};
    const int n = (int)(sizeof hc / sizeof hc[0]);
    const char *h[12];
    for (int i = 0; i < n; i++)
        h[i] = T(x, "col", hc[i]);
    str(x, ws, 0, 0, T(x, "xlsx", "gaps_note"), x->italic);
    header(x, ws, 1, h, n);
    gap_item *items = NULL;
    size_t count = 0, cap = 0;
    for (int i = 0; i < x->c->ninds; i++)
        for (int k = 0; k < x->c->inds[i].nrows; k++)
            if (x->c->inds[i].rows[k].off_track) {
                gap_item *g = ARRAY_PUSH(items, count, cap);
                g->ind = &x->c->inds[i];
                g->row = &x->c->inds[i].rows[k];
            }
    if (count)
        qsort(items, count, sizeof *items, cmp_gap);
    for (size_t i = 0; i < count; i++) {
        const cmp_row *w = items[i].row;
        int r = 2 + (int)i;
        str(x, ws, r, 0, items[i].ind->name, NULL);
        str(x, ws, r, 1, items[i].ind->catalogue, NULL);
        str(x, ws, r, 2, w->region_name, NULL);
        str(x, ws, r, 3, w->plan_id, NULL);
        str(x, ws, r, 4, w->unit, NULL);
        number(x, ws, r, 5, w->has_current, w->current, x->num);
        number(x, ws, r, 6, w->has_limit, w->limit, x->num);
        char *tg = xasprintf("%d %s%s", w->target_year, w->comparator_zh, w->target_value);
        str(x, ws, r, 7, tg, NULL);
        free(tg);
        str(x, ws, r, 8, w->status_zh, x->red);
        str(x, ws, r, 9, w->forecast_status_zh, NULL);
        number(x, ws, r, 10, w->has_gap, w->gap, x->num);
        number(x, ws, r, 11, w->has_gap_pct, w->gap_pct, x->pct);
    }
    free(items);
    static const double w[] = {30, 24, 10, 20, 12, 10, 10, 16, 10, 10, 10, 9};
    widths(x, ws, w, n);
    worksheet_freeze_panes(ws, 2, 1);
}

/* ---------- values and charts ---------- */

#define V_YEAR0 5 /* first year column of values */

static void values_and_charts(xctx *x, lxw_worksheet *ws, lxw_worksheet *cs)
{
    const comparison *c = x->c;
    int first = 0, last = 0;
    for (int i = 0; i < c->ninds; i++) {
        const cmp_indicator *ind = &c->inds[i];
        if (ind->first_year && (!first || ind->first_year < first))
            first = ind->first_year;
        if (ind->last_year > last)
            last = ind->last_year;
    }
    if (!first)
        first = last = c->eval_year;
    if (last - first > 200)
        first = last - 200;
    int ny = last - first + 1;
    static const char *const hc[] = {"catalogue", "indicator", "region", "plan", "unit"};
    const char *h[5];
    for (int i = 0; i < 5; i++)
        h[i] = T(x, "col", hc[i]);
    str(x, ws, 0, 0, T(x, "xlsx", "values_note"), x->italic);
    header(x, ws, 1, h, 5);
    for (int k = 0; k < ny; k++)
        number(x, ws, 1, V_YEAR0 + k, 1, first + k, x->head);
    const char *name = T(x, "sheet", "values");
    str(x, cs, 0, 0, T(x, "xlsx", "charts_note"), x->italic);
    int r = 2;
    for (int i = 0; i < c->ninds; i++) {
        const cmp_indicator *ind = &c->inds[i];
        int r0 = r;
        for (int k = 0; k < ind->nrows; k++, r++) {
            const cmp_row *w = &ind->rows[k];
            double f = w->factor > 0 ? w->factor : 1;
            str(x, ws, r, 0, ind->catalogue, NULL);
            str(x, ws, r, 1, ind->name, NULL);
            str(x, ws, r, 2, w->region_name, NULL);
            str(x, ws, r, 3, w->plan_id, NULL);
            str(x, ws, r, 4, ind->unit, NULL);
            for (int y = 0; y < w->nyears; y++)
                if (w->years[y] >= first && w->years[y] <= last)
                    number(x, ws, r, V_YEAR0 + w->years[y] - first, 1, w->values[y] * f, x->num);
        }
        lxw_chart *ch = workbook_add_chart(x->w, LXW_CHART_LINE);
        if (!ch) {
            check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_chart");
            break;
        }
        char *title = xasprintf("%s (%s)", ind->name, ind->unit);
        chart_title_set_name(ch, title);
        lxw_chart_font tf;
        memset(&tf, 0, sizeof tf);
        tf.size = 11;
        tf.bold = 1;
        chart_title_set_name_font(ch, &tf);
        for (int k = 0; k < ind->nrows; k++) {
            lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
            if (!s) {
                check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "chart_add_series");
                break;
            }
            chart_series_set_categories(s, name, 1, V_YEAR0, 1, (lxw_col_t)(V_YEAR0 + ny - 1));
            chart_series_set_values(s, name, (lxw_row_t)(r0 + k), V_YEAR0, (lxw_row_t)(r0 + k),
                                    (lxw_col_t)(V_YEAR0 + ny - 1));
            chart_series_set_name_range(s, name, (lxw_row_t)(r0 + k), 3);
            chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
            chart_series_set_marker_size(s, 4);
        }
        chart_axis_set_name(ch->x_axis, T(x, "xlsx", "axis_year"));
        if (ind->unit[0])
            chart_axis_set_name(ch->y_axis, ind->unit);
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        chart_show_blanks_as(ch, LXW_CHART_BLANKS_AS_GAP);
        lxw_chart_options o;
        memset(&o, 0, sizeof o);
        o.x_scale = 1.0;
        o.y_scale = 1.0;
        o.description = title;
        check(x,
              worksheet_insert_chart_opt(cs, (lxw_row_t)(2 + (i / 2) * 16), (lxw_col_t)((i % 2) * 9),
                                         ch, &o),
              "worksheet_insert_chart");
        free(title);
    }
    static const double w[] = {24, 28, 10, 20, 12};
    widths(x, ws, w, 5);
    check(x, worksheet_set_column(ws, V_YEAR0, (lxw_col_t)(V_YEAR0 + ny - 1), 10, NULL),
          "worksheet_set_column");
    worksheet_freeze_panes(ws, 2, V_YEAR0);
    worksheet_set_landscape(cs);
    worksheet_set_paper(cs, 9);
    worksheet_fit_to_pages(cs, 1, 0);
}

/* ---------- the workbook ---------- */

static time_t creation_time(int eval_year)
{
    /* libxlsxwriter reads a creation time of 0 as "now". */
    time_t t = output_date(eval_year);
    return t == 0 ? 1 : t;
}

static lxw_format *format(xctx *x)
{
    lxw_format *f = workbook_add_format(x->w);
    if (!f)
        check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_format");
    return f;
}

int comparison_write_xlsx(const char *path, const comparison *c, const labels *t, diag_list *d)
{
    xctx x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.t = t;
    /* Constant-memory mode: each sheet's rows go to a temporary file as they
     * are written (so every sheet is written top to bottom) instead of a
     * tree of cells held to the end, which at 1000 regions was most of the
     * parent's peak memory. Strings are then inline strings and the charts
     * carry no cached values: readers take both from the cells. The
     * temporary files live beside the workbook being written, not in a
     * /tmp that may be memory. */
    char *tmpdir = path_parent(path);
    lxw_workbook_options opt;
    memset(&opt, 0, sizeof opt);
    opt.constant_memory = LXW_TRUE;
    opt.tmpdir = tmpdir;
    x.w = workbook_new_opt(path, &opt);
    if (!x.w) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "workbook: cannot create: %s", strerror(errno));
        free(tmpdir);
        return -1;
    }
    if ((x.title = format(&x))) {
        format_set_bold(x.title);
        format_set_font_size(x.title, 14);
    }
    if ((x.head = format(&x))) {
        format_set_bold(x.head);
        format_set_text_wrap(x.head);
        format_set_bg_color(x.head, 0xD9E1F2);
        format_set_bottom(x.head, LXW_BORDER_THIN);
        format_set_align(x.head, LXW_ALIGN_VERTICAL_CENTER);
    }
    if ((x.italic = format(&x)))
        format_set_italic(x.italic);
    if ((x.num = format(&x)))
        format_set_num_format(x.num, "0.####");
    if ((x.pct = format(&x))) {
        format_set_num_format(x.pct, "0.0");
        format_set_font_color(x.pct, 0x9C0006);
    }
    if ((x.red = format(&x)))
        format_set_font_color(x.red, 0x9C0006);
    if ((x.grey = format(&x)))
        format_set_font_color(x.grey, 0x808080);

    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = (char *)T(&x, "document", "file_title");
    props.author = (char *)T(&x, "document", "author");
    props.category = (char *)T(&x, "props", "category");
    props.keywords = (char *)T(&x, "props", "keywords");
    props.comments = (char *)T(&x, "props", "comments");
    props.created = creation_time(c->eval_year);
    check(&x, workbook_set_properties(x.w, &props), "workbook_set_properties");
    check(&x, workbook_set_custom_property_integer(x.w, "evaluation_year", c->eval_year),
          "workbook_set_custom_property_integer");

    lxw_worksheet *ov = sheet(&x, "overview"), *rk = sheet(&x, "ranking"), *gp = sheet(&x, "gaps"),
                  *vl = sheet(&x, "values"), *ch = sheet(&x, "charts");
    if (ov && rk && gp && vl && ch && x.err == LXW_NO_ERROR) {
        overview(&x, ov);
        ranking(&x, rk);
        gaps(&x, gp);
        values_and_charts(&x, vl, ch);
    }
    check(&x, workbook_close(x.w), "workbook_close");
    free(tmpdir);
    if (x.err != LXW_NO_ERROR) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "workbook: %s: %s", x.err_where, lxw_strerror(x.err));
        unlink(path);
        return -1;
    }
    return 0;
}
