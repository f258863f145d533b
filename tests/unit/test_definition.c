/*
 * Unit tests for the definition digest (indicator_definition, the
 * `definition` column of assessment.csv, src/results.c): it changes when
 * anything that defines an indicator changes - threshold, comparator,
 * aggregate, exclude_when, baseline year and given value, unit, a
 * parameter in force - and stays the same when only the data, the spacing
 * of a formula or the wording of the name change.
 *
 * Each case writes a variant of one small plan into a temporary directory
 * and loads it against the fixtures of tests/unit/plans/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assess.h"
#include "results.h"
#include "util.h"

#define DIR "tests/unit/plans"

static const char base_plan[] =
    "plan:\n"
    "  id: def-2021-2025\n"
    "  title: t\n"
    "  region: testland\n"
    "  region_name: 测试县\n"
    "  period: [2021, 2025]\n"
    "params:\n"
    "  population: {value: pop_registered}\n"
    "indicators:\n"
    "  - id: D1\n"
    "    use: deaths_per_pop\n"
    "    targets: [{year: 2025, op: \"<\", value: 0.25}]\n"
    "  - id: D2\n"
    "    name: d\n"
    "    unit: 人\n"
    "    formula: ps_deaths + 0\n"
    "    targets:\n"
    "      - {year: 2025, op: decrease, by: 15, baseline: {reading: year, year: 2020, value: 4}}\n";

typedef struct fixture {
    dictionary dict;
    symtab syms;
    catalogue cat;
    diag_list d;
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(dictionary_load(&f->dict, DIR "/variables", &f->d), 0);
    assert_int_equal(catalogue_load(&f->cat, DIR "/catalogue.yaml", &f->dict, &f->syms, &f->d), 0);
    snprintf(f->dir, sizeof f->dir, "/tmp/planeval-def.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
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
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* base_plan with `from` replaced by `to` (which must occur). */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(base_plan, from);
    assert_non_null(at);
    return xasprintf("%.*s%s%s", (int)(at - base_plan), base_plan, to, at + strlen(from));
}

/* Digests of D1 and D2 in plan text `text`. */
static void digests(fixture *f, const char *text, char d1[17], char d2[17])
{
    char *path = xasprintf("%s/plan.yaml", f->dir);
    write_file(path, text);
    model_env env = {&f->dict, &f->syms, &f->cat};
    plan p;
    int rc = plan_load(&p, path, &env, &f->d);
    if (rc != 0)
        diag_print(&f->d, stderr);
    assert_int_equal(rc, 0);
    eval_context ec;
    memset(&ec, 0, sizeof ec);
    ec.p = &p;
    ec.cat = &f->cat;
    ec.syms = &f->syms;
    ec.dict = &f->dict;
    indicator_definition(&ec, plan_find_indicator(&p, "D1"), d1);
    indicator_definition(&ec, plan_find_indicator(&p, "D2"), d2);
    assert_int_equal(strlen(d1), 16);
    assert_int_equal(strspn(d1, "0123456789abcdef"), 16);
    plan_free(&p);
    free(path);
}

/* Expect D1 and D2 to change (1) or not (0) between base_plan and the variant. */
static void expect(fixture *f, const char *from, const char *to, int d1_changes, int d2_changes)
{
    char a1[17], a2[17], b1[17], b2[17];
    digests(f, base_plan, a1, a2);
    char *text = variant(from, to);
    digests(f, text, b1, b2);
    free(text);
    if ((strcmp(a1, b1) != 0) != d1_changes || (strcmp(a2, b2) != 0) != d2_changes)
        fail_msg("'%s' -> '%s': D1 %s -> %s (expected %s), D2 %s -> %s (expected %s)", from, to,
                 a1, b1, d1_changes ? "a change" : "none", a2, b2,
                 d2_changes ? "a change" : "none");
}

static void test_stable(void **state)
{
    fixture *f = *state;
    char a1[17], a2[17], b1[17], b2[17];
    digests(f, base_plan, a1, a2);
    digests(f, base_plan, b1, b2);
    assert_string_equal(a1, b1);
    assert_string_equal(a2, b2);
    assert_string_not_equal(a1, a2);
}

