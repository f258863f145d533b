/* yamldoc.c - see yamldoc.h. */
#include "yamldoc.h"
#include "sha256.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ynode_line(const ynode *n) { return n ? n->line + 1 : 0; }
int ynode_col(const ynode *n) { return n ? n->col + 1 : 0; }
int ynode_is_map(const ynode *n) { return n && n->type == YAML_MAPPING_NODE; }
int ynode_is_seq(const ynode *n) { return n && n->type == YAML_SEQUENCE_NODE; }
int ynode_is_scalar(const ynode *n) { return n && n->type == YAML_SCALAR_NODE; }

const char *ynode_str(const ynode *n)
{
    return ynode_is_scalar(n) ? n->u.text : NULL;
}

int ynode_text_offset(const ynode *n)
{
    if (!ynode_is_scalar(n))
        return 0;
    return n->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || n->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

int ynode_is_block(const ynode *n)
{
    if (!ynode_is_scalar(n))
        return 0;
    return n->style == YAML_LITERAL_SCALAR_STYLE || n->style == YAML_FOLDED_SCALAR_STYLE;
}

void ydiag(ydoc *y, diag_list *d, diag_level lv, const ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(d, lv, y->path, ynode_line(n), ynode_col(n), "%s", msg);
    free(msg);
}

ynode *ymap_get(ydoc *y, ynode *map, const char *key)
{
    if (!ynode_is_map(map))
        return NULL;
    for (size_t i = 0; i < map->len; i++) {
        const ynode *k = &y->nodes[map->u.kids[2 * i]];
        if (k->type == YAML_SCALAR_NODE && strcmp(k->u.text, key) == 0)
            return &y->nodes[map->u.kids[2 * i + 1]];
    }
    return NULL;
}

size_t ymap_len(const ynode *map)
{
    return ynode_is_map(map) ? map->len : 0;
}

ynode *ymap_key(ydoc *y, ynode *map, size_t i)
{
    return &y->nodes[map->u.kids[2 * i]];
}

ynode *ymap_value(ydoc *y, ynode *map, size_t i)
{
    return &y->nodes[map->u.kids[2 * i + 1]];
}

size_t yseq_len(const ynode *seq)
{
    return ynode_is_seq(seq) ? seq->len : 0;
}

ynode *yseq_at(ydoc *y, ynode *seq, size_t i)
{
    return &y->nodes[seq->u.kids[i]];
}

/* The keys of one mapping, each looked up once in a hash table: linear in
 * the mapping's size (a pairwise comparison took minutes for 100,000 keys). */
static void check_map_keys(ydoc *y, ynode *map, diag_list *d)
{
    size_t len = ymap_len(map), size = 16;
    while (size < 2 * len)
        size *= 2;
    size_t *slot = xcalloc(size, sizeof *slot); /* key index + 1, 0 for empty */
    for (size_t i = 0; i < len; i++) {
        ynode *ki = ymap_key(y, map, i);
        if (!ynode_is_scalar(ki))
            continue;
        size_t h = str_hash(ynode_str(ki)) & (size - 1);
        for (; slot[h]; h = (h + 1) & (size - 1)) {
            ynode *kj = ymap_key(y, map, slot[h] - 1);
            if (strcmp(ynode_str(ki), ynode_str(kj)) == 0) {
                ydiag(y, d, DIAG_ERROR, ki, "duplicate key '%s' (first at line %d)",
                      ynode_str(ki), ynode_line(kj));
                break;
            }
        }
        if (!slot[h])
            slot[h] = i + 1;
    }
    free(slot);
}

/* libyaml accepts duplicate keys silently; a duplicated key in a plan is
 * almost always a copy-paste mistake, so it is an error here. The document
 * is a tree (aliases are refused) at most YDOC_MAX_DEPTH deep, so this
 * visits each node once. */
static void check_duplicates(ydoc *y, ynode *n, diag_list *d)
{
    if (ynode_is_map(n)) {
        check_map_keys(y, n, d);
        for (size_t i = 0; i < ymap_len(n); i++)
            check_duplicates(y, ymap_value(y, n, i), d);
    } else if (ynode_is_seq(n)) {
        for (size_t i = 0; i < yseq_len(n); i++)
            check_duplicates(y, yseq_at(y, n, i), d);
    }
}

/* A "\0" escape makes a scalar that C code would silently cut short
 * ("qinan\0/../x" read as "qinan"): refuse it. */
static void check_nul(ydoc *y, diag_list *d)
{
    for (ynode *n = y->nodes; n < y->nodes + y->nnodes; n++)
        if (ynode_is_scalar(n) && strlen(n->u.text) != n->len)
            ydiag(y, d, DIAG_ERROR, n, "text contains a NUL character (\\0): remove it");
}

/*
 * Line and column (in characters, from 1) of the first byte of text (the
 * n bytes parsed) that does not begin valid UTF-8, and that byte; EOF
 * when every byte is valid. libyaml's reader errors come with a mark of
 * 0:0 (a GBK file was reported at 1:1) and an offset that may point
 * inside the bad sequence.
 */
static int first_bad_byte(const char *text, size_t n, int *line, int *col)
{
    *line = 1;
    *col = 1;
    int bad = EOF;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)text[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        if (i + len > n || !utf8_valid(text + i, len)) {
            bad = c;
            break;
        }
        if (c == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
        i += len;
    }
    return bad;
}

/* libyaml's complaint, at its line and column. */
static void syntax_error(const yaml_parser_t *parser, const char *path, const char *text,
                         size_t n, diag_list *d)
{
    int line = (int)parser->problem_mark.line + 1, col = (int)parser->problem_mark.column + 1;
    if (parser->error == YAML_READER_ERROR) {
        int byte = first_bad_byte(text, n, &line, &col);
        if (byte >= 0x80) {
            diag_add(d, DIAG_ERROR, path, line, col,
                     "not UTF-8: byte 0x%02X here begins no UTF-8 character; the file may be "
                     "saved as GBK or GB18030: save it as UTF-8",
                     (unsigned)byte);
            return;
        }
    }
    diag_add(d, DIAG_ERROR, path, line, col, "YAML syntax: %s%s%s",
             parser->problem ? parser->problem : "malformed document",
             parser->context ? " " : "", parser->context ? parser->context : "");
}

static void at_mark(diag_list *d, const char *path, yaml_mark_t m, const char *msg)
{
    diag_add(d, DIAG_ERROR, path, (int)m.line + 1, (int)m.column + 1, "%s", msg);
}

/*
 * The scalars' texts and the collections' lists of children, one after
 * another in blocks of doubling size (newest first) instead of a malloc
 * each: a plan has some 2,700 scalars, each a malloc and a free (14
 * million instructions on 20 synthetic regions), and a list grown per
 * collection was a malloc, reallocs and a free more.
 */
struct ytext {
    struct ytext *next;
    size_t used, cap;
    char data[];
};

#define YTEXT_FIRST 4096u
#define YTEXT_MAX (256u << 10)

/* n bytes in *head's blocks, at a multiple of align (a power of two). */
static void *ytext_alloc(struct ytext **head, size_t n, size_t align)
{
    struct ytext *b = *head;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || at > b->cap || b->cap - at < n) {
        size_t cap = b ? 2 * b->cap : YTEXT_FIRST;
        if (cap > YTEXT_MAX)
            cap = YTEXT_MAX;
        if (cap < n)
            cap = n;
        b = xmalloc(sizeof *b + cap); /* data at a multiple of 8 */
        b->next = *head;
        b->cap = cap;
        *head = b;
        at = 0;
    }
    b->used = at + n;
    return b->data + at;
}

