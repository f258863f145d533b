/*
 * workbook.c - see workbook.h and docs/workbook.md.
 *
 * Layout of the work: load the wording (templates/workbook.yaml), collect
 * the inputs every formula reads (one 原始数据 row per distinct variable
 * reference, parameter and row-read reference), then write the sheets in
 * tab order. Every libxlsxwriter call that reports an error is checked; the
 * first error is kept and, after workbook_close, reported and the file
 * removed, so that the out_set refuses to commit a broken workbook.
 */
#include "workbook.h"
#include "changes.h"
#include "forecast.h"
#include "live.h"
#include "results.h"
#include "util.h"
#include "xlsplit.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define MAX_COLS 160
/* Widest column, in Excel's units (about one Latin character each). */
#define MAX_WIDTH 60.0
#define NAME_WIDTH 40.0
#define MS_STATUS_COL 7 /* 里程碑: the verdict's column (H) */
#define MS_LATEST_COL 8 /* 里程碑: the latest status recorded (I) */

/* ---------- wording ---------- */

/* Every code the writer looks up: checked when workbook.yaml is loaded. */
static const char *const sheet_codes[] = {"overview", "indicators", "yearly", "inputs", "chartdata",
                                          "forecast", "charts", "milestones", "notes",
                                          "helpers", NULL};
static const char *const props_codes[] = {"title_suffix", "author", "category", "keywords",
                                          "comments", NULL};
static const char *const overview_codes[] = {
    "region", "stage", "period", "data_years", "rank", "name", "type", "target_year", "target",
    "figure", "gap", "outlook", "problem", "action", "department", "remarks",
    "remarks_separator", "remarks_end", "counts", "all", "total", "count_note", "colon",
    "item_gap", "dash", "year", "eval_year", NULL};
static const char *const yearly_codes[] = {"id", "name", "row", "unit", "value", "numerator",
                                           "denominator", "observed", "target", "forecast",
                                           "lower80", "upper80", "lower95", "upper95", NULL};
static const char *const inputs_codes[] = {"ref", "label", "kind", "unit", "source", "data",
                                           "param", "records", "no_file", "param_plan",
                                           "param_catalogue", "param_indicator", NULL};
static const char *const comment_codes[] = {"not_applicable", "row_function", "no_formula",
                                            "records", "param_indicator", "too_long",
                                            "helpers", NULL};
static const char *const forecast_codes[] = {"note", "note_done", "note_none", "axis_year",
                                             "model", "computed", "note_live", "program_heading",
                                             NULL};
static const char *const milestones_codes[] = {"id", "name", "kind", "group", "department",
                                               "target_year", "target", "status", "progress",
                                               "date", "evidence", "record", "detail", NULL};
static const char *const live_codes_yaml[] = {"basis", "legend", "overview_legend", NULL};
static const char *const kind_codes[] = {"quantitative", "milestone", "qualitative", NULL};
static const char *const notes_codes[] = {
    "plan_section", "title", "id", "region", "issuer", "issued", "source_file", "plan_file",
    "period", "baseline_period", "midterm_year", "stage", "eval_year", "data_years",
    "plan_notes", "def_section", "def_id", "def_name", "def_kind", "def_unit", "def_precision",
    "def_formula", "def_params", "def_catalogue", "def_notes", "base_section", "base_id",
    "base_target", "base_reading", "base_years", "base_value", "base_source", "base_quote",
    "base_plan", "base_data", "method_section", "files_section", "file_path", "file_encoding",
    "file_rows", "warn_section", "warn_level", "warn_file", "warn_line", "warn_message",
    "warn_none", NULL};

/* The columns of assessment.csv that hold numbers. */
static const char *const numeric_columns[] = {
    "evaluation_year", "target_no", "target_year", "target_value", "baseline_value",
    "current_year", "current_value", "limit", "change_pct", "count", "source_line",
    "target_source_line", "forecast_value", "forecast_lower_80", "forecast_upper_80",
    "forecast_lower_95", "forecast_upper_95", "probability_met", "pace_task_share",
    "pace_time_share", "pace_ratio", "sdg_ratio", "required_annual_change",
    "recent_annual_change", "ci_lower_95", "ci_upper_95", "rank", NULL};

/* Conditional-format colours: fill and font of a verdict's cell (labels.yaml status). */
typedef struct colour_pair {
    lxw_color_t bg, fg;
} colour_pair;

static const colour_pair verdict_colours[V_NOT_APPLICABLE + 1] = {
    [V_MET] = {0xC6EFCE, 0x006100},
    [V_NOT_MET] = {0xFFC7CE, 0x9C0006},
    [V_NOT_YET_DUE] = {0xDDEBF7, 0x1F4E78},
    [V_INSUFFICIENT] = {0xFFEB9C, 0x9C5700},
    [V_NOT_APPLICABLE] = {0xEDEDED, 0x595959},
};

/* ... and of an outlook's (findings.yaml words.outlook), in the hues of the PDFs. */
static const colour_pair outlook_colours[OL_COUNT] = {
    [OL_MET] = {0xC6EFCE, 0x006100},
    [OL_ON_TRACK] = {0xDDEBF7, 0x1F4E78},
    [OL_AT_RISK] = {0xFFEB9C, 0x9C5700},
    [OL_UNLIKELY] = {0xF8CBAD, 0x843C0C},
    [OL_OFF_TRACK] = {0xFFC7CE, 0x9C0006},
    [OL_INSUFFICIENT] = {0xFFF2CC, 0x7F6000},
    [OL_NA] = {0xEDEDED, 0x595959},
};

/* ---------- the writer's state ---------- */

typedef struct sheet {
    lxw_worksheet *ws;
    const char *name;
    double width[MAX_COLS]; /* widest content seen per column */
    double cap[MAX_COLS];   /* 0: MAX_WIDTH; set before writing the column */
    int *lines;             /* per row: lines of its tallest wrapped cell */
    size_t nlines;
} sheet;

enum fmt_flags {
    FM_BOLD = 1, FM_WRAP = 2, FM_HEADER = 4, FM_TITLE = 8, FM_TOP = 16, FM_ITALIC = 32, FM_RED = 64,
    FM_FIXED = 128 /* a program value where a formula cannot be: grey, italic */
};

typedef struct fmt_entry {
    char *numfmt;
    unsigned flags;
    lxw_format *f;
} fmt_entry;

typedef enum input_kind { IN_DATA, IN_PARAM, IN_RECORDS } input_kind;

/* One row of 原始数据. */
typedef struct input_row {
    input_kind kind;
    char *ref;                      /* ps_deaths{sector="道路交通"}, or the parameter name */
    int var;                        /* IN_DATA, IN_RECORDS */
    const formula_filter *filters;
    int nfilters;
    const param_def *pd;            /* IN_PARAM */
    const indicator *scope;         /* IN_PARAM: the indicator whose overrides it depends on */
    const indicator *user;          /* IN_PARAM: an indicator that reads it (for evaluation) */
    int row;
} input_row;

typedef struct wb {
    lxw_workbook *w;
    const outcome *oc;
    const findings *f;
    const evaluation *ev;
    const eval_context *ec;
    const plan *p;
    const labels *lb;
    labels tl;
    lxw_error err;
    char *err_where;
    fmt_entry *fmts;
    size_t nfmts, capfmts;
    lxw_format *plain; /* fmt's format with nothing set (cell_fmt), or NULL */
    input_row *inputs;
    size_t ninputs, capinputs;
    /* print_ref: a variable reference's 原始数据 row (index, -1: none), by the
     * reference's node; the yearly formulas read the same nodes year after year */
    struct ref_memo *refmemo;
    size_t nrefmemo, caprefmemo;
    int in_first, in_years;   /* 原始数据 year columns */
    int yr_first, yr_years;   /* 年度数据 year columns */
    char *quoted_inputs;      /* '原始数据' */
    char *props[3];           /* title, subject, keywords: kept until workbook_close */
    const forecast_set *fs;   /* may be NULL */
    const char *w_na;         /* the not-applicable word of a yearly cell */
    /* labels.yaml's verdict words and findings.yaml's outlook words, looked up once */
    const char *vword[V_NOT_APPLICABLE + 1];
    const char *oword[OL_COUNT];
    char *quoted_yearly;      /* '年度数据' */
    int *yrow;                /* per indicator: its 指标值 row on 年度数据, or -1 */
    int nlive, nfixed;        /* 指标's formulas and the program values marked fixed */
    int ov_live, ov_fixed;    /* the same on 总览 */
    char *quoted_indicators;  /* '指标' */
    char *quoted_milestones;  /* '里程碑' */
    int ind_outlook_col;      /* 指标's outlook column, or -1 */
    char *outlook_live;       /* per finding: its outlook on 指标 is a formula */
    int ind_limit_col;        /* 指标's limit column, or -1 */
    int ind_cur_col;          /* 指标's current-value column, or -1 */
    char *ind_row_live;       /* per finding: its figures on 指标 are formulas */
    struct csv_mem *am;       /* assessment.csv's table, parsed once */
    sheet helpers;            /* 计算辅助: parts of split formulas, made when first needed */
    int nhelpers;
    char *quoted_helpers;
} wb;

static const char *T(const wb *b, const char *section, const char *code)
{
    return label(&b->tl, section, code);
}

static void check(wb *b, lxw_error e, const char *what)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR) {
        b->err = e;
        b->err_where = xstrdup(what);
    }
}

static void check_ptr(wb *b, const void *ptr, const char *what)
{
    if (!ptr)
        check(b, LXW_ERROR_MEMORY_MALLOC_FAILED, what);
}

/* ---------- text width (CJK counts as 2) ---------- */

static int wide_cp(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
           (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x2010 && cp <= 0x2027) ||
           (cp >= 0x2030 && cp <= 0x2031) || cp >= 0x20000;
}

/* Display width of the longest line of s. Counted in whole columns; ASCII,
 * most of the text, needs no decoding. */
