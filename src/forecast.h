/*
 * forecast.h - trend forecasts, the probability that each target is met,
 * progress measures, exact Poisson intervals for small counts, the plain
 * allowance ("no more than N deaths") and baseline sensitivity.
 * docs/methodology.md explains every model, criterion and threshold.
 *
 * Two layers:
 *   - a statistics core (fc_*) on a plain series of years and values, or
 *     counts with exposures: fitting, model choice by AICc, predictive
 *     distributions, prediction intervals and probabilities. GSL does the
 *     numerical work; nothing here draws a random number except the window
 *     simulation, which uses a fixed-seed GSL generator, so every run gives
 *     the same bytes.
 *   - forecast_plan(), which applies it to every indicator and target of an
 *     evaluation and fills a forecast_set for the writers and `explain`.
 */
#ifndef PLANEVAL_FORECAST_H
#define PLANEVAL_FORECAST_H

#include <stdio.h>

#include "assess.h"
#include "garwood.h"
#include "labels.h"

/* ---------- options ---------- */

/* Garwood intervals already worked out (fc_garwood), by count and
 * confidence: counts recur across years, indicators and plans, and each
 * interval costs GSL two chi-square quantiles. */
typedef struct fc_garwood_memo fc_garwood_memo;
fc_garwood_memo *fc_garwood_memo_new(void);
void fc_garwood_memo_free(fc_garwood_memo *gm);

/* Model choices already made (fc_select), by series: plans of one region
 * share indicators, and an indicator's series may be another's; each
 * choice fits every candidate and refits it once per year left out. The
 * last FC_SELECT_MEMO series are kept. */
#define FC_SELECT_MEMO 64
typedef struct fc_select_memo fc_select_memo;
fc_select_memo *fc_select_memo_new(void);
void fc_select_memo_free(fc_select_memo *sm);

typedef struct forecast_options {
    double on_track;       /* P(met) >= on_track: on track (default 0.8) */
    double at_risk;        /* at_risk <= P < on_track: at risk; below: off track (0.5) */
    int min_points;        /* fewest usable years for any forecast (4) */
    int nsim;              /* simulated paths for window targets (20000) */
    int window_sim_only;   /* 1: simulate even where a window figure has a
                              closed form (tests compare the two) */
    fc_garwood_memo *garwood; /* the caller's, kept across its plans; NULL: one
                                 for the plan (forecast_plan) */
    fc_select_memo *selects;  /* likewise */
} forecast_options;

void forecast_options_init(forecast_options *o);

/* ---------- models ---------- */

typedef enum fc_model {
    FM_NONE,
    FM_MEAN,          /* constant level, normal errors */
    FM_LINEAR,        /* straight line, least squares */
    FM_LOGLINEAR,     /* straight line in log(value): constant annual rate */
    FM_DAMPED,        /* Holt's damped trend, parameters by one-step SSE */
    FM_POISSON_MEAN,  /* counts: constant rate per exposure */
    FM_POISSON,       /* counts: log-linear rate per exposure (GLM with offset) */
    FM_NEGBIN_MEAN,   /* overdispersed counts: constant rate */
    FM_NEGBIN,        /* overdispersed counts: log-linear rate */
    FM_RANDOM_WALK,   /* each year the last plus a drift, errors accumulate */
    FM_BINOMIAL_MEAN, /* shares of trials: constant logit share */
    FM_BINOMIAL,      /* shares of trials: linear trend of the logit share */
    FM_NMODELS
} fc_model;

const char *fc_model_name(fc_model m);
/* FM_NONE when s names no model. */
fc_model fc_model_from_name(const char *s);
int fc_model_is_count(fc_model m);

/* What a quantity is, for the shape of its forecast. */
typedef enum fc_kind {
    FK_LEVEL,         /* any value: rates, amounts, times */
    FK_SHARE,         /* successes of trials (count/exposure, scale 100) */
    FK_STOCK          /* cumulative: built shelters, teams formed; never falls */
} fc_kind;

/*
 * A series to fit. Years need not be consecutive (gaps are allowed). For
 * count models count[] and exposure[] are used (exposure NULL means 1) and
 * value = scale * count / exposure; otherwise y[].
 */
