/*
 * dataset.c - see dataset.h.
 *
 * The dictionary is loaded in three passes over all of its YAML files,
 * which stay in memory until the end so that every message can point at a
 * line and column: first every table (so that a variable may name a table
 * declared in a later file), then every variable, then the checks that need
 * both (an events table has exactly one hours variable).
 *
 * A region keeps, per dictionary table, its rows sorted by year with a
 * per-year start offset, the rows' dimension values interned to small
 * integer ids, and one fvalue per row and variable. region_value() converts
 * the filter strings to ids once per call and then compares integers only.
 */
#include "dataset.h"
#include "csvfile.h"
#include "numtext.h"
#include "util.h"
#include "xlsplit.h"
#include "yamldoc.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define YEAR_MIN 1949
#define YEAR_MAX 2100
#define NYEARS (YEAR_MAX - YEAR_MIN + 1)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

static const char *const layout_names[] = {"yearly", "rows", "events", "long", NULL};
static const char *const kind_names[] = {"count", "amount", "share", "flag",
                                         "value", "hours",  NULL};

const char *var_kind_name(var_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] - 1 ? kind_names[k] : "?";
}

/* Index of s in a NULL-terminated list, or -1. */
static int name_index(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

/* "a, b, c" from a NULL-terminated list, for messages. */
static void join_list(const char *const *list, int n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; (n < 0 ? list[i] != NULL : i < n) && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", list[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (len >= size && size > 4) {
        /* Truncated: end with "..." on a UTF-8 character boundary. */
        size_t pos = size - 4;
        while (pos > 0 && ((unsigned char)buf[pos] & 0xc0) == 0x80)
            pos--;
        memcpy(buf + pos, "...", 4);
    }
}

/* Names are lower-case ASCII: [a-z][a-z0-9_]*. */
static int is_name(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/*
 * Write up to three of cands nearest to name into buf ("a, b, c"), nearest
 * first, counting only those within max(2, len/3) edits so that a short
 * typo finds its word and a long unrelated name finds nothing. NULL
 * candidates and duplicates are skipped.
 */
static void suggest_among(const char *name, const char *const *cands, int n, char *buf,
                          size_t size)
{
    int len = utf8_columns(name, strlen(name));
    int limit = len / 3 > 2 ? len / 3 : 2;
    int best[3], bestd[3], nb = 0;
    for (int i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], name) == 0)
            continue;
        int dup = 0;
        for (int k = 0; k < nb; k++)
            dup |= strcmp(cands[best[k]], cands[i]) == 0;
        if (dup)
            continue;
        /* The distance is at least the difference in length: skip the
         * quadratic comparison when that alone rules a candidate out. */
        int clen = utf8_columns(cands[i], strlen(cands[i]));
        if (clen - len > limit || len - clen > limit || len > 200)
            continue;
        int dist = utf8_edit_distance(name, cands[i], limit);
        if (dist > limit)
            continue;
        /* Insert into the sorted top three; ties keep declaration order. */
        int pos = nb;
        while (pos > 0 && bestd[pos - 1] > dist)
            pos--;
        if (pos >= 3)
            continue;
        for (int k = (nb < 3 ? nb : 2); k > pos; k--) {
            best[k] = best[k - 1];
            bestd[k] = bestd[k - 1];
        }
        best[pos] = i;
        bestd[pos] = dist;
        if (nb < 3)
            nb++;
    }
    const char *names[3];
    for (int k = 0; k < nb; k++)
        names[k] = cands[best[k]];
    join_list(names, nb, buf, size);
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcasecmp(s + n - m, suffix) == 0;
}

/*
 * Regular files in dir whose name ends with suffix (case-insensitive),
 * sorted by name. Hidden files and Office lock files (~$...) are skipped.
 * Returns the count, or -1 if dir cannot be read (errno set).
 */
static int list_dir(const char *dir, const char *suffix, char ***out)
{
    DIR *dp = opendir(dir);
    *out = NULL;
    if (!dp)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        const char *nm = e->d_name;
        if (nm[0] == '.' || (nm[0] == '~' && nm[1] == '$') || !has_suffix_ci(nm, suffix))
            continue;
        /* the type readdir gives; stat (following a link) only where it gives none */
        int regular = e->d_type == DT_REG;
        if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
            char *path = xasprintf("%s/%s", dir, nm);
            struct stat st;
            regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
            free(path);
        }
        if (regular)
            *ARRAY_PUSH(names, n, cap) = xstrdup(nm);
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, cmp_strp);
    *out = names;
    return (int)n;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ------------------------------------------------------------------------ */
/* Column names shared by the dictionary checks and the CSV headers          */
/* ------------------------------------------------------------------------ */

enum col_role {
    COL_UNUSED, /* note/备注, a duplicate or an unknown column: cells ignored */
    COL_NOHEAD, /* empty header cell: its cells must be empty too */
    COL_YEAR,
    COL_EVENT_ID,
    COL_START,
    COL_END,
    COL_VARNAME,
    COL_VALUE,
    COL_DIM,
    COL_VAR,
    COL_NFIXED = COL_DIM /* roles below this one are fixed columns */
};

typedef struct fixed_col {
    int role;
    const char *name, *label;
} fixed_col;

static const fixed_col year_col = {COL_YEAR, "year", "年份"};
static const fixed_col event_cols[] = {
    {COL_EVENT_ID, "event_id", "事件编号"},
    {COL_START, "start", "开始时间"},
    {COL_END, "end", "结束时间"},
};
static const fixed_col long_cols[] = {
    {COL_VARNAME, "variable", "指标"},
    {COL_VALUE, "value", "数值"},
};

static int is_note_col(const char *s)
{
    return strcmp(s, "note") == 0 || strcmp(s, "备注") == 0;
}

/* The fixed columns of a layout (besides dims and variables). */
static int layout_fixed(table_layout lay, const fixed_col **cols, int *has_year)
{
    *has_year = lay != LAYOUT_EVENTS; /* an event's year is the year of its start */
    if (lay == LAYOUT_EVENTS) {
        *cols = event_cols;
        return (int)(sizeof event_cols / sizeof event_cols[0]);
    }
    if (lay == LAYOUT_LONG) {
        *cols = long_cols;
        return (int)(sizeof long_cols / sizeof long_cols[0]);
    }
    *cols = NULL;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Dictionary                                                                */
/* ------------------------------------------------------------------------ */

/* Loader state that lives only while the YAML documents are in memory. */
typedef struct dict_loader {
    dictionary *dict;
    diag_list *d;
    int *table_col;      /* column of each table's name, for pass-3 messages */
    size_t table_col_cap;
    int *var_col;        /* column of each variable's name */
    size_t var_col_cap;
    size_t tables_cap, vars_cap;
    /* each variable's name and label, tagged with its table, to the first
     * variable that has it (header_taken) */
    strmap headers;
} dict_loader;

int dictionary_find_var(const dictionary *dict, const char *name)
{
    return strmap_get(&dict->var_index, 0, name);
}

int dictionary_find_table(const dictionary *dict, const char *name)
{
    for (int i = 0; i < dict->ntables; i++)
        if (strcmp(dict->tables[i].name, name) == 0)
            return i;
    return -1;
}

void dictionary_suggest(const dictionary *dict, const char *name, char *buf, size_t bufsize)
{
    const char **cands = xmalloc(((size_t)dict->nvars + 1) * sizeof *cands);
    for (int i = 0; i < dict->nvars; i++)
        cands[i] = dict->vars[i].name;
    suggest_among(name, cands, dict->nvars, buf, bufsize);
    free(cands);
}

int dictionary_check_filter(const dictionary *dict, int var, const char *dim, const char *value,
                            char *msg, size_t msgsize)
{
    if (var < 0 || var >= dict->nvars) {
        snprintf(msg, msgsize, "unknown variable");
        return -1;
    }
    const var_def *v = &dict->vars[var];
    const table_def *t = &dict->tables[v->table];
    const dim_def *dm = NULL;
    for (int i = 0; i < t->ndims; i++)
        if (strcmp(t->dims[i].name, dim) == 0)
            dm = &t->dims[i];
    if (!dm) {
        if (t->ndims == 0) {
            snprintf(msg, msgsize, "%s has no dimensions to filter on (table %s has one row per year)",
                     v->name, t->name);
            return -1;
        }
        const char **names = xmalloc((size_t)t->ndims * sizeof *names);
        for (int i = 0; i < t->ndims; i++)
            names[i] = t->dims[i].name;
        char list[256], near[128];
        join_list(names, t->ndims, list, sizeof list);
        suggest_among(dim, names, t->ndims, near, sizeof near);
        free(names);
        snprintf(msg, msgsize, "%s has no dimension '%s'%s%s%s (its dimensions: %s)", v->name, dim,
                 near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "", list);
        return -1;
    }
    if (!value || dm->nvalues == 0)
        return 0;
    for (int i = 0; i < dm->nvalues; i++)
        if (strcmp(dm->values[i], value) == 0)
            return 0;
    char list[384];
    join_list((const char *const *)dm->values, dm->nvalues, list, sizeof list);
    snprintf(msg, msgsize, "'%s' is not a value of %s (values: %s)", value, dim, list);
    return -1;
}

static void free_dims(dim_def *dims, int n)
{
    for (int i = 0; i < n; i++) {
        free(dims[i].name);
        free(dims[i].label);
        for (int k = 0; k < dims[i].nvalues; k++) {
            free(dims[i].values[k]);
            if (dims[i].value_region)
                free(dims[i].value_region[k]);
        }
        free(dims[i].values);
        free(dims[i].value_region);
    }
    free(dims);
}

void dictionary_free(dictionary *dict)
{
    for (int i = 0; i < dict->ntables; i++) {
        table_def *t = &dict->tables[i];
        free(t->name);
        free(t->file);
        free(t->title);
        free(t->row_unit);
        free(t->defined_in);
        free_dims(t->dims, t->ndims);
    }
    for (int i = 0; i < dict->nvars; i++) {
        var_def *v = &dict->vars[i];
        free(v->name);
        free(v->label);
        free(v->unit);
        free(v->note);
        free(v->defined_in);
    }
    for (int i = 0; i < MSS_COUNT; i++)
        free(dict->ms_status[i]);
    free(dict->ms_status_in);
    free(dict->tables);
    free(dict->vars);
    file_digests_free(&dict->files);
    strmap_free(&dict->var_index);
    memset(dict, 0, sizeof *dict);
}

int ms_role_of(const dictionary *dict, const char *status)
{
    for (int i = 0; dict && status && *status && i < MSS_COUNT; i++)
        if (dict->ms_status[i] && strcmp(dict->ms_status[i], status) == 0)
            return i;
    return -1;
}

/* The declared statuses, "a, b, c", for messages. */
static void ms_status_list(const dictionary *dict, char *buf, size_t n)
{
    const char *words[MSS_COUNT + 1];
    int k = 0;
    for (int i = 0; dict && i < MSS_COUNT; i++)
        if (dict->ms_status[i] && *dict->ms_status[i])
            words[k++] = dict->ms_status[i];
    words[k] = NULL;
    if (!k)
        snprintf(buf, n, "(none: the data dictionary declares no milestone_statuses)");
    else
        join_list(words, -1, buf, n);
}

/* An optional text key: a copy of its value, or NULL when absent or wrong. */
static char *opt_text(ydoc *y, ynode *map, const char *key, diag_list *d)
{
    const char *s;
    return yget_str(y, map, key, 0, &s, d) == 1 ? xstrdup(s) : NULL;
}

/*
 * A header text (name or label) that is already taken in table t, or NULL.
 * Column headers are matched by name or label, so any two equal texts
 * within one table would make a header ambiguous. `what` says who has it.
 */
static const char *header_taken(const dict_loader *L, int ti, const char *text, char *what,
                                size_t size)
{
    const dictionary *dict = L->dict;
    const table_def *t = &dict->tables[ti];
    const fixed_col *fc;
    int has_year, nf = layout_fixed(t->layout, &fc, &has_year);
    if (is_note_col(text) || strcmp(text, year_col.name) == 0 ||
        strcmp(text, year_col.label) == 0) {
        snprintf(what, size, "a reserved column name");
        return text;
    }
    for (int i = 0; i < nf; i++)
        if (strcmp(text, fc[i].name) == 0 || strcmp(text, fc[i].label) == 0) {
            snprintf(what, size, "a reserved column name of %s tables", layout_names[t->layout]);
            return text;
        }
    for (int i = 0; i < t->ndims; i++)
        if (str_eq(text, t->dims[i].name) || str_eq(text, t->dims[i].label)) {
            snprintf(what, size, "dimension '%s' of table %s", t->dims[i].name, t->name);
            return text;
        }
    int i = strmap_get(&L->headers, ti, text);
    if (i >= 0) {
        const var_def *v = &dict->vars[i];
        snprintf(what, size, "variable %s (%s:%d)", v->name, v->defined_in, v->line);
        return text;
    }
    return NULL;
}

/*
 * The name and label of the table's last dimension must differ from the
 * reserved column names of its layout and from the other dimensions'
 * names and labels: a header cell has to mean one column.
 */
static void check_dim_names(ydoc *y, const table_def *t, ynode *name_node, ynode *label_node,
                            diag_list *d)
{
    const dim_def *dm = &t->dims[t->ndims - 1];
    const fixed_col *fc;
    int has_year, nf = layout_fixed(t->layout, &fc, &has_year);
    const char *texts[2] = {dm->name, dm->label};
    ynode *nodes[2] = {name_node, label_node};
    for (int m = 0; m < 2; m++) {
        const char *x = texts[m];
        if (!x)
            continue;
        int reserved = is_note_col(x) || str_eq(x, year_col.name) || str_eq(x, year_col.label);
        for (int f = 0; f < nf; f++)
            reserved |= str_eq(x, fc[f].name) || str_eq(x, fc[f].label);
        if (reserved) {
            ydiag(y, d, DIAG_ERROR, nodes[m], "dimension %s: '%s' is a reserved column name",
                  dm->name, x);
            continue;
        }
        for (int i = 0; i < t->ndims - 1; i++)
            if (str_eq(x, t->dims[i].name) || str_eq(x, t->dims[i].label)) {
                ydiag(y, d, DIAG_ERROR, nodes[m],
                      "dimension %s: column name '%s' is already used by dimension %s", dm->name,
                      x, t->dims[i].name);
                break;
            }
    }
}

/* dims: {name: {label: ..., values: [...]}, ...} */
static void load_dims(ydoc *y, ynode *map, table_def *t, diag_list *d)
{
    static const char *const dim_keys[] = {"label", "values", NULL};
    if (!ynode_is_map(map)) {
        ydiag(y, d, DIAG_ERROR, map, "table %s: 'dims' must be a mapping of dimension names",
              t->name);
        return;
    }
    size_t n = ymap_len(map);
    t->dims = xcalloc(n ? n : 1, sizeof *t->dims);
    for (size_t i = 0; i < n; i++) {
        ynode *k = ymap_key(y, map, i), *v = ymap_value(y, map, i);
        const char *name = ynode_str(k);
        if (!is_name(name)) {
            ydiag(y, d, DIAG_ERROR, k,
                  "table %s: dimension name '%s' must be lower-case ASCII ([a-z][a-z0-9_]*)",
                  t->name, name ? name : "?");
            continue;
        }
        /* A dimension with neither label nor values may be written "name: {}". */
        if (!ynode_is_map(v)) {
            ydiag(y, d, DIAG_ERROR, v, "dimension %s: must be a mapping like {label: ..., values: [...]}",
                  name);
            continue;
        }
        char what[160];
        snprintf(what, sizeof what, "dimension %s", name);
        ycheck_keys(y, v, dim_keys, what, d);
        dim_def *dm = &t->dims[t->ndims++];
        dm->name = xstrdup(name);
        dm->label = opt_text(y, v, "label", d);
        check_dim_names(y, t, k, ymap_get(y, v, "label"), d);
        ynode *vals = ymap_get(y, v, "values");
        if (!vals)
            continue;
        if (!ynode_is_seq(vals) || yseq_len(vals) == 0) {
            ydiag(y, d, DIAG_ERROR, vals,
                  "dimension %s: 'values' must be a non-empty list (leave it out for any text)",
                  name);
            continue;
        }
        size_t nv = yseq_len(vals);
        dm->values = xcalloc(nv, sizeof *dm->values);
        for (size_t j = 0; j < nv; j++) {
            ynode *e = yseq_at(y, vals, j);
            const char *s = ynode_str(e);
            if (!s || !*s) {
                ydiag(y, d, DIAG_ERROR, e, "dimension %s: each value must be non-empty text", name);
                continue;
            }
            int dup = 0;
            for (int m = 0; m < dm->nvalues; m++)
                dup |= strcmp(dm->values[m], s) == 0;
            if (dup) {
                ydiag(y, d, DIAG_ERROR, e, "dimension %s: value '%s' is listed twice", name, s);
                continue;
            }
            dm->values[dm->nvalues++] = xstrdup(s);
        }
    }
}

/* 1 if region is one of the space-separated names of list. */
static int region_listed(const char *list, const char *region)
{
    size_t n = strlen(region);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ' ');
        size_t m = e ? (size_t)(e - p) : strlen(p);
        if (m == n && strncmp(p, region, n) == 0)
            return 1;
        p += m + (e ? 1 : 0);
    }
    return 0;
}

