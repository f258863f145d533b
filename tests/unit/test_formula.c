/*
 * test_formula.c - unit tests for formula.c.
 *
 * A fake environment binds a few names; a fake data source holds rows for
 * 2018..2022, some cells missing, so that every evaluation rule can be
 * checked against a hand-computed value:
 *
 *   ps_deaths  (sector)      2018: 道路交通 4, 火灾 1, 煤矿 5
 *                            2019: 道路交通 6, 火灾 2, 煤矿 4
 *                            2020: 道路交通 3, 火灾 (empty)
 *                            2021: 道路交通 2, 火灾 0          2022: no rows
 *   gdp                      100, 120, 0, 150, 160
 *   vehicles                 2000, 2500, (no row), 4000, 4000
 *   response_hours (milestone)
 *                            2019: 基本生活救助 8, 12, 10; 初步救助 5
 *                            2020: 基本生活救助 9, (empty); 初步救助 4
 *                            2021: 初步救助 3                  2018: no rows
 *   params: relief_limit_hours = 10, population = 50000
 *   specials: year, window_start 2018, window_end 2021,
 *             baseline_start 2018, baseline_end 2019
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formula.h"
#include "util.h"

/* ---------- the fake environment ---------- */

enum { V_PS_DEATHS, V_GDP, V_VEHICLES, V_RESPONSE_HOURS, V_PS_ACCIDENTS, NVARS };
enum { P_RELIEF_LIMIT_HOURS, P_POPULATION, NPARAMS };
enum { S_YEAR, S_WINDOW_START, S_WINDOW_END, S_BASELINE_START, S_BASELINE_END, NSPECIALS };

static const char *const var_names[NVARS] = {"ps_deaths", "gdp", "vehicles", "response_hours",
                                             "ps_accidents"};
static const char *const param_names[NPARAMS] = {"relief_limit_hours", "population"};
static const char *const special_names_[NSPECIALS] = {"year", "window_start", "window_end",
                                                      "baseline_start", "baseline_end"};

/* Which dimension values each variable accepts (NULL-terminated). */
static const char *const sectors[] = {"道路交通", "火灾", "煤矿", "工矿商贸", NULL};
static const char *const grades[] = {"一般", "较大", "重大", "特别重大", NULL};
static const char *const milestones[] = {"基本生活救助", "初步救助", NULL};

typedef struct fake_env {
    char log[1024];     /* names resolved, then filters checked */
    int nresolve, ncheck;
} fake_env;

static void log_add(fake_env *e, const char *s)
{
    size_t n = strlen(e->log);
    snprintf(e->log + n, sizeof e->log - n, "%s;", s);
}

static int fake_resolve(void *ctx, const char *name, ref_kind *kind, int *id)
{
    fake_env *e = ctx;
    e->nresolve++;
    log_add(e, name);
    for (int i = 0; i < NVARS; i++)
        if (strcmp(name, var_names[i]) == 0) {
            *kind = REF_VARIABLE;
            *id = i;
            return 0;
        }
    for (int i = 0; i < NPARAMS; i++)
        if (strcmp(name, param_names[i]) == 0) {
            *kind = REF_PARAM;
            *id = i;
            return 0;
        }
    for (int i = 0; i < NSPECIALS; i++)
        if (strcmp(name, special_names_[i]) == 0) {
            *kind = REF_SPECIAL;
            *id = i;
            return 0;
        }
    return -1;
}

static void fake_suggest(void *ctx, const char *name, char *buf, size_t size)
{
    (void)ctx;
    const char *const *lists[] = {var_names, param_names, special_names_};
    const int counts[] = {NVARS, NPARAMS, NSPECIALS};
    buf[0] = '\0';
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < counts[l]; i++)
            if (utf8_edit_distance(name, lists[l][i], 2) <= 2) {
                size_t n = strlen(buf);
                snprintf(buf + n, size - n, "%s%s", n ? ", " : "", lists[l][i]);
            }
}

static int in_list(const char *const *list, const char *v)
{
    for (; *list; list++)
        if (strcmp(*list, v) == 0)
            return 1;
    return 0;
}

static int fake_check_filter(void *ctx, int var, const char *dim, const char *value, char *msg,
                             size_t size)
{
    fake_env *e = ctx;
    char entry[128];
    if (value) { /* dimension-only checks are not logged */
        snprintf(entry, sizeof entry, "%d:%s=%s", var, dim, value);
        log_add(e, entry);
        e->ncheck++;
    }
    const char *const *values = NULL;
    if ((var == V_PS_DEATHS || var == V_PS_ACCIDENTS) && strcmp(dim, "sector") == 0)
        values = sectors;
    else if (var == V_PS_ACCIDENTS && strcmp(dim, "grade") == 0)
        values = grades;
    else if (var == V_RESPONSE_HOURS && strcmp(dim, "milestone") == 0)
        values = milestones;
    if (!values) {
        snprintf(msg, size, "%s has no dimension '%s'", var_names[var], dim);
        return -1;
    }
    if (value && !in_list(values, value)) {
        snprintf(msg, size, "'%s' is not a %s of %s", value, dim, var_names[var]);
        return -1;
    }
    return 0;
}

static fake_env the_env;
static formula_env env = {fake_resolve, fake_suggest, fake_check_filter, &the_env};

/* ---------- the fake data ---------- */

typedef struct row {
    int var, year;
    const char *dim, *val; /* one dimension per row is enough here */
    double v;
    int missing;
} row;

