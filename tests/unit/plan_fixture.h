/*
 * plan_fixture.h - a plan of tests/unit/plans judged over the small data
 * set tests/unit/plans/data/testland: what test_assess.c and
 * test_findings.c both start from. Include after cmocka.h.
 */
#ifndef PLANEVAL_TEST_PLAN_FIXTURE_H
#define PLANEVAL_TEST_PLAN_FIXTURE_H

#include "assess.h"

#define FIXTURE_DIR "tests/unit/plans"

typedef struct plan_fixture {
    dictionary dict;
    symtab syms;
    catalogue cat;
    plan p;
    region_data *r;
    eval_context ec;
    evaluation ev;
    diag_list d;
} plan_fixture;

/* Load FIXTURE_DIR/plan_file and judge it at stage st and year (0: from the stage). */
static void plan_fixture_load(plan_fixture *f, const char *plan_file, stage st, int year)
{
    assert_int_equal(dictionary_load(&f->dict, FIXTURE_DIR "/variables", &f->d), 0);
    assert_int_equal(catalogue_load(&f->cat, FIXTURE_DIR "/catalogue.yaml", &f->dict, &f->syms, &f->d), 0);
    model_env env = {&f->dict, &f->syms, &f->cat};
    char path[256];
    snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, plan_file);
    assert_int_equal(plan_load(&f->p, path, &env, &f->d), 0);
    assert_int_equal(region_load(&f->r, &f->dict, FIXTURE_DIR "/data/testland", &f->d), 0);
    diag_print(&f->d, stderr);
    assert_int_equal(diag_errors(&f->d), 0);
    f->ec.p = &f->p;
    f->ec.cat = &f->cat;
    f->ec.syms = &f->syms;
    f->ec.dict = &f->dict;
    f->ec.r = f->r;
    f->ec.window[0] = 2021;
    f->ec.window[1] = 2025;
    assert_int_equal(evaluate_plan(&f->ev, &f->ec, st, year, &f->d), 0);
}

static void plan_fixture_free(plan_fixture *f)
{
    evaluation_free(&f->ev);
    region_free(f->r);
    plan_free(&f->p);
    catalogue_free(&f->cat);
    symtab_free(&f->syms);
    dictionary_free(&f->dict);
    diag_free(&f->d);
}

#endif
