/*
 * charts.c - see charts.h.
 *
 * Units: every drawing function works in points (1/72 inch) on a canvas
 * (canvas.h) of the chart's print size; a PNG surface is scaled by dpi/72.
 * Everything is drawn through the canvas, so the same code draws the PNG
 * and SVG files (Cairo) and the charts on the pages of the PDF reports
 * (libharu). Cairo keeps the first error of a context or surface and turns
 * every later call into a no-op ("sticky" status), so the status is
 * checked where an object is created and once drawing is finished
 * (canvas_free, render), which catches the error of any call in between.
 *
 * Text on a Cairo canvas uses the fontconfig family of charts.yaml; the
 * canvas checks that fontconfig really found that family, and counts
 * characters without a glyph.
 */
#include "charts.h"
#include "canvas.h"
#include "findings.h"
#include "pngenc.h"
#include "lazycairo.h"
#include "results.h"
#include "util.h"

#include <cairo-svg.h>
#include <ctype.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PT_PER_MM (72.0 / 25.4)

/* ---------- palette (Okabe-Ito; lightness differs between neighbours) ---------- */

enum {
    COL_TEXT = 0x1A1A1A,
    COL_MUTED = 0x555555,
    COL_AXIS = 0x444444,
    COL_GRID = 0xD9D9D9,
    COL_BAND = 0xEDEDED,
    COL_HATCH = 0xA8A8A8,
    COL_ROW = 0xF4F4F4,
    OI_ORANGE = 0xE69F00,
    OI_SKY = 0x56B4E9,
    OI_GREEN = 0x009E73,
    OI_YELLOW = 0xF0E442,
    OI_BLUE = 0x0072B2,
    OI_VERMILLION = 0xD55E00,
    OI_PURPLE = 0xCC79A7,
    COL_OBSERVED = OI_BLUE,
    COL_TARGET = OI_VERMILLION,
    COL_ZONE = OI_GREEN,
    COL_BASELINE = 0x333333,
    COL_FORECAST = OI_ORANGE,
    COL_FORECAST_LINE = 0x9C6400 /* darker than its bands, also in grey */
};

/* Text sizes in points at print size: nothing below 8. */
#define FS_TITLE 11.0
#define FS_TEXT 8.5
#define FS_SMALL 8.0

/* ---------- templates ---------- */

typedef enum shape {
    SH_FILLED_CIRCLE, SH_CIRCLE, SH_CROSS, SH_FILLED_TRIANGLE, SH_TRIANGLE, SH_FILLED_SQUARE,
    SH_SQUARE, SH_FILLED_DIAMOND, SH_DIAMOND, SH_DASH, SH_COUNT
} shape;

static const char *const shape_names[SH_COUNT] = {
    "filled-circle", "circle", "cross", "filled-triangle", "triangle", "filled-square",
    "square", "filled-diamond", "diamond", "dash"};

static const char *const status_codes[] = {"met", "not_met", "not_yet_due", "insufficient_data",
                                           "not_applicable", NULL};

typedef struct required {
    const char *section;
    const char *const *codes;
} required;

static const char *const req_font[] = {"family", NULL};
static const char *const req_title[] = {"indicator", "overview", "overview_part", "accidents",
                                        "accidents_grade", "accidents_sector", "reserves", NULL};
static const char *const req_legend[] = {"observed", "target", "target_at", "baseline",
                                         "forecast", "band80", "band95", "missing",
                                         "not_applicable", "eval_year", "plan_period", "serious", "average", NULL};
static const char *const req_axis[] = {"unit", "accidents", "reserves", "norm", NULL};
static const char *const req_verdict[] = {
    "target_cmp", "target_zero", "target_decrease", "target_increase", "target_decrease_any",
    "target_increase_any", "target_decrease_amount", "target_increase_amount", "target_falling", "target_rising",
    "target_keep_zero",
    "target_other", "current", "change_down",
    "change_up", "no_figure", "not_begun", "missing", "failing", "separator",
    "forecast_value", "forecast_prob", "forecast_join", "more", NULL};
static const char *const req_aggregate[] = {"year", "every_year", "window_mean", "window_ratio",
                                            "window_sum", "window_max", "window_min",
                                            "period_mean", "period_total", NULL};
static const char *const req_overview[] = {"header_item", "header_year", "header_figure",
                                           "figure", "milestone", "count", "none", NULL};
static const char *const req_reserves[] = {"value", "latest", "no_data", NULL};
static const char *const req_number[] = {"wan", "yi", NULL};
static const char *const req_op_symbol[] = {"<=", "<", ">=", ">", "==", "zero", "decrease",
                                            "increase", NULL};

static const required required_text[] = {
    {"font", req_font},           {"title", req_title},     {"legend", req_legend},
    {"axis", req_axis},           {"verdict", req_verdict}, {"aggregate", req_aggregate},
    {"overview", req_overview},   {"reserves", req_reserves}, {"op_symbol", req_op_symbol},
    {"number", req_number},
    {"status_shape", status_codes}, {NULL, NULL}};

static int shape_from_name(const char *s)
{
    for (int i = 0; i < SH_COUNT; i++)
        if (strcmp(shape_names[i], s) == 0)
            return i;
    return -1;
}

int chart_templates_load(chart_templates *t, const char *path, diag_list *d)
{
    return chart_templates_load_cached(t, path, NULL, d);
}

int chart_templates_load_cached(chart_templates *t, const char *path, labels_cache *cache,
                                diag_list *d)
{
    memset(t, 0, sizeof *t);
    t->path = xstrdup(path);
    size_t before = diag_errors(d);
    if (labels_load_cached(cache, &t->text, path, d) != 0)
        return -1;
    for (const required *r = required_text; r->section; r++)
        labels_require(&t->text, path, r->section, r->codes, d);
    for (const char *const *c = status_codes; *c; c++) {
        const char *s = label(&t->text, "status_shape", *c);
        if (strcmp(s, *c) != 0 && shape_from_name(s) < 0)
            diag_add(d, DIAG_ERROR, path, 0, 0,
                     "status_shape: '%s' for %s is not a shape (filled-circle circle cross "
                     "filled-triangle triangle filled-square square filled-diamond diamond dash)",
                     s, *c);
    }
    return diag_errors(d) > before ? -1 : 0;
}

void chart_templates_free(chart_templates *t)
{
    labels_free(&t->text);
    free(t->path);
    memset(t, 0, sizeof *t);
}

/* A placeholder and its value, for expand(). */
typedef struct kv {
    const char *key, *val;
} kv;

/* tpl with every {key} of vars replaced; unknown placeholders stay as written. */
static char *expand(const char *tpl, const kv *vars, int n)
{
    strbuf b;
    sb_init(&b);
    for (const char *p = tpl; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            size_t len = (size_t)(close - p - 1);
            int found = 0;
            for (int i = 0; i < n; i++)
                if (strlen(vars[i].key) == len && strncmp(vars[i].key, p + 1, len) == 0) {
                    sb_add(&b, vars[i].val ? vars[i].val : "");
                    found = 1;
                    break;
                }
            if (found) {
                p = close + 1;
                continue;
            }
        }
        sb_addc(&b, *p++);
    }
    return sb_take(&b);
}

/* ---------- numbers ---------- */

/* Remove trailing zeros after a decimal point ("3.400" -> "3.4", "2.0" -> "2"). */
static void strip_zeros(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot)
        return;
    char *e = s + strlen(s) - 1;
    while (e > dot && *e == '0')
        *e-- = '\0';
    if (e == dot)
        *e = '\0';
}

/*
 * A figure for people: `precision` decimals, more for small numbers so that
 * at least two significant digits show (0.0043 rather than 0.00), trailing
 * zeros dropped.
 */
/* snprintf(buf, n, "%.*f", dec, v), mostly without printf (format_f). */
static void fixed_text(char *buf, size_t n, double v, int dec)
{
    if (n < 32 || format_f(buf, v, dec) == 0)
        snprintf(buf, n, "%.*f", dec, v);
}

static char *fmt_value(double v, int precision, char *buf, size_t n)
{
    int dec = precision < 0 ? 2 : precision;
    if (v != 0 && fabs(v) < 1) {
        int need = 1 - (int)floor(log10(fabs(v)));
        if (need > dec)
            dec = need;
    }
    if (dec > 8)
        dec = 8;
    fixed_text(buf, n, v, dec);
    strip_zeros(buf);
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, n, "0");
    return buf;
}

/* Tick label with the decimals the step needs. */
static char *fmt_tick(double v, double step, char *buf, size_t n)
{
    int dec = 0;
    while (dec < 8 && fabs(step * pow(10, dec) - round(step * pow(10, dec))) > 1e-6 * step * pow(10, dec))
        dec++;
    fixed_text(buf, n, fabs(v) < step * 1e-9 ? 0.0 : v, dec);
    return buf;
}

/* A "nice" step (1, 2, 2.5, 5 x 10^k) giving about n intervals over [lo, hi]. */
static double nice_step(double lo, double hi, int n)
{
    double raw = (hi - lo) / (n > 0 ? n : 1);
    if (!(raw > 0))
        return 1;
    double mag = pow(10, floor(log10(raw)));
    double m = raw / mag;
    double f = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
    return f * mag;
}

/* ---------- UTF-8 ---------- */

static size_t u8len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    for (size_t i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

/* 1 if the character at s may not start a line (closing punctuation). */
static int no_line_start(const char *s)
{
    static const char *const closers[] = {"，", "。", "、", "；", "：", "？", "！", "）", "」",
                                          "』", "”", "’", "》", "…", ",", ".", ";", ":", ")",
                                          "%", NULL};
    for (const char *const *c = closers; *c; c++)
        if (strncmp(s, *c, strlen(*c)) == 0)
            return 1;
    return 0;
}

/* 1 if the character at s may not end a line (opening punctuation). */
static int no_line_end(const char *s)
{
    static const char *const openers[] = {"（", "「", "『", "“", "‘", "《", "(", NULL};
    for (const char *const *c = openers; *c; c++)
        if (strncmp(s, *c, strlen(*c)) == 0)
            return 1;
    return 0;
}

/* ---------- chart_ctx and text ---------- */

typedef struct rgb {
    double r, g, b;
} rgb;

static rgb hex(unsigned v)
{
    rgb c = {((v >> 16) & 0xFF) / 255.0, ((v >> 8) & 0xFF) / 255.0, (v & 0xFF) / 255.0};
    return c;
}

typedef struct chart_ctx {
    canvas *cv;
    double w, h;                /* points */
    const chart_env *env;
    diag_list *d;
    const char *what;           /* chart name, for messages */
} chart_ctx;

static const char *T(const chart_ctx *c, const char *section, const char *code)
{
    return label(&c->env->tpl->text, section, code);
}

static const char *status_word(const chart_ctx *c, verdict v)
{
    return label(c->env->lb, "status", verdict_name(v));
}

static shape status_shape(const chart_ctx *c, verdict v)
{
    int s = shape_from_name(T(c, "status_shape", verdict_name(v)));
    return s < 0 ? SH_FILLED_CIRCLE : (shape)s;
}

static unsigned status_colour(verdict v)
{
    switch (v) {
    case V_MET: return OI_GREEN;
    case V_NOT_MET: return OI_VERMILLION;
    case V_NOT_YET_DUE: return OI_BLUE;
    case V_INSUFFICIENT: return OI_ORANGE;
    case V_NOT_APPLICABLE: return 0x808080;
    }
    return COL_TEXT;
}

static void set_colour(canvas *cv, unsigned v)
{
    rgb c = hex(v);
    cv_set_rgb(cv, c.r, c.g, c.b);
}

static void set_colour_a(canvas *cv, unsigned v, double a)
{
    rgb c = hex(v);
    cv_set_rgba(cv, c.r, c.g, c.b, a);
}

/* Advance width of s in points. */
static double text_w(chart_ctx *c, const char *s, double size, int bold)
{
    return cv_text_width(c->cv, s, size, bold);
}

enum { AL_LEFT = CV_LEFT, AL_CENTER = CV_CENTER, AL_RIGHT = CV_RIGHT };

/* Draw s with its baseline at y; returns its width. */
static double text_at(chart_ctx *c, const char *s, double x, double y, double size, int bold,
                      int align, unsigned colour)
{
    if (!s || !*s)
        return 0;
    set_colour(c->cv, colour);
    return cv_text(c->cv, s, x, y, size, bold, (cv_align)align);
}

/* Baseline that centres a line of text of this size on y. */
static double mid_baseline(double y, double size) { return y + size * 0.36; }

/* s cut to fit maxw, with an ellipsis when cut (caller frees). */
static char *fit_text(chart_ctx *c, const char *s, double size, int bold, double maxw)
{
    if (text_w(c, s, size, bold) <= maxw)
        return xstrdup(s);
    static const char ell[] = "\xE2\x80\xA6"; /* U+2026 */
    size_t len = strlen(s);
    /* cut whole characters from the end until it fits */
    size_t *starts = xcalloc(len + 1, sizeof *starts);
    size_t nch = 0;
    for (size_t i = 0; i < len; i += u8len(s + i))
        starts[nch++] = i;
    char *out = NULL;
    for (size_t k = nch; k-- > 0;) {
        char *t = xasprintf("%.*s%s", (int)starts[k], s, ell);
        if (text_w(c, t, size, bold) <= maxw || k == 0) {
            out = t;
            break;
        }
        free(t);
    }
    free(starts);
    return out ? out : xstrdup(ell);
}

/*
 * s within maxw, as fit_text(), but cut first at its last separators (sep:
 * the verdict's "；") and then before a closing parenthetical, keeping whole
 * clauses, so that a number is dropped with its clause rather than cut in
 * the middle ("2025年实际0.…").
 */
static char *fit_clauses(chart_ctx *c, const char *s, const char *sep, double size, int bold,
                         double maxw)
{
    char *t = xstrdup(s);
    size_t n = sep ? strlen(sep) : 0;
    while (n && text_w(c, t, size, bold) > maxw) {
        char *last = NULL;
        for (char *p = strstr(t, sep); p; p = strstr(p + n, sep))
            last = p;
        if (!last || last == t)
            break;
        *last = '\0';
    }
    /* then a closing parenthesis of its own: "（不高于4.5人）" */
    static const char open[] = "\xEF\xBC\x88", close[] = "\xEF\xBC\x89"; /* （ ） */
    size_t len = strlen(t);
    char *par = NULL;
    for (char *p = strstr(t, open); p; p = strstr(p + 3, open))
        par = p;
    if (text_w(c, t, size, bold) > maxw && par && par > t && len >= 3 &&
        strcmp(t + len - 3, close) == 0)
        *par = '\0';
    char *out = fit_text(c, t, size, bold, maxw);
    free(t);
    return out;
}

/*
 * Break s into at most maxlines lines of at most maxw: between any two
 * characters (CJK), but not inside a run of Latin letters or digits when
 * a space is near, and not before closing or after opening punctuation.
 * The last line is cut with an ellipsis if text remains. Returns the count;
 * lines[i] are allocated.
 */
static int wrap_text(chart_ctx *c, const char *s, double size, int bold, double maxw, char **lines,
                     int maxlines)
{
    int n = 0;
    const char *p = s;
    while (*p && n < maxlines) {
        if (n == maxlines - 1 || text_w(c, p, size, bold) <= maxw) {
            lines[n++] = fit_text(c, p, size, bold, maxw);
            break;
        }
        /* longest prefix that fits */
        size_t best = 0;
        for (size_t i = 0; p[i];) {
            size_t next = i + u8len(p + i);
            char *t = xstrndup(p, next);
            int fits = text_w(c, t, size, bold) <= maxw;
            free(t);
            if (!fits)
                break;
            best = i = next;
        }
        if (best == 0)
            best = u8len(p);
        size_t cut = best;
        /* inside a Latin word: back up to the last space if there is one */
        if (p[cut] && ((unsigned char)p[cut] < 0x80 && p[cut] != ' ') &&
            (unsigned char)p[cut - 1] < 0x80 && p[cut - 1] != ' ') {
            size_t k = cut;
            while (k > 0 && p[k - 1] != ' ' && (unsigned char)p[k - 1] < 0x80)
                k--;
            if (k > 0)
                cut = k;
        }
        /* punctuation rules: move one character to the next line */
        for (int guard = 0; guard < 3 && cut > 1; guard++) {
            const char *prev = p + cut;
            size_t pl = 1;
            while (pl < cut && ((unsigned char)*(prev - pl) & 0xC0) == 0x80)
                pl++;
            if (no_line_start(p + cut) || no_line_end(prev - pl))
                cut -= pl;
            else
                break;
        }
        lines[n++] = xstrndup(p, cut);
        p += cut;
        while (*p == ' ')
            p++;
    }
    return n;
}

static void free_lines(char **lines, int n)
{
    for (int i = 0; i < n; i++)
        free(lines[i]);
}

/* Characters of s stacked top to bottom, centred on x, starting at y (top). */
static void text_vertical(chart_ctx *c, const char *s, double x, double y, double size,
                          unsigned colour)
{
    double line = size * 1.05;
    double base = y + size * 0.88;
    for (const char *p = s; *p;) {
        size_t n = u8len(p);
        char ch[8];
        memcpy(ch, p, n);
        ch[n] = '\0';
        text_at(c, ch, x, base, size, 0, AL_CENTER, colour);
        base += line;
        p += n;
    }
}

/* ---------- shapes and lines ---------- */

enum { LS_SOLID, LS_DASHED, LS_DOTTED, LS_SHORTDASH, LS_DASHDOT };

static void line_style(canvas *cv, int style, double width)
{
    cv_set_line_width(cv, width);
    cv_set_line_cap(cv, style == LS_DOTTED ? CV_CAP_ROUND : CV_CAP_BUTT);
    cv_set_line_join(cv, CV_JOIN_ROUND);
    static const double dashed[] = {5.0, 2.5}, dotted[] = {0.01, 2.2}, shortdash[] = {2.6, 1.8},
                        dashdot[] = {6.0, 2.0, 1.2, 2.0};
    switch (style) {
    case LS_DASHED: cv_set_dash(cv, dashed, 2); break;
    case LS_DOTTED: cv_set_dash(cv, dotted, 2); break;
    case LS_SHORTDASH: cv_set_dash(cv, shortdash, 2); break;
    case LS_DASHDOT: cv_set_dash(cv, dashdot, 4); break;
    default: cv_set_dash(cv, NULL, 0); break;
    }
}

static void seg(canvas *cv, double x0, double y0, double x1, double y1, int style, double width,
                unsigned colour)
{
    line_style(cv, style, width);
    set_colour(cv, colour);
    cv_move_to(cv, x0, y0);
    cv_line_to(cv, x1, y1);
    cv_stroke(cv);
    cv_set_dash(cv, NULL, 0);
}

static void draw_shape(canvas *cv, shape s, double x, double y, double r, unsigned colour)
{
    cv_save(cv);
    cv_set_dash(cv, NULL, 0);
    cv_set_line_join(cv, CV_JOIN_MITER);
    cv_new_path(cv);
    int filled = s == SH_FILLED_CIRCLE || s == SH_FILLED_TRIANGLE || s == SH_FILLED_SQUARE ||
                 s == SH_FILLED_DIAMOND;
    double lw = r * 0.42;
    double ri = filled ? r : r - lw / 2; /* open shapes keep the same outer size */
    switch (s) {
    case SH_FILLED_CIRCLE:
    case SH_CIRCLE:
        cv_arc(cv, x, y, ri, 0, 2 * M_PI);
        break;
    case SH_FILLED_TRIANGLE:
    case SH_TRIANGLE: {
        double rt = ri * 1.15;
        cv_move_to(cv, x, y - rt);
        cv_line_to(cv, x + rt * 0.866, y + rt * 0.5);
        cv_line_to(cv, x - rt * 0.866, y + rt * 0.5);
        cv_close_path(cv);
        break;
    }
    case SH_FILLED_SQUARE:
    case SH_SQUARE:
        cv_rectangle(cv, x - ri * 0.88, y - ri * 0.88, ri * 1.76, ri * 1.76);
        break;
    case SH_FILLED_DIAMOND:
    case SH_DIAMOND:
        cv_move_to(cv, x, y - ri * 1.2);
        cv_line_to(cv, x + ri * 1.2, y);
        cv_line_to(cv, x, y + ri * 1.2);
        cv_line_to(cv, x - ri * 1.2, y);
        cv_close_path(cv);
        break;
    case SH_CROSS:
        set_colour(cv, colour);
        cv_set_line_width(cv, r * 0.55);
        cv_set_line_cap(cv, CV_CAP_ROUND);
        cv_move_to(cv, x - r * 0.78, y - r * 0.78);
        cv_line_to(cv, x + r * 0.78, y + r * 0.78);
        cv_move_to(cv, x + r * 0.78, y - r * 0.78);
        cv_line_to(cv, x - r * 0.78, y + r * 0.78);
        cv_stroke(cv);
        cv_restore(cv);
        return;
    case SH_DASH:
        set_colour(cv, colour);
        cv_set_line_width(cv, r * 0.55);
        cv_set_line_cap(cv, CV_CAP_ROUND);
        cv_move_to(cv, x - r * 0.85, y);
        cv_line_to(cv, x + r * 0.85, y);
        cv_stroke(cv);
        cv_restore(cv);
        return;
    case SH_COUNT:
        break;
    }
    if (filled) {
        set_colour(cv, colour);
        cv_fill(cv);
    } else {
        cv_set_rgb(cv, 1, 1, 1);
        cv_fill_preserve(cv);
        set_colour(cv, colour);
        cv_set_line_width(cv, lw);
        cv_stroke(cv);
    }
    cv_restore(cv);
}

/* Diagonal hatching of a rectangle. */
static void hatch(canvas *cv, double x, double y, double w, double h, unsigned colour,
                  double spacing, double width)
{
    cv_save(cv);
    cv_clip_rect(cv, x, y, w, h);
    set_colour(cv, colour);
    cv_set_line_width(cv, width);
    cv_set_dash(cv, NULL, 0);
    for (double k = -h; k < w; k += spacing) {
        cv_move_to(cv, x + k, y + h);
        cv_line_to(cv, x + k + h, y);
    }
    cv_stroke(cv);
    cv_restore(cv);
}

/* Shape and status word at (x, baseline y); returns the width used. */
static double status_badge(chart_ctx *c, verdict v, double x, double y, double size)
{
    double r = size * 0.40;
    draw_shape(c->cv, status_shape(c, v), x + r, y - size * 0.36, r, status_colour(v));
    double w = 2 * r + size * 0.3;
    w += text_at(c, status_word(c, v), x + w, y, size, 1, AL_LEFT, COL_TEXT);
    return w;
}

/* ---------- rendering ---------- */

typedef int (*draw_fn)(chart_ctx *c, const void *arg);

/* Draw fn onto cv, the chart filling (0, 0) to (w_mm, h_mm). */
static int draw_with(const chart_env *env, canvas *cv, double w_mm, double h_mm, draw_fn fn,
                     const void *arg, const char *what, diag_list *d)
{
    chart_ctx c = {cv, w_mm * PT_PER_MM, h_mm * PT_PER_MM, env, d, what};
    cv_save(cv);
    int rc = fn(&c, arg);
    cv_restore(cv);
    return rc;
}

/* A Cairo canvas on cr with the chart font; NULL with an error in d. */
static canvas *chart_canvas(const chart_env *env, cairo_t *cr, const char *what, diag_list *d)
{
    return canvas_cairo_new(cr, label(&env->tpl->text, "font", "family"), what, d);
}

/* ---------- PNG ---------- */

/*
 * The buffers of a PNG chart, kept from one chart to the next: a fresh
 * 8 MB surface and encoder buffers per chart cost more in page faults
 * than drawing and compressing the chart (docs/charts.md).
 */
struct chart_scratch {
    unsigned char *px;
    size_t px_cap;
    png_enc *pe;
};

chart_scratch *chart_scratch_new(void)
{
    chart_scratch *sc = xcalloc(1, sizeof *sc);
    sc->pe = png_enc_new();
    return sc;
}

void chart_scratch_free(chart_scratch *sc)
{
    if (!sc)
        return;
    png_enc_free(sc->pe);
    free(sc->px);
    free(sc);
}

/* buf grown to at least n bytes (contents not kept). */
static unsigned char *grow(unsigned char **buf, size_t *cap, size_t n)
{
    if (*cap < n) {
        free(*buf);
        *buf = xmalloc(n);
        *cap = n;
    }
    return *buf;
}

/*
 * An RGB24 image surface as an 8-bit RGB PNG with its resolution (pHYs).
 * Written by pngenc.c rather than by cairo_surface_write_to_png(): its
 * compressor, made for charts, costs a tenth of zlib's (docs/charts.md),
 * and the pHYs chunk tells other programs the print size.
 */
static int write_png(cairo_surface_t *s, chart_scratch *sc, const char *path, double dpi,
                     diag_list *d)
{
    cairo_surface_flush(s);
    return png_write_rgb24(sc->pe, cairo_image_surface_get_data(s),
                           cairo_image_surface_get_width(s), cairo_image_surface_get_height(s),
                           cairo_image_surface_get_stride(s), dpi, path, d);
}

/* The image surface of a wpx x hpx PNG chart, on sc's pixel buffer. */
static cairo_surface_t *png_surface(chart_scratch *sc, int wpx, int hpx)
{
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, wpx);
    if (stride <= 0)
        return cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx); /* its error */
    unsigned char *px = grow(&sc->px, &sc->px_cap, (size_t)stride * (size_t)hpx);
    return cairo_image_surface_create_for_data(px, CAIRO_FORMAT_RGB24, wpx, hpx, stride);
}

