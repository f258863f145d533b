/*
 * collect.c - the data-collection workbook of a plan (collect.h): which
 * variables and dimension combinations the plan's indicators read, laid
 * out a sheet per table, written with libxlsxwriter. The wording comes from
 * templates/collect.yaml.
 *
 * Layout of a data sheet: row 1 the table's title, row 2 the legend, row 3
 * the column headings, then one row per variable (per combination and
 * variable in a `rows` table); column A holds the row's key and is hidden;
 * the year columns start at H. The hidden sheet _planeval records the
 * region, the years and every sheet's keys, for the import's checks.
 */
#include "collect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "datafile.h"
#include "labels.h"
#include "numtext.h"
#include "outset.h"
#include "util.h"

/* ---------- keys ---------- */

char *collect_key(const dictionary *dict, int var, const char *const *dims)
{
    const table_def *t = &dict->tables[dict->vars[var].table];
    strbuf b;
    sb_init(&b);
    sb_add(&b, dict->vars[var].name);
    for (int k = 0; k < t->ndims; k++)
        sb_printf(&b, "|%s=%s", t->dims[k].name, dims[k]);
    return sb_take(&b);
}

void collect_dims_free(char **dims, int n)
{
    for (int k = 0; k < n && dims; k++)
        free(dims[k]);
    free(dims);
}

int collect_key_parse(const dictionary *dict, const char *key, char ***dims)
{
    *dims = NULL;
    const char *bar = strchr(key, '|');
    char *name = xstrndup(key, bar ? (size_t)(bar - key) : strlen(key));
    int var = dictionary_find_var(dict, name);
    free(name);
    if (var < 0)
        return -1;
    const table_def *t = &dict->tables[dict->vars[var].table];
    char **d = xcalloc((size_t)t->ndims + 1, sizeof *d);
    const char *p = bar;
    for (int k = 0; k < t->ndims; k++) {
        size_t nl = strlen(t->dims[k].name);
        if (!p || strncmp(p + 1, t->dims[k].name, nl) != 0 || p[1 + nl] != '=') {
            collect_dims_free(d, t->ndims);
            return -1;
        }
        const char *v = p + 2 + nl, *next = strchr(v, '|');
        d[k] = xstrndup(v, next ? (size_t)(next - v) : strlen(v));
        p = next;
    }
    if (p) {
        collect_dims_free(d, t->ndims);
        return -1;
    }
    *dims = d;
    return var;
}

/* ---------- the layout: sheets of rows ---------- */

typedef struct trow {
    int var;
    const char **dims; /* borrowed from the table's combinations */
} trow;

typedef struct tsheet {
    int table;
    char *name;
    datafile file;
    const char **combos; /* ncombos * ndims */
    int ncombos;
    trow *rows;
    size_t nrows, cap;
    int open;            /* input cells without a value */
} tsheet;

typedef struct tbook {
    const collect_options *o;
    const plan *p;
    const dictionary *dict;
    labels tl;
    var_uses nd;
    tsheet *sheets;
    int nsheets;
    int first_year, last_year;
    lxw_workbook *w;
    lxw_format *f_title, *f_head, *f_text, *f_held, *f_open, *f_wrap;
    lxw_error err;
    const char *err_where;
    strpool pool;
} tbook;

static const char *T(const tbook *b, const char *section, const char *code)
{
    return label(&b->tl, section, code);
}

static void check(tbook *b, lxw_error e, const char *where)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR) {
        b->err = e;
        b->err_where = where;
    }
}

/* The declared values of dimension dm this region may use: the shared ones and its own. */
static int region_values(const dim_def *dm, const char *region, const char **out)
{
    int n = 0;
    for (int j = 0; j < dm->nvalues; j++)
        if (dim_value_of_region(dm, j, region))
            out[n++] = dm->values[j];
    return n;
}

