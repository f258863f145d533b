/*
 * lazyfc.h - fontconfig, loaded when a font is first looked up by family.
 *
 * The PDFs need fontconfig only to find a face named by family (fonts.body
 * / fonts.heading in report.yaml); the shipped templates name the Debian
 * font files, and then no run asks it anything. Linked in, libfontconfig
 * and what it pulls in (FreeType, two brotli libraries) were mapped and
 * relocated at the start of every process. lazyfc.c defines each
 * fontconfig function planeval calls; the first call loads
 * libfontconfig.so.1 and each function's own address (as lazycairo.c does
 * for Cairo, which loads the same library when chart files are drawn).
 */
#ifndef PLANEVAL_LAZYFC_H
#define PLANEVAL_LAZYFC_H

#include "diag.h"

/* Load fontconfig now (before the first look-up): 0, or -1 with the
 * reason added to d. Later calls return at once. */
int lazyfc_open(diag_list *d);

#endif
