/*
 * test_dataset.c - the data dictionary and region loading (src/dataset.c).
 *
 * Fixtures live in tests/unit/data/ (see its README.md); tests run from the
 * repository root. Error tests check file, line, column and message text.
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
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "sha256.h"
#include "util.h"

#define DATA "tests/unit/data"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * 1 if d holds a diagnostic of level lv in a file whose path ends with
 * file, at line:col (-1: any line or column), whose message contains needle.
 */
static int has_diag(const diag_list *d, diag_level lv, const char *file, int line, int col,
                    const char *needle)
{
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->items[i];
        size_t fl = g->file ? strlen(g->file) : 0, nl = strlen(file);
        if (g->level != lv || !g->file || fl < nl || strcmp(g->file + fl - nl, file) != 0)
            continue;
        if ((line < 0 || g->line == line) && (col < 0 || g->col == col) && strstr(g->msg, needle))
            return 1;
    }
    return 0;
}

#define assert_diag(d, lv, file, line, col, needle)                                         \
    do {                                                                                    \
        if (!has_diag((d), (lv), (file), (line), (col), (needle))) {                        \
            diag_print((d), stderr);                                                        \
            fail_msg("no diagnostic %s:%d:%d containing \"%s\"", (file), (line), (col),     \
                     (needle));                                                             \
        }                                                                                   \
    } while (0)

#define assert_error(d, file, line, col, needle) assert_diag(d, DIAG_ERROR, file, line, col, needle)

static void assert_ok_value(fvalue v, double want)
{
    if (v.state != FV_OK)
        fail_msg("expected %g, got state %d", want, (int)v.state);
    if (fabs(v.v - want) > 1e-9)
        fail_msg("expected %g, got %.17g", want, v.v);
}

static void assert_missing(fvalue v)
{
    if (v.state != FV_MISSING)
        fail_msg("expected MISSING, got state %d value %g", (int)v.state, v.v);
}

static int var_id(const dictionary *dict, const char *name)
{
    int v = dictionary_find_var(dict, name);
    if (v < 0)
        fail_msg("variable %s not in the fixture dictionary", name);
    return v;
}

/* A filter of one dimension; values point at string literals (never freed). */
static formula_filter filter1(const char *dim, char **values, int n)
{
    formula_filter f;
    f.dim = (char *)dim;
    f.values = values;
    f.nvalues = n;
    return f;
}

/* Loaded once for the tests that read the good fixtures. */
typedef struct fixture {
    dictionary dict;
    diag_list dict_diags;
    region_data *r;
    diag_list diags;
    int rc;
} fixture;

static int setup_ok(void **state)
{
    fixture *fx = xcalloc(1, sizeof *fx);
    if (dictionary_load(&fx->dict, DATA "/dict_ok", &fx->dict_diags) != 0) {
        diag_print(&fx->dict_diags, stderr);
        return -1;
    }
    fx->rc = region_load(&fx->r, &fx->dict, DATA "/region_ok", &fx->diags);
    *state = fx;
    return 0;
}

static int teardown_ok(void **state)
{
    fixture *fx = *state;
    region_free(fx->r);
    dictionary_free(&fx->dict);
    diag_free(&fx->diags);
    diag_free(&fx->dict_diags);
    free(fx);
    return 0;
}

/* Load the good dictionary and region dir; the caller frees with free_region(). */
static region_data *load_region(dictionary *dict, const char *dir, diag_list *d, int *rc)
{
    diag_list dd = {0};
    assert_int_equal(dictionary_load(dict, DATA "/dict_ok", &dd), 0);
    diag_free(&dd);
    region_data *r = NULL;
    *rc = region_load(&r, dict, dir, d);
    assert_non_null(r);
    return r;
}

static void free_region(dictionary *dict, region_data *r, diag_list *d)
{
    region_free(r);
    dictionary_free(dict);
    diag_free(d);
}

/* ------------------------------------------------------------------------ */
/* Dictionary                                                                */
/* ------------------------------------------------------------------------ */

static void test_dict_ok(void **state)
{
    fixture *fx = *state;
    const dictionary *dict = &fx->dict;
    assert_int_equal(fx->dict_diags.n, 0);
    /* notes.txt is not a *.yaml file and is not read. */
    assert_int_equal(dict->ntables, 6);
    assert_int_equal(dict->nvars, 12);

    int ti = dictionary_find_table(dict, "accidents");
    assert_true(ti >= 0);
    const table_def *t = &dict->tables[ti];
    assert_string_equal(t->file, "accidents.csv");
    assert_string_equal(t->title, "生产安全事故");
    assert_int_equal(t->layout, LAYOUT_ROWS);
    assert_int_equal(t->ndims, 2);
    assert_string_equal(t->dims[1].name, "sector");
    assert_string_equal(t->dims[1].label, "行业领域");
    assert_int_equal(t->dims[1].nvalues, 5);
    assert_string_equal(t->dims[1].values[2], "道路交通");
    assert_string_equal(t->defined_in, DATA "/dict_ok/10_tables.yaml");
    assert_int_equal(t->line, 7);
    assert_int_equal(dictionary_find_table(dict, "nope"), -1);

    assert_int_equal(dict->tables[dictionary_find_table(dict, "registers")].layout, LAYOUT_LONG);
    assert_int_equal(dict->tables[dictionary_find_table(dict, "events")].layout, LAYOUT_EVENTS);
    assert_int_equal(dict->tables[dictionary_find_table(dict, "reserves")].dims[0].nvalues, 0);

    const var_def *v = &dict->vars[var_id(dict, "gdp")];
    assert_string_equal(v->label, "地区生产总值");
    assert_string_equal(v->unit, "亿元");
    assert_int_equal(v->kind, VK_AMOUNT);
    assert_int_equal(v->table, dictionary_find_table(dict, "economy"));
    assert_string_equal(v->defined_in, DATA "/dict_ok/10_tables.yaml");
    assert_int_equal(v->line, 29);
    assert_string_equal(dict->vars[var_id(dict, "temp")].note, "年平均气温");
    assert_null(dict->vars[var_id(dict, "temp")].label);

    /* Declared in the first file, its table in the second. */
    v = &dict->vars[var_id(dict, "villages")];
    assert_int_equal(v->table, dictionary_find_table(dict, "registers"));
    assert_int_equal(dictionary_find_var(dict, "Gdp"), -1);
}

