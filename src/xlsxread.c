/*
 * xlsxread.c - the cells of an .xlsx file: minizip opens the container,
 * expat parses workbook.xml and its relationships, sharedStrings.xml,
 * styles.xml (which formats are percentages) and each worksheet.
 *
 * Element and attribute names are compared by local name (the parser runs
 * in namespace mode), so prefixed writers (x:c) read the same.
 */
#include "xlsxread.h"

#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>

#include "util.h"

typedef struct zipbook {
    unzFile uf;
    size_t read_total; /* uncompressed bytes read so far */
    char *err;
    size_t errsize;
} zipbook;

static int fail(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---------- the zip container ---------- */

/* An entry name that could escape a directory when extracted. */
static int unsafe_name(const char *n)
{
    if (n[0] == '/' || strchr(n, '\\') || (n[0] && n[1] == ':'))
        return 1;
    for (const char *p = n; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == n || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return 1;
    return 0;
}

/* Check every entry's name, and the sizes the directory declares. */
static int check_entries(zipbook *z)
{
    unz_global_info64 gi;
    if (unzGetGlobalInfo64(z->uf, &gi) != UNZ_OK)
        return fail(z->err, z->errsize, "cannot read the zip directory");
    if (gi.number_entry > XLSX_MAX_ENTRIES)
        return fail(z->err, z->errsize, "the zip holds %llu entries (at most %d)",
                    (unsigned long long)gi.number_entry, XLSX_MAX_ENTRIES);
    unsigned long long declared = 0;
    int rc = unzGoToFirstFile(z->uf);
    while (rc == UNZ_OK) {
        char name[1024];
        unz_file_info64 fi;
        /* minizip ends the name with a NUL only when it fits: room is kept
         * for one, and a longer name (no workbook part has one) is refused,
         * since its unchecked tail could hold a '..' (fuzz_xlsx found the
         * unterminated read; tests/fuzz/regressions/xlsx/). */
        if (unzGetCurrentFileInfo64(z->uf, &fi, name, sizeof name - 1, NULL, 0, NULL, 0) != UNZ_OK)
            return fail(z->err, z->errsize, "cannot read a zip entry's header");
        name[sizeof name - 1] = '\0';
        if (fi.size_filename >= sizeof name)
            return fail(z->err, z->errsize,
                        "a zip entry's name is %lu bytes long (at most %zu): not a workbook part",
                        (unsigned long)fi.size_filename, sizeof name - 1);
        if (unsafe_name(name))
            return fail(z->err, z->errsize,
                        "zip entry '%s': an absolute or '..' path is not part of a workbook "
                        "(refused as unsafe)",
                        name);
        declared += fi.uncompressed_size;
        rc = unzGoToNextFile(z->uf);
    }
    if (rc != UNZ_END_OF_LIST_OF_FILE)
        return fail(z->err, z->errsize, "the zip directory is damaged");
    if (declared > XLSX_MAX_BYTES)
        return fail(z->err, z->errsize,
                    "the entries unpack to %llu bytes (at most %zu): not a data-collection "
                    "workbook (zip bomb?)",
                    declared, XLSX_MAX_BYTES);
    return 0;
}

/* The entry name whole, NUL-terminated; NULL in *out when it is absent. */
static int read_entry(zipbook *z, const char *name, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (unzLocateFile(z->uf, name, 1) != UNZ_OK)
        return 0;
    if (unzOpenCurrentFile(z->uf) != UNZ_OK)
        return fail(z->err, z->errsize, "zip entry '%s': cannot be opened (damaged?)", name);
    strbuf b;
    sb_init(&b);
    char chunk[65536];
    int got;
    while ((got = unzReadCurrentFile(z->uf, chunk, sizeof chunk)) > 0) {
        z->read_total += (size_t)got;
        if (z->read_total > XLSX_MAX_BYTES) {
            unzCloseCurrentFile(z->uf);
            sb_free(&b);
            return fail(z->err, z->errsize,
                        "zip entry '%s': unpacks to more than %zu bytes in all (zip bomb?)", name,
                        XLSX_MAX_BYTES);
        }
        sb_addn(&b, chunk, (size_t)got);
    }
    int crc = unzCloseCurrentFile(z->uf);
    if (got < 0 || crc != UNZ_OK) {
        sb_free(&b);
        return fail(z->err, z->errsize, "zip entry '%s': damaged (%s)", name,
                    got < 0 ? "cannot inflate" : "CRC mismatch");
    }
    *len = b.len;
    *out = sb_take(&b);
    return 0;
}

/* ---------- XML with expat ---------- */

typedef struct xml_ctx xml_ctx;
typedef void (*start_fn)(xml_ctx *x, const char *el, const char **atts);
typedef void (*end_fn)(xml_ctx *x, const char *el);

struct xml_ctx {
    XML_Parser p;
    start_fn start;
    end_fn end;
    void *user;
    strbuf text;     /* character data of the element being collected */
    int collecting;
    char err[400];   /* first error raised by a handler */
};

static const char *local(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0)
            return atts[i + 1];
    return NULL;
}

static void xml_fail(xml_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xml_fail(xml_ctx *x, const char *fmt, ...)
{
    if (x->err[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, sizeof x->err, fmt, ap);
    va_end(ap);
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    xml_ctx *x = ud;
    x->start(x, local(el), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    xml_ctx *x = ud;
    x->end(x, local(el));
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    xml_ctx *x = ud;
    if (x->collecting)
        sb_addn(&x->text, s, (size_t)len);
}

/* Workbook parts never declare a document type; one would allow entity expansion. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    xml_fail(ud, "a document type declaration is not allowed in a workbook part");
}

/* Parse data with the handlers; -1 with "entry: line:col: ..." in err. */
static int xml_parse(const char *entry, const char *data, size_t len, start_fn st, end_fn en,
                     void *user, char *err, size_t errsize)
{
    xml_ctx x;
    memset(&x, 0, sizeof x);
    x.start = st;
    x.end = en;
    x.user = user;
    sb_init(&x.text);
    x.p = XML_ParserCreateNS(NULL, '|');
    if (!x.p)
        return fail(err, errsize, "%s: cannot create an XML parser", entry);
    XML_SetUserData(x.p, &x);
    XML_SetElementHandler(x.p, on_start, on_end);
    XML_SetCharacterDataHandler(x.p, on_text);
    XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
    int rc = 0;
    if (len > (size_t)1 << 30 || XML_Parse(x.p, data, (int)len, XML_TRUE) != XML_STATUS_OK) {
        if (x.err[0])
            fail(err, errsize, "%s: %s", entry, x.err);
        else
            fail(err, errsize, "%s:%lu:%lu: not well-formed XML: %s", entry,
                 (unsigned long)XML_GetCurrentLineNumber(x.p),
                 (unsigned long)XML_GetCurrentColumnNumber(x.p),
                 XML_ErrorString(XML_GetErrorCode(x.p)));
        rc = -1;
    }
    XML_ParserFree(x.p);
    sb_free(&x.text);
    return rc;
}

static void collect_begin(xml_ctx *x)
{
    x->collecting = 1;
    x->text.len = 0;
    if (x->text.s)
        x->text.s[0] = '\0';
}

/* ---------- workbook.xml and its relationships ---------- */

typedef struct sheet_ref {
    char *name, *rid, *target;
    int hidden;
} sheet_ref;

typedef struct wb_parts {
    sheet_ref *sheets;
    size_t n, cap;
    char *shared_strings; /* target of the sharedStrings relationship, or NULL */
    char *styles;
} wb_parts;

static void wb_start(xml_ctx *x, const char *el, const char **atts)
{
    wb_parts *w = x->user;
    if (strcmp(el, "sheet") != 0)
        return;
    const char *name = attr(atts, "name"), *rid = attr(atts, "id"), *state = attr(atts, "state");
    if (!name || !rid) {
        xml_fail(x, "a sheet without a name or relationship id");
        return;
    }
    sheet_ref *s = ARRAY_PUSH(w->sheets, w->n, w->cap);
    s->name = xstrdup(name);
    s->rid = xstrdup(rid);
    s->target = NULL;
    s->hidden = state && strcmp(state, "visible") != 0;
}

static void no_end(xml_ctx *x, const char *el)
{
    (void)x, (void)el;
}

/* A relationship target as a zip entry name: relative to xl/, or absolute. */
static char *part_name(const char *target)
{
    if (target[0] == '/')
        return xstrdup(target + 1);
    return xasprintf("xl/%s", target);
}

static void rels_start(xml_ctx *x, const char *el, const char **atts)
{
    wb_parts *w = x->user;
    if (strcmp(el, "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target"), *type = attr(atts, "Type");
    if (!id || !target || !type)
        return;
    const char *kind = strrchr(type, '/');
    kind = kind ? kind + 1 : type;
    if (strcmp(kind, "sharedStrings") == 0 && !w->shared_strings)
        w->shared_strings = part_name(target);
    else if (strcmp(kind, "styles") == 0 && !w->styles)
        w->styles = part_name(target);
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->sheets[i].rid, id) == 0 && !w->sheets[i].target)
            w->sheets[i].target = part_name(target);
}

static void wb_parts_free(wb_parts *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->sheets[i].name);
        free(w->sheets[i].rid);
        free(w->sheets[i].target);
    }
    free(w->sheets);
    free(w->shared_strings);
    free(w->styles);
}

/* ---------- sharedStrings.xml: <si> of <t> runs (phonetic <rPh> left out) ---------- */

typedef struct sst {
    char **s;
    size_t n, cap;
    strbuf cur;
    int in_rph;
} sst;

static void sst_start(xml_ctx *x, const char *el, const char **atts)
{
    sst *t = x->user;
    (void)atts;
    if (strcmp(el, "si") == 0) {
        t->cur.len = 0;
        sb_add(&t->cur, "");
    } else if (strcmp(el, "rPh") == 0) {
        t->in_rph = 1;
    } else if (strcmp(el, "t") == 0 && !t->in_rph) {
        collect_begin(x);
    }
}

static void sst_end(xml_ctx *x, const char *el)
{
    sst *t = x->user;
    if (strcmp(el, "t") == 0 && x->collecting) {
        sb_addn(&t->cur, x->text.s ? x->text.s : "", x->text.len);
        x->collecting = 0;
    } else if (strcmp(el, "rPh") == 0) {
        t->in_rph = 0;
    } else if (strcmp(el, "si") == 0) {
        if (t->n >= XLSX_MAX_CELLS) {
            xml_fail(x, "more than %d shared strings", XLSX_MAX_CELLS);
            return;
        }
        *ARRAY_PUSH(t->s, t->n, t->cap) = xstrndup(t->cur.s ? t->cur.s : "", t->cur.len);
    }
}

static void sst_free(sst *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->s[i]);
    free(t->s);
    sb_free(&t->cur);
}

