/*
 * test_report.c - unit tests for the report templates (report_tpl.c) and the
 * page layout (report_doc.c): placeholders and their errors, two-pass page
 * counts, tables that cross pages, rows taller than a page, the contents,
 * missing glyphs, markers in the bytes libharu writes for them, the fonts
 * opened before the workers (pdf_fonts_preload) as a document opens them. The PDFs themselves are checked by real readers in
 * tests/pdf/run.sh.
 *
 * The layout tests need the Debian CJK fonts (fonts-arphic-uming,
 * fonts-wqy-microhei); without them they are skipped.
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

#include "pdf.h"
#include "report_doc.h"
#include "textlayout.h"

#include <hpdf.h>
#include <zlib.h>
#include "report_tpl.h"
#include "sha256.h"
#include "util.h"

static char *write_temp(const char *text)
{
    char *path = xstrdup("/tmp/planeval-test-XXXXXX.yaml");
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static int has_message(const diag_list *d, const char *part)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->items[i].msg, part))
            return 1;
    return 0;
}

static const char *const known[] = {"name", "n", "page", "pages", NULL};

/* ---------- templates ---------- */

static void test_template_lookup_and_fill(void **state)
{
    (void)state;
    char *path = write_temp("document:\n  footer: \"第{page}页 共{pages}页\"\n"
                            "sections:\n  - kind: note\n    text: \"{{字面}} {name}\"\n"
                            "  - kind: note\n    text: 二\n"
                            "words:\n  list: [a, b, c]\n");
    diag_list d = {0};
    rtpl *t;
    assert_int_equal(rtpl_load(&t, path, known, &d), 0);
    assert_string_equal(rtpl_get(t, "sections.1.text"), "二");
    assert_int_equal(rtpl_count(t, "sections"), 2);
    assert_int_equal(rtpl_count(t, "words.list"), 3);
    assert_true(rtpl_has(t, "words"));
    assert_false(rtpl_has(t, "word"));
    assert_int_equal(rtpl_line(t, "document.footer"), 2);
    tvars g, v;
    tv_init(&g, NULL);
    tv_set(&g, "pages", "4");
    tv_init(&v, &g);
    tv_setf(&v, "page", "%d", 2);
    char *s = rtpl_expand(t, "document.footer", &v, &d);
    assert_string_equal(s, "第2页 共4页");
    free(s);
    tv_set(&v, "name", "桓台");
    s = rtpl_expand(t, "sections.0.text", &v, &d);
    assert_string_equal(s, "{字面} 桓台");
    free(s);
    assert_int_equal(d.n, 0);
    /* a known placeholder without a value: kept, one error (no raw {name}
     * may reach a reader: the renderer fails) */
    tv_free(&v);
    tv_init(&v, NULL);
    s = rtpl_expand(t, "sections.0.text", &v, &d);
    assert_string_equal(s, "{字面} {name}");
    free(s);
    s = rtpl_expand(t, "sections.0.text", &v, &d);
    free(s);
    assert_int_equal(d.n, 1);
    assert_int_equal(diag_errors(&d), 1);
    tv_free(&v);
    tv_free(&g);
    rtpl_free(t);
    diag_free(&d);
    unlink(path);
    free(path);
}

/* A fill of many pieces (placeholders, literal braces, plain runs, a value
 * missing) comes out whole, past the pieces rtpl_fill keeps before it goes
 * on in a buffer; an empty text is an empty string. */
static void test_template_fill_many_pieces(void **state)
{
    (void)state;
    char *path = write_temp("words:\n  a: x\n");
    diag_list d = {0};
    rtpl *t;
    assert_int_equal(rtpl_load(&t, path, known, &d), 0);
    tvars v;
    tv_init(&v, NULL);
    tv_set(&v, "name", "桓台");
    tv_set(&v, "n", "");
    strbuf text, want;
    sb_init(&text);
    sb_init(&want);
    for (int i = 0; i < 40; i++) {
        sb_printf(&text, "%d{name}{n}{{}}|", i);
        sb_printf(&want, "%d桓台{}|", i);
    }
    sb_add(&text, "{page} end");
    sb_add(&want, "{page} end");
    char *s = rtpl_fill(t, text.s, "words.a", &v, &d);
    assert_string_equal(s, want.s);
    free(s);
    assert_int_equal(diag_errors(&d), 1); /* {page} has no value */
    s = rtpl_fill(t, "", "words.a", &v, &d);
    assert_string_equal(s, "");
    free(s);
    s = rtpl_fill(t, "{name}", "words.a", &v, &d);
    assert_string_equal(s, "桓台");
    free(s);
    sb_free(&text);
    sb_free(&want);
    tv_free(&v);
    rtpl_free(t);
    diag_free(&d);
    unlink(path);
    free(path);
}

