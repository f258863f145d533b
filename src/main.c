/*
 * main.c - the planeval command line: check, run, explain.
 *
 * The pipeline for each plan: load (dictionary, catalogue, plan, region
 * data) -> compute (series) -> assess (verdicts) -> write results. A plan
 * with any error in its definitions or data is reported and not evaluated;
 * the others still run, and the exit status says something failed.
 */
#include "assess.h"
#include "changes.h"
#include "charts.h"
#include "compare.h"
#include "batch.h"
#include "collect.h"
#include "compute.h"
#include "dataset.h"
#include "forecast.h"
#include "heap.h"
#include "labels.h"
#include "manifest.h"
#include "outset.h"
#include "pdf.h"
#include "report_doc.h"
#include "plan.h"
#include "report_tpl.h"
#include "results.h"
#include "review.h"
#include "sha256.h"
#include "runconfig.h"
#include "skeleton.h"
#include "util.h"
#include "workbook.h"
#include "yamldoc.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLANEVAL_VERSION "0.1.0"
/* PLANEVAL_COMMIT and PLANEVAL_SHAREDIR, written by the Makefile. */
#include "version.h"

enum exit_status {
    EXIT_OK = 0,
    EXIT_PROBLEMS = 1, /* errors in definitions or data */
    EXIT_USAGE = 2,
    EXIT_OUTPUT = 3,   /* results could not be written */
    EXIT_SKIPPED = 10  /* internal: a plan's inputs were unchanged */
};

typedef struct options {
    const char *indicators_dir;
    const char *data_dir;
    const char *templates_dir;
    const char *out_dir;
    stage stage;
    int year;
    const char **plans;
    int nplans;
    const char *indicator; /* explain */
    int quiet;
    double on_track, at_risk; /* thresholds of the forward-looking status */
    int jobs;          /* -j N: plans evaluated in parallel processes */
    int force;         /* re-render plans whose inputs have not changed */
    int dry_run;       /* import: show the changes, write nothing */
    const char *review_dir; /* check --review DIR: the data review as DIR/<plan-id>-review.csv */
    const char *since; /* --since DIR: changes against DIR/<plan-id>/, not the previous run */
    int shard_k, shard_n; /* --shard K/N: this run takes plans i with i % N == K - 1 */
    const char *config;   /* --config FILE: a run configuration (runconfig.h) */
    unsigned given;       /* OPT_* bits: set on the command line, so the config yields */
    chart_files charts;   /* --charts: which chart files run writes (charts.h) */
    double chart_dpi;     /* --chart-dpi: PNG resolution; 0: CHART_DPI */
    /* The shared files in use (resolve_shared): the working directory's, or
     * the installed copies under the share directory. */
    const char *catalogue;     /* catalogue.yaml */
    const char *variables_dir; /* the data dictionary */
    unsigned from_share;       /* SHARED_* bits: taken from the share directory */
    char path_buf[3][4096];
} options;

enum { SHARED_TEMPLATES = 1, SHARED_CATALOGUE = 2, SHARED_VARIABLES = 4 };

/* Options a run configuration can also set. */
enum {
    OPT_INDICATORS = 1, OPT_DATA = 2, OPT_TEMPLATES = 4, OPT_OUT = 8, OPT_STAGE = 16,
    OPT_YEAR = 32, OPT_JOBS = 64, OPT_ON_TRACK = 128, OPT_AT_RISK = 256, OPT_CHARTS = 512
};

static void usage(FILE *f)
{
    fputs("usage: planeval check [PLAN...] [--review DIR]\n"
          "       planeval run [PLAN...] [--stage auto|annual|midterm|final] [--year YYYY]\n"
          "                    [--out DIR]\n"
          "       planeval explain PLAN INDICATOR [--stage S] [--year YYYY]\n"
          "       planeval manifest [--out DIR]\n"
          "       planeval template PLAN [--year YYYY] [--out FILE.xlsx]\n"
          "       planeval import FILE.xlsx [--dry-run] [--data DIR]\n"
          "       planeval compare [--out DIR] [--templates DIR]\n"
          "       planeval new REGION [FIRST-LAST]   a commented plan file for a new county\n"
          "       planeval --help | --version\n"
          "\n"
          "PLAN is a plan id (e.g. huantai-2021-2025) or a path to its YAML file;\n"
          "without PLAN, every plan in the indicators directory is used.\n"
          "\n"
          "options:\n"
          "  --stage S         annual (年度监测), midterm (中期评估), final (终期评估) or auto\n"
          "                    (default: final when the data reach the plan's last year,\n"
          "                    midterm when they reach its midterm_year, else annual)\n"
          "  --year YYYY       evaluation year (default: from the stage and the plan period)\n"
          "  --on-track P      a target not yet due is on track when the probability of\n"
          "                    meeting it is at least P (default 0.8)\n"
          "  --at-risk P       ... at risk from P up to --on-track, off track below\n"
          "                    (default 0.5); see docs/methodology.md\n"
          "  --config FILE     a run configuration (directories, plans, stage, year,\n"
          "                    jobs); default: run.yaml in the indicators directory\n"
          "                    when there is one. Options given here win over it.\n"
          "  --out DIR         output directory (default out)\n"
          "  -j N, --jobs N    evaluate N plans at a time, in N worker processes\n"
          "  --force           render plans whose inputs have not changed since the last run\n"
          "  --dry-run         import: show what the workbook changes, write nothing\n"
          "  --review DIR      check: write the data review (数据质量审核) of each plan\n"
          "                    as DIR/<plan-id>-review.csv and .xlsx for the departments\n"
          "  --since DIR       report changes against DIR/<plan-id>/ (e.g. an archived out/)\n"
          "                    instead of the previous run in --out (changes.csv)\n"
          "  --charts F        chart files for slides under charts/: none (default), png,\n"
          "                    svg or all (PNG and SVG); the PDF reports draw their own\n"
          "  --chart-dpi N     resolution of the PNG chart files (72-600, default 300;\n"
          "                    150 renders them in about a third of the time)\n"
          "  --shard K/N       take only the K-th of N slices of the plans (for several\n"
          "                    machines); `planeval manifest` merges what they wrote\n"
          "  --indicators DIR  plan definitions and catalogue.yaml (default indicators)\n"
          "  --data DIR        data/<region>/ and data/variables/ (default data)\n"
          "  --templates DIR   labels.yaml and report templates (default templates)\n"
          "  -q, --quiet       print errors only\n"
          "\n"
          "exit status: 0 success; 1 errors in definitions or data (all are listed);\n"
          "2 usage error; 3 results could not be written.\n"
          "When the working directory has no templates/, indicators/catalogue.yaml or\n"
          "data/variables/, the installed ones are used (PLANEVAL_SHAREDIR, else the\n"
          "share directory of `make install`; --version says which).\n"
          "See planeval(1), planeval-yaml(5) and docs/cli.md.\n",
          f);
}

/* ---------- finding plans ---------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.yaml in dir except catalogue.yaml, sorted. */
static char **list_plan_files(const char *dir, int *n, diag_list *d)
{
    *n = 0;
    DIR *dp = opendir(dir);
    if (!dp) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot read the indicators directory: %s",
                 strerror(errno));
        return NULL;
    }
    char **files = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".yaml") ||
            strcmp(e->d_name, "catalogue.yaml") == 0 ||
            strcmp(e->d_name, RUN_CONFIG_DEFAULT) == 0)
            continue;
        *ARRAY_PUSH(files, count, cap) = xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(dp);
    if (count)
        qsort(files, count, sizeof *files, cmp_str);
    *n = (int)count;
    return files;
}

/* A plan argument is a path, or an id found in the indicators directory. */
static char *resolve_plan_arg(const options *o, const char *arg, diag_list *d)
{
    struct stat st;
    if (ends_with(arg, ".yaml") || strchr(arg, '/')) {
        if (stat(arg, &st) != 0) {
            diag_add(d, DIAG_ERROR, arg, 0, 0, "no such plan file");
            return NULL;
        }
        return xstrdup(arg);
    }
    char *direct = xasprintf("%s/%s.yaml", o->indicators_dir, arg);
    if (stat(direct, &st) == 0)
        return direct;
    free(direct);
    int n;
    char **files = list_plan_files(o->indicators_dir, &n, d);
    char *found = NULL;
    for (int i = 0; i < n; i++) {
        char *id = plan_peek_id(files[i]);
        if (!found && id && strcmp(id, arg) == 0)
            found = xstrdup(files[i]);
        free(id);
        free(files[i]);
    }
    free(files);
    if (!found)
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "no plan '%s' in %s", arg, o->indicators_dir);
    return found;
}

/* ---------- loaded state shared by all plans of a run ---------- */

typedef struct region_cache {
    char **names;
    region_data **data;
    int *failed;
    size_t n, cap, cap2, cap3;
} region_cache;

