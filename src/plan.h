/*
 * plan.h - the in-memory model of a plan: its indicators, their formulas,
 * parameters and targets; and the loaders for indicators/catalogue.yaml and
 * indicators/<plan>.yaml.
 *
 * Ownership: a catalogue owns its indicators and parameters; a plan owns
 * its own and borrows the catalogue's formulas (the catalogue must outlive
 * the plans loaded against it). Both share one symbol table of parameter
 * names, so that a formula's parameter references resolve by name at
 * evaluation time: indicator override, then plan, then catalogue default.
 */
#ifndef PLANEVAL_PLAN_H
#define PLANEVAL_PLAN_H

#include "dataset.h"
#include "diag.h"
#include "formula.h"

typedef enum ind_kind { IND_QUANTITATIVE, IND_MILESTONE, IND_QUALITATIVE } ind_kind;
typedef enum better_dir { BETTER_NONE, BETTER_LOWER, BETTER_HIGHER } better_dir;

typedef enum target_op {
    OP_LE, OP_LT, OP_GE, OP_GT, OP_EQ, OP_ZERO, OP_DECREASE, OP_INCREASE, OP_DONE, OP_ACHIEVED,
    OP_FALLING, OP_RISING /* 持续/逐年下降, 提高: every year of the window beyond the one before */
} target_op;

/* 1 for falling and rising: judged year on year, no value to compare with. */
#define OP_IS_TREND(op) ((op) == OP_FALLING || (op) == OP_RISING)

typedef enum aggregate {
    AGG_YEAR, AGG_EVERY_YEAR, AGG_WINDOW_MEAN, AGG_WINDOW_RATIO, AGG_WINDOW_SUM,
    AGG_WINDOW_MAX, AGG_WINDOW_MIN
} aggregate;

typedef enum baseline_reading { BASE_YEAR, BASE_PERIOD_MEAN, BASE_PERIOD_TOTAL } baseline_reading;

/* Special names a formula may use; their values come from the evaluation. */
typedef enum special_name {
    SP_YEAR, SP_PERIOD_START, SP_PERIOD_END, SP_WINDOW_START, SP_WINDOW_END,
    SP_BASELINE_START, SP_BASELINE_END, SP_COUNT
} special_name;

/* Where the plan text says something. */
typedef struct source_ref {
    char *section;
    int line; /* line in the plan's source text, 0 if not given */
    char *quote;
} source_ref;

/* A formula with its text and where it was written (for messages). */
typedef struct expr_def {
    char *text;
    formula *f;     /* NULL if absent or if it failed to parse */
    char *file;
    int line, col;  /* of the formula text's first character */
} expr_def;

typedef struct param_def {
    int sym;        /* index into symtab */
    char *unit;
    char *note;
    expr_def value;
} param_def;

typedef struct baseline_def {
    baseline_reading reading;
    int year;       /* BASE_YEAR */
    int period[2];  /* period readings; default the plan's baseline_period */
    int has_value;
    double value;   /* the figure the plan gives, used as B when present */
    source_ref source;
} baseline_def;

/*
 * Another place where the plan states the same target (`restated:`): its
 * line and words, and the figure it gives when that differs, so that one
 * target gets one verdict and a conflict is named beside it.
 */
typedef struct restatement {
    int line;      /* in the plan text; 0 when not given */
    char *quote;   /* the plan's words there (required) */
    int has_value;
    double value;  /* the figure stated there, when given */
} restatement;

/* A member's own figure under a target over every member (分别 400㎡ 和 40㎡). */
typedef struct member_goal {
    char *member;
    double value;
} member_goal;

typedef struct target {
    int year;
    int undated;         /* no `year:` in the plan: the period's end was taken */
    target_op op;
    int has_value;
    double value;
    int has_by;
    double by;           /* percent, decrease/increase */
    int has_amount;
    double amount;       /* decrease/increase by an absolute amount, in the indicator's unit */
    aggregate agg;
    int window[2];       /* resolved: explicit or [period start, year] */
    int explicit_window;
    expr_def exclude_when; /* .f == NULL when none */
    int has_baseline;
    baseline_def baseline;
    source_ref source;
    restatement *restated; /* other statements of this target (owned) */
    int nrestated;
    /* `each: DIM`: the target holds for every member of a dimension of the
     * data (每个乡镇), or for at least `share` percent of them. */
    char *each;          /* dimension name; NULL for a target on the whole */
    char *each_label;    /* its Chinese label in the dictionary (乡镇), else the name */
    int has_share;
    double share;        /* percent of members that must meet it; 100 when not given */
    member_goal *goals;  /* `values: {县级: 400, 乡级: 40}`: per-member figures (分别) */
    int ngoals;
    int line;            /* YAML line of the target */
} target;

typedef struct catalogue_indicator catalogue_indicator;

/*
 * An interpretation doubt recorded on an indicator (`doubt:` in the plan
 * YAML): what in the plan's wording is doubtful, which reading this
 * evaluation's verdict uses, and optionally what the other reading would
 * give. Owned by the indicator; freed with the plan.
 */
/*
 * What a quantity is (`forecast: {kind: ...}` in a plan or the catalogue),
 * for the shape of its forecast and a check against the data: a stock
 * (shelters built, teams formed) and a cumulative total never fall; a share
 * stays within 0-100 % (0-1000 per mille); a count is a whole number of
 * events (its formula one count variable); a value is anything else.
 */