/* Every text found by its key, in a template as loaded and in the copies
 * the cache hands out (looked up through an index of their own), and no
 * text for a key that is only a prefix or an extension of one. */
static void test_template_every_key(void **state)
{
    (void)state;
    strbuf y;
    sb_init(&y);
    sb_add(&y, "sections:\n");
    for (int i = 0; i < 150; i++)
        sb_printf(&y, "  - kind: k%d\n    text: \"t%d\"\n", i, i);
    sb_add(&y, "words:\n  a: x\n  ab: y\n  abc: z\n");
    char *path = write_temp(y.s);
    sb_free(&y);
    diag_list d = {0};
    rtpl_cache *c = rtpl_cache_new();
    rtpl *t[3];
    assert_int_equal(rtpl_load(&t[0], path, known, &d), 0);
    assert_int_equal(rtpl_load_cached(c, &t[1], path, known, &d), 0);
    assert_int_equal(rtpl_load_cached(c, &t[2], path, known, &d), 0); /* a copy */
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 150; i++) {
            char key[64], want[16];
            snprintf(key, sizeof key, "sections.%d.text", i);
            snprintf(want, sizeof want, "t%d", i);
            assert_non_null(rtpl_get(t[k], key));
            assert_string_equal(rtpl_get(t[k], key), want);
            snprintf(key, sizeof key, "sections.%d.kind", i);
            snprintf(want, sizeof want, "k%d", i);
            assert_string_equal(rtpl_get(t[k], key), want);
        }
        assert_string_equal(rtpl_get(t[k], "words.a"), "x");
        assert_string_equal(rtpl_get(t[k], "words.ab"), "y");
        assert_string_equal(rtpl_get(t[k], "words.abc"), "z");
        assert_null(rtpl_get(t[k], "words.abcd"));
        assert_null(rtpl_get(t[k], "words"));
        assert_null(rtpl_get(t[k], "sections.150.text"));
        assert_null(rtpl_get(t[k], "sections.1.tex"));
        assert_null(rtpl_get(t[k], ""));
        assert_int_equal(rtpl_count(t[k], "sections"), 150);
        rtpl_free(t[k]);
    }
    assert_int_equal(d.n, 0);
    rtpl_cache_free(c);
    diag_free(&d);
    unlink(path);
    free(path);
}

/*
 * Through the cache a file is parsed once whatever the lists of
 * placeholders its callers can fill (the session's check of changes.yaml,
 * then the changes module): each list is still checked, and its errors said
 * at every load that fails; the digest is of the bytes parsed, which stay
 * what the cache hands out after the file is rewritten.
 */
