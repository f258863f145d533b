/*
 * xlsxnum.c - the workbooks' numbers and cells, without printf's general
 * machinery.
 *
 * libxlsxwriter (1.1.4, Debian's is built without its dtoa library)
 * writes every number as printf's "%.16G": a chart's cached value or a
 * formula's result with snprintf(data, 32, "%.16G", x) (its lxw_sprintf_dbl
 * is that macro), and each cell of a sheet with one fprintf (compiled as
 * __fprintf_chk) such as "<c r=\"%s\" s=\"%d\" t=\"s\"><v>%d</v></c>" or
 * "<c r=\"%s\"><v>%.16G</v></c>". The library calls both through its PLT,
 * so these definitions receive them (as xlsxzip.c's and xlsxxml.c's do
 * others); being the program's, they receive every other caller's too.
 * On 20 synthetic regions that was ~98,000 numbers at ~2,300 instructions
 * each in printf's floating-point code, most of them whole (years, counts,
 * 0), and ~100,000 cells at ~1,300 instructions each in vfprintf.
 *
 * A whole number under 10^16 in magnitude has at most 16 digits, so
 * "%.16G" prints it exactly, in fixed notation (the exponent is under 16),
 * without a point: its decimal digits, with "-" if negative ("-0" for
 * minus zero); a number that rounds to a decimal of at most 15 digits
 * (0.5, 0.063) is written as that decimal (short_g16 says when that is
 * exact). snprintf writes these for a format of just "%.16G"; every other
 * format and number goes to glibc's vsnprintf. __fprintf_chk writes
 * a format whose conversions are only %s, %d and %.16G itself, the
 * numbers that are not whole by glibc's; any other goes to vfprintf.
 * tests/unit/test_xlsxnum.c checks the bytes against glibc's. The
 * unlocked fwrite is safe: planeval has no threads.
 */
#define _GNU_SOURCE /* strchrnul, fwrite_unlocked */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);

/* The decimal digits of u at b, "-" first if neg: their length. */
static size_t put_digits(char *b, unsigned long long u, int neg)
{
    char tmp[24];
    size_t n = 0, k = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        b[k++] = '-';
    while (n)
        b[k++] = tmp[--n];
    return k;
}

/* x as "%.16G" prints it, at b (24 bytes at least; not terminated), if x
 * is whole and under 10^16 in magnitude: its length; else 0. */
static size_t whole_g16(double x, char *b)
{
    if (!(x > -1e16 && x < 1e16))
        return 0;
    long long v = (long long)x;
    if ((double)v != x)
        return 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    return put_digits(b, u, signbit(x) != 0);
}

/* x as "%.16G" prints it, at b (32 bytes at least; not terminated), if it
 * rounds to a decimal D of at most 15 significant digits in [10^-4, 10^14)
 * (0.063, 12.5): its length; else 0. With 10^K the power that brings |x|
 * into [10^14, 10^15) and R = |x| 10^K rounded to an integer, "%.16G"
 * prints D = R / 10^K (less its trailing zeros) when |x| is within half a
 * unit of its 16th digit of D: |x 10^K - R| < 0.05, computed exactly but
 * for one rounding by fma (10^K and R are exact doubles), and checked
 * against 0.04 so that a tie or that rounding never passes. An x just
 * under a power of ten (0.09999999999999999: R = 10^15, or R = 10^14 from
 * above) is on a finer grid, and left to glibc. */
static size_t short_g16(double x, char *b)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    double a = fabs(x);
    if (!(a >= 1e-4 && a < 1e14))
        return 0;
    int k = 1;
    while (k < 18 && a * p10[k] < 1e14)
        k++;
    double r = nearbyint(a * p10[k]), err = fma(a, p10[k], -r);
    if (!(r >= 1e14 && r < 1e15 && fabs(err) < 0.04) || (r == 1e14 && err < 0))
        return 0;
    unsigned long long u = (unsigned long long)r;
    while (k > 0 && u % 10 == 0) { /* "%G" drops trailing zeros */
        u /= 10;
        k--;
    }
    char digits[24];
    size_t n = put_digits(digits, u, 0), i = 0;
    if (signbit(x))
        b[i++] = '-';
    if (k == 0) { /* 100 for 100.00000000000001 */
        memcpy(b + i, digits, n);
        i += n;
    } else if ((size_t)k < n) { /* 12.5 */
        memcpy(b + i, digits, n - (size_t)k);
        i += n - (size_t)k;
        b[i++] = '.';
        memcpy(b + i, digits + n - (size_t)k, (size_t)k);
        i += (size_t)k;
    } else { /* 0.063 */
        b[i++] = '0';
        b[i++] = '.';
        memset(b + i, '0', (size_t)k - n);
        i += (size_t)k - n;
        memcpy(b + i, digits, n);
        i += n;
    }
    return i;
}

