/* report_doc.c - see report_doc.h. */
#include "report_doc.h"
#include "glyphs.h"
#include "lazyfc.h"
#include "pngenc.h"
#include "textlayout.h"
#include "ttface.h"
#include "util.h"

#include <fontconfig/fontconfig.h>
#include <hpdf.h>
#include <hpdf_gstate.h> /* HPDF_GState_Rec: gsave() */
#include <hpdf_utils.h> /* HPDF_FToA */
#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h> /* ntohl */
#include <fcntl.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

/* This file reads and sets libharu 2.3.0's structures and relies on the
 * order in which it writes a dictionary (w_hide, w_write), its stream
 * writer (page_put) and its graphics state (gsave). Debian's soname
 * (libhpdf-2.3.0.so) pins the library at run time; another version's
 * headers must be checked against these first. */
#if HPDF_VERSION_ID != 20300
#error "report_doc.c is written against libharu 2.3.0: check w_hide, w_write, page_put and gsave"
#endif

/* ---------- fonts ---------- */

#define COV_BYTES (0x110000 / 8)

/*
 * What libharu answers about a face, kept for every document the fonts
 * serve: it finds a code point's glyph by a linear search of the cmap
 * (thousands of segments in a CJK face, ~5,500 instructions a character),
 * and each document asked again for each character it measured and
 * embedded (1.7 % of a run). The answers depend on the face only. The
 * glyphs of the whole plane are worked out at once from the parsed cmap
 * (face_glyphs: one pass, ~10 instructions a code), not asked of libharu
 * one by one (11 million instructions in a one-region run).
 */
typedef struct face_memo {
    int32_t gid[65536];   /* HPDF_TTFontDef_GetGlyphid(); -1: not yet asked */
    int16_t width[65536]; /* HPDF_Font_GetUnicodeWidth(), 1/1000 em; -1: not yet asked */
} face_memo;

/*
 * m->gid of every code as HPDF_TTFontDef_GetGlyphid() (libharu 2.3.0)
 * answers it for a format 4 cmap: the first segment whose end is at or
 * above the code (its index never falls as the code rises, so one walk
 * finds them all); 0 below that segment's start; else by the segment's
 * delta, or through the glyph array, 0 when the index reaches its count.
 * Codes above every segment, and other cmaps, stay -1: libharu is asked.
 */
static void face_glyphs(const HPDF_TTFontDefAttr ta, face_memo *m)
{
    const HPDF_TTF_CmapRange *c = &ta->cmap;
    unsigned nseg = c->seg_count_x2 / 2u;
    if (c->format != 4 || nseg == 0 || !c->end_count || !c->start_count || !c->id_delta ||
        !c->id_range_offset)
        return;
    /* segment by segment, not a step of the walk per code (1.3 million
     * instructions for the two faces): segment i takes the codes past
     * those of the segments before it, up to its end; one whose end is
     * below them takes none, and the codes past the last stay -1 */
    uint32_t lo = 0; /* the first code no segment has taken */
    for (unsigned i = 0; i < nseg && lo < 65536; i++) {
        uint32_t end = c->end_count[i], u = lo;
        if (end < lo)
            continue;
        for (; u < c->start_count[i] && u <= end; u++)
            m->gid[u] = 0;
        if (c->id_range_offset[i] == 0) {
            for (; u <= end; u++)
                m->gid[u] = (uint16_t)(u + (unsigned)c->id_delta[i]);
        } else {
            for (; u <= end; u++) {
                unsigned idx = c->id_range_offset[i] / 2u + (u - c->start_count[i]) - (nseg - i);
                /* libharu reads one entry past its array at idx == count (a
                 * malformed cmap): here that is 0, not a read out of bounds */
                m->gid[u] = idx >= c->glyph_id_array_count
                                ? 0
                                : (uint16_t)(c->glyph_id_array[idx] + (unsigned)c->id_delta[i]);
            }
        }
        lo = end + 1;
    }
}

/*
 * The faces are parsed by libharu once, into a document of their own that
 * is never saved (holder); each document then borrows the two font
 * definitions (rdoc_new) and gives them back before it is freed
 * (rdoc_free). A worker that writes many documents thus reads and parses
 * each font file once. The files are also mapped once, for the subsets.
 */
struct rfonts {
    char *file[2];
    int index[2];
    unsigned char *cov[2]; /* one bit per code point */
    HPDF_Doc holder;       /* owns def[] */
    HPDF_FontDef def[2];
    HPDF_STATUS err, err_detail; /* libharu's first error in holder */
    unsigned char *map[2];       /* the font files, mapped (for their tables) */
    size_t mapn[2];
    int fd[2];                   /* the font files, open for glyphs[] */
    glyph_store *glyphs[2];      /* the outlines read, for the subsets */
    face_memo *memo[2];          /* filled as documents ask */
    unsigned char *tounicode_z;  /* the ToUnicode CMap, deflated once (fix_unicode_map) */
    /* The UTF-8 encoder, made in the holder and lent to each document as
     * def[] are: libharu fills 256 KB of tables (byte by byte) for each
     * one it makes, 1.4 million instructions a document. */
    HPDF_Encoder enc;
    HPDF_CMapEncoderAttr_Rec *enc_one; /* enc's attributes with one code (get_font_fast) */
    size_t tounicode_zlen;
};

/* Face k's glyph of code cp, as HPDF_TTFontDef_GetGlyphid() finds it
 * (the memo only caches answers that cannot change). */
unsigned rfonts_glyph(const rfonts *f, rfont k, uint32_t cp)
{
    int32_t *known = &f->memo[k]->gid[cp & 0xFFFF];
    if (*known < 0)
        *known = HPDF_TTFontDef_GetGlyphid(f->def[k], (HPDF_UINT16)cp);
    return (unsigned)*known;
}

/*
 * HPDF_Font_GetUnicodeWidth() of a BMP code in face k: for a TrueType
 * face, HPDF_TTFontDef_GetCharWidth()'s advance in 1/1000 em, with the
 * glyph from rfonts_glyph(). (libharu also marks the glyph, and reads its
 * header for components, for the embedding of whole faces; embed_subset()
 * makes its own, so that is not done.)
 */
static HPDF_INT char_width(const rfonts *f, int k, HPDF_Font font, uint32_t cp)
{
    HPDF_FontDef def = f->def[k];
    HPDF_TTFontDefAttr ta = def->type == HPDF_FONTDEF_TYPE_TRUETYPE ? def->attr : NULL;
    if (!ta || !ta->h_metric || ta->header.units_per_em == 0)
        return HPDF_Font_GetUnicodeWidth(font, (HPDF_UNICODE)cp);
    unsigned g = rfonts_glyph(f, (rfont)k, cp);
    if (g >= ta->num_glyphs)
        return def->missing_width;
    return (HPDF_INT16)(HPDF_UINT16)((HPDF_UINT)ta->h_metric[g].advance_width * 1000 /
                                     ta->header.units_per_em);
}

/* The Debian files, used when fontconfig does not find the families. */
static const char *const debian_file[2] = {"/usr/share/fonts/truetype/arphic/uming.ttc",
                                           "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"};
static const char *const debian_package[2] = {"fonts-arphic-uming", "fonts-wqy-microhei"};

static int fc_finalise_registered;

static void fc_finalise(void) { FcFini(); }

static int truetype_file(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && (strcasecmp(path + n - 4, ".ttf") == 0 || strcasecmp(path + n - 4, ".ttc") == 0);
}

static void coverage_from_charset(unsigned char *cov, const FcCharSet *cs)
{
    FcChar32 map[FC_CHARSET_MAP_SIZE], next;
    for (FcChar32 base = FcCharSetFirstPage(cs, map, &next); base != FC_CHARSET_DONE;
         base = FcCharSetNextPage(cs, map, &next)) {
        if (base % 256 == 0 && base <= 0x110000 - 32 * FC_CHARSET_MAP_SIZE) {
            /* bit b of word i is code base + 32 i + b: its bytes are
             * coverage bytes as they stand (a bit at a time was 1.4
             * million instructions a process) */
            for (int i = 0; i < FC_CHARSET_MAP_SIZE; i++)
                for (int k = 0; k < 4; k++)
                    cov[(base >> 3) + 4 * (FcChar32)i + (FcChar32)k] |= (unsigned char)(map[i] >> (8 * k));
            continue;
        }
        for (int i = 0; i < FC_CHARSET_MAP_SIZE; i++) {
            for (int b = 0; b < 32; b++) {
                FcChar32 cp = base + (FcChar32)i * 32 + (FcChar32)b;
                if ((map[i] >> b) & 1 && cp < 0x110000)
                    cov[cp >> 3] |= (unsigned char)(1u << (cp & 7));
            }
        }
    }
}

/* Look family up; 0 with file/index/coverage set, or -1. */
static int match_family(FcConfig *cfg, const char *family, char **file, int *index,
                        unsigned char *cov)
{
    FcPattern *p = FcPatternCreate();
    FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)family);
    FcConfigSubstitute(cfg, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult r;
    FcPattern *m = FcFontMatch(cfg, p, &r);
    FcPatternDestroy(p);
    if (!m)
        return -1;
    int ok = 0;
    FcChar8 *fam = NULL, *path = NULL;
    for (int i = 0; FcPatternGetString(m, FC_FAMILY, i, &fam) == FcResultMatch; i++)
        if (strcasecmp((const char *)fam, family) == 0)
            ok = 1;
    int idx = 0;
    FcCharSet *cs = NULL;
    if (ok && FcPatternGetString(m, FC_FILE, 0, &path) == FcResultMatch &&
        truetype_file((const char *)path) &&
        FcPatternGetCharSet(m, FC_CHARSET, 0, &cs) == FcResultMatch) {
        FcPatternGetInteger(m, FC_INDEX, 0, &idx);
        *file = xstrdup((const char *)path);
        *index = idx;
        coverage_from_charset(cov, cs);
    } else {
        ok = 0;
    }
    FcPatternDestroy(m);
    return ok ? 0 : -1;
}

/*
 * Coverage of face k from its cmap as parsed (memo filled by face_glyphs),
 * for a face named by its file, which fontconfig is not asked about: the
 * codes it maps to a glyph of the face, as fontconfig's charset counts them
 * (FcFreeTypeCharSet: not glyph 0, nor glyph 1 below U+0020, the "space"
 * of Adobe's CID fonts). tests/unit/test_report.c checks that both
 * Debian faces cover the same codes either way.
 */
static void coverage_from_cmap(rfonts *f, int k)
{
    HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)f->def[k]->attr;
    const int32_t *gid = f->memo[k]->gid;
    for (uint32_t cp = 0; cp < 65536; cp += 8) { /* a byte of bits at a time */
        unsigned bits = 0;
        for (uint32_t b = 0; b < 8; b++) {
            int32_t g = gid[cp + b];
            bits |= (unsigned)(g > 0 && (uint32_t)g < ta->num_glyphs && !(cp + b < 0x20 && g == 1))
                    << b;
        }
        f->cov[k][cp >> 3] |= (unsigned char)bits;
    }
}

/* Coverage of a file read directly (the Debian fallback). */
static int query_file(const char *path, int index, unsigned char *cov)
{
    int count = 0;
    FcPattern *p = FcFreeTypeQuery((const FcChar8 *)path, index, NULL, &count);
    if (!p)
        return -1;
    FcCharSet *cs = NULL;
    int rc = -1;
    if (FcPatternGetCharSet(p, FC_CHARSET, 0, &cs) == FcResultMatch) {
        coverage_from_charset(cov, cs);
        rc = 0;
    }
    FcPatternDestroy(p);
    return rc;
}

static void holder_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    rfonts *f = user_data;
    if (!f->err) {
        f->err = error_no;
        f->err_detail = detail_no;
    }
}

/* Map font file k, for the tables the subsets copy, and keep it open for
 * their glyphs. */
static int map_file(rfonts *f, int k, diag_list *d)
{
    int fd = open(f->file[k], O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *mapped = MAP_FAILED;
    int err = fd < 0 ? errno : 0;
    if (!err && fstat(fd, &st) != 0)
        err = errno;
    else if (!err && st.st_size <= 0)
        err = EINVAL; /* an empty file: nothing to map */
    else if (!err && (mapped = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) ==
                         MAP_FAILED)
        err = errno;
    if (mapped == MAP_FAILED) {
        if (fd >= 0)
            close(fd);
        diag_add(d, DIAG_ERROR, f->file[k], 0, 0, "PDF: cannot read the font: %s", strerror(err));
        return -1;
    }
    f->fd[k] = fd; /* kept open: glyphs are read from it (glyphs.h) */
    f->map[k] = mapped;
    f->mapn[k] = (size_t)st.st_size;
    return 0;
}

/*
 * Streams in memory of our own, for libharu. Its memory streams copy
 * byte by byte (HPDF_MemCpy), in chunks of 4 KB: each of the page
 * operators written (about a million for 20 regions), and each deflated
 * stream put and read back at the save. And it reads a face through a
 * stream of at most a few bytes a call (each number of the cmap, hmtx and
 * loca tables: ~250,000 calls for the two faces), on its FILE reader an
 * fread each: 62 million instructions a process. (The faces libharu still
 * parses are those ttface_load() leaves to it; of the others it reads a
 * few glyph headers.) Here a page's contents
 * and every stream deflated in rdoc_save() are a growable buffer, and a
 * face is read from its file in windows of FACE_WINDOW bytes (preadv),
 * with memcpy: the same bytes. Not from the mapping (map_file): the parse
 * touches pages all over the 21 MB uming.ttc, which then count in the
 * process's resident set (11 MB more at the peak of `planeval check` on a
 * 26 MB GB18030 table, tests/hostile). The stream belongs to its
 * dictionary or font definition, which frees it.
 */
#define FACE_WINDOW 4096
/* Windows of a face, each at a multiple of FACE_WINDOW, the least recently
 * used ones refilled. libharu reads the tables it parses in order, then the
 * header of each glyph as it is first measured (is it composite?), a few
 * bytes anywhere in the glyf table; one window of 64 KB read 65.7 MB (1,003
 * preads) for a one-region run's two faces, 64 of 4 KB read 3.9 MB (952).
 * A miss just past the windows read last reads twice as many windows as
 * that read, up to FACE_AHEAD, in one call: the tables (~100 windows in
 * order for the two faces) then take 10 or so calls, not a call each. */
#define FACE_WINDOWS 64
#define FACE_AHEAD 16

typedef struct face_windows {
    size_t base[FACE_WINDOWS], len[FACE_WINDOWS]; /* len 0: empty */
    unsigned long used[FACE_WINDOWS], clock;
    size_t next; /* the place just past the windows read last */
    int ahead;   /* how many windows that read filled */
} face_windows;

typedef struct mem_attr {
    unsigned char *own; /* the buffer of a writable stream, or a face's windows */
    const unsigned char *p;
    size_t n, cap, pos;
    int fd;             /* a face's file, else -1 */
    face_windows *win;  /* where own's windows are in it (a face's only) */
    /* a face's window used last: bytes [lo, lo + span) of the file (none
     * past n) at cur, for face_read()'s common case */
    const unsigned char *cur;
    size_t lo, span;
} mem_attr;

static HPDF_STATUS mem_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT siz)
{
    mem_attr *a = s->attr;
    if (a->cap - a->n < siz) {
        size_t cap = a->cap ? a->cap : 4096;
        while (cap - a->n < siz)
            cap *= 2;
        a->own = xrealloc(a->own, cap);
        a->p = a->own;
        a->cap = cap;
    }
    memcpy(a->own + a->n, ptr, siz);
    a->n += siz;
    return HPDF_OK;
}

/*
 * n bytes at p onto stream st of the current page, as HPDF_Stream_Write()
 * puts them there (its size counted too): straight into the buffer when
 * st is one of ours (rdoc_new_page) with room, without the two calls
 * through libharu and mem_write() (~200,000 writes of a few bytes in the
 * 5-region run). Anything else, and any error state, goes through libharu
 * as before. 1 if fine.
 */
#define HOK_WRITE(d, st, p, n) page_put((d), (st), (const void *)(p), (size_t)(n))
static int page_put_slow(rdoc *d, HPDF_Stream st, const void *p, size_t n);
static inline int page_put(rdoc *d, HPDF_Stream st, const void *p, size_t n);

/* Window i is the one used last. */
static int face_use(mem_attr *a, int i)
{
    face_windows *w = a->win;
    w->used[i] = ++w->clock;
    a->cur = a->own + (size_t)i * FACE_WINDOW;
    a->lo = w->base[i];
    a->span = a->lo < a->n ? a->n - a->lo : 0;
    if (a->span > w->len[i])
        a->span = w->len[i];
    return i;
}

static int face_held(const face_windows *w, size_t pos)
{
    for (int i = 0; i < FACE_WINDOWS; i++)
        if (pos >= w->base[i] && pos - w->base[i] < w->len[i])
            return i;
    return -1;
}

/* The window holding byte a->pos of a face, read in if none does (with
 * the windows after it, see FACE_AHEAD): its index; -1 with errno set, or
 * -2 when the file ends before a->pos. */
