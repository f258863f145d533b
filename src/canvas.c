/*
 * canvas.c - see canvas.h.
 *
 * The Cairo back end passes every call through. The libharu back end
 * writes PDF content operators itself (rdoc_raw()): the path is collected,
 * already in page coordinates, until it is filled or stroked, and the
 * graphics state (colour, line width, dash, cap, join) is written just
 * before a path is painted and only when it differs from what the page
 * already has. Cairo lets the colour change between building and painting
 * a path; PDF does not, hence the collecting.
 */
#include "canvas.h"
#include "util.h"

#include <cairo-ft.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DASH 8
#define MAX_DEPTH 32

typedef struct pstate {
    double r, g, b, a;
    double lw;
    double dash[MAX_DASH];
    int ndash;
    int cap, join;
} pstate;

/* What the PDF page has been told (valid = 0: unknown, write it). */
typedef struct pemitted {
    int fill_ok, stroke_ok, lw_ok, dash_ok, cap_ok, join_ok;
    double fr, fg, fb, sr, sg, sb;
    pstate st; /* line width, dash, cap, join as written */
} pemitted;

typedef enum { BK_CAIRO, BK_PDF } backend;

/* The trigonometry of cv_arc's last angles: a chart's markers are full
 * circles, ~9 sines and cosines and a tangent each (14,000 markers for 20
 * regions), the same every time. Values as cv_arc computes them. */
#define ARC_QUARTERS 8
typedef struct arc_trig {
    int set, n;           /* n Bezier segments */
    double a0, a1;        /* the angles asked (a1 as given) */
    double c, s;          /* cos and sin of a0 */
    double step, k;       /* each segment's angle and its control factor */
    double cs[ARC_QUARTERS][4]; /* per segment: cos, sin of its start, of its end */
} arc_trig;

struct canvas {
    backend kind;
    diag_list *d;
    char *what;
    int failed;

    /* Cairo */
    cairo_t *cr;
    cairo_font_face_t *face[2]; /* regular, bold */
    int missing_glyphs;
    char *missing_text;

    /* libharu */
    rdoc *doc;
    double ox, oy, scale, page_h;
    strbuf path;     /* operators of the path being built */
    strbuf paint;    /* pdf_paint's operators, kept between calls */
    int has_point;   /* the path has a current point */
    double sx, sy;   /* start of the current subpath (canvas units) */
    double cx, cy;   /* current point (canvas units) */
    pstate st;
    pemitted em;
    int depth;
    arc_trig arc;
    /* last: not cleared by cv_alloc (9 KB; an entry is written by
     * cv_save before cv_restore reads it) */
    pstate st_stack[MAX_DEPTH];
    pemitted em_stack[MAX_DEPTH];
};

/* ---------- creation ---------- */

static canvas *cv_alloc(backend kind)
{
    /* everything but the save stacks cleared: clearing those too cost
     * 11,000 instructions a chart */
    canvas *cv = xmalloc(sizeof *cv);
    memset(cv, 0, offsetof(canvas, st_stack));
    cv->kind = kind;
    cv->st.a = 1;
    cv->st.lw = 2; /* Cairo's default */
    cv->st.join = CV_JOIN_MITER;
    sb_init(&cv->path);
    sb_init(&cv->paint);
    return cv;
}