/* ---------- styles.xml: which cell formats show a percentage ---------- */

typedef struct styles {
    int *pct_fmt;      /* numFmtIds whose code has a % */
    size_t nfmt, fcap;
    unsigned char *xf_pct; /* per cellXfs entry */
    size_t nxf, xcap;
    int in_cellxfs;
} styles;

static int fmt_is_percent(const styles *st, int id)
{
    if (id == 9 || id == 10) /* built-in 0% and 0.00% */
        return 1;
    for (size_t i = 0; i < st->nfmt; i++)
        if (st->pct_fmt[i] == id)
            return 1;
    return 0;
}

static void styles_start(xml_ctx *x, const char *el, const char **atts)
{
    styles *st = x->user;
    if (strcmp(el, "numFmt") == 0) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code && strchr(code, '%'))
            *ARRAY_PUSH(st->pct_fmt, st->nfmt, st->fcap) = atoi(id);
    } else if (strcmp(el, "cellXfs") == 0) {
        st->in_cellxfs = 1;
    } else if (strcmp(el, "xf") == 0 && st->in_cellxfs) {
        const char *id = attr(atts, "numFmtId");
        *ARRAY_PUSH(st->xf_pct, st->nxf, st->xcap) = id && fmt_is_percent(st, atoi(id));
    }
}

