/*
 * chart_cases.c - renders synthetic cases the sample plans do not cover
 * (forecast bands, a series with no data at all, not-applicable years,
 * negative values, many targets, a single year, long names), draws onto a
 * caller's cairo_t (a PDF page, as a report would), and checks the error
 * paths (bad path, non-quantitative indicator, unknown font).
 *
 * usage: chart_cases OUTDIR [TEMPLATES_DIR]   prints one "ok NAME" or
 * "FAIL NAME: why" line per check; exit status 1 if any failed.
 */
#include "charts.h"
#include "util.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int ok, const char *name, const char *why)
{
    if (ok)
        printf("ok %s\n", name);
    else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

/*
 * The chart as Cairo draws it, written by libpng (cairo_surface_write_to_png)
 * to path: the same surface, scale and canvas as a PNG chart file, so the
 * test can check that planeval's own PNG encoder decodes to these pixels.
 */
static int reference_png(const chart_env *env, const indicator_result *ir, const fc_indicator *fc,
                         double w_mm, double h_mm, const char *path, diag_list *d)
{
    int wpx = (int)ceil(w_mm / 25.4 * CHART_DPI - 1e-6), hpx = (int)ceil(h_mm / 25.4 * CHART_DPI - 1e-6);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, CHART_DPI / 72.0, CHART_DPI / 72.0);
    canvas *cv = canvas_cairo_new(cr, label(&env->tpl->text, "font", "family"), path, d);
    int rc = cv ? chart_indicator_canvas(env, ir, fc, cv, w_mm, h_mm, d) : -1;
    if (canvas_free(cv, d) != 0)
        rc = -1;
    cairo_destroy(cr);
    if (rc == 0 && cairo_surface_write_to_png(s, path) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_surface_destroy(s);
    return rc;
}

/* A hand-built indicator with its series and targets. */
typedef struct fixture {
    indicator ind;
    target t[6];
    target_result tr[6];
    year_value years[40];
    indicator_result ir;
    fc_point pts[12];
    fc_target ft[6];
    fc_indicator fc;
} fixture;

static void fx_init(fixture *f, const char *id, const char *name, const char *unit, int first,
                    int n, const double *v, int prec)
{
    memset(f, 0, sizeof *f);
    f->ind.id = (char *)id;
    f->ind.name = (char *)name;
    f->ind.unit = (char *)unit;
    f->ind.kind = IND_QUANTITATIVE;
    f->ind.precision = prec;
    f->ir.ind = &f->ind;
    f->ir.first_year = first;
    f->ir.nyears = n;
    f->ir.years = f->years;
    for (int i = 0; i < n; i++) {
        f->years[i].scale = 1;
        f->years[i].num = f->years[i].den = fv_undefined();
        f->years[i].value = isnan(v[i])   ? fv_missing()
                            : isinf(v[i]) ? fv_undefined()
                                          : fv_ok(v[i]);
    }
    f->ir.targets = f->tr;
    f->fc.ir = &f->ir;
    f->fc.points = f->pts;
    f->fc.targets = f->ft;
}

static target_result *fx_target(fixture *f, int year, target_op op, double value, aggregate agg,
                                int w0, verdict st, double current)
{
    int k = f->ir.ntargets++;
    target *t = &f->t[k];
    t->year = year;
    t->op = op;
    t->has_value = 1;
    t->value = value;
    t->agg = agg;
    t->window[0] = w0;
    t->window[1] = year;
    target_result *tr = &f->tr[k];
    tr->t = t;
    tr->status = st;
    tr->progress = -1;
    tr->window[0] = w0;
    tr->window[1] = year;
    tr->assessed_year = year;
    tr->current = isnan(current) ? fv_missing() : fv_ok(current);
    tr->has_limit = 1;
    tr->limit = value;
    f->ind.ntargets = f->ir.ntargets;
    f->ind.targets = f->t;
    return tr;
}

static void fx_forecast(fixture *f, int first, int n, double start, double slope, double spread)
{
    f->fc.model = FM_LINEAR;
    f->fc.npoints_fc = n;
    for (int i = 0; i < n; i++) {
        fc_point *p = &f->pts[i];
        p->year = first + i;
        p->value = start + slope * (i + 1);
        double s = spread * sqrt(i + 1.0);
        p->lo80 = p->value - 1.28 * s;
        p->hi80 = p->value + 1.28 * s;
        p->lo95 = p->value - 1.96 * s;
        p->hi95 = p->value + 1.96 * s;
    }
    f->fc.ntargets = f->ir.ntargets;
}

static int exists(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp)
        fclose(fp);
    return fp != NULL;
}