int dim_value_of_region(const dim_def *dm, int i, const char *region)
{
    return !dm->value_region || !dm->value_region[i] ||
           (region && region_listed(dm->value_region[i], region));
}

/* One value a region adds to a dimension: a clash with the shared list is an error. */
static void extend_value(ydoc *y, diag_list *d, const table_def *t, dim_def *dm, ynode *e,
                         const char *region)
{
    const char *s = ynode_str(e);
    if (!s || !*s) {
        ydiag(y, d, DIAG_ERROR, e, "extend: each value of %s must be non-empty text", dm->name);
        return;
    }
    for (int m = 0; m < dm->nvalues; m++) {
        if (strcmp(dm->values[m], s) != 0)
            continue;
        const char *owner = dm->value_region ? dm->value_region[m] : NULL;
        if (!owner)
            ydiag(y, d, DIAG_ERROR, e,
                  "extend: '%s' clashes with the shared vocabulary: it is already a value of %s "
                  "of table %s (%s:%d)",
                  s, dm->name, t->name, t->defined_in, t->line);
        else if (region_listed(owner, region))
            ydiag(y, d, DIAG_ERROR, e, "extend: '%s' is listed twice for region %s", s, region);
        else {
            char *both = xasprintf("%s %s", owner, region); /* two regions' own value */
            free(dm->value_region[m]);
            dm->value_region[m] = both;
        }
        return;
    }
    size_t nv = (size_t)dm->nvalues + 1;
    int first = !dm->value_region; /* the first regional value: the shared ones untagged */
    dm->values = xrealloc(dm->values, nv * sizeof *dm->values);
    dm->value_region = xrealloc(dm->value_region, nv * sizeof *dm->value_region);
    for (size_t m = 0; first && m + 1 < nv; m++)
        dm->value_region[m] = NULL;
    dm->values[dm->nvalues] = xstrdup(s);
    dm->value_region[dm->nvalues++] = xstrdup(region);
}

/*
 * `extend: {accidents: {sector: [渔业船舶]}}` in data/<region>/variables/: the
 * region's own sectors, event types… added to a shared table's dimension.
 * Only that region's data may use them.
 */
static void load_extend(dict_loader *L, ydoc *y, ynode *ext, const char *region)
{
    diag_list *d = L->d;
    if (!ynode_is_map(ext)) {
        ydiag(y, d, DIAG_ERROR, ext,
              "'extend' must be a mapping like {accidents: {sector: [渔业船舶]}}");
        return;
    }
    for (size_t k = 0; k < ymap_len(ext); k++) {
        ynode *tk = ymap_key(y, ext, k), *tv = ymap_value(y, ext, k);
        const char *tname = ynode_str(tk);
        int ti = tname ? dictionary_find_table(L->dict, tname) : -1;
        if (ti < 0) {
            ydiag(y, d, DIAG_ERROR, tk, "extend: unknown table '%s'", tname ? tname : "?");
            continue;
        }
        table_def *t = &L->dict->tables[ti];
        if (!ynode_is_map(tv)) {
            ydiag(y, d, DIAG_ERROR, tv, "extend: table %s: a mapping of dimension to values", tname);
            continue;
        }
        for (size_t j = 0; j < ymap_len(tv); j++) {
            ynode *dk = ymap_key(y, tv, j), *dv = ymap_value(y, tv, j);
            const char *dname = ynode_str(dk);
            dim_def *dm = NULL;
            for (int m = 0; dname && m < t->ndims; m++)
                if (strcmp(t->dims[m].name, dname) == 0)
                    dm = &t->dims[m];
            if (!dm) {
                ydiag(y, d, DIAG_ERROR, dk, "extend: table %s has no dimension '%s'", tname,
                      dname ? dname : "?");
                continue;
            }
            if (dm->nvalues == 0) {
                ydiag(y, d, DIAG_ERROR, dk,
                      "extend: %s of table %s takes any text: there is no list to extend",
                      dname, tname);
                continue;
            }
            if (!ynode_is_seq(dv) || yseq_len(dv) == 0) {
                ydiag(y, d, DIAG_ERROR, dv, "extend: %s: a non-empty list of values", dname);
                continue;
            }
            for (size_t m = 0; m < yseq_len(dv); m++)
                extend_value(y, d, t, dm, yseq_at(y, dv, m), region);
        }
    }
}

static void load_table(dict_loader *L, ydoc *y, ynode *k, ynode *v)
{
    static const char *const table_keys[] = {"file", "title", "layout", "dims", "row_unit", NULL};
    dictionary *dict = L->dict;
    diag_list *d = L->d;
    const char *name = ynode_str(k);
    if (!is_name(name)) {
        ydiag(y, d, DIAG_ERROR, k, "table name '%s' must be lower-case ASCII ([a-z][a-z0-9_]*)",
              name ? name : "?");
        return;
    }
    int prev = dictionary_find_table(dict, name);
    if (prev >= 0) {
        const table_def *p = &dict->tables[prev];
        ydiag(y, d, DIAG_ERROR, k, "table %s is already declared at %s:%d:%d", name,
              p->defined_in, p->line, L->table_col[prev]);
        return;
    }
    if (!ynode_is_map(v)) {
        ydiag(y, d, DIAG_ERROR, v, "table %s: must be a mapping with file, title, layout", name);
        return;
    }
    char what[160];
    snprintf(what, sizeof what, "table %s", name);
    ycheck_keys(y, v, table_keys, what, d);

    /* ARRAY_PUSH counts in size_t; dict->ntables is an int kept in step. */
    size_t nt = (size_t)dict->ntables, nc = nt;
    table_def *t = ARRAY_PUSH(dict->tables, nt, L->tables_cap);
    *ARRAY_PUSH(L->table_col, nc, L->table_col_cap) = ynode_col(k);
    dict->ntables = (int)nt;
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->defined_in = xstrdup(y->path);
    t->line = ynode_line(k);

    const char *s;
    if (yget_str(y, v, "file", 1, &s, d) == 1) {
        ynode *fn = ymap_get(y, v, "file");
        if (strchr(s, '/') || strchr(s, '\\') || !has_suffix_ci(s, ".csv"))
            ydiag(y, d, DIAG_ERROR, fn,
                  "table %s: file '%s' must be a plain file name ending in .csv", name, s);
        else if (strcasecmp(s, "milestones.csv") == 0)
            ydiag(y, d, DIAG_ERROR, fn, "table %s: milestones.csv is reserved for milestones",
                  name);
        for (int i = 0; i < dict->ntables - 1; i++)
            if (str_eq(dict->tables[i].file, s))
                ydiag(y, d, DIAG_ERROR, fn, "table %s: file %s is already the file of table %s",
                      name, s, dict->tables[i].name);
        t->file = xstrdup(s);
    }
    t->title = opt_text(y, v, "title", d);
    t->row_unit = opt_text(y, v, "row_unit", d);
    int layout_known = 0;
    if (yget_str(y, v, "layout", 1, &s, d) == 1) {
        int li = name_index(layout_names, s);
        if (li < 0)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, v, "layout"),
                  "table %s: unknown layout '%s' (one of yearly, rows, events, long)", name, s);
        else
            t->layout = (table_layout)li;
        layout_known = li >= 0;
    }
    ynode *dims = ymap_get(y, v, "dims");
    if (dims) {
        if (layout_known && t->layout == LAYOUT_YEARLY)
            ydiag(y, d, DIAG_ERROR, dims,
                  "table %s: a yearly table has one row per year and no dimensions", name);
        else
            load_dims(y, dims, t, d);
    }
}

/*
 * `plausible: [min, max]`: the range a department's figure is expected in
 * (a county's population, a loss in 万元). A value outside it is a question
 * for the data-quality review (review.h), not an error: kinds are the hard rules.
 */
static void load_plausible(ydoc *y, ynode *v, var_def *vd, diag_list *d)
{
    ynode *n = ymap_get(y, v, "plausible");
    if (!n)
        return;
    double lo, hi;
    if (!ynode_is_seq(n) || yseq_len(n) != 2 ||
        ynode_num(y, yseq_at(y, n, 0), "plausible minimum", &lo, d) != 0 ||
        ynode_num(y, yseq_at(y, n, 1), "plausible maximum", &hi, d) != 0) {
        ydiag(y, d, DIAG_ERROR, n, "variable %s: 'plausible' must be [min, max], e.g. [0, 1000]",
              vd->name);
        return;
    }
    if (lo > hi) {
        ydiag(y, d, DIAG_ERROR, n, "variable %s: plausible minimum %g is above its maximum %g",
              vd->name, lo, hi);
        return;
    }
    vd->has_plausible = 1;
    vd->plausible[0] = lo;
    vd->plausible[1] = hi;
}

