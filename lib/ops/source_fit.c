/* SPDX-License-Identifier: MIT */
/* A two-image operation's source brought to the base's size (DESIGN.md, "Other
 * operations", Source fit): `resize` stretches it (classic CutMix), `letterbox`
 * scales it by the largest factor that fits, aspect kept, centred on whole pixels
 * in 114 grey. Geometry only: objects are scaled and shifted, nothing decided. */
#include "ops.h"

#include "rle_runs.h"

#include <stdlib.h>
#include <string.h>

/* The letterbox's grey (Ultralytics, YOLOX, MMDetection pad with 114). */
#define GREY BMX__LETTERBOX_GREY

/* The letterbox of a bw x bh source in a w x h frame: the scaled size sw x sh (the
 * limiting side exact, the other rounded to nearest, at least 1) and the offsets
 * (floor of half the margin). Integers only, so every machine agrees. */
static void letterbox_geometry(int32_t bw, int32_t bh, int32_t w, int32_t h, int32_t *sw,
                               int32_t *sh, int32_t *ox, int32_t *oy)
{
    int64_t W = w, H = h, BW = bw, BH = bh;
    if (W * BH <= H * BW) {
        /* Width limits: w / bw <= h / bh. */
        *sw = w;
        int64_t v = (2 * BH * W + BW) / (2 * BW);
        *sh = (int32_t)(v < 1 ? 1 : (v > H ? H : v));
    } else {
        *sh = h;
        int64_t v = (2 * BW * H + BH) / (2 * BH);
        *sw = (int32_t)(v < 1 ? 1 : (v > W ? W : v));
    }
    *ox = (w - *sw) / 2;
    *oy = (h - *sh) / 2;
}

void bmx__fit_geometry(enum bmx_source_fit fit, int32_t bw, int32_t bh, int32_t w, int32_t h,
                       int32_t *sw, int32_t *sh, int32_t *ox, int32_t *oy)
{
    *sw = w;
    *sh = h;
    *ox = 0;
    *oy = 0;
    if (fit == BMX_FIT_LETTERBOX) {
        letterbox_geometry(bw, bh, w, h, sw, sh, ox, oy);
    }
}

static void polyset_shift(struct bmx_polyset *set, double dx, double dy)
{
    for (size_t r = 0; r < set->count; r++) {
        for (size_t k = 0; k < set->rings[r].n; k++) {
            set->rings[r].xy[2 * k] += dx;
            set->rings[r].xy[2 * k + 1] += dy;
        }
    }
}

bmx_status bmx__object_shift(struct bmx_object *o, int32_t w, int32_t h, int32_t dx, int32_t dy,
                             bmx_error *err)
{
    o->bbox.x += (double)dx;
    o->bbox.y += (double)dy;
    if (o->seg_kind == BMX_SEG_POLYGON) {
        polyset_shift(&o->polys, (double)dx, (double)dy);
    } else if (o->seg_kind == BMX_SEG_RLE) {
        struct bmx_rle moved;
        bmx_status st = bmx__rle_place(&o->rle, (uint32_t)h, (uint32_t)w, dx, dy, &moved, err);
        if (st != BMX_OK) {
            return st;
        }
        bmx_rle_free(&o->rle);
        o->rle = moved;
    }
    bmx__keypoints_map(o, 1.0, 1.0, (double)dx, (double)dy);
    return BMX_OK;
}

/* One object of the bw x bh source scaled by (sx, sy) and shifted by (ox, oy) into
 * the w x h frame: boxes, polygons and keypoints mapped, an RLE resampled nearest
 * to sw x sh and placed at (ox, oy). Area recomputed as cutmix_apply.c's
 * scale_object does (polygons: exact; RLE: pixels; box: w*h). */
