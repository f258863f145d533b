/* lazylib.c - see lazylib.h. */
#define _GNU_SOURCE /* dlopen's RTLD_* */
#include "lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int lazylib_open(void **handle, const char *soname, const char *who, const char *what_for,
                 diag_list *d)
{
    if (*handle)
        return 0;
    *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        const char *why = dlerror();
        diag_add(d, DIAG_ERROR, NULL, 0, 0, "%s: cannot load %s %s: %s", who, soname, what_for,
                 why ? why : "unknown reason");
        return -1;
    }
    return 0;
}

void *lazylib_fn(void *const *handle, int (*open)(diag_list *d), const char *soname,
                 const char *name)
{
    diag_list d = {NULL, 0, 0};
    if (open(&d) != 0) {
        diag_print(&d, stderr);
        exit(3); /* as any output that cannot be written (EXIT_OUTPUT) */
    }
    diag_free(&d);
    void *fn = dlsym(*handle, name);
    if (!fn) {
        const char *why = dlerror();
        fprintf(stderr, "planeval: %s has no %s: %s\n", soname, name, why ? why : "unknown reason");
        exit(3);
    }
    return fn;
}