/* An SVG as Cairo writes it, held in memory until its ids are renumbered. */
typedef struct svg_text {
    char *p;
    size_t n, cap;
} svg_text;

static cairo_status_t svg_append(void *closure, const unsigned char *data, unsigned int len)
{
    svg_text *t = closure;
    if (t->cap - t->n < len) {
        t->cap = (t->n + len) * 2;
        t->p = xrealloc(t->p, t->cap);
    }
    memcpy(t->p + t->n, data, len);
    t->n += len;
    return CAIRO_STATUS_SUCCESS;
}

/*
 * Cairo names an SVG's surfaces "surface123" by a counter of the process,
 * so the same chart drawn after other charts (one process for every plan,
 * or a -j worker) would differ in its ids alone. Renumbered here by first
 * appearance in the file, an SVG's bytes depend on the chart only.
 */
static int write_svg(const svg_text *t, const char *path, diag_list *d)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: cannot write the SVG: %s", strerror(errno));
        return -1;
    }
    static const char key[] = "surface";
    const size_t klen = sizeof key - 1;
    long seen[64];
    int nseen = 0;
    size_t i = 0, from = 0;
    while (i + klen < t->n) {
        if (memcmp(t->p + i, key, klen) != 0 || !isdigit((unsigned char)t->p[i + klen])) {
            i++;
            continue;
        }
        size_t j = i + klen;
        long id = 0;
        while (j < t->n && isdigit((unsigned char)t->p[j]) && id < 100000000)
            id = id * 10 + (t->p[j++] - '0');
        int k = 0;
        while (k < nseen && seen[k] != id)
            k++;
        if (k == nseen && nseen < 64)
            seen[nseen++] = id;
        fwrite(t->p + from, 1, i + klen - from, f);
        if (k < 64)
            fprintf(f, "%d", k + 1);
        else
            fwrite(t->p + i + klen, 1, j - i - klen, f); /* beyond 64 surfaces: kept */
        i = from = j;
    }
    fwrite(t->p + from, 1, t->n - from, f);
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: cannot write the SVG: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int render(const chart_env *env, chart_format fmt, double w_mm, double h_mm,
                  const char *path, draw_fn fn, const void *arg, diag_list *d)
{
    if (!(w_mm > 10 && h_mm > 10 && w_mm < 2000 && h_mm < 2000)) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: size %g x %g mm out of range", w_mm, h_mm);
        return -1;
    }
    double wpt = w_mm * PT_PER_MM, hpt = h_mm * PT_PER_MM;
    double dpi = env->dpi > 0 ? env->dpi : CHART_DPI;
    chart_scratch *own = NULL, *sc = env->scratch;
    svg_text svg = {NULL, 0, 0};
    cairo_surface_t *s;
    if (fmt == CHART_PNG) {
        if (!sc)
            sc = own = chart_scratch_new();
        int wpx = (int)ceil(w_mm / 25.4 * dpi - 1e-6), hpx = (int)ceil(h_mm / 25.4 * dpi - 1e-6);
        s = png_surface(sc, wpx, hpx);
    } else {
        s = cairo_svg_surface_create_for_stream(svg_append, &svg, wpt, hpt);
    }
    cairo_status_t st = cairo_surface_status(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: cannot create the %s surface: %s",
                 fmt == CHART_PNG ? "image" : "SVG", cairo_status_to_string(st));
        cairo_surface_destroy(s);
        chart_scratch_free(own);
        free(svg.p);
        return -1;
    }
    if (fmt == CHART_SVG)
        cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_1);
    cairo_t *cr = cairo_create(s);
    /* white everywhere, including a PNG's last partial row and column */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    if (fmt == CHART_PNG)
        cairo_scale(cr, dpi / 72.0, dpi / 72.0);
    canvas *cv = chart_canvas(env, cr, path, d);
    int rc = cv ? draw_with(env, cv, w_mm, h_mm, fn, arg, path, d) : -1;
    if (canvas_free(cv, d) != 0)
        rc = -1;
    cairo_destroy(cr);
    if (fmt == CHART_PNG && rc == 0)
        rc = write_png(s, sc, path, dpi, d);
    cairo_surface_finish(s);
    st = cairo_surface_status(s);
    if (st != CAIRO_STATUS_SUCCESS && rc == 0) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: cannot write: %s", cairo_status_to_string(st));
        rc = -1;
    }
    cairo_surface_destroy(s);
    if (fmt == CHART_SVG && rc == 0)
        rc = write_svg(&svg, path, d);
    free(svg.p);
    chart_scratch_free(own);
    return rc;
}

/* ---------- shared layout pieces ---------- */

/* Title lines (wrapped to 2) from the top; returns the y below them. */
static double draw_title(chart_ctx *c, const char *title, double x, double y, double maxw)
{
    if (c->env->flags & CHART_NO_TITLE)
        return y;
    char *lines[2];
    int n = wrap_text(c, title, FS_TITLE, 1, maxw, lines, 2);
    for (int i = 0; i < n; i++) {
        y += FS_TITLE * 1.0;
        text_at(c, lines[i], x, y, FS_TITLE, 1, AL_LEFT, COL_TEXT);
        y += FS_TITLE * 0.35;
    }
    free_lines(lines, n);
    return y + 3;
}

/* A legend entry: its sample is drawn by kind. */
typedef enum legend_kind {
    LG_OBSERVED, LG_TARGET, LG_BASELINE, LG_FORECAST, LG_BAND80, LG_BAND95, LG_MISSING, LG_NA,
    LG_SWATCH, LG_SWATCH_HATCHED
} legend_kind;

typedef struct legend_item {
    legend_kind kind;
    const char *text;
    unsigned colour;
} legend_item;

#define LEGEND_SAMPLE 15.0

static void legend_sample(chart_ctx *c, const legend_item *it, double x, double ymid)
{
    canvas *cv = c->cv;
    double w = LEGEND_SAMPLE, hh = 3.6;
    switch (it->kind) {
    case LG_OBSERVED:
        seg(cv, x, ymid, x + w, ymid, LS_SOLID, 1.6, COL_OBSERVED);
        draw_shape(cv, SH_FILLED_CIRCLE, x + w / 2, ymid, 2.3, COL_OBSERVED);
        break;
    case LG_TARGET:
        set_colour_a(cv, COL_ZONE, 0.13);
        cv_rectangle(cv, x, ymid, w, hh);
        cv_fill(cv);
        seg(cv, x, ymid, x + w, ymid, LS_DASHED, 1.5, COL_TARGET);
        break;
    case LG_BASELINE:
        seg(cv, x, ymid, x + w, ymid, LS_DOTTED, 1.3, COL_BASELINE);
        draw_shape(cv, SH_DIAMOND, x + w / 2, ymid, 2.4, COL_BASELINE);
        break;
    case LG_FORECAST:
        seg(cv, x, ymid, x + w, ymid, LS_SHORTDASH, 1.5, COL_FORECAST_LINE);
        draw_shape(cv, SH_CIRCLE, x + w / 2, ymid, 2.2, COL_FORECAST_LINE);
        break;
    case LG_BAND80:
        set_colour_a(cv, COL_FORECAST, 0.45);
        cv_rectangle(cv, x, ymid - hh, w, 2 * hh);
        cv_fill(cv);
        break;
    case LG_BAND95:
        set_colour_a(cv, COL_FORECAST, 0.2);
        cv_rectangle(cv, x, ymid - hh, w, 2 * hh);
        cv_fill(cv);
        break;
    case LG_MISSING:
        hatch(cv, x, ymid - hh, w, 2 * hh, COL_HATCH, 2.6, 0.6);
        break;
    case LG_NA:
        set_colour(cv, COL_BAND);
        cv_rectangle(cv, x, ymid - hh, w, 2 * hh);
        cv_fill(cv);
        break;
    case LG_SWATCH:
    case LG_SWATCH_HATCHED:
        set_colour(cv, it->colour);
        cv_rectangle(cv, x + 2, ymid - hh, w - 4, 2 * hh);
        cv_fill(cv);
        if (it->kind == LG_SWATCH_HATCHED)
            hatch(cv, x + 2, ymid - hh, w - 4, 2 * hh, 0xFFFFFF, 2.4, 0.7);
        if (it->colour == 0xDDDDDD || it->colour == OI_YELLOW) {
            set_colour(cv, 0x888888);
            cv_set_line_width(cv, 0.4);
            cv_rectangle(cv, x + 2, ymid - hh, w - 4, 2 * hh);
            cv_stroke(cv);
        }
        break;
    }
}

static double legend_item_w(chart_ctx *c, const legend_item *it)
{
    return LEGEND_SAMPLE + 3 + text_w(c, it->text, FS_SMALL, 0) + 9;
}

/* Rows needed for the legend in width maxw. */
static int legend_rows(chart_ctx *c, const legend_item *items, int n, double maxw)
{
    int rows = n ? 1 : 0;
    double x = 0;
    for (int i = 0; i < n; i++) {
        double iw = legend_item_w(c, &items[i]);
        if (x > 0 && x + iw > maxw) {
            rows++;
            x = 0;
        }
        x += iw;
    }
    return rows;
}

#define LEGEND_ROW 12.0

/* Legend left-aligned at x, rows starting at top y. */
static void draw_legend(chart_ctx *c, const legend_item *items, int n, double x0, double y,
                        double maxw)
{
    double x = x0, ymid = y + LEGEND_ROW / 2;
    for (int i = 0; i < n; i++) {
        double iw = legend_item_w(c, &items[i]);
        if (x > x0 && x + iw > x0 + maxw) {
            x = x0;
            ymid += LEGEND_ROW;
        }
        legend_sample(c, &items[i], x, ymid);
        text_at(c, items[i].text, x + LEGEND_SAMPLE + 3, mid_baseline(ymid, FS_SMALL), FS_SMALL, 0,
                AL_LEFT, COL_TEXT);
        x += iw;
    }
}

/* A numeric axis: value -> y (or x for horizontal bars). */
typedef struct axis {
    double lo, hi, step; /* data range, ticks every step from lo */
    double p0, p1;       /* pixel positions of lo and hi */
    double div;          /* labels show value / div ... */
    const char *suffix;  /* ... followed by this (万, 亿) */
} axis;

static void axis_fit(axis *a, double lo, double hi, int nticks)
{
    /* A flat series, or one whose spread is rounding noise (a forecast band
     * of 1e-16 around 1): one value, shown with room around it, not a
     * zoom into the noise with ticks 1.00000000, 1.00000000, ... */
    if (!(hi > lo) || hi - lo <= 1e-9 * fmax(fabs(lo), fabs(hi))) {
        lo = hi = (lo + hi) / 2;
        double m = fabs(hi) > 0 ? fabs(hi) * 0.5 : 1;
        lo -= lo == 0 && hi == 0 ? 0 : m;
        hi += m;
        if (lo < 0 && hi - m >= 0 && lo + m >= 0)
            lo = 0;
    }
    a->div = 1;
    a->suffix = "";
    a->step = nice_step(lo, hi, nticks);
    a->lo = floor(lo / a->step + 1e-9) * a->step;
    a->hi = ceil(hi / a->step - 1e-9) * a->step;
    if (a->hi <= a->lo)
        a->hi = a->lo + a->step;
}

