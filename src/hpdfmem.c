/*
 * hpdfmem.c - libharu's byte loops, done by libc.
 *
 * Debian's libharu (2.3.0) clears and measures memory with its own loops,
 * a byte per step: HPDF_MemSet clears the 128 KB CID-to-glyph map of each
 * CID font (two fonts per document, ~0.8 M instructions each) and
 * HPDF_StrLen measures every name and string it writes. The library calls
 * both through its PLT, so the dynamic linker binds those calls to these
 * definitions (as xlsxtmp.c does for libxlsxwriter); they return what the
 * library's own do, so the bytes written are the same.
 * tests/unit/test_hpdfmem.c checks the binding and the return values.
 */
#include <string.h>
#include <hpdf.h>
#include <hpdf_utils.h>

/* Like libharu's: fills n bytes of s with c, returns s + n (not s). */
void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
    return (char *)memset(s, c, n) + n;
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
