/* changes.c - see changes.h. */
#include "changes.h"
#include "csvfile.h"
#include "results.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const kind_names[CH_NKINDS] = {
    "verdict", "value", "forecast_status", "probability", "target_added",
    "target_removed", "indicator_added", "indicator_removed", "input_file"};

/* Keys of changes.yaml for each kind (parts.* and kinds.*). */
static const char *const kind_keys[CH_NKINDS] = {
    "verdict", "value", "forecast", "probability", "target_added",
    "target_removed", "indicator_added", "indicator_removed", "input_file"};

static const char *const reason_names[] = {"definition", "new_data_year", "revised_input",
                                           "evaluation", "options", "other"};
#define NREASONS 6

const char *change_kind_name(change_kind k)
{
    return k >= 0 && k < CH_NKINDS ? kind_names[k] : "";
}

/* ---------- reading one run's files ---------- */

typedef struct year_val {
    int year;
    char *text; /* as written */
} year_val;

/* One indicator's observed values. */
typedef struct ind_series {
    char *id;
    year_val *v;
    int n;
    size_t cap;
    int last;   /* last year with a value, 0 if none */
} ind_series;

typedef struct run_files {
    int have;             /* assessment.csv was found */
    csv_table a, s;       /* assessment, series (s may be empty) */
    int a_ind, a_no, a_name, a_status, a_status_zh, a_cur, a_cur_year, a_fc, a_fc_zh, a_prob,
        a_def, a_stage, a_year;
    ind_series *series;
    int nseries;
    size_t capseries;
    char *options;        /* the "# planeval ..." line of inputs.sha256 */
    char **files, **digests; /* in step */
    int nfiles;
    size_t capfiles, capdigests;
} run_files;

static const ind_series *find_series(const run_files *r, const char *id)
{
    for (int i = 0; i < r->nseries; i++)
        if (strcmp(r->series[i].id, id) == 0)
            return &r->series[i];
    return NULL;
}

static ind_series *series_of(run_files *r, const char *id)
{
    for (int i = 0; i < r->nseries; i++)
        if (strcmp(r->series[i].id, id) == 0)
            return &r->series[i];
    return NULL;
}

static void index_series(run_files *r)
{
    const csv_table *t = &r->s;
    int c_id = csv_column(t, "indicator_id"), c_year = csv_column(t, "year");
    int c_val = csv_column(t, "value"), c_kind = csv_column(t, "kind");
    if (c_id < 0 || c_year < 0 || c_val < 0)
        return;
    for (int i = 1; i < t->nrows; i++) {
        const csv_row *row = &t->rows[i];
        if (c_kind >= 0 && strcmp(csv_get(row, c_kind), "observed") != 0)
            continue;
        const char *id = csv_get(row, c_id);
        ind_series *s = series_of(r, id);
        if (!s) {
            s = ARRAY_PUSH(r->series, r->nseries, r->capseries);
            memset(s, 0, sizeof *s);
            s->id = xstrdup(id);
        }
        const char *val = csv_get(row, c_val);
        if (!*val)
            continue;
        year_val *yv = ARRAY_PUSH(s->v, s->n, s->cap);
        yv->year = atoi(csv_get(row, c_year));
        yv->text = xstrdup(val);
        if (yv->year > s->last)
            s->last = yv->year;
    }
}

static void parse_inputs(run_files *r, const char *text)
{
    const char *p = text;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len && p[0] == '#') {
            free(r->options);
            r->options = xstrndup(p, len);
        } else if (len > 66 && p[64] == ' ' && p[65] == ' ') {
            int n = r->nfiles;
            *ARRAY_PUSH(r->digests, n, r->capdigests) = xstrndup(p, 64);
            *ARRAY_PUSH(r->files, r->nfiles, r->capfiles) = xstrndup(p + 66, len - 66);
        }
        p = eol ? eol + 1 : NULL;
    }
}

static void index_assessment(run_files *r)
{
    const csv_table *t = &r->a;
    r->a_ind = csv_column(t, "indicator_id");
    r->a_no = csv_column(t, "target_no");
    r->a_name = csv_column(t, "name");
    r->a_status = csv_column(t, "status");
    r->a_status_zh = csv_column(t, "status_zh");
    r->a_cur = csv_column(t, "current_value");
    r->a_cur_year = csv_column(t, "current_year");
    r->a_fc = csv_column(t, "forecast_status");
    r->a_fc_zh = csv_column(t, "forecast_status_zh");
    r->a_prob = csv_column(t, "probability_met");
    r->a_def = csv_column(t, "definition");
    r->a_stage = csv_column(t, "stage");
    r->a_year = csv_column(t, "evaluation_year");
}