static void styles_end(xml_ctx *x, const char *el)
{
    styles *st = x->user;
    if (strcmp(el, "cellXfs") == 0)
        st->in_cellxfs = 0;
}

/* ---------- a worksheet ---------- */

typedef struct sheet_parse {
    xlsx_sheet *s;
    const sst *strings;
    int have_strings;
    const styles *st;
    int row, col;        /* the current (or last) row and column */
    xlsx_cell cur;
    char type[12];
    int in_cell, in_is, in_rph;
    strbuf value;
} sheet_parse;

/* "C7" into row and col; -1 if malformed. */
static int parse_ref(const char *r, int *row, int *col)
{
    long c = 0, w = 0;
    const char *p = r;
    while (*p >= 'A' && *p <= 'Z' && c <= 16384)
        c = c * 26 + (*p++ - 'A' + 1);
    while (*p >= '0' && *p <= '9' && w <= 1048576)
        w = w * 10 + (*p++ - '0');
    if (*p || c < 1 || c > 16384 || w < 1 || w > 1048576 || p == r)
        return -1;
    *row = (int)w;
    *col = (int)c;
    return 0;
}

static void cell_start(xml_ctx *x, sheet_parse *sp, const char **atts)
{
    const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
    memset(&sp->cur, 0, sizeof sp->cur);
    if (r) {
        int row, col;
        if (parse_ref(r, &row, &col) != 0 || row != sp->row || col <= sp->col) {
            xml_fail(x, "sheet '%s': malformed or out-of-order cell reference '%s'", sp->s->name,
                     r);
            return;
        }
        sp->col = col;
    } else {
        sp->col++;
    }
    sp->cur.row = sp->row;
    sp->cur.col = sp->col;
    snprintf(sp->type, sizeof sp->type, "%s", t ? t : "n");
    long xf = s ? atol(s) : 0;
    sp->cur.percent = xf >= 0 && (size_t)xf < sp->st->nxf && sp->st->xf_pct[xf];
    sp->in_cell = 1;
    sp->value.len = 0;
}

