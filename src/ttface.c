/*
 * ttface.c - see ttface.h.
 *
 * libharu 2.3.0 (src/hpdf_fontdef_tt.c, LoadFontData2 and the Parse*
 * functions it calls) reads a face through its stream one number at a
 * time: each entry of the hmtx and loca tables and of the cmap's arrays is
 * a call of 2 or 4 bytes, ~250,000 calls and 22 million instructions for
 * the two faces of the templates. Here each table is read by one pread
 * straight into the array libharu would have allocated for it (in mm's
 * memory, freed by its FreeFunc as before), and turned to host order in
 * place. The rules are libharu's, step for step, including its quirks (a
 * subfamily with a space, a byte-encoding cmap it would not use); the few
 * faces where libharu would fail, read uninitialised bytes or write past
 * an array are not parsed here: NULL, and the caller asks libharu.
 * tests/unit/test_ttface.c compares every field and array element with
 * HPDF_TTFontDef_Load2's for every face of the two Debian collections.
 */
#include "ttface.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <hpdf_utils.h> /* HPDF_StrStr */

#include "util.h"

#if HPDF_VERSION_ID != 20300
#error "ttface.c copies libharu 2.3.0's TrueType parser: check it against this version's"
#endif

#define TT_MAX_TABLES (10000 / 16) /* HPDF_TTF_MAX_MEM_SIZ / sizeof (HPDF_TTFTable) */

typedef struct tt_file {
    int fd;
    size_t n;
} tt_file;

/* All len bytes at off of the file into buf: 1, else 0 (past its end, or
 * an error: libharu's reads would fail there, or this one be in doubt). */