static void run_files_free(run_files *r)
{
    csvfile_free(&r->a);
    csvfile_free(&r->s);
    for (int i = 0; i < r->nseries; i++) {
        for (int k = 0; k < r->series[i].n; k++)
            free(r->series[i].v[k].text);
        free(r->series[i].v);
        free(r->series[i].id);
    }
    free(r->series);
    for (int i = 0; i < r->nfiles; i++) {
        free(r->files[i]);
        free(r->digests[i]);
    }
    free(r->files);
    free(r->digests);
    free(r->options);
}

static int csv_fail(diag_list *d, const char *path, const csv_error *e)
{
    diag_add(d, DIAG_ERROR, path, e->line, e->col, "%s", e->msg);
    return -1;
}

/* A previous file that cannot be read does not stop this run: it is said,
 * and there is nothing to compare with. */
static void previous_unreadable(diag_list *d, const char *path, const csv_error *e)
{
    diag_add(d, DIAG_WARNING, path, e->line, e->col,
             "previous results cannot be read (%s); no change report against them", e->msg);
}

int changes_previous(const char *prev_dir)
{
    char *path = xasprintf("%s/assessment.csv", prev_dir);
    struct stat st;
    int have = stat(path, &st) == 0;
    free(path);
    return have;
}

/* The previous run's files in dir, which has an assessment.csv (changes_previous). */
static int read_previous(run_files *r, const char *dir, diag_list *d)
{
    char *path = xasprintf("%s/assessment.csv", dir);
    struct stat st;
    int rc = 0;
    csv_error err;
    if (csvfile_read(path, &r->a, &err) != 0) {
        previous_unreadable(d, path, &err);
    } else {
        r->have = 1;
        index_assessment(r);
        free(path);
        path = xasprintf("%s/series.csv", dir);
        if (stat(path, &st) == 0) {
            if (csvfile_read(path, &r->s, &err) != 0)
                previous_unreadable(d, path, &err); /* values then compare as missing */
            else
                index_series(r);
        }
        free(path);
        path = xasprintf("%s/inputs.sha256", dir);
        size_t len;
        char *text = read_whole_file(path, &len);
        if (text)
            parse_inputs(r, text);
        free(text);
    }
    free(path);
    return rc;
}

static int read_current(run_files *r, const char *assessment, const char *series,
                        const char *inputs, diag_list *d)
{
    csv_error err;
    if (csvfile_parse("assessment.csv", assessment, strlen(assessment), &r->a, &err) != 0)
        return csv_fail(d, "assessment.csv", &err);
    r->have = 1;
    index_assessment(r);
    if (series && *series) {
        if (csvfile_parse("series.csv", series, strlen(series), &r->s, &err) != 0)
            return csv_fail(d, "series.csv", &err);
        index_series(r);
    }
    if (inputs)
        parse_inputs(r, inputs);
    return 0;
}

/* ---------- comparing ---------- */

static int same_number(const char *a, const char *b, double tol, int relative)
{
    if (strcmp(a, b) == 0)
        return 1;
    if (!*a || !*b)
        return 0;
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (*ea || *eb)
        return 0; /* not numbers, and different */
    double scale = relative ? fmax(1.0, fmax(fabs(x), fabs(y))) : 1.0;
    return fabs(x - y) <= tol * scale;
}

static const csv_row *find_target(const run_files *r, const char *id, const char *no)
{
    for (int i = 1; i < r->a.nrows; i++) {
        const csv_row *row = &r->a.rows[i];
        if (strcmp(csv_get(row, r->a_ind), id) == 0 && strcmp(csv_get(row, r->a_no), no) == 0)
            return row;
    }
    return NULL;
}

static const csv_row *find_indicator(const run_files *r, const char *id)
{
    for (int i = 1; i < r->a.nrows; i++)
        if (strcmp(csv_get(&r->a.rows[i], r->a_ind), id) == 0)
            return &r->a.rows[i];
    return NULL;
}

/* Why an indicator present in both runs may have changed. */
typedef struct why {
    unsigned reasons;
    int year_old, year_new;
    strbuf revisions;
} why;

static const char *value_in(const ind_series *s, int year)
{
    for (int k = 0; s && k < s->n; k++)
        if (s->v[k].year == year)
            return s->v[k].text;
    return NULL;
}