#define M 1 /* an empty cell */
static const row rows[] = {
    {V_PS_DEATHS, 2018, "sector", "道路交通", 4, 0},
    {V_PS_DEATHS, 2018, "sector", "火灾", 1, 0},
    {V_PS_DEATHS, 2018, "sector", "煤矿", 5, 0},
    {V_PS_DEATHS, 2019, "sector", "道路交通", 6, 0},
    {V_PS_DEATHS, 2019, "sector", "火灾", 2, 0},
    {V_PS_DEATHS, 2019, "sector", "煤矿", 4, 0},
    {V_PS_DEATHS, 2020, "sector", "道路交通", 3, 0},
    {V_PS_DEATHS, 2020, "sector", "火灾", 0, M},
    {V_PS_DEATHS, 2021, "sector", "道路交通", 2, 0},
    {V_PS_DEATHS, 2021, "sector", "火灾", 0, 0},
    {V_GDP, 2018, NULL, NULL, 100, 0},
    {V_GDP, 2019, NULL, NULL, 120, 0},
    {V_GDP, 2020, NULL, NULL, 0, 0},
    {V_GDP, 2021, NULL, NULL, 150, 0},
    {V_GDP, 2022, NULL, NULL, 160, 0},
    {V_VEHICLES, 2018, NULL, NULL, 2000, 0},
    {V_VEHICLES, 2019, NULL, NULL, 2500, 0},
    {V_VEHICLES, 2021, NULL, NULL, 4000, 0},
    {V_VEHICLES, 2022, NULL, NULL, 4000, 0},
    {V_RESPONSE_HOURS, 2019, "milestone", "基本生活救助", 8, 0},
    {V_RESPONSE_HOURS, 2019, "milestone", "基本生活救助", 12, 0},
    {V_RESPONSE_HOURS, 2019, "milestone", "基本生活救助", 10, 0},
    {V_RESPONSE_HOURS, 2019, "milestone", "初步救助", 5, 0},
    {V_RESPONSE_HOURS, 2020, "milestone", "基本生活救助", 9, 0},
    {V_RESPONSE_HOURS, 2020, "milestone", "基本生活救助", 0, M},
    {V_RESPONSE_HOURS, 2020, "milestone", "初步救助", 4, 0},
    {V_RESPONSE_HOURS, 2021, "milestone", "初步救助", 3, 0},
};
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

typedef struct fake_data {
    int nparam; /* calls to param(), to see that count_if evaluates its right side once */
    int nrows_calls;
} fake_data;

static int row_matches(const row *r, const formula_filter *fl, int nf)
{
    for (int f = 0; f < nf; f++) {
        if (!r->dim || strcmp(r->dim, fl[f].dim) != 0)
            return 0;
        int hit = 0;
        for (int k = 0; k < fl[f].nvalues; k++)
            hit |= strcmp(fl[f].values[k], r->val) == 0;
        if (!hit)
            return 0;
    }
    return 1;
}

/* Like the real data source: -1 when the year has no row at all. */
static int fake_rows(void *ctx, int var, const formula_filter *fl, int nf, int year,
                     void (*each)(void *acc, fvalue v), void *acc)
{
    fake_data *d = ctx;
    d->nrows_calls++;
    int covered = 0, n = 0;
    for (int i = 0; i < NROWS; i++) {
        if (rows[i].var != var || rows[i].year != year)
            continue;
        covered = 1;
        if (!row_matches(&rows[i], fl, nf))
            continue;
        each(acc, rows[i].missing ? fv_missing() : fv_ok(rows[i].v));
        n++;
    }
    return covered ? n : -1;
}

typedef struct sum_acc {
    fvalue sum;
} sum_acc;

static void sum_each(void *acc, fvalue v)
{
    sum_acc *s = acc;
    if (v.state != FV_OK)
        s->sum = fv_missing();
    else if (s->sum.state == FV_OK)
        s->sum.v += v.v;
}

static fvalue fake_variable(void *ctx, int var, const formula_filter *fl, int nf, int year)
{
    sum_acc s = {fv_ok(0)};
    if (fake_rows(ctx, var, fl, nf, year, sum_each, &s) < 0)
        return fv_missing();
    return s.sum;
}

static fvalue fake_param(void *ctx, int id, int year)
{
    fake_data *d = ctx;
    (void)year;
    d->nparam++;
    return id == P_RELIEF_LIMIT_HOURS ? fv_ok(10) : fv_ok(50000);
}

static fvalue fake_special(void *ctx, int id, int year)
{
    (void)ctx;
    switch (id) {
    case S_YEAR: return fv_ok(year);
    case S_WINDOW_START: return fv_ok(2018);
    case S_WINDOW_END: return fv_ok(2021);
    case S_BASELINE_START: return fv_ok(2018);
    case S_BASELINE_END: return fv_ok(2019);
    }
    return fv_missing();
}

static fake_data the_data;
static const formula_data data = {fake_variable, fake_rows, fake_param, fake_special, &the_data};

static int reset(void **state)
{
    (void)state;
    memset(&the_env, 0, sizeof the_env);
    memset(&the_data, 0, sizeof the_data);
    return 0;
}

/* ---------- helpers ---------- */

static formula *parse_ok(const char *src)
{
    formula_error err;
    formula *f = formula_parse(src, &env, &err);
    if (!f)
        fail_msg("'%s' should parse, got column %d: %s", src, err.column, err.msg);
    return f;
}

static fvalue eval_at(const char *src, int year)
{
    formula *f = parse_ok(src);
    fvalue v = formula_eval(f, year, &data);
    formula_free(f);
    return v;
}

static const char *state_name(fv_state s)
{
    return s == FV_OK ? "ok" : s == FV_MISSING ? "missing" : "undefined";
}

/* src evaluated in year is OK and equal to want (to 1e-12 relative). */
static void check_value(const char *src, int year, double want)
{
    fvalue v = eval_at(src, year);
    if (v.state != FV_OK)
        fail_msg("'%s' in %d: want %.17g, got %s", src, year, want, state_name(v.state));
    if (fabs(v.v - want) > 1e-12 * fmax(1, fabs(want)))
        fail_msg("'%s' in %d: want %.17g, got %.17g", src, year, want, v.v);
}

static void check_state(const char *src, int year, fv_state want)
{
    fvalue v = eval_at(src, year);
    if (v.state != want)
        fail_msg("'%s' in %d: want %s, got %s (%g)", src, year, state_name(want),
                 state_name(v.state), v.v);
}

/* Parsing src must fail with exactly this offset, column and message. */
static void check_error(const char *src, int offset, int column, const char *msg)
{
    formula_error err;
    memset(&err, 0x5a, sizeof err);
    formula *f = formula_parse(src, &env, &err);
    if (f) {
        formula_free(f);
        fail_msg("'%s' should not parse", src);
    }
    if (strcmp(err.msg, msg) != 0)
        fail_msg("'%s':\n  want message: %s\n  got message:  %s", src, msg, err.msg);
    if (err.offset != offset || err.column != column)
        fail_msg("'%s' (%s): want offset %d column %d, got offset %d column %d", src, msg, offset,
                 column, err.offset, err.column);
}

