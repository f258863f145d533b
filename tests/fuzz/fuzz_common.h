/*
 * fuzz_common.h - helpers shared by the libFuzzer harnesses of tests/fuzz/.
 *
 * The loaders under test open files by path, so each harness writes its
 * input to a file in a private scratch directory,
 * $TMPDIR/planeval-fuzz-<harness>-<pid>/, removed at exit.
 *
 * The real dictionary, catalogue and region data are read from the
 * repository root: $PLANEVAL_ROOT, else the directory the harness was built
 * from (FUZZ_ROOT, set by run.sh), else ".".
 */
#ifndef PLANEVAL_FUZZ_COMMON_H
#define PLANEVAL_FUZZ_COMMON_H

#include <stddef.h>

/* Repository root, without a trailing slash. */
const char *fuzz_root(void);
/* "<root>/<rel>" (caller frees). */
char *fuzz_repo_path(const char *rel);
/* Create the scratch directory (once) and return its path. */
const char *fuzz_scratch(const char *harness);
/* "<scratch>/<rel>" (caller frees); rel may hold one subdirectory, created. */
char *fuzz_scratch_path(const char *rel);
/* Write data to path, replacing it; aborts on failure (a broken harness). */
void fuzz_write(const char *path, const void *data, size_t len);
/* Remove every regular file of dir (not recursive). */
void fuzz_clear_dir(const char *dir);
/* Aborts with a message: the harness itself is broken (not a finding). */
void fuzz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