static void explain(change_list *cl, const run_files *o, const run_files *nw, const csv_row *ro,
                    const csv_row *rn, why *w)
{
    memset(w, 0, sizeof *w);
    sb_init(&w->revisions);
    const char *id = csv_get(rn, nw->a_ind);
    const char *dold = csv_get(ro, o->a_def), *dnew = csv_get(rn, nw->a_def);
    if (*dold && *dnew && strcmp(dold, dnew) != 0)
        w->reasons |= CR_DEFINITION;
    if (cl->old_year != cl->new_year || strcmp(cl->old_stage, cl->new_stage) != 0)
        w->reasons |= CR_EVALUATION;
    if (o->options && nw->options && strcmp(o->options, nw->options) != 0)
        w->reasons |= CR_OPTIONS;
    const ind_series *so = find_series(o, id), *sn = find_series(nw, id);
    int lo = so ? so->last : 0, ln = sn ? sn->last : 0;
    if (ln > lo && lo > 0) {
        w->reasons |= CR_NEW_DATA_YEAR;
        w->year_old = lo;
        w->year_new = ln;
    }
    /* Years of either run, in order: values that differ, vanished, or
     * filled in below the previous last year. */
    int y0 = 0, y1 = 0;
    for (int pass = 0; pass < 2; pass++) {
        const ind_series *s = pass ? sn : so;
        for (int k = 0; s && k < s->n; k++) {
            if (!y0 || s->v[k].year < y0)
                y0 = s->v[k].year;
            if (s->v[k].year > y1)
                y1 = s->v[k].year;
        }
    }
    for (int y = y0; y0 && y <= y1; y++) {
        const char *a = value_in(so, y), *b = value_in(sn, y);
        if (!a && !b)
            continue;
        if (a && b && same_number(a, b, CHANGES_VALUE_TOLERANCE, 1))
            continue;
        if (!a && y > lo)
            continue; /* a new year, not a revision */
        sb_printf(&w->revisions, "%s%d: %s -> %s", w->revisions.len ? "; " : "", y, a ? a : "",
                  b ? b : "");
        w->reasons |= CR_REVISED_INPUT;
    }
}

static change_entry *add(change_list *cl, change_kind k, const char *id, const char *name, int no)
{
    change_entry *c = ARRAY_PUSH(cl->items, cl->n, cl->cap);
    memset(c, 0, sizeof *c);
    c->kind = k;
    c->indicator_id = xstrdup(id);
    c->name = xstrdup(name);
    c->target_no = no;
    c->old_value = xstrdup("");
    c->new_value = xstrdup("");
    c->old_text = xstrdup("");
    c->new_text = xstrdup("");
    c->revisions = xstrdup("");
    cl->count[k]++;
    return c;
}

static void set_values(change_entry *c, const char *ov, const char *nv, const char *ot, const char *nt)
{
    free(c->old_value);
    free(c->new_value);
    free(c->old_text);
    free(c->new_text);
    c->old_value = xstrdup(ov);
    c->new_value = xstrdup(nv);
    c->old_text = xstrdup(ot && *ot ? ot : ov);
    c->new_text = xstrdup(nt && *nt ? nt : nv);
}

static void set_why(change_list *cl, change_entry *c, const why *w)
{
    c->reasons = w->reasons ? w->reasons : CR_OTHER;
    c->data_year_old = w->year_old;
    c->data_year_new = w->year_new;
    free(c->revisions);
    c->revisions = xstrdup(w->revisions.s ? w->revisions.s : "");
    if (w->year_new > cl->latest_new_year)
        cl->latest_new_year = w->year_new;
}

/* The changes of one target present in both runs. */
static void compare_target(change_list *cl, const run_files *o, const run_files *nw,
                           const csv_row *ro, const csv_row *rn, const why *w)
{
    const char *id = csv_get(rn, nw->a_ind), *name = csv_get(rn, nw->a_name);
    int no = atoi(csv_get(rn, nw->a_no));
    change_entry *c;
    if (strcmp(csv_get(ro, o->a_status), csv_get(rn, nw->a_status)) != 0) {
        c = add(cl, CH_VERDICT, id, name, no);
        set_values(c, csv_get(ro, o->a_status), csv_get(rn, nw->a_status),
                   csv_get(ro, o->a_status_zh), csv_get(rn, nw->a_status_zh));
        set_why(cl, c, w);
    }
    const char *yo = csv_get(ro, o->a_cur_year), *yn = csv_get(rn, nw->a_cur_year);
    const char *vo = csv_get(ro, o->a_cur), *vn = csv_get(rn, nw->a_cur);
    if (strcmp(yo, yn) != 0 || !same_number(vo, vn, CHANGES_VALUE_TOLERANCE, 1)) {
        c = add(cl, CH_VALUE, id, name, no);
        set_values(c, vo, vn, NULL, NULL);
        c->old_year = atoi(yo);
        c->new_year = atoi(yn);
        set_why(cl, c, w);
    }
    if (strcmp(csv_get(ro, o->a_fc), csv_get(rn, nw->a_fc)) != 0) {
        c = add(cl, CH_FORECAST, id, name, no);
        set_values(c, csv_get(ro, o->a_fc), csv_get(rn, nw->a_fc), csv_get(ro, o->a_fc_zh),
                   csv_get(rn, nw->a_fc_zh));
        set_why(cl, c, w);
    }
    if (!same_number(csv_get(ro, o->a_prob), csv_get(rn, nw->a_prob),
                     CHANGES_PROBABILITY_TOLERANCE, 0)) {
        c = add(cl, CH_PROBABILITY, id, name, no);
        set_values(c, csv_get(ro, o->a_prob), csv_get(rn, nw->a_prob), NULL, NULL);
        set_why(cl, c, w);
    }
}

