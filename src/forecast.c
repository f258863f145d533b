/*
 * forecast.c - see forecast.h; the methods are written up for readers in
 * docs/methodology.md, which this file follows section by section.
 */
#include "forecast.h"
#include "util.h"
#include "window.h"
#include "mtrand.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NQ 32                  /* Gauss-Hermite nodes for parameter uncertainty */
#define DAMPED_MIN_POINTS 8    /* 6 parameters: AICc needs n >= k + 2 */
#define MAX_TREND 3.0          /* |log annual factor| above this: a count trend is not estimable */
#define SHARE_RARE 0.2         /* a count-based share is modelled as counts below 20% of its bound */

enum { PK_POINT, PK_T, PK_LOGT, PK_COUNT, PK_NBJ };

void forecast_options_init(forecast_options *o)
{
    o->on_track = 0.8;
    o->at_risk = 0.5;
    o->min_points = 4;
    o->nsim = 20000;
    o->window_sim_only = 0;
    o->garwood = NULL;
    o->selects = NULL;
}

static const char *const model_names[FM_NMODELS] = {
    "none", "mean", "linear", "loglinear", "damped", "poisson_mean", "poisson", "negbin_mean",
    "negbin", "random_walk", "binomial_mean", "binomial"};

const char *fc_model_name(fc_model m) { return model_names[m]; }

fc_model fc_model_from_name(const char *s)
{
    for (int m = 1; s && m < FM_NMODELS; m++)
        if (strcmp(s, model_names[m]) == 0)
            return (fc_model)m;
    return FM_NONE;
}

int fc_model_is_count(fc_model m)
{
    return (m >= FM_POISSON_MEAN && m <= FM_NEGBIN) || m == FM_BINOMIAL_MEAN || m == FM_BINOMIAL;
}

const char *fc_status_name(fc_status s)
{
    static const char *const names[] = {"", "met", "on_track", "at_risk", "off_track",
                                        "insufficient_data"};
    return names[s];
}

/* ---------- small helpers ---------- */

static double tol(double x) { return 1e-9 * (fabs(x) > 1 ? fabs(x) : 1); }

/* The comparison of the verdicts, so that forecasts judge alike. */
static int meets(target_op op, double v, double goal) { return target_compare(op, v, goal); }

/* Six significant digits: for reading, not for machines. */
static char *short_num(double v, char *buf)
{
    if (!isfinite(v))
        snprintf(buf, 32, "%s", isnan(v) ? "-" : v > 0 ? "inf" : "-inf");
    else
        snprintf(buf, 32, "%.6g", v);
    return buf;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static void set_note(fc_fit *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_note(fc_fit *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->note, sizeof f->note, fmt, ap);
    va_end(ap);
}

static double aicc(double ll, int k, int n)
{
    if (n - k - 1 <= 0)
        return NAN;
    return -2 * ll + 2.0 * k + 2.0 * k * (k + 1) / (n - k - 1);
}

/* ---------- least squares ---------- */

int fc_ols(const double *X, const double *y, int n, int p, double *c, double *cov, double *rss)
{
    if (p < 1 || n < p)
        return -1;
    gsl_matrix *Xm = gsl_matrix_alloc((size_t)n, (size_t)p);
    gsl_vector *yv = gsl_vector_alloc((size_t)n);
    gsl_vector *cv = gsl_vector_alloc((size_t)p);
    gsl_matrix *cm = gsl_matrix_alloc((size_t)p, (size_t)p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc((size_t)n, (size_t)p);
    for (int i = 0; i < n; i++) {
        gsl_vector_set(yv, (size_t)i, y[i]);
        for (int j = 0; j < p; j++)
            gsl_matrix_set(Xm, (size_t)i, (size_t)j, X[i * p + j]);
    }
    double chisq = 0;
    int rc = gsl_multifit_linear(Xm, yv, cv, cm, &chisq, w);
    for (int j = 0; j < p; j++) {
        c[j] = gsl_vector_get(cv, (size_t)j);
        for (int k = 0; k < p; k++)
            if (cov)
                cov[j * p + k] = n > p ? gsl_matrix_get(cm, (size_t)j, (size_t)k) : NAN;
    }
    if (rss)
        *rss = chisq;
    gsl_multifit_linear_free(w);
    gsl_matrix_free(cm);
    gsl_vector_free(cv);
    gsl_vector_free(yv);
    gsl_matrix_free(Xm);
    return rc == GSL_SUCCESS ? 0 : -1;
}

/*
 * Weighted least squares of z on [1, x] (p = 2) or on 1 (p = 1), in closed
 * form: the models here have one or two parameters, and GSL's SVD with its
 * allocations cost more than the fits themselves (leave-one-out refits every
 * model n times). x is centred on its weighted mean first, which makes the
 * normal equations diagonal. w: the weights (not NULL; wls takes unit
 * weights). cov (unless NULL) is (X'WX)^-1, unscaled; chisq (unless
 * NULL) the weighted residual sum of squares. Returns -1 if the weights or the spread of x are
 * zero.
 */
static int wls_finish(const double *x, const double *w, const double *z, int n, int p,
                      double ridge, double centre, double sw, double swx, double swz, double c[2],
                      double cov[2][2], double *chisq);

static int wls_ridge(const double *x, const double *w, const double *z, int n, int p,
                     double ridge, double centre, double c[2], double cov[2][2], double *chisq)
{
    double sw = 0, swx = 0, swz = 0;
    for (int i = 0; i < n; i++) {
        double wi = w[i];
        sw += wi;
        swx += wi * x[i];
        swz += wi * z[i];
    }
    return wls_finish(x, w, z, n, p, ridge, centre, sw, swx, swz, c, cov, chisq);
}

/* (X'WX)^-1 from wls_finish's sums: sxx with the ridge added (p 2). */
static inline void wls_cov_of(int p, double sw, double xm, double sxx, double cov[2][2])
{
    cov[0][0] = 1 / sw + (p == 2 ? xm * xm / sxx : 0);
    cov[0][1] = cov[1][0] = p == 2 ? -xm / sxx : 0;
    cov[1][1] = p == 2 ? 1 / sxx : 0;
}

/* wls_finish's cov alone, its sums and checks the same: the working
 * responses z, which change only the coefficients, are not read. */
static int wls_cov(const double *x, const double *w, int n, int p, double ridge, double sw,
                   double swx, double cov[2][2])
{
    if (!(sw > 0))
        return -1;
    double xm = swx / sw, sxx = 0;
    if (p == 2) {
        for (int i = 0; i < n; i++) {
            double wi = w[i], dx = x[i] - xm;
            sxx += wi * dx * dx;
        }
        if (!(sxx > 0))
            return -1;
        sxx += ridge;
    }
    wls_cov_of(p, sw, xm, sxx, cov);
    return 0;
}

/* wls_ridge after its first pass: sw, swx, swz the sums of w, w x and w z
 * in the order of i (glm_fit adds them as it makes the weights). */
static int wls_finish(const double *x, const double *w, const double *z, int n, int p,
                      double ridge, double centre, double sw, double swx, double swz, double c[2],
                      double cov[2][2], double *chisq)
{
    if (!(sw > 0))
        return -1;
    double xm = swx / sw, zm = swz / sw, sxx = 0, sxz = 0;
    if (p == 2) {
        for (int i = 0; i < n; i++) {
            double wi = w[i], dx = x[i] - xm;
            sxx += wi * dx * dx;
            sxz += wi * dx * (z[i] - zm);
        }
        if (!(sxx > 0))
            return -1;
        sxx += ridge; /* a normal prior on the slope, N(centre, 1 / ridge) */
    }
    double b1 = p == 2 ? (sxz + ridge * centre) / sxx : 0;
    c[0] = zm - b1 * xm;
    c[1] = b1;
    if (cov)
        wls_cov_of(p, sw, xm, sxx, cov);
    if (!chisq)
        return 0; /* IRLS steps need no residuals */
    double rss = 0;
    for (int i = 0; i < n; i++) {
        double r = z[i] - c[0] - b1 * x[i];
        rss += w[i] * r * r;
    }
    *chisq = rss;
    return 0;
}

/* wls_ridge without the prior; w NULL: unit weights. */
static int wls(const double *x, const double *w, const double *z, int n, int p, double c[2],
               double cov[2][2], double *chisq)
{
    /* unit weights as an array, so that wls_ridge's loops test nothing
     * per year (its IRLS calls number some 750,000 on 20 regions) */
    double ones[64], *own = NULL;
    if (!w) {
        double *u = n <= 64 ? ones : (own = xmalloc(sizeof(double) * (size_t)(n > 0 ? n : 1)));
        for (int k = 0; k < n; k++)
            u[k] = 1;
        w = u;
    }
    int rc = wls_ridge(x, w, z, n, p, 0, 0, c, cov, chisq);
    free(own);
    return rc;
}

static double mean_of(const double *t, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += t[i];
    return n ? s / n : 0;
}

/*
 * The step the figures are recorded in: the largest power of ten, at most
 * one unit, that every value is a whole multiple of (96, 97.5 -> 0.1;
 * 0.0068 -> 0.0001). A series that has not moved in n years says its
 * year-to-year noise is below about this step, not that it is zero.
 */
static double recorded_step(const double *y, int n)
{
    static const double pow10[] = {1,    1e-1, 1e-2, 1e-3, 1e-4,
                                   1e-5, 1e-6, 1e-7, 1e-8, 1e-9};
    for (int k = 0; k < 10; k++) {
        double q = pow10[k];
        int all = 1;
        for (int i = 0; i < n && all; i++) {
            double r = y[i] / q;
            all = fabs(r - nearbyint(r)) <= 1e-6 * (fabs(r) > 1 ? fabs(r) : 1);
        }
        if (all)
            return q;
    }
    return 1e-9;
}

/*
 * The residual variance with a prior of one pseudo-year at the recorded
 * step q: (rss + q^2) / (df + 1) on df + 1 degrees of freedom. It matters
 * only when the residuals are below q (constant or nearly constant
 * series: no zero-width intervals) and fades as years accrue; it is used
 * only where it widens the interval, so that series recorded with many
 * digits are fitted by plain least squares.
 */
static double scale_prior_s2(const fc_series *s, double rss, int *df, double q)
{
    double plain = rss / *df, pooled = (rss + FC_SCALE_PRIOR_DF * q * q) / (*df + FC_SCALE_PRIOR_DF);
    if (s->no_scale_prior || !(pooled > plain))
        return plain; /* a floor: it never narrows an interval */
    *df += FC_SCALE_PRIOR_DF;
    return pooled;
}

/* ---------- normal models: mean, linear, log-linear ---------- */

static int fit_normal(fc_model m, const fc_series *s, fc_fit *f)
{
    int n = s->n, p = m == FM_MEAN ? 1 : 2;
    if (!s->y) {
        set_note(f, "no values");
        return -1;
    }
    if (n < p + 1) {
        set_note(f, "needs at least %d years", p + 1);
        return -1;
    }
    if (m == FM_LOGLINEAR)
        for (int i = 0; i < n; i++)
            if (!(s->y[i] > 0)) {
                set_note(f, "needs every value above zero (%g in %d)", s->y[i], (int)s->t[i]);
                return -1;
            }
    f->p = p;
    f->tc = mean_of(s->t, n);
    double *x = xmalloc(sizeof(double) * (size_t)n);
    double *z = xmalloc(sizeof(double) * (size_t)n);
    double mag = 0, sumlog = 0;
    for (int i = 0; i < n; i++) {
        x[i] = s->t[i] - f->tc;
        z[i] = m == FM_LOGLINEAR ? log(s->y[i]) : s->y[i];
        if (m == FM_LOGLINEAR)
            sumlog += z[i];
        if (fabs(s->y[i]) > mag)
            mag = fabs(s->y[i]);
    }
    double c[2], cov[2][2], rss = 0;
    int rc = wls(x, NULL, z, n, p, c, cov, &rss);
    free(x);
    free(z);
    if (rc != 0) {
        set_note(f, "least squares failed");
        return -1;
    }
    /* the recorded step, on the log scale relative to the geometric mean */
    double q = f->step = s->step > 0 ? s->step : recorded_step(s->y, n);
    if (m == FM_LOGLINEAR)
        q /= exp(sumlog / n);
    f->df = n - p;
    double s2 = scale_prior_s2(s, rss, &f->df, q);
    /* gsl_multifit_linear's convention: the covariance scaled by s^2. */
    f->b[0] = c[0];
    f->b[1] = p == 2 ? c[1] : 0;
    f->cov[0][0] = cov[0][0] * s2;
    f->cov[0][1] = f->cov[1][0] = cov[0][1] * s2;
    f->cov[1][1] = cov[1][1] * s2;
    f->sigma = sqrt(s2);
    /* A perfect fit would score an infinite likelihood: floor the residual
     * spread at 1e-9 of the series' size so that ties go to fewer parameters. */
    double floor_sd = m == FM_LOGLINEAR ? 1e-9 : 1e-9 * (mag > 0 ? mag : 1);
    double rss_eff = rss > n * floor_sd * floor_sd ? rss : n * floor_sd * floor_sd;
    f->loglik = -0.5 * n * (log(2 * M_PI * rss_eff / n) + 1) - sumlog;
    f->k = p + 1;
    f->aicc = aicc(f->loglik, f->k, n);
    return 0;
}

/* ---------- random walk with drift ---------- */

/*
 * y(t) = y(t-1) + d + e, e ~ N(0, s2): fitted to the changes between
 * successive years with data (a gap of g years is g steps: mean g d,
 * variance g s2). The likelihood is that of the changes, given the first
 * year; the other models' is made comparable in fc_select.
 */
static int fit_random_walk(const fc_series *s, fc_fit *f)
{
    int n = s->n;
    if (!s->y) {
        set_note(f, "no values");
        return -1;
    }
    if (n < 3) {
        set_note(f, "needs at least 3 years");
        return -1;
    }
    double sg = 0, sd = 0;
    for (int i = 1; i < n; i++) {
        sg += s->t[i] - s->t[i - 1];
        sd += s->y[i] - s->y[i - 1];
    }
    double d = sd / sg, rss = 0, mag = 0;
    for (int i = 1; i < n; i++) {
        double g = s->t[i] - s->t[i - 1], r = s->y[i] - s->y[i - 1] - g * d;
        rss += r * r / g;
        if (fabs(s->y[i]) > mag)
            mag = fabs(s->y[i]);
    }
    int m = n - 1;
    f->p = 1;
    f->df = m - 1;
    f->step = s->step > 0 ? s->step : recorded_step(s->y, n);
    f->sigma = sqrt(scale_prior_s2(s, rss, &f->df, f->step));
    f->b[0] = s->y[n - 1];
    f->b[1] = d;
    f->cov[1][1] = f->sigma * f->sigma / sg;
    f->last_y = s->y[n - 1];
    f->tc = s->t[n - 1];
    double floor_sd = 1e-9 * (mag > 0 ? mag : 1);
    double s2 = rss / m > floor_sd * floor_sd ? rss / m : floor_sd * floor_sd;
    double ll = 0;
    for (int i = 1; i < n; i++) {
        double g = s->t[i] - s->t[i - 1], r = s->y[i] - s->y[i - 1] - g * d;
        ll += -0.5 * (log(2 * M_PI * g * s2) + r * r / (g * s2));
    }
    f->loglik = ll;
    f->k = 2;
    f->aicc = aicc(ll, f->k, m);
    return 0;
}

/* ---------- damped trend (Holt) ---------- */

double fc_damped_filter(const double *t, const double *y, int n, double alpha, double beta,
                        double phi, double l0, double b0, double *fitted, double *level,
                        double *trend)
{
    double l = l0, b = b0, sse = 0;
    int i = 0;
    for (double yr = n ? t[0] : 0; i < n; yr += 1) {
        double yhat = l + phi * b;
        if (fabs(yr - t[i]) < 0.5) {
            double e = y[i] - yhat;
            if (fitted)
                fitted[i] = yhat;
            sse += e * e;
            l = yhat + alpha * e;
            b = phi * b + alpha * beta * e;
            i++;
        } else {
            l = yhat;
            b = phi * b;
        }
    }
    if (level)
        *level = l;
    if (trend)
        *trend = b;
    return sse;
}

double fc_damped_var_factor(double alpha, double beta, double phi, int h)
{
    double v = 1, phisum = 0, pw = 1;
    for (int j = 1; j < h; j++) {
        pw *= phi;
        phisum += pw;
        double cj = alpha * (1 + beta * phisum);
        v += cj * cj;
    }
    return v;
}

typedef struct damped_data {
    const double *t, *y;
    int n;
    double *f0, *u, *v, *zero;
} damped_data;

static const double damped_lo[3] = {0, 0, 0.8};
static const double damped_hi[3] = {1, 1, 0.995};

static double from_free(double x, int j)
{
    return damped_lo[j] + (damped_hi[j] - damped_lo[j]) * (1 + sin(x)) / 2;
}

static double to_free(double v, int j)
{
    double u = 2 * (v - damped_lo[j]) / (damped_hi[j] - damped_lo[j]) - 1;
    return asin(clampd(u, -1, 1));
}

/* SSE at (alpha, beta, phi) with the initial states chosen by least squares. */
static double damped_profile(const damped_data *d, double a, double b, double phi, double *l0,
                             double *b0)
{
    fc_damped_filter(d->t, d->y, d->n, a, b, phi, 0, 0, d->f0, NULL, NULL);
    fc_damped_filter(d->t, d->zero, d->n, a, b, phi, 1, 0, d->u, NULL, NULL);
    fc_damped_filter(d->t, d->zero, d->n, a, b, phi, 0, 1, d->v, NULL, NULL);
    double suu = 0, suv = 0, svv = 0, sur = 0, svr = 0, srr = 0;
    for (int i = 0; i < d->n; i++) {
        double r = d->y[i] - d->f0[i];
        suu += d->u[i] * d->u[i];
        suv += d->u[i] * d->v[i];
        svv += d->v[i] * d->v[i];
        sur += d->u[i] * r;
        svr += d->v[i] * r;
        srr += r * r;
    }
    double det = suu * svv - suv * suv;
    double L, B;
    if (det > 1e-12 * (suu * svv + 1e-300)) {
        L = (svv * sur - suv * svr) / det;
        B = (suu * svr - suv * sur) / det;
    } else {
        L = suu > 0 ? sur / suu : 0;
        B = 0;
    }
    if (l0)
        *l0 = L;
    if (b0)
        *b0 = B;
    double sse = srr - 2 * (L * sur + B * svr) + L * L * suu + 2 * L * B * suv + B * B * svv;
    return sse > 0 ? sse : 0;
}

static double damped_objective(const gsl_vector *x, void *params)
{
    const damped_data *d = params;
    return damped_profile(d, from_free(gsl_vector_get(x, 0), 0), from_free(gsl_vector_get(x, 1), 1),
                          from_free(gsl_vector_get(x, 2), 2), NULL, NULL);
}

static int fit_damped(const fc_series *s, fc_fit *f)
{
    int n = s->n;
    if (!s->y) {
        set_note(f, "no values");
        return -1;
    }
    if (n < DAMPED_MIN_POINTS) {
        set_note(f, "needs at least %d years (6 parameters)", DAMPED_MIN_POINTS);
        return -1;
    }
    damped_data d = {s->t, s->y, n, NULL, NULL, NULL, NULL};
    d.f0 = xcalloc((size_t)n, sizeof(double));
    d.u = xcalloc((size_t)n, sizeof(double));
    d.v = xcalloc((size_t)n, sizeof(double));
    d.zero = xcalloc((size_t)n, sizeof(double));
    gsl_multimin_function fn = {damped_objective, 3, &d};
    gsl_multimin_fminimizer *mz = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 3);
    gsl_vector *x = gsl_vector_alloc(3), *step = gsl_vector_alloc(3);
    static const double starts[][3] = {{0.3, 0.1, 0.9}, {0.8, 0.2, 0.95}, {0.5, 0.5, 0.85},
                                       {0.95, 0.05, 0.98}, {0.1, 0.9, 0.9}, {0.6, 0.02, 0.99}};
    double best = HUGE_VAL, bp[3] = {0.5, 0.1, 0.9};
    for (size_t st = 0; st < sizeof starts / sizeof starts[0]; st++) {
        for (int j = 0; j < 3; j++) {
            gsl_vector_set(x, (size_t)j, to_free(starts[st][j], j));
            gsl_vector_set(step, (size_t)j, 0.4);
        }
        gsl_multimin_fminimizer_set(mz, &fn, x, step);
        for (int it = 0; it < 2000; it++) {
            if (gsl_multimin_fminimizer_iterate(mz) != GSL_SUCCESS)
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(mz), 1e-10) == GSL_SUCCESS)
                break;
        }
        double val = gsl_multimin_fminimizer_minimum(mz);
        if (val < best * (1 - 1e-12)) {
            best = val;
            for (int j = 0; j < 3; j++)
                bp[j] = from_free(gsl_vector_get(mz->x, (size_t)j), j);
        }
    }
    gsl_multimin_fminimizer_free(mz);
    gsl_vector_free(x);
    gsl_vector_free(step);
    f->alpha = bp[0];
    f->beta = bp[1];
    f->phi = bp[2];
    damped_profile(&d, bp[0], bp[1], bp[2], &f->l0, &f->b0);
    f->sse = fc_damped_filter(s->t, s->y, n, f->alpha, f->beta, f->phi, f->l0, f->b0, NULL,
                              &f->level, &f->trend);
    free(d.f0);
    free(d.u);
    free(d.v);
    free(d.zero);
    double mag = 0;
    for (int i = 0; i < n; i++)
        if (fabs(s->y[i]) > mag)
            mag = fabs(s->y[i]);
    double floor_sd = 1e-9 * (mag > 0 ? mag : 1);
    double sse_eff = f->sse > n * floor_sd * floor_sd ? f->sse : n * floor_sd * floor_sd;
    f->df = n - 5;
    f->sigma = sqrt(f->sse / f->df);
    f->loglik = -0.5 * n * (log(2 * M_PI * sse_eff / n) + 1);
    f->k = 6;
    f->aicc = aicc(f->loglik, f->k, n);
    return 0;
}

/* ---------- count models: Poisson and negative binomial GLMs ---------- */

static double expo(const fc_series *s, int i) { return s->exposure ? s->exposure[i] : 1; }

/* The log-likelihood of count y at mean mu, overdispersion a (0: Poisson);
 * lg: lgamma(y + 1) and lgamma(1 / a), which a fit's many calls share,
 * or NULL. */
/* log Gamma(y + r) / Gamma(r) / y!, the negative binomial's term that does
 * not depend on the mean; lg as count_ll's. */
static int nb_coef_small(double y) { return y == floor(y) && y < 16; }

static double nb_log_coef(double y, double r, const double lg[2])
{
    if (nb_coef_small(y)) {
        /* small whole counts, the usual case: as a product, cheaper than
         * three lgamma calls */
        double prod = 1;
        for (int j = 0; j < (int)y; j++)
            prod *= (r + j) / (j + 1);
        return log(prod);
    }
    return lgamma(y + r) - (lg ? lg[1] : lgamma(r)) - (lg ? lg[0] : lgamma(y + 1));
}

/* lc: nb_log_coef(y, 1 / a, lg) worked out before (a table shared by
 * refits, see nb_coef_table), or NULL. */
static double count_ll(double y, double mu, double a, const double lg[2], const double *lc)
{
    if (a <= 0) {
        if (mu <= 0)
            return y == 0 ? 0 : -HUGE_VAL;
        return y * log(mu) - mu - (lg ? lg[0] : lgamma(y + 1));
    }
    double r = 1 / a, ll = lc ? *lc : nb_log_coef(y, r, lg);
    ll += r * log(r / (r + mu));
    if (y > 0)
        ll += y * log(mu / (r + mu));
    return ll;
}

/* The logs of count_ll at the last mean asked for (l2 NAN until a count
 * above zero needs it). */
typedef struct ll_logs {
    double mu, l1, l2;
} ll_logs;

/* count_ll(y, mu, a, ...) with its coefficient cf (nb_log_coef, or
 * lgamma(y + 1) for a Poisson) and r = 1 / a given, its logs kept in k
 * for the next year at the same mean. */
static double count_ll_at(double y, double mu, double a, double r, double cf, ll_logs *k)
{
    if (a <= 0) {
        if (mu <= 0)
            return y == 0 ? 0 : -HUGE_VAL;
        if (!(mu == k->mu)) {
            k->mu = mu;
            k->l1 = log(mu);
        }
        return y * k->l1 - mu - cf;
    }
    if (!(mu == k->mu)) {
        k->mu = mu;
        k->l1 = log(r / (r + mu));
        k->l2 = NAN;
    }
    double ll = cf;
    ll += r * k->l1;
    if (y > 0) {
        if (isnan(k->l2))
            k->l2 = log(mu / (r + mu));
        ll += y * k->l2;
    }
    return ll;
}

/* IRLS's linear predictors b0 [+ b1 x_i] into lin, the expression of
 * either p in a loop of its own (p a constant where it is inlined). */
static inline __attribute__((always_inline)) void glm_lin(const double *x, int n, int p, double b0,
                                                          double b1, double *lin)
{
    if (p == 2) {
        for (int i = 0; i < n; i++)
            lin[i] = b0 + b1 * x[i];
    } else {
        double l0 = b0 + 0.0; /* as b0 + (p == 2 ? b1 x : 0) */
        for (int i = 0; i < n; i++)
            lin[i] = l0;
    }
}

/* IRLS's means at b: exposure (ex, or 1) times exp of the linear
 * predictor, exp taken again only when the predictor changes (*plin and
 * *pexp: the last one and its exp; a constant rate has one). The
 * predictors are made first, so that only the last one and its exp are
 * kept across the calls to exp. */
static inline void glm_means(const double *x, const double *ex, int n, int p, const double b[2],
                      double *plin, double *pexp, double *mu)
{
    if (p == 2)
        glm_lin(x, n, 2, b[0], b[1], mu);
    else
        glm_lin(x, n, 1, b[0], b[1], mu);
    double pl = *plin, pe = *pexp;
    if (ex) {
        /* the exposure's product in the same pass (the same product) */
        for (int i = 0; i < n; i++) {
            double lin = mu[i];
            if (!(lin == pl)) {
                pl = lin;
                pe = exp(lin);
            }
            mu[i] = ex[i] * pe;
        }
    } else {
        for (int i = 0; i < n; i++) {
            double lin = mu[i];
            if (!(lin == pl)) {
                pl = lin;
                pe = exp(lin);
            }
            mu[i] = pe;
        }
    }
    *plin = pl;
    *pexp = pe;
}

