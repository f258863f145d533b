/*
 * collect_import.c - a filled data-collection workbook back into
 * data/<region>/ (collect.h).
 *
 * Order: read the workbook (xlsxread); check its layout against the hidden
 * sheet _planeval (every sheet there, the year headings, every row's key in
 * place, no merged cells over the data); read every input cell by the
 * number rules (numtext.h) and the rule of the variable's kind; then, only
 * when nothing was refused, set the cells in the table files, print each
 * change and write the changed files together (outset: all or nothing).
 * An empty cell never removes a value already held.
 */
#include "collect.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datafile.h"
#include "numtext.h"
#include "outset.h"
#include "util.h"
#include "xlsxread.h"

typedef struct isheet {
    const xlsx_sheet *xs;
    char *name;
    int table;
    char **keys;
    int nkeys;
    size_t kcap;
} isheet;

typedef struct import_ctx {
    const char *path;
    const dictionary *dict;
    diag_list *d;
    xlsx_book book;
    char *region, *plan_id;
    int first_year, last_year;
    isheet *sheets;
    int nsheets;
    size_t scap;
    datafile *files; /* per dictionary table, loaded on first use */
    int *loaded;
} import_ctx;

static void err_at(import_ctx *c, const char *sheet, int row, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* An error located at sheet and cell (row, col 1-based; row 0: the sheet). */
static void err_at(import_ctx *c, const char *sheet, int row, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    char cell[16];
    if (row > 0)
        diag_add(c->d, DIAG_ERROR, c->path, 0, 0, "sheet '%s' cell %s: %s", sheet,
                 xlsx_cell_name(row, col, cell), msg);
    else
        diag_add(c->d, DIAG_ERROR, c->path, 0, 0, "sheet '%s': %s", sheet, msg);
    free(msg);
}

static const char *text_at(const xlsx_sheet *s, int row, int col)
{
    const xlsx_cell *c = xlsx_cell_at(s, row, col);
    return c ? c->text : "";
}

/* ---------- the layout the workbook says it has ---------- */

static int read_meta_head(import_ctx *c, const xlsx_sheet *m)
{
    const char *first = text_at(m, 1, 1);
    if (strcmp(first, COLLECT_MAGIC) != 0) {
        err_at(c, m->name, 1, 1, "not a planeval data-collection workbook ('%s')", first);
        return -1;
    }
    c->region = xstrdup(text_at(m, 1, 2));
    c->plan_id = xstrdup(text_at(m, 1, 3));
    double a, b;
    if (!safe_id(c->region) || parse_number(text_at(m, 1, 4), &a) != 0 ||
        parse_number(text_at(m, 1, 5), &b) != 0 || a != floor(a) || b != floor(b) || a < 1949 ||
        b > 2100 || a > b) {
        err_at(c, m->name, 1, 2, "the region or the years are damaged");
        return -1;
    }
    c->first_year = (int)a;
    c->last_year = (int)b;
    return 0;
}

/* The "sheet" and "row" lines of _planeval. */
static int read_meta_rows(import_ctx *c, const xlsx_sheet *m)
{
    isheet *cur = NULL;
    for (int row = 2;; row++) {
        const char *kind = text_at(m, row, 1);
        if (!*kind)
            return 0;
        if (strcmp(kind, "sheet") == 0) {
            size_t n = (size_t)c->nsheets;
            cur = ARRAY_PUSH(c->sheets, n, c->scap);
            c->nsheets++;
            memset(cur, 0, sizeof *cur);
            cur->name = xstrdup(text_at(m, row, 2));
            cur->table = dictionary_find_table(c->dict, text_at(m, row, 3));
            if (cur->table < 0 || c->dict->tables[cur->table].layout == LAYOUT_EVENTS) {
                err_at(c, m->name, row, 3, "unknown table '%s'", text_at(m, row, 3));
                return -1;
            }
        } else if (strcmp(kind, "row") == 0 && cur && strcmp(text_at(m, row, 2), cur->name) == 0) {
            *ARRAY_PUSH(cur->keys, cur->nkeys, cur->kcap) = xstrdup(text_at(m, row, 3));
        } else {
            err_at(c, m->name, row, 1, "damaged layout line");
            return -1;
        }
    }
}

/* Year headings and keys where the layout puts them; no merged cells over them. */
static int check_sheet(import_ctx *c, isheet *s)
{
    s->xs = xlsx_sheet_named(&c->book, s->name);
    if (!s->xs) {
        err_at(c, s->name, 0, 0, "missing (renamed or deleted?): the workbook must keep its sheets");
        return -1;
    }
    const xlsx_sheet *xs = s->xs;
    size_t before = diag_errors(c->d);
    int head = COLLECT_HEADER_ROW + 1, ny = c->last_year - c->first_year + 1;
    for (size_t i = 0; i < xs->nmerges; i++) {
        const xlsx_range *m = &xs->merges[i];
        if (m->r2 >= head)
            err_at(c, s->name, m->r1, m->c1, "merged cells (to %s) over the data: unmerge them",
                   xlsx_cell_name(m->r2, m->c2, (char[16]){0}));
    }
    for (int y = 0; y < ny; y++) {
        const char *t = text_at(xs, head, CC_FIRST_YEAR + 1 + y);
        double v;
        if (parse_number(t, &v) != 0 || v != c->first_year + y)
            err_at(c, s->name, head, CC_FIRST_YEAR + 1 + y,
                   "the year heading should be %d, not '%s' (columns moved or deleted?)",
                   c->first_year + y, t);
    }
    for (int k = 0; k < s->nkeys; k++) {
        const char *t = text_at(xs, head + 1 + k, CC_KEY + 1);
        if (strcmp(t, s->keys[k]) != 0)
            err_at(c, s->name, head + 1 + k, CC_KEY + 1,
                   "this row should be '%s', not '%s' (rows moved, inserted or deleted?)",
                   s->keys[k], t);
    }
    /* values below the last row or right of the last year have no place */
    for (size_t i = 0; i < xs->ncells; i++) {
        const xlsx_cell *x = &xs->cells[i];
        if ((x->row > head + s->nkeys && x->col > CC_KEY + 1) ||
            (x->row > head && x->col > CC_FIRST_YEAR + ny))
            err_at(c, s->name, x->row, x->col,
                   "'%s' is outside the table (new rows or columns are not read; ask for a new "
                   "template)",
                   x->text);
    }
    return diag_errors(c->d) > before ? -1 : 0;
}

static int read_layout(import_ctx *c)
{
    const xlsx_sheet *m = xlsx_sheet_named(&c->book, COLLECT_META_SHEET);
    if (!m) {
        diag_add(c->d, DIAG_ERROR, c->path, 0, 0,
                 "no sheet '%s': not a workbook written by `planeval template` (or the sheet "
                 "was deleted)",
                 COLLECT_META_SHEET);
        return -1;
    }
    if (read_meta_head(c, m) != 0 || read_meta_rows(c, m) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < c->nsheets; i++)
        if (check_sheet(c, &c->sheets[i]) != 0)
            rc = -1;
    return rc;
}

/* ---------- the cells ---------- */

/* The value of an input cell: 0 and *out; 1 when empty; -1 after an error. */
static int cell_value(import_ctx *c, const isheet *s, const xlsx_cell *x, const var_def *v,
                      double *out)
{
    char hint[200];
    if (!x)
        return 1;
    if (x->formula) {
        err_at(c, s->name, x->row, x->col,
               "a formula in an input cell: type the figure itself (copy, paste as values)");
        return -1;
    }
    if (x->type == XC_BOOL || x->type == XC_ERROR) {
        err_at(c, s->name, x->row, x->col, "%s is not a number",
               x->type == XC_BOOL ? "a TRUE/FALSE value" : "an error value");
        return -1;
    }
    if (x->type == XC_STRING) {
        const char *p = x->text;
        while (*p == ' ')
            p++;
        if (!*p)
            return 1;
        if (numtext_parse(x->text, v->kind == VK_SHARE, out, hint, sizeof hint) != 0) {
            err_at(c, s->name, x->row, x->col, "%s: '%s' is not a number%s%s%s", v->name, x->text,
                   hint[0] ? " (" : "", hint, hint[0] ? ")" : "");
            return -1;
        }
        return 0;
    }
    if (parse_number(x->text, out) != 0) {
        err_at(c, s->name, x->row, x->col, "'%s' is not a number", x->text);
        return -1;
    }
    if (x->percent) {
        /* shown as 85%, stored as 0.85: a share is written in percent */
        if (v->kind != VK_SHARE) {
            err_at(c, s->name, x->row, x->col,
                   "%s is formatted as a percentage, but %s is not a share: write it in %s",
                   x->text, v->name, v->unit && *v->unit ? v->unit : "its unit");
            return -1;
        }
        *out *= 100;
        *out = round(*out * 1e9) / 1e9; /* 0.955 * 100 is 95.5, not 95.50000000000001 */
    }
    return 0;
}

static datafile *table_file(import_ctx *c, int table, const char *dir)
{
    if (!c->loaded[table]) {
        char err[600];
        if (datafile_load(&c->files[table], c->dict, table, dir, err, sizeof err) != 0) {
            diag_add(c->d, DIAG_ERROR, NULL, 0, 0, "%s", err);
            return NULL;
        }
        c->loaded[table] = 1;
    }
    return &c->files[table];
}

typedef struct change {
    int sheet, row, col, table, var, year;
    char **dims;
    char *old, *new_text;
} change;

typedef struct changes {
    change *items;
    size_t n, cap;
} changes;

/* Read one data row; each value that differs from the held one becomes a change. */
static void read_row(import_ctx *c, int si, int k, datafile *f, changes *ch)
{
    const isheet *s = &c->sheets[si];
    char **dims;
    int var = collect_key_parse(c->dict, s->keys[k], &dims);
    const table_def *t = &c->dict->tables[s->table];
    int row = COLLECT_HEADER_ROW + 2 + k;
    if (var < 0 || c->dict->vars[var].table != s->table) {
        err_at(c, s->name, row, CC_KEY + 1, "unknown variable in '%s' (data dictionary changed?)",
               s->keys[k]);
        collect_dims_free(dims, var < 0 ? 0 : c->dict->tables[c->dict->vars[var].table].ndims);
        return;
    }
    for (int y = c->first_year; y <= c->last_year; y++) {
        int col = CC_FIRST_YEAR + 1 + (y - c->first_year);
        double x;
        const var_def *v = &c->dict->vars[var];
        if (cell_value(c, s, xlsx_cell_at(s->xs, row, col), v, &x) != 0)
            continue;
        const char *rule = var_kind_rule(v->kind, x);
        if (rule) {
            char num[32];
            err_at(c, s->name, row, col, "%s: %s %s", v->name, format_number(x, num), rule);
            continue;
        }
        const char *held = datafile_get(f, y, var, (const char *const *)dims, NULL);
        double h;
        char hint[160], num[32];
        if (*held && numtext_parse(held, v->kind == VK_SHARE, &h, hint, sizeof hint) == 0 && h == x)
            continue;
        change *e = ARRAY_PUSH(ch->items, ch->n, ch->cap);
        *e = (change){si, row, col, s->table, var, y, NULL, xstrdup(held),
                      xstrdup(format_number(x, num))};
        e->dims = xcalloc((size_t)t->ndims + 1, sizeof(char *));
        for (int d = 0; d < t->ndims; d++)
            e->dims[d] = xstrdup(dims[d]);
    }
    collect_dims_free(dims, t->ndims);
}

static void read_cells(import_ctx *c, const char *dir, changes *ch)
{
    for (int si = 0; si < c->nsheets; si++) {
        datafile *f = table_file(c, c->sheets[si].table, dir);
        if (!f)
            continue;
        for (int k = 0; k < c->sheets[si].nkeys; k++)
            read_row(c, si, k, f, ch);
    }
}

/* ---------- applying ---------- */

static void print_change(const import_ctx *c, const change *e, const datafile *f, FILE *out)
{
    const table_def *t = &c->dict->tables[e->table];
    char cell[16];
    fprintf(out, "%s: %d %s", f->path, e->year, c->dict->vars[e->var].name);
    for (int d = 0; d < t->ndims; d++)
        fprintf(out, "%s%s=%s", d ? "," : "{", t->dims[d].name, e->dims[d]);
    fprintf(out, "%s: %s -> %s  [%s!%s]\n", t->ndims ? "}" : "", *e->old ? e->old : "(empty)",
            e->new_text, c->sheets[e->sheet].name, xlsx_cell_name(e->row, e->col, cell));
}

static int apply(import_ctx *c, const changes *ch, int dry_run, FILE *report, const char *dir)
{
    for (size_t i = 0; i < ch->n; i++) {
        const change *e = &ch->items[i];
        datafile *f = &c->files[e->table];
        char err[600];
        print_change(c, e, f, report);
        if (datafile_set(f, e->year, e->var, (const char *const *)e->dims, e->new_text, err,
                         sizeof err) != 0)
            diag_add(c->d, DIAG_ERROR, NULL, 0, 0, "%s", err);
    }
    if (diag_errors(c->d) || dry_run || ch->n == 0)
        return diag_errors(c->d) ? -1 : 0;
    out_set os;
    if (outset_open(&os, dir, 0, c->d) != 0) {
        outset_abort(&os);
        return -1;
    }
    for (int t = 0; t < c->dict->ntables; t++) {
        if (!c->loaded[t] || !c->files[t].changed)
            continue;
        FILE *out = outset_stream(&os, c->dict->tables[t].file, c->d);
        if (!out || datafile_write(&c->files[t], out) != 0) {
            outset_abort(&os);
            return -1;
        }
    }
    return outset_commit(&os, c->d);
}

static void ctx_free(import_ctx *c)
{
    for (int i = 0; i < c->nsheets; i++) {
        for (int k = 0; k < c->sheets[i].nkeys; k++)
            free(c->sheets[i].keys[k]);
        free(c->sheets[i].keys);
        free(c->sheets[i].name);
    }
    free(c->sheets);
    for (int t = 0; t < c->dict->ntables; t++)
        if (c->loaded && c->loaded[t])
            datafile_free(&c->files[t]);
    free(c->files);
    free(c->loaded);
    free(c->region);
    free(c->plan_id);
    xlsx_free(&c->book);
}

static void changes_free(changes *ch, const dictionary *dict)
{
    for (size_t i = 0; i < ch->n; i++) {
        collect_dims_free(ch->items[i].dims, dict->tables[ch->items[i].table].ndims);
        free(ch->items[i].old);
        free(ch->items[i].new_text);
    }
    free(ch->items);
}

/* The data the workbook updates must load cleanly first: an import fixes no file. */
static int check_region(import_ctx *c, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_add(c->d, DIAG_ERROR, c->path, 0, 0, "no data directory %s for region '%s'", dir,
                 c->region);
        return -1;
    }
    size_t before = diag_errors(c->d);
    region_data *r = NULL;
    region_load(&r, c->dict, dir, c->d);
    region_free(r);
    if (diag_errors(c->d) > before) {
        diag_add(c->d, DIAG_ERROR, dir, 0, 0, "the data in %s have errors (above): fix them first",
                 dir);
        return -1;
    }
    return 0;
}

