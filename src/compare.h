/*
 * compare.h - the comparison across regions of the indicators that share a
 * catalogue definition (docs/comparison.md):
 *
 *   out/comparison/comparison.pdf   ranking table and small multiples per indicator
 *   out/comparison/comparison.xlsx  overview, ranking, gaps, values and charts sheets
 *   out/comparison/comparison.csv   one row per indicator x plan, with rank and gap
 *
 * out/comparison/ is replaced as a whole (outset.h), so the three files are
 * always of one comparison; "comparison" is therefore no plan id.
 * Built from the result files of an out directory alone (every
 * out/<plan>/assessment.csv and series.csv), never from a run's memory, so
 * that the outputs of sharded runs copied together compare the same way.
 * Indicators with the same `catalogue` id use the same formula; one used by
 * at least two plans is "shared". Wording: templates/comparison.yaml.
 */
#ifndef PLANEVAL_COMPARE_H
#define PLANEVAL_COMPARE_H

#include <stdio.h>

#include "diag.h"
#include "labels.h"
#include "report_doc.h"

/* The comparison's directory under out/ (a name no plan may take). */
#define COMPARE_DIR "comparison"

/* Why a row has no rank, or why its rank means little. */
typedef enum cmp_note {
    CN_NONE,
    CN_SMALL_COUNT, /* ranked, but the rate comes from under 10 events */
    CN_NO_VALUE,    /* no value in the ranking year: not ranked */
    CN_UNIT,        /* a unit the others do not share: not ranked */
    CN_DIRECTION    /* `better` is neither lower nor higher: not ranked */
} cmp_note;

/* One plan's use of a shared indicator: its main target and its series. */
typedef struct cmp_row {
    char *plan_id, *region, *region_name, *indicator_id, *name, *unit;
    char *plan_title;                /* for readers; the plan id when the results have none */
    char *finding;                   /* the plan's own finding on this target ("" when none) */
    int better;                      /* +1 higher is better, -1 lower, 0 neither */
    int target_no, target_year;
    char *comparator, *comparator_zh, *target_value; /* as in assessment.csv */
    char *catalogue_name;            /* the shared definition's own name ("" in older results) */
    char *aggregate;                 /* what current is: assessment.csv's aggregate ("" for
                                        a change against a baseline, or older results) */
    int window[2];                   /* the years it covers (0 0 when not known) */
    int has_limit;
    double limit;                    /* the threshold; target_value when limit is empty */
    int current_year, has_current;
    double current;                  /* the figure assessed (latest value when empty) */
    char *status, *status_zh, *forecast_status, *forecast_status_zh;
    char *outlook, *outlook_zh;      /* the plan's findings' outlook ("" in older results):
                                        progress so far can temper the forecast's */
    int has_prob;
    double prob;                     /* probability_met */
    int small_count;
    int nyears;
    int *years;                      /* observed years with a value, ascending */
    double *values;
    int latest_year;                 /* 0 when no value */
    double latest;
    double factor;                   /* own unit -> the group's unit (1, or 10 / 0.1 for % and per mille) */
    int rank_year;                   /* year of the ranked value, 0 when not ranked */
    double rank_value;               /* in the group's unit */
    int rank;                        /* 1 = best; 0 = not ranked */
    cmp_note note;
    int has_gap, has_gap_pct;
    double gap;                      /* short of the limit, own unit: > 0 off, <= 0 within */
    double gap_pct;                  /* gap as a percent of |limit| */
    int off_track;                   /* not met, or not yet due and forecast off track */
} cmp_row;

/* A shared indicator. */
typedef struct cmp_indicator {
    char *catalogue, *name, *unit;   /* name: the shortest plan wording; unit: the most used */
    int better;
    cmp_row *rows;                   /* by rank, unranked last */
    int nrows;
    int rank_year;                   /* common latest year, 0 when there is none */
    int years_differ;                /* the plans' latest years are not all rank_year */
    int nsmall;                      /* ranked rows flagged small_count */
    int first_year, last_year;       /* span of the observed values */
} cmp_indicator;

/* Per region: the verdicts of its plans' shared indicators. */
typedef struct cmp_region {
    char *region, *region_name, *plans; /* plans: ids joined with ", " */
    char *titles;                    /* their titles joined with "、", for readers */
    int rows, met, not_met, not_yet_due, other, off_track;
} cmp_region;

typedef struct comparison {
    char *out_dir;
    int nplans;                      /* plan directories read */
    int eval_year;                   /* latest evaluation_year seen */
    cmp_indicator *inds;
    int ninds;
    cmp_region *regions;
    int nregions;
} comparison;

/*
 * Read every out_dir/<plan>/assessment.csv and series.csv (directories
 * without both are skipped) and build the shared indicators. Returns 0, or
 * -1 with errors (file:line) in d.
 */
int comparison_load(comparison *c, const char *out_dir, diag_list *d);
void comparison_free(comparison *c);

/* comparison.csv. */
void comparison_write_csv(FILE *f, const comparison *c);
/* comparison.pdf; t is comparison.yaml; its fonts through fonts (the
 * run's, parsed once per process) or, NULL, its own. 0, or -1 with an
 * error in d. */
int comparison_write_pdf(const char *path, const comparison *c, const labels *t,
                         rfonts_cache *fonts, diag_list *d);
/* comparison.xlsx. 0, or -1 with an error in d and no file left at path. */
int comparison_write_xlsx(const char *path, const comparison *c, const labels *t,
                          diag_list *d);

/* Wording helpers shared by the writers: the text at section/code with
 * {name} placeholders replaced from vars (name, value pairs, NULL-ended). */
char *cmp_fill(const labels *t, const char *section, const char *code,
               const char *const *vars);
/* The code of a note in comparison.csv and in comparison.yaml's `note` section. */
const char *cmp_note_code(cmp_note n);
/* A number for people: at most 4 significant decimals, no trailing zeros. */
char *cmp_num(double v, char *buf, size_t n);

/*
 * Load the comparison of out_dir and write the three files into out_dir
 * through an out_set, with wording from templates_dir/comparison.yaml.
 * Returns 0 when written, 1 when there is nothing to compare (fewer than
 * two plans share an indicator; a message says so unless quiet), -1 on
 * error (in d). fonts: as comparison_write_pdf()'s.
 */
int compare_run(const char *out_dir, const char *templates_dir, int quiet, rfonts_cache *fonts,
                diag_list *d);

#endif
