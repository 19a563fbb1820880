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

/* The rule that drops an object (BMX_DROP_NONE: kept) given what was measured:
 * its visible area, visibility and the tight box of its visible part; crowd
 * regions are kept while any part is visible (object_rect.c). Every operation
 * decides its objects by it. */
enum bmx_drop_rule bmx__drop_rule(const struct bmx_cutmix_options *opts,
                                  const struct bmx_object *in, double visible, double visibility,
                                  struct bmx_box nb);

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

/* Where an operation composes its pixels, kept by a caller that makes output after
 * output (the augment job's worker) so that its steady state allocates nothing
 * large and faults in no fresh pages (op_scratch.c). An entry given one returns an
 * output whose pixels it does not own: they are the scratch's `out`, or the base's
 * own when `base_writable` says the caller gives them up (no later output reads
 * them). The caller uses them before its next call and never frees them. An entry
 * given NULL returns pixels the output owns (bmx_op_apply). */
struct bmx__op_scratch {
    uint8_t *out; /* an output's pixels */
    size_t out_cap;
    uint8_t *tmp; /* a fitted source's pixels */
    size_t tmp_cap;
    bool base_writable; /* the base's pixels may become the output's */
    size_t huge; /* buffers from BMX__HUGE_MIN bytes on whole huge pages of this size
                    (prefault.h); 0: ordinary memory */
};

/* The scratch's buffers freed; all zero after. */
void bmx__op_scratch_free(struct bmx__op_scratch *sc);

/* Each of the scratch's buffers larger than `keep` bytes freed (the next call that
 * needs one allocates it again): an output far larger than the others does not
 * hold its buffers for the rest of a run. */
void bmx__op_scratch_trim(struct bmx__op_scratch *sc, size_t keep);

/* An output's pixels, w x h x c, their bytes unset: a view of sc's `out` (grown as
 * needed), or allocated when sc is NULL. Let go with bmx__op_image_drop. */
bmx_status bmx__op_image(struct bmx__op_scratch *sc, int32_t w, int32_t h, int32_t c,
                         struct bmx_image *img, bmx_error *err);

/* A work image as bmx__op_image makes one, in sc's `tmp`. */
bmx_status bmx__op_tmp_image(struct bmx__op_scratch *sc, int32_t w, int32_t h, int32_t c,
                             struct bmx_image *img, bmx_error *err);

/* The base's own pixels (in[0]'s) as the output's, when sc gives them up and no
 * other of the n inputs shares them: *img the base's view, true. Else false, *img
 * untouched. The caller writes into them only what differs from the base. */
bool bmx__op_image_in_base(const struct bmx__op_scratch *sc, const struct bmx_sample *const *in,
                           size_t n, struct bmx_image *img);

/* An image one of the three above made, let go: freed when sc is NULL (it owned
 * its memory), else only forgotten. *img zeroed. */
void bmx__op_image_drop(const struct bmx__op_scratch *sc, struct bmx_image *img);

/* One operation's entry, called by bmx__op_apply_into (op.c) with options read and
 * checked, `in` holding bmx_op_inputs(op) samples, `pixels` true when every input
 * has pixels (else none has: annotations only), `sc` as struct bmx__op_scratch
 * says (NULL: the output owns its pixels), `record` and `stats` zeroed and
 * non-NULL, `decisions` NULL or one per input object (in input order). On failure
 * `out` is left zeroed with nothing allocated. */
typedef bmx_status (*bmx__op_entry)(const struct bmx_op_options *opts,
                                    const struct bmx_sample *const *in, bool pixels, bmx_rng *rng,
                                    struct bmx__op_scratch *sc, struct bmx_sample *out,
                                    struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                                    struct bmx_decision *decisions, bmx_error *err);

bmx_status bmx__op_cutmix(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                          struct bmx_sample *out, struct bmx_op_record *record,
                          struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                          bmx_error *err);

/* One object's decision as the decision log records it: `in` as it came (its box
 * in the output's frame before the operation: `before`), `o` what was made of it
 * when `kept`, `v` what was measured (op.c). */
void bmx__op_decision(struct bmx_decision *d, enum bmx_origin from, int input, size_t index,
                      const struct bmx_object *in, struct bmx_box before, bool kept,
                      const struct bmx_object *o, const struct bmx__verdict *v);

