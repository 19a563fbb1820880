/* SPDX-License-Identifier: MIT */
/*
 * CutMix's pixels: image A copied with the patch's rectangle taken from image B
 * resized to A's size.
 */
#include "pixels.h"

#include <string.h>

bmx_status bmx__image_paste(const struct bmx_image *a, const struct bmx_image *b,
                            struct bmx_rect r, struct bmx_image *dst, bmx_error *err)
{
    const size_t c = (size_t)a->channels;
    const size_t row = (size_t)a->w * c;
    for (int32_t y = 0; y < a->h; y++) {
        const uint8_t *s = a->data + (size_t)y * a->stride;
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        if (y < r.y || y >= r.y + r.h || r.w <= 0) {
            memcpy(d, s, row);
        } else {
            /* The patch's own bytes come from B below. */
            size_t left = (size_t)r.x * c;
            size_t right = (size_t)(r.x + r.w) * c;
            memcpy(d, s, left);
            memcpy(d + right, s + right, row - right);
        }
    }
    return bmx__image_resize_rect(b, a->w, a->h, r, dst, err);
}
