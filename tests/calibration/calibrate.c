/*
 * calibrate.c - are planeval's forecasts calibrated? Series are drawn from
 * known processes of the kinds the plans hold; the forecast stage's own
 * model choice and predictive distributions (src/forecast.c) forecast them
 * 1 and 3 years past the data; the truth is then compared with the 80 % and
 * 95 % intervals and with P(met) of a target of each setting.
 *
 *   calibrate [--long] [--doc FILE] [--only TEXT] [--bins] [--model NAME] [--reps N] [--dump]
 *             [--count-trends LO HI]
 *
 * Quick mode (make calibration, part of make test) checks the thresholds of
 * issue 11 and exits 1 when one fails; --long draws more series (make
 * calibrate) and --doc rewrites the table between the calibration markers of
 * FILE (docs/methodology.md) through a temporary file. --only runs the
 * settings whose name contains TEXT (while working on a model: the checks
 * then judge those alone), --bins prints each setting's reliability by
 * bins of P(met), --model forces one model (what it scores alone, without
 * the average), --reps draws N series per setting and length, --dump writes
 * each count series with its goal, outcome and P(met) to stderr (for
 * exact_bayes.py), --count-trends LO HI draws the count settings' annual
 * log change of rate from LO to HI instead of -0.12 to 0.04 (how a prior
 * fares on steeper truths). Fixed seeds: the same figures on every run.
 */
#include "forecast.h"
#include "util.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 16
#define AHEAD 3
#define NBIN 5 /* reliability bins of P(met): 0-0.2, ..., 0.8-1 */

/* One draw: NY years of truth (values, and counts with exposures where the
 * process has them). */
typedef struct draw {
    int ny;
    double t[MAXN], y[MAXN], count[MAXN], expo[MAXN];
    int has_counts;
    double scale;
    fc_kind kind;
    double lo, hi;
    target_op op;
    double goal;
    double trend_lo, trend_hi; /* in: the counts' annual log change of rate is drawn from these */
} draw;

typedef void (*generator)(gsl_rng *r, int n, draw *d);

typedef struct setting {
    const char *name;
    generator gen;
    const char *known; /* a known Brier failure: why (reported, not counted) */
} setting;

static void years(draw *d, int ny)
{
    d->ny = ny;
    for (int i = 0; i < ny; i++)
        d->t[i] = 2016 + i;
    d->has_counts = 0;
    d->scale = 1;
    d->kind = FK_LEVEL;
    d->lo = -HUGE_VAL;
    d->hi = HUGE_VAL;
}

/* A floor 3 years on, somewhere from a little below the last observed
 * value to well above it: plans ask for more, by more or less. */
static void floor_target(gsl_rng *r, draw *d, int n, double below, double above)
{
    d->op = OP_GE;
    d->goal = d->y[n - 1] + gsl_ran_flat(r, -below, above);
}

static void gen_linear(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double b = gsl_ran_flat(r, -3, 3), sd = gsl_ran_flat(r, 1, 4);
    for (int i = 0; i < d->ny; i++)
        d->y[i] = 60 + b * i + gsl_ran_gaussian(r, sd);
    floor_target(r, d, n, 6, 10);
}

static void gen_loglinear(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double g = gsl_ran_flat(r, -0.15, 0.05), sd = gsl_ran_flat(r, 0.03, 0.15);
    for (int i = 0; i < d->ny; i++)
        d->y[i] = 100 * exp(g * i + gsl_ran_gaussian(r, sd));
    d->lo = 0;
    d->op = OP_LE; /* a rate to bring down by 0-25 % */
    d->goal = gsl_ran_flat(r, 0.75, 1.0) * d->y[n - 1];
}

static void gen_level(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double sd = gsl_ran_flat(r, 0.5, 4);
    for (int i = 0; i < d->ny; i++)
        d->y[i] = 20 + gsl_ran_gaussian(r, sd);
    d->lo = 0;
    d->op = OP_LE;
    d->goal = 20 + gsl_ran_flat(r, -1.5, 1.5) * sd;
}

/* A figure recorded to one decimal whose noise is below that step: most
 * histories are constant or move by one step. */
