/*
 * test_csvfile.c - unit tests for csvfile.c.
 *
 * Most inputs are built in memory and given to csvfile_parse(); files are
 * read with csvfile_read() from temporary files and from the fixtures in
 * tests/unit/csv/:
 *   gb18030_crlf.csv  GB18030, CRLF, as Chinese Excel saves "CSV": a quoted
 *                     field with a comma, U+00B7, a 4-byte GB18030 character
 *                     (U+20000) and the euro sign
 *   utf8_bom_crlf.csv UTF-8 with BOM, CRLF ("CSV UTF-8" from Excel)
 *   utf16le_bom.csv   UTF-16 LE with BOM ("Unicode text" from Excel)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvfile.h"
#include "util.h"

#define UTF16_MSG "file is UTF-16 (or UTF-32); save it as 'CSV UTF-8' or GB18030"

/* tests/unit/csv/<name>, found next to this source file. */
static char *fixture(const char *name)
{
    static char buf[4096];
    const char *src = __FILE__;
    const char *slash = strrchr(src, '/');
    int dirlen = slash ? (int)(slash - src + 1) : 0;
    snprintf(buf, sizeof buf, "%.*scsv/%s", dirlen, src, name);
    return buf;
}

static int is_zeroed(const csv_table *t)
{
    return t->path == NULL && t->encoding == NULL && t->crlf == 0 && t->nrows == 0 &&
           t->rows == NULL;
}

static void parse_ok(const char *data, size_t len, csv_table *t)
{
    csv_error err;
    int rc = csvfile_parse("mem.csv", data, len, t, &err);
    if (rc != 0)
        print_error("unexpected error: %d:%d: %s\n", err.line, err.col, err.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(t->path, "mem.csv");
}
#define PARSE_OK(lit, t) parse_ok((lit), sizeof(lit) - 1, (t))

/* Parse must fail with exactly this line, column and message. */
static void parse_err(const char *data, size_t len, int line, int col, const char *msg)
{
    csv_table t;
    csv_error err;
    memset(&t, 0x5a, sizeof t); /* garbage in: must come out zeroed */
    assert_int_equal(csvfile_parse("mem.csv", data, len, &t, &err), -1);
    assert_true(is_zeroed(&t));
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    csvfile_free(&t); /* safe on an empty table */
    assert_true(is_zeroed(&t));
}
#define PARSE_ERR(lit, line, col, msg) parse_err((lit), sizeof(lit) - 1, (line), (col), (msg))

/* Row i has this line and exactly these fields (NULL-terminated list). */
static void check_row(const csv_table *t, int i, int line, ...)
{
    assert_true(i < t->nrows);
    const csv_row *r = &t->rows[i];
    assert_int_equal(r->line, line);
    va_list ap;
    va_start(ap, line);
    int n = 0;
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        assert_true(n < r->nfields);
        assert_non_null(r->fields[n]);
        assert_string_equal(r->fields[n], want);
        n++;
    }
    va_end(ap);
    assert_int_equal(r->nfields, n);
}

/* Write data to a fresh temporary file; returns its path (caller unlinks). */
static char *temp_file(const char *data, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_csvfile_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    return path;
}

/* ---- line ends ---- */

static void test_lf(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("year,gdp\n2021,392.6\n2022,401.5\n", &t);
    assert_string_equal(t.encoding, "UTF-8");
    assert_int_equal(t.crlf, 0);
    assert_int_equal(t.nrows, 3);
    check_row(&t, 0, 1, "year", "gdp", NULL);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    check_row(&t, 2, 3, "2022", "401.5", NULL);
    csvfile_free(&t);
    assert_true(is_zeroed(&t));
}

/* The encoding checks read a table eight ASCII bytes at a time, and find a
 * NUL or a CR with memchr: a bad byte, a NUL or a CRLF at every offset of a
 * long line (each alignment, the first and last word, the tail) is found
 * where it is, with its line, as a byte-at-a-time scan finds it. */
