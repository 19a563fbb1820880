/* SPDX-License-Identifier: MIT */
/*
 * Box outlines, crowd hatching on a box and the CutMix patch's outline. A box
 * [x, y, w, h] (the half-open set [x, x+w) x [y, y+h)) covers the pixel extent of
 * columns floor(x) .. ceil(x+w)-1 and rows floor(y) .. ceil(y+h)-1: every pixel
 * the box touches. An outline of line width L paints the L outermost pixel rings
 * of that extent, inside it, clipped to the image: pixel (px, py) of the extent
 * (x0..x1, y0..y1) is painted when min(px - x0, x1 - px, py - y0, y1 - py) < L.
 * An outline therefore never leaves its box's own pixels, and an integral box
 * [10, 20, 30, 40] paints columns 10..39 and rows 20..59. Objects pasted from a
 * CutMix source image use the same pixels with gaps (dashes) so they can be told
 * from the base image's objects.
 */
#include "draw_parts.h"

#include <math.h>

/* Coordinates beyond this are clamped before conversion to int32: anything that far
 * out is off every image anyway, and the clamp keeps the conversion defined. */
#define COORD_CLAMP 1.0e9

/* The patch outline: two 1-px rings, white and black dashes of this length, the
 * inner ring in the opposite phase, so it shows on any background. */
#define PATCH_DASH 4

static int32_t clamp_coord(double v)
{
    if (v < -COORD_CLAMP) {
        return (int32_t)-COORD_CLAMP;
    }
    if (v > COORD_CLAMP) {
        return (int32_t)COORD_CLAMP;
    }
    return (int32_t)v;
}

bool bmx__draw_box_extent(struct bmx_box b, double sx, double sy, int32_t *x0, int32_t *y0,
                          int32_t *x1, int32_t *y1)
{
    double ax = b.x * sx, bx = (b.x + b.w) * sx;
    double ay = b.y * sy, by = (b.y + b.h) * sy;
    if (!isfinite(ax) || !isfinite(bx) || !isfinite(ay) || !isfinite(by)) {
        return false;
    }
    *x0 = clamp_coord(floor(ax));
    *x1 = clamp_coord(ceil(bx)) - 1;
    *y0 = clamp_coord(floor(ay));
    *y1 = clamp_coord(ceil(by)) - 1;
    return *x0 <= *x1 && *y0 <= *y1;
}

/* Whether position `pos` along an edge is in a dash (period 0: solid). */
static inline bool dash_on(int64_t pos, int64_t on, int64_t period)
{
    return period == 0 || pos % period < on;
}

/*
 * The L outermost rings of the extent x0..x1, y0..y1, clipped to the image, in
 * dashes of `on` pixels every `period` pixels along each edge (period 0: solid).
 */
void bmx__draw_outline_extent(struct bmx_image *img, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                              int L, const uint8_t rgb[3], int64_t on, int64_t period)
{
    int64_t cx0 = bmx__max64(x0, 0), cx1 = bmx__min64(x1, (int64_t)img->w - 1);
    int64_t cy0 = bmx__max64(y0, 0), cy1 = bmx__min64(y1, (int64_t)img->h - 1);
    for (int64_t y = cy0; y <= cy1; y++) {
        if (y - y0 < L || y1 - y < L) {
            for (int64_t x = cx0; x <= cx1; x++) {
                if (dash_on(x - x0, on, period)) {
                    bmx__draw_put(img, (int32_t)x, (int32_t)y, rgb);
                }
            }
            continue;
        }
        if (!dash_on(y - y0, on, period)) {
            continue;
        }
        int64_t left_end = bmx__min64(cx1, (int64_t)x0 + L - 1);
        for (int64_t x = cx0; x <= left_end; x++) {
            bmx__draw_put(img, (int32_t)x, (int32_t)y, rgb);
        }
        for (int64_t x = bmx__max64(bmx__max64(cx0, left_end + 1), (int64_t)x1 - L + 1); x <= cx1;
             x++) {
            bmx__draw_put(img, (int32_t)x, (int32_t)y, rgb);
        }
    }
}

/* One 1-px ring of the patch outline: white and black dashes by position along
 * each edge; `phase` 1 swaps them. */
void bmx__draw_patch_ring(struct bmx_image *img, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
                          int phase)
{
    if (x0 > x1 || y0 > y1) {
        return;
    }
    int64_t W = img->w, H = img->h;
    for (int64_t x = bmx__max64(x0, 0); x <= bmx__min64(x1, W - 1); x++) {
        const uint8_t *c = ((x / PATCH_DASH + phase) & 1) ? bmx__draw_black : bmx__draw_white;
        if (y0 >= 0 && y0 < H) {
            bmx__draw_put(img, (int32_t)x, (int32_t)y0, c);
        }
        if (y1 >= 0 && y1 < H) {
            bmx__draw_put(img, (int32_t)x, (int32_t)y1, c);
        }
    }
    for (int64_t y = bmx__max64(y0 + 1, 0); y <= bmx__min64(y1 - 1, H - 1); y++) {
        const uint8_t *c = ((y / PATCH_DASH + phase) & 1) ? bmx__draw_black : bmx__draw_white;
        if (x0 >= 0 && x0 < W) {
            bmx__draw_put(img, (int32_t)x0, (int32_t)y, c);
        }
        if (x1 >= 0 && x1 < W) {
            bmx__draw_put(img, (int32_t)x1, (int32_t)y, c);
        }
    }
}

void bmx__draw_hatch_extent(struct bmx_image *img, int32_t x0, int32_t y0, int32_t x1, int32_t y1,
                            const uint8_t rgb[3], int hatch)
{
    int64_t period = 4 * (int64_t)hatch;
    for (int64_t y = bmx__max64(y0, 0); y <= bmx__min64(y1, (int64_t)img->h - 1); y++) {
        for (int64_t x = bmx__max64(x0, 0); x <= bmx__min64(x1, (int64_t)img->w - 1); x++) {
            if ((x + y) % period < hatch) {
                bmx__draw_put(img, (int32_t)x, (int32_t)y, rgb);
            }
        }
    }
}