static double axis_map(const axis *a, double v)
{
    return a->p0 + (v - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

/*
 * Tick labels of an axis reaching 100000 or more are written in units of
 * 10^4 or 10^8 (charts.yaml number: wan / yi), unless the unit already is
 * such a multiple. Sets a->div and a->suffix.
 */
static void axis_big_numbers(chart_ctx *c, axis *a, const char *unit)
{
    a->div = 1;
    a->suffix = "";
    double m = fmax(fabs(a->lo), fabs(a->hi));
    const char *wan = T(c, "number", "wan"), *yi = T(c, "number", "yi");
    if (m < 1e5 || (unit && (strncmp(unit, wan, strlen(wan)) == 0 ||
                             strncmp(unit, yi, strlen(yi)) == 0)))
        return;
    a->div = m >= 1e9 ? 1e8 : 1e4;
    a->suffix = m >= 1e9 ? yi : wan;
}

static char *axis_label(const axis *a, double v, char *buf, size_t n)
{
    char num[48];
    fmt_tick(v / a->div, a->step / a->div, num, sizeof num);
    snprintf(buf, n, "%s%s", num, fabs(v) < a->step * 1e-9 ? "" : a->suffix);
    return buf;
}

/* Widest tick label of a. */
static double axis_label_w(chart_ctx *c, const axis *a)
{
    double w = 0;
    char buf[48];
    for (double v = a->lo; v <= a->hi + a->step * 1e-6; v += a->step) {
        double tw = text_w(c, axis_label(a, v, buf, sizeof buf), FS_SMALL, 0);
        if (tw > w)
            w = tw;
    }
    return w;
}

/* Horizontal grid lines and labels of a vertical axis a between x0 and x1. */
static void draw_y_grid(chart_ctx *c, const axis *a, double x0, double x1)
{
    char buf[48];
    for (double v = a->lo; v <= a->hi + a->step * 1e-6; v += a->step) {
        double y = axis_map(a, v);
        seg(c->cv, x0, y, x1, y, LS_SOLID, fabs(v) < a->step * 1e-9 ? 0.8 : 0.45,
            fabs(v) < a->step * 1e-9 ? COL_AXIS : COL_GRID);
        text_at(c, axis_label(a, v, buf, sizeof buf), x0 - 3, mid_baseline(y, FS_SMALL),
                FS_SMALL, 0, AL_RIGHT, COL_MUTED);
    }
}

/* Year axis: years y0..y1 as equal slots. */
typedef struct year_axis {
    int y0, y1;
    double x0, x1, slot;
} year_axis;

static void year_axis_set(year_axis *ya, int y0, int y1, double x0, double x1)
{
    ya->y0 = y0;
    ya->y1 = y1;
    ya->x0 = x0;
    ya->x1 = x1;
    ya->slot = (x1 - x0) / (y1 - y0 + 1);
}

static double year_x(const year_axis *ya, double year)
{
    return ya->x0 + (year - ya->y0 + 0.5) * ya->slot;
}

/* Year labels under the plot at baseline y; every year if they fit, else every k-th. */
static void draw_year_labels(chart_ctx *c, const year_axis *ya, double y)
{
    double lw = text_w(c, "2020", FS_SMALL, 0) + 4;
    int every = 1;
    while (every * ya->slot < lw && every < 50)
        every = every == 1 ? 2 : every == 2 ? 5 : every * 2;
    char buf[16];
    for (int yr = ya->y0; yr <= ya->y1; yr++) {
        if ((yr % every) != 0 && every > 1)
            continue;
        snprintf(buf, sizeof buf, "%d", yr);
        text_at(c, buf, year_x(ya, yr), y, FS_SMALL, 0, AL_CENTER, COL_MUTED);
        seg(c->cv, year_x(ya, yr), y - FS_SMALL - 3.2, year_x(ya, yr), y - FS_SMALL - 1.2,
            LS_SOLID, 0.5, COL_AXIS);
    }
}

/* White box behind a label so that it reads over lines. */
static void label_halo(chart_ctx *c, const char *s, double x, double y, double size, int bold,
                       int align, unsigned colour)
{
    double w = text_w(c, s, size, bold);
    double left = align == AL_CENTER ? x - w / 2 : align == AL_RIGHT ? x - w : x;
    cv_set_rgba(c->cv, 1, 1, 1, 0.85);
    cv_rectangle(c->cv, left - 1.2, y - size * 0.92, w + 2.4, size * 1.18);
    cv_fill(c->cv);
    text_at(c, s, x, y, size, bold, align, colour);
}

/* ---------- trend chart of one indicator ---------- */

static int is_comparison(target_op op) { return op <= OP_EQ || op == OP_ZERO; }
static int is_change(target_op op) { return op == OP_DECREASE || op == OP_INCREASE; }

/* How a target shows on the yearly scale. */
typedef struct tline {
    const target_result *tr;
    int drawn;   /* a threshold on the yearly scale */
    double level;
    int x0, x1;  /* years the line spans */
    int side;    /* acceptable side: -1 below, +1 above, 0 the line itself */
    int base_known; /* baseline figure known (any reading) */
    int base_given; /* ... as the plan states it */
    double base;
    int has_base;   /* drawn: on the yearly scale */
    int b0, b1;     /* baseline year or period */
} tline;

/* Figure derived from the plan's numbers (a threshold): 4 significant digits. */
static char *fmt_sig(double v, char *buf, size_t n)
{
    int dec = 0;
    if (v != 0 && isfinite(v)) {
        dec = 3 - (int)floor(log10(fabs(v)));
        dec = dec < 0 ? 0 : dec > 10 ? 10 : dec;
    }
    fixed_text(buf, n, v, dec);
    strip_zeros(buf);
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, n, "0");
    return buf;
}

/*
 * The baseline of a decrease/increase target: the assessment's, or (when
 * the assessment did not get that far, e.g. a window not yet begun)
 * computed here the same way from the series. 1 if there is one.
 */
static int target_baseline(const indicator_result *ir, const target_result *tr, double *out,
                           int *given)
{
    const baseline_def *b = &tr->t->baseline;
    *given = 0;
    if (tr->has_baseline && tr->baseline.state == FV_OK) {
        *out = tr->baseline.v;
        *given = tr->baseline_given;
        return 1;
    }
    if (b->has_value) {
        *out = b->value;
        *given = 1;
        return 1;
    }
    if (b->reading == BASE_YEAR) {
        fvalue v = result_year(ir, b->year).value;
        *out = v.v;
        return v.state == FV_OK;
    }
    double s = 0;
    int n = 0;
    for (int y = b->period[0]; y <= b->period[1]; y++) {
        fvalue v = result_year(ir, y).value;
        if (v.state == FV_MISSING)
            return 0;
        if (v.state == FV_OK) {
            s += v.v;
            n++;
        }
    }
    if (!n)
        return 0;
    *out = b->reading == BASE_PERIOD_MEAN ? s / n : s;
    return 1;
}

static void target_line(const indicator_result *ir, const target_result *tr, tline *tl)
{
    const target *t = tr->t;
    memset(tl, 0, sizeof *tl);
    tl->tr = tr;
    tl->x0 = t->window[0] && t->window[0] <= t->year ? t->window[0] : t->year;
    tl->x1 = t->year;
    if (is_comparison(t->op)) {
        if (t->agg == AGG_WINDOW_SUM || t->each)
            return; /* a sum, or a member's figure, is not on the yearly scale of the whole */
        tl->drawn = 1;
        tl->level = t->op == OP_ZERO ? 0 : t->value;
        tl->side = t->op == OP_LE || t->op == OP_LT || t->op == OP_ZERO ? -1
                   : t->op == OP_GE || t->op == OP_GT                    ? 1
                                                                         : 0;
    } else if (is_change(t->op)) {
        const baseline_def *b = &t->baseline;
        double B;
        int given;
        if (!target_baseline(ir, tr, &B, &given))
            return;
        tl->base_known = 1;
        tl->base = B;
        tl->base_given = given;
        if (b->reading == BASE_PERIOD_TOTAL)
            return; /* a total is not on the yearly scale */
        tl->has_base = 1;
        if (b->reading == BASE_YEAR) {
            tl->b0 = tl->b1 = b->year;
        } else {
            tl->b0 = b->period[0];
            tl->b1 = b->period[1];
        }
        double by = t->has_by ? t->by : 0;
        tl->drawn = 1;
        if (tr->has_limit)
            tl->level = tr->limit;
        else if (t->has_amount)
            tl->level = t->op == OP_DECREASE ? B - t->amount : B + t->amount;
        else if (fabs(B) < 1e-12)
            tl->level = 0;
        else
            tl->level = t->op == OP_DECREASE ? B * (1 - by / 100) : B * (1 + by / 100);
        tl->side = t->op == OP_DECREASE ? -1 : 1;
    }
}

static const char *unit_of(const indicator *ind) { return ind->unit ? ind->unit : ""; }

/* "2023 2024" -> "2023、2024" */
static char *year_list(const char *years)
{
    strbuf b;
    sb_init(&b);
    for (const char *p = years; *p; p++) {
        if (*p == ' ') {
            while (p[1] == ' ')
                p++;
            if (p[1])
                sb_add(&b, "\xE3\x80\x81"); /* U+3001 */
        } else {
            sb_addc(&b, *p);
        }
    }
    return sb_take(&b);
}

/*
 * 1 if the figure a target compares is an average over its window on the
 * yearly scale (window_mean, window_ratio, a period_mean baseline reading):
 * the chart then draws it across the window, since single years may lie on
 * either side of the line while the average decides.
 */
static int window_average(const target *t)
{
    if (is_change(t->op))
        return t->baseline.reading == BASE_PERIOD_MEAN;
    return t->agg == AGG_WINDOW_MEAN || t->agg == AGG_WINDOW_RATIO;
}

/* "2021—2025年均值": what a target's figure is (charts.yaml aggregate). */
static char *figure_what(chart_ctx *c, const target_result *tr)
{
    const target *t = tr->t;
    const char *ak;
    if (is_change(t->op))
        ak = t->baseline.reading == BASE_YEAR          ? "year"
             : t->baseline.reading == BASE_PERIOD_MEAN ? "period_mean"
                                                       : "period_total";
    else
        ak = aggregate_name(t->agg);
    char ayear[16], from[16], to[16];
    snprintf(ayear, sizeof ayear, "%d", tr->assessed_year);
    snprintf(from, sizeof from, "%d", tr->window[0]);
    snprintf(to, sizeof to, "%d", tr->window[1]);
    kv avars[] = {{"year", ayear}, {"from", from}, {"to", to}};
    return expand(T(c, "aggregate", ak), avars, 3);
}

/* A target over every member (each:): "2025年目标：每个镇（街道）不低于1个",
 * a share of the members, or each member's own figure (分别). */
static char *each_target_words(chart_ctx *c, const target *t, const kv *vars, int nvars)
{
    strbuf goals;
    sb_init(&goals);
    for (int i = 0; i < t->ngoals; i++) {
        char value[32];
        format_number(t->goals[i].value, value);
        kv gv[] = {{"member", t->goals[i].member}, {"op", vars[1].val}, {"value", value},
                   {"unit", vars[3].val}};
        char *g = expand(T(c, "verdict", "member_goal"), gv, 4);
        if (i)
            sb_add(&goals, T(c, "verdict", "member_separator"));
        sb_add(&goals, g);
        free(g);
    }
    char share[32];
    format_number(t->share, share);
    kv all[12];
    int n = 0;
    for (; n < nvars && n < 9; n++) /* room for the three below */
        all[n] = vars[n];
    kv extra[] = {{"dim", t->each_label}, {"share", share}, {"goals", goals.len ? goals.s : ""}};
    for (int i = 0; i < 3; i++)
        all[n++] = extra[i];
    const char *tk = t->has_share && t->share < 100 ? "target_each_share"
                     : t->ngoals                    ? "target_each_goals"
                                                    : "target_each";
    char *r = expand(T(c, "verdict", tk), all, n);
    sb_free(&goals);
    return r;
}

/* The target in words (charts.yaml verdict: target_*): "2025年目标：≤5%" ... */
static char *target_words(chart_ctx *c, const indicator_result *ir, const tline *tl)
{
    const target_result *tr = tl->tr;
    const indicator *ind = ir->ind;
    const target *t = tr->t;
    const char *unit = unit_of(ind);
    int prec = ind->precision;
    char year[16], value[32], by[32], amount[32], base[48], limit[48];
    snprintf(year, sizeof year, "%d", t->year);
    format_number(t->has_value ? t->value : 0, value);
    format_number(t->has_by ? t->by : 0, by);
    format_number(t->has_amount ? t->amount : 0, amount);
    if (tl->base_known)
        tl->base_given ? (void)format_number(tl->base, base)
                       : (void)fmt_value(tl->base, prec, base, sizeof base);
    else
        snprintf(base, sizeof base, "%s", T(c, "verdict", "no_figure"));
    fmt_sig(tr->has_limit ? tr->limit : tl->level, limit, sizeof limit);
    const char *opw = label(c->env->lb, "op", op_name(t->op));
    kv vars[] = {{"year", year}, {"op", opw},        {"value", value}, {"unit", unit},
                 {"by", by},     {"baseline", base}, {"limit", limit}, {"amount", amount}};
    const char *tk;
    int zero_base = tr->zero_baseline || (tl->base_known && fabs(tl->base) < 1e-12);
    if (t->each)
        return each_target_words(c, t, vars, 8);
    if (OP_IS_TREND(t->op))
        tk = t->op == OP_FALLING ? "target_falling" : "target_rising";
    else if (is_change(t->op) && t->has_amount)
        tk = t->op == OP_DECREASE ? "target_decrease_amount" : "target_increase_amount";
    else if (t->op == OP_ZERO)
        tk = "target_zero";
    else if (is_comparison(t->op))
        tk = "target_cmp";
    else if (is_change(t->op) && zero_base)
        tk = t->op == OP_DECREASE ? "target_keep_zero" : "target_increase_any";
    else if (is_change(t->op) && tl->base_known)
        tk = t->op == OP_DECREASE ? (t->has_by ? "target_decrease" : "target_decrease_any")
                                  : (t->has_by ? "target_increase" : "target_increase_any");
    else
        tk = "target_other";
    return expand(T(c, "verdict", tk), vars, 8);
}

/* The figure compared (what) and its change, or why there is none: years
 * missing, window not begun, no figure. */
static void add_figure_words(chart_ctx *c, strbuf *b, const indicator_result *ir,
                             const target_result *tr, const char *what)
{
    const target *t = tr->t;
    if (tr->current.state == FV_OK) {
        char cur[48], pct[48];
        fmt_value(tr->current.v, ir->ind->precision, cur, sizeof cur);
        kv cvars[] = {{"what", what}, {"current", cur}, {"unit", unit_of(ir->ind)}};
        char *s = expand(T(c, "verdict", "current"), cvars, 3);
        sb_add(b, s);
        free(s);
        if (tr->has_change && fabs(tr->change_pct) >= 0.05) {
            int down = (t->op == OP_DECREASE) == (tr->change_pct > 0);
            fmt_value(fabs(tr->change_pct), 1, pct, sizeof pct);
            kv pvars[] = {{"pct", pct}};
            s = expand(T(c, "verdict", down ? "change_down" : "change_up"), pvars, 1);
            sb_add(b, s);
            free(s);
        }
    } else if (tr->missing_years && *tr->missing_years) {
        char *yl = year_list(tr->missing_years);
        kv mvars[] = {{"years", yl}};
        char *s = expand(T(c, "verdict", "missing"), mvars, 1);
        sb_add(b, s);
        free(s);
        free(yl);
    } else if (t->window[0] > c->env->ev->eval_year) {
        char wf[16], wt[16];
        snprintf(wf, sizeof wf, "%d", t->window[0]);
        snprintf(wt, sizeof wt, "%d", t->window[1] ? t->window[1] : t->year);
        kv wv[] = {{"from", wf}, {"to", wt}};
        char *s = expand(T(c, "verdict", "not_begun"), wv, 2);
        sb_add(b, s);
        free(s);
    } else {
        sb_add(b, T(c, "verdict", "no_figure"));
    }
}

/* The words after the status: target, figure compared, and what went wrong. */
static char *verdict_text(chart_ctx *c, const indicator_result *ir, const tline *tl)
{
    const target_result *tr = tl->tr;
    char *target_s = target_words(c, ir, tl);
    char *what = figure_what(c, tr);
    if (tr->member) {
        /* a target over every member shows its worst member's figure */
        char *w = xasprintf("%s%s", tr->member, what);
        free(what);
        what = w;
    }
    const char *sep = T(c, "verdict", "separator");
    strbuf b;
    sb_init(&b);
    sb_add(&b, target_s);
    sb_add(&b, sep);
    add_figure_words(c, &b, ir, tr, what);
    if (tr->failing_years && *tr->failing_years) {
        char *yl = year_list(tr->failing_years);
        kv fvars[] = {{"years", yl}};
        char *s = expand(T(c, "verdict", "failing"), fvars, 1);
        sb_add(&b, sep);
        sb_add(&b, s);
        free(s);
        free(yl);
    }
    if (tr->failing_members) {
        char n[16], met[16];
        snprintf(n, sizeof n, "%d", tr->nmembers);
        snprintf(met, sizeof met, "%d", tr->nmembers_met);
        kv mvars[] = {{"members", tr->failing_members}, {"n", n}, {"met", met},
                      {"dim", tr->t->each_label}};
        char *s = expand(T(c, "verdict", "failing_members"), mvars, 4);
        sb_add(&b, sep);
        sb_add(&b, s);
        free(s);
    }
    if (tr->status == V_NOT_YET_DUE && tr->progress != -1) {
        const char *pw = label(c->env->lb, "progress", tr->progress == 1 ? "1" : "0");
        if (*pw) {
            sb_add(&b, sep);
            sb_add(&b, pw);
        }
    }
    free(target_s);
    free(what);
    return sb_take(&b);
}

typedef struct ind_arg {
    const indicator_result *ir;
    const fc_indicator *fc;
} ind_arg;

/* Field f (value, lo80 ...) of forecast point k, NAN when absent. */
#define FCP(fc, k, f) ((k) >= 0 && (k) < (fc)->npoints_fc ? (fc)->points[k].f : NAN)

#define MAX_TARGETS 16

static int cmp_tline(const void *a, const void *b)
{
    const tline *x = a, *y = b;
    if (x->tr->t->year != y->tr->t->year)
        return x->tr->t->year < y->tr->t->year ? -1 : 1;
    return x->tr < y->tr ? -1 : x->tr > y->tr;
}

/* ---- label placement: labels avoid points, lines and each other ---- */

typedef struct box {
    double x0, y0, x1, y1;
} box;

typedef struct cand {
    double x, y; /* baseline point */
    int align;
} cand;

/* A placed label, drawn when all are placed: the first placed on top. */
typedef struct pending {
    char *text;
    double x, y, size;
    int bold, align;
    unsigned colour;
} pending;

typedef struct placer {
    box area;
    box *boxes;
    size_t nboxes, capb;
    box *segs; /* segments as (x0,y0)-(x1,y1) */
    size_t nsegs, caps;
    pending *labels;
    size_t nlabels, capl;
} placer;

static void placer_box(placer *pl, double x0, double y0, double x1, double y1)
{
    *ARRAY_PUSH(pl->boxes, pl->nboxes, pl->capb) = (box){x0, y0, x1, y1};
}

static void placer_seg(placer *pl, double x0, double y0, double x1, double y1)
{
    *ARRAY_PUSH(pl->segs, pl->nsegs, pl->caps) = (box){x0, y0, x1, y1};
}

static void placer_free(placer *pl)
{
    for (size_t i = 0; i < pl->nlabels; i++)
        free(pl->labels[i].text);
    free(pl->labels);
    free(pl->boxes);
    free(pl->segs);
}

static void placer_label(placer *pl, const char *s, const cand *at, double size, int bold,
                         unsigned colour)
{
    *ARRAY_PUSH(pl->labels, pl->nlabels, pl->capl) =
        (pending){xstrdup(s), at->x, at->y, size, bold, at->align, colour};
}

/* 1 if segment s crosses box b (Liang-Barsky). */
static int seg_hits(const box *s, const box *b)
{
    double t0 = 0, t1 = 1, dx = s->x1 - s->x0, dy = s->y1 - s->y0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {s->x0 - b->x0, b->x1 - s->x0, s->y0 - b->y0, b->y1 - s->y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0) {
            if (r > t1)
                return 0;
            if (r > t0)
                t0 = r;
        } else {
            if (r < t0)
                return 0;
            if (r < t1)
                t1 = r;
        }
    }
    return 1;
}

/* How badly b collides: outside the area counts most, then boxes (points, labels), then lines. */
static int box_cost(const placer *pl, const box *b)
{
    int cost = 0;
    if (b->x0 < pl->area.x0 || b->x1 > pl->area.x1 || b->y0 < pl->area.y0 || b->y1 > pl->area.y1)
        cost += 100;
    for (size_t i = 0; i < pl->nboxes; i++) {
        const box *o = &pl->boxes[i];
        if (b->x0 < o->x1 && o->x0 < b->x1 && b->y0 < o->y1 && o->y0 < b->y1)
            cost += 10;
    }
    for (size_t i = 0; i < pl->nsegs; i++)
        if (seg_hits(&pl->segs[i], b))
            cost += 3;
    return cost;
}

/*
 * Draw s at the first candidate where it collides with nothing, else where it
 * collides least; an optional label is left out rather than drawn over
 * something.
 */
/* The least collision cost of s over the candidates (pick set to the best). */
static int best_place(chart_ctx *c, const placer *pl, const char *s, double size, int bold,
                      const cand *cs, int n, int *pick, box *chosen)
{
    double w = text_w(c, s, size, bold);
    int best = -1;
    *pick = 0;
    for (int i = 0; i < n; i++) {
        double left = cs[i].align == AL_CENTER  ? cs[i].x - w / 2
                      : cs[i].align == AL_RIGHT ? cs[i].x - w
                                                : cs[i].x;
        box b = {left - 1, cs[i].y - size * 0.9, left + w + 1, cs[i].y + size * 0.22};
        int cost = box_cost(pl, &b);
        if (best < 0 || cost < best) {
            best = cost;
            *pick = i;
            *chosen = b;
        }
        if (cost == 0)
            break;
    }
    return best;
}

/*
 * A label: s where it collides with nothing; failing that, the shorter alt
 * (may be NULL) if it fits better; else where it collides least, as long as
 * that only crosses lines (never over a point or a label placed before).
 */
