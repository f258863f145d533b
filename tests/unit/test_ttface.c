/*
 * test_ttface.c - unit tests for ttface.c: every face of the two Debian
 * collections the templates name (fonts-wqy-microhei, fonts-arphic-uming)
 * is defined field for field, array element for array element, as
 * libharu's HPDF_TTFontDef_Load2 defines it; so are copies changed to take
 * the paths those faces do not (short loca offsets, few horizontal
 * metrics, a subfamily other than Regular). Faces libharu refuses or
 * would misread (not a collection, no such face, cut short, not to be
 * embedded, an odd UTF-16 name) come back NULL with no error set and the
 * stream still the caller's. Skipped without the fonts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hpdf.h>
#include <hpdf_streams.h>

#include "ttface.h"

static const char *const debian[2] = {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                                      "/usr/share/fonts/truetype/arphic/uming.ttc"};

#define SAME_ARRAY(x, y, n) assert_memory_equal((x), (y), sizeof *(x) * (size_t)(n))

/* a's pointers to arrays cleared (the arrays are compared by same_def) */
static HPDF_TTFontDefAttr_Rec scalars(const HPDF_TTFontDefAttr_Rec *a)
{
    HPDF_TTFontDefAttr_Rec r;
    memcpy(&r, a, sizeof r); /* padding too: libharu clears the whole record */
    r.char_set = NULL;
    r.glyph_tbl.offsets = NULL;
    r.glyph_tbl.flgs = NULL;
    r.name_tbl.name_records = NULL;
    r.h_metric = NULL;
    r.offset_tbl.table = NULL;
    r.cmap.end_count = r.cmap.start_count = r.cmap.id_range_offset = r.cmap.glyph_id_array = NULL;
    r.cmap.id_delta = NULL;
    r.stream = NULL;
    return r;
}

/* Every field, byte and array element of x is y's (but the attributes'
 * and the stream's addresses). */
static void same_def(HPDF_FontDef x, HPDF_FontDef y)
{
    HPDF_FontDef_Rec dx, dy;
    memcpy(&dx, x, sizeof dx);
    memcpy(&dy, y, sizeof dy);
    dx.attr = dy.attr = NULL;
    assert_memory_equal(&dx, &dy, sizeof dx);

    HPDF_TTFontDefAttr a = x->attr, b = y->attr;
    HPDF_TTFontDefAttr_Rec sa = scalars(a), sb = scalars(b);
    assert_memory_equal(&sa, &sb, sizeof sa);
    assert_null(a->char_set);
    assert_null(b->char_set);
    assert_non_null(a->stream);
    assert_non_null(b->stream);
    SAME_ARRAY(a->glyph_tbl.offsets, b->glyph_tbl.offsets, a->num_glyphs + 1);
    SAME_ARRAY(a->glyph_tbl.flgs, b->glyph_tbl.flgs, a->num_glyphs);
    SAME_ARRAY(a->name_tbl.name_records, b->name_tbl.name_records, a->name_tbl.count);
    SAME_ARRAY(a->h_metric, b->h_metric, a->num_glyphs);
    SAME_ARRAY(a->offset_tbl.table, b->offset_tbl.table, a->offset_tbl.num_tables);
    const HPDF_TTF_CmapRange *c = &a->cmap, *d = &b->cmap;
    unsigned nseg = c->seg_count_x2 / 2u;
    SAME_ARRAY(c->end_count, d->end_count, nseg);
    SAME_ARRAY(c->start_count, d->start_count, nseg);
    SAME_ARRAY(c->id_delta, d->id_delta, nseg);
    SAME_ARRAY(c->id_range_offset, d->id_range_offset, nseg);
    assert_true(c->glyph_id_array_count > 0); /* the CJK faces have one */
    SAME_ARRAY(c->glyph_id_array, d->glyph_id_array, c->glyph_id_array_count);
}

/* Face index of path, by libharu and by ttface_load, compared; 0 if both
 * defined it, -1 if ttface_load left it to libharu (whose answer then is
 * not asked), -2 if it refused it as one libharu must not be given. */
