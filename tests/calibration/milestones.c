/*
 * milestones.c - is a milestone's chance of completion calibrated?
 * (fc_milestone_prob, docs/methodology.md 6a; issue 11, point 4.)
 *
 * Plans of 4-15 milestones, each due in a year of the plan, are simulated:
 * every milestone is done at a random time, exponential with the plan's own
 * rate (from one in twenty years to one a year, log-uniform), times a
 * factor per item (Gamma with mean 1: none, CV 0.5 or CV 1, the last the
 * spread the model assumes). At the mid-term (end of the plan's third
 * year) the records are read as milestones.csv holds them: a status at
 * the end of every year (yearly reports), or only at the evaluation (one
 * date, as in the sample data). The items' records are taken as
 * forecast.c's plan_pace takes them, each item not yet done and not yet
 * due gets its chance, and the chance is compared with whether the item
 * was done by its year. Beside it, the chance an oracle would give, one
 * that knows the plan's rate and the items' spread (not each item's
 * factor): the best any model of the records could do.
 *
 *   calibrate_milestones [--long] [--table] [--shape K]
 *
 * Checks, per setting: the Brier score no worse than always predicting
 * the base rate; of the items given P >= 0.8, at least 75 % done; no bin
 * of P (fifths) of 100 items or more overconfident, its share done at
 * least its mean P - 0.05. Exits 1 when one fails. --table prints the
 * rows of docs/methodology.md 6a's table; --shape runs the model with
 * another shape k (the figures of other choices). Fixed seeds: the same
 * figures on every run.
 */
#include "forecast.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXM 15
#define EVAL 3 /* evaluation at the end of the plan's third year */
/* a record dated 31 December of the plan's year k (forecast.c years_since) */
#define DEC31(k) ((k) + 365 / 365.25)
#define BINS 5

typedef struct setting {
    const char *name;
    double cv;  /* of the per-item factor (0: every item at the plan's rate) */
    int yearly; /* records every year-end, else only at the evaluation */
} setting;

typedef struct tally {
    long n, n80, done80;
    double brier, sum_done, sum_p;
    long bin_n[BINS], bin_done[BINS];
    double bin_p[BINS];
} tally;

static void count(tally *t, double p, int hit)
{
    t->n++;
    t->brier += (p - hit) * (p - hit);
    t->sum_done += hit;
    t->sum_p += p;
    if (p >= 0.8) {
        t->n80++;
        t->done80 += hit;
    }
    int b = p >= 1 ? BINS - 1 : (int)(p * BINS);
    t->bin_n[b]++;
    t->bin_done[b] += hit;
    t->bin_p[b] += p;
}

/* The oracle's chance: the plan's rate and the spread known. */
static double oracle(const setting *s, double rate, double since, double until)
{
    if (s->cv <= 0)
        return -expm1(-rate * (until - since));
    double k = 1 / (s->cv * s->cv);
    return 1 - pow((k + rate * since) / (k + rate * until), k);
}

/* One item's record: done between its latest record not done (the
 * year-end before, with yearly records; none at all, with one record at
 * the evaluation) and its first 已完成 record; open at its latest record,
 * the evaluation. */
static fc_ms_item record_of(const setting *s, double done_at)
{
    fc_ms_item it = {DEC31(EVAL - 1), INFINITY};
    if (done_at > DEC31(EVAL - 1))
        return it;
    if (!s->yearly) {
        it.lo = 0;
        it.hi = DEC31(EVAL - 1);
        return it;
    }
    int y = (int)floor(done_at); /* its first year-end record after it was done */
    if (done_at > DEC31(y))
        y++;
    it.lo = y > 0 ? DEC31(y - 1) : 0;
    it.hi = DEC31(y);
    return it;
}

/* One plan: its items' completion times, their records, then each open
 * item's chance (the model's and the oracle's) against the truth. */
static void one_plan(gsl_rng *r, const setting *s, double shape, tally *t, tally *o)
{
    int len = gsl_rng_uniform(r) < 0.5 ? 5 : 10;
    int m = 4 + (int)gsl_rng_uniform_int(r, MAXM - 3);
    double rate = exp(gsl_ran_flat(r, log(0.05), log(1.0)));
    double done_at[MAXM];
    int due[MAXM];
    for (int i = 0; i < m; i++) {
        double f = s->cv > 0 ? gsl_ran_gamma(r, 1 / (s->cv * s->cv), s->cv * s->cv) : 1;
        done_at[i] = gsl_ran_exponential(r, 1 / (rate * f));
        due[i] = 1 + (int)gsl_rng_uniform_int(r, (unsigned long)len); /* due by the end of year due */
    }
    fc_ms_item items[MAXM];
    fc_ms_pace pace;
    memset(&pace, 0, sizeof pace);
    pace.item = items;
    pace.items = m;
    for (int i = 0; i < m; i++)
        items[i] = record_of(s, done_at[i]);
    fc_ms_fit(&pace, shape);
    for (int i = 0; i < m; i++) {
        if (done_at[i] <= DEC31(EVAL - 1) || due[i] <= EVAL)
            continue; /* done, or due: judged, not forecast */
        int hit = done_at[i] <= due[i];
        count(t, fc_milestone_prob(&pace, DEC31(EVAL - 1), due[i]), hit);
        count(o, oracle(s, rate, DEC31(EVAL - 1), due[i]), hit);
    }
}

