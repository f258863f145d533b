/*
 * window.c - see window.h; docs/methodology.md, section 5, "Without
 * simulated paths".
 *
 * Given a model's parameters (coefficients, σ, the rate) its future years
 * are independent, so the chance that every year lies in a range is the
 * product of the years' chances, and the largest year's CDF is the
 * product of the years' CDFs. Averaging that product over the
 * parameters' distribution (the same distribution the paths draw from)
 * by Gauss quadrature gives the figure's CDF without paths; P(met) and
 * the quantiles are read off it. A window's total of counts is, at each
 * node, the sum of independent counts: tabulated by convolution; so is a
 * window sum of values clipped at a bound (each year's term on a lattice,
 * the atom of every year at the bound kept apart). The mixture also takes Student t figures (Gaussian sums, from forecast.c's
 * closed form) and simulated ones (models with neither).
 */
#include "window.h"
#include "util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define NH 7           /* Gauss-Hermite nodes per coefficient */
#define NS 6           /* generalized Gauss-Laguerre nodes for σ² or a rate */
#define NR 10          /* Gauss-Hermite nodes for a share's yearly effect */
#define MIN_NODE 1e-8  /* parameter nodes of smaller weight add nothing a probability shows */
#define TAIL 1e-14     /* a count's probabilities below this times its largest are left out */
#define MAX_TABLE (1 << 22) /* entries of the counts' CDF tables of one model */
#define MAX_CONV 4e5      /* products in convolving two counts' probabilities */
#define LONG_COUNT 2048   /* a count's spread beyond which its CDF is not tabulated */

#define SUM_K 16       /* lattice points per standard deviation of a node's sum */
#define SUM_R 6.5      /* a year's values beyond 6.5 σ from its mean (chance 8e-11) are left out */
#define SUM_ATOM 1e-9  /* a bound reached with less chance than this holds no atom */
#define SUM_COST 400   /* lattice products allowed per simulated path spared (a path of
                        * five years costs some 2,500 instructions, a product about 3,
                        * with its cells' erfc: callgrind on 20 synthetic regions) */

enum { WC_NORMAL, WC_LATTICE, WC_STUDENT, WC_PATHS, WC_SUM };

/* One model of the mixture. */
typedef struct wcomp {
    int kind;
    double w;
    int nn;           /* parameter nodes */
    double *nw;       /* their weights */
    /* WC_NORMAL: the year's value is normal (log-normal) with mean
     * loc[n * nf + h] and standard deviation 1 / sd[n] */
    int lognormal;
    double *loc, *sd;
    /* WC_LATTICE: a count whose value is base + unit[h] per event; its
     * CDF at kmin + j is tab[off + j] for j < len (0 below, 1 above).
     * total: one count, the window's events (h = 0 only) */
    int total, nlat;
    double base, unit[64];
    double *tab;
    size_t *off;
    int *kmin, *len;
    double *mu; /* a long table's mean count instead (len -1): its CDF from GSL */
    /* the count last asked of each long table and GSL's CDF there: the
     * searches of the quantiles ask a year again and again at the same
     * count (the figure moves less than one event of that year), and each
     * answer costs an incomplete beta or gamma function. Written through
     * the pointer while the mixture is read as const. */
    double *lastk, *lastF;
    double nb_r; /* a negative binomial's r (1/α), or 0 for Poisson */
    /* WC_SUM: at node n the continuous part of the figure has the CDF
     * tab[off[n] + k] at org[n] + (k + 1/2) step[n], k < len[n], and an
     * atom of amass[n] at apos[0] (every year at the lower bound, aside
     * -1) or apos[1] (at the upper, aside 1) */
    double *org, *step, *amass;
    signed char *aside;
    double apos[2];
    /* WC_STUDENT: the figure is loc + sd t(df) (normal when df <= 0) */
    double tloc, tsd, tdf;
    /* WC_PATHS: sorted figures of the finite paths, and P(met) */
    double *fig;
    int nfig;
    double pmet;
} wcomp;

struct window_mix {
    window_spec w;
    window_obs wo;
    double tf[64], ef[64], a[64];
    int k;
    wcomp c[FM_NMODELS];
};

static double tol(double x) { return 1e-9 * (fabs(x) > 1 ? fabs(x) : 1); }
static double logistic(double x) { return 1 / (1 + exp(-x)); }

window_mix *window_mix_new(const window_spec *w)
{
    window_mix *m = xcalloc(1, sizeof *m);
    m->w = *w;
    m->wo = *w->wo;
    m->w.wo = &m->wo;
    m->w.nf = w->nf < 64 ? w->nf : 64;
    memcpy(m->tf, w->tf, sizeof(double) * (size_t)m->w.nf);
    memcpy(m->ef, w->ef, sizeof(double) * (size_t)m->w.nf);
    m->w.tf = m->tf;
    m->w.ef = m->ef;
    if (w->a) {
        memcpy(m->a, w->a, sizeof(double) * (size_t)m->w.nf);
        m->w.a = m->a;
    }
    return m;
}

static void comp_free(wcomp *c)
{
    free(c->nw);
    free(c->loc);
    free(c->sd);
    free(c->tab);
    free(c->off);
    free(c->kmin);
    free(c->len);
    free(c->mu);
    free(c->lastk);
    free(c->lastF);
    free(c->fig);
    free(c->org);
    free(c->step);
    free(c->amass);
    free(c->aside);
}

void window_mix_free(window_mix *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->k; i++)
        comp_free(&m->c[i]);
    free(m);
}

/* ---------- quadrature rules ---------- */

/*
 * n nodes x[] and weights w[] (summing to 1) of a standard normal
 * (Hermite) or of a gamma of shape alpha + 1 and rate 1 (generalized
 * Laguerre), by Golub and Welsch: the eigenvalues of the rule's Jacobi
 * matrix and the first components of its eigenvectors, squared. (GSL's
 * fixed rules scale by Γ(alpha + 1), out of range for a rate's shape of
 * a few hundred events.) -1 if the eigen-solver fails.
 */
static int rule(int laguerre, int n, double alpha, double *x, double *w)
{
    if (laguerre && !(alpha > -1))
        return -1;
    gsl_matrix *J = gsl_matrix_calloc((size_t)n, (size_t)n), *V = gsl_matrix_alloc((size_t)n, (size_t)n);
    gsl_vector *e = gsl_vector_alloc((size_t)n);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc((size_t)n);
    int rc = -1;
    if (J && V && e && ws) {
        for (int i = 0; i < n; i++) {
            gsl_matrix_set(J, (size_t)i, (size_t)i, laguerre ? 2 * i + alpha + 1 : 0);
            if (i + 1 < n) {
                double b = laguerre ? sqrt((i + 1) * (i + 1 + alpha)) : sqrt((i + 1) / 2.0);
                gsl_matrix_set(J, (size_t)i, (size_t)i + 1, b);
                gsl_matrix_set(J, (size_t)i + 1, (size_t)i, b);
            }
        }
        if (gsl_eigen_symmv(J, e, V, ws) == 0 &&
            gsl_eigen_symmv_sort(e, V, GSL_EIGEN_SORT_VAL_ASC) == 0) {
            double sw = 0;
            for (int i = 0; i < n; i++) {
                double v = gsl_matrix_get(V, 0, (size_t)i);
                x[i] = gsl_vector_get(e, (size_t)i) * (laguerre ? 1 : M_SQRT2);
                w[i] = v * v;
                sw += w[i];
            }
            rc = sw > 0 ? 0 : -1;
            for (int i = 0; i < n && rc == 0; i++) {
                w[i] /= sw;
                rc = isfinite(x[i]) && isfinite(w[i]) ? 0 : -1;
            }
        }
    }
    if (ws)
        gsl_eigen_symmv_free(ws);
    if (e)
        gsl_vector_free(e);
    if (V)
        gsl_matrix_free(V);
    if (J)
        gsl_matrix_free(J);
    return rc;
}

