/*
 * csvfile.c - read a CSV file into rows of trimmed UTF-8 fields with line
 * numbers. See csvfile.h for the contract.
 *
 * Steps: read the file whole; detect the encoding (UTF-8 BOM, refuse
 * UTF-16/32, validate UTF-8, else convert from GB18030 with iconv); refuse
 * NUL bytes; then hand the text to libcsv (strict mode) one physical line at
 * a time.
 *
 * Line numbers: libcsv reports no positions and silently skips blank lines,
 * so the text is fed in chunks of one physical line each (a line ends at LF,
 * CRLF or a lone CR) and the number of the chunk being parsed is known in
 * the callbacks. A row's first field is reported while libcsv reads the
 * delimiter or line end that closes it; only a quoted field can span lines,
 * and libcsv keeps every line-break byte of a quoted field in the field's
 * data, so the row starts at (current line - line breaks in the first
 * field). The same count over libcsv's unfinished entry buffer gives the
 * line where an unterminated quoted field began.
 */
#include "csvfile.h"
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/*
 * libcsv declares a function csv_error(), which clashes with the csv_error
 * type of csvfile.h. Its declaration is renamed away here; the error code it
 * would return is read from the parser's public status field instead.
 */
#define csv_error libcsv_csv_error_unused
#include <csv.h>
#undef csv_error

#define CSVFILE_MAX_BYTES ((size_t)256 * 1024 * 1024)

static const char UTF16_MSG[] =
    "file is UTF-16 (or UTF-32); save it as 'CSV UTF-8' or GB18030";

static void set_err(csv_error *err, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_err(csv_error *err, int line, int col, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    err->line = line;
    err->col = col;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ---- line breaks: LF, CRLF or a lone CR each end one line ---- */

/* Index just past the line that starts at i (its line end included).
 * has_cr: s holds a CR; without one, the line ends at the next LF, which
 * memchr finds at a fraction of a byte loop's cost. */
static size_t line_end(const char *s, size_t n, size_t i, int has_cr)
{
    if (!has_cr) {
        const char *lf = memchr(s + i, '\n', n - i);
        return lf ? (size_t)(lf - s) + 1 : n;
    }
    while (i < n) {
        char c = s[i++];
        if (c == '\n')
            return i;
        if (c == '\r') {
            if (i < n && s[i] == '\n')
                i++;
            return i;
        }
    }
    return n;
}

/* Line breaks in s[0, n): each LF, and each CR not followed by a LF (with
 * memchr: most text holds no CR, and a whole file is counted at times). */
static size_t count_breaks(const char *s, size_t n)
{
    size_t k = 0;
    for (const char *q = s; (q = memchr(q, '\n', (size_t)(s + n - q))) != NULL; q++)
        k++;
    for (const char *q = s; (q = memchr(q, '\r', (size_t)(s + n - q))) != NULL; q++)
        k += q + 1 == s + n || q[1] != '\n';
    return k;
}

/*
 * The lines of s (ended by LF, CRLF or a lone CR) holding more than commas,
 * blanks and tabs: at least the rows that are not blank, and when nothing
 * is quoted no more than those and the header. Counting every line break
 * instead let a file of empty lines (256 MB of them within the size limit)
 * make room for hundreds of millions of rows.
 */
static size_t count_filled_lines(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    int cr = memchr(s, '\r', n) != NULL;
    size_t k = 0;
    while (p < end) {
        char c = *p;
        if (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            p++;
            continue;
        }
        k++; /* a filled line: on to its end */
        if (!cr) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            p = nl ? nl + 1 : end;
        } else {
            while (p < end && *p != '\n' && *p != '\r')
                p++;
        }
    }
    return k;
}

/* 1-based line of byte offset off. */
static int line_of(const char *s, size_t off)
{
    return 1 + (int)count_breaks(s, off);
}

/* ---- encoding ---- */

/* Offset of the first byte that does not start a valid UTF-8 sequence
 * (strict: no overlongs, surrogates or code points above U+10FFFF), or n. */
static size_t utf8_first_invalid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII, most of a table, eight bytes at a time */
        uint64_t w;
        while (i + 8 <= n && (memcpy(&w, s + i, 8), (w & 0x8080808080808080u) == 0))
            i += 8;
        if (i == n)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Most of a Chinese text: three bytes whose lead is neither E0
         * (overlongs) nor ED (surrogates), so any two continuation bytes. */
        if ((c & 0xf0) == 0xe0 && c != 0xe0 && c != 0xed && i + 3 <= n &&
            (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80) {
            i += 3;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0)
                lo = 0xa0;      /* overlong */
            else if (c == 0xed)
                hi = 0x9f;      /* surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0)
                lo = 0x90;      /* overlong */
            else if (c == 0xf4)
                hi = 0x8f;      /* above U+10FFFF */
        } else {
            return i;
        }
        if (i + len > n || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
        i += len;
    }
    return n;
}

