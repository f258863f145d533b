/*
 * plan.c - loading the catalogue and plan files into the model of plan.h.
 *
 * Loading never stops at the first problem: every mistake an analyst made
 * in a file is reported in one `planeval check`, each with file, line and
 * column. A plan with any error is not evaluated.
 */
#include "plan.h"
#include "util.h"
#include "xlsplit.h"
#include "yamldoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const special_names[SP_COUNT] = {
    "year", "period_start", "period_end", "window_start", "window_end",
    "baseline_start", "baseline_end",
};

/* ---------- small tables of names ---------- */

static const char *const op_names[] = {"<=", "<", ">=", ">", "==", "zero", "decrease",
                                       "increase", "done", "achieved", "falling", "rising"};
static const char *const agg_names[] = {"year", "every_year", "window_mean", "window_ratio",
                                        "window_sum", "window_max", "window_min"};
static const char *const reading_names[] = {"year", "period_mean", "period_total"};

const char *op_name(target_op op) { return op_names[op]; }
const char *aggregate_name(aggregate a) { return agg_names[a]; }
const char *reading_name(baseline_reading r) { return reading_names[r]; }

const char *kind_name(ind_kind k)
{
    return k == IND_MILESTONE ? "milestone" : k == IND_QUALITATIVE ? "qualitative" : "quantitative";
}

const char *better_name(better_dir b)
{
    return b == BETTER_LOWER ? "lower" : b == BETTER_HIGHER ? "higher" : "none";
}

/* Index of s in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* 1 if ind counts events: its formula or numerator is one count variable
 * (indicator_count_var() of compute.c, which needs no data). */
static int counts_events(const model_env *env, const indicator *ind)
{
    const expr_def *e = ind->numerator ? ind->numerator : ind->formula;
    formula_ref ref;
    if (!env->dict || !e || !e->f || !formula_is_single_ref(e->f, &ref) ||
        ref.kind != REF_VARIABLE)
        return 0;
    return env->dict->vars[ref.id].kind == VK_COUNT;
}

static const char *const quantity_names[] = {"", "value", "stock", "cumulative", "share",
                                              "count"};

const char *quantity_kind_name(quantity_kind k) { return quantity_names[k]; }

/* `kind` of a `forecast:` mapping (level is an older name of value);
 * QK_UNSET, with an error at the node, when it names no kind. */
static quantity_kind parse_quantity(ydoc *y, ynode *fcn, const char *who, diag_list *d)
{
    const char *kind = NULL;
    if (yget_str(y, fcn, "kind", 0, &kind, d) != 1)
        return QK_UNSET;
    if (strcmp(kind, "level") == 0)
        return QK_VALUE;
    for (int k = QK_VALUE; k <= QK_COUNT; k++)
        if (strcmp(kind, quantity_names[k]) == 0)
            return (quantity_kind)k;
    ydiag(y, d, DIAG_ERROR, ymap_get(y, fcn, "kind"),
          "%s: forecast kind must be stock (never falls), cumulative (a running total), share, "
          "count or value, not '%s'",
          who, kind);
    return QK_UNSET;
}

/* "a, b, c" of names, for messages. */
static char *join_names(const char *const *names, int n)
{
    strbuf b;
    sb_init(&b);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_add(&b, ", ");
        sb_add(&b, names[i]);
    }
    return sb_take(&b);
}

int safe_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return s[0] != '-';
}

/* Indicator ids may also contain dots (e.g. "22-7a" or "b1.2"). */
static int valid_indicator_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* ---------- symbol table ---------- */

int symtab_find(const symtab *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return i;
    return -1;
}

int symtab_intern(symtab *s, const char *name)
{
    int i = symtab_find(s, name);
    if (i >= 0)
        return i;
    size_t n = (size_t)s->n;
    *ARRAY_PUSH(s->names, n, s->cap) = xstrdup(name);
    s->n = (int)n;
    return s->n - 1;
}

void symtab_free(symtab *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->names[i]);
    free(s->names);
    memset(s, 0, sizeof *s);
}

/* ---------- formula parsing against the model ---------- */

typedef struct parse_scope {
    const model_env *env;
} parse_scope;

static int scope_resolve(void *ctx, const char *name, ref_kind *kind, int *id)
{
    const parse_scope *sc = ctx;
    int i = name_index(special_names, SP_COUNT, name);
    if (i >= 0) {
        *kind = REF_SPECIAL;
        *id = i;
        return 0;
    }
    i = symtab_find(sc->env->syms, name);
    if (i >= 0) {
        *kind = REF_PARAM;
        *id = i;
        return 0;
    }
    i = dictionary_find_var(sc->env->dict, name);
    if (i >= 0) {
        *kind = REF_VARIABLE;
        *id = i;
        return 0;
    }
    return -1;
}

static void scope_suggest(void *ctx, const char *name, char *buf, size_t bufsize)
{
    const parse_scope *sc = ctx;
    /* Nearest among variables (from the dictionary), parameters and specials. */
    char vars[256] = "";
    dictionary_suggest(sc->env->dict, name, vars, sizeof vars);
    strbuf b;
    sb_init(&b);
    sb_add(&b, vars);
    int len = utf8_columns(name, strlen(name));
    int limit = len / 3 > 2 ? len / 3 : 2;
    for (int i = 0; i < sc->env->syms->n; i++)
        if (utf8_edit_distance(name, sc->env->syms->names[i], limit) <= limit) {
            if (b.len)
                sb_add(&b, ", ");
            sb_add(&b, sc->env->syms->names[i]);
        }
    for (int i = 0; i < SP_COUNT; i++)
        if (utf8_edit_distance(name, special_names[i], 2) <= 2) {
            if (b.len)
                sb_add(&b, ", ");
            sb_add(&b, special_names[i]);
        }
    snprintf(buf, bufsize, "%s", b.s ? b.s : "");
    sb_free(&b);
}

static int scope_check_filter(void *ctx, int var, const char *dim, const char *value, char *msg,
                              size_t msgsize)
{
    const parse_scope *sc = ctx;
    return dictionary_check_filter(sc->env->dict, var, dim, value, msg, msgsize);
}

/* Line and column in the YAML file of byte offset `off` of node n's text. */
static void text_position(const ynode *n, const char *text, int off, int *line, int *col)
{
    *line = ynode_line(n);
    *col = ynode_col(n) + ynode_text_offset(n);
    if (ynode_is_block(n)) {
        /* Block scalars start on the next line; columns inside are not
         * recoverable after indentation is stripped, so give the line. */
        int l = 1;
        for (int i = 0; i < off && text[i]; i++)
            l += text[i] == '\n';
        *line += l;
        *col = 0;
        return;
    }
    *col += utf8_columns(text, (size_t)off);
}

/*
 * Parse the formula in scalar node n into *e. `what` prefixes messages,
 * e.g. "indicator A5: numerator". Returns 0 or -1.
 */
static int parse_expr(ydoc *y, ynode *n, const model_env *env, const char *what, expr_def *e,
                      diag_list *d)
{
    memset(e, 0, sizeof *e);
    const char *text = ynode_str(n);
    if (!text) {
        ydiag(y, d, DIAG_ERROR, n, "%s: a formula must be text", what);
        return -1;
    }
    e->text = xstrdup(text);
    e->file = xstrdup(y->path);
    e->line = ynode_line(n);
    e->col = ynode_col(n) + ynode_text_offset(n);
    parse_scope sc = {env};
    formula_env fenv = {scope_resolve, scope_suggest, scope_check_filter, &sc};
    formula_error err;
    memset(&err, 0, sizeof err);
    e->f = formula_parse(text, &fenv, &err);
    if (!e->f) {
        int line, col;
        text_position(n, text, err.offset, &line, &col);
        diag_add(d, DIAG_ERROR, y->path, line, col, "%s: %s", what, err.msg);
        return -1;
    }
    return 0;
}

/* A number written as a formula (e.g. a scale of 100). */
static void expr_from_number(expr_def *e, double v)
{
    memset(e, 0, sizeof *e);
    char buf[32];
    e->text = xstrdup(format_number(v, buf));
}

static void expr_free(expr_def *e)
{
    free(e->text);
    free(e->file);
    formula_free(e->f);
    memset(e, 0, sizeof *e);
}