/* glm_weights for one p (a constant where it is inlined). */
static inline __attribute__((always_inline)) void glm_weights_p(const double *x, const double *cnt,
                                                                const double *mu, int n, int p,
                                                                double a, double b0, double b1,
                                                                double *w, double *z, double sums[3])
{
    double sw = 0, swx = 0, swz = 0, l0 = b0 + 0.0;
    for (int i = 0; i < n; i++) {
        double m = mu[i], wi = m / (1 + a * m), zi = (p == 2 ? b0 + b1 * x[i] : l0) + (cnt[i] - m) / m;
        w[i] = wi;
        z[i] = zi;
        sw += wi;
        swx += wi * x[i];
        swz += wi * zi;
    }
    sums[0] = sw;
    sums[1] = swx;
    sums[2] = swz;
}

/* IRLS's weights w and working responses z at the means mu, and
 * wls_finish's first sums of w, w x and w z, added in the order wls_ridge
 * adds them. */
static inline void glm_weights(const double *x, const double *cnt, const double *mu, int n, int p,
                        double a, const double b[2], double *w, double *z, double sums[3])
{
    if (p == 2)
        glm_weights_p(x, cnt, mu, n, 2, a, b[0], b[1], w, z, sums);
    else
        glm_weights_p(x, cnt, mu, n, 1, a, b[0], b[1], w, z, sums);
}

/* glm_weights' weights w and their sums sw and w x alone (the same
 * figures): what the covariance at the estimate reads. */
static inline void glm_weights_only(const double *mu, int n, double a, const double *x, double *w,
                                    double *psw, double *pswx)
{
    double sw = 0, swx = 0;
    for (int i = 0; i < n; i++) {
        double m = mu[i], wi = m / (1 + a * m);
        w[i] = wi;
        sw += wi;
        swx += wi * x[i];
    }
    *psw = sw;
    *pswx = swx;
}

/*
 * IRLS for log(mu_i) = log(E_i) + b0 [+ b1 (t_i - tc)], variance mu + a mu^2
 * (a = 0: Poisson), b1 with the prior N(centre, s->trend_prior_sd^2),
 * from start (b0, b1) when it is not NULL (the profile over a below moves
 * a little at a time), else from the overall rate. lgy: lgamma(count + 1)
 * of each year (the profile's fits share them), or NULL. mu0: each year's
 * mean at start, as the fit that ended there gave it in mu_out (the same
 * expression, so the same figures), or NULL; mu_out: the means at the
 * estimate, or NULL. lc: nb_log_coef of each year at this a (a row of
 * nb_coef_table), or NULL.
 * Returns 0 and fills b, cov ((X'WX)^-1), the log-likelihood and Pearson's
 * chi2 (unless ll is NULL: a fit for its covariance only; pearson NULL:
 * the likelihood alone, as the profile's grid asks); -1 if it does
 * not converge.
 */
static int glm_fit(const fc_series *s, const double *lgy, const double *lc, int p, double a,
                   double tc, double centre, const double *start, const double *mu0, double b[2],
                   double cov[2][2], double *ll, double *pearson, double *mu_out)
{
    int n = s->n;
    double sy = 0, se = 0;
    for (int i = 0; i < n; i++) {
        sy += s->count[i];
        se += expo(s, i);
    }
    if (sy <= 0 || se <= 0)
        return -1;
    if (start && isfinite(start[0]) && isfinite(start[1])) {
        b[0] = start[0];
        b[1] = p == 2 ? start[1] : 0;
    } else {
        b[0] = log(sy / se);
        b[1] = 0;
        mu0 = NULL;
    }
    /* on the stack for the usual short series: the profile over alpha
     * calls this some 50 times per fit */
    double stack[4 * 64];
    double *x = n <= 64 ? stack : xmalloc(sizeof(double) * (size_t)(4 * n)), *w = x + n,
           *z = x + 2 * n, *mus = x + 3 * n;
    for (int i = 0; i < n; i++)
        x[i] = s->t[i] - tc;
    double ridge = s->trend_prior_sd > 0 ? 1 / (s->trend_prior_sd * s->trend_prior_sd) : 0;
    int converged = 0, unmoved = 0;
    double c[2], cm[2][2];
    /* the means and the sums of w and w x of the last step */
    const double *last_m = mus;
    double last_sw = 0, last_swx = 0;
    /* the last linear predictor and its exp (glm_means) */
    double plin = NAN, pexp = NAN;
    const double *ex = s->exposure;
    for (int it = 0; it < 100 && !converged; it++) {
        double sums[3];
        const double *m = mus;
        if (it == 0 && mu0)
            m = mu0;
        else
            glm_means(x, ex, n, p, b, &plin, &pexp, mus);
        glm_weights(x, s->count, m, n, p, a, b, w, z, sums);
        /* the steps need the coefficients only: the covariance is the
         * pass's at the estimate below */
        if (wls_finish(x, w, z, n, p, ridge, centre, sums[0], sums[1], sums[2], c, NULL, NULL) != 0)
            break;
        double b_was[2] = {b[0], b[1]};
        last_m = m;
        last_sw = sums[0];
        last_swx = sums[1];
        double delta = 0;
        for (int j = 0; j < p; j++) {
            double nb = c[j];
            if (!isfinite(nb)) {
                delta = HUGE_VAL;
                break;
            }
            double dd = fabs(nb - b[j]) / (1 + fabs(nb));
            if (dd > delta)
                delta = dd;
            b[j] = nb;
        }
        if (!isfinite(delta) || (p == 2 && fabs(b[1]) > 4 * MAX_TREND))
            break;
        if (delta < 1e-12) {
            converged = 1;
            unmoved = memcmp(b_was, b, sizeof b_was) == 0;
        }
    }
    if (converged) {
        /* covariance at the final estimate (X'WX)^-1: of the weights alone,
         * the working responses change only the coefficients, which are
         * not kept; the means are the likelihood's below. A last step that
         * left b as it was (to the bit; some 6 % of the fits, most at the
         * first step from a warm start) had the means and weights at b
         * already. */
        if (unmoved) {
            if (last_m != mus)
                memcpy(mus, last_m, sizeof(double) * (size_t)n);
        } else {
            glm_means(x, ex, n, p, b, &plin, &pexp, mus);
            glm_weights_only(mus, n, a, x, w, &last_sw, &last_swx);
        }
        if (wls_cov(x, w, n, p, ridge, last_sw, last_swx, cm) != 0)
            converged = 0;
    }
    if (converged) {
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++)
                cov[j][k] = j < p && k < p ? cm[j][k] : 0;
        if (mu_out)
            memcpy(mu_out, mus, sizeof(double) * (size_t)n);
    }
    if (converged && ll) {
        /* count_ll term for term, its logs and coefficients taken once for
         * each mean and count that repeat (a constant rate without exposures
         * has one mean; small counts repeat) */
        double l = 0, pc = 0, lg[2] = {0, NAN}, r = a > 0 ? 1 / a : 0, coef[64];
        ll_logs lk = {NAN, NAN, NAN};
        for (int i = 0; i < n; i++) {
            double mu = mus[i], y = s->count[i], cf;
            if (a > 0 && lc) {
                cf = lc[i];
            } else {
                int j = 0;
                while (j < i && j < 64 && s->count[j] != y)
                    j++;
                if (j < i && j < 64) {
                    cf = coef[j];
                } else {
                    lg[0] = lgy ? lgy[i] : lgamma(y + 1);
                    if (a > 0 && !nb_coef_small(y) && isnan(lg[1]))
                        lg[1] = lgamma(1 / a);
                    cf = a > 0 ? nb_log_coef(y, r, lg) : lg[0];
                }
                if (i < 64)
                    coef[i] = cf;
            }
            l += count_ll_at(y, mu, a, r, cf, &lk);
            if (pearson) {
                double d = y - mu;
                pc += d * d / (mu + a * mu * mu);
            }
        }
        *ll = l;
        if (pearson)
            *pearson = pc;
    }
    if (x != stack)
        free(x);
    return converged ? 0 : -1;
}

/* The exposure's annual log growth over the series: the least-squares
 * slope of log(exposure) on the year; 0 without exposures. */
static double exposure_growth(const fc_series *s)
{
    if (!s->exposure || s->n < 2)
        return 0;
    double tm = mean_of(s->t, s->n), lm = 0, stt = 0, stl = 0;
    for (int i = 0; i < s->n; i++)
        lm += log(s->exposure[i]) / s->n;
    for (int i = 0; i < s->n; i++) {
        stt += (s->t[i] - tm) * (s->t[i] - tm);
        stl += (s->t[i] - tm) * (log(s->exposure[i]) - lm);
    }
    return stt > 0 ? stl / stt : 0;
}

static int check_counts(const fc_series *s, fc_fit *f)
{
    if (!s->count) {
        set_note(f, "not a count-based indicator");
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        if (!(s->count[i] >= 0) || !(expo(s, i) > 0)) {
            set_note(f, "needs counts >= 0 and exposures > 0");
            return -1;
        }
    return 0;
}

/* The negative binomial's profile grid of log alpha: NB_LA0 + NB_LA_STEP g,
 * g < NB_GRID (-10 to 3). */
#define NB_GRID 27
#define NB_LA0 (-10.0)
#define NB_LA_STEP 0.5

/* alpha at each point of the grid, exp(NB_LA0 + NB_LA_STEP g): the same
 * exponentials in every fit (a series' own and each of its refits), so
 * taken once and kept, as hermite's table */
static const double *nb_alpha_grid(void)
{
    static double a[NB_GRID];
    static int ready;
    if (!ready) {
        for (int g = 0; g < NB_GRID; g++)
            a[g] = exp(NB_LA0 + NB_LA_STEP * g);
        ready = 1;
    }
    return a;
}

/*
 * nb_log_coef of each count of s at each alpha of the grid: row g, column i
 * (NB_GRID x n, the caller frees), as glm_fit would work it out. The
 * leave-one-out refits of a series share these (fc_loo_score): the term
 * does not depend on the fit, and each refit's grid asked for it anew.
 */
static double *nb_coef_table(const fc_series *s)
{
    int n = s->n;
    double *t = xmalloc(sizeof(double) * NB_GRID * (size_t)(n > 0 ? n : 1));
    /* lgamma(count + 1) once for the grid, lgamma(1 / a) only where a
     * count needs it, and a count that repeats takes its row's value */
    double *lgy = xmalloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    int *first = xmalloc(sizeof(int) * (size_t)(n > 0 ? n : 1)), big = 0;
    for (int i = 0; i < n; i++) {
        lgy[i] = lgamma(s->count[i] + 1);
        big |= !nb_coef_small(s->count[i]);
        first[i] = i;
        for (int j = 0; j < i; j++)
            if (s->count[j] == s->count[i]) {
                first[i] = j;
                break;
            }
    }
    const double *alpha = nb_alpha_grid();
    for (int g = 0; g < NB_GRID; g++) {
        double a = alpha[g], lg[2] = {0, big ? lgamma(1 / a) : 0};
        double *row = t + (size_t)g * (size_t)n;
        for (int i = 0; i < n; i++) {
            lg[0] = lgy[i];
            row[i] = first[i] < i ? row[first[i]] : nb_log_coef(s->count[i], 1 / a, lg);
        }
    }
    free(lgy);
    free(first);
    return t;
}

/* -log L of the negative binomial at log alpha = la (what Brent's method
 * minimises), fitted from the grid's best coefficients. */
typedef struct nb_profile {
    const fc_series *s;
    const double *lg;
    int p;
    double tc, centre;
    const double *start, *start_mu;
    /* the best fit seen: the final fit at the estimate is this very
     * computation (same alpha, start and data), so it is kept, not redone */
    int have;
    double best_la, b[2], cov[2][2], ll, pearson;
} nb_profile;

static double nb_neg_ll(double la, nb_profile *np)
{
    double b[2], cv[2][2], l, pcs;
    if (glm_fit(np->s, np->lg, NULL, np->p, exp(la), np->tc, np->centre, np->start, np->start_mu, b, cv,
                &l, &pcs, NULL) != 0)
        return DBL_MAX; /* worse than any fit: the search moves away */
    if (!np->have || l >= np->ll) {
        np->have = 1;
        np->best_la = la;
        memcpy(np->b, b, sizeof b);
        memcpy(np->cov, cv, sizeof cv);
        np->ll = l;
        np->pearson = pcs;
    }
    return -l;
}

/*
 * Brent's minimiser of -log L over log alpha in [x - 0.5, x + 0.5] from the
 * grid's best x (-log L fx): parabolic steps through the last three points
 * where they fall inside and shrink, golden-section steps elsewhere
 * (Brent 1973, ch. 5). It stops when the bracket holding the minimum is at
 * most 4 tol wide, so the estimate is within 4 tol of it: 7 fits in refits
 * and 24 in full fits on the synthetic regions, where the golden section
 * took 20 and 46. at_floor: x is the grid's first point.
 */
static double nb_brent(nb_profile *np, double x, double fx, double tol, int at_floor)
{
    const double cgold = 0.3819660112501051;
    double a = x - 0.5, b = x + 0.5, w = x, v = x, fw = fx, fv = fx, d = 0, e = 0;
    if (at_floor) {
        /* the grid's smallest alpha fitted best (counts close to Poisson):
         * the likelihood mostly still rises toward alpha = 0, its maximum
         * in the bracket is then within 4 tol of the bracket's end, and two
         * fits show it where a search takes 20 to 44 closing in on the end */
        double fa = nb_neg_ll(a, np), fa2 = nb_neg_ll(a + 4 * tol, np);
        if (fa <= fx && fa <= fa2)
            return a + 2 * tol;
    }
    for (int it = 0; it < 100; it++) {
        double xm = (a + b) / 2, tol2 = 2 * tol;
        if (fabs(x - xm) <= tol2 - (b - a) / 2)
            break;
        int golden = 1;
        if (fabs(e) > tol) {
            double r = (x - w) * (fx - fv), q = (x - v) * (fx - fw), p = (x - v) * q - (x - w) * r;
            q = 2 * (q - r);
            if (q > 0)
                p = -p;
            q = fabs(q);
            double etemp = e;
            e = d;
            if (isfinite(p) && isfinite(q) && fabs(p) < fabs(q * etemp / 2) && p > q * (a - x) &&
                p < q * (b - x)) {
                d = p / q; /* the parabola's vertex */
                double u = x + d;
                if (u - a < tol2 || b - u < tol2)
                    d = xm > x ? tol : -tol;
                golden = 0;
            }
        }
        if (golden) {
            e = x >= xm ? a - x : b - x;
            d = cgold * e;
        }
        double u = fabs(d) >= tol ? x + d : x + (d > 0 ? tol : -tol), fu = nb_neg_ll(u, np);
        if (fu <= fx) {
            if (u >= x)
                a = x;
            else
                b = x;
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if (u < x)
                a = u;
            else
                b = u;
            if (fu <= fw || w == x) {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if (fu <= fv || v == x || v == w) {
                v = u;
                fv = fu;
            }
        }
    }
    return x;
}

static int fit_count(fc_model m, const fc_series *s, fc_fit *f)
{
    if (check_counts(s, f) != 0)
        return -1;
    int n = s->n;
    int p = m == FM_POISSON || m == FM_NEGBIN ? 2 : 1;
    f->p = p;
    f->tc = mean_of(s->t, n);
    f->sum_count = f->sum_exposure = 0;
    for (int i = 0; i < n; i++) {
        f->sum_count += s->count[i];
        f->sum_exposure += expo(s, i);
    }
    if (n < p + 1) {
        set_note(f, "needs at least %d years", p + 1);
        return -1;
    }
    if (m == FM_POISSON_MEAN) {
        /* Closed form; with no event at all the rate estimate is 0. */
        double rate = f->sum_count / f->sum_exposure;
        f->b[0] = f->sum_count > 0 ? log(rate) : -HUGE_VAL;
        f->cov[0][0] = f->sum_count > 0 ? 1 / f->sum_count : HUGE_VAL;
        double ll = 0, pc = 0;
        for (int i = 0; i < n; i++) {
            double mu = expo(s, i) * rate;
            ll += count_ll(s->count[i], mu, 0, NULL, NULL);
            if (mu > 0)
                pc += (s->count[i] - mu) * (s->count[i] - mu) / mu;
        }
        f->loglik = ll;
        f->dispersion = n > 1 && f->sum_count > 0 ? pc / (n - 1) : 0;
        f->k = 1;
        f->aicc = aicc(ll, 1, n);
        return 0;
    }
    if (f->sum_count <= 0) {
        set_note(f, "every count is zero: no rate or trend can be estimated");
        return -1;
    }
    /* the trend's prior is centred on an unchanged expected count, not an
     * unchanged rate: deaths do not grow with GDP or with the number of
     * vehicles, so the rate per exposure is expected to fall as fast as
     * the exposure grows (docs/methodology.md, 2) */
    double centre = s->trend_prior_sd > 0 && p == 2 ? -exposure_growth(s) : 0;
    f->trend_centre = centre;
    double ll = 0, pc = 0, lgy[64]; /* lgamma(count + 1), once for all the fits below */
    for (int i = 0; i < n && n <= 64; i++)
        lgy[i] = lgamma(s->count[i] + 1);
    const double *lg = n <= 64 ? lgy : NULL;
    if (m == FM_POISSON) {
        if (glm_fit(s, lg, NULL, 2, 0, f->tc, centre, NULL, NULL, f->b, f->cov, &ll, &pc, NULL) != 0 ||
            fabs(f->b[1]) > MAX_TREND) {
            set_note(f, "no finite trend: the counts are too few or all at one end");
            return -1;
        }
    } else {
        /* Negative binomial: profile the likelihood over log(a) on a grid,
         * then refine by golden section. */
        double best_ll = -HUGE_VAL, best_la = 0;
        double bb[2], cc[2][2], warm[2] = {NAN, NAN}, best_b[2] = {NAN, NAN};
        /* the same grid gives alpha's posterior: a prior log alpha ~
         * N(log 0.2, 1.5^2) (overdispersion of yearly death tolls is
         * typically 0.05-1), because with 3-7 degrees of freedom the
         * likelihood alone cannot tell alpha from zero */
        double post_w = 0, post_a = 0, post_max = -HUGE_VAL;
        double grid_l[32], grid_a[32]; /* alpha itself, not exp(log alpha) again */
        /* each fit's means at its estimate start the next fit (and Brent's
         * from the best): n exponentials fewer each */
        double mu_warm[64], mu_new[64], mu_best[64];
        int ng = 0, mu_ok = 0, keep_mu = n <= 64;
        const double *alpha = nb_alpha_grid();
        for (int g = 0; g < NB_GRID; g++) {
            double l, la = NB_LA0 + NB_LA_STEP * g;
            const double *lc = s->nb_coef ? s->nb_coef + (size_t)g * (size_t)n : NULL;
            double ag = alpha[g];
            if (glm_fit(s, lg, lc, p, ag, f->tc, centre, warm, mu_ok ? mu_warm : NULL, bb, cc,
                        &l, NULL, keep_mu ? mu_new : NULL) == 0) {
                if (ng < 32) {
                    double z = (la - log(0.2)) / 1.5;
                    grid_l[ng] = l - 0.5 * z * z;
                    grid_a[ng] = ag;
                    if (grid_l[ng] > post_max)
                        post_max = grid_l[ng];
                    ng++;
                }
                warm[0] = bb[0];
                warm[1] = bb[1];
                if (keep_mu)
                    memcpy(mu_warm, mu_new, sizeof(double) * (size_t)n);
                mu_ok = keep_mu;
                if (l > best_ll) {
                    best_ll = l;
                    best_la = la;
                    best_b[0] = bb[0];
                    best_b[1] = bb[1];
                    if (keep_mu)
                        memcpy(mu_best, mu_new, sizeof(double) * (size_t)n);
                }
            }
        }
        if (!isfinite(best_ll)) {
            set_note(f, "the negative binomial fit did not converge");
            return -1;
        }
        /* log alpha to within 0.618^44 / 2 ~ 3e-10 (0.618^18 / 2 ~ 9e-5 in
         * refits for scoring): the precision the golden section had */
        nb_profile np = {.s = s, .lg = lg, .p = p, .tc = f->tc, .centre = centre, .start = best_b,
                         .start_mu = keep_mu ? mu_best : NULL};
        double tol = pow((sqrt(5) - 1) / 2, s->refit ? 18 : 44) / 8;
        double la_hat = nb_brent(&np, best_la, -best_ll, tol, best_la <= -10);
        f->nb_alpha = exp(la_hat);
        for (int j = 0; j < ng; j++) {
            double wj = exp(grid_l[j] - post_max);
            post_w += wj;
            post_a += wj * grid_a[j];
        }
        f->nb_alpha_pred = post_w > 0 ? post_a / post_w : f->nb_alpha;
        int reuse = np.have && np.best_la == la_hat;
        if (reuse) {
            memcpy(f->b, np.b, sizeof f->b);
            memcpy(f->cov, np.cov, sizeof f->cov);
            ll = np.ll;
            pc = np.pearson;
        }
        if ((!reuse && glm_fit(s, lg, NULL, p, f->nb_alpha, f->tc, centre, best_b, np.start_mu, f->b,
                               f->cov, &ll, &pc, keep_mu ? mu_new : NULL) != 0) ||
            (p == 2 && fabs(f->b[1]) > MAX_TREND)) {
            set_note(f, "no finite negative binomial fit");
            return -1;
        }
        /* the coefficients' uncertainty at that alpha too (wider, the
         * larger alpha is): the estimates stay those of maximum likelihood */
        double cv[2][2], bp[2];
        if (glm_fit(s, lg, NULL, p, f->nb_alpha_pred, f->tc, centre, f->b, keep_mu && !reuse ? mu_new : NULL,
                    bp, cv, NULL, NULL, NULL) == 0 &&
            cv[0][0] > f->cov[0][0] && f->cov[0][0] > 0)
            f->vscale = cv[0][0] / f->cov[0][0];
    }
    f->loglik = ll;
    f->dispersion = pc / (n - p);
    if (m == FM_POISSON && f->dispersion > 1)
        f->vscale = f->dispersion; /* quasi-Poisson: a trend from noisy years is less sure */
    if (f->vscale > 0 && n - p > 0)
        /* the scale was estimated from n - p years: the variance of Student's
         * t on that many degrees of freedom, not the normal's (capped) */
        f->vscale *= n - p > 3 ? (double)(n - p) / (n - p - 2) : 3;
    f->k = p + (m == FM_NEGBIN || m == FM_NEGBIN_MEAN ? 1 : 0);
    f->aicc = aicc(ll, f->k, n);
    return 0;
}

/* ---------- shares of trials: binomial on the logit scale ---------- */

static double logistic(double x) { return 1 / (1 + exp(-x)); }

/*
 * logit(share) = b0 [+ b1 (t - tc)] for count[i] successes of exposure[i]
 * trials, by IRLS with half a success and half a failure added, spread
 * over the years (Jeffreys' prior, near enough): a share at 100 % every year has a finite
 * logit, and the chance of a year short of 100 % is not zero. The slope has
 * the normal prior s->trend_prior_sd (FC_SHARE_TREND_PRIOR_SD in the plans'
 * forecasts): a few years at or near 100 % would otherwise be extrapolated
 * into a logit that runs off, and P(= 100 %) with it. Years vary
 * more than binomially: the excess of Pearson's chi2/df over 1 is turned
 * into a variance of each year's own logit effect, and the coefficients'
 * covariance is scaled by it.
 */
static int fit_binomial(fc_model m, const fc_series *s, fc_fit *f)
{
    if (check_counts(s, f) != 0)
        return -1;
    int n = s->n, p = m == FM_BINOMIAL ? 2 : 1;
    for (int i = 0; i < n; i++)
        if (s->count[i] > expo(s, i)) {
            set_note(f, "a count above its number of trials in %d", (int)s->t[i]);
            return -1;
        }
    if (n < p + 1) {
        set_note(f, "needs at least %d years", p + 1);
        return -1;
    }
    f->p = p;
    f->tc = mean_of(s->t, n);
    double *x = xmalloc(sizeof(double) * (size_t)(3 * n)), *w = x + n, *z = x + 2 * n;
    double sy = 0, sn = 0;
    for (int i = 0; i < n; i++) {
        x[i] = s->t[i] - f->tc;
        sy += s->count[i] + 0.5 / n;
        sn += expo(s, i) + 1.0 / n;
    }
    double b[2] = {log(sy / (sn - sy)), 0}, c[2], cm[2][2];
    double ridge = s->trend_prior_sd > 0 ? 1 / (s->trend_prior_sd * s->trend_prior_sd) : 0;
    int ok = 0;
    for (int it = 0; it < 100 && !ok; it++) {
        for (int i = 0; i < n; i++) {
            double N = expo(s, i) + 1.0 / n, y = s->count[i] + 0.5 / n;
            double eta = b[0] + b[1] * x[i], pr = logistic(eta);
            w[i] = N * pr * (1 - pr);
            z[i] = eta + (y - N * pr) / w[i];
        }
        if (wls_ridge(x, w, z, n, p, ridge, 0, c, cm, NULL) != 0)
            break;
        double delta = fabs(c[0] - b[0]) + (p == 2 ? fabs(c[1] - b[1]) : 0);
        b[0] = c[0];
        b[1] = p == 2 ? c[1] : 0;
        if (!isfinite(delta))
            break;
        /* relative: a logit of 15 (every one of 490,000 trials a success)
         * moves by rounding alone by about 1e-10 from one step to the next */
        ok = delta < 1e-10 * (1 + fabs(b[0]));
    }
    if (!ok) {
        free(x);
        set_note(f, "the binomial fit did not converge");
        return -1;
    }
    /* a refit for scoring (fc_loo_score) reads the predictive alone: its
     * likelihood, three log gammas a year, is left NAN */
    double ll = s->refit ? NAN : 0, pc = 0, sv = 0, sN = 0;
    for (int i = 0; i < n; i++) {
        double N = expo(s, i), pr = logistic(b[0] + b[1] * x[i]);
        double Np = N * pr, v = N * pr * (1 - pr);
        w[i] = (N + 1.0 / n) * pr * (1 - pr);
        if (!s->refit)
            ll += lgamma(N + 1) - lgamma(s->count[i] + 1) - lgamma(N - s->count[i] + 1) +
                  s->count[i] * log(pr) + (N - s->count[i]) * log1p(-pr);
        pc += v > 0 ? (s->count[i] - Np) * (s->count[i] - Np) / v : 0;
        sv += v;
        sN += N;
    }
    wls_ridge(x, w, z, n, p, ridge, 0, c, cm, NULL);
    free(x);
    double disp = n > p ? pc / (n - p) : 1;
    double phi = disp > 1 ? disp : 1;
    f->b[0] = b[0];
    f->b[1] = b[1];
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < 2; k++)
            f->cov[j][k] = j < p && k < p ? cm[j][k] * phi : 0;
    /* Var(count) ~ N p(1-p) (1 + N p(1-p) re_var) for a logit effect of
     * small variance re_var: match the excess dispersion */
    double mean_v = sv / n;
    f->re_var = disp > 1 && mean_v > 0 ? (disp - 1) / mean_v : 0;
    f->dispersion = disp;
    f->sum_exposure = sN;
    f->loglik = ll;
    f->k = p + 1;
    f->aicc = aicc(ll, f->k, n);
    return 0;
}

int fc_fit_model(fc_model m, const fc_series *s, fc_fit *f)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    memset(f, 0, sizeof *f);
    f->model = m;
    f->n = s->n;
    f->aicc = NAN;
    f->loglik = NAN;
    f->loo = NAN;
    if (s->n > 0) {
        f->first_t = s->t[0];
        f->last_t = s->t[s->n - 1];
    }
    int rc;
    switch (m) {
    case FM_MEAN:
    case FM_LINEAR:
    case FM_LOGLINEAR: rc = fit_normal(m, s, f); break;
    case FM_DAMPED: rc = fit_damped(s, f); break;
    case FM_RANDOM_WALK: rc = fit_random_walk(s, f); break;
    case FM_BINOMIAL_MEAN:
    case FM_BINOMIAL: rc = fit_binomial(m, s, f); break;
    case FM_POISSON_MEAN:
    case FM_POISSON:
    case FM_NEGBIN_MEAN:
    case FM_NEGBIN: rc = fit_count(m, s, f); break;
    default: set_note(f, "no such model"); rc = -1;
    }
    f->ok = rc == 0;
    gsl_set_error_handler(old);
    return rc;
}

