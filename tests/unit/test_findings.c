/*
 * Unit tests for the findings (src/findings.c): seriousness, rank and
 * wording on the hand-made cases of tests/unit/plans/plan_findings.yaml,
 * judged by hand in the comments there. Run from the repository root (the
 * words come from templates/findings.yaml).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings.h"
#include "util.h"

#include "plan_fixture.h"

typedef struct fixture {
    plan_fixture pf;
    labels lb;
    findings f;
} fixture;

static fixture *load(stage st, int year)
{
    fixture *f = calloc(1, sizeof *f);
    plan_fixture *pf = &f->pf;
    plan_fixture_load(pf, "plan_findings.yaml", st, year);
    assert_int_equal(labels_load(&f->lb, "templates/labels.yaml", &pf->d), 0);
    /* no forecasts: outlooks of targets not yet due come from progress so far */
    int rc = findings_build(&f->f, &pf->ev, &pf->ec, &f->lb, NULL, "templates", NULL, &pf->d);
    diag_print(&pf->d, stderr);
    assert_int_equal(rc, 0);
    assert_int_equal(diag_errors(&pf->d), 0);
    return f;
}

static int setup_final(void **state)
{
    *state = load(STAGE_FINAL, 2025);
    return 0;
}

static int setup_midterm(void **state)
{
    *state = load(STAGE_MIDTERM, 2023);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    findings_free(&f->f);
    labels_free(&f->lb);
    plan_fixture_free(&f->pf);
    free(f);
    return 0;
}

/* The finding of target k of indicator id. */
static const finding *fd(const fixture *f, const char *id, int k)
{
    for (int i = 0; i < f->f.n; i++)
        if (strcmp(f->f.items[i].ind->id, id) == 0 && f->f.items[i].ti == k)
            return &f->f.items[i];
    fail_msg("no finding for %s target %d", id, k);
    return NULL;
}

static void assert_has(const char *text, const char *part)
{
    if (!text || !strstr(text, part))
        fail_msg("'%s' does not contain '%s'", text ? text : "(null)", part);
}

static void assert_lacks(const char *text, const char *part)
{
    if (text && strstr(text, part))
        fail_msg("'%s' contains '%s'", text, part);
}

/* Binding final miss first; then final misses by relative gap; the interim
 * miss whose final target is met after them all. */
static void test_rank_order(void **state)
{
    fixture *f = *state;
    const finding *f1 = fd(f, "F1", 0), *f2 = fd(f, "F2", 0), *f3 = fd(f, "F3", 0);
    const finding *f4 = fd(f, "F4", 0), *f5 = fd(f, "F5", 0);
    assert_int_equal(f1->sev, SEV_RED_FLAG);
    assert_int_equal(f1->rank, 1);
    assert_ptr_equal(f->f.ranked[0], f1);
    assert_int_equal(f2->sev, SEV_MAJOR);
    assert_int_equal(f3->sev, SEV_MAJOR);
    /* F5 (rel. gap 0.6) before F2 (0.33) before F3 (0.05) */
    assert_true(f5->rank < f2->rank);
    assert_true(f2->rank < f3->rank);
    assert_int_equal(f4->sev, SEV_NOTE);
    assert_int_equal(f4->superseded, 2025);
    for (int i = 0; i < f->f.nranked; i++)
        if (f->f.ranked[i]->sev < SEV_NOTE)
            assert_true(f->f.ranked[i]->rank < f4->rank);
    /* the final target of F4 is met and needs no attention */
    assert_int_equal(fd(f, "F4", 1)->rank, 0);
    assert_int_equal(fd(f, "F4", 1)->sev, SEV_NONE);
}

/* Gaps of percentages in 个百分点; counts whole, rounded up. */
static void test_gap_wording(void **state)
{
    fixture *f = *state;
    assert_has(fd(f, "F5", 0)->gap, "30.0个百分点");
    assert_lacks(fd(f, "F5", 0)->gap, "%");
    assert_has(fd(f, "F2", 0)->gap, "1人");    /* 2 - 1.5 = 0.5 person: one more */
    assert_lacks(fd(f, "F2", 0)->gap, "0.5");
    assert_has(fd(f, "F3", 0)->gap, "1人");    /* 0.1 person: still one */
}

