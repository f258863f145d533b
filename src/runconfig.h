/*
 * runconfig.h - a run configuration file: which plans to evaluate, where
 * their definitions, data and templates are, where results go, and the
 * stage, year and parallelism of the run. It lets cron run a province with
 * one command:
 *
 *     planeval run --config /etc/planeval/province.yaml
 *
 * The file (docs/cli.md, "Run configuration"):
 *
 *     run:
 *       indicators: .          # directories, relative to this file
 *       data: ../data
 *       templates: ../templates
 *       out: ../out
 *       stage: auto            # auto | annual | midterm | final
 *       year: 2025             # evaluation year (optional)
 *       jobs: 2                # plans evaluated at a time
 *       charts: none           # chart files: none | png | svg | all (optional)
 *       on_track: 0.8          # forecast cut-offs (optional)
 *       at_risk: 0.5
 *       plans:                 # optional: default every plan in `indicators`
 *         - huantai-2021-2025
 *
 * Every key is optional; options given on the command line win over the
 * file. Unknown keys, wrong types and values out of range are errors with
 * file, line and column.
 */
#ifndef PLANEVAL_RUNCONFIG_H
#define PLANEVAL_RUNCONFIG_H

#include "diag.h"

/* The file name looked for in the indicators directory when no --config is given. */
#define RUN_CONFIG_DEFAULT "run.yaml"

typedef struct run_config {
    char *path;
    /* Directories, already joined with the file's own directory; NULL when absent. */
    char *indicators, *data, *templates, *out;
    char *stage;              /* "auto", "annual", "midterm", "final"; NULL when absent */
    int year;                 /* 0 when absent */
    int jobs;                 /* 0 when absent */
    char *charts;             /* "none", "png", "svg", "all", "png+svg"; NULL when absent */
    double on_track, at_risk; /* < 0 when absent */
    char **plans;             /* plan ids or paths (a path is joined like the directories) */
    int nplans;
} run_config;

/*
 * Load path into *c. Returns 0, or -1 with errors in d. Free *c with
 * run_config_free() in both cases.
 */
int run_config_load(run_config *c, const char *path, diag_list *d);
void run_config_free(run_config *c);

/*
 * p as the configuration at config_path means it: joined with the file's
 * directory unless absolute, then "." and "dir/.." removed lexically.
 * Returns an allocated string.
 */
char *run_config_join(const char *config_path, const char *p);

#endif