static void place_label_alt(chart_ctx *c, placer *pl, const char *s, const char *alt, double size,
                            int bold, unsigned colour, const cand *cs, int n)
{
    int pick, apick;
    box b, ab;
    int cost = best_place(c, pl, s, size, bold, cs, n, &pick, &b);
    if (cost > 0 && alt) {
        int acost = best_place(c, pl, alt, size, bold, cs, n, &apick, &ab);
        if (acost < cost) {
            s = alt;
            pick = apick;
            b = ab;
            cost = acost;
        }
    }
    if (cost >= 10)
        return; /* it would cover a point or a more important label */
    placer_box(pl, b.x0, b.y0, b.x1, b.y1);
    placer_label(pl, s, &cs[pick], size, bold, colour);
}

static void place_label_opt(chart_ctx *c, placer *pl, const char *s, double size, int bold,
                            unsigned colour, const cand *cs, int n, int optional)
{
    int pick;
    box b;
    int best = best_place(c, pl, s, size, bold, cs, n, &pick, &b);
    if (optional && best > 0)
        return;
    placer_box(pl, b.x0, b.y0, b.x1, b.y1);
    placer_label(pl, s, &cs[pick], size, bold, colour);
}

/* Draw the placed labels, the most important (placed first) last, on top. */
static void placer_draw(chart_ctx *c, const placer *pl)
{
    for (size_t i = pl->nlabels; i-- > 0;) {
        const pending *q = &pl->labels[i];
        label_halo(c, q->text, q->x, q->y, q->size, q->bold, q->align, q->colour);
    }
}

static void place_label(chart_ctx *c, placer *pl, const char *s, double size, int bold,
                        unsigned colour, const cand *cs, int n)
{
    place_label_opt(c, pl, s, size, bold, colour, cs, n, 0);
}

/* Opaque tint of colour over white (so that overlapping zones do not darken). */
static unsigned tint(unsigned colour, double a)
{
    rgb x = hex(colour);
    unsigned r = (unsigned)lround(255 * (1 - a + a * x.r));
    unsigned g = (unsigned)lround(255 * (1 - a + a * x.g));
    unsigned b = (unsigned)lround(255 * (1 - a + a * x.b));
    return r << 16 | g << 8 | b;
}

/* Code of a forecast outlook in labels.yaml `forecast_status`, or NULL. */
static const char *outlook_code(fc_status s)
{
    switch (s) {
    case FS_MET: return "met";
    case FS_ON_TRACK: return "on_track";
    case FS_AT_RISK: return "at_risk";
    case FS_OFF_TRACK: return "off_track";
    case FS_INSUFFICIENT: return "insufficient_data";
    case FS_NONE: break;
    }
    return NULL;
}

/*
 * The forecast's words for a target not yet judged on data: forecast at the
 * target year with its 80 % interval, the probability of meeting it, the
 * outlook. NULL when there is nothing to say.
 */
static char *forecast_text(chart_ctx *c, const indicator_result *ir, const fc_indicator *fc,
                           const target_result *tr)
{
    long idx = tr - ir->targets;
    if (!fc || !fc->targets || idx < 0 || idx >= fc->ntargets)
        return NULL;
    if (tr->status != V_NOT_YET_DUE && tr->status != V_INSUFFICIENT)
        return NULL;
    const fc_target *ft = &fc->targets[idx];
    const char *oc = outlook_code(ft->status);
    if (!oc)
        return NULL;
    int prec = ir->ind->precision;
    const char *join = T(c, "verdict", "forecast_join");
    strbuf b;
    sb_init(&b);
    if (ft->has_forecast && isfinite(ft->value)) {
        char year[16], v[48], lo[48], hi[48];
        snprintf(year, sizeof year, "%d", tr->t->year);
        fmt_value(ft->value, prec, v, sizeof v);
        fmt_value(ft->lo80, prec, lo, sizeof lo);
        fmt_value(ft->hi80, prec, hi, sizeof hi);
        kv fv[] = {{"year", year}, {"value", v}, {"unit", unit_of(ir->ind)}, {"lo80", lo},
                   {"hi80", hi}};
        char *s = expand(T(c, "verdict", "forecast_value"), fv, 5);
        sb_add(&b, s);
        free(s);
    }
    if (ft->has_prob && isfinite(ft->prob)) {
        char pct[16];
        snprintf(pct, sizeof pct, "%.0f", ft->prob * 100);
        kv pv[] = {{"prob", pct}};
        char *s = expand(T(c, "verdict", "forecast_prob"), pv, 1);
        if (b.len)
            sb_add(&b, join);
        sb_add(&b, s);
        free(s);
    }
    if (b.len)
        sb_add(&b, join);
    /* A target not yet due: the outlook its finding gives (progress so far
     * can temper the forecast's, findings.c outlook_of). Otherwise, and
     * without findings, the forecast's own, as labels.yaml words it. */
    const finding *f = c->env->findings && tr->status == V_NOT_YET_DUE
                           ? findings_of(c->env->findings, (int)(ir - c->env->ev->inds), (int)idx)
                           : NULL;
    sb_add(&b, f && f->outlook_word ? f->outlook_word : label(c->env->lb, "forecast_status", oc));
    return sb_take(&b);
}

/* What the parts of a trend chart share: its data, their ranges, the layout
 * and the labels still to place. Filled top to bottom by draw_indicator(). */
typedef struct trend {
    chart_ctx *c;
    canvas *cv;
    const indicator_result *ir;
    const fc_indicator *fc;     /* NULL: observed only */
    tline tl[MAX_TARGETS];      /* targets, in year order */
    int nt;
    int avg_label[MAX_TARGETS]; /* tl[k]'s window average is drawn: label it */
    int ya, yb;                 /* years shown */
    double lo, hi;              /* values shown */
    int nobs;                   /* observed values among the years shown */
    int last_obs;               /* latest observed year (0: none) ... */
    double last_obs_v;          /* ... and its value */
    int fc_join;                /* the forecast goes on from last_obs */
    legend_item lg[12];
    int nlg;
    double pad, legend_top, xlabel_base, unit_base, unit_end;
    double plot_left, plot_right, plot_top, plot_bottom;
    axis ay;
    year_axis yx;
    placer pl;
} trend;

/* Targets in year order; successive single-year targets form a staircase:
 * each starts after the previous one's year (a window aggregate keeps its
 * whole window). */
static void trend_targets(trend *td)
{
    const indicator_result *ir = td->ir;
    tline *tl = td->tl;
    int nt = td->nt = ir->ntargets < MAX_TARGETS ? ir->ntargets : MAX_TARGETS;
    for (int k = 0; k < nt; k++)
        target_line(ir, &ir->targets[k], &tl[k]);
    qsort(tl, (size_t)nt, sizeof *tl, cmp_tline);
    for (int k = 0, prev = 0; k < nt; k++) {
        const target *t = tl[k].tr->t;
        int yearly = is_change(t->op) ? t->baseline.reading == BASE_YEAR
                                      : t->agg == AGG_YEAR || t->agg == AGG_EVERY_YEAR;
        if (!tl[k].drawn || !yearly)
            continue;
        if (prev && prev + 1 <= tl[k].x1 && tl[k].x0 <= prev)
            tl[k].x0 = prev + 1;
        prev = tl[k].x1;
    }
}

/* The years shown: the series from its first year with a value (or not
 * applicable: the years before a table begins are not drawn as gaps), the
 * evaluation year, the targets, baselines and forecast; at most 61. */
static void trend_years(trend *td)
{
    const indicator_result *ir = td->ir;
    const tline *tl = td->tl;
    int ya = 100000, yb = -100000;
#define INCLUDE_YEAR(y)                                                                            \
    do {                                                                                           \
        int y_ = (y);                                                                              \
        if (y_ > 0 && y_ < ya)                                                                     \
            ya = y_;                                                                               \
        if (y_ > yb)                                                                               \
            yb = y_;                                                                               \
    } while (0)
    for (int k = 0; k < ir->nyears; k++)
        if (ir->years[k].value.state != FV_MISSING) {
            INCLUDE_YEAR(ir->first_year + k);
            break;
        }
    if (ir->nyears > 0)
        INCLUDE_YEAR(ir->first_year + ir->nyears - 1);
    INCLUDE_YEAR(td->c->env->ev->eval_year);
    for (int k = 0; k < td->nt; k++) {
        INCLUDE_YEAR(tl[k].tr->t->year);
        if (tl[k].drawn)
            INCLUDE_YEAR(tl[k].x0);
        if (tl[k].has_base)
            INCLUDE_YEAR(tl[k].b0);
    }
    if (td->fc)
        for (int k = 0; k < td->fc->npoints_fc; k++)
            INCLUDE_YEAR(td->fc->points[k].year);
#undef INCLUDE_YEAR
    if (yb - ya > 60)
        ya = yb - 60;
    if (yb == ya) {
        ya--;
        yb++;
    }
    td->ya = ya;
    td->yb = yb;
}

/* A target at the edge of the value range: room to see its acceptable side
 * (not past 100 for a percentage). */
static void trend_target_room(trend *td)
{
    double lo = td->lo, hi = td->hi;
    double span = hi > lo ? hi - lo : fabs(hi) > 0 ? fabs(hi) : 1;
    int pct = strcmp(unit_of(td->ir->ind), "%") == 0;
    for (int k = 0; k < td->nt; k++) {
        const tline *tl = &td->tl[k];
        if (!tl->drawn)
            continue;
        if (tl->side > 0 && tl->level >= hi - span * 1e-9 && !(pct && hi >= 100))
            hi = pct ? fmin(100, hi + span * 0.12) : hi + span * 0.12;
        if (tl->side < 0 && tl->level <= lo + span * 1e-9 && lo != 0)
            lo -= span * 0.12;
    }
    td->lo = lo;
    td->hi = hi;
}

/* The values shown: observations, target levels, baselines, the forecast
 * and its intervals; from 0 when that costs at most half the height. */
static void trend_values(trend *td)
{
    const tline *tl = td->tl;
    const fc_indicator *fc = td->fc;
    double lo = INFINITY, hi = -INFINITY;
#define INCLUDE_V(v)                                                                               \
    do {                                                                                           \
        double v_ = (v);                                                                           \
        if (isfinite(v_)) {                                                                        \
            if (v_ < lo)                                                                           \
                lo = v_;                                                                           \
            if (v_ > hi)                                                                           \
                hi = v_;                                                                           \
        }                                                                                          \
    } while (0)
    int nobs = 0;
    for (int yr = td->ya; yr <= td->yb; yr++) {
        fvalue v = result_year(td->ir, yr).value;
        if (v.state == FV_OK) {
            INCLUDE_V(v.v);
            nobs++;
        }
    }
    for (int k = 0; k < td->nt; k++) {
        if (tl[k].drawn)
            INCLUDE_V(tl[k].level);
        if (tl[k].has_base)
            INCLUDE_V(tl[k].base);
    }
    if (fc)
        for (int k = 0; k < fc->npoints_fc; k++) {
            const fc_point *q = &fc->points[k];
            INCLUDE_V(q->value);
            INCLUDE_V(q->lo80);
            INCLUDE_V(q->hi80);
            INCLUDE_V(q->lo95);
            INCLUDE_V(q->hi95);
        }
#undef INCLUDE_V
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    }
    if (lo >= 0 && lo <= 0.5 * hi)
        lo = 0;
    td->nobs = nobs;
    td->lo = lo;
    td->hi = hi;
    trend_target_room(td);
}

/* The latest observed year and value, and whether the forecast joins it. */
static void trend_last_obs(trend *td)
{
    td->last_obs = 0;
    td->last_obs_v = 0;
    for (int yr = td->yb; yr >= td->ya; yr--) {
        fvalue v = result_year(td->ir, yr).value;
        if (v.state == FV_OK) {
            td->last_obs = yr;
            td->last_obs_v = v.v;
            break;
        }
    }
    const fc_indicator *fc = td->fc;
    td->fc_join = fc && td->last_obs && isfinite(fc->points[0].value) &&
                  td->last_obs == fc->points[0].year - 1;
}

/* The chart's title ("A3 name"); returns the y below it. */
static double trend_title(trend *td, double y)
{
    const indicator *ind = td->ir->ind;
    kv tv[] = {{"id", ind->id}, {"name", ind->name ? ind->name : ""}};
    char *title = expand(T(td->c, "title", "indicator"), tv, 2);
    y = draw_title(td->c, title, td->pad, y, td->c->w - 2 * td->pad);
    free(title);
    return y;
}

/* The forecast's legend entries: the line, and each band that has a bound. */
static void trend_legend_forecast(trend *td)
{
    chart_ctx *c = td->c;
    const fc_indicator *fc = td->fc;
    td->lg[td->nlg++] = (legend_item){LG_FORECAST, T(c, "legend", "forecast"), 0};
    int b80 = 0, b95 = 0;
    for (int k = 0; k < fc->npoints_fc; k++) {
        b80 |= isfinite(fc->points[k].lo80) && isfinite(fc->points[k].hi80);
        b95 |= isfinite(fc->points[k].lo95) && isfinite(fc->points[k].hi95);
    }
    if (b80)
        td->lg[td->nlg++] = (legend_item){LG_BAND80, T(c, "legend", "band80"), 0};
    if (b95)
        td->lg[td->nlg++] = (legend_item){LG_BAND95, T(c, "legend", "band95"), 0};
}

/* The legend entries present in this chart; the legend's rows at the
 * bottom fix where the year labels and the plot end. */
static void trend_legend(trend *td)
{
    chart_ctx *c = td->c;
    int any_missing = 0, any_na = 0, any_target = 0, any_base = 0;
    int last_data_year = c->env->ev->eval_year;
    for (int yr = td->ya; yr <= td->yb && yr <= last_data_year; yr++) {
        fvalue v = result_year(td->ir, yr).value;
        any_missing |= v.state == FV_MISSING;
        any_na |= v.state == FV_UNDEFINED;
    }
    for (int k = 0; k < td->nt; k++) {
        any_target |= td->tl[k].drawn;
        any_base |= td->tl[k].has_base;
    }
    td->nlg = 0;
    td->lg[td->nlg++] = (legend_item){LG_OBSERVED, T(c, "legend", "observed"), 0};
    if (any_target)
        td->lg[td->nlg++] = (legend_item){LG_TARGET, T(c, "legend", "target"), 0};
    if (any_base)
        td->lg[td->nlg++] = (legend_item){LG_BASELINE, T(c, "legend", "baseline"), 0};
    if (td->fc)
        trend_legend_forecast(td);
    if (any_missing)
        td->lg[td->nlg++] = (legend_item){LG_MISSING, T(c, "legend", "missing"), 0};
    if (any_na)
        td->lg[td->nlg++] = (legend_item){LG_NA, T(c, "legend", "not_applicable"), 0};
    int lrows = legend_rows(c, td->lg, td->nlg, c->w - 2 * td->pad);
    td->legend_top = c->h - td->pad - lrows * LEGEND_ROW + 2;
    td->xlabel_base = td->legend_top - 5;
    td->plot_bottom = td->xlabel_base - FS_SMALL - 4;
}

#define VLINE (FS_TEXT * 1.5)  /* a verdict line */
#define FLINE (FS_SMALL * 1.4) /* a forecast line under it */

/* How many verdict lines to show (*with_fc: with their forecast lines): as
 * many as leave the plot at least half the height; forecast lines go
 * first, then targets ("and n more"). */
static int verdicts_shown(trend *td, double y, int *with_fc)
{
    double min_plot = fmax(50, (td->plot_bottom - td->pad) * 0.5);
    double budget = td->plot_bottom - min_plot - 20 - y;
    int nforecast = 0;
    for (int k = 0; k < td->nt; k++) {
        char *ft = forecast_text(td->c, td->ir, td->fc, td->tl[k].tr);
        nforecast += ft != NULL;
        free(ft);
    }
    int nt = td->nt;
    int show = td->c->env->flags & CHART_NO_VERDICT ? 0 : nt;
    *with_fc = show && nforecast > 0;
    while (show * VLINE + (*with_fc ? nforecast * FLINE : 0) > budget) {
        if (*with_fc)
            *with_fc = 0;
        else if (show > 1)
            show--;
        else
            break;
    }
    if (show < nt && show > 1)
        show--; /* room for the "n more" line */
    return show;
}

/* One target's verdict line (status, target, figure) and, with_fc, its
 * forecast line; returns the y below them. */
static double draw_verdict(trend *td, const tline *tl, int with_fc, double y)
{
    chart_ctx *c = td->c;
    const target_result *tr = tl->tr;
    double pad = td->pad;
    y += FS_TEXT * 1.05;
    double bw = status_badge(c, tr->status, pad, y, FS_TEXT);
    char *vt = verdict_text(c, td->ir, tl);
    double room = c->w - 2 * pad - bw - FS_TEXT * 0.6;
    double fs = text_w(c, vt, FS_TEXT, 0) <= room ? FS_TEXT : FS_SMALL;
    char *fitted = fit_clauses(c, vt, T(c, "verdict", "separator"), fs, 0, room);
    text_at(c, fitted, pad + bw + FS_TEXT * 0.6, y, fs, 0, AL_LEFT, COL_TEXT);
    free(fitted);
    free(vt);
    char *ft = with_fc ? forecast_text(c, td->ir, td->fc, tr) : NULL;
    if (ft) {
        y += FLINE;
        char *f2 = fit_text(c, ft, FS_SMALL, 0, room);
        text_at(c, f2, pad + bw + FS_TEXT * 0.6, y, FS_SMALL, 0, AL_LEFT, COL_MUTED);
        free(f2);
        free(ft);
    }
    return y + FS_TEXT * 0.45;
}

/* The verdict lines under the title, "and n more" when they do not all
 * fit; returns the y below them. */
static double draw_verdicts(trend *td, double y)
{
    chart_ctx *c = td->c;
    int with_fc;
    int show = verdicts_shown(td, y, &with_fc);
    for (int k = 0; k < show; k++)
        y = draw_verdict(td, &td->tl[k], with_fc, y);
    if (show > 0 && show < td->nt) {
        char n[16];
        snprintf(n, sizeof n, "%d", td->nt - show);
        kv mv[] = {{"n", n}};
        char *s = expand(T(c, "verdict", "more"), mv, 1);
        y += FS_SMALL * 1.1;
        text_at(c, s, td->pad, y, FS_SMALL, 0, AL_LEFT, COL_MUTED);
        free(s);
        y += FS_TEXT * 0.45;
    }
    return y + 4;
}

/* The value axis over the plot: ticks to fit its height, whole-number
 * ticks (no 2.5 steps) for whole numbers such as counts. */
static void trend_value_axis(trend *td)
{
    axis *ay = &td->ay;
    int nticks = (int)((td->plot_bottom - td->plot_top) / 26);
    axis_fit(ay, td->lo, td->hi, nticks < 3 ? 3 : nticks > 7 ? 7 : nticks);
    int integral = td->nobs > 0;
    for (int yr = td->ya; yr <= td->yb && integral; yr++) {
        fvalue v = result_year(td->ir, yr).value;
        integral = v.state != FV_OK || v.v == floor(v.v);
    }
    if (integral && td->hi - td->lo >= 4 && ay->step != floor(ay->step)) {
        ay->step = ay->step < 1 ? 1 : ay->step == 2.5 ? 2 : ceil(ay->step);
        ay->lo = floor(ay->lo / ay->step) * ay->step;
        ay->hi = ceil(td->hi / ay->step - 1e-9) * ay->step;
    }
    ay->p0 = td->plot_bottom;
    ay->p1 = td->plot_top;
    axis_big_numbers(td->c, ay, unit_of(td->ir->ind));
}

/* The plot's rectangle from y down, its axes, and the area labels go in. */
static void trend_plot_area(trend *td, double y)
{
    /* unit line above the plot, clear of the top tick label */
    td->unit_base = y + FS_SMALL;
    td->plot_top = td->unit_base + 10;
    if (td->plot_bottom - td->plot_top < 24) {
        td->plot_top = td->plot_bottom - 24; /* a tiny chart: the plot wins over spacing */
        td->unit_base = td->plot_top - 10;
    }
    trend_value_axis(td);
    td->plot_left = td->pad + axis_label_w(td->c, &td->ay) + 5;
    td->plot_right = td->c->w - td->pad;
    year_axis_set(&td->yx, td->ya, td->yb, td->plot_left, td->plot_right);
    memset(&td->pl, 0, sizeof td->pl);
    td->pl.area = (box){td->plot_left + 1, td->plot_top - 6, td->plot_right, td->plot_bottom - 1};
}

