/* The dataset checker: walk a COCO file or a Pascal VOC folder as it is and
 * report every problem.
 *
 * Unlike the strict COCO reader (coco.c), which stops at the first problem, this
 * walks the document itself, records after records, and keeps going: a first pass
 * judges the syntax and finds the sections, then each record is parsed into a small
 * tree of its own (json.h), checked and forgotten, categories, then images, then
 * annotations, whatever their order in the file. Every check
 * that the strict reader makes is an error here, so a file with no error reads.
 *
 * VOC: the reader (voc.c) stops at the first problem of a dataset, so the checker
 * lists the XML files itself and reads them one at a time: a file the reader
 * refuses gives one problem (its first), placed by its kind and element path; a
 * file it takes goes through the checks that concern more than one file or the
 * files around it (file names, labels, image files) and the 1-pixel box warning.
 *
 * Tolerances (also in the README):
 * - coordinates: COORD_EPS = 0.02 px of slack everywhere a box, a polygon or an
 *   image edge are compared, for values rounded to two decimals as the official
 *   files are;
 * - a box past the image edge by at most 1 px is a warning, by more an error;
 *   a polygon vertex outside the image a warning, one more than the image's size
 *   past an edge an error (the reader refuses it);
 * - a box whose sides are within 1 px of its mask's box (polygons: the extent of
 *   the vertices; RLE: the COCO API's toBbox) is a warning, farther an error;
 * - polygon `area`: the exact (shoelace) area, within 0.5 px^2 + 0.1 %;
 *   RLE `area`: the pixel count, within 0.5; bare box: at most w*h (same slack);
 * - crowd objects: the official files' area and bbox often differ from the mask,
 *   so for them any such difference is a warning;
 * - limits: the options' struct bmx_limits (by default bmx_limits_init's), applied
 *   to the records as bmx_dataset_read_coco_limited applies them (pixels of an
 *   image record, annotations per image, polygon vertices per annotation);
 * - keypoints: the rules of keypoints.h (bmx__keypoints_check, which the reader
 *   applies too), against the category's keypoint count, the image and the bbox;
 *   the structure around them (a list of numbers, num_keypoints, a category's
 *   names and skeleton) as coco_keypoints.c reads it.
 */
#include "coco.h"
#include "json.h"
#include "keypoints.h"
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COORD_EPS 0.02
#define EDGE_TOL 1.0
#define AREA_ABS_TOL 0.5
#define AREA_REL_TOL 1e-3
#define PROBE_BYTES 65536

/* ------------------------------------------------------------------------- */
/* Id tables: numeric or string keys -> index                                 */
/* ------------------------------------------------------------------------- */

struct key {
    bool is_str;
    int64_t num;
    const char *str; /* COCO: in the checker's string pool; VOC: owned by the walk */
};

struct slot {
    bool used;
    struct key key;
    size_t index;
};

struct table {
    struct slot *slots;
    size_t cap;
};

static uint64_t hash_key(const struct key *k)
{
    uint64_t z;
    if (k->is_str) {
        z = 1469598103934665603ull;
        for (const char *s = k->str; *s; s++) {
            z = (z ^ (unsigned char)*s) * 1099511628211ull;
        }
    } else {
        z = (uint64_t)k->num;
    }
    /* splitmix64 finaliser: spreads sequential ids over the slots */
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static bool table_init(struct table *t, size_t n)
{
    size_t cap = 16;
    while (cap / 2 < n) {
        if (cap > SIZE_MAX / 4) {
            return false;
        }
        cap *= 2;
    }
    t->slots = bmx__alloc_array(cap, sizeof *t->slots);
    if (t->slots == NULL) {
        return false;
    }
    memset(t->slots, 0, cap * sizeof *t->slots);
    t->cap = cap;
    return true;
}

/* The slot holding `k`, or the empty slot where it would go. The table is at most
 * half full (n entries for a capacity of at least 2n), so the probe ends. */
static struct slot *table_find(const struct table *t, const struct key *k)
{
    for (size_t i = (size_t)hash_key(k) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct slot *s = &t->slots[i];
        if (!s->used) {
            return s;
        }
        if (s->key.is_str == k->is_str &&
            (k->is_str ? strcmp(s->key.str, k->str) == 0 : s->key.num == k->num)) {
            return s;
        }
    }
}

/* ------------------------------------------------------------------------- */
/* The checker's state                                                        */
/* ------------------------------------------------------------------------- */

/* What the annotation checks need to know of an image record. */
struct image_rec {
    int32_t w, h;
    bool dims_ok;
    uint64_t n_anns; /* annotations that name it so far */
};

/* Strings that outlive the record they come from (string ids, file names): one
 * block after another, never moved. */
struct pool_block {
    struct pool_block *next;
    size_t cap, used;
    char data[];
};

#define POOL_BLOCK ((size_t)1 << 20)

struct checker {
    const struct bmx_check_options *opts;
    const char *file;       /* the file problems are reported in */
    const char *doc_path;   /* the path of a whole document: "$" (JSON), "/" (XML) */
    const char *image_root; /* image files are checked when not NULL */
    bool voc;
    void (*report)(const struct bmx_problem *problem, void *ctx);
    void *ctx;
    struct bmx_check_summary sum;
    bool nomem;

    char path[1024];
    size_t plen;
    char msg[1024];

    bool images_ok; /* the images array exists: image_id references are checked */
    bool cats_ok;   /* the categories array exists: category_id references are checked */
    struct table images, anns, cats, names;
    struct table image_values; /* the number each image id spells -> its image */
    struct image_rec *recs;
    size_t *cat_keypoints;   /* per category record: its keypoint count (0: none) */
    struct pool_block *pool; /* the id and file name strings of the tables */

    /* scratch reused from annotation to annotation */
    struct bmx_poly *rings;
    size_t rings_cap;
    double *xy;
    size_t xy_cap;
    uint32_t *runs;
    size_t runs_cap;
    double *kp;
    size_t kp_cap;
    char *file_buf;
    size_t file_cap;
};

/* ---- paths ---- */

static bool is_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) {
        return false;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_')) {
            return false;
        }
    }
    return true;
}

static void path_append(struct checker *c, const char *fmt, ...) BMX__PRINTF(2, 3);

static void path_append(struct checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->plen, sizeof c->path - c->plen, fmt, ap);
    va_end(ap);
    if (n > 0) {
        c->plen += (size_t)n;
        if (c->plen >= sizeof c->path) {
            c->plen = sizeof c->path - 1;
        }
    }
}

/* Push one segment; return the length to restore with path_pop. */
static size_t path_key(struct checker *c, const char *key)
{
    size_t old = c->plen;
    if (is_ident(key)) {
        size_t n = strlen(key);
        if (c->plen + n + 2 > sizeof c->path) {
            return old;
        }
        if (c->plen > 0) {
            c->path[c->plen++] = '.';
        }
        memcpy(c->path + c->plen, key, n + 1);
        c->plen += n;
        return old;
    }
    path_append(c, "[\"");
    for (const unsigned char *s = (const unsigned char *)key; *s; s++) {
        if (*s == '"' || *s == '\\') {
            path_append(c, "\\%c", *s);
        } else if (*s < 0x20) {
            path_append(c, "\\u%04x", *s);
        } else {
            path_append(c, "%c", *s);
        }
    }
    path_append(c, "\"]");
    return old;
}

static size_t path_index(struct checker *c, size_t i)
{
    size_t old = c->plen;
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i > 0);
    if (c->plen + n + 3 > sizeof c->path) {
        return old; /* a path this long is cut, never overrun */
    }
    c->path[c->plen++] = '[';
    while (n > 0) {
        c->path[c->plen++] = digits[--n];
    }
    c->path[c->plen++] = ']';
    c->path[c->plen] = '\0';
    return old;
}

static void path_pop(struct checker *c, size_t len)
{
    c->plen = len;
    c->path[len] = '\0';
}

/* ---- reporting ---- */

static void problem(struct checker *c, enum bmx_severity sev, const char *code, const char *fmt,
                    ...) BMX__PRINTF(4, 5);

static void problem(struct checker *c, enum bmx_severity sev, const char *code, const char *fmt,
                    ...)
{
    if (c->opts->strict) {
        sev = BMX_SEVERITY_ERROR;
    }
    if (sev == BMX_SEVERITY_ERROR) {
        c->sum.errors++;
    } else {
        c->sum.warnings++;
    }
    if (c->report == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    struct bmx_problem p = {
        .file = c->file,
        .path = c->plen ? c->path : c->doc_path,
        .code = code,
        .message = c->msg,
        .severity = sev,
    };
    c->report(&p, c->ctx);
}

#define SEV_ERROR BMX_SEVERITY_ERROR
#define SEV_WARNING BMX_SEVERITY_WARNING

/* ------------------------------------------------------------------------- */
/* Values                                                                     */
/* ------------------------------------------------------------------------- */

/* Whether the subtree holds a number that is not finite: a quick pass without
 * paths, since nearly every value has none. */
static bool has_nonfinite(const struct bmx__jnode *v)
{
    if (v->type == BMX__J_NUMBER) {
        return !isfinite(v->u.num);
    }
    if (v->type != BMX__J_ARRAY && v->type != BMX__J_OBJECT) {
        return false;
    }
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next) {
        if (has_nonfinite(e)) {
            return true;
        }
    }
    return false;
}

/* Report every number of the subtree that is not finite. */
static void walk_nonfinite(struct checker *c, const struct bmx__jnode *v)
{
    if (!has_nonfinite(v)) {
        return;
    }
    if (v->type == BMX__J_NUMBER) {
        problem(c, SEV_ERROR, "non-finite", "number out of range (not finite)");
        return;
    }
    size_t i = 0;
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, i++) {
        if (e->type != BMX__J_ARRAY && e->type != BMX__J_OBJECT && e->type != BMX__J_NUMBER) {
            continue;
        }
        size_t old = v->type == BMX__J_OBJECT ? path_key(c, e->key) : path_index(c, i);
        walk_nonfinite(c, e);
        path_pop(c, old);
    }
}

static void report_duplicate_key(struct checker *c, const char *key)
{
    size_t old = path_key(c, key);
    problem(c, SEV_ERROR, "duplicate-key",
            "key repeated in one object (readers disagree on which value wins)");
    path_pop(c, old);
}

/* Report each key of keys[0, n) that an earlier one repeats, in order. */
static void check_duplicate_list(struct checker *c, const char *const *keys, size_t n)
{
    if (n < 2) {
        return;
    }
    if (n <= 32) {
        /* a few keys: compared pairwise without allocating */
        for (size_t e = 1; e < n; e++) {
            for (size_t f = 0; f < e; f++) {
                if (keys[e][0] == keys[f][0] && strcmp(keys[e], keys[f]) == 0) {
                    report_duplicate_key(c, keys[e]);
                    break;
                }
            }
        }
        return;
    }
    struct table t = {0};
    if (!table_init(&t, n)) {
        c->nomem = true;
        return;
    }
    for (size_t e = 0; e < n; e++) {
        struct key k = {.is_str = true, .str = keys[e]};
        struct slot *s = table_find(&t, &k);
        if (s->used) {
            report_duplicate_key(c, keys[e]);
        } else {
            *s = (struct slot){.used = true, .key = k};
        }
    }
    free(t.slots);
}

