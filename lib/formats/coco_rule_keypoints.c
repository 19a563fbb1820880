/* SPDX-License-Identifier: MIT */
/* The keypoint rules of a COCO document, for the reader and the checker: a
 * category's `keypoints` (a list of names: its length is the count every
 * annotation of the category gives; the names themselves are not read) and
 * `skeleton` (pairs of keypoint numbers 1..k), an annotation's `num_keypoints` (a
 * whole number 0..1e9) and `keypoints` (a list of numbers), then the value rules
 * of keypoints.h (bmx__keypoints_check) with each problem placed at its field.
 *
 * Every keypoint problem is a keypoint one for the reader (pr->keypoints): it
 * names the first after any other refusal of the document, the categories'
 * before the annotations'. The values need the category's count: a reader that
 * meets an annotation before the categories checks them once they are read
 * (bmx__rule_keypoint_values). */
#include "coco_rules.h"
#include "keypoints.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A skeleton pair: [a, b], keypoint numbers 1..k (whole numbers up to 2^31 - 1).
 * `k_known` false: the category's list of names is itself bad (and reported), so
 * only the pair's form is checked. The path is the pair's. True when good. */
static bool skeleton_pair(struct bmx__problems *pr, const struct bmx__jnode *p, size_t k,
                          bool k_known, int32_t out[2])
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
        bmx__problem(pr, BMX__REFUSE, "wrong-type",
                     "expected a pair [a, b] of keypoint numbers, got %s", got);
        return false;
    }
    if (!isfinite(a->u.num) || !isfinite(b->u.num)) {
        return false; /* reported by bmx__rule_nonfinite */
    }
    double lim = k_known && k < (size_t)INT32_MAX ? (double)k : (double)INT32_MAX;
    if (bmx__json_is_integral(a->u.num) && a->u.num >= 1 && a->u.num <= lim &&
        bmx__json_is_integral(b->u.num) && b->u.num >= 1 && b->u.num <= lim) {
        out[0] = (int32_t)a->u.num;
        out[1] = (int32_t)b->u.num;
        return k_known;
    }
    if (!k_known) {
        bmx__problem(pr, BMX__REFUSE, "bad-value",
                     "[%.10g, %.10g] is not a pair of keypoint numbers (whole numbers from 1)",
                     a->u.num, b->u.num);
    } else if (k == 0) {
        bmx__problem(pr, BMX__REFUSE, "bad-value",
                     "[%.10g, %.10g]: the category names no keypoints for a skeleton to join",
                     a->u.num, b->u.num);
    } else {
        bmx__problem(pr, BMX__REFUSE, "bad-value",
                     "[%.10g, %.10g] is not a pair of keypoint numbers 1..%zu (the category has "
                     "%zu keypoint%s)",
                     a->u.num, b->u.num, k, k, k == 1 ? "" : "s");
    }
    return false;
}

size_t bmx__coco_skeleton_pairs(const struct bmx__jnode *cat)
{
    const struct bmx__jnode *sk = bmx__json_is_object(cat) ? bmx__json_get(cat, "skeleton") : NULL;
    return bmx__json_is_array(sk) ? sk->n : 0;
}

void bmx__rule_category_keypoints(struct bmx__coco_rules *r, const struct bmx__jnode *cat,
                                  size_t i, int32_t *pairs, size_t *n_pairs)
{
    struct bmx__problems *pr = r->pr;
    size_t k = 0;
    bool k_known = true;
    *n_pairs = 0;
    if (i >= r->cat_kp_cap) {
        size_t cap = r->cat_kp_cap ? 2 * r->cat_kp_cap : 16;
        cap = cap > i ? cap : i + 1;
        size_t *p = bmx__realloc_array(r->cat_kp, cap, sizeof *p);
        if (p == NULL) {
            pr->nomem = true;
            return;
        }
        memset(p + r->cat_kp_cap, 0, (cap - r->cat_kp_cap) * sizeof *p);
        r->cat_kp = p;
        r->cat_kp_cap = cap;
    }
    pr->keypoints = true;
    const struct bmx__jnode *v = bmx__rule_member(pr, cat, "keypoints", false);
    if (v != NULL) {
        size_t old = BMX__PATH_FIELD(pr, "keypoints");
        if (bmx__json_is_array(v)) {
            k = v->n;
        } else {
            bmx__problem(pr, BMX__REFUSE, "wrong-type",
                         "expected a list of keypoint names, got %s", bmx__json_type_name(v));
            k_known = false;
        }
        bmx__path_pop(pr, old);
    }
    /* A bad list counts as none: the category's annotations are then held to
     * whole triples only, not to a count nobody can know. */
    r->cat_kp[i] = k;
    v = bmx__rule_member(pr, cat, "skeleton", false);
    if (v != NULL) {
        size_t old = BMX__PATH_FIELD(pr, "skeleton");
        if (!bmx__json_is_array(v)) {
            bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a list of [a, b] pairs, got %s",
                         bmx__json_type_name(v));
        } else {
            size_t q = 0;
            for (const struct bmx__jnode *p = v->u.child; p != NULL; p = p->next, q++) {
                size_t o2 = bmx__path_index(pr, q);
                int32_t ab[2];
                if (skeleton_pair(pr, p, k, k_known, ab) && pairs != NULL) {
                    pairs[2 * *n_pairs] = ab[0];
                    pairs[2 * *n_pairs + 1] = ab[1];
                    ++*n_pairs;
                }
                bmx__path_pop(pr, o2);
            }
        }
        bmx__path_pop(pr, old);
    }
    pr->keypoints = false;
}

