/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: polygon clipping and cutting by a rectangle, the COCO-compatible
 * rasteriser (frPoly) and the object-by-rectangle step every operation is built on,
 * driven by bytes read as numbers.
 *
 * Input: mode (u8), image height and width (u8 each, + 1), then the rectangle
 * (4 numbers), the ring count (u8 % 4 + 1) and per ring a vertex count
 * (u8 % 48) and its 2n coordinates. Mode bits 0-1 choose how a number is read:
 * 0: i16 / 16 (sub-pixel, around the image), 1: i16 (wide), 2: any 64-bit double
 * (NaN, infinities and huge values included), 3: u8 / 4 (inside a small image).
 * Bit 2 makes the object's mask RLE output, bit 3 clips instead of cuts, bits
 * 4-5 set the minimum side kept (0..3 px).
 *
 * Properties: clip results lie in the rectangle, cut results outside its
 * interior, every ring kept has >= 3 vertices and finite coordinates, every mask
 * validates and fits its image, kept objects are well formed.
 */
#include "fuzz.h"

#include "boxmix.h"

#include <math.h>

#define FZ_MAX_RINGS 4
#define FZ_MAX_VERTICES 48

static double read_number(struct fz_cursor *c, int mode)
{
    switch (mode) {
    case 0:
        return fz_i16(c) / 16.0;
    case 1:
        return (double)fz_i16(c);
    case 2:
        return fz_f64(c);
    default:
        return fz_u8(c) / 4.0;
    }
}

static void free_input(struct bmx_polyset *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free(set->rings[i].xy);
    }
    free(set->rings);
    set->rings = NULL;
    set->count = 0;
}

/* Each output ring: >= 3 finite vertices. Returns the largest |coordinate|. */
static double check_rings(const struct bmx_polyset *set)
{
    double mag = 0.0;
    FZ_CHECK(set->count == 0 || set->rings != NULL);
    for (size_t i = 0; i < set->count; i++) {
        FZ_CHECK(set->rings[i].n >= 3);
        for (size_t j = 0; j < 2 * set->rings[i].n; j++) {
            FZ_CHECK(isfinite(set->rings[i].xy[j]));
            mag = fmax(mag, fabs(set->rings[i].xy[j]));
        }
    }
    return mag;
}

static void check_clip(const struct bmx_polyset *out, struct bmx_box r)
{
    double mag = fmax(check_rings(out), fmax(fabs(r.x) + r.w, fabs(r.y) + r.h));
    double tol = 1e-9 * fmax(1.0, mag);
    for (size_t i = 0; i < out->count; i++) {
        const struct bmx_poly *p = &out->rings[i];
        for (size_t j = 0; j < p->n; j++) {
            double x = p->xy[2 * j], y = p->xy[2 * j + 1];
            FZ_CHECK(x >= r.x - tol && x <= r.x + r.w + tol);
            FZ_CHECK(y >= r.y - tol && y <= r.y + r.h + tol);
        }
    }
}

static void check_cut(const struct bmx_polyset *out, struct bmx_box r)
{
    double mag = fmax(check_rings(out), fmax(fabs(r.x) + r.w, fabs(r.y) + r.h));
    double tol = 1e-9 * fmax(1.0, mag);
    for (size_t i = 0; i < out->count; i++) {
        const struct bmx_poly *p = &out->rings[i];
        for (size_t j = 0; j < p->n; j++) {
            double x = p->xy[2 * j], y = p->xy[2 * j + 1];
            bool inside = x > r.x + tol && x < r.x + r.w - tol && y > r.y + tol &&
                          y < r.y + r.h - tol;
            FZ_CHECK(!inside);
        }
    }
}

static void check_mask(const struct bmx_polyset *set, uint32_t h, uint32_t w)
{
    struct bmx_rle rle = {0};
    if (bmx_rle_from_polyset(set, h, w, &rle, NULL) == BMX_OK) {
        FZ_CHECK(rle.h == h && rle.w == w);
        FZ_CHECK(bmx_rle_validate(&rle, NULL) == BMX_OK);
    }
    bmx_rle_free(&rle);
    for (size_t i = 0; i < set->count; i++) {
        if (bmx_rle_from_poly(&set->rings[i], h, w, &rle, NULL) == BMX_OK) {
            FZ_CHECK(bmx_rle_validate(&rle, NULL) == BMX_OK);
        }
        bmx_rle_free(&rle);
    }
}

