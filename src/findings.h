/*
 * findings.h - what an evaluation found, decided once and worded once.
 *
 * Between the assessment (assess.h) and forecasts (forecast.h) on one side
 * and every renderer on the other (brief, report, workbook, assessment.csv
 * and through it the comparison). For each target there is one finding:
 * its outlook (what a leader reads: 已达标, 进展顺利, 存在风险, 难以达标,
 * 未达标, ...), how serious it is, the figures behind it as text, the
 * problem and the action in the words of templates/findings.yaml, the
 * department, and the doubts that travel with the figure. The findings
 * needing attention are ranked once, most serious first; renderers take
 * this one structure and word nothing themselves.
 *
 * Seriousness follows what an evaluation office weighs (docs/templates.md,
 * "Findings"): 一票否决 events first, then binding (约束性) targets before
 * expected ones, the plan's final-year targets before interim ones (an
 * interim miss whose final target is met is a note, not a headline), the
 * size of the gap relative to the target, and the trend.
 */
#ifndef PLANEVAL_FINDINGS_H
#define PLANEVAL_FINDINGS_H

#include "assess.h"
#include "forecast.h"
#include "labels.h"
#include "report_tpl.h"
#include "util.h"

typedef enum outlook {
    OL_MET,          /* due and met (or met early) */
    OL_ON_TRACK,     /* not due; forecast or progress says it will be met */
    OL_AT_RISK,      /* not due; it may well not be met */
    OL_UNLIKELY,     /* not due; it will most likely not be met (or cannot be any more) */
    OL_OFF_TRACK,    /* due and not met */
    OL_INSUFFICIENT, /* data missing */
    OL_NA,           /* not applicable */
    OL_COUNT
} outlook;

/* Seriousness tiers, most serious first. */
typedef enum severity {
    SEV_RED_FLAG,  /* 一票否决, or a binding final target missed or unlikely */
    SEV_MAJOR,     /* a final target missed or unlikely; a milestone overdue */
    SEV_RISK,      /* a final target at risk; a milestone behind schedule */
    SEV_NOTE,      /* an interim target missed whose final target is met; data gaps */
    SEV_NONE,      /* met, on track, not applicable */
    SEV_COUNT
} severity;

typedef struct finding {
    int ii, ti;                  /* indicator and target index in the evaluation */
    const indicator *ind;
    const indicator_result *ir;
    const target_result *tr;
    const fc_target *fc;         /* NULL without forecasts */
    outlook ol;
    severity sev;
    int rank;                    /* 1 = most serious; 0 when it needs no attention */
    int type_rank;               /* position of the indicator's type in words.types */
    int binding;                 /* type_rank 0 (约束性) */
    int veto;                    /* its indicator is a 一票否决 red flag */
    int final;                   /* the indicator's last target (its final-year target) */
    int superseded;              /* interim miss whose final target is met or on track: its year */
    int superseded_met;          /* ... and that final target is met (not only on track) */
    int merged;                  /* interim miss whose final target needs attention too:
                                    that target's year (its action covers both) */
    double rel_gap;              /* gap relative to the target, 0..1 (0: none or unknown) */
    int worsening;               /* latest year moved away from the target */
    int caught_up;               /* due and missed in its year, met in the latest year
                                    since: that year (0: not so) */
    int holds;                   /* not due, and the figure so far already meets the
                                    target: only its forecast puts it at risk, so
                                    there is no gap, and the action is to hold it */
    int small_count;             /* judged on a count under 10: wide uncertainty */
    int late;                    /* a milestone done, but after its year */
    int overdue;                 /* a milestone past its year and not done */
    /* texts, owned by the findings */
    const char *dept;            /* departments joined, or words.no_department */
    const char *target;          /* the target with its unit */
    const char *target_nu;       /* the same without unit, for table cells */
    const char *base;            /* the baseline of a decrease/increase target, or NULL */
    const char *baseline_value;  /* its figure (a mean of counts with the decimals it needs) */
    const char *figure;          /* the figure judged, with year/window and unit */
    const char *current;         /* the figure only, or value_missing */
    const char *gap;             /* how far the target is missed, or NULL */
    const char *count_note;      /* "据2025年1个计算，基数小…" when small_count, or NULL */
    const char *veto_years;      /* "2023年1起" for veto indicators, or NULL */
    const char *missing;         /* years without data, "2022、2023年", or NULL */
    const char *as_of;           /* milestones: date of the latest record */
    const char *done_date;       /* milestones: first done date */
    const char *chance;          /* a milestone not yet due: its chance of completion in
                                    words (words.milestone_chance_text), or NULL */
    const char *outlook_word;    /* 未达标 ... */
    const char *reason;          /* progress and forecast disagree: why this outlook, or NULL */
    const char *doubt;           /* the plan's interpretation doubt, worded, or NULL */
    const char *problem;         /* the problem statement, or NULL when none */
    const char *action;          /* the countermeasure, or NULL */
    const char *note;            /* why it is only a note (superseded), or NULL */
} finding;

