/*
 * formula.c - see formula.h.
 *
 * A formula is lexed on demand (one token of lookahead), parsed by
 * recursive descent into a small AST and evaluated by walking the tree.
 * Names are bound at parse time through the caller's env, so evaluation
 * only ever sees ids and never fails: bad data becomes MISSING or UNDEFINED.
 *
 * The parser is meant to survive arbitrary input (it will be fuzzed):
 * it never reads past the terminating NUL, limits recursion with an
 * error, and limits the height of the tree it builds so that evaluation
 * and freeing cannot overflow the stack either.
 */
#include "formula.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting of parentheses, unary minus and calls the parser accepts. */
#define MAX_NESTING 200
/* Height of the tree (a long a+b+c+... chain is a deep left spine). */
#define MAX_HEIGHT 1000
/* Largest k in lag(e, k), and the longest sum_years/mean_years range (also
 * the most years nested ranges may visit together, see eval_years). */
#define MAX_LAG 1000
#define MAX_YEAR_SPAN 1000

/* ---------- tokens ---------- */

typedef enum tok_type {
    T_END, T_NUM, T_NAME, T_STR,
    T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_PIPE, T_ASSIGN,
    T_PLUS, T_MINUS, T_STAR, T_SLASH,
    T_LT, T_LE, T_GT, T_GE, T_EQ, T_NE
} tok_type;

typedef struct token {
    tok_type type;
    int off, len; /* bytes of src; for T_STR including the quotes */
    double num;
} token;

static const char *const tok_text[] = {
    [T_LPAREN] = "(", [T_RPAREN] = ")", [T_LBRACE] = "{", [T_RBRACE] = "}",
    [T_COMMA] = ",", [T_PIPE] = "|", [T_ASSIGN] = "=", [T_PLUS] = "+",
    [T_MINUS] = "-", [T_STAR] = "*", [T_SLASH] = "/", [T_LT] = "<", [T_LE] = "<=",
    [T_GT] = ">", [T_GE] = ">=", [T_EQ] = "==", [T_NE] = "!=",
};

static int is_cmp(tok_type t) { return t >= T_LT && t <= T_NE; }

/* ---------- the tree ---------- */

typedef enum node_kind { N_NUM, N_REF, N_NEG, N_BIN, N_CALL } node_kind;

typedef enum func_id {
    F_PREV, F_LAG, F_SUM_YEARS, F_MEAN_YEARS, F_MIN, F_MAX, F_ABS,
    F_COUNT, F_COUNT_IF, F_SHARE, F_MAX_ROW, F_MIN_ROW, F_NFUNCS
} func_id;

/* What a row function wants as its argument. */
typedef enum row_arg { ROW_NONE, ROW_REF, ROW_CMP } row_arg;

static const struct func_def {
    const char *name;
    int min_args, max_args; /* max_args -1: any number */
    row_arg row;
    const char *usage;
} funcs[F_NFUNCS] = {
    [F_PREV] = {"prev", 1, 1, ROW_NONE, "prev(e)"},
    [F_LAG] = {"lag", 2, 2, ROW_NONE, "lag(e, k)"},
    [F_SUM_YEARS] = {"sum_years", 3, 3, ROW_NONE, "sum_years(e, first_year, last_year)"},
    [F_MEAN_YEARS] = {"mean_years", 3, 3, ROW_NONE, "mean_years(e, first_year, last_year)"},
    [F_MIN] = {"min", 2, -1, ROW_NONE, "min(a, b, ...)"},
    [F_MAX] = {"max", 2, -1, ROW_NONE, "max(a, b, ...)"},
    [F_ABS] = {"abs", 1, 1, ROW_NONE, "abs(e)"},
    [F_COUNT] = {"count", 1, 1, ROW_REF, "count(v)"},
    [F_COUNT_IF] = {"count_if", 1, 1, ROW_CMP, "count_if(v <= x)"},
    [F_SHARE] = {"share", 1, 1, ROW_CMP, "share(v <= x)"},
    [F_MAX_ROW] = {"max_row", 1, 1, ROW_REF, "max_row(v)"},
    [F_MIN_ROW] = {"min_row", 1, 1, ROW_REF, "min_row(v)"},
};

typedef struct node node;
struct node {
    node_kind kind;
    int off;      /* source offset of its first token, for messages */
    int height;   /* 1 for a leaf */
    tok_type op;  /* N_BIN */
    func_id fn;   /* N_CALL */
    int ref;      /* N_REF: index into formula.refs */
    int lag;      /* N_CALL F_LAG: k */
    double num;   /* N_NUM */
    node **args;  /* N_NEG: 1, N_BIN: 2, N_CALL: nargs */
    int nargs;
};

struct formula {
    node *root;
    formula_ref *refs;
    int nrefs;
    size_t refcap;
};

static void node_free(node *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->nargs; i++)
        node_free(n->args[i]);
    free(n->args);
    free(n);
}

static void filters_free(formula_filter *fl, int n)
{
    for (int i = 0; i < n; i++) {
        free(fl[i].dim);
        for (int k = 0; k < fl[i].nvalues; k++)
            free(fl[i].values[k]);
        free(fl[i].values);
    }
    free(fl);
}

void formula_free(formula *f)
{
    if (!f)
        return;
    node_free(f->root);
    for (int i = 0; i < f->nrefs; i++)
        filters_free((formula_filter *)f->refs[i].filters, f->refs[i].nfilters);
    free(f->refs);
    free(f);
}

/* ---------- parser state and errors ---------- */

typedef struct parser {
    const char *src;
    int n;           /* strlen(src) */
    int pos;         /* where the next token starts being looked for */
    token cur;       /* the current token */
    token prev;      /* the last token consumed; prev_set says if there is one */
    int prev_set;
    int depth;
    int failed;
    const formula_env *env;
    formula_error *err;
    formula *f;
} parser;

