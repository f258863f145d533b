/*
 * test_xlsxnum.c - unit test for xlsxnum.c: the program's snprintf and
 * __fprintf_chk are the ones the dynamic linker gives libxlsxwriter, and
 * they write what glibc's vsnprintf and vfprintf write: for "%.16G" and
 * the library's two number-cell formats, on whole numbers (the fast path:
 * signs, minus zero, 0, up to 10^16; other numbers from 1e-4 to 2^53), on
 * the numbers next to them (fractions of more digits, 10^16 and over,
 * powers of ten and their neighbours, infinities, NaN), on random bit
 * patterns, and with a buffer too short; other formats pass through. Then
 * formats of %s, %d and %.16G, long strings and extreme ints, written by
 * __fprintf_chk itself, and formats it leaves to vfprintf. Then a
 * workbook's number cells, read back.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unzip.h>
#include <xlsxwriter.h>

#include "ref_printf.h"

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

#define NUM_CELL_S "<c r=\"%s\" s=\"%d\"><v>%.16G</v></c>"
#define NUM_CELL "<c r=\"%s\"><v>%.16G</v></c>"


static int ref_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

/* x through snprintf and both cell formats, against glibc. */
static void check_number(double x)
{
    char got[64], want[64];
    int g = snprintf(got, 32, "%.16G", x), w = ref_snprintf(want, 32, "%.16G", x);
    if (g != w || strcmp(got, want) != 0)
        fail_msg("%a: snprintf \"%s\" (%d), glibc \"%s\" (%d)", x, got, g, want, w);

    char *gb = NULL, *wb = NULL;
    size_t gn = 0, wn = 0;
    FILE *gf = open_memstream(&gb, &gn), *wf = open_memstream(&wb, &wn);
    assert_non_null(gf);
    assert_non_null(wf);
    assert_int_equal(__fprintf_chk(gf, 1, NUM_CELL_S, "XFD1048576", 123, x), ref_fprintf(wf, NUM_CELL_S, "XFD1048576", 123, x));
    assert_int_equal(__fprintf_chk(gf, 1, NUM_CELL, "B7", x), ref_fprintf(wf, NUM_CELL, "B7", x));
    assert_int_equal(fclose(gf), 0);
    assert_int_equal(fclose(wf), 0);
    if (gn != wn || memcmp(gb, wb, gn) != 0)
        fail_msg("%a: cells \"%s\", glibc \"%s\"", x, gb, wb);
    free(gb);
    free(wb);
}

static void test_bound_here(void **state)
{
    (void)state;
    assert_ptr_equal(dlsym(RTLD_DEFAULT, "snprintf"), (void *)snprintf);
    assert_ptr_equal(dlsym(RTLD_DEFAULT, "__fprintf_chk"), (void *)__fprintf_chk);
}

static void test_numbers_as_glibc(void **state)
{
    (void)state;
    static const double edge[] = {0.0, 1.0, 2016, 12345678, 1e15, 9007199254740992.0, 9007199254740994.0,
                                  9999999999999998.0, 1e16, 1e16 + 2, 1e17, 1e22, 0.5, 0.1, 1.25,
                                  2016.5, 1e-5, 1e-300, 123456789.75, 4503599627370495.5, DBL_MAX,
                                  DBL_MIN, 5e-324, 1125899906842624.5, 2251799813685248.5,
                                  0.30000000000000004, 1.0 / 3, 2.0 / 3, 5e-5, 9.99999999999999e-5};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        check_number(edge[i]);
        check_number(-edge[i]);
        check_number(nextafter(edge[i], 0));
        check_number(nextafter(edge[i], INFINITY));
    }
    check_number(INFINITY);
    check_number(-INFINITY);
    check_number(NAN);
    check_number(-NAN);

    uint64_t r = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 100000; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        double whole = (double)((int64_t)(r >> 9) % 20000000000000000 - 10000000000000000);
        check_number(whole);                       /* whole, up to 10^16 */
        check_number((double)(int64_t)(r >> 44) - 500000); /* small whole */
        check_number(whole / 1024);                /* mostly fractions */
        double bits;
        memcpy(&bits, &r, sizeof bits);
        check_number(bits);                        /* anything */
        /* decimals of up to 15 digits, short ones, and their neighbours */
        double p = pow(10, (double)((r >> 3) % 20) - 2);
        double dec[] = {(double)((int64_t)(r >> 14) % 1000000000000000) / p,
                        (double)((int64_t)(r >> 40) % 100000) / p};
        for (int j = 0; j < 2; j++) {
            check_number(dec[j]);
            check_number(nextafter(dec[j], 0));
            check_number(nextafter(dec[j], INFINITY));
        }
    }
    /* the powers of ten around the fixed notation's range, and next to them */
    for (int e = -6; e <= 17; e++) {
        double t = pow(10, e), lo = t, hi = t;
        for (int j = 0; j < 4; j++) {
            check_number(lo);
            check_number(hi);
            check_number(lo * 3);
            check_number(hi * 9.5);
            lo = nextafter(lo, 0);
            hi = nextafter(hi, INFINITY);
        }
    }
}

