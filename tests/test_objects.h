/* SPDX-License-Identifier: MIT */
/* Images and objects the C tests build their samples from (include after
 * cmocka.h). */
#ifndef BMX_TEST_OBJECTS_H
#define BMX_TEST_OBJECTS_H

#include "boxmix.h"

#include <stdlib.h>
#include <string.h>

/* A flat w x h RGB image of value v. */
static inline struct bmx_image flat(int32_t w, int32_t h, uint8_t v)
{
    struct bmx_image img;
    assert_int_equal(bmx_image_new(w, h, 3, &img, NULL), BMX_OK);
    for (int32_t y = 0; y < h; y++) {
        memset(img.data + (size_t)y * img.stride, v, (size_t)w * 3);
    }
    return img;
}

/* A w x h RGB image, every pixel a different colour (a function of x, y and the
 * channel). */
static inline struct bmx_image pattern(int32_t w, int32_t h, uint8_t seed)
{
    struct bmx_image img = flat(w, h, 0);
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            for (int c = 0; c < 3; c++) {
                img.data[(size_t)y * img.stride + (size_t)x * 3 + c] =
                    (uint8_t)(seed + x * 7 + y * 13 + c * 50);
            }
        }
    }
    return img;
}

/* The RLE of an h x w mask whose pixels [x0, x1) x [y0, y1) are set. */
static inline struct bmx_rle rect_mask(uint32_t h, uint32_t w, uint32_t x0, uint32_t y0,
                                       uint32_t x1, uint32_t y1)
{
    struct bmx_rle rle;
    uint8_t *m = calloc((size_t)h * w, 1);
    assert_non_null(m);
    for (uint32_t x = x0; x < x1; x++) {
        for (uint32_t y = y0; y < y1; y++) {
            m[(size_t)x * h + y] = 1;
        }
    }
    assert_int_equal(bmx_rle_encode(m, h, w, &rle, NULL), BMX_OK);
    free(m);
    return rle;
}

/* An RLE object, category 2, of an h x w mask: its pixels [x0, x1) x [y0, y1). */
static inline struct bmx_object rle_obj(int64_t id, uint32_t h, uint32_t w, uint32_t x0,
                                        uint32_t y0, uint32_t x1, uint32_t y1)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = id;
    o.category_id = 2;
    o.seg_kind = BMX_SEG_RLE;
    o.rle_compressed = true;
    o.rle = rect_mask(h, w, x0, y0, x1, y1);
    bmx_rle_bbox(&o.rle, &o.bbox);
    o.area = (double)bmx_rle_area(&o.rle);
    o.has_area = true;
    return o;
}

/* A bare box object, category 1. */
static inline struct bmx_object box_object(int64_t id, double x, double y, double w, double h)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = id;
    o.category_id = 1;
    o.bbox = (struct bmx_box){x, y, w, h};
    o.area = w * h;
    o.has_area = true;
    return o;
}

/* A rectangle as a polygon object (one ring), category 1. */
static inline struct bmx_object square_polygon(int64_t id, double x, double y, double w,
                                               double h)
{
    struct bmx_object o = box_object(id, x, y, w, h);
    o.seg_kind = BMX_SEG_POLYGON;
    o.polys.count = 1;
    o.polys.rings = calloc(1, sizeof *o.polys.rings);
    assert_non_null(o.polys.rings);
    o.polys.rings[0].n = 4;
    o.polys.rings[0].xy = malloc(8 * sizeof(double));
    assert_non_null(o.polys.rings[0].xy);
    const double xy[8] = {x, y, x + w, y, x + w, y + h, x, y + h};
    memcpy(o.polys.rings[0].xy, xy, sizeof xy);
    return o;
}

/* A polygon object, category 1: the rectangle [x0, x1) x [y0, y1) as one ring. */
static inline struct bmx_object poly_obj(int64_t id, double x0, double y0, double x1, double y1)
{
    return square_polygon(id, x0, y0, x1 - x0, y1 - y0);
}

/* A pixel rectangle as an RLE object of a W x H image, category 1. */
static inline struct bmx_object rect_rle(int64_t id, int32_t W, int32_t H, int32_t x, int32_t y,
                                         int32_t w, int32_t h)
{
    struct bmx_object o = box_object(id, x, y, w, h);
    o.seg_kind = BMX_SEG_RLE;
    o.rle = rect_mask((uint32_t)H, (uint32_t)W, (uint32_t)x, (uint32_t)y, (uint32_t)(x + w),
                      (uint32_t)(y + h));
    return o;
}

/* Object `o` appended to sample `s` (which takes it over). */
static inline void add_object(struct bmx_sample *s, struct bmx_object o)
{
    struct bmx_object *grown = realloc(s->objects, (s->n_objects + 1) * sizeof *grown);
    assert_non_null(grown);
    s->objects = grown;
    s->objects[s->n_objects++] = o;
}

#endif
