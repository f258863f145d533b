/*
 * test_sha256.c - unit tests for sha256.c: the FIPS 180-4 example digests,
 * and the x86 SHA-extension path against the portable code on messages of
 * every length around the block size, fed in pieces of every size; files
 * that are not regular refused unread; the digests kept by path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"

static void digest(const void *p, size_t n, size_t piece, int portable, char hex[65])
{
    sha256_ctx c;
    sha256_init(&c);
    if (portable)
        c.ni = 0;
    const unsigned char *u = p;
    for (size_t i = 0; i < n; i += piece)
        sha256_update(&c, u + i, n - i < piece ? n - i : piece);
    sha256_final_hex(&c, hex);
}

static void test_known_digests(void **state)
{
    (void)state;
    const struct {
        const char *msg, *hex;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    char hex[65];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int portable = 0; portable < 2; portable++) {
            digest(cases[i].msg, strlen(cases[i].msg), 64, portable, hex);
            assert_string_equal(hex, cases[i].hex);
        }
    /* a million 'a', in pieces of 1000 */
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    for (int portable = 0; portable < 2; portable++) {
        digest(a, 1000000, 1000, portable, hex);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    free(a);
}

static void test_both_paths_agree(void **state)
{
    (void)state;
    unsigned char buf[700];
    srand(256);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)rand();
    const size_t pieces[] = {1, 3, 63, 64, 65, 128, 700};
    for (size_t n = 0; n <= sizeof buf; n += (n < 200 ? 1 : 37))
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            char a[65], b[65];
            digest(buf, n, pieces[k], 0, a);
            digest(buf, n, pieces[k], 1, b);
            assert_string_equal(a, b);
        }
}

/* Files read in 64 KB pieces, the last short: empty, a piece less one
 * byte, one piece exactly, and several with a short end; the digest and
 * the byte count those of the whole. */
static void test_file_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 65535, 65536, 65537, 3 * 65536 + 17};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        unsigned char *data = malloc(n + 1);
        assert_non_null(data);
        for (size_t i = 0; i < n; i++)
            data[i] = (unsigned char)(i * 131 + 7);
        char path[] = "/tmp/test_sha256_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, n), (ssize_t)n);
        assert_int_equal(close(fd), 0);
        char want[65], got[65];
        sha256_hex(data, n, want);
        long long bytes = -1;
        assert_int_equal(sha256_file_size(path, got, &bytes), 0);
        assert_string_equal(got, want);
        assert_int_equal(bytes, (long long)n);
        unlink(path);
        free(data);
    }
    char hex[65];
    assert_int_equal(sha256_file("/nonexistent/x", hex), -1);
}

/* The digest of a file read in pieces (a short read before its end, as on
 * network and FUSE file systems) is of all of it: a socket of packets
 * taken for a regular file of the three packets' size. */
static void test_fd_pieces(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    unsigned char all[300];
    for (int i = 0; i < 3; i++) {
        memset(all + 100 * i, 'a' + i, 100);
        assert_int_equal(write(sv[1], all + 100 * i, 100), 100);
    }
    close(sv[1]);
    char hex[65], want[65];
    long long bytes = 0;
    assert_int_equal(sha256_fd(sv[0], 1, 300, hex, &bytes), 0);
    close(sv[0]);
    sha256_hex(all, sizeof all, want);
    assert_int_equal(bytes, 300);
    assert_string_equal(hex, want);
}

/* A FIFO (no writer: open() without O_NONBLOCK waits for ever) and a
 * directory are refused unread, with errno saying why. */
static void test_not_regular(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_sha256_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/f", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    char hex[65];
    errno = 0;
    alarm(10); /* the old code blocked here: SIGALRM ends the test */
    assert_int_equal(sha256_file(fifo, hex), -1);
    alarm(0);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(sha256_file(dir, hex), -1);
    assert_int_equal(errno, EISDIR);
    unlink(fifo);
    rmdir(dir);
}

/* file_digests: every path found with its latest digest, others not, over
 * enough paths to grow the table several times. */
static void test_digests_by_path(void **state)
{
    (void)state;
    file_digests l = {0};
    assert_null(file_digests_find(&l, "a"));
    char path[64], hex[65];
    for (int i = 0; i < 5000; i++) {
        snprintf(path, sizeof path, "data/r%04d/t.csv", i);
        snprintf(hex, sizeof hex, "%064d", i);
        file_digests_add(&l, path, hex);
    }
    snprintf(hex, sizeof hex, "%064d", -7);
    file_digests_add(&l, "data/r0042/t.csv", hex); /* recorded again */
    assert_int_equal(l.n, 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(path, sizeof path, "data/r%04d/t.csv", i);
        char want[65];
        snprintf(want, sizeof want, "%064d", i == 42 ? -7 : i);
        const char *got = file_digests_find(&l, path);
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    assert_null(file_digests_find(&l, "data/r5000/t.csv"));
    assert_null(file_digests_find(&l, "data/r0042/t.cs"));
    file_digests_free(&l);
    assert_null(file_digests_find(&l, "data/r0001/t.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_digests),
        cmocka_unit_test(test_both_paths_agree),
        cmocka_unit_test(test_file_sizes),
        cmocka_unit_test(test_fd_pieces),
        cmocka_unit_test(test_not_regular),
        cmocka_unit_test(test_digests_by_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
