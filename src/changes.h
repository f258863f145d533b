/*
 * changes.h - what changed since the previous evaluation of a plan.
 *
 * The previous run's assessment.csv, series.csv and inputs.sha256 (still in
 * out/<plan-id>/ while the new ones are temporary files of the out_set, or
 * in the directory given by --since) are compared with this run's, read the
 * same way: from CSV. Per indicator and target it lists verdicts, current
 * values, forecast statuses and probabilities that changed, targets and
 * indicators added or removed, each with its reasons: the definition digest
 * differs, the last year with data moved on, a year present in both runs
 * has another value, the evaluation (stage, year) or the run options
 * differ. Input files whose digests changed are listed too.
 *
 * Output: changes.csv (docs/results.md), a chapter of report.pdf
 * (report_changes.h) and a sheet of the workbook; their wording is
 * templates/changes.yaml.
 */
#ifndef PLANEVAL_CHANGES_H
#define PLANEVAL_CHANGES_H

#include <stdio.h>

#include "assess.h"
#include "diag.h"
#include "forecast.h"
#include "labels.h"
#include "report_tpl.h"

/* Values closer than this (relative to the larger, at least 1) are equal:
 * the shortest round-trip text makes real revisions exact, this only
 * absorbs float noise of recomputation. */
#define CHANGES_VALUE_TOLERANCE 1e-9
/* Probabilities of meeting a target closer than this are equal. */
#define CHANGES_PROBABILITY_TOLERANCE 0.005

typedef enum change_kind {
    CH_VERDICT,
    CH_VALUE,
    CH_FORECAST,
    CH_PROBABILITY,
    CH_TARGET_ADDED,
    CH_TARGET_REMOVED,
    CH_INDICATOR_ADDED,
    CH_INDICATOR_REMOVED,
    CH_INPUT_FILE,
    CH_NKINDS
} change_kind;

/* Reasons, a bit set. */
enum {
    CR_DEFINITION = 1,      /* the definition digest differs */
    CR_NEW_DATA_YEAR = 2,   /* the last year with data moved on */
    CR_REVISED_INPUT = 4,   /* a year has another value (or lost or gained one) */
    CR_EVALUATION = 8,      /* stage or evaluation year differ */
    CR_OPTIONS = 16,        /* run options or program version differ */
    CR_OTHER = 32           /* none of these found */
};

typedef struct change_entry {
    change_kind kind;
    char *indicator_id, *name; /* input_file: the file's path */
    int target_no;             /* 0 when about a whole indicator or a file */
    char *old_value, *new_value;   /* as in the CSV files ("" when none) */
    char *old_text, *new_text;     /* the same in words (status_zh, ...) */
    int old_year, new_year;        /* value: the year of the figure; 0 when none */
    unsigned reasons;
    int data_year_old, data_year_new; /* last year with data, new_data_year */
    char *revisions;               /* "2023: 4.1 -> 4.3; 2024: 5 -> " */
} change_entry;

typedef struct change_list {
    char *plan_id;
    char *against;        /* the previous run's directory */
    int first_run;        /* nothing to compare with */
    char *old_stage, *new_stage;
    int old_year, new_year;
    change_entry *items;
    int n;
    size_t cap;
    int count[CH_NKINDS];
    int ninds_definition, ninds_revised; /* indicators changed for these reasons */
    int latest_new_year;  /* the newest year that came in, 0 if none */
    rtpl *words;          /* templates/changes.yaml, NULL when absent */
} change_list;

/*
 * Compare the previous results in prev_dir with this run's, given as the
 * texts of assessment.csv, series.csv and inputs.sha256; assessment may be
 * NULL when there is no previous run (changes_previous() is 0): this run's
 * texts are only read to be compared. Returns 0, or -1 with an error in d
 * (a previous file that cannot be read as CSV).
 */
int changes_compare(change_list *cl, const char *plan_id, const char *prev_dir,
                    const char *assessment, const char *series, const char *inputs,
                    diag_list *d);

/* 1 if prev_dir holds a previous run's results (its assessment.csv). */
int changes_previous(const char *prev_dir);

/*
 * The same for an evaluation, whose series.csv is given (series, as
 * written to the output; NULL renders it): renders its assessment.csv in
 * memory when there is a previous run to compare with, and loads
 * templates_dir/changes.yaml (when present; through tc, which may be NULL:
 * report_tpl.h) for the report and the workbook.
 */
int changes_build(change_list *cl, const char *prev_dir, const evaluation *ev,
                  const eval_context *ec, const labels *lb, const forecast_set *fs,
                  const char *series, const char *inputs, const char *templates_dir,
                  struct rtpl_cache *tc, diag_list *d);
void changes_free(change_list *cl);

/* changes.csv. */
void changes_write_csv(FILE *f, const change_list *cl);

/* One line for the run summary, in English (allocated). */
char *changes_summary_line(const change_list *cl);

/* ---------- in words, from templates/changes.yaml (cl->words) ---------- */

#define CHANGES_NCOLS 6 /* indicator, target, change, before, now, reasons */

/* The summary sentence (allocated). */
char *changes_summary_text(change_list *cl, diag_list *d);
/* Heading of column col (borrowed), and the cells of item i (allocated). */
const char *changes_column(const change_list *cl, int col);
void changes_cells(change_list *cl, int i, char *cells[CHANGES_NCOLS], diag_list *d);
/* The text at key of changes.yaml expanded without placeholders (allocated). */
char *changes_word(change_list *cl, const char *key, diag_list *d);

const char *change_kind_name(change_kind k);

#endif