static void compare_runs(change_list *cl, const run_files *o, const run_files *nw)
{
    if (o->a.nrows > 1) {
        cl->old_stage = xstrdup(csv_get(&o->a.rows[1], o->a_stage));
        cl->old_year = atoi(csv_get(&o->a.rows[1], o->a_year));
    }
    if (nw->a.nrows > 1) {
        cl->new_stage = xstrdup(csv_get(&nw->a.rows[1], nw->a_stage));
        cl->new_year = atoi(csv_get(&nw->a.rows[1], nw->a_year));
    }
    if (!cl->old_stage)
        cl->old_stage = xstrdup("");
    if (!cl->new_stage)
        cl->new_stage = xstrdup("");
    /* this run's rows in order, one indicator at a time */
    for (int i = 1; i < nw->a.nrows; i++) {
        const csv_row *rn = &nw->a.rows[i];
        const char *id = csv_get(rn, nw->a_ind);
        if (i > 1 && strcmp(csv_get(&nw->a.rows[i - 1], nw->a_ind), id) == 0)
            continue; /* handled with its first row */
        const csv_row *ro1 = find_indicator(o, id);
        if (!ro1) {
            change_entry *c = add(cl, CH_INDICATOR_ADDED, id, csv_get(rn, nw->a_name), 0);
            c->reasons = CR_DEFINITION;
            continue;
        }
        why w;
        explain(cl, o, nw, ro1, rn, &w);
        for (int k = i; k < nw->a.nrows && strcmp(csv_get(&nw->a.rows[k], nw->a_ind), id) == 0;
             k++) {
            const csv_row *r = &nw->a.rows[k];
            const csv_row *ro = find_target(o, id, csv_get(r, nw->a_no));
            if (ro) {
                compare_target(cl, o, nw, ro, r, &w);
            } else {
                change_entry *c = add(cl, CH_TARGET_ADDED, id, csv_get(r, nw->a_name),
                                atoi(csv_get(r, nw->a_no)));
                set_why(cl, c, &w);
            }
        }
        /* targets of the previous run this one lacks */
        for (int k = 1; k < o->a.nrows; k++) {
            const csv_row *r = &o->a.rows[k];
            if (strcmp(csv_get(r, o->a_ind), id) != 0 || find_target(nw, id, csv_get(r, o->a_no)))
                continue;
            change_entry *c = add(cl, CH_TARGET_REMOVED, id, csv_get(r, o->a_name),
                            atoi(csv_get(r, o->a_no)));
            set_why(cl, c, &w);
        }
        if (w.reasons & CR_DEFINITION)
            cl->ninds_definition++;
        if (w.reasons & CR_REVISED_INPUT)
            cl->ninds_revised++;
        sb_free(&w.revisions);
    }
    for (int i = 1; i < o->a.nrows; i++) {
        const csv_row *ro = &o->a.rows[i];
        const char *id = csv_get(ro, o->a_ind);
        if (i > 1 && strcmp(csv_get(&o->a.rows[i - 1], o->a_ind), id) == 0)
            continue;
        if (!find_indicator(nw, id)) {
            change_entry *c = add(cl, CH_INDICATOR_REMOVED, id, csv_get(ro, o->a_name), 0);
            c->reasons = CR_DEFINITION;
        }
    }
    /* input files whose digests changed, were added or went away */
    for (int i = 0; i < nw->nfiles; i++) {
        int k = 0;
        while (k < o->nfiles && strcmp(o->files[k], nw->files[i]) != 0)
            k++;
        if (k < o->nfiles && strcmp(o->digests[k], nw->digests[i]) == 0)
            continue;
        change_entry *c = add(cl, CH_INPUT_FILE, nw->files[i], "", 0);
        set_values(c, k < o->nfiles ? o->digests[k] : "", nw->digests[i], NULL, NULL);
    }
    for (int k = 0; k < o->nfiles; k++) {
        int i = 0;
        while (i < nw->nfiles && strcmp(o->files[k], nw->files[i]) != 0)
            i++;
        if (i == nw->nfiles) {
            change_entry *c = add(cl, CH_INPUT_FILE, o->files[k], "", 0);
            set_values(c, o->digests[k], "", NULL, NULL);
        }
    }
}