static void ytext_free(struct ytext **head)
{
    while (*head) {
        struct ytext *b = *head;
        *head = b->next;
        free(b);
    }
}

/* The tree being built: the collections open, innermost last. */
typedef struct composer {
    ydoc *y;
    size_t cap;               /* y->nodes' room */
    int open[YDOC_MAX_DEPTH]; /* node indices */
    size_t mark[YDOC_MAX_DEPTH]; /* where each one's children begin in kids */
    int depth;
    int *kids; /* the children of the open collections, innermost last */
    size_t nkids, kids_cap;
} composer;

/* Node n added to the tree and to the collection open around it; its index. */
static int add_node(composer *c, const ynode *n)
{
    ydoc *y = c->y;
    if (y->nnodes == c->cap) {
        c->cap = 2 * c->cap;
        y->nodes = xrealloc(y->nodes, c->cap * sizeof *y->nodes);
    }
    int id = (int)y->nnodes++;
    y->nodes[id] = *n;
    if (c->depth > 0)
        *ARRAY_PUSH(c->kids, c->nkids, c->kids_cap) = id;
    return id;
}

/* Node n for an event: its start and style (no tag: planeval reads none). */
static void add_event_node(composer *c, const yaml_event_t *ev)
{
    ynode n = {0,
               0,
               (int)ev->start_mark.line,
               (int)ev->start_mark.column,
               0,
               {NULL},
               (int)ev->start_mark.index,
               (int)ev->end_mark.index,
               (int)ev->end_mark.line,
               (int)ev->end_mark.column};
    if (ev->type == YAML_SCALAR_EVENT) {
        size_t len = ev->data.scalar.length;
        n.type = YAML_SCALAR_NODE;
        n.style = ev->data.scalar.style;
        n.len = len;
        /* the text may hold a NUL: check_nul */
        n.u.text = memcpy(ytext_alloc(&c->y->texts, len + 1, 1), ev->data.scalar.value, len + 1);
        add_node(c, &n);
        return;
    }
    if (ev->type == YAML_SEQUENCE_START_EVENT) {
        n.type = YAML_SEQUENCE_NODE;
        n.style = ev->data.sequence_start.style;
    } else {
        n.type = YAML_MAPPING_NODE;
        n.style = ev->data.mapping_start.style;
    }
    int id = add_node(c, &n);
    c->mark[c->depth] = c->nkids;
    c->open[c->depth++] = id;
}