/* Readers disagree on repeated keys (cJSON takes the first, Python's json the
 * last), so a record must not have any. */
static void check_duplicate_keys(struct checker *c, const struct bmx__jnode *obj)
{
    if (obj->n < 2) {
        return;
    }
    if (obj->n <= 32) {
        /* the usual record: a few keys, compared pairwise without allocating */
        for (const struct bmx__jnode *e = obj->u.child->next; e != NULL; e = e->next) {
            for (const struct bmx__jnode *f = obj->u.child; f != e; f = f->next) {
                if (e->key[0] == f->key[0] && strcmp(e->key, f->key) == 0) {
                    report_duplicate_key(c, e->key);
                    break;
                }
            }
        }
        return;
    }
    const char **keys = bmx__alloc_array(obj->n, sizeof *keys);
    if (keys == NULL) {
        c->nomem = true;
        return;
    }
    size_t n = 0;
    for (const struct bmx__jnode *e = obj->u.child; e != NULL; e = e->next) {
        keys[n++] = e->key;
    }
    check_duplicate_list(c, keys, n);
    free(keys);
}

/* Fetch a key of `obj`, reporting it missing when `required`. */
static const struct bmx__jnode *member(struct checker *c, const struct bmx__jnode *obj,
                                       const char *key, bool required)
{
    const struct bmx__jnode *v = bmx__json_get(obj, key);
    if (v == NULL && required) {
        size_t old = path_key(c, key);
        problem(c, SEV_ERROR, "missing-key", "missing");
        path_pop(c, old);
    }
    return v;
}

/* An id: an integer, or (when allow_str) a string. The path is already the id's.
 * Returns false after reporting. Non-finite numbers return false silently. A
 * string key borrows the record's text: insert_id copies it. */
static bool parse_id(struct checker *c, const struct bmx__jnode *v, bool allow_str,
                     struct key *out)
{
    if (v->type == BMX__J_NUMBER) {
        if (!isfinite(v->u.num)) {
            return false;
        }
        if (bmx__json_is_integral(v->u.num)) {
            *out = (struct key){.is_str = false, .num = (int64_t)v->u.num};
            return true;
        }
        problem(c, SEV_ERROR, "wrong-type", "expected an integer%s, got %.10g",
                allow_str ? " or a string" : "", v->u.num);
        return false;
    }
    if (allow_str && v->type == BMX__J_STRING) {
        *out = (struct key){.is_str = true, .str = v->u.str};
        return true;
    }
    problem(c, SEV_ERROR, "wrong-type", "expected an integer%s, got %s",
            allow_str ? " or a string" : "", bmx__json_type_name(v));
    return false;
}

static void describe_key(const struct key *k, char *buf, size_t cap)
{
    if (k->is_str) {
        snprintf(buf, cap, "\"%s\"", k->str);
    } else {
        snprintf(buf, cap, "%" PRId64, k->num);
    }
}

/* Copy a string into the checker's pool, where it lives until the end of the
 * run (records are parsed one at a time, their text does not last). */
static const char *pool_copy(struct checker *c, const char *s)
{
    size_t n = strlen(s) + 1;
    struct pool_block *b = c->pool;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK, bytes;
        if (!bmx__add_size(sizeof *b, cap, &bytes) || (b = malloc(bytes)) == NULL) {
            c->nomem = true;
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        b->next = c->pool;
        c->pool = b;
    }
    char *out = b->data + b->used;
    memcpy(out, s, n);
    b->used += n;
    return out;
}

/* Insert an id into `t`, reporting a duplicate (the path is the id's). Returns the
 * slot filled, NULL for a duplicate or when out of memory. */
static const struct slot *insert_id(struct checker *c, struct table *t, const struct key *k,
                                    size_t index, const char *section)
{
    struct slot *s = table_find(t, k);
    if (s->used) {
        char id[96];
        describe_key(k, id, sizeof id);
        problem(c, SEV_ERROR, "duplicate-id", "duplicate id %s (also %s[%zu])", id, section,
                s->index);
        return NULL;
    }
    struct key own = *k;
    if (own.is_str && (own.str = pool_copy(c, k->str)) == NULL) {
        return NULL;
    }
    *s = (struct slot){.used = true, .key = own, .index = index};
    return s;
}

/* The number an id stands for: an integer id's own, or the one a string id spells
 * as a whole decimal number ("7", "07"), as resolve_image reads it. */
static bool key_value(const struct key *k, int64_t *value)
{
    if (!k->is_str) {
        *value = k->num;
        return true;
    }
    char *end;
    errno = 0;
    long long n = strtoll(k->str, &end, 10);
    if (k->str[0] == '\0' || *end != '\0' || errno != 0) {
        return false;
    }
    *value = (int64_t)n;
    return true;
}

/* An image id: one id, one image. Besides a repeated id, two spellings of one
 * number ("7" and 7) are a duplicate, as the strict reader says: an annotation's
 * image_id may name an image by either and would be taken for the other's. */
static void insert_image_id(struct checker *c, const struct key *k, size_t index)
{
    const struct slot *s = insert_id(c, &c->images, k, index, "images");
    int64_t value;
    if (s == NULL || !key_value(k, &value)) {
        return;
    }
    /* a numeric key whose `str` keeps the spelling (in the pool) for the message */
    struct key vk = {.is_str = false, .num = value, .str = s->key.is_str ? s->key.str : NULL};
    struct slot *v = table_find(&c->image_values, &vk);
    if (v->used) {
        char id[96], other[96];
        describe_key(k, id, sizeof id);
        if (v->key.str != NULL) {
            snprintf(other, sizeof other, "\"%s\"", v->key.str);
        } else {
            snprintf(other, sizeof other, "%" PRId64, value);
        }
        problem(c, SEV_ERROR, "duplicate-id", "duplicate id %s (also images[%zu], spelled %s)", id,
                v->index, other);
        return;
    }
    *v = (struct slot){.used = true, .key = vk, .index = index};
}

/* A positive integer dimension (width, height). */
static bool parse_dim(struct checker *c, const struct bmx__jnode *obj, const char *key,
                      int32_t *out)
{
    const struct bmx__jnode *v = member(c, obj, key, true);
    if (v == NULL) {
        return false;
    }
    size_t old = path_key(c, key);
    bool ok = false;
    if (v->type != BMX__J_NUMBER) {
        problem(c, SEV_ERROR, "wrong-type", "expected a positive integer, got %s", bmx__json_type_name(v));
    } else if (!isfinite(v->u.num)) {
        /* reported by walk_nonfinite */
    } else if (!bmx__json_is_integral(v->u.num) || v->u.num < 1 || v->u.num > INT32_MAX) {
        problem(c, SEV_ERROR, "bad-value", "expected a positive integer, got %.10g", v->u.num);
    } else {
        *out = (int32_t)v->u.num;
        ok = true;
    }
    path_pop(c, old);
    return ok;
}

/* ------------------------------------------------------------------------- */
/* Image files                                                                */
/* ------------------------------------------------------------------------- */

/* Read up to `limit` bytes (SIZE_MAX: all) of `f` into the scratch buffer. */
static bool read_into(struct checker *c, FILE *f, size_t size, size_t *got)
{
    if (size + 1 > c->file_cap) {
        char *p = realloc(c->file_buf, size + 1);
        if (p == NULL) {
            c->nomem = true;
            return false;
        }
        c->file_buf = p;
        c->file_cap = size + 1;
    }
    *got = size > 0 ? fread(c->file_buf, 1, size, f) : 0;
    return *got == size;
}

/* Check one image file: it exists, it is a regular readable file, its header
 * names the size the record says (and with `decode`, it decodes). The path is the
 * record's file_name. */
static void check_image_file(struct checker *c, const char *name, const struct image_rec *rec)
{
    const char *root = c->image_root;
    size_t lr = strlen(root), ln = strlen(name), total;
    char *full = NULL;
    FILE *f = NULL;
    bmx_error err = {0};
    if (!bmx__add_size(lr, ln, &total) || !bmx__add_size(total, 2, &total) ||
        (full = malloc(total)) == NULL) {
        c->nomem = true;
        goto done;
    }
    snprintf(full, total, "%s%s%s", root, lr > 0 && root[lr - 1] != '/' ? "/" : "", name);
    c->sum.image_files++;
    f = bmx__open_regular(full, &err);
    if (f == NULL && err.message[0] != '\0' && strstr(err.message, "not a regular file") != NULL) {
        problem(c, SEV_ERROR, "image-unreadable", "%s: not a regular file", full);
        goto done;
    }
    if (f == NULL) {
        if (errno == ENOENT || errno == ENOTDIR) {
            problem(c, SEV_ERROR, "image-missing", "%s: no such file", full);
        } else {
            problem(c, SEV_ERROR, "image-unreadable", "%s: cannot open: %s", full, strerror(errno));
        }
        goto done;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        problem(c, SEV_ERROR, "image-unreadable", "%s: not a regular file", full);
        goto done;
    }
    size_t size = (size_t)sb.st_size;
    size_t got;
    /* The header is near the start: read a prefix first, and the whole file only
     * when decoding or when the prefix was not enough (a JPEG with large APP
     * segments before its frame header). */
    bool whole = c->opts->decode || size <= PROBE_BYTES;
    if (!read_into(c, f, whole ? size : PROBE_BYTES, &got)) {
        if (!c->nomem) {
            problem(c, SEV_ERROR, "image-unreadable", "%s: read error", full);
        }
        goto done;
    }
    int32_t w = 0, h = 0;
    bmx_status st = bmx_image_probe((const uint8_t *)c->file_buf, got, &w, &h, &err);
    if (st != BMX_OK && !whole) {
        whole = true;
        rewind(f);
        if (!read_into(c, f, size, &got)) {
            if (!c->nomem) {
                problem(c, SEV_ERROR, "image-unreadable", "%s: read error", full);
            }
            goto done;
        }
        st = bmx_image_probe((const uint8_t *)c->file_buf, got, &w, &h, &err);
    }
    if (st == BMX_E_NOMEM) {
        c->nomem = true;
        goto done;
    }
    if (st != BMX_OK) {
        problem(c, SEV_ERROR, "image-undecodable", "%s: %s", full, err.message);
        goto done;
    }
    if (rec->dims_ok && (w != rec->w || h != rec->h)) {
        problem(c, SEV_ERROR, "image-size-mismatch",
                "%s is %" PRId32 "x%" PRId32 ", %s %" PRId32 "x%" PRId32, full, w, h,
                c->voc ? "<size> says" : "the record says", rec->w, rec->h);
        goto done;
    }
    if (c->opts->decode) {
        struct bmx_image img = {0};
        st = bmx_image_decode((const uint8_t *)c->file_buf, got, &c->opts->limits, &img, &err);
        bmx_image_free(&img);
        if (st == BMX_E_NOMEM) {
            c->nomem = true;
        } else if (st == BMX_E_LIMIT) {
            problem(c, SEV_ERROR, "image-too-large", "%s: %s", full, err.message);
        } else if (st != BMX_OK) {
            problem(c, SEV_ERROR, "image-undecodable", "%s: %s", full, err.message);
        }
    }
done:
    if (f != NULL) {
        fclose(f);
    }
    free(full);
}

