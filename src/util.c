/* util.c - see util.h. */
#define _GNU_SOURCE /* fwrite_unlocked */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "planeval: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    /* Most messages fit a small buffer; measuring into it also keeps gcc's
     * format checker from flagging a NULL destination under -O1. */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof small)
        return xstrndup(small, (size_t)n);
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void grow_array(void **items, size_t *cap, size_t n, size_t elem_size)
{
    if (n < *cap)
        return;
    size_t nc = *cap ? *cap * 2 : 8;
    while (nc <= n)
        nc *= 2;
    *items = xrealloc(*items, nc * elem_size);
    memset((char *)*items + *cap * elem_size, 0, (nc - *cap) * elem_size);
    *cap = nc;
}

void sb_init(strbuf *b)
{
    b->s = NULL;
    b->len = b->cap = 0;
}

void sb_free(strbuf *b)
{
    free(b->s);
    sb_init(b);
}

static void sb_reserve(strbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t nc = b->cap ? b->cap * 2 : 64;
    while (nc < b->len + extra + 1)
        nc *= 2;
    b->s = xrealloc(b->s, nc);
    b->cap = nc;
}

void sb_addn(strbuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_add(strbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

void sb_addc(strbuf *b, char c)
{
    /* in place when there is room: called for every character of the
     * templates' texts and the workbook's CSV (millions of times a run) */
    if (b->len + 2 <= b->cap) {
        b->s[b->len++] = c;
        b->s[b->len] = '\0';
        return;
    }
    sb_addn(b, &c, 1);
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    sb_add(b, s);
    free(s);
}

char *sb_take(strbuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    sb_init(b);
    return s;
}

char *strpool_keep(strpool *p, char *s)
{
    *ARRAY_PUSH(p->s, p->n, p->cap) = s;
    return s;
}

char *strpool_printf(strpool *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return strpool_keep(p, s);
}

void strpool_free(strpool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->s[i]);
    free(p->s);
    memset(p, 0, sizeof *p);
}

/* Decode one code point; invalid bytes count as one code point each. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (len > n)
        len = 1;
    uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = c;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return len;
}

/* The code points of s into buf (cap entries) when they fit, else into a
 * fresh allocation that *heap keeps; returns how many. */
static size_t utf8_decode_into(const char *s, uint32_t *buf, size_t cap, uint32_t **out,
                               uint32_t **heap)
{
    size_t n = strlen(s), k = 0;
    uint32_t *cps = buf;
    *heap = NULL;
    if (n > cap)
        cps = *heap = xmalloc(n * sizeof *cps);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += utf8_next((const unsigned char *)s + i, n - i, &cp);
        cps[k++] = cp;
    }
    *out = cps;
    return k;
}

/*
 * Levenshtein distance of code points, one row at a time. Every caller only
 * wants near names, so the work stops as soon as the distance is known to
 * exceed limit: when the lengths alone differ by more, or when a whole row
 * does (a row's minimum never decreases further down). An unrelated name
 * then costs a few rows, not the full n x m table; "did you mean" runs for
 * every unknown name of a file against every known one.
 */
int utf8_edit_distance(const char *a, const char *b, int limit)
{
    enum { SHORT = 64 };
    uint32_t xs[SHORT], ys[SHORT], *x, *y, *xh, *yh;
    int rows[SHORT + 1], *row = rows;
    if (limit < 0)
        limit = 0;
    size_t n = utf8_decode_into(a, xs, SHORT, &x, &xh);
    size_t m = utf8_decode_into(b, ys, SHORT, &y, &yh);
    int d = limit + 1;
    if ((n > m ? n - m : m - n) > (size_t)limit)
        goto done;
    if (m > SHORT)
        row = xmalloc((m + 1) * sizeof *row);
    for (size_t j = 0; j <= m; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0], low;
        row[0] = low = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int best = diag + (x[i - 1] != y[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
            if (best < low)
                low = best;
        }
        if (low > limit)
            goto done;
    }
    if (row[m] <= limit)
        d = row[m];
done:
    if (row != rows)
        free(row);
    free(xh);
    free(yh);
    return d;
}

