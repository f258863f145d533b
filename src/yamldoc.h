/*
 * yamldoc.h - a YAML file loaded as a tree of nodes that remember where
 * they were written (compact nodes of its own, built from libyaml's
 * events), with getters that report type mistakes as diagnostics naming
 * file, line and column.
 */
#ifndef PLANEVAL_YAMLDOC_H
#define PLANEVAL_YAMLDOC_H

#include <stddef.h>
#include <yaml.h>

#include "diag.h"

/*
 * A node of the tree: 48 bytes where libyaml's own node type took 96, its
 * children an array of indices in the document's blocks rather than a list
 * allocated and grown per collection. Marks as ints: a file is at most
 * YDOC_MAX_BYTES.
 */
typedef struct ynode {
    int type;      /* YAML_SCALAR_NODE, YAML_SEQUENCE_NODE or YAML_MAPPING_NODE */
    int style;     /* its yaml_scalar_style_t, yaml_sequence_style_t or yaml_mapping_style_t */
    int line, col; /* where it starts, from 0 */
    size_t len;    /* a scalar's bytes, a list's items, a mapping's pairs */
    union {
        const char *text; /* a scalar's, NUL-terminated (check_nul) */
        const int *kids;  /* indices into ydoc.nodes; a mapping's key, value, key, ... */
    } u;
    /* the rest of libyaml's marks: test_yamldoc compares the tree with its loader's */
    int index, end_index, end_line, end_col;
} ynode;

typedef struct ydoc {
    char *path;
    ynode *nodes; /* the root first */
    size_t nnodes;
    int loaded;
    struct ytext *texts; /* the scalars' texts and the children's indices, a few blocks */
    char sha256[65];     /* digest of the bytes parsed, "" until read */
} ydoc;

/* How deep mappings and lists may nest (a plan needs about 6 levels). */
#define YDOC_MAX_DEPTH 64
#define YDOC_MAX_DEPTH_S "64"
/* The largest YAML file read (the largest plan is under 100 KB). */
#define YDOC_MAX_BYTES (2 << 20)

/*
 * Load path. Returns 0 on success. A syntax error, an empty file, a
 * mapping with a duplicated key, or a scalar holding a NUL character (a
 * "\0" escape, which C strings would cut short) adds an error to d and
 * returns -1 (the document is freed). So do a second document in the file
 * ("---" followed by more than nothing), an alias (*name) and nesting
 * deeper than YDOC_MAX_DEPTH, each located where it starts and found in
 * time linear in the file's size, as the tree is built (which stops there); and a file that
 * is not a regular file (a FIFO, a directory) or is over YDOC_MAX_BYTES.
 */
int ydoc_load(ydoc *y, const char *path, diag_list *d);
void ydoc_free(ydoc *y);
ynode *ydoc_root(ydoc *y);
/*
 * The scalar at key2 of the mapping at key of the root mapping (plan: id:),
 * read from the events up to it and no further: a copy, with its line and
 * column, or NULL when the file cannot be opened or read up to there, or
 * has no such scalar. Nothing is checked beyond it (ydoc_load does that).
 */
char *ydoc_peek(const char *path, const char *key, const char *key2, int *line, int *col);

int ynode_line(const ynode *n); /* 1-based */
int ynode_col(const ynode *n);  /* 1-based, in characters */
int ynode_is_map(const ynode *n);
int ynode_is_seq(const ynode *n);
int ynode_is_scalar(const ynode *n);
/* Scalar text (UTF-8), or NULL if n is not a scalar. */
const char *ynode_str(const ynode *n);
/* Where the scalar's text begins relative to its mark: 1 for quoted, else 0. */
int ynode_text_offset(const ynode *n);
/* 1 for a block scalar (| or >), whose text starts on the next line. */
int ynode_is_block(const ynode *n);

/* Mapping access. */
ynode *ymap_get(ydoc *y, ynode *map, const char *key);
size_t ymap_len(const ynode *map);
ynode *ymap_key(ydoc *y, ynode *map, size_t i);
ynode *ymap_value(ydoc *y, ynode *map, size_t i);

/* Sequence access. */
size_t yseq_len(const ynode *seq);
ynode *yseq_at(ydoc *y, ynode *seq, size_t i);

/* Add a diagnostic located at node n. */
void ydiag(ydoc *y, diag_list *d, diag_level lv, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Typed getters for map[key]. When the key is absent they return 0 (and
 * report an error if required). Wrong type: error, returns -1. Found and
 * well-typed: returns 1.
 */
int yget_str(ydoc *y, ynode *map, const char *key, int required, const char **out,
             diag_list *d);
int yget_num(ydoc *y, ynode *map, const char *key, int required, double *out, diag_list *d);
int yget_int(ydoc *y, ynode *map, const char *key, int required, long *out, diag_list *d);
/* A [a, b] pair of years. */
int yget_year_range(ydoc *y, ynode *map, const char *key, int required, int out[2],
                    diag_list *d);
/* Scalar node to number/int with an error naming what; returns 0 or -1. */
int ynode_num(ydoc *y, ynode *n, const char *what, double *out, diag_list *d);
int ynode_int(ydoc *y, ynode *n, const char *what, long *out, diag_list *d);

/*
 * Report every key of map that is not in allowed (NULL-terminated), with
 * the nearest allowed key as a suggestion. `what` names the map in messages.
 */
void ycheck_keys(ydoc *y, ynode *map, const char *const *allowed, const char *what,
                 diag_list *d);

#endif
