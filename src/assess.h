/*
 * assess.h - judging every target of a plan: the evaluation stage and
 * year, each indicator's yearly series, and per target a verdict with the
 * numbers behind it.
 */
#ifndef PLANEVAL_ASSESS_H
#define PLANEVAL_ASSESS_H

#include "compute.h"

typedef enum stage { STAGE_AUTO, STAGE_ANNUAL, STAGE_MIDTERM, STAGE_FINAL } stage;

typedef enum verdict {
    V_MET,            /* 达标 */
    V_NOT_MET,        /* 未达标 */
    V_NOT_YET_DUE,    /* 未到期: due after the evaluation year */
    V_INSUFFICIENT,   /* 数据不足 */
    V_NOT_APPLICABLE  /* 不适用: no events, zero denominator */
} verdict;

typedef struct target_result {
    const target *t;
    int due;                /* target year <= evaluation year */
    int assessed_year;      /* target year if due, else the evaluation year */
    int window[2];          /* years aggregated */
    fvalue current;         /* the figure compared with the target */
    int has_baseline;
    fvalue baseline;        /* B for decrease / increase */
    int baseline_given;     /* B is the plan's own figure */
    int zero_baseline;      /* B == 0: read as "keep at zero" */
    int has_change;
    double change_pct;      /* reduction (decrease) or growth (increase), percent */
    int has_limit;
    double limit;           /* the threshold the current figure must respect */
    verdict status;
    int progress;           /* not yet due: 1 on course so far, 0 not, -1 unknown */
    const char *count_unit; /* unit of the count behind the figure (dictionary's), or NULL */
    fvalue count;           /* that count in the assessed year or window */
    const char *total_unit; /* a share's denominator when it is a count too, or NULL */
    fvalue total;           /* that denominator over the same years (4 起 fires) */
    char *missing_years;    /* "2023 2024" or NULL */
    char *excluded_years;
    char *failing_years;    /* every_year: years that did not hold */
    char *detail;           /* how the verdict was reached, in words */
    /* each: a target over every member of a set (每个乡镇) */
    int nmembers;           /* members judged (not counting the not applicable) */
    int nmembers_met;
    char *member;           /* the member whose figure current/limit are: the worst */
    char *failing_members;  /* "荆家镇、唐山镇", or NULL */
    char *missing_members;  /* members without data, or NULL */
    /* milestones and qualitative items */
    const milestone_record *record;
} target_result;

typedef struct indicator_result {
    const indicator *ind;
    int first_year, nyears;  /* series years [first_year, first_year + nyears) */
    year_value *years;
    target_result *targets;
    int ntargets;
} indicator_result;

typedef struct evaluation {
    const plan *p;
    stage stage;
    int eval_year;
    int data_first_year, data_last_year;
    indicator_result *inds;
    int ninds;
    diag_list warnings;      /* owned: data gaps and doubts found while judging */
} evaluation;

/*
 * Evaluate plan p on region data r. year 0 means: from the stage and the
 * plan period. Returns 0, or -1 with an error in d (e.g. no data at all).
 */
int evaluate_plan(evaluation *ev, const eval_context *ec, stage st, int year, diag_list *d);
void evaluation_free(evaluation *ev);

/*
 * 1 if value v satisfies a comparison target (<=, <, >=, >, ==, zero) with
 * goal, with a tolerance of 1e-9 relative for figures computed in binary
 * from targets written in decimal. Forecasts judge with the same rule.
 */
int target_compare(target_op op, double v, double goal);

const char *stage_name(stage s);
const char *verdict_name(verdict v);
/* Value of an indicator result in year, or FV_MISSING outside the series. */
year_value result_year(const indicator_result *ir, int year);

#endif