/* The innermost open collection ends (ev): its children's indices move to
 * the document's blocks. A mapping's are its keys and values in turn. */
static void close_collection(composer *c, const yaml_event_t *ev)
{
    ynode *n = &c->y->nodes[c->open[--c->depth]];
    n->end_index = (int)ev->end_mark.index;
    n->end_line = (int)ev->end_mark.line;
    n->end_col = (int)ev->end_mark.column;
    size_t from = c->mark[c->depth], k = c->nkids - from;
    if (k) {
        int *kids = ytext_alloc(&c->y->texts, k * sizeof *kids, _Alignof(int));
        memcpy(kids, c->kids + from, k * sizeof *kids);
        n->u.kids = kids;
    }
    n->len = n->type == YAML_MAPPING_NODE ? k / 2 : k;
    c->nkids = from;
}

/* The nodes of y and what they point to. */
static void free_nodes(ydoc *y)
{
    ytext_free(&y->texts);
    free(y->nodes);
    y->nodes = NULL;
    y->nnodes = 0;
}

/*
 * The tree of the first document of text (n bytes, path's), built in one pass over libyaml's events
 * (its own loader would parse the file again after these checks): an
 * alias, a nesting deeper than YDOC_MAX_DEPTH or a second document stops
 * it at its line and column. So 1 KB of aliases (each level referring to
 * the one before ten times) or a flow list a million levels deep costs no
 * more than reading the file. Returns 0, or -1 with doc empty.
 */
