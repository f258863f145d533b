/*
 * test_xlsxtmp.c - unit test for xlsxtmp.c: libxlsxwriter's temporary
 * files live in memory up to XLSX_TMP_MEM_MAX and then in a real file.
 * First through the library: a constant_memory worksheet opens no file
 * descriptor when it is added (the library's own lxw_tmpfile opens one),
 * opens one in the workbook's tmpdir when its rows pass the limit, and the
 * workbook reads back whole. Then the stream itself, in memory and
 * spilled: writes, seeks past the end (zeros), overwrites, ftell, reads;
 * and a file's buffer passed on to the next file, which sees none of it.
 * Then a write that fails (a file size limit on the spill): the error is
 * the stream's, and the reads after a rewind fail with it too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <unzip.h>
#include <xlsxwriter.h>

#include "xlsxtmp.h"

/* The process's open file descriptors; with dir_prefix, those open on a
 * file under it. */
static int count_fds(const char *dir_prefix)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (dir_prefix) {
            char link[300], target[PATH_MAX];
            snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
            ssize_t t = readlink(link, target, sizeof target - 1);
            if (t < 0)
                continue;
            target[t] = '\0';
            if (strncmp(target, dir_prefix, strlen(dir_prefix)) != 0)
                continue;
        }
        n++;
    }
    closedir(d);
    return n;
}

/* The bytes of entry name of the zip file at path (NUL-terminated, *n long). */
static char *read_entry(const char *path, const char *name, size_t *n)
{
    unzFile z = unzOpen(path);
    assert_non_null(z);
    assert_int_equal(unzLocateFile(z, name, 1), UNZ_OK);
    unz_file_info info;
    assert_int_equal(unzGetCurrentFileInfo(z, &info, NULL, 0, NULL, 0, NULL, 0), UNZ_OK);
    char *b = malloc(info.uncompressed_size + 1);
    assert_non_null(b);
    assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
    int got = unzReadCurrentFile(z, b, (unsigned)info.uncompressed_size);
    assert_int_equal(got, (int)info.uncompressed_size);
    assert_int_equal(unzCloseCurrentFile(z), UNZ_OK); /* checks the CRC-32 */
    unzClose(z);
    b[got] = '\0';
    *n = (size_t)got;
    return b;
}

static void test_library_files_in_memory(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_xlsxtmp.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/book.xlsx", dir);
    lxw_workbook_options opt;
    memset(&opt, 0, sizeof opt);
    opt.constant_memory = LXW_TRUE;
    opt.tmpdir = dir;
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);

    /* The sheet's row file is made at once (constant_memory): no descriptor. */
    int before = count_fds(NULL);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "rows");
    assert_non_null(ws);
    assert_int_equal(count_fds(NULL), before);

    /* Rows past the limit: the file spills, beside the workbook. */
    static const char text[] = "a cell of text that is fairly long, row ";
    char cell[64];
    lxw_row_t rows = 0;
    while ((size_t)rows * (sizeof text + 40) < 2 * XLSX_TMP_MEM_MAX) {
        snprintf(cell, sizeof cell, "%s%u", text, (unsigned)rows);
        assert_int_equal(worksheet_write_string(ws, rows, 0, cell, NULL), LXW_NO_ERROR);
        assert_int_equal(worksheet_write_number(ws, rows, 1, rows * 0.5, NULL), LXW_NO_ERROR);
        rows++;
    }
    assert_int_equal(count_fds(dir), 1);
    assert_int_equal(count_fds(NULL), before + 1);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    assert_int_equal(count_fds(NULL), before);

    /* Every row is in the part, the first and the last in their places. */
    size_t n;
    char *xml = read_entry(path, "xl/worksheets/sheet1.xml", &n);
    assert_true(n > 2 * XLSX_TMP_MEM_MAX);
    snprintf(cell, sizeof cell, "<row r=\"%u\"", (unsigned)rows);
    char *last = strstr(xml, cell);
    assert_non_null(last);
    snprintf(cell, sizeof cell, "%s%u</t>", text, (unsigned)rows - 1);
    assert_non_null(strstr(last, cell));
    assert_non_null(strstr(xml, "<row r=\"1\""));
    assert_true(strstr(xml, "<row r=\"1\"") < last);
    free(xml);
    char *styles = read_entry(path, "xl/styles.xml", &n);
    assert_non_null(strstr(styles, "</styleSheet>"));
    free(styles);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* Byte i of the test pattern. */
static char pat(size_t i)
{
    return (char)('a' + (i * 7 + i / 251) % 26);
}

/* Checks f's bytes from 0: n of the pattern, with zeros in [z0, z1) and
 * the byte at w replaced by 'W' (w = SIZE_MAX: none). */
static void check_bytes(FILE *f, size_t n, size_t z0, size_t z1, size_t w)
{
    rewind(f);
    char *b = malloc(n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, n + 1, f), n);
    assert_true(feof(f));
    assert_false(ferror(f));
    for (size_t i = 0; i < n; i++) {
        char want = i == w ? 'W' : i >= z0 && i < z1 ? '\0' : pat(i);
        if (b[i] != want)
            fail_msg("byte %zu: %d, want %d", i, b[i], want);
    }
    free(b);
}

/* Writes, a seek past the end, an overwrite and reads on a file of size
 * about n (in memory if n is small, spilled if not). */