static void test_short_buffer_and_others(void **state)
{
    (void)state;
    char got[16], want[16];
    for (size_t n = 0; n <= 6; n++) {
        memset(got, 'x', sizeof got);
        memset(want, 'x', sizeof want);
        assert_int_equal(snprintf(got, n, "%.16G", -2016.0), ref_snprintf(want, n, "%.16G", -2016.0));
        assert_memory_equal(got, want, sizeof got);
    }
    assert_int_equal(snprintf(got, sizeof got, "%.15G|%d", 2016.0, 7), 6);
    assert_string_equal(got, "2016|7");
    assert_int_equal(snprintf(got, sizeof got, "%s", "%.16G"), 5);
    assert_string_equal(got, "%.16G");
}

/* fmt with three ints, and with a string and an int, through snprintf and
 * glibc's vsnprintf, into buffers of every size up to the text's and more. */
static void check_ints(const char *fmt, int a, int b, int c)
{
    char got[300], want[300];
    int w = ref_snprintf(want, sizeof want, fmt, a, b, c);
    assert_true(w >= 0);
    for (size_t n = 0; n <= (size_t)w + 2 && n <= sizeof got; n++) {
        memset(got, 'x', sizeof got);
        memset(want, 'x', sizeof want);
        int g = snprintf(got, n, fmt, a, b, c);
        w = ref_snprintf(want, n, fmt, a, b, c);
        if (g != w || memcmp(got, want, sizeof got) != 0)
            fail_msg("\"%s\" (%d %d %d) into %zu: \"%.40s\" (%d), glibc \"%.40s\" (%d)", fmt, a, b,
                     c, n, got, g, want, w);
    }
}

static void check_str(const char *fmt, const char *str, int d)
{
    char got[600], want[600];
    size_t sizes[] = {0, 1, 2, 5, 31, 255, 256, 257, 300, sizeof got};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(got, 'x', sizeof got);
        memset(want, 'x', sizeof want);
        int g = snprintf(got, sizes[i], fmt, str, d), w = ref_snprintf(want, sizes[i], fmt, str, d);
        if (g != w || memcmp(got, want, sizeof got) != 0)
            fail_msg("\"%s\" into %zu: \"%.40s\" (%d), glibc \"%.40s\" (%d)", fmt, sizes[i], got, g,
                     want, w);
    }
}

/* The simple formats snprintf writes itself (%s, %d, %u, %x, %X, a zero-padded
 * width of one digit, %%), with the others left to glibc beside them. */
static void test_simple_formats_as_glibc(void **state)
{
    (void)state;
    static const char *const ifmts[] = {
        "%d", "%u", "%x", "%X", "%08x", "%06X", "#%06x", "%04d-%02d-%02d", "rId%d", "%d, %d, %d",
        "%d:%d", "%1d|%9u|%3x", "100%%:%d", "%0d", "%5d", "%-3d", "%+d", "%ld", "%.3d", "%#x", "%010d",
        "plain", "",
    };
    static const char *const sfmts[] = {
        "%s", "%s=%d", "'%s'", "%s %d", "$%s%d", "variable %s", "%s:%05d", "%s %c", "%.3s%d",
    };
    static const int ints[] = {0, 1, -1, 7, 9, 10, -10, 99, 100, 255, 256, 4095, 65535, 123456,
                               -123456, 16777215, INT_MAX, INT_MIN, INT_MIN + 1};
    size_t ni = sizeof ints / sizeof ints[0];
    for (size_t f = 0; f < sizeof ifmts / sizeof ifmts[0]; f++)
        for (size_t i = 0; i < ni; i++)
            check_ints(ifmts[f], ints[i], ints[(i + 3) % ni], ints[(i + 7) % ni]);
    uint64_t r = 0x243F6A8885A308D3u;
    for (int i = 0; i < 20000; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        int a = (int)(uint32_t)(r >> 32), b = (int)(r >> 40) % 1000, c = (int)(r >> 12) % 100000;
        check_ints(ifmts[i % 13], a, b, c);
        check_ints(ifmts[(i + 5) % 13], c, a, b);
    }
    char *mid = malloc(260), *big = malloc(1000);
    assert_non_null(mid);
    assert_non_null(big);
    memset(mid, 'm', 253); /* near the 256 bytes written at a time */
    mid[253] = '\0';
    memset(big, 'b', 999);
    big[999] = '\0';
    const char *strs[] = {"", "A1", "xl/charts/chart7.xml", "\xe4\xb8\xad%d", mid, big, NULL};
    for (size_t f = 0; f < sizeof sfmts / sizeof sfmts[0]; f++)
        for (size_t j = 0; j < sizeof strs / sizeof strs[0]; j++)
            for (size_t i = 0; i < ni; i += 3)
                if (strs[j] || strstr(sfmts[f], "%s")) /* glibc's "(null)" for %s */
                    check_str(sfmts[f], strs[j] ? strs[j] : NULL, ints[i]);
    for (size_t j = 0; j + 1 < sizeof strs / sizeof strs[0]; j++) { /* "%s%s" */
        char got[1200], want[1200];
        int g = snprintf(got, sizeof got, "%s%s", strs[j], strs[5 - j]);
        int w = ref_snprintf(want, sizeof want, "%s%s", strs[j], strs[5 - j]);
        assert_int_equal(g, w);
        assert_string_equal(got, want);
    }
    free(mid);
    free(big);
}