static void load_var(dict_loader *L, ydoc *y, ynode *k, ynode *v)
{
    static const char *const var_keys[] = {"table", "label", "unit", "kind", "note", "plausible",
                                           NULL};
    dictionary *dict = L->dict;
    diag_list *d = L->d;
    const char *name = ynode_str(k);
    if (!is_name(name)) {
        ydiag(y, d, DIAG_ERROR, k, "variable name '%s' must be lower-case ASCII ([a-z][a-z0-9_]*)",
              name ? name : "?");
        return;
    }
    int prev = dictionary_find_var(dict, name);
    if (prev >= 0) {
        const var_def *p = &dict->vars[prev];
        ydiag(y, d, DIAG_ERROR, k, "variable %s is already declared at %s:%d:%d", name,
              p->defined_in, p->line, L->var_col[prev]);
        return;
    }
    if (!ynode_is_map(v)) {
        ydiag(y, d, DIAG_ERROR, v, "variable %s: must be a mapping like {table: ..., kind: ...}",
              name);
        return;
    }
    char what[160];
    snprintf(what, sizeof what, "variable %s", name);
    ycheck_keys(y, v, var_keys, what, d);

    int ok = 1, ti = -1;
    var_kind kind = VK_VALUE;
    const char *s;
    if (yget_str(y, v, "table", 1, &s, d) == 1) {
        ti = dictionary_find_table(dict, s);
        if (ti < 0) {
            const char **names = xmalloc(((size_t)dict->ntables + 1) * sizeof *names);
            for (int i = 0; i < dict->ntables; i++)
                names[i] = dict->tables[i].name;
            char near[128];
            suggest_among(s, names, dict->ntables, near, sizeof near);
            free(names);
            ydiag(y, d, DIAG_ERROR, ymap_get(y, v, "table"),
                  "variable %s: unknown table '%s'%s%s%s", name, s,
                  near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "");
        }
    }
    ok &= ti >= 0;
    if (yget_str(y, v, "kind", 1, &s, d) == 1) {
        int ki = name_index(kind_names, s);
        if (ki < 0) {
            ydiag(y, d, DIAG_ERROR, ymap_get(y, v, "kind"),
                  "variable %s: unknown kind '%s' (one of count, amount, share, flag, value, hours)",
                  name, s);
            ok = 0;
        } else {
            kind = (var_kind)ki;
        }
    } else {
        ok = 0;
    }
    const char *label = NULL;
    if (yget_str(y, v, "label", 0, &label, d) == 1 && !*label)
        label = NULL;
    if (ok && kind == VK_HOURS && dict->tables[ti].layout != LAYOUT_EVENTS) {
        ydiag(y, d, DIAG_ERROR, ymap_get(y, v, "kind"),
              "variable %s: kind hours is computed from event times and needs an events table "
              "(table %s is %s)",
              name, dict->tables[ti].name, layout_names[dict->tables[ti].layout]);
        ok = 0;
    }
    if (ok && kind == VK_HOURS) {
        for (int i = 0; i < dict->nvars; i++)
            if (dict->vars[i].table == ti && dict->vars[i].kind == VK_HOURS) {
                ydiag(y, d, DIAG_ERROR, ymap_get(y, v, "kind"),
                      "variable %s: table %s already has its hours variable %s (an events table "
                      "has exactly one)",
                      name, dict->tables[ti].name, dict->vars[i].name);
                ok = 0;
                break;
            }
    }
    if (ok) {
        char who[256];
        const char *texts[2] = {name, label};
        for (int m = 0; m < 2; m++) {
            if (texts[m] && header_taken(L, ti, texts[m], who, sizeof who)) {
                ydiag(y, d, DIAG_ERROR, m ? ymap_get(y, v, "label") : k,
                      "variable %s: column name '%s' is already %s", name, texts[m], who);
                ok = 0;
            }
        }
    }
    /*
     * A variable with errors is left out, so that every var_def of a
     * loaded dictionary points at a real table; the load fails anyway.
     */
    if (!ok)
        return;
    size_t nv = (size_t)dict->nvars, nc = nv;
    var_def *vd = ARRAY_PUSH(dict->vars, nv, L->vars_cap);
    *ARRAY_PUSH(L->var_col, nc, L->var_col_cap) = ynode_col(k);
    dict->nvars = (int)nv;
    vd->name = xstrdup(name);
    vd->label = label ? xstrdup(label) : NULL;
    vd->unit = opt_text(y, v, "unit", d);
    vd->note = opt_text(y, v, "note", d);
    vd->kind = kind;
    vd->table = ti;
    vd->defined_in = xstrdup(y->path);
    vd->line = ynode_line(k);
    int vi = dict->nvars - 1;
    strmap_add_first(&dict->var_index, 0, vd->name, vi);
    strmap_add_first(&L->headers, ti, vd->name, vi);
    if (vd->label)
        strmap_add_first(&L->headers, ti, vd->label, vi);
    load_plausible(y, v, vd, d);
}

/* The keys of milestone_statuses, in ms_role order. */
static const char *const ms_role_keys[] = {"not_started",  "in_progress",     "done",
                                           "achieved",     "mostly_achieved", "not_achieved",
                                           NULL};

/* milestone_statuses: the words milestones.csv records, one per ms_role. */
static void load_ms_statuses(dict_loader *L, ydoc *y, ynode *v)
{
    dictionary *dict = L->dict;
    diag_list *d = L->d;
    if (dict->ms_status_in) {
        ydiag(y, d, DIAG_ERROR, v, "milestone_statuses are already declared at %s:%d",
              dict->ms_status_in, dict->ms_status_line);
        return;
    }
    if (!ynode_is_map(v)) {
        ydiag(y, d, DIAG_ERROR, v, "milestone_statuses must be a mapping like {done: ...}");
        return;
    }
    ycheck_keys(y, v, ms_role_keys, "milestone_statuses", d);
    dict->ms_status_in = xstrdup(y->path);
    dict->ms_status_line = ynode_line(v);
    for (int i = 0; i < MSS_COUNT; i++) {
        const char *s;
        if (yget_str(y, v, ms_role_keys[i], 1, &s, d) != 1)
            continue;
        for (int j = 0; j < i; j++)
            if (*s && dict->ms_status[j] && strcmp(dict->ms_status[j], s) == 0) {
                ydiag(y, d, DIAG_ERROR, ymap_get(y, v, ms_role_keys[i]),
                      "milestone_statuses: '%s' is already the word for %s", s, ms_role_keys[j]);
                s = "";
            }
        if (!*s)
            continue;
        dict->ms_status[i] = xstrdup(s);
    }
}

/* A dictionary file; region is set for a region's own file (data/<region>/variables/). */
typedef struct dict_src {
    char *path;
    char *region;
} dict_src;

/* The k files names (listed in dir) as sources of region (NULL: shared). */
static void add_names(dict_src **srcs, size_t *n, size_t *cap, const char *dir, char **names,
                      int k, const char *region)
{
    for (int i = 0; i < k; i++) {
        dict_src *s = ARRAY_PUSH(*srcs, *n, *cap);
        s->path = xasprintf("%s/%s", dir, names[i]);
        s->region = region ? xstrdup(region) : NULL;
    }
}

static void add_sources(dict_src **srcs, size_t *n, size_t *cap, const char *dir,
                        const char *region)
{
    char **names;
    int k = list_dir(dir, ".yaml", &names);
    add_names(srcs, n, cap, dir, names, k, region);
    free_names(names, k > 0 ? k : 0);
}

/* The regions' own dictionary files: regions_dir/<region>/variables/ (every .yaml), by region. */
static void add_region_sources(dict_src **srcs, size_t *n, size_t *cap, const char *regions_dir)
{
    DIR *dp = opendir(regions_dir);
    if (!dp)
        return;
    char **regions = NULL;
    size_t nr = 0, rcap = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        if (e->d_name[0] != '.')
            *ARRAY_PUSH(regions, nr, rcap) = xstrdup(e->d_name);
    closedir(dp);
    if (nr)
        qsort(regions, nr, sizeof *regions, cmp_strp);
    for (size_t i = 0; i < nr; i++) {
        char *vdir = xasprintf("%s/%s/variables", regions_dir, regions[i]);
        struct stat st;
        if (strcmp(regions[i], "variables") != 0 && stat(vdir, &st) == 0 && S_ISDIR(st.st_mode))
            add_sources(srcs, n, cap, vdir, regions[i]);
        free(vdir);
        free(regions[i]);
    }
    free(regions);
}

int dictionary_load(dictionary *dict, const char *dir, diag_list *d)
{
    return dictionary_load_regions(dict, dir, NULL, d);
}

int dictionary_load_regions(dictionary *dict, const char *dir, const char *regions_dir,
                            diag_list *d)
{
    static const char *const top_keys[] = {"tables", "variables", "milestone_statuses", NULL};
    static const char *const region_keys[] = {"tables", "variables", "extend", NULL};
    memset(dict, 0, sizeof *dict);
    size_t before = diag_errors(d);
    char **names;
    int nshared = list_dir(dir, ".yaml", &names);
    if (nshared < 0) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot read the dictionary directory: %s",
                 strerror(errno));
        return -1;
    }
    if (nshared == 0) {
        free_names(names, nshared);
        diag_add(d, DIAG_ERROR, dir, 0, 0, "no *.yaml dictionary files in this directory");
        return -1;
    }
    dict_src *srcs = NULL;
    size_t ns = 0, scap = 0;
    add_names(&srcs, &ns, &scap, dir, names, nshared, NULL); /* the listing above, not a second one */
    free_names(names, nshared);
    if (regions_dir)
        add_region_sources(&srcs, &ns, &scap, regions_dir);
    int n = (int)ns;
    ydoc *docs = xcalloc((size_t)n, sizeof *docs);
    ynode **roots = xcalloc((size_t)n, sizeof *roots);
    for (int i = 0; i < n; i++) {
        if (ydoc_load(&docs[i], srcs[i].path, d) == 0) {
            file_digests_add(&dict->files, srcs[i].path, docs[i].sha256);
            ynode *root = ydoc_root(&docs[i]);
            if (!ynode_is_map(root))
                ydiag(&docs[i], d, DIAG_ERROR, root,
                      "a dictionary file must be a mapping with 'tables' and 'variables'");
            else
                roots[i] = root;
        }
    }

    dict_loader L;
    memset(&L, 0, sizeof L);
    L.dict = dict;
    L.d = d;
    /* Pass 1: tables, so that variables may use a table declared in a later file. */
    for (int i = 0; i < n; i++) {
        if (!roots[i])
            continue;
        ycheck_keys(&docs[i], roots[i], srcs[i].region ? region_keys : top_keys, "dictionary", d);
        ynode *tables = ymap_get(&docs[i], roots[i], "tables");
        if (!tables)
            continue;
        if (!ynode_is_map(tables)) {
            ydiag(&docs[i], d, DIAG_ERROR, tables, "'tables' must be a mapping of table names");
            continue;
        }
        for (size_t k = 0; k < ymap_len(tables); k++)
            load_table(&L, &docs[i], ymap_key(&docs[i], tables, k),
                       ymap_value(&docs[i], tables, k));
    }
    /* Pass 1a: the statuses of milestones.csv (shared files only: a region's is refused above). */
    for (int i = 0; i < n; i++) {
        ynode *ms = roots[i] && !srcs[i].region ? ymap_get(&docs[i], roots[i], "milestone_statuses")
                                                : NULL;
        if (ms)
            load_ms_statuses(&L, &docs[i], ms);
    }
    /* Pass 1b: a region's values added to the dimensions of shared tables. */
    for (int i = 0; i < n; i++) {
        ynode *ext = roots[i] ? ymap_get(&docs[i], roots[i], "extend") : NULL;
        if (ext && srcs[i].region)
            load_extend(&L, &docs[i], ext, srcs[i].region);
    }
    /* Pass 2: variables. */
    for (int i = 0; i < n; i++) {
        if (!roots[i])
            continue;
        ynode *vars = ymap_get(&docs[i], roots[i], "variables");
        if (!vars)
            continue;
        if (!ynode_is_map(vars)) {
            ydiag(&docs[i], d, DIAG_ERROR, vars, "'variables' must be a mapping of variable names");
            continue;
        }
        for (size_t k = 0; k < ymap_len(vars); k++)
            load_var(&L, &docs[i], ymap_key(&docs[i], vars, k), ymap_value(&docs[i], vars, k));
    }
    /* Statuses not declared are "" (none is accepted), so that code reading
     * the words never meets NULL. */
    for (int i = 0; i < MSS_COUNT; i++)
        if (!dict->ms_status[i])
            dict->ms_status[i] = xstrdup("");
    /* Pass 3: an events table needs its hours variable (more than one is caught in pass 2). */
    for (int ti = 0; ti < dict->ntables; ti++) {
        const table_def *t = &dict->tables[ti];
        if (t->layout != LAYOUT_EVENTS)
            continue;
        int hours = 0;
        for (int i = 0; i < dict->nvars; i++)
            hours += dict->vars[i].table == ti && dict->vars[i].kind == VK_HOURS;
        if (hours == 0)
            diag_add(d, DIAG_ERROR, t->defined_in, t->line, L.table_col[ti],
                     "events table %s needs one variable of kind hours (the response time)",
                     t->name);
    }

    for (int i = 0; i < n; i++) {
        ydoc_free(&docs[i]);
        free(srcs[i].path);
        free(srcs[i].region);
    }
    free(srcs);
    free(docs);
    free(roots);
    free(L.table_col);
    free(L.var_col);
    strmap_free(&L.headers);
    return diag_errors(d) > before ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Region data                                                               */
/* ------------------------------------------------------------------------ */

/*
 * The distinct values of one dimension in one region, interned to ids
 * 0..nvals-1 through a small open-addressing hash table. Enumerated values
 * are interned first, in dictionary order, so that their ids are stable.
 */
typedef struct intern {
    char **vals; /* owned */
    size_t nvals, cap;
    int *slots;  /* id + 1, 0 = empty; nslots is a power of two */
    size_t nslots;
} intern;

typedef struct rrow {
    int year;
    int line;
    int var; /* long layout: local slot of the row's variable; else -1 */
} rrow;

