/*
 * pngenc.c - see pngenc.h.
 *
 * Deflate (RFC 1951) written by hand for one kind of input: chart images,
 * large flat areas and lines, antialiased text. A row is scanned once:
 * a row equal to the row above is one match of a row's length; otherwise
 * each stretch of pixels equal to the pixel on their left (distance 3
 * bytes) or above (distance one row) is a match, the longer of the two,
 * and any other pixel three literals. zlib's level 3 found little more for
 * ten times the CPU (docs/charts.md). The tokens of up to TOK_BLOCK go
 * into a block with its own Huffman codes; the Adler-32 of the rows is
 * summed as they are scanned (a run of one colour in closed form, a
 * repeated row from its sums), never by re-reading the bytes.
 */
#include "pngenc.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define TOK_BLOCK 65536  /* tokens per deflate block: bounded memory, codes that follow the image */
#define MAX_MATCH 258
#define WINDOW 32768
#define ADLER_MOD 65521u

#define HASH_BITS 12      /* the table of literal pixel pairs, for repeated glyphs */

/* A token: a literal byte, or MATCH | length << 15 | (distance - 1). */
#define MATCH 0x80000000u

struct png_enc {
    uint32_t *tok;           /* tokens of the current block */
    size_t ntok;
    uint32_t lfreq[286], dfreq[30];
    unsigned char *out;      /* the zlib stream */
    size_t nout, cap;
    uint64_t acc;            /* bits not yet in out (fewer than 8), LSB first */
    int nacc;
    const unsigned char *px; /* the image being written */
    int w, h, stride;
    size_t rowlen;           /* bytes of a PNG row: filter byte and pixels */
    int hash_ok;             /* positions fit the table's 16 + 16 bits */
    uint32_t seen[1 << HASH_BITS]; /* y << 16 | x of a literal pixel pair, + 1 (0: none) */
    uint8_t lcode_of[MAX_MATCH + 1]; /* length code (0..28) of each match length */
    uint8_t dcode_of[512];   /* distance code of distance - 1 < 256, then of (distance - 1) >> 7 */
};

static int len_code(unsigned len);
static int dist_code(unsigned dist);

png_enc *png_enc_new(void)
{
    png_enc *pe = xcalloc(1, sizeof *pe);
    pe->tok = xmalloc(TOK_BLOCK * sizeof *pe->tok);
    for (unsigned len = 3; len <= MAX_MATCH; len++)
        pe->lcode_of[len] = (uint8_t)len_code(len);
    for (unsigned i = 0; i < 256; i++) {
        pe->dcode_of[i] = (uint8_t)dist_code(i + 1);
        pe->dcode_of[256 + i] = (uint8_t)dist_code((i << 7) + 1);
    }
    return pe;
}

void png_enc_free(png_enc *pe)
{
    if (!pe)
        return;
    free(pe->tok);
    free(pe->out);
    free(pe);
}

/* ---------- deflate's symbol tables ---------- */

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                       33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                       1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* The length code (0..28) of a match length 3..258. */
static int len_code(unsigned len)
{
    int c = 28;
    while (len_base[c] > len)
        c--;
    return c;
}

static int dist_code(unsigned dist)
{
    int c = 29;
    while (dist_base[c] > dist)
        c--;
    return c;
}

/* ---------- output bits ---------- */

/* The stream being written, in locals while a block is written (a store
 * through unsigned char * could otherwise alias pe's fields). */
typedef struct bitw {
    unsigned char *p;
    size_t n;
    uint64_t acc;
    int nacc;
} bitw;

static void reserve(png_enc *pe, size_t more)
{
    if (pe->cap - pe->nout < more) {
        pe->cap = (pe->nout + more) * 2;
        pe->out = xrealloc(pe->out, pe->cap);
    }
}

/* n <= 56 bits of v, LSB first, with at most 7 bits pending: all eight
 * bytes of the accumulator are stored, and as many as are whole kept
 * (no branch per code). Room (8 bytes beyond) reserved by the caller. */