static int face_window(mem_attr *a)
{
    face_windows *w = a->win;
    int i = face_held(w, a->pos);
    if (i >= 0)
        return face_use(a, i);
    size_t base = a->pos - a->pos % FACE_WINDOW;
    int k = base == w->next && w->ahead > 0 ? 2 * w->ahead : 1;
    if (k > FACE_AHEAD)
        k = FACE_AHEAD;
    for (int j = 1; j < k; j++) /* not past the end, nor over a window held */
        if (base + (size_t)j * FACE_WINDOW >= a->n || face_held(w, base + (size_t)j * FACE_WINDOW) >= 0)
            k = j;
    int slot[FACE_AHEAD];
    struct iovec iov[FACE_AHEAD] = {{NULL, 0}};
    for (int j = 0; j < k; j++) { /* the k least recently used */
        int lru = 0;
        for (int m = 1; m < FACE_WINDOWS; m++)
            if (w->used[m] < w->used[lru])
                lru = m;
        slot[j] = lru;
        w->used[lru] = (unsigned long)-1; /* taken */
        w->len[lru] = 0;
        iov[j] = (struct iovec){a->own + (size_t)lru * FACE_WINDOW, FACE_WINDOW};
    }
    ssize_t r = preadv(a->fd, iov, k, (off_t)base);
    for (int j = 0; j < k; j++) {
        size_t at = (size_t)j * FACE_WINDOW, got = r > 0 && (size_t)r > at ? (size_t)r - at : 0;
        w->base[slot[j]] = base + at;
        w->len[slot[j]] = got < FACE_WINDOW ? got : FACE_WINDOW;
        w->used[slot[j]] = ++w->clock;
    }
    if (r < 0)
        return -1;
    w->next = base + (size_t)k * FACE_WINDOW;
    w->ahead = k;
    return a->pos - base < (size_t)r ? face_use(a, slot[0]) : -2;
}

/* face_read() across windows, past those held (refilled by preadv), or
 * of other than 2 or 4 bytes. Not inlined: face_read()'s common case then
 * needs no stack frame. */
__attribute__((noinline)) static HPDF_STATUS face_read_slow(HPDF_Stream s, HPDF_BYTE *ptr,
                                                           HPDF_UINT *siz)
{
    mem_attr *a = s->attr;
    size_t want = *siz, got = 0;
    while (got < want && a->pos < a->n) {
        int i = face_window(a);
        if (i == -1)
            return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno);
        if (i == -2)
            break; /* the file shrank: the rest reads as its end */
        size_t off = a->pos - a->lo, k = a->span - off;
        if (k > want - got)
            k = want - got;
        memcpy(ptr + got, a->cur + off, k);
        got += k;
        a->pos += k;
    }
    if (got < want) { /* as libharu's readers: the rest zeroed, the count cut */
        memset(ptr + got, 0, want - got);
        *siz = (HPDF_UINT)got;
        return HPDF_STREAM_EOF;
    }
    return HPDF_OK;
}

/*
 * The reader of a face's stream. Most reads are a number of 2 or 4 bytes
 * in the window used last (~250,000 calls to parse two faces): copied
 * here with two comparisons (a->pos below a->lo wraps past a->span).
 */
static HPDF_STATUS face_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
    mem_attr *a = s->attr;
    size_t off = a->pos - a->lo, n = *siz;
    if (off > a->span || n > a->span - off || (n != 2 && n != 4))
        return face_read_slow(s, ptr, siz); /* other sizes too: no call here */
    if (n == 2)
        memcpy(ptr, a->cur + off, 2);
    else
        memcpy(ptr, a->cur + off, 4);
    a->pos += n;
    return HPDF_OK;
}

static HPDF_STATUS mem_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
    mem_attr *a = s->attr;
    size_t left = a->pos < a->n ? a->n - a->pos : 0;
    size_t k = *siz < left ? *siz : left;
    if (k)
        memcpy(ptr, a->p + a->pos, k);
    a->pos += k;
    if (k < *siz) { /* as libharu's readers: the rest zeroed, the count cut */
        memset(ptr + k, 0, *siz - k);
        *siz = (HPDF_UINT)k;
        return HPDF_STREAM_EOF;
    }
    return HPDF_OK;
}

static HPDF_STATUS mem_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    mem_attr *a = s->attr;
    long long base = mode == HPDF_SEEK_CUR ? (long long)a->pos
                     : mode == HPDF_SEEK_END ? (long long)a->n
                                             : 0;
    if (base + pos < 0)
        return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, EINVAL);
    a->pos = (size_t)(base + pos);
    return HPDF_OK;
}

static HPDF_INT32 mem_tell(HPDF_Stream s) { return (HPDF_INT32)((mem_attr *)s->attr)->pos; }

static HPDF_UINT32 mem_size(HPDF_Stream s) { return (HPDF_UINT32)((mem_attr *)s->attr)->n; }

static void mem_free(HPDF_Stream s)
{
    mem_attr *a = s->attr;
    if (a) {
        if (a->fd >= 0)
            close(a->fd);
        free(a->own);
        free(a->win);
        HPDF_FreeMem(s->mmgr, a);
    }
    s->attr = NULL;
}

/* A stream reading the n bytes of the file open as fd (which it then owns),
 * or, with fd -1, an empty writable one; in mm's memory, NULL if there is
 * none left. */
static HPDF_Stream mem_stream(HPDF_MMgr mm, int fd, size_t n)
{
    HPDF_Stream s = HPDF_GetMem(mm, sizeof *s);
    mem_attr *a = s ? HPDF_GetMem(mm, sizeof *a) : NULL;
    if (!a) {
        if (s)
            HPDF_FreeMem(mm, s);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    int file = fd >= 0;
    *a = (mem_attr){file ? xmalloc(FACE_WINDOWS * FACE_WINDOW) : NULL, NULL, file ? n : 0, 0, 0,
                    fd, file ? xcalloc(1, sizeof(face_windows)) : NULL, NULL, 0, 0};
    a->p = a->own;
    memset(s, 0, sizeof *s);
    s->sig_bytes = HPDF_STREAM_SIG_BYTES;
    s->type = file ? HPDF_STREAM_FILE : HPDF_STREAM_MEMORY;
    s->error = mm->error;
    s->mmgr = mm;
    s->write_fn = file ? NULL : mem_write; /* a writable one's size is counted by libharu */
    s->read_fn = file ? face_read : mem_read;
    s->seek_fn = mem_seek;
    s->tell_fn = mem_tell;
    s->size_fn = mem_size;
    s->free_fn = mem_free;
    s->attr = a;
    return s;
}

/*
 * Face k into the holder as HPDF_LoadTTFontFromFile2() loads it (libharu
 * 2.3.0, LoadTTFontFromStream2): the definition listed in the document
 * and, embedded, tagged HPDFAA, HPDFAB, ... in the order of loading; a
 * face loaded twice is the first one. Its base font name, or NULL.
 */
static const char *load_face(rfonts *f, int k, const char **why)
{
    HPDF_Doc pdf = f->holder;
    int fd = open(f->file[k], O_RDONLY | O_CLOEXEC);
    HPDF_Stream s = fd >= 0 ? mem_stream(pdf->mmgr, fd, f->mapn[k]) : NULL;
    /* parsed in bulk (ttface.h) when the face is a plain one, else by
     * libharu, unless it would crash libharu; the definition owns s from
     * here, even when it fails */
    *why = NULL;
    HPDF_FontDef def =
        s ? ttface_load(pdf->mmgr, f->fd[k], f->mapn[k], (unsigned)f->index[k], s, why) : NULL;
    if (s && !def && *why)
        HPDF_Stream_Free(s);
    else if (s && !def)
        def = HPDF_TTFontDef_Load2(pdf->mmgr, s, (HPDF_UINT)f->index[k], HPDF_TRUE);
    const char *name = NULL;
    if (def) {
        HPDF_FontDef had = HPDF_Doc_FindFontDef(pdf, def->base_font);
        if (had) {
            HPDF_FontDef_Free(def);
            return had->base_font;
        }
        if (HPDF_List_Add(pdf->fontdef_list, def) != HPDF_OK) {
            HPDF_FontDef_Free(def);
            def = NULL;
        }
    }
    if (def) {
        if (pdf->ttfont_tag[0] == 0) {
            memcpy(pdf->ttfont_tag, "HPDFAA", 6);
        } else {
            for (int i = 5; i >= 0; i--) {
                if (++pdf->ttfont_tag[i] > 'Z')
                    pdf->ttfont_tag[i] = 'A';
                else
                    break;
            }
        }
        HPDF_TTFontDef_SetTagName(def, (char *)pdf->ttfont_tag);
        name = def->base_font;
    }
    if (!name)
        HPDF_CheckError(&pdf->error);
    return name;
}

/*
 * Both faces parsed into the holder document, body first: libharu tags
 * embedded faces in the order they are loaded (HPDFAA+, HPDFAB+), so every
 * document names them as it would had it loaded them itself.
 */
static int fonts_parse(rfonts *f, diag_list *d)
{
    f->holder = HPDF_New(holder_error, f);
    if (!f->holder) {
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "PDF: libharu could not create a document");
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        if (map_file(f, k, d) != 0)
            return -1;
        if (f->mapn[k] > INT32_MAX) { /* libharu's streams count in 32 bits */
            diag_add(d, DIAG_ERROR, f->file[k], 0, 0, "PDF: the font file is too large");
            return -1;
        }
        const char *why;
        const char *name = load_face(f, k, &why);
        f->def[k] = name && !f->err ? HPDF_GetFontDef(f->holder, name) : NULL;
        if (why) {
            diag_add(d, DIAG_ERROR, f->file[k], 0, 0,
                     "PDF: face %d of this font cannot be used: %s", f->index[k], why);
            return -1;
        }
        if (!f->def[k]) {
            diag_add(d, DIAG_ERROR, f->file[k], 0, 0,
                     "PDF: libharu cannot load face %d of this font", f->index[k]);
            return -1;
        }
        f->memo[k] = xmalloc(sizeof *f->memo[k]);
        memset(f->memo[k], 0xFF, sizeof *f->memo[k]); /* -1 everywhere */
        HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)f->def[k]->attr;
        face_glyphs(ta, f->memo[k]);
        if (f->def[k]->type == HPDF_FONTDEF_TYPE_TRUETYPE && ta && ta->glyph_tbl.offsets)
            f->glyphs[k] = glyphs_new(f->fd[k], f->mapn[k], ta->glyph_tbl.base_offset,
                                      ta->glyph_tbl.offsets,
                                      ta->header.index_to_loc_format == 0 ? 2 : 1, ta->num_glyphs);
    }
    if (HPDF_UseUTFEncodings(f->holder) != HPDF_OK ||
        !(f->enc = HPDF_GetEncoder(f->holder, "UTF-8")) || f->err) {
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "PDF: libharu has no UTF-8 encoder");
        return -1;
    }
    if (f->enc->type == HPDF_ENCODER_TYPE_DOUBLE_BYTE && f->enc->attr) {
        f->enc_one = xmalloc(sizeof *f->enc_one);
        memcpy(f->enc_one, f->enc->attr, sizeof *f->enc_one);
        memset(f->enc_one->cid_map, 0, sizeof f->enc_one->cid_map);
        f->enc_one->cid_map[0][' '] = 1;
    }
    return 0;
}

/* The n low hex digits of v, upper case, at out (no NUL): a PDF string's
 * bytes and a CMap's codes, where printf cost more than the text. */
static void put_hex(char *out, unsigned v, int n)
{
    static const char hexd[] = "0123456789ABCDEF";
    while (n-- > 0) {
        out[n] = hexd[v & 15];
        v >>= 4;
    }
}

