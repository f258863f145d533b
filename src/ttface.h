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
 *  - *why set: a face libharu must not be given, as it would divide by
 *    zero, write past its arrays or read past them (0 units per em, more
 *    metrics than glyphs, an 'H' or 'x' without a glyph of the font);
 *  - *why NULL: a face that is anything but a plain one (a read past the
 *    end, no Unicode format 4 cmap, odd counts, an error already set): the
 *    caller then asks libharu, whose answer, or error, is then the one given.
 * Out of memory leaves libharu's allocation error set in mm.
 */
HPDF_FontDef ttface_load(HPDF_MMgr mm, int fd, size_t n, unsigned index, HPDF_Stream stream,
                         const char **why);

#endif
