/*
 * xlsxsst.c - the workbooks' shared strings, found by hash.
 *
 * libxlsxwriter (1.1.4) looks every string cell's text up in its shared
 * strings table with lxw_get_sst_index, which first makes the entry it
 * might add (a calloc and a strdup), then inserts it in a red-black tree
 * compared by strcmp, and frees it again when the text was there already:
 * a regional workbook writes 3,559 string cells of 903 distinct texts, and
 * that was 2.95 million instructions (~830 a cell, 31,568 strcmp; callgrind).
 *
 * Debian's library calls lxw_sst_new, lxw_get_sst_index and lxw_sst_free
 * through its PLT, so the dynamic linker binds those calls to these
 * definitions (as xlsxxml.c does for the XML functions). The table the
 * library makes is indexed here by an open-addressing hash of its texts:
 * a text found costs a hash and one strcmp, and nothing is allocated for
 * it; a new one is made exactly as the library makes it (calloc'd entry,
 * its index the count of distinct texts so far, its own copy of the text)
 * and appended to the table's insertion-order list, which is all the
 * library reads (it writes sharedStrings.xml from that list and frees the
 * entries through it). Texts compare by strcmp alone, as the library's
 * tree does (a rich string and a plain one with the same text are one
 * entry). The tree stays empty.
 *
 * One table is indexed at a time (planeval writes its workbooks one after
 * another): the first one made while none is, from its start; another
 * made meanwhile keeps the library's own tree throughout. The index is
 * freed with its table (lxw_sst_free). Another version of the library
 * keeps its own functions.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include <xlsxwriter/shared_strings.h>

/* The library version whose shared strings table was checked. */
#define XLSX_SST_HASHED (LXW_VERSION_ID == 114)
#define XLSX_SST_MIN 1024u /* slots first allocated (a power of two) */

typedef lxw_sst *(*sst_new_fn)(void);
typedef void (*sst_free_fn)(lxw_sst *);
typedef struct sst_element *(*sst_index_fn)(lxw_sst *, const char *, uint8_t);

/* The table indexed, and its slots: an entry and its text's hash each. */
static struct {
    lxw_sst *sst; /* NULL: none */
    struct sst_element **slot;
    uint32_t *hash;
    size_t cap, n; /* slots (a power of two), entries */
} idx;

/* The library's own definition of name, or NULL. */
static void *next_def(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* A hash of s's n bytes, 8 at a time (the texts average ~50 bytes). */
static uint32_t text_hash(const char *s, size_t n)
{
    uint64_t h = n * 0x9E3779B97F4A7C15u;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53u;
    return (uint32_t)(h >> 32);
}

static void idx_free(void)
{
    free(idx.slot);
    free(idx.hash);
    memset(&idx, 0, sizeof idx);
}

/* Doubles the slots (or makes the first ones): 0, or -1 when out of memory. */
static int idx_grow(void)
{
    size_t cap = idx.cap ? 2 * idx.cap : XLSX_SST_MIN;
    struct sst_element **slot = calloc(cap, sizeof *slot);
    uint32_t *hash = malloc(cap * sizeof *hash);
    if (!slot || !hash) {
        free(slot);
        free(hash);
        return -1;
    }
    for (size_t i = 0; i < idx.cap; i++) {
        if (!idx.slot[i])
            continue;
        size_t j = idx.hash[i] & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = idx.slot[i];
        hash[j] = idx.hash[i];
    }
    free(idx.slot);
    free(idx.hash);
    idx.slot = slot;
    idx.hash = hash;
    idx.cap = cap;
    return 0;
}

lxw_sst *lxw_sst_new(void)
{
    sst_new_fn real;
    void *sym = next_def("lxw_sst_new");
    if (!sym)
        return NULL;
    *(void **)&real = sym; /* POSIX's way from an object to a function pointer */
    lxw_sst *sst = real();
    if (XLSX_SST_HASHED && sst && !idx.sst)
        idx.sst = sst; /* empty: every text of it will pass here */
    return sst;
}

void lxw_sst_free(lxw_sst *sst)
{
    if (sst && sst == idx.sst)
        idx_free();
    sst_free_fn real;
    void *sym = next_def("lxw_sst_free");
    if (!sym)
        return; /* not reached: the library defines it */
    *(void **)&real = sym;
    real(sst);
}

/* The library's lookup, for a table not indexed here. */
static struct sst_element *library_index(lxw_sst *sst, const char *string, uint8_t rich)
{
    sst_index_fn real;
    void *sym = next_def("lxw_get_sst_index");
    if (!sym)
        return NULL;
    *(void **)&real = sym;
    return real(sst, string, rich);
}

/* A new entry as the library makes it, appended to the table's order. */
static struct sst_element *add_entry(lxw_sst *sst, const char *string, uint8_t rich)
{
    struct sst_element *e = calloc(1, sizeof *e);
    char *copy = strdup(string);
    if (!e || !copy) {
        free(e);
        free(copy);
        return NULL;
    }
    e->index = sst->unique_count;
    e->string = copy;
    e->is_rich_string = rich;
    STAILQ_INSERT_TAIL(sst->order_list, e, sst_order_pointers);
    sst->unique_count++;
    return e;
}

struct sst_element *lxw_get_sst_index(lxw_sst *sst, const char *string, uint8_t is_rich_string)
{
    if (!sst || sst != idx.sst)
        return library_index(sst, string, is_rich_string);
    if (!string)
        return NULL; /* the library's strcmp would fault */
    if (2 * (idx.n + 1) > idx.cap && idx_grow() != 0)
        return NULL; /* the library reports it as its own allocation failing */
    size_t len = strlen(string);
    uint32_t h = text_hash(string, len);
    size_t j = h & (idx.cap - 1);
    for (; idx.slot[j]; j = (j + 1) & (idx.cap - 1))
        if (idx.hash[j] == h && strcmp(idx.slot[j]->string, string) == 0) {
            sst->string_count++;
            return idx.slot[j];
        }
    struct sst_element *e = add_entry(sst, string, is_rich_string);
    if (!e)
        return NULL;
    idx.slot[j] = e;
    idx.hash[j] = h;
    idx.n++;
    sst->string_count++;
    return e;
}
