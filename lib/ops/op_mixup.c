/* SPDX-License-Identifier: MIT */
/* MixUp (DESIGN.md, "Other operations"): the source fitted to the base's size
 * (resize or letterbox), the two blended with lambda quantised to 1/1024, every
 * object of both kept with its weight (nothing is occluded). */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* lambda: mix_ratio when set (>= 0, no draw), else one Beta(mix_alpha, mix_alpha)
 * draw; quantised to q/1024, q = floor(1024 * lambda + 0.5). */
static uint32_t draw_q(const struct bmx_op_options *opts, bmx_rng *rng)
{
    double lambda = opts->mix_ratio >= 0.0 ? opts->mix_ratio
                                           : bmx_rng_beta(rng, opts->mix_alpha, opts->mix_alpha);
    double q = floor(lambda * 1024.0 + 0.5);
    return q <= 0.0 ? 0u : q >= 1024.0 ? 1024u : (uint32_t)q;
}

bmx_status bmx__op_mixup(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                         bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                         struct bmx_sample *out, struct bmx_op_record *record,
                         struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                         bmx_error *err)
{
    const struct bmx_sample *a = in[0];
    const int32_t w = a->image.w, h = a->image.h;
    const uint32_t q = draw_q(opts, rng);
    struct bmx_sample fitted, res;
    memset(&res, 0, sizeof res);
    /* The fitted source's objects only: its pixels are never made whole, the blend
     * below resizes the source as it goes. */
    bmx_status st = bmx__fit_source(opts->source_fit, in[1], w, h, false, &fitted, err);
    if (st != BMX_OK) {
        return st;
    }
    /* Nothing is occluded: the rules that judge what a patch left (visibility, area,
     * size) have nothing to judge. The whole image still bounds every object (a
     * mask reaching outside it is clipped, as everywhere), and mask_format holds. */
    struct bmx_cutmix_options keep_all = opts->cutmix;
    keep_all.min_visibility = 0.0;
    keep_all.min_area = 0.0;
    keep_all.min_size = 0.0;
    const struct bmx_rect whole = {0, 0, w, h};

    size_t total;
    if (!bmx__add_size(a->n_objects, fitted.n_objects, &total)) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "mixup: too many objects");
        goto cleanup;
    }
    if (total > 0) {
        res.objects = bmx__alloc_array(total, sizeof *res.objects);
        if (res.objects == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "mixup: out of memory");
            goto cleanup;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        const bool from_base = pass == 0;
        const struct bmx_object *objs = from_base ? a->objects : fitted.objects;
        const size_t n = from_base ? a->n_objects : fitted.n_objects;
        for (size_t i = 0; i < n; i++) {
            struct bmx_object *o = &res.objects[res.n_objects];
            bool kept = false, hit = false;
            struct bmx_rect taken;
            struct bmx__verdict v;
            st = bmx__object_by_rect(&keep_all, &objs[i], whole, true, w, h, o, &kept, &hit,
                                     &taken, &v, err);
            if (st == BMX_OK && kept) {
                st = bmx__object_mask_format(keep_all.mask_format, &objs[i],
                                             hit ? &taken : NULL, true, w, h, o, &kept,
                                             &stats->holes_filled, err);
            }
            if (st != BMX_OK) {
                bmx__prefix(err, st, "%s object %zu (id %lld)", from_base ? "base" : "source",
                            i, (long long)objs[i].id);
                goto cleanup;
            }
            const enum bmx_origin from = from_base ? BMX_FROM_BASE : BMX_FROM_SOURCE;
            if (kept) {
                o->origin = from;
                o->has_weight = true;
                o->weight = from_base ? (double)q / 1024.0 : (double)(1024u - q) / 1024.0;
                res.n_objects++;
            }
            if (decisions != NULL) {
                bmx__op_decision(&decisions[from_base ? i : a->n_objects + i], from,
                                 from_base ? 0 : 1, i, &objs[i], objs[i].bbox, kept, o, &v);
            }
            bmx__op_count(stats, kept, o);
        }
    }

    if (!pixels) {
        res.image = (struct bmx_image){w, h, a->image.channels, 0, NULL};
    } else {
        /* out = (q*A + (1024-q)*B + 512) >> 10 per channel, B the source fitted to
         * A's size (fixed point: the same bytes on every machine), in one pass
         * that writes every byte: into A itself when the caller gives A up. */
        int32_t sw, sh, ox, oy;
        bmx__fit_geometry(opts->source_fit, in[1]->image.w, in[1]->image.h, w, h, &sw, &sh, &ox,
                          &oy);
        st = bmx__image_check_view(&in[1]->image, err);
        if (st == BMX_OK && !bmx__op_image_in_base(sc, in, 2, &res.image)) {
            st = bmx__op_image(sc, w, h, a->image.channels, &res.image, err);
        }
        if (st == BMX_OK) {
            st = bmx__image_blend_fitted(&a->image, &in[1]->image, sw, sh, ox, oy,
                                         BMX__LETTERBOX_GREY, q, &res.image,
                                         sc != NULL ? &sc->tmp : NULL,
                                         sc != NULL ? &sc->tmp_cap : NULL, err);
        }
        if (st != BMX_OK) {
            bmx__op_image_drop(sc, &res.image);
            goto cleanup;
        }
    }
    record->lambda = (double)q / 1024.0;
    record->source_fit = opts->source_fit;

cleanup:
    bmx_sample_free(&fitted);
    if (st != BMX_OK) {
        bmx_sample_free(&res);
        return st;
    }
    *out = res;
    return BMX_OK;
}