static double text_width_n(const char *s, size_t n)
{
    long best = 0, cur = 0;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        if (*p < 0x80) {
            if (*p == '\n') {
                if (cur > best)
                    best = cur;
                cur = 0;
            } else {
                cur++;
            }
            p++;
            continue;
        }
        if (*p >= 0xe4 && *p <= 0xe9 && end - p > 2) { /* U+4000-9FFF, CJK: wide */
            cur += 2;
            p += 3;
            continue;
        }
        uint32_t cp = *p;
        int len = 1;
        if (*p >= 0xf0 && end - p > 3) {
            cp = ((uint32_t)(*p & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
                 ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
            len = 4;
        } else if (*p >= 0xe0 && end - p > 2) {
            cp = ((uint32_t)(*p & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
            len = 3;
        } else if (*p >= 0xc0 && end - p > 1) {
            cp = ((uint32_t)(*p & 0x1f) << 6) | (p[1] & 0x3f);
            len = 2;
        }
        cur += wide_cp(cp) ? 2 : 1;
        p += len;
    }
    return (double)(cur > best ? cur : best);
}

static double text_width(const char *s)
{
    return text_width_n(s, strlen(s));
}

static void note_width(sheet *s, int col, double w)
{
    if (col >= 0 && col < MAX_COLS && w > s->width[col])
        s->width[col] = w;
}

/* ---------- formats ---------- */

/*
 * What fmt makes of flags: flags that differ only in how they are asked
 * (FM_WRAP with or without FM_TOP, FM_FIXED with or without FM_ITALIC,
 * FM_HEADER with FM_BOLD or FM_WRAP, ...) look the same. Such formats share
 * one lxw_format: libxlsxwriter gives a duplicate the index of the first
 * only after hashing its whole struct, again for every cell it styles.
 */
static unsigned look(unsigned flags)
{
    unsigned l = flags & (FM_HEADER | FM_TITLE | FM_RED | FM_FIXED);
    if (flags & (FM_BOLD | FM_HEADER | FM_TITLE))
        l |= FM_BOLD;
    if (flags & (FM_ITALIC | FM_FIXED))
        l |= FM_ITALIC;
    if (flags & (FM_WRAP | FM_HEADER))
        l |= FM_WRAP;
    if ((flags & (FM_TOP | FM_WRAP)) && !(flags & FM_HEADER))
        l |= FM_TOP; /* the header's centre replaces the top */
    return l;
}

static lxw_format *fmt(wb *b, const char *numfmt, unsigned flags)
{
    if (!numfmt)
        numfmt = "";
    flags = look(flags);
    for (size_t i = 0; i < b->nfmts; i++)
        if (b->fmts[i].flags == flags && strcmp(b->fmts[i].numfmt, numfmt) == 0)
            return b->fmts[i].f;
    lxw_format *f = workbook_add_format(b->w);
    check_ptr(b, f, "workbook_add_format");
    if (!f)
        return NULL;
    if (numfmt[0])
        format_set_num_format(f, numfmt);
    if (flags & (FM_BOLD | FM_HEADER | FM_TITLE))
        format_set_bold(f);
    if (flags & FM_ITALIC)
        format_set_italic(f);
    if (flags & (FM_WRAP | FM_HEADER))
        format_set_text_wrap(f);
    if (flags & (FM_TOP | FM_WRAP))
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (flags & FM_HEADER) {
        format_set_bg_color(f, 0xD9E1F2);
        format_set_bottom(f, LXW_BORDER_THIN);
        format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    }
    if (flags & FM_TITLE)
        format_set_font_size(f, 14);
    if (flags & FM_RED)
        format_set_font_color(f, 0xC00000);
    if (flags & FM_FIXED) {
        format_set_italic(f);
        format_set_bg_color(f, 0xF2F2F2);
    }
    fmt_entry *e = ARRAY_PUSH(b->fmts, b->nfmts, b->capfmts);
    e->numfmt = xstrdup(numfmt);
    e->flags = flags;
    e->f = f;
    if (!flags && !numfmt[0])
        b->plain = f;
    return f;
}

/*
 * Format f as a cell of text, a number or a formula gets it: the plain
 * format (nothing set) as NULL, which writes the same cell (no style; no
 * row or column here has a format of its own). The plain format equals
 * the library's default without being that object, and the library keeps
 * the style index only in the first object of a kind: for every cell of
 * another it copies, hashes (~600 bytes) and frees the format again
 * (lxw_format_get_xf_index, ~5,000 instructions a cell). A blank cell
 * keeps f: without a format it is not written at all.
 */
static lxw_format *cell_fmt(const wb *b, lxw_format *f)
{
    return f == b->plain ? NULL : f;
}

/*
 * Number format of an indicator's values: precision + extra decimals. No
 * unit suffix: every sheet with an indicator's values has a 单位 column, and
 * "92.5" beside "%" reads better than "92.5%" beside "%".
 */
static int clamp_precision(int p)
{
    return p < 0 ? 0 : p > 10 ? 10 : p;
}

/* "0", "0.0", "0.00" ...: dec decimals (clamped to 0..10) into buf[16]. */
static void decimals_numfmt(int dec, char *buf)
{
    dec = clamp_precision(dec);
    buf[0] = '0';
    buf[1] = '\0';
    if (dec > 0) {
        buf[1] = '.';
        memset(buf + 2, '0', (size_t)dec);
        buf[2 + dec] = '\0';
    }
}

static void indicator_numfmt_x(const indicator *ind, int extra, char *buf, size_t n)
{
    char digits[16];
    decimals_numfmt(ind->precision + extra, digits);
    snprintf(buf, n, "%s", digits);
}

/* Decimals that show v exactly (at most 6): 0.85 needs 2. */
static int decimals_of(double v)
{
    for (int d = 0; d < 6; d++) {
        double x = v * pow(10, d);
        if (fabs(x - round(x)) < 1e-9 * (fabs(x) > 1 ? fabs(x) : 1))
            return d;
    }
    return 6;
}

/* The format of an indicator's yearly values: its precision and unit. */
static void indicator_numfmt(const indicator *ind, char *buf, size_t n)
{
    indicator_numfmt_x(ind, 0, buf, n);
}

/* ---------- cells ---------- */

static double col_cap(const sheet *s, int c)
{
    return c >= 0 && c < MAX_COLS && s->cap[c] > 0 ? s->cap[c] : MAX_WIDTH;
}

/* The same format with text wrapping on. */
static lxw_format *wrapped(wb *b, lxw_format *f)
{
    for (size_t i = 0; f && i < b->nfmts; i++)
        if (b->fmts[i].f == f)
            return fmt(b, b->fmts[i].numfmt, b->fmts[i].flags | FM_WRAP);
    return fmt(b, NULL, FM_WRAP);
}

/* Lines text takes in a column of width w: each of its lines wraps.
 * whole: text_width(text) when the caller has it, else negative. */
static int text_lines(const char *text, double w, double whole)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        const char *e = strchr(p, '\n');
        if (e && e[strspn(e, "\n")] == '\0')
            e = NULL; /* trailing line breaks (YAML block text) */
        double tw = e                         ? text_width_n(p, (size_t)(e - p))
                    : p == text && whole >= 0 ? whole /* the last one as it is */
                                              : text_width(p);
        int k = (int)ceil(tw / (w > 4 ? w - 2 : 2));
        n += k < 1 ? 1 : k;
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

/* Row r needs at least lines lines of text (finish_sheet sets its height). */
static void need_lines(sheet *s, int r, int lines)
{
    if ((size_t)r >= s->nlines) {
        size_t n = (size_t)r + 64;
        s->lines = xrealloc(s->lines, n * sizeof *s->lines);
        memset(s->lines + s->nlines, 0, (n - s->nlines) * sizeof *s->lines);
        s->nlines = n;
    }
    if (lines > s->lines[r])
        s->lines[r] = lines;
}


/*
 * text as it fits in one cell: a text over Excel's 32,767 characters (a
 * long plan note) would fail the whole workbook, so it is cut, at a
 * character boundary, with a note saying so; the CSV files and the report
 * keep it whole. Returns text itself, or a copy in *owned (caller frees).
 */
static const char *fit_cell(const char *text, char **owned)
{
    *owned = NULL;
    if (strlen(text) <= XL_CELL_MAX)
        return text; /* no more characters than bytes */
    size_t chars = 0, cut = 0;
    size_t keep = XL_CELL_MAX - 40; /* room for the note (under 40 characters) */
    for (size_t i = 0; text[i]; i++) {
        if (((unsigned char)text[i] & 0xC0) == 0x80)
            continue; /* a continuation byte: the same character */
        if (chars == keep)
            cut = i;
        chars++;
    }
    if (chars <= XL_CELL_MAX)
        return text;
    *owned = xasprintf("%.*s……（原文超出 Excel 单元格 32767 字的上限，此处截断）", (int)cut, text);
    return *owned;
}

/*
 * A text cell. One wider than its column may be (or with line breaks) is
 * wrapped, and its row is made tall enough: Excel and LibreOffice do not
 * always grow a row on opening.
 */
static void put_str(wb *b, sheet *s, int r, int c, const char *full, lxw_format *f)
{
    char *owned;
    const char *text = full ? fit_cell(full, &owned) : NULL;
    if (!text || !text[0]) {
        if (f)
            check(b, worksheet_write_blank(s->ws, (lxw_row_t)r, (lxw_col_t)c, f),
                  "worksheet_write_blank");
        return;
    }
    double w = text_width(text), cap = col_cap(s, c);
    const char *nl = strchr(text, '\n');
    if (w + 2 > cap || (nl && nl[strspn(nl, "\n")])) {
        f = wrapped(b, f);
        need_lines(s, r, text_lines(text, cap, w));
    }
    check(b, worksheet_write_string(s->ws, (lxw_row_t)r, (lxw_col_t)c, text, cell_fmt(b, f)),
          "worksheet_write_string");
    note_width(s, c, w);
    free(owned);
}

/* A text that runs over the empty cells to its right (titles, notes). */
static void put_overflow(wb *b, sheet *s, int r, int c, const char *text, lxw_format *f)
{
    if (text && text[0]) {
        char *owned;
        check(b,
              worksheet_write_string(s->ws, (lxw_row_t)r, (lxw_col_t)c, fit_cell(text, &owned),
                                     cell_fmt(b, f)),
              "worksheet_write_string");
        free(owned);
    }
}

/*
 * strlen of "%.*f" of v with prec (0..10) decimals, counted without
 * printing: the sign, the integer digits, the point and the decimals. A
 * value within 10^-prec below a power of ten (9.996 may round up to 10.00)
 * and a huge or not finite one are printed.
 */
static int fixed_len(double v, int prec)
{
    static const double unit[11] = {1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10};
    double a = fabs(v);
    if (isfinite(v) && a < 1e15) {
        int digits = 1;
        double p10 = 10;
        while (a >= p10) {
            digits++;
            p10 *= 10; /* exact up to 1e22 */
        }
        if (p10 - a > unit[prec])
            return (signbit(v) ? 1 : 0) + digits + (prec > 0 ? 1 + prec : 0);
    }
    char buf[400];
    return snprintf(buf, sizeof buf, "%.*f", prec, v);
}

/* Width of a number as displayed with prec decimals (prec < 0: shortest). */
static double num_width(double v, int prec, const char *suffix)
{
    double n;
    if (prec >= 0) {
        n = fixed_len(v, clamp_precision(prec));
    } else {
        char buf[64];
        n = (double)strlen(format_number(v, buf));
    }
    return n + (suffix ? text_width(suffix) : 0);
}

static void put_num(wb *b, sheet *s, int r, int c, double v, lxw_format *f, int prec)
{
    check(b, worksheet_write_number(s->ws, (lxw_row_t)r, (lxw_col_t)c, v, cell_fmt(b, f)),
          "worksheet_write_number");
    note_width(s, c, num_width(v, prec, NULL));
}

static void put_int(wb *b, sheet *s, int r, int c, int v, lxw_format *f)
{
    put_num(b, s, r, c, v, f, 0);
}

static void put_value(wb *b, sheet *s, int r, int c, fvalue v, lxw_format *f, int prec)
{
    if (v.state == FV_OK)
        put_num(b, s, r, c, v.v, f, prec);
    else if (f)
        check(b, worksheet_write_blank(s->ws, (lxw_row_t)r, (lxw_col_t)c, f),
              "worksheet_write_blank");
}

static void put_comment(wb *b, sheet *s, int r, int c, const char *text);

static char *quote_sheet(const char *name);
static lxw_format *fixed_of(wb *b, lxw_format *f);

/* A helper cell of a split formula (xl_fit): the next row of the hidden sheet 计算辅助. */
static int place_helper(void *ctx, const char *text, char *ref, size_t n)
{
    wb *b = ctx;
    sheet *s = &b->helpers;
    if (!s->ws) {
        s->name = T(b, "sheet", "helpers");
        s->ws = workbook_add_worksheet(b->w, s->name);
        check_ptr(b, s->ws, "workbook_add_worksheet");
        if (!s->ws)
            return -1;
        worksheet_hide(s->ws);
        b->quoted_helpers = quote_sheet(s->name);
        check(b, worksheet_write_string(s->ws, 0, 0, T(b, "comment", "helpers"), NULL),
              "worksheet_write_string");
    }
    int r = ++b->nhelpers;
    if (r >= LXW_ROW_MAX)
        return -1;
    check(b, worksheet_write_formula(s->ws, (lxw_row_t)r, 0, text, NULL), "worksheet_write_formula");
    snprintf(ref, n, "%s!A%d", b->quoted_helpers, r + 1);
    return 0;
}

/*
 * ftext within Excel's limits (8,192 characters, 255 arguments, 64
 * levels): as it is, or split through helper cells (then also in *owned,
 * for the caller to free). NULL when it cannot be split: the cell then
 * holds the result, marked fixed, with a comment.
 */
static const char *fit_formula(wb *b, sheet *s, int r, int c, const char *ftext, char **owned)
{
    *owned = NULL;
    if (xl_fits(ftext))
        return ftext; /* most do: no need to quote the sheet's name, nor to copy */
    char *home = s->name ? quote_sheet(s->name) : NULL;
    char *fitted = xl_fit(ftext, home, place_helper, b);
    free(home);
    if (!fitted)
        put_comment(b, s, r, c, T(b, "comment", "too_long"));
    return *owned = fitted;
}

/* A formula with a text result cached. */
static void put_formula_str(wb *b, sheet *s, int r, int c, const char *ftext, const char *cached,
                            lxw_format *f)
{
    char *owned;
    const char *fitted = fit_formula(b, s, r, c, ftext, &owned);
    if (!fitted) {
        put_str(b, s, r, c, cached, fixed_of(b, f));
        return;
    }
    check(b,
          worksheet_write_formula_str(s->ws, (lxw_row_t)r, (lxw_col_t)c, fitted, cell_fmt(b, f),
                                      cached),
          "worksheet_write_formula_str");
    note_width(s, c, text_width(cached));
    free(owned);
}

/*
 * A formula with its cached result: a number, "" when missing, and when not
 * applicable the word 年度数据 shows (labels.yaml status not_applicable).
 */
static void put_formula(wb *b, sheet *s, int r, int c, const char *ftext, fvalue cached,
                        lxw_format *f, int prec)
{
    if (cached.state == FV_UNDEFINED) {
        put_formula_str(b, s, r, c, ftext, b->w_na, f);
        return;
    }
    char *owned;
    const char *fitted = fit_formula(b, s, r, c, ftext, &owned);
    if (!fitted) {
        put_value(b, s, r, c, cached, fixed_of(b, f), prec);
    } else if (cached.state == FV_OK) {
        check(b,
              worksheet_write_formula_num(s->ws, (lxw_row_t)r, (lxw_col_t)c, fitted,
                                          cell_fmt(b, f), cached.v),
              "worksheet_write_formula_num");
        note_width(s, c, num_width(cached.v, prec, NULL));
    } else {
        check(b, worksheet_write_formula_str(s->ws, (lxw_row_t)r, (lxw_col_t)c, fitted,
                                             cell_fmt(b, f), ""),
              "worksheet_write_formula_str");
    }
    free(owned);
}

static void put_comment(wb *b, sheet *s, int r, int c, const char *text)
{
    lxw_comment_options o;
    memset(&o, 0, sizeof o);
    o.width = 320;
    o.height = 110;
    char *owned;
    check(b,
          worksheet_write_comment_opt(s->ws, (lxw_row_t)r, (lxw_col_t)c, fit_cell(text, &owned),
                                      &o),
          "worksheet_write_comment");
    free(owned);
}

static void header_row(wb *b, sheet *s, int r, const char *const *texts, int n)
{
    lxw_format *h = fmt(b, NULL, FM_HEADER);
    for (int c = 0; c < n; c++)
        put_str(b, s, r, c, texts[c], h);
}

/* The width finish_sheet gives column c: its widest content within [6, cap]; 0 when empty. */
static double column_width(const sheet *s, int c)
{
    if (s->width[c] <= 0)
        return 0;
    double cap = col_cap(s, c);
    double w = s->width[c] + 2;
    if (w > cap)
        w = cap;
    return w < 6 ? 6 : w;
}

/* Column widths from the widest content, and the print conventions. */
/* finish_sheet's layout: landscape, and printed by column groups instead of fit to one page wide. */
enum { FS_LANDSCAPE = 1, FS_GROUPS = 2 };

/* Printed scale of a sheet printed by column groups, percent. */
#define GROUP_SCALE 70
/* Width an A4 landscape page holds at GROUP_SCALE, in pixels (9.9 in at 96 dpi, unscaled). */
#define GROUP_PAGE_PX (950.0 * 100 / GROUP_SCALE)

static double col_px(double w) { return w * 7 + 5; }

/*
 * Print by column groups: the key columns (the frozen ones, repeated on
 * every page) and as many columns as a page holds after them; a page break
 * between groups, so that no column is split and none is squeezed.
 */
static void print_groups(wb *b, sheet *s, int key_cols)
{
    double key = 0;
    for (int c = 0; c < key_cols; c++)
        key += col_px(column_width(s, c) > 0 ? column_width(s, c) : 8.43);
    lxw_col_t breaks[MAX_COLS + 1];
    int n = 0;
    double used = key;
    for (int c = key_cols; c < MAX_COLS; c++) {
        double w = column_width(s, c);
        if (w <= 0)
            continue;
        if (used + col_px(w) > GROUP_PAGE_PX && used > key) {
            breaks[n++] = (lxw_col_t)c;
            used = key;
        }
        used += col_px(w);
    }
    breaks[n] = 0;
    if (n)
        check(b, worksheet_set_v_pagebreaks(s->ws, breaks), "worksheet_set_v_pagebreaks");
    check(b, worksheet_repeat_columns(s->ws, 0, (lxw_col_t)(key_cols - 1)),
          "worksheet_repeat_columns");
    worksheet_set_print_scale(s->ws, GROUP_SCALE);
}

static void finish_sheet(wb *b, sheet *s, int header_rows, int layout)
{
    for (int c = 0; c < MAX_COLS; c++) {
        double w = column_width(s, c);
        if (w > 0)
            check(b, worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL),
                  "worksheet_set_column");
    }
    for (size_t r = 0; r < s->nlines; r++)
        if (s->lines[r] > 1)
            check(b,
                  worksheet_set_row(s->ws, (lxw_row_t)r,
                                    s->lines[r] > 27 ? 409 : 15.0 * s->lines[r], NULL),
                  "worksheet_set_row");
    if (layout & FS_LANDSCAPE)
        worksheet_set_landscape(s->ws);
    worksheet_set_paper(s->ws, 9); /* A4 */
    if (layout & FS_GROUPS)
        print_groups(b, s, 3);
    else
        worksheet_fit_to_pages(s->ws, 1, 0);
    if (header_rows > 0)
        check(b, worksheet_repeat_rows(s->ws, 0, (lxw_row_t)(header_rows - 1)),
              "worksheet_repeat_rows");
    check(b, worksheet_set_footer(s->ws, "&C&P / &N"), "worksheet_set_footer");
}

static int new_sheet(wb *b, sheet *s, const char *code)
{
    memset(s, 0, sizeof *s);
    s->name = T(b, "sheet", code);
    lxw_error e = workbook_validate_sheet_name(b->w, s->name);
    if (e != LXW_NO_ERROR) {
        char *what = xasprintf("sheet name '%s' (templates/workbook.yaml, sheet: %s)", s->name,
                               code);
        check(b, e, what);
        free(what);
        return -1;
    }
    s->ws = workbook_add_worksheet(b->w, s->name);
    check_ptr(b, s->ws, "workbook_add_worksheet");
    if (!s->ws)
        return -1;
    worksheet_set_comments_author(s->ws, T(b, "props", "author"));
    return 0;
}

/* Conditional formats: a cell of the range whose text is words[i] takes colours[i]. */
static void colour_by_text(wb *b, sheet *s, int r0, int c0, int r1, int c1,
                           const char *const *words, const colour_pair *colours, int n)
{
    if (r1 < r0)
        return;
    for (int i = 0; i < n; i++) {
        lxw_format *f = workbook_add_format(b->w);
        check_ptr(b, f, "workbook_add_format");
        if (!f)
            return;
        format_set_bg_color(f, colours[i].bg);
        format_set_font_color(f, colours[i].fg);
        char *value = xasprintf("\"%s\"", words[i]);
        lxw_conditional_format cf;
        memset(&cf, 0, sizeof cf);
        cf.type = LXW_CONDITIONAL_TYPE_CELL;
        cf.criteria = LXW_CONDITIONAL_CRITERIA_EQUAL_TO;
        cf.value_string = value;
        cf.format = f;
        check(b,
              worksheet_conditional_format_range(s->ws, (lxw_row_t)r0, (lxw_col_t)c0,
                                                 (lxw_row_t)r1, (lxw_col_t)c1, &cf),
              "worksheet_conditional_format_range");
        free(value);
    }
}

/* Status cells (labels.yaml verdict words) coloured by their text. */
static void status_colouring(wb *b, sheet *s, int r0, int c0, int r1, int c1)
{
    colour_by_text(b, s, r0, c0, r1, c1, b->vword, verdict_colours, V_NOT_APPLICABLE + 1);
}

/* ---------- references and cells ---------- */

static void col_name(int col, char *buf)
{
    char tmp[8];
    int n = 0;
    col++;
    while (col > 0) {
        tmp[n++] = (char)('A' + (col - 1) % 26);
        col = (col - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}

/* text into buf[n], cut like snprintf's: formulas hold thousands of references. */
static void copy_cut(char *buf, size_t n, const char *text, size_t len)
{
    if (n == 0)
        return;
    if (len >= n)
        len = n - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
}

/* A1 reference, absolute or relative: as "$%s$%d" / "%s%d" print it, without printf. */
static void cell_ref(int row, int col, int absolute, char *buf, size_t n)
{
    char t[40];
    size_t len = 0;
    if (absolute)
        t[len++] = '$';
    col_name(col, t + len);
    len += strlen(t + len);
    if (absolute)
        t[len++] = '$';
    long v = (long)row + 1;
    if (v < 0)
        t[len++] = '-';
    len += format_uint(t + len, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
    copy_cut(buf, n, t, len);
}

/* quoted!a1 into buf[n], as "%s!%s" prints it. */
static void sheet_ref(const char *quoted, const char *a1, char *buf, size_t n)
{
    size_t q = strlen(quoted);
    copy_cut(buf, n, quoted, q);
    if (q + 1 < n) {
        buf[q] = '!';
        copy_cut(buf + q + 1, n - q - 1, a1, strlen(a1));
    }
}

/* 'sheet name' quoted for a formula (a ' inside is doubled). */
static char *quote_sheet(const char *name)
{
    strbuf sb;
    sb_init(&sb);
    sb_addc(&sb, '\'');
    for (const char *p = name; *p; p++) {
        if (*p == '\'')
            sb_addc(&sb, '\'');
        sb_addc(&sb, *p);
    }
    sb_addc(&sb, '\'');
    return sb_take(&sb);
}

/* ps_deaths{sector="道路交通"|"火灾", grade="一般"} */
static char *ref_text(const dictionary *dict, int var, const formula_filter *fl, int nf)
{
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, dict->vars[var].name);
    if (nf) {
        sb_addc(&sb, '{');
        for (int i = 0; i < nf; i++) {
            sb_printf(&sb, "%s%s=", i ? ", " : "", fl[i].dim);
            for (int k = 0; k < fl[i].nvalues; k++)
                sb_printf(&sb, "%s\"%s\"", k ? "|" : "", fl[i].values[k]);
        }
        sb_addc(&sb, '}');
    }
    return sb_take(&sb);
}

/* 死亡人数 [行业领域=道路交通|火灾] */
static char *ref_label(const dictionary *dict, int var, const formula_filter *fl, int nf)
{
    const var_def *vd = &dict->vars[var];
    const table_def *td = &dict->tables[vd->table];
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, vd->label ? vd->label : vd->name);
    if (nf) {
        sb_add(&sb, " [");
        for (int i = 0; i < nf; i++) {
            const char *dl = fl[i].dim;
            for (int k = 0; k < td->ndims; k++)
                if (strcmp(td->dims[k].name, fl[i].dim) == 0 && td->dims[k].label)
                    dl = td->dims[k].label;
            sb_printf(&sb, "%s%s=", i ? ", " : "", dl);
            for (int k = 0; k < fl[i].nvalues; k++)
                sb_printf(&sb, "%s%s", k ? "|" : "", fl[i].values[k]);
        }
        sb_addc(&sb, ']');
    }
    return sb_take(&sb);
}

/* ---------- collecting the inputs ---------- */

/* Does the value of pd depend on which indicator reads it (overrides)? */
static int param_depends(const wb *b, const param_def *pd, const indicator *ind, int depth)
{
    if (!pd->value.f || depth > 32 || !ind)
        return 0;
    const formula_ref *refs;
    int n = formula_refs(pd->value.f, &refs);
    for (int i = 0; i < n; i++) {
        if (refs[i].kind != REF_PARAM)
            continue;
        const param_def *a = plan_param(b->p, b->ec->cat, ind, refs[i].id);
        const param_def *g = plan_param(b->p, b->ec->cat, NULL, refs[i].id);
        if (a != g || (a && param_depends(b, a, ind, depth + 1)))
            return 1;
    }
    return 0;
}

/* The indicator scope a parameter row belongs to: NULL when shared. */
static const indicator *param_scope(const wb *b, const param_def *pd, const indicator *ind)
{
    if (ind && pd >= ind->params && pd < ind->params + ind->nparams)
        return ind;
    return param_depends(b, pd, ind, 0) ? ind : NULL;
}

static input_row *find_input(const wb *b, input_kind kind, const char *ref, const param_def *pd,
                             const indicator *scope)
{
    for (size_t i = 0; i < b->ninputs; i++) {
        input_row *r = &b->inputs[i];
        if (r->kind != kind)
            continue;
        if (kind == IN_PARAM ? r->pd == pd && r->scope == scope : strcmp(r->ref, ref) == 0)
            return &b->inputs[i];
    }
    return NULL;
}

static void add_var_input(wb *b, input_kind kind, const formula_ref *r)
{
    char *text = ref_text(b->ec->dict, r->id, r->filters, r->nfilters);
    if (find_input(b, kind, text, NULL, NULL)) {
        free(text);
        return;
    }
    input_row *in = ARRAY_PUSH(b->inputs, b->ninputs, b->capinputs);
    memset(in, 0, sizeof *in);
    in->kind = kind;
    in->ref = text;
    in->var = r->id;
    in->filters = r->filters;
    in->nfilters = r->nfilters;
}

static void collect_expr(wb *b, const expr_def *e, const indicator *ind, int depth);

typedef struct collect_ctx {
    wb *b;
    const indicator *ind;
    const formula_ref *base;
    char *seen; /* per ref index: read as a yearly value */
    int depth;
} collect_ctx;

/* A parameter row for sym as ind reads it, and the inputs of its value. */
static void add_param_input(wb *b, const indicator *ind, int sym, int depth)
{
    const param_def *pd = plan_param(b->p, b->ec->cat, ind, sym);
    if (!pd)
        return;
    const indicator *scope = param_scope(b, pd, ind);
    if (find_input(b, IN_PARAM, NULL, pd, scope))
        return;
    input_row *in = ARRAY_PUSH(b->inputs, b->ninputs, b->capinputs);
    memset(in, 0, sizeof *in);
    in->kind = IN_PARAM;
    in->ref = xstrdup(b->ec->syms->names[sym]);
    in->var = -1;
    in->pd = pd;
    in->scope = scope;
    in->user = ind;
    collect_expr(b, &pd->value, ind, depth + 1);
}

static int collect_ref(void *ctx, const formula_ref *r, int back, char *buf, size_t size)
{
    collect_ctx *cc = ctx;
    (void)back;
    snprintf(buf, size, "0");
    cc->seen[r - cc->base] = 1;
    if (r->kind == REF_VARIABLE)
        add_var_input(cc->b, IN_DATA, r);
    else if (r->kind == REF_PARAM)
        add_param_input(cc->b, cc->ind, r->id, cc->depth);
    return 0;
}

/* Add the inputs e reads: yearly values as data rows, row reads as record rows. */
static void collect_expr(wb *b, const expr_def *e, const indicator *ind, int depth)
{
    if (!e || !e->f || depth > 32)
        return;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    collect_ctx cc = {b, ind, refs, xcalloc((size_t)n + 1, 1), depth};
    char *text = NULL;
    formula_print(e->f, collect_ref, &cc, &text);
    free(text);
    /* What a row function reads: its rows, and the parameters it compares
     * them with (e.g. a time limit). */
    for (int i = 0; i < n; i++) {
        if (cc.seen[i])
            continue;
        if (refs[i].kind == REF_VARIABLE)
            add_var_input(b, IN_RECORDS, &refs[i]);
        else if (refs[i].kind == REF_PARAM)
            add_param_input(b, ind, refs[i].id, depth);
    }
    free(cc.seen);
}

static void collect_inputs(wb *b)
{
    const plan *p = b->p;
    for (int i = 0; i < p->ninds; i++) {
        const indicator *ind = &p->inds[i];
        if (ind->kind != IND_QUANTITATIVE)
            continue;
        collect_expr(b, ind->formula, ind, 0);
        collect_expr(b, ind->numerator, ind, 0);
        collect_expr(b, ind->denominator, ind, 0);
        collect_expr(b, ind->scale, ind, 0);
        for (int t = 0; t < ind->ntargets; t++)
            collect_expr(b, &ind->targets[t].exclude_when, ind, 0);
    }
    /* Rows: data, then parameters, then record counts; each in first use. */
    int row = 1;
    for (int k = IN_DATA; k <= IN_RECORDS; k++)
        for (size_t i = 0; i < b->ninputs; i++)
            if ((int)b->inputs[i].kind == k)
                b->inputs[i].row = row++;
}

/* ---------- printing formulas over 原始数据 ---------- */

#define FIRST_YEAR_COL 5 /* 原始数据: A..E are labels, then the years */
#define YEAR_COL 4       /* 年度数据 and 预测: A..D are labels */

typedef struct print_ctx {
    wb *b;
    const indicator *ind;
    int year;
    char **cells; /* distinct cells read, for the missing-input guard */
    size_t ncells, capcells;
    int bad;
} print_ctx;

static void add_cell(print_ctx *pc, const char *text)
{
    for (size_t i = 0; i < pc->ncells; i++)
        if (strcmp(pc->cells[i], text) == 0)
            return;
    *ARRAY_PUSH(pc->cells, pc->ncells, pc->capcells) = xstrdup(text);
}

static int input_cell(print_ctx *pc, const input_row *in, int year, char *buf, size_t size)
{
    wb *b = pc->b;
    if (!in || year < b->in_first || year >= b->in_first + b->in_years)
        return -1;
    char a1[32];
    cell_ref(in->row, FIRST_YEAR_COL + (year - b->in_first), 0, a1, sizeof a1);
    sheet_ref(b->quoted_inputs, a1, buf, size); /* '原始数据'!F12 */
    add_cell(pc, buf);
    return 0;
}

static double special_value(const wb *b, int id, int year)
{
    const plan *p = b->p;
    switch ((special_name)id) {
    case SP_YEAR: return year;
    case SP_PERIOD_START: return p->period[0];
    case SP_PERIOD_END: return p->period[1];
    case SP_WINDOW_START: return b->ec->window[0];
    case SP_WINDOW_END: return b->ec->window[1];
    case SP_BASELINE_START: return p->baseline_period[0];
    case SP_BASELINE_END: return p->baseline_period[1];
    case SP_COUNT: break;
    }
    return 0;
}

typedef struct ref_memo {
    const formula_ref *r;
    long row; /* index into b->inputs, or -1 */
} ref_memo;

/* The 原始数据 row of variable reference r: its text found once per node. */
static const input_row *var_input(wb *b, const formula_ref *r)
{
    for (size_t i = 0; i < b->nrefmemo; i++)
        if (b->refmemo[i].r == r)
            return b->refmemo[i].row < 0 ? NULL : &b->inputs[b->refmemo[i].row];
    char *text = ref_text(b->ec->dict, r->id, r->filters, r->nfilters);
    const input_row *in = find_input(b, IN_DATA, text, NULL, NULL);
    free(text);
    ref_memo *m = ARRAY_PUSH(b->refmemo, b->nrefmemo, b->caprefmemo);
    m->r = r;
    m->row = in ? (long)(in - b->inputs) : -1;
    return in;
}

static int print_ref(void *ctx, const formula_ref *r, int back, char *buf, size_t size)
{
    print_ctx *pc = ctx;
    wb *b = pc->b;
    int year = pc->year - back;
    if (r->kind == REF_VARIABLE)
        return input_cell(pc, var_input(b, r), year, buf, size);
    if (r->kind == REF_PARAM) {
        const param_def *pd = plan_param(b->p, b->ec->cat, pc->ind, r->id);
        if (!pd)
            return -1;
        const input_row *in = find_input(b, IN_PARAM, NULL, pd, param_scope(b, pd, pc->ind));
        return input_cell(pc, in, year, buf, size);
    }
    char num[32];
    snprintf(buf, size, "%s", format_number(special_value(b, r->id, year), num));
    return 0;
}

static void print_ctx_free(print_ctx *pc)
{
    for (size_t i = 0; i < pc->ncells; i++)
        free(pc->cells[i]);
    free(pc->cells);
}

/* Print e for year into *out (NULL when it has no spreadsheet form). */
static char *print_expr(print_ctx *pc, const expr_def *e)
{
    char *text = NULL;
    if (!e || !e->f || formula_print(e->f, print_ref, pc, &text) != 0) {
        pc->bad = 1;
        free(text);
        return NULL;
    }
    return text;
}

/* A single token needs no parentheses: a cell or a plain number. */
static int simple_operand(const char *s)
{
    int quoted = 0;
    for (; *s; s++) {
        if (*s == '\'')
            quoted = !quoted;
        else if (!quoted && strchr("+-*/(,<>= ", *s))
            return 0;
    }
    return 1;
}

static void add_operand(strbuf *sb, const char *s)
{
    if (simple_operand(s)) {
        sb_add(sb, s);
    } else {
        sb_addc(sb, '(');
        sb_add(sb, s);
        sb_addc(sb, ')');
    }
}

/*
 * The complete cell formula around body: "" when an input cell is blank
 * (missing), "" for an error inside (a zero divisor within the formula).
 */
static char *guarded(const print_ctx *pc, const char *body, int iferror, const char *err)
{
    strbuf sb;
    sb_init(&sb);
    sb_addc(&sb, '=');
    if (pc->ncells) {
        sb_add(&sb, "IF(COUNT(");
        for (size_t i = 0; i < pc->ncells; i++) {
            if (i)
                sb_addc(&sb, ',');
            sb_add(&sb, pc->cells[i]);
        }
        /* )<n,"", as ")<%zu,\"\"," prints it: one of these per yearly cell */
        char digits[24];
        sb_add(&sb, ")<");
        sb_addn(&sb, digits, format_uint(digits, pc->ncells));
        sb_add(&sb, ",\"\",");
    }
    if (iferror)
        sb_add(&sb, "IFERROR(");
    sb_add(&sb, body);
    if (iferror) {
        sb_add(&sb, ",\"");
        sb_add(&sb, err);
        sb_add(&sb, "\")");
    }
    if (pc->ncells)
        sb_addc(&sb, ')');
    return sb_take(&sb);
}

/* Formula of an indicator's value in year; NULL when it has none. */
static char *value_formula(wb *b, const indicator *ind, int year)
{
    print_ctx pc = {b, ind, year, NULL, 0, 0, 0};
    char *res = NULL;
    if (ind->numerator) {
        char *num = print_expr(&pc, ind->numerator);
        char *den = print_expr(&pc, ind->denominator);
        char *sc = print_expr(&pc, ind->scale);
        if (!pc.bad) {
            strbuf body;
            sb_init(&body);
            sb_add(&body, "IF(");
            add_operand(&body, den);
            sb_add(&body, "=0,\"");
            sb_add(&body, b->w_na);
            sb_add(&body, "\",");
            add_operand(&body, sc);
            sb_addc(&body, '*');
            add_operand(&body, num);
            sb_addc(&body, '/');
            add_operand(&body, den);
            sb_addc(&body, ')');
            /* The zero denominator is tested above; IFERROR only for a
             * division inside the parts. */
            res = guarded(&pc, body.s, strchr(num, '/') || strchr(den, '/') || strchr(sc, '/'),
                          b->w_na);
            sb_free(&body);
        }
        free(num);
        free(den);
        free(sc);
    } else if (ind->formula) {
        char *e = print_expr(&pc, ind->formula);
        if (!pc.bad)
            res = guarded(&pc, e, strchr(e, '/') != NULL, b->w_na);
        free(e);
    }
    print_ctx_free(&pc);
    return res;
}

/* Formula of one expression (numerator, denominator, parameter) in year; err: its not-applicable result. */
static char *expr_formula(wb *b, const indicator *ind, const expr_def *e, int year, const char *err)
{
    print_ctx pc = {b, ind, year, NULL, 0, 0, 0};
    char *text = print_expr(&pc, e);
    char *res = pc.bad ? NULL : guarded(&pc, text, strchr(text, '/') != NULL, err);
    free(text);
    print_ctx_free(&pc);
    return res;
}

typedef struct seen_ctx {
    const formula_ref *base;
    char *seen;
} seen_ctx;

static int mark_ref(void *ctx, const formula_ref *r, int back, char *buf, size_t size)
{
    seen_ctx *sc = ctx;
    (void)back;
    sc->seen[r - sc->base] = 1;
    snprintf(buf, size, "0");
    return 0;
}

/* Does e use a row function? Its references are then not all printed. */
static int uses_rows(const expr_def *e)
{
    if (!e || !e->f)
        return 0;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    seen_ctx sc = {refs, xcalloc((size_t)n + 1, 1)};
    char *text = NULL;
    formula_print(e->f, mark_ref, &sc, &text);
    free(text);
    int rows = 0;
    for (int i = 0; i < n; i++)
        if (refs[i].kind == REF_VARIABLE && !sc.seen[i])
            rows = 1;
    free(sc.seen);
    return rows;
}

/* ---------- 原始数据 ---------- */

static void count_row(void *acc, fvalue v)
{
    (void)acc;
    (void)v;
}

/*
 * Number of rows a row function reads, as compute.c (cb_rows) counts them:
 * an event log has 0 events in a year without a row, from its first event
 * to the region's last data year; before that the year is missing.
 */
static fvalue record_count(const wb *b, const input_row *in, int year)
{
    const eval_context *ec = b->ec;
    int n = region_rows(ec->r, in->var, in->filters, in->nfilters, year, count_row, NULL);
    const dictionary *dict = ec->dict;
    if (n < 0 && dict->tables[dict->vars[in->var].table].layout == LAYOUT_EVENTS &&
        region_has_table(ec->r, in->var)) {
        int first, last, log_first, log_last;
        if (region_year_span(ec->r, &first, &last) &&
            region_var_years(ec->r, in->var, &log_first, &log_last) && year >= log_first &&
            year <= last)
            n = 0;
    }
    return n < 0 ? fv_missing() : fv_ok(n);
}

static const char *param_origin(const wb *b, const param_def *pd, const indicator *scope)
{
    const plan *p = b->p;
    if (scope && pd >= scope->params && pd < scope->params + scope->nparams)
        return T(b, "inputs", "param_indicator");
    if (pd >= p->params && pd < p->params + p->nparams)
        return T(b, "inputs", "param_plan");
    return T(b, "inputs", "param_catalogue");
}

/* A parameter row of 原始数据: its value by year, a formula when it is one. */
static void write_param_row(wb *b, sheet *s, const input_row *in)
{
    const param_def *pd = in->pd;
    int r = in->row;
    char *src = xasprintf("%s: %s", param_origin(b, pd, in->scope),
                          pd->value.text ? pd->value.text : "");
    put_str(b, s, r, 1, pd->note, NULL);
    put_str(b, s, r, 2, T(b, "inputs", "param"), NULL);
    put_str(b, s, r, 3, pd->unit, NULL);
    put_str(b, s, r, 4, src, NULL);
    free(src);
    if (in->scope) {
        char *c = xasprintf("%s %s", T(b, "comment", "param_indicator"), in->scope->id);
        put_comment(b, s, r, 0, c);
        free(c);
    }
    int constant = 1;
    const formula_ref *refs;
    if (pd->value.f && formula_refs(pd->value.f, &refs) > 0)
        constant = 0;
    for (int k = 0; k < b->in_years; k++) {
        int year = b->in_first + k;
        fvalue v = compute_expr(b->ec, in->user, &pd->value, year);
        char *f = constant ? NULL : expr_formula(b, in->user, &pd->value, year, "");
        if (f && v.state == FV_UNDEFINED)
            put_formula_str(b, s, r, FIRST_YEAR_COL + k, f, "", NULL);
        else if (f)
            put_formula(b, s, r, FIRST_YEAR_COL + k, f, v, NULL, -1);
        else
            put_value(b, s, r, FIRST_YEAR_COL + k, v, NULL, -1);
        if (!constant && !f)
            put_comment(b, s, r, FIRST_YEAR_COL + k,
                        T(b, "comment", uses_rows(&pd->value) ? "row_function" : "no_formula"));
        free(f);
    }
}

/* A data row (a variable's values) or a record-count row of 原始数据. */
static void write_data_row(wb *b, sheet *s, const input_row *in)
{
    const eval_context *ec = b->ec;
    const dictionary *dict = ec->dict;
    const var_def *vd = &dict->vars[in->var];
    const table_def *td = &dict->tables[vd->table];
    int r = in->row;
    char *lab = ref_label(dict, in->var, in->filters, in->nfilters);
    put_str(b, s, r, 1, lab, NULL);
    free(lab);
    put_str(b, s, r, 2, T(b, "inputs", in->kind == IN_DATA ? "data" : "records"), NULL);
    put_str(b, s, r, 3, vd->unit, NULL);
    char *src = region_has_table(ec->r, in->var)
                    ? xasprintf("%s/%s", region_dir(ec->r), td->file)
                    : xasprintf("%s/%s (%s)", region_dir(ec->r), td->file,
                                T(b, "inputs", "no_file"));
    put_str(b, s, r, 4, src, NULL);
    free(src);
    if (in->kind == IN_RECORDS)
        put_comment(b, s, r, 2, T(b, "comment", "records"));
    for (int k = 0; k < b->in_years; k++) {
        int year = b->in_first + k;
        fvalue v = in->kind == IN_DATA
                       ? region_value(ec->r, in->var, in->filters, in->nfilters, year, NULL, NULL)
                       : record_count(b, in, year);
        put_value(b, s, r, FIRST_YEAR_COL + k, v, NULL, -1);
    }
}

static void write_inputs(wb *b, sheet *s)
{
    s->cap[1] = NAME_WIDTH;
    s->cap[4] = NAME_WIDTH;
    const char *heads[5] = {T(b, "inputs", "ref"), T(b, "inputs", "label"),
                            T(b, "inputs", "kind"), T(b, "inputs", "unit"),
                            T(b, "inputs", "source")};
    header_row(b, s, 0, heads, 5);
    lxw_format *h = fmt(b, "0", FM_HEADER);
    for (int k = 0; k < b->in_years; k++)
        put_int(b, s, 0, FIRST_YEAR_COL + k, b->in_first + k, h);
    for (size_t i = 0; i < b->ninputs; i++) {
        const input_row *in = &b->inputs[i];
        put_str(b, s, in->row, 0, in->ref, NULL);
        if (in->kind == IN_PARAM)
            write_param_row(b, s, in);
        else
            write_data_row(b, s, in);
    }
    worksheet_freeze_panes(s->ws, 1, 2);
    int last_row = (int)b->ninputs;
    check(b,
          worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)last_row,
                               (lxw_col_t)(FIRST_YEAR_COL + b->in_years - 1)),
          "worksheet_autofilter");
    finish_sheet(b, s, 1, 1);
}

/* ---------- 年度数据 ---------- */

/* One row of 年度数据: the value (part 0), numerator (1) or denominator (2) by year. */
static void write_yearly_row(wb *b, sheet *s, int r, const indicator_result *ir, int part)
{
    static const char *const parts[] = {"value", "numerator", "denominator"};
    const indicator *ind = ir->ind;
    char numfmt[64];
    indicator_numfmt(ind, numfmt, sizeof numfmt);
    put_str(b, s, r, 0, ind->id, NULL);
    put_str(b, s, r, 1, ind->name, NULL);
    put_str(b, s, r, 2, T(b, "yearly", parts[part]), NULL);
    put_str(b, s, r, 3, part == 0 ? ind->unit : NULL, NULL);
    lxw_format *f = part == 0 ? fmt(b, numfmt, 0) : NULL;
    int prec = part == 0 ? clamp_precision(ind->precision) : -1;
    const expr_def *e = part == 1 ? ind->numerator : part == 2 ? ind->denominator : NULL;
    int rows_fn = part == 0 ? uses_rows(ind->formula) || uses_rows(ind->numerator) ||
                                  uses_rows(ind->denominator) || uses_rows(ind->scale)
                            : uses_rows(e);
    for (int k = 0; k < ir->nyears; k++) {
        int year = ir->first_year + k;
        int col = YEAR_COL + (year - b->yr_first);
        const year_value *yv = &ir->years[k];
        fvalue v = part == 0 ? yv->value : part == 1 ? yv->num : yv->den;
        char *ftext = part == 0 ? value_formula(b, ind, year)
                                : expr_formula(b, ind, e, year, b->w_na);
        if (ftext) {
            put_formula(b, s, r, col, ftext, v, f, prec);
            if (part == 0 && v.state == FV_UNDEFINED)
                put_comment(b, s, r, col, T(b, "comment", "not_applicable"));
        } else {
            if (v.state == FV_UNDEFINED)
                put_str(b, s, r, col, b->w_na, f);
            else
                put_value(b, s, r, col, v, f, prec);
            put_comment(b, s, r, col, T(b, "comment", rows_fn ? "row_function" : "no_formula"));
        }
        free(ftext);
    }
}

static void write_yearly(wb *b, sheet *s)
{
    s->cap[1] = NAME_WIDTH;
    const evaluation *ev = b->ev;
    const char *heads[4] = {T(b, "yearly", "id"), T(b, "yearly", "name"), T(b, "yearly", "row"),
                            T(b, "yearly", "unit")};
    header_row(b, s, 0, heads, 4);
    lxw_format *h = fmt(b, "0", FM_HEADER);
    for (int k = 0; k < b->yr_years; k++)
        put_int(b, s, 0, YEAR_COL + k, b->yr_first + k, h);
    int r = 1;
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        if (ir->ind->kind != IND_QUANTITATIVE)
            continue;
        int nrows = ir->ind->numerator ? 3 : 1;
        for (int part = 0; part < nrows; part++, r++)
            write_yearly_row(b, s, r, ir, part);
    }
    worksheet_freeze_panes(s->ws, 1, 3);
    check(b,
          worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)(r > 1 ? r - 1 : 1),
                               (lxw_col_t)(YEAR_COL + (b->yr_years > 0 ? b->yr_years : 1) - 1)),
          "worksheet_autofilter");
    finish_sheet(b, s, 1, 1);
}

