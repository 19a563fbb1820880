/* SPDX-License-Identifier: MIT */
/* The safety limits' defaults: every layer that reads or makes something applies
 * them, so they live at the bottom. */
#include "error.h"

void bmx_limits_init(struct bmx_limits *limits)
{
    if (limits != NULL) {
        limits->max_image_pixels = BMX__DEFAULT_MAX_PIXELS;
        limits->max_polygon_vertices = 1000000;
        limits->max_objects_per_image = 100000;
    }
}
