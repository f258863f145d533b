/*
 * garwood.c - see garwood.h.
 */
#include "garwood.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_machine.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

/*
 * Wilson and Hilferty's approximation of the same quantile: (X / a)^(1/3)
 * is nearly normal with mean 1 - 1/(9a) and variance 1/(9a). Off by less
 * than a thousandth of a standard deviation from a count of 1,000 up.
 */
static double wilson_hilferty(double a, double p, int upper)
{
    double z = gsl_cdf_ugaussian_Qinv(p);
    double t = 1 - 1 / (9 * a) + (upper ? z : -z) / (3 * sqrt(a));
    return t > 0 ? a * t * t * t : 0;
}

/*
 * Where GSL's figure is certain without asking it. A bisection below
 * asks GSL's tail only between lo and hi: left of lo the tail is sure to
 * be above p (upper) or below it (lower), right of hi the other way.
 * NULL: ask at every point.
 */
typedef struct gw_window {
    double lo, hi;
} gw_window;

/* GSL's upper (Q) or lower (P) tail of Gamma(a, 1) at x; *st its status. */
static double gsl_tail(double a, double x, int upper, int *st, double *err)
{
    gsl_sf_result r;
    *st = upper ? gsl_sf_gamma_inc_Q_e(a, x, &r) : gsl_sf_gamma_inc_P_e(a, x, &r);
    *err = r.err;
    return r.val;
}

/* Whether GSL's tail at x is above p (1), below it (-1), equal (0), or
 * failed (2: an error status or NaN). */
static int tail_side(double a, double x, double p, int upper, const gw_window *w)
{
    /* Below the mean by less than sqrt(a), GSL takes its continued
     * fraction, which goes wrong there without saying so (P = -0.33 at
     * a - sqrt(a) for a = 800,608): always asked. */
    int cf = x < a && x > a - 1.25 * sqrt(a);
    if (w && !cf && x < w->lo)
        return upper ? 1 : -1;
    if (w && !cf && x > w->hi)
        return upper ? -1 : 1;
    int st;
    double err, f = gsl_tail(a, x, upper, &st, &err);
    if (st || isnan(f))
        return 2;
    return f > p ? 1 : f < p ? -1 : 0;
}

/*
 * The quantile by bisection on GSL's incomplete gamma function, or NaN
 * where that function reports an error (its series and continued
 * fractions give up for large a and x far from it).
 */
