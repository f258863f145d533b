/*
 * test_manifest.c - unit tests for inputs.sha256 (manifest.c) and the
 * digests the loaders keep of the bytes they parsed (yamldoc.c, csvfile.c):
 * a file whose digest is known is listed with it, not read again; the
 * others are read; the loaders' digests are those of the files' bytes.
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

#include "csvfile.h"
#include "manifest.h"
#include "sha256.h"
#include "util.h"
#include "yamldoc.h"

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The known_digest_fn of the test: one file's digest made up, the others unknown. */
typedef struct fake {
    const char *path;
    int asked;
} fake;

static const char *fake_digest(void *ctx, const char *path)
{
    fake *f = ctx;
    f->asked++;
    return strcmp(path, f->path) == 0 ? "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                                      : NULL;
}

/* The line of listing that ends with "  path", as a copy. */
static char *line_of(const char *listing, const char *path)
{
    char *want = xasprintf("  %s\n", path);
    const char *at = strstr(listing, want);
    char *line = NULL;
    if (at) {
        const char *bol = at;
        while (bol > listing && bol[-1] != '\n')
            bol--;
        line = xasprintf("%.*s", (int)(at - bol), bol);
    }
    free(want);
    return line;
}

static void test_known_digests_are_not_read_again(void **state)
{
    (void)state;
    char root[] = "/tmp/test_manifest_XXXXXX";
    assert_non_null(mkdtemp(root));
    char *p[12];
    const char *dirs[] = {"vars", "tpl", "data", "data/r"};
    for (size_t i = 0; i < 4; i++) {
        char *d = xasprintf("%s/%s", root, dirs[i]);
        assert_int_equal(mkdir(d, 0700), 0);
        free(d);
    }
    const char *files[][2] = {
        {"plan.yaml", "plan:\n  id: x\n"}, {"cat.yaml", "catalogue: []\n"},
        {"vars/a.yaml", "tables: {}\n"},   {"tpl/t.yaml", "a: b\n"},
        {"tpl/u.yaml", "c: d\n"},          {"tpl/README.md", "not an input\n"},
        {"data/r/x.csv", "year,v\n2020,1\n"}, {"data/r/provenance.yaml", "illustrative: true\n"},
    };
    size_t nf = sizeof files / sizeof files[0];
    for (size_t i = 0; i < nf; i++) {
        p[i] = xasprintf("%s/%s", root, files[i][0]);
        put(p[i], files[i][1]);
    }
    char *vars = xasprintf("%s/vars", root), *tpl = xasprintf("%s/tpl", root),
         *data = xasprintf("%s/data", root);
    input_dirs in = {p[1], vars, data, tpl};
    fake f = {p[3], 0};
    diag_list d = {0};
    char *listing = inputs_listing(p[0], "r", &in, "opts", fake_digest, &f, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(f.asked, 7); /* every input, the README excepted */
    assert_null(line_of(listing, p[5]));
    char *t = line_of(listing, p[3]);
    assert_non_null(t);
    assert_string_equal(t, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    free(t);
    for (size_t i = 0; i < nf; i++) {
        if (i == 3 || i == 5)
            continue;
        char hex[65];
        assert_int_equal(sha256_file(p[i], hex), 0);
        char *l = line_of(listing, p[i]);
        assert_non_null(l);
        assert_string_equal(l, hex);
        free(l);
    }
    /* without digests known, every file is read */
    char *plain = inputs_listing(p[0], "r", &in, "opts", NULL, NULL, &d);
    char hex[65];
    assert_int_equal(sha256_file(p[3], hex), 0);
    t = line_of(plain, p[3]);
    assert_string_equal(t, hex);
    free(t);
    free(plain);
    free(listing);

    /* the loaders' digests: of the bytes they read */
    ydoc y;
    assert_int_equal(ydoc_load(&y, p[0], &d), 0);
    assert_int_equal(sha256_file(p[0], hex), 0);
    assert_string_equal(y.sha256, hex);
    ydoc_free(&y);
    csv_table csv;
    csv_error err;
    char got[65] = "";
    csv_stream none = {NULL, NULL, NULL, got};
    assert_int_equal(csvfile_read_stream(p[6], &csv, &err, &none), 0);
    assert_int_equal(sha256_file(p[6], hex), 0);
    assert_string_equal(got, hex);
    csvfile_free(&csv);
    assert_int_equal(d.n, 0);

    for (size_t i = 0; i < nf; i++) {
        unlink(p[i]);
        free(p[i]);
    }
    for (size_t i = 4; i-- > 0;) {
        char *dd = xasprintf("%s/%s", root, dirs[i]);
        rmdir(dd);
        free(dd);
    }
    rmdir(root);
    free(vars);
    free(tpl);
    free(data);
    diag_free(&d);
}

/* A YAML file larger than stdio's buffers, read in one piece: the tree and the digest whole. */
static void test_large_yaml_read_whole(void **state)
{
    (void)state;
    char path[] = "/tmp/test_manifest_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    strbuf b;
    sb_init(&b);
    for (int i = 0; i < 5000; i++)
        sb_printf(&b, "k%d: value %d\n", i, i);
    put(path, b.s);
    diag_list d = {0};
    ydoc y;
    assert_int_equal(ydoc_load(&y, path, &d), 0);
    assert_int_equal(ymap_len(ydoc_root(&y)), 5000);
    assert_string_equal(ynode_str(ymap_value(&y, ydoc_root(&y), 4999)), "value 4999");
    char hex[65];
    sha256_hex(b.s, b.len, hex);
    assert_string_equal(y.sha256, hex);
    ydoc_free(&y);
    diag_free(&d);
    sb_free(&b);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_digests_are_not_read_again),
        cmocka_unit_test(test_large_yaml_read_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