/* The cell's value from <v> or <is>, by its type. */
static void cell_finish(xml_ctx *x, sheet_parse *sp)
{
    char name[16];
    const char *v = sp->value.s ? sp->value.s : "";
    xlsx_cell *c = &sp->cur;
    sp->in_cell = 0;
    if (sp->value.len == 0 && !c->formula && strcmp(sp->type, "inlineStr") != 0)
        return; /* a styled empty cell */
    if (strcmp(sp->type, "s") == 0) {
        char *end;
        long i = strtol(v, &end, 10);
        if (!sp->have_strings) {
            xml_fail(x, "sheet '%s' cell %s: refers to shared string %s, but the workbook has "
                        "no sharedStrings part",
                     sp->s->name, xlsx_cell_name(c->row, c->col, name), v);
            return;
        }
        if (*v == '\0' || *end || i < 0 || (size_t)i >= sp->strings->n) {
            xml_fail(x, "sheet '%s' cell %s: shared string '%s' does not exist", sp->s->name,
                     xlsx_cell_name(c->row, c->col, name), v);
            return;
        }
        c->type = XC_STRING;
        c->text = xstrdup(sp->strings->s[i]);
    } else {
        c->type = strcmp(sp->type, "b") == 0   ? XC_BOOL
                  : strcmp(sp->type, "e") == 0 ? XC_ERROR
                  : strcmp(sp->type, "n") == 0 ? XC_NUMBER
                                               : XC_STRING; /* str, inlineStr, d */
        c->text = xstrndup(v, sp->value.len);
    }
    if (sp->s->ncells >= XLSX_MAX_CELLS) {
        free(c->text);
        xml_fail(x, "sheet '%s': more than %d cells", sp->s->name, XLSX_MAX_CELLS);
        return;
    }
    *ARRAY_PUSH(sp->s->cells, sp->s->ncells, sp->s->cap) = *c;
}

