/*
 * skeleton.h - `planeval new`: a commented plan file for a new county,
 * written from the catalogue, so that an analyst starts by deleting and
 * filling in rather than by reading every page of docs/indicator-yaml.md.
 */
#ifndef PLANEVAL_SKELETON_H
#define PLANEVAL_SKELETON_H

#include <stdio.h>

#include "diag.h"
#include "plan.h"

/*
 * Write the skeleton of plan <region>-<first>-<last> to f: the plan keys to
 * fill in, and every catalogue indicator as a commented entry with its usual
 * target forms. In the indicators section a line "  # " is YAML to keep
 * (remove the "# "), a line "  ## " an explanation or an alternative form.
 */
void skeleton_write(FILE *f, const catalogue *cat, const char *region, int first, int last);

/*
 * Write the skeleton to dir/<region>-<first>-<last>.yaml, never replacing a
 * file that is there. Returns 0, or -1 with an error in d.
 */
int skeleton_create(const char *dir, const catalogue *cat, const char *region, int first,
                    int last, diag_list *d);

#endif