/* The ToUnicode CMap of fix_unicode_map(): the identity over the BMP. */
static void tounicode_text(strbuf *b)
{
    sb_add(b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
              "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
              "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
              "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    int ranges[256], n = 0;
    for (int hi = 0; hi < 256; hi++)
        if (hi < 0xD8 || hi > 0xDF) /* no surrogates */
            ranges[n++] = hi;
    for (int i = 0; i < n; i += 100) {
        int m = n - i < 100 ? n - i : 100;
        sb_printf(b, "%d beginbfrange\n", m);
        for (int k = i; k < i + m; k++) { /* "<%02X00> <%02XFF> <%02X00>\n", not printf */
            char line[] = "<..00> <..FF> <..00>\n";
            for (int at = 1; at < 20; at += 7)
                put_hex(line + at, (unsigned)ranges[k], 2);
            sb_addn(b, line, sizeof line - 1);
        }
        sb_add(b, "endbfrange\n");
    }
    sb_add(b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

/*
 * The CMap is the same in every font of every document, and libharu
 * deflated it at each save (zlib's default level, 1.7 million
 * instructions a font, two fonts a document). It is deflated here once,
 * by zlib with libharu's settings, so the bytes are those libharu wrote.
 */
static int tounicode_deflate(rfonts *f, diag_list *d)
{
    strbuf b;
    sb_init(&b);
    tounicode_text(&b);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int ok = deflateInit(&zs, Z_DEFAULT_COMPRESSION) == Z_OK;
    if (ok) {
        uLong cap = deflateBound(&zs, (uLong)b.len);
        f->tounicode_z = xmalloc(cap);
        zs.next_in = (Bytef *)b.s;
        zs.avail_in = (uInt)b.len;
        zs.next_out = f->tounicode_z;
        zs.avail_out = (uInt)cap;
        ok = deflate(&zs, Z_FINISH) == Z_STREAM_END;
        f->tounicode_zlen = zs.total_out;
        deflateEnd(&zs);
    }
    sb_free(&b);
    if (!ok)
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "PDF: zlib cannot compress the fonts' ToUnicode map");
    return ok ? 0 : -1;
}

int rfonts_open(rfonts **out, const char *body_family, const char *head_family, diag_list *d)
{
    *out = NULL;
    rfonts *f = xcalloc(1, sizeof *f);
    f->fd[0] = f->fd[1] = -1;
    const char *family[2] = {body_family, head_family};
    /* A name starting with '/' is the font's file: fontconfig, whose
     * configuration alone costs a process ~25 million instructions, is
     * not needed, and no other font installed later can take its place. */
    int by_file[2] = {family[0] && family[0][0] == '/', family[1] && family[1][0] == '/'};
    int failed = 0;
    FcConfig *cfg = NULL;
    if (!by_file[0] || !by_file[1]) {
        if (lazyfc_open(d) != 0) {
            rfonts_free(f);
            return -1;
        }
        if (!fc_finalise_registered) {
            /* fontconfig keeps caches for the process; free them at exit. */
            atexit(fc_finalise);
            fc_finalise_registered = 1;
        }
        cfg = FcInitLoadConfigAndFonts();
    }
    for (int k = 0; k < 2; k++) {
        f->cov[k] = xcalloc(COV_BYTES, 1);
        if (by_file[k]) {
            struct stat st;
            int err = stat(family[k], &st) != 0 ? errno : 0;
            const char *why = err                       ? strerror(err)
                              : !S_ISREG(st.st_mode)    ? "not a regular file"
                              : !truetype_file(family[k]) ? "not a .ttf or .ttc file (libharu embeds "
                                                            "TrueType only)"
                                                          : NULL;
            if (!why) {
                f->file[k] = xstrdup(family[k]);
                f->index[k] = 0;
                continue;
            }
            int debian = strcmp(family[k], debian_file[k]) == 0;
            diag_add(d, DIAG_ERROR, NULL, 0, 0,
                     "PDF reports: no TrueType font for the %s text: %s: %s%s%s%s",
                     k == RF_BODY ? "body" : "heading", family[k], why,
                     debian && err ? " (install the Debian package " : "",
                     debian && err ? debian_package[k] : "", debian && err ? ")" : "");
            failed = 1;
            continue;
        }
        if (cfg && family[k] && match_family(cfg, family[k], &f->file[k], &f->index[k], f->cov[k]) == 0)
            continue;
        struct stat st;
        if (stat(debian_file[k], &st) == 0 && query_file(debian_file[k], 0, f->cov[k]) == 0) {
            f->file[k] = xstrdup(debian_file[k]);
            f->index[k] = 0;
            continue;
        }
        diag_add(d, DIAG_ERROR, NULL, 0, 0,
                 "PDF reports: no TrueType font for the %s text: family '%s' is not installed "
                 "and %s does not exist (install the Debian package %s)",
                 k == RF_BODY ? "body" : "heading", family[k] ? family[k] : "", debian_file[k],
                 debian_package[k]);
        failed = 1;
    }
    if (cfg)
        FcConfigDestroy(cfg);
    if (failed || fonts_parse(f, d) != 0 || tounicode_deflate(f, d) != 0) {
        rfonts_free(f);
        return -1;
    }
    for (int k = 0; k < 2; k++)
        if (by_file[k])
            coverage_from_cmap(f, k);
    *out = f;
    return 0;
}

void rfonts_free(rfonts *f)
{
    if (!f)
        return;
    if (f->holder)
        HPDF_Free(f->holder);
    free(f->tounicode_z);
    free(f->enc_one); /* its lists are enc's, freed with the holder */
    for (int k = 0; k < 2; k++) {
        free(f->file[k]);
        free(f->cov[k]);
        free(f->memo[k]);
        glyphs_free(f->glyphs[k]);
        if (f->fd[k] >= 0)
            close(f->fd[k]);
        if (f->map[k])
            munmap(f->map[k], f->mapn[k]);
    }
    free(f);
}

struct rfonts_cache {
    rfonts *f;
    char *family[2];
};

rfonts_cache *rfonts_cache_new(void) { return xcalloc(1, sizeof(rfonts_cache)); }

void rfonts_cache_free(rfonts_cache *c)
{
    if (!c)
        return;
    rfonts_free(c->f);
    free(c->family[0]);
    free(c->family[1]);
    free(c);
}

static int same_family(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

const rfonts *rfonts_cached(rfonts_cache *c, const char *body_family, const char *head_family,
                            diag_list *d)
{
    if (c->f && same_family(c->family[0], body_family) && same_family(c->family[1], head_family))
        return c->f;
    rfonts *f = NULL;
    if (rfonts_open(&f, body_family, head_family, d) != 0)
        return NULL; /* not kept: the next document says it again */
    rfonts_free(c->f);
    free(c->family[0]);
    free(c->family[1]);
    c->f = f;
    c->family[0] = body_family ? xstrdup(body_family) : NULL;
    c->family[1] = head_family ? xstrdup(head_family) : NULL;
    return f;
}

const rfonts *rfonts_cache_held(const rfonts_cache *c) { return c->f; }

const char *rfonts_file(const rfonts *f, rfont which, int *index)
{
    if (index)
        *index = f->index[which];
    return f->file[which];
}

static int covered(const rfonts *f, int k, uint32_t cp)
{
    return cp < 0x10000 && ((f->cov[k][cp >> 3] >> (cp & 7)) & 1);
}

int rfonts_covers(const rfonts *f, rfont which, uint32_t cp) { return covered(f, which, cp); }

/* ---------- document state ---------- */

#define PAGE_W 595.276
#define PAGE_H 841.89
#define PAGES_PER_NODE 1024 /* pages under one node of the page tree */
#define MARGIN_L 56.0
#define MARGIN_R 56.0
#define MARGIN_T 72.0
#define MARGIN_B 64.0
#define REPLACEMENT 0x25A1 /* □ */

typedef struct toc_entry {
    int level;
    char *text;
    int page;
    double y;
} toc_entry;

typedef struct toc_link {
    HPDF_Page page;
    HPDF_Rect rect;
    int target_page;
    double target_y;
} toc_link;

typedef struct image_ref {
    char *path;
    HPDF_Image img;
} image_ref;

struct rdoc {
    const rfonts *fonts;
    diag_list *diags;
    HPDF_Doc pdf;
    HPDF_Font font[2];
    int borrowed[2]; /* fonts->def[k] is in this document's list of definitions */
    int enc_borrowed; /* fonts->enc is in its list of encoders */
    HPDF_Encoder enc;
    int failed;
    HPDF_STATUS err, err_detail;

    int dry;
    int page;          /* current page number, 0 = none yet */
    int pages_prev;    /* pages made by the previous pass */
    double y;          /* cursor, from the top */
    HPDF_Page cur;     /* real pass */
    HPDF_Page *pages;  /* real pass: every page */
    size_t npages, cappages;

    toc_entry *toc, *toc_prev;
    size_t ntoc, captoc, ntoc_prev;
    /* the contents as rdoc_toc_page() laid them out this pass, for
     * rdoc_toc_settle(): how many, where (the one) began and on which
     * page it ended, with its style */
    struct toc_place {
        int n, page0, page1;
        double y0, indent;
        rstyle st;
    } tp;
    HPDF_Outline outline_parent[4];

    toc_link *links;
    size_t nlinks, caplinks;

    image_ref *images;
    size_t nimages, capimages;

    uint32_t *missing; /* code points in neither font */
    size_t nmissing, capmissing;
    uint32_t *fallback; /* code points set in the other face (| face asked << 24) */
    size_t nfallback, capfallback;
    int overflow_warned;
    struct broken **broken; /* break_lines' answers, kept across passes */

    rdoc_decorate_fn decorate;
    void *decorate_ctx;

    struct libdeflate_compressor *zc; /* made at the first stream deflated */
    unsigned char *used[2];       /* per face, the BMP code points drawn (bits) */
    struct ftoa_memo *ftoa;       /* put_num's answers (made at the first number) */
    HPDF_ExtGState alpha_gs[101]; /* opacity in hundredths, made when first used */
    char *run;                    /* draw_run's codes, kept between calls */
    size_t caprun;
    strbuf wtext[2]; /* per face, its W entry as written (w_write) */
    /* set_rgb's operator for the colour it set last, fill [0] and stroke
     * [1], by the bits of its components (len 0: none yet) */
    struct rgb_text {
        uint32_t bits[3];
        size_t len;
        char text[3 * (HPDF_REAL_LEN + 5) + 8];
    } rgb_last[2];
    HPDF_Page name_page;          /* the page of font_name (set_font) */
    const char *font_name[2];     /* its name of each face, once asked */
};

static void error_handler(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    rdoc *d = user_data;
    if (!d->err) {
        d->err = error_no;
        d->err_detail = detail_no;
    }
}

static void fail(rdoc *d, const char *what)
{
    if (d->failed)
        return;
    d->failed = 1;
    diag_add(d->diags, DIAG_ERROR, NULL, 0, 0,
             "PDF: libharu error 0x%04X (detail %u) in %s", (unsigned)d->err,
             (unsigned)d->err_detail, what);
}

/* Check a libharu status; 1 if fine. */
#define HOK(d, call) ((d)->failed ? 0 : ((call) == HPDF_OK && !(d)->err) ? 1 : (fail((d), #call), 0))
/* Check a libharu handle; 1 if fine. */
#define HPTR(d, var, call)                                                                         \
    ((d)->failed ? 0 : (((var) = (call)) != NULL && !(d)->err) ? 1 : (fail((d), #call), 0))

static int page_put_slow(rdoc *d, HPDF_Stream st, const void *p, size_t n)
{
    return HOK(d, HPDF_Stream_Write(st, (const HPDF_BYTE *)p, (HPDF_UINT)n));
}

static inline int page_put(rdoc *d, HPDF_Stream st, const void *p, size_t n)
{
    if (st->write_fn == mem_write && !d->failed && !d->err) {
        mem_attr *a = st->attr;
        if (a->cap - a->n >= n) {
            memcpy(a->own + a->n, p, n);
            a->n += n;
            st->size += (HPDF_UINT32)n;
            return 1;
        }
    }
    return page_put_slow(d, st, p, n);
}

/* The Filter entry libharu writes for a stream it deflates itself. */
static HPDF_STATUS write_flate_array(HPDF_Dict obj, HPDF_Stream stream)
{
    (void)obj;
    return HPDF_Stream_WriteStr(stream, "/Filter [ /FlateDecode ]\012");
}

/*
 * libharu 2.3.0 writes as the ToUnicode map of a UTF-8 TrueType font its
 * encoding CMap (a cidrange, which readers reject). The codes a UTF-8 font
 * uses are the UTF-16 code units themselves, so the right map is the
 * identity over the Basic Multilingual Plane: replace it. The CIDSystemInfo
 * ordering "Identity-H" is likewise corrected to "Identity".
 */
static void fix_unicode_map(rdoc *d, HPDF_Font font)
{
    HPDF_Dict cmap;
    if (!HPTR(d, cmap, HPDF_DictStream_New(d->pdf->mmgr, d->pdf->xref)))
        return;
    /* deflated once for all documents (tounicode_deflate) */
    cmap->filter = HPDF_STREAM_FILTER_NONE;
    cmap->write_fn = write_flate_array;
    HOK(d, HPDF_Stream_Write(cmap->stream, d->fonts->tounicode_z, (HPDF_UINT)d->fonts->tounicode_zlen));
    HOK(d, HPDF_Dict_Add(font, "ToUnicode", cmap));

    HPDF_Array desc = HPDF_Dict_GetItem(font, "DescendantFonts", HPDF_OCLASS_ARRAY);
    HPDF_Dict cid = desc ? HPDF_Array_GetItem(desc, 0, HPDF_OCLASS_DICT) : NULL;
    HPDF_Dict info = cid ? HPDF_Dict_GetItem(cid, "CIDSystemInfo", HPDF_OCLASS_DICT) : NULL;
    if (info) {
        HPDF_String s;
        if (HPTR(d, s, HPDF_String_New(d->pdf->mmgr, "Identity", NULL)))
            HOK(d, HPDF_Dict_Add(info, "Ordering", s));
    }
}

/*
 * HPDF_GetFont() of a UTF-8 TrueType font looks up the glyph of each of
 * the 65536 BMP code points, each by a linear search of the font's cmap
 * segments (thousands in a CJK face), for a CIDToGIDMap and widths ("W")
 * of the whole plane: about 25 ms per font and document, and ~0.4 MB more
 * in every PDF. The font is made here with a cmap that maps everything to
 * glyph 0 (instant, and W comes out empty); the real cmap is put back at
 * once, and rdoc_save() writes both tables for the characters drawn only
 * (embed_subset()).
 *
 * Even so the whole plane was still walked: for each of the 65536 codes a
 * glyph look-up, a width, a byte swap, and a 128 KB CIDToGIDMap written,
 * 6.6 million instructions per font and document (2.4 % of a run). For
 * the time of the call, the encoder is made to look like a CMap encoder
 * with a single code (libharu then walks the codes of its cid_map only),
 * so the two placeholder tables have one entry; embed_subset() replaces
 * both. Its state is put back whole afterwards.
 */
static HPDF_Font get_font_fast(rdoc *d, const char *name)
{
    HPDF_FontDef def = HPDF_GetFontDef(d->pdf, name);
    if (!def || def->type != HPDF_FONTDEF_TYPE_TRUETYPE || !def->attr || !d->enc ||
        d->enc != d->fonts->enc || !d->fonts->enc_one)
        return HPDF_GetFont(d->pdf, name, "UTF-8");
    HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)def->attr;
    static HPDF_UINT16 notdef[256]; /* glyph 0 for every code */
    HPDF_TTF_CmapRange real = ta->cmap;
    ta->cmap.format = 0;
    ta->cmap.glyph_id_array = notdef;
    /* the single-code attributes made once (rfonts), not 128 KB copied twice */
    void *attr = d->enc->attr;
    HPDF_Encoder_ToUnicode_Func to_unicode = d->enc->to_unicode_fn;
    d->enc->attr = d->fonts->enc_one;
    d->enc->to_unicode_fn = HPDF_CMapEncoder_ToUnicode;
    HPDF_Font f = HPDF_GetFont(d->pdf, name, "UTF-8");
    d->enc->to_unicode_fn = to_unicode;
    d->enc->attr = attr;
    ta->cmap = real;
    return f;
}

rdoc *rdoc_new(const rfonts *fonts, const rdoc_info *info, diag_list *diags)
{
    rdoc *d = xcalloc(1, sizeof *d);
    for (int k = 0; k < 2; k++)
        d->used[k] = xcalloc(65536 / 8, 1);
    d->fonts = fonts;
    d->diags = diags;
    d->pdf = HPDF_New(error_handler, d);
    if (!d->pdf) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "PDF: libharu could not create a document");
        d->failed = 1;
        return d;
    }
    HOK(d, HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL));
    /* Pages in a tree, at most PAGES_PER_NODE under a node: libharu's
     * single Kids array stops at 32,767 pages (PDF 1.4 readers at 8,191),
     * and milestone evidence up to a CSV's 256 MB fills tens of thousands. */
    HOK(d, HPDF_SetPagesConfiguration(d->pdf, PAGES_PER_NODE));
    /* The UTF-8 encoder is lent by the fonts (struct rfonts) and found by
     * name; given back in rdoc_free. Not registered here as well: the
     * document's own, first in the list, would be made and used. */
    if (HOK(d, HPDF_List_Add(d->pdf->encoder_list, fonts->enc)))
        d->enc_borrowed = 1;
    HOK(d, HPDF_SetCurrentEncoder(d->pdf, "UTF-8"));
    HPTR(d, d->enc, HPDF_GetEncoder(d->pdf, "UTF-8"));
    for (int k = 0; k < 2 && !d->failed; k++) {
        /* borrowed from the holder (see struct rfonts); given back in rdoc_free */
        if (!HOK(d, HPDF_List_Add(d->pdf->fontdef_list, fonts->def[k])))
            break;
        d->borrowed[k] = 1;
        if (HPTR(d, d->font[k], get_font_fast(d, fonts->def[k]->base_font)))
            fix_unicode_map(d, d->font[k]);
    }
    if (!d->failed) {
        const char *const texts[] = {info->title, info->subject, info->author, info->creator,
                                     info->keywords};
        const HPDF_InfoType types[] = {HPDF_INFO_TITLE, HPDF_INFO_SUBJECT, HPDF_INFO_AUTHOR,
                                       HPDF_INFO_CREATOR, HPDF_INFO_KEYWORDS};
        for (int i = 0; i < 5; i++)
            if (texts[i] && *texts[i])
                HOK(d, HPDF_SetInfoAttr(d->pdf, types[i], texts[i]));
        HPDF_Date dt;
        memset(&dt, 0, sizeof dt);
        dt.year = info->year;
        dt.month = info->month;
        dt.day = info->day;
        dt.hour = info->hour;
        dt.minutes = info->minute;
        dt.seconds = info->second;
        dt.ind = 'Z';
        HOK(d, HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE, dt));
        HOK(d, HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_MOD_DATE, dt));
        if (info->outline_open)
            HOK(d, HPDF_SetPageMode(d->pdf, HPDF_PAGE_MODE_USE_OUTLINE));
    }
    return d;
}

static void free_toc(toc_entry *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].text);
    free(t);
}

static void broken_free(rdoc *d);

void rdoc_free(rdoc *d)
{
    if (!d)
        return;
    for (int k = 0; k < 2; k++)
        if (d->borrowed[k]) {
            /* the descriptor is this document's; the definition goes back whole */
            d->fonts->def[k]->descriptor = NULL;
            HPDF_List_Remove(d->pdf->fontdef_list, d->fonts->def[k]);
        }
    if (d->enc_borrowed)
        HPDF_List_Remove(d->pdf->encoder_list, d->fonts->enc);
    if (d->pdf)
        HPDF_Free(d->pdf);
    libdeflate_free_compressor(d->zc);
    free(d->ftoa);
    for (int k = 0; k < 2; k++) {
        free(d->used[k]);
        sb_free(&d->wtext[k]);
    }
    free_toc(d->toc, d->ntoc);
    free_toc(d->toc_prev, d->ntoc_prev);
    for (size_t i = 0; i < d->nimages; i++)
        free(d->images[i].path);
    free(d->images);
    free(d->pages);
    free(d->links);
    free(d->missing);
    free(d->fallback);
    free(d->run);
    broken_free(d);
    free(d);
}

void rdoc_set_decorate(rdoc *d, rdoc_decorate_fn fn, void *ctx)
{
    d->decorate = fn;
    d->decorate_ctx = ctx;
}

int rdoc_failed(const rdoc *d) { return d->failed; }

void rdoc_begin_pass(rdoc *d, int dry)
{
    free_toc(d->toc_prev, d->ntoc_prev);
    d->toc_prev = d->toc;
    d->ntoc_prev = d->ntoc;
    d->toc = NULL;
    d->ntoc = d->captoc = 0;
    d->tp.n = 0;
    d->dry = dry;
    d->page = 0;
    d->y = MARGIN_T;
    d->cur = NULL;
    d->npages = 0;
    d->nlinks = 0;
    memset(d->outline_parent, 0, sizeof d->outline_parent);
}

int rdoc_end_pass(rdoc *d)
{
    if (!d->dry && !d->failed) {
        /* The table of contents links to pages that did not exist when it was drawn. */
        for (size_t i = 0; i < d->nlinks && !d->failed; i++) {
            toc_link *l = &d->links[i];
            if (l->target_page < 1 || (size_t)l->target_page > d->npages)
                continue;
            HPDF_Destination dst;
            HPDF_Annotation a;
            if (HPTR(d, dst, HPDF_Page_CreateDestination(d->pages[l->target_page - 1])) &&
                HOK(d, HPDF_Destination_SetFitH(dst, (HPDF_REAL)(PAGE_H - l->target_y + 4))) &&
                HPTR(d, a, HPDF_Page_CreateLinkAnnot(l->page, l->rect, dst)))
                HOK(d, HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0));
        }
    }
    d->pages_prev = d->page;
    return d->page;
}

/* ---------- compression ---------- */

/*
 * The streams compressed here (page contents, font subsets) go through
 * libdeflate at level 1, not zlib: on the 945 content streams (17.3 MB)
 * and 82 font subsets (13.3 MB) of 20 synthetic regions, zlib's level 3
 * (used until now) took 837 + 261 ms for 3.91 + 6.89 MB; libdeflate's
 * level 1 takes 60 + 92 ms for 3.75 + 6.86 MB, smaller as well. Its
 * higher levels save 1-6 % more bytes for 1.5-2 times the CPU (level 6:
 * 3.35 + 6.50 MB in 132 + 181 ms), so level 1.
 */
#define DEFLATE_LEVEL 1