/*
 * The coefficients' nodes: b = f->b + sc * L z over a Hermite grid in z
 * (one dimension when the trend has no uncertainty of its own). Calls
 * add(ctx, weight, b0, b1) for each node of weight at least MIN_NODE.
 */
typedef void (*node_fn)(void *ctx, double w, double b0, double b1);

static void coef_nodes(const fc_fit *f, const double L[2][2], double sc, double w0, const double *x,
                       const double *w, int two, node_fn add, void *ctx)
{
    for (int i = 0; i < NH; i++)
        for (int j = 0; j < (two ? NH : 1); j++) {
            double wt = w0 * w[i] * (two ? w[j] : 1);
            if (wt < MIN_NODE)
                continue;
            double z1 = two ? x[j] : 0;
            double b0 = f->b[0] + sc * L[0][0] * x[i];
            double b1 = f->b[1] + sc * (L[1][0] * x[i] + L[1][1] * z1);
            add(ctx, wt, b0, b1);
        }
}

/* Room for one more node in c. */
static int grow_nodes(wcomp *c, int nf, int *cap)
{
    if (c->nn < *cap)
        return c->nn;
    *cap = *cap ? 2 * *cap : 64;
    c->nw = xrealloc(c->nw, sizeof(double) * (size_t)*cap);
    c->sd = xrealloc(c->sd, sizeof(double) * (size_t)*cap);
    c->loc = xrealloc(c->loc, sizeof(double) * (size_t)*cap * (size_t)nf);
    return c->nn;
}

/* ---------- normal and log-normal values ---------- */

typedef struct normal_ctx {
    const window_mix *m;
    const fc_fit *f;
    wcomp *c;
    int cap;
    double sd;
} normal_ctx;

static void add_normal(void *p, double w, double b0, double b1)
{
    normal_ctx *nc = p;
    int nf = nc->m->w.nf, n = grow_nodes(nc->c, nf, &nc->cap);
    nc->c->nw[n] = w;
    nc->c->sd[n] = 1 / nc->sd; /* kept as its inverse */
    for (int h = 0; h < nf; h++)
        nc->c->loc[(size_t)n * nf + h] = b0 + b1 * (nc->m->tf[h] - nc->f->tc);
    nc->c->nn++;
}

/*
 * Constant level, straight line and log-linear trend, as the paths draw
 * them: σ² = df σ̂² / χ²(df), the coefficients normal with covariance
 * scaled by σ²/σ̂², each year's error normal with variance σ².
 */
static int normal_nodes(const window_mix *m, const fc_fit *f, const double L[2][2], wcomp *c)
{
    if (!(f->sigma > 0) || f->df < 1)
        return -1;
    double hx[NH], hw[NH], sx[NS], sw[NS];
    if (rule(0, NH, 0, hx, hw) != 0 || rule(1, NS, f->df / 2.0 - 1, sx, sw) != 0)
        return -1;
    normal_ctx nc = {m, f, c, 0, 0};
    int two = L[1][1] > 0;
    for (int i = 0; i < NS; i++) {
        double sc = sqrt(f->df / (2 * sx[i])); /* σ / σ̂ at χ² = 2 x */
        nc.sd = f->sigma * sc;
        coef_nodes(f, L, sc, sw[i], hx, hw, two, add_normal, &nc);
    }
    c->kind = WC_NORMAL;
    c->lognormal = f->model == FM_LOGLINEAR;
    return c->nn > 0 ? 0 : -1;
}

/* ---------- counts: tables of each year's CDF at each node ---------- */

/* A count's distribution, by its log-probability at a count and the
 * ratio P(k) / P(k - 1). */
typedef struct count_law {
    int kind; /* 0 Poisson(mu), 1 negative binomial(r, p) as GSL's, 2 binomial(N, p) */
    double mu, r, p, N;
} count_law;

static double law_logp(const count_law *l, double k)
{
    switch (l->kind) {
    case 0: return k * log(l->mu) - l->mu - lgamma(k + 1);
    case 1: return lgamma(l->r + k) - lgamma(k + 1) - lgamma(l->r) + l->r * log(l->p) + k * log1p(-l->p);
    default:
        return lgamma(l->N + 1) - lgamma(k + 1) - lgamma(l->N - k + 1) + k * log(l->p) +
               (l->N - k) * log1p(-l->p);
    }
}

static inline double law_ratio(const count_law *l, double k)
{
    switch (l->kind) {
    case 0: return l->mu / k;
    case 1: return (l->r + k - 1) / k * (1 - l->p);
    default: return (l->N - k + 1) / k * l->p / (1 - l->p);
    }
}

static double law_mode(const count_law *l)
{
    switch (l->kind) {
    case 0: return floor(l->mu);
    case 1: return l->r > 1 ? floor((l->r - 1) * (1 - l->p) / l->p) : 0;
    default: return floor((l->N + 1) * l->p) > l->N ? l->N : floor((l->N + 1) * l->p);
    }
}

/* A growable buffer of probabilities. */
typedef struct pbuf {
    double *v;
    size_t n, cap;
} pbuf;

static int pbuf_room(pbuf *b, size_t n)
{
    if (n > MAX_TABLE)
        return -1;
    if (n > b->cap) {
        b->cap = n > 2 * b->cap ? n : 2 * b->cap;
        b->v = xrealloc(b->v, sizeof(double) * b->cap);
    }
    return 0;
}

/*
 * The probabilities of l from *k0 on, into pb->v[0..len): from the mode
 * down and up while they are above TAIL times the mode's. Degenerate
 * shares (p 0 or 1) are a single count. -1 if too long.
 */
static int law_pmf(const count_law *l, pbuf *pb, double *k0, int *len)
{
    if (l->kind == 2 && (l->p <= 0 || l->p >= 1)) {
        if (pbuf_room(pb, 1) != 0)
            return -1;
        *k0 = l->p >= 1 ? l->N : 0;
        pb->v[0] = 1;
        *len = 1;
        return 0;
    }
    if (l->kind == 0 && !(l->mu > 0)) {
        if (pbuf_room(pb, 1) != 0)
            return -1;
        *k0 = 0;
        pb->v[0] = 1;
        *len = 1;
        return 0;
    }
    double mode = law_mode(l), top = l->kind == 2 ? l->N : HUGE_VAL;
    double p = exp(law_logp(l, mode)), lo = mode, hi = mode;
    if (!(isfinite(p) && p > 0))
        return -1;
    /* one pass each way from the mode: down (stored from the mode down,
     * then turned round), then up */
    size_t n = 0;
    for (double v = p; v > TAIL * p; v /= lo > 0 ? law_ratio(l, lo--) : HUGE_VAL) {
        if (pbuf_room(pb, n + 1) != 0)
            return -1;
        pb->v[n++] = v;
    }
    lo = mode - (double)(n - 1);
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        double t = pb->v[i];
        pb->v[i] = pb->v[j];
        pb->v[j] = t;
    }
    for (double v = p * (hi < top ? law_ratio(l, hi + 1) : 0); v > TAIL * p && hi < top;
         v *= hi < top ? law_ratio(l, hi + 1) : 0) {
        if (pbuf_room(pb, n + 1) != 0)
            return -1;
        pb->v[n++] = v;
        hi++;
    }
    *k0 = lo;
    *len = (int)n;
    return 0;
}