static void test_cache_parses_once(void **state)
{
    (void)state;
    const char *text = "document:\n  footer: \"{pgae}\"\n";
    char *path = write_temp(text);
    char want[65];
    sha256_hex(text, strlen(text), want);
    rtpl_cache *c = rtpl_cache_new();
    assert_null(rtpl_cache_digest(c, path));
    rtpl_cache_preload(c, path);
    assert_non_null(rtpl_cache_digest(c, path));
    assert_string_equal(rtpl_cache_digest(c, path), want);
    diag_list d = {0};
    rtpl *t;
    assert_int_equal(rtpl_load_cached(c, &t, path, NULL, &d), 0); /* no list: nothing checked */
    assert_string_equal(rtpl_get(t, "document.footer"), "{pgae}");
    rtpl_free(t);
    assert_int_equal(d.n, 0);
    for (int k = 1; k <= 2; k++) {
        assert_int_equal(rtpl_load_cached(c, &t, path, known, &d), -1);
        assert_null(t);
        assert_int_equal(diag_errors(&d), (size_t)k);
        assert_true(has_message(&d, "unknown placeholder {pgae}"));
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("document:\n  footer: \"{page}\"\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rtpl_load_cached(c, &t, path, NULL, &d), 0);
    assert_string_equal(rtpl_get(t, "document.footer"), "{pgae}"); /* the one parse */
    rtpl_free(t);
    assert_string_equal(rtpl_cache_digest(c, path), want);
    rtpl_cache_free(c);
    diag_free(&d);
    unlink(path);
    free(path);
}

static void test_template_errors(void **state)
{
    (void)state;
    char *path = write_temp("document:\n  footer: \"{pgae}\"\n  header: \"a { b\"\n");
    diag_list d = {0};
    rtpl *t;
    assert_int_equal(rtpl_load(&t, path, known, &d), -1);
    assert_null(t);
    assert_true(has_message(&d, "unknown placeholder {pgae}"));
    assert_true(has_message(&d, "starts no placeholder"));
    assert_int_equal(d.items[0].line, 2);
    diag_free(&d);
    unlink(path);
    free(path);
    /* required keys */
    path = write_temp("sections:\n  - kind: note\n");
    assert_int_equal(rtpl_load(&t, path, known, &d), 0);
    static const char *const keys[] = {"kind", "text", NULL};
    rtpl_require(t, "sections.0", keys, "section 1", &d);
    assert_int_equal(diag_errors(&d), 1);
    assert_true(has_message(&d, "missing key 'sections.0.text'"));
    rtpl_free(t);
    diag_free(&d);
    unlink(path);
    free(path);
}

/* tv_setf's "%d" (written by hand) is printf's, on the edges and a spread of values. */
static void test_setf_int_as_printf(void **state)
{
    (void)state;
    tvars v;
    tv_init(&v, NULL);
    const int edge[] = {0, 1, -1, 9, 10, -10, 99, 100, 2025, -2147483647 - 1, 2147483647};
    unsigned long long r = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        int x;
        if (i < (int)(sizeof edge / sizeof *edge)) {
            x = edge[i];
        } else {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            unsigned bits = (unsigned)r >> (r % 32); /* all magnitudes */
            memcpy(&x, &bits, sizeof x);
        }
        char want[16];
        snprintf(want, sizeof want, "%d", x);
        tv_setf(&v, "n", "%d", x);
        assert_string_equal(tv_get(&v, "n"), want);
    }
    tv_setf(&v, "n", "%05.1f", 2.25); /* other formats: printf's */
    assert_string_equal(tv_get(&v, "n"), "002.2");
    tv_free(&v);
}

/* ---------- layout ---------- */

typedef struct fixture {
    rfonts *fonts;
    diag_list d;
} fixture;

static int setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    if (rfonts_open(&f->fonts, "AR PL UMing CN", "WenQuanYi Micro Hei", &f->d) != 0)
        f->fonts = NULL;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rfonts_free(f->fonts);
    diag_free(&f->d);
    free(f);
    return 0;
}

static rdoc *new_doc(fixture *f)
{
    rdoc_info info;
    memset(&info, 0, sizeof info);
    info.title = "测试";
    info.year = 2025;
    info.month = 12;
    info.day = 31;
    return rdoc_new(f->fonts, &info, &f->d);
}

static int pages_seen;
static void count_decorate(void *ctx, rdoc *d, int page, int pages)
{
    (void)ctx;
    (void)d;
    (void)page;
    pages_seen = pages;
}

static rstyle body_style(void)
{
    rstyle s;
    memset(&s, 0, sizeof s);
    s.font = RF_BODY;
    s.size = 10;
    s.leading = 15;
    return s;
}

/* A table of 120 rows, one of them taller than a page. */
static void draw_long_table(rdoc *d)
{
    double w[3] = {100, 200, 183};
    const char *head[3] = {"指标", "说明", "数值"};
    rstyle st = body_style(), hs = body_style();
    hs.font = RF_HEAD;
    rtable *t = rdoc_table_begin(d, 3, w, head, &st, &hs);
    strbuf longtext;
    sb_init(&longtext);
    for (int i = 0; i < 900; i++)
        sb_add(&longtext, "应急管理，");
    for (int r = 0; r < 120; r++) {
        rcell c[3];
        memset(c, 0, sizeof c);
        char num[16];
        snprintf(num, sizeof num, "%d", r);
        c[0].text = "生产安全事故死亡人数";
        c[1].text = r == 60 ? longtext.s : "（2021—2025年年均）";
        c[2].text = num;
        rdoc_table_row(t, c);
    }
    rdoc_table_end(t);
    sb_free(&longtext);
}