/* The unit ("单位：%") at the top left of the plot; sets where it ends. */
static void draw_unit(trend *td)
{
    const char *unit = unit_of(td->ir->ind);
    td->unit_end = td->pad;
    if (unit[0]) {
        kv uv[] = {{"unit", unit}};
        char *u = expand(T(td->c, "axis", "unit"), uv, 1);
        td->unit_end += text_at(td->c, u, td->pad, td->unit_base, FS_SMALL, 0, AL_LEFT, COL_MUTED);
        free(u);
    }
}

/* Left and right edge of the slots of target k's years. */
static double target_x0(const trend *td, int k)
{
    return td->yx.x0 + (td->tl[k].x0 - td->ya) * td->yx.slot;
}

static double target_x1(const trend *td, int k)
{
    return td->yx.x0 + (td->tl[k].x1 - td->ya + 1) * td->yx.slot;
}

/* Target zones on the acceptable side: one opaque tint, so that
 * overlapping windows do not darken. */
static void draw_target_zones(trend *td)
{
    for (int k = 0; k < td->nt; k++) {
        const tline *tl = &td->tl[k];
        if (!tl->drawn || tl->side == 0)
            continue;
        double x0 = target_x0(td, k), x1 = target_x1(td, k);
        double ly = axis_map(&td->ay, tl->level);
        double edge = tl->side < 0 ? td->plot_bottom : td->plot_top;
        set_colour(td->cv, tint(COL_ZONE, 0.11));
        cv_rectangle(td->cv, x0, fmin(ly, edge), x1 - x0, fabs(edge - ly));
        cv_fill(td->cv);
    }
}

/* Word w written down the slot of year yr, on a light box that labels avoid. */
static void draw_gap_word(trend *td, int yr, const char *w)
{
    canvas *cv = td->cv;
    double x = year_x(&td->yx, yr);
    int nch = utf8_columns(w, strlen(w));
    double top = td->plot_bottom - 3 - nch * FS_SMALL * 1.05;
    double tw2 = FS_SMALL + 2;
    cv_set_rgba(cv, 1, 1, 1, 0.9);
    cv_rectangle(cv, x - tw2 / 2, top - 1, tw2, nch * FS_SMALL * 1.05 + 2);
    cv_fill(cv);
    text_vertical(td->c, w, x, top, FS_SMALL, COL_MUTED);
    placer_box(&td->pl, x - tw2 / 2, top - 1, x + tw2 / 2, td->plot_bottom);
}

/* Missing years hatched, not-applicable years grey, each marked in words
 * when its slot is wide enough. */
static void draw_gaps(trend *td)
{
    canvas *cv = td->cv;
    double ph = td->plot_bottom - td->plot_top;
    for (int yr = td->ya; yr <= td->yb && yr <= td->c->env->ev->eval_year; yr++) {
        fvalue v = result_year(td->ir, yr).value;
        if (v.state == FV_OK)
            continue;
        double bx = td->yx.x0 + (yr - td->ya) * td->yx.slot;
        if (v.state == FV_MISSING) {
            set_colour(cv, 0xFFFFFF);
            cv_rectangle(cv, bx + 0.5, td->plot_top, td->yx.slot - 1, ph);
            cv_fill(cv);
            hatch(cv, bx + 0.5, td->plot_top, td->yx.slot - 1, ph, COL_HATCH, 3.2, 0.55);
        } else {
            set_colour(cv, COL_BAND);
            cv_rectangle(cv, bx + 0.5, td->plot_top, td->yx.slot - 1, ph);
            cv_fill(cv);
        }
        const char *w = T(td->c, "legend", v.state == FV_MISSING ? "missing" : "not_applicable");
        if (td->yx.slot >= FS_SMALL + 2)
            draw_gap_word(td, yr, w);
    }
}

/* Bound of forecast point j: the upper or lower, of the 80 % (b80) or 95 % interval. */
static double band_bound(const fc_indicator *fc, int j, int b80, int upper)
{
    const fc_point *q = &fc->points[j];
    return b80 ? (upper ? q->hi80 : q->lo80) : (upper ? q->hi95 : q->lo95);
}

/* One forecast band (b80: the 80 % interval, else 95 %) over points k..e,
 * from the last observation when the forecast joins it. */
static void draw_band_run(trend *td, int b80, int k, int e)
{
    canvas *cv = td->cv;
    const fc_indicator *fc = td->fc;
    cv_new_path(cv);
    if (k == 0 && td->fc_join)
        cv_move_to(cv, year_x(&td->yx, td->last_obs), axis_map(&td->ay, td->last_obs_v));
    for (int j = k; j <= e; j++)
        cv_line_to(cv, year_x(&td->yx, fc->points[j].year),
                   axis_map(&td->ay, band_bound(fc, j, b80, 1)));
    for (int j = e; j >= k; j--)
        cv_line_to(cv, year_x(&td->yx, fc->points[j].year),
                   axis_map(&td->ay, band_bound(fc, j, b80, 0)));
    cv_close_path(cv);
    set_colour_a(cv, COL_FORECAST, b80 ? 0.32 : 0.2);
    cv_fill(cv);
}

/* The 95 % then the 80 % prediction band, over each run of consecutive
 * years with both bounds. */
static void draw_forecast_bands(trend *td)
{
    const fc_indicator *fc = td->fc;
    for (int bi = 0; bi < 2; bi++) {
        for (int k = 0; k < fc->npoints_fc;) {
#define BAND_OK(j)                                                                                 \
    (isfinite(bi ? FCP(fc, j, lo80) : FCP(fc, j, lo95)) &&                                          \
     isfinite(bi ? FCP(fc, j, hi80) : FCP(fc, j, hi95)))
            if (!BAND_OK(k)) {
                k++;
                continue;
            }
            int e = k;
            while (e + 1 < fc->npoints_fc && BAND_OK(e + 1) &&
                   fc->points[e + 1].year == fc->points[e].year + 1)
                e++;
#undef BAND_OK
            draw_band_run(td, bi, k, e);
            k = e + 1;
        }
    }
}

/* Baselines: solid over a baseline period, dotted on to the target year. */
static void draw_baselines(trend *td)
{
    for (int k = 0; k < td->nt; k++) {
        const tline *tl = &td->tl[k];
        if (!tl->has_base)
            continue;
        double by = axis_map(&td->ay, tl->base);
        double bx0 = year_x(&td->yx, tl->b0), bx1 = year_x(&td->yx, tl->b1);
        double bxe = year_x(&td->yx, tl->x1);
        if (tl->b1 > tl->b0)
            seg(td->cv, bx0, by, bx1, by, LS_SOLID, 1.4, COL_BASELINE);
        seg(td->cv, bx1, by, bxe, by, LS_DOTTED, 1.2, COL_BASELINE);
        placer_seg(&td->pl, bx0, by, bxe, by);
    }
}

/* Target lines: dashed at the threshold across the target's years, ending in a tick. */
static void draw_target_lines(trend *td)
{
    for (int k = 0; k < td->nt; k++) {
        if (!td->tl[k].drawn)
            continue;
        double x0 = target_x0(td, k) + 1, x1 = target_x1(td, k) - 1;
        double ly = axis_map(&td->ay, td->tl[k].level);
        seg(td->cv, x0, ly, x1, ly, LS_DASHED, 1.5, COL_TARGET);
        seg(td->cv, x1, ly - 3.5, x1, ly + 3.5, LS_SOLID, 1.5, COL_TARGET);
        placer_seg(&td->pl, x0, ly, x1, ly);
    }
}

/* A line drawn point by point; pen 0: the next point starts a new piece (a gap). */
typedef struct polyline {
    int pen;
    double x0, y0;
} polyline;

/* The next point of pl: joined to the last one (and kept clear of labels) unless after a gap. */
static void poly_to(trend *td, polyline *pl, double x, double y)
{
    if (pl->pen) {
        cv_line_to(td->cv, x, y);
        placer_seg(&td->pl, pl->x0, pl->y0, x, y);
    } else {
        cv_move_to(td->cv, x, y);
    }
    pl->x0 = x;
    pl->y0 = y;
    pl->pen = 1;
}

/* The forecast line, from the last observation when it joins it, broken
 * where a point is missing. */
static void draw_forecast_path(trend *td)
{
    const fc_indicator *fc = td->fc;
    polyline pl = {0, 0, 0};
    if (td->fc_join)
        poly_to(td, &pl, year_x(&td->yx, td->last_obs), axis_map(&td->ay, td->last_obs_v));
    for (int k = 0; k < fc->npoints_fc; k++) {
        const fc_point *q = &fc->points[k];
        if (!isfinite(q->value) || (k > 0 && q->year != fc->points[k - 1].year + 1)) {
            pl.pen = 0;
            if (!isfinite(q->value))
                continue;
        }
        poly_to(td, &pl, year_x(&td->yx, q->year), axis_map(&td->ay, q->value));
    }
}

/* The forecast: a short-dashed line and open circles at its points. */
static void draw_forecast_line(trend *td)
{
    canvas *cv = td->cv;
    const fc_indicator *fc = td->fc;
    line_style(cv, LS_SHORTDASH, 1.5);
    set_colour(cv, COL_FORECAST_LINE);
    draw_forecast_path(td);
    cv_stroke(cv);
    cv_set_dash(cv, NULL, 0);
    for (int k = 0; k < fc->npoints_fc; k++)
        if (isfinite(fc->points[k].value)) {
            double px = year_x(&td->yx, fc->points[k].year);
            double py = axis_map(&td->ay, fc->points[k].value);
            draw_shape(cv, SH_CIRCLE, px, py, 2.2, COL_FORECAST_LINE);
            placer_box(&td->pl, px - 3, py - 3, px + 3, py + 3);
        }
}

/* The observed series: a line through consecutive years only (gaps stay
 * gaps), a haloed dot at each value. */
static void draw_observed(trend *td)
{
    canvas *cv = td->cv;
    line_style(cv, LS_SOLID, 1.7);
    set_colour(cv, COL_OBSERVED);
    polyline pl = {0, 0, 0};
    for (int yr = td->ya; yr <= td->yb; yr++) {
        fvalue v = result_year(td->ir, yr).value;
        if (v.state != FV_OK) {
            pl.pen = 0;
            continue;
        }
        poly_to(td, &pl, year_x(&td->yx, yr), axis_map(&td->ay, v.v));
    }
    cv_stroke(cv);
    for (int yr = td->ya; yr <= td->yb; yr++) {
        fvalue v = result_year(td->ir, yr).value;
        if (v.state != FV_OK)
            continue;
        double px = year_x(&td->yx, yr), py = axis_map(&td->ay, v.v);
        draw_shape(cv, SH_FILLED_CIRCLE, px, py, 3.1, 0xFFFFFF);
        draw_shape(cv, SH_FILLED_CIRCLE, px, py, 2.3, COL_OBSERVED);
        placer_box(&td->pl, px - 3.5, py - 3.5, px + 3.5, py + 3.5);
    }
}

/* Window averages that decide a target, across their window (labelled later). */
static void draw_window_averages(trend *td)
{
    canvas *cv = td->cv;
    for (int k = 0; k < td->nt; k++) {
        const target_result *tr = td->tl[k].tr;
        if (!window_average(tr->t) || tr->current.state != FV_OK || tr->window[1] < tr->window[0])
            continue;
        double x0 = year_x(&td->yx, tr->window[0]), x1 = year_x(&td->yx, tr->window[1]);
        double wy = axis_map(&td->ay, tr->current.v);
        seg(cv, x0, wy, x1, wy, LS_SOLID, 2.4, 0xFFFFFF);
        seg(cv, x0, wy, x1, wy, LS_DASHDOT, 1.3, COL_OBSERVED);
        seg(cv, x0, wy - 3, x0, wy + 3, LS_SOLID, 1.1, COL_OBSERVED);
        seg(cv, x1, wy - 3, x1, wy + 3, LS_SOLID, 1.1, COL_OBSERVED);
        placer_seg(&td->pl, x0, wy, x1, wy);
        td->avg_label[k] = 1;
    }
}

/* Years failing an every-year target: their points ringed. */
static void draw_failing_years(trend *td)
{
    canvas *cv = td->cv;
    for (int k = 0; k < td->nt; k++) {
        const char *fy = td->tl[k].tr->failing_years;
        for (const char *p = fy; p && *p;) {
            char *end;
            long yr = strtol(p, &end, 10);
            if (end == p)
                break;
            fvalue v = result_year(td->ir, (int)yr).value;
            if (v.state == FV_OK && yr >= td->ya && yr <= td->yb) {
                cv_new_path(cv);
                cv_arc(cv, year_x(&td->yx, (double)yr), axis_map(&td->ay, v.v), 5.2, 0, 2 * M_PI);
                set_colour(cv, COL_TARGET);
                cv_set_line_width(cv, 1.2);
                cv_stroke(cv);
            }
            p = end;
        }
    }
}

/* 1 if target k has a baseline drawn already by an earlier target. */
static int baseline_repeated(const trend *td, int k)
{
    const tline *tl = td->tl;
    int dup = 0;
    for (int j = 0; j < k; j++)
        dup |= tl[j].has_base && tl[j].base == tl[k].base && tl[j].b0 == tl[k].b0;
    return dup;
}

/* Baseline markers (diamonds), ringing an observed point when they fall on one. */
static void draw_baseline_markers(trend *td)
{
    canvas *cv = td->cv;
    for (int k = 0; k < td->nt; k++) {
        const tline *tl = &td->tl[k];
        if (!tl->has_base || baseline_repeated(td, k))
            continue;
        double bx = (year_x(&td->yx, tl->b0) + year_x(&td->yx, tl->b1)) / 2;
        double by = axis_map(&td->ay, tl->base);
        cv_new_path(cv);
        cv_move_to(cv, bx, by - 5.6);
        cv_line_to(cv, bx + 5.6, by);
        cv_line_to(cv, bx, by + 5.6);
        cv_line_to(cv, bx - 5.6, by);
        cv_close_path(cv);
        set_colour(cv, COL_BASELINE);
        cv_set_line_width(cv, 1.1);
        cv_stroke(cv);
        placer_box(&td->pl, bx - 6, by - 6, bx + 6, by + 6);
    }
}

/* The latest value, the most important label (or 缺数据 across an empty plot). */
static void label_latest(trend *td)
{
    chart_ctx *c = td->c;
    const double fs = FS_SMALL;
    if (td->last_obs && td->nobs) {
        char num[64], v[48];
        fmt_value(td->last_obs_v / td->ay.div, td->ay.div > 1 ? 2 : td->ir->ind->precision, v,
                  sizeof v);
        snprintf(num, sizeof num, "%s%s", v, td->ay.suffix);
        double px = year_x(&td->yx, td->last_obs), py = axis_map(&td->ay, td->last_obs_v);
        cand cs[] = {{px, py - 6, AL_CENTER},          {px, py + fs + 5, AL_CENTER},
                     {px + 6, mid_baseline(py, fs), AL_LEFT}, {px - 6, mid_baseline(py, fs), AL_RIGHT},
                     {px + 4, py - 5, AL_LEFT},        {px - 4, py - 5, AL_RIGHT}};
        place_label(c, &td->pl, num, fs, 1, COL_OBSERVED, cs, 6);
    } else if (!td->nobs) {
        label_halo(c, T(c, "legend", "missing"), (td->plot_left + td->plot_right) / 2,
                   mid_baseline((td->plot_top + td->plot_bottom) / 2, FS_TEXT), FS_TEXT, 1,
                   AL_CENTER, COL_MUTED);
    }
}

/* Each target line's year ("2025年目标", or just the year), above or below it. */
static void label_targets(trend *td)
{
    const double fs = FS_SMALL;
    for (int k = 0; k < td->nt; k++) {
        if (!td->tl[k].drawn)
            continue;
        double x0 = target_x0(td, k) + 1, x1 = target_x1(td, k) - 1;
        double ly = axis_map(&td->ay, td->tl[k].level);
        char yr[16];
        snprintf(yr, sizeof yr, "%d", td->tl[k].x1);
        kv yv[] = {{"year", yr}};
        char *s = expand(T(td->c, "legend", "target_at"), yv, 1);
        double up = ly - 3.5, down = ly + fs + 2.5, mid = (x0 + x1) / 2;
        cand cs[] = {{x1 - 3, up, AL_RIGHT},   {x1 - 3, down, AL_RIGHT}, {x0 + 3, up, AL_LEFT},
                     {x0 + 3, down, AL_LEFT},  {mid, up, AL_CENTER},     {mid, down, AL_CENTER}};
        place_label_alt(td->c, &td->pl, s, yr, fs, 0, COL_TARGET, cs, 6);
        free(s);
    }
}

/* The window averages drawn, named with their figure where there is room. */
static void label_averages(trend *td)
{
    chart_ctx *c = td->c;
    const double fs = FS_SMALL;
    for (int k = 0; k < td->nt; k++) {
        if (!td->avg_label[k])
            continue;
        const target_result *tr = td->tl[k].tr;
        char num[48];
        fmt_value(tr->current.v, td->ir->ind->precision, num, sizeof num);
        char *what = figure_what(c, tr);
        kv av[] = {{"what", what}, {"current", num}};
        char *s = expand(T(c, "legend", "average"), av, 2);
        double x0 = year_x(&td->yx, tr->window[0]), x1 = year_x(&td->yx, tr->window[1]);
        double wy = axis_map(&td->ay, tr->current.v), mid = (x0 + x1) / 2;
        cand cs[] = {{x0, wy - 4, AL_LEFT},   {x0, wy + fs + 3, AL_LEFT},  {mid, wy - 4, AL_CENTER},
                     {mid, wy + fs + 3, AL_CENTER}, {x1, wy - 4, AL_RIGHT}, {x1, wy + fs + 3, AL_RIGHT}};
        place_label_opt(c, &td->pl, s, fs, 0, COL_OBSERVED, cs, 6, 1);
        free(s);
        free(what);
    }
}

/* Each baseline's figure ("基线 12.3") near its marker or line end. */
static void label_baselines(trend *td)
{
    chart_ctx *c = td->c;
    const double fs = FS_SMALL;
    for (int k = 0; k < td->nt; k++) {
        const tline *tl = &td->tl[k];
        if (!tl->has_base || baseline_repeated(td, k))
            continue;
        char num[48], *s;
        if (tl->base_given)
            format_number(tl->base, num);
        else
            fmt_value(tl->base, td->ir->ind->precision, num, sizeof num);
        s = xasprintf("%s %s", T(c, "legend", "baseline"), num);
        double bx = (year_x(&td->yx, tl->b0) + year_x(&td->yx, tl->b1)) / 2;
        double by = axis_map(&td->ay, tl->base);
        double bxe = year_x(&td->yx, tl->x1);
        cand cs[] = {{bx, by - 8, AL_CENTER},          {bx, by + fs + 7, AL_CENTER},
                     {bx - 8, mid_baseline(by, fs), AL_RIGHT}, {bx + 8, by - 4, AL_LEFT},
                     {bx + 8, by + fs + 3, AL_LEFT},   {bxe, by - 4, AL_RIGHT},
                     {bxe, by + fs + 3, AL_RIGHT}};
        place_label(c, &td->pl, s, fs, 0, COL_BASELINE, cs, 7);
        free(s);
    }
}

/* The evaluation year: where observation ends and the future begins, named
 * on the unit line (left of the rule if the unit leaves room). */
