/* Unit tests for splitting long spreadsheet formulas through helper cells (src/xlsplit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xlsplit.h"

/* The helpers placed, each under the reference H{i}. */
typedef struct helpers {
    char *text[4096];
    int n;
} helpers;

static int place(void *ctx, const char *text, char *ref, size_t n)
{
    helpers *h = ctx;
    if (h->n == 4096)
        return -1;
    h->text[h->n] = xstrdup(text);
    snprintf(ref, n, "H{%d}", h->n);
    h->n++;
    return 0;
}

static void helpers_free(helpers *h)
{
    for (int i = 0; i < h->n; i++)
        free(h->text[i]);
    h->n = 0;
}

/* Deepest parentheses and most arguments of one call (no strings in these formulas). */
static void shape(const char *f, int *depth, int *args)
{
    int stack[256], d = 0;
    *depth = *args = 0;
    for (; *f; f++) {
        if (*f == '(') {
            stack[d++] = 1;
            if (d > *depth)
                *depth = d;
        } else if (*f == ')') {
            d--;
            if (stack[d] > *args)
                *args = stack[d];
        } else if (*f == ',' && d > 0) {
            stack[d - 1]++;
        }
    }
}

static void assert_within_limits(const char *f)
{
    int depth, args;
    shape(f, &depth, &args);
    assert_true(utf8_chars(f) <= XL_FORMULA_MAX);
    assert_true(depth <= XL_NESTING_MAX);
    assert_true(args <= XL_ARGS_MAX);
}

/* text with every helper reference replaced by the helper's formula, until none is left. */
static char *expand(const char *text, const helpers *h)
{
    strbuf sb;
    sb_init(&sb);
    for (const char *p = text; *p;) {
        int k;
        if (sscanf(p, "H{%d}", &k) == 1 && k >= 0 && k < h->n) {
            char *inner = expand(h->text[k] + 1, h);
            sb_add(&sb, inner);
            free(inner);
            p = strchr(p, '}') + 1;
        } else {
            sb_addc(&sb, *p++);
        }
    }
    return sb_take(&sb);
}

static char *repeat(const char *head, const char *item, const char *sep, int n, const char *tail)
{
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, head);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(&sb, sep);
        sb_printf(&sb, item, i + 1);
    }
    sb_add(&sb, tail);
    return sb_take(&sb);
}

static void test_short_unchanged(void **state)
{
    (void)state;
    helpers h = {{0}, 0};
    const char *f = "=IF(COUNT('原始数据'!E5)<1,\"\",MIN('原始数据'!E5,3))";
    char *out = xl_fit(f, "'年度数据'", place, &h);
    assert_string_equal(out, f);
    assert_int_equal(h.n, 0);
    free(out);
}

/* min() over 5,000 items, as the hostile test's indicator prints it. */
static void test_min_chunks(void **state)
{
    (void)state;
    helpers h = {{0}, 0};
    char *f = repeat("=IF(COUNT('原始数据'!F55)<1,\"\",MIN(", "'原始数据'!F%d", ",", 5000, "))");
    assert_true(utf8_chars(f) > XL_FORMULA_MAX);
    char *out = xl_fit(f, "'年度数据'", place, &h);
    assert_non_null(out);
    assert_within_limits(out);
    assert_int_equal(h.n, 25); /* 200 a chunk */
    for (int i = 0; i < h.n; i++) {
        assert_within_limits(h.text[i]);
        /* a chunk with no number is "", which the outer MIN ignores */
        assert_int_equal(strncmp(h.text[i], "=IF(COUNT(", 10), 0);
    }
    assert_non_null(strstr(out, "MIN(H{0},H{1},"));
    /* every item is in one chunk, in order */
    char *all = expand(out, &h);
    assert_non_null(strstr(all, "'原始数据'!F1,'原始数据'!F2,"));
    assert_non_null(strstr(all, "'原始数据'!F4999,'原始数据'!F5000)"));
    free(all);
    free(out);
    free(f);
    helpers_free(&h);
}

/* COUNT's chunks are summed; over 255^2 items the chunks are chunked again. */
static void test_count_sum_of_chunks(void **state)
{
    (void)state;
    helpers h = {{0}, 0};
    char *f = repeat("=COUNT(", "A%d", ",", 60000, ")");
    char *out = xl_fit(f, NULL, place, &h);
    assert_non_null(out);
    assert_within_limits(out);
    assert_int_equal(strncmp(out, "=SUM(", 5), 0);
    assert_int_equal(strncmp(h.text[0], "=COUNT(A1,A2,", 13), 0);
    for (int i = 0; i < h.n; i++)
        assert_within_limits(h.text[i]);
    /* 300 chunks of 200, then two sums of them */
    assert_int_equal(h.n, 302);
    assert_int_equal(strncmp(h.text[300], "=SUM(H{0},", 10), 0);
    free(out);
    free(f);
    helpers_free(&h);
}

