/* report_tpl.c - see report_tpl.h. */
#include "report_tpl.h"
#include "util.h"
#include "yamldoc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tpl_entry {
    char *key, *text;
    int line;
} tpl_entry;

struct rtpl {
    char *path;
    char sha256[65]; /* digest of the file's bytes as read */
    tpl_entry *e;
    size_t n, cap;
    uint32_t *slot; /* hash index of e by key: entry + 1, 0 empty (index_entries) */
    size_t nslot;   /* a power of two, at least twice n; 0 until indexed */
    int over;      /* TPL_MAX_TEXTS reached (reported once) */
    char **warned; /* "key\n name" already reported */
    size_t nwarned, capwarned;
};

static void add_entry(rtpl *t, const char *key, const char *text, int line)
{
    tpl_entry *e = ARRAY_PUSH(t->e, t->n, t->cap);
    e->key = xstrdup(key);
    e->text = xstrdup(text);
    e->line = line;
}

/*
 * Every text is stored under its whole key path, so a long path over many
 * texts would cost their product in memory and time (a 550 KB template of
 * one 500,000-character key over 4,000 texts took 51 s and 2 GB): key
 * paths and the number of texts are bounded, far above what a template
 * needs (the longest real path has 42 bytes, the largest file 250 texts).
 */
#define TPL_MAX_KEY 128
#define TPL_MAX_TEXTS 10000

static void flatten(rtpl *t, ydoc *y, ynode *n, const char *prefix, diag_list *d)
{
    if (strlen(prefix) > TPL_MAX_KEY) {
        ydiag(y, d, DIAG_ERROR, n, "the key path to this text has %zu bytes, over %d",
              strlen(prefix), TPL_MAX_KEY);
        return;
    }
    if (t->n >= TPL_MAX_TEXTS) {
        if (!t->over)
            ydiag(y, d, DIAG_ERROR, n, "a template holds at most %d texts", TPL_MAX_TEXTS);
        t->over = 1;
        return;
    }
    if (ynode_is_scalar(n)) {
        add_entry(t, prefix, ynode_str(n), ynode_line(n));
    } else if (ynode_is_map(n)) {
        for (size_t i = 0; i < ymap_len(n); i++) {
            const char *k = ynode_str(ymap_key(y, n, i));
            if (!k) {
                ydiag(y, d, DIAG_ERROR, ymap_key(y, n, i), "template keys must be plain text");
                continue;
            }
            char *key = *prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
            flatten(t, y, ymap_value(y, n, i), key, d);
            free(key);
        }
    } else if (ynode_is_seq(n)) {
        for (size_t i = 0; i < yseq_len(n); i++) {
            char *key = xasprintf("%s.%zu", prefix, i);
            flatten(t, y, yseq_at(y, n, i), key, d);
            free(key);
        }
    }
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const tpl_entry *)a)->key, ((const tpl_entry *)b)->key);
}

/* str_hash's FNV-1a, its high half folded into the low bits the slots mask */
static size_t key_hash(const char *k)
{
    uint64_t h = str_hash(k);
    return (size_t)(h ^ h >> 32);
}

/*
 * A hash index of the entries (sorted by key) for find(): a document asks
 * for a text some 8,000 times a plan, in up to three templates, and a
 * binary search over the keys with strcmp cost ~700 instructions an ask.
 * A key written twice answers what the binary search answers.
 */
static void index_entries(rtpl *t)
{
    size_t ns = 16;
    while (ns < 2 * t->n)
        ns *= 2;
    t->slot = xcalloc(ns, sizeof *t->slot);
    t->nslot = ns;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = key_hash(t->e[i].key) & (ns - 1);
        while (t->slot[h] && strcmp(t->e[t->slot[h] - 1].key, t->e[i].key) != 0)
            h = (h + 1) & (ns - 1);
        if (t->slot[h]) { /* a duplicate key */
            const tpl_entry *b = bsearch(&t->e[i], t->e, t->n, sizeof *t->e, cmp_entry);
            t->slot[h] = (uint32_t)(b - t->e) + 1;
        } else {
            t->slot[h] = (uint32_t)i + 1;
        }
    }
}

