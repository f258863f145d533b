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
 * minus zero). Any other number in [1e-4, 2^53) takes its 16 digits from
 * util.c's decimal_round (exact integer arithmetic on its bits, rounded as
 * printf rounds), without printf (format_g_fixed): the formula results
 * and chart values of 16 digits went to glibc until now (~10,000 a run of
 * 5 regions). snprintf writes these for a format of just "%.16G". It also
 * writes itself a format whose conversions are only %s, %d, %u, %x, %X
 * (those four with a zero-padded width of one digit: "%08x", "%04d"),
 * %.16G and %%, when the text fits in 256 bytes: ~26,000 calls on 5
 * synthetic regions ("%d", "rId%d", "%s%s", "%08x", "_x0000_s%d", ...)
 * that cost ~1,000 instructions each in vsnprintf. Every other format
 * goes to glibc's vsnprintf. __fprintf_chk writes a format of those
 * conversions itself, the numbers that are not whole by glibc's; any
 * other goes to vfprintf. tests/unit/test_xlsxnum.c checks the bytes
 * against glibc's. The unlocked writes (util.h put_bytes) are safe:
 * planeval has no threads.
 */
#define _GNU_SOURCE /* strchrnul */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);

/* The decimal digits of u at b, "-" first if neg: their length (util.c's
 * format_uint, two digits at a time; it also writes a NUL after them, which
 * every buffer here has room for). */
static size_t put_digits(char *b, unsigned long long u, int neg)
{
    size_t k = neg != 0;
    if (neg)
        b[0] = '-';
    return k + format_uint(b + k, u);
}

/* x as "%.16G" prints it, at b (24 bytes at least; not necessarily terminated), if x
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

/* x as "%.16G" prints it, at b (32 bytes at least; not necessarily terminated): its
 * length; 0 if it is left to glibc. */
static size_t fast_g16(double x, char *b)
{
    size_t n = whole_g16(x, b);
    return n ? n : format_g_fixed(b, x, 16); /* "%.16G" has no exponent there */
}

/* The length of the conversion at p (its '%') if it is one written here:
 * %s, %d, %u, %x, %X, the last four with a zero-padded width of one digit
 * ("%04d", "%08x"), %.16G and %%; else 0. */
static size_t spec_len(const char *p)
{
    char c = p[1];
    if (c == 's' || c == 'd' || c == '%' || c == 'u' || c == 'x' || c == 'X')
        return 2;
    if (c == '.')
        return p[2] == '1' && p[3] == '6' && p[4] == 'G' ? 5 : 0;
    if (c == '0' && p[2] >= '1' && p[2] <= '9')
        return p[3] == 'd' || p[3] == 'u' || p[3] == 'x' || p[3] == 'X' ? 4 : 0;
    return 0;
}

/* Whether every conversion of fmt is one written here. */
static int simple_format(const char *p)
{
    while ((p = strchr(p, '%'))) {
        size_t n = spec_len(p);
        if (!n)
            return 0;
        p += n;
    }
    return 1;
}

/* The conversion at p (spec_len(p) bytes) of the next argument of ap: its
 * text at *piece (num, 32 bytes, holds a number's) and its length; -1 if
 * glibc's "%.16G" fails. */