/* ---------- predictive distributions ---------- */

/*
 * The NQ Gauss-Hermite nodes and weights for a standard normal. They are
 * computed on first use and kept: fc_predict() needs them for every count
 * prediction, and GSL builds them with an allocation and an eigen-solve.
 * The table never changes once filled, so it is not state a caller sees.
 */
static const double *hermite(const double **weights)
{
    static double x[NQ], w[NQ];
    static int ready;
    if (!ready) {
        gsl_integration_fixed_workspace *ws =
            gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, NQ, 0, 1, 0, 0);
        if (!ws) {
            fprintf(stderr, "planeval: out of memory (Gauss-Hermite nodes)\n");
            abort();
        }
        const double *nx = gsl_integration_fixed_nodes(ws), *nw = gsl_integration_fixed_weights(ws);
        double sw = 0;
        for (int i = 0; i < NQ; i++)
            sw += nw[i];
        for (int i = 0; i < NQ; i++) {
            x[i] = nx[i] * M_SQRT2; /* nodes for a standard normal */
            w[i] = nw[i] / sw;
        }
        gsl_integration_fixed_free(ws);
        ready = 1;
    }
    *weights = w;
    return x;
}

/*
 * The nodes of a normal(centre, sd^2) for out's mixture: the Gauss-Hermite
 * nodes whose weight is at least 1e-10 (the far tails add nothing a
 * probability shows, and every node costs a CDF in every quantile search);
 * one node when sd is 0.
 */
static void gh_fill(fc_pred *out, double centre, double sd)
{
    const double *w, *x = hermite(&w);
    double sw = 0;
    out->nq = 0;
    for (int i = 0; i < NQ; i++)
        if (w[i] >= 1e-10 && (sd > 0 || out->nq == 0)) {
            out->eta[out->nq] = centre + (sd > 0 ? sd * x[i] : 0);
            out->w[out->nq] = sd > 0 ? w[i] : 1;
            sw += out->w[out->nq];
            out->nq++;
        }
    for (int i = 0; i < out->nq; i++)
        out->w[i] /= sw;
}

/* P(Y <= k) at node i of a count prediction (the only one for PK_NBJ). */
static double node_cdf(const fc_pred *p, int i, unsigned k)
{
    if (p->kind == PK_NBJ)
        return gsl_cdf_negative_binomial_P(k, p->q, p->r);
    if (p->binom)
        return k >= p->E ? 1 : gsl_cdf_binomial_P(k, logistic(p->eta[i]), (unsigned)p->E);
    double mu = exp(p->eta[i]);
    if (!(mu > 0))
        return 1;
    if (!isfinite(mu))
        return 0;
    if (p->negbin)
        return gsl_cdf_negative_binomial_P(k, 1 / (1 + p->nb_alpha * mu), 1 / p->nb_alpha);
    return gsl_cdf_poisson_P(k, mu);
}

/* P(Y = k) at node i. */
/*
 * P(Y = k) at node i. lc: NULL, or the log coefficient of k shared by every
 * node of p (NAN until the first node needs it), for the mixture's mass at
 * one k (count_pmf): GSL 2.7's gsl_ran_negative_binomial_pdf(k, q, r) is
 * exp(lngamma(k + r) - lngamma(r) - lngamma(k + 1) + r log q + k log(1 - q))
 * and gsl_ran_binomial_pdf(k, pr, E) exp(log C(E, k) + k log pr + (E - k)
 * log(1 - pr)), term for term, and their log gammas are the same at every
 * node, so they are taken once, not at each (the leave-one-out scores call
 * count_pmf for each year of each refit).
 */
static double node_pmf(const fc_pred *p, int i, unsigned k, double *lc)
{
    if (p->kind == PK_NBJ)
        return gsl_ran_negative_binomial_pdf(k, p->q, p->r);
    if (p->binom) {
        if (k > p->E)
            return 0;
        unsigned N = (unsigned)p->E;
        double pr = logistic(p->eta[i]);
        if (!lc)
            return gsl_ran_binomial_pdf(k, pr, N);
        if (pr == 0)
            return k == 0;
        if (pr == 1)
            return k == N;
        if (isnan(*lc))
            *lc = gsl_sf_lnchoose(N, k);
        return exp(*lc + k * log(pr) + (N - k) * log1p(-pr));
    }
    double mu = exp(p->eta[i]);
    if (!(mu > 0))
        return k == 0;
    if (!isfinite(mu))
        return 0;
    if (p->negbin) {
        double q = 1 / (1 + p->nb_alpha * mu), r = 1 / p->nb_alpha;
        if (!lc)
            return gsl_ran_negative_binomial_pdf(k, q, r);
        if (isnan(*lc))
            *lc = gsl_sf_lngamma(k + r) - gsl_sf_lngamma(r) - gsl_sf_lngamma(k + 1.0);
        return exp(*lc + r * log(q) + k * log1p(-q));
    }
    return gsl_ran_poisson_pdf(k, mu);
}

static double count_cdf(const fc_pred *p, double c)
{
    if (c < 0)
        return 0;
    unsigned k = c > 4e9 ? 4000000000u : (unsigned)c;
    if (p->kind == PK_NBJ)
        return node_cdf(p, 0, k);
    double s = 0;
    for (int i = 0; i < p->nq; i++)
        s += p->w[i] * node_cdf(p, i, k);
    return s > 1 ? 1 : s;
}

/* Smallest count c with P(Y <= c) >= q. */
/* The mean and variance of the count at node i (not PK_NBJ). */
static void node_moments(const fc_pred *p, int i, double *mu, double *v)
{
    if (p->binom) {
        double pr = logistic(p->eta[i]);
        *mu = p->E * pr;
        *v = *mu * (1 - pr);
    } else {
        *mu = exp(p->eta[i]);
        *v = p->negbin ? *mu + p->nb_alpha * *mu * *mu : *mu;
    }
}

/* The mean and standard deviation of the count, for a first guess. */
static void count_moments(const fc_pred *p, double *mean, double *sd)
{
    double m = 0, m2 = 0;
    if (p->kind == PK_NBJ) {
        m = p->r * (1 - p->q) / p->q;
        *mean = m;
        *sd = sqrt(m / p->q);
        return;
    }
    for (int i = 0; i < p->nq; i++) {
        double mu, v;
        node_moments(p, i, &mu, &v);
        m += p->w[i] * mu;
        m2 += p->w[i] * (v + mu * mu);
    }
    *mean = m;
    *sd = m2 > m * m ? sqrt(m2 - m * m) : 0;
}

/*
 * A count's CDF tabulated at k0, ..., k0 + n - 1 (its mean -+ 12 sd) from
 * the probability masses' recurrences (a multiplication per node and
 * count, from each node's exact CDF and mass at k0), for the quantile
 * searches: they only compare F(c) with q, so a table value farther than
 * CDF_GUARD from q decides alone, and only the rare one within it is
 * recomputed by count_cdf(). The table is off by about 1e-13
 * (test_count_quantile_tables checks 1e-11), so the searches find the
 * very counts they found with count_cdf() alone, at a fraction of the
 * incomplete beta and gamma functions' cost. A count too spread out for
 * CDF_TABLE_MAX counts, or a node whose mass at k0 underflows, gets no
 * table: its searches use count_cdf() as before. The recurrence is carried
 * only as far as a search reads (table_at): the intervals' quantiles lie
 * within a few sd above the mean, and the table's upper half was worked
 * out for nothing; each value is the very one the whole loop gave.
 */
#define CDF_GUARD 1e-9
#define CDF_TABLE_MAX 4096
#define CDF_NODES 32
#define CDF_MEMO 8

typedef struct cdf_table {
    int n;     /* counts tabulated; 0: none */
    int done;  /* F[0..done) worked out */
    double k0; /* the first */
    double *F; /* F[c - k0] ~ count_cdf(p, c) */
    /* the recurrence at count k0 + done: each node's weight, factors,
     * first count, mass and CDF */
    int nq;
    double wt[CDF_NODES], fa[CDF_NODES], fb[CDF_NODES], st[CDF_NODES], pm[CDF_NODES],
        cum[CDF_NODES];
    /* the last CDF_MEMO counts whose count_cdf() a search needed (no table,
     * a count outside it, or a value within CDF_GUARD of q) and their
     * values: the searches of an interval's four ends ask some of the same
     * counts, each an incomplete beta or gamma function per node */
    int nmemo, next;
    double mc[CDF_MEMO], mF[CDF_MEMO];
} cdf_table;

/* Node i's P(Y = 0) (log) and the factors of P(Y = k) / P(Y = k - 1) =
 * (a + b k) / k; all0 / none: the node's CDF is 1 (or 0) at every count.
 * -1 if the factors are not finite. */
static int node_recurrence(const fc_pred *p, int i, double *log0, double *a, double *b,
                           int *all0, int *none)
{
    *all0 = *none = 0;
    if (p->kind == PK_NBJ) {
        *log0 = p->r * log(p->q);
        *a = (p->r - 1) * (1 - p->q);
        *b = 1 - p->q;
        return 0;
    }
    double mu = exp(p->eta[i]);
    if (p->binom) {
        double pr = logistic(p->eta[i]), odds = pr / (1 - pr);
        *log0 = p->E * log1p(-pr);
        *a = (p->E + 1) * odds;
        *b = -odds;
        return isfinite(odds) && isfinite(*log0) ? 0 : -1;
    }
    if (!(mu > 0)) {
        *all0 = 1; /* count_cdf() says 1 at every count */
        return 0;
    }
    if (!isfinite(mu)) {
        *none = 1; /* and 0 here */
        return 0;
    }
    if (p->negbin) {
        double r = 1 / p->nb_alpha, pq = 1 / (1 + p->nb_alpha * mu);
        *log0 = r * log(pq);
        *a = (r - 1) * (1 - pq);
        *b = 1 - pq;
        return 0;
    }
    *log0 = -mu;
    *a = mu;
    *b = 0;
    return 0;
}

/*
 * A node whose mass at the table's first count k0 underflows, starting its
 * recurrence at its own mean - 20 sd instead, where its CDF is at most
 * 1e-13 (taken as that below); -1 if it cannot.
 */
static int node_late_start(const fc_pred *p, int i, double k0, double top, double *st,
                           double *cum, double *pm)
{
    double mu, v;
    if (p->kind == PK_NBJ)
        return -1;
    node_moments(p, i, &mu, &v);
    double s = floor(mu - 20 * sqrt(v) - 16);
    if (!(s > k0) || s > 4e9)
        return -1;
    *cum = node_cdf(p, i, (unsigned)s - 1);
    *pm = s < top ? node_pmf(p, i, (unsigned)s, NULL) : 0;
    *st = s;
    return *cum <= 1e-13 && (s >= top || *pm > 1e-300) ? 0 : -1;
}

static void count_table(const fc_pred *p, cdf_table *t)
{
    t->n = t->done = 0;
    t->k0 = 0;
    t->F = NULL;
    t->nmemo = t->next = 0;
    if (p->kind != PK_COUNT && p->kind != PK_NBJ)
        return;
    double mean, sd;
    count_moments(p, &mean, &sd);
    double top = floor(mean + 12 * sd + 16), k0 = floor(mean - 12 * sd - 16);
    k0 = k0 > 0 ? k0 : 0;
    if (p->kind == PK_COUNT && p->binom && top > p->E)
        top = p->E; /* count_cdf() is 1 from E on */
    if (!(top - k0 >= 1) || top - k0 > CDF_TABLE_MAX || top > 4e9)
        return;
    int n = (int)(top - k0), nq = p->kind == PK_NBJ ? 1 : p->nq;
    double *pm = t->pm, *cum = t->cum, *fa = t->fa, *fb = t->fb, *wt = t->wt,
           *st = t->st; /* st: a node's first count */
    for (int i = 0; i < nq; i++) {
        double l0;
        int all0, none;
        wt[i] = p->kind == PK_NBJ ? 1 : p->w[i];
        if (node_recurrence(p, i, &l0, &fa[i], &fb[i], &all0, &none) != 0)
            return;
        st[i] = k0;
        if (all0 || none) {
            pm[i] = 0;
            cum[i] = all0;
            fa[i] = fb[i] = 0;
            continue;
        }
        cum[i] = k0 > 0 ? node_cdf(p, i, (unsigned)k0 - 1) : 0;
        pm[i] = k0 > 0 ? node_pmf(p, i, (unsigned)k0, NULL) : exp(l0);
        /* a mass at k0 below the normal doubles cannot start the
         * recurrence: a node too light to matter may be left so, one far
         * above k0 starts later */
        if (!(pm[i] > 1e-300) && cum[i] < 1 - 1e-13 && wt[i] >= 1e-13 &&
            node_late_start(p, i, k0, top, &st[i], &cum[i], &pm[i]) != 0)
            return;
    }
    t->F = xmalloc(sizeof(double) * (size_t)n);
    t->n = n;
    t->k0 = k0;
    t->nq = nq;
}

/* t->F[j] (j < t->n), the recurrence carried on to it first. */
static double table_at(cdf_table *t, int j)
{
    for (; t->done <= j; t->done++) {
        double s = 0, kk = t->k0 + t->done;
        for (int i = 0; i < t->nq; i++) {
            if (kk > t->st[i])
                t->pm[i] *= (t->fa[i] + t->fb[i] * kk) / kk;
            if (kk >= t->st[i])
                t->cum[i] += t->pm[i];
            s += t->wt[i] * t->cum[i];
        }
        t->F[t->done] = s > 1 ? 1 : s;
    }
    return t->F[j];
}

static void count_table_free(cdf_table *t)
{
    free(t->F);
    t->F = NULL;
    t->n = 0;
}

double fc_count_table_error(const fc_pred *p, int *n, double *k0)
{
    cdf_table t;
    count_table(p, &t);
    double e = 0;
    for (int c = 0; c < t.n; c++) {
        double d = fabs(table_at(&t, c) - count_cdf(p, t.k0 + c));
        e = d > e ? d : e;
    }
    *n = t.n;
    *k0 = t.k0;
    count_table_free(&t);
    return e;
}

/* count_cdf(p, c), from t's memo when a search of t asked it lately (t
 * may be NULL). */
static double memo_cdf(const fc_pred *p, cdf_table *t, double c)
{
    if (!t)
        return count_cdf(p, c);
    for (int i = 0; i < t->nmemo; i++)
        if (t->mc[i] == c)
            return t->mF[i];
    double F = count_cdf(p, c);
    t->mc[t->next] = c;
    t->mF[t->next] = F;
    t->next = (t->next + 1) % CDF_MEMO;
    t->nmemo += t->nmemo < CDF_MEMO;
    return F;
}

/* count_cdf(p, c) >= q, from the table where it decides. */
static int cdf_ge(const fc_pred *p, cdf_table *t, double c, double q)
{
    if (t && c >= t->k0 && c < t->k0 + t->n) {
        double F = table_at(t, (int)(c - t->k0));
        if (F >= q + CDF_GUARD)
            return 1;
        if (F < q - CDF_GUARD)
            return 0;
    }
    return memo_cdf(p, t, c) >= q;
}

/* Smallest count c with P(Y <= c) >= q (t: p's table, or NULL). */
static double count_quantile(const fc_pred *p, cdf_table *t, double q)
{
    if (cdf_ge(p, t, 0, q))
        return 0;
    /* bracket [lo, hi] with F(lo) < q <= F(hi), starting from the normal
     * approximation and widening by doubling steps: a few CDFs instead of
     * a doubling search from zero */
    double mean, sd;
    count_moments(p, &mean, &sd);
    double guess = floor(mean + sd * gsl_cdf_ugaussian_Pinv(q));
    if (!isfinite(guess) || guess < 1)
        guess = 1;
    if (guess > 2e9)
        guess = 2e9;
    double step = sd > 2 ? floor(sd / 2) : 1, lo = 0, hi = guess;
    if (cdf_ge(p, t, guess, q)) {
        for (double c = guess - step; c > 0; c -= step, step *= 2) {
            if (!cdf_ge(p, t, c, q)) {
                lo = c;
                break;
            }
            hi = c;
        }
    } else {
        lo = guess;
        hi = guess + step;
        while (!cdf_ge(p, t, hi, q) && hi < 2e9) {
            lo = hi;
            step *= 2;
            hi += step;
        }
    }
    while (hi - lo > 1) {
        double mid = floor((lo + hi) / 2);
        if (cdf_ge(p, t, mid, q))
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

static double latent_cdf(const fc_pred *p, double x)
{
    double z;
    if (p->kind == PK_LOGT) {
        if (x <= 0)
            return 0;
        z = (log(x) - p->m) / p->sd;
    } else {
        z = (x - p->m) / p->sd;
    }
    return p->df > 0 ? gsl_cdf_tdist_P(z, p->df) : gsl_cdf_ugaussian_P(z);
}

static double pred_quantile(const fc_pred *p, cdf_table *t, double q)
{
    double v;
    switch (p->kind) {
    case PK_T:
    case PK_LOGT: {
        double z = p->df > 0 ? gsl_cdf_tdist_Pinv(q, p->df) : gsl_cdf_ugaussian_Pinv(q);
        v = p->m + p->sd * z;
        if (p->kind == PK_LOGT)
            v = exp(v);
        break;
    }
    case PK_COUNT:
    case PK_NBJ: v = p->scale * count_quantile(p, t, q) / p->E; break;
    default: v = p->m;
    }
    return clampd(v, p->lo, p->hi);
}

double fc_pred_quantile(const fc_pred *p, double q) { return pred_quantile(p, NULL, q); }

/* P(V <= x) and P(V < x) for the censored value V. */
static double p_le(const fc_pred *p, double x)
{
    if (x >= p->hi)
        return 1;
    if (x < p->lo)
        return 0;
    switch (p->kind) {
    case PK_T:
    case PK_LOGT: return latent_cdf(p, x);
    case PK_COUNT:
    case PK_NBJ: return count_cdf(p, floor(x * p->E / p->scale + 1e-9));
    default: return clampd(p->m, p->lo, p->hi) <= x ? 1 : 0;
    }
}

static double p_lt(const fc_pred *p, double x)
{
    if (x > p->hi)
        return 1;
    if (x <= p->lo)
        return 0;
    switch (p->kind) {
    case PK_T:
    case PK_LOGT: return latent_cdf(p, x);
    case PK_COUNT:
    case PK_NBJ: return count_cdf(p, ceil(x * p->E / p->scale - 1e-9) - 1);
    default: return clampd(p->m, p->lo, p->hi) < x ? 1 : 0;
    }
}

double fc_pred_prob(const fc_pred *p, target_op op, double goal)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    /* a target is judged on the figure as recorded: a latent value within
     * half a recorded step of the goal is recorded as the goal */
    double e = tol(goal), r;
    if (p->step / 2 > e && (p->kind == PK_T || p->kind == PK_LOGT))
        e = p->step / 2;
    switch (op) {
    case OP_LE: r = p_le(p, goal + e); break;
    case OP_LT: r = p_lt(p, goal - e); break;
    case OP_GE: r = 1 - p_lt(p, goal - e); break;
    case OP_GT: r = 1 - p_le(p, goal + e); break;
    case OP_EQ:
        r = goal == 100 ? 1 - p_lt(p, 100 - e) : p_le(p, goal + e) - p_lt(p, goal - e);
        break;
    case OP_ZERO: r = p_le(p, e) - p_lt(p, -e); break;
    default: r = NAN;
    }
    gsl_set_error_handler(old);
    return clampd(r, 0, 1);
}

/* fc_predict() without the interval quantiles, which leave-one-out scoring does not need. */
static int predict_dist(const fc_fit *f, const fc_series *s, double t, double exposure,
                        fc_pred *out)
{
    memset(out, 0, sizeof *out);
    out->lo = s->lo;
    out->hi = s->hi;
    if (!f->ok)
        return -1;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double x1 = t - f->tc;
    switch (f->model) {
    case FM_MEAN:
    case FM_LINEAR:
    case FM_LOGLINEAR: {
        double m = f->b[0] + f->b[1] * x1;
        double var = f->sigma * f->sigma + f->cov[0][0] + 2 * x1 * f->cov[0][1] +
                     x1 * x1 * f->cov[1][1];
        out->m = m;
        out->sd = sqrt(var > 0 ? var : 0);
        out->df = f->df;
        out->step = f->step;
        out->kind = out->sd > 0 ? (f->model == FM_LOGLINEAR ? PK_LOGT : PK_T) : PK_POINT;
        out->mean = f->model == FM_LOGLINEAR ? exp(m) : m;
        if (out->kind == PK_POINT)
            out->m = out->mean;
        break;
    }
    case FM_DAMPED: {
        int h = (int)lround(t - f->last_t);
        if (h < 1)
            h = 1;
        double phisum = 0, pw = 1;
        for (int j = 1; j <= h; j++) {
            pw *= f->phi;
            phisum += pw;
        }
        out->m = out->mean = f->level + phisum * f->trend;
        out->sd = f->sigma * sqrt(fc_damped_var_factor(f->alpha, f->beta, f->phi, h));
        out->df = 0;
        out->kind = out->sd > 0 ? PK_T : PK_POINT;
        break;
    }
    case FM_RANDOM_WALK: {
        /* ahead of the data: from the last year; before it: back from the
         * first; between two years (leave-one-out): the bridge between them,
         * where the drift cancels */
        int n = s->n;
        double m, var;
        if (t >= s->t[n - 1] || n < 2) {
            double h = t - s->t[n - 1];
            m = s->y[n - 1] + h * f->b[1];
            var = f->sigma * f->sigma * h + h * h * f->cov[1][1];
        } else if (t <= s->t[0]) {
            double h = s->t[0] - t;
            m = s->y[0] - h * f->b[1];
            var = f->sigma * f->sigma * h + h * h * f->cov[1][1];
        } else {
            int j = 1;
            while (j < n - 1 && s->t[j] < t)
                j++;
            double a = t - s->t[j - 1], b = s->t[j] - t;
            m = s->y[j - 1] + (s->y[j] - s->y[j - 1]) * a / (a + b);
            var = f->sigma * f->sigma * a * b / (a + b);
        }
        out->m = out->mean = m;
        out->sd = sqrt(var > 0 ? var : 0);
        out->df = f->df;
        out->step = f->step;
        out->kind = out->sd > 0 ? PK_T : PK_POINT;
        break;
    }
    case FM_POISSON_MEAN:
        if (!(exposure > 0))
            goto fail;
        out->kind = PK_NBJ;
        out->E = exposure;
        out->scale = s->scale;
        /* Jeffreys prior: rate ~ Gamma(sum y + 1/2, sum E): NB predictive. */
        out->r = f->sum_count + 0.5;
        out->q = f->sum_exposure / (f->sum_exposure + exposure);
        out->mean = s->scale * f->sum_count / f->sum_exposure;
        break;
    case FM_BINOMIAL_MEAN:
    case FM_BINOMIAL: {
        /* a whole number of trials; the logit uncertain (coefficients and
         * the year's own effect): binomial mixed over it */
        double N = floor(exposure + 0.5);
        if (!(N >= 1) || N > 4e9)
            goto fail;
        out->kind = PK_COUNT;
        out->binom = 1;
        out->E = N;
        out->scale = s->scale;
        double lin = f->b[0] + (f->p == 2 ? f->b[1] * x1 : 0);
        double v = f->cov[0][0] + (f->p == 2 ? 2 * x1 * f->cov[0][1] + x1 * x1 * f->cov[1][1] : 0) +
                   f->re_var;
        double sd = sqrt(v > 0 ? v : 0);
        gh_fill(out, lin, sd);
        out->mean = s->scale * logistic(lin);
        out->m = lin;
        out->sd = sd;
        break;
    }
    case FM_POISSON:
    case FM_NEGBIN_MEAN:
    case FM_NEGBIN: {
        if (!(exposure > 0))
            goto fail;
        out->kind = PK_COUNT;
        out->E = exposure;
        out->scale = s->scale;
        out->negbin = f->model != FM_POISSON;
        out->nb_alpha = f->nb_alpha_pred;
        double lin = f->b[0] + (f->p == 2 ? f->b[1] * x1 : 0);
        double v = f->cov[0][0] + (f->p == 2 ? 2 * x1 * f->cov[0][1] + x1 * x1 * f->cov[1][1] : 0);
        v *= f->vscale > 0 ? f->vscale : 1;
        double sd = sqrt(v > 0 ? v : 0);
        gh_fill(out, log(exposure) + lin, sd);
        out->mean = s->scale * exp(lin);
        out->m = lin;
        out->sd = sd;
        break;
    }
    default: goto fail;
    }
    out->mean = clampd(out->mean, out->lo, out->hi);
    gsl_set_error_handler(old);
    return 0;
fail:
    gsl_set_error_handler(old);
    return -1;
}

/* The 80 % and 95 % interval bounds by quantile function q. */
static void intervals(double (*q)(void *, double), void *d, double *lo80,
                      double *hi80, double *lo95, double *hi95)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    *lo80 = q(d, 0.10);
    *hi80 = q(d, 0.90);
    *lo95 = q(d, 0.025);
    *hi95 = q(d, 0.975);
    gsl_set_error_handler(old);
}

