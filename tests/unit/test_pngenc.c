/*
 * test_pngenc.c - unit tests for pngenc.c: zlib's inflate must give back
 * exactly the PNG rows (filter byte 0, R G B) of every kind of image the
 * compressor treats differently: noise (literals only), flat areas and
 * repeated rows, vertical lines, repeated "glyphs" (matches found by the
 * hash, up to a row's end), rows wider than the deflate window, more tokens than one block,
 * a stride with padding and junk in the ignored top byte; and the file's
 * chunks (CRCs, IHDR, pHYs) and an unwritable path. Also the stream of
 * mostly-zero data (png_enc_sparse).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pngenc.h"

typedef struct image {
    int w, h, stride; /* stride in pixels */
    uint32_t *px;
} image;

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8 ^ *s << 13;
}

/* An image of one colour; junk: random top bytes (not part of a pixel),
 * else 0xFF as Cairo leaves them. */
static image image_new(int w, int h, int pad, uint32_t fill, int junk)
{
    image im = {w, h, w + pad, NULL};
    im.px = malloc(sizeof *im.px * (size_t)im.stride * (size_t)h);
    uint32_t s = 99;
    for (size_t i = 0; i < (size_t)im.stride * (size_t)h; i++)
        im.px[i] = fill | (junk ? rnd(&s) & 0xFF000000u : 0xFF000000u);
    return im;
}

static uint32_t *at(image *im, int x, int y) { return &im->px[(size_t)y * (size_t)im->stride + (size_t)x]; }

/* Inflate pe's stream of im and compare with the rows im should give. */
static void assert_round_trip(png_enc *pe, image *im)
{
    size_t zn;
    const unsigned char *z = png_enc_rows(pe, (const unsigned char *)im->px, im->w, im->h,
                                          4 * im->stride, &zn);
    size_t rowlen = 1 + 3 * (size_t)im->w, n = rowlen * (size_t)im->h;
    unsigned char *want = malloc(n), *got = malloc(n + 16);
    for (int y = 0; y < im->h; y++) {
        unsigned char *o = want + (size_t)y * rowlen;
        *o++ = 0;
        for (int x = 0; x < im->w; x++) {
            uint32_t p = *at(im, x, y);
            *o++ = (unsigned char)(p >> 16);
            *o++ = (unsigned char)(p >> 8);
            *o++ = (unsigned char)p;
        }
    }
    uLongf gn = n + 16;
    assert_int_equal(uncompress(got, &gn, z, zn), Z_OK); /* also checks the Adler-32 */
    assert_int_equal(gn, n);
    assert_memory_equal(got, want, n);
    free(want);
    free(got);
}

/* A few rectangles, lines and a repeated 7 x 9 "glyph" of random grey. */
static void draw_chartish(image *im, uint32_t seed)
{
    uint32_t s = seed, glyph[9][7];
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 7; x++)
            glyph[y][x] = rnd(&s) % 3 ? 0xFFFFFF : (rnd(&s) & 0xFF) * 0x010101u;
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            uint32_t *p = at(im, x, y);
            if (x % 97 == 5 || y % 61 == 7)
                *p = (*p & 0xFF000000u) | 0xD9D9D9;
            if (x > im->w / 3 && x < im->w / 2 && y > im->h / 4)
                *p = (*p & 0xFF000000u) | 0x0072B2;
        }
    for (int k = 0; k < 40; k++) {
        int gx = (int)(rnd(&s) % (uint32_t)(im->w > 7 ? im->w - 7 : 1));
        int gy = (int)(rnd(&s) % (uint32_t)(im->h > 9 ? im->h - 9 : 1));
        for (int y = 0; y < 9 && gy + y < im->h; y++)
            for (int x = 0; x < 7 && gx + x < im->w; x++)
                *at(im, gx + x, gy + y) = glyph[y][x];
    }
}

