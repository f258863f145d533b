/*
 * xlsxtmp.h - the workbooks' temporary files in memory (xlsxtmp.c): it
 * defines libxlsxwriter's lxw_tmpfile (declared in <xlsxwriter/utility.h>);
 * nothing else is called by name.
 */
#ifndef XLSXTMP_H
#define XLSXTMP_H

/* Bytes a temporary file holds in memory before it moves to a real file.
 * A regional workbook's largest part is about 214 KB; the comparison
 * workbook's sheets (constant_memory mode, 5 files open at once) pass it
 * at a few hundred regions and spill. */
#define XLSX_TMP_MEM_MAX (1u << 20)

#endif