/* changes_compare, told whether prev_dir has an assessment.csv (have_prev):
 * changes_build has asked already, and the file is looked for once. */
static int compare_previous(change_list *cl, const char *plan_id, const char *prev_dir,
                            int have_prev, const char *assessment, const char *series,
                            const char *inputs, diag_list *d)
{
    memset(cl, 0, sizeof *cl);
    cl->plan_id = xstrdup(plan_id);
    cl->against = xstrdup(prev_dir);
    run_files o, nw;
    memset(&o, 0, sizeof o);
    memset(&nw, 0, sizeof nw);
    int rc = have_prev ? read_previous(&o, prev_dir, d) : 0;
    if (rc == 0 && o.have && assessment)
        rc = read_current(&nw, assessment, series, inputs, d);
    if (rc == 0) {
        cl->first_run = !nw.have;
        if (nw.have)
            compare_runs(cl, &o, &nw);
    }
    if (!cl->old_stage)
        cl->old_stage = xstrdup("");
    if (!cl->new_stage)
        cl->new_stage = xstrdup("");
    run_files_free(&o);
    run_files_free(&nw);
    return rc;
}

int changes_compare(change_list *cl, const char *plan_id, const char *prev_dir,
                    const char *assessment, const char *series, const char *inputs,
                    diag_list *d)
{
    return compare_previous(cl, plan_id, prev_dir, changes_previous(prev_dir), assessment,
                            series, inputs, d);
}

/* ---------- from an evaluation ---------- */

static const char *const known_vars[] = {"n",        "year",      "from",      "to",
                                         "value",    "pct",       "list",      "parts",
                                         "reasons",  "old_stage", "new_stage", "old_year",
                                         "new_year", "revisions", "against",   "no",
                                         "file",     "table_no", NULL};

static const char *const required_keys[] = {
    "sheet", "first_run", "none", "summary", "part_separator", "reasons_intro",
    "reason_separator", "columns.0", "columns.1", "columns.2", "columns.3", "columns.4",
    "columns.5", "target_cell", "value_cell", "probability_cell", "empty_cell", "revision",
    "revision_separator", "digest_cell", "table_caption", "reasons_summary.new_data_year",
    "reasons_summary.definition", "reasons_summary.revised_input", "reasons_summary.evaluation",
    NULL};

static int load_words(change_list *cl, const char *templates_dir, rtpl_cache *tc, diag_list *d)
{
    char *path = xasprintf("%s/changes.yaml", templates_dir);
    struct stat st;
    int rc = 0;
    if (stat(path, &st) == 0) {
        size_t before = diag_errors(d);
        if (rtpl_load_cached(tc, &cl->words, path, known_vars, d) != 0) {
            rc = -1;
        } else {
            rtpl_require(cl->words, "", required_keys, "changes template", d);
            for (int k = 0; k < CH_NKINDS; k++) {
                const char *keys[] = {NULL, NULL, NULL};
                char *a = xasprintf("parts.%s", kind_keys[k]);
                char *b = xasprintf("kinds.%s", kind_keys[k]);
                keys[0] = a;
                keys[1] = b;
                rtpl_require(cl->words, "", keys, "changes template", d);
                free(a);
                free(b);
            }
            for (int r = 0; r < NREASONS; r++) {
                char *a = xasprintf("reasons.%s", reason_names[r]);
                const char *keys[] = {a, NULL};
                rtpl_require(cl->words, "", keys, "changes template", d);
                free(a);
            }
            if (diag_errors(d) > before) {
                rtpl_free(cl->words);
                cl->words = NULL;
                rc = -1;
            }
        }
    }
    free(path);
    return rc;
}

/* Render f's output into memory. */
static char *in_memory(void (*write)(FILE *, void *), void *arg, diag_list *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "cannot open a memory stream: %s", strerror(errno));
        return NULL;
    }
    write(f, arg);
    if (fclose(f) != 0) {
        free(buf);
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "cannot write to memory: %s", strerror(errno));
        return NULL;
    }
    return buf;
}

typedef struct render_args {
    const evaluation *ev;
    const eval_context *ec;
    const labels *lb;
    const forecast_set *fs;
} render_args;

static void render_assessment(FILE *f, void *arg)
{
    const render_args *a = arg;
    write_assessment_csv_fc(f, a->ev, a->ec, a->lb, a->fs);
}

static void render_series(FILE *f, void *arg)
{
    const render_args *a = arg;
    write_series_csv_fc(f, a->ev, a->ec, a->fs);
}

