/* lazyfc.c - see lazyfc.h. Each definition has the prototype of
 * fontconfig's headers (the compiler checks it) and calls the library's
 * function through a pointer found on its first call. The handle and the
 * pointers are per process, like the dynamic linker's own tables;
 * planeval has no threads. A fontconfig function that planeval starts to
 * call must be added below (the link fails until it is). */
#define _GNU_SOURCE /* dlopen's RTLD_* */
#include "lazyfc.h"
#include "lazylib.h"

#include <dlfcn.h>
#include <fontconfig/fontconfig.h>

#ifndef FC_SONAME
#define FC_SONAME "libfontconfig.so.1"
#endif

static void *fc_lib;

int lazyfc_open(diag_list *d)
{
    return lazylib_open(&fc_lib, FC_SONAME, "PDF reports",
                        "to find the font families (install the Debian package libfontconfig1, "
                        "or name the font files in report.yaml)",
                        d);
}

/* The address of fontconfig's function name (lazylib_fn): lazyfc_open is
 * asked first where fonts are looked up (rfonts_open). */
static void *fc_fn(const char *name)
{
    return lazylib_fn(&fc_lib, lazyfc_open, FC_SONAME, name);
}

#define LAZY(ret, name, params, args) LAZY_FN(fc_fn, ret, name, params, args)
#define LAZY_VOID(name, params, args) LAZY_FN_VOID(fc_fn, name, params, args)

LAZY(FcChar32, FcCharSetFirstPage, (const FcCharSet *a, FcChar32 map[FC_CHARSET_MAP_SIZE], FcChar32 *next), (a, map, next))
LAZY(FcChar32, FcCharSetNextPage, (const FcCharSet *a, FcChar32 map[FC_CHARSET_MAP_SIZE], FcChar32 *next), (a, map, next))
LAZY_VOID(FcConfigDestroy, (FcConfig *config), (config))
LAZY(FcBool, FcConfigSubstitute, (FcConfig *config, FcPattern *p, FcMatchKind kind), (config, p, kind))
LAZY_VOID(FcDefaultSubstitute, (FcPattern *pattern), (pattern))
LAZY(FcPattern *, FcFontMatch, (FcConfig *config, FcPattern *p, FcResult *result), (config, p, result))
LAZY(FcPattern *, FcFreeTypeQuery, (const FcChar8 *file, unsigned int id, FcBlanks *blanks, int *count), (file, id, blanks, count))
LAZY(FcConfig *, FcInitLoadConfigAndFonts, (void), ())
LAZY(FcBool, FcPatternAddString, (FcPattern *p, const char *object, const FcChar8 *s), (p, object, s))
LAZY(FcPattern *, FcPatternCreate, (void), ())
LAZY_VOID(FcPatternDestroy, (FcPattern *p), (p))
LAZY(FcResult, FcPatternGetCharSet, (const FcPattern *p, const char *object, int n, FcCharSet **c), (p, object, n, c))
LAZY(FcResult, FcPatternGetInteger, (const FcPattern *p, const char *object, int n, int *i), (p, object, n, i))
LAZY(FcResult, FcPatternGetString, (const FcPattern *p, const char *object, int n, FcChar8 **s), (p, object, n, s))

/* fontconfig's caches freed at exit: those of the copy in the process,
 * loaded here or by Cairo for the chart files; nothing when neither did.
 * Our reference is dropped too (the loader's records of the library are
 * then freed, not left for leak checkers): the process is ending, and no
 * fontconfig function may be called after this. */
void FcFini(void)
{
    void *lib = fc_lib ? fc_lib : dlopen(FC_SONAME, RTLD_NOW | RTLD_NOLOAD);
    if (!lib)
        return;
    void (*fini)(void);
    *(void **)&fini = dlsym(lib, "FcFini");
    if (fini)
        fini();
    dlclose(lib); /* ours, or the one RTLD_NOLOAD took */
    fc_lib = NULL;
}