static void test_scan_every_offset(void **state)
{
    (void)state;
    char buf[64], want[320];
    const char head[] = "year,v\n";
    size_t h = sizeof head - 1;
    for (size_t len = 1; len <= 40; len++)
        for (size_t at = 0; at < len; at++) {
            memcpy(buf, head, h);
            memset(buf + h, 'a', len);
            buf[h + len] = '\n';
            size_t n = h + len + 1, off = h + at;

            buf[off] = (char)0xff; /* neither UTF-8 nor GB18030 */
            snprintf(want, sizeof want,
                     "file is neither UTF-8 nor GB18030: byte 0xFF at byte offset %zu "
                     "(line 2) is not valid UTF-8, and the file does not convert from "
                     "GB18030 either; save it as 'CSV UTF-8'",
                     off);
            parse_err(buf, n, 2, 0, want);

            buf[off] = '\0';
            snprintf(want, sizeof want,
                     "NUL byte (0x00) at byte offset %zu (line 2): a CSV file holds text only",
                     off);
            parse_err(buf, n, 2, 0, want);

            /* a CR before the line's last byte: CRLF only where an LF follows */
            buf[off] = '\r';
            csv_table t;
            parse_ok(buf, n, &t);
            assert_int_equal(t.crlf, at + 1 == len);
            csvfile_free(&t);
        }
}

/* Three-byte sequences, which the UTF-8 check takes on a short way when
 * their lead allows any continuation bytes: read as UTF-8 exactly when
 * valid (E0 needs A0-BF next, ED 80-9F, the others 80-BF; then 80-BF),
 * else as GB18030 or refused. */
static void test_utf8_three_bytes(void **state)
{
    (void)state;
    static const unsigned char seconds[] = {0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0};
    static const unsigned char thirds[] = {0x41, 0x80, 0xbf, 0xc0};
    for (unsigned lead = 0xe0; lead <= 0xef; lead++)
        for (size_t i = 0; i < sizeof seconds; i++)
            for (size_t k = 0; k < sizeof thirds; k++) {
                unsigned b1 = seconds[i], b2 = thirds[k];
                unsigned lo = lead == 0xe0 ? 0xa0 : 0x80, hi = lead == 0xed ? 0x9f : 0xbf;
                int valid = b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf;
                char buf[16] = {'a', '\n', (char)lead, (char)b1, (char)b2, '\n'};
                csv_table t;
                csv_error err;
                int utf8 = csvfile_parse("mem.csv", buf, 6, &t, &err) == 0 &&
                           strcmp(t.encoding, "UTF-8") == 0;
                if (utf8 != valid)
                    fail_msg("%02X %02X %02X: read as UTF-8 %d, valid %d", lead, b1, b2, utf8,
                             valid);
                csvfile_free(&t);
            }
}

static void test_crlf(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("year,gdp\r\n2021,392.6\r\n\r\n2022,\r\n", &t);
    assert_string_equal(t.encoding, "UTF-8");
    assert_int_equal(t.crlf, 1);
    assert_int_equal(t.nrows, 3);
    check_row(&t, 0, 1, "year", "gdp", NULL);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    check_row(&t, 2, 4, "2022", "", NULL);
    csvfile_free(&t);
}

static void test_lone_cr(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("year,gdp\r2021,1\r\r2022,2", &t);
    assert_int_equal(t.crlf, 0);
    assert_int_equal(t.nrows, 3);
    check_row(&t, 0, 1, "year", "gdp", NULL);
    check_row(&t, 1, 2, "2021", "1", NULL);
    check_row(&t, 2, 4, "2022", "2", NULL);
    csvfile_free(&t);
}

static void test_no_final_newline(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("year,gdp\n2021,392.6", &t);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    csvfile_free(&t);

    PARSE_OK("year,gdp\r\n2021,392.6", &t);
    assert_int_equal(t.crlf, 1);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    csvfile_free(&t);

    /* Last field empty, last field quoted, last field quoted and spaced. */
    PARSE_OK("year,gdp\n2021,", &t);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 1, 2, "2021", "", NULL);
    csvfile_free(&t);

    PARSE_OK("year,gdp\n2021,\"392.6\"", &t);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    csvfile_free(&t);

    PARSE_OK("year,gdp\n2021,\"392.6\"  ", &t);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    csvfile_free(&t);

    /* Trailing blank lines do not add rows. */
    PARSE_OK("year,gdp\n2021,1\n\n\n", &t);
    assert_int_equal(t.nrows, 2);
    csvfile_free(&t);
}

