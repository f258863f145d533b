/*
 * test_heap.c - unit tests for heap.c: after heap_tune() a large block
 * comes from the heap (not a mapping of its own, faulted in afresh each
 * time), and the heap's mapping carries the huge-page advice ("hg" among
 * its VmFlags in /proc/self/smaps), also where it has grown since; and
 * the stack below main is mapped already, not faulted in page by page.
 * Under AddressSanitizer malloc is not glibc's: the tests are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap.h"

#if defined(__SANITIZE_ADDRESS__)
#define NOT_GLIBC_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NOT_GLIBC_MALLOC 1
#endif
#endif

#ifndef NOT_GLIBC_MALLOC
/* Is p inside the main arena, the span below the break? */
static int in_heap(const void *p)
{
    uintptr_t top = (uintptr_t)sbrk(0);
    uintptr_t lo = top - mallinfo2().arena;
    return (uintptr_t)p >= lo && (uintptr_t)p < top;
}

/* The VmFlags of the mapping that holds p: 1 if "hg" (MADV_HUGEPAGE) is
 * among them, 0 if not, -1 if the mapping is not found or smaps cannot be
 * read. */
static int vm_advised(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int inside = 0, found = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            continue;
        }
        if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            found = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return found;
}

static int advised(const void *p)
{
    int a = vm_advised(p);
    assert_int_not_equal(a, -1);
    return a;
}

/* Transparent huge pages configured at all (not "[never]")? */
static int thp_available(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return 0;
    char line[128] = "";
    int ok = fgets(line, sizeof line, f) && !strstr(line, "[never]");
    fclose(f);
    return ok;
}

/* The heap as heap_tune() left it, first thing in main (a fresh process,
 * before cmocka allocates anything). */
static struct {
    int made;         /* mallinfo2().arena > 0: heap_tune() made the heap */
    uintptr_t lo;     /* the heap's start */
    int boundary_hg;  /* the heap's first 2 MB boundary advised (vm_advised) */
} fresh;

static void look_at_fresh_heap(void)
{
    size_t arena = mallinfo2().arena;
    fresh.made = arena > 0;
    if (!fresh.made)
        return;
    fresh.lo = (uintptr_t)sbrk(0) - arena;
    uintptr_t boundary = (fresh.lo + ((uintptr_t)2 << 20) - 1) & ~(((uintptr_t)2 << 20) - 1);
    fresh.boundary_hg = vm_advised((const void *)boundary);
}

/* Deep enough to need the stack grown well below main, as a run does
 * (STACK_DEPTH in heap.c is 160 KB). */
#define DEEP (128u << 10)

/* How many pages of a frame DEEP long, just below main, were not in memory
 * before anything touched them (mincore); -1 if mincore failed (the
 * stack's mapping does not reach that far down). */
static int fresh_stack_missing;

static __attribute__((noinline)) void look_at_fresh_stack(void)
{
    volatile char deep[DEEP];
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)&deep[0] & ~((uintptr_t)page - 1);
    uintptr_t hi = (uintptr_t)&deep[DEEP - 1];
    unsigned char vec[DEEP / 4096 + 2];
    size_t n = (hi - lo) / (uintptr_t)page + 1;
    if (page <= 0 || n > sizeof vec || mincore((void *)lo, hi + 1 - lo, vec) != 0) {
        fresh_stack_missing = -1;
        return;
    }
    fresh_stack_missing = 0;
    for (size_t i = 0; i < n; i++)
        fresh_stack_missing += !(vec[i] & 1);
}

/* Does this kernel know MADV_POPULATE_WRITE (Linux 5.14)? */
static int populate_known(void)
{
#ifdef MADV_POPULATE_WRITE
    long page = sysconf(_SC_PAGESIZE);
    void *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    int ok = madvise(m, (size_t)page, MADV_POPULATE_WRITE) == 0;
    munmap(m, (size_t)page);
    return ok;
#else
    return 0;
#endif
}
#endif