/* Where the value rules' problems go: each at the annotation's field it is
 * about. Without the image's size, positions against the image are not judged
 * (the image's problem is reported already). */
struct kp_sink {
    struct bmx__problems *pr;
    bool no_image;
};

static void report_keypoint(void *ctx, bool error, const char *code, const char *message)
{
    struct kp_sink *sink = ctx;
    if (sink->no_image && strcmp(code, "keypoint-outside-image") == 0) {
        return;
    }
    size_t old = strcmp(code, "num-keypoints") == 0 ? BMX__PATH_FIELD(sink->pr, "num_keypoints")
                                                    : BMX__PATH_FIELD(sink->pr, "keypoints");
    bmx__problem(sink->pr, error ? BMX__REFUSE : BMX__WARNING, code, "%s", message);
    bmx__path_pop(sink->pr, old);
}

void bmx__rule_keypoint_values(struct bmx__coco_rules *r, const struct bmx__coco_kp *kp,
                               size_t expected, const struct bmx__coco_image_rec *img,
                               const struct bmx_box *box)
{
    struct kp_sink sink = {.pr = r->pr, .no_image = img == NULL};
    r->pr->keypoints = true;
    bmx__keypoints_check(kp->v, kp->n, expected, kp->has_num, kp->num,
                         img != NULL ? img->w : INT32_MAX, img != NULL ? img->h : INT32_MAX, box,
                         report_keypoint, &sink);
    r->pr->keypoints = false;
}

/* num_keypoints: a whole number 0..1e9 (far above any real count). */
static void num_keypoints(struct bmx__problems *pr, const struct bmx__jnode *v,
                          struct bmx__coco_kp *out)
{
    size_t old = BMX__PATH_FIELD(pr, "num_keypoints");
    if (!bmx__json_is_number(v)) {
        bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a whole number >= 0, got %s",
                     bmx__json_type_name(v));
    } else if (!isfinite(v->u.num)) {
        /* reported by bmx__rule_nonfinite */
    } else if (!bmx__json_is_integral(v->u.num) || v->u.num < 0 || v->u.num > 1e9) {
        bmx__problem(pr, BMX__REFUSE, "bad-value", "expected a whole number >= 0%s, got %.10g",
                     v->u.num > 1e9 ? " (at most 1000000000)" : "", v->u.num);
    } else {
        out->has_num = true;
        out->num = v->u.num;
    }
    bmx__path_pop(pr, old);
}

/* keypoints: a list of finite numbers, into the rules' scratch; false when it
 * is not one (reported). */
static bool keypoint_list(struct bmx__coco_rules *r, const struct bmx__jnode *v,
                          struct bmx__coco_kp *out)
{
    struct bmx__problems *pr = r->pr;
    size_t old = BMX__PATH_FIELD(pr, "keypoints");
    if (!bmx__json_is_array(v)) {
        bmx__problem(pr, BMX__REFUSE, "wrong-type",
                     "expected a list of numbers (x, y, v triples), got %s",
                     bmx__json_type_name(v));
        bmx__path_pop(pr, old);
        return false;
    }
    if (v->n > r->kp_cap) {
        double *p = bmx__realloc_array(r->kp, v->n, sizeof *p);
        if (p == NULL) {
            pr->nomem = true;
            bmx__path_pop(pr, old);
            return false;
        }
        r->kp = p;
        r->kp_cap = v->n;
    }
    size_t n = 0;
    bool ok = true;
    for (const struct bmx__jnode *e = v->u.child; e != NULL; e = e->next, n++) {
        if (!bmx__json_is_number(e)) {
            if (ok) {
                /* one report per list is enough: the value rules are not applied */
                size_t o2 = bmx__path_index(pr, n);
                bmx__problem(pr, BMX__REFUSE, "wrong-type", "expected a number, got %s",
                             bmx__json_type_name(e));
                bmx__path_pop(pr, o2);
            }
            ok = false;
        } else if (!isfinite(e->u.num)) {
            ok = false; /* reported by bmx__rule_nonfinite */
        } else {
            r->kp[n] = e->u.num;
        }
    }
    bmx__path_pop(pr, old);
    out->v = r->kp;
    out->n = n;
    return ok;
}

void bmx__rule_keypoints(struct bmx__coco_rules *r, const struct bmx__jnode *a,
                         const struct bmx__coco_ann *ann, bool values, struct bmx__coco_kp *out)
{
    struct bmx__problems *pr = r->pr;
    *out = (struct bmx__coco_kp){0};
    const struct bmx__jnode *num = bmx__json_get(a, "num_keypoints");
    const struct bmx__jnode *list = bmx__json_get(a, "keypoints");
    if (num == NULL && list == NULL) {
        return; /* the usual annotation: no keypoints */
    }
    pr->keypoints = true;
    if (num != NULL) {
        num_keypoints(pr, num, out);
    }
    if (list != NULL) {
        out->has_kp = true;
        out->ok = keypoint_list(r, list, out);
    }
    pr->keypoints = false;
    if (!out->ok || !values) {
        return;
    }
    const struct bmx__coco_image_rec *img =
        ann->image_ok && r->recs[ann->image].dims_ok ? &r->recs[ann->image] : NULL;
    size_t expected =
        ann->category_ok && ann->category < r->cat_kp_cap ? r->cat_kp[ann->category] : 0;
    bmx__rule_keypoint_values(r, out, expected, img, ann->box_ok ? &ann->box : NULL);
}
