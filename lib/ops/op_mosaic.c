/* SPDX-License-Identifier: MIT */
/* Mosaic as an entry of bmx_op_apply (DESIGN.md, "Other operations"): four inputs
 * (the base first) around a centre on a 2s x 2s canvas of grey 114; the output is
 * the canvas's central window [s/2, 3s/2)^2, and only it is built.
 *
 * - The centre: xc, then yc, each drawn as lo + bmx_rng_below(rng, hi - lo + 1)
 *   with lo = ceil(s/2), hi = floor(3s/2): the integers of [s/2, 3s/2] uniformly.
 *   Nothing else is drawn. The window starts at floor(s/2) on the canvas, so the
 *   output's pixel (x, y) is the canvas's (x + floor(s/2), y + floor(s/2)).
 * - Tile k (0 the base, 1..3 the sources) is input k scaled so that its longer side
 *   is s: scale = s / max(w, h), its size round(w * scale) x round(h * scale)
 *   (halves up, at least 1 pixel; the longer side exactly s). Its pixels and
 *   objects are scaled by the size's own factors (tile width / w, tile height / h),
 *   which are `scale` along the longer side and differ from it by less than half a
 *   pixel over the other.
 * - Tile k has a corner at the centre: 0 top-left, 1 top-right, 2 bottom-left,
 *   3 bottom-right of it. Its rectangle in the output is its part inside the window
 *   (empty when the centre is on the window's edge).
 * - Pixels: 114 on every channel, then each tile's visible part resized into place
 *   (bmx__image_resize_rect_at: antialiased shrink, bilinear enlarge).
 * - Objects: scaled to the tile (bmx__object_scale), clipped to the tile's visible
 *   part in the tile's own frame (the primitive with inside = true, the rules and
 *   the mask format of CutMix), so visibility is the clipped area over the scaled
 *   whole; a kept object is then moved into the output (boxes, polygons, keypoints
 *   translated, RLE re-framed to [s, s] by bmx__rle_place). An RLE mask that has
 *   no pixel at the tile's scale is dropped (no area). */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

struct tile {
    int32_t w, h;     /* the scaled input */
    int32_t tx, ty;   /* its top-left corner in the output (may be negative) */
    struct bmx_rect vis; /* its part inside the output */
};

/* round(n * s / longer), halves up, at least 1: exact in 64-bit integers. */
static int32_t scaled_side(int32_t n, int32_t longer, int32_t s)
{
    int64_t v = (2 * (int64_t)n * s + longer) / (2 * (int64_t)longer);
    return v < 1 ? 1 : (int32_t)v;
}

static struct bmx_rect clip_to_window(int32_t x, int32_t y, int32_t w, int32_t h, int32_t s)
{
    int32_t x0 = x < 0 ? 0 : (x > s ? s : x);
    int32_t y0 = y < 0 ? 0 : (y > s ? s : y);
    int32_t x1 = x + w < 0 ? 0 : (x + w > s ? s : x + w);
    int32_t y1 = y + h < 0 ? 0 : (y + h > s ? s : y + h);
    struct bmx_rect r = {x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0};
    return r;
}

/* Grey 114 on every channel over the parts of `img` (the output) that no tile's
 * visible rectangle covers; the tiles lie in the four quadrants around the
 * centre, so they never overlap. */
static void fill_uncovered(struct bmx_image *img, const struct tile tiles[4])
{
    const size_t c = (size_t)img->channels;
    for (int32_t y = 0; y < img->h; y++) {
        /* The x-intervals of the tiles covering row y, in order of x. */
        int32_t x0[4], x1[4];
        int n = 0;
        for (int k = 0; k < 4; k++) {
            const struct bmx_rect *v = &tiles[k].vis;
            if (v->w > 0 && y >= v->y && y < v->y + v->h) {
                int i = n++;
                for (; i > 0 && x0[i - 1] > v->x; i--) {
                    x0[i] = x0[i - 1];
                    x1[i] = x1[i - 1];
                }
                x0[i] = v->x;
                x1[i] = v->x + v->w;
            }
        }
        uint8_t *row = img->data + (size_t)y * img->stride;
        int32_t at = 0;
        for (int i = 0; i <= n; i++) {
            const int32_t end = i < n ? x0[i] : img->w;
            if (end > at) {
                memset(row + (size_t)at * c, 114, (size_t)(end - at) * c);
            }
            if (i < n && x1[i] > at) {
                at = x1[i];
            }
        }
    }
}