static void draw_eval_year(trend *td)
{
    chart_ctx *c = td->c;
    int eval_year = c->env->ev->eval_year;
    double ex = td->yx.x0 + (eval_year - td->ya + 1) * td->yx.slot;
    seg(td->cv, ex, td->plot_top - 2, ex, td->plot_bottom, LS_SHORTDASH, 0.7, COL_MUTED);
    char yr[16];
    snprintf(yr, sizeof yr, "%d", eval_year);
    kv yv[] = {{"year", yr}};
    char *s = expand(T(c, "legend", "eval_year"), yv, 1);
    double left_room = ex - 2 - text_w(c, s, FS_SMALL, 0) - td->unit_end - 8;
    if (left_room >= 0)
        text_at(c, s, ex - 2, td->unit_base, FS_SMALL, 0, AL_RIGHT, COL_MUTED);
    else
        text_at(c, s, ex + 2, td->unit_base, FS_SMALL, 0, AL_LEFT, COL_MUTED);
    free(s);
}

/* The plot's data, back to front; every mark registers with the label placer. */
static void draw_trend_plot(trend *td)
{
    draw_target_zones(td);
    draw_gaps(td);
    draw_y_grid(td->c, &td->ay, td->plot_left, td->plot_right);
    trend_last_obs(td);
    if (td->fc)
        draw_forecast_bands(td);
    draw_baselines(td);
    draw_target_lines(td);
    if (td->fc)
        draw_forecast_line(td);
    draw_observed(td);
    draw_window_averages(td);
    draw_failing_years(td);
    draw_baseline_markers(td);
}

/* Labels, most important first (the latest value, targets, averages,
 * baselines), then drawn with the most important on top. */
static void draw_trend_labels(trend *td)
{
    label_latest(td);
    label_targets(td);
    label_averages(td);
    label_baselines(td);
    placer_draw(td->c, &td->pl);
    placer_free(&td->pl);
}

/* 1 while a target of ir waits for its judgement (not yet due, or short of
 * data): the forecast is drawn for those only, never across a year already
 * judged (a final evaluation's 2025 marked 不适用). */
static int awaits_judgement(const indicator_result *ir)
{
    for (int k = 0; k < ir->ntargets; k++)
        if (ir->targets[k].status == V_NOT_YET_DUE || ir->targets[k].status == V_INSUFFICIENT)
            return 1;
    return 0;
}

/* Trend chart: title, verdict lines, the plot, its axes and legend, top to bottom. */
static int draw_indicator(chart_ctx *c, const void *argp)
{
    const ind_arg *arg = argp;
    trend td;
    memset(&td, 0, sizeof td);
    td.c = c;
    td.cv = c->cv;
    td.ir = arg->ir;
    td.fc = arg->fc && arg->fc->model != FM_NONE && arg->fc->npoints_fc > 0 && arg->fc->points &&
                    awaits_judgement(arg->ir)
                ? arg->fc
                : NULL;
    td.pad = 8;
    trend_targets(&td);
    trend_years(&td);
    trend_values(&td);

    double y = trend_title(&td, td.pad - 2);
    trend_legend(&td);
    y = draw_verdicts(&td, y);
    trend_plot_area(&td, y);
    draw_unit(&td);
    draw_trend_plot(&td);
    draw_trend_labels(&td);
    if (td.yb > c->env->ev->eval_year)
        draw_eval_year(&td);

    /* axes */
    seg(td.cv, td.plot_left, td.plot_bottom, td.plot_right, td.plot_bottom, LS_SOLID, 0.8, COL_AXIS);
    draw_year_labels(c, &td.yx, td.xlabel_base);
    draw_legend(c, td.lg, td.nlg, td.pad, td.legend_top, c->w - 2 * td.pad);
    return 0;
}

int chart_indicator_drawable(const indicator_result *ir)
{
    return ir && ir->ind && ir->ind->kind == IND_QUANTITATIVE;
}

static int check_env(const chart_env *env, const char *what, diag_list *d)
{
    if (!env || !env->ev || !env->lb || !env->tpl) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: incomplete chart_env");
        return -1;
    }
    return 0;
}

static int check_indicator(const chart_env *env, const indicator_result *ir, const char *what,
                           diag_list *d)
{
    if (check_env(env, what, d) != 0)
        return -1;
    if (!chart_indicator_drawable(ir)) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: indicator %s is not quantitative",
                 ir && ir->ind ? ir->ind->id : "?");
        return -1;
    }
    return 0;
}

int chart_indicator(const chart_env *env, const indicator_result *ir, const fc_indicator *fc,
                    chart_format fmt, double width_mm, double height_mm, const char *path,
                    diag_list *d)
{
    if (check_indicator(env, ir, path, d) != 0)
        return -1;
    ind_arg a = {ir, fc};
    return render(env, fmt, width_mm, height_mm, path, draw_indicator, &a, d);
}

int chart_indicator_canvas(const chart_env *env, const indicator_result *ir,
                           const fc_indicator *fc, canvas *cv, double width_mm,
                           double height_mm, diag_list *d)
{
    const char *what = ir && ir->ind ? ir->ind->id : "chart";
    if (check_indicator(env, ir, what, d) != 0)
        return -1;
    ind_arg a = {ir, fc};
    return draw_with(env, cv, width_mm, height_mm, draw_indicator, &a, what, d);
}

/* ---------- measuring without a chart ---------- */

typedef double (*layout_fn)(chart_ctx *c, const void *arg, int draw);

/* Height in mm that layout needs at width w_mm, text measured on cv (NULL: with the
 * chart font in Cairo). */
static double measure_mm(const chart_env *env, canvas *cv, double w_mm, layout_fn fn,
                         const void *arg)
{
    if (cv) {
        chart_ctx c = {cv, w_mm * PT_PER_MM, 1000, env, NULL, "measure"};
        return fn(&c, arg, 0) / PT_PER_MM;
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(s);
    diag_list quiet = {0};
    double h = 0;
    cv = chart_canvas(env, cr, "measure", &quiet);
    if (cv) {
        chart_ctx c = {cv, w_mm * PT_PER_MM, 1000, env, &quiet, "measure"};
        h = fn(&c, arg, 0) / PT_PER_MM;
    }
    canvas_free(cv, &quiet);
    diag_free(&quiet);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return h;
}

/* ---------- group overview: a status matrix ---------- */

static const group_def *find_group(const plan *p, const char *id)
{
    for (int i = 0; id && i < p->ngroups; i++)
        if (strcmp(p->groups[i].id, id) == 0)
            return &p->groups[i];
    return NULL;
}

static int in_group(const indicator *ind, const char *group_id)
{
    return group_id ? ind->group && strcmp(ind->group, group_id) == 0 : 1;
}

static int group_targets(const evaluation *ev, const char *group_id)
{
    int n = 0;
    for (int i = 0; i < ev->ninds; i++)
        if (in_group(ev->inds[i].ind, group_id))
            n += ev->inds[i].ntargets;
    return n;
}

typedef struct group_arg {
    const char *group_id;
} group_arg;

/* Target indices of ir sorted by year. */
static void targets_by_year(const indicator_result *ir, int *idx)
{
    for (int k = 0; k < ir->ntargets; k++)
        idx[k] = k;
    for (int i = 1; i < ir->ntargets; i++)
        for (int j = i; j > 0 && ir->targets[idx[j]].t->year < ir->targets[idx[j - 1]].t->year; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

/* The overview's figure column: "current／≤limit", or the milestone's status and date. */
static char *overview_figure(chart_ctx *c, const indicator_result *ir, const target_result *tr)
{
    const target *t = tr->t;
    if (ir->ind->kind != IND_QUANTITATIVE) {
        const milestone_record *m = tr->record;
        if (!m)
            return xstrdup(T(c, "overview", "none"));
        char date[32];
        snprintf(date, sizeof date, "%04d-%02d-%02d", m->year, m->month, m->day);
        kv v[] = {{"status", m->status}, {"date", date}};
        return expand(T(c, "overview", "milestone"), v, 2);
    }
    char cur[48], lim[56];
    if (tr->current.state == FV_OK)
        fmt_value(tr->current.v, ir->ind->precision, cur, sizeof cur);
    else
        snprintf(cur, sizeof cur, "%s", T(c, "overview", "none"));
    if (tr->has_limit) {
        char num[48];
        fmt_sig(tr->limit, num, sizeof num);
        snprintf(lim, sizeof lim, "%s%s", T(c, "op_symbol", op_name(t->op)), num);
    } else {
        snprintf(lim, sizeof lim, "%s", T(c, "overview", "none"));
    }
    kv v[] = {{"current", cur}, {"limit", lim}};
    return expand(T(c, "overview", "figure"), v, 2);
}

#define OV_ROW1 13.5 /* one-line row */
#define OV_LINE 10.0 /* each further line */

/* Columns of the overview: item, year, figure, then one per status. */
typedef struct ov_cols {
    double statw, yearw, figw;   /* column widths */
    double x_year, x_fig, x_stat; /* where they begin */
    double itemw;                /* room for the indicator's name */
} ov_cols;

/* The overview's title and part line from y (measured only, unless draw); returns the y below. */
static double overview_title(chart_ctx *c, const group_def *g, double y, int draw)
{
    const plan *p = c->env->ev->p;
    const double pad = 8, W = c->w;
    kv tv[] = {{"group", g ? g->name : p->title}, {"part", g && g->part ? g->part : ""}};
    char *title = expand(T(c, "title", "overview"), tv, 2);
    if (draw) {
        y = draw_title(c, title, pad, y, W - 2 * pad);
    } else {
        char *lines[2];
        int n = wrap_text(c, title, FS_TITLE, 1, W - 2 * pad, lines, 2);
        free_lines(lines, n);
        y += n * FS_TITLE * 1.35 + 3;
    }
    free(title);
    if (g && g->part && *g->part) {
        char *part = expand(T(c, "title", "overview_part"), tv, 2);
        char *fitted = fit_text(c, part, FS_SMALL, 0, W - 2 * pad);
        y += FS_SMALL;
        if (draw)
            text_at(c, fitted, pad, y, FS_SMALL, 0, AL_LEFT, COL_MUTED);
        y += 4;
        free(fitted);
        free(part);
    }
    return y;
}

/* The summary line at baseline y: 共N项目标  ● 达标 5  ✕ 未达标 2 … */
static void draw_overview_summary(chart_ctx *c, const char *group_id, double y)
{
    const evaluation *ev = c->env->ev;
    const double pad = 8;
    int counts[5] = {0}, total = 0;
    for (int i = 0; i < ev->ninds; i++)
        if (in_group(ev->inds[i].ind, group_id))
            for (int k = 0; k < ev->inds[i].ntargets; k++) {
                counts[ev->inds[i].targets[k].status]++;
                total++;
            }
    char n[16];
    snprintf(n, sizeof n, "%d", total);
    kv nv[] = {{"n", n}};
    char *s = expand(T(c, "overview", "count"), nv, 1);
    double x = pad + text_at(c, s, pad, y, FS_TEXT, 1, AL_LEFT, COL_TEXT) + 10;
    free(s);
    for (int v = 0; v < 5; v++) {
        if (!counts[v])
            continue;
        x += status_badge(c, (verdict)v, x, y, FS_TEXT) + 3;
        snprintf(n, sizeof n, "%d", counts[v]);
        x += text_at(c, n, x, y, FS_TEXT, 0, AL_LEFT, COL_TEXT) + 10;
    }
}

/* Widest figure of the group's targets, at least the header's. */
static double overview_figure_w(chart_ctx *c, const char *group_id)
{
    const evaluation *ev = c->env->ev;
    double figw = text_w(c, T(c, "overview", "header_figure"), FS_SMALL, 0);
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        if (!in_group(ir->ind, group_id))
            continue;
        for (int k = 0; k < ir->ntargets; k++) {
            char *f = overview_figure(c, ir, &ir->targets[k]);
            double w = text_w(c, f, FS_SMALL, 0);
            if (w > figw)
                figw = w;
            free(f);
        }
    }
    return figw;
}

/* Column widths from the widest status word, year and figure (at most 28 %
 * of the width); the item column gets the rest. */
static void overview_columns(chart_ctx *c, const char *group_id, ov_cols *col)
{
    const double pad = 8, W = c->w;
    double statw = 0;
    for (int v = 0; v < 5; v++) {
        double w = text_w(c, status_word(c, (verdict)v), FS_SMALL, 0);
        if (w > statw)
            statw = w;
    }
    col->statw = statw + 7;
    double yearw = text_w(c, T(c, "overview", "header_year"), FS_SMALL, 0);
    if (yearw < text_w(c, "2025", FS_SMALL, 0))
        yearw = text_w(c, "2025", FS_SMALL, 0);
    col->yearw = yearw + 8;
    double figw = overview_figure_w(c, group_id) + 8;
    if (figw > (W - 2 * pad) * 0.28)
        figw = (W - 2 * pad) * 0.28;
    col->figw = figw;
    col->x_stat = W - pad - 5 * col->statw;
    col->x_fig = col->x_stat - col->figw;
    col->x_year = col->x_fig - col->yearw;
    col->itemw = col->x_year - pad - 4;
}

/* The header row, its baseline at hy, each status under its shape (at y). */
static void draw_overview_header(chart_ctx *c, const ov_cols *col, double y, double hy)
{
    const double pad = 8, W = c->w;
    text_at(c, T(c, "overview", "header_item"), pad + 2, hy, FS_SMALL, 1, AL_LEFT, COL_MUTED);
    text_at(c, T(c, "overview", "header_year"), col->x_year + col->yearw / 2, hy, FS_SMALL, 1,
            AL_CENTER, COL_MUTED);
    char *hf = fit_text(c, T(c, "overview", "header_figure"), FS_SMALL, 1, col->figw - 4);
    text_at(c, hf, col->x_fig + 4, hy, FS_SMALL, 1, AL_LEFT, COL_MUTED);
    free(hf);
    for (int v = 0; v < 5; v++) {
        double cx = col->x_stat + (v + 0.5) * col->statw;
        draw_shape(c->cv, status_shape(c, (verdict)v), cx, y + 3.5, 3.2, status_colour((verdict)v));
        text_at(c, status_word(c, (verdict)v), cx, hy, FS_SMALL, 1, AL_CENTER, COL_TEXT);
    }
    seg(c->cv, pad, hy + 4, W - pad, hy + 4, LS_SOLID, 0.8, COL_AXIS);
}

/* One target's row, centred on cy: its year, figure and the status shape in its column. */
static void draw_overview_target(chart_ctx *c, const ov_cols *col, const indicator_result *ir,
                                 const target_result *tr, double cy)
{
    char yr[16];
    snprintf(yr, sizeof yr, "%d", tr->t->year);
    text_at(c, yr, col->x_year + col->yearw / 2, mid_baseline(cy, FS_SMALL), FS_SMALL, 0,
            AL_CENTER, COL_TEXT);
    char *f = overview_figure(c, ir, tr);
    char *ff = fit_text(c, f, FS_SMALL, 0, col->figw - 6);
    text_at(c, ff, col->x_fig + 4, mid_baseline(cy, FS_SMALL), FS_SMALL, 0, AL_LEFT, COL_TEXT);
    free(ff);
    free(f);
    for (int v = 0; v < 5; v++)
        if (v == (int)tr->status)
            draw_shape(c->cv, status_shape(c, tr->status), col->x_stat + (v + 0.5) * col->statw,
                       cy, 3.6, status_colour(tr->status));
}

/* The rows of indicator ir from y (banded: a grey background), its name
 * wrapped to 2 lines beside its targets in year order; returns their height. */
static double overview_indicator(chart_ctx *c, const ov_cols *col, const indicator_result *ir,
                                 double y, int band, int draw)
{
    const double pad = 8, W = c->w;
    kv iv[] = {{"id", ir->ind->id}, {"name", ir->ind->name ? ir->ind->name : ""}};
    char *item = expand(T(c, "title", "indicator"), iv, 2);
    char *lines[2];
    int nl = wrap_text(c, item, FS_SMALL, 0, col->itemw - 2, lines, 2);
    free(item);
    int idx[MAX_TARGETS * 4];
    int ntg = ir->ntargets < MAX_TARGETS * 4 ? ir->ntargets : MAX_TARGETS * 4;
    targets_by_year(ir, idx);
    double block = 0;
    for (int k = 0; k < ntg; k++)
        block += k == 0 ? OV_ROW1 + (nl - 1) * OV_LINE : OV_ROW1;
    if (draw && band) {
        set_colour(c->cv, COL_ROW);
        cv_rectangle(c->cv, pad, y, W - 2 * pad, block);
        cv_fill(c->cv);
    }
    if (draw) {
        double ty = y + OV_ROW1 / 2;
        for (int l = 0; l < nl; l++)
            text_at(c, lines[l], pad + 2, mid_baseline(ty + l * OV_LINE, FS_SMALL), FS_SMALL, 0,
                    AL_LEFT, COL_TEXT);
    }
    free_lines(lines, nl);
    double ry = y;
    for (int k = 0; k < ntg; k++) {
        double rh = k == 0 ? OV_ROW1 + (nl - 1) * OV_LINE : OV_ROW1;
        if (draw)
            draw_overview_target(c, col, ir, &ir->targets[idx[k]], ry + rh / 2);
        ry += rh;
    }
    return block;
}

/* Status matrix of a group (drawn, or only measured): title, summary,
 * header, one block of rows per indicator; returns the height it needs. */
static double overview_layout(chart_ctx *c, const void *argp, int draw)
{
    const group_arg *arg = argp;
    const evaluation *ev = c->env->ev;
    const group_def *g = find_group(ev->p, arg->group_id);
    const double pad = 8, W = c->w;
    double y = pad - 2;
    if (!(c->env->flags & CHART_NO_TITLE))
        y = overview_title(c, g, y, draw);
    y += FS_TEXT + 1;
    if (draw)
        draw_overview_summary(c, arg->group_id, y);
    y += 7;
    ov_cols col;
    overview_columns(c, arg->group_id, &col);
    double hy = y + FS_SMALL + 9;
    if (draw)
        draw_overview_header(c, &col, y, hy);
    y = hy + 4;
    int band = 0;
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        if (!in_group(ir->ind, arg->group_id) || ir->ntargets == 0)
            continue;
        y += overview_indicator(c, &col, ir, y, band, draw);
        band = !band;
    }
    if (draw) {
        seg(c->cv, pad, y, W - pad, y, LS_SOLID, 0.8, COL_AXIS);
        /* faint column rules between statuses */
        for (int v = 0; v <= 5; v++)
            seg(c->cv, col.x_stat + v * col.statw, hy + 4, col.x_stat + v * col.statw, y,
                LS_SOLID, 0.35, COL_GRID);
    }
    return y + pad;
}

static int draw_overview(chart_ctx *c, const void *arg)
{
    overview_layout(c, arg, 1);
    return 0;
}

static int check_group(const chart_env *env, const char *group_id, const char *what, diag_list *d)
{
    if (check_env(env, what, d) != 0)
        return -1;
    if (group_id && !find_group(env->ev->p, group_id)) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: plan %s has no group '%s'", env->ev->p->id,
                 group_id);
        return -1;
    }
    if (group_targets(env->ev, group_id) == 0) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: group '%s' of plan %s has no targets",
                 group_id ? group_id : "(all)", env->ev->p->id);
        return -1;
    }
    return 0;
}

double chart_group_overview_height_on(const chart_env *env, const char *group_id, canvas *cv,
                                      double width_mm)
{
    if (!env || !env->ev || !env->tpl || !env->lb || group_targets(env->ev, group_id) == 0)
        return 0;
    group_arg a = {group_id};
    /* whole tenths of a millimetre, so that the manifest states it exactly */
    return ceil(measure_mm(env, cv, width_mm, overview_layout, &a) * 10 - 1e-6) / 10;
}

double chart_group_overview_height(const chart_env *env, const char *group_id, double width_mm)
{
    return chart_group_overview_height_on(env, group_id, NULL, width_mm);
}