/* Count one decided object into `stats` (kept ones: whole or clipped, masked,
 * keypoints). */
void bmx__op_count(struct bmx_cutmix_stats *stats, bool kept, const struct bmx_object *o);

/* One rectangle of a w x h image drawn as CutMix draws a patch (Beta(alpha, alpha)
 * area or side ratios; placement ignored): beta draws lambda, cx, cy; ratio draws
 * rw, rh, x, y. `opts` checked (cutmix_patch.c). */
void bmx__patch_draw_rect(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                          bmx_rng *rng, struct bmx_rect *out);

/* One object cut by `n` rectangles (CutOut's holes, inside a w x h image), exactly
 * (cutout_object.c): the primitive applied hole after hole with the rules off, the
 * rules then decided once on what is left against the whole object; mask format
 * applied last. `out`, *kept, *verdict (may be NULL) as bmx__object_by_rect;
 * *holes_filled grows as bmx__object_mask_format's *holes. */
bmx_status bmx__object_by_holes(const struct bmx_cutmix_options *opts, const struct bmx_object *in,
                                const struct bmx_rect *holes, size_t n, int32_t w, int32_t h,
                                struct bmx_object *out, bool *kept, struct bmx__verdict *verdict,
                                size_t *holes_filled, bmx_error *err);

/* The box c = {x0, y0, x1, y1} minus the union of the `n` rectangles: its area,
 * exact (slabs between the rectangles' edges), and *ext its tight box (zero when
 * nothing is left) (cutout_object.c). */
double bmx__box_minus_holes(const double c[4], const struct bmx_rect *holes, size_t n,
                            struct bmx_box *ext);

/* An RLE mask of h_in x w_in moved by (dx, dy) into a frame of h x w; what falls
 * outside the frame is dropped. `out` allocated (rle_place.c). */
bmx_status bmx__rle_place(const struct bmx_rle *in, uint32_t h, uint32_t w, int64_t dx, int64_t dy,
                          struct bmx_rle *out, bmx_error *err);

/* An object of a w_in x h_in image brought to w x h (sx = w / w_in, sy = h / h_in):
 * box and polygons scaled, RLE resampled nearest (bmx_rle_resize_nearest), keypoints
 * moved; area recomputed, nothing decided. `out` owns its geometry; on failure free
 * it with bmx_object_free (cutmix_apply.c). */
bmx_status bmx__object_scale(const struct bmx_object *in, double sx, double sy, int32_t w,
                             int32_t h, int32_t w_in, int32_t h_in, struct bmx_object *out,
                             bmx_error *err);

bmx_status bmx__op_cutout(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                          struct bmx_sample *out, struct bmx_op_record *record,
                          struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                          bmx_error *err);

bmx_status bmx__op_mosaic(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                          struct bmx_sample *out, struct bmx_op_record *record,
                          struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                          bmx_error *err);

/* The source `src` fitted to w x h by `fit` (resize or letterbox; crop is CutMix's own):
 * objects scaled and shifted (geometry only; nothing decided), pixels when `pixels`.
 * `out` allocated (bmx_sample_free); its objects own their geometry. Resize is
 * cutmix_apply.c's: each axis stretched; letterbox: the largest scale that fits,
 * the limiting side exact and the other rounded to nearest, centred at the floor
 * of half the margin, 114 grey around; RLE resampled nearest to the scaled size and
 * placed. A fit that moves nothing copies every object as it came (source_fit.c). */
bmx_status bmx__fit_source(enum bmx_source_fit fit, const struct bmx_sample *src, int32_t w,
                           int32_t h, bool pixels, struct bmx_sample *out, bmx_error *err);

/* Can source object `o` anchor a source-object patch: not crowd, its box finite
 * (cutmix_patch.c). */
bool bmx__anchor_candidate(const struct bmx_object *o);

/* bmx_cutmix_draw_patch with the fitted source's objects (`source`, n_source, in the
 * w x h frame; may be NULL when 0) for placement source-object: *anchor (may be
 * NULL) is the index of the object that anchored the patch, SIZE_MAX when none
 * did (then the patch is anywhere's, drawn with the same numbers). The draw order
 * is documented at its definition (cutmix_patch.c). */