/* A kept object of tile t moved into the s x s output. */
static bmx_status place_object(struct bmx_object *o, const struct tile *t, int32_t s,
                               bmx_error *err)
{
    o->bbox.x += t->tx;
    o->bbox.y += t->ty;
    for (size_t r = 0; o->seg_kind == BMX_SEG_POLYGON && r < o->polys.count; r++) {
        struct bmx_poly *p = &o->polys.rings[r];
        for (size_t i = 0; i < p->n; i++) {
            p->xy[2 * i] += t->tx;
            p->xy[2 * i + 1] += t->ty;
        }
    }
    bmx__keypoints_map(o, 1.0, 1.0, (double)t->tx, (double)t->ty);
    if (o->seg_kind == BMX_SEG_RLE) {
        struct bmx_rle placed = {0, 0, 0, NULL};
        bmx_status st = bmx__rle_place(&o->rle, (uint32_t)s, (uint32_t)s, t->tx, t->ty, &placed,
                                       err);
        if (st != BMX_OK) {
            return st;
        }
        bmx_rle_free(&o->rle);
        o->rle = placed;
    }
    return BMX_OK;
}

static struct bmx_box moved(struct bmx_box b, const struct tile *t)
{
    if (b.x == 0.0 && b.y == 0.0 && b.w == 0.0 && b.h == 0.0) {
        return b; /* "nothing visible" stays zero */
    }
    b.x += t->tx;
    b.y += t->ty;
    return b;
}

/* Object i of input k: scaled, clipped to the tile's visible part, decided, moved. */
static bmx_status tile_object(const struct bmx_op_options *opts, const struct bmx_sample *src,
                              size_t i, const struct tile *t, int32_t s, int k,
                              struct bmx_object *o, bool *kept, struct bmx_decision *d,
                              struct bmx_cutmix_stats *stats, bmx_error *err)
{
    const struct bmx_object *ob = &src->objects[i];
    struct bmx_object scaled;
    memset(&scaled, 0, sizeof scaled);
    memset(o, 0, sizeof *o);
    *kept = false;
    bmx_status st = bmx__object_scale(ob, (double)t->w / (double)src->image.w,
                                      (double)t->h / (double)src->image.h, t->w, t->h,
                                      src->image.w, src->image.h, &scaled, err);
    const struct bmx_rect vis = {t->vis.x - t->tx, t->vis.y - t->ty, t->vis.w, t->vis.h};
    bool hit = false;
    struct bmx_rect taken;
    struct bmx__verdict v;
    memset(&v, 0, sizeof v);
    if (st == BMX_OK && scaled.seg_kind == BMX_SEG_RLE && bmx_rle_area(&scaled.rle) == 0) {
        /* A mask with no pixel at the tile's scale (resampling left none, or none
         * came) has no area and no place: dropped. */
        v.rule = BMX_DROP_NO_AREA;
    } else if (st == BMX_OK) {
        st = bmx__object_by_rect(&opts->cutmix, &scaled, vis, true, t->w, t->h, o, kept, &hit,
                                 &taken, &v, err);
    }
    if (st == BMX_OK && *kept) {
        st = bmx__object_mask_format(opts->cutmix.mask_format, &scaled, hit ? &taken : NULL,
                                     true, t->w, t->h, o, kept, &stats->holes_filled, err);
    }
    if (st == BMX_OK && *kept) {
        st = place_object(o, t, s, err);
        if (st != BMX_OK) {
            bmx_object_free(o);
            *kept = false;
        }
    }
    if (st == BMX_OK) {
        if (d != NULL) {
            v.box = moved(v.box, t);
            bmx__op_decision(d, BMX_FROM_TILE, k, i, ob, moved(scaled.bbox, t), *kept, o, &v);
        }
        bmx__op_count(stats, *kept, o);
        if (*kept) {
            o->origin = BMX_FROM_TILE;
            o->tile = k;
        }
    }
    bmx_object_free(&scaled);
    return st;
}

