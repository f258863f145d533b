/*
 * canvas.h - a small drawing surface for the charts, with two back ends:
 *
 *   Cairo    any cairo_t (the PNG and SVG chart files); text in a fontconfig
 *            family, checked to be that family, glyphs checked.
 *   libharu  the current page of a report_doc (the PDF reports): vector
 *            paths and text in the report's embedded CJK faces, with its
 *            font fallback (report_doc.h).
 *
 * Coordinates are points (1/72 inch), y down from the top left of the
 * drawing, as in Cairo. The model is Cairo's: build a path (move_to,
 * line_to, rectangle, arc, close_path), then fill or stroke it with the
 * current colour, line width, dash, cap and join; save/restore keep that
 * state (and the clip) on a stack. Text is drawn in one go at a baseline,
 * in the current colour (without alpha).
 *
 * Errors: a Cairo error is sticky in its context and is reported by
 * canvas_free(); a libharu error is the report_doc's (rdoc_failed()).
 */
#ifndef PLANEVAL_CANVAS_H
#define PLANEVAL_CANVAS_H

#include <cairo.h>

#include "diag.h"
#include "report_doc.h"

typedef struct canvas canvas;

typedef enum cv_cap { CV_CAP_BUTT, CV_CAP_ROUND, CV_CAP_SQUARE } cv_cap;
typedef enum cv_join { CV_JOIN_MITER, CV_JOIN_ROUND, CV_JOIN_BEVEL } cv_join;
typedef enum cv_align { CV_LEFT, CV_CENTER, CV_RIGHT } cv_align;

/*
 * A canvas drawing onto cr (in cr's user space, one unit = one point) with
 * text in fontconfig family `family`, regular and bold. what names the
 * drawing in messages. Returns NULL with an error in d when the family is
 * not installed (fontconfig would substitute a face without CJK glyphs) or
 * Cairo fails. cr's state is saved here and restored by canvas_free().
 */
canvas *canvas_cairo_new(cairo_t *cr, const char *family, const char *what, diag_list *d);

/*
 * A canvas drawing onto the current page of doc, its origin at (x, y_top)
 * in page points from the top left, every length multiplied by scale. Text
 * is set in the report's heading (Hei) face; bold is the same face filled
 * and stroked. In a dry pass of doc nothing is drawn, text is measured.
 */
canvas *canvas_pdf_new(rdoc *doc, double x, double y_top, double scale);

/*
 * Release the canvas. Returns 0, or -1 with an error in d (Cairo's sticky
 * status, a string that could not be laid out, a failed libharu call).
 * Characters without a glyph are reported as one warning in d.
 */
int canvas_free(canvas *cv, diag_list *d);

/* ---------- state ---------- */

void cv_save(canvas *cv);
void cv_restore(canvas *cv);
void cv_set_rgb(canvas *cv, double r, double g, double b);
void cv_set_rgba(canvas *cv, double r, double g, double b, double a);
void cv_set_line_width(canvas *cv, double w);
/* Dash lengths (on, off, ...); n = 0 for a solid line. */
void cv_set_dash(canvas *cv, const double *dash, int n);
void cv_set_line_cap(canvas *cv, cv_cap cap);
void cv_set_line_join(canvas *cv, cv_join join);
/* Intersect the clip with a rectangle (until cv_restore()); clears the path. */
void cv_clip_rect(canvas *cv, double x, double y, double w, double h);

/* ---------- paths ---------- */

void cv_new_path(canvas *cv);
void cv_move_to(canvas *cv, double x, double y);
void cv_line_to(canvas *cv, double x, double y);
void cv_rectangle(canvas *cv, double x, double y, double w, double h);
/* Arc of centre (x, y) from angle a0 to a1 (radians, clockwise on the page
 * since y points down), joined by a line to the current point if any. */
void cv_arc(canvas *cv, double x, double y, double r, double a0, double a1);
void cv_close_path(canvas *cv);
void cv_fill(canvas *cv);
void cv_fill_preserve(canvas *cv);
void cv_stroke(canvas *cv);

/* ---------- text ---------- */

/* Advance width of UTF-8 s at size points. */
double cv_text_width(canvas *cv, const char *s, double size, int bold);
/* Draw s with its baseline at y, aligned on x; returns its width. */
double cv_text(canvas *cv, const char *s, double x, double y, double size, int bold,
               cv_align align);

#endif
