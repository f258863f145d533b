/*
 * test_xlsxxml.c - unit test for xlsxxml.c. First that libxlsxwriter's own
 * calls to the XML functions are bound to planeval's definitions: the
 * library's relocations for them are read from its file and the slots they
 * fill in memory must hold the addresses of xlsxxml.c's functions. Then
 * that those functions write the bytes the library's own definitions
 * (found with dlsym(RTLD_NEXT)) write, for tags, attributes and data with
 * quotes, <, >, &, newlines, control characters, UTF-8 and long strings,
 * and build the same attributes and cell names. Last that a written tag
 * takes the attributes out of its list (so that the library's free finds
 * it empty) and that the next attributes reuse them.
 */
#define _GNU_SOURCE /* RTLD_NEXT, dl_iterate_phdr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "xlsxxml.h"

/* The functions xlsxxml.c defines, with their addresses in this program. */
static void *ours(const char *name)
{
    void *p = NULL;
#define OURS(f)                                                                                \
    if (strcmp(name, #f) == 0) {                                                               \
        void (*fp)(void) = (void (*)(void))f;                                                  \
        memcpy(&p, &fp, sizeof p);                                                             \
    }
    OURS(lxw_xml_declaration)
    OURS(lxw_xml_start_tag)
    OURS(lxw_xml_end_tag)
    OURS(lxw_xml_empty_tag)
    OURS(lxw_xml_data_element)
    OURS(lxw_xml_rich_si_element)
    OURS(lxw_new_attribute_str)
    OURS(lxw_new_attribute_int)
    OURS(lxw_new_attribute_dbl)
    OURS(lxw_utf8_strlen)
    OURS(lxw_has_control_characters)
    OURS(lxw_rowcol_to_cell)
#undef OURS
    assert_non_null(p);
    return p;
}

static const char *const names[] = {
    "lxw_xml_declaration",     "lxw_xml_start_tag",     "lxw_xml_end_tag",
    "lxw_xml_empty_tag",       "lxw_xml_data_element",  "lxw_xml_rich_si_element",
    "lxw_new_attribute_str",   "lxw_new_attribute_int", "lxw_rowcol_to_cell",
    "lxw_new_attribute_dbl",   "lxw_utf8_strlen",       "lxw_has_control_characters",
};
#define NNAMES (sizeof names / sizeof names[0])

/* libxlsxwriter's load address and file, found among the loaded objects. */
struct lib {
    ElfW(Addr) base;
    char path[4096];
};

static int find_lib(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lib *l = data;
    if (info->dlpi_name && strstr(info->dlpi_name, "libxlsxwriter")) {
        l->base = info->dlpi_addr;
        snprintf(l->path, sizeof l->path, "%s", info->dlpi_name);
        return 1;
    }
    return 0;
}

static void test_library_calls_bound_here(void **state)
{
    (void)state;
#if !defined(__x86_64__)
    skip(); /* the relocation types read below are x86-64's */
#else
    struct lib l = {0};
    assert_int_equal(dl_iterate_phdr(find_lib, &l), 1);
    FILE *f = fopen(l.path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > (long)sizeof(Elf64_Ehdr));
    unsigned char *elf = malloc((size_t)size);
    assert_non_null(elf);
    rewind(f);
    assert_int_equal(fread(elf, 1, (size_t)size, f), (size_t)size);
    fclose(f);

    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
    assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
    unsigned bound[NNAMES] = {0};
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_RELA)
            continue;
        const Elf64_Shdr *symtab = &sh[sh[i].sh_link];
        const Elf64_Sym *syms = (const Elf64_Sym *)(elf + symtab->sh_offset);
        const char *strs = (const char *)(elf + sh[symtab->sh_link].sh_offset);
        const Elf64_Rela *r = (const Elf64_Rela *)(elf + sh[i].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof *r; k++) {
            unsigned type = ELF64_R_TYPE(r[k].r_info);
            if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT)
                continue;
            const char *name = strs + syms[ELF64_R_SYM(r[k].r_info)].st_name;
            for (unsigned n = 0; n < NNAMES; n++)
                if (strcmp(name, names[n]) == 0) {
                    void *slot;
                    memcpy(&slot, (const void *)(l.base + r[k].r_offset), sizeof slot);
                    if (slot != ours(names[n]))
                        fail_msg("libxlsxwriter's call to %s is bound to %p, not to planeval's %p",
                                 name, slot, ours(names[n]));
                    bound[n]++;
                }
        }
    }
    for (unsigned n = 0; n < NNAMES; n++)
        if (!bound[n])
            fail_msg("libxlsxwriter has no relocation for %s", names[n]);
    free(elf);
