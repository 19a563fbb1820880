/* SPDX-License-Identifier: MIT */
/* CutOut (DESIGN.md, "Other operations"): hand-computed cuts by one and several
 * holes, the fills, lambda, and properties over thousands of random draws. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ops.h"
#include "test_objects.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

static struct bmx_cutmix_options rules(void)
{
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    return o;
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    assert_true(fabs(b.x - x) < 1e-9);
    assert_true(fabs(b.y - y) < 1e-9);
    assert_true(fabs(b.w - w) < 1e-9);
    assert_true(fabs(b.h - h) < 1e-9);
}

/* ------------------------------------------------------------------------- */
/* Hand-computed cuts                                                         */
/* ------------------------------------------------------------------------- */

/* A hole over half of a box: visibility 0.5, the other half's box; the same for
 * the box as a polygon and as an RLE mask. */
static void hole_over_half_a_box(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = rules();
    const struct bmx_rect hole = {10, 10, 10, 20};
    struct bmx_object in[3] = {box_object(1, 10, 10, 20, 20), square_polygon(2, 10, 10, 20, 20),
                               rect_rle(3, 100, 80, 10, 10, 20, 20)};
    for (int k = 0; k < 3; k++) {
        struct bmx_object out;
        struct bmx__verdict v;
        bool kept = false;
        size_t filled = 0;
        assert_int_equal(bmx__object_by_holes(&opts, &in[k], &hole, 1, 100, 80, &out, &kept, &v,
                                              &filled, NULL),
                         BMX_OK);
        assert_true(kept);
        assert_true(out.touched);
        assert_true(fabs(out.visibility - 0.5) < 1e-12);
        assert_true(fabs(v.visibility - 0.5) < 1e-12);
        assert_true(fabs(out.area - 200.0) < 1e-9);
        assert_box(out.bbox, 20, 10, 10, 20);
        bmx_object_free(&out);
        bmx_object_free(&in[k]);
    }
}

/* Two holes that overlap: the part they share is counted once. The box
 * [0,10]^2 minus [0,6]x[0,10] minus [4,10]x[0,5] leaves [6,10]x[5,10]. */
static void overlapping_holes_count_once(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = rules();
    const struct bmx_rect holes[2] = {{0, 0, 6, 10}, {4, 0, 6, 5}};
    struct bmx_object in[3] = {box_object(1, 0, 0, 10, 10), square_polygon(2, 0, 0, 10, 10),
                               rect_rle(3, 40, 30, 0, 0, 10, 10)};
    for (int k = 0; k < 3; k++) {
        struct bmx_object out;
        bool kept = false;
        size_t filled = 0;
        assert_int_equal(bmx__object_by_holes(&opts, &in[k], holes, 2, 40, 30, &out, &kept, NULL,
                                              &filled, NULL),
                         BMX_OK);
        assert_true(kept);
        assert_true(fabs(out.area - 20.0) < 1e-9);
        assert_true(fabs(out.visibility - 0.2) < 1e-12);
        assert_box(out.bbox, 6, 5, 4, 5);
        bmx_object_free(&out);
        bmx_object_free(&in[k]);
    }
}

/* A bare box cut into an L and then into two squares: the exact area (a chain of
 * tight boxes would say 75 after the first hole and keep saying it). */
static void bare_box_minus_two_corners(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = rules();
    const struct bmx_rect holes[2] = {{0, 0, 5, 5}, {5, 5, 5, 5}};
    struct bmx_object in = box_object(1, 0, 0, 10, 10);
    struct bmx_object out;
    bool kept = false;
    size_t filled = 0;
    assert_int_equal(
        bmx__object_by_holes(&opts, &in, holes, 2, 20, 20, &out, &kept, NULL, &filled, NULL),
        BMX_OK);
    assert_true(kept);
    assert_true(fabs(out.area - 50.0) < 1e-12);
    assert_true(fabs(out.visibility - 0.5) < 1e-12);
    assert_box(out.bbox, 0, 0, 10, 10);
    bmx_object_free(&out);

    /* Three holes leaving a thin frame piece: min_visibility decides on the whole. */
    const struct bmx_rect more[3] = {{0, 0, 10, 4}, {0, 4, 9, 6}, {9, 4, 1, 5}};
    assert_int_equal(
        bmx__object_by_holes(&opts, &in, more, 3, 20, 20, &out, &kept, NULL, &filled, NULL),
        BMX_OK);
    assert_false(kept); /* 1 pixel of 100 is left: under 0.10 */
    struct bmx__verdict v;
    opts.min_visibility = 0.0;
    opts.min_size = 0.0;
    assert_int_equal(
        bmx__object_by_holes(&opts, &in, more, 3, 20, 20, &out, &kept, &v, &filled, NULL),
        BMX_OK);
    assert_true(kept);
    assert_true(fabs(out.area - 1.0) < 1e-12);
    assert_box(out.bbox, 9, 9, 1, 1);
    assert_true(fabs(v.visibility - 0.01) < 1e-12);
    bmx_object_free(&out);
}

