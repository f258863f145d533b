/* outset.c - see outset.h. */
#include "outset.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdirs(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/*
 * A directory planeval writes into as its own must be a real directory of
 * this user: a symbolic link planted in its place would carry the outputs
 * (and their renames) anywhere the link points.
 */
static int own_directory(const char *dir, diag_list *d)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot use the output directory: %s", strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
        diag_add(d, DIAG_ERROR, dir, 0, 0,
                 "is %s, not a directory: refusing to write through it (remove it)",
                 S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
        return -1;
    }
    if (st.st_uid != geteuid()) {
        diag_add(d, DIAG_ERROR, dir, 0, 0,
                 "belongs to another user (uid %ld): refusing to write into it", (long)st.st_uid);
        return -1;
    }
    return 0;
}

int outset_open(out_set *s, const char *dir, int own, diag_list *d)
{
    memset(s, 0, sizeof *s);
    s->dir = xstrdup(dir);
    if (mkdirs(dir) != 0) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot create the output directory: %s",
                 strerror(errno));
        return -1;
    }
    s->own = own;
    return own ? own_directory(dir, d) : 0;
}

/* A new entry for dir/name, or NULL (an error in d) when its subdirectory cannot be used. */
static out_file *add_file(out_set *s, const char *name, diag_list *d)
{
    char *final_path = xasprintf("%s/%s", s->dir, name);
    /* The temporary sits next to its final name (name may hold a
     * subdirectory, e.g. charts/A3.png, created here); the pid keeps two
     * concurrent runs from sharing a temporary name. */
    const char *slash = strrchr(name, '/');
    int sub = slash ? (int)(slash - name + 1) : 0;
    char *tmp = xasprintf("%s/%.*s.%s.tmp.%ld", s->dir, sub, name, name + sub, (long)getpid());
    if (sub) {
        char *subdir = xasprintf("%s/%.*s", s->dir, sub - 1, name);
        int bad = mkdirs(subdir) != 0;
        if (bad)
            diag_add(d, DIAG_ERROR, subdir, 0, 0, "cannot create the output directory: %s",
                     strerror(errno));
        else if (s->own)
            bad = own_directory(subdir, d) != 0; /* charts/ may not lead out of the plan's directory */
        free(subdir);
        if (bad) {
            free(final_path);
            free(tmp);
            return NULL;
        }
    }
    out_file *f = ARRAY_PUSH(s->files, s->n, s->cap);
    f->final_path = final_path;
    f->tmp_path = tmp;
    f->f = NULL;
    return f;
}

/*
 * Create the temporary as a new file: whatever stands at its name (a link
 * planted for this pid, a leftover of an earlier process with the same pid)
 * is removed first (unlink removes a link, not what it points to), and
 * O_EXCL|O_NOFOLLOW refuse anything that appears in between. Returns the
 * descriptor, or -1 with an error in d.
 */
static int create_new(const out_file *f, diag_list *d)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (unlink(f->tmp_path) != 0 && errno != ENOENT)
            break;
        int fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    diag_add(d, DIAG_ERROR, f->tmp_path, 0, 0, "cannot create: %s", strerror(errno));
    return -1;
}

/* add_file and create_new: the descriptor of the new temporary of dir/name, or -1. */
static int open_new(out_set *s, const char *name, out_file **out, diag_list *d)
{
    out_file *f = add_file(s, name, d);
    *out = f;
    return f ? create_new(f, d) : -1;
}

FILE *outset_stream(out_set *s, const char *name, diag_list *d)
{
    out_file *f;
    int fd = open_new(s, name, &f, d);
    if (fd < 0)
        return NULL;
    f->f = fdopen(fd, "wb");
    if (!f->f) {
        close(fd);
        diag_add(d, DIAG_ERROR, f->tmp_path, 0, 0, "cannot write: %s", strerror(errno));
        return NULL;
    }
    return f->f;
}

/*
 * Libraries (libxlsxwriter, libharu) open the path themselves with fopen,
 * which would follow a link: the temporary is created here first, as a new
 * plain file of ours, so that what they open and truncate is that file.
 */