/* Every combination of the dimensions' declared values (when all have a list). */
static int declared_combos(const table_def *t, const char *region, const char ***out)
{
    int n = 1;
    *out = NULL;
    const char ***vals = xcalloc((size_t)t->ndims + 1, sizeof *vals);
    int *nv = xcalloc((size_t)t->ndims + 1, sizeof *nv);
    for (int k = 0; k < t->ndims; k++) {
        vals[k] = xcalloc((size_t)t->dims[k].nvalues + 1, sizeof **vals);
        nv[k] = region_values(&t->dims[k], region, vals[k]);
        n *= nv[k];
    }
    const char **c = n ? xcalloc((size_t)n * (size_t)t->ndims + 1, sizeof *c) : NULL;
    for (int i = 0; i < n; i++) {
        int rest = i;
        for (int k = t->ndims - 1; k >= 0; k--) {
            c[i * t->ndims + k] = vals[k][rest % nv[k]];
            rest /= nv[k];
        }
    }
    for (int k = 0; k < t->ndims; k++)
        free(vals[k]);
    free(vals);
    free(nv);
    *out = c;
    return n;
}

/* A sheet name from the table's title: up to its first bracket, at most 31 characters. */
static char *sheet_name(const tbook *b, const table_def *t)
{
    size_t cut = strcspn(t->title ? t->title : t->name, "(");
    const char *s = t->title ? t->title : t->name;
    const char *paren = strstr(s, "\xef\xbc\x88"); /* （ */
    if (paren && (size_t)(paren - s) < cut)
        cut = (size_t)(paren - s);
    size_t i = 0;
    for (int chars = 0; i < cut && chars < 31; chars++)
        do
            i++;
        while (i < cut && ((unsigned char)s[i] & 0xc0) == 0x80);
    char *name = xstrndup(s, i);
    for (char *q = name; *q; q++)
        if (strchr("[]:*?/\\'", *q))
            *q = '_';
    int taken = strcmp(name, T(b, "sheet", "instructions")) == 0 || !*name;
    for (int k = 0; k < b->nsheets && !taken; k++)
        taken = b->sheets[k].name && strcmp(b->sheets[k].name, name) == 0;
    if (taken) {
        free(name);
        name = xstrdup(t->name);
    }
    return name;
}

static int add_sheet(tbook *b, int ti, const char *dir, diag_list *d)
{
    const table_def *t = &b->dict->tables[ti];
    tsheet *s = &b->sheets[b->nsheets];
    memset(s, 0, sizeof *s);
    s->table = ti;
    char err[600];
    if (datafile_load(&s->file, b->dict, ti, dir, err, sizeof err) != 0) {
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "%s", err);
        return -1;
    }
    s->name = sheet_name(b, t);
    b->nsheets++;
    s->ncombos = t->ndims ? datafile_combinations(&s->file, &s->combos) : 1;
    if (t->ndims && s->ncombos == 0) {
        free(s->combos);
        s->ncombos = declared_combos(t, b->p->region, &s->combos);
    }
    if (s->ncombos == 0) /* no rows yet, and a dimension without declared values */
        diag_add(d, DIAG_WARNING, s->file.path, 0, 0,
                 "no rows to ask for: the values of its dimensions are not known yet; the "
                 "sheet '%s' is left out (write the first year's rows by hand)",
                 s->name);
    for (int c = 0; c < s->ncombos; c++)
        for (int v = 0; v < b->dict->nvars; v++)
            if (b->nd.used[v] && b->dict->vars[v].table == ti) {
                trow *r = ARRAY_PUSH(s->rows, s->nrows, s->cap);
                r->var = v;
                r->dims = t->ndims ? s->combos + (size_t)c * (size_t)t->ndims : NULL;
            }
    return 0;
}

static void tsheet_free(tsheet *s)
{
    datafile_free(&s->file);
    free(s->combos);
    free(s->rows);
    free(s->name);
    memset(s, 0, sizeof *s);
}

static void drop_last_sheet(tbook *b)
{
    tsheet_free(&b->sheets[--b->nsheets]);
}