/* Final stage: 整改 and the next plan; no department: 责任部门待明确, grammatical. */
static void test_final_actions(void **state)
{
    fixture *f = *state;
    const finding *f1 = fd(f, "F1", 0), *f2 = fd(f, "F2", 0);
    assert_has(f1->action, "由县应急管理局负责");
    assert_has(f1->action, "十五五");
    assert_has(f1->action, "2026年");
    assert_lacks(f1->action, "年度工作计划");
    assert_has(f2->action, "责任部门待明确");
    assert_lacks(f2->action, "要");
    assert_has(f2->dept, "责任部门待明确");
    assert_has(f1->problem, "甲死亡人数");
    /* an interim miss superseded by the final target gets a note, not 整改 */
    assert_has(fd(f, "F4", 0)->note, "2025年目标已经达到");
}

/*
 * Wordings that must agree with the figures beside them (the reviews of
 * 2026-12-07): a target met late is a late completion, not a gap; a strict
 * target met with equality has no "0.0" gap; an interim miss whose final
 * target is missed too carries no second demand; a mean of a count is short
 * by a mean; veto: false is no 一票否决; no change is not "仅下降0%".
 */
static void test_late_strict_merged_mean(void **state)
{
    fixture *f = *state;
    const finding *c1 = fd(f, "C1", 0);
    assert_int_equal(c1->caught_up, 2025);
    assert_int_equal(c1->sev, SEV_NOTE);
    assert_has(c1->gap, "2025年为80.0%，已达到目标");
    assert_has(c1->action, "总结未按期达标的原因");
    assert_lacks(c1->action, "须将");
    const finding *l1 = fd(f, "L1", 0);
    assert_has(l1->gap, "恰与目标值持平");
    assert_lacks(l1->gap, "0.0");
    assert_has(l1->action, "高于20%");
    assert_lacks(l1->action, "0.0");
    const finding *g0 = fd(f, "G1", 0), *g1 = fd(f, "G1", 1);
    assert_int_equal(g0->merged, 2025);
    assert_has(g0->action, "并入2025年目标");
    assert_lacks(g0->action, "须将");
    assert_has(g1->action, "须将");
    const finding *w1 = fd(f, "W1", 0);
    assert_has(w1->gap, "年均0.20人"); /* the indicator's precision, 2 here */
    assert_has(w1->action, "年均0.20人");
    assert_lacks(w1->action, "降低1人");
    const finding *v1 = fd(f, "V1", 0);
    assert_int_equal(v1->veto, 0);
    assert_true(v1->sev != SEV_RED_FLAG);
    assert_has(f->f.overall, "未触及");
    const finding *d1 = fd(f, "D1", 0);
    assert_has(d1->gap, "距下降10%的目标还差1人");
    assert_lacks(d1->gap, "仅下降");
    /* the review of the change: a strict bound on a mean, a ceiling missed
     * once, an increase that fell */
    const finding *w2 = fd(f, "W2", 0);
    assert_has(w2->gap, "恰与目标值持平");
    assert_lacks(w2->gap, "0.00");
    assert_lacks(w2->action, "0.00");
    const finding *c2 = fd(f, "C2", 0);
    assert_int_equal(c2->caught_up, 0);
    assert_int_equal(c2->sev, SEV_MAJOR);
    assert_lacks(c2->gap, "已达到目标");
    assert_has(fd(f, "I1", 0)->gap, "不升反降60%");
    assert_int_equal(fd(f, "G2", 0)->merged, 2025); /* both due and missed at the end */
    /* whole counts: a limit of 1.5人 is 1人; > 2人 is reached at 3 */
    assert_has(fd(f, "F2", 0)->action, "1人以内");
    assert_lacks(fd(f, "F2", 0)->action, "1.5");
    assert_has(fd(f, "K1", 0)->action, "达到3人");
}

/* Mid-term 2023: an interim target not yet due keeps its own action. */
static void test_midterm_not_merged(void **state)
{
    fixture *f = *state;
    const finding *g2 = fd(f, "G2", 0);
    assert_int_equal(g2->tr->status, V_NOT_YET_DUE);
    assert_int_equal(g2->merged, 0);
    assert_lacks(g2->action, "并入");
    assert_int_equal(fd(f, "G1", 0)->merged, 2025); /* 2023: due and missed */
}