typedef struct count_ctx {
    const window_mix *m;
    const fc_fit *f;
    wcomp *c;
    int cap, fail;
    size_t used, room;
    pbuf one, acc, sum, tmp;
    double rx[NR], rw[NR];
    double sd; /* a sum of values (sum_nodes): σ at this σ node */
} count_ctx;

/*
 * What it gives: window.h. Two rows of x at a time: out[i + 1 + j] takes
 * x[i] y[j + 1] and then x[i + 1] y[j] in one load and store (row after
 * row loaded and stored each output twice), two j at a time in SSE2 registers (gcc -O2
 * does not vectorize that loop itself; each product and sum is rounded
 * alone, as in scalar code). A last odd row two j at a time in a loop gcc
 * -O2 vectorizes (restrict buffers, a body of two statements).
 */
void window_convolve(double *restrict out, const double *restrict x, int nx,
                     const double *restrict y, int ny)
{
    if (nx < 1 || ny < 1)
        return;
    int i = 0;
    for (; i + 1 < nx; i += 2) {
        double xa = x[i], xb = x[i + 1];
        /* o[j] takes xa ya[j] then xb yb[j], for j = 0 .. ny - 2 */
        double *restrict o = out + i + 1;
        const double *restrict ya = y + 1, *restrict yb = y;
        out[i] += xa * y[0];
        int j = 0, m = ny - 1;
#ifdef __SSE2__
        __m128d va = _mm_set1_pd(xa), vb = _mm_set1_pd(xb);
        for (; j + 1 < m; j += 2) {
            __m128d t = _mm_add_pd(_mm_loadu_pd(o + j), _mm_mul_pd(va, _mm_loadu_pd(ya + j)));
            _mm_storeu_pd(o + j, _mm_add_pd(t, _mm_mul_pd(vb, _mm_loadu_pd(yb + j))));
        }
#endif
        for (; j < m; j++)
            o[j] = (o[j] + xa * ya[j]) + xb * yb[j];
        o[j] += xb * yb[j];
    }
    for (; i < nx; i++) {
        double xi = x[i];
        double *restrict o = out + i;
        int j = 0;
        for (; j + 1 < ny; j += 2) {
            o[j] += xi * y[j];
            o[j + 1] += xi * y[j + 1];
        }
        if (j < ny)
            o[j] += xi * y[j];
    }
}

/* Room for len more entries of c's tables, *used of *room taken; NULL
 * beyond MAX_TABLE. */
static double *tab_room(wcomp *c, size_t *used, size_t *room, size_t len)
{
    if (*used + len > MAX_TABLE)
        return NULL;
    if (*used + len > *room) {
        *room = 2 * (*used + len);
        c->tab = xrealloc(c->tab, sizeof(double) * *room);
    }
    return c->tab + *used;
}

/* Appends the CDF of node n, year h: the probabilities acc[0..len) from
 * count k0 on, summed and scaled to 1. */
static void store_cdf(count_ctx *cc, int n, int h, double k0, const double *pr, int len)
{
    wcomp *c = cc->c;
    int nf = cc->m->w.nf;
    double *t = tab_room(c, &cc->used, &cc->room, (size_t)len);
    if (!t) {
        cc->fail = 1;
        return;
    }
    double s = 0, tot = 0;
    for (int j = 0; j < len; j++)
        tot += pr[j];
    double inv = 1 / tot;
    for (int j = 0; j < len; j++) {
        s += pr[j];
        t[j] = s * inv;
    }
    size_t i = (size_t)n * nf + h;
    c->off[i] = cc->used;
    c->kmin[i] = (int)k0;
    c->len[i] = len;
    cc->used += (size_t)len;
}

/* A share's year: binomial mixed over the year's own logit effect; its
 * probabilities from count *k0 on into cc->acc.v[0..*len). -1 if too long. */
static int binom_year(count_ctx *cc, double eta, double N, double *k0, int *len)
{
    const fc_fit *f = cc->f;
    int nr = f->re_var > 0 ? NR : 1;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    /* the union of the supports first, then the sum */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            if (pbuf_room(&cc->acc, (size_t)(hi - lo + 1)) != 0)
                return -1;
            memset(cc->acc.v, 0, sizeof(double) * (size_t)(hi - lo + 1));
        }
        for (int j = 0; j < nr; j++) {
            double wj = nr > 1 ? cc->rw[j] : 1;
            if (wj < MIN_NODE)
                continue;
            count_law l = {2, 0, 0, logistic(eta + (nr > 1 ? sqrt(f->re_var) * cc->rx[j] : 0)), N};
            double j0;
            int jn;
            if (law_pmf(&l, &cc->one, &j0, &jn) != 0)
                return -1;
            if (pass == 0) {
                lo = j0 < lo ? j0 : lo;
                hi = j0 + jn - 1 > hi ? j0 + jn - 1 : hi;
            } else {
                for (int k = 0; k < jn; k++)
                    cc->acc.v[(size_t)(j0 - lo) + (size_t)k] += wj * cc->one.v[k];
            }
        }
    }
    *k0 = lo;
    *len = (int)(hi - lo + 1);
    return 0;
}

/* The year's count law given the node (not a share). */
static count_law year_law(const fc_fit *f, double mu)
{
    if (mu > 1e9)
        mu = 1e9; /* as the paths cap it */
    count_law l = {0, mu, 0, 0, 0};
    if (f->model == FM_NEGBIN || f->model == FM_NEGBIN_MEAN) {
        l.kind = 1;
        l.r = 1 / f->nb_alpha_pred;
        l.p = 1 / (1 + f->nb_alpha_pred * mu);
    }
    return l;
}

/* The year's mean count at node (b0, b1): b0 is the rate itself for a
 * constant Poisson rate (gamma nodes). */
static double year_mu(const count_ctx *cc, int h, double b0, double b1)
{
    const fc_fit *f = cc->f;
    double ef = cc->m->ef[h];
    if (f->model == FM_POISSON_MEAN)
        return b0 * ef;
    return ef * exp(b0 + (f->p == 2 ? b1 * (cc->m->tf[h] - f->tc) : 0));
}

/* The year's probabilities at node (b0, b1), from *k0 on; NULL if too long. */
static const double *year_pmf(count_ctx *cc, int h, double b0, double b1, double *k0, int *len)
{
    const fc_fit *f = cc->f;
    if (f->model == FM_BINOMIAL || f->model == FM_BINOMIAL_MEAN) {
        double eta = b0 + (f->p == 2 ? b1 * (cc->m->tf[h] - f->tc) : 0);
        return binom_year(cc, eta, floor(cc->m->ef[h] + 0.5), k0, len) == 0 ? cc->acc.v : NULL;
    }
    count_law l = year_law(f, year_mu(cc, h, b0, b1));
    return law_pmf(&l, &cc->one, k0, len) == 0 ? cc->one.v : NULL;
}

/* The window's total count at node (b0, b1): the years' probabilities
 * convolved (a Poisson total directly), into cc->sum from *k0 on. */