static HPDF_STATUS write_flate_filter(HPDF_Dict obj, HPDF_Stream stream)
{
    (void)obj;
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

/*
 * Stream obj's data: the zlib stream z, marked FlateDecode, not compressed
 * again. Held in a stream of our own (mem_stream): a page's, emptied (its
 * page writes to it by another pointer), any other put in its place.
 */
static void put_zstream(rdoc *d, HPDF_Dict obj, const unsigned char *z, size_t zlen)
{
    obj->filter = HPDF_STREAM_FILTER_NONE;
    obj->write_fn = write_flate_filter;
    HPDF_Stream s = obj->stream;
    if (s->write_fn == mem_write) {
        mem_attr *a = s->attr;
        a->n = a->pos = 0;
        s->size = 0;
    } else if (HPTR(d, s, mem_stream(d->pdf->mmgr, -1, 0))) {
        HPDF_Stream_Free(obj->stream);
        obj->stream = s;
    }
    if (!d->failed)
        HOK(d, HPDF_Stream_Write(s, z, (HPDF_UINT)zlen));
}

/* Stream obj's data: raw deflated here (put_zstream), by d->zc. */
static void put_deflated(rdoc *d, HPDF_Dict obj, const unsigned char *raw, size_t n)
{
    if (!d->zc && !(d->zc = libdeflate_alloc_compressor(DEFLATE_LEVEL))) {
        diag_add(d->diags, DIAG_ERROR, NULL, 0, 0, "PDF: no memory for the compressor");
        d->failed = 1;
        return;
    }
    size_t cap = libdeflate_zlib_compress_bound(d->zc, n);
    unsigned char *z = xmalloc(cap);
    size_t zlen = libdeflate_zlib_compress(d->zc, raw, n, z, cap);
    if (zlen == 0) { /* cannot happen with the bound's room */
        free(z);
        diag_add(d->diags, DIAG_ERROR, NULL, 0, 0, "PDF: cannot compress a stream");
        d->failed = 1;
        return;
    }
    put_zstream(d, obj, z, zlen);
    free(z);
}

/* Every page's content stream, deflated by put_deflated(). */
static void deflate_pages(rdoc *d)
{
    strbuf raw;
    sb_init(&raw);
    for (size_t i = 0; i < d->npages && !d->failed; i++) {
        HPDF_Dict c = ((HPDF_PageAttr)d->pages[i]->attr)->contents;
        if (!c || !c->stream || c->write_fn)
            continue;
        if (c->stream->write_fn == mem_write) { /* rdoc_new_page's: deflated where it is */
            mem_attr *a = c->stream->attr;
            put_deflated(d, c, a->p ? a->p : (const unsigned char *)"", a->n);
            continue;
        }
        raw.len = 0;
        HPDF_UINT nb = HPDF_MemStream_GetBufCount(c->stream);
        for (HPDF_UINT b = 0; b < nb; b++) {
            HPDF_UINT len = 0;
            HPDF_BYTE *p = HPDF_MemStream_GetBufPtr(c->stream, b, &len);
            if (p && len)
                sb_addn(&raw, (const char *)p, len);
        }
        HPDF_MemStream_FreeData(c->stream);
        put_deflated(d, c, (const unsigned char *)(raw.s ? raw.s : ""), raw.len);
    }
    sb_free(&raw);
}

/* ---------- embedding: a real subset of each face ---------- */

/*
 * libharu 2.3.0 embeds a face by copying every table at full size and only
 * emptying the outlines of unused glyphs: about 1 MB per face and document
 * (glyph names, metrics and offsets of ~30000 glyphs), all deflated on
 * every save. It also reads a composite glyph's component ids as signed
 * numbers, so components numbered 32768 or more (wqy-microhei builds
 * thousands of characters from such parts) were left out. Here the face is
 * subset for real: glyph 0, the glyphs of the characters drawn and their
 * components (recursively), renumbered from 1 in the order of their old
 * numbers; the CIDToGIDMap maps each code drawn to its new number. The
 * subset is FontFile2 of a FontDescriptor made here, which libharu then
 * uses instead of making its own.
 */

typedef struct bytes {
    unsigned char *b;
    size_t n, cap;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 256;
        o->b = xrealloc(o->b, o->cap);
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put16(bytes *o, unsigned v)
{
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    put(o, b, 2);
}

static void put32(bytes *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(o, b, 4);
}

static void set16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void set32(unsigned char *p, uint32_t v)
{
    set16(p, v >> 16);
    set16(p + 2, v & 0xFFFF);
}

/* Sum of the big-endian 32-bit words, the last one padded with zeros
 * (whole words read in place: a memcpy per word was 1.2 % of a run). */
static uint32_t tt_checksum(const unsigned char *p, size_t n)
{
    uint32_t sum = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) { /* a word at a time: 4 MB of glyphs a region */
        uint32_t w;
        memcpy(&w, p + i, 4);
        sum += ntohl(w);
    }
    uint32_t last = 0;
    for (int b = 0; i < n; i++, b++)
        last |= (uint32_t)p[i] << (24 - 8 * b);
    return sum + last;
}

/* The font file, mapped: the subset copies some of its tables (its glyphs
 * come from glyphs.h). */
typedef struct font_map {
    const unsigned char *b;
    size_t n;
} font_map;

static const HPDF_TTFTable *tt_table(HPDF_TTFontDefAttr ta, const char *tag)
{
    for (unsigned i = 0; i < ta->offset_tbl.num_tables; i++)
        if (memcmp(ta->offset_tbl.table[i].tag, tag, 4) == 0)
            return &ta->offset_tbl.table[i];
    return NULL;
}

/* A table of the face as it is in the file (NULL if it has none or it
 * lies past the file's end): the tables copied unchanged into a subset
 * (cvt, fpgm, prep: up to a few hundred KB) are not copied first. */
static const unsigned char *tt_view_table(const font_map *f, HPDF_TTFontDefAttr ta, const char *tag,
                                          size_t *n)
{
    const HPDF_TTFTable *t = tt_table(ta, tag);
    if (!t || t->length == 0 || t->length > (64u << 20) || t->offset > f->n ||
        t->length > f->n - t->offset)
        return NULL;
    *n = t->length;
    return f->b + t->offset;
}

/* A table of the face read whole, to change (NULL as tt_view_table()). */
static unsigned char *tt_read_table(const font_map *f, HPDF_TTFontDefAttr ta, const char *tag, size_t *n)
{
    const unsigned char *v = tt_view_table(f, ta, tag, n);
    if (!v)
        return NULL;
    unsigned char *b = xmalloc(*n);
    memcpy(b, v, *n);
    return b;
}

/*
 * Call fn for each component id of composite glyph data (b, n); fn may
 * rewrite it in place. Returns -1 on malformed data.
 */
static int tt_components(unsigned char *b, size_t n, void (*fn)(unsigned char *id, void *ctx),
                         void *ctx)
{
    if (n < 10 || !(be16(b) & 0x8000))
        return 0; /* simple glyph */
    size_t p = 10;
    unsigned flags;
    do {
        if (p + 4 > n)
            return -1;
        flags = be16(b + p);
        fn(b + p + 2, ctx);
        p += 4 + ((flags & 0x0001) ? 4 : 2);
        p += (flags & 0x0008) ? 2 : (flags & 0x0040) ? 4 : (flags & 0x0080) ? 8 : 0;
    } while (flags & 0x0020);
    return 0;
}

/* A glyph kept in a subset, with its outline (read once). */
typedef struct kept_glyph {
    unsigned gid;
    unsigned char *data;
    size_t len;
} kept_glyph;

/*
 * The glyphs of a subset: a few thousand of a face's tens of thousands, so
 * they are listed (sorted by number once all are found: a glyph's new
 * number is its place in the list), not held in arrays per glyph of the
 * face, which were allocated, cleared and walked whole for every subset.
 */
typedef struct subset {
    unsigned nglyphs;    /* of the face */
    unsigned char *keep; /* per glyph of the face: 1 once listed */
    kept_glyph *g;
    size_t n, cap;
} subset;

static void keep_glyph(subset *s, unsigned g)
{
    if (g < s->nglyphs && !s->keep[g]) {
        s->keep[g] = 1;
        kept_glyph *k = ARRAY_PUSH(s->g, s->n, s->cap);
        k->gid = g;
        k->data = NULL;
        k->len = 0;
    }
}

static void keep_component(unsigned char *id, void *ctx) { keep_glyph(ctx, be16(id)); }

/* s->g by number: two passes of a byte each (numbers are 16 bits), not
 * qsort's calls of a comparison (~200,000 instructions a subset). */
static void sort_by_gid(subset *s)
{
    kept_glyph *tmp = xmalloc((s->n ? s->n : 1) * sizeof *tmp), *from = s->g, *to = tmp;
    for (int shift = 0; shift < 16; shift += 8) {
        size_t at[257] = {0};
        for (size_t i = 0; i < s->n; i++)
            at[(from[i].gid >> shift & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++)
            at[b + 1] += at[b];
        for (size_t i = 0; i < s->n; i++)
            to[at[from[i].gid >> shift & 0xFF]++] = from[i];
        kept_glyph *t = from;
        from = to;
        to = t;
    }
    free(tmp); /* after two passes the sorted list is back in s->g */
}

/* 1 if the 64 codes from cp (a multiple of 64) are none of them drawn. */
static int none_of_64(const unsigned char *used, int cp)
{
    uint64_t w;
    memcpy(&w, used + (cp >> 3), sizeof w);
    return w == 0;
}

/* The new number of glyph g (s->g sorted), 0 if it is not kept. */
static unsigned new_id(const subset *s, unsigned g)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->g[mid].gid < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->g[lo].gid == g ? (unsigned)lo : 0;
}

static void renumber_component(unsigned char *id, void *ctx) { set16(id, new_id(ctx, be16(id))); }

/* The subset font file of face k: the glyphs in s->g (sorted). 0 or -1. */
static int tt_build(rdoc *d, const font_map *f, HPDF_TTFontDefAttr ta, subset *s, bytes *out)
{
    size_t nhead = 0, nhhea = 0, nmaxp = 0, npost = 0;
    unsigned char *head = tt_read_table(f, ta, "head", &nhead);
    unsigned char *hhea = tt_read_table(f, ta, "hhea", &nhhea);
    unsigned char *maxp = tt_read_table(f, ta, "maxp", &nmaxp);
    /* only its first 32 bytes are kept: viewed, not copied (the glyph names
     * make it 270-540 KB, a fresh block of memory for every subset) */
    const unsigned char *post = tt_view_table(f, ta, "post", &npost);
    int rc = -1;
    if (!head || nhead < 54 || !hhea || nhhea < 36 || !maxp || nmaxp < 6)
        goto done;
    /* new numbers, in the order of the old ones (s->g is sorted) */
    unsigned n = (unsigned)s->n;
    /* the three tables' sizes are known: written in place, not through
     * put() five times a glyph (~11,000 calls for a region's two PDFs) */
    size_t nglyf = 0;
    for (size_t i = 0; i < s->n; i++)
        nglyf += (s->g[i].len + 3) & ~(size_t)3; /* each padded to 4 bytes */
    bytes glyf = {xmalloc(nglyf + 1), 0, nglyf + 1}, loca = {xmalloc(4 * (size_t)n + 4), 0, 4 * (size_t)n + 4},
          hmtx = {xmalloc(4 * (size_t)n + 1), 0, 4 * (size_t)n + 1};
    int err = 0;
    for (size_t i = 0; i < s->n && !err; i++) {
        unsigned g = s->g[i].gid;
        set32(loca.b + loca.n, (uint32_t)glyf.n);
        loca.n += 4;
        unsigned char *gb = s->g[i].data;
        size_t len = s->g[i].len, padded = (len + 3) & ~(size_t)3;
        if (gb && tt_components(gb, len, renumber_component, s) != 0)
            err = 1;
        if (gb)
            memcpy(glyf.b + glyf.n, gb, len);
        memset(glyf.b + glyf.n + len, 0, padded - len);
        glyf.n += padded;
        set16(hmtx.b + hmtx.n, ta->h_metric[g].advance_width);
        set16(hmtx.b + hmtx.n + 2, (unsigned)(uint16_t)ta->h_metric[g].lsb);
        hmtx.n += 4;
    }
    set32(loca.b + loca.n, (uint32_t)glyf.n);
    loca.n += 4;
    if (!err) {
        set32(head + 8, 0);  /* checkSumAdjustment, set below */
        set16(head + 50, 1); /* long offsets in loca */
        set16(hhea + 34, n); /* numberOfHMetrics */
        set16(maxp + 4, n);  /* numGlyphs */
        unsigned char post3[32];
        memset(post3, 0, sizeof post3);
        if (post && npost >= 32)
            memcpy(post3, post, 32); /* italic angle, underline, fixed pitch */
        set32(post3, 0x00030000);    /* no glyph names */
        struct {
            const char *tag;
            const unsigned char *b;
            size_t n;
        } t[10]; /* cvt fpgm glyf head hhea hmtx loca maxp post prep */
        int nt = 0;
        size_t ncvt = 0, nfpgm = 0, nprep = 0;
        const unsigned char *cvt = tt_view_table(f, ta, "cvt ", &ncvt);
        const unsigned char *fpgm = tt_view_table(f, ta, "fpgm", &nfpgm);
        const unsigned char *prep = tt_view_table(f, ta, "prep", &nprep);
        /* in tag order, as the directory must be */
        if (cvt) t[nt].tag = "cvt ", t[nt].b = cvt, t[nt++].n = ncvt;
        if (fpgm) t[nt].tag = "fpgm", t[nt].b = fpgm, t[nt++].n = nfpgm;
        t[nt].tag = "glyf", t[nt].b = glyf.b, t[nt++].n = glyf.n;
        t[nt].tag = "head", t[nt].b = head, t[nt++].n = 54;
        t[nt].tag = "hhea", t[nt].b = hhea, t[nt++].n = 36;
        t[nt].tag = "hmtx", t[nt].b = hmtx.b, t[nt++].n = hmtx.n;
        t[nt].tag = "loca", t[nt].b = loca.b, t[nt++].n = loca.n;
        t[nt].tag = "maxp", t[nt].b = maxp, t[nt++].n = nmaxp;
        t[nt].tag = "post", t[nt].b = post3, t[nt++].n = 32;
        if (prep) {
            /* "prep" sorts last */
            t[nt].tag = "prep", t[nt].b = prep, t[nt++].n = nprep;
        }
        unsigned sr = 1, es = 0;
        while (sr * 2 <= (unsigned)nt)
            sr *= 2, es++;
        put32(out, 0x00010000);
        put16(out, (unsigned)nt);
        put16(out, sr * 16);
        put16(out, es);
        put16(out, (unsigned)nt * 16 - sr * 16);
        uint32_t off = 12 + 16 * (uint32_t)nt, sum = 0;
        for (int i = 0; i < nt; i++) {
            uint32_t cs = tt_checksum(t[i].b, t[i].n);
            sum += cs;
            put(out, t[i].tag, 4);
            put32(out, cs);
            put32(out, off);
            put32(out, (uint32_t)t[i].n);
            off += (uint32_t)((t[i].n + 3) & ~(size_t)3);
        }
        size_t head_at = 0;
        for (int i = 0; i < nt; i++) {
            if (strcmp(t[i].tag, "head") == 0)
                head_at = out->n;
            put(out, t[i].b, t[i].n);
            static const unsigned char pad[3] = {0, 0, 0};
            put(out, pad, (4 - t[i].n % 4) % 4);
        }
        /* The file's checksum: its words are those of the header and the
         * directory, then of each table padded with zeros to a word, as
         * their checksums count them; summed, not read through again. */
        sum += tt_checksum(out->b, 12 + 16 * (size_t)nt);
        set32(out->b + head_at + 8, 0xB1B0AFBAu - sum);
        rc = 0;
    }
    free(glyf.b);
    free(loca.b);
    free(hmtx.b);
done:
    free(head);
    free(hhea);
    free(maxp);
    if (rc != 0)
        diag_add(d->diags, DIAG_ERROR, NULL, 0, 0, "PDF: cannot read the tables of the font");
    return rc;
}

/*
 * Embed the subset of face k (see above) and write its CIDToGIDMap and
 * widths (W) for the codes drawn only, in place of the whole-plane ones
 * get_font_fast() left.
 */
/*
 * The W (widths) entry of a descendant font, as libharu writes an array of
 * numbers and of arrays of numbers ("/W [ 8212 [ 1000 ] 8220 [ 1000 1000 ]
 * ]"), made as text here: as libharu objects it was a number object per
 * code drawn and an array per run of codes, each allocated, written
 * through four calls and freed (2.5 % of the documents' work). The entry
 * stays where it is among the font's entries: from W on, they are hidden
 * from libharu's writing of the font (w_hide, called before it writes
 * them) and written by w_write (called after it wrote the others), W as
 * this text and the rest by libharu's functions as before. The font's
 * attr is this text (libharu uses no attr of a descendant font).
 */
static void w_num(strbuf *b, long v)
{
    char t[24], *p = t;
    if (v < 0)
        *p++ = '-';
    p += format_uint(p, v < 0 ? 0UL - (unsigned long)v : (unsigned long)v);
    *p++ = ' ';
    sb_addn(b, t, (size_t)(p - t));
}

/* The index of key W in font's entries, or -1. */
static int w_index(HPDF_Dict font)
{
    for (HPDF_UINT i = 0; i < font->list->count; i++) {
        HPDF_DictElement e = HPDF_List_ItemAt(font->list, i);
        if (e && strcmp(e->key, "W") == 0)
            return (int)i;
    }
    return -1;
}

static HPDF_STATUS w_hide(HPDF_Dict font)
{
    int i = w_index(font);
    for (HPDF_UINT j = i < 0 ? font->list->count : (HPDF_UINT)i; j < font->list->count; j++) {
        HPDF_DictElement e = HPDF_List_ItemAt(font->list, j);
        if (e && e->value)
            ((HPDF_Obj_Header *)e->value)->obj_id |= HPDF_OTYPE_HIDDEN;
    }
    return HPDF_OK;
}

/* After libharu wrote font's entries before W: W, then those after it,
 * each as HPDF_Dict_Write() writes an entry. */
static HPDF_STATUS w_write(HPDF_Dict font, HPDF_Stream stream)
{
    const strbuf *w = font->attr;
    int i = w_index(font);
    if (i < 0 || !w->s)
        return HPDF_SetError(font->error, HPDF_INVALID_OBJECT, 0);
    HPDF_STATUS ret = HPDF_Stream_Write(stream, (const HPDF_BYTE *)w->s, (HPDF_UINT)w->len);
    for (HPDF_UINT j = (HPDF_UINT)i + 1; j < font->list->count && ret == HPDF_OK; j++) {
        HPDF_DictElement e = HPDF_List_ItemAt(font->list, j);
        if (!e || !e->value)
            return HPDF_SetError(font->error, HPDF_INVALID_OBJECT, 0);
        ((HPDF_Obj_Header *)e->value)->obj_id &= ~(HPDF_UINT32)HPDF_OTYPE_HIDDEN;
        if ((ret = HPDF_Stream_WriteEscapeName(stream, e->key)) == HPDF_OK &&
            (ret = HPDF_Stream_WriteChar(stream, ' ')) == HPDF_OK &&
            (ret = HPDF_Obj_Write(e->value, stream, NULL)) == HPDF_OK)
            ret = HPDF_Stream_Write(stream, (const HPDF_BYTE *)"\012", 1);
    }
    return ret;
}

static void embed_subset(rdoc *d, int k)
{
    if (!d->font[k] || d->failed)
        return;
    HPDF_FontAttr fa = (HPDF_FontAttr)d->font[k]->attr;
    if (!fa || !fa->fontdef || fa->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE ||
        !fa->descendant_font || !fa->map_stream || fa->fontdef->descriptor)
        return;
    HPDF_FontDef def = fa->fontdef;
    HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)def->attr;
    if (!ta || !ta->glyph_tbl.offsets || !ta->h_metric || ta->num_glyphs == 0 ||
        !d->fonts->glyphs[k])
        return;
    font_map fm = {d->fonts->map[k], d->fonts->mapn[k]}, *f = &fm;
    unsigned ng = ta->num_glyphs;
    subset s = {ng, xcalloc(ng, 1), NULL, 0, 0};
    /* the glyphs drawn, then their components */
    int max = 0;
    keep_glyph(&s, 0);
    /* Each code's glyph looked up once (libharu searches the cmap linearly,
     * thousands of segments before the ideographs), kept for the map below.
     * The codes drawn are a few thousand bits of 65536: 64 at a time where
     * none is, else a byte at a time. */
    const unsigned char *used = d->used[k];
    uint16_t *gid_of = xmalloc(65536 * sizeof *gid_of);
    for (int i = 0; i < 65536 / 8; i++) {
        if (i % 8 == 0 && none_of_64(used, 8 * i)) {
            i += 7;
            continue;
        }
        for (int b = 0; used[i] >> b; b++) {
            if (!(used[i] >> b & 1))
                continue;
            int cp = i * 8 + b;
            unsigned g = gid_of[cp] = (uint16_t)rfonts_glyph(d->fonts, (rfont)k, (uint32_t)cp);
            max = cp;
            keep_glyph(&s, g);
        }
    }
    /* the glyphs drawn, those not read yet in a few preads; then their
     * components, which add to the list as they are found, a round of
     * reads for each level of nesting (a CJK heading face builds its
     * ideographs of shared parts scattered through the table: read one by
     * one they were ~390 preads of ~100 bytes in a one-region run) */
    glyph_store *gs = d->fonts->glyphs[k];
    int err = 0;
    for (size_t done = 0; done < s.n && !err;) {
        size_t upto = s.n;
        unsigned *gids = xmalloc((upto - done) * sizeof *gids);
        for (size_t i = done; i < upto; i++)
            gids[i - done] = s.g[i].gid;
        err = glyphs_fetch(gs, gids, upto - done) != 0;
        free(gids);
        for (size_t i = done; i < upto && !err; i++) {
            const unsigned char *src;
            size_t len;
            if (glyphs_get(gs, s.g[i].gid, &src, &len) != 0) {
                err = 1;
                break;
            }
            unsigned char *gb = len ? xmalloc(len) : NULL; /* components are renumbered in it */
            if (gb)
                memcpy(gb, src, len);
            s.g[i].data = gb;
            s.g[i].len = len;
            if (gb && tt_components(gb, len, keep_component, &s) != 0)
                err = 1;
        }
        done = upto;
    }
    sort_by_gid(&s);
    bytes font = {0};
    if (err || tt_build(d, f, ta, &s, &font) != 0) {
        if (err)
            diag_add(d->diags, DIAG_ERROR, d->fonts->file[k], 0, 0, "PDF: a glyph cannot be read");
        d->failed = 1;
    }
    for (size_t i = 0; i < s.n; i++)
        free(s.g[i].data);

    /* CIDToGIDMap and W for the codes drawn */
    unsigned char *map = xcalloc((size_t)(max + 1), 2);
    HPDF_INT16 dw = def->missing_width;
    /* W, as text (see w_write): "cp [ w w ... ]" a run of codes whose
     * widths are not the default */
    strbuf *wt = &d->wtext[k];
    wt->len = 0;
    sb_addn(wt, "/W [ ", 5);
    int in_run = 0;
    for (int cp = 0; cp <= max && !d->failed; cp++) {
        if (!(used[cp >> 3] >> (cp & 7) & 1)) {
            if (in_run)
                sb_addn(wt, "] ", 2);
            in_run = 0;
            if (cp % 64 == 0 && none_of_64(used, cp))
                cp += 63; /* 64 codes not drawn */
            else if (!used[cp >> 3])
                cp |= 7; /* the rest of an empty byte */
            continue;
        }
        HPDF_UINT16 gid = gid_of[cp];
        set16(map + 2 * cp, new_id(&s, gid));
        HPDF_INT16 gw = HPDF_TTFontDef_GetGidWidth(def, gid);
        if (gw == dw) {
            if (in_run)
                sb_addn(wt, "] ", 2);
            in_run = 0;
            continue;
        }
        if (!in_run) {
            w_num(wt, cp);
            sb_addn(wt, "[ ", 2);
            in_run = 1;
        }
        w_num(wt, gw);
    }
    if (in_run)
        sb_addn(wt, "] ", 2);
    sb_addn(wt, "]\012", 2);
    HPDF_Dict cid = fa->descendant_font;
    HPDF_Array w0;
    if (cid->attr || cid->before_write_fn || cid->write_fn || cid->free_fn) { /* not 2.3.0's */
        diag_add(d->diags, DIAG_ERROR, NULL, 0, 0, "PDF: the font's widths have no place");
        d->failed = 1;
    }
    /* a W entry where libharu made one (else at the end, as Dict_Add put it) */
    if (!d->failed && (w_index(cid) >= 0 || (HPTR(d, w0, HPDF_Array_New(d->pdf->mmgr)) &&
                                            HOK(d, HPDF_Dict_Add(cid, "W", w0))))) {
        cid->attr = wt;
        cid->before_write_fn = w_hide;
        cid->write_fn = w_write;
        HPDF_MemStream_FreeData(fa->map_stream->stream);
        fa->map_stream->filter = HPDF_STREAM_FILTER_NONE; /* CIDFontType2_BeforeWrite_Func */
        d->font[k]->filter = HPDF_STREAM_FILTER_NONE;     /* copies it from the font */
        /* mostly zeros: deflated by pngenc's encoder for such data, not zlib */
        png_enc *pe = png_enc_new();
        size_t zlen;
        const unsigned char *z = png_enc_sparse(pe, map, (size_t)(max + 1) * 2, &zlen);
        put_zstream(d, fa->map_stream, z, zlen);
        png_enc_free(pe);
    }
    free(map);
    free(gid_of);

    /* the descriptor, as libharu would make it, with the subset */
    HPDF_Dict desc, data;
    if (!d->failed && HPTR(d, desc, HPDF_Dict_New(d->pdf->mmgr)) &&
        HOK(d, HPDF_Xref_Add(d->pdf->xref, desc)) &&
        HPTR(d, data, HPDF_DictStream_New(d->pdf->mmgr, d->pdf->xref))) {
        put_deflated(d, data, font.b, font.n);
        HOK(d, HPDF_Dict_AddNumber(data, "Length1", (HPDF_INT32)font.n));
        HOK(d, HPDF_Dict_AddName(desc, "Type", "FontDescriptor"));
        HOK(d, HPDF_Dict_AddNumber(desc, "Ascent", def->ascent));
        HOK(d, HPDF_Dict_AddNumber(desc, "Descent", def->descent));
        HOK(d, HPDF_Dict_AddNumber(desc, "Flags", (HPDF_INT32)def->flags));
        HOK(d, HPDF_Dict_Add(desc, "FontBBox", HPDF_Box_Array_New(d->pdf->mmgr, def->font_bbox)));
        HOK(d, HPDF_Dict_AddName(desc, "FontName", ta->base_font));
        HOK(d, HPDF_Dict_AddNumber(desc, "ItalicAngle", def->italic_angle));
        HOK(d, HPDF_Dict_AddNumber(desc, "StemV", def->stemv));
        HOK(d, HPDF_Dict_AddNumber(desc, "XHeight", def->x_height));
        HOK(d, HPDF_Dict_Add(desc, "FontFile2", data));
        if (!d->failed)
            def->descriptor = desc;
    }
    free(font.b);
    free(s.keep);
    free(s.g);
}

