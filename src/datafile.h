/*
 * datafile.h - one table file of a region (data/<region>/<table>.csv) as
 * editable text: the cells a data-collection workbook shows and fills.
 *
 * A cell is addressed by year, variable and, for a `rows` table, the values
 * of the table's dimensions (a "combination"). Cells keep the text they were
 * written with; only the cells set here change, and a row that does not
 * exist yet is inserted after the last row of its year or of an earlier
 * year. Writing gives UTF-8 with the file's line ends; a file that had a
 * BOM or was GB18030 is written as UTF-8 with a BOM (Excel on Chinese
 * Windows then still opens it right).
 *
 * Only the layouts yearly, rows and long are editable (not events).
 */
#ifndef PLANEVAL_DATAFILE_H
#define PLANEVAL_DATAFILE_H

#include <stdio.h>

#include "csvfile.h"
#include "dataset.h"

typedef struct datafile {
    const dictionary *dict;
    int table;        /* index into dict->tables */
    char *path;
    int exists;       /* the file was there */
    int bom, crlf;    /* how it is written back */
    int nrows, ncols; /* rows[0] is the header */
    char ***rows;     /* rows[i][j], owned */
    size_t rows_cap;
    int *lines;       /* source line of each row (0 for an inserted row) */
    int year_col, var_col, value_col; /* -1 when absent (var/value: long only) */
    int *dim_col;     /* per dimension of the table */
    int changed;
} datafile;

/* Load dir/<file of table>. Returns 0, or -1 with a message in err. A
 * missing file is empty (header from the dictionary), not an error. */
int datafile_load(datafile *f, const dictionary *dict, int table, const char *dir, char *err,
                  size_t errsize);
void datafile_free(datafile *f);

/* The text of a cell ("" when missing); *row is its row or -1. */
const char *datafile_get(const datafile *f, int year, int var, const char *const *dims, int *row);
/* Set a cell (inserting its row when needed); -1 with err if the file has
 * no column for var. */
int datafile_set(datafile *f, int year, int var, const char *const *dims, const char *text,
                 char *err, size_t errsize);

/* Distinct dimension combinations in file order: returns the count; *out
 * holds count * ndims borrowed strings (free the array only). */
int datafile_combinations(const datafile *f, const char ***out);

/* Write the file's text to out. Returns 0 or -1 (write error). */
int datafile_write(const datafile *f, FILE *out);

#endif
