/* labels.c - see labels.h. */
#include "labels.h"
#include "util.h"
#include "yamldoc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int cmp_key(const char *section, const char *code, const label_entry *e)
{
    int c = strcmp(section, e->section);
    return c ? c : strcmp(code, e->code);
}

static int cmp_index(const void *a, const void *b)
{
    const label_entry *x = *(label_entry *const *)a, *y = *(label_entry *const *)b;
    return cmp_key(x->section, x->code, y);
}

/* s copied to *at, which moves past it. */
static char *pool_put(char **at, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = memcpy(*at, s, n);
    *at += n;
    return p;
}

/*
 * The items' strings (still the YAML document's) copied into one block,
 * l->pool, instead of three mallocs an item: a section's name once for
 * all its items.
 */
static void pool_strings(labels *l)
{
    size_t len = 0;
    for (size_t i = 0; i < l->n; i++) {
        const label_entry *e = &l->items[i];
        if (i == 0 || e->section != e[-1].section)
            len += strlen(e->section) + 1;
        len += strlen(e->code) + strlen(e->text) + 2;
    }
    l->pool = len ? xmalloc(len) : NULL;
    l->pool_len = len;
    char *at = l->pool, *section = NULL;
    const char *was = NULL; /* the document's string that section copies */
    for (size_t i = 0; i < l->n; i++) {
        label_entry *e = &l->items[i];
        if (i == 0 || e->section != was) {
            was = e->section;
            section = pool_put(&at, e->section);
        }
        e->section = section;
        e->code = pool_put(&at, e->code);
        e->text = pool_put(&at, e->text);
    }
}

int labels_load(labels *l, const char *path, diag_list *d)
{
    memset(l, 0, sizeof *l);
    ydoc y;
    if (ydoc_load(&y, path, d) != 0) {
        ydoc_free(&y);
        return -1;
    }
    memcpy(l->sha256, y.sha256, sizeof l->sha256);
    ynode *root = ydoc_root(&y);
    size_t before = diag_errors(d);
    if (!ynode_is_map(root))
        ydiag(&y, d, DIAG_ERROR, root, "labels: expected sections of code: text");
    for (size_t i = 0; i < ymap_len(root); i++) {
        const char *section = ynode_str(ymap_key(&y, root, i));
        ynode *m = ymap_value(&y, root, i);
        if (!section || !ynode_is_map(m)) {
            ydiag(&y, d, DIAG_ERROR, m, "labels: each section is a mapping of code: text");
            continue;
        }
        for (size_t k = 0; k < ymap_len(m); k++) {
            const char *code = ynode_str(ymap_key(&y, m, k));
            const char *text = ynode_str(ymap_value(&y, m, k));
            if (!code || !text) {
                ydiag(&y, d, DIAG_ERROR, ymap_value(&y, m, k), "labels: text expected");
                continue;
            }
            /* the document's strings for now: pool_strings copies them */
            label_entry *e = ARRAY_PUSH(l->items, l->n, l->cap);
            e->section = section;
            e->code = code;
            e->text = text;
            e->section_line = ynode_line(ymap_key(&y, root, i));
            e->line = ynode_line(ymap_value(&y, m, k));
            e->col = ynode_col(ymap_value(&y, m, k));
        }
    }
    pool_strings(l);
    ydoc_free(&y);
    if (l->n) {
        l->index = xmalloc(l->n * sizeof *l->index);
        for (size_t i = 0; i < l->n; i++)
            l->index[i] = &l->items[i];
        qsort(l->index, l->n, sizeof *l->index, cmp_index);
    }
    return diag_errors(d) > before ? -1 : 0;
}

/* dst as a copy of src, its index pointing into its own items. */
static void labels_copy(labels *dst, const labels *src)
{
    memset(dst, 0, sizeof *dst);
    memcpy(dst->sha256, src->sha256, sizeof dst->sha256);
    if (!src->n)
        return;
    dst->items = xmalloc(src->n * sizeof *dst->items);
    dst->n = dst->cap = src->n;
    dst->pool = xmalloc(src->pool_len);
    dst->pool_len = src->pool_len;
    memcpy(dst->pool, src->pool, src->pool_len);
    for (size_t i = 0; i < src->n; i++) {
        label_entry *e = &dst->items[i];
        *e = src->items[i];
        e->section = dst->pool + (src->items[i].section - src->pool);
        e->code = dst->pool + (src->items[i].code - src->pool);
        e->text = dst->pool + (src->items[i].text - src->pool);
    }
    dst->index = xmalloc(src->n * sizeof *dst->index);
    for (size_t i = 0; i < src->n; i++)
        dst->index[i] = dst->items + (src->index[i] - src->items);
}

