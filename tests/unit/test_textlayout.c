/*
 * test_textlayout.c - unit tests for textlayout.c: line breaking of Chinese
 * and mixed text, and the 避头尾 (kinsoku) rules.
 *
 * Widths are fixed: a CJK character is 10 points wide, anything else 5, so
 * every expected line can be worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textlayout.h"
#include "util.h"

static double fixed_width(void *ctx, uint32_t cp)
{
    (void)ctx;
    return tl_is_cjk(cp) ? 10 : 5;
}

/* The lines of text broken at width, joined with '|'. */
static char *lines_of(const char *text, double width, double indent)
{
    tl_line *l;
    int n = tl_break(text, width, indent, fixed_width, NULL, &l);
    strbuf b;
    sb_init(&b);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_addc(&b, '|');
        sb_addn(&b, text + l[i].start, l[i].end - l[i].start);
    }
    free(l);
    return sb_take(&b);
}

#define EXPECT_LINES(text, width, expected)                                                        \
    do {                                                                                           \
        char *got_ = lines_of((text), (width), 0);                                                 \
        assert_string_equal(got_, (expected));                                                    \
        free(got_);                                                                                \
    } while (0)

static void test_decode(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(tl_decode("a", &cp), 1);
    assert_int_equal(cp, 'a');
    assert_int_equal(tl_decode("中", &cp), 3);
    assert_int_equal(cp, 0x4E2D);
    assert_int_equal(tl_decode("\xF0\x9F\x98\x80", &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(tl_decode("\xE4\xB8", &cp), 1); /* truncated */
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(tl_decode("\xC0\x80", &cp), 1); /* overlong */
    assert_int_equal(cp, 0xFFFD);
    /* three bytes (decoded in line) that are no character */
    const char *const bad3[] = {"\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80",
                                "\xED\xBF\xBF", "\xE4\x41\x80", "\xE4\xB8\x41"};
    for (size_t i = 0; i < sizeof bad3 / sizeof bad3[0]; i++) {
        assert_int_equal(tl_decode(bad3[i], &cp), 1);
        assert_int_equal(cp, 0xFFFD);
    }
    assert_int_equal(tl_decode("\xE0\xA0\x80", &cp), 3); /* the first and last of the range */
    assert_int_equal(cp, 0x800);
    assert_int_equal(tl_decode("\xEF\xBF\xBF", &cp), 3);
    assert_int_equal(cp, 0xFFFF);
    assert_int_equal(tl_decode("\xEE\x80\x80", &cp), 3);
    assert_int_equal(cp, 0xE000);
    char buf[8];
    assert_int_equal(tl_encode(0x4E2D, buf), 3);
    assert_memory_equal(buf, "中", 3);
}

static void test_cjk_breaks_anywhere(void **state)
{
    (void)state;
    EXPECT_LINES("一二三四五六", 30, "一二三|四五六");
    EXPECT_LINES("一二三四五六七", 30, "一二三|四五六|七");
    EXPECT_LINES("", 30, "");
}

static void test_no_line_starts_with_closing_mark(void **state)
{
    (void)state;
    /* 一二 fill the line; ， may not start the next: 二 goes with it. */
    EXPECT_LINES("一二，三四", 20, "一|二，|三四");
    EXPECT_LINES("一二。三四", 20, "一|二。|三四");
    EXPECT_LINES("一二）三四", 20, "一|二）|三四");
    EXPECT_LINES("一二」三四", 20, "一|二」|三四");
    EXPECT_LINES("一二、三四", 20, "一|二、|三四");
    EXPECT_LINES("一二；三四", 20, "一|二；|三四");
    EXPECT_LINES("一二：三四", 20, "一|二：|三四");
    EXPECT_LINES("一二？三四", 20, "一|二？|三四");
    EXPECT_LINES("一二！三四", 20, "一|二！|三四");
    EXPECT_LINES("一二》三四", 20, "一|二》|三四");
    EXPECT_LINES("一二】三四", 20, "一|二】|三四");
    EXPECT_LINES("一二』三四", 20, "一|二』|三四");
    /* Two closing marks in a row travel together. */
    EXPECT_LINES("一二三）。四", 30, "一二|三）。|四");
}

static void test_no_line_ends_with_opening_mark(void **state)
{
    (void)state;
    EXPECT_LINES("一（二三", 20, "一|（二|三");
    EXPECT_LINES("一「二三", 20, "一|「二|三");
    EXPECT_LINES("一【二三", 20, "一|【二|三");
    EXPECT_LINES("一《二三", 20, "一|《二|三");
    EXPECT_LINES("一『二三", 20, "一|『二|三");
    EXPECT_LINES("一“二三", 20, "一|“二|三");
}

/* The ASCII marks no line starts or ends with, and no other ASCII
 * character (letters and digits break as before). */
static void test_ascii_marks(void **state)
{
    (void)state;
    for (uint32_t c = 0; c < 0x80; c++) {
        assert_int_equal(tl_no_start(c), c && strchr("!),.:;?]}%/", (int)c) != NULL);
        assert_int_equal(tl_no_end(c), c && strchr("([{", (int)c) != NULL);
    }
    assert_true(tl_no_start(0xFF0C) && tl_no_end(0x300A) && !tl_no_start(0x4E00));
}

static void test_latin_breaks_at_spaces(void **state)
{
    (void)state;
    EXPECT_LINES("hello world foo", 60, "hello world|foo");
    EXPECT_LINES("hello   world", 30, "hello|world");
    /* A word longer than the line is cut. */
    EXPECT_LINES("abcdefghij", 20, "abcd|efgh|ij");
    /* Numbers stay whole: 0.01 is one word. */
    EXPECT_LINES("值为 0.0138 人", 40, "值为|0.0138|人");
}

static void test_mixed(void **state)
{
    (void)state;
    /* Between a CJK and a Latin character a line may break. */
    EXPECT_LINES("中文abc中文", 30, "中文|abc中|文");
    EXPECT_LINES("亿元GDP死亡率", 40, "亿元GDP|死亡率");
    /* A year range and a double dash stay whole. */
    EXPECT_LINES("规划2021—2025年", 60, "规划|2021—2025年");
    EXPECT_LINES("一二——三四", 40, "一二——|三四");
    EXPECT_LINES("一二三——四", 40, "一二三|——四");
    /* A percent sign stays with its number. */
    EXPECT_LINES("下降15%以上", 20, "下降|15%|以上");
}

static void test_hard_breaks_and_indent(void **state)
{
    (void)state;
    EXPECT_LINES("一\n二三", 30, "一|二三");
    EXPECT_LINES("一\n\n二", 30, "一||二");
    EXPECT_LINES("一二\n", 30, "一二");
    char *got = lines_of("一二三四五", 30, 20);
    assert_string_equal(got, "一|二三四|五");
    free(got);
}

static void test_overflow_flag(void **state)
{
    (void)state;
    tl_line *l;
    int n = tl_break("一二", 5, 0, fixed_width, NULL, &l);
    assert_int_equal(n, 2);
    assert_true(l[0].overflow);
    free(l);
    n = tl_break("一二三", 30, 0, fixed_width, NULL, &l);
    assert_int_equal(n, 1);
    assert_false(l[0].overflow);
    assert_true(l[0].hard);
    assert_int_equal(l[0].nchars, 3);
    assert_true(l[0].width == 30);
    free(l);
}

/* Random texts: every line fits, no line starts or ends with a forbidden
 * mark (except a line that is nothing but marks), nothing is lost. Lines
 * are at least 4 CJK characters wide. */
static void test_random_texts(void **state)
{
    (void)state;
    static const char *const pieces[] = {"中", "文", "规", "划", "，", "。", "、", "（", "）",
                                         "「", "」", "a", "bc", "GDP", " ", "0.01", "%", "《",
                                         "》", "：", "；", "？", "！", "\n"};
    const int np = (int)(sizeof pieces / sizeof pieces[0]);
    unsigned seed = 12345;
    for (int round = 0; round < 2000; round++) {
        strbuf t;
        sb_init(&t);
        sb_add(&t, ""); /* never NULL */
        int len = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
        /* Spaces only between Latin words, as in real text (a space before a
         * closing mark would leave the breaker no legal choice). */
        int prev_latin = 0, after_space = 0, marks = 0;
        for (int i = 0; i < len; i++) {
            const char *pc = pieces[((seed = seed * 1103515245u + 12345u) >> 16) % (unsigned)np];
            int latin = (pc[0] >= 'a' && pc[0] <= 'z') || (pc[0] >= 'A' && pc[0] <= 'Z') ||
                        (pc[0] >= '0' && pc[0] <= '9');
            uint32_t c0;
            tl_decode(pc, &c0);
            int mark = tl_no_start(c0) || tl_no_end(c0);
            /* ... and at most two marks in a row, so that a line of 4
             * characters always has a legal break. */
            if ((pc[0] == ' ' && !prev_latin) || (after_space && !latin) || (mark && marks >= 2))
                continue;
            marks = mark ? marks + 1 : 0;
            sb_add(&t, pc);
            after_space = pc[0] == ' ';
            prev_latin = latin;
        }
        double width = 40 + (double)(((seed = seed * 1103515245u + 12345u) >> 16) % 60);
        tl_line *l;
        int n = tl_break(t.s, width, 0, fixed_width, NULL, &l);
        strbuf kept;
        sb_init(&kept);
        sb_add(&kept, "");
        for (int i = 0; i < n; i++) {
            assert_true(l[i].start <= l[i].end && l[i].end <= t.len);
            if (!l[i].overflow)
                assert_true(l[i].width <= width + 1e-9);
            double w = tl_width(t.s, l[i].start, l[i].end, fixed_width, NULL);
            assert_true(w > l[i].width - 1e-9 && w < l[i].width + 1e-9);
            int all_marks = 1;
            for (size_t k = l[i].start; k < l[i].end;) {
                uint32_t cp;
                k += (size_t)tl_decode(t.s + k, &cp);
                if (!tl_no_start(cp) && !tl_no_end(cp))
                    all_marks = 0;
            }
            if (l[i].end > l[i].start && !all_marks && i > 0 && !l[i - 1].hard) {
                uint32_t first;
                tl_decode(t.s + l[i].start, &first);
                if (tl_no_start(first)) {
                    char *all_lines = lines_of(t.s, width, 0);
                    print_error("width %g: [%s] %s\n", width, t.s, all_lines);
                    free(all_lines);
                }
                assert_false(tl_no_start(first));
            }
            if (l[i].end > l[i].start && !all_marks && !l[i].hard) {
                /* last code point */
                size_t k = l[i].end - 1;
                while (k > l[i].start && ((unsigned char)t.s[k] & 0xC0) == 0x80)
                    k--;
                uint32_t last;
                tl_decode(t.s + k, &last);
                assert_false(tl_no_end(last));
            }
            for (size_t k = l[i].start; k < l[i].end; k++)
                if (t.s[k] != ' ' && t.s[k] != '\n')
                    sb_addc(&kept, t.s[k]);
        }
        strbuf all;
        sb_init(&all);
        sb_add(&all, "");
        for (size_t k = 0; k < t.len; k++)
            if (t.s[k] != ' ' && t.s[k] != '\n')
                sb_addc(&all, t.s[k]);
        assert_string_equal(kept.s, all.s);
        sb_free(&kept);
        sb_free(&all);
        sb_free(&t);
        free(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_cjk_breaks_anywhere),
        cmocka_unit_test(test_no_line_starts_with_closing_mark),
        cmocka_unit_test(test_no_line_ends_with_opening_mark),
        cmocka_unit_test(test_ascii_marks),
        cmocka_unit_test(test_latin_breaks_at_spaces),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_hard_breaks_and_indent),
        cmocka_unit_test(test_overflow_flag),
        cmocka_unit_test(test_random_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
