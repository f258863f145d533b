/*
 * glyphs.c - a face's glyph outlines, read in batches and kept (glyphs.h).
 */
#define _GNU_SOURCE /* preadv2, RWF_NOWAIT */
#include "glyphs.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* A glyph larger than this is taken for a broken file (as before). */
#define GLYPH_MAX 65536
/*
 * Glyphs a subset lacks are read together when at most GAP bytes lie
 * between them: here a pread costs ~2.1 us and each KB more it copies
 * ~0.13 us (from the page cache into memory in use), so a gap of 16 KB
 * costs what a call does. One preadv puts each glyph straight into the
 * kept bytes and the gaps into one scratch buffer, so reading more costs
 * no new memory (a first touch of a page is ~12 us here, not 0.5).
 */
#define GAP 16384
/* iovecs a call: a glyph and the gap before it each (Linux's IOV_MAX) */
#define IOV_RUN 1024
/*
 * A font file's pages are often not in memory (this machine's page cache
 * gives back idle files' pages within a minute), and each run of glyphs
 * then waited for a disk read of its own: a one-region run's 354 runs
 * made ~350 reads of the disk. So each run is read first without waiting
 * (RWF_NOWAIT); at the first that would wait, the runs left are asked of
 * the kernel at once (POSIX_FADV_WILLNEED), those less than COLD_GAP
 * apart as one range, then read. With the fonts' pages dropped, a
 * one-region run: 371 -> 129 disk reads, 71.5 -> 67.4 ms of CPU (medians
 * of 11). A file in memory costs no call more.
 */
#define COLD_GAP 65536

struct glyph_store {
    int fd;
    uint64_t file_size;
    uint32_t glyf_at;
    const uint32_t *loca;
    unsigned mul, nglyphs;
    uint32_t *at;        /* per glyph: 1 + its place in bytes; 0 while not read */
    unsigned char *bytes; /* the outlines read, one after the other */
    size_t n, cap;
    unsigned char *gap; /* GAP bytes: what lies between the glyphs read */
    size_t reads;       /* read calls made (glyphs_reads) */
    size_t advised;     /* ranges asked for ahead (glyphs_advised) */
    int wait_always;    /* RWF_NOWAIT refused here: reads just wait */
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
    free(s->gap);
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

/* Room for len more kept bytes: 0, or -1 (ENOMEM: places past 4 GB). */
static int room(glyph_store *s, size_t len)
{
    if (len >= UINT32_MAX - s->n) {
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
    return 0;
}

/* The file's bytes from off into the n buffers of iov (changed as they
 * fill): 0, or -1 with errno (EIO: the file ended early); with nowait, 1
 * when the rest is not in memory (the kernel has begun reading it). */
static int read_iov(glyph_store *s, uint64_t off, struct iovec *iov, int n, int nowait)
{
    while (n > 0) {
        int flags = nowait && !s->wait_always ? RWF_NOWAIT : 0;
        /* preadv2 only for the flag: a sandbox (seccomp) may refuse the
         * newer call where preadv, used before, is allowed */
        ssize_t r = flags ? preadv2(s->fd, iov, n, (off_t)off, flags)
                          : preadv(s->fd, iov, n, (off_t)off);
        s->reads++;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && flags && errno == EAGAIN)
            return 1;
        if (r < 0 && flags) { /* no RWF_NOWAIT here (EOPNOTSUPP, ENOSYS, EPERM):
                               * plain reads from now on, which report a real error */
            s->wait_always = 1;
            continue;
        }
        if (r < 0)
            return -1;
        if (r == 0) {
            errno = EIO; /* the file is shorter than when it was opened */
            return -1;
        }
        off += (uint64_t)r;
        size_t got = (size_t)r;
        while (n > 0 && got >= iov->iov_len) {
            got -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) { /* a buffer filled in part */
            iov->iov_base = (char *)iov->iov_base + got;
            iov->iov_len -= got;
        }
    }
    return 0;
}

/*
 * Glyphs w[0..n) (sorted by place, each asked once, not overlapping),
 * read with one preadv: each to the end of the kept bytes, what lies
 * between them to the scratch buffer. 0, or -1 with errno and nothing kept;
 * with nowait, 1 and nothing kept when the disk would be waited for.
 */
static int read_run(glyph_store *s, const wanted *w, size_t n, int nowait)
{
    size_t len = 0;
    for (size_t k = 0; k < n; k++)
        len += w[k].len;
    if (room(s, len) != 0)
        return -1;
    struct iovec iov[IOV_RUN];
    int ni = 0;
    size_t at = s->n;
    for (size_t k = 0; k < n; k++) {
        if (k > 0 && w[k].off > w[k - 1].off + w[k - 1].len)
            iov[ni++] = (struct iovec){s->gap, (size_t)(w[k].off - w[k - 1].off - w[k - 1].len)};
        iov[ni++] = (struct iovec){s->bytes + at, w[k].len};
        at += w[k].len;
    }
    int rc = read_iov(s, w[0].off, iov, ni, nowait);
    if (rc != 0)
        return rc;
    for (size_t k = 0; k < n; k++) {
        s->at[w[k].g] = (uint32_t)(s->n + 1);
        s->n += w[k].len;
    }
    return 0;
}

/* The kernel asked to read glyphs w[0..n) (sorted by place) into memory,
 * without waiting: ranges of them less than COLD_GAP apart, one call each.
 * Only advice: the reads that follow wait for what it did not bring. */
static void advise(glyph_store *s, const wanted *w, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint64_t lo = w[i].off, hi = w[i].off + w[i].len;
        size_t j = i + 1;
        for (; j < n && w[j].off <= hi + COLD_GAP; j++)
            if (w[j].off + w[j].len > hi)
                hi = w[j].off + w[j].len;
        s->advised++;
        if (posix_fadvise(s->fd, (off_t)lo, (off_t)(hi - lo), POSIX_FADV_WILLNEED) != 0)
            return; /* refused (a pipe, an odd file system): the reads will do */
        i = j;
    }
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
    if (rc == 0 && nw > 1) {
        qsort(w, nw, sizeof *w, by_offset);
        size_t m = 1; /* a number asked for twice, once */
        for (size_t i = 1; i < nw; i++)
            if (w[i].g != w[m - 1].g)
                w[m++] = w[i];
        nw = m;
    }
    if (rc == 0 && nw > 0 && !s->gap)
        s->gap = xmalloc(GAP);
    /* runs of glyphs near each other, one preadv each; a glyph that
     * overlaps the one before (a loca out of order) starts a run. Read
     * without waiting until one would wait (see COLD_GAP). */
    int cold = 0;
    for (size_t i = 0; i < nw && rc == 0;) {
        size_t j = i + 1;
        int iovs = 1;
        for (; j < nw; j++) {
            uint64_t end = w[j - 1].off + w[j - 1].len;
            if (w[j].off < end || w[j].off - end > GAP || iovs + 2 > IOV_RUN)
                break;
            iovs += w[j].off > end ? 2 : 1;
        }
        rc = read_run(s, w + i, j - i, !cold);
        if (rc == 1) {
            cold = 1;
            advise(s, w + i, nw - i);
            rc = read_run(s, w + i, j - i, 0);
        }
        i = j;
    }
    free(w);
    return rc;
}

size_t glyphs_reads(const glyph_store *s) { return s->reads; }

size_t glyphs_advised(const glyph_store *s) { return s->advised; }

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
