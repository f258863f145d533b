/*
 * runconfig.c - see runconfig.h.
 *
 * Relative paths are taken relative to the configuration file rather than
 * to the current directory: cron starts jobs in $HOME, and a file that
 * names its neighbours should mean the same wherever it is run from.
 */
#include "runconfig.h"
#include "util.h"
#include "yamldoc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * "a/b/../c/./d" -> "a/c/d", lexically (symlinks are not resolved), so that
 * paths in messages and in inputs.sha256 read the same as when typed on the
 * command line. ".." that climbs above a relative start is kept; above "/"
 * it is dropped.
 */
static char *normalise(const char *p)
{
    size_t n = strlen(p);
    const char **seg = xmalloc((n / 2 + 2) * sizeof *seg);
    size_t *seglen = xmalloc((n / 2 + 2) * sizeof *seglen);
    size_t nseg = 0;
    int abs = p[0] == '/';
    for (const char *s = p; *s;) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t sl = (size_t)(e - s);
        int dot = sl == 1 && s[0] == '.', dotdot = sl == 2 && s[0] == '.' && s[1] == '.';
        if (sl == 0 || dot) {
            /* skip */
        } else if (dotdot && nseg > 0 && !(seglen[nseg - 1] == 2 && seg[nseg - 1][0] == '.')) {
            nseg--;
        } else if (!(dotdot && abs)) {
            seg[nseg] = s;
            seglen[nseg++] = sl;
        }
        s = e;
    }
    strbuf b;
    sb_init(&b);
    if (abs)
        sb_addc(&b, '/');
    for (size_t i = 0; i < nseg; i++) {
        if (i)
            sb_addc(&b, '/');
        for (size_t k = 0; k < seglen[i]; k++)
            sb_addc(&b, seg[i][k]);
    }
    if (!abs && nseg == 0)
        sb_addc(&b, '.');
    free(seg);
    free(seglen);
    return sb_take(&b);
}

/* dir of the config joined with p, unless p is absolute; normalised. */
char *run_config_join(const char *config_path, const char *p)
{
    const char *slash = strrchr(config_path, '/');
    char *joined = p[0] == '/' || !slash
                       ? xstrdup(p)
                       : xasprintf("%.*s/%s", (int)(slash - config_path), config_path, p);
    char *norm = normalise(joined);
    free(joined);
    return norm;
}

/* A non-empty string value of run[key] joined with the config's dir into *out. */
static void get_dir(ydoc *y, ynode *run, const char *key, char **out, diag_list *d)
{
    const char *s = NULL;
    if (yget_str(y, run, key, 0, &s, d) != 1)
        return;
    if (!*s) {
        ydiag(y, d, DIAG_ERROR, ymap_get(y, run, key), "%s: an empty path", key);
        return;
    }
    *out = run_config_join(y->path, s);
}

static void get_prob(ydoc *y, ynode *run, const char *key, double *out, diag_list *d)
{
    double v;
    if (yget_num(y, run, key, 0, &v, d) != 1)
        return;
    if (!(v > 0 && v <= 1))
        ydiag(y, d, DIAG_ERROR, ymap_get(y, run, key),
              "%s: a probability above 0 and at most 1, not %g", key, v);
    else
        *out = v;
}