static void test_two_passes_and_tables(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    rdoc *d = new_doc(f);
    assert_false(rdoc_failed(d));
    rdoc_set_decorate(d, count_decorate, NULL);
    rstyle h = body_style();
    h.font = RF_HEAD;
    rdoc_begin_pass(d, 1);
    rdoc_toc(d, &h, 20);
    rdoc_heading(d, "一、总体", &h, 1, 1, 40);
    draw_long_table(d);
    rdoc_heading(d, "二、附录", &h, 1, 1, 40);
    int dry = rdoc_end_pass(d);
    assert_true(dry > 3); /* the long row alone is more than a page */
    rdoc_begin_pass(d, 0);
    assert_int_equal(rdoc_toc_entries(d), 2);
    rdoc_toc(d, &h, 20);
    rdoc_heading(d, "一、总体", &h, 1, 1, 40);
    draw_long_table(d);
    rdoc_heading(d, "二、附录", &h, 1, 1, 40);
    int real = rdoc_end_pass(d);
    assert_int_equal(real, dry);
    assert_int_equal(pages_seen, dry); /* 共Y页 known on every page */
    char path[] = "/tmp/planeval-test-XXXXXX.pdf";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(rdoc_save(d, path), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 1000);
    assert_int_equal(diag_errors(&f->d), 0);
    unlink(path);
    rdoc_free(d);
}

/* 第X页 共Y页 on each page: Y is the pages of the pass before */
static void page_of_pages(void *ctx, rdoc *d, int page, int pages)
{
    (void)ctx;
    char text[64];
    snprintf(text, sizeof text, "第%d页 共%d页", page, pages);
    rdoc_text_at(d, text, RF_BODY, 9, (rcolor){0, 0, 0}, 300, 820, RA_CENTER);
}

/* A report-like document: a title, the contents on pages of their own
 * (rdoc_toc_page), then n headings with some text each. */
static void lay_headings(rdoc *d, int from, int to);
static void lay_contents_doc(rdoc *d, int n)
{
    rstyle h = body_style(), b = body_style();
    h.font = RF_HEAD;
    rdoc_para(d, "报告", &h);
    rdoc_toc_page(d, &b, 20);
    lay_headings(d, 0, n);
}

/* Save d to a temporary file and read it back (the caller frees *data). */
static size_t saved_bytes(rdoc *d, unsigned char **data)
{
    char path[] = "/tmp/planeval-test-XXXXXX.pdf";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(rdoc_save(d, path), 0);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    *data = xmalloc(1 << 22);
    size_t n = fread(*data, 1, 1 << 22, fp);
    fclose(fp);
    unlink(path);
    return n;
}

/* rdoc_toc_settle() leaves the document as a second dry pass does, also
 * when the contents grow by pages (many headings): the same pages and the
 * same file. */
static void test_contents_settle_as_a_pass(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    for (int n = 3; n <= 120; n += 117) {
        /* one document at a time: the fonts' definitions are lent to it */
        rdoc *a = new_doc(f);
        rdoc_set_decorate(a, page_of_pages, NULL);
        rdoc_begin_pass(a, 1);
        lay_contents_doc(a, n);
        rdoc_end_pass(a);
        rdoc_begin_pass(a, 1);
        lay_contents_doc(a, n);
        int pages_a = rdoc_end_pass(a);
        rdoc_begin_pass(a, 0);
        lay_contents_doc(a, n);
        assert_int_equal(rdoc_end_pass(a), pages_a);
        unsigned char *da, *db;
        size_t na = saved_bytes(a, &da);
        rdoc_free(a);

        rdoc *b = new_doc(f);
        rdoc_set_decorate(b, page_of_pages, NULL);
        rdoc_begin_pass(b, 1);
        lay_contents_doc(b, n);
        int first = rdoc_end_pass(b);
        int pages_b = rdoc_toc_settle(b);
        assert_int_equal(pages_b, pages_a);
        if (n > 100)
            assert_true(pages_b > first); /* the contents took pages of their own */
        rdoc_begin_pass(b, 0);
        lay_contents_doc(b, n);
        assert_int_equal(rdoc_end_pass(b), pages_a);
        size_t nb = saved_bytes(b, &db);
        rdoc_free(b);

        assert_int_equal(na, nb);
        assert_memory_equal(da, db, na);
        free(da);
        free(db);
    }
    assert_int_equal(diag_errors(&f->d), 0);
}