/* 逾期 only after the due year: M3 (2024) is overdue, M4 (2025) is not. */
static void test_overdue(void **state)
{
    fixture *f = *state;
    assert_int_equal(fd(f, "M3", 0)->overdue, 1);
    assert_has(fd(f, "M3", 0)->problem, "已逾期");
    assert_int_equal(fd(f, "M5", 0)->overdue, 0);
    assert_lacks(fd(f, "M5", 0)->problem, "逾期");
    assert_has(fd(f, "M5", 0)->problem, "2025年底前完成");
}

/* Every problem has an action; the overall sentence names the cutoff year. */
static void test_problems_and_overall(void **state)
{
    fixture *f = *state;
    assert_true(f->f.nproblems > 0);
    for (int i = 0; i < f->f.nproblems; i++) {
        assert_non_null(f->f.problems[i]->action);
        assert_lacks(f->f.problems[i]->action, "{");
        assert_lacks(f->f.problems[i]->problem, "{");
    }
    assert_has(f->f.overall, "截至2025年");
    assert_has(f->f.overall, "约束性目标1个");
}

/* Mid-term 2023: the interim wording, the cutoff at the evaluation year. */
static void test_midterm(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->f.data_cutoff, 2023);
    assert_has(f->f.overall, "截至2023年");
    /* F4: 2023 missed, 2025 on course so far (2 <= 2): a note, worded as
     * not yet reached (not "已达到") */
    const finding *f4 = fd(f, "F4", 0);
    assert_int_equal(f4->ol, OL_OFF_TRACK);
    assert_int_equal(f4->sev, SEV_NOTE);
    assert_lacks(f4->note, "已经达到");
    assert_lacks(f4->action, "已达到");
    /* F1: not yet due, off course: the interim wording */
    const finding *f1 = fd(f, "F1", 0);
    assert_int_equal(f1->ol, OL_AT_RISK);
    assert_has(f1->action, "2024年度工作计划");
    assert_lacks(f1->action, "十五五");
    /* F6: due 2022 and missed: a deadline not in the past */
    const finding *f6 = fd(f, "F6", 0);
    assert_int_equal(f6->ol, OL_OFF_TRACK);
    assert_has(f6->action, "2024年底前");
    assert_lacks(f6->action, "2022年底前");
}

static void test_reader_text(void **state)
{
    (void)state;
    char *s = reader_text("县城常住人口（L77）；按10天（见P4e说明）计，L240写明");
    assert_string_equal(s, "县城常住人口；按10天计，规划第240行写明");
    free(s);
    s = reader_text("均在24小时内（events.csv）；（含GDP）");
    assert_string_equal(s, "均在24小时内；（含GDP）");
    free(s);
}

/*
 * A milestone's outlook follows its chance of completion by its year, not
 * its status word (issue 11, point 4): O5, O6 and O7 of plan_outlook.yaml
 * are all 推进中, O5 on a record of early 2021, O6 and O7 as of 2023-12-31
 * with 7 and 1 years left: on track, at risk, unlikely, each with its
 * chance stated in the findings' words.
 */
