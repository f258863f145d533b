/*
 * results.h - the machine-readable results of one plan's evaluation:
 * series.csv (indicator x year), assessment.csv (indicator x target) and
 * warnings.csv, UTF-8 with a header row. docs/results.md lists the columns.
 */
#ifndef PLANEVAL_RESULTS_H
#define PLANEVAL_RESULTS_H

#include <stdio.h>

#include "assess.h"
#include "findings.h"
#include "forecast.h"
#include "labels.h"

void write_series_csv(FILE *f, const evaluation *ev, const eval_context *ec);
void write_assessment_csv(FILE *f, const evaluation *ev, const eval_context *ec,
                          const labels *lb);
/*
 * The same with the forecasts of fs (NULL: the forecast columns stay empty):
 * series.csv gains forecast rows (kind, model, lower/upper 80 and 95), and
 * assessment.csv the forecast, probability, progress measures, exact
 * interval, allowance and baseline sensitivity of each target.
 */
void write_series_csv_fc(FILE *f, const evaluation *ev, const eval_context *ec,
                         const forecast_set *fs);
void write_assessment_csv_fc(FILE *f, const evaluation *ev, const eval_context *ec,
                             const labels *lb, const forecast_set *fs);
/*
 * assessment.csv as written into out/<plan-id>/: the columns above and the
 * findings' (findings.h): outlook, outlook_zh, severity, rank, finding,
 * action, doubt, reason, worded as in the PDFs and the workbook.
 */
void write_assessment_csv_findings(FILE *f, const outcome *oc);
void write_warnings_csv(FILE *f, const diag_list *warnings);

/*
 * The `definition` column of assessment.csv: the first 16 hex digits of a
 * SHA-256 over what defines ind - kind, unit, direction, its formulas as
 * printed (references by name, spacing ignored), the value of every
 * parameter they use as in force for ind (recursively), and each target's
 * comparator, value, year, aggregate, window, exclude_when and baseline.
 * Data never enter it: it changes when the definition does, and only then.
 */
void indicator_definition(const eval_context *ec, const indicator *ind, char out[17]);

/* One CSV field, quoted when it needs to be. */
void csv_field(FILE *f, const char *s, int last);
/* A number as shortest round-trip text, or empty for non-OK values. */
void csv_value(FILE *f, fvalue v, int last);

#endif