#endif
}

/* The library's own definition of name. */
static void *theirs(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    assert_non_null(p);
    assert_ptr_not_equal(p, ours(name)); /* else the comparisons compare ours with ours */
    return p;
}

/* The library's definition of name in arr[0], planeval's in arr[1]. */
#define BOTH(arr, name)                                                                        \
    do {                                                                                       \
        void *p_ = theirs(name);                                                               \
        memcpy(&(arr)[0], &p_, sizeof p_);                                                     \
        p_ = ours(name);                                                                       \
        memcpy(&(arr)[1], &p_, sizeof p_);                                                     \
    } while (0)

/* A memory stream and what it holds. */
struct out {
    FILE *f;
    char *buf;
    size_t len;
};

static void out_open(struct out *o)
{
    o->buf = NULL;
    o->len = 0;
    o->f = open_memstream(&o->buf, &o->len);
    assert_non_null(o->f);
}

/* Closes both streams and compares their bytes. */
static void out_same(struct out *a, struct out *b, const char *what)
{
    assert_int_equal(fclose(a->f), 0);
    assert_int_equal(fclose(b->f), 0);
    if (a->len != b->len || memcmp(a->buf, b->buf, a->len) != 0)
        fail_msg("%s: library wrote %zu bytes, planeval %zu:\n%.300s\n%.300s", what, a->len,
                 b->len, a->buf, b->buf);
    free(a->buf);
    free(b->buf);
}

typedef void (*tag_fn)(FILE *, const char *, struct xml_attribute_list *);
typedef void (*data_fn)(FILE *, const char *, const char *, struct xml_attribute_list *);
typedef void (*end_fn)(FILE *, const char *);
typedef void (*decl_fn)(FILE *);
typedef struct xml_attribute *(*attr_str_fn)(const char *, const char *);
typedef struct xml_attribute *(*attr_int_fn)(const char *, uint32_t);
typedef void (*cell_fn)(char *, lxw_row_t, lxw_col_t);