static void test_blank_lines_keep_line_numbers(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("\n\nyear,gdp\n\n  \n2021,1\n\t\n2022,2\n", &t);
    assert_int_equal(t.nrows, 3);
    check_row(&t, 0, 3, "year", "gdp", NULL);
    check_row(&t, 1, 6, "2021", "1", NULL);
    check_row(&t, 2, 8, "2022", "2", NULL);
    csvfile_free(&t);
}

/* ---- encodings ---- */

static void test_bom(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("\xEF\xBB\xBFyear,gdp\n2021,1\n", &t);
    assert_string_equal(t.encoding, "UTF-8 with BOM");
    assert_int_equal(t.nrows, 2);
    check_row(&t, 0, 1, "year", "gdp", NULL);
    check_row(&t, 1, 2, "2021", "1", NULL);
    csvfile_free(&t);

    /* A BOM followed directly by a quoted field. */
    PARSE_OK("\xEF\xBB\xBF\"year\",gdp\n", &t);
    check_row(&t, 0, 1, "year", "gdp", NULL);
    csvfile_free(&t);
}

static void test_utf8_chinese(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("年份,地区生产总值\n2021,392.6\n", &t);
    assert_string_equal(t.encoding, "UTF-8");
    check_row(&t, 0, 1, "年份", "地区生产总值", NULL);
    csvfile_free(&t);
}

static void test_gb18030_memory(void **state)
{
    (void)state;
    csv_table t;
    /* 年份,地区生产总值\r\n2021,392.6\r\n in GB18030 */
    PARSE_OK("\xC4\xEA\xB7\xDD,\xB5\xD8\xC7\xF8\xC9\xFA\xB2\xFA\xD7\xDC\xD6\xB5\r\n"
             "2021,392.6\r\n",
             &t);
    assert_string_equal(t.encoding, "GB18030");
    assert_int_equal(t.crlf, 1);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 0, 1, "年份", "地区生产总值", NULL);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    csvfile_free(&t);
}

static void test_gb18030_fixture(void **state)
{
    (void)state;
    csv_table t;
    csv_error err;
    const char *path = fixture("gb18030_crlf.csv");
    int rc = csvfile_read(path, &t, &err);
    if (rc != 0)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(t.path, path);
    assert_string_equal(t.encoding, "GB18030");
    assert_int_equal(t.crlf, 1);
    assert_int_equal(t.nrows, 3);
    check_row(&t, 0, 1, "年份", "地区生产总值", "备注", NULL);
    check_row(&t, 1, 2, "2021", "392.6", "7·30暴雨, 受灾", NULL);
    check_row(&t, 2, 3, "2022", "401.5", "\xF0\xA0\x80\x80€", NULL); /* U+20000 */
    csvfile_free(&t);
    assert_true(is_zeroed(&t));
}

static void test_utf8_bom_fixture(void **state)
{
    (void)state;
    csv_table t;
    csv_error err;
    assert_int_equal(csvfile_read(fixture("utf8_bom_crlf.csv"), &t, &err), 0);
    assert_string_equal(t.encoding, "UTF-8 with BOM");
    assert_int_equal(t.crlf, 1);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 0, 1, "年份", "地区生产总值", NULL);
    check_row(&t, 1, 2, "2021", "392.6", NULL);
    csvfile_free(&t);
}