typedef struct fc_series {
    int n;
    const double *t;
    const double *y;
    const double *count;
    const double *exposure;
    double scale;
    double lo, hi;         /* natural bounds of the value (-HUGE_VAL / HUGE_VAL: none) */
    fc_kind kind;
    double trend_prior_sd; /* counts: a normal prior on the log trend, N(0, sd^2);
                              shares of trials: on the logit's trend
                              (0: none, maximum likelihood) */
    double step;           /* values: the step the figures are recorded in (0: found
                              from the values at each fit; fc_forecaster_init and
                              the plan's forecasts set it once) */
    int no_scale_prior;    /* values: plain least squares, without the prior on the
                              residual scale (FC_SCALE_PRIOR_DF); tests against
                              textbook OLS set it */
    int refit;             /* a refit for scoring (fc_loo_score): the negative
                              binomial's alpha to 1e-4 of log alpha, not 1e-9 (the
                              score moves by far less than a weight shows) */
    const double *nb_coef; /* counts: log Gamma(y + r) / Gamma(r) / y! of each year
                              (column) at each alpha = 1 / r of the negative
                              binomial's profile grid (row), shared by the
                              fits of fc_select and the refits of
                              fc_loo_score, or NULL: worked out by each fit */
} fc_series;

/* The prior on the annual log change of a count rate the plans' forecasts
 * use: a county's expected death or accident count seldom moves by more
 * than about 14 % a year (two standard deviations). It is centred on an
 * unchanged count (the rate falling as fast as its exposure grows). 0.1
 * let five years of overdispersed counts extrapolate their noise: P(met)
 * scored worse than the base rate (docs/methodology.md, 2 and 4a). */
#define FC_TREND_PRIOR_SD 0.07
/* The prior on the annual change of the logit of a share of trials:
 * coverage near 100 % seldom moves by more than about 0.4 logits a year
 * (90 % to 93 %); without it five years at 96-100 % were extrapolated to a
 * certain 100 % (docs/methodology.md, 4a). */
#define FC_SHARE_TREND_PRIOR_SD 0.2

/* The prior on the residual scale of the value models: this many
 * pseudo-years with a deviation of the figures' recorded step. */
#define FC_SCALE_PRIOR_DF 1

typedef struct fc_fit {
    fc_model model;
    int ok;                /* fitted */
    char note[160];        /* why not, when !ok */
    int n;                 /* points used */
    int k;                 /* parameters counted by AICc (variance or dispersion included) */
    double loglik, aicc;   /* aicc is NAN when n <= k + 1 */
    double loo;            /* leave-one-out score (fewer than 8 years), else NAN */
    double tc;             /* centring year: the linear predictor is b0 + b1 (t - tc) */
    int p;                 /* coefficients in the linear predictor (1 or 2) */
    double b[2], cov[2][2];/* coefficients and their covariance */
    double sigma;          /* residual standard deviation (normal models) */
    int df;                /* its degrees of freedom (n - p + FC_SCALE_PRIOR_DF; n - 5 for damped) */
    double sse;            /* damped: one-step sum of squared errors */
    double alpha, beta, phi, l0, b0; /* damped: smoothing, damping, initial states */
    double level, trend;   /* damped: states after the last year */
    double nb_alpha;       /* negative binomial: Var = mu + nb_alpha mu^2 (maximum likelihood) */
    double nb_alpha_pred;  /* its posterior mean, which the predictions use */
    double trend_centre;   /* counts: the centre of the trend's prior (minus the
                              exposure's annual log growth; 0 without a prior) */
    double vscale;         /* counts: the coefficients' covariance times this in
                              predictions (overdispersion; 0 means 1) */
    double re_var;         /* binomial: variance of a year's own logit effect */
    double dispersion;     /* Pearson chi2 / (n - p) for count models */
    double sum_count, sum_exposure;
    double first_t, last_t;
    double last_y;         /* random walk: the value it starts from */
    double step;           /* value models: the step the figures are recorded in */
    double weight;         /* share in the model average (fc_select) */
} fc_fit;

