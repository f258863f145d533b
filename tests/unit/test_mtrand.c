/*
 * test_mtrand.c - unit tests for mtrand.c: its generator against GSL's
 * gsl_rng_mt19937 from the same seeds (the words, the uniforms, the
 * inline normal draws against gsl_ran_ugaussian, and GSL's own gamma,
 * Poisson and negative binomial draws on either generator), compared to
 * the bit: the window paths' figures must not move.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "mtrand.h"

static gsl_rng *pair(unsigned long seed, gsl_rng **gsl)
{
    gsl_rng *r = gsl_rng_alloc(mtrand_type());
    *gsl = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    assert_non_null(*gsl);
    gsl_rng_set(r, seed);
    gsl_rng_set(*gsl, seed);
    return r;
}

static void same_double(double a, double b)
{
    assert_memory_equal(&a, &b, sizeof a);
}

/* the words and uniforms over several blocks, seed 0 (GSL's 4357) included */
static void test_words_and_uniforms(void **state)
{
    (void)state;
    const unsigned long seeds[] = {0, 1, 4357, 2166136261u, 0xffffffffu};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        gsl_rng *g, *r = pair(seeds[k], &g);
        mtrand_state *s = mtrand_of(r);
        for (int i = 0; i < 5000; i++) {
            switch (i % 3) {
            case 0: assert_int_equal(gsl_rng_get(r), gsl_rng_get(g)); break;
            case 1: same_double(mtrand_uniform(s), gsl_rng_uniform(g)); break;
            default: same_double(mtrand_uniform_pos(s), gsl_rng_uniform_pos(g));
            }
        }
        gsl_rng_free(r);
        gsl_rng_free(g);
    }
}

/* the inline polar method against GSL's, interleaved with GSL's other
 * draws on the same generator, as the paths use them */
static void test_draws(void **state)
{
    (void)state;
    gsl_rng *g, *r = pair(20261207, &g);
    mtrand_state *s = mtrand_of(r);
    for (int i = 0; i < 200000; i++) {
        same_double(mtrand_ugaussian(s), gsl_ran_ugaussian(g));
        if (i % 5 == 0)
            same_double(gsl_ran_chisq(r, 4 + i % 7), gsl_ran_chisq(g, 4 + i % 7));
        if (i % 7 == 0)
            assert_int_equal(gsl_ran_poisson(r, 0.5 + i % 40), gsl_ran_poisson(g, 0.5 + i % 40));
        if (i % 11 == 0)
            assert_int_equal(gsl_ran_negative_binomial(r, 0.3, 2.5),
                             gsl_ran_negative_binomial(g, 0.3, 2.5));
        if (i % 13 == 0)
            assert_int_equal(gsl_ran_binomial(r, 0.9, 120), gsl_ran_binomial(g, 0.9, 120));
    }
    gsl_rng_free(r);
    gsl_rng_free(g);
}

/* mtrand_ugaussian_sign draws the very numbers of a normal (the stream
 * goes on the same as GSL's after it), and 0 times it is 0 times the
 * normal to the bit: the paths draw it for a variate they do not read */
static void test_sign_draws(void **state)
{
    (void)state;
    gsl_rng *g, *r = pair(7, &g);
    mtrand_state *s = mtrand_of(r);
    for (int i = 0; i < 200000; i++) {
        if (i % 3 == 0) {
            double z = gsl_ran_ugaussian(g), y = mtrand_ugaussian_sign(s);
            assert_true(isfinite(y));
            same_double(0.0 * y, 0.0 * z);
            same_double(-0.0 * y, -0.0 * z);
            assert_true((y == 0) == (z == 0));
        } else {
            same_double(mtrand_ugaussian(s), gsl_ran_ugaussian(g));
        }
    }
    gsl_rng_free(r);
    gsl_rng_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_and_uniforms),
        cmocka_unit_test(test_draws),
        cmocka_unit_test(test_sign_draws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