/* The sheets: every table (not an event log) with a variable the plan reads. */
static int build_layout(tbook *b, diag_list *d)
{
    const dictionary *dict = b->dict;
    char *dir = xasprintf("%s/%s", b->o->data_dir, b->p->region);
    b->sheets = xcalloc((size_t)dict->ntables + 1, sizeof *b->sheets);
    int rc = 0;
    for (int ti = 0; ti < dict->ntables && rc == 0; ti++) {
        if (dict->tables[ti].layout == LAYOUT_EVENTS)
            continue;
        int any = 0;
        for (int v = 0; v < dict->nvars && !any; v++)
            any = b->nd.used[v] && dict->vars[v].table == ti;
        if (any)
            rc = add_sheet(b, ti, dir, d);
        if (rc == 0 && any && b->sheets[b->nsheets - 1].nrows == 0)
            drop_last_sheet(b);
    }
    free(dir);
    return rc;
}

static void tbook_free(tbook *b)
{
    for (int i = 0; i < b->nsheets; i++)
        tsheet_free(&b->sheets[i]);
    free(b->sheets);
    var_uses_free(&b->nd, b->dict->nvars);
    labels_free(&b->tl);
    strpool_free(&b->pool);
}

/* ---------- texts of a row ---------- */

static const char *row_label(tbook *b, const tsheet *s, const trow *r)
{
    const var_def *v = &b->dict->vars[r->var];
    const table_def *t = &b->dict->tables[s->table];
    if (!t->ndims)
        return v->label ? v->label : v->name;
    strbuf sb;
    sb_init(&sb);
    sb_add(&sb, v->label ? v->label : v->name);
    sb_add(&sb, "\xef\xbc\x88"); /* （ */
    for (int k = 0; k < t->ndims; k++) {
        if (k)
            sb_add(&sb, "\xc2\xb7"); /* · */
        sb_add(&sb, r->dims[k]);
    }
    sb_add(&sb, "\xef\xbc\x89"); /* ） */
    return strpool_keep(&b->pool, sb_take(&sb));
}

static const char *row_indicators(tbook *b, int var)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < b->nd.ninds[var]; i++) {
        if (i)
            sb_add(&sb, "\xef\xbc\x9b"); /* ； */
        sb_add(&sb, b->p->inds[b->nd.inds[var][i]].name);
    }
    return strpool_keep(&b->pool, sb_take(&sb));
}

static const char *row_departments(tbook *b, int var)
{
    strbuf sb;
    sb_init(&sb);
    int n = 0;
    for (int i = 0; i < b->nd.ninds[var]; i++) {
        const indicator *ind = &b->p->inds[b->nd.inds[var][i]];
        for (int k = 0; k < ind->ndepartments; k++) {
            const char *dep = ind->departments[k];
            if (sb.s && strstr(sb.s, dep))
                continue;
            if (n++)
                sb_add(&sb, "\xe3\x80\x81"); /* 、 */
            sb_add(&sb, dep);
        }
    }
    if (!n)
        sb_add(&sb, T(b, "text", "no_department"));
    return strpool_keep(&b->pool, sb_take(&sb));
}

/* "经济与人口；已有年份 2016—2020、2022" */
static const char *row_source(tbook *b, const tsheet *s, const int *held)
{
    strbuf sb;
    sb_init(&sb);
    const char *title = b->dict->tables[s->table].title;
    sb_add(&sb, title ? title : b->dict->tables[s->table].name);
    sb_add(&sb, "\xef\xbc\x9b");
    int n = b->last_year - b->first_year + 1, any = 0;
    for (int i = 0; i < n; i++) {
        if (!held[i] || (i > 0 && held[i - 1]))
            continue;
        int j = i;
        while (j + 1 < n && held[j + 1])
            j++;
        sb_add(&sb, any++ ? "\xe3\x80\x81" : T(b, "text", "held_years"));
        if (any == 1)
            sb_add(&sb, " ");
        if (j > i)
            sb_printf(&sb, "%d\xe2\x80\x94%d", b->first_year + i, b->first_year + j);
        else
            sb_printf(&sb, "%d", b->first_year + i);
    }
    if (!any)
        sb_add(&sb, T(b, "text", "none_held"));
    return strpool_keep(&b->pool, sb_take(&sb));
}

