/*
 * formula.h - the formula language of indicator definitions.
 *
 * A formula is arithmetic over named yearly variables and plan parameters:
 *
 *     ps_deaths / gdp
 *     ps_deaths{sector="道路交通"} / vehicles * 10000
 *     share(response_hours{milestone="基本生活救助"} <= relief_limit_hours)
 *     mean_years(ps_deaths, baseline_start, baseline_end)
 *
 * Grammar (lowest precedence first):
 *
 *   expr    := cmp
 *   cmp     := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]     (1 or 0)
 *   sum     := product { ("+" | "-") product }
 *   product := unary { ("*" | "/") unary }
 *   unary   := "-" unary | primary
 *   primary := NUMBER | "(" expr ")" | NAME [ filter ] | NAME "(" args ")"
 *   filter  := "{" dim "=" STRING { "|" STRING } { "," dim "=" STRING ... } "}"
 *   STRING  := "..." | '...'          (UTF-8; no escapes)
 *   NUMBER  := 12 | 0.5 | 1e4 | 2.5E-3
 *   NAME    := [A-Za-z_][A-Za-z0-9_]*
 *
 * Functions:
 *   prev(e)              e in the previous year
 *   lag(e, k)            e k years earlier (k an integer literal >= 0)
 *   sum_years(e, a, b)   sum of e over years a..b (a, b: expressions)
 *   mean_years(e, a, b)  mean of e over years a..b (undefined years skipped)
 *   min(a, b, ...)  max(a, b, ...)  abs(e)
 *   Row functions, over the rows of one table in the year (their first
 *   argument is a variable reference, optionally filtered, or a comparison
 *   whose left side is one):
 *   count(v)             number of rows
 *   count_if(v OP e)     number of rows whose value satisfies OP e
 *   share(v OP e)        100 * count_if / count; undefined when no rows
 *   max_row(v) min_row(v) largest / smallest row value; undefined when no rows
 *
 * Values carry a state: FV_OK, FV_MISSING (an input is missing: an empty
 * cell or a year without data) or FV_UNDEFINED (not applicable: a zero
 * denominator, no events). Arithmetic propagates MISSING first, then
 * UNDEFINED. Division by zero gives UNDEFINED, never inf or NaN.
 *
 * Evaluating a formula only reads data through the callbacks given: it has
 * no other side effects and can run nothing else.
 */
#ifndef PLANEVAL_FORMULA_H
#define PLANEVAL_FORMULA_H

#include <stddef.h>

typedef enum fv_state { FV_OK = 0, FV_MISSING, FV_UNDEFINED } fv_state;

typedef struct fvalue {
    double v;       /* meaningful only when state == FV_OK */
    fv_state state;
} fvalue;

static inline fvalue fv_ok(double v) { fvalue r = {v, FV_OK}; return r; }
static inline fvalue fv_missing(void) { fvalue r = {0, FV_MISSING}; return r; }
static inline fvalue fv_undefined(void) { fvalue r = {0, FV_UNDEFINED}; return r; }

/* What a NAME (not followed by "(") refers to; decided by the caller. */
typedef enum ref_kind {
    REF_VARIABLE, /* a data variable; may carry a filter */
    REF_PARAM,    /* a plan parameter (itself an expression) */
    REF_SPECIAL   /* year, window_start, ... : a number given by the caller */
} ref_kind;

/* One "dim = value | value" clause of a filter. Strings are owned by the formula. */
typedef struct formula_filter {
    char *dim;
    char **values;
    int nvalues;
} formula_filter;

/*
 * Name binding at parse time. resolve() returns 0 and fills kind and id for
 * a known name, -1 for an unknown one; then suggest() (may be NULL) writes
 * the nearest known names, e.g. "ps_deaths, nd_deaths", into buf.
 * check_filter() (may be NULL) returns 0 if dim=value is valid for the
 * variable (value NULL: only the dimension is checked), else -1 with a
 * message in msg.
 */
typedef struct formula_env {
    int (*resolve)(void *ctx, const char *name, ref_kind *kind, int *id);
    void (*suggest)(void *ctx, const char *name, char *buf, size_t bufsize);
    int (*check_filter)(void *ctx, int var_id, const char *dim, const char *value,
                        char *msg, size_t msgsize);
    void *ctx;
} formula_env;

typedef struct formula_error {
    int offset;     /* byte offset of the problem in the source */
    int column;     /* 1-based column in code points */
    char msg[512];  /* e.g. "unknown variable 'ps_death' (did you mean ps_deaths?)" */
} formula_error;

typedef struct formula formula; /* opaque */

/* Parse src. On error returns NULL and fills *err. */
formula *formula_parse(const char *src, const formula_env *env, formula_error *err);
void formula_free(formula *f);

/* A reference found in a formula: for dependency checks and explanations. */
typedef struct formula_ref {
    ref_kind kind;
    int id;
    const formula_filter *filters; /* owned by the formula */
    int nfilters;
} formula_ref;

/* All references in source order (duplicates included). Returns the count; *refs owned by f. */
int formula_refs(const formula *f, const formula_ref **refs);

/* If f is exactly one variable reference (maybe filtered), return 1 and its ref. */
int formula_is_single_ref(const formula *f, formula_ref *out);

/* If f is exactly count(v) or count_if(v OP e), return 1 and v's ref. */
int formula_is_row_count(const formula *f, formula_ref *out);

/* Data access during evaluation. */
typedef struct formula_data {
    /* Sum of variable var_id over the year's rows matching filters. */
    fvalue (*variable)(void *ctx, int var_id, const formula_filter *filters, int nfilters,
                       int year);
    /*
     * Visit each row of var_id in the year that matches filters: call
     * each(acc, value) per row. Returns the number of rows visited.
     */
    int (*rows)(void *ctx, int var_id, const formula_filter *filters, int nfilters, int year,
                void (*each)(void *acc, fvalue v), void *acc);
    /* Value of parameter id in the year (the caller evaluates its expression). */
    fvalue (*param)(void *ctx, int param_id, int year);
    /* Value of special name id in the year. */
    fvalue (*special)(void *ctx, int special_id, int year);
    void *ctx;
} formula_data;

fvalue formula_eval(const formula *f, int year, const formula_data *data);

/*
 * Printing a formula as a spreadsheet (Excel) formula, without the leading
 * "=": for audit trails that show where a figure comes from.
 *
 * ref_text(ctx, ref, back, buf, size) writes into buf the text standing for
 * reference ref read `back` years before the year the formula is printed
 * for (prev adds 1 to back, lag(e, k) adds k; a special name such as year
 * is a reference too) and returns 0, or -1 when it has none.
 *
 * + - * / and unary minus keep their meaning and order of evaluation;
 * comparisons become IF(a<b,1,0) (<> for !=); min, max and abs become MIN,
 * MAX and ABS. The caller handles what a spreadsheet does differently: a
 * blank cell reads as 0 (here MISSING), and x/0 is #DIV/0! (here UNDEFINED).
 *
 * Returns 0 with *out allocated (the caller frees it), or -1 with *out NULL
 * when f has no spreadsheet equivalent: a row function (count, count_if,
 * share, max_row, min_row), sum_years or mean_years, or a reference that
 * ref_text refused. The walk goes on after such a construct, so that
 * ref_text sees every reference read as a yearly value; references inside
 * row functions are never passed to it.
 */
typedef int (*formula_ref_text)(void *ctx, const formula_ref *ref, int back, char *buf,
                                size_t size);
int formula_print(const formula *f, formula_ref_text ref_text, void *ctx, char **out);

#endif
