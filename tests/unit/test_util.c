/*
 * test_util.c - unit tests for util.c's text helpers: the bounded edit
 * distance behind every "did you mean" against a plain full-table
 * Levenshtein, on random ASCII and CJK names short and long (the bound
 * changes only how soon it stops, never a distance within it).
 */
#define _GNU_SOURCE /* F_SETLEASE */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Full-table Levenshtein on arrays of code points: the reference. */
static int reference_distance(const uint32_t *x, int n, const uint32_t *y, int m)
{
    int *t = malloc((size_t)(n + 1) * (size_t)(m + 1) * sizeof *t);
    assert_non_null(t);
    for (int i = 0; i <= n; i++)
        for (int j = 0; j <= m; j++) {
            int v;
            if (i == 0 || j == 0)
                v = i + j;
            else {
                v = t[(i - 1) * (m + 1) + j - 1] + (x[i - 1] != y[j - 1]);
                int up = t[(i - 1) * (m + 1) + j] + 1, left = t[i * (m + 1) + j - 1] + 1;
                v = up < v ? up : v;
                v = left < v ? left : v;
            }
            t[i * (m + 1) + j] = v;
        }
    int d = t[n * (m + 1) + m];
    free(t);
    return d;
}

/* UTF-8 of n code points into out. */
static void encode(const uint32_t *cp, int n, char *out)
{
    char *o = out;
    for (int i = 0; i < n; i++) {
        if (cp[i] < 0x80)
            *o++ = (char)cp[i];
        else {
            *o++ = (char)(0xe0 | (cp[i] >> 12));
            *o++ = (char)(0x80 | ((cp[i] >> 6) & 0x3f));
            *o++ = (char)(0x80 | (cp[i] & 0x3f));
        }
    }
    *o = 0;
}

/* A random code point from a small alphabet (so that distances are often
 * small): ASCII letters, or CJK characters when cjk. */
static uint32_t random_cp(unsigned *seed, int cjk)
{
    static const uint32_t han[] = {0x5e94, 0x6025, 0x7ba1, 0x7406, 0x4eba, 0x5458};
    unsigned r = (unsigned)rand_r(seed);
    return cjk ? han[r % 6] : (uint32_t)('a' + r % 4);
}

static void test_edit_distance_bounded(void **state)
{
    (void)state;
    unsigned seed = 12345;
    uint32_t x[150], y[300];
    char a[1000], b[1000];
    int within = 0, beyond = 0;
    for (int k = 0; k < 4000; k++) {
        int cjk = k % 2;
        /* lengths on both sides of the 64-code-point stack buffers */
        int n = rand_r(&seed) % 140, m = 0;
        for (int i = 0; i < n; i++)
            x[i] = random_cp(&seed, cjk);
        if (k % 4 < 2) {
            /* a near name: x with a few characters replaced, dropped or added */
            for (int i = 0; i < n; i++) {
                int r = rand_r(&seed) % 40;
                if (r == 0)
                    continue;
                y[m++] = r == 1 ? random_cp(&seed, cjk) : x[i];
                if (r == 2)
                    y[m++] = random_cp(&seed, cjk);
            }
        } else {
            m = n + rand_r(&seed) % 9 - 4;
            m = m < 0 ? 0 : m;
            for (int i = 0; i < m; i++)
                y[i] = random_cp(&seed, cjk);
        }
        encode(x, n, a);
        encode(y, m, b);
        int ref = reference_distance(x, n, y, m);
        int limit = rand_r(&seed) % 12;
        int got = utf8_edit_distance(a, b, limit);
        if (ref <= limit) {
            assert_int_equal(got, ref);
            within++;
        } else {
            assert_int_equal(got, limit + 1);
            beyond++;
        }
        /* with a bound that cannot bind, the distance itself */
        assert_int_equal(utf8_edit_distance(a, b, 1000), ref);
    }
    /* both sides of the bound were exercised */
    assert_true(within > 500);
    assert_true(beyond > 500);
}