/*
 * The document is written through a stream of our own, a 64 KB buffer
 * flushed by write(): libharu's file writer fwrites each piece it writes
 * (names, numbers, brackets: 50 million instructions for 20 regions), and
 * stdio passes them on 4 KB at a time (130 write calls a region). Not the
 * whole document in memory first: the comparison's runs to thousands of
 * pages.
 */
#define OUT_BUF 65536

typedef struct file_out {
    int fd;
    size_t n; /* bytes waiting in buf */
    unsigned char buf[OUT_BUF];
} file_out;

/* Write n bytes at p to o's file; 0, or -1 with errno set. */
static int out_put(file_out *o, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(o->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static HPDF_STATUS out_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT siz)
{
    file_out *o = s->attr;
    if (o->n + siz > OUT_BUF) {
        if (out_put(o, o->buf, o->n) != 0)
            return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno);
        o->n = 0;
    }
    if (siz >= OUT_BUF) {
        if (out_put(o, ptr, siz) != 0)
            return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno);
    } else {
        memcpy(o->buf + o->n, ptr, siz);
        o->n += siz;
    }
    return HPDF_OK;
}

static void out_free(HPDF_Stream s)
{
    file_out *o = s->attr;
    if (o && o->fd >= 0)
        close(o->fd);
    free(o);
    s->attr = NULL;
}

/* The document saved to path (created, or emptied, as fopen "wb" does). */
static int save_file(rdoc *d, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        diag_add(d->diags, DIAG_ERROR, path, 0, 0, "PDF: cannot write: %s", strerror(errno));
        d->failed = 1;
        return -1;
    }
    HPDF_MMgr mm = d->pdf->mmgr;
    HPDF_Stream s = HPDF_GetMem(mm, sizeof *s);
    if (!s) {
        close(fd);
        fail(d, "HPDF_GetMem");
        return -1;
    }
    file_out *o = xmalloc(sizeof *o);
    o->fd = fd;
    o->n = 0;
    memset(s, 0, sizeof *s);
    s->sig_bytes = HPDF_STREAM_SIG_BYTES;
    /* not libharu's memory stream: HPDF_SaveToStream() must not empty it
     * as one (HPDF_MemStream_FreeData) */
    s->type = HPDF_STREAM_CALLBACK;
    s->error = mm->error;
    s->mmgr = mm;
    s->write_fn = out_write;
    s->free_fn = out_free;
    s->attr = o;
    HPDF_Stream_Free(d->pdf->stream); /* none: the document was never saved */
    d->pdf->stream = s;
    int ok = HOK(d, HPDF_SaveToStream(d->pdf));
    int err = 0;
    if (ok && out_put(o, o->buf, o->n) != 0) {
        ok = 0;
        err = errno;
    }
    o->fd = -1;
    if (close(fd) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    d->pdf->stream = NULL;
    HPDF_Stream_Free(s);
    if (!ok && err) {
        diag_add(d->diags, DIAG_ERROR, path, 0, 0, "PDF: cannot write: %s", strerror(err));
        d->failed = 1;
    }
    return ok ? 0 : -1;
}

int rdoc_save(rdoc *d, const char *path)
{
    for (int k = 0; k < 2 && !d->failed; k++)
        embed_subset(d, k);
    deflate_pages(d);
    for (size_t i = 0; i < d->nmissing; i++) {
        char buf[8];
        buf[tl_encode(d->missing[i], buf)] = '\0';
        diag_add(d->diags, DIAG_WARNING, path, 0, 0,
                 "PDF: character U+%04X '%s' is in neither font; shown as a box", d->missing[i],
                 buf);
    }
    d->nmissing = 0;
    for (size_t i = 0; i < d->nfallback; i++) {
        uint32_t cp = d->fallback[i] & 0xFFFFFF;
        int asked = (int)(d->fallback[i] >> 24);
        char buf[8];
        buf[tl_encode(cp, buf)] = '\0';
        diag_add(d->diags, DIAG_WARNING, path, 0, 0,
                 "PDF: character U+%04X '%s' is not in the %s font (%s); set in the %s font",
                 cp, buf, asked == RF_BODY ? "body" : "heading", d->fonts->file[asked],
                 asked == RF_BODY ? "heading" : "body");
    }
    d->nfallback = 0;
    if (d->failed)
        return -1;
    return save_file(d, path);
}

double rdoc_page_width(const rdoc *d) { (void)d; return PAGE_W; }
double rdoc_page_height(const rdoc *d) { (void)d; return PAGE_H; }
double rdoc_left(const rdoc *d) { (void)d; return MARGIN_L; }
double rdoc_right(const rdoc *d) { (void)d; return PAGE_W - MARGIN_R; }
double rdoc_content_width(const rdoc *d) { (void)d; return PAGE_W - MARGIN_L - MARGIN_R; }
int rdoc_page(const rdoc *d) { return d->page; }
int rdoc_dry(const rdoc *d) { return d->dry; }
double rdoc_y(const rdoc *d) { return d->y; }
double rdoc_remaining(const rdoc *d) { return PAGE_H - MARGIN_B - d->y; }

void rdoc_new_page(rdoc *d)
{
    d->page++;
    d->y = MARGIN_T;
    if (d->dry || d->failed)
        return;
    HPDF_Page p;
    if (!HPTR(d, p, HPDF_AddPage(d->pdf)))
        return;
    HOK(d, HPDF_Page_SetSize(p, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT));
    /* libharu's A4 is 595 x 842 rounded; set the exact size. */
    HOK(d, HPDF_Page_SetWidth(p, (HPDF_REAL)PAGE_W));
    HOK(d, HPDF_Page_SetHeight(p, (HPDF_REAL)PAGE_H));
    /* Its contents into a stream of our own (mem_stream), while still empty. */
    HPDF_PageAttr pa = p->attr;
    HPDF_Stream s;
    if (!d->failed && pa->contents && pa->stream == pa->contents->stream &&
        HPDF_Stream_Size(pa->stream) == 0 && HPTR(d, s, mem_stream(d->pdf->mmgr, -1, 0))) {
        HPDF_Stream_Free(pa->stream);
        pa->contents->stream = pa->stream = s;
    }
    d->cur = p;
    *ARRAY_PUSH(d->pages, d->npages, d->cappages) = p;
    if (d->decorate)
        d->decorate(d->decorate_ctx, d, d->page, d->pages_prev > d->page ? d->pages_prev : d->page);
}

void rdoc_start(rdoc *d)
{
    if (d->page == 0)
        rdoc_new_page(d);
}

void rdoc_ensure(rdoc *d, double h)
{
    rdoc_start(d);
    if (rdoc_remaining(d) < h && d->y > MARGIN_T + 0.5)
        rdoc_new_page(d);
}

void rdoc_space(rdoc *d, double h)
{
    rdoc_start(d);
    d->y += h;
    if (d->y > PAGE_H - MARGIN_B)
        rdoc_new_page(d);
}

/* ---------- glyphs and widths ---------- */

static void note_missing(rdoc *d, uint32_t cp)
{
    for (size_t i = 0; i < d->nmissing; i++)
        if (d->missing[i] == cp)
            return;
    *ARRAY_PUSH(d->missing, d->nmissing, d->capmissing) = cp;
}

/* A character set in the other face than the one asked for (reported once). */
static void note_fallback(rdoc *d, uint32_t cp, int pref)
{
    uint32_t key = cp | (uint32_t)pref << 24;
    for (size_t i = 0; i < d->nfallback; i++)
        if (d->fallback[i] == key)
            return;
    *ARRAY_PUSH(d->fallback, d->nfallback, d->capfallback) = key;
}

