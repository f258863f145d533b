/* textlayout.c - see textlayout.h. */
#include "textlayout.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int tl_decode_any(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    int n;
    uint32_t c, min;
    if ((u[0] & 0xE0) == 0xC0) {
        n = 2;
        c = u[0] & 0x1F;
        min = 0x80;
    } else if ((u[0] & 0xF0) == 0xE0) {
        n = 3;
        c = u[0] & 0x0F;
        min = 0x800;
    } else if ((u[0] & 0xF8) == 0xF0) {
        n = 4;
        c = u[0] & 0x07;
        min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return n;
}

int tl_encode(uint32_t cp, char *buf)
{
    unsigned char *b = (unsigned char *)buf;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int tl_is_cjk(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x9FFF)     /* radicals, CJK punctuation, kana, ideographs */
           || (c >= 0xF900 && c <= 0xFAFF)  /* compatibility ideographs */
           || (c >= 0xFE10 && c <= 0xFE1F)  /* vertical forms */
           || (c >= 0xFE30 && c <= 0xFE4F)  /* compatibility forms */
           || (c >= 0xFF00 && c <= 0xFFEF)  /* fullwidth forms */
           || (c >= 0x20000 && c <= 0x2FFFF) /* extension ideographs */
           || (c >= 0x2018 && c <= 0x201F)  /* quotation marks as Chinese text uses them */
           || c == 0x2014 || c == 0x2026 || c == 0x00B7 || c == 0x2030 || c == 0x2103 ||
           (c >= 0x2160 && c <= 0x217F)     /* Roman numerals */
           || (c >= 0x2190 && c <= 0x21FF)  /* arrows */
           || (c >= 0x2460 && c <= 0x24FF)  /* circled numbers */
           || (c >= 0x25A0 && c <= 0x27BF); /* shapes, symbols, dingbats */
}

/* Neither list below has a mark in U+3100..U+FDFF (the ideographs among
 * them): most characters of the text are answered without a scan. ASCII
 * (digits, Latin and the lists' own marks) by a bit of ascii[2], the
 * list's ASCII marks: a scan of the whole list for each digit or letter
 * was half the work of breaking lines. */
static int in_list(uint32_t c, const uint32_t *list, size_t n, const uint64_t ascii[2])
{
    if (c < 0x80)
        return (int)(ascii[c >> 6] >> (c & 63) & 1);
    if (c >= 0x3100 && c < 0xFE00)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (list[i] == c)
            return 1;
    return 0;
}

/* ASCII character c's bit in word 0 or 1 of an ascii[2] set */
#define LO(c) ((c) < 64 ? (uint64_t)1 << ((c) & 63) : 0)
#define HI(c) ((c) >= 64 ? (uint64_t)1 << ((c) & 63) : 0)

int tl_no_start(uint32_t c)
{
    static const uint32_t list[] = {
        '!', ')', ',', '.', ':', ';', '?', ']', '}', '%', '/',
        0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF01, /* 、。，．：；？！ */
        0xFF09, 0xFF3D, 0xFF5D, 0x3015, 0x3009, 0x300B, 0x300D, 0x300F, /* ）］｝〕〉》」』 */
        0x3011, 0x3017, 0x3019, 0x301B, 0x2019, 0x201D, 0x2026, 0x2025, /* 】〗〙〛’”…‥ */
        0x00B7, 0x30FB, 0xFF05, 0x2030, 0x2103, 0x00B0, 0xFF5E, 0x3005, /* ·・％‰℃°～々 */
        0x30FC, 0xFF61, 0xFF64, 0xFE50, 0xFE51, 0xFE52, 0xFE54, 0xFE55, /* ー｡､﹐﹑﹒﹔﹕ */
        0xFE56, 0xFE57, 0xFE5A, 0xFE5C, 0xFE5E, 0xFF0F,                 /* ﹖﹗﹚﹜﹞／ */
    };
    static const uint64_t ascii[2] = {
        LO('!') | LO(')') | LO(',') | LO('.') | LO(':') | LO(';') | LO('?') | LO('%') | LO('/'),
        HI(']') | HI('}')};
    return in_list(c, list, sizeof list / sizeof list[0], ascii);
}

int tl_no_end(uint32_t c)
{
    static const uint32_t list[] = {
        '(', '[', '{',
        0xFF08, 0xFF3B, 0xFF5B, 0x3014, 0x3008, 0x300A, 0x300C, 0x300E, /* （［｛〔〈《「『 */
        0x3010, 0x3016, 0x3018, 0x301A, 0x2018, 0x201C, 0xFE59, 0xFE5B, /* 【〖〘〚‘“﹙﹛ */
        0xFE5D,
    };
    static const uint64_t ascii[2] = {LO('('), HI('[') | HI('{')};
    return in_list(c, list, sizeof list / sizeof list[0], ascii);
}

