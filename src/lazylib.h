/*
 * lazylib.h - a shared library loaded on the first call of one of its
 * functions (lazycairo.c, lazyfc.c): each such module defines the
 * library's functions planeval calls with LAZY / LAZY_VOID, and the first
 * call of each finds its address through lazylib_fn().
 */
#ifndef PLANEVAL_LAZYLIB_H
#define PLANEVAL_LAZYLIB_H

#include "diag.h"

/*
 * Load soname into *handle unless it is there: 0, or -1 with "<who>: cannot
 * load <soname> <what_for>: <the loader's reason>" added to d.
 */
int lazylib_open(void **handle, const char *soname, const char *who, const char *what_for,
                 diag_list *d);

/*
 * The address of function name in the library *handle, loaded first by
 * open (0, or -1 with the reason added to its list) if it is not yet. A
 * failure ends the process with exit status 3, as any output that cannot
 * be written: a lazy function cannot report it to its caller, so callers
 * call open first wherever they can report.
 */
void *lazylib_fn(void *const *handle, int (*open)(diag_list *d), const char *soname,
                 const char *name);

/* One definition per function: its pointer, found by find(name) on the first call. */
#define LAZY_FN(find, ret, name, params, args)                                                     \
    ret name params                                                                                \
    {                                                                                              \
        static ret(*fn) params;                                                                    \
        if (!fn)                                                                                   \
            *(void **)&fn = find(#name);                                                           \
        return fn args;                                                                            \
    }
#define LAZY_FN_VOID(find, name, params, args)                                                     \
    void name params                                                                               \
    {                                                                                              \
        static void(*fn) params;                                                                   \
        if (!fn)                                                                                   \
            *(void **)&fn = find(#name);                                                           \
        fn args;                                                                                   \
    }

#endif
