/* Unit tests for the plan and catalogue loaders (src/plan.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "plan.h"

#define DIR "tests/unit/plans"

typedef struct fixture {
    dictionary dict;
    symtab syms;
    catalogue cat;
    diag_list d;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_int_equal(dictionary_load(&f->dict, DIR "/variables", &f->d), 0);
    assert_int_equal(catalogue_load(&f->cat, DIR "/catalogue.yaml", &f->dict, &f->syms, &f->d), 0);
    assert_int_equal(diag_errors(&f->d), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    catalogue_free(&f->cat);
    symtab_free(&f->syms);
    dictionary_free(&f->dict);
    diag_free(&f->d);
    free(f);
    return 0;
}

/* The diagnostic whose message contains s, or NULL. */
static const diag *find_diag(const diag_list *d, const char *s)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->items[i].msg, s))
            return &d->items[i];
    return NULL;
}

static void test_catalogue(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->cat.ninds, 2);
    assert_string_equal(f->cat.inds[0].id, "deaths_per_100m_gdp");
    assert_int_equal(f->cat.inds[0].precision, 4);
    assert_int_equal(f->cat.inds[0].better, BETTER_LOWER);
    assert_non_null(f->cat.inds[0].numerator.f);
    assert_int_equal(f->cat.nparams, 2);
}

static void test_plan_ok(void **state)
{
    fixture *f = *state;
    model_env env = {&f->dict, &f->syms, &f->cat};
    plan p;
    assert_int_equal(plan_load(&p, DIR "/plan_ok.yaml", &env, &f->d), 0);
    diag_print(&f->d, stderr);
    assert_int_equal(diag_errors(&f->d), 0);
    assert_string_equal(p.id, "test-2021-2025");
    assert_int_equal(p.period[0], 2021);
    assert_int_equal(p.baseline_period[0], 2016); /* default: five years before */
    assert_int_equal(p.baseline_period[1], 2020);
    assert_int_equal(p.midterm_year, 2023);
    assert_int_equal(p.ninds, 5);

    const indicator *a1 = plan_find_indicator(&p, "A1");
    assert_non_null(a1);
    assert_ptr_equal(a1->use, &f->cat.inds[0]);
    assert_string_equal(a1->name, "亿元GDP生产安全事故死亡率");
    assert_string_equal(a1->unit, "人/亿元"); /* inherited */
    assert_string_equal(a1->type, "未注");     /* default */
    assert_int_equal(a1->ndepartments, 1);
    assert_int_equal(a1->ntargets, 2);
    assert_int_equal(a1->targets[1].year, 2022);
    assert_int_equal(a1->targets[1].window[0], 2021);
    assert_int_equal(a1->targets[1].window[1], 2022);
    assert_int_equal(a1->targets[0].agg, AGG_YEAR);

    const indicator *a2 = plan_find_indicator(&p, "A2");
    assert_string_equal(a2->name, "人口死亡率"); /* name from the catalogue */
    assert_int_equal(a2->targets[0].agg, AGG_EVERY_YEAR);
    assert_int_equal(a2->targets[0].op, OP_LT);

    /* Parameter scope: indicator override, then plan, then catalogue. */
    int sym = symtab_find(&f->syms, "population");
    assert_true(sym >= 0);
    assert_string_equal(plan_param(&p, &f->cat, a2, sym)->value.text, "pop_resident");
    assert_string_equal(plan_param(&p, &f->cat, a1, sym)->value.text, "pop_registered");
    assert_string_equal(plan_param(NULL, &f->cat, NULL, sym)->value.text, "pop_resident");
    int days = symtab_find(&f->syms, "days");
    assert_string_equal(plan_param(&p, &f->cat, a1, days)->value.text, "15");

    const indicator *a3 = plan_find_indicator(&p, "A3");
    assert_int_equal(a3->targets[0].op, OP_DECREASE);
    assert_true(a3->targets[0].has_baseline);
    assert_int_equal(a3->targets[0].baseline.reading, BASE_YEAR);
    assert_int_equal(a3->targets[0].baseline.year, 2020);
    assert_true(a3->targets[0].baseline.has_value);
    assert_true(a3->targets[0].baseline.value == 4);
    assert_string_equal(a3->type, "约束性");

    const indicator *a4 = plan_find_indicator(&p, "A4");
    assert_int_equal(a4->targets[0].agg, AGG_WINDOW_SUM); /* zero defaults to the window sum */

    /* Interpretation doubts: a block mapping with all three keys, a flow
     * mapping without the alternative, and none. */
    assert_non_null(a3->doubt);
    assert_string_equal(a3->doubt->question, "未说明与何者相比");
    assert_string_equal(a3->doubt->reading, "2020年单年");
    assert_string_equal(a3->doubt->alternative, "十三五年均");
    assert_int_equal(a3->doubt->line, 34);
    assert_non_null(a4->doubt);
    assert_string_equal(a4->doubt->reading, "不含");
    assert_null(a4->doubt->alternative);
    assert_int_equal(a4->doubt->line, 47);
    assert_null(a1->doubt);

    const indicator *m1 = plan_find_indicator(&p, "M1");
    assert_int_equal(m1->kind, IND_MILESTONE);
    assert_null(m1->formula);
    plan_free(&p);
}