/* pick_font() of a character pref does not have as it is. */
static int pick_font_other(rdoc *d, int pref, uint32_t cp, uint32_t *out_cp)
{
    if (cp == '\t' || cp == 0xA0)
        cp = ' ';
    *out_cp = cp;
    if (covered(d->fonts, pref, cp))
        return pref;
    if (covered(d->fonts, 1 - pref, cp)) {
        note_fallback(d, cp, pref);
        return 1 - pref;
    }
    note_missing(d, cp);
    *out_cp = REPLACEMENT;
    return covered(d->fonts, pref, REPLACEMENT) ? pref : 1 - pref;
}

/* The face that draws cp when pref is wanted; *out_cp is what is drawn.
 * In line when pref has cp (nearly always): called for every character
 * measured or drawn. */
static inline int pick_font(rdoc *d, int pref, uint32_t cp, uint32_t *out_cp)
{
    if (cp != '\t' && cp != 0xA0 && covered(d->fonts, pref, cp)) {
        *out_cp = cp;
        return pref;
    }
    return pick_font_other(d, pref, cp, out_cp);
}

/* A width not yet in the memo (see units()). */
static double units_first(rdoc *d, int k, uint32_t cp)
{
    int16_t *known = &d->fonts->memo[k]->width[cp];
    HPDF_INT w = char_width(d->fonts, k, d->font[k], cp);
    *known = (int16_t)(w > 0 && w < 30000 ? w : 0);
    return *known;
}

/* The width of cp in face k, in thousandths of the size (memo: in line). */
static inline double units(rdoc *d, int k, uint32_t cp)
{
    if (cp >= 0x10000 || !d->font[k])
        return 1000;
    int16_t known = d->fonts->memo[k]->width[cp];
    return known >= 0 ? known : units_first(d, k, cp);
}

typedef struct wctx {
    rdoc *d;
    int font;
    double size;
} wctx;

static double cp_width(void *ctx, uint32_t cp)
{
    wctx *w = ctx;
    uint32_t drawn;
    int k = pick_font(w->d, w->font, cp, &drawn);
    return units(w->d, k, drawn) * w->size / 1000.0;
}

double rdoc_text_width(rdoc *d, const char *text, rfont font, double size)
{
    wctx w = {d, font, size};
    return tl_width(text, 0, strlen(text), cp_width, &w);
}

/* ---------- page operators ---------- */

/*
 * The commonest operators (rg, RG, re and its painting, Tf) are written
 * here, in the very text libharu writes: its HPDF_Page_SetRGBFill(),
 * SetRGBStroke(), Rectangle() and SetFontAndSize() first clear a 512-byte
 * buffer one byte at a time, ~2,000 instructions a call (2.5 % of a run,
 * a quarter of a million calls for 20 regions). Numbers go through
 * libharu's own HPDF_FToA(), the graphics state is updated as libharu
 * does, and anything it would refuse (a colour outside 0..1, a font size
 * outside 0..600) is left to libharu, which reports it as before.
 */

/*
 * HPDF_FToA()'s text of the numbers recently written, by their bits: the
 * same few colours, column edges, widths and sizes come back all through
 * a document (about 200 instructions a number to format; 600,000 numbers
 * for 20 regions), and an answer is libharu's own, so the bytes are too.
 */
#define FTOA_SLOTS 1024
typedef struct ftoa_memo {
    uint32_t bits[FTOA_SLOTS];
    unsigned char len[FTOA_SLOTS]; /* 0: empty */
    char text[FTOA_SLOTS][HPDF_REAL_LEN + 5];
} ftoa_memo;

/* Write v as HPDF_FToA() does at p (room for HPDF_REAL_LEN + 4 bytes). */
static char *put_num(rdoc *d, char *p, HPDF_REAL v)
{
    if (!d->ftoa)
        d->ftoa = xcalloc(1, sizeof *d->ftoa);
    ftoa_memo *m = d->ftoa;
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    unsigned i = (bits * 0x9E3779B1u) >> 22; /* 10 bits */
    if (!m->len[i] || m->bits[i] != bits) {
        char *e = HPDF_FToA(m->text[i], v, m->text[i] + HPDF_REAL_LEN + 3);
        m->len[i] = (unsigned char)(e - m->text[i]);
        m->bits[i] = bits;
    }
    memcpy(p, m->text[i], m->len[i]);
    return p + m->len[i];
}

static void put_nums(rdoc *d, const HPDF_REAL *v, int n, const char *op)
{
    char buf[8 * (HPDF_REAL_LEN + 5) + 8], *p = buf;
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ' ';
        p = put_num(d, p, v[i]);
    }
    size_t nop = strlen(op);
    memcpy(p, op, nop);
    /* lengths known: libharu's WriteStr would count them byte by byte */
    HOK_WRITE(d, ((HPDF_PageAttr)d->cur->attr)->stream, buf, p + nop - buf);
}

static int unit_rgb(HPDF_REAL r, HPDF_REAL g, HPDF_REAL b)
{
    return r >= 0 && r <= 1 && g >= 0 && g <= 1 && b >= 0 && b <= 1;
}

/* rg (fill) or RG (stroke) on the current page. */
static void set_rgb(rdoc *d, rcolor c, int stroke)
{
    HPDF_RGBColor v = {(HPDF_REAL)c.r, (HPDF_REAL)c.g, (HPDF_REAL)c.b};
    if (!unit_rgb(v.r, v.g, v.b)) {
        HOK(d, stroke ? HPDF_Page_SetRGBStroke(d->cur, v.r, v.g, v.b)
                      : HPDF_Page_SetRGBFill(d->cur, v.r, v.g, v.b));
        return;
    }
    /* A table's or a text's colour comes again and again (32,000 calls
     * in the 5-region run): its operator is kept, not made of three
     * numbers each time. */
    struct rgb_text *m = &d->rgb_last[stroke != 0];
    uint32_t bits[3];
    memcpy(&bits[0], &v.r, sizeof bits[0]);
    memcpy(&bits[1], &v.g, sizeof bits[1]);
    memcpy(&bits[2], &v.b, sizeof bits[2]);
    if (!m->len || memcmp(m->bits, bits, sizeof bits) != 0) {
        char *p = m->text;
        p = put_num(d, p, v.r);
        *p++ = ' ';
        p = put_num(d, p, v.g);
        *p++ = ' ';
        p = put_num(d, p, v.b);
        memcpy(p, stroke ? " RG\012" : " rg\012", 4);
        m->len = (size_t)(p + 4 - m->text);
        memcpy(m->bits, bits, sizeof bits);
    }
    HOK_WRITE(d, ((HPDF_PageAttr)d->cur->attr)->stream, m->text, m->len);
    HPDF_GState gs = ((HPDF_PageAttr)d->cur->attr)->gstate;
    if (stroke) {
        gs->rgb_stroke = v;
        gs->cs_stroke = HPDF_CS_DEVICE_RGB;
    } else {
        gs->rgb_fill = v;
        gs->cs_fill = HPDF_CS_DEVICE_RGB;
    }
}

/* w on the current page, as HPDF_Page_SetLineWidth() writes it (its
 * number by HPDF_FToA(), its state updated): ~370 instructions a call
 * there, one for every table cell drawn. */
static void set_line_width(rdoc *d, double w)
{
    HPDF_REAL v = (HPDF_REAL)w;
    if (!(v >= 0)) { /* refused by libharu, which says so */
        HOK(d, HPDF_Page_SetLineWidth(d->cur, v));
        return;
    }
    put_nums(d, &v, 1, " w\012");
    ((HPDF_PageAttr)d->cur->attr)->gstate->line_width = v;
}

/* q and Q around a few operators of ours (rdoc_rect), written as
 * HPDF_Page_GSave() and GRestore() write them, leaving libharu's graphics
 * state as they leave it: copied at q (*saved) and put back at Q, not a
 * state allocated, pushed and freed (a pair for every table cell drawn).
 * Outside the state they need, or at libharu's limit of nested states,
 * theirs, which say what is wrong. gsave: whether it copied. */
static int gsave(rdoc *d, HPDF_GState_Rec *saved)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)d->cur->attr;
    if (attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION || !attr->gstate ||
        attr->gstate->depth >= HPDF_LIMIT_MAX_GSTATE) {
        HOK(d, HPDF_Page_GSave(d->cur));
        return 0;
    }
    *saved = *attr->gstate;
    return HOK_WRITE(d, attr->stream, "q\012", 2);
}

static void grestore(rdoc *d, const HPDF_GState_Rec *saved, int copied)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)d->cur->attr;
    if (!copied) {
        HOK(d, HPDF_Page_GRestore(d->cur));
        return;
    }
    *attr->gstate = *saved;
    HOK_WRITE(d, attr->stream, "Q\012", 2);
}

/* A rectangle path (page coordinates, y up) and its painting operator
 * ('f', 'S', 'B' or 'n'): the page is out of the path again afterwards. */
static void rect_path(rdoc *d, double x, double y, double w, double h, char paint)
{
    const HPDF_REAL n[4] = {(HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h};
    /* one character: snprintf cost as much as the four numbers */
    const char op[] = {' ', 'r', 'e', '\012', paint, '\012', '\0'};
    put_nums(d, n, 4, op);
}

/* Tf: font k at size, named in the page's resources as libharu names it. */
static void set_font(rdoc *d, int k, double size)
{
    HPDF_REAL sz = (HPDF_REAL)size;
    HPDF_PageAttr attr = (HPDF_PageAttr)d->cur->attr;
    /* the page's name of the face, asked once a page (libharu searches
     * the page's fonts for it at every call) */
    if (d->name_page != d->cur) {
        d->name_page = d->cur;
        d->font_name[0] = d->font_name[1] = NULL;
    }
    const char *name = d->font_name[k];
    if (!(sz > 0 && sz <= HPDF_MAX_FONTSIZE) ||
        (!name && !(name = d->font_name[k] = HPDF_Page_GetLocalFontName(d->cur, d->font[k])))) {
        HOK(d, HPDF_Page_SetFontAndSize(d->cur, d->font[k], sz));
        return;
    }
    /* libharu's names (F1, F2) need no escapes: written as they are */
    size_t nn = strlen(name);
    int plain = nn <= HPDF_LIMIT_MAX_NAME_LEN;
    for (size_t i = 0; i < nn && plain; i++)
        plain = (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9');
    char buf[HPDF_LIMIT_MAX_NAME_LEN + HPDF_REAL_LEN + 16], *p = buf;
    if (plain) {
        *p++ = '/';
        memcpy(p, name, nn);
        p += nn;
    } else if (!HOK(d, HPDF_Stream_WriteEscapeName(attr->stream, name))) {
        return;
    }
    *p++ = ' ';
    p = put_num(d, p, sz);
    memcpy(p, " Tf\012", 4);
    HOK_WRITE(d, attr->stream, buf, p + 4 - buf);
    attr->gstate->font = d->font[k];
    attr->gstate->font_size = sz;
    attr->gstate->writing_mode = ((HPDF_FontAttr)d->font[k]->attr)->writing_mode;
}

/* BT and ET as HPDF_Page_BeginText() and EndText() write them and set the
 * page's state, without their checks' cost (two a run of text); outside
 * the state they need, theirs, which say what is wrong. 1 if fine. */
static int begin_text(rdoc *d)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)d->cur->attr;
    if (attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION)
        return HOK(d, HPDF_Page_BeginText(d->cur));
    if (!HOK_WRITE(d, attr->stream, "BT\012", 3))
        return 0;
    attr->gmode = HPDF_GMODE_TEXT_OBJECT;
    attr->text_pos = (HPDF_Point){0, 0};
    attr->text_matrix = (HPDF_TransMatrix){1, 0, 0, 1, 0, 0};
    return 1;
}

static void end_text(rdoc *d)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)d->cur->attr;
    if (attr->gmode != HPDF_GMODE_TEXT_OBJECT) {
        HOK(d, HPDF_Page_EndText(d->cur));
        return;
    }
    if (HOK_WRITE(d, attr->stream, "ET\012", 3)) {
        attr->text_pos = (HPDF_Point){0, 0};
        attr->gmode = HPDF_GMODE_PAGE_DESCRIPTION;
    }
}

/* Draw bytes [start, end) of text at baseline (x, y) (page coordinates from
 * the top), in runs of one face each; extra is added after each character. */
static void draw_run(rdoc *d, const char *text, size_t start, size_t end, int font, double size,
                     rcolor c, double x, double y_top, double extra, double embolden)
{
    if (d->dry || d->failed || !d->cur || start >= end)
        return;
    HPDF_Page p = d->cur;
    HPDF_PageAttr attr = (HPDF_PageAttr)p->attr;
    double yb = PAGE_H - y_top;
    if (embolden > 0) {
        /* bold from the regular face: the outline stroked as well as filled */
        HOK(d, HPDF_Page_GSave(p));
        set_rgb(d, c, 1);
        set_line_width(d, embolden);
        HOK(d, HPDF_Page_SetLineJoin(p, HPDF_ROUND_JOIN));
    }
    if (!begin_text(d))
        return;
    if (embolden > 0)
        HOK(d, HPDF_Page_SetTextRenderingMode(p, HPDF_FILL_THEN_STROKE));
    set_rgb(d, c, 0);
    if (extra != 0)
        HOK(d, HPDF_Page_SetCharSpace(p, (HPDF_REAL)extra));
    /* A run's codes go into d->run, sized once for the whole range (a code
     * of 4 hex digits per byte at most, and "> Tj\n"): a buffer made and
     * grown a code at a time cost a malloc and a free per call. */
    size_t need = 4 * (end - start) + 6;
    if (need > d->caprun) {
        free(d->run);
        d->caprun = need < 256 ? 256 : need;
        d->run = xmalloc(d->caprun);
    }
    char *run = d->run;
    size_t run_len = 0;
    int run_font = -1;
    double run_x = x, cx = x;
    size_t i = start;
    while (i <= end && !d->failed) {
        uint32_t cp = 0, drawn = 0;
        int k = -1;
        if (i < end) {
            i += (size_t)tl_decode(text + i, &cp);
            if (cp == '\n')
                continue;
            k = pick_font(d, font, cp, &drawn);
        } else {
            i++; /* flush */
        }
        if (k != run_font && run_len) {
            /* The codes (UTF-16 units) written directly: HPDF_Page_TextOut()
             * would measure the run again, glyph by glyph, through a linear
             * search of the font's cmap. */
            set_font(d, run_font, size);
            char pos[80], *q = pos;
            memcpy(q, "1 0 0 1 ", 8);
            q = format_fixed3(q + 8, 24, run_x);
            *q++ = ' ';
            q = format_fixed3(q, 24, yb);
            memcpy(q, " Tm <", 6);
            memcpy(run + run_len, "> Tj\n", 5);
            HOK_WRITE(d, attr->stream, pos, q + 5 - pos);
            HOK_WRITE(d, attr->stream, run, run_len + 5);
            run_len = 0;
        }
        if (k < 0)
            break;
        if (!run_len) {
            run_font = k;
            run_x = cx;
        }
        put_hex(run + run_len, drawn, 4); /* always BMP: see pick_font() */
        run_len += 4;
        d->used[k][drawn >> 3] |= (unsigned char)(1u << (drawn & 7));
        cx += units(d, k, drawn) * size / 1000.0 + extra;
    }
    if (extra != 0)
        HOK(d, HPDF_Page_SetCharSpace(p, 0));
    if (embolden > 0)
        HOK(d, HPDF_Page_SetTextRenderingMode(p, HPDF_FILL));
    end_text(d);
    if (embolden > 0)
        HOK(d, HPDF_Page_GRestore(p));
}

/* Baseline of a line whose box starts at top. */
static double baseline(const rstyle *st, double top)
{
    return top + st->leading / 2 + 0.37 * st->size;
}

void rdoc_text_at(rdoc *d, const char *text, rfont font, double size, rcolor c, double x,
                  double y_baseline, ralign align)
{
    if (align == RA_CENTER || align == RA_RIGHT) {
        double w = rdoc_text_width(d, text, font, size);
        x -= align == RA_CENTER ? w / 2 : w;
    }
    draw_run(d, text, 0, strlen(text), font, size, c, x, y_baseline, 0, 0);
}

char *rdoc_text_fit(rdoc *d, const char *text, rfont font, double size, double max_width)
{
    if (rdoc_text_width(d, text, font, size) <= max_width)
        return xstrdup(text);
    const char *ell = "\xE2\x80\xA6"; /* … */
    double room = max_width - rdoc_text_width(d, ell, font, size);
    wctx w = {d, font, size};
    size_t i = 0, keep = 0;
    double x = 0;
    while (text[i]) {
        uint32_t cp;
        int n = tl_decode(text + i, &cp);
        x += cp_width(&w, cp);
        if (x > room)
            break;
        i += (size_t)n;
        keep = i;
    }
    char *s = xmalloc(keep + 4);
    memcpy(s, text, keep);
    strcpy(s + keep, ell);
    return s;
}

/*
 * A text broken into lines for one font, size and width. The brief is laid
 * out a dozen or more times while it is fitted to its pages (pdf.c), the
 * report three times, mostly with the same texts: each is broken once per
 * document. Measuring has no other effect to repeat: the characters' faces
 * were noted (note_fallback, note_missing) when the text was first broken.
 */