/* Fit model m to s. Returns 0 if fitted (f->ok), -1 with f->note if not. */
int fc_fit_model(fc_model m, const fc_series *s, fc_fit *f);

/* A predictive distribution of the value in one year. */
typedef struct fc_pred {
    double mean;           /* point forecast (the model's fitted value for that year) */
    double lo80, hi80, lo95, hi95;
    int kind;              /* internal: which distribution */
    double m, sd, df;      /* normal / Student t location, scale, df (<= 0: normal) */
    double step;           /* values: the recorded step; P(met) judges the rounded figure */
    double lo, hi;         /* bounds the value is censored to */
    double E, scale;       /* counts: value = scale * Y / E */
    int negbin;
    int binom;             /* counts of E trials: binomial given the logit eta */
    double nb_alpha;
    int nq;
    double eta[32], w[32]; /* counts: mixture over log(mean count) */
    double r, q;           /* counts, constant Poisson: NB(r, q) predictive */
} fc_pred;

/*
 * The model average: the predictive distributions of the models with
 * weight, and the figures of their mixture.
 */
typedef struct fc_mix {
    int k;
    double w[FM_NMODELS];
    fc_pred p[FM_NMODELS];
    double mean, lo80, hi80, lo95, hi95;
} fc_mix;

/* The mixture of the weighted fits[] (fc_select) for year t; -1 if none. */
int fc_mix_predict(const fc_fit fits[FM_NMODELS], const fc_series *s, double t, double exposure,
                   fc_mix *out);

/*
 * A value figure re-recorded unchanged (docs/methodology.md, 4d): figures
 * that repeat exactly from one year to the next (a count of teams, a
 * coverage held at 100 %) are re-reported as they stand in most years and
 * updated now and then. The chance pi that a year repeats the figure of
 * the year before has the uniform prior, so its posterior is
 * Beta(repeats + 1, pairs - repeats + 1) (Laplace's rule of succession);
 * the figure of year t is the last one unchanged with probability
 * E[pi^h], h years on, and otherwise what the model average forecasts.
 * Only for value series (not counts, shares of trials or stocks, whose own
 * models give their repeats) with at least one figure equal to the year
 * before's, and not when a plan sets the model.
 */
typedef struct fc_stale {
    int on;
    int repeats, pairs;    /* consecutive years with an equal figure; all consecutive years */
    double y0, t0;         /* the last figure and its year */
} fc_stale;

void fc_stale_fit(const fc_series *s, int count_family, fc_model forced, fc_stale *st);
/* P(the figure of year t is still the last one); 0 when off. */
double fc_stale_prob(const fc_stale *st, double t);
/* fc_mix_predict with the unchanged figure as one more component, of
 * weight fc_stale_prob (st NULL or off: fc_mix_predict). */
int fc_mix_predict_stale(const fc_fit fits[FM_NMODELS], const fc_stale *st, const fc_series *s,
                         double t, double exposure, fc_mix *out);
double fc_mix_prob(const fc_mix *m, target_op op, double goal);
/* One step of the Illinois root search on F(x) - q, kept in [a, b]
 * (F(a) - q < 0 <= F(b) - q): x replaces the end on its side, and the
 * other end's value is halved when the same side moves twice. */
void fc_illinois(double x, double fx, double *a, double *fa, double *b, double *fb, int *side);
double fc_mix_quantile(const fc_mix *m, double q);

/*
 * Predictive distribution of the value in year t, after the fitted years
 * (exposure: that year's exposure for count models, else ignored).
 */
int fc_predict(const fc_fit *f, const fc_series *s, double t, double exposure, fc_pred *out);
/* P(value satisfies op goal), with the tolerances of the verdicts. */
double fc_pred_prob(const fc_pred *p, target_op op, double goal);
/* The q-quantile of the value. */
double fc_pred_quantile(const fc_pred *p, double q);
/* For tests: the largest gap between the CDF table the interval searches
 * use for a count prediction and the exact CDF at each tabulated count;
 * *n the counts tabulated from *k0 on (0: none, the searches use the
 * exact CDF). */
