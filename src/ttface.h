/* ttface.h - a face of a TrueType collection parsed as libharu parses it. */
#ifndef TTFACE_H
#define TTFACE_H

#include <stddef.h>
#include <hpdf.h>

/*
 * Face index of the collection open as fd (n bytes) as
 * HPDF_TTFontDef_Load2(mm, stream, index, HPDF_TRUE) (libharu 2.3.0)
 * defines it, field for field, with the tables read in bulk. stream reads
 * the same file; on success the definition owns it (as Load2's does), and
 * libharu reads the glyph headers of 'H' and 'x' through it, as Load2
 * does. NULL, with stream still the caller's, in two cases:
 *  - *why NULL: a face whose head, maxp and hhea tables cannot be read (not
 *    a collection, no such face, a file cut short there, an error already
 *    set): the caller then asks libharu, whose answer, or error, is then
 *    the one given (it stops there too);
 *  - *why set: any other face this parser does not take. Among them are
 *    those libharu must not be given, as it would divide by zero, write
 *    past its arrays or read past them (0 units per em, more metrics than
 *    glyphs, an 'H' or 'x' without a glyph of the font), and the few it
 *    took with quirks (an odd cmap segment count) and then read unchecked.
 * Out of memory leaves libharu's allocation error set in mm.
 */
HPDF_FontDef ttface_load(HPDF_MMgr mm, int fd, size_t n, unsigned index, HPDF_Stream stream,
                         const char **why);

#endif