static void fail(parser *p, int off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Length of s[0..len) cut to at most max bytes at a code point boundary. */
static int clip_utf8(const char *s, int len, int max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return max;
}

/* Record the first error only: later ones are consequences of it. */
static void fail(parser *p, int off, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    if (off < 0)
        off = 0;
    if (off > p->n)
        off = p->n;
    p->err->offset = off;
    p->err->column = utf8_columns(p->src, (size_t)off) + 1;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    /* A long name can truncate the message: do not leave half a character. */
    int max = (int)sizeof p->err->msg - 1;
    if (len > max)
        p->err->msg[clip_utf8(p->err->msg, len, max)] = '\0';
}

static int column_of(const parser *p, int off) { return utf8_columns(p->src, (size_t)off) + 1; }

/* ---------- lexer ---------- */

/*
 * Decode one code point of s[0..n) strictly. Returns its length, or 0 for
 * an invalid sequence (which the caller reports as a byte).
 */
static int utf8_decode(const unsigned char *s, int n, uint32_t *cp)
{
    unsigned c = s[0];
    int len;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, min = 0x80, *cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, min = 0x800, *cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, *cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return len;
}

/*
 * The ASCII a non-ASCII character was probably meant to be: Chinese input
 * methods produce full-width brackets, operators and curly quotes.
 */
static const char *ascii_lookalike(uint32_t cp, char fw[2])
{
    switch (cp) {
    case 0x3000: case 0x00a0: return " ";
    case 0x201c: case 0x201d: case 0x300c: case 0x300d: return "\"";
    case 0x2018: case 0x2019: return "'";
    case 0x3001: return ",";
    case 0x3002: return ".";
    case 0x00d7: return "*";
    case 0x00f7: return "/";
    case 0x2212: case 0x2013: case 0x2014: return "-";
    case 0x2264: return "<=";
    case 0x2265: return ">=";
    case 0x2260: return "!=";
    case 0x3010: return "(";
    case 0x3011: return ")";
    }
    /* U+FF01..U+FF5E are full-width copies of ASCII '!'..'~'. */
    if (cp >= 0xff01 && cp <= 0xff5e) {
        fw[0] = (char)(cp - 0xfee0);
        fw[1] = '\0';
        return fw;
    }
    return NULL;
}

static int is_name_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_name_char(int c) { return is_name_start(c) || is_digit(c); }

static void lex_number(parser *p, token *t)
{
    const char *s = p->src;
    int i = t->off;
    while (is_digit(s[i]))
        i++;
    if (s[i] == '.' && is_digit(s[i + 1])) {
        i++;
        while (is_digit(s[i]))
            i++;
    }
    if ((s[i] == 'e' || s[i] == 'E') &&
        (is_digit(s[i + 1]) || ((s[i + 1] == '+' || s[i + 1] == '-') && is_digit(s[i + 2])))) {
        i += 2;
        while (is_digit(s[i]))
            i++;
    }
    /* "2x", "1.2.3", "1e": a number glued to more letters or digits. */
    if (is_name_char(s[i]) || s[i] == '.') {
        int e = i;
        while (is_name_char(s[e]) || s[e] == '.')
            e++;
        fail(p, t->off, "malformed number '%.*s'", e - t->off, s + t->off);
        return;
    }
    t->type = T_NUM;
    t->len = i - t->off;
    char *text = xstrndup(s + t->off, (size_t)t->len);
    t->num = strtod(text, NULL);
    free(text);
    if (!isfinite(t->num))
        fail(p, t->off, "number out of range '%.*s'", t->len, s + t->off);
}

static void lex_string(parser *p, token *t)
{
    const char *s = p->src;
    char q = s[t->off];
    int i = t->off + 1;
    while (i < p->n && s[i] != q)
        i++;
    if (i >= p->n) {
        fail(p, t->off, "unterminated string: the quote %c at column %d is never closed", q,
             column_of(p, t->off));
        return;
    }
    if (!utf8_valid(s + t->off + 1, (size_t)(i - t->off - 1))) {
        fail(p, t->off, "string is not valid UTF-8");
        return;
    }
    t->type = T_STR;
    t->len = i + 1 - t->off;
}

/* A character that cannot start a token. */
static void lex_bad_char(parser *p, int off)
{
    const unsigned char *s = (const unsigned char *)p->src + off;
    unsigned c = s[0];
    if (c < 0x80) {
        if (c == '!')
            fail(p, off, "unexpected character '!' (not equal is written !=)");
        else if (c == '&' || (c == '|' && s[1] == '|'))
            fail(p, off, "unexpected character '%c' (there are no logical operators; "
                         "use comparisons, min and max)", c);
        else if (c == '%')
            fail(p, off, "unexpected character '%%' (there is no percent operator; "
                         "multiply by 100)");
        else if (c >= 0x20 && c < 0x7f)
            fail(p, off, "unexpected character '%c'", c);
        else
            fail(p, off, "unexpected control character 0x%02X", c);
        return;
    }
    uint32_t cp;
    int len = utf8_decode(s, p->n - off, &cp);
    if (!len) {
        fail(p, off, "invalid UTF-8 byte 0x%02X", c);
        return;
    }
    char fw[2];
    const char *ascii = ascii_lookalike(cp, fw);
    if (ascii && ascii[0] == ' ')
        fail(p, off, "unexpected character '%.*s' (U+%04X, a full-width or non-breaking space); "
                     "use an ASCII space", len, (const char *)s, (unsigned)cp);
    else if (ascii)
        fail(p, off, "unexpected character '%.*s' (U+%04X); use the ASCII '%s' instead", len,
             (const char *)s, (unsigned)cp, ascii);
    else
        fail(p, off, "unexpected character '%.*s' (U+%04X); outside quotes a formula is ASCII: "
                     "names like ps_deaths, with Chinese only in quoted filter values",
             len, (const char *)s, (unsigned)cp);
}

/* Lex the token at p->pos into p->cur; on error p->failed is set. */
static void lex(parser *p)
{
    const char *s = p->src;
    int i = p->pos;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ||
           s[i] == '\v')
        i++;
    token *t = &p->cur;
    memset(t, 0, sizeof *t);
    t->off = i;
    t->len = 1;
    int c = (unsigned char)s[i], c1 = c ? (unsigned char)s[i + 1] : 0;
    switch (c) {
    case '\0': t->type = T_END; t->len = 0; break;
    case '(': t->type = T_LPAREN; break;
    case ')': t->type = T_RPAREN; break;
    case '{': t->type = T_LBRACE; break;
    case '}': t->type = T_RBRACE; break;
    case ',': t->type = T_COMMA; break;
    case '+': t->type = T_PLUS; break;
    case '-': t->type = T_MINUS; break;
    case '*': t->type = T_STAR; break;
    case '/': t->type = T_SLASH; break;
    case '<': t->type = c1 == '=' ? T_LE : T_LT; break;
    case '>': t->type = c1 == '=' ? T_GE : T_GT; break;
    case '=': t->type = c1 == '=' ? T_EQ : T_ASSIGN; break;
    case '!':
        if (c1 == '=')
            t->type = T_NE;
        else
            lex_bad_char(p, i);
        break;
    case '|':
        if (c1 == '|')
            lex_bad_char(p, i);
        else
            t->type = T_PIPE;
        break;
    case '"': case '\'': lex_string(p, t); break;
    default:
        if (is_digit(c) || (c == '.' && is_digit(c1))) {
            lex_number(p, t);
        } else if (is_name_start(c)) {
            int e = i;
            while (is_name_char(s[e]))
                e++;
            t->type = T_NAME;
            t->len = e - i;
        } else {
            lex_bad_char(p, i);
        }
    }
    if (t->type == T_LE || t->type == T_GE || t->type == T_EQ || t->type == T_NE)
        t->len = 2;
    p->pos = t->off + t->len;
}

