/*
 * garwood.c - see garwood.h.
 */
#include "garwood.h"

#include <gsl/gsl_cdf.h>

void fc_garwood(double c, double conf, double *lo, double *hi)
{
    double a = 1 - conf;
    *lo = c > 0 ? gsl_cdf_chisq_Pinv(a / 2, 2 * c) / 2 : 0;
    *hi = gsl_cdf_chisq_Pinv(1 - a / 2, 2 * c + 2) / 2;
}