int run_config_load(run_config *c, const char *path, diag_list *d)
{
    memset(c, 0, sizeof *c);
    c->path = xstrdup(path);
    c->on_track = c->at_risk = -1;
    size_t before = diag_errors(d);
    ydoc y;
    if (ydoc_load(&y, path, d) != 0) {
        ydoc_free(&y);
        return -1;
    }
    ynode *root = ydoc_root(&y);
    ynode *run = root && ynode_is_map(root) ? ymap_get(&y, root, "run") : NULL;
    if (!run || !ynode_is_map(run)) {
        ydiag(&y, d, DIAG_ERROR, run ? run : root,
              "a run configuration is a mapping under the key `run:` (docs/cli.md)");
        ydoc_free(&y);
        return -1;
    }
    static const char *const top[] = {"run", NULL};
    ycheck_keys(&y, root, top, "run configuration", d);
    static const char *const keys[] = {"indicators", "data", "templates", "out", "stage",
                                       "year", "jobs", "charts", "on_track", "at_risk",
                                       "plans", NULL};
    ycheck_keys(&y, run, keys, "run", d);

    get_dir(&y, run, "indicators", &c->indicators, d);
    get_dir(&y, run, "data", &c->data, d);
    get_dir(&y, run, "templates", &c->templates, d);
    get_dir(&y, run, "out", &c->out, d);

    const char *stage = NULL;
    if (yget_str(&y, run, "stage", 0, &stage, d) == 1) {
        static const char *const stages[] = {"auto", "annual", "midterm", "final", NULL};
        int ok = 0;
        for (const char *const *s = stages; *s; s++)
            ok |= strcmp(*s, stage) == 0;
        if (ok)
            c->stage = xstrdup(stage);
        else
            ydiag(&y, d, DIAG_ERROR, ymap_get(&y, run, "stage"),
                  "stage: auto, annual, midterm or final, not '%s'", stage);
    }
    const char *charts = NULL;
    if (yget_str(&y, run, "charts", 0, &charts, d) == 1) {
        static const char *const kinds[] = {"none", "png", "svg", "all", "png+svg", NULL};
        int ok = 0;
        for (const char *const *k = kinds; *k; k++)
            ok |= strcmp(*k, charts) == 0;
        if (ok)
            c->charts = xstrdup(charts);
        else
            ydiag(&y, d, DIAG_ERROR, ymap_get(&y, run, "charts"),
                  "charts: none, png, svg or all, not '%s'", charts);
    }
    long v;
    if (yget_int(&y, run, "year", 0, &v, d) == 1) {
        if (v < 1949 || v > 2100)
            ydiag(&y, d, DIAG_ERROR, ymap_get(&y, run, "year"), "year: %ld is not a plan year",
                  v);
        else
            c->year = (int)v;
    }
    if (yget_int(&y, run, "jobs", 0, &v, d) == 1) {
        if (v < 1 || v > 256)
            ydiag(&y, d, DIAG_ERROR, ymap_get(&y, run, "jobs"), "jobs: 1 to 256, not %ld", v);
        else
            c->jobs = (int)v;
    }
    get_prob(&y, run, "on_track", &c->on_track, d);
    get_prob(&y, run, "at_risk", &c->at_risk, d);
    if (c->on_track > 0 && c->at_risk > c->on_track)
        ydiag(&y, d, DIAG_ERROR, ymap_get(&y, run, "at_risk"),
              "at_risk must not be above on_track");

    ynode *plans = ymap_get(&y, run, "plans");
    if (plans && !ynode_is_seq(plans)) {
        ydiag(&y, d, DIAG_ERROR, plans, "plans: a list of plan ids or plan files");
    } else if (plans) {
        size_t n = yseq_len(plans);
        c->plans = xcalloc(n + 1, sizeof *c->plans);
        for (size_t i = 0; i < n; i++) {
            ynode *pn = yseq_at(&y, plans, i);
            const char *s = ynode_str(pn);
            if (!s || !*s) {
                ydiag(&y, d, DIAG_ERROR, pn, "plans: each entry is a plan id or a plan file");
                continue;
            }
            /* An id stays an id; a file name is found next to the config. */
            c->plans[c->nplans++] = strchr(s, '/') || strstr(s, ".yaml") ? run_config_join(path, s)
                                                                         : xstrdup(s);
        }
        if (n == 0)
            ydiag(&y, d, DIAG_ERROR, plans, "plans: the list is empty (leave the key out to run every plan)");
    }
    ydoc_free(&y);
    return diag_errors(d) > before ? -1 : 0;
}

void run_config_free(run_config *c)
{
    free(c->path);
    free(c->indicators);
    free(c->data);
    free(c->templates);
    free(c->out);
    free(c->stage);
    free(c->charts);
    for (int i = 0; i < c->nplans; i++)
        free(c->plans[i]);
    free(c->plans);
    memset(c, 0, sizeof *c);
}