int changes_build(change_list *cl, const char *prev_dir, const evaluation *ev,
                  const eval_context *ec, const labels *lb, const forecast_set *fs,
                  const char *series, const char *inputs, const char *templates_dir,
                  rtpl_cache *tc, diag_list *d)
{
    render_args a = {ev, ec, lb, fs};
    int rc = -1;
    if (!changes_previous(prev_dir)) {
        /* a first run: nothing to compare this run's files with, none rendered */
        rc = compare_previous(cl, ev->p->id, prev_dir, 0, NULL, NULL, inputs, d);
    } else {
        char *as = in_memory(render_assessment, &a, d);
        char *se = as && !series ? in_memory(render_series, &a, d) : NULL;
        if (as && (series || se))
            rc = compare_previous(cl, ev->p->id, prev_dir, 1, as, series ? series : se,
                                  inputs, d);
        else
            memset(cl, 0, sizeof *cl);
        free(as);
        free(se);
    }
    if (rc == 0 && load_words(cl, templates_dir, tc, d) != 0)
        rc = -1;
    /* stage words for the texts, from labels.yaml */
    if (rc == 0 && lb && cl->old_stage && *cl->old_stage) {
        char *s = xstrdup(label(lb, "stage", cl->old_stage));
        free(cl->old_stage);
        cl->old_stage = s;
    }
    if (rc == 0 && lb && cl->new_stage && *cl->new_stage) {
        char *s = xstrdup(label(lb, "stage", cl->new_stage));
        free(cl->new_stage);
        cl->new_stage = s;
    }
    return rc;
}

void changes_free(change_list *cl)
{
    for (int i = 0; i < cl->n; i++) {
        change_entry *c = &cl->items[i];
        free(c->indicator_id);
        free(c->name);
        free(c->old_value);
        free(c->new_value);
        free(c->old_text);
        free(c->new_text);
        free(c->revisions);
    }
    free(cl->items);
    free(cl->plan_id);
    free(cl->against);
    free(cl->old_stage);
    free(cl->new_stage);
    rtpl_free(cl->words);
    memset(cl, 0, sizeof *cl);
}

/* ---------- changes.csv ---------- */

static void reasons_text(strbuf *b, unsigned reasons)
{
    for (int r = 0; r < NREASONS; r++)
        if (reasons & (1u << r))
            sb_printf(b, "%s%s", b->len ? ";" : "", reason_names[r]);
}

static void csv_int_or_empty(FILE *f, int v, int last)
{
    char buf[16];
    if (v)
        snprintf(buf, sizeof buf, "%d", v);
    else
        buf[0] = '\0';
    csv_field(f, buf, last);
}

void changes_write_csv(FILE *f, const change_list *cl)
{
    fputs("plan_id,change,indicator_id,target_no,name,old,new,old_year,new_year,reasons,"
          "data_year_old,data_year_new,revisions\n",
          f);
    if (cl->first_run) {
        csv_field(f, cl->plan_id, 0);
        csv_field(f, "first_run", 0);
        for (int c = 0; c < 10; c++)
            csv_field(f, "", 0);
        csv_field(f, "", 1);
        return;
    }
    for (int i = 0; i < cl->n; i++) {
        const change_entry *c = &cl->items[i];
        csv_field(f, cl->plan_id, 0);
        csv_field(f, change_kind_name(c->kind), 0);
        csv_field(f, c->indicator_id, 0);
        csv_int_or_empty(f, c->target_no, 0);
        csv_field(f, c->name, 0);
        csv_field(f, c->old_value, 0);
        csv_field(f, c->new_value, 0);
        csv_int_or_empty(f, c->old_year, 0);
        csv_int_or_empty(f, c->new_year, 0);
        strbuf b;
        sb_init(&b);
        reasons_text(&b, c->reasons);
        csv_field(f, b.s, 0);
        sb_free(&b);
        csv_int_or_empty(f, c->data_year_old, 0);
        csv_int_or_empty(f, c->data_year_new, 0);
        csv_field(f, c->revisions, 1);
    }
}

/* ---------- the run summary ---------- */

