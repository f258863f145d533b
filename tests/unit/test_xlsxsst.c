/*
 * test_xlsxsst.c - unit test for xlsxsst.c: the shared strings table of a
 * workbook is indexed by hash, not by the library's tree. First through
 * the library: string cells of a workbook land in its table in first-seen
 * order, each text once, counted as the library counts them, and the
 * library's tree stays empty (its own lookup would fill it). Then the
 * table itself: thousands of texts (the index grows), texts that are
 * prefixes of each other, UTF-8, a rich and a plain string of one text;
 * a second table made while the first is indexed keeps the library's
 * tree and finds the same entries; a table made after the first is freed
 * is indexed again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <xlsxwriter/shared_strings.h>

/* The table's texts in order must be want[0..n-1], entry i with index i. */
static void assert_order(const lxw_sst *sst, const char *const *want, unsigned n)
{
    unsigned i = 0;
    struct sst_element *e;
    STAILQ_FOREACH(e, sst->order_list, sst_order_pointers) {
        assert_true(i < n);
        assert_string_equal(e->string, want[i]);
        assert_int_equal(e->index, i);
        i++;
    }
    assert_int_equal(i, n);
    assert_int_equal(sst->unique_count, n);
}

static void test_workbook_strings(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_xlsxsst.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/book.xlsx", dir);
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    assert_non_null(ws);
    const char *cells[] = {"b", "a", "b", "指标", "a", "指标名称", "b"};
    for (unsigned i = 0; i < sizeof cells / sizeof cells[0]; i++)
        assert_int_equal(worksheet_write_string(ws, (lxw_row_t)i, 0, cells[i], NULL),
                         LXW_NO_ERROR);
    static const char *const want[] = {"b", "a", "指标", "指标名称"};
    assert_order(wb->sst, want, 4);
    assert_int_equal(wb->sst->string_count, 7);
    assert_null(RB_ROOT(wb->sst->rb_tree)); /* the library's lookup never ran */
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

#define NTEXTS 3000

static void test_tables(void **state)
{
    (void)state;
    lxw_sst *a = lxw_sst_new();
    lxw_sst *b = lxw_sst_new(); /* made while a is indexed: the library's own */
    assert_non_null(a);
    assert_non_null(b);
    char text[64];
    struct sst_element *first[NTEXTS];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < NTEXTS; i++) {
            snprintf(text, sizeof text, "文本%d", i);
            struct sst_element *e = lxw_get_sst_index(a, text, 0);
            assert_non_null(e);
            assert_string_equal(e->string, text);
            assert_int_equal(e->index, (uint32_t)i);
            if (round == 0)
                first[i] = e;
            else
                assert_ptr_equal(e, first[i]);
        }
    assert_int_equal(a->unique_count, NTEXTS);
    assert_int_equal(a->string_count, 2 * NTEXTS);

    /* prefixes of each other, the empty text among them; a rich string is the plain one */
    lxw_sst *tables[] = {a, b};
    for (int t = 0; t < 2; t++) {
        lxw_sst *s = tables[t];
        uint32_t base = s->unique_count;
        for (int len = 0; len < 20; len++) {
            memset(text, 'x', (size_t)len);
            text[len] = '\0';
            assert_int_equal(lxw_get_sst_index(s, text, 0)->index, base + (uint32_t)len);
        }
        for (int len = 19; len >= 0; len--) {
            memset(text, 'x', (size_t)len);
            text[len] = '\0';
            assert_int_equal(lxw_get_sst_index(s, text, 0)->index, base + (uint32_t)len);
        }
        struct sst_element *rich = lxw_get_sst_index(s, "<r>", 1);
        assert_int_equal(rich->is_rich_string, 1);
        assert_ptr_equal(lxw_get_sst_index(s, "<r>", 0), rich);
        assert_int_equal(s->unique_count, base + 21);
    }
    assert_null(RB_ROOT(a->rb_tree));
    assert_non_null(RB_ROOT(b->rb_tree));
    lxw_sst_free(a);
    lxw_sst_free(b);

    /* the next table is indexed again */
    lxw_sst *c = lxw_sst_new();
    assert_non_null(c);
    assert_int_equal(lxw_get_sst_index(c, "c", 0)->index, 0);
    assert_int_equal(lxw_get_sst_index(c, "d", 0)->index, 1);
    assert_int_equal(lxw_get_sst_index(c, "c", 0)->index, 0);
    static const char *const want[] = {"c", "d"};
    assert_order(c, want, 2);
    assert_null(RB_ROOT(c->rb_tree));
    lxw_sst_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workbook_strings),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