/* No hole touches it: written exactly as it came (box and area as recorded, even
 * an area that is not w*h). A crowd object keeps any visible part. */
static void untouched_and_crowd(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = rules();
    const struct bmx_rect holes[2] = {{0, 0, 5, 5}, {30, 30, 5, 5}};
    struct bmx_object in = box_object(9, 10, 10, 10, 10);
    in.area = 77.5;
    struct bmx_object out;
    bool kept = false;
    size_t filled = 0;
    assert_int_equal(
        bmx__object_by_holes(&opts, &in, holes, 2, 40, 40, &out, &kept, NULL, &filled, NULL),
        BMX_OK);
    assert_true(kept);
    assert_false(out.touched);
    assert_true(out.area == 77.5);
    assert_box(out.bbox, 10, 10, 10, 10);
    bmx_object_free(&out);

    struct bmx_object crowd = box_object(10, 0, 0, 10, 10);
    crowd.iscrowd = 1;
    const struct bmx_rect big[1] = {{0, 0, 10, 9}};
    assert_int_equal(
        bmx__object_by_holes(&opts, &crowd, big, 1, 40, 40, &out, &kept, NULL, &filled, NULL),
        BMX_OK);
    assert_true(kept);
    assert_true(fabs(out.visibility - 0.1) < 1e-12);
    bmx_object_free(&out);
    const struct bmx_rect all[1] = {{0, 0, 10, 10}};
    assert_int_equal(
        bmx__object_by_holes(&opts, &crowd, all, 1, 40, 40, &out, &kept, NULL, &filled, NULL),
        BMX_OK);
    assert_false(kept);
}

/* A polygon written as RLE after two holes: both holes cleared from its raster. */
static void polygon_to_rle_clears_every_hole(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = rules();
    opts.mask_format = BMX_MASK_RLE;
    const struct bmx_rect holes[2] = {{0, 0, 3, 10}, {7, 0, 3, 10}};
    struct bmx_object in = square_polygon(1, 0, 0, 10, 10);
    struct bmx_object out;
    bool kept = false;
    size_t filled = 0;
    assert_int_equal(
        bmx__object_by_holes(&opts, &in, holes, 2, 20, 20, &out, &kept, NULL, &filled, NULL),
        BMX_OK);
    assert_true(kept);
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_int_equal(bmx_rle_area(&out.rle), 40);
    assert_true(out.area == 40.0);
    assert_box(out.bbox, 3, 0, 4, 10);
    bmx_object_free(&out);
    bmx_object_free(&in);
}

/* ------------------------------------------------------------------------- */
/* The operation: fills, lambda, record                                       */
/* ------------------------------------------------------------------------- */

static struct bmx_sample flat_sample(int32_t w, int32_t h, int32_t c)
{
    struct bmx_sample s;
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx_image_new(w, h, c, &s.image, NULL), BMX_OK);
    return s;
}

/* The mean is each channel's mean over every pixel, rounded to nearest: 1.5 -> 2,
 * 10.5 -> 11, 254.5 -> 255; a hole over the whole image is that colour. */