/* ---------- numbers and operators ---------- */

static void test_numbers(void **state)
{
    (void)state;
    check_value("12", 2019, 12);
    check_value("0.5", 2019, 0.5);
    check_value(".5", 2019, 0.5);
    check_value("1e4", 2019, 10000);
    check_value("2.5E-3", 2019, 0.0025);
    check_value("1.5e+2", 2019, 150);
    check_value("  7\n\t ", 2019, 7);
}

static void test_precedence_and_associativity(void **state)
{
    (void)state;
    check_value("10 - 4 - 3", 2019, 3);
    check_value("64 / 4 / 2", 2019, 8);
    check_value("12 / 2 * 3", 2019, 18);
    check_value("2 - 3 + 4", 2019, 3);
    check_value("2 + 3 * 4", 2019, 14);
    check_value("2 * 3 + 4", 2019, 10);
    check_value("(2 + 3) * 4", 2019, 20);
    check_value("64 / (4 / 2)", 2019, 32);
    check_value("10 - (4 - 3)", 2019, 9);
    check_value("1 + 2 < 4", 2019, 1);    /* (1 + 2) < 4 */
    check_value("1 + (2 < 4)", 2019, 2);
    check_value("2 * 3 == 6", 2019, 1);
    check_value("gdp\n  + 1", 2019, 121); /* a YAML block scalar spans lines */
}

static void test_unary_minus(void **state)
{
    (void)state;
    check_value("-2 + 3", 2019, 1); /* (-2) + 3, not -(2 + 3) */
    check_value("-2 * 3", 2019, -6);
    check_value("2 * -3", 2019, -6);
    check_value("-2 - -3", 2019, 1);
    check_value("- -2", 2019, 2);
    check_value("-(2 + 3)", 2019, -5);
    check_value("-gdp / 4", 2019, -30);
    check_value("2 - -gdp", 2019, 122);
}

static void test_comparisons(void **state)
{
    (void)state;
    check_value("3 < 4", 2019, 1);
    check_value("4 < 4", 2019, 0);
    check_value("4 <= 4", 2019, 1);
    check_value("5 <= 4", 2019, 0);
    check_value("5 > 4", 2019, 1);
    check_value("4 > 4", 2019, 0);
    check_value("4 >= 4", 2019, 1);
    check_value("3 >= 4", 2019, 0);
    check_value("4 == 4", 2019, 1);
    check_value("4 == 5", 2019, 0);
    check_value("4 != 5", 2019, 1);
    check_value("4 != 4", 2019, 0);
    check_value("gdp > 100", 2019, 1);
    check_state("vehicles > 0", 2020, FV_MISSING);
    check_state("1 / 0 > 0", 2020, FV_UNDEFINED);
    check_state("1 / 0 == vehicles", 2020, FV_MISSING);
}

/* ---------- references ---------- */

static void test_variables_and_filters(void **state)
{
    (void)state;
    check_value("ps_deaths", 2018, 10);
    check_value("ps_deaths{sector=\"道路交通\"}", 2018, 4);
    check_value("ps_deaths{sector='道路交通'}", 2018, 4);
    check_value("ps_deaths{sector=\"道路交通\"|\"火灾\"}", 2018, 5);
    check_value("ps_deaths{ sector = \"道路交通\" | '煤矿' }", 2019, 10);
    check_value("ps_deaths{sector=\"工矿商贸\"}", 2018, 0); /* no such rows: a covered zero */
    check_state("ps_deaths", 2020, FV_MISSING);             /* one empty cell */
    check_value("ps_deaths{sector=\"道路交通\"}", 2020, 3);  /* the empty cell filtered out */
    check_state("ps_deaths", 2022, FV_MISSING);             /* no rows that year */
    check_value("ps_deaths{sector=\"道路交通\"} / vehicles * 10000", 2019, 24);
}

static void test_params_and_specials(void **state)
{
    (void)state;
    check_value("relief_limit_hours * 2", 2019, 20);
    check_value("population / 1000", 2019, 50);
    check_value("year", 2020, 2020);
    check_value("window_end - window_start", 2020, 3);
    check_value("baseline_end", 2025, 2019);
}

/* ---------- MISSING and UNDEFINED ---------- */

static void test_division_by_zero(void **state)
{
    (void)state;
    check_value("ps_deaths{sector=\"道路交通\"} / gdp", 2019, 0.05);
    check_state("ps_deaths{sector=\"道路交通\"} / gdp", 2020, FV_UNDEFINED); /* gdp 0 */
    check_state("0 / 0", 2019, FV_UNDEFINED);
    check_state("1 / (gdp - gdp)", 2019, FV_UNDEFINED);
    check_state("1 / 0 * 0", 2019, FV_UNDEFINED);
    check_state("-(1 / 0)", 2019, FV_UNDEFINED);
    check_value("0 / 5", 2019, 0);
}

static void test_missing_propagation(void **state)
{
    (void)state;
    check_state("vehicles + 1", 2020, FV_MISSING);
    check_state("-vehicles", 2020, FV_MISSING);
    /* MISSING dominates UNDEFINED, on either side */
    check_state("1 / 0 + vehicles", 2020, FV_MISSING);
    check_state("vehicles + 1 / 0", 2020, FV_MISSING);
    check_state("vehicles / 0", 2020, FV_MISSING);
    check_state("vehicles / gdp", 2020, FV_MISSING);
    check_state("0 * vehicles", 2020, FV_MISSING);
}

static void test_overflow_is_undefined(void **state)
{
    (void)state;
    check_state("1e308 * 10", 2019, FV_UNDEFINED);
    check_state("-1e308 - 1e308", 2019, FV_UNDEFINED);
    check_value("1e308 * 1", 2019, 1e308);
}

/* ---------- functions over years ---------- */

static void test_prev_and_lag(void **state)
{
    (void)state;
    check_value("prev(gdp)", 2019, 100);
    check_state("prev(gdp)", 2018, FV_MISSING); /* the first year has no previous */
    check_value("gdp - prev(gdp)", 2019, 20);
    check_value("prev(prev(gdp))", 2021, 120);
    check_state("prev(vehicles)", 2021, FV_MISSING);
    check_value("prev(year)", 2020, 2019);
    check_value("lag(gdp, 2)", 2021, 120);
    check_value("lag(gdp, 0)", 2021, 150);
    check_value("lag(year, 3)", 2020, 2017);
    check_value("lag(gdp, 1) == prev(gdp)", 2022, 1);
    check_state("lag(gdp, 4)", 2021, FV_MISSING);
}

