/* test_labels.c - wording files loaded, and copied out of the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "labels.h"

/* a and b hold the same items, in the same order, with the same index. */
static void assert_same_labels(const labels *a, const labels *b)
{
    assert_int_equal(a->n, b->n);
    assert_string_equal(a->sha256, b->sha256);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->items[i].section, b->items[i].section);
        assert_string_equal(a->items[i].code, b->items[i].code);
        assert_string_equal(a->items[i].text, b->items[i].text);
        assert_int_equal(a->items[i].section_line, b->items[i].section_line);
        assert_int_equal(a->items[i].line, b->items[i].line);
        assert_int_equal(a->items[i].col, b->items[i].col);
        assert_int_equal(a->index[i] - a->items, b->index[i] - b->items);
    }
}

/* A copy from the cache is the file's labels, its strings its own: it
 * outlives the cache, and a second copy is the same. */
static void test_cached_copy(void **state)
{
    (void)state;
    const char *path = "templates/workbook.yaml";
    diag_list d = {0};
    labels direct, first, second;
    assert_int_equal(labels_load(&direct, path, &d), 0);
    assert_true(direct.n > 100);
    labels_cache *c = labels_cache_new();
    assert_int_equal(labels_load_cached(c, &first, path, &d), 0);
    assert_int_equal(labels_load_cached(c, &second, path, &d), 0);
    labels_cache_free(c);
    assert_same_labels(&direct, &first);
    assert_same_labels(&direct, &second);
    for (size_t i = 0; i < direct.n; i++) {
        const label_entry *e = &direct.items[i];
        assert_string_equal(label(&second, e->section, e->code), e->text);
        /* no string shared between copies */
        assert_ptr_not_equal(first.items[i].text, second.items[i].text);
    }
    assert_string_equal(label(&second, "sheet", "no-such-code"), "no-such-code");
    labels_free(&first);
    assert_same_labels(&direct, &second); /* (ASan: nothing freed with first) */
    labels_free(&second);
    labels_free(&direct);
    assert_int_equal(diag_errors(&d), 0);
    diag_free(&d);
}

/* Each item keeps its section's name and line (a section's name is kept
 * once for all its items). */
static void test_sections(void **state)
{
    (void)state;
    diag_list d = {0};
    labels lb;
    assert_int_equal(labels_load(&lb, "templates/labels.yaml", &d), 0);
    size_t sections = 0;
    for (size_t i = 0; i < lb.n; i++) {
        if (i == 0 || strcmp(lb.items[i].section, lb.items[i - 1].section) != 0)
            sections++;
        assert_true(lb.items[i].section_line > 0 && lb.items[i].section_line < lb.items[i].line);
    }
    assert_true(sections > 3);
    assert_string_equal(label(&lb, "status", "met"), label(&lb, "status", "met"));
    assert_string_not_equal(label(&lb, "status", "met"), "met");
    labels_free(&lb);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cached_copy),
        cmocka_unit_test(test_sections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
