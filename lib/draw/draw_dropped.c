/* SPDX-License-Identifier: MIT */
/* What an operation took out: the box a dropped object had before, outlined in
 * grey dots under the objects that stayed, so a reviewer sees what was dropped. */
#include "draw_parts.h"

static const uint8_t dropped_grey[3] = {150, 150, 150};

void bmx__draw_dropped(struct bmx_image *img, const struct bmx_box *boxes, size_t n, double sx,
                       double sy, int line_width)
{
    if (!bmx__draw_view_ok(img)) {
        return;
    }
    const int L = line_width > 0 ? line_width : 1;
    for (size_t i = 0; i < n; i++) {
        int32_t x0, y0, x1, y1;
        if (bmx__draw_box_extent(boxes[i], sx, sy, &x0, &y0, &x1, &y1)) {
            /* Dots as long as the line is wide, two gaps as long between them. */
            bmx__draw_outline_extent(img, x0, y0, x1, y1, L, dropped_grey, L, 3 * (int64_t)L);
        }
    }
}
