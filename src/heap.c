/* heap.c - see heap.h. glibc's own switch for this (the tunable
 * glibc.malloc.hugetlb=1) is read from the environment before main runs,
 * so a program cannot set it for itself; these calls do the same from
 * inside: mallopt for the sizes, madvise for the huge pages. */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define HEAP_STEP (32u << 20)    /* the heap grows by at least this much */
#define HEAP_KEEP (128u << 20)   /* free space at its top kept, not trimmed */
#define HEAP_MMAP (32u << 20)    /* blocks below this come from the heap */
#define HUGE_PAGE ((uintptr_t)2 << 20)
/* How far below heap_tune's caller a run's stack reaches: a one-region run
 * goes 136 KB below main, where libharu's CID font setup
 * (CIDFontType2_New) clears a 128 KB map on the stack and minizip's
 * zipOpen3 copies its 64 KB state through it. */
#define STACK_DEPTH (160u << 10)

/*
 * The heap starts at the program break, rarely on a huge page's boundary,
 * and only whole aligned 2 MB spans of it can be huge pages; a span is one
 * only if nothing in it was touched before the advice. malloc writes its
 * first headers at the heap's start as it makes the heap, before any
 * advice can be given. So the break is moved to one page below a boundary:
 * those first headers fill that page, and the heap's spans from the
 * boundary on are untouched when heap_tune() advises them. (Without this,
 * the first 0-2 MB the run allocates, the session's dictionary, catalogue
 * and wording, were up to 512 small pages, a fault each.) Only when malloc
 * has not made the heap yet: a break moved under it would leave a gap in
 * its arena.
 */
static void align_break(void)
{
    struct mallinfo2 mi = mallinfo2();
    void *b = sbrk(0);
    long page = sysconf(_SC_PAGESIZE);
    if (mi.arena != 0 || b == (void *)-1 || page <= 0)
        return;
    uintptr_t at = (uintptr_t)b;
    uintptr_t up = ((at + (uintptr_t)page + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)) - (uintptr_t)page;
    if (up > at)
        (void)sbrk((intptr_t)(up - at)); /* on failure the heap starts where it would have */
}

/*
 * The stack grows a page at a time, a fault each (~10 us here, 47 of them
 * in a one-region run); MADV_POPULATE_WRITE (Linux 5.14) maps the same
 * pages in one call, at 4-5 us a page. It needs them inside the stack's
 * mapping, which grows down only on a fault: so the lowest page is touched
 * first, through an array of this frame (an object, not an access below
 * the stack pointer), and then the pages above it are populated. Advice
 * only: where the kernel refuses it (EINVAL), the pages fault as before.
 */
static __attribute__((noinline)) void stack_populate(uintptr_t page)
{
    volatile char low[STACK_DEPTH];
    low[0] = 0;
    uintptr_t lo = (uintptr_t)&low[0] & ~(page - 1);
    uintptr_t hi = (uintptr_t)&low[STACK_DEPTH - 1] & ~(page - 1);
#ifdef MADV_POPULATE_WRITE
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#endif
}

/* Not under a stack limit without ample room for it (ulimit -s): a
 * command that never goes that deep must not die of stack_populate's frame
 * alone. So the limit is read here, in a frame of ordinary size. */
static void stack_reserve(void)
{
    long page = sysconf(_SC_PAGESIZE);
    struct rlimit lim;
    if (page <= 0 || getrlimit(RLIMIT_STACK, &lim) != 0 ||
        (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < 4 * (rlim_t)STACK_DEPTH))
        return;
    stack_populate((uintptr_t)page);
}

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
    align_break();
    /* Make the heap now, one step long, with a block small enough that
     * malloc's writes stay in the page below the boundary (align_break);
     * then the advice covers the rest before the run touches it (a span
     * with a page touched first stays small pages). */
    void *volatile first = malloc(1); /* volatile: a malloc freed unused may be elided */
    free(first);
    heap_advise();
    stack_reserve();
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
