/* SPDX-License-Identifier: MIT */
/* CutMix with source fit crop (DESIGN.md, "Other operations", Source fit): the
 * source at its own scale, the patch taken from a place of it drawn uniformly
 * where it fits (or, for placement source-object, centred on one of its objects),
 * the source scaled up (aspect kept) only when it is smaller than the patch. Its
 * objects are clipped to that rectangle in the source's frame, where their whole
 * is, then moved with it to the patch.
 *
 * Random numbers, in order: the patch on the base (as bmx_cutmix_draw_patch draws
 * it for anywhere, or avoid-base on the base's boxes; source-object draws as
 * anywhere here), then the source rectangle: for source-object with a candidate
 * object, its index among the candidates (bmx_rng_below(count)); else its left
 * edge bmx_rng_below(Sw - pw + 1) and its top edge bmx_rng_below(Sh - ph + 1). */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The source's size Sw x Sh for a pw x ph patch: its own, or when smaller than the
 * patch along either axis scaled by s = max(pw / bw, ph / bh), each side rounded to
 * nearest and at least the patch's. */
static bmx_status crop_scale(int32_t bw, int32_t bh, int32_t pw, int32_t ph, int32_t *sw,
                             int32_t *sh, bmx_error *err)
{
    *sw = bw;
    *sh = bh;
    if (bw >= pw && bh >= ph) {
        return BMX_OK;
    }
    double s = fmax((double)pw / (double)bw, (double)ph / (double)bh);
    double fw = fmax(floor((double)bw * s + 0.5), (double)pw);
    double fh = fmax(floor((double)bh * s + 0.5), (double)ph);
    /* A very thin source scaled up to cover the patch grows long along its other
     * side; masks hold at most 2^32 - 1 pixels. */
    if (fw * fh >= 4294967296.0) {
        return bmx__fail(err, BMX_E_LIMIT,
                         "source fit crop: the %dx%d source scaled by %g to cover the %dx%d "
                         "patch would be too large",
                         (int)bw, (int)bh, s, (int)pw, (int)ph);
    }
    *sw = (int32_t)fw;
    *sh = (int32_t)fh;
    return BMX_OK;
}

static int32_t clamp_i(double v, int32_t lo, int32_t hi)
{
    return v < (double)lo ? lo : v > (double)hi ? hi : (int32_t)v;
}

/* The rectangle of the Sw x Sh source the patch comes from. */
static struct bmx_rect source_rect(const struct bmx_op_options *opts,
                                   const struct bmx_object *objs, size_t n, int32_t sw,
                                   int32_t sh, int32_t pw, int32_t ph, bmx_rng *rng,
                                   size_t *anchor)
{
    struct bmx_rect r = {0, 0, pw, ph};
    *anchor = SIZE_MAX;
    size_t count = 0;
    if (opts->cutmix.placement == BMX_PLACE_SOURCE_OBJECT) {
        for (size_t i = 0; i < n; i++) {
            count += bmx__anchor_candidate(&objs[i]) ? 1u : 0u;
        }
    }
    if (count > 0) {
        uint64_t k = bmx_rng_below(rng, (uint64_t)count);
        for (size_t i = 0; i < n; i++) {
            if (bmx__anchor_candidate(&objs[i]) && k-- == 0) {
                *anchor = i;
                break;
            }
        }
        const struct bmx_box *b = &objs[*anchor].bbox;
        r.x = clamp_i(floor(b->x + b->w / 2.0 - pw / 2.0 + 0.5), 0, sw - pw);
        r.y = clamp_i(floor(b->y + b->h / 2.0 - ph / 2.0 + 0.5), 0, sh - ph);
        return r;
    }
    r.x = (int32_t)bmx_rng_below(rng, (uint64_t)(sw - pw) + 1u);
    r.y = (int32_t)bmx_rng_below(rng, (uint64_t)(sh - ph) + 1u);
    return r;
}

/* The pixels: the base (its own pixels when `sc` gives them up, else a copy) with
 * the patch's rows taken from the (scaled) source's rectangle `sr` (the patch's
 * size). The rectangle is resized straight into the patch: the scaled source is
 * never made, not even as a buffer only partly written (a thin source scaled up
 * to cover the patch can take gigabytes, and a worker's kept buffers are mapped in
 * whole and held for the run). */
static bmx_status crop_pixels(struct bmx__op_scratch *sc, const struct bmx_sample *const *in,
                              int32_t sw, int32_t sh, struct bmx_rect patch, struct bmx_rect sr,
                              struct bmx_image *img, bmx_error *err)
{
    const struct bmx_image *a = &in[0]->image, *b = &in[1]->image;
    const size_t c = (size_t)a->channels;
    bmx_status st = BMX_OK;
    if (!bmx__op_image_in_base(sc, in, 2, img)) {
        st = bmx__op_image(sc, a->w, a->h, a->channels, img, err);
        if (st != BMX_OK) {
            return st;
        }
        for (int32_t y = 0; y < a->h; y++) {
            memcpy(img->data + (size_t)y * img->stride, a->data + (size_t)y * a->stride,
                   (size_t)a->w * c);
        }
    }
    if (patch.w <= 0 || patch.h <= 0) {
        return BMX_OK;
    }
    /* The same bytes as the whole sw x sh resize's rectangle (a copy at the
     * source's own size). */
    st = bmx__image_resize_rect_at(b, sw, sh, sr, img, patch.x, patch.y, err);
    if (st != BMX_OK) {
        bmx__op_image_drop(sc, img);
    }
    return st;
}

