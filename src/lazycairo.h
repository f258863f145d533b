/*
 * lazycairo.h - Cairo, loaded when a chart file is first drawn.
 *
 * Only the chart files for slides (--charts png/svg) use Cairo; the PDFs
 * draw their charts themselves. Linked in, libcairo and the 13 libraries
 * it pulls in (pixman, FreeType, libpng, X11 and xcb among them) were
 * mapped and relocated at the start of every run: 97 page faults and about
 * 5 ms of CPU per process on our virtual machines, a twentieth of a
 * one-region run. lazycairo.c defines each Cairo function planeval calls;
 * the first call loads libcairo.so.2 and each function's own address.
 */
#ifndef PLANEVAL_LAZYCAIRO_H
#define PLANEVAL_LAZYCAIRO_H

#include "diag.h"

/* Load Cairo now (before the first chart file): 0, or -1 with the
 * reason added to d. Later calls return at once. */
int lazycairo_open(diag_list *d);
/* Has Cairo been loaded in this process? */
int lazycairo_loaded(void);

#endif
