/* SPDX-License-Identifier: MIT */
/* COCO keypoints, read: each category's keypoint count and skeleton, and each
 * annotation's `keypoints` and `num_keypoints`, checked by the rules of
 * keypoints.h (the checker applies the same ones). The values stay in the
 * annotation's unknown fields too, where the writer puts the object's current
 * ones back, so the key order of a record never changes. */
#include "coco.h"
#include "keypoints.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct first_error {
    char message[256];
    bool any;
};

static void keep_first_error(void *ctx, bool error, const char *code, const char *message)
{
    struct first_error *fe = ctx;
    (void)code;
    if (error && !fe->any) {
        fe->any = true;
        snprintf(fe->message, sizeof fe->message, "%s", message);
    }
}

/* A whole number 0..2^31-1 given as a JSON number. */
static bool small_whole(const cJSON *v, int32_t *out)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0.0) || v->valuedouble > 2147483647.0 ||
        floor(v->valuedouble) != v->valuedouble) {
        return false;
    }
    *out = (int32_t)v->valuedouble;
    return true;
}

static bmx_status read_categories(bmx_dataset *ds, const char *name, bmx_error *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(ds->root, "categories");
    size_t pairs = 0;
    const cJSON *c = arr != NULL ? arr->child : NULL;
    for (size_t i = 0; i < ds->n_cats && c != NULL; i++, c = c->next) {
        const cJSON *sk = cJSON_GetObjectItemCaseSensitive(c, "skeleton");
        pairs += cJSON_IsArray(sk) ? (size_t)cJSON_GetArraySize(sk) : 0;
    }
    if (pairs > 0) {
        ds->skeletons = bmx__alloc_array(pairs, 2 * sizeof *ds->skeletons);
        if (ds->skeletons == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", name);
        }
    }
    size_t used = 0;
    c = arr != NULL ? arr->child : NULL;
    for (size_t i = 0; i < ds->n_cats && c != NULL; i++, c = c->next) {
        struct bmx_category *cat = &ds->cats[i];
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(c, "keypoints");
        const cJSON *sk = cJSON_GetObjectItemCaseSensitive(c, "skeleton");
        if (names != NULL && !cJSON_IsArray(names)) {
            return bmx__fail(err, BMX_E_SCHEMA,
                             "%s: categories[%zu].keypoints: expected a list of keypoint names",
                             name, i);
        }
        cat->n_keypoints = names != NULL ? (size_t)cJSON_GetArraySize(names) : 0;
        if (sk == NULL) {
            continue;
        }
        if (!cJSON_IsArray(sk)) {
            return bmx__fail(err, BMX_E_SCHEMA,
                             "%s: categories[%zu].skeleton: expected a list of [a, b] pairs", name,
                             i);
        }
        size_t k = 0;
        for (const cJSON *p = sk->child; p != NULL; p = p->next, k++) {
            int32_t a, b;
            if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !small_whole(p->child, &a) ||
                !small_whole(p->child->next, &b) || a < 1 || b < 1 ||
                (size_t)a > cat->n_keypoints || (size_t)b > cat->n_keypoints) {
                return bmx__fail(err, BMX_E_SCHEMA,
                                 "%s: categories[%zu].skeleton[%zu]: expected a pair of keypoint "
                                 "numbers 1..%zu (the category has %zu keypoints)",
                                 name, i, k, cat->n_keypoints, cat->n_keypoints);
            }
            ds->skeletons[2 * used] = a;
            ds->skeletons[2 * used + 1] = b;
            used++;
        }
        /* Pointed at only when the category has pairs: with none in the whole
         * file ds->skeletons is NULL, and NULL + 0 is undefined (UBSan). */
        cat->skeleton = k > 0 ? ds->skeletons + 2 * (used - k) : NULL;
        cat->n_skeleton = k;
    }
    return BMX_OK;
}

static const struct bmx_category *category_of(const bmx_dataset *ds, int64_t id)
{
    for (size_t i = 0; i < ds->n_cats; i++) {
        if (ds->cats[i].id == id) {
            return &ds->cats[i];
        }
    }
    return NULL;
}

/* One annotation (file order q): its keypoints into the object. */
static bmx_status read_object(bmx_dataset *ds, size_t q, const char *name, bmx_error *err)
{
    size_t slot = ds->file_order[q];
    struct bmx_object *o = &ds->objects[slot];
    const cJSON *extra = o->extra;
    const cJSON *kp = cJSON_GetObjectItemCaseSensitive(extra, "keypoints");
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(extra, "num_keypoints");
    if (num != NULL) {
        if (!cJSON_IsNumber(num) || floor(num->valuedouble) != num->valuedouble ||
            num->valuedouble < 0.0 || num->valuedouble > 1e9) {
            return bmx__fail(err, BMX_E_SCHEMA,
                             "%s: annotations[%zu].num_keypoints: expected a whole number", name,
                             q);
        }
        o->has_num_keypoints = true;
        o->num_keypoints = (int64_t)num->valuedouble;
    }
    if (kp == NULL) {
        return BMX_OK;
    }
    if (!cJSON_IsArray(kp)) {
        return bmx__fail(err, BMX_E_SCHEMA,
                         "%s: annotations[%zu].keypoints: expected a list of numbers", name, q);
    }
    size_t n = (size_t)cJSON_GetArraySize(kp);
    double *v = bmx__alloc_array(n > 0 ? n : 1, sizeof *v);
    if (v == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "%s: out of memory", name);
    }
    size_t k = 0;
    for (const cJSON *c = kp->child; c != NULL; c = c->next, k++) {
        if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble)) {
            free(v);
            return bmx__fail(err, BMX_E_SCHEMA,
                             "%s: annotations[%zu].keypoints[%zu]: expected a finite number", name,
                             q, k);
        }
        v[k] = c->valuedouble;
    }
    const struct bmx_category *cat = category_of(ds, o->category_id);
    const struct bmx_image_info *im = &ds->images[ds->obj_image[slot]];
    struct first_error fe = {{0}, false};
    bmx__keypoints_check(v, n, cat != NULL ? cat->n_keypoints : 0, o->has_num_keypoints,
                         (double)o->num_keypoints, im->width, im->height, &o->bbox,
                         keep_first_error, &fe);
    if (fe.any) {
        free(v);
        return bmx__fail(err, BMX_E_SCHEMA, "%s: annotations[%zu].keypoints: %s", name, q,
                         fe.message);
    }
    o->keypoints = v;
    o->n_keypoints = n / 3;
    o->has_keypoints = true;
    if (!o->has_num_keypoints) {
        int64_t labelled = 0;
        for (size_t i = 0; i < o->n_keypoints; i++) {
            labelled += v[3 * i + 2] > 0.0;
        }
        o->num_keypoints = labelled;
    }
    return BMX_OK;
}

bmx_status bmx__coco_read_keypoints(bmx_dataset *ds, const char *name, bmx_error *err)
{
    bmx_status st = read_categories(ds, name, err);
    for (size_t q = 0; q < ds->n_objects && st == BMX_OK; q++) {
        st = read_object(ds, q, name, err);
    }
    return st;
}
