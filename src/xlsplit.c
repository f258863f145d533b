/*
 * xlsplit.c - see xlsplit.h. The formula is parsed into sequences of
 * atoms (references, numbers, strings), operators and groups (a function
 * call or parentheses, with one sequence per argument), fitted bottom-up
 * so that every part can itself be a helper cell, then printed again.
 */
#include "xlsplit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Room left under the limits: a margin for the "=" and for references. */
#define BUDGET (XL_FORMULA_MAX - 192)
#define CHUNK_ARGS 200
#define DEPTH_MAX 30 /* levels a part may reach before it moves out */
#define PARSE_DEPTH_MAX 2000

enum { IT_ATOM, IT_OP, IT_GROUP };

typedef struct seq seq;

typedef struct item {
    int kind;
    char *text; /* atom or operator; a group's function name ("" for parentheses) */
    seq *args;  /* a group's arguments */
    size_t nargs, argcap;
    size_t len; /* printed characters, references counted as qualified */
    int depth;  /* nesting levels of groups */
} item;

struct seq {
    item *it;
    size_t n, cap;
    size_t len;
    int depth;
};

typedef struct splitter {
    xl_place_fn place;
    void *ctx;
    const char *home;
    size_t home_len;
} splitter;

static void seq_free(seq *q);

static void item_free(item *it)
{
    free(it->text);
    for (size_t i = 0; i < it->nargs; i++)
        seq_free(&it->args[i]);
    free(it->args);
}

static void seq_free(seq *q)
{
    for (size_t i = 0; i < q->n; i++)
        item_free(&q->it[i]);
    free(q->it);
    memset(q, 0, sizeof *q);
}

static item *seq_push(seq *q, int kind, char *text)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 8;
        q->it = xrealloc(q->it, q->cap * sizeof *q->it);
    }
    item *it = &q->it[q->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->text = text;
    return it;
}

/* ---------- measuring ---------- */

/* A cell or range without a sheet (E5, $A$1:B2): qualified when it moves. */
static int bare_cell(const char *s)
{
    for (int part = 0; part < 2; part++) {
        size_t i = 0, letters = 0, digits = 0;
        if (s[i] == '$')
            i++;
        while ((s[i] >= 'A' && s[i] <= 'Z') && letters < 4)
            i++, letters++;
        if (s[i] == '$')
            i++;
        while (s[i] >= '0' && s[i] <= '9')
            i++, digits++;
        if (letters == 0 || letters > 3 || digits == 0)
            return 0;
        s += i;
        if (*s == '\0')
            return 1;
        if (*s != ':' || part == 1)
            return 0;
        s++;
    }
    return 0;
}

static void measure_seq(seq *q);

static void measure_item(item *it, size_t home_len)
{
    if (it->kind != IT_GROUP) {
        it->len = utf8_chars(it->text);
        if (it->kind == IT_ATOM && bare_cell(it->text))
            it->len += home_len + 1;
        it->depth = 0;
        return;
    }
    it->len = utf8_chars(it->text) + 2 + (it->nargs ? it->nargs - 1 : 0);
    it->depth = 0;
    for (size_t i = 0; i < it->nargs; i++) {
        it->len += it->args[i].len;
        if (it->args[i].depth > it->depth)
            it->depth = it->args[i].depth;
    }
    it->depth++;
}

static void measure_seq(seq *q)
{
    q->len = 0;
    q->depth = 0;
    for (size_t i = 0; i < q->n; i++) {
        q->len += q->it[i].len;
        if (q->it[i].depth > q->depth)
            q->depth = q->it[i].depth;
    }
}

/* ---------- parsing ---------- */

typedef struct lexer {
    const char *s;
    size_t i;
    size_t home_len;
    int depth;
} lexer;

static int parse_seq(lexer *lx, seq *q);

static int is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c == ':' || c == '!' || c == '.';
}

