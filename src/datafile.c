/*
 * datafile.c - a region's table file as editable rows of text (datafile.h).
 */
#include "datafile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static int header_is(const char *s, const char *name, const char *label)
{
    return strcmp(s, name) == 0 || (label && strcmp(s, label) == 0);
}

/* The column of each fixed role and dimension, from the header row. */
static void map_header(datafile *f)
{
    const table_def *t = &f->dict->tables[f->table];
    f->year_col = f->var_col = f->value_col = -1;
    f->dim_col = xcalloc((size_t)t->ndims + 1, sizeof(int));
    for (int k = 0; k < t->ndims; k++)
        f->dim_col[k] = -1;
    for (int j = 0; j < f->ncols; j++) {
        const char *h = f->rows[0][j];
        if (header_is(h, "year", "年份"))
            f->year_col = j;
        else if (t->layout == LAYOUT_LONG && header_is(h, "variable", "指标"))
            f->var_col = j;
        else if (t->layout == LAYOUT_LONG && header_is(h, "value", "数值"))
            f->value_col = j;
        for (int k = 0; k < t->ndims; k++)
            if (header_is(h, t->dims[k].name, t->dims[k].label))
                f->dim_col[k] = j;
    }
}

static void push_row(datafile *f, char **fields, int line)
{
    size_t n = (size_t)f->nrows;
    *ARRAY_PUSH(f->rows, n, f->rows_cap) = fields;
    f->lines = xrealloc(f->lines, f->rows_cap * sizeof *f->lines);
    f->lines[f->nrows++] = line;
}

/* The header a new file gets: year, dimensions, every variable of the table, note. */
static void new_header(datafile *f)
{
    const table_def *t = &f->dict->tables[f->table];
    char **h = xcalloc((size_t)f->dict->nvars + (size_t)t->ndims + 4, sizeof *h);
    int n = 0;
    h[n++] = xstrdup("year");
    for (int k = 0; k < t->ndims; k++)
        h[n++] = xstrdup(t->dims[k].name);
    if (t->layout == LAYOUT_LONG) {
        h[n++] = xstrdup("variable");
        h[n++] = xstrdup("value");
    } else {
        for (int v = 0; v < f->dict->nvars; v++)
            if (f->dict->vars[v].table == f->table)
                h[n++] = xstrdup(f->dict->vars[v].name);
    }
    h[n++] = xstrdup("note");
    f->ncols = n;
    push_row(f, h, 0);
}

int datafile_load(datafile *f, const dictionary *dict, int table, const char *dir, char *err,
                  size_t errsize)
{
    memset(f, 0, sizeof *f);
    f->dict = dict;
    f->table = table;
    f->path = xasprintf("%s/%s", dir, dict->tables[table].file);
    struct stat st;
    if (stat(f->path, &st) != 0 && errno == ENOENT) {
        new_header(f);
        map_header(f);
        return 0;
    }
    csv_table csv;
    csv_error ce;
    if (csvfile_read(f->path, &csv, &ce) != 0) {
        snprintf(err, errsize, "%s:%d:%d: %s", f->path, ce.line, ce.col, ce.msg);
        return -1;
    }
    f->exists = 1;
    f->bom = strcmp(csv.encoding, "UTF-8") != 0; /* with BOM, or GB18030 */
    f->crlf = csv.crlf;
    f->ncols = csv.rows[0].nfields;
    for (int i = 0; i < csv.nrows; i++) {
        csv_row *r = &csv.rows[i];
        /* a row longer than the header is the loader's error; the header's width is kept */
        char **fields = xcalloc((size_t)f->ncols + 1, sizeof *fields);
        for (int j = 0; j < f->ncols; j++)
            fields[j] = xstrdup(csv_get(r, j));
        push_row(f, fields, r->line);
    }
    csvfile_free(&csv);
    map_header(f);
    return 0;
}

void datafile_free(datafile *f)
{
    for (int i = 0; i < f->nrows; i++) {
        for (int j = 0; j < f->ncols; j++)
            free(f->rows[i][j]);
        free(f->rows[i]);
    }
    free(f->rows);
    free(f->lines);
    free(f->dim_col);
    free(f->path);
    memset(f, 0, sizeof *f);
}

static int row_year(const datafile *f, int i)
{
    return f->year_col >= 0 ? atoi(f->rows[i][f->year_col]) : 0;
}

static int var_matches(const datafile *f, const char *s, int var)
{
    return header_is(s, f->dict->vars[var].name, f->dict->vars[var].label);
}

