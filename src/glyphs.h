/*
 * glyphs.h - the outlines of a TrueType face's glyphs, read from its file
 * as a worker's documents first ask for them, and kept for the next ones.
 *
 * Each PDF embeds a subset of its two faces: a thousand or so glyphs
 * scattered through a glyf table of 3 to 17 MB. Read from a mapping of
 * the file, each glyph touched a page of its own for the first time, and
 * on a virtual machine such a first touch costs a trap (185 of them, some
 * 6 ms, in a one-region run). Here the glyphs a subset lacks are read with
 * a few preads, sorted by place in the file, and later documents of the
 * worker find them in memory. Glyphs less than 16 KB apart are read in one
 * call, the bytes between them into a small scratch buffer. When the file's
 * pages are not in memory, the glyphs left are asked of the kernel at once
 * (one read of the disk for many runs), not waited for run by run.
 */
#ifndef PLANEVAL_GLYPHS_H
#define PLANEVAL_GLYPHS_H

#include <stddef.h>
#include <stdint.h>

typedef struct glyph_store glyph_store;

/*
 * A store for a face in file fd (not owned; it must stay open) of
 * file_size bytes, whose glyf table starts at byte glyf_at and whose glyph
 * g spans [loca[g] * loca_mul, loca[g + 1] * loca_mul) of that table
 * (loca: nglyphs + 1 entries, not owned, kept by the caller).
 */
glyph_store *glyphs_new(int fd, uint64_t file_size, uint32_t glyf_at, const uint32_t *loca,
                        unsigned loca_mul, unsigned nglyphs);
void glyphs_free(glyph_store *s);

/* Read the glyphs of gids[0..n) that are not kept yet (numbers of nglyphs
 * or more are skipped): 0, or -1 with errno set (EINVAL: a glyph larger
 * than 64 KB or past the file's end; EIO: the file ended early). */
int glyphs_fetch(glyph_store *s, const unsigned *gids, size_t n);

/* The read calls the store has made (for tests and statistics). */
size_t glyphs_reads(const glyph_store *s);

/* The ranges of the file it has asked the kernel to read ahead: glyphs
 * not in memory, asked for together rather than waited for run by run. */
size_t glyphs_advised(const glyph_store *s);

/* Glyph g's outline, read if it is not kept: 0 with *b and *n set (*n 0
 * and *b NULL for an empty glyph), or -1 as glyphs_fetch(). *b stays
 * valid until the store next reads. */
int glyphs_get(glyph_store *s, unsigned g, const unsigned char **b, size_t *n);

#endif
