/*
 * test_xlsxzip.c - unit test for xlsxzip.c: a workbook written by
 * libxlsxwriter has its parts deflated at XLSX_ZIP_LEVEL (3), not at zlib's
 * default (6). A worksheet's part is read back with minizip, deflated
 * again by zlib at both levels with minizip's settings, and its stored
 * size must be level 3's (the part is large enough for the two to differ,
 * which the test checks too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unzip.h>
#include <xlsxwriter.h>
#include <zlib.h>

/* Raw deflate of (p, n) at level, as minizip makes it (window 15, memLevel 8). */
static size_t deflated_size(const unsigned char *p, size_t n, int level)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)n);
    unsigned char *out = malloc(cap);
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t got = z.total_out;
    deflateEnd(&z);
    free(out);
    return got;
}

static void test_parts_at_level_3(void **state)
{
    (void)state;
    char path[] = "/tmp/test_xlsxzip_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lxw_workbook *w = workbook_new(path);
    assert_non_null(w);
    lxw_worksheet *ws = workbook_add_worksheet(w, NULL);
    assert_non_null(ws);
    uint32_t s = 7;
    for (lxw_row_t r = 0; r < 2000; r++)
        for (lxw_col_t c = 0; c < 8; c++) {
            s = s * 1664525u + 1013904223u;
            assert_int_equal(worksheet_write_number(ws, r, c, (double)(s >> 12) / 64.0, NULL),
                             LXW_NO_ERROR);
        }
    assert_int_equal(workbook_close(w), LXW_NO_ERROR);

    unzFile u = unzOpen(path);
    assert_non_null(u);
    assert_int_equal(unzLocateFile(u, "xl/worksheets/sheet1.xml", 1), UNZ_OK);
    unz_file_info info;
    assert_int_equal(unzGetCurrentFileInfo(u, &info, NULL, 0, NULL, 0, NULL, 0), UNZ_OK);
    assert_int_equal(info.compression_method, Z_DEFLATED);
    unsigned char *xml = malloc(info.uncompressed_size);
    assert_int_equal(unzOpenCurrentFile(u), UNZ_OK);
    assert_int_equal(unzReadCurrentFile(u, xml, (unsigned)info.uncompressed_size),
                     (int)info.uncompressed_size);
    unzCloseCurrentFile(u);
    unzClose(u);
    remove(path);

    size_t at3 = deflated_size(xml, info.uncompressed_size, 3);
    size_t at6 = deflated_size(xml, info.uncompressed_size, Z_DEFAULT_COMPRESSION);
    assert_true(at3 != at6); /* else the test could not tell them apart */
    assert_int_equal(info.compressed_size, at3);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_at_level_3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