char *changes_summary_line(const change_list *cl)
{
    if (cl->first_run)
        return xasprintf("%s: first run, nothing to compare with in %s", cl->plan_id,
                         cl->against);
    static const char *const words[CH_NKINDS][2] = {
        {"verdict changed", "verdicts changed"},   {"value revised", "values revised"},
        {"forecast changed", "forecasts changed"}, {"probability moved", "probabilities moved"},
        {"target added", "targets added"},         {"target removed", "targets removed"},
        {"indicator added", "indicators added"},   {"indicator removed", "indicators removed"},
        {"input file changed", "input files changed"}};
    strbuf b;
    sb_init(&b);
    sb_printf(&b, "%s: since the previous run (%s): ", cl->plan_id, cl->against);
    int any = 0;
    for (int k = 0; k < CH_NKINDS; k++)
        if (cl->count[k]) {
            sb_printf(&b, "%s%d %s", any ? ", " : "", cl->count[k],
                      words[k][cl->count[k] != 1]);
            any = 1;
        }
    if (!any)
        sb_add(&b, "no changes");
    strbuf r;
    sb_init(&r);
    if (cl->latest_new_year)
        sb_printf(&r, "new data year %d", cl->latest_new_year);
    if (cl->ninds_definition)
        sb_printf(&r, "%s%d definition%s changed", r.len ? "; " : "", cl->ninds_definition,
                  cl->ninds_definition == 1 ? "" : "s");
    if (cl->ninds_revised)
        sb_printf(&r, "%sdata revised for %d indicator%s", r.len ? "; " : "", cl->ninds_revised,
                  cl->ninds_revised == 1 ? "" : "s");
    if (cl->old_year != cl->new_year)
        sb_printf(&r, "%sevaluation year %d -> %d", r.len ? "; " : "", cl->old_year,
                  cl->new_year);
    if (any && r.len)
        sb_printf(&b, " (%s)", r.s);
    sb_free(&r);
    return sb_take(&b);
}

/* ---------- in words ---------- */

char *changes_word(change_list *cl, const char *key, diag_list *d)
{
    return cl->words ? rtpl_expand(cl->words, key, NULL, d) : xstrdup("");
}

const char *changes_column(const change_list *cl, int col)
{
    const char *s = cl->words ? rtpl_getf(cl->words, "columns.%d", col) : NULL;
    return s ? s : "";
}

static void eval_vars(const change_list *cl, tvars *v)
{
    tv_set(v, "old_stage", cl->old_stage);
    tv_set(v, "new_stage", cl->new_stage);
    tv_setf(v, "old_year", "%d", cl->old_year);
    tv_setf(v, "new_year", "%d", cl->new_year);
    tv_set(v, "against", cl->against);
}

char *changes_summary_text(change_list *cl, diag_list *d)
{
    if (!cl->words)
        return xstrdup("");
    tvars v;
    tv_init(&v, NULL);
    eval_vars(cl, &v);
    if (cl->first_run) {
        char *s = rtpl_expand(cl->words, "first_run", &v, d);
        tv_free(&v);
        return s;
    }
    strbuf parts;
    sb_init(&parts);
    char *sep = rtpl_expand(cl->words, "part_separator", NULL, d);
    for (int k = 0; k < CH_NKINDS; k++) {
        if (!cl->count[k])
            continue;
        tvars pv;
        tv_init(&pv, NULL);
        tv_setf(&pv, "n", "%d", cl->count[k]);
        char *p = rtpl_expandf(cl->words, &pv, d, "parts.%s", kind_keys[k]);
        sb_printf(&parts, "%s%s", parts.len ? sep : "", p);
        free(p);
        tv_free(&pv);
    }
    if (!parts.len) {
        char *s = rtpl_expand(cl->words, "none", &v, d);
        sb_free(&parts);
        free(sep);
        tv_free(&v);
        return s;
    }
    /* the reasons, in one clause */
    strbuf rs;
    sb_init(&rs);
    char *rsep = rtpl_expand(cl->words, "reason_separator", NULL, d);
    struct {
        int n;
        const char *key;
    } rr[] = {{cl->latest_new_year, "reasons_summary.new_data_year"},
              {cl->ninds_definition, "reasons_summary.definition"},
              {cl->ninds_revised, "reasons_summary.revised_input"},
              {cl->old_year != cl->new_year, "reasons_summary.evaluation"}};
    for (size_t i = 0; i < sizeof rr / sizeof rr[0]; i++) {
        if (!rr[i].n)
            continue;
        tvars pv;
        tv_init(&pv, &v);
        tv_setf(&pv, "n", "%d", rr[i].n);
        tv_setf(&pv, "year", "%d", cl->latest_new_year);
        char *p = rtpl_expand(cl->words, rr[i].key, &pv, d);
        sb_printf(&rs, "%s%s", rs.len ? rsep : "", p);
        free(p);
        tv_free(&pv);
    }
    tv_set(&v, "parts", parts.s);
    if (rs.len) {
        tvars pv;
        tv_init(&pv, NULL);
        tv_set(&pv, "list", rs.s);
        char *intro = rtpl_expand(cl->words, "reasons_intro", &pv, d);
        tv_set(&v, "reasons", intro);
        free(intro);
        tv_free(&pv);
    } else {
        tv_set(&v, "reasons", "");
    }
    char *s = rtpl_expand(cl->words, "summary", &v, d);
    sb_free(&rs);
    sb_free(&parts);
    free(rsep);
    free(sep);
    tv_free(&v);
    return s;
}