static void test_sum_years(void **state)
{
    (void)state;
    check_value("sum_years(gdp, 2018, 2019)", 2025, 220);
    check_value("sum_years(gdp, 2018, 2018)", 2025, 100);
    check_value("sum_years(gdp, baseline_start, baseline_end)", 2025, 220);
    /* bounds are evaluated in the current year */
    check_value("sum_years(gdp, year - 1, year)", 2019, 220);
    check_value("sum_years(gdp, year - 1, year)", 2022, 310);
    check_value("sum_years(gdp, prev(year), year)", 2019, 220);
    /* the undefined year 2020 (gdp 0) is skipped */
    check_value("sum_years(ps_deaths{sector=\"道路交通\"} / gdp, 2018, 2021)", 2021,
                4.0 / 100 + 6.0 / 120 + 2.0 / 150);
    check_state("sum_years(vehicles, 2018, 2021)", 2021, FV_MISSING);  /* 2020 missing */
    check_state("sum_years(1 / (gdp - gdp), 2018, 2019)", 2019, FV_UNDEFINED);
    check_state("sum_years(gdp, 2019, 2018)", 2019, FV_UNDEFINED);     /* reversed */
    check_state("sum_years(gdp, 2018.5, 2019)", 2019, FV_MISSING);     /* not a year */
    check_state("sum_years(gdp, 2018, vehicles)", 2020, FV_MISSING);   /* bound missing */
    check_state("sum_years(gdp, 2018, 1 / 0)", 2020, FV_UNDEFINED);
    check_state("sum_years(gdp, 0, 2019)", 2019, FV_MISSING);          /* absurd span */
    check_value("sum_years(lag(gdp, 1), 2019, 2020)", 2025, 220);
}

static void test_mean_years(void **state)
{
    (void)state;
    check_value("mean_years(gdp, 2018, 2019)", 2025, 110);
    check_value("mean_years(gdp, 2018, 2022)", 2025, 106); /* 0 is a value, not a gap */
    check_value("mean_years(ps_deaths{sector=\"道路交通\"} / gdp, 2018, 2021)", 2021,
                (4.0 / 100 + 6.0 / 120 + 2.0 / 150) / 3);
    check_value("mean_years(gdp, window_start, window_end)", 2025, (100 + 120 + 0 + 150) / 4.0);
    check_state("mean_years(vehicles, 2018, 2021)", 2021, FV_MISSING);
    check_state("mean_years(1 / (gdp - gdp), 2018, 2019)", 2019, FV_UNDEFINED);
    check_state("mean_years(gdp, 2020, 2019)", 2019, FV_UNDEFINED);
    check_state("mean_years(gdp, 2018, 2019.25)", 2019, FV_MISSING);
}

static void test_min_max_abs(void **state)
{
    (void)state;
    check_value("min(gdp, vehicles, 50)", 2018, 50);
    check_value("max(gdp, vehicles, 50)", 2018, 2000);
    check_value("min(3, 1, 2)", 2019, 1);
    check_value("max(1, 3, 2)", 2019, 3);
    check_value("max(-5, -3)", 2019, -3);
    check_value("min(5, 7)", 2019, 5);
    check_state("min(gdp, vehicles)", 2020, FV_MISSING);
    check_state("min(1 / 0, gdp)", 2020, FV_UNDEFINED);
    check_state("max(1 / 0, vehicles)", 2020, FV_MISSING);
    check_state("max(vehicles, 1 / 0)", 2020, FV_MISSING);
    check_value("abs(-3)", 2019, 3);
    check_value("abs(2.5)", 2019, 2.5);
    check_value("abs(gdp - vehicles)", 2018, 1900);
    check_state("abs(vehicles)", 2020, FV_MISSING);
    check_state("abs(1 / 0)", 2020, FV_UNDEFINED);
}

/* ---------- row functions ---------- */

#define BASIC "response_hours{milestone=\"基本生活救助\"}"

static void test_count(void **state)
{
    (void)state;
    check_value("count(" BASIC ")", 2019, 3);
    check_value("count(" BASIC ")", 2020, 2); /* an empty cell is still a row */
    check_value("count(" BASIC ")", 2021, 0);
    check_state("count(" BASIC ")", 2018, FV_MISSING); /* no data that year */
    check_value("count(response_hours)", 2019, 4);
    check_value("prev(count(response_hours))", 2020, 4);
}

static void test_count_if(void **state)
{
    (void)state;
    check_value("count_if(" BASIC " <= relief_limit_hours)", 2019, 2); /* 8, 10 */
    check_state("count_if(" BASIC " <= relief_limit_hours)", 2020, FV_MISSING);
    check_value("count_if(" BASIC " <= relief_limit_hours)", 2021, 0);
    check_state("count_if(" BASIC " <= relief_limit_hours)", 2018, FV_MISSING);
    check_value("count_if(response_hours > 9)", 2019, 2);
    check_value("count_if(response_hours >= 10)", 2019, 2);
    check_value("count_if(response_hours < 8)", 2019, 1);
    check_value("count_if(response_hours == 10)", 2019, 1);
    check_value("count_if(response_hours != 10)", 2019, 3);
    check_state("count_if(response_hours <= prev(vehicles))", 2021, FV_MISSING);
    check_state("count_if(response_hours <= 1 / 0)", 2019, FV_UNDEFINED);

    /* the right side is evaluated once, not once per row */
    reset(NULL);
    check_value("count_if(response_hours <= relief_limit_hours)", 2019, 3);
    assert_int_equal(the_data.nparam, 1);
    assert_int_equal(the_data.nrows_calls, 1);
}

static void test_share(void **state)
{
    (void)state;
    check_value("share(" BASIC " <= relief_limit_hours)", 2019, 200.0 / 3);
    check_state("share(" BASIC " <= relief_limit_hours)", 2021, FV_UNDEFINED); /* no rows */
    check_state("share(" BASIC " <= relief_limit_hours)", 2020, FV_MISSING);
    check_state("share(" BASIC " <= relief_limit_hours)", 2018, FV_MISSING);
    check_value("share(response_hours <= 5)", 2019, 25);
    check_value("share(response_hours > 100)", 2019, 0);
    check_state("share(response_hours <= prev(vehicles))", 2021, FV_MISSING);
    check_state("share(" BASIC " <= prev(vehicles))", 2021, FV_MISSING); /* before no rows */
    check_value("100 * count_if(" BASIC " <= 10) / count(" BASIC ")", 2019, 200.0 / 3);
}