static void test_changes_with_definition(void **state)
{
    fixture *f = *state;
    expect(f, "value: 0.25", "value: 0.3", 1, 0);                 /* threshold */
    expect(f, "op: \"<\"", "op: \"<=\"", 1, 0);                   /* comparator */
    expect(f, "value: 0.25}", "value: 0.25, aggregate: every_year}", 1, 0);
    expect(f, "value: 0.25}", "value: 0.25, exclude_when: \"major_disaster_year == 1\"}", 1, 0);
    expect(f, "{value: pop_registered}", "{value: pop_resident}", 1, 0); /* parameter in force */
    expect(f, "by: 15", "by: 20", 0, 1);
    expect(f, "year: 2020, value: 4", "year: 2019, value: 4", 0, 1); /* baseline year */
    expect(f, "value: 4}", "value: 5}", 0, 1);                   /* the plan's baseline figure */
    expect(f, "reading: year, year: 2020, value: 4", "reading: period_mean, value: 4", 0, 1);
    expect(f, "unit: 人", "unit: 起", 0, 1);
    expect(f, "formula: ps_deaths + 0", "formula: ps_deaths + 1", 0, 1);
    expect(f, "formula: ps_deaths + 0", "formula: ps_deaths{grade=\"一般\"} + 0", 0, 1);
}

static void test_same_without_definition_change(void **state)
{
    fixture *f = *state;
    expect(f, "formula: ps_deaths + 0", "formula: ps_deaths+0", 0, 0); /* spacing */
    expect(f, "name: d", "name: 死亡人数", 0, 0);                      /* wording */
    expect(f, "title: t", "title: another", 0, 0);
}

/* The same definitions over other data: the figures move, the digest not. */
static void test_same_when_data_change(void **state)
{
    fixture *f = *state;
    char *path = xasprintf("%s/plan.yaml", f->dir);
    write_file(path, base_plan);
    model_env env = {&f->dict, &f->syms, &f->cat};
    plan p;
    assert_int_equal(plan_load(&p, path, &env, &f->d), 0);
    /* a copy of testland with 2025's deaths revised from 2 to 7 */
    char *data = xasprintf("%s/data", f->dir);
    char *cmd = xasprintf("cp -R '" DIR "/data/testland' '%s' && "
                          "sed -i 's/^2025,一般,2$/2025,一般,7/' '%s/accidents.csv'",
                          data, data);
    assert_int_equal(system(cmd), 0);
    region_data *r1, *r2;
    assert_int_equal(region_load(&r1, &f->dict, DIR "/data/testland", &f->d), 0);
    assert_int_equal(region_load(&r2, &f->dict, data, &f->d), 0);
    labels lb;
    memset(&lb, 0, sizeof lb);
    assert_int_equal(labels_load(&lb, "templates/labels.yaml", &f->d), 0);
    char defs[2][2][17];
    double current[2];
    region_data *regions[2] = {r1, r2};
    for (int k = 0; k < 2; k++) {
        eval_context ec;
        memset(&ec, 0, sizeof ec);
        ec.p = &p;
        ec.cat = &f->cat;
        ec.syms = &f->syms;
        ec.dict = &f->dict;
        ec.r = regions[k];
        ec.window[0] = 2021;
        ec.window[1] = 2025;
        evaluation ev;
        assert_int_equal(evaluate_plan(&ev, &ec, STAGE_AUTO, 0, &f->d), 0);
        current[k] = ev.inds[1].targets[0].current.v;
        /* the column as written, from the CSV text */
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        assert_non_null(fp);
        write_assessment_csv(fp, &ev, &ec, &lb);
        assert_int_equal(fclose(fp), 0);
        assert_non_null(strstr(buf, ",catalogue,catalogue_name,definition\n"));
        for (int i = 0; i < 2; i++) {
            indicator_definition(&ec, ev.inds[i].ind, defs[k][i]);
            char *cell = xasprintf(",%s\n", defs[k][i]);
            assert_non_null(strstr(buf, cell)); /* the last column of its row */
            free(cell);
        }
        free(buf);
        evaluation_free(&ev);
    }
    assert_true(current[0] != current[1]); /* the data did change the figure */
    assert_string_equal(defs[0][0], defs[1][0]);
    assert_string_equal(defs[0][1], defs[1][1]);
    labels_free(&lb);
    region_free(r1);
    region_free(r2);
    plan_free(&p);
    free(cmd);
    free(data);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_with_definition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_without_definition_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_when_data_change, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