static double gamma_bisect(double a, double p, int upper, const gw_window *w)
{
    double sd = sqrt(a), lo = a, hi = a;
    int s;
    /* widen by growing steps until the bracket holds the quantile */
    for (double step = sd;; step *= 2) {
        s = tail_side(a, upper ? hi : lo, p, upper, w);
        if (s == 2)
            return NAN;
        if (s <= 0)
            break;
        if (upper) {
            lo = hi;
            hi += step;
        } else {
            hi = lo;
            lo = lo > step ? lo - step : 0;
            if (lo == 0)
                break;
        }
        if (!isfinite(hi) || step > 1e300)
            return NAN;
    }
    for (int i = 0; i < 2200; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        s = tail_side(a, mid, p, upper, w);
        if (s == 2)
            return NAN;
        if (upper ? s > 0 : s < 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

/* GSL's density of Gamma(a, 1) at x, as gsl_ran_gamma_pdf computes it
 * (randist/gamma.c), given lng = gsl_sf_lngamma(a) (not read where a is
 * 1). */
static double gamma_density(double a, double x, double lng)
{
    if (x < 0)
        return 0;
    if (x == 0)
        return a == 1 ? 1 : 0;
    if (a == 1)
        return exp(-x);
    return exp((a - 1) * log(x) - x - lng);
}

/*
 * gamma_bisect's own figure with far fewer calls of GSL's tail (each
 * thousands of terms of a series or continued fraction at these sizes).
 * Newton steps on GSL's tail from Wilson-Hilferty's figure (1e-5 to 1e-7
 * standard deviations off) find r where it crosses p, to well within m,
 * 16 times GSL's error bound in x. GSL's tail at r - m and r + m, each on
 * its side of p by 4 times its own error bound, makes the side of every
 * point further out certain (the true tail is monotone), so the
 * bisection asks GSL only between them: about ten calls in all where it
 * made some fifty. Where those checks fail, it asks at every point.
 */
static double gamma_bisect_fast(double a, double p, int upper, double wh, double lng)
{
    double r = wh, f, err, m = 0;
    int st;
    for (int i = 0; i < 3; i++) {
        f = gsl_tail(a, r, upper, &st, &err);
        double pd = gamma_density(a, r, lng), d = (f - p) / pd;
        if (st || !isfinite(d) || !(pd > 0))
            return gamma_bisect(a, p, upper, NULL);
        r += upper ? d : -d;
        m = 16 * err / pd;
        /* what is left after a Newton step: d^2 f'' / 2f' */
        if (d * d * fabs((a - 1) / r - 1) < m / 2)
            break;
    }
    gw_window w = {r - m, r + m};
    if (!(isfinite(r) && w.lo > 0 && m > 0))
        return gamma_bisect(a, p, upper, NULL);
    double fl = gsl_tail(a, w.lo, upper, &st, &err);
    int ok = !st && (upper ? fl - p : p - fl) > 4 * err;
    double fh = gsl_tail(a, w.hi, upper, &st, &err);
    ok = ok && !st && (upper ? p - fh : fh - p) > 4 * err;
    return gamma_bisect(a, p, upper, ok ? &w : NULL);
}

/*
 * gsl_cdf_gamma_Pinv(P, a, 1) of GSL 2.7 (cdf/gammainv.c): its steps and
 * arithmetic term for term, so the same double, or NaN (reported to GSL's
 * error handler) where it fails to converge. What differs: ln Gamma(a) is
 * taken once, not at every step, and GSL's incomplete gamma function is
 * not called at a step where its figure cannot change dP: a tail below
 * e^-40 P (by a bound; half an ulp of P is at most 2^-54 P = e^-37.4 P) leaves dP = P
 * (below the mean) or P - 1 (above) to the last bit. Most of the 95 %
 * level's 20-34 steps are such: its first guesses (a / e, ln Gamma(a))
 * are far off and it bounces between them.
 */
static double gamma_Pinv(double P, double a, double lng)
{
    if (P == 1.0)
        return INFINITY;
    if (P == 0.0)
        return 0.0;
    double x;
    if (P < 0.05) {
        x = exp((lng + log(P)) / a);
    } else if (P > 0.95) {
        x = -log1p(-P) + lng;
    } else {
        double xg = gsl_cdf_ugaussian_Pinv(P);
        x = (xg < -0.5 * sqrt(a)) ? a : sqrt(a) * xg + a;
    }
    double dP, phi;
    unsigned int n = 0;
    for (;;) {
        /* upper bounds of GSL's P (below the mean) and Q (above): the
         * series' terms against a geometric one, the integrand against an
         * exponential one */
        double lb = x <= a ? a * log(x) - x - (lng + log(a)) - log1p(-x / (a + 1))
                           : (a - 1) * log(x) - x - lng - log1p(-(a - 1) / x);
        /* lb is a difference of terms of size a ln a: their rounding is
         * allowed for (without it, from a ~ 3e14 a step 0.8 sd from the
         * mean was taken for certain; at 2e9 the slack is ~1e-3) */
        double slack = 64 * GSL_DBL_EPSILON * (fabs(a * log(x)) + x + fabs(lng));
        if (lb + slack < (x <= a ? log(P) : 0) - 40)
            dP = x <= a ? P : P - 1;
        else
            dP = P - gsl_cdf_gamma_P(x, a, 1.0);
        phi = gamma_density(a, x, lng);
        if (dP == 0.0 || n++ > 32)
            break;
        double lim = 2 * fabs(dP / x), lambda = dP / (lim > phi ? lim : phi);
        double step0 = lambda;
        double step1 = -((a - 1) / x - 1) * lambda * lambda / 4.0;
        double step = step0;
        if (fabs(step1) < 0.5 * fabs(step0))
            step += step1;
        if (x + step > 0)
            x += step;
        else
            x /= 2.0;
        if (!(fabs(step0) > 1e-10 * x || fabs(step0 * phi) > 1e-10 * P))
            break;
    }
    if (fabs(dP) > GSL_SQRT_DBL_EPSILON * P) {
        GSL_ERROR_VAL("inverse failed to converge", GSL_EFAILED, NAN);
    }
    return x;
}

/*
 * GSL's quantile x of Gamma(a, 1) with P(X <= x) = p (upper 0) or
 * P(X > x) = p (upper 1), made sure of for a of 1,000 and more. There
 * gsl_cdf_chisq_Pinv gives up on many counts ("inverse failed to
 * converge", NaN with the error handler off: at the 95 % level from 1,159
 * up, which left observed rows without their interval) and, from a few
 * million up, drifts without saying so (0.28 standard deviations at 78
 * million). A figure more than a thousandth of a standard deviation from
 * Wilson-Hilferty's is replaced: by bisection on GSL's incomplete gamma
 * function where that holds, else by Wilson-Hilferty's own. fast: the
 * routes above, else GSL's own at every step (fc_garwood_plain).
 */
static double gamma_quantile(double a, double p, int upper, int fast)
{
    double lng = fast ? gsl_sf_lngamma(a) : NAN;
    double x = fast ? gamma_Pinv(upper ? 1 - p : p, a, lng)
                    : gsl_cdf_chisq_Pinv(upper ? 1 - p : p, 2 * a) / 2;
    double wh = wilson_hilferty(a, p, upper), tol = 1e-3 * sqrt(a);
    if (isfinite(x) && fabs(x - wh) <= tol)
        return x;
    /* fast below 786,432 (3 * 2^18): from about 997,000 GSL's tail fails near the mean
     * (its continued fraction runs out of terms), where the bisection's
     * widening asks and gives up; the fast one would not ask there */
    double b = fast && a < 786432 ? gamma_bisect_fast(a, p, upper, wh, lng)
                                  : gamma_bisect(a, p, upper, NULL);
    return isfinite(b) && fabs(b - wh) <= tol ? b : wh;
}

double fc_chisq_Pinv(double P, double nu)
{
    double a = nu / 2;
    /* gamma_Pinv's bound of the tail above the mean holds from a = 1 up */
    if (!(a >= 1 && isfinite(a)))
        return gsl_cdf_chisq_Pinv(P, nu);
    return 2.0 * gamma_Pinv(P, a, gsl_sf_lngamma(a));
}

static void garwood(double c, double conf, int fast, double *lo, double *hi)
{
    double a = 1 - conf;
    if (isfinite(c) && conf > 0 && conf < 1 && c >= 1000) {
        /* chisq_Pinv(P, 2k) / 2 is the Gamma(k, 1) quantile of P */
        *lo = gamma_quantile(c, a / 2, 0, fast);
        *hi = gamma_quantile(c + 1, a / 2, 1, fast);
        return;
    }
    *lo = c > 0 ? gsl_cdf_chisq_Pinv(a / 2, 2 * c) / 2 : 0;
    if (isfinite(c) && conf > 0 && conf < 1 && c + 1 >= 1000)
        *hi = gamma_quantile(c + 1, a / 2, 1, 0);
    else
        *hi = gsl_cdf_chisq_Pinv(1 - a / 2, 2 * c + 2) / 2;
}

void fc_garwood(double c, double conf, double *lo, double *hi) { garwood(c, conf, 1, lo, hi); }

void fc_garwood_plain(double c, double conf, double *lo, double *hi) { garwood(c, conf, 0, lo, hi); }
