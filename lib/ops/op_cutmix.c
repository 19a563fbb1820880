/* SPDX-License-Identifier: MIT */
/* CutMix as an entry of bmx_op_apply: the patch drawn on the base's boxes (or, for
 * placement source-object, centred on an object of the fitted source), the source
 * brought to the base's size (resize: cutmix_apply.c resizes the patch only;
 * letterbox: bmx__fit_source for the objects, bmx__letterbox_paste for the patch's
 * pixels; crop: cutmix_crop.c), the patch applied
 * (cutmix_apply.c). Resize with anywhere or avoid-base is bmx_cutmix, byte for byte. */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

bmx_status bmx__op_cutmix(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                          struct bmx_sample *out, struct bmx_op_record *record,
                          struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                          bmx_error *err)
{
    if (opts->source_fit == BMX_FIT_CROP) {
        return bmx__cutmix_crop(opts, in, pixels, rng, sc, out, record, stats, decisions, err);
    }
    const struct bmx_sample *a = in[0], *b = in[1];
    const int32_t w = a->image.w, h = a->image.h;
    const bool anchored = opts->cutmix.placement == BMX_PLACE_SOURCE_OBJECT;
    struct bmx_sample fitted;
    memset(&fitted, 0, sizeof fitted);
    bmx_status st = BMX_OK;
    /* The source in the base's frame: letterbox fits its objects here; resize
     * leaves it to the apply, which resizes the patch only, and needs the fitted
     * objects only to find the anchor. */
    const struct bmx_sample *src = b;
    const struct bmx_object *anchors = b->objects;
    const bool letterbox = opts->source_fit == BMX_FIT_LETTERBOX;
    if (letterbox) {
        /* Objects here; pixels below, the patch only. */
        st = bmx__fit_source(BMX_FIT_LETTERBOX, b, w, h, false, &fitted, err);
        src = &fitted;
        anchors = fitted.objects;
    } else if (anchored && (b->image.w != w || b->image.h != h)) {
        st = bmx__fit_source(BMX_FIT_RESIZE, b, w, h, false, &fitted, err);
        anchors = fitted.objects;
    }
    if (st != BMX_OK) {
        return st;
    }
    struct bmx_box *boxes = bmx__alloc_array(a->n_objects, sizeof *boxes);
    if (boxes == NULL) {
        bmx_sample_free(&fitted);
        return bmx__fail(err, BMX_E_NOMEM, "cutmix: out of memory");
    }
    for (size_t i = 0; i < a->n_objects; i++) {
        boxes[i] = a->objects[i].bbox;
    }
    struct bmx_patch patch;
    size_t anchor = SIZE_MAX;
    st = bmx__cutmix_draw_patch_at(&opts->cutmix, w, h, boxes, a->n_objects,
                                   anchored ? anchors : NULL, anchored ? b->n_objects : 0, rng,
                                   &patch, &anchor, err);
    free(boxes);
    /* The objects without pixels (a dry run decides the same), the pixels below. */
    struct bmx_sample a_view = *a, src_view = *src;
    a_view.image.data = NULL;
    src_view.image.data = NULL;
    if (st == BMX_OK) {
        st = bmx_cutmix_apply_decided(&opts->cutmix, &patch, &a_view, &src_view, out, stats,
                                      decisions, err);
    }
    if (st == BMX_OK && pixels) {
        struct bmx_image dst = {0};
        if (bmx__op_image_in_base(sc, in, 2, &dst)) {
            /* The patch into the base's own pixels. */
            st = letterbox ? bmx__letterbox_paste(&a->image, &b->image, patch.rect, &dst, err)
                           : bmx__image_resize_rect(&b->image, w, h, patch.rect, &dst, err);
        } else {
            st = bmx__op_image(sc, w, h, a->image.channels, &dst, err);
            if (st == BMX_OK) {
                st = letterbox ? bmx__letterbox_paste(&a->image, &b->image, patch.rect, &dst, err)
                               : bmx__image_paste(&a->image, &b->image, patch.rect, &dst, err);
            }
        }
        if (st == BMX_OK) {
            out->image = dst;
        } else {
            bmx__op_image_drop(sc, &dst);
            bmx_sample_free(out);
        }
    }
    if (st == BMX_OK) {
        record->patch = patch.rect;
        record->lambda = patch.lambda;
        record->placement = opts->cutmix.placement;
        record->source_fit = opts->source_fit;
        if (anchor != SIZE_MAX) {
            record->has_anchor = true;
            record->anchor_annotation_id = anchors[anchor].id;
        }
    }
    bmx_sample_free(&fitted);
    return st;
}