/* Consume the current token. Returns 0, or -1 if the next one is bad. */
static int advance(parser *p)
{
    p->prev = p->cur;
    p->prev_set = 1;
    lex(p);
    return p->failed ? -1 : 0;
}

/* "name 'gdp'", "number 3", "')'", "end of formula": for messages. */
static void describe(const parser *p, const token *t, char *buf, size_t size)
{
    const char *text = p->src + t->off;
    int n = clip_utf8(text, t->len, 60);
    const char *more = n < t->len ? "..." : "";
    switch (t->type) {
    case T_END: snprintf(buf, size, "end of formula"); break;
    case T_NAME: snprintf(buf, size, "name '%.*s%s'", n, text, more); break;
    case T_NUM: snprintf(buf, size, "number %.*s%s", n, text, more); break;
    case T_STR: snprintf(buf, size, "string %.*s%s", n, text, more); break;
    default: snprintf(buf, size, "'%s'", tok_text[t->type]); break;
    }
}

static int expect(parser *p, tok_type type, const char *what)
{
    if (p->cur.type == type)
        return advance(p);
    char found[160];
    describe(p, &p->cur, found, sizeof found);
    fail(p, p->cur.off, "expected %s, found %s", what, found);
    return -1;
}

/* ---------- building nodes ---------- */

static node *new_node(node_kind kind, int off)
{
    node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->off = off;
    n->height = 1;
    return n;
}

/*
 * Give n its children; refuses (freeing n) a tree too tall to walk safely,
 * blaming the operator at err_off.
 */
static node *set_args(parser *p, node *n, node **args, int nargs, int err_off)
{
    n->args = args;
    n->nargs = nargs;
    for (int i = 0; i < nargs; i++)
        if (args[i]->height + 1 > n->height)
            n->height = args[i]->height + 1;
    if (n->height > MAX_HEIGHT) {
        fail(p, err_off, "formula too complex (more than %d nested operations)", MAX_HEIGHT);
        node_free(n);
        return NULL;
    }
    return n;
}

static node *new_unary(parser *p, node_kind kind, int off, node *a)
{
    node **args = xmalloc(sizeof *args);
    args[0] = a;
    return set_args(p, new_node(kind, off), args, 1, off);
}

static node *new_binary(parser *p, tok_type op, int off, node *a, node *b)
{
    node **args = xmalloc(2 * sizeof *args);
    args[0] = a;
    args[1] = b;
    node *n = new_node(N_BIN, a->off);
    n->op = op;
    return set_args(p, n, args, 2, off);
}

/* ---------- parser ---------- */

static node *parse_expr(parser *p);

/*
 * Every construct that makes the parser recurse ("(", "-", a call) enters
 * one level; the limit turns a stack overflow into an error.
 */
static int enter(parser *p, int off)
{
    if (++p->depth > MAX_NESTING) {
        p->depth--;
        fail(p, off, "formula nested too deeply (more than %d levels)", MAX_NESTING);
        return -1;
    }
    return 0;
}

static void leave(parser *p) { p->depth--; }

/* Is the name that of a function, and which? */
static int find_func(const char *name, int len)
{
    for (int i = 0; i < F_NFUNCS; i++)
        if ((int)strlen(funcs[i].name) == len && memcmp(funcs[i].name, name, (size_t)len) == 0)
            return i;
    return -1;
}

static const char *kind_name(ref_kind k)
{
    return k == REF_PARAM ? "a parameter" : k == REF_SPECIAL ? "a special name" : "a variable";
}

static int resolve(parser *p, const char *name, ref_kind *kind, int *id)
{
    if (!p->env || !p->env->resolve)
        return -1;
    return p->env->resolve(p->env->ctx, name, kind, id);
}