static void test_max_min_row(void **state)
{
    (void)state;
    check_value("max_row(" BASIC ")", 2019, 12);
    check_value("min_row(" BASIC ")", 2019, 8);
    check_value("min_row(response_hours)", 2019, 5);
    check_value("max_row(response_hours)", 2021, 3);
    check_state("max_row(" BASIC ")", 2021, FV_UNDEFINED);
    check_state("min_row(" BASIC ")", 2021, FV_UNDEFINED);
    check_state("max_row(" BASIC ")", 2020, FV_MISSING);
    check_state("min_row(" BASIC ")", 2020, FV_MISSING);
    check_state("max_row(" BASIC ")", 2018, FV_MISSING);
}

/* ---------- refs and binding ---------- */

static void test_refs(void **state)
{
    (void)state;
    formula *f = parse_ok("share(response_hours{milestone=\"基本生活救助\"|\"初步救助\"} <= "
                          "relief_limit_hours) + year * gdp - "
                          "ps_accidents{grade=\"较大\"|'重大', sector=\"煤矿\"} + gdp");
    const formula_ref *r;
    assert_int_equal(formula_refs(f, &r), 6);
    assert_int_equal(r[0].kind, REF_VARIABLE);
    assert_int_equal(r[0].id, V_RESPONSE_HOURS);
    assert_int_equal(r[0].nfilters, 1);
    assert_string_equal(r[0].filters[0].dim, "milestone");
    assert_int_equal(r[0].filters[0].nvalues, 2);
    assert_string_equal(r[0].filters[0].values[0], "基本生活救助");
    assert_string_equal(r[0].filters[0].values[1], "初步救助");
    assert_int_equal(r[1].kind, REF_PARAM);
    assert_int_equal(r[1].id, P_RELIEF_LIMIT_HOURS);
    assert_int_equal(r[1].nfilters, 0);
    assert_int_equal(r[2].kind, REF_SPECIAL);
    assert_int_equal(r[2].id, S_YEAR);
    assert_int_equal(r[3].kind, REF_VARIABLE);
    assert_int_equal(r[3].id, V_GDP);
    assert_int_equal(r[3].nfilters, 0);
    assert_int_equal(r[4].kind, REF_VARIABLE);
    assert_int_equal(r[4].id, V_PS_ACCIDENTS);
    assert_int_equal(r[4].nfilters, 2);
    assert_string_equal(r[4].filters[0].dim, "grade");
    assert_int_equal(r[4].filters[0].nvalues, 2);
    assert_string_equal(r[4].filters[0].values[0], "较大");
    assert_string_equal(r[4].filters[0].values[1], "重大");
    assert_string_equal(r[4].filters[1].dim, "sector");
    assert_int_equal(r[4].filters[1].nvalues, 1);
    assert_string_equal(r[4].filters[1].values[0], "煤矿");
    assert_int_equal(r[5].kind, REF_VARIABLE); /* duplicates are kept */
    assert_int_equal(r[5].id, V_GDP);
    formula_free(f);

    f = parse_ok("1 + 2 * 3");
    assert_int_equal(formula_refs(f, &r), 0);
    formula_free(f);
}

static void test_is_single_ref(void **state)
{
    (void)state;
    formula_ref ref;
    formula *f = parse_ok("ps_deaths{sector=\"火灾\"}");
    memset(&ref, 0, sizeof ref);
    assert_int_equal(formula_is_single_ref(f, &ref), 1);
    assert_int_equal(ref.kind, REF_VARIABLE);
    assert_int_equal(ref.id, V_PS_DEATHS);
    assert_int_equal(ref.nfilters, 1);
    assert_string_equal(ref.filters[0].values[0], "火灾");
    formula_free(f);

    f = parse_ok("(gdp)");
    assert_int_equal(formula_is_single_ref(f, &ref), 1);
    assert_int_equal(ref.id, V_GDP);
    assert_int_equal(ref.nfilters, 0);
    formula_free(f);

    const char *not_single[] = {"gdp + 0", "relief_limit_hours", "year", "3", "-gdp",
                                "count(response_hours)", "prev(gdp)", "gdp > 1"};
    for (size_t i = 0; i < sizeof not_single / sizeof not_single[0]; i++) {
        f = parse_ok(not_single[i]);
        if (formula_is_single_ref(f, &ref))
            fail_msg("'%s' is not a single reference", not_single[i]);
        formula_free(f);
    }
}

static void test_is_row_count(void **state)
{
    (void)state;
    formula_ref ref;
    formula *f = parse_ok("count_if(response_hours{milestone=\"基本生活救助\"} <= relief_limit_hours)");
    memset(&ref, 0, sizeof ref);
    assert_int_equal(formula_is_row_count(f, &ref), 1);
    assert_int_equal(ref.kind, REF_VARIABLE);
    assert_int_equal(ref.id, V_RESPONSE_HOURS);
    assert_int_equal(ref.nfilters, 1);
    formula_free(f);

    f = parse_ok("count(response_hours)");
    assert_int_equal(formula_is_row_count(f, &ref), 1);
    assert_int_equal(ref.id, V_RESPONSE_HOURS);
    formula_free(f);

    /* a share, a row maximum or arithmetic over a count is not a number of rows */
    const char *not_count[] = {"share(response_hours <= 10)", "max_row(response_hours)",
                               "count(response_hours) + 1", "ps_deaths", "2 * count(response_hours)"};
    for (size_t i = 0; i < sizeof not_count / sizeof not_count[0]; i++) {
        f = parse_ok(not_count[i]);
        if (formula_is_row_count(f, &ref))
            fail_msg("'%s' is not a count of rows", not_count[i]);
        formula_free(f);
    }
}