canvas *canvas_cairo_new(cairo_t *cr, const char *family, const char *what, diag_list *d)
{
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: cairo: %s",
                 cairo_status_to_string(cairo_status(cr)));
        return NULL;
    }
    canvas *cv = cv_alloc(BK_CAIRO);
    cv->cr = cr;
    cv->d = d;
    cv->what = xstrdup(what ? what : "chart");
    cairo_save(cr);
    cv->face[0] = cairo_toy_font_face_create(family, CAIRO_FONT_SLANT_NORMAL,
                                             CAIRO_FONT_WEIGHT_NORMAL);
    cv->face[1] = cairo_toy_font_face_create(family, CAIRO_FONT_SLANT_NORMAL,
                                             CAIRO_FONT_WEIGHT_BOLD);
    for (int i = 0; i < 2; i++)
        if (cairo_font_face_status(cv->face[i]) != CAIRO_STATUS_SUCCESS) {
            diag_add(d, DIAG_ERROR, what, 0, 0, "chart: font '%s': %s", family,
                     cairo_status_to_string(cairo_font_face_status(cv->face[i])));
            goto fail;
        }
    /* Unhinted outlines and metrics: text lays out the same at every size and
     * in both formats. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_status_t fst = cairo_font_options_status(fo);
    if (fst == CAIRO_STATUS_SUCCESS)
        cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
    if (fst != CAIRO_STATUS_SUCCESS) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: font options: %s",
                 cairo_status_to_string(fst));
        goto fail;
    }
    /* Make sure fontconfig found the family itself, not a fallback without CJK. */
    cairo_set_font_face(cr, cv->face[0]);
    cairo_set_font_size(cr, 10);
    cairo_scaled_font_t *sf = cairo_get_scaled_font(cr);
    cairo_status_t sst = cairo_scaled_font_status(sf);
    if (sst != CAIRO_STATUS_SUCCESS) {
        diag_add(d, DIAG_ERROR, what, 0, 0, "chart: font '%s': %s", family,
                 cairo_status_to_string(sst));
        goto fail;
    }
    if (cairo_scaled_font_get_type(sf) == CAIRO_FONT_TYPE_FT) {
        FT_Face face = cairo_ft_scaled_font_lock_face(sf);
        int ok = face && face->family_name && strcasecmp(face->family_name, family) == 0;
        char *got = xstrdup(face && face->family_name ? face->family_name : "(none)");
        cairo_ft_scaled_font_unlock_face(sf);
        if (!ok) {
            diag_add(d, DIAG_ERROR, what, 0, 0,
                     "chart: fontconfig has no font family '%s' (it offers '%s'); install "
                     "fonts-wqy-microhei or set font: family: in charts.yaml",
                     family, got);
            free(got);
            goto fail;
        }
        free(got);
    }
    return cv;
fail:
    cv->failed = 0; /* already reported */
    canvas_free(cv, NULL);
    return NULL;
}

canvas *canvas_pdf_new(rdoc *doc, double x, double y_top, double scale)
{
    canvas *cv = cv_alloc(BK_PDF);
    cv->doc = doc;
    cv->ox = x;
    cv->oy = y_top;
    cv->scale = scale > 0 ? scale : 1;
    cv->page_h = rdoc_page_height(doc);
    rdoc_raw(doc, "q\n");
    return cv;
}

int canvas_free(canvas *cv, diag_list *d)
{
    if (!cv)
        return 0;
    int rc = 0;
    if (cv->kind == BK_CAIRO) {
        cairo_restore(cv->cr);
        for (int i = 0; i < 2; i++)
            if (cv->face[i])
                cairo_font_face_destroy(cv->face[i]);
        cairo_status_t st = cairo_status(cv->cr);
        if (st != CAIRO_STATUS_SUCCESS) {
            if (d)
                diag_add(d, DIAG_ERROR, cv->what, 0, 0, "chart: cairo: %s",
                         cairo_status_to_string(st));
            rc = -1;
        } else if (cv->failed) {
            if (d)
                diag_add(d, DIAG_ERROR, cv->what, 0, 0, "chart: text could not be laid out");
            rc = -1;
        }
        if (cv->missing_glyphs && d)
            diag_add(d, DIAG_WARNING, cv->what, 0, 0,
                     "chart: %d character%s without a glyph in the font, e.g. in \"%s\"",
                     cv->missing_glyphs, cv->missing_glyphs == 1 ? "" : "s",
                     cv->missing_text);
    } else {
        while (cv->depth > 0)
            cv_restore(cv);
        rdoc_raw(cv->doc, "Q\n");
        rc = rdoc_failed(cv->doc) ? -1 : 0; /* the error is the document's */
        if (cv->failed) {
            if (d)
                diag_add(d, DIAG_ERROR, NULL, 0, 0, "chart: canvas states nested too deep");
            rc = -1;
        }
    }
    free(cv->missing_text);
    free(cv->what);
    sb_free(&cv->path);
    sb_free(&cv->paint);
    free(cv);
    return rc;
}