/* "50,770" */
static const char *thousands(long n, char *buf, size_t size)
{
    if (n >= 1000)
        snprintf(buf, size, "%ld,%03ld", n / 1000, n % 1000);
    else
        snprintf(buf, size, "%ld", n);
    return buf;
}

static double share80(const tally *t)
{
    return t->n80 ? 100.0 * (double)t->done80 / (double)t->n80 : NAN;
}

/* The setting's figures as a row of docs/methodology.md 6a's table. */
static void table_row(const setting *s, const tally *t, const tally *o)
{
    char a[32], b[32], c[32];
    double base = t->sum_done / (double)t->n;
    printf("| %s | %s | %s", s->name, thousands(t->n, a, sizeof a), thousands(t->n80, b, sizeof b));
    if (t->n80)
        printf(", %.1f %%", share80(t));
    printf(" | %.3f (%.3f) | %s", t->brier / (double)t->n, base * (1 - base),
           thousands(o->n80, c, sizeof c));
    if (o->n80)
        printf(", %.1f %%", share80(o));
    printf("; %.3f |\n", o->brier / (double)o->n);
}

static void print_tally(const char *who, const tally *t)
{
    double base = t->sum_done / (double)t->n;
    printf("    %-6s mean P %.3f  done %.3f  Brier %.3f (base rate %.3f)  P>=0.8: ", who,
           t->sum_p / (double)t->n, base, t->brier / (double)t->n, base * (1 - base));
    if (t->n80)
        printf("%ld, %.1f %% done\n", t->n80, share80(t));
    else
        printf("none\n");
    printf("           by bin of P (mean P: share done, items):");
    for (int b = 0; b < BINS; b++)
        if (t->bin_n[b])
            printf("  %.2f: %.2f (%ld)", t->bin_p[b] / (double)t->bin_n[b],
                   (double)t->bin_done[b] / (double)t->bin_n[b], t->bin_n[b]);
    printf("\n");
}

/* The checks of the header; why, when one fails. */
static const char *check(const tally *t)
{
    double base = t->sum_done / (double)t->n;
    if (t->brier / (double)t->n > base * (1 - base))
        return "Brier worse than the base rate";
    if (t->n80 && (double)t->done80 < 0.75 * (double)t->n80)
        return "under 75 % of the items given P >= 0.8 done";
    for (int b = 0; b < BINS; b++)
        if (t->bin_n[b] >= 100 &&
            (double)t->bin_done[b] / (double)t->bin_n[b] < t->bin_p[b] / (double)t->bin_n[b] - 0.05)
            return "a bin of P overconfident by more than 0.05";
    return NULL;
}

/* 1 passed, 0 failed. */
static int run_setting(gsl_rng *r, const setting *s, double shape, int nplans, int table)
{
    tally t, o;
    memset(&t, 0, sizeof t);
    memset(&o, 0, sizeof o);
    for (int k = 0; k < nplans; k++)
        one_plan(r, s, shape, &t, &o);
    const char *why = check(&t);
    if (table) {
        table_row(s, &t, &o);
        return !why;
    }
    printf("%-36s items %6ld  %s\n", s->name, t.n, why ? why : "ok");
    print_tally("model", &t);
    print_tally("oracle", &o);
    return !why;
}

static int usage(void)
{
    fprintf(stderr, "usage: calibrate_milestones [--long] [--table] [--shape K]\n");
    return 2;
}

int main(int argc, char **argv)
{
    int nplans = 20000, table = 0;
    double shape = FC_MS_SHAPE;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--long") == 0)
            nplans = 200000;
        else if (strcmp(argv[a], "--table") == 0)
            table = 1;
        else if (strcmp(argv[a], "--shape") == 0 && a + 1 < argc) {
            char *end;
            shape = strtod(argv[++a], &end);
            if (*end || !(shape > 0))
                return usage();
        } else
            return usage();
    }
    static const setting settings[] = {
        {"one rate, yearly records", 0, 1},
        {"one rate, records at evaluation", 0, 0},
        {"items vary (CV 0.5), yearly", 0.5, 1},
        {"items vary (CV 0.5), at evaluation", 0.5, 0},
        {"items vary (CV 1), yearly", 1, 1},
        {"items vary (CV 1), at evaluation", 1, 0},
    };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        fprintf(stderr, "calibrate_milestones: out of memory\n");
        return 2;
    }
    if (table)
        printf("| setting | items | P ≥ 0.8: items, share done | Brier (base rate) | rates known: "
               "P ≥ 0.8; Brier |\n|---|---|---|---|---|\n");
    int fails = 0;
    for (size_t k = 0; k < sizeof settings / sizeof settings[0]; k++) {
        gsl_rng_set(r, 20261206 + k);
        fails += !run_setting(r, &settings[k], shape, nplans, table);
    }
    gsl_rng_free(r);
    printf("milestone chances (items' rates a gamma of shape %g): %d of %zu settings failed\n",
           shape, fails, sizeof settings / sizeof settings[0]);
    return fails ? 1 : 0;
}