/* "2023: 4.1 -> 4.3; 2024: 5 -> " in words. */
static char *revisions_words(change_list *cl, const char *machine, diag_list *d)
{
    strbuf b;
    sb_init(&b);
    char *sep = rtpl_expand(cl->words, "revision_separator", NULL, d);
    char *empty = rtpl_expand(cl->words, "empty_cell", NULL, d);
    char *copy = xstrdup(machine);
    char *save = NULL;
    for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        while (*item == ' ')
            item++;
        char *colon = strstr(item, ": "), *arrow = strstr(item, " -> ");
        if (!colon || !arrow)
            continue;
        *colon = '\0';
        *arrow = '\0';
        const char *from = colon + 2, *to = arrow + 4;
        tvars v;
        tv_init(&v, NULL);
        tv_set(&v, "year", item);
        tv_set(&v, "from", *from ? from : empty);
        tv_set(&v, "to", *to ? to : empty);
        char *r = rtpl_expand(cl->words, "revision", &v, d);
        sb_printf(&b, "%s%s", b.len ? sep : "", r);
        free(r);
        tv_free(&v);
    }
    free(copy);
    free(empty);
    free(sep);
    return b.s ? sb_take(&b) : xstrdup("");
}

static char *value_words(change_list *cl, const change_entry *c, int newer, diag_list *d)
{
    const char *val = newer ? c->new_value : c->old_value;
    const char *text = newer ? c->new_text : c->old_text;
    if (!*val)
        return rtpl_expand(cl->words, "empty_cell", NULL, d);
    tvars v;
    tv_init(&v, NULL);
    char *s;
    switch (c->kind) {
    case CH_VALUE:
        tv_set(&v, "value", val);
        tv_setf(&v, "year", "%d", newer ? c->new_year : c->old_year);
        s = rtpl_expand(cl->words, "value_cell", &v, d);
        break;
    case CH_PROBABILITY: {
        char buf[32];
        snprintf(buf, sizeof buf, "%.0f", strtod(val, NULL) * 100);
        tv_set(&v, "pct", buf);
        s = rtpl_expand(cl->words, "probability_cell", &v, d);
        break;
    }
    case CH_INPUT_FILE: {
        char buf[16];
        snprintf(buf, sizeof buf, "%.12s", val);
        tv_set(&v, "value", buf);
        s = rtpl_expand(cl->words, "digest_cell", &v, d);
        break;
    }
    default:
        s = xstrdup(text);
    }
    tv_free(&v);
    return s;
}

void changes_cells(change_list *cl, int i, char *cells[CHANGES_NCOLS], diag_list *d)
{
    const change_entry *c = &cl->items[i];
    cells[0] = xstrdup(c->kind == CH_INPUT_FILE ? c->indicator_id : c->name);
    if (c->target_no) {
        tvars v;
        tv_init(&v, NULL);
        tv_setf(&v, "no", "%d", c->target_no);
        cells[1] = rtpl_expand(cl->words, "target_cell", &v, d);
        tv_free(&v);
    } else {
        cells[1] = xstrdup("");
    }
    cells[2] = rtpl_expandf(cl->words, NULL, d, "kinds.%s", kind_keys[c->kind]);
    if (c->kind == CH_INDICATOR_ADDED || c->kind == CH_TARGET_ADDED) {
        cells[3] = rtpl_expand(cl->words, "empty_cell", NULL, d);
        cells[4] = xstrdup("");
    } else if (c->kind == CH_INDICATOR_REMOVED || c->kind == CH_TARGET_REMOVED) {
        cells[3] = xstrdup("");
        cells[4] = rtpl_expand(cl->words, "empty_cell", NULL, d);
    } else {
        cells[3] = value_words(cl, c, 0, d);
        cells[4] = value_words(cl, c, 1, d);
    }
    /* reasons */
    strbuf b;
    sb_init(&b);
    char *sep = rtpl_expand(cl->words, "reason_separator", NULL, d);
    for (int r = 0; r < NREASONS; r++) {
        if (!(c->reasons & (1u << r)))
            continue;
        tvars v;
        tv_init(&v, NULL);
        eval_vars(cl, &v);
        tv_setf(&v, "year", "%d", c->data_year_new);
        tv_setf(&v, "from", "%d", c->data_year_old);
        char *rev = revisions_words(cl, c->revisions, d);
        tv_set(&v, "revisions", rev);
        free(rev);
        char *s = rtpl_expandf(cl->words, &v, d, "reasons.%s", reason_names[r]);
        sb_printf(&b, "%s%s", b.len ? sep : "", s);
        free(s);
        tv_free(&v);
    }
    free(sep);
    cells[5] = b.s ? sb_take(&b) : xstrdup("");
}
