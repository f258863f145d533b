/*
 * xlsxxml.c - the writing of the workbooks' XML tags.
 *
 * libxlsxwriter (1.1.4) writes every tag of a part through its xmlwriter
 * functions, each of them one to four fprintf calls ("<%s", " %s=",
 * "\"%s\"", ">"), and builds every attribute with a 4 KB malloc, two
 * strncpy that pad to 2,080 bytes and an snprintf("%d") for a number; each
 * cell's name ("B12") comes from lxw_rowcol_to_cell, one more snprintf.
 * On the workbooks of 20 synthetic regions that was 1.3 billion of their
 * 3.3 billion instructions (callgrind); these definitions take 0.8 billion
 * of it off. Two helpers of its utility.c are defined here too, for every
 * cell string: lxw_utf8_strlen and lxw_has_control_characters.
 *
 * Debian's library calls these exported functions through its PLT, so the
 * dynamic linker binds those calls to the program's definitions here (as
 * xlsxzip.c does for minizip's calls). They write the same bytes, each
 * tag gathered in a buffer and written at once (util.h put_bytes), and escape by
 * spans: attribute values & < > " and newline, data & < > (control
 * characters pass unchanged), as the library's xmlwriter.c does.
 * tests/unit/test_xlsxxml.c checks both that the library's calls land
 * here and that the bytes are the library's.
 *
 * The unlocked stdio calls are safe: the files are libxlsxwriter's own
 * temporary files and planeval has no threads. Errors stay in the file's
 * error indicator, as with the library's fprintf (these functions return
 * nothing; the library checks the file when it packs the part).
 *
 * An attribute is a 4 KB block, past glibc's per-thread cache: its malloc
 * and free cost ~600 instructions (80,000 of them on 5 synthetic regions,
 * 45 million). The library builds a list, writes one tag with it, and
 * frees what is still in the list (LXW_FREE_ATTRIBUTES); in 1.1.4 no list
 * is written twice or read after its tag (every use of the macros was
 * checked). So the tags here take the attributes out of the list they
 * were written with, and keep up to XLSX_SPARE_MAX for the next
 * attributes: the library's free finds the list empty. The spares are
 * freed when the workbook's zip file is closed (xlsx_xml_release, called
 * by xlsxzip.c's zipClose). Another version of the library keeps its own
 * malloc and free.
 */
#define _GNU_SOURCE /* fputs_unlocked */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "util.h"
#include "xlsxxml.h"

/* The library version whose uses of the attribute lists were checked. */
#define XLSX_RECYCLE (LXW_VERSION_ID == 114)
#define XLSX_SPARE_MAX 32

/* Attributes taken back from written tags, linked by list_entries. */
static struct {
    struct xml_attribute *first;
    unsigned n;
} spare;

/* Empties a list just written, keeping its attributes for reuse. */
static void take_back(struct xml_attribute_list *attributes)
{
    if (!XLSX_RECYCLE || !attributes)
        return;
    struct xml_attribute *a;
    while ((a = STAILQ_FIRST(attributes))) {
        STAILQ_REMOVE_HEAD(attributes, list_entries);
        if (spare.n < XLSX_SPARE_MAX) {
            a->list_entries.stqe_next = spare.first;
            spare.first = a;
            spare.n++;
        } else {
            free(a);
        }
    }
}

void xlsx_xml_release(void)
{
    while (spare.first) {
        struct xml_attribute *a = spare.first;
        spare.first = a->list_entries.stqe_next;
        free(a);
    }
    spare.n = 0;
}

/* A tag gathered before it goes to the file at once: most tags are
 * short, and each stdio call costs more than the copy. */
typedef struct tagbuf {
    FILE *f;
    size_t n;
    char b[512];
} tagbuf;

static void flush(tagbuf *t)
{
    if (t->n)
        put_bytes(t->f, t->b, t->n);
    t->n = 0;
}

/* add's rarer case, apart so that add stays small enough to be inlined
 * where its length is a constant (most calls: "<", "=\"", "/>"). */
static void add_full(tagbuf *t, const char *s, size_t n)
{
    flush(t);
    if (n > sizeof t->b) { /* a long text goes straight on */
        put_bytes(t->f, s, n);
        return;
    }
    memcpy(t->b, s, n);
    t->n = n;
}