static int rd(const tt_file *s, uint32_t off, void *buf, size_t len)
{
    if (off > s->n || len > s->n - off)
        return 0;
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(s->fd, (char *)buf + got, len - got, (off_t)off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return 1;
}

/* n big-endian 16-bit numbers at p, read in, to host order in place */
static void host16(void *p, size_t n)
{
    unsigned char *b = p;
    uint16_t *v = p;
    for (size_t i = 0; i < n; i++)
        v[i] = be16(b + 2 * i);
}

/* n 16-bit numbers at off into the array of n (fresh, in mm's memory) */
static void *rd16(HPDF_MMgr mm, const tt_file *s, uint32_t off, size_t n)
{
    void *a = HPDF_GetMem(mm, (HPDF_UINT)(2 * n));
    if (a && !rd(s, off, a, 2 * n)) {
        HPDF_FreeMem(mm, a);
        return NULL;
    }
    if (a)
        host16(a, n);
    return a;
}

static const HPDF_TTFTable *find(const HPDF_TTFontDefAttr a, const char *tag)
{
    for (unsigned i = 0; i < a->offset_tbl.num_tables; i++)
        if (memcmp(a->offset_tbl.table[i].tag, tag, 4) == 0)
            return &a->offset_tbl.table[i];
    return NULL;
}

/* LoadTTFTable at off */
static int tables(HPDF_MMgr mm, HPDF_TTFontDefAttr a, const tt_file *s, uint32_t off)
{
    unsigned char b[12];
    if (!rd(s, off, b, sizeof b))
        return -1;
    HPDF_TTF_OffsetTbl *t = &a->offset_tbl;
    t->sfnt_version = be32(b);
    t->num_tables = be16(b + 4);
    t->search_range = be16(b + 6);
    t->entry_selector = be16(b + 8);
    t->range_shift = be16(b + 10);
    if (t->num_tables == 0 || t->num_tables > TT_MAX_TABLES)
        return -1;
    unsigned char rec[TT_MAX_TABLES * 16];
    if (!rd(s, off + 12, rec, 16u * t->num_tables))
        return -1;
    t->table = HPDF_GetMem(mm, (HPDF_UINT)(sizeof(HPDF_TTFTable) * t->num_tables));
    if (!t->table)
        return -1;
    for (unsigned i = 0; i < t->num_tables; i++) {
        const unsigned char *r = rec + 16 * i;
        memcpy(t->table[i].tag, r, 4);
        t->table[i].check_sum = be32(r + 4);
        t->table[i].offset = be32(r + 8);
        t->table[i].length = be32(r + 12);
    }
    return 0;
}

/* ParseHead, ParseMaxp and ParseHhea; *why set where libharu must not go on */
static int head(HPDF_FontDef def, HPDF_TTFontDefAttr a, const tt_file *s, const char **why)
{
    const HPDF_TTFTable *th = find(a, "head"), *tm = find(a, "maxp"), *tv = find(a, "hhea");
    unsigned char b[54], m[2], v[32];
    if (!th || !tm || !tv || !rd(s, th->offset, b, sizeof b) || !rd(s, tm->offset + 4, m, 2) ||
        !rd(s, tv->offset + 4, v, sizeof v))
        return -1;
    HPDF_TTF_FontHeader *h = &a->header;
    memcpy(h->version_number, b, 4);
    h->font_revision = be32(b + 4);
    h->check_sum_adjustment = be32(b + 8);
    h->magic_number = be32(b + 12);
    h->flags = be16(b + 16);
    h->units_per_em = be16(b + 18);
    memcpy(h->created, b + 20, 8);
    memcpy(h->modified, b + 28, 8);
    h->x_min = (HPDF_INT16)be16(b + 36);
    h->y_min = (HPDF_INT16)be16(b + 38);
    h->x_max = (HPDF_INT16)be16(b + 40);
    h->y_max = (HPDF_INT16)be16(b + 42);
    h->mac_style = be16(b + 44);
    h->lowest_rec_ppem = be16(b + 46);
    h->font_direction_hint = (HPDF_INT16)be16(b + 48);
    h->index_to_loc_format = (HPDF_INT16)be16(b + 50);
    h->glyph_data_format = (HPDF_INT16)be16(b + 52);
    HPDF_INT32 em = h->units_per_em;
    a->num_glyphs = be16(m);
    a->num_h_metric = be16(v + 30);
    /* what libharu would divide by zero on, or write past its arrays with */
    if (em == 0) {
        *why = "its head table gives 0 units per em";
        return -1;
    }
    if (a->num_glyphs == 0) {
        *why = "its maxp table gives no glyphs";
        return -1;
    }
    if (a->num_h_metric > a->num_glyphs) {
        *why = "its maxp and hhea tables give more horizontal metrics than glyphs";
        return -1;
    }
    def->font_bbox.left = (HPDF_REAL)((HPDF_INT32)h->x_min * 1000 / em);
    def->font_bbox.bottom = (HPDF_REAL)((HPDF_INT32)h->y_min * 1000 / em);
    def->font_bbox.right = (HPDF_REAL)((HPDF_INT32)h->x_max * 1000 / em);
    def->font_bbox.top = (HPDF_REAL)((HPDF_INT32)h->y_max * 1000 / em);
    def->ascent = (HPDF_INT16)((HPDF_INT32)(HPDF_INT16)be16(v) * 1000 / em);
    def->descent = (HPDF_INT16)((HPDF_INT32)(HPDF_INT16)be16(v + 2) * 1000 / em);
    return 0;
}

/* ParseCMap: the offset in the file of the first Microsoft Unicode
 * format 4 subtable, 0 if there is none (libharu then looks for others) */
static uint32_t cmap_unicode(HPDF_TTFontDefAttr a, const tt_file *s)
{
    const HPDF_TTFTable *t = find(a, "cmap");
    unsigned char b[8];
    if (!t || !rd(s, t->offset, b, 4) || be16(b) != 0)
        return 0;
    unsigned count = be16(b + 2);
    for (unsigned i = 0; i < count; i++) {
        unsigned char f[2];
        if (!rd(s, t->offset + 4 + 8 * i, b, 8))
            return 0;
        uint32_t off = be32(b + 4);
        if (!rd(s, t->offset + off, f, 2))
            return 0;
        if (be16(b) == 3 && be16(b + 2) == 1 && be16(f) == 4)
            return off ? t->offset + off : 0;
    }
    return 0;
}

/* ParseCMAP_format4 at off */
static int cmap4(HPDF_MMgr mm, HPDF_TTFontDefAttr a, const tt_file *s, uint32_t off)
{
    unsigned char b[14], pad[2];
    HPDF_TTF_CmapRange *c = &a->cmap;
    if (!off || !rd(s, off, b, sizeof b))
        return -1;
    c->format = be16(b);
    c->length = be16(b + 2);
    c->language = be16(b + 4);
    c->seg_count_x2 = be16(b + 6);
    c->search_range = be16(b + 8);
    c->entry_selector = be16(b + 10);
    c->range_shift = be16(b + 12);
    size_t nseg = c->seg_count_x2 / 2u;
    /* no segments: libharu's allocations of 0 bytes; an odd count, a
     * length short of the arrays read: not as it reads them */
    if (c->format != 4 || nseg == 0 || c->seg_count_x2 % 2 || c->length < 16 + 8 * nseg)
        return -1;
    uint32_t at = off + 14;
    if (!(c->end_count = rd16(mm, s, at, nseg)) || !rd(s, at + 2 * (uint32_t)nseg, pad, 2) ||
        !(c->start_count = rd16(mm, s, at + 2 + 2 * (uint32_t)nseg, nseg)) ||
        !(c->id_delta = rd16(mm, s, at + 2 + 4 * (uint32_t)nseg, nseg)) ||
        !(c->id_range_offset = rd16(mm, s, at + 2 + 6 * (uint32_t)nseg, nseg)))
        return -1;
    c->reserved_pad = be16(pad);
    c->glyph_id_array_count = (HPDF_UINT)((c->length - (16 + 8 * nseg)) / 2);
    if (c->glyph_id_array_count > 0 &&
        !(c->glyph_id_array = rd16(mm, s, off + 16 + 8 * (uint32_t)nseg, c->glyph_id_array_count)))
        return -1;
    return 0;
}

/* ParseHmtx: the advances of the last num_glyphs - num_h_metric glyphs
 * repeat the last one given; only their side bearings are in the file */
static int hmtx(HPDF_MMgr mm, HPDF_TTFontDefAttr a, const tt_file *s)
{
    const HPDF_TTFTable *t = find(a, "hmtx");
    size_t ng = a->num_glyphs, nh = a->num_h_metric;
    if (!t || ng == 0 || nh > ng) /* refused in head() already */
        return -1;
    HPDF_TTF_LongHorMetric *h = HPDF_GetMem(mm, (HPDF_UINT)(sizeof *h * ng));
    a->h_metric = h;
    if (!h || !rd(s, t->offset, h, 4 * nh))
        return -1;
    host16(h, 2 * nh);
    /* the side bearings of the rest, into the upper half of their place,
     * then spread forwards: entry j is read before it is written, and
     * never over an entry not yet read */
    size_t rest = ng - nh;
    unsigned char *raw = (unsigned char *)(h + nh) + 2 * rest;
    if (rest && !rd(s, t->offset + 4 * (uint32_t)nh, raw, 2 * rest))
        return -1;
    HPDF_UINT16 aw = nh ? h[nh - 1].advance_width : 0;
    for (size_t j = 0; j < rest; j++) {
        HPDF_INT16 lsb = (HPDF_INT16)be16(raw + 2 * j);
        h[nh + j].advance_width = aw;
        h[nh + j].lsb = lsb;
    }
    return 0;
}

/* ParseLoca, with its glyph flags */
static int loca(HPDF_MMgr mm, HPDF_TTFontDefAttr a, const tt_file *s)
{
    const HPDF_TTFTable *t = find(a, "loca");
    size_t n = (size_t)a->num_glyphs + 1;
    if (!t)
        return -1;
    HPDF_UINT32 *o = HPDF_GetMem(mm, (HPDF_UINT)(sizeof *o * n));
    a->glyph_tbl.offsets = o;
    a->glyph_tbl.flgs = o ? HPDF_GetMem(mm, a->num_glyphs) : NULL;
    if (!a->glyph_tbl.flgs)
        return -1;
    memset(a->glyph_tbl.flgs, 0, a->num_glyphs);
    a->glyph_tbl.flgs[0] = 1;
    if (a->header.index_to_loc_format != 0) {
        if (!rd(s, t->offset, o, 4 * n))
            return -1;
        for (size_t i = 0; i < n; i++)
            o[i] = be32((const unsigned char *)(o + i));
        return 0;
    }
    /* short offsets: into the upper half, spread forwards as in hmtx() */
    unsigned char *raw = (unsigned char *)o + 2 * n;
    if (!rd(s, t->offset, raw, 2 * n))
        return -1;
    for (size_t i = 0; i < n; i++)
        o[i] = be16(raw + 2 * i);
    return 0;
}

/* LoadUnicodeName: the low bytes of len bytes of UTF-16BE at off into buf
 * (HPDF_LIMIT_MAX_NAME_LEN + 1 bytes, cleared first). An odd len, where
 * libharu takes a byte it did not read, is refused. */
static int unicode_name(const tt_file *s, uint32_t off, HPDF_UINT len, char *buf)
{
    unsigned char tmp[HPDF_LIMIT_MAX_NAME_LEN * 2 + 1];
    memset(buf, 0, HPDF_LIMIT_MAX_NAME_LEN + 1);
    if (len % 2 || len > sizeof tmp || !rd(s, off, tmp, len))
        return -1;
    for (HPDF_UINT i = 0; i < len / 2; i++)
        buf[i] = (char)tmp[2 * i + 1];
    return 0;
}

/* ParseName: the base font name, from the PostScript name (ID 6) and the
 * subfamily (ID 2), Macintosh Roman ones first, else Windows US English */
static int name(HPDF_FontDef def, HPDF_MMgr mm, HPDF_TTFontDefAttr a, const tt_file *s)
{
    const HPDF_TTFTable *t = find(a, "name");
    unsigned char b[6];
    if (!t || !rd(s, t->offset, b, sizeof b))
        return -1;
    HPDF_TTF_NamingTable *nt = &a->name_tbl;
    nt->format = be16(b);
    nt->count = be16(b + 2);
    nt->string_offset = be16(b + 4);
    if (nt->count == 0)
        return -1; /* libharu finds no name there */
    HPDF_TTF_NameRecord *r = rd16(mm, s, t->offset + 6, 6u * nt->count);
    nt->name_records = r;
    if (!r)
        return -1;
    HPDF_UINT off1 = 0, off2 = 0, off1u = 0, off2u = 0, len1 = 0, len2 = 0, len1u = 0, len2u = 0;
    for (unsigned i = 0; i < nt->count; i++, r++) {
        HPDF_UINT at = t->offset + r->offset + nt->string_offset;
        if (r->platform_id == 1 && r->encoding_id == 0 && r->name_id == 6) {
            off1 = at;
            len1 = r->length;
        }
        if (r->platform_id == 1 && r->encoding_id == 0 && r->name_id == 2) {
            off2 = at;
            len2 = r->length;
        }
        if (r->platform_id == 3 && r->encoding_id == 1 && r->name_id == 6 && r->language_id == 0x0409) {
            off1u = at;
            len1u = r->length;
        }
        if (r->platform_id == 3 && r->encoding_id == 1 && r->name_id == 2 && r->language_id == 0x0409) {
            off2u = at;
            len2u = r->length;
        }
    }
    if ((!off1 && !off1u) || (!off2 && !off2u))
        return -1;
    if (len1 == 0 && len1u > 0)
        len1 = len1u / 2 + len1u % 2;
    if (len2 == 0 && len2u > 0)
        len2 = len2u / 2 + len2u % 2;
    if (len1 + len2 + 8 > 127)
        return -1;
    char sub[HPDF_LIMIT_MAX_NAME_LEN + 1];
    memset(a->base_font, 0, sizeof a->base_font);
    memset(sub, 0, sizeof sub);
    if (off1 ? !rd(s, off1, a->base_font, len1) : unicode_name(s, off1u, len1u, a->base_font) != 0)
        return -1;
    if (off2 ? !rd(s, off2, sub, len2) : unicode_name(s, off2u, len2u, sub) != 0)
        return -1;
    if (memcmp(sub, "Regular", 7) != 0) {
        /* libharu's loop, as it is: a space is never passed */
        char *dst = a->base_font + len1, *src = sub;
        *dst++ = ',';
        for (HPDF_UINT j = 0; j < len2; j++) {
            if (*src != ' ')
                *dst++ = *src++;
            if (dst >= a->base_font + HPDF_LIMIT_MAX_NAME_LEN)
                break;
        }
        *dst = 0;
        if (HPDF_StrStr(sub, "Bold", len2))
            def->flags |= HPDF_FONT_FOURCE_BOLD;
        if (HPDF_StrStr(sub, "Italic", len2))
            def->flags |= HPDF_FONT_ITALIC;
    }
    memcpy(def->base_font, a->base_font, HPDF_LIMIT_MAX_NAME_LEN + 1);
    return 0;
}

/* ParseOS2, for a face to embed */
static int os2(HPDF_FontDef def, HPDF_TTFontDefAttr a, const tt_file *s)
{
    const HPDF_TTFTable *t = find(a, "OS/2");
    unsigned char b[42], cp[8];
    if (!t || !rd(s, t->offset, b, sizeof b))
        return -1;
    a->fs_type = be16(b + 8);
    if (a->fs_type & (0x0002 | 0x0100 | 0x0200))
        return -1; /* not to be embedded: libharu's error */
    memcpy(a->sfamilyclass, b + 30, 2);
    memcpy(a->panose, b + 32, 10);
    unsigned cls = a->sfamilyclass[0];
    if ((cls > 0 && cls < 6) || cls == 7)
        def->flags |= HPDF_FONT_SERIF;
    if (cls == 10)
        def->flags |= HPDF_FONT_SCRIPT;
    if (cls == 12)
        def->flags |= HPDF_FONT_SYMBOLIC;
    if (be16(b) > 0) {
        if (!rd(s, t->offset + 78, cp, sizeof cp))
            return -1;
        a->code_page_range1 = be32(cp);
        a->code_page_range2 = be32(cp + 4);
    }
    return 0;
}

/*
 * The glyph of code as HPDF_TTFontDef_GetGlyphid() finds it in a format 4
 * cmap, or -1 where it would read past the cmap's arrays (a code past the
 * last segment, an index one past the glyph id array).
 */
static long glyph_of(const HPDF_TTFontDefAttr a, HPDF_UINT16 code)
{
    const HPDF_TTF_CmapRange *c = &a->cmap;
    HPDF_UINT nseg = c->seg_count_x2 / 2u, i = 0;
    while (i < nseg && code > c->end_count[i])
        i++;
    if (i == nseg)
        return -1;
    if (c->start_count[i] > code)
        return 0;
    if (c->id_range_offset[i] == 0)
        return (HPDF_UINT16)(code + c->id_delta[i]);
    HPDF_UINT idx = c->id_range_offset[i] / 2 + (code - c->start_count[i]) - (nseg - i);
    if (idx > c->glyph_id_array_count)
        return 0;
    if (idx == c->glyph_id_array_count)
        return -1;
    return (HPDF_UINT16)(c->glyph_id_array[idx] + c->id_delta[i]);
}

/* LoadFontData2 up to the glyph table, without the stream */
static int parse(HPDF_FontDef def, HPDF_MMgr mm, HPDF_TTFontDefAttr a, const tt_file *s, unsigned index,
                 const char **why)
{
    unsigned char b[12];
    if (!rd(s, 0, b, sizeof b) || memcmp(b, "ttcf", 4) != 0 || index >= be32(b + 8) ||
        index > (UINT32_MAX - 12) / 4 || !rd(s, 12 + 4 * (uint32_t)index, b, 4))
        return -1;
    if (tables(mm, a, s, be32(b)) != 0 || head(def, a, s, why) != 0)
        return -1;
    /* From here on a face this parser declines is refused, not left to
     * libharu: where libharu still took one (an odd segment count, which
     * it rounds down), it went on to read the glyph offsets of 'H' and 'x'
     * unchecked (GetCharBBox). */
    const HPDF_TTFTable *g = NULL;
    if (cmap4(mm, a, s, cmap_unicode(a, s)) != 0)
        *why = "it has no Windows Unicode cmap (format 4) of whole segments within its length";
    else if (hmtx(mm, a, s) != 0 || loca(mm, a, s) != 0)
        *why = "its hmtx or loca table is cut short";
    else if (name(def, mm, a, s) != 0)
        *why = "its name table gives no PostScript name and style of a usable length";
    else if (os2(def, a, s) != 0)
        *why = "its OS/2 table is missing, cut short or forbids embedding";
    else if (!(g = find(a, "glyf")))
        *why = "it has no glyf table";
    if (*why)
        return -1;
    a->glyph_tbl.base_offset = g->offset;
    return 0;
}

HPDF_FontDef ttface_load(HPDF_MMgr mm, int fd, size_t n, unsigned index, HPDF_Stream stream,
                         const char **why)
{
    *why = NULL;
    /* libharu seeks with an int, and skips every seek once an error is set */
    if (!mm || !stream || n > INT32_MAX || HPDF_Error_GetCode(mm->error) != HPDF_OK)
        return NULL;
    HPDF_FontDef def = HPDF_TTFontDef_New(mm);
    if (!def)
        return NULL;
    HPDF_TTFontDefAttr a = def->attr;
    tt_file s = {fd, n};
    int rc = parse(def, mm, a, &s, index, why);
    if (rc == 0) {
        /* libharu reads the glyph offsets of 'H' and 'x' unchecked (GetCharBBox) */
        long gh = glyph_of(a, 'H'), gx = glyph_of(a, 'x');
        if (gh < 0 || gx < 0 || gh > a->num_glyphs || gx > a->num_glyphs)
            *why = "its cmap gives 'H' or 'x' no glyph of the font";
    }
    if (rc != 0 || *why) {
        HPDF_FontDef_Free(def); /* its stream is still NULL: the caller's */
        return NULL;
    }
    a->stream = stream;
    a->embedding = HPDF_TRUE;
    /* the glyph headers, read through the stream as libharu reads them */
    def->cap_height = (HPDF_UINT16)HPDF_TTFontDef_GetCharBBox(def, (HPDF_UINT16)'H').top;
    def->x_height = (HPDF_UINT16)HPDF_TTFontDef_GetCharBBox(def, (HPDF_UINT16)'x').top;
    def->missing_width =
        (HPDF_INT16)((HPDF_UINT32)a->h_metric[0].advance_width * 1000 / a->header.units_per_em);
    return def;
}