/* filter := "{" dim "=" STRING { "|" STRING } { "," dim "=" ... } "}" */
static int parse_filter(parser *p, int var_id, formula_filter **out, int *nout)
{
    formula_filter *fl = NULL;
    size_t cap = 0;
    int n = 0, open = p->cur.off;
    if (advance(p) < 0)
        goto fail;
    for (;;) {
        if (p->cur.type == T_END) {
            fail(p, p->cur.off, "unbalanced brace: '{' at column %d is never closed",
                 column_of(p, open));
            goto fail;
        }
        if (p->cur.type != T_NAME) {
            char found[160];
            describe(p, &p->cur, found, sizeof found);
            fail(p, p->cur.off, "expected a dimension name in the filter, found %s", found);
            goto fail;
        }
        char *dim = xstrndup(p->src + p->cur.off, (size_t)p->cur.len);
        for (int i = 0; i < n; i++)
            if (strcmp(fl[i].dim, dim) == 0) {
                fail(p, p->cur.off,
                     "dimension '%s' appears twice in the filter; list alternatives with '|', "
                     "e.g. %s=\"a\"|\"b\"",
                     dim, dim);
                free(dim);
                goto fail;
            }
        /* An unknown dimension is reported at its name, not at its value. */
        if (p->env && p->env->check_filter) {
            char msg[400] = "";
            if (p->env->check_filter(p->env->ctx, var_id, dim, NULL, msg, sizeof msg) != 0) {
                fail(p, p->cur.off, "%s", msg[0] ? msg : "unknown dimension");
                free(dim);
                goto fail;
            }
        }
        formula_filter *ff = ARRAY_PUSH(fl, n, cap);
        ff->dim = dim;
        ff->values = NULL;
        ff->nvalues = 0;
        size_t vcap = 0;
        if (advance(p) < 0 || expect(p, T_ASSIGN, "'=' after the dimension name") < 0)
            goto fail;
        for (;;) {
            if (p->cur.type != T_STR) {
                char found[160];
                describe(p, &p->cur, found, sizeof found);
                fail(p, p->cur.off, "expected a quoted value after '%s' in the filter, found %s",
                     tok_text[p->prev.type], found);
                goto fail;
            }
            char *v = xstrndup(p->src + p->cur.off + 1, (size_t)p->cur.len - 2);
            *ARRAY_PUSH(ff->values, ff->nvalues, vcap) = v;
            if (p->env && p->env->check_filter) {
                char msg[400] = "";
                if (p->env->check_filter(p->env->ctx, var_id, dim, v, msg, sizeof msg) != 0) {
                    if (msg[0])
                        fail(p, p->cur.off, "%s", msg);
                    else
                        fail(p, p->cur.off, "invalid filter %s=\"%s\"", dim, v);
                    goto fail;
                }
            }
            if (advance(p) < 0)
                goto fail;
            if (p->cur.type != T_PIPE)
                break;
            if (advance(p) < 0)
                goto fail;
        }
        if (p->cur.type == T_RBRACE)
            break;
        if (p->cur.type == T_COMMA) {
            if (advance(p) < 0)
                goto fail;
            continue;
        }
        if (p->cur.type == T_END) {
            fail(p, p->cur.off, "unbalanced brace: '{' at column %d is never closed",
                 column_of(p, open));
        } else {
            char found[160];
            describe(p, &p->cur, found, sizeof found);
            fail(p, p->cur.off, "expected ',', '|' or '}' in the filter, found %s", found);
        }
        goto fail;
    }
    if (advance(p) < 0)
        goto fail;
    *out = fl;
    *nout = n;
    return 0;
fail:
    filters_free(fl, n);
    return -1;
}

/* NAME [ filter ], not followed by "(": a reference bound through env. */
static node *parse_ref(parser *p, const token *name_tok)
{
    char *name = xstrndup(p->src + name_tok->off, (size_t)name_tok->len);
    ref_kind kind = REF_VARIABLE;
    int id = 0;
    if (resolve(p, name, &kind, &id) != 0) {
        char sugg[256] = "";
        if (p->env && p->env->suggest)
            p->env->suggest(p->env->ctx, name, sugg, sizeof sugg);
        if (sugg[0])
            fail(p, name_tok->off, "unknown name '%s' (did you mean %s?)", name, sugg);
        else if (find_func(name, name_tok->len) >= 0)
            fail(p, name_tok->off, "unknown name '%s' (%s is a function: write %s)", name, name,
                 funcs[find_func(name, name_tok->len)].usage);
        else
            fail(p, name_tok->off, "unknown name '%s'", name);
        free(name);
        return NULL;
    }
    formula_filter *fl = NULL;
    int nf = 0;
    if (p->cur.type == T_LBRACE) {
        if (kind != REF_VARIABLE) {
            fail(p, p->cur.off, "a filter {...} can only follow a variable; '%s' is %s", name,
                 kind_name(kind));
            free(name);
            return NULL;
        }
        if (parse_filter(p, id, &fl, &nf) < 0) {
            free(name);
            return NULL;
        }
    }
    free(name);
    formula *f = p->f;
    formula_ref *r = ARRAY_PUSH(f->refs, f->nrefs, f->refcap);
    r->kind = kind;
    r->id = id;
    r->filters = fl;
    r->nfilters = nf;
    node *n = new_node(N_REF, name_tok->off);
    n->ref = f->nrefs - 1;
    return n;
}

/* Report an unknown function, with the nearest known ones. */
static void unknown_function(parser *p, const token *name_tok)
{
    char *name = xstrndup(p->src + name_tok->off, (size_t)name_tok->len);
    strbuf near;
    sb_init(&near);
    for (int i = 0; i < F_NFUNCS; i++)
        if (utf8_edit_distance(name, funcs[i].name, 2) <= 2) {
            if (near.len)
                sb_add(&near, ", ");
            sb_add(&near, funcs[i].name);
        }
    ref_kind kind;
    int id;
    if (near.len) {
        fail(p, name_tok->off, "unknown function '%s' (did you mean %s?)", name, near.s);
    } else if (resolve(p, name, &kind, &id) == 0) {
        /* e.g. gdp(2019): a value of another year is prev/lag. */
        fail(p, name_tok->off,
             "unknown function '%s': '%s' is %s, not a function (for earlier years use "
             "prev(%s) or lag(%s, k))",
             name, name, kind_name(kind), name, name);
    } else {
        strbuf all;
        sb_init(&all);
        for (int i = 0; i < F_NFUNCS; i++)
            sb_printf(&all, "%s%s", i ? ", " : "", funcs[i].name);
        fail(p, name_tok->off, "unknown function '%s' (functions are: %s)", name, all.s);
        sb_free(&all);
    }
    sb_free(&near);
    free(name);
}