static inline void put_bits(bitw *b, uint64_t v, int n)
{
    b->acc |= v << b->nacc;
    b->nacc += n;
    unsigned char *o = b->p + b->n;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(o, &b->acc, 8); /* one store */
#else
    for (int i = 0; i < 8; i++)
        o[i] = (unsigned char)(b->acc >> (8 * i));
#endif
    int whole = b->nacc >> 3;
    b->n += (size_t)whole;
    b->acc = whole ? b->acc >> (8 * whole) : b->acc;
    b->nacc &= 7;
}

/* The bits left, padded with zeros to a byte. */
static void flush_bits(bitw *b)
{
    if (b->nacc > 0)
        b->p[b->n++] = (unsigned char)b->acc;
    b->acc = 0;
    b->nacc = 0;
}

/* ---------- Huffman codes ---------- */

typedef struct leaf {
    uint32_t freq;
    int sym;
} leaf;

static int leaf_cmp(const void *a, const void *b)
{
    const leaf *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq < y->freq ? -1 : 1;
    return x->sym - y->sym;
}

/* Code lengths of the Huffman code of m sorted leaves into len[sym];
 * returns the longest. Two queues: the leaves, and the merged nodes,
 * which are made in order of weight. */
static int tree_depths(const leaf *lv, int m, uint8_t *len)
{
    uint64_t w[2 * 286];
    int parent[2 * 286], depth[2 * 286];
    for (int i = 0; i < m; i++)
        w[i] = lv[i].freq;
    int li = 0, ni = m, next = m;
    for (; next < 2 * m - 1; next++) {
        int pick[2];
        for (int k = 0; k < 2; k++)
            pick[k] = li < m && (ni >= next || w[li] <= w[ni]) ? li++ : ni++;
        w[next] = w[pick[0]] + w[pick[1]];
        parent[pick[0]] = parent[pick[1]] = next;
    }
    int maxd = 0;
    depth[2 * m - 2] = 0;
    for (int i = 2 * m - 3; i >= 0; i--) {
        depth[i] = depth[parent[i]] + 1;
        if (i < m) {
            len[lv[i].sym] = (uint8_t)depth[i];
            if (depth[i] > maxd)
                maxd = depth[i];
        }
    }
    return maxd;
}

/* Lengths (at most maxbits) of a code for freq[0..n): at least two symbols
 * get one, so that the code is complete; unused symbols get 0. Too long
 * a code is made again from flatter frequencies. */
static void huff_lengths(const uint32_t *freq, int n, int maxbits, uint8_t *len)
{
    leaf lv[286];
    uint32_t f[286];
    int used = 0;
    for (int i = 0; i < n; i++) {
        f[i] = freq[i];
        used += f[i] > 0;
    }
    for (int i = 0; i < n && used < 2; i++)
        if (!f[i])
            f[i] = 1, used++;
    for (;;) {
        int m = 0;
        memset(len, 0, (size_t)n);
        for (int i = 0; i < n; i++)
            if (f[i])
                lv[m++] = (leaf){f[i], i};
        qsort(lv, (size_t)m, sizeof *lv, leaf_cmp);
        if (tree_depths(lv, m, len) <= maxbits)
            return;
        for (int i = 0; i < n; i++)
            if (f[i])
                f[i] = (f[i] >> 1) | 1;
    }
}

static uint32_t reverse_bits(uint32_t v, int n)
{
    uint32_t r = 0;
    for (int i = 0; i < n; i++, v >>= 1)
        r = (r << 1) | (v & 1);
    return r;
}

/* Canonical codes of the lengths (RFC 1951 3.2.2), bit-reversed for output. */
static void huff_codes(const uint8_t *len, int n, uint16_t *code)
{
    unsigned count[16] = {0}, next[16];
    for (int i = 0; i < n; i++)
        count[len[i]]++;
    count[0] = 0;
    unsigned c = 0;
    for (int b = 1; b < 16; b++) {
        c = (c + count[b - 1]) << 1;
        next[b] = c;
    }
    for (int i = 0; i < n; i++)
        code[i] = len[i] ? (uint16_t)reverse_bits(next[len[i]]++, len[i]) : 0;
}

/* ---------- a block ---------- */

/* The code lengths of both alphabets run-length coded (codes 16, 17, 18)
 * into rl (symbol | extra bits << 8); returns the count. */
