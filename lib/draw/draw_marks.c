/* SPDX-License-Identifier: MIT */
/*
 * What the other operations of the CutMix family add to a drawing (draw.h,
 * struct bmx__draw_marks): CutOut's holes and Mosaic's tiles outlined as the patch
 * is, Mosaic's centre as a cross, Copy-Paste's pasted masks outlined in black and
 * white dashes, and the anchor object of source-object CutMix as a square target.
 */
#include "draw_parts.h"

#include <math.h>
#include <string.h>

/* Dash length of a pasted mask's outline, along x + y. */
#define MASK_DASH 4

void bmx__draw_marks_init(struct bmx__draw_marks *m)
{
    memset(m, 0, sizeof *m);
    m->anchor = SIZE_MAX;
}

int bmx__draw_centre_arm(int32_t w, int32_t h, int L)
{
    return 3 * L + 2 * bmx__draw_text_scale(w, h) + 2;
}

int bmx__draw_anchor_radius(int32_t w, int32_t h, int L)
{
    return L + bmx__draw_text_scale(w, h) + 2;
}

void bmx__draw_rect_marks(struct bmx_image *img, const struct bmx__draw_marks *m, double sx,
                          double sy)
{
    for (size_t k = 0; k < m->n_holes + m->n_tiles; k++) {
        struct bmx_rect r = k < m->n_holes ? m->holes[k] : m->tiles[k - m->n_holes];
        struct bmx_box b = {r.x * sx, r.y * sy, r.w * sx, r.h * sy};
        int32_t x0, y0, x1, y1;
        if (r.w > 0 && r.h > 0 && bmx__draw_box_extent(b, 1.0, 1.0, &x0, &y0, &x1, &y1)) {
            bmx__draw_patch_ring(img, x0, y0, x1, y1, 0);
            bmx__draw_patch_ring(img, (int64_t)x0 + 1, (int64_t)y0 + 1, (int64_t)x1 - 1,
                                 (int64_t)y1 - 1, 1);
        }
    }
}

/* The pixel holding the point (x, y) scaled, or false when it is not finite. */
static bool centre_pixel(double x, double y, double sx, double sy, int64_t *cx, int64_t *cy)
{
    double fx = floor(x * sx), fy = floor(y * sy);
    if (!(fabs(fx) < 1e9 && fabs(fy) < 1e9)) {
        return false;
    }
    *cx = (int64_t)fx;
    *cy = (int64_t)fy;
    return true;
}

/* A plus centred on (cx, cy): arms `arm` pixels from the centre, `width` wide. */
static void plus(struct bmx_image *img, int64_t cx, int64_t cy, int64_t arm, int64_t width,
                 const uint8_t rgb[3])
{
    int64_t lo = (width - 1) / 2, hi = width / 2;
    bmx__draw_fill_rect(img, cx - arm, cy - lo, cx + arm, cy + hi, rgb);
    bmx__draw_fill_rect(img, cx - lo, cy - arm, cx + hi, cy + arm, rgb);
}

void bmx__draw_centre_mark(struct bmx_image *img, const struct bmx__draw_marks *m, double sx,
                           double sy, int L)
{
    int64_t cx, cy;
    if (!m->has_centre || !centre_pixel(m->centre[0], m->centre[1], sx, sy, &cx, &cy)) {
        return;
    }
    /* The centre is a corner where four tiles meet: the pixel right of and below it. */
    int64_t arm = bmx__draw_centre_arm(img->w, img->h, L);
    plus(img, cx, cy, arm, (int64_t)L + 2, bmx__draw_black);
    plus(img, cx, cy, arm - 1, L, bmx__draw_white);
}

void bmx__draw_anchor_mark(struct bmx_image *img, struct bmx_box box, double sx, double sy, int L)
{
    int64_t cx, cy;
    if (!centre_pixel(box.x + box.w / 2, box.y + box.h / 2, sx, sy, &cx, &cy)) {
        return;
    }
    int64_t r = bmx__draw_anchor_radius(img->w, img->h, L);
    bmx__draw_fill_rect(img, cx - r, cy - r, cx + r, cy + r, bmx__draw_black);
    bmx__draw_fill_rect(img, cx - r + 1, cy - r + 1, cx + r - 1, cy + r - 1, bmx__draw_white);
    if (r > 3) {
        bmx__draw_fill_rect(img, cx - r + 3, cy - r + 3, cx + r - 3, cy + r - 3, bmx__draw_black);
    }
}

/* Whether mask pixel (x, y) is set (0 outside the image). */
static inline uint8_t at(const struct bmx_image *img, const uint8_t *mask, int64_t x, int64_t y)
{
    if (x < 0 || y < 0 || x >= img->w || y >= img->h) {
        return 0;
    }
    return mask[(size_t)x * (size_t)img->h + (size_t)y];
}

void bmx__draw_mask_dashed(struct bmx_image *img, uint8_t *mask, int32_t rx0, int32_t ry0,
                           int32_t rx1, int32_t ry1)
{
    size_t H = (size_t)img->h;
    /* Ring 1: mask pixels with a 4-neighbour outside the mask or the image (marked
     * 2); ring 2: mask pixels next to ring 1 (marked 3), in the other phase. */
    for (int32_t x = rx0; x <= rx1; x++) {
        for (int32_t y = ry0; y <= ry1; y++) {
            uint8_t *p = &mask[(size_t)x * H + (size_t)y];
            if (*p && (!at(img, mask, x - 1, y) || !at(img, mask, x + 1, y) ||
                       !at(img, mask, x, y - 1) || !at(img, mask, x, y + 1))) {
                *p = 2;
            }
        }
    }
    for (int32_t x = rx0; x <= rx1; x++) {
        for (int32_t y = ry0; y <= ry1; y++) {
            uint8_t *p = &mask[(size_t)x * H + (size_t)y];
            if (*p == 1 && (at(img, mask, x - 1, y) == 2 || at(img, mask, x + 1, y) == 2 ||
                            at(img, mask, x, y - 1) == 2 || at(img, mask, x, y + 1) == 2)) {
                *p = 3;
            }
        }
    }
    for (int32_t x = rx0; x <= rx1; x++) {
        for (int32_t y = ry0; y <= ry1; y++) {
            uint8_t v = mask[(size_t)x * H + (size_t)y];
            if (v >= 2) {
                int phase = ((((int64_t)x + y) / MASK_DASH) + (v == 3)) & 1;
                bmx__draw_put(img, x, y, phase ? bmx__draw_black : bmx__draw_white);
            }
        }
    }
}