/* ---------- 指标: assessment.csv as a table ---------- */

typedef struct csv_mem {
    char *text; /* a copy of the file, its fields unquoted in place */
    char ***rows;
    int *nfields;
    size_t nrows, caprows, capn;
} csv_mem;

/* Parse what results.c wrote (RFC 4180, as csv_field quotes), in a copy of
 * its text: a field unquoted is never longer than as written, so each is
 * written over itself and terminated there, without an allocation of its
 * own (there were 32,000 on 5 synthetic regions). */
static void csv_mem_parse(csv_mem *m, const char *s, size_t len)
{
    memset(m, 0, sizeof *m);
    char *t = m->text = xmalloc(len + 1);
    memcpy(t, s, len);
    t[len] = '\0';
    size_t i = 0;
    while (i < len) {
        char **fields = NULL;
        int nf = 0;
        size_t capf = 0;
        for (;;) {
            char *start = t + i, *w = start; /* w never passes t + i */
            if (i < len && t[i] == '"') {
                i++;
                while (i < len) {
                    /* the run up to the next quote in one piece */
                    const char *q = memchr(t + i, '"', len - i);
                    size_t run = q ? (size_t)(q - (t + i)) : len - i;
                    memmove(w, t + i, run);
                    w += run;
                    i += run;
                    if (i + 1 < len && t[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                    } else if (i < len) {
                        i++;
                        break;
                    }
                }
            }
            size_t from = i;
            while (i < len) { /* to the next ',' or '\n' (a NUL, never written, is text) */
                i += strcspn(t + i, ",\n");
                if (i >= len || t[i] != '\0')
                    break;
                i++;
            }
            char delim = i < len ? t[i] : '\0';
            if (w != t + from) /* after a quoted part only */
                memmove(w, t + from, i - from);
            w += i - from;
            *w = '\0'; /* at most over the delimiter, read above */
            size_t n = (size_t)nf;
            *ARRAY_PUSH(fields, n, capf) = start;
            nf = (int)n;
            if (i >= len || delim == '\n') {
                i++;
                break;
            }
            i++; /* ',' */
        }
        size_t n = m->nrows;
        *ARRAY_PUSH(m->rows, n, m->caprows) = fields;
        n = m->nrows;
        *ARRAY_PUSH(m->nfields, n, m->capn) = nf;
        m->nrows++;
    }
}

static void csv_mem_free(csv_mem *m)
{
    for (size_t r = 0; r < m->nrows; r++)
        free(m->rows[r]);
    free(m->rows);
    free(m->nfields);
    free(m->text);
}

static int is_numeric_column(const char *code)
{
    for (const char *const *c = numeric_columns; *c; c++)
        if (strcmp(*c, code) == 0)
            return 1;
    return 0;
}

/* assessment.csv as main.c writes it (results.h), parsed into m. */
static int assessment_table(wb *b, csv_mem *m, diag_list *d)
{
    if (b->oc->assessment_csv) {
        csv_mem_parse(m, b->oc->assessment_csv, b->oc->assessment_len);
        return 0;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "workbook: open_memstream: %s", strerror(errno));
        return -1;
    }
    write_assessment_csv_findings(f, b->oc);
    if (fclose(f) != 0) {
        free(buf);
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "workbook: assessment table: %s", strerror(errno));
        return -1;
    }
    csv_mem_parse(m, buf, len);
    free(buf);
    return 0;
}