static void check_object(const struct bmx_polyset *set, struct bmx_box r, uint8_t mode,
                         int32_t h, int32_t w)
{
    struct bmx_object obj;
    memset(&obj, 0, sizeof obj);
    obj.id = 1;
    obj.category_id = 1;
    obj.seg_kind = BMX_SEG_POLYGON;
    obj.polys = *set; /* borrowed: by_rect never writes its input */
    if (!bmx_polyset_bbox(set, &obj.bbox)) {
        obj.bbox = (struct bmx_box){0, 0, 1, 1};
    }
    obj.area = bmx_polyset_area(set);
    obj.has_area = true;

    struct bmx_cutmix_options opts;
    bmx_cutmix_options_init(&opts);
    opts.mask_format = (mode & 4) ? BMX_MASK_RLE : BMX_MASK_KEEP;
    opts.min_size = (mode >> 4) & 3;
    struct bmx_rect rect = {0, 0, 0, 0};
    if (isfinite(r.x) && isfinite(r.y) && isfinite(r.w) && isfinite(r.h) && fabs(r.x) < 1e6 &&
        fabs(r.y) < 1e6 && r.w >= 0 && r.w < 1e6 && r.h >= 0 && r.h < 1e6) {
        rect = (struct bmx_rect){(int32_t)r.x, (int32_t)r.y, (int32_t)r.w, (int32_t)r.h};
    }
    struct bmx_object out;
    bool kept = false;
    if (bmx_object_by_rect(&opts, &obj, rect, (mode & 8) != 0, w, h, &out, &kept, NULL) ==
        BMX_OK && kept) {
        FZ_CHECK(isfinite(out.bbox.x) && isfinite(out.bbox.y));
        FZ_CHECK(out.bbox.w >= 0 && out.bbox.h >= 0);
        FZ_CHECK(out.bbox.x >= -1e-9 && out.bbox.y >= -1e-9);
        FZ_CHECK(out.bbox.x + out.bbox.w <= w + 1e-6 && out.bbox.y + out.bbox.h <= h + 1e-6);
        FZ_CHECK(out.visibility >= 0.0 && out.visibility <= 1.0 + 1e-9);
        if (out.seg_kind == BMX_SEG_RLE) {
            FZ_CHECK(out.rle.h == (uint32_t)h && out.rle.w == (uint32_t)w);
            FZ_CHECK(bmx_rle_validate(&out.rle, NULL) == BMX_OK);
        } else if (out.seg_kind == BMX_SEG_POLYGON && out.touched) {
            /* (an untouched object is kept exactly as it came, short rings too) */
            check_rings(&out.polys);
        }
        bmx_object_free(&out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_cursor c = {data, size};
    uint8_t mode = fz_u8(&c);
    int num = mode & 3;
    uint32_t h = (uint32_t)fz_u8(&c) + 1;
    uint32_t w = (uint32_t)fz_u8(&c) + 1;
    struct bmx_box r;
    r.x = read_number(&c, num);
    r.y = read_number(&c, num);
    r.w = read_number(&c, num);
    r.h = read_number(&c, num);

    struct bmx_polyset in = {0, NULL};
    size_t n_rings = (size_t)(fz_u8(&c) % FZ_MAX_RINGS) + 1;
    in.rings = calloc(n_rings, sizeof *in.rings);
    if (in.rings == NULL) {
        return 0;
    }
    for (size_t i = 0; i < n_rings; i++) {
        size_t n = fz_u8(&c) % FZ_MAX_VERTICES;
        in.rings[i].n = n;
        in.rings[i].xy = calloc(2 * n + 1, sizeof(double));
        in.count = i + 1;
        if (in.rings[i].xy == NULL) {
            free_input(&in);
            return 0;
        }
        for (size_t j = 0; j < 2 * n; j++) {
            in.rings[i].xy[j] = read_number(&c, num);
        }
    }

    bool finite = true;
    for (size_t i = 0; i < in.count; i++) {
        for (size_t j = 0; j < 2 * in.rings[i].n; j++) {
            finite = finite && isfinite(in.rings[i].xy[j]);
        }
    }
    bool rect_ok = isfinite(r.x) && isfinite(r.y) && isfinite(r.w) && isfinite(r.h) &&
                   isfinite(r.x + r.w) && isfinite(r.y + r.h);

    (void)bmx_polyset_area(&in);
    struct bmx_box bb;
    (void)bmx_polyset_bbox(&in, &bb);

    struct bmx_polyset clipped = {0, NULL}, cut = {0, NULL}, copy = {0, NULL};
    bmx_status st = bmx_polyset_clip_rect(&in, r, &clipped, NULL);
    if (!finite || !rect_ok) {
        FZ_CHECK(st != BMX_OK);
    }
    if (st == BMX_OK && r.w >= 0 && r.h >= 0) {
        check_clip(&clipped, r);
        check_mask(&clipped, h, w);
    }
    st = bmx_polyset_cut_rect(&in, r, &cut, NULL);
    if (!finite || !rect_ok) {
        FZ_CHECK(st != BMX_OK);
    }
    if (st == BMX_OK && r.w >= 0 && r.h >= 0) {
        check_cut(&cut, r);
        check_mask(&cut, h, w);
    }
    check_mask(&in, h, w);
    if (bmx_polyset_copy(&in, &copy, NULL) == BMX_OK) {
        bmx_polyset_scale(&copy, 0.5, 2.0);
        check_mask(&copy, h, w);
    }
    if (finite) {
        check_object(&in, r, mode, (int32_t)h, (int32_t)w);
    }
    bmx_polyset_free(&clipped);
    bmx_polyset_free(&cut);
    bmx_polyset_free(&copy);
    free_input(&in);
    return 0;
}
