/*
 * test_formula_print.c - unit tests for formula_print (formula.c), the
 * spreadsheet form of a formula used by the workbook's audit trail.
 *
 * Names: variables a, b, rows (any filter), parameter p, special year. The
 * reference printer writes a variable as NAME@BACK (e.g. a@0, a@1 for
 * prev(a)), a parameter as P@BACK and year as the number 2020 - back;
 * refuse_b makes it refuse variable b.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formula.h"

enum { V_A, V_B, V_ROWS };

static int resolve(void *ctx, const char *name, ref_kind *kind, int *id)
{
    (void)ctx;
    static const char *const vars[] = {"a", "b", "rows"};
    for (int i = 0; i < 3; i++)
        if (strcmp(name, vars[i]) == 0) {
            *kind = REF_VARIABLE;
            *id = i;
            return 0;
        }
    if (strcmp(name, "p") == 0) {
        *kind = REF_PARAM;
        *id = 0;
        return 0;
    }
    if (strcmp(name, "year") == 0) {
        *kind = REF_SPECIAL;
        *id = 0;
        return 0;
    }
    return -1;
}

typedef struct printer_ctx {
    int refuse_b;
    int calls;
    char seen[256];
} printer_ctx;

static int ref_text(void *ctx, const formula_ref *r, int back, char *buf, size_t size)
{
    printer_ctx *pc = ctx;
    pc->calls++;
    static const char *const vars[] = {"a", "b", "rows"};
    size_t n = strlen(pc->seen);
    if (r->kind == REF_VARIABLE) {
        snprintf(pc->seen + n, sizeof pc->seen - n, "%s%s", n ? "," : "", vars[r->id]);
        if (r->id == V_B && pc->refuse_b)
            return -1;
        snprintf(buf, size, "%s@%d", vars[r->id], back);
    } else if (r->kind == REF_PARAM) {
        snprintf(pc->seen + n, sizeof pc->seen - n, "%sp", n ? "," : "");
        snprintf(buf, size, "P@%d", back);
    } else {
        snprintf(buf, size, "%d", 2020 - back);
    }
    return 0;
}

/* Print src; returns the text (static) or NULL when formula_print refused. */
static const char *print(const char *src, printer_ctx *pc)
{
    static char out[1024];
    formula_env env = {resolve, NULL, NULL, NULL};
    formula_error err;
    formula *f = formula_parse(src, &env, &err);
    assert_non_null(f);
    char *text = (char *)0x1;
    int rc = formula_print(f, ref_text, pc, &text);
    formula_free(f);
    if (rc != 0) {
        assert_null(text);
        return NULL;
    }
    assert_non_null(text);
    snprintf(out, sizeof out, "%s", text);
    free(text);
    return out;
}

static void test_arithmetic(void **state)
{
    (void)state;
    printer_ctx pc = {0};
    assert_string_equal(print("a / b * 100", &pc), "a@0/b@0*100");
    assert_string_equal(print("100 * a / b", &pc), "100*a@0/b@0");
    assert_string_equal(print("a / (b * 2)", &pc), "a@0/(b@0*2)");
    assert_string_equal(print("(a + b) * p", &pc), "(a@0+b@0)*P@0");
    assert_string_equal(print("a - (b - 1)", &pc), "a@0-(b@0-1)");
    /* Our order of evaluation is kept: a+(b+1) is not a+b+1. */
    assert_string_equal(print("a + (b + 1)", &pc), "a@0+(b@0+1)");
    assert_string_equal(print("a + b + 1", &pc), "a@0+b@0+1");
    assert_string_equal(print("-a * b", &pc), "-a@0*b@0");
    assert_string_equal(print("-(a * b)", &pc), "-(a@0*b@0)");
    assert_string_equal(print("2.5e-3 * a", &pc), "0.0025*a@0");
}

static void test_comparisons_and_functions(void **state)
{
    (void)state;
    printer_ctx pc = {0};
    assert_string_equal(print("a <= p", &pc), "IF(a@0<=P@0,1,0)");
    assert_string_equal(print("a != b", &pc), "IF(a@0<>b@0,1,0)");
    assert_string_equal(print("(a == 1) * 5", &pc), "IF(a@0=1,1,0)*5");
    assert_string_equal(print("min(a, b / 2, 3)", &pc), "MIN(a@0,b@0/2,3)");
    assert_string_equal(print("max(a, b)", &pc), "MAX(a@0,b@0)");
    assert_string_equal(print("abs(a - b)", &pc), "ABS(a@0-b@0)");
}

static void test_years_back(void **state)
{
    (void)state;
    printer_ctx pc = {0};
    assert_string_equal(print("a - prev(a)", &pc), "a@0-a@1");
    assert_string_equal(print("lag(a, 3) + prev(prev(b))", &pc), "a@3+b@2");
    assert_string_equal(print("lag(p * a, 2)", &pc), "P@2*a@2");
    assert_string_equal(print("year - prev(year)", &pc), "2020-2019");
}

static void test_refused(void **state)
{
    (void)state;
    printer_ctx pc = {0};
    assert_null(print("share(rows{x=\"1\"} <= p)", &pc));
    assert_null(print("count(rows) + a", &pc));
    assert_null(print("max_row(rows)", &pc));
    assert_null(print("sum_years(a, 2018, 2020)", &pc));
    assert_null(print("mean_years(a, year - 2, year)", &pc));
    printer_ctx refuse = {1, 0, ""};
    assert_null(print("a + b", &refuse));
}

/* After a refusal the walk goes on; row-function references are not passed. */
static void test_walk_continues(void **state)
{
    (void)state;
    printer_ctx pc = {0};
    assert_null(print("count_if(rows <= p) / count(rows) + a * b", &pc));
    assert_string_equal(pc.seen, "a,b");
    printer_ctx pc2 = {0};
    assert_null(print("sum_years(a, 2018, 2020) + b", &pc2));
    assert_string_equal(pc2.seen, "a,b");
    printer_ctx pc3 = {1, 0, ""};
    assert_null(print("b + a", &pc3));
    assert_string_equal(pc3.seen, "b,a");
}

static void test_null(void **state)
{
    (void)state;
    char *text = (char *)0x1;
    assert_int_equal(formula_print(NULL, ref_text, NULL, &text), -1);
    assert_null(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_comparisons_and_functions),
        cmocka_unit_test(test_years_back),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_walk_continues),
        cmocka_unit_test(test_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
