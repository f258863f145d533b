/*
 * xlsxnum.c - the workbooks' numbers, whole ones without printf.
 *
 * libxlsxwriter (1.1.4, Debian's is built without its dtoa library)
 * writes every number as printf's "%.16G": a number cell with
 * fprintf(file, "<c r=\"%s\" s=\"%d\"><v>%.16G</v></c>", ...) (compiled as
 * __fprintf_chk), a chart's cached value or a formula's result with
 * snprintf(data, 32, "%.16G", x) (its lxw_sprintf_dbl is that macro). The
 * library calls both through its PLT, so these definitions receive them
 * (as xlsxzip.c's and xlsxxml.c's do others); being the program's, they
 * receive every other caller's too, which go on to glibc's vfprintf and
 * vsnprintf unchanged. On 20 synthetic regions there are ~98,000 such
 * numbers, at ~2,300 instructions each in printf's floating-point code;
 * most are whole (years, counts, 0).
 *
 * A whole number under 10^16 in magnitude has at most 16 digits, so
 * "%.16G" prints it exactly, in fixed notation (the exponent is under 16),
 * without a point: its decimal digits, with "-" if negative ("-0" for
 * minus zero). That is what these write; every other number (a fraction,
 * 10^16 or more, infinities, NaN) goes to glibc as before.
 * tests/unit/test_xlsxnum.c checks the bytes against glibc's.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LXW_NUM_CELL_S "<c r=\"%s\" s=\"%d\"><v>%.16G</v></c>"
#define LXW_NUM_CELL "<c r=\"%s\"><v>%.16G</v></c>"

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

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

int snprintf(char *restrict s, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    if (fmt[0] == '%' && strcmp(fmt, "%.16G") == 0) {
        va_start(ap, fmt);
        double x = va_arg(ap, double);
        va_end(ap);
        char b[24];
        size_t n = whole_g16(x, b);
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

/* glibc's fortified fprintf; flag asks for checks of the format that
 * vfprintf does not make, which matter only for formats not in the
 * program (those of libraries, compiled in). */
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
    (void)flag;
    va_list ap;
    int styled = fmt[0] == '<' && strcmp(fmt, LXW_NUM_CELL_S) == 0;
    if (styled || (fmt[0] == '<' && strcmp(fmt, LXW_NUM_CELL) == 0)) {
        va_start(ap, fmt);
        const char *range = va_arg(ap, const char *);
        int style = styled ? va_arg(ap, int) : 0;
        double x = va_arg(ap, double);
        va_end(ap);
        /* "<c r=\"" range ["\" s=\"" style] "\"><v>" number "</v></c>" */
        char b[128];
        size_t rn = strlen(range), k = 0;
        if (rn < 32) { /* a cell's name: "XFD1048576" at most */
            memcpy(b, "<c r=\"", 6);
            memcpy(b + 6, range, rn);
            k = 6 + rn;
            if (styled) {
                memcpy(b + k, "\" s=\"", 5);
                k += 5;
                k += put_digits(b + k, style < 0 ? 0ull - (unsigned long long)style : (unsigned long long)style,
                                style < 0);
            }
            memcpy(b + k, "\"><v>", 5);
            k += 5;
            size_t n = whole_g16(x, b + k);
            if (n) {
                memcpy(b + k + n, "</v></c>", 8);
                k += n + 8;
                return fwrite(b, 1, k, f) == k ? (int)k : -1;
            }
        }
    }
    va_start(ap, fmt);
    int r = vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}