/* Texts with everything the escaping treats specially. */
static char *long_text(size_t n)
{
    static const char mix[] = "ab&c<d>e\"f'g\nh\ti\rj\x01k\x1f"
                              "\xe8\xae\xa1\xe7\xae\x97 \x7fl";
    char *s = malloc(n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = mix[(i * 7) % (sizeof mix - 1)];
    s[n] = '\0';
    return s;
}

/* A copy of list (NULL for NULL) built by the library: planeval's tags take
 * their list's attributes, so each of its calls is given its own. */
static struct xml_attribute_list *copy_list(struct xml_attribute_list *copy,
                                            const struct xml_attribute_list *list,
                                            attr_str_fn make)
{
    if (!list)
        return NULL;
    STAILQ_INIT(copy);
    struct xml_attribute *a, *x;
    STAILQ_FOREACH(a, list, list_entries)
    {
        x = make(a->key, a->value);
        STAILQ_INSERT_TAIL(copy, x, list_entries);
    }
    return copy;
}

/* After planeval's tag the list is empty: the library's free has nothing to do. */
static void taken(const struct xml_attribute_list *copy)
{
    if (copy)
        assert_true(STAILQ_EMPTY(copy));
}

static void test_same_bytes_as_library(void **state)
{
    (void)state;
    tag_fn start[2], empty[2];
    data_fn data[2];
    end_fn end[2], si[2];
    decl_fn decl[2];
    BOTH(start, "lxw_xml_start_tag");
    BOTH(empty, "lxw_xml_empty_tag");
    BOTH(data, "lxw_xml_data_element");
    BOTH(end, "lxw_xml_end_tag");
    BOTH(decl, "lxw_xml_declaration");
    BOTH(si, "lxw_xml_rich_si_element"); /* (FILE *, const char *), as end_fn */
    attr_str_fn str[2];
    BOTH(str, "lxw_new_attribute_str");
    attr_str_fn lib_str = str[0];

    char *big = long_text(100000);
    char *plain = malloc(100002); /* one long span, then an ampersand */
    assert_non_null(plain);
    memset(plain, 'x', 100000);
    memcpy(plain + 100000, "&", 2);
    const char *texts[] = {
        "",
        "plain",
        "&",
        "a&b<c>d\"e'f",
        "&amp; already &lt;escaped&gt;",
        "\"quoted\" at both ends\"",
        "line\nbreak\n",
        "\t\r\x01\x02\x08\x0b\x0c\x1b\x1f\x7f",
        "\xe8\xae\xa1\xe7\xae\x97\xe8\xbe\x85\xe5\x8a\xa9 \xc3\xa9 > \xe2\x80\x94 <",
        "<<<>>>&&&\"\"\"\n\n\n",
        big,
        plain,
    };
    size_t ntexts = sizeof texts / sizeof texts[0];

    /* Attribute lists built by the library, so that both sides read the same. */
    struct xml_attribute_list lists[4];
    for (int k = 0; k < 4; k++)
        STAILQ_INIT(&lists[k]);
    struct xml_attribute *x; /* STAILQ_INSERT_TAIL names its element thrice */
    for (size_t t = 0; t < ntexts; t++) {
        x = lib_str("v", texts[t]);
        STAILQ_INSERT_TAIL(&lists[1], x, list_entries);
        if (t < 3) {
            x = lib_str(texts[t + 3], "x");
            STAILQ_INSERT_TAIL(&lists[2], x, list_entries);
        }
    }
    x = lib_str("r", "A1");
    STAILQ_INSERT_TAIL(&lists[3], x, list_entries);
    struct xml_attribute_list *attrs[] = {NULL, &lists[0], &lists[1], &lists[2], &lists[3]};
    size_t nattrs = sizeof attrs / sizeof attrs[0];

    struct out a, b;
    out_open(&a);
    out_open(&b);
    decl[0](a.f);
    decl[1](b.f);
    out_same(&a, &b, "declaration");
    for (size_t k = 0; k < nattrs; k++) {
        const char *tags[] = {"c", "c:numCache", "x:sheetData"};
        for (int t = 0; t < 3; t++) {
            out_open(&a);
            out_open(&b);
            struct xml_attribute_list copy, *c;
            start[0](a.f, tags[t], attrs[k]);
            empty[0](a.f, tags[t], attrs[k]);
            end[0](a.f, tags[t]);
            start[1](b.f, tags[t], c = copy_list(&copy, attrs[k], lib_str));
            taken(c);
            empty[1](b.f, tags[t], c = copy_list(&copy, attrs[k], lib_str));
            taken(c);
            end[1](b.f, tags[t]);
            out_same(&a, &b, "tags");
        }
        for (size_t t = 0; t < ntexts; t++) {
            struct xml_attribute_list copy, *c;
            out_open(&a);
            out_open(&b);
            data[0](a.f, "v", texts[t], attrs[k]);
            data[1](b.f, "v", texts[t], c = copy_list(&copy, attrs[k], lib_str));
            taken(c);
            out_same(&a, &b, "data element");
        }
    }
    for (size_t t = 0; t < ntexts; t++) {
        out_open(&a);
        out_open(&b);
        si[0](a.f, texts[t]);
        si[1](b.f, texts[t]);
        out_same(&a, &b, "rich string");
    }
    for (int k = 1; k < 4; k++)
        while (!STAILQ_EMPTY(&lists[k])) {
            x = STAILQ_FIRST(&lists[k]);
            STAILQ_REMOVE_HEAD(&lists[k], list_entries);
            free(x);
        }
    free(big);
    free(plain);
    xlsx_xml_release();
}

static void test_same_attributes_and_cells(void **state)
{
    (void)state;
    attr_str_fn str[2];
    attr_int_fn num[2];
    cell_fn cell[2];
    BOTH(str, "lxw_new_attribute_str");
    BOTH(num, "lxw_new_attribute_int");
    BOTH(cell, "lxw_rowcol_to_cell");

    /* Strings cut at 2,079 bytes: lengths either side of it. */
    size_t lens[] = {0, 1, 2078, 2079, 2080, 5000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char *s = long_text(lens[i]);
        struct xml_attribute *x = str[0](s, s), *y = str[1](s, s);
        assert_string_equal(x->key, y->key);
        assert_string_equal(x->value, y->value);
        free(x);
        free(y);
        x = num[0](s, 7);
        y = num[1](s, 7);
        assert_string_equal(x->key, y->key);
        free(x);
        free(y);
        free(s);
    }
    uint32_t ints[] = {0, 1, 9, 10, 99, 100, 12345, 1048576, 2147483647u, 2147483648u,
                       4294967295u, 4000000000u};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        struct xml_attribute *x = num[0]("k", ints[i]), *y = num[1]("k", ints[i]);
        assert_string_equal(x->value, y->value);
        free(x);
        free(y);
    }
    lxw_row_t rows[] = {0, 1, 8, 9, 98, 99, 1048575, 9999998, 9999999, 99999998, 99999999,
                        100000000, 2147483646u, 2147483647u, 4294967294u, 4294967295u};
    lxw_col_t cols[] = {0, 1, 24, 25, 26, 27, 51, 52, 701, 702, 703, 16383, 16384, 65534, 65535};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++) {
            /* the same start in both: column 65535 writes no letters */
            char x[32] = "QR", y[32] = "QR";
            cell[0](x, rows[i], cols[j]);
            cell[1](y, rows[i], cols[j]);
            assert_string_equal(x, y);
        }
}

