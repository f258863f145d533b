/* Unit tests for run configuration files (src/runconfig.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runconfig.h"

/* Write text to a temporary file; returns its path (free it, unlink it). */
static char *write_tmp(const char *text)
{
    char tmpl[] = "/tmp/planeval-runconfig-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return strdup(tmpl);
}

static void test_join(void **state)
{
    (void)state;
    const struct { const char *cfg, *p, *want; } cases[] = {
        {"indicators/run.yaml", ".", "indicators"},
        {"indicators/run.yaml", "../data", "data"},
        {"indicators/run.yaml", "../../x", "../x"},
        {"/etc/pe/run.yaml", "../../../out", "/out"},
        {"/etc/pe/run.yaml", "/srv/data/", "/srv/data"},
        {"run.yaml", "a/./b//c/../d", "a/b/d"},
        {"conf/run.yaml", "..", "."},
        {"../conf/run.yaml", "../data", "../data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = run_config_join(cases[i].cfg, cases[i].p);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

static void test_load_ok(void **state)
{
    (void)state;
    char *path = write_tmp("run:\n  indicators: ind\n  data: /srv/data\n  out: ../out\n"
                           "  stage: midterm\n  year: 2023\n  jobs: 4\n  charts: none\n"
                           "  on_track: 0.9\n"
                           "  at_risk: 0.4\n  plans: [a-2021-2025, plans/b.yaml]\n");
    run_config c;
    diag_list d = {0};
    assert_int_equal(run_config_load(&c, path, &d), 0);
    assert_string_equal(c.indicators, "/tmp/ind");
    assert_string_equal(c.data, "/srv/data");
    assert_string_equal(c.out, "/out");
    assert_null(c.templates);
    assert_string_equal(c.stage, "midterm");
    assert_int_equal(c.year, 2023);
    assert_int_equal(c.jobs, 4);
    assert_string_equal(c.charts, "none");
    assert_true(c.on_track == 0.9 && c.at_risk == 0.4);
    assert_int_equal(c.nplans, 2);
    assert_string_equal(c.plans[0], "a-2021-2025");
    assert_string_equal(c.plans[1], "/tmp/plans/b.yaml");
    run_config_free(&c);
    diag_free(&d);
    unlink(path);
    free(path);
}

/* Every mistake is reported, each at its line. */
static void test_load_bad(void **state)
{
    (void)state;
    char *path = write_tmp("run:\n  stage: middle\n  year: 1800\n  jobs: 0\n  on_track: 2\n"
                           "  outdir: x\n  plans: []\n  charts: jpeg\n");
    run_config c;
    diag_list d = {0};
    assert_int_equal(run_config_load(&c, path, &d), -1);
    assert_int_equal(diag_errors(&d), 7);
    for (int want = 2; want <= 8; want++) {
        int seen = 0;
        for (size_t i = 0; i < d.n; i++)
            seen |= d.items[i].line == want;
        assert_true(seen);
    }
    run_config_free(&c);
    diag_free(&d);
    unlink(path);
    free(path);

    path = write_tmp("indicators: x\n");
    assert_int_equal(run_config_load(&c, path, &d), -1);
    run_config_free(&c);
    diag_free(&d);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_load_ok),
        cmocka_unit_test(test_load_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
