/*
 * review.c - the data-quality review (review.h).
 */
#include "review.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "results.h"
#include "util.h"

static review_note *add(review *rv, review_check check, int var, int ind, int year)
{
    review_note *n = ARRAY_PUSH(rv->notes, rv->n, rv->cap);
    memset(n, 0, sizeof *n);
    n->check = check;
    n->var = var;
    n->ind = ind;
    n->year = n->year2 = year;
    return n;
}

static int small(const var_def *v, double x)
{
    return v->kind == VK_COUNT && x < REVIEW_MIN_COUNT;
}

/* Missing years (in runs) and jumps of one variable. */
static void review_var(review *rv, const eval_context *ec, int var, int ind, int first, int last)
{
    const var_def *v = &ec->dict->vars[var];
    /* the open run of missing years, by index: add() may move the notes */
    size_t run = (size_t)-1;
    fvalue prev = fv_missing();
    for (int y = first; y <= last; y++) {
        fvalue x = region_value(ec->r, var, NULL, 0, y, NULL, NULL);
        if (x.state == FV_OK && v->has_plausible &&
            (x.v < v->plausible[0] || x.v > v->plausible[1])) {
            review_note *n = add(rv, RC_RANGE, var, ind, y);
            n->value = x.v;
            n->other = x.v < v->plausible[0] ? v->plausible[0] : v->plausible[1];
        }
        if (x.state != FV_OK) {
            if (run != (size_t)-1 && rv->notes[run].year2 == y - 1) {
                rv->notes[run].year2 = y;
            } else {
                add(rv, RC_MISSING, var, ind, y);
                run = rv->n - 1;
            }
        } else if (prev.state == FV_OK && prev.v > 0 && x.v > 0 && !small(v, prev.v) &&
                   !small(v, x.v) &&
                   (x.v > REVIEW_JUMP_FACTOR * prev.v || prev.v > REVIEW_JUMP_FACTOR * x.v)) {
            review_note *n = add(rv, RC_JUMP, var, ind, y);
            n->value = x.v;
            n->other = prev.v;
        }
        prev = x;
    }
}

/* 1 if the ratio counts a part of a whole: numerator and denominator are
 * each one variable, in the same unit (units covered / units). A stock
 * over a norm (reserves / need) may rightly exceed 100 % and is left out. */
static int part_of_whole(const eval_context *ec, const indicator *ind)
{
    formula_ref a, b;
    if (ind->kind != IND_QUANTITATIVE || !ind->numerator || !ind->denominator ||
        !ind->numerator->f || !ind->denominator->f || !ind->unit || strcmp(ind->unit, "%") != 0 ||
        !formula_is_single_ref(ind->numerator->f, &a) ||
        !formula_is_single_ref(ind->denominator->f, &b) || a.kind != REF_VARIABLE ||
        b.kind != REF_VARIABLE)
        return 0;
    const char *ua = ec->dict->vars[a.id].unit, *ub = ec->dict->vars[b.id].unit;
    return ua && ub && strcmp(ua, ub) == 0;
}

/* A percentage of a part in its whole whose part exceeds the whole. */
static void review_ratio(review *rv, const eval_context *ec, int i, int first, int last)
{
    const indicator *ind = &ec->p->inds[i];
    if (!part_of_whole(ec, ind))
        return;
    for (int y = first; y <= last; y++) {
        year_value yv = compute_indicator(ec, ind, y);
        /* only a plain percentage compares its parts: a scale other than
         * 100 converts units (万元 over 亿元) and the parts are not alike */
        if (yv.scale == 100 && yv.num.state == FV_OK && yv.den.state == FV_OK && yv.den.v > 0 &&
            yv.num.v > yv.den.v * (1 + 1e-12)) {
            review_note *n = add(rv, RC_PART, -1, i, y);
            n->value = yv.num.v;
            n->other = yv.den.v;
        }
    }
}

void review_plan(review *rv, const eval_context *ec, int first, int last)
{
    memset(rv, 0, sizeof *rv);
    var_uses u;
    var_uses_build(&u, ec->p, ec->cat, ec->dict);
    for (int v = 0; v < ec->dict->nvars; v++)
        if (u.used[v] && ec->dict->tables[ec->dict->vars[v].table].layout != LAYOUT_EVENTS &&
            region_has_table(ec->r, v))
            review_var(rv, ec, v, u.inds[v][0], first, last);
    for (int i = 0; i < ec->p->ninds; i++)
        review_ratio(rv, ec, i, first, last);
    var_uses_free(&u, ec->dict->nvars);
}