/* A string literal "..." ("" inside) or a quoted sheet name '...'!A1. */
static int scan_quoted(lexer *lx, char q)
{
    size_t i = lx->i + 1;
    for (;;) {
        if (!lx->s[i])
            return -1;
        if (lx->s[i] == q) {
            if (lx->s[i + 1] != q)
                break;
            i++;
        }
        i++;
    }
    i++;
    if (q == '\'')
        while (is_name_char(lx->s[i]))
            i++;
    return (int)(i - lx->i);
}

/* A number: digits, a point, an exponent with its sign (1E-9 is one atom). */
static size_t scan_number(const char *s)
{
    size_t i = 0;
    while ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')
        i++;
    if ((s[i] == 'E' || s[i] == 'e') && (s[i + 1] == '+' || s[i + 1] == '-' ||
                                         (s[i + 1] >= '0' && s[i + 1] <= '9'))) {
        i += 2;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i;
}

static int parse_group(lexer *lx, item *g)
{
    if (++lx->depth > PARSE_DEPTH_MAX)
        return -1;
    lx->i++; /* ( */
    for (;;) {
        seq *a = ARRAY_PUSH(g->args, g->nargs, g->argcap);
        memset(a, 0, sizeof *a);
        if (parse_seq(lx, a) != 0)
            return -1;
        char c = lx->s[lx->i];
        lx->i++;
        if (c == ')')
            break;
        if (c != ',')
            return -1;
    }
    lx->depth--;
    measure_item(g, lx->home_len);
    return 0;
}

static int parse_seq(lexer *lx, seq *q)
{
    for (;;) {
        const char *s = lx->s + lx->i;
        char c = *s;
        size_t n;
        if (c == '\0' || c == ')' || c == ',')
            break;
        if (c == '(') {
            if (parse_group(lx, seq_push(q, IT_GROUP, xstrdup(""))) != 0)
                return -1;
            continue;
        }
        if (c == '"' || c == '\'') {
            int k = scan_quoted(lx, c);
            if (k < 0)
                return -1;
            n = (size_t)k;
        } else if (strchr("+-*/^&", c)) {
            n = 1;
        } else if (c == '<' || c == '>' || c == '=') {
            n = (c != '=' && (s[1] == '=' || (c == '<' && s[1] == '>'))) ? 2 : 1;
        } else if ((c >= '0' && c <= '9') || c == '.') {
            n = scan_number(s);
        } else if (is_name_char(c)) {
            n = 0;
            while (is_name_char(s[n]))
                n++;
            if (s[n] == '(') {
                item *g = seq_push(q, IT_GROUP, xstrndup(s, n));
                lx->i += n;
                if (parse_group(lx, g) != 0)
                    return -1;
                continue;
            }
        } else {
            return -1; /* a space, an array, a percent: not printed by planeval */
        }
        int op = strchr("+-*/^&<>=", c) != NULL;
        item *it = seq_push(q, op ? IT_OP : IT_ATOM, xstrndup(s, n));
        measure_item(it, lx->home_len);
        lx->i += n;
    }
    measure_seq(q);
    return 0;
}

/* ---------- printing ---------- */

static void print_seq(strbuf *sb, const seq *q, const char *home);

static void print_item(strbuf *sb, const item *it, const char *home)
{
    if (it->kind != IT_GROUP) {
        if (home && it->kind == IT_ATOM && bare_cell(it->text))
            sb_printf(sb, "%s!", home);
        sb_add(sb, it->text);
        return;
    }
    sb_add(sb, it->text);
    sb_addc(sb, '(');
    for (size_t i = 0; i < it->nargs; i++) {
        if (i)
            sb_addc(sb, ',');
        print_seq(sb, &it->args[i], home);
    }
    sb_addc(sb, ')');
}

static void print_seq(strbuf *sb, const seq *q, const char *home)
{
    for (size_t i = 0; i < q->n; i++)
        print_item(sb, &q->it[i], home);
}

/* ---------- moving parts into helper cells ---------- */

/* Place "=" + text as a helper; returns an atom item standing for it. */
static int place_text(splitter *sp, strbuf *text, item *out)
{
    char ref[256];
    int rc = sp->place(sp->ctx, text->s, ref, sizeof ref);
    sb_free(text);
    if (rc != 0)
        return -1;
    memset(out, 0, sizeof *out);
    out->kind = IT_ATOM;
    out->text = xstrdup(ref);
    measure_item(out, sp->home_len);
    return 0;
}

/* Replace the items of q by one helper cell holding them all. */
static int move_seq(splitter *sp, seq *q)
{
    strbuf sb;
    sb_init(&sb);
    sb_addc(&sb, '=');
    print_seq(&sb, q, sp->home);
    item ref;
    if (place_text(sp, &sb, &ref) != 0)
        return -1;
    seq_free(q);
    *seq_push(q, IT_ATOM, NULL) = ref;
    measure_seq(q);
    return 0;
}

static int fit_seq(splitter *sp, seq *q);

/* ---------- MIN, MAX, SUM, COUNT over chunks ---------- */

/* The function over chunks' results, or NULL when it does not combine. */
static const char *outer_of(const char *fn)
{
    static const char *const same[] = {"MIN", "MAX", "SUM"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (strcmp(fn, same[i]) == 0)
            return same[i];
    return strcmp(fn, "COUNT") == 0 ? "SUM" : NULL;
}

/* One chunk's helper: FN(args); for MIN/MAX "" when no argument is a number. */
static int place_chunk(splitter *sp, const char *fn, seq *args, size_t n, item *out)
{
    int guard = strcmp(fn, "MIN") == 0 || strcmp(fn, "MAX") == 0;
    strbuf list, sb;
    sb_init(&list);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_addc(&list, ',');
        print_seq(&list, &args[i], sp->home);
    }
    sb_init(&sb);
    if (guard)
        sb_printf(&sb, "=IF(COUNT(%s)=0,\"\",%s(%s))", list.s, fn, list.s);
    else
        sb_printf(&sb, "=%s(%s)", fn, list.s);
    sb_free(&list);
    return place_text(sp, &sb, out);
}

/* One pass: the arguments in chunks, each chunk a helper; g becomes the outer function. */
static int chunk_pass(splitter *sp, item *g, const char *outer)
{
    /* guarded chunks print their list twice */
    size_t room = (BUDGET - 40) / (strcmp(g->text, "MIN") == 0 || strcmp(g->text, "MAX") == 0 ? 2 : 1);
    seq *out = NULL;
    size_t nout = 0, outcap = 0, start = 0, len = 0;
    int rc = 0;
    for (size_t i = 0; i <= g->nargs && rc == 0; i++) {
        int flush = i == g->nargs ||
                    (i > start && (i - start == CHUNK_ARGS || len + g->args[i].len + 1 > room));
        if (i < g->nargs && g->args[i].len + 1 > room)
            rc = -1; /* one argument too long for any chunk */
        if (flush && i > start) {
            seq *q = ARRAY_PUSH(out, nout, outcap);
            memset(q, 0, sizeof *q);
            rc = place_chunk(sp, g->text, g->args + start, i - start, seq_push(q, IT_ATOM, NULL));
            if (rc == 0)
                measure_seq(q);
            start = i;
            len = 0;
        }
        if (i < g->nargs)
            len += g->args[i].len + 1;
    }
    for (size_t i = 0; i < g->nargs; i++)
        seq_free(&g->args[i]);
    free(g->args);
    g->args = out;
    g->nargs = nout;
    g->argcap = outcap;
    free(g->text);
    g->text = xstrdup(outer);
    measure_item(g, sp->home_len);
    return rc;
}

static int chunk_args(splitter *sp, item *g)
{
    const char *outer = outer_of(g->text);
    for (int pass = 0; pass < 8; pass++) {
        if (g->nargs <= XL_ARGS_MAX && g->len <= BUDGET)
            return 0;
        if (!outer || chunk_pass(sp, g, outer) != 0)
            return -1;
    }
    return -1;
}

/* ---------- groups ---------- */

/* An argument that may move: more than one reference or number. */
static int movable(const seq *q) { return q->n > 1 || (q->n == 1 && q->it[0].kind == IT_GROUP); }

static int by_len_desc(const void *a, const void *b)
{
    const seq *x = *(seq *const *)a, *y = *(seq *const *)b;
    return x->len < y->len ? 1 : x->len > y->len ? -1 : 0;
}

/* g's arguments fitted, then g itself: too many, too long or too deep arguments move out. */
static int fit_group(splitter *sp, item *g)
{
    for (size_t i = 0; i < g->nargs; i++)
        if (fit_seq(sp, &g->args[i]) != 0)
            return -1;
    measure_item(g, sp->home_len);
    if (outer_of(g->text) && (g->nargs > XL_ARGS_MAX || g->len > BUDGET) && chunk_args(sp, g) != 0)
        return -1;
    if (g->nargs > XL_ARGS_MAX)
        return -1;
    for (size_t i = 0; i < g->nargs; i++)
        if (g->args[i].depth >= DEPTH_MAX && move_seq(sp, &g->args[i]) != 0)
            return -1;
    measure_item(g, sp->home_len);
    if (g->len <= BUDGET)
        return 0;
    seq **order = xcalloc(g->nargs, sizeof *order);
    for (size_t i = 0; i < g->nargs; i++)
        order[i] = &g->args[i];
    qsort(order, g->nargs, sizeof *order, by_len_desc);
    int rc = 0;
    for (size_t i = 0; i < g->nargs && g->len > BUDGET && rc == 0; i++)
        if (movable(order[i])) {
            rc = move_seq(sp, order[i]);
            measure_item(g, sp->home_len);
        }
    free(order);
    return rc == 0 && g->len <= BUDGET ? 0 : -1;
}

/* ---------- chains of operators ---------- */

static int op_level(const char *op)
{
    switch (op[0]) {
    case '^': return 5;
    case '*':
    case '/': return 4;
    case '+':
    case '-': return 3;
    case '&': return 2;
    default: return 1; /* comparisons */
    }
}

/* Is q->it[i] a binary operator (it follows an operand)? */
static int binary_at(const seq *q, size_t i)
{
    return q->it[i].kind == IT_OP && i > 0 && q->it[i - 1].kind != IT_OP;
}

/* Move items [from, to) of q into a new sequence (the caller owns it). */
static void take_items(seq *q, size_t from, size_t to, seq *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = from; i < to; i++)
        *seq_push(out, 0, NULL) = q->it[i];
    measure_seq(out);
}

