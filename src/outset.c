/* outset.c - see outset.h. */
#define _GNU_SOURCE /* renameat2 (RENAME_EXCHANGE, RENAME_NOREPLACE) */
#include "outset.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdirs(const char *path)
{
    /* The whole path first: it nearly always exists or lacks only its last
     * component (one call then, not one per component); otherwise, or on
     * any other error, component by component as always. */
    if (!*path) { /* "" (--out ""): no directory, and p + 1 below would be past it */
        errno = ENOENT;
        return -1;
    }
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
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

/* Remove name under dirfd, a directory with what it holds; links are
 * removed, never followed. depth bounds what a planted tree can cost. */
static int remove_tree_at(int dirfd, const char *name, int depth)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if ((errno != EISDIR && errno != EPERM) || depth > 16)
        return -1;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *dh = fdopendir(fd);
    if (!dh) {
        close(fd);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(dh)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove_tree_at(fd, e->d_name, depth + 1);
    closedir(dh);
    return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}

static int remove_tree(const char *path)
{
    return remove_tree_at(AT_FDCWD, path, 0);
}

/* fsync a directory, so that the names created or renamed in it survive a power cut. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The test hook of outset.h: N from PLANEVAL_TEST_KILL_AT when its LABEL is label. */
static long kill_step_for(const char *label)
{
    const char *e = getenv("PLANEVAL_TEST_KILL_AT");
    const char *colon = e ? strrchr(e, ':') : NULL;
    if (!colon || strlen(label) != (size_t)(colon - e) || strncmp(e, label, strlen(label)) != 0)
        return 0;
    return strtol(colon + 1, NULL, 10);
}

static void step(out_set *s)
{
    if (s->kill_at > 0 && ++s->step == s->kill_at)
        raise(SIGKILL);
}

int outset_open(out_set *s, const char *dir, int own, diag_list *d)
{
    memset(s, 0, sizeof *s);
    s->dir = xstrdup(dir);
    s->own = own;
    char *parent = own ? path_parent(dir) : NULL;
    if (mkdirs(own ? parent : dir) != 0) {
        diag_add(d, DIAG_ERROR, own ? parent : dir, 0, 0,
                 "cannot create the output directory: %s", strerror(errno));
        free(parent);
        return -1;
    }
    if (!own)
        return 0;
    struct stat st;
    int rc = 0;
    if (lstat(dir, &st) == 0)
        rc = own_directory(dir, d); /* the previous set: never a link */
    if (rc == 0) {
        /* The generation directory: made new. A leftover of an earlier
         * process with this pid, or a planted link, is removed, when mkdir
         * finds the name taken (mkdir follows no link). */
        s->build = xasprintf("%s/.%s.tmp.%ld", parent, base_of(dir), (long)getpid());
        int made = mkdir(s->build, 0777) == 0;
        if (!made && errno == EEXIST) {
            remove_tree(s->build);
            made = mkdir(s->build, 0777) == 0;
        }
        if (!made) {
            diag_add(d, DIAG_ERROR, s->build, 0, 0, "cannot create: %s", strerror(errno));
            free(s->build);
            s->build = NULL;
            rc = -1;
        } else {
            rc = own_directory(s->build, d);
        }
    }
    free(parent);
    return rc;
}

/* A new entry for dir/name, or NULL (an error in d) when its subdirectory cannot be used. */
static out_file *add_file(out_set *s, const char *name, diag_list *d)
{
    if (s->own && !s->build) {
        diag_add(d, DIAG_ERROR, s->dir, 0, 0, "the output directory could not be prepared");
        return NULL;
    }
    const char *slash = strrchr(name, '/');
    int sub = slash ? (int)(slash - name + 1) : 0;
    /* Own sets write under the final name inside the generation directory;
     * shared ones next to the final name, the pid keeping two concurrent
     * runs from sharing a temporary name. */
    char *tmp = s->own ? xasprintf("%s/%s", s->build, name)
                       : xasprintf("%s/%.*s.%s.tmp.%ld", s->dir, sub, name, name + sub,
                                   (long)getpid());
    if (sub) {
        char *subdir = xasprintf("%s/%.*s", s->own ? s->build : s->dir, sub - 1, name);
        int bad = mkdirs(subdir) != 0;
        if (bad)
            diag_add(d, DIAG_ERROR, subdir, 0, 0, "cannot create the output directory: %s",
                     strerror(errno));
        else if (s->own)
            bad = own_directory(subdir, d) != 0; /* charts/ may not lead out of the plan's directory */
        int known = 0;
        for (size_t i = 0; i < s->nsub && !known; i++)
            known = strcmp(s->subdirs[i], subdir) == 0;
        if (!bad && !known)
            *ARRAY_PUSH(s->subdirs, s->nsub, s->capsub) = xstrdup(subdir);
        free(subdir);
        if (bad) {
            free(tmp);
            return NULL;
        }
    }
    out_file *f = ARRAY_PUSH(s->files, s->n, s->cap);
    f->final_path = xasprintf("%s/%s", s->dir, name);
    f->tmp_path = tmp;
    f->name = xstrdup(name);
    f->f = NULL;
    return f;
}

/*
 * Create the temporary as a new file: whatever stands at its name (a link
 * planted for this pid, a leftover of an earlier process with the same pid)
 * is removed (unlink removes a link, not what it points to), and
 * O_EXCL|O_NOFOLLOW refuse anything that appears in between. The name is
 * nearly always free, so the removal is tried only when the create finds
 * it taken (one system call per file instead of two): what ends up there
 * is the same. Returns the descriptor, or -1 with an error in d.
 */
static int create_new(const char *path, diag_list *d)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0 && unlink(path) != 0 && errno != ENOENT)
            break;
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    diag_add(d, DIAG_ERROR, path, 0, 0, "cannot create: %s", strerror(errno));
    return -1;
}

