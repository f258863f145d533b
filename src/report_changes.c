/* report_changes.c - see report_changes.h. */
#include "report_changes.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void report_changes_draw(rdoc *doc, change_list *cl, int *table_no, diag_list *d)
{
    if (!cl || !cl->words)
        return;
    /* the same sizes as the body text and tables of pdf.c */
    rstyle body = RST_BODY;
    body.indent_first = 2 * body.size;
    char *summary = changes_summary_text(cl, d);
    rdoc_para(doc, summary, &body);
    rdoc_space(doc, 3);
    free(summary);
    if (cl->first_run || cl->n == 0)
        return;

    tvars v;
    tv_init(&v, NULL);
    tv_setf(&v, "table_no", "%d", ++*table_no);
    char *caption = rtpl_expand(cl->words, "table_caption", &v, d);
    tv_free(&v);
    rstyle cap = RST_CAPTION;
    rdoc_heading(doc, caption, &cap, 0, 0, 40);
    free(caption);

    /* indicator, target, change, before, now, reasons */
    static const double share[CHANGES_NCOLS] = {0.22, 0.07, 0.10, 0.14, 0.14, 0.33};
    double widths[CHANGES_NCOLS];
    for (int c = 0; c < CHANGES_NCOLS; c++)
        widths[c] = share[c] * rdoc_content_width(doc);
    const char *header[CHANGES_NCOLS];
    for (int c = 0; c < CHANGES_NCOLS; c++)
        header[c] = changes_column(cl, c);
    rstyle st = RST_CELL;
    rstyle hs = RST_CELL_HEAD;
    rtable *t = rdoc_table_begin(doc, CHANGES_NCOLS, widths, header, &st, &hs);
    for (int i = 0; i < cl->n; i++) {
        char *texts[CHANGES_NCOLS];
        changes_cells(cl, i, texts, d);
        rcell row[CHANGES_NCOLS];
        for (int c = 0; c < CHANGES_NCOLS; c++)
            row[c] = rdoc_cell(texts[c], RA_LEFT);
        rdoc_table_row(t, row);
        for (int c = 0; c < CHANGES_NCOLS; c++)
            free(texts[c]);
    }
    rdoc_table_end(t);
    rdoc_space(doc, 6);
}