typedef struct session {
    const options *o;
    labels lb;
    dictionary dict;
    symtab syms;
    catalogue cat;
    region_cache regions;
    rfonts_cache *fonts; /* the PDFs' fonts, parsed once per process (a worker's plans share them) */
    rtpl_cache *tpls;    /* the report templates, likewise read once per process */
    labels_cache *wordings; /* and the workbook's wording */
    fc_garwood_memo *garwood; /* the forecasts' Garwood intervals, shared by the plans */
    fc_select_memo *selects;  /* and their model choices */
    diag_list diags;
    size_t diags_shown; /* diags[0, diags_shown) are printed already */
    int have_labels, have_dict, have_cat;
} session;

/* changes.yaml's `sheet:` (the 变化 sheet of the workbook, wb its wording),
 * read through tpls: the changes module uses that parse. */
static void check_changes_sheet(const options *o, const labels *wb, rtpl_cache *tpls,
                                diag_list *d)
{
    char *path = xasprintf("%s/changes.yaml", o->templates_dir);
    rtpl *t = NULL;
    diag_list ignored = {0}; /* the changes module reports the file's own errors */
    const char *name = access(path, F_OK) == 0 &&
                               rtpl_load_cached(tpls, &t, path, NULL, &ignored) == 0
                           ? rtpl_get(t, "sheet")
                           : NULL;
    const char *why = name ? sheet_name_problem(name) : NULL;
    if (why) {
        diag_add(d, DIAG_ERROR, path, rtpl_line(t, "sheet"), 0,
                 "sheet name '%s' cannot be an Excel sheet name: %s", name, why);
    } else if (name) {
        for (size_t i = 0; i < wb->n; i++)
            if (strcmp(wb->items[i].section, "sheet") == 0 &&
                strcasecmp(wb->items[i].text, name) == 0)
                diag_add(d, DIAG_ERROR, path, rtpl_line(t, "sheet"), 0,
                         "sheet name '%s' is also the workbook's sheet %s (workbook.yaml line "
                         "%d); Excel needs each sheet's name to differ",
                         name, wb->items[i].code, wb->items[i].line);
    }
    rtpl_free(t);
    diag_free(&ignored);
    free(path);
}

/*
 * The sheet names of the wording files (sheet: sections) against Excel's
 * rules, here with their file:line:column rather than as a late failure of
 * the workbook library naming a temporary file. The 变化 sheet's name
 * (changes.yaml) must also differ from the workbook's own sheets.
 */
static void check_sheet_wording(const options *o, labels_cache *wordings, rtpl_cache *tpls,
                                diag_list *d)
{
    static const char *const files[] = {"workbook.yaml", "comparison.yaml", "collect.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = xasprintf("%s/%s", o->templates_dir, files[i]);
        labels w = {0};
        /* through the cache the plans read the workbook's from (and
         * plan_inputs the digests of all three) */
        if (access(path, F_OK) == 0 && labels_load_cached(wordings, &w, path, d) == 0) {
            labels_check_sheets(&w, path, "sheet", d);
            if (i == 0)
                check_changes_sheet(o, &w, tpls, d);
        }
        labels_free(&w);
        free(path);
    }
}

static int session_open(session *s, const options *o)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->fonts = rfonts_cache_new();
    s->tpls = rtpl_cache_new();
    s->wordings = labels_cache_new();
    s->garwood = fc_garwood_memo_new();
    s->selects = fc_select_memo_new();
    char *path = xasprintf("%s/labels.yaml", o->templates_dir);
    if (labels_load(&s->lb, path, &s->diags) == 0) {
        static const char *const statuses[] = {"met", "not_met", "not_yet_due",
                                               "insufficient_data", "not_applicable", NULL};
        labels_require(&s->lb, path, "status", statuses, &s->diags);
        s->have_labels = 1;
    }
    free(path);
    check_sheet_wording(o, s->wordings, s->tpls, &s->diags);
    s->have_dict = dictionary_load_regions(&s->dict, o->variables_dir, o->data_dir, &s->diags) == 0;
    if (s->have_dict)
        s->have_cat = catalogue_load(&s->cat, o->catalogue, &s->dict, &s->syms, &s->diags) == 0;
    return s->have_labels && s->have_dict && s->have_cat && diag_errors(&s->diags) == 0 ? 0 : -1;
}

/*
 * The templates a run's plans use, parsed now, in the parent: once for all
 * its workers rather than once in each, and before the first plan's
 * inputs.sha256 lists them (known_input), so that they are read once.
 */
static void session_preload_templates(session *s)
{
    static const char *const tpls[] = {"findings.yaml", "brief.yaml", "report.yaml",
                                       "changes.yaml"};
    for (size_t i = 0; i < sizeof tpls / sizeof tpls[0]; i++) {
        char *path = xasprintf("%s/%s", s->o->templates_dir, tpls[i]);
        rtpl_cache_preload(s->tpls, path);
        free(path);
    }
    char *path = xasprintf("%s/charts.yaml", s->o->templates_dir);
    labels_cache_preload(s->wordings, path);
    free(path);
}

/* The region data loaded so far, forgotten. */
static void session_forget_regions(session *s)
{
    for (size_t i = 0; i < s->regions.n; i++) {
        free(s->regions.names[i]);
        if (s->regions.data[i])
            region_free(s->regions.data[i]);
    }
    free(s->regions.names);
    free(s->regions.data);
    free(s->regions.failed);
    memset(&s->regions, 0, sizeof s->regions);
}

static void session_close(session *s)
{
    session_forget_regions(s);
    rfonts_cache_free(s->fonts);
    rtpl_cache_free(s->tpls);
    labels_cache_free(s->wordings);
    fc_garwood_memo_free(s->garwood);
    fc_select_memo_free(s->selects);
    if (s->have_cat)
        catalogue_free(&s->cat);
    symtab_free(&s->syms);
    dictionary_free(&s->dict);
    labels_free(&s->lb);
    diag_free(&s->diags);
}

/* Region data, loaded once per region (two plans may share a county). */
static region_data *session_region(session *s, const char *region, const plan *where,
                                   diag_list *d)
{
    region_cache *c = &s->regions;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->names[i], region) == 0)
            return c->failed[i] ? NULL : c->data[i];
    char *dir = xasprintf("%s/%s", s->o->data_dir, region);
    region_data *r = NULL;
    int failed = 0;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_add(d, DIAG_ERROR, where ? where->path : dir, where ? where->region_line : 0,
                 where ? where->region_col : 0, "no data directory %s for region '%s'", dir,
                 region);
        failed = 1;
    } else if (region_load(&r, &s->dict, dir, d) != 0) {
        failed = 1;
    }
    free(dir);
    size_t n = c->n;
    *ARRAY_PUSH(c->names, n, c->cap) = xstrdup(region);
    n = c->n;
    *ARRAY_PUSH(c->data, n, c->cap2) = r;
    n = c->n;
    *ARRAY_PUSH(c->failed, n, c->cap3) = failed;
    c->n++;
    return failed ? NULL : r;
}

/* Milestone records that name an item the plan does not have are typos. */
static void check_milestones(const plan *p, const region_data *r, diag_list *d)
{
    const milestone_record *recs;
    int n = region_all_milestones(r, &recs);
    for (int i = 0; i < n; i++) {
        if (strcmp(recs[i].plan_id, p->id) != 0)
            continue;
        const indicator *ind = plan_find_indicator(p, recs[i].indicator_id);
        if (!ind)
            diag_add(d, DIAG_ERROR, recs[i].path, recs[i].line, 2,
                     "plan %s has no indicator '%s'", p->id, recs[i].indicator_id);
        else if (ind->kind == IND_QUANTITATIVE)
            diag_add(d, DIAG_ERROR, recs[i].path, recs[i].line, 2,
                     "indicator %s of plan %s is quantitative: its status comes from data, not "
                     "from milestones.csv",
                     ind->id, p->id);
    }
}

/* Tables a plan's formulas read but whose files the region lacks. */
static void check_tables_present(const plan *p, const dictionary *dict, const region_data *r,
                                 diag_list *d)
{
    int *warned = xcalloc((size_t)dict->ntables + 1, sizeof(int));
    for (int i = 0; i < p->ninds; i++) {
        const indicator *ind = &p->inds[i];
        const expr_def *es[] = {ind->formula, ind->numerator, ind->denominator};
        for (int k = 0; k < 3; k++) {
            if (!es[k] || !es[k]->f)
                continue;
            const formula_ref *refs;
            int n = formula_refs(es[k]->f, &refs);
            for (int j = 0; j < n; j++) {
                if (refs[j].kind != REF_VARIABLE || region_has_table(r, refs[j].id))
                    continue;
                int t = dict->vars[refs[j].id].table;
                if (!warned[t]) {
                    diag_add(d, DIAG_WARNING, region_dir(r), 0, 0,
                             "%s is missing: indicator %s of plan %s (and any other using %s) "
                             "has no data",
                             dict->tables[t].file, ind->id, p->id, dict->vars[refs[j].id].name);
                    warned[t] = 1;
                }
            }
        }
    }
    free(warned);
}

