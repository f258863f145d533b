/*
 * test_glyphs.c - unit tests for glyphs.c: the outlines come back as the
 * file has them (scattered, near and far apart, asked twice, empty,
 * short and long loca, overlapping), kept ones are served without the file,
 * glyphs at most 16 KB apart are read in one call (more than 1,024 of them
 * in a few), and broken glyphs (past the file's end, over 64 KB, a file
 * that shrank) are errors; glyphs of a file not in memory are asked of the
 * kernel ahead (POSIX_FADV_WILLNEED) and still come back as the file has
 * them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "glyphs.h"

#define NG 400
#define GLYF_AT 1000

/* A file of random bytes whose glyf table (at GLYF_AT) holds NG glyphs of
 * 0 to ~900 bytes, some far apart (gaps of 0 to 20 KB between them). */
typedef struct face {
    int fd;
    unsigned char *b;
    size_t n;
    uint32_t loca[NG + 1]; /* in bytes */
} face;

static void face_make(face *f, unsigned seed)
{
    srand(seed);
    uint32_t at = 0;
    for (unsigned g = 0; g < NG; g++) {
        f->loca[g] = at;
        unsigned len = g % 7 == 3 ? 0 : 2 * (unsigned)(rand() % 450); /* even: short loca */
        unsigned gap = g % 5 == 0 ? 2 * (unsigned)(rand() % 10000) : 0;
        at += len + gap;
    }
    f->loca[NG] = at;
    f->n = GLYF_AT + at + 16;
    f->b = malloc(f->n);
    assert_non_null(f->b);
    for (size_t i = 0; i < f->n; i++)
        f->b[i] = (unsigned char)rand();
    char path[] = "/tmp/test_glyphs.XXXXXX";
    f->fd = mkstemp(path);
    assert_true(f->fd >= 0);
    unlink(path);
    assert_int_equal(write(f->fd, f->b, f->n), (ssize_t)f->n);
}

static void face_free(face *f)
{
    close(f->fd);
    free(f->b);
}

/* Glyph g as the file has it: the store's answer must equal it. */
static void check_glyph(glyph_store *s, const face *f, const uint32_t *loca, unsigned mul, unsigned g)
{
    const unsigned char *b;
    size_t n;
    assert_int_equal(glyphs_get(s, g, &b, &n), 0);
    size_t want = loca[g + 1] > loca[g] ? (size_t)(loca[g + 1] - loca[g]) * mul : 0;
    assert_int_equal(n, want);
    if (want == 0) {
        assert_null(b);
        return;
    }
    assert_memory_equal(b, f->b + GLYF_AT + (size_t)loca[g] * mul, want);
}

static void test_outlines_as_in_file(void **state)
{
    (void)state;
    face f;
    face_make(&f, 7);
    /* long loca (bytes) and short loca (half the bytes) */
    uint32_t half[NG + 1];
    for (unsigned g = 0; g <= NG; g++)
        half[g] = f.loca[g] / 2;
    for (int form = 0; form < 2; form++) {
        const uint32_t *loca = form ? half : f.loca;
        unsigned mul = form ? 2 : 1;
        glyph_store *s = glyphs_new(f.fd, f.n, GLYF_AT, loca, mul, NG);
        /* a batch in no order, with repeats and a number past the face */
        unsigned batch[NG / 2 + 3];
        size_t nb = 0;
        for (unsigned g = 0; g < NG; g += 2)
            batch[nb++] = (g * 37u) % NG;
        batch[nb++] = batch[0];
        batch[nb++] = batch[1];
        batch[nb++] = NG + 5;
        assert_int_equal(glyphs_fetch(s, batch, nb), 0);
        for (unsigned g = 0; g < NG; g++) /* the rest one by one */
            check_glyph(s, &f, loca, mul, (g * 101u) % NG);
        for (unsigned g = 0; g < NG; g++)
            check_glyph(s, &f, loca, mul, g);
        glyphs_free(s);
    }
    face_free(&f);
}

