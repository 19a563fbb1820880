/* SPDX-License-Identifier: MIT */
/* Copy-Paste's primitive: one object cut by a mask at the pixel level
 * (bmx_object_by_mask, DESIGN.md "Other operations").
 *
 * The object's pixels: its polygons as recorded rasterised as the COCO API's frPoly
 * does, its RLE as it is, a bare box as the pixels whose centres it holds
 * (x <= cx < x + w, y <= cy < y + h with cx = column + 0.5). Visible = those pixels
 * not in the mask; everything is measured in pixels: visibility = visible pixels /
 * the object's pixels, the new box the tight box of the visible pixels (the COCO
 * API's toBbox), the usual rules decide (crowd regions kept while a pixel is
 * visible).
 *
 * An object none of whose pixels the mask covers is treated exactly as an object a
 * CutMix patch misses (bmx__object_by_rect with an empty rectangle, then the mask
 * format): written as it came, its mask clipped to the image where it leaves it.
 *
 * A kept, touched object is written as:
 * - polygons traced along the pixel edges of its visible pixels, holes kept exactly
 *   by zero-width bridges (bmx__rle_to_polyset_exact), when it came as polygons and
 *   the mask format is keep or polygon, or when it came as RLE, is not a crowd
 *   region and the mask format is polygon; area = the rings' exact area, which is
 *   the visible pixel count; box = the rings' extent, which is the toBbox;
 * - else RLE (compressed when it came as polygons, as it came when RLE): the
 *   visible pixels; area = their count; box = toBbox;
 * - a bare box stays a bare box: the new box, area = the visible pixel count.
 * Keypoints on a masked pixel (the pixel holding the point) or outside the image
 * are hidden, whether or not the mask took a pixel of their object. */
#include "ops.h"
#include "rle_mask_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum kind { KIND_BOX, KIND_POLY, KIND_RLE };

/* A keypoint on a pixel of the mask (bmx__keypoints_hide_where hides it). */
static bool mask_covers(const void *ctx, double x, double y)
{
    return bmx__rle_at(ctx, (int64_t)floor(x), (int64_t)floor(y));
}

/* Can the object have a pixel in the mask's box? Polygons: the COCO API's frPoly
 * sets only pixels within a pixel of the vertices' extent (its 5x grid rounds a
 * vertex by 0.1 px, a boundary crossing by at most half a pixel more); two pixels
 * of margin make the test safe. RLE and boxes: always tested on the pixels. */
static bool may_touch(const struct bmx_object *in, enum kind kind, const struct bmx_rle *mask,
                      const struct bmx_box *mask_box)
{
    if (kind != KIND_POLY) {
        return true;
    }
    double e[4];
    bool finite = true;
    if (!bmx__polyset_extent(&in->polys, e, &finite) || !finite) {
        return true; /* the rasteriser reports what is wrong */
    }
    /* The mask's box walks all of its runs: only when a polygon needs it and the
     * caller did not give it. */
    struct bmx_box mb;
    if (mask_box != NULL) {
        mb = *mask_box;
    } else {
        bmx_rle_bbox(mask, &mb);
    }
    if (mb.w <= 0.0 || mb.h <= 0.0) {
        return false;
    }
    return e[0] - 2.0 < mb.x + mb.w && e[2] + 2.0 > mb.x && e[1] - 2.0 < mb.y + mb.h &&
           e[3] + 2.0 > mb.y;
}

/* The object's pixels (see the top of the file). */
static bmx_status object_pixels(const struct bmx_object *in, enum kind kind, int32_t w,
                                int32_t h, struct bmx_rle *out, bmx_error *err)
{
    if (kind == KIND_POLY) {
        return bmx_rle_from_polyset(&in->polys, (uint32_t)h, (uint32_t)w, out, err);
    }
    if (kind == KIND_RLE) {
        if (in->rle.h != (uint32_t)h || in->rle.w != (uint32_t)w) {
            return bmx__fail(err, BMX_E_INVALID,
                             "segmentation: RLE size [%u, %u] differs from the image's [%d, %d]",
                             (unsigned)in->rle.h, (unsigned)in->rle.w, (int)h, (int)w);
        }
        return bmx_rle_copy(&in->rle, out, err);
    }
    return bmx__rle_from_box_centres(in->bbox, (uint32_t)h, (uint32_t)w, out, err);
}

