/*
 * test_yamldoc.c - unit tests for yamldoc.c: ydoc_load's tree, built from
 * libyaml's events, node for node the one libyaml's own loader builds
 * (yaml_parser_load); ydoc_peek's plan id, read from the events up to it
 * as ydoc_load + ymap_get would find it in a well-formed file, and nothing
 * where they find nothing.
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

#include "diag.h"
#include "util.h"
#include "yamldoc.h"

/* text written to a new temporary file, whose name goes to path. */
static void write_temp(char path[static 32], const char *text)
{
    strcpy(path, "/tmp/test_yamldoc_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* ydoc_peek(plan, id) of text written to a temporary file. */
static char *peek_text(const char *text, int *line, int *col)
{
    char path[32];
    write_temp(path, text);
    char *id = ydoc_peek(path, "plan", "id", line, col);
    unlink(path);
    return id;
}

/* Mark m is libyaml's mark r. */
static int same_mark(int index, int line, int col, yaml_mark_t r)
{
    return (size_t)index == r.index && (size_t)line == r.line && (size_t)col == r.column;
}

/* Node n of document x and node id b of libyaml's document y alike, and
 * their children, in type, text, style and both marks; the first difference
 * is reported with its line in x. */
static void same_tree(ydoc *x, ynode *n, yaml_document_t *y, int b, const char *what)
{
    yaml_node_t *m = yaml_document_get_node(y, b);
    assert_non_null(n);
    assert_non_null(m);
    if (n->type != (int)m->type || !same_mark(n->index, n->line, n->col, m->start_mark) ||
        !same_mark(n->end_index, n->end_line, n->end_col, m->end_mark))
        fail_msg("%s: node at line %d differs in type or marks", what, n->line + 1);
    if (n->type == YAML_SCALAR_NODE) {
        if (n->len != m->data.scalar.length ||
            memcmp(n->u.text, m->data.scalar.value, n->len + 1) != 0 ||
            n->style != (int)m->data.scalar.style)
            fail_msg("%s: scalar at line %d differs", what, n->line + 1);
    } else if (n->type == YAML_SEQUENCE_NODE) {
        long len = (long)yseq_len(n);
        assert_int_equal(len, m->data.sequence.items.top - m->data.sequence.items.start);
        assert_int_equal(n->style, m->data.sequence.style);
        for (long i = 0; i < len; i++)
            same_tree(x, yseq_at(x, n, (size_t)i), y, m->data.sequence.items.start[i], what);
    } else {
        long len = (long)ymap_len(n);
        assert_int_equal(len, m->data.mapping.pairs.top - m->data.mapping.pairs.start);
        assert_int_equal(n->style, m->data.mapping.style);
        for (long i = 0; i < len; i++) {
            same_tree(x, ymap_key(x, n, (size_t)i), y, m->data.mapping.pairs.start[i].key, what);
            same_tree(x, ymap_value(x, n, (size_t)i), y, m->data.mapping.pairs.start[i].value,
                      what);
        }
    }
}

/* ydoc_load's tree of file path is libyaml's. */
static void check_against_libyaml(const char *path, const char *what)
{
    diag_list d = {0};
    ydoc y;
    if (ydoc_load(&y, path, &d) != 0) {
        diag_print(&d, stderr);
        fail_msg("%s: ydoc_load failed", what);
    }
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    yaml_parser_t parser;
    assert_true(yaml_parser_initialize(&parser));
    yaml_parser_set_input_file(&parser, f);
    yaml_document_t ref;
    assert_true(yaml_parser_load(&parser, &ref));
    assert_int_equal(y.nnodes, ref.nodes.top - ref.nodes.start);
    same_tree(&y, ydoc_root(&y), &ref, 1, what);
    yaml_document_delete(&ref);
    yaml_parser_delete(&parser);
    fclose(f);
    ydoc_free(&y);
    diag_free(&d);
}

static void test_tree_as_libyaml_builds_it(void **state)
{
    (void)state;
    /* Block and flow collections, every scalar style, complex keys, empty
     * values, a document marker and its end, comments, nesting 5 deep. */
    static const char *const texts[] = {
        "a: 1\nb: [x, 'y', \"z\\n\", {k: v, l: [ ]}]\nc:\n  - d: |\n      block\n      text\n"
        "    e: >\n      folded\n  - - - - deep\n  -\n  - ~\n? [complex, key]\n: value\n"
        "? {m: 1}\n: {}\nf: !!str 3\n# comment\ng: 'it''s'\n",
        "--- \n- 1\n- [2, [3, [4]]]\n...\n",
        "plain scalar at the root\n",
        "---\n",
        "{a: b, c: [d, e], ? f : g}\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char path[32], what[16];
        write_temp(path, texts[i]);
        snprintf(what, sizeof what, "text %zu", i);
        check_against_libyaml(path, what);
        unlink(path);
    }
    /* Many scalars, then one longer than a block of texts (yamldoc.c
     * keeps the texts in blocks of doubling size up to 256 KB). */
    size_t big = 300000, cap = big + 1000000;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = 0;
    for (int i = 0; i < 20000; i++)
        n += (size_t)snprintf(text + n, cap - n, "- s%d%.*s\n", i, i % 40,
                              "abcdefghijklmnopqrstuvwxyzabcdefghijklmn");
    memcpy(text + n, "- ", 2);
    memset(text + n + 2, 'x', big);
    memcpy(text + n + 2 + big, "\n- end\n", 8); /* with its NUL */
    char path[32];
    write_temp(path, text);
    check_against_libyaml(path, "many scalars");
    unlink(path);
    free(text);
    /* Every YAML file of the repository's samples. */
    static const char *const files[] = {
        "indicators/catalogue.yaml",       "indicators/huantai-2021-2025.yaml",
        "indicators/shanting-2020-2030.yaml", "templates/report.yaml",
        "templates/brief.yaml",            "templates/workbook.yaml",
        "data/variables/core.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        check_against_libyaml(files[i], files[i]);
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

/* The id found when the text reaches libyaml in pieces (ydoc_peek's
 * PEEK_PIECE, 1 KB): a three-byte character of the id or of a comment
 * before it cut at every place by a piece's end, the id further than one
 * piece in, and a file ending with no newline. */
static void test_peek_in_pieces(void **state)
{
    (void)state;
    for (int pad = 0; pad < 6; pad++) {
        strbuf b;
        sb_init(&b);
        sb_printf(&b, "# %.*s", pad, "xxxxx");
        int lines = 1;
        while (b.len < 1000 + (size_t)(lines * 40)) {
            sb_printf(&b, "规划规划规划规划规划规划规划\n# ");
            lines++;
        }
        sb_printf(&b, "\nplan:\n  title: 秦安县应急管理\n  id: 秦安-%d", pad);
        int line = 0, col = 0;
        char *id = peek_text(b.s, &line, &col);
        assert_non_null(id);
        char want[32];
        snprintf(want, sizeof want, "秦安-%d", pad);
        assert_string_equal(id, want);
        assert_int_equal(line, lines + 3);
        assert_int_equal(col, 7);
        free(id);
        sb_free(&b);
    }
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
        cmocka_unit_test(test_tree_as_libyaml_builds_it),
        cmocka_unit_test(test_peek_finds_the_id),
        cmocka_unit_test(test_peek_finds_nothing),
        cmocka_unit_test(test_peek_in_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