static int rle_lengths(const uint8_t *lens, int n, uint16_t *rl, uint32_t *cfreq)
{
    int k = 0;
    for (int i = 0; i < n;) {
        int run = 1;
        while (i + run < n && lens[i + run] == lens[i])
            run++;
        if (lens[i] == 0 && run >= 3) {
            int r = run > 138 ? 138 : run;
            rl[k++] = r <= 10 ? (uint16_t)(17 | (r - 3) << 8) : (uint16_t)(18 | (r - 11) << 8);
            cfreq[r <= 10 ? 17 : 18]++;
            i += r;
        } else if (lens[i] != 0 && run >= 4) {
            rl[k++] = lens[i];
            cfreq[lens[i]]++;
            int r = run - 1 > 6 ? 6 : run - 1;
            rl[k++] = (uint16_t)(16 | (r - 3) << 8);
            cfreq[16]++;
            i += 1 + r;
        } else {
            rl[k++] = lens[i];
            cfreq[lens[i]]++;
            i++;
        }
    }
    return k;
}

/* The header of a dynamic block: its code lengths, themselves coded. */
static void put_header(bitw *pe, const uint8_t *llen, int nl, const uint8_t *dlen, int nd,
                       int last)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    uint8_t lens[286 + 30];
    memcpy(lens, llen, (size_t)nl);
    memcpy(lens + nl, dlen, (size_t)nd);
    uint16_t rl[286 + 30];
    uint32_t cfreq[19] = {0};
    int nrl = rle_lengths(lens, nl + nd, rl, cfreq);
    uint8_t clen[19];
    uint16_t ccode[19];
    huff_lengths(cfreq, 19, 7, clen);
    huff_codes(clen, 19, ccode);
    int ncl = 19;
    while (ncl > 4 && clen[order[ncl - 1]] == 0)
        ncl--;
    put_bits(pe, (uint32_t)(last ? 1 : 0) | 2u << 1, 3);
    put_bits(pe, (uint32_t)(nl - 257), 5);
    put_bits(pe, (uint32_t)(nd - 1), 5);
    put_bits(pe, (uint32_t)(ncl - 4), 4);
    for (int i = 0; i < ncl; i++)
        put_bits(pe, clen[order[i]], 3);
    static const uint8_t rl_extra[3] = {2, 3, 7};
    for (int i = 0; i < nrl; i++) {
        int s = rl[i] & 0xFF;
        put_bits(pe, ccode[s], clen[s]);
        if (s >= 16)
            put_bits(pe, (uint32_t)(rl[i] >> 8), rl_extra[s - 16]);
    }
}

static inline int dcode_of(const png_enc *pe, unsigned dist)
{
    return dist <= 256 ? pe->dcode_of[dist - 1] : pe->dcode_of[256 + ((dist - 1) >> 7)];
}

/* The tokens gathered so far as one block (the last when `last`). */
static void put_block(png_enc *pe, int last)
{
    pe->lfreq[256]++; /* end of block */
    uint8_t llen[286], dlen[30];
    uint16_t lcode[286], dcode[30];
    huff_lengths(pe->lfreq, 286, 15, llen);
    huff_lengths(pe->dfreq, 30, 15, dlen);
    huff_codes(llen, 286, lcode);
    huff_codes(dlen, 30, dcode);
    int nl = 286, nd = 30;
    while (nl > 257 && !llen[nl - 1])
        nl--;
    while (nd > 1 && !dlen[nd - 1])
        nd--;
    reserve(pe, 1024 + pe->ntok * 7); /* header < 600 bytes, a token < 7, 8 beyond */
    bitw b = {pe->out, pe->nout, pe->acc, pe->nacc};
    put_header(&b, llen, nl, dlen, nd, last);
    for (size_t i = 0; i < pe->ntok; i++) {
        uint32_t t = pe->tok[i];
        if (!(t & MATCH)) {
            put_bits(&b, lcode[t], llen[t]);
            continue;
        }
        /* a match as one put: length code and extra bits, distance code and extra bits (<= 48) */
        unsigned len = (t >> 15) & 0x1FF, dist = (t & 0x7FFF) + 1;
        int lc = pe->lcode_of[len], d = dcode_of(pe, dist);
        uint64_t v = lcode[257 + lc];
        int n = llen[257 + lc];
        v |= (uint64_t)(len - len_base[lc]) << n;
        n += len_extra[lc];
        v |= (uint64_t)dcode[d] << n;
        n += dlen[d];
        v |= (uint64_t)(dist - dist_base[d]) << n;
        n += dist_extra[d];
        put_bits(&b, v, n);
    }
    put_bits(&b, lcode[256], llen[256]);
    pe->nout = b.n;
    pe->acc = b.acc;
    pe->nacc = b.nacc;
    pe->ntok = 0;
    memset(pe->lfreq, 0, sizeof pe->lfreq);
    memset(pe->dfreq, 0, sizeof pe->dfreq);
}

