/*
 * test_results.c - unit test for results.c's csv_field, which writes with
 * unlocked stdio calls: the bytes must be those of the plain rule (quoted,
 * quotes doubled, when a field holds a comma, quote, CR or LF; NULL as
 * empty), for fields of every length around its short-field path (16
 * bytes), with each special character at each place, UTF-8 and long texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

/* The rule, written the plain way. */
static void reference_field(FILE *f, const char *s, int last)
{
    if (!s)
        s = "";
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static void check_field(const char *s)
{
    char *gb = NULL, *wb = NULL;
    size_t gn = 0, wn = 0;
    FILE *g = open_memstream(&gb, &gn), *w = open_memstream(&wb, &wn);
    assert_non_null(g);
    assert_non_null(w);
    for (int last = 0; last < 2; last++) {
        csv_field(g, s, last);
        reference_field(w, s, last);
    }
    assert_int_equal(fclose(g), 0);
    assert_int_equal(fclose(w), 0);
    if (gn != wn || memcmp(gb, wb, gn) != 0)
        fail_msg("field \"%.60s\": \"%.80s\", the rule \"%.80s\"", s ? s : "(NULL)", gb, wb);
    free(gb);
    free(wb);
}

static void test_csv_field(void **state)
{
    (void)state;
    check_field(NULL);
    const char *fixed[] = {"", "r0001", "-12.5", "a b", "\xe6\x8c\x87\xe6\xa0\x87\xef\xbc\x8c\xe5\x90\x8d",
                           "say \"hi\"", "\"", "\"\"", ",", "\r\n", "tab\tstop", "semi;colon"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_field(fixed[i]);
    static const char special[] = {',', '"', '\n', '\r'};
    char buf[80];
    for (size_t len = 1; len < 40; len++) {
        memset(buf, 'x', len);
        buf[len] = '\0';
        check_field(buf); /* plain, either side of 16 bytes */
        for (size_t at = 0; at < len; at++)
            for (size_t k = 0; k < sizeof special; k++) {
                memset(buf, 'y', len);
                buf[at] = special[k];
                check_field(buf);
            }
    }
    char *big = malloc(100001);
    assert_non_null(big);
    for (size_t i = 0; i < 100000; i++)
        big[i] = (char)('a' + i % 26);
    big[100000] = '\0';
    check_field(big);
    big[99999] = '"';
    check_field(big);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
