/*
 * outset.h - writing a set of output files all or nothing.
 *
 * Every file is first written under a temporary name in its final
 * directory; outset_commit() renames them into place only when every one was
 * written without error. A failed or killed run therefore leaves the
 * previous reports intact, and never a half-written file under a real name.
 */
#ifndef PLANEVAL_OUTSET_H
#define PLANEVAL_OUTSET_H

#include <stdio.h>

#include "diag.h"

typedef struct out_file {
    char *final_path;
    char *tmp_path;
    FILE *f; /* NULL for files written by a library through tmp_path */
} out_file;

typedef struct out_set {
    char *dir;
    int own;           /* dir is planeval's own: no link, this user's (outset_open) */
    out_file *files;
    size_t n, cap;
} out_set;

/*
 * Create dir (and parents) if needed. own: dir is planeval's own (a plan's
 * directory), refused when it is a symbolic link or belongs to another user,
 * as is any subdirectory made for a file (charts/). Returns 0 or -1 with an
 * error in d.
 */
int outset_open(out_set *s, const char *dir, int own, diag_list *d);
/*
 * A stream for dir/name, written to a temporary file created new
 * (O_EXCL|O_NOFOLLOW: a planted link is removed, never followed). NULL on error.
 */
FILE *outset_stream(out_set *s, const char *name, diag_list *d);
/* A temporary path for dir/name, for libraries that write files themselves:
 * the file is created new here first, as for outset_stream. NULL on error. */
const char *outset_path(out_set *s, const char *name, diag_list *d);
/* Close, flush and rename everything into place. 0, or -1 and nothing renamed. */
int outset_commit(out_set *s, diag_list *d);
/* Remove the temporary files; the previous outputs stay as they were. */
void outset_abort(out_set *s);

/*
 * Remove the temporaries that a killed run left in dir (not in its
 * subdirectories): files named .NAME.tmp.PID or .NAME.tmp.PID.bak whose
 * process PID no longer exists. Those of a live process, e.g. a concurrent
 * run, are kept. Returns the number removed.
 */
int outset_remove_stale(const char *dir);

#endif