/* One dictionary table as loaded from one region. */
typedef struct rtable {
    const table_def *def;
    int present;         /* the file exists and could be read */
    char *path;          /* dir/file, owned; set even when absent */
    const char *encoding;
    int ndata;           /* data rows in the file, for reports */
    int nlocal;          /* variables of this table */
    int *local;          /* local slot -> dictionary var */
    int hours_slot;      /* events: local slot of the hours variable, else -1 */
    int nv;              /* values per row: 1 for long, else nlocal */
    intern *dims;        /* def->ndims */
    /* Rows sorted by year (file order within a year). */
    int nrows;
    rrow *rows;
    int *dimv;           /* nrows * ndims interned dim values */
    double *vals;        /* nrows * nv, packed (pack_value) */
    int *year_start;     /* NYEARS + 1 offsets into rows; NULL when no rows */
    const char *region;  /* the region's name (its directory's), for its own values */
} rtable;

typedef struct file_info {
    const char *path; /* borrowed from the region */
    const char *encoding;
    int rows;
} file_info;

struct region_data {
    char *dir;
    const dictionary *dict; /* borrowed: must outlive the region */
    rtable *tables;         /* one per dictionary table */
    int *var_slot;          /* dictionary var -> local slot in its table */
    int *var_first, *var_last; /* years with rows of the var, 0 when none */
    int span_first, span_last; /* smallest and largest of those; 0 when no data */
    char *ms_path;
    milestone_record *ms;   /* sorted by plan, indicator, date, line */
    size_t nms, mscap;
    file_info *files;
    size_t nfiles, filescap;
    file_digests digests;   /* every file read (tables, milestones, provenance) */
    data_provenance prov;   /* statement, sources point at the two below */
    char *prov_statement, *prov_sources;
};

static int intern_find(const intern *in, const char *s)
{
    if (!in->nslots)
        return -1;
    size_t mask = in->nslots - 1;
    for (size_t i = str_hash(s) & mask; in->slots[i]; i = (i + 1) & mask)
        if (strcmp(in->vals[in->slots[i] - 1], s) == 0)
            return in->slots[i] - 1;
    return -1;
}

static void intern_place(intern *in, int id)
{
    size_t mask = in->nslots - 1, i = str_hash(in->vals[id]) & mask;
    while (in->slots[i])
        i = (i + 1) & mask;
    in->slots[i] = id + 1;
}

static int intern_add(intern *in, const char *s)
{
    int id = intern_find(in, s);
    if (id >= 0)
        return id;
    if ((in->nvals + 1) * 2 > in->nslots) { /* keep the load factor under 1/2 */
        free(in->slots);
        in->nslots = in->nslots ? in->nslots * 2 : 16;
        in->slots = xcalloc(in->nslots, sizeof *in->slots);
        for (size_t k = 0; k < in->nvals; k++)
            intern_place(in, (int)k);
    }
    *ARRAY_PUSH(in->vals, in->nvals, in->cap) = xstrdup(s);
    intern_place(in, (int)in->nvals - 1);
    return (int)in->nvals - 1;
}

static void intern_free(intern *in)
{
    for (size_t k = 0; k < in->nvals; k++)
        free(in->vals[k]);
    free(in->vals);
    free(in->slots);
}

void region_free(region_data *r)
{
    if (!r)
        return;
    for (int i = 0; r->dict && i < r->dict->ntables; i++) {
        rtable *t = &r->tables[i];
        free(t->path);
        free(t->local);
        for (int k = 0; k < t->def->ndims; k++)
            intern_free(&t->dims[k]);
        free(t->dims);
        free(t->rows);
        free(t->dimv);
        free(t->vals);
        free(t->year_start);
    }
    for (size_t i = 0; i < r->nms; i++) {
        free(r->ms[i].plan_id);
        free(r->ms[i].indicator_id);
        free(r->ms[i].status);
        free(r->ms[i].evidence);
    }
    free(r->ms);
    free(r->ms_path);
    free(r->prov_statement);
    free(r->prov_sources);
    file_digests_free(&r->digests);
    free(r->files);
    free(r->tables);
    free(r->var_slot);
    free(r->var_first);
    free(r->var_last);
    free(r->dir);
    free(r);
}

const char *region_dir(const region_data *r) { return r->dir; }

/* --- Cells ---------------------------------------------------------------- */

/* Where a cell is, for messages. */
typedef struct cellpos {
    const char *path;
    int line, col;
    diag_list *d;
} cellpos;

static int parse_int(const char *s, long *out)
{
    double v;
    if (parse_number(s, &v) != 0 || v != floor(v) || fabs(v) > 1e15)
        return -1;
    *out = (long)v;
    return 0;
}

/* A year cell; returns the year or 0 after reporting a problem. */
static int parse_year(const char *s, const char *what, cellpos p)
{
    long y;
    if (!*s) {
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "%s is empty", what);
        return 0;
    }
    if (parse_int(s, &y) != 0) {
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "%s: '%s' is not a year", what, s);
        return 0;
    }
    if (y < YEAR_MIN || y > YEAR_MAX) {
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "%s %ld is outside %d..%d", what, y,
                 YEAR_MIN, YEAR_MAX);
        return 0;
    }
    return (int)y;
}

const char *var_kind_rule(var_kind k, double x)
{
    switch (k) {
    case VK_COUNT:
        return x < 0 || x != floor(x) ? "must be a whole number >= 0 (kind count)" : NULL;
    case VK_AMOUNT:
        return x < 0 ? "must be >= 0 (kind amount)" : NULL;
    case VK_SHARE:
        return x < 0 || x > 100 ? "must be between 0 and 100 (kind share, in percent)" : NULL;
    case VK_FLAG:
        return x != 0 && x != 1 ? "must be 0 or 1 (kind flag)" : NULL;
    case VK_VALUE:
    case VK_HOURS:
        break;
    }
    return NULL;
}

/*
 * A data cell of variable v. Empty is missing, never zero. A value that
 * breaks the rule of its kind is reported and stored as missing.
 */
static fvalue parse_cell(const var_def *v, const char *s, cellpos p)
{
    double x;
    char hint[160];
    if (!*s)
        return fv_missing();
    if (numtext_parse(s, v->kind == VK_SHARE, &x, hint, sizeof hint) != 0) {
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "%s: '%s' is not a number%s%s%s", v->name,
                 s, hint[0] ? " (" : "", hint, hint[0] ? ")" : "");
        return fv_missing();
    }
    const char *rule = var_kind_rule(v->kind, x);
    if (rule) {
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "%s: '%s' %s", v->name, s, rule);
        return fv_missing();
    }
    return fv_ok(x);
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/*
 * Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil). Pure arithmetic: no time zone, no mktime, no DST.
 */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Read 1..maxd digits; returns the number of digits read. */
static int read_digits(const char **s, int maxd, int *out)
{
    int n = 0, v = 0;
    while (n < maxd && **s >= '0' && **s <= '9') {
        v = v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    *out = v;
    return n;
}

/*
 * A date "YYYY-MM-DD", or "YYYY/M/D" as Chinese Excel writes it. On
 * success returns 0 and leaves *s after the date.
 */
static int parse_date(const char **s, int *y, int *m, int *d)
{
    const char *p = *s;
    if (read_digits(&p, 4, y) != 4 || (*p != '-' && *p != '/'))
        return -1;
    char sep = *p++;
    if (read_digits(&p, 2, m) < 1 || *p++ != sep || read_digits(&p, 2, d) < 1)
        return -1;
    if (*m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    *s = p;
    return 0;
}

/*
 * A timestamp "YYYY-MM-DD HH:MM[:SS]" (or "YYYY/M/D H:MM[:SS]", or with
 * 'T'): *secs is seconds since 1970-01-01 00:00, *year its year.
 */
static int parse_time(const char *s, long long *secs, int *year)
{
    int y, mo, d, h, mi, sec = 0;
    if (parse_date(&s, &y, &mo, &d) != 0)
        return -1;
    if (*s != ' ' && *s != 'T')
        return -1;
    while (*s == ' ')
        s++;
    if (*s == 'T')
        s++;
    if (read_digits(&s, 2, &h) < 1 || *s++ != ':' || read_digits(&s, 2, &mi) != 2)
        return -1;
    if (*s == ':' && (s++, read_digits(&s, 2, &sec) != 2))
        return -1;
    if (*s || h > 23 || mi > 59 || sec > 59)
        return -1;
    *secs = (long long)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    *year = y;
    return 0;
}

/* --- Headers -------------------------------------------------------------- */

typedef struct header {
    int ncols;
    int *role;              /* per column: enum col_role */
    int *idx;               /* per column: dim index or local var slot */
    int fixed[COL_NFIXED];  /* column of each fixed role, or -1 */
    int *dimcol;            /* per dim: column, or -1 */
    int *varcol;            /* per local var: column, or -1 */
} header;

static void header_free(header *h)
{
    free(h->role);
    free(h->idx);
    free(h->dimcol);
    free(h->varcol);
}

/* The variable named or labelled s, preferring table ti; -1 if none. */
static int find_var_text(const dictionary *dict, int ti, const char *s)
{
    int other = -1;
    for (int i = 0; i < dict->nvars; i++) {
        const var_def *v = &dict->vars[i];
        if (strcmp(v->name, s) == 0 || str_eq(v->label, s)) {
            if (v->table == ti)
                return i;
            if (other < 0)
                other = i;
        }
    }
    return other;
}

/* Every text a header cell of table t may hold, for suggestions. */
static int header_candidates(const region_data *r, const rtable *t, const char ***out)
{
    const table_def *td = t->def;
    const fixed_col *fc;
    int has_year, nf = layout_fixed(td->layout, &fc, &has_year);
    size_t n = 0, cap = 0;
    const char **c = NULL;
    if (has_year) {
        *ARRAY_PUSH(c, n, cap) = year_col.name;
        *ARRAY_PUSH(c, n, cap) = year_col.label;
    }
    for (int i = 0; i < nf; i++) {
        *ARRAY_PUSH(c, n, cap) = fc[i].name;
        *ARRAY_PUSH(c, n, cap) = fc[i].label;
    }
    for (int i = 0; i < td->ndims; i++) {
        *ARRAY_PUSH(c, n, cap) = td->dims[i].name;
        *ARRAY_PUSH(c, n, cap) = td->dims[i].label;
    }
    for (int i = 0; td->layout != LAYOUT_LONG && i < t->nlocal; i++) {
        if (i == t->hours_slot)
            continue;
        const var_def *v = &r->dict->vars[t->local[i]];
        *ARRAY_PUSH(c, n, cap) = v->name;
        *ARRAY_PUSH(c, n, cap) = v->label;
    }
    *out = c;
    return (int)n;
}

/* Column k (0-based) is cell s of the header: decide its role. */
static void header_cell(const region_data *r, const rtable *t, header *h, int k, const char *s,
                        diag_list *d)
{
    const dictionary *dict = r->dict;
    const table_def *td = t->def;
    const fixed_col *fc;
    int has_year, nf = layout_fixed(td->layout, &fc, &has_year);
    int role = -1, idx = 0, col = k + 1;

    if (!*s) {
        h->role[k] = COL_NOHEAD;
        return;
    }
    if (is_note_col(s)) {
        h->role[k] = COL_UNUSED;
        return;
    }
    if (strcmp(s, year_col.name) == 0 || strcmp(s, year_col.label) == 0) {
        if (has_year) {
            role = COL_YEAR;
        } else {
            diag_add(d, DIAG_ERROR, t->path, 1, col,
                     "column '%s': an event's year is the year of its start; remove this column",
                     s);
            return;
        }
    }
    for (int i = 0; role < 0 && i < nf; i++)
        if (strcmp(s, fc[i].name) == 0 || strcmp(s, fc[i].label) == 0)
            role = fc[i].role;
    for (int i = 0; role < 0 && i < td->ndims; i++)
        if (strcmp(s, td->dims[i].name) == 0 || str_eq(s, td->dims[i].label)) {
            role = COL_DIM;
            idx = i;
        }
    if (role < 0) {
        int v = find_var_text(dict, (int)(td - dict->tables), s);
        if (v >= 0 && &dict->tables[dict->vars[v].table] != td) {
            const table_def *other = &dict->tables[dict->vars[v].table];
            diag_add(d, DIAG_ERROR, t->path, 1, col,
                     "column '%s' is variable %s of table %s: it belongs in %s, not in %s", s,
                     dict->vars[v].name, other->name, other->file, td->file);
            return;
        }
        if (v >= 0 && td->layout == LAYOUT_LONG) {
            diag_add(d, DIAG_ERROR, t->path, 1, col,
                     "column '%s': %s is a long table, one row per year and variable; write %s "
                     "in the 'variable' column and its figure in 'value'",
                     s, td->file, dict->vars[v].name);
            return;
        }
        if (v >= 0 && r->var_slot[v] == t->hours_slot) {
            diag_add(d, DIAG_ERROR, t->path, 1, col,
                     "column '%s': %s is computed from the start and end columns; remove this "
                     "column",
                     s, dict->vars[v].name);
            return;
        }
        if (v >= 0) {
            role = COL_VAR;
            idx = r->var_slot[v];
        }
    }
    if (role < 0) {
        const char **cands;
        int nc = header_candidates(r, t, &cands);
        char near[256];
        suggest_among(s, cands, nc, near, sizeof near);
        free(cands);
        diag_add(d, DIAG_ERROR, t->path, 1, col, "unknown column '%s'%s%s%s", s,
                 near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "");
        return;
    }
    int *slot = role == COL_DIM ? &h->dimcol[idx] : role == COL_VAR ? &h->varcol[idx] : &h->fixed[role];
    if (*slot >= 0) {
        diag_add(d, DIAG_ERROR, t->path, 1, col, "column '%s' repeats column %d", s, *slot + 1);
        return;
    }
    *slot = k;
    h->role[k] = role;
    h->idx[k] = idx;
}

/*
 * Map the header row of a table file to roles. Returns 0, or -1 when a
 * required column is missing (the rows cannot be read then).
 */
static int read_header(const region_data *r, const rtable *t, const csv_row *row, header *h,
                       diag_list *d)
{
    const table_def *td = t->def;
    const fixed_col *fc;
    int has_year, nf = layout_fixed(td->layout, &fc, &has_year);
    h->ncols = row->nfields;
    h->role = xcalloc((size_t)row->nfields, sizeof *h->role); /* COL_UNUSED */
    h->idx = xcalloc((size_t)row->nfields, sizeof *h->idx);
    h->dimcol = xmalloc(((size_t)td->ndims + 1) * sizeof *h->dimcol);
    h->varcol = xmalloc(((size_t)t->nlocal + 1) * sizeof *h->varcol);
    for (int i = 0; i < COL_NFIXED; i++)
        h->fixed[i] = -1;
    for (int i = 0; i < td->ndims; i++)
        h->dimcol[i] = -1;
    for (int i = 0; i < t->nlocal; i++)
        h->varcol[i] = -1;
    for (int k = 0; k < row->nfields; k++)
        header_cell(r, t, h, k, row->fields[k], d);

    int ok = 1;
    if (has_year && h->fixed[COL_YEAR] < 0) {
        diag_add(d, DIAG_ERROR, t->path, 1, 0, "missing column 'year' (or '年份')");
        ok = 0;
    }
    for (int i = 0; i < nf; i++)
        if (h->fixed[fc[i].role] < 0) {
            diag_add(d, DIAG_ERROR, t->path, 1, 0, "missing column '%s' (or '%s')", fc[i].name,
                     fc[i].label);
            ok = 0;
        }
    for (int i = 0; i < td->ndims; i++)
        if (h->dimcol[i] < 0) {
            const dim_def *dm = &td->dims[i];
            diag_add(d, DIAG_ERROR, t->path, 1, 0, "missing column '%s'%s%s%s", dm->name,
                     dm->label ? " (or '" : "", dm->label ? dm->label : "", dm->label ? "')" : "");
            ok = 0;
        }
    return ok ? 0 : -1;
}

/* --- Rows ----------------------------------------------------------------- */

/* Rows in file order, before sorting by year. */
typedef struct row_build {
    rrow *rows;
    size_t n, cap;
    int *dimv;
    size_t dimcap;
    double *vals;
    size_t valcap;
} row_build;

/*
 * A value in 8 bytes rather than fvalue's 16 (a table of a million rows
 * holds millions): the states other than a number as quiet NaNs with
 * payloads of their own; a number that is itself NaN keeps a third.
 */
#define PACKED_NAN 0x7ff8000000000000ull
enum { PACK_MISSING = 1, PACK_UNDEFINED = 2, PACK_NAN = 3 };

static double pack_value(fvalue v)
{
    uint64_t bits = PACKED_NAN;
    if (v.state == FV_OK && !isnan(v.v))
        return v.v;
    bits |= v.state == FV_MISSING ? PACK_MISSING : v.state == FV_UNDEFINED ? PACK_UNDEFINED : PACK_NAN;
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static fvalue unpack_value(double x)
{
    if (!isnan(x))
        return fv_ok(x);
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    switch (bits & 3) {
    case PACK_MISSING: return fv_missing();
    case PACK_UNDEFINED: return fv_undefined();
    default: return fv_ok(NAN);
    }
}

/* Append a row; its dims and values are then at dimv[n*ndims], vals[n*nv]. */
static size_t build_push(row_build *b, const rtable *t, int year, int line)
{
    size_t i = b->n;
    rrow *rw = ARRAY_PUSH(b->rows, b->n, b->cap);
    rw->year = year;
    rw->line = line;
    rw->var = -1;
    int ndims = t->def->ndims;
    if (ndims)
        grow_array((void **)&b->dimv, &b->dimcap, (i + 1) * (size_t)ndims - 1, sizeof *b->dimv);
    if (t->nv) {
        grow_array((void **)&b->vals, &b->valcap, (i + 1) * (size_t)t->nv - 1, sizeof *b->vals);
        for (int k = 0; k < t->nv; k++)
            b->vals[i * (size_t)t->nv + (size_t)k] = pack_value(fv_missing());
    }
    return i;
}

/* Sort the built rows by year (a stable counting sort) into t. */
static void build_finish(rtable *t, row_build *b)
{
    size_t ndims = (size_t)t->def->ndims, nv = (size_t)t->nv;
    t->nrows = (int)b->n;
    t->year_start = xcalloc(NYEARS + 1, sizeof *t->year_start);
    t->rows = xmalloc(b->n * sizeof *t->rows); /* xmalloc(0) is a valid pointer */
    t->dimv = xmalloc(b->n * ndims * sizeof *t->dimv);
    t->vals = xmalloc(b->n * nv * sizeof *t->vals);
    int count[NYEARS] = {0};
    for (size_t i = 0; i < b->n; i++)
        count[b->rows[i].year - YEAR_MIN]++;
    for (int y = 0; y < NYEARS; y++)
        t->year_start[y + 1] = t->year_start[y] + count[y];
    int next[NYEARS];
    memcpy(next, t->year_start, sizeof next);
    for (size_t i = 0; i < b->n; i++) {
        size_t j = (size_t)next[b->rows[i].year - YEAR_MIN]++;
        t->rows[j] = b->rows[i];
        if (ndims)
            memcpy(&t->dimv[j * ndims], &b->dimv[i * ndims], ndims * sizeof *t->dimv);
        if (nv)
            memcpy(&t->vals[j * nv], &b->vals[i * nv], nv * sizeof *t->vals);
    }
    free(b->rows);
    free(b->dimv);
    free(b->vals);
    memset(b, 0, sizeof *b);
}

/* A dimension cell: its interned id, or -1 after reporting a bad value. */
static int dim_cell(rtable *t, int di, const char *s, cellpos p)
{
    const dim_def *dm = &t->def->dims[di];
    int id = dm->value_region ? intern_find(&t->dims[di], s) : -1;
    if (id >= 0 && id < dm->nvalues && !dim_value_of_region(dm, id, t->region)) {
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col,
                 "%s: '%s' is a value of region %s only (data/<region>/variables/); declare it "
                 "under 'extend:' in this region's own vocabulary to use it here",
                 dm->name, s, dm->value_region[id]);
        return -1;
    }
    if (dm->nvalues > 0 && intern_find(&t->dims[di], s) < 0) {
        char list[384];
        join_list((const char *const *)dm->values, dm->nvalues, list, sizeof list);
        if (!*s)
            diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "%s is empty (one of %s)", dm->name,
                     list);
        else
            diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "%s: '%s' is not one of %s",
                     dm->name, s, list);
        return -1;
    }
    return intern_add(&t->dims[di], s);
}

