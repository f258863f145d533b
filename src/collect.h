/*
 * collect.h - data collection from the departments that hold the figures
 * (docs/data-collection.md):
 *
 *   collect_template()  writes a data-collection workbook (数据填报表) for a
 *                       plan: a sheet per data table, a row per variable
 *                       (and dimension combination) the plan's indicators
 *                       read, a column per year; held years prefilled and
 *                       locked, missing ones open, validated by kind;
 *   collect_import()    reads such a workbook back after Excel, WPS or
 *                       LibreOffice saved it, and updates data/<region>/
 *                       all or nothing, listing every changed cell.
 *
 * The two share the layout (collect_layout) that a hidden sheet of the
 * workbook records, so that an import checks that nothing moved.
 */
#ifndef PLANEVAL_COLLECT_H
#define PLANEVAL_COLLECT_H

#include <stdio.h>

#include "dataset.h"
#include "diag.h"
#include "plan.h"

/* Where the hidden description of the layout lives, and its first cell. */
#define COLLECT_META_SHEET "_planeval"
#define COLLECT_MAGIC "planeval-collect-1"

/* Fixed columns of a data sheet (0-based): the key (hidden), then the texts. */
enum { CC_KEY, CC_VARIABLE, CC_UNIT, CC_DEFINITION, CC_INDICATORS, CC_DEPARTMENTS, CC_SOURCE,
       CC_FIRST_YEAR };
#define COLLECT_HEADER_ROW 2 /* 0-based row of the column headings; data below */

typedef struct collect_options {
    const char *out_path;    /* the .xlsx to write */
    const char *templates_dir;
    const char *data_dir;    /* data/ (the region is the plan's) */
    int last_year;           /* last year column; 0: the plan's last year */
} collect_options;

/* Write the template of plan p. Returns 0, or -1 with errors in d (no file left). */
int collect_template(const collect_options *o, const plan *p, const catalogue *cat,
                     const dictionary *dict, diag_list *d);

/*
 * Import xlsx into data_dir/<region>/ (the region the workbook names).
 * Prints each change ("old -> new") and a summary to report. dry_run: show,
 * write nothing. Returns 0, or -1 with located errors in d and nothing
 * written.
 */
int collect_import(const char *xlsx, const dictionary *dict, const char *data_dir, int dry_run,
                   FILE *report, diag_list *d);

/*
 * A data row's key, in the hidden first column and the layout sheet:
 * "var" or "var|dim=value|dim=value" (the table's dimensions in order).
 * collect_key_parse returns the variable and fills dims (ndims strings,
 * allocated; free with collect_dims_free), or -1 when the key is malformed
 * or names an unknown variable or dimension.
 */
char *collect_key(const dictionary *dict, int var, const char *const *dims);
int collect_key_parse(const dictionary *dict, const char *key, char ***dims);
void collect_dims_free(char **dims, int n);

#endif