/* ---------- commands ---------- */

typedef int (*plan_action)(session *s, const plan *p, region_data *r, void *arg);

/* Load one plan (with its region) and call act on it; returns an exit status. */
static int process_plan(session *s, const char *file, plan_action act, void *arg)
{
    plan p;
    model_env env = {&s->dict, &s->syms, &s->cat};
    size_t before = diag_errors(&s->diags);
    int rc = EXIT_PROBLEMS;
    heap_advise(); /* what the last plan grew the heap by */
    if (plan_load(&p, file, &env, &s->diags) == 0) {
        region_data *r = session_region(s, p.region, &p, &s->diags);
        if (r) {
            check_milestones(&p, r, &s->diags);
            check_tables_present(&p, &s->dict, r, &s->diags);
        }
        if (r && diag_errors(&s->diags) == before)
            rc = act(s, &p, r, arg);
        plan_free(&p);
    }
    return rc;
}

/* The plan id of a plan file and where it is written, or NULL (a file that
 * cannot be read is reported when the plan is loaded). */
static char *peek_id_at(const char *path, int *line, int *col)
{
    /* read up to plan.id only: the whole file is loaded and checked later */
    char *id = ydoc_peek(path, "plan", "id", line, col);
    if (id && !*id) {
        free(id);
        id = NULL;
    }
    return id;
}

/*
 * Two plan files with one id (a plan copied for another county and not
 * renamed) would write into one output directory: an error naming both,
 * before anything runs. Returns the number of such errors.
 */
static int check_plan_ids(char **files, int n, diag_list *d)
{
    if (n < 2)
        return 0; /* nothing to clash with: the plan's file is read once, by plan_load */
    char **ids = xcalloc((size_t)n + 1, sizeof *ids);
    int *lines = xcalloc((size_t)n + 1, sizeof *lines);
    int *cols = xcalloc((size_t)n + 1, sizeof *cols);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        ids[i] = peek_id_at(files[i], &lines[i], &cols[i]);
        for (int j = 0; ids[i] && j < i; j++)
            if (ids[j] && strcmp(ids[i], ids[j]) == 0 && strcmp(files[i], files[j]) != 0) {
                diag_add(d, DIAG_ERROR, files[i], lines[i], cols[i],
                         "plan id '%s' is also the id of %s (line %d): each plan file needs its "
                         "own id (a copied plan keeps the old one)",
                         ids[i], files[j], lines[j]);
                bad++;
                break;
            }
    }
    for (int i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    free(lines);
    free(cols);
    return bad;
}

/* The plan files named on the command line, or all of them; then this shard's share. */
static char **select_plans(session *s, int *n)
{
    const options *o = s->o;
    char **files = NULL;
    *n = 0;
    if (o->nplans == 0) {
        files = list_plan_files(o->indicators_dir, n, &s->diags);
        if (files && *n == 0)
            diag_add(&s->diags, DIAG_ERROR, o->indicators_dir, 0, 0, "no plan files found");
    } else {
        files = xcalloc((size_t)o->nplans, sizeof(char *));
        for (int i = 0; i < o->nplans; i++) {
            char *f = resolve_plan_arg(o, o->plans[i], &s->diags);
            if (f)
                files[(*n)++] = f;
        }
    }
    /* Over the whole selection, before the shard's share: every shard agrees. */
    if (check_plan_ids(files, *n, &s->diags) > 0) {
        for (int i = 0; i < *n; i++)
            free(files[i]);
        *n = 0;
    }
    if (o->shard_n > 1) {
        /* Slices by position in the sorted list: every machine computes the same split. */
        int k = 0;
        for (int i = 0; i < *n; i++) {
            if (i % o->shard_n == o->shard_k - 1)
                files[k++] = files[i];
            else
                free(files[i]);
        }
        *n = k;
    }
    return files;
}

typedef struct batch_ctx {
    session *s;
    char **files;
    plan_action act;
    void *arg;
} batch_ctx;

/* In a worker process: evaluate one plan, print its problems, say why it
 * failed (its first error). The worker goes on to other plans: it keeps
 * no region's data from one plan to the next, so its memory stays that of
 * one plan (a plan's own region is loaded afresh, as a process of its own
 * would). */
static int batch_one(void *ctx, int i, char *why, size_t whysize)
{
    batch_ctx *bc = ctx;
    size_t before = bc->s->diags.n;
    int rc = process_plan(bc->s, bc->files[i], bc->act, bc->arg);
    diag_list mine = {bc->s->diags.items + before, bc->s->diags.n - before, 0};
    diag_print(&mine, stderr);
    if (rc == EXIT_OK && diag_errors(&mine))
        rc = EXIT_PROBLEMS;
    if (rc != EXIT_OK && rc != EXIT_SKIPPED)
        diag_first_error(&bc->s->diags, before, why, whysize);
    session_forget_regions(bc->s);
    return rc;
}

static int act_check(session *s, const plan *p, region_data *r, void *arg);
static int act_run(session *s, const plan *p, region_data *r, void *arg);

/* The data-collection workbook of one plan (collect.h). */
static int act_template(session *s, const plan *p, region_data *r, void *arg)
{
    (void)r, (void)arg;
    collect_options co = {NULL, s->o->templates_dir, s->o->data_dir, s->o->year};
    int last = s->o->year ? s->o->year : p->period[1];
    char *dflt = xasprintf("%s-data-%d.xlsx", p->id, last);
    co.out_path = s->o->given & OPT_OUT ? s->o->out_dir : dflt;
    int rc = collect_template(&co, p, &s->cat, &s->dict, &s->diags) == 0 ? EXIT_OK : EXIT_OUTPUT;
    if (rc == EXIT_OK && !s->o->quiet)
        printf("%s: data-collection workbook %s\n", p->id, co.out_path);
    free(dflt);
    return rc;
}

