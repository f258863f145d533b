/*
 * charts.h - the charts of an evaluation, drawn with Cairo: one trend chart
 * per quantitative indicator, a status matrix per group (domain), accidents
 * by grade and sector, and reserve coverage against the norm.
 *
 * Every chart is written as PNG (300 dpi by default) or SVG (vector), or
 * drawn onto a caller's canvas (canvas.h: a cairo_t, or a page of a PDF
 * report, as vector graphics). All wording comes from templates/charts.yaml
 * and templates/labels.yaml; the font is found through fontconfig
 * (templates/charts.yaml `font: family:`, by default "WenQuanYi Micro Hei").
 * Status is always shown by a shape and a word as well as a colour, and the
 * palette (Okabe-Ito, with distinct lightness) survives greyscale printing.
 *
 * Sizes are print sizes in millimetres. Every text is at least 8 pt at that
 * size, so a chart printed smaller than intended gets smaller text: embed
 * a PNG at width_mm x height_mm (the manifest charts.csv lists them).
 *
 * Output is deterministic: the same evaluation gives byte-identical PNG and
 * SVG files.
 *
 * Return values: 0 on success; -1 with an error in d (the file is then not
 * complete and must be discarded: use an out_set). Missing glyphs (a
 * character the font lacks) are reported as warnings in d; the chart is
 * still drawn.
 *
 * Typical use (see charts_write_all() for the whole set):
 *
 *     chart_templates tpl;
 *     chart_templates_load(&tpl, "templates/charts.yaml", &diags);
 *     chart_env env = {.ev = &ev, .ec = &ec, .lb = &labels, .tpl = &tpl};
 *     chart_indicator(&env, &ev.inds[i], NULL, CHART_PNG, 160, 90, "A3.png", &diags);
 *     chart_templates_free(&tpl);
 */
#ifndef PLANEVAL_CHARTS_H
#define PLANEVAL_CHARTS_H

#include "assess.h"
#include "canvas.h"
#include "compute.h"
#include "diag.h"
#include "forecast.h"
#include "labels.h"
#include "outset.h"

/* Default print size and resolution of every chart. */
#define CHART_WIDTH_MM 160.0
#define CHART_HEIGHT_MM 90.0
#define CHART_DPI 300.0
/* Height of the accidents chart (at CHART_WIDTH_MM). */
#define CHART_ACCIDENTS_HEIGHT_MM (CHART_HEIGHT_MM * 1.1)

typedef enum chart_format {
    CHART_PNG, /* raster, at chart_env.dpi (300 by default) */
    CHART_SVG  /* vector; glyphs embedded as paths, size in pt */
} chart_format;

/* Which chart files `planeval run` writes (--charts). */
typedef enum chart_files {
    CHART_FILES_NONE = 0, /* none (the default): the reports draw their own */
    CHART_FILES_ALL,      /* PNG and SVG */
    CHART_FILES_PNG,
    CHART_FILES_SVG
} chart_files;

/* Parse "none", "png", "svg", "all" (or "png+svg"); -1 if it is none of them. */
int chart_files_parse(const char *s, chart_files *out);

/* The wording of the charts: templates/charts.yaml. */
typedef struct chart_templates {
    labels text;
    char *path;
} chart_templates;

/*
 * Load the chart wording from path (templates/charts.yaml). Returns 0, or -1
 * with errors in d (unreadable file, a required entry missing, an unknown
 * status shape). Free with chart_templates_free() in both cases.
 */
int chart_templates_load(chart_templates *t, const char *path, diag_list *d);
/* The same through a cache of wording files (labels.h; NULL: none), so that
 * a process writing many plans reads charts.yaml once. */
int chart_templates_load_cached(chart_templates *t, const char *path, labels_cache *cache,
                                diag_list *d);

/* Free what chart_templates_load() allocated. */
void chart_templates_free(chart_templates *t);

/* Flags of chart_env.flags. */
enum {
    CHART_NO_TITLE = 1,  /* leave the title out (the caller prints a caption) */
    CHART_NO_VERDICT = 2 /* trend charts: leave the verdict lines out (the caller
                            states the verdicts); the plot gets their room */
};