/* ---------- a zlib stream ---------- */

static void stream_begin(png_enc *pe)
{
    pe->nout = 0;
    pe->acc = 0;
    pe->nacc = 0;
    pe->ntok = 0;
    memset(pe->lfreq, 0, sizeof pe->lfreq);
    memset(pe->dfreq, 0, sizeof pe->dfreq);
    reserve(pe, 2);
    pe->out[pe->nout++] = 0x78; /* deflate, 32K window */
    pe->out[pe->nout++] = 0x01; /* fastest; header check */
}

/* The last block, the bits padded to a byte, and the Adler-32. */
static const unsigned char *stream_end(png_enc *pe, uint32_t adler, size_t *n)
{
    put_block(pe, 1);
    reserve(pe, 16);
    bitw bw = {pe->out, pe->nout, pe->acc, pe->nacc};
    flush_bits(&bw);
    pe->nout = bw.n;
    for (int i = 3; i >= 0; i--)
        pe->out[pe->nout++] = (unsigned char)(adler >> (8 * i));
    *n = pe->nout;
    return pe->out;
}

/* ---------- tokens ---------- */

static inline void tok_literal(png_enc *pe, unsigned b)
{
    if (pe->ntok == TOK_BLOCK)
        put_block(pe, 0);
    pe->tok[pe->ntok++] = b;
    pe->lfreq[b]++;
}

/* A match of len bytes (any length >= 3) at distance dist (<= WINDOW),
 * in pieces of at most 258 that are each at least 3. */
static void tok_match(png_enc *pe, size_t len, unsigned dist)
{
    int dc = dcode_of(pe, dist);
    while (len > 0) {
        size_t piece = len <= MAX_MATCH ? len : len - MAX_MATCH >= 3 ? MAX_MATCH : len - 3;
        if (pe->ntok == TOK_BLOCK)
            put_block(pe, 0);
        pe->tok[pe->ntok++] = MATCH | (uint32_t)piece << 15 | (dist - 1);
        pe->lfreq[257 + pe->lcode_of[piece]]++;
        pe->dfreq[dc]++;
        len -= piece;
    }
}

/* Adler-32 sums of one row: a = sum of bytes, b = sum of the running a
 * (b << 16 | a is the row's own checksum before reduction). */
typedef struct sums {
    uint64_t a, b;
} sums;

/* n more pixels of colour p: byte j of the 3n (from 1) adds weight 3n-j+1. */
static inline void sum_run(sums *s, uint32_t p, uint64_t n)
{
    uint64_t r = (p >> 16) & 0xFF, g = (p >> 8) & 0xFF, bl = p & 0xFF;
    uint64_t t = 3 * n * (n + 1) / 2;
    s->b += 3 * n * s->a + r * t + g * (t - n) + bl * (t - 2 * n);
    s->a += n * (r + g + bl);
}

/* Pixels from x on (before end) equal to ref[x...]; two words at a time
 * while they match. */
static inline int run_same(const uint32_t *row, const uint32_t *ref, int x, int end)
{
    int k = x;
    for (; k + 4 <= end; k += 4) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, row + k, 8);
        memcpy(&a1, row + k + 2, 8);
        memcpy(&b0, ref + k, 8);
        memcpy(&b1, ref + k + 2, 8);
        if ((a0 ^ b0) | (a1 ^ b1))
            break;
    }
    while (k < end && row[k] == ref[k])
        k++;
    return k - x;
}