/*
 * Columns of assessment.csv that 指标 leaves out: what the forecasts and
 * the statistical checks computed (on 预测, the program's sheet, never
 * beside live cells), and the English codes whose Chinese words are live.
 */
static const char *const program_columns[] = {
    "forecast_model", "forecast_value", "forecast_lower_80", "forecast_upper_80",
    "forecast_lower_95", "forecast_upper_95", "probability_met", "forecast_status",
    "forecast_status_zh", "forecast_note", "pace_task_share", "pace_time_share", "pace_ratio",
    "sdg_ratio", "sdg_method", "sdg_progress", "required_annual_change", "recent_annual_change",
    "ci_lower_95", "ci_upper_95", "ci_vs_target", "allowance", "sensitivity_year",
    "sensitivity_period_mean", "sensitivity_period_total", "sensitivity", NULL};
/* ... and what is the same on every row (on 说明; assessment.csv keeps it for machines). */
static const char *const dropped_columns[] = {
    "status", "outlook", "severity", "plan_id", "stage", "evaluation_year", "region",
    "region_name", "catalogue", "catalogue_name", "definition", "plan_title", NULL};

static int in_list(const char *const *list, const char *code)
{
    for (; *list; list++)
        if (strcmp(*list, code) == 0)
            return 1;
    return 0;
}

static void outlook_words(const wb *b, const char **words);

/* The order of 指标's columns: the key columns (indicator, target, name), then the file's. */
static int column_order(const csv_mem *m, int *order)
{
    int ncols = m->nfields[0];
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    int n = 0;
    static const char *const first[] = {"indicator_id", "target_no", "name"};
    for (int k = 0; k < 3; k++)
        for (int c = 0; c < ncols; c++)
            if (strcmp(m->rows[0][c], first[k]) == 0)
                order[n++] = c;
    for (int c = 0; c < ncols; c++) {
        const char *code = m->rows[0][c];
        int dup = in_list(program_columns, code) || in_list(dropped_columns, code);
        for (int k = 0; k < n; k++)
            dup |= order[k] == c;
        if (!dup)
            order[n++] = c;
    }
    return n;
}

/* The live columns of 指标: formulas over 年度数据 (live.h). */
enum { LC_CUR, LC_BASE, LC_CHANGE, LC_LIMIT, LC_STATUS, LC_PROGRESS, LC_OUTLOOK, LC_DETAIL, LC_N };
static const char *const live_codes[LC_N] = {"current_value", "baseline_value", "change_pct",
                                             "limit", "status_zh", "progress", "outlook_zh",
                                             "detail"};

/* live.h's range callback: a part's yearly cells of the indicator in ctx. */
typedef struct range_ctx {
    wb *b;
    int ind;
    const target *t;
} range_ctx;

static int yearly_range(void *ctx, int part, int y0, int y1, char *buf, size_t n, int *outside)
{
    const range_ctx *rc = ctx;
    const wb *b = rc->b;
    int row = b->yrow[rc->ind];
    int first = b->yr_first, last = b->yr_first + b->yr_years - 1;
    int a = y0 < first ? first : y0, z = y1 > last ? last : y1;
    *outside = (y1 - y0 + 1) - (z >= a ? z - a + 1 : 0);
    if (row < 0 || z < a || (part && !b->ev->inds[rc->ind].ind->numerator))
        return 0;
    char c0[64], c1[32];
    cell_ref(row + part, YEAR_COL + a - first, 0, c0, 32);
    if (a != z) { /* c0:c1 */
        size_t l0 = strlen(c0);
        c0[l0] = ':';
        cell_ref(row + part, YEAR_COL + z - first, 0, c1, sizeof c1);
        copy_cut(c0 + l0 + 1, sizeof c0 - l0 - 1, c1, strlen(c1));
    }
    sheet_ref(b->quoted_yearly, c0, buf, n);
    return z - a + 1;
}

/* The row's exclude_when condition in year, without its "=" (live_refs.exclude). */
static char *exclude_formula(void *ctx, int year)
{
    const range_ctx *rc = ctx;
    const indicator *ind = rc->b->ev->inds[rc->ind].ind;
    /* a condition that is not applicable keeps the year, as compute_expr's */
    char *f = expr_formula(rc->b, ind, &rc->t->exclude_when, year, rc->b->w_na);
    if (f)
        memmove(f, f + 1, strlen(f));
    return f;
}

/* A figure's cached text: "" when missing, the not-applicable word. */
static const char *state_word(const wb *b, fvalue v)
{
    return v.state == FV_UNDEFINED ? b->w_na : "";
}

/*
 * The format of a target's figures on 指标: the indicator's precision, or
 * more when the plan writes the target or baseline with more decimals (a
 * limit of 0.85 on an indicator of precision 0 must not show as 1).
 */
static lxw_format *figure_fmt(wb *b, const finding *it, unsigned flags)
{
    const target *t = it->tr->t;
    int dec = clamp_precision(it->ind->precision);
    if (t->has_value && decimals_of(t->value) > dec)
        dec = decimals_of(t->value);
    if (t->has_baseline && t->baseline.has_value && decimals_of(t->baseline.value) > dec)
        dec = decimals_of(t->baseline.value);
    char numfmt[16];
    decimals_numfmt(dec, numfmt);
    return fmt(b, numfmt, flags);
}

/* A program value where a formula cannot be: shown in the fixed format (legend below). */
static lxw_format *fixed_fmt(wb *b) { return fmt(b, "General", FM_FIXED); }

/* The fixed variant of format f (same number format). */
static lxw_format *fixed_of(wb *b, lxw_format *f)
{
    for (size_t i = 0; f && i < b->nfmts; i++)
        if (b->fmts[i].f == f)
            return fmt(b, b->fmts[i].numfmt, b->fmts[i].flags | FM_FIXED);
    return fixed_fmt(b);
}

/* The verdict a target not yet due would have now (assess.c's progress). */
static verdict progress_verdict(const target_result *tr)
{
    if (tr->progress == 1)
        return V_MET;
    if (tr->progress == 0)
        return V_NOT_MET;
    /* a year of the window without data: the formulas say 数据不足 (COUNT
     * short of the years), whatever the years with data show */
    int missing = tr->current.state == FV_MISSING ||
                  (tr->has_baseline && tr->baseline.state == FV_MISSING) ||
                  (tr->missing_years && *tr->missing_years);
    return missing ? V_INSUFFICIENT : V_NOT_APPLICABLE;
}

/* Where one 指标 row's live cells are, and its formulas' words. */
static void live_refs_of(wb *b, const int *cols, int r, char refs[LC_N][32], live_refs *lr,
                         range_ctx *rc)
{
    for (int k = 0; k < LC_N; k++)
        cell_ref(r, cols[k] >= 0 ? cols[k] : 0, 0, refs[k], sizeof refs[k]);
    memset(lr, 0, sizeof *lr);
    lr->range = yearly_range;
    lr->exclude = exclude_formula;
    lr->ctx = rc;
    lr->cur = refs[LC_CUR];
    lr->base = refs[LC_BASE];
    lr->change = refs[LC_CHANGE];
    lr->verdict = refs[LC_STATUS];
    lr->w_met = b->vword[V_MET];
    lr->w_not_met = b->vword[V_NOT_MET];
    lr->w_insufficient = b->vword[V_INSUFFICIENT];
    lr->w_na = b->w_na;
    lr->ms_status = b->ec->dict->ms_status;
}

/* A figure as a formula with its cached value, or the value marked fixed. */
static void live_figure(wb *b, sheet *s, int r, int c, char *ftext, int has, fvalue v,
                        lxw_format *f)
{
    if (c < 0) {
        free(ftext);
        return;
    }
    if (!ftext) {
        lxw_format *ff = fixed_of(b, f);
        if (has && v.state == FV_OK)
            put_num(b, s, r, c, v.v, ff, -1);
        else
            put_str(b, s, r, c, has ? state_word(b, v) : "", has ? ff : NULL);
        if (has)
            b->nfixed++;
        return;
    }
    if (has && v.state == FV_OK)
        put_formula(b, s, r, c, ftext, v, f, -1);
    else
        put_formula_str(b, s, r, c, ftext, has ? state_word(b, v) : "", f);
    b->nlive++;
    free(ftext);
}

/* The outlook: a due target's follows its verdict; the others' are the program's. */
static void live_outlook(wb *b, sheet *s, int r, int c, const finding *it, int live,
                         const char *verdict_cell)
{
    if (c < 0)
        return;
    if (!live || !it->tr->due) {
        put_str(b, s, r, c, it->outlook_word, fixed_fmt(b));
        b->nfixed++;
        return;
    }
    const char *w[OL_COUNT];
    outlook_words(b, w);
    char *ftext = xasprintf("=IF(%s=\"%s\",\"%s\",IF(%s=\"%s\",\"%s\",IF(%s=\"%s\",\"%s\",\"%s\")))",
                            verdict_cell, b->vword[V_MET], w[OL_MET], verdict_cell,
                            b->vword[V_NOT_MET], w[OL_OFF_TRACK], verdict_cell,
                            b->vword[V_INSUFFICIENT], w[OL_INSUFFICIENT],
                            w[OL_NA]);
    put_formula_str(b, s, r, c, ftext, it->outlook_word, fmt(b, NULL, 0));
    b->nlive++;
    b->outlook_live[it - b->f->items] = 1;
    free(ftext);
}

/* The verdict and, for a target not yet due, its progress so far. */
static void live_verdicts(wb *b, sheet *s, int r, const int *cols, const finding *it, int live,
                          const live_refs *lr)
{
    const target_result *tr = it->tr;
    const char *word = b->vword[tr->status];
    char *ftext = live ? live_verdict(it->ir, tr, lr) : NULL;
    if (tr->due && ftext && cols[LC_STATUS] >= 0) {
        put_formula_str(b, s, r, cols[LC_STATUS], ftext, word, fmt(b, NULL, 0));
        b->nlive++;
    } else if (cols[LC_STATUS] >= 0) {
        /* 未到期 follows from the dates alone; a milestone's verdict is the program's */
        put_str(b, s, r, cols[LC_STATUS], word, tr->due || !live ? fixed_fmt(b) : NULL);
        b->nfixed += tr->due || !live;
    }
    if (!tr->due && ftext && cols[LC_PROGRESS] >= 0) {
        put_formula_str(b, s, r, cols[LC_PROGRESS], ftext,
                        b->vword[progress_verdict(tr)], fmt(b, NULL, 0));
        b->nlive++;
    } else if (cols[LC_PROGRESS] >= 0) {
        put_str(b, s, r, cols[LC_PROGRESS], NULL, NULL);
    }
    free(ftext);
}

/* 判断依据 in the findings' words: the problem, or the figure against the target. */
static char *basis_text(const wb *b, const finding *it)
{
    if (it->problem)
        return xstrdup(it->problem);
    const char *t = T(b, "live", "basis");
    strbuf sb;
    sb_init(&sb);
    for (const char *p = t; *p;) {
        if (strncmp(p, "{figure}", 8) == 0) {
            sb_add(&sb, it->figure ? it->figure : "");
            p += 8;
        } else if (strncmp(p, "{target}", 8) == 0) {
            sb_add(&sb, it->target ? it->target : "");
            p += 8;
        } else {
            sb_addc(&sb, *p++);
        }
    }
    return sb_take(&sb);
}

/* The row of 里程碑 that holds target tr of the non-quantitative indicator ii (write_milestones' order). */
static int milestone_row(const wb *b, int ii, const target_result *tr)
{
    int r = 1;
    for (int i = 0; i < ii; i++)
        if (b->ev->inds[i].ind->kind != IND_QUANTITATIVE)
            r += b->ev->inds[i].ntargets;
    return r + (int)(tr - b->ev->inds[ii].targets);
}

