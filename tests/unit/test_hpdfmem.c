/*
 * test_hpdfmem.c - unit test for hpdfmem.c: libharu's HPDF_MemSet,
 * HPDF_MemCpy and HPDF_StrLen calls are bound to the program's definitions
 * (the name looked up from the program is not libharu's own), and these
 * return what libharu's do: the end of the filled or copied bytes (a copy
 * to below an overlapping source as its forward loop makes it), lengths
 * capped by a positive maxlen, 0 for NULL or an empty string.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT, RTLD_NOLOAD */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <string.h>
#include <hpdf.h>
#include <hpdf_utils.h>

static void test_bound_to_program(void **state)
{
    (void)state;
    void *lib = dlopen("libhpdf-2.3.0.so", RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(lib);
    const char *names[] = {"HPDF_MemSet", "HPDF_MemCpy", "HPDF_StrLen"};
    for (size_t i = 0; i < 3; i++) {
        void *own = dlsym(lib, names[i]);
        void *bound = dlsym(RTLD_DEFAULT, names[i]);
        assert_non_null(own);
        assert_non_null(bound);
        assert_ptr_not_equal(own, bound);
    }
    dlclose(lib);
}

static void test_results(void **state)
{
    (void)state;
    unsigned char b[64];
    memset(b, 7, sizeof b);
    assert_ptr_equal(HPDF_MemSet(b + 3, 0, 50), b + 53);
    for (size_t i = 0; i < sizeof b; i++)
        assert_int_equal(b[i], i >= 3 && i < 53 ? 0 : 7);
    assert_ptr_equal(HPDF_MemSet(b, 1, 0), b);
    assert_int_equal(b[0], 7);

    /* copies of 2, 4 and other sizes, to elsewhere and to below the source */
    unsigned char c[64];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (unsigned char)i;
    HPDF_UINT sizes[] = {0, 1, 2, 3, 4, 5, 11, 40};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        HPDF_UINT n = sizes[k];
        memset(c, 0xEE, sizeof c);
        assert_ptr_equal(HPDF_MemCpy(c + 1, b + 7, n), c + 1 + n);
        for (size_t i = 0; i < sizeof c; i++)
            assert_int_equal(c[i], i >= 1 && i < 1 + n ? i + 6 : 0xEE);
        for (size_t i = 0; i < sizeof c; i++)
            c[i] = (unsigned char)i;
        assert_ptr_equal(HPDF_MemCpy(c + 2, c + 3, n), c + 2 + n);
        for (size_t i = 0; i < sizeof c; i++)
            assert_int_equal(c[i], i >= 2 && i < 2 + n ? i + 1 : i);
    }
    assert_ptr_equal(HPDF_MemCpy(NULL, NULL, 0), NULL);

    assert_int_equal(HPDF_StrLen(NULL, 5), 0);
    assert_int_equal(HPDF_StrLen("", -1), 0);
    assert_int_equal(HPDF_StrLen("abcdef", 0), 0);
    assert_int_equal(HPDF_StrLen("abcdef", 4), 4);
    assert_int_equal(HPDF_StrLen("abcdef", 6), 6);
    assert_int_equal(HPDF_StrLen("abcdef", 9), 6);
    assert_int_equal(HPDF_StrLen("abcdef", -1), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound_to_program),
        cmocka_unit_test(test_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
