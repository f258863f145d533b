/*
 * labels.h - the Chinese wording of codes (statuses, stages, target forms),
 * read from templates/labels.yaml so that no Chinese lives in C sources and
 * an office can reword without recompiling.
 */
#ifndef PLANEVAL_LABELS_H
#define PLANEVAL_LABELS_H

#include "diag.h"

typedef struct label_entry {
    const char *section, *code, *text; /* in the labels' pool, not each its own */
    int section_line; /* where the section starts in the file, for messages */
    int line, col;    /* where the text is */
} label_entry;

typedef struct labels {
    label_entry *items; /* in file order */
    size_t n, cap;
    label_entry **index; /* items by section and code */
    char *pool;          /* the items' strings, one block (a copy is one memcpy) */
    size_t pool_len;
    char sha256[65];     /* digest of the file's bytes as read */
} labels;

/* Load path; -1 with errors in d. Every section: mapping of code -> text. */
int labels_load(labels *l, const char *path, diag_list *d);
void labels_free(labels *l);

/*
 * The wording files of a run, each read once (the workbook's was read for
 * every plan, ~4 million instructions): a load through the cache fills l
 * with a copy, the caller's to free as from labels_load(); a file that
 * fails to load is not kept (its errors are said again at the next load).
 */
typedef struct labels_cache labels_cache;
labels_cache *labels_cache_new(void);
void labels_cache_free(labels_cache *c);
/* labels_load() through c; c NULL is labels_load() itself. */
int labels_load_cached(labels_cache *c, labels *l, const char *path, diag_list *d);
/* path read into c now, if it can be (report_tpl.h's rtpl_cache_preload);
 * its errors are said when it is loaded for use. */
void labels_cache_preload(labels_cache *c, const char *path);
/* The digest of path as read through c, or NULL when c has not read it. */
const char *labels_cache_digest(const labels_cache *c, const char *path);
/* Text for section/code; the code itself when there is none. */
const char *label(const labels *l, const char *section, const char *code);
/* Report codes in `codes` (NULL-terminated) missing from section. */
void labels_require(const labels *l, const char *path, const char *section,
                    const char *const *codes, diag_list *d);

/*
 * Why name cannot be an Excel sheet name, or NULL. Excel's rules: 1 to 31
 * characters (UTF-16 units), none of []:*?/\, no apostrophe at either
 * end, and not "History" (reserved). A name breaking them makes the
 * workbook library fail at write time, naming a temporary file.
 */
const char *sheet_name_problem(const char *name);
/*
 * Every text of section is a valid sheet name and no two are the same
 * (Excel ignores case); errors at the text's line and column in path.
 */
void labels_check_sheets(const labels *l, const char *path, const char *section, diag_list *d);

#endif