static void merge_add(xml_ctx *x, sheet_parse *sp, const char *ref)
{
    char a[32], b[32];
    const char *colon = ref ? strchr(ref, ':') : NULL;
    xlsx_range m;
    if (!colon || (size_t)(colon - ref) >= sizeof a || strlen(colon + 1) >= sizeof b) {
        xml_fail(x, "sheet '%s': malformed merged range '%s'", sp->s->name, ref ? ref : "");
        return;
    }
    snprintf(a, sizeof a, "%.*s", (int)(colon - ref), ref);
    snprintf(b, sizeof b, "%s", colon + 1);
    if (parse_ref(a, &m.r1, &m.c1) != 0 || parse_ref(b, &m.r2, &m.c2) != 0) {
        xml_fail(x, "sheet '%s': malformed merged range '%s'", sp->s->name, ref);
        return;
    }
    *ARRAY_PUSH(sp->s->merges, sp->s->nmerges, sp->s->mcap) = m;
}

static void sheet_start(xml_ctx *x, const char *el, const char **atts)
{
    sheet_parse *sp = x->user;
    if (strcmp(el, "row") == 0) {
        const char *r = attr(atts, "r");
        int row = r ? atoi(r) : sp->row + 1;
        if (row <= sp->row || row > 1048576)
            xml_fail(x, "sheet '%s': row %s out of order", sp->s->name, r ? r : "?");
        sp->row = row;
        sp->col = 0;
    } else if (strcmp(el, "c") == 0) {
        cell_start(x, sp, atts);
    } else if (sp->in_cell && strcmp(el, "f") == 0) {
        sp->cur.formula = 1;
    } else if (sp->in_cell && strcmp(el, "v") == 0) {
        collect_begin(x);
    } else if (sp->in_cell && strcmp(el, "is") == 0) {
        sp->in_is = 1;
    } else if (sp->in_is && strcmp(el, "rPh") == 0) {
        sp->in_rph = 1;
    } else if (sp->in_is && !sp->in_rph && strcmp(el, "t") == 0) {
        collect_begin(x);
    } else if (strcmp(el, "mergeCell") == 0) {
        merge_add(x, sp, attr(atts, "ref"));
    }
}

static void sheet_end(xml_ctx *x, const char *el)
{
    sheet_parse *sp = x->user;
    if (x->collecting && (strcmp(el, "v") == 0 || strcmp(el, "t") == 0)) {
        sb_addn(&sp->value, x->text.s ? x->text.s : "", x->text.len);
        x->collecting = 0;
    } else if (strcmp(el, "rPh") == 0) {
        sp->in_rph = 0;
    } else if (strcmp(el, "is") == 0) {
        sp->in_is = 0;
    } else if (strcmp(el, "c") == 0 && sp->in_cell) {
        cell_finish(x, sp);
    }
}

/* ---------- the book ---------- */

static void sheet_free(xlsx_sheet *s)
{
    for (size_t i = 0; i < s->ncells; i++)
        free(s->cells[i].text);
    free(s->cells);
    free(s->merges);
    free(s->name);
}

void xlsx_free(xlsx_book *b)
{
    for (int i = 0; i < b->nsheets; i++)
        sheet_free(&b->sheets[i]);
    free(b->sheets);
    memset(b, 0, sizeof *b);
}

/* Read entry and parse it with the handlers; a missing entry is an error when required. */
static int parse_entry(zipbook *z, const char *entry, int required, start_fn st, end_fn en,
                       void *user, int *present)
{
    char *data;
    size_t len;
    if (read_entry(z, entry, &data, &len) != 0)
        return -1;
    if (present)
        *present = data != NULL;
    if (!data)
        return required ? fail(z->err, z->errsize, "zip entry '%s' is missing: not an .xlsx "
                                                   "workbook, or a damaged one",
                               entry)
                        : 0;
    int rc = xml_parse(entry, data, len, st, en, user, z->err, z->errsize);
    free(data);
    return rc;
}