/* Check the shape of a call's arguments once they are parsed. */
static int check_call(parser *p, node *call, const token *name_tok)
{
    const struct func_def *fd = &funcs[call->fn];
    int n = call->nargs;
    if (n < fd->min_args || (fd->max_args >= 0 && n > fd->max_args)) {
        if (fd->max_args < 0)
            fail(p, name_tok->off, "%s takes at least %d arguments (%s), got %d", fd->name,
                 fd->min_args, fd->usage, n);
        else
            fail(p, name_tok->off, "%s takes %d argument%s (%s), got %d", fd->name,
                 fd->min_args, fd->min_args == 1 ? "" : "s", fd->usage, n);
        return -1;
    }
    if (call->fn == F_LAG) {
        const node *k = call->args[1];
        if (k->kind != N_NUM || k->num != floor(k->num) || k->num > MAX_LAG) {
            fail(p, k->off,
                 "the second argument of lag must be a whole number of years from 0 to %d, "
                 "written as a number, e.g. lag(gdp, 2)",
                 MAX_LAG);
            return -1;
        }
        call->lag = (int)k->num;
    }
    const node *a = n ? call->args[0] : NULL;
    if (fd->row == ROW_REF &&
        !(a->kind == N_REF && p->f->refs[a->ref].kind == REF_VARIABLE)) {
        fail(p, a->off, "%s needs a variable, optionally filtered, e.g. %s(response_hours{...})",
             fd->name, fd->name);
        return -1;
    }
    if (fd->row == ROW_CMP &&
        !(a->kind == N_BIN && is_cmp(a->op) && a->args[0]->kind == N_REF &&
          p->f->refs[a->args[0]->ref].kind == REF_VARIABLE)) {
        fail(p, a->off,
             "%s needs a comparison whose left side is a variable, e.g. "
             "%s(response_hours{...} <= 10)",
             fd->name, fd->name);
        return -1;
    }
    return 0;
}

/* NAME "(" args ")", the name already consumed and cur at "(". */
static node *parse_call(parser *p, const token *name_tok)
{
    int fn = find_func(p->src + name_tok->off, name_tok->len);
    if (fn < 0) {
        unknown_function(p, name_tok);
        return NULL;
    }
    node *call = new_node(N_CALL, name_tok->off);
    call->fn = (func_id)fn;
    node **args = NULL;
    size_t cap = 0;
    int nargs = 0, open = p->cur.off;
    if (advance(p) < 0)
        goto fail;
    if (p->cur.type != T_RPAREN) {
        for (;;) {
            node *a = parse_expr(p);
            if (!a)
                goto fail;
            *ARRAY_PUSH(args, nargs, cap) = a;
            if (p->cur.type != T_COMMA)
                break;
            if (advance(p) < 0)
                goto fail;
        }
    }
    if (p->cur.type != T_RPAREN) {
        char found[160];
        describe(p, &p->cur, found, sizeof found);
        if (p->cur.type == T_END)
            fail(p, p->cur.off, "unbalanced parenthesis: '(' at column %d is never closed",
                 column_of(p, open));
        else
            fail(p, p->cur.off, "expected ',' or ')' in the arguments of %s, found %s",
                 funcs[fn].name, found);
        goto fail;
    }
    if (advance(p) < 0)
        goto fail;
    call = set_args(p, call, args, nargs, name_tok->off);
    if (!call)
        return NULL;
    if (check_call(p, call, name_tok) < 0) {
        node_free(call);
        return NULL;
    }
    return call;
fail:
    for (int i = 0; i < nargs; i++)
        node_free(args[i]);
    free(args);
    node_free(call);
    return NULL;
}

/* "(" expr ")", cur at "(". */
static node *parse_paren(parser *p)
{
    token open = p->cur;
    if (advance(p) < 0)
        return NULL;
    node *n = parse_expr(p);
    if (!n)
        return NULL;
    if (p->cur.type != T_RPAREN) {
        char found[160];
        describe(p, &p->cur, found, sizeof found);
        if (p->cur.type == T_END)
            fail(p, p->cur.off, "unbalanced parenthesis: '(' at column %d is never closed",
                 column_of(p, open.off));
        else
            fail(p, p->cur.off, "expected ')' to close '(' at column %d, found %s",
                 column_of(p, open.off), found);
        node_free(n);
        return NULL;
    }
    if (advance(p) < 0) {
        node_free(n);
        return NULL;
    }
    return n;
}

/* Why there is no operand where one must be. */
static void no_operand(parser *p)
{
    const token *t = &p->cur;
    char found[160];
    describe(p, t, found, sizeof found);
    if (t->type == T_END && !p->prev_set)
        fail(p, 0, "empty formula");
    else if (t->type == T_RPAREN && !p->prev_set)
        fail(p, t->off, "unexpected ')': there is no '(' to close");
    else if (!p->prev_set)
        fail(p, t->off, "expected an operand, found %s", found);
    else if (t->type == T_END)
        fail(p, t->off, "expected an operand after '%.*s'", p->prev.len, p->src + p->prev.off);
    else
        fail(p, t->off, "expected an operand after '%.*s', found %s", p->prev.len,
             p->src + p->prev.off, found);
}

/* primary := NUMBER | "(" expr ")" | NAME [ filter ] | NAME "(" args ")" */
static node *parse_primary(parser *p)
{
    token t = p->cur;
    node *n = NULL;
    switch (t.type) {
    case T_NUM:
        n = new_node(N_NUM, t.off);
        n->num = t.num;
        if (advance(p) < 0) {
            node_free(n);
            return NULL;
        }
        return n;
    case T_NAME:
        /* A call or a reference, by what follows the name. */
        if (advance(p) < 0)
            return NULL;
        if (p->cur.type != T_LPAREN)
            return parse_ref(p, &t);
        if (enter(p, t.off) < 0)
            return NULL;
        n = parse_call(p, &t);
        leave(p);
        return n;
    case T_LPAREN:
        if (enter(p, t.off) < 0)
            return NULL;
        n = parse_paren(p);
        leave(p);
        return n;
    default:
        no_operand(p);
        return NULL;
    }
}