int chart_group_overview(const chart_env *env, const char *group_id, chart_format fmt,
                         double width_mm, double height_mm, const char *path, diag_list *d)
{
    if (check_group(env, group_id, path, d) != 0)
        return -1;
    if (height_mm <= 0)
        height_mm = chart_group_overview_height(env, group_id, width_mm);
    group_arg a = {group_id};
    return render(env, fmt, width_mm, height_mm, path, draw_overview, &a, d);
}

int chart_group_overview_canvas(const chart_env *env, const char *group_id, canvas *cv,
                                double width_mm, double height_mm, diag_list *d)
{
    const char *what = group_id ? group_id : "overview";
    if (check_group(env, group_id, what, d) != 0)
        return -1;
    if (height_mm <= 0)
        height_mm = chart_group_overview_height_on(env, group_id, cv, width_mm);
    group_arg a = {group_id};
    return draw_with(env, cv, width_mm, height_mm, draw_overview, &a, what, d);
}

/* ---------- accidents by grade and sector ---------- */

#define ACC_MAX_YEARS 60

typedef struct acc_data {
    int var;
    int y0, y1;
    const dim_def *dims[2]; /* grade, sector */
    const char *dim_title[2];
    double *v[2];           /* [year][value] */
    int covered[ACC_MAX_YEARS];
    double total[ACC_MAX_YEARS];
} acc_data;

static const dim_def *table_dim(const table_def *t, const char *name)
{
    for (int i = 0; i < t->ndims; i++)
        if (strcmp(t->dims[i].name, name) == 0 && t->dims[i].nvalues > 0)
            return &t->dims[i];
    return NULL;
}

static void acc_free(acc_data *a)
{
    free(a->v[0]);
    free(a->v[1]);
}

/* Accident counts per year by grade and by sector; 0 if there are none to draw. */
static int acc_load(const chart_env *env, acc_data *a)
{
    memset(a, 0, sizeof *a);
    const eval_context *ec = env->ec;
    if (!ec || !ec->dict || !ec->r)
        return 0;
    a->var = dictionary_find_var(ec->dict, "ps_accidents");
    if (a->var < 0 || !region_has_table(ec->r, a->var))
        return 0;
    const table_def *t = &ec->dict->tables[ec->dict->vars[a->var].table];
    a->dims[0] = table_dim(t, "grade");
    a->dims[1] = table_dim(t, "sector");
    if (!a->dims[0] || !a->dims[1])
        return 0;
    int first, last;
    if (!region_var_years(ec->r, a->var, &first, &last))
        return 0;
    if (last > env->ev->eval_year)
        last = env->ev->eval_year;
    if (first > last)
        return 0;
    if (last - first >= ACC_MAX_YEARS)
        first = last - ACC_MAX_YEARS + 1;
    a->y0 = first;
    a->y1 = last;
    int ny = last - first + 1;
    for (int k = 0; k < 2; k++) {
        const dim_def *dd = a->dims[k];
        a->v[k] = xcalloc((size_t)ny * (size_t)dd->nvalues, sizeof(double));
        for (int yi = 0; yi < ny; yi++) {
            int yr = first + yi;
            a->covered[yi] = region_year_covered(ec->r, a->var, yr);
            double tot = 0;
            for (int j = 0; j < dd->nvalues; j++) {
                formula_filter f = {dd->name, &dd->values[j], 1};
                fvalue v = region_value(ec->r, a->var, &f, 1, yr, NULL, NULL);
                double x = v.state == FV_OK ? v.v : 0;
                a->v[k][yi * dd->nvalues + j] = x;
                tot += x;
            }
            if (k == 0)
                a->total[yi] = tot;
        }
    }
    return 1;
}

int chart_has_accidents(const chart_env *env)
{
    acc_data a;
    int ok = env && env->ev && acc_load(env, &a);
    if (ok)
        acc_free(&a);
    return ok;
}

/* Fill, hatch and whether text on it is white, per category index. */
static const unsigned grade_fill[] = {0xB7D7EE, OI_ORANGE, OI_VERMILLION, 0x5B1A00};
static const unsigned sector_fill[] = {OI_BLUE, 0x333333, OI_ORANGE, OI_VERMILLION, 0xDDDDDD,
                                       OI_SKY, OI_PURPLE, OI_GREEN, OI_YELLOW};
static const int sector_hatched[] = {0, 0, 0, 1, 0, 0, 1, 1, 0};

static unsigned cat_fill(int k, int j)
{
    if (k == 0)
        return grade_fill[j % 4];
    return sector_fill[j % 9];
}

static int cat_hatched(int k, int j) { return k == 1 && sector_hatched[j % 9]; }

static int dark_fill(unsigned c)
{
    rgb x = hex(c);
    return 0.2126 * x.r + 0.7152 * x.g + 0.0722 * x.b < 0.45;
}

/* Grades above the first with accidents in year index yi. */
static int serious_lines(const acc_data *a, int yi)
{
    int n = 0;
    for (int j = 1; j < a->dims[0]->nvalues; j++)
        n += a->v[0][yi * a->dims[0]->nvalues + j] > 0;
    return n;
}

/* One panel of the accidents chart (by grade or by sector) and its layout. */
typedef struct acc_panel {
    chart_ctx *c;
    canvas *cv;
    const acc_data *a;
    int k;                  /* 0: by grade, 1: by sector */
    const dim_def *dd;      /* a->dims[k] */
    const char *period;     /* the plan period's legend text */
    double legw;            /* width of the legend column */
    double plot_top, plot_bottom, plot_left, plot_right, xlabel_base;
    int p0, p1;             /* plan period within the years shown (p0 > p1: none) */
    axis ay;
    year_axis yx;
} acc_panel;

/* Width of the legend column: the widest category or the plan period. */
static double acc_legend_width(chart_ctx *c, const acc_data *a, const char *period)
{
    double legw = 0;
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < a->dims[k]->nvalues; j++) {
            legend_item it = {LG_SWATCH, a->dims[k]->values[j], 0};
            double w = legend_item_w(c, &it);
            if (w > legw)
                legw = w;
        }
    legend_item it = {LG_NA, period, 0};
    double w = legend_item_w(c, &it);
    if (w > legw)
        legw = w;
    return legw;
}

/* The count axis (whole numbers), with headroom for each bar's total and,
 * by grade, the serious accidents named above it. */
static void acc_axis(acc_panel *ap, double maxtot)
{
    const acc_data *a = ap->a;
    axis *ay = &ap->ay;
    int ny = a->y1 - a->y0 + 1;
    int nt = (int)((ap->plot_bottom - ap->plot_top) / 20);
    axis_fit(ay, 0, maxtot > 0 ? maxtot : 1, nt < 2 ? 2 : nt > 5 ? 5 : nt);
    if (ay->step < 1) {
        ay->step = 1;
        ay->hi = ceil(ay->hi);
    }
    ay->p0 = ap->plot_bottom;
    ay->p1 = ap->plot_top;
    for (int guard = 0; guard < 8; guard++) {
        int fits = 1;
        for (int yi = 0; yi < ny; yi++) {
            int lines = 1 + (ap->k == 0 ? serious_lines(a, yi) : 0);
            if (axis_map(ay, a->total[yi]) - lines * (FS_SMALL + 2) - 2 < ap->plot_top - 4)
                fits = 0;
        }
        if (fits)
            break;
        ay->hi += ay->step;
    }
}

/* The plan period as a grey band behind the bars. */
static void draw_acc_period(acc_panel *ap)
{
    const plan *p = ap->c->env->ev->p;
    const acc_data *a = ap->a;
    ap->p0 = p->period[0] > a->y0 ? p->period[0] : a->y0;
    ap->p1 = p->period[1] < a->y1 ? p->period[1] : a->y1;
    if (ap->p0 <= ap->p1) {
        set_colour(ap->cv, COL_BAND);
        cv_rectangle(ap->cv, ap->yx.x0 + (ap->p0 - a->y0) * ap->yx.slot, ap->plot_top - 2,
                     (ap->p1 - ap->p0 + 1) * ap->yx.slot, ap->plot_bottom - ap->plot_top + 2);
        cv_fill(ap->cv);
    }
}

/* A year without accident data: hatched, and marked 缺数据 if the slot is wide enough. */
static void draw_acc_missing(acc_panel *ap, double cx)
{
    chart_ctx *c = ap->c;
    canvas *cv = ap->cv;
    double slot = ap->yx.slot;
    hatch(cv, cx - slot / 2 + 0.5, ap->plot_top, slot - 1, ap->plot_bottom - ap->plot_top,
          COL_HATCH, 3.2, 0.55);
    if (slot >= FS_SMALL + 2) {
        const char *w = T(c, "legend", "missing");
        int nch = utf8_columns(w, strlen(w));
        double ttop = ap->plot_bottom - 3 - nch * FS_SMALL * 1.05;
        cv_set_rgba(cv, 1, 1, 1, 0.9);
        cv_rectangle(cv, cx - (FS_SMALL + 2) / 2, ttop - 1, FS_SMALL + 2,
                     nch * FS_SMALL * 1.05 + 2);
        cv_fill(cv);
        text_vertical(c, w, cx, ttop, FS_SMALL, COL_MUTED);
    }
}

/* The count v written on its segment (yt to yb) of the bar at cx, when it fits. */
static void draw_acc_count(acc_panel *ap, int j, double v, double cx, double yt, double yb)
{
    chart_ctx *c = ap->c;
    unsigned fill = cat_fill(ap->k, j);
    char num[32];
    fmt_value(v, 0, num, sizeof num);
    int white = dark_fill(fill);
    if (cat_hatched(ap->k, j)) {
        double tw2 = text_w(c, num, FS_SMALL, 1);
        set_colour(ap->cv, fill);
        cv_rectangle(ap->cv, cx - tw2 / 2 - 1, (yt + yb) / 2 - FS_SMALL * 0.5, tw2 + 2, FS_SMALL);
        cv_fill(ap->cv);
    }
    text_at(c, num, cx, mid_baseline((yt + yb) / 2, FS_SMALL), FS_SMALL, 1, AL_CENTER,
            white ? 0xFFFFFF : COL_TEXT);
}

/* Year yi's bar at cx: one segment per category, stacked, with its count. */
static void draw_acc_bar(acc_panel *ap, int yi, double cx, double bw)
{
    canvas *cv = ap->cv;
    const dim_def *dd = ap->dd;
    double base = 0;
    for (int j = 0; j < dd->nvalues; j++) {
        double v = ap->a->v[ap->k][yi * dd->nvalues + j];
        if (v <= 0)
            continue;
        double yb = axis_map(&ap->ay, base), yt = axis_map(&ap->ay, base + v);
        unsigned fill = cat_fill(ap->k, j);
        set_colour(cv, fill);
        cv_rectangle(cv, cx - bw / 2, yt, bw, yb - yt);
        cv_fill(cv);
        if (cat_hatched(ap->k, j))
            hatch(cv, cx - bw / 2, yt, bw, yb - yt, 0xFFFFFF, 2.6, 0.7);
        if (fill == 0xDDDDDD || fill == OI_YELLOW) {
            set_colour(cv, 0x888888);
            cv_set_line_width(cv, 0.4);
            cv_rectangle(cv, cx - bw / 2, yt, bw, yb - yt);
            cv_stroke(cv);
        }
        /* white rule between segments */
        seg(cv, cx - bw / 2, yt, cx + bw / 2, yt, LS_SOLID, 0.6, 0xFFFFFF);
        if (yb - yt >= FS_SMALL + 1 && bw >= text_w(ap->c, "00", FS_SMALL, 0))
            draw_acc_count(ap, j, v, cx, yt, yb);
        base += v;
    }
}

/* Year yi's total over its bar at cx and, by grade, the grades above the
 * first (较大 重大 特别重大) named over it, however thin. */
static void draw_acc_total(acc_panel *ap, int yi, double cx)
{
    chart_ctx *c = ap->c;
    const dim_def *dd = ap->dd;
    char num[32];
    fmt_value(ap->a->total[yi], 0, num, sizeof num);
    double ty = axis_map(&ap->ay, ap->a->total[yi]) - 2.5;
    text_at(c, num, cx, ty, FS_SMALL, 1, AL_CENTER, COL_TEXT);
    for (int j = 1; ap->k == 0 && j < dd->nvalues; j++) {
        double v = ap->a->v[0][yi * dd->nvalues + j];
        if (v <= 0)
            continue;
        ty -= FS_SMALL + 2;
        char n[32];
        fmt_value(v, 0, n, sizeof n);
        kv sv[] = {{"grade", dd->values[j]}, {"n", n}};
        char *sl = expand(T(c, "legend", "serious"), sv, 2);
        /* swatch and words centred together over the bar */
        double tw2 = text_w(c, sl, FS_SMALL, 1), x0 = cx - (tw2 + 6) / 2;
        set_colour(ap->cv, cat_fill(0, j));
        cv_rectangle(ap->cv, x0, ty - FS_SMALL * 0.62, 4, 4);
        cv_fill(ap->cv);
        text_at(c, sl, x0 + 6, ty, FS_SMALL, 1, AL_LEFT, COL_TEXT);
        free(sl);
    }
}

/* The panel's legend at the right, top category first (as stacked), then
 * (by grade) the plan period. */
static void draw_acc_legend(acc_panel *ap)
{
    chart_ctx *c = ap->c;
    const dim_def *dd = ap->dd;
    double lx = c->w - 8 - ap->legw, ly = ap->plot_top;
    for (int j = dd->nvalues - 1; j >= 0; j--) {
        legend_item it = {cat_hatched(ap->k, j) ? LG_SWATCH_HATCHED : LG_SWATCH, dd->values[j],
                          cat_fill(ap->k, j)};
        legend_sample(c, &it, lx, ly + LEGEND_ROW / 2);
        text_at(c, it.text, lx + LEGEND_SAMPLE + 3, mid_baseline(ly + LEGEND_ROW / 2, FS_SMALL),
                FS_SMALL, 0, AL_LEFT, COL_TEXT);
        ly += LEGEND_ROW;
    }
    if (ap->k == 0 && ap->p0 <= ap->p1) {
        legend_item it = {LG_NA, ap->period, 0};
        legend_sample(c, &it, lx, ly + LEGEND_ROW / 2 + 2);
        text_at(c, ap->period, lx + LEGEND_SAMPLE + 3,
                mid_baseline(ly + LEGEND_ROW / 2 + 2, FS_SMALL), FS_SMALL, 0, AL_LEFT, COL_TEXT);
    }
}

/* Panel ap->k from top, panel_h high: subtitle, axes, plan period, bars, legend. */
static void draw_acc_panel(acc_panel *ap, double top, double panel_h, double maxtot)
{
    chart_ctx *c = ap->c;
    const acc_data *a = ap->a;
    const double pad = 8;
    double sub_base = top + FS_TEXT + 1;
    text_at(c, T(c, "title", ap->k == 0 ? "accidents_grade" : "accidents_sector"), pad, sub_base,
            FS_TEXT, 1, AL_LEFT, COL_TEXT);
    ap->plot_top = sub_base + FS_SMALL + 4;
    ap->xlabel_base = top + panel_h - 4;
    ap->plot_bottom = ap->xlabel_base - FS_SMALL - 4;
    acc_axis(ap, maxtot);
    ap->plot_left = pad + axis_label_w(c, &ap->ay) + 5;
    ap->plot_right = c->w - pad - ap->legw - 6;
    year_axis_set(&ap->yx, a->y0, a->y1, ap->plot_left, ap->plot_right);
    draw_acc_period(ap);
    draw_y_grid(c, &ap->ay, ap->plot_left, ap->plot_right);
    double bw = ap->yx.slot * 0.62;
    for (int yi = 0; yi < a->y1 - a->y0 + 1; yi++) {
        double cx = year_x(&ap->yx, a->y0 + yi);
        if (!a->covered[yi]) {
            draw_acc_missing(ap, cx);
            continue;
        }
        draw_acc_bar(ap, yi, cx, bw);
        draw_acc_total(ap, yi, cx);
    }
    seg(ap->cv, ap->plot_left, ap->plot_bottom, ap->plot_right, ap->plot_bottom, LS_SOLID, 0.8,
        COL_AXIS);
    draw_year_labels(c, &ap->yx, ap->xlabel_base);
    draw_acc_legend(ap);
}

/* Accidents chart: title and unit, then the panel by grade over the panel by sector. */
static int draw_accidents(chart_ctx *c, const void *argp)
{
    const acc_data *a = argp;
    const plan *p = c->env->ev->p;
    const double pad = 8, W = c->w, H = c->h;
    double y = draw_title(c, T(c, "title", "accidents"), pad, pad - 2, W - 2 * pad);
    text_at(c, T(c, "axis", "accidents"), pad, y + FS_SMALL, FS_SMALL, 0, AL_LEFT, COL_MUTED);
    /* plan period label on the right of the unit line */
    char f[16], t[16];
    snprintf(f, sizeof f, "%d", p->period[0]);
    snprintf(t, sizeof t, "%d", p->period[1]);
    kv pv[] = {{"from", f}, {"to", t}};
    char *pp = expand(T(c, "legend", "plan_period"), pv, 2);
    y += FS_SMALL + 5;

    double legw = acc_legend_width(c, a, pp);
    double maxtot = 0;
    for (int yi = 0; yi < a->y1 - a->y0 + 1; yi++)
        if (a->total[yi] > maxtot)
            maxtot = a->total[yi];
    double panel_h = (H - pad - y) / 2;
    for (int k = 0; k < 2; k++) {
        acc_panel ap = {.c = c, .cv = c->cv, .a = a, .k = k, .dd = a->dims[k], .period = pp,
                        .legw = legw};
        draw_acc_panel(&ap, y + k * panel_h + (k ? 4 : 0), panel_h, maxtot);
    }
    free(pp);
    return 0;
}

int chart_accidents(const chart_env *env, chart_format fmt, double width_mm, double height_mm,
                    const char *path, diag_list *d)
{
    if (check_env(env, path, d) != 0)
        return -1;
    acc_data a;
    if (!acc_load(env, &a)) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: no accident data (ps_accidents by grade and "
                                            "sector) for plan %s", env->ev->p->id);
        return -1;
    }
    int rc = render(env, fmt, width_mm, height_mm, path, draw_accidents, &a, d);
    acc_free(&a);
    return rc;
}

int chart_accidents_canvas(const chart_env *env, canvas *cv, double width_mm, double height_mm,
                           diag_list *d)
{
    if (check_env(env, "accidents", d) != 0)
        return -1;
    acc_data a;
    if (!acc_load(env, &a)) {
        diag_add(d, DIAG_ERROR, "accidents", 0, 0, "chart: no accident data for plan %s",
                 env->ev->p->id);
        return -1;
    }
    int rc = draw_with(env, cv, width_mm, height_mm, draw_accidents, &a, "accidents", d);
    acc_free(&a);
    return rc;
}

/* ---------- reserve coverage ---------- */

/* 1 if e reads a variable of the reserves table. */
static int reads_reserves(const dictionary *dict, const expr_def *e)
{
    if (!e || !e->f)
        return 0;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    for (int i = 0; i < n; i++)
        if (refs[i].kind == REF_VARIABLE && refs[i].id >= 0 && refs[i].id < dict->nvars &&
            strcmp(dict->tables[dict->vars[refs[i].id].table].name, "reserves") == 0)
            return 1;
    return 0;
}

/* The target a reserve bar is measured against: the last one with a positive norm. */
static const target_result *reserve_target(const indicator_result *ir)
{
    const target_result *best = NULL;
    for (int k = 0; k < ir->ntargets; k++) {
        const target *t = ir->targets[k].t;
        if ((t->op == OP_GE || t->op == OP_GT || t->op == OP_EQ) && t->has_value && t->value > 0 &&
            !t->each && (!best || t->year > best->t->year))
            best = &ir->targets[k];
    }
    return best;
}