static int compose(const char *text, size_t n, const char *path, ydoc *y, diag_list *d)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        diag_add(d, DIAG_ERROR, path, 0, 0, "cannot initialise the YAML parser");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
    /* about a node for every 20 bytes: room for one per 16, grown if need be */
    composer c = {.y = y, .cap = n / 16 + 16};
    y->nodes = xmalloc(c.cap * sizeof *y->nodes);
    y->nnodes = 0;
    int depth = 0, docs = 0, rc = 0, done = 0, after_second = -1, building = 0;
    yaml_mark_t second = {0, 0, 0};
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            syntax_error(&parser, path, text, n, d);
            rc = -1;
            break;
        }
        if (after_second >= 0) {
            /* A lone "---" at the end holds an empty scalar: nothing is lost. */
            int empty = ev.type == YAML_SCALAR_EVENT && ev.data.scalar.length == 0 &&
                        ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            if (after_second == 0 && !empty) {
                at_mark(d, path, second,
                        "a second YAML document starts here: a file holds one document; remove "
                        "this '---' and what follows, or move it into a file of its own");
                rc = -1;
            }
            after_second++;
        }
        switch (ev.type) {
        case YAML_ALIAS_EVENT: {
            char *msg = xasprintf("an alias (*%s): anchors and aliases are not accepted; write "
                                  "the value out where it is used",
                                  (const char *)ev.data.alias.anchor);
            at_mark(d, path, ev.start_mark, msg);
            free(msg);
            rc = -1;
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > YDOC_MAX_DEPTH) {
                at_mark(d, path, ev.start_mark,
                        "nested more than " YDOC_MAX_DEPTH_S " levels deep: a plan needs far fewer");
                rc = -1;
            } else if (building) {
                add_event_node(&c, &ev);
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            if (building && c.depth > 0)
                close_collection(&c, &ev);
            break;
        case YAML_SCALAR_EVENT:
            if (building)
                add_event_node(&c, &ev);
            break;
        case YAML_DOCUMENT_START_EVENT:
            building = ++docs == 1;
            if (docs == 2) {
                second = ev.start_mark;
                after_second = 0;
            }
            break;
        case YAML_DOCUMENT_END_EVENT:
            building = 0;
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    free(c.kids);
    if (rc != 0)
        free_nodes(y);
    return rc;
}

/*
 * The bytes of path (NUL-terminated, *n of them) if it is a regular file
 * of at most YDOC_MAX_BYTES: a FIFO would block for ever, a directory
 * reads as a syntax error, and the size bounds what loading can cost.
 * open_regular() does not wait for a FIFO's writer. Read
 * with read_fd() (util.h): open, fstat, read, close, where stdio made ten
 * system calls of a file. NULL with d told why (d may be NULL).
 */
static char *read_regular(const char *path, size_t *n, diag_list *d)
{
    struct stat st;
    int fd = open_regular(path, &st); /* util.h: no wait for a FIFO's writer */
    if (fd < 0) {
        int saved = errno;
        const char *what = saved == EISDIR ? "a directory" : saved == EINVAL ? "not a regular file" : NULL;
        if (d && what)
            diag_add(d, DIAG_ERROR, path, 0, 0, "is %s: a YAML file was expected", what);
        else if (d)
            diag_add(d, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(saved));
        return NULL;
    }
    if (st.st_size > YDOC_MAX_BYTES) {
        if (d)
            diag_add(d, DIAG_ERROR, path, 1, 1,
                     "is %lld bytes: YAML files are limited to %d MB (a plan is under 100 KB)",
                     (long long)st.st_size, YDOC_MAX_BYTES >> 20);
        close(fd);
        return NULL;
    }
    char *buf = read_fd(fd, 1, (size_t)st.st_size, YDOC_MAX_BYTES, n);
    int saved = errno;
    close(fd);
    if (!buf && d && saved == EFBIG)
        diag_add(d, DIAG_ERROR, path, 1, 1,
                 "is over %d MB (it grew while read): YAML files are limited to %d MB",
                 YDOC_MAX_BYTES >> 20, YDOC_MAX_BYTES >> 20);
    else if (!buf && d)
        diag_add(d, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(saved));
    return buf;
}

int ydoc_load(ydoc *y, const char *path, diag_list *d)
{
    memset(y, 0, sizeof *y);
    y->path = xstrdup(path);
    size_t n = 0;
    char *text = read_regular(path, &n, d);
    if (!text)
        return -1;
    /* the digest of the very bytes parsed: inputs.sha256 lists it (manifest.h) */
    sha256_hex(text, n, y->sha256);
    int rc = compose(text, n, path, y, d);
    free(text);
    if (rc != 0)
        return -1;
    y->loaded = 1;
    ynode *root = ydoc_root(y);
    if (!root) {
        diag_add(d, DIAG_ERROR, path, 1, 1, "file is empty");
        return -1;
    }
    size_t before = diag_errors(d);
    check_duplicates(y, root, d);
    check_nul(y, d);
    return diag_errors(d) > before ? -1 : 0;
}

/* ydoc_peek's walk: where the next event falls in the root mapping. */
typedef struct peek_state {
    int depth;    /* collections open */
    int in_key;   /* depth of the mapping whose key was matched (1 root, 2 the one below) */
    int want_key; /* the next scalar at depth in_key + 1 is a key */
    int matched;  /* the key just read is the one looked for */
} peek_state;

/* One event of ydoc_peek's walk; 1 when the walk is over (*found set if found). */
static int peek_step(peek_state *st, const yaml_event_t *ev, const char *const keys[2],
                     char **found, int *line, int *col)
{
    /* Only events directly inside the mapping followed so far count. */
    int here = st->depth == st->in_key + 1, done = 0;
    switch (ev->type) {
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        if (here && st->matched && ev->type == YAML_MAPPING_START_EVENT && st->in_key == 0) {
            st->in_key = 1; /* into the value of key; its keys come next */
            st->want_key = 1;
        } else if (st->depth == 0) {
            st->want_key = 1; /* the root: a mapping, or nothing to find */
            done = ev->type != YAML_MAPPING_START_EVENT;
        } else if (here) {
            st->want_key = 1; /* a value that is a collection: the key after it is next */
            done = st->matched; /* the value looked for is no scalar */
        }
        st->matched = 0;
        st->depth++;
        return done;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        st->depth--;
        return st->depth <= st->in_key; /* the mapping followed has ended without it */
    case YAML_SCALAR_EVENT:
        if (!here)
            return 0;
        if (st->want_key) {
            st->matched = strcmp((const char *)ev->data.scalar.value, keys[st->in_key]) == 0;
            st->want_key = 0;
            return 0;
        }
        if (st->matched && st->in_key == 1) {
            *found = xstrdup((const char *)ev->data.scalar.value);
            *line = (int)ev->start_mark.line + 1;
            *col = (int)ev->start_mark.column + 1;
        }
        done = st->matched; /* found, or key's value is a scalar, not a mapping */
        st->matched = 0;
        st->want_key = 1;
        return done;
    case YAML_ALIAS_EVENT:
    case YAML_STREAM_END_EVENT:
        return 1;
    default:
        return 0;
    }
}

/*
 * ydoc_peek's input: the text handed to libyaml a piece at a time. libyaml
 * decodes all it holds of its input (16 KB from a string) before the first
 * event: 0.6 million instructions for a plan id 300 bytes into the file.
 */
typedef struct peek_input {
    const char *text;
    size_t n, at;
} peek_input;

#define PEEK_PIECE 1024

static int peek_read(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
    peek_input *in = data;
    size_t k = in->n - in->at;
    if (k > size)
        k = size;
    if (k > PEEK_PIECE)
        k = PEEK_PIECE;
    memcpy(buffer, in->text + in->at, k);
    in->at += k;
    *size_read = k;
    return 1;
}

char *ydoc_peek(const char *path, const char *key, const char *key2, int *line, int *col)
{
    size_t n = 0;
    char *text = read_regular(path, &n, NULL);
    if (!text)
        return NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return NULL;
    }
    peek_input in = {text, n, 0};
    yaml_parser_set_input(&parser, peek_read, &in);
    const char *const keys[2] = {key, key2};
    peek_state st = {0, 0, 0, 0};
    char *found = NULL;
    yaml_event_t ev;
    for (int done = 0; !done && yaml_parser_parse(&parser, &ev);) {
        done = peek_step(&st, &ev, keys, &found, line, col);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    free(text);
    return found;
}

void ydoc_free(ydoc *y)
{
    if (y->loaded)
        free_nodes(y);
    free(y->path);
    memset(y, 0, sizeof *y);
}

ynode *ydoc_root(ydoc *y)
{
    return y->loaded && y->nnodes ? &y->nodes[0] : NULL;
}

static const char *type_name(const ynode *n)
{
    return ynode_is_map(n) ? "a mapping" : ynode_is_seq(n) ? "a list" : "a scalar";
}

int yget_str(ydoc *y, ynode *map, const char *key, int required, const char **out,
             diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    if (!ynode_is_scalar(n)) {
        ydiag(y, d, DIAG_ERROR, n, "'%s' must be text, not %s", key, type_name(n));
        return -1;
    }
    *out = ynode_str(n);
    return 1;
}

int ynode_num(ydoc *y, ynode *n, const char *what, double *out, diag_list *d)
{
    const char *s = ynode_str(n);
    if (!s || parse_number(s, out) != 0) {
        ydiag(y, d, DIAG_ERROR, n, "%s must be a number, not %s%s%s", what,
              s ? "'" : type_name(n), s ? s : "", s ? "'" : "");
        return -1;
    }
    return 0;
}

int ynode_int(ydoc *y, ynode *n, const char *what, long *out, diag_list *d)
{
    double v;
    if (ynode_num(y, n, what, &v, d) != 0)
        return -1;
    /* Outside the range of long, the cast below would be undefined. */
    if (!(v >= (double)LONG_MIN && v < -(double)LONG_MIN)) {
        ydiag(y, d, DIAG_ERROR, n, "%s is out of range: '%s'", what, ynode_str(n));
        return -1;
    }
    if (v != (double)(long)v) {
        ydiag(y, d, DIAG_ERROR, n, "%s must be a whole number, not '%s'", what, ynode_str(n));
        return -1;
    }
    *out = (long)v;
    return 0;
}

int yget_num(ydoc *y, ynode *map, const char *key, int required, double *out, diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    char what[128];
    snprintf(what, sizeof what, "'%s'", key);
    return ynode_num(y, n, what, out, d) == 0 ? 1 : -1;
}

int yget_int(ydoc *y, ynode *map, const char *key, int required, long *out, diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    char what[128];
    snprintf(what, sizeof what, "'%s'", key);
    return ynode_int(y, n, what, out, d) == 0 ? 1 : -1;
}

int yget_year_range(ydoc *y, ynode *map, const char *key, int required, int out[2],
                    diag_list *d)
{
    ynode *n = ymap_get(y, map, key);
    if (!n) {
        if (required)
            ydiag(y, d, DIAG_ERROR, map, "missing required key '%s'", key);
        return 0;
    }
    if (!ynode_is_seq(n) || yseq_len(n) != 2) {
        ydiag(y, d, DIAG_ERROR, n, "'%s' must be a pair of years like [2021, 2025]", key);
        return -1;
    }
    long a, b;
    if (ynode_int(y, yseq_at(y, n, 0), "a year", &a, d) || ynode_int(y, yseq_at(y, n, 1), "a year", &b, d))
        return -1;
    if (a < 1949 || b > 2100 || a > b) {
        ydiag(y, d, DIAG_ERROR, n, "'%s' must be two years between 1949 and 2100, first <= last",
              key);
        return -1;
    }
    out[0] = (int)a;
    out[1] = (int)b;
    return 1;
}

/*
 * Words an analyst reaches for first, mapped to the key planeval uses: an
 * edit distance finds typos, not these (dept is 7 edits from department).
 * Used only for suggestions, and only when the key it names is allowed here.
 */
static const char *synonym_of(const char *key)
{
    static const char *const pairs[][2] = {
        {"dept", "department"},       {"depts", "department"},
        {"departments", "department"}, {"责任单位", "department"},
        {"责任部门", "department"},    {"牵头部门", "department"},
        {"牵头单位", "department"},    {"指标名称", "name"},
        {"名称", "name"},              {"单位", "unit"},
        {"属性", "type"},              {"指标属性", "type"},
        {"目标", "targets"},           {"目标值", "value"},
        {"target", "targets"},         {"operator", "op"},
        {"comparison", "op"},          {"年份", "year"},
        {"due", "year"},               {"基期", "baseline"},
        {"基准", "baseline"},          {"base", "baseline"},
        {"percent", "by"},             {"note", "notes"},
        {"notes", "note"},             {"备注", "notes"},
        {"来源", "source"},            {"出处", "source"},
        {"decimals", "precision"},     {"digits", "precision"},
        {"小数位", "precision"},       {"分组", "group"},
        {"title", "name"},             {"formular", "formula"},
        {"公式", "formula"},           {"口径", "doubt"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i][0], key) == 0)
            return pairs[i][1];
    return NULL;
}

