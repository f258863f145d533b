/*
 * test_forecast_memo.c - unit tests for the memo of model choices
 * (fc_select_cached): a series met again gets fc_select's very fits; a
 * series that differs in any one figure or setting is chosen for anew;
 * the oldest choices give way when the memo is full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "forecast.h"

static const double T[6] = {2019, 2020, 2021, 2022, 2023, 2024};

static fc_series counts(double *c, double *e)
{
    fc_series s;
    memset(&s, 0, sizeof s);
    s.n = 6;
    s.t = T;
    s.count = c;
    s.exposure = e;
    s.scale = 1e5;
    s.lo = 0;
    s.hi = HUGE_VAL;
    s.trend_prior_sd = FC_TREND_PRIOR_SD;
    return s;
}

/* the memo's answer for s equals fc_select's, fits compared to the bit
 * (forced: the plan's model; min: the fewest years, 0 for the default) */
static void same_as_forced(fc_select_memo *sm, const fc_series *s, int family, fc_model forced,
                           int min)
{
    forecast_options o;
    forecast_options_init(&o);
    if (min)
        o.min_points = min;
    fc_fit a[FM_NMODELS], b[FM_NMODELS];
    char wa[512], wb[512];
    fc_model ma = fc_select(s, family, forced, &o, a, wa, sizeof wa);
    fc_model mb = fc_select_cached(sm, s, family, forced, &o, b, wb, sizeof wb);
    assert_int_equal(ma, mb);
    assert_string_equal(wa, wb);
    for (int m = 0; m < FM_NMODELS; m++) {
        assert_int_equal(a[m].ok, b[m].ok);
        assert_memory_equal(a[m].b, b[m].b, sizeof a[m].b);
        assert_memory_equal(a[m].cov, b[m].cov, sizeof a[m].cov);
        assert_memory_equal(&a[m].weight, &b[m].weight, sizeof a[m].weight);
        assert_memory_equal(&a[m].nb_alpha_pred, &b[m].nb_alpha_pred, sizeof(double));
    }
}

static void same_as_select(fc_select_memo *sm, const fc_series *s, int family)
{
    same_as_forced(sm, s, family, FM_NONE, 0);
}

static void test_memo_same_fits(void **state)
{
    (void)state;
    double c[6] = {12, 9, 15, 11, 7, 10}, e[6] = {51, 52, 52.5, 53, 54, 55};
    fc_select_memo *sm = fc_select_memo_new();
    fc_series s = counts(c, e);
    same_as_select(sm, &s, 1); /* chosen, then kept */
    same_as_select(sm, &s, 1); /* taken from the memo */
    /* another series: one count, one exposure, the bounds, the family */
    double c2[6], e2[6];
    memcpy(c2, c, sizeof c);
    memcpy(e2, e, sizeof e);
    fc_series s2 = counts(c2, e2);
    c2[3] = 19;
    same_as_select(sm, &s2, 1);
    c2[3] = c[3];
    e2[5] = 80;
    same_as_select(sm, &s2, 1);
    e2[5] = e[5];
    s2.exposure = NULL;
    same_as_select(sm, &s2, 1);
    s2.exposure = e2;
    s2.trend_prior_sd = 0;
    same_as_select(sm, &s2, 1);
    s2.trend_prior_sd = s.trend_prior_sd;
    /* the plan's model and the fewest years the options ask for */
    same_as_forced(sm, &s, 1, FM_POISSON, 0);
    same_as_forced(sm, &s, 1, FM_NONE, 7);
    same_as_select(sm, &s, 1);
    /* the same figures as shares of trials */
    same_as_select(sm, &s, FC_SHARES);
    /* the values of a series: the family decides what is read */
    double y[6] = {23.5, 17.3, 28.6, 20.8, 13.0, 18.2};
    fc_series v = counts(NULL, NULL);
    v.y = y;
    v.scale = 1;
    v.trend_prior_sd = 0;
    same_as_select(sm, &v, 0);
    y[0] = 23.6;
    same_as_select(sm, &v, 0);
    fc_select_memo_free(sm);
}

/* more series than the memo keeps: each still gets its own choice */
static void test_memo_full(void **state)
{
    (void)state;
    fc_select_memo *sm = fc_select_memo_new();
    double y[6] = {4, 5, 6, 5, 7, 8};
    fc_series v = counts(NULL, NULL);
    v.y = y;
    v.scale = 1;
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < FC_SELECT_MEMO + 8; k++) {
            y[5] = 8 + k;
            same_as_select(sm, &v, 0);
        }
    fc_select_memo_free(sm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo_same_fits),
        cmocka_unit_test(test_memo_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