/* The headings and text of lay_contents_doc() from heading from to to. */
static void lay_headings(rdoc *d, int from, int to)
{
    rstyle h = body_style(), b = body_style();
    h.font = RF_HEAD;
    for (int i = from; i < to; i++) {
        char head[64];
        snprintf(head, sizeof head, "%d、第%d项指标的完成情况", i + 1, i + 1);
        rdoc_heading(d, head, &h, 1 + i % 2, 1, 40);
        for (int k = 0; k < 1 + i % 3; k++)
            rdoc_para(d, "指标按计划推进，年度目标基本完成，个别任务仍需加强。", &b);
    }
}

/* A dry pass resumed at a mark of the pass before (rdoc_mark_resume) ends
 * as the whole pass does: the same pages, and the contents drawn from it
 * the same, headings before the mark included. */
static void test_mark_resume_as_a_pass(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    rstyle b = body_style();
    unsigned char *data[2];
    size_t len[2];
    for (int resume = 0; resume < 2; resume++) {
        rdoc *d = new_doc(f);
        rdoc_set_decorate(d, page_of_pages, NULL);
        rdoc_begin_pass(d, 1);
        lay_contents_doc(d, 60);
        rdoc_end_pass(d);
        /* the second pass, marked after 40 headings */
        rdoc_begin_pass(d, 1);
        rdoc_toc_page(d, &b, 20);
        lay_headings(d, 0, 40);
        rdoc_mark *m = rdoc_mark_take(d);
        lay_headings(d, 40, 60);
        int pages = rdoc_end_pass(d);
        /* the third the same, whole or from the mark */
        rdoc_begin_pass(d, 1);
        if (resume) {
            rdoc_mark_resume(d, m);
        } else {
            rdoc_toc_page(d, &b, 20);
            lay_headings(d, 0, 40);
        }
        lay_headings(d, 40, 60);
        assert_int_equal(rdoc_end_pass(d), pages);
        rdoc_mark_free(m);
        rdoc_begin_pass(d, 0);
        rdoc_toc_page(d, &b, 20);
        lay_headings(d, 0, 60);
        assert_int_equal(rdoc_end_pass(d), pages);
        len[resume] = saved_bytes(d, &data[resume]);
        rdoc_free(d);
    }
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(data[0], data[1], len[0]);
    free(data[0]);
    free(data[1]);
    assert_int_equal(diag_errors(&f->d), 0);
}

/* Two contents in a pass: no shortcut, the pass must be run. */
static void test_contents_twice_not_settled(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    rdoc *d = new_doc(f);
    rstyle b = body_style();
    rdoc_begin_pass(d, 1);
    rdoc_toc_page(d, &b, 20);
    rdoc_toc_page(d, &b, 20);
    rdoc_end_pass(d);
    assert_int_equal(rdoc_toc_settle(d), -1);
    rdoc_free(d);
}

static void test_missing_glyph_reported(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    rdoc *d = new_doc(f);
    rstyle s = body_style();
    rdoc_begin_pass(d, 0);
    /* U+1F600 is in neither face: a box is drawn, a warning given. U+2713
     * (a check mark) is in the Hei face only: it is set in it, and said so. */
    rdoc_para(d, "文字\xF0\x9F\x98\x80文字\xE2\x9C\x93", &s);
    rdoc_end_pass(d);
    char path[] = "/tmp/planeval-test-XXXXXX.pdf";
    int fd = mkstemps(path, 4);
    close(fd);
    size_t before = f->d.n;
    assert_int_equal(rdoc_save(d, path), 0);
    assert_true(f->d.n > before);
    assert_true(has_message(&f->d, "U+1F600"));
    assert_true(has_message(&f->d, "U+2713"));
    assert_true(has_message(&f->d, "not in the body font"));
    unlink(path);
    rdoc_free(d);
}