/* What every chart of one plan is drawn from. */
typedef struct chart_env {
    const evaluation *ev;        /* the plan's assessment: required */
    const eval_context *ec;      /* dictionary and region data: required by the
                                    accidents and reserves charts */
    const labels *lb;            /* templates/labels.yaml: status words, comparators */
    const chart_templates *tpl;  /* templates/charts.yaml */
    double dpi;                  /* PNG resolution; <= 0 means CHART_DPI */
    int flags;                   /* CHART_NO_TITLE, CHART_NO_VERDICT */
    const forecast_set *forecasts; /* for charts_write_all(): parallel to ev->inds;
                                      NULL: observed only */
    const struct findings *findings; /* the outlook the reports give each target
                                        (findings.h), named under its forecast so
                                        that a chart never words it otherwise;
                                        NULL: the forecast's own */
    struct chart_scratch *scratch; /* PNG buffers kept from one chart to the next
                                      (chart_scratch_new); NULL: fresh ones each */
} chart_env;

/* Reusable PNG buffers: pixels, rows and zlib state of the last chart. */
typedef struct chart_scratch chart_scratch;
chart_scratch *chart_scratch_new(void);
void chart_scratch_free(chart_scratch *sc);

/*
 * Trend chart of quantitative indicator ir (one of env->ev->inds), written
 * to path as fmt at width_mm x height_mm (e.g. CHART_WIDTH_MM x
 * CHART_HEIGHT_MM).
 *
 * Shows: the observed series with markers (a missing year is a gap, hatched
 * and marked 缺数据; a not-applicable year is marked 不适用); per target a
 * line at the threshold from the start of its window to its year, over a
 * light zone on the acceptable side; the baseline; the evaluation year
 * when targets lie beyond it; and per target a verdict line (shape, status
 * word, target, figure compared).
 *
 * fc (may be NULL: observed only) is the indicator's forecast from
 * forecast_plan() (forecast.h; for ev->inds[i] it is &set.inds[i]): its
 * points are drawn as a dashed line from the last observation with the 80 %
 * and 95 % prediction intervals as bands (a NaN bound is not drawn), and
 * each target's verdict line adds the forecast at the target year, the
 * probability of meeting it and the outlook (on track, at risk ...).
 * Targets compared on a sum (window_sum, period_total) have no line: the
 * sum is not on the yearly scale; their verdict line states it.
 *
 * Returns 0, or -1 with an error in d (also when ir is not quantitative).
 */
int chart_indicator(const chart_env *env, const indicator_result *ir, const fc_indicator *fc,
                    chart_format fmt, double width_mm, double height_mm, const char *path,
                    diag_list *d);

/*
 * The same chart drawn onto cv (canvas.h): the chart fills the rectangle
 * (0, 0) to (width_mm, height_mm) converted to points in cv's units (one
 * unit is one point). cv's state is saved and restored. Returns 0, or -1
 * with an error in d; errors of the back end itself are reported by
 * canvas_free().
 */
int chart_indicator_canvas(const chart_env *env, const indicator_result *ir,
                           const fc_indicator *fc, canvas *cv, double width_mm,
                           double height_mm, diag_list *d);

/*
 * Status matrix of group group_id (a group_def id of the plan; NULL for
 * every indicator of a plan without groups): one row per target of every
 * indicator in the group (quantitative, milestone and qualitative), the
 * columns are the five statuses; the row's status is marked by its shape in
 * its column, with the target year and, for quantitative targets, the
 * figure and the threshold.
 *
 * height_mm <= 0 means the natural height (chart_group_overview_height()).
 * Returns 0, or -1 with an error in d (unknown group, no indicator in it).
 */
int chart_group_overview(const chart_env *env, const char *group_id, chart_format fmt,
                         double width_mm, double height_mm, const char *path, diag_list *d);
int chart_group_overview_canvas(const chart_env *env, const char *group_id, canvas *cv,
                                double width_mm, double height_mm, diag_list *d);

/* Natural height in mm of the overview of group_id at width_mm; 0 if the group is empty.
 * The _on variant measures text on cv (e.g. with the PDF's fonts). */
double chart_group_overview_height(const chart_env *env, const char *group_id, double width_mm);
double chart_group_overview_height_on(const chart_env *env, const char *group_id, canvas *cv,
                                      double width_mm);