/* Convert GB18030 to UTF-8. Returns a NUL-terminated buffer and its length,
 * or NULL if the input is not valid GB18030. */
static char *gb18030_to_utf8(const char *in, size_t n, size_t *outlen)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return NULL;
    /* A GB18030 sequence of k bytes never yields more than 2k UTF-8 bytes. */
    size_t cap = 2 * n + 16;
    char *out = xmalloc(cap);
    char *ip = (char *)in;
    size_t ileft = n;
    char *op = out;
    size_t oleft = cap - 1;
    int ok = 1;
    while (ileft > 0) {
        if (iconv(cd, &ip, &ileft, &op, &oleft) != (size_t)-1)
            continue;
        if (errno == E2BIG) {
            size_t used = (size_t)(op - out);
            cap *= 2;
            out = xrealloc(out, cap);
            op = out + used;
            oleft = cap - 1 - used;
            continue;
        }
        ok = 0; /* EILSEQ, or EINVAL: incomplete sequence at the end */
        break;
    }
    iconv_close(cd);
    if (!ok) {
        free(out);
        return NULL;
    }
    *op = '\0';
    *outlen = (size_t)(op - out);
    return out;
}

/* ---- parsing with libcsv ---- */

typedef struct parse_state {
    csv_table *t;
    size_t rows_cap;
    /* The row being collected: its fields' texts one after the other, each
     * ending in a NUL, and where each starts (a field's own allocation cost
     * more than parsing it). */
    char *text;
    size_t tlen, tcap;
    size_t *offs;
    int nfields;
    size_t offs_cap;
    char **fields; /* a streamed row's field pointers (into text) */
    size_t fields_cap;
    int nonblank;  /* the row has a non-empty field */
    int row_line;
    int cur_line;  /* line of the chunk libcsv is parsing */
    const csv_stream *stream; /* rows after the header go there, not into t */
    int nstreamed;
    int start_bound; /* >= 0: call stream->start with it once the header is read */
} parse_state;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void on_field(void *data, size_t n, void *arg)
{
    parse_state *st = arg;
    const char *s = data ? data : "";
    if (!data)
        n = 0;
    if (st->nfields == 0)
        st->row_line = st->cur_line - (int)count_breaks(s, n);
    while (n > 0 && is_blank(*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n > 0)
        st->nonblank = 1;
    if (st->tcap - st->tlen < n + 1) {
        size_t cap = st->tcap ? st->tcap : 256;
        while (cap - st->tlen < n + 1)
            cap *= 2;
        st->text = xrealloc(st->text, cap);
        st->tcap = cap;
    }
    memcpy(st->text + st->tlen, s, n);
    st->text[st->tlen + n] = '\0';
    *ARRAY_PUSH(st->offs, st->nfields, st->offs_cap) = st->tlen;
    st->tlen += n + 1;
}

static void drop_fields(parse_state *st)
{
    st->nfields = 0;
    st->tlen = 0;
    st->nonblank = 0;
}

static void on_row(int c, void *arg)
{
    parse_state *st = arg;
    (void)c;
    if (!st->nonblank) {
        drop_fields(st);
        return;
    }
    if (st->stream && st->t->nrows >= 1) {
        if (st->nfields > 0)
            grow_array((void **)&st->fields, &st->fields_cap, (size_t)st->nfields - 1,
                       sizeof *st->fields);
        for (int i = 0; i < st->nfields; i++)
            st->fields[i] = st->text + st->offs[i];
        csv_row row = {st->row_line, st->nfields, st->fields};
        if (st->stream->each)
            st->stream->each(st->stream->ctx, &row);
        st->nstreamed++;
        drop_fields(st);
        return;
    }
    csv_row *r = ARRAY_PUSH(st->t->rows, st->t->nrows, st->rows_cap);
    r->line = st->row_line;
    r->nfields = st->nfields;
    /* One block per row, the field pointers then the texts: a field's own
     * allocation costs more than its text (a 50 MB file of short fields
     * took 14 times its size in memory). */
    r->fields = xmalloc((size_t)st->nfields * sizeof *r->fields + st->tlen);
    char *text = (char *)(r->fields + st->nfields);
    memcpy(text, st->text, st->tlen);
    for (int i = 0; i < st->nfields; i++)
        r->fields[i] = text + st->offs[i];
    drop_fields(st);
    if (st->stream && st->start_bound >= 0 && st->stream->start)
        st->stream->start(st->stream->ctx, st->t, st->start_bound);
}

/* Length of the UTF-8 sequence that starts with byte c (text is valid). */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0xc0)
        return 1;
    if (c < 0xe0)
        return 2;
    if (c < 0xf0)
        return 3;
    return 4;
}