static void test_kinds_of_image(void **state)
{
    (void)state;
    png_enc *pe = png_enc_new();
    const struct {
        int w, h, pad, kind; /* kind 0 flat white, 1 noise, 2 chart-like */
    } cases[] = {
        {1, 1, 0, 0},    {1, 1, 0, 1},     {2, 1, 0, 1},      {1, 100, 0, 2}, {3, 3, 1, 2},
        {1890, 40, 0, 0}, {97, 31, 3, 1},  {640, 400, 0, 2},  {640, 400, 5, 2},
        {11000, 4, 0, 2}, /* a row longer than the 32 KB window: no match with the row above */
        {10922, 5, 0, 2}, /* a row just inside it */
        {300, 300, 0, 1}, /* 270,000 literals: several blocks */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        image im = image_new(cases[i].w, cases[i].h, cases[i].pad, 0xFFFFFF, (int)i % 2);
        uint32_t s = (uint32_t)i + 7;
        if (cases[i].kind == 1)
            for (size_t k = 0; k < (size_t)im.stride * (size_t)im.h; k++)
                im.px[k] = rnd(&s);
        else if (cases[i].kind == 2)
            draw_chartish(&im, s);
        assert_round_trip(pe, &im);
        free(im.px);
    }
    png_enc_free(pe);
}

/* A pair of pixels repeated further on (left or right of its first place)
 * with white after both up to the row's end: the match must stop there,
 * on either side, not run into the next row's filter byte. */
static void test_match_stops_at_row_end(void **state)
{
    (void)state;
    png_enc *pe = png_enc_new();
    const int places[][2] = {{10, 20}, {30, 5}, {0, 48}, {48, 0}};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        for (int pad = 0; pad < 2; pad++) {
            image im = image_new(50, 4, pad, 0xFFFFFF, 0);
            *at(&im, places[i][0], 1) = 0xFF123456;
            *at(&im, places[i][0] + 1, 1) = 0xFFABCDEF;
            *at(&im, places[i][1], 2) = 0xFF123456;
            *at(&im, places[i][1] + 1, 2) = 0xFFABCDEF;
            assert_round_trip(pe, &im);
            free(im.px);
        }
    png_enc_free(pe);
}