static int key_allowed(const char *const *allowed, const char *key)
{
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(*a, key) == 0)
            return 1;
    return 0;
}

void ycheck_keys(ydoc *y, ynode *map, const char *const *allowed, const char *what,
                 diag_list *d)
{
    size_t len = ymap_len(map);
    for (size_t i = 0; i < len; i++) {
        ynode *k = ymap_key(y, map, i);
        const char *ks = ynode_str(k);
        if (!ks) {
            ydiag(y, d, DIAG_ERROR, k, "%s: keys must be text", what);
            continue;
        }
        if (key_allowed(allowed, ks))
            continue;
        /* distances only for an unknown key: the plans' 3,500 known keys
         * cost 99 million instructions on 20 plans when every allowed key
         * was measured against each before the match was found */
        int best = 4; /* only a key within 3 edits is suggested */
        const char *near = NULL;
        for (const char *const *a = allowed; *a; a++) {
            int dist = utf8_edit_distance(ks, *a, 3);
            if (dist < best) {
                best = dist;
                near = *a;
            }
        }
        const char *syn = synonym_of(ks);
        if (syn && key_allowed(allowed, syn)) {
            near = syn;
            best = 0;
        }
        if (near && best <= 3)
            ydiag(y, d, DIAG_ERROR, k, "%s: unknown key '%s' (did you mean '%s'?)", what, ks, near);
        else
            ydiag(y, d, DIAG_ERROR, k, "%s: unknown key '%s'", what, ks);
    }
}