/*
 * What each text of a long table's variable column meant, by text, for one
 * file: the variable it names (find_var_text, a scan of the dictionary) and,
 * for an unknown name, its "did you mean" (an edit distance to every variable
 * of the table: 43 % of the CSV fuzzer's time before this memo). A file
 * repeats a few names on every row, so each is worked out once.
 */
typedef struct var_memo {
    intern texts;
    struct var_meaning {
        int var;    /* dictionary index, or -1 */
        char *near; /* unknown names: the suggestion ("" for none); owned */
    } *meaning;     /* by id of texts */
    size_t n, cap;
} var_memo;

static void var_memo_free(var_memo *m)
{
    for (size_t k = 0; k < m->n; k++)
        free(m->meaning[k].near);
    free(m->meaning);
    intern_free(&m->texts);
}

static const struct var_meaning *var_memo_get(var_memo *m, const dictionary *dict,
                                              const rtable *t, const char *s)
{
    int id = intern_find(&m->texts, s);
    if (id >= 0)
        return &m->meaning[id];
    int ti = (int)(t->def - dict->tables);
    struct var_meaning vm = {*s ? find_var_text(dict, ti, s) : -1, NULL};
    if (vm.var < 0 && *s) {
        const char **cands = xmalloc(((size_t)t->nlocal * 2 + 1) * sizeof *cands);
        for (int i = 0; i < t->nlocal; i++) {
            cands[2 * i] = dict->vars[t->local[i]].name;
            cands[2 * i + 1] = dict->vars[t->local[i]].label;
        }
        char near[256];
        suggest_among(s, cands, t->nlocal * 2, near, sizeof near);
        free(cands);
        vm.near = xstrdup(near);
    }
    intern_add(&m->texts, s);
    struct var_meaning *slot = ARRAY_PUSH(m->meaning, m->n, m->cap);
    *slot = vm;
    return slot;
}

/* long layout: the variable a 'variable' cell names, or -1 after reporting. */
static int long_var_cell(const region_data *r, const rtable *t, const char *s, cellpos p,
                         var_memo *memo)
{
    const dictionary *dict = r->dict;
    const struct var_meaning *vm = var_memo_get(memo, dict, t, s);
    int v = vm->var;
    if (v >= 0 && dict->vars[v].table == (int)(t->def - dict->tables))
        return r->var_slot[v];
    if (v >= 0) {
        const table_def *other = &dict->tables[dict->vars[v].table];
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col,
                 "variable %s belongs to table %s (%s), not to %s", dict->vars[v].name,
                 other->name, other->file, t->def->file);
        return -1;
    }
    if (!*s) {
        diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col, "variable is empty");
        return -1;
    }
    const char *near = vm->near;
    diag_add(p.d, DIAG_ERROR, p.path, p.line, p.col,
             "unknown variable '%s' for table %s%s%s%s", s, t->def->name,
             near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "");
    return -1;
}

/* Compare rows of a long table by (year, var, dims, line), for duplicates. */
typedef struct dup_key {
    const rrow *row;
    const int *dimv;
    int ndims;
} dup_key;

static int cmp_dup_key(const void *pa, const void *pb)
{
    const dup_key *a = pa, *b = pb;
    if (a->row->year != b->row->year)
        return a->row->year < b->row->year ? -1 : 1;
    if (a->row->var != b->row->var)
        return a->row->var < b->row->var ? -1 : 1;
    for (int k = 0; k < a->ndims; k++)
        if (a->dimv[k] != b->dimv[k])
            return a->dimv[k] < b->dimv[k] ? -1 : 1;
    return (a->row->line > b->row->line) - (a->row->line < b->row->line);
}

typedef struct dup_hit {
    int line, first, year, var;
} dup_hit;

static int cmp_dup_hit(const void *pa, const void *pb)
{
    const dup_hit *a = pa, *b = pb;
    return (a->line > b->line) - (a->line < b->line);
}

/*
 * long layout: a variable may appear once per year (and dim values).
 * Reported in file order, each naming the first line.
 */
static void check_long_duplicates(const region_data *r, const rtable *t, int varcol, diag_list *d)
{
    size_t n = (size_t)t->nrows, ndims = (size_t)t->def->ndims;
    if (n < 2)
        return;
    dup_key *keys = xmalloc(n * sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        keys[i].row = &t->rows[i];
        keys[i].dimv = &t->dimv[i * ndims];
        keys[i].ndims = (int)ndims;
    }
    qsort(keys, n, sizeof *keys, cmp_dup_key);
    dup_hit *hits = NULL;
    size_t nh = 0, hcap = 0;
    size_t first = 0;
    for (size_t i = 1; i < n; i++) {
        dup_key a = keys[first], b = keys[i];
        int same = a.row->year == b.row->year && a.row->var == b.row->var &&
                   (ndims == 0 || memcmp(a.dimv, b.dimv, ndims * sizeof *a.dimv) == 0);
        if (!same) {
            first = i;
            continue;
        }
        dup_hit *h = ARRAY_PUSH(hits, nh, hcap);
        h->line = b.row->line;
        h->first = a.row->line;
        h->year = b.row->year;
        h->var = t->local[b.row->var];
    }
    if (nh)
        qsort(hits, nh, sizeof *hits, cmp_dup_hit);
    for (size_t i = 0; i < nh; i++)
        diag_add(d, DIAG_ERROR, t->path, hits[i].line, varcol + 1,
                 "%s: year %d appears twice (first at line %d)", r->dict->vars[hits[i].var].name,
                 hits[i].year, hits[i].first);
    free(hits);
    free(keys);
}

/* 1 if s is exactly three ASCII digits, optionally followed by more ",ddd"
 * groups: the tail of a number split at an unquoted thousands separator. */
static int thousands_tail(const char *s)
{
    for (;;) {
        for (int i = 0; i < 3; i++)
            if (s[i] < '0' || s[i] > '9')
                return 0;
        s += 3;
        if (!*s)
            return 1;
        if (*s++ != ',')
            return 0;
    }
}

/* 1 if s can be the head of such a split: 1 to 3 ASCII digits, optionally
 * signed (a number written with thousands separators starts so). */
static int number_head(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t n = strspn(s, "0123456789");
    return n >= 1 && n <= 3 && !s[n];
}

/* The advice for head,tail: quote it or write it without separators. */
static void split_hint(char *buf, size_t size, const char *head, const char *tail)
{
    char plain[128];
    size_t n = 0;
    for (const char *s = head; *s && n + 1 < sizeof plain; s++)
        plain[n++] = *s;
    for (const char *s = tail; *s && n + 1 < sizeof plain; s++)
        if (*s != ',')
            plain[n++] = *s;
    plain[n] = 0;
    snprintf(buf, size,
             "looks like one number split at an unquoted thousands separator: quote the "
             "number (\"%s,%s\") or drop the thousands separator (%s)",
             head, tail, plain);
}

/*
 * A row with more fields than its header: if two neighbouring fields look
 * like a number cut at a thousands separator ("180,000" read as 180 and
 * 000), say so. Returns 1 when it reported the row.
 */