static void test_milestone_outlook(void **state)
{
    (void)state;
    plan_fixture pf;
    memset(&pf, 0, sizeof pf);
    plan_fixture_load(&pf, "plan_outlook.yaml", STAGE_MIDTERM, 2023);
    labels lb;
    assert_int_equal(labels_load(&lb, "templates/labels.yaml", &pf.d), 0);
    forecast_set fs;
    assert_int_equal(forecast_plan(&pf.ev, &pf.ec, NULL, &lb, &fs), 0);
    fixture f;
    memset(&f, 0, sizeof f);
    int rc = findings_build(&f.f, &pf.ev, &pf.ec, &lb, &fs, "templates", NULL, &pf.d);
    diag_print(&pf.d, stderr);
    assert_int_equal(rc, 0);
    const char *ids[] = {"O5", "O6", "O7"};
    const outlook want[] = {OL_ON_TRACK, OL_AT_RISK, OL_UNLIKELY};
    const double p[] = {0.8348, 0.5894, 0.1730};
    const char *pct[] = {"约83.5%", "约58.9%", "约17.3%"};
    for (int k = 0; k < 3; k++) {
        const finding *it = fd(&f, ids[k], 0);
        assert_string_equal(it->tr->record->status, "推进中");
        assert_true(it->fc && it->fc->has_prob);
        if (fabs(it->fc->prob - p[k]) > 1e-3)
            fail_msg("%s: P = %.4f, not %.4f", ids[k], it->fc->prob, p[k]);
        if (it->ol != want[k])
            fail_msg("%s (P %.3f): outlook %s, not %s", ids[k], it->fc->prob,
                     outlook_name(it->ol), outlook_name(want[k]));
        assert_has(it->chance, pct[k]);
    }
    /* the at-risk and unlikely ones say so with their chance; the on-track one has no problem */
    assert_null(fd(&f, "O5", 0)->problem);
    assert_has(fd(&f, "O6", 0)->problem, "约58.9%，存在不能按期完成的风险");
    assert_has(fd(&f, "O7", 0)->problem, "约17.3%，难以按期完成");
    /* done: met, no chance stated */
    assert_int_equal(fd(&f, "O1", 0)->ol, OL_MET);
    assert_null(fd(&f, "O1", 0)->chance);
    findings_free(&f.f);
    forecast_set_free(&fs);
    labels_free(&lb);
    plan_fixture_free(&pf);
}

/* The error of d at file:line whose message holds part, or a failure. */
static void assert_diag_at(const diag_list *d, const char *file, int line, const char *part)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].level == DIAG_ERROR && d->items[i].file &&
            strstr(d->items[i].file, file) && d->items[i].line == line &&
            strstr(d->items[i].msg, part))
            return;
    diag_print(d, stderr);
    fail_msg("no error at %s:%d with '%s'", file, line, part);
}

/*
 * findings.yaml's milestone settings are checked against what they mean:
 * the thresholds are probabilities in order, and every on_track_statuses
 * word is one of the data dictionary's milestone_statuses.
 */
static void test_milestone_settings(void **state)
{
    fixture *f = *state;
    char dir[] = "/tmp/planeval-findings.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/findings.yaml", dir);
    FILE *in = fopen("templates/findings.yaml", "r"), *out = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[4096];
    int n = 0, l_risk = 0, l_status = 0, in_list = 0;
    while (fgets(line, sizeof line, in)) {
        n++;
        if (strstr(line, "    at_risk: 0.5")) {
            strcpy(line, "    at_risk: 0.9\n"); /* above on_track's 0.8 */
            l_risk = n;
        } else if (strstr(line, "  on_track_statuses:")) {
            in_list = 1;
        } else if (in_list && strstr(line, "    - ")) {
            strcpy(line, "    - 进行中\n"); /* no such status */
            l_status = n;
            in_list = 0;
        }
        fputs(line, out);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    assert_true(l_risk > 0 && l_status > 0);
    findings bad;
    diag_list d = {0};
    assert_int_equal(findings_build(&bad, &f->pf.ev, &f->pf.ec, &f->lb, NULL, dir, NULL, &d), -1);
    assert_diag_at(&d, "findings.yaml", l_risk, "at_risk (0.9) is above on_track (0.8)");
    assert_diag_at(&d, "findings.yaml", l_status,
                   "on_track_statuses: '进行中' is not one of the data dictionary's");
    findings_free(&bad);
    diag_free(&d);
    remove(path);
    rmdir(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rank_order, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_gap_wording, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_final_actions, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_late_strict_merged_mean, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_overdue, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_problems_and_overall, setup_final, teardown),
        cmocka_unit_test_setup_teardown(test_midterm, setup_midterm, teardown),
        cmocka_unit_test_setup_teardown(test_midterm_not_merged, setup_midterm, teardown),
        cmocka_unit_test(test_reader_text),
        cmocka_unit_test(test_milestone_outlook),
        cmocka_unit_test_setup_teardown(test_milestone_settings, setup_final, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