/* Placeholder at s (just after '{'): length of [a-z0-9_]+ followed by '}', else 0. */
static size_t placeholder_len(const char *s)
{
    size_t i = 0;
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')
        i++;
    return i > 0 && s[i] == '}' ? i : 0;
}

static void check_placeholders(const rtpl *t, const tpl_entry *e, const char *const *known,
                               diag_list *d)
{
    for (const char *p = e->text; *p; p++) {
        if (p[0] == '{' && p[1] == '{') {
            p++;
            continue;
        }
        if (*p != '{')
            continue;
        size_t n = placeholder_len(p + 1);
        if (!n) {
            diag_add(d, DIAG_ERROR, t->path, e->line, 0,
                     "%s: '{' starts no placeholder (write {{ for a literal brace)", e->key);
            continue;
        }
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strlen(*k) == n && strncmp(*k, p + 1, n) == 0;
        if (!ok)
            diag_add(d, DIAG_ERROR, t->path, e->line, 0, "%s: unknown placeholder {%.*s}", e->key,
                     (int)n, p + 1);
        p += n + 1;
    }
}

/* path's texts, flattened and indexed, or NULL when it cannot be read as
 * YAML; the shape's errors are in d (the caller counts them). */
static rtpl *parse_template(const char *path, diag_list *d)
{
    ydoc y;
    if (ydoc_load(&y, path, d) != 0) {
        ydoc_free(&y);
        return NULL;
    }
    rtpl *t = xcalloc(1, sizeof *t);
    t->path = xstrdup(path);
    memcpy(t->sha256, y.sha256, sizeof t->sha256);
    ynode *root = ydoc_root(&y);
    if (!ynode_is_map(root))
        ydiag(&y, d, DIAG_ERROR, root, "a report template is a mapping (document:, sections:, ...)");
    else
        flatten(t, &y, root, "", d);
    ydoc_free(&y);
    if (t->n)
        qsort(t->e, t->n, sizeof *t->e, cmp_entry);
    index_entries(t);
    return t;
}

static void check_all_placeholders(const rtpl *t, const char *const *known_vars, diag_list *d)
{
    for (size_t i = 0; known_vars && i < t->n; i++)
        check_placeholders(t, &t->e[i], known_vars, d);
}

int rtpl_load(rtpl **out, const char *path, const char *const *known_vars, diag_list *d)
{
    *out = NULL;
    size_t before = diag_errors(d);
    rtpl *t = parse_template(path, d);
    if (!t)
        return -1;
    check_all_placeholders(t, known_vars, d);
    if (diag_errors(d) > before) {
        rtpl_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

/* A copy of t's texts (not of what it has reported). */
static rtpl *rtpl_dup(const rtpl *t)
{
    rtpl *c = xcalloc(1, sizeof *c);
    c->path = xstrdup(t->path);
    memcpy(c->sha256, t->sha256, sizeof c->sha256);
    c->e = xmalloc((t->n ? t->n : 1) * sizeof *c->e);
    c->n = c->cap = t->n;
    for (size_t i = 0; i < t->n; i++) {
        c->e[i].key = xstrdup(t->e[i].key);
        c->e[i].text = xstrdup(t->e[i].text);
        c->e[i].line = t->e[i].line;
    }
    c->nslot = t->nslot;
    c->slot = xmalloc((t->nslot ? t->nslot : 1) * sizeof *c->slot);
    if (t->nslot)
        memcpy(c->slot, t->slot, t->nslot * sizeof *c->slot);
    return c;
}

/* A file parsed once, whatever placeholders its callers can fill: the
 * session's check of changes.yaml and the changes module share one parse. */
typedef struct cached_tpl {
    rtpl *t;                      /* its placeholders unchecked */
    const char *const **checked;  /* the known_vars lists its texts passed */
    size_t nchecked, capchecked;
} cached_tpl;

struct rtpl_cache {
    cached_tpl *e;
    size_t n, cap;
};

rtpl_cache *rtpl_cache_new(void) { return xcalloc(1, sizeof(rtpl_cache)); }

void rtpl_cache_free(rtpl_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        rtpl_free(c->e[i].t);
        free(c->e[i].checked);
    }
    free(c->e);
    free(c);
}

/* c's parse of path, parsed now if it is not there; NULL when the file
 * fails, with the errors rtpl_load() would give for known_vars. */
static cached_tpl *cache_entry(rtpl_cache *c, const char *path, const char *const *known_vars,
                               diag_list *d)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].t->path, path) == 0)
            return &c->e[i];
    size_t before = diag_errors(d);
    rtpl *t = parse_template(path, d);
    if (t && diag_errors(d) > before) {
        check_all_placeholders(t, known_vars, d); /* said with the shape's errors, as before */
        rtpl_free(t);
        t = NULL;
    }
    if (!t)
        return NULL;
    cached_tpl *e = ARRAY_PUSH(c->e, c->n, c->cap);
    memset(e, 0, sizeof *e);
    e->t = t;
    return e;
}