static int total_pmf(count_ctx *cc, double b0, double b1, double *k0, int *len)
{
    const fc_fit *f = cc->f;
    int nf = cc->m->w.nf;
    if (f->model == FM_POISSON || f->model == FM_POISSON_MEAN) {
        double mu = 0;
        for (int h = 0; h < nf; h++)
            mu += year_mu(cc, h, b0, b1) < 1e9 ? year_mu(cc, h, b0, b1) : 1e9;
        count_law l = {0, mu, 0, 0, 0};
        if (law_pmf(&l, &cc->one, k0, len) != 0 || pbuf_room(&cc->sum, (size_t)*len) != 0)
            return -1;
        memcpy(cc->sum.v, cc->one.v, sizeof(double) * (size_t)*len);
        return 0;
    }
    double t0 = 0;
    int tn = 1;
    if (pbuf_room(&cc->sum, 1) != 0)
        return -1;
    cc->sum.v[0] = 1;
    for (int h = 0; h < nf; h++) {
        double y0;
        int yn;
        const double *py = year_pmf(cc, h, b0, b1, &y0, &yn);
        size_t n = (size_t)tn + (size_t)yn - 1;
        if (!py || n > MAX_TABLE || (double)tn * yn > MAX_CONV || pbuf_room(&cc->tmp, n) != 0)
            return -1;
        memset(cc->tmp.v, 0, sizeof(double) * n);
        window_convolve(cc->tmp.v, cc->sum.v, tn, py, yn);
        pbuf swap = cc->sum;
        cc->sum = cc->tmp;
        cc->tmp = swap;
        t0 += y0;
        tn = (int)n;
    }
    *k0 = t0;
    *len = tn;
    return 0;
}

/*
 * A Poisson or negative binomial year whose table would be long (a spread
 * of more than LONG_COUNT counts, as at a far node of an uncertain trend):
 * its CDF is left to GSL at each count asked for, not tabulated. 1 if so.
 */
static int long_count(count_ctx *cc, int n, int h, double b0, double b1)
{
    const fc_fit *f = cc->f;
    if (f->model == FM_BINOMIAL || f->model == FM_BINOMIAL_MEAN)
        return 0;
    count_law l = year_law(f, year_mu(cc, h, b0, b1));
    double var = l.kind == 1 ? l.mu + l.mu * l.mu / l.r : l.mu;
    if (!(16 * sqrt(var) > LONG_COUNT))
        return 0;
    size_t i = (size_t)n * cc->m->w.nf + h;
    cc->c->len[i] = -1;
    cc->c->mu[i] = l.mu;
    cc->c->lastk[i] = -1; /* none yet */
    cc->c->nb_r = l.kind == 1 ? l.r : 0;
    return 1;
}

static void add_count(void *p, double w, double b0, double b1)
{
    count_ctx *cc = p;
    if (cc->fail)
        return;
    wcomp *c = cc->c;
    int nf = cc->m->w.nf;
    int n = c->nn;
    if (n >= cc->cap) {
        cc->cap = cc->cap ? 2 * cc->cap : 64;
        c->nw = xrealloc(c->nw, sizeof(double) * (size_t)cc->cap);
        c->off = xrealloc(c->off, sizeof(size_t) * (size_t)cc->cap * (size_t)nf);
        c->kmin = xrealloc(c->kmin, sizeof(int) * (size_t)cc->cap * (size_t)nf);
        c->len = xrealloc(c->len, sizeof(int) * (size_t)cc->cap * (size_t)nf);
        c->mu = xrealloc(c->mu, sizeof(double) * (size_t)cc->cap * (size_t)nf);
        c->lastk = xrealloc(c->lastk, sizeof(double) * (size_t)cc->cap * (size_t)nf);
        c->lastF = xrealloc(c->lastF, sizeof(double) * (size_t)cc->cap * (size_t)nf);
    }
    c->nw[n] = w;
    double k0;
    int len;
    if (c->total) {
        if (total_pmf(cc, b0, b1, &k0, &len) != 0) {
            cc->fail = 1;
            return;
        }
        store_cdf(cc, n, 0, k0, cc->sum.v, len);
    }
    for (int h = 0; h < nf && !c->total && !cc->fail; h++) {
        if (long_count(cc, n, h, b0, b1))
            continue;
        const double *py = year_pmf(cc, h, b0, b1, &k0, &len);
        if (!py) {
            cc->fail = 1;
            return;
        }
        store_cdf(cc, n, h, k0, py, len);
    }
    c->nn++;
}

/*
 * A window's ratio, or its sum or mean when every year's event has the same
 * value (and no upper bound clips a year), is base + unit x the window's
 * total count: the figure of c. -1 otherwise.
 */
static int total_lattice(const window_mix *m, int binom, wcomp *c)
{
    const window_obs *wo = &m->wo;
    int nf = m->w.nf;
    double scale = m->w.s->scale;
    c->total = 1;
    c->nlat = 1;
    if (m->w.agg == AGG_WINDOW_RATIO) {
        double D = wo->den;
        for (int h = 0; h < nf; h++)
            D += binom ? floor(m->ef[h] + 0.5) : m->ef[h];
        if (!(D > 0))
            return -1;
        c->unit[0] = scale / D;
        c->base = scale * wo->num / D;
        return 0;
    }
    if (isfinite(m->w.s->hi))
        return -1;
    for (int h = 1; h < nf; h++)
        if (fabs(c->unit[h] - c->unit[0]) > 1e-12 * c->unit[0])
            return -1;
    double n = m->w.agg == AGG_WINDOW_MEAN ? wo->n + nf : 1;
    if (m->w.agg != AGG_WINDOW_SUM && m->w.agg != AGG_WINDOW_MEAN)
        return -1;
    c->unit[0] /= n;
    c->base = wo->sum / n;
    return 0;
}

/*
 * Count models (Poisson, negative binomial, constant or log-linear rate
 * with exposure) and shares of whole trials, as the paths draw them: the
 * coefficients normal (covariance as predictions scale it), a constant
 * Poisson rate from its gamma posterior, a share's year with its own
 * normal logit effect; each year's count given those is Poisson, negative
 * binomial with the posterior-mean α, or binomial.
 */
static int count_nodes(const window_mix *m, const fc_fit *f, const double L[2][2], wcomp *c)
{
    int binom = f->model == FM_BINOMIAL || f->model == FM_BINOMIAL_MEAN;
    int nb = f->model == FM_NEGBIN || f->model == FM_NEGBIN_MEAN;
    if (nb && !(f->nb_alpha_pred > 0))
        return -1;
    count_ctx cc;
    memset(&cc, 0, sizeof cc);
    cc.m = m;
    cc.f = f;
    cc.c = c;
    for (int h = 0; h < m->w.nf; h++) {
        double N = floor(m->ef[h] + 0.5);
        if (binom && !(N >= 1 && N <= MAX_TABLE))
            return -1;
        if (!(m->ef[h] > 0))
            return -1;
        c->unit[h] = m->w.s->scale / (binom ? N : m->ef[h]);
    }
    c->nlat = m->w.nf;
    if (m->w.agg != AGG_WINDOW_MAX && m->w.agg != AGG_WINDOW_MIN && m->w.agg != AGG_EVERY_YEAR &&
        total_lattice(m, binom, c) != 0)
        return -1;
    double hx[NH], hw[NH];
    if (rule(0, NH, 0, hx, hw) != 0 || (binom && rule(0, NR, 0, cc.rx, cc.rw) != 0))
        return -1;
    if (f->model == FM_POISSON_MEAN) {
        double gx[NS], gw[NS];
        if (!(f->sum_exposure > 0) || rule(1, NS, f->sum_count + 0.5 - 1, gx, gw) != 0)
            return -1;
        for (int i = 0; i < NS; i++)
            if (gw[i] >= MIN_NODE)
                add_count(&cc, gw[i], gx[i] / f->sum_exposure, 0);
    } else {
        double L2[2][2] = {{L[0][0], 0}, {f->p == 2 ? L[1][0] : 0, f->p == 2 ? L[1][1] : 0}};
        coef_nodes(f, L2, 1, 1, hx, hw, L2[1][1] > 0, add_count, &cc);
    }
    free(cc.one.v);
    free(cc.acc.v);
    free(cc.sum.v);
    free(cc.tmp.v);
    c->kind = WC_LATTICE;
    return !cc.fail && c->nn > 0 ? 0 : -1;
}

