/*
 * compare.c - see compare.h and docs/comparison.md.
 *
 * Steps: list the plan directories of the out directory; read each one's
 * assessment.csv (the targets of catalogue indicators) and series.csv (the
 * observed values); keep one target per plan and indicator; group by
 * catalogue id; then per shared indicator rank, measure gaps and flag; and
 * per region count the verdicts.
 */
#include "compare.h"
#include "csvfile.h"
#include "outset.h"
#include "util.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------- wording ---------- */

char *cmp_fill(const labels *t, const char *section, const char *code,
               const char *const *vars)
{
    const char *s = label(t, section, code);
    strbuf b;
    sb_init(&b);
    while (*s) {
        const char *close = s[0] == '{' ? strchr(s, '}') : NULL;
        const char *val = NULL;
        if (close)
            for (int i = 0; vars && vars[i]; i += 2)
                if (strlen(vars[i]) == (size_t)(close - s - 1) &&
                    strncmp(vars[i], s + 1, (size_t)(close - s - 1)) == 0)
                    val = vars[i + 1] ? vars[i + 1] : "";
        if (val) {
            sb_add(&b, val);
            s = close + 1;
        } else {
            sb_addc(&b, *s++);
        }
    }
    return sb_take(&b);
}

char *cmp_num(double v, char *buf, size_t n)
{
    double a = fabs(v);
    int prec = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4;
    if (a > 0 && a < 0.001)
        prec = 6;
    snprintf(buf, n, "%.*f", prec, v);
    if (strchr(buf, '.')) {
        char *e = buf + strlen(buf) - 1;
        while (*e == '0')
            *e-- = '\0';
        if (*e == '.')
            *e = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    return buf;
}

/* ---------- reading ---------- */

static const char *const assessment_columns[] = {
    "plan_id", "evaluation_year", "indicator_id", "target_no", "name", "kind", "unit", "better",
    "target_year", "comparator", "comparator_zh", "target_value", "current_year",
    "current_value", "limit", "status", "status_zh", "small_count", "region", "region_name",
    "catalogue", NULL};
static const char *const series_columns[] = {"plan_id", "indicator_id", "year", "value", "state",
                                             NULL};

/* Column indexes by name, or -1 with an error when a required one is missing. */
static int columns(const csv_table *t, const char *const *names, int *idx, diag_list *d)
{
    int ok = 0;
    for (int i = 0; names[i]; i++) {
        idx[i] = csv_column(t, names[i]);
        if (idx[i] < 0) {
            diag_add(d, DIAG_ERROR, t->path, 1, 0, "no column '%s' in the header", names[i]);
            ok = -1;
        }
    }
    return ok;
}

/* Every row must have as many fields as the header. */
static int rows_complete(const csv_table *t, diag_list *d)
{
    int ok = 0;
    int want = t->rows[0].nfields;
    for (int r = 1; r < t->nrows; r++)
        if (t->rows[r].nfields != want) {
            diag_add(d, DIAG_ERROR, t->path, t->rows[r].line, 0,
                     "%d fields, the header has %d", t->rows[r].nfields, want);
            ok = -1;
        }
    return ok;
}

/* A number field: 0 when empty (*has = 0), -1 with an error when not a number. */
static int get_num(const csv_table *t, const csv_row *r, int col, double *v, int *has,
                   diag_list *d)
{
    const char *s = csv_get(r, col);
    *has = 0;
    *v = 0;
    if (!s[0])
        return 0;
    if (parse_number(s, v) != 0 || !isfinite(*v)) {
        diag_add(d, DIAG_ERROR, t->path, r->line, col + 1, "'%s' in column %s is not a number",
                 s, t->rows[0].fields[col]);
        return -1;
    }
    *has = 1;
    return 0;
}

static int get_int(const csv_table *t, const csv_row *r, int col, int *v, diag_list *d)
{
    double x;
    int has;
    if (get_num(t, r, col, &x, &has, d) != 0)
        return -1;
    if (has && (x != floor(x) || fabs(x) > 1e6)) {
        diag_add(d, DIAG_ERROR, t->path, r->line, col + 1, "'%s' in column %s is not a whole number",
                 csv_get(r, col), t->rows[0].fields[col]);
        return -1;
    }
    *v = has ? (int)x : 0;
    return 0;
}

/* A candidate: one target of a catalogue indicator of one plan. */
typedef struct cand {
    char *catalogue;
    cmp_row row;
} cand;

typedef struct cand_list {
    cand *items;
    size_t n, cap;
} cand_list;

static void row_free(cmp_row *r)
{
    char **s[] = {&r->plan_id, &r->plan_title, &r->finding, &r->region, &r->region_name, &r->indicator_id, &r->name,
                  &r->unit, &r->comparator, &r->comparator_zh, &r->target_value, &r->status,
                  &r->status_zh, &r->forecast_status, &r->forecast_status_zh, &r->aggregate,
                  &r->catalogue_name, &r->outlook, &r->outlook_zh};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(*s[i]);
    free(r->years);
    free(r->values);
    memset(r, 0, sizeof *r);
}

/* Does target a make a better main target than b? Due before not yet due;
 * among due ones the latest, among the others the nearest. */
static int better_target(const cmp_row *a, const cmp_row *b)
{
    int due_a = strcmp(a->status, "not_yet_due") != 0, due_b = strcmp(b->status, "not_yet_due") != 0;
    if (due_a != due_b)
        return due_a;
    if (a->target_year != b->target_year)
        return due_a ? a->target_year > b->target_year : a->target_year < b->target_year;
    return 0;
}

static int read_assessment(const char *path, int *eval_year, cand_list *out, diag_list *d)
{
    size_t from = out->n;
    csv_table t;
    csv_error err;
    if (csvfile_read(path, &t, &err) != 0) {
        diag_add(d, DIAG_ERROR, path, err.line, err.col, "%s", err.msg);
        return -1;
    }
    enum { A_PLAN, A_EVAL, A_IND, A_TNO, A_NAME, A_KIND, A_UNIT, A_BETTER, A_TYEAR, A_CMP,
           A_CMPZH, A_TVAL, A_CYEAR, A_CVAL, A_LIMIT, A_STATUS, A_STATUSZH, A_SMALL, A_REGION,
           A_REGNAME, A_CAT, A_N };
    int c[A_N];
    size_t before = diag_errors(d);
    if (t.nrows < 1 || columns(&t, assessment_columns, c, d) != 0 || rows_complete(&t, d) != 0) {
        if (t.nrows < 1)
            diag_add(d, DIAG_ERROR, path, 1, 0, "no header row");
        csvfile_free(&t);
        return -1;
    }
    int c_fs = csv_column(&t, "forecast_status"), c_fszh = csv_column(&t, "forecast_status_zh");
    int c_prob = csv_column(&t, "probability_met");
    /* written with the findings (results.h); older results lack them */
    int c_title = csv_column(&t, "plan_title"), c_finding = csv_column(&t, "finding");
    int c_agg = csv_column(&t, "aggregate"), c_window = csv_column(&t, "window");
    int c_reading = csv_column(&t, "baseline_reading");
    int c_catname = csv_column(&t, "catalogue_name"); /* since 2026-12-07 */
    int c_outlook = csv_column(&t, "outlook"), c_outlook_zh = csv_column(&t, "outlook_zh");
    for (int i = 1; i < t.nrows; i++) {
        const csv_row *r = &t.rows[i];
        int ey = 0;
        if (get_int(&t, r, c[A_EVAL], &ey, d) == 0 && ey > *eval_year)
            *eval_year = ey;
        const char *cat = csv_get(r, c[A_CAT]);
        if (!cat[0] || strcmp(csv_get(r, c[A_KIND]), "quantitative") != 0)
            continue;
        cmp_row x;
        memset(&x, 0, sizeof x);
        double v;
        int has, bad = 0;
        bad |= get_int(&t, r, c[A_TNO], &x.target_no, d);
        bad |= get_int(&t, r, c[A_TYEAR], &x.target_year, d);
        bad |= get_int(&t, r, c[A_CYEAR], &x.current_year, d);
        bad |= get_num(&t, r, c[A_CVAL], &x.current, &x.has_current, d);
        bad |= get_num(&t, r, c[A_LIMIT], &x.limit, &x.has_limit, d);
        bad |= get_num(&t, r, c[A_TVAL], &v, &has, d);
        if (c_prob >= 0)
            bad |= get_num(&t, r, c_prob, &x.prob, &x.has_prob, d);
        if (bad)
            continue;
        const char *better = csv_get(r, c[A_BETTER]);
        x.better = strcmp(better, "higher") == 0 ? 1 : strcmp(better, "lower") == 0 ? -1 : 0;
        x.plan_id = xstrdup(csv_get(r, c[A_PLAN]));
        x.region = xstrdup(csv_get(r, c[A_REGION]));
        x.region_name = xstrdup(csv_get(r, c[A_REGNAME])[0] ? csv_get(r, c[A_REGNAME])
                                                            : csv_get(r, c[A_REGION]));
        x.indicator_id = xstrdup(csv_get(r, c[A_IND]));
        x.name = xstrdup(csv_get(r, c[A_NAME]));
        x.unit = xstrdup(csv_get(r, c[A_UNIT]));
        x.comparator = xstrdup(csv_get(r, c[A_CMP]));
        x.comparator_zh = xstrdup(csv_get(r, c[A_CMPZH]));
        x.target_value = xstrdup(csv_get(r, c[A_TVAL]));
        x.status = xstrdup(csv_get(r, c[A_STATUS]));
        x.status_zh = xstrdup(csv_get(r, c[A_STATUSZH]));
        x.forecast_status = xstrdup(csv_get(r, c_fs));
        x.forecast_status_zh = xstrdup(csv_get(r, c_fszh));
        x.small_count = strcmp(csv_get(r, c[A_SMALL]), "yes") == 0;
        x.plan_title = xstrdup(c_title >= 0 && csv_get(r, c_title)[0] ? csv_get(r, c_title) : x.plan_id);
        x.finding = xstrdup(c_finding >= 0 ? csv_get(r, c_finding) : "");
        /* a change against a baseline period compares that period's kind of
         * figure: a mean or a total over the window */
        const char *agg = c_agg >= 0 ? csv_get(r, c_agg) : "";
        const char *reading = c_reading >= 0 ? csv_get(r, c_reading) : "";
        if (!agg[0])
            agg = strcmp(reading, "period_mean") == 0    ? "window_mean"
                  : strcmp(reading, "period_total") == 0 ? "window_sum"
                                                         : "";
        x.aggregate = xstrdup(agg);
        x.catalogue_name = xstrdup(c_catname >= 0 ? csv_get(r, c_catname) : "");
        x.outlook = xstrdup(c_outlook >= 0 ? csv_get(r, c_outlook) : "");
        x.outlook_zh = xstrdup(c_outlook_zh >= 0 ? csv_get(r, c_outlook_zh) : "");
        /* "2021-2025" (results.c); anything else leaves the window unknown */
        int wa, wb, wn = -1;
        if (c_window >= 0 && sscanf(csv_get(r, c_window), "%d-%d%n", &wa, &wb, &wn) == 2 &&
            wn == (int)strlen(csv_get(r, c_window)) && wa <= wb) {
            x.window[0] = wa;
            x.window[1] = wb;
        }
        /* A target not yet due may have no limit yet: its stated value is the threshold. */
        const char *op = x.comparator;
        if (!x.has_limit && has &&
            (strcmp(op, "<=") == 0 || strcmp(op, "<") == 0 || strcmp(op, ">=") == 0 ||
             strcmp(op, ">") == 0 || strcmp(op, "==") == 0)) {
            x.limit = v;
            x.has_limit = 1;
        }
        if (!x.plan_id[0]) {
            diag_add(d, DIAG_ERROR, path, r->line, c[A_PLAN] + 1, "empty plan_id");
            row_free(&x);
            continue;
        }
        /* One target per plan and indicator: replace a worse one (among
         * this file's rows: those of the plans read before are other plans'). */
        cand *same = NULL;
        for (size_t k = from; k < out->n; k++)
            if (strcmp(out->items[k].catalogue, cat) == 0 &&
                strcmp(out->items[k].row.plan_id, x.plan_id) == 0)
                same = &out->items[k];
        if (same && !better_target(&x, &same->row)) {
            row_free(&x);
        } else if (same) {
            row_free(&same->row);
            same->row = x;
        } else {
            cand *e = ARRAY_PUSH(out->items, out->n, out->cap);
            e->catalogue = xstrdup(cat);
            e->row = x;
        }
    }
    csvfile_free(&t);
    return diag_errors(d) > before ? -1 : 0;
}

/* The observed values of the candidates of plan_id, from its series.csv. */
static int read_series(const char *path, const char *plan_id, cand_list *cl, size_t from,
                       diag_list *d)
{
    csv_table t;
    csv_error err;
    if (csvfile_read(path, &t, &err) != 0) {
        diag_add(d, DIAG_ERROR, path, err.line, err.col, "%s", err.msg);
        return -1;
    }
    enum { S_PLAN, S_IND, S_YEAR, S_VALUE, S_STATE, S_N };
    int c[S_N];
    size_t before = diag_errors(d);
    if (t.nrows < 1 || columns(&t, series_columns, c, d) != 0 || rows_complete(&t, d) != 0) {
        if (t.nrows < 1)
            diag_add(d, DIAG_ERROR, path, 1, 0, "no header row");
        csvfile_free(&t);
        return -1;
    }
    int c_kind = csv_column(&t, "kind");
    for (int i = 1; i < t.nrows; i++) {
        const csv_row *r = &t.rows[i];
        if (c_kind >= 0 && csv_get(r, c_kind)[0] && strcmp(csv_get(r, c_kind), "observed") != 0)
            continue;
        int year;
        double v;
        int has;
        if (get_int(&t, r, c[S_YEAR], &year, d) != 0 ||
            get_num(&t, r, c[S_VALUE], &v, &has, d) != 0)
            continue;
        if (!has || strcmp(csv_get(r, c[S_STATE]), "ok") != 0)
            continue;
        if (strcmp(csv_get(r, c[S_PLAN]), plan_id) != 0) {
            diag_add(d, DIAG_ERROR, path, r->line, c[S_PLAN] + 1,
                     "plan_id '%s' in the results of plan %s", csv_get(r, c[S_PLAN]), plan_id);
            continue;
        }
        for (size_t k = from; k < cl->n; k++) {
            cmp_row *x = &cl->items[k].row;
            if (strcmp(x->indicator_id, csv_get(r, c[S_IND])) != 0)
                continue;
            if (x->nyears && year <= x->years[x->nyears - 1]) {
                diag_add(d, DIAG_ERROR, path, r->line, c[S_YEAR] + 1,
                         "year %d of indicator %s is not after %d", year, x->indicator_id,
                         x->years[x->nyears - 1]);
                continue;
            }
            x->years = xrealloc(x->years, (size_t)(x->nyears + 1) * sizeof *x->years);
            x->values = xrealloc(x->values, (size_t)(x->nyears + 1) * sizeof *x->values);
            x->years[x->nyears] = year;
            x->values[x->nyears] = v;
            x->nyears++;
        }
    }
    csvfile_free(&t);
    return diag_errors(d) > before ? -1 : 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The plan directories of out_dir (both CSV files present), sorted. */
static char **plan_dirs(const char *out_dir, int *n, diag_list *d)
{
    *n = 0;
    DIR *dp = opendir(out_dir);
    if (!dp) {
        diag_add(d, DIAG_ERROR, out_dir, 0, 0, "cannot read the output directory");
        return NULL;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *a = xasprintf("%s/%s/assessment.csv", out_dir, e->d_name);
        char *s = xasprintf("%s/%s/series.csv", out_dir, e->d_name);
        struct stat st;
        if (stat(a, &st) == 0 && S_ISREG(st.st_mode) && stat(s, &st) == 0 && S_ISREG(st.st_mode))
            *ARRAY_PUSH(names, count, cap) = xstrdup(e->d_name);
        free(a);
        free(s);
    }
    closedir(dp);
    if (count)
        qsort(names, count, sizeof *names, cmp_name);
    *n = (int)count;
    return names;
}

/* ---------- ranking and gaps ---------- */

static int is_per_mille(const char *u)
{
    return strcmp(u, "\xe2\x80\xb0") == 0;
}

/* Factor from unit `from` to unit `to`: 1 when equal, 10 or 0.1 between
 * percent and per mille, 0 when they cannot be converted. */
static double unit_factor(const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return 1;
    if (strcmp(from, "%") == 0 && is_per_mille(to))
        return 10;
    if (is_per_mille(from) && strcmp(to, "%") == 0)
        return 0.1;
    return 0;
}

static int value_in(const cmp_row *r, int year, double *v)
{
    for (int i = 0; i < r->nyears; i++)
        if (r->years[i] == year) {
            *v = r->values[i];
            return 1;
        }
    return 0;
}

static void gap_of(cmp_row *r)
{
    double cur = r->has_current ? r->current : r->latest;
    int has_cur = r->has_current || r->latest_year;
    /* 数据不足: no figure the target is judged on, so no gap (not the
     * latest year's against a window's target) */
    if (!has_cur || !r->has_limit || r->better == 0 || strcmp(r->status, "insufficient_data") == 0)
        return;
    r->gap = r->better < 0 ? cur - r->limit : r->limit - cur;
    r->has_gap = 1;
    if (r->limit != 0) {
        r->gap_pct = 100 * r->gap / fabs(r->limit);
        r->has_gap_pct = 1;
    }
}

static int cmp_ranked(const void *a, const void *b)
{
    const cmp_row *x = a, *y = b;
    if ((x->rank == 0) != (y->rank == 0))
        return x->rank == 0 ? 1 : -1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->plan_id, y->plan_id);
}

static int cmp_rank_value(const void *a, const void *b)
{
    const cmp_row *x = *(cmp_row *const *)a, *y = *(cmp_row *const *)b;
    if (x->rank_value != y->rank_value)
        return (x->rank_value < y->rank_value) == (x->better < 0) ? -1 : 1;
    return strcmp(x->plan_id, y->plan_id);
}

static int same_value(double a, double b)
{
    return fabs(a - b) <= 1e-12 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void rank_indicator(cmp_indicator *ind)
{
    /* The group's unit: the one most rows use (the first on a tie). Counted
     * per distinct unit (a handful), not per row against every row. */
    int best = -1, best_n = 0;
    int *first = xcalloc((size_t)ind->nrows + 1, sizeof *first);
    int *count = xcalloc((size_t)ind->nrows + 1, sizeof *count);
    int nunits = 0;
    for (int i = 0; i < ind->nrows; i++) {
        int u = 0;
        while (u < nunits && strcmp(ind->rows[first[u]].unit, ind->rows[i].unit) != 0)
            u++;
        if (u == nunits)
            first[nunits++] = i;
        count[u]++;
    }
    for (int u = 0; u < nunits; u++)
        if (count[u] > best_n) {
            best_n = count[u];
            best = first[u];
        }
    free(first);
    free(count);
    ind->unit = xstrdup(best >= 0 ? ind->rows[best].unit : "");
    ind->better = best >= 0 ? ind->rows[best].better : 0;
    /* The catalogue's own name names the group: the plans' wordings carry
     * their own norms ("10小时内…", "24小时内…"). Results without it: the
     * shortest wording (the plans add qualifiers). */
    const char *name = ind->rows[0].name;
    for (int i = 1; i < ind->nrows; i++)
        if (utf8_columns(ind->rows[i].name, strlen(ind->rows[i].name)) <
            utf8_columns(name, strlen(name)))
            name = ind->rows[i].name;
    for (int i = 0; i < ind->nrows; i++)
        if (ind->rows[i].catalogue_name[0]) {
            name = ind->rows[i].catalogue_name;
            break;
        }
    ind->name = xstrdup(name);
    ind->first_year = ind->last_year = 0;
    /* Who can be ranked, and the common latest year. */
    int common = 0, have_common = 0, nrank = 0;
    for (int i = 0; i < ind->nrows; i++) {
        cmp_row *r = &ind->rows[i];
        if (r->nyears) {
            r->latest_year = r->years[r->nyears - 1];
            r->latest = r->values[r->nyears - 1];
            if (!ind->first_year || r->years[0] < ind->first_year)
                ind->first_year = r->years[0];
            if (r->latest_year > ind->last_year)
                ind->last_year = r->latest_year;
        }
        gap_of(r);
        /* not yet due: the findings' outlook where the results have it (a
         * figure at its target whose forecast slips is 存在风险, not off
         * track), else the forecast's */
        int not_due = strcmp(r->status, "not_yet_due") == 0;
        r->off_track = strcmp(r->status, "not_met") == 0 ||
                       (not_due && (r->outlook[0] ? strcmp(r->outlook, "unlikely") == 0
                                                  : strcmp(r->forecast_status, "off_track") == 0));
        r->factor = unit_factor(r->unit, ind->unit);
        if (r->better != ind->better || r->better == 0)
            r->note = CN_DIRECTION;
        else if (r->factor == 0)
            r->note = CN_UNIT;
        else if (!r->nyears)
            r->note = CN_NO_VALUE;
        if (r->note != CN_NONE)
            continue;
        nrank++;
        /* The latest year every rankable row has a value in. */
        if (!have_common) {
            common = r->latest_year;
            have_common = 1;
        }
    }
    for (int y = common; have_common && y > 0; y--) {
        int all = 1;
        double v;
        for (int i = 0; i < ind->nrows && all; i++)
            if (ind->rows[i].note == CN_NONE && !value_in(&ind->rows[i], y, &v))
                all = 0;
        if (all) {
            ind->rank_year = y;
            break;
        }
        if (y < 1900) /* no common year */
            break;
    }
    cmp_row **order = xcalloc((size_t)ind->nrows + 1, sizeof *order);
    int k = 0;
    for (int i = 0; i < ind->nrows; i++) {
        cmp_row *r = &ind->rows[i];
        if (r->note != CN_NONE)
            continue;
        r->rank_year = ind->rank_year ? ind->rank_year : r->latest_year;
        if (!value_in(r, r->rank_year, &r->rank_value))
            r->rank_value = r->latest;
        r->rank_value *= r->factor;
        if (r->latest_year != r->rank_year || (k && order[0]->rank_year != r->rank_year))
            ind->years_differ = 1;
        order[k++] = r;
    }
    (void)nrank;
    qsort(order, (size_t)k, sizeof *order, cmp_rank_value);
    for (int i = 0; i < k; i++) {
        order[i]->rank = i > 0 && same_value(order[i]->rank_value, order[i - 1]->rank_value)
                             ? order[i - 1]->rank
                             : i + 1;
        if (order[i]->small_count) {
            order[i]->note = CN_SMALL_COUNT;
            ind->nsmall++;
        }
    }
    free(order);
    qsort(ind->rows, (size_t)ind->nrows, sizeof *ind->rows, cmp_ranked);
}

/* ---------- building ---------- */

/* Is id one of the ", "-joined ids of list? (Not strstr: "a-2021" is in "ba-2021".) */
static int list_has(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; p;) {
        if (strncmp(p, id, n) == 0 && (p[n] == '\0' || p[n] == ','))
            return 1;
        p = strstr(p, ", ");
        if (p)
            p += 2;
    }
    return 0;
}

static void add_region_counts(comparison *c, const cmp_row *r)
{
    cmp_region *g = NULL;
    for (int i = 0; i < c->nregions; i++)
        if (strcmp(c->regions[i].region, r->region) == 0)
            g = &c->regions[i];
    if (!g) {
        c->regions = xrealloc(c->regions, (size_t)(c->nregions + 1) * sizeof *c->regions);
        g = &c->regions[c->nregions++];
        memset(g, 0, sizeof *g);
        g->region = xstrdup(r->region);
        g->region_name = xstrdup(r->region_name);
        g->plans = xstrdup(r->plan_id);
        g->titles = xstrdup(r->plan_title);
    } else if (!list_has(g->plans, r->plan_id)) {
        char *p = xasprintf("%s, %s", g->plans, r->plan_id);
        free(g->plans);
        g->plans = p;
        p = xasprintf("%s\xe3\x80\x81%s", g->titles, r->plan_title); /* 、 */
        free(g->titles);
        g->titles = p;
    }
    g->rows++;
    if (strcmp(r->status, "met") == 0)
        g->met++;
    else if (strcmp(r->status, "not_met") == 0)
        g->not_met++;
    else if (strcmp(r->status, "not_yet_due") == 0)
        g->not_yet_due++;
    else
        g->other++;
    g->off_track += r->off_track;
}

static int cmp_region_id(const void *a, const void *b)
{
    return strcmp(((const cmp_region *)a)->region, ((const cmp_region *)b)->region);
}

int comparison_load(comparison *c, const char *out_dir, diag_list *d)
{
    memset(c, 0, sizeof *c);
    c->out_dir = xstrdup(out_dir);
    size_t before = diag_errors(d);
    int n;
    char **dirs = plan_dirs(out_dir, &n, d);
    if (n < 2) {
        /* Nothing can be shared by two plans: the files of a lone plan (a
         * one-region run) are not read back only to find that out. */
        for (int i = 0; i < n; i++)
            free(dirs[i]);
        free(dirs);
        c->nplans = n;
        return diag_errors(d) > before ? -1 : 0;
    }
    cand_list cl = {0};
    for (int i = 0; i < n; i++) {
        size_t from = cl.n;
        char *a = xasprintf("%s/%s/assessment.csv", out_dir, dirs[i]);
        char *s = xasprintf("%s/%s/series.csv", out_dir, dirs[i]);
        if (read_assessment(a, &c->eval_year, &cl, d) == 0) {
            /* Every row of a plan's files is that plan's. */
            for (size_t k = from; k < cl.n; k++)
                if (strcmp(cl.items[k].row.plan_id, dirs[i]) != 0) {
                    diag_add(d, DIAG_ERROR, a, 0, 0, "rows of plan '%s' in the directory of %s",
                             cl.items[k].row.plan_id, dirs[i]);
                    break;
                }
            read_series(s, dirs[i], &cl, from, d);
        }
        c->nplans++;
        free(a);
        free(s);
        free(dirs[i]);
    }
    free(dirs);
    /* Group by catalogue id, in order of first use; keep those of >= 2 plans. */
    int *taken = xcalloc(cl.n + 1, sizeof *taken);
    for (size_t i = 0; i < cl.n; i++) {
        if (taken[i])
            continue;
        int count = 0;
        for (size_t k = i; k < cl.n; k++)
            if (strcmp(cl.items[k].catalogue, cl.items[i].catalogue) == 0)
                count++;
        if (count < 2)
            continue;
        c->inds = xrealloc(c->inds, (size_t)(c->ninds + 1) * sizeof *c->inds);
        cmp_indicator *ind = &c->inds[c->ninds++];
        memset(ind, 0, sizeof *ind);
        ind->catalogue = xstrdup(cl.items[i].catalogue);
        ind->rows = xcalloc((size_t)count, sizeof *ind->rows);
        for (size_t k = i; k < cl.n; k++)
            if (strcmp(cl.items[k].catalogue, cl.items[i].catalogue) == 0) {
                ind->rows[ind->nrows++] = cl.items[k].row;
                memset(&cl.items[k].row, 0, sizeof cl.items[k].row);
                taken[k] = 1;
            }
        rank_indicator(ind);
        for (int k = 0; k < ind->nrows; k++)
            add_region_counts(c, &ind->rows[k]);
    }
    if (c->nregions)
        qsort(c->regions, (size_t)c->nregions, sizeof *c->regions, cmp_region_id);
    for (size_t i = 0; i < cl.n; i++) {
        free(cl.items[i].catalogue);
        row_free(&cl.items[i].row);
    }
    free(cl.items);
    free(taken);
    return diag_errors(d) > before ? -1 : 0;
}

void comparison_free(comparison *c)
{
    for (int i = 0; i < c->ninds; i++) {
        cmp_indicator *ind = &c->inds[i];
        for (int k = 0; k < ind->nrows; k++)
            row_free(&ind->rows[k]);
        free(ind->rows);
        free(ind->catalogue);
        free(ind->name);
        free(ind->unit);
    }
    free(c->inds);
    for (int i = 0; i < c->nregions; i++) {
        free(c->regions[i].region);
        free(c->regions[i].region_name);
        free(c->regions[i].plans);
        free(c->regions[i].titles);
    }
    free(c->regions);
    free(c->out_dir);
    memset(c, 0, sizeof *c);
}

/* ---------- comparison.csv ---------- */

static const char *const note_code[] = {"", "small_count", "no_value", "unit", "direction"};

const char *cmp_note_code(cmp_note n)
{
    return note_code[n];
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

static void csv_num(FILE *f, int has, double v)
{
    char buf[32];
    fputc(',', f);
    if (has)
        fputs(format_number(v, buf), f);
}

static void csv_int(FILE *f, int v)
{
    fputc(',', f);
    if (v)
        fprintf(f, "%d", v);
}

void comparison_write_csv(FILE *f, const comparison *c)
{
    fputs("catalogue,indicator_name,unit,better,rank_year,rank,rank_value,note,region,"
          "region_name,plan_id,indicator_id,name,own_unit,latest_year,latest_value,target_no,"
          "target_year,comparator,target_value,limit,current_year,current_value,status,"
          "forecast_status,probability_met,gap,gap_pct,off_track,small_count\n",
          f);
    for (int i = 0; i < c->ninds; i++) {
        const cmp_indicator *ind = &c->inds[i];
        for (int k = 0; k < ind->nrows; k++) {
            const cmp_row *r = &ind->rows[k];
            csv_field(f, ind->catalogue);
            fputc(',', f);
            csv_field(f, ind->name);
            fputc(',', f);
            csv_field(f, ind->unit);
            fprintf(f, ",%s", ind->better > 0 ? "higher" : ind->better < 0 ? "lower" : "");
            csv_int(f, r->rank_year);
            csv_int(f, r->rank);
            csv_num(f, r->rank != 0, r->rank_value);
            fprintf(f, ",%s,", note_code[r->note]);
            csv_field(f, r->region);
            fputc(',', f);
            csv_field(f, r->region_name);
            fputc(',', f);
            csv_field(f, r->plan_id);
            fputc(',', f);
            csv_field(f, r->indicator_id);
            fputc(',', f);
            csv_field(f, r->name);
            fputc(',', f);
            csv_field(f, r->unit);
            csv_int(f, r->latest_year);
            csv_num(f, r->latest_year != 0, r->latest);
            csv_int(f, r->target_no);
            csv_int(f, r->target_year);
            fputc(',', f);
            csv_field(f, r->comparator);
            fputc(',', f);
            csv_field(f, r->target_value);
            csv_num(f, r->has_limit, r->limit);
            csv_int(f, r->current_year);
            csv_num(f, r->has_current, r->current);
            fprintf(f, ",%s,%s", r->status, r->forecast_status);
            csv_num(f, r->has_prob, r->prob);
            csv_num(f, r->has_gap, r->gap);
            csv_num(f, r->has_gap_pct, r->gap_pct);
            fprintf(f, ",%s,%s\n", r->off_track ? "yes" : "no", r->small_count ? "yes" : "no");
        }
    }
}

/* ---------- the whole step ---------- */

/* Every code the writers look up: checked when comparison.yaml is loaded. */
static const char *const doc_codes[] = {
    "title", "file_title", "author", "header_left", "header_right", "footer", "cover_line",
    "date", "intro", "summary_heading", "offtrack_heading", "offtrack_intro", "offtrack_none",
    "indicator_heading", "indicator_meta", "rank_year", "rank_latest", "years_differ",
    "unit_note", "small_note", "ranking_caption", "chart_caption", "no_data", "off_mark",
    "small_mark", "summary_cut", "offtrack_cut", "distribution", "offtrack_regions",
    "offtrack_regions_more", "ranking_cut", NULL};
static const char *const col_codes[] = {
    "rank", "region", "plan", "indicator", "catalogue", "unit", "better", "value_year", "value",
    "rank_year", "latest", "latest_year", "target_year", "target", "limit", "current", "status",
    "forecast", "probability", "gap", "gap_pct", "note", "own_id", "own_name", NULL};
static const char *const summary_codes[] = {"region", "plans", "rows", "met", "not_met",
                                            "not_yet_due", "other", "off_track", NULL};
static const char *const better_codes[] = {"lower", "higher", "other", NULL};
static const char *const note_codes[] = {"small_count", "no_value", "unit", "direction", NULL};
static const char *const sheet_codes[] = {"overview", "ranking", "gaps", "values", "charts", NULL};
static const char *const props_codes[] = {"category", "keywords", "comments", NULL};
static const char *const xlsx_codes[] = {"axis_year", "ranking_note", "gaps_note", "values_note",
                                         "charts_note", NULL};
static const char *const font_codes[] = {"body", "heading", NULL};
static const char *const cell_codes[] = {"target", "change", "limit", "latest", "current",
                                         "basis_year", "basis_window", "forecast_chance", NULL};
static const char *const what_codes[] = {"every_year", "window_mean", "window_ratio", "window_sum",
                                         "window_max", "window_min", NULL};

static int load_wording(labels *t, const char *templates_dir, diag_list *d)
{
    char *path = xasprintf("%s/comparison.yaml", templates_dir);
    size_t before = diag_errors(d);
    if (labels_load(t, path, d) == 0) {
        static const struct {
            const char *section;
            const char *const *codes;
        } req[] = {{"document", doc_codes}, {"col", col_codes},     {"summary", summary_codes},
                   {"better", better_codes}, {"note", note_codes},  {"sheet", sheet_codes},
                   {"props", props_codes},  {"xlsx", xlsx_codes},  {"fonts", font_codes},
                   {"cell", cell_codes},    {"what", what_codes}};
        for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
            labels_require(t, path, req[i].section, req[i].codes, d);
    }
    free(path);
    return diag_errors(d) > before ? -1 : 0;
}

/* Before the comparison had its own directory, its files were in out/
 * itself: left there they would be an outdated comparison beside the new one. */
static void remove_legacy_files(const char *out_dir)
{
    static const char *const names[] = {"comparison.csv", "comparison.pdf", "comparison.xlsx"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *p = xasprintf("%s/%s", out_dir, names[i]);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            unlink(p);
        free(p);
    }
}

int compare_run(const char *out_dir, const char *templates_dir, int quiet, rfonts_cache *fonts,
                diag_list *d)
{
    comparison c;
    if (comparison_load(&c, out_dir, d) != 0) {
        comparison_free(&c);
        return -1;
    }
    if (c.ninds == 0) {
        if (!quiet)
            printf("comparison: nothing to compare in %s (%d plan%s, no indicator shared by two "
                   "or more)\n",
                   out_dir, c.nplans, c.nplans == 1 ? "" : "s");
        comparison_free(&c);
        return 1;
    }
    labels t;
    if (load_wording(&t, templates_dir, d) != 0) {
        labels_free(&t);
        comparison_free(&c);
        return -1;
    }
    out_set out;
    int rc = -1;
    outset_remove_stale(out_dir); /* a killed comparison's temporaries */
    /* out/comparison/ is replaced as a whole, like a plan's directory
     * (outset.h): the three files are never a mix, even for an instant. */
    char *dir = xasprintf("%s/" COMPARE_DIR, out_dir);
    if (outset_open(&out, dir, 1, d) == 0) {
        FILE *f = outset_stream(&out, "comparison.csv", d);
        if (f)
            comparison_write_csv(f, &c);
        const char *pdf = outset_path(&out, "comparison.pdf", d);
        const char *xlsx = outset_path(&out, "comparison.xlsx", d);
        if (f && pdf && xlsx && comparison_write_pdf(pdf, &c, &t, fonts, d) == 0 &&
            comparison_write_xlsx(xlsx, &c, &t, d) == 0)
            rc = outset_commit(&out, d);
        else
            outset_abort(&out);
    } else {
        outset_abort(&out);
    }
    free(dir);
    if (rc == 0)
        remove_legacy_files(out_dir);
    if (rc == 0 && !quiet) {
        int off = 0;
        for (int i = 0; i < c.nregions; i++)
            off += c.regions[i].off_track;
        printf("comparison: %d plans, %d regions, %d shared indicators, %d off track -> "
               "%s/" COMPARE_DIR "/comparison.{pdf,xlsx,csv}\n",
               c.nplans, c.nregions, c.ninds, off, out_dir);
    }
    labels_free(&t);
    comparison_free(&c);
    return rc;
}