static void test_measure(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    rdoc *d = new_doc(f);
    /* CJK characters are one em; the text wraps where expected. */
    assert_true(rdoc_text_width(d, "应急", RF_BODY, 10) > 19.9);
    assert_true(rdoc_text_width(d, "应急", RF_BODY, 10) < 20.1);
    rstyle s = body_style();
    assert_true(rdoc_text_height(d, "一二三四五六七八九十", &s, 50) == 2 * s.leading);
    assert_true(rdoc_text_height(d, "一二三四，五六七八九十", &s, 50) == 3 * s.leading);
    int w, h;
    assert_int_equal(rdoc_png_size("/nonexistent.png", &w, &h), -1);
    rdoc_free(d);
}

/* libharu's width of code cp in a font, as rdoc keeps it (1/1000 em, 0 when absurd). */
static double haru_width(HPDF_Font font, unsigned cp)
{
    HPDF_INT w = HPDF_Font_GetUnicodeWidth(font, (HPDF_UNICODE)cp);
    return w > 0 && w < 30000 ? w : 0;
}

/* Both faces loaded by libharu itself into pdf, with UTF-8 fonts. */
static void haru_faces(const rfonts *fonts, HPDF_Doc pdf, HPDF_FontDef def[2], HPDF_Font font[2])
{
    assert_int_equal(HPDF_UseUTFEncodings(pdf), HPDF_OK);
    for (int k = 0; k < 2; k++) {
        int index;
        const char *file = rfonts_file(fonts, (rfont)k, &index);
        const char *name = HPDF_LoadTTFontFromFile2(pdf, file, (HPDF_UINT)index, HPDF_FALSE);
        assert_non_null(name);
        def[k] = HPDF_GetFontDef(pdf, name);
        font[k] = HPDF_GetFont(pdf, name, "UTF-8");
        assert_non_null(def[k]);
        assert_non_null(font[k]);
    }
}

/*
 * The glyph of every BMP code is libharu's (rfonts works them all out from
 * the cmap at once, not by libharu's search code by code), and every
 * character measures as libharu measures it in one of the two faces (the
 * one asked, the other, or the box drawn for a character in neither).
 */
static void test_glyphs_and_widths_as_libharu(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    HPDF_Doc pdf = HPDF_New(NULL, NULL);
    assert_non_null(pdf);
    HPDF_FontDef def[2];
    HPDF_Font font[2];
    haru_faces(f->fonts, pdf, def, font);
    for (int k = 0; k < 2; k++)
        for (unsigned cp = 0; cp < 0x10000; cp++)
            if (rfonts_glyph(f->fonts, (rfont)k, cp) != HPDF_TTFontDef_GetGlyphid(def[k], (HPDF_UINT16)cp))
                fail_msg("face %d, U+%04X: glyph %u, libharu %u", k, cp,
                         rfonts_glyph(f->fonts, (rfont)k, cp),
                         (unsigned)HPDF_TTFontDef_GetGlyphid(def[k], (HPDF_UINT16)cp));
    rdoc *d = new_doc(f);
    double box[2] = {haru_width(font[0], 0x25A1), haru_width(font[1], 0x25A1)};
    for (unsigned cp = 0x20; cp < 0x10000; cp++) {
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xA0)
            continue;
        char s[8];
        s[tl_encode(cp, s)] = '\0';
        double got = rdoc_text_width(d, s, RF_BODY, 1000);
        double body = haru_width(font[0], cp), head = haru_width(font[1], cp);
        if (got != body && got != head && got != box[0] && got != box[1])
            fail_msg("U+%04X: %g, libharu %g (body) %g (heading)", cp, got, body, head);
    }
    HPDF_Free(pdf);
    rdoc_free(d);
}

/* The markers drawn in test_marker_as_libharu: page coordinates (y up). */
static const double marker_at[][3] = {
    {100, 700, 3},      {0.3333, 12.71, 2.6},   {595.27, 841.89, 5.2}, {-40.5, -3.25, 1e-3},
    {40000, -50000, 9}, {123.456, 654.321, 0}, {1e-4, 7.77777, 0.1}, {301.5, 422.25, 4.75},
};

/* rdoc_marker() writes a marker as libharu's GSave, SetRGBFill, Circle,
 * Fill and GRestore do: those calls' text, from a page of libharu's own, is
 * in the saved document's page (inflated). */