/*
 * Production-safety accidents (variable ps_accidents of the accidents table)
 * per year as stacked bars, by grade (一般 较大 重大 特别重大: the values the
 * dictionary declares for the dimension `grade`) on the left and by sector
 * (dimension `sector`) on the right, with each year's total on top of its
 * bar; the plan period is marked. Returns 0, or -1 with an error in d
 * (e.g. the region has no accidents table: test chart_has_accidents()).
 */
int chart_accidents(const chart_env *env, chart_format fmt, double width_mm, double height_mm,
                    const char *path, diag_list *d);
int chart_accidents_canvas(const chart_env *env, canvas *cv, double width_mm, double height_mm,
                           diag_list *d);

/* 1 if the region has accident data with at least one year, else 0. */
int chart_has_accidents(const chart_env *env);

/*
 * Reserve coverage: one horizontal bar per reserve indicator (a
 * quantitative indicator whose formula reads the reserves table) giving
 * its figure as a percentage of its norm (the threshold of its last
 * target: value / threshold x 100) in the evaluation year (or the latest
 * year with data before it, which is then named), with a line at 100 %
 * and the status shape and word of that target. height_mm <= 0 means the
 * natural height (chart_reserves_height()). Returns 0, or -1 with an
 * error in d (e.g. no reserve indicator: test chart_reserve_count()).
 */
int chart_reserves(const chart_env *env, chart_format fmt, double width_mm, double height_mm,
                   const char *path, diag_list *d);
int chart_reserves_canvas(const chart_env *env, canvas *cv, double width_mm, double height_mm,
                          diag_list *d);

/* Number of reserve indicators of the plan (0: no reserves chart). */
int chart_reserve_count(const chart_env *env);

/* Natural height in mm of the reserves chart at width_mm; 0 if there is none. */
double chart_reserves_height(const chart_env *env, double width_mm);
double chart_reserves_height_on(const chart_env *env, canvas *cv, double width_mm);

/*
 * Write every chart of the plan into out (an out_set of out/<plan-id>),
 * under subdir ("charts"), as PNG and/or SVG (files; CHART_FILES_NONE
 * writes nothing and returns 0), and a manifest subdir/charts.csv
 * (columns: file, kind, indicator_id, group, title, format, width_mm,
 * height_mm, dpi, width_px, height_px). Files:
 *   <indicator-id>.png/.svg    every quantitative indicator (160 x 90 mm)
 *   overview-<group-id>.png/.svg every group (160 mm wide, natural height;
 *                              overview-all for a plan without groups)
 *   accidents.png/.svg         when the region has accident data
 *   reserves.png/.svg          when the plan has reserve indicators
 * Forecasts come from env->forecasts (may be NULL). The files are renamed
 * into place only by outset_commit(). Returns the number of charts written
 * (each counted once for both formats), or -1 with errors in d.
 */
int charts_write_all(const chart_env *env, out_set *out, const char *subdir, chart_files files,
                     diag_list *d);

/*
 * charts_write_all() for one plan as `planeval run` does it: loads
 * templates_dir/charts.yaml, writes every chart into out under charts/ in
 * the formats files asks for (nothing for CHART_FILES_NONE), PNGs at dpi
 * (<= 0: CHART_DPI), frees the
 * templates. forecasts: forecast_plan()'s result for ev, or
 * NULL for observed series only. Returns the number of charts, or -1 with errors in d (then
 * abort the out_set rather than commit it).
 */
int charts_write_plan(const evaluation *ev, const eval_context *ec, const labels *lb,
                      const char *templates_dir, const forecast_set *forecasts,
                      const struct findings *fnd,
                      chart_files files, double dpi, out_set *out, diag_list *d);

/*
 * Release the caches Cairo and fontconfig keep for the life of the process
 * (font faces, the font configuration), so that leak checkers (valgrind,
 * LeakSanitizer) see a clean exit. Call once at the very end of the program,
 * when no Cairo object is alive any more and nothing else uses fontconfig;
 * no chart may be drawn afterwards.
 */
void charts_shutdown(void);

/* 1 if ir gets a trend chart (it is quantitative). */
int chart_indicator_drawable(const indicator_result *ir);

#endif
