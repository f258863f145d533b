/* Unit tests for the number rules shared by CSV and workbook cells (src/numtext.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numtext.h"
#include "ref_printf.h"
#include "util.h"

static void test_accepted(void **state)
{
    (void)state;
    const struct {
        const char *text;
        int share;
        double want;
    } cases[] = {
        {"1234.5", 0, 1234.5},
        {"-3", 0, -3},
        {"+7", 0, 7},
        {"1e3", 0, 1000},
        {" 42\t", 0, 42},
        {"\xe3\x80\x80" "42" "\xe3\x80\x80", 0, 42},             /* ideographic spaces */
        {"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93", 0, 123},       /* １２３ */
        {"\xef\xbc\x91\xef\xbc\x8e\xef\xbc\x95", 0, 1.5},       /* １．５ */
        {"\xef\xbc\x8d\xef\xbc\x92", 0, -2},                    /* －２ */
        {"\xe2\x88\x92" "2", 0, -2},                            /* U+2212 minus */
        {"1,234", 0, 1234},
        {"1,234,567.25", 0, 1234567.25},
        {"-12,345", 0, -12345},
        {"1\xef\xbc\x8c" "234", 0, 1234},                       /* full-width comma */
        {"85%", 1, 85},
        {"95.5\xef\xbc\x85", 1, 95.5},                          /* ９５.５％ */
        {"0", 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double x = -1;
        char hint[160];
        if (numtext_parse(cases[i].text, cases[i].share, &x, hint, sizeof hint) != 0)
            fail_msg("'%s' refused: %s", cases[i].text, hint);
        assert_true(x == cases[i].want);
    }
}

static void test_refused(void **state)
{
    (void)state;
    const struct {
        const char *text;
        int share;
        const char *hint; /* "" when simply not a number */
    } cases[] = {
        {"", 0, ""},
        {"abc", 0, ""},
        {"\xe5\x85\xad\xe5\x8d\x81\xe4\xba\x94", 0, ""},       /* 六十五 */
        {"0x10", 0, ""},
        {"inf", 0, ""},
        {"nan", 0, ""},
        {"1.2.3", 0, ""},
        {"85%", 0, "'%' is allowed only on a share"},
        {"85%%", 1, ""},
        {"1,23", 0, "thousands separators must group three digits"},
        {"12,34,567", 0, "thousands separators must group three digits"},
        {"1234,567", 0, "thousands separators must group three digits"},
        {"1.5,000", 0, "thousands separators must group three digits"},
        {",123", 0, "thousands separators must group three digits"},
        {"<5", 0, "a bound or an estimate"},
        {"\xef\xbc\x9c" "5", 0, "a bound or an estimate"},      /* ＜5 */
        {"\xe2\x89\xa5" "95", 1, "a bound or an estimate"},     /* ≥95 */
        {"\xe7\xba\xa6" "300", 0, "a bound or an estimate"},    /* 约300 */
        {"300\xe5\xb7\xa6\xe5\x8f\xb3", 0, "a bound or an estimate"}, /* 300左右 */
        {"300\xe4\xba\xba", 0, "write the number alone"},       /* 300人 */
        {"1 234", 0, "write the number alone"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double x = 0;
        char hint[160];
        if (numtext_parse(cases[i].text, cases[i].share, &x, hint, sizeof hint) == 0)
            fail_msg("'%s' accepted as %g", cases[i].text, x);
        if (cases[i].hint[0] ? strstr(hint, cases[i].hint) == NULL : hint[0] != '\0')
            fail_msg("'%s': hint '%s', wanted '%s'", cases[i].text, hint, cases[i].hint);
    }
}

/* A plain ASCII number takes a short way past the rules (numtext.c
 * plain_ascii): it must keep their limit of 127 bytes, and a text with
 * any other byte must still meet them. */
static void test_plain_limit(void **state)
{
    (void)state;
    char text[130], hint[160];
    double x = 0;
    memset(text, '0', sizeof text);
    text[0] = '1';
    text[127] = '\0'; /* 1 and 126 zeros: 1e126 */
    assert_int_equal(numtext_parse(text, 0, &x, hint, sizeof hint), 0);
    assert_true(x == strtod(text, NULL));
    text[127] = '0';
    text[128] = '\0'; /* 128 bytes: refused, as by the rules */
    assert_int_equal(numtext_parse(text, 0, &x, hint, sizeof hint), -1);
    assert_string_equal(hint, "");
    assert_int_equal(numtext_parse("12e", 0, &x, hint, sizeof hint), -1);
    assert_int_equal(numtext_parse("-", 0, &x, hint, sizeof hint), -1);
    assert_int_equal(numtext_parse("5 ", 0, &x, hint, sizeof hint), 0);
    assert_true(x == 5);
}

/* format_number (util.c) writes whole numbers without snprintf: the text
 * must be what the general rule (fewest of 15..17 significant digits that
 * read back) gives, for every sign and magnitude around the cut at 1e15. */
static void reference_format(double v, char *buf)
{
    if (v == 0)
        v = 0;
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
}

static void test_format_number(void **state)
{
    (void)state;
    const double fixed[] = {0.0, -0.0, 1, -1, 7, 10, 2025, -2025, 100000, 0.5, -0.25, 1e-7,
                            123456789012345.0, -123456789012345.0, 999999999999999.0,
                            1e15, -1e15, 1e15 + 2, 1e16, 1e300, 12.5, 3.14159, 2.675};
    char got[32], want[32];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        reference_format(fixed[i], want);
        assert_string_equal(format_number(fixed[i], got), want);
    }
    srand(15);
    for (int i = 0; i < 20000; i++) {
        double mag = (double)(1LL << (rand() % 52));
        double v = (double)(long long)(((double)rand() / RAND_MAX - 0.5) * 2 * mag);
        if (i % 3 == 0)
            v /= 8; /* some with a fraction */
        reference_format(v, want);
        assert_string_equal(format_number(v, got), want);
    }
}

