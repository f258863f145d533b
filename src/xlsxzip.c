/*
 * xlsxzip.c - the deflating of the workbooks' zip entries.
 *
 * libxlsxwriter (1.1.4) writes every part of a workbook through minizip,
 * which deflates it with zlib at the default level, 6; there is no option
 * for it. On the 1,470 parts (19.3 MB of XML) of the workbooks of 20
 * synthetic regions (callgrind instructions, user CPU, compressed size):
 *
 *     zlib level 6          1.45 billion             3.05 MB (libxlsxwriter's)
 *     zlib level 3          0.94 billion  0.27 s     3.40 MB (until now)
 *     libdeflate level 1    0.49 billion  0.06 s     3.40 MB (now)
 *     libdeflate level 3    0.83 billion             3.28 MB
 *
 * libdeflate (already used for the PDFs' streams) at level 1 makes parts
 * as small as zlib's level 3 in a quarter of the CPU, but it compresses a
 * whole buffer, not a stream. So these definitions of minizip's calls,
 * which libxlsxwriter makes (the dynamic linker finds the program's before
 * minizip's), turn an entry opened at the default level into a raw entry:
 * its bytes are gathered as libxlsxwriter writes them, deflated in one
 * call when it closes the entry, and handed to minizip as already
 * deflated, with their CRC-32 and size. Every other call goes on to
 * minizip's own definition (the next in the search order) unchanged. The
 * parts themselves are unchanged: only their compressed bytes differ.
 *
 * A part is gathered up to XLSX_GATHER_MAX bytes. A larger one (the
 * comparison workbook's tables at 1,000 regions reach 23 MB) is deflated
 * from there on as a stream by zlib at the same level 1, so that memory
 * stays bounded: gathered whole, with libdeflate's output buffer beside it,
 * such a part added 30 MB to the run's peak (49 -> 79 MB at 1,000 regions).
 *
 * The calls leave no place for state of ours, so it lives here: one zip
 * file at a time (planeval writes its workbooks one after another in a
 * process, and has no threads); an entry of another zip file opened in the
 * meantime is deflated by zlib at level 3, as before. The state is freed
 * when its zip file is closed.
 *
 * The zip file itself: minizip's zipOpen writes it through stdio, whose
 * 4 KB buffer is flushed by every seek, and minizip seeks back to each
 * part's local header to put in its CRC-32 and sizes, then forward again:
 * 150 writes and 139 lseeks for a regional workbook of 156 KB, a system
 * call each (1-2 us on the machines measured). zipOpen here opens it with
 * minizip's own zipOpen2_64 and the file functions below: the bytes from
 * the last write to the file on stay in memory, up to XLSX_WINDOW_MAX,
 * where minizip's writes and its patches of a header land; they go to the
 * file by pwrite when the window is full and when the file closes. Same
 * bytes, same file; a regional workbook is one write.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"
#include "xlsxtmp.h"
#include "xlsxxml.h"

#define XLSX_ZIP_LEVEL 3 /* zlib's, for the entries not gathered */
#define XLSX_DEFLATE_LEVEL 1
#define XLSX_GATHER_MIN (256u << 10) /* first allocated: a regional workbook's largest part is 142 KB */
#define XLSX_GATHER_MAX (4u << 20) /* bytes of a part gathered before it is streamed */
#define XLSX_STREAM_CHUNK 65536u   /* zlib's output, handed to minizip at a time */
#define XLSX_WINDOW_MIN (256u << 10) /* a zip file's window, first allocated */
#define XLSX_WINDOW_MAX (1u << 20)  /* ... and at most (a power of two times the first) */

typedef int (*open_fn)(zipFile, const char *, const zip_fileinfo *, const void *, uInt,
                       const void *, uInt, const char *, int, int, int, int, int, int,
                       const char *, uLong, uLong, uLong, int);
typedef int (*write_fn)(zipFile, const void *, unsigned);
typedef int (*close_entry_fn)(zipFile);
typedef int (*close_raw_fn)(zipFile, ZPOS64_T, uLong);
typedef int (*close_fn)(zipFile, const char *);
typedef zipFile (*zopen_fn)(const char *, int);

/* The zip file whose entries are gathered, and its open entry. */
static struct {
    zipFile file;   /* NULL: none */
    int open;       /* an entry of file is being gathered */
    int failed;     /* gathering it ran out of memory */
    unsigned char *buf;
    size_t len, cap;
    unsigned char *out; /* its deflated bytes */
    size_t outcap;
    struct libdeflate_compressor *zc;
    int streaming; /* the entry outgrew XLSX_GATHER_MAX: zs deflates it */
    z_stream zs;
    uLong crc; /* of what was streamed */
    ZPOS64_T total;
    /* minizip's own definitions, looked up once for file (a dlsym costs
     * ~1,000 instructions, and a regional workbook closes 68 entries) */
    open_fn real_open;
    write_fn real_write;
    close_raw_fn real_close_raw;
} gather;

