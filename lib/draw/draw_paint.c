/* SPDX-License-Identifier: MIT */
/*
 * The colours and pixel primitives every drawing uses: the category palette
 * (bmx_draw_category_color), white and black, which of the two contrasts with a
 * colour, the check that an image is RGB with pixels, and filling a rectangle.
 */
#include "draw_parts.h"

#include <string.h>

const uint8_t bmx__draw_white[3] = {255, 255, 255};
const uint8_t bmx__draw_black[3] = {0, 0, 0};

/* 24 colours picked to be told apart: the first twelve are the most distinct, so
 * the small category ids most datasets start with get them. */
static const uint8_t palette[24][3] = {
    {230, 40, 50},   /* red */
    {40, 170, 70},   /* green */
    {30, 110, 230},  /* blue */
    {250, 210, 20},  /* yellow */
    {250, 130, 20},  /* orange */
    {140, 60, 200},  /* purple */
    {20, 210, 220},  /* cyan */
    {230, 40, 200},  /* magenta */
    {170, 240, 40},  /* lime */
    {255, 160, 190}, /* pink */
    {0, 130, 130},   /* teal */
    {200, 170, 255}, /* lavender */
    {150, 90, 30},   /* brown */
    {255, 240, 180}, /* cream */
    {130, 20, 40},   /* maroon */
    {150, 255, 200}, /* mint */
    {130, 130, 20},  /* olive */
    {255, 200, 150}, /* peach */
    {30, 40, 140},   /* navy */
    {120, 140, 170}, /* slate */
    {120, 200, 255}, /* sky */
    {20, 90, 40},    /* forest */
    {255, 110, 90},  /* coral */
    {100, 30, 110},  /* plum */
};

#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

/* A fixed modular hash of the id into the palette: ids 1..24 get 24 different
 * colours, in palette order; the mapping never depends on anything else. */
void bmx_draw_category_color(int64_t id, uint8_t rgb[3])
{
    size_t i = (size_t)(((uint64_t)id + (PALETTE_SIZE - 1)) % PALETTE_SIZE);
    memcpy(rgb, palette[i], 3);
}

bool bmx__draw_view_ok(const struct bmx_image *img)
{
    size_t row;
    if (img == NULL || img->data == NULL || img->w <= 0 || img->h <= 0 || img->channels < 3) {
        return false;
    }
    return bmx__mul_size((size_t)img->w, (size_t)img->channels, &row) && img->stride >= row;
}

/* Fill columns x0..x1, rows y0..y1 (inclusive), clipped to the image. */
void bmx__draw_fill_rect(struct bmx_image *img, int64_t x0, int64_t y0, int64_t x1, int64_t y1,
                         const uint8_t rgb[3])
{
    x0 = bmx__max64(x0, 0);
    y0 = bmx__max64(y0, 0);
    x1 = bmx__min64(x1, (int64_t)img->w - 1);
    y1 = bmx__min64(y1, (int64_t)img->h - 1);
    for (int64_t y = y0; y <= y1; y++) {
        for (int64_t x = x0; x <= x1; x++) {
            bmx__draw_put(img, (int32_t)x, (int32_t)y, rgb);
        }
    }
}

bool bmx__draw_is_light(const uint8_t rgb[3])
{
    return 299u * rgb[0] + 587u * rgb[1] + 114u * rgb[2] >= 140000u;
}
