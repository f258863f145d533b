/*
 * fuzz_formula.c - libFuzzer harness for the formula language.
 *
 * Input: the text of one formula (cut at the first NUL byte, as a YAML
 * scalar would be). Names are bound as plan.c binds them: the variables of
 * the real dictionary (with its filter checks and suggestions), the special
 * names, and the parameter names of the real catalogue and plans.
 *
 * A formula that parses is then
 *   - listed (formula_refs, formula_is_single_ref),
 *   - printed as a spreadsheet formula (formula_print),
 *   - evaluated for ordinary and extreme years, once on the real data of
 *     a sample region and once on synthetic data that returns zeros,
 *     negative and huge numbers, MISSING and UNDEFINED, and years without
 *     rows.
 *
 * Seeds: every formula, numerator, denominator, scale, parameter value and
 * exclude_when of indicators/NAME.yaml (mkseeds.sh, extract_formulas.c).
 * Dictionary: tests/fuzz/formula.dict.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "diag.h"
#include "formula.h"
#include "fuzz_common.h"
#include "plan.h"
#include "util.h"

static dictionary dict;
static symtab syms;
static catalogue cat;
static region_data *region;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    diag_list d = {0};
    char *p = fuzz_repo_path("data/variables");
    if (dictionary_load(&dict, p, &d) != 0)
        goto fail;
    free(p);
    p = fuzz_repo_path("indicators/catalogue.yaml");
    if (catalogue_load(&cat, p, &dict, &syms, &d) != 0)
        goto fail;
    free(p);
    /* The plans' parameter names, as a plan would add them. */
    static const char *const plans[] = {"qinan-2021-2025", "huantai-2021-2025",
                                        "shanting-2020-2030", "yanggu-em-2021-2025",
                                        "yanggu-sp-2021-2025"};
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        char *rel = xasprintf("indicators/%s.yaml", plans[i]);
        p = fuzz_repo_path(rel);
        free(rel);
        plan pl;
        model_env env = {&dict, &syms, &cat};
        if (plan_load(&pl, p, &env, &d) == 0)
            plan_free(&pl);
        free(p);
    }
    p = fuzz_repo_path("data/qinan");
    if (region_load(&region, &dict, p, &d) != 0)
        goto fail;
    free(p);
    diag_free(&d);
    return 0;
fail:
    diag_print(&d, stderr);
    fuzz_die("cannot load the real %s (run from the repository root or set PLANEVAL_ROOT)", p);
}

/* ---- binding, as plan.c does ---- */

static int env_resolve(void *ctx, const char *name, ref_kind *kind, int *id)
{
    (void)ctx;
    int v = dictionary_find_var(&dict, name);
    if (v >= 0) {
        *kind = REF_VARIABLE;
        *id = v;
        return 0;
    }
    for (int i = 0; i < SP_COUNT; i++)
        if (strcmp(special_names[i], name) == 0) {
            *kind = REF_SPECIAL;
            *id = i;
            return 0;
        }
    int s = symtab_find(&syms, name);
    if (s >= 0) {
        *kind = REF_PARAM;
        *id = s;
        return 0;
    }
    return -1;
}

static void env_suggest(void *ctx, const char *name, char *buf, size_t size)
{
    (void)ctx;
    dictionary_suggest(&dict, name, buf, size);
}

static int env_check_filter(void *ctx, int var, const char *dim, const char *value, char *msg,
                            size_t size)
{
    (void)ctx;
    return dictionary_check_filter(&dict, var, dim, value, msg, size);
}

static const formula_env env = {env_resolve, env_suggest, env_check_filter, NULL};

/* ---- data: the real region ---- */

static fvalue real_variable(void *ctx, int var, const formula_filter *fl, int nf, int year)
{
    (void)ctx;
    return region_value(region, var, fl, nf, year, NULL, NULL);
}

static int real_rows(void *ctx, int var, const formula_filter *fl, int nf, int year,
                     void (*each)(void *acc, fvalue v), void *acc)
{
    (void)ctx;
    return region_rows(region, var, fl, nf, year, each, acc);
}