/* minizip's own definition of name, or NULL. */
static void *next_def(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* Fills gather's minizip functions: 0, or -1 when one is missing. */
static int find_next(void)
{
    void *o = next_def("zipOpenNewFileInZip4_64"), *w = next_def("zipWriteInFileInZip"),
         *c = next_def("zipCloseFileInZipRaw64");
    if (!o || !w || !c)
        return -1;
    /* POSIX's way from an object to a function pointer */
    *(void **)&gather.real_open = o;
    *(void **)&gather.real_write = w;
    *(void **)&gather.real_close_raw = c;
    return 0;
}

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                            const void *extrafield_local, uInt size_extrafield_local,
                            const void *extrafield_global, uInt size_extrafield_global,
                            const char *comment, int method, int level, int raw, int windowBits,
                            int memLevel, int strategy, const char *password,
                            uLong crcForCrypting, uLong versionMadeBy, uLong flagBase,
                            int zip64)
{
    open_fn real = gather.file == file ? gather.real_open : NULL;
    if (!real) {
        void *sym = next_def("zipOpenNewFileInZip4_64");
        if (!sym)
            return ZIP_INTERNALERROR;
        *(void **)&real = sym; /* POSIX's way from an object to a function pointer */
    }
    int gathered = 0;
    if (method == Z_DEFLATED && level == Z_DEFAULT_COMPRESSION && !raw && !password) {
        if (!gather.file && find_next() == 0) {
            gather.zc = libdeflate_alloc_compressor(XLSX_DEFLATE_LEVEL);
            if (gather.zc)
                gather.file = file;
        }
        if (gather.file == file && !gather.open) {
            gathered = 1;
            raw = 1;
            level = XLSX_DEFLATE_LEVEL; /* minizip records it in the entry's flags */
        } else {
            level = XLSX_ZIP_LEVEL;
        }
    }
    int rc = real(file, filename, zipfi, extrafield_local, size_extrafield_local,
                  extrafield_global, size_extrafield_global, comment, method, level, raw,
                  windowBits, memLevel, strategy, password, crcForCrypting, versionMadeBy,
                  flagBase, zip64);
    if (gathered && rc == ZIP_OK) {
        gather.open = 1;
        gather.failed = 0;
        gather.len = 0;
    }
    return rc;
}

/* Makes *buf (of *cap bytes) hold need bytes, keeping the bytes it holds
 * when keep (the deflated output is written afresh each time: a realloc
 * would copy it for nothing); an entry that cannot is failed. */
static int grow(unsigned char **buf, size_t *cap, size_t need, int keep)
{
    if (need <= *cap)
        return 0;
    unsigned char *p;
    if (keep) {
        p = realloc(*buf, need);
    } else {
        free(*buf);
        *buf = NULL;
        *cap = 0;
        p = malloc(need);
    }
    if (!p) {
        gather.failed = 1;
        return -1;
    }
    *buf = p;
    *cap = need;
    return 0;
}

/* Runs zlib over what zs holds (flush: Z_NO_FLUSH or Z_FINISH) and hands its
 * output to minizip XLSX_STREAM_CHUNK bytes at a time. */
static int stream_deflate(zipFile file, int flush)
{
    write_fn write = gather.real_write;
    for (;;) {
        gather.zs.next_out = gather.out;
        gather.zs.avail_out = XLSX_STREAM_CHUNK;
        int zr = deflate(&gather.zs, flush);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
            return ZIP_INTERNALERROR;
        unsigned n = XLSX_STREAM_CHUNK - gather.zs.avail_out;
        if (n && write(file, gather.out, n) != ZIP_OK)
            return ZIP_INTERNALERROR;
        if (flush == Z_FINISH ? zr == Z_STREAM_END : gather.zs.avail_in == 0)
            return ZIP_OK;
        if (zr == Z_BUF_ERROR && n == 0)
            return ZIP_INTERNALERROR; /* no progress */
    }
}

/* Deflates (buf, len) as a stream, starting the stream with what was
 * gathered when the entry first outgrows XLSX_GATHER_MAX. */