static void mean_fill_exact(void **state)
{
    (void)state;
    struct bmx_sample a = flat_sample(2, 1, 3);
    const uint8_t px[6] = {0, 10, 255, 3, 11, 254};
    memcpy(a.image.data, px, 6);
    struct bmx_op_options o;
    bmx_op_options_init(&o);
    o.op = BMX_OP_CUTOUT;
    o.cutmix.mode = BMX_PATCH_RATIO;
    o.cutmix.ratio_lo = o.cutmix.ratio_hi = 1.0;
    const struct bmx_sample *in[1] = {&a};
    struct bmx_sample out;
    struct bmx_op_record rec;
    bmx_rng rng;
    bmx_rng_seed(&rng, 1, 2);
    assert_int_equal(bmx_op_apply(&o, in, 1, &rng, &out, &rec, NULL, NULL, NULL), BMX_OK);
    assert_int_equal(rec.op, BMX_OP_CUTOUT);
    assert_int_equal(rec.n_holes, 1);
    assert_int_equal(rec.fill, BMX_FILL_MEAN);
    assert_int_equal(rec.fill_rgb[0], 2);
    assert_int_equal(rec.fill_rgb[1], 11);
    assert_int_equal(rec.fill_rgb[2], 255);
    assert_true(rec.lambda == 0.0);
    const uint8_t want[6] = {2, 11, 255, 2, 11, 255};
    assert_memory_equal(out.image.data, want, 6);
    bmx_sample_free(&out);
    bmx_sample_free(&a);

    /* A larger image, a hole of half its sides: the hole has the whole image's mean
     * (not the hole's), the rest is untouched. */
    a = flat_sample(8, 6, 3);
    uint64_t sum[3] = {0, 0, 0};
    for (int32_t y = 0; y < 6; y++) {
        for (int32_t x = 0; x < 8; x++) {
            for (int k = 0; k < 3; k++) {
                uint8_t v = (uint8_t)((x * 37 + y * 11 + k * 101) % 256);
                a.image.data[(size_t)y * a.image.stride + (size_t)x * 3 + (size_t)k] = v;
                sum[k] += v;
            }
        }
    }
    o.cutmix.ratio_lo = o.cutmix.ratio_hi = 0.5;
    bmx_rng_seed(&rng, 3, 4);
    in[0] = &a;
    assert_int_equal(bmx_op_apply(&o, in, 1, &rng, &out, &rec, NULL, NULL, NULL), BMX_OK);
    const struct bmx_rect r = rec.holes[0];
    assert_int_equal(r.w, 4);
    assert_int_equal(r.h, 3);
    assert_true(rec.lambda == 36.0 / 48.0);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(rec.fill_rgb[k], (sum[k] + 24) / 48);
    }
    for (int32_t y = 0; y < 6; y++) {
        for (int32_t x = 0; x < 8; x++) {
            bool in_hole = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
            for (int k = 0; k < 3; k++) {
                size_t at = (size_t)y * out.image.stride + (size_t)x * 3 + (size_t)k;
                size_t at_a = (size_t)y * a.image.stride + (size_t)x * 3 + (size_t)k;
                const uint8_t want = in_hole ? rec.fill_rgb[k] : a.image.data[at_a];
                assert_int_equal(out.image.data[at], want);
            }
        }
    }
    bmx_sample_free(&out);
    bmx_sample_free(&a);
}

/* Constant fill, and noise: the same bytes for the same generator, the pixels
 * outside the holes untouched, the holes and objects those of the dry run. */
static void constant_and_noise_fill(void **state)
{
    (void)state;
    struct bmx_sample a = flat_sample(40, 30, 3);
    memset(a.image.data, 7, (size_t)a.image.stride * 30);
    struct bmx_op_options o;
    bmx_op_options_init(&o);
    o.op = BMX_OP_CUTOUT;
    o.holes = 3;
    o.fill = BMX_FILL_CONSTANT;
    o.fill_rgb[0] = 1;
    o.fill_rgb[1] = 2;
    o.fill_rgb[2] = 3;
    const struct bmx_sample *in[1] = {&a};
    struct bmx_sample out, out2;
    struct bmx_op_record rec, rec2;
    bmx_rng rng;
    bmx_rng_seed(&rng, 5, 6);
    assert_int_equal(bmx_op_apply(&o, in, 1, &rng, &out, &rec, NULL, NULL, NULL), BMX_OK);
    assert_int_equal(rec.fill_rgb[2], 3);
    size_t covered = 0;
    for (int32_t y = 0; y < 30; y++) {
        for (int32_t x = 0; x < 40; x++) {
            bool hole = false;
            for (size_t k = 0; k < rec.n_holes; k++) {
                const struct bmx_rect r = rec.holes[k];
                hole = hole || (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h);
            }
            covered += hole;
            const uint8_t *p = out.image.data + (size_t)y * out.image.stride + (size_t)x * 3;
            if (hole) {
                assert_true(p[0] == 1 && p[1] == 2 && p[2] == 3);
            } else {
                assert_true(p[0] == 7 && p[1] == 7 && p[2] == 7);
            }
        }
    }
    assert_true(rec.lambda == (double)(1200 - covered) / 1200.0);
    bmx_sample_free(&out);

    o.fill = BMX_FILL_NOISE;
    bmx_rng_seed(&rng, 5, 6);
    assert_int_equal(bmx_op_apply(&o, in, 1, &rng, &out, &rec, NULL, NULL, NULL), BMX_OK);
    bmx_rng_seed(&rng, 5, 6);
    assert_int_equal(bmx_op_apply(&o, in, 1, &rng, &out2, &rec2, NULL, NULL, NULL), BMX_OK);
    assert_memory_equal(out.image.data, out2.image.data, (size_t)out.image.stride * 30);
    assert_memory_equal(rec.holes, rec2.holes, sizeof rec.holes);
    size_t differ = 0;
    for (size_t i = 0; i < (size_t)out.image.stride * 30; i++) {
        differ += out.image.data[i] != 7;
    }
    assert_true(differ > covered); /* noise, not a flat colour (3 channels a pixel) */
    bmx_sample_free(&out);
    bmx_sample_free(&out2);
    bmx_sample_free(&a);
}