int utf8_columns(const char *s, size_t n)
{
    int cols = 0;
    for (size_t i = 0; i < n && s[i];) {
        uint32_t cp;
        i += utf8_next((const unsigned char *)s + i, n - i, &cp);
        cols++;
    }
    return cols;
}

int utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t min;
        if ((c & 0xe0) == 0xc0) {
            len = 2;
            min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        uint32_t v = c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            v = (v << 6) | (s[i + k] & 0x3f);
        }
        if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

char *str_trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (i)
        memmove(s, s + i, n - i + 1);
    return s;
}

int str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

size_t str_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)h;
}

/* The slot of (tag, key), or the empty one where it would go (linear probing). */
static strmap_slot *strmap_slot_of(const strmap *m, int tag, const char *key)
{
    size_t mask = m->nslot - 1, i = (str_hash(key) ^ (size_t)(unsigned)tag * 0x9e3779b9u) & mask;
    while (m->slot[i].key && (m->slot[i].tag != tag || strcmp(m->slot[i].key, key) != 0))
        i = (i + 1) & mask;
    return &m->slot[i];
}

void strmap_add_first(strmap *m, int tag, const char *key, int value)
{
    if (2 * (m->n + 1) > m->nslot) { /* grow, and place every entry again */
        strmap old = *m;
        m->nslot = old.nslot ? 2 * old.nslot : 64;
        m->slot = xcalloc(m->nslot, sizeof *m->slot);
        for (size_t i = 0; i < old.nslot; i++)
            if (old.slot[i].key)
                *strmap_slot_of(m, old.slot[i].tag, old.slot[i].key) = old.slot[i];
        free(old.slot);
    }
    strmap_slot *s = strmap_slot_of(m, tag, key);
    if (s->key)
        return;
    *s = (strmap_slot){key, tag, value};
    m->n++;
}

int strmap_get(const strmap *m, int tag, const char *key)
{
    if (!m->nslot)
        return -1;
    const strmap_slot *s = strmap_slot_of(m, tag, key);
    return s->key ? s->value : -1;
}

void strmap_free(strmap *m)
{
    free(m->slot);
    memset(m, 0, sizeof *m);
}

int parse_number(const char *s, double *out)
{
    /* strtod also accepts hex, inf and nan: reject them, data is decimal. */
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
        return -1;
    for (const char *q = p; *q; q++)
        if (!(isdigit((unsigned char)*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' ||
              *q == '-'))
            return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* The fewest significant digits, 15 to 17, that read back as v: the
 * definition, by printf and strtod (up to three of each). */
static char *shortest_by_printf(double v, char *buf)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* What printf's %.Pg writes for the P significant digits d (d[0] is not 0)
 * of a number of decimal exponent x: the fraction's trailing zeros
 * dropped, the exponent form below 1e-4 and from 10^P on. */
static size_t g_text(char *out, int neg, const char *d, int P, int x)
{
    int n = P;
    while (n > 1 && d[n - 1] == '0')
        n--;
    char *o = out;
    if (neg)
        *o++ = '-';
    if (x < -4 || x >= P) {
        *o++ = d[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)(n - 1));
            o += n - 1;
        }
        *o++ = 'e';
        *o++ = x < 0 ? '-' : '+';
        int a = x < 0 ? -x : x;
        if (a >= 100)
            *o++ = (char)('0' + a / 100);
        *o++ = (char)('0' + a / 10 % 10);
        *o++ = (char)('0' + a % 10);
    } else if (x >= 0) {
        memcpy(o, d, (size_t)(x + 1)); /* the integer part, zeros too */
        o += x + 1;
        if (n > x + 1) {
            *o++ = '.';
            memcpy(o, d + x + 1, (size_t)(n - x - 1));
            o += n - x - 1;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, d, (size_t)n);
        o += n;
    }
    *o = 0;
    return (size_t)(o - out);
}