/* Describe a libcsv strict-mode error at byte text[at]. */
static void strict_error(csv_error *err, const struct csv_parser *p, const char *text, size_t n,
                         size_t at, int line, int col)
{
    unsigned char c = (unsigned char)text[at];
    if (c == '"' && !p->quoted) {
        set_err(err, line, col,
                "malformed quoted field: a quote (\") inside unquoted field %d; "
                "put the whole field in quotes and double the quote inside (\"\")",
                col);
    } else if (c == '"') {
        set_err(err, line, col,
                "malformed quoted field: a second quoted part after the closing quote "
                "of field %d; a quote inside a quoted field must be doubled (\"\")",
                col);
    } else {
        size_t k = utf8_seq_len(c);
        if (at + k > n)
            k = n - at;
        set_err(err, line, col,
                "malformed quoted field: '%.*s' after the closing quote of field %d; "
                "a quote inside a quoted field must be doubled (\"\")",
                (int)k, text + at, col);
    }
}

void csvfile_free(csv_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nrows; i++)
        free(t->rows[i].fields); /* the row's one block (on_row) */
    free(t->rows);
    free(t->path);
    memset(t, 0, sizeof *t);
}

/*
 * The pages of text before byte i, once parsed for the last time, given
 * back to the system (a streamed file need not stay in memory whole
 * while its rows are built). Only for a buffer planeval owns; its bytes
 * there read as zeros afterwards and are not read again.
 */
static void release_behind(const char *text, size_t *released, size_t i)
{
    static const size_t step = (size_t)4 << 20;
    if (i - *released < step)
        return;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return;
    uintptr_t from = ((uintptr_t)text + *released + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t to = ((uintptr_t)text + i) & ~((uintptr_t)page - 1);
    if (to > from)
        (void)madvise((void *)from, to - from, MADV_DONTNEED); /* a hint: a failure costs memory only */
    *released = i;
}

/*
 * libcsv grows a field's buffer by a fixed step (128 bytes unless told),
 * each time through realloc: where realloc copies (ASan's always does) a
 * field of megabytes cost gigabytes of copying, quadratic in its length.
 * A step of at least the line about to be parsed and the buffer so far
 * makes one realloc enough for a line and the buffer grow geometrically.
 */
static void grow_step(struct csv_parser *p, size_t line)
{
    size_t step = csv_get_buffer_size(p);
    if (step < line)
        step = line;
    csv_set_blk_size(p, step < 128 ? 128 : step);
}

/* Parse UTF-8 text (no BOM, no NUL) into t, or its rows after the header
 * into stream (counted in *nstreamed; start_bound >= 0: stream->start is
 * called with it once the header is read). Returns 0 or -1. */
static int parse_text(const char *text, size_t n, csv_table *t, csv_error *err,
                      const csv_stream *stream, int *nstreamed, int start_bound, int release)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        set_err(err, 0, 0, "cannot initialise the CSV parser (out of memory)");
        return -1;
    }
    parse_state st = {0};
    st.t = t;
    st.stream = stream;
    st.start_bound = start_bound;
    if (!stream) {
        /* At most one row a line: the rows array at once, not grown by
         * doubling (grow_array zeroes what it adds, up to twice the rows). */
        size_t lines = 1;
        for (const char *q = text; (q = memchr(q, '\n', (size_t)(text + n - q))) != NULL; q++)
            lines++;
        t->rows = xmalloc(lines * sizeof *t->rows);
        st.rows_cap = lines;
    }
    int rc = 0;
    size_t i = 0, released = 0;
    int has_cr = memchr(text, '\r', n) != NULL;
    while (i < n) {
        size_t e = line_end(text, n, i, has_cr);
        st.cur_line++;
        grow_step(&p, e - i);
        size_t got = csv_parse(&p, text + i, e - i, on_field, on_row, &st);
        if (got < e - i) {
            int code = p.status; /* what libcsv's csv_error(&p) returns */
            if (code == CSV_EPARSE)
                strict_error(err, &p, text, n, i + got, st.cur_line, st.nfields + 1);
            else
                set_err(err, st.cur_line, 0, "CSV parser: %s", csv_strerror(code));
            rc = -1;
            break;
        }
        i = e;
        if (release)
            release_behind(text, &released, i);
    }
    if (rc == 0 && csv_fini(&p, on_field, on_row, &st) != 0) {
        /* The only csv_fini failure: a quoted field still open at the end.
         * libcsv's entry buffer holds its data since the opening quote. */
        int start = line_of(text, n) - (int)count_breaks((const char *)p.entry_buf, p.entry_pos);
        set_err(err, start, st.nfields + 1,
                "unterminated quoted field starting at line %d: the closing quote is "
                "missing, so the rest of the file was read as part of field %d",
                start, st.nfields + 1);
        rc = -1;
    }
    csv_free(&p);
    drop_fields(&st);
    free(st.text);
    free(st.offs);
    free(st.fields);
    if (rc == 0 && t->nrows == 0) {
        set_err(err, 0, 0, "file is empty: every row is blank");
        rc = -1;
    }
    if (nstreamed)
        *nstreamed = st.nstreamed;
    return rc;
}