/* ---------- PDF helpers ---------- */

/* A number for a content stream and its separating space: 3 decimals, no
 * trailing zeros (format_milli; snprintf() was a tenth of the time of a
 * report). Written in place when the buffer has room for the longest
 * (25 bytes and the NUL), else through sb_addn: 159,000 numbers in the
 * 5-region run. */
static void num(strbuf *b, double v)
{
    char t[40], *s = b->cap - b->len >= sizeof t ? b->s + b->len : t;
    char *e = format_milli(s, v);
    *e++ = ' ';
    if (s == t) {
        sb_addn(b, s, (size_t)(e - s));
        return;
    }
    b->len += (size_t)(e - s);
    b->s[b->len] = '\0';
}

/* An operator's n bytes at the end of b: in place when there is room
 * (50,000 path and state operators in the 5-region run; sb_add measured
 * and copied each through two calls) */
static inline void put_op(strbuf *b, const char *s, size_t n)
{
    if (b->cap - b->len > n) {
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
        return;
    }
    sb_addn(b, s, n);
}
#define PUT_OP(b, lit) put_op((b), (lit), sizeof(lit) - 1)

static double px(const canvas *cv, double x) { return cv->ox + x * cv->scale; }
static double py(const canvas *cv, double y) { return cv->page_h - (cv->oy + y * cv->scale); }

static void point(canvas *cv, double x, double y)
{
    num(&cv->path, px(cv, x));
    num(&cv->path, py(cv, y));
}

/* "v op\n" for a cap or join style (one digit: not through printf) */
static void op_int(strbuf *b, int v, char op)
{
    if (v < 0 || v > 9) {
        sb_printf(b, "%d %c\n", v, op);
        return;
    }
    const char t[4] = {(char)('0' + v), ' ', op, '\n'};
    sb_addn(b, t, sizeof t);
}

/* Write the state a stroke (or a fill) needs that the page does not have. */
static void emit_state(canvas *cv, strbuf *b, int stroke)
{
    pstate *s = &cv->st;
    pemitted *e = &cv->em;
    if (!stroke) {
        if (!e->fill_ok || e->fr != s->r || e->fg != s->g || e->fb != s->b) {
            num(b, s->r);
            num(b, s->g);
            num(b, s->b);
            PUT_OP(b, "rg\n");
            e->fill_ok = 1;
            e->fr = s->r, e->fg = s->g, e->fb = s->b;
        }
        return;
    }
    if (!e->stroke_ok || e->sr != s->r || e->sg != s->g || e->sb != s->b) {
        num(b, s->r);
        num(b, s->g);
        num(b, s->b);
        PUT_OP(b, "RG\n");
        e->stroke_ok = 1;
        e->sr = s->r, e->sg = s->g, e->sb = s->b;
    }
    if (!e->lw_ok || e->st.lw != s->lw) {
        num(b, s->lw * cv->scale);
        PUT_OP(b, "w\n");
        e->lw_ok = 1;
        e->st.lw = s->lw;
    }
    if (!e->cap_ok || e->st.cap != s->cap) {
        op_int(b, s->cap, 'J');
        e->cap_ok = 1;
        e->st.cap = s->cap;
    }
    if (!e->join_ok || e->st.join != s->join) {
        op_int(b, s->join, 'j');
        e->join_ok = 1;
        e->st.join = s->join;
    }
    int same = e->dash_ok && e->st.ndash == s->ndash;
    for (int i = 0; same && i < s->ndash; i++)
        same = e->st.dash[i] == s->dash[i];
    if (!same) {
        sb_addc(b, '[');
        for (int i = 0; i < s->ndash; i++)
            num(b, s->dash[i] * cv->scale);
        PUT_OP(b, "] 0 d\n");
        e->dash_ok = 1;
        e->st.ndash = s->ndash;
        memcpy(e->st.dash, s->dash, sizeof s->dash);
    }
}

