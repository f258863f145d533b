/*
 * util.h - allocation that never returns NULL, growable strings, and
 * small string helpers shared by every module.
 *
 * Allocation failure aborts the program with a message: planeval is a batch
 * tool, and an out-of-memory condition has no useful recovery path.
 */
#ifndef PLANEVAL_UTIL_H
#define PLANEVAL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>
#include <sys/types.h>
#include <time.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a freshly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grow *items (of elem_size bytes each) so that index n is valid. */
void grow_array(void **items, size_t *cap, size_t n, size_t elem_size);
#define ARRAY_PUSH(arr, count, cap)                                            \
    (grow_array((void **)&(arr), &(cap), (count), sizeof(*(arr))), &(arr)[(count)++])

/* A growable NUL-terminated byte string. */
typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

void sb_init(strbuf *b);
void sb_free(strbuf *b);
void sb_add(strbuf *b, const char *s);
void sb_addn(strbuf *b, const char *s, size_t n);
void sb_addc(strbuf *b, char c);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand over the buffer; b is left empty. */
char *sb_take(strbuf *b);

/*
 * Strings kept until the pool is freed: the texts a renderer builds for a
 * document, freed together at its end.
 */
typedef struct strpool {
    char **s;
    size_t n, cap;
} strpool;

/* Keep s (allocated; the pool takes it) and return it. */
char *strpool_keep(strpool *p, char *s);
/* printf into a string the pool keeps. */
char *strpool_printf(strpool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strpool_free(strpool *p);

/* Levenshtein distance counted in Unicode code points (for "did you mean"),
 * or limit + 1 when it is more than limit. */
int utf8_edit_distance(const char *a, const char *b, int limit);
/* Number of code points in the first n bytes of s. */
int utf8_columns(const char *s, size_t n);
/* 1 if s is valid UTF-8. */
int utf8_valid(const char *s, size_t n);
/* Characters (code points, not bytes) of a valid UTF-8 text. */
size_t utf8_chars(const char *s);

/*
 * The date every output carries (PDF creation date, workbook properties), so
 * that a run can be repeated byte for byte: SOURCE_DATE_EPOCH when it is set
 * to a non-negative integer, else 31 December (00:00 UTC) of eval_year (of
 * 2000 when eval_year is 0).
 */
time_t output_date(int eval_year);

/* path opened for reading if it is a regular file (st: its fstat), or -1
 * with errno set: EISDIR for a directory, EINVAL for a FIFO, a device or a
 * socket (not read). The open does not wait for a FIFO's writer
 * (O_NONBLOCK, which does nothing to a regular file's reads); a file
 * another process holds a lease on (Samba's oplocks) is waited for, as a
 * plain open() does. The caller closes the descriptor. */
struct stat;
int open_regular(const char *path, struct stat *st);

/* The whole of regular file path, NUL-terminated (an empty file gives ""),
 * its length in *len when len is not NULL; NULL with errno set if it cannot
 * be opened or read, EISDIR or EINVAL if it is a directory or not a regular
 * file (a FIFO, a device: not read). The caller frees it. */
char *read_whole_file(const char *path, size_t *len);

/*
 * The rest of fd, NUL-terminated, *len bytes (a malloc'ed block the caller
 * frees). For a regular file of size bytes (regular 1) one read() of size
 * + 1 sees the end, as a regular file reads short only there (stdio made a
 * read per 4 KB and two more at the end); more only if it grew, or if a
 * read came back short before size bytes (network and FUSE file systems
 * may). NULL with errno set on a read error, or EFBIG past max bytes.
 */
char *read_fd(int fd, int regular, size_t size, size_t max, size_t *len);

/* The directory part of path ("." if none, "/" for a file at the root).
 * The caller frees it. */
char *path_parent(const char *path);

/* Trim ASCII whitespace in place; returns s. */
char *str_trim(char *s);
int str_eq(const char *a, const char *b);
/* The big-endian 16- and 32-bit numbers at p (TrueType tables, PNG chunks). */
static inline uint16_t be16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
/* FNV-1a of a NUL-terminated string. */
size_t str_hash(const char *s);

/*
 * Strings, each with a tag (an int that is part of the key: a table's
 * index, say), to ints: a lookup in constant time where a scan over every
 * entry made loading a dictionary quadratic. The keys are borrowed, not
 * copied: they must outlive the map. Zero-initialised is empty.
 */
typedef struct strmap_slot {
    const char *key; /* NULL: empty */
    int tag, value;
} strmap_slot;
typedef struct strmap {
    strmap_slot *slot;
    size_t nslot, n; /* nslot a power of two, at least twice n */
} strmap;
/* Map (tag, key) to value unless it is mapped already: the first one stays. */
void strmap_add_first(strmap *m, int tag, const char *key, int value);
/* The value of (tag, key), or -1 when it has none. */
int strmap_get(const strmap *m, int tag, const char *key);
void strmap_free(strmap *m);

/*
 * Parse a decimal number (optionally signed, with fraction and exponent).
 * Returns 0 on success; -1 if s is not entirely a number.
 */
int parse_number(const char *s, double *out);

/*
 * Shortest decimal text that reads back as the same double (%.15g, then
 * %.17g if needed). Writes into buf of at least 32 bytes; returns buf.
 */
char *format_number(double v, char *buf);

/*
 * v rounded to P significant digits (1 to 17) exactly as printf rounds
 * them (to nearest, ties to even, on v's exact binary value): the digits
 * as an integer of P digits in *digits, the decimal exponent of the first
 * in *exp10 (12.5 with P = 3: 125 and 1). From v's bits with integer
 * arithmetic, for |v| in [1e-5, 2^53) and under 10^P; 0 outside it
 * (nothing set).
 */
int decimal_round(double v, int P, unsigned long long *digits, int *exp10);

/*
 * v as printf's "%.*g" writes it with P significant digits (and "%.*G",
 * the same without an exponent), at out (32 bytes at least), terminated:
 * its length; 0, nothing written, if decimal_round leaves v out or the
 * text would take an exponent (below 1e-4 or from 10^P on after rounding).
 */
size_t format_g_fixed(char *out, double v, int P);

/*
 * v as printf's "%.*f" writes it with prec decimals, at out (32 bytes at
 * least), terminated: its length; 0, nothing written, outside the cases
 * worked out here (prec 0 to 9, |v| below 1e9, v zero or normal), which
 * are the callers' to give to printf.
 */
size_t format_f(char *out, double v, int prec);

/*
 * n bytes to f, as fwrite_unlocked writes them: straight into f's stdio
 * buffer when they fit, as glibc's putc_unlocked macro does (its FILE's
 * _IO_write_ptr and _IO_write_end, part of glibc's ABI; an unbuffered or
 * line-buffered stream, or one not writing, never has room there), else
 * fwrite_unlocked. fwrite's setup cost ~100 instructions a call, for the
 * workbooks' ~200,000 tags and the CSV files' fields. Not for a stream
 * shared between threads. Returns whether all n were written.
 */
int put_bytes(FILE *f, const void *p, size_t n);

/* Writes all n bytes at p to fd at offset off (pwrite, again after a short
 * write or EINTR): 0, or -1 with errno set. */
int pwrite_all(int fd, const void *p, size_t n, off_t off);

/* The decimal digits of u, as printf's %llu writes them, into buf (21
 * bytes at least), terminated: their count. The hand-written numbers of the
 * workbooks, templates and PDFs (no sign: callers put their own). */
size_t format_uint(char *buf, unsigned long long u);

/*
 * v rounded to thousandths (halves away from zero; 0 when v is not finite
 * or |v| >= 1e12) with no zeros ending the decimals and no point when none
 * is left: "12.5", "-0.25", "3" (the numbers of the charts' content
 * operators). Writes at most 24 bytes at p, not terminated; returns the end.
 */
char *format_milli(char *p, double v);

/*
 * v as snprintf's "%.3f" writes it (the PDF's text positions), without
 * printf's general machinery: snprintf itself only where v * 1000 lies
 * within 1e-6 of a half (the product's rounding could decide the last
 * digit), |v| >= 1e6, or v is not finite. Writes at most n bytes (n >= 24)
 * at p; returns the end of the text (its NUL).
 */
char *format_fixed3(char *p, size_t n, double v);

#endif