static int report_split_number(const char *path, const csv_row *row, int ncols, diag_list *d)
{
    for (int k = 1; k < row->nfields; k++)
        if (number_head(row->fields[k - 1]) && strlen(row->fields[k]) == 3 &&
            thousands_tail(row->fields[k])) {
            /* "1,800,000": every following ",ddd" group. */
            char tail[128], hint[512];
            snprintf(tail, sizeof tail, "%s", row->fields[k]);
            for (int j = k + 1; j < row->nfields && strlen(row->fields[j]) == 3 &&
                                thousands_tail(row->fields[j]) &&
                                strlen(tail) + 5 < sizeof tail;
                 j++) {
                strcat(tail, ",");
                strcat(tail, row->fields[j]);
            }
            split_hint(hint, sizeof hint, row->fields[k - 1], tail);
            diag_add(d, DIAG_ERROR, path, row->line, k,
                     "this row has %d fields, the header has %d: '%s,%s' %s", row->nfields,
                     ncols, row->fields[k - 1], tail, hint);
            return 1;
        }
    return 0;
}

/*
 * Rows tables sum their rows, so a row pasted twice doubles its figures
 * (3 deaths become 6) without anything looking wrong. Two records can be
 * alike, though (two accidents of one kind, each with 3 deaths): a row
 * equal field for field to an earlier one is accepted, with a warning
 * naming both lines. The rows are streamed (not kept), so each distinct
 * row is remembered by a 128-bit fingerprint of its fields (two 64-bit
 * FNV-1a hashes with different bases; rows taken for equal by chance: a
 * probability under 10^-25 for a million rows) and its line, in a hash
 * table: linear time, 32 bytes a row.
 */
typedef struct row_print {
    uint64_t h1, h2;
    int line;
} row_print;

typedef struct row_set {
    row_print *rows;
    size_t n, cap;
    int *slots; /* index into rows + 1, 0 = empty; nslots a power of two */
    size_t nslots;
    int repeats; /* rows found repeated; the first MAX_REPEAT_WARNINGS are named */
} row_set;

#define MAX_REPEAT_WARNINGS 10

static row_print fingerprint(const csv_row *row)
{
    row_print p = {14695981039346656037ull, 0x9e3779b97f4a7c15ull, row->line};
    for (int k = 0; k < row->nfields; k++) {
        for (const char *s = row->fields[k];; s++) {
            unsigned char c = *s ? (unsigned char)*s : 0x1f; /* field separator */
            p.h1 = (p.h1 ^ c) * 1099511628211ull;
            p.h2 = (p.h2 ^ c) * 0x100000001b3ull + 0x9e37;
            if (!*s)
                break;
        }
    }
    p.h1 ^= (uint64_t)row->nfields;
    return p;
}

static void row_set_free(row_set *rs)
{
    free(rs->rows);
    free(rs->slots);
}

/* Room for n rows at once (not doubled: grow_array zeroes what it adds). */
static void row_set_reserve(row_set *rs, size_t n)
{
    rs->rows = xmalloc((n ? n : 1) * sizeof *rs->rows);
    rs->cap = n ? n : 1;
    size_t slots = 64;
    while (slots < 2 * n)
        slots *= 2;
    rs->slots = xcalloc(slots, sizeof *rs->slots);
    rs->nslots = slots;
}

/* The line of an earlier row equal to row, or 0 after adding row. */
static int row_set_add(row_set *rs, const csv_row *row)
{
    if ((rs->n + 1) * 2 > rs->nslots) {
        free(rs->slots);
        rs->nslots = rs->nslots ? rs->nslots * 2 : 64;
        rs->slots = xcalloc(rs->nslots, sizeof *rs->slots);
        for (size_t i = 0; i < rs->n; i++) {
            size_t j = rs->rows[i].h1 & (rs->nslots - 1);
            while (rs->slots[j])
                j = (j + 1) & (rs->nslots - 1);
            rs->slots[j] = (int)i + 1;
        }
    }
    row_print p = fingerprint(row);
    size_t mask = rs->nslots - 1, j = p.h1 & mask;
    for (; rs->slots[j]; j = (j + 1) & mask) {
        const row_print *q = &rs->rows[rs->slots[j] - 1];
        if (q->h1 == p.h1 && q->h2 == p.h2)
            return q->line;
    }
    *ARRAY_PUSH(rs->rows, rs->n, rs->cap) = p;
    rs->slots[j] = (int)rs->n;
    return 0;
}

static void warn_repeated_row(const rtable *t, const csv_row *row, row_set *rs, diag_list *d)
{
    int first = row_set_add(rs, row);
    if (first > 0 && ++rs->repeats <= MAX_REPEAT_WARNINGS)
        diag_add(d, DIAG_WARNING, t->path, row->line, 0,
                 "this row repeats line %d field for field; both are counted (a %s table sums "
                 "its rows): delete one if it is a copy, or tell the records apart in a note "
                 "column",
                 first, layout_names[t->def->layout]);
}

/* Room for the n rows of a file at once: grown by doubling (grow_array
 * zeroes what it adds), the arrays held up to twice the rows. */
static void build_reserve(row_build *b, const rtable *t, size_t n)
{
    size_t ndims = (size_t)t->def->ndims, nv = (size_t)t->nv;
    if (n == 0)
        return;
    b->rows = xmalloc(n * sizeof *b->rows);
    b->cap = n;
    if (ndims) {
        b->dimv = xmalloc(n * ndims * sizeof *b->dimv);
        b->dimcap = n * ndims;
    }
    if (nv) {
        b->vals = xmalloc(n * nv * sizeof *b->vals);
        b->valcap = n * nv;
    }
}

/*
 * A table file read row by row as csvfile streams it (csv_stream): the
 * parsed file is never held whole, only the rows built (build_finish then
 * indexes them) and a fingerprint per row of a rows table.
 */
typedef struct row_reader {
    region_data *r;
    rtable *t;
    diag_list *d;
    header h;
    int header_ok;
    int ndata;
    row_build b;
    int first_line[NYEARS]; /* yearly layout: where each year was first seen */
    int *dims;
    row_set seen; /* rows layout: for warn_repeated_row */
    var_memo var_texts; /* long layout: what each variable text named */
} row_reader;

typedef struct row_stream {
    row_reader *rr;
    const csv_table *csv; /* its header row, kept while the rows stream */
} row_stream;

/* The header, once the file has been checked: its columns mapped, room for the rows made. */
static void reader_start(void *ctx, const csv_table *csv, int nrows)
{
    row_reader *rr = ((row_stream *)ctx)->rr;
    rr->header_ok = csv->nrows > 0 && read_header(rr->r, rr->t, &csv->rows[0], &rr->h, rr->d) == 0;
    if (rr->header_ok) {
        build_reserve(&rr->b, rr->t, (size_t)nrows);
        if (rr->t->def->layout == LAYOUT_ROWS)
            row_set_reserve(&rr->seen, (size_t)nrows);
    }
    rr->dims = xmalloc(((size_t)rr->t->def->ndims + 1) * sizeof *rr->dims);
}

/* One data row (hr: the header row). */
static void read_row(row_reader *rr, const csv_row *hr, const csv_row *row)
{
    region_data *r = rr->r;
    rtable *t = rr->t;
    diag_list *d = rr->d;
    const header *h = &rr->h;
    row_build *b = &rr->b;
    const dictionary *dict = r->dict;
    const table_def *td = t->def;
    int ndims = td->ndims;
    cellpos p = {t->path, row->line, 0, d};
    if (td->layout == LAYOUT_ROWS && row->nfields == h->ncols)
        warn_repeated_row(t, row, &rr->seen, d);
    if (row->nfields != h->ncols) {
        if (row->nfields < h->ncols || !report_split_number(t->path, row, h->ncols, d))
            diag_add(d, DIAG_ERROR, t->path, row->line, 0,
                     "this row has %d fields, the header has %d", row->nfields, h->ncols);
        return;
    }
    int ok = 1;
    for (int k = 0; k < h->ncols; k++)
        if (h->role[k] == COL_NOHEAD && row->fields[k][0]) {
            diag_add(d, DIAG_ERROR, t->path, row->line, k + 1,
                     "'%s' is in a column without a header", row->fields[k]);
            ok = 0;
        }
    /* A number cut at an unquoted thousands separator whose tail landed
     * in the note column next to it ("180,000" read as 180, note 000). */
    for (int k = 1; k < h->ncols; k++)
        if (h->role[k] == COL_UNUSED && is_note_col(hr->fields[k]) &&
            (h->role[k - 1] == COL_VAR || h->role[k - 1] == COL_VALUE) &&
            number_head(row->fields[k - 1]) && thousands_tail(row->fields[k])) {
            char hint[512];
            split_hint(hint, sizeof hint, row->fields[k - 1], row->fields[k]);
            diag_add(d, DIAG_ERROR, t->path, row->line, k,
                     "'%s' followed by '%s' in the %s column %s", row->fields[k - 1],
                     row->fields[k], hr->fields[k], hint);
            ok = 0;
        }

    /* The year, or for events the start and end times. */
    int year = 0;
    long long start = 0, end = 0;
    int has_end = 0;
    if (td->layout == LAYOUT_EVENTS) {
        int kid = h->fixed[COL_EVENT_ID], ks = h->fixed[COL_START], ke = h->fixed[COL_END];
        if (!row->fields[kid][0]) {
            diag_add(d, DIAG_ERROR, t->path, row->line, kid + 1, "event_id is empty");
            ok = 0;
        }
        const char *s = row->fields[ks];
        if (!*s) {
            diag_add(d, DIAG_ERROR, t->path, row->line, ks + 1,
                     "start is empty (when the event began)");
        } else if (parse_time(s, &start, &year) != 0) {
            diag_add(d, DIAG_ERROR, t->path, row->line, ks + 1,
                     "start: '%s' is not a time like 2023-07-30 06:00", s);
            year = 0;
        } else if (year < YEAR_MIN || year > YEAR_MAX) {
            diag_add(d, DIAG_ERROR, t->path, row->line, ks + 1,
                     "start: year %d is outside %d..%d", year, YEAR_MIN, YEAR_MAX);
            year = 0;
        }
        s = row->fields[ke];
        int ey;
        if (*s && parse_time(s, &end, &ey) != 0) {
            diag_add(d, DIAG_ERROR, t->path, row->line, ke + 1,
                     "end: '%s' is not a time like 2023-07-30 14:30", s);
        } else if (*s && year && end < start) {
            diag_add(d, DIAG_ERROR, t->path, row->line, ke + 1,
                     "end %s is before start %s", s, row->fields[ks]);
        } else if (*s) {
            has_end = 1;
        }
    } else {
        int ky = h->fixed[COL_YEAR];
        p.col = ky + 1;
        year = parse_year(row->fields[ky], "year", p);
        if (year && td->layout == LAYOUT_YEARLY) {
            int *fl = &rr->first_line[year - YEAR_MIN];
            if (*fl) {
                diag_add(d, DIAG_ERROR, t->path, row->line, ky + 1,
                         "year %d appears twice (first at line %d)", year, *fl);
                year = 0;
            } else {
                *fl = row->line;
            }
        }
    }
    for (int i = 0; i < ndims; i++) {
        p.col = h->dimcol[i] + 1;
        rr->dims[i] = dim_cell(t, i, row->fields[h->dimcol[i]], p);
        ok &= rr->dims[i] >= 0;
    }
    int lvar = -1;
    if (td->layout == LAYOUT_LONG) {
        p.col = h->fixed[COL_VARNAME] + 1;
        lvar = long_var_cell(r, t, row->fields[h->fixed[COL_VARNAME]], p, &rr->var_texts);
        ok &= lvar >= 0;
    }
    /* A row whose year or keys are unusable is dropped; its errors are reported. */
    if (!year || !ok)
        return;

    size_t i = build_push(b, t, year, row->line);
    b->rows[i].var = lvar;
    if (ndims)
        memcpy(&b->dimv[i * (size_t)ndims], rr->dims, (size_t)ndims * sizeof *rr->dims);
    double *vals = t->nv ? &b->vals[i * (size_t)t->nv] : NULL;
    if (td->layout == LAYOUT_LONG) {
        int kv = h->fixed[COL_VALUE];
        p.col = kv + 1;
        vals[0] = pack_value(parse_cell(&dict->vars[t->local[lvar]], row->fields[kv], p));
        return;
    }
    for (int v = 0; v < t->nlocal; v++) {
        if (v == t->hours_slot) {
            vals[v] = pack_value(has_end ? fv_ok((double)(end - start) / 3600.0) : fv_missing());
        } else if (h->varcol[v] >= 0) {
            p.col = h->varcol[v] + 1;
            vals[v] = pack_value(parse_cell(&dict->vars[t->local[v]], row->fields[h->varcol[v]], p));
        }
    }
}

static void reader_row(void *ctx, const csv_row *row)
{
    row_stream *rs = ctx;
    rs->rr->ndata++;
    if (rs->rr->header_ok)
        read_row(rs->rr, &rs->csv->rows[0], row);
}

static void reader_finish(row_reader *rr)
{
    free(rr->dims);
    row_set_free(&rr->seen);
    var_memo_free(&rr->var_texts);
    if (rr->seen.repeats > MAX_REPEAT_WARNINGS)
        diag_add(rr->d, DIAG_WARNING, rr->t->path, 0, 0,
                 "%d rows in all repeat an earlier row field for field (the first %d are named "
                 "above); each is counted",
                 rr->seen.repeats, MAX_REPEAT_WARNINGS);
    header_free(&rr->h);
}