/* add_file and create_new: the descriptor of the new temporary of dir/name, or -1. */
static int open_new(out_set *s, const char *name, out_file **out, diag_list *d)
{
    out_file *f = add_file(s, name, d);
    *out = f;
    return f ? create_new(f->tmp_path, d) : -1;
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

/*
 * Flush, sync and close one file. A full disk shows up at fflush/fclose,
 * not at fprintf; fsync makes the data durable before any rename makes it
 * the committed version (a power cut must not leave a committed name on
 * empty blocks). A library's file was created empty by outset_path, so
 * empty means unwritten.
 */
static int finish_file(out_file *f, diag_list *d)
{
    int err = 0;
    if (f->f) {
        err = ferror(f->f) || fflush(f->f) != 0 || fsync(fileno(f->f)) != 0;
        if (fclose(f->f) != 0)
            err = 1;
        f->f = NULL;
        if (err)
            diag_add(d, DIAG_ERROR, f->final_path, 0, 0, "write failed: %s", strerror(errno));
        return err ? -1 : 0;
    }
    struct stat st;
    int fd = open(f->tmp_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        diag_add(d, DIAG_ERROR, f->final_path, 0, 0, "was not written");
        err = 1;
    } else if (fsync(fd) != 0) {
        diag_add(d, DIAG_ERROR, f->final_path, 0, 0, "write failed: %s", strerror(errno));
        err = 1;
    }
    if (fd >= 0)
        close(fd);
    return err ? -1 : 0;
}

/*
 * An own set: the generation directory takes the place of dir in one
 * rename. Where the file system cannot exchange two directories, the
 * previous one is moved aside (.NAME.old.PID) and the new one renamed in;
 * a kill between those two renames leaves dir missing, and
 * outset_remove_stale() puts the previous set back.
 */
static int commit_own(out_set *s, diag_list *d)
{
    char *parent = path_parent(s->dir);
    for (size_t i = 0; i < s->nsub; i++)
        sync_dir(s->subdirs[i]);
    step(s);
    if (sync_dir(s->build) != 0) {
        diag_add(d, DIAG_ERROR, s->build, 0, 0, "cannot sync: %s", strerror(errno));
        free(parent);
        return -1;
    }
    struct stat st;
    int exists = lstat(s->dir, &st) == 0;
    if (exists && own_directory(s->dir, d) != 0) {
        free(parent);
        return -1;
    }
    char *garbage = NULL; /* where the previous set ends up */
    int rc;
    step(s);
    if (exists) {
        /* PLANEVAL_TEST_NO_EXCHANGE (tests only): as on a file system without it */
        rc = getenv("PLANEVAL_TEST_NO_EXCHANGE") ? (errno = EINVAL, -1)
                                                 : renameat2(AT_FDCWD, s->build, AT_FDCWD, s->dir,
                                                             RENAME_EXCHANGE);
        if (rc == 0) {
            garbage = xstrdup(s->build);
        } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
            garbage = xasprintf("%s/.%s.old.%ld", parent, base_of(s->dir), (long)getpid());
            remove_tree(garbage);
            rc = rename(s->dir, garbage);
            step(s);
            if (rc == 0 && (rc = rename(s->build, s->dir)) != 0)
                rename(garbage, s->dir); /* put the previous set back */
        }
    } else {
        rc = renameat2(AT_FDCWD, s->build, AT_FDCWD, s->dir, RENAME_NOREPLACE);
        if (rc != 0 && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
            rc = rename(s->build, s->dir);
    }
    if (rc != 0) {
        diag_add(d, DIAG_ERROR, s->dir, 0, 0,
                 "cannot put the new results in place: %s; the previous results are unchanged",
                 strerror(errno));
        free(garbage);
        free(parent);
        return -1;
    }
    step(s);
    sync_dir(parent); /* the swap itself, durable */
    step(s);
    /* After an exchange the generation directory's name holds the previous set */
    int build_left = garbage && strcmp(garbage, s->build) == 0;
    if (garbage && remove_tree(garbage) == 0)
        build_left = 0;
    step(s);
    if (!build_left) { /* gone: nothing for outset_abort to remove */
        free(s->build);
        s->build = NULL;
    }
    free(garbage);
    free(parent);
    return 0;
}

/* The journal of a shared set: "TMP\tFINAL" per file (names in dir),
 * written whole under a temporary name, synced, then renamed into place. */
static char *write_journal(out_set *s, diag_list *d)
{
    char *path = xasprintf("%s/.commit.%ld", s->dir, (long)getpid());
    char *tmp = xasprintf("%s.new", path);
    int fd = create_new(tmp, d);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    int err = !f;
    if (!f && fd >= 0)
        close(fd);
    for (size_t i = 0; f && i < s->n; i++)
        fprintf(f, "%s\t%s\n", base_of(s->files[i].tmp_path), s->files[i].name);
    if (f) {
        err = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
        err |= fclose(f) != 0;
    }
    if (err || rename(tmp, path) != 0 || sync_dir(s->dir) != 0) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "cannot write the commit journal: %s", strerror(errno));
        unlink(tmp);
        unlink(path);
        free(tmp);
        free(path);
        return NULL;
    }
    free(tmp);
    return path;
}