/* A chain is cut into left prefixes: put back together, it is the same text in the same order. */
static void test_chain_prefixes(void **state)
{
    (void)state;
    helpers h = {{0}, 0};
    char *f = repeat("=", "E%d*2", "-", 3000, "+1E-9");
    char *out = xl_fit(f, "'指标'", place, &h);
    assert_non_null(out);
    assert_within_limits(out);
    assert_true(h.n >= 3);
    for (int i = 0; i < h.n; i++)
        assert_within_limits(h.text[i]);
    /* references without a sheet are qualified where they moved */
    assert_int_equal(strncmp(h.text[0], "='指标'!E1*2-'指标'!E2*2-", strlen("='指标'!E1*2-'指标'!E2*2-")), 0);
    assert_int_equal(strncmp(h.text[1], "=H{0}-", 6), 0);
    /* put back together and the sheet taken off again, it is the formula */
    char *all = expand(out, &h);
    strbuf sb;
    sb_init(&sb);
    const char *qual = "'指标'!";
    for (const char *p = all; *p;) {
        if (strncmp(p, qual, strlen(qual)) == 0)
            p += strlen(qual);
        else
            sb_addc(&sb, *p++);
    }
    char *plain = sb_take(&sb);
    assert_string_equal(plain, f);
    free(plain);
    free(all);
    free(out);
    free(f);
    helpers_free(&h);
}

/* Nesting over Excel's 64 levels moves inner parts out; the text is kept. */
static void test_deep_nesting(void **state)
{
    (void)state;
    helpers h = {{0}, 0};
    strbuf sb;
    sb_init(&sb);
    sb_addc(&sb, '=');
    for (int i = 0; i < 150; i++)
        sb_add(&sb, "ABS(");
    sb_add(&sb, "'原始数据'!E5-1");
    for (int i = 0; i < 150; i++)
        sb_addc(&sb, ')');
    char *f = sb_take(&sb);
    char *out = xl_fit(f, "'年度数据'", place, &h);
    assert_non_null(out);
    assert_within_limits(out);
    assert_true(h.n >= 2);
    for (int i = 0; i < h.n; i++)
        assert_within_limits(h.text[i]);
    char *all = expand(out, &h);
    assert_string_equal(all, f);
    free(all);
    free(out);
    free(f);
    helpers_free(&h);
}

/* Strings may hold commas, parentheses and quotes: they are not split. */
static void test_strings_kept(void **state)
{
    (void)state;
    helpers h = {{0}, 0};
    char *f = repeat("=IF(A1=\"a,b(\"\"c)\",\"不适用\",MAX(", "B%d", ",", 3000, "))");
    char *out = xl_fit(f, "'年度数据'", place, &h);
    assert_non_null(out);
    assert_within_limits(out);
    const char *head = "=IF(A1=\"a,b(\"\"c)\",\"不适用\",MAX(H{0},";
    assert_int_equal(strncmp(out, head, strlen(head)), 0);
    free(out);
    free(f);
    helpers_free(&h);
}

/* What cannot be split gives NULL: the caller writes the value, marked fixed. */
static void test_cannot_split(void **state)
{
    (void)state;
    helpers h = {{0}, 0};
    char *f = repeat("=CHOOSE(2,", "A%d", ",", 300, ")"); /* 300 arguments, not a combinable function */
    assert_null(xl_fit(f, NULL, place, &h));
    free(f);
    helpers_free(&h);
    char *kept = xl_fit("=A1+{1,2}", NULL, place, &h); /* short: kept as it is */
    assert_string_equal(kept, "=A1+{1,2}");
    free(kept);
    char *g = repeat("=", "A%d", "+", 3000, "+{1,2}"); /* long, with an array: not parsed */
    assert_null(xl_fit(g, NULL, place, &h));
    free(g);
    helpers_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_unchanged), cmocka_unit_test(test_min_chunks),
        cmocka_unit_test(test_count_sum_of_chunks), cmocka_unit_test(test_chain_prefixes),
        cmocka_unit_test(test_deep_nesting), cmocka_unit_test(test_strings_kept),
        cmocka_unit_test(test_cannot_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