/* Read one table file of the region (it exists). */
static int entry_exists(const char *path);

/* t's file, when there is one: opened straight away (a stat first cost a
 * system call a file), a file that cannot be opened and has no directory
 * entry is absent (entry_exists); a name that is there but cannot be
 * opened (a dangling link, a link loop, no permission) is an error. */
static void load_table_file(region_data *r, rtable *t, diag_list *d)
{
    csv_table csv;
    csv_error err;
    memset(&csv, 0, sizeof csv);
    row_reader rr;
    memset(&rr, 0, sizeof rr);
    rr.r = r;
    rr.t = t;
    rr.d = d;
    row_stream rs = {&rr, &csv};
    char hex[65];
    csv_stream stream = {reader_start, reader_row, &rs, hex};
    if (csvfile_read_stream(t->path, &csv, &err, &stream) != 0) {
        if (err.open_errno && !entry_exists(t->path))
            return; /* no such file: the table is absent */
        if (err.open_errno == ENOENT) /* the name is there: a link to nothing */
            diag_add(d, DIAG_ERROR, t->path, 0, 0,
                     "is a symbolic link to a file that does not exist");
        else
            diag_add(d, DIAG_ERROR, t->path, err.line, err.col, "%s", err.msg);
        if (rr.dims) { /* checked, then failed while streaming: not expected */
            reader_finish(&rr);
            free(rr.b.rows);
            free(rr.b.dimv);
            free(rr.b.vals);
        }
        csvfile_free(&csv);
        return;
    }
    t->present = 1;
    file_digests_add(&r->digests, t->path, hex);
    t->encoding = csv.encoding;
    t->ndata = rr.ndata;
    int long_varcol = rr.header_ok ? rr.h.fixed[COL_VARNAME] : -1;
    reader_finish(&rr);
    csvfile_free(&csv);
    build_finish(t, &rr.b); /* no rows read: an empty index */
    if (t->def->layout == LAYOUT_LONG && long_varcol >= 0)
        check_long_duplicates(r, t, long_varcol, d);
    file_info *fi = ARRAY_PUSH(r->files, r->nfiles, r->filescap);
    fi->path = t->path;
    fi->encoding = t->encoding;
    fi->rows = t->ndata;
}

/* --- Milestones ------------------------------------------------------------ */

enum { MS_PLAN, MS_IND, MS_ASOF, MS_STATUS, MS_EVIDENCE, MS_NCOLS };
static const fixed_col ms_cols[MS_NCOLS] = {
    {MS_PLAN, "plan_id", "规划"},     {MS_IND, "indicator_id", "指标"},
    {MS_ASOF, "as_of", "截至日期"},   {MS_STATUS, "status", "状态"},
    {MS_EVIDENCE, "evidence", "佐证"},
};

static int cmp_milestone(const void *pa, const void *pb)
{
    const milestone_record *a = pa, *b = pb;
    int c = strcmp(a->plan_id, b->plan_id);
    if (!c)
        c = strcmp(a->indicator_id, b->indicator_id);
    if (!c)
        c = a->year != b->year ? a->year - b->year
            : a->month != b->month ? a->month - b->month
                                   : a->day - b->day;
    /* Ties keep file order, so that a later line wins among equal dates. */
    return c ? c : a->line - b->line;
}

/* "YYYY-MM-DD", "YYYY/M/D" or "YYYY" (meaning 31 December). */
static int parse_as_of(const char *s, int *y, int *m, int *d)
{
    const char *p = s;
    if (parse_date(&p, y, m, d) == 0 && !*p)
        return 0;
    p = s;
    if (read_digits(&p, 4, y) == 4 && !*p) {
        *m = 12;
        *d = 31;
        return 0;
    }
    return -1;
}

/* milestones.csv read row by row (csv_stream): a large file is not held
 * parsed, only the records kept from it. */
typedef struct ms_reader {
    region_data *r;
    diag_list *d;
    int col[MS_NCOLS]; /* field of each column, or -1 */
    int nheader;       /* fields of the header */
    int ok;            /* the header names every required column */
    int ndata;         /* data rows */
} ms_reader;

/* The header: which field holds which column. */
static void ms_start(void *ctx, const csv_table *csv, int nrows)
{
    ms_reader *mr = ctx;
    const char *path = mr->r->ms_path;
    diag_list *d = mr->d;
    (void)nrows; /* room for them: the records are few */
    int *col = mr->col;
    for (int i = 0; i < MS_NCOLS; i++)
        col[i] = -1;
    mr->ok = 1;
    if (csv->nrows < 1)
        return;
    const csv_row *hr = &csv->rows[0];
    mr->nheader = hr->nfields;
    for (int k = 0; k < hr->nfields; k++) {
        const char *s = hr->fields[k];
        if (!*s || is_note_col(s))
            continue;
        int which = -1;
        for (int i = 0; i < MS_NCOLS; i++)
            if (strcmp(s, ms_cols[i].name) == 0 || strcmp(s, ms_cols[i].label) == 0)
                which = i;
        if (which < 0) {
            const char *cands[2 * MS_NCOLS];
            for (int i = 0; i < MS_NCOLS; i++) {
                cands[2 * i] = ms_cols[i].name;
                cands[2 * i + 1] = ms_cols[i].label;
            }
            char near[128];
            suggest_among(s, cands, 2 * MS_NCOLS, near, sizeof near);
            diag_add(d, DIAG_ERROR, path, 1, k + 1, "unknown column '%s'%s%s%s", s,
                     near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "");
        } else if (col[which] >= 0) {
            diag_add(d, DIAG_ERROR, path, 1, k + 1, "column '%s' repeats column %d", s,
                     col[which] + 1);
        } else {
            col[which] = k;
        }
    }
    for (int i = 0; i < MS_NCOLS; i++)
        if (col[i] < 0 && i != MS_EVIDENCE) { /* evidence is optional */
            diag_add(d, DIAG_ERROR, path, 1, 0, "missing column '%s' (or '%s')", ms_cols[i].name,
                     ms_cols[i].label);
            mr->ok = 0;
        }
}

/* One record: checked, then kept. */
static void ms_row(void *ctx, const csv_row *row)
{
    ms_reader *mr = ctx;
    region_data *r = mr->r;
    diag_list *d = mr->d;
    const char *path = r->ms_path;
    const int *col = mr->col;
    mr->ndata++;
    if (!mr->ok)
        return;
    if (row->nfields != mr->nheader) {
        diag_add(d, DIAG_ERROR, path, row->line, 0, "this row has %d fields, the header has %d",
                 row->nfields, mr->nheader);
        return;
    }
    const char *plan = row->fields[col[MS_PLAN]], *ind = row->fields[col[MS_IND]];
    const char *asof = row->fields[col[MS_ASOF]], *status = row->fields[col[MS_STATUS]];
    int good = 1, y = 0, m = 0, dd = 0;
    if (!*plan) {
        diag_add(d, DIAG_ERROR, path, row->line, col[MS_PLAN] + 1, "plan_id is empty");
        good = 0;
    }
    if (!*ind) {
        diag_add(d, DIAG_ERROR, path, row->line, col[MS_IND] + 1, "indicator_id is empty");
        good = 0;
    }
    if (parse_as_of(asof, &y, &m, &dd) != 0) {
        diag_add(d, DIAG_ERROR, path, row->line, col[MS_ASOF] + 1,
                 "as_of: '%s' is not a date like 2023-06-30 or a year like 2023", asof);
        good = 0;
    } else if (y < YEAR_MIN || y > YEAR_MAX) {
        diag_add(d, DIAG_ERROR, path, row->line, col[MS_ASOF] + 1,
                 "as_of: year %d is outside %d..%d", y, YEAR_MIN, YEAR_MAX);
        good = 0;
    }
    int role = ms_role_of(r->dict, status);
    if (role < 0) {
        char list[256];
        ms_status_list(r->dict, list, sizeof list);
        diag_add(d, DIAG_ERROR, path, row->line, col[MS_STATUS] + 1,
                 "status: '%s' is not one of %s", status, list);
        good = 0;
    }
    if (!good)
        return;
    milestone_record *rec = ARRAY_PUSH(r->ms, r->nms, r->mscap);
    rec->plan_id = xstrdup(plan);
    rec->indicator_id = xstrdup(ind);
    rec->year = y;
    rec->month = m;
    rec->day = dd;
    rec->status = xstrdup(status);
    rec->role = (ms_role)role;
    rec->evidence = xstrdup(col[MS_EVIDENCE] >= 0 ? row->fields[col[MS_EVIDENCE]] : "");
    size_t nchars = utf8_chars(rec->evidence);
    if (nchars > XL_CELL_MAX)
        diag_add(d, DIAG_WARNING, path, row->line, col[MS_EVIDENCE] + 1,
                 "evidence: %zu characters, over Excel's %d in a cell: the workbook cuts it "
                 "there with a note (the report keeps it whole)",
                 nchars, XL_CELL_MAX);
    rec->path = r->ms_path;
    rec->line = row->line;
}

static void load_milestones(region_data *r, diag_list *d)
{
    csv_table csv;
    csv_error err;
    memset(&csv, 0, sizeof csv);
    ms_reader mr = {.r = r, .d = d};
    char hex[65];
    csv_stream stream = {ms_start, ms_row, &mr, hex};
    if (csvfile_read_stream(r->ms_path, &csv, &err, &stream) != 0) {
        diag_add(d, DIAG_ERROR, r->ms_path, err.line, err.col, "%s", err.msg);
        csvfile_free(&csv);
        return;
    }
    file_digests_add(&r->digests, r->ms_path, hex);
    file_info *fi = ARRAY_PUSH(r->files, r->nfiles, r->filescap);
    fi->path = r->ms_path;
    fi->encoding = csv.encoding;
    fi->rows = mr.ndata;
    if (r->nms > 1)
        qsort(r->ms, r->nms, sizeof *r->ms, cmp_milestone);
    csvfile_free(&csv);
}

/* --- Loading a region ------------------------------------------------------ */

static int entry_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Warn about CSV files that no table reads: likely a misnamed file. */
static void warn_unused(const region_data *r, diag_list *d)
{
    char **names;
    int n = list_dir(r->dir, ".csv", &names);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], "milestones.csv") == 0)
            continue;
        const char *near = NULL;
        int used = 0;
        for (int ti = 0; ti < r->dict->ntables && !used; ti++) {
            const char *f = r->dict->tables[ti].file;
            used = str_eq(f, names[i]);
            if (f && !used && strcasecmp(f, names[i]) == 0)
                near = f;
        }
        if (used)
            continue;
        char *path = xasprintf("%s/%s", r->dir, names[i]);
        if (near)
            diag_add(d, DIAG_WARNING, path, 0, 0,
                     "not used: no table of the dictionary reads this file (did you mean %s?)",
                     near);
        else
            diag_add(d, DIAG_WARNING, path, 0, 0,
                     "not used: no table of the dictionary reads this file");
        free(path);
    }
    free_names(names, n > 0 ? n : 0);
}

/* --- provenance.yaml ------------------------------------------------------ */

/* A YAML boolean (plain true/false in any of YAML's spellings): 0 or 1, -1 if not. */
static int yaml_bool(const ynode *n)
{
    const char *s = ynode_str(n);
    if (!s || ynode_text_offset(n) || ynode_is_block(n))
        return -1;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return 1;
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return 0;
    return -1;
}

/* A non-empty text value of map[key] copied into *out; errors reported. */
static void provenance_text(ydoc *y, ynode *map, const char *key, int required, char **out,
                            diag_list *d)
{
    const char *s = NULL;
    int rc = yget_str(y, map, key, 0, &s, d);
    if (rc == 0 && required)
        ydiag(y, d, DIAG_ERROR, map,
              "missing '%s': the sentence readers see on page 1 saying the figures are "
              "illustrative",
              key);
    if (rc != 1)
        return;
    if (!*s) {
        ydiag(y, d, DIAG_ERROR, ymap_get(y, map, key), "'%s' must not be empty", key);
        return;
    }
    *out = xstrdup(s);
}

static void load_provenance(region_data *r, const char *path, diag_list *d)
{
    size_t before = diag_errors(d);
    ydoc y;
    if (ydoc_load(&y, path, d) != 0) {
        ydoc_free(&y);
        return;
    }
    file_digests_add(&r->digests, path, y.sha256);
    ynode *root = ydoc_root(&y);
    if (!root || !ynode_is_map(root)) {
        ydiag(&y, d, DIAG_ERROR, root,
              "provenance.yaml is a mapping: illustrative: true|false, statement: …, sources: "
              "… (docs/data-files.md)");
        ydoc_free(&y);
        return;
    }
    static const char *const keys[] = {"illustrative", "statement", "sources", NULL};
    ycheck_keys(&y, root, keys, "provenance", d);
    ynode *il = ymap_get(&y, root, "illustrative");
    int illustrative = 0;
    if (!il) {
        ydiag(&y, d, DIAG_ERROR, root,
              "missing required key 'illustrative' (true when the figures are illustrative, "
              "false when they are official statistics)");
    } else if ((illustrative = yaml_bool(il)) < 0) {
        const char *s = ynode_str(il);
        ydiag(&y, d, DIAG_ERROR, il, "'illustrative' must be true or false, not %s%s%s",
              s ? "'" : ynode_is_map(il) ? "a mapping" : "a list", s ? s : "", s ? "'" : "");
        illustrative = 0;
    }
    provenance_text(&y, root, "statement", il && illustrative == 1, &r->prov_statement, d);
    provenance_text(&y, root, "sources", 0, &r->prov_sources, d);
    ydoc_free(&y);
    if (diag_errors(d) > before) {
        free(r->prov_statement);
        free(r->prov_sources);
        r->prov_statement = r->prov_sources = NULL;
        return;
    }
    r->prov.declared = 1;
    r->prov.illustrative = illustrative;
    r->prov.statement = r->prov_statement;
    r->prov.sources = r->prov_sources;
}

