/*
 * report_tpl.h - the report templates (templates/brief.yaml,
 * templates/report.yaml): every word of the PDF reports and their order of
 * sections, so that an office can reword or reorder without recompiling.
 *
 * A template file is read as a flat table of texts keyed by their path:
 * `document.footer`, `sections.2.heading`, `words.status.met`, ... (list
 * items are numbered from 0). Texts hold placeholders `{name}`, filled in
 * when the report is rendered; `{{` and `}}` are literal braces.
 * docs/templates.md lists every key and placeholder.
 */
#ifndef PLANEVAL_REPORT_TPL_H
#define PLANEVAL_REPORT_TPL_H

#include "diag.h"

typedef struct rtpl rtpl;

/*
 * Load path. known_vars (NULL-terminated) are the placeholder names the
 * renderer can fill: any other name in a text is an error (a typo), with
 * file and line. Returns 0, or -1 with errors in d (*out is then NULL).
 */
int rtpl_load(rtpl **out, const char *path, const char *const *known_vars, diag_list *d);
void rtpl_free(rtpl *t);
const char *rtpl_file(const rtpl *t);

/*
 * The templates of a run, each file read and checked once: a run of many
 * plans loaded findings.yaml, brief.yaml, report.yaml and changes.yaml for
 * every plan (~3 million instructions each, most of it libyaml). A load
 * through the cache hands out a copy of the texts, the caller's to free as
 * from rtpl_load(); a file that fails to load is not kept (its errors are
 * said again at the next load). Kept by path; the known_vars lists its
 * texts passed are kept by address (the callers pass their static lists).
 */
typedef struct rtpl_cache rtpl_cache;
rtpl_cache *rtpl_cache_new(void);
void rtpl_cache_free(rtpl_cache *c);
/* rtpl_load() through c; c NULL is rtpl_load() itself. The file is parsed
 * once whatever known_vars; its placeholders are checked once per list. */
int rtpl_load_cached(rtpl_cache *c, rtpl **out, const char *path, const char *const *known_vars,
                     diag_list *d);
/* path parsed into c now, if it can be: a run's parent reads the templates
 * once for all its workers, before the plans' inputs.sha256 list them. Its
 * errors are said when it is loaded for use. */
void rtpl_cache_preload(rtpl_cache *c, const char *path);

/* The digest of path as read through c, or NULL when c has not read it. */
const char *rtpl_cache_digest(const rtpl_cache *c, const char *path);

/* Text at key, or NULL. */
const char *rtpl_get(const rtpl *t, const char *key);
/* The same with key's rtpl_key_hash(), for a key looked up in several
 * templates in turn (hashed once, not once per template). */
size_t rtpl_key_hash(const char *key);
const char *rtpl_get_hashed(const rtpl *t, const char *key, size_t hash);
/* Text at a formatted key, or NULL. */
const char *rtpl_getf(const rtpl *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Line of the text at key (0 if absent). */
int rtpl_line(const rtpl *t, const char *key);
/* Number of list items prefix.0, prefix.1, ... */
int rtpl_count(const rtpl *t, const char *prefix);
/* 1 if any key starts with prefix + '.' or equals prefix. */
int rtpl_has(const rtpl *t, const char *prefix);

/*
 * Report each key of keys (NULL-terminated, relative to prefix) that is
 * missing, naming `what` (e.g. "section 3 (kind headline)").
 */
void rtpl_require(const rtpl *t, const char *prefix, const char *const *keys, const char *what,
                  diag_list *d);

/* Placeholder values; lookups fall back to parent. */
#define TV_MAX 64
#define TV_POOL 1024
typedef struct tvars {
    const struct tvars *parent;
    int n;
    size_t used; /* bytes of pool taken */
    const char *name[TV_MAX];
    char *value[TV_MAX]; /* in pool, or malloc'ed when it is full */
    char pool[TV_POOL];  /* the values' copies: a malloc each cost more than the rest */
} tvars;

void tv_init(tvars *v, const tvars *parent);
void tv_set(tvars *v, const char *name, const char *value); /* copies; NULL is "" */
void tv_setf(tvars *v, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *tv_get(const tvars *v, const char *name);
void tv_free(tvars *v);

/*
 * Expand text with v. A placeholder with no value is an error: kept as
 * written and reported once, naming the template file and line of key, so
 * that the renderer fails and no raw {name} reaches a reader.
 * Returns an allocated string.
 */
char *rtpl_fill(rtpl *t, const char *text, const char *key, const tvars *v, diag_list *d);
/* rtpl_fill of the text at key ("" when the key is absent). */
char *rtpl_expand(rtpl *t, const char *key, const tvars *v, diag_list *d);
char *rtpl_expandf(rtpl *t, const tvars *v, diag_list *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