typedef size_t (*strlen_fn)(const char *);

/* The characters of every length of text up to 80 bytes, from every start
 * in a mix of ASCII, 2-, 3- and 4-byte characters and stray bytes. */
static void test_utf8_strlen(void **state)
{
    (void)state;
    strlen_fn len[2];
    BOTH(len, "lxw_utf8_strlen");
    static const char mix[] = "a\xc3\xa9" "b\xe4\xb8\xad\xf0\x9f\x98\x80\x80\xbf\xc0\xff\x7f "
                              "\xe8\xae\xa1\xe7\xae\x97" "z";
    char buf[100];
    for (size_t start = 0; start < sizeof mix - 1; start++)
        for (size_t n = 0; n <= 80; n++) {
            for (size_t i = 0; i < n; i++)
                buf[i] = mix[(start + i * 5) % (sizeof mix - 1)];
            buf[n] = '\0';
            if (len[0](buf) != len[1](buf))
                fail_msg("lxw_utf8_strlen of %zu bytes from %zu: library %zu, planeval %zu", n,
                         start, len[0](buf), len[1](buf));
        }
    char *big = long_text(100000);
    assert_int_equal(len[0](big), len[1](big));
    free(big);
}

/* lxw_has_control_characters says yes exactly when the library's escaping
 * changes the text (its own says yes for every text); every byte value,
 * alone and inside a longer text, and at every place of a text read 8
 * bytes at a time (the word, then the bytes after the last word). */