/* ------------------------------------------------------------------------- */
/* Records                                                                    */
/* ------------------------------------------------------------------------- */

/* A skeleton pair: [a, b], keypoint numbers 1..k, as the reader takes them (whole
 * numbers up to 2^31 - 1). `k_known` false: the category's list of keypoint names
 * is itself bad (and reported), so only the pair's form is checked. The path is
 * the pair's. */
static void check_skeleton_pair(struct checker *c, const struct bmx__jnode *p, size_t k,
                                bool k_known)
{
    const struct bmx__jnode *a = bmx__json_is_array(p) ? p->u.child : NULL;
    const struct bmx__jnode *b = a != NULL ? a->next : NULL;
    if (!bmx__json_is_array(p) || p->n != 2 || !bmx__json_is_number(a) || !bmx__json_is_number(b)) {
        char got[32];
        if (bmx__json_is_array(p) && p->n != 2) {
            snprintf(got, sizeof got, "%zu item%s", p->n, p->n == 1 ? "" : "s");
        } else {
            snprintf(got, sizeof got, "%s",
                     bmx__json_type_name(!bmx__json_is_array(p)    ? p
                                         : !bmx__json_is_number(a) ? a
                                                                   : b));
        }
        problem(c, SEV_ERROR, "wrong-type", "expected a pair [a, b] of keypoint numbers, got %s",
                got);
        return;
    }
    if (!isfinite(a->u.num) || !isfinite(b->u.num)) {
        return; /* reported by walk_nonfinite */
    }
    double lim = k_known && k < (size_t)INT32_MAX ? (double)k : (double)INT32_MAX;
    if (bmx__json_is_integral(a->u.num) && a->u.num >= 1 && a->u.num <= lim &&
        bmx__json_is_integral(b->u.num) && b->u.num >= 1 && b->u.num <= lim) {
        return;
    }
    if (!k_known) {
        problem(c, SEV_ERROR, "bad-value",
                "[%.10g, %.10g] is not a pair of keypoint numbers (whole numbers from 1)", a->u.num,
                b->u.num);
    } else if (k == 0) {
        problem(c, SEV_ERROR, "bad-value",
                "[%.10g, %.10g]: the category names no keypoints for a skeleton to join", a->u.num,
                b->u.num);
    } else {
        problem(c, SEV_ERROR, "bad-value",
                "[%.10g, %.10g] is not a pair of keypoint numbers 1..%zu (the category has %zu "
                "keypoint%s)",
                a->u.num, b->u.num, k, k, k == 1 ? "" : "s");
    }
}

/* A category's `keypoints` (a list of names: its length is the count every
 * annotation of the category gives; the names themselves are not read) and
 * `skeleton` (pairs of keypoint numbers). */
static void check_category_keypoints(struct checker *c, const struct bmx__jnode *cat, size_t i)
{
    size_t k = 0;
    bool k_known = true;
    const struct bmx__jnode *v = member(c, cat, "keypoints", false);
    if (v != NULL) {
        size_t old = path_key(c, "keypoints");
        if (bmx__json_is_array(v)) {
            k = v->n;
        } else {
            problem(c, SEV_ERROR, "wrong-type", "expected a list of keypoint names, got %s",
                    bmx__json_type_name(v));
            k_known = false;
        }
        path_pop(c, old);
    }
    /* A bad list counts as none: the category's annotations are then held to
     * whole triples only, not to a count nobody can know. */
    c->cat_keypoints[i] = k;
    v = member(c, cat, "skeleton", false);
    if (v == NULL) {
        return;
    }
    size_t old = path_key(c, "skeleton");
    if (!bmx__json_is_array(v)) {
        problem(c, SEV_ERROR, "wrong-type", "expected a list of [a, b] pairs, got %s",
                bmx__json_type_name(v));
    } else {
        size_t q = 0;
        for (const struct bmx__jnode *p = v->u.child; p != NULL; p = p->next, q++) {
            size_t o2 = path_index(c, q);
            check_skeleton_pair(c, p, k, k_known);
            path_pop(c, o2);
        }
    }
    path_pop(c, old);
}

static void check_category(struct checker *c, const struct bmx__jnode *cat, size_t i)
{
    if (!bmx__json_is_object(cat)) {
        problem(c, SEV_ERROR, "wrong-type", "expected an object, got %s", bmx__json_type_name(cat));
        return;
    }
    check_duplicate_keys(c, cat);
    const struct bmx__jnode *v = member(c, cat, "id", true);
    if (v != NULL) {
        struct key k;
        size_t old = path_key(c, "id");
        if (parse_id(c, v, false, &k)) {
            insert_id(c, &c->cats, &k, i, "categories");
        }
        path_pop(c, old);
    }
    v = member(c, cat, "name", true);
    if (v != NULL && !bmx__json_is_string(v)) {
        size_t old = path_key(c, "name");
        problem(c, SEV_ERROR, "wrong-type", "expected a string, got %s", bmx__json_type_name(v));
        path_pop(c, old);
    }
    check_category_keypoints(c, cat, i);
}

static void check_image(struct checker *c, const struct bmx__jnode *im, size_t i)
{
    struct image_rec *rec = &c->recs[i];
    if (!bmx__json_is_object(im)) {
        problem(c, SEV_ERROR, "wrong-type", "expected an object, got %s", bmx__json_type_name(im));
        return;
    }
    check_duplicate_keys(c, im);
    const struct bmx__jnode *v = member(c, im, "id", true);
    if (v != NULL) {
        struct key k;
        size_t old = path_key(c, "id");
        if (parse_id(c, v, true, &k)) {
            insert_image_id(c, &k, i);
        }
        path_pop(c, old);
    }
    const char *name = NULL;
    v = member(c, im, "file_name", true);
    if (v != NULL) {
        size_t old = path_key(c, "file_name");
        if (!bmx__json_is_string(v)) {
            problem(c, SEV_ERROR, "wrong-type", "expected a non-empty string, got %s",
                    bmx__json_type_name(v));
        } else if (v->u.str[0] == '\0') {
            problem(c, SEV_ERROR, "bad-value", "expected a non-empty string, got \"\"");
        } else if (bmx__name_escapes(v->u.str)) {
            problem(c, SEV_ERROR, "file-name-escapes",
                    "\"%s\" escapes the image folder (absolute or '..')", v->u.str);
        } else {
            name = v->u.str;
            struct key k = {.is_str = true, .str = name};
            struct slot *s = table_find(&c->names, &k);
            if (s->used) {
                problem(c, SEV_WARNING, "duplicate-file-name",
                        "\"%s\" is also the file of images[%zu]", name, s->index);
            } else if ((k.str = pool_copy(c, name)) != NULL) {
                *s = (struct slot){.used = true, .key = k, .index = i};
            }
        }
        path_pop(c, old);
    }
    bool w_ok = parse_dim(c, im, "width", &rec->w);
    bool h_ok = parse_dim(c, im, "height", &rec->h);
    rec->dims_ok = w_ok && h_ok;
    /* The limits of what a record may make, as bmx_dataset_read_coco_limited applies
     * them (the same struct bmx_limits): here the pixels a record declares. */
    uint64_t px = rec->dims_ok ? (uint64_t)rec->w * (uint64_t)rec->h : 0;
    if (px > c->opts->limits.max_image_pixels) {
        problem(c, SEV_ERROR, "image-too-large",
                "%" PRId32 "x%" PRId32 " = %" PRIu64 " pixels, more than the limit of %" PRIu64,
                rec->w, rec->h, px, c->opts->limits.max_image_pixels);
    }
    if (name != NULL && c->image_root != NULL) {
        size_t old = path_key(c, "file_name");
        check_image_file(c, name, rec);
        path_pop(c, old);
    }
}

/* What an annotation's segmentation turned out to be. */
enum seg {
    SEG_NONE,    /* absent, null or [] */
    SEG_POLYGON, /* valid rings in c->rings */
    SEG_RLE,     /* a valid mask in `rle` */
    SEG_BAD      /* reported: no geometry checks */
};

/* Parse the rings into the scratch polyset. Reports each bad ring; any bad ring
 * makes the whole segmentation unusable for the geometry checks. */
static enum seg parse_polygons(struct checker *c, const struct bmx__jnode *seg,
                               struct bmx_polyset *set)
{
    size_t n_rings = 0, n_xy = 0;
    bool bad = false;
    size_t r = 0;
    for (const struct bmx__jnode *ring = seg->u.child; ring != NULL; ring = ring->next, r++) {
        size_t old = path_index(c, r);
        if (!bmx__json_is_array(ring)) {
            /* a flat [x, y, ...] list would give one report per number: one is enough */
            problem(c, SEV_ERROR, "wrong-type", "expected an array of numbers (a polygon), got %s",
                    bmx__json_type_name(ring));
            path_pop(c, old);
            return SEG_BAD;
        }
        size_t k = 0;
        bool ring_ok = true;
        for (const struct bmx__jnode *e = ring->u.child; e != NULL; e = e->next, k++) {
            if (!bmx__json_is_number(e)) {
                if (ring_ok) {
                    size_t o2 = path_index(c, k);
                    problem(c, SEV_ERROR, "wrong-type", "expected a number, got %s", bmx__json_type_name(e));
                    path_pop(c, o2);
                }
                ring_ok = false;
            } else if (!isfinite(e->u.num)) {
                ring_ok = false;
            }
        }
        if (k % 2 != 0) {
            problem(c, SEV_ERROR, "polygon-odd-count",
                    "expected an even count of numbers (x, y pairs), got %zu", k);
            ring_ok = false;
        } else if (k < 6) {
            problem(c, SEV_ERROR, "polygon-too-few-points",
                    "a polygon needs at least 3 points (6 numbers), got %zu", k);
            ring_ok = false;
        }
        path_pop(c, old);
        bad = bad || !ring_ok;
        n_rings++;
        n_xy += k; /* k counts JSON array elements: cannot overflow */
    }
    if (bad) {
        return SEG_BAD;
    }
    if (n_rings > c->rings_cap) {
        struct bmx_poly *p = bmx__realloc_array(c->rings, n_rings, sizeof *p);
        if (p == NULL) {
            c->nomem = true;
            return SEG_BAD;
        }
        c->rings = p;
        c->rings_cap = n_rings;
    }
    if (n_xy > c->xy_cap) {
        double *p = bmx__realloc_array(c->xy, n_xy, sizeof *p);
        if (p == NULL) {
            c->nomem = true;
            return SEG_BAD;
        }
        c->xy = p;
        c->xy_cap = n_xy;
    }
    size_t q = 0, at = 0;
    for (const struct bmx__jnode *ring = seg->u.child; ring != NULL; ring = ring->next, q++) {
        struct bmx_poly *p = &c->rings[q];
        p->xy = c->xy + at;
        p->n = 0;
        for (const struct bmx__jnode *e = ring->u.child; e != NULL; e = e->next) {
            c->xy[at++] = e->u.num;
        }
        p->n = (size_t)(c->xy + at - p->xy) / 2;
    }
    set->count = n_rings;
    set->rings = c->rings;
    return SEG_POLYGON;
}