/* ------------------------------------------------------------------------- */
/* Properties over random draws                                               */
/* ------------------------------------------------------------------------- */

/* The pixels of a w x h mask (column-major) that an object covers, as the library
 * measures it: RLE as it is, a bare integer box as its pixels. */
static bool rle_pixel(const uint8_t *m, int32_t h, int32_t x, int32_t y)
{
    return m[(size_t)x * (size_t)h + (size_t)y] != 0;
}

static bool in_any_hole(const struct bmx_rect *holes, size_t n, double x, double y)
{
    for (size_t k = 0; k < n; k++) {
        if (x > holes[k].x && x < holes[k].x + holes[k].w && y > holes[k].y &&
            y < holes[k].y + holes[k].h) {
            return true;
        }
    }
    return false;
}

static struct bmx_object random_object(bmx_rng *g, int32_t w, int32_t h, int64_t id)
{
    int32_t bw = 1 + (int32_t)bmx_rng_below(g, (uint64_t)w / 2);
    int32_t bh = 1 + (int32_t)bmx_rng_below(g, (uint64_t)h / 2);
    int32_t bx = (int32_t)bmx_rng_below(g, (uint64_t)(w - bw + 1));
    int32_t by = (int32_t)bmx_rng_below(g, (uint64_t)(h - bh + 1));
    switch (bmx_rng_below(g, 3)) {
    case 0:
        return box_object(id, bx, by, bw, bh);
    case 1: {
        /* A triangle, a vertex possibly past the image's edge. */
        struct bmx_object o = square_polygon(id, bx, by, bw, bh);
        o.polys.rings[0].n = 3;
        o.polys.rings[0].xy[4] = bx + bw * 0.5 + (bmx_rng_below(g, 4) == 0 ? 7.25 : 0.0);
        o.polys.rings[0].xy[5] = by + bh;
        bmx_polyset_bbox(&o.polys, &o.bbox);
        o.area = bmx_polyset_area(&o.polys);
        return o;
    }
    default:
        return rect_rle(id, w, h, bx, by, bw, bh);
    }
}