static void test_kept_without_file(void **state)
{
    (void)state;
    face f;
    face_make(&f, 11);
    int fd = dup(f.fd);
    assert_true(fd >= 0);
    glyph_store *s = glyphs_new(fd, f.n, GLYF_AT, f.loca, 1, NG);
    unsigned some[] = {1, 2, 50, 51, 52, 399, 200};
    assert_int_equal(glyphs_fetch(s, some, sizeof some / sizeof some[0]), 0);
    close(fd); /* what was read is served from memory; the rest cannot be */
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++)
        check_glyph(s, &f, f.loca, 1, some[i]);
    const unsigned char *b;
    size_t n;
    errno = 0;
    assert_int_equal(glyphs_get(s, 100, &b, &n), -1);
    assert_int_equal(errno, EBADF);
    glyphs_free(s);
    face_free(&f);
}

static void test_broken_glyphs(void **state)
{
    (void)state;
    face f;
    face_make(&f, 13);
    const unsigned char *b;
    size_t n;
    /* glyph 1 past the end of the file */
    uint32_t past[3] = {0, 10, (uint32_t)f.n};
    glyph_store *s = glyphs_new(f.fd, f.n, GLYF_AT, past, 1, 2);
    check_glyph(s, &f, past, 1, 0);
    errno = 0;
    assert_int_equal(glyphs_get(s, 1, &b, &n), -1);
    assert_int_equal(errno, EINVAL);
    unsigned both[] = {0, 1};
    assert_int_equal(glyphs_fetch(s, both, 2), -1);
    assert_int_equal(glyphs_get(s, 2, &b, &n), -1); /* no such glyph */
    glyphs_free(s);
    /* over 64 KB */
    uint32_t big[2] = {0, 65537};
    s = glyphs_new(f.fd, f.n + 70000, GLYF_AT, big, 1, 1);
    assert_int_equal(glyphs_get(s, 0, &b, &n), -1);
    glyphs_free(s);
    /* the file shrank after the store was made */
    s = glyphs_new(f.fd, f.n, GLYF_AT, f.loca, 1, NG);
    assert_int_equal(ftruncate(f.fd, GLYF_AT), 0);
    errno = 0;
    assert_int_equal(glyphs_get(s, 1, &b, &n), -1);
    assert_int_equal(errno, EIO);
    glyphs_free(s);
    face_free(&f);
}

/* Glyphs 16 KB apart are read with one call, 16 KB and a byte with two. */
static void test_reads_merged(void **state)
{
    (void)state;
    face f;
    face_make(&f, 17);
    /* 0: [0, 100); 1: a gap of 16384 after it; 2: a gap of 16385 after 1 */
    uint32_t loca[6] = {0, 100, 16484, 16584, 32969, 33069};
    assert_true(GLYF_AT + loca[5] <= f.n);
    glyph_store *s = glyphs_new(f.fd, f.n, GLYF_AT, loca, 1, 5);
    unsigned want[] = {4, 0, 2};
    assert_int_equal(glyphs_fetch(s, want, 3), 0);
    assert_int_equal(glyphs_reads(s), 2);
    for (size_t i = 0; i < 3; i++)
        check_glyph(s, &f, loca, 1, want[i]);
    assert_int_equal(glyphs_reads(s), 2); /* kept: no more reads */
    glyphs_free(s);
    face_free(&f);
}

/* A loca out of order: glyphs that share bytes come back whole. */
static void test_overlapping(void **state)
{
    (void)state;
    face f;
    face_make(&f, 19);
    /* 0: [0, 300); 1: empty; 2: [100, 400); 3: empty; 4: [350, 360);
     * 5: [360, 900) */
    uint32_t loca[7] = {0, 300, 100, 400, 350, 360, 900};
    glyph_store *s = glyphs_new(f.fd, f.n, GLYF_AT, loca, 1, 6);
    unsigned all[] = {0, 1, 2, 3, 4, 5};
    assert_int_equal(glyphs_fetch(s, all, 6), 0);
    for (unsigned g = 0; g < 6; g++)
        check_glyph(s, &f, loca, 1, g);
    glyphs_free(s);
    face_free(&f);
}

