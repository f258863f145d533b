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

/*
 * Messages quote what users wrote; a control character in an id (a line
 * feed, an escape sequence) must neither forge a line in a cron log nor
 * drive the terminal, so it is shown as \xNN.
 */
static char *printable(const char *s)
{
    strbuf b;
    sb_init(&b);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\x%02x", *p);
            sb_add(&b, esc);
        } else {
            sb_addc(&b, (char)*p);
        }
    }
    return sb_take(&b);
}

/* One diagnostic as a line (without the newline), control characters
 * escaped; with its level ("error: ") when with_level. Allocated. */
static char *format_diag(const diag *d, int with_level)
{
    const char *lv = !with_level ? "" : d->level == DIAG_ERROR ? "error: " : "warning: ";
    char *msg = printable(d->msg);
    char *file = d->file ? printable(d->file) : NULL;
    char *line;
    if (file && d->line && d->col)
        line = xasprintf("%s:%d:%d: %s%s", file, d->line, d->col, lv, msg);
    else if (file && d->line)
        line = xasprintf("%s:%d: %s%s", file, d->line, lv, msg);
    else if (file)
        line = xasprintf("%s: %s%s", file, lv, msg);
    else
        line = xasprintf("%s%s", lv, msg);
    free(msg);
    free(file);
    return line;
}

void diag_print(const diag_list *l, FILE *f)
{
    for (size_t i = 0; i < l->n; i++) {
        char *line = format_diag(&l->items[i], 1);
        fprintf(f, "%s\n", line);
        free(line);
    }
}

int diag_first_error(const diag_list *l, size_t from, char *buf, size_t n)
{
    for (size_t i = from; i < l->n; i++)
        if (l->items[i].level == DIAG_ERROR) {
            char *line = format_diag(&l->items[i], 0);
            snprintf(buf, n, "%s", line);
            free(line);
            return 1;
        }
    if (n)
        buf[0] = '\0';
    return 0;
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