static void stream_round_trip(size_t n)
{
    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    char *b = malloc(n);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[i] = pat(i);
    /* In pieces of uneven size, as the library's fprintf and fwrite go. */
    size_t half = n / 2, gap = n / 8;
    for (size_t i = 0; i < half;) {
        size_t k = 1 + i % 5000;
        if (k > half - i)
            k = half - i;
        assert_int_equal(fwrite(b + i, 1, k, f), k);
        i += k;
    }
    assert_int_equal(ftell(f), (long)half);
    /* Past the end: the gap reads as zeros. */
    assert_int_equal(fseek(f, (long)gap, SEEK_CUR), 0);
    assert_int_equal(fwrite(b + half + gap, 1, n - half - gap, f), n - half - gap);
    assert_int_equal(fflush(f), 0);
    assert_int_equal(ftell(f), (long)n);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_int_equal(ftell(f), (long)n);
    check_bytes(f, n, half, half + gap, SIZE_MAX);
    /* An overwrite in the middle, then read on from there. */
    assert_int_equal(fseek(f, (long)(n / 3), SEEK_SET), 0);
    assert_int_equal(fputc('W', f), 'W');
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    assert_int_equal(fgetc(f), 'W');
    assert_int_equal(fgetc(f), (unsigned char)pat(n / 3 + 1));
    check_bytes(f, n, half, half + gap, n / 3);
    /* A seek before the start fails, and leaves the position. */
    assert_int_equal(fseek(f, 5, SEEK_SET), 0);
    assert_int_not_equal(fseek(f, -10, SEEK_CUR), 0);
    assert_int_equal(ftell(f), 5);
    assert_int_equal(fclose(f), 0);
    free(b);
}

static void test_stream_in_memory(void **state)
{
    (void)state;
    int before = count_fds(NULL);
    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    assert_int_equal(fputs("<a/>", f), 1);
    assert_int_equal(fflush(f), 0);
    assert_int_equal(count_fds(NULL), before); /* no file behind it */
    assert_int_equal(fclose(f), 0);
    stream_round_trip(100000);
    assert_int_equal(count_fds(NULL), before);
}

static void test_stream_spilled(void **state)
{
    (void)state;
    int before = count_fds(NULL);
    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    char *b = calloc(1, XLSX_TMP_MEM_MAX);
    assert_non_null(b);
    assert_int_equal(fwrite(b, 1, XLSX_TMP_MEM_MAX, f), XLSX_TMP_MEM_MAX);
    assert_int_equal(fflush(f), 0);
    assert_int_equal(count_fds(NULL), before); /* up to the limit: memory */
    assert_int_equal(fputc('x', f), 'x');
    assert_int_equal(fflush(f), 0);
    assert_int_equal(count_fds(NULL), before + 1); /* one byte more: a file */
    assert_int_equal(fclose(f), 0);
    assert_int_equal(count_fds(NULL), before);
    free(b);
    stream_round_trip(3 * XLSX_TMP_MEM_MAX + 12345);
    stream_round_trip(XLSX_TMP_MEM_MAX + 1);
    assert_int_equal(count_fds(NULL), before);
}

/* A file closed leaves its buffer to the next one (xlsxtmp.c's spare):
 * the next file holds only its own bytes, a gap before them reads as
 * zeros, and its end is its own. */
static void test_buffer_passed_on(void **state)
{
    (void)state;
    size_t n = 200000;
    char *b = malloc(n);
    assert_non_null(b);
    memset(b, 'A', n);
    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    f = lxw_tmpfile(NULL);
    assert_non_null(f);
    assert_int_equal(fseek(f, 1000, SEEK_SET), 0);
    assert_int_equal(fputc('x', f), 'x');
    assert_int_equal(fflush(f), 0);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_int_equal(ftell(f), 1001);
    rewind(f);
    memset(b, 'B', n);
    assert_int_equal(fread(b, 1, n, f), 1001);
    for (size_t i = 0; i < 1000; i++)
        if (b[i] != '\0')
            fail_msg("byte %zu: %d, want 0", i, b[i]);
    assert_int_equal(b[1000], 'x');
    assert_int_equal(fclose(f), 0);
    xlsx_tmp_release();
    xlsx_tmp_release(); /* twice is harmless */
    free(b);
}

static void test_write_error_sticks(void **state)
{
    (void)state;
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = XLSX_TMP_MEM_MAX / 2; /* the spill cannot be written */
    void (*h)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_true(h != SIG_ERR);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

    FILE *f = lxw_tmpfile(NULL);
    assert_non_null(f);
    char *b = malloc(2 * XLSX_TMP_MEM_MAX);
    assert_non_null(b);
    memset(b, 'z', 2 * XLSX_TMP_MEM_MAX);
    size_t put = fwrite(b, 1, 2 * XLSX_TMP_MEM_MAX, f);
    int flushed = fflush(f);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_true(signal(SIGXFSZ, h) != SIG_ERR);
    assert_true(put < 2 * XLSX_TMP_MEM_MAX || flushed == EOF);
    assert_true(ferror(f));

    /* rewind clears the stream's error; the file's stays. */
    rewind(f);
    assert_false(ferror(f));
    errno = 0;
    assert_int_equal(fread(b, 1, 16384, f), 0);
    assert_true(ferror(f));
    assert_false(feof(f));
    assert_int_equal(errno, EFBIG);
    fclose(f); /* EOF if stdio still held bytes to write */
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_files_in_memory),
        cmocka_unit_test(test_stream_in_memory),
        cmocka_unit_test(test_stream_spilled),
        cmocka_unit_test(test_buffer_passed_on),
        cmocka_unit_test(test_write_error_sticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
