/*
 * pngenc.h - PNG files of Cairo RGB24 image surfaces, written fast.
 *
 * The rows are deflated by a compressor made for charts rather than by
 * zlib: a run of pixels equal to the one before, or to the one above, is
 * one deflate match (distance 3 or one row), every other pixel three
 * literals, with Huffman codes fitted to each block. It makes no other
 * search, so it costs about a tenth of zlib's level 3 for files a little
 * larger (docs/charts.md, "Speed"). Any inflater reads the result: it is
 * plain deflate in a zlib stream.
 */
#ifndef PLANEVAL_PNGENC_H
#define PLANEVAL_PNGENC_H

#include "diag.h"

#include <stddef.h>

/* Buffers kept from one image to the next (tokens, output). */
typedef struct png_enc png_enc;

png_enc *png_enc_new(void);
void png_enc_free(png_enc *pe);

/*
 * The zlib stream of the PNG image data of w x h pixels at px (Cairo's
 * RGB24: a 32-bit word per pixel, red in bits 16-23, the top byte
 * ignored; rows `stride` bytes apart, stride a multiple of 4): every row
 * a filter byte 0 and R, G, B per pixel. Returns the stream and its
 * length in *n, valid until the next call on pe.
 */
const unsigned char *png_enc_rows(png_enc *pe, const unsigned char *px, int w, int h, int stride,
                                  size_t *n);

/*
 * The zlib stream of n bytes at p that are mostly zeros (a PDF font's
 * CIDToGIDMap: two bytes per code up to the last code drawn, a few
 * thousand of some 65,000 codes used): every run of zeros is a literal
 * and one match at distance 1, every other byte a literal. zlib's level 3
 * walks each zero and makes a larger stream. Valid until the next call on pe.
 */
const unsigned char *png_enc_sparse(png_enc *pe, const unsigned char *p, size_t n, size_t *zn);

/*
 * The image as an 8-bit RGB PNG at path, with its resolution (pHYs, dpi)
 * and nothing that changes from run to run (no time or text chunk).
 * Returns 0, or -1 with an error in d.
 */
int png_write_rgb24(png_enc *pe, const unsigned char *px, int w, int h, int stride, double dpi,
                    const char *path, diag_list *d);

#endif