/* A prediction or mixture with the CDF tables of its counts (or none). */
typedef struct tabled {
    const void *d;
    cdf_table t[FM_NMODELS];
} tabled;

static double pred_q(void *p, double q)
{
    tabled *x = p;
    return pred_quantile(x->d, &x->t[0], q);
}

int fc_predict(const fc_fit *f, const fc_series *s, double t, double exposure, fc_pred *out)
{
    if (predict_dist(f, s, t, exposure, out) != 0)
        return -1;
    tabled x = {.d = out};
    count_table(out, &x.t[0]);
    intervals(pred_q, &x, &out->lo80, &out->hi80, &out->lo95, &out->hi95);
    count_table_free(&x.t[0]);
    return 0;
}

static double mix_quantile(const fc_mix *m, cdf_table *t, double q);

static double mix_q(void *m, double q)
{
    tabled *x = m;
    return mix_quantile(x->d, x->t, q);
}

/* The CDF tables of a mixture's count components (the quantile searches
 * of its intervals share them). */
static void mix_tables(const fc_mix *m, tabled *x)
{
    x->d = m;
    for (int i = 0; i < m->k; i++)
        count_table(&m->p[i], &x->t[i]);
}

static void mix_tables_free(const fc_mix *m, tabled *x)
{
    for (int i = 0; i < m->k; i++)
        count_table_free(&x->t[i]);
}

/* ---------- the model average ---------- */

/* fc_mix_predict's components, weights and mean, without the intervals. */
static int mix_components(const fc_fit fits[FM_NMODELS], const fc_series *s, double t,
                          double exposure, fc_mix *out)
{
    out->k = 0;
    out->mean = 0;
    double sw = 0;
    for (int m = 1; m < FM_NMODELS; m++) {
        if (!(fits[m].weight > 0))
            continue;
        fc_pred *p = &out->p[out->k];
        if (predict_dist(&fits[m], s, t, exposure, p) != 0)
            continue;
        if (s->kind == FK_STOCK && s->n > 0 && t > s->t[s->n - 1] && s->y[s->n - 1] > p->lo) {
            /* what has been built stays built */
            p->lo = s->y[s->n - 1];
            p->mean = clampd(p->mean, p->lo, p->hi);
        }
        out->w[out->k] = fits[m].weight;
        sw += fits[m].weight;
        out->k++;
    }
    if (!out->k)
        return -1;
    for (int i = 0; i < out->k; i++) {
        out->w[i] /= sw;
        out->mean += out->w[i] * out->p[i].mean;
    }
    return 0;
}

int fc_mix_predict(const fc_fit fits[FM_NMODELS], const fc_series *s, double t, double exposure,
                   fc_mix *out)
{
    if (mix_components(fits, s, t, exposure, out) != 0)
        return -1;
    tabled x;
    mix_tables(out, &x);
    intervals(mix_q, &x, &out->lo80, &out->hi80, &out->lo95, &out->hi95);
    mix_tables_free(out, &x);
    return 0;
}

/* ---------- a figure re-recorded unchanged ---------- */

/* The why of a model choice: what the unchanged figure adds. */
static void stale_note(const fc_stale *st, char *why, size_t size)
{
    size_t l = strlen(why);
    if (st->on && l < size)
        snprintf(why + l, size - l,
                 "; the last figure unchanged with probability %.2f a year (%d of %d years "
                 "repeated the year before's)",
                 (st->repeats + 1.0) / (st->pairs + 2.0), st->repeats, st->pairs);
}

void fc_stale_fit(const fc_series *s, int count_family, fc_model forced, fc_stale *st)
{
    memset(st, 0, sizeof *st);
    if (count_family || forced != FM_NONE || s->kind != FK_LEVEL || !s->y || s->n < 2)
        return;
    for (int i = 1; i < s->n; i++) {
        if (s->t[i] - s->t[i - 1] != 1)
            continue; /* across a gap a repeat says nothing of a year's chance */
        st->pairs++;
        st->repeats += fabs(s->y[i] - s->y[i - 1]) <= tol(s->y[i]);
    }
    st->y0 = s->y[s->n - 1];
    st->t0 = s->t[s->n - 1];
    st->on = st->repeats > 0;
}

double fc_stale_prob(const fc_stale *st, double t)
{
    if (!st || !st->on || !(t > st->t0))
        return 0;
    /* E[pi^h] = B(a + h, b) / B(a, b) under pi ~ Beta(a, b) */
    double a = st->repeats + 1, b = st->pairs - st->repeats + 1, h = t - st->t0;
    return exp(lgamma(a + h) + lgamma(a + b) - lgamma(a) - lgamma(a + b + h));
}

static double mix_cdf(const fc_mix *m, double x, int le);

/* fc_mix_quantile of a mixture whose last component is the unchanged
 * figure: a quantile inside its jump is that figure, without a search. */
static double stale_q(void *mv, double q)
{
    const fc_mix *m = mv;
    double y0 = m->p[m->k - 1].m;
    if (mix_cdf(m, y0, 0) < q && q <= mix_cdf(m, y0, 1))
        return y0;
    return fc_mix_quantile(m, q);
}

int fc_mix_predict_stale(const fc_fit fits[FM_NMODELS], const fc_stale *st, const fc_series *s,
                         double t, double exposure, fc_mix *out)
{
    double p0 = fc_stale_prob(st, t);
    if (!(p0 > 0))
        return fc_mix_predict(fits, s, t, exposure, out);
    if (mix_components(fits, s, t, exposure, out) != 0 || out->k >= FM_NMODELS)
        return -1;
    fc_pred *p = &out->p[out->k];
    memset(p, 0, sizeof *p);
    p->kind = PK_POINT;
    p->lo = out->p[0].lo;
    p->hi = out->p[0].hi;
    p->step = out->p[0].step;
    p->m = p->mean = clampd(st->y0, p->lo, p->hi);
    out->mean *= 1 - p0;
    for (int i = 0; i < out->k; i++)
        out->w[i] *= 1 - p0;
    out->w[out->k++] = p0;
    out->mean += p0 * p->mean;
    intervals(stale_q, out, &out->lo80, &out->hi80, &out->lo95, &out->hi95);
    return 0;
}

/* P(V <= x) (le) or P(V < x) of the mixture. */
static double mix_cdf(const fc_mix *m, double x, int le)
{
    double F = 0;
    for (int i = 0; i < m->k; i++)
        F += m->w[i] * (le ? p_le(&m->p[i], x) : p_lt(&m->p[i], x));
    return F;
}

/* mix_cdf(m, x, 1) >= q, from the components' tables (t, or NULL) where
 * they decide: each is within CDF_GUARD of its count_cdf(). */
static int mix_ge(const fc_mix *m, cdf_table *t, double x, double q)
{
    if (!t)
        return mix_cdf(m, x, 1) >= q;
    /* two passes: the tables' values where a count has one, then (when the
     * sum is within CDF_GUARD of q) every count's own CDF; F is then
     * mix_cdf(m, x, 1) term for term, the counts' CDFs from the memos */
    for (int exact = 0; exact < 2; exact++) {
        double F = 0;
        int from_table = 0;
        for (int i = 0; i < m->k; i++) {
            const fc_pred *p = &m->p[i];
            double c = floor(x * p->E / p->scale + 1e-9); /* as p_le() */
            int count = (p->kind == PK_COUNT || p->kind == PK_NBJ) && x < p->hi && x >= p->lo;
            if (count && !exact && c >= t[i].k0 && c < t[i].k0 + t[i].n) {
                F += m->w[i] * table_at(&t[i], (int)(c - t[i].k0));
                from_table = 1;
            } else {
                F += m->w[i] * (count ? memo_cdf(p, &t[i], c) : p_le(p, x));
            }
        }
        if (!from_table)
            return F >= q;
        if (F >= q + CDF_GUARD)
            return 1;
        if (F < q - CDF_GUARD)
            return 0;
    }
    return 0; /* not reached: the second pass has no table value */
}

double fc_mix_prob(const fc_mix *m, target_op op, double goal)
{
    if (m->k == 1)
        return fc_pred_prob(&m->p[0], op, goal);
    double r = 0;
    for (int i = 0; i < m->k; i++)
        r += m->w[i] * fc_pred_prob(&m->p[i], op, goal);
    return clampd(r, 0, 1);
}

void fc_illinois(double x, double fx, double *a, double *fa, double *b, double *fb, int *side)
{
    if (fx >= 0) {
        *b = x;
        *fb = fx;
        if (*side == 1)
            *fa /= 2;
        *side = 1;
    } else {
        *a = x;
        *fa = fx;
        if (*side == -1)
            *fb /= 2;
        *side = -1;
    }
}

/*
 * The q-quantile: the smallest value with P(V <= value) >= q, between the
 * smallest and the largest of the components' q-quantiles. Counts of one
 * exposure are searched count by count, values by bisection.
 */
static double mix_quantile(const fc_mix *m, cdf_table *t, double q)
{
    if (m->k == 1)
        return pred_quantile(&m->p[0], t ? &t[0] : NULL, q);
    double a = HUGE_VAL, b = -HUGE_VAL;
    int counts = 1;
    for (int i = 0; i < m->k; i++) {
        double v = pred_quantile(&m->p[i], t ? &t[i] : NULL, q);
        a = v < a ? v : a;
        b = v > b ? v : b;
        counts &= (m->p[i].kind == PK_COUNT || m->p[i].kind == PK_NBJ) &&
                  m->p[i].E == m->p[0].E && m->p[i].scale == m->p[0].scale;
    }
    if (!(b > a))
        return a;
    if (counts) {
        /* in whole events: a and b are counts times scale / E */
        double u = m->p[0].scale / m->p[0].E;
        double lo = floor(a / u + 0.5), hi = floor(b / u + 0.5);
        while (hi - lo > 1) {
            double mid = floor((lo + hi) / 2);
            if (mix_ge(m, t, mid * u, q))
                hi = mid;
            else
                lo = mid;
        }
        return mix_ge(m, t, lo * u, q) ? lo * u : hi * u;
    }
    /* Illinois (regula falsi that halves the stale end): a few CDFs where
     * bisection takes thirty; bisection when a secant step is no use (a
     * jump of a censored or zero-width part) */
    double fa = mix_cdf(m, a, 1) - q, fb = mix_cdf(m, b, 1) - q;
    if (fa >= 0)
        return a;
    int side = 0;
    for (int it = 0; it < 100 && b - a > 1e-10 * (fabs(a) + fabs(b) + 1e-300); it++) {
        double x = fb > fa ? b - fb * (b - a) / (fb - fa) : (a + b) / 2;
        if (!(x > a && x < b) || it % 8 == 7)
            x = (a + b) / 2;
        double fx = mix_cdf(m, x, 1) - q;
        if (fabs(fx) < 1e-13)
            return x;
        fc_illinois(x, fx, &a, &fa, &b, &fb, &side);
    }
    /* at a bound the search stops a hair short of it: the bound itself */
    for (int i = 0; i < m->k; i++)
        for (int e = 0; e < 2; e++) {
            double bd = e ? m->p[i].hi : m->p[i].lo;
            if (isfinite(bd) && fabs(b - bd) <= 1e-9 * (fabs(bd) + 1))
                return bd;
        }
    return b;
}

double fc_mix_quantile(const fc_mix *m, double q) { return mix_quantile(m, NULL, q); }

/* P(Y = c) for a count prediction: the mixture's probability mass, directly
 * (cheaper and more exact than a difference of two CDFs). */
static double count_pmf(const fc_pred *p, double c)
{
    if (c < 0)
        return 0;
    unsigned k = c > 4e9 ? 4000000000u : (unsigned)c;
    if (p->kind == PK_NBJ)
        return node_pmf(p, 0, k, NULL);
    double s = 0, lc = NAN;
    for (int i = 0; i < p->nq; i++)
        s += p->w[i] * node_pmf(p, i, k, &lc);
    return s > 1 ? 1 : s;
}

/* ---------- small-count intervals ---------- */

/* garwood_table[k]: fc_garwood(k) at 80 % then 95 %, made at build time
 * by src/gen/garwood_gen.c */
#include "garwood_table.h"

int fc_garwood_tabled(double c, double conf, double *lo, double *hi)
{
    /* c a whole number below the table's end (-0 is 0's row: fc_garwood
     * gives both the same figures) */
    if (!(c >= 0 && c < GARWOOD_TABLE_N) || c != floor(c))
        return 0;
    int j = conf == GARWOOD_CONF_80 ? 0 : conf == GARWOOD_CONF_95 ? 2 : -1;
    if (j < 0)
        return 0;
    const double *e = garwood_table[(int)c];
    *lo = e[j];
    *hi = e[j + 1];
    return 1;
}

void fc_weighted_poisson_ci(const double *c, const double *w, int n, double conf, double *lo,
                            double *hi)
{
    double y = 0, v = 0, wm = 0, a = 1 - conf;
    for (int i = 0; i < n; i++) {
        y += w[i] * c[i];
        v += w[i] * w[i] * c[i];
        if (w[i] > wm)
            wm = w[i];
    }
    *lo = y > 0 && v > 0 ? v / (2 * y) * fc_chisq_Pinv(a / 2, 2 * y * y / v) : 0;
    *hi = wm > 0 ? (v + wm * wm) / (2 * (y + wm)) *
                       fc_chisq_Pinv(1 - a / 2, 2 * (y + wm) * (y + wm) / (v + wm * wm))
                 : 0;
}

/* ---------- model choice ---------- */

double fc_loo_score(fc_model m, const fc_series *s)
{
    int n = s->n;
    if (n < 3 || m == FM_DAMPED)
        return NAN;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double *t = xmalloc(sizeof(double) * (size_t)n), *y = xmalloc(sizeof(double) * (size_t)n);
    double *c = xmalloc(sizeof(double) * (size_t)n), *e = xmalloc(sizeof(double) * (size_t)n);
    /* the negative binomial's terms of every count at every grid alpha,
     * once for all the refits: each refit's are these without its year */
    int nb = (m == FM_NEGBIN || m == FM_NEGBIN_MEAN) && s->count;
    double *own = nb && !s->nb_coef ? nb_coef_table(s) : NULL;
    const double *coef = nb && s->nb_coef ? s->nb_coef : own;
    double *fold = nb ? xmalloc(sizeof(double) * NB_GRID * (size_t)n) : NULL;
    double score = 0;
    for (int i = 0; i < n && isfinite(score); i++) {
        int k = 0;
        for (int j = 0; j < n; j++) {
            if (j == i)
                continue;
            t[k] = s->t[j];
            y[k] = s->y ? s->y[j] : 0;
            c[k] = s->count ? s->count[j] : 0;
            e[k] = expo(s, j);
            for (int g = 0; g < NB_GRID && nb; g++)
                fold[(size_t)g * (size_t)(n - 1) + (size_t)k] = coef[(size_t)g * (size_t)n + (size_t)j];
            k++;
        }
        fc_series r = *s;
        r.refit = 1;
        r.n = k;
        r.t = t;
        r.y = s->y ? y : NULL;
        r.count = s->count ? c : NULL;
        r.exposure = s->exposure ? e : NULL;
        r.nb_coef = fold;
        fc_fit f;
        fc_pred p;
        if (fc_fit_model(m, &r, &f) != 0 || predict_dist(&f, &r, s->t[i], expo(s, i), &p) != 0) {
            score = NAN;
            break;
        }
        if (fc_model_is_count(m)) {
            double pm = count_pmf(&p, s->count[i]);
            score += pm > 1e-300 ? -log(pm) : 690.8;
        } else {
            double d = s->y[i] - p.mean;
            score += d * d;
        }
    }
    free(t);
    free(y);
    free(c);
    free(e);
    free(own);
    free(fold);
    gsl_set_error_handler(old);
    return score / n;
}

/* Weights of the candidates from their scores: a log predictive density
 * (higher is better) for each; tiny shares are dropped so that the mixture
 * stays cheap. */
static void set_weights(fc_fit fits[FM_NMODELS], const double lpd[FM_NMODELS])
{
    double best = -HUGE_VAL, sum = 0;
    for (int m = 1; m < FM_NMODELS; m++)
        if (isfinite(lpd[m]) && lpd[m] > best)
            best = lpd[m];
    for (int m = 1; m < FM_NMODELS; m++) {
        fits[m].weight = isfinite(lpd[m]) ? exp(lpd[m] - best) : 0;
        sum += fits[m].weight;
    }
    double kept = 0;
    for (int m = 1; m < FM_NMODELS; m++) {
        fits[m].weight = sum > 0 ? fits[m].weight / sum : 0;
        if (fits[m].weight < 0.01)
            fits[m].weight = 0;
        kept += fits[m].weight;
    }
    for (int m = 1; m < FM_NMODELS; m++)
        fits[m].weight = kept > 0 ? fits[m].weight / kept : 0;
}

fc_model fc_select(const fc_series *s, int count_family, fc_model forced,
                   const forecast_options *o, fc_fit fits[FM_NMODELS], char *why,
                   size_t whysize)
{
    for (int m = 0; m < FM_NMODELS; m++) {
        memset(&fits[m], 0, sizeof fits[m]);
        fits[m].model = (fc_model)m;
        fits[m].aicc = fits[m].loglik = fits[m].loo = NAN;
        snprintf(fits[m].note, sizeof fits[m].note, "not a candidate for this indicator");
    }
    why[0] = '\0';
    if (s->n < o->min_points) {
        snprintf(why, whysize, "%d usable year%s: at least %d are needed", s->n,
                 s->n == 1 ? "" : "s", o->min_points);
        return FM_NONE;
    }
    if (forced != FM_NONE) {
        /* The plan's model, whatever the data would choose, and no other
         * model in its place. */
        fc_fit_model(forced, s, &fits[forced]);
        if (fits[forced].ok) {
            fits[forced].weight = 1;
            snprintf(why, whysize, "set in the plan (forecast: {model: %s})",
                     fc_model_name(forced));
        } else {
            snprintf(why, whysize, "the plan's model %s cannot be fitted: %s",
                     fc_model_name(forced), fits[forced].note);
        }
        return fits[forced].ok ? forced : FM_NONE;
    }
    /* Candidates: the damped trend (six parameters) only when a plan asks
     * for it; the negative binomial beside the Poisson, their weights
     * standing for the uncertainty about the overdispersion. The Poisson
     * with a constant rate only when a plan asks (or nothing else can be
     * fitted): it is nested in the others (the Poisson's trend has a prior
     * centred on no change), and as a candidate it took weight from short
     * histories and gave the sharpest, most often wrong P(met) of the four
     * (calibration, 5-10 years of Poisson or negative binomial counts:
     * Brier score 0.27-0.32 alone against the base rate's 0.24-0.25). */
    static const fc_model values[] = {FM_MEAN, FM_LINEAR, FM_LOGLINEAR, FM_RANDOM_WALK};
    static const fc_model counts[] = {FM_POISSON, FM_NEGBIN_MEAN, FM_NEGBIN};
    static const fc_model shares[] = {FM_BINOMIAL_MEAN, FM_BINOMIAL};
    const fc_model *cand = count_family == FC_SHARES ? shares : count_family ? counts : values;
    int ncand = count_family == FC_SHARES ? 2 : count_family ? 3 : 4;
    int loo = !count_family || s->n < FC_LOO_BELOW;
    double lpd[FM_NMODELS];
    for (int m = 0; m < FM_NMODELS; m++)
        lpd[m] = NAN;
    int nscored = 0;
    /* counts: the negative binomial's terms at its grid's alphas, once for
     * both its models' fits and their leave-one-out refits */
    fc_series sc = *s;
    double *coef = count_family && count_family != FC_SHARES && s->count && !s->nb_coef
                       ? nb_coef_table(s)
                       : NULL;
    if (coef)
        sc.nb_coef = coef;
    for (int c = 0; c < ncand; c++) {
        fc_fit *f = &fits[cand[c]];
        if (fc_fit_model(cand[c], &sc, f) != 0)
            continue;
        if (loo) {
            f->loo = fc_loo_score(cand[c], &sc);
            /* pseudo-Bayesian model averaging: the leave-one-out log
             * predictive density, normal with the squared error's mean
             * for values */
            if (isfinite(f->loo))
                lpd[cand[c]] = count_family ? -s->n * f->loo
                                            : -0.5 * s->n * log(f->loo > 1e-300 ? f->loo : 1e-300);
        } else {
            lpd[cand[c]] = -0.5 * f->aicc;
        }
        nscored += isfinite(lpd[cand[c]]);
    }
    free(coef);
    if (!nscored && count_family == 1 && fc_fit_model(FM_POISSON_MEAN, s, &fits[FM_POISSON_MEAN]) == 0) {
        /* no event at all: no trend or overdispersion can be fitted, and
         * the constant rate's Jeffreys predictive still gives the chance
         * of a year with events */
        fits[FM_POISSON_MEAN].weight = 1;
        snprintf(why, whysize, "no model with a trend could be fitted: the constant rate");
        return FM_POISSON_MEAN;
    }
    if (!nscored) {
        /* nothing could be scored: the simplest model that could be fitted */
        for (int c = 0; c < ncand; c++)
            if (fits[cand[c]].ok) {
                fits[cand[c]].weight = 1;
                snprintf(why, whysize, "the only model that could be scored");
                return cand[c];
            }
        snprintf(why, whysize, "no model could be fitted");
        return FM_NONE;
    }
    set_weights(fits, lpd);
    fc_model best = FM_NONE;
    for (int c = 0; c < ncand; c++) {
        fc_model m = cand[c];
        if (fits[m].weight > 0 &&
            (best == FM_NONE || fits[m].weight > fits[best].weight * (1 + 1e-9) ||
             (fits[m].weight > fits[best].weight * (1 - 1e-9) && fits[m].k < fits[best].k)))
            best = m;
    }
    strbuf b;
    sb_init(&b);
    sb_printf(&b, "average of the models weighted by %s:",
              loo ? "leave-one-out predictive density" : "AICc");
    for (int c = 0; c < ncand; c++)
        if (fits[cand[c]].weight > 0)
            sb_printf(&b, " %s %.2f", fc_model_name(cand[c]), fits[cand[c]].weight);
    snprintf(why, whysize, "%s", b.s);
    sb_free(&b);
    return best;
}

/* ---------- outlying years ---------- */

/* All years but i hold the same value. */
static int others_equal(const fc_series *s, int i)
{
    int first = i == 0 ? 1 : 0;
    for (int j = 0; j < s->n; j++)
        if (j != i && s->y[j] != s->y[first])
            return 0;
    return 1;
}

/*
 * Year i of s against the straight line through the other years: the
 * externally studentized residual (the line's prediction error over its
 * predictive sd, the residual scale floored at the recorded step as in
 * the fits) and its two-sided p-value from Student's t.
 */
static double outlier_pvalue(const fc_series *s, int i, double step, double *resid)
{
    int n = s->n, m = 0;
    double tb = 0, yb = 0;
    for (int j = 0; j < n; j++)
        if (j != i) {
            tb += s->t[j];
            yb += s->y[j];
            m++;
        }
    tb /= m;
    yb /= m;
    double sxx = 0, sxy = 0;
    for (int j = 0; j < n; j++)
        if (j != i) {
            sxx += (s->t[j] - tb) * (s->t[j] - tb);
            sxy += (s->t[j] - tb) * (s->y[j] - yb);
        }
    if (!(sxx > 0))
        return 1;
    double b1 = sxy / sxx, rss = 0;
    for (int j = 0; j < n; j++)
        if (j != i) {
            double e = s->y[j] - yb - b1 * (s->t[j] - tb);
            rss += e * e;
        }
    if (others_equal(s, i))
        /* a run of equal figures (a share at 100 % year after year) says
         * nothing of how far a year may stray: one year below it is a
         * change the forecast must keep, not a recording error */
        return 1;
    int df = m - 2;
    double s2 = scale_prior_s2(s, rss, &df, step);
    double h = 1.0 / m + (s->t[i] - tb) * (s->t[i] - tb) / sxx;
    double sd = sqrt(s2 * (1 + h));
    if (!(sd > 0))
        return 1;
    *resid = (s->y[i] - yb - b1 * (s->t[i] - tb)) / sd;
    return 2 * gsl_cdf_tdist_Q(fabs(*resid), df);
}

int fc_outlier(const fc_series *s, double *pvalue)
{
    *pvalue = 1;
    if (s->count || s->kind != FK_LEVEL || !s->y || s->n < FC_OUTLIER_MIN_YEARS)
        return -1;
    double step = s->step > 0 ? s->step : recorded_step(s->y, s->n);
    int worst = -1;
    double pmin = 1;
    /* every year but the last: a change there cannot be told from a
     * shift of level that the next years will keep */
    for (int i = 0; i < s->n - 1; i++) {
        double r = 0, pv = outlier_pvalue(s, i, step, &r);
        if (pv < pmin) {
            pmin = pv;
            worst = i;
        }
    }
    /* Bonferroni over the years tested */
    double adj = pmin * (s->n - 1);
    *pvalue = adj < 1 ? adj : 1;
    return worst >= 0 && adj < FC_OUTLIER_ALPHA ? worst : -1;
}

/* Residual sum of squares of s's values about their mean before year k
 * and their mean from k on (k = 0: one mean); the difference of the two
 * means in *shift. */
static double two_means_rss(const fc_series *s, int k, double *shift)
{
    double m[2] = {0, 0}, rss = 0;
    int c[2] = {0, 0};
    for (int i = 0; i < s->n; i++) {
        m[i >= k] += s->y[i];
        c[i >= k]++;
    }
    for (int j = 0; j < 2; j++)
        m[j] = c[j] ? m[j] / c[j] : 0;
    for (int i = 0; i < s->n; i++)
        rss += (s->y[i] - m[i >= k]) * (s->y[i] - m[i >= k]);
    *shift = m[1] - m[0];
    return rss;
}