/* A milestone's verdict on 指标: 里程碑's (a formula there); its outlook follows when due. */
static void tracked_row(wb *b, sheet *s, int r, const int *cols, const finding *it,
                        const char *verdict_cell)
{
    const target_result *tr = it->tr;
    int ms = milestone_row(b, it->ii, tr);
    if (cols[LC_STATUS] >= 0) {
        char a1[32];
        cell_ref(ms, MS_STATUS_COL, 1, a1, sizeof a1);
        char *ftext = xasprintf("=%s!%s", b->quoted_milestones, a1);
        put_formula_str(b, s, r, cols[LC_STATUS], ftext,
                        b->vword[tr->status], fmt(b, NULL, 0));
        b->nlive++;
        free(ftext);
    }
    /* A milestone's outlook before its year follows its chance of completion
     * (findings.c outlook_of), which rests on every milestone of the plan:
     * the program's, fixed like a quantitative target's forecast outlook. */
    if (tr->due || cols[LC_OUTLOOK] < 0 || (it->fc && it->fc->status != FS_NONE) ||
        tr->t->op == OP_DONE) {
        live_outlook(b, s, r, cols[LC_OUTLOOK], it, 1, verdict_cell);
        return;
    }
    /*
     * A qualitative item not yet due (findings.c outlook_of): achieved
     * early is met; no record, no data; an achieved rating so far or a status
     * of words.on_track_statuses on track; else at risk.
     */
    const char *w[OL_COUNT];
    outlook_words(b, w);
    char S[96];
    cell_ref(ms, MS_LATEST_COL, 1, S, sizeof S);
    char *quoted = xasprintf("%s!%s", b->quoted_milestones, S);
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "=IF(%s=\"%s\",\"%s\",IF(%s=\"\",\"%s\",IF(OR(FALSE", verdict_cell,
              b->vword[V_MET], w[OL_MET], quoted, w[OL_INSUFFICIENT]);
    char *const *words = b->ec->dict->ms_status;
    sb_printf(&sb, ",%s=\"%s\",%s=\"%s\"", quoted, words[MSS_ACHIEVED], quoted,
              words[MSS_MOSTLY_ACHIEVED]);
    int n = rtpl_count(b->f->words, "words.on_track_statuses");
    for (int i = 0; i < n; i++) {
        const char *st = rtpl_getf(b->f->words, "words.on_track_statuses.%d", i);
        if (st)
            sb_printf(&sb, ",%s=\"%s\"", quoted, st);
    }
    sb_printf(&sb, "),\"%s\",\"%s\")))", w[OL_ON_TRACK], w[OL_AT_RISK]);
    put_formula_str(b, s, r, cols[LC_OUTLOOK], sb.s, it->outlook_word, fmt(b, NULL, 0));
    b->nlive++;
    b->outlook_live[it - b->f->items] = 1;
    sb_free(&sb);
    free(quoted);
}

/* One target's live cells on row r of 指标. */
static void live_row(wb *b, sheet *s, int r, const int *cols, const finding *it)
{
    const target_result *tr = it->tr;
    char refs[LC_N][32];
    live_refs lr;
    range_ctx rc = {b, it->ii, tr->t};
    live_refs_of(b, cols, r, refs, &lr, &rc);
    char *cur = live_current(it->ir, tr, &lr);
    int live = cur != NULL;
    b->ind_row_live[it - b->f->items] = (char)live;
    int plan_base = tr->has_baseline && tr->t->baseline.has_value;
    char *base = live ? live_baseline(it->ir, tr, &lr) : NULL;
    lxw_format *ff = figure_fmt(b, it, 0);
    live_figure(b, s, r, cols[LC_CUR], cur, it->ind->kind == IND_QUANTITATIVE, tr->current, ff);
    if (plan_base && cols[LC_BASE] >= 0)
        put_num(b, s, r, cols[LC_BASE], tr->baseline.v, ff, -1);
    else
        live_figure(b, s, r, cols[LC_BASE], base, tr->has_baseline, tr->baseline, ff);
    live_figure(b, s, r, cols[LC_CHANGE], live ? live_change(tr, &lr) : NULL, tr->has_change,
                fv_ok(tr->change_pct), fmt(b, "0.0", 0));
    if (live && (tr->t->op == OP_DECREASE || tr->t->op == OP_INCREASE))
        live_figure(b, s, r, cols[LC_LIMIT], live_limit(tr, &lr), tr->has_limit,
                    tr->has_limit ? fv_ok(tr->limit) : fv_missing(), ff);
    if (it->ind->kind != IND_QUANTITATIVE) {
        tracked_row(b, s, r, cols, it, refs[LC_STATUS]);
    } else {
        live_verdicts(b, s, r, cols, it, live, &lr);
        live_outlook(b, s, r, cols[LC_OUTLOOK], it, live, refs[LC_STATUS]);
    }
    if (cols[LC_DETAIL] >= 0) {
        char *basis = basis_text(b, it);
        put_str(b, s, r, cols[LC_DETAIL], basis, fixed_fmt(b));
        b->nfixed += basis[0] != '\0'; /* grey like the others: the legend counts it */
        free(basis);
    }
}

/* Below 指标: what the grey cells are, and how many. */
static void fixed_legend(wb *b, sheet *s, int r, int c, const char *code, int nfixed, int nlive)
{
    strbuf sb;
    sb_init(&sb);
    for (const char *p = T(b, "live", code); *p;) {
        if (strncmp(p, "{formulas}", 10) == 0) {
            sb_printf(&sb, "%d", nlive);
            p += 10;
        } else if (strncmp(p, "{fixed}", 7) == 0) {
            sb_printf(&sb, "%d", nfixed);
            p += 7;
        } else {
            sb_addc(&sb, *p++);
        }
    }
    put_overflow(b, s, r, c, sb.s, fixed_fmt(b));
    sb_free(&sb);
}

static int write_indicators(wb *b, sheet *s)
{
    const csv_mem *mp = b->am;
    if (mp->nrows == 0)
        return 0;
#define m (*mp)
    int order[MAX_COLS], cols[LC_N];
    int n = column_order(&m, order);
    lxw_format *h = fmt(b, NULL, FM_HEADER);
    int status_col = -1;
    for (int k = 0; k < LC_N; k++)
        cols[k] = -1;
    for (int k = 0; k < n; k++) {
        const char *code = m.rows[0][order[k]];
        put_str(b, s, 0, k, T(b, "assessment", code), h);
        for (int j = 0; j < LC_N; j++)
            if (strcmp(code, live_codes[j]) == 0)
                cols[j] = k;
        if (strcmp(code, "status_zh") == 0)
            status_col = k;
        if (strcmp(code, "outlook_zh") == 0)
            b->ind_outlook_col = k;
        if (strcmp(code, "limit") == 0)
            b->ind_limit_col = k;
        if (strcmp(code, "current_value") == 0)
            b->ind_cur_col = k;
        if (strcmp(code, "detail") == 0 || strcmp(code, "evidence") == 0 ||
            strcmp(code, "group_name") == 0 || strcmp(code, "name") == 0 ||
            strcmp(code, "finding") == 0 || strcmp(code, "action") == 0 ||
            strcmp(code, "doubt") == 0 || strcmp(code, "reason") == 0)
            s->cap[k] = NAME_WIDTH;
    }
    lxw_format *num = fmt(b, "General", 0);
    int nlive0 = b->nlive, nfixed0 = b->nfixed;
    /* per column, once: does it hold numbers, is it a target's figure */
    char numeric[MAX_COLS], figcol[MAX_COLS];
    for (int k = 0; k < n; k++) {
        const char *code = m.rows[0][order[k]];
        numeric[k] = (char)is_numeric_column(code);
        figcol[k] = strcmp(code, "target_value") == 0 || strcmp(code, "limit") == 0;
    }
    for (size_t r = 1; r < m.nrows; r++) {
        /* assessment.csv has one row per target in plan order, as the findings */
        const finding *it = (int)r - 1 < b->f->n ? &b->f->items[r - 1] : NULL;
        for (int k = 0; k < n; k++) {
            int c = order[k];
            const char *v = c < m.nfields[r] ? m.rows[r][c] : "";
            double x;
            int lc = -1;
            for (int j = 0; j < LC_N && it; j++)
                if (cols[j] == k)
                    lc = j;
            if (lc >= 0 && !(lc == LC_LIMIT && it->tr->t->op != OP_DECREASE &&
                             it->tr->t->op != OP_INCREASE))
                continue; /* live_row writes it */
            int figure = it && it->ind->kind == IND_QUANTITATIVE && figcol[k];
            if (numeric[k] && v[0] && parse_number(v, &x) == 0)
                put_num(b, s, (int)r, k, x, figure ? figure_fmt(b, it, 0) : num, -1);
            else
                put_str(b, s, (int)r, k, v, NULL);
        }
        if (it)
            live_row(b, s, (int)r, cols, it);
    }
    int last = (int)m.nrows - 1;
    if (status_col >= 0)
        status_colouring(b, s, 1, status_col, last, status_col);
    fixed_legend(b, s, last + 2, 0, "legend", b->nfixed - nfixed0, b->nlive - nlive0);
    worksheet_freeze_panes(s->ws, 1, 3);
    check(b, worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)(last > 0 ? last : 1), (lxw_col_t)(n - 1)),
          "worksheet_autofilter");
    finish_sheet(b, s, 1, FS_LANDSCAPE | FS_GROUPS);
#undef m
    return 0;
}

/*
 * Below the forecasts on 预测: per target, what the program computed from
 * this run's data that no formula reproduces (assessment.csv's forecast and
 * statistical columns), and the outlook it judged.
 */
static void program_table(wb *b, sheet *s, int r0)
{
    const csv_mem *m = b->am;
    if (m->nrows == 0)
        return;
    put_overflow(b, s, r0, 0, T(b, "forecast", "program_heading"), fmt(b, NULL, FM_BOLD));
    static const char *const keys[] = {"indicator_id", "target_no", "name", "target_year",
                                       "outlook_zh", NULL};
    int cols[MAX_COLS], n = 0;
    for (int k = 0; keys[k]; k++)
        for (int c = 0; c < m->nfields[0] && n < MAX_COLS; c++)
            if (strcmp(m->rows[0][c], keys[k]) == 0)
                cols[n++] = c;
    for (int c = 0; c < m->nfields[0] && n < MAX_COLS; c++)
        if (in_list(program_columns, m->rows[0][c]))
            cols[n++] = c;
    lxw_format *h = fmt(b, NULL, FM_HEADER), *num = fmt(b, "General", 0);
    for (int k = 0; k < n; k++)
        put_str(b, s, r0 + 1, k, T(b, "assessment", m->rows[0][cols[k]]), h);
    int nkeys = 0;
    while (keys[nkeys])
        nkeys++;
    char numeric[MAX_COLS];
    for (int k = 0; k < n; k++)
        numeric[k] = (char)is_numeric_column(m->rows[0][cols[k]]);
    int row = r0 + 2;
    for (size_t r = 1; r < m->nrows; r++) {
        /* a target the program computed nothing for (a milestone) has no row */
        int any = 0;
        for (int k = nkeys; k < n && !any; k++)
            any = cols[k] < m->nfields[r] && m->rows[r][cols[k]][0];
        if (!any)
            continue;
        for (int k = 0; k < n; k++) {
            int c = cols[k];
            const char *v = c < m->nfields[r] ? m->rows[r][c] : "";
            double x;
            if (numeric[k] && v[0] && parse_number(v, &x) == 0)
                put_num(b, s, row, k, x, num, -1);
            else
                put_str(b, s, row, k, v, NULL);
        }
        row++;
    }
}

/* ---------- 总览: the findings ---------- */

/* The target as 里程碑 shows it: comparator word and value. */
static void target_text(const wb *b, const target *t, char *buf, size_t n)
{
    char v[32];
    const char *op = label(b->lb, "op", op_name(t->op));
    if (t->op <= OP_EQ)
        snprintf(buf, n, "%s %s", op, format_number(t->value, v));
    else if ((t->op == OP_DECREASE || t->op == OP_INCREASE) && t->has_by)
        snprintf(buf, n, "%s %s%%", op, format_number(t->by, v));
    else if ((t->op == OP_DECREASE || t->op == OP_INCREASE) && t->has_amount)
        snprintf(buf, n, "%s %s", op, format_number(t->amount, v));
    else
        snprintf(buf, n, "%s", op);
}

/* The columns of the target list, headed by overview.<code>. */
enum {
    OV_RANK, OV_NAME, OV_TYPE, OV_YEAR, OV_TARGET, OV_FIGURE, OV_GAP, OV_OUTLOOK, OV_PROBLEM,
    OV_ACTION, OV_DEPT, OV_REMARKS, OV_NC
};
static const char *const overview_columns[OV_NC] = {
    "rank", "name", "type", "target_year", "target", "figure", "gap", "outlook", "problem",
    "action", "department", "remarks"};
/* Maximum widths of the text columns; longer texts wrap. */
static const double overview_caps[OV_NC] = {
    [OV_NAME] = 36, [OV_TARGET] = 30, [OV_FIGURE] = 30, [OV_GAP] = 28, [OV_PROBLEM] = 50,
    [OV_ACTION] = 60, [OV_DEPT] = 24, [OV_REMARKS] = 50};

/* Rows: title, summary sentence, provenance, evaluation line, header, targets. */
enum { OV_ROW_TITLE, OV_ROW_OVERALL, OV_ROW_PROVENANCE, OV_ROW_EVAL, OV_ROW_HEAD, OV_ROW_FIRST };

/* The targets in the findings' rank order: the ranked, most serious first, then the rest in plan order. */
static int overview_order(const findings *f, const finding **list)
{
    int n = 0;
    for (int i = 0; i < f->nranked; i++)
        list[n++] = f->ranked[i];
    for (int i = 0; i < f->n; i++)
        if (f->items[i].rank == 0)
            list[n++] = &f->items[i];
    return n;
}

/* 说明: the plan's doubt, the reason for the outlook and the note, joined; NULL when none. */
static char *remarks_text(const wb *b, const finding *it)
{
    const char *parts[3] = {it->doubt, it->reason, it->note};
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < 3; i++) {
        if (!parts[i] || !parts[i][0])
            continue;
        if (sb.len)
            sb_add(&sb, T(b, "overview", "remarks_separator"));
        sb_add(&sb, parts[i]);
    }
    if (!sb.len) {
        sb_free(&sb);
        return NULL;
    }
    sb_add(&sb, T(b, "overview", "remarks_end"));
    return sb_take(&sb);
}

/* The outlook: 指标's (a formula there when the target is due), else the program's, marked. */
static void overview_outlook(wb *b, sheet *s, int r, const finding *it, lxw_format *top)
{
    if (b->ind_outlook_col < 0 || !b->outlook_live[it - b->f->items]) {
        /* italic only: the outlook colours are conditional formats */
        put_str(b, s, r, OV_OUTLOOK, it->outlook_word, fmt(b, NULL, FM_TOP | FM_ITALIC));
        b->ov_fixed++;
        return;
    }
    char a1[32];
    cell_ref((int)(it - b->f->items) + 1, b->ind_outlook_col, 0, a1, sizeof a1);
    char *ftext = xasprintf("=%s!%s", b->quoted_indicators, a1);
    put_formula_str(b, s, r, OV_OUTLOOK, ftext, it->outlook_word, top);
    b->ov_live++;
    free(ftext);
}

/* A literal text inside a formula: quotes doubled. */
static void add_literal(strbuf *sb, const char *text, size_t n)
{
    sb_addc(sb, '"');
    for (size_t i = 0; i < n && text[i]; i++) {
        if (text[i] == '"')
            sb_addc(sb, '"');
        sb_addc(sb, text[i]);
    }
    sb_addc(sb, '"');
}

/* Where the figure's number is in text, as num_fixed wrote it with some decimals; -1 if not once. */
static int number_at(const char *text, double v, int *dec, size_t *len)
{
    for (int d = 0; d <= 6; d++) {
        char *num = num_fixed(v, d);
        size_t n = strlen(num);
        int at = -1, count = 0;
        for (const char *p = strstr(text, num); p; p = strstr(p + 1, num)) {
            char before = p > text ? p[-1] : ' ', after = p[n];
            if (!strchr("0123456789.-", before) && !strchr("0123456789.", after)) {
                at = (int)(p - text);
                count++;
            }
        }
        free(num);
        if (count == 1) {
            *dec = d;
            *len = n;
            return at;
        }
    }
    return -1;
}

/*
 * 现状 as a formula when the findings' figure is "<words><number><unit>"
 * with no other figure after the number: the number then reads 指标's
 * current value (TEXT with the same decimals). NULL otherwise.
 */
static char *figure_formula(const wb *b, const finding *it)
{
    const target_result *tr = it->tr;
    size_t idx = (size_t)(it - b->f->items);
    if (!it->figure || tr->current.state != FV_OK || b->ind_cur_col < 0 || !b->ind_row_live[idx])
        return NULL;
    int dec;
    size_t len;
    int at = number_at(it->figure, tr->current.v, &dec, &len);
    if (at < 0 || strpbrk(it->figure + at + len, "0123456789"))
        return NULL;
    /* near a half at the last decimal, printf (binary) and TEXT (decimal) may round apart */
    double x = fabs(tr->current.v) * pow(10, dec);
    if (fabs(x - floor(x) - 0.5) < 1e-6)
        return NULL;
    char a1[32], numfmt[16];
    cell_ref((int)idx + 1, b->ind_cur_col, 0, a1, sizeof a1);
    decimals_numfmt(dec, numfmt);
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "=IF(ISNUMBER(%s!%s),", b->quoted_indicators, a1);
    add_literal(&sb, it->figure, (size_t)at);
    sb_printf(&sb, "&TEXT(%s!%s,\"%s\")&", b->quoted_indicators, a1, numfmt);
    add_literal(&sb, it->figure + at + len, strlen(it->figure + at + len));
    sb_printf(&sb, ",%s!%s)", b->quoted_indicators, a1);
    return sb_take(&sb);
}

/* 现状: a formula over 指标's current value where figure_formula finds one, else the text (italic). */
static void overview_figure(wb *b, sheet *s, int r, const finding *it, lxw_format *top)
{
    char *ftext = figure_formula(b, it);
    if (ftext) {
        put_formula_str(b, s, r, OV_FIGURE, ftext, it->figure, wrapped(b, top));
        need_lines(s, r, text_lines(it->figure, col_cap(s, OV_FIGURE), -1));
        b->ov_live++;
    } else {
        put_str(b, s, r, OV_FIGURE, it->figure, fmt(b, NULL, FM_TOP | FM_ITALIC));
        b->ov_fixed += it->figure != NULL;
    }
    free(ftext);
}

static void overview_row(wb *b, sheet *s, int r, const finding *it)
{
    lxw_format *top = fmt(b, NULL, FM_TOP);
    if (it->rank)
        put_int(b, s, r, OV_RANK, it->rank, top);
    else
        put_str(b, s, r, OV_RANK, NULL, top);
    put_str(b, s, r, OV_NAME, it->ind->name, top);
    put_str(b, s, r, OV_TYPE, findings_type_name(b->f, it->ind->type), top);
    put_int(b, s, r, OV_YEAR, it->tr->t->year, top);
    put_str(b, s, r, OV_TARGET, it->target, top);
    overview_figure(b, s, r, it, top);
    /* the program's words from this run's figures: italic, as every fixed cell of 总览 */
    lxw_format *words = fmt(b, NULL, FM_TOP | FM_ITALIC);
    put_str(b, s, r, OV_GAP, it->gap, words);
    overview_outlook(b, s, r, it, top);
    put_str(b, s, r, OV_PROBLEM, it->problem, words);
    put_str(b, s, r, OV_ACTION, it->action, words);
    put_str(b, s, r, OV_DEPT, it->dept, top);
    char *remarks = remarks_text(b, it);
    put_str(b, s, r, OV_REMARKS, remarks, words);
    free(remarks);
}