static void source_free(source_ref *s)
{
    free(s->section);
    free(s->quote);
    memset(s, 0, sizeof *s);
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

/* Read a `source: {section, line, quote}` mapping. */
static void load_source(ydoc *y, ynode *n, source_ref *s, diag_list *d)
{
    memset(s, 0, sizeof *s);
    if (!n)
        return;
    if (!ynode_is_map(n)) {
        ydiag(y, d, DIAG_ERROR, n, "'source' must be a mapping like {section: 专栏1, line: 72}");
        return;
    }
    static const char *const keys[] = {"section", "line", "quote", "lines", NULL};
    ycheck_keys(y, n, keys, "source", d);
    const char *sec = NULL, *quote = NULL;
    long line = 0;
    yget_str(y, n, "section", 0, &sec, d);
    yget_str(y, n, "quote", 0, &quote, d);
    if (yget_int(y, n, "line", 0, &line, d) == 1 && (line < 1 || line > 10000000)) {
        ydiag(y, d, DIAG_ERROR, ymap_get(y, n, "line"),
              "source line must be a line number of the plan text (1 to 10000000)");
        line = 0;
    }
    s->section = dup_or_null(sec);
    s->quote = dup_or_null(quote);
    s->line = (int)line;
}

/* Free text that may be written as a scalar; NULL if absent. */
/* A free text (notes, doubt...); one over an Excel cell's limit is said at once. */
static char *get_text(ydoc *y, ynode *map, const char *key, diag_list *d)
{
    const char *s = NULL;
    if (yget_str(y, map, key, 0, &s, d) != 1)
        return NULL;
    size_t n = utf8_chars(s);
    if (n > XL_CELL_MAX)
        ydiag(y, d, DIAG_WARNING, ymap_get(y, map, key),
              "%s: %zu characters, over Excel's %d in a cell: the workbook cuts it there with "
              "a note (the report and the plan file keep it whole)",
              key, n, XL_CELL_MAX);
    return xstrdup(s);
}

/* ---------- parameters ---------- */

static void intern_param_names(ynode *params, ydoc *y, symtab *syms)
{
    for (size_t i = 0; i < ymap_len(params); i++) {
        const char *name = ynode_str(ymap_key(y, params, i));
        if (name)
            symtab_intern(syms, name);
    }
}

static int load_params(ydoc *y, ynode *params, const model_env *env, const char *what,
                       param_def **out, int *nout, diag_list *d)
{
    *out = NULL;
    *nout = 0;
    if (!params)
        return 0;
    if (!ynode_is_map(params)) {
        ydiag(y, d, DIAG_ERROR, params, "%s: 'params' must be a mapping of name: {value: …}", what);
        return -1;
    }
    size_t n = ymap_len(params), cap = 0, count = 0;
    param_def *ps = NULL;
    for (size_t i = 0; i < n; i++) {
        ynode *k = ymap_key(y, params, i), *v = ymap_value(y, params, i);
        const char *name = ynode_str(k);
        if (!name || !safe_id(name) || name[0] < 'a' || name[0] > 'z') {
            ydiag(y, d, DIAG_ERROR, k, "%s: parameter names are lower-case ASCII words like grain_days",
                  what);
            continue;
        }
        if (dictionary_find_var(env->dict, name) >= 0) {
            ydiag(y, d, DIAG_ERROR, k, "%s: parameter '%s' has the name of a data variable", what,
                  name);
            continue;
        }
        if (name_index(special_names, SP_COUNT, name) >= 0) {
            ydiag(y, d, DIAG_ERROR, k, "%s: '%s' is a reserved name", what, name);
            continue;
        }
        ynode *valnode = v;
        const char *unit = NULL, *note = NULL;
        if (ynode_is_map(v)) {
            static const char *const keys[] = {"value", "unit", "note", "source", NULL};
            ycheck_keys(y, v, keys, "parameter", d);
            valnode = ymap_get(y, v, "value");
            if (!valnode) {
                ydiag(y, d, DIAG_ERROR, v, "parameter '%s': missing 'value'", name);
                continue;
            }
            yget_str(y, v, "unit", 0, &unit, d);
            yget_str(y, v, "note", 0, &note, d);
        }
        param_def *p = ARRAY_PUSH(ps, count, cap);
        p->sym = symtab_intern(env->syms, name);
        p->unit = dup_or_null(unit);
        p->note = dup_or_null(note);
        char *w = xasprintf("parameter '%s'", name);
        parse_expr(y, valnode, env, w, &p->value, d);
        free(w);
    }
    *out = ps;
    *nout = (int)count;
    return 0;
}

static void params_free(param_def *ps, int n)
{
    for (int i = 0; i < n; i++) {
        free(ps[i].unit);
        free(ps[i].note);
        expr_free(&ps[i].value);
    }
    free(ps);
}

static const param_def *find_param(const param_def *ps, int n, int sym)
{
    for (int i = 0; i < n; i++)
        if (ps[i].sym == sym)
            return &ps[i];
    return NULL;
}

const param_def *plan_param(const plan *p, const catalogue *cat, const indicator *ind, int sym)
{
    const param_def *pd = NULL;
    if (ind)
        pd = find_param(ind->params, ind->nparams, sym);
    if (!pd && p)
        pd = find_param(p->params, p->nparams, sym);
    if (!pd && cat)
        pd = find_param(cat->params, cat->nparams, sym);
    return pd;
}

/* ---------- catalogue ---------- */

/*
 * Names, titles and units head the reports' tables, headings, bookmarks and
 * chart titles, where a text must fit a line or a cell: one of 200,000
 * characters made a run lay out for over 10 minutes. Longer texts belong
 * in notes. A text over MAX_NAME_CHARS is refused at its key.
 */
#define MAX_NAME_CHARS 200

static void short_text(ydoc *y, ynode *m, const char *key, const char *s, diag_list *d)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        n += (*p & 0xc0) != 0x80;
    if (n > MAX_NAME_CHARS)
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, key),
              "%s: %zu characters, at most %d (it heads tables, headings and charts of the "
              "reports; a longer text belongs in notes)",
              key, n, MAX_NAME_CHARS);
}

static better_dir parse_better(ydoc *y, ynode *map, diag_list *d)
{
    const char *s = NULL;
    if (yget_str(y, map, "better", 0, &s, d) != 1)
        return BETTER_NONE;
    if (strcmp(s, "lower") == 0)
        return BETTER_LOWER;
    if (strcmp(s, "higher") == 0)
        return BETTER_HIGHER;
    if (strcmp(s, "none") != 0)
        ydiag(y, d, DIAG_ERROR, ymap_get(y, map, "better"),
              "'better' must be lower, higher or none, not '%s'", s);
    return BETTER_NONE;
}

/* formula: or ratio: {numerator, denominator, scale} of map into the four exprs. */
static void load_formula_fields(ydoc *y, ynode *map, const model_env *env, const char *who,
                                expr_def *fx, expr_def *num, expr_def *den, expr_def *scale,
                                diag_list *d)
{
    ynode *fn = ymap_get(y, map, "formula"), *rn = ymap_get(y, map, "ratio");
    if (fn && rn) {
        ydiag(y, d, DIAG_ERROR, rn, "%s: give either 'formula' or 'ratio', not both", who);
        return;
    }
    if (fn) {
        char *w = xasprintf("%s: formula", who);
        parse_expr(y, fn, env, w, fx, d);
        free(w);
    }
    if (rn) {
        if (!ynode_is_map(rn)) {
            ydiag(y, d, DIAG_ERROR, rn, "%s: 'ratio' must be {numerator: …, denominator: …, scale: …}",
                  who);
            return;
        }
        static const char *const keys[] = {"numerator", "denominator", "scale", NULL};
        ycheck_keys(y, rn, keys, "ratio", d);
        ynode *nn = ymap_get(y, rn, "numerator"), *dn = ymap_get(y, rn, "denominator"),
              *sn = ymap_get(y, rn, "scale");
        if (!nn || !dn) {
            ydiag(y, d, DIAG_ERROR, rn, "%s: 'ratio' needs a numerator and a denominator", who);
            return;
        }
        char *w = xasprintf("%s: numerator", who);
        parse_expr(y, nn, env, w, num, d);
        free(w);
        w = xasprintf("%s: denominator", who);
        parse_expr(y, dn, env, w, den, d);
        free(w);
        if (sn) {
            w = xasprintf("%s: scale", who);
            parse_expr(y, sn, env, w, scale, d);
            free(w);
        } else {
            expr_from_number(scale, 1);
            parse_scope sc = {env};
            formula_env fenv = {scope_resolve, NULL, NULL, &sc};
            formula_error err;
            scale->f = formula_parse("1", &fenv, &err);
        }
    }
}

static int load_precision(ydoc *y, ynode *map, int dflt, diag_list *d)
{
    long prec = dflt;
    if (yget_int(y, map, "precision", 0, &prec, d) == 1 && (prec < 0 || prec > 8)) {
        ydiag(y, d, DIAG_ERROR, ymap_get(y, map, "precision"), "'precision' must be 0 to 8");
        prec = dflt;
    }
    return (int)prec;
}