/* heap_tune() makes the heap itself (a malloc freed unused, which the
 * compiler may drop unless told not to), starting one page below a 2 MB
 * boundary, and advises it from there before anything else touches it:
 * the run's first allocations are huge pages too. */
static void test_fresh_heap_made_and_advised(void **state)
{
    (void)state;
#ifdef NOT_GLIBC_MALLOC
    skip();
#else
    assert_true(fresh.made);
    long page = sysconf(_SC_PAGESIZE);
    assert_true(page > 0);
    assert_int_equal((fresh.lo + (uintptr_t)page) % ((uintptr_t)2 << 20), 0);
    if (!thp_available())
        skip();
    assert_int_equal(fresh.boundary_hg, 1);
#endif
}

static void test_large_block_from_heap(void **state)
{
    (void)state;
#ifdef NOT_GLIBC_MALLOC
    skip();
#else
    heap_tune();
    /* glibc's default threshold would map 4 MB on its own */
    char *p = malloc(4u << 20);
    assert_non_null(p);
    memset(p, 1, 4u << 20);
    assert_true(in_heap(p));
    free(p);
#endif
}

static void test_heap_advised_as_it_grows(void **state)
{
    (void)state;
#ifdef NOT_GLIBC_MALLOC
    skip();
#else
    if (!thp_available())
        skip();
    heap_tune();
    /* (the heap's first 2 MB boundary may lie above a small block) */
    char *first = malloc(3u << 20);
    assert_non_null(first);
    assert_int_equal(advised(first + (3u << 20) - 1), 1);
    /* Grow the heap past its first step (32 MB) in blocks that stay in it. */
    enum { N = 24 };
    char *block[N];
    for (int i = 0; i < N; i++) {
        block[i] = malloc(3u << 20);
        assert_non_null(block[i]);
        assert_true(in_heap(block[i]));
    }
    heap_advise();
    assert_int_equal(advised(block[N - 1] + (3u << 20) - 1), 1);
    for (int i = 0; i < N; i++)
        free(block[i]);
    free(first);
#endif
}

/* heap_tune() maps the stack a run will need below main in one call:
 * none of its pages is left to fault in one at a time. (Skipped under
 * AddressSanitizer too, whose frames are larger.) */
static void test_stack_populated(void **state)
{
    (void)state;
#ifdef NOT_GLIBC_MALLOC
    skip();
#else
    if (!populate_known())
        skip();
    assert_int_equal(fresh_stack_missing, 0);
#endif
}

/* Under a stack limit too small for the populated depth (ulimit -s 64),
 * heap_tune() leaves the stack alone: a process that never goes deep must
 * not be killed by it (SIGSEGV). A fresh process (this test again, with
 * --tune-only), since this one's stack has grown already. */
static void test_small_stack_limit_survives(void **state)
{
    (void)state;
#ifdef NOT_GLIBC_MALLOC
    skip(); /* AddressSanitizer's own start needs more than 64 KB */
#else
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim;
        if (getrlimit(RLIMIT_STACK, &lim) != 0)
            _exit(2);
        lim.rlim_cur = 64 << 10;
        if (setrlimit(RLIMIT_STACK, &lim) != 0)
            _exit(2);
        char *argv[] = {"test_heap", "--tune-only", NULL};
        execv("/proc/self/exe", argv);
        _exit(3);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
#endif
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--tune-only") == 0) {
        heap_tune();
        return 0;
    }
#ifndef NOT_GLIBC_MALLOC
    heap_tune(); /* first, as planeval's main does */
    look_at_fresh_heap();
    look_at_fresh_stack();
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_heap_made_and_advised),
        cmocka_unit_test(test_large_block_from_heap),
        cmocka_unit_test(test_heap_advised_as_it_grows),
        cmocka_unit_test(test_stack_populated),
        cmocka_unit_test(test_small_stack_limit_survives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