/* Strip the library's "rle: " prefix from a message. */
static const char *rle_message(const bmx_error *err)
{
    const char *m = err->message;
    return strncmp(m, "rle: ", 5) == 0 ? m + 5 : m;
}

/* Parse an RLE object into `rle` (allocated for the string form, scratch for the
 * array form: `*owned` says which). */
static enum seg parse_rle(struct checker *c, const struct bmx__jnode *seg,
                          const struct image_rec *img, struct bmx_rle *rle, bool *owned)
{
    *owned = false;
    check_duplicate_keys(c, seg);
    const struct bmx__jnode *size = member(c, seg, "size", true);
    const struct bmx__jnode *counts = member(c, seg, "counts", true);
    if (size == NULL || counts == NULL) {
        return SEG_BAD;
    }
    size_t old = path_key(c, "size");
    const struct bmx__jnode *hv = bmx__json_is_array(size) ? size->u.child : NULL;
    const struct bmx__jnode *wv = hv != NULL ? hv->next : NULL;
    if (!bmx__json_is_array(size) || size->n != 2 || !bmx__json_is_number(hv) || !bmx__json_is_number(wv) ||
        !bmx__json_is_integral(hv->u.num) || !bmx__json_is_integral(wv->u.num) || hv->u.num < 0 ||
        wv->u.num < 0 || hv->u.num > UINT32_MAX || wv->u.num > UINT32_MAX) {
        if (!(bmx__json_is_number(hv) && !isfinite(hv->u.num)) &&
            !(bmx__json_is_number(wv) && !isfinite(wv->u.num))) {
            problem(c, SEV_ERROR, "wrong-type", "expected [height, width] integers");
        }
        path_pop(c, old);
        return SEG_BAD;
    }
    uint32_t h = (uint32_t)hv->u.num, w = (uint32_t)wv->u.num;
    bool size_ok = true;
    if (img != NULL && img->dims_ok && ((int64_t)h != img->h || (int64_t)w != img->w)) {
        problem(c, SEV_ERROR, "rle-size-mismatch",
                "[%" PRIu32 ", %" PRIu32 "] differs from its image's [height, width] [%" PRId32
                ", %" PRId32 "]",
                h, w, img->h, img->w);
        size_ok = false;
    }
    path_pop(c, old);

    old = path_key(c, "counts");
    enum seg result = SEG_BAD;
    bmx_error err = {0};
    if (bmx__json_is_string(counts)) {
        bmx_status st =
            bmx_rle_from_string(counts->u.str, strlen(counts->u.str), h, w, rle, &err);
        if (st == BMX_E_NOMEM) {
            c->nomem = true;
        } else if (st != BMX_OK) {
            /* bmx_rle_from_string gives BMX_E_PARSE both for a malformed string and
             * for runs that do not add up; only the latter says "add up to". */
            bool sum = st == BMX_E_PARSE && strstr(err.message, "add up to") != NULL;
            problem(c, SEV_ERROR, sum ? "rle-runs-sum" : "rle-malformed", "%s", rle_message(&err));
        } else {
            *owned = true;
            result = SEG_RLE;
        }
    } else if (bmx__json_is_array(counts)) {
        size_t m = counts->n;
        if (m > c->runs_cap) {
            uint32_t *p = bmx__realloc_array(c->runs, m, sizeof *p);
            if (p == NULL) {
                c->nomem = true;
                path_pop(c, old);
                return SEG_BAD;
            }
            c->runs = p;
            c->runs_cap = m;
        }
        size_t j = 0;
        bool ok = true;
        for (const struct bmx__jnode *e = counts->u.child; e != NULL; e = e->next, j++) {
            if (bmx__json_is_number(e) && !isfinite(e->u.num)) {
                ok = false;
                break;
            }
            if (!bmx__json_is_number(e) || !bmx__json_is_integral(e->u.num) || e->u.num < 0 ||
                e->u.num > UINT32_MAX) {
                size_t o2 = path_index(c, j);
                problem(c, SEV_ERROR, "rle-malformed", "expected a run length in 0..4294967295");
                path_pop(c, o2);
                ok = false;
                break;
            }
            c->runs[j] = (uint32_t)e->u.num;
        }
        if (ok) {
            *rle = (struct bmx_rle){.h = h, .w = w, .m = m, .counts = c->runs};
            bmx_status st = bmx_rle_validate(rle, &err);
            if (st == BMX_E_SCHEMA) {
                problem(c, SEV_ERROR, "rle-runs-sum", "%s", rle_message(&err));
            } else if (st != BMX_OK) {
                problem(c, SEV_ERROR, "rle-malformed", "%s", rle_message(&err));
            } else {
                result = SEG_RLE;
            }
        }
    } else {
        problem(c, SEV_ERROR, "wrong-type", "expected a string or an array of run lengths, got %s",
                bmx__json_type_name(counts));
    }
    path_pop(c, old);
    if (result == SEG_RLE && !size_ok) {
        /* a mask of another size: its runs are fine, its geometry is not comparable */
        result = SEG_BAD;
    }
    if (result == SEG_RLE && bmx_rle_area(rle) == 0) {
        problem(c, SEV_WARNING, "mask-empty", "the mask has no pixel set");
        result = SEG_BAD;
    }
    return result;
}

/* Append `s` to buf (n bytes used of cap), cut and terminated as snprintf cuts. */
static void text_append(char *buf, size_t cap, size_t *n, const char *s)
{
    size_t len = strlen(s);
    if (*n + len >= cap) {
        len = *n + 1 < cap ? cap - 1 - *n : 0;
    }
    memcpy(buf + *n, s, len);
    *n += len;
    buf[*n] = '\0';
}

/* Largest distance between the sides of two boxes. */
static double box_distance(const struct bmx_box *a, const struct bmx_box *b)
{
    double d = fabs(a->x - b->x);
    d = fmax(d, fabs(a->y - b->y));
    d = fmax(d, fabs((a->x + a->w) - (b->x + b->w)));
    d = fmax(d, fabs((a->y + a->h) - (b->y + b->h)));
    return d;
}

static void check_box_vs_mask(struct checker *c, const struct bmx_box *box,
                              const struct bmx_box *mbox, bool crowd, const char *what)
{
    double d = box_distance(box, mbox);
    if (d <= COORD_EPS) {
        return;
    }
    size_t old = path_key(c, "bbox");
    /* "[%.10g, %.10g, %.10g, %.10g] is %.3g px off WHAT [%.10g, %.10g, %.10g, %.10g]"
     * put together piece by piece (cut at 255 bytes as snprintf would): this is the
     * message a broken file repeats a million times. */
    char desc[256], g[32];
    size_t n = 0;
    double nums[9] = {box->x, box->y, box->w, box->h, d, mbox->x, mbox->y, mbox->w, mbox->h};
    static const char *const before[9] = {"[", ", ", ", ", ", ", "] is ", " [", ", ", ", ", ", "};
    for (int q = 0; q < 9; q++) {
        text_append(desc, sizeof desc, &n, before[q]);
        text_append(desc, sizeof desc, &n, bmx__format_g(g, sizeof g, nums[q], q == 4 ? 3 : 10));
        if (q == 4) {
            text_append(desc, sizeof desc, &n, " px off ");
            text_append(desc, sizeof desc, &n, what);
        }
    }
    text_append(desc, sizeof desc, &n, "]");
    if (crowd) {
        problem(c, SEV_WARNING, "crowd-bbox-mismatch",
                "crowd object: %s (a known quirk of the official COCO files)", desc);
    } else if (d <= EDGE_TOL) {
        problem(c, SEV_WARNING, "bbox-off-by-one", "%s", desc);
    } else {
        problem(c, SEV_ERROR, "bbox-mismatch", "%s", desc);
    }
    path_pop(c, old);
}

static void check_area_vs_mask(struct checker *c, double area, double want, double tol, bool crowd,
                               const char *what)
{
    if (fabs(area - want) <= tol) {
        return;
    }
    size_t old = path_key(c, "area");
    char ga[32], gw[32];
    bmx__format_g(ga, sizeof ga, area, 10);
    bmx__format_g(gw, sizeof gw, want, 10);
    if (crowd) {
        problem(c, SEV_WARNING, "crowd-area-mismatch",
                "crowd object: %s differs from %s %s (a known quirk of the official COCO files)",
                ga, what, gw);
    } else {
        problem(c, SEV_ERROR, "area-mismatch", "%s differs from %s %s", ga, what, gw);
    }
    path_pop(c, old);
}

/* Vertices outside the image: an error for one more than the image's size past an
 * edge (what the strict reader refuses, since CutMix of it would not be finite),
 * else a warning; once per annotation either way. */
static void check_polygons_inside(struct checker *c, const struct bmx_polyset *set,
                                  const struct image_rec *img)
{
    const double W = img->w, H = img->h;
    for (size_t r = 0; img->dims_ok && r < set->count; r++) {
        const struct bmx_poly *p = &set->rings[r];
        for (size_t j = 0; j < p->n; j++) {
            double x = p->xy[2 * j], y = p->xy[2 * j + 1];
            if (!(x >= -W && x <= 2 * W && y >= -H && y <= 2 * H)) {
                size_t o1 = path_key(c, "segmentation");
                size_t o2 = path_index(c, r);
                problem(c, SEV_ERROR, "polygon-far-outside-image",
                        "vertex (%.10g, %.10g) lies more than the image's size outside the "
                        "%" PRId32 "x%" PRId32 " image",
                        x, y, img->w, img->h);
                path_pop(c, o2);
                path_pop(c, o1);
                return;
            }
        }
    }
    for (size_t r = 0; r < set->count; r++) {
        const struct bmx_poly *p = &set->rings[r];
        double out = 0.0;
        for (size_t j = 0; j < p->n; j++) {
            double x = p->xy[2 * j], y = p->xy[2 * j + 1];
            out = fmax(out, fmax(fmax(-x, x - img->w), fmax(-y, y - img->h)));
        }
        if (out > COORD_EPS) {
            size_t o1 = path_key(c, "segmentation");
            size_t o2 = path_index(c, r);
            problem(c, SEV_WARNING, "polygon-outside-image",
                    "vertices lie up to %.3g px outside the %" PRId32 "x%" PRId32 " image", out,
                    img->w, img->h);
            path_pop(c, o2);
            path_pop(c, o1);
            return;
        }
    }
}