/* src's items after dst's (measured as it goes: a chain may have 100,000 operands). */
static void append_seq(seq *dst, seq *src)
{
    for (size_t i = 0; i < src->n; i++)
        *seq_push(dst, 0, NULL) = src->it[i];
    dst->len += src->len;
    if (src->depth > dst->depth)
        dst->depth = src->depth;
    free(src->it);
    memset(src, 0, sizeof *src);
}

/*
 * q split at its lowest operators into operands; a long operand is fitted
 * on its own, and the chain is rebuilt from left prefixes that fit (a
 * comparison has two sides only, so its prefix is its left side).
 */
static int split_chain(splitter *sp, seq *q)
{
    int level = 99;
    for (size_t i = 0; i < q->n; i++)
        if (binary_at(q, i) && op_level(q->it[i].text) < level)
            level = op_level(q->it[i].text);
    if (level == 99 || level == 5)
        return -1; /* no chain, or powers (right to left in some readers) */
    seq cur;
    memset(&cur, 0, sizeof cur);
    item op; /* the operator before the next operand */
    int have_op = 0;
    size_t start = 0;
    int rc = 0;
    for (size_t i = 0; i <= q->n && rc == 0; i++) {
        if (i < q->n && !(binary_at(q, i) && op_level(q->it[i].text) == level))
            continue;
        seq operand;
        take_items(q, start, i, &operand);
        if (operand.len > BUDGET / 2) {
            rc = fit_seq(sp, &operand);
            if (rc == 0 && operand.len > BUDGET / 2 && movable(&operand))
                rc = move_seq(sp, &operand);
        }
        if (rc == 0 && movable(&cur) && cur.len + operand.len + 2 > BUDGET)
            rc = move_seq(sp, &cur); /* the prefix so far, without the operator after it */
        if (have_op) {
            *seq_push(&cur, 0, NULL) = op;
            cur.len += op.len;
        }
        append_seq(&cur, &operand);
        have_op = i < q->n;
        if (have_op)
            op = q->it[i];
        start = i + 1;
    }
    if (have_op)
        item_free(&op);
    for (size_t i = start; i < q->n; i++) /* left by a failure */
        item_free(&q->it[i]);
    free(q->it);
    *q = cur;
    measure_seq(q);
    return rc;
}