static void test_binding_calls(void **state)
{
    (void)state;
    /* function names are never resolved; every other name is, in order */
    formula *f = parse_ok("prev(gdp) + lag(vehicles, 1) + sum_years(gdp, baseline_start, year)");
    assert_string_equal(the_env.log, "gdp;vehicles;gdp;baseline_start;year;");
    formula_free(f);

    /* check_filter sees each dim=value */
    reset(NULL);
    f = parse_ok("ps_accidents{grade=\"较大\"|\"重大\", sector=\"煤矿\"}");
    assert_string_equal(the_env.log, "ps_accidents;4:grade=较大;4:grade=重大;4:sector=煤矿;");
    assert_int_equal(the_env.ncheck, 3);
    formula_free(f);

    /* without check_filter any filter is accepted; without suggest no hint */
    formula_env bare = {fake_resolve, NULL, NULL, &the_env};
    formula_error err;
    f = formula_parse("gdp{anything=\"x\"}", &bare, &err);
    assert_non_null(f);
    formula_free(f);
    assert_null(formula_parse("ps_death", &bare, &err));
    assert_string_equal(err.msg, "unknown name 'ps_death'");

    /* without an env every name is unknown */
    assert_null(formula_parse("gdp", NULL, &err));
    assert_string_equal(err.msg, "unknown name 'gdp'");
    assert_int_equal(err.column, 1);
}

/* ---------- errors ---------- */

static void test_err_parentheses(void **state)
{
    (void)state;
    check_error("(gdp + vehicles", 15, 16,
                "unbalanced parenthesis: '(' at column 1 is never closed");
    check_error("max(gdp, (vehicles + 1)", 23, 24,
                "unbalanced parenthesis: '(' at column 4 is never closed");
    /* columns count code points, not bytes */
    check_error("ps_deaths{sector=\"道路交通\"} / (gdp", 39, 32,
                "unbalanced parenthesis: '(' at column 28 is never closed");
    check_error("(gdp + 1 2", 9, 10, "expected ')' to close '(' at column 1, found number 2");
    check_error("gdp + vehicles)", 14, 15, "unexpected ')': there is no '(' to close");
    check_error(")", 0, 1, "unexpected ')': there is no '(' to close");
    check_error("()", 1, 2, "expected an operand after '(', found ')'");
    check_error("min(gdp, 1 2)", 11, 12,
                "expected ',' or ')' in the arguments of min, found number 2");
}

static void test_err_operands(void **state)
{
    (void)state;
    check_error("gdp *", 5, 6, "expected an operand after '*'");
    check_error("gdp * )", 6, 7, "expected an operand after '*', found ')'");
    check_error("gdp + * 2", 6, 7, "expected an operand after '+', found '*'");
    check_error("gdp <=", 6, 7, "expected an operand after '<='");
    check_error("max(gdp, )", 9, 10, "expected an operand after ',', found ')'");
    check_error("-", 1, 2, "expected an operand after '-'");
    check_error(", gdp", 0, 1, "expected an operand, found ','");
}

static void test_err_unknown_name(void **state)
{
    (void)state;
    check_error("ps_death / gdp", 0, 1, "unknown name 'ps_death' (did you mean ps_deaths?)");
    check_error("gdp * vehicle", 6, 7, "unknown name 'vehicle' (did you mean vehicles?)");
    check_error("ps_deaths{sector=\"火灾\"} / populaton", 29, 26,
                "unknown name 'populaton' (did you mean population?)");
    check_error("zzzzz + 1", 0, 1, "unknown name 'zzzzz'");
    check_error("count + 1", 0, 1, "unknown name 'count' (count is a function: write count(v))");
}

static void test_err_unknown_function(void **state)
{
    (void)state;
    check_error("sums_years(gdp, 2018, 2019)", 0, 1,
                "unknown function 'sums_years' (did you mean sum_years?)");
    check_error("1 + mix(gdp, 1)", 4, 5, "unknown function 'mix' (did you mean min, max?)");
    check_error("mena_years(gdp, 2018, 2019)", 0, 1,
                "unknown function 'mena_years' (did you mean mean_years?)"); /* distance 2 */
    check_error("foo(1)", 0, 1,
                "unknown function 'foo' (functions are: prev, lag, sum_years, mean_years, min, "
                "max, abs, count, count_if, share, max_row, min_row)");
    check_error("gdp(2019)", 0, 1,
                "unknown function 'gdp': 'gdp' is a variable, not a function (for earlier years "
                "use prev(gdp) or lag(gdp, k))");
}

static void test_err_arity(void **state)
{
    (void)state;
    check_error("lag(gdp)", 0, 1, "lag takes 2 arguments (lag(e, k)), got 1");
    check_error("gdp + prev()", 6, 7, "prev takes 1 argument (prev(e)), got 0");
    check_error("abs(1, 2)", 0, 1, "abs takes 1 argument (abs(e)), got 2");
    check_error("max(gdp)", 0, 1, "max takes at least 2 arguments (max(a, b, ...)), got 1");
    check_error("sum_years(gdp, 2018)", 0, 1,
                "sum_years takes 3 arguments (sum_years(e, first_year, last_year)), got 2");
    check_error("mean_years(gdp, 1, 2, 3)", 0, 1,
                "mean_years takes 3 arguments (mean_years(e, first_year, last_year)), got 4");
    check_error("count(response_hours, gdp)", 0, 1, "count takes 1 argument (count(v)), got 2");
}

static void test_err_filters(void **state)
{
    (void)state;
    check_error("relief_limit_hours{sector=\"火灾\"}", 18, 19,
                "a filter {...} can only follow a variable; 'relief_limit_hours' is a parameter");
    check_error("year{sector=\"火灾\"}", 4, 5,
                "a filter {...} can only follow a variable; 'year' is a special name");
    /* check_filter's message, at the value */
    check_error("ps_deaths{sector=\"农业\"}", 17, 18, "'农业' is not a sector of ps_deaths");
    check_error("ps_deaths{sector=\"火灾\"|\"农业\"}", 26, 23, "'农业' is not a sector of ps_deaths");
    /* an unknown dimension: at its name */
    check_error("gdp{sector=\"火灾\"}", 4, 5, "gdp has no dimension 'sector'");
    check_error("ps_deaths{sector=\"火灾\", sector=\"煤矿\"}", 27, 24,
                "dimension 'sector' appears twice in the filter; list alternatives with '|', "
                "e.g. sector=\"a\"|\"b\"");
    check_error("ps_deaths{sector=\"火灾\"", 25, 22,
                "unbalanced brace: '{' at column 10 is never closed");
    check_error("ps_deaths{}", 10, 11, "expected a dimension name in the filter, found '}'");
    check_error("ps_deaths{sector=\"火灾\"|}", 26, 23,
                "expected a quoted value after '|' in the filter, found '}'");
    check_error("ps_deaths{sector}", 16, 17, "expected '=' after the dimension name, found '}'");
    check_error("ps_deaths{sector=\"火灾\" \"煤矿\"}", 26, 23,
                "expected ',', '|' or '}' in the filter, found string \"煤矿\"");
    check_error("(gdp){sector=\"a\"}", 5, 6,
                "unexpected '{': a filter can only follow a variable name");
}