int catalogue_load(catalogue *cat, const char *path, const dictionary *dict, symtab *syms,
                   diag_list *d)
{
    memset(cat, 0, sizeof *cat);
    cat->path = xstrdup(path);
    size_t before = diag_errors(d);
    ydoc y;
    if (ydoc_load(&y, path, d) != 0) {
        ydoc_free(&y);
        catalogue_free(cat);
        return -1;
    }
    memcpy(cat->sha256, y.sha256, sizeof cat->sha256);
    ynode *root = ydoc_root(&y);
    model_env env = {dict, syms, NULL};
    if (!ynode_is_map(root) || !ymap_get(&y, root, "catalogue")) {
        ydiag(&y, d, DIAG_ERROR, root, "a catalogue file starts with 'catalogue:'");
        ydoc_free(&y);
        catalogue_free(cat);
        return -1;
    }
    static const char *const top[] = {"catalogue", "params", "indicators", NULL};
    ycheck_keys(&y, root, top, "catalogue file", d);
    ynode *params = ymap_get(&y, root, "params");
    if (params)
        intern_param_names(params, &y, syms);
    load_params(&y, params, &env, "catalogue", &cat->params, &cat->nparams, d);

    ynode *inds = ymap_get(&y, root, "indicators");
    if (!ynode_is_seq(inds)) {
        ydiag(&y, d, DIAG_ERROR, inds ? inds : root, "'indicators' must be a list");
    } else {
        size_t n = yseq_len(inds), cap = 0, count = 0;
        for (size_t i = 0; i < n; i++) {
            ynode *m = yseq_at(&y, inds, i);
            if (!ynode_is_map(m)) {
                ydiag(&y, d, DIAG_ERROR, m, "each catalogue indicator is a mapping");
                continue;
            }
            static const char *const keys[] = {"id", "name", "unit", "better", "precision",
                                               "formula", "ratio", "notes", "forecast", NULL};
            ycheck_keys(&y, m, keys, "catalogue indicator", d);
            const char *id = NULL, *name = NULL, *unit = NULL;
            if (yget_str(&y, m, "id", 1, &id, d) != 1)
                continue;
            if (!safe_id(id)) {
                ydiag(&y, d, DIAG_ERROR, ymap_get(&y, m, "id"),
                      "catalogue id '%s' must be letters, digits, '-' or '_'", id);
                continue;
            }
            int dup = 0;
            for (size_t j = 0; j < count; j++)
                if (strcmp(cat->inds[j].id, id) == 0) {
                    ydiag(&y, d, DIAG_ERROR, ymap_get(&y, m, "id"),
                          "duplicate catalogue id '%s' (first at line %d)", id, cat->inds[j].line);
                    dup = 1;
                }
            if (dup)
                continue;
            yget_str(&y, m, "name", 1, &name, d);
            yget_str(&y, m, "unit", 1, &unit, d);
            short_text(&y, m, "name", name, d);
            short_text(&y, m, "unit", unit, d);
            catalogue_indicator *ci = ARRAY_PUSH(cat->inds, count, cap);
            ci->id = xstrdup(id);
            ci->line = ynode_line(m);
            ci->name = dup_or_null(name);
            ci->unit = dup_or_null(unit);
            ci->notes = get_text(&y, m, "notes", d);
            ci->better = parse_better(&y, m, d);
            ci->precision = load_precision(&y, m, 2, d);
            char *who = xasprintf("catalogue indicator %s", id);
            load_formula_fields(&y, m, &env, who, &ci->formula, &ci->numerator, &ci->denominator,
                                &ci->scale, d);
            ynode *fcn = ymap_get(&y, m, "forecast");
            if (fcn) {
                /* the catalogue says what the quantity is; the model is
                 * each plan's choice */
                static const char *const fkeys[] = {"kind", NULL};
                if (!ynode_is_map(fcn) || !ymap_get(&y, fcn, "kind"))
                    ydiag(&y, d, DIAG_ERROR, fcn,
                          "%s: 'forecast' in the catalogue is a mapping like {kind: stock}", who);
                else {
                    ycheck_keys(&y, fcn, fkeys, "forecast", d);
                    ci->quantity = parse_quantity(&y, fcn, who, d);
                    ci->quantity_line = ynode_line(ymap_get(&y, fcn, "kind"));
                }
            }
            if (!ymap_get(&y, m, "formula") && !ymap_get(&y, m, "ratio"))
                ydiag(&y, d, DIAG_ERROR, m, "%s: needs a 'formula' or a 'ratio'", who);
            free(who);
        }
        cat->ninds = (int)count;
    }
    ydoc_free(&y);
    if (diag_errors(d) > before) {
        catalogue_free(cat);
        return -1;
    }
    return 0;
}

static void catalogue_indicator_free(catalogue_indicator *ci)
{
    free(ci->id);
    free(ci->name);
    free(ci->unit);
    free(ci->notes);
    expr_free(&ci->formula);
    expr_free(&ci->numerator);
    expr_free(&ci->denominator);
    expr_free(&ci->scale);
}

void catalogue_free(catalogue *cat)
{
    for (int i = 0; i < cat->ninds; i++)
        catalogue_indicator_free(&cat->inds[i]);
    free(cat->inds);
    params_free(cat->params, cat->nparams);
    free(cat->path);
    memset(cat, 0, sizeof *cat);
}

static const catalogue_indicator *catalogue_find(const catalogue *cat, const char *id)
{
    for (int i = 0; cat && i < cat->ninds; i++)
        if (strcmp(cat->inds[i].id, id) == 0)
            return &cat->inds[i];
    return NULL;
}

/* ---------- targets ---------- */

/*
 * The operator a target's `op:` names. One rule, documented in
 * docs/indicator-yaml.md: ASCII, the mathematical and full-width signs, and
 * the plans' own words all map to the same five comparisons, strict kept
 * apart from non-strict (低于 is <, 不高于 is <=), so that a plan's wording
 * can be copied as written. Anything else is refused.
 */
static int parse_op(const char *s, target_op *op)
{
    static const struct {
        const char *text;
        target_op op;
    } ops[] = {
        {"<=", OP_LE},     {"≤", OP_LE},      {"≦", OP_LE},      {"＜＝", OP_LE},
        {"不高于", OP_LE}, {"不超过", OP_LE}, {"不大于", OP_LE}, {"不多于", OP_LE},
        {"<", OP_LT},      {"＜", OP_LT},     {"低于", OP_LT},   {"小于", OP_LT},
        {"少于", OP_LT},   {">=", OP_GE},     {"≥", OP_GE},      {"≧", OP_GE},
        {"＞＝", OP_GE},   {"不低于", OP_GE}, {"不少于", OP_GE}, {"不小于", OP_GE},
        {">", OP_GT},      {"＞", OP_GT},     {"高于", OP_GT},   {"大于", OP_GT},
        {"多于", OP_GT},   {"超过", OP_GT},   {"==", OP_EQ},     {"=", OP_EQ},
        {"＝", OP_EQ},     {"等于", OP_EQ},   {"zero", OP_ZERO}, {"decrease", OP_DECREASE},
        {"increase", OP_INCREASE}, {"done", OP_DONE}, {"achieved", OP_ACHIEVED},
        {"falling", OP_FALLING},   {"持续下降", OP_FALLING}, {"逐年下降", OP_FALLING},
        {"持续减少", OP_FALLING},  {"逐年减少", OP_FALLING}, {"rising", OP_RISING},
        {"持续提高", OP_RISING},   {"逐年提高", OP_RISING},  {"持续上升", OP_RISING},
        {"逐年上升", OP_RISING},   {"持续增加", OP_RISING},  {"逐年增加", OP_RISING},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].text, s) == 0) {
            *op = ops[i].op;
            return 0;
        }
    return -1;
}

static void load_baseline(ydoc *y, ynode *n, const plan *p, target *t, diag_list *d)
{
    baseline_def *b = &t->baseline;
    memset(b, 0, sizeof *b);
    if (!ynode_is_map(n)) {
        ydiag(y, d, DIAG_ERROR, n, "'baseline' must be a mapping like {reading: year, year: 2020}");
        return;
    }
    static const char *const keys[] = {"reading", "year", "period", "value", "source", "note",
                                       NULL};
    ycheck_keys(y, n, keys, "baseline", d);
    const char *reading = NULL;
    if (yget_str(y, n, "reading", 1, &reading, d) != 1)
        return;
    int r = name_index(reading_names, 3, reading);
    if (r < 0) {
        ydiag(y, d, DIAG_ERROR, ymap_get(y, n, "reading"),
              "baseline reading must be year, period_mean or period_total, not '%s'", reading);
        return;
    }
    b->reading = (baseline_reading)r;
    t->has_baseline = 1;
    long year = 0;
    int got = yget_int(y, n, "year", b->reading == BASE_YEAR, &year, d);
    if (got == 1) {
        if (b->reading != BASE_YEAR)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, n, "year"),
                  "baseline 'year' goes with reading: year; use 'period' for %s", reading);
        else if (year < 1949 || year > 2100)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, n, "year"), "baseline year %ld is out of range",
                  year);
        b->year = (int)year;
    }
    b->period[0] = p->baseline_period[0];
    b->period[1] = p->baseline_period[1];
    if (ymap_get(y, n, "period")) {
        if (b->reading == BASE_YEAR)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, n, "period"),
                  "baseline 'period' goes with period_mean or period_total");
        else
            yget_year_range(y, n, "period", 0, b->period, d);
    }
    double v;
    if (yget_num(y, n, "value", 0, &v, d) == 1) {
        if (v < 0)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, n, "value"), "baseline value must not be negative");
        b->has_value = 1;
        b->value = v;
    }
    load_source(y, ymap_get(y, n, "source"), &b->source, d);
}