static int fit_seq(splitter *sp, seq *q)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->it[i].kind == IT_GROUP && fit_group(sp, &q->it[i]) != 0)
            return -1;
    measure_seq(q);
    if (q->len <= BUDGET)
        return 0;
    if (split_chain(sp, q) != 0)
        return -1;
    return q->len <= BUDGET ? 0 : -1;
}

/* Within the limits as it stands: few enough characters, commas and parentheses. */
int xl_fits(const char *formula)
{
    if (strlen(formula) <= XL_FORMULA_MAX) {
        /* no more characters than bytes: only the parentheses and commas to
         * count, found a block at a time (workbook.c asks once per formula) */
        int depth = 0, commas = 0;
        for (const char *p = formula + strcspn(formula, "(),"); *p; p += 1 + strcspn(p + 1, "(),")) {
            if (*p == '(') {
                if (++depth > XL_NESTING_MAX - 4)
                    return 0;
            } else if (*p == ')') {
                depth--;
            } else {
                commas++;
            }
        }
        return commas < XL_ARGS_MAX;
    }
    int depth = 0, commas = 0, over = 0;
    size_t chars = 0;
    for (const char *p = formula; *p && !over; p++) {
        chars += ((unsigned char)*p & 0xC0) != 0x80; /* one pass: UTF-8 characters too */
        if (*p == '(')
            over = ++depth > XL_NESTING_MAX - 4;
        else if (*p == ')')
            depth--;
        else if (*p == ',')
            commas++;
    }
    return !over && commas < XL_ARGS_MAX && chars <= XL_FORMULA_MAX;
}

char *xl_fit(const char *formula, const char *home, xl_place_fn place, void *ctx)
{
    if (xl_fits(formula))
        return xstrdup(formula);
    if (formula[0] != '=')
        return NULL;
    splitter sp = {place, ctx, home, home ? utf8_chars(home) : 0};
    lexer lx = {formula + 1, 0, sp.home_len, 0};
    seq top;
    memset(&top, 0, sizeof top);
    char *res = NULL;
    if (parse_seq(&lx, &top) != 0 || lx.s[lx.i] != '\0') {
        /* a form planeval does not print: kept as it was when it is short */
        if (utf8_chars(formula) <= XL_FORMULA_MAX)
            res = xstrdup(formula);
    } else if (fit_seq(&sp, &top) == 0) {
        strbuf sb;
        sb_init(&sb);
        sb_addc(&sb, '=');
        print_seq(&sb, &top, NULL);
        res = sb_take(&sb);
    }
    seq_free(&top);
    return res;
}