/* ---- data: synthetic, with every awkward value ---- */

static fvalue odd_value(unsigned k)
{
    switch (k % 9) {
    case 0: return fv_ok(0);
    case 1: return fv_ok(1);
    case 2: return fv_ok(-1);
    case 3: return fv_ok(1e308);
    case 4: return fv_ok(-1e308);
    case 5: return fv_ok(2.5);
    case 6: return fv_missing();
    case 7: return fv_undefined();
    default: return fv_ok(2021);
    }
}

static unsigned mix(int a, int b) { return (unsigned)a * 2654435761u ^ (unsigned)b * 40503u; }

static fvalue odd_variable(void *ctx, int var, const formula_filter *fl, int nf, int year)
{
    (void)ctx;
    (void)fl;
    return odd_value(mix(var + nf, year));
}

static int odd_rows(void *ctx, int var, const formula_filter *fl, int nf, int year,
                    void (*each)(void *acc, fvalue v), void *acc)
{
    (void)ctx;
    (void)fl;
    unsigned k = mix(var, year) + (unsigned)nf;
    int n = (int)(k % 5) - 1; /* -1: the year has no data */
    for (int i = 0; i < n; i++)
        each(acc, odd_value(k + (unsigned)i));
    return n;
}

static fvalue odd_param(void *ctx, int id, int year)
{
    (void)ctx;
    return odd_value(mix(id, year) >> 3);
}

static fvalue special(void *ctx, int id, int year)
{
    (void)ctx;
    switch (id) {
    case SP_YEAR: return fv_ok(year);
    case SP_PERIOD_START: case SP_WINDOW_START: return fv_ok(2021);
    case SP_PERIOD_END: case SP_WINDOW_END: return fv_ok(2025);
    case SP_BASELINE_START: return fv_ok(2016);
    default: return fv_ok(2020);
    }
}

/* A parameter in the real data run: its own small formula would be
 * evaluated by the caller; a plain number is enough here. */
static fvalue real_param(void *ctx, int id, int year)
{
    (void)ctx;
    (void)year;
    return fv_ok(10 + id);
}

static int ref_text(void *ctx, const formula_ref *ref, int back, char *buf, size_t size)
{
    (void)ctx;
    if (ref->kind == REF_PARAM && ref->id % 7 == 3)
        return -1; /* a reference the caller cannot print */
    snprintf(buf, size, "R%dC%d", ref->id, back);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = xstrndup((const char *)data, size);
    formula_error err;
    formula *f = formula_parse(src, &env, &err);
    if (!f) {
        if (err.offset < 0 || (size_t)err.offset > strlen(src) || !err.msg[0])
            __builtin_trap(); /* an error must say what and where */
        free(src);
        return 0;
    }
    const formula_ref *refs;
    int n = formula_refs(f, &refs);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < refs[i].nfilters; k++)
            if (!refs[i].filters[k].dim || refs[i].filters[k].nvalues < 1)
                __builtin_trap();
    formula_ref one;
    formula_is_single_ref(f, &one);
    char *text = NULL;
    if (formula_print(f, ref_text, NULL, &text) == 0 && !text)
        __builtin_trap();
    free(text);

    static const int years[] = {2021, 2016, 2025, 0, -1, 1949, 2100, INT_MIN, INT_MAX};
    const formula_data real = {real_variable, real_rows, real_param, special, NULL};
    const formula_data odd = {odd_variable, odd_rows, odd_param, special, NULL};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        const formula_data *ds[] = {&real, &odd};
        for (int k = 0; k < 2; k++) {
            fvalue v = formula_eval(f, years[i], ds[k]);
            /* The contract: an OK value is finite, never inf or NaN. */
            if (v.state == FV_OK && !(v.v - v.v == 0))
                __builtin_trap();
            if (v.state != FV_OK && v.state != FV_MISSING && v.state != FV_UNDEFINED)
                __builtin_trap();
        }
    }
    formula_free(f);
    free(src);
    return 0;
}