/* Paint the collected path with op ("f", "S"); keep it if keep. */
static void pdf_paint(canvas *cv, int stroke, int keep)
{
    if (cv->path.len && !rdoc_dry(cv->doc)) {
        /* built in a buffer kept in cv: one allocation a chart, not a path */
        strbuf *b = &cv->paint;
        b->len = 0;
        if (cv->st.a < 1) {
            /* opacity through an ExtGState, for this path only */
            rdoc_raw(cv->doc, "q\n");
            rdoc_alpha(cv->doc, cv->st.a);
            pemitted saved = cv->em;
            emit_state(cv, b, stroke);
            sb_addn(b, cv->path.s, cv->path.len);
            if (stroke)
                PUT_OP(b, "S\nQ\n");
            else
                PUT_OP(b, "f\nQ\n");
            cv->em = saved;
        } else {
            emit_state(cv, b, stroke);
            sb_addn(b, cv->path.s, cv->path.len);
            if (stroke)
                PUT_OP(b, "S\n");
            else
                PUT_OP(b, "f\n");
        }
        rdoc_raw(cv->doc, b->s);
    }
    if (!keep) {
        cv->path.len = 0;
        if (cv->path.s)
            cv->path.s[0] = '\0';
        cv->has_point = 0;
    }
}

/* ---------- state ---------- */

void cv_save(canvas *cv)
{
    if (cv->kind == BK_CAIRO) {
        cairo_save(cv->cr);
        return;
    }
    if (cv->depth >= MAX_DEPTH) {
        cv->failed = 1;
        return;
    }
    cv->st_stack[cv->depth] = cv->st;
    cv->em_stack[cv->depth] = cv->em;
    cv->depth++;
    rdoc_raw(cv->doc, "q\n");
}

void cv_restore(canvas *cv)
{
    if (cv->kind == BK_CAIRO) {
        cairo_restore(cv->cr);
        return;
    }
    if (cv->depth <= 0)
        return;
    cv->depth--;
    cv->st = cv->st_stack[cv->depth];
    cv->em = cv->em_stack[cv->depth];
    rdoc_raw(cv->doc, "Q\n");
}

void cv_set_rgba(canvas *cv, double r, double g, double b, double a)
{
    if (cv->kind == BK_CAIRO) {
        cairo_set_source_rgba(cv->cr, r, g, b, a);
        return;
    }
    cv->st.r = r, cv->st.g = g, cv->st.b = b, cv->st.a = a;
}

void cv_set_rgb(canvas *cv, double r, double g, double b)
{
    if (cv->kind == BK_CAIRO)
        cairo_set_source_rgb(cv->cr, r, g, b);
    else
        cv_set_rgba(cv, r, g, b, 1);
}

void cv_set_line_width(canvas *cv, double w)
{
    if (cv->kind == BK_CAIRO)
        cairo_set_line_width(cv->cr, w);
    else
        cv->st.lw = w;
}

void cv_set_dash(canvas *cv, const double *dash, int n)
{
    if (n < 0 || n > MAX_DASH)
        n = 0;
    if (cv->kind == BK_CAIRO) {
        cairo_set_dash(cv->cr, n ? dash : NULL, n, 0);
        return;
    }
    cv->st.ndash = n;
    for (int i = 0; i < n; i++)
        cv->st.dash[i] = dash[i];
}

void cv_set_line_cap(canvas *cv, cv_cap cap)
{
    if (cv->kind == BK_CAIRO)
        cairo_set_line_cap(cv->cr, cap == CV_CAP_ROUND    ? CAIRO_LINE_CAP_ROUND
                                   : cap == CV_CAP_SQUARE ? CAIRO_LINE_CAP_SQUARE
                                                          : CAIRO_LINE_CAP_BUTT);
    else
        cv->st.cap = (int)cap; /* PDF: 0 butt, 1 round, 2 square */
}

void cv_set_line_join(canvas *cv, cv_join join)
{
    if (cv->kind == BK_CAIRO)
        cairo_set_line_join(cv->cr, join == CV_JOIN_ROUND   ? CAIRO_LINE_JOIN_ROUND
                                    : join == CV_JOIN_BEVEL ? CAIRO_LINE_JOIN_BEVEL
                                                            : CAIRO_LINE_JOIN_MITER);
    else
        cv->st.join = (int)join; /* PDF: 0 miter, 1 round, 2 bevel */
}

