/* SPDX-License-Identifier: MIT */
/*
 * Keypoints. A labelled COCO keypoint (v > 0) is drawn on the pixel that holds it
 * once scaled, (floor(x * sx), floor(y * sy)), as a disc in the category colour
 * with a 1-px outline in black or white (whichever contrasts with the colour):
 * filled when visible (v = 2), a ring outlined on both sides around an untouched
 * centre when labelled but not visible (v = 1). The category's skeleton joins
 * pairs of labelled points with lines as wide as the box outlines, drawn before
 * any point. Unlabelled points and lines to them are not drawn. Sizes, rings and
 * lines are integer rules stated in draw.h (only the scaling and floor of a
 * coordinate are floating point, as for boxes), so the bytes are the same on
 * every machine.
 */
#include "draw_parts.h"

#include <math.h>
#include <stdlib.h>

int bmx__draw_keypoint_radius(int32_t w, int32_t h, int line_width)
{
    return line_width + bmx__draw_text_scale(w, h) + 1;
}

int bmx__draw_keypoint_band(int line_width)
{
    return (line_width + 1) / 2;
}

/* The pixel holding keypoint k of `o` once scaled by (sx, sy), when it is labelled
 * and not absurdly far out; *visible tells v = 2 from v = 1. */
static bool keypoint_pixel(const struct bmx_object *o, size_t k, double sx, double sy, int64_t *x,
                           int64_t *y, bool *visible)
{
    const double *p = o->keypoints + 3 * k;
    if (!(p[2] > 0.0)) {
        return false;
    }
    double fx = p[0] * sx, fy = p[1] * sy;
    /* also false for NaN and infinities */
    if (!(fabs(fx) <= BMX__KEYPOINT_COORD_MAX && fabs(fy) <= BMX__KEYPOINT_COORD_MAX)) {
        return false;
    }
    *x = (int64_t)floor(fx);
    *y = (int64_t)floor(fy);
    *visible = p[2] == 2.0;
    return true;
}

/* Paint the pixels (cx + dx, cy + dy) with r_in^2 + r_in < dx^2 + dy^2 <= r^2 + r,
 * clipped to the image; r_in < 0 paints the whole disc. */
static void disc_band(struct bmx_image *img, int64_t cx, int64_t cy, int64_t r, int64_t r_in,
                      const uint8_t rgb[3])
{
    int64_t outer = r * r + r, inner = r_in < 0 ? -1 : r_in * r_in + r_in;
    for (int64_t y = bmx__max64(cy - r, 0); y <= bmx__min64(cy + r, (int64_t)img->h - 1); y++) {
        for (int64_t x = bmx__max64(cx - r, 0); x <= bmx__min64(cx + r, (int64_t)img->w - 1); x++) {
            int64_t d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            if (d <= outer && d > inner) {
                bmx__draw_put(img, (int32_t)x, (int32_t)y, rgb);
            }
        }
    }
}

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b < 0 ? q - 1 : q;
}

/* floor(sqrt(n)), bit by bit: integers only. */
static uint64_t isqrt64(uint64_t n)
{
    uint64_t r = 0, bit = (uint64_t)1 << 62;
    while (bit > n) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* The line of width W between pixels a and b, as draw.h states it. Coordinates are
 * within BMX__KEYPOINT_COORD_MAX, so every product stays far inside int64; the
 * loop runs over the image's part of the major axis only. */
static void skeleton_line(struct bmx_image *img, int64_t ax, int64_t ay, int64_t bx, int64_t by,
                          int W, const uint8_t rgb[3])
{
    int64_t dx = bx - ax, dy = by - ay;
    bool xmajor = llabs(dx) >= llabs(dy);
    /* (major, minor) coordinates, a first along the major axis */
    int64_t a0 = xmajor ? ax : ay, a1 = xmajor ? ay : ax;
    int64_t b0 = xmajor ? bx : by, b1 = xmajor ? by : bx;
    if (b0 < a0) {
        int64_t t0 = a0, t1 = a1;
        a0 = b0;
        a1 = b1;
        b0 = t0;
        b1 = t1;
    }
    int64_t dmaj = b0 - a0, dmin = b1 - a1;
    int64_t len = (int64_t)isqrt64((uint64_t)(dx * dx + dy * dy));
    int64_t S = dmaj > 0 ? ((int64_t)W * len + dmaj / 2) / dmaj : W;
    S = bmx__max64(S, 1);
    int64_t last_maj = (xmajor ? img->w : img->h) - 1;
    int64_t last_min = (xmajor ? img->h : img->w) - 1;
    for (int64_t t = bmx__max64(a0, 0); t <= bmx__min64(b0, last_maj); t++) {
        int64_t m = dmaj > 0 ? a1 + floor_div(2 * (t - a0) * dmin + dmaj, 2 * dmaj) : a1;
        for (int64_t u = bmx__max64(m - (S - 1) / 2, 0); u <= bmx__min64(m + S / 2, last_min);
             u++) {
            bmx__draw_put(img, (int32_t)(xmajor ? t : u), (int32_t)(xmajor ? u : t), rgb);
        }
    }
}

/* The skeleton of `o`: a line for each pair of its category's skeleton whose two
 * ends are drawable labelled points; pairs out of range are skipped. */
void bmx__draw_skeleton(struct bmx_image *img, const struct bmx_object *o,
                        const struct bmx_category *cat, double sx, double sy, int W)
{
    uint8_t rgb[3];
    if (cat == NULL || cat->skeleton == NULL) {
        return;
    }
    bmx_draw_category_color(o->category_id, rgb);
    for (size_t k = 0; k < cat->n_skeleton; k++) {
        int32_t a = cat->skeleton[2 * k], b = cat->skeleton[2 * k + 1];
        int64_t ax, ay, bx, by;
        bool va, vb;
        if (a < 1 || b < 1 || (size_t)a > o->n_keypoints || (size_t)b > o->n_keypoints) {
            continue;
        }
        if (keypoint_pixel(o, (size_t)a - 1, sx, sy, &ax, &ay, &va) &&
            keypoint_pixel(o, (size_t)b - 1, sx, sy, &bx, &by, &vb)) {
            skeleton_line(img, ax, ay, bx, by, W, rgb);
        }
    }
}

/* The labelled points of `o`: discs of radius R with a 1-px outline, filled when
 * visible; when not, a ring `band` pixels wide outlined on both sides around a
 * centre left as it was. */
void bmx__draw_points(struct bmx_image *img, const struct bmx_object *o, double sx, double sy,
                      int R, int band)
{
    uint8_t rgb[3];
    bmx_draw_category_color(o->category_id, rgb);
    const uint8_t *edge = bmx__draw_is_light(rgb) ? bmx__draw_black : bmx__draw_white;
    for (size_t k = 0; k < o->n_keypoints; k++) {
        int64_t x, y;
        bool visible;
        if (!keypoint_pixel(o, k, sx, sy, &x, &y, &visible)) {
            continue;
        }
        if (visible) {
            disc_band(img, x, y, R, -1, edge);
            disc_band(img, x, y, R - 1, -1, rgb);
        } else {
            disc_band(img, x, y, R, R - 1, edge);
            disc_band(img, x, y, R - 1, R - 1 - band, rgb);
            disc_band(img, x, y, R - 1 - band, R - 2 - band, edge);
        }
    }
}