static int stream_write(zipFile file, const void *buf, unsigned len)
{
    if (!gather.streaming) {
        memset(&gather.zs, 0, sizeof gather.zs);
        if (grow(&gather.out, &gather.outcap, XLSX_STREAM_CHUNK, 0) != 0)
            return ZIP_INTERNALERROR;
        /* raw deflate, as minizip's own (window 15, memLevel 8) */
        if (deflateInit2(&gather.zs, XLSX_DEFLATE_LEVEL, Z_DEFLATED, -MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            gather.failed = 1;
            return ZIP_INTERNALERROR;
        }
        gather.streaming = 1;
        gather.crc = crc32(0, Z_NULL, 0);
        gather.total = 0;
        if (gather.len && stream_write(file, gather.buf, (unsigned)gather.len) != ZIP_OK)
            return ZIP_INTERNALERROR; /* gather.failed set there */
        gather.len = 0;
    }
    gather.crc = crc32(gather.crc, buf, len);
    gather.total += len;
    gather.zs.next_in = (Bytef *)buf;
    gather.zs.avail_in = len;
    if (stream_deflate(file, Z_NO_FLUSH) != ZIP_OK) {
        gather.failed = 1;
        return ZIP_INTERNALERROR;
    }
    return ZIP_OK;
}

int zipWriteInFileInZip(zipFile file, const void *buf, unsigned len)
{
    if (!(gather.open && gather.file == file)) {
        write_fn real;
        void *sym = next_def("zipWriteInFileInZip");
        if (!sym)
            return ZIP_INTERNALERROR;
        *(void **)&real = sym;
        return real(file, buf, len);
    }
    if (gather.failed)
        return ZIP_INTERNALERROR;
    if (gather.streaming || len > XLSX_GATHER_MAX - gather.len)
        return stream_write(file, buf, len);
    if (len > gather.cap - gather.len) {
        size_t cap = gather.cap ? gather.cap : XLSX_GATHER_MIN;
        while (cap - gather.len < len)
            cap *= 2;
        if (grow(&gather.buf, &gather.cap, cap, 1) != 0)
            return ZIP_INTERNALERROR;
    }
    if (len)
        memcpy(gather.buf + gather.len, buf, len);
    gather.len += len;
    return ZIP_OK;
}

/* Deflates the gathered entry and closes it in minizip as a raw one. */
static int close_gathered(zipFile file)
{
    gather.open = 0;
    write_fn write = gather.real_write;
    close_raw_fn close_raw = gather.real_close_raw;
    int rc = ZIP_INTERNALERROR;
    if (gather.streaming) {
        gather.streaming = 0;
        if (!gather.failed)
            rc = stream_deflate(file, Z_FINISH);
        deflateEnd(&gather.zs);
        int rc2 = close_raw(file, gather.total, gather.crc);
        return rc != ZIP_OK ? rc : rc2;
    }
    size_t bound = libdeflate_deflate_compress_bound(gather.zc, gather.len);
    if (!gather.failed)
        grow(&gather.out, &gather.outcap, bound, 0); /* sets gather.failed if it cannot */
    if (!gather.failed) {
        size_t n = libdeflate_deflate_compress(gather.zc, gather.buf, gather.len, gather.out,
                                               gather.outcap);
        if (n > 0 && n <= 0xffffffffu)
            rc = write(file, gather.out, (unsigned)n);
    }
    uLong crc = libdeflate_crc32(0, gather.buf, gather.len);
    int rc2 = close_raw(file, (ZPOS64_T)gather.len, crc); /* closes it even on an error */
    return rc != ZIP_OK ? rc : rc2;
}

int zipCloseFileInZip(zipFile file)
{
    if (gather.open && gather.file == file)
        return close_gathered(file);
    close_entry_fn real;
    void *sym = next_def("zipCloseFileInZip");
    if (!sym)
        return ZIP_INTERNALERROR;
    *(void **)&real = sym;
    return real(file);
}

int zipClose(zipFile file, const char *global_comment)
{
    int rc = ZIP_OK;
    xlsx_xml_release(); /* the workbook's tags are all written */
    xlsx_tmp_release(); /* ... and its parts read */
    if (gather.file == file) {
        if (gather.open)
            rc = close_gathered(file);
        libdeflate_free_compressor(gather.zc);
        free(gather.buf);
        free(gather.out);
        memset(&gather, 0, sizeof gather);
    }
    close_fn real;
    void *sym = next_def("zipClose");
    if (!sym)
        return ZIP_INTERNALERROR;
    *(void **)&real = sym;
    int rc2 = real(file, global_comment);
    return rc != ZIP_OK ? rc : rc2;
}

/* A zip file being written: its bytes from base on are in win, not yet in
 * the file. */
typedef struct zfile {
    int fd;
    int err;            /* errno of the first failed write, 0 if none */
    unsigned char *win; /* cap bytes allocated, len of them the file's */
    size_t len, cap;
    ZPOS64_T base; /* the file offset of win[0] */
    ZPOS64_T pos;  /* minizip's position */
    ZPOS64_T end;  /* the file's size, with the window's bytes */
} zfile;

/* minizip's ZLIB_FILEFUNC_MODE_CREATE: "wb", as its stdio functions open it. */
static voidpf ZCALLBACK zf_open(voidpf opaque, const void *filename, int mode)
{
    (void)opaque;
    if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) == ZLIB_FILEFUNC_MODE_READ ||
        (mode & ZLIB_FILEFUNC_MODE_EXISTING) || !(mode & ZLIB_FILEFUNC_MODE_CREATE) || !filename) {
        errno = EINVAL;
        return NULL;
    }
    zfile *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (z->fd < 0) {
        free(z);
        return NULL;
    }
    return z;
}