const data_provenance *region_provenance(const region_data *r)
{
    static const data_provenance none = {0, 0, NULL, NULL};
    return r ? &r->prov : &none;
}

/* Years with rows of each variable, for region_var_years(). */
static void index_var_years(region_data *r)
{
    const dictionary *dict = r->dict;
    for (int v = 0; v < dict->nvars; v++) {
        const rtable *t = &r->tables[dict->vars[v].table];
        int lo = 0, hi = 0;
        if (t->nrows > 0 && t->def->layout != LAYOUT_LONG) {
            /* Rows are sorted by year: the first and the last row. */
            lo = t->rows[0].year;
            hi = t->rows[t->nrows - 1].year;
        } else {
            for (int i = 0; i < t->nrows; i++) { /* a long table: this variable's rows */
                if (t->rows[i].var != r->var_slot[v])
                    continue;
                if (!lo)
                    lo = t->rows[i].year;
                hi = t->rows[i].year;
            }
        }
        r->var_first[v] = lo;
        r->var_last[v] = hi;
        if (lo && (!r->span_first || lo < r->span_first))
            r->span_first = lo;
        if (hi > r->span_last)
            r->span_last = hi;
    }
}

int region_load(region_data **out, const dictionary *dict, const char *dir, diag_list *d)
{
    size_t before = diag_errors(d);
    region_data *r = xcalloc(1, sizeof *r);
    *out = r;
    r->dir = xstrdup(dir);
    r->dict = dict;
    r->tables = xcalloc((size_t)dict->ntables + 1, sizeof *r->tables);
    r->var_slot = xcalloc((size_t)dict->nvars + 1, sizeof *r->var_slot);
    r->var_first = xcalloc((size_t)dict->nvars + 1, sizeof *r->var_first);
    r->var_last = xcalloc((size_t)dict->nvars + 1, sizeof *r->var_last);
    r->ms_path = xasprintf("%s/milestones.csv", dir);
    const char *slash = strrchr(r->dir, '/');
    const char *region_name = slash ? slash + 1 : r->dir;

    /* Each table's variables in dictionary order, and its interned dims. */
    for (int ti = 0; ti < dict->ntables; ti++) {
        rtable *t = &r->tables[ti];
        const table_def *td = &dict->tables[ti];
        t->def = td;
        t->region = region_name;
        t->path = xasprintf("%s/%s", dir, td->file ? td->file : "");
        t->hours_slot = -1;
        t->local = xmalloc(((size_t)dict->nvars + 1) * sizeof *t->local);
        for (int v = 0; v < dict->nvars; v++) {
            if (dict->vars[v].table != ti)
                continue;
            if (dict->vars[v].kind == VK_HOURS && td->layout == LAYOUT_EVENTS)
                t->hours_slot = t->nlocal;
            r->var_slot[v] = t->nlocal;
            t->local[t->nlocal++] = v;
        }
        t->nv = td->layout == LAYOUT_LONG ? 1 : t->nlocal;
        t->dims = xcalloc((size_t)td->ndims + 1, sizeof *t->dims);
        for (int k = 0; k < td->ndims; k++)
            for (int j = 0; j < td->dims[k].nvalues; j++)
                intern_add(&t->dims[k], td->dims[k].values[j]);
    }

    struct stat st;
    int found = stat(dir, &st) == 0;
    if (!found || !S_ISDIR(st.st_mode)) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot read the data directory: %s",
                 found ? "not a directory" : strerror(errno));
        return -1;
    }
    for (int ti = 0; ti < dict->ntables; ti++) {
        rtable *t = &r->tables[ti];
        if (t->def->file)
            load_table_file(r, t, d);
    }
    if (entry_exists(r->ms_path))
        load_milestones(r, d);
    char *prov = xasprintf("%s/" PROVENANCE_FILE, dir);
    if (entry_exists(prov))
        load_provenance(r, prov, d);
    free(prov);
    warn_unused(r, d);
    index_var_years(r);
    return diag_errors(d) > before ? -1 : 0;
}

/* --- Queries ---------------------------------------------------------------- */

/* The table and local slot of var; NULL when var is out of range. */
static const rtable *var_table(const region_data *r, int var, int *slot)
{
    if (!r || var < 0 || var >= r->dict->nvars)
        return NULL;
    *slot = r->var_slot[var];
    return &r->tables[r->dict->vars[var].table];
}

int region_has_table(const region_data *r, int var)
{
    int slot;
    const rtable *t = var_table(r, var, &slot);
    return t && t->present;
}

int region_var_years(const region_data *r, int var, int *first, int *last)
{
    int slot;
    if (!var_table(r, var, &slot) || !r->var_first[var])
        return 0;
    *first = r->var_first[var];
    *last = r->var_last[var];
    return 1;
}

int region_year_span(const region_data *r, int *first, int *last)
{
    if (!r || !r->span_first)
        return 0;
    *first = r->span_first;
    *last = r->span_last;
    return 1;
}

/* Rows of year in t: [*b, *e). */
static void year_span(const rtable *t, int year, int *b, int *e)
{
    *b = *e = 0;
    if (!t->present || !t->year_start || year < YEAR_MIN || year > YEAR_MAX)
        return;
    *b = t->year_start[year - YEAR_MIN];
    *e = t->year_start[year - YEAR_MIN + 1];
}

int region_year_covered(const region_data *r, int var, int year)
{
    int slot, b, e;
    const rtable *t = var_table(r, var, &slot);
    if (!t)
        return 0;
    year_span(t, year, &b, &e);
    if (t->def->layout != LAYOUT_LONG)
        return b < e;
    /* A long table covers a year per variable: it has one row per variable. */
    for (int i = b; i < e; i++)
        if (t->rows[i].var == slot)
            return 1;
    return 0;
}

/*
 * Filters converted to interned ids once per query, so that matching a
 * row compares integers. Small queries live in the struct's own buffer.
 */
typedef struct matcher {
    int never;   /* a filter no row can match (unknown dim or no known value) */
    int nf;
    int *dim;    /* per filter: dim index */
    int *start;  /* per filter: its ids are ids[start[f] .. start[f+1]) */
    int *ids;
    int *heap;
    int small[64];
} matcher;

static void matcher_init(matcher *m, const rtable *t, const formula_filter *filters, int nfilters)
{
    size_t need = 2 * (size_t)nfilters + 1;
    for (int f = 0; f < nfilters; f++)
        need += (size_t)filters[f].nvalues;
    int *buf = m->small;
    m->heap = NULL;
    if (need > sizeof m->small / sizeof m->small[0])
        buf = m->heap = xmalloc(need * sizeof *buf);
    m->never = 0;
    m->nf = nfilters;
    m->dim = buf;
    m->start = buf + nfilters;
    m->ids = buf + 2 * nfilters + 1;
    int nids = 0;
    for (int f = 0; f < nfilters; f++) {
        m->start[f] = nids;
        int di = -1;
        for (int k = 0; k < t->def->ndims; k++)
            if (str_eq(t->def->dims[k].name, filters[f].dim))
                di = k;
        m->dim[f] = di;
        for (int j = 0; di >= 0 && j < filters[f].nvalues; j++) {
            int id = intern_find(&t->dims[di], filters[f].values[j]);
            if (id >= 0)
                m->ids[nids++] = id;
        }
        if (di < 0 || nids == m->start[f])
            m->never = 1;
    }
    m->start[nfilters] = nids;
}

static int matcher_match(const matcher *m, const int *dimv)
{
    if (m->never)
        return 0;
    for (int f = 0; f < m->nf; f++) {
        int v = dimv[m->dim[f]], hit = 0;
        for (int j = m->start[f]; j < m->start[f + 1] && !hit; j++)
            hit = m->ids[j] == v;
        if (!hit)
            return 0;
    }
    return 1;
}

/*
 * Visit the rows of var in year that match the filters: each_row(ctx,
 * row index, value). Returns the number visited, or -1 when the year is not
 * covered.
 */
static int visit_rows(const region_data *r, int var, const formula_filter *filters, int nfilters,
                      int year, void (*each_row)(void *ctx, const rtable *t, int i, fvalue v),
                      void *ctx)
{
    int slot, b, e;
    const rtable *t = var_table(r, var, &slot);
    if (!t)
        return -1;
    year_span(t, year, &b, &e);
    if (b == e)
        return -1;
    int is_long = t->def->layout == LAYOUT_LONG, covered = !is_long, n = 0;
    size_t ndims = (size_t)t->def->ndims;
    matcher m;
    matcher_init(&m, t, filters, nfilters);
    for (int i = b; i < e; i++) {
        if (is_long) {
            if (t->rows[i].var != slot)
                continue;
            covered = 1;
        }
        if (nfilters && !matcher_match(&m, &t->dimv[(size_t)i * ndims]))
            continue;
        fvalue v = unpack_value(t->vals[(size_t)i * (size_t)t->nv + (size_t)(is_long ? 0 : slot)]);
        each_row(ctx, t, i, v);
        n++;
    }
    free(m.heap);
    return covered ? n : -1;
}

typedef struct sum_ctx {
    fvalue sum;
    source_fn src;
    void *src_ctx;
} sum_ctx;

static void sum_row(void *ctx, const rtable *t, int i, fvalue v)
{
    sum_ctx *s = ctx;
    if (s->src)
        s->src(s->src_ctx, t->path, t->rows[i].line, v);
    if (v.state != FV_OK)
        s->sum = fv_missing();
    else if (s->sum.state == FV_OK)
        s->sum.v += v.v;
}

fvalue region_value(const region_data *r, int var, const formula_filter *filters, int nfilters,
                    int year, source_fn src, void *src_ctx)
{
    sum_ctx s = {fv_ok(0), src, src_ctx};
    if (visit_rows(r, var, filters, nfilters, year, sum_row, &s) < 0)
        return fv_missing();
    return s.sum;
}

typedef struct each_ctx {
    void (*each)(void *acc, fvalue v);
    void *acc;
} each_ctx;

static void each_row_value(void *ctx, const rtable *t, int i, fvalue v)
{
    each_ctx *c = ctx;
    (void)t;
    (void)i;
    c->each(c->acc, v);
}

int region_rows(const region_data *r, int var, const formula_filter *filters, int nfilters,
                int year, void (*each)(void *acc, fvalue v), void *acc)
{
    each_ctx c = {each, acc};
    return visit_rows(r, var, filters, nfilters, year, each_row_value, &c);
}

int region_milestones(const region_data *r, const char *plan_id, const char *indicator_id,
                      const milestone_record **out)
{
    /* Lower bound of (plan_id, indicator_id) in the sorted records. */
    size_t lo = 0, hi = r->nms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->ms[mid].plan_id, plan_id);
        if (!c)
            c = strcmp(r->ms[mid].indicator_id, indicator_id);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < r->nms && strcmp(r->ms[e].plan_id, plan_id) == 0 &&
           strcmp(r->ms[e].indicator_id, indicator_id) == 0)
        e++;
    *out = e > lo ? &r->ms[lo] : NULL;
    return (int)(e - lo);
}

int region_all_milestones(const region_data *r, const milestone_record **out)
{
    *out = r->nms ? r->ms : NULL;
    return (int)r->nms;
}

int region_file_count(const region_data *r) { return (int)r->nfiles; }

const char *dictionary_file_digest(const dictionary *dict, const char *path)
{
    return file_digests_find(&dict->files, path);
}

const char *region_file_digest(const region_data *r, const char *path)
{
    return r ? file_digests_find(&r->digests, path) : NULL;
}

void region_file_info(const region_data *r, int i, const char **path, const char **encoding,
                      int *rows)
{
    const file_info *fi = &r->files[i];
    if (path)
        *path = fi->path;
    if (encoding)
        *encoding = fi->encoding;
    if (rows)
        *rows = fi->rows;
}

typedef struct member_ctx {
    int dim;        /* index of the dimension in the table */
    char ***out;
    int *n;
} member_ctx;

static void add_member(void *ctx, const rtable *t, int i, fvalue v)
{
    member_ctx *mc = ctx;
    (void)v;
    int id = t->dimv[(size_t)i * (size_t)t->def->ndims + (size_t)mc->dim];
    if (id < 0 || (size_t)id >= t->dims[mc->dim].nvals)
        return;
    const char *s = t->dims[mc->dim].vals[id];
    for (int k = 0; k < *mc->n; k++)
        if (str_eq((*mc->out)[k], s))
            return;
    *mc->out = xrealloc(*mc->out, (size_t)(*mc->n + 1) * sizeof **mc->out);
    (*mc->out)[(*mc->n)++] = xstrdup(s);
}

int region_members(const region_data *r, int var, const formula_filter *filters, int nfilters,
                   const char *dim, int year, char ***members, int *n)
{
    int slot;
    const rtable *t = var_table(r, var, &slot);
    if (!t)
        return -1;
    int di = -1;
    for (int k = 0; k < t->def->ndims; k++)
        if (str_eq(t->def->dims[k].name, dim))
            di = k;
    if (di < 0)
        return -1;
    member_ctx mc = {di, members, n};
    return visit_rows(r, var, filters, nfilters, year, add_member, &mc) < 0 ? -1 : 0;
}