/* The outlook words (findings.yaml words.outlook), in outlook order. */
static void outlook_words(const wb *b, const char **words)
{
    memcpy(words, b->oword, sizeof b->oword);
}

/* The attributes the counts are split by: findings.yaml words.types, then any other a target has. */
static int count_types(const wb *b, const finding *const *list, int n, const char **types)
{
    int ntypes = 0;
    for (int i = 0; i < b->f->ntypes && ntypes < 16; i++)
        types[ntypes++] = b->f->types[i];
    for (int k = 0; k < n && ntypes < 16; k++) {
        const char *t = list[k]->ind->type;
        int known = !t;
        for (int j = 0; j < ntypes && !known; j++)
            known = strcmp(types[j], t) == 0;
        if (!known)
            types[ntypes++] = t;
    }
    return ntypes;
}

/* Where the counts table reads the list, and what it counts. */
typedef struct count_table {
    int cc;                       /* its first column */
    int last;                     /* last row of the target list */
    char out0[32], out1[32];      /* the outlook column of the list, absolute */
    char ty0[32], ty1[32];        /* the attribute column */
    const char *words[OL_COUNT];
    const char *types[16];
    int ntypes;
} count_table;

/* The count of outlook o (o == OL_COUNT: the total) for attribute j (-1: all). */
static void count_cell(wb *b, sheet *s, const count_table *t, const finding *const *list, int n,
                       int o, int j, int r)
{
    int col = t->cc + 2 + j, total = o == OL_COUNT;
    int cached = 0;
    for (int k = 0; k < n; k++) {
        const char *ty = list[k]->ind->type;
        if ((total || strcmp(list[k]->outlook_word, t->words[o]) == 0) &&
            (j < 0 || (ty && strcmp(ty, t->types[j]) == 0)))
            cached++;
    }
    char ftext[256], lab[32], head[32], a[32], z[32], cref[8];
    (void)a;
    (void)z;
    if (total && j < 0) {
        /* every target, whatever its word: a word outside the table shows as a shortfall */
        snprintf(ftext, sizeof ftext, "=COUNTA(%s:%s)", t->out0, t->out1);
    } else if (total) {
        col_name(col, cref);
        snprintf(head, sizeof head, "%s$%d", cref, OV_ROW_HEAD + 1);
        snprintf(ftext, sizeof ftext, "=COUNTIF(%s:%s,%s)", t->ty0, t->ty1, head);
    } else {
        col_name(t->cc, cref);
        snprintf(lab, sizeof lab, "$%s%d", cref, r + 1);
        if (j < 0) {
            snprintf(ftext, sizeof ftext, "=COUNTIF(%s:%s,%s)", t->out0, t->out1, lab);
        } else {
            col_name(col, cref);
            snprintf(head, sizeof head, "%s$%d", cref, OV_ROW_HEAD + 1);
            snprintf(ftext, sizeof ftext, "=COUNTIFS(%s:%s,%s,%s:%s,%s)", t->out0, t->out1, lab,
                     t->ty0, t->ty1, head);
        }
    }
    lxw_format *f = fmt(b, "0", FM_TOP | (total ? FM_BOLD : 0));
    if (n == 0)
        put_int(b, s, r, col, 0, f);
    else
        put_formula(b, s, r, col, ftext, fv_ok(cached), f, 0);
}

/*
 * The outlooks the brief's 总体情况 table shows (pdf.c counts_table): the
 * four of every stage, the others when a target has them. 总览 shows the
 * same, so that its words and counts are the brief's.
 */
static int brief_shows(const finding *const *list, int n, outlook o)
{
    if (o <= OL_AT_RISK || o == OL_OFF_TRACK)
        return 1;
    for (int k = 0; k < n; k++)
        if (list[k]->ol == o)
            return 1;
    return 0;
}

/*
 * To the right of the list: the number of targets by outlook (rows) and
 * attribute (columns), as COUNTIF/COUNTIFS formulas over the list, so that
 * an analyst who changes an outlook sees the counts follow.
 */
static void overview_counts(wb *b, sheet *s, const finding *const *list, int n)
{
    count_table t;
    memset(&t, 0, sizeof t);
    t.cc = OV_NC + 1;
    t.last = n > 0 ? OV_ROW_FIRST + n - 1 : OV_ROW_FIRST;
    cell_ref(OV_ROW_FIRST, OV_OUTLOOK, 1, t.out0, sizeof t.out0);
    cell_ref(t.last, OV_OUTLOOK, 1, t.out1, sizeof t.out1);
    cell_ref(OV_ROW_FIRST, OV_TYPE, 1, t.ty0, sizeof t.ty0);
    cell_ref(t.last, OV_TYPE, 1, t.ty1, sizeof t.ty1);
    outlook_words(b, t.words);
    t.ntypes = count_types(b, list, n, t.types);
    int hr = OV_ROW_HEAD, cc = t.cc;
    lxw_format *h = fmt(b, NULL, FM_HEADER);
    put_str(b, s, hr - 1, cc, T(b, "overview", "counts"), fmt(b, NULL, FM_BOLD));
    put_str(b, s, hr, cc, T(b, "overview", "outlook"), h);
    put_str(b, s, hr, cc + 1, T(b, "overview", "all"), h);
    for (int j = 0; j < t.ntypes; j++)
        put_str(b, s, hr, cc + 2 + j, findings_type_name(b->f, t.types[j]), h);
    int r = OV_ROW_FIRST;
    for (int o = 0; o <= OL_COUNT; o++) {
        int total = o == OL_COUNT;
        if (!total && !brief_shows(list, n, (outlook)o))
            continue;
        /* at the top of rows the list's long texts make tall */
        put_str(b, s, r, cc, total ? T(b, "overview", "total") : t.words[o],
                fmt(b, NULL, FM_TOP | (total ? FM_BOLD : 0)));
        for (int j = -1; j < t.ntypes; j++)
            count_cell(b, s, &t, list, n, o, j, r);
        r++;
    }
    colour_by_text(b, s, OV_ROW_FIRST, cc, r - 2, cc, t.words, outlook_colours, OL_COUNT);
    put_overflow(b, s, r + 1, cc, T(b, "overview", "count_note"), fmt(b, NULL, FM_ITALIC));
    fixed_legend(b, s, r + 2, cc, "overview_legend", b->ov_fixed, b->ov_live);
    s->width[cc] = text_width(T(b, "overview", "outlook")) + 4;
    for (int o = 0; o < OL_COUNT; o++)
        note_width(s, cc, text_width(t.words[o]));
}

/* A text across the list's columns, wrapped, its row as tall as it needs (after the columns are filled). */
static void overview_banner(wb *b, sheet *s, int r, const char *text, unsigned flags)
{
    if (!text || !text[0])
        return;
    double w = 0;
    for (int c = 0; c < OV_NC; c++)
        w += column_width(s, c);
    lxw_format *f = fmt(b, NULL, flags | FM_WRAP);
    check(b,
          worksheet_merge_range(s->ws, (lxw_row_t)r, 0, (lxw_row_t)r, OV_NC - 1, text, f),
          "worksheet_merge_range");
    need_lines(s, r, text_lines(text, w, -1));
}

/* Title and the evaluation: stage, plan period, data years, region. */
static void overview_head(wb *b, sheet *s)
{
    const evaluation *ev = b->ev;
    const plan *p = b->p;
    char buf[512];
    put_overflow(b, s, OV_ROW_TITLE, 0, p->title, fmt(b, NULL, FM_TITLE));
    /* 评估阶段：终期评估　　评估年份：2025年 ...: punctuation from the template */
    const char *colon = T(b, "overview", "colon"), *gap = T(b, "overview", "item_gap");
    const char *dash = T(b, "overview", "dash"), *year = T(b, "overview", "year");
    snprintf(buf, sizeof buf, "%s%s%s%s%s%s%d%s%s%s%s%d%s%d%s%s%s%s%d%s%d%s%s%s%s%s",
             T(b, "overview", "stage"), colon, label(b->lb, "stage", stage_name(ev->stage)), gap,
             T(b, "overview", "eval_year"), colon, ev->eval_year, year, gap,
             T(b, "overview", "period"), colon, p->period[0], dash, p->period[1], year, gap,
             T(b, "overview", "data_years"), colon, ev->data_first_year, dash, ev->data_last_year,
             year, gap, T(b, "overview", "region"), colon,
             p->region_name ? p->region_name : p->region);
    put_overflow(b, s, OV_ROW_EVAL, 0, buf, NULL);
    const char *heads[OV_NC];
    for (int c = 0; c < OV_NC; c++) {
        heads[c] = T(b, "overview", overview_columns[c]);
        s->cap[c] = overview_caps[c];
    }
    header_row(b, s, OV_ROW_HEAD, heads, OV_NC);
}

/*
 * 总览: every target in the findings' rank order, in the findings' words
 * (the same as the brief's and the report's), the summary sentence above,
 * the counts by outlook to the right.
 */
static void write_overview(wb *b, sheet *s)
{
    const findings *f = b->f;
    const finding **list = xcalloc((size_t)(f->n ? f->n : 1), sizeof *list);
    int n = overview_order(f, list);
    overview_head(b, s);
    for (int k = 0; k < n; k++)
        overview_row(b, s, OV_ROW_FIRST + k, list[k]);
    int last = OV_ROW_FIRST + n - 1;
    const char *words[OL_COUNT];
    outlook_words(b, words);
    colour_by_text(b, s, OV_ROW_FIRST, OV_OUTLOOK, last, OV_OUTLOOK, words, outlook_colours,
                   OL_COUNT);
    overview_counts(b, s, list, n);
    overview_banner(b, s, OV_ROW_OVERALL, f->overall, FM_BOLD);
    overview_banner(b, s, OV_ROW_PROVENANCE, f->provenance, FM_BOLD | FM_RED);
    worksheet_freeze_panes(s->ws, OV_ROW_FIRST, 2);
    check(b,
          worksheet_autofilter(s->ws, OV_ROW_HEAD, 0,
                               (lxw_row_t)(last > OV_ROW_HEAD ? last : OV_ROW_HEAD + 1),
                               OV_NC - 1),
          "worksheet_autofilter");
    worksheet_activate(s->ws);
    finish_sheet(b, s, OV_ROW_FIRST, 1);
    free(list);
}

/* ---------- 预测 and 图表 ---------- */

/* Is the indicator charted: a count-based rate or a numeric target. */
static int charted(const wb *b, const indicator_result *ir)
{
    const indicator *ind = ir->ind;
    if (ind->kind != IND_QUANTITATIVE)
        return 0;
    if (indicator_count_var(b->ec, ind) >= 0)
        return 1;
    for (int k = 0; k < ir->ntargets; k++) {
        const target_result *tr = &ir->targets[k];
        if (tr->t->op <= OP_ZERO || tr->has_limit)
            return 1;
    }
    return 0;
}

/* The threshold a target line shows; 0 when the target has none. */
static int target_line(const target_result *tr, double *v)
{
    const target *t = tr->t;
    if (t->each)
        return 0; /* each member's figure, not the whole's: no line on the whole */
    if (t->op <= OP_EQ && t->has_value) {
        *v = t->value;
        return 1;
    }
    if (t->op == OP_ZERO) {
        *v = 0;
        return 1;
    }
    if (tr->has_limit) {
        *v = tr->limit;
        return 1;
    }
    return 0;
}

/* A forecast row of the 预测 sheet: which figure of fc_point it shows. */
enum { FR_VALUE, FR_LO80, FR_HI80, FR_LO95, FR_HI95, FR_N };

typedef struct chart_block {
    int ind;          /* index into ev->inds */
    int observed_row; /* on 图表数据 */
    int target_rows[8];
    int target_marks[8]; /* the line is one year: markers */
    int ntargets;
    int fc_rows[FR_N]; /* on 预测; 0: none */
} chart_block;

/* The two sheets a chart reads: the live 图表数据 and the program's 预测. */
typedef struct chart_sheets {
    sheet *live, *fc;
    int first, last; /* year columns */
} chart_sheets;

/* The forecast of indicator i, or NULL when there is none. */
static const fc_indicator *forecast_of(const wb *b, int i)
{
    const forecast_set *fs = b->fs;
    if (!fs || i >= fs->ninds || !fs->inds)
        return NULL;
    const fc_indicator *fi = &fs->inds[i];
    return fi->model != FM_NONE && fi->npoints_fc > 0 && fi->points ? fi : NULL;
}

static double point_figure(const fc_point *pt, int row)
{
    switch (row) {
    case FR_LO80: return pt->lo80;
    case FR_HI80: return pt->hi80;
    case FR_LO95: return pt->lo95;
    case FR_HI95: return pt->hi95;
    default: return pt->value;
    }
}

/* The label columns of one 预测 or 图表数据 row. */
static void forecast_row_labels(wb *b, sheet *s, int r, const indicator *ind, const char *what)
{
    put_str(b, s, r, 0, ind->id, NULL);
    put_str(b, s, r, 1, ind->name, NULL);
    put_str(b, s, r, 2, what, NULL);
    put_str(b, s, r, 3, ind->unit, NULL);
}

static void add_line_series(wb *b, lxw_chart *ch, const sheet *s, int row, int ny,
                            lxw_color_t colour, double width, uint8_t dash, int markers)
{
    lxw_chart_series *ser = chart_add_series(ch, NULL, NULL);
    check_ptr(b, ser, "chart_add_series");
    if (!ser)
        return;
    chart_series_set_categories(ser, s->name, 1, YEAR_COL, 1, (lxw_col_t)(YEAR_COL + ny - 1));
    chart_series_set_values(ser, s->name, (lxw_row_t)row, YEAR_COL, (lxw_row_t)row,
                            (lxw_col_t)(YEAR_COL + ny - 1));
    chart_series_set_name_range(ser, s->name, (lxw_row_t)row, 2);
    lxw_chart_line line;
    memset(&line, 0, sizeof line);
    line.color = colour;
    line.width = (float)width;
    line.dash_type = dash;
    chart_series_set_line(ser, &line);
    if (markers) {
        chart_series_set_marker_type(ser, markers > 1 ? LXW_CHART_MARKER_DIAMOND
                                                      : LXW_CHART_MARKER_CIRCLE);
        chart_series_set_marker_size(ser, markers > 1 ? 8 : 5);
        if (markers > 1) {
            lxw_chart_fill fill;
            memset(&fill, 0, sizeof fill);
            fill.color = colour;
            chart_series_set_marker_fill(ser, &fill);
            lxw_chart_line border;
            memset(&border, 0, sizeof border);
            border.color = colour;
            chart_series_set_marker_line(ser, &border);
        }
    } else {
        chart_series_set_marker_type(ser, LXW_CHART_MARKER_NONE);
    }
}

/* The years of 预测: from the first data year to the plan's end, the last
 * target or the last forecast year. *any: some indicator has a forecast. */
static int forecast_last_year(const wb *b, int *any)
{
    const evaluation *ev = b->ev;
    int last = b->yr_first + b->yr_years - 1;
    if (b->p->period[1] > last)
        last = b->p->period[1];
    *any = 0;
    for (int i = 0; i < ev->ninds; i++) {
        for (int k = 0; k < ev->inds[i].ntargets; k++)
            if (ev->inds[i].targets[k].t->year > last && ev->inds[i].ind->kind == IND_QUANTITATIVE)
                last = ev->inds[i].targets[k].t->year;
        const fc_indicator *fi = forecast_of(b, i);
        for (int k = 0; fi && k < fi->npoints_fc; k++)
            if (fi->points[k].year > last)
                last = fi->points[k].year;
        *any |= fi != NULL;
    }
    if (last - b->yr_first + 1 > MAX_COLS - YEAR_COL)
        last = b->yr_first + MAX_COLS - YEAR_COL - 1;
    return last;
}

/* The forecast rows of indicator i (value and intervals) on 预测 from row r; returns the next row. */
static int forecast_rows(wb *b, const chart_sheets *cs, chart_block *cb, int r, lxw_format *f,
                         int prec)
{
    const indicator *ind = b->ev->inds[cb->ind].ind;
    const fc_indicator *fi = forecast_of(b, cb->ind);
    static const char *const fc_codes[FR_N] = {"forecast", "lower80", "upper80", "lower95",
                                               "upper95"};
    sheet *s = cs->fc;
    for (int row = 0; fi && row < FR_N; row++, r++) {
        cb->fc_rows[row] = r;
        forecast_row_labels(b, s, r, ind, T(b, "yearly", fc_codes[row]));
        if (row == FR_VALUE) {
            char *c = xasprintf("%s: %s\n%s", T(b, "forecast", "model"), fc_model_name(fi->model),
                                fi->why);
            put_comment(b, s, r, 2, c);
            free(c);
        }
        for (int k = 0; k < fi->npoints_fc; k++) {
            const fc_point *pt = &fi->points[k];
            double v = point_figure(pt, row);
            if (pt->year >= cs->first && pt->year <= cs->last && isfinite(v))
                put_num(b, s, r, YEAR_COL + pt->year - cs->first, v, f, prec);
        }
    }
    return r;
}

/* A formula showing a live cell on a chart: its number, else #N/A (a gap, not a zero). */
static void chart_cell(wb *b, sheet *s, int r, int c, const char *ref, fvalue cached,
                       lxw_format *f, int prec)
{
    /* On the stack when it fits (refs are cells of sheet_ref, under 96
     * bytes): 8,000 such cells on 20 synthetic regions went through
     * xasprintf's vasprintf and malloc. */
    char buf[256], *heap = NULL;
    const char *ftext = buf;
    if (snprintf(buf, sizeof buf, "=IF(ISNUMBER(%s),%s,NA())", ref, ref) >= (int)sizeof buf)
        ftext = heap = xasprintf("=IF(ISNUMBER(%s),%s,NA())", ref, ref);
    if (cached.state == FV_OK)
        put_formula(b, s, r, c, ftext, cached, f, prec);
    else
        put_formula_str(b, s, r, c, ftext, "#N/A", f);
    free(heap);
}

