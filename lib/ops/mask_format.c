/* SPDX-License-Identifier: MIT */
/* --mask-format for a kept object: a polygon object rasterised to RLE as the COCO
 * API does (on the polygons as recorded), an RLE object traced to polygons. */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rasterise a kept polygon object into a compressed RLE of the image's frame: its
 * polygons as recorded (`recorded`, not the clipped ones obj holds), as the COCO
 * API's frPoly does, which handles vertices past the image edge itself; clipping
 * them to the image first loses pixels along that edge. When the rectangle `cut`
 * took part of the object, the mask then has it cleared (a base object) or kept
 * (`inside`, a source object). */
bmx_status bmx__object_to_rle(struct bmx_object *obj, const struct bmx_polyset *recorded,
                                const struct bmx_rect *cut, bool inside, int32_t w, int32_t h,
                                bmx_error *err)
{
    struct bmx_rle rle = {0, 0, 0, NULL};
    bmx_status st = bmx_rle_from_polyset(recorded, (uint32_t)h, (uint32_t)w, &rle, err);
    if (st != BMX_OK) {
        return st;
    }
    if (cut != NULL) {
        struct bmx_rle part = {0, 0, 0, NULL};
        st = bmx_rle_crop_rect(&rle, *cut, inside, &part, err);
        bmx_rle_free(&rle);
        if (st != BMX_OK) {
            return st;
        }
        rle = part;
    }
    bmx_polyset_free(&obj->polys);
    obj->rle = rle;
    obj->seg_kind = BMX_SEG_RLE;
    obj->rle_compressed = true;
    if (obj->touched) {
        obj->area = (double)bmx_rle_area(&obj->rle);
        bmx_rle_bbox(&obj->rle, &obj->bbox);
        obj->has_area = true;
    }
    return BMX_OK;
}

/* Trace a kept RLE object into polygons (mask_format polygon). Crowd objects keep
 * their RLE: COCO crowd regions are RLE by convention and pycocotools expects RLE for
 * iscrowd = 1. An empty mask has no polygon form and stays as it is. Holes cannot be
 * written as COCO polygons, so they are filled and counted in *holes. Like
 * object_to_rle, only a touched object gets its area (the rings' shoelace area, which
 * includes filled holes) and box (the rings' extent) from the new form. */
bmx_status bmx__object_to_polygons(struct bmx_object *obj, size_t *holes, bmx_error *err)
{
    struct bmx_polyset set = {0, NULL};
    size_t filled = 0;
    if (obj->iscrowd != 0 || bmx_rle_area(&obj->rle) == 0) {
        return BMX_OK;
    }
    bmx_status st = bmx_rle_to_polyset(&obj->rle, &set, &filled, err);
    if (st != BMX_OK) {
        return st;
    }
    bmx_rle_free(&obj->rle);
    obj->polys = set;
    obj->seg_kind = BMX_SEG_POLYGON;
    obj->rle_compressed = false;
    if (obj->touched) {
        obj->area = bmx_polyset_area(&obj->polys);
        if (!bmx_polyset_bbox(&obj->polys, &obj->bbox)) {
            memset(&obj->bbox, 0, sizeof obj->bbox);
        }
        obj->has_area = true;
    }
    *holes += filled;
    return BMX_OK;
}

bmx_status bmx__object_mask_format(enum bmx_mask_format format, const struct bmx_object *in,
                                   const struct bmx_rect *cut, bool inside, int32_t w, int32_t h,
                                   struct bmx_object *out, bool *kept, size_t *holes,
                                   bmx_error *err)
{
    bmx_status st = BMX_OK;
    if (format == BMX_MASK_RLE && in->seg_kind == BMX_SEG_POLYGON && in->polys.count > 0) {
        st = bmx__object_to_rle(out, &in->polys, cut, inside, w, h, err);
        /* DESIGN.md: an object with no area is never written. A sliver of polygon
         * that covers no pixel centre rasterises to nothing. */
        if (st == BMX_OK && out->touched && bmx_rle_area(&out->rle) == 0) {
            *kept = false;
        }
    } else if (format == BMX_MASK_POLYGON && in->seg_kind == BMX_SEG_RLE) {
        st = bmx__object_to_polygons(out, holes, err);
    }
    if (st != BMX_OK || !*kept) {
        bmx_object_free(out);
        memset(out, 0, sizeof *out);
        *kept = false;
    }
    return st;
}