/* x as "%.16G" prints it, at b (32 bytes at least; not terminated): its
 * length; 0 if it is left to glibc. */
static size_t fast_g16(double x, char *b)
{
    size_t n = whole_g16(x, b);
    return n ? n : short_g16(x, b);
}

int snprintf(char *restrict s, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    if (fmt[0] == '%' && strcmp(fmt, "%.16G") == 0) {
        va_start(ap, fmt);
        double x = va_arg(ap, double);
        va_end(ap);
        char b[32];
        size_t n = fast_g16(x, b);
        if (n && n < size) {
            memcpy(s, b, n);
            s[n] = '\0';
            return (int)n;
        }
    }
    va_start(ap, fmt);
    int r = vsnprintf(s, size, fmt, ap);
    va_end(ap);
    return r;
}

/* Whether the conversions of fmt are only %s, %d and %.16G. */
static int simple_format(const char *p)
{
    while ((p = strchr(p, '%'))) {
        if (p[1] == 's' || p[1] == 'd')
            p += 2;
        else if (strncmp(p, "%.16G", 5) == 0)
            p += 5;
        else
            return 0;
    }
    return 1;
}

/* Output gathered for one fwrite, which the library's formats fit. */
typedef struct outbuf {
    FILE *f;
    const char *rest; /* the format not yet written */
    size_t n, total;
    int flushed; /* -1: a write failed */
    char b[512];
} outbuf;

/* Writes what is gathered; the first time, only if the rest of the format
 * is written here too (else nothing is written: -2). */
static int out_flush(outbuf *o)
{
    if (!o->flushed && !simple_format(o->rest))
        return -2;
    if (o->flushed >= 0)
        o->flushed = fwrite_unlocked(o->b, 1, o->n, o->f) == o->n ? 1 : -1;
    o->total += o->n;
    o->n = 0;
    return 0;
}

static int out_add(outbuf *o, const char *p, size_t n)
{
    if (n > sizeof o->b - o->n) {
        if (out_flush(o) != 0)
            return -2;
        if (n > sizeof o->b) { /* a long string goes straight on */
            if (o->flushed >= 0)
                o->flushed = fwrite_unlocked(p, 1, n, o->f) == n ? 1 : -1;
            o->total += n;
            return 0;
        }
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
    return 0;
}

/* fmt written to f as vfprintf would, if its conversions are only %s, %d
 * and %.16G (the library's cells: "<c r=\"%s\" s=\"%d\" t=\"s\"><v>%d</v></c>"
 * and the like): the bytes written or -1; -2, with nothing written, if fmt
 * has any other conversion (the arguments before it are taken). */
static int print_simple(FILE *f, const char *fmt, va_list ap)
{
    outbuf o;
    o.f = f;
    o.n = o.total = 0;
    o.flushed = 0;
    const char *p = fmt;
    for (;;) {
        const char *c = strchrnul(p, '%');
        o.rest = p;
        if (c > p && out_add(&o, p, (size_t)(c - p)) != 0)
            return -2;
        p = c;
        if (!*p)
            break;
        char num[32];
        const char *piece = num;
        size_t n;
        if (p[1] == 's') {
            piece = va_arg(ap, const char *);
            if (!piece)
                piece = "(null)"; /* glibc's */
            n = strlen(piece);
            p += 2;
        } else if (p[1] == 'd') {
            int v = va_arg(ap, int);
            n = put_digits(num, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0);
            p += 2;
        } else if (strncmp(p, "%.16G", 5) == 0) {
            double x = va_arg(ap, double);
            n = fast_g16(x, num);
            if (!n) {
                int w = snprintf(num, sizeof num, "%.16G", x);
                if (w < 0 || (size_t)w >= sizeof num)
                    return -1;
                n = (size_t)w;
            }
            p += 5;
        } else if (!o.flushed) {
            return -2;
        } else {
            return -1; /* not reached: the rest was checked at the flush */
        }
        o.rest = p;
        if (out_add(&o, piece, n) != 0)
            return -2;
    }
    o.rest = p;
    if (o.n && out_flush(&o) != 0)
        return -2;
    if (o.flushed < 0 || o.total > INT_MAX)
        return -1;
    return (int)o.total;
}

/* glibc's fortified fprintf, which libxlsxwriter's cells are written with;
 * flag asks for checks (of %n) that matter only for formats this leaves
 * to glibc, which its fortified vfprintf still makes. */
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = print_simple(f, fmt, ap);
    va_end(ap);
    if (r != -2)
        return r;
    va_start(ap, fmt);
    r = __vfprintf_chk(f, flag, fmt, ap);
    va_end(ap);
    return r;
}