/* One target line on 图表数据: the plan's figure, or 指标's live limit of a change target. */
static void target_line_cells(wb *b, sheet *s, int r, const chart_sheets *cs,
                              const chart_block *cb, int k, double v)
{
    const indicator_result *ir = &b->ev->inds[cb->ind];
    const target_result *tr = &ir->targets[k];
    int dec = decimals_of(v), prec = clamp_precision(ir->ind->precision);
    char numfmt[64];
    indicator_numfmt_x(ir->ind, dec > prec ? dec - prec : 0, numfmt, sizeof numfmt);
    lxw_format *f = fmt(b, numfmt, 0);
    int a = tr->window[0] < cs->first ? cs->first : tr->window[0];
    int z = tr->t->year > cs->last ? cs->last : tr->t->year;
    if (a > z)
        a = z;
    int live = (tr->t->op == OP_DECREASE || tr->t->op == OP_INCREASE) && b->ind_limit_col >= 0 &&
               b->ind_row_live[b->f->first[cb->ind] + k];
    char ref[64];
    if (live) {
        char a1[32];
        cell_ref(b->f->first[cb->ind] + k + 1, b->ind_limit_col, 1, a1, sizeof a1);
        sheet_ref(b->quoted_indicators, a1, ref, sizeof ref);
    }
    for (int y = a; y <= z; y++) {
        if (live)
            chart_cell(b, s, r, YEAR_COL + y - cs->first, ref, fv_ok(v), f, dec);
        else
            put_num(b, s, r, YEAR_COL + y - cs->first, v, f, dec);
    }
}

/* The target lines of an indicator (at most 8) on 图表数据 from row r; returns the next row. */
static int target_rows(wb *b, const chart_sheets *cs, chart_block *cb, int r)
{
    const indicator_result *ir = &b->ev->inds[cb->ind];
    for (int k = 0; k < ir->ntargets && cb->ntargets < 8; k++) {
        const target_result *tr = &ir->targets[k];
        double v;
        if (!target_line(tr, &v))
            continue;
        char name[128];
        snprintf(name, sizeof name, "%s %d", T(b, "yearly", "target"), tr->t->year);
        forecast_row_labels(b, cs->live, r, ir->ind, name);
        target_line_cells(b, cs->live, r, cs, cb, k, v);
        int a = tr->window[0] < cs->first ? cs->first : tr->window[0];
        int z = tr->t->year > cs->last ? cs->last : tr->t->year;
        cb->target_marks[cb->ntargets] = a >= z;
        cb->target_rows[cb->ntargets++] = r;
        r++;
    }
    return r;
}

/* The observed values of an indicator on 图表数据: formulas over 年度数据. */
static void observed_row(wb *b, const chart_sheets *cs, chart_block *cb, int r, lxw_format *f,
                         int prec)
{
    const indicator_result *ir = &b->ev->inds[cb->ind];
    cb->observed_row = r;
    forecast_row_labels(b, cs->live, r, ir->ind, T(b, "yearly", "observed"));
    for (int k = 0; k < ir->nyears; k++) {
        int y = ir->first_year + k, col = y - b->yr_first;
        if (y < cs->first || y > cs->last)
            continue;
        if (b->yrow[cb->ind] >= 0 && col >= 0 && col < b->yr_years) {
            char a1[32], ref[96];
            cell_ref(b->yrow[cb->ind], YEAR_COL + col, 0, a1, sizeof a1);
            sheet_ref(b->quoted_yearly, a1, ref, sizeof ref);
            chart_cell(b, cs->live, r, YEAR_COL + y - cs->first, ref, ir->years[k].value, f, prec);
        } else {
            put_value(b, cs->live, r, YEAR_COL + y - cs->first, ir->years[k].value, f, prec);
        }
    }
}

/* The rows of one indicator: observed and target lines on 图表数据, the forecast on 预测. */
static void forecast_block(wb *b, const chart_sheets *cs, chart_block *cb, int *lr, int *fr)
{
    const indicator *ind = b->ev->inds[cb->ind].ind;
    char numfmt[64];
    indicator_numfmt(ind, numfmt, sizeof numfmt);
    lxw_format *f = fmt(b, numfmt, 0);
    int prec = clamp_precision(ind->precision);
    observed_row(b, cs, cb, *lr, f, prec);
    *lr = target_rows(b, cs, cb, *lr + 1);
    *fr = forecast_rows(b, cs, cb, *fr, f, prec);
}

/* The year header of 预测 and 图表数据 on row r. */
static void year_header(wb *b, sheet *s, int r, int first, int ny)
{
    const char *heads[4] = {T(b, "yearly", "id"), T(b, "yearly", "name"), T(b, "yearly", "row"),
                            T(b, "yearly", "unit")};
    header_row(b, s, r, heads, 4);
    lxw_format *h = fmt(b, "0", FM_HEADER);
    for (int k = 0; k < ny; k++)
        put_int(b, s, r, YEAR_COL + k, first + k, h);
}

static void finish_year_table(wb *b, sheet *s, int r, int ny)
{
    worksheet_freeze_panes(s->ws, 2, 3);
    check(b,
          worksheet_autofilter(s->ws, 1, 0, (lxw_row_t)(r > 2 ? r - 1 : 2),
                               (lxw_col_t)(YEAR_COL + ny - 1)),
          "worksheet_autofilter");
}

/* 预测's note: what the program computed, from which inputs (the run's digest). */
static void forecast_note(wb *b, sheet *s, int any_forecast)
{
    char *note = xasprintf("%s%s%s",
                           T(b, "forecast", !b->fs ? "note" : any_forecast ? "note_done" : "note_none"),
                           T(b, "forecast", "computed"), b->oc->inputs_digest ? b->oc->inputs_digest : "");
    put_overflow(b, s, 0, 0, note, fmt(b, NULL, FM_ITALIC | FM_RED));
    free(note);
}

/* 图表数据 and 预测: per charted or forecast indicator, its rows. Returns the number of blocks. */
static int write_forecast(wb *b, chart_sheets *cs, chart_block *blocks, int *ny)
{
    cs->live->cap[1] = NAME_WIDTH;
    cs->fc->cap[1] = NAME_WIDTH;
    const evaluation *ev = b->ev;
    int any_forecast;
    cs->first = b->yr_first;
    cs->last = forecast_last_year(b, &any_forecast);
    *ny = cs->last - cs->first + 1;
    forecast_note(b, cs->fc, any_forecast);
    put_overflow(b, cs->live, 0, 0, T(b, "forecast", "note_live"), fmt(b, NULL, FM_ITALIC));
    year_header(b, cs->live, 1, cs->first, *ny);
    year_header(b, cs->fc, 1, cs->first, *ny);
    int nb = 0, lr = 2, fr = 2;
    for (int i = 0; i < ev->ninds; i++) {
        if (!charted(b, &ev->inds[i]) && !forecast_of(b, i))
            continue;
        chart_block *cb = &blocks[nb++];
        cb->ind = i;
        forecast_block(b, cs, cb, &lr, &fr);
    }
    finish_year_table(b, cs->live, lr, *ny);
    finish_year_table(b, cs->fc, fr, *ny);
    program_table(b, cs->fc, fr + 2);
    finish_sheet(b, cs->live, 2, 1);
    finish_sheet(b, cs->fc, 2, 1);
    return nb;
}

/* Rows of 图表 per chart and charts per printed page: a chart never splits. */
#define CHART_ROWS 16
#define CHART_ROWS_PER_PAGE 2

/* The k-th chart of 图表: observed values, the forecast with its 80% interval, the target lines. */
static int add_chart(wb *b, const chart_sheets *ss, sheet *cs, const chart_block *cb, int k, int ny)
{
    const indicator *ind = b->ev->inds[cb->ind].ind;
    lxw_chart *ch = workbook_add_chart(b->w, LXW_CHART_LINE);
    check_ptr(b, ch, "workbook_add_chart");
    if (!ch)
        return -1;
    chart_title_set_name(ch, ind->name); /* readers know an indicator by its name */
    lxw_chart_font tf;
    memset(&tf, 0, sizeof tf);
    tf.size = 11;
    tf.bold = 1;
    chart_title_set_name_font(ch, &tf);
    add_line_series(b, ch, ss->live, cb->observed_row, ny, 0x2F5597, 2.25,
                    LXW_CHART_LINE_DASH_SOLID, 1);
    if (cb->fc_rows[FR_VALUE]) {
        add_line_series(b, ch, ss->fc, cb->fc_rows[FR_VALUE], ny, 0x2F5597, 1.75,
                        LXW_CHART_LINE_DASH_DASH, 1);
        add_line_series(b, ch, ss->fc, cb->fc_rows[FR_LO80], ny, 0x9DC3E6, 1.0,
                        LXW_CHART_LINE_DASH_SOLID, 0);
        add_line_series(b, ch, ss->fc, cb->fc_rows[FR_HI80], ny, 0x9DC3E6, 1.0,
                        LXW_CHART_LINE_DASH_SOLID, 0);
    }
    for (int t = 0; t < cb->ntargets; t++)
        add_line_series(b, ch, ss->live, cb->target_rows[t], ny, 0xC00000, 1.5,
                        LXW_CHART_LINE_DASH_DASH, cb->target_marks[t] ? 2 : 0);
    chart_axis_set_name(ch->x_axis, T(b, "forecast", "axis_year"));
    if (ind->unit && ind->unit[0])
        chart_axis_set_name(ch->y_axis, ind->unit);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    chart_show_blanks_as(ch, LXW_CHART_BLANKS_AS_GAP);
    lxw_chart_options o;
    memset(&o, 0, sizeof o);
    o.x_scale = 1.0;
    o.y_scale = 1.0;
    o.description = ind->name;
    o.object_position = LXW_OBJECT_DONT_MOVE_DONT_SIZE;
    check(b,
          worksheet_insert_chart_opt(cs->ws, (lxw_row_t)(1 + (k / 2) * CHART_ROWS),
                                     (lxw_col_t)((k % 2) * 9), ch, &o),
          "worksheet_insert_chart");
    return 0;
}

/* 图表's print: a page break after every CHART_ROWS_PER_PAGE rows of charts. */
static void chart_page_breaks(wb *b, sheet *cs, int ncharts)
{
    int nrows = (ncharts + 1) / 2, n = 0;
    lxw_row_t breaks[1024];
    for (int k = CHART_ROWS_PER_PAGE; k < nrows && n < 1022; k += CHART_ROWS_PER_PAGE)
        breaks[n++] = (lxw_row_t)(1 + k * CHART_ROWS);
    breaks[n] = 0;
    if (n)
        check(b, worksheet_set_h_pagebreaks(cs->ws, breaks), "worksheet_set_h_pagebreaks");
}

/* 图表数据 and 预测, then 图表: one line chart per block, two across, reading their cells. */
static void write_forecast_and_charts(wb *b, sheet *live, sheet *s, sheet *cs)
{
    const evaluation *ev = b->ev;
    chart_block *blocks = xcalloc((size_t)(ev->ninds ? ev->ninds : 1), sizeof *blocks);
    chart_sheets ss = {live, s, 0, 0};
    int ny;
    int nb = write_forecast(b, &ss, blocks, &ny);
    put_overflow(b, cs, 0, 0, b->p->title, fmt(b, NULL, FM_BOLD));
    for (int k = 0; k < nb; k++)
        if (add_chart(b, &ss, cs, &blocks[k], k, ny) != 0)
            break;
    chart_page_breaks(b, cs, nb);
    worksheet_set_landscape(cs->ws);
    worksheet_set_paper(cs->ws, 9);
    worksheet_fit_to_pages(cs->ws, 1, 0);
    free(blocks);
}

/* ---------- 里程碑 ---------- */

static char *departments_text(const indicator *ind)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < ind->ndepartments; i++)
        sb_printf(&sb, "%s%s", i ? "; " : "", ind->departments[i]);
    return sb_take(&sb);
}

static const char *group_name(const plan *p, const char *id)
{
    for (int i = 0; id && i < p->ngroups; i++)
        if (strcmp(p->groups[i].id, id) == 0)
            return p->groups[i].name;
    return id;
}

/*
 * The record the date column shows: the first done record up to the
 * evaluation year when the latest is done (the date a done-by target is
 * judged by, judge_tracked), else the latest.
 */
static const milestone_record *done_record(const wb *b, const indicator *ind,
                                           const target_result *tr)
{
    const milestone_record *recs;
    int n = region_milestones(b->ec->r, b->p->id, ind->id, &recs);
    if (tr->t->op != OP_DONE || tr->record->role != MSS_DONE)
        return tr->record;
    for (int i = 0; i < n; i++)
        if (recs[i].role == MSS_DONE && recs[i].year <= b->ev->eval_year)
            return &recs[i];
    return tr->record;
}

/* The verdict over the row's latest status and date (live_tracked), or the program's 未到期. */
static void milestone_verdict(wb *b, sheet *s, int r, const target_result *tr, int cv, int cs,
                              int cd)
{
    const char *word = b->vword[tr->status];
    char st[32], dt[32];
    cell_ref(r, cs, 0, st, sizeof st);
    cell_ref(r, cd, 0, dt, sizeof dt);
    live_refs lr;
    memset(&lr, 0, sizeof lr);
    lr.w_met = b->vword[V_MET];
    lr.w_not_met = b->vword[V_NOT_MET];
    lr.w_insufficient = b->vword[V_INSUFFICIENT];
    lr.ms_status = b->ec->dict->ms_status;
    char *ftext = live_tracked(tr, st, dt, &lr, b->vword[V_NOT_YET_DUE]);
    if (ftext) {
        put_formula_str(b, s, r, cv, ftext, word, NULL);
        free(ftext);
    } else {
        put_str(b, s, r, cv, word, NULL); /* 未到期: it follows from the dates alone */
    }
}

static void write_milestones(wb *b, sheet *s)
{
    s->cap[1] = NAME_WIDTH;
    s->cap[3] = 30;
    s->cap[10] = NAME_WIDTH;
    s->cap[12] = NAME_WIDTH;
    const evaluation *ev = b->ev;
    static const char *const codes[] = {"id", "name", "kind", "group", "department",
                                        "target_year", "target", "status", "progress", "date",
                                        "evidence", "record", "detail"};
    enum { NC = 13, C_STATUS = MS_STATUS_COL, C_LATEST = MS_LATEST_COL, C_DATE = 9 };
    const char *heads[NC];
    for (int c = 0; c < NC; c++)
        heads[c] = T(b, "milestones", codes[c]);
    header_row(b, s, 0, heads, NC);
    int r = 1;
    char buf[512];
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        const indicator *ind = ir->ind;
        if (ind->kind == IND_QUANTITATIVE)
            continue;
        char *deps = departments_text(ind);
        for (int k = 0; k < ir->ntargets; k++, r++) {
            const target_result *tr = &ir->targets[k];
            put_str(b, s, r, 0, ind->id, NULL);
            put_str(b, s, r, 1, ind->name, NULL);
            put_str(b, s, r, 2, T(b, "kind", kind_name(ind->kind)), NULL);
            put_str(b, s, r, 3, group_name(b->p, ind->group), NULL);
            put_str(b, s, r, 4, deps, NULL);
            put_int(b, s, r, 5, tr->t->year, NULL);
            target_text(b, tr->t, buf, sizeof buf);
            put_str(b, s, r, 6, buf, NULL);
            milestone_verdict(b, s, r, tr, C_STATUS, C_LATEST, C_DATE);
            if (tr->record) {
                put_str(b, s, r, C_LATEST, tr->record->status, NULL);
                const milestone_record *d = done_record(b, ind, tr);
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", d->year, d->month, d->day);
                put_str(b, s, r, C_DATE, buf, NULL);
                put_str(b, s, r, 10, tr->record->evidence, NULL);
                snprintf(buf, sizeof buf, "%s:%d", tr->record->path, tr->record->line);
                put_str(b, s, r, 11, buf, NULL);
            }
            /* in the findings' words, as 指标 gives it (tr->detail is the
             * English of assessment.csv, for machines) */
            const finding *it = b->f ? findings_of(b->f, i, k) : NULL;
            char *basis = it ? basis_text(b, it) : NULL;
            put_str(b, s, r, 12, basis ? basis : tr->detail, NULL);
            free(basis);
        }
        free(deps);
    }
    status_colouring(b, s, 1, C_STATUS, r - 1, C_STATUS);
    worksheet_freeze_panes(s->ws, 1, 2);
    check(b, worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)(r > 1 ? r - 1 : 1), NC - 1),
          "worksheet_autofilter");
    finish_sheet(b, s, 1, 1);
}

/* ---------- 说明 ---------- */

static int section_head(wb *b, sheet *s, int r, const char *text)
{
    put_overflow(b, s, r, 0, text, fmt(b, NULL, FM_BOLD | FM_TITLE));
    return r + 1;
}

static int kv(wb *b, sheet *s, int r, const char *key, const char *value)
{
    put_str(b, s, r, 0, key, fmt(b, NULL, FM_BOLD));
    put_str(b, s, r, 1, value, fmt(b, NULL, FM_WRAP));
    return r + 1;
}

static char *indicator_formula_text(const indicator *ind)
{
    if (ind->numerator)
        return xasprintf("%s * (%s) / (%s)", ind->scale && ind->scale->text ? ind->scale->text : "1",
                         ind->numerator->text ? ind->numerator->text : "",
                         ind->denominator && ind->denominator->text ? ind->denominator->text : "");
    if (ind->formula && ind->formula->text)
        return xstrdup(ind->formula->text);
    return xstrdup("");
}

static void params_text(const wb *b, const indicator *ind, const expr_def *e, strbuf *sb,
                        int depth)
{
    if (!e || !e->f || depth > 8)
        return;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    for (int i = 0; i < n; i++) {
        if (refs[i].kind != REF_PARAM)
            continue;
        const char *name = b->ec->syms->names[refs[i].id];
        char key[160];
        snprintf(key, sizeof key, "%s = ", name);
        if (sb->s && strstr(sb->s, key))
            continue;
        const param_def *pd = plan_param(b->p, b->ec->cat, ind, refs[i].id);
        sb_printf(sb, "%s%s%s%s%s", sb->len ? "\n" : "", key,
                  pd && pd->value.text ? pd->value.text : "?", pd && pd->unit ? " " : "",
                  pd && pd->unit ? pd->unit : "");
        if (pd)
            params_text(b, ind, &pd->value, sb, depth + 1);
    }
}