/* Where the keypoint rules' problems go: each at the annotation's field it is
 * about. Without the image's size, positions against the image are not judged
 * (the image's problem is reported already). */
struct kp_sink {
    struct checker *c;
    bool no_image;
};

static void report_keypoint(void *ctx, bool error, const char *code, const char *message)
{
    struct kp_sink *sink = ctx;
    if (sink->no_image && strcmp(code, "keypoint-outside-image") == 0) {
        return;
    }
    size_t old =
        path_key(sink->c, strcmp(code, "num-keypoints") == 0 ? "num_keypoints" : "keypoints");
    problem(sink->c, error ? SEV_ERROR : SEV_WARNING, code, "%s", message);
    path_pop(sink->c, old);
}

/* An annotation's `num_keypoints` (a whole number 0..1e9, as the reader takes it)
 * and `keypoints` (a list of finite numbers), then bmx__keypoints_check on them:
 * `n_keypoints` is its category's count, `img` its image (NULL: unknown), `box`
 * its bbox (NULL: none usable). */
static void check_keypoints(struct checker *c, const struct bmx__jnode *a, size_t n_keypoints,
                            const struct image_rec *img, const struct bmx_box *box)
{
    bool has_num = false;
    double num = 0.0;
    const struct bmx__jnode *v = member(c, a, "num_keypoints", false);
    if (v != NULL) {
        size_t old = path_key(c, "num_keypoints");
        if (!bmx__json_is_number(v)) {
            problem(c, SEV_ERROR, "wrong-type", "expected a whole number >= 0, got %s",
                    bmx__json_type_name(v));
        } else if (!isfinite(v->u.num)) {
            /* reported by walk_nonfinite */
        } else if (!bmx__json_is_integral(v->u.num) || v->u.num < 0 || v->u.num > 1e9) {
            /* the reader's bound, far above any real count */
            problem(c, SEV_ERROR, "bad-value", "expected a whole number >= 0%s, got %.10g",
                    v->u.num > 1e9 ? " (at most 1000000000)" : "", v->u.num);
        } else {
            has_num = true;
            num = v->u.num;
        }
        path_pop(c, old);
    }
    v = member(c, a, "keypoints", false);
    if (v == NULL) {
        return;
    }
    size_t old = path_key(c, "keypoints");
    if (!bmx__json_is_array(v)) {
        problem(c, SEV_ERROR, "wrong-type", "expected a list of numbers (x, y, v triples), got %s",
                bmx__json_type_name(v));
        path_pop(c, old);
        return;
    }
    if (v->n > c->kp_cap) {
        double *p = bmx__realloc_array(c->kp, v->n, sizeof *p);
        if (p == NULL) {
            c->nomem = true;
            path_pop(c, old);
            return;
        }
        c->kp = p;
        c->kp_cap = v->n;
    }
    size_t n = 0;
    bool ok = true;
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, n++) {
        if (!bmx__json_is_number(e)) {
            if (ok) {
                /* one report per list is enough: the rules are not applied to it */
                size_t o2 = path_index(c, n);
                problem(c, SEV_ERROR, "wrong-type", "expected a number, got %s",
                        bmx__json_type_name(e));
                path_pop(c, o2);
            }
            ok = false;
        } else if (!isfinite(e->u.num)) {
            ok = false; /* reported by walk_nonfinite */
        } else {
            c->kp[n] = e->u.num;
        }
    }
    path_pop(c, old);
    if (!ok) {
        return;
    }
    struct kp_sink sink = {.c = c, .no_image = img == NULL};
    bmx__keypoints_check(c->kp, n, n_keypoints, has_num, num, img != NULL ? img->w : INT32_MAX,
                         img != NULL ? img->h : INT32_MAX, box, report_keypoint, &sink);
}

/* image_id: resolve to an image record, accepting the other spelling ("7" for 7)
 * as the strict reader does, with a warning. */
static struct image_rec *resolve_image(struct checker *c, const struct bmx__jnode *v)
{
    struct key k;
    size_t old = path_key(c, "image_id");
    struct image_rec *rec = NULL;
    if (!parse_id(c, v, true, &k) || !c->images_ok) {
        goto done;
    }
    struct slot *s = table_find(&c->images, &k);
    if (s->used) {
        rec = &c->recs[s->index];
        goto done;
    }
    struct key other = {0};
    char tmp[32];
    bool have_other = false;
    if (k.is_str) {
        char *end;
        errno = 0;
        long long n = strtoll(k.str, &end, 10);
        if (k.str[0] != '\0' && *end == '\0' && errno == 0) {
            other = (struct key){.is_str = false, .num = (int64_t)n};
            have_other = true;
        }
    } else {
        snprintf(tmp, sizeof tmp, "%" PRId64, k.num);
        other = (struct key){.is_str = true, .str = tmp};
        have_other = true;
    }
    struct slot *o = have_other ? table_find(&c->images, &other) : NULL;
    char id[96];
    describe_key(&k, id, sizeof id);
    if (o != NULL && o->used) {
        problem(c, SEV_WARNING, "image-id-spelling",
                "%s names images[%zu] whose id is spelled %s (other tools will not match them)", id,
                o->index, k.is_str ? "as a number" : "as a string");
        rec = &c->recs[o->index];
    } else {
        problem(c, SEV_ERROR, "unknown-image-id", "no image has id %s", id);
    }
done:
    /* The reader's limit of objects per image, reported once, at the first beyond it. */
    if (rec != NULL && ++rec->n_anns == c->opts->limits.max_objects_per_image + 1) {
        char id[96];
        describe_key(&k, id, sizeof id);
        problem(c, SEV_ERROR, "limit-exceeded",
                "image %s has more than %" PRIu64 " annotations (limit)", id,
                c->opts->limits.max_objects_per_image);
    }
    path_pop(c, old);
    return rec;
}

static void check_annotation(struct checker *c, const struct bmx__jnode *a, size_t i)
{
    if (!bmx__json_is_object(a)) {
        problem(c, SEV_ERROR, "wrong-type", "expected an object, got %s", bmx__json_type_name(a));
        return;
    }
    check_duplicate_keys(c, a);
    struct key k;
    size_t old;

    const struct bmx__jnode *v = member(c, a, "id", true);
    if (v != NULL) {
        old = path_key(c, "id");
        if (parse_id(c, v, false, &k)) {
            insert_id(c, &c->anns, &k, i, "annotations");
        }
        path_pop(c, old);
    }

    const struct image_rec *img = NULL;
    v = member(c, a, "image_id", true);
    if (v != NULL) {
        img = resolve_image(c, v);
    }
    if (img != NULL && !img->dims_ok) {
        img = NULL;
    }

    size_t n_keypoints = 0; /* the category's; 0: it names none (or is unknown) */
    v = member(c, a, "category_id", true);
    if (v != NULL) {
        old = path_key(c, "category_id");
        if (parse_id(c, v, false, &k) && c->cats_ok) {
            const struct slot *s = table_find(&c->cats, &k);
            if (!s->used) {
                problem(c, SEV_ERROR, "unknown-category-id", "no category has id %" PRId64, k.num);
            } else {
                n_keypoints = c->cat_keypoints[s->index];
            }
        }
        path_pop(c, old);
    }

    /* bbox */
    struct bmx_box box = {0};
    bool box_ok = false;
    v = member(c, a, "bbox", true);
    if (v != NULL) {
        old = path_key(c, "bbox");
        if (!bmx__json_is_array(v)) {
            problem(c, SEV_ERROR, "wrong-type", "expected 4 numbers, got %s", bmx__json_type_name(v));
        } else if (v->n != 4) {
            problem(c, SEV_ERROR, "wrong-type", "expected 4 numbers, got %zu", v->n);
        } else {
            double b[4];
            int q = 0;
            box_ok = true;
            for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, q++) {
                if (!bmx__json_is_number(e)) {
                    size_t o2 = path_index(c, (size_t)q);
                    problem(c, SEV_ERROR, "wrong-type", "expected a number, got %s", bmx__json_type_name(e));
                    path_pop(c, o2);
                    box_ok = false;
                } else if (!isfinite(e->u.num)) {
                    box_ok = false;
                } else {
                    b[q] = e->u.num;
                }
            }
            if (box_ok) {
                box = (struct bmx_box){b[0], b[1], b[2], b[3]};
                if (box.w < 0 || box.h < 0) {
                    problem(c, SEV_ERROR, "bbox-negative-size",
                            "negative width or height [%.10g, %.10g, %.10g, %.10g]", box.x, box.y,
                            box.w, box.h);
                    box_ok = false;
                } else if (box.w == 0 || box.h == 0) {
                    problem(c, SEV_WARNING, "bbox-empty",
                            "the box has no area [%.10g, %.10g, %.10g, %.10g]; trainers may "
                            "reject it",
                            box.x, box.y, box.w, box.h);
                }
            }
            if (box_ok && img != NULL) {
                double over = fmax(fmax(-box.x, -box.y),
                                   fmax(box.x + box.w - img->w, box.y + box.h - img->h));
                /* the strict reader refuses a box wholly past an edge, even by less
                 * than 1 px (one without width or height can be) */
                bool beyond =
                    box.x > img->w || box.y > img->h || box.x + box.w < 0 || box.y + box.h < 0;
                if (over > EDGE_TOL) {
                    problem(c, SEV_ERROR, "bbox-outside-image",
                            "[%.10g, %.10g, %.10g, %.10g] extends %.4g px beyond the %" PRId32
                            "x%" PRId32 " image",
                            box.x, box.y, box.w, box.h, over, img->w, img->h);
                } else if (beyond) {
                    problem(c, SEV_ERROR, "bbox-outside-image",
                            "[%.10g, %.10g, %.10g, %.10g] lies wholly outside the %" PRId32
                            "x%" PRId32 " image",
                            box.x, box.y, box.w, box.h, img->w, img->h);
                } else if (over > COORD_EPS) {
                    problem(c, SEV_WARNING, "bbox-past-edge",
                            "[%.10g, %.10g, %.10g, %.10g] extends %.3g px beyond the %" PRId32
                            "x%" PRId32 " image",
                            box.x, box.y, box.w, box.h, over, img->w, img->h);
                }
            }
        }
        path_pop(c, old);
    }

    /* area */
    double area = 0.0;
    bool area_ok = false;
    v = member(c, a, "area", false);
    old = path_key(c, "area");
    if (v == NULL) {
        problem(c, SEV_WARNING, "missing-recommended-key",
                "missing (COCO evaluation reads every object's area)");
    } else if (!bmx__json_is_number(v)) {
        problem(c, SEV_ERROR, "wrong-type", "expected a number >= 0, got %s", bmx__json_type_name(v));
    } else if (isfinite(v->u.num)) {
        if (v->u.num < 0) {
            problem(c, SEV_ERROR, "bad-value", "expected a number >= 0, got %.10g", v->u.num);
        } else {
            area = v->u.num;
            area_ok = true;
        }
    }
    path_pop(c, old);

    /* iscrowd */
    bool crowd = false;
    v = member(c, a, "iscrowd", false);
    old = path_key(c, "iscrowd");
    if (v == NULL) {
        problem(c, SEV_WARNING, "missing-recommended-key",
                "missing (COCO evaluation reads every object's iscrowd)");
    } else if (v->type == BMX__J_TRUE || v->type == BMX__J_FALSE) {
        crowd = v->type == BMX__J_TRUE;
    } else if (bmx__json_is_number(v) && (v->u.num == 0 || v->u.num == 1)) {
        crowd = v->u.num == 1;
    } else if (!(bmx__json_is_number(v) && !isfinite(v->u.num))) {
        problem(c, SEV_ERROR, "bad-value", "expected 0 or 1, got %s",
                bmx__json_is_number(v) ? "another number" : bmx__json_type_name(v));
    }
    path_pop(c, old);

    /* segmentation */
    enum seg kind = SEG_NONE;
    struct bmx_polyset polys = {0};
    struct bmx_rle rle = {0};
    bool rle_owned = false;
    v = member(c, a, "segmentation", false);
    old = path_key(c, "segmentation");
    if (v == NULL || v->type == BMX__J_NULL || (bmx__json_is_array(v) && v->u.child == NULL)) {
        kind = SEG_NONE;
    } else if (bmx__json_is_array(v)) {
        kind = parse_polygons(c, v, &polys);
    } else if (bmx__json_is_object(v)) {
        kind = parse_rle(c, v, img, &rle, &rle_owned);
    } else {
        problem(c, SEV_ERROR, "wrong-type", "expected a list of polygons or an RLE object, got %s",
                bmx__json_type_name(v));
        kind = SEG_BAD;
    }
    path_pop(c, old);

    /* the reader's limit of polygon vertices per annotation, all rings */
    if (kind == SEG_POLYGON) {
        uint64_t n = 0;
        for (size_t r = 0; r < polys.count; r++) {
            n += polys.rings[r].n;
        }
        if (n > c->opts->limits.max_polygon_vertices) {
            old = path_key(c, "segmentation");
            problem(c, SEV_ERROR, "limit-exceeded",
                    "%" PRIu64 " polygon vertices, more than the limit of %" PRIu64, n,
                    c->opts->limits.max_polygon_vertices);
            path_pop(c, old);
        }
    }

    /* geometry against geometry */
    if (kind == SEG_POLYGON) {
        for (size_t r = 0; r < polys.count; r++) {
            if (bmx_poly_area(&polys.rings[r]) == 0.0) {
                size_t o1 = path_key(c, "segmentation");
                size_t o2 = path_index(c, r);
                problem(c, SEV_WARNING, "polygon-zero-area", "the polygon encloses no area");
                path_pop(c, o2);
                path_pop(c, o1);
            }
        }
        if (img != NULL) {
            check_polygons_inside(c, &polys, img);
        }
        if (box_ok) {
            struct bmx_box ext;
            bmx_polyset_bbox(&polys, &ext);
            check_box_vs_mask(c, &box, &ext, crowd, "its polygons' extent");
        }
        if (area_ok) {
            double exact = bmx_polyset_area(&polys);
            check_area_vs_mask(c, area, exact, AREA_ABS_TOL + AREA_REL_TOL * exact, crowd,
                               "the polygons' exact area");
        }
    } else if (kind == SEG_RLE) {
        if (box_ok) {
            struct bmx_box mb;
            bmx_rle_bbox(&rle, &mb);
            check_box_vs_mask(c, &box, &mb, crowd, "its mask's box");
        }
        if (area_ok) {
            check_area_vs_mask(c, area, (double)bmx_rle_area(&rle), AREA_ABS_TOL, crowd,
                               "the mask's pixel count");
        }
    } else if (kind == SEG_NONE && box_ok && area_ok) {
        double wh = box.w * box.h;
        if (area > wh + AREA_ABS_TOL + AREA_REL_TOL * wh) {
            old = path_key(c, "area");
            problem(c, SEV_ERROR, "area-exceeds-box", "%.10g is more than the box's w*h %.10g",
                    area, wh);
            path_pop(c, old);
        }
    }
    if (rle_owned) {
        bmx_rle_free(&rle);
    }
    check_keypoints(c, a, n_keypoints, img, box_ok ? &box : NULL);
}