const char *outset_path(out_set *s, const char *name, diag_list *d)
{
    out_file *f;
    int fd = open_new(s, name, &f, d);
    if (fd < 0)
        return NULL;
    close(fd);
    return f->tmp_path;
}

int outset_commit(out_set *s, diag_list *d)
{
    int failed = 0;
    for (size_t i = 0; i < s->n; i++) {
        out_file *f = &s->files[i];
        if (f->f) {
            /* A full disk shows up at fflush/fclose, not at fprintf. No
             * fsync: rename already protects against a killed or failed run,
             * and a sync per chart file made whole runs several times slower;
             * durability across power loss is the file system's job. */
            int err = ferror(f->f) || fflush(f->f) != 0;
            if (fclose(f->f) != 0)
                err = 1;
            f->f = NULL;
            if (err) {
                diag_add(d, DIAG_ERROR, f->final_path, 0, 0, "write failed: %s", strerror(errno));
                failed = 1;
            }
        } else {
            /* a library's file: created empty by outset_path, so empty means unwritten */
            struct stat st;
            if (lstat(f->tmp_path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
                diag_add(d, DIAG_ERROR, f->final_path, 0, 0, "was not written");
                failed = 1;
            }
        }
    }
    if (failed) {
        outset_abort(s);
        return -1;
    }
    /*
     * Keep the previous version of each file under a backup name (a hard
     * link, so the final name never disappears), then rename the new files
     * into place. If one rename fails, the ones already done are undone from
     * the backups: the directory ends as it was before the run.
     */
    char **backup = xcalloc(s->n ? s->n : 1, sizeof(char *));
    for (size_t i = 0; i < s->n; i++) {
        backup[i] = xasprintf("%s.bak", s->files[i].tmp_path);
        unlink(backup[i]);
        if (link(s->files[i].final_path, backup[i]) != 0) {
            free(backup[i]); /* no previous version (or not a plain file) */
            backup[i] = NULL;
        }
    }
    size_t done = 0;
    for (; done < s->n; done++) {
        if (rename(s->files[done].tmp_path, s->files[done].final_path) != 0) {
            diag_add(d, DIAG_ERROR, s->files[done].final_path, 0, 0,
                     "cannot rename into place: %s; the previous results were restored",
                     strerror(errno));
            failed = 1;
            break;
        }
    }
    if (failed) {
        for (size_t i = 0; i < done; i++) {
            if (backup[i])
                rename(backup[i], s->files[i].final_path);
            else
                unlink(s->files[i].final_path);
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        if (backup[i])
            unlink(backup[i]); /* ENOENT after a restore is fine */
        free(backup[i]);
    }
    free(backup);
    outset_abort(s); /* frees; the temporaries are gone after rename */
    return failed ? -1 : 0;
}

void outset_abort(out_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->files[i].f)
            fclose(s->files[i].f);
        unlink(s->files[i].tmp_path); /* ENOENT after a rename is fine */
        free(s->files[i].final_path);
        free(s->files[i].tmp_path);
    }
    free(s->files);
    free(s->dir);
    memset(s, 0, sizeof *s);
}

/* The pid of a temporary's name (.NAME.tmp.PID[.bak]), or 0 if it is not one. */
static long temporary_pid(const char *name)
{
    if (name[0] != '.')
        return 0;
    const char *t = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
        t = p; /* the last one: NAME may itself contain ".tmp." */
    if (!t || t == name)
        return 0;
    char *end;
    errno = 0;
    long pid = strtol(t + 5, &end, 10);
    if (errno || pid <= 0 || end == t + 5 || (*end && strcmp(end, ".bak") != 0))
        return 0;
    return pid;
}

int outset_remove_stale(const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        long pid = temporary_pid(e->d_name);
        if (!pid || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive (or not ours to ask about): keep */
        char *path = xasprintf("%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            removed++;
        free(path);
    }
    closedir(dh);
    return removed;
}
