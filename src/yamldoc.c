/* yamldoc.c - see yamldoc.h. */
#include "yamldoc.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ynode_line(const ynode *n) { return n ? (int)n->start_mark.line + 1 : 0; }
int ynode_col(const ynode *n) { return n ? (int)n->start_mark.column + 1 : 0; }
int ynode_is_map(const ynode *n) { return n && n->type == YAML_MAPPING_NODE; }
int ynode_is_seq(const ynode *n) { return n && n->type == YAML_SEQUENCE_NODE; }
int ynode_is_scalar(const ynode *n) { return n && n->type == YAML_SCALAR_NODE; }

const char *ynode_str(const ynode *n)
{
    return ynode_is_scalar(n) ? (const char *)n->data.scalar.value : NULL;
}

int ynode_text_offset(const ynode *n)
{
    if (!ynode_is_scalar(n))
        return 0;
    yaml_scalar_style_t s = n->data.scalar.style;
    return s == YAML_SINGLE_QUOTED_SCALAR_STYLE || s == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

int ynode_is_block(const ynode *n)
{
    if (!ynode_is_scalar(n))
        return 0;
    yaml_scalar_style_t s = n->data.scalar.style;
    return s == YAML_LITERAL_SCALAR_STYLE || s == YAML_FOLDED_SCALAR_STYLE;
}

void ydiag(ydoc *y, diag_list *d, diag_level lv, const ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(d, lv, y->path, ynode_line(n), ynode_col(n), "%s", msg);
    free(msg);
}

ynode *ymap_get(ydoc *y, ynode *map, const char *key)
{
    if (!ynode_is_map(map))
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        ynode *k = yaml_document_get_node(&y->doc, p->key);
        if (ynode_is_scalar(k) && strcmp(ynode_str(k), key) == 0)
            return yaml_document_get_node(&y->doc, p->value);
    }
    return NULL;
}

size_t ymap_len(const ynode *map)
{
    return ynode_is_map(map) ? (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start)
                             : 0;
}

ynode *ymap_key(ydoc *y, ynode *map, size_t i)
{
    return yaml_document_get_node(&y->doc, map->data.mapping.pairs.start[i].key);
}

ynode *ymap_value(ydoc *y, ynode *map, size_t i)
{
    return yaml_document_get_node(&y->doc, map->data.mapping.pairs.start[i].value);
}

size_t yseq_len(const ynode *seq)
{
    return ynode_is_seq(seq) ? (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start)
                             : 0;
}

ynode *yseq_at(ydoc *y, ynode *seq, size_t i)
{
    return yaml_document_get_node(&y->doc, seq->data.sequence.items.start[i]);
}

/* libyaml accepts duplicate keys silently; a duplicated key in a plan is
 * almost always a copy-paste mistake, so it is an error here. */
static void check_duplicates(ydoc *y, ynode *n, diag_list *d, int depth)
{
    if (!n || depth > 200)
        return;
    if (ynode_is_map(n)) {
        size_t len = ymap_len(n);
        for (size_t i = 0; i < len; i++) {
            ynode *ki = ymap_key(y, n, i);
            for (size_t j = 0; j < i && ynode_is_scalar(ki); j++) {
                ynode *kj = ymap_key(y, n, j);
                if (ynode_is_scalar(kj) && strcmp(ynode_str(ki), ynode_str(kj)) == 0) {
                    ydiag(y, d, DIAG_ERROR, ki, "duplicate key '%s' (first at line %d)",
                          ynode_str(ki), ynode_line(kj));
                    break;
                }
            }
            check_duplicates(y, ymap_value(y, n, i), d, depth + 1);
        }
    } else if (ynode_is_seq(n)) {
        for (size_t i = 0; i < yseq_len(n); i++)
            check_duplicates(y, yseq_at(y, n, i), d, depth + 1);
    }
}

/* A "\0" escape makes a scalar that C code would silently cut short
 * ("qinan\0/../x" read as "qinan"): refuse it. */
