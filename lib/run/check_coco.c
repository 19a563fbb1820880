/* SPDX-License-Identifier: MIT */
/* The COCO document walk: a first pass judges the syntax of the whole text and
 * finds the top-level members and sections without building anything, then the
 * document-level checks (repeated keys, non-finite numbers outside the records,
 * info, missing or mistyped sections), then each record of categories, images
 * and annotations is parsed on its own, checked and forgotten. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

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
    size_t root;       /* offset of the top-level value */
    bool object;       /* the top-level value is an object */
    const char **keys; /* its members' keys (in the key parser's arena), file order */
    size_t *starts;    /* and where their values start */
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
    bmx__check_problem(c, SEV_ERROR, "json-syntax", "%s", m);
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
        bmx__check_problem(c, SEV_ERROR, "json-syntax",
                           "line %zu, column %zu: text after the JSON document", line, col);
        return false;
    }
    return true;
}

/* Parse the value at `start` into a tree of `p` (emptied first). */
static struct bmx__jnode *parse_at(struct checker *c, struct bmx__json *p, size_t start, int depth)
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
        size_t o1 = bmx__check_path_key(c, key);
        bmx__check_path_index(c, i);
        if (p->has_nonfinite) {
            bmx__check_walk_nonfinite(c, e);
        }
        fn(c, e, i);
        bmx__check_path_pop(c, o1);
        bmx__progress_step(&c->progress);
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
        bmx__check_walk_nonfinite(c, root);
        bmx__check_problem(c, SEV_ERROR, "wrong-type",
                           "expected an object (a COCO document), got %s",
                           bmx__json_type_name(root));
        return;
    }
    bmx__check_duplicate_list(c, d->keys, d->n);
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
        size_t old = bmx__check_path_key(c, d->keys[i]);
        bmx__check_walk_nonfinite(c, v);
        bmx__check_path_pop(c, old);
    }
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->keys[i], "info") == 0) {
            char first = kp->buf[d->starts[i]];
            if (first != '{' && first != 'n') {
                size_t old = bmx__check_path_key(c, "info");
                bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected an object or null, got %s",
                                   bmx__json_type_name_of_text(first));
                bmx__check_path_pop(c, old);
            }
            break;
        }
    }
    /* Missing or mistyped sections, in this order. */
    static const int report_order[SEC_COUNT] = {SEC_IMAGES, SEC_ANNOTATIONS, SEC_CATEGORIES};
    for (int q = 0; q < SEC_COUNT; q++) {
        int s = report_order[q];
        size_t old = bmx__check_path_key(c, section_keys[s]);
        if (!d->has[s]) {
            bmx__check_problem(c, SEV_ERROR, "missing-key", "missing");
        } else if (!d->is_array[s]) {
            bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected an array, got %s",
                               bmx__json_type_name_of_text(kp->buf[d->start[s]]));
        }
        bmx__check_path_pop(c, old);
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
    if (c->recs == NULL || c->cat_keypoints == NULL || !bmx__check_table_init(&c->images, n_img) ||
        !bmx__check_table_init(&c->image_values, n_img) ||
        !bmx__check_table_init(&c->names, n_img) || !bmx__check_table_init(&c->anns, n_ann) ||
        !bmx__check_table_init(&c->cats, n_cat)) {
        c->nomem = true;
        return;
    }
    memset(c->recs, 0, (n_img ? n_img : 1) * sizeof *c->recs);
    memset(c->cat_keypoints, 0, (n_cat ? n_cat : 1) * sizeof *c->cat_keypoints);
    bmx__progress_stage(&c->progress, "checking records", BMX_PROGRESS_RECORDS,
                        (uint64_t)(d->is_array[SEC_IMAGES] ? n_img : 0) +
                            (d->is_array[SEC_ANNOTATIONS] ? n_ann : 0) +
                            (d->is_array[SEC_CATEGORIES] ? n_cat : 0));
    static void (*const check_fn[SEC_COUNT])(struct checker *, const struct bmx__jnode *,
                                             size_t) = {bmx__check_category, bmx__check_image,
                                                        bmx__check_annotation};
    for (int s = 0; s < SEC_COUNT && !c->nomem; s++) {
        if (d->is_array[s]) {
            each_record(c, p, d->start[s], section_keys[s], check_fn[s]);
        }
    }
}

void bmx__check_coco(struct checker *c, const char *buf, size_t len)
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