static int compare_face(const char *path, unsigned index)
{
    HPDF_Doc pdf = HPDF_New(NULL, NULL);
    assert_non_null(pdf);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    HPDF_Stream s = HPDF_FileReader_New(pdf->mmgr, path);
    assert_non_null(s);
    const char *why = "not set";
    HPDF_FontDef fast = ttface_load(pdf->mmgr, fd, (size_t)st.st_size, index, s, &why);
    int rc = why ? -2 : -1;
    assert_true(fast == NULL || why == NULL);
    if (fast) {
        HPDF_Stream s2 = HPDF_FileReader_New(pdf->mmgr, path);
        assert_non_null(s2);
        HPDF_FontDef slow = HPDF_TTFontDef_Load2(pdf->mmgr, s2, index, HPDF_TRUE);
        assert_non_null(slow);
        assert_int_equal(HPDF_GetError(pdf), HPDF_OK);
        same_def(fast, slow);
        HPDF_FontDef_Free(fast);
        HPDF_FontDef_Free(slow);
        rc = 0;
    } else {
        assert_int_equal(HPDF_GetError(pdf), HPDF_OK); /* nothing set */
        HPDF_Stream_Free(s);                         /* still ours */
    }
    close(fd);
    HPDF_Free(pdf);
    return rc;
}

static int have_fonts(void)
{
    return access(debian[0], R_OK) == 0 && access(debian[1], R_OK) == 0;
}

static void test_debian_faces(void **state)
{
    (void)state;
    if (!have_fonts())
        skip();
    unsigned faces[2] = {2, 4};
    for (int k = 0; k < 2; k++)
        for (unsigned i = 0; i < faces[k]; i++)
            assert_int_equal(compare_face(debian[k], i), 0);
    /* no such face */
    assert_int_equal(compare_face(debian[0], 2), -1);
}

/* ---------- changed copies of wqy-microhei.ttc ---------- */

typedef struct blob {
    unsigned char *b;
    size_t n;
    uint32_t face; /* face 0's offset table */
} blob;