static void test_err_lag(void **state)
{
    (void)state;
    const char *msg = "the second argument of lag must be a whole number of years from 0 to 1000, "
                      "written as a number, e.g. lag(gdp, 2)";
    check_error("lag(gdp, 1.5)", 9, 10, msg);
    check_error("lag(gdp, -1)", 9, 10, msg);
    check_error("lag(gdp, year)", 9, 10, msg);
    check_error("lag(gdp, 1 + 1)", 9, 10, msg);
    check_error("lag(gdp, 5000)", 9, 10, msg);
}

static void test_err_row_functions(void **state)
{
    (void)state;
    check_error("count(gdp + 1)", 6, 7,
                "count needs a variable, optionally filtered, e.g. count(response_hours{...})");
    check_error("max_row(relief_limit_hours)", 8, 9,
                "max_row needs a variable, optionally filtered, e.g. max_row(response_hours{...})");
    check_error("min_row(prev(response_hours))", 8, 9,
                "min_row needs a variable, optionally filtered, e.g. min_row(response_hours{...})");
    check_error("share(response_hours)", 6, 7,
                "share needs a comparison whose left side is a variable, e.g. "
                "share(response_hours{...} <= 10)");
    check_error("count_if(10 >= response_hours)", 9, 10,
                "count_if needs a comparison whose left side is a variable, e.g. "
                "count_if(response_hours{...} <= 10)");
    check_error("share(relief_limit_hours > response_hours)", 6, 7,
                "share needs a comparison whose left side is a variable, e.g. "
                "share(response_hours{...} <= 10)");
}

static void test_err_strings(void **state)
{
    (void)state;
    check_error("ps_deaths{sector=\"道路交通}", 17, 18,
                "unterminated string: the quote \" at column 18 is never closed");
    check_error("ps_deaths{sector='火灾}", 17, 18,
                "unterminated string: the quote ' at column 18 is never closed");
    check_error("ps_deaths{sector=\"\xff\"}", 17, 18, "string is not valid UTF-8");
}

static void test_err_non_ascii(void **state)
{
    (void)state;
    check_error("max（gdp, vehicles）", 3, 4,
                "unexpected character '（' (U+FF08); use the ASCII '(' instead");
    check_error("gdp ＜ 5", 4, 5, "unexpected character '＜' (U+FF1C); use the ASCII '<' instead");
    check_error("ps_deaths{sector=“火灾”}", 17, 18,
                "unexpected character '“' (U+201C); use the ASCII '\"' instead");
    check_error("ps_deaths{sector=\"火灾\"，sector=\"煤矿\"}", 25, 22,
                "unexpected character '，' (U+FF0C); use the ASCII ',' instead");
    check_error("gdp ≤ 5", 4, 5, "unexpected character '≤' (U+2264); use the ASCII '<=' instead");
    check_error("gdp　+ 1", 3, 4,
                "unexpected character '　' (U+3000, a full-width or non-breaking space); use an "
                "ASCII space");
    check_error("死亡人数 / gdp", 0, 1,
                "unexpected character '死' (U+6B7B); outside quotes a formula is ASCII: names "
                "like ps_deaths, with Chinese only in quoted filter values");
    check_error("gdp + \xff", 6, 7, "invalid UTF-8 byte 0xFF");
    check_error("gdp + \xe4\xb8", 6, 7, "invalid UTF-8 byte 0xE4"); /* half of 中 */
}

static void test_err_misc(void **state)
{
    (void)state;
    check_error("", 0, 1, "empty formula");
    check_error("  \n\t ", 0, 1, "empty formula");
    check_error("gdp vehicles", 4, 5,
                "trailing input after expression: name 'vehicles' (missing operator?)");
    check_error("gdp 2", 4, 5, "trailing input after expression: number 2 (missing operator?)");
    check_error("gdp | vehicles", 4, 5,
                "unexpected '|': alternatives are only allowed inside a filter {dim=\"a\"|\"b\"}");
    check_error("gdp # 2", 4, 5, "unexpected character '#'");
    check_error("gdp\x01", 3, 4, "unexpected control character 0x01");
    check_error("gdp ! 2", 4, 5, "unexpected character '!' (not equal is written !=)");
    check_error("gdp && 1", 4, 5,
                "unexpected character '&' (there are no logical operators; use comparisons, min "
                "and max)");
    check_error("gdp * 100%", 9, 10,
                "unexpected character '%' (there is no percent operator; multiply by 100)");
    check_error("gdp = 5", 4, 5, "'=' is not a comparison: write '==' ('=' belongs in filters)");
    check_error("gdp < 1 < 2", 8, 9,
                "comparisons cannot be chained; use parentheses, e.g. (a < b) == 1");
    check_error("2x + 1", 0, 1, "malformed number '2x'");
    check_error("1.2.3", 0, 1, "malformed number '1.2.3'");
    check_error("gdp * 1.", 6, 7, "malformed number '1.'");
    check_error("1e", 0, 1, "malformed number '1e'");
    check_error("1e999", 0, 1, "number out of range '1e999'");
}

/* n copies of s, then tail; caller frees. */
static char *repeat(const char *s, int n, const char *tail)
{
    size_t len = strlen(s);
    char *buf = malloc(len * (size_t)n + strlen(tail) + 1);
    assert_non_null(buf);
    for (int i = 0; i < n; i++)
        memcpy(buf + len * (size_t)i, s, len);
    strcpy(buf + len * (size_t)n, tail);
    return buf;
}

