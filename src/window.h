/*
 * window.h - the figure of a window target (the largest or smallest
 * year, every year, a window's total of counts) from each model's
 * parameters by quadrature, without simulated paths, where the future
 * years are independent given those parameters, and a window sum, mean
 * or ratio of values clipped at their bounds by lattices of its years'
 * terms convolved (docs/methodology.md, section 5). A model without
 * such a method enters the mixture by its own simulated figures, so one
 * slow model does not make the others simulated.
 */
#ifndef PLANEVAL_WINDOW_H
#define PLANEVAL_WINDOW_H

#include "forecast.h"

/* The observed years of a window: their count, sum, extremes, ratio
 * parts, and whether one of them already fails an every-year target. */
typedef struct window_obs {
    int n;
    double sum, min, max, num, den;
    int every_fail;
} window_obs;

/* A window target: what is compared, and the years still to come. */
typedef struct window_spec {
    aggregate agg;
    target_op op;
    double goal;
    const window_obs *wo;
    int nf;                /* future years tf[0..nf), at most 64 */
    const double *tf, *ef; /* their years and exposures (trials of a share) */
    const fc_series *s;    /* bounds and scale of the values */
    const double *a;       /* a sum, mean or ratio of values: c0 + sum of a[h] x
                              year h (a[h] >= 0), else NULL */
    double c0;
} window_spec;

typedef struct window_mix window_mix;

window_mix *window_mix_new(const window_spec *w);
/*
 * Adds model f with weight w, computed by quadrature over its parameters
 * (L: the Cholesky factor of its coefficients' covariance as the paths
 * draw them). npaths: the paths the caller would simulate instead; a sum
 * of values clipped at their bounds is computed only where that costs
 * less. 0, or -1 when the model has no such method for this window (the
 * caller then simulates it and adds its paths).
 */
int window_mix_exact(window_mix *m, double w, const fc_fit *f, const double L[2][2], int npaths);
/* Adds a model with weight w whose figure is loc + sd t(df) (normal when
 * df <= 0): a sum, mean or ratio of values under a Gaussian model. */
void window_mix_student(window_mix *m, double w, double loc, double sd, double df);
/* Adds a model with weight w from npaths simulated paths: fig[0..n) the
 * finite figures among them (copied), met the paths that met the target. */
void window_mix_paths(window_mix *m, double w, const double *fig, int n, int met, int npaths);
/* P(met) of the mixture. */
double window_mix_prob(const window_mix *m);
/* The quantiles at ascending qs[0..nq) of the figure; [lo, hi] is a first
 * guess of where they lie (widened as needed). */
void window_mix_quantiles(const window_mix *m, const double *qs, int nq, double lo, double hi,
                          double *out);
void window_mix_free(window_mix *m);

/* out[i + j] += x[i] y[j] for i < nx, j < ny (buffers that do not
 * overlap), each out[k] adding its products in the order of i: the plain
 * double loop's sums to the bit. The years' probabilities of a window
 * total and the terms of a window sum are convolved so. */
void window_convolve(double *restrict out, const double *restrict x, int nx,
                     const double *restrict y, int ny);

#endif