/* The row of year, dims (and var, for a long table), or -1. */
static int find_row(const datafile *f, int year, int var, const char *const *dims)
{
    const table_def *t = &f->dict->tables[f->table];
    for (int i = 1; i < f->nrows; i++) {
        if (row_year(f, i) != year)
            continue;
        int ok = 1;
        for (int k = 0; k < t->ndims && ok; k++)
            ok = f->dim_col[k] >= 0 && strcmp(f->rows[i][f->dim_col[k]], dims[k]) == 0;
        if (ok && t->layout == LAYOUT_LONG)
            ok = f->var_col >= 0 && var_matches(f, f->rows[i][f->var_col], var);
        if (ok)
            return i;
    }
    return -1;
}

/* The column holding var's value, or -1. */
static int value_column(const datafile *f, int var)
{
    if (f->dict->tables[f->table].layout == LAYOUT_LONG)
        return f->value_col;
    for (int j = 0; j < f->ncols; j++)
        if (var_matches(f, f->rows[0][j], var))
            return j;
    return -1;
}

const char *datafile_get(const datafile *f, int year, int var, const char *const *dims, int *row)
{
    int i = find_row(f, year, var, dims);
    int c = value_column(f, var);
    if (row)
        *row = i;
    return i >= 0 && c >= 0 ? f->rows[i][c] : "";
}

/* Insert an empty row for year after the last row of that year or an earlier one. */
static int insert_row(datafile *f, int year, int var, const char *const *dims)
{
    const table_def *t = &f->dict->tables[f->table];
    int at = 1;
    for (int i = 1; i < f->nrows; i++)
        if (row_year(f, i) <= year)
            at = i + 1;
    char **fields = xcalloc((size_t)f->ncols + 1, sizeof *fields);
    for (int j = 0; j < f->ncols; j++)
        fields[j] = xstrdup("");
    free(fields[f->year_col]);
    fields[f->year_col] = xasprintf("%d", year);
    for (int k = 0; k < t->ndims; k++) {
        free(fields[f->dim_col[k]]);
        fields[f->dim_col[k]] = xstrdup(dims[k]);
    }
    if (t->layout == LAYOUT_LONG) {
        free(fields[f->var_col]);
        fields[f->var_col] = xstrdup(f->dict->vars[var].name);
    }
    push_row(f, fields, 0); /* grows the arrays; then move it into place */
    memmove(&f->rows[at + 1], &f->rows[at], (size_t)(f->nrows - 1 - at) * sizeof *f->rows);
    memmove(&f->lines[at + 1], &f->lines[at], (size_t)(f->nrows - 1 - at) * sizeof *f->lines);
    f->rows[at] = fields;
    f->lines[at] = 0;
    return at;
}

int datafile_set(datafile *f, int year, int var, const char *const *dims, const char *text,
                 char *err, size_t errsize)
{
    const table_def *t = &f->dict->tables[f->table];
    int c = value_column(f, var);
    int ok = c >= 0 && f->year_col >= 0 && (t->layout != LAYOUT_LONG || f->var_col >= 0);
    for (int k = 0; k < t->ndims && ok; k++)
        ok = f->dim_col[k] >= 0;
    if (!ok) {
        snprintf(err, errsize, "%s has no column for %s (or for the year or a dimension); add "
                               "it to the header first",
                 f->path, f->dict->vars[var].name);
        return -1;
    }
    int i = find_row(f, year, var, dims);
    if (i < 0)
        i = insert_row(f, year, var, dims);
    free(f->rows[i][c]);
    f->rows[i][c] = xstrdup(text);
    f->changed = 1;
    return 0;
}

int datafile_combinations(const datafile *f, const char ***out)
{
    const table_def *t = &f->dict->tables[f->table];
    int nd = t->ndims, n = 0;
    const char **c = xcalloc((size_t)f->nrows * (size_t)nd + 1, sizeof *c);
    for (int i = 1; i < f->nrows && nd > 0; i++) {
        int seen = 0;
        for (int m = 0; m < n && !seen; m++) {
            seen = 1;
            for (int k = 0; k < nd && seen; k++)
                seen = f->dim_col[k] >= 0 && strcmp(c[m * nd + k], f->rows[i][f->dim_col[k]]) == 0;
        }
        if (seen)
            continue;
        for (int k = 0; k < nd; k++)
            c[n * nd + k] = f->dim_col[k] >= 0 ? f->rows[i][f->dim_col[k]] : "";
        n++;
    }
    *out = c;
    return n;
}

static int needs_quotes(const char *s)
{
    size_t n = strlen(s);
    return strpbrk(s, ",\"\r\n") != NULL ||
           (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
}

static void write_field(FILE *out, const char *s)
{
    if (!needs_quotes(s)) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int datafile_write(const datafile *f, FILE *out)
{
    if (f->bom)
        fputs("\xef\xbb\xbf", out);
    for (int i = 0; i < f->nrows; i++) {
        for (int j = 0; j < f->ncols; j++) {
            if (j)
                fputc(',', out);
            write_field(out, f->rows[i][j]);
        }
        fputs(f->crlf ? "\r\n" : "\n", out);
    }
    return ferror(out) ? -1 : 0;
}
