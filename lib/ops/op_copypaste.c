/* SPDX-License-Identifier: MIT */
/* Copy-Paste (Ghiasi et al., "Simple Copy-Paste"; DESIGN.md "Other operations") as
 * an entry of bmx_op_apply.
 *
 * 1. The source is fitted to the base's size (bmx__fit_source: resize or letterbox).
 * 2. Eligible source objects: not crowd, with a mask (polygons or RLE). Draw
 *    order: one bmx_rng_uniform per eligible object, in the source's order; the
 *    object is chosen when the draw is < paste_prob. When none was chosen and some
 *    are eligible, one bmx_rng_below(eligible count) picks one. Nothing else is drawn.
 * 3. M = the union of the chosen masks, each rasterised once as the COCO API does
 *    (bmx_rle_from_polyset; bmx_rle_merge, the COCO API's merge). Pixels:
 *    the base, and through M the fitted source, copied along M's runs.
 * 4. Objects, base first: every base object cut by M (bmx__object_by_mask); then
 *    the chosen source objects written whole (as CutMix writes a source object its
 *    patch holds entirely: clipped to the image where a mask leaves it, the mask
 *    format applied), origin source. Source objects not chosen, crowd regions and
 *    objects without a mask are not in the output; the decision log shows them as
 *    a CutMix source object outside the patch: dropped, visibility 0, rule no-area.
 *    record->not_pasted_no_mask counts the source objects without a mask.
 * The annotations depend on the annotations only, so a dry run gives the same. */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

static bool has_mask(const struct bmx_object *o)
{
    return (o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) || o->seg_kind == BMX_SEG_RLE;
}

/* `dst` (the output, the base's pixels) takes `src` (the fitted source, same size
 * and channels) at the pixels of `m`, run by run: each run of ones covers part of
 * one or more columns. */
static void copy_through(struct bmx_image *dst, const struct bmx_image *src,
                         const struct bmx_rle *m)
{
    const uint64_t h = m->h;
    const size_t c = (size_t)dst->channels;
    uint64_t cc = 0;
    for (size_t j = 0; j + 1 < m->m; j += 2) {
        uint64_t s = cc + m->counts[j];
        uint64_t e = s + m->counts[j + 1];
        cc = e;
        while (s < e) {
            uint64_t x = s / h, y = s % h;
            uint64_t y_end = e - x * h < h ? e - x * h : h;
            uint8_t *d = dst->data + (size_t)y * dst->stride + (size_t)x * c;
            const uint8_t *p = src->data + (size_t)y * src->stride + (size_t)x * c;
            if (c == 3) {
                for (uint64_t k = y; k < y_end; k++) {
                    d[0] = p[0];
                    d[1] = p[1];
                    d[2] = p[2];
                    d += dst->stride;
                    p += src->stride;
                }
            } else {
                for (uint64_t k = y; k < y_end; k++) {
                    memcpy(d, p, c);
                    d += dst->stride;
                    p += src->stride;
                }
            }
            s = x * h + y_end;
        }
    }
}

/* The fitted source's pixels where the chosen masks are: the source itself when
 * nothing moves; for resize, the resize computed on the boxes of the chosen masks
 * alone (each pixel has the bytes of the whole resize), on their union's box when
 * that is smaller than the boxes together, in sc's work image (*own_in_sc true);
 * the letterbox whole, allocated. `*view` points into `b` or into `*own`. */
static bmx_status source_pixels(enum bmx_source_fit fit, const struct bmx_sample *b,
                                const struct bmx_rle *m, const struct bmx_rle *masks,
                                const bool *chosen, size_t n, int32_t w, int32_t h,
                                struct bmx__op_scratch *sc, struct bmx_image *own,
                                bool *own_in_sc, const struct bmx_image **view, bmx_error *err)
{
    if (b->image.w == w && b->image.h == h) {
        *view = &b->image; /* both fits leave a same-size source as it is */
        return BMX_OK;
    }
    if (fit == BMX_FIT_RESIZE) {
        struct bmx_box box;
        double sum = 0.0;
        bmx_rle_bbox(m, &box);
        for (size_t j = 0; j < n; j++) {
            if (chosen[j]) {
                struct bmx_box bj;
                bmx_rle_bbox(&masks[j], &bj);
                sum += bj.w * bj.h;
            }
        }
        const bool each = sum < box.w * box.h;
        /* Only the boxes are written, and only pixels of M, inside them, read. */
        bmx_status st = bmx__op_tmp_image(sc, w, h, b->image.channels, own, err);
        *own_in_sc = st == BMX_OK;
        *view = own;
        for (size_t j = 0; st == BMX_OK && j < (each ? n : 1); j++) {
            if (each) {
                if (!chosen[j]) {
                    continue;
                }
                bmx_rle_bbox(&masks[j], &box);
            }
            struct bmx_rect r = {(int32_t)box.x, (int32_t)box.y, (int32_t)box.w,
                                 (int32_t)box.h};
            st = bmx__image_resize_rect(&b->image, w, h, r, own, err);
        }
        return st;
    }
    struct bmx_sample fitted;
    struct bmx_sample bare = {b->image, 0, NULL};
    bmx_status st = bmx__fit_source(fit, &bare, w, h, true, &fitted, err);
    if (st != BMX_OK) {
        return st;
    }
    *own = fitted.image;
    *view = own;
    return BMX_OK;
}