static void test_err_deep_nesting(void **state)
{
    (void)state;
    const char *msg = "formula nested too deeply (more than 200 levels)";
    char *s = repeat("(", 10000, "gdp");
    check_error(s, 200, 201, msg);
    free(s);
    s = repeat("-", 10000, "1");
    check_error(s, 200, 201, msg);
    free(s);
    s = repeat("prev(", 10000, "gdp");
    check_error(s, 1000, 1001, msg);
    free(s);

    /* 200 levels are fine */
    char *open = repeat("(", 200, "gdp");
    s = repeat(")", 200, "");
    char *both = malloc(strlen(open) + strlen(s) + 1);
    assert_non_null(both);
    strcpy(both, open);
    strcat(both, s);
    check_value(both, 2019, 120);
    free(both);
    free(open);
    free(s);
    s = repeat("-", 200, "1");
    check_value(s, 2019, 1);
    free(s);
}

static void test_err_long_chain(void **state)
{
    (void)state;
    /* a+b+c... is a deep left spine: limited too, so eval cannot overflow */
    char *s = repeat("+1", 999, "");
    char *ok = malloc(strlen(s) + 2);
    assert_non_null(ok);
    sprintf(ok, "1%s", s);
    check_value(ok, 2019, 1000);
    free(ok);
    free(s);
    s = repeat("1+", 5000, "1");
    check_error(s, 1999, 2000, "formula too complex (more than 1000 nested operations)");
    free(s);
}

static void test_err_long_text(void **state)
{
    (void)state;
    /* messages are cut at a character boundary, never mid-UTF-8 */
    char *s = repeat("中", 100, "'");
    char *src = malloc(strlen(s) + 8);
    assert_non_null(src);
    sprintf(src, "gdp '%s", s);
    formula_error err;
    assert_null(formula_parse(src, &env, &err));
    assert_true(utf8_valid(err.msg, strlen(err.msg)));
    assert_non_null(strstr(err.msg, "trailing input after expression: string '中中"));
    assert_non_null(strstr(err.msg, "中... (missing operator?)"));
    free(src);
    free(s);

    s = repeat("x", 5000, "");
    assert_null(formula_parse(s, &env, &err));
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    assert_memory_equal(err.msg, "unknown name 'xxx", 17);
    free(s);
}

/*
 * Every prefix of valid formulas, and every byte after an operator: each
 * must parse or fail cleanly with a position inside the input. Built in
 * exact-size heap buffers so that ASan sees any read past the end.
 */
static void test_prefixes_and_bytes(void **state)
{
    (void)state;
    const char *good[] = {
        "share(response_hours{milestone=\"基本生活救助\"|'初步救助'} <= relief_limit_hours)",
        "sum_years(ps_deaths{sector=\"道路交通\"} / gdp, baseline_start, year - 1) * 1.5e-3",
        "-(lag(gdp, 2) - max(1, abs(-vehicles), 3)) != 2.5 + count(response_hours)",
    };
    for (size_t g = 0; g < sizeof good / sizeof good[0]; g++) {
        size_t n = strlen(good[g]);
        for (size_t len = 0; len <= n; len++) {
            char *src = malloc(len + 1);
            assert_non_null(src);
            memcpy(src, good[g], len);
            src[len] = '\0';
            formula_error err;
            formula *f = formula_parse(src, &env, &err);
            if (len == n)
                assert_non_null(f);
            if (f) {
                formula_eval(f, 2019, &data);
                formula_free(f);
            } else {
                assert_true(err.offset >= 0 && (size_t)err.offset <= len);
                assert_true(err.column >= 1 && err.column <= err.offset + 1);
                assert_true(err.msg[0] != '\0');
            }
            free(src);
        }
    }
    for (int c = 1; c < 256; c++) {
        char *src = malloc(8);
        assert_non_null(src);
        snprintf(src, 8, "gdp+%c", c);
        formula_error err;
        formula *f = formula_parse(src, &env, &err);
        if (f)
            formula_free(f);
        else
            assert_true(err.offset >= 0 && err.offset <= 5 && err.msg[0]);
        free(src);
    }
    formula_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_numbers, reset),
        cmocka_unit_test_setup(test_precedence_and_associativity, reset),
        cmocka_unit_test_setup(test_unary_minus, reset),
        cmocka_unit_test_setup(test_comparisons, reset),
        cmocka_unit_test_setup(test_variables_and_filters, reset),
        cmocka_unit_test_setup(test_params_and_specials, reset),
        cmocka_unit_test_setup(test_division_by_zero, reset),
        cmocka_unit_test_setup(test_missing_propagation, reset),
        cmocka_unit_test_setup(test_overflow_is_undefined, reset),
        cmocka_unit_test_setup(test_prev_and_lag, reset),
        cmocka_unit_test_setup(test_sum_years, reset),
        cmocka_unit_test_setup(test_mean_years, reset),
        cmocka_unit_test_setup(test_min_max_abs, reset),
        cmocka_unit_test_setup(test_count, reset),
        cmocka_unit_test_setup(test_count_if, reset),
        cmocka_unit_test_setup(test_share, reset),
        cmocka_unit_test_setup(test_max_min_row, reset),
        cmocka_unit_test_setup(test_refs, reset),
        cmocka_unit_test_setup(test_is_single_ref, reset),
        cmocka_unit_test_setup(test_is_row_count, reset),
        cmocka_unit_test_setup(test_binding_calls, reset),
        cmocka_unit_test_setup(test_err_parentheses, reset),
        cmocka_unit_test_setup(test_err_operands, reset),
        cmocka_unit_test_setup(test_err_unknown_name, reset),
        cmocka_unit_test_setup(test_err_unknown_function, reset),
        cmocka_unit_test_setup(test_err_arity, reset),
        cmocka_unit_test_setup(test_err_filters, reset),
        cmocka_unit_test_setup(test_err_lag, reset),
        cmocka_unit_test_setup(test_err_row_functions, reset),
        cmocka_unit_test_setup(test_err_strings, reset),
        cmocka_unit_test_setup(test_err_non_ascii, reset),
        cmocka_unit_test_setup(test_err_misc, reset),
        cmocka_unit_test_setup(test_err_deep_nesting, reset),
        cmocka_unit_test_setup(test_err_long_chain, reset),
        cmocka_unit_test_setup(test_err_long_text, reset),
        cmocka_unit_test_setup(test_prefixes_and_bytes, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