/* `restated: [{line: 300, quote: 8家以上, value: 8}, ...]`: other statements of one target. */
static void load_restated(ydoc *y, ynode *n, const indicator *ind, target *t, diag_list *d)
{
    if (!ynode_is_seq(n)) {
        ydiag(y, d, DIAG_ERROR, n,
              "indicator %s: 'restated' must be a list like [{line: 300, quote: 8家以上, value: 8}]",
              ind->id);
        return;
    }
    size_t n_items = yseq_len(n);
    t->restated = xcalloc(n_items ? n_items : 1, sizeof *t->restated);
    for (size_t i = 0; i < n_items; i++) {
        ynode *r = yseq_at(y, n, i);
        if (!ynode_is_map(r)) {
            ydiag(y, d, DIAG_ERROR, r, "indicator %s: each 'restated' item is a mapping", ind->id);
            continue;
        }
        static const char *const keys[] = {"line", "quote", "value", NULL};
        ycheck_keys(y, r, keys, "restated", d);
        restatement *rs = &t->restated[t->nrestated];
        const char *quote = NULL;
        long line = 0;
        double v;
        if (yget_str(y, r, "quote", 1, &quote, d) != 1)
            continue;
        if (yget_int(y, r, "line", 0, &line, d) == 1 && (line < 1 || line > 10000000))
            ydiag(y, d, DIAG_ERROR, ymap_get(y, r, "line"),
                  "restated line must be a line number of the plan text");
        if (yget_num(y, r, "value", 0, &v, d) == 1) {
            if (t->op > OP_EQ)
                ydiag(y, d, DIAG_ERROR, ymap_get(y, r, "value"),
                      "indicator %s: a restated 'value' goes with a comparison target", ind->id);
            rs->has_value = 1;
            rs->value = v;
        }
        rs->line = (int)line;
        rs->quote = xstrdup(quote);
        t->nrestated++;
    }
}

/* The dimension `dim` of a table the indicator's formula reads, or NULL. */
static const dim_def *formula_dim(const model_env *env, const indicator *ind, const char *dim)
{
    const expr_def *parts[] = {ind->formula, ind->numerator, ind->denominator};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        if (!parts[k] || !parts[k]->f)
            continue;
        const formula_ref *refs;
        int n = formula_refs(parts[k]->f, &refs);
        for (int i = 0; i < n; i++) {
            if (refs[i].kind != REF_VARIABLE)
                continue;
            const table_def *t = &env->dict->tables[env->dict->vars[refs[i].id].table];
            for (int j = 0; j < t->ndims; j++)
                if (strcmp(t->dims[j].name, dim) == 0)
                    return &t->dims[j];
        }
    }
    return NULL;
}

/* `values: {县级: 400, 乡级: 40}`: one figure per member (分别). */
static void load_member_goals(ydoc *y, ynode *vn, const indicator *ind, const dim_def *dd,
                              target *t, diag_list *d)
{
    if (!ynode_is_map(vn) || ymap_len(vn) == 0) {
        ydiag(y, d, DIAG_ERROR, vn,
              "indicator %s: 'values' is a mapping of member to figure, like {县级: 400, 乡级: 40}",
              ind->id);
        return;
    }
    size_t n = ymap_len(vn);
    t->goals = xcalloc(n, sizeof *t->goals);
    for (size_t i = 0; i < n; i++) {
        ynode *k = ymap_key(y, vn, i);
        const char *name = ynode_str(k);
        double v;
        if (!name || ynode_num(y, ymap_value(y, vn, i), "a member's figure", &v, d) != 0)
            continue;
        int known = dd->nvalues == 0;
        for (int j = 0; j < dd->nvalues; j++)
            known |= strcmp(dd->values[j], name) == 0;
        if (!known) {
            ydiag(y, d, DIAG_ERROR, k, "indicator %s: '%s' is not a value of %s (%s)", ind->id,
                  name, dd->name, dd->label ? dd->label : dd->name);
            continue;
        }
        t->goals[t->ngoals].member = xstrdup(name);
        t->goals[t->ngoals++].value = v;
    }
}

/*
 * `each: DIM` (每个乡镇, 分别不低于): the target holds for every member of a
 * dimension of a table the formula reads, or for `share` percent of them;
 * `values:` gives each member its own figure instead of `value`.
 */
static void load_each(ydoc *y, ynode *m, const indicator *ind, const model_env *env, target *t,
                      diag_list *d)
{
    ynode *sn = ymap_get(y, m, "share"), *vn = ymap_get(y, m, "values");
    const char *dim = NULL;
    if (yget_str(y, m, "each", 0, &dim, d) != 1) {
        if (sn || vn)
            ydiag(y, d, DIAG_ERROR, sn ? sn : vn,
                  "indicator %s: '%s' goes with 'each' (the dimension whose members it is about)",
                  ind->id, sn ? "share" : "values");
        return;
    }
    ynode *en = ymap_get(y, m, "each");
    if (ind->kind != IND_QUANTITATIVE || t->op > OP_ZERO) {
        ydiag(y, d, DIAG_ERROR, en,
              "indicator %s: 'each' goes with a comparison or zero target (<=, <, >=, >, ==, zero)",
              ind->id);
        return;
    }
    const dim_def *dd = formula_dim(env, ind, dim);
    if (!dd) {
        ydiag(y, d, DIAG_ERROR, en,
              "indicator %s: no table its formula reads has a dimension '%s' (the members of "
              "'each' are the values of a dimension column of the data)",
              ind->id, dim);
        return;
    }
    t->each = xstrdup(dim);
    t->each_label = xstrdup(dd->label ? dd->label : dd->name);
    t->share = 100;
    double v;
    if (sn && ynode_num(y, sn, "share", &v, d) == 0) {
        if (v <= 0 || v > 100)
            ydiag(y, d, DIAG_ERROR, sn,
                  "indicator %s: 'share' is the percent of members that must meet the target, "
                  "above 0 and at most 100",
                  ind->id);
        t->has_share = 1;
        t->share = v;
    }
    if (vn) {
        if (t->has_value || t->op == OP_ZERO)
            ydiag(y, d, DIAG_ERROR, vn,
                  "indicator %s: give 'value' (one figure for every member) or 'values' (one "
                  "per member), not both",
                  ind->id);
        else
            load_member_goals(y, vn, ind, dd, t, d);
    }
}

