/*
 * workbook.h - the Excel workbook of one plan's evaluation, for analysts:
 * out/<plan-id>/<plan-id>.xlsx, written with libxlsxwriter in the same
 * out_set as the CSV results (docs/workbook.md describes every sheet).
 *
 * Sheets: 总览 (overview: every target in the findings' rank order, in the
 * findings' words, with counts by outlook), 指标 (assessment.csv as a
 * table whose figures and verdicts are formulas over 年度数据: live.h),
 * 年度数据 (indicator values by year, each an Excel formula over 原始数据
 * with the computed value cached), 原始数据 (every input series and
 * parameter by year), 图表数据 (observed series and target lines, live),
 * 预测（程序计算） (forecasts and the program's statistics, with the run's
 * inputs digest), 图表 (native line charts), 里程碑 (milestones and
 * qualitative items), 说明
 * (definitions, baselines, methods, data files, warnings), 变化 (changes
 * since the previous run, when templates/changes.yaml is present). Sheet
 * names and all Chinese wording come from templates/workbook.yaml.
 *
 * The same inputs give the same bytes: the creation date is
 * SOURCE_DATE_EPOCH when set, else 31 December of the evaluation year.
 */
#ifndef PLANEVAL_WORKBOOK_H
#define PLANEVAL_WORKBOOK_H

#include "findings.h"

/*
 * Write the workbook of one plan's outcome (findings.h: the evaluation, its
 * context, the forecasts, the changes and the findings) to path (a
 * temporary path from outset_path). The wording is read from
 * oc->templates_dir/workbook.yaml, the status words from oc->lb
 * (labels.yaml) and the findings' words from oc->f. 总览 lists the targets
 * in the findings' rank order with their words (figure, target, gap,
 * outlook, problem, action); oc->fs may be NULL: 预测 then shows the
 * observed series and target lines with a note. oc->changes (changes.h,
 * may be NULL) adds the sheet 变化 after 说明, worded by
 * templates/changes.yaml. Returns 0, or -1 with an error in d and no file
 * left at path.
 */
int workbook_write(const char *path, const outcome *oc, diag_list *d);

#endif