static void test_marker_as_libharu(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    size_t nm = sizeof marker_at / sizeof marker_at[0];
    rcolor c = {0.2, 0.4, 0.6};
    /* libharu's text for the markers */
    HPDF_Doc pdf = HPDF_New(NULL, NULL);
    assert_non_null(pdf);
    HPDF_Page pg = HPDF_AddPage(pdf);
    assert_non_null(pg);
    HPDF_Stream st = ((HPDF_PageAttr)pg->attr)->stream;
    HPDF_UINT32 from = HPDF_Stream_Size(st);
    for (size_t i = 0; i < nm; i++) {
        HPDF_Page_GSave(pg);
        HPDF_Page_SetRGBFill(pg, (HPDF_REAL)c.r, (HPDF_REAL)c.g, (HPDF_REAL)c.b);
        HPDF_Page_Circle(pg, (HPDF_REAL)marker_at[i][0], (HPDF_REAL)marker_at[i][1],
                         (HPDF_REAL)marker_at[i][2]);
        HPDF_Page_Fill(pg);
        HPDF_Page_GRestore(pg);
    }
    assert_int_equal(HPDF_GetError(pdf), HPDF_OK);
    HPDF_UINT want_n = HPDF_Stream_Size(st) - from;
    char *want = xmalloc(want_n + 1);
    assert_int_equal(HPDF_Stream_Seek(st, (HPDF_INT)from, HPDF_SEEK_SET), HPDF_OK);
    HPDF_UINT got_n = want_n;
    assert_int_equal(HPDF_Stream_Read(st, (HPDF_BYTE *)want, &got_n), HPDF_OK);
    assert_int_equal(got_n, want_n);
    want[want_n] = '\0';
    assert_non_null(strstr(want, " c\012")); /* the curves are there */
    HPDF_Free(pdf);

    /* ours, in a saved document */
    rdoc *d = new_doc(f);
    rdoc_begin_pass(d, 0);
    rstyle b = body_style();
    rdoc_para(d, "标记", &b);
    for (size_t i = 0; i < nm; i++)
        rdoc_marker(d, marker_at[i][0], rdoc_page_height(d) - marker_at[i][1], marker_at[i][2], c);
    rdoc_end_pass(d);
    unsigned char *data;
    size_t n = saved_bytes(d, &data);
    rdoc_free(d);
    int found = 0;
    uLongf cap = 1 << 20;
    unsigned char *text = xmalloc(cap + 1);
    for (size_t i = 0; i + 8 < n && !found; i++) {
        if (memcmp(data + i, "stream\015\012", 8) != 0)
            continue;
        uLongf tn = cap;
        if (uncompress(text, &tn, data + i + 8, (uLong)(n - i - 8)) != Z_OK)
            continue; /* not deflated (an image's, a font's too large) */
        text[tn] = '\0';
        found = strstr((char *)text, want) != NULL;
    }
    assert_true(found);
    free(text);
    free(data);
    free(want);
}

/* pdf_fonts_preload() opens the fonts the shipped templates name, those
 * a document then finds in the cache; templates that cannot be read leave
 * the cache empty, with nothing said. */
static void test_fonts_preload(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    rfonts_cache *c = rfonts_cache_new();
    pdf_fonts_preload(c, NULL, "/nonexistent/templates");
    assert_null(rfonts_cache_held(c));
    char dir[] = "/tmp/planeval-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *files[2] = {xasprintf("%s/report.yaml", dir), xasprintf("%s/brief.yaml", dir)};
    for (int i = 0; i < 2; i++) { /* templates that are not YAML */
        FILE *fp = fopen(files[i], "w");
        assert_non_null(fp);
        fputs("document: [\n", fp);
        fclose(fp);
    }
    pdf_fonts_preload(c, NULL, dir);
    assert_null(rfonts_cache_held(c));
    for (int i = 0; i < 2; i++) {
        unlink(files[i]);
        free(files[i]);
    }
    rmdir(dir);
    pdf_fonts_preload(c, NULL, "templates");
    const rfonts *held = rfonts_cache_held(c);
    assert_non_null(held);
    diag_list d;
    memset(&d, 0, sizeof d);
    /* the faces templates/report.yaml names */
    assert_ptr_equal(rfonts_cached(c, "/usr/share/fonts/truetype/arphic/uming.ttc",
                                   "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", &d),
                     held);
    assert_int_equal(d.n, 0);
    rfonts_cache_free(c);
    /* through a run's template cache: the same faces, the templates taken
     * from the cache (the digest it keeps is of report.yaml's parse) */
    rtpl_cache *tc = rtpl_cache_new();
    c = rfonts_cache_new();
    pdf_fonts_preload(c, tc, "templates");
    assert_non_null(rfonts_cache_held(c));
    assert_string_equal(rfonts_file(rfonts_cache_held(c), RF_BODY, NULL),
                        "/usr/share/fonts/truetype/arphic/uming.ttc");
    assert_non_null(rtpl_cache_digest(tc, "templates/report.yaml"));
    rfonts_cache_free(c);
    rtpl_cache_free(tc);
}

