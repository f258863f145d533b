/*
 * xlsxtmp.h - the workbooks' temporary files in memory (xlsxtmp.c): it
 * defines libxlsxwriter's lxw_tmpfile (declared in <xlsxwriter/utility.h>);
 * xlsxzip.c calls xlsx_tmp_release.
 */
#ifndef XLSXTMP_H
#define XLSXTMP_H

/* Bytes a temporary file holds in memory before it moves to a real file.
 * A regional workbook's largest part is about 214 KB; the comparison
 * workbook's sheets (constant_memory mode, 5 files open at once) pass it
 * at a few hundred regions and spill. */
#define XLSX_TMP_MEM_MAX (1u << 20)

/* Frees the buffer kept for the next temporary file (xlsxtmp.c); called
 * when a workbook's zip file is closed (xlsxzip.c), its parts all read. */
void xlsx_tmp_release(void);

#endif