bmx_status bmx__op_mosaic(const struct bmx_op_options *opts, const struct bmx_sample *const *in,
                          bool pixels, bmx_rng *rng, struct bmx__op_scratch *sc,
                          struct bmx_sample *out, struct bmx_op_record *record,
                          struct bmx_cutmix_stats *stats, struct bmx_decision *decisions,
                          bmx_error *err)
{
    const int32_t s = opts->mosaic_size;
    const int32_t origin = s / 2;
    const int32_t lo = (s + 1) / 2, hi = (3 * s) / 2;
    const int32_t xc = lo + (int32_t)bmx_rng_below(rng, (uint64_t)(hi - lo) + 1u);
    const int32_t yc = lo + (int32_t)bmx_rng_below(rng, (uint64_t)(hi - lo) + 1u);
    const int32_t cx = xc - origin, cy = yc - origin; /* in the output */
    struct tile tiles[4];
    size_t total = 0;
    for (int k = 0; k < 4; k++) {
        const int32_t w = in[k]->image.w, h = in[k]->image.h;
        const int32_t longer = w > h ? w : h;
        struct tile *t = &tiles[k];
        t->w = scaled_side(w, longer, s);
        t->h = scaled_side(h, longer, s);
        t->tx = (k == 0 || k == 2) ? cx - t->w : cx;
        t->ty = (k == 0 || k == 1) ? cy - t->h : cy;
        t->vis = clip_to_window(t->tx, t->ty, t->w, t->h, s);
        record->tiles[k].input = (size_t)k;
        record->tiles[k].rect = t->vis;
        record->tiles[k].scale = (double)s / (double)longer;
        total += in[k]->n_objects;
    }
    record->mosaic_size = s;
    record->centre[0] = xc;
    record->centre[1] = yc;

    struct bmx_sample res;
    memset(&res, 0, sizeof res);
    bmx_status st = BMX_OK;
    if (!pixels) {
        res.image = (struct bmx_image){s, s, in[0]->image.channels, 0, NULL};
    } else {
        /* Every byte is written once: grey where no tile is, the tiles' pixels
         * elsewhere. */
        st = bmx__op_image(sc, s, s, in[0]->image.channels, &res.image, err);
        if (st != BMX_OK) {
            return st;
        }
        fill_uncovered(&res.image, tiles);
        for (int k = 0; k < 4 && st == BMX_OK; k++) {
            const struct tile *t = &tiles[k];
            const struct bmx_rect r = {t->vis.x - t->tx, t->vis.y - t->ty, t->vis.w, t->vis.h};
            st = bmx__image_resize_rect_at(&in[k]->image, t->w, t->h, r, &res.image, t->vis.x,
                                           t->vis.y, err);
        }
        if (st != BMX_OK) {
            bmx__op_image_drop(sc, &res.image);
            bmx_sample_free(&res);
            return st;
        }
    }

    if (total > 0) {
        res.objects = bmx__alloc_array(total, sizeof *res.objects);
        if (res.objects == NULL) {
            bmx__op_image_drop(sc, &res.image);
            bmx_sample_free(&res);
            return bmx__fail(err, BMX_E_NOMEM, "mosaic: out of memory");
        }
    }
    size_t at = 0;
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < in[k]->n_objects; i++, at++) {
            bool kept = false;
            st = tile_object(opts, in[k], i, &tiles[k], s, k, &res.objects[res.n_objects], &kept,
                             decisions != NULL ? &decisions[at] : NULL, stats, err);
            if (st != BMX_OK) {
                bmx__prefix(err, st, "mosaic: input %d object %zu (id %lld)", k, i,
                            (long long)in[k]->objects[i].id);
                bmx__op_image_drop(sc, &res.image);
                bmx_sample_free(&res);
                return st;
            }
            if (kept) {
                res.n_objects++;
            }
        }
    }
    *out = res;
    return BMX_OK;
}
