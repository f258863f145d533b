/*
 * png_encoders.c - CPU and size of PNG encoders on real chart images, for
 * the table in docs/charts.md ("Speed"). Reads 8-bit RGB PNGs (as planeval
 * writes them), turns each back into the pixel buffer Cairo drew, and
 * times, best of three passes over all images: planeval's pngenc.c, and
 * zlib at several levels and strategies on unfiltered rows (what charts.c
 * did before, including the repacking of xRGB words into RGB bytes). Each
 * encoder's output is inflated once and compared with the rows.
 *
 * usage: sh tests/bench/png_encoders.sh [OUT]   (builds this, runs it on
 *        OUT/<plan>/charts/<file>.png of a `planeval run --charts png`)
 */
#include "pngenc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

typedef struct image {
    int w, h;
    uint32_t *px;
} image;

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static unsigned char *rows_of(const image *im, size_t *n)
{
    size_t rl = 1 + 3 * (size_t)im->w;
    unsigned char *raw = malloc(rl * (size_t)im->h);
    for (int y = 0; y < im->h; y++) {
        unsigned char *o = raw + (size_t)y * rl;
        *o++ = 0;
        for (int x = 0; x < im->w; x++) {
            uint32_t p = im->px[(size_t)y * (size_t)im->w + (size_t)x];
            *o++ = (unsigned char)(p >> 16);
            *o++ = (unsigned char)(p >> 8);
            *o++ = (unsigned char)p;
        }
    }
    *n = rl * (size_t)im->h;
    return raw;
}

/* An unfiltered 8-bit RGB PNG with one zlib stream; 0 or -1. */
static int load(const char *path, image *im)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    unsigned char *z = NULL;
    size_t zn = 0;
    int ok = got == (size_t)n && n > 8;
    for (size_t p = 8; ok && p + 12 <= (size_t)n;) {
        uint32_t len = be32(b + p);
        if (!memcmp(b + p + 4, "IHDR", 4)) {
            im->w = (int)be32(b + p + 8);
            im->h = (int)be32(b + p + 12);
            ok = b[p + 16] == 8 && b[p + 17] == 2;
        } else if (!memcmp(b + p + 4, "IDAT", 4)) {
            z = realloc(z, zn + len);
            memcpy(z + zn, b + p + 8, len);
            zn += len;
        }
        p += 12 + len;
    }
    size_t rl = 1 + 3 * (size_t)im->w, rn = rl * (size_t)im->h;
    unsigned char *raw = ok ? malloc(rn) : NULL;
    uLongf dl = rn;
    ok = ok && uncompress(raw, &dl, z, zn) == Z_OK && dl == rn;
    if (ok) {
        im->px = malloc(4 * (size_t)im->w * (size_t)im->h);
        for (int y = 0; y < im->h && ok; y++) {
            const unsigned char *r = raw + (size_t)y * rl;
            ok = r[0] == 0;
            for (int x = 0; x < im->w; x++)
                im->px[(size_t)y * (size_t)im->w + (size_t)x] =
                    0xFF000000u | (uint32_t)r[1 + 3 * x] << 16 | (uint32_t)r[2 + 3 * x] << 8 | r[3 + 3 * x];
        }
    }
    free(raw);
    free(z);
    free(b);
    return ok ? 0 : -1;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct zenc {
    z_stream zs;
    int ready, level, strategy;
    unsigned char *z;
    size_t zcap;
} zenc;

/* charts.c before pngenc: repack into RGB rows, deflate them whole. */
static const unsigned char *zlib_rows(zenc *e, const image *im, size_t *n)
{
    size_t rn;
    unsigned char *raw = rows_of(im, &rn);
    if (!e->ready)
        deflateInit2(&e->zs, e->level, Z_DEFLATED, 15, 8, e->strategy);
    else
        deflateReset(&e->zs);
    e->ready = 1;
    size_t bound = deflateBound(&e->zs, rn);
    if (bound > e->zcap) {
        free(e->z);
        e->z = malloc(bound);
        e->zcap = bound;
    }
    e->zs.next_in = raw;
    e->zs.avail_in = (uInt)rn;
    e->zs.next_out = e->z;
    e->zs.avail_out = (uInt)bound;
    if (deflate(&e->zs, Z_FINISH) != Z_STREAM_END)
        abort();
    free(raw);
    *n = e->zs.total_out;
    return e->z;
}

int main(int argc, char **argv)
{
    int n = argc - 1;
    image *ims = calloc((size_t)(n > 0 ? n : 1), sizeof *ims);
    for (int i = 0; i < n; i++)
        if (load(argv[i + 1], &ims[i]) != 0) {
            fprintf(stderr, "png_encoders: %s is not an unfiltered 8-bit RGB PNG\n", argv[i + 1]);
            return 1;
        }
    if (n == 0) {
        fprintf(stderr, "usage: png_encoders FILE.png...\n");
        return 2;
    }
    const struct {
        const char *name;
        int level, strategy; /* level < 0: pngenc */
    } enc[] = {{"pngenc.c (now)", -1, 0},
               {"zlib level 1", 1, Z_DEFAULT_STRATEGY},
               {"zlib level 3 (before)", 3, Z_DEFAULT_STRATEGY},
               {"zlib level 6", 6, Z_DEFAULT_STRATEGY},
               {"zlib level 1, Z_RLE", 1, Z_RLE}};
    printf("%d images, best of 3 passes\n", n);
    int bad = 0;
    for (size_t k = 0; k < sizeof enc / sizeof enc[0]; k++) {
        png_enc *pe = png_enc_new();
        zenc ze = {.level = enc[k].level, .strategy = enc[k].strategy};
        double best = 1e30, bytes = 0;
        for (int pass = 0; pass < 3; pass++) {
            double t0 = cpu_now();
            bytes = 0;
            for (int i = 0; i < n; i++) {
                size_t zn;
                if (enc[k].level < 0)
                    png_enc_rows(pe, (const unsigned char *)ims[i].px, ims[i].w, ims[i].h,
                                 4 * ims[i].w, &zn);
                else
                    zlib_rows(&ze, &ims[i], &zn);
                bytes += (double)zn;
            }
            double t = cpu_now() - t0;
            if (t < best)
                best = t;
        }
        for (int i = 0; i < n; i++) { /* every stream inflates to the rows */
            size_t zn, rn;
            const unsigned char *z = enc[k].level < 0
                                         ? png_enc_rows(pe, (const unsigned char *)ims[i].px,
                                                        ims[i].w, ims[i].h, 4 * ims[i].w, &zn)
                                         : zlib_rows(&ze, &ims[i], &zn);
            unsigned char *want = rows_of(&ims[i], &rn), *got = malloc(rn + 1);
            uLongf gn = rn + 1;
            if (uncompress(got, &gn, z, zn) != Z_OK || gn != rn || memcmp(got, want, rn) != 0) {
                fprintf(stderr, "%s: %s does not inflate to its rows\n", enc[k].name, argv[i + 1]);
                bad++;
            }
            free(want);
            free(got);
        }
        printf("%-24s %6.2f ms %7.1f KB per image\n", enc[k].name, best * 1000 / n,
               bytes / n / 1024);
        png_enc_free(pe);
        if (ze.ready)
            deflateEnd(&ze.zs);
        free(ze.z);
    }
    for (int i = 0; i < n; i++)
        free(ims[i].px);
    free(ims);
    return bad ? 1 : 0;
}