static int is_reserve(const chart_env *env, const indicator_result *ir)
{
    const indicator *ind = ir->ind;
    if (!env->ec || !env->ec->dict || ind->kind != IND_QUANTITATIVE || !reserve_target(ir))
        return 0;
    const dictionary *dict = env->ec->dict;
    return reads_reserves(dict, ind->formula) || reads_reserves(dict, ind->numerator) ||
           reads_reserves(dict, ind->denominator);
}

int chart_reserve_count(const chart_env *env)
{
    int n = 0;
    if (!env || !env->ev)
        return 0;
    for (int i = 0; i < env->ev->ninds; i++)
        n += is_reserve(env, &env->ev->inds[i]);
    return n;
}

#define RS_ROW1 22.0

/* Columns of the reserves chart: names, bars on a percentage scale, value and status. */
typedef struct rs_cols {
    double labelw;              /* the indicator's name */
    double bar_left, bar_right; /* the bars */
    double statusw;             /* the status badge */
    axis ax;                    /* percentage of the norm -> x */
} rs_cols;

/* Latest year with a value of ir up to the evaluation year (0: none), *val its value. */
static int reserve_latest(const evaluation *ev, const indicator_result *ir, double *val)
{
    for (int yr = ev->eval_year; yr >= ir->first_year; yr--) {
        fvalue v = result_year(ir, yr).value;
        if (v.state == FV_OK) {
            *val = v.v;
            return yr;
        }
    }
    return 0;
}

/* Largest coverage to show: at least 120 %, at most 300 % (longer bars are cut). */
static double reserves_max_pct(chart_ctx *c)
{
    const evaluation *ev = c->env->ev;
    double maxpct = 120;
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        if (!is_reserve(c->env, ir))
            continue;
        const target_result *tr = reserve_target(ir);
        double val;
        if (reserve_latest(ev, ir, &val)) {
            double pct = val / tr->t->value * 100;
            if (pct > maxpct)
                maxpct = pct;
        }
    }
    return maxpct > 300 ? 300 : maxpct;
}

/* The columns: names take 42 %, the value ("128%（2024年）") and status the
 * right, the bars what is between. */
static void reserves_columns(chart_ctx *c, rs_cols *rs)
{
    const double pad = 8, W = c->w;
    rs->labelw = (W - 2 * pad) * 0.42;
    rs->bar_left = pad + rs->labelw + 6;
    rs->statusw = text_w(c, "000%", FS_SMALL, 1) + 6;
    for (int v = 0; v < 5; v++) {
        double w = text_w(c, status_word(c, (verdict)v), FS_SMALL, 1);
        if (w + FS_SMALL * 1.2 > rs->statusw - 6)
            rs->statusw = w + FS_SMALL * 1.2 + 6;
    }
    char probe[96];
    {
        kv pv[] = {{"pct", "000"}, {"year", "2025"}};
        char *s = expand(T(c, "reserves", "latest"), pv, 2);
        snprintf(probe, sizeof probe, "%s", s);
        free(s);
    }
    double valw = text_w(c, probe, FS_SMALL, 1) + 6;
    rs->bar_right = W - pad - valw - rs->statusw - 4;
    axis_fit(&rs->ax, 0, reserves_max_pct(c), 5);
    rs->ax.p0 = rs->bar_left;
    rs->ax.p1 = rs->bar_right;
}

/* Bar of ir's coverage (pct of the norm, in year vy) centred on cy, cut with
 * a break mark past the scale, its figure after it; returns where the figure ends. */
static double draw_reserve_bar(chart_ctx *c, const rs_cols *rs, double pct, int vy, double cy)
{
    canvas *cv = c->cv;
    const axis *ax = &rs->ax;
    double shown = pct > ax->hi ? ax->hi : pct < 0 ? 0 : pct;
    double bx1 = axis_map(ax, shown);
    set_colour(cv, pct >= 100 - 1e-9 ? OI_BLUE : OI_VERMILLION);
    cv_rectangle(cv, rs->bar_left, cy - 5, bx1 - rs->bar_left, 10);
    cv_fill(cv);
    if (pct > ax->hi) { /* cut bar: a break mark */
        seg(cv, bx1 - 4, cy - 7, bx1 - 1, cy + 7, LS_SOLID, 1.6, 0xFFFFFF);
    }
    char num[48];
    fmt_value(pct, 0, num, sizeof num);
    kv pv[] = {{"pct", num}, {"year", ""}};
    char ys[16];
    snprintf(ys, sizeof ys, "%d", vy);
    pv[1].val = ys;
    char *s = expand(T(c, "reserves", vy == c->env->ev->eval_year ? "value" : "latest"), pv, 2);
    double x100 = axis_map(ax, 100);
    double x = (bx1 > x100 - 1 ? bx1 : x100) + 4;
    x += text_at(c, s, x, mid_baseline(cy, FS_SMALL), FS_SMALL, 1, AL_LEFT, COL_TEXT);
    free(s);
    return x;
}

/* Row of reserve indicator ir from y (banded: grey): its name, bar (or
 * 无数据) and the status of its target. */
static void draw_reserve_row(chart_ctx *c, const rs_cols *rs, const indicator_result *ir,
                             char **lines, int nl, double y, int band)
{
    canvas *cv = c->cv;
    const double pad = 8, W = c->w, rh = RS_ROW1;
    const target_result *tr = reserve_target(ir);
    if (band) {
        set_colour(cv, COL_ROW);
        cv_rectangle(cv, pad, y, W - 2 * pad, rh);
        cv_fill(cv);
    }
    double cy = y + rh / 2;
    for (int l = 0; l < nl; l++)
        text_at(c, lines[l], pad + 2, mid_baseline(cy + (l - (nl - 1) / 2.0) * OV_LINE, FS_SMALL),
                FS_SMALL, 0, AL_LEFT, COL_TEXT);
    double val = 0;
    int vy = reserve_latest(c->env->ev, ir, &val);
    double x = rs->bar_left;
    if (vy)
        x = draw_reserve_bar(c, rs, val / tr->t->value * 100, vy, cy);
    else
        x += text_at(c, T(c, "reserves", "no_data"), x + 2, mid_baseline(cy, FS_SMALL), FS_SMALL,
                     0, AL_LEFT, COL_MUTED) + 2;
    double sx = x + 6 > W - pad - rs->statusw ? x + 6 : W - pad - rs->statusw;
    status_badge(c, tr->status, sx, mid_baseline(cy, FS_SMALL), FS_SMALL);
}

/* The scale from rows_top to y: ticks under the bars, the axis, and the
 * 100 % line (the norm) over them. */
static void draw_reserves_scale(chart_ctx *c, const rs_cols *rs, double rows_top, double y)
{
    canvas *cv = c->cv;
    const axis *ax = &rs->ax;
    char buf[32];
    for (double v = ax->lo; v <= ax->hi + 1e-9; v += ax->step) {
        double x = axis_map(ax, v);
        seg(cv, x, rows_top, x, y, LS_SOLID, 0.35, COL_GRID);
        text_at(c, fmt_tick(v, ax->step, buf, sizeof buf), x, y + FS_SMALL + 3, FS_SMALL, 0,
                AL_CENTER, COL_MUTED);
    }
    seg(cv, rs->bar_left, rows_top, rs->bar_left, y, LS_SOLID, 0.8, COL_AXIS);
    double x100 = axis_map(ax, 100);
    seg(cv, x100, rows_top - 3, x100, y, LS_DASHED, 1.3, COL_TEXT);
    text_at(c, T(c, "axis", "norm"), x100 + 3, rows_top - 2, FS_SMALL, 1, AL_LEFT, COL_TEXT);
}

/* Reserve coverage (drawn, or only measured): title, unit, one row per
 * reserve indicator, the scale; returns the height it needs. */
static double reserves_layout(chart_ctx *c, const void *argp, int draw)
{
    (void)argp;
    const evaluation *ev = c->env->ev;
    const double pad = 8, W = c->w;
    double y = pad - 2;
    if (draw)
        y = draw_title(c, T(c, "title", "reserves"), pad, y, W - 2 * pad);
    else if (!(c->env->flags & CHART_NO_TITLE))
        y += FS_TITLE * 1.35 + 3;
    double unit_base = y + FS_SMALL;
    y = unit_base + 8;
    rs_cols rs;
    reserves_columns(c, &rs);
    if (draw)
        text_at(c, T(c, "axis", "reserves"), rs.bar_left, unit_base, FS_SMALL, 0, AL_LEFT,
                COL_MUTED);
    double rows_top = y;
    int band = 0;
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        if (!is_reserve(c->env, ir))
            continue;
        kv iv[] = {{"id", ir->ind->id}, {"name", ir->ind->name ? ir->ind->name : ""}};
        char *item = expand(T(c, "title", "indicator"), iv, 2);
        char *lines[2];
        int nl = wrap_text(c, item, FS_SMALL, 0, rs.labelw - 2, lines, 2);
        free(item);
        if (draw)
            draw_reserve_row(c, &rs, ir, lines, nl, y, band);
        free_lines(lines, nl);
        y += RS_ROW1;
        band = !band;
    }
    if (draw)
        draw_reserves_scale(c, &rs, rows_top, y);
    return y + FS_SMALL + 6 + pad;
}

static int draw_reserves(chart_ctx *c, const void *arg)
{
    reserves_layout(c, arg, 1);
    return 0;
}

double chart_reserves_height_on(const chart_env *env, canvas *cv, double width_mm)
{
    if (chart_reserve_count(env) == 0 || !env->tpl || !env->lb)
        return 0;
    return ceil(measure_mm(env, cv, width_mm, reserves_layout, NULL) * 10 - 1e-6) / 10;
}

double chart_reserves_height(const chart_env *env, double width_mm)
{
    return chart_reserves_height_on(env, NULL, width_mm);
}

static int check_reserves(const chart_env *env, const char *what, diag_list *d)
{
    if (check_env(env, what, d) != 0)
        return -1;
    if (chart_reserve_count(env) == 0) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: plan %s has no reserve indicator",
                 env->ev->p->id);
        return -1;
    }
    return 0;
}

int chart_reserves(const chart_env *env, chart_format fmt, double width_mm, double height_mm,
                   const char *path, diag_list *d)
{
    if (check_reserves(env, path, d) != 0)
        return -1;
    if (height_mm <= 0)
        height_mm = chart_reserves_height(env, width_mm);
    return render(env, fmt, width_mm, height_mm, path, draw_reserves, NULL, d);
}

int chart_reserves_canvas(const chart_env *env, canvas *cv, double width_mm, double height_mm,
                          diag_list *d)
{
    if (check_reserves(env, "reserves", d) != 0)
        return -1;
    if (height_mm <= 0)
        height_mm = chart_reserves_height_on(env, cv, width_mm);
    return draw_with(env, cv, width_mm, height_mm, draw_reserves, NULL, "reserves", d);
}

/* ---------- the whole set ---------- */

typedef struct manifest {
    strbuf rows;
} manifest;

static void manifest_row(manifest *m, const chart_env *env, const char *file, const char *kind,
                         const char *ind_id, const char *group, const char *title,
                         chart_format fmt, double w_mm, double h_mm)
{
    double dpi = env->dpi > 0 ? env->dpi : CHART_DPI;
    char *line;
    FILE *f = open_memstream(&line, &(size_t){0});
    if (!f)
        return;
    char num[32];
    csv_field(f, file, 0);
    csv_field(f, kind, 0);
    csv_field(f, ind_id, 0);
    csv_field(f, group, 0);
    csv_field(f, title, 0);
    csv_field(f, fmt == CHART_PNG ? "png" : "svg", 0);
    snprintf(num, sizeof num, "%.1f", w_mm);
    csv_field(f, num, 0);
    snprintf(num, sizeof num, "%.1f", h_mm);
    csv_field(f, num, 0);
    if (fmt == CHART_PNG) {
        snprintf(num, sizeof num, "%g", dpi);
        csv_field(f, num, 0);
        snprintf(num, sizeof num, "%d", (int)ceil(w_mm / 25.4 * dpi - 1e-6));
        csv_field(f, num, 0);
        snprintf(num, sizeof num, "%d", (int)ceil(h_mm / 25.4 * dpi - 1e-6));
        csv_field(f, num, 1);
    } else {
        csv_field(f, "", 0);
        csv_field(f, "", 0);
        csv_field(f, "", 1);
    }
    fclose(f);
    sb_add(&m->rows, line);
    free(line);
}

/* Write one chart in both formats; 0 or -1. */
typedef int (*write_fn)(const chart_env *env, const void *arg, chart_format fmt, double w,
                        double h, const char *path, diag_list *d);

static int write_both(const chart_env *env, out_set *out, manifest *m, const char *subdir,
                      chart_files files, const char *base, const char *kind, const char *ind_id,
                      const char *group, const char *title, write_fn fn, const void *arg,
                      double w, double h, diag_list *d)
{
    static const chart_format fmts[2] = {CHART_PNG, CHART_SVG};
    static const char *const ext[2] = {"png", "svg"};
    int rc = 0;
    for (int i = 0; i < 2; i++) {
        if ((i == 0 && files == CHART_FILES_SVG) || (i == 1 && files == CHART_FILES_PNG))
            continue;
        char *file = xasprintf("%s.%s", base, ext[i]);
        char *name = xasprintf("%s/%s", subdir, file);
        const char *tmp = outset_path(out, name, d);
        if (!tmp || fn(env, arg, fmts[i], w, h, tmp, d) != 0)
            rc = -1;
        else
            manifest_row(m, env, file, kind, ind_id, group, title, fmts[i], w, h);
        free(name);
        free(file);
    }
    return rc;
}

static int wr_indicator(const chart_env *env, const void *arg, chart_format fmt, double w, double h,
                        const char *path, diag_list *d)
{
    const indicator_result *ir = arg;
    const fc_indicator *fc = NULL;
    long i = ir - env->ev->inds;
    if (env->forecasts && env->forecasts->inds && i >= 0 && i < env->forecasts->ninds &&
        env->forecasts->inds[i].ir == ir)
        fc = &env->forecasts->inds[i];
    return chart_indicator(env, ir, fc, fmt, w, h, path, d);
}

static int wr_overview(const chart_env *env, const void *arg, chart_format fmt, double w, double h,
                       const char *path, diag_list *d)
{
    return chart_group_overview(env, arg, fmt, w, h, path, d);
}

static int wr_accidents(const chart_env *env, const void *arg, chart_format fmt, double w, double h,
                        const char *path, diag_list *d)
{
    (void)arg;
    return chart_accidents(env, fmt, w, h, path, d);
}

static int wr_reserves(const chart_env *env, const void *arg, chart_format fmt, double w, double h,
                       const char *path, diag_list *d)
{
    (void)arg;
    return chart_reserves(env, fmt, w, h, path, d);
}

int chart_files_parse(const char *s, chart_files *out)
{
    static const struct {
        const char *name;
        chart_files files;
    } names[] = {{"all", CHART_FILES_ALL}, {"png+svg", CHART_FILES_ALL},
                 {"png", CHART_FILES_PNG}, {"svg", CHART_FILES_SVG},
                 {"none", CHART_FILES_NONE}};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].files;
            return 0;
        }
    return -1;
}

int charts_write_all(const chart_env *env, out_set *out, const char *subdir, chart_files files,
                     diag_list *d)
{
    if (files == CHART_FILES_NONE)
        return 0;
    if (check_env(env, subdir, d) != 0)
        return -1;
    const evaluation *ev = env->ev;
    const plan *p = ev->p;
    manifest m;
    sb_init(&m.rows);
    int n = 0, rc = 0;
    const double W = CHART_WIDTH_MM, H = CHART_HEIGHT_MM;
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        if (!chart_indicator_drawable(ir))
            continue;
        if (!safe_id(ir->ind->id)) {
            diag_add(d, DIAG_WARNING, p->path, ir->ind->line, 0,
                     "indicator id '%s' is not usable as a file name: no chart", ir->ind->id);
            continue;
        }
        kv tv[] = {{"id", ir->ind->id}, {"name", ir->ind->name ? ir->ind->name : ""}};
        char *title = expand(label(&env->tpl->text, "title", "indicator"), tv, 2);
        if (write_both(env, out, &m, subdir, files, ir->ind->id, "indicator", ir->ind->id,
                       ir->ind->group ? ir->ind->group : "", title, wr_indicator, ir, W, H, d) != 0)
            rc = -1;
        free(title);
        n++;
    }
    int ngroups = p->ngroups ? p->ngroups : 1;
    for (int g = 0; g < ngroups; g++) {
        const char *gid = p->ngroups ? p->groups[g].id : NULL;
        if (group_targets(ev, gid) == 0)
            continue;
        char *base = gid && safe_id(gid) ? xasprintf("overview-%s", gid)
                     : gid                ? xasprintf("overview-%d", g + 1)
                                          : xstrdup("overview-all");
        double h = chart_group_overview_height(env, gid, W);
        if (h <= 0)
            diag_add(d, DIAG_ERROR, base, 0, 0, "chart: the overview could not be laid out");
        kv tv[] = {{"group", gid ? p->groups[g].name : p->title}, {"part", ""}};
        char *title = expand(label(&env->tpl->text, "title", "overview"), tv, 2);
        if (h <= 0 || write_both(env, out, &m, subdir, files, base, "overview", "", gid ? gid : "", title,
                                 wr_overview, gid, W, h, d) != 0)
            rc = -1;
        free(title);
        free(base);
        n++;
    }
    if (chart_has_accidents(env)) {
        if (write_both(env, out, &m, subdir, files, "accidents", "accidents", "", "",
                       label(&env->tpl->text, "title", "accidents"), wr_accidents, NULL, W,
                       CHART_ACCIDENTS_HEIGHT_MM, d) != 0)
            rc = -1;
        n++;
    }
    if (chart_reserve_count(env) > 0) {
        double h = chart_reserves_height(env, W);
        if (h <= 0)
            diag_add(d, DIAG_ERROR, "reserves", 0, 0, "chart: the reserves could not be laid out");
        if (h <= 0 || write_both(env, out, &m, subdir, files, "reserves", "reserves", "", "",
                                 label(&env->tpl->text, "title", "reserves"), wr_reserves, NULL, W,
                                 h, d) != 0)
            rc = -1;
        n++;
    }
    char *mname = xasprintf("%s/charts.csv", subdir);
    FILE *f = outset_stream(out, mname, d);
    free(mname);
    if (f) {
        fputs("file,kind,indicator_id,group,title,format,width_mm,height_mm,dpi,width_px,"
              "height_px\n",
              f);
        if (m.rows.s)
            fputs(m.rows.s, f);
    } else {
        rc = -1;
    }
    sb_free(&m.rows);
    return rc ? -1 : n;
}

int charts_write_plan(const evaluation *ev, const eval_context *ec, const labels *lb,
                      const char *templates_dir, const forecast_set *forecasts,
                      const findings *fnd, chart_files files, double dpi, out_set *out,
                      diag_list *d)
{
    if (files == CHART_FILES_NONE)
        return 0;
    if (lazycairo_open(d) != 0)
        return -1;
    chart_templates tpl;
    char *path = xasprintf("%s/charts.yaml", templates_dir);
    int rc = chart_templates_load(&tpl, path, d);
    free(path);
    if (rc == 0) {
        chart_env env;
        memset(&env, 0, sizeof env);
        env.ev = ev;
        env.ec = ec;
        env.lb = lb;
        env.tpl = &tpl;
        env.forecasts = forecasts;
        env.findings = fnd;
        env.dpi = dpi;
        env.scratch = chart_scratch_new();
        rc = charts_write_all(&env, out, "charts", files, d);
        chart_scratch_free(env.scratch);
    }
    chart_templates_free(&tpl);
    return rc;
}

void charts_shutdown(void)
{
    if (lazycairo_loaded()) { /* not loaded for its own sake */
        cairo_debug_reset_static_data();
        FcFini(); /* Cairo's fontconfig: the PDFs' fonts free theirs (report_doc.c) */
    }
}