void review_free(review *rv)
{
    free(rv->notes);
    memset(rv, 0, sizeof *rv);
}

static const char *var_label(const eval_context *ec, int var)
{
    const var_def *v = &ec->dict->vars[var];
    return v->label ? v->label : v->name;
}

void review_print(const review *rv, const eval_context *ec, FILE *out)
{
    char a[32], b[32], c[32];
    for (size_t i = 0; i < rv->n; i++) {
        const review_note *n = &rv->notes[i];
        const indicator *ind = &ec->p->inds[n->ind];
        switch (n->check) {
        case RC_MISSING:
            fprintf(out, "  missing: %s (%s) ", ec->dict->vars[n->var].name, var_label(ec, n->var));
            if (n->year2 > n->year)
                fprintf(out, "%d-%d\n", n->year, n->year2);
            else
                fprintf(out, "%d\n", n->year);
            break;
        case RC_JUMP:
            fprintf(out, "  jump: %s (%s) %d %s -> %d %s (x%.2f)\n", ec->dict->vars[n->var].name,
                    var_label(ec, n->var), n->year - 1, format_number(n->other, a), n->year,
                    format_number(n->value, b), n->value / n->other);
            break;
        case RC_RANGE:
            fprintf(out, "  out of range: %s (%s) %d %s, plausible %s-%s\n",
                    ec->dict->vars[n->var].name, var_label(ec, n->var), n->year,
                    format_number(n->value, a),
                    format_number(ec->dict->vars[n->var].plausible[0], b),
                    format_number(ec->dict->vars[n->var].plausible[1], c));
            break;
        case RC_PART:
            fprintf(out, "  part above its whole: %s %s %d: numerator %s > denominator %s\n",
                    ind->id, ind->name, n->year, format_number(n->value, a),
                    format_number(n->other, b));
            break;
        }
    }
}

/* The departments of the indicator a note is about ("" when none). */
static char *departments(const eval_context *ec, const review_note *n)
{
    const indicator *ind = &ec->p->inds[n->ind];
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, "");
    for (int k = 0; k < ind->ndepartments; k++) {
        if (k)
            sb_add(&sb, "\xe3\x80\x81"); /* 、 */
        sb_add(&sb, ind->departments[k]);
    }
    return sb_take(&sb);
}

typedef struct sorted_note {
    char *dept;
    size_t index;
} sorted_note;

static int cmp_sorted(const void *pa, const void *pb)
{
    const sorted_note *a = pa, *b = pb;
    int c = strcmp(a->dept, b->dept);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The eight texts of a note's row (buf holds the years and the two figures). */
static void note_fields(const review_note *n, const eval_context *ec, const labels *w,
                        const char *dept, const char *f[8], char buf[3][32])
{
    static const char *const checks[] = {"missing", "jump", "part", "range"};
    const indicator *ind = &ec->p->inds[n->ind];
    if (n->year2 > n->year)
        snprintf(buf[0], 32, "%d\xe2\x80\x94%d", n->year, n->year2);
    else
        snprintf(buf[0], 32, "%d", n->year);
    f[0] = dept;
    f[1] = n->var >= 0 ? var_label(ec, n->var) : ind->name;
    f[2] = n->var >= 0 ? (ec->dict->vars[n->var].unit ? ec->dict->vars[n->var].unit : "") : ind->unit;
    f[3] = buf[0];
    f[4] = label(w, "review", checks[n->check]);
    f[5] = n->check == RC_MISSING ? "" : format_number(n->value, buf[1]);
    f[6] = n->check == RC_MISSING ? "" : format_number(n->other, buf[2]);
    f[7] = ""; /* the department's answer */
}

static const char *const head_codes[8] = {"col_department", "col_item", "col_unit", "col_years",
                                          "col_check", "col_value", "col_other", "col_answer"};

/* The notes in department order (stable); free with free_sorted. */
static sorted_note *sort_notes(const review *rv, const eval_context *ec, const labels *w)
{
    sorted_note *s = xcalloc(rv->n + 1, sizeof *s);
    for (size_t i = 0; i < rv->n; i++) {
        s[i].dept = departments(ec, &rv->notes[i]);
        if (!s[i].dept[0]) {
            free(s[i].dept);
            s[i].dept = xstrdup(label(w, "review", "no_department"));
        }
        s[i].index = i;
    }
    qsort(s, rv->n, sizeof *s, cmp_sorted);
    return s;
}

static void free_sorted(sorted_note *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].dept);
    free(s);
}