static void test_dict_real(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    assert_int_equal(dictionary_load(&dict, "data/variables", &d), 0);
    assert_int_equal(d.n, 0);
    int v = var_id(&dict, "response_hours");
    assert_int_equal(dict.vars[v].kind, VK_HOURS);
    assert_int_equal(dict.tables[dict.vars[v].table].layout, LAYOUT_EVENTS);
    dictionary_free(&dict);
    diag_free(&d);
}

static void test_dict_duplicates(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    assert_int_equal(dictionary_load(&dict, DATA "/dict_dup", &d), -1);
    assert_int_equal(diag_errors(&d), 2);
    assert_error(&d, "dict_dup/b.yaml", 3, 3,
                 "table economy is already declared at " DATA "/dict_dup/a.yaml:2:3");
    assert_error(&d, "dict_dup/b.yaml", 6, 3,
                 "variable gdp is already declared at " DATA "/dict_dup/a.yaml:4:3");
    /* The first declarations stand. */
    assert_string_equal(dict.tables[0].file, "economy.csv");
    assert_int_equal(dict.nvars, 2);
    dictionary_free(&dict);
    diag_free(&d);
}

/* A column name is taken by an earlier variable's name or label in its own
 * table only, and the message names the first variable that has it. */
static void test_dict_header_taken(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    const char *a = "dict_headers/a.yaml";
    assert_int_equal(dictionary_load(&dict, DATA "/dict_headers", &d), -1);
    assert_error(&d, a, 8, 38, "variable c: column name 'a' is already variable a (" DATA
                               "/dict_headers/a.yaml:6)");
    assert_error(&d, a, 9, 38, "variable d: column name '甲' is already variable a (" DATA
                               "/dict_headers/a.yaml:6)");
    assert_error(&d, a, 11, 38, "variable f: column name 'b' is already variable b (" DATA
                                "/dict_headers/a.yaml:7)");
    assert_int_equal(diag_errors(&d), 3);
    /* b (another table's 甲) and e (a is t1's) stand, and are found by name. */
    assert_int_equal(dict.nvars, 3);
    assert_int_equal(dictionary_find_var(&dict, "a"), 0);
    assert_int_equal(dictionary_find_var(&dict, "b"), 1);
    assert_int_equal(dictionary_find_var(&dict, "e"), 2);
    assert_int_equal(dictionary_find_var(&dict, "c"), -1);
    dictionary_free(&dict);
    diag_free(&d);
}

static void test_dict_errors(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    const char *a = "dict_bad/a_bad.yaml", *b = "dict_bad/b_types.yaml",
               *c = "dict_bad/c_hours.yaml";
    assert_int_equal(dictionary_load(&dict, DATA "/dict_bad", &d), -1);
    assert_error(&d, a, 5, 5, "table economy: unknown key 'colour'");
    assert_error(&d, a, 6, 3, "events table events needs one variable of kind hours");
    assert_error(&d, a, 9, 3, "table name 'Bad-Name' must be lower-case ASCII");
    assert_error(&d, a, 13, 11, "file 'data/weird.txt' must be a plain file name ending in .csv");
    assert_error(&d, a, 14, 13, "unknown layout 'wide'");
    assert_error(&d, a, 17, 31, "variable pop: unknown kind 'number'");
    assert_error(&d, a, 18, 14, "variable x: unknown table 'econmy' (did you mean economy?)");
    assert_error(&d, a, 19, 3, "variable name 'GDP2' must be lower-case ASCII");
    assert_error(&d, a, 20, 31, "kind hours is computed from event times and needs an events table");
    assert_error(&d, a, 21, 45, "variable lbl: column name 'gdp' is already variable gdp");
    assert_error(&d, a, 22, 42, "'unit' must be text, not a list");
    assert_error(&d, a, 23, 6, "missing required key 'kind'");
    assert_error(&d, b, 1, 9, "'tables' must be a mapping");
    assert_error(&d, b, 2, 12, "'variables' must be a mapping");
    assert_error(&d, b, 3, 1, "dictionary: unknown key 'extra'");
    assert_error(&d, c, 3, 48, "a yearly table has one row per year and no dimensions");
    assert_error(&d, c, 4, 19, "file ev2.csv is already the file of table ev2");
    assert_error(&d, c, 4, 49, "dimension year: 'year' is a reserved column name");
    assert_error(&d, c, 7, 26, "table ev2 already has its hours variable h1");
    assert_int_equal(diag_errors(&d), 19);
    /* Variables with errors are left out: every var_def has a real table. */
    for (int i = 0; i < dict.nvars; i++)
        assert_true(dict.vars[i].table >= 0 && dict.vars[i].table < dict.ntables);
    dictionary_free(&dict);
    diag_free(&d);
}

