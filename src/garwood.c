/*
 * garwood.c - see garwood.h.
 */
#include "garwood.h"

#include <gsl/gsl_cdf.h>
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
 * The quantile by bisection on GSL's incomplete gamma function, or NaN
 * where that function reports an error (its series and continued
 * fractions give up for large a and x far from it).
 */
static double gamma_bisect(double a, double p, int upper)
{
    gsl_sf_result r;
    double sd = sqrt(a), lo = a, hi = a;
    int st;
#define TAIL(x) ((st = upper ? gsl_sf_gamma_inc_Q_e(a, (x), &r) : gsl_sf_gamma_inc_P_e(a, (x), &r)), r.val)
    /* widen by growing steps until the bracket holds the quantile */
    for (double step = sd;; step *= 2) {
        double f = TAIL(upper ? hi : lo);
        if (st || isnan(f))
            return NAN;
        if (!(f > p))
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
        double f = TAIL(mid);
        if (st || isnan(f))
            return NAN;
        if (upper ? f > p : f < p)
            lo = mid;
        else
            hi = mid;
    }
#undef TAIL
    return lo + (hi - lo) / 2;
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
 * function where that holds, else by Wilson-Hilferty's own.
 */
static double gamma_quantile(double x, double a, double p, int upper)
{
    if (a < 1000)
        return x;
    double wh = wilson_hilferty(a, p, upper), tol = 1e-3 * sqrt(a);
    if (isfinite(x) && fabs(x - wh) <= tol)
        return x;
    double b = gamma_bisect(a, p, upper);
    return isfinite(b) && fabs(b - wh) <= tol ? b : wh;
}

void fc_garwood(double c, double conf, double *lo, double *hi)
{
    double a = 1 - conf;
    *lo = c > 0 ? gsl_cdf_chisq_Pinv(a / 2, 2 * c) / 2 : 0;
    *hi = gsl_cdf_chisq_Pinv(1 - a / 2, 2 * c + 2) / 2;
    /* chisq_Pinv(P, 2k) / 2 is the Gamma(k, 1) quantile of P */
    if (isfinite(c) && conf > 0 && conf < 1) {
        if (c > 0)
            *lo = gamma_quantile(*lo, c, a / 2, 0);
        if (c >= 0)
            *hi = gamma_quantile(*hi, c + 1, a / 2, 1);
    }
}