int review_write_csv(const review *rv, const eval_context *ec, const labels *w, FILE *out)
{
    for (int k = 0; k < 8; k++)
        csv_field(out, label(w, "review", head_codes[k]), k == 7);
    sorted_note *s = sort_notes(rv, ec, w);
    for (size_t i = 0; i < rv->n; i++) {
        const char *f[8];
        char buf[3][32];
        note_fields(&rv->notes[s[i].index], ec, w, s[i].dept, f, buf);
        for (int k = 0; k < 8; k++)
            csv_field(out, f[k], k == 7);
    }
    free_sorted(s, rv->n);
    return ferror(out) ? -1 : 0;
}

/* ---------- the workbook: a sheet per department ---------- */

typedef struct rbook {
    lxw_workbook *w;
    lxw_format *head, *open;
    lxw_error err;
} rbook;

static void rcheck(rbook *b, lxw_error e)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
        b->err = e;
}

/* A sheet name from a department: at most 31 characters, none of []:*?/\ , unique. */
static char *dept_sheet_name(const char *dept, int k)
{
    size_t i = 0;
    for (int chars = 0; dept[i] && chars < 28; chars++)
        do
            i++;
        while (dept[i] && ((unsigned char)dept[i] & 0xc0) == 0x80);
    char *name = xasprintf("%d %.*s", k + 1, (int)i, dept);
    for (char *q = name; *q; q++)
        if (strchr("[]:*?/\\'", *q))
            *q = '_';
    return name;
}

static lxw_worksheet *dept_sheet(rbook *b, const labels *w, const char *dept, int k)
{
    static const double widths[8] = {24, 36, 10, 12, 30, 12, 14, 40};
    char *name = dept_sheet_name(dept, k);
    lxw_worksheet *ws = workbook_add_worksheet(b->w, name);
    free(name);
    if (!ws) {
        rcheck(b, LXW_ERROR_SHEETNAME_ALREADY_USED);
        return NULL;
    }
    for (int c = 0; c < 8; c++) {
        rcheck(b, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL));
        rcheck(b, worksheet_write_string(ws, 0, (lxw_col_t)c, label(w, "review", head_codes[c]), b->head));
    }
    worksheet_freeze_panes(ws, 1, 0);
    return ws;
}

int review_write_xlsx(const review *rv, const eval_context *ec, const labels *w, const char *path,
                      time_t created)
{
    lxw_workbook_options opt;
    memset(&opt, 0, sizeof opt);
    rbook b = {workbook_new_opt(path, &opt), NULL, NULL, LXW_NO_ERROR};
    if (!b.w)
        return -1;
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.author = "planeval";
    props.created = created;
    rcheck(&b, workbook_set_properties(b.w, &props));
    b.head = workbook_add_format(b.w);
    format_set_bold(b.head);
    format_set_bg_color(b.head, 0xDDEBF7);
    b.open = workbook_add_format(b.w);
    format_set_bg_color(b.open, 0xFFF2CC);
    sorted_note *s = sort_notes(rv, ec, w);
    lxw_worksheet *ws = NULL;
    int sheets = 0, row = 0;
    for (size_t i = 0; i < rv->n; i++) {
        if (i == 0 || strcmp(s[i].dept, s[i - 1].dept) != 0) {
            ws = dept_sheet(&b, w, s[i].dept, sheets++);
            row = 0;
        }
        const char *f[8];
        char buf[3][32];
        note_fields(&rv->notes[s[i].index], ec, w, s[i].dept, f, buf);
        row++;
        for (int c = 0; ws && c < 8; c++)
            rcheck(&b, worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)c, f[c],
                                              c == 7 ? b.open : NULL));
    }
    if (sheets == 0)
        dept_sheet(&b, w, label(w, "review", "no_notes"), 0);
    free_sorted(s, rv->n);
    rcheck(&b, workbook_close(b.w));
    return b.err == LXW_NO_ERROR ? 0 : -1;
}
