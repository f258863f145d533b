/*
 * dataset.h - the data dictionary (data/variables/NAME.yaml) and one region's
 * loaded data (the CSV files of data/REGION/), with the lookups formulas need.
 *
 * Load order: dictionary_load() once, then region_load() per region. All
 * problems go to the diag_list with file, line and column; loading goes on
 * after an error so that every problem is listed.
 */
#ifndef PLANEVAL_DATASET_H
#define PLANEVAL_DATASET_H

#include <stddef.h>

#include "diag.h"
#include "formula.h"
#include "sha256.h"
#include "util.h"

typedef enum table_layout { LAYOUT_YEARLY, LAYOUT_ROWS, LAYOUT_EVENTS, LAYOUT_LONG } table_layout;

typedef enum var_kind { VK_COUNT, VK_AMOUNT, VK_SHARE, VK_FLAG, VK_VALUE, VK_HOURS } var_kind;

typedef struct dim_def {
    char *name;
    char *label;    /* Chinese column label, may be NULL */
    char **values;  /* allowed values; nvalues == 0 means any text */
    int nvalues;
    /* per value: NULL for the shared vocabulary, else the regions (space
     * separated) whose own files added it (`extend:`); NULL when none did */
    char **value_region;
} dim_def;

typedef struct table_def {
    char *name;
    char *file;     /* file name inside data/<region>/ */
    char *title;
    char *row_unit; /* what one row counts (起 for events), or NULL */
    table_layout layout;
    dim_def *dims;
    int ndims;
    char *defined_in; /* dictionary file and line, for messages */
    int line;
} table_def;

typedef struct var_def {
    char *name;
    char *label;
    char *unit;
    char *note;
    var_kind kind;
    int table;        /* index into dictionary.tables */
    char *defined_in;
    int line;
    int has_plausible;   /* `plausible: [min, max]`: outside is a review note, not an error */
    double plausible[2];
} var_def;

/*
 * What a status of milestones.csv means to planeval; the words themselves
 * are the dictionary's `milestone_statuses` (data/variables/core.yaml), so
 * that no code carries them.
 */
typedef enum ms_role {
    MSS_NOT_STARTED,
    MSS_IN_PROGRESS,
    MSS_DONE,             /* a done-by target is met from its first record of this */
    MSS_ACHIEVED,         /* ratings of a qualitative item: met ... */
    MSS_MOSTLY_ACHIEVED,  /* ... met ... */
    MSS_NOT_ACHIEVED,     /* ... not met */
    MSS_COUNT
} ms_role;

typedef struct dictionary {
    table_def *tables;
    int ntables;
    var_def *vars;
    int nvars;
    char *ms_status[MSS_COUNT]; /* milestone_statuses by role; "" when not declared */
    char *ms_status_in;         /* the file that declares them */
    int ms_status_line;
    file_digests files;         /* the files read, with their bytes' digests */
    strmap var_index;           /* each variable's name to its index (dictionary_find_var) */
} dictionary;

/* Read every *.yaml in dir (in name order). Returns 0, or -1 if errors were added. */
int dictionary_load(dictionary *dict, const char *dir, diag_list *d);
/*
 * The same, then each region's own vocabulary: regions_dir/<region>/variables/
 * *.yaml (regions in name order), with the keys tables, variables and
 * extend ({table: {dim: [values]}}: the region's own sectors, event types…).
 * A name declared twice, or a value already in the shared list, is an error
 * naming both files; a value a region adds is accepted in that region's data
 * only. regions_dir NULL: the shared files alone.
 */
int dictionary_load_regions(dictionary *dict, const char *dir, const char *regions_dir,
                            diag_list *d);
void dictionary_free(dictionary *dict);
int dictionary_find_var(const dictionary *dict, const char *name);   /* -1 if none */
/* The role of a milestones.csv status, or -1 when it is not one of dict's. */
int ms_role_of(const dictionary *dict, const char *status);
int dictionary_find_table(const dictionary *dict, const char *name); /* -1 if none */
/* Nearest variable names to name ("a, b, c"), for "did you mean". */
void dictionary_suggest(const dictionary *dict, const char *name, char *buf, size_t bufsize);
/* 0 if dim=value is valid for variable var, else -1 with a message. */
int dictionary_check_filter(const dictionary *dict, int var, const char *dim, const char *value,
                            char *msg, size_t msgsize);
/* 1 if value i of dm is the shared vocabulary's or one region added for itself. */
int dim_value_of_region(const dim_def *dm, int i, const char *region);
const char *var_kind_name(var_kind k);
/* NULL when x obeys the rule of kind k, else the rule it breaks
 * ("must be a whole number >= 0 (kind count)"); the CSV loader and the
 * workbook import share it. */
