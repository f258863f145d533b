/*
 * xlsxread.h - read the cells of an .xlsx workbook (Office Open XML), as
 * Excel, WPS, LibreOffice, openpyxl or libxlsxwriter save it, with minizip
 * (the zip container) and expat (the XML parts).
 *
 * What is read: the sheets in workbook order (name, hidden or not), each
 * cell's value as text with its type (a number, a shared or inline string, a
 * formula's cached value, a boolean, an error), whether it holds a formula,
 * whether its number format is a percentage, and the merged ranges.
 *
 * Safety: entry names that are absolute, contain "..", a backslash or a
 * drive letter are refused before anything is read; the uncompressed size
 * of the entries read is bounded (XLSX_MAX_BYTES, counted while inflating:
 * declared sizes may lie), as is the number of entries and of cells; a
 * document type declaration (entity expansion) is refused; CRC errors are
 * errors. Every error message names the entry, or the sheet and cell.
 */
#ifndef PLANEVAL_XLSXREAD_H
#define PLANEVAL_XLSXREAD_H

#include <stddef.h>

#define XLSX_MAX_BYTES ((size_t)32 * 1024 * 1024) /* all entries read, uncompressed */
#define XLSX_MAX_ENTRIES 4096
#define XLSX_MAX_CELLS 2000000

typedef enum xlsx_type { XC_NUMBER, XC_STRING, XC_BOOL, XC_ERROR } xlsx_type;

typedef struct xlsx_cell {
    int row, col;  /* 1-based */
    xlsx_type type;
    char *text;    /* the value as written: a number's digits, a string's UTF-8 */
    int formula;   /* the cell holds a formula (text is its cached value) */
    int percent;   /* its number format shows a percentage (0.85 displayed 85%) */
} xlsx_cell;

typedef struct xlsx_range {
    int r1, c1, r2, c2;
} xlsx_range;

typedef struct xlsx_sheet {
    char *name;
    int hidden;
    xlsx_cell *cells; /* sorted by row, then column */
    size_t ncells, cap;
    xlsx_range *merges;
    size_t nmerges, mcap;
} xlsx_sheet;

typedef struct xlsx_book {
    xlsx_sheet *sheets;
    int nsheets;
} xlsx_book;

/* Read path. Returns 0, or -1 with a located message in err and *b empty. */
int xlsx_read(const char *path, xlsx_book *b, char *err, size_t errsize);
void xlsx_free(xlsx_book *b);

/* The sheet named name, or NULL. */
const xlsx_sheet *xlsx_sheet_named(const xlsx_book *b, const char *name);
/* The cell at row, col, or NULL when it is empty. */
const xlsx_cell *xlsx_cell_at(const xlsx_sheet *s, int row, int col);
/* The merged range covering row, col, or NULL. */
const xlsx_range *xlsx_merge_at(const xlsx_sheet *s, int row, int col);
/* "C7" for row 7, col 3 (buf of 16 bytes). */
char *xlsx_cell_name(int row, int col, char *buf);

#endif