/* The Debian faces named by file (no fontconfig) are the faces fontconfig
 * finds by family, covering the same codes: the fallback between body and
 * heading face, and so every PDF, is the same either way. */
static void test_faces_by_file_as_by_family(void **state)
{
    fixture *f = *state;
    if (!f->fonts)
        skip();
    int index[2];
    const char *file[2] = {rfonts_file(f->fonts, RF_BODY, &index[0]),
                           rfonts_file(f->fonts, RF_HEAD, &index[1])};
    assert_int_equal(index[0], 0);
    assert_int_equal(index[1], 0);
    rfonts *byfile = NULL;
    diag_list d = {NULL, 0, 0};
    assert_int_equal(rfonts_open(&byfile, file[0], file[1], &d), 0);
    long covered[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        assert_string_equal(rfonts_file(byfile, (rfont)k, NULL), file[k]);
        for (uint32_t cp = 0; cp < 0x10000; cp++) {
            int a = rfonts_covers(f->fonts, (rfont)k, cp), b = rfonts_covers(byfile, (rfont)k, cp);
            if (a != b)
                fail_msg("face %d, U+%04X: fontconfig says %d, the cmap %d", k, (unsigned)cp, a, b);
            covered[k] += a;
        }
    }
    /* both faces are CJK faces of over 20,000 codes: not two empty sets */
    assert_true(covered[0] > 20000 && covered[1] > 20000);
    rfonts_free(byfile);
    assert_int_equal(diag_errors(&d), 0);
    diag_free(&d);
}

/* A font file that is missing, or not TrueType, is an error that names it. */
static void test_face_file_errors(void **state)
{
    (void)state;
    rfonts *r = NULL;
    diag_list d = {NULL, 0, 0};
    assert_int_equal(rfonts_open(&r, "/nonexistent/uming.ttc", "WenQuanYi Micro Hei", &d), -1);
    assert_null(r);
    assert_int_equal(diag_errors(&d), 1);
    assert_non_null(strstr(d.items[0].msg, "/nonexistent/uming.ttc: No such file or directory"));
    assert_non_null(strstr(d.items[0].msg, "body"));
    diag_free(&d);
    memset(&d, 0, sizeof d);
    assert_int_equal(rfonts_open(&r, "AR PL UMing CN", "/etc/passwd", &d), -1);
    assert_int_equal(diag_errors(&d), 1);
    assert_non_null(strstr(d.items[0].msg, "not a .ttf or .ttc"));
    assert_non_null(strstr(d.items[0].msg, "heading"));
    diag_free(&d);
    memset(&d, 0, sizeof d);
    assert_int_equal(rfonts_open(&r, "/", "WenQuanYi Micro Hei", &d), -1); /* a directory */
    assert_int_equal(diag_errors(&d), 1);
    assert_non_null(strstr(d.items[0].msg, "/: not a regular file"));
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_lookup_and_fill),
        cmocka_unit_test(test_template_fill_many_pieces),
        cmocka_unit_test(test_template_every_key),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_cache_parses_once),
        cmocka_unit_test(test_setf_int_as_printf),
        cmocka_unit_test_setup_teardown(test_two_passes_and_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contents_settle_as_a_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contents_twice_not_settled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_resume_as_a_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_glyph_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_glyphs_and_widths_as_libharu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marker_as_libharu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fonts_preload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faces_by_file_as_by_family, setup, teardown),
        cmocka_unit_test(test_face_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