void cv_clip_rect(canvas *cv, double x, double y, double w, double h)
{
    if (cv->kind == BK_CAIRO) {
        cairo_new_path(cv->cr);
        cairo_rectangle(cv->cr, x, y, w, h);
        cairo_clip(cv->cr);
        return;
    }
    strbuf b;
    sb_init(&b);
    num(&b, px(cv, x));
    num(&b, py(cv, y + h));
    num(&b, w * cv->scale);
    num(&b, h * cv->scale);
    sb_add(&b, "re W n\n");
    rdoc_raw(cv->doc, b.s);
    sb_free(&b);
    cv->path.len = 0;
    if (cv->path.s)
        cv->path.s[0] = '\0';
    cv->has_point = 0;
}

/* ---------- paths ---------- */

void cv_new_path(canvas *cv)
{
    if (cv->kind == BK_CAIRO) {
        cairo_new_path(cv->cr);
        return;
    }
    cv->path.len = 0;
    if (cv->path.s)
        cv->path.s[0] = '\0';
    cv->has_point = 0;
}

void cv_move_to(canvas *cv, double x, double y)
{
    if (cv->kind == BK_CAIRO) {
        cairo_move_to(cv->cr, x, y);
        return;
    }
    point(cv, x, y);
    PUT_OP(&cv->path, "m\n");
    cv->has_point = 1;
    cv->sx = cv->cx = x;
    cv->sy = cv->cy = y;
}

void cv_line_to(canvas *cv, double x, double y)
{
    if (cv->kind == BK_CAIRO) {
        cairo_line_to(cv->cr, x, y);
        return;
    }
    if (!cv->has_point) { /* as Cairo: a line_to without a point is a move_to */
        cv_move_to(cv, x, y);
        return;
    }
    point(cv, x, y);
    PUT_OP(&cv->path, "l\n");
    cv->cx = x;
    cv->cy = y;
}

void cv_rectangle(canvas *cv, double x, double y, double w, double h)
{
    if (cv->kind == BK_CAIRO) {
        cairo_rectangle(cv->cr, x, y, w, h);
        return;
    }
    /* as a closed subpath in Cairo's direction, so fills combine the same way */
    cv_move_to(cv, x, y);
    cv_line_to(cv, x + w, y);
    cv_line_to(cv, x + w, y + h);
    cv_line_to(cv, x, y + h);
    cv_close_path(cv);
}

void cv_arc(canvas *cv, double x, double y, double r, double a0, double a1)
{
    if (cv->kind == BK_CAIRO) {
        cairo_arc(cv->cr, x, y, r, a0, a1);
        return;
    }
    arc_trig *t = &cv->arc;
    if (!t->set || t->a0 != a0 || t->a1 != a1) {
        t->set = 0;
        t->a0 = a0;
        t->a1 = a1;
        while (a1 < a0)
            a1 += 2 * M_PI;
        t->c = cos(a0);
        t->s = sin(a0);
        /* Bezier segments of at most a quarter turn */
        int n = (int)ceil((a1 - a0) / (M_PI / 2) - 1e-9);
        if (n < 1)
            n = 1;
        t->n = n;
        t->step = (a1 - a0) / n;
        t->k = 4.0 / 3.0 * tan(t->step / 4);
        for (int i = 0; i < n && n <= ARC_QUARTERS; i++) {
            double t0 = a0 + i * t->step, t1 = t0 + t->step;
            t->cs[i][0] = cos(t0);
            t->cs[i][1] = sin(t0);
            t->cs[i][2] = cos(t1);
            t->cs[i][3] = sin(t1);
        }
        t->set = n <= ARC_QUARTERS; /* more turns than that: not kept */
    }
    double sx = x + r * t->c, sy = y + r * t->s;
    if (cv->has_point)
        cv_line_to(cv, sx, sy);
    else
        cv_move_to(cv, sx, sy);
    double k = t->k;
    for (int i = 0; i < t->n; i++) {
        double c0, s0, c1, s1;
        if (t->set) {
            c0 = t->cs[i][0];
            s0 = t->cs[i][1];
            c1 = t->cs[i][2];
            s1 = t->cs[i][3];
        } else {
            double t0 = a0 + i * t->step, t1 = t0 + t->step;
            c0 = cos(t0);
            s0 = sin(t0);
            c1 = cos(t1);
            s1 = sin(t1);
        }
        point(cv, x + r * (c0 - k * s0), y + r * (s0 + k * c0));
        point(cv, x + r * (c1 + k * s1), y + r * (s1 - k * c1));
        point(cv, x + r * c1, y + r * s1);
        PUT_OP(&cv->path, "c\n");
        cv->cx = x + r * c1;
        cv->cy = y + r * s1;
    }
}