static void blob_load(blob *x)
{
    FILE *fp = fopen(debian[0], "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    x->n = (size_t)ftell(fp);
    rewind(fp);
    x->b = malloc(x->n);
    assert_non_null(x->b);
    assert_int_equal(fread(x->b, 1, x->n, fp), x->n);
    fclose(fp);
    const unsigned char *p = x->b + 12;
    x->face = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* The offset of face 0's table tag. */
static uint32_t table_at(const blob *x, const char *tag)
{
    const unsigned char *d = x->b + x->face;
    unsigned n = (unsigned)(d[4] << 8 | d[5]);
    for (unsigned i = 0; i < n; i++)
        if (memcmp(d + 12 + 16 * i, tag, 4) == 0)
            return get32(d + 12 + 16 * i + 8);
    fail_msg("no table %s", tag);
    return 0;
}

/* Face 0's table tag moved to offset at (its directory entry only). */
static void set_table_at(blob *x, const char *tag, uint32_t at)
{
    unsigned char *d = x->b + x->face;
    unsigned n = (unsigned)(d[4] << 8 | d[5]);
    for (unsigned i = 0; i < n; i++)
        if (memcmp(d + 12 + 16 * i, tag, 4) == 0) {
            unsigned char *p = d + 12 + 16 * i + 8;
            p[0] = (unsigned char)(at >> 24);
            p[1] = (unsigned char)(at >> 16);
            p[2] = (unsigned char)(at >> 8);
            p[3] = (unsigned char)at;
            return;
        }
    fail_msg("no table %s", tag);
}

/* x's first n bytes written to a temporary file, its face 0 compared. */
static int compare_copy(const blob *x, size_t n)
{
    char path[] = "/tmp/test_ttface_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, x->b, n), (ssize_t)n);
    close(fd);
    int rc = compare_face(path, 0);
    unlink(path);
    return rc;
}

static void test_changed_copies(void **state)
{
    (void)state;
    if (!have_fonts())
        skip();
    blob x;
    blob_load(&x);
    unsigned char *head = x.b + table_at(&x, "head"), *hhea = x.b + table_at(&x, "hhea");
    unsigned char *os2 = x.b + table_at(&x, "OS/2");

    put16(head + 50, 0); /* short loca offsets (the same bytes read as such) */
    assert_int_equal(compare_copy(&x, x.n), 0);
    put16(head + 50, 1);
    put16(hhea + 34, 100); /* metrics of 100 glyphs, the rest side bearings only */
    assert_int_equal(compare_copy(&x, x.n), 0);
    put16(hhea + 34, 0); /* none: the advances are 0 */
    assert_int_equal(compare_copy(&x, x.n), 0);
    put16(hhea + 34, 65535); /* more than the glyphs: libharu writes past its array */
    assert_int_equal(compare_copy(&x, x.n), -2);
    put16(hhea + 34, 48634);
    /* refused, not left to libharu: what would crash it */
    unsigned char *maxp = x.b + table_at(&x, "maxp");
    unsigned char em[2], ng[2], nh[2];
    memcpy(em, head + 18, 2);
    put16(head + 18, 0); /* 0 units per em: libharu divides by it */
    assert_int_equal(compare_copy(&x, x.n), -2);
    memcpy(head + 18, em, 2);
    memcpy(ng, maxp + 4, 2);
    memcpy(nh, hhea + 34, 2);
    put16(maxp + 4, 0); /* no glyphs */
    put16(hhea + 34, 0);
    assert_int_equal(compare_copy(&x, x.n), -2);
    put16(maxp + 4, 1); /* one glyph, 'H' mapped past it: libharu reads past loca's offsets */
    assert_int_equal(compare_copy(&x, x.n), -2);
    memcpy(maxp + 4, ng, 2);
    memcpy(hhea + 34, nh, 2);
    assert_int_equal(compare_copy(&x, x.n), 0); /* all as it was */

    /* a reserved pad of the Unicode cmap that is not 0 (kept as read) */
    unsigned char *cmap = x.b + table_at(&x, "cmap"), *sub = NULL;
    for (unsigned i = 0, n = (unsigned)(cmap[2] << 8 | cmap[3]); i < n && !sub; i++) {
        const unsigned char *r = cmap + 4 + 8 * i;
        unsigned char *at = cmap + get32(r + 4);
        if (r[1] == 3 && r[3] == 1 && at[1] == 4)
            sub = at;
    }
    assert_non_null(sub);
    put16(sub + 14 + (sub[6] << 8 | sub[7]), 0xBEEF);
    assert_int_equal(compare_copy(&x, x.n), 0);

    /* the subfamily (name ID 2) of the Macintosh and Windows records:
     * "Bold Italic" with its space, which libharu's loop never passes */
    unsigned char *name = x.b + table_at(&x, "name");
    unsigned count = (unsigned)(name[2] << 8 | name[3]), strings = (unsigned)(name[4] << 8 | name[5]);
    int changed = 0;
    for (unsigned i = 0; i < count; i++) {
        unsigned char *r = name + 6 + 12 * i;
        unsigned pid = (unsigned)(r[0] << 8 | r[1]), nid = (unsigned)(r[6] << 8 | r[7]);
        unsigned len = (unsigned)(r[8] << 8 | r[9]), off = (unsigned)(r[10] << 8 | r[11]);
        if (nid != 2)
            continue;
        unsigned char *str = name + strings + off;
        const char *bi = "BoldItal"; /* 8 characters fit "Regular" in UTF-16 too */
        if (pid == 1 && len >= 7) {
            memcpy(str, "Bold It", 7);
            changed++;
        } else if (pid == 3 && len >= 14) {
            for (unsigned j = 0; j < 7; j++)
                put16(str + 2 * j, (unsigned char)bi[j]);
            changed++;
        }
    }
    assert_true(changed > 0);
    assert_int_equal(compare_copy(&x, x.n), 0);

    /* refused: cut short in loca, not to be embedded, an odd cmap
     * segment count (libharu rounds it down, then reads 'H's glyph offset
     * unchecked); left to libharu: cut short before the head, hhea and
     * maxp tables (in the glyph array of the cmap, in the first 100
     * bytes), not a collection */
    assert_true(table_at(&x, "cmap") < table_at(&x, "maxp"));
    assert_int_equal(compare_copy(&x, table_at(&x, "cmap") + 600), -1);
    assert_int_equal(compare_copy(&x, table_at(&x, "loca") + 1000), -1);
    uint32_t loca_at = table_at(&x, "loca");
    set_table_at(&x, "loca", (uint32_t)x.n - 1000); /* loca running past the end */
    assert_int_equal(compare_copy(&x, x.n), -2);
    set_table_at(&x, "loca", loca_at);
    assert_int_equal(compare_copy(&x, 100), -1);
    unsigned char fs[2];
    memcpy(fs, os2 + 8, 2);
    put16(os2 + 8, 0x0002);
    assert_int_equal(compare_copy(&x, x.n), -2);
    memcpy(os2 + 8, fs, 2);
    unsigned x2 = (unsigned)(sub[6] << 8 | sub[7]);
    put16(sub + 6, x2 + 1);
    assert_int_equal(compare_copy(&x, x.n), -2);
    put16(sub + 6, x2);
    memcpy(x.b, "true", 4);
    assert_int_equal(compare_copy(&x, x.n), -1);
    free(x.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_faces),
        cmocka_unit_test(test_changed_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
