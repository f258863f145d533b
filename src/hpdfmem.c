/*
 * hpdfmem.c - libharu's byte loops, done by libc.
 *
 * Debian's libharu (2.3.0) clears, copies and measures memory with its own
 * loops, a byte per step: HPDF_MemSet clears the 128 KB CID-to-glyph map of
 * each CID font (two fonts per document, ~0.8 M instructions each),
 * HPDF_MemCpy swaps the bytes of each number it reads of a face (~250,000
 * calls of 2 or 4 bytes to parse the two faces, 23 instructions each) and
 * HPDF_StrLen measures every name and string it writes. The library calls
 * them through its PLT, so the dynamic linker binds those calls to these
 * definitions (as xlsxtmp.c does for libxlsxwriter); they return what the
 * library's own do, so the bytes written are the same.
 * tests/unit/test_hpdfmem.c checks the binding and the return values.
 */
#include <stdint.h>
#include <string.h>
#include <hpdf.h>
#include <hpdf_utils.h>

/* Like libharu's: fills n bytes of s with c, returns s + n (not s). */
void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
    return (char *)memset(s, c, n) + n;
}

/* Like libharu's: copies n bytes of in to out, returns out + n (not out).
 * Its loop copies forward, so an out below an overlapping in works (Type 1
 * fonts do that): memmove's result then, and the small cases load before
 * they store. */
HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
    if (n == 2) {
        uint16_t v;
        memcpy(&v, in, 2);
        memcpy(out, &v, 2);
    } else if (n == 4) {
        uint32_t v;
        memcpy(&v, in, 4);
        memcpy(out, &v, 4);
    } else if (n > 0) { /* libharu's copies nothing from NULL */
        memmove(out, in, n);
    }
    return out + n;
}

/* Like libharu's: 0 for NULL, "" or maxlen 0; at most maxlen when it is
 * positive, unbounded when it is negative (its loop never meets it). */
HPDF_UINT HPDF_StrLen(const char *s, HPDF_INT maxlen)
{
    if (!s || maxlen == 0)
        return 0;
    if (maxlen < 0)
        return (HPDF_UINT)strlen(s);
    return (HPDF_UINT)strnlen(s, (size_t)maxlen);
}