const char *var_kind_rule(var_kind k, double x);

/* Status of a milestone or qualitative item, from milestones.csv. */
typedef struct milestone_record {
    char *plan_id;
    char *indicator_id;
    int year, month, day; /* as_of; month/day 12/31 when only a year is given */
    char *status;         /* one of the dictionary's milestone_statuses */
    ms_role role;         /* what it means */
    char *evidence;
    char *path;           /* borrowed from the region */
    int line;
} milestone_record;

typedef struct region_data region_data; /* opaque */

/*
 * Load every table file of the dictionary that exists in dir, and
 * milestones.csv. A table file that does not exist is not an error (its
 * variables are then missing in every year; the first use warns). Returns 0,
 * or -1 if errors were added. *out is set in both cases (free it with
 * region_free); dict must outlive the region. A table of layout long covers
 * a year per variable (a variable without its row in that year is missing).
 */
int region_load(region_data **out, const dictionary *dict, const char *dir, diag_list *d);
void region_free(region_data *r);
const char *region_dir(const region_data *r);

/* 1 if the table file of variable var was found. */
int region_has_table(const region_data *r, int var);
/* Years in which the table of var has at least one row: [*first, *last]; 0 if none. */
int region_var_years(const region_data *r, int var, int *first, int *last);
/* Data years of the region: the smallest and largest year any table has a
 * row for; 0 when it has no data. Computed once at load (event queries ask
 * for it in every year without events). */
int region_year_span(const region_data *r, int *first, int *last);
/* 1 if the table of var has a row for year (the year is covered). */
int region_year_covered(const region_data *r, int var, int year);

/*
 * Where a value came from: called once per contributing row with the file,
 * its line and the row's value (missing rows included).
 */
typedef void (*source_fn)(void *ctx, const char *path, int line, fvalue v);

/*
 * Sum of variable var over the rows of year matching the filters.
 * MISSING when the year is not covered or a matching cell is empty; 0 when
 * the year is covered but no row matches. src may be NULL.
 */
fvalue region_value(const region_data *r, int var, const formula_filter *filters, int nfilters,
                    int year, source_fn src, void *src_ctx);

/*
 * Visit each matching row of var in year (for an events table, the row's
 * hours value; a row's value may be MISSING); returns the number of rows
 * visited, 0 when the year is covered but no row matches, or -1 when the
 * year is not covered (callers treat -1 as MISSING).
 */
int region_rows(const region_data *r, int var, const formula_filter *filters, int nfilters,
                int year, void (*each)(void *acc, fvalue v), void *acc);

/*
 * The members of dimension dim (e.g. the towns of drills.csv's unit_name)
 * among the rows of var in year that match the filters, appended to
 * *members (owned strings, file order, each once; *n counts them).
 * Returns 0, or -1 when var's table has no such dimension or no row in year.
 */
int region_members(const region_data *r, int var, const formula_filter *filters, int nfilters,
                   const char *dim, int year, char ***members, int *n);

/* Milestone records for one plan item, oldest first. */
int region_milestones(const region_data *r, const char *plan_id, const char *indicator_id,
                      const milestone_record **out);
/* All milestone records (for checks that every record names a known item). */
int region_all_milestones(const region_data *r, const milestone_record **out);

/*
 * Provenance of a region's data: data/<region>/provenance.yaml (optional),
 *     illustrative: true            # required: are the figures illustrative?
 *     statement: 本评估所用数据…      # what a reader sees on page 1 (required when illustrative)
 *     sources: …                    # optional: where the data came from
 * Read by region_load(); mistakes are errors naming file, line and column.
 * The file is an input of the plan (inputs.sha256) but not a data table: it
 * is not among region_file_info()'s files.
 */
typedef struct data_provenance {
    int declared;          /* 1 when provenance.yaml exists and was read without errors */
    int illustrative;      /* 1: the figures are illustrative, not official statistics */
    const char *statement; /* NULL when not given */
    const char *sources;   /* NULL when not given */
} data_provenance;

#define PROVENANCE_FILE "provenance.yaml"

/* Never NULL (all zero, declared 0, when the region has no provenance.yaml). */
const data_provenance *region_provenance(const region_data *r);

/* The digest of path's bytes as the loader read them, or NULL when it
 * read no such file (inputs.sha256, manifest.h). */
const char *dictionary_file_digest(const dictionary *dict, const char *path);
const char *region_file_digest(const region_data *r, const char *path);

/* Files loaded, for reports: path, encoding, row count. */
int region_file_count(const region_data *r);
void region_file_info(const region_data *r, int i, const char **path, const char **encoding,
                      int *rows);

#endif
