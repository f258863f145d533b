/*
 * xlsxxml.h - the workbooks' XML tags (xlsxxml.c): it defines
 * libxlsxwriter's xmlwriter functions (declared in <xlsxwriter/xmlwriter.h>)
 * and keeps the attributes of written tags for reuse.
 */
#ifndef XLSXXML_H
#define XLSXXML_H

/* Frees the attributes kept for reuse (xlsxzip.c's zipClose calls it when a
 * workbook is written; more tags after it simply allocate again). */
void xlsx_xml_release(void);

#endif