/*
 * A shared set: the previous version of each file is kept under a backup
 * name (a hard link, so the final name never disappears) while the new
 * files are renamed into place; if one rename fails, the ones already done
 * are undone from the backups. Two or more files go through the journal.
 */
static int commit_shared(out_set *s, diag_list *d)
{
    char *journal = NULL;
    step(s);
    if (s->n > 1 && !(journal = write_journal(s, d)))
        return -1;
    char **backup = xcalloc(s->n ? s->n : 1, sizeof(char *));
    for (size_t i = 0; i < s->n; i++) {
        backup[i] = xasprintf("%s.bak", s->files[i].tmp_path);
        /* a stale backup name (a killed run's, same pid) is removed and the link retried */
        int linked = link(s->files[i].final_path, backup[i]) == 0;
        if (!linked && errno == EEXIST && unlink(backup[i]) == 0)
            linked = link(s->files[i].final_path, backup[i]) == 0;
        else if (!linked)
            unlink(backup[i]); /* no previous version: a leftover at the name goes (ENOENT if none) */
        if (!linked) {
            free(backup[i]); /* no previous version (or not a plain file) */
            backup[i] = NULL;
        }
    }
    int failed = 0;
    size_t done = 0;
    for (; done < s->n; done++) {
        step(s);
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
    /* The temporaries renamed have no name left for outset_abort to remove. */
    for (size_t i = 0; i < done; i++) {
        free(s->files[i].tmp_path);
        s->files[i].tmp_path = NULL;
    }
    step(s);
    sync_dir(s->dir);
    if (journal) {
        unlink(journal); /* the renames are done (or undone) */
        free(journal);
    }
    for (size_t i = 0; i < s->n; i++) {
        if (backup[i])
            unlink(backup[i]); /* ENOENT after a restore is fine */
        free(backup[i]);
    }
    free(backup);
    return failed ? -1 : 0;
}

int outset_commit(out_set *s, diag_list *d)
{
    s->kill_at = kill_step_for(s->own ? base_of(s->dir) : s->n ? s->files[0].name : "");
    int failed = 0;
    for (size_t i = 0; i < s->n; i++) {
        step(s);
        if (finish_file(&s->files[i], d) != 0)
            failed = 1;
    }
    if (!failed)
        failed = (s->own ? commit_own(s, d) : commit_shared(s, d)) != 0;
    outset_abort(s); /* frees; removes what was not put in place */
    return failed ? -1 : 0;
}

void outset_abort(out_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->files[i].f)
            fclose(s->files[i].f);
        if (!s->own && s->files[i].tmp_path)
            unlink(s->files[i].tmp_path);
        free(s->files[i].final_path);
        free(s->files[i].tmp_path);
        free(s->files[i].name);
    }
    if (s->build)
        remove_tree(s->build); /* NULL once commit_own has seen it gone */
    for (size_t i = 0; i < s->nsub; i++)
        free(s->subdirs[i]);
    free(s->subdirs);
    free(s->files);
    free(s->build);
    free(s->dir);
    memset(s, 0, sizeof *s);
}

enum leftover { NOT_OURS, TEMPORARY, MOVED_ASIDE, JOURNAL };

/*
 * What a name in an output directory is: a temporary (.NAME.tmp.PID,
 * .NAME.tmp.PID.bak, .commit.PID.new), a previous set moved aside
 * (.NAME.old.PID) or a journal (.commit.PID); *pid its process. *len is the
 * length of NAME for MOVED_ASIDE.
 */