static void test_utf16_refused(void **state)
{
    (void)state;
    PARSE_ERR("\xFF\xFEy\0e\0a\0r\0\n\0", 0, 0, UTF16_MSG);            /* UTF-16 LE */
    PARSE_ERR("\xFE\xFF\0y\0e\0a\0r\0\n", 0, 0, UTF16_MSG);            /* UTF-16 BE */
    PARSE_ERR("\xFF\xFE\0\0y\0\0\0\n\0\0\0", 0, 0, UTF16_MSG);         /* UTF-32 LE */
    PARSE_ERR("\0\0\xFE\xFF\0\0\0y\0\0\0\n", 0, 0, UTF16_MSG);         /* UTF-32 BE */
    PARSE_ERR("y\0e\0a\0r\0,\0g\0d\0p\0\n\0", 0, 0, UTF16_MSG);        /* no BOM */
    PARSE_ERR("\0y\0e\0a\0r\0,\0g\0d\0p\0\n", 0, 0, UTF16_MSG);        /* no BOM, BE */
    /* Chinese UTF-16 LE without BOM: 年份,地区\n */
    PARSE_ERR("\x74\x5E\xFD\x4E,\0\x30\x57\x3A\x53\n\0", 0, 0, UTF16_MSG);

    csv_table t;
    csv_error err;
    memset(&t, 0x5a, sizeof t);
    assert_int_equal(csvfile_read(fixture("utf16le_bom.csv"), &t, &err), -1);
    assert_true(is_zeroed(&t));
    assert_string_equal(err.msg, UTF16_MSG);
    assert_int_equal(err.line, 0);
    assert_int_equal(err.col, 0);
}

static void test_invalid_bytes(void **state)
{
    (void)state;
    /* 0x80 can start neither a UTF-8 nor a GB18030 character. Offset 21. */
    PARSE_ERR("year,gdp\n2021,1\n2022,\x80\n", 3, 0,
              "file is neither UTF-8 nor GB18030: byte 0x80 at byte offset 21 (line 3) is "
              "not valid UTF-8, and the file does not convert from GB18030 either; save it "
              "as 'CSV UTF-8'");
    /* CRLF and blank lines count as one line each. */
    PARSE_ERR("year,gdp\r\n\r\n2021,1\r\n2022,\xFF\r\n", 4, 0,
              "file is neither UTF-8 nor GB18030: byte 0xFF at byte offset 25 (line 4) is "
              "not valid UTF-8, and the file does not convert from GB18030 either; save it "
              "as 'CSV UTF-8'");
    /* Valid UTF-8 first (年), then a GB18030 lead byte cut short by the line end:
     * the first invalid UTF-8 byte is reported, not the GB18030 one. */
    PARSE_ERR("年份,\xB5\xD8\n2021,\xC4\n", 1, 0,
              "file is neither UTF-8 nor GB18030: byte 0xB5 at byte offset 7 (line 1) is "
              "not valid UTF-8, and the file does not convert from GB18030 either; save it "
              "as 'CSV UTF-8'");
    /* Overlong UTF-8 (C0 AF; a valid GB18030 pair, but 80 is not), and an
     * incomplete sequence at the end (incomplete in GB18030 too). */
    PARSE_ERR("a\n\xC0\xAF\x80\n", 2, 0,
              "file is neither UTF-8 nor GB18030: byte 0xC0 at byte offset 2 (line 2) is "
              "not valid UTF-8, and the file does not convert from GB18030 either; save it "
              "as 'CSV UTF-8'");
    PARSE_ERR("a\nb\n\xE5", 3, 0,
              "file is neither UTF-8 nor GB18030: byte 0xE5 at byte offset 4 (line 3) is "
              "not valid UTF-8, and the file does not convert from GB18030 either; save it "
              "as 'CSV UTF-8'");
    /* With a UTF-8 BOM the file is not tried as GB18030; the offset counts the BOM. */
    PARSE_ERR("\xEF\xBB\xBFyear\n\xC4\xEA\n", 2, 0,
              "file starts with a UTF-8 BOM but is not valid UTF-8: byte 0xC4 at byte "
              "offset 8 (line 2); save it again as 'CSV UTF-8'");
}

