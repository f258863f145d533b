/*
 * diag.h - a list of problems found while loading or checking, each with
 * the place it was found: file, line and column (1-based; 0 when unknown),
 * or an indicator id and year.
 *
 * Loaders keep going after an error so that `planeval check` can list every
 * problem at once; callers decide to stop by asking diag_errors().
 */
#ifndef PLANEVAL_DIAG_H
#define PLANEVAL_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum diag_level { DIAG_ERROR, DIAG_WARNING } diag_level;

typedef struct diag {
    diag_level level;
    char *file; /* path as given, or NULL */
    int line;   /* 1-based, 0 = unknown */
    int col;    /* 1-based, 0 = unknown */
    char *msg;
} diag;

typedef struct diag_list {
    diag *items;
    size_t n, cap;
} diag_list;

void diag_add(diag_list *l, diag_level lv, const char *file, int line, int col,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
size_t diag_errors(const diag_list *l);
size_t diag_warnings(const diag_list *l);
/* "file:line:col: error: msg" lines, in the order found. */
void diag_print(const diag_list *l, FILE *f);
/* The first error of l at index from or later, as "file:line:col: msg"
 * (cut to n bytes), into buf; returns 1, or 0 (buf "") if there is none. */
int diag_first_error(const diag_list *l, size_t from, char *buf, size_t n);
void diag_free(diag_list *l);

#endif