/* The kept, touched object `res` (keypoints copied) given its visible pixels `vis`
 * (taken over). */
static bmx_status write_visible(enum bmx_mask_format format, const struct bmx_object *in,
                                enum kind kind, struct bmx_rle *vis, struct bmx_object *res,
                                bmx_error *err)
{
    bool traced = (kind == KIND_POLY && format != BMX_MASK_RLE) ||
                  (kind == KIND_RLE && format == BMX_MASK_POLYGON && in->iscrowd == 0);
    if (traced) {
        bmx_status st = bmx__rle_to_polyset_exact(vis, &res->polys, err);
        bmx_rle_free(vis);
        if (st != BMX_OK) {
            return st;
        }
        res->seg_kind = BMX_SEG_POLYGON;
        res->rle_compressed = false;
        res->area = bmx_polyset_area(&res->polys);
        if (!bmx_polyset_bbox(&res->polys, &res->bbox)) {
            memset(&res->bbox, 0, sizeof res->bbox);
        }
    } else if (kind == KIND_BOX) {
        bmx_rle_free(vis);
    } else {
        res->rle = *vis;
        memset(vis, 0, sizeof *vis);
        res->seg_kind = BMX_SEG_RLE;
        res->rle_compressed = kind == KIND_POLY ? true : in->rle_compressed;
    }
    return BMX_OK;
}

bmx_status bmx__object_by_mask(const struct bmx_cutmix_options *opts, const struct bmx_object *in,
                               const struct bmx_rle *mask, int32_t w, int32_t h,
                               struct bmx_object *out, bool *kept, struct bmx__verdict *verdict,
                               size_t *holes, bmx_error *err)
{
    return bmx__object_by_mask_boxed(opts, in, mask, NULL, w, h, out, kept, verdict, holes, err);
}

bmx_status bmx__object_by_mask_boxed(const struct bmx_cutmix_options *opts,
                                     const struct bmx_object *in, const struct bmx_rle *mask,
                                     const struct bmx_box *mask_box, int32_t w, int32_t h,
                                     struct bmx_object *out, bool *kept,
                                     struct bmx__verdict *verdict, size_t *holes, bmx_error *err)
{
    struct bmx_rle pixels = {0, 0, 0, NULL}, vis = {0, 0, 0, NULL};
    struct bmx_object res;
    bool res_live = false;
    size_t filled = 0;

    memset(&res, 0, sizeof res);
    if (out != NULL && out != in) {
        memset(out, 0, sizeof *out);
    }
    if (kept != NULL) {
        *kept = false;
    }
    if (verdict != NULL) {
        memset(verdict, 0, sizeof *verdict);
    }
    if (opts == NULL || in == NULL || mask == NULL || out == NULL || kept == NULL || in == out) {
        return bmx__fail(err, BMX_E_INVALID, "object by mask: NULL or aliased argument");
    }
    bmx_status st = bmx_cutmix_options_check(opts, err);
    if (st != BMX_OK) {
        return st;
    }
    if (w <= 0 || h <= 0) {
        return bmx__fail(err, BMX_E_INVALID, "image size must be positive, got %dx%d", (int)w,
                         (int)h);
    }
    if (mask->h != (uint32_t)h || mask->w != (uint32_t)w) {
        return bmx__fail(err, BMX_E_INVALID,
                         "mask: size [%u, %u] differs from the image's [%d, %d]",
                         (unsigned)mask->h, (unsigned)mask->w, (int)h, (int)w);
    }
    if (!isfinite(in->bbox.x) || !isfinite(in->bbox.y) || !isfinite(in->bbox.w) ||
        !isfinite(in->bbox.h) || in->bbox.w < 0.0 || in->bbox.h < 0.0) {
        return bmx__fail(err, BMX_E_INVALID, "bbox: expected finite x, y and w, h >= 0");
    }
    enum kind kind = KIND_BOX;
    if (in->seg_kind == BMX_SEG_POLYGON && in->polys.count > 0) {
        kind = KIND_POLY;
    } else if (in->seg_kind == BMX_SEG_RLE) {
        kind = KIND_RLE;
    }