static inline void add(tagbuf *t, const char *s, size_t n)
{
    if (n > sizeof t->b - t->n) {
        add_full(t, s, n);
        return;
    }
    memcpy(t->b + t->n, s, n);
    t->n += n;
}

static void add_str(tagbuf *t, const char *s)
{
    add(t, s, strlen(s));
}

/* s, with the characters in special written as their entities. */
static void add_escaped(tagbuf *t, const char *s, const char *special)
{
    for (;;) {
        size_t n = strcspn(s, special);
        add(t, s, n);
        s += n;
        switch (*s) {
        case '\0':
            return;
        case '&':
            add(t, "&amp;", 5);
            break;
        case '<':
            add(t, "&lt;", 4);
            break;
        case '>':
            add(t, "&gt;", 4);
            break;
        case '"':
            add(t, "&quot;", 6);
            break;
        default: /* '\n', only in attributes */
            add(t, "&#xA;", 5);
            break;
        }
        s++;
    }
}

/* "<tag" and its attributes, escaped. */
static void add_open(tagbuf *t, const char *tag, struct xml_attribute_list *attributes)
{
    add(t, "<", 1);
    add_str(t, tag);
    if (!attributes)
        return;
    struct xml_attribute *a;
    STAILQ_FOREACH(a, attributes, list_entries)
    {
        add(t, " ", 1);
        add_str(t, a->key);
        add(t, "=\"", 2);
        add_escaped(t, a->value, "&<>\"\n");
        add(t, "\"", 1);
    }
}

static void add_end(tagbuf *t, const char *tag)
{
    add(t, "</", 2);
    add_str(t, tag);
    add(t, ">", 1);
}

void lxw_xml_declaration(FILE *xmlfile)
{
    fputs_unlocked("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n", xmlfile);
}

void lxw_xml_start_tag(FILE *xmlfile, const char *tag, struct xml_attribute_list *attributes)
{
    tagbuf t = {.f = xmlfile, .n = 0};
    add_open(&t, tag, attributes);
    add(&t, ">", 1);
    flush(&t);
    take_back(attributes);
}

void lxw_xml_end_tag(FILE *xmlfile, const char *tag)
{
    tagbuf t = {.f = xmlfile, .n = 0};
    add_end(&t, tag);
    flush(&t);
}

void lxw_xml_empty_tag(FILE *xmlfile, const char *tag, struct xml_attribute_list *attributes)
{
    tagbuf t = {.f = xmlfile, .n = 0};
    add_open(&t, tag, attributes);
    add(&t, "/>", 2);
    flush(&t);
    take_back(attributes);
}

void lxw_xml_data_element(FILE *xmlfile, const char *tag, const char *data,
                          struct xml_attribute_list *attributes)
{
    tagbuf t = {.f = xmlfile, .n = 0};
    add_open(&t, tag, attributes);
    add(&t, ">", 1);
    add_escaped(&t, data, "&<>");
    add_end(&t, tag);
    flush(&t);
    take_back(attributes);
}

void lxw_xml_rich_si_element(FILE *xmlfile, const char *string)
{
    tagbuf t = {.f = xmlfile, .n = 0};
    add(&t, "<si>", 4);
    add_str(&t, string);
    add(&t, "</si>", 5);
    flush(&t);
}

/* A new attribute; the library's callers cannot take a NULL (they link it
 * into their list at once), so running out of memory ends the process. */
static struct xml_attribute *new_attribute(const char *key)
{
    struct xml_attribute *a = spare.first;
    if (a) {
        spare.first = a->list_entries.stqe_next;
        spare.n--;
    } else {
        a = malloc(sizeof *a);
    }
    if (!a) {
        fputs("planeval: out of memory writing a workbook\n", stderr);
        abort();
    }
    /* LXW_ATTRIBUTE_COPY's result without its padding to 2,080 bytes */
    size_t n = strnlen(key, LXW_MAX_ATTRIBUTE_LENGTH - 1);
    memcpy(a->key, key, n);
    a->key[n] = '\0';
    return a;
}

struct xml_attribute *lxw_new_attribute_str(const char *key, const char *value)
{
    struct xml_attribute *a = new_attribute(key);
    size_t n = strnlen(value, LXW_MAX_ATTRIBUTE_LENGTH - 1);
    memcpy(a->value, value, n);
    a->value[n] = '\0';
    return a;
}