/* unary := "-" unary | primary */
static node *parse_unary(parser *p)
{
    if (p->cur.type != T_MINUS)
        return parse_primary(p);
    int off = p->cur.off;
    if (enter(p, off) < 0)
        return NULL;
    node *n = advance(p) < 0 ? NULL : parse_unary(p);
    leave(p);
    return n ? new_unary(p, N_NEG, off, n) : NULL;
}

/* Left-associative chain of binary operators between operands. */
static node *parse_chain(parser *p, node *(*operand)(parser *), tok_type op1, tok_type op2)
{
    node *left = operand(p);
    while (left && (p->cur.type == op1 || p->cur.type == op2)) {
        token op = p->cur;
        if (advance(p) < 0) {
            node_free(left);
            return NULL;
        }
        node *right = operand(p);
        if (!right) {
            node_free(left);
            return NULL;
        }
        left = new_binary(p, op.type, op.off, left, right);
    }
    return left;
}

static node *parse_product(parser *p) { return parse_chain(p, parse_unary, T_STAR, T_SLASH); }
static node *parse_sum(parser *p) { return parse_chain(p, parse_product, T_PLUS, T_MINUS); }

/* cmp := sum [ OP sum ]: comparisons do not chain. */
static node *parse_cmp(parser *p)
{
    node *left = parse_sum(p);
    if (!left)
        return NULL;
    if (p->cur.type == T_ASSIGN) {
        fail(p, p->cur.off, "'=' is not a comparison: write '==' ('=' belongs in filters)");
        node_free(left);
        return NULL;
    }
    if (!is_cmp(p->cur.type))
        return left;
    token op = p->cur;
    if (advance(p) < 0) {
        node_free(left);
        return NULL;
    }
    node *right = parse_sum(p);
    if (!right) {
        node_free(left);
        return NULL;
    }
    node *n = new_binary(p, op.type, op.off, left, right);
    if (n && is_cmp(p->cur.type)) {
        fail(p, p->cur.off, "comparisons cannot be chained; use parentheses, "
                            "e.g. (a < b) == 1");
        node_free(n);
        return NULL;
    }
    return n;
}

static node *parse_expr(parser *p) { return parse_cmp(p); }

formula *formula_parse(const char *src, const formula_env *env, formula_error *err)
{
    formula_error dummy;
    if (!err)
        err = &dummy;
    memset(err, 0, sizeof *err);
    if (!src)
        src = "";
    size_t len = strlen(src);
    parser p;
    memset(&p, 0, sizeof p);
    p.src = src;
    /* Offsets are ints; a formula is a line of YAML, so this is no limit. */
    p.n = len > INT32_MAX / 2 ? INT32_MAX / 2 : (int)len;
    p.env = env;
    p.err = err;
    p.f = xcalloc(1, sizeof *p.f);
    lex(&p);
    node *root = p.failed ? NULL : parse_expr(&p);
    if (root && p.cur.type != T_END) {
        char found[160];
        describe(&p, &p.cur, found, sizeof found);
        if (p.cur.type == T_RPAREN)
            fail(&p, p.cur.off, "unexpected ')': there is no '(' to close");
        else if (p.cur.type == T_PIPE)
            fail(&p, p.cur.off, "unexpected '|': alternatives are only allowed inside a filter "
                                "{dim=\"a\"|\"b\"}");
        else if (p.cur.type == T_LBRACE)
            fail(&p, p.cur.off, "unexpected '{': a filter can only follow a variable name");
        else
            fail(&p, p.cur.off, "trailing input after expression: %s (missing operator?)", found);
    }
    if (p.failed) {
        node_free(root);
        formula_free(p.f);
        return NULL;
    }
    p.f->root = root;
    return p.f;
}

/* ---------- references ---------- */

int formula_refs(const formula *f, const formula_ref **refs)
{
    if (!f) {
        *refs = NULL;
        return 0;
    }
    *refs = f->refs;
    return f->nrefs;
}

int formula_is_single_ref(const formula *f, formula_ref *out)
{
    if (!f || !f->root || f->root->kind != N_REF || f->refs[f->root->ref].kind != REF_VARIABLE)
        return 0;
    if (out)
        *out = f->refs[f->root->ref];
    return 1;
}

/*
 * If f is exactly count(v) or count_if(v OP e), return 1 and v's ref: the
 * figure is a number of rows (events), whatever v itself measures.
 */
int formula_is_row_count(const formula *f, formula_ref *out)
{
    if (!f || !f->root || f->root->kind != N_CALL ||
        (f->root->fn != F_COUNT && f->root->fn != F_COUNT_IF))
        return 0;
    const node *a = f->root->args[0];
    if (a->kind == N_BIN)
        a = a->args[0]; /* count_if's comparison: its left side is the row variable */
    if (a->kind != N_REF)
        return 0;
    if (out)
        *out = f->refs[a->ref];
    return 1;
}

/* ---------- evaluation ---------- */

typedef struct evaluator {
    const formula *f;
    const formula_data *data;
} evaluator;

static fvalue eval(const evaluator *ev, const node *n, int year);

/* MISSING dominates UNDEFINED; the result of an OK computation must be finite. */
static fvalue combine(fvalue a, fvalue b)
{
    if (a.state == FV_MISSING || b.state == FV_MISSING)
        return fv_missing();
    return fv_undefined();
}

static fvalue ok_finite(double v) { return isfinite(v) ? fv_ok(v) : fv_undefined(); }

static fvalue eval_binary(tok_type op, fvalue a, fvalue b)
{
    if (a.state != FV_OK || b.state != FV_OK)
        return combine(a, b);
    switch (op) {
    case T_PLUS: return ok_finite(a.v + b.v);
    case T_MINUS: return ok_finite(a.v - b.v);
    case T_STAR: return ok_finite(a.v * b.v);
    case T_SLASH: return b.v == 0 ? fv_undefined() : ok_finite(a.v / b.v);
    case T_LT: return fv_ok(a.v < b.v);
    case T_LE: return fv_ok(a.v <= b.v);
    case T_GT: return fv_ok(a.v > b.v);
    case T_GE: return fv_ok(a.v >= b.v);
    case T_EQ: return fv_ok(a.v == b.v);
    case T_NE: return fv_ok(a.v != b.v);
    default: return fv_undefined();
    }
}

