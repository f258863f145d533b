/*
 * garwood_gen.c - writes the header of Garwood intervals for the counts 0
 * to GARWOOD_TABLE_N - 1 at both levels, each fc_garwood's own figure
 * (GSL's, at build time) as a hexadecimal literal, so exact to the bit:
 * a one-region run met some 60 distinct counts, each interval two
 * chi-square quantiles (~40,000 instructions each) before any memo had
 * it. Usage: garwood_gen OUT.
 */
#include "garwood.h"

#include <math.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: garwood_gen OUT\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fprintf(f, "/* made by tools/garwood_gen.c at build time: fc_garwood (GSL) of the\n"
               " * counts 0 to %d, {lo, hi} at %a then %a; do not edit */\n",
            GARWOOD_TABLE_N - 1, GARWOOD_CONF_80, GARWOOD_CONF_95);
    fprintf(f, "static const double garwood_table[%d][4] = {\n", GARWOOD_TABLE_N);
    for (int k = 0; k < GARWOOD_TABLE_N; k++) {
        double v[4];
        fc_garwood(k, GARWOOD_CONF_80, &v[0], &v[1]);
        fc_garwood(k, GARWOOD_CONF_95, &v[2], &v[3]);
        for (int j = 0; j < 4; j++)
            if (!isfinite(v[j])) {
                /* GSL's default handler aborts on its own errors; this is
                 * anything else a lookup must not stand for */
                fprintf(stderr, "garwood_gen: count %d: %g\n", k, v[j]);
                fclose(f);
                return 1;
            }
        fprintf(f, "    {%a, %a, %a, %a},\n", v[0], v[1], v[2], v[3]);
    }
    fprintf(f, "};\n");
    if (ferror(f) | fclose(f)) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
