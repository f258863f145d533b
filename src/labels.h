/*
 * labels.h - the Chinese wording of codes (statuses, stages, target forms),
 * read from templates/labels.yaml so that no Chinese lives in C sources and
 * an office can reword without recompiling.
 */
#ifndef PLANEVAL_LABELS_H
#define PLANEVAL_LABELS_H

#include "diag.h"

typedef struct label_entry {
    char *section, *code, *text;
    int section_line; /* where the section starts in the file, for messages */
    size_t section_end; /* index of the first entry after this entry's section */
} label_entry;

typedef struct labels {
    label_entry *items;
    size_t n, cap;
} labels;

/* Load path; -1 with errors in d. Every section: mapping of code -> text. */
int labels_load(labels *l, const char *path, diag_list *d);
void labels_free(labels *l);
/* Text for section/code; the code itself when there is none. */
const char *label(const labels *l, const char *section, const char *code);
/* Report codes in `codes` (NULL-terminated) missing from section. */
void labels_require(const labels *l, const char *path, const char *section,
                    const char *const *codes, diag_list *d);

#endif