int collect_import(const char *xlsx, const dictionary *dict, const char *data_dir, int dry_run,
                   FILE *report, diag_list *d)
{
    import_ctx c;
    memset(&c, 0, sizeof c);
    c.path = xlsx;
    c.dict = dict;
    c.d = d;
    c.files = xcalloc((size_t)dict->ntables + 1, sizeof *c.files);
    c.loaded = xcalloc((size_t)dict->ntables + 1, sizeof *c.loaded);
    char err[600];
    if (xlsx_read(xlsx, &c.book, err, sizeof err) != 0) {
        diag_add(d, DIAG_ERROR, xlsx, 0, 0, "%s", err);
        ctx_free(&c);
        return -1;
    }
    changes ch = {0};
    int rc = read_layout(&c);
    char *dir = c.region ? xasprintf("%s/%s", data_dir, c.region) : NULL;
    if (rc == 0)
        rc = check_region(&c, dir);
    if (rc == 0) {
        read_cells(&c, dir, &ch);
        rc = diag_errors(d) ? -1 : apply(&c, &ch, dry_run, report, dir);
    }
    if (rc == 0)
        fprintf(report, "%s: %zu cell%s %s (plan %s, region %s)%s\n", xlsx, ch.n,
                ch.n == 1 ? "" : "s", ch.n ? "changed" : "changed: the data already hold every value",
                c.plan_id, c.region, dry_run && ch.n ? "; --dry-run: nothing written" : "");
    free(dir);
    changes_free(&ch, dict);
    ctx_free(&c);
    return rc;
}