/* milestone_statuses: one word per role, declared once (docs/data-files.md). */
static void test_dict_ms_statuses(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    const char *a = "dict_ms/a.yaml", *b = "dict_ms/b.yaml";
    assert_int_equal(dictionary_load(&dict, DATA "/dict_ms", &d), -1);
    diag_print(&d, stderr);
    assert_error(&d, a, 9, 3, "milestone_statuses: unknown key 'colour'");
    assert_error(&d, a, 8, 20, "milestone_statuses: '达成' is already the word for achieved");
    assert_error(&d, a, 4, 3, "missing required key 'not_achieved'");
    assert_error(&d, b, 1, 21, "milestone_statuses are already declared at " DATA "/dict_ms/a.yaml:4");
    assert_int_equal(diag_errors(&d), 4);
    assert_int_equal(ms_role_of(&dict, "已完成"), MSS_DONE);
    assert_int_equal(ms_role_of(&dict, "达成"), MSS_ACHIEVED);
    assert_int_equal(ms_role_of(&dict, "完成"), -1);
    dictionary_free(&dict);
    diag_free(&d);
    /* the shared dictionary: the six words planeval used to carry in its code */
    assert_int_equal(dictionary_load(&dict, "data/variables", &d), 0);
    static const char *const words[MSS_COUNT] = {"未启动", "推进中", "已完成", "达成", "基本达成",
                                                 "未达成"};
    for (int i = 0; i < MSS_COUNT; i++)
        assert_int_equal(ms_role_of(&dict, words[i]), i);
    dictionary_free(&dict);
    diag_free(&d);
}

static void test_dict_missing_dir(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    assert_int_equal(dictionary_load(&dict, DATA "/no_such_dir", &d), -1);
    assert_error(&d, "no_such_dir", 0, 0, "cannot read the dictionary directory");
    assert_int_equal(dict.ntables, 0);
    dictionary_free(&dict);
    diag_free(&d);
}

static void test_dict_suggest(void **state)
{
    fixture *fx = *state;
    char buf[128];
    dictionary_suggest(&fx->dict, "ps_death", buf, sizeof buf);
    assert_string_equal(buf, "ps_deaths");
    dictionary_suggest(&fx->dict, "village", buf, sizeof buf);
    assert_string_equal(buf, "villages");
    dictionary_suggest(&fx->dict, "drill", buf, sizeof buf);
    assert_string_equal(buf, "drills");
    /* Within max(2, len/3) edits only; several: nearest first, ties in declaration order. */
    dictionary_suggest(&fx->dict, "po", buf, sizeof buf);
    assert_string_equal(buf, "pop");
    dictionary_suggest(&fx->dict, "tmp", buf, sizeof buf);
    assert_string_equal(buf, "temp, gdp, pop");
    dictionary_suggest(&fx->dict, "completely_unrelated", buf, sizeof buf);
    assert_string_equal(buf, "");
    /* A tiny buffer is truncated, never overrun. */
    char small[4];
    dictionary_suggest(&fx->dict, "ps_death", small, sizeof small);
    assert_true(strlen(small) < sizeof small);
}

static void test_dict_check_filter(void **state)
{
    fixture *fx = *state;
    const dictionary *dict = &fx->dict;
    char msg[512];
    int deaths = var_id(dict, "ps_deaths");
    assert_int_equal(dictionary_check_filter(dict, deaths, "sector", "道路交通", msg, sizeof msg), 0);
    assert_int_equal(dictionary_check_filter(dict, deaths, "grade", NULL, msg, sizeof msg), 0);

    assert_int_equal(dictionary_check_filter(dict, deaths, "sectr", "道路交通", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "no dimension 'sectr'"));
    assert_non_null(strstr(msg, "did you mean sector?"));
    assert_non_null(strstr(msg, "(its dimensions: grade, sector)"));

    assert_int_equal(dictionary_check_filter(dict, deaths, "sector", "道路", msg, sizeof msg), -1);
    assert_string_equal(msg, "'道路' is not a value of sector (values: 工矿商贸, 煤矿, 道路交通, 火灾, 其他)");

    /* A dimension without enumerated values takes any text. */
    int qty = var_id(dict, "reserve_qty");
    assert_int_equal(dictionary_check_filter(dict, qty, "item", "任何物资", msg, sizeof msg), 0);

    int gdp = var_id(dict, "gdp");
    assert_int_equal(dictionary_check_filter(dict, gdp, "sector", "煤矿", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "gdp has no dimensions"));
}

static void test_var_kind_name(void **state)
{
    (void)state;
    assert_string_equal(var_kind_name(VK_COUNT), "count");
    assert_string_equal(var_kind_name(VK_AMOUNT), "amount");
    assert_string_equal(var_kind_name(VK_SHARE), "share");
    assert_string_equal(var_kind_name(VK_FLAG), "flag");
    assert_string_equal(var_kind_name(VK_VALUE), "value");
    assert_string_equal(var_kind_name(VK_HOURS), "hours");
}

/* ------------------------------------------------------------------------ */
/* A good region                                                             */
/* ------------------------------------------------------------------------ */

static void test_region_ok_loads(void **state)
{
    fixture *fx = *state;
    if (fx->rc != 0)
        diag_print(&fx->diags, stderr);
    assert_int_equal(fx->rc, 0);
    assert_int_equal(diag_errors(&fx->diags), 0);
    assert_string_equal(region_dir(fx->r), DATA "/region_ok");

    /* CSV files that no table reads are reported, not loaded. */
    assert_int_equal(diag_warnings(&fx->diags), 2);
    assert_diag(&fx->diags, DIAG_WARNING, "region_ok/extra.csv", 0, 0, "not used");
    assert_diag(&fx->diags, DIAG_WARNING, "region_ok/Drills.CSV", 0, 0, "did you mean drills.csv?");

    static const struct { const char *path, *enc; int rows; } want[] = {
        {DATA "/region_ok/economy.csv", "UTF-8", 3},
        {DATA "/region_ok/accidents.csv", "UTF-8 with BOM", 5},
        {DATA "/region_ok/events.csv", "UTF-8", 5},
        {DATA "/region_ok/reserves.csv", "GB18030", 3},
        {DATA "/region_ok/registers.csv", "UTF-8", 3},
        {DATA "/region_ok/milestones.csv", "UTF-8", 5},
    };
    assert_int_equal(region_file_count(fx->r), 6); /* provenance.yaml is not a table */
    for (int i = 0; i < 6; i++) {
        const char *path, *enc;
        int rows;
        region_file_info(fx->r, i, &path, &enc, &rows);
        assert_string_equal(path, want[i].path);
        assert_string_equal(enc, want[i].enc);
        assert_int_equal(rows, want[i].rows);
    }

    const data_provenance *pv = region_provenance(fx->r);
    assert_non_null(pv);
    assert_int_equal(pv->declared, 1);
    assert_int_equal(pv->illustrative, 1);
    assert_string_equal(pv->statement, "本评估所用数据均为示例数据。");
    assert_string_equal(pv->sources, "单元测试");
}