bmx_status bmx__cutmix_draw_patch_at(const struct bmx_cutmix_options *opts, int32_t w, int32_t h,
                                     const struct bmx_box *base_boxes, size_t n,
                                     const struct bmx_object *source, size_t n_source,
                                     bmx_rng *rng, struct bmx_patch *out, size_t *anchor,
                                     bmx_error *err);

/* MixUp's entry (op_mixup.c). */
bmx_status bmx__op_mixup(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                         bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                         struct bmx_sample *out, struct bmx_op_record *record,
                         struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                         bmx_error *err);

/* Move object `o` (owned geometry) by whole pixels (dx, dy) into a w x h frame:
 * box, polygons and labelled keypoints shifted, an RLE placed (bmx__rle_place);
 * area unchanged: the caller moves only what lies inside the frame after the move
 * (source_fit.c). */
bmx_status bmx__object_shift(struct bmx_object *o, int32_t w, int32_t h, int32_t dx, int32_t dy,
                             bmx_error *err);

/* CutMix with source fit crop (cutmix_crop.c): the patch drawn on the base (its
 * place as anywhere or avoid-base draws it), then the rectangle of the source it is
 * taken from; called by bmx__op_cutmix with the same arguments. */
bmx_status bmx__cutmix_crop(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                            bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                            struct bmx_sample *out, struct bmx_op_record *record,
                            struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                            bmx_error *err);

/* CutMix's pixels with a letterboxed source: `dst` (A's size and channels, its own
 * memory or A's itself) becomes A with the patch `r` taken from B letterboxed to A's size (as
 * bmx__fit_source makes it), only the patch computed (source_fit.c). */
bmx_status bmx__letterbox_paste(const struct bmx_image *a, const struct bmx_image *b,
                                struct bmx_rect r, struct bmx_image *dst, bmx_error *err);

/* Copy-Paste's primitive (object_mask.c): bmx_object_by_mask with options read,
 * the mask format applied, *verdict (may be NULL) what was measured and decided
 * (pixels), and the holes the mask format filled for an untouched object added to
 * *holes (may be NULL). `mask` is valid and of size h x w. */
bmx_status bmx__object_by_mask(const struct bmx_cutmix_options *opts, const struct bmx_object *in,
                               const struct bmx_rle *mask, int32_t w, int32_t h,
                               struct bmx_object *out, bool *kept, struct bmx__verdict *verdict,
                               size_t *holes, bmx_error *err);

/* bmx__object_by_mask with the mask's toBbox given (`mask_box`, as bmx_rle_bbox
 * makes it; NULL: computed here), for a caller that cuts many objects by one mask. */
bmx_status bmx__object_by_mask_boxed(const struct bmx_cutmix_options *opts,
                                     const struct bmx_object *in, const struct bmx_rle *mask,
                                     const struct bmx_box *mask_box, int32_t w, int32_t h,
                                     struct bmx_object *out, bool *kept,
                                     struct bmx__verdict *verdict, size_t *holes, bmx_error *err);

/* Copy-Paste (op_copypaste.c; draw order and rules at the top of that file). */
bmx_status bmx__op_copypaste(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                             bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                             struct bmx_sample *out, struct bmx_op_record *record,
                             struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                             bmx_error *err);

/* Where bmx__fit_source puts a bw x bh source in a w x h frame: resized to sw x sh
 * with its top-left corner at (ox, oy), the rest the letterbox's grey
 * (BMX__LETTERBOX_GREY on every channel); resize: the whole frame (source_fit.c). */
#define BMX__LETTERBOX_GREY 114
void bmx__fit_geometry(enum bmx_source_fit fit, int32_t bw, int32_t bh, int32_t w, int32_t h,
                       int32_t *sw, int32_t *sh, int32_t *ox, int32_t *oy);

/* bmx_op_apply with a scratch (NULL: bmx_op_apply itself): the output's pixels
 * as struct bmx__op_scratch says (op.c). */
bmx_status bmx__op_apply_into(const struct bmx_op_options *opts,
                              const struct bmx_sample *const *inputs, size_t n_inputs,
                              bmx_rng *rng, struct bmx__op_scratch *sc, struct bmx_sample *out,
                              struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                              struct bmx_decision *decisions, bmx_error *err);

#endif