/* ---------- sums of values clipped at their bounds ---------- */

static double ncdf(double z) { return 0.5 * erfc(-z * M_SQRT1_2); }


/*
 * Year h's term a x clip(N(mu, sd)) on the lattice s0 + j d, j <= *J: each
 * point holds the chance of its cell [x - d/2, x + d/2), and the bound the
 * lattice is aligned on (side 1: the upper, its last point; -1: the lower,
 * its first) its atom. Into sc->one.
 */
static int year_cells(count_ctx *sc, double a, double mu, double sd, double d, int side, double *s0,
                      int *J)
{
    const fc_series *s = sc->m->w.s;
    double A = mu - SUM_R * sd, B = mu + SUM_R * sd;
    A = A > s->lo ? A : s->lo;
    B = B < s->hi ? B : s->hi;
    double from = side > 0 ? a * s->hi : side < 0 ? a * s->lo : a * A;
    int n;
    if (side > 0) {
        n = (int)ceil((from - a * (A < B ? A : B)) / d - 0.5);
        n = n > 0 ? n : 0;
        *s0 = from - n * d;
    } else {
        n = (int)ceil((a * (B > A ? B : A) - from) / d - 0.5);
        n = n > 0 ? n : 0;
        *s0 = from;
    }
    if (pbuf_room(&sc->one, (size_t)n + 1) != 0)
        return -1;
    /* the cells' edges, clipped to the continuous part [a A, a B] */
    double lo = a * A, hi = a * B, prev = 0;
    for (int j = 0; j <= n + 1; j++) {
        double e = *s0 + (j - 0.5) * d;
        e = e < lo ? lo : e > hi ? hi : e;
        double F = hi > lo ? ncdf((e / a - mu) / sd) : 0;
        if (j > 0)
            sc->one.v[j - 1] = F > prev ? F - prev : 0;
        prev = F;
    }
    if (side > 0 && isfinite(s->hi))
        sc->one.v[n] += ncdf((mu - s->hi) / sd);
    if (side < 0 && isfinite(s->lo))
        sc->one.v[0] += ncdf((s->lo - mu) / sd);
    *J = n;
    return 0;
}

/* One parameter node of a sum: the years' terms convolved, the atom of
 * every year at the bound taken out as amass. */
static void add_sum(void *p, double w, double b0, double b1)
{
    count_ctx *sc = p;
    if (sc->fail)
        return;
    const window_mix *m = sc->m;
    const fc_series *s = m->w.s;
    const double *a = m->w.a;
    wcomp *c = sc->c;
    int nf = m->w.nf, n = c->nn;
    if (n >= sc->cap) {
        sc->cap = sc->cap ? 2 * sc->cap : 64;
        c->nw = xrealloc(c->nw, sizeof(double) * (size_t)sc->cap);
        c->off = xrealloc(c->off, sizeof(size_t) * (size_t)sc->cap);
        c->len = xrealloc(c->len, sizeof(int) * (size_t)sc->cap);
        c->org = xrealloc(c->org, sizeof(double) * (size_t)sc->cap);
        c->step = xrealloc(c->step, sizeof(double) * (size_t)sc->cap);
        c->amass = xrealloc(c->amass, sizeof(double) * (size_t)sc->cap);
        c->aside = xrealloc(c->aside, (size_t)sc->cap);
    }
    double sd = sc->sd, mu[64], va = 0;
    int anylo = 0, anyhi = 0;
    for (int h = 0; h < nf; h++) {
        mu[h] = b0 + b1 * (m->tf[h] - sc->f->tc);
        if (!(a[h] > 0))
            continue;
        va += a[h] * a[h];
        anylo |= isfinite(s->lo) && ncdf((s->lo - mu[h]) / sd) > SUM_ATOM;
        anyhi |= isfinite(s->hi) && ncdf((mu[h] - s->hi) / sd) > SUM_ATOM;
    }
    if ((anylo && anyhi) || !(va > 0)) {
        sc->fail = 1; /* atoms at both bounds: mixed sums of them would be smeared */
        return;
    }
    int side = anyhi ? 1 : anylo ? -1 : 0;
    c->step[n] = sd * sqrt(va) / SUM_K;
    double org = m->w.c0, amass = side ? 1 : 0;
    int atom = side != 0;
    int tn = 1;
    if (pbuf_room(&sc->sum, 1) != 0) {
        sc->fail = 1;
        return;
    }
    sc->sum.v[0] = 1;
    for (int h = 0; h < nf; h++) {
        if (!(a[h] > 0))
            continue;
        double s0;
        int J;
        if (year_cells(sc, a[h], mu[h], sd, c->step[n], side, &s0, &J) != 0) {
            sc->fail = 1;
            return;
        }
        amass *= side > 0 ? ncdf((mu[h] - s->hi) / sd) : side < 0 ? ncdf((s->lo - mu[h]) / sd) : 1;
        size_t len = (size_t)tn + (size_t)J;
        if (len > MAX_TABLE || pbuf_room(&sc->tmp, len) != 0) {
            sc->fail = 1;
            return;
        }
        memset(sc->tmp.v, 0, sizeof(double) * len);
        window_convolve(sc->tmp.v, sc->sum.v, tn, sc->one.v, J + 1);
        pbuf swap = sc->sum;
        sc->sum = sc->tmp;
        sc->tmp = swap;
        tn = (int)len;
        org += s0;
        /* the ends holding less than TAIL are left out: the sum's spread
         * grows as the root of its years, its lattice as the years */
        int c0 = 0, c1 = 0;
        double q = sc->sum.v[0];
        while (c0 < tn - 1 && q < TAIL)
            q += sc->sum.v[++c0];
        q = sc->sum.v[tn - 1];
        while (tn - 1 - c1 > c0 && q < TAIL)
            q += sc->sum.v[tn - 1 - ++c1];
        if (c0)
            memmove(sc->sum.v, sc->sum.v + c0, sizeof(double) * (size_t)(tn - c0 - c1));
        tn -= c0 + c1;
        org += c0 * c->step[n];
        if ((side > 0 && c1) || (side < 0 && c0))
            atom = 0; /* the atom's end held less than TAIL */
    }
    if (!atom)
        amass = 0;
    /* the atom lies on the lattice's end point: the continuous part is the rest */
    double *end = side > 0 ? &sc->sum.v[tn - 1] : &sc->sum.v[0];
    if (atom)
        *end = *end > amass ? *end - amass : 0;
    double cum = 0, *t = tab_room(c, &sc->used, &sc->room, (size_t)tn);
    if (!t) {
        sc->fail = 1;
        return;
    }
    for (int k = 0; k < tn; k++) {
        cum += sc->sum.v[k];
        t[k] = cum;
    }
    c->nw[n] = w;
    c->off[n] = sc->used;
    c->len[n] = tn;
    c->org[n] = org;
    c->amass[n] = amass;
    c->aside[n] = (signed char)(atom ? side : 0);
    sc->used += (size_t)tn;
    c->nn++;
}

