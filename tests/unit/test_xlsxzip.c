/*
 * test_xlsxzip.c - unit test for xlsxzip.c: a workbook written by
 * libxlsxwriter has its parts deflated by libdeflate at level 1, not by
 * zlib. A worksheet's part (over 64 KiB, so written in several pieces) is
 * read back with minizip, which checks its CRC-32 and size, and its stored
 * size must be libdeflate's; zlib's at levels 3 and 6 differ from it (the
 * test checks that too, else it could not tell them apart). Then entries of
 * two zip files written at once: the second file's goes through zlib. Then
 * a part over xlsxzip.c's 4 MiB gathering limit: it is streamed through
 * zlib at level 1 (memory stays bounded) and still reads back whole
 * (its local header, patched after the window holding it went to the file,
 * agrees with the central directory: minizip's reader checks it). Then the
 * zip file's own writes: a small archive stays in memory until zipClose
 * (stdio's zipOpen had written 4 KB at a time), and a failed write (the
 * file /dev/full) fails the zip file's close or the entry's write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>
#include <xlsxwriter.h>
#include <libdeflate.h>
#include <zip.h>
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

/* Raw deflate of (p, n) by libdeflate at level. */
static size_t libdeflate_size(const unsigned char *p, size_t n, int level)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    assert_non_null(c);
    size_t cap = libdeflate_deflate_compress_bound(c, n);
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    size_t got = libdeflate_deflate_compress(c, p, n, out, cap);
    assert_true(got > 0);
    free(out);
    libdeflate_free_compressor(c);
    return got;
}

/* The part name of zip file path, read back (CRC-32 checked); its sizes in *info. */
static unsigned char *read_part(const char *path, const char *name, unz_file_info *info)
{
    unzFile u = unzOpen(path);
    assert_non_null(u);
    assert_int_equal(unzLocateFile(u, name, 1), UNZ_OK);
    assert_int_equal(unzGetCurrentFileInfo(u, info, NULL, 0, NULL, 0, NULL, 0), UNZ_OK);
    assert_int_equal(info->compression_method, Z_DEFLATED);
    unsigned char *data = malloc(info->uncompressed_size + 1);
    assert_non_null(data);
    assert_int_equal(unzOpenCurrentFile(u), UNZ_OK);
    assert_int_equal(unzReadCurrentFile(u, data, (unsigned)info->uncompressed_size + 1),
                     (int)info->uncompressed_size);
    assert_int_equal(unzCloseCurrentFile(u), UNZ_OK); /* UNZ_CRCERROR on a wrong CRC-32 */
    unzClose(u);
    return data;
}

static void test_parts_by_libdeflate(void **state)
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

    unz_file_info info;
    unsigned char *xml = read_part(path, "xl/worksheets/sheet1.xml", &info);
    remove(path);
    assert_true(info.uncompressed_size > 65536);
    assert_memory_equal(xml, "<?xml", 5);

    size_t ld = libdeflate_size(xml, info.uncompressed_size, 1);
    size_t at3 = deflated_size(xml, info.uncompressed_size, 3);
    size_t at6 = deflated_size(xml, info.uncompressed_size, Z_DEFAULT_COMPRESSION);
    assert_true(ld != at3 && ld != at6); /* else the test could not tell them apart */
    assert_int_equal(info.compressed_size, ld);
    free(xml);
}

/* Writes text as entry name of z at the default level, in pieces of 1,000 bytes. */
static void write_entry(zipFile z, const char *name, const unsigned char *text, size_t n)
{
    assert_int_equal(zipOpenNewFileInZip4_64(z, name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                             Z_DEFAULT_COMPRESSION, 0, -MAX_WBITS, 8,
                                             Z_DEFAULT_STRATEGY, NULL, 0, 0, 0, 0),
                     ZIP_OK);
    for (size_t i = 0; i < n; i += 1000)
        assert_int_equal(zipWriteInFileInZip(z, text + i, (unsigned)(n - i < 1000 ? n - i : 1000)),
                         ZIP_OK);
}

/* n letters of an 8-letter alphabet from an LCG seeded with seed (malloc'd). */
static unsigned char *random_text(size_t n, uint32_t seed)
{
    unsigned char *text = malloc(n);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        text[i] = (unsigned char)('a' + (seed >> 24) % 8);
    }
    return text;
}

/* Entry name of zip file path reads back (CRC-32 checked) as the n bytes at
 * text, stored in stored bytes. */
static void check_entry(const char *path, const char *name, const unsigned char *text, size_t n,
                        size_t stored)
{
    unz_file_info info;
    unsigned char *got = read_part(path, name, &info);
    assert_int_equal(info.uncompressed_size, n);
    assert_memory_equal(got, text, n);
    assert_int_equal(info.compressed_size, stored);
    free(got);
}