int rtpl_load_cached(rtpl_cache *c, rtpl **out, const char *path, const char *const *known_vars,
                     diag_list *d)
{
    if (!c)
        return rtpl_load(out, path, known_vars, d);
    *out = NULL;
    cached_tpl *e = cache_entry(c, path, known_vars, d);
    if (!e)
        return -1;
    size_t k = 0;
    while (k < e->nchecked && e->checked[k] != known_vars)
        k++;
    if (known_vars && k == e->nchecked) {
        size_t before = diag_errors(d);
        check_all_placeholders(e->t, known_vars, d);
        if (diag_errors(d) > before)
            return -1; /* said again at the next load, as a file that fails */
        *ARRAY_PUSH(e->checked, e->nchecked, e->capchecked) = known_vars;
    }
    *out = rtpl_dup(e->t);
    return 0;
}

void rtpl_cache_preload(rtpl_cache *c, const char *path)
{
    diag_list ignored = {0}; /* said when the file is used */
    if (c)
        cache_entry(c, path, NULL, &ignored);
    diag_free(&ignored);
}

const char *rtpl_cache_digest(const rtpl_cache *c, const char *path)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->e[i].t->path, path) == 0)
            return c->e[i].t->sha256;
    return NULL;
}

void rtpl_free(rtpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].key);
        free(t->e[i].text);
    }
    for (size_t i = 0; i < t->nwarned; i++)
        free(t->warned[i]);
    free(t->warned);
    free(t->slot);
    free(t->e);
    free(t->path);
    free(t);
}

const char *rtpl_file(const rtpl *t) { return t->path; }

static const tpl_entry *find_hashed(const rtpl *t, const char *key, size_t hash)
{
    if (t->nslot) {
        for (size_t h = hash & (t->nslot - 1); t->slot[h]; h = (h + 1) & (t->nslot - 1))
            if (strcmp(t->e[t->slot[h] - 1].key, key) == 0)
                return &t->e[t->slot[h] - 1];
        return NULL;
    }
    tpl_entry probe = {(char *)key, NULL, 0};
    return t->n ? bsearch(&probe, t->e, t->n, sizeof *t->e, cmp_entry) : NULL;
}

static const tpl_entry *find(const rtpl *t, const char *key)
{
    return find_hashed(t, key, t->nslot ? key_hash(key) : 0);
}

const char *rtpl_get(const rtpl *t, const char *key)
{
    const tpl_entry *e = find(t, key);
    return e ? e->text : NULL;
}

size_t rtpl_key_hash(const char *key) { return key_hash(key); }

const char *rtpl_get_hashed(const rtpl *t, const char *key, size_t hash)
{
    const tpl_entry *e = find_hashed(t, key, hash);
    return e ? e->text : NULL;
}

