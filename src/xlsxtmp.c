/*
 * xlsxtmp.c - the workbooks' temporary files, in memory.
 *
 * libxlsxwriter (1.1.4, Debian's is built without USE_FMEMOPEN) writes
 * every part of a workbook to a temporary file from lxw_tmpfile, which
 * calls tmpfileplus: random name, openat, unlink, 4 KB writes, rewind and
 * reads back, then fclose, for each of the ~70 parts of a regional
 * workbook. Debian's library calls lxw_tmpfile through its PLT, so the
 * dynamic linker binds those calls to this definition (as xlsxzip.c and
 * xlsxxml.c do for others): it returns a stdio stream (fopencookie) over a
 * growable buffer, which supports what the library does with the file:
 * write, flush, seek, ftell, rewind, read, close.
 *
 * Memory stays bounded: a file that would grow past XLSX_TMP_MEM_MAX, 1 MiB
 * (the comparison workbook's sheets in constant_memory mode reach 23 MB at
 * 1,000 regions, five of them open at once) moves to a real temporary file made as the library makes
 * it (tmpfileplus in the same directory), and goes on there with pread
 * and pwrite at the stream's position. A failed write (ENOSPC, a file size
 * limit) is a stdio error on the stream, and it sticks: every later read
 * or write fails with the same errno, so the library's reading back of the
 * part reports it rather than packing a part with a hole in it.
 * tests/unit/test_xlsxtmp.c checks the library's calls land here, the
 * spill and the errors.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <xlsxwriter/third_party/tmpfileplus.h>

#include "util.h"
#include "xlsxtmp.h"

#define XLSX_TMP_MEM_MIN 8192u /* first allocation */

typedef struct memfile {
    char *buf;   /* in memory: the file's bytes; NULL once spilled */
    size_t len;  /* the file's size */
    size_t cap;  /* bytes allocated at buf */
    size_t pos;  /* the stream's position */
    FILE *spill; /* the real file, or NULL while in memory */
    int err;     /* the errno of a failed write or spill, 0 if none */
    char tmpdir[]; /* the library's directory for temporary files ("" if none) */
} memfile;

/* Move the file's bytes to a real temporary file. */
static int spill(memfile *m)
{
    FILE *f = tmpfileplus(m->tmpdir[0] ? m->tmpdir : NULL, NULL, NULL, 0);
    if (!f) {
        m->err = errno ? errno : EIO;
        return -1;
    }
    if (pwrite_all(fileno(f), m->buf, m->len, 0) != 0) {
        m->err = errno;
        fclose(f);
        return -1;
    }
    free(m->buf);
    m->buf = NULL;
    m->cap = 0;
    m->spill = f;
    return 0;
}

/*
 * The buffer of the largest file closed since, kept for the next file: the
 * parts of a workbook are written one after another, and each grew its own
 * buffer by doubling from XLSX_TMP_MEM_MIN (a realloc that copies, and the
 * free of a block over 64 KB, which makes malloc consolidate its small
 * free blocks). Freed by xlsx_tmp_release when the workbook is packed.
 */
static struct {
    char *buf;
    size_t cap;
} spare;

void xlsx_tmp_release(void)
{
    free(spare.buf);
    spare.buf = NULL;
    spare.cap = 0;
}

/* Room for end bytes in memory (end <= XLSX_TMP_MEM_MAX). */
static int reserve(memfile *m, size_t end)
{
    if (end <= m->cap)
        return 0;
    if (!m->buf && spare.buf) { /* a file's first bytes: the kept buffer */
        m->buf = spare.buf;
        m->cap = spare.cap;
        spare.buf = NULL;
        spare.cap = 0;
        if (end <= m->cap)
            return 0;
    }
    size_t cap = m->cap ? m->cap : XLSX_TMP_MEM_MIN;
    while (cap < end)
        cap *= 2;
    if (cap > XLSX_TMP_MEM_MAX)
        cap = XLSX_TMP_MEM_MAX;
    char *b = realloc(m->buf, cap);
    if (!b) {
        m->err = ENOMEM;
        return -1;
    }
    m->buf = b;
    m->cap = cap;
    return 0;
}

static ssize_t mf_write(void *c, const char *p, size_t n)
{
    memfile *m = c;
    if (m->err)
        goto failed;
    if (!m->spill && (m->pos > XLSX_TMP_MEM_MAX || n > XLSX_TMP_MEM_MAX - m->pos) && spill(m) != 0)
        goto failed;
    if (m->spill) {
        if (pwrite_all(fileno(m->spill), p, n, (off_t)m->pos) != 0) {
            m->err = errno;
            goto failed;
        }
    } else {
        if (reserve(m, m->pos + n) != 0)
            goto failed;
        if (m->pos > m->len) /* a seek past the end leaves zeros, as in a file */
            memset(m->buf + m->len, 0, m->pos - m->len);
        memcpy(m->buf + m->pos, p, n);
    }
    m->pos += n;
    if (m->pos > m->len)
        m->len = m->pos;
    return (ssize_t)n;
failed:
    errno = m->err;
    return 0; /* fopencookie: 0 is an error, and sets the stream's */
}

static ssize_t mf_read(void *c, char *p, size_t n)
{
    memfile *m = c;
    if (m->err) {
        errno = m->err;
        return -1;
    }
    if (m->spill) {
        ssize_t r;
        do
            r = pread(fileno(m->spill), p, n, (off_t)m->pos);
        while (r < 0 && errno == EINTR);
        if (r > 0)
            m->pos += (size_t)r;
        return r;
    }
    if (m->pos >= m->len)
        return 0;
    if (n > m->len - m->pos)
        n = m->len - m->pos;
    memcpy(p, m->buf + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

static int mf_seek(void *c, off64_t *off, int whence)
{
    memfile *m = c;
    off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off64_t)m->pos
                 : whence == SEEK_END ? (off64_t)m->len : -1;
    if (base < 0 || (*off < 0 && -*off > base) || (*off > 0 && *off > INT64_MAX - base)) {
        errno = EINVAL;
        return -1;
    }
    m->pos = (size_t)(base + *off);
    *off = (off64_t)m->pos;
    return 0;
}

static int mf_close(void *c)
{
    memfile *m = c;
    int rc = 0;
    if (m->spill && fclose(m->spill) != 0)
        rc = -1;
    if (m->buf && m->cap > spare.cap) {
        free(spare.buf);
        spare.buf = m->buf;
        spare.cap = m->cap;
    } else {
        free(m->buf);
    }
    free(m);
    return rc;
}

FILE *lxw_tmpfile(char *tmpdir)
{
    size_t dn = tmpdir ? strlen(tmpdir) : 0;
    memfile *m = calloc(1, sizeof *m + dn + 1);
    if (!m)
        return NULL;
    if (dn)
        memcpy(m->tmpdir, tmpdir, dn);
    cookie_io_functions_t io = {mf_read, mf_write, mf_seek, mf_close};
    FILE *f = fopencookie(m, "w+", io);
    if (!f)
        free(m);
    return f;
}