/* ------------------------------------------------------------------------- */
/* The document                                                               */
/* ------------------------------------------------------------------------- */

/* The record arrays, in the order their records are checked: annotations refer
 * to categories and images, so those are known first whatever the file order. */
enum { SEC_CATEGORIES, SEC_IMAGES, SEC_ANNOTATIONS, SEC_COUNT };

static const char *const section_keys[SEC_COUNT] = {"categories", "images", "annotations"};

static int section_of(const char *key)
{
    for (int s = 0; s < SEC_COUNT; s++) {
        if (strcmp(key, section_keys[s]) == 0) {
            return s;
        }
    }
    return -1;
}

/* What the first pass learns of the document. */
struct document {
    size_t root;        /* offset of the top-level value */
    bool object;        /* the top-level value is an object */
    const char **keys;  /* its members' keys (in the key parser's arena), file order */
    size_t *starts;     /* and where their values start */
    size_t n, cap;
    bool has[SEC_COUNT];     /* the section's key is there: its first value is at */
    size_t start[SEC_COUNT]; /* start[], an array of count[] records when is_array[] */
    bool is_array[SEC_COUNT];
    size_t count[SEC_COUNT];
};

static bool add_member(struct document *d, const char *key, size_t start)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        const char **k = bmx__realloc_array(d->keys, cap, sizeof *k);
        if (k == NULL) {
            return false;
        }
        d->keys = k;
        size_t *s = bmx__realloc_array(d->starts, cap, sizeof *s);
        if (s == NULL) {
            return false;
        }
        d->starts = s;
        d->cap = cap;
    }
    d->keys[d->n] = key;
    d->starts[d->n] = start;
    d->n++;
    return true;
}

/* A parser failure: out of memory, or the syntax problem. */
static void json_failure(struct checker *c, const struct bmx__json *p)
{
    if (p->nomem || !p->failed) {
        c->nomem = true;
        return;
    }
    bmx_error e = {0};
    bmx__json_fail(p, "", &e);
    /* The message reads ": line L, column C: ..."; the file is named by the
     * problem itself. */
    const char *m = strncmp(e.message, ": ", 2) == 0 ? e.message + 2 : e.message;
    problem(c, SEV_ERROR, "json-syntax", "%s", m);
}

/* The elements of the array at *pos (then just past it), checked without being
 * built. Returns -1 on a syntax error. */
static int count_elements(struct bmx__json *kp, size_t *pos, size_t *count)
{
    size_t n = 0;
    int more = bmx__json_begin(kp, pos, '[');
    while (more == 1) {
        if (!bmx__json_value(kp, pos, 2, NULL)) {
            return -1;
        }
        n++;
        more = bmx__json_next(kp, pos, ']');
    }
    *count = n;
    return more;
}

/* First pass: judge the syntax of the whole text with the reader's own strict
 * parser (control characters, NUL, invalid UTF-8, nesting, what follows the
 * document), and find the top-level members and the size of each section,
 * without building anything. Returns false after reporting a syntax problem. */
static bool scan_document(struct checker *c, struct bmx__json *kp, struct document *d)
{
    size_t pos = bmx__json_skip_ws(kp, 0);
    d->root = pos;
    d->object = pos < kp->len && kp->buf[pos] == '{';
    bool ok;
    if (!d->object) {
        ok = bmx__json_value(kp, &pos, 0, NULL);
    } else {
        /* The same walk and the same errors as bmx__json_value over the object. */
        int more = bmx__json_begin(kp, &pos, '{');
        while (more == 1) {
            const char *key;
            if (!bmx__json_key(kp, &pos, &key)) {
                more = -1;
                break;
            }
            size_t start = bmx__json_skip_ws(kp, pos);
            int s = section_of(key);
            if (s >= 0 && !d->has[s]) {
                d->has[s] = true;
                d->start[s] = start;
                d->is_array[s] = start < kp->len && kp->buf[start] == '[';
            }
            if (s >= 0 && d->start[s] == start && d->is_array[s]) {
                pos = start;
                more = count_elements(kp, &pos, &d->count[s]);
                if (more < 0) {
                    break;
                }
            } else if (!bmx__json_value(kp, &pos, 1, NULL)) {
                more = -1;
                break;
            }
            if (!add_member(d, key, start)) {
                c->nomem = true;
                return false;
            }
            more = bmx__json_next(kp, &pos, '}');
        }
        ok = more == 0;
    }
    if (!ok) {
        json_failure(c, kp);
        return false;
    }
    pos = bmx__json_skip_ws(kp, pos);
    if (pos < kp->len) {
        size_t line, col;
        bmx__json_line_col(kp->buf, pos, &line, &col);
        problem(c, SEV_ERROR, "json-syntax", "line %zu, column %zu: text after the JSON document",
                line, col);
        return false;
    }
    return true;
}

/* Parse the value at `start` into a tree of `p` (emptied first). */
static struct bmx__jnode *parse_at(struct checker *c, struct bmx__json *p, size_t start,
                                   int depth)
{
    struct bmx__jnode *v = NULL;
    bmx__json_reset(p);
    p->has_nonfinite = false;
    if (!bmx__json_value(p, &start, depth, &v)) {
        json_failure(c, p);
        return NULL;
    }
    return v;
}

/* Run `fn` over each element of the section at `start`, one record in the arena
 * at a time, with its path and non-finite walk. */
static void each_record(struct checker *c, struct bmx__json *p, size_t start, const char *key,
                        void (*fn)(struct checker *, const struct bmx__jnode *, size_t))
{
    size_t pos = start;
    int more = bmx__json_begin(p, &pos, '[');
    for (size_t i = 0; more == 1 && !c->nomem; i++) {
        struct bmx__jnode *e = NULL;
        bmx__json_reset(p);
        p->has_nonfinite = false;
        if (!bmx__json_value(p, &pos, 2, &e)) {
            json_failure(c, p);
            return;
        }
        size_t o1 = path_key(c, key);
        path_index(c, i);
        if (p->has_nonfinite) {
            walk_nonfinite(c, e);
        }
        fn(c, e, i);
        path_pop(c, o1);
        more = bmx__json_next(p, &pos, ']');
    }
    if (more < 0) {
        json_failure(c, p);
    }
}