const char *rtpl_getf(const rtpl *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *key = xvasprintf(fmt, ap);
    va_end(ap);
    const char *s = rtpl_get(t, key);
    free(key);
    return s;
}

int rtpl_line(const rtpl *t, const char *key)
{
    const tpl_entry *e = find(t, key);
    return e ? e->line : 0;
}

int rtpl_has(const rtpl *t, const char *prefix)
{
    size_t n = strlen(prefix);
    /* Entries are sorted: find the first key >= prefix. */
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(t->e[mid].key, prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < t->n && strncmp(t->e[i].key, prefix, n) == 0; i++)
        if (t->e[i].key[n] == '\0' || t->e[i].key[n] == '.')
            return 1;
    return 0;
}

int rtpl_count(const rtpl *t, const char *prefix)
{
    int n = 0;
    for (;;) {
        char *k = xasprintf("%s.%d", prefix, n);
        int has = rtpl_has(t, k);
        free(k);
        if (!has)
            return n;
        n++;
    }
}

void rtpl_require(const rtpl *t, const char *prefix, const char *const *keys, const char *what,
                  diag_list *d)
{
    for (const char *const *k = keys; *k; k++) {
        char *full = *prefix ? xasprintf("%s.%s", prefix, *k) : xstrdup(*k);
        if (!rtpl_has(t, full))
            diag_add(d, DIAG_ERROR, t->path, 0, 0, "%s: missing key '%s'", what, full);
        free(full);
    }
}

/* ---------- placeholder values ---------- */

void tv_init(tvars *v, const tvars *parent)
{
    /* name, value and pool are read only below n and used */
    v->parent = parent;
    v->n = 0;
    v->used = 0;
}

/* A copy of value ("" for NULL) in v's pool, or malloc'ed once it is full
 * (some 650,000 values for 20 regions, nearly all short). */
static char *tv_copy(tvars *v, const char *value)
{
    if (!value)
        value = "";
    size_t n = strlen(value) + 1;
    if (n > TV_POOL - v->used)
        return xstrdup(value);
    char *s = v->pool + v->used;
    memcpy(s, value, n);
    v->used += n;
    return s;
}

static void tv_drop(tvars *v, char *s)
{
    uintptr_t a = (uintptr_t)s, p = (uintptr_t)v->pool;
    if (a - p >= TV_POOL)
        free(s);
}

/* Names compared by their first byte before strcmp: a renderer sets a
 * score of names per item, each looked for among those already set. */
static int same_name(const char *a, const char *b) { return a[0] == b[0] && strcmp(a, b) == 0; }

void tv_set(tvars *v, const char *name, const char *value)
{
    for (int i = 0; i < v->n; i++)
        if (same_name(v->name[i], name)) {
            char *old = v->value[i]; /* value may be it */
            v->value[i] = tv_copy(v, value);
            tv_drop(v, old);
            return;
        }
    if (v->n == TV_MAX) {
        fprintf(stderr, "planeval: internal error: too many template values\n");
        abort();
    }
    v->name[v->n] = name;
    v->value[v->n] = tv_copy(v, value);
    v->n++;
}

void tv_setf(tvars *v, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (fmt[0] == '%' && fmt[1] == 'd' && !fmt[2]) {
        /* "%d", most calls (years, counts): written by hand, as printf
         * writes it, without formatting twice and allocating */
        int x = va_arg(ap, int);
        va_end(ap);
        char buf[24];
        buf[0] = '-';
        format_uint(buf + 1, x < 0 ? 0u - (unsigned)x : (unsigned)x);
        tv_set(v, name, x < 0 ? buf : buf + 1);
        return;
    }
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    tv_set(v, name, s);
    free(s);
}

const char *tv_get(const tvars *v, const char *name)
{
    for (; v; v = v->parent)
        for (int i = v->n - 1; i >= 0; i--)
            if (same_name(v->name[i], name))
                return v->value[i];
    return NULL;
}

