/* SPDX-License-Identifier: MIT */
/* Internal: what the operations' files share. */
#ifndef BMX_OPS_H
#define BMX_OPS_H

#include "boxmix.h"
#include "error.h"
#include "keypoints.h"
#include "pixels.h"
#include "polygon.h"
#include "sized.h"

/* A caller's CutMix options read up to its size over the defaults into `out`
 * (boxmix.h, "Options that grow"); BMX_E_INVALID for a size the library refuses
 * (cutmix_patch.c). */
bmx_status bmx__cutmix_options_read(const struct bmx_cutmix_options *in,
                                    struct bmx_cutmix_options *out, bmx_error *err);

/* What the primitive decided, measured as it decided (for the decision log). */
struct bmx__verdict {
    double visibility;     /* visible area over the whole */
    double visible;        /* the visible area: pixels for RLE, exact for polygons */
    struct bmx_box box;    /* the tight box of the visible part (zero when none) */
    enum bmx_drop_rule rule; /* BMX_DROP_NONE when kept */
};

/* The cut/clip primitive: bmx_object_by_rect without the mask format. *hit tells
 * whether r took a part of the object, *taken is r within the image, *verdict what
 * was measured and decided (all three may be NULL); a kept object keeps the form
 * its mask came in (object_rect.c). */
bmx_status bmx__object_by_rect(const struct bmx_cutmix_options *opts, const struct bmx_object *in,
                               struct bmx_rect r, bool inside, int32_t w, int32_t h,
                               struct bmx_object *out, bool *kept, bool *hit, struct bmx_rect *taken,
                               struct bmx__verdict *verdict, bmx_error *err);

/* The mask format for an object the primitive kept: `out` (made from `in` by
 * cutting, `cut` the rectangle when it took a part, else NULL) rasterised to RLE or
 * traced to polygons as `format` says, the holes filled added to *holes. A polygon
 * sliver that covers no pixel centre has no area as RLE: it is dropped (*kept
 * false, `out` freed). On failure `out` is freed too (mask_format.c). */
bmx_status bmx__object_mask_format(enum bmx_mask_format format, const struct bmx_object *in,
                                   const struct bmx_rect *cut, bool inside, int32_t w, int32_t h,
                                   struct bmx_object *out, bool *kept, size_t *holes,
                                   bmx_error *err);

/* A kept polygon object as RLE: its polygons as recorded rasterised (frPoly), the
 * rectangle `cut` (when it took a part) cleared, or kept when `inside`
 * (mask_format.c). */
bmx_status bmx__object_to_rle(struct bmx_object *obj, const struct bmx_polyset *recorded,
                              const struct bmx_rect *cut, bool inside, int32_t w, int32_t h,
                              bmx_error *err);

/* A kept RLE object as polygons traced along pixel edges; holes filled and counted. */
bmx_status bmx__object_to_polygons(struct bmx_object *obj, size_t *holes, bmx_error *err);

/* A caller's operation options read up to its size over the defaults (its `cutmix`
 * too) into `out` and checked (op.c). */
bmx_status bmx__op_options_read(const struct bmx_op_options *in, struct bmx_op_options *out,
                                bmx_error *err);

/* One operation's entry, called by bmx_op_apply (op.c) with options read and
 * checked, `in` holding bmx_op_inputs(op) samples, `pixels` true when every input
 * has pixels (else none has: annotations only), `record` and `stats` zeroed and
 * non-NULL, `decisions` NULL or one per input object (in input order). On failure
 * `out` is left zeroed with nothing allocated. */
typedef bmx_status (*bmx__op_entry)(const struct bmx_op_options *opts,
                                    const struct bmx_sample *const *in, bool pixels,
                                    bmx_rng *rng, struct bmx_sample *out,
                                    struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                                    struct bmx_decision *decisions, bmx_error *err);

bmx_status bmx__op_cutmix(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx_sample *out,
                          struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                          struct bmx_decision *decisions, bmx_error *err);

/* One object's decision as the decision log records it: `in` as it came (its box
 * in the output's frame before the operation: `before`), `o` what was made of it
 * when `kept`, `v` what was measured (op.c). */
void bmx__op_decision(struct bmx_decision *d, enum bmx_origin from, int input, size_t index,
                      const struct bmx_object *in, struct bmx_box before, bool kept,
                      const struct bmx_object *o, const struct bmx__verdict *v);

/* Count one decided object into `stats` (kept ones: whole or clipped, masked,
 * keypoints). */
void bmx__op_count(struct bmx_cutmix_stats *stats, bool kept, const struct bmx_object *o);

/* The source `src` fitted to w x h by `fit` (resize or letterbox; crop is CutMix's own):
 * objects scaled and shifted (geometry only; nothing decided), pixels when `pixels`.
 * `out` allocated (bmx_sample_free); its objects own their geometry. Resize is
 * cutmix_apply.c's: each axis stretched; letterbox: the largest scale that fits,
 * the limiting side exact and the other rounded to nearest, centred at the floor
 * of half the margin, 114 grey around; RLE resampled nearest to the scaled size and
 * placed. A fit that moves nothing copies every object as it came (source_fit.c). */
bmx_status bmx__fit_source(enum bmx_source_fit fit, const struct bmx_sample *src, int32_t w,
                           int32_t h, bool pixels, struct bmx_sample *out, bmx_error *err);

/* Copy-Paste's primitive (object_mask.c): bmx_object_by_mask with options read,
 * the mask format applied, *verdict (may be NULL) what was measured and decided
 * (pixels), and the holes the mask format filled for an untouched object added to
 * *holes (may be NULL). `mask` is valid and of size h x w. */
bmx_status bmx__object_by_mask(const struct bmx_cutmix_options *opts, const struct bmx_object *in,
                               const struct bmx_rle *mask, int32_t w, int32_t h,
                               struct bmx_object *out, bool *kept, struct bmx__verdict *verdict,
                               size_t *holes, bmx_error *err);

/* Copy-Paste (op_copypaste.c; draw order and rules at the top of that file). */
bmx_status bmx__op_copypaste(const struct bmx_op_options *opts,
                             const struct bmx_sample *const *in, bool pixels, bmx_rng *rng,
                             struct bmx_sample *out, struct bmx_op_record *record,
                             struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                             bmx_error *err);

#endif
