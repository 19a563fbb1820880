/* SPDX-License-Identifier: MIT */
/* Internal: COCO keypoints of an object. The rules every reader and the checker
 * apply to them, and how operations move and hide them.
 *
 * A keypoint is a pixel position (x, y) with a flag v: 0 not labelled (and then,
 * by COCO's convention, x = y = 0), 1 labelled but not visible, 2 visible. It lies
 * in the image when 0 <= x < W and 0 <= y < H, and in a patch or hole by the
 * half-open rule of boxes: x <= px < x + w. (The checker's "inside its object's
 * box" warning counts the box's edges in: a point is a pixel, the box continuous.)
 * Messages number points from 0, in array order. Operations move labelled points with
 * their object and hide (v = x = y = 0) those the operation hides or leaves
 * outside the kept region; points never decide whether an object is kept. */
#ifndef BMX_KEYPOINTS_H
#define BMX_KEYPOINTS_H

#include "boxmix.h"
#include "error.h"

/* A problem found by bmx__keypoints_check: `error` false for a warning; `code`
 * a stable name, `message` a sentence (valid during the call). */
typedef void (*bmx__kp_report)(void *ctx, bool error, const char *code, const char *message);

/* Check an annotation's keypoints: `kp` holds `n_numbers` numbers (x, y, v
 * triples); `expected` is the category's number of keypoints (0: the category
 * names none, any count of triples goes); `has_num`/`num` its num_keypoints;
 * `box` its bbox (NULL: none) in a w x h image. Errors: a count that is not a
 * multiple of 3 or not 3 * expected (keypoints-count), v not 0, 1 or 2
 * (keypoint-visibility), num_keypoints not the count of v > 0 (num-keypoints), a
 * labelled point outside the image (keypoint-outside-image). Warnings: a v = 0
 * point not at (0, 0) (keypoint-unlabelled-position; some exporters keep them),
 * a labelled point outside the box (keypoint-outside-box). Returns the number of
 * errors. */
size_t bmx__keypoints_check(const double *kp, size_t n_numbers, size_t expected, bool has_num,
                            double num, int32_t w, int32_t h, const struct bmx_box *box,
                            bmx__kp_report report, void *ctx);

/* Deep-copy in's keypoints into out (out's other fields untouched). */
bmx_status bmx__keypoints_copy(const struct bmx_object *in, struct bmx_object *out, bmx_error *err);

/* Move every labelled point: x' = x * sx + dx, y' = y * sy + dy. */
void bmx__keypoints_map(struct bmx_object *obj, double sx, double sy, double dx, double dy);

/* Hide the labelled points that lie inside `r` (`inside` false: the part of the
 * object that stays is outside r) or outside it (`inside` true), and every one
 * outside the w x h image. num_keypoints is recounted and keypoints_hidden grows
 * by the number hidden, which is returned. */
uint32_t bmx__keypoints_hide(struct bmx_object *obj, struct bmx_rect r, bool inside, int32_t w,
                             int32_t h);

/* The same for any cover: hide the labelled points outside the w x h image or
 * where `covered(ctx, x, y)` says (Copy-Paste: a pixel of its mask). */
uint32_t bmx__keypoints_hide_where(struct bmx_object *obj, int32_t w, int32_t h,
                                   bool (*covered)(const void *ctx, double x, double y),
                                   const void *ctx);

#endif