/* provenance.yaml: absent (declared 0), official figures, and mistakes located. */
static void test_provenance(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/region_bad_ms", &d, &rc);
    const data_provenance *pv = region_provenance(r);
    assert_non_null(pv);
    assert_int_equal(pv->declared, 0);
    assert_null(pv->statement);
    free_region(&dict, r, &d);

    r = load_region(&dict, DATA "/region_prov_official", &d, &rc);
    assert_int_equal(rc, 0);
    pv = region_provenance(r);
    assert_int_equal(pv->declared, 1);
    assert_int_equal(pv->illustrative, 0);
    assert_null(pv->statement); /* not required when the figures are official */
    assert_null(pv->sources);
    free_region(&dict, r, &d);

    r = load_region(&dict, DATA "/region_bad_prov", &d, &rc);
    const char *e = "region_bad_prov/provenance.yaml";
    assert_int_equal(rc, -1);
    assert_error(&d, e, 1, 15, "'illustrative' must be true or false, not '是'");
    assert_error(&d, e, 2, 1, "provenance: unknown key 'statment' (did you mean 'statement'?)");
    assert_error(&d, e, 3, 10, "'sources' must be text");
    assert_int_equal(diag_errors(&d), 3);
    pv = region_provenance(r);
    assert_int_equal(pv->declared, 0); /* a file with errors declares nothing */
    assert_null(pv->sources);
    free_region(&dict, r, &d);
}

static void count_row(void *acc, fvalue v)
{
    (void)v;
    (*(int *)acc)++;
}

