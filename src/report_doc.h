/*
 * report_doc.h - page layout for the PDF reports on libharu: A4 pages with
 * a header and a footer, flowing paragraphs and headings, tables whose
 * cells wrap and whose header repeats on every page, images, a table of
 * contents with page numbers, and PDF bookmarks.
 *
 * Fonts: two embedded TrueType CJK faces, a Song/Ming face for body text
 * and a Hei face for headings, found with fontconfig (FcFontMatch) or at
 * their Debian paths. Every code point is checked against the chosen
 * face; a character the face lacks is set in the other face, and one that
 * neither has is replaced by a box and reported.
 *
 * Two passes: a document is built by calling the same drawing code twice
 * (or more). A dry pass only measures: it counts the pages and records on
 * which page each heading falls. The real pass draws, and knows the total
 * page count (第X页 共Y页) and the page of every table-of-contents entry.
 */
#ifndef PLANEVAL_REPORT_DOC_H
#define PLANEVAL_REPORT_DOC_H

#include <stdint.h>

#include "diag.h"

/* ---------- fonts ---------- */

typedef enum rfont { RF_BODY, RF_HEAD } rfont;

typedef struct rfonts rfonts;

/*
 * Find the body and heading faces, each by its file (a name starting with
 * '/': face 0 of that .ttf/.ttc) or by family name (fontconfig, falling
 * back to the Debian files), and parse them once for every document made
 * with them. Returns 0, or -1 with an error naming the package to install
 * or the file that cannot be read.
 */
int rfonts_open(rfonts **out, const char *body_family, const char *head_family, diag_list *d);
void rfonts_free(rfonts *f);
/* File and face index in use, for messages. */
const char *rfonts_file(const rfonts *f, rfont which, int *index);
/* The glyph of BMP code cp in a face (0: none), as libharu's cmap look-up finds it. */
unsigned rfonts_glyph(const rfonts *f, rfont which, uint32_t cp);
/* 1 if a face has a glyph for code cp (the fallback between faces asks). */
int rfonts_covers(const rfonts *f, rfont which, uint32_t cp);

/*
 * The fonts of a pair of families kept for many documents, e.g. the plans
 * of one worker: found and parsed on first use, again only when the
 * families change. rfonts_cached() returns them (owned by the cache), or
 * NULL with rfonts_open()'s error.
 */
typedef struct rfonts_cache rfonts_cache;
rfonts_cache *rfonts_cache_new(void);
void rfonts_cache_free(rfonts_cache *c);
const rfonts *rfonts_cached(rfonts_cache *c, const char *body_family, const char *head_family,
                            diag_list *d);
/* The fonts c holds, or NULL (none opened yet, or the last failed). */
const rfonts *rfonts_cache_held(const rfonts_cache *c);

/* ---------- document ---------- */

typedef struct rdoc rdoc;

typedef enum ralign { RA_LEFT, RA_CENTER, RA_RIGHT, RA_JUSTIFY } ralign;

typedef struct rcolor {
    double r, g, b;
} rcolor;

typedef struct rstyle {
    rfont font;
    double size;         /* points */
    double leading;      /* line height, points */
    ralign align;
    double indent_first; /* extra indent of the first line */
    double indent_left;  /* left indent of every line */
    rcolor color;
} rstyle;

typedef struct rdoc_info {
    const char *title, *subject, *author, *creator, *keywords;
    int year, month, day, hour, minute, second; /* creation and modification date, UTC */
    int outline_open;                           /* open the bookmarks panel */
} rdoc_info;

/* Called on each new page of the real pass to draw its header and footer. */
typedef void (*rdoc_decorate_fn)(void *ctx, rdoc *d, int page, int pages);

rdoc *rdoc_new(const rfonts *fonts, const rdoc_info *info, diag_list *d);
/* Free; nothing is written. */
void rdoc_free(rdoc *d);
void rdoc_set_decorate(rdoc *d, rdoc_decorate_fn fn, void *ctx);

