/*
 * Unit tests for the verdicts (src/assess.c): one indicator per target form
 * in tests/unit/plans/plan_forms.yaml, over the small data set in
 * tests/unit/plans/data/testland/. Every expected figure is worked out by
 * hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"

#include "plan_fixture.h"

typedef plan_fixture fixture;

static fixture *load(stage st, int year)
{
    fixture *f = calloc(1, sizeof *f);
    plan_fixture_load(f, "plan_forms.yaml", st, year);
    return f;
}

static int setup_final(void **state)
{
    *state = load(STAGE_AUTO, 0);
    return 0;
}

static int setup_midterm(void **state)
{
    *state = load(STAGE_MIDTERM, 2023);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    plan_fixture_free(f);
    free(f);
    return 0;
}

static const target_result *tr(const fixture *f, const char *id, int k)
{
    for (int i = 0; i < f->ev.ninds; i++)
        if (strcmp(f->ev.inds[i].ind->id, id) == 0) {
            assert_true(k < f->ev.inds[i].ntargets);
            return &f->ev.inds[i].targets[k];
        }
    fail_msg("no indicator %s", id);
    return NULL;
}

#define assert_close(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void assert_verdict(const target_result *t, verdict v, double current)
{
    if (t->status != v)
        fail_msg("verdict %s, expected %s (%s)", verdict_name(t->status), verdict_name(v),
                 t->detail ? t->detail : "");
    if (!isnan(current)) {
        assert_int_equal(t->current.state, FV_OK);
        assert_close(t->current.v, current);
    }
}

static void test_stage(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->ev.stage, STAGE_FINAL); /* data reach 2025 = period end */
    assert_int_equal(f->ev.eval_year, 2025);
    assert_int_equal(f->ev.data_first_year, 2016);
}

static void test_comparisons(void **state)
{
    fixture *f = *state;
    assert_verdict(tr(f, "T1", 0), V_MET, 0.01);     /* 2 / 200 <= 0.01: boundary included */
    assert_verdict(tr(f, "T2", 0), V_NOT_MET, 0.01); /* < is strict */
    assert_verdict(tr(f, "T3", 0), V_MET, 2);
    assert_verdict(tr(f, "T4", 0), V_NOT_MET, 2);
    /* 杜绝: the 较大 accident deaths of 2022 (3) over 2021-2025 */
    assert_verdict(tr(f, "T5", 0), V_NOT_MET, 3);
    assert_int_equal(tr(f, "T1", 0)->count.state, FV_OK); /* count-based rate: 2 deaths */
    assert_close(tr(f, "T1", 0)->count.v, 2);
}

static void test_decrease_readings(void **state)
{
    fixture *f = *state;
    /* year: B = 4 (2020), C = 2 (2025): 50% >= 15%; limit 4 * 0.85 */
    const target_result *t = tr(f, "T6", 0);
    assert_verdict(t, V_MET, 2);
    assert_close(t->baseline.v, 4);
    assert_close(t->change_pct, 50);
    assert_close(t->limit, 3.4);
    /* period_mean: B = 22/5 = 4.4, C = 16/5 = 3.2: 27.27% < 30%; limit 3.08 */
    t = tr(f, "T7", 0);
    assert_verdict(t, V_NOT_MET, 3.2);
    assert_close(t->baseline.v, 4.4);
    assert_close(t->change_pct, 1.2 / 4.4 * 100);
    assert_close(t->limit, 3.08);
    /* period_total: B = 22, C = 16: 27.27% >= 25%; limit 16.5 */
    t = tr(f, "T8", 0);
    assert_verdict(t, V_MET, 16);
    assert_close(t->baseline.v, 22);
    assert_close(t->limit, 16.5);
    assert_false(t->baseline_given);
}

static void test_zero_baseline(void **state)
{
    fixture *f = *state;
    /* The plan's baseline is 0: "decrease by 10%" reads "keep at zero"; C = 3. */
    const target_result *t = tr(f, "T9", 0);
    assert_verdict(t, V_NOT_MET, 3);
    assert_true(t->zero_baseline);
    assert_true(t->baseline_given);
    assert_false(t->has_change); /* no percent of zero */
}

static void test_increase(void **state)
{
    fixture *f = *state;
    /* gdp 140 -> 200: +42.86% < 50%; limit 210 */
    const target_result *t = tr(f, "T10", 0);
    assert_verdict(t, V_NOT_MET, 200);
    assert_close(t->change_pct, 60.0 / 140 * 100);
    assert_close(t->limit, 210);
}