/* a * b as 128 bits (*hi, *lo), in 32-bit halves: no compiler extension. */
static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/*
 * (hi:lo) / 2^k for k in 1..127: the quotient's low 64 bits in *q, and
 * the remainder against half of 2^k: 1 above, 0 equal, -1 below.
 */
static int shift_half(uint64_t hi, uint64_t lo, int k, uint64_t *q)
{
    if (k < 64) {
        *q = (hi << (64 - k)) | (lo >> k);
        uint64_t r = lo & ((1ull << k) - 1), half = 1ull << (k - 1);
        return r > half ? 1 : r == half ? 0 : -1;
    }
    if (k == 64) {
        *q = hi;
        return lo > (1ull << 63) ? 1 : lo == (1ull << 63) ? 0 : -1;
    }
    int j = k - 64;
    *q = hi >> j;
    uint64_t r = hi & ((1ull << j) - 1), half = 1ull << (j - 1);
    return r > half ? 1 : r < half ? -1 : lo ? 1 : 0;
}

static const uint64_t pow10_u64[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};

int decimal_round(double v, int P, unsigned long long *digits, int *exp10)
{
    double a = fabs(v);
    if (P < 1 || P > 17 || !(a >= 1e-5 && a < 9007199254740992.0))
        return 0;
    /* a = m / 2^k exactly (a is normal here) */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    int k = 1075 - (int)(bits >> 52);
    /* floor(log10 a) or one less: a >= 2^(52 - k) */
    int x = (int)floor((52 - k) * 0.30102999566398120);
    for (int tries = 0; tries < 3; tries++) {
        int s = P - 1 - x; /* N = a 10^s, whose integer part has P digits */
        if (s < 0 || s > 22)
            return 0;
        uint64_t hi, lo; /* m 10^s < 2^53 10^22 < 2^127 */
        if (s <= 19) {
            mul64(m, pow10_u64[s], &hi, &lo);
        } else {
            uint64_t h2;
            mul64(m, pow10_u64[19], &hi, &lo);
            uint64_t c = pow10_u64[s - 19];
            hi *= c;
            mul64(lo, c, &h2, &lo);
            hi += h2;
        }
        /* q = floor(N), and the rest against a half (of 2^k) */
        uint64_t q;
        int rest;
        if (k == 0) {
            if (hi)
                return 0;
            q = lo;
            rest = -1;
        } else if (k < 64 && (hi >> k)) { /* too many digits */
            x++;
            continue;
        } else if (k < 128) {
            rest = shift_half(hi, lo, k, &q);
        } else {
            return 0;
        }
        if (q < pow10_u64[P - 1]) {
            x--;
            continue;
        }
        if (q >= pow10_u64[P]) {
            x++;
            continue;
        }
        if (rest > 0 || (rest == 0 && (q & 1))) /* to nearest, ties to even: printf's */
            q++;
        if (q == pow10_u64[P]) { /* 99..9 became 100..0 */
            q = pow10_u64[P - 1];
            x++;
        }
        *digits = q;
        *exp10 = x;
        return 1;
    }
    return 0;
}

/* q's P digits, at d. */
static void digits_of(char *d, unsigned long long q, int P)
{
    for (int i = P - 1; i >= 0; i--, q /= 10)
        d[i] = (char)('0' + q % 10);
}