static int read_sheets(zipbook *z, const wb_parts *w, const sst *strings, int have_strings,
                       const styles *st, xlsx_book *b)
{
    b->sheets = xcalloc(w->n + 1, sizeof *b->sheets);
    for (size_t i = 0; i < w->n; i++) {
        xlsx_sheet *s = &b->sheets[b->nsheets++];
        s->name = xstrdup(w->sheets[i].name);
        s->hidden = w->sheets[i].hidden;
        if (!w->sheets[i].target)
            return fail(z->err, z->errsize, "sheet '%s' has no part in the workbook's "
                                            "relationships",
                        s->name);
        sheet_parse sp;
        memset(&sp, 0, sizeof sp);
        sp.s = s;
        sp.strings = strings;
        sp.have_strings = have_strings;
        sp.st = st;
        sb_init(&sp.value);
        int rc = parse_entry(z, w->sheets[i].target, 1, sheet_start, sheet_end, &sp, NULL);
        sb_free(&sp.value);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int read_book(zipbook *z, xlsx_book *b)
{
    wb_parts w;
    memset(&w, 0, sizeof w);
    sst strings;
    memset(&strings, 0, sizeof strings);
    sb_init(&strings.cur);
    styles st;
    memset(&st, 0, sizeof st);
    int have_strings = 0;
    int rc = check_entries(z);
    if (rc == 0)
        rc = parse_entry(z, "xl/workbook.xml", 1, wb_start, no_end, &w, NULL);
    if (rc == 0)
        rc = parse_entry(z, "xl/_rels/workbook.xml.rels", 1, rels_start, no_end, &w, NULL);
    if (rc == 0 && w.shared_strings)
        rc = parse_entry(z, w.shared_strings, 1, sst_start, sst_end, &strings, &have_strings);
    if (rc == 0 && w.styles)
        rc = parse_entry(z, w.styles, 0, styles_start, styles_end, &st, NULL);
    if (rc == 0)
        rc = read_sheets(z, &w, &strings, have_strings, &st, b);
    wb_parts_free(&w);
    sst_free(&strings);
    free(st.pct_fmt);
    free(st.xf_pct);
    return rc;
}

int xlsx_read(const char *path, xlsx_book *b, char *err, size_t errsize)
{
    memset(b, 0, sizeof *b);
    zipbook z = {unzOpen64(path), 0, err, errsize};
    if (!z.uf) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return fail(err, errsize, "cannot open the file");
        fclose(f);
        return fail(err, errsize, "not an .xlsx workbook: the zip container cannot be read "
                                  "(damaged, or another format: save it as .xlsx)");
    }
    int rc = read_book(&z, b);
    unzClose(z.uf);
    if (rc != 0)
        xlsx_free(b);
    return rc;
}

const xlsx_sheet *xlsx_sheet_named(const xlsx_book *b, const char *name)
{
    for (int i = 0; i < b->nsheets; i++)
        if (strcmp(b->sheets[i].name, name) == 0)
            return &b->sheets[i];
    return NULL;
}

const xlsx_cell *xlsx_cell_at(const xlsx_sheet *s, int row, int col)
{
    size_t lo = 0, hi = s->ncells;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const xlsx_cell *c = &s->cells[mid];
        if (c->row < row || (c->row == row && c->col < col))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->ncells && s->cells[lo].row == row && s->cells[lo].col == col ? &s->cells[lo]
                                                                                : NULL;
}

const xlsx_range *xlsx_merge_at(const xlsx_sheet *s, int row, int col)
{
    for (size_t i = 0; i < s->nmerges; i++) {
        const xlsx_range *m = &s->merges[i];
        if (row >= m->r1 && row <= m->r2 && col >= m->c1 && col <= m->c2)
            return m;
    }
    return NULL;
}

char *xlsx_cell_name(int row, int col, char *buf)
{
    char letters[8];
    int n = 0;
    for (int c = col; c > 0 && n < 7; c = (c - 1) / 26)
        letters[n++] = (char)('A' + (c - 1) % 26);
    int k = 0;
    while (n > 0)
        buf[k++] = letters[--n];
    snprintf(buf + k, 16 - (size_t)k, "%d", row);
    return buf;
}
