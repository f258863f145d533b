/*
 * fuzz_yaml.c - libFuzzer harness for the YAML loaders.
 *
 * One input is one YAML file. It is written to a scratch file and given to
 * every loader that reads YAML:
 *
 *   1. ydoc_load, then a walk of the whole tree through the ynode getters;
 *   2. plan_load, against the real dictionary and catalogue; a plan that
 *      loads is then evaluated (evaluate_plan, automatic stage and final
 *      stage) on the real data of its region (or of qinan when its region
 *      is not one of the samples), as `planeval run` would;
 *   3. catalogue_load, against the real dictionary;
 *   4. dictionary_load, on a directory holding only this file; a dictionary
 *      that loads is then used to load the real data of a sample region.
 *
 * Seeds: indicators/NAME.yaml, data/variables/NAME.yaml and one small plan per
 * indicator (tests/fuzz/mkseeds.sh). Dictionary: tests/fuzz/yaml.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "compute.h"
#include "dataset.h"
#include "diag.h"
#include "fuzz_common.h"
#include "plan.h"
#include "util.h"
#include "yamldoc.h"

static const char *const region_names[] = {"qinan", "huantai", "shanting", "yanggu"};
#define NREGIONS (sizeof region_names / sizeof region_names[0])

static dictionary dict;
static symtab syms;
static catalogue cat;
static region_data *regions[NREGIONS];
static char *region_dirs[NREGIONS];
static char *yaml_path, *dict_dir, *dict_path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_load(const char *what, diag_list *d)
{
    diag_print(d, stderr);
    fuzz_die("cannot load the real %s (run from the repository root or set PLANEVAL_ROOT)",
             what);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    diag_list d = {0};
    char *p = fuzz_repo_path("data/variables");
    if (dictionary_load(&dict, p, &d) != 0)
        fail_load("dictionary", &d);
    free(p);
    p = fuzz_repo_path("indicators/catalogue.yaml");
    if (catalogue_load(&cat, p, &dict, &syms, &d) != 0)
        fail_load("catalogue", &d);
    free(p);
    for (size_t i = 0; i < NREGIONS; i++) {
        char *rel = xasprintf("data/%s", region_names[i]);
        region_dirs[i] = fuzz_repo_path(rel);
        free(rel);
        if (region_load(&regions[i], &dict, region_dirs[i], &d) != 0)
            fail_load(region_names[i], &d);
    }
    diag_free(&d);
    fuzz_scratch("yaml");
    yaml_path = fuzz_scratch_path("in.yaml");
    dict_path = fuzz_scratch_path("dict/in.yaml");
    dict_dir = fuzz_scratch_path("dict");
    return 0;
}

/* Visit every node through the getters the loaders use. */
static size_t walk(ydoc *y, ynode *n, int depth)
{
    if (!n || depth > 100)
        return 0;
    size_t k = (size_t)ynode_line(n) + (size_t)ynode_col(n) + (size_t)ynode_text_offset(n) +
               (size_t)ynode_is_block(n);
    if (ynode_is_scalar(n)) {
        const char *s = ynode_str(n);
        k += strlen(s);
        double v;
        if (parse_number(s, &v) == 0 && v > 0)
            k++;
    } else if (ynode_is_map(n)) {
        for (size_t i = 0; i < ymap_len(n); i++) {
            k += walk(y, ymap_key(y, n, i), depth + 1);
            k += walk(y, ymap_value(y, n, i), depth + 1);
        }
    } else if (ynode_is_seq(n)) {
        for (size_t i = 0; i < yseq_len(n); i++)
            k += walk(y, yseq_at(y, n, i), depth + 1);
    }
    return k;
}

static void try_ydoc(void)
{
    diag_list d = {0};
    ydoc y;
    if (ydoc_load(&y, yaml_path, &d) == 0) {
        ynode *root = ydoc_root(&y);
        volatile size_t k = walk(&y, root, 0);
        (void)k;
        /* The typed getters on whatever the root maps. */
        const char *s;
        double v;
        long l;
        int yr[2];
        static const char *const allowed[] = {"plan", "params", "indicators", NULL};
        yget_str(&y, root, "plan", 0, &s, &d);
        yget_num(&y, root, "params", 0, &v, &d);
        yget_int(&y, root, "indicators", 0, &l, &d);
        yget_year_range(&y, root, "period", 0, yr, &d);
        ycheck_keys(&y, root, allowed, "root", &d);
    }
    ydoc_free(&y);
    diag_free(&d);
}

static region_data *region_for(const char *name)
{
    for (size_t i = 0; name && i < NREGIONS; i++)
        if (strcmp(name, region_names[i]) == 0)
            return regions[i];
    return regions[0];
}

static void try_plan(void)
{
    diag_list d = {0};
    int nsyms = syms.n;
    plan p;
    model_env env = {&dict, &syms, &cat};
    if (plan_load(&p, yaml_path, &env, &d) == 0) {
        eval_context ec;
        memset(&ec, 0, sizeof ec);
        ec.p = &p;
        ec.cat = &cat;
        ec.syms = &syms;
        ec.dict = &dict;
        ec.r = region_for(p.region);
        ec.window[0] = p.period[0];
        ec.window[1] = p.period[1];
        static const stage stages[] = {STAGE_AUTO, STAGE_FINAL};
        for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
            evaluation ev;
            diag_list ed = {0};
            if (evaluate_plan(&ev, &ec, stages[i], 0, &ed) == 0)
                evaluation_free(&ev);
            diag_free(&ed);
        }
        plan_free(&p);
    }
    /* The plan's parameter names were interned into the shared table: drop
     * them, so that the table does not grow from one input to the next. */
    for (int i = nsyms; i < syms.n; i++)
        free(syms.names[i]);
    syms.n = nsyms;
    free(plan_peek_id(yaml_path));
    diag_free(&d);
}

static void try_catalogue(void)
{
    diag_list d = {0};
    symtab s = {0};
    catalogue c;
    catalogue_load(&c, yaml_path, &dict, &s, &d);
    catalogue_free(&c);
    symtab_free(&s);
    diag_free(&d);
}

/* A table file name that stays inside the region directory. */
static int plain_file(const char *f)
{
    return f && *f && !strchr(f, '/') && strcmp(f, ".") != 0 && strcmp(f, "..") != 0;
}

static void try_dictionary(const uint8_t *data, size_t size)
{
    diag_list d = {0};
    dictionary dc;
    if (dictionary_load(&dc, dict_dir, &d) == 0) {
        int plain = 1;
        for (int i = 0; i < dc.ntables; i++)
            plain &= dc.tables[i].file == NULL || plain_file(dc.tables[i].file);
        if (plain) {
            region_data *r = NULL;
            diag_list rd = {0};
            region_load(&r, &dc, region_dirs[size ? data[0] % NREGIONS : 0], &rd);
            if (r)
                region_free(r);
            diag_free(&rd);
        }
    }
    dictionary_free(&dc);
    diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(yaml_path, data, size);
    fuzz_write(dict_path, data, size);
    try_ydoc();
    try_plan();
    try_catalogue();
    try_dictionary(data, size);
    return 0;
}