bmx_status bmx__cutmix_crop(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                            bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                            struct bmx_sample *out, struct bmx_op_record *record,
                            struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                            bmx_error *err)
{
    const struct bmx_sample *a = in[0], *b = in[1];
    const int32_t w = a->image.w, h = a->image.h;
    struct bmx_sample scaled, res;
    memset(&scaled, 0, sizeof scaled);
    memset(&res, 0, sizeof res);

    /* 1. The patch on the base. */
    struct bmx_cutmix_options on_base = opts->cutmix;
    if (on_base.placement == BMX_PLACE_SOURCE_OBJECT) {
        on_base.placement = BMX_PLACE_ANYWHERE;
    }
    struct bmx_box *boxes = bmx__alloc_array(a->n_objects, sizeof *boxes);
    if (boxes == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "cutmix: out of memory");
    }
    for (size_t i = 0; i < a->n_objects; i++) {
        boxes[i] = a->objects[i].bbox;
    }
    struct bmx_patch patch;
    bmx_status st = bmx_cutmix_draw_patch(&on_base, w, h, boxes, a->n_objects, rng, &patch, err);
    free(boxes);
    if (st != BMX_OK) {
        return st;
    }
    const struct bmx_rect p = patch.rect;

    /* 2. The source at the scale the patch needs, and the rectangle taken. */
    int32_t sw, sh;
    st = crop_scale(b->image.w, b->image.h, p.w, p.h, &sw, &sh, err);
    if (st != BMX_OK) {
        return st;
    }
    const struct bmx_object *objs = b->objects;
    if (sw != b->image.w || sh != b->image.h) {
        st = bmx__fit_source(BMX_FIT_RESIZE, b, sw, sh, false, &scaled, err);
        if (st != BMX_OK) {
            return st;
        }
        objs = scaled.objects;
    }
    size_t anchor;
    const struct bmx_rect sr = source_rect(opts, objs, b->n_objects, sw, sh, p.w, p.h, rng,
                                           &anchor);
    const int32_t dx = p.x - sr.x, dy = p.y - sr.y;

    /* 3. The base's objects cut by the patch (the apply, without pixels and without
     * a source). */
    struct bmx_sample a_view = *a, b_none;
    a_view.image.data = NULL;
    memset(&b_none, 0, sizeof b_none);
    b_none.image = (struct bmx_image){w, h, a->image.channels, 0, NULL};
    st = bmx_cutmix_apply_decided(&opts->cutmix, &patch, &a_view, &b_none, &res, stats,
                                  decisions, err);
    if (st != BMX_OK) {
        goto cleanup;
    }

    /* 4. The source's objects clipped to the rectangle in its frame, then moved. */
    if (b->n_objects > 0) {
        size_t total;
        if (!bmx__add_size(res.n_objects, b->n_objects, &total)) {
            st = bmx__fail(err, BMX_E_OVERFLOW, "cutmix: too many objects");
            goto cleanup;
        }
        struct bmx_object *grown = realloc(res.objects, total * sizeof *grown);
        if (grown == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "cutmix: out of memory");
            goto cleanup;
        }
        res.objects = grown;
    }
    for (size_t i = 0; i < b->n_objects; i++) {
        struct bmx_object *o = &res.objects[res.n_objects];
        bool kept = false, hit = false;
        struct bmx_rect taken;
        struct bmx__verdict v;
        st = bmx__object_by_rect(&opts->cutmix, &objs[i], sr, true, sw, sh, o, &kept, &hit,
                                 &taken, &v, err);
        if (st == BMX_OK && kept) {
            st = bmx__object_mask_format(opts->cutmix.mask_format, &objs[i], hit ? &taken : NULL,
                                         true, sw, sh, o, &kept, &stats->holes_filled, err);
        }
        if (st == BMX_OK && kept) {
            st = bmx__object_shift(o, w, h, dx, dy, err);
            if (st != BMX_OK) {
                bmx_object_free(o);
            }
        }
        if (st != BMX_OK) {
            bmx__prefix(err, st, "source object %zu (id %lld)", i, (long long)objs[i].id);
            goto cleanup;
        }
        if (kept) {
            o->origin = BMX_FROM_SOURCE;
            res.n_objects++;
        }
        if (decisions != NULL) {
            struct bmx_box before = objs[i].bbox;
            before.x += dx;
            before.y += dy;
            if (v.box.w > 0.0 || v.box.h > 0.0) {
                v.box.x += dx;
                v.box.y += dy;
            }
            bmx__op_decision(&decisions[a->n_objects + i], BMX_FROM_SOURCE, 1, i, &objs[i],
                             before, kept, o, &v);
        }
        bmx__op_count(stats, kept, o);
    }

    /* 5. Pixels. */
    if (pixels) {
        st = crop_pixels(sc, in, sw, sh, p, sr, &res.image, err);
        if (st != BMX_OK) {
            res.image.data = NULL; /* crop_pixels let its image go */
            goto cleanup;
        }
    }
    record->patch = p;
    record->lambda = patch.lambda;
    record->placement = opts->cutmix.placement;
    record->source_fit = BMX_FIT_CROP;
    record->source_rect = sr;
    if (anchor != SIZE_MAX) {
        record->has_anchor = true;
        record->anchor_annotation_id = objs[anchor].id;
    }

cleanup:
    bmx_sample_free(&scaled);
    if (st != BMX_OK) {
        bmx__op_image_drop(sc, &res.image);
        bmx_sample_free(&res);
        return st;
    }
    *out = res;
    return BMX_OK;
}
