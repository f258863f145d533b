/*
 * sha256.h - SHA-256 (FIPS 180-4), for the digests in out/manifest.json.
 */
#ifndef PLANEVAL_SHA256_H
#define PLANEVAL_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t len;      /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf;
    int ni;            /* 1: the CPU's SHA instructions do the blocks (set by sha256_init) */
} sha256_ctx;

/* Ready for a new digest; uses the x86 SHA extensions when the CPU has them
 * (ctx.ni = 0 afterwards forces the portable code: the unit tests compare both). */
void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Finish and write the digest as 64 lowercase hex digits + NUL into hex[65]. */
void sha256_final_hex(sha256_ctx *c, char hex[65]);
/* Digest of a whole regular file into hex[65]; returns 0, or -1 (errno set)
 * if it cannot be read, EISDIR or EINVAL if it is a directory or not a
 * regular file (a FIFO, a device: not read). */
int sha256_file(const char *path, char hex[65]);
/* The same, and the number of bytes hashed into *bytes (may be NULL). */
int sha256_file_size(const char *path, char hex[65], long long *bytes);
/* The same of the rest of fd; regular 1 for a regular file of size bytes
 * (its short read past size is its end: no read of 0 bytes after it). */
int sha256_fd(int fd, int regular, long long size, char hex[65], long long *bytes);
/* Digest of n bytes at data into hex[65]. */
void sha256_hex(const void *data, size_t n, char hex[65]);

/*
 * Files and the digests of their bytes as a loader read them: what
 * inputs.sha256 lists of a file already parsed, without reading it again
 * (manifest.h). The paths are copies, owned by the list.
 */
typedef struct file_digest {
    char *path;
    char hex[65];
} file_digest;
typedef struct file_digests {
    file_digest *items;
    size_t n, cap;
    /* items' indices + 1 by a hash of the path (0: empty), nslot a power
     * of two at least twice n: a plan asks for every file it lists, so a
     * scan made that N^2 string compares over N files */
    size_t *slot, nslot;
} file_digests;
/* Record path's digest; a path recorded again takes the new one. */
void file_digests_add(file_digests *l, const char *path, const char hex[65]);
/* The digest recorded for path (the latest), or NULL. */
const char *file_digests_find(const file_digests *l, const char *path);
void file_digests_free(file_digests *l);

#endif
