/*
 * fuzz_csv.c - libFuzzer harness for the CSV loaders.
 *
 * Input: a first line naming the file ("economy.csv\n"), then the file's
 * bytes. The name picks which table of the real dictionary (or
 * milestones.csv) the content is loaded as; a name that is none of them
 * picks one by its hash, so mutated names still reach every table.
 *
 *   1. csvfile_parse on the content, from memory;
 *   2. the content is written as that one file of an otherwise empty
 *      region directory, and region_load reads it with the real dictionary;
 *      then every query a formula could make (region_value, region_rows,
 *      with and without filters, over the years found, milestones, file
 *      info) runs on what was loaded.
 *
 * Seeds: every data/REGION/NAME.csv, with its name line (mkseeds.sh).
 * Dictionary: tests/fuzz/csv.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvfile.h"
#include "dataset.h"
#include "diag.h"
#include "fuzz_common.h"
#include "util.h"

static dictionary dict;
static char **files; /* distinct table file names, then milestones.csv */
static int nfiles;
static char *scratch_region;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    diag_list d = {0};
    char *p = fuzz_repo_path("data/variables");
    if (dictionary_load(&dict, p, &d) != 0) {
        diag_print(&d, stderr);
        fuzz_die("cannot load the real dictionary %s", p);
    }
    free(p);
    diag_free(&d);
    size_t cap = 0;
    for (int i = 0; i < dict.ntables; i++) {
        const char *f = dict.tables[i].file;
        int seen = !f;
        for (int k = 0; k < nfiles && !seen; k++)
            seen = strcmp(files[k], f) == 0;
        if (!seen)
            *ARRAY_PUSH(files, nfiles, cap) = xstrdup(f);
    }
    *ARRAY_PUSH(files, nfiles, cap) = xstrdup("milestones.csv");
    fuzz_scratch("csv");
    char *marker = fuzz_scratch_path("region/.keep");
    fuzz_write(marker, "", 0);
    free(marker);
    scratch_region = fuzz_scratch_path("region");
    return 0;
}

static const char *pick_file(const char *name, size_t n)
{
    for (int i = 0; i < nfiles; i++)
        if (strlen(files[i]) == n && memcmp(files[i], name, n) == 0)
            return files[i];
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    return files[h % (unsigned)nfiles];
}

static void count_value(void *acc, fvalue v)
{
    if (v.state == FV_OK)
        *(double *)acc += v.v;
}

static void query(const region_data *r)
{
    double acc = 0;
    for (int v = 0; v < dict.nvars; v++) {
        if (!region_has_table(r, v))
            continue;
        int first, last;
        if (!region_var_years(r, v, &first, &last))
            continue;
        if (last - first > 60)
            last = first + 60;
        const table_def *td = &dict.tables[dict.vars[v].table];
        /* One filter per dimension, on its first allowed value or on a
         * value no file has, and one with two alternatives. */
        formula_filter fl[8];
        char *two[2];
        int nf = 0;
        for (int k = 0; k < td->ndims && nf < 8; k++, nf++) {
            fl[nf].dim = td->dims[k].name;
            if (td->dims[k].nvalues > 0) {
                fl[nf].values = td->dims[k].values;
                fl[nf].nvalues = td->dims[k].nvalues > 1 ? 2 : 1;
            } else {
                two[0] = "其他";
                two[1] = "";
                fl[nf].values = two;
                fl[nf].nvalues = 2;
            }
        }
        for (int y = first - 1; y <= last + 1; y++) {
            region_year_covered(r, v, y);
            fvalue a = region_value(r, v, NULL, 0, y, NULL, NULL);
            if (a.state == FV_OK)
                acc += a.v;
            region_rows(r, v, NULL, 0, y, count_value, &acc);
            for (int k = 1; k <= nf; k++) {
                region_value(r, v, fl, k, y, NULL, NULL);
                region_rows(r, v, fl + k - 1, 1, y, count_value, &acc);
            }
        }
    }
    const milestone_record *all;
    int n = region_all_milestones(r, &all);
    for (int i = 0; i < n; i++) {
        const milestone_record *recs;
        int k = region_milestones(r, all[i].plan_id, all[i].indicator_id, &recs);
        for (int j = 0; j < k; j++)
            acc += recs[j].year + recs[j].month + recs[j].day + (double)strlen(recs[j].status);
    }
    for (int i = 0; i < region_file_count(r); i++) {
        const char *path, *enc;
        int rows;
        region_file_info(r, i, &path, &enc, &rows);
        acc += rows + (double)strlen(path) + (double)strlen(enc);
    }
    volatile double sink = acc;
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t namelen = nl ? (size_t)(nl - s) : 0;
    const char *name = pick_file(s, namelen);
    const char *body = nl ? nl + 1 : s;
    size_t len = size - (size_t)(body - s);

    /* 1. From memory. */
    csv_table t;
    csv_error err;
    if (csvfile_parse(name, body, len, &t, &err) == 0) {
        size_t k = 0;
        for (int i = 0; i < t.nrows; i++)
            for (int j = 0; j < t.rows[i].nfields; j++)
                k += strlen(t.rows[i].fields[j]) + (size_t)t.rows[i].line;
        volatile size_t sink = k;
        (void)sink;
        csvfile_free(&t);
    }

    /* 2. As the one file of a region. */
    fuzz_clear_dir(scratch_region);
    char *path = xasprintf("%s/%s", scratch_region, name);
    fuzz_write(path, body, len);
    free(path);
    diag_list d = {0};
    region_data *r = NULL;
    /* planeval queries only a region that loaded without errors. */
    if (region_load(&r, &dict, scratch_region, &d) == 0)
        query(r);
    if (r)
        region_free(r);
    diag_free(&d);
    return 0;
}
