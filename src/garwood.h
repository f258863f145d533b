/*
 * garwood.h - the exact (Garwood) Poisson interval of a count, GSL's
 * chi-square quantiles alone: src/gen/garwood_gen.c links this module only,
 * to tabulate the small counts at build time (forecast.c's table).
 */
#ifndef PLANEVAL_GARWOOD_H
#define PLANEVAL_GARWOOD_H

/* Exact (Garwood) Poisson interval for a count c at confidence level conf. */
void fc_garwood(double c, double conf, double *lo, double *hi);

/* The same figures by GSL's own route, which calls its incomplete gamma
 * function at every step (several times the instructions from a count of
 * 1,000 up): what fc_garwood must equal to the bit (test_forecast). */
void fc_garwood_plain(double c, double conf, double *lo, double *hi);

/* gsl_cdf_chisq_Pinv(P, nu) of GSL 2.7 to the bit: its steps with ln
 * Gamma taken once, and its incomplete gamma function not asked where the
 * figure cannot change a step (garwood.c, gamma_Pinv). GSL reports a
 * failure to converge (NaN) from here, not from its cdf/gammainv.c. */
double fc_chisq_Pinv(double P, double nu);

/* The confidence levels of the observed rows' intervals (forecast.c) and
 * of the build-time table, and the counts it holds: 0 to
 * GARWOOD_TABLE_N - 1. */
#define GARWOOD_CONF_80 0.8
#define GARWOOD_CONF_95 0.95
#define GARWOOD_TABLE_N 1024

#endif