double fc_count_table_error(const fc_pred *p, int *n, double *k0);

/* fc_garwood(c, conf) from the build-time table (garwood.h): 1 when c is a
 * count it holds and conf one of its levels, else 0 (nothing set). */
int fc_garwood_tabled(double c, double conf, double *lo, double *hi);
/*
 * Fay & Feuer (1997) gamma interval for sum_i w_i c_i, with c_i Poisson and
 * w_i > 0 known: Garwood's interval when all weights are equal.
 */
void fc_weighted_poisson_ci(const double *c, const double *w, int n, double conf, double *lo,
                            double *hi);

/* Least squares y = X c (n x p, row-major) through GSL; cov = s^2 (X'X)^-1. */
int fc_ols(const double *X, const double *y, int n, int p, double *c, double *cov, double *rss);

/*
 * Holt's damped trend with given parameters and initial states: one-step
 * fitted values (fitted[i] for t[i]; NULL to skip), SSE, and the final
 * states. Years may have gaps (no update in a missing year).
 */
double fc_damped_filter(const double *t, const double *y, int n, double alpha, double beta,
                        double phi, double l0, double b0, double *fitted, double *level,
                        double *trend);
/* Damped-trend forecast variance factor for h steps: 1 + sum_{j<h} c_j^2. */
double fc_damped_var_factor(double alpha, double beta, double phi, int h);

/*
 * Choose a model for s among the candidates the series allows (count
 * family when count_family, else the normal family), or force `forced`
 * (FM_NONE: choose). Every candidate gets a weight (fits[m].weight) for
 * the model average: from leave-one-out cross-validation for values, and
 * for counts below FC_LOO_BELOW usable years; from AICc for counts from
 * there on. fits[] receives every candidate, indexed by model. Returns the
 * model of largest weight, FM_NONE when the history is too short.
 */
#define FC_LOO_BELOW 8
/*
 * Leave-one-out score of model m on s: the mean squared error of the
 * left-out value (normal family) or the mean negative log predictive
 * probability of the left-out count (count family); NAN if a refit fails.
 */
double fc_loo_score(fc_model m, const fc_series *s);
fc_model fc_select(const fc_series *s, int count_family, fc_model forced,
                   const forecast_options *o, fc_fit fits[FM_NMODELS], char *why,
                   size_t whysize);
/* fc_select through the memo sm: a series met before (the same figures to
 * the bit, kind, bounds, scale, family, model and min_points) gets the
 * fits, weights and why fc_select gave it, which is what fc_select would
 * work out again (it reads nothing else); else fc_select, kept in sm. */
fc_model fc_select_cached(fc_select_memo *sm, const fc_series *s, int count_family,
                          fc_model forced, const forecast_options *o, fc_fit fits[FM_NMODELS],
                          char *why, size_t whysize);

/*
 * An outlying year of a value series (not counts, shares or stocks): the
 * year, other than the last, whose value lies farthest off the straight
 * line through the other years, when its externally studentized residual
 * is significant at FC_OUTLIER_ALPHA after a Bonferroni correction over the
 * years tested. The last year is never one: a change there cannot be told
 * from a shift of level that later years keep. Returns its index or -1;
 * *pvalue receives the corrected p-value. The forecasts leave it out.
 */
#define FC_OUTLIER_ALPHA 0.01
#define FC_OUTLIER_MIN_YEARS 5 /* the years left are still enough for a forecast */
int fc_outlier(const fc_series *s, double *pvalue);
/*
 * A shift of level in a value series (same kinds): the year k from which a
 * line plus a step fits better than the line alone by an F test, at
 * FC_OUTLIER_ALPHA after a Bonferroni correction over the years tried
 * (two years at least before and after). Returns k's index or -1; *shift
 * the step (new level minus old), *pvalue the corrected p-value.
 */
#define FC_SHIFT_VS_LINE 0.5
#define FC_SHIFT_KEEP_YEARS 4 /* years on the new level needed to forecast from them alone */
int fc_level_shift(const fc_series *s, double *shift, double *pvalue);