static int is_space(uint32_t c) { return c == ' ' || c == '\t'; }

static int is_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int tl_can_break(uint32_t a, uint32_t b)
{
    if (is_space(b))
        return 0;
    /* 2021—2025 and —— stay whole. */
    if ((a == 0x2014 && (b == 0x2014 || is_alnum(b))) || (b == 0x2014 && is_alnum(a)))
        return 0;
    if (is_space(a))
        return !tl_no_start(b);
    if (tl_no_end(a) || tl_no_start(b))
        return 0;
    return tl_is_cjk(a) || tl_is_cjk(b);
}

typedef struct glyph {
    uint32_t cp;
    size_t off;
    double w;
} glyph;

double tl_width(const char *text, size_t start, size_t end, tl_width_fn wfn, void *ctx)
{
    double w = 0;
    size_t i = start;
    while (i < end && text[i]) {
        uint32_t cp;
        i += (size_t)tl_decode(text + i, &cp);
        if (cp != '\n')
            w += wfn(ctx, cp);
    }
    return w;
}

static void emit(tl_line **out, size_t *n, size_t *cap, const glyph *g, int from, int to, double w,
                 int hard, int overflow)
{
    tl_line *l = ARRAY_PUSH(*out, *n, *cap);
    l->start = g[from].off;
    l->end = g[to].off;
    l->width = w;
    l->nchars = to - from;
    l->hard = hard;
    l->overflow = overflow;
}

int tl_break(const char *text, double width, double first_indent, tl_width_fn wfn, void *ctx,
             tl_line **out)
{
    size_t len = strlen(text);
    glyph *g = xmalloc((len + 1) * sizeof *g);
    int n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int k = tl_decode(text + i, &cp);
        g[n].cp = cp;
        g[n].off = i;
        g[n].w = cp == '\n' ? 0 : wfn(ctx, cp);
        n++;
        i += (size_t)k;
    }
    g[n].cp = 0;
    g[n].off = len;
    g[n].w = 0;

    tl_line *lines = NULL;
    size_t nl = 0, cap = 0;
    const double eps = 1e-6;
    int start = 0;
    int soft = 0; /* the current line follows a soft break: drop its leading spaces */
    while (start < n || (start == n && nl == 0)) {
        if (soft)
            while (start < n && is_space(g[start].cp))
                start++;
        double avail = width - (nl == 0 ? first_indent : 0);
        double wsum = 0, wns = 0; /* width so far; through the last non-space */
        int nsend = start;        /* index after the last non-space */
        int brk = -1, brk_end = start;
        double brk_w = 0;
        int j = start;
        int done = 0;
        for (; j < n; j++) {
            uint32_t c = g[j].cp;
            if (c == '\n') {
                emit(&lines, &nl, &cap, g, start, nsend, wns, 1, 0);
                start = j + 1;
                soft = 0;
                done = 1;
                if (start == n) /* text ends with '\n': no empty line after it */
                    start = n + 1;
                break;
            }
            if (j > start && tl_can_break(g[j - 1].cp, c)) {
                brk = j;
                brk_end = nsend;
                brk_w = wns;
            }
            if (!is_space(c) && wsum + g[j].w > avail + eps) {
                if (brk > start) {
                    emit(&lines, &nl, &cap, g, start, brk_end, brk_w, 0, 0);
                    start = brk;
                } else if (j == start) {
                    /* One character wider than the line: it has to go somewhere. */
                    emit(&lines, &nl, &cap, g, start, j + 1, g[j].w, 0, 1);
                    start = j + 1;
                } else {
                    /* No break opportunity (a long Latin word): cut, but never
                     * so that a closing mark starts the next line. */
                    int k = j;
                    while (k > start + 1) {
                        int v = k; /* the character that would start the next line */
                        while (v < n && is_space(g[v].cp))
                            v++;
                        if (!(v < n && tl_no_start(g[v].cp)) && !tl_no_end(g[k - 1].cp))
                            break;
                        k--;
                    }
                    double w = 0;
                    for (int q = start; q < k; q++)
                        w += g[q].w;
                    emit(&lines, &nl, &cap, g, start, k, w, 0, 0);
                    start = k;
                }
                soft = 1;
                done = 1;
                break;
            }
            wsum += g[j].w;
            if (!is_space(c)) {
                wns = wsum;
                nsend = j + 1;
            }
        }
        if (!done) {
            emit(&lines, &nl, &cap, g, start, nsend, wns, 1, 0);
            break;
        }
    }
    if (nl == 0)
        emit(&lines, &nl, &cap, g, n, n, 0, 1, 0);
    free(g);
    *out = lines;
    return (int)nl;
}