/* Whether size bytes written at pos land in the window: pos within it or
 * at its end, and the window able to reach pos + size. */
static int in_window(zfile *z, uLong size)
{
    if (z->pos < z->base || z->pos - z->base > z->len || size > XLSX_WINDOW_MAX ||
        (size_t)(z->pos - z->base) > XLSX_WINDOW_MAX - size)
        return 0;
    size_t need = (size_t)(z->pos - z->base) + size;
    if (need <= z->cap)
        return 1;
    size_t cap = z->cap ? z->cap : XLSX_WINDOW_MIN;
    while (cap < need)
        cap *= 2;
    unsigned char *w = realloc(z->win, cap); /* cap <= XLSX_WINDOW_MAX: powers of two */
    if (!w)
        return 0; /* written to the file instead */
    z->win = w;
    z->cap = cap;
    return 1;
}

/* Writes the window's bytes to the file and empties it. */
static int flush_window(zfile *z)
{
    if (z->len && !z->err && pwrite_all(z->fd, z->win, z->len, (off_t)z->base) != 0)
        z->err = errno ? errno : EIO;
    z->base += z->len;
    z->len = 0;
    return z->err ? -1 : 0;
}

static uLong ZCALLBACK zf_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque;
    zfile *z = stream;
    if (z->err)
        goto failed;
    if (!in_window(z, size)) {
        if (flush_window(z) != 0)
            goto failed;
        z->base = z->pos; /* the window starts again here */
        if (!in_window(z, size)) {
            if (pwrite_all(z->fd, buf, size, (off_t)z->pos) != 0) {
                z->err = errno ? errno : EIO;
                goto failed;
            }
            z->base = z->pos + size;
        }
    }
    if (z->base <= z->pos && z->pos - z->base <= z->len) { /* in the window */
        size_t off = (size_t)(z->pos - z->base);
        memcpy(z->win + off, buf, size);
        if (off + size > z->len)
            z->len = off + size;
    }
    z->pos += size;
    if (z->pos > z->end)
        z->end = z->pos;
    return size;
failed:
    errno = z->err;
    return 0;
}

/* Opened write-only, as by "wb": nothing to read (minizip reads only a
 * zip file it appends to). */
static uLong ZCALLBACK zf_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque, (void)stream, (void)buf, (void)size;
    errno = EBADF;
    return 0;
}

static ZPOS64_T ZCALLBACK zf_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((zfile *)stream)->pos;
}

static long ZCALLBACK zf_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
    (void)opaque;
    zfile *z = stream;
    ZPOS64_T from = origin == ZLIB_FILEFUNC_SEEK_SET ? 0
                  : origin == ZLIB_FILEFUNC_SEEK_CUR ? z->pos
                  : origin == ZLIB_FILEFUNC_SEEK_END ? z->end : (ZPOS64_T)-1;
    if (from == (ZPOS64_T)-1 || offset > (ZPOS64_T)INT64_MAX - from) {
        errno = EINVAL;
        return -1;
    }
    z->pos = from + offset;
    return 0;
}

static int ZCALLBACK zf_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    zfile *z = stream;
    flush_window(z);
    if (close(z->fd) != 0 && !z->err)
        z->err = errno;
    int err = z->err;
    free(z->win);
    free(z);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

static int ZCALLBACK zf_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((zfile *)stream)->err != 0;
}

zipFile zipOpen(const char *pathname, int append)
{
    if (append != APPEND_STATUS_CREATE) { /* minizip's own, through stdio */
        zopen_fn real;
        void *sym = next_def("zipOpen");
        if (!sym)
            return NULL;
        *(void **)&real = sym; /* POSIX's way from an object to a function pointer */
        return real(pathname, append);
    }
    zlib_filefunc64_def io = {zf_open, zf_read, zf_write, zf_tell, zf_seek, zf_close, zf_error, NULL};
    return zipOpen2_64(pathname, append, NULL, &io);
}