/* 1 if files a and b hold the same bytes. */
static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: chart_cases OUTDIR [TEMPLATES_DIR]\n");
        return 2;
    }
    const char *out = argv[1], *tdir = argc > 2 ? argv[2] : "templates";
    diag_list d = {0};
    labels lb;
    chart_templates tpl;
    char *lp = xasprintf("%s/labels.yaml", tdir), *cp = xasprintf("%s/charts.yaml", tdir);
    int lrc = labels_load(&lb, lp, &d), crc = chart_templates_load(&tpl, cp, &d);
    check(lrc == 0 && crc == 0, "templates load", "labels.yaml or charts.yaml");
    if (lrc || crc) {
        diag_print(&d, stderr);
        return 1;
    }

    plan p;
    memset(&p, 0, sizeof p);
    p.id = "synthetic";
    p.title = "synthetic";
    p.period[0] = 2021;
    p.period[1] = 2025;

    enum { NF = 7 };
    static fixture fx[NF];
    const double M = NAN, NA = INFINITY;

    /* 0: forecast with both bands; the target is not yet due */
    double v0[] = {9.1, 8.7, 8.9, 8.2, 7.6, 7.9, 7.1};
    fx_init(&fx[0], "F1", "预测示例：道路交通万车死亡率", "人/万车", 2016, 7, v0, 2);
    target_result *tr = fx_target(&fx[0], 2025, OP_LE, 6.0, AGG_YEAR, 2021, V_NOT_YET_DUE, 7.1);
    tr->assessed_year = 2022;
    tr->progress = 0;
    fx_forecast(&fx[0], 2023, 3, 7.1, -0.35, 0.45);
    fx[0].ft[0].status = FS_AT_RISK;
    fx[0].ft[0].has_forecast = 1;
    fx[0].ft[0].value = fx[0].pts[2].value;
    fx[0].ft[0].lo80 = fx[0].pts[2].lo80;
    fx[0].ft[0].hi80 = fx[0].pts[2].hi80;
    fx[0].ft[0].has_prob = 1;
    fx[0].ft[0].prob = 0.62;

    /* 1: no data at all */
    double v1[] = {M, M, M, M, M};
    fx_init(&fx[1], "M1", "全部缺数据的指标", "%", 2018, 5, v1, 1);
    fx_target(&fx[1], 2022, OP_GE, 95, AGG_YEAR, 2021, V_INSUFFICIENT, NAN)->missing_years =
        "2022";

    /* 2: not-applicable and missing years, negative values */
    double v2[] = {-2.5, 1.0, NA, 3.2, M, -0.4, NA, 2.2};
    fx_init(&fx[2], "N1", "含不适用年份与负值的指标", "%", 2015, 8, v2, 1);
    fx_target(&fx[2], 2022, OP_GE, 0, AGG_WINDOW_MEAN, 2018, V_MET, 1.67);

    /* 3: many targets, with a long name */
    double v3[] = {40, 45, 52, 58, 61, 66, 70, 73, 79, 81};
    fx_init(&fx[3], "T5",
            "一个名字非常长的指标，用来检验标题在两行之内换行并在放不下时以省略号结束："
            "城乡社区综合减灾示范创建与应急避难场所建设达标率（按县城常住人口计算）",
            "%", 2016, 10, v3, 0);
    fx_target(&fx[3], 2021, OP_GE, 60, AGG_YEAR, 2021, V_MET, 66);
    fx_target(&fx[3], 2022, OP_GE, 68, AGG_YEAR, 2021, V_MET, 70);
    fx_target(&fx[3], 2023, OP_GE, 75, AGG_YEAR, 2021, V_NOT_MET, 73);
    fx_target(&fx[3], 2024, OP_GE, 80, AGG_YEAR, 2021, V_NOT_MET, 79);
    fx_target(&fx[3], 2025, OP_GE, 85, AGG_YEAR, 2021, V_NOT_MET, 81);

    /* 4: a single year of data, a target far ahead */
    double v4[] = {12500000};
    /* (eval year 2022: the single year lies before it) */
    fx_init(&fx[4], "S1", "单一年份数据", "元", 2021, 1, v4, 0);
    fx_target(&fx[4], 2030, OP_GE, 20000000, AGG_YEAR, 2026, V_NOT_YET_DUE, 12500000)
        ->assessed_year = 2021;

    /* 5: tiny values with a forecast whose bounds are partly unknown (NaN) */
    double v5[] = {0.0042, 0.0039, 0.0047, 0.0035, 0.0031};
    fx_init(&fx[5], "P1", "小数值与部分缺失的预测区间", "", 2019, 5, v5, 2);
    fx_target(&fx[5], 2026, OP_LE, 0.003, AGG_YEAR, 2021, V_NOT_YET_DUE, 0.0031);
    fx_forecast(&fx[5], 2024, 3, 0.0031, -0.0001, 0.0004);
    fx[5].pts[1].lo95 = NAN;
    fx[5].ft[0].status = FS_ON_TRACK;

    /* 6: a milestone (not chartable) */
    double v6[] = {1};
    fx_init(&fx[6], "K1", "里程碑", "", 2025, 1, v6, 0);
    fx[6].ind.kind = IND_MILESTONE;

    indicator_result irs[NF];
    for (int i = 0; i < NF; i++)
        irs[i] = fx[i].ir;
    evaluation ev;
    memset(&ev, 0, sizeof ev);
    ev.p = &p;
    ev.stage = STAGE_MIDTERM;
    ev.eval_year = 2022;
    ev.inds = irs;
    ev.ninds = NF;

    chart_env env;
    memset(&env, 0, sizeof env);
    env.ev = &ev;
    env.lb = &lb;
    env.tpl = &tpl;

    const char *names[] = {"forecast", "all-missing", "na-negative", "many-targets", "single-year",
                           "nan-band"};
    for (int i = 0; i < 6; i++) {
        const fc_indicator *fc = fx[i].fc.model != FM_NONE ? &fx[i].fc : NULL;
        for (int f = 0; f < 2; f++) {
            char *path = xasprintf("%s/case-%s.%s", out, names[i], f ? "svg" : "png");
            size_t before = diag_errors(&d) + diag_warnings(&d);
            int rc = chart_indicator(&env, &irs[i], fc, f ? CHART_SVG : CHART_PNG,
                                     CHART_WIDTH_MM, CHART_HEIGHT_MM, path, &d);
            char *name = xasprintf("render %s.%s", names[i], f ? "svg" : "png");
            check(rc == 0 && exists(path) && diag_errors(&d) + diag_warnings(&d) == before, name,
                  "chart_indicator failed or warned");
            free(name);
            free(path);
        }
        /* the same chart through libpng, for run.sh to compare pixels */
        char *ref = xasprintf("%s/ref-%s.png", out, names[i]);
        char *rname = xasprintf("%s drawn again and written by libpng", names[i]);
        check(reference_png(&env, &irs[i], fc, CHART_WIDTH_MM, CHART_HEIGHT_MM, ref, &d) == 0,
              rname, "failed");
        free(rname);
        free(ref);
    }
    /* a forecast is drawn for targets still to be judged only: with case 0's
     * target judged (a final evaluation), the chart is the one without it */
    tr->status = V_NOT_MET;
    char *pj = xasprintf("%s/case-judged.png", out), *pn = xasprintf("%s/case-judged-nofc.png", out);
    int j1 = chart_indicator(&env, &irs[0], &fx[0].fc, CHART_PNG, CHART_WIDTH_MM, CHART_HEIGHT_MM,
                             pj, &d);
    int j2 = chart_indicator(&env, &irs[0], NULL, CHART_PNG, CHART_WIDTH_MM, CHART_HEIGHT_MM, pn, &d);
    check(j1 == 0 && j2 == 0 && same_bytes(pj, pn), "no forecast across targets already judged",
          "the forecast was drawn");
    tr->status = V_NOT_YET_DUE;
    free(pj);
    free(pn);
    /* an overview of everything (the plan has no groups) */
    char *path = xasprintf("%s/case-overview.png", out);
    check(chart_group_overview(&env, NULL, CHART_PNG, CHART_WIDTH_MM, 0, path, &d) == 0,
          "overview without groups", "failed");
    free(path);
    /* a small size still renders */
    path = xasprintf("%s/case-small.png", out);
    check(chart_indicator(&env, &irs[0], &fx[0].fc, CHART_PNG, 80, 50, path, &d) == 0,
          "small size 80x50 mm", "failed");
    free(path);

    /* the brief's size, title and verdicts left to the report */
    path = xasprintf("%s/case-brief.png", out);
    env.flags = CHART_NO_TITLE | CHART_NO_VERDICT;
    check(chart_indicator(&env, &irs[3], NULL, CHART_PNG, 84, 50, path, &d) == 0,
          "84x50 mm without title and verdicts", "failed");
    env.flags = 0;
    free(path);

    /* drawing onto a caller's canvas (a cairo_t): two charts on an A4 PDF page */
    path = xasprintf("%s/case-page.pdf", out);
    cairo_surface_t *s = cairo_pdf_surface_create(path, 595.28, 841.89);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2025-12-31T00:00:00Z");
    cairo_t *cr = cairo_create(s);
    cairo_translate(cr, 45, 60);
    canvas *cv = canvas_cairo_new(cr, label(&tpl.text, "font", "family"), "page", &d);
    int r1 = cv ? chart_indicator_canvas(&env, &irs[0], &fx[0].fc, cv, 160, 90, &d) : -1;
    int f1 = canvas_free(cv, &d);
    cairo_translate(cr, 0, 90 * 72 / 25.4 + 20);
    cv = canvas_cairo_new(cr, label(&tpl.text, "font", "family"), "page", &d);
    int r2 = cv ? chart_indicator_canvas(&env, &irs[3], NULL, cv, 160, 90, &d) : -1;
    int f2 = canvas_free(cv, &d);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    check(r1 == 0 && r2 == 0 && f1 == 0 && f2 == 0 &&
              cairo_surface_status(s) == CAIRO_STATUS_SUCCESS,
          "chart_indicator_canvas onto a cairo PDF page", "failed");
    cairo_surface_destroy(s);
    free(path);

    /* a missing font family fails loudly rather than drawing empty boxes */
    cairo_surface_t *s1 = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
    cairo_t *cr1 = cairo_create(s1);
    diag_list fe = {0};
    canvas *bad = canvas_cairo_new(cr1, "No Such Family 4711", "page", &fe);
    check(!bad && diag_errors(&fe) == 1, "canvas_cairo_new: unknown font family is an error",
          "accepted");
    canvas_free(bad, &fe);
    diag_free(&fe);
    cairo_destroy(cr1);
    cairo_surface_destroy(s1);

    /* error paths: each must fail with an error and leave d usable */
    diag_list e = {0};
    check(chart_indicator(&env, &irs[6], NULL, CHART_PNG, 160, 90, "/tmp/never.png", &e) == -1 &&
              diag_errors(&e) == 1,
          "milestone refused", "accepted or no error");
    check(chart_indicator(&env, &irs[0], NULL, CHART_PNG, 160, 90, "/nonexistent/dir/x.png", &e) ==
                  -1 &&
              diag_errors(&e) == 2,
          "unwritable PNG path", "accepted or no error");
    check(chart_indicator(&env, &irs[0], NULL, CHART_SVG, 160, 90, "/nonexistent/dir/x.svg", &e) ==
                  -1 &&
              diag_errors(&e) == 3,
          "unwritable SVG path", "accepted or no error");
    check(chart_indicator(&env, &irs[0], NULL, CHART_PNG, 0, 90, "/tmp/never.png", &e) == -1,
          "zero width refused", "accepted");
    check(chart_group_overview(&env, "nosuchgroup", CHART_PNG, 160, 0, "/tmp/never.png", &e) == -1,
          "unknown group refused", "accepted");
    check(chart_accidents(&env, CHART_PNG, 160, 90, "/tmp/never.png", &e) == -1 &&
              !chart_has_accidents(&env),
          "accidents without data refused", "accepted");
    check(chart_reserves(&env, CHART_PNG, 160, 90, "/tmp/never.png", &e) == -1 &&
              chart_reserve_count(&env) == 0,
          "reserves without reserve indicators refused", "accepted");
    /* a font fontconfig does not have (an item's strings are in its
     * file's one block, labels.h: pointed elsewhere, not freed) */
    static char no_font[] = "No Such Font Family";
    for (size_t i = 0; i < tpl.text.n; i++)
        if (strcmp(tpl.text.items[i].section, "font") == 0)
            tpl.text.items[i].text = no_font;
    size_t before = diag_errors(&e);
    int frc = chart_indicator(&env, &irs[0], NULL, CHART_PNG, 160, 90, "/tmp/never-font.png", &e);
    check(frc == -1 && diag_errors(&e) == before + 1 &&
              strstr(e.items[e.n - 1].msg, "No Such Font Family") != NULL,
          "unknown font family refused", "accepted or wrong message");
    remove("/tmp/never-font.png");
    diag_print(&e, stdout);
    diag_free(&e);

    if (diag_errors(&d) || diag_warnings(&d))
        diag_print(&d, stderr);
    diag_free(&d);
    chart_templates_free(&tpl);
    labels_free(&lb);
    free(lp);
    free(cp);
    charts_shutdown();
    return failures ? 1 : 0;
}
