/* SPDX-License-Identifier: MIT */
/* The COCO document walk: a first pass (coco_scan.c, the reader's) judges the
 * syntax of the whole text and finds the top-level members and sections, then the
 * document-level checks (repeated keys, non-finite numbers outside the records,
 * info, missing or mistyped sections), then each record of categories, images
 * and annotations is parsed on its own, put to the COCO rules (coco_rules.h, the
 * reader's own, keypoints included), and forgotten. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* The record arrays, in the order their records are checked: annotations refer
 * to categories and images, so those are known first whatever the file order. */
static const int check_order[BMX__SEC_COUNT] = {BMX__SEC_CATEGORIES, BMX__SEC_IMAGES,
                                                BMX__SEC_ANNOTATIONS};
static const char *const section_keys[BMX__SEC_COUNT] = {"images", "annotations", "categories"};

static bool is_section(const char *key)
{
    for (int s = 0; s < BMX__SEC_COUNT; s++) {
        if (strcmp(key, section_keys[s]) == 0) {
            return true;
        }
    }
    return false;
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
    bmx__check_problem(c, BMX__REFUSE, "json-syntax", "%s", m);
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
    for (size_t i = 0; more == 1 && !c->nomem && !c->pr.nomem; i++) {
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
            bmx__rule_nonfinite(&c->pr, e);
        }
        /* Repeated keys inside a record's values (its own keys and its
         * segmentation's are its rules'): the reader refuses those too. */
        bmx__rule_nested_duplicate_keys(&c->pr, e, "segmentation");
        fn(c, e, i);
        bmx__check_path_pop(c, o1);
        bmx__progress_step(&c->progress);
        more = bmx__json_next(p, &pos, ']');
    }
    if (more < 0) {
        json_failure(c, p);
    }
}

/* The records, by the rules of coco_rules.h; the checker adds the image files on
 * disk. */
static void check_category(struct checker *c, const struct bmx__jnode *cat, size_t i)
{
    int64_t id;
    bmx__rule_category(&c->coco, cat, i, &id);
    if (bmx__json_is_object(cat)) {
        size_t n_pairs;
        bmx__rule_category_keypoints(&c->coco, cat, i, NULL, &n_pairs);
    }
}

static void check_image(struct checker *c, const struct bmx__jnode *im, size_t i)
{
    struct bmx__coco_image got;
    bmx__rule_image(&c->coco, im, i, &got);
}

static void check_annotation(struct checker *c, const struct bmx__jnode *a, size_t i)
{
    struct bmx__coco_ann got;
    bmx__rule_annotation(&c->coco, a, i, &got);
    if (bmx__json_is_object(a)) {
        struct bmx__coco_kp kp;
        bmx__rule_keypoints(&c->coco, a, &got, true, &kp);
    }
    bmx__coco_ann_release(&got);
}

static void image_file(void *ctx, const char *name, const struct bmx__coco_image_rec *rec)
{
    bmx__check_image_file(ctx, name, rec);
}

static void check_document(struct checker *c, struct bmx__json *kp, struct bmx__json *p,
                           const struct bmx__coco_doc *d)
{
    if (d->first != '{') {
        const struct bmx__jnode *root = parse_at(c, p, d->root, 0);
        if (root == NULL) {
            return;
        }
        bmx__rule_nonfinite(&c->pr, root);
        bmx__rule_top_object(&c->pr, d);
        return;
    }
    bmx__rule_duplicate_list(&c->pr, d->keys, d->n);
    /* Numbers outside the three record arrays (those are walked record by record),
     * when the first pass saw any, and keys repeated there. */
    for (size_t i = 0; i < d->n && !c->nomem; i++) {
        if (is_section(d->keys[i])) {
            continue;
        }
        const struct bmx__jnode *v = parse_at(c, p, d->starts[i], 1);
        if (v == NULL) {
            return;
        }
        size_t old = bmx__check_path_key(c, d->keys[i]);
        if (kp->has_nonfinite) {
            bmx__rule_nonfinite(&c->pr, v);
        }
        if (v->type == BMX__J_OBJECT) {
            bmx__rule_duplicate_keys(&c->pr, v);
        }
        bmx__rule_nested_duplicate_keys(&c->pr, v, NULL);
        bmx__check_path_pop(c, old);
    }
    char info = '\0', first[3];
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->keys[i], "info") == 0) {
            info = kp->buf[d->starts[i]];
            break;
        }
    }
    for (int q = 0; q < BMX__SEC_COUNT; q++) {
        first[q] = d->has[q] ? kp->buf[d->start[q]] : '\0';
    }
    bmx__rule_sections(&c->pr, first, info);
    size_t n_img = d->count[BMX__SEC_IMAGES], n_ann = d->count[BMX__SEC_ANNOTATIONS];
    size_t n_cat = d->count[BMX__SEC_CATEGORIES];
    c->sum.images = n_img;
    c->sum.annotations = n_ann;
    c->sum.categories = n_cat;
    if (!bmx__coco_rules_init(&c->coco, &c->pr, n_img, n_ann, n_cat)) {
        c->nomem = true;
        return;
    }
    c->coco.images_ok = d->is_array[BMX__SEC_IMAGES];
    c->coco.cats_ok = d->is_array[BMX__SEC_CATEGORIES];
    c->coco.limits = &c->opts->limits;
    if (c->image_root != NULL) {
        c->coco.image_file = image_file;
        c->coco.image_file_ctx = c;
    }
    bmx__progress_stage(&c->progress, "checking records", BMX_PROGRESS_RECORDS,
                        (uint64_t)(d->is_array[BMX__SEC_IMAGES] ? n_img : 0) +
                            (d->is_array[BMX__SEC_ANNOTATIONS] ? n_ann : 0) +
                            (d->is_array[BMX__SEC_CATEGORIES] ? n_cat : 0));
    static void (*const check_fn[BMX__SEC_COUNT])(struct checker *, const struct bmx__jnode *,
                                                  size_t) = {check_image, check_annotation,
                                                             check_category};
    for (int q = 0; q < BMX__SEC_COUNT && !c->nomem && !c->pr.nomem; q++) {
        int s = check_order[q];
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
    struct bmx__coco_doc d;
    bool nomem = false;
    bmx__json_init(&kp, buf, len);
    bmx__json_init(&p, buf, len);
    /* A repeated key is a problem to report, not a syntax error. */
    p.allow_repeated_keys = true;
    if (!bmx__coco_scan(&kp, &d, &nomem)) {
        if (nomem) {
            c->nomem = true;
        } else {
            json_failure(c, &kp);
        }
    } else if (bmx__rule_trailing(&c->pr, &kp, &d)) {
        check_document(c, &kp, &p, &d);
    }
    bmx__coco_doc_free(&d);
    bmx__json_free(&p);
    bmx__json_free(&kp);
}
