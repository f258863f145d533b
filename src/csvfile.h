/*
 * csvfile.h - read a CSV file as exported by Chinese Excel or written by
 * hand, into rows of UTF-8 fields that remember their line numbers.
 *
 * Accepted: UTF-8 with or without BOM, GB18030 (GBK is a subset; converted
 * to UTF-8 with iconv), LF or CRLF line ends, quoted fields (RFC 4180).
 * Refused with a message that says so: UTF-16/UTF-32 (BOM detected),
 * bytes that are neither UTF-8 nor GB18030, malformed quoting, an empty file.
 * Rows whose fields are all empty (Excel's trailing ",,,") are dropped.
 * Fields are trimmed of surrounding ASCII spaces and tabs.
 * Parsing uses libcsv.
 */
#ifndef PLANEVAL_CSVFILE_H
#define PLANEVAL_CSVFILE_H

#include <stddef.h>

typedef struct csv_row {
    int line;      /* 1-based physical line where the row starts */
    int nfields;
    char **fields; /* UTF-8, trimmed, never NULL (empty string when blank); one block
                      with the texts, owned by the table */
} csv_row;

typedef struct csv_table {
    char *path;
    const char *encoding; /* "UTF-8", "UTF-8 with BOM" or "GB18030" (static string) */
    int crlf;             /* 1 if CRLF line ends were seen */
    int nrows;            /* including the header row, rows[0] */
    csv_row *rows;
} csv_table;

typedef struct csv_error {
    int line;      /* 1-based, 0 when not about one line */
    int col;       /* 1-based field number, 0 when unknown */
    int open_errno; /* errno when the file could not be opened, else 0 */
    char msg[512];
} csv_error;

/* Read path into *t. Returns 0, or -1 with *err filled and *t left empty. */
int csvfile_read(const char *path, csv_table *t, csv_error *err);
/* Same, from a memory buffer (path is used in messages only). */
int csvfile_parse(const char *path, const char *data, size_t len, csv_table *t,
                  csv_error *err);
void csvfile_free(csv_table *t);

/*
 * Rows streamed rather than kept, for files too large to hold parsed (a
 * parsed row took about three times its text). The whole file is checked
 * first, as csvfile_read does (encoding, quoting), and nothing is
 * streamed from a file that fails; then start(ctx, t, n) is called with
 * the header in t->rows[0] (t->nrows 1) and n the room to make for the
 * data rows (their number, or a bound: at least as many), then each(ctx,
 * row) once per data row, in order. A row and its fields are valid during
 * the call only. Afterwards t holds the header alone.
 */
typedef struct csv_stream {
    void (*start)(void *ctx, const csv_table *t, int nrows);
    void (*each)(void *ctx, const csv_row *row);
    void *ctx;
    char *sha256; /* when not NULL: the digest of the file's bytes as read, 65 chars */
} csv_stream;

int csvfile_read_stream(const char *path, csv_table *t, csv_error *err, const csv_stream *stream);

/* Index of the header field (rows[0]) equal to name, or -1. */
int csv_column(const csv_table *t, const char *name);

/* Field col of row r, or "" when the row is shorter or col < 0. */
const char *csv_get(const csv_row *r, int col);

#endif