typedef struct broken {
    struct broken *next;
    uint64_t hash;
    int font, n;
    double size, avail, first;
    tl_line *lines;
    char text[]; /* NUL-terminated */
} broken;

#define BROKEN_BUCKETS 4096

/* Eight bytes a step (a byte at a time cost more than the rest of a
 * look-up: some 300,000 a region); only the buckets depend on it. */
static uint64_t text_hash(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s + i, len - i);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ h >> 29;
}

/* The lines of text (*out belongs to the cache, kept as long as d). */
static int broken_lookup(rdoc *d, const char *text, size_t len, const rstyle *st, double avail,
                         const tl_line **out)
{
    uint64_t h = text_hash(text, len);
    if (!d->broken)
        d->broken = xcalloc(BROKEN_BUCKETS, sizeof *d->broken);
    broken *b = d->broken[h % BROKEN_BUCKETS];
    for (; b; b = b->next)
        if (b->hash == h && b->font == (int)st->font && b->size == st->size &&
            b->avail == avail && b->first == st->indent_first && strcmp(b->text, text) == 0) {
            *out = b->lines;
            return b->n;
        }
    wctx w = {d, st->font, st->size};
    tl_line *lines;
    int n = tl_break(text, avail, st->indent_first, cp_width, &w, &lines);
    b = xmalloc(sizeof *b + len + 1);
    b->hash = h;
    b->font = (int)st->font;
    b->size = st->size;
    b->avail = avail;
    b->first = st->indent_first;
    b->n = n;
    b->lines = lines;
    *out = lines;
    memcpy(b->text, text, len + 1);
    b->next = d->broken[h % BROKEN_BUCKETS];
    d->broken[h % BROKEN_BUCKETS] = b;
    return n;
}

static void broken_free(rdoc *d)
{
    if (!d->broken)
        return;
    for (size_t i = 0; i < BROKEN_BUCKETS; i++)
        for (broken *b = d->broken[i], *next; b; b = next) {
            next = b->next;
            free(b->lines);
            free(b);
        }
    free(d->broken);
}

/* text broken to width in style st: *out is the cache's (broken_lookup). */
static int break_lines(rdoc *d, const char *text, const rstyle *st, double width,
                       const tl_line **out)
{
    if (!text)
        text = "";
    int n = broken_lookup(d, text, strlen(text), st, width - st->indent_left, out);
    for (int i = 0; i < n; i++)
        if ((*out)[i].overflow && !d->overflow_warned) {
            d->overflow_warned = 1;
            diag_add(d->diags, DIAG_WARNING, NULL, 0, 0,
                     "PDF: a character is wider than its column (%.0f pt): \"%s\"", width, text);
        }
    return n;
}

/* Draw one broken line in a box [x, x + width] at line top y. */
static void draw_line(rdoc *d, const char *text, const tl_line *l, int first, const rstyle *st,
                      double x, double width, double y)
{
    double x0 = x + st->indent_left + (first ? st->indent_first : 0);
    double avail = width - st->indent_left - (first ? st->indent_first : 0);
    double extra = 0;
    if (st->align == RA_CENTER)
        x0 += (avail - l->width) / 2;
    else if (st->align == RA_RIGHT)
        x0 += avail - l->width;
    else if (st->align == RA_JUSTIFY && !l->hard && l->nchars > 1 && l->width < avail) {
        extra = (avail - l->width) / (l->nchars - 1);
        if (extra > st->size * 0.5)
            extra = 0;
    }
    draw_run(d, text, l->start, l->end, st->font, st->size, st->color, x0, baseline(st, y), extra,
             0);
}

double rdoc_text_height(rdoc *d, const char *text, const rstyle *st, double width)
{
    const tl_line *l;
    int n = break_lines(d, text, st, width, &l);
    return n * st->leading;
}

double rdoc_text_box(rdoc *d, const char *text, const rstyle *st, double x, double y_top,
                     double width)
{
    const tl_line *l;
    int n = break_lines(d, text, st, width, &l);
    for (int i = 0; i < n; i++)
        draw_line(d, text, &l[i], i == 0, st, x, width, y_top + i * st->leading);
    return n * st->leading;
}

void rdoc_para(rdoc *d, const char *text, const rstyle *st)
{
    rdoc_start(d);
    const tl_line *l;
    double width = rdoc_content_width(d);
    int n = break_lines(d, text, st, width, &l);
    for (int i = 0; i < n; i++) {
        if (d->y + st->leading > PAGE_H - MARGIN_B + 0.01)
            rdoc_new_page(d);
        draw_line(d, text, &l[i], i == 0, st, MARGIN_L, width, d->y);
        d->y += st->leading;
    }
}

void rdoc_heading(rdoc *d, const char *text, const rstyle *st, int level, int toc, double keep)
{
    rdoc_start(d);
    double h = rdoc_text_height(d, text, st, rdoc_content_width(d));
    rdoc_ensure(d, h + keep);
    double top = d->y;
    int page = d->page;
    rdoc_para(d, text, st);
    if (level < 1 || level > 3)
        return;
    if (toc) {
        toc_entry *e = ARRAY_PUSH(d->toc, d->ntoc, d->captoc);
        e->level = level;
        e->text = xstrdup(text);
        e->page = page;
        e->y = top;
    }
    if (d->dry || d->failed)
        return;
    HPDF_Outline parent = level > 1 ? d->outline_parent[level - 1] : NULL;
    HPDF_Outline o;
    HPDF_Destination dst;
    if (!HPTR(d, o, HPDF_CreateOutline(d->pdf, parent, text, d->enc)))
        return;
    if (HPTR(d, dst, HPDF_Page_CreateDestination(d->pages[page - 1])) &&
        HOK(d, HPDF_Destination_SetFitH(dst, (HPDF_REAL)(PAGE_H - top + 4))))
        HOK(d, HPDF_Outline_SetDestination(o, dst));
    HOK(d, HPDF_Outline_SetOpened(o, level == 1 ? HPDF_TRUE : HPDF_FALSE));
    d->outline_parent[level] = o;
    for (int k = level + 1; k < 4; k++)
        d->outline_parent[k] = NULL;
}

int rdoc_toc_entries(const rdoc *d) { return (int)d->ntoc_prev; }

/* The entries toc[0..n) laid out (and drawn in a real pass) from where
 * the document is. */
static void toc_lay(rdoc *d, const toc_entry *toc, size_t n_toc, const rstyle *st,
                    double level_indent)
{
    const double num_w = rdoc_text_width(d, "0000", st->font, st->size) + 6;
    const double width = rdoc_content_width(d);
    for (size_t i = 0; i < n_toc; i++) {
        const toc_entry *e = &toc[i];
        rstyle s = *st;
        s.indent_left = (e->level - 1) * level_indent;
        s.font = e->level == 1 ? RF_HEAD : st->font;
        const tl_line *l;
        int n = break_lines(d, e->text, &s, width - num_w, &l);
        if (d->y + n * s.leading > PAGE_H - MARGIN_B + 0.01)
            rdoc_new_page(d);
        double top = d->y;
        for (int k = 0; k < n; k++) {
            draw_line(d, e->text, &l[k], k == 0, &s, MARGIN_L, width - num_w, d->y);
            if (k < n - 1)
                d->y += s.leading;
        }
        /* Dot leaders from the end of the last line to the page number. */
        double lx = MARGIN_L + s.indent_left + l[n - 1].width + (n == 1 ? s.indent_first : 0) + 4;
        double rx = MARGIN_L + width - num_w + 2;
        char num[16];
        snprintf(num, sizeof num, "%d", e->page);
        if (!d->dry && !d->failed && rx > lx + 4) {
            /* A dotted leader on the baseline. */
            HPDF_Page p = d->cur;
            static const HPDF_UINT16 dots[] = {1, 2};
            double yb = PAGE_H - baseline(&s, d->y);
            HOK(d, HPDF_Page_GSave(p));
            HOK(d, HPDF_Page_SetRGBStroke(p, 0.45f, 0.45f, 0.45f));
            HOK(d, HPDF_Page_SetLineWidth(p, 0.8f));
            HOK(d, HPDF_Page_SetDash(p, dots, 2, 0));
            HOK(d, HPDF_Page_MoveTo(p, (HPDF_REAL)lx, (HPDF_REAL)yb));
            HOK(d, HPDF_Page_LineTo(p, (HPDF_REAL)rx, (HPDF_REAL)yb));
            HOK(d, HPDF_Page_Stroke(p));
            HOK(d, HPDF_Page_GRestore(p));
        }
        rdoc_text_at(d, num, st->font, st->size, st->color, MARGIN_L + width, baseline(&s, d->y),
                     RA_RIGHT);
        if (!d->dry && d->cur) {
            toc_link *lk = ARRAY_PUSH(d->links, d->nlinks, d->caplinks);
            lk->page = d->cur;
            lk->rect.left = (HPDF_REAL)MARGIN_L;
            lk->rect.right = (HPDF_REAL)(MARGIN_L + width);
            lk->rect.top = (HPDF_REAL)(PAGE_H - top);
            lk->rect.bottom = (HPDF_REAL)(PAGE_H - d->y - s.leading);
            lk->target_page = e->page;
            lk->target_y = e->y;
        }
        d->y += s.leading;
    }
}

void rdoc_toc(rdoc *d, const rstyle *st, double level_indent)
{
    rdoc_start(d);
    toc_lay(d, d->toc_prev, d->ntoc_prev, st, level_indent);
}

void rdoc_toc_page(rdoc *d, const rstyle *st, double level_indent)
{
    rdoc_start(d);
    d->tp.n++;
    d->tp.page0 = d->page;
    d->tp.y0 = d->y;
    d->tp.st = *st;
    d->tp.indent = level_indent;
    toc_lay(d, d->toc_prev, d->ntoc_prev, st, level_indent);
    d->tp.page1 = d->page;
    rdoc_new_page(d);
}

/*
 * A dry pass laid out its contents with the headings of the pass before;
 * the next would lay them out with this pass's, which may take more or
 * fewer pages. Everything after the contents starts on a page of its own
 * (rdoc_toc_page), and a dry layout depends on the page it is on only
 * through its number: so the next pass's headings are this pass's, those
 * after the contents moved by the difference in its pages, found by
 * laying out the contents alone again from where they began, as the next
 * pass would (the same measuring, so the same characters noted as missing
 * or set in the other face, in the same order). A whole pass less: the
 * report was laid out twice before it was drawn.
 */
int rdoc_toc_settle(rdoc *d)
{
    if (!d->dry || d->failed || d->tp.n > 1)
        return -1;
    if (d->tp.n == 1) {
        int page = d->page, pages_prev = d->pages_prev;
        double y = d->y;
        d->page = d->tp.page0;
        d->y = d->tp.y0;
        toc_lay(d, d->toc, d->ntoc, &d->tp.st, d->tp.indent);
        int shift = d->page - d->tp.page1;
        for (size_t i = 0; i < d->ntoc; i++)
            if (d->toc[i].page > d->tp.page1)
                d->toc[i].page += shift;
        d->page = page + shift;
        d->y = y;
        d->pages_prev = pages_prev + shift;
    }
    return d->page;
}

struct rdoc_mark {
    int page;
    double y;
    toc_entry *toc; /* copies */
    size_t ntoc;
    struct toc_place tp;
};

static toc_entry *toc_copy(const toc_entry *t, size_t n)
{
    toc_entry *c = xmalloc((n ? n : 1) * sizeof *c);
    for (size_t i = 0; i < n; i++) {
        c[i] = t[i];
        c[i].text = xstrdup(t[i].text);
    }
    return c;
}

rdoc_mark *rdoc_mark_take(const rdoc *d)
{
    rdoc_mark *m = xmalloc(sizeof *m);
    m->page = d->page;
    m->y = d->y;
    m->toc = toc_copy(d->toc, d->ntoc);
    m->ntoc = d->ntoc;
    m->tp = d->tp;
    return m;
}

void rdoc_mark_resume(rdoc *d, const rdoc_mark *m)
{
    free_toc(d->toc, d->ntoc);
    d->toc = toc_copy(m->toc, m->ntoc);
    d->ntoc = d->captoc = m->ntoc;
    d->page = m->page;
    d->y = m->y;
    d->tp = m->tp;
}

void rdoc_mark_free(rdoc_mark *m)
{
    if (!m)
        return;
    free_toc(m->toc, m->ntoc);
    free(m);
}

/* ---------- drawing ---------- */

void rdoc_rect(rdoc *d, double x, double y_top, double w, double h, double line_width,
               const rcolor *stroke, const rcolor *fill)
{
    if (d->dry || d->failed || !d->cur)
        return;
    HPDF_GState_Rec saved;
    int copied = gsave(d, &saved);
    if (fill)
        set_rgb(d, *fill, 0);
    if (stroke) {
        set_rgb(d, *stroke, 1);
        set_line_width(d, line_width);
    }
    rect_path(d, x, PAGE_H - y_top - h, w, h, fill && stroke ? 'B' : fill ? 'f' : stroke ? 'S' : 'n');
    grestore(d, &saved, copied);
}

void rdoc_hline(rdoc *d, double x0, double x1, double y, double line_width, rcolor c)
{
    if (d->dry || d->failed || !d->cur)
        return;
    HPDF_Page p = d->cur;
    HOK(d, HPDF_Page_GSave(p));
    set_rgb(d, c, 1);
    set_line_width(d, line_width);
    HOK(d, HPDF_Page_MoveTo(p, (HPDF_REAL)x0, (HPDF_REAL)(PAGE_H - y)));
    HOK(d, HPDF_Page_LineTo(p, (HPDF_REAL)x1, (HPDF_REAL)(PAGE_H - y)));
    HOK(d, HPDF_Page_Stroke(p));
    HOK(d, HPDF_Page_GRestore(p));
}

void rdoc_placeholder(rdoc *d, double x, double y_top, double w, double h, const char *text)
{
    if (d->dry || d->failed || !d->cur)
        return;
    HPDF_Page p = d->cur;
    static const HPDF_UINT16 dash[] = {3, 2};
    HOK(d, HPDF_Page_GSave(p));
    HOK(d, HPDF_Page_SetDash(p, dash, 2, 0));
    rcolor grey = {0.55, 0.55, 0.55};
    set_rgb(d, grey, 1);
    HOK(d, HPDF_Page_SetLineWidth(p, 0.6f));
    rect_path(d, x, PAGE_H - y_top - h, w, h, 'S');
    HOK(d, HPDF_Page_GRestore(p));
    rstyle st = {RF_BODY, 8, 11, RA_CENTER, 0, 0, grey};
    double th = rdoc_text_height(d, text, &st, w - 12);
    rdoc_text_box(d, text, &st, x + 6, y_top + (h - th) / 2, w - 12);
}

