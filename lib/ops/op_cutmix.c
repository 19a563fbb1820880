/* SPDX-License-Identifier: MIT */
/* CutMix as an entry of bmx_op_apply: the patch drawn on the base's boxes, the
 * source brought to the base's size, the patch applied (cutmix_apply.c). */
#include "ops.h"

#include <stdlib.h>

bmx_status bmx__op_cutmix(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx_sample *out,
                          struct bmx_op_record *record, struct bmx_cutmix_stats *stats,
                          struct bmx_decision *decisions, bmx_error *err)
{
    (void)pixels; /* bmx_cutmix_apply_decided sees it from the images */
    const struct bmx_sample *a = in[0], *b = in[1];
    struct bmx_box *boxes = bmx__alloc_array(a->n_objects, sizeof *boxes);
    if (boxes == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "cutmix: out of memory");
    }
    for (size_t i = 0; i < a->n_objects; i++) {
        boxes[i] = a->objects[i].bbox;
    }
    struct bmx_patch patch;
    bmx_status st = bmx_cutmix_draw_patch(&opts->cutmix, a->image.w, a->image.h, boxes,
                                          a->n_objects, rng, &patch, err);
    free(boxes);
    if (st != BMX_OK) {
        return st;
    }
    st = bmx_cutmix_apply_decided(&opts->cutmix, &patch, a, b, out, stats, decisions, err);
    if (st != BMX_OK) {
        return st;
    }
    record->patch = patch.rect;
    record->lambda = patch.lambda;
    record->placement = opts->cutmix.placement;
    record->source_fit = opts->source_fit;
    return BMX_OK;
}
