/*
 * outset.h - writing a set of output files all or nothing.
 *
 * A plan's directory (own) is replaced as a whole: its files are written
 * into a new generation directory next to it (.NAME.tmp.PID), synced, and
 * swapped with the previous directory by one rename (RENAME_EXCHANGE), so
 * that at any instant out/<plan>/ is the complete previous set or the
 * complete new one. Files in a shared directory (out/manifest.json,
 * out/comparison.*) are written under temporary names and renamed into
 * place; a set of more than one is committed through a journal
 * (.commit.PID), which the next outset_remove_stale() completes if the run
 * was killed during the renames.
 *
 * Tests only: PLANEVAL_TEST_KILL_AT=LABEL:N kills the process (SIGKILL) just
 * before step N of the commit of the set LABEL (a plan id, or the first
 * file's name for a shared set, e.g. comparison.csv); steps are each file's
 * sync, the directory syncs, the renames and the removal of the old set.
 * PLANEVAL_TEST_NO_EXCHANGE=1 takes the path of a file system that cannot
 * exchange two directories (two renames, see outset_remove_stale).
 */
#ifndef PLANEVAL_OUTSET_H
#define PLANEVAL_OUTSET_H

#include <stdio.h>

#include "diag.h"

typedef struct out_file {
    char *final_path;
    char *tmp_path;
    char *name; /* relative to the set's directory */
    FILE *f;    /* NULL for files written by a library through tmp_path */
} out_file;

typedef struct out_set {
    char *dir;   /* where the files end up */
    char *build; /* own sets: the generation directory being written, else NULL */
    int own;     /* dir is planeval's own: replaced as a whole (outset_open) */
    out_file *files;
    size_t n, cap;
    char **subdirs; /* made in build (charts), synced at commit */
    size_t nsub, capsub;
    long kill_at, step; /* the test hook (above): 0 when not asked for */
} out_set;

/*
 * Prepare writing into dir (parents created if needed). own: dir is
 * planeval's own (a plan's directory): refused when it is a symbolic link
 * or belongs to another user; its files are written into a new generation
 * directory and replace the whole directory at commit. Returns 0 or -1 with
 * an error in d.
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
/* Flush and sync everything, then put it in place as one unit (see above).
 * 0, or -1 and the previous files as they were. */
int outset_commit(out_set *s, diag_list *d);
/* Remove the temporary files; the previous outputs stay as they were. */
void outset_abort(out_set *s);

/*
 * What a killed run left in dir (not in its subdirectories), for processes
 * that no longer exist: a journal's renames are completed first; then
 * temporaries (.NAME.tmp.PID[.bak], generation directories) are removed,
 * and a previous set moved aside (.NAME.old.PID, where the file system
 * cannot exchange directories) is put back if NAME is missing. Those of a
 * live process, e.g. a concurrent run, are kept. Returns the number removed.
 */
int outset_remove_stale(const char *dir);

/*
 * Take the lock of an output directory (flock on dir itself, created if
 * needed): one run at a time writes into an out/ directory. If another
 * process holds it, say so on stderr and wait for it. The lock is held
 * until the process and its children exit. Returns 0, or -1 with an error
 * in d.
 */
int outset_lock(const char *dir, diag_list *d);

#endif