static void test_plan_bad_reports_everything(void **state)
{
    fixture *f = *state;
    model_env env = {&f->dict, &f->syms, &f->cat};
    plan p;
    assert_int_equal(plan_load(&p, DIR "/plan_bad.yaml", &env, &f->d), -1);
    const diag *x;
    /* unknown variable, located at the name inside the formula (line 17, col 14) */
    x = find_diag(&f->d, "unknown name 'ps_death'");
    assert_non_null(x);
    assert_int_equal(x->line, 17);
    assert_int_equal(x->col, 14);
    assert_non_null(strstr(x->msg, "ps_deaths"));
    x = find_diag(&f->d, "duplicate indicator id 'A1'");
    assert_non_null(x);
    assert_int_equal(x->line, 19);
    x = find_diag(&f->d, "unknown group 'nosuchgroup'");
    assert_non_null(x);
    assert_int_equal(x->line, 27);
    x = find_diag(&f->d, "unknown key 'formla' (did you mean 'formula'?)");
    assert_non_null(x);
    assert_int_equal(x->line, 29);
    assert_int_equal(x->col, 5);
    x = find_diag(&f->d, "unknown target form '<~'");
    assert_non_null(x);
    assert_int_equal(x->line, 30);
    x = find_diag(&f->d, "indicator A3: formula:");
    assert_non_null(x);
    assert_int_equal(x->line, 35);
    x = find_diag(&f->d, "target year 2031 is outside the plan period");
    assert_non_null(x);
    x = find_diag(&f->d, "needs a 'baseline'");
    assert_non_null(x);
    assert_true(diag_errors(&f->d) >= 8);
}

static void test_param_cycle(void **state)
{
    fixture *f = *state;
    model_env env = {&f->dict, &f->syms, &f->cat};
    plan p;
    assert_int_equal(plan_load(&p, DIR "/plan_cycle.yaml", &env, &f->d), -1);
    const diag *x = find_diag(&f->d, "parameter cycle: ");
    assert_non_null(x);
    assert_non_null(strstr(x->msg, "a -> b -> a"));
    assert_int_equal(x->line, 8);
}

/* Assert a diagnostic containing msg at line:col. */
static void expect_diag(const diag_list *d, const char *msg, int line, int col)
{
    const diag *x = find_diag(d, msg);
    if (!x) {
        diag_print(d, stderr);
        fail_msg("no diagnostic containing \"%s\"", msg);
    }
    assert_int_equal(x->line, line);
    assert_int_equal(x->col, col);
}

static void test_doubt_errors(void **state)
{
    fixture *f = *state;
    model_env env = {&f->dict, &f->syms, &f->cat};
    plan p;
    assert_int_equal(plan_load(&p, DIR "/plan_doubt_bad.yaml", &env, &f->d), -1);
    expect_diag(&f->d, "indicator D1: 'doubt' needs a 'reading'", 13, 7);
    expect_diag(&f->d, "doubt: unknown key 'raeding' (did you mean 'reading'?)", 22, 7);
    expect_diag(&f->d, "indicator D2: doubt 'reading' must be text", 23, 16);
    expect_diag(&f->d, "indicator D3: 'doubt' must be a mapping", 29, 12);
    expect_diag(&f->d, "indicator: unknown key 'doubts' (did you mean 'doubt'?)", 30, 5);
    expect_diag(&f->d, "indicator D4: doubt 'question' must be a non-empty text", 36, 23);
    assert_int_equal(diag_errors(&f->d), 6);
}

/* Every spelling of a comparison the docs list maps to its operator, strict
 * kept apart from non-strict (plan_ops.yaml lists them in this order). */
static void test_op_spellings(void **state)
{
    fixture *f = *state;
    static const target_op want[] = {OP_LE, OP_LE, OP_LE, OP_LE, OP_LE, OP_LT, OP_LT, OP_LT, OP_LT, OP_GE, OP_GE, OP_GE, OP_GE, OP_GT, OP_GT, OP_GT, OP_GT, OP_EQ, OP_EQ, OP_EQ};
    model_env env = {&f->dict, &f->syms, &f->cat};
    plan p;
    assert_int_equal(plan_load(&p, DIR "/plan_ops.yaml", &env, &f->d), 0);
    assert_int_equal(p.ninds, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < p.ninds; i++)
        assert_int_equal(p.inds[i].targets[0].op, want[i]);
    plan_free(&p);
}

static void test_safe_id(void **state)
{
    (void)state;
    assert_true(safe_id("huantai-2021-2025"));
    assert_false(safe_id("../x"));
    assert_false(safe_id("/abs"));
    assert_false(safe_id("a b"));
    assert_false(safe_id(""));
    assert_false(safe_id("-x"));
    assert_false(safe_id("a\nb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catalogue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_bad_reports_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_param_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doubt_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_op_spellings, setup, teardown),
        cmocka_unit_test(test_safe_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