/*
 * A window sum, mean or ratio of values under a constant level or linear
 * trend whose years reach a bound (the paths clip them there): given the
 * parameters (nodes as normal_nodes') the years are independent, each term
 * a[h] x clip(year) is put on a lattice of SUM_K points per standard
 * deviation of the node's sum (each point the chance of its cell, the
 * bound's atom on its own point) and the terms convolved. The chance that
 * every year lies at the bound is kept apart, exactly. -1 when the
 * lattices would cost more than the npaths paths they spare.
 */
static int sum_nodes(const window_mix *m, const fc_fit *f, const double L[2][2], int npaths,
                     wcomp *c)
{
    if (!(f->sigma > 0) || f->df < 1 || !m->w.a)
        return -1;
    int two = L[1][1] > 0;
    /* the lattices' length does not depend on the node: their cost is
     * known first (the running sum's as cut at TAIL, some 8 sd each side,
     * where no bound narrows it) */
    double va = 0, vk = 0, work = 0, len = 1;
    for (int h = 0; h < m->w.nf; h++)
        va += m->w.a[h] > 0 ? m->w.a[h] * m->w.a[h] : 0;
    if (!(va > 0))
        return -1;
    for (int h = 0; h < m->w.nf; h++) {
        if (!(m->w.a[h] > 0))
            continue;
        double lh = 2 * SUM_R * SUM_K * m->w.a[h] / sqrt(va) + 2;
        work += len * lh;
        vk += m->w.a[h] * m->w.a[h];
        double cut = 2 * 8 * SUM_K * sqrt(vk / va) + 2;
        len = len + lh < cut ? len + lh : cut;
    }
    if (work * NS * NH * (two ? NH : 1) > (double)SUM_COST * npaths)
        return -1;
    double hx[NH], hw[NH], sx[NS], sw[NS];
    if (rule(0, NH, 0, hx, hw) != 0 || rule(1, NS, f->df / 2.0 - 1, sx, sw) != 0)
        return -1;
    count_ctx sc = {.m = m, .f = f, .c = c};
    for (int i = 0; i < NS && !sc.fail; i++) {
        double scl = sqrt(f->df / (2 * sx[i])); /* σ / σ̂ at χ² = 2 x */
        sc.sd = f->sigma * scl;
        coef_nodes(f, L, scl, sw[i], hx, hw, two, add_sum, &sc);
    }
    free(sc.one.v);
    free(sc.sum.v);
    free(sc.tmp.v);
    const fc_series *s = m->w.s;
    c->apos[0] = c->apos[1] = m->w.c0;
    for (int h = 0; h < m->w.nf; h++)
        if (m->w.a[h] > 0) {
            c->apos[0] += m->w.a[h] * s->lo;
            c->apos[1] += m->w.a[h] * s->hi;
        }
    c->kind = WC_SUM;
    return !sc.fail && c->nn > 0 ? 0 : -1;
}

/* P(figure <= x) (incl) or P(figure < x) at node n of a sum: its atom, and
 * its continuous part interpolated between the cells' upper edges (the
 * lattice's end at a bound: no continuous chance lies beyond it). */
static double sum_cdf(const wcomp *c, int n, double x, int incl)
{
    int L = c->len[n], side = c->aside[n];
    double o = c->org[n], d = c->step[n], r = 0;
    const double *C = c->tab + c->off[n];
    if (side && (incl ? x >= c->apos[side > 0] : x > c->apos[side > 0]))
        r = c->amass[n];
    double lo = side < 0 ? o : o - 0.5 * d, hi = side > 0 ? o + (L - 1) * d : o + (L - 0.5) * d;
    if (x <= lo)
        return r;
    if (x >= hi)
        return r + C[L - 1];
    int k = (int)floor((x - o) / d - 0.5);
    k = k < -1 ? -1 : k > L - 2 ? L - 2 : k;
    double xa = k < 0 ? lo : o + (k + 0.5) * d, xb = k + 1 >= L - 1 ? hi : o + (k + 1.5) * d;
    double ca = k < 0 ? 0 : C[k], cb = C[k + 1];
    return r + ca + (xb > xa ? (x - xa) / (xb - xa) * (cb - ca) : cb - ca);
}

/* ---------- the figure of one model ---------- */

/* P(count <= k) (incl) or P(count < k) from table i, k in events. */
static double table_cdf(const wcomp *c, size_t i, double k, int incl)
{
    k = incl ? floor(k + 1e-9) : ceil(k - 1e-9) - 1;
    if (c->len[i] < 0) {
        /* a count too spread out for a table: GSL's CDF at this count */
        if (k < 0)
            return 0;
        if (k >= 4e9)
            return 1;
        if (c->lastk[i] == k)
            return c->lastF[i];
        double mu = c->mu[i];
        c->lastk[i] = k;
        c->lastF[i] = c->nb_r > 0 ? gsl_cdf_negative_binomial_P((unsigned)k, c->nb_r / (c->nb_r + mu), c->nb_r)
                                  : gsl_cdf_poisson_P((unsigned)k, mu);
        return c->lastF[i];
    }
    k -= c->kmin[i];
    if (k < 0)
        return 0;
    if (k >= c->len[i])
        return 1;
    return c->tab[c->off[i] + (size_t)k];
}

/* The bounds' part of year h's P(V <= x) (incl) or P(V < x): 1 or 0 when
 * x lies at or beyond a bound (the same at every node and year), NAN when
 * the year's own CDF decides. */
static double bound_cdf(const fc_series *s, double x, int incl)
{
    if (incl ? x >= s->hi : x > s->hi)
        return 1;
    if (incl ? x < s->lo : x <= s->lo)
        return 0;
    return NAN;
}

/* P(V <= x) (incl) or P(V < x) for year h at node n, x within the bounds
 * (bound_cdf NAN). */
static inline double year_cdf(const window_mix *m, const wcomp *c, int n, int h, double x,
                              double lx, int incl)
{
    size_t i = (size_t)n * m->w.nf + h;
    if (c->kind == WC_NORMAL) {
        double z = (lx - c->loc[i]) * c->sd[n]; /* lx: log(x) for a log-normal */
        return z < -9 ? 0 : z > 9 ? 1 : 0.5 * erfc(-z * M_SQRT1_2);
    }
    return table_cdf(c, i, x / c->unit[h], incl);
}

/* P(every future year in the range from a to b), each end included or not
 * (a = -inf, b = +inf for no end). */
static double all_within(const window_mix *m, const wcomp *c, double a, int ain, double b, int bin)
{
    double r = 0;
    /* a log-normal's CDF is read at log(x): once here, not per node */
    double la = a, lb = b;
    if (c->kind == WC_NORMAL && c->lognormal) {
        la = a > 0 ? log(a) : -HUGE_VAL;
        lb = b > 0 ? log(b) : -HUGE_VAL;
    }
    /* an end beyond a bound: the same 1 or 0 at every node and year */
    double hb = isinf(b) ? 1 : bound_cdf(m->w.s, b, bin), ab = isinf(a) ? 0 : bound_cdf(m->w.s, a, !ain);
    for (int n = 0; n < c->nn; n++) {
        double p = c->nw[n];
        for (int h = 0; h < m->w.nf && p > 0; h++) {
            double hi = isnan(hb) ? year_cdf(m, c, n, h, b, lb, bin) : hb;
            double lo = isnan(ab) ? year_cdf(m, c, n, h, a, la, !ain) : ab;
            p *= hi > lo ? hi - lo : 0;
        }
        r += p;
    }
    return r;
}