static void check_document(struct checker *c, struct bmx__json *kp, struct bmx__json *p,
                           const struct document *d)
{
    if (!d->object) {
        const struct bmx__jnode *root = parse_at(c, p, d->root, 0);
        if (root == NULL) {
            return;
        }
        walk_nonfinite(c, root);
        problem(c, SEV_ERROR, "wrong-type", "expected an object (a COCO document), got %s",
                bmx__json_type_name(root));
        return;
    }
    check_duplicate_list(c, d->keys, d->n);
    /* Numbers outside the three record arrays (those are walked record by record);
     * the first pass saw whether the document has any. */
    for (size_t i = 0; i < d->n && kp->has_nonfinite && !c->nomem; i++) {
        if (section_of(d->keys[i]) >= 0) {
            continue;
        }
        const struct bmx__jnode *v = parse_at(c, p, d->starts[i], 1);
        if (v == NULL) {
            return;
        }
        size_t old = path_key(c, d->keys[i]);
        walk_nonfinite(c, v);
        path_pop(c, old);
    }
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->keys[i], "info") == 0) {
            char first = kp->buf[d->starts[i]];
            if (first != '{' && first != 'n') {
                size_t old = path_key(c, "info");
                problem(c, SEV_ERROR, "wrong-type", "expected an object or null, got %s",
                        bmx__json_type_name_of_text(first));
                path_pop(c, old);
            }
            break;
        }
    }
    /* Missing or mistyped sections, in this order. */
    static const int report_order[SEC_COUNT] = {SEC_IMAGES, SEC_ANNOTATIONS, SEC_CATEGORIES};
    for (int q = 0; q < SEC_COUNT; q++) {
        int s = report_order[q];
        size_t old = path_key(c, section_keys[s]);
        if (!d->has[s]) {
            problem(c, SEV_ERROR, "missing-key", "missing");
        } else if (!d->is_array[s]) {
            problem(c, SEV_ERROR, "wrong-type", "expected an array, got %s",
                    bmx__json_type_name_of_text(kp->buf[d->start[s]]));
        }
        path_pop(c, old);
    }
    size_t n_img = d->count[SEC_IMAGES], n_ann = d->count[SEC_ANNOTATIONS];
    size_t n_cat = d->count[SEC_CATEGORIES];
    c->sum.images = n_img;
    c->sum.annotations = n_ann;
    c->sum.categories = n_cat;
    c->images_ok = d->is_array[SEC_IMAGES];
    c->cats_ok = d->is_array[SEC_CATEGORIES];
    c->recs = bmx__alloc_array(n_img ? n_img : 1, sizeof *c->recs);
    c->cat_keypoints = bmx__alloc_array(n_cat ? n_cat : 1, sizeof *c->cat_keypoints);
    if (c->recs == NULL || c->cat_keypoints == NULL || !table_init(&c->images, n_img) ||
        !table_init(&c->image_values, n_img) || !table_init(&c->names, n_img) ||
        !table_init(&c->anns, n_ann) || !table_init(&c->cats, n_cat)) {
        c->nomem = true;
        return;
    }
    memset(c->recs, 0, (n_img ? n_img : 1) * sizeof *c->recs);
    memset(c->cat_keypoints, 0, (n_cat ? n_cat : 1) * sizeof *c->cat_keypoints);
    static void (*const check_fn[SEC_COUNT])(struct checker *, const struct bmx__jnode *,
                                             size_t) = {check_category, check_image,
                                                        check_annotation};
    for (int s = 0; s < SEC_COUNT && !c->nomem; s++) {
        if (d->is_array[s]) {
            each_record(c, p, d->start[s], section_keys[s], check_fn[s]);
        }
    }
}

static void check_coco(struct checker *c, const char *buf, size_t len)
{
    /* Two parsers over the text: `kp` keeps the top-level keys for the whole run,
     * `p` holds one record (or one other top-level value) at a time. */
    struct bmx__json kp, p;
    struct document d = {0};
    bmx__json_init(&kp, buf, len);
    bmx__json_init(&p, buf, len);
    /* A repeated key is a problem to report, not a syntax error. */
    p.allow_repeated_keys = true;
    if (scan_document(c, &kp, &d)) {
        check_document(c, &kp, &p, &d);
    }
    free(d.keys);
    free(d.starts);
    bmx__json_free(&p);
    bmx__json_free(&kp);
}

/* ------------------------------------------------------------------------- */
/* Pascal VOC                                                                 */
/* ------------------------------------------------------------------------- */