/* The same image gives the same bytes, whatever was encoded before. */
static void test_deterministic(void **state)
{
    (void)state;
    image a = image_new(500, 200, 0, 0xFFFFFF, 0), b = image_new(300, 90, 2, 0xFFFFFF, 1);
    draw_chartish(&a, 1);
    draw_chartish(&b, 2);
    png_enc *p1 = png_enc_new(), *p2 = png_enc_new();
    size_t n1, n2;
    const unsigned char *z1 = png_enc_rows(p1, (unsigned char *)a.px, a.w, a.h, 4 * a.stride, &n1);
    unsigned char *copy = malloc(n1);
    memcpy(copy, z1, n1);
    png_enc_rows(p2, (unsigned char *)b.px, b.w, b.h, 4 * b.stride, &n2);
    const unsigned char *z2 = png_enc_rows(p2, (unsigned char *)a.px, a.w, a.h, 4 * a.stride, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(copy, z2, n1);
    free(copy);
    png_enc_free(p1);
    png_enc_free(p2);
    free(a.px);
    free(b.px);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_file(void **state)
{
    (void)state;
    image im = image_new(120, 70, 0, 0xFFFFFF, 0);
    draw_chartish(&im, 3);
    png_enc *pe = png_enc_new();
    char path[] = "/tmp/test_pngenc_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    diag_list d = {0};
    assert_int_equal(png_write_rgb24(pe, (unsigned char *)im.px, im.w, im.h, 4 * im.stride, 300,
                                     path, &d), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    remove(path);
    assert_memory_equal(buf, "\x89PNG\r\n\x1a\n", 8);
    const char *order[] = {"IHDR", "pHYs", "IDAT", "IEND"};
    size_t pos = 8;
    for (int k = 0; k < 4; k++) {
        assert_true(pos + 12 <= n);
        uint32_t len = be32(buf + pos);
        assert_true(pos + 12 + len <= n);
        assert_memory_equal(buf + pos + 4, order[k], 4);
        assert_int_equal(crc32(0, buf + pos + 4, len + 4), be32(buf + pos + 8 + len));
        const unsigned char *body = buf + pos + 8;
        if (k == 0) {
            assert_int_equal(be32(body), 120);
            assert_int_equal(be32(body + 4), 70);
            assert_int_equal(body[8], 8); /* bits */
            assert_int_equal(body[9], 2); /* RGB */
        } else if (k == 1) {
            assert_int_equal(be32(body), 11811); /* 300 dpi in pixels per metre */
            assert_int_equal(body[8], 1);
        } else if (k == 2) {
            size_t zn;
            const unsigned char *z = png_enc_rows(pe, (unsigned char *)im.px, im.w, im.h,
                                                  4 * im.stride, &zn);
            assert_int_equal(len, zn);
            assert_memory_equal(body, z, zn);
        }
        pos += 12 + len;
    }
    assert_int_equal(pos, n);
    assert_int_equal(diag_errors(&d), 0);
    assert_int_equal(png_write_rgb24(pe, (unsigned char *)im.px, im.w, im.h, 4 * im.stride, 300,
                                     "/nonexistent/dir/x.png", &d), -1);
    assert_int_equal(diag_errors(&d), 1);
    diag_free(&d);
    png_enc_free(pe);
    free(im.px);
}

/* Inflate png_enc_sparse's stream of (p, n) (which also checks its
 * Adler-32) and compare with p. */
static void assert_sparse_round_trip(png_enc *pe, const unsigned char *p, size_t n)
{
    size_t zn;
    const unsigned char *z = png_enc_sparse(pe, p, n, &zn);
    unsigned char *got = malloc(n + 16);
    uLongf gn = n + 16;
    assert_int_equal(uncompress(got, &gn, z, zn), Z_OK);
    assert_int_equal(gn, n);
    if (n)
        assert_memory_equal(got, p, n);
    free(got);
}

/* Mostly-zero data as a CIDToGIDMap has it, and the edges of the zero
 * runs: none, runs of 1, 2 and 3 (the shortest match), runs at either end,
 * runs far beyond 258 and the 32 KB window, more tokens than one block,
 * bytes of 0xFF (Adler-32 sums near their modulus), and no data at all. */
static void test_sparse(void **state)
{
    (void)state;
    png_enc *pe = png_enc_new();
    assert_sparse_round_trip(pe, (const unsigned char *)"", 0);
    size_t n = 300000;
    unsigned char *p = malloc(n);
    uint32_t s = 5;
    for (int kind = 0; kind < 7; kind++) {
        memset(p, 0, n);
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd(&s);
            if (kind == 0) /* a map: two bytes at a few code points */
                p[i] = r % 97 == 0 ? (unsigned char)(r >> 9) : 0;
            else if (kind == 1) /* no zeros */
                p[i] = (unsigned char)(1 + r % 255);
            else if (kind == 2) /* zero runs of 1 to 4 between bytes */
                p[i] = r % 5 == 0 ? 0xFF : 0;
            else if (kind == 3) /* alternating */
                p[i] = i % 2 ? 0 : 0xFF;
            else if (kind == 4) /* every byte a literal: several blocks */
                p[i] = (unsigned char)(r | 1);
            else if (kind == 5) /* 0xFF throughout but for two zero runs */
                p[i] = i < 1000 || (i > 100000 && i < 200000) ? 0 : 0xFF;
        }
        /* kind 6: all zeros */
        for (size_t m = 0; m <= 7; m++)
            assert_sparse_round_trip(pe, p, m); /* the shortest */
        assert_sparse_round_trip(pe, p, n);
        assert_sparse_round_trip(pe, p + 1, n - 7);
    }
    free(p);
    png_enc_free(pe);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_of_image),
        cmocka_unit_test(test_match_stops_at_row_end),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_sparse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
