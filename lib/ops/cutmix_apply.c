/* SPDX-License-Identifier: MIT */
/* CutMix applied to two samples: the source brought to the base's size, the patch's
 * pixels pasted, every object of both cut or clipped by it. */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* Apply                                                                      */
/* ------------------------------------------------------------------------- */

/* One object of b brought into a's frame (sx = Wa/Wb, sy = Ha/Hb). */
static bmx_status scale_object(const struct bmx_object *in, double sx, double sy, int32_t w,
                               int32_t h, int32_t w_in, int32_t h_in, struct bmx_object *out,
                               bmx_error *err)
{
    bmx_status st = BMX_OK;
    *out = *in;
    memset(&out->polys, 0, sizeof out->polys);
    memset(&out->rle, 0, sizeof out->rle);
    st = bmx__keypoints_copy(in, out, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx__keypoints_map(out, sx, sy, 0.0, 0.0);
    out->bbox.x = in->bbox.x * sx;
    out->bbox.y = in->bbox.y * sy;
    out->bbox.w = in->bbox.w * sx;
    out->bbox.h = in->bbox.h * sy;
    out->has_area = true;
    if (in->seg_kind == BMX_SEG_POLYGON && in->polys.count > 0) {
        st = bmx_polyset_copy(&in->polys, &out->polys, err);
        if (st != BMX_OK) {
            return st;
        }
        bmx_polyset_scale(&out->polys, sx, sy);
        out->area = bmx_polyset_area(&out->polys);
    } else if (in->seg_kind == BMX_SEG_RLE) {
        if (in->rle.h != (uint32_t)h_in || in->rle.w != (uint32_t)w_in) {
            return bmx__fail(err, BMX_E_INVALID,
                             "segmentation: RLE size [%u, %u] differs from the image's [%d, %d]",
                             (unsigned)in->rle.h, (unsigned)in->rle.w, (int)h_in, (int)w_in);
        }
        st = bmx_rle_resize_nearest(&in->rle, (uint32_t)h, (uint32_t)w, &out->rle, err);
        if (st != BMX_OK) {
            return st;
        }
        out->area = (double)bmx_rle_area(&out->rle);
        bmx_rle_bbox(&out->rle, &out->bbox);
    } else {
        out->area = out->bbox.w * out->bbox.h;
    }
    return BMX_OK;
}

static bmx_status check_image(const struct bmx_image *img, const char *which, bool need_pixels,
                              bmx_error *err)
{
    size_t row;
    if (!need_pixels) {
        if (img->w <= 0 || img->h <= 0) {
            return bmx__fail(err, BMX_E_INVALID, "%s image: empty (%dx%d)", which, (int)img->w,
                             (int)img->h);
        }
        return BMX_OK;
    }
    if (img->w <= 0 || img->h <= 0 || img->channels <= 0 || img->data == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s image: empty or without pixels (%dx%dx%d)",
                         which, (int)img->w, (int)img->h, (int)img->channels);
    }
    if (!bmx__mul_size((size_t)img->w, (size_t)img->channels, &row) || img->stride < row) {
        return bmx__fail(err, BMX_E_INVALID, "%s image: stride %zu shorter than a row", which,
                         img->stride);
    }
    return BMX_OK;
}

/* The result is built aside and handed over only when everything succeeded, so a
 * failure leaves `out` zeroed and nothing allocated. */
bmx_status bmx_cutmix_apply_decided(const struct bmx_cutmix_options *opts,
                                    const struct bmx_patch *patch, const struct bmx_sample *a,
                                    const struct bmx_sample *b, struct bmx_sample *out,
                                    struct bmx_cutmix_stats *stats,
                                    struct bmx_decision *decisions, bmx_error *err)
{
    bmx_status st = BMX_OK;
    struct bmx_sample res;
    struct bmx_object *b_scaled = NULL;
    size_t n_scaled = 0;
    struct bmx_cutmix_stats counts = {0};