static void load_target(ydoc *y, ynode *m, const plan *p, indicator *ind, const model_env *env,
                        target *t, diag_list *d)
{
    memset(t, 0, sizeof *t);
    t->line = ynode_line(m);
    static const char *const keys[] = {"year", "op", "value", "by", "amount", "aggregate", "window",
                                       "exclude_when", "baseline", "source", "restated", "note",
                                       "notes", "each", "share", "values", NULL};
    ycheck_keys(y, m, keys, "target", d);
    long year = 0;
    int got_year = yget_int(y, m, "year", 0, &year, d);
    if (got_year == 1) {
        if (year < p->period[0] || year > p->period[1])
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "year"),
                  "indicator %s: target year %ld is outside the plan period %d-%d", ind->id, year,
                  p->period[0], p->period[1]);
    } else if (got_year == 0) {
        /* Plans often state a goal in the body with no date; the period's
         * end is the only reading, and the analyst must see that it was taken. */
        year = p->period[1];
        t->undated = 1;
        ydiag(y, d, DIAG_WARNING, m,
              "indicator %s: target without a 'year', taken as %ld (the end of the plan "
              "period); write year: to confirm or correct it",
              ind->id, year);
    }
    t->year = (int)year;
    const char *ops = NULL;
    if (yget_str(y, m, "op", 1, &ops, d) != 1)
        return;
    if (parse_op(ops, &t->op) != 0) {
        char *all = join_names(op_names, 12);
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "op"),
              "indicator %s: unknown target form '%s' (known: %s; the comparisons also as "
              "≤ ＜ ≥ ＞ ＝ or 不高于 低于 不低于 高于 等于)",
              ind->id, ops, all);
        free(all);
        return;
    }
    int comparison = t->op <= OP_EQ;
    double v;
    int gotv = yget_num(y, m, "value", 0, &v, d);
    if (gotv == 1) {
        if (!comparison)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "value"),
                  "indicator %s: op '%s' takes no 'value'%s", ind->id, ops,
                  t->op == OP_DECREASE || t->op == OP_INCREASE ? " (use 'by' for the percent)" : "");
        t->has_value = 1;
        t->value = v;
    } else if (gotv == 0 && comparison && !ymap_get(y, m, "values")) {
        ydiag(y, d, DIAG_ERROR, m, "indicator %s: op '%s' needs a 'value'", ind->id, ops);
    }
    if (yget_num(y, m, "by", 0, &v, d) == 1) {
        if (t->op != OP_DECREASE && t->op != OP_INCREASE)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "by"), "'by' goes with decrease or increase");
        else if (v < 0 || (t->op == OP_DECREASE && v > 100))
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "by"),
                  "'by' is a percent: 0 to 100 for a decrease");
        t->has_by = 1;
        t->by = v;
    }
    /* 新建2支 / 减少3起: a change by an amount in the indicator's own unit. */
    if (yget_num(y, m, "amount", 0, &v, d) == 1) {
        if (t->op != OP_DECREASE && t->op != OP_INCREASE)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "amount"),
                  "'amount' goes with decrease or increase");
        else if (t->has_by)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "amount"),
                  "indicator %s: give 'by' (a percent) or 'amount' (in %s), not both", ind->id,
                  ind->unit && *ind->unit ? ind->unit : "the indicator's unit");
        else if (v <= 0)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "amount"),
                  "indicator %s: 'amount' must be above 0 (the op says the direction)", ind->id);
        t->has_amount = 1;
        t->amount = v;
    }
    /* Which ops fit which kind of indicator. */
    if (ind->kind == IND_MILESTONE && t->op != OP_DONE)
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "op"),
              "indicator %s is a milestone: its targets use op: done", ind->id);
    else if (ind->kind == IND_QUALITATIVE && t->op != OP_ACHIEVED)
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "op"),
              "indicator %s is qualitative: its targets use op: achieved", ind->id);
    else if (OP_IS_TREND(t->op) && ymap_get(y, m, "aggregate"))
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "aggregate"),
              "indicator %s: op '%s' compares every year of its window with the year before; "
              "it takes no 'aggregate' (set 'window' for the years)",
              ind->id, ops);
    else if (ind->kind == IND_QUANTITATIVE && (t->op == OP_DONE || t->op == OP_ACHIEVED))
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "op"),
              "indicator %s is quantitative: op '%s' is for milestone or qualitative items (set kind)",
              ind->id, ops);

    t->agg = t->op == OP_ZERO ? AGG_WINDOW_SUM : AGG_YEAR;
    const char *agg = NULL;
    if (yget_str(y, m, "aggregate", 0, &agg, d) == 1) {
        int a = name_index(agg_names, 7, agg);
        if (a < 0) {
            char *all = join_names(agg_names, 7);
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "aggregate"),
                  "unknown aggregate '%s' (known: %s)", agg, all);
            free(all);
        } else {
            t->agg = (aggregate)a;
        }
        if (a == AGG_WINDOW_RATIO && !ind->numerator)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "aggregate"),
                  "indicator %s: window_ratio needs an indicator defined by a 'ratio'", ind->id);
        if (ind->kind != IND_QUANTITATIVE)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "aggregate"),
                  "indicator %s: 'aggregate' is for quantitative indicators", ind->id);
    }
    t->window[0] = p->period[0];
    t->window[1] = t->year;
    if (yget_year_range(y, m, "window", 0, t->window, d) == 1)
        t->explicit_window = 1;
    ynode *ex = ymap_get(y, m, "exclude_when");
    if (ex && OP_IS_TREND(t->op))
        ydiag(y, d, DIAG_ERROR, ex,
              "indicator %s: op '%s' compares each year with the one before; it takes no "
              "'exclude_when' (set 'window' for the years)",
              ind->id, ops);
    else if (ex) {
        char *w = xasprintf("indicator %s: exclude_when", ind->id);
        parse_expr(y, ex, env, w, &t->exclude_when, d);
        free(w);
    }
    ynode *bn = ymap_get(y, m, "baseline");
    if (bn)
        load_baseline(y, bn, p, t, d);
    if ((t->op == OP_DECREASE || t->op == OP_INCREASE) && !bn)
        ydiag(y, d, DIAG_ERROR, m,
              "indicator %s: a %s target needs a 'baseline' (reading: year, period_mean or "
              "period_total)",
              ind->id, ops);
    if (bn && t->op != OP_DECREASE && t->op != OP_INCREASE)
        ydiag(y, d, DIAG_ERROR, bn, "'baseline' goes with decrease or increase");
    load_source(y, ymap_get(y, m, "source"), &t->source, d);
    ynode *rn = ymap_get(y, m, "restated");
    if (rn)
        load_restated(y, rn, ind, t, d);
    load_each(y, m, ind, env, t, d);
}

static void target_free(target *t)
{
    free(t->each);
    free(t->each_label);
    for (int i = 0; i < t->ngoals; i++)
        free(t->goals[i].member);
    free(t->goals);
    for (int i = 0; i < t->nrestated; i++)
        free(t->restated[i].quote);
    free(t->restated);
    expr_free(&t->exclude_when);
    source_free(&t->baseline.source);
    source_free(&t->source);
}

/* ---------- indicators ---------- */

static void load_departments(ydoc *y, ynode *n, indicator *ind, diag_list *d)
{
    if (!n)
        return;
    if (ynode_is_scalar(n)) {
        ind->departments = xmalloc(sizeof(char *));
        ind->departments[0] = xstrdup(ynode_str(n));
        ind->ndepartments = 1;
        return;
    }
    if (!ynode_is_seq(n)) {
        ydiag(y, d, DIAG_ERROR, n, "'department' must be a name or a list of names");
        return;
    }
    size_t len = yseq_len(n);
    ind->departments = xcalloc(len, sizeof(char *));
    for (size_t i = 0; i < len; i++) {
        const char *s = ynode_str(yseq_at(y, n, i));
        if (!s) {
            ydiag(y, d, DIAG_ERROR, yseq_at(y, n, i), "a department is a name");
            continue;
        }
        ind->departments[ind->ndepartments++] = xstrdup(s);
    }
}

/*
 * `doubt: {question, reading, alternative}`: an interpretation doubt. NULL
 * when absent or when it has errors (which are reported).
 */
static indicator_doubt *load_doubt(ydoc *y, ynode *n, const indicator *ind, diag_list *d)
{
    if (!n)
        return NULL;
    if (!ynode_is_map(n)) {
        ydiag(y, d, DIAG_ERROR, n,
              "indicator %s: 'doubt' must be a mapping {question: …, reading: …, alternative: …}",
              ind->id);
        return NULL;
    }
    static const char *const keys[] = {"question", "reading", "alternative", NULL};
    ycheck_keys(y, n, keys, "doubt", d);
    static const char *const what[] = {"what in the plan's wording is doubtful",
                                       "which reading this evaluation's verdict uses",
                                       "what the other reading would give"};
    const char *text[3] = {NULL, NULL, NULL};
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        ynode *v = ymap_get(y, n, keys[i]);
        if (!v) {
            if (i < 2) {
                ydiag(y, d, DIAG_ERROR, n, "indicator %s: 'doubt' needs a '%s' (%s)", ind->id,
                      keys[i], what[i]);
                ok = 0;
            }
            continue;
        }
        const char *s = ynode_str(v);
        if (!s || !*s) {
            ydiag(y, d, DIAG_ERROR, v, "indicator %s: doubt '%s' must be %s (%s)", ind->id,
                  keys[i], s ? "a non-empty text" : "text", what[i]);
            ok = 0;
            continue;
        }
        text[i] = s;
    }
    if (!ok)
        return NULL;
    indicator_doubt *db = xcalloc(1, sizeof *db);
    db->question = xstrdup(text[0]);
    db->reading = xstrdup(text[1]);
    db->alternative = dup_or_null(text[2]);
    db->line = ynode_line(n);
    return db;
}

static void doubt_free(const indicator_doubt *cdb)
{
    indicator_doubt *db = (indicator_doubt *)cdb; /* owned by the indicator */
    if (!db)
        return;
    free(db->question);
    free(db->reading);
    free(db->alternative);
    free(db);
}

/* A declared kind that the definition contradicts: a count that is not
 * one count variable, a share whose unit is not % or per mille. */
static void check_quantity(ydoc *y, ynode *m, const model_env *env, indicator *ind,
                           const char *who, diag_list *d)
{
    ind->forecast_stock = ind->quantity == QK_STOCK || ind->quantity == QK_CUMULATIVE;
    if (ind->quantity == QK_UNSET || ind->kind != IND_QUANTITATIVE)
        return;
    if (ind->quantity == QK_COUNT && !counts_events(env, ind))
        ydiag(y, d, DIAG_ERROR, m,
              "%s: declared a count (forecast: {kind: count}%s) but its formula is not one count "
              "variable",
              who, ind->use && ind->use->quantity == QK_COUNT ? " in the catalogue" : "");
    if (ind->quantity == QK_SHARE && strcmp(ind->unit, "%") != 0 &&
        strcmp(ind->unit, "\xe2\x80\xb0") != 0)
        ydiag(y, d, DIAG_ERROR, m,
              "%s: declared a share (forecast: {kind: share}%s) but its unit is '%s', not %% or "
              "per mille",
              who, ind->use && ind->use->quantity == QK_SHARE ? " in the catalogue" : "", ind->unit);
}