/* Evaluate every selected plan, in this process or in -j parallel ones. */
static int for_each_plan(session *s, plan_action act, void *arg, int *nplans_ok)
{
    int n = 0;
    char **files = select_plans(s, &n);
    int rc = EXIT_OK;
    *nplans_ok = 0;
    const char **names = xcalloc((size_t)n + 1, sizeof *names);
    for (int i = 0; i < n; i++) {
        const char *slash = strrchr(files[i], '/');
        names[i] = slash ? slash + 1 : files[i];
    }
    batch_result *res = xcalloc((size_t)n + 1, sizeof *res);
    int stopped = 0; /* the signal that stopped a -j batch */
    if (s->o->jobs > 1 && n > 1) {
        if (act == act_run || act == act_check) /* the workers share them (pdf.h) */
            pdf_fonts_preload(s->fonts, s->tpls, s->o->templates_dir);
        batch_ctx bc = {s, files, act, arg};
        int b = batch_run(s->o->jobs, n, names, batch_one, &bc, res, s->o->quiet);
        stopped = b > 0 ? b : 0;
    } else {
        for (int i = 0; i < n; i++) {
            size_t before = s->diags.n;
            res[i].status = process_plan(s, files[i], act, arg);
            if (res[i].status != EXIT_OK && res[i].status != EXIT_SKIPPED)
                diag_first_error(&s->diags, before, res[i].why, sizeof res[i].why);
            /* Each plan's problems after it, as under -j, and before the summary. */
            diag_list news = {s->diags.items + s->diags_shown, s->diags.n - s->diags_shown, 0};
            diag_print(&news, stderr);
            s->diags_shown = s->diags.n;
        }
    }
    /* The summary: cron mails it, so it names each plan that failed and why. */
    int failed = 0, skipped = 0;
    for (int i = 0; i < n; i++) {
        int st = res[i].status;
        if (st == EXIT_SKIPPED)
            skipped++;
        if (st == EXIT_OK || st == EXIT_SKIPPED) {
            (*nplans_ok)++;
            continue;
        }
        failed++;
        if (st >= 128 && stopped)
            fprintf(stderr, "planeval: %s: %s\n", names[i],
                    res[i].why[0] ? res[i].why : "stopped, its previous results kept");
        else if (st >= 128)
            fprintf(stderr, "planeval: %s: crashed (signal %d)\n", names[i], st - 128);
        else if (res[i].why[0])
            fprintf(stderr, "planeval: %s: failed: %s\n", names[i], res[i].why);
        else
            fprintf(stderr, "planeval: %s: %s\n", names[i],
                    st == EXIT_OUTPUT ? "results could not be written" : "errors (listed above)");
        int code = st >= 128 || st == EXIT_OUTPUT ? EXIT_OUTPUT : EXIT_PROBLEMS;
        if (code > rc)
            rc = code;
    }
    if (!s->o->quiet && n > 1)
        fprintf(stderr, "planeval: %d plans: %d %s, %d unchanged, %d failed\n", n,
                *nplans_ok - skipped, act == act_check ? "checked" : "evaluated", skipped,
                failed);
    if (stopped) {
        /* no comparison or manifest after an interrupted batch (main) */
        fprintf(stderr, "planeval: stopped by signal %d: each plan holds its previous or its new "
                        "results, whole\n",
                stopped);
        rc = 128 + stopped;
    }
    free(res);
    free(names);
    for (int i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return rc;
}

static void init_context(eval_context *ec, session *s, const plan *p, const region_data *r);

/*
 * What a run of this evaluation would leave undecided (数据不足, or not yet
 * due with nothing to show progress): each target as a warning at its line
 * in the plan, with the reason, so that missing data are found before the
 * reports say 数据不足. Returns how many.
 */
static int report_undecided(const evaluation *ev, diag_list *d)
{
    int n = 0;
    for (int i = 0; i < ev->ninds; i++) {
        const indicator_result *ir = &ev->inds[i];
        for (int k = 0; k < ir->ntargets; k++) {
            const target_result *tr = &ir->targets[k];
            /* A window that has not begun is not a gap in the data. */
            int begun = tr->window[0] <= tr->window[1];
            int open = tr->status == V_INSUFFICIENT ||
                       (tr->status == V_NOT_YET_DUE && tr->progress < 0 && begun);
            if (!open)
                continue;
            n++;
            diag_add(d, DIAG_WARNING, ev->p->path, tr->t->line, 0,
                     "indicator %s (target %d%s): a run would leave it undecided (%s): %s",
                     ir->ind->id, tr->t->year, tr->t->undated ? ", undated" : "",
                     tr->status == V_INSUFFICIENT ? "数据不足" : "未到期, no progress figure",
                     tr->detail ? tr->detail : "no data");
        }
    }
    return n;
}

/*
 * Definitions and data loaded without error (before this is called); then
 * the plan is judged and its findings and documents laid out, without
 * forecasts and without writing anything, so that a template text whose
 * placeholder has no value in this plan is found here, with its file and line.
 */
/* --review DIR: DIR/<plan-id>-review.csv and .xlsx for the departments, both or neither. */
static void write_review(session *s, const eval_context *ec, const evaluation *ev,
                         const review *rv)
{
    labels w = {0};
    char *path = xasprintf("%s/collect.yaml", s->o->templates_dir);
    char *csv = xasprintf("%s-review.csv", ec->p->id);
    char *xlsx = xasprintf("%s-review.xlsx", ec->p->id);
    out_set os;
    if (labels_load(&w, path, &s->diags) == 0 &&
        outset_open(&os, s->o->review_dir, 0, &s->diags) == 0) {
        FILE *f = outset_stream(&os, csv, &s->diags);
        const char *tmp = f ? outset_path(&os, xlsx, &s->diags) : NULL;
        time_t t = output_date(ev->eval_year);
        if (tmp && review_write_csv(rv, ec, &w, f) == 0 &&
            review_write_xlsx(rv, ec, &w, tmp, t ? t : 1) == 0)
            outset_commit(&os, &s->diags);
        else {
            diag_add(&s->diags, DIAG_ERROR, s->o->review_dir, 0, 0,
                     "the data review of %s could not be written", ec->p->id);
            outset_abort(&os);
        }
    }
    labels_free(&w);
    free(path);
    free(csv);
    free(xlsx);
}

/* The data-quality review (review.h): printed, and with --review DIR written for the departments. */
static void review_data(session *s, const eval_context *ec, const evaluation *ev)
{
    const plan *p = ec->p;
    review rv;
    int first = p->baseline_period[0] ? p->baseline_period[0] : p->period[0];
    review_plan(&rv, ec, first, ev->eval_year);
    if (!s->o->quiet) {
        printf("%s: data review %d-%d: %zu note%s (questions for the departments, not errors)\n",
               p->id, first, ev->eval_year, rv.n, rv.n == 1 ? "" : "s");
        review_print(&rv, ec, stdout);
    }
    if (s->o->review_dir)
        write_review(s, ec, ev, &rv);
    review_free(&rv);
}

static int act_check(session *s, const plan *p, region_data *r, void *arg)
{
    (void)arg;
    size_t before = diag_errors(&s->diags);
    eval_context ec;
    init_context(&ec, s, p, r);
    evaluation ev;
    int undecided = 0;
    if (evaluate_plan(&ev, &ec, s->o->stage, s->o->year, &s->diags) == 0) {
        undecided = report_undecided(&ev, &s->diags);
        findings fnd;
        if (findings_build(&fnd, &ev, &ec, &s->lb, NULL, s->o->templates_dir, s->tpls,
                           &s->diags) == 0 &&
            pdf_templates_present(s->o->templates_dir)) {
            outcome oc = {&ev, &ec, &s->lb, NULL, NULL, &fnd, s->o->templates_dir, NULL, NULL, 0,
                          s->fonts, s->tpls, s->wordings};
            pdf_check_reports(&oc, &s->diags);
        }
        findings_free(&fnd);
        if (diag_errors(&s->diags) == before)
            review_data(s, &ec, &ev);
        evaluation_free(&ev);
    }
    if (diag_errors(&s->diags) > before)
        return EXIT_PROBLEMS;
    if (!s->o->quiet)
        printf("%s: %d indicators, definitions, data and templates OK; %d target%s a run "
               "would leave undecided%s\n",
               p->id, p->ninds, undecided, undecided == 1 ? "" : "s",
               undecided ? ", each a warning on stderr" : "");
    return 0;
}

static void init_context(eval_context *ec, session *s, const plan *p, const region_data *r)
{
    memset(ec, 0, sizeof *ec);
    ec->p = p;
    ec->cat = &s->cat;
    ec->syms = &s->syms;
    ec->dict = &s->dict;
    ec->r = r;
    ec->window[0] = p->period[0];
    ec->window[1] = p->period[1];
}

/* What plan_inputs knows of the files read: the session's, the plan's, its region's. */
typedef struct known_inputs {
    const session *s;
    const plan *p;
    const region_data *r;
    char *labels_path; /* s->lb's file */
} known_inputs;

/* The digest of path's bytes as this process parsed them, or NULL (known_digest_fn). */
static const char *known_input(void *ctx, const char *path)
{
    const known_inputs *k = ctx;
    const session *s = k->s;
    if (strcmp(path, k->p->path) == 0)
        return k->p->sha256;
    if (s->have_cat && strcmp(path, s->cat.path) == 0)
        return s->cat.sha256;
    if (s->have_labels && strcmp(path, k->labels_path) == 0)
        return s->lb.sha256;
    const char *h = region_file_digest(k->r, path);
    if (!h)
        h = dictionary_file_digest(&s->dict, path);
    if (!h)
        h = labels_cache_digest(s->wordings, path);
    if (!h)
        h = rtpl_cache_digest(s->tpls, path);
    return h;
}

/* inputs.sha256 for plan p: what its results depend on (manifest.h). */
static char *plan_inputs(session *s, const plan *p, const region_data *r)
{
    input_dirs dirs = {s->o->catalogue, s->o->variables_dir, s->o->data_dir, s->o->templates_dir};
    /* no option string is shared with an older meaning of the default */
    static const char *const charts[] = {
        [CHART_FILES_NONE] = " charts=none", [CHART_FILES_ALL] = " charts=all",
        [CHART_FILES_PNG] = " charts=png", [CHART_FILES_SVG] = " charts=svg"};
    char dpi[32] = "";
    if (s->o->chart_dpi > 0 && s->o->chart_dpi != CHART_DPI && s->o->charts != CHART_FILES_NONE &&
        s->o->charts != CHART_FILES_SVG)
        snprintf(dpi, sizeof dpi, " chart_dpi=%g", s->o->chart_dpi);
    /* the commit too: a program that words or computes differently is an input
     * (a working copy rebuilt after a pull must not keep the old reports) */
    char *opts = xasprintf("planeval %s commit=%s stage=%s year=%d on_track=%g at_risk=%g%s%s",
                           PLANEVAL_VERSION, PLANEVAL_COMMIT, stage_name(s->o->stage), s->o->year,
                           s->o->on_track, s->o->at_risk, charts[s->o->charts], dpi);
    known_inputs k = {s, p, r, xasprintf("%s/labels.yaml", s->o->templates_dir)};
    char *listing = inputs_listing(p->path, p->region, &dirs, opts, known_input, &k, &s->diags);
    free(k.labels_path);
    free(opts);
    return listing;
}

/* The forecasts of an evaluation (forecast.h), with this run's thresholds. */
static void run_forecasts(session *s, const evaluation *ev, const eval_context *ec,
                          forecast_set *fs)
{
    forecast_options fo;
    forecast_options_init(&fo);
    fo.on_track = s->o->on_track;
    fo.at_risk = s->o->at_risk;
    fo.garwood = s->garwood;
    fo.selects = s->selects;
    forecast_plan(ev, ec, &fo, &s->lb, fs);
}

/* CPU seconds of this process so far (NAN if the clock cannot be read):
 * the stage times of PLANEVAL_TIMES below. */
static double cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return NAN;
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int act_run(session *s, const plan *p, region_data *r, void *arg)
{
    (void)arg;
    char *dir = xasprintf("%s/%s", s->o->out_dir, p->id);
    char *inputs = plan_inputs(s, p, r);
    if (!s->o->force && inputs_unchanged(dir, inputs)) {
        if (!s->o->quiet)
            printf("%s: inputs unchanged since the last run, skipped (--force renders again)\n",
                   p->id);
        free(inputs);
        free(dir);
        return EXIT_SKIPPED;
    }
    double cpu0 = cpu_seconds();
    eval_context ec;
    init_context(&ec, s, p, r);
    evaluation ev;
    if (evaluate_plan(&ev, &ec, s->o->stage, s->o->year, &s->diags) != 0) {
        free(inputs);
        free(dir);
        return EXIT_PROBLEMS;
    }
    forecast_set fs;
    double cpu1 = cpu_seconds();
    run_forecasts(s, &ev, &ec, &fs);
    double cpu2 = cpu_seconds();
    /* What changed since the previous run, whose files stay in dir until the
     * commit below, or since --since DIR (changes.h). */
    change_list changes;
    char *prev = s->o->since ? xasprintf("%s/%s", s->o->since, p->id) : xstrdup(dir);
    /* series.csv rendered once: the file, and this run's side of the changes */
    char *scsv = NULL;
    size_t slen = 0;
    FILE *smem = open_memstream(&scsv, &slen);
    if (smem) {
        write_series_csv_fc(smem, &ev, &ec, &fs);
        if (fclose(smem) != 0) {
            free(scsv);
            scsv = NULL;
        }
    }
    int have_changes = changes_build(&changes, prev, &ev, &ec, &s->lb, &fs, scsv, inputs,
                                     s->o->templates_dir, s->tpls, &s->diags) == 0;
    free(prev);
    /* What the evaluation found, worded once for every output (findings.h). */
    findings fnd;
    int have_findings = findings_build(&fnd, &ev, &ec, &s->lb, &fs, s->o->templates_dir, s->tpls,
                                       &s->diags) == 0;
    /* The digest the workbook states beside the program's figures (sha256sum inputs.sha256). */
    char digest[65];
    sha256_ctx sc;
    sha256_init(&sc);
    sha256_update(&sc, inputs, strlen(inputs));
    sha256_final_hex(&sc, digest);
    outcome oc = {&ev, &ec, &s->lb, &fs, have_changes ? &changes : NULL, &fnd,
                  s->o->templates_dir, digest, NULL, 0, s->fonts, s->tpls, s->wordings};
    out_set out;
    int rc = EXIT_OK;
    pdf_stats pdfst = {0, 0, 0, 0};
    if (!have_findings) {
        rc = EXIT_OUTPUT;
    } else if (outset_open(&out, dir, 1, &s->diags) != 0) {
        outset_abort(&out);
        rc = EXIT_OUTPUT;
    } else {
        FILE *f;
        if ((f = outset_stream(&out, "series.csv", &s->diags))) {
            if (scsv)
                fwrite(scsv, 1, slen, f);
            else
                write_series_csv_fc(f, &ev, &ec, &fs);
        }
        /* assessment.csv rendered once: the file, and 指标 and 预测 of the workbook */
        char *acsv = NULL;
        size_t alen = 0;
        FILE *mem = open_memstream(&acsv, &alen);
        if (mem) {
            write_assessment_csv_findings(mem, &oc);
            if (fclose(mem) == 0) {
                oc.assessment_csv = acsv;
                oc.assessment_len = alen;
            }
        }
        if ((f = outset_stream(&out, "assessment.csv", &s->diags))) {
            if (oc.assessment_csv)
                fwrite(oc.assessment_csv, 1, oc.assessment_len, f);
            else
                write_assessment_csv_findings(f, &oc);
        }
        if ((f = outset_stream(&out, "warnings.csv", &s->diags)))
            write_warnings_csv(f, &ev.warnings);
        if (have_changes && (f = outset_stream(&out, "changes.csv", &s->diags)))
            changes_write_csv(f, &changes);
        /* The Excel workbook, <plan-id>.xlsx (docs/workbook.md). */
        char *xlsx = xasprintf("%s.xlsx", p->id);
        const char *tmp = outset_path(&out, xlsx, &s->diags);
        if (tmp)
            workbook_write(tmp, &oc, &s->diags);
        free(xlsx);
        oc.assessment_csv = NULL; /* the PDFs do not read it */
        free(acsv);
        /* The charts as PNG and/or SVG under charts/, as --charts asks (docs/charts.md). */
        if (charts_write_plan(&ev, &ec, &s->lb, s->o->templates_dir, &fs, &fnd, s->o->charts,
                              s->o->chart_dpi, &out, &s->diags) < 0) {
            outset_abort(&out);
            rc = EXIT_OUTPUT;
        } else if (pdf_templates_present(s->o->templates_dir) &&
                   pdf_write_reports(&out, &oc, &pdfst, &s->diags) != 0) {
            /* brief.pdf and report.pdf (docs/templates.md), charts drawn as vectors. */
            outset_abort(&out);
            rc = EXIT_OUTPUT;
        } else if (!(f = outset_stream(&out, "inputs.sha256", &s->diags))) {
            outset_abort(&out);
            rc = EXIT_OUTPUT;
        } else {
            /* inputs.sha256, the marker that lets a later run skip the plan,
             * last, and committed with the rest as one unit (outset.h) */
            fputs(inputs, f);
            if (outset_commit(&out, &s->diags) != 0)
                rc = EXIT_OUTPUT;
        }
    }
    if (rc == EXIT_OK && !s->o->quiet) {
        int counts[5] = {0};
        int ntargets = 0;
        for (int i = 0; i < ev.ninds; i++)
            for (int k = 0; k < ev.inds[i].ntargets; k++) {
                counts[ev.inds[i].targets[k].status]++;
                ntargets++;
            }
        printf("%s: %s %d, %d indicators, %d targets: %d met, %d not met, %d not yet due, "
               "%d insufficient data, %d not applicable -> %s/\n",
               p->id, stage_name(ev.stage), ev.eval_year, ev.ninds, ntargets, counts[V_MET],
               counts[V_NOT_MET], counts[V_NOT_YET_DUE], counts[V_INSUFFICIENT],
               counts[V_NOT_APPLICABLE], dir);
        if (have_changes) {
            char *line = changes_summary_line(&changes);
            puts(line);
            free(line);
        }
    }
    if (!s->o->quiet)
        diag_print(&ev.warnings, stderr);
    if (rc == EXIT_OK && getenv("PLANEVAL_TIMES"))
        /* for make bench (tests/bench/pdf.sh): the forecasts' CPU
         * against the plan's, from its evaluation to its commit */
        fprintf(stderr, "cpu-times %s %.6f %.6f\n", p->id, cpu2 - cpu1, cpu_seconds() - cpu0);
    if (rc == EXIT_OK && getenv("PLANEVAL_PDF_TIMES") && pdfst.brief_pages)
        /* for make bench (tests/bench/pdf.sh) */
        fprintf(stderr, "pdf-times %s %.3f %.3f %d %d\n", p->id, pdfst.brief_seconds,
                pdfst.report_seconds, pdfst.brief_pages, pdfst.report_pages);
    free(inputs);
    free(dir);
    free(scsv);
    findings_free(&fnd);
    changes_free(&changes);
    forecast_set_free(&fs);
    evaluation_free(&ev);
    return rc;
}

/* ---------- explain ---------- */

typedef struct explain_trace {
    const dictionary *dict;
    int printed;
} explain_trace;

static void explain_source(void *ctx, int var, const formula_filter *filters, int nfilters,
                           int year, const char *path, int line, fvalue v)
{
    explain_trace *et = ctx;
    const var_def *vd = &et->dict->vars[var];
    printf("      %s", vd->name);
    if (nfilters) {
        putchar('{');
        for (int i = 0; i < nfilters; i++) {
            printf("%s%s=", i ? ", " : "", filters[i].dim);
            for (int k = 0; k < filters[i].nvalues; k++)
                printf("%s\"%s\"", k ? "|" : "", filters[i].values[k]);
        }
        putchar('}');
    }
    char buf[32];
    printf(" %d: %s %s  (%s:%d)\n", year, v.state == FV_OK ? format_number(v.v, buf) : "(empty)",
           vd->unit, path, line);
    et->printed++;
}

static void print_value(const char *label_text, fvalue v)
{
    char buf[32];
    printf("%s%s", label_text,
           v.state == FV_OK ? format_number(v.v, buf)
                            : v.state == FV_MISSING ? "missing" : "not applicable");
}

static void explain_params(session *s, const plan *p, const indicator *ind, const expr_def *e,
                           const eval_context *ec)
{
    if (!e || !e->f)
        return;
    const formula_ref *refs;
    int n = formula_refs(e->f, &refs);
    for (int i = 0; i < n; i++) {
        if (refs[i].kind != REF_PARAM)
            continue;
        const param_def *pd = plan_param(p, &s->cat, ind, refs[i].id);
        const char *origin = !pd ? "undefined"
                             : pd >= ind->params && pd < ind->params + ind->nparams ? "indicator"
                             : pd >= p->params && pd < p->params + p->nparams       ? "plan"
                                                                                    : "catalogue";
        printf("    parameter %s = %s  [%s%s%s]", s->syms.names[refs[i].id],
               pd ? pd->value.text : "?", origin, pd && pd->unit ? ", " : "",
               pd && pd->unit ? pd->unit : "");
        if (pd) {
            fvalue v = compute_expr(ec, ind, &pd->value, ec->window[1]);
            print_value(" -> ", v);
        }
        if (pd && pd->note)
            printf("  (%s)", pd->note);
        putchar('\n');
    }
}

static int act_explain(session *s, const plan *p, region_data *r, void *arg)
{
    (void)arg;
    const indicator *ind = plan_find_indicator(p, s->o->indicator);
    if (!ind) {
        diag_add(&s->diags, DIAG_ERROR, p->path, 0, 0, "plan %s has no indicator '%s'", p->id,
                 s->o->indicator);
        return EXIT_PROBLEMS;
    }
    eval_context ec;
    init_context(&ec, s, p, r);
    evaluation ev;
    if (evaluate_plan(&ev, &ec, s->o->stage, s->o->year, &s->diags) != 0)
        return EXIT_PROBLEMS;
    const indicator_result *ir = &ev.inds[ind - p->inds];
    printf("%s / %s: %s\n", p->id, ind->id, ind->name);
    printf("  kind %s, unit %s, better %s, type %s", kind_name(ind->kind), ind->unit,
           better_name(ind->better), ind->type);
    if (ind->use)
        printf(", catalogue %s", ind->use->id);
    printf("\n  defined at %s:%d", p->path, ind->line);
    if (ind->source.line)
        printf("; plan text line %d%s%s", ind->source.line, ind->source.section ? " " : "",
               ind->source.section ? ind->source.section : "");
    printf("\n");
    if (ind->doubt) {
        printf("  doubt (%s:%d): %s\n", p->path, ind->doubt->line, ind->doubt->question);
        printf("    reading used: %s\n", ind->doubt->reading);
        if (ind->doubt->alternative)
            printf("    other reading: %s\n", ind->doubt->alternative);
    }
    printf("  evaluation: %s %d (data %d-%d)\n", stage_name(ev.stage), ev.eval_year,
           ev.data_first_year, ev.data_last_year);
    if (ind->numerator) {
        printf("  formula: %s x (%s) / (%s)\n", ind->scale ? ind->scale->text : "1",
               ind->numerator->text, ind->denominator->text);
    } else if (ind->formula) {
        printf("  formula: %s\n", ind->formula->text);
    }
    explain_params(s, p, ind, ind->numerator, &ec);
    explain_params(s, p, ind, ind->denominator, &ec);
    explain_params(s, p, ind, ind->scale, &ec);
    explain_params(s, p, ind, ind->formula, &ec);
    if (ind->kind == IND_QUANTITATIVE) {
        printf("  by year:\n");
        explain_trace et = {&s->dict, 0};
        eval_context tec = ec;
        tec.trace = explain_source;
        tec.trace_ctx = &et;
        for (int k = 0; k < ir->nyears; k++) {
            int year = ir->first_year + k;
            printf("    %d: ", year);
            const year_value *yv = &ir->years[k];
            print_value("", yv->value);
            if (ind->numerator) {
                print_value("  = scale x numerator / denominator; numerator ", yv->num);
                print_value(", denominator ", yv->den);
            }
            putchar('\n');
            compute_indicator(&tec, ind, year); /* prints the inputs read */
        }
    }
    printf("  targets:\n");
    for (int k = 0; k < ir->ntargets; k++) {
        const target_result *tr = &ir->targets[k];
        printf("    %d. %s %s by %d: %s  -- %s\n", k + 1, op_name(tr->t->op),
               tr->t->has_value || tr->t->has_by ? "" : "", tr->t->year,
               label(&s->lb, "status", verdict_name(tr->status)), tr->detail ? tr->detail : "");
        if (tr->record)
            printf("       evidence (%s:%d): %s\n", tr->record->path, tr->record->line,
                   tr->record->evidence);
    }
    if (ind->kind != IND_QUALITATIVE) {
        /* milestones: their chance of completion (forecast_explain) */
        forecast_set fs;
        run_forecasts(s, &ev, &ec, &fs);
        forecast_explain(stdout, &fs, (int)(ind - p->inds), &s->lb);
        forecast_set_free(&fs);
    }
    evaluation_free(&ev);
    return EXIT_OK;
}

/* ---------- argument parsing ---------- */

static int parse_args(int argc, char **argv, options *o, const char **cmd)
{
    memset(o, 0, sizeof *o);
    o->indicators_dir = "indicators";
    o->data_dir = "data";
    o->templates_dir = "templates";
    o->out_dir = "out";
    o->stage = STAGE_AUTO;
    forecast_options fo;
    forecast_options_init(&fo);
    o->on_track = fo.on_track;
    o->at_risk = fo.at_risk;
    o->plans = xcalloc((size_t)argc, sizeof(char *));
    *cmd = NULL;
    int version = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *cmd = "help";
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            /* the options after it (--config, --templates ...) still count:
             * --version says which shared files they lead to */
            version = 1;
            continue;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }
        if (strcmp(a, "--force") == 0) {
            o->force = 1;
            continue;
        }
        if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = 1;
            continue;
        }
        if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0 || strncmp(a, "-j", 2) == 0) {
            const char *num = a[1] == 'j' && a[2] ? a + 2 : val;
            double j;
            if (!num || parse_number(num, &j) != 0 || j != (int)j || j < 1 || j > 256) {
                fprintf(stderr, "planeval: -j needs a number of parallel jobs (1-256)\n");
                return -1;
            }
            o->jobs = (int)j;
            o->given |= OPT_JOBS;
            if (num == val)
                i++;
            continue;
        }
        if (strcmp(a, "--chart-dpi") == 0) {
            char *end = NULL;
            double v = val ? strtod(val, &end) : 0;
            if (!val || end == val || *end || !(v >= 72 && v <= 600)) {
                fprintf(stderr, "planeval: --chart-dpi must be a number from 72 to 600\n");
                return -1;
            }
            o->chart_dpi = v;
            i++;
            continue;
        }
        if (strcmp(a, "--charts") == 0) {
            if (!val || chart_files_parse(val, &o->charts) != 0) {
                fprintf(stderr, "planeval: --charts must be none, png, svg or all\n");
                return -1;
            }
            o->given |= OPT_CHARTS;
            i++;
            continue;
        }
        if (strcmp(a, "--shard") == 0) {
            int k, n;
            char extra;
            if (!val || sscanf(val, "%d/%d%c", &k, &n, &extra) != 2 || n < 1 || k < 1 || k > n) {
                fprintf(stderr, "planeval: --shard takes K/N with 1 <= K <= N, e.g. 2/8\n");
                return -1;
            }
            o->shard_k = k;
            o->shard_n = n;
            i++;
            continue;
        }
        if (strcmp(a, "--on-track") == 0 || strcmp(a, "--at-risk") == 0) {
            double pr;
            if (!val || parse_number(val, &pr) != 0 || !(pr > 0 && pr <= 1)) {
                fprintf(stderr, "planeval: %s needs a probability above 0 and at most 1\n", a);
                return -1;
            }
            *(a[2] == 'o' ? &o->on_track : &o->at_risk) = pr;
            o->given |= a[2] == 'o' ? OPT_ON_TRACK : OPT_AT_RISK;
            i++;
            continue;
        }
        int takes = strcmp(a, "--stage") == 0 || strcmp(a, "--year") == 0 ||
                    strcmp(a, "--out") == 0 || strcmp(a, "--indicators") == 0 ||
                    strcmp(a, "--data") == 0 || strcmp(a, "--templates") == 0 ||
                    strcmp(a, "--config") == 0 || strcmp(a, "--since") == 0 ||
                    strcmp(a, "--review") == 0;
        if (takes) {
            if (!val) {
                fprintf(stderr, "planeval: %s needs a value\n", a);
                return -1;
            }
            if (!*val && strcmp(a, "--stage") != 0 && strcmp(a, "--year") != 0) {
                /* a path: "" (an unset variable in a cron line) names no file */
                fprintf(stderr, "planeval: %s needs a path, not an empty value\n", a);
                return -1;
            }
            i++;
            if (strcmp(a, "--config") == 0) {
                o->config = val;
            } else if (strcmp(a, "--review") == 0) {
                o->review_dir = val;
            } else if (strcmp(a, "--since") == 0) {
                o->since = val;
            } else if (strcmp(a, "--stage") == 0) {
                o->given |= OPT_STAGE;
                if (strcmp(val, "auto") == 0)
                    o->stage = STAGE_AUTO;
                else if (strcmp(val, "annual") == 0)
                    o->stage = STAGE_ANNUAL;
                else if (strcmp(val, "midterm") == 0)
                    o->stage = STAGE_MIDTERM;
                else if (strcmp(val, "final") == 0)
                    o->stage = STAGE_FINAL;
                else {
                    fprintf(stderr, "planeval: --stage must be auto, annual, midterm or final\n");
                    return -1;
                }
            } else if (strcmp(a, "--year") == 0) {
                double y;
                if (parse_number(val, &y) != 0 || y != (int)y || y < 1949 || y > 2100) {
                    fprintf(stderr, "planeval: --year must be a year like 2025\n");
                    return -1;
                }
                o->year = (int)y;
                o->given |= OPT_YEAR;
            } else if (strcmp(a, "--out") == 0) {
                o->out_dir = val;
                o->given |= OPT_OUT;
            } else if (strcmp(a, "--indicators") == 0) {
                o->indicators_dir = val;
                o->given |= OPT_INDICATORS;
            } else if (strcmp(a, "--data") == 0) {
                o->data_dir = val;
                o->given |= OPT_DATA;
            } else {
                o->templates_dir = val;
                o->given |= OPT_TEMPLATES;
            }
            continue;
        }
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "planeval: unknown option %s\n", a);
            return -1;
        }
        if (!*cmd)
            *cmd = a;
        else
            o->plans[o->nplans++] = a;
    }
    if (version)
        *cmd = "version";
    if (o->at_risk > o->on_track) {
        fprintf(stderr, "planeval: --at-risk must not be above --on-track\n");
        return -1;
    }
    return 0;
}