static enum leftover leftover_kind(const char *name, long *pid, size_t *len)
{
    if (name[0] != '.')
        return NOT_OURS;
    static const char *const marks[] = {".tmp.", ".old.", ".commit."};
    for (int k = 0; k < 3; k++) {
        const char *t = NULL;
        for (const char *p = strstr(name, marks[k]); p; p = strstr(p + 1, marks[k]))
            t = p; /* the last one: NAME may itself contain ".tmp." */
        if (!t || (k < 2 && t == name) || (k == 2 && t != name))
            continue;
        const char *num = t + strlen(marks[k]);
        char *end;
        errno = 0;
        *pid = strtol(num, &end, 10);
        if (errno || *pid <= 0 || end == num)
            continue;
        *len = (size_t)(t - name - 1);
        if (k == 0 && (!*end || strcmp(end, ".bak") == 0))
            return TEMPORARY;
        if (k == 1 && !*end)
            return MOVED_ASIDE;
        if (k == 2)
            return !*end ? JOURNAL : strcmp(end, ".new") == 0 ? TEMPORARY : NOT_OURS;
    }
    return NOT_OURS;
}

/* Complete the renames of a killed run's journal: its files are complete
 * and synced, so rolling forward gives the whole new set. */
static void replay_journal(const char *dir, const char *journal)
{
    struct stat st;
    if (lstat(journal, &st) != 0 || !S_ISREG(st.st_mode))
        return; /* a planted link is removed, not read */
    char *text = read_whole_file(journal, NULL), *save = NULL;
    for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        if (!tab || strchr(line, '/'))
            continue; /* a journal names files in dir only */
        *tab = '\0';
        char *from = xasprintf("%s/%s", dir, line), *to = xasprintf("%s/%s", dir, tab + 1);
        if (lstat(from, &st) == 0 && S_ISREG(st.st_mode))
            rename(from, to);
        free(from);
        free(to);
    }
    free(text);
    sync_dir(dir);
}

static int process_gone(long pid)
{
    return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* One pass over dir for leftovers of kind want of dead processes; returns
 * how many were handled. *seen gains a bit (1 << kind) for each kind met. */
static int handle_leftovers(const char *dir, enum leftover want, unsigned *seen)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return 0;
    int handled = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        long pid;
        size_t len;
        enum leftover kind = leftover_kind(e->d_name, &pid, &len);
        *seen |= 1u << kind;
        if (kind != want || !process_gone(pid))
            continue; /* alive (or not ours to ask about): keep */
        char *path = xasprintf("%s/%s", dir, e->d_name);
        if (want == JOURNAL) {
            replay_journal(dir, path);
            handled += unlink(path) == 0;
        } else if (want == MOVED_ASIDE) {
            char *orig = xasprintf("%s/%.*s", dir, (int)len, e->d_name + 1);
            struct stat st;
            if (lstat(orig, &st) != 0 && errno == ENOENT)
                handled += rename(path, orig) == 0; /* killed between the two renames */
            else
                handled += remove_tree(path) == 0;
            free(orig);
        } else {
            handled += remove_tree(path) == 0;
        }
        free(path);
    }
    closedir(dh);
    return handled;
}

/*
 * Unless there was a journal (its renames may give any name), a pass is
 * made only for a kind the first pass met: putting a set back or removing
 * makes no leftover, so a kind absent then is absent later. A clean
 * directory is read once, not three times.
 */
int outset_remove_stale(const char *dir)
{
    unsigned seen = 0;
    /* journals first, before the temporaries they name are removed */
    handle_leftovers(dir, JOURNAL, &seen);
    if (seen & (1u << JOURNAL))
        seen = ~0u;
    if (seen & (1u << MOVED_ASIDE))
        handle_leftovers(dir, MOVED_ASIDE, &seen);
    return seen & (1u << TEMPORARY) ? handle_leftovers(dir, TEMPORARY, &seen) : 0;
}

int outset_lock(const char *dir, diag_list *d)
{
    /* The directory itself is locked: no file of the lock's own in out/
     * (a refused run writes nothing there), and flock(1) takes the same one. */
    int fd = mkdirs(dir) == 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd < 0) {
        diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot open the output directory to lock it: %s",
                 strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot lock the output directory: %s",
                     strerror(errno));
            close(fd);
            return -1;
        }
        fprintf(stderr, "planeval: %s is in use by another run; waiting for it to finish\n", dir);
        fflush(stderr);
        int rc;
        while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
            ;
        if (rc != 0) {
            diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot lock the output directory: %s",
                     strerror(errno));
            close(fd);
            return -1;
        }
    }
    return 0; /* fd stays open: the lock lasts as long as the process */
}