static void load_indicator(ydoc *y, ynode *m, plan *p, const model_env *env, indicator *ind,
                           diag_list *d)
{
    static const char *const keys[] = {"id", "use", "name", "kind", "formula", "ratio", "unit",
                                       "better", "precision", "group", "type", "department",
                                       "params", "source", "notes", "doubt", "targets",
                                       "forecast", "veto", NULL};
    ycheck_keys(y, m, keys, "indicator", d);
    ind->line = ynode_line(m);
    const char *s = NULL;
    /* veto: whether an event of it is 一票否决 (not said: findings.c decides) */
    ind->veto = -1;
    if (yget_str(y, m, "veto", 0, &s, d) == 1) {
        if (strcmp(s, "true") == 0)
            ind->veto = 1;
        else if (strcmp(s, "false") == 0)
            ind->veto = 0;
        else
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "veto"), "'veto' must be true or false");
    }
    /* kind */
    ind->kind = IND_QUANTITATIVE;
    if (yget_str(y, m, "kind", 0, &s, d) == 1) {
        if (strcmp(s, "milestone") == 0)
            ind->kind = IND_MILESTONE;
        else if (strcmp(s, "qualitative") == 0)
            ind->kind = IND_QUALITATIVE;
        else if (strcmp(s, "quantitative") != 0)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "kind"),
                  "indicator %s: kind must be quantitative, milestone or qualitative, not '%s'",
                  ind->id, s);
    }
    /* catalogue reference */
    if (yget_str(y, m, "use", 0, &s, d) == 1) {
        ind->use = catalogue_find(env->cat, s);
        if (!ind->use) {
            strbuf b;
            sb_init(&b);
            for (int i = 0; env->cat && i < env->cat->ninds; i++)
                if (utf8_edit_distance(s, env->cat->inds[i].id, 3) <= 3) {
                    sb_add(&b, b.len ? ", " : " (did you mean ");
                    sb_add(&b, env->cat->inds[i].id);
                }
            if (b.len)
                sb_add(&b, "?)");
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "use"),
                  "indicator %s: '%s' is not in the catalogue%s", ind->id, s, b.s ? b.s : "");
            sb_free(&b);
        }
        if (ind->kind != IND_QUANTITATIVE)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "use"),
                  "indicator %s: only quantitative indicators use catalogue formulas", ind->id);
    }
    const catalogue_indicator *ci = ind->use;
    /* Indicator-level params are parsed before formulas so names resolve. */
    char *who = xasprintf("indicator %s", ind->id);
    ynode *pn = ymap_get(y, m, "params");
    load_params(y, pn, env, who, &ind->params, &ind->nparams, d);
    if (ci && (ymap_get(y, m, "formula") || ymap_get(y, m, "ratio"))) {
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "formula") ? ymap_get(y, m, "formula")
                                                           : ymap_get(y, m, "ratio"),
              "%s: uses catalogue '%s' and must not give its own formula (override params instead)",
              who, ci->id);
    } else if (!ci) {
        load_formula_fields(y, m, env, who, &ind->own_formula, &ind->own_numerator,
                            &ind->own_denominator, &ind->own_scale, d);
    }
    if (ci) {
        ind->formula = ci->formula.text ? &ci->formula : NULL;
        ind->numerator = ci->numerator.text ? &ci->numerator : NULL;
        ind->denominator = ci->denominator.text ? &ci->denominator : NULL;
        ind->scale = ci->scale.text ? &ci->scale : NULL;
    } else {
        ind->formula = ind->own_formula.text ? &ind->own_formula : NULL;
        ind->numerator = ind->own_numerator.text ? &ind->own_numerator : NULL;
        ind->denominator = ind->own_denominator.text ? &ind->own_denominator : NULL;
        ind->scale = ind->own_scale.text ? &ind->own_scale : NULL;
    }
    if (ind->kind == IND_QUANTITATIVE && !ind->formula && !ind->numerator && !ci &&
        !ymap_get(y, m, "formula") && !ymap_get(y, m, "ratio"))
        ydiag(y, d, DIAG_ERROR, m,
              "%s: a quantitative indicator needs 'use', 'formula' or 'ratio' (or set kind: "
              "milestone / qualitative)",
              who);
    if (ind->kind != IND_QUANTITATIVE && (ind->formula || ind->numerator))
        ydiag(y, d, DIAG_ERROR, m, "%s: a %s has no formula", who, kind_name(ind->kind));

    /* Texts, with catalogue defaults. */
    const char *name = NULL, *unit = NULL;
    yget_str(y, m, "name", ci == NULL, &name, d);
    short_text(y, m, "name", name, d);
    ind->name = xstrdup(name ? name : ci && ci->name ? ci->name : "");
    yget_str(y, m, "unit", 0, &unit, d);
    short_text(y, m, "unit", unit, d);
    ind->unit = xstrdup(unit ? unit : ci && ci->unit ? ci->unit : "");
    if (ind->kind == IND_QUANTITATIVE && !ind->unit[0] && !unit && !ci)
        ydiag(y, d, DIAG_ERROR, m, "%s: a quantitative indicator needs a 'unit'", who);
    ind->better = ymap_get(y, m, "better") ? parse_better(y, m, d) : ci ? ci->better : BETTER_NONE;
    ind->precision = load_precision(y, m, ci ? ci->precision : 2, d);
    ind->notes = get_text(y, m, "notes", d);
    ind->doubt = load_doubt(y, ymap_get(y, m, "doubt"), ind, d);
    ynode *fcn = ymap_get(y, m, "forecast");
    if (fcn) {
        /* the models of src/forecast.c (fc_model_name) */
        static const char *const fkeys[] = {"model", "kind", NULL};
        static const char *const models[] = {"mean",         "linear",  "loglinear",
                                             "damped",       "poisson_mean", "poisson",
                                             "negbin_mean",  "negbin", "random_walk",
                                             "binomial_mean", "binomial"};
        const char *mod = NULL;
        if (!ynode_is_map(fcn)) {
            ydiag(y, d, DIAG_ERROR, fcn, "'forecast' must be a mapping like {model: poisson}");
        } else {
            ycheck_keys(y, fcn, fkeys, "forecast", d);
            if (!ymap_get(y, fcn, "model") && !ymap_get(y, fcn, "kind"))
                ydiag(y, d, DIAG_ERROR, fcn, "'forecast' needs a model or a kind, like {model: "
                                             "poisson} or {kind: stock}");
            if (yget_str(y, fcn, "model", 0, &mod, d) == 1) {
                if (name_index(models, 11, mod) < 0)
                    ydiag(y, d, DIAG_ERROR, ymap_get(y, fcn, "model"),
                          "forecast model must be mean, linear, loglinear, damped, random_walk, "
                          "poisson_mean, poisson, negbin_mean, negbin, binomial_mean or "
                          "binomial, not '%s'",
                          mod);
                else if (name_index(models, 11, mod) >= 4 && name_index(models, 11, mod) != 8 &&
                         !counts_events(env, ind))
                    /* a count model fitted to values would be silently replaced */
                    ydiag(y, d, DIAG_ERROR, ymap_get(y, fcn, "model"),
                          "%s: forecast model %s needs a count-based indicator (its formula or "
                          "numerator one count variable)",
                          who, mod);
                else
                    ind->forecast_model = xstrdup(mod);
            }
            ind->quantity = parse_quantity(y, fcn, who, d);
            if (ind->quantity != QK_UNSET) {
                ind->quantity_line = ynode_line(ymap_get(y, fcn, "kind"));
                ind->quantity_path = p->path;
            }
        }
    }
    if (ind->quantity == QK_UNSET && ci && ci->quantity != QK_UNSET) {
        ind->quantity = ci->quantity;
        ind->quantity_line = ci->quantity_line;
        ind->quantity_path = env->cat ? env->cat->path : NULL;
    }
    check_quantity(y, m, env, ind, who, d);
    ind->group = get_text(y, m, "group", d);
    if (ind->group) {
        int found = 0;
        for (int i = 0; i < p->ngroups; i++)
            found |= strcmp(p->groups[i].id, ind->group) == 0;
        if (!found)
            ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "group"), "%s: unknown group '%s'", who,
                  ind->group);
    } else if (p->ngroups) {
        ydiag(y, d, DIAG_ERROR, m, "%s: missing 'group' (the plan declares groups)", who);
    }
    ind->type = get_text(y, m, "type", d);
    if (!ind->type)
        ind->type = xstrdup("未注");
    else if (strcmp(ind->type, "约束性") && strcmp(ind->type, "预期性") &&
             strcmp(ind->type, "未注"))
        ydiag(y, d, DIAG_ERROR, ymap_get(y, m, "type"),
              "%s: type must be 约束性, 预期性 or 未注, not '%s'", who, ind->type);
    load_departments(y, ymap_get(y, m, "department"), ind, d);
    load_source(y, ymap_get(y, m, "source"), &ind->source, d);

    ynode *tn = ymap_get(y, m, "targets");
    if (!tn) {
        ydiag(y, d, DIAG_ERROR, m, "%s: missing 'targets'", who);
    } else if (!ynode_is_seq(tn) || yseq_len(tn) == 0) {
        ydiag(y, d, DIAG_ERROR, tn, "%s: 'targets' must be a non-empty list", who);
    } else {
        size_t n = yseq_len(tn);
        ind->targets = xcalloc(n, sizeof(target));
        for (size_t i = 0; i < n; i++) {
            ynode *tm = yseq_at(y, tn, i);
            if (!ynode_is_map(tm)) {
                ydiag(y, d, DIAG_ERROR, tm, "%s: each target is a mapping like {year: 2025, op: \"<=\", value: 1}",
                      who);
                continue;
            }
            load_target(y, tm, p, ind, env, &ind->targets[ind->ntargets++], d);
        }
    }
    free(who);
}