static void test_nul_byte(void **state)
{
    (void)state;
    PARSE_ERR("year,gdp\n2021,1\n2022,\0\n", 3, 0,
              "NUL byte (0x00) at byte offset 21 (line 3): a CSV file holds text only");
    PARSE_ERR("\xEF\xBB\xBFyear,gdp\n2021,1\0\n", 2, 0,
              "NUL byte (0x00) at byte offset 18 (line 2): a CSV file holds text only");
}

/* ---- quoting ---- */

static void test_quoted_comma(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("name,note\n\"Li, Wei\",\"a,b,,c\"\n", &t);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 1, 2, "Li, Wei", "a,b,,c", NULL);
    csvfile_free(&t);
}

static void test_doubled_quotes(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("a,b,c\n\"\"\"quoted\"\"\",\"\"\"\",\"say \"\"hi\"\" now\"\n", &t);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 1, 2, "\"quoted\"", "\"", "say \"hi\" now", NULL);
    csvfile_free(&t);
}

static void test_quoted_newline_line_numbers(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("id,note\n"                     /* 1 */
             "1,\"line one\nline two\"\n"    /* 2-3 */
             "2,x\n"                         /* 4 */
             "\"multi\nfirst\",y\n"          /* 5-6: first field spans lines */
             "3,\"a\n\nb\n\"\n"              /* 7-10 */
             "4,z\n",                        /* 11 */
             &t);
    assert_int_equal(t.nrows, 6);
    check_row(&t, 0, 1, "id", "note", NULL);
    check_row(&t, 1, 2, "1", "line one\nline two", NULL);
    check_row(&t, 2, 4, "2", "x", NULL);
    check_row(&t, 3, 5, "multi\nfirst", "y", NULL);
    check_row(&t, 4, 7, "3", "a\n\nb\n", NULL);
    check_row(&t, 5, 11, "4", "z", NULL);
    csvfile_free(&t);
}

static void test_quoted_newline_crlf(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("id,note\r\n"                   /* 1 */
             "\"a\r\nb\r\nc\",x\r\n"         /* 2-4 */
             "\r\n"                          /* 5 */
             "  \"p\rq\"  ,y\r\n"            /* 6-7: lone CR inside */
             "5,\"last\r\nline\"",           /* 8-9, no final newline */
             &t);
    assert_int_equal(t.crlf, 1);
    assert_int_equal(t.nrows, 4);
    check_row(&t, 1, 2, "a\r\nb\r\nc", "x", NULL);
    check_row(&t, 2, 6, "p\rq", "y", NULL);
    check_row(&t, 3, 8, "5", "last\r\nline", NULL);
    csvfile_free(&t);
}

static void test_malformed_quotes(void **state)
{
    (void)state;
    PARSE_ERR("a,b,c\n1,2,3\nx,\"b\"c,d\n", 3, 2,
              "malformed quoted field: 'c' after the closing quote of field 2; a quote "
              "inside a quoted field must be doubled (\"\")");
    PARSE_ERR("a,b\n\"\xE5\xB9\xB4\"\xE4\xBB\xBD,1\n", 2, 1,
              "malformed quoted field: '份' after the closing quote of field 1; a quote "
              "inside a quoted field must be doubled (\"\")");
    PARSE_ERR("a,b\n1,\"x\" \"y\"\n", 2, 2,
              "malformed quoted field: a second quoted part after the closing quote of "
              "field 2; a quote inside a quoted field must be doubled (\"\")");
    PARSE_ERR("a,b\r\n\r\nsize,5\"\r\n", 3, 2,
              "malformed quoted field: a quote (\") inside unquoted field 2; put the whole "
              "field in quotes and double the quote inside (\"\")");
    /* An error after a multi-line quoted field names the line of the error. */
    PARSE_ERR("a,b\n\"x\ny\",\"p\"q\n", 3, 2,
              "malformed quoted field: 'q' after the closing quote of field 2; a quote "
              "inside a quoted field must be doubled (\"\")");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    PARSE_ERR("a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,\"open\n12,13\n14,15\n", 7, 2,
              "unterminated quoted field starting at line 7: the closing quote is missing, "
              "so the rest of the file was read as part of field 2");
    /* No final newline; first field; CRLF. */
    PARSE_ERR("a,b\r\n1,2\r\n\"open,3\r\n4,5", 3, 1,
              "unterminated quoted field starting at line 3: the closing quote is missing, "
              "so the rest of the file was read as part of field 1");
    /* The opening quote is the very last byte. */
    PARSE_ERR("a,b\n1,\"", 2, 2,
              "unterminated quoted field starting at line 2: the closing quote is missing, "
              "so the rest of the file was read as part of field 2");
    /* Ends in a doubled quote: still open. */
    PARSE_ERR("a,b\n1,\"x\ny\"\"\n", 2, 2,
              "unterminated quoted field starting at line 2: the closing quote is missing, "
              "so the rest of the file was read as part of field 2");
}