static void test_edit_distance_examples(void **state)
{
    (void)state;
    assert_int_equal(utf8_edit_distance("kitten", "sitting", 5), 3);
    assert_int_equal(utf8_edit_distance("kitten", "sitting", 2), 3); /* limit + 1 */
    assert_int_equal(utf8_edit_distance("", "", 0), 0);
    assert_int_equal(utf8_edit_distance("abc", "", 10), 3);
    /* counted in code points, not bytes: one character replaced */
    assert_int_equal(utf8_edit_distance("死亡率", "死亡数", 3), 1);
    assert_int_equal(utf8_edit_distance("abc", "abcdefgh", 2), 3);
}

/* put_bytes writes what fwrite writes, on every kind of buffering: pieces
 * of every size around the buffer's, a stream read before it is written,
 * and an unbuffered and a line-buffered one (which never take the direct
 * copy). Each stream is a temporary file read back whole. */
static char *written(int mode, int by_put, size_t *len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    static char vbuf[100];
    if (mode == 1)
        assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
    else if (mode == 2)
        assert_int_equal(setvbuf(f, NULL, _IOLBF, BUFSIZ), 0);
    else if (mode == 3)
        assert_int_equal(setvbuf(f, vbuf, _IOFBF, sizeof vbuf), 0);
    char piece[300];
    unsigned r = 7;
    for (int i = 0; i < 2000; i++) {
        size_t n = (r = r * 1103515245u + 12345u) >> 16 & 0xff;
        if (i % 97 == 0)
            n = 0;
        for (size_t k = 0; k < n; k++)
            piece[k] = (char)(k % 3 == 2 ? '\n' : 'a' + (i + (int)k) % 26);
        if (by_put)
            assert_true(put_bytes(f, piece, n));
        else
            assert_int_equal(fwrite(piece, 1, n, f), n);
        if (i == 1000) { /* a read in between: the stream leaves put mode */
            assert_int_equal(fseek(f, 0, SEEK_SET), 0);
            assert_true(fgetc(f) != EOF);
            assert_int_equal(fseek(f, 0, SEEK_END), 0);
        }
    }
    assert_int_equal(fflush(f), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    char *buf = malloc((size_t)size);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    assert_int_equal(fclose(f), 0);
    *len = (size_t)size;
    return buf;
}

static void test_put_bytes(void **state)
{
    (void)state;
    for (int mode = 0; mode < 4; mode++) {
        size_t a, b;
        char *want = written(mode, 0, &a), *got = written(mode, 1, &b);
        assert_int_equal(a, b);
        assert_memory_equal(want, got, a);
        free(want);
        free(got);
    }
}

/* read_fd(): the size given is only where it starts (a file that grew
 * since its fstat is read whole), a pipe is read to its end, and past max
 * bytes it fails with EFBIG. */
static void test_read_fd(void **state)
{
    (void)state;
    char path[] = "/tmp/test_util_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char text[10000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    assert_int_equal(write(fd, text, sizeof text), (ssize_t)sizeof text);
    size_t sizes[] = {0, 10, 9999, 10000, 20000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        size_t n = 0;
        char *got = read_fd(fd, 1, sizes[k], 1 << 20, &n);
        assert_non_null(got);
        assert_int_equal(n, sizeof text);
        assert_memory_equal(got, text, sizeof text);
        assert_int_equal(got[n], '\0');
        free(got);
    }
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    size_t n = 0;
    errno = 0;
    assert_null(read_fd(fd, 1, 100, 9999, &n));
    assert_int_equal(errno, EFBIG);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    char *all = read_fd(fd, 1, 100, 10000, &n); /* exactly max */
    assert_non_null(all);
    assert_int_equal(n, 10000);
    free(all);
    close(fd);
    unlink(path);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], text, 3000), 3000);
    close(p[1]);
    char *piped = read_fd(p[0], 0, 0, 1 << 20, &n);
    assert_non_null(piped);
    assert_int_equal(n, 3000);
    assert_memory_equal(piped, text, 3000);
    free(piped);
    close(p[0]);
}

/* A file read in pieces (network and FUSE file systems read short before
 * the end): a socket of packets, each read() one packet, taken for a
 * regular file of the three packets' size, is read whole. */
static void test_read_fd_pieces(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    char piece[100];
    for (int i = 0; i < 3; i++) {
        memset(piece, 'a' + i, sizeof piece);
        assert_int_equal(write(sv[1], piece, sizeof piece), (ssize_t)sizeof piece);
    }
    close(sv[1]);
    size_t n = 0;
    char *text = read_fd(sv[0], 1, 300, 1000, &n);
    close(sv[0]);
    assert_non_null(text);
    assert_int_equal(n, 300);
    assert_true(text[0] == 'a' && text[150] == 'b' && text[299] == 'c' && text[300] == '\0');
    free(text);
}

