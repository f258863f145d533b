/* manifest.c - see manifest.h. */
#include "manifest.h"
#include "compare.h"
#include "dataset.h"
#include "outset.h"
#include "sha256.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct path_list {
    char **items;
    size_t n, cap;
} path_list;

static void path_list_free(path_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Regular files under dir (recursively when deep), skipping hidden names
 * (temporary files of an interrupted run start with a dot). rel is the path
 * relative to the listing's root. Symbolic links are followed only when
 * links is set, and only to a regular file: the input directories, whose
 * loaders follow them (a table linked from elsewhere is read, so it is an
 * input). Never in a deep listing of outputs: a link to the repository or
 * to ".." would list it, or loop; no hard link can make a cycle.
 */
static void list_files(const char *dir, const char *rel, int deep, int links, path_list *out)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *full = xasprintf("%s/%s", dir, e->d_name);
        char *r = rel[0] ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        /* the entry's type as the directory gives it: lstat only where the
         * file system does not say (a system call per file) */
        struct stat st;
        int type = e->d_type;
        if (type == DT_UNKNOWN && lstat(full, &st) == 0)
            type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR
                   : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
        if (type == DT_LNK && links && !deep && stat(full, &st) == 0 && S_ISREG(st.st_mode))
            type = DT_REG;
        if (type == DT_REG) {
            *ARRAY_PUSH(out->items, out->n, out->cap) = r;
            r = NULL;
        } else if (type == DT_DIR && deep) {
            list_files(full, r, deep, links, out);
        }
        free(r);
        free(full);
    }
    closedir(dp);
    if (out->n)
        qsort(out->items, out->n, sizeof *out->items, cmp_path);
}

/* The digests known already, or read. */
typedef struct digest_src {
    known_digest_fn known;
    void *ctx;
} digest_src;

static void add_digest(strbuf *b, const char *path, const digest_src *src, diag_list *d)
{
    const char *had = src->known ? src->known(src->ctx, path) : NULL;
    if (had) {
        sb_printf(b, "%s  %s\n", had, path);
        return;
    }
    char hex[65];
    if (sha256_file(path, hex) != 0) {
        /* EINVAL: it became a FIFO or a device since it was listed (util.h) */
        diag_add(d, DIAG_WARNING, path, 0, 0, "cannot read for its digest: %s",
                 errno == EINVAL ? "not a regular file" : strerror(errno));
        return;
    }
    sb_printf(b, "%s  %s\n", hex, path);
}

/*
 * Files of dir whose names end in suffix, or are named `also` (may be NULL),
 * in name order (a README edit is not a new input).
 */
static void add_dir(strbuf *b, const char *dir, const char *suffix, const char *also,
                    const digest_src *src, diag_list *d)
{
    path_list l = {0};
    list_files(dir, "", 0, 1, &l);
    for (size_t i = 0; i < l.n; i++) {
        size_t n = strlen(l.items[i]), m = strlen(suffix);
        if ((n < m || strcmp(l.items[i] + n - m, suffix) != 0) &&
            !(also && strcmp(l.items[i], also) == 0))
            continue;
        char *p = xasprintf("%s/%s", dir, l.items[i]);
        add_digest(b, p, src, d);
        free(p);
    }
    path_list_free(&l);
}

char *inputs_listing(const char *plan_path, const char *region, const input_dirs *dirs,
                     const char *options_line, known_digest_fn known, void *ctx,
                     diag_list *d)
{
    const digest_src src = {known, ctx};
    strbuf b;
    sb_init(&b);
    sb_printf(&b, "# %s\n", options_line);
    add_digest(&b, plan_path, &src, d);
    add_digest(&b, dirs->catalogue, &src, d);
    add_dir(&b, dirs->variables_dir, ".yaml", NULL, &src, d);
    add_dir(&b, dirs->templates_dir, ".yaml", NULL, &src, d);
    char *p = xasprintf("%s/%s", dirs->data_dir, region);
    add_dir(&b, p, ".csv", PROVENANCE_FILE, &src, d); /* the tables and the data's provenance */
    free(p);
    /* the region's own vocabulary (data/<region>/variables/), when it has one */
    p = xasprintf("%s/%s/variables", dirs->data_dir, region);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
        add_dir(&b, p, ".yaml", NULL, &src, d);
    free(p);
    return sb_take(&b);
}

