/* labels.c - see labels.h. */
#include "labels.h"
#include "util.h"
#include "yamldoc.h"

#include <stdlib.h>
#include <string.h>

int labels_load(labels *l, const char *path, diag_list *d)
{
    memset(l, 0, sizeof *l);
    ydoc y;
    if (ydoc_load(&y, path, d) != 0) {
        ydoc_free(&y);
        return -1;
    }
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
            label_entry *e = ARRAY_PUSH(l->items, l->n, l->cap);
            e->section = xstrdup(section);
            e->code = xstrdup(code);
            e->text = xstrdup(text);
            e->section_line = ynode_line(ymap_key(&y, root, i));
        }
    }
    /* the entries of a section are contiguous: find() skips the others whole */
    for (size_t i = l->n, end = l->n; i-- > 0;) {
        if (i + 1 < l->n && strcmp(l->items[i].section, l->items[i + 1].section) != 0)
            end = i + 1;
        l->items[i].section_end = end;
    }
    ydoc_free(&y);
    return diag_errors(d) > before ? -1 : 0;
}

void labels_free(labels *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].section);
        free(l->items[i].code);
        free(l->items[i].text);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

static const label_entry *find(const labels *l, const char *section, const char *code)
{
    for (size_t i = 0; i < l->n;) {
        if (strcmp(l->items[i].section, section) != 0)
            i = l->items[i].section_end;
        else if (strcmp(l->items[i].code, code) == 0)
            return &l->items[i];
        else
            i++;
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
