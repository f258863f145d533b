/*
 * manifest.h - what a plan's results depend on, and out/manifest.json.
 *
 * Each plan's output directory holds inputs.sha256: the SHA-256 of every
 * input (plan file, catalogue, data dictionary, templates, the region's data
 * files) and the options that shaped the results, in sha256sum format. A run
 * whose inputs are unchanged skips the plan unless forced.
 *
 * out/manifest.json lists, for every plan directory under out/, its inputs
 * and every output file with its digest and size, in a fixed order and
 * without timestamps, so that two annual runs can be diffed. Because it is
 * rebuilt from the directories, shards of one run that share (or are copied
 * into) one out/ directory merge into one manifest by `planeval manifest`.
 */
#ifndef PLANEVAL_MANIFEST_H
#define PLANEVAL_MANIFEST_H

#include "diag.h"

typedef struct input_dirs {
    const char *catalogue;     /* catalogue.yaml in use */
    const char *variables_dir; /* the data dictionary in use */
    const char *data_dir;      /* data/<region>/ lives here */
    const char *templates_dir;
} input_dirs;

/*
 * The digest of a file the run has parsed already (of the bytes it read),
 * or NULL: the file is then read for its digest. So an input is not read
 * twice, and a file changed after it was parsed is listed as it was used
 * (the next run sees the change and renders again).
 */
typedef const char *(*known_digest_fn)(void *ctx, const char *path);

/*
 * The inputs.sha256 text for a plan: a header line with the version and
 * options, then "<sha256>  <path>" per input, sorted by path; known (may be
 * NULL) with ctx gives the digests already known. Caller frees.
 */
char *inputs_listing(const char *plan_path, const char *region, const input_dirs *dirs,
                     const char *options_line, known_digest_fn known, void *ctx,
                     diag_list *d);

/* 1 if plan_out_dir/inputs.sha256 equals listing and every output it had is there. */
int inputs_unchanged(const char *plan_out_dir, const char *listing);

/* Rebuild out_dir/manifest.json from the plan directories in out_dir. */
int manifest_write(const char *out_dir, const char *version, diag_list *d);

#endif