void cv_close_path(canvas *cv)
{
    if (cv->kind == BK_CAIRO) {
        cairo_close_path(cv->cr);
        return;
    }
    if (!cv->has_point)
        return;
    PUT_OP(&cv->path, "h\n");
    cv->cx = cv->sx;
    cv->cy = cv->sy;
}

void cv_fill(canvas *cv)
{
    if (cv->kind == BK_CAIRO)
        cairo_fill(cv->cr);
    else
        pdf_paint(cv, 0, 0);
}

void cv_fill_preserve(canvas *cv)
{
    if (cv->kind == BK_CAIRO)
        cairo_fill_preserve(cv->cr);
    else
        pdf_paint(cv, 0, 1);
}

void cv_stroke(canvas *cv)
{
    if (cv->kind == BK_CAIRO)
        cairo_stroke(cv->cr);
    else
        pdf_paint(cv, 1, 0);
}

/* ---------- text ---------- */

static void use_font(canvas *cv, double size, int bold)
{
    cairo_set_font_face(cv->cr, cv->face[bold ? 1 : 0]);
    cairo_set_font_size(cv->cr, size);
}

/* Synthetic bold in the PDF: the outline stroked this fraction of the size
 * wide, about what Cairo/FreeType add to a face without a bold weight. */
#define PDF_BOLD_STROKE 0.035

double cv_text_width(canvas *cv, const char *s, double size, int bold)
{
    if (!s || !*s)
        return 0;
    if (cv->kind == BK_PDF) {
        double w = rdoc_text_width(cv->doc, s, RF_HEAD, size * cv->scale) / cv->scale;
        return bold ? w + size * PDF_BOLD_STROKE : w;
    }
    use_font(cv, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cv->cr, s, &e);
    return e.x_advance;
}

double cv_text(canvas *cv, const char *s, double x, double y, double size, int bold,
               cv_align align)
{
    if (!s || !*s)
        return 0;
    double w = cv_text_width(cv, s, size, bold);
    if (align == CV_CENTER)
        x -= w / 2;
    else if (align == CV_RIGHT)
        x -= w;
    if (cv->kind == BK_PDF) {
        if (rdoc_dry(cv->doc))
            return w;
        rcolor c = {cv->st.r, cv->st.g, cv->st.b};
        double yb = rdoc_page_height(cv->doc) - py(cv, y); /* from the page top */
        if (bold)
            rdoc_text_bold(cv->doc, s, RF_HEAD, size * cv->scale, c, px(cv, x), yb, RA_LEFT,
                           size * cv->scale * PDF_BOLD_STROKE);
        else
            rdoc_text_at(cv->doc, s, RF_HEAD, size * cv->scale, c, px(cv, x), yb, RA_LEFT);
        cv->em.fill_ok = 0; /* the text set the page's fill colour */
        return w;
    }
    cairo_scaled_font_t *sf = cairo_get_scaled_font(cv->cr);
    cairo_glyph_t *glyphs = NULL;
    int n = 0;
    if (cairo_scaled_font_text_to_glyphs(sf, x, y, s, -1, &glyphs, &n, NULL, NULL, NULL) !=
        CAIRO_STATUS_SUCCESS) {
        cv->failed = 1;
        return w;
    }
    int missing = 0;
    for (int i = 0; i < n; i++)
        if (glyphs[i].index == 0)
            missing++;
    if (missing) {
        cv->missing_glyphs += missing;
        if (!cv->missing_text)
            cv->missing_text = xstrdup(s);
    }
    cairo_show_glyphs(cv->cr, glyphs, n);
    cairo_glyph_free(glyphs);
    return w;
}