/* 3,000 glyphs of 2 bytes, a byte apart: 6,000 buffers, more than one
 * call takes; each glyph comes back as the file has it. */
static void test_many_near(void **state)
{
    (void)state;
    face f;
    face_make(&f, 23);
    enum { N = 3000 };
    static uint32_t loca[2 * N + 1];
    for (unsigned i = 0; i <= 2 * N; i++)
        loca[i] = 3 * (i / 2) + 2 * (i % 2); /* glyph 2k: 2 bytes, 2k + 1: 1 byte */
    assert_true(GLYF_AT + loca[2 * N] <= f.n);
    glyph_store *s = glyphs_new(f.fd, f.n, GLYF_AT, loca, 1, 2 * N);
    static unsigned even[N];
    for (unsigned i = 0; i < N; i++)
        even[i] = 2 * i;
    assert_int_equal(glyphs_fetch(s, even, N), 0);
    size_t reads = glyphs_reads(s);
    assert_true(reads > 1 && reads <= 8);
    for (unsigned i = 0; i < N; i++)
        check_glyph(s, &f, loca, 1, 2 * i);
    assert_int_equal(glyphs_reads(s), reads);
    glyphs_free(s);
    face_free(&f);
}

/* Pages of f's file in memory (mincore: the test owns the file, so the
 * kernel answers for its page cache, not only this process's mappings). */
static size_t resident_pages(const face *f)
{
    long pg = sysconf(_SC_PAGESIZE);
    size_t np = (f->n + (size_t)pg - 1) / (size_t)pg, in = 0;
    void *m = mmap(NULL, f->n, PROT_READ, MAP_SHARED, f->fd, 0);
    assert_true(m != MAP_FAILED);
    unsigned char *vec = malloc(np);
    assert_non_null(vec);
    assert_int_equal(mincore(m, f->n, vec), 0);
    for (size_t i = 0; i < np; i++)
        in += vec[i] & 1;
    free(vec);
    munmap(m, f->n);
    return in;
}

/* The file's pages dropped from memory: the glyphs are asked of the kernel
 * ahead, read, and come back as the file has them; kept ones need no
 * reading. On a file system that keeps them (tmpfs), skipped. */
static void test_cold_file(void **state)
{
    (void)state;
    face f;
    face_make(&f, 29);
    assert_int_equal(fsync(f.fd), 0); /* clean pages, which can be dropped */
    assert_int_equal(posix_fadvise(f.fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    if (resident_pages(&f) != 0) {
        face_free(&f);
        skip(); /* the test's directory keeps files in memory */
    }
    glyph_store *s = glyphs_new(f.fd, f.n, GLYF_AT, f.loca, 1, NG);
    unsigned every3[NG / 3 + 1];
    size_t nb = 0;
    for (unsigned g = NG; g-- > 0;)
        if (g % 3 == 0)
            every3[nb++] = g;
    assert_int_equal(glyphs_fetch(s, every3, nb), 0);
    assert_true(glyphs_advised(s) > 0);
    for (size_t i = 0; i < nb; i++)
        check_glyph(s, &f, f.loca, 1, every3[i]);
    size_t reads = glyphs_reads(s), advised = glyphs_advised(s);
    for (size_t i = 0; i < nb; i++)
        check_glyph(s, &f, f.loca, 1, every3[i]);
    assert_int_equal(glyphs_reads(s), reads);
    for (unsigned g = 0; g < NG; g++) /* the others, in memory by now or read */
        check_glyph(s, &f, f.loca, 1, g);
    assert_true(glyphs_advised(s) >= advised);
    glyphs_free(s);
    face_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outlines_as_in_file),
        cmocka_unit_test(test_kept_without_file),
        cmocka_unit_test(test_broken_glyphs),
        cmocka_unit_test(test_reads_merged),
        cmocka_unit_test(test_overlapping),
        cmocka_unit_test(test_many_near),
        cmocka_unit_test(test_cold_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