/* Start a pass; dry passes only measure. */
void rdoc_begin_pass(rdoc *d, int dry);
/* End a pass; returns the number of pages it made. */
int rdoc_end_pass(rdoc *d);
/* Write the document (after a real pass). 0, or -1 with an error in d. */
int rdoc_save(rdoc *d, const char *path);
/* 1 once a libharu call has failed (the error is in d). */
int rdoc_failed(const rdoc *d);

/* Geometry: A4 portrait, points. Content box [left, right] x [top, bottom],
 * y measured down from the top of the page. */
double rdoc_page_width(const rdoc *d);
double rdoc_page_height(const rdoc *d);
double rdoc_left(const rdoc *d);
double rdoc_right(const rdoc *d);
double rdoc_content_width(const rdoc *d);
int rdoc_page(const rdoc *d);       /* current page, 1-based; 0 before the first */
int rdoc_dry(const rdoc *d);        /* 1 in a dry (measuring) pass */
double rdoc_y(const rdoc *d);        /* cursor */
double rdoc_remaining(const rdoc *d); /* from the cursor to the bottom of the content box */

void rdoc_new_page(rdoc *d);
/* New page unless h points are left. */
void rdoc_ensure(rdoc *d, double h);
void rdoc_space(rdoc *d, double h);
/* Start the first page if none. */
void rdoc_start(rdoc *d);

/* ---------- text ---------- */

/* Width of text set in style st (one line, no breaking). */
double rdoc_text_width(rdoc *d, const char *text, rfont font, double size);
/* Height text takes when broken to width in style st. */
double rdoc_text_height(rdoc *d, const char *text, const rstyle *st, double width);
/* Draw text broken to [x, x + width] from y_top (no page breaks); returns its height. */
double rdoc_text_box(rdoc *d, const char *text, const rstyle *st, double x, double y_top,
                     double width);
/* One line at baseline (x, y) in the given font (no breaking); for headers and labels. */
void rdoc_text_at(rdoc *d, const char *text, rfont font, double size, rcolor c, double x,
                  double y_baseline, ralign align);

/* text cut to fit max_width, with an ellipsis when cut (allocated). */
char *rdoc_text_fit(rdoc *d, const char *text, rfont font, double size, double max_width);

/* A paragraph in the flow, across pages if needed. */
void rdoc_para(rdoc *d, const char *text, const rstyle *st);
/*
 * A heading in the flow: kept with the next keep points (new page if they do
 * not fit). level 1..3 adds a bookmark and a table-of-contents entry when
 * toc is set; level 0 none.
 */
void rdoc_heading(rdoc *d, const char *text, const rstyle *st, int level, int toc, double keep);

/* Table of contents: the headings of the previous pass, with their pages.
 * The entries link to their pages. */
void rdoc_toc(rdoc *d, const rstyle *st, double level_indent);
/* rdoc_toc() and a new page: what follows it is laid out as it would be
 * were it alone, so that rdoc_toc_settle() can do without a pass. */
void rdoc_toc_page(rdoc *d, const rstyle *st, double level_indent);
/*
 * After a dry pass (rdoc_end_pass): make the document as the next dry pass
 * would leave it, without that pass, when its contents (at most one, made
 * by rdoc_toc_page(), not rdoc_toc()) are the only thing that changes from
 * a pass to the next. Returns the pages of that pass, or -1 when it cannot
 * (the pass must then be run).
 */
int rdoc_toc_settle(rdoc *d);

/*
 * Where a dry pass is (page, cursor, the contents' headings so far), to go
 * back to in a later dry pass whose text up to here is the same: what
 * follows is then laid out as a whole pass would, for less. Only between
 * elements of the flow, never within a table.
 */
typedef struct rdoc_mark rdoc_mark;
rdoc_mark *rdoc_mark_take(const rdoc *d);
/* In a dry pass (after rdoc_begin_pass): the document as it was at m. */
void rdoc_mark_resume(rdoc *d, const rdoc_mark *m);
void rdoc_mark_free(rdoc_mark *m);
/* Number of toc entries recorded by the previous pass. */
int rdoc_toc_entries(const rdoc *d);

/* ---------- drawing ---------- */

void rdoc_rect(rdoc *d, double x, double y_top, double w, double h, double line_width,
               const rcolor *stroke, const rcolor *fill);
