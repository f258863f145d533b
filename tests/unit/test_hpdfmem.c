/*
 * test_hpdfmem.c - unit test for hpdfmem.c: libharu's HPDF_MemSet and
 * HPDF_StrLen calls are bound to the program's definitions (the name looked
 * up from the program is not libharu's own), and these return what
 * libharu's do: the end of the filled bytes, lengths capped by a positive
 * maxlen, 0 for NULL or an empty string.
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
    const char *names[] = {"HPDF_MemSet", "HPDF_StrLen"};
    for (size_t i = 0; i < 2; i++) {
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