bmx_status bmx__op_copypaste(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                             bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                             struct bmx_sample *out, struct bmx_op_record *record,
                             struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                             bmx_error *err)
{
    const struct bmx_sample *a = in[0], *b = in[1];
    const int32_t w = a->image.w, h = a->image.h;
    const struct bmx_cutmix_options *co = &opts->cutmix;
    struct bmx_sample fb, res;
    struct bmx_rle *masks = NULL; /* the chosen objects' pixels, by source index */
    bool *chosen = NULL;
    struct bmx_rle m = {0, 0, 0, NULL};
    struct bmx_image own = {0, 0, 0, 0, NULL};
    bool own_in_sc = false; /* own is a work image (bmx__op_tmp_image), else allocated */
    int64_t *ids = NULL;
    bmx_status st;

    memset(&res, 0, sizeof res);
    st = bmx__fit_source(opts->source_fit, b, w, h, false, &fb, err);
    if (st != BMX_OK) {
        return st;
    }
    const size_t nb = fb.n_objects;
    if (nb > 0) {
        masks = bmx__alloc_array(nb, sizeof *masks);
        chosen = bmx__alloc_array(nb, sizeof *chosen);
        if (masks == NULL || chosen == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "copypaste: out of memory");
            goto cleanup;
        }
        memset(masks, 0, nb * sizeof *masks);
        memset(chosen, 0, nb * sizeof *chosen);
    }

    /* 2. Eligible objects, their draws; then the chosen ones rasterised. */
    size_t eligible = 0, n_chosen = 0;
    for (size_t j = 0; j < nb; j++) {
        const struct bmx_object *o = &fb.objects[j];
        if (!has_mask(o)) {
            record->not_pasted_no_mask++;
            continue;
        }
        if (o->iscrowd != 0) {
            continue;
        }
        eligible++;
        chosen[j] = bmx_rng_uniform(rng) < opts->paste_prob;
        n_chosen += chosen[j];
    }
    if (n_chosen == 0 && eligible > 0) {
        uint64_t pick = bmx_rng_below(rng, eligible);
        for (size_t j = 0; j < nb; j++) {
            if (has_mask(&fb.objects[j]) && fb.objects[j].iscrowd == 0 && pick-- == 0) {
                chosen[j] = true;
                n_chosen = 1;
                break;
            }
        }
    }
    for (size_t j = 0; j < nb; j++) {
        const struct bmx_object *o = &fb.objects[j];
        if (!chosen[j]) {
            continue;
        }
        if (o->seg_kind == BMX_SEG_POLYGON) {
            st = bmx_rle_from_polyset(&o->polys, (uint32_t)h, (uint32_t)w, &masks[j], err);
        } else if (o->rle.h != (uint32_t)h || o->rle.w != (uint32_t)w) {
            st = bmx__fail(err, BMX_E_INVALID,
                           "segmentation: RLE size [%u, %u] differs from the image's [%d, %d]",
                           (unsigned)o->rle.h, (unsigned)o->rle.w, (int)h, (int)w);
        } else {
            st = bmx_rle_copy(&o->rle, &masks[j], err);
        }
        if (st != BMX_OK) {
            bmx__prefix(err, st, "source object %zu (id %lld)", j, (long long)o->id);
            goto cleanup;
        }
    }

    /* 3. The union of the chosen masks. */
    if (n_chosen > 0) {
        ids = bmx__alloc_array(n_chosen, sizeof *ids);
        struct bmx_rle *list = bmx__alloc_array(n_chosen, sizeof *list);
        if (ids == NULL || list == NULL) {
            free(list);
            st = bmx__fail(err, BMX_E_NOMEM, "copypaste: out of memory");
            goto cleanup;
        }
        size_t k = 0;
        for (size_t j = 0; j < nb; j++) {
            if (chosen[j]) {
                ids[k] = fb.objects[j].id;
                list[k++] = masks[j];
            }
        }
        st = bmx_rle_merge(list, n_chosen, false, &m, err);
        free(list);
    } else {
        st = bmx_rle_from_polyset(&(struct bmx_polyset){0, NULL}, (uint32_t)h, (uint32_t)w, &m,
                                  err);
    }
    if (st != BMX_OK) {
        goto cleanup;
    }

    /* Pixels. */
    if (pixels) {
        /* The base's own pixels when the caller gives them up, else a copy. */
        if (!bmx__op_image_in_base(sc, in, 2, &res.image)) {
            st = bmx__op_image(sc, w, h, a->image.channels, &res.image, err);
            if (st != BMX_OK) {
                goto cleanup;
            }
            const size_t row = (size_t)w * (size_t)a->image.channels;
            for (int32_t y = 0; y < h; y++) {
                memcpy(res.image.data + (size_t)y * res.image.stride,
                       a->image.data + (size_t)y * a->image.stride, row);
            }
        }
        if (n_chosen > 0) {
            const struct bmx_image *src = NULL;
            st = source_pixels(opts->source_fit, b, &m, masks, chosen, nb, w, h, sc, &own,
                               &own_in_sc, &src, err);
            if (st != BMX_OK) {
                goto cleanup;
            }
            copy_through(&res.image, src, &m);
        }
    } else {
        res.image = (struct bmx_image){w, h, a->image.channels, 0, NULL};
    }

    /* 4. Objects. */
    size_t total;
    if (!bmx__add_size(a->n_objects, n_chosen, &total) || total == SIZE_MAX) {
        st = bmx__fail(err, BMX_E_OVERFLOW, "copypaste: too many objects");
        goto cleanup;
    }
    {
        /* One more than needed, so that the slot of an object not written exists. */
        res.objects = bmx__alloc_array(total + 1, sizeof *res.objects);
        if (res.objects == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "copypaste: out of memory");
            goto cleanup;
        }
    }
    struct bmx_box m_box; /* the union's toBbox, for every base object's test */
    bmx_rle_bbox(&m, &m_box);
    for (size_t i = 0; i < a->n_objects; i++) {
        struct bmx_object *o = &res.objects[res.n_objects];
        struct bmx__verdict v;
        bool kept = false;
        st = bmx__object_by_mask_boxed(co, &a->objects[i], &m, &m_box, w, h, o, &kept, &v,
                                       &stats->holes_filled, err);
        if (st != BMX_OK) {
            bmx__prefix(err, st, "base object %zu (id %lld)", i, (long long)a->objects[i].id);
            goto cleanup;
        }
        if (decisions != NULL) {
            bmx__op_decision(&decisions[i], BMX_FROM_BASE, 0, i, &a->objects[i],
                             a->objects[i].bbox, kept, o, &v);
        }
        bmx__op_count(stats, kept, o);
        if (kept) {
            o->origin = BMX_FROM_BASE;
            res.n_objects++;
        }
    }
    const struct bmx_rect image = {0, 0, w, h};
    for (size_t j = 0; j < nb; j++) {
        const struct bmx_object *src = &fb.objects[j];
        struct bmx_object *o = &res.objects[res.n_objects];
        struct bmx__verdict v;
        bool kept = false;
        memset(&v, 0, sizeof v);
        v.rule = BMX_DROP_NO_AREA;
        if (chosen[j]) {
            bool hit = false;
            struct bmx_rect taken;
            st = bmx__object_by_rect(co, src, image, true, w, h, o, &kept, &hit, &taken, &v, err);
            if (st == BMX_OK && kept) {
                st = bmx__object_mask_format(co->mask_format, src, hit ? &taken : NULL, true, w,
                                             h, o, &kept, &stats->holes_filled, err);
            }
            if (st != BMX_OK) {
                bmx__prefix(err, st, "source object %zu (id %lld)", j, (long long)src->id);
                goto cleanup;
            }
        }
        if (decisions != NULL) {
            bmx__op_decision(&decisions[a->n_objects + j], BMX_FROM_SOURCE, 1, j, src, src->bbox,
                             kept, o, &v);
        }
        bmx__op_count(stats, kept, o);
        if (kept) {
            o->origin = BMX_FROM_SOURCE;
            res.n_objects++;
        }
    }

    record->source_fit = opts->source_fit;
    record->n_pasted = n_chosen;
    record->pasted_annotation_ids = ids;
    ids = NULL;
    *out = res;
    memset(&res, 0, sizeof res);

cleanup:
    for (size_t j = 0; masks != NULL && j < nb; j++) {
        bmx_rle_free(&masks[j]);
    }
    free(masks);
    free(chosen);
    free(ids);
    bmx_rle_free(&m);
    if (own_in_sc) {
        bmx__op_image_drop(sc, &own);
    } else {
        bmx_image_free(&own);
    }
    bmx_sample_free(&fb);
    bmx__op_image_drop(sc, &res.image);
    bmx_sample_free(&res);
    return st;
}