/* Beyond whole numbers format_number takes v's 17 digits from one printf
 * and rounds them to 15 and 16 itself: the text must still be the rule's,
 * on 1.7 million doubles: random bits (every exponent, subnormals), ratios
 * as figures are computed, figures rounded to a few places and their
 * neighbours, texts whose 16th or 17th digit is a 5 (the halves it must
 * leave to printf) and their neighbours, powers of ten and two. */
static uint64_t next_u64(uint64_t *s)
{
    /* xorshift64*: the same values on every run */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* A double of random bits (any exponent, NaN and infinities too). */
static double random_bits(uint64_t *r)
{
    uint64_t u = next_u64(r);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void check_number(double v, long *checked)
{
    char got[32], want[32];
    format_number(v, got);
    reference_format(v, want);
    if (strcmp(got, want) != 0)
        fail_msg("format_number(%a): \"%s\", the rule: \"%s\"", v, got, want);
    (*checked)++;
}

static void test_format_number_fractions(void **state)
{
    (void)state;
    uint64_t r = 0x9E3779B97F4A7C15ULL;
    long checked = 0;
    for (int i = 0; i < 400000; i++) {
        double v = random_bits(&r);
        if (isfinite(v))
            check_number(v, &checked);
    }
    for (int i = 0; i < 300000; i++) {
        double a = (double)(next_u64(&r) % 100000000) + 1, b = (double)(next_u64(&r) % 9999) + 1;
        int k = (int)(next_u64(&r) % 40) - 20;
        check_number(a / b * pow(10.0, k), &checked);
        check_number(-a / b, &checked);
    }
    for (int i = 0; i < 100000; i++) {
        double v = (double)(next_u64(&r) % 10000000) / pow(10.0, (double)(next_u64(&r) % 9));
        check_number(v, &checked);
        check_number(nextafter(v, 0), &checked);
        check_number(nextafter(v, 1e300), &checked);
    }
    for (int i = 0; i < 150000; i++) {
        char text[64];
        unsigned long long m = next_u64(&r) % 1000000000000000ULL;
        int digits = 15 + (int)(next_u64(&r) % 2);
        snprintf(text, sizeof text, "%llu.%0*llu5e%d", m % 10 + 1, digits - 1,
                 m % (digits == 15 ? 100000000000000ULL : 1000000000000000ULL),
                 (int)(next_u64(&r) % 60) - 30);
        double v = strtod(text, NULL);
        check_number(v, &checked);
        check_number(nextafter(v, 0), &checked);
        check_number(nextafter(v, 1e300), &checked);
    }
    for (int k = -320; k <= 308; k++) { /* carries through every digit */
        double t = pow(10.0, k);
        check_number(t, &checked);
        check_number(nextafter(t, 0), &checked);
        check_number(nextafter(t, 1e308), &checked);
        check_number(t * 9.999999999999999, &checked);
    }
    for (int k = -1074; k <= 1023; k++)
        check_number(ldexp(1.0, k), &checked);
    for (int k = 1; k <= 53; k++)
        check_number(1.0 - ldexp(1.0, -k), &checked);
    const double fixed[] = {INFINITY, -INFINITY, NAN, 0.1, -0.1, 123456.789, 1e-5, 1e-4, 9.5e-5};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_number(fixed[i], &checked);
    assert_true(checked > 1700000);
}

/* format_uint (util.c), the digits every hand-written number uses: as
 * printf's %llu, at 0, every power of ten and its neighbours, the top. */
static void test_format_uint(void **state)
{
    (void)state;
    char got[24], want[24];
    unsigned long long u = 1;
    for (int k = 0; k < 20; k++, u *= 10)
        for (unsigned long long x = u - 1; x <= u + 1; x++) {
            snprintf(want, sizeof want, "%llu", x);
            assert_int_equal(format_uint(got, x), strlen(want));
            assert_string_equal(got, want);
        }
    snprintf(want, sizeof want, "%llu", ULLONG_MAX);
    assert_int_equal(format_uint(got, ULLONG_MAX), 20);
    assert_string_equal(got, want);
}

/* format_fixed3 (util.c) writes the PDF's text positions without
 * snprintf: its text must be "%.3f"'s, at exact ties (multiples of 1/2048),
 * next to them, for negative zero and what rounds to it, and far out. */
static void test_format_fixed3(void **state)
{
    (void)state;
    const double fixed[] = {0.0, -0.0, 0.0625, -0.0625, 0.0005, -0.0004, -0.0005, 1.0005,
                            2.0625, 0.1, 841.89, 595.276, 999999.9994, 999999.9996, 1e6, -1e6,
                            1e300, -1e300, NAN, INFINITY, -INFINITY, 12.3455, 0.0015, 2.675};
    char got[32], want[32];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        snprintf(want, 24, "%.3f", fixed[i]);
        char *end = format_fixed3(got, 24, fixed[i]);
        assert_string_equal(got, want);
        assert_ptr_equal(end, got + strlen(got));
    }
    srand(16);
    for (int i = 0; i < 200000; i++) {
        double v;
        if (i % 4 == 0)
            v = (rand() % 4000000 - 2000000) / 2048.0; /* exact ties among them */
        else if (i % 4 == 1)
            v = (rand() % 2000000 - 1000000) / 1000.0 + (rand() % 3 - 1) * 5e-4; /* near ties */
        else
            v = ((double)rand() / RAND_MAX - 0.5) * 2000.0;
        snprintf(want, sizeof want, "%.3f", v);
        format_fixed3(got, 24, v);
        if (strcmp(got, want) != 0)
            fail_msg("%.17g: '%s', printf '%s'", v, got, want);
    }
}

/* format_milli (util.c), the charts' numbers: printf's digits of
 * llround(v * 1000) with the point put in and the zeros ending the
 * decimals taken away; 0 for what is not finite or too large. */
static void milli_ref(double v, char *out)
{
    long long m = isfinite(v) && fabs(v) < 1e12 ? llround(v * 1000) : 0;
    unsigned long long u = m < 0 ? 0ULL - (unsigned long long)m : (unsigned long long)m;
    int n = sprintf(out, "%s%llu.%03llu", m < 0 ? "-" : "", u / 1000, u % 1000);
    while (out[n - 1] == '0')
        out[--n] = '\0';
    if (out[n - 1] == '.')
        out[--n] = '\0';
}

static void test_format_milli(void **state)
{
    (void)state;
    const double fixed[] = {0.0, -0.0, 0.0004, -0.0004, 0.0005, -0.0005, 0.001, 0.01, 0.1,
                            0.12, 0.123, 1.5, -1.25, 9.999, 9.9995, 10, 99.99, 99.9995, 100,
                            841.89, 595.276, 999.9995, 1000, 1234.5, 65535.001, 999999999.999,
                            1e11, -1e11, 1e12, -1e12, 1e300, NAN, INFINITY, -INFINITY};
    char got[32], want[40];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        milli_ref(fixed[i], want);
        memset(got, 'x', sizeof got);
        char *end = format_milli(got, fixed[i]);
        *end = '\0';
        assert_string_equal(got, want);
    }
    srand(25);
    for (int i = 0; i < 300000; i++) {
        double v;
        if (i % 4 == 0)
            v = (rand() % 4000000 - 2000000) / 2048.0; /* halves of thousandths among them */
        else if (i % 4 == 1)
            v = (rand() % 2000000 - 1000000) / 1000.0 + (rand() % 3 - 1) * 5e-4;
        else if (i % 4 == 2)
            v = ((double)rand() / RAND_MAX - 0.5) * 2000.0;
        else
            v = ((double)rand() / RAND_MAX - 0.5) * 2e9;
        milli_ref(v, want);
        char *end = format_milli(got, v);
        *end = '\0';
        if (strcmp(got, want) != 0)
            fail_msg("%.17g: '%s', expected '%s'", v, got, want);
    }
}