/* The figure is the largest year (else the smallest). */
static int figure_is_max(const window_spec *w)
{
    return w->agg == AGG_WINDOW_MAX ||
           (w->agg == AGG_EVERY_YEAR && !(w->op == OP_GE || w->op == OP_GT));
}

/* P(figure <= x) (incl) or P(figure < x) of one model, observed years included. */
static double comp_cdf(const window_mix *m, const wcomp *c, double x, int incl)
{
    const window_obs *wo = &m->wo;
    if (c->kind == WC_PATHS) {
        int a = 0, b = c->nfig; /* the first figure above x (at or above when !incl) */
        while (a < b) {
            int mid = a + (b - a) / 2;
            if (incl ? c->fig[mid] <= x : c->fig[mid] < x)
                a = mid + 1;
            else
                b = mid;
        }
        return c->nfig ? (double)a / c->nfig : 0;
    }
    if (c->kind == WC_STUDENT) {
        double z = (x - c->tloc) / c->tsd;
        return c->tdf > 0 ? gsl_cdf_tdist_P(z, c->tdf) : gsl_cdf_ugaussian_P(z);
    }
    if (c->kind == WC_SUM) {
        double r = 0;
        for (int n = 0; n < c->nn; n++)
            r += c->nw[n] * sum_cdf(c, n, x, incl);
        return r;
    }
    if (c->kind == WC_LATTICE && c->total) {
        double r = 0;
        for (int n = 0; n < c->nn; n++)
            r += c->nw[n] * table_cdf(c, (size_t)n * m->w.nf, (x - c->base) / c->unit[0], incl);
        return r;
    }
    if (figure_is_max(&m->w)) {
        if (wo->n && (incl ? wo->max > x : wo->max >= x))
            return 0;
        return all_within(m, c, -HUGE_VAL, 0, x, incl);
    }
    if (wo->n && (incl ? wo->min <= x : wo->min < x))
        return 1;
    return 1 - all_within(m, c, x, !incl, HUGE_VAL, 0);
}

/* P(met) of one model, judged as the paths judge each figure (target_compare). */
static double comp_prob(const window_mix *m, const wcomp *c)
{
    if (c->kind == WC_PATHS)
        return c->pmet;
    double g = m->w.goal, e = tol(g);
    if (m->w.agg == AGG_EVERY_YEAR) {
        if (m->wo.every_fail)
            return 0;
        switch (m->w.op) {
        case OP_LE: return all_within(m, c, -HUGE_VAL, 0, g + e, 1);
        case OP_LT: return all_within(m, c, -HUGE_VAL, 0, g - e, 0);
        case OP_GE: return all_within(m, c, g - e, 1, HUGE_VAL, 0);
        case OP_GT: return all_within(m, c, g + e, 0, HUGE_VAL, 0);
        case OP_EQ:
            return g == 100 ? all_within(m, c, 100 - e, 1, HUGE_VAL, 0)
                            : all_within(m, c, g - e, 1, g + e, 1);
        case OP_ZERO: return all_within(m, c, -e, 1, e, 1);
        default: return 0;
        }
    }
    switch (m->w.op) {
    case OP_LE: return comp_cdf(m, c, g + e, 1);
    case OP_LT: return comp_cdf(m, c, g - e, 0);
    case OP_GE: return 1 - comp_cdf(m, c, g - e, 0);
    case OP_GT: return 1 - comp_cdf(m, c, g + e, 1);
    case OP_EQ:
        return g == 100 ? 1 - comp_cdf(m, c, 100 - e, 0)
                        : comp_cdf(m, c, g + e, 1) - comp_cdf(m, c, g - e, 0);
    case OP_ZERO: return comp_cdf(m, c, e, 1) - comp_cdf(m, c, -e, 0);
    default: return 0;
    }
}

int window_mix_exact(window_mix *m, double w, const fc_fit *f, const double L[2][2], int npaths)
{
    const window_spec *ws = &m->w;
    if (m->k >= FM_NMODELS || ws->nf < 1 || ws->s->kind == FK_STOCK)
        return -1;
    int order = ws->agg == AGG_WINDOW_MAX || ws->agg == AGG_WINDOW_MIN || ws->agg == AGG_EVERY_YEAR;
    /* sums of values: the closed form or window_mix_student, or, clipped
     * at their bounds, sum_nodes */
    int sum = !order && !fc_model_is_count(f->model);
    if (sum && f->model != FM_MEAN && f->model != FM_LINEAR)
        return -1;
    wcomp *c = &m->c[m->k];
    memset(c, 0, sizeof *c);
    int rc;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    switch (sum ? FM_NONE : f->model) {
    case FM_NONE: rc = sum_nodes(m, f, L, npaths, c); break;
    case FM_MEAN:
    case FM_LINEAR:
    case FM_LOGLINEAR: rc = normal_nodes(m, f, L, c); break;
    case FM_POISSON_MEAN:
    case FM_POISSON:
    case FM_NEGBIN_MEAN:
    case FM_NEGBIN:
    case FM_BINOMIAL_MEAN:
    case FM_BINOMIAL: rc = count_nodes(m, f, L, c); break;
    default: rc = -1; /* a random walk's or damped trend's years depend on each other */
    }
    gsl_set_error_handler(old);
    if (rc != 0) {
        comp_free(c);
        memset(c, 0, sizeof *c);
        return -1;
    }
    c->w = w;
    m->k++;
    return 0;
}

/* The next component of m, cleared, of this kind and weight; NULL when m
 * already holds one per model. */