void rdoc_hline(rdoc *d, double x0, double x1, double y, double line_width, rcolor c);
/* A dashed box with a centred message, where a picture would go. */
void rdoc_placeholder(rdoc *d, double x, double y_top, double w, double h, const char *text);
/* PNG size in pixels from its header; 0 or -1. */
int rdoc_png_size(const char *path, int *w, int *h);
/* Draw a PNG scaled into w x h. 0, or -1 (reported) if it cannot be read. */
int rdoc_image(rdoc *d, const char *path, double x, double y_top, double w, double h);

/* ---------- tables ---------- */

typedef struct rcell {
    const char *text;
    int head;        /* heading font */
    ralign align;
    int has_color;
    rcolor color;    /* text colour */
    int has_fill;
    rcolor fill;     /* background */
} rcell;

/* ---------- the house style every report shares ---------- */

/* A style of font f, size and leading in points, alignment a, in black. */
rstyle rdoc_style(rfont f, double size, double leading, ralign a);

#define RST_BODY rdoc_style(RF_BODY, 10.5, 17, RA_JUSTIFY)
#define RST_SMALL rdoc_style(RF_BODY, 9, 13.5, RA_LEFT)
#define RST_CELL rdoc_style(RF_BODY, 7.5, 10, RA_LEFT)
#define RST_CELL_HEAD rdoc_style(RF_HEAD, 7.5, 10, RA_CENTER)
#define RST_H1 rdoc_style(RF_HEAD, 14, 22, RA_LEFT)
#define RST_H2 rdoc_style(RF_HEAD, 12, 19, RA_LEFT)
#define RST_H3 rdoc_style(RF_HEAD, 10.5, 17, RA_LEFT)
#define RST_CAPTION rdoc_style(RF_HEAD, 9, 14, RA_CENTER)

/*
 * The running heads of a page, in grey: left and right above a rule at the
 * top (left cut short with an ellipsis if both do not fit), foot centred at
 * the bottom. For a decorate callback.
 */
void rdoc_running_heads(rdoc *d, const char *left, const char *right, const char *foot);

/* A plain table cell of text, aligned a (table headings: rdoc_table_begin()). */
rcell rdoc_cell(const char *text, ralign a);

typedef struct rtable rtable;

/*
 * Begin a table of ncols columns of the given widths (points) at the left
 * of the content box. heads (ncols texts, may be NULL) become heading cells
 * (rdoc_head_cell()) repeated on every page the table reaches. st is the
 * body style (size, leading), head_st that of the headings.
 */
rtable *rdoc_table_begin(rdoc *d, int ncols, const double *widths, const char *const *heads,
                         const rstyle *st, const rstyle *head_st);
void rdoc_table_row(rtable *t, const rcell *cells);
void rdoc_table_end(rtable *t);
/* Natural (unbroken) width of a cell's text plus padding. */
double rdoc_cell_width(rdoc *d, const char *text, const rstyle *st);

/* ---------- lines and markers ---------- */

/* A line through n points (y down from the top), solid or dashed. */
void rdoc_polyline(rdoc *d, const double *xs, const double *ys, int n, double line_width,
                   rcolor c, int dashed);
void rdoc_line(rdoc *d, double x0, double y0, double x1, double y1, double line_width,
               rcolor c, int dashed);
/* A filled circle centred at (x, y). */
void rdoc_marker(rdoc *d, double x, double y, double radius, rcolor c);

/* ---------- raw drawing (for canvas.h) ---------- */

/* rdoc_text_at() with the glyph outlines also stroked embolden points wide
 * (a bold look from a face without a bold weight). */
void rdoc_text_bold(rdoc *d, const char *text, rfont font, double size, rcolor c, double x,
                    double y_baseline, ralign align, double embolden);
/* Append PDF content operators (page coordinates, y up) to the current
 * page, outside any text or path object; nothing in a dry pass. */
void rdoc_raw(rdoc *d, const char *ops);
/* Set the fill and stroke opacity of the current page's graphics state
 * (0..1, in hundredths): an ExtGState, one per value and document. */
void rdoc_alpha(rdoc *d, double alpha);

#endif