/* ---- rows and fields ---- */

static void test_empty_rows_dropped(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("a,b\n"          /* 1 */
             ",\n"            /* 2 dropped */
             "1,2\n"          /* 3 */
             " , \n"          /* 4 dropped */
             "\"\",\"  \"\n"  /* 5 dropped: quoted blanks */
             "\n"             /* 6 */
             "3,\n"           /* 7 kept: one field set */
             ",,,\n"          /* 8 dropped (Excel) */
             ",,,",           /* 9 dropped, no newline */
             &t);
    assert_int_equal(t.nrows, 3);
    check_row(&t, 0, 1, "a", "b", NULL);
    check_row(&t, 1, 3, "1", "2", NULL);
    check_row(&t, 2, 7, "3", "", NULL);
    csvfile_free(&t);
}

static void test_trimming(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("  year ,\tgdp\t, note \n"
             " 2021 , \" 392.6\t\" ,\"  two  words  \"\n",
             &t);
    assert_int_equal(t.nrows, 2);
    check_row(&t, 0, 1, "year", "gdp", "note", NULL);
    check_row(&t, 1, 2, "2021", "392.6", "two  words", NULL);
    csvfile_free(&t);
}

static void test_ragged_rows_kept(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("a,b,c\n1\n1,2,3,4\n", &t);
    assert_int_equal(t.nrows, 3);
    check_row(&t, 1, 2, "1", NULL);
    check_row(&t, 2, 3, "1", "2", "3", "4", NULL);
    csvfile_free(&t);
}

static void test_empty_file(void **state)
{
    (void)state;
    PARSE_ERR("", 0, 0, "file is empty");
    PARSE_ERR("\xEF\xBB\xBF", 0, 0, "file is empty");
    PARSE_ERR("\xEF\xBB\xBF \r\n\t\n\n", 0, 0, "file is empty");
    PARSE_ERR("  \n\n", 0, 0, "file is empty");
    PARSE_ERR(",,\n, ,\n\"\",\n", 0, 0, "file is empty: every row is blank");

    char *path = temp_file("", 0);
    csv_table t;
    csv_error err;
    assert_int_equal(csvfile_read(path, &t, &err), -1);
    assert_string_equal(err.msg, "file is empty");
    assert_int_equal(err.line, 0);
    assert_true(is_zeroed(&t));
    unlink(path);
}

static void test_header_only(void **state)
{
    (void)state;
    csv_table t;
    PARSE_OK("year,gdp\n", &t);
    assert_int_equal(t.nrows, 1);
    check_row(&t, 0, 1, "year", "gdp", NULL);
    csvfile_free(&t);

    PARSE_OK("year,gdp", &t);
    assert_int_equal(t.nrows, 1);
    check_row(&t, 0, 1, "year", "gdp", NULL);
    csvfile_free(&t);

    PARSE_OK("\xEF\xBB\xBFyear", &t);
    assert_int_equal(t.nrows, 1);
    check_row(&t, 0, 1, "year", NULL);
    csvfile_free(&t);
}

/* ---- files ---- */

