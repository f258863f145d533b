/*
 * glyphs.c - a face's glyph outlines, read in batches and kept (glyphs.h).
 */
#include "glyphs.h"

#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A glyph larger than this is taken for a broken file (as before). */
#define GLYPH_MAX 65536
/* Glyphs a subset lacks are read together when at most GAP bytes lie
 * between them, up to RUN_MAX bytes a read: a pread costs about what
 * copying a few more KB does. */
#define GAP 4096
#define RUN_MAX (256 * 1024)

struct glyph_store {
    int fd;
    uint64_t file_size;
    uint32_t glyf_at;
    const uint32_t *loca;
    unsigned mul, nglyphs;
    uint32_t *at;        /* per glyph: 1 + its place in bytes; 0 while not read */
    unsigned char *bytes; /* the outlines read, one after the other */
    size_t n, cap;
    unsigned char *run; /* one read's bytes */
    size_t run_cap;
};

/* A glyph to read: where it is in the file. */
typedef struct wanted {
    uint64_t off;
    size_t len;
    unsigned g;
} wanted;

glyph_store *glyphs_new(int fd, uint64_t file_size, uint32_t glyf_at, const uint32_t *loca,
                        unsigned loca_mul, unsigned nglyphs)
{
    glyph_store *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->file_size = file_size;
    s->glyf_at = glyf_at;
    s->loca = loca;
    s->mul = loca_mul;
    s->nglyphs = nglyphs;
    s->at = xcalloc(nglyphs ? nglyphs : 1, sizeof *s->at);
    return s;
}

void glyphs_free(glyph_store *s)
{
    if (!s)
        return;
    free(s->at);
    free(s->bytes);
    free(s->run);
    free(s);
}

/* Where glyph g lies in the file: 0 (*len 0 for an empty glyph), or -1
 * with errno EINVAL. */
static int span(const glyph_store *s, unsigned g, uint64_t *off, size_t *len)
{
    uint64_t a = (uint64_t)s->loca[g] * s->mul, b = (uint64_t)s->loca[g + 1] * s->mul;
    *off = s->glyf_at + a;
    *len = 0;
    if (b <= a)
        return 0;
    if (b - a > GLYPH_MAX || s->glyf_at + b > s->file_size) {
        errno = EINVAL;
        return -1;
    }
    *len = (size_t)(b - a);
    return 0;
}

static int by_offset(const void *x, const void *y)
{
    const wanted *a = x, *b = y;
    if (a->off != b->off)
        return a->off < b->off ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

/* Bytes [off, off + len) of the file into s->run: 0, or -1 with errno. */
static int read_run(glyph_store *s, uint64_t off, size_t len)
{
    if (s->run_cap < len) {
        free(s->run);
        s->run = xmalloc(len);
        s->run_cap = len;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(s->fd, s->run + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0) {
            errno = EIO; /* the file is shorter than when it was opened */
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

/* Keep glyph g's len bytes b: 0, or -1 (ENOMEM: places past 4 GB). */
static int keep(glyph_store *s, unsigned g, const unsigned char *b, size_t len)
{
    if (s->n + len >= UINT32_MAX) {
        errno = ENOMEM;
        return -1;
    }
    if (s->cap - s->n < len) {
        size_t cap = s->cap ? s->cap : 64 * 1024;
        while (cap - s->n < len)
            cap *= 2;
        s->bytes = xrealloc(s->bytes, cap);
        s->cap = cap;
    }
    memcpy(s->bytes + s->n, b, len);
    s->at[g] = (uint32_t)(s->n + 1);
    s->n += len;
    return 0;
}

int glyphs_fetch(glyph_store *s, const unsigned *gids, size_t n)
{
    wanted *w = NULL;
    size_t nw = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned g = gids[i];
        if (g >= s->nglyphs || s->at[g])
            continue;
        uint64_t off;
        size_t len;
        if (span(s, g, &off, &len) != 0)
            rc = -1;
        else if (len > 0)
            *ARRAY_PUSH(w, nw, cap) = (wanted){off, len, g};
    }
    if (rc == 0 && nw > 1)
        qsort(w, nw, sizeof *w, by_offset);
    /* runs of glyphs near each other, one pread each */
    for (size_t i = 0; i < nw && rc == 0;) {
        uint64_t start = w[i].off, end = w[i].off + w[i].len;
        size_t j = i + 1;
        for (; j < nw && w[j].off <= end + GAP; j++) {
            uint64_t e = w[j].off + w[j].len;
            if ((e > end ? e : end) - start > RUN_MAX)
                break;
            if (e > end)
                end = e;
        }
        rc = read_run(s, start, (size_t)(end - start));
        for (size_t k = i; k < j && rc == 0; k++)
            if (!s->at[w[k].g]) /* a number asked for twice */
                rc = keep(s, w[k].g, s->run + (w[k].off - start), w[k].len);
        i = j;
    }
    free(w);
    return rc;
}

int glyphs_get(glyph_store *s, unsigned g, const unsigned char **b, size_t *n)
{
    *b = NULL;
    *n = 0;
    if (g >= s->nglyphs) {
        errno = EINVAL;
        return -1;
    }
    uint64_t off;
    size_t len;
    if (span(s, g, &off, &len) != 0)
        return -1;
    if (len == 0)
        return 0;
    if (!s->at[g] && glyphs_fetch(s, &g, 1) != 0)
        return -1;
    *b = s->bytes + s->at[g] - 1;
    *n = len;
    return 0;
}