/* Pixels from x on (before end) equal to row[x - 1]. */
static inline int run_left(const uint32_t *row, int x, int end)
{
    uint32_t p = row[x - 1];
    uint64_t pp = (uint64_t)p << 32 | p;
    int k = x;
    for (; k + 4 <= end; k += 4) {
        uint64_t a0, a1;
        memcpy(&a0, row + k, 8);
        memcpy(&a1, row + k + 2, 8);
        if ((a0 ^ pp) | (a1 ^ pp))
            break;
    }
    while (k < end && row[k] == p)
        k++;
    return k - x;
}

/* The sums of pixels [x, end) of row, one colour run at a time. */
static void sum_span(sums *s, const uint32_t *row, int x, int end)
{
    while (x < end) {
        int n = 1 + (x + 1 < end ? run_left(row, x + 1, end) : 0);
        sum_run(s, row[x], (uint64_t)n);
        x += n;
    }
}

static const uint32_t *row_at(const png_enc *pe, int y)
{
    return (const uint32_t *)(const void *)(pe->px + (size_t)y * (size_t)pe->stride);
}

/* A literal pixel pair at (x, y) seen before, as a match: its length in
 * pixels (0: none) and distance in bytes. Remembers (x, y) for later. */
static int repeat_match(png_enc *pe, const uint32_t *row, int x, int y, unsigned *dist)
{
    if (x + 1 >= pe->w || !pe->hash_ok)
        return 0;
    uint32_t key = row[x] * 0x9E3779B1u ^ row[x + 1] * 0x85EBCA77u;
    uint32_t *slot = &pe->seen[(key * 0x27D4EB2Fu) >> (32 - HASH_BITS)];
    uint32_t prev = *slot;
    *slot = ((uint32_t)y << 16 | (uint32_t)x) + 1;
    if (!prev)
        return 0;
    int sy = (int)((prev - 1) >> 16), sx = (int)((prev - 1) & 0xFFFF);
    size_t d = (size_t)(y - sy) * pe->rowlen + 3 * (size_t)x - 3 * (size_t)sx;
    if (d == 0 || d > WINDOW || (sy == y && sx >= x))
        return 0;
    const uint32_t *src = row_at(pe, sy);
    int room = pe->w - (sx > x ? sx : x); /* neither side crosses its row's end */
    int n = run_same(row + x, src + sx, 0, room);
    if (n < 2)
        return 0;
    *dist = (unsigned)d;
    return n;
}

/* The tokens of row y, which differs from the row above (up: that row, or
 * NULL when there is none or it is out of the window; u0 of its first
 * pixels are equal to it); its sums in *s. */
static void tok_row(png_enc *pe, int y, const uint32_t *up, int u0, sums *s)
{
    const uint32_t *row = row_at(pe, y);
    int w = pe->w;
    tok_literal(pe, 0); /* filter: none */
    for (int x = 0; x < w;) {
        int l = x > 0 ? run_left(row, x, w) : 0;
        int u = x == 0 ? u0 : up ? run_same(row, up, x, w) : 0;
        unsigned dist;
        int r;
        if (l == 0 && u == 0 && (r = repeat_match(pe, row, x, y, &dist)) > 0) {
            tok_match(pe, 3 * (size_t)r, dist);
            sum_span(s, row, x, x + r);
            x += r;
        } else if (l == 0 && u == 0) {
            uint32_t p = row[x++];
            tok_literal(pe, (p >> 16) & 0xFF);
            tok_literal(pe, (p >> 8) & 0xFF);
            tok_literal(pe, p & 0xFF);
            sum_run(s, p, 1);
        } else if (l >= u) {
            tok_match(pe, 3 * (size_t)l, 3);
            sum_run(s, row[x - 1], (uint64_t)l);
            x += l;
        } else {
            tok_match(pe, 3 * (size_t)u, (unsigned)pe->rowlen);
            if (l > 0) /* its first l pixels are one colour, known */
                sum_run(s, row[x - 1], (uint64_t)l);
            sum_span(s, row, x + l, x + u);
            x += u;
        }
    }
}

