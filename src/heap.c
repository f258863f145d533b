/* heap.c - see heap.h. glibc's own switch for this (the tunable
 * glibc.malloc.hugetlb=1) is read from the environment before main runs,
 * so a program cannot set it for itself; these calls do the same from
 * inside: mallopt for the sizes, madvise for the huge pages. */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEAP_STEP (32u << 20)    /* the heap grows by at least this much */
#define HEAP_KEEP (128u << 20)   /* free space at its top kept, not trimmed */
#define HEAP_MMAP (32u << 20)    /* blocks below this come from the heap */
#define HUGE_PAGE ((uintptr_t)2 << 20)

void heap_tune(void)
{
    /* Each fails only on a value out of range; these are constants in
     * range, and a failure would leave glibc's defaults: slower, not wrong. */
    (void)mallopt(M_TOP_PAD, (int)HEAP_STEP);
    (void)mallopt(M_TRIM_THRESHOLD, (int)HEAP_KEEP);
    /* Large buffers (a document's deflated streams, a workbook's part)
     * would otherwise each be a fresh mapping, faulted in page by page and
     * unmapped when freed, once per document. */
    (void)mallopt(M_MMAP_THRESHOLD, (int)HEAP_MMAP);
    /* Grow the heap by one step now, so that the advice covers it before
     * the run touches it (a page touched first stays a small page). */
    free(malloc(1u << 20));
    heap_advise();
}

void heap_advise(void)
{
    void *brk_now = sbrk(0);
    if (brk_now == (void *)-1)
        return;
    uintptr_t top = (uintptr_t)brk_now;
    struct mallinfo2 mi = mallinfo2();
    if (mi.arena == 0 || mi.arena > top)
        return;
    /* The main arena is the contiguous span below the break. */
    uintptr_t lo = (top - mi.arena + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (lo >= top)
        return;
    /* Advice only: without transparent huge pages (EINVAL) the heap keeps
     * its small pages and the run is as before. */
    (void)madvise((void *)lo, top - lo, MADV_HUGEPAGE);
}