/* ---------- writing ---------- */

static void make_formats(tbook *b)
{
    b->f_title = workbook_add_format(b->w);
    format_set_bold(b->f_title);
    format_set_font_size(b->f_title, 14);
    b->f_head = workbook_add_format(b->w);
    format_set_bold(b->f_head);
    format_set_bg_color(b->f_head, 0xDDEBF7);
    format_set_border(b->f_head, LXW_BORDER_THIN);
    format_set_text_wrap(b->f_head);
    b->f_text = workbook_add_format(b->w);
    format_set_border(b->f_text, LXW_BORDER_THIN);
    format_set_text_wrap(b->f_text);
    format_set_align(b->f_text, LXW_ALIGN_VERTICAL_TOP);
    b->f_held = workbook_add_format(b->w);
    format_set_border(b->f_held, LXW_BORDER_THIN);
    format_set_bg_color(b->f_held, 0xD9D9D9);
    b->f_open = workbook_add_format(b->w);
    format_set_border(b->f_open, LXW_BORDER_THIN);
    format_set_unlocked(b->f_open);
    b->f_wrap = workbook_add_format(b->w);
    format_set_text_wrap(b->f_wrap);
    format_set_align(b->f_wrap, LXW_ALIGN_VERTICAL_TOP);
}

/* The rule of a variable's kind as Excel data validation, with the prompts. */
static void validate_row(tbook *b, lxw_worksheet *ws, int row, int ncols, var_kind kind)
{
    static const char *const prefix[] = {"count", "amount", "share", "flag", "value", "value"};
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = kind == VK_COUNT || kind == VK_FLAG ? LXW_VALIDATION_TYPE_INTEGER
                                                      : LXW_VALIDATION_TYPE_DECIMAL;
    dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
    dv.minimum_number = kind == VK_VALUE || kind == VK_HOURS ? -1e15 : 0;
    dv.maximum_number = kind == VK_SHARE ? 100 : kind == VK_FLAG ? 1 : 1e15;
    char key[32];
    snprintf(key, sizeof key, "%s_title", prefix[kind]);
    dv.input_title = (char *)T(b, "validation", key);
    snprintf(key, sizeof key, "%s_input", prefix[kind]);
    dv.input_message = (char *)T(b, "validation", key);
    snprintf(key, sizeof key, "%s_error", prefix[kind]);
    dv.error_message = (char *)T(b, "validation", key);
    dv.error_title = (char *)T(b, "validation", "error_title");
    check(b,
          worksheet_data_validation_range(ws, (lxw_row_t)row, CC_FIRST_YEAR, (lxw_row_t)row,
                                          (lxw_col_t)(CC_FIRST_YEAR + ncols - 1), &dv),
          "worksheet_data_validation_range");
}

static void write_headings(tbook *b, lxw_worksheet *ws, const tsheet *s)
{
    static const char *const cols[] = {"variable", "unit", "definition", "indicators",
                                       "departments", "source"};
    static const double widths[] = {30, 9, 30, 30, 18, 24};
    const table_def *t = &b->dict->tables[s->table];
    lxw_row_col_options hidden = {1, 0, 0};
    check(b, worksheet_set_column_opt(ws, CC_KEY, CC_KEY, 12, NULL, &hidden), "set_column");
    for (int k = 0; k < 6; k++) {
        check(b, worksheet_set_column(ws, (lxw_col_t)(CC_VARIABLE + k), (lxw_col_t)(CC_VARIABLE + k),
                                      widths[k], NULL),
              "set_column");
        check(b, worksheet_write_string(ws, COLLECT_HEADER_ROW, (lxw_col_t)(CC_VARIABLE + k),
                                        T(b, "column", cols[k]), b->f_head),
              "write_string");
    }
    int ny = b->last_year - b->first_year + 1;
    check(b, worksheet_set_column(ws, CC_FIRST_YEAR, (lxw_col_t)(CC_FIRST_YEAR + ny - 1), 11, NULL),
          "set_column");
    for (int y = 0; y < ny; y++)
        check(b, worksheet_write_number(ws, COLLECT_HEADER_ROW, (lxw_col_t)(CC_FIRST_YEAR + y),
                                        b->first_year + y, b->f_head),
              "write_number");
    check(b, worksheet_write_string(ws, COLLECT_HEADER_ROW, CC_KEY, "key", NULL), "write_string");
    check(b, worksheet_write_string(ws, 0, CC_VARIABLE, t->title ? t->title : t->name, b->f_title),
          "write_string");
    check(b, worksheet_write_string(ws, 1, CC_VARIABLE, T(b, "text", "legend"), NULL),
          "write_string");
}