/* format_f (util.c): glibc's "%.*f" wherever it answers (ties to even on
 * the exact binary value, at every precision it takes), 0 elsewhere. */
static void check_f(double v, int prec)
{
    char got[40], want[400];
    size_t n = format_f(got, v, prec);
    if (n == 0)
        return;
    ref_snprintf(want, sizeof want, "%.*f", prec, v);
    if (strcmp(got, want) != 0 || n != strlen(want))
        fail_msg("%.17g at %d: '%s', printf '%s'", v, prec, got, want);
}

static void test_format_f(void **state)
{
    (void)state;
    const double fixed[] = {0.0,   -0.0,  0.5,    1.5,     2.5,        -2.5,     0.125, 0.375,
                            1e-12, 1e-5,  0.0049, 0.005,   0.015,      0.025,    9.995, 9.9999999999,
                            99.5,  999.5, 123.456, 85.25,  999999999.5, 1e9 - 1, 2.675, 1.005};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        for (int p = 0; p <= 9; p++)
            check_f(fixed[i], p);
    char buf[40];
    assert_int_equal(format_f(buf, 1e9, 2), 0);
    assert_int_equal(format_f(buf, 1.5, 10), 0);
    assert_int_equal(format_f(buf, NAN, 2), 0);
    assert_int_equal(format_f(buf, 5e-324, 2), 0);
    assert_int_equal(format_f(buf, 0.125, 2), 4);
    assert_string_equal(buf, "0.12"); /* a tie, to even */
    srand(2025);
    for (int i = 0; i < 300000; i++) {
        int p = rand() % 10;
        double v;
        if (i % 3 == 0) /* exact ties among them */
            v = (rand() % 2000001 - 1000000) / (double)(1 << (rand() % 24));
        else if (i % 3 == 1)
            v = (rand() % 2000001 - 1000000) / pow(10, rand() % 10);
        else
            v = ((double)rand() / RAND_MAX - 0.5) * pow(10, rand() % 22 - 12);
        check_f(v, p);
    }
}