/*
 * Streamed: the whole text is parsed once to be checked (the header kept,
 * the rows counted), so that nothing is streamed from a file that fails;
 * then again, into the stream. A text without a quote byte is parsed once:
 * libcsv's strict mode fails only on a quote (in an unquoted field, after
 * a closing one, or one left open at the end), so such a text can fail
 * only by having no row at all, found before anything is streamed. Its
 * start gets the filled lines, at least the data rows, as their number.
 */
static int parse_stream(const char *text, size_t n, csv_table *t, csv_error *err,
                        const csv_stream *stream, int release)
{
    if (!memchr(text, '"', n)) {
        size_t lines = count_filled_lines(text, n);
        return parse_text(text, n, t, err, stream, NULL, lines > INT_MAX ? INT_MAX : (int)lines,
                          release);
    }
    csv_stream count = {NULL, NULL, NULL, NULL};
    int nrows = 0;
    if (parse_text(text, n, t, err, &count, &nrows, -1, 0) != 0)
        return -1;
    if (stream->start) /* t holds the header */
        stream->start(stream->ctx, t, nrows);
    csvfile_free(t);
    return parse_text(text, n, t, err, stream, NULL, -1, release);
}

/* own: the caller's buffer holding data, which parse_any may free (and
 * then set to NULL) once it is not needed; NULL when data is borrowed. */
static int parse_any(const char *path, const char *data, size_t len, csv_table *t,
                     csv_error *err, const csv_stream *stream, char **own)
{
    const unsigned char *u = (const unsigned char *)data;
    memset(t, 0, sizeof *t);
    if (err)
        memset(err, 0, sizeof *err);
    if (len > CSVFILE_MAX_BYTES) {
        set_err(err, 0, 0, "file is too large (%zu bytes; the limit is 256 MiB)", len);
        return -1;
    }
    if ((len >= 4 && u[0] == 0xff && u[1] == 0xfe && u[2] == 0 && u[3] == 0) ||
        (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff) ||
        (len >= 2 && u[0] == 0xff && u[1] == 0xfe) ||
        (len >= 2 && u[0] == 0xfe && u[1] == 0xff)) {
        set_err(err, 0, 0, "%s", UTF16_MSG);
        return -1;
    }
    size_t skip = 0;
    const char *encoding = "UTF-8";
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
        skip = 3;
        encoding = "UTF-8 with BOM";
    }
    const char *body = data + skip;
    size_t n = len - skip;

    size_t k = 0;
    while (k < n && (body[k] == ' ' || body[k] == '\t' || body[k] == '\r' || body[k] == '\n'))
        k++;
    if (k == n) {
        set_err(err, 0, 0, "file is empty");
        return -1;
    }

    /* NUL bytes: counted only in a file that has one (memchr finds none in
     * a text file at a fraction of a byte loop's cost) */
    size_t nuls = 0, first_nul = n;
    const char *nul = memchr(body, '\0', n);
    if (nul) {
        first_nul = (size_t)(nul - body);
        for (size_t i = first_nul; i < n; i++)
            nuls += body[i] == '\0';
    }
    if (nuls >= 2 && nuls * 10 >= n) { /* UTF-16/32 without a BOM */
        set_err(err, 0, 0, "%s", UTF16_MSG);
        return -1;
    }
    if (nuls) {
        int line = line_of(body, first_nul);
        set_err(err, line, 0,
                "NUL byte (0x00) at byte offset %zu (line %d): a CSV file holds text only",
                first_nul + skip, line);
        return -1;
    }

    char *converted = NULL;
    const char *text = body;
    size_t bad = utf8_first_invalid((const unsigned char *)body, n);
    if (bad < n) {
        int line = line_of(body, bad);
        unsigned badbyte = (unsigned char)body[bad];
        if (skip) {
            set_err(err, line, 0,
                    "file starts with a UTF-8 BOM but is not valid UTF-8: byte 0x%02X at "
                    "byte offset %zu (line %d); save it again as 'CSV UTF-8'",
                    badbyte, bad + skip, line);
            return -1;
        }
        size_t clen = 0;
        converted = gb18030_to_utf8(body, n, &clen);
        if (!converted) {
            set_err(err, line, 0,
                    "file is neither UTF-8 nor GB18030: byte 0x%02X at byte offset %zu "
                    "(line %d) is not valid UTF-8, and the file does not convert from "
                    "GB18030 either; save it as 'CSV UTF-8'",
                    badbyte, bad, line);
            return -1;
        }
        text = converted;
        n = clen;
        encoding = "GB18030";
        if (own) { /* the GB18030 bytes are not needed once converted */
            free(*own);
            *own = NULL;
        }
    }

    int crlf = 0; /* before a streamed parse gives the text's pages back */
    for (const char *cr = memchr(text, '\r', n); cr && !crlf;
         cr = memchr(cr + 1, '\r', n - (size_t)(cr + 1 - text)))
        crlf = (size_t)(cr - text) + 1 < n && cr[1] == '\n';
    int rc = stream ? parse_stream(text, n, t, err, stream, own || converted != NULL)
                    : parse_text(text, n, t, err, NULL, NULL, -1, 0);
    if (rc == 0) {
        t->path = xstrdup(path ? path : "");
        t->encoding = encoding;
        t->crlf = crlf;
    } else {
        csvfile_free(t);
    }
    free(converted);
    return rc;
}