/* What was done to a value series before fitting. */
typedef enum fc_adjust_kind {
    FA_NONE,
    FA_OUTLIER,        /* an outlying year left out */
    FA_SHIFT           /* the years before a shift of level moved onto the new level */
} fc_adjust_kind;

typedef struct fc_adjust {
    fc_adjust_kind kind;
    int year;          /* the outlying year, or the first year of the new level */
    double value;      /* the outlying year's value */
    double shift;      /* the shift: new level minus old */
    double p;          /* its Bonferroni-corrected p-value */
} fc_adjust;

/*
 * An outlying year left out of s, or else a shift of level adjusted for;
 * t and y are s's arrays, writable (s->t, s->y point at them). Only one of
 * the two, the outlier tested first.
 */
void fc_adjust_series(fc_series *s, double *t, double *y, fc_adjust *a);

/*
 * The forecasting of one series as the plan stage does it: the family
 * (counts or values) from the series, the model choice, and the predictive
 * distribution of any later year. The calibration suite
 * (tests/calibration) drives the same entry points.
 */
typedef struct fc_forecaster {
    fc_series v;           /* the series as modelled (counts dropped for values) */
    const fc_series *s;
    int count_family;
    fc_model model;        /* the model chosen, FM_NONE: no forecast */
    char why[512];
    fc_fit fits[FM_NMODELS];
    fc_adjust adjust;      /* an outlying year left out or a shift adjusted (fc_adjust_series) */
    fc_stale stale;        /* the last figure kept unchanged (fc_stale_fit) */
    double *own;           /* the series' years and values as adjusted */
} fc_forecaster;

/* 0 if a forecast can be made, -1 (with why) if not; free in either case. */
int fc_forecaster_init(fc_forecaster *fc, const fc_series *s, fc_model forced,
                       const forecast_options *o);
int fc_forecaster_predict(const fc_forecaster *fc, double t, double exposure, fc_mix *out);
void fc_forecaster_free(fc_forecaster *fc);
/* How s is modelled: 0 values, 1 counts with an exposure, FC_SHARES
 * successes of trials (a share with its numerator and denominator). */
#define FC_SHARES 2
int fc_counts_apply(const fc_series *s);

/* Open SDG progress ratio: observed over required annual rate. */
typedef struct fc_sdg {
    int ok;
    int linear;            /* 1: absolute changes used (a zero base or target) */
    double ratio;
    const char *category;  /* target_achieved on_track acceleration_needed limited_progress
                              deterioration */
} fc_sdg;
fc_sdg fc_sdg_ratio(double x0, double t0, double xnow, double tnow, double goal, double tgoal,
                    int direction, int met_now);

/* ---------- milestones ---------- */

/*
 * The chance that a milestone not yet done is done by the end of its due
 * year, from the plan's own records (docs/methodology.md, 6a). Each item
 * is done at its own constant rate: the plan's mean rate mu times a gamma
 * factor of mean 1 and shape k (CV 1/sqrt(k)). An item's time to done is
 * then Lomax, P(open at t) = (b / (b + t))^k with b = k / mu, and one
 * still open at t is open at T with ((b + t) / (b + T))^k: the items still
 * open are, on the whole, the slow ones. A plan's handful of items cannot
 * estimate k, so it is fixed: FC_MS_SHAPE 1, rates as spread as an
 * exponential (the calibration suite's widest spread; larger k overstates
 * the chances there). mu has the prior Gamma(FC_MS_PRIOR_DONE,
 * FC_MS_PRIOR_YEARS) (one milestone in three years) and the likelihood of
 * the plan's items under the same model: a done item the chance of being
 * done between its last record not done and its first record done, an
 * open one the chance of being open at its latest record. The chance is
 * averaged over mu's posterior, on a grid of log mu.
 */
#define FC_MS_PRIOR_DONE 1
#define FC_MS_PRIOR_YEARS 3
#define FC_MS_SHAPE 1.0
#define FC_MS_GRID 210

/* One milestone's record, in years from 1 January of the plan's first
 * year: done between lo (its latest record not done; 0 when none) and hi
 * (its first record done), or open at lo (hi infinite). */