static void test_yearly(void **state)
{
    fixture *fx = *state;
    const dictionary *dict = &fx->dict;
    region_data *r = fx->r;
    int gdp = var_id(dict, "gdp"), share = var_id(dict, "urban_share"), temp = var_id(dict, "temp");

    /* Header "地区生产总值" is gdp's label. */
    assert_ok_value(region_value(r, gdp, NULL, 0, 2020, NULL, NULL), 350.5);
    /* Zero is a value; an empty cell is missing; an absent year is missing. */
    assert_ok_value(region_value(r, gdp, NULL, 0, 2022, NULL, NULL), 0);
    assert_missing(region_value(r, share, NULL, 0, 2021, NULL, NULL));
    assert_ok_value(region_value(r, share, NULL, 0, 2022, NULL, NULL), 62);
    assert_missing(region_value(r, gdp, NULL, 0, 2023, NULL, NULL));
    assert_missing(region_value(r, gdp, NULL, 0, 1800, NULL, NULL));
    assert_ok_value(region_value(r, temp, NULL, 0, 2020, NULL, NULL), -3.5);

    assert_true(region_has_table(r, gdp));
    assert_true(region_year_covered(r, share, 2021));
    assert_false(region_year_covered(r, gdp, 2019));
    int first = 0, last = 0;
    assert_int_equal(region_var_years(r, gdp, &first, &last), 1);
    assert_int_equal(first, 2020);
    assert_int_equal(last, 2022);

    int n = 0;
    assert_int_equal(region_rows(r, share, NULL, 0, 2021, count_row, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(region_rows(r, share, NULL, 0, 2023, count_row, &n), -1);
    assert_int_equal(n, 1);
}

typedef struct src_log {
    int n;
    int lines[16];
    fv_state states[16];
    char path[256];
} src_log;

static void log_source(void *ctx, const char *path, int line, fvalue v)
{
    src_log *s = ctx;
    if (s->n < 16) {
        s->lines[s->n] = line;
        s->states[s->n] = v.state;
    }
    s->n++;
    snprintf(s->path, sizeof s->path, "%s", path);
}

static void test_rows_filters(void **state)
{
    fixture *fx = *state;
    const dictionary *dict = &fx->dict;
    region_data *r = fx->r;
    int acc = var_id(dict, "ps_accidents"), deaths = var_id(dict, "ps_deaths");

    assert_ok_value(region_value(r, acc, NULL, 0, 2021, NULL, NULL), 13);
    /* The 火灾 row's deaths cell is empty: the unfiltered sum is missing. */
    assert_missing(region_value(r, deaths, NULL, 0, 2021, NULL, NULL));

    char *road_ind[] = {"道路交通", "工矿商贸"};
    formula_filter f = filter1("sector", road_ind, 2);
    assert_ok_value(region_value(r, deaths, &f, 1, 2021, NULL, NULL), 4);

    char *coal[] = {"煤矿"}, *larger[] = {"较大", "重大", "特别重大"};
    formula_filter two[2] = {filter1("sector", coal, 1), filter1("grade", larger, 3)};
    assert_ok_value(region_value(r, deaths, two, 2, 2021, NULL, NULL), 4);

    /* Covered year, no matching row: zero, not missing. */
    char *major[] = {"重大"};
    formula_filter g = filter1("grade", major, 1);
    assert_ok_value(region_value(r, deaths, &g, 1, 2021, NULL, NULL), 0);
    assert_ok_value(region_value(r, deaths, NULL, 0, 2022, NULL, NULL), 0);
    /* A value never seen, or a dimension the table lacks, matches nothing. */
    char *odd[] = {"不存在"};
    formula_filter h = filter1("sector", odd, 1), nodim = filter1("colour", odd, 1);
    assert_ok_value(region_value(r, deaths, &h, 1, 2021, NULL, NULL), 0);
    assert_ok_value(region_value(r, deaths, &nodim, 1, 2021, NULL, NULL), 0);
    /* Not covered: missing whatever the filter. */
    assert_missing(region_value(r, deaths, &f, 1, 2023, NULL, NULL));

    int n = 0;
    assert_int_equal(region_rows(r, deaths, NULL, 0, 2021, count_row, &n), 4);
    n = 0;
    assert_int_equal(region_rows(r, deaths, &g, 1, 2021, count_row, &n), 0);
    assert_int_equal(region_rows(r, deaths, &g, 1, 2020, count_row, &n), -1);
    assert_int_equal(n, 0);

    /* Provenance: each contributing row with its line, missing ones too. */
    src_log log = {0};
    region_value(r, deaths, &f, 1, 2021, log_source, &log);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.lines[0], 2);
    assert_int_equal(log.lines[1], 3);
    assert_string_equal(log.path, DATA "/region_ok/accidents.csv");
    memset(&log, 0, sizeof log);
    region_value(r, deaths, NULL, 0, 2021, log_source, &log);
    assert_int_equal(log.n, 4);
    assert_int_equal(log.lines[3], 5);
    assert_int_equal(log.states[3], FV_MISSING);
}

/* Many alternatives: the filter's ids no longer fit the matcher's own buffer. */
static void test_filter_many_values(void **state)
{
    fixture *fx = *state;
    int deaths = var_id(&fx->dict, "ps_deaths");
    char *vals[100];
    for (int i = 0; i < 100; i++)
        vals[i] = i % 2 ? "道路交通" : "未知";
    formula_filter f = filter1("sector", vals, 100);
    assert_ok_value(region_value(fx->r, deaths, &f, 1, 2021, NULL, NULL), 3);
}

typedef struct collect {
    int n;
    fvalue v[16];
} collect;

static void collect_row(void *acc, fvalue v)
{
    collect *c = acc;
    if (c->n < 16)
        c->v[c->n] = v;
    c->n++;
}

static void test_events_hours(void **state)
{
    fixture *fx = *state;
    region_data *r = fx->r;
    int hours = var_id(&fx->dict, "response_hours");

    /* 2023: four events (2023-03 starts on 31 Dec); 2024: one. */
    collect c = {0};
    assert_int_equal(region_rows(r, hours, NULL, 0, 2023, collect_row, &c), 4);
    assert_ok_value(c.v[0], 3.5);         /* 22:00 -> 01:30 next day */
    assert_ok_value(c.v[1], 32.25);       /* 30 Jul 22:00 -> 1 Aug 06:15:00 */
    assert_ok_value(c.v[2], 40.0 / 60.0); /* 31 Dec 23:30 -> 1 Jan 00:10 */
    assert_missing(c.v[3]);               /* no end yet */

    memset(&c, 0, sizeof c);
    assert_int_equal(region_rows(r, hours, NULL, 0, 2024, collect_row, &c), 1);
    assert_ok_value(c.v[0], 26); /* 2024/2/28 23:00 -> 2024/3/1 1:00, leap year */

    char *first_aid[] = {"初步救助"};
    formula_filter f = filter1("milestone", first_aid, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(region_rows(r, hours, &f, 1, 2023, collect_row, &c), 3);
    char *relief[] = {"基本生活救助"};
    formula_filter g = filter1("milestone", relief, 1);
    assert_ok_value(region_value(r, hours, &g, 1, 2023, NULL, NULL), 32.25);
    /* The sum includes the event without an end: missing. */
    assert_missing(region_value(r, hours, &f, 1, 2023, NULL, NULL));

    char *fire[] = {"森林火灾"};
    formula_filter k = filter1("kind", fire, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(region_rows(r, hours, &k, 1, 2023, collect_row, &c), 0);
    assert_int_equal(region_rows(r, hours, &k, 1, 2025, collect_row, &c), -1);
    int first, last;
    assert_int_equal(region_var_years(r, hours, &first, &last), 1);
    assert_int_equal(first, 2023);
    assert_int_equal(last, 2024);
}

static void test_gb18030_rows(void **state)
{
    fixture *fx = *state;
    region_data *r = fx->r;
    int qty = var_id(&fx->dict, "reserve_qty");
    char *grain[] = {"成品粮"}, *tent[] = {"帐篷"}, *phys[] = {"实物"}, *other[] = {"协议", "代储"};
    formula_filter f = filter1("item", grain, 1);
    assert_ok_value(region_value(r, qty, &f, 1, 2025, NULL, NULL), 200000);
    formula_filter two[2] = {filter1("item", tent, 1), filter1("mode", phys, 1)};
    assert_ok_value(region_value(r, qty, two, 2, 2025, NULL, NULL), 300);
    formula_filter m = filter1("mode", other, 2);
    assert_ok_value(region_value(r, qty, &m, 1, 2025, NULL, NULL), 80000);
    assert_ok_value(region_value(r, qty, NULL, 0, 2025, NULL, NULL), 200300);
}

static void test_long_layout(void **state)
{
    fixture *fx = *state;
    region_data *r = fx->r;
    int vil = var_id(&fx->dict, "villages"), cov = var_id(&fx->dict, "villages_covered");
    assert_ok_value(region_value(r, vil, NULL, 0, 2025, NULL, NULL), 340);
    assert_ok_value(region_value(r, vil, NULL, 0, 2024, NULL, NULL), 338);
    /* Named by its label, with an empty value: missing. */
    assert_missing(region_value(r, cov, NULL, 0, 2025, NULL, NULL));
    assert_true(region_year_covered(r, cov, 2025));
    /* A long table covers a year per variable. */
    assert_false(region_year_covered(r, cov, 2024));
    assert_missing(region_value(r, cov, NULL, 0, 2024, NULL, NULL));
    int n = 0;
    assert_int_equal(region_rows(r, cov, NULL, 0, 2024, count_row, &n), -1);
    int first, last;
    assert_int_equal(region_var_years(r, vil, &first, &last), 1);
    assert_int_equal(first, 2024);
    assert_int_equal(last, 2025);
    assert_int_equal(region_var_years(r, cov, &first, &last), 1);
    assert_int_equal(first, 2025);
    assert_int_equal(last, 2025);
}

static void test_absent_table(void **state)
{
    fixture *fx = *state;
    region_data *r = fx->r;
    int drills = var_id(&fx->dict, "drills");
    assert_false(region_has_table(r, drills));
    assert_missing(region_value(r, drills, NULL, 0, 2021, NULL, NULL));
    int n = 0, first, last;
    assert_int_equal(region_rows(r, drills, NULL, 0, 2021, count_row, &n), -1);
    assert_int_equal(region_var_years(r, drills, &first, &last), 0);
    assert_false(region_year_covered(r, drills, 2021));
    /* Out-of-range variable ids are not a crash. */
    assert_missing(region_value(r, -1, NULL, 0, 2021, NULL, NULL));
    assert_missing(region_value(r, fx->dict.nvars, NULL, 0, 2021, NULL, NULL));
}

/*
 * The files read keep the digests of their bytes (inputs.sha256 lists
 * them, manifest.h); an absent table has none. A table's file that is
 * there but no file (a directory) is an error, not an absent table: the
 * loader opens the files without a stat first.
 */
static void test_file_digests(void **state)
{
    fixture *fx = *state;
    const char *files[] = {"economy.csv", "accidents.csv", "milestones.csv", "provenance.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = xasprintf(DATA "/region_ok/%s", files[i]);
        char hex[65];
        assert_int_equal(sha256_file(path, hex), 0);
        const char *got = region_file_digest(fx->r, path);
        assert_non_null(got);
        assert_string_equal(got, hex);
        free(path);
    }
    assert_null(region_file_digest(fx->r, DATA "/region_ok/drills.csv"));
    char hex[65];
    assert_int_equal(sha256_file(DATA "/dict_ok/10_tables.yaml", hex), 0);
    assert_string_equal(dictionary_file_digest(&fx->dict, DATA "/dict_ok/10_tables.yaml"), hex);

    char dir[] = "/tmp/test_dataset_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *sub = xasprintf("%s/economy.csv", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, dir, &d, &rc);
    assert_int_equal(rc, -1);
    assert_int_equal(diag_errors(&d), 1);
    assert_string_equal(d.items[0].file, sub);
    free_region(&dict, r, &d);
    rmdir(sub);
    rmdir(dir);
    free(sub);
}

static void test_milestones(void **state)
{
    fixture *fx = *state;
    const milestone_record *m;
    int n = region_milestones(fx->r, "p1", "C2", &m);
    assert_int_equal(n, 3);
    /* Oldest first; equal dates keep file order. */
    assert_int_equal(m[0].year, 2022);
    assert_int_equal(m[0].month, 12);
    assert_int_equal(m[0].day, 31);
    assert_int_equal(m[0].line, 3); /* "2022" means 31 December */
    assert_string_equal(m[0].status, "推进中");
    assert_int_equal(m[0].role, MSS_IN_PROGRESS);
    assert_int_equal(m[1].line, 6);
    assert_string_equal(m[1].evidence, "同日第二条");
    assert_int_equal(m[2].year, 2023);
    assert_int_equal(m[2].month, 6);
    assert_int_equal(m[2].day, 30);
    assert_string_equal(m[2].status, "已完成");
    assert_int_equal(m[2].role, MSS_DONE);
    assert_string_equal(m[2].path, DATA "/region_ok/milestones.csv");

    assert_int_equal(region_milestones(fx->r, "p1", "C1", &m), 1);
    assert_int_equal(m[0].month, 3); /* 2021/3/5 as Excel writes it */
    assert_int_equal(m[0].day, 5);
    assert_int_equal(region_milestones(fx->r, "p1", "C9", &m), 0);
    assert_int_equal(region_milestones(fx->r, "p9", "C2", &m), 0);

    assert_int_equal(region_all_milestones(fx->r, &m), 5);
    assert_string_equal(m[0].plan_id, "p0");
    assert_string_equal(m[0].evidence, "网络安全事件12起, 均在时限内处置");
    assert_string_equal(m[0].status, "基本达成");
}

/* ------------------------------------------------------------------------ */
/* Bad regions                                                               */
/* ------------------------------------------------------------------------ */

static void test_bad_values(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/region_bad_values", &d, &rc);
    const char *e = "region_bad_values/economy.csv", *a = "region_bad_values/accidents.csv";
    assert_int_equal(rc, -1);
    assert_error(&d, e, 2, 2, "gdp: 'abc' is not a number");
    assert_error(&d, e, 3, 3, "pop: '-3' must be a whole number >= 0 (kind count)");
    assert_error(&d, e, 3, 4, "urban_share: '101' must be between 0 and 100");
    assert_error(&d, e, 3, 5, "major_year: '2' must be 0 or 1 (kind flag)");
    assert_error(&d, e, 4, 1, "year 2021 appears twice (first at line 3)");
    assert_error(&d, e, 5, 1, "year 1900 is outside 1949..2100");
    assert_error(&d, e, 6, 0, "this row has 5 fields, the header has 6");
    assert_error(&d, e, 7, 1, "year: '20x3' is not a year");
    assert_error(&d, e, 8, 2, "gdp: '1,23' is not a number (thousands separators must group three digits");
    /* 95% in a share column is 95 (docs/data-files.md); % elsewhere is refused */
    assert_error(&d, e, 8, 6, "temp: '9,5%' is not a number ('%' is allowed only on a share");
    assert_error(&d, e, 9, 3, "pop: '1.5' must be a whole number >= 0");
    assert_error(&d, a, 2, 3, "sector: '道路' is not one of 工矿商贸, 煤矿, 道路交通, 火灾, 其他");
    assert_error(&d, a, 3, 2, "grade is empty (one of 一般, 较大, 重大, 特别重大)");
    assert_int_equal(diag_errors(&d), 13);
    const char *path;
    int rows;
    region_file_info(r, 0, &path, NULL, &rows);
    assert_string_equal(path, DATA "/region_bad_values/economy.csv");
    assert_int_equal(rows, 8); /* every data row, good or bad */

    /* Good cells of rows with a bad cell still load; the bad cell is missing. */
    int gdp = var_id(&dict, "gdp"), pop = var_id(&dict, "pop");
    assert_missing(region_value(r, gdp, NULL, 0, 2020, NULL, NULL));
    assert_ok_value(region_value(r, pop, NULL, 0, 2020, NULL, NULL), 470000);
    /* The first 2021 row counts, the duplicate does not. */
    assert_ok_value(region_value(r, gdp, NULL, 0, 2021, NULL, NULL), 392.6);
    /* Rows with a bad dimension value are dropped. */
    assert_ok_value(region_value(r, var_id(&dict, "ps_deaths"), NULL, 0, 2021, NULL, NULL), 1);
    free_region(&dict, r, &d);
}

static void test_bad_header(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/region_bad_header", &d, &rc);
    const char *e = "region_bad_header/economy.csv";
    assert_int_equal(rc, -1);
    assert_error(&d, e, 1, 2, "unknown column 'gpd' (did you mean gdp?)");
    assert_error(&d, e, 1, 3, "column 'ps_deaths' is variable ps_deaths of table accidents: it belongs in accidents.csv");
    assert_error(&d, e, 1, 5, "column '常住人口' repeats column 4");
    assert_error(&d, e, 1, 8, "unknown column '城镇化' (did you mean 城镇化率?)");
    assert_error(&d, e, 3, 7, "'x' is in a column without a header");
    assert_error(&d, "region_bad_header/accidents.csv", 1, 0, "missing column 'sector' (or '行业领域')");
    const char *ev = "region_bad_header/events.csv";
    assert_error(&d, ev, 1, 5, "response_hours is computed from the start and end columns");
    assert_error(&d, ev, 1, 6, "an event's year is the year of its start");
    assert_error(&d, ev, 1, 0, "missing column 'end' (or '结束时间')");
    assert_error(&d, "region_bad_header/registers.csv", 1, 4,
                 "registers.csv is a long table, one row per year and variable");
    assert_int_equal(diag_errors(&d), 10);
    /* Known columns of a header with unknown ones are still read. */
    assert_ok_value(region_value(r, var_id(&dict, "pop"), NULL, 0, 2021, NULL, NULL), 3);
    /* A file missing a required column yields no rows. */
    assert_true(region_has_table(r, var_id(&dict, "ps_deaths")));
    assert_missing(region_value(r, var_id(&dict, "ps_deaths"), NULL, 0, 2021, NULL, NULL));
    free_region(&dict, r, &d);
}

static void test_bad_events(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/region_bad_events", &d, &rc);
    const char *e = "region_bad_events/events.csv";
    assert_int_equal(rc, -1);
    assert_error(&d, e, 2, 5, "end 2023-07-30 05:59 is before start 2023-07-30 06:00");
    assert_error(&d, e, 3, 4, "start: '2023-02-29 06:00' is not a time");
    assert_error(&d, e, 4, 5, "end: '2023-07-30 25:00' is not a time");
    assert_error(&d, e, 5, 1, "event_id is empty");
    assert_error(&d, e, 6, 2, "kind: '台风' is not one of 自然灾害, 森林火灾, 其他");
    assert_error(&d, e, 7, 4, "start: '2023-07-30' is not a time");
    assert_error(&d, e, 8, 4, "start: year 1948 is outside 1949..2100");
    assert_int_equal(diag_errors(&d), 7);
    /* Rows kept: e1 (end missing), e3 (end missing), e8 (zero hours). */
    collect c = {0};
    assert_int_equal(region_rows(r, var_id(&dict, "response_hours"), NULL, 0, 2023, collect_row, &c), 3);
    assert_missing(c.v[0]);
    assert_missing(c.v[1]);
    assert_ok_value(c.v[2], 0);
    free_region(&dict, r, &d);
}

static void test_bad_long(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/region_bad_long", &d, &rc);
    const char *e = "region_bad_long/registers.csv";
    assert_int_equal(rc, -1);
    assert_error(&d, e, 3, 2, "villages: year 2025 appears twice (first at line 2)");
    assert_error(&d, e, 4, 2, "unknown variable 'vilages' for table registers (did you mean villages?)");
    assert_error(&d, e, 5, 2, "variable gdp belongs to table economy (economy.csv)");
    assert_error(&d, e, 6, 3, "villages_covered: '-1' must be a whole number >= 0");
    /* The label names the same variable as its name. */
    assert_error(&d, e, 8, 2, "villages: year 2024 appears twice (first at line 7)");
    /* An unknown name met again keeps its suggestion; another gets its own. */
    assert_error(&d, e, 9, 2, "unknown variable 'vilages' for table registers (did you mean villages?)");
    assert_error(&d, e, 10, 2,
                 "unknown variable 'villages_coverd' for table registers (did you mean "
                 "villages_covered?)");
    assert_int_equal(diag_errors(&d), 7);
    free_region(&dict, r, &d);
}

static void test_bad_milestones(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/region_bad_ms", &d, &rc);
    const char *e = "region_bad_ms/milestones.csv";
    assert_int_equal(rc, -1);
    assert_error(&d, e, 1, 6, "unknown column 'remark'");
    assert_error(&d, e, 2, 3, "as_of: '2023-13-01' is not a date");
    assert_error(&d, e, 3, 4, "status: '完成' is not one of 未启动, 推进中, 已完成, 达成, 基本达成, 未达成");
    assert_error(&d, e, 4, 1, "plan_id is empty");
    assert_int_equal(diag_errors(&d), 4);
    const milestone_record *m;
    assert_int_equal(region_all_milestones(r, &m), 1);
    assert_int_equal(m[0].line, 5);
    free_region(&dict, r, &d);
}

/* The CSV reader's refusal is reported with the path; the table counts as absent. */
static void test_bad_encoding(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/region_bad_enc", &d, &rc);
    assert_int_equal(rc, -1);
    assert_int_equal(diag_errors(&d), 1);
    assert_error(&d, "region_bad_enc/economy.csv", -1, -1, "UTF-16");
    assert_false(region_has_table(r, var_id(&dict, "gdp")));
    assert_int_equal(region_file_count(r), 0);
    free_region(&dict, r, &d);
}

static void test_region_missing_dir(void **state)
{
    (void)state;
    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, DATA "/no_such_region", &d, &rc);
    assert_int_equal(rc, -1);
    assert_error(&d, "no_such_region", 0, 0, "cannot read the data directory");
    assert_int_equal(region_file_count(r), 0);
    assert_missing(region_value(r, var_id(&dict, "gdp"), NULL, 0, 2021, NULL, NULL));
    free_region(&dict, r, &d);
}

/* ------------------------------------------------------------------------ */
/* A larger generated region: free-text dims with many distinct values       */
/* ------------------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_many_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/planeval_test_dataset_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/drills.csv", dir);
    strbuf b;
    sb_init(&b);
    sb_add(&b, "year,单位名称,演练次数\n");
    /* 600 units x 10 years, years in descending order in the file. */
    for (int y = 2030; y >= 2021; y--)
        for (int u = 0; u < 600; u++)
            sb_printf(&b, "%d,单位%03d,%d\n", y, u, u % 7);
    write_file(path, b.s);
    sb_free(&b);

    dictionary dict;
    diag_list d = {0};
    int rc;
    region_data *r = load_region(&dict, dir, &d, &rc);
    assert_int_equal(rc, 0);
    int drills = var_id(&dict, "drills");
    int first, last;
    assert_int_equal(region_var_years(r, drills, &first, &last), 1);
    assert_int_equal(first, 2021);
    assert_int_equal(last, 2030);
    double total = 0;
    for (int u = 0; u < 600; u++)
        total += u % 7;
    char name[32];
    for (int y = 2021; y <= 2030; y++) {
        assert_ok_value(region_value(r, drills, NULL, 0, y, NULL, NULL), total);
        snprintf(name, sizeof name, "单位%03d", y - 2000 + 500);
        char *vals[] = {name, "单位005"};
        formula_filter f = filter1("unit_name", vals, 2);
        assert_ok_value(region_value(r, drills, &f, 1, y, NULL, NULL), (y - 2000 + 500) % 7 + 5);
        src_log log = {0};
        region_value(r, drills, &f, 1, y, log_source, &log);
        assert_int_equal(log.n, 2);
        /* Lines follow the file: the year block of y starts after 2030 - y blocks. */
        assert_int_equal(log.lines[0], 2 + (2030 - y) * 600 + 5);
    }
    free_region(&dict, r, &d);
    unlink(path);
    free(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest with_fixture[] = {
        cmocka_unit_test(test_dict_ok),
        cmocka_unit_test(test_dict_suggest),
        cmocka_unit_test(test_dict_check_filter),
        cmocka_unit_test(test_region_ok_loads),
        cmocka_unit_test(test_yearly),
        cmocka_unit_test(test_rows_filters),
        cmocka_unit_test(test_filter_many_values),
        cmocka_unit_test(test_events_hours),
        cmocka_unit_test(test_gb18030_rows),
        cmocka_unit_test(test_long_layout),
        cmocka_unit_test(test_absent_table),
        cmocka_unit_test(test_file_digests),
        cmocka_unit_test(test_milestones),
        cmocka_unit_test(test_dict_ms_statuses),
    };
    const struct CMUnitTest standalone[] = {
        cmocka_unit_test(test_dict_real),
        cmocka_unit_test(test_dict_duplicates),
        cmocka_unit_test(test_dict_header_taken),
        cmocka_unit_test(test_dict_errors),
        cmocka_unit_test(test_dict_missing_dir),
        cmocka_unit_test(test_var_kind_name),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_events),
        cmocka_unit_test(test_bad_long),
        cmocka_unit_test(test_bad_milestones),
        cmocka_unit_test(test_provenance),
        cmocka_unit_test(test_bad_encoding),
        cmocka_unit_test(test_region_missing_dir),
        cmocka_unit_test(test_many_rows),
    };
    int failed = cmocka_run_group_tests_name("dataset (good fixtures)", with_fixture, setup_ok,
                                             teardown_ok);
    failed += cmocka_run_group_tests_name("dataset", standalone, NULL, NULL);
    return failed ? 1 : 0;
}
