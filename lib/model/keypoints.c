/* SPDX-License-Identifier: MIT */
/* COCO keypoints: the rules for reading them, and moving and hiding them. */
#include "keypoints.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool in_image(double x, double y, int32_t w, int32_t h)
{
    return x >= 0.0 && y >= 0.0 && x < (double)w && y < (double)h;
}

size_t bmx__keypoints_check(const double *kp, size_t n_numbers, size_t expected, bool has_num,
                            double num, int32_t w, int32_t h, const struct bmx_box *box,
                            bmx__kp_report report, void *ctx)
{
    char msg[200];
    size_t errors = 0;
    if (n_numbers % 3 != 0 || (expected > 0 && n_numbers != 3 * expected)) {
        if (expected > 0) {
            snprintf(
                msg, sizeof msg,
                "expected %zu numbers (x, y, v for each of the category's %zu keypoints), got %zu",
                3 * expected, expected, n_numbers);
        } else {
            snprintf(msg, sizeof msg, "expected x, y, v triples (a multiple of 3 numbers), got %zu",
                     n_numbers);
        }
        report(ctx, true, "keypoints-count", msg);
        return 1;
    }
    size_t labelled = 0, bad_v = 0, outside = 0, unlabelled_at = 0, off_box = 0;
    size_t first_v = 0, first_out = 0, first_at = 0, first_box = 0;
    for (size_t i = 0; i < n_numbers / 3; i++) {
        double x = kp[3 * i], y = kp[3 * i + 1], v = kp[3 * i + 2];
        if (v != 0.0 && v != 1.0 && v != 2.0) {
            if (bad_v++ == 0) {
                first_v = i;
            }
            continue;
        }
        if (v == 0.0) {
            if ((x != 0.0 || y != 0.0) && unlabelled_at++ == 0) {
                first_at = i;
            }
            continue;
        }
        labelled++;
        if (!in_image(x, y, w, h)) {
            if (outside++ == 0) {
                first_out = i;
            }
        } else if (box != NULL &&
                   (x < box->x || y < box->y || x > box->x + box->w || y > box->y + box->h)) {
            if (off_box++ == 0) {
                first_box = i;
            }
        }
    }
    if (bad_v > 0) {
        snprintf(msg, sizeof msg,
                 "point %zu: v = %g; v is 0 (not labelled), 1 or 2 (%zu such point%s)", first_v,
                 kp[3 * first_v + 2], bad_v, bad_v == 1 ? "" : "s");
        report(ctx, true, "keypoint-visibility", msg);
        errors++;
    }
    if (outside > 0) {
        snprintf(msg, sizeof msg,
                 "point %zu: (%g, %g) is labelled but outside the %dx%d image (%zu such point%s)",
                 first_out, kp[3 * first_out], kp[3 * first_out + 1], (int)w, (int)h, outside,
                 outside == 1 ? "" : "s");
        report(ctx, true, "keypoint-outside-image", msg);
        errors++;
    }
    if (has_num && bad_v == 0 && num != (double)labelled) {
        snprintf(msg, sizeof msg, "num_keypoints is %g, but %zu point%s labelled (v > 0)", num,
                 labelled, labelled == 1 ? " is" : "s are");
        report(ctx, true, "num-keypoints", msg);
        errors++;
    }
    if (unlabelled_at > 0) {
        snprintf(msg, sizeof msg,
                 "point %zu: v = 0 (not labelled) at (%g, %g), not (0, 0) (%zu such point%s)",
                 first_at, kp[3 * first_at], kp[3 * first_at + 1], unlabelled_at,
                 unlabelled_at == 1 ? "" : "s");
        report(ctx, false, "keypoint-unlabelled-position", msg);
    }
    if (off_box > 0) {
        snprintf(msg, sizeof msg,
                 "point %zu: (%g, %g) lies outside the object's bbox (%zu such point%s)", first_box,
                 kp[3 * first_box], kp[3 * first_box + 1], off_box, off_box == 1 ? "" : "s");
        report(ctx, false, "keypoint-outside-box", msg);
    }
    return errors;
}

bmx_status bmx__keypoints_copy(const struct bmx_object *in, struct bmx_object *out, bmx_error *err)
{
    out->keypoints = NULL;
    if (in->keypoints == NULL || in->n_keypoints == 0) {
        return BMX_OK;
    }
    out->keypoints = bmx__alloc_array(in->n_keypoints, 3 * sizeof *out->keypoints);
    if (out->keypoints == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu keypoints", in->n_keypoints);
    }
    memcpy(out->keypoints, in->keypoints, in->n_keypoints * 3 * sizeof *out->keypoints);
    return BMX_OK;
}

void bmx__keypoints_map(struct bmx_object *obj, double sx, double sy, double dx, double dy)
{
    for (size_t i = 0; obj->keypoints != NULL && i < obj->n_keypoints; i++) {
        double *p = obj->keypoints + 3 * i;
        if (p[2] > 0.0) {
            p[0] = p[0] * sx + dx;
            p[1] = p[1] * sy + dy;
        }
    }
}

uint32_t bmx__keypoints_hide_where(struct bmx_object *obj, int32_t w, int32_t h,
                                   bool (*covered)(const void *ctx, double x, double y),
                                   const void *ctx)
{
    uint32_t hidden = 0;
    int64_t labelled = 0;
    for (size_t i = 0; obj->keypoints != NULL && i < obj->n_keypoints; i++) {
        double *p = obj->keypoints + 3 * i;
        if (!(p[2] > 0.0)) {
            continue;
        }
        if (!in_image(p[0], p[1], w, h) || covered(ctx, p[0], p[1])) {
            p[0] = p[1] = p[2] = 0.0;
            hidden++;
        } else {
            labelled++;
        }
    }
    if (hidden > 0) {
        obj->num_keypoints = labelled;
        obj->keypoints_hidden += hidden;
    }
    return hidden;
}

/* A rectangle and which side of it hides. */
struct rect_side {
    struct bmx_rect r;
    bool inside;
};

static bool rect_covers(const void *ctx, double x, double y)
{
    const struct rect_side *c = ctx;
    bool in_r = x >= (double)c->r.x && x < (double)c->r.x + c->r.w && y >= (double)c->r.y &&
                y < (double)c->r.y + c->r.h;
    return in_r != c->inside;
}

uint32_t bmx__keypoints_hide(struct bmx_object *obj, struct bmx_rect r, bool inside, int32_t w,
                             int32_t h)
{
    const struct rect_side c = {r, inside};
    return bmx__keypoints_hide_where(obj, w, h, rect_covers, &c);
}
