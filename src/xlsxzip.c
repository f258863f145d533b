/*
 * xlsxzip.c - the zlib level of the workbooks' zip entries.
 *
 * libxlsxwriter (1.1.4) deflates every part of a workbook at zlib's
 * default level, 6, and has no option for it. On the 1,470 parts (19.3 MB
 * of XML) of the workbooks of 20 synthetic regions, zlib took (callgrind
 * instructions, compressed size):
 *
 *     level 6   1.45 billion   3.05 MB   (libxlsxwriter's)
 *     level 3   0.76 billion   3.40 MB
 *     level 2   0.71 billion   3.49 MB
 *     level 1   0.70 billion   3.62 MB
 *
 * Level 3 does almost all of the saving for the least growth, so this
 * definition of minizip's zipOpenNewFileInZip4_64, which libxlsxwriter
 * calls once per part, hands that call on to minizip's own (the next
 * definition in the dynamic linker's search order) with level 3 in place
 * of the default. A caller that names its own level keeps it. The parts
 * themselves are unchanged: only their compressed bytes differ.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <zip.h>

#define XLSX_ZIP_LEVEL 3

typedef int (*open_fn)(zipFile, const char *, const zip_fileinfo *, const void *, uInt,
                       const void *, uInt, const char *, int, int, int, int, int, int,
                       const char *, uLong, uLong, uLong, int);

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                            const void *extrafield_local, uInt size_extrafield_local,
                            const void *extrafield_global, uInt size_extrafield_global,
                            const char *comment, int method, int level, int raw, int windowBits,
                            int memLevel, int strategy, const char *password,
                            uLong crcForCrypting, uLong versionMadeBy, uLong flagBase,
                            int zip64)
{
    open_fn real;
    void *sym = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
    if (!sym)
        return ZIP_INTERNALERROR;
    *(void **)&real = sym; /* POSIX's way from an object to a function pointer */
    if (method == Z_DEFLATED && level == Z_DEFAULT_COMPRESSION)
        level = XLSX_ZIP_LEVEL;
    return real(file, filename, zipfi, extrafield_local, size_extrafield_local,
                extrafield_global, size_extrafield_global, comment, method, level, raw,
                windowBits, memLevel, strategy, password, crcForCrypting, versionMadeBy,
                flagBase, zip64);
}
