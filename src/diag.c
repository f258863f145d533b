/* diag.c - see diag.h. */
#include "diag.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>

void diag_add(diag_list *l, diag_level lv, const char *file, int line, int col,
              const char *fmt, ...)
{
    diag *d = ARRAY_PUSH(l->items, l->n, l->cap);
    d->level = lv;
    d->file = file ? xstrdup(file) : NULL;
    d->line = line;
    d->col = col;
    va_list ap;
    va_start(ap, fmt);
    d->msg = xvasprintf(fmt, ap);
    va_end(ap);
}

static size_t count_level(const diag_list *l, diag_level lv)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->items[i].level == lv;
    return n;
}

size_t diag_errors(const diag_list *l) { return count_level(l, DIAG_ERROR); }
size_t diag_warnings(const diag_list *l) { return count_level(l, DIAG_WARNING); }

void diag_print(const diag_list *l, FILE *f)
{
    for (size_t i = 0; i < l->n; i++) {
        const diag *d = &l->items[i];
        const char *lv = d->level == DIAG_ERROR ? "error" : "warning";
        if (d->file && d->line && d->col)
            fprintf(f, "%s:%d:%d: %s: %s\n", d->file, d->line, d->col, lv, d->msg);
        else if (d->file && d->line)
            fprintf(f, "%s:%d: %s: %s\n", d->file, d->line, lv, d->msg);
        else if (d->file)
            fprintf(f, "%s: %s: %s\n", d->file, lv, d->msg);
        else
            fprintf(f, "%s: %s\n", lv, d->msg);
    }
}

void diag_free(diag_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].file);
        free(l->items[i].msg);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}
