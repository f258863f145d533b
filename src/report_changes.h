/*
 * report_changes.h - the chapter 与上次评估相比的变化 of report.pdf: the
 * summary sentence and a table of every change with its reasons
 * (changes.h), worded by templates/changes.yaml. pdf.c draws the numbered
 * heading (section kind `changes` of report.yaml) and calls this.
 */
#ifndef PLANEVAL_REPORT_CHANGES_H
#define PLANEVAL_REPORT_CHANGES_H

#include "changes.h"
#include "diag.h"
#include "report_doc.h"

/*
 * Draw the chapter's body into doc at the cursor. cl may be NULL or have
 * no wording (no changes.yaml): nothing is drawn. *table_no is the
 * document's table counter, raised by the table drawn.
 */
void report_changes_draw(rdoc *doc, change_list *cl, int *table_no, diag_list *d);

#endif
