/* SPDX-License-Identifier: MIT */
/* The keypoint checks: a category's keypoint names and skeleton pairs, and an
 * annotation's num_keypoints and keypoints list, then the rules of keypoints.h
 * (bmx__keypoints_check) with each of their problems placed at its field. */
#include "check.h"
#include "keypoints.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
        bmx__check_problem(c, SEV_ERROR, "wrong-type",
                           "expected a pair [a, b] of keypoint numbers, got %s", got);
        return;
    }
    if (!isfinite(a->u.num) || !isfinite(b->u.num)) {
        return; /* reported by bmx__check_walk_nonfinite */
    }
    double lim = k_known && k < (size_t)INT32_MAX ? (double)k : (double)INT32_MAX;
    if (bmx__json_is_integral(a->u.num) && a->u.num >= 1 && a->u.num <= lim &&
        bmx__json_is_integral(b->u.num) && b->u.num >= 1 && b->u.num <= lim) {
        return;
    }
    if (!k_known) {
        bmx__check_problem(
            c, SEV_ERROR, "bad-value",
            "[%.10g, %.10g] is not a pair of keypoint numbers (whole numbers from 1)", a->u.num,
            b->u.num);
    } else if (k == 0) {
        bmx__check_problem(c, SEV_ERROR, "bad-value",
                           "[%.10g, %.10g]: the category names no keypoints for a skeleton to join",
                           a->u.num, b->u.num);
    } else {
        bmx__check_problem(
            c, SEV_ERROR, "bad-value",
            "[%.10g, %.10g] is not a pair of keypoint numbers 1..%zu (the category has %zu "
            "keypoint%s)",
            a->u.num, b->u.num, k, k, k == 1 ? "" : "s");
    }
}

/* A category's `keypoints` (a list of names: its length is the count every
 * annotation of the category gives; the names themselves are not read) and
 * `skeleton` (pairs of keypoint numbers). */
void bmx__check_category_keypoints(struct checker *c, const struct bmx__jnode *cat, size_t i)
{
    size_t k = 0;
    bool k_known = true;
    const struct bmx__jnode *v = bmx__check_member(c, cat, "keypoints", false);
    if (v != NULL) {
        size_t old = bmx__check_path_key(c, "keypoints");
        if (bmx__json_is_array(v)) {
            k = v->n;
        } else {
            bmx__check_problem(c, SEV_ERROR, "wrong-type",
                               "expected a list of keypoint names, got %s", bmx__json_type_name(v));
            k_known = false;
        }
        bmx__check_path_pop(c, old);
    }
    /* A bad list counts as none: the category's annotations are then held to
     * whole triples only, not to a count nobody can know. */
    c->cat_keypoints[i] = k;
    v = bmx__check_member(c, cat, "skeleton", false);
    if (v == NULL) {
        return;
    }
    size_t old = bmx__check_path_key(c, "skeleton");
    if (!bmx__json_is_array(v)) {
        bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a list of [a, b] pairs, got %s",
                           bmx__json_type_name(v));
    } else {
        size_t q = 0;
        for (const struct bmx__jnode *p = v->u.child; p != NULL; p = p->next, q++) {
            size_t o2 = bmx__check_path_index(c, q);
            check_skeleton_pair(c, p, k, k_known);
            bmx__check_path_pop(c, o2);
        }
    }
    bmx__check_path_pop(c, old);
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
    size_t old = bmx__check_path_key(sink->c, strcmp(code, "num-keypoints") == 0 ? "num_keypoints"
                                                                                 : "keypoints");
    bmx__check_problem(sink->c, error ? SEV_ERROR : SEV_WARNING, code, "%s", message);
    bmx__check_path_pop(sink->c, old);
}

/* An annotation's `num_keypoints` (a whole number 0..1e9, as the reader takes it)
 * and `keypoints` (a list of finite numbers), then bmx__keypoints_check on them:
 * `n_keypoints` is its category's count, `img` its image (NULL: unknown), `box`
 * its bbox (NULL: none usable). */
void bmx__check_keypoints(struct checker *c, const struct bmx__jnode *a, size_t n_keypoints,
                          const struct bmx__coco_image_rec *img, const struct bmx_box *box)
{
    bool has_num = false;
    double num = 0.0;
    const struct bmx__jnode *v = bmx__check_member(c, a, "num_keypoints", false);
    if (v != NULL) {
        size_t old = bmx__check_path_key(c, "num_keypoints");
        if (!bmx__json_is_number(v)) {
            bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a whole number >= 0, got %s",
                               bmx__json_type_name(v));
        } else if (!isfinite(v->u.num)) {
            /* reported by bmx__check_walk_nonfinite */
        } else if (!bmx__json_is_integral(v->u.num) || v->u.num < 0 || v->u.num > 1e9) {
            /* the reader's bound, far above any real count */
            bmx__check_problem(c, SEV_ERROR, "bad-value",
                               "expected a whole number >= 0%s, got %.10g",
                               v->u.num > 1e9 ? " (at most 1000000000)" : "", v->u.num);
        } else {
            has_num = true;
            num = v->u.num;
        }
        bmx__check_path_pop(c, old);
    }
    v = bmx__check_member(c, a, "keypoints", false);
    if (v == NULL) {
        return;
    }
    size_t old = bmx__check_path_key(c, "keypoints");
    if (!bmx__json_is_array(v)) {
        bmx__check_problem(c, SEV_ERROR, "wrong-type",
                           "expected a list of numbers (x, y, v triples), got %s",
                           bmx__json_type_name(v));
        bmx__check_path_pop(c, old);
        return;
    }
    if (v->n > c->kp_cap) {
        double *p = bmx__realloc_array(c->kp, v->n, sizeof *p);
        if (p == NULL) {
            c->nomem = true;
            bmx__check_path_pop(c, old);
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
                size_t o2 = bmx__check_path_index(c, n);
                bmx__check_problem(c, SEV_ERROR, "wrong-type", "expected a number, got %s",
                                   bmx__json_type_name(e));
                bmx__check_path_pop(c, o2);
            }
            ok = false;
        } else if (!isfinite(e->u.num)) {
            ok = false; /* reported by bmx__check_walk_nonfinite */
        } else {
            c->kp[n] = e->u.num;
        }
    }
    bmx__check_path_pop(c, old);
    if (!ok) {
        return;
    }
    struct kp_sink sink = {.c = c, .no_image = img == NULL};
    bmx__keypoints_check(c->kp, n, n_keypoints, has_num, num, img != NULL ? img->w : INT32_MAX,
                         img != NULL ? img->h : INT32_MAX, box, report_keypoint, &sink);
}