int inputs_unchanged(const char *plan_out_dir, const char *listing)
{
    char *p = xasprintf("%s/inputs.sha256", plan_out_dir);
    char *old = read_whole_file(p, NULL);
    free(p);
    int same = old && strcmp(old, listing) == 0;
    free(old);
    if (!same)
        return 0;
    /* The outputs must still be there: a deleted report is re-rendered. */
    p = xasprintf("%s/assessment.csv", plan_out_dir);
    struct stat st;
    same = stat(p, &st) == 0;
    free(p);
    return same;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

int manifest_write(const char *out_dir, const char *version, diag_list *d)
{
    path_list plans = {0};
    outset_remove_stale(out_dir); /* a killed commit's journal completed first (outset.h) */
    DIR *dp = opendir(out_dir);
    if (!dp) {
        diag_add(d, DIAG_ERROR, out_dir, 0, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        /* a plan's directory: a real one (not a link) with its marker */
        char *dir = xasprintf("%s/%s", out_dir, e->d_name);
        char *in = xasprintf("%s/inputs.sha256", dir);
        struct stat st, sti;
        int is_dir = e->d_type == DT_DIR ||
                     (e->d_type == DT_UNKNOWN && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode));
        if (is_dir && lstat(in, &sti) == 0 && S_ISREG(sti.st_mode))
            *ARRAY_PUSH(plans.items, plans.n, plans.cap) = xstrdup(e->d_name);
        free(in);
        free(dir);
    }
    closedir(dp);
    if (plans.n)
        qsort(plans.items, plans.n, sizeof *plans.items, cmp_path);

    out_set out;
    if (outset_open(&out, out_dir, 0, d) != 0) {
        path_list_free(&plans);
        return -1;
    }
    FILE *f = outset_stream(&out, "manifest.json", d);
    if (!f) {
        outset_abort(&out);
        path_list_free(&plans);
        return -1;
    }
    fprintf(f, "{\n  \"planeval_version\": ");
    json_string(f, version);
    fprintf(f, ",\n  \"plans\": [");
    for (size_t i = 0; i < plans.n; i++) {
        char *dir = xasprintf("%s/%s", out_dir, plans.items[i]);
        fprintf(f, "%s\n    {\n      \"id\": ", i ? "," : "");
        json_string(f, plans.items[i]);
        /* Inputs: the lines of inputs.sha256. */
        char *in = xasprintf("%s/inputs.sha256", dir);
        char *text = read_whole_file(in, NULL);
        free(in);
        fprintf(f, ",\n      \"options\": ");
        char *line = text ? strtok(text, "\n") : NULL;
        json_string(f, line && line[0] == '#' ? line + 2 : "");
        fprintf(f, ",\n      \"inputs\": [");
        int k = 0;
        while ((line = strtok(NULL, "\n")) != NULL) {
            if (strlen(line) < 67)
                continue;
            line[64] = '\0';
            fprintf(f, "%s\n        {\"path\": ", k++ ? "," : "");
            json_string(f, line + 66);
            fprintf(f, ", \"sha256\": ");
            json_string(f, line);
            fputc('}', f);
        }
        free(text);
        fprintf(f, "\n      ],\n      \"outputs\": [");
        path_list files = {0};
        list_files(dir, "", 1, 0, &files);
        int nout = 0; /* a file that cannot be hashed is left out: commas by what is written */
        for (size_t j = 0; j < files.n; j++) {
            char *full = xasprintf("%s/%s", dir, files.items[j]);
            char hex[65];
            long long bytes;
            if (sha256_file_size(full, hex, &bytes) == 0) {
                fprintf(f, "%s\n        {\"path\": ", nout++ ? "," : "");
                json_string(f, files.items[j]);
                fprintf(f, ", \"sha256\": \"%s\", \"bytes\": %lld}", hex, bytes);
            }
            free(full);
        }
        path_list_free(&files);
        fprintf(f, "\n      ]\n    }");
        free(dir);
    }
    fprintf(f, "\n  ]");
    /* The cross-region comparison (compare.h), when there is one. */
    path_list top = {0};
    char *cdir = xasprintf("%s/" COMPARE_DIR, out_dir);
    struct stat cst;
    if (lstat(cdir, &cst) == 0 && S_ISDIR(cst.st_mode))
        list_files(cdir, COMPARE_DIR, 0, 0, &top);
    free(cdir);
    int nc = 0;
    for (size_t i = 0; i < top.n; i++) {
        char *full = xasprintf("%s/%s", out_dir, top.items[i]);
        char hex[65];
        long long bytes;
        if (sha256_file_size(full, hex, &bytes) == 0) {
            fprintf(f, "%s\n    {\"path\": ", nc++ ? "," : ",\n  \"comparison\": [");
            json_string(f, top.items[i]);
            fprintf(f, ", \"sha256\": \"%s\", \"bytes\": %lld}", hex, bytes);
        }
        free(full);
    }
    if (nc)
        fprintf(f, "\n  ]");
    path_list_free(&top);
    fprintf(f, "\n}\n");
    path_list_free(&plans);
    return outset_commit(&out, d);
}