/* fmt with (s, d, x) through __fprintf_chk and glibc's vfprintf. */
static void check_format(const char *fmt, const char *s, int d, double x)
{
    char *gb = NULL, *wb = NULL;
    size_t gn = 0, wn = 0;
    FILE *gf = open_memstream(&gb, &gn), *wf = open_memstream(&wb, &wn);
    assert_non_null(gf);
    assert_non_null(wf);
    int g = __fprintf_chk(gf, 1, fmt, s, d, x), w = ref_fprintf(wf, fmt, s, d, x);
    assert_int_equal(fclose(gf), 0);
    assert_int_equal(fclose(wf), 0);
    if (g != w || gn != wn || memcmp(gb, wb, gn) != 0)
        fail_msg("\"%s\": \"%s\" (%d), glibc \"%s\" (%d)", fmt, gb, g, wb, w);
    free(gb);
    free(wb);
}

static void test_formats_as_glibc(void **state)
{
    (void)state;
    static const char *const fmts[] = {
        "<c r=\"%s\" s=\"%d\" t=\"s\"><v>%.16G</v></c>", "%s%d%.16G", "%s|%d|%.16G tail",
        "<is><t xml:space=\"preserve\">%s</t></is>%d%.16G", "%s%%%d%.16G", "%s|%u|%.16G",
        "%s %08x %.16G", "%s %04X %.16G%%", "%s %09d %.16G", /* fast */
        "%s %5d %.16G", "%s %d %g", "%s %i %.16G", "%s %d %.15G", "%s %010d %.16G",
        "%s %-4d %.16G", "%s %ld %.16G", /* vfprintf */
    };
    char *long_s = malloc(3000);
    assert_non_null(long_s);
    memset(long_s, 'q', 2999);
    long_s[2999] = '\0';
    /* a piece that nearly fills the 512-byte gathering: the pieces after it
     * start the buffer again */
    char near_s[501];
    memset(near_s, 'n', 500);
    near_s[500] = '\0';
    const char *strs[] = {"", "A1", "XFD1048576", "&amp; \xe4\xb8\xad", near_s, long_s};
    static const int ints[] = {0, 7, -1, 123456, INT_MAX, INT_MIN};
    static const double xs[] = {0, -0.0, 2016, 0.063, 1e16, 1e-7, NAN};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        for (size_t j = 0; j < sizeof strs / sizeof strs[0]; j++)
            for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
                for (size_t l = 0; l < sizeof xs / sizeof xs[0]; l++)
                    check_format(fmts[i], strs[j], ints[k], xs[l]);
    free(long_s);
    /* glibc's "(null)" for a null string */
    char *b = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&b, &n);
    assert_non_null(f);
    assert_int_equal(__fprintf_chk(f, 1, "<%s>", (char *)NULL), 8);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(b, "<(null)>");
    free(b);
}

static void test_workbook_numbers(void **state)
{
    (void)state;
    char path[] = "/tmp/test_xlsxnum.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    static const double v[] = {2016, -0.0, 0.1, -7, 1e16};
    for (int i = 0; i < 5; i++)
        assert_int_equal(worksheet_write_number(ws, (lxw_row_t)i, 0, v[i], i % 2 ? bold : NULL), LXW_NO_ERROR);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

    unzFile z = unzOpen(path);
    assert_non_null(z);
    assert_int_equal(unzLocateFile(z, "xl/worksheets/sheet1.xml", 1), UNZ_OK);
    assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
    char xml[8192];
    int n = unzReadCurrentFile(z, xml, sizeof xml - 1);
    assert_true(n > 0);
    xml[n] = '\0';
    unzCloseCurrentFile(z);
    unzClose(z);
    assert_non_null(strstr(xml, "<c r=\"A1\"><v>2016</v></c>"));
    assert_non_null(strstr(xml, "<c r=\"A2\" s=\"1\"><v>-0</v></c>"));
    assert_non_null(strstr(xml, "<c r=\"A3\"><v>0.1</v></c>"));
    assert_non_null(strstr(xml, "<c r=\"A4\" s=\"1\"><v>-7</v></c>"));
    assert_non_null(strstr(xml, "<c r=\"A5\"><v>1E+16</v></c>"));
    assert_int_equal(unlink(path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound_here),
        cmocka_unit_test(test_numbers_as_glibc),
        cmocka_unit_test(test_short_buffer_and_others),
        cmocka_unit_test(test_simple_formats_as_glibc),
        cmocka_unit_test(test_formats_as_glibc),
        cmocka_unit_test(test_workbook_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