static void test_control_characters(void **state)
{
    (void)state;
    uint8_t (*has)(const char *) = lxw_has_control_characters;
    char *(*escape)(const char *);
    void *p = dlsym(RTLD_NEXT, "lxw_escape_control_characters");
    assert_non_null(p);
    memcpy(&escape, &p, sizeof p);
    for (int c = 1; c < 256; c++)
        for (int at = 0; at < 3; at++) {
            char text[8] = "ab\xe4\xb8\xad";
            text[at == 0 ? 0 : at == 1 ? 2 : 5] = (char)c;
            char *e = escape(text);
            assert_non_null(e);
            int changed = strcmp(e, text) != 0;
            if (changed != (has(text) != 0))
                fail_msg("byte 0x%02x at %d: escaping %s the text, lxw_has_control_characters %d",
                         c, at, changed ? "changes" : "keeps", has(text));
            free(e);
        }
    for (int c = 1; c < 256; c++)
        for (size_t at = 0; at < 27; at++) {
            char text[] = "Ab1\xe4\xb8\xad xyz \xc3\xa9\n\tzz longer te"; /* 27 bytes */
            assert_int_equal(strlen(text), 27);
            text[at] = (char)c;
            int want = c < 0x20 && c != '\n' && c != '\t';
            if ((has(text) != 0) != want)
                fail_msg("byte 0x%02x at %zu of 27: lxw_has_control_characters %d", c, at, has(text));
        }
    assert_int_equal(has(""), 0);
    assert_int_equal(has("line\nbreak\ttab"), 0);
    assert_int_equal(has("bell\a"), 1);
}

typedef struct xml_attribute *(*attr_dbl_fn)(const char *, double);

static void test_attributes_reused(void **state)
{
    (void)state;
    attr_dbl_fn dbl[2];
    BOTH(dbl, "lxw_new_attribute_dbl");
    double vals[] = {0, -0.0, 1, 0.5, 1.0 / 3, 2.0 / 3 * 1e-7, 12345.678, 1e16, -9.75, 1e300};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        struct xml_attribute *x = dbl[0]("sz", vals[i]), *y = dbl[1]("sz", vals[i]);
        assert_string_equal(x->key, y->key);
        assert_string_equal(x->value, y->value);
        free(x);
        free(y);
    }

    /* A list written by a tag is emptied, and its attributes come back. */
    struct xml_attribute_list list;
    STAILQ_INIT(&list);
    struct xml_attribute *x, *first = lxw_new_attribute_str("a", "1");
    STAILQ_INSERT_TAIL(&list, first, list_entries);
    for (int i = 0; i < 40; i++) { /* more than are kept */
        x = lxw_new_attribute_int("b", (uint32_t)i);
        STAILQ_INSERT_TAIL(&list, x, list_entries);
    }
    struct out o;
    out_open(&o);
    lxw_xml_empty_tag(o.f, "t", &list);
    assert_true(STAILQ_EMPTY(&list));
    assert_int_equal(fclose(o.f), 0);
    assert_true(o.len > 40 * 6);
    free(o.buf);
    /* The list stays usable: a tag written with it again has the new ones. */
    x = lxw_new_attribute_str("c", "2");
    STAILQ_INSERT_TAIL(&list, x, list_entries);
    out_open(&o);
    lxw_xml_empty_tag(o.f, "t", &list);
    assert_int_equal(fclose(o.f), 0);
    assert_string_equal(o.buf, "<t c=\"2\"/>");
    free(o.buf);
    /* Last taken, first given. */
    struct xml_attribute *y = lxw_new_attribute_str("d", "3");
    assert_ptr_equal(x, y);
    free(y);
    xlsx_xml_release();
    (void)first;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_calls_bound_here),
        cmocka_unit_test(test_same_bytes_as_library),
        cmocka_unit_test(test_same_attributes_and_cells),
        cmocka_unit_test(test_attributes_reused),
        cmocka_unit_test(test_utf8_strlen),
        cmocka_unit_test(test_control_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
