/*
 * garwood.c - see garwood.h.
 */
#include "garwood.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

/*
 * The quantile x of Gamma(a, 1) with P(X <= x) = p (upper 0) or
 * P(X > x) = p (upper 1), by bisection on GSL's CDF: for the counts where
 * gsl_cdf_chisq_Pinv gives up ("inverse failed to converge", NaN with the
 * error handler off; at the 95 % level many counts from about 1,160 up,
 * which left observed rows without their interval). The bracket starts
 * at the median's neighbourhood and widens by growing multiples of the
 * standard deviation; the bisection stops when the midpoint is one of the
 * ends, so the answer is the double where the CDF crosses p.
 */
static double gamma_quantile(double a, double p, int upper)
{
    double (*tail)(double, double, double) = upper ? gsl_cdf_gamma_Q : gsl_cdf_gamma_P;
    double sd = sqrt(a), lo = a, hi = a;
    /* below the quantile: the tail beyond lo still above p (P rises, Q falls) */
    for (double step = sd; upper ? tail(hi, a, 1) > p : tail(lo, a, 1) > p; step *= 2) {
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
        double f = tail(mid, a, 1);
        if (isnan(f))
            return NAN;
        if (upper ? f > p : f < p)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

void fc_garwood(double c, double conf, double *lo, double *hi)
{
    double a = 1 - conf;
    *lo = c > 0 ? gsl_cdf_chisq_Pinv(a / 2, 2 * c) / 2 : 0;
    *hi = gsl_cdf_chisq_Pinv(1 - a / 2, 2 * c + 2) / 2;
    /* chisq_Pinv(P, 2k) / 2 is the Gamma(k, 1) quantile of P */
    if (isnan(*lo) && c > 0 && conf > 0 && conf < 1)
        *lo = gamma_quantile(c, a / 2, 0);
    if (isnan(*hi) && c >= 0 && conf > 0 && conf < 1)
        *hi = gamma_quantile(c + 1, a / 2, 1);
}
