/* sha256.c - see sha256.h. A straightforward FIPS 180-4 implementation,
 * and the same compression function on the x86 SHA extensions (about six
 * times faster: the manifest hashes every output file). */
#include "sha256.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* gcc's: clang 14 (the fuzz harnesses' compiler, tests/fuzz) knows no
 * "sha" for __builtin_cpu_supports, and takes the portable code */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define SHA256_X86 1
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(sha256_ctx *c, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f = c->h[5],
             g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + S1 + ch + K[i] + w[i];
        uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
        uint32_t maj = (a & b) ^ (a & cc) ^ (b & cc);
        uint32_t t2 = S0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
    c->h[5] += f;
    c->h[6] += g;
    c->h[7] += h;
}

#ifdef SHA256_X86
/* SHA, SSSE3 and SSE4.1, as libgcc's start-up code read them from CPUID
 * once: CPUID itself is slow in a virtual machine (each one traps to the
 * hypervisor), and sha256_init runs once per indicator definition too. */
static int cpu_has_sha(void)
{
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("ssse3") &&
           __builtin_cpu_supports("sse4.1");
}

/* n blocks at p with SHA256RNDS2/MSG1/MSG2: four rounds per step, the
 * state kept as ABEF and CDGH as the instructions want it. */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_ni(uint32_t h[8],
                                                                   const unsigned char *p,
                                                                   size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1); /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);  /* EFGH */
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);                                       /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);                                            /* CDGH */
    for (; n; n--, p += 64) {
        __m128i abef = s0, cdgh = s1, w[16];
        for (int i = 0; i < 16; i++) {
            if (i < 4)
                w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
            else
                w[i] = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
                                  _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
                    w[i - 1]);
            __m128i m = _mm_add_epi32(w[i], _mm_loadu_si128((const __m128i *)&K[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }
    tmp = _mm_shuffle_epi32(s0, 0x1B);  /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);   /* DCHG */
    s0 = _mm_blend_epi16(tmp, s1, 0xF0); /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);   /* HGFE */
    _mm_storeu_si128((__m128i *)&h[0], s0);
    _mm_storeu_si128((__m128i *)&h[4], s1);
}
#endif

/* n whole blocks at p. */
static void blocks(sha256_ctx *c, const unsigned char *p, size_t n)
{
#ifdef SHA256_X86
    if (c->ni) {
        blocks_ni(c->h, p, n);
        return;
    }
#endif
    for (; n; n--, p += 64)
        block(c, p);
}

void sha256_init(sha256_ctx *c)
{
    static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, H0, sizeof H0);
    c->len = 0;
    c->nbuf = 0;
#ifdef SHA256_X86
    c->ni = cpu_has_sha();
#else
    c->ni = 0;
#endif
}

void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    c->len += n;
    while (n) {
        if (c->nbuf == 0 && n >= 64) { /* whole blocks straight from the input */
            size_t k = n / 64;
            blocks(c, p, k);
            p += 64 * k;
            n -= 64 * k;
            continue;
        }
        size_t k = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, k);
        c->nbuf += k;
        p += k;
        n -= k;
        if (c->nbuf == 64) {
            blocks(c, c->buf, 1);
            c->nbuf = 0;
        }
    }
}

void sha256_final_hex(sha256_ctx *c, char hex[65])
{
    uint64_t bits = c->len * 8;
    /* 0x80 then zeros up to 56 bytes into a block, in one update (not one a byte) */
    static const unsigned char pad[64] = {0x80};
    sha256_update(c, pad, (c->nbuf < 56 ? 56 : 120) - c->nbuf);
    unsigned char lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(c, lenb, 8);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", c->h[i]);
}

int sha256_fd(int fd, int regular, long long size, char hex[65], long long *bytes)
{
    /* read() into a buffer of the stack's (a fresh heap block this size
     * would be mapped and fault a page at a time); a regular file's last
     * read is the one that falls short, once its size is in (before that,
     * a short read is a piece: network and FUSE file systems give them) */
    sha256_ctx c;
    sha256_init(&c);
    unsigned char buf[65536];
    long long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        sha256_update(&c, buf, (size_t)n);
        total += n;
        if (n == 0 || (regular && total >= size && (size_t)n < sizeof buf))
            break;
    }
    sha256_final_hex(&c, hex);
    if (bytes)
        *bytes = total;
    return 0;
}

int sha256_file_size(const char *path, char hex[65], long long *bytes)
{
    /* a FIFO put in a file's place (a link retargeted after the listing)
     * must not hang the run, nor /dev/zero be read for ever */
    struct stat st;
    int fd = open_regular(path, &st);
    if (fd < 0)
        return -1;
    int rc = sha256_fd(fd, 1, (long long)st.st_size, hex, bytes);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int sha256_file(const char *path, char hex[65])
{
    return sha256_file_size(path, hex, NULL);
}

void sha256_hex(const void *data, size_t n, char hex[65])
{
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, data, n);
    sha256_final_hex(&c, hex);
}

/* The slot that holds path, or the empty one where it would go (linear probing). */
static size_t *digest_slot(const file_digests *l, const char *path)
{
    size_t mask = l->nslot - 1, i = str_hash(path) & mask;
    while (l->slot[i] && strcmp(l->items[l->slot[i] - 1].path, path) != 0)
        i = (i + 1) & mask;
    return &l->slot[i];
}

void file_digests_add(file_digests *l, const char *path, const char hex[65])
{
    if (l->nslot) {
        size_t *s = digest_slot(l, path);
        if (*s) {
            memcpy(l->items[*s - 1].hex, hex, sizeof l->items[*s - 1].hex);
            return;
        }
    }
    file_digest *e = ARRAY_PUSH(l->items, l->n, l->cap);
    e->path = xstrdup(path);
    memcpy(e->hex, hex, sizeof e->hex);
    if (2 * l->n > l->nslot) { /* grow, and place every item again */
        free(l->slot);
        l->nslot = l->nslot ? 2 * l->nslot : 16;
        l->slot = xcalloc(l->nslot, sizeof *l->slot);
        for (size_t i = 0; i < l->n; i++)
            *digest_slot(l, l->items[i].path) = i + 1;
    } else {
        *digest_slot(l, path) = l->n;
    }
}

const char *file_digests_find(const file_digests *l, const char *path)
{
    if (!l->nslot)
        return NULL;
    size_t s = *digest_slot(l, path);
    return s ? l->items[s - 1].hex : NULL;
}

void file_digests_free(file_digests *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].path);
    free(l->items);
    free(l->slot);
    memset(l, 0, sizeof *l);
}