static bool is_directory(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* One entry of the walk: an XML file to check, or a line of the split list. */
struct voc_entry {
    char *xml;   /* owned; NULL when the line itself is the problem */
    size_t line; /* line of the split list, 0 without a split */
    const char *id;
};

struct voc_state {
    struct bmx_voc_options vopts;
    const char *split_path; /* the split list, for problems on its lines */
    const char **labels;    /* label names sorted, or NULL */
    size_t n_labels;
    struct table files;     /* file_name -> entry index */
    struct bmx__strlist owned;   /* file names the table points to */
    struct bmx__strlist cats;    /* every object name, sorted and made unique at the end */
    struct voc_entry *entries;
    size_t n_entries;
};

static void path_set(struct checker *c, const char *s)
{
    path_pop(c, 0);
    path_append(c, "%s", s);
}

static const char *fault_code(enum bmx__voc_fault f)
{
    switch (f) {
    case BMX__VOC_IO:
        return "voc-unreadable";
    case BMX__VOC_TOO_LARGE:
        return "voc-file-too-large";
    case BMX__VOC_SYNTAX:
        return "voc-xml-syntax";
    case BMX__VOC_TOO_DEEP:
        return "voc-too-deep";
    case BMX__VOC_ENTITY:
        return "voc-entity";
    case BMX__VOC_WRONG_ROOT:
        return "voc-wrong-root";
    case BMX__VOC_MISSING:
        return "voc-missing-element";
    case BMX__VOC_BAD_VALUE:
        return "voc-bad-value";
    case BMX__VOC_BOX_INVERTED:
        return "voc-box-inverted";
    case BMX__VOC_BOX_OUTSIDE:
        return "voc-box-outside-image";
    case BMX__VOC_SIZE_UNKNOWN:
        return "voc-size-unknown";
    case BMX__VOC_IMAGE_TOO_LARGE:
        return "image-too-large";
    case BMX__VOC_OK:
    case BMX__VOC_OTHER:
        break;
    }
    return "voc-unreadable";
}

/* The checks of one object of a file the reader took. */
static void check_voc_object(struct checker *c, struct voc_state *vs, const bmx_dataset *ds,
                             const struct bmx_object *o, size_t k)
{
    const char *name = bmx_dataset_category_name(ds, o->category_id);
    if (name == NULL || !bmx__strlist_push(&vs->cats, strdup(name))) {
        c->nomem = true;
        return;
    }
    char at[96];
    if (vs->labels != NULL &&
        bsearch(&name, vs->labels, vs->n_labels, sizeof *vs->labels, bmx__strlist_cmp) == NULL) {
        snprintf(at, sizeof at, "annotation/object[%zu]/name", k + 1);
        path_set(c, at);
        problem(c, SEV_ERROR, "unknown-label", "'%s' is not in the labels file %s", name,
                c->opts->labels);
    }
    /* Read back: xmin = x + 1, xmax = x + w (whole numbers stay exact). */
    double x0 = o->bbox.x + 1, y0 = o->bbox.y + 1;
    double x1 = o->bbox.x + o->bbox.w, y1 = o->bbox.y + o->bbox.h;
    bool flat_x = x1 - x0 <= COORD_EPS, flat_y = y1 - y0 <= COORD_EPS;
    if (flat_x || flat_y) {
        snprintf(at, sizeof at, "annotation/object[%zu]/bndbox", k + 1);
        path_set(c, at);
        problem(c, SEV_WARNING, "bbox-empty",
                "[%.10g, %.10g, %.10g, %.10g]: %s; boxmix reads a box 1 pixel %s (VOC indices "
                "are inclusive), readers that take xmax - xmin as the width see no area",
                x0, y0, x1, y1,
                flat_x && flat_y ? "xmin equals xmax and ymin equals ymax"
                : flat_x         ? "xmin equals xmax"
                                 : "ymin equals ymax",
                flat_x && flat_y ? "wide and high" : flat_x ? "wide" : "high");
    }
}

/* Check one XML file: entry `index` of the walk. */
static void check_voc_file(struct checker *c, struct voc_state *vs, size_t index)
{
    const char *xml = vs->entries[index].xml;
    bmx_dataset *ds = NULL;
    struct bmx__voc_report rep;
    bmx_error err = {0};
    c->file = xml;
    path_pop(c, 0);
    c->sum.images++;
    bmx_status st = bmx__voc_read_one(xml, &vs->vopts, &ds, &rep, &err);
    if (st == BMX_E_NOMEM) {
        c->nomem = true;
        goto done;
    }
    if (st != BMX_OK) {
        path_set(c, rep.path);
        if (rep.line > 0) {
            problem(c, SEV_ERROR, fault_code(rep.fault), "line %lu: %s", rep.line, rep.detail);
        } else {
            problem(c, SEV_ERROR, fault_code(rep.fault), "%s", rep.detail);
        }
        goto done;
    }
    const struct bmx_image_info *info = bmx_dataset_image(ds, 0);
    size_t n = bmx_dataset_object_count(ds, 0);
    const struct bmx_object *objs = bmx_dataset_objects(ds, 0);
    c->sum.annotations += n;

    path_set(c, "annotation/filename");
    const char *name = info->file_name;
    if (rep.filename_replaced) {
        problem(c, SEV_WARNING, "voc-filename-mismatch",
                "'%s' names no image file; boxmix reads '%s', named after the XML file (other "
                "readers may not)",
                rep.given_filename, name);
    }
    if (name[0] != '\0' && bmx__name_escapes(name)) {
        problem(c, SEV_ERROR, "file-name-escapes",
                "'%s' escapes the image folder (absolute or '..')", name);
    } else {
        char *own = strdup(name);
        if (!bmx__strlist_push(&vs->owned, own)) {
            c->nomem = true;
            goto done;
        }
        struct key k = {.is_str = true, .str = own};
        struct slot *s = table_find(&vs->files, &k);
        if (s->used) {
            problem(c, SEV_WARNING, "duplicate-file-name", "'%s' is also the file of %s", name,
                    vs->entries[s->index].xml);
        } else {
            *s = (struct slot){.used = true, .key = k, .index = index};
        }
        if (c->image_root != NULL) {
            struct image_rec rec = {.w = info->width, .h = info->height, .dims_ok = true};
            check_image_file(c, name, &rec);
        }
    }
    for (size_t k = 0; k < n && !c->nomem; k++) {
        check_voc_object(c, vs, ds, &objs[k], k);
    }
done:
    bmx_dataset_free(ds);
    path_pop(c, 0);
}

/* The entries of a split list: each line's first field, in order. `buf` is the
 * list's text, modified in place; ids point into it. */
static bmx_status list_split(struct voc_state *vs, const char *ann_dir, char *buf, bmx_error *err)
{
    size_t lines = 1;
    for (const char *p = buf; *p; p++) {
        lines += *p == '\n';
    }
    vs->entries = bmx__alloc_array(lines, sizeof *vs->entries);
    if (vs->entries == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    size_t line_no = 0;
    for (char *line = buf; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        line_no++;
        /* class lists (aeroplane_train.txt) add " 1" / "-1" after the id */
        char *id = line;
        while (*id == ' ' || *id == '\t' || *id == '\r') {
            id++;
        }
        id[strcspn(id, " \t\r")] = '\0';
        line = nl != NULL ? nl + 1 : NULL;
        if (*id == '\0') {
            continue;
        }
        struct voc_entry *e = &vs->entries[vs->n_entries++];
        *e = (struct voc_entry){.line = line_no, .id = id};
        if (strchr(id, '/') == NULL && strcmp(id, ".") != 0 && strcmp(id, "..") != 0 &&
            strlen(id) < 500) {
            char file[512];
            snprintf(file, sizeof file, "%s.xml", id);
            e->xml = bmx__path_join(ann_dir, file);
            if (e->xml == NULL) {
                return bmx__fail(err, BMX_E_NOMEM, "out of memory");
            }
        }
    }
    return BMX_OK;
}

/* Every *.xml of Annotations/, sorted by name (the reader's order). */
static bmx_status list_annotations(struct voc_state *vs, const char *ann_dir, bmx_error *err)
{
    struct bmx__strlist names = {0};
    bmx_status st = bmx__voc_list_xml(ann_dir, &names, err);
    if (st != BMX_OK) {
        goto done;
    }
    vs->entries = bmx__alloc_array(names.n ? names.n : 1, sizeof *vs->entries);
    if (vs->entries == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < names.n; i++) {
        vs->entries[i] = (struct voc_entry){.xml = names.v[i]};
        names.v[i] = NULL;
    }
    vs->n_entries = names.n;
done:
    bmx__strlist_free(&names);
    return st;
}

/* Walk the entries: problems of the split list in place, then each XML. */
static void walk_voc(struct checker *c, struct voc_state *vs)
{
    struct table ids = {0};
    if (vs->split_path != NULL && !table_init(&ids, vs->n_entries)) {
        c->nomem = true;
        return;
    }
    for (size_t i = 0; i < vs->n_entries && !c->nomem; i++) {
        struct voc_entry *e = &vs->entries[i];
        if (vs->split_path != NULL) {
            c->file = vs->split_path;
            path_pop(c, 0);
            path_append(c, "line %zu", e->line);
            if (e->xml == NULL) {
                problem(c, SEV_ERROR, "voc-split-bad-id", "'%s' is not an image id", e->id);
                continue;
            }
            struct key k = {.is_str = true, .str = e->id};
            struct slot *s = table_find(&ids, &k);
            if (s->used) {
                problem(c, SEV_WARNING, "voc-split-duplicate",
                        "'%s' is listed again (first on line %zu); readers take it twice", e->id,
                        vs->entries[s->index].line);
                continue;
            }
            *s = (struct slot){.used = true, .key = k, .index = i};
            struct stat sb;
            if (stat(e->xml, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
                problem(c, SEV_ERROR, "voc-xml-missing", "%s: no such file", e->xml);
                continue;
            }
        }
        check_voc_file(c, vs, i);
    }
    free(ids.slots);
}

static bmx_status check_voc(struct checker *c, bmx_error *err)
{
    const struct bmx_check_options *opts = c->opts;
    struct voc_state vs = {0};
    struct bmx_labels labels = {0};
    char *ann_dir = NULL, *split_path = NULL, *split_buf = NULL, *default_root = NULL;
    bmx_status st = BMX_OK;
    struct stat sb;
    if (stat(opts->annotations, &sb) != 0) {
        return bmx__fail(err, BMX_E_IO, "%s: cannot open: %s", opts->annotations,
                         strerror(errno));
    }
    bool is_dir = S_ISDIR(sb.st_mode);
    if (!is_dir && opts->voc_split != NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s: a split needs a VOC folder, not one XML file",
                         opts->annotations);
    }
    if (opts->voc_split != NULL &&
        (opts->voc_split[0] == '\0' || strchr(opts->voc_split, '/') != NULL ||
         strlen(opts->voc_split) > 255)) {
        return bmx__fail(err, BMX_E_INVALID, "split: '%s' is not a split name", opts->voc_split);
    }
    if (opts->labels != NULL) {
        st = bmx_labels_read(opts->labels, &labels, err);
        if (st != BMX_OK) {
            return st;
        }
        vs.labels = bmx__alloc_array(labels.count, sizeof *vs.labels);
        if (vs.labels == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < labels.count; i++) {
            vs.labels[i] = labels.names[i];
        }
        vs.n_labels = labels.count;
        qsort(vs.labels, vs.n_labels, sizeof *vs.labels, bmx__strlist_cmp);
    }
    /* Image files: --images, else JPEGImages/ where the reader looks for it. */
    default_root = bmx__voc_default_images_dir(opts->annotations, is_dir);
    if (default_root == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    c->image_root = opts->images != NULL       ? opts->images
                    : is_directory(default_root) ? default_root
                                                 : NULL;
    if (opts->decode && c->image_root == NULL) {
        st = bmx__fail(err, BMX_E_INVALID,
                       "check: decoding images needs an image folder (--images or %s)",
                       default_root);
        goto done;
    }
    bmx_voc_options_init(&vs.vopts);
    vs.vopts.images_dir = opts->images != NULL ? opts->images : default_root;
    vs.vopts.limits = opts->limits;

    if (!is_dir) {
        vs.entries = bmx__alloc_array(1, sizeof *vs.entries);
        if (vs.entries == NULL || (vs.entries[0].xml = strdup(opts->annotations)) == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        vs.entries[0].line = 0;
        vs.n_entries = 1;
    } else {
        ann_dir = bmx__path_join(opts->annotations, "Annotations");
        if (ann_dir == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
            goto done;
        }
        if (opts->voc_split != NULL) {
            char rel[300];
            snprintf(rel, sizeof rel, "ImageSets/Main/%s.txt", opts->voc_split);
            size_t len;
            split_path = bmx__path_join(opts->annotations, rel);
            if (split_path == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
                goto done;
            }
            st = bmx__read_file(split_path, &split_buf, &len, err);
            if (st == BMX_OK) {
                vs.split_path = split_path;
                st = list_split(&vs, ann_dir, split_buf, err);
            }
        } else if (!is_directory(ann_dir)) {
            st = bmx__fail(err, BMX_E_IO, "%s: no Annotations folder (not a VOC folder)",
                           opts->annotations);
        } else {
            st = list_annotations(&vs, ann_dir, err);
        }
        if (st != BMX_OK) {
            goto done;
        }
    }
    if (!table_init(&vs.files, vs.n_entries)) {
        st = bmx__fail(err, BMX_E_NOMEM, "out of memory");
        goto done;
    }
    walk_voc(c, &vs);
    /* Categories: the labels, else the distinct names found. */
    if (vs.labels != NULL) {
        c->sum.categories = vs.n_labels;
    } else if (vs.cats.n > 0) {
        qsort(vs.cats.v, vs.cats.n, sizeof *vs.cats.v, bmx__strlist_cmp);
        c->sum.categories = 1;
        for (size_t i = 1; i < vs.cats.n; i++) {
            c->sum.categories += strcmp(vs.cats.v[i - 1], vs.cats.v[i]) != 0;
        }
    }
done:
    c->image_root = NULL;
    for (size_t i = 0; vs.entries != NULL && i < vs.n_entries; i++) {
        free(vs.entries[i].xml);
    }
    free(vs.entries);
    free(vs.files.slots);
    free(vs.labels);
    bmx__strlist_free(&vs.owned);
    bmx__strlist_free(&vs.cats);
    bmx_labels_free(&labels);
    free(ann_dir);
    free(split_path);
    free(split_buf);
    free(default_root);
    return st;
}

/* ------------------------------------------------------------------------- */
/* Public                                                                     */
/* ------------------------------------------------------------------------- */

void bmx_check_options_init(struct bmx_check_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->format = BMX_CHECK_COCO;
    bmx_limits_init(&opts->limits);
}

const char *bmx_severity_name(enum bmx_severity severity)
{
    return severity == BMX_SEVERITY_ERROR ? "error" : "warning";
}

bmx_status bmx_check_run(const struct bmx_check_options *opts,
                         void (*report)(const struct bmx_problem *problem, void *ctx), void *ctx,
                         struct bmx_check_summary *summary, bmx_error *err)
{
    if (summary != NULL) {
        memset(summary, 0, sizeof *summary);
    }
    if (opts == NULL || opts->annotations == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "check: no annotation file given");
    }
    if (opts->format != BMX_CHECK_COCO && opts->format != BMX_CHECK_VOC) {
        return bmx__fail(err, BMX_E_INVALID, "check: unknown format %d", (int)opts->format);
    }
    if (opts->format == BMX_CHECK_COCO && (opts->voc_split != NULL || opts->labels != NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "check: a split and a labels file apply to VOC only");
    }
    /* A folder a boxmix run is still writing (or died writing) is no dataset. */
    bmx_status fst = bmx__check_input_finished(opts->format == BMX_CHECK_COCO ? opts->annotations : NULL,
                                               opts->format == BMX_CHECK_VOC ? opts->annotations : NULL,
                                               err);
    if (fst != BMX_OK) {
        return fst;
    }
    struct checker c = {.opts = opts, .report = report, .ctx = ctx, .file = opts->annotations};
    bmx_status st = BMX_OK;
    if (opts->format == BMX_CHECK_VOC) {
        c.voc = true;
        c.doc_path = "/";
        st = check_voc(&c, err);
    } else {
        if (opts->decode && opts->images == NULL) {
            return bmx__fail(err, BMX_E_INVALID, "check: decoding images needs an image folder");
        }
        char *buf = NULL;
        size_t len = 0;
        st = bmx__read_file(opts->annotations, &buf, &len, err);
        if (st != BMX_OK) {
            return st;
        }
        c.doc_path = "$";
        c.image_root = opts->images;
        check_coco(&c, buf, len);
        free(buf);
    }
    if (c.nomem) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory while checking", opts->annotations);
    }
    if (summary != NULL) {
        *summary = c.sum;
    }
    free(c.images.slots);
    free(c.image_values.slots);
    free(c.anns.slots);
    free(c.cats.slots);
    free(c.names.slots);
    free(c.recs);
    free(c.cat_keypoints);
    while (c.pool != NULL) {
        struct pool_block *next = c.pool->next;
        free(c.pool);
        c.pool = next;
    }
    free(c.rings);
    free(c.xy);
    free(c.runs);
    free(c.kp);
    free(c.file_buf);
    return st;
}