static void indicator_free(indicator *ind)
{
    free(ind->id);
    free(ind->name);
    free(ind->unit);
    free(ind->group);
    free(ind->type);
    for (int i = 0; i < ind->ndepartments; i++)
        free(ind->departments[i]);
    free(ind->departments);
    expr_free(&ind->own_formula);
    expr_free(&ind->own_numerator);
    expr_free(&ind->own_denominator);
    expr_free(&ind->own_scale);
    params_free(ind->params, ind->nparams);
    source_free(&ind->source);
    free(ind->notes);
    doubt_free(ind->doubt);
    ind->doubt = NULL;
    free(ind->forecast_model);
    for (int i = 0; i < ind->ntargets; i++)
        target_free(&ind->targets[i]);
    free(ind->targets);
}

/* ---------- parameter checks: defined in scope, no cycles ---------- */

static const expr_def *param_expr_in_scope(const plan *p, const catalogue *cat,
                                           const indicator *ind, int sym)
{
    const param_def *pd = plan_param(p, cat, ind, sym);
    return pd ? &pd->value : NULL;
}

/* Depth-first search for a cycle through parameter references. */
static int param_cycle(const plan *p, const catalogue *cat, const indicator *ind, int sym,
                       int *stack, int depth, const symtab *syms, strbuf *path,
                       unsigned char *done)
{
    /* A parameter already explored leads to no cycle: each is visited once. */
    if (done[sym])
        return 0;
    for (int i = 0; i < depth; i++)
        if (stack[i] == sym) {
            for (int j = i; j < depth; j++)
                sb_printf(path, "%s -> ", syms->names[stack[j]]);
            sb_add(path, syms->names[sym]);
            return 1;
        }
    if (depth >= 64)
        return 0;
    const expr_def *e = param_expr_in_scope(p, cat, ind, sym);
    if (!e || !e->f)
        return 0;
    stack[depth] = sym;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    for (int i = 0; i < n; i++)
        if (refs[i].kind == REF_PARAM &&
            param_cycle(p, cat, ind, refs[i].id, stack, depth + 1, syms, path, done))
            return 1;
    done[sym] = 1;
    return 0;
}

static void check_params_defined(const plan *p, const model_env *env, const indicator *ind,
                                 const expr_def *e, diag_list *d)
{
    if (!e || !e->f)
        return;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    for (int i = 0; i < n; i++) {
        if (refs[i].kind != REF_PARAM)
            continue;
        if (!plan_param(p, env->cat, ind, refs[i].id))
            diag_add(d, DIAG_ERROR, p->path, ind ? ind->line : e->line, 0,
                     "%s%s: parameter '%s' is not defined in the plan or the catalogue",
                     ind ? "indicator " : "", ind ? ind->id : "", env->syms->names[refs[i].id]);
    }
}

/*
 * How many parameter evaluations one use of sym costs: parameters are
 * evaluated where they are used, so p0 = p1 + p1, p1 = p2 + p2, ... doubles
 * the work at every level. Capped at limit + 1; called only without cycles.
 */
static long param_cost(const plan *p, const catalogue *cat, const indicator *ind, int sym,
                       int depth, long limit)
{
    const expr_def *e = param_expr_in_scope(p, cat, ind, sym);
    if (!e || !e->f || depth > 64)
        return 1;
    long cost = 1;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    for (int i = 0; i < n && cost <= limit; i++)
        if (refs[i].kind == REF_PARAM)
            cost += param_cost(p, cat, ind, refs[i].id, depth + 1, limit);
    return cost > limit ? limit + 1 : cost;
}

#define MAX_PARAM_COST 10000

static void check_param_cycles(plan *p, const model_env *env, diag_list *d)
{
    int stack[64];
    unsigned char *done = xcalloc((size_t)env->syms->n + 1, 1);
    /* Plan scope: the plan's own and the catalogue's parameters. */
    for (int pass = 0; pass < 2; pass++) {
        const param_def *ps = pass == 0 ? p->params : env->cat ? env->cat->params : NULL;
        int n = pass == 0 ? p->nparams : env->cat ? env->cat->nparams : 0;
        for (int i = 0; i < n; i++) {
            strbuf path;
            sb_init(&path);
            if (param_cycle(p, env->cat, NULL, ps[i].sym, stack, 0, env->syms, &path, done)) {
                diag_add(d, DIAG_ERROR, ps[i].value.file, ps[i].value.line, ps[i].value.col,
                         "parameter cycle: %s", path.s);
                sb_free(&path);
                free(done);
                return; /* one report per cycle is enough */
            }
            sb_free(&path);
        }
    }
    for (int k = 0; k < p->ninds; k++) {
        indicator *ind = &p->inds[k];
        for (int i = 0; i < ind->nparams; i++) {
            strbuf path;
            sb_init(&path);
            /* An indicator's overrides change the graph: explore it afresh. */
            memset(done, 0, (size_t)env->syms->n + 1);
            if (param_cycle(p, env->cat, ind, ind->params[i].sym, stack, 0, env->syms, &path,
                            done)) {
                diag_add(d, DIAG_ERROR, ind->params[i].value.file, ind->params[i].value.line,
                         ind->params[i].value.col, "indicator %s: parameter cycle: %s", ind->id,
                         path.s);
                sb_free(&path);
                free(done);
                return;
            }
            sb_free(&path);
        }
    }
    /* No cycles: refuse chains whose evaluation would blow up. */
    for (int pass = 0; pass < 2; pass++) {
        const param_def *ps = pass == 0 ? p->params : env->cat ? env->cat->params : NULL;
        int n = pass == 0 ? p->nparams : env->cat ? env->cat->nparams : 0;
        for (int i = 0; i < n; i++)
            if (param_cost(p, env->cat, NULL, ps[i].sym, 0, MAX_PARAM_COST) > MAX_PARAM_COST) {
                diag_add(d, DIAG_ERROR, ps[i].value.file, ps[i].value.line, ps[i].value.col,
                         "parameter '%s' refers to other parameters more than %d times in all "
                         "(each use is evaluated again); simplify the chain",
                         env->syms->names[ps[i].sym], MAX_PARAM_COST);
                free(done);
                return;
            }
    }
    free(done);
}

/* ---------- plan ---------- */

char *plan_peek_id(const char *path)
{
    diag_list d = {0};
    ydoc y;
    char *id = NULL;
    if (ydoc_load(&y, path, &d) == 0) {
        ynode *pm = ymap_get(&y, ydoc_root(&y), "plan");
        const char *s = ynode_str(ymap_get(&y, pm, "id"));
        if (s)
            id = xstrdup(s);
    }
    ydoc_free(&y);
    diag_free(&d);
    return id;
}

static void load_groups(ydoc *y, ynode *gn, plan *p, diag_list *d)
{
    if (!gn)
        return;
    if (!ynode_is_seq(gn)) {
        ydiag(y, d, DIAG_ERROR, gn, "'groups' must be a list of {id, name, part}");
        return;
    }
    size_t n = yseq_len(gn);
    p->groups = xcalloc(n ? n : 1, sizeof(group_def));
    for (size_t i = 0; i < n; i++) {
        ynode *g = yseq_at(y, gn, i);
        if (!ynode_is_map(g)) {
            ydiag(y, d, DIAG_ERROR, g, "a group is a mapping {id, name, part}");
            continue;
        }
        static const char *const keys[] = {"id", "name", "part", "note", NULL};
        ycheck_keys(y, g, keys, "group", d);
        const char *id = NULL, *name = NULL, *part = NULL;
        if (yget_str(y, g, "id", 1, &id, d) != 1 || yget_str(y, g, "name", 1, &name, d) != 1)
            continue;
        for (int j = 0; j < p->ngroups; j++)
            if (strcmp(p->groups[j].id, id) == 0)
                ydiag(y, d, DIAG_ERROR, ymap_get(y, g, "id"), "duplicate group id '%s'", id);
        short_text(y, g, "name", name, d);
        yget_str(y, g, "part", 0, &part, d);
        group_def *gd = &p->groups[p->ngroups++];
        gd->id = xstrdup(id);
        gd->name = xstrdup(name);
        gd->part = dup_or_null(part);
    }
}