static void random_draws_properties(void **state)
{
    (void)state;
    bmx_rng g;
    bmx_rng_seed(&g, 2026, 17);
    size_t kept_total = 0, dropped_total = 0;
    for (int draw = 0; draw < 3000; draw++) {
        const int32_t w = 8 + (int32_t)bmx_rng_below(&g, 60);
        const int32_t h = 8 + (int32_t)bmx_rng_below(&g, 60);
        struct bmx_sample a;
        memset(&a, 0, sizeof a);
        a.image = (struct bmx_image){w, h, 3, 0, NULL};
        a.n_objects = 1 + (size_t)bmx_rng_below(&g, 4);
        a.objects = calloc(a.n_objects, sizeof *a.objects);
        assert_non_null(a.objects);
        for (size_t i = 0; i < a.n_objects; i++) {
            a.objects[i] = random_object(&g, w, h, (int64_t)i + 1);
        }
        struct bmx_op_options o;
        bmx_op_options_init(&o);
        o.op = BMX_OP_CUTOUT;
        o.holes = 1 + (int)bmx_rng_below(&g, 6);
        o.cutmix.min_visibility = 0.0;
        o.cutmix.min_size = 0.0;
        if (bmx_rng_below(&g, 2) == 0) {
            o.cutmix.mode = BMX_PATCH_RATIO;
            o.cutmix.ratio_lo = 0.1;
            o.cutmix.ratio_hi = 0.6;
        }
        const struct bmx_sample *in[1] = {&a};
        struct bmx_sample out;
        struct bmx_op_record rec;
        struct bmx_decision *dec = calloc(a.n_objects, sizeof *dec);
        assert_non_null(dec);
        bmx_rng rng;
        bmx_rng_seed_op(&rng, 99, (uint64_t)draw);
        assert_int_equal(bmx_op_apply(&o, in, 1, &rng, &out, &rec, NULL, dec, NULL), BMX_OK);
        assert_null(out.image.data);
        assert_int_equal(out.image.w, w);

        /* lambda: the share no hole covers, counted pixel by pixel. */
        size_t free_px = 0;
        for (int32_t y = 0; y < h; y++) {
            for (int32_t x = 0; x < w; x++) {
                free_px += !in_any_hole(rec.holes, rec.n_holes, x + 0.5, y + 0.5);
            }
        }
        assert_true(rec.lambda == (double)free_px / ((double)w * h));

        size_t j = 0;
        for (size_t i = 0; i < a.n_objects; i++) {
            const struct bmx_object *ob = &a.objects[i];
            if (dec[i].kind == BMX_DECIDED_DROPPED) {
                dropped_total++;
                continue;
            }
            kept_total++;
            const struct bmx_object *r = &out.objects[j++];
            assert_int_equal(r->id, ob->id);
            assert_int_equal(r->origin, BMX_FROM_BASE);
            /* Inside the image, never larger than it came. */
            assert_true(r->bbox.x >= 0.0 && r->bbox.y >= 0.0);
            assert_true(r->bbox.x + r->bbox.w <= w + 1e-9 && r->bbox.y + r->bbox.h <= h + 1e-9);
            assert_true(r->visibility <= 1.0 && r->visibility > 0.0);
            double whole = ob->seg_kind == BMX_SEG_RLE ? (double)bmx_rle_area(&ob->rle)
                           : ob->seg_kind == BMX_SEG_POLYGON ? -1.0
                                                             : ob->bbox.w * ob->bbox.h;
            if (whole > 0.0) {
                assert_true(r->area <= whole + 1e-9);
                assert_true(fabs(r->area / whole - r->visibility) < 1e-9);
            }
            assert_true(fabs(dec[i].visibility - r->visibility) < 1e-12);
            if (r->seg_kind == BMX_SEG_RLE) {
                /* No pixel under a hole; the box is the mask's. */
                uint8_t *m = malloc((size_t)w * (size_t)h);
                assert_non_null(m);
                assert_int_equal(bmx_rle_decode(&r->rle, m, (size_t)w * (size_t)h, NULL), BMX_OK);
                for (int32_t x = 0; x < w; x++) {
                    for (int32_t y = 0; y < h; y++) {
                        if (rle_pixel(m, h, x, y)) {
                            assert_false(in_any_hole(rec.holes, rec.n_holes, x + 0.5, y + 0.5));
                        }
                    }
                }
                free(m);
            } else if (r->seg_kind == BMX_SEG_POLYGON && r->polys.count > 0) {
                /* Every vertex in the image; no ring's centroid-free test here, but
                 * the exact area never grows. */
                double e[4];
                bool fin = true;
                assert_true(bmx__polyset_extent(&r->polys, e, &fin));
                assert_true(e[0] >= 0.0 && e[1] >= 0.0 && e[2] <= w && e[3] <= h);
                assert_true(r->area <= bmx_polyset_area(&ob->polys) + 1e-9);
            } else if (r->touched) {
                /* A bare integer box: its area is the count of its pixels no hole
                 * covers, its box theirs. */
                size_t left = 0;
                for (int32_t y = (int32_t)ob->bbox.y; y < ob->bbox.y + ob->bbox.h; y++) {
                    for (int32_t x = (int32_t)ob->bbox.x; x < ob->bbox.x + ob->bbox.w; x++) {
                        if (!in_any_hole(rec.holes, rec.n_holes, x + 0.5, y + 0.5)) {
                            left++;
                            assert_true(x >= r->bbox.x && x + 1 <= r->bbox.x + r->bbox.w);
                            assert_true(y >= r->bbox.y && y + 1 <= r->bbox.y + r->bbox.h);
                        }
                    }
                }
                assert_true(fabs(r->area - (double)left) < 1e-9);
            }
        }
        assert_int_equal(j, out.n_objects);
        free(dec);
        bmx_sample_free(&out);
        bmx_sample_free(&a);
    }
    assert_true(kept_total > 1000);
    assert_true(dropped_total > 100);
}

