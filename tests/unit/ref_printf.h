/*
 * ref_printf.h - glibc's own formatting for the unit tests to compare
 * with: the program defines snprintf (src/xlsxnum.c) and writes some
 * formats itself, so the reference goes through vsnprintf.
 */
#ifndef REF_PRINTF_H
#define REF_PRINTF_H

#include <stdarg.h>
#include <stdio.h>

static int ref_snprintf(char *s, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(s, n, fmt, ap);
    va_end(ap);
    return r;
}

#endif