typedef enum quantity_kind {
    QK_UNSET,
    QK_VALUE,
    QK_STOCK,
    QK_CUMULATIVE,
    QK_SHARE,
    QK_COUNT
} quantity_kind;

const char *quantity_kind_name(quantity_kind k);

typedef struct indicator_doubt {
    char *question;    /* what is doubtful (required) */
    char *reading;     /* the reading the verdict uses (required) */
    char *alternative; /* what the other reading would give; NULL if not given */
    int line;          /* YAML line where the `doubt:` mapping starts (its first key) */
} indicator_doubt;

typedef struct indicator {
    char *id;
    int line;                 /* YAML line of the definition */
    const catalogue_indicator *use; /* NULL when plan-local */
    char *name;
    ind_kind kind;
    char *unit;
    better_dir better;
    int precision;
    char *group;
    char *type;               /* 约束性 / 预期性 / 未注 */
    char **departments;
    int ndepartments;
    /* Formula: either formula, or numerator/denominator/scale. May point
     * into the catalogue (borrowed) or into own_* (owned). */
    const expr_def *formula;
    const expr_def *numerator, *denominator, *scale;
    expr_def own_formula, own_numerator, own_denominator, own_scale;
    param_def *params;        /* indicator-level overrides */
    int nparams;
    source_ref source;
    char *notes;
    const indicator_doubt *doubt; /* `doubt:`; NULL when absent (owned) */
    int veto;                 /* `veto:` 1 its events are 一票否决, 0 never, -1 not said
                                 (findings.c: a missed `zero` target or a catalogue id
                                 in words.veto_catalogue) */
    char *forecast_model;     /* `forecast: {model: NAME}`; NULL: chosen from the data */
    int forecast_stock;       /* a stock or cumulative total (quantity): never falls */
    quantity_kind quantity;   /* `forecast: {kind: ...}` here or in the catalogue entry */
    int quantity_line;        /* the YAML line that declares it (0: none) */
    const char *quantity_path;/* and its file (the plan's or the catalogue's) */
    target *targets;
    int ntargets;
} indicator;

struct catalogue_indicator {
    char *id;
    int line;
    char *name, *unit, *notes;
    better_dir better;
    int precision;
    quantity_kind quantity;   /* `forecast: {kind: ...}`: the default of the plans using it */
    int quantity_line;
    expr_def formula, numerator, denominator, scale;
};

/* Interned parameter names. */
typedef struct symtab {
    char **names;
    int n;
    size_t cap;
} symtab;

int symtab_intern(symtab *s, const char *name);
int symtab_find(const symtab *s, const char *name);
void symtab_free(symtab *s);

typedef struct catalogue {
    char *path;
    char sha256[65]; /* digest of the file's bytes as read */
    catalogue_indicator *inds;
    int ninds;
    param_def *params;
    int nparams;
} catalogue;

typedef struct group_def {
    char *id, *name, *part;
} group_def;

typedef struct plan {
    char *path;
    char sha256[65]; /* digest of the file's bytes as read */
    char *id, *title, *region, *region_name;
    int region_line, region_col; /* where `region:` is written, for messages */
    char *document, *source_file, *issuer, *issued, *notes;
    int period[2];
    int baseline_period[2];
    int midterm_year;
    param_def *params;
    int nparams;
    group_def *groups;
    int ngroups;
    indicator *inds;
    int ninds;
} plan;

/* Everything formulas are parsed against. */
typedef struct model_env {
    const dictionary *dict;
    symtab *syms;
    const catalogue *cat;
} model_env;

/* Load the catalogue; -1 if errors were reported. */
int catalogue_load(catalogue *cat, const char *path, const dictionary *dict, symtab *syms,
                   diag_list *d);
void catalogue_free(catalogue *cat);

/*
 * Load one plan file. Returns 0, or -1 if errors were reported (the plan is
 * then freed). Checks: required keys, unknown keys, duplicate ids, unknown
 * groups, formulas, parameter cycles, target forms.
 */
int plan_load(plan *p, const char *path, const model_env *env, diag_list *d);
void plan_free(plan *p);

/* Only reads the `plan: id:` of a file, for lookups; NULL if none (caller frees). */
char *plan_peek_id(const char *path);

const indicator *plan_find_indicator(const plan *p, const char *id);
/*
 * The parameter definition in force for sym in the scope of ind (may be
 * NULL): indicator override, then plan, then catalogue default.
 */
const param_def *plan_param(const plan *p, const catalogue *cat, const indicator *ind, int sym);

/*
 * The variables a plan's formulas read (formula, ratio parts, scale, a
 * target's exclude_when; through the parameters in force too), and for each the indicators that read it (index
 * into p->inds, in plan order): for data collection and the data review.
 */
typedef struct var_uses {
    int *used;  /* per dictionary variable: 1 when read */
    int **inds; /* per variable: the indicators reading it */
    int *ninds;
} var_uses;

void var_uses_build(var_uses *u, const plan *p, const catalogue *cat, const dictionary *dict);
void var_uses_free(var_uses *u, int nvars);

/* 1 if a plan/region id is safe as one path component: [A-Za-z0-9_-], 1..64. */
int safe_id(const char *s);

const char *op_name(target_op op);
const char *aggregate_name(aggregate a);
const char *reading_name(baseline_reading r);
const char *kind_name(ind_kind k);
const char *better_name(better_dir b);
extern const char *const special_names[SP_COUNT];

#endif
