/*
 * test_yamldoc.c - unit tests for ydoc_peek (yamldoc.c): the plan id read
 * from the events up to it, as ydoc_load + ymap_get would find it in a
 * well-formed file, and nothing where they find nothing.
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

#include "yamldoc.h"

/* ydoc_peek(plan, id) of text written to a temporary file. */
static char *peek_text(const char *text, int *line, int *col)
{
    char path[] = "/tmp/test_yamldoc_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    char *id = ydoc_peek(path, "plan", "id", line, col);
    unlink(path);
    return id;
}

static void test_peek_finds_the_id(void **state)
{
    (void)state;
    int line = 0, col = 0;
    char *id = peek_text("# comment\nversion: 1\nother: {id: no, list: [1, {id: no}]}\n"
                         "plan:\n  title: \"t\"\n  nested: {id: no}\n  seq: [id, x]\n"
                         "  id: \"p-2021\"\nindicators: [*broken\n",
                         &line, &col);
    assert_non_null(id);
    assert_string_equal(id, "p-2021");
    assert_int_equal(line, 8);
    assert_int_equal(col, 7);
    free(id);
    id = peek_text("plan: {region: r, id: flow}\n", &line, &col);
    assert_non_null(id);
    assert_string_equal(id, "flow");
    assert_int_equal(line, 1);
    free(id);
}

static void test_peek_finds_nothing(void **state)
{
    (void)state;
    const char *none[] = {
        "plan:\n  title: t\nid: root-level\n",    /* id outside plan */
        "plan: p\n",                               /* plan is no mapping */
        "plan:\n  id: [a, b]\n",                   /* id is no scalar */
        "plan:\n  meta: {id: deeper}\n",           /* id one level too deep */
        "- plan: {id: in-a-list}\n",               /* the root is no mapping */
        "plan:\n  title: *alias\n  id: after\n",   /* an alias before it */
        "plan: [id, x]\n",                         /* a list */
        "",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        int line = 0, col = 0;
        char *id = peek_text(none[i], &line, &col);
        if (id)
            fail_msg("case %zu: found '%s'", i, id);
    }
    int line, col;
    assert_null(ydoc_peek("/nonexistent/plan.yaml", "plan", "id", &line, &col));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peek_finds_the_id),
        cmocka_unit_test(test_peek_finds_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