typedef struct cached_labels {
    char *path;
    labels l;
} cached_labels;

struct labels_cache {
    cached_labels *e;
    size_t n, cap;
};

labels_cache *labels_cache_new(void) { return xcalloc(1, sizeof(labels_cache)); }

void labels_cache_free(labels_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].path);
        labels_free(&c->e[i].l);
    }
    free(c->e);
    free(c);
}

int labels_load_cached(labels_cache *c, labels *l, const char *path, diag_list *d)
{
    if (!c)
        return labels_load(l, path, d);
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].path, path) == 0) {
            labels_copy(l, &c->e[i].l);
            return 0;
        }
    if (labels_load(l, path, d) != 0)
        return -1;
    cached_labels *e = ARRAY_PUSH(c->e, c->n, c->cap);
    e->path = xstrdup(path);
    labels_copy(&e->l, l);
    return 0;
}

void labels_cache_preload(labels_cache *c, const char *path)
{
    labels l;
    diag_list ignored = {0};
    labels_load_cached(c, &l, path, &ignored);
    labels_free(&l);
    diag_free(&ignored);
}

const char *labels_cache_digest(const labels_cache *c, const char *path)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->e[i].path, path) == 0)
            return c->e[i].l.sha256;
    return NULL;
}

void labels_free(labels *l)
{
    free(l->pool);
    free(l->items);
    free(l->index);
    memset(l, 0, sizeof *l);
}

/* By binary search in the index: label() is called for every cell and
 * line written, and a wording file may be large (up to 2 MB). */
static const label_entry *find(const labels *l, const char *section, const char *code)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_key(section, code, l->index[mid]);
        if (c == 0)
            return l->index[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *label(const labels *l, const char *section, const char *code)
{
    const label_entry *e = find(l, section, code);
    return e ? e->text : code;
}

void labels_require(const labels *l, const char *path, const char *section,
                    const char *const *codes, diag_list *d)
{
    int line = 0;
    for (size_t i = 0; i < l->n && !line; i++)
        if (strcmp(l->items[i].section, section) == 0)
            line = l->items[i].section_line;
    for (const char *const *c = codes; *c; c++)
        if (!find(l, section, *c))
            diag_add(d, DIAG_ERROR, path, line, 0, "labels: section '%s' lacks code '%s'",
                     section, *c);
}

const char *sheet_name_problem(const char *name)
{
    size_t units = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (strchr("[]:*?/\\", *p))
            return "it holds one of []:*?/\\";
        if ((*p & 0xc0) != 0x80)
            units += *p >= 0xf0 ? 2 : 1; /* beyond the BMP: two UTF-16 units */
    }
    if (units == 0)
        return "it is empty";
    if (units > 31)
        return "it is longer than 31 characters";
    if (name[0] == '\'' || name[strlen(name) - 1] == '\'')
        return "it begins or ends with an apostrophe";
    if (strcasecmp(name, "History") == 0)
        return "Excel reserves it";
    return NULL;
}

#define MAX_SHEET_NAMES 255

void labels_check_sheets(const labels *l, const char *path, const char *section, diag_list *d)
{
    int nsheets = 0;
    for (size_t i = 0; i < l->n; i++) {
        const label_entry *e = &l->items[i];
        if (strcmp(e->section, section) != 0)
            continue;
        const char *why = sheet_name_problem(e->text);
        if (why) {
            diag_add(d, DIAG_ERROR, path, e->line, e->col,
                     "sheet name '%s' (%s: %s) cannot be an Excel sheet name: %s", e->text,
                     section, e->code, why);
            continue;
        }
        if (++nsheets > MAX_SHEET_NAMES) {
            diag_add(d, DIAG_ERROR, path, e->line, e->col,
                     "more than %d sheet names in %s (planeval writes a dozen)",
                     MAX_SHEET_NAMES, section);
            return;
        }
        /* at most MAX_SHEET_NAMES: pairwise is fine */
        for (size_t j = 0; j < i; j++)
            if (strcmp(l->items[j].section, section) == 0 &&
                strcasecmp(l->items[j].text, e->text) == 0) {
                diag_add(d, DIAG_ERROR, path, e->line, e->col,
                         "sheet name '%s' (%s: %s) is also the name of %s: %s (line %d); "
                         "Excel needs each sheet's name to differ",
                         e->text, section, e->code, section, l->items[j].code, l->items[j].line);
                break;
            }
    }
}