const unsigned char *png_enc_rows(png_enc *pe, const unsigned char *px, int w, int h, int stride,
                                  size_t *n)
{
    pe->px = px;
    pe->w = w;
    pe->h = h;
    pe->stride = stride;
    pe->rowlen = 1 + 3 * (size_t)w;
    pe->hash_ok = w < 65536 && h < 65535;
    int up_ok = pe->rowlen <= WINDOW;
    stream_begin(pe);
    memset(pe->seen, 0, sizeof pe->seen);
    uint64_t a = 1, b = 0;
    sums row_sums = {0, 0};
    const uint32_t *prev = NULL;
    for (int y = 0; y < h; y++) {
        const uint32_t *row = row_at(pe, y);
        int same = prev && up_ok ? run_same(row, prev, 0, w) : 0; /* where it first differs */
        if (same == w) {
            tok_match(pe, pe->rowlen, (unsigned)pe->rowlen); /* same bytes, so same sums */
        } else {
            row_sums = (sums){0, 0};
            tok_row(pe, y, up_ok ? prev : NULL, same, &row_sums);
            row_sums.a %= ADLER_MOD;
            row_sums.b %= ADLER_MOD;
        }
        b = (b + (pe->rowlen % ADLER_MOD) * a + row_sums.b) % ADLER_MOD;
        a = (a + row_sums.a) % ADLER_MOD;
        prev = row;
    }
    return stream_end(pe, (uint32_t)(b << 16 | a), n);
}

/* ---------- mostly zeros ---------- */

/* Zero bytes from i on (before n), eight at a time while they are. */
static size_t zero_run(const unsigned char *p, size_t i, size_t n)
{
    size_t k = i;
    for (; k + 8 <= n; k += 8) {
        uint64_t v;
        memcpy(&v, p + k, 8);
        if (v)
            break;
    }
    while (k < n && !p[k])
        k++;
    return k - i;
}

const unsigned char *png_enc_sparse(png_enc *pe, const unsigned char *p, size_t n, size_t *zn)
{
    stream_begin(pe);
    uint64_t a = 1, b = 0;
    for (size_t i = 0; i < n;) {
        if (p[i]) {
            tok_literal(pe, p[i]);
            a = (a + p[i++]) % ADLER_MOD;
            b = (b + a) % ADLER_MOD;
            continue;
        }
        /* a run of zeros: one literal, then a match at distance 1 (a zero
         * adds nothing to a, and a to b) */
        size_t z = zero_run(p, i, n);
        b = (b + (z % ADLER_MOD) * a) % ADLER_MOD;
        tok_literal(pe, 0);
        if (z - 1 >= 3)
            tok_match(pe, z - 1, 1);
        else
            for (size_t k = 1; k < z; k++)
                tok_literal(pe, 0);
        i += z;
    }
    return stream_end(pe, (uint32_t)(b << 16 | a), zn);
}

/* ---------- the file ---------- */

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void png_chunk(FILE *f, const char *type, const unsigned char *data, size_t n)
{
    unsigned char b[4];
    put32(b, (uint32_t)n);
    fwrite(b, 1, 4, f);
    fwrite(type, 1, 4, f);
    if (n)
        fwrite(data, 1, n, f);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (n)
        crc = crc32(crc, data, (uInt)n);
    put32(b, (uint32_t)crc);
    fwrite(b, 1, 4, f);
}

int png_write_rgb24(png_enc *pe, const unsigned char *px, int w, int h, int stride, double dpi,
                    const char *path, diag_list *d)
{
    if (!px || w <= 0 || h <= 0 || stride < 4 * w) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: no image to write");
        return -1;
    }
    size_t zlen;
    const unsigned char *z = png_enc_rows(pe, px, w, h, stride, &zlen);
    FILE *f = fopen(path, "wb");
    if (!f) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: cannot write the PNG: %s", strerror(errno));
        return -1;
    }
    fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    png_chunk(f, "IHDR", ihdr, 13);
    unsigned char phys[9];
    uint32_t ppm = (uint32_t)lround(dpi / 0.0254);
    put32(phys, ppm);
    put32(phys + 4, ppm);
    phys[8] = 1; /* metres */
    png_chunk(f, "pHYs", phys, 9);
    png_chunk(f, "IDAT", z, zlen);
    png_chunk(f, "IEND", NULL, 0);
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "chart: cannot write the PNG: %s", strerror(errno));
        return -1;
    }
    return 0;
}