/* The dry run decides the same objects as the pixel run, draw for draw. */
static void dry_run_equals_pixel_run(void **state)
{
    (void)state;
    bmx_rng g;
    bmx_rng_seed(&g, 77, 1);
    for (int draw = 0; draw < 300; draw++) {
        const int32_t w = 16 + (int32_t)bmx_rng_below(&g, 40);
        const int32_t h = 16 + (int32_t)bmx_rng_below(&g, 40);
        struct bmx_sample a = flat_sample(w, h, 3);
        for (size_t i = 0; i < (size_t)a.image.stride * (size_t)h; i++) {
            a.image.data[i] = (uint8_t)(i * 31);
        }
        a.n_objects = 3;
        a.objects = calloc(3, sizeof *a.objects);
        assert_non_null(a.objects);
        for (size_t i = 0; i < 3; i++) {
            a.objects[i] = random_object(&g, w, h, (int64_t)i + 1);
        }
        struct bmx_sample dry = a;
        dry.image.data = NULL;
        struct bmx_op_options o;
        bmx_op_options_init(&o);
        o.op = BMX_OP_CUTOUT;
        o.holes = 1 + (int)bmx_rng_below(&g, 4);
        o.fill = (enum bmx_fill)bmx_rng_below(&g, 3);
        o.cutmix.mask_format = (enum bmx_mask_format)bmx_rng_below(&g, 3);
        const struct bmx_sample *in[1] = {&a};
        const struct bmx_sample *in_dry[1] = {&dry};
        struct bmx_sample out, out_dry;
        struct bmx_op_record rec, rec_dry;
        assert_int_equal(bmx_cutout_at(&o, in[0], 5, (uint64_t)draw, &out, &rec, NULL, NULL),
                         BMX_OK);
        assert_int_equal(
            bmx_cutout_at(&o, in_dry[0], 5, (uint64_t)draw, &out_dry, &rec_dry, NULL, NULL),
            BMX_OK);
        assert_null(out_dry.image.data);
        assert_int_equal(rec.n_holes, rec_dry.n_holes);
        assert_memory_equal(rec.holes, rec_dry.holes, rec.n_holes * sizeof rec.holes[0]);
        assert_true(rec.lambda == rec_dry.lambda);
        assert_int_equal(out.n_objects, out_dry.n_objects);
        for (size_t i = 0; i < out.n_objects; i++) {
            const struct bmx_object *p = &out.objects[i], *q = &out_dry.objects[i];
            assert_int_equal(p->id, q->id);
            assert_memory_equal(&p->bbox, &q->bbox, sizeof p->bbox);
            assert_true(p->area == q->area && p->visibility == q->visibility);
            assert_int_equal(p->seg_kind, q->seg_kind);
            if (p->seg_kind == BMX_SEG_RLE) {
                assert_int_equal(p->rle.m, q->rle.m);
                assert_memory_equal(p->rle.counts, q->rle.counts, p->rle.m * sizeof(uint32_t));
            } else if (p->seg_kind == BMX_SEG_POLYGON) {
                assert_int_equal(p->polys.count, q->polys.count);
                for (size_t k = 0; k < p->polys.count; k++) {
                    assert_int_equal(p->polys.rings[k].n, q->polys.rings[k].n);
                    assert_memory_equal(p->polys.rings[k].xy, q->polys.rings[k].xy,
                                        2 * p->polys.rings[k].n * sizeof(double));
                }
            }
        }
        bmx_sample_free(&out);
        bmx_sample_free(&out_dry);
        bmx_sample_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hole_over_half_a_box),
        cmocka_unit_test(overlapping_holes_count_once),
        cmocka_unit_test(bare_box_minus_two_corners),
        cmocka_unit_test(untouched_and_crowd),
        cmocka_unit_test(polygon_to_rle_clears_every_hole),
        cmocka_unit_test(mean_fill_exact),
        cmocka_unit_test(constant_and_noise_fill),
        cmocka_unit_test(random_draws_properties),
        cmocka_unit_test(dry_run_equals_pixel_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