static long convert(const char *p, va_list *ap, char *num, const char **piece)
{
    *piece = num;
    char c = p[1];
    if (c == '%') {
        *piece = "%";
        return 1;
    }
    if (c == 's') {
        const char *str = va_arg(*ap, const char *);
        *piece = str ? str : "(null)"; /* glibc's */
        return (long)strlen(*piece);
    }
    if (c == '.') {
        double x = va_arg(*ap, double);
        size_t n = fast_g16(x, num);
        if (!n) {
            int w = snprintf(num, 32, "%.16G", x); /* glibc's, through the branch above */
            if (w < 0 || w >= 32)
                return -1;
            n = (size_t)w;
        }
        return (long)n;
    }
    unsigned width = 0;
    if (c == '0') {
        width = (unsigned)(p[2] - '0');
        c = p[3];
    }
    char tmp[24];
    size_t n = 0, k = 0;
    if (c == 'd') {
        int v = va_arg(*ap, int);
        if (v < 0)
            num[k++] = '-';
        unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
        do
            tmp[n++] = (char)('0' + u % 10);
        while (u /= 10);
    } else {
        unsigned u = va_arg(*ap, unsigned);
        unsigned base = c == 'u' ? 10 : 16;
        const char *dig = c == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        do
            tmp[n++] = dig[u % base];
        while (u /= base);
    }
    while (k + n < width) /* zeros after the sign, as printf pads */
        num[k++] = '0';
    while (n)
        num[k++] = tmp[--n];
    return (long)k;
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
    } else if (simple_format(fmt)) {
        /* the whole text at b, then cut to size as vsnprintf cuts it */
        char b[256], num[32];
        size_t len = 0;
        int fits = 1;
        va_start(ap, fmt);
        for (const char *p = fmt; *p && fits;) {
            const char *c = strchrnul(p, '%'), *piece = p;
            long n = c - p;
            size_t skip = (size_t)n;
            if (c == p) {
                skip = spec_len(p);
                n = convert(p, &ap, num, &piece);
            }
            if (n < 0 || (size_t)n > sizeof b - len) {
                fits = 0;
            } else {
                memcpy(b + len, piece, (size_t)n);
                len += (size_t)n;
                p += skip;
            }
        }
        va_end(ap);
        if (fits) {
            if (size) {
                size_t k = len < size - 1 ? len : size - 1;
                memcpy(s, b, k);
                s[k] = '\0';
            }
            return (int)len;
        }
    }
    va_start(ap, fmt);
    int r = vsnprintf(s, size, fmt, ap);
    va_end(ap);
    return r;
}

/* Output gathered for one write, which the library's formats fit. */
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
    if (!o->flushed && *o->rest && !simple_format(o->rest)) /* "": all written here */
        return -2;
    if (o->flushed >= 0)
        o->flushed = put_bytes(o->f, o->b, o->n) ? 1 : -1;
    o->total += o->n;
    o->n = 0;
    return 0;
}

/* out_add's rarer case: the buffer is full. Apart, so that out_add is
 * inlined (~6 pieces a cell). */
static int out_add_full(outbuf *o, const char *p, size_t n)
{
    if (out_flush(o) != 0)
        return -2;
    if (n > sizeof o->b) { /* a long string goes straight on */
        if (o->flushed >= 0)
            o->flushed = put_bytes(o->f, p, n) ? 1 : -1;
        o->total += n;
        return 0;
    }
    memcpy(o->b, p, n);
    o->n = n;
    return 0;
}

static inline int out_add(outbuf *o, const char *p, size_t n)
{
    if (n > sizeof o->b - o->n)
        return out_add_full(o, p, n);
    memcpy(o->b + o->n, p, n);
    o->n += n;
    return 0;
}

/* fmt written to f as vfprintf would, if its conversions are only %s, %d
 * and %.16G (the library's cells: "<c r=\"%s\" s=\"%d\" t=\"s\"><v>%d</v></c>"
 * and the like): the bytes written or -1; -2, with nothing written, if fmt
 * has any other conversion (the arguments before it are taken). */
static int print_simple(FILE *f, const char *fmt, va_list args)
{
    va_list ap;
    va_copy(ap, args); /* for convert's pointer to it */
    outbuf o;
    o.f = f;
    o.n = o.total = 0;
    o.flushed = 0;
    const char *p = fmt;
    int r = 0;
    for (;;) {
        const char *c = strchrnul(p, '%');
        o.rest = p;
        if (c > p && out_add(&o, p, (size_t)(c - p)) != 0) {
            r = -2;
            break;
        }
        p = c;
        if (!*p)
            break;
        char num[32];
        const char *piece = num;
        long n;
        if (p[1] == 's') { /* the library's cells: %s, %d and %.16G */
            piece = va_arg(ap, const char *);
            if (!piece)
                piece = "(null)"; /* glibc's */
            n = (long)strlen(piece);
            p += 2;
        } else if (p[1] == 'd') {
            int v = va_arg(ap, int);
            n = (long)put_digits(num, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v,
                                 v < 0);
            p += 2;
        } else {
            size_t len = spec_len(p);
            if (!len) { /* before the first flush: the rest was checked there */
                r = o.flushed ? -1 : -2;
                break;
            }
            n = convert(p, &ap, num, &piece);
            if (n < 0) {
                r = -1;
                break;
            }
            p += len;
        }
        o.rest = p;
        if (out_add(&o, piece, (size_t)n) != 0) {
            r = -2;
            break;
        }
    }
    va_end(ap);
    if (r)
        return r;
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