static void check_nul(ydoc *y, diag_list *d)
{
    for (ynode *n = y->doc.nodes.start; n < y->doc.nodes.top; n++)
        if (ynode_is_scalar(n) && strlen(ynode_str(n)) != n->data.scalar.length)
            ydiag(y, d, DIAG_ERROR, n, "text contains a NUL character (\\0): remove it");
}

/* libyaml's complaint, at its line and column. */
static void syntax_error(const yaml_parser_t *parser, const char *path, diag_list *d)
{
    int line = (int)parser->problem_mark.line + 1, col = (int)parser->problem_mark.column + 1;
    diag_add(d, DIAG_ERROR, path, line, col, "YAML syntax: %s%s%s",
             parser->problem ? parser->problem : "malformed document",
             parser->context ? " " : "", parser->context ? parser->context : "");
}

int ydoc_load(ydoc *y, const char *path, diag_list *d)
{
    memset(y, 0, sizeof *y);
    y->path = xstrdup(path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        diag_add(d, DIAG_ERROR, path, 0, 0, "cannot initialise the YAML parser");
        return -1;
    }
    yaml_parser_set_input_file(&parser, f);
    int ok = yaml_parser_load(&parser, &y->doc);
    if (!ok) {
        syntax_error(&parser, path, d);
        yaml_parser_delete(&parser);
        fclose(f);
        return -1;
    }
    y->loaded = 1;
    /* A second document ("---" then more) would be ignored silently: refuse it. */
    yaml_document_t next;
    if (!yaml_parser_load(&parser, &next)) {
        syntax_error(&parser, path, d);
        yaml_parser_delete(&parser);
        fclose(f);
        return -1;
    }
    yaml_node_t *nroot = yaml_document_get_root_node(&next);
    /* A lone "---" at the end holds an empty scalar: nothing is lost. */
    int more = nroot && !(nroot->type == YAML_SCALAR_NODE && nroot->data.scalar.length == 0 &&
                          nroot->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
    int line2 = (int)next.start_mark.line + 1, col2 = (int)next.start_mark.column + 1;
    yaml_document_delete(&next);
    yaml_parser_delete(&parser);
    fclose(f);
    if (more) {
        diag_add(d, DIAG_ERROR, path, line2, col2,
                 "a second YAML document starts here: a file holds one document; remove this "
                 "'---' and what follows, or move it into a file of its own");
        return -1;
    }
    ynode *root = ydoc_root(y);
    if (!root) {
        diag_add(d, DIAG_ERROR, path, 1, 1, "file is empty");
        return -1;
    }
    size_t before = diag_errors(d);
    check_duplicates(y, root, d, 0);
    check_nul(y, d);
    return diag_errors(d) > before ? -1 : 0;
}

void ydoc_free(ydoc *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    free(y->path);
    memset(y, 0, sizeof *y);
}

ynode *ydoc_root(ydoc *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

static const char *type_name(const ynode *n)
{
    return ynode_is_map(n) ? "a mapping" : ynode_is_seq(n) ? "a list" : "a scalar";
}

int yget_str(ydoc *y, ynode *map, const char *key, int required, const char **out,
             diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    if (!ynode_is_scalar(n)) {
        ydiag(y, d, DIAG_ERROR, n, "'%s' must be text, not %s", key, type_name(n));
        return -1;
    }
    *out = ynode_str(n);
    return 1;
}

int ynode_num(ydoc *y, ynode *n, const char *what, double *out, diag_list *d)
{
    const char *s = ynode_str(n);
    if (!s || parse_number(s, out) != 0) {
        ydiag(y, d, DIAG_ERROR, n, "%s must be a number, not %s%s%s", what,
              s ? "'" : type_name(n), s ? s : "", s ? "'" : "");
        return -1;
    }
    return 0;
}

int ynode_int(ydoc *y, ynode *n, const char *what, long *out, diag_list *d)
{
    double v;
    if (ynode_num(y, n, what, &v, d) != 0)
        return -1;
    /* Outside the range of long, the cast below would be undefined. */
    if (!(v >= (double)LONG_MIN && v < -(double)LONG_MIN)) {
        ydiag(y, d, DIAG_ERROR, n, "%s is out of range: '%s'", what, ynode_str(n));
        return -1;
    }
    if (v != (double)(long)v) {
        ydiag(y, d, DIAG_ERROR, n, "%s must be a whole number, not '%s'", what, ynode_str(n));
        return -1;
    }
    *out = (long)v;
    return 0;
}

int yget_num(ydoc *y, ynode *map, const char *key, int required, double *out, diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    char what[128];
    snprintf(what, sizeof what, "'%s'", key);
    return ynode_num(y, n, what, out, d) == 0 ? 1 : -1;
}

int yget_int(ydoc *y, ynode *map, const char *key, int required, long *out, diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    char what[128];
    snprintf(what, sizeof what, "'%s'", key);
    return ynode_int(y, n, what, out, d) == 0 ? 1 : -1;
}

int yget_year_range(ydoc *y, ynode *map, const char *key, int required, int out[2],
                    diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    if (!ynode_is_seq(n) || yseq_len(n) != 2) {
        ydiag(y, d, DIAG_ERROR, n, "'%s' must be a pair of years like [2021, 2025]", key);
        return -1;
    }
    long a, b;
    if (ynode_int(y, yseq_at(y, n, 0), "a year", &a, d) || ynode_int(y, yseq_at(y, n, 1), "a year", &b, d))
        return -1;
    if (a < 1949 || b > 2100 || a > b) {
        ydiag(y, d, DIAG_ERROR, n, "'%s' must be two years between 1949 and 2100, first <= last",
              key);
        return -1;
    }
    out[0] = (int)a;
    out[1] = (int)b;
    return 1;
}

/*
 * Words an analyst reaches for first, mapped to the key planeval uses: an
 * edit distance finds typos, not these (dept is 7 edits from department).
 * Used only for suggestions, and only when the key it names is allowed here.
 */
static const char *synonym_of(const char *key)
{
    static const char *const pairs[][2] = {
        {"dept", "department"},       {"depts", "department"},
        {"departments", "department"}, {"责任单位", "department"},
        {"责任部门", "department"},    {"牵头部门", "department"},
        {"牵头单位", "department"},    {"指标名称", "name"},
        {"名称", "name"},              {"单位", "unit"},
        {"属性", "type"},              {"指标属性", "type"},
        {"目标", "targets"},           {"目标值", "value"},
        {"target", "targets"},         {"operator", "op"},
        {"comparison", "op"},          {"年份", "year"},
        {"due", "year"},               {"基期", "baseline"},
        {"基准", "baseline"},          {"base", "baseline"},
        {"percent", "by"},             {"note", "notes"},
        {"notes", "note"},             {"备注", "notes"},
        {"来源", "source"},            {"出处", "source"},
        {"decimals", "precision"},     {"digits", "precision"},
        {"小数位", "precision"},       {"分组", "group"},
        {"title", "name"},             {"formular", "formula"},
        {"公式", "formula"},           {"口径", "doubt"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i][0], key) == 0)
            return pairs[i][1];
    return NULL;
}

static int key_allowed(const char *const *allowed, const char *key)
{
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(*a, key) == 0)
            return 1;
    return 0;
}

void ycheck_keys(ydoc *y, ynode *map, const char *const *allowed, const char *what,
                 diag_list *d)
{
    size_t len = ymap_len(map);
    for (size_t i = 0; i < len; i++) {
        ynode *k = ymap_key(y, map, i);
        const char *ks = ynode_str(k);
        if (!ks) {
            ydiag(y, d, DIAG_ERROR, k, "%s: keys must be text", what);
            continue;
        }
        int found = 0, best = 1 << 30;
        const char *near = NULL;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, ks) == 0) {
                found = 1;
                break;
            }
            int dist = utf8_edit_distance(ks, *a);
            if (dist < best) {
                best = dist;
                near = *a;
            }
        }
        if (found)
            continue;
        const char *syn = synonym_of(ks);
        if (syn && key_allowed(allowed, syn)) {
            near = syn;
            best = 0;
        }
        if (near && best <= 3)
            ydiag(y, d, DIAG_ERROR, k, "%s: unknown key '%s' (did you mean '%s'?)", what, ks, near);
        else
            ydiag(y, d, DIAG_ERROR, k, "%s: unknown key '%s'", what, ks);
    }
}