int rdoc_png_size(const char *path, int *w, int *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char b[24];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n < 24 || memcmp(b, sig, 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
        return -1;
    *w = (int)be32(b + 16);
    *h = (int)be32(b + 20);
    return *w > 0 && *h > 0 ? 0 : -1;
}


/* The stream's filter is none (its data is already compressed): name it here. */
/*
 * A non-interlaced 8-bit grey or RGB PNG as an image XObject without
 * decoding it: its IDAT data is a zlib stream with PNG row predictors, which
 * is what FlateDecode with /Predictor 15 reads. libharu's own loader
 * inflates the pixels and deflates them again, which for 300 dpi charts
 * costs most of the rendering time. NULL (nothing reported) when the PNG is
 * of another kind; the caller then uses libharu's loader.
 */
static HPDF_Image png_passthrough(rdoc *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char head[8 + 25];
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    HPDF_Image img = NULL;
    strbuf idat;
    sb_init(&idat);
    if (fread(head, 1, sizeof head, f) != sizeof head || memcmp(head, sig, 8) != 0 ||
        memcmp(head + 12, "IHDR", 4) != 0)
        goto done;
    uint32_t width = be32(head + 16), height = be32(head + 20);
    int depth = head[24], ctype = head[25], interlace = head[28];
    if (depth != 8 || (ctype != 0 && ctype != 2) || interlace != 0 || !width || !height)
        goto done;
    for (;;) {
        unsigned char ch[8];
        if (fread(ch, 1, 8, f) != 8)
            goto done;
        uint32_t len = be32(ch);
        if (memcmp(ch + 4, "IEND", 4) == 0)
            break;
        if (memcmp(ch + 4, "IDAT", 4) == 0) {
            size_t at = idat.len;
            sb_addn(&idat, "", 0);
            for (uint32_t k = 0; k < len; k++)
                sb_addc(&idat, 0);
            if (fread(idat.s + at, 1, len, f) != len)
                goto done;
            if (fseek(f, 4, SEEK_CUR) != 0) /* CRC */
                goto done;
        } else if (fseek(f, (long)len + 4, SEEK_CUR) != 0) {
            goto done;
        }
    }
    if (!idat.len)
        goto done;
    HPDF_Dict parms;
    if (!HPTR(d, img, HPDF_DictStream_New(d->pdf->mmgr, d->pdf->xref)) ||
        !HPTR(d, parms, HPDF_Dict_New(d->pdf->mmgr))) {
        img = NULL;
        goto done;
    }
    img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    img->filter = HPDF_STREAM_FILTER_NONE;
    img->write_fn = write_flate_filter;
    int colors = ctype == 2 ? 3 : 1;
    if (!HOK(d, HPDF_Dict_AddName(img, "Type", "XObject")) ||
        !HOK(d, HPDF_Dict_AddName(img, "Subtype", "Image")) ||
        !HOK(d, HPDF_Dict_AddNumber(img, "Width", width)) ||
        !HOK(d, HPDF_Dict_AddNumber(img, "Height", height)) ||
        !HOK(d, HPDF_Dict_AddName(img, "ColorSpace", colors == 3 ? "DeviceRGB" : "DeviceGray")) ||
        !HOK(d, HPDF_Dict_AddNumber(img, "BitsPerComponent", 8)) ||
        !HOK(d, HPDF_Dict_AddNumber(parms, "Predictor", 15)) ||
        !HOK(d, HPDF_Dict_AddNumber(parms, "Colors", (HPDF_INT32)colors)) ||
        !HOK(d, HPDF_Dict_AddNumber(parms, "BitsPerComponent", 8)) ||
        !HOK(d, HPDF_Dict_AddNumber(parms, "Columns", width)) ||
        !HOK(d, HPDF_Dict_Add(img, "DecodeParms", parms)) ||
        !HOK(d, HPDF_Stream_Write(img->stream, (const HPDF_BYTE *)idat.s, (HPDF_UINT)idat.len)))
        img = NULL;
done:
    sb_free(&idat);
    fclose(f);
    return img;
}

int rdoc_image(rdoc *d, const char *path, double x, double y_top, double w, double h)
{
    if (d->dry || d->failed || !d->cur)
        return 0;
    HPDF_Image img = NULL;
    for (size_t i = 0; i < d->nimages; i++)
        if (strcmp(d->images[i].path, path) == 0)
            img = d->images[i].img;
    if (!img && !d->failed)
        img = png_passthrough(d, path);
    if (!img) {
        if (!HPTR(d, img, HPDF_LoadPngImageFromFile(d->pdf, path))) {
            diag_add(d->diags, DIAG_ERROR, path, 0, 0, "PDF: cannot embed this PNG");
            return -1;
        }
        image_ref *r = ARRAY_PUSH(d->images, d->nimages, d->capimages);
        r->path = xstrdup(path);
        r->img = img;
    }
    return HOK(d, HPDF_Page_DrawImage(d->cur, img, (HPDF_REAL)x, (HPDF_REAL)(PAGE_H - y_top - h),
                                      (HPDF_REAL)w, (HPDF_REAL)h))
               ? 0
               : -1;
}

/* ---------- tables ---------- */

#define PAD_X 3.0
#define PAD_Y 2.5

typedef struct cell_copy {
    rcell c;
    char *text;
} cell_copy;

struct rtable {
    rdoc *d;
    int ncols;
    double *w;
    cell_copy *header; /* NULL if none */
    rstyle st, head_st;
    int header_page;   /* page on which the header was last drawn */
    double header_h;   /* height of the header, < 0 until laid out */
};

/* ---------- the house style ---------- */


rstyle rdoc_style(rfont f, double size, double leading, ralign a)
{
    rstyle s;
    memset(&s, 0, sizeof s);
    s.font = f;
    s.size = size;
    s.leading = leading;
    s.align = a;
    return s; /* colour {0,0,0}: black */
}

void rdoc_running_heads(rdoc *d, const char *left, const char *right, const char *foot)
{
    static const rcolor grey = {0.38, 0.38, 0.38};
    double top = 50, bottom = rdoc_page_height(d) - 36;
    double rw = rdoc_text_width(d, right, RF_BODY, 8);
    char *lfit = rdoc_text_fit(d, left, RF_BODY, 8, rdoc_content_width(d) - rw - 16);
    rdoc_text_at(d, lfit, RF_BODY, 8, grey, rdoc_left(d), top, RA_LEFT);
    free(lfit);
    rdoc_text_at(d, right, RF_BODY, 8, grey, rdoc_right(d), top, RA_RIGHT);
    rdoc_hline(d, rdoc_left(d), rdoc_right(d), top + 5, 0.5, grey);
    rdoc_text_at(d, foot, RF_BODY, 8.5, grey, rdoc_page_width(d) / 2, bottom, RA_CENTER);
}

rcell rdoc_cell(const char *text, ralign a)
{
    rcell x;
    memset(&x, 0, sizeof x);
    x.text = text;
    x.align = a;
    return x;
}

/* A heading cell: heading font, centred, on the grey of every table heading. */
static rcell head_cell(const char *text)
{
    static const rcolor head_fill = {0.90, 0.91, 0.93};
    rcell x = rdoc_cell(text, RA_CENTER);
    x.head = 1;
    x.has_fill = 1;
    x.fill = head_fill;
    return x;
}

rtable *rdoc_table_begin(rdoc *d, int ncols, const double *widths, const char *const *heads,
                         const rstyle *st, const rstyle *head_st)
{
    rtable *t = xcalloc(1, sizeof *t);
    t->d = d;
    t->ncols = ncols;
    t->w = xmalloc((size_t)ncols * sizeof(double));
    memcpy(t->w, widths, (size_t)ncols * sizeof(double));
    t->st = *st;
    t->head_st = *head_st;
    if (heads) {
        t->header = xcalloc((size_t)ncols, sizeof(cell_copy));
        for (int i = 0; i < ncols; i++) {
            t->header[i].text = xstrdup(heads[i] ? heads[i] : "");
            t->header[i].c = head_cell(t->header[i].text);
        }
    }
    t->header_page = -1;
    t->header_h = -1;
    rdoc_start(d);
    return t;
}

double rdoc_cell_width(rdoc *d, const char *text, const rstyle *st)
{
    double best = 0;
    /* The widest line of the text as written (it may hold '\n'). */
    const char *s = text ? text : "";
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        wctx w = {d, st->font, st->size};
        double lw = tl_width(s, 0, n, cp_width, &w);
        if (lw > best)
            best = lw;
        s += n + (e ? 1 : 0);
    }
    return best + 2 * PAD_X + 0.5;
}

typedef struct cell_lines {
    const rcell *c;
    rstyle st;
    const tl_line *l; /* break_lines' */
    int n;
} cell_lines;

static void layout_row(rtable *t, const rcell *cells, int head, cell_lines *out)
{
    for (int i = 0; i < t->ncols; i++) {
        out[i].c = &cells[i];
        out[i].st = head ? t->head_st : t->st;
        if (cells[i].head)
            out[i].st.font = RF_HEAD;
        out[i].st.align = cells[i].align;
        out[i].st.indent_first = out[i].st.indent_left = 0;
        if (cells[i].has_color)
            out[i].st.color = cells[i].color;
        out[i].n = break_lines(t->d, cells[i].text ? cells[i].text : "", &out[i].st,
                               t->w[i] - 2 * PAD_X, &out[i].l);
    }
}

static int row_lines(const rtable *t, const cell_lines *cl)
{
    int m = 0;
    for (int i = 0; i < t->ncols; i++)
        if (cl[i].n > m)
            m = cl[i].n;
    return m;
}

/* Draw lines [from, from + k) of every cell as one band of height h at the cursor. */
static void draw_band(rtable *t, cell_lines *cl, int from, int k, double h, int centre)
{
    rdoc *d = t->d;
    double x = MARGIN_L;
    static const rcolor border = {0.55, 0.55, 0.55};
    for (int i = 0; i < t->ncols; i++) {
        const rcell *c = cl[i].c;
        if (c->has_fill)
            rdoc_rect(d, x, d->y, t->w[i], h, 0, NULL, &c->fill);
        int last = from + k < cl[i].n ? from + k : cl[i].n;
        double lead = cl[i].st.leading;
        double off = centre ? (h - 2 * PAD_Y - (cl[i].n - from) * lead) / 2 : 0;
        if (off < 0)
            off = 0;
        for (int j = from; j < last; j++) {
            const char *text = c->text ? c->text : "";
            draw_line(d, text, &cl[i].l[j], j == 0, &cl[i].st, x + PAD_X, t->w[i] - 2 * PAD_X,
                      d->y + PAD_Y + off + (j - from) * lead);
        }
        rdoc_rect(d, x, d->y, t->w[i], h, 0.5, &border, NULL);
        x += t->w[i];
    }
    d->y += h;
}

static void draw_header(rtable *t)
{
    if (!t->header)
        return;
    rcell *cells = xmalloc((size_t)t->ncols * sizeof(rcell));
    for (int i = 0; i < t->ncols; i++)
        cells[i] = t->header[i].c;
    cell_lines *cl = xcalloc((size_t)t->ncols, sizeof *cl);
    layout_row(t, cells, 1, cl);
    int m = row_lines(t, cl);
    double h = m * t->head_st.leading + 2 * PAD_Y;
    draw_band(t, cl, 0, m, h, 1);
    free(cl);
    free(cells);
    t->header_page = t->d->page;
}

/* The header's height: the same texts, widths and styles for every row,
 * so laid out once a table, not once a row. */
static double header_height(rtable *t)
{
    if (!t->header)
        return 0;
    if (t->header_h >= 0)
        return t->header_h;
    rcell *cells = xmalloc((size_t)t->ncols * sizeof(rcell));
    for (int i = 0; i < t->ncols; i++)
        cells[i] = t->header[i].c;
    cell_lines *cl = xcalloc((size_t)t->ncols, sizeof *cl);
    layout_row(t, cells, 1, cl);
    t->header_h = row_lines(t, cl) * t->head_st.leading + 2 * PAD_Y;
    free(cl);
    free(cells);
    return t->header_h;
}

/* A row's lines of each cell: on the stack for the usual few columns (a
 * calloc and a free a row otherwise). */
enum { ROW_COLS = 16 };

void rdoc_table_row(rtable *t, const rcell *cells)
{
    rdoc *d = t->d;
    cell_lines row[ROW_COLS];
    cell_lines *cl = t->ncols <= ROW_COLS ? row : xmalloc((size_t)t->ncols * sizeof *cl);
    memset(cl, 0, (size_t)t->ncols * sizeof *cl);
    layout_row(t, cells, 0, cl);
    int m = row_lines(t, cl);
    double lead = t->st.leading;
    double h = m * lead + 2 * PAD_Y;
    double hh = header_height(t);
    double page_room = PAGE_H - MARGIN_B - MARGIN_T - hh;
    /* The header goes with the first row; a row that fits on a page is not split. */
    double need = (t->header_page != d->page ? hh : 0) + (h <= page_room ? h : hh + 2 * PAD_Y + lead);
    if (rdoc_remaining(d) < need && d->y > MARGIN_T + 0.5)
        rdoc_new_page(d);
    if (t->header_page != d->page)
        draw_header(t);
    int from = 0;
    while (from < m) {
        int fit = (int)floor((rdoc_remaining(d) - 2 * PAD_Y) / lead + 1e-9);
        if (fit < 1) {
            rdoc_new_page(d);
            draw_header(t);
            continue;
        }
        int k = m - from < fit ? m - from : fit;
        draw_band(t, cl, from, k, k * lead + 2 * PAD_Y, from == 0 && k == m);
        from += k;
        if (from < m) {
            rdoc_new_page(d);
            draw_header(t);
        }
    }
    if (cl != row)
        free(cl);
}

void rdoc_table_end(rtable *t)
{
    if (t->header)
        for (int i = 0; i < t->ncols; i++)
            free(t->header[i].text);
    free(t->header);
    free(t->w);
    free(t);
}

/* ---------- lines and markers (charts drawn in the page) ---------- */

void rdoc_polyline(rdoc *d, const double *xs, const double *ys, int n, double line_width,
                   rcolor c, int dashed)
{
    if (d->dry || d->failed || !d->cur || n < 2)
        return;
    HPDF_Page p = d->cur;
    static const HPDF_UINT16 dash[] = {4, 2};
    HOK(d, HPDF_Page_GSave(p));
    if (dashed)
        HOK(d, HPDF_Page_SetDash(p, dash, 2, 0));
    set_rgb(d, c, 1);
    set_line_width(d, line_width);
    HOK(d, HPDF_Page_SetLineJoin(p, HPDF_ROUND_JOIN));
    HOK(d, HPDF_Page_MoveTo(p, (HPDF_REAL)xs[0], (HPDF_REAL)(PAGE_H - ys[0])));
    for (int i = 1; i < n; i++)
        HOK(d, HPDF_Page_LineTo(p, (HPDF_REAL)xs[i], (HPDF_REAL)(PAGE_H - ys[i])));
    HOK(d, HPDF_Page_Stroke(p));
    HOK(d, HPDF_Page_GRestore(p));
}

void rdoc_line(rdoc *d, double x0, double y0, double x1, double y1, double line_width,
               rcolor c, int dashed)
{
    double xs[2] = {x0, x1}, ys[2] = {y0, y1};
    rdoc_polyline(d, xs, ys, 2, line_width, c, dashed);
}

/*
 * A circle filled, as HPDF_Page_Circle() and HPDF_Page_Fill() write it
 * (libharu 2.3.0: four quarters of Bezier curves with its KAPPA, each
 * number through HPDF_FToA() in put_num(), the page's positions and mode
 * left as those two leave them): libharu cleared its 512-byte buffer a
 * byte at a time and formatted 26 numbers, ~8,100 instructions a marker
 * (2,832 markers in the comparison of 20 regions).
 */
static void circle_fill(rdoc *d, HPDF_REAL x, HPDF_REAL y, HPDF_REAL ray)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)d->cur->attr;
    if (attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION && attr->gmode != HPDF_GMODE_PATH_OBJECT) {
        HOK(d, HPDF_Page_Circle(d->cur, x, y, ray)); /* which says what is wrong */
        HOK(d, HPDF_Page_Fill(d->cur));
        return;
    }
    const HPDF_REAL k = 0.552F; /* libharu's KAPPA */
    const HPDF_REAL v[26] = {x - ray,     y,           /* m */
                             x - ray,     y + ray * k, x - ray * k, y + ray,     x,       y + ray,
                             x + ray * k, y + ray,     x + ray,     y + ray * k, x + ray, y,
                             x + ray,     y - ray * k, x + ray * k, y - ray,     x,       y - ray,
                             x - ray * k, y - ray,     x - ray,     y - ray * k, x - ray, y};
    char buf[26 * (HPDF_REAL_LEN + 5) + 32], *p = buf;
    for (int i = 0; i < 26; i++) {
        p = put_num(d, p, v[i]);
        if (i == 1 || (i > 1 && i % 6 == 1)) { /* the end of m or of a c */
            memcpy(p, i == 1 ? " m\012" : " c\012", 3);
            p += 3;
        } else {
            *p++ = ' ';
        }
    }
    memcpy(p, "f\012", 2);
    if (HOK_WRITE(d, attr->stream, buf, p + 2 - buf)) {
        attr->str_pos.x = x - ray;
        attr->str_pos.y = y;
        attr->cur_pos.x = attr->cur_pos.y = 0; /* HPDF_Page_Fill: libharu's INIT_POS */
        attr->gmode = HPDF_GMODE_PAGE_DESCRIPTION;
    }
}

void rdoc_marker(rdoc *d, double x, double y, double radius, rcolor c)
{
    if (d->dry || d->failed || !d->cur)
        return;
    HPDF_GState_Rec saved;
    int copied = gsave(d, &saved);
    set_rgb(d, c, 0);
    circle_fill(d, (HPDF_REAL)x, (HPDF_REAL)(PAGE_H - y), (HPDF_REAL)radius);
    grestore(d, &saved, copied);
}

/* ---------- raw drawing (canvas.c) ---------- */

void rdoc_text_bold(rdoc *d, const char *text, rfont font, double size, rcolor c, double x,
                    double y_baseline, ralign align, double embolden)
{
    if (align == RA_CENTER || align == RA_RIGHT) {
        double w = rdoc_text_width(d, text, font, size);
        x -= align == RA_CENTER ? w / 2 : w;
    }
    draw_run(d, text, 0, strlen(text), font, size, c, x, y_baseline, 0, embolden);
}

void rdoc_raw(rdoc *d, const char *ops)
{
    if (d->dry || d->failed || !d->cur || !*ops)
        return;
    HPDF_PageAttr attr = (HPDF_PageAttr)d->cur->attr;
    /* the length by strlen: HPDF_Stream_WriteStr() counts it a byte at a
     * time (600 instructions a call: a chart's path is one string) */
    HOK_WRITE(d, attr->stream, ops, strlen(ops));
}

void rdoc_alpha(rdoc *d, double alpha)
{
    if (d->dry || d->failed || !d->cur)
        return;
    int k = (int)lround((alpha < 0 ? 0 : alpha > 1 ? 1 : alpha) * 100);
    if (!d->alpha_gs[k]) {
        HPDF_ExtGState gs;
        if (!HPTR(d, gs, HPDF_CreateExtGState(d->pdf)) ||
            !HOK(d, HPDF_ExtGState_SetAlphaFill(gs, (HPDF_REAL)(k / 100.0))) ||
            !HOK(d, HPDF_ExtGState_SetAlphaStroke(gs, (HPDF_REAL)(k / 100.0))))
            return;
        d->alpha_gs[k] = gs;
    }
    HOK(d, HPDF_Page_SetExtGState(d->cur, d->alpha_gs[k]));
}