static stage stage_from_name(const char *s)
{
    return strcmp(s, "annual") == 0    ? STAGE_ANNUAL
           : strcmp(s, "midterm") == 0 ? STAGE_MIDTERM
           : strcmp(s, "final") == 0   ? STAGE_FINAL
                                       : STAGE_AUTO;
}

/* The lock of the output directory (outset_lock); 0, or -1 after its message. */
static int lock_out(const char *out_dir)
{
    diag_list d = {0};
    int rc = outset_lock(out_dir, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    return rc;
}

/* The installed share directory: $PLANEVAL_SHAREDIR, else the one built in. */
static const char *share_dir(void)
{
    const char *e = getenv("PLANEVAL_SHAREDIR");
    return e && *e ? e : PLANEVAL_SHAREDIR;
}

static int exists(const char *path, int want_dir)
{
    struct stat st;
    return stat(path, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/*
 * Where the shared files come from: the working directory's (or the
 * directories given), else the copies `make install` put in the share
 * directory, so that an installed planeval runs from any directory. A
 * templates directory given on the command line or in the run
 * configuration is used as it is.
 */
static void resolve_shared(options *o, int templates_given)
{
    const char *share = share_dir();
    char *tl = xasprintf("%s/labels.yaml", o->templates_dir);
    snprintf(o->path_buf[0], sizeof o->path_buf[0], "%s/templates", share);
    if (!templates_given && !exists(tl, 0) && exists(o->path_buf[0], 1)) {
        o->templates_dir = o->path_buf[0];
        o->from_share |= SHARED_TEMPLATES;
    }
    free(tl);
    snprintf(o->path_buf[1], sizeof o->path_buf[1], "%s/catalogue.yaml", o->indicators_dir);
    o->catalogue = o->path_buf[1];
    char *alt = xasprintf("%s/catalogue.yaml", share);
    if (!exists(o->catalogue, 0) && exists(alt, 0)) {
        snprintf(o->path_buf[1], sizeof o->path_buf[1], "%s", alt);
        o->from_share |= SHARED_CATALOGUE;
    }
    free(alt);
    snprintf(o->path_buf[2], sizeof o->path_buf[2], "%s/variables", o->data_dir);
    o->variables_dir = o->path_buf[2];
    alt = xasprintf("%s/variables", share);
    if (!exists(o->variables_dir, 1) && exists(alt, 1)) {
        snprintf(o->path_buf[2], sizeof o->path_buf[2], "%s", alt);
        o->from_share |= SHARED_VARIABLES;
    }
    free(alt);
}

/* What `planeval --version` says: the version, the commit, the shared files in use. */
static void print_version(const options *o)
{
    printf("planeval %s\n", PLANEVAL_VERSION);
    printf("commit: %s\n", PLANEVAL_COMMIT);
    printf("share directory: %s\n", share_dir());
    printf("templates: %s%s\n", o->templates_dir,
           o->from_share & SHARED_TEMPLATES ? " (installed)" : "");
    printf("catalogue: %s%s\n", o->catalogue, o->from_share & SHARED_CATALOGUE ? " (installed)" : "");
    printf("data dictionary: %s%s\n", o->variables_dir,
           o->from_share & SHARED_VARIABLES ? " (installed)" : "");
}

/*
 * Read the run configuration (--config FILE, else run.yaml in the
 * indicators directory when there is one) into rc and take from it what the
 * command line did not set. Returns 0, or -1 after printing its errors.
 */
static int apply_config(options *o, run_config *rc, const char *cmd)
{
    memset(rc, 0, sizeof *rc);
    char *dflt = NULL;
    const char *path = o->config;
    if (!path) {
        dflt = xasprintf("%s/%s", o->indicators_dir, RUN_CONFIG_DEFAULT);
        if (access(dflt, F_OK) != 0) {
            free(dflt);
            return 0;
        }
        path = dflt;
    }
    diag_list d = {0};
    int r = run_config_load(rc, path, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    free(dflt);
    if (r != 0)
        return -1;
    if (rc->indicators && !(o->given & OPT_INDICATORS))
        o->indicators_dir = rc->indicators;
    if (rc->data && !(o->given & OPT_DATA))
        o->data_dir = rc->data;
    if (rc->templates && !(o->given & OPT_TEMPLATES))
        o->templates_dir = rc->templates;
    if (rc->out && !(o->given & OPT_OUT))
        o->out_dir = rc->out;
    if (rc->stage && !(o->given & OPT_STAGE))
        o->stage = stage_from_name(rc->stage);
    if (rc->year && !(o->given & OPT_YEAR))
        o->year = rc->year;
    if (rc->charts && !(o->given & OPT_CHARTS))
        chart_files_parse(rc->charts, &o->charts); /* checked by run_config_load */
    if (rc->jobs && !(o->given & OPT_JOBS))
        o->jobs = rc->jobs;
    if (rc->on_track > 0 && !(o->given & OPT_ON_TRACK))
        o->on_track = rc->on_track;
    if (rc->at_risk > 0 && !(o->given & OPT_AT_RISK))
        o->at_risk = rc->at_risk;
    if (o->at_risk > o->on_track) {
        fprintf(stderr, "planeval: at_risk (%g) is above on_track (%g)\n", o->at_risk,
                o->on_track);
        return -1;
    }
    /* Plans named on the command line replace the configuration's list. */
    if (o->nplans == 0 && rc->nplans > 0 &&
        (strcmp(cmd, "run") == 0 || strcmp(cmd, "check") == 0)) {
        free(o->plans);
        o->plans = xcalloc((size_t)rc->nplans, sizeof(char *));
        for (int i = 0; i < rc->nplans; i++)
            o->plans[o->nplans++] = rc->plans[i];
    }
    return 0;
}

/*
 * `planeval new REGION [FIRST-LAST]`: the skeleton plan file (skeleton.h) in
 * the indicators directory, from the catalogue; the period defaults to
 * 2021-2025.
 */
static int cmd_new(const options *o)
{
    if (o->nplans < 1 || o->nplans > 2) {
        fprintf(stderr, "planeval: new needs REGION and optionally the period, e.g. "
                        "planeval new lanling 2021-2025\n");
        return EXIT_USAGE;
    }
    const char *region = o->plans[0];
    int first = 2021, last = 2025;
    if (!safe_id(region)) {
        fprintf(stderr, "planeval: new: region '%s' must be 1-64 of A-Z a-z 0-9 _ -\n", region);
        return EXIT_USAGE;
    }
    if (o->nplans == 2) {
        char tail;
        if (sscanf(o->plans[1], "%d-%d%c", &first, &last, &tail) != 2 || first < 1949 ||
            last > 2100 || last < first) {
            fprintf(stderr, "planeval: new: period '%s' must be FIRST-LAST, e.g. 2021-2025\n",
                    o->plans[1]);
            return EXIT_USAGE;
        }
    }
    diag_list d = {0};
    dictionary dict;
    symtab syms = {0};
    catalogue cat;
    int rc = EXIT_PROBLEMS;
    if (dictionary_load_regions(&dict, o->variables_dir, o->data_dir, &d) == 0) {
        if (catalogue_load(&cat, o->catalogue, &dict, &syms, &d) == 0) {
            rc = skeleton_create(o->indicators_dir, &cat, region, first, last, &d) == 0
                     ? EXIT_OK
                     : EXIT_OUTPUT;
            catalogue_free(&cat);
        }
        dictionary_free(&dict);
    }
    symtab_free(&syms);
    diag_print(&d, stderr);
    diag_free(&d);
    return rc;
}

/* planeval import FILE.xlsx: the data dictionary is all it needs besides the workbook. */
static int run_import(const options *o)
{
    if (o->nplans != 1) {
        fprintf(stderr, "planeval: import needs one FILE.xlsx\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    diag_list d = {0};
    dictionary dict;
    int rc = EXIT_PROBLEMS;
    if (dictionary_load_regions(&dict, o->variables_dir, o->data_dir, &d) == 0) {
        rc = collect_import(o->plans[0], &dict, o->data_dir, o->dry_run, stdout, &d) == 0
                 ? EXIT_OK
                 : EXIT_PROBLEMS;
        dictionary_free(&dict);
    }
    diag_print(&d, stderr);
    if (rc != EXIT_OK)
        fprintf(stderr, "planeval: %s: nothing imported, nothing written\n", o->plans[0]);
    diag_free(&d);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    const char *cmd;
    /* Over a file size limit (ulimit -f), a write fails with EFBIG and is
     * reported with its file, instead of SIGXFSZ ending the run silently. */
    signal(SIGXFSZ, SIG_IGN);
    heap_tune();
    if (parse_args(argc, argv, &o, &cmd) != 0) {
        usage(stderr);
        free(o.plans);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    if (!cmd || strcmp(cmd, "help") == 0) {
        usage(cmd ? stdout : stderr);
        free(o.plans);
        return cmd ? EXIT_OK : EXIT_USAGE;
    }
    run_config config; /* owns the strings o may now point to: freed last */
    if (strcmp(cmd, "version") == 0) {
        /* with the run configuration's directories, when it can be read */
        int cfg_ok = apply_config(&o, &config, cmd) == 0;
        resolve_shared(&o, (o.given & OPT_TEMPLATES) || (cfg_ok && config.templates));
        print_version(&o);
        run_config_free(&config);
        free(o.plans);
        return EXIT_OK;
    }
    if (apply_config(&o, &config, cmd) != 0) {
        fprintf(stderr, "planeval: the run configuration has errors\n");
        run_config_free(&config);
        free(o.plans);
        return EXIT_USAGE;
    }
    resolve_shared(&o, (o.given & OPT_TEMPLATES) || config.templates);
    if (o.from_share && !o.quiet && strcmp(cmd, "check") == 0)
        fprintf(stderr, "planeval: using the installed %s%s%s under %s\n",
                o.from_share & SHARED_TEMPLATES ? "templates " : "",
                o.from_share & SHARED_CATALOGUE ? "catalogue " : "",
                o.from_share & SHARED_VARIABLES ? "data dictionary " : "", share_dir());
    /* Commands that write into out/ take its lock first: one at a time (outset_lock). */
    int out_existed = exists(o.out_dir, 1);
    /* (compare and manifest of a missing out/ fail as before, unlocked) */
    int writes = strcmp(cmd, "run") == 0 ||
                 (out_existed && (strcmp(cmd, "compare") == 0 || strcmp(cmd, "manifest") == 0));
    if (writes && lock_out(o.out_dir) != 0) {
        free(o.plans);
        run_config_free(&config);
        return EXIT_OUTPUT;
    }
    if (strcmp(cmd, "compare") == 0) {
        /* The cross-region comparison from the result files of --out (compare.h). */
        diag_list d = {0};
        int r = compare_run(o.out_dir, o.templates_dir, o.quiet, NULL, &d);
        if (r == 0 && manifest_write(o.out_dir, PLANEVAL_VERSION, &d) != 0)
            r = -1;
        int crc = r < 0 ? (diag_errors(&d) ? EXIT_PROBLEMS : EXIT_OUTPUT) : EXIT_OK;
        diag_print(&d, stderr);
        diag_free(&d);
        free(o.plans);
        run_config_free(&config);
        charts_shutdown();
        return crc;
    }
    if (strcmp(cmd, "new") == 0) {
        int nrc = cmd_new(&o);
        free(o.plans);
        run_config_free(&config);
        return nrc;
    }
    if (strcmp(cmd, "manifest") == 0) {
        diag_list d = {0};
        int mrc = manifest_write(o.out_dir, PLANEVAL_VERSION, &d) == 0 ? EXIT_OK : EXIT_OUTPUT;
        diag_print(&d, stderr);
        diag_free(&d);
        free(o.plans);
        run_config_free(&config);
        return mrc;
    }
    if (strcmp(cmd, "import") == 0) {
        int irc = run_import(&o);
        free(o.plans);
        run_config_free(&config);
        return irc;
    }
    plan_action act;
    if (strcmp(cmd, "check") == 0) {
        act = act_check;
    } else if (strcmp(cmd, "template") == 0) {
        if (o.nplans != 1) {
            fprintf(stderr, "planeval: template needs one PLAN\n");
            usage(stderr);
            free(o.plans);
            run_config_free(&config);
            return EXIT_USAGE;
        }
        act = act_template;
    } else if (strcmp(cmd, "run") == 0) {
        act = act_run;
    } else if (strcmp(cmd, "explain") == 0) {
        if (o.nplans != 2) {
            fprintf(stderr, "planeval: explain needs PLAN and INDICATOR\n");
            usage(stderr);
            free(o.plans);
            run_config_free(&config);
            return EXIT_USAGE;
        }
        o.indicator = o.plans[1];
        o.nplans = 1;
        act = act_explain;
    } else {
        fprintf(stderr, "planeval: unknown command '%s'\n", cmd);
        usage(stderr);
        free(o.plans);
        run_config_free(&config);
        return EXIT_USAGE;
    }
    session s;
    int ok_plans = 0;
    if (session_open(&s, &o) == 0) {
        /* One run at a time in out/ (outset_lock); then what a killed run left. */
        if (act == act_run) {
            outset_remove_stale(o.out_dir);
            session_preload_templates(&s);
        }
        rc = for_each_plan(&s, act, NULL, &ok_plans);
        if (rc >= 128) {
            ok_plans = 0; /* stopped by a signal: nothing more is written */
            outset_remove_stale(o.out_dir); /* the stopped workers' generation directories */
        }
        /* A run (not a shard) ends with the comparison of every plan in
         * out/, so that one re-run plan does not leave it stale. Quietly
         * when one plan ran: out/ may hold nothing else to compare with. */
        if (act == act_run && ok_plans > 0 && o.shard_n <= 1 &&
            compare_run(o.out_dir, o.templates_dir, o.quiet || ok_plans == 1, s.fonts,
                        &s.diags) < 0 &&
            rc == EXIT_OK)
            rc = EXIT_OUTPUT;
        /* The manifest describes every plan directory in out/, this run's or not. */
        struct stat st;
        if (act == act_run && ok_plans > 0 && stat(o.out_dir, &st) == 0 &&
            manifest_write(o.out_dir, PLANEVAL_VERSION, &s.diags) != 0 && rc == EXIT_OK)
            rc = EXIT_OUTPUT;
    }
    diag_list unshown = {s.diags.items + s.diags_shown, s.diags.n - s.diags_shown, 0};
    diag_print(&unshown, stderr);
    size_t errors = diag_errors(&s.diags);
    if (errors) {
        fprintf(stderr, "planeval: %zu error%s%s\n", errors, errors == 1 ? "" : "s",
                strcmp(cmd, "run") == 0 ? "; see the messages above" : "");
        if (rc == EXIT_OK)
            rc = EXIT_PROBLEMS;
    }
    session_close(&s);
    free(o.plans);
    run_config_free(&config);
    charts_shutdown(); /* Cairo's and fontconfig's caches: a clean exit for leak checkers */
    if (!out_existed)
        rmdir(o.out_dir); /* made only to be locked: a run that wrote nothing leaves none */
    return rc;
}