int fc_level_shift(const fc_series *s, double *shift, double *pvalue)
{
    *pvalue = 1;
    *shift = 0;
    if (s->count || s->kind != FK_LEVEL || !s->y || s->n < FC_OUTLIER_MIN_YEARS)
        return -1;
    double step = s->step > 0 ? s->step : recorded_step(s->y, s->n), d;
    double tc = mean_of(s->t, s->n), c0, c1, c00, c01, c11, rss_line;
    double *tt = xmalloc(sizeof(double) * (size_t)s->n);
    for (int i = 0; i < s->n; i++)
        tt[i] = s->t[i] - tc;
    int rc = gsl_fit_linear(tt, 1, s->y, 1, (size_t)s->n, &c0, &c1, &c00, &c01, &c11, &rss_line);
    free(tt);
    if (rc != GSL_SUCCESS)
        return -1;
    double rss_mean = two_means_rss(s, 0, &d), best_rss = HUGE_VAL;
    int best = -1, ntested = 0;
    /* two years at least on either side: one year alone after the change
     * is as likely an outlier, and a level needs more than one year */
    for (int k = 2; k <= s->n - 2; k++, ntested++) {
        double rss = two_means_rss(s, k, &d);
        if (rss < best_rss) {
            best_rss = rss;
            best = k;
            *shift = d;
        }
    }
    /* a step, not a trend: the two levels fit the years clearly better
     * than a straight line does */
    if (best < 0 || !(best_rss < FC_SHIFT_VS_LINE * rss_line) ||
        (!(best_rss > 0) && !(step > 1e-9))) {
        *shift = 0;
        return -1;
    }
    int df = s->n - 2;
    double s2 = scale_prior_s2(s, best_rss, &df, step);
    double F = s2 > 0 ? (rss_mean - best_rss) / s2 : 0;
    double adj = (F > 0 ? gsl_cdf_fdist_Q(F, 1, df) : 1) * ntested;
    *pvalue = adj < 1 ? adj : 1;
    if (!(adj < FC_OUTLIER_ALPHA)) {
        *shift = 0;
        return -1;
    }
    return best;
}

/* Leave year i out of the series whose arrays are t, y (owned by the
 * caller); s points at them. */
static void drop_year(fc_series *s, double *t, double *y, int i)
{
    for (int j = i; j + 1 < s->n; j++) {
        t[j] = t[j + 1];
        y[j] = y[j + 1];
    }
    s->n--;
}

void fc_adjust_series(fc_series *s, double *t, double *y, fc_adjust *a)
{
    memset(a, 0, sizeof *a);
    a->kind = FA_NONE;
    int i = fc_outlier(s, &a->p);
    if (i >= 0) {
        a->kind = FA_OUTLIER;
        a->year = (int)t[i];
        a->value = y[i];
        drop_year(s, t, y, i);
        return;
    }
    double shift;
    int k = fc_level_shift(s, &shift, &a->p);
    if (k < 0)
        return;
    if (s->n - k < FC_SHIFT_KEEP_YEARS)
        return; /* too few years on the new level to forecast from */
    /* the years before the change left out: moving them onto the new
     * level instead would pass a trend mistaken for a step as a level
     * known to the last decimal (calibration: overconfident) */
    a->kind = FA_SHIFT;
    a->year = (int)t[k];
    a->shift = shift;
    for (int j = k; j < s->n; j++) {
        t[j - k] = t[j];
        y[j - k] = y[j];
    }
    s->n -= k;
}

/* ---------- one series, start to end ---------- */

int fc_counts_apply(const fc_series *s)
{
    if (!s->count)
        return 0;
    if (s->kind == FK_SHARE)
        return FC_SHARES;
    if (isfinite(s->hi))
        /* a share counting items that reach a standard (villages covered) is
         * bounded by its denominator: counts only when the share is rare */
        for (int i = 0; i < s->n; i++)
            if (s->y[i] > SHARE_RARE * s->hi)
                return 0;
    return 1;
}

/* The prior sd of the trend for a family (fc_counts_apply): counts' log
 * rate, shares' logit; none for values. */
static double trend_prior_for(int count_family)
{
    return count_family == FC_SHARES ? FC_SHARE_TREND_PRIOR_SD
           : count_family         ? FC_TREND_PRIOR_SD
                                  : 0;
}

int fc_forecaster_init(fc_forecaster *fc, const fc_series *s, fc_model forced,
                       const forecast_options *o)
{
    memset(fc, 0, sizeof *fc);
    fc->s = s;
    fc->count_family = fc_counts_apply(s);
    fc->v = *s;
    if (fc->count_family && !(fc->v.trend_prior_sd > 0))
        fc->v.trend_prior_sd = trend_prior_for(fc->count_family);
    if (!fc->count_family) {
        fc->v.count = NULL;
        fc->v.exposure = NULL;
        if (!(fc->v.step > 0) && fc->v.y)
            fc->v.step = recorded_step(fc->v.y, fc->v.n);
    }
    fc->adjust.kind = FA_NONE;
    if (!fc->count_family && fc->v.y && fc->v.n > 0) {
        size_t n = (size_t)fc->v.n;
        fc->own = xmalloc(2 * n * sizeof(double));
        memcpy(fc->own, fc->v.t, n * sizeof(double));
        memcpy(fc->own + n, fc->v.y, n * sizeof(double));
        fc->v.t = fc->own;
        fc->v.y = fc->own + n;
        fc_adjust_series(&fc->v, fc->own, fc->own + n, &fc->adjust);
    }
    fc->model = fc_select(&fc->v, fc->count_family, forced, o, fc->fits, fc->why, sizeof fc->why);
    fc_stale_fit(&fc->v, fc->count_family, forced, &fc->stale);
    if (fc->model != FM_NONE)
        stale_note(&fc->stale, fc->why, sizeof fc->why);
    return fc->model != FM_NONE ? 0 : -1;
}

int fc_forecaster_predict(const fc_forecaster *fc, double t, double exposure, fc_mix *out)
{
    if (fc->model == FM_NONE)
        return -1;
    return fc_mix_predict_stale(fc->fits, &fc->stale, &fc->v, t, exposure, out);
}

void fc_forecaster_free(fc_forecaster *fc)
{
    free(fc->own);
    fc->own = NULL;
}

/* ---------- Open SDG progress ratio ---------- */

fc_sdg fc_sdg_ratio(double x0, double t0, double xnow, double tnow, double goal, double tgoal,
                    int direction, int met_now)
{
    fc_sdg r = {0, 0, NAN, NULL};
    if (!(tnow > t0) || !(tgoal > t0) || direction == 0) {
        if (met_now) {
            r.ok = 1;
            r.category = "target_achieved";
        }
        return r;
    }
    double ca, cr;
    if (x0 > 0 && goal > 0 && xnow >= 0) {
        ca = pow(xnow / x0, 1 / (tnow - t0)) - 1;
        cr = pow(goal / x0, 1 / (tgoal - t0)) - 1;
    } else {
        /* A zero base or target has no compound rate: compare absolute annual
         * changes, which need no stand-in value and do not depend on units. */
        r.linear = 1;
        ca = (xnow - x0) / (tnow - t0);
        cr = (goal - x0) / (tgoal - t0);
    }
    r.ok = 1;
    if (fabs(cr) > 1e-12)
        r.ratio = direction * ca / fabs(cr);
    if (met_now)
        r.category = "target_achieved";
    else if (isnan(r.ratio))
        r.category = direction * ca > 0 ? "limited_progress" : "deterioration";
    else if (r.ratio >= 0.95)
        r.category = "on_track";
    else if (r.ratio >= 0.6)
        r.category = "acceleration_needed";
    else if (r.ratio >= 0)
        r.category = "limited_progress";
    else
        r.category = "deterioration";
    return r;
}

/* ========== per plan ========== */

/* Garwood intervals already computed: an open-addressing hash table of
 * (count, confidence, lo, hi), at most half full. */
struct fc_garwood_memo {
    double *e;
    size_t n, cap; /* entries used, slots (a power of two) */
};

fc_garwood_memo *fc_garwood_memo_new(void) { return xcalloc(1, sizeof(fc_garwood_memo)); }

void fc_garwood_memo_free(fc_garwood_memo *gm)
{
    if (!gm)
        return;
    free(gm->e);
    free(gm);
}

/* The slot of (c, conf) in a table of cap slots: its own, or the empty one
 * where it goes (NAN marks an empty slot; c and conf are never NAN here). */
static size_t garwood_slot(const double *e, size_t cap, double c, double conf)
{
    uint64_t b[2];
    memcpy(&b[0], &c, sizeof c);
    memcpy(&b[1], &conf, sizeof conf);
    /* MurmurHash3's finaliser: a whole count's low bits are all zero */
    uint64_t h = b[0] ^ (b[1] * 0x9e3779b97f4a7c15u);
    h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdu;
    h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    size_t i = (size_t)h & (cap - 1);
    while (!isnan(e[4 * i]) && !(e[4 * i] == c && e[4 * i + 1] == conf))
        i = (i + 1) & (cap - 1);
    return i;
}

static void garwood_memo_get(fc_garwood_memo *gm, double c, double conf, double *lo, double *hi)
{
    if (fc_garwood_tabled(c, conf, lo, hi))
        return;
    if (isnan(c) || isnan(conf)) {
        fc_garwood(c, conf, lo, hi);
        return;
    }
    size_t i = gm->cap ? garwood_slot(gm->e, gm->cap, c, conf) : 0;
    if (gm->cap && !isnan(gm->e[4 * i])) {
        *lo = gm->e[4 * i + 2];
        *hi = gm->e[4 * i + 3];
        return;
    }
    fc_garwood(c, conf, lo, hi);
    if (2 * (gm->n + 1) > gm->cap) {
        /* twice the slots, the entries placed again */
        size_t cap = gm->cap ? 2 * gm->cap : 256;
        double *e = xmalloc(sizeof(double) * 4 * cap);
        for (size_t j = 0; j < cap; j++)
            e[4 * j] = NAN;
        for (size_t j = 0; j < gm->cap; j++)
            if (!isnan(gm->e[4 * j]))
                memcpy(&e[4 * garwood_slot(e, cap, gm->e[4 * j], gm->e[4 * j + 1])], &gm->e[4 * j],
                       sizeof(double) * 4);
        free(gm->e);
        gm->e = e;
        gm->cap = cap;
        i = garwood_slot(gm->e, gm->cap, c, conf);
    }
    double *e = &gm->e[4 * i];
    e[0] = c;
    e[1] = conf;
    e[2] = *lo;
    e[3] = *hi;
    gm->n++;
}

typedef struct plan_ctx {
    const evaluation *ev;
    const eval_context *ec;
    const forecast_options *o;
    const labels *lb;
    fc_garwood_memo *gm; /* the options', or owned by forecast_plan */
    fc_select_memo *sm;  /* likewise */
} plan_ctx;

/* The series a model is fitted to, with its storage. */
typedef struct series_buf {
    fc_series s;
    double *t, *y, *c, *e;
} series_buf;

/* ---------- model choices already made ---------- */

/* One fc_select: what it read (the series' figures, its scalars, the
 * family, the plan's model and min_points) and what it gave. */
typedef struct sel_entry {
    int used, n, counts, forced, min_points, no_scale_prior, have[3];
    fc_kind kind;
    double scale, lo, hi, trend_prior_sd, step;
    double *v; /* t, y, count, exposure: 4 n (the absent ones not compared) */
    fc_model model;
    fc_fit fits[FM_NMODELS];
    char why[512];
} sel_entry;

struct fc_select_memo {
    sel_entry e[FC_SELECT_MEMO];
    int next; /* the slot the next choice takes (the oldest) */
};

fc_select_memo *fc_select_memo_new(void) { return xcalloc(1, sizeof(fc_select_memo)); }

void fc_select_memo_free(fc_select_memo *sm)
{
    if (!sm)
        return;
    for (int i = 0; i < FC_SELECT_MEMO; i++)
        free(sm->e[i].v);
    free(sm);
}

/* The series of e is s's, figure for figure (to the bit). */
static int sel_same(const sel_entry *e, const fc_series *s, int counts, fc_model forced,
                    const forecast_options *o)
{
    const double *a[4] = {s->t, s->y, s->count, s->exposure};
    if (!e->used || e->n != s->n || e->counts != counts || e->forced != (int)forced ||
        e->min_points != o->min_points || e->kind != s->kind ||
        e->no_scale_prior != s->no_scale_prior || s->refit || s->nb_coef)
        return 0;
    double sc[5] = {s->scale, s->lo, s->hi, s->trend_prior_sd, s->step},
           ec[5] = {e->scale, e->lo, e->hi, e->trend_prior_sd, e->step};
    if (memcmp(sc, ec, sizeof sc) != 0)
        return 0;
    for (int k = 0; k < 4; k++) {
        if ((k == 0 ? 1 : e->have[k - 1]) != (a[k] != NULL))
            return 0;
        if (a[k] && memcmp(e->v + (size_t)k * (size_t)s->n, a[k], sizeof(double) * (size_t)s->n) != 0)
            return 0;
    }
    return 1;
}

fc_model fc_select_cached(fc_select_memo *sm, const fc_series *s, int counts, fc_model forced,
                          const forecast_options *o, fc_fit fits[FM_NMODELS], char *why,
                          size_t whysize)
{
    for (int i = 0; i < FC_SELECT_MEMO; i++) {
        const sel_entry *e = &sm->e[i];
        if (sel_same(e, s, counts, forced, o)) {
            memcpy(fits, e->fits, sizeof e->fits);
            snprintf(why, whysize, "%s", e->why);
            return e->model;
        }
    }
    fc_model m = fc_select(s, counts, forced, o, fits, why, whysize);
    if (s->refit || s->nb_coef)
        return m;
    sel_entry *e = &sm->e[sm->next];
    sm->next = (sm->next + 1) % FC_SELECT_MEMO;
    const double *a[4] = {s->t, s->y, s->count, s->exposure};
    e->v = xrealloc(e->v, sizeof(double) * 4 * (size_t)(s->n > 0 ? s->n : 1));
    for (int k = 0; k < 4; k++)
        if (a[k])
            memcpy(e->v + (size_t)k * (size_t)s->n, a[k], sizeof(double) * (size_t)s->n);
    e->used = 1;
    e->n = s->n;
    e->counts = counts;
    e->forced = (int)forced;
    e->min_points = o->min_points;
    e->no_scale_prior = s->no_scale_prior;
    for (int k = 0; k < 3; k++)
        e->have[k] = a[k + 1] != NULL;
    e->kind = s->kind;
    e->scale = s->scale;
    e->lo = s->lo;
    e->hi = s->hi;
    e->trend_prior_sd = s->trend_prior_sd;
    e->step = s->step;
    e->model = m;
    memcpy(e->fits, fits, sizeof e->fits);
    snprintf(e->why, sizeof e->why, "%s", why);
    return m;
}

static void series_buf_free(series_buf *b)
{
    free(b->t);
    free(b->y);
    free(b->c);
    free(b->e);
}

static const char *unit_of(const indicator *ind) { return ind->unit ? ind->unit : ""; }

/* Exposure in year: observed denominator, else projected (log-linear trend of
 * the last ten observed denominators; the last value with fewer than 3). */
static double exposure_in(const indicator_result *ir, int year, int *projected)
{
    *projected = 0;
    if (!ir->ind->numerator)
        return 1;
    year_value yv = result_year(ir, year);
    if (yv.den.state == FV_OK && yv.den.v > 0)
        return yv.den.v;
    *projected = 1;
    double t[10], z[10];
    int n = 0;
    for (int k = ir->nyears - 1; k >= 0 && n < 10; k--) {
        const year_value *v = &ir->years[k];
        if (v->den.state == FV_OK && v->den.v > 0 && ir->first_year + k < year) {
            t[n] = ir->first_year + k;
            z[n] = log(v->den.v);
            n++;
        }
    }
    if (n == 0)
        return NAN;
    if (n < 3)
        return exp(z[0]);
    double c0, c1, c00, c01, c11, ss;
    gsl_fit_linear(t, 1, z, 1, (size_t)n, &c0, &c1, &c00, &c01, &c11, &ss);
    return exp(c0 + c1 * year);
}

static int count_family_for(const indicator_result *ir, int count_var, double hi)
{
    if (count_var < 0)
        return 0;
    if (isfinite(hi)) {
        /* a share counting items that reach a standard (villages covered) is
         * bounded by its denominator: counts only when the share is rare */
        for (int k = 0; k < ir->nyears; k++)
            if (ir->years[k].value.state == FV_OK && ir->years[k].value.v > SHARE_RARE * hi)
                return 0;
    }
    return 1;
}

/* A share of trials: a count numerator never above its denominator, and
 * a bounded value (a percentage or per mille). */
static int is_share(const indicator_result *ir, int count_var, double hi)
{
    if (count_var < 0 || !ir->ind->numerator || !isfinite(hi))
        return 0;
    for (int k = 0; k < ir->nyears; k++) {
        const year_value *v = &ir->years[k];
        /* trials are whole, and successes never more than trials */
        if (v->num.state == FV_OK && v->den.state == FV_OK &&
            (v->num.v > v->den.v || v->den.v != floor(v->den.v)))
            return 0;
    }
    return 1;
}

/* FK_STOCK when the plan declares the indicator a stock and the data
 * agree (it never falls); otherwise FK_LEVEL, with the reason in note. */
static fc_kind stock_kind(const indicator *ind, const fc_series *s, char *note, size_t size)
{
    if (!ind->forecast_stock)
        return FK_LEVEL;
    for (int i = 1; i < s->n; i++)
        if (s->y[i] < s->y[i - 1]) {
            snprintf(note, size, "; declared a stock, but it falls in %d: forecast as a level",
                     (int)s->t[i]);
            return FK_LEVEL;
        }
    snprintf(note, size, "; a stock: forecast never below the last year");
    return FK_STOCK;
}

static void build_series(const indicator_result *ir, int counts, double lo, double hi,
                         series_buf *b)
{
    memset(b, 0, sizeof *b);
    size_t n = (size_t)(ir->nyears > 0 ? ir->nyears : 1);
    b->t = xcalloc(n, sizeof(double));
    b->y = xcalloc(n, sizeof(double));
    b->c = xcalloc(n, sizeof(double));
    b->e = xcalloc(n, sizeof(double));
    int m = 0;
    double scale = 1;
    for (int k = 0; k < ir->nyears; k++) {
        const year_value *v = &ir->years[k];
        if (v->value.state != FV_OK || !isfinite(v->value.v))
            continue;
        if (counts) {
            if (ir->ind->numerator) {
                if (v->num.state != FV_OK || v->den.state != FV_OK || !(v->den.v > 0))
                    continue;
                b->c[m] = v->num.v;
                b->e[m] = v->den.v;
            } else {
                b->c[m] = v->value.v;
                b->e[m] = 1;
            }
        }
        if (ir->ind->numerator)
            scale = v->scale;
        b->t[m] = ir->first_year + k;
        b->y[m] = v->value.v;
        m++;
    }
    b->s.n = m;
    b->s.t = b->t;
    b->s.y = b->y;
    b->s.count = counts ? b->c : NULL;
    b->s.exposure = counts ? b->e : NULL;
    b->s.scale = scale;
    b->s.lo = lo;
    b->s.hi = hi;
}

/* Natural bounds: never negative when no value is; 0..100 for a percentage
 * (0..1000 per mille) that stays within them. */
static void bounds_of(const indicator_result *ir, double *lo, double *hi)
{
    int any = 0, neg = 0, over100 = 0, over1000 = 0;
    for (int k = 0; k < ir->nyears; k++) {
        const year_value *v = &ir->years[k];
        if (v->value.state != FV_OK)
            continue;
        any = 1;
        if (v->value.v < 0)
            neg = 1;
        if (v->value.v > 100)
            over100 = 1;
        if (v->value.v > 1000)
            over1000 = 1;
    }
    *lo = any && !neg ? 0 : -HUGE_VAL;
    *hi = HUGE_VAL;
    const char *u = unit_of(ir->ind);
    if (any && !neg && strcmp(u, "%") == 0 && !over100)
        *hi = 100;
    else if (any && !neg && strcmp(u, "\xe2\x80\xb0") == 0 && !over1000) /* per mille sign */
        *hi = 1000;
}

/* ---------- text from templates ---------- */

/* Replace {key} in tpl by the matching value. */
static char *fill(const char *tpl, const char *const *kv)
{
    strbuf b;
    sb_init(&b);
    for (const char *p = tpl; *p;) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            int done = 0;
            if (e) {
                for (int i = 0; kv[i]; i += 2)
                    if (strlen(kv[i]) == (size_t)(e - p - 1) &&
                        strncmp(kv[i], p + 1, (size_t)(e - p - 1)) == 0) {
                        sb_add(&b, kv[i + 1] ? kv[i + 1] : "");
                        done = 1;
                        break;
                    }
            }
            if (done) {
                p = e + 1;
                continue;
            }
        }
        sb_addc(&b, *p++);
    }
    return sb_take(&b);
}

/* The wording of section/code, or the built-in ASCII fallback. */
static const char *text_of(const labels *lb, const char *section, const char *code,
                           const char *fallback)
{
    if (!lb)
        return fallback;
    const char *s = label(lb, section, code);
    return s && strcmp(s, code) != 0 ? s : fallback;
}

static void fmt_num(double v, int precision, char *buf, size_t n)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, n, "%.0f", v);
        return;
    }
    int prec = precision > 0 ? precision : 2;
    /* enough decimals to show at least 2 significant digits */
    double a = fabs(v);
    while (a > 0 && a < pow(10, -prec + 1) && prec < 12)
        prec++;
    snprintf(buf, n, "%.*f", prec, v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
}

static char *count_label(const plan_ctx *pc, const indicator *ind, int cv)
{
    const var_def *vd = &pc->ec->dict->vars[cv];
    const expr_def *e = ind->numerator ? ind->numerator : ind->formula;
    formula_ref ref;
    const char *base = vd->label ? vd->label : vd->name;
    if (!e || !e->f || !formula_is_single_ref(e->f, &ref) || ref.nfilters == 0)
        return xstrdup(base);
    strbuf vals;
    sb_init(&vals);
    const char *sep = text_of(pc->lb, "forecast_text", "list_sep", "/");
    for (int i = 0; i < ref.nfilters; i++)
        for (int k = 0; k < ref.filters[i].nvalues; k++) {
            if (vals.len)
                sb_add(&vals, sep);
            sb_add(&vals, ref.filters[i].values[k]);
        }
    char *v = sb_take(&vals);
    const char *kv[] = {"label", base, "values", v, NULL};
    char *r = fill(text_of(pc->lb, "forecast_text", "count_filtered", "{label} ({values})"), kv);
    free(v);
    return r;
}

static const char *exposure_label(const plan_ctx *pc, const indicator *ind)
{
    if (!ind->denominator || !ind->denominator->f)
        return "";
    formula_ref ref;
    const expr_def *e = ind->denominator;
    for (int depth = 0; depth < 4 && e && e->f; depth++) {
        if (formula_is_single_ref(e->f, &ref)) {
            const var_def *vd = &pc->ec->dict->vars[ref.id];
            return vd->label ? vd->label : vd->name;
        }
        /* a bare parameter name (population): follow it to its value */
        const formula_ref *refs;
        if (formula_refs(e->f, &refs) != 1 || refs[0].kind != REF_PARAM || !e->text ||
            strcmp(e->text, pc->ec->syms->names[refs[0].id]) != 0)
            break;
        const param_def *pd = plan_param(pc->ec->p, pc->ec->cat, ind, refs[0].id);
        e = pd ? &pd->value : NULL;
    }
    return ind->denominator->text;
}

/* ---------- path simulation (window targets) ---------- */

typedef struct sim_setup {
    const fc_fit *f;
    const fc_series *s;
    double L[2][2];      /* Cholesky factor of the coefficient covariance */
} sim_setup;

static void chol2(const double c[2][2], int p, double L[2][2])
{
    memset(L, 0, sizeof(double) * 4);
    L[0][0] = c[0][0] > 0 && isfinite(c[0][0]) ? sqrt(c[0][0]) : 0;
    if (p == 2) {
        L[1][0] = L[0][0] > 0 ? c[1][0] / L[0][0] : 0;
        double d = c[1][1] - L[1][0] * L[1][0];
        L[1][1] = d > 0 ? sqrt(d) : 0;
    }
}

/* The trend's second normal of a path: only its sign counts where the
 * Cholesky factor has no trend of its own (L[1][1] 0: a constant level or
 * rate, or a trend fully tied to the level), and there the uniforms are
 * drawn without the log (mtrand_ugaussian_sign). */
static inline double trend_z1(const sim_setup *ss, mtrand_state *ms)
{
    return ss->L[1][1] != 0 ? mtrand_ugaussian(ms) : mtrand_ugaussian_sign(ms);
}

/* One joint draw of the values in years tf[0..nf-1] (after the fit); counts
 * in cnt[] for count models. The first `skip` years the caller overwrites
 * (a figure kept unchanged): where their draws feed no later year (the
 * constant level, line and log-linear trend) their numbers are drawn but
 * not turned into values, which are left NAN. */