static void test_aggregates(void **state)
{
    fixture *f = *state;
    /* every_year <= 4: 2022 has 5 deaths */
    const target_result *t = tr(f, "T11", 0);
    assert_verdict(t, V_NOT_MET, NAN);
    assert_string_equal(t->failing_years, "2022");
    /* window_mean = 3.2 <= 3.2 */
    assert_verdict(tr(f, "T12", 0), V_MET, 3.2);
    /* pooled: 16 / 860 = 0.0186 <= 0.0187; mean of rates 0.019047 > 0.0187 */
    assert_verdict(tr(f, "T13", 0), V_MET, 16.0 / 860);
    double mean = (3.0 / 150 + 5.0 / 160 + 2.0 / 170 + 4.0 / 180 + 2.0 / 200) / 5;
    assert_verdict(tr(f, "T13", 1), V_NOT_MET, mean);
    /* exclude 2022: (3 + 2 + 4 + 2) / 4 = 2.75 <= 3 */
    t = tr(f, "T14", 0);
    assert_verdict(t, V_MET, 2.75);
    assert_string_equal(t->excluded_years, "2022");
    /* window_max 5 <= 5; the intermediate 2023 target: 2 <= 4 */
    assert_verdict(tr(f, "T15", 0), V_MET, 5);
    assert_verdict(tr(f, "T15", 1), V_MET, 2);
    assert_int_equal(tr(f, "T15", 1)->window[1], 2023);
    /* zero denominator every year */
    assert_verdict(tr(f, "T16", 0), V_NOT_APPLICABLE, NAN);
    /* explicit window: mean 3.2 > 3 */
    assert_verdict(tr(f, "T17", 0), V_NOT_MET, 3.2);
}

static void test_milestones(void **state)
{
    fixture *f = *state;
    assert_verdict(tr(f, "M1", 0), V_MET, NAN);         /* done 2023-06-30, due 2023 */
    assert_verdict(tr(f, "M2", 0), V_NOT_MET, NAN);     /* done 2023-03-01, due 2022: late */
    assert_non_null(strstr(tr(f, "M2", 0)->detail, "late"));
    assert_verdict(tr(f, "M3", 0), V_NOT_MET, NAN);     /* still in progress after 2024 */
    assert_non_null(strstr(tr(f, "M3", 0)->detail, "overdue"));
    assert_verdict(tr(f, "M4", 0), V_INSUFFICIENT, NAN); /* no record at all */
    assert_verdict(tr(f, "Q1", 0), V_MET, NAN);
}

/* each: a target over every member of a dimension, the failing ones named. */
static void test_each_member(void **state)
{
    fixture *f = *state;
    /* 2022: 一般 2, 较大 3. "<= 2 for each grade": 较大 fails; the figure
     * shown is the failing member's (3, limit 2) and it is named. */
    const target_result *t = tr(f, "EACH1", 0);
    assert_verdict(t, V_NOT_MET, 3);
    assert_close(t->limit, 2);
    assert_int_equal(t->nmembers, 2);
    assert_int_equal(t->nmembers_met, 1);
    assert_non_null(t->failing_members);
    assert_string_equal(t->failing_members, "较大");
    assert_string_equal(t->member, "较大");
    assert_non_null(strstr(t->detail, "not met: 较大 3"));
    /* 分别: 一般 <= 1 (2: fails), 较大 <= 3 (3: met): 一般 named, its own limit */
    t = tr(f, "EACH1", 1);
    assert_verdict(t, V_NOT_MET, 2);
    assert_close(t->limit, 1);
    assert_string_equal(t->failing_members, "一般");
    /* a share: 1 of 2 members = 50 %: met at 50, not at 51 */
    t = tr(f, "EACH1", 2);
    assert_verdict(t, V_MET, 3);
    assert_string_equal(t->failing_members, "较大");
    t = tr(f, "EACH1", 3);
    assert_verdict(t, V_NOT_MET, 3);
}

static void test_midterm(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->ev.stage, STAGE_MIDTERM);
    assert_int_equal(f->ev.eval_year, 2023);
    /* Due 2025: not judged; so far C(2023) = 2 <= limit 3.4 */
    const target_result *t = tr(f, "T6", 0);
    assert_int_equal(t->status, V_NOT_YET_DUE);
    assert_int_equal(t->progress, 1);
    /* Due 2023: judged now */
    assert_verdict(tr(f, "T15", 1), V_MET, 2);
    /* The series stops at the evaluation year. */
    assert_int_equal(f->ev.inds[0].first_year + f->ev.inds[0].nyears - 1, 2023);
    /* M3 is due 2024: not yet due at the end of 2023 */
    assert_int_equal(tr(f, "M3", 0)->status, V_NOT_YET_DUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stage, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_comparisons, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_decrease_readings, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_zero_baseline, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_increase, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_aggregates, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_milestones, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_each_member, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_midterm, setup_midterm, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