/* decimal_round against printf's "%.*e" for every P, and format_g_fixed
 * against "%.*g"; returns whether v was in decimal_round's range. */
static int check_round(double v)
{
    int in = 0;
    for (int P = 1; P <= 17; P++) {
        unsigned long long q;
        int x;
        char e[48], want[48], got[48];
        if (!decimal_round(v, P, &q, &x)) {
            double a = fabs(v);
            if (a >= 1e-5 && a < 9007199254740992.0 && a < pow(10.0, P))
                fail_msg("decimal_round(%a, %d) refused a number of its range", v, P);
            continue;
        }
        in = 1;
        ref_snprintf(e, sizeof e, "%.*e", P - 1, fabs(v)); /* d.ddde[+-]xx */
        unsigned long long wq = (unsigned long long)(e[0] - '0');
        for (int i = 2; i <= P; i++)
            wq = wq * 10 + (unsigned long long)(e[i] - '0');
        int wx = atoi(strchr(e, 'e') + 1);
        if (q != wq || x != wx)
            fail_msg("decimal_round(%a, %d): %llu e%d, printf %s", v, P, q, x, e);
        ref_snprintf(want, sizeof want, "%.*g", P, v);
        size_t n = format_g_fixed(got, v, P);
        if (n && (n != strlen(want) || strcmp(got, want) != 0))
            fail_msg("format_g_fixed(%a, %d): \"%s\", printf \"%s\"", v, P, got, want);
        if (!n && !strchr(want, 'e'))
            fail_msg("format_g_fixed(%a, %d) left \"%s\" to printf", v, P, want);
    }
    return in;
}