    memset(&res, 0, sizeof res);
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (stats != NULL) {
        memset(stats, 0, sizeof *stats);
    }
    if (opts == NULL || patch == NULL || a == NULL || b == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix apply: NULL argument");
    }
    struct bmx_cutmix_options given;
    st = bmx__cutmix_options_read(opts, &given, err);
    if (st != BMX_OK) {
        return st;
    }
    opts = &given;
    st = bmx_cutmix_options_check(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    /* Both samples without pixels: annotations only (a dry run). */
    const bool pixels = !(a->image.data == NULL && b->image.data == NULL);
    st = check_image(&a->image, "base", pixels, err);
    if (st != BMX_OK) {
        return st;
    }
    st = check_image(&b->image, "source", pixels, err);
    if (st != BMX_OK) {
        return st;
    }
    if (pixels && a->image.channels != b->image.channels) {
        return bmx__fail(err, BMX_E_INVALID,
                         "cutmix apply: base has %d channels, source has %d",
                         (int)a->image.channels, (int)b->image.channels);
    }
    if ((a->n_objects > 0 && a->objects == NULL) || (b->n_objects > 0 && b->objects == NULL)) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix apply: objects missing");
    }
    const int32_t w = a->image.w;
    const int32_t h = a->image.h;
    const struct bmx_rect r = patch->rect;
    if (r.x < 0 || r.y < 0 || r.w < 0 || r.h < 0 || r.w > w - r.x || r.h > h - r.y) {
        return bmx__fail(err, BMX_E_INVALID,
                         "patch: [%d, %d, %d, %d] does not lie inside the %dx%d image",
                         (int)r.x, (int)r.y, (int)r.w, (int)r.h, (int)w, (int)h);
    }

    /* B in A's frame. */
    const struct bmx_object *b_objects = b->objects;
    if (b->image.w != w || b->image.h != h) {
        if (b->n_objects > 0) {
            b_scaled = bmx__alloc_array(b->n_objects, sizeof *b_scaled);
            if (b_scaled == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "cutmix apply: out of memory");
                goto cleanup;
            }
        }
        double sx = (double)w / (double)b->image.w;
        double sy = (double)h / (double)b->image.h;
        for (size_t i = 0; i < b->n_objects; i++) {
            st = scale_object(&b->objects[i], sx, sy, w, h, b->image.w, b->image.h,
                              &b_scaled[i], err);
            if (st != BMX_OK) {
                bmx_object_free(&b_scaled[i]);
                bmx__prefix(err, st, "source object %zu (id %lld)", i,
                            (long long)b->objects[i].id);
                goto cleanup;
            }
            n_scaled++;
        }
        b_objects = b_scaled;
    }

    /* Pixels: A everywhere, B's rows inside the patch. */
    if (!pixels) {
        res.image = (struct bmx_image){w, h, a->image.channels, 0, NULL};
        goto objects;
    }
    st = bmx_image_new(w, h, a->image.channels, &res.image, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    /* B at A's size, computed for the patch only (a straight copy when the sizes
     * agree): the same bytes as resizing all of B and copying the patch. */
    st = bmx__image_paste(&a->image, &b->image, r, &res.image, err);
    if (st != BMX_OK) {
        goto cleanup;
    }

objects:;
    /* Objects: A's cut by the patch, then B's clipped to it. */
    size_t total;
    if (!bmx__add_size(a->n_objects, b->n_objects, &total)) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "cutmix apply: too many objects");
        goto cleanup;
    }
    if (total > 0) {
        res.objects = bmx__alloc_array(total, sizeof *res.objects);
        if (res.objects == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "cutmix apply: out of memory");
            goto cleanup;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        const bool from_base = pass == 0;
        const struct bmx_object *objs = from_base ? a->objects : b_objects;
        const size_t n = from_base ? a->n_objects : b->n_objects;
        for (size_t i = 0; i < n; i++) {
            bool kept = false;
            struct bmx_object *o = &res.objects[res.n_objects];
            bool hit = false;
            struct bmx_rect taken;
            struct bmx__verdict v;
            st = bmx__object_by_rect(opts, &objs[i], r, !from_base, w, h, o, &kept, &hit, &taken,
                                     decisions != NULL ? &v : NULL, err);
            if (st == BMX_OK && kept) {
                st = bmx__object_mask_format(opts->mask_format, &objs[i], hit ? &taken : NULL,
                                             !from_base, w, h, o, &kept, &counts.holes_filled,
                                             err);
            }
            if (st != BMX_OK) {
                bmx__prefix(err, st, "%s object %zu (id %lld)", from_base ? "base" : "source",
                            i, (long long)objs[i].id);
                goto cleanup;
            }
            if (decisions != NULL) {
                struct bmx_decision *d = &decisions[from_base ? i : a->n_objects + i];
                memset(d, 0, sizeof *d);
                d->from = from_base ? BMX_FROM_BASE : BMX_FROM_SOURCE;
                d->input = from_base ? 0 : 1;
                d->index = i;
                d->annotation_id = objs[i].id;
                d->category_id = objs[i].category_id;
                d->iscrowd = objs[i].iscrowd;
                d->visibility = v.visibility;
                d->visible_area = v.visible;
                d->before = objs[i].bbox;
                d->box = kept ? o->bbox : v.box;
                d->rule = kept ? BMX_DROP_NONE : v.rule;
                if (v.rule == BMX_DROP_NONE && !kept) {
                    /* The mask format found no pixel in what the rules kept. */
                    d->rule = BMX_DROP_NO_AREA;
                }
                d->kind = !kept        ? BMX_DECIDED_DROPPED
                          : o->touched ? BMX_DECIDED_CLIPPED
                                       : BMX_DECIDED_KEPT;
            }
            if (!kept) {
                counts.dropped++;
                continue;
            }
            o->origin = from_base ? BMX_FROM_BASE : BMX_FROM_SOURCE;
            res.n_objects++;
            if (o->touched) {
                counts.clipped++;
            } else {
                counts.kept_whole++;
            }
            if ((o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) ||
                o->seg_kind == BMX_SEG_RLE) {
                counts.masked++;
            }
            if (o->has_keypoints) {
                counts.with_keypoints++;
                counts.keypoints_hidden += o->keypoints_hidden;
            }
        }
    }

