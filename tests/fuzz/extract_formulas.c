/*
 * extract_formulas.c - print every formula text of the given YAML files,
 * one per line (line breaks inside a formula become spaces): the values of
 * the keys formula, numerator, denominator, scale, value and exclude_when,
 * wherever they are. Seeds for fuzz_formula (see mkseeds.sh).
 *
 *     extract_formulas indicators/catalogue.yaml indicators/qinan-2021-2025.yaml
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "yamldoc.h"

static const char *const keys[] = {"formula", "numerator", "denominator", "scale",
                                   "value", "exclude_when", NULL};

static int is_formula_key(const char *k)
{
    for (const char *const *p = keys; *p; p++)
        if (strcmp(*p, k) == 0)
            return 1;
    return 0;
}

static void print_line(const char *s)
{
    for (; *s; s++)
        putchar(*s == '\n' || *s == '\r' ? ' ' : *s);
    putchar('\n');
}

static void walk(ydoc *y, ynode *n)
{
    if (ynode_is_map(n)) {
        for (size_t i = 0; i < ymap_len(n); i++) {
            const char *k = ynode_str(ymap_key(y, n, i));
            ynode *v = ymap_value(y, n, i);
            if (k && is_formula_key(k) && ynode_is_scalar(v))
                print_line(ynode_str(v));
            else
                walk(y, v);
        }
    } else if (ynode_is_seq(n)) {
        for (size_t i = 0; i < yseq_len(n); i++)
            walk(y, yseq_at(y, n, i));
    }
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        diag_list d = {0};
        ydoc y;
        if (ydoc_load(&y, argv[i], &d) == 0)
            walk(&y, ydoc_root(&y));
        else
            rc = 1;
        diag_print(&d, stderr);
        diag_free(&d);
        ydoc_free(&y);
    }
    return rc;
}