static void sim_path(const sim_setup *ss, gsl_rng *r, int nf, const double *tf, const double *ef,
                     int skip, double *val, double *cnt)
{
    const fc_fit *f = ss->f;
    const fc_series *s = ss->s;
    mtrand_state *ms = mtrand_of(r);
    switch (f->model) {
    case FM_MEAN:
    case FM_LINEAR:
    case FM_LOGLINEAR: {
        double sig = f->sigma, scale = 1;
        if (sig > 0) {
            double chi = gsl_ran_chisq(r, f->df);
            double s2 = f->df * sig * sig / chi;
            scale = sqrt(s2) / sig;
            sig = sqrt(s2);
        }
        double z0 = mtrand_ugaussian(ms), z1 = trend_z1(ss, ms);
        double b0 = f->b[0] + scale * ss->L[0][0] * z0;
        double b1 = f->b[1] + scale * (ss->L[1][0] * z0 + ss->L[1][1] * z1);
        int h = 0;
        for (; h < skip && h < nf; h++) {
            mtrand_ugaussian_sign(ms);
            val[h] = NAN;
        }
        for (; h < nf; h++) {
            double v = b0 + b1 * (tf[h] - f->tc) + sig * mtrand_ugaussian(ms);
            val[h] = f->model == FM_LOGLINEAR ? exp(v) : v;
        }
        break;
    }
    case FM_DAMPED: {
        double l = f->level, b = f->trend, yr = f->last_t;
        for (int h = 0; h < nf; h++) {
            while (yr < tf[h] - 0.5) {
                double yhat = l + f->phi * b;
                double e = f->sigma * mtrand_ugaussian(ms);
                val[h] = yhat + e;
                l = yhat + f->alpha * e;
                b = f->phi * b + f->alpha * f->beta * e;
                yr += 1;
            }
        }
        break;
    }
    case FM_RANDOM_WALK: {
        double sig = f->sigma, scale = 1;
        if (sig > 0) {
            double s2 = f->df * sig * sig / gsl_ran_chisq(r, f->df);
            scale = sqrt(s2) / sig;
            sig = sqrt(s2);
        }
        double d = f->b[1] + scale * sqrt(f->cov[1][1]) * mtrand_ugaussian(ms);
        double v = f->last_y, yr = f->last_t;
        for (int h = 0; h < nf; h++) {
            for (; yr < tf[h] - 0.5; yr += 1)
                v += d + sig * mtrand_ugaussian(ms);
            val[h] = v;
        }
        break;
    }
    case FM_POISSON_MEAN: {
        double rate = gsl_ran_gamma(r, f->sum_count + 0.5, 1 / f->sum_exposure);
        for (int h = 0; h < nf; h++) {
            cnt[h] = gsl_ran_poisson(r, rate * ef[h]);
            val[h] = s->scale * cnt[h] / ef[h];
        }
        break;
    }
    case FM_BINOMIAL_MEAN:
    case FM_BINOMIAL: {
        double z0 = mtrand_ugaussian(ms), z1 = trend_z1(ss, ms);
        double b0 = f->b[0] + ss->L[0][0] * z0;
        double b1 = f->p == 2 ? f->b[1] + ss->L[1][0] * z0 + ss->L[1][1] * z1 : 0;
        for (int h = 0; h < nf; h++) {
            double N = floor(ef[h] + 0.5);
            double eta = b0 + b1 * (tf[h] - f->tc);
            if (f->re_var > 0)
                eta += sqrt(f->re_var) * mtrand_ugaussian(ms);
            cnt[h] = N >= 1 ? gsl_ran_binomial(r, logistic(eta), (unsigned)N) : 0;
            val[h] = N >= 1 ? s->scale * cnt[h] / N : NAN;
        }
        break;
    }
    case FM_POISSON:
    case FM_NEGBIN_MEAN:
    case FM_NEGBIN: {
        double z0 = mtrand_ugaussian(ms), z1 = trend_z1(ss, ms);
        double b0 = f->b[0] + ss->L[0][0] * z0;
        double b1 = f->p == 2 ? f->b[1] + ss->L[1][0] * z0 + ss->L[1][1] * z1 : 0;
        for (int h = 0; h < nf; h++) {
            double mu = ef[h] * exp(b0 + b1 * (tf[h] - f->tc));
            if (mu > 1e9)
                mu = 1e9;
            if (f->model == FM_POISSON)
                cnt[h] = gsl_ran_poisson(r, mu);
            else
                cnt[h] = gsl_ran_negative_binomial(r, 1 / (1 + f->nb_alpha_pred * mu),
                                                   1 / f->nb_alpha_pred);
            val[h] = s->scale * cnt[h] / ef[h];
        }
        break;
    }
    default:
        for (int h = 0; h < nf; h++)
            val[h] = NAN;
    }
    double floor_v = s->kind == FK_STOCK && s->n > 0 ? s->y[s->n - 1] : -HUGE_VAL;
    for (int h = 0; h < nf; h++) {
        val[h] = clampd(val[h], s->lo, s->hi);
        if (val[h] < floor_v)
            val[h] = floor_v; /* a stock never falls: each year at least the last */
        floor_v = s->kind == FK_STOCK ? val[h] : floor_v;
    }
}