/* The year cells of one row: held values locked, the rest open. */
static void write_years(tbook *b, lxw_worksheet *ws, tsheet *s, const trow *r, int row, int *held)
{
    int ny = b->last_year - b->first_year + 1;
    for (int y = 0; y < ny; y++) {
        const char *text = datafile_get(&s->file, b->first_year + y, r->var, r->dims, NULL);
        double x;
        char hint[160];
        held[y] = *text && numtext_parse(text, b->dict->vars[r->var].kind == VK_SHARE, &x, hint,
                                         sizeof hint) == 0;
        lxw_col_t col = (lxw_col_t)(CC_FIRST_YEAR + y);
        if (held[y]) {
            check(b, worksheet_write_number(ws, (lxw_row_t)row, col, x, b->f_held), "write_number");
        } else {
            check(b, worksheet_write_blank(ws, (lxw_row_t)row, col, b->f_open), "write_blank");
            s->open++;
        }
    }
}

static void write_data_sheet(tbook *b, tsheet *s)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->w, s->name);
    if (!ws) {
        check(b, LXW_ERROR_SHEETNAME_ALREADY_USED, s->name);
        return;
    }
    write_headings(b, ws, s);
    int ny = b->last_year - b->first_year + 1;
    int *held = xcalloc((size_t)ny + 1, sizeof(int));
    for (size_t i = 0; i < s->nrows; i++) {
        const trow *r = &s->rows[i];
        const var_def *v = &b->dict->vars[r->var];
        int row = COLLECT_HEADER_ROW + 1 + (int)i;
        char *key = collect_key(b->dict, r->var, r->dims);
        check(b, worksheet_write_string(ws, (lxw_row_t)row, CC_KEY, key, NULL), "write_string");
        free(key);
        write_years(b, ws, s, r, row, held);
        const char *texts[] = {row_label(b, s, r), v->unit && *v->unit ? v->unit : T(b, "text", "no_unit"),
                               v->note ? v->note : "", row_indicators(b, r->var),
                               row_departments(b, r->var), row_source(b, s, held)};
        for (int k = 0; k < 6; k++)
            check(b, worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)(CC_VARIABLE + k), texts[k],
                                            b->f_text),
                  "write_string");
        validate_row(b, ws, row, ny, v->kind);
    }
    free(held);
    worksheet_freeze_panes(ws, COLLECT_HEADER_ROW + 1, CC_FIRST_YEAR);
    lxw_protection prot;
    memset(&prot, 0, sizeof prot);
    prot.format_columns = 1; /* a department may widen a column */
    worksheet_protect(ws, NULL, &prot);
}

static void write_line(tbook *b, lxw_worksheet *ws, int *row, const char *a, const char *c)
{
    check(b, worksheet_write_string(ws, (lxw_row_t)*row, 0, a, a == T(b, "instructions", "heading") ? b->f_title : NULL),
          "write_string");
    if (c)
        check(b, worksheet_write_string(ws, (lxw_row_t)*row, 1, c, b->f_wrap), "write_string");
    (*row)++;
}