static void test_read_file(void **state)
{
    (void)state;
    static const char data[] = "year,gdp\n2021,\"1\n2\"\n2022,3";
    char *path = temp_file(data, sizeof data - 1);
    csv_table t;
    csv_error err;
    assert_int_equal(csvfile_read(path, &t, &err), 0);
    assert_string_equal(t.path, path);
    assert_string_equal(t.encoding, "UTF-8");
    assert_int_equal(t.nrows, 3);
    check_row(&t, 1, 2, "2021", "1\n2", NULL);
    check_row(&t, 2, 4, "2022", "3", NULL);
    csvfile_free(&t);
    assert_true(is_zeroed(&t));
    csvfile_free(&t); /* twice is harmless */
    unlink(path);
}

/* ---- streamed ---- */

/* What a stream saw: the header's first field and n at start, then each
 * row's line and fields joined by '|', one row a line. */
typedef struct seen {
    int starts, n, rows;
    char header[32];
    char text[512];
} seen;

static void seen_start(void *ctx, const csv_table *t, int n)
{
    seen *s = ctx;
    s->starts++;
    s->n = n;
    assert_int_equal(t->nrows, 1);
    snprintf(s->header, sizeof s->header, "%s", t->rows[0].fields[0]);
}

static void seen_row(void *ctx, const csv_row *row)
{
    seen *s = ctx;
    assert_int_equal(s->starts, 1); /* never a row before the header */
    s->rows++;
    size_t o = strlen(s->text);
    o += (size_t)snprintf(s->text + o, sizeof s->text - o, "%d:", row->line);
    for (int i = 0; i < row->nfields; i++)
        o += (size_t)snprintf(s->text + o, sizeof s->text - o, "%s%s", i ? "|" : "",
                              row->fields[i]);
    snprintf(s->text + o, sizeof s->text - o, "\n");
}

/* Stream data from a file; returns csvfile_read_stream's result. */
static int stream_file(const char *data, seen *s, csv_error *err)
{
    char *path = temp_file(data, strlen(data));
    csv_table t;
    memset(s, 0, sizeof *s);
    csv_stream st = {seen_start, seen_row, s, NULL};
    int rc = csvfile_read_stream(path, &t, err, &st);
    if (rc == 0) {
        assert_int_equal(t.nrows, 1); /* the header alone */
        assert_string_equal(t.rows[0].fields[0], s->header);
    }
    csvfile_free(&t);
    unlink(path);
    return rc;
}

/* With or without a quote byte (parsed once to be checked, then streamed;
 * or streamed at once), the same rows and lines, and start's n at least
 * the rows; a failing file streams nothing. */
static void test_stream(void **state)
{
    (void)state;
    static const struct {
        const char *data, *want;
        int rows;
    } ok[] = {
        {"\n a,b\n1,2\n\n , \n3, 4 \n", "3:1|2\n6:3|4\n", 2},
        {"a,b\n1,\"x\"\n,,\n3,\"4\n5\"\n6,7", "2:1|x\n4:3|4\n5\n6:6|7\n", 3},
        {"a,b\r1,2\r\r3,4\r5,6\r\n7,8", "2:1|2\n4:3|4\n5:5|6\n6:7|8\n", 4},
        {"a,b\r\n1,2\r\n", "2:1|2\n", 1},
        {"a,b", "", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        seen s;
        csv_error err;
        if (stream_file(ok[i].data, &s, &err) != 0)
            fail_msg("case %zu: %s", i, err.msg);
        assert_int_equal(s.starts, 1);
        assert_string_equal(s.header, "a");
        assert_int_equal(s.rows, ok[i].rows);
        assert_true(s.n >= s.rows);
        assert_string_equal(s.text, ok[i].want);
    }
    static const char *const bad[] = {
        "a,b\n1,2\n3,x\"y\n",     /* a quote inside an unquoted field, line 3 */
        "a,b\n1,2\n3,\"open\n", /* unterminated */
        " , \n,,\n\t\n",         /* every row blank */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        seen s;
        csv_error err;
        assert_int_equal(stream_file(bad[i], &s, &err), -1);
        assert_int_equal(s.starts, 0);
        assert_int_equal(s.rows, 0);
    }
}

/* A file of empty lines makes no room for rows: one data row after
 * 100,000 lines of commas, blanks and CRs gives start a bound of 2
 * (header and row), not 100,002. */
static void test_stream_empty_lines(void **state)
{
    (void)state;
    strbuf big;
    sb_init(&big);
    sb_add(&big, "a,b\n");
    for (int i = 0; i < 100000; i++)
        sb_add(&big, i % 3 ? ",,\n" : " \t,\r\n");
    sb_add(&big, "1,2\r\n\n");
    seen s;
    csv_error err;
    if (stream_file(big.s, &s, &err) != 0)
        fail_msg("empty lines: %s", err.msg);
    sb_free(&big);
    assert_int_equal(s.rows, 1);
    assert_string_equal(s.text, "100002:1|2\n");
    assert_true(s.n >= 1 && s.n <= 2);
}

static void test_nonexistent_file(void **state)
{
    (void)state;
    csv_table t;
    csv_error err;
    memset(&t, 0x5a, sizeof t);
    assert_int_equal(csvfile_read("/nonexistent/dir/economy.csv", &t, &err), -1);
    assert_true(is_zeroed(&t));
    char want[600];
    snprintf(want, sizeof want, "cannot open /nonexistent/dir/economy.csv: %s",
             strerror(ENOENT));
    assert_string_equal(err.msg, want);
    assert_string_equal(err.msg,
                        "cannot open /nonexistent/dir/economy.csv: No such file or directory");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.col, 0);
    csvfile_free(&t);
}