static void gen_near_constant(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double level = gsl_ran_flat(r, 90, 99), sd = gsl_ran_flat(r, 0.01, 0.1);
    for (int i = 0; i < d->ny; i++)
        d->y[i] = round((level + gsl_ran_gaussian(r, sd)) * 10) / 10;
    d->lo = 0;
    d->hi = 100;
    d->op = OP_GE; /* hold at least the last figure, or a step or two below it */
    d->goal = d->y[n - 1] - 0.1 * (double)gsl_rng_uniform_int(r, 3);
}

/* Whole units that stay put, now and then changed by one to three
 * (teams, stations, a share of 100 %): each year a 10 % chance. */
static void gen_constant_jumps(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double v = 95 + (double)gsl_rng_uniform_int(r, 6);
    for (int i = 0; i < d->ny; i++) {
        if (i > 0 && gsl_rng_uniform(r) < 0.1)
            v += (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * (1 + (double)gsl_rng_uniform_int(r, 3));
        d->y[i] = v < 100 ? v : 100;
    }
    d->lo = 0;
    d->hi = 100;
    d->op = OP_GE; /* hold the last figure */
    d->goal = d->y[n - 1];
}

static void gen_random_walk(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double v = 50;
    for (int i = 0; i < d->ny; i++) {
        v += gsl_ran_gaussian(r, 2) + 0.5;
        d->y[i] = v;
    }
    floor_target(r, d, n, 4, 8);
}

/* Deaths per 亿元 GDP: counts against a growing exposure, falling rate. */
static void counts_common(gsl_rng *r, int n, draw *d, double alpha)
{
    years(d, n + AHEAD);
    d->has_counts = 1;
    double mean0 = gsl_ran_flat(r, 2, 12), g = gsl_ran_flat(r, d->trend_lo, d->trend_hi), sum = 0;
    for (int i = 0; i < d->ny; i++) {
        d->expo[i] = 150 * pow(1.06, i);
        double mu = mean0 * exp(g * i) * pow(1.06, i);
        if (alpha > 0)
            mu = gsl_ran_gamma(r, 1 / alpha, alpha * mu);
        d->count[i] = gsl_ran_poisson(r, mu);
        d->y[i] = d->count[i] / d->expo[i];
        if (i < n)
            sum += d->y[i];
    }
    d->lo = 0;
    d->op = OP_LE; /* the rate down by 0-40 % on the mean of the history */
    d->goal = gsl_ran_flat(r, 0.6, 1.0) * sum / n;
}

static void gen_poisson(gsl_rng *r, int n, draw *d) { counts_common(r, n, d, 0); }
static void gen_negbin(gsl_rng *r, int n, draw *d) { counts_common(r, n, d, 0.3); }

/* Villages covered: a share near 100 % of a few dozen, rising. */
static void gen_share(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    d->has_counts = 1;
    d->kind = FK_SHARE;
    d->scale = 100;
    double l0 = gsl_ran_flat(r, 2.5, 3.5), g = gsl_ran_flat(r, 0, 0.15);
    int N = 20 + (int)gsl_rng_uniform_int(r, 40);
    for (int i = 0; i < d->ny; i++) {
        double p = 1 / (1 + exp(-(l0 + g * i)));
        d->expo[i] = N;
        d->count[i] = gsl_ran_binomial(r, p, (unsigned)N);
        d->y[i] = 100 * d->count[i] / N;
    }
    d->lo = 0;
    d->hi = 100;
    d->op = OP_EQ;
    d->goal = 100;
}

/* Shelters built: a stock that only grows, by a few a year or none. */
static void gen_stock(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    d->kind = FK_STOCK;
    double v = gsl_rng_uniform_int(r, 3), rate = gsl_ran_flat(r, 0.2, 2);
    for (int i = 0; i < d->ny; i++) {
        v += gsl_ran_poisson(r, rate);
        d->y[i] = v;
    }
    d->lo = 0;
    d->op = OP_GE;
    d->goal = d->y[n - 1] + (double)gsl_rng_uniform_int(r, 5);
}

/* A straight line with one year far off it (a recording error, a year of
 * a one-off campaign), somewhere before the last year; the years
 * forecast are on the line. */
static void gen_linear_outlier(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double b = gsl_ran_flat(r, -3, 3), sd = gsl_ran_flat(r, 1, 4);
    for (int i = 0; i < d->ny; i++)
        d->y[i] = 60 + b * i + gsl_ran_gaussian(r, sd);
    int k = (int)gsl_rng_uniform_int(r, (unsigned long)(n - 1));
    d->y[k] += (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * gsl_ran_flat(r, 6, 12) * sd;
    floor_target(r, d, n, 6, 10);
}

/* A level with noise that shifts once, by 3 to 6 noise sds, in a year of
 * the history (the last included), and keeps the new level. */
static void gen_level_shift(gsl_rng *r, int n, draw *d)
{
    years(d, n + AHEAD);
    double sd = gsl_ran_flat(r, 0.5, 4), shift = gsl_ran_flat(r, 3, 6) * sd;
    if (gsl_rng_uniform(r) < 0.5)
        shift = -shift;
    int k = 1 + (int)gsl_rng_uniform_int(r, (unsigned long)(n - 1));
    for (int i = 0; i < d->ny; i++)
        d->y[i] = 40 + (i >= k ? shift : 0) + gsl_ran_gaussian(r, sd);
    d->lo = 0;
    d->op = OP_LE; /* stay below about the new level */
    d->goal = 40 + shift + gsl_ran_flat(r, -1.5, 1.5) * sd;
}

static const setting settings[] = {
    {"linear trend", gen_linear, NULL},
    {"log-linear trend", gen_loglinear, NULL},
    {"level with noise", gen_level, NULL},
    {"random walk with drift", gen_random_walk, NULL},
    {"Poisson counts / exposure", gen_poisson, NULL},
    {"negative binomial (alpha 0.3) / exposure", gen_negbin, NULL},
    {"binomial share near 100 %", gen_share, NULL},
    {"stock that only grows", gen_stock, NULL},
    /* appended, so that the settings above keep their seeds */
    {"near-constant (noise below the recorded step)", gen_near_constant, NULL},
    {"constant with an occasional change", gen_constant_jumps,
     "the history says nothing of the next change, so the base rate is about the best "
     "forecast; P(met) still varies with the history, and a change is partly extrapolated "
     "as a trend"},
    {"linear trend with one outlying year", gen_linear_outlier, NULL},
    {"level with one shift", gen_level_shift,
     "with 5 years a shift has at most 3 years on either side, too few to test it or to "
     "forecast from the new level alone, and the trend models extrapolate it; with 7 the "
     "test often lacks the power"},
};
#define NSET (int)(sizeof settings / sizeof settings[0])

/* What one setting and length scored. */
typedef struct score {
    long n[2], in80[2], in95[2]; /* by horizon: 1 and 3 years ahead */
    long nprob, met;
    double brier, psum;
    long nhigh, methigh;         /* P >= 0.8 */
    double sq[2], quad[2];       /* sums of (P - met)^2 and ^4, by met: the
                                    Brier difference's standard error */
    long nbin[NBIN], metbin[NBIN];
    double pbin[NBIN];           /* sum of P by bin of P */
    long nfail;
} score;

static void add_score(score *a, const score *b)
{
    for (int h = 0; h < 2; h++) {
        a->n[h] += b->n[h];
        a->in80[h] += b->in80[h];
        a->in95[h] += b->in95[h];
    }
    a->nprob += b->nprob;
    a->met += b->met;
    a->brier += b->brier;
    a->psum += b->psum;
    a->nhigh += b->nhigh;
    a->methigh += b->methigh;
    a->nfail += b->nfail;
    for (int i = 0; i < 2; i++) {
        a->sq[i] += b->sq[i];
        a->quad[i] += b->quad[i];
    }
    for (int i = 0; i < NBIN; i++) {
        a->nbin[i] += b->nbin[i];
        a->metbin[i] += b->metbin[i];
        a->pbin[i] += b->pbin[i];
    }
}

static void run_one(const draw *d, int n, fc_model forced, const forecast_options *o, FILE *dump,
                    score *sc)
{
    fc_series s;
    memset(&s, 0, sizeof s);
    s.n = n;
    s.t = d->t;
    s.y = d->y;
    s.count = d->has_counts ? d->count : NULL;
    s.exposure = d->has_counts ? d->expo : NULL;
    s.scale = d->scale;
    s.lo = d->lo;
    s.hi = d->hi;
    s.kind = d->kind;
    fc_forecaster fc;
    if (fc_forecaster_init(&fc, &s, forced, o) != 0) {
        sc->nfail++;
        fc_forecaster_free(&fc);
        return;
    }
    const int ahead[2] = {1, AHEAD};
    for (int h = 0; h < 2; h++) {
        int i = n - 1 + ahead[h];
        fc_mix p;
        if (fc_forecaster_predict(&fc, d->t[i], d->has_counts ? d->expo[i] : 1, &p) != 0) {
            sc->nfail++;
            continue;
        }
        double v = d->y[i], e = 1e-9 * (fabs(v) > 1 ? fabs(v) : 1);
        sc->n[h]++;
        sc->in80[h] += p.lo80 - e <= v && v <= p.hi80 + e;
        sc->in95[h] += p.lo95 - e <= v && v <= p.hi95 + e;
        if (h == 1) {
            double pm = fc_mix_prob(&p, d->op, d->goal);
            int met = target_compare(d->op, v, d->goal);
            sc->nprob++;
            sc->met += met;
            sc->brier += (pm - met) * (pm - met);
            if (dump && d->has_counts) {
                /* for tests/calibration/exact_bayes.py */
                fprintf(dump, "%d %d %.17g %.17g", n, met, pm, d->goal);
                for (int j = 0; j < d->ny; j++)
                    fprintf(dump, " %.0f %.17g", d->count[j], d->expo[j]);
                fputc('\n', dump);
            }
            sc->sq[met] += (pm - met) * (pm - met);
            sc->quad[met] += pow(pm - met, 4);
            sc->psum += pm;
            if (pm >= 0.8) {
                sc->nhigh++;
                sc->methigh += met;
            }
            int bin = pm >= 1 ? NBIN - 1 : (int)(pm * NBIN);
            sc->nbin[bin]++;
            sc->metbin[bin] += met;
            sc->pbin[bin] += pm;
        }
    }
    fc_forecaster_free(&fc);
}

static double ratio(long a, long b) { return b ? (double)a / b : NAN; }

/* Brier score of always saying the base rate. */
static double base_brier(const score *s)
{
    double br = ratio(s->met, s->nprob);
    return br * (1 - br);
}

/* The standard error of the Brier score minus the base rate's, target by
 * target (d = (P - met)^2 - (base - met)^2): how far the difference of one
 * setting's 1,000 series moves by chance. */
static double brier_diff_se(const score *s)
{
    long n = s->nprob;
    if (n < 2)
        return NAN;
    double br = ratio(s->met, n), mean = s->brier / n - base_brier(s), sum2 = 0;
    for (int m = 0; m < 2; m++) {
        double b2 = (br - m) * (br - m);
        long nm = m ? s->met : n - s->met;
        /* sum of d^2 = sum (P-m)^4 - 2 b2 sum (P-m)^2 + nm b2^2 */
        sum2 += s->quad[m] - 2 * b2 * s->sq[m] + (double)nm * b2 * b2;
    }
    double var = (sum2 - n * mean * mean) / (double)(n - 1);
    return var > 0 ? sqrt(var / (double)n) : 0;
}

/* Of the targets given P >= 0.8, fewer met than 75 % by more than two
 * binomial standard errors: too many to be chance. Judged only from
 * RELIABLE_MIN targets. */
#define RELIABLE_MIN 50
static int unreliable(const score *s)
{
    if (s->nhigh < RELIABLE_MIN)
        return 0;
    return ratio(s->methigh, s->nhigh) < 0.75 - 2 * sqrt(0.75 * 0.25 / (double)s->nhigh);
}

/* A check that one setting and length failed: counted in bad, or in
 * known for a known failure (reported, not counted), and noted. */
static void failed(strbuf *notes, const setting *st, int years, int *bad, int *known,
                   const char *what)
{
    if (st->known)
        (*known)++;
    else
        (*bad)++;
    sb_printf(notes, "%s %s, %d years: %s\n", st->known ? "known" : "FAIL", st->name, years, what);
}

static void row(FILE *f, const char *name, int n, const score *s)
{
    char yrs[16] = "";
    if (n)
        snprintf(yrs, sizeof yrs, ", %d", n);
    fprintf(f, "| %s%s | %.2f / %.2f | %.2f / %.2f | %.3f | %.3f | %.2f | %.2f | %.2f (%ld) |\n",
            name, yrs,
            ratio(s->in80[0], s->n[0]), ratio(s->in80[1], s->n[1]), ratio(s->in95[0], s->n[0]),
            ratio(s->in95[1], s->n[1]), s->nprob ? s->brier / s->nprob : NAN, base_brier(s),
            s->nprob ? s->psum / s->nprob : NAN, ratio(s->met, s->nprob),
            ratio(s->methigh, s->nhigh), s->nhigh);
}

/* Reliability by bins: mean P, share met, targets. */
static void bins(FILE *f, const score *s)
{
    fprintf(f, "   bins (mean P / met / n):");
    for (int i = 0; i < NBIN; i++)
        fprintf(f, "  %.2f/%.2f/%ld", s->nbin[i] ? s->pbin[i] / s->nbin[i] : NAN,
                ratio(s->metbin[i], s->nbin[i]), s->nbin[i]);
    fprintf(f, "\n");
}

#define BEGIN_MARK "<!-- calibration:begin -->"
#define END_MARK "<!-- calibration:end -->"

/* Replace the text between the markers of path by table; temp file + rename. */
static int write_doc(const char *path, const char *table)
{
    size_t len;
    char *text = read_whole_file(path, &len);
    if (!text) {
        perror(path);
        return -1;
    }
    const char *p = strstr(text, BEGIN_MARK), *q = p ? strstr(p, END_MARK) : NULL;
    if (!p || !q) {
        fprintf(stderr, "%s: no %s ... %s markers\n", path, BEGIN_MARK, END_MARK);
        free(text);
        return -1;
    }
    char *tmp = xasprintf("%s.tmp", path);
    FILE *o = fopen(tmp, "w");
    int rc = o ? 0 : -1;
    if (o) {
        fwrite(text, 1, (size_t)(p - text) + strlen(BEGIN_MARK), o);
        fprintf(o, "\n%s", table);
        fputs(q, o);
        rc = fclose(o) == 0 ? rename(tmp, path) : -1;
    }
    if (rc != 0)
        perror(tmp);
    free(tmp);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    int lng = 0, show_bins = 0, dump = 0;
    const char *doc = NULL, *only = NULL;
    fc_model forced = FM_NONE;
    int nreps = 0;
    double trend_lo = -0.12, trend_hi = 0.04, tlo, thi;
    char *e1, *e2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--long") == 0)
            lng = 1;
        else if (strcmp(argv[i], "--doc") == 0 && i + 1 < argc)
            doc = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--bins") == 0)
            show_bins = 1;
        else if (strcmp(argv[i], "--dump") == 0)
            dump = 1;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc && (nreps = atoi(argv[i + 1])) > 0)
            i++;
        else if (strcmp(argv[i], "--count-trends") == 0 && i + 2 < argc &&
                 (tlo = strtod(argv[i + 1], &e1), thi = strtod(argv[i + 2], &e2), !*e1 && !*e2) &&
                 tlo < thi && tlo > -1 && thi < 1) {
            trend_lo = tlo;
            trend_hi = thi;
            i += 2;
        } else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc &&
                 (forced = fc_model_from_name(argv[i + 1])) != FM_NONE)
            i++;
        else {
            fprintf(stderr, "usage: calibrate [--long] [--doc FILE] [--only TEXT] [--bins] [--model NAME] [--reps N] [--dump] [--count-trends LO HI]\n");
            return 2;
        }
    }
    const int quick_lengths[] = {5, 8}, long_lengths[] = {5, 7, 10};
    const int *lengths = lng ? long_lengths : quick_lengths;
    int nlen = lng ? 3 : 2, reps = nreps > 0 ? nreps : lng ? 1000 : 300;
    forecast_options o;
    forecast_options_init(&o);
    char *table = NULL;
    size_t tlen = 0;
    FILE *tf = open_memstream(&table, &tlen);
    if (!tf)
        return 2;
    fprintf(tf, "\n%d series per setting and length, forecast 1 / 3 years past the data "
                "(`%s`):\n\n",
            reps, lng ? "make calibrate" : "make calibration");
    fprintf(tf, "| truth, years of data | 80 %% interval covered (1 / 3 years) | 95 %% covered | "
                "Brier score | base rate's | mean P(met) | share met | met when P ≥ 0.8 (targets) |\n");
    fprintf(tf, "|---|---|---|---|---|---|---|---|\n");
    score all;
    memset(&all, 0, sizeof all);
    int brier_bad = 0, known_bad[NSET] = {0}, rel_bad = 0, known_rel[NSET] = {0};
    strbuf notes;
    sb_init(&notes);
    if (doc && (only || show_bins || forced != FM_NONE || nreps || dump || trend_lo != -0.12 ||
                trend_hi != 0.04)) {
        fprintf(stderr, "calibrate: --doc writes the table of the plans' forecasts of every "
                        "setting (no --only, --bins, --model, --reps, --dump, --count-trends)\n");
        return 2;
    }
    for (int si = 0; si < NSET; si++)
        for (int li = 0; li < nlen && (!only || strstr(settings[si].name, only)); li++) {
            gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
            gsl_rng_set(r, 1000u * (unsigned)si + (unsigned)lengths[li]);
            score sc;
            memset(&sc, 0, sizeof sc);
            for (int k = 0; k < reps; k++) {
                draw d = {.trend_lo = trend_lo, .trend_hi = trend_hi};
                settings[si].gen(r, lengths[li], &d);
                run_one(&d, lengths[li], forced, &o, dump ? stderr : NULL, &sc);
            }
            gsl_rng_free(r);
            row(tf, settings[si].name, lengths[li], &sc);
            if (show_bins)
                bins(tf, &sc);
            /* Brier no worse than the base rate, with a little room for
             * the sampling error of both at this number of series */
            double diff = sc.nprob ? sc.brier / sc.nprob - base_brier(&sc) : NAN;
            char what[160];
            if (diff > (lng ? 0.005 : 0.02)) {
                snprintf(what, sizeof what, "Brier %.3f above the base rate's (standard error of "
                         "the difference %.3f)", diff, brier_diff_se(&sc));
                failed(&notes, &settings[si], lengths[li], &brier_bad, &known_bad[si], what);
            }
            if (unreliable(&sc)) {
                snprintf(what, sizeof what, "of %ld targets given P >= 0.8, %.3f met (below 0.75 "
                         "by more than 2 standard errors)", sc.nhigh, ratio(sc.methigh, sc.nhigh));
                failed(&notes, &settings[si], lengths[li], &rel_bad, &known_rel[si], what);
            }
            add_score(&all, &sc);
        }
    row(tf, "**all settings, pooled**", 0, &all);
    if (all.nfail)
        fprintf(tf, "\n%ld forecasts could not be made.\n", all.nfail);
    fclose(tf);
    fputs(table, stdout);
    if (notes.s)
        fputs(notes.s, stdout);
    sb_free(&notes);
    int fails = 0;
    const char *what[2] = {"1 year", "3 years"};
    for (int h = 0; h < 2; h++) {
        double c80 = ratio(all.in80[h], all.n[h]), c95 = ratio(all.in95[h], all.n[h]);
        int ok80 = c80 >= 0.76 && c80 <= 0.86, ok95 = c95 >= 0.92 && c95 <= 0.98;
        printf("%s coverage %s ahead: 80 %% %.3f (0.76-0.86), 95 %% %.3f (0.92-0.98)\n",
               ok80 && ok95 ? "ok" : "FAIL", what[h], c80, c95);
        fails += !ok80 + !ok95;
    }
    printf("%s Brier score no worse than the base rate's: %d setting%s worse\n",
           brier_bad ? "FAIL" : "ok", brier_bad, brier_bad == 1 ? "" : "s");
    fails += brier_bad > 0;
    for (int si = 0; si < NSET; si++)
        if (settings[si].known)
            printf("known: %s: Brier score worse than the base rate's in %d of its lengths, "
                   "unreliable at P >= 0.8 in %d (%s; not counted)\n",
                   settings[si].name, known_bad[si], known_rel[si], settings[si].known);
    double rel = ratio(all.methigh, all.nhigh);
    printf("%s of %ld targets given P >= 0.8, %.3f met (>= 0.75)\n", rel >= 0.75 ? "ok" : "FAIL",
           all.nhigh, rel);
    fails += !(rel >= 0.75);
    printf("%s of the targets given P >= 0.8 in each setting and length (from %d), at least "
           "0.75 met within 2 standard errors: %d setting%s below\n",
           rel_bad ? "FAIL" : "ok", RELIABLE_MIN, rel_bad, rel_bad == 1 ? "" : "s");
    fails += rel_bad > 0;
    if (doc && write_doc(doc, table) != 0)
        fails++;
    free(table);
    printf("%d passed, %d failed\n", 7 - (fails > 7 ? 7 : fails), fails);
    return fails ? 1 : 0;
}