static fvalue eval_ref(const evaluator *ev, const formula_ref *r, int year)
{
    const formula_data *d = ev->data;
    switch (r->kind) {
    case REF_VARIABLE:
        return d->variable ? d->variable(d->ctx, r->id, r->filters, r->nfilters, year)
                           : fv_missing();
    case REF_PARAM: return d->param ? d->param(d->ctx, r->id, year) : fv_missing();
    case REF_SPECIAL: return d->special ? d->special(d->ctx, r->id, year) : fv_missing();
    }
    return fv_missing();
}

/* A bound of sum_years/mean_years: a whole year, else the range is unusable. */
static fvalue year_bound(fvalue v)
{
    if (v.state == FV_OK && (v.v != floor(v.v) || fabs(v.v) > 1e6))
        return fv_missing();
    return v;
}

/*
 * Years the sum_years/mean_years being evaluated visit, multiplied along
 * their nesting: sum_years(sum_years(sum_years(x, ...), ...), ...) over
 * 1000 years each would be 10^9 evaluations. Nested ranges share the one
 * MAX_YEAR_SPAN budget. It is a thread-local rather than a field of the
 * evaluator so that it also covers ranges in parameters, whose formulas
 * the caller evaluates from inside this evaluation (the param callback).
 */
static _Thread_local long range_years = 1;

static fvalue eval_years(const evaluator *ev, const node *n, int year, int mean)
{
    fvalue a = year_bound(eval(ev, n->args[1], year));
    fvalue b = year_bound(eval(ev, n->args[2], year));
    if (a.state != FV_OK || b.state != FV_OK)
        return combine(a, b);
    if (a.v > b.v)
        return fv_undefined();
    /* A mistaken bound (say 0) must not turn into a loop over millennia,
     * nor may nested ranges multiply into one. */
    long span = (long)(b.v - a.v) + 1;
    if (span > MAX_YEAR_SPAN || range_years * span > MAX_YEAR_SPAN)
        return fv_missing();
    long outer = range_years;
    range_years = outer * span;
    double sum = 0;
    int ndef = 0, missing = 0;
    for (int y = (int)a.v; y <= (int)b.v && !missing; y++) {
        fvalue v = eval(ev, n->args[0], y);
        if (v.state == FV_MISSING) {
            missing = 1;
        } else if (v.state == FV_OK) {
            sum += v.v;
            ndef++;
        }
    }
    range_years = outer;
    if (missing)
        return fv_missing();
    if (!ndef)
        return fv_undefined();
    return ok_finite(mean ? sum / ndef : sum);
}

static fvalue eval_minmax(const evaluator *ev, const node *n, int year, int is_max)
{
    fvalue best = fv_ok(0);
    int missing = 0, undefined = 0, have = 0;
    for (int i = 0; i < n->nargs; i++) {
        fvalue v = eval(ev, n->args[i], year);
        if (v.state == FV_MISSING)
            missing = 1;
        else if (v.state == FV_UNDEFINED)
            undefined = 1;
        else if (!have++ || (is_max ? v.v > best.v : v.v < best.v))
            best = v;
    }
    return missing ? fv_missing() : undefined ? fv_undefined() : best;
}

/* What the row callback accumulates. */
typedef struct row_acc {
    int rows, hits, nok;
    int missing, undefined;
    int has_cmp;
    tok_type op;
    double rhs;
    double lo, hi;
} row_acc;

static void each_row(void *acc, fvalue v)
{
    row_acc *a = acc;
    if (v.state == FV_MISSING) {
        a->missing = 1;
    } else if (v.state == FV_UNDEFINED) {
        a->undefined = 1;
    } else {
        if (!a->nok || v.v < a->lo)
            a->lo = v.v;
        if (!a->nok || v.v > a->hi)
            a->hi = v.v;
        a->nok++;
        if (a->has_cmp && eval_binary(a->op, v, fv_ok(a->rhs)).v != 0)
            a->hits++;
    }
    a->rows++;
}

static fvalue eval_rows(const evaluator *ev, const node *n, int year)
{
    const node *arg = n->args[0];
    const node *refn = arg->kind == N_REF ? arg : arg->args[0];
    const formula_ref *r = &ev->f->refs[refn->ref];
    row_acc acc;
    memset(&acc, 0, sizeof acc);
    fvalue rhs = fv_ok(0);
    if (arg->kind == N_BIN) {
        /* The right side is the same for every row: evaluate it once. */
        rhs = eval(ev, arg->args[1], year);
        acc.has_cmp = 1;
        acc.op = arg->op;
        acc.rhs = rhs.v;
    }
    if (!ev->data->rows)
        return fv_missing();
    int visited = ev->data->rows(ev->data->ctx, r->id, r->filters, r->nfilters, year, each_row,
                                 &acc);
    /* A negative count is how a data source says the year has no data. */
    if (visited < 0)
        return fv_missing();
    switch (n->fn) {
    case F_COUNT:
        return fv_ok(acc.rows);
    case F_COUNT_IF:
    case F_SHARE:
        if (acc.missing || rhs.state == FV_MISSING)
            return fv_missing();
        if (n->fn == F_SHARE && acc.rows == 0)
            return fv_undefined();
        if (acc.undefined || rhs.state == FV_UNDEFINED)
            return fv_undefined();
        return n->fn == F_SHARE ? fv_ok(100.0 * acc.hits / acc.rows) : fv_ok(acc.hits);
    default: /* F_MAX_ROW, F_MIN_ROW */
        if (acc.missing)
            return fv_missing();
        if (acc.rows == 0 || acc.undefined)
            return fv_undefined();
        return fv_ok(n->fn == F_MAX_ROW ? acc.hi : acc.lo);
    }
}

/* year - k without overflow; INT_MIN years do not exist anyway. */
static int years_back(int year, int k, int *out)
{
    if (year < INT_MIN + k)
        return -1;
    *out = year - k;
    return 0;
}

