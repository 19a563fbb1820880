/* SPDX-License-Identifier: MIT */
/*
 * Masks. Polygons are rasterised with bmx_rle_from_polyset (the COCO API's pixel
 * set) and RLE masks decoded; the fill blends exactly the mask's pixels with the
 * category colour and paints the mask pixels on its border (a 4-neighbour outside
 * the mask or the image) solid. Crowd objects get solid diagonal stripes on their
 * mask (on their box when they have none: draw_boxes.c).
 */
#include "draw_parts.h"

#include <math.h>

/* p = p * (1 - a) + rgb * a with a = alpha / 255, rounded. */
static inline void blend(uint8_t *p, const uint8_t rgb[3], uint32_t alpha)
{
    for (int k = 0; k < 3; k++) {
        p[k] = (uint8_t)(((uint32_t)p[k] * (255u - alpha) + (uint32_t)rgb[k] * alpha + 127u) /
                         255u);
    }
}

void bmx__draw_mask_region(struct bmx_image *img, const uint8_t *mask, const uint8_t rgb[3],
                           double opacity, int hatch, int32_t rx0, int32_t ry0, int32_t rx1,
                           int32_t ry1)
{
    size_t H = (size_t)img->h;
    uint32_t alpha = (uint32_t)lround(opacity * 255.0);
    int64_t period = 4 * (int64_t)hatch;
    for (int32_t x = rx0; x <= rx1; x++) {
        const uint8_t *col = mask + (size_t)x * H;
        for (int32_t y = ry0; y <= ry1; y++) {
            if (!col[y]) {
                continue;
            }
            bool border = x == 0 || y == 0 || x == img->w - 1 || y == img->h - 1 || !col[y - 1] ||
                          !col[y + 1] || !col[(ptrdiff_t)y - (ptrdiff_t)H] || !col[y + H];
            bool stripe = hatch > 0 && ((int64_t)x + y) % period < hatch;
            if (border || stripe) {
                bmx__draw_put(img, x, y, rgb);
            } else if (alpha > 0) {
                blend(bmx__draw_pixel(img, x, y), rgb, alpha);
            }
        }
    }
}

void bmx__draw_mask(struct bmx_image *img, const uint8_t *mask, const uint8_t rgb[3],
                    double opacity, int hatch)
{
    if (!bmx__draw_view_ok(img) || mask == NULL) {
        return;
    }
    bmx__draw_mask_region(img, mask, rgb, opacity, hatch, 0, 0, img->w - 1, img->h - 1);
}

/*
 * The object's mask at the image's size into `out`: polygons scaled by (sx, sy)
 * and rasterised, RLE resampled when its size is not the image's. `*use` points at
 * the RLE to read (`out` or the object's own). Returns false in *has when the
 * object has no mask.
 */
bmx_status bmx__draw_object_mask(const struct bmx_object *o, const struct bmx_image *img, double sx,
                                 double sy, struct bmx_rle *out, const struct bmx_rle **use,
                                 bool *has, bmx_error *err)
{
    uint32_t H = (uint32_t)img->h, W = (uint32_t)img->w;
    bmx_status st = BMX_OK;
    *has = false;
    if (o->seg_kind == BMX_SEG_POLYGON && o->polys.count > 0) {
        if (sx == 1.0 && sy == 1.0) {
            st = bmx_rle_from_polyset(&o->polys, H, W, out, err);
        } else {
            struct bmx_polyset scaled = {0, NULL};
            st = bmx_polyset_copy(&o->polys, &scaled, err);
            if (st == BMX_OK) {
                bmx_polyset_scale(&scaled, sx, sy);
                st = bmx_rle_from_polyset(&scaled, H, W, out, err);
            }
            bmx_polyset_free(&scaled);
        }
        *use = out;
    } else if (o->seg_kind == BMX_SEG_RLE && o->rle.h > 0 && o->rle.w > 0) {
        if (o->rle.h == H && o->rle.w == W) {
            *use = &o->rle;
        } else {
            st = bmx_rle_resize_nearest(&o->rle, H, W, out, err);
            *use = out;
        }
    } else {
        return BMX_OK;
    }
    *has = st == BMX_OK;
    return st;
}