static bmx_status fit_object(const struct bmx_object *in, double sx, double sy, int32_t ox,
                             int32_t oy, int32_t sw, int32_t sh, int32_t w, int32_t h,
                             int32_t bw, int32_t bh, struct bmx_object *out, bmx_error *err)
{
    bmx_status st = BMX_OK;
    *out = *in;
    memset(&out->polys, 0, sizeof out->polys);
    memset(&out->rle, 0, sizeof out->rle);
    out->keypoints = NULL;
    st = bmx__keypoints_copy(in, out, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx__keypoints_map(out, sx, sy, (double)ox, (double)oy);
    out->bbox.x = in->bbox.x * sx + (double)ox;
    out->bbox.y = in->bbox.y * sy + (double)oy;
    out->bbox.w = in->bbox.w * sx;
    out->bbox.h = in->bbox.h * sy;
    out->has_area = true;
    if (in->seg_kind == BMX_SEG_POLYGON && in->polys.count > 0) {
        st = bmx_polyset_copy(&in->polys, &out->polys, err);
        if (st != BMX_OK) {
            return st;
        }
        bmx_polyset_scale(&out->polys, sx, sy);
        if (ox != 0 || oy != 0) {
            polyset_shift(&out->polys, (double)ox, (double)oy);
        }
        out->area = bmx_polyset_area(&out->polys);
    } else if (in->seg_kind == BMX_SEG_RLE) {
        if (in->rle.h != (uint32_t)bh || in->rle.w != (uint32_t)bw) {
            return bmx__fail(err, BMX_E_INVALID,
                             "segmentation: RLE size [%u, %u] differs from the image's [%d, %d]",
                             (unsigned)in->rle.h, (unsigned)in->rle.w, (int)bh, (int)bw);
        }
        if (sw == w && sh == h) {
            st = bmx_rle_resize_nearest(&in->rle, (uint32_t)h, (uint32_t)w, &out->rle, err);
        } else {
            struct bmx_rle small = {0};
            st = bmx_rle_resize_nearest(&in->rle, (uint32_t)sh, (uint32_t)sw, &small, err);
            if (st == BMX_OK) {
                st = bmx__rle_place(&small, (uint32_t)h, (uint32_t)w, ox, oy, &out->rle, err);
            }
            bmx_rle_free(&small);
        }
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

/* The letterbox's pixels: grey, and the source resized to sw x sh at (ox, oy),
 * written through a view of that part of `img`. */
static bmx_status letterbox_pixels(const struct bmx_image *src, int32_t sw, int32_t sh,
                                   int32_t ox, int32_t oy, struct bmx_image *img, bmx_error *err)
{
    const size_t c = (size_t)img->channels;
    const size_t row = (size_t)img->w * c;
    for (int32_t y = 0; y < img->h; y++) {
        memset(img->data + (size_t)y * img->stride, GREY, row);
    }
    struct bmx_image view = {sw, sh, img->channels, img->stride,
                             img->data + (size_t)oy * img->stride + (size_t)ox * c};
    return bmx__image_resize_rect(src, sw, sh, (struct bmx_rect){0, 0, sw, sh}, &view, err);
}

bmx_status bmx__letterbox_paste(const struct bmx_image *a, const struct bmx_image *b,
                                struct bmx_rect r, struct bmx_image *dst, bmx_error *err)
{
    const int32_t w = a->w, h = a->h;
    const size_t c = (size_t)a->channels;
    int32_t sw, sh, ox, oy;
    letterbox_geometry(b->w, b->h, w, h, &sw, &sh, &ox, &oy);
    for (int32_t y = 0; y < h; y++) {
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        if (dst->data != a->data) {
            memcpy(d, a->data + (size_t)y * a->stride, (size_t)w * c);
        }
        if (y >= r.y && y < r.y + r.h && r.w > 0) {
            memset(d + (size_t)r.x * c, GREY, (size_t)r.w * c);
        }
    }
    /* The part of the patch over the scaled source, in the sw x sh frame of the
     * scaled source: written through a view of dst that starts at (ox, oy). */
    int32_t x0 = r.x > ox ? r.x : ox, y0 = r.y > oy ? r.y : oy;
    int32_t x1 = r.x + r.w < ox + sw ? r.x + r.w : ox + sw;
    int32_t y1 = r.y + r.h < oy + sh ? r.y + r.h : oy + sh;
    if (x1 <= x0 || y1 <= y0) {
        return BMX_OK;
    }
    struct bmx_image view = {sw, sh, dst->channels, dst->stride,
                             dst->data + (size_t)oy * dst->stride + (size_t)ox * c};
    return bmx__image_resize_rect(b, sw, sh, (struct bmx_rect){x0 - ox, y0 - oy, x1 - x0, y1 - y0},
                                  &view, err);
}

bmx_status bmx__fit_source(enum bmx_source_fit fit, const struct bmx_sample *src, int32_t w,
                           int32_t h, bool pixels, struct bmx_sample *out, bmx_error *err)
{
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (src == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "source fit: NULL argument");
    }
    if (fit != BMX_FIT_RESIZE && fit != BMX_FIT_LETTERBOX) {
        return bmx__fail(err, BMX_E_INVALID, "source fit: %d is neither resize nor letterbox",
                         (int)fit);
    }
    const int32_t bw = src->image.w, bh = src->image.h;
    if (w <= 0 || h <= 0 || bw <= 0 || bh <= 0) {
        return bmx__fail(err, BMX_E_INVALID, "source fit: empty size (%dx%d to %dx%d)", (int)bw,
                         (int)bh, (int)w, (int)h);
    }
    if (src->n_objects > 0 && src->objects == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "source fit: objects missing");
    }
    if (pixels && src->image.data == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "source fit: the source has no pixels");
    }
    int32_t sw, sh, ox, oy;
    bmx__fit_geometry(fit, bw, bh, w, h, &sw, &sh, &ox, &oy);
    /* Same size, nothing moves: every object exactly as it came. */
    const bool same = sw == bw && sh == bh && ox == 0 && oy == 0;
    const double sx = (double)sw / (double)bw;
    const double sy = (double)sh / (double)bh;

    struct bmx_sample res;
    memset(&res, 0, sizeof res);
    bmx_status st = BMX_OK;
    if (src->n_objects > 0) {
        res.objects = bmx__alloc_array(src->n_objects, sizeof *res.objects);
        if (res.objects == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "source fit: out of memory");
        }
    }
    for (size_t i = 0; i < src->n_objects; i++) {
        if (same) {
            st = bmx_object_copy(&src->objects[i], &res.objects[i], err);
        } else {
            st = fit_object(&src->objects[i], sx, sy, ox, oy, sw, sh, w, h, bw, bh,
                            &res.objects[i], err);
            if (st != BMX_OK) {
                bmx_object_free(&res.objects[i]);
            }
        }
        if (st != BMX_OK) {
            bmx__prefix(err, st, "source object %zu (id %lld)", i,
                        (long long)src->objects[i].id);
            goto fail;
        }
        res.n_objects++;
    }
    if (!pixels) {
        res.image = (struct bmx_image){w, h, src->image.channels, 0, NULL};
        *out = res;
        return BMX_OK;
    }
    st = bmx__image_check_view(&src->image, err);
    if (st != BMX_OK) {
        goto fail;
    }
    st = bmx_image_new(w, h, src->image.channels, &res.image, err);
    if (st != BMX_OK) {
        goto fail;
    }
    if (fit == BMX_FIT_RESIZE) {
        st = bmx__image_resize_rect(&src->image, w, h, (struct bmx_rect){0, 0, w, h}, &res.image,
                                    err);
    } else {
        st = letterbox_pixels(&src->image, sw, sh, ox, oy, &res.image, err);
    }
    if (st != BMX_OK) {
        goto fail;
    }
    *out = res;
    return BMX_OK;

fail:
    bmx_sample_free(&res);
    return st;
}
