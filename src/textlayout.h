/*
 * textlayout.h - breaking Chinese and mixed Chinese/Latin text into lines.
 *
 * The rules (GB/T 15834 practice and the usual 避头尾 / kinsoku rules):
 *   - a line may break between any two CJK characters, and between a CJK
 *     character and a Latin one;
 *   - Latin text breaks only at spaces (the spaces at a break are dropped);
 *     a word wider than the line is cut at a character boundary;
 *   - no line starts with a closing or pausing mark (，。、；：？！）」』】》
 *     and the like), and none ends with an opening mark (（「『【《 ...);
 *   - '\n' is a hard break.
 *
 * Widths come from a callback so that the module knows nothing of fonts
 * (the PDF layer measures with its fonts; the unit tests with fixed widths).
 */
#ifndef PLANEVAL_TEXTLAYOUT_H
#define PLANEVAL_TEXTLAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* Decode the code point at s (NUL-terminated); returns its length in bytes
 * (1 for an invalid byte, decoded as U+FFFD). In line for ASCII and the
 * three bytes of a Chinese character: every character the documents
 * measure and draw comes through here, some millions a run. */
int tl_decode_any(const char *s, uint32_t *cp); /* any sequence: the whole decoder */
static inline int tl_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        uint32_t c = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
        if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
            *cp = c;
            return 3;
        }
    }
    return tl_decode_any(s, cp);
}
/* Append the UTF-8 encoding of cp to buf (at least 4 bytes); returns its length. */
int tl_encode(uint32_t cp, char *buf);

/* Ideographs, kana, CJK and fullwidth punctuation, and symbols set like them. */
int tl_is_cjk(uint32_t cp);
/* Marks that must not start a line (，。、；：？！）」』】》 ...). */
int tl_no_start(uint32_t cp);
/* Marks that must not end a line (（「『【《 ...). */
int tl_no_end(uint32_t cp);
/* 1 if a line may break between a and b (a directly followed by b). */
int tl_can_break(uint32_t a, uint32_t b);

/* Width of cp in points (the font and size are the callback's business). */
typedef double (*tl_width_fn)(void *ctx, uint32_t cp);

typedef struct tl_line {
    size_t start, end; /* bytes [start, end) of the text to draw on this line */
    double width;      /* of those bytes */
    int nchars;        /* code points in [start, end) */
    int hard;          /* ends at '\n' or at the end of the text (not justified) */
    int overflow;      /* a single character wider than the line: it sticks out */
} tl_line;

/*
 * Break text into lines no wider than width (the first line no wider than
 * width - first_indent). Returns the number of lines (at least 1, an empty
 * text gives one empty line); *out is allocated (free it).
 */
int tl_break(const char *text, double width, double first_indent, tl_width_fn wfn, void *ctx,
             tl_line **out);

/* Width of bytes [start, end) of text. */
double tl_width(const char *text, size_t start, size_t end, tl_width_fn wfn, void *ctx);

#endif