static void test_directory_refused(void **state)
{
    (void)state;
    csv_table t;
    csv_error err;
    assert_int_equal(csvfile_read("/tmp", &t, &err), -1);
    assert_true(is_zeroed(&t));
    assert_string_equal(err.msg, "cannot read /tmp: Is a directory");
}

/* A FIFO with no writer: open() used to wait for one for ever. Refused unread. */
static void test_fifo_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_csvfile_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/accidents.csv", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    csv_table t;
    csv_error err;
    alarm(10); /* the old code blocked here: SIGALRM ends the test */
    assert_int_equal(csvfile_read(fifo, &t, &err), -1);
    alarm(0);
    assert_true(is_zeroed(&t));
    assert_string_equal(err.msg, "is not a regular file: a CSV table was expected");
    assert_int_equal(err.open_errno, 0);
    unlink(fifo);
    rmdir(dir);
}

static void test_too_large(void **state)
{
    (void)state;
    char *path = temp_file("", 0);
    /* Sparse: takes no disk space, and is refused before it is read. */
    assert_int_equal(truncate(path, (off_t)256 * 1024 * 1024 + 1), 0);
    csv_table t;
    csv_error err;
    assert_int_equal(csvfile_read(path, &t, &err), -1);
    assert_true(is_zeroed(&t));
    assert_string_equal(err.msg, "file is too large (268435457 bytes; the limit is 256 MiB)");
    unlink(path);
}

static void test_free_is_safe(void **state)
{
    (void)state;
    csv_table t;
    memset(&t, 0, sizeof t);
    csvfile_free(&t);
    assert_true(is_zeroed(&t));
    csvfile_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lf),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_lone_cr),
        cmocka_unit_test(test_no_final_newline),
        cmocka_unit_test(test_blank_lines_keep_line_numbers),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_utf8_chinese),
        cmocka_unit_test(test_gb18030_memory),
        cmocka_unit_test(test_gb18030_fixture),
        cmocka_unit_test(test_utf8_bom_fixture),
        cmocka_unit_test(test_utf16_refused),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_utf8_three_bytes),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_quoted_comma),
        cmocka_unit_test(test_doubled_quotes),
        cmocka_unit_test(test_quoted_newline_line_numbers),
        cmocka_unit_test(test_quoted_newline_crlf),
        cmocka_unit_test(test_malformed_quotes),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_empty_rows_dropped),
        cmocka_unit_test(test_trimming),
        cmocka_unit_test(test_ragged_rows_kept),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_stream_empty_lines),
        cmocka_unit_test(test_nonexistent_file),
        cmocka_unit_test(test_directory_refused),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_free_is_safe),
        cmocka_unit_test(test_scan_every_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