int csvfile_parse(const char *path, const char *data, size_t len, csv_table *t,
                  csv_error *err)
{
    return parse_any(path, data, len, t, err, NULL, NULL);
}

static int read_any(const char *path, csv_table *t, csv_error *err, const csv_stream *stream)
{
    memset(t, 0, sizeof *t);
    if (err)
        memset(err, 0, sizeof *err);
    /* read_fd(): stdio added a read per 4 KB. open_regular() does not wait
     * for a FIFO's writer: a FIFO (or a link to one) named as a table hung
     * the run; it is refused, unread. */
    struct stat sb;
    int fd = open_regular(path, &sb);
    if (fd < 0) {
        int saved = errno;
        if (saved == EINVAL) /* a FIFO, a socket, a device (util.h) */
            set_err(err, 0, 0, "is not a regular file: a CSV table was expected");
        else if (saved == EISDIR)
            set_err(err, 0, 0, "cannot read %s: %s", path, strerror(saved));
        else
            set_err(err, 0, 0, "cannot open %s: %s", path, strerror(saved));
        if (err && saved != EINVAL && saved != EISDIR)
            err->open_errno = saved;
        return -1;
    }
    if ((unsigned long long)sb.st_size > CSVFILE_MAX_BYTES) {
        set_err(err, 0, 0, "file is too large (%lld bytes; the limit is 256 MiB)",
                (long long)sb.st_size);
        close(fd);
        return -1;
    }
    size_t len = 0;
    char *buf = read_fd(fd, 1, (size_t)sb.st_size, CSVFILE_MAX_BYTES, &len);
    if (!buf) {
        if (errno == EFBIG)
            set_err(err, 0, 0, "file is too large (more than 256 MiB)");
        else
            set_err(err, 0, 0, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    /* the digest of the bytes parsed, before a streamed parse frees them */
    if (stream && stream->sha256)
        sha256_hex(buf, len, stream->sha256);
    int rc = parse_any(path, buf, len, t, err, stream, &buf);
    free(buf);
    return rc;
}

int csvfile_read(const char *path, csv_table *t, csv_error *err)
{
    return read_any(path, t, err, NULL);
}

int csvfile_read_stream(const char *path, csv_table *t, csv_error *err, const csv_stream *stream)
{
    return read_any(path, t, err, stream);
}

int csv_column(const csv_table *t, const char *name)
{
    if (t->nrows < 1)
        return -1;
    for (int i = 0; i < t->rows[0].nfields; i++)
        if (strcmp(t->rows[0].fields[i], name) == 0)
            return i;
    return -1;
}

const char *csv_get(const csv_row *r, int col)
{
    return col >= 0 && col < r->nfields ? r->fields[col] : "";
}