typedef struct findings {
    const evaluation *ev;
    finding *items;              /* one per target, in plan order */
    int n;
    int *first;                  /* per indicator: the index of its first target's finding */
    finding **ranked;            /* those needing attention (rank > 0), most serious first */
    int nranked;
    finding **problems;          /* those with a problem text, in rank order, veto once */
    int nproblems;
    int data_cutoff;             /* last data year this evaluation used */
    const char *overall;         /* one sentence a leader can repeat */
    const char *provenance;      /* illustrative data statement, or NULL */
    char **types;                /* words.types */
    char **type_names;           /* how readers see each (words.type_names: 未注 → 未标注) */
    int ntypes;
    rtpl *words;                 /* templates/findings.yaml */
    strpool pool;                /* every text above */
} findings;

/*
 * Build the findings of ev. fs may be NULL (no forecasts). templates_dir
 * holds findings.yaml, loaded through tc (may be NULL: report_tpl.h).
 * Returns 0, or -1 with errors in d (a missing or bad template, an
 * unfilled placeholder); *f must be freed in both cases.
 */
int findings_build(findings *f, const evaluation *ev, const eval_context *ec,
                   const labels *lb, const forecast_set *fs, const char *templates_dir,
                   struct rtpl_cache *tc, diag_list *d);
void findings_free(findings *f);

/* The name readers see for an indicator attribute (type): words.type_names, else type. */
const char *findings_type_name(const findings *f, const char *type);

/* Check templates_dir/findings.yaml alone (planeval check). */
int findings_check_templates(const char *templates_dir, diag_list *d);

/*
 * Everything a renderer draws from, in one argument: the evaluation, its
 * context, the forecasts (may be NULL), the changes since the previous run
 * (may be NULL) and the findings.
 */
typedef struct outcome {
    const evaluation *ev;
    const eval_context *ec;
    const labels *lb;
    const forecast_set *fs;
    struct change_list *changes;
    const findings *f;
    const char *templates_dir;
    /* SHA-256 of the run's inputs.sha256 (manifest.h): what the program's
     * figures were computed from; NULL when there is none (planeval check) */
    const char *inputs_digest;
    /* assessment.csv as written for this outcome (rendered once, read by
     * the workbook), or NULL: the workbook renders it itself */
    const char *assessment_csv;
    size_t assessment_len;
    /* the fonts of the PDFs, kept from plan to plan (report_doc.h), or
     * NULL: the documents find and parse their own */
    struct rfonts_cache *fonts;
    /* the templates, read once per process (report_tpl.h), or NULL */
    struct rtpl_cache *templates;
    /* the workbook's wording, read once per process (labels.h), or NULL */
    struct labels_cache *wordings;
} outcome;

/* The finding of target ti of indicator ii (constant time). */
const finding *findings_of(const findings *f, int ii, int ti);

/* Numbers as every document prints them (allocated): fixed decimals
 * without "-0"; a percentage with one decimal and no trailing ".0". */
char *num_fixed(double v, int prec);
char *num_pct(double v);

/*
 * text for a reader: the plan-line references analysts write in notes
 * ("（L22）", "（见P4e说明）") dropped, a bare "L240" as 规划第240行.
 * Allocated; the caller frees it.
 */
char *reader_text(const char *text);

const char *outlook_name(outlook o);
int outlook_needs_attention(outlook o);
const char *severity_name(severity s);

#endif