static uint32_t fnv(uint32_t h, const char *s)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* Puts the k-th smallest of v[l..r] at v[k], nothing larger before it and
 * nothing smaller after it (Hoare's selection, median-of-three pivot). */
static void select_kth(double *v, int l, int r, int k)
{
    while (r > l) {
        int m = l + (r - l) / 2;
        double t;
#define SWAP_(a, b) (t = v[a], v[a] = v[b], v[b] = t)
        if (v[m] < v[l])
            SWAP_(l, m);
        if (v[r] < v[l])
            SWAP_(l, r);
        if (v[r] < v[m])
            SWAP_(m, r);
        double p = v[m];
        int i = l, j = r;
        while (i <= j) {
            while (v[i] < p)
                i++;
            while (v[j] > p)
                j--;
            if (i <= j) {
                SWAP_(i, j);
                i++;
                j--;
            }
        }
#undef SWAP_
        if (k <= j)
            r = j;
        else if (k >= i)
            l = i;
        else
            return;
    }
}

/*
 * The quantiles at ascending probabilities qs[0..nq) of v[0..n), n >= 1,
 * interpolated between order statistics as in a sorted array, found by
 * selection: a few order statistics of 20,000 paths cost far less than
 * sorting them (type-7 quantiles). v is reordered.
 */
static void quantiles_of(double *v, int n, const double *qs, int nq, double *out)
{
    int start = 0;
    for (int i = 0; i < nq; i++) {
        double h = (n - 1) * qs[i];
        int lo = (int)floor(h);
        if (lo >= n - 1)
            lo = n - 1;
        if (lo >= start)
            select_kth(v, start, n - 1, lo);
        if (lo == n - 1) {
            out[i] = v[lo];
            start = n;
            continue;
        }
        double next = v[lo + 1]; /* the smallest of what follows v[lo] */
        for (int j = lo + 2; j < n; j++)
            if (v[j] < next)
                next = v[j];
        out[i] = v[lo] + (h - lo) * (next - v[lo]);
        start = lo + 1;
    }
}

/* ---------- targets ---------- */

/* What a target compares, once decrease/increase are turned into a limit. */
typedef struct goal_def {
    int ok;
    target_op op;
    double goal;
    aggregate agg;
    int window[2];
    const char *why_not;
} goal_def;

static goal_def goal_of(const target_result *tr)
{
    const target *t = tr->t;
    goal_def g;
    memset(&g, 0, sizeof g);
    g.window[0] = t->window[0];
    g.window[1] = t->window[1];
    if (t->op == OP_DECREASE || t->op == OP_INCREASE) {
        const baseline_def *b = &t->baseline;
        if (tr->baseline.state != FV_OK) {
            g.why_not = "no baseline figure";
            return g;
        }
        double B = tr->baseline.v;
        if (t->has_amount) {
            g.op = t->op == OP_DECREASE ? OP_LE : OP_GE;
            g.goal = t->op == OP_DECREASE ? B - t->amount : B + t->amount;
        } else if (fabs(B) <= tol(0)) {
            g.op = t->op == OP_DECREASE ? OP_LE : OP_GT;
            g.goal = 0;
        } else if (t->op == OP_DECREASE) {
            g.op = t->has_by ? OP_LE : OP_LT;
            g.goal = t->has_by ? B * (1 - t->by / 100) : B;
        } else {
            g.op = t->has_by ? OP_GE : OP_GT;
            g.goal = t->has_by ? B * (1 + t->by / 100) : B;
        }
        g.agg = b->reading == BASE_YEAR ? AGG_YEAR
                : b->reading == BASE_PERIOD_MEAN ? AGG_WINDOW_MEAN
                                                 : AGG_WINDOW_SUM;
    } else if (t->op <= OP_ZERO) {
        g.op = t->op;
        g.goal = t->op == OP_ZERO ? 0 : t->value;
        g.agg = t->agg;
    } else {
        g.why_not = "not a quantitative target";
        return g;
    }
    if (g.agg == AGG_YEAR)
        g.window[0] = g.window[1] = t->year;
    g.ok = 1;
    return g;
}

/* Everything one target needs while being forecast. */
typedef struct tgt_ctx {
    const plan_ctx *pc;
    fc_indicator *fi;
    const series_buf *sb;
    const fc_fit *fit;
    int k;
    /* the forecast years' mixtures kept for the targets of one year
     * (NULL where no target reads that year): mix[y - year0] */
    fc_mix *const *mix;
    int mix_year0, nmix;
} tgt_ctx;

static void set_tnote(fc_target *ft, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_tnote(fc_target *ft, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    free(ft->note);
    ft->note = s;
}

static fc_status status_of(const forecast_options *o, double p)
{
    return p >= o->on_track ? FS_ON_TRACK : p >= o->at_risk ? FS_AT_RISK : FS_OFF_TRACK;
}

/* 1 if year is excluded by exclude_when, 0 if not, -1 if that is unknown. */
static int excluded(const plan_ctx *pc, const indicator *ind, const target *t, const int w[2],
                    int year)
{
    if (!t->exclude_when.f)
        return 0;
    eval_context wec = *pc->ec;
    wec.trace = NULL;
    wec.window[0] = w[0];
    wec.window[1] = w[1];
    fvalue ex = compute_expr(&wec, ind, &t->exclude_when, year);
    if (ex.state == FV_MISSING)
        return -1;
    return ex.state == FV_OK && ex.v != 0;
}

static const fc_point *point_at(const fc_indicator *fi, int year)
{
    for (int i = 0; i < fi->npoints_fc; i++)
        if (fi->points[i].year == year)
            return &fi->points[i];
    return NULL;
}

/* Aggregate of one path: observed part (sums etc.) plus future values. */
static double aggregate_path(aggregate agg, const window_obs *wo, int nf, const double *val,
                             const double *num, const double *den, double scale, target_op op,
                             double goal, int *ok)
{
    /* only what the aggregate reads, in a loop of its own: this runs for
     * each of 20 000 paths */
    *ok = 1;
    int n = wo->n + (nf > 0 ? nf : 0);
    switch (agg) {
    case AGG_WINDOW_MEAN:
    case AGG_WINDOW_SUM: {
        double sum = wo->sum;
        for (int h = 0; h < nf; h++)
            sum += val[h];
        return agg == AGG_WINDOW_SUM ? sum : n ? sum / n : NAN;
    }
    case AGG_WINDOW_RATIO: {
        double sn = wo->num, sd = wo->den;
        for (int h = 0; h < nf; h++) {
            sn += num[h];
            sd += den[h];
        }
        return sd > 0 ? scale * sn / sd : NAN;
    }
    case AGG_WINDOW_MAX:
    case AGG_WINDOW_MIN:
    case AGG_EVERY_YEAR: {
        double mn = wo->min, mx = wo->max;
        int k = wo->n, every = !wo->every_fail;
        for (int h = 0; h < nf; h++, k++) {
            double v = val[h];
            if (k == 0 || v < mn)
                mn = v;
            if (k == 0 || v > mx)
                mx = v;
            if (agg == AGG_EVERY_YEAR && every && !meets(op, v, goal))
                every = 0;
        }
        if (agg == AGG_WINDOW_MAX)
            return mx;
        if (agg == AGG_WINDOW_MIN)
            return mn;
        /* the figure that decides: the worst year, lowest for a floor */
        *ok = every;
        return op == OP_GE || op == OP_GT ? mn : mx;
    }
    default: return NAN;
    }
}

/* ---------- window figures in closed form (docs/methodology.md, section 5) ---------- */

/* Largest probability of a value reaching a bound for the closed form to
 * stand for the simulation: the bound changes P(met) and each CDF value by
 * at most this, against a simulation standard error up to 0.0035. */
#define WINDOW_BOUND_MASS 1e-4

/* A window figure linear in the future values: c0 + sum of a[h] * v[h]. */
static int window_linear(aggregate agg, const window_obs *wo, int nf, const double *ef,
                         double scale, double *c0, double *a)
{
    double n = wo->n + nf, D = wo->den;
    for (int h = 0; h < nf; h++)
        D += ef[h];
    switch (agg) {
    case AGG_WINDOW_SUM: *c0 = wo->sum; break;
    case AGG_WINDOW_MEAN: *c0 = n > 0 ? wo->sum / n : NAN; break;
    case AGG_WINDOW_RATIO: *c0 = D > 0 ? scale * wo->num / D : NAN; break;
    default: return -1;
    }
    for (int h = 0; h < nf; h++)
        a[h] = agg == AGG_WINDOW_SUM ? 1 : agg == AGG_WINDOW_MEAN ? 1 / n : ef[h] / D;
    return isfinite(*c0) ? 0 : -1;
}

/* Years of a random walk or damped trend from the last observation to tf[h]:
 * the steps sim_path takes, counted the same way. */
static int walk_steps(const fc_fit *f, int nf, const double *tf, int *k)
{
    double yr = f->last_t;
    int n = 0;
    for (int h = 0; h < nf; h++) {
        for (; yr < tf[h] - 0.5 && n < 256; yr += 1)
            n++;
        k[h] = n;
    }
    return n;
}

/* The damped trend's sum of a[h] * v[h] with the yearly errors e[0..]. */
static double damped_sum(const fc_fit *f, int nf, const int *k, const double *a, const double *e)
{
    double l = f->level, b = f->trend, r = 0;
    for (int j = 0, h = 0; h < nf && j < 256; j++) {
        double v = l + f->phi * b + e[j];
        l = l + f->phi * b + f->alpha * e[j];
        b = f->phi * b + f->alpha * f->beta * e[j];
        for (; h < nf && k[h] == j + 1; h++)
            r += a[h] * v;
    }
    return r;
}

/*
 * The distribution of c0 + sum a[h] * v[h] under one Gaussian model, as
 * the paths of sim_path draw it: given σ² the figure is normal (the
 * coefficients' normal and the yearly errors are both scaled by σ/σ̂), and
 * σ² from its scaled χ² makes it Student t with the fit's df. The damped
 * trend has no parameter uncertainty: normal. 0, or -1 for another model.
 */
static int window_dist(const sim_setup *ss, int nf, const double *tf, const double *a, double c0,
                       fc_pred *p)
{
    const fc_fit *f = ss->f;
    memset(p, 0, sizeof *p);
    p->kind = PK_T;
    p->lo = -HUGE_VAL;
    p->hi = HUGE_VAL;
    double sig = f->sigma, vpar = 0, vnoise = 0;
    int k[64] = {0};
    switch (f->model) {
    case FM_MEAN:
    case FM_LINEAR: {
        double x0 = 0, x1 = 0;
        for (int h = 0; h < nf; h++) {
            x0 += a[h];
            x1 += a[h] * (tf[h] - f->tc);
            vnoise += a[h] * a[h];
        }
        p->m = c0 + x0 * f->b[0] + x1 * f->b[1];
        double u0 = x0 * ss->L[0][0] + x1 * ss->L[1][0], u1 = x1 * ss->L[1][1];
        vpar = u0 * u0 + u1 * u1;
        break;
    }
    case FM_RANDOM_WALK: {
        int K = walk_steps(f, nf, tf, k);
        double ak = 0;
        p->m = c0;
        for (int h = 0; h < nf; h++) {
            ak += a[h] * k[h];
            p->m += a[h] * (f->last_y + k[h] * f->b[1]);
        }
        for (int j = 1, h0 = 0; j <= K; j++) {
            double c = 0; /* the weight of the j-th year's step in the figure */
            while (h0 < nf && k[h0] < j)
                h0++;
            for (int h = h0; h < nf; h++)
                c += a[h];
            vnoise += c * c;
        }
        vpar = f->cov[1][1] * ak * ak;
        break;
    }
    case FM_DAMPED: {
        int K = walk_steps(f, nf, tf, k);
        double e[256];
        memset(e, 0, sizeof e);
        double base = damped_sum(f, nf, k, a, e);
        p->m = c0 + base;
        for (int j = 0; j < K; j++) {
            e[j] = 1;
            double g = damped_sum(f, nf, k, a, e) - base;
            e[j] = 0;
            vnoise += g * g;
        }
        p->sd = sig * sqrt(vnoise);
        p->df = 0;
        return p->sd > 0 && isfinite(p->sd) && isfinite(p->m) ? 0 : -1;
    }
    default: return -1;
    }
    p->df = sig > 0 ? f->df : 0;
    p->sd = sqrt(vpar + (sig > 0 ? sig * sig * vnoise : 0));
    return p->sd > 0 && isfinite(p->sd) && isfinite(p->m) ? 0 : -1;
}

/* The probability that some future year of model ss leaves [lo, hi]. */
static double bound_mass(const sim_setup *ss, int nf, const double *tf)
{
    double a[64], mass = 0;
    memset(a, 0, sizeof a);
    for (int h = 0; h < nf; h++) {
        fc_pred p;
        a[h] = 1;
        int rc = window_dist(ss, nf, tf, a, 0, &p);
        a[h] = 0;
        if (rc != 0)
            return 1;
        if (isfinite(ss->s->lo))
            mass += latent_cdf(&p, ss->s->lo);
        if (isfinite(ss->s->hi))
            mass += 1 - latent_cdf(&p, ss->s->hi);
    }
    return mass;
}

/*
 * A window mean, sum or ratio of values from Gaussian models (constant
 * level, linear trend, random walk, damped trend) is a mixture of Student
 * t (or normal) distributions in closed form: P(met) and the quantiles read
 * off it exactly, where the simulation had them within its sampling error.
 * Only when the values cannot reach their bounds (a stock, whose paths never
 * fall, is simulated). 0 with the figures in ft, or -1: simulate.
 */
static int window_closed_form(const tgt_ctx *tc, const goal_def *g, const window_obs *wo,
                              const sim_setup *ss, const double *cw, int nm, int nf,
                              const double *tf, const double *ef, fc_target *ft)
{
    const fc_series *s = &tc->sb->s;
    double a[64], c0;
    if (tc->pc->o->window_sim_only || nm < 1 || nf < 1 || s->kind == FK_STOCK ||
        window_linear(g->agg, wo, nf, ef, s->scale, &c0, a) != 0)
        return -1;
    fc_mix mix;
    memset(&mix, 0, sizeof mix);
    for (int i = 0; i < nm; i++) {
        if (window_dist(&ss[i], nf, tf, a, c0, &mix.p[i]) != 0 ||
            bound_mass(&ss[i], nf, tf) > WINDOW_BOUND_MASS)
            return -1;
        mix.w[i] = (cw[i] - (i ? cw[i - 1] : 0)) / cw[nm - 1];
    }
    mix.k = nm;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    ft->prob = fc_mix_prob(&mix, g->op, g->goal);
    tabled x;
    mix_tables(&mix, &x);
    ft->lo95 = mix_quantile(&mix, x.t, 0.025);
    ft->lo80 = mix_quantile(&mix, x.t, 0.10);
    ft->value = mix_quantile(&mix, x.t, 0.5);
    ft->hi80 = mix_quantile(&mix, x.t, 0.90);
    ft->hi95 = mix_quantile(&mix, x.t, 0.975);
    mix_tables_free(&mix, &x);
    gsl_set_error_handler(old);
    ft->has_forecast = 1;
    ft->has_prob = 1;
    return 0;
}

/* The figure's quantiles at 2.5, 10, 50, 90 and 97.5 %: its interval and point. */
static void set_interval(fc_target *ft, const double qv[5])
{
    ft->lo95 = qv[0];
    ft->lo80 = qv[1];
    ft->value = qv[2];
    ft->hi80 = qv[3];
    ft->hi95 = qv[4];
    ft->has_forecast = 1;
}

/* What drawing the paths of one window needs. */
typedef struct path_ctx {
    const goal_def *g;
    const window_obs *wo;
    const sim_setup *ss;
    const double *cw; /* cumulative weights of ss[0..nm) */
    int nm, nf;
    const double *tf, *ef;
    double scale;
    double trials[64]; /* what a binomial path draws from */
    const fc_stale *stale; /* the last figure kept unchanged, or NULL */
    double stale_lo, stale_hi; /* the uniform number that decides how long a
                              path keeps the last figure (see draw_paths) is
                              drawn from [stale_lo, stale_hi): [0, 1) for all
                              paths, narrower for some of them only */
} path_ctx;

/* The figure of a path as planeval's window compares it, and whether it
 * met the goal. */
static double path_figure(const path_ctx *px, int model, const double *val, const double *cnt,
                          int *met)
{
    const goal_def *g = px->g;
    double num[64];
    const double *nump = fc_model_is_count(model) ? cnt : num;
    if (nump == num && g->agg == AGG_WINDOW_RATIO) /* only a ratio reads the events */
        for (int h = 0; h < px->nf; h++)
            num[h] = val[h] * px->ef[h] / px->scale;
    else if (nump == num)
        nump = val;
    int every;
    int binom = model == FM_BINOMIAL || model == FM_BINOMIAL_MEAN;
    double a = aggregate_path(g->agg, px->wo, px->nf, val, nump, binom ? px->trials : px->ef,
                              px->scale, g->op, g->goal, &every);
    *met = g->agg == AGG_EVERY_YEAR ? every : isfinite(a) && meets(g->op, a, g->goal);
    return a;
}

/*
 * n paths, each from a model drawn by its weight (or all from model
 * `only` when it is >= 0): their finite figures into fig[0..*nfig); the
 * number of paths that met the target is returned.
 */
static int draw_paths(const path_ctx *px, gsl_rng *r, int n, int only, double *fig, int *nfig)
{
    double val[64], cnt[64] = {0};
    mtrand_state *ms = mtrand_of(r);
    int nmet = 0, nm = px->nm;
    *nfig = 0;
    /* an unchanged figure (fc_stale_fit): a path keeps the last figure up
     * to its first update, which comes after year h with the chance
     * still[h] (decreasing in h, so one uniform decides them all); a path
     * never updated in the window needs no model's draw */
    double still[64], stale_fig = NAN;
    int stale_met = 0, nst = px->stale ? px->nf : 0;
    for (int h = 0; h < nst; h++) {
        still[h] = fc_stale_prob(px->stale, px->tf[h]);
        val[h] = px->stale->y0;
    }
    if (nst)
        stale_fig = path_figure(px, FM_MEAN, val, cnt, &stale_met);
    for (int i = 0; i < n; i++) {
        double u = nst ? px->stale_lo + (px->stale_hi - px->stale_lo) * mtrand_uniform(ms) : 1;
        if (nst && u < still[nst - 1]) {
            nmet += stale_met;
            if (isfinite(stale_fig))
                fig[(*nfig)++] = stale_fig;
            continue;
        }
        int c = only >= 0 ? only : 0;
        if (only < 0 && nm > 1) {
            double uc = mtrand_uniform(ms) * px->cw[nm - 1];
            while (c < nm - 1 && uc >= px->cw[c])
                c++;
        }
        const sim_setup *ss = &px->ss[c];
        int kept = 0; /* the first years still at the last figure */
        while (kept < nst && u < still[kept])
            kept++;
        sim_path(ss, r, px->nf, px->tf, px->ef, ss->s->kind == FK_STOCK ? 0 : kept, val, cnt);
        for (int h = 0; h < kept; h++)
            val[h] = px->stale->y0;
        int met;
        double a = path_figure(px, ss->f->model, val, cnt, &met);
        nmet += met;
        if (isfinite(a))
            fig[(*nfig)++] = a;
    }
    return nmet;
}

/* A model's share of the ns paths: by its weight w of the total tw, at least one. */
static int path_share(int ns, double w, double tw)
{
    int n = (int)ceil(ns * w / tw);
    return n < 1 ? 1 : n > ns ? ns : n;
}

/*
 * The window figure by quadrature over each model's parameters
 * (window.c) where the model allows it; the other models by their own
 * paths, as many as their share of the ns the mixture would draw, so the
 * simulation error is no larger than drawing all ns. 0 with the figures
 * in ft, or -1 when no model has a quadrature here (then all are
 * simulated as before).
 */
static int window_quadrature(const tgt_ctx *tc, const goal_def *g, const path_ctx *px, gsl_rng *r,
                             int ns, double *fig, double lo, double hi, fc_target *ft)
{
    const fc_series *s = &tc->sb->s;
    int nm = px->nm;
    if (tc->pc->o->window_sim_only || nm < 1 || px->nf < 1 || s->kind == FK_STOCK)
        return -1;
    /* a sum, mean or ratio of values: Student t under a Gaussian model
     * whose years cannot reach their bounds, as in the closed form; by
     * quadrature (window.c) under a constant level or linear trend whose
     * years can */
    double a[64], c0;
    int linear = window_linear(g->agg, px->wo, px->nf, px->ef, s->scale, &c0, a) == 0;
    window_spec spec = {g->agg, g->op, g->goal, px->wo, px->nf, px->tf, px->ef, s, linear ? a : NULL, c0};
    window_mix *wm = window_mix_new(&spec);
    int exact[FM_NMODELS], nexact = 0;
    /* an unchanged figure (fc_stale_fit): the models' own paths are those
     * updated in the window's first year, and the paths that keep the
     * last figure for a while are simulated as one more component */
    double s0 = px->stale ? fc_stale_prob(px->stale, px->tf[0]) : 0;
    for (int i = 0; i < nm; i++) {
        double w = (px->cw[i] - (i ? px->cw[i - 1] : 0)) * (1 - s0);
        fc_pred p;
        exact[i] = 0;
        if (linear && window_dist(&px->ss[i], px->nf, px->tf, a, c0, &p) == 0 &&
            bound_mass(&px->ss[i], px->nf, px->tf) <= WINDOW_BOUND_MASS) {
            window_mix_student(wm, w, p.m, p.sd, p.df);
            exact[i] = 1;
        }
        if (!exact[i])
            exact[i] = window_mix_exact(wm, w, px->ss[i].f, px->ss[i].L, path_share(ns, w, px->cw[nm - 1])) == 0;
        nexact += exact[i];
    }
    if (!nexact) {
        window_mix_free(wm);
        return -1;
    }
    int npaths = 0;
    path_ctx pure = *px;
    pure.stale = NULL;
    for (int i = 0; i < nm; i++) {
        if (exact[i])
            continue;
        double w = (px->cw[i] - (i ? px->cw[i - 1] : 0)) * (1 - s0);
        int n = path_share(ns, w, px->cw[nm - 1]), nfig;
        int met = draw_paths(&pure, r, n, i, fig, &nfig);
        window_mix_paths(wm, w, fig, nfig, met, n);
        npaths += n;
    }
    if (s0 > 0) {
        /* kept all through the window: one figure, no path; kept for the
         * first years only: simulated */
        double sall = fc_stale_prob(px->stale, px->tf[px->nf - 1]), v[64], c[64] = {0};
        for (int h = 0; h < px->nf; h++)
            v[h] = px->stale->y0;
        int smet;
        double sf = path_figure(px, FM_MEAN, v, c, &smet);
        window_mix_paths(wm, sall * px->cw[nm - 1], &sf, isfinite(sf), smet, 1);
        if (s0 > sall) {
            path_ctx first = *px;
            first.stale_lo = sall;
            first.stale_hi = s0;
            int n = (int)ceil(ns * (s0 - sall)), nfig;
            n = n < 1 ? 1 : n > ns ? ns : n;
            int met = draw_paths(&first, r, n, -1, fig, &nfig);
            window_mix_paths(wm, (s0 - sall) * px->cw[nm - 1], fig, nfig, met, n);
            npaths += n;
        }
    }
    static const double qs[5] = {0.025, 0.10, 0.5, 0.90, 0.975};
    double qv[5];
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    ft->prob = window_mix_prob(wm);
    window_mix_quantiles(wm, qs, 5, lo, hi, qv);
    gsl_set_error_handler(old);
    window_mix_free(wm);
    set_interval(ft, qv);
    ft->has_prob = 1;
    ft->status = status_of(tc->pc->o, ft->prob);
    const window_obs *wo = px->wo;
    char how[160];
    if (nexact == nm && !npaths)
        snprintf(how, sizeof how, "without simulated paths (closed form or quadrature, exact)");
    else
        snprintf(how, sizeof how,
                 "without paths for %d of %d models (closed form or quadrature), the rest%s from "
                 "%d simulated paths",
                 nexact, nm, s0 > 0 ? " (and the last figure kept unchanged)" : "", npaths);
    set_tnote(ft, "%s %d-%d: %d observed year%s and %d forecast by %s%s; P(met) %.4f %s",
              aggregate_name(g->agg), g->window[0], g->window[1], wo->n, wo->n == 1 ? "" : "s",
              px->nf, nm > 1 ? "the model average, mostly " : "", fc_model_name(tc->fit->model),
              ft->prob, how);
    return 0;
}

/* The window's figure were every future year at v[h]: a first guess of
 * where its quantiles lie (from the yearly intervals' ends). */
static double window_hint(const goal_def *g, const window_obs *wo, int nf, const double *v,
                          const double *ef, double scale)
{
    double num[64];
    int every;
    for (int h = 0; h < nf; h++)
        num[h] = v[h] * ef[h] / scale;
    return aggregate_path(g->agg, wo, nf, v, num, ef, scale, g->op, g->goal, &every);
}

/* Forecast of a window target: observed years plus simulated future years. */
static void forecast_window(const tgt_ctx *tc, const target_result *tr, const goal_def *g,
                            fc_target *ft)
{
    const plan_ctx *pc = tc->pc;
    const fc_indicator *fi = tc->fi;
    const indicator_result *ir = fi->ir;
    const indicator *ind = ir->ind;
    const fc_fit *f = tc->fit;
    int last = (int)f->last_t;
    window_obs wo;
    memset(&wo, 0, sizeof wo);
    int nf = 0;
    double tf[64], ef[64], pv[64], pnum[64], pden[64];
    double ylo[64], yhi[64]; /* the yearly 95 % intervals: where the figure may lie */
    char *missing = NULL;
    for (int y = g->window[0]; y <= g->window[1]; y++) {
        int ex = excluded(pc, ind, tr->t, g->window, y);
        if (y <= last) {
            if (ex < 0) {
                char *old = missing;
                missing = old ? xasprintf("%s %d", old, y) : xasprintf("%d", y);
                free(old);
                continue;
            }
            if (ex)
                continue;
            year_value yv = result_year(ir, y);
            if (yv.value.state == FV_MISSING) {
                char *old = missing;
                missing = old ? xasprintf("%s %d", old, y) : xasprintf("%d", y);
                free(old);
                continue;
            }
            if (yv.value.state != FV_OK)
                continue;
            double v = yv.value.v;
            if (wo.n == 0 || v < wo.min)
                wo.min = v;
            if (wo.n == 0 || v > wo.max)
                wo.max = v;
            wo.sum += v;
            wo.n++;
            if (ind->numerator && yv.num.state == FV_OK && yv.den.state == FV_OK) {
                wo.num += yv.num.v;
                wo.den += yv.den.v;
            }
            if (!meets(g->op, v, g->goal))
                wo.every_fail = 1;
        } else if (ex == 1) {
            continue; /* known in advance to be left out */
        } else if (nf < 64) {
            const fc_point *pt = point_at(fi, y);
            int proj;
            tf[nf] = y;
            ef[nf] = fc_model_is_count(f->model) || ind->numerator ? exposure_in(ir, y, &proj) : 1;
            if (!(ef[nf] > 0))
                ef[nf] = 1;
            pv[nf] = pt ? pt->value : NAN;
            ylo[nf] = pt ? pt->lo95 : NAN;
            yhi[nf] = pt ? pt->hi95 : NAN;
            nf++;
        }
    }
    if (missing) {
        ft->status = FS_INSUFFICIENT;
        set_tnote(ft, "no data for %s in the window %d-%d", missing, g->window[0], g->window[1]);
        free(missing);
        return;
    }
    double scale = tc->sb->s.scale;
    /* point forecast when no path can be simulated: the aggregate of the
     * yearly point forecasts */
    for (int h = 0; h < nf; h++) {
        pden[h] = ef[h];
        pnum[h] = pv[h] * ef[h] / scale;
    }
    int okp;
    ft->value = aggregate_path(g->agg, &wo, nf, pv, pnum, pden, scale, g->op, g->goal, &okp);
    ft->has_forecast = isfinite(ft->value);
    /* simulation */
    int ns = pc->o->nsim > 0 ? pc->o->nsim : 1;
    /* the model average: each path from one model, drawn by its weight */
    sim_setup ss[FM_NMODELS];
    double cw[FM_NMODELS];
    int nm = 0;
    for (int m = 1; m < FM_NMODELS; m++) {
        const fc_fit *fm = &fi->fits[m];
        if (!(fm->weight > 0) || !fm->ok)
            continue;
        ss[nm].f = fm;
        ss[nm].s = &tc->sb->s;
        double cv[2][2], vs = fm->vscale > 0 ? fm->vscale : 1;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++)
                cv[j][k] = fm->cov[j][k] * vs;
        chol2(cv, fm->p, ss[nm].L);
        cw[nm] = (nm ? cw[nm - 1] : 0) + fm->weight;
        nm++;
    }
    /* an unchanged figure is a point mass that the closed forms do not
     * hold: its paths are a component of the quadrature's mixture */
    const fc_stale *st = fi->stale.on ? &fi->stale : NULL;
    if (!st && window_closed_form(tc, g, &wo, ss, cw, nm, nf, tf, ef, ft) == 0) {
        ft->status = status_of(pc->o, ft->prob);
        set_tnote(ft, "%s %d-%d: %d observed year%s and %d forecast by %s%s; P(met) %.4f in "
                      "closed form",
                  aggregate_name(g->agg), g->window[0], g->window[1], wo.n, wo.n == 1 ? "" : "s",
                  nf, nm > 1 ? "the model average, mostly " : "", fc_model_name(f->model),
                  ft->prob);
        return;
    }
    /* GSL's MT19937 to the bit, its draws inline (mtrand.h) */
    gsl_rng *r = gsl_rng_alloc(mtrand_type());
    if (!r) {
        fprintf(stderr, "planeval: out of memory (random numbers)\n");
        abort();
    }
    uint32_t seed = fnv(fnv(fnv(2166136261u, pc->ev->p->id), ind->id), "#");
    char kb[16];
    snprintf(kb, sizeof kb, "%d", tc->k);
    seed = fnv(seed, kb);
    gsl_rng_set(r, seed ? seed : 1);
    double *agg = xmalloc(sizeof(double) * (size_t)ns);
    path_ctx px = {g, &wo, ss, cw, nm, nf, tf, ef, scale, {0}, st, 0, 1};
    for (int h = 0; h < nf; h++)
        px.trials[h] = floor(ef[h] + 0.5); /* what a binomial path draws from */
    double plo = window_hint(g, &wo, nf, ylo, ef, scale), phi = window_hint(g, &wo, nf, yhi, ef, scale);
    if (window_quadrature(tc, g, &px, r, ns, agg, plo, phi, ft) == 0) {
        gsl_rng_free(r);
        free(agg);
        return;
    }
    int nagg = 0, nmet = draw_paths(&px, r, ns, -1, agg, &nagg);
    gsl_rng_free(r);
    if (nagg > 1) {
        static const double qs[5] = {0.025, 0.10, 0.5, 0.90, 0.975};
        double qv[5];
        quantiles_of(agg, nagg, qs, 5, qv);
        /* the median of the same paths: the aggregate of the yearly point
         * forecasts (a maximum of means) can fall outside its own interval */
        set_interval(ft, qv);
    } else {
        ft->lo80 = ft->hi80 = ft->lo95 = ft->hi95 = ft->value;
    }
    free(agg);
    ft->has_prob = 1;
    ft->prob = (double)nmet / ns;
    ft->status = status_of(pc->o, ft->prob);
    set_tnote(ft, "%s %d-%d: %d observed year%s and %d forecast by %s%s; P(met) %.4f from %d "
                  "simulated paths",
              aggregate_name(g->agg), g->window[0], g->window[1], wo.n, wo.n == 1 ? "" : "s", nf,
              nm > 1 ? "the model average, mostly " : "", fc_model_name(f->model), ft->prob, ns);
}

/* The latest year <= until with a value, and that value. */
static int latest_value(const indicator_result *ir, int until, double *v)
{
    for (int y = until; y >= ir->first_year; y--) {
        year_value yv = result_year(ir, y);
        if (yv.value.state == FV_OK) {
            *v = yv.value.v;
            return y;
        }
    }
    return 0;
}

static void progress_measures(const tgt_ctx *tc, const target_result *tr, const goal_def *g,
                              fc_target *ft)
{
    const plan_ctx *pc = tc->pc;
    const indicator_result *ir = tc->fi->ir;
    const target *t = tr->t;
    if (g->agg != AGG_YEAR)
        return;
    int T = t->year;
    double xnow;
    int until = pc->ev->eval_year < T ? pc->ev->eval_year : T;
    int ynow = latest_value(ir, until, &xnow);
    if (!ynow)
        return;
    /* recent actual change: slope over the last five years with values */
    {
        double ty[5], vy[5];
        int n = 0;
        for (int y = ynow; y >= ir->first_year && n < 5; y--) {
            year_value yv = result_year(ir, y);
            if (yv.value.state == FV_OK) {
                ty[n] = y;
                vy[n] = yv.value.v;
                n++;
            }
        }
        if (n >= 2) {
            double c0, c1, c00, c01, c11, ss;
            gsl_fit_linear(ty, 1, vy, 1, (size_t)n, &c0, &c1, &c00, &c01, &c11, &ss);
            ft->has_recent = 1;
            ft->recent_change = c1;
        }
    }
    if (T > ynow) {
        ft->has_required = 1;
        ft->required_change = (g->goal - xnow) / (T - ynow);
    }
    /* base: the baseline year of a year-reading change target, else the year
     * before the plan period (or the first year with a value after it) */
    int y0;
    double x0;
    if (t->op == OP_DECREASE || t->op == OP_INCREASE) {
        y0 = t->baseline.year;
        x0 = tr->baseline.v;
    } else {
        y0 = 0;
        x0 = 0;
        for (int y = pc->ev->p->period[0] - 1; y < ynow; y++) {
            year_value yv = result_year(ir, y);
            if (yv.value.state == FV_OK) {
                y0 = y;
                x0 = yv.value.v;
                break;
            }
        }
    }
    if (!y0 || ynow <= y0 || T <= y0)
        return;
    int dir;
    switch (g->op) {
    case OP_LE:
    case OP_LT:
    case OP_ZERO: dir = -1; break;
    case OP_GE:
    case OP_GT: dir = 1; break;
    default: dir = g->goal > x0 ? 1 : g->goal < x0 ? -1 : 0;
    }
    int met_now = meets(g->op, xnow, g->goal);
    ft->time_share = (double)(ynow - y0) / (T - y0);
    if (fabs(g->goal - x0) > tol(g->goal) && dir != 0) {
        /* progress counted in the target's direction: for a limit already
         * kept at the base, the gap to the limit is room, and using it up
         * (moving towards the limit) is negative progress, not a share done */
        ft->has_pace = 1;
        ft->task_share = dir * (xnow - x0) / fabs(g->goal - x0);
        ft->pace_ratio = ft->task_share / ft->time_share;
    }
    ft->sdg = fc_sdg_ratio(x0, y0, xnow, ynow, g->goal, T, dir, met_now);
}

/* Exact interval of the observed figure, for count-based indicators. */
static void observed_ci(const tgt_ctx *tc, const target_result *tr, const goal_def *g,
                        fc_target *ft)
{
    const indicator_result *ir = tc->fi->ir;
    const indicator *ind = ir->ind;
    int w0 = tr->window[0], w1 = tr->window[1];
    if (g->agg == AGG_YEAR)
        w0 = w1 = tr->assessed_year;
    if (g->agg == AGG_EVERY_YEAR || g->agg == AGG_WINDOW_MAX || g->agg == AGG_WINDOW_MIN ||
        w1 < w0 || w1 - w0 > 60)
        return;
    double c[64], w[64], e[64], sc[64];
    int n = 0;
    for (int y = w0; y <= w1; y++) {
        int ex = excluded(tc->pc, ind, tr->t, tr->window, y);
        if (ex < 0)
            return;
        if (ex)
            continue;
        year_value yv = result_year(ir, y);
        if (yv.value.state == FV_MISSING)
            return;
        if (yv.value.state != FV_OK)
            continue;
        if (ind->numerator) {
            if (yv.num.state != FV_OK || yv.den.state != FV_OK || !(yv.den.v > 0))
                return;
            c[n] = yv.num.v;
            e[n] = yv.den.v;
            sc[n] = yv.scale;
        } else {
            c[n] = yv.value.v;
            e[n] = 1;
            sc[n] = 1;
        }
        n++;
    }
    if (!n)
        return;
    double se = 0;
    for (int i = 0; i < n; i++)
        se += e[i];
    for (int i = 0; i < n; i++) {
        switch (g->agg) {
        case AGG_WINDOW_RATIO: w[i] = sc[i] / se; break;
        case AGG_WINDOW_MEAN: w[i] = sc[i] / (n * e[i]); break;
        default: w[i] = sc[i] / e[i];
        }
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    fc_weighted_poisson_ci(c, w, n, 0.95, &ft->ci_lo, &ft->ci_hi);
    gsl_set_error_handler(old);
    ft->has_ci = 1;
    int lo_ok = meets(g->op, ft->ci_lo, g->goal), hi_ok = meets(g->op, ft->ci_hi, g->goal);
    if (g->goal >= ft->ci_lo - tol(g->goal) && g->goal <= ft->ci_hi + tol(g->goal))
        ft->ci_vs_target = "indistinguishable";
    else
        ft->ci_vs_target = lo_ok && hi_ok ? "clearly_met" : "clearly_not_met";
}

/* The count a leader can hold on to: at most N events. */
static void allowance(const tgt_ctx *tc, const target_result *tr, const goal_def *g,
                      fc_target *ft)
{
    const plan_ctx *pc = tc->pc;
    const fc_indicator *fi = tc->fi;
    const indicator_result *ir = fi->ir;
    const indicator *ind = ir->ind;
    if (fi->count_family != 1 || fi->count_var < 0)
        return;
    if (g->op != OP_LE && g->op != OP_LT && g->op != OP_ZERO)
        return;
    double scale = tc->sb->s.scale;
    int last = fi->model != FM_NONE ? (int)tc->fit->last_t : pc->ev->data_last_year;
    char nb[32], gb[32], yb[16], fb[16], tb[16], ob[32];
    char *cl = count_label(pc, ind, fi->count_var);
    const var_def *vd = &pc->ec->dict->vars[fi->count_var];
    fmt_num(g->goal, ind->precision, gb, sizeof gb);
    const char *iunit = unit_of(ind);
    if (g->op == OP_ZERO) {
        gb[0] = '\0'; /* "kept at zero" says it all */
        iunit = "";
    }
    const char *opt = pc->lb ? label(pc->lb, "op", op_name(g->op)) : op_name(g->op);
    const char *expl = exposure_label(pc, ind);
    char *basis = NULL;
    double allowed;
    int from, to, window_text;
    int any_projected = 0;
    if (g->agg == AGG_YEAR || g->agg == AGG_EVERY_YEAR || g->agg == AGG_WINDOW_MAX) {
        int T = g->agg == AGG_YEAR ? g->window[1] : tr->t->window[1];
        double E = exposure_in(ir, T, &any_projected);
        if (!(E > 0))
            goto out;
        double lim = g->goal * E / scale;
        allowed = g->op == OP_LE ? floor(lim + 1e-9) : g->op == OP_LT ? ceil(lim - 1e-9) - 1 : 0;
        from = to = T;
        window_text = 0;
        snprintf(yb, sizeof yb, "%d", T);
    } else {
        /* sums over the window: what is left for the years not yet observed */
        double obs = 0, Ef = 0;
        int nobs = 0, nfut = 0;
        from = 0;
        to = g->window[1];
        double Eobs = 0;
        for (int y = g->window[0]; y <= g->window[1]; y++) {
            int ex = excluded(pc, ind, tr->t, g->window, y);
            if (ex == 1)
                continue;
            int proj;
            double E = exposure_in(ir, y, &proj);
            if (y <= last) {
                year_value yv = result_year(ir, y);
                if (ex < 0 || yv.value.state == FV_MISSING)
                    goto out;
                if (yv.value.state != FV_OK)
                    continue;
                double cnt = ind->numerator ? yv.num.v : yv.value.v;
                obs += g->agg == AGG_WINDOW_RATIO ? cnt : yv.value.v;
                Eobs += E;
                nobs++;
            } else {
                if (!(E > 0))
                    goto out;
                if (!from)
                    from = y;
                any_projected |= proj;
                Ef += E;
                nfut++;
            }
        }
        if (!from)
            from = g->window[0]; /* all observed: the allowance of the whole window */
        double lim;
        if (g->agg == AGG_WINDOW_RATIO) {
            lim = g->goal * (Eobs + Ef) / scale - (nfut ? obs : 0);
            if (!nfut)
                lim = g->goal * Eobs / scale;
        } else {
            /* window_mean / window_sum of yearly values: the future years'
             * values may add up to (goal x years) - observed, or goal - observed;
             * turned into counts at the mean exposure of those years */
            double room = g->agg == AGG_WINDOW_MEAN ? g->goal * (nobs + nfut) - (nfut ? obs : 0)
                                                    : g->goal - (nfut ? obs : 0);
            double Em = nfut ? Ef / nfut : (nobs ? Eobs / nobs : 1);
            lim = room * Em / scale;
            if (!nfut && g->agg == AGG_WINDOW_MEAN)
                lim = g->goal * nobs * Em / scale;
        }
        allowed = g->op == OP_LE ? floor(lim + 1e-9) : g->op == OP_LT ? ceil(lim - 1e-9) - 1 : 0;
        if (g->op == OP_ZERO)
            allowed = nfut ? -(obs > 0) : 0;
        window_text = from != to;
        snprintf(yb, sizeof yb, "%d", to);
        if (allowed < 0) {
            snprintf(fb, sizeof fb, "%d", g->window[0]);
            snprintf(tb, sizeof tb, "%d", last < to ? last : to);
            fmt_num(obs, 0, ob, sizeof ob);
            const char *kv[] = {"from", fb, "to", tb, "count", cl, "observed", ob, "count_unit",
                                vd->unit, "indicator", ind->name, "op", opt, "goal", gb, "unit",
                                iunit, NULL};
            ft->allowance = fill(text_of(pc->lb, "forecast_text", "allowance_exceeded",
                                         "{from}-{to}: {count} already {observed} {count_unit}; "
                                         "{indicator} can no longer be {op} {goal} {unit}"),
                                 kv);
            goto out;
        }
    }
    if (ind->numerator) {
        const char *kv[] = {"exposure", expl, "year", yb, NULL};
        basis = fill(any_projected ? text_of(pc->lb, "forecast_text", "basis_projected",
                                             " (at the projected {exposure})")
                                   : text_of(pc->lb, "forecast_text", "basis_observed",
                                             " (at the {year} {exposure})"),
                     kv);
    } else {
        basis = xstrdup("");
    }
    if (allowed < 0)
        allowed = 0;
    fmt_num(allowed, 0, nb, sizeof nb);
    snprintf(fb, sizeof fb, "%d", from);
    snprintf(tb, sizeof tb, "%d", to);
    {
        const char *kv[] = {"year", yb, "from", fb, "to", tb, "count", cl, "n", nb, "count_unit",
                            vd->unit, "indicator", ind->name, "op", opt, "goal", gb, "unit",
                            iunit, "basis", basis, NULL};
        ft->allowance =
            window_text
                ? fill(text_of(pc->lb, "forecast_text", "allowance_window",
                               "{from}-{to}: {count} at most {n} {count_unit} in total, so "
                               "that {indicator} is {op} {goal} {unit}{basis}"),
                       kv)
                : fill(text_of(pc->lb, "forecast_text", "allowance_year",
                               "{year}: {count} at most {n} {count_unit}, so that {indicator} "
                               "is {op} {goal} {unit}{basis}"),
                       kv);
    }
out:
    free(basis);
    free(cl);
}

/* Sum or mean of the series over [a, b]; MISSING when a year is missing. */
static fvalue period_value(const indicator_result *ir, int a, int b, int mean)
{
    double s = 0;
    int n = 0;
    for (int y = a; y <= b; y++) {
        year_value yv = result_year(ir, y);
        if (yv.value.state == FV_MISSING)
            return fv_missing();
        if (yv.value.state != FV_OK)
            continue;
        s += yv.value.v;
        n++;
    }
    return n ? fv_ok(mean ? s / n : s) : fv_undefined();
}

static void sensitivity(const tgt_ctx *tc, const target_result *tr, fc_target *ft)
{
    const target *t = tr->t;
    const baseline_def *b = &t->baseline;
    const indicator_result *ir = tc->fi->ir;
    if (t->op != OP_DECREASE && t->op != OP_INCREASE)
        return;
    ft->has_sensitivity = 1;
    int base_year = b->reading == BASE_YEAR ? b->year : b->period[1];
    int determinable = 0, nmet = 0;
    for (int r = 0; r < 3; r++) {
        fvalue B, C;
        if (r == (int)b->reading && b->has_value)
            B = fv_ok(b->value);
        else if (r == BASE_YEAR)
            B = result_year(ir, base_year).value;
        else
            B = period_value(ir, b->period[0], b->period[1], r == BASE_PERIOD_MEAN);
        if (r == BASE_YEAR)
            C = result_year(ir, tr->assessed_year).value;
        else
            C = period_value(ir, tr->window[0], tr->window[1], r == BASE_PERIOD_MEAN);
        /* a window not yet complete: its total is taken pro rata */
        if (r == BASE_PERIOD_TOTAL && !tr->due && C.state == FV_OK &&
            tr->window[1] >= tr->window[0] && t->window[1] > tr->window[1])
            C.v *= (double)(t->window[1] - t->window[0] + 1) / (tr->window[1] - tr->window[0] + 1);
        verdict v;
        ft->sens_has_change[r] = 0;
        if (B.state == FV_MISSING || C.state == FV_MISSING) {
            v = V_INSUFFICIENT;
        } else if (B.state != FV_OK || C.state != FV_OK) {
            v = V_NOT_APPLICABLE;
        } else if (t->has_amount) {
            double lim = t->op == OP_DECREASE ? B.v - t->amount : B.v + t->amount;
            int ok = t->op == OP_DECREASE ? C.v <= lim + tol(lim) : C.v >= lim - tol(lim);
            v = ok ? V_MET : V_NOT_MET;
        } else if (fabs(B.v) <= tol(0)) {
            int ok = t->op == OP_DECREASE ? C.v <= tol(0) : C.v > tol(0);
            v = ok ? V_MET : V_NOT_MET;
        } else {
            double by = t->has_by ? t->by : 0, ch;
            int ok;
            if (t->op == OP_DECREASE) {
                ch = (B.v - C.v) / B.v * 100;
                ok = t->has_by ? ch >= by - tol(by) : C.v < B.v - tol(B.v);
            } else {
                ch = (C.v - B.v) / B.v * 100;
                ok = t->has_by ? ch >= by - tol(by) : C.v > B.v + tol(B.v);
            }
            ft->sens_change[r] = ch;
            ft->sens_has_change[r] = 1;
            v = ok ? V_MET : V_NOT_MET;
        }
        ft->sens[r] = v;
        if (v == V_MET || v == V_NOT_MET) {
            determinable++;
            nmet += v == V_MET;
        }
    }
    ft->sensitivity = determinable < 2 ? "undetermined"
                      : nmet == 0 || nmet == determinable ? "same"
                                                          : "differs";
}

static void forecast_target(const tgt_ctx *tc, const target_result *tr, fc_target *ft)
{
    const plan_ctx *pc = tc->pc;
    const fc_indicator *fi = tc->fi;
    if (OP_IS_TREND(tr->t->op)) {
        /* Judged on the years observed; a forecast of "every year below the
         * one before" would rest on the trend model alone. */
        ft->status = FS_NONE;
        set_tnote(ft, "%s: judged on the observed years, not forecast", op_name(tr->t->op));
        return;
    }
    if (tr->t->each) {
        /* The series forecast is the whole; the target is on each member. */
        ft->status = FS_NONE;
        set_tnote(ft, "each %s: judged on every member's rows, not forecast", tr->t->each);
        return;
    }
    goal_def g = goal_of(tr);
    if (!g.ok) {
        ft->status = FS_INSUFFICIENT;
        set_tnote(ft, "%s", g.why_not);
        return;
    }
    if (tr->due) {
        switch (tr->status) {
        case V_MET:
            ft->status = FS_MET;
            ft->prob = 1;
            ft->has_prob = 1;
            break;
        case V_NOT_MET:
            ft->status = FS_OFF_TRACK;
            ft->prob = 0;
            ft->has_prob = 1;
            break;
        default: ft->status = FS_INSUFFICIENT;
        }
        set_tnote(ft, "due %d: judged on the data (%s)", tr->t->year, verdict_name(tr->status));
    } else if (fi->model == FM_NONE) {
        ft->status = FS_INSUFFICIENT;
        set_tnote(ft, "no forecast: %s", fi->why);
    } else if (g.agg == AGG_YEAR) {
        int T = tr->t->year;
        int proj;
        double E = exposure_in(fi->ir, T, &proj);
        fc_mix pr;
        /* the forecast year's own mixture when forecast_indicator kept it:
         * the same fits, series, year and exposure */
        const fc_mix *kept = T >= tc->mix_year0 && T - tc->mix_year0 < tc->nmix
                                 ? tc->mix[T - tc->mix_year0]
                                 : NULL;
        if (kept)
            pr = *kept;
        if (!kept && fc_mix_predict_stale(fi->fits, &fi->stale, &tc->sb->s, T, E, &pr) != 0) {
            ft->status = FS_INSUFFICIENT;
            set_tnote(ft, "no exposure can be projected for %d", T);
        } else {
            ft->has_forecast = 1;
            ft->value = pr.mean;
            ft->lo80 = pr.lo80;
            ft->hi80 = pr.hi80;
            ft->lo95 = pr.lo95;
            ft->hi95 = pr.hi95;
            ft->has_prob = 1;
            ft->prob = fc_mix_prob(&pr, g.op, g.goal);
            ft->status = status_of(pc->o, ft->prob);
            char b1[32], b2[32], b3[32];
            set_tnote(ft, "%d forecast by %s%s: %s; P(%s %s) = %.4f", T,
                      pr.k > 1 ? "the model average, mostly " : "", fc_model_name(fi->model),
                      short_num(pr.mean, b1), op_name(g.op), short_num(g.goal, b2), ft->prob);
            (void)b3;
        }
    } else {
        forecast_window(tc, tr, &g, ft);
    }
    progress_measures(tc, tr, &g, ft);
    if (fi->count_family == 1)
        observed_ci(tc, tr, &g, ft);
    allowance(tc, tr, &g, ft);
    sensitivity(tc, tr, ft);
}

static void forecast_indicator(const plan_ctx *pc, const indicator_result *ir, fc_indicator *fi)
{
    const indicator *ind = ir->ind;
    fi->ir = ir;
    fi->count_var = indicator_count_var(pc->ec, ind);
    fi->is_ratio = ind->numerator != NULL;
    bounds_of(ir, &fi->lo, &fi->hi);
    fi->ntargets = ir->ntargets;
    fi->targets = xcalloc((size_t)(ir->ntargets ? ir->ntargets : 1), sizeof(fc_target));
    if (ind->kind != IND_QUANTITATIVE) {
        fi->model = FM_NONE;
        snprintf(fi->why, sizeof fi->why, "not quantitative");
        return;
    }
    fc_model forced = fc_model_from_name(ind->forecast_model);
    int counts = is_share(ir, fi->count_var, fi->hi) ? FC_SHARES
                                                     : count_family_for(ir, fi->count_var, fi->hi);
    if (fc_model_is_count(forced) && fi->count_var >= 0)
        /* the plan says: model it as counts (or shares of trials) */
        counts = forced == FM_BINOMIAL || forced == FM_BINOMIAL_MEAN ? FC_SHARES : 1;
    else if (forced != FM_NONE && !fc_model_is_count(forced))
        counts = 0;
    series_buf sb;
    build_series(ir, counts, fi->lo, fi->hi, &sb);
    if (counts && sb.s.n < pc->o->min_points) {
        /* too few years with counts and exposures: try the values instead */
        series_buf_free(&sb);
        counts = 0;
        build_series(ir, 0, fi->lo, fi->hi, &sb);
    }
    char kind_note[128] = "";
    sb.s.kind = counts == FC_SHARES ? FK_SHARE : stock_kind(ind, &sb.s, kind_note, sizeof kind_note);
    sb.s.trend_prior_sd = trend_prior_for(counts);
    if (!counts && sb.s.y)
        sb.s.step = recorded_step(sb.s.y, sb.s.n); /* once, not at every leave-one-out fit */
    if (!counts && strcmp(unit_of(ind), "%") == 0 && !ind->numerator)
        snprintf(kind_note, sizeof kind_note,
                 "; a share without its numerator and denominator: modelled as values");
    if (fi->count_var < 0 && !ind->numerator)
        /* ratios vary with their denominators and counts by the sampling
         * of small numbers (a share of 2 in 3 events beside years of 1 in
         * 1): outliers only among plain values */
        fc_adjust_series(&sb.s, sb.t, sb.y, &fi->adjust);
    fi->count_family = counts;
    fi->npoints = sb.s.n;
    fi->scale = sb.s.scale;
    fi->model = fc_select_cached(pc->sm, &sb.s, counts, forced, pc->o, fi->fits, fi->why,
                                 sizeof fi->why);
    fc_stale_fit(&sb.s, counts, forced, &fi->stale);
    if (kind_note[0] && strlen(fi->why) + strlen(kind_note) < sizeof fi->why)
        strcat(fi->why, kind_note);
    size_t l = strlen(fi->why);
    if (fi->adjust.kind == FA_OUTLIER)
        snprintf(fi->why + l, sizeof fi->why - l,
                 "; %d left out as an outlying year (Bonferroni p = %.2g)", fi->adjust.year,
                 fi->adjust.p);
    else if (fi->adjust.kind == FA_SHIFT)
        snprintf(fi->why + l, sizeof fi->why - l,
                 "; a shift of level from %d (%+.4g): earlier years left out (Bonferroni "
                 "p = %.2g)",
                 fi->adjust.year, fi->adjust.shift, fi->adjust.p);
    if (fi->model != FM_NONE)
        stale_note(&fi->stale, fi->why, sizeof fi->why);
    const fc_fit *fit = fi->model != FM_NONE ? &fi->fits[fi->model] : NULL;
    /* forecast years: after the last year fitted, up to the last target year;
     * the mixtures of the years a target is set for kept for it */
    fc_mix **mix = NULL;
    int mix_year0 = 0, nmix = 0;
    if (fit) {
        int last = (int)fit->last_t, tmax = last;
        for (int k = 0; k < ir->ntargets; k++)
            if (ir->targets[k].t->year > tmax && ir->targets[k].t->year - last <= 60)
                tmax = ir->targets[k].t->year;
        fi->npoints_fc = tmax - last;
        fi->points = xcalloc((size_t)(fi->npoints_fc ? fi->npoints_fc : 1), sizeof(fc_point));
        mix_year0 = last + 1;
        nmix = tmax - last;
        mix = xcalloc((size_t)(nmix ? nmix : 1), sizeof(fc_mix *));
        int m = 0;
        for (int y = last + 1; y <= tmax; y++) {
            int proj;
            double E = exposure_in(ir, y, &proj);
            fc_mix pr;
            if (fc_mix_predict_stale(fi->fits, &fi->stale, &sb.s, y, E, &pr) != 0)
                continue;
            for (int k = 0; k < ir->ntargets; k++)
                if (ir->targets[k].t->year == y && !mix[y - mix_year0]) {
                    mix[y - mix_year0] = xmalloc(sizeof(fc_mix));
                    *mix[y - mix_year0] = pr;
                }
            fc_point *pt = &fi->points[m++];
            pt->year = y;
            pt->value = pr.mean;
            pt->lo80 = pr.lo80;
            pt->hi80 = pr.hi80;
            pt->lo95 = pr.lo95;
            pt->hi95 = pr.hi95;
            if (fc_model_is_count(fit->model) && ind->numerator) {
                pt->has_exposure = 1;
                pt->exposure = E;
            }
        }
        fi->npoints_fc = m;
    }
    /* observed rows of count-based rates: exact Poisson intervals */
    if (counts == 1) {
        fi->has_obs_ci = 1;
        fi->obs_ci = xmalloc(sizeof(double) * 4 * (size_t)(ir->nyears ? ir->nyears : 1));
        for (int k = 0; k < ir->nyears; k++) {
            const year_value *v = &ir->years[k];
            double *o = &fi->obs_ci[4 * k];
            o[0] = o[1] = o[2] = o[3] = NAN;
            double c = ind->numerator ? v->num.v : v->value.v;
            double E = ind->numerator ? v->den.v : 1, sc = ind->numerator ? v->scale : 1;
            if (v->value.state != FV_OK || (ind->numerator && v->num.state != FV_OK) || !(E > 0))
                continue;
            double lo, hi;
            garwood_memo_get(pc->gm, c, GARWOOD_CONF_80, &lo, &hi);
            o[0] = sc * lo / E;
            o[1] = sc * hi / E;
            garwood_memo_get(pc->gm, c, GARWOOD_CONF_95, &lo, &hi);
            o[2] = sc * lo / E;
            o[3] = sc * hi / E;
        }
    }
    for (int k = 0; k < ir->ntargets; k++) {
        tgt_ctx tc = {pc, fi, &sb, fit, k + 1, mix, mix_year0, nmix};
        forecast_target(&tc, &ir->targets[k], &fi->targets[k]);
    }
    for (int i = 0; i < nmix; i++)
        free(mix[i]);
    free(mix);
    series_buf_free(&sb);
}

/* ---------- milestones: the chance of completion ---------- */

/* The grid of log mu (mu a year): 7e-8 to about 90; a step of 0.1 against
 * a posterior at least ~0.25 wide in log mu for a plan's few items. */
#define MS_LOG_MU0 (-16.5)
#define MS_LOG_STEP 0.1

/* log P(open at t) of an item at mean rate mu, factor of shape k. */
static double ms_log_open(double mu, double k, double t)
{
    return t > 0 ? -k * log1p(mu * t / k) : 0;
}

/* An item's log-likelihood at mu: open at lo; done between lo and hi (an
 * interval: records are dated, the work was done some time before); done
 * at a known time when the two coincide (the density). */
static double ms_item_loglik(const fc_ms_item *it, double mu, double k)
{
    double open_lo = ms_log_open(mu, k, it->lo);
    if (!isfinite(it->hi))
        return open_lo;
    if (it->hi - it->lo < 1e-9)
        return log(mu) - (k + 1) * log1p(mu * (it->hi > 0 ? it->hi : 0) / k);
    return open_lo + log(-expm1(ms_log_open(mu, k, it->hi) - open_lo));
}

void fc_ms_fit(fc_ms_pace *pace, double shape)
{
    pace->shape = shape;
    pace->done = 0;
    pace->years = 0;
    for (int i = 0; i < pace->items; i++) {
        const fc_ms_item *it = &pace->item[i];
        pace->done += isfinite(it->hi);
        pace->years += isfinite(it->hi) ? it->hi : it->lo;
    }
    /* log posterior: a Gamma prior in mu is mu^a e^(-b mu) in log mu */
    double top = -INFINITY;
    for (int j = 0; j < FC_MS_GRID; j++) {
        double u = MS_LOG_MU0 + j * MS_LOG_STEP, mu = exp(u);
        double lp = FC_MS_PRIOR_DONE * u - FC_MS_PRIOR_YEARS * mu;
        for (int i = 0; i < pace->items; i++)
            lp += ms_item_loglik(&pace->item[i], mu, shape);
        pace->w[j] = lp;
        if (lp > top)
            top = lp;
    }
    double sum = 0, mean = 0;
    for (int j = 0; j < FC_MS_GRID; j++) {
        pace->w[j] = exp(pace->w[j] - top);
        sum += pace->w[j];
        mean += pace->w[j] * exp(MS_LOG_MU0 + j * MS_LOG_STEP);
    }
    for (int j = 0; j < FC_MS_GRID; j++)
        pace->w[j] /= sum;
    pace->mean_rate = mean / sum;
}

double fc_milestone_prob(const fc_ms_pace *pace, double since, double until)
{
    if (!(until > since))
        return 0;
    double k = pace->shape, t = since > 0 ? since : 0, p = 0;
    for (int j = 0; j < FC_MS_GRID; j++) {
        if (pace->w[j] < 1e-16)
            continue; /* far in a tail: below the figures shown */
        double mu = exp(MS_LOG_MU0 + j * MS_LOG_STEP);
        p += pace->w[j] * -expm1(ms_log_open(mu, k, until) - ms_log_open(mu, k, t));
    }
    return p;
}

/* Years from the start of year0 to a record's date. */
static double years_since(int year0, const milestone_record *r)
{
    static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int m = r->month >= 1 && r->month <= 12 ? r->month : 12;
    double day = cum[m - 1] + (r->day >= 1 ? r->day : 31);
    return (r->year - year0) + day / 365.25;
}

/* One milestone's record up to the evaluation year (records sorted by
 * date): 0 when it has none yet, nothing known of its pace. */
static int ms_item_of(const milestone_record *recs, int n, int eval_year, int year0,
                      fc_ms_item *it)
{
    int seen = 0;
    it->lo = 0;
    it->hi = INFINITY;
    for (int k = 0; k < n; k++) {
        if (recs[k].year > eval_year)
            continue;
        double y = years_since(year0, &recs[k]);
        y = y > 0 ? y : 0;
        seen = 1;
        if (recs[k].role == MSS_DONE) {
            it->hi = y;
            break;
        }
        if (y > it->lo)
            it->lo = y;
    }
    return seen;
}

/* The plan's pace from its milestone records up to the evaluation year:
 * every milestone (done-by item) with a record, tracked from the plan's
 * first year until its first record of the done status; then mu's
 * posterior from them. */
static void plan_pace(const evaluation *ev, const eval_context *ec, fc_ms_pace *pace)
{
    memset(pace, 0, sizeof *pace);
    pace->item = xcalloc((size_t)(ev->ninds ? ev->ninds : 1), sizeof(fc_ms_item));
    for (int i = 0; i < ev->ninds; i++) {
        const indicator *ind = ev->inds[i].ind;
        if (ind->kind != IND_MILESTONE)
            continue;
        const milestone_record *recs;
        int n = region_milestones(ec->r, ec->p->id, ind->id, &recs);
        if (ms_item_of(recs, n, ev->eval_year, ec->p->period[0], &pace->item[pace->items]))
            pace->items++;
    }
    fc_ms_fit(pace, FC_MS_SHAPE);
}

/* A milestone not yet due and not done: its chance of being done by the
 * end of its year, from its latest record on. */
static void milestone_chance(const fc_ms_pace *pace, const eval_context *ec,
                             const target_result *tr, fc_target *ft)
{
    const milestone_record *r = tr->record;
    if (tr->t->op != OP_DONE || tr->status != V_NOT_YET_DUE || !r || r->role == MSS_DONE)
        return;
    double since = years_since(ec->p->period[0], r), until = tr->t->year + 1 - ec->p->period[0];
    ft->has_prob = 1;
    ft->prob = fc_milestone_prob(pace, since, until);
    set_tnote(ft,
              "chance of completion by the end of %d: %.2f, %.2f years after the latest record, "
              "at the plan's pace (%d of %d milestones done in %.1f item-years; mean rate %.3f "
              "a year, items' rates spread as a gamma of shape %g)",
              tr->t->year, ft->prob, until - since, pace->done, pace->items, pace->years,
              pace->mean_rate, pace->shape);
}

int forecast_plan(const evaluation *ev, const eval_context *ec, const forecast_options *opt,
                  const labels *lb, forecast_set *out)
{
    memset(out, 0, sizeof *out);
    if (opt)
        out->opt = *opt;
    else
        forecast_options_init(&out->opt);
    /* the caller's memo is not kept in the result, which may outlive it */
    fc_garwood_memo *gm = out->opt.garwood ? out->opt.garwood : fc_garwood_memo_new();
    fc_select_memo *sm = out->opt.selects ? out->opt.selects : fc_select_memo_new();
    out->opt.garwood = NULL;
    out->opt.selects = NULL;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    plan_ctx pc = {ev, ec, &out->opt, lb, gm, sm};
    out->ninds = ev->ninds;
    out->inds = xcalloc((size_t)(ev->ninds ? ev->ninds : 1), sizeof(fc_indicator));
    plan_pace(ev, ec, &out->pace);
    for (int i = 0; i < ev->ninds; i++) {
        forecast_indicator(&pc, &ev->inds[i], &out->inds[i]);
        if (ev->inds[i].ind->kind == IND_MILESTONE)
            for (int k = 0; k < ev->inds[i].ntargets; k++)
                milestone_chance(&out->pace, ec, &ev->inds[i].targets[k], &out->inds[i].targets[k]);
    }
    if (!opt || gm != opt->garwood)
        fc_garwood_memo_free(gm);
    if (!opt || sm != opt->selects)
        fc_select_memo_free(sm);
    gsl_set_error_handler(old);
    return 0;
}

void forecast_set_free(forecast_set *fs)
{
    for (int i = 0; i < fs->ninds; i++) {
        fc_indicator *fi = &fs->inds[i];
        for (int k = 0; k < fi->ntargets; k++) {
            free(fi->targets[k].note);
            free(fi->targets[k].allowance);
        }
        free(fi->targets);
        free(fi->points);
        free(fi->obs_ci);
    }
    free(fs->inds);
    free(fs->pace.item);
    memset(fs, 0, sizeof *fs);
}

/* ---------- explain ---------- */


static void print_params(FILE *f, const fc_fit *fit, double scale)
{
    char b1[32], b2[32], b3[32];
    switch (fit->model) {
    case FM_MEAN:
        fprintf(f, "level %s, residual sd %s (df %d)", short_num(fit->b[0], b1),
                short_num(fit->sigma, b2), fit->df);
        break;
    case FM_LINEAR:
        fprintf(f, "%s at %.1f, %s per year, residual sd %s (df %d)",
                short_num(fit->b[0], b1), fit->tc, short_num(fit->b[1], b2),
                short_num(fit->sigma, b3), fit->df);
        break;
    case FM_LOGLINEAR:
        fprintf(f, "%s at %.1f, %+.2f%% a year, residual sd of log %s (df %d)",
                short_num(exp(fit->b[0]), b1), fit->tc, (exp(fit->b[1]) - 1) * 100,
                short_num(fit->sigma, b2), fit->df);
        break;
    case FM_DAMPED:
        fprintf(f, "alpha %.4f, beta %.4f, phi %.4f; initial level %s, trend %s; ",
                fit->alpha, fit->beta, fit->phi, short_num(fit->l0, b1),
                short_num(fit->b0, b2));
        fprintf(f, "final level %s, trend %s; residual sd %s (df %d)", short_num(fit->level, b1),
                short_num(fit->trend, b2), short_num(fit->sigma, b3), fit->df);
        break;
    case FM_RANDOM_WALK:
        fprintf(f, "from %s, drift %s a year, residual sd %s (df %d)", short_num(fit->last_y, b1),
                short_num(fit->b[1], b2), short_num(fit->sigma, b3), fit->df);
        break;
    case FM_BINOMIAL_MEAN:
    case FM_BINOMIAL:
        fprintf(f, "share %s%% at %.1f", short_num(100 / (1 + exp(-fit->b[0])), b1), fit->tc);
        if (fit->p == 2)
            fprintf(f, ", logit slope %.4f a year (se %.4f)", fit->b[1], sqrt(fit->cov[1][1]));
        fprintf(f, ", Pearson chi2/df %.2f, year effect sd on the logit %s", fit->dispersion,
                short_num(sqrt(fit->re_var), b2));
        break;
    case FM_POISSON_MEAN:
        fprintf(f, "rate %s (%s events / exposure %s)",
                short_num(scale * fit->sum_count / fit->sum_exposure, b1),
                short_num(fit->sum_count, b2), short_num(fit->sum_exposure, b3));
        break;
    case FM_POISSON:
    case FM_NEGBIN:
    case FM_NEGBIN_MEAN:
        fprintf(f, "rate %s at %.1f", short_num(scale * exp(fit->b[0]), b1), fit->tc);
        if (fit->p == 2)
            fprintf(f, ", %+.2f%% a year (log slope %.4f, se %.4f)", (exp(fit->b[1]) - 1) * 100,
                    fit->b[1], sqrt(fit->cov[1][1]));
        if (fit->p == 2 && fit->trend_centre != 0)
            fprintf(f, ", prior centred on %+.2f%% a year (the exposure's growth reversed)",
                    (exp(fit->trend_centre) - 1) * 100);
        if (fit->model != FM_POISSON)
            fprintf(f, ", overdispersion %.4g (posterior mean %.4g)", fit->nb_alpha,
                    fit->nb_alpha_pred);
        fprintf(f, ", Pearson chi2/df %.2f", fit->dispersion);
        break;
    default: break;
    }
}

void forecast_explain(FILE *f, const forecast_set *fs, int i, const labels *lb)
{
    const fc_indicator *fi = &fs->inds[i];
    const indicator_result *ir = fi->ir;
    if (ir->ind->kind == IND_MILESTONE)
        for (int k = 0; k < fi->ntargets; k++)
            if (fi->targets[k].has_prob)
                fprintf(f, "  forecast:\n    %d. %s\n", k + 1, fi->targets[k].note);
    if (ir->ind->kind != IND_QUANTITATIVE)
        return;
    char b1[32], b2[32], b3[32], b4[32], b5[32];
    fprintf(f, "  forecast:\n    history: %d usable year%s, modelled as %s", fi->npoints,
            fi->npoints == 1 ? "" : "s",
            fi->count_family == FC_SHARES ? "successes of trials (binomial)"
            : fi->count_family            ? "counts with exposure"
                                          : "values");
    if (isfinite(fi->lo) || isfinite(fi->hi))
        fprintf(f, "; kept within [%s, %s]", isfinite(fi->lo) ? short_num(fi->lo, b1) : "-inf",
                isfinite(fi->hi) ? short_num(fi->hi, b2) : "inf");
    fprintf(f, "\n    candidates (%s, lower is better; weight in the model average):\n",
            !fi->count_family || fi->npoints < FC_LOO_BELOW ? "leave-one-out error; AICc shown"
                                                            : "AICc");
    for (int m = 1; m < FM_NMODELS; m++) {
        const fc_fit *fit = &fi->fits[m];
        if (strncmp(fit->note, "not a candidate", 15) == 0 && !fit->ok)
            continue;
        fprintf(f, "      %-13s ", fc_model_name((fc_model)m));
        if (fit->ok) {
            if (isfinite(fit->aicc))
                fprintf(f, "AICc %10.3f", fit->aicc);
            else
                fprintf(f, "AICc  undefined");
            fprintf(f, "  loglik %10.3f  k %d  weight %.2f", fit->loglik, fit->k, fit->weight);
            if (isfinite(fit->loo))
                fprintf(f, "  LOO %.6g", fit->loo);
            if (fit->note[0])
                fprintf(f, "  (%s)", fit->note);
        } else {
            fprintf(f, "not fitted: %s", fit->note);
        }
        fprintf(f, "%s\n", (fc_model)m == fi->model ? "   <- largest weight" : "");
    }
    if (fi->model == FM_NONE) {
        fprintf(f, "    no forecast: %s\n", fi->why);
    } else {
        fprintf(f, "    largest weight: %s, %s\n    its parameters: ", fc_model_name(fi->model),
                fi->why);
        print_params(f, &fi->fits[fi->model], fi->scale);
        fputc('\n', f);
        for (int k = 0; k < fi->npoints_fc; k++) {
            const fc_point *pt = &fi->points[k];
            fprintf(f, "    %d: %s  80%% [%s, %s]  95%% [%s, %s]", pt->year,
                    short_num(pt->value, b1), short_num(pt->lo80, b2),
                    short_num(pt->hi80, b3), short_num(pt->lo95, b4),
                    short_num(pt->hi95, b5));
            if (pt->has_exposure)
                fprintf(f, "  (projected exposure %s)", short_num(pt->exposure, b1));
            fputc('\n', f);
        }
    }
    fprintf(f, "  forward-looking (on track at P >= %g, at risk at P >= %g):\n",
            fs->opt.on_track, fs->opt.at_risk);
    for (int k = 0; k < fi->ntargets; k++) {
        const fc_target *ft = &fi->targets[k];
        fprintf(f, "    %d. %s", k + 1,
                lb ? label(lb, "forecast_status", fc_status_name(ft->status))
                   : fc_status_name(ft->status));
        if (ft->has_prob)
            fprintf(f, ", P(met) %.4f", ft->prob);
        if (ft->note)
            fprintf(f, "  -- %s", ft->note);
        fputc('\n', f);
        if (ft->has_forecast)
            fprintf(f, "       forecast %s  80%% [%s, %s]  95%% [%s, %s]\n",
                    short_num(ft->value, b1), short_num(ft->lo80, b2),
                    short_num(ft->hi80, b3), short_num(ft->lo95, b4),
                    short_num(ft->hi95, b5));
        if (ft->has_pace || ft->sdg.ok || ft->has_required) {
            fprintf(f, "       progress:");
            if (ft->has_pace)
                fprintf(f, " task %.1f%% of the required change in %.1f%% of the time (ratio "
                           "%.2f);",
                        ft->task_share * 100, ft->time_share * 100, ft->pace_ratio);
            if (ft->sdg.ok)
                fprintf(f, " Open SDG ratio %s%s (%s);",
                        isnan(ft->sdg.ratio) ? "-" : short_num(round(ft->sdg.ratio * 1e4) / 1e4, b1),
                        ft->sdg.linear ? " [absolute changes]" : "", ft->sdg.category);
            if (ft->has_required)
                fprintf(f, " required %s a year", short_num(ft->required_change, b2));
            if (ft->has_recent)
                fprintf(f, " vs recent %s a year", short_num(ft->recent_change, b3));
            fputc('\n', f);
        }
        if (ft->has_ci)
            fprintf(f, "       exact 95%% interval of the observed figure [%s, %s]: %s\n",
                    short_num(ft->ci_lo, b1), short_num(ft->ci_hi, b2), ft->ci_vs_target);
        if (ft->allowance)
            fprintf(f, "       allowance: %s\n", ft->allowance);
        if (ft->has_sensitivity) {
            fprintf(f, "       baseline readings:");
            for (int r = 0; r < 3; r++) {
                fprintf(f, " %s %s", reading_name((baseline_reading)r), verdict_name(ft->sens[r]));
                if (ft->sens_has_change[r])
                    fprintf(f, " (%+.2f%%)", ft->sens_change[r]);
                fputc(r < 2 ? ';' : ' ', f);
            }
            fprintf(f, "-> %s\n", ft->sensitivity);
        }
    }
}