cleanup:
    for (size_t i = 0; i < n_scaled; i++) {
        bmx_object_free(&b_scaled[i]);
    }
    free(b_scaled);
    if (st != BMX_OK) {
        bmx_sample_free(&res);
        return st;
    }
    *out = res;
    if (stats != NULL) {
        *stats = counts;
    }
    return BMX_OK;
}

bmx_status bmx_cutmix_apply(const struct bmx_cutmix_options *opts,
                            const struct bmx_patch *patch, const struct bmx_sample *a,
                            const struct bmx_sample *b, struct bmx_sample *out,
                            struct bmx_cutmix_stats *stats, bmx_error *err)
{
    return bmx_cutmix_apply_decided(opts, patch, a, b, out, stats, NULL, err);
}

bmx_status bmx_cutmix(const struct bmx_cutmix_options *opts, const struct bmx_sample *a,
                      const struct bmx_sample *b, bmx_rng *rng, struct bmx_sample *out,
                      struct bmx_patch *patch, struct bmx_cutmix_stats *stats, bmx_error *err)
{
    if (opts == NULL || a == NULL || b == NULL || rng == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix: NULL argument");
    }
    memset(out, 0, sizeof *out);
    struct bmx_box *boxes = bmx__alloc_array(a->n_objects, sizeof *boxes);
    if (boxes == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "cutmix: out of memory");
    }
    for (size_t i = 0; i < a->n_objects; i++) {
        boxes[i] = a->objects[i].bbox;
    }
    /* Placement source-object anchors the patch on an object of b brought to a's
     * size (its geometry only). */
    struct bmx_sample fitted;
    memset(&fitted, 0, sizeof fitted);
    const struct bmx_object *anchors = NULL;
    size_t n_anchors = 0;
    struct bmx_cutmix_options given;
    bmx_status st = bmx__cutmix_options_read(opts, &given, err);
    if (st == BMX_OK && given.placement == BMX_PLACE_SOURCE_OBJECT && b->n_objects > 0) {
        anchors = b->objects;
        n_anchors = b->n_objects;
        if (b->image.w != a->image.w || b->image.h != a->image.h) {
            st = bmx__fit_source(BMX_FIT_RESIZE, b, a->image.w, a->image.h, false, &fitted, err);
            anchors = fitted.objects;
        }
    }
    struct bmx_patch p;
    if (st == BMX_OK) {
        st = bmx__cutmix_draw_patch_at(opts, a->image.w, a->image.h, boxes, a->n_objects, anchors,
                                       n_anchors, rng, &p, NULL, err);
    }
    bmx_sample_free(&fitted);
    free(boxes);
    if (st == BMX_OK) {
        st = bmx_cutmix_apply(opts, &p, a, b, out, stats, err);
    }
    if (st == BMX_OK && patch != NULL) {
        *patch = p;
    }
    return st;
}

bmx_status bmx_cutmix_at(const struct bmx_cutmix_options *opts, const struct bmx_sample *a,
                         const struct bmx_sample *b, uint64_t seed, uint64_t index,
                         struct bmx_sample *out, struct bmx_patch *patch,
                         struct bmx_cutmix_stats *stats, bmx_error *err)
{
    bmx_rng rng;
    bmx_rng_seed_op(&rng, seed, index);
    return bmx_cutmix(opts, a, b, &rng, out, patch, stats, err);
}

/* scale_object for the other operations (ops.h). */
bmx_status bmx__object_scale(const struct bmx_object *in, double sx, double sy, int32_t w,
                             int32_t h, int32_t w_in, int32_t h_in, struct bmx_object *out,
                             bmx_error *err)
{
    return scale_object(in, sx, sy, w, h, w_in, h_in, out, err);
}