/* v in decimal as printf's "%d" prints the same 32 bits, terminated (12
 * bytes at most); returns its length. */
static size_t int_text(char *buf, uint32_t v)
{
    size_t len = 0;
    uint32_t mag = v;
    if (v & 0x80000000u) { /* negative as an int */
        buf[len++] = '-';
        mag = 0u - v;
    }
    return len + format_uint(buf + len, mag);
}

struct xml_attribute *lxw_new_attribute_int(const char *key, uint32_t value)
{
    struct xml_attribute *a = new_attribute(key);
    int_text(a->value, value); /* the library's "%d" of a uint32_t */
    return a;
}

struct xml_attribute *lxw_new_attribute_dbl(const char *key, double value)
{
    struct xml_attribute *a = new_attribute(key);
    snprintf(a->value, LXW_ATTR_32, "%.16G", value); /* the library's lxw_sprintf_dbl */
    return a;
}

/* Whether the n bytes at p hold one that lxw_escape_control_characters
 * rewrites as _xHHHH_ (0x01-0x08, 0x0B-0x1F). */
static int any_control(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(p[i] & 0xE0) && p[i] != '\n' && p[i] != '\t')
            return 1;
    return 0;
}

/* Whether string holds such a byte. The library's loop tests its pointer
 * instead of the byte, so it stops at the terminating NUL and says yes for
 * every string: each shared string (and constant_memory cell) was copied
 * through the escaping, into a calloc of 7 times its length, unchanged.
 * Answering right writes the same bytes without the copy. 8 bytes at a
 * time: a word with no byte below 0x20 (newlines and tabs are) is passed
 * over, any other is looked at byte by byte. */
uint8_t lxw_has_control_characters(const char *string)
{
    const uint64_t ones = 0x0101010101010101u;
    size_t len = strlen(string), i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, string + i, sizeof w);
        /* the lowest byte below 0x20 is always marked (a borrow only marks
         * more above it); bytes from 0x80 up never are */
        if (((w - 0x20 * ones) & ~w & (ones << 7)) && any_control(string + i, 8))
            return 1;
    }
    return (uint8_t)any_control(string + i, len - i);
}

/* The characters of a UTF-8 string, as the library counts them (bytes but
 * the continuation bytes 10xxxxxx), 8 bytes at a time: it counts every
 * string written to a cell against Excel's limit, byte by byte. */
size_t lxw_utf8_strlen(const char *str)
{
    const uint64_t ones = 0x0101010101010101u;
    size_t len = strlen(str), count = 0, i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, str + i, sizeof w);
        uint64_t starts = ((~w >> 7) | (w >> 6)) & ones; /* bit 7 clear or bit 6 set */
        count += (size_t)((starts * ones) >> 56);
    }
    for (; i < len; i++)
        count += ((unsigned char)str[i] & 0xc0) != 0x80;
    return count;
}

void lxw_rowcol_to_cell(char *cell_name, lxw_row_t row, lxw_col_t col)
{
    /* The column as lxw_col_to_name writes it (letters in reverse, then
     * turned round; a column number that wraps to 0 writes none), its
     * letters gathered last first and copied out first to last. */
    lxw_col_t c = (lxw_col_t)(col + 1);
    char rev[8]; /* 65,536 columns at most: 4 letters */
    size_t k = 0, len = 0;
    while (c) {
        int rem = c % 26;
        if (rem == 0)
            rem = 26;
        rev[k++] = (char)('A' + rem - 1);
        c = (lxw_col_t)((c - 1) / 26);
    }
    if (!k) { /* as the library: what cell_name already holds, turned round */
        len = strlen(cell_name);
        for (size_t i = 0; i < len / 2; i++) {
            char t = cell_name[i];
            cell_name[i] = cell_name[len - i - 1];
            cell_name[len - i - 1] = t;
        }
    }
    while (k)
        cell_name[len++] = rev[--k];
    /* The row: snprintf(..., LXW_MAX_ROW_NAME_LENGTH, "%d", row + 1). */
    char num[12];
    size_t n = int_text(num, (uint32_t)(row + 1));
    if (n > LXW_MAX_ROW_NAME_LENGTH - 1)
        n = LXW_MAX_ROW_NAME_LENGTH - 1;
    memcpy(cell_name + len, num, n);
    cell_name[len + n] = '\0';
}