/* A new zip file at a fresh temporary path (a template ending in XXXXXX). */
static zipFile new_zip(char *path)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
    assert_non_null(z);
    return z;
}

static void test_two_zip_files_at_once(void **state)
{
    (void)state;
    size_t n = 100000;
    unsigned char *text = random_text(n, 11);
    char pa[] = "/tmp/test_xlsxzip_a_XXXXXX", pb[] = "/tmp/test_xlsxzip_b_XXXXXX";
    zipFile a = new_zip(pa), b = new_zip(pb);
    write_entry(a, "a.txt", text, n);
    write_entry(b, "b.txt", text, n); /* while a's entry is open */
    assert_int_equal(zipCloseFileInZip(b), ZIP_OK);
    assert_int_equal(zipCloseFileInZip(a), ZIP_OK);
    write_entry(a, "a2.txt", text, n / 2);
    assert_int_equal(zipClose(a, NULL), ZIP_OK); /* closes the open entry too */
    assert_int_equal(zipClose(b, NULL), ZIP_OK);

    check_entry(pa, "a.txt", text, n, libdeflate_size(text, n, 1));
    check_entry(pa, "a2.txt", text, n / 2, libdeflate_size(text, n / 2, 1));
    check_entry(pb, "b.txt", text, n, deflated_size(text, n, 3));
    remove(pa);
    remove(pb);
    free(text);
}

static void test_large_part_streamed(void **state)
{
    (void)state;
    size_t n = 9u << 20; /* over the 4 MiB gathered whole */
    unsigned char *text = random_text(n, 5);
    char pa[] = "/tmp/test_xlsxzip_l_XXXXXX";
    zipFile a = new_zip(pa);
    write_entry(a, "small.txt", text, 100000);
    assert_int_equal(zipCloseFileInZip(a), ZIP_OK);
    write_entry(a, "large.txt", text, n);
    assert_int_equal(zipCloseFileInZip(a), ZIP_OK);
    write_entry(a, "small2.txt", text + 1, 100000); /* gathered again after a stream */
    assert_int_equal(zipClose(a, NULL), ZIP_OK);

    size_t z1 = deflated_size(text, n, 1);
    assert_true(z1 != libdeflate_size(text, n, 1)); /* else it could not tell them apart */
    check_entry(pa, "large.txt", text, n, z1);
    check_entry(pa, "small.txt", text, 100000, libdeflate_size(text, 100000, 1));
    check_entry(pa, "small2.txt", text + 1, 100000, libdeflate_size(text + 1, 100000, 1));
    remove(pa);
    free(text);
}

/* Size of the file at path. */
static off_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void test_written_at_close(void **state)
{
    (void)state;
    size_t n = 100000;
    unsigned char *text = random_text(n, 3);
    char pa[] = "/tmp/test_xlsxzip_w_XXXXXX";
    zipFile a = new_zip(pa);
    write_entry(a, "one.txt", text, n);
    assert_int_equal(zipCloseFileInZip(a), ZIP_OK);
    write_entry(a, "two.txt", text + 7, n - 7);
    assert_int_equal(zipCloseFileInZip(a), ZIP_OK);
    assert_int_equal(file_size(pa), 0); /* all of it still in the window */
    assert_int_equal(zipClose(a, NULL), ZIP_OK);
    size_t z1 = libdeflate_size(text, n, 1), z2 = libdeflate_size(text + 7, n - 7, 1);
    assert_true(file_size(pa) > (off_t)(z1 + z2));
    check_entry(pa, "one.txt", text, n, z1);
    check_entry(pa, "two.txt", text + 7, n - 7, z2);
    remove(pa);
    free(text);
}

static void test_write_errors(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    size_t n = 3u << 20; /* deflated, over the 1 MiB window */
    unsigned char *text = random_text(n, 9);
    zipFile a = zipOpen("/dev/full", APPEND_STATUS_CREATE);
    assert_non_null(a);
    write_entry(a, "small.txt", text, 1000);
    assert_int_equal(zipCloseFileInZip(a), ZIP_OK); /* in the window */
    assert_int_not_equal(zipClose(a, NULL), ZIP_OK);

    a = zipOpen("/dev/full", APPEND_STATUS_CREATE);
    assert_non_null(a);
    write_entry(a, "large.txt", text, n);
    assert_int_not_equal(zipCloseFileInZip(a), ZIP_OK); /* the window is written as it fills */
    assert_int_not_equal(zipClose(a, NULL), ZIP_OK);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_by_libdeflate),
        cmocka_unit_test(test_two_zip_files_at_once),
        cmocka_unit_test(test_large_part_streamed),
        cmocka_unit_test(test_written_at_close),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