static void load_plan_header(ydoc *y, ynode *pm, plan *p, diag_list *d)
{
    static const char *const keys[] = {"id", "title", "region", "region_name", "document",
                                       "source_file", "issuer", "issued", "period",
                                       "baseline_period", "midterm_year", "notes", NULL};
    ycheck_keys(y, pm, keys, "plan", d);
    const char *s = NULL;
    if (yget_str(y, pm, "id", 1, &s, d) == 1) {
        if (!safe_id(s))
            ydiag(y, d, DIAG_ERROR, ymap_get(y, pm, "id"),
                  "plan id '%s' must be 1-64 letters, digits, '-' or '_' (it names a directory "
                  "under out/)",
                  s);
        else if (strcmp(s, "comparison") == 0) /* COMPARE_DIR of compare.h */
            ydiag(y, d, DIAG_ERROR, ymap_get(y, pm, "id"),
                  "plan id '%s' is reserved: out/comparison/ holds the comparison across plans",
                  s);
        p->id = xstrdup(s);
    }
    if (yget_str(y, pm, "region", 1, &s, d) == 1) {
        if (!safe_id(s))
            ydiag(y, d, DIAG_ERROR, ymap_get(y, pm, "region"),
                  "region '%s' must be 1-64 letters, digits, '-' or '_' (it names data/<region>/)",
                  s);
        p->region = xstrdup(s);
        p->region_line = ynode_line(ymap_get(y, pm, "region"));
        p->region_col = ynode_col(ymap_get(y, pm, "region"));
    }
    const char *title = NULL, *rn = NULL;
    yget_str(y, pm, "title", 1, &title, d);
    yget_str(y, pm, "region_name", 1, &rn, d);
    short_text(y, pm, "title", title, d);
    short_text(y, pm, "region_name", rn, d);
    p->title = dup_or_null(title);
    p->region_name = dup_or_null(rn);
    p->document = get_text(y, pm, "document", d);
    p->source_file = get_text(y, pm, "source_file", d);
    p->issuer = get_text(y, pm, "issuer", d);
    p->issued = get_text(y, pm, "issued", d);
    p->notes = get_text(y, pm, "notes", d);
    p->period[0] = 2021;
    p->period[1] = 2025;
    yget_year_range(y, pm, "period", 1, p->period, d);
    int span = p->period[1] - p->period[0] + 1;
    (void)span;
    p->baseline_period[0] = p->period[0] - 5;
    p->baseline_period[1] = p->period[0] - 1;
    yget_year_range(y, pm, "baseline_period", 0, p->baseline_period, d);
    long mid = (p->period[0] + p->period[1]) / 2;
    if (yget_int(y, pm, "midterm_year", 0, &mid, d) == 1 &&
        (mid < p->period[0] || mid > p->period[1]))
        ydiag(y, d, DIAG_ERROR, ymap_get(y, pm, "midterm_year"),
              "midterm_year %ld is outside the plan period %d-%d", mid, p->period[0],
              p->period[1]);
    p->midterm_year = (int)mid;
}

int plan_load(plan *p, const char *path, const model_env *env, diag_list *d)
{
    memset(p, 0, sizeof *p);
    p->path = xstrdup(path);
    size_t before = diag_errors(d);
    ydoc y;
    if (ydoc_load(&y, path, d) != 0) {
        ydoc_free(&y);
        plan_free(p);
        return -1;
    }
    memcpy(p->sha256, y.sha256, sizeof p->sha256);
    ynode *root = ydoc_root(&y);
    ynode *pm = ymap_get(&y, root, "plan");
    if (!ynode_is_map(root) || !ynode_is_map(pm)) {
        ydiag(&y, d, DIAG_ERROR, root, "a plan file starts with 'plan:' (a mapping with id, title, "
                                       "region, period)");
        ydoc_free(&y);
        plan_free(p);
        return -1;
    }
    static const char *const top[] = {"plan", "params", "groups", "indicators", NULL};
    ycheck_keys(&y, root, top, "plan file", d);
    load_plan_header(&y, pm, p, d);

    /* Intern every parameter name first: formulas may refer to parameters
     * declared further down, or on another indicator's params. */
    ynode *params = ymap_get(&y, root, "params");
    if (params)
        intern_param_names(params, &y, env->syms);
    ynode *inds = ymap_get(&y, root, "indicators");
    for (size_t i = 0; i < yseq_len(inds); i++) {
        ynode *ip = ymap_get(&y, yseq_at(&y, inds, i), "params");
        if (ynode_is_map(ip))
            intern_param_names(ip, &y, env->syms);
    }
    load_params(&y, params, env, "plan", &p->params, &p->nparams, d);
    load_groups(&y, ymap_get(&y, root, "groups"), p, d);

    if (!inds || !ynode_is_seq(inds) || yseq_len(inds) == 0) {
        ydiag(&y, d, DIAG_ERROR, inds ? inds : root, "the plan defines no indicators "
                                                     "('indicators' must be a non-empty list)");
    } else {
        size_t n = yseq_len(inds);
        p->inds = xcalloc(n, sizeof(indicator));
        for (size_t i = 0; i < n; i++) {
            ynode *m = yseq_at(&y, inds, i);
            if (!ynode_is_map(m)) {
                ydiag(&y, d, DIAG_ERROR, m, "each indicator is a mapping with id, name, targets");
                continue;
            }
            const char *id = NULL;
            if (yget_str(&y, m, "id", 1, &id, d) != 1)
                continue;
            if (!valid_indicator_id(id)) {
                ydiag(&y, d, DIAG_ERROR, ymap_get(&y, m, "id"),
                      "indicator id '%s' must be letters, digits, '.', '-' or '_'", id);
                continue;
            }
            int dup = 0;
            for (int j = 0; j < p->ninds; j++)
                if (strcmp(p->inds[j].id, id) == 0) {
                    ydiag(&y, d, DIAG_ERROR, ymap_get(&y, m, "id"),
                          "duplicate indicator id '%s' (first at line %d)", id, p->inds[j].line);
                    dup = 1;
                }
            if (dup)
                continue;
            indicator *ind = &p->inds[p->ninds++];
            ind->id = xstrdup(id);
            load_indicator(&y, m, p, env, ind, d);
        }
    }
    ydoc_free(&y);

    /* Cross-checks that need the whole plan. */
    if (diag_errors(d) == before) {
        for (int i = 0; i < p->nparams; i++)
            check_params_defined(p, env, NULL, &p->params[i].value, d);
        for (int k = 0; k < p->ninds; k++) {
            const indicator *ind = &p->inds[k];
            check_params_defined(p, env, ind, ind->formula, d);
            check_params_defined(p, env, ind, ind->numerator, d);
            check_params_defined(p, env, ind, ind->denominator, d);
            check_params_defined(p, env, ind, ind->scale, d);
            for (int i = 0; i < ind->nparams; i++)
                check_params_defined(p, env, ind, &ind->params[i].value, d);
            for (int t = 0; t < ind->ntargets; t++)
                check_params_defined(p, env, ind, &ind->targets[t].exclude_when, d);
        }
        check_param_cycles(p, env, d);
    }
    if (diag_errors(d) > before) {
        plan_free(p);
        return -1;
    }
    return 0;
}

void plan_free(plan *p)
{
    free(p->path);
    free(p->id);
    free(p->title);
    free(p->region);
    free(p->region_name);
    free(p->document);
    free(p->source_file);
    free(p->issuer);
    free(p->issued);
    free(p->notes);
    params_free(p->params, p->nparams);
    for (int i = 0; i < p->ngroups; i++) {
        free(p->groups[i].id);
        free(p->groups[i].name);
        free(p->groups[i].part);
    }
    free(p->groups);
    for (int i = 0; i < p->ninds; i++)
        indicator_free(&p->inds[i]);
    free(p->inds);
    memset(p, 0, sizeof *p);
}

const indicator *plan_find_indicator(const plan *p, const char *id)
{
    for (int i = 0; i < p->ninds; i++)
        if (strcmp(p->inds[i].id, id) == 0)
            return &p->inds[i];
    return NULL;
}

/* ---------- the variables a plan reads ---------- */

static void uses_add(var_uses *u, int var, int ind)
{
    u->used[var] = 1;
    for (int i = 0; i < u->ninds[var]; i++)
        if (u->inds[var][i] == ind)
            return;
    u->inds[var] = xrealloc(u->inds[var], (size_t)(u->ninds[var] + 1) * sizeof(int));
    u->inds[var][u->ninds[var]++] = ind;
}

/*
 * The variables expression e reads, directly or through the parameters in
 * force for indicator i (population -> pop_resident): a variable reached only
 * through a parameter is still data the plan needs. Cycles are refused at
 * load; depth is bounded all the same.
 */
static void uses_expr(var_uses *u, const plan *p, const catalogue *cat, const expr_def *e, int i,
                      int depth)
{
    if (!e || !e->f || depth > 32)
        return;
    const formula_ref *refs;
    int k = formula_refs(e->f, &refs);
    for (int j = 0; j < k; j++) {
        if (refs[j].kind == REF_VARIABLE) {
            uses_add(u, refs[j].id, i);
        } else if (refs[j].kind == REF_PARAM) {
            const param_def *pd = plan_param(p, cat, &p->inds[i], refs[j].id);
            if (pd)
                uses_expr(u, p, cat, &pd->value, i, depth + 1);
        }
    }
}

void var_uses_build(var_uses *u, const plan *p, const catalogue *cat, const dictionary *dict)
{
    u->used = xcalloc((size_t)dict->nvars + 1, sizeof(int));
    u->inds = xcalloc((size_t)dict->nvars + 1, sizeof(int *));
    u->ninds = xcalloc((size_t)dict->nvars + 1, sizeof(int));
    for (int i = 0; i < p->ninds; i++) {
        const indicator *ind = &p->inds[i];
        uses_expr(u, p, cat, ind->formula, i, 0);
        uses_expr(u, p, cat, ind->numerator, i, 0);
        uses_expr(u, p, cat, ind->denominator, i, 0);
        uses_expr(u, p, cat, ind->scale, i, 0);
        for (int t = 0; t < ind->ntargets; t++)
            uses_expr(u, p, cat, &ind->targets[t].exclude_when, i, 0);
    }
}

void var_uses_free(var_uses *u, int nvars)
{
    for (int v = 0; v < nvars && u->inds; v++)
        free(u->inds[v]);
    free(u->inds);
    free(u->ninds);
    free(u->used);
}