/* 一、规划与评估: the plan and the evaluation, key and value. */
static int notes_plan(wb *b, sheet *s, int r)
{
    const evaluation *ev = b->ev;
    const plan *p = b->p;
    char buf[256];
    r = section_head(b, s, r, T(b, "notes", "plan_section"));
    r = kv(b, s, r, T(b, "notes", "title"), p->title);
    r = kv(b, s, r, T(b, "notes", "id"), p->id);
    r = kv(b, s, r, T(b, "notes", "region"), p->region_name ? p->region_name : p->region);
    r = kv(b, s, r, T(b, "notes", "issuer"), p->issuer);
    r = kv(b, s, r, T(b, "notes", "issued"), p->issued);
    r = kv(b, s, r, T(b, "notes", "source_file"), p->source_file);
    r = kv(b, s, r, T(b, "notes", "plan_file"), p->path);
    snprintf(buf, sizeof buf, "%d-%d", p->period[0], p->period[1]);
    r = kv(b, s, r, T(b, "notes", "period"), buf);
    snprintf(buf, sizeof buf, "%d-%d", p->baseline_period[0], p->baseline_period[1]);
    r = kv(b, s, r, T(b, "notes", "baseline_period"), buf);
    snprintf(buf, sizeof buf, "%d", p->midterm_year);
    r = kv(b, s, r, T(b, "notes", "midterm_year"), p->midterm_year ? buf : "");
    r = kv(b, s, r, T(b, "notes", "stage"), label(b->lb, "stage", stage_name(ev->stage)));
    snprintf(buf, sizeof buf, "%d", ev->eval_year);
    r = kv(b, s, r, T(b, "notes", "eval_year"), buf);
    snprintf(buf, sizeof buf, "%d-%d", ev->data_first_year, ev->data_last_year);
    r = kv(b, s, r, T(b, "notes", "data_years"), buf);
    r = kv(b, s, r, T(b, "notes", "plan_notes"), p->notes);
    return r + 1;
}

/* A section's header row from notes.<code> texts. */
static int notes_header(wb *b, sheet *s, int r, const char *const *codes, int n)
{
    const char *heads[16];
    for (int c = 0; c < n && c < 16; c++)
        heads[c] = T(b, "notes", codes[c]);
    header_row(b, s, r, heads, n < 16 ? n : 16);
    return r + 1;
}

/* 二、指标定义: one row per indicator. */
static int notes_definitions(wb *b, sheet *s, int r)
{
    const plan *p = b->p;
    r = section_head(b, s, r, T(b, "notes", "def_section"));
    static const char *const dcodes[] = {"def_id", "def_name", "def_kind", "def_unit",
                                         "def_precision", "def_formula", "def_params",
                                         "def_catalogue", "def_notes"};
    r = notes_header(b, s, r, dcodes, 9);
    lxw_format *wrap = fmt(b, NULL, FM_WRAP);
    for (int i = 0; i < p->ninds; i++, r++) {
        const indicator *ind = &p->inds[i];
        put_str(b, s, r, 0, ind->id, fmt(b, NULL, FM_TOP));
        put_str(b, s, r, 1, ind->name, wrap);
        put_str(b, s, r, 2, T(b, "kind", kind_name(ind->kind)), fmt(b, NULL, FM_TOP));
        if (ind->kind != IND_QUANTITATIVE)
            continue;
        put_str(b, s, r, 3, ind->unit, fmt(b, NULL, FM_TOP));
        put_int(b, s, r, 4, ind->precision, fmt(b, NULL, FM_TOP));
        char *ft = indicator_formula_text(ind);
        put_str(b, s, r, 5, ft, wrap);
        free(ft);
        strbuf sb;
        sb_init(&sb);
        params_text(b, ind, ind->formula, &sb, 0);
        params_text(b, ind, ind->numerator, &sb, 0);
        params_text(b, ind, ind->denominator, &sb, 0);
        params_text(b, ind, ind->scale, &sb, 0);
        put_str(b, s, r, 6, sb.s, wrap);
        sb_free(&sb);
        put_str(b, s, r, 7, ind->use ? ind->use->id : NULL, fmt(b, NULL, FM_TOP));
        put_str(b, s, r, 8, ind->notes, wrap);
    }
    return r + 1;
}

/* One row of 三、基线读法: the baseline of target k of ir. */
static void baseline_row(wb *b, sheet *s, int r, const indicator_result *ir, int k)
{
    const target_result *tr = &ir->targets[k];
    const baseline_def *bd = &tr->t->baseline;
    char buf[64];
    put_str(b, s, r, 0, ir->ind->id, NULL);
    put_int(b, s, r, 1, k + 1, NULL);
    put_str(b, s, r, 2, label(b->lb, "reading", reading_name(bd->reading)), NULL);
    if (bd->reading == BASE_YEAR)
        snprintf(buf, sizeof buf, "%d", bd->year);
    else
        snprintf(buf, sizeof buf, "%d-%d", bd->period[0], bd->period[1]);
    put_str(b, s, r, 3, buf, NULL);
    put_value(b, s, r, 4, tr->baseline, fmt(b, "General", 0), -1);
    put_str(b, s, r, 5, T(b, "notes", tr->baseline_given ? "base_plan" : "base_data"), NULL);
    put_str(b, s, r, 6, bd->source.quote, fmt(b, NULL, FM_WRAP));
}

/* 三、基线读法: one row per target with a baseline. */
static int notes_baselines(wb *b, sheet *s, int r)
{
    const evaluation *ev = b->ev;
    r = section_head(b, s, r, T(b, "notes", "base_section"));
    static const char *const bcodes[] = {"base_id", "base_target", "base_reading", "base_years",
                                         "base_value", "base_source", "base_quote"};
    r = notes_header(b, s, r, bcodes, 7);
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        for (int k = 0; k < ir->ntargets; k++)
            if (ir->targets[k].t->has_baseline)
                baseline_row(b, s, r++, ir, k);
    }
    return r + 1;
}

/* 四、方法: the method paragraphs; 五、数据文件: the files loaded. */
static int notes_methods_files(wb *b, sheet *s, int r)
{
    r = section_head(b, s, r, T(b, "notes", "method_section"));
    for (size_t i = 0; i < b->tl.n; i++)
        if (strcmp(b->tl.items[i].section, "method") == 0) {
            put_overflow(b, s, r, 0, b->tl.items[i].text, NULL);
            r++;
        }
    r++;
    r = section_head(b, s, r, T(b, "notes", "files_section"));
    static const char *const fcodes[] = {"file_path", "file_encoding", "file_rows"};
    r = notes_header(b, s, r, fcodes, 3);
    for (int i = 0; i < region_file_count(b->ec->r); i++, r++) {
        const char *path, *enc;
        int rows;
        region_file_info(b->ec->r, i, &path, &enc, &rows);
        put_str(b, s, r, 0, path, NULL);
        put_str(b, s, r, 1, enc, NULL);
        put_int(b, s, r, 2, rows, NULL);
    }
    return r + 1;
}

/* 六、数据警告. */
static int notes_warnings(wb *b, sheet *s, int r)
{
    const evaluation *ev = b->ev;
    r = section_head(b, s, r, T(b, "notes", "warn_section"));
    static const char *const wcodes[] = {"warn_level", "warn_file", "warn_line", "warn_message"};
    r = notes_header(b, s, r, wcodes, 4);
    if (ev->warnings.n == 0)
        put_str(b, s, r++, 0, T(b, "notes", "warn_none"), NULL);
    lxw_format *wrap = fmt(b, NULL, FM_WRAP);
    for (size_t i = 0; i < ev->warnings.n; i++, r++) {
        const diag *w = &ev->warnings.items[i];
        put_str(b, s, r, 0, w->level == DIAG_ERROR ? "error" : "warning", NULL);
        put_str(b, s, r, 1, w->file, NULL);
        if (w->line)
            put_int(b, s, r, 2, w->line, NULL);
        put_str(b, s, r, 3, w->msg, wrap);
    }
    return r;
}

static void write_notes(wb *b, sheet *s)
{
    s->cap[1] = NAME_WIDTH;
    s->cap[3] = 30;
    s->cap[5] = NAME_WIDTH;
    s->cap[6] = NAME_WIDTH;
    s->cap[8] = MAX_WIDTH;
    int r = notes_plan(b, s, 0);
    r = notes_definitions(b, s, r);
    r = notes_baselines(b, s, r);
    r = notes_methods_files(b, s, r);
    notes_warnings(b, s, r);
    /* The section titles and method paragraphs run across the columns. */
    if (s->width[0] < 12)
        s->width[0] = 12;
    finish_sheet(b, s, 0, 1);
}

/* ---------- the workbook ---------- */

static time_t creation_time(const evaluation *ev)
{
    /* libxlsxwriter reads a creation time of 0 as "now". */
    time_t t = output_date(ev->eval_year);
    return t == 0 ? 1 : t;
}

static int load_wording(wb *b, const char *templates_dir, labels_cache *lc, diag_list *d)
{
    char *path = xasprintf("%s/workbook.yaml", templates_dir);
    size_t before = diag_errors(d);
    if (labels_load_cached(lc, &b->tl, path, d) == 0) {
        static const struct {
            const char *section;
            const char *const *codes;
        } req[] = {{"sheet", sheet_codes},       {"props", props_codes},
                   {"overview", overview_codes},
                   {"yearly", yearly_codes},     {"inputs", inputs_codes},
                   {"comment", comment_codes},   {"forecast", forecast_codes},
                   {"milestones", milestones_codes}, {"kind", kind_codes},
                   {"notes", notes_codes},       {"live", live_codes_yaml}};
        for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
            labels_require(&b->tl, path, req[i].section, req[i].codes, d);
    }
    free(path);
    return diag_errors(d) > before ? -1 : 0;
}

/*
 * 变化: what changed since the previous run (changes.h), worded by
 * templates/changes.yaml: the summary sentence, then one row per change.
 */
static int write_changes(wb *b, change_list *cl, diag_list *d)
{
    char *name = changes_word(cl, "sheet", d);
    sheet sh;
    memset(&sh, 0, sizeof sh);
    sheet *s = &sh;
    int rc = 0;
    lxw_error e = workbook_validate_sheet_name(b->w, name);
    if (e != LXW_NO_ERROR) {
        char *what = xasprintf("sheet name '%s' (templates/changes.yaml, sheet)", name);
        check(b, e, what);
        free(what);
        rc = -1;
    } else if (!(s->ws = workbook_add_worksheet(b->w, name))) {
        check_ptr(b, s->ws, "workbook_add_worksheet");
        rc = -1;
    }
    if (rc == 0) {
        s->cap[0] = NAME_WIDTH;
        s->cap[5] = MAX_WIDTH;
        char *summary = changes_summary_text(cl, d);
        put_overflow(b, s, 0, 0, summary, fmt(b, NULL, FM_BOLD));
        free(summary);
        int r = 2;
        if (!cl->first_run && cl->n > 0) {
            const char *head[CHANGES_NCOLS];
            for (int c = 0; c < CHANGES_NCOLS; c++)
                head[c] = changes_column(cl, c);
            header_row(b, s, r++, head, CHANGES_NCOLS);
            lxw_format *top = fmt(b, NULL, FM_TOP);
            for (int i = 0; i < cl->n; i++, r++) {
                char *cells[CHANGES_NCOLS];
                changes_cells(cl, i, cells, d);
                for (int c = 0; c < CHANGES_NCOLS; c++) {
                    put_str(b, s, r, c, cells[c], top);
                    free(cells[c]);
                }
            }
            worksheet_freeze_panes(s->ws, 3, 0);
        }
        finish_sheet(b, s, 0, 1);
    }
    free(s->lines);
    free(name);
    return rc;
}

/* The year columns of 原始数据 and 年度数据. */
static void year_columns(wb *b)
{
    const evaluation *ev = b->ev;
    b->in_first = ev->data_first_year;
    b->in_years = ev->data_last_year - ev->data_first_year + 1;
    b->yr_first = ev->data_first_year;
    b->yr_years = 0;
    for (int i = 0; i < ev->ninds; i++)
        if (ev->inds[i].nyears > 0) {
            b->yr_first = ev->inds[i].first_year;
            b->yr_years = ev->inds[i].nyears;
            break;
        }
    /* 年度数据's rows, as write_yearly fills them: value, then numerator and denominator */
    b->yrow = xcalloc((size_t)(ev->ninds ? ev->ninds : 1), sizeof *b->yrow);
    for (int i = 0, r = 1; i < ev->ninds; i++) {
        const indicator *ind = ev->inds[i].ind;
        b->yrow[i] = ind->kind == IND_QUANTITATIVE ? r : -1;
        if (ind->kind == IND_QUANTITATIVE)
            r += ind->numerator ? 3 : 1;
    }
    if (b->in_years > MAX_COLS - FIRST_YEAR_COL)
        b->in_years = MAX_COLS - FIRST_YEAR_COL;
    if (b->yr_years > MAX_COLS - YEAR_COL)
        b->yr_years = MAX_COLS - YEAR_COL;
}

/* Document properties: title, subject, keywords, the fixed creation date; custom properties. */
static void set_properties(wb *b)
{
    const evaluation *ev = b->ev;
    char *title = b->props[0] = xasprintf("%s %s", b->p->title, T(b, "props", "title_suffix"));
    char *subject = b->props[1] =
        xasprintf("%s %d", label(b->lb, "stage", stage_name(ev->stage)), ev->eval_year);
    char *keywords = b->props[2] = xasprintf("%s %s", b->p->id, T(b, "props", "keywords"));
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = title;
    props.subject = subject;
    props.author = (char *)T(b, "props", "author");
    props.category = (char *)T(b, "props", "category");
    props.keywords = keywords;
    props.comments = (char *)T(b, "props", "comments");
    props.created = creation_time(ev);
    check(b, workbook_set_properties(b->w, &props), "workbook_set_properties");
    check(b, workbook_set_custom_property_string(b->w, "plan_id", b->p->id),
          "workbook_set_custom_property_string");
    check(b, workbook_set_custom_property_string(b->w, "stage", stage_name(ev->stage)),
          "workbook_set_custom_property_string");
    check(b, workbook_set_custom_property_integer(b->w, "evaluation_year", ev->eval_year),
          "workbook_set_custom_property_integer");
}

/* The sheets, in tab order. Returns 0, or -1 when a sheet could not be written. */
static int write_sheets(wb *b, diag_list *d)
{
    enum { S_OVERVIEW, S_INDICATORS, S_YEARLY, S_INPUTS, S_CHARTDATA, S_FORECAST, S_CHARTS,
           S_MILESTONES, S_NOTES, S_N };
    sheet sheets[S_N];
    memset(sheets, 0, sizeof sheets);
    int ok = 1, rc = 0;
    csv_mem am;
    if (assessment_table(b, &am, d) != 0)
        return -1;
    b->am = &am;
    for (int i = 0; i < S_N && ok; i++)
        ok = new_sheet(b, &sheets[i], sheet_codes[i]) == 0;
    if (ok) {
        /* 指标 first: 总览's outlooks and the charts' target lines read its cells */
        write_indicators(b, &sheets[S_INDICATORS]);
        write_overview(b, &sheets[S_OVERVIEW]);
        write_yearly(b, &sheets[S_YEARLY]);
        write_inputs(b, &sheets[S_INPUTS]);
        write_forecast_and_charts(b, &sheets[S_CHARTDATA], &sheets[S_FORECAST],
                                  &sheets[S_CHARTS]);
        write_milestones(b, &sheets[S_MILESTONES]);
        write_notes(b, &sheets[S_NOTES]);
        if (b->oc->changes && b->oc->changes->words && write_changes(b, b->oc->changes, d) != 0)
            rc = -1;
    }
    for (int i = 0; i < S_N; i++)
        free(sheets[i].lines);
    csv_mem_free(&am);
    b->am = NULL;
    return rc;
}

static void wb_free(wb *b)
{
    free(b->err_where);
    for (size_t i = 0; i < b->nfmts; i++)
        free(b->fmts[i].numfmt);
    free(b->fmts);
    for (size_t i = 0; i < b->ninputs; i++)
        free(b->inputs[i].ref);
    free(b->inputs);
    free(b->refmemo);
    free(b->quoted_inputs);
    free(b->quoted_yearly);
    free(b->quoted_indicators);
    free(b->outlook_live);
    free(b->quoted_milestones);
    free(b->quoted_helpers);
    free(b->ind_row_live);
    free(b->yrow);
    for (int i = 0; i < 3; i++)
        free(b->props[i]);
    labels_free(&b->tl);
}

int workbook_write(const char *path, const outcome *oc, diag_list *d)
{
    wb b;
    memset(&b, 0, sizeof b);
    b.oc = oc;
    b.f = oc->f;
    b.fs = oc->fs;
    b.ev = oc->ev;
    b.ec = oc->ec;
    b.p = oc->ev->p;
    b.lb = oc->lb;
    if (load_wording(&b, oc->templates_dir, oc->wordings, d) != 0) {
        labels_free(&b.tl);
        return -1;
    }
    lxw_workbook_options opt;
    memset(&opt, 0, sizeof opt);
    b.w = workbook_new_opt(path, &opt);
    if (!b.w) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "workbook: cannot create: %s", strerror(errno));
        labels_free(&b.tl);
        return -1;
    }
    year_columns(&b);
    b.quoted_inputs = quote_sheet(T(&b, "sheet", "inputs"));
    b.quoted_yearly = quote_sheet(T(&b, "sheet", "yearly"));
    b.quoted_indicators = quote_sheet(T(&b, "sheet", "indicators"));
    b.quoted_milestones = quote_sheet(T(&b, "sheet", "milestones"));
    b.ind_outlook_col = -1;
    b.ind_limit_col = -1;
    b.ind_cur_col = -1;
    b.outlook_live = xcalloc((size_t)(b.f->n ? b.f->n : 1), 1);
    b.ind_row_live = xcalloc((size_t)(b.f->n ? b.f->n : 1), 1);
    b.w_na = label(b.lb, "status", "not_applicable");
    for (int v = 0; v <= V_NOT_APPLICABLE; v++)
        b.vword[v] = label(b.lb, "status", verdict_name((verdict)v));
    for (int o = 0; o < OL_COUNT; o++) {
        const char *w = rtpl_getf(b.f->words, "words.outlook.%s", outlook_name((outlook)o));
        b.oword[o] = w ? w : outlook_name((outlook)o);
    }
    collect_inputs(&b);
    set_properties(&b);
    int rc = write_sheets(&b, d);
    check(&b, workbook_close(b.w), "workbook_close");
    if (b.err != LXW_NO_ERROR) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "workbook: %s: %s", b.err_where, lxw_strerror(b.err));
        rc = -1;
    }
    if (rc != 0)
        unlink(path);
    wb_free(&b);
    return rc;
}