size_t format_f(char *out, double v, int prec)
{
    double a = fabs(v);
    if (prec < 0 || prec > 9 || !(a < 1e9) || (a != 0 && a < 1e-300))
        return 0;
    /* round(a 10^prec) as printf rounds it (to nearest, ties to even, on
     * a's exact value m / 2^k): below 10^18, so in 64 bits */
    uint64_t q = 0;
    if (a != 0) {
        uint64_t bits;
        memcpy(&bits, &a, sizeof bits);
        uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
        int k = 1075 - (int)(bits >> 52); /* at least 23: a < 2^30 */
        uint64_t hi, lo;
        mul64(m, pow10_u64[prec], &hi, &lo); /* m 10^prec < 2^83 */
        int rest = k < 128 ? shift_half(hi, lo, k, &q) : -1; /* else below 2^-44 */
        if (rest > 0 || (rest == 0 && (q & 1)))
            q++;
    }
    char *p = out;
    if (signbit(v))
        *p++ = '-'; /* as printf: -0.00 */
    uint64_t ip = q / pow10_u64[prec], fp = q % pow10_u64[prec];
    p += format_uint(p, ip);
    if (prec > 0) {
        *p++ = '.';
        for (int i = prec - 1; i >= 0; i--, fp /= 10)
            p[i] = (char)('0' + fp % 10);
        p += prec;
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t format_g_fixed(char *out, double v, int P)
{
    unsigned long long q;
    int x;
    if (!decimal_round(v, P, &q, &x) || x < -4 || x >= P)
        return 0;
    char d[17];
    digits_of(d, q, P);
    return g_text(out, signbit(v) != 0, d, P, x);
}

/*
 * shortest_by_printf's result without printf or strtod, for |v| in
 * [1e-5, 1e15): v's digits rounded exactly (decimal_round) to 15, then 16,
 * then 17; a rounding of P digits (under 2^53) reads back as v when that
 * integer divided (or multiplied) by the power of ten, both exact doubles,
 * gives v: strtod's result is that one correctly rounded operation
 * (Clinger's fast path). 0 when left to shortest_of_three.
 */
static int shortest_exact(double v, char *buf)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double a = fabs(v);
    if (!(a >= 1e-5 && a < 1e15))
        return 0;
    for (int P = 15; P <= 17; P++) {
        unsigned long long q;
        int x;
        if (!decimal_round(v, P, &q, &x))
            return 0;
        if (P < 17) { /* 17 digits always read back */
            int s = P - 1 - x;
            if (q > (1ull << 53) || s < -22 || s > 22)
                return 0;
            double back = s >= 0 ? (double)q / p10[s] : (double)q * p10[-s];
            if (back != a)
                continue;
        }
        char d[17];
        digits_of(d, q, P);
        g_text(buf, signbit(v) != 0, d, P, x);
        return 1;
    }
    return 0;
}

/*
 * shortest_by_printf's result from one printf instead of up to three: v's
 * 17 significant digits (%.16e, correctly rounded) give its 15 and 16 digit
 * roundings too, except when the digits dropped are exactly 5 or 50 (v may
 * lie on either side of that half: then printf is asked). A rounding that
 * lies further from v than half the gap between doubles there cannot read
 * back, and needs no strtod to say so. tests/unit/test_numtext.c compares the
 * two on 1.7 million values.
 */
static char *shortest_of_three(double v, char *buf)
{
    if (!isfinite(v))
        return shortest_by_printf(v, buf);
    char e[40];
    snprintf(e, sizeof e, "%.16e", v); /* [-]d.dddddddddddddddde[+-]xx */
    int neg = e[0] == '-';
    const char *p = e + neg;
    char d17[17];
    d17[0] = p[0];
    memcpy(d17 + 1, p + 2, 16);
    int x = atoi(p + 19);
    int e2;
    (void)frexp(v, &e2);
    double half_gap = ldexp(1.0, e2 - 54); /* the widest half gap at v */
    double unit17 = pow(10.0, x - 16);     /* the 17th digit's unit */
    for (int P = 15; P <= 16; P++) {
        int t = P == 16 ? d17[16] - '0' : (d17[15] - '0') * 10 + (d17[16] - '0');
        int half = P == 16 ? 5 : 50;
        if (t == half) { /* v on either side of the half: ask printf */
            snprintf(buf, 32, "%.*g", P, v);
            if (strtod(buf, NULL) == v)
                return buf;
            continue;
        }
        int up = t > half;
        int dist = up ? 2 * half - t : t; /* from the 17 digits, in unit17 */
        if ((dist - 0.5) * unit17 > 2.0 * half_gap)
            continue; /* too far from v to read back as v */
        char d[17];
        memcpy(d, d17, (size_t)P);
        int xr = x;
        if (up) {
            int i = P - 1;
            while (i >= 0 && d[i] == '9')
                d[i--] = '0';
            if (i >= 0) {
                d[i]++;
            } else { /* 99..9 became 100..0 */
                d[0] = '1';
                xr++;
            }
        }
        g_text(buf, neg, d, P, xr);
        if (strtod(buf, NULL) == v)
            return buf;
    }
    g_text(buf, neg, d17, 17, x);
    return buf;
}

int put_bytes(FILE *f, const void *p, size_t n)
{
    /* a line-buffered stream keeps its end before its pointer */
    if (f->_IO_write_ptr < f->_IO_write_end && (size_t)(f->_IO_write_end - f->_IO_write_ptr) >= n) {
        memcpy(f->_IO_write_ptr, p, n);
        f->_IO_write_ptr += n;
        return 1;
    }
    return fwrite_unlocked(p, 1, n, f) == n;
}

int pwrite_all(int fd, const void *p, size_t n, off_t off)
{
    const char *c = p;
    while (n) {
        ssize_t w = pwrite(fd, c, n, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

/* "00" to "99": the digits of the numbers below 100, two at a time */
static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                            "31323334353637383940414243444546474849505152535455565758596061"
                            "6263646566676869707172737475767778798081828384858687888990919293"
                            "949596979899";

size_t format_uint(char *buf, unsigned long long u)
{
    /* the length first, then the digits from the end two at a time: a
     * digit at a time and reversed cost twice as much (some millions of
     * numbers a run: the PDFs' coordinates, the workbooks' cells) */
    size_t n = 1;
    unsigned long long t = u;
    for (; t >= 100; t /= 100)
        n += 2;
    n += t >= 10;
    char *p = buf + n;
    *p = '\0';
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        p -= 2;
        memcpy(p, pairs + 2 * r, 2);
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    return n;
}

char *format_number(double v, char *buf)
{
    if (v == 0)
        v = 0; /* no "-0" */
    /* A whole number under 1e15 is what %.15g prints (no exponent, no
     * point), and reads back exactly: no need for snprintf and strtod. */
    if (fabs(v) < 1e15 && v == (double)(long long)v) {
        long long w = (long long)v;
        char *p = buf;
        if (w < 0)
            *p++ = '-';
        format_uint(p, w < 0 ? 0ULL - (unsigned long long)w : (unsigned long long)w);
        return buf;
    }
    if (shortest_exact(v, buf))
        return buf;
    return shortest_of_three(v, buf);
}

time_t output_date(int eval_year)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!*end && errno == 0 && v >= 0)
            return (time_t)v;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = (eval_year ? eval_year : 2000) - 1900;
    tm.tm_mon = 11;
    tm.tm_mday = 31;
    return timegm(&tm);
}

char *read_fd(int fd, int regular, size_t size, size_t max, size_t *len)
{
    size_t cap = (regular ? size : 65535) + 1, n = 0;
    if (cap > max + 1)
        cap = max + 1;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int saved = errno;
            free(buf);
            errno = saved;
            return NULL;
        }
        n += (size_t)got;
        /* the end: nothing more, or a short read once the file's size is
         * in (before that a short read is only a piece: FUSE, NFS) */
        if (got == 0 || (regular && n >= size && n < cap))
            break;
        if (n == cap) {
            if (cap > max) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap = cap > max / 2 ? max + 1 : 2 * cap;
            buf = xrealloc(buf, cap + 1);
        }
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* open_regular's open: O_NONBLOCK only keeps a FIFO from blocking it; it
 * also makes the open of a leased file fail with EWOULDBLOCK (a FIFO's
 * read-only nonblocking open never does), so that one is opened again
 * without it. A socket's open fails ENXIO: told as EINVAL, not a regular file. */
static int open_input(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        fd = open(path, O_RDONLY | O_CLOEXEC); /* a lease: wait for it, as before */
    else if (fd < 0 && errno == ENXIO)
        errno = EINVAL; /* a socket (or a device without its driver) */
    return fd;
}

int open_regular(const char *path, struct stat *st)
{
    int fd = open_input(path);
    if (fd < 0)
        return -1;
    int saved = fstat(fd, st) != 0      ? errno
                : S_ISDIR(st->st_mode)  ? EISDIR
                : !S_ISREG(st->st_mode) ? EINVAL
                                        : 0;
    if (saved) {
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

char *read_whole_file(const char *path, size_t *len)
{
    struct stat st;
    int fd = open_regular(path, &st);
    if (fd < 0)
        return NULL;
    size_t n = 0;
    char *text = read_fd(fd, 1, (size_t)st.st_size, SIZE_MAX / 4, &n);
    int saved = errno;
    close(fd);
    errno = saved;
    if (text && len)
        *len = n;
    return text;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

char *path_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xasprintf("%.*s", (int)(slash == path ? 1 : slash - path), path) : xstrdup(".");
}

/* The digits of q at p (not terminated), those of a page coordinate
 * (below 1000) written straight, not counted first as format_uint() does;
 * returns their end. */
static char *whole_part(char *p, unsigned long long q)
{
    if (q < 10) {
        *p++ = (char)('0' + q);
    } else if (q < 100) {
        memcpy(p, pairs + 2 * q, 2);
        p += 2;
    } else if (q < 1000) {
        *p = (char)('0' + q / 100);
        memcpy(p + 1, pairs + 2 * (q % 100), 2);
        p += 3;
    } else {
        p += format_uint(p, q);
    }
    return p;
}

char *format_milli(char *p, double v)
{
    /* llround(v * 1000) in line: the product is below 2^53, so the cast
     * and the difference are exact, and halves go away from zero */
    long long m = 0;
    if (isfinite(v) && fabs(v) < 1e12) {
        double a = v * 1000;
        m = (long long)a;
        double f = a - (double)m;
        m += f >= 0.5 ? 1 : f <= -0.5 ? -1 : 0;
    }
    unsigned long long u = (unsigned long long)m;
    if (m < 0) {
        *p++ = '-';
        u = 0ULL - u;
    }
    unsigned long long q = u / 1000;
    unsigned frac = (unsigned)(u - q * 1000);
    p = whole_part(p, q);
    if (frac) {
        /* all four bytes written, then only those up to the last nonzero digit kept */
        unsigned h = frac / 100, r = frac % 100;
        p[0] = '.';
        p[1] = (char)('0' + h);
        memcpy(p + 2, pairs + 2 * r, 2);
        p += r == 0 ? 2 : r % 10 == 0 ? 3 : 4;
    }
    return p;
}

char *format_fixed3(char *p, size_t n, double v)
{
    double t = v * 1000.0;
    double f = fabs(t - trunc(t));
    if (!(fabs(v) < 1e6) || fabs(f - 0.5) < 1e-6) {
        int w = snprintf(p, n, "%.3f", v);
        return p + (w < 0 ? 0 : (size_t)w >= n ? n - 1 : (size_t)w);
    }
    long long k = (long long)fabs(nearbyint(t)); /* not near a tie: plain rounding */
    char *q = p;
    if (signbit(v))
        *q++ = '-'; /* printf writes -0.000 too */
    q = whole_part(q, (unsigned long long)(k / 1000));
    int m = (int)(k % 1000);
    q[0] = '.';
    q[1] = (char)('0' + m / 100);
    memcpy(q + 2, pairs + 2 * (m % 100), 2);
    q[4] = '\0';
    return q + 4;
}