static fvalue eval_call(const evaluator *ev, const node *n, int year)
{
    int y;
    switch (n->fn) {
    case F_PREV:
        return years_back(year, 1, &y) ? fv_missing() : eval(ev, n->args[0], y);
    case F_LAG:
        return years_back(year, n->lag, &y) ? fv_missing() : eval(ev, n->args[0], y);
    case F_SUM_YEARS: return eval_years(ev, n, year, 0);
    case F_MEAN_YEARS: return eval_years(ev, n, year, 1);
    case F_MIN: return eval_minmax(ev, n, year, 0);
    case F_MAX: return eval_minmax(ev, n, year, 1);
    case F_ABS: {
        fvalue v = eval(ev, n->args[0], year);
        return v.state == FV_OK ? fv_ok(fabs(v.v)) : v;
    }
    case F_COUNT:
    case F_COUNT_IF:
    case F_SHARE:
    case F_MAX_ROW:
    case F_MIN_ROW:
        return eval_rows(ev, n, year);
    case F_NFUNCS: break;
    }
    return fv_undefined();
}

static fvalue eval(const evaluator *ev, const node *n, int year)
{
    switch (n->kind) {
    case N_NUM: return fv_ok(n->num);
    case N_REF: return eval_ref(ev, &ev->f->refs[n->ref], year);
    case N_NEG: {
        fvalue v = eval(ev, n->args[0], year);
        return v.state == FV_OK ? fv_ok(-v.v) : v;
    }
    case N_BIN:
        return eval_binary(n->op, eval(ev, n->args[0], year), eval(ev, n->args[1], year));
    case N_CALL: return eval_call(ev, n, year);
    }
    return fv_undefined();
}

fvalue formula_eval(const formula *f, int year, const formula_data *data)
{
    if (!f || !f->root || !data)
        return fv_missing();
    evaluator ev = {f, data};
    return eval(&ev, f->root, year);
}

/* ---------- printing as a spreadsheet formula ---------- */

typedef struct printer {
    const formula *f;
    formula_ref_text ref_text;
    void *ctx;
    strbuf out;
    int failed;
} printer;

/* Binding strength in the spreadsheet syntax (the same order as ours). */
static int print_prec(const node *n)
{
    if (n->kind == N_BIN) {
        if (is_cmp(n->op))
            return 5; /* printed as IF(...): a primary */
        return n->op == T_PLUS || n->op == T_MINUS ? 1 : 2;
    }
    return n->kind == N_NEG ? 3 : 5;
}

static void print_node(printer *p, const node *n, int back);

/* n, in parentheses when it binds less tightly than min_prec. */
static void print_operand(printer *p, const node *n, int back, int min_prec)
{
    int paren = print_prec(n) < min_prec;
    if (paren)
        sb_addc(&p->out, '(');
    print_node(p, n, back);
    if (paren)
        sb_addc(&p->out, ')');
}

/* Walk without printing: so that ref_text still sees the references. */
static void print_args(printer *p, const node *n, int back, const char *name)
{
    sb_add(&p->out, name);
    sb_addc(&p->out, '(');
    for (int i = 0; i < n->nargs; i++) {
        if (i)
            sb_addc(&p->out, ',');
        print_node(p, n->args[i], back);
    }
    sb_addc(&p->out, ')');
}

static void print_node(printer *p, const node *n, int back)
{
    char buf[512];
    switch (n->kind) {
    case N_NUM:
        sb_add(&p->out, format_number(n->num, buf));
        return;
    case N_REF:
        buf[0] = '\0';
        if (p->ref_text(p->ctx, &p->f->refs[n->ref], back, buf, sizeof buf) != 0)
            p->failed = 1;
        sb_add(&p->out, buf);
        return;
    case N_NEG:
        sb_addc(&p->out, '-');
        print_operand(p, n->args[0], back, 3);
        return;
    case N_BIN:
        if (is_cmp(n->op)) {
            /* A comparison is 1 or 0 here, TRUE or FALSE in a spreadsheet. */
            static const char *const ops[] = {
                [T_LT] = "<", [T_LE] = "<=", [T_GT] = ">", [T_GE] = ">=", [T_EQ] = "=",
                [T_NE] = "<>",
            };
            sb_add(&p->out, "IF(");
            print_node(p, n->args[0], back);
            sb_add(&p->out, ops[n->op]);
            print_node(p, n->args[1], back);
            sb_add(&p->out, ",1,0)");
            return;
        }
        {
            int prec = print_prec(n);
            print_operand(p, n->args[0], back, prec);
            sb_add(&p->out, tok_text[n->op]);
            /* a-(b-c), a/(b*c): the right side keeps its parentheses, and so
             * does a+(b+c), so that the sums run in our order. */
            print_operand(p, n->args[1], back, prec + 1);
        }
        return;
    case N_CALL:
        switch (n->fn) {
        case F_PREV:
            print_node(p, n->args[0], back + 1);
            return;
        case F_LAG:
            print_node(p, n->args[0], back + n->lag);
            return;
        case F_MIN: print_args(p, n, back, "MIN"); return;
        case F_MAX: print_args(p, n, back, "MAX"); return;
        case F_ABS: print_args(p, n, back, "ABS"); return;
        case F_SUM_YEARS:
        case F_MEAN_YEARS:
            /* A range of years: no single-cell equivalent. */
            p->failed = 1;
            print_args(p, n, back, funcs[n->fn].name);
            return;
        default:
            /* Row functions read rows, not yearly values: their references
             * are not passed to ref_text. */
            p->failed = 1;
            return;
        }
    }
}

int formula_print(const formula *f, formula_ref_text ref_text, void *ctx, char **out)
{
    *out = NULL;
    if (!f || !f->root || !ref_text)
        return -1;
    printer p = {f, ref_text, ctx, {0}, 0};
    sb_init(&p.out);
    print_node(&p, f->root, 0);
    if (p.failed) {
        sb_free(&p.out);
        return -1;
    }
    *out = sb_take(&p.out);
    return 0;
}