    /* The object's pixels and what the mask leaves of them; an object whose region
     * cannot reach the mask's box is not rasterised. */
    uint64_t covered = 0;
    if (may_touch(in, kind, mask, mask_box)) {
        st = object_pixels(in, kind, w, h, &pixels, err);
        if (st == BMX_OK) {
            st = bmx__rle_minus(&pixels, mask, &vis, &covered, err);
        }
        if (st != BMX_OK) {
            goto cleanup;
        }
    }
    if (covered == 0) {
        /* Untouched: as CutMix writes an object its patch misses. */
        struct bmx_rect none = {0, 0, 0, 0};
        bool hit = false;
        st = bmx__object_by_rect(opts, in, none, false, w, h, out, kept, &hit, NULL, verdict,
                                 err);
        if (st == BMX_OK && *kept) {
            st = bmx__object_mask_format(opts->mask_format, in, NULL, false, w, h, out, kept,
                                         &filled, err);
        }
        if (st == BMX_OK && *kept) {
            /* Its keypoints on M's pixels are hidden all the same, as CutMix hides
             * those under a patch that misses their object. */
            (void)bmx__keypoints_hide_where(out, w, h, mask_covers, mask);
        }
        if (st == BMX_OK && holes != NULL) {
            *holes += filled;
        }
        goto cleanup;
    }

    const double original = (double)bmx_rle_area(&pixels);
    const double visible = (double)bmx_rle_area(&vis);
    double visibility = visible / original;
    if (visibility > 1.0) {
        visibility = 1.0;
    }
    struct bmx_box nb;
    bmx_rle_bbox(&vis, &nb);

    const enum bmx_drop_rule rule = bmx__drop_rule(opts, in, visible, visibility, nb);
    if (verdict != NULL) {
        verdict->visibility = visibility;
        verdict->visible = visible;
        verdict->box = nb;
        verdict->rule = rule;
    }
    if (rule != BMX_DROP_NONE) {
        goto cleanup;
    }
    res = *in;
    memset(&res.polys, 0, sizeof res.polys);
    memset(&res.rle, 0, sizeof res.rle);
    res.keypoints = NULL;
    st = bmx__keypoints_copy(in, &res, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    res_live = true;
    res.bbox = nb;
    res.area = visible;
    res.has_area = true;
    res.visibility = visibility;
    res.touched = true;
    st = write_visible(opts->mask_format, in, kind, &vis, &res, err);
    if (st != BMX_OK) {
        goto cleanup;
    }
    (void)bmx__keypoints_hide_where(&res, w, h, mask_covers, mask);
    *out = res;
    res_live = false;
    *kept = true;

cleanup:
    bmx_rle_free(&pixels);
    bmx_rle_free(&vis);
    if (res_live) {
        bmx_object_free(&res);
    }
    return st;
}

bmx_status bmx_object_by_mask(const struct bmx_cutmix_options *opts, const struct bmx_object *in,
                              const struct bmx_rle *mask, int32_t w, int32_t h,
                              struct bmx_object *out, bool *kept, bmx_error *err)
{
    struct bmx_cutmix_options given;
    if (opts == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "object by mask: NULL options");
    }
    bmx_status st = bmx__cutmix_options_read(opts, &given, err);
    if (st != BMX_OK) {
        return st;
    }
    if (mask != NULL) {
        st = bmx_rle_validate(mask, err);
        if (st != BMX_OK) {
            return st;
        }
    }
    return bmx__object_by_mask(&given, in, mask, w, h, out, kept, NULL, NULL, err);
}