static void write_instructions(tbook *b, lxw_worksheet *ws)
{
    int row = 0;
    char years[32], open[32];
    snprintf(years, sizeof years, "%d\xe2\x80\x94%d", b->first_year, b->last_year);
    check(b, worksheet_set_column(ws, 0, 0, 24, NULL), "set_column");
    check(b, worksheet_set_column(ws, 1, 1, 90, NULL), "set_column");
    write_line(b, ws, &row, T(b, "instructions", "heading"), NULL);
    write_line(b, ws, &row, T(b, "instructions", "plan"), b->p->title);
    write_line(b, ws, &row, T(b, "instructions", "region"),
               b->p->region_name ? b->p->region_name : b->p->region);
    write_line(b, ws, &row, T(b, "instructions", "years"), years);
    row++;
    char *steps = xstrdup(T(b, "instructions", "steps"));
    for (char *line = strtok(steps, "\n"); line; line = strtok(NULL, "\n"))
        write_line(b, ws, &row, "", line);
    free(steps);
    write_line(b, ws, &row, "", T(b, "instructions", "not_covered"));
    row++;
    write_line(b, ws, &row, T(b, "instructions", "sheets"), T(b, "instructions", "open_cells"));
    for (int i = 0; i < b->nsheets; i++) {
        snprintf(open, sizeof open, "%d", b->sheets[i].open);
        write_line(b, ws, &row, b->sheets[i].name, open);
    }
}

/* The hidden sheet the import checks against: region, years, every row's key. */
static void write_meta(tbook *b)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->w, COLLECT_META_SHEET);
    if (!ws) {
        check(b, LXW_ERROR_SHEETNAME_ALREADY_USED, COLLECT_META_SHEET);
        return;
    }
    int row = 0;
    check(b, worksheet_write_string(ws, 0, 0, COLLECT_MAGIC, NULL), "write_string");
    check(b, worksheet_write_string(ws, 0, 1, b->p->region, NULL), "write_string");
    check(b, worksheet_write_string(ws, 0, 2, b->p->id, NULL), "write_string");
    check(b, worksheet_write_number(ws, 0, 3, b->first_year, NULL), "write_number");
    check(b, worksheet_write_number(ws, 0, 4, b->last_year, NULL), "write_number");
    for (int i = 0; i < b->nsheets; i++) {
        const tsheet *s = &b->sheets[i];
        row++;
        check(b, worksheet_write_string(ws, (lxw_row_t)row, 0, "sheet", NULL), "write_string");
        check(b, worksheet_write_string(ws, (lxw_row_t)row, 1, s->name, NULL), "write_string");
        check(b, worksheet_write_string(ws, (lxw_row_t)row, 2, b->dict->tables[s->table].name, NULL),
              "write_string");
        check(b, worksheet_write_number(ws, (lxw_row_t)row, 3, (double)s->nrows, NULL), "write_number");
        for (size_t k = 0; k < s->nrows; k++) {
            char *key = collect_key(b->dict, s->rows[k].var, s->rows[k].dims);
            row++;
            check(b, worksheet_write_string(ws, (lxw_row_t)row, 0, "row", NULL), "write_string");
            check(b, worksheet_write_string(ws, (lxw_row_t)row, 1, s->name, NULL), "write_string");
            check(b, worksheet_write_string(ws, (lxw_row_t)row, 2, key, NULL), "write_string");
            free(key);
        }
    }
    worksheet_hide(ws);
    worksheet_protect(ws, NULL, NULL);
}

static void set_properties(tbook *b)
{
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = strpool_printf(&b->pool, "%s %s", b->p->title, T(b, "text", "title_suffix"));
    props.author = "planeval";
    time_t t = output_date(b->last_year);
    props.created = t == 0 ? 1 : t; /* 0 would mean "now": the same inputs give the same bytes */
    check(b, workbook_set_properties(b->w, &props), "workbook_set_properties");
}

