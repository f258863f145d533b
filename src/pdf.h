/*
 * pdf.h - the two PDF reports of an evaluation:
 *
 *   out/<plan-id>/brief.pdf   领导简报: A4, at most 4 pages (templates/brief.yaml)
 *   out/<plan-id>/report.pdf  评估报告: cover, contents, the plan's own
 *                             structure, comparison with the previous
 *                             period, problems, appendices (templates/report.yaml)
 *
 * Every word comes from the templates (docs/templates.md); the C sources
 * hold no Chinese. Charts are those of charts.h, drawn as vector graphics
 * straight onto the pages through a libharu canvas (canvas.h): the
 * report's at their print size, the brief's smaller; no chart file is
 * needed. Forecasts (forecast.h) are shown when given.
 *
 * Fonts: embedded TrueType (a Ming face for text, a Hei face for headings),
 * see report_doc.h. The bytes depend only on the inputs: the document date
 * is SOURCE_DATE_EPOCH when set, else 31 December of the evaluation year.
 */
#ifndef PLANEVAL_PDF_H
#define PLANEVAL_PDF_H

#include "findings.h"
#include "outset.h"

/* Rendering times of the last pdf_write_reports(), in seconds. */
typedef struct pdf_stats {
    double brief_seconds, report_seconds;
    int brief_pages, report_pages;
} pdf_stats;

/* 1 if templates_dir holds brief.yaml and report.yaml. */
int pdf_templates_present(const char *templates_dir);

/*
 * Write brief.pdf and report.pdf of the outcome oc into out (temporary
 * files until outset_commit()): the findings say what to write, the
 * templates in oc->templates_dir how to lay it out. oc->changes (NULL:
 * none) feed the section of kind `changes`. stats may be NULL.
 * Returns 0, or -1 with errors in d (abort the out_set then).
 */
int pdf_write_reports(out_set *out, const outcome *oc, pdf_stats *stats, diag_list *d);

/*
 * Lay out both documents without writing them (planeval check): a template
 * text whose placeholder has no value, a missing key or font is reported
 * as in a run. Returns 0, or -1 with errors in d.
 */
int pdf_check_reports(const outcome *oc, diag_list *d);

/*
 * Open into fc the fonts that the templates of templates_dir ask for, as
 * the first document would: for workers forked after this, which then
 * find them open instead of each parsing them again. The templates are
 * read through tc (NULL: from their files). Says nothing: a template or
 * font that fails is found again, and reported, by the documents.
 */
void pdf_fonts_preload(struct rfonts_cache *fc, struct rtpl_cache *tc, const char *templates_dir);

#endif