static wcomp *mix_push(window_mix *m, int kind, double w)
{
    if (m->k >= FM_NMODELS)
        return NULL;
    wcomp *c = &m->c[m->k++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->w = w;
    return c;
}

void window_mix_student(window_mix *m, double w, double loc, double sd, double df)
{
    wcomp *c = mix_push(m, WC_STUDENT, w);
    if (!c)
        return;
    c->tloc = loc;
    c->tsd = sd;
    c->tdf = df;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * fig[0..n) into out[0..n), ascending (fig finite; -0 before +0, which
 * comp_cdf's comparisons do not tell apart): a radix sort of the values'
 * bits, 8 a pass, skipping the passes in which every value has the same
 * byte (the sign and exponent of figures of one size). glibc's qsort took
 * some 120 instructions a figure (callgrind, 20 synthetic regions).
 */
static void sort_figures(const double *fig, int n, double *out)
{
    uint64_t *a = xmalloc(sizeof(uint64_t) * 2 * (size_t)(n > 0 ? n : 1)), *b = a + n;
    size_t cnt[8][256];
    memset(cnt, 0, sizeof cnt);
    for (int i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &fig[i], sizeof u);
        u = u >> 63 ? ~u : u | (UINT64_C(1) << 63); /* in the values' order as unsigned */
        a[i] = u;
        /* the eight counts written out: as a loop, its overhead took most
         * of the sort */
        cnt[0][u & 255]++;
        cnt[1][(u >> 8) & 255]++;
        cnt[2][(u >> 16) & 255]++;
        cnt[3][(u >> 24) & 255]++;
        cnt[4][(u >> 32) & 255]++;
        cnt[5][(u >> 40) & 255]++;
        cnt[6][(u >> 48) & 255]++;
        cnt[7][u >> 56]++;
    }
    for (int d = 0; d < 8 && n > 0; d++) {
        if (cnt[d][(a[0] >> (8 * d)) & 255] == (size_t)n)
            continue;
        size_t pos = 0;
        for (int j = 0; j < 256; j++) {
            size_t k = cnt[d][j];
            cnt[d][j] = pos;
            pos += k;
        }
        for (int i = 0; i < n; i++)
            b[cnt[d][(a[i] >> (8 * d)) & 255]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    for (int i = 0; i < n; i++) {
        uint64_t u = a[i] >> 63 ? a[i] & ~(UINT64_C(1) << 63) : ~a[i];
        memcpy(&out[i], &u, sizeof u);
    }
    free(a < b ? a : b);
}

void window_mix_paths(window_mix *m, double w, const double *fig, int n, int met, int npaths)
{
    wcomp *c = mix_push(m, WC_PATHS, w);
    if (!c)
        return;
    c->fig = xmalloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    sort_figures(fig, n, c->fig);
    c->nfig = n;
    c->pmet = npaths > 0 ? (double)met / npaths : 0;
}

/* ---------- the mixture ---------- */

double window_mix_prob(const window_mix *m)
{
    double r = 0, sw = 0;
    for (int i = 0; i < m->k; i++) {
        r += m->c[i].w * comp_prob(m, &m->c[i]);
        sw += m->c[i].w;
    }
    r = sw > 0 ? r / sw : NAN;
    return r < 0 ? 0 : r > 1 ? 1 : r;
}

static double mix_cdf(const window_mix *m, double x)
{
    double r = 0, sw = 0;
    for (int i = 0; i < m->k; i++) {
        r += m->c[i].w * comp_cdf(m, &m->c[i], x, 1);
        sw += m->c[i].w;
    }
    return r / sw;
}

/* Counts only: the figure takes the values of the years' lattices, the
 * observed extremes and the bounds. */
static int all_lattice(const window_mix *m)
{
    for (int i = 0; i < m->k; i++)
        if (m->c[i].kind != WC_LATTICE)
            return 0;
    return m->k > 0;
}

/* The smallest value in (a, b] where the figure can jump, with F >= q;
 * b - a is below every lattice's step, so each lattice has at most one. */
static double lattice_pick(const window_mix *m, double a, double b, double q)
{
    double cand[64 * FM_NMODELS + 4];
    int nc = 0;
    for (int i = 0; i < m->k; i++)
        for (int h = 0; h < m->c[i].nlat; h++) {
            double u = m->c[i].unit[h], c0 = m->c[i].base;
            double v = c0 + floor((b - c0) / u + 1e-9) * u;
            if (v > a && v <= b)
                cand[nc++] = v;
        }
    double extra[4] = {m->wo.min, m->wo.max, m->w.s->lo, m->w.s->hi};
    for (int j = 0; j < 4; j++)
        if ((j >= 2 || m->wo.n) && extra[j] > a && extra[j] <= b)
            cand[nc++] = extra[j];
    qsort(cand, (size_t)nc, sizeof(double), cmp_double);
    for (int j = 0; j < nc; j++)
        if (mix_cdf(m, cand[j]) >= q)
            return cand[j];
    return b;
}

/* The figure's CDF where it has been worked out: every quantile starts
 * from the closest points known on either side. */
typedef struct cdf_cache {
    const window_mix *m;
    int n;
    double x[256], F[256];
} cdf_cache;

static double cached_cdf(cdf_cache *cc, double x)
{
    double F = mix_cdf(cc->m, x);
    if (cc->n < 256) {
        cc->x[cc->n] = x;
        cc->F[cc->n++] = F;
    }
    return F;
}

/* The tightest known [a, b] with F(a) < q <= F(b); 0, or -1 if a side is unknown. */
static int known_bracket(const cdf_cache *cc, double q, double *a, double *fa, double *b, double *fb)
{
    int ia = -1, ib = -1;
    for (int i = 0; i < cc->n; i++) {
        if (cc->F[i] < q && (ia < 0 || cc->x[i] > cc->x[ia]))
            ia = i;
        if (cc->F[i] >= q && (ib < 0 || cc->x[i] < cc->x[ib]))
            ib = i;
    }
    if (ia >= 0) {
        *a = cc->x[ia];
        *fa = cc->F[ia];
    }
    if (ib >= 0) {
        *b = cc->x[ib];
        *fb = cc->F[ib];
    }
    return ia >= 0 && ib >= 0 ? 0 : -1;
}

/*
 * The q-quantile (smallest x with F(x) >= q) within [a, b] where F(a) < q
 * <= F(b): Illinois steps for a continuous figure, bisection to below the
 * lattices' step and then the jump itself for counts.
 */
static double solve(cdf_cache *cc, double q, double a, double b, double fa, double fb, int lattice,
                    double xtol)
{
    const window_mix *m = cc->m;
    double step = HUGE_VAL;
    if (lattice)
        for (int i = 0; i < m->k; i++)
            for (int h = 0; h < m->c[i].nlat; h++)
                step = m->c[i].unit[h] < step ? m->c[i].unit[h] : step;
    fa -= q;
    fb -= q;
    int side = 0;
    for (int it = 0; it < 200; it++) {
        if (lattice ? b - a < step * 0.999 : b - a <= xtol)
            break;
        double x = !lattice && fb > fa ? b - fb * (b - a) / (fb - fa) : (a + b) / 2;
        if (!(x > a && x < b) || it % 8 == 7)
            x = (a + b) / 2;
        fc_illinois(x, cached_cdf(cc, x) - q, &a, &fa, &b, &fb, &side);
    }
    if (lattice)
        return lattice_pick(m, a, b, q);
    /* a jump at an observed extreme, a bound or a sum's every year at a
     * bound: the value itself */
    double atom[4 + 2 * FM_NMODELS] = {m->wo.min, m->wo.max, m->w.s->lo, m->w.s->hi};
    int na = 4;
    for (int i = 0; i < m->k; i++)
        if (m->c[i].kind == WC_SUM) {
            atom[na++] = m->c[i].apos[0];
            atom[na++] = m->c[i].apos[1];
        }
    for (int j = 0; j < na; j++)
        if ((j >= 2 || m->wo.n) && atom[j] > a && atom[j] < b && mix_cdf(m, atom[j]) >= q)
            return atom[j];
    return b;
}

void window_mix_quantiles(const window_mix *m, const double *qs, int nq, double lo, double hi,
                          double *out)
{
    const fc_series *s = m->w.s;
    int lattice = all_lattice(m);
    if (!(hi > lo)) {
        double c = isfinite(lo) ? lo : 0;
        lo = c - 1;
        hi = c + 1;
    }
    double width = hi - lo, xtol = 1e-5 * width;
    cdf_cache cc;
    cc.m = m;
    cc.n = 0;
    cached_cdf(&cc, lo);
    cached_cdf(&cc, hi);
    for (int i = 0; i < nq; i++) {
        double q = qs[i], a = lo, b = hi, fa = cc.F[0], fb = cc.F[1];
        known_bracket(&cc, q, &a, &fa, &b, &fb);
        /* widen until F(a) < q <= F(b): the bounds end the search */
        for (double d = width; fb < q && b < s->hi; d *= 2) {
            b = b + d < s->hi ? b + d : s->hi;
            fb = cached_cdf(&cc, b);
        }
        for (double d = width; fa >= q && a > s->lo; d *= 2) {
            a = a - d > s->lo ? a - d : s->lo;
            fa = cached_cdf(&cc, a);
        }
        known_bracket(&cc, q, &a, &fa, &b, &fb);
        if (fa >= q)
            out[i] = a; /* at the lower bound */
        else if (fb < q)
            out[i] = b;
        else
            out[i] = solve(&cc, q, a, b, fa, fb, lattice, xtol);
        if (i > 0 && out[i] < out[i - 1])
            out[i] = out[i - 1];
    }
}