static int load_wording(tbook *b, diag_list *d)
{
    static const struct {
        const char *section;
        const char *const codes[12];
    } req[] = {
        {"sheet", {"instructions", NULL}},
        {"column", {"variable", "unit", "definition", "indicators", "departments", "source", NULL}},
        {"text", {"legend", "held_years", "none_held", "no_unit", "no_department", "title_suffix",
                  NULL}},
        {"instructions", {"heading", "plan", "region", "years", "sheets", "open_cells", "steps",
                          "not_covered", NULL}},
        {"validation", {"count_title", "count_input", "count_error", "amount_title", "amount_input",
                        "amount_error", "share_title", "share_input", "share_error", "error_title",
                        NULL}},
        {"validation", {"flag_title", "flag_input", "flag_error", "value_title", "value_input",
                        "value_error", NULL}},
    };
    char *path = xasprintf("%s/collect.yaml", b->o->templates_dir);
    size_t before = diag_errors(d);
    if (labels_load(&b->tl, path, d) == 0)
        for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
            labels_require(&b->tl, path, req[i].section, req[i].codes, d);
    free(path);
    return diag_errors(d) > before ? -1 : 0;
}

/* Write the workbook to path (a temporary name; the caller renames it). */
static int write_book(tbook *b, const char *path, diag_list *d)
{
    lxw_workbook_options opt;
    memset(&opt, 0, sizeof opt);
    b->w = workbook_new_opt(path, &opt);
    if (!b->w) {
        diag_add(d, DIAG_ERROR, b->o->out_path, 0, 0, "cannot create the workbook: %s",
                 strerror(errno));
        return -1;
    }
    make_formats(b);
    set_properties(b);
    lxw_worksheet *ins = workbook_add_worksheet(b->w, T(b, "sheet", "instructions"));
    if (!ins)
        check(b, LXW_ERROR_SHEETNAME_ALREADY_USED, T(b, "sheet", "instructions"));
    for (int i = 0; i < b->nsheets; i++)
        write_data_sheet(b, &b->sheets[i]);
    if (ins)
        write_instructions(b, ins); /* after the sheets: it counts their open cells */
    write_meta(b);
    check(b, workbook_close(b->w), "workbook_close");
    if (b->err != LXW_NO_ERROR) {
        diag_add(d, DIAG_ERROR, b->o->out_path, 0, 0, "workbook: %s: %s", b->err_where,
                 lxw_strerror(b->err));
        return -1;
    }
    return 0;
}

/* Write through a temporary file renamed into place: all or nothing. */
static int commit_book(tbook *b, diag_list *d)
{
    const char *slash = strrchr(b->o->out_path, '/');
    char *dir = path_parent(b->o->out_path);
    out_set os;
    int rc = outset_open(&os, dir, 0, d);
    free(dir);
    if (rc != 0)
        return -1;
    const char *tmp = outset_path(&os, slash ? slash + 1 : b->o->out_path, d);
    rc = tmp ? write_book(b, tmp, d) : -1;
    if (rc == 0)
        rc = outset_commit(&os, d);
    else
        outset_abort(&os);
    return rc;
}

int collect_template(const collect_options *o, const plan *p, const catalogue *cat,
                     const dictionary *dict, diag_list *d)
{
    tbook b;
    memset(&b, 0, sizeof b);
    b.o = o;
    b.p = p;
    b.dict = dict;
    b.first_year = p->baseline_period[0] ? p->baseline_period[0] : p->period[0];
    b.last_year = o->last_year ? o->last_year : p->period[1];
    if (b.last_year < b.first_year) {
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "--year %d is before the plan's first data year %d",
                 b.last_year, b.first_year);
        return -1;
    }
    var_uses_build(&b.nd, p, cat, dict);
    int rc = load_wording(&b, d);
    if (rc == 0)
        rc = build_layout(&b, d);
    if (rc == 0 && b.nsheets == 0) {
        diag_add(d, DIAG_ERROR, p->path, 0, 0, "plan %s reads no yearly data to collect", p->id);
        rc = -1;
    }
    if (rc == 0)
        rc = commit_book(&b, d);
    tbook_free(&b);
    return rc;
}