static void test_decimal_round(void **state)
{
    (void)state;
    uint64_t r = 0x0123456789ABCDEFULL;
    long in = 0;
    for (int i = 0; i < 40000; i++) {
        double v = random_bits(&r);
        if (isfinite(v))
            in += check_round(v); /* mostly out of range: refused */
        /* in range: ratios at every scale, and their neighbours */
        double a = (double)(next_u64(&r) % 1000000000) + 1, b = (double)(next_u64(&r) % 99999) + 1;
        double w = a / b * pow(10.0, (double)(next_u64(&r) % 24) - 12);
        in += check_round(w);
        in += check_round(-nextafter(w, 0));
        /* exact ties: few binary digits, decimal expansions of up to 20 digits */
        double t = (double)(next_u64(&r) % 100000000000ULL) / (double)(1ULL << (next_u64(&r) % 40));
        in += check_round(t);
        in += check_round(nextafter(t, 1e300));
        /* decimals, as the figures are */
        double d = (double)(next_u64(&r) % 10000000) / pow(10.0, (double)(next_u64(&r) % 9));
        in += check_round(d);
    }
    const double fixed[] = {1e-5, 9.5e-5, 1e-4, 0.1, 0.5, 0.125, 1125899906842624.5, 2251799813685248.5,
                            4503599627370495.5, 9007199254740991.0, 9999999999999999.0 / 1e16,
                            0.999999999999999944, 99999.999999999985, 1e15, 1e15 + 0.125, 123.456};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        in += check_round(fixed[i]);
        in += check_round(-fixed[i]);
        in += check_round(nextafter(fixed[i], 0));
        in += check_round(nextafter(fixed[i], 1e300));
    }
    for (int k = -17; k <= 53; k++) { /* powers of two and ten, and beside them */
        in += check_round(ldexp(1.0, k));
        in += check_round(nextafter(ldexp(1.0, k), 0));
        if (k >= -5 && k <= 15) {
            in += check_round(pow(10.0, k));
            in += check_round(nextafter(pow(10.0, k), 0));
            in += check_round(nextafter(pow(10.0, k), 1e300));
        }
    }
    assert_true(in > 150000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_plain_limit),
        cmocka_unit_test(test_format_number),
        cmocka_unit_test(test_format_number_fractions),
        cmocka_unit_test(test_format_uint),
        cmocka_unit_test(test_format_fixed3),
        cmocka_unit_test(test_format_milli),
        cmocka_unit_test(test_format_f),
        cmocka_unit_test(test_decimal_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