static volatile sig_atomic_t lease_broken;
static void on_lease_break(int sig)
{
    (void)sig;
    lease_broken = 1;
}

/*
 * A file another process holds a write lease on (Samba's oplocks): its
 * holder is told and gives it up, and the open waits for that, as a plain
 * open() does. O_NONBLOCK alone (which keeps a FIFO from blocking) made
 * that open fail at once with EWOULDBLOCK.
 */
static void test_read_leased_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_util_lease_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "year,v\n", 7), 7);
    assert_int_equal(close(fd), 0);
    int sync[2];
    assert_int_equal(pipe(sync), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the lease holder */
        signal(SIGIO, on_lease_break);
        int lf = open(path, O_RDONLY);
        char ok = lf >= 0 && fcntl(lf, F_SETLEASE, F_WRLCK) == 0 ? 'y' : 'n';
        if (write(sync[1], &ok, 1) != 1 || ok != 'y')
            _exit(1);
        for (int i = 0; i < 500 && !lease_broken; i++)
            usleep(10000);
        usleep(100000); /* the reader must wait this long */
        _exit(fcntl(lf, F_SETLEASE, F_UNLCK) == 0 && lease_broken ? 0 : 2);
    }
    char ok = 0;
    assert_int_equal(read(sync[0], &ok, 1), 1);
    if (ok != 'y') { /* leases disabled here: nothing to test */
        waitpid(pid, NULL, 0);
        unlink(path);
        skip();
    }
    size_t n = 0;
    alarm(60); /* the kernel breaks a lease after lease-break-time (45 s) */
    char *text = read_whole_file(path, &n);
    alarm(0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_non_null(text);
    assert_string_equal(text, "year,v\n");
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(text);
    close(sync[0]);
    close(sync[1]);
    unlink(path);
}

/* Not regular files: refused unread, errno saying why (a socket's open()
 * fails ENXIO, told as EINVAL like a FIFO's). */
static void test_read_not_regular(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_util_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64], sock[64];
    snprintf(fifo, sizeof fifo, "%s/f", dir);
    snprintf(sock, sizeof sock, "%s/s", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(sfd >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
    assert_int_equal(bind(sfd, (struct sockaddr *)&a, sizeof a), 0);
    const char *paths[] = {fifo, sock, dir};
    const int want[] = {EINVAL, EINVAL, EISDIR};
    for (int i = 0; i < 3; i++) {
        errno = 0;
        alarm(10);
        assert_null(read_whole_file(paths[i], NULL));
        alarm(0);
        assert_int_equal(errno, want[i]);
    }
    close(sfd);
    unlink(sock);
    unlink(fifo);
    rmdir(dir);
}

/* strmap: the first value of a (tag, key) stays, tags part keys, and every
 * entry is found again after the table has grown. */
static void test_strmap(void **state)
{
    (void)state;
    strmap m = {0};
    assert_int_equal(strmap_get(&m, 0, "a"), -1);
    char keys[1000][16];
    for (int i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        strmap_add_first(&m, i % 3, keys[i], i);
    }
    strmap_add_first(&m, 0, "k0", 5000); /* taken: k0 keeps 0 */
    strmap_add_first(&m, 1, "k0", 7);    /* another tag: a key of its own */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(strmap_get(&m, i % 3, keys[i]), i);
        assert_int_equal(strmap_get(&m, i % 3 + 3, keys[i]), -1);
    }
    assert_int_equal(strmap_get(&m, 1, "k0"), 7);
    assert_int_equal(strmap_get(&m, 0, "k1000"), -1);
    assert_int_equal((int)m.n, 1001);
    strmap_free(&m);
    assert_int_equal(strmap_get(&m, 0, "k0"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edit_distance_examples),
        cmocka_unit_test(test_edit_distance_bounded),
        cmocka_unit_test(test_put_bytes),
        cmocka_unit_test(test_read_fd),
        cmocka_unit_test(test_read_fd_pieces),
        cmocka_unit_test(test_read_leased_file),
        cmocka_unit_test(test_read_not_regular),
        cmocka_unit_test(test_strmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