typedef struct fc_ms_item {
    double lo, hi;
} fc_ms_item;

/* The plan's pace: its items with a record, how many were done, in how
 * many item-years (each item until done or its latest record), and mu's
 * posterior (fc_ms_fit). */
typedef struct fc_ms_pace {
    int items, done;
    double years;
    fc_ms_item *item;      /* items of them (owned by the forecast_set) */
    double shape;          /* k */
    double mean_rate;      /* posterior mean of mu, a year */
    double w[FC_MS_GRID];  /* posterior weights of log mu on the grid, summing to 1 */
} fc_ms_pace;

/* mu's posterior from pace->item (pace->items of them), items' factors of
 * shape k; sets done and years from the items too. */
void fc_ms_fit(fc_ms_pace *pace, double shape);
/* P(done by until | open at since), in years from the plan's start; 0
 * when until <= since. */
double fc_milestone_prob(const fc_ms_pace *pace, double since, double until);

/* ---------- per plan ---------- */

typedef enum fc_status {
    FS_NONE,          /* not forecast (milestones, qualitative items) */
    FS_MET,
    FS_ON_TRACK,
    FS_AT_RISK,
    FS_OFF_TRACK,
    FS_INSUFFICIENT
} fc_status;

const char *fc_status_name(fc_status s);

typedef struct fc_point {
    int year;
    double value, lo80, hi80, lo95, hi95;
    int has_exposure;
    double exposure;       /* projected exposure (count models) */
} fc_point;

typedef struct fc_target {
    fc_status status;
    char *note;            /* how the status was reached */
    int has_forecast;      /* figure at the target year, forecast */
    double value, lo80, hi80, lo95, hi95;
    int has_prob;
    double prob;
    /* progress measures (single-year figures) */
    int has_pace;
    double task_share, time_share, pace_ratio;
    fc_sdg sdg;
    int has_required;
    double required_change;
    int has_recent;
    double recent_change;
    /* exact interval of the observed figure (count-based) */
    int has_ci;
    double ci_lo, ci_hi;
    const char *ci_vs_target; /* indistinguishable clearly_met clearly_not_met */
    char *allowance;       /* plain-number text, or NULL */
    /* baseline sensitivity (decrease / increase) */
    int has_sensitivity;
    verdict sens[3];       /* by baseline_reading */
    double sens_change[3];
    int sens_has_change[3];
    const char *sensitivity; /* same / differs */
} fc_target;

typedef struct fc_indicator {
    const indicator_result *ir;
    int count_var;         /* -1 unless count-based */
    int count_family;      /* modelled as counts */
    int npoints;           /* usable years */
    fc_model model;        /* FM_NONE: no forecast */
    char why[512];
    fc_fit fits[FM_NMODELS];
    fc_adjust adjust;      /* an outlying year left out or a shift adjusted (fc_adjust_series) */
    fc_stale stale;        /* the last figure kept unchanged (fc_stale_fit) */
    double lo, hi;         /* bounds applied */
    int is_ratio;
    double scale;
    fc_point *points;      /* forecast years */
    int npoints_fc;
    fc_target *targets;
    int ntargets;
    /* observed rows: exact Poisson intervals (count-based) */
    int has_obs_ci;
    double *obs_ci;        /* per series year: lo80 hi80 lo95 hi95 (NAN when none) */
} fc_indicator;

typedef struct forecast_set {
    forecast_options opt;
    fc_ms_pace pace;       /* milestones of the plan, for their chances */
    fc_indicator *inds;    /* parallel to ev->inds */
    int ninds;
} forecast_set;

/*
 * Forecast every indicator of ev. lb gives the wording of the allowance
 * texts (NULL: codes only). Returns 0.
 */
int forecast_plan(const evaluation *ev, const eval_context *ec, const forecast_options *opt,
                  const labels *lb, forecast_set *out);
void forecast_set_free(forecast_set *fs);

/* The forecast part of `planeval explain` for indicator i. */
void forecast_explain(FILE *f, const forecast_set *fs, int i, const labels *lb);

#endif