void tv_free(tvars *v)
{
    for (int i = 0; i < v->n; i++)
        tv_drop(v, v->value[i]);
    v->n = 0;
    v->used = 0;
}

static void warn_missing(rtpl *t, const char *key, const char *name, size_t n, diag_list *d)
{
    char *tag = xasprintf("%s\n%.*s", key ? key : "", (int)n, name);
    for (size_t i = 0; i < t->nwarned; i++)
        if (strcmp(t->warned[i], tag) == 0) {
            free(tag);
            return;
        }
    *ARRAY_PUSH(t->warned, t->nwarned, t->capwarned) = tag;
    /* An error, not a warning: a raw {name} must never reach a reader. */
    diag_add(d, DIAG_ERROR, t->path, key ? rtpl_line(t, key) : 0, 0,
             "%s: placeholder {%.*s} has no value here", key ? key : "text", (int)n, name);
}

/*
 * The pieces of a filled text, kept as pointers into the text and the
 * values until the end, then copied once into a string of the right size:
 * the documents fill some 8,000 texts a plan each layout pass, and a
 * growing buffer (two allocations or more each) cost as much as the rest.
 * A text of more than FILL_SEGS pieces goes on in a strbuf.
 */
#define FILL_SEGS 32
typedef struct fill_out {
    struct {
        const char *s;
        size_t n;
    } seg[FILL_SEGS];
    int nseg;
    size_t len;
    int spilled; /* the pieces are in spill from now on */
    strbuf spill;
} fill_out;

static void fill_put(fill_out *o, const char *s, size_t n)
{
    if (!o->spilled && o->nseg < FILL_SEGS) {
        o->seg[o->nseg].s = s;
        o->seg[o->nseg].n = n;
        o->nseg++;
        o->len += n;
        return;
    }
    if (!o->spilled) {
        o->spilled = 1;
        sb_init(&o->spill);
        for (int i = 0; i < o->nseg; i++)
            sb_addn(&o->spill, o->seg[i].s, o->seg[i].n);
    }
    sb_addn(&o->spill, s, n);
}

/* The filled text, allocated (the caller's). */
static char *fill_take(fill_out *o)
{
    if (o->spilled)
        return sb_take(&o->spill);
    char *r = xmalloc(o->len + 1), *w = r;
    for (int i = 0; i < o->nseg; i++) {
        memcpy(w, o->seg[i].s, o->seg[i].n);
        w += o->seg[i].n;
    }
    *w = '\0';
    return r;
}

char *rtpl_fill(rtpl *t, const char *text, const char *key, const tvars *v, diag_list *d)
{
    fill_out o;
    o.nseg = 0;
    o.len = 0;
    o.spilled = 0;
    for (const char *p = text ? text : ""; *p; p++) {
        /* plain text up to the next brace in one piece */
        size_t run = strcspn(p, "{}");
        if (run) {
            fill_put(&o, p, run);
            p += run - 1;
            continue;
        }
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            fill_put(&o, p, 1);
            p++;
            continue;
        }
        size_t n;
        if (*p == '{' && (n = placeholder_len(p + 1)) > 0) {
            char name[64];
            if (n < sizeof name) {
                memcpy(name, p + 1, n);
                name[n] = '\0';
                const char *val = tv_get(v, name);
                if (val) {
                    fill_put(&o, val, strlen(val));
                    p += n + 1;
                    continue;
                }
            }
            warn_missing(t, key, p + 1, n, d);
        }
        fill_put(&o, p, 1);
    }
    return fill_take(&o);
}

char *rtpl_expand(rtpl *t, const char *key, const tvars *v, diag_list *d)
{
    return rtpl_fill(t, rtpl_get(t, key), key, v, d);
}

char *rtpl_expandf(rtpl *t, const tvars *v, diag_list *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *key = xvasprintf(fmt, ap);
    va_end(ap);
    char *s = rtpl_expand(t, key, v, d);
    free(key);
    return s;
}
