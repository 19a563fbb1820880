/* SPDX-License-Identifier: MIT */
/* Cut by a mask (lib/ops/object_mask.c) and the exact pixel-edge tracing it writes
 * polygons with (lib/geometry/contour_exact.c): hand-computed cases, then property
 * tests over thousands of random masks and objects.
 *
 * `test_object_mask --dump FILE N` writes N random masks with their exact tracing
 * as JSON lines for tests/coco_object_mask.py, which checks them against the
 * COCO API's rasterisation (tests/coco_rle.py). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ops.h"
#include "rle_mask_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n == 0 ? 0 : (uint32_t)(rng_state % n);
}

static struct bmx_polyset ring_set(const double *xy, size_t n)
{
    struct bmx_polyset s;
    s.count = 1;
    s.rings = calloc(1, sizeof *s.rings);
    assert_non_null(s.rings);
    s.rings[0].n = n;
    s.rings[0].xy = malloc(2 * n * sizeof(double));
    assert_non_null(s.rings[0].xy);
    memcpy(s.rings[0].xy, xy, 2 * n * sizeof(double));
    return s;
}

static struct bmx_polyset square(double x0, double y0, double x1, double y1)
{
    double xy[8] = {x0, y0, x1, y0, x1, y1, x0, y1};
    return ring_set(xy, 4);
}

/* A column-major byte mask of w x h with the pixels [x0, x1) x [y0, y1) set. */
static void paint(uint8_t *m, uint32_t h, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
    for (uint32_t x = x0; x < x1; x++) {
        for (uint32_t y = y0; y < y1; y++) {
            m[(size_t)x * h + y] = 1;
        }
    }
}

static struct bmx_rle encode(const uint8_t *m, uint32_t h, uint32_t w)
{
    struct bmx_rle r;
    assert_int_equal(bmx_rle_encode(m, h, w, &r, NULL), BMX_OK);
    return r;
}

static struct bmx_rle rect_mask(uint32_t h, uint32_t w, uint32_t x0, uint32_t y0, uint32_t x1,
                                uint32_t y1)
{
    uint8_t *m = calloc((size_t)h * w, 1);
    assert_non_null(m);
    paint(m, h, x0, y0, x1, y1);
    struct bmx_rle r = encode(m, h, w);
    free(m);
    return r;
}

static uint8_t *decode(const struct bmx_rle *r)
{
    size_t n = (size_t)r->h * r->w;
    uint8_t *m = malloc(n == 0 ? 1 : n);
    assert_non_null(m);
    assert_int_equal(bmx_rle_decode(r, m, n, NULL), BMX_OK);
    return m;
}

static struct bmx_cutmix_options defaults(void)
{
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    return o;
}

static struct bmx_object poly_object(struct bmx_polyset polys, double area)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = 7;
    o.category_id = 3;
    o.seg_kind = BMX_SEG_POLYGON;
    o.polys = polys;
    bmx_polyset_bbox(&polys, &o.bbox);
    o.area = area;
    o.has_area = true;
    return o;
}

/* The polygons rasterised as the COCO API does equal `want` exactly. */
static void assert_raster_equals(const struct bmx_polyset *set, const struct bmx_rle *want)
{
    struct bmx_rle got;
    assert_int_equal(bmx_rle_from_polyset(set, want->h, want->w, &got, NULL), BMX_OK);
    uint8_t *a = decode(&got);
    uint8_t *b = decode(want);
    assert_memory_equal(a, b, (size_t)want->h * want->w);
    free(a);
    free(b);
    bmx_rle_free(&got);
}

/* ------------------------------------------------------------------------- */
/* Hand-computed cases                                                        */
/* ------------------------------------------------------------------------- */

/* A 10x10 square polygon, its right half under the mask: 50 of 100 pixels left. */
static void test_half_covered_square(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = defaults();
    struct bmx_object in = poly_object(square(10, 10, 20, 20), 100.0);
    struct bmx_rle mask = rect_mask(40, 40, 15, 0, 25, 40);
    struct bmx_object out;
    bool kept = false;
    struct bmx__verdict v;
    assert_int_equal(bmx__object_by_mask(&opts, &in, &mask, 40, 40, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    assert_true(out.touched);
    assert_true(v.visibility == 0.5);
    assert_true(v.visible == 50.0);
    assert_true(out.visibility == 0.5);
    assert_true(out.area == 50.0);
    assert_true(out.bbox.x == 10.0 && out.bbox.y == 10.0 && out.bbox.w == 5.0 &&
                out.bbox.h == 10.0);
    assert_int_equal(out.seg_kind, BMX_SEG_POLYGON);
    assert_int_equal(out.polys.count, 1);
    assert_int_equal(out.polys.rings[0].n, 4);
    const double want[8] = {10, 10, 15, 10, 15, 20, 10, 20};
    for (int i = 0; i < 8; i++) {
        assert_true(out.polys.rings[0].xy[i] == want[i]);
    }
    /* Through the public call: the same. */
    struct bmx_object pub;
    assert_int_equal(bmx_object_by_mask(&opts, &in, &mask, 40, 40, &pub, &kept, NULL), BMX_OK);
    assert_true(kept);
    assert_true(pub.area == 50.0 && pub.polys.count == 1);
    bmx_object_free(&pub);
    bmx_object_free(&out);
    bmx_object_free(&in);
    bmx_rle_free(&mask);
}

/* A mask inside a 20x20 square makes a hole: one ring with a bridge, exact. */
static void test_hole_is_kept(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = defaults();
    struct bmx_object in = poly_object(square(10, 10, 30, 30), 400.0);
    struct bmx_rle mask = rect_mask(40, 40, 15, 15, 20, 20);
    struct bmx_object out;
    bool kept = false;
    struct bmx__verdict v;
    assert_int_equal(bmx__object_by_mask(&opts, &in, &mask, 40, 40, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    assert_true(v.visible == 375.0);
    assert_true(out.visibility == 375.0 / 400.0);
    assert_true(out.area == 375.0);
    assert_true(bmx_polyset_area(&out.polys) == 375.0);
    assert_true(out.bbox.x == 10.0 && out.bbox.y == 10.0 && out.bbox.w == 20.0 &&
                out.bbox.h == 20.0);
    assert_int_equal(out.polys.count, 1);
    /* Outer 4 + hole 4 + its first vertex again + the outer vertex again. */
    assert_int_equal(out.polys.rings[0].n, 10);
    struct bmx_rle vis = rect_mask(40, 40, 10, 10, 30, 30);
    struct bmx_rle want;
    assert_int_equal(bmx__rle_minus(&vis, &mask, &want, NULL, NULL), BMX_OK);
    assert_raster_equals(&out.polys, &want);
    bmx_rle_free(&vis);
    bmx_rle_free(&want);
    bmx_object_free(&out);
    bmx_object_free(&in);
    bmx_rle_free(&mask);
}

/* A bare box: the pixels whose centres it holds. [2.3, 7.3) holds the centres of
 * columns 2..6, [4.6, 7.6) those of rows 5..7: 15 pixels; the mask takes columns
 * 2 and 3, 9 are left. */
static void test_bare_box(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = defaults();
    struct bmx_object in;
    memset(&in, 0, sizeof in);
    in.bbox = (struct bmx_box){2.3, 4.6, 5.0, 3.0};
    in.area = 15.0;
    in.has_area = true;
    struct bmx_rle mask = rect_mask(12, 12, 0, 0, 4, 12);
    struct bmx_object out;
    bool kept = false;
    struct bmx__verdict v;
    assert_int_equal(bmx__object_by_mask(&opts, &in, &mask, 12, 12, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    assert_true(v.visibility == 9.0 / 15.0);
    assert_true(out.area == 9.0);
    assert_int_equal(out.seg_kind, BMX_SEG_NONE);
    assert_true(out.bbox.x == 4.0 && out.bbox.y == 5.0 && out.bbox.w == 3.0 &&
                out.bbox.h == 3.0);
    bmx_object_free(&out);
    bmx_rle_free(&mask);

    /* The box's pixels as a mask, directly. */
    struct bmx_rle px;
    assert_int_equal(bmx__rle_from_box_centres(in.bbox, 12, 12, &px, NULL), BMX_OK);
    assert_int_equal(bmx_rle_area(&px), 15);
    assert_true(bmx__rle_at(&px, 2, 5) && bmx__rle_at(&px, 6, 7));
    assert_false(bmx__rle_at(&px, 7, 7) || bmx__rle_at(&px, 2, 4) || bmx__rle_at(&px, 1, 5));
    bmx_rle_free(&px);
}

/* The mask misses the object: written exactly as it came. */
static void test_untouched(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = defaults();
    struct bmx_object in = poly_object(square(10.25, 10.5, 20.75, 19.5), 99.0);
    struct bmx_rle mask = rect_mask(40, 40, 25, 0, 40, 40);
    struct bmx_object out;
    bool kept = false;
    struct bmx__verdict v;
    assert_int_equal(bmx__object_by_mask(&opts, &in, &mask, 40, 40, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    assert_false(out.touched);
    assert_true(out.visibility == 1.0 && v.visibility == 1.0);
    assert_true(out.area == 99.0);
    assert_memory_equal(&out.bbox, &in.bbox, sizeof in.bbox);
    assert_int_equal(out.polys.count, 1);
    assert_memory_equal(out.polys.rings[0].xy, in.polys.rings[0].xy, 8 * sizeof(double));
    bmx_object_free(&out);
    bmx_object_free(&in);
    bmx_rle_free(&mask);
}

/* The rules: 90 of 100 pixels covered is below min_visibility 0.1? No, 0.1 is
 * kept; 91 covered drops; a crowd region stays while one pixel is visible. */
static void test_rules_and_crowd(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = defaults();
    struct bmx_object in = poly_object(square(0, 0, 10, 10), 100.0);
    struct bmx_rle m90 = rect_mask(20, 20, 0, 0, 9, 10);  /* leaves column 9 */
    struct bmx_rle m99 = rect_mask(20, 20, 0, 0, 10, 10); /* leaves nothing */
    uint8_t *b = calloc(400, 1);
    assert_non_null(b);
    paint(b, 20, 0, 0, 10, 10);
    b[9 * 20 + 9] = 0; /* 99 covered: pixel (9, 9) stays */
    struct bmx_rle m99b = encode(b, 20, 20);
    free(b);
    struct bmx_object out;
    bool kept = false;
    struct bmx__verdict v;

    assert_int_equal(bmx__object_by_mask(&opts, &in, &m90, 20, 20, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    /* 10 px left, 1 px wide: visibility 0.1 passes, min_size 2 does not. */
    assert_false(kept);
    assert_int_equal(v.rule, BMX_DROP_MIN_SIZE);
    assert_true(v.visibility == 0.1);
    opts.min_size = 1.0;
    assert_int_equal(bmx__object_by_mask(&opts, &in, &m90, 20, 20, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    bmx_object_free(&out);

    assert_int_equal(bmx__object_by_mask(&opts, &in, &m99b, 20, 20, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_false(kept);
    assert_int_equal(v.rule, BMX_DROP_MIN_VISIBILITY);
    assert_int_equal(bmx__object_by_mask(&opts, &in, &m99, 20, 20, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_false(kept);
    assert_int_equal(v.rule, BMX_DROP_NO_AREA);

    in.iscrowd = 1;
    assert_int_equal(bmx__object_by_mask(&opts, &in, &m99b, 20, 20, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    assert_true(out.area == 1.0);
    assert_true(out.bbox.x == 9.0 && out.bbox.y == 9.0 && out.bbox.w == 1.0 && out.bbox.h == 1.0);
    bmx_object_free(&out);
    assert_int_equal(bmx__object_by_mask(&opts, &in, &m99, 20, 20, &out, &kept, &v, NULL, NULL),
                     BMX_OK);
    assert_false(kept);
    bmx_object_free(&in);
    bmx_rle_free(&m90);
    bmx_rle_free(&m99);
    bmx_rle_free(&m99b);
}

/* The mask formats: polygons as RLE with --mask-format rle; an RLE object traced
 * exactly (its hole kept) with polygon; a crowd RLE stays RLE. Keypoints under the
 * mask are hidden. */
static void test_formats_and_keypoints(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = defaults();
    opts.mask_format = BMX_MASK_RLE;
    struct bmx_object in = poly_object(square(10, 10, 20, 20), 100.0);
    in.keypoints = malloc(6 * sizeof(double));
    assert_non_null(in.keypoints);
    const double kp[6] = {12.5, 12.5, 2, 17.5, 12.5, 2};
    memcpy(in.keypoints, kp, sizeof kp);
    in.n_keypoints = 2;
    in.has_keypoints = true;
    in.num_keypoints = 2;
    struct bmx_rle mask = rect_mask(40, 40, 15, 0, 25, 40);
    struct bmx_object out;
    bool kept = false;
    assert_int_equal(bmx__object_by_mask(&opts, &in, &mask, 40, 40, &out, &kept, NULL, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_true(out.rle_compressed);
    assert_int_equal(bmx_rle_area(&out.rle), 50);
    assert_true(out.area == 50.0);
    assert_true(out.keypoints[2] == 2.0 && out.keypoints[5] == 0.0);
    assert_int_equal(out.num_keypoints, 1);
    assert_int_equal(out.keypoints_hidden, 1);
    bmx_object_free(&out);
    bmx_object_free(&in);

    /* An RLE ring-shaped object; the mask cuts another hole: polygon format traces it
     * with both holes. */
    uint8_t *b = calloc(40 * 40, 1);
    assert_non_null(b);
    paint(b, 40, 5, 5, 35, 35);
    for (uint32_t x = 10; x < 15; x++) {
        for (uint32_t y = 10; y < 15; y++) {
            b[x * 40 + y] = 0;
        }
    }
    struct bmx_object r;
    memset(&r, 0, sizeof r);
    r.seg_kind = BMX_SEG_RLE;
    r.rle = encode(b, 40, 40);
    bmx_rle_bbox(&r.rle, &r.bbox);
    r.area = (double)bmx_rle_area(&r.rle);
    struct bmx_rle hole2 = rect_mask(40, 40, 20, 20, 25, 30);
    opts.mask_format = BMX_MASK_POLYGON;
    assert_int_equal(bmx__object_by_mask(&opts, &r, &hole2, 40, 40, &out, &kept, NULL, NULL, NULL),
                     BMX_OK);
    assert_true(kept);
    assert_int_equal(out.seg_kind, BMX_SEG_POLYGON);
    assert_true(out.area == 900.0 - 25.0 - 50.0);
    struct bmx_rle want;
    assert_int_equal(bmx__rle_minus(&r.rle, &hole2, &want, NULL, NULL), BMX_OK);
    assert_raster_equals(&out.polys, &want);
    bmx_object_free(&out);
    /* keep: the RLE stays RLE. */
    opts.mask_format = BMX_MASK_KEEP;
    assert_int_equal(bmx__object_by_mask(&opts, &r, &hole2, 40, 40, &out, &kept, NULL, NULL, NULL),
                     BMX_OK);
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_int_equal(out.rle.m, want.m);
    assert_memory_equal(out.rle.counts, want.counts, want.m * sizeof *want.counts);
    bmx_object_free(&out);
    /* A crowd RLE stays RLE even with polygon. */
    r.iscrowd = 1;
    opts.mask_format = BMX_MASK_POLYGON;
    assert_int_equal(bmx__object_by_mask(&opts, &r, &hole2, 40, 40, &out, &kept, NULL, NULL, NULL),
                     BMX_OK);
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    bmx_object_free(&out);
    bmx_rle_free(&want);
    bmx_rle_free(&hole2);
    bmx_object_free(&r);
    bmx_rle_free(&mask);
    free(b);
}

/* Bad input: a mask of another size, NULL arguments. */
static void test_bad_input(void **state)
{
    (void)state;
    struct bmx_cutmix_options opts = defaults();
    struct bmx_object in = poly_object(square(1, 1, 5, 5), 16.0);
    struct bmx_rle mask = rect_mask(10, 12, 0, 0, 2, 2);
    struct bmx_object out;
    bool kept = true;
    bmx_error err;
    assert_int_equal(bmx_object_by_mask(&opts, &in, &mask, 10, 10, &out, &kept, &err),
                     BMX_E_INVALID);
    assert_non_null(strstr(err.message, "mask"));
    assert_false(kept);
    assert_int_equal(bmx_object_by_mask(&opts, &in, NULL, 12, 10, &out, &kept, &err),
                     BMX_E_INVALID);
    /* A vertex that is not a number; an RLE of another size; an empty image. */
    struct bmx_rle ok = rect_mask(10, 12, 0, 0, 2, 2);
    in.polys.rings[0].xy[3] = NAN;
    assert_int_equal(bmx_object_by_mask(&opts, &in, &ok, 12, 10, &out, &kept, &err),
                     BMX_E_INVALID);
    assert_non_null(strstr(err.message, "not finite"));
    bmx_object_free(&in);
    memset(&in, 0, sizeof in);
    in.seg_kind = BMX_SEG_RLE;
    in.rle = rect_mask(11, 12, 0, 0, 3, 3);
    in.bbox = (struct bmx_box){0, 0, 3, 3};
    assert_int_equal(bmx_object_by_mask(&opts, &in, &ok, 12, 10, &out, &kept, &err),
                     BMX_E_INVALID);
    assert_non_null(strstr(err.message, "RLE size"));
    assert_int_equal(bmx_object_by_mask(&opts, &in, &ok, 0, 0, &out, &kept, &err),
                     BMX_E_INVALID);
    assert_false(kept);
    bmx_object_free(&in);
    bmx_rle_free(&ok);
    bmx_rle_free(&mask);
}

/* The minus on the runs against a byte-wise reference. */
static void test_minus_random(void **state)
{
    (void)state;
    for (int it = 0; it < 2000; it++) {
        uint32_t h = 1 + rnd(12), w = 1 + rnd(12);
        uint8_t *a = calloc((size_t)h * w, 1), *b = calloc((size_t)h * w, 1);
        assert_true(a != NULL && b != NULL);
        for (size_t i = 0; i < (size_t)h * w; i++) {
            a[i] = rnd(3) != 0;
            b[i] = rnd(2) != 0;
        }
        struct bmx_rle ra = encode(a, h, w), rb = encode(b, h, w), rm;
        uint64_t common = 0, want_common = 0;
        assert_int_equal(bmx__rle_minus(&ra, &rb, &rm, &common, NULL), BMX_OK);
        uint8_t *m = decode(&rm);
        for (size_t i = 0; i < (size_t)h * w; i++) {
            assert_int_equal(m[i], a[i] && !b[i]);
            want_common += a[i] && b[i];
        }
        assert_int_equal(common, want_common);
        struct bmx_rle canon = encode(m, h, w);
        assert_int_equal(canon.m, rm.m);
        assert_memory_equal(canon.counts, rm.counts, rm.m * sizeof *rm.counts);
        for (uint32_t k = 0; k < 8; k++) {
            uint32_t x = rnd(w), y = rnd(h);
            assert_int_equal(bmx__rle_at(&ra, x, y), a[(size_t)x * h + y] != 0);
        }
        bmx_rle_free(&canon);
        free(m);
        bmx_rle_free(&ra);
        bmx_rle_free(&rb);
        bmx_rle_free(&rm);
        free(a);
        free(b);
    }
}

/* ------------------------------------------------------------------------- */
/* Property tests                                                             */
/* ------------------------------------------------------------------------- */

/* A random mask: noise, or a few rectangles, or rectangles with holes punched, so
 * that nested holes and islands occur. */
static uint8_t *random_mask(uint32_t h, uint32_t w)
{
    uint8_t *m = calloc((size_t)h * w, 1);
    assert_non_null(m);
    uint32_t style = rnd(3);
    if (style == 0) {
        uint32_t p = 1 + rnd(3);
        for (size_t i = 0; i < (size_t)h * w; i++) {
            m[i] = rnd(4) < p;
        }
    } else {
        uint32_t n = 1 + rnd(5);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t x0 = rnd(w), y0 = rnd(h);
            uint32_t x1 = x0 + 1 + rnd(w - x0), y1 = y0 + 1 + rnd(h - y0);
            bool clear = style == 2 && (k & 1) == 1;
            for (uint32_t x = x0; x < x1; x++) {
                for (uint32_t y = y0; y < y1; y++) {
                    m[(size_t)x * h + y] = clear ? 0 : 1;
                }
            }
        }
    }
    return m;
}

/* Exact tracing: the COCO rasterisation of the rings is the mask, their area its
 * pixel count, their extent its box. */
static void test_trace_exact_random(void **state)
{
    (void)state;
    for (int it = 0; it < 3000; it++) {
        uint32_t h = 1 + rnd(24), w = 1 + rnd(24);
        uint8_t *m = random_mask(h, w);
        struct bmx_rle r = encode(m, h, w);
        struct bmx_polyset set;
        assert_int_equal(bmx__rle_to_polyset_exact(&r, &set, NULL), BMX_OK);
        assert_raster_equals(&set, &r);
        assert_true(bmx_polyset_area(&set) == (double)bmx_rle_area(&r));
        struct bmx_box pb, rb;
        bool any = bmx_polyset_bbox(&set, &pb);
        bmx_rle_bbox(&r, &rb);
        assert_int_equal(any, bmx_rle_area(&r) > 0);
        if (any) {
            assert_memory_equal(&pb, &rb, sizeof pb);
        }
        for (size_t i = 0; i < set.count; i++) {
            assert_true(set.rings[i].n >= 3);
        }
        bmx_polyset_free(&set);
        bmx_rle_free(&r);
        free(m);
    }
}

/* Concentric square rings, one pixel wide and one apart: 50 levels of holes and
 * islands inside each other, traced exactly. */
static void test_trace_nested(void **state)
{
    (void)state;
    const uint32_t n = 200;
    uint8_t *m = calloc((size_t)n * n, 1);
    assert_non_null(m);
    for (uint32_t x = 0; x < n; x++) {
        for (uint32_t y = 0; y < n; y++) {
            uint32_t d = x < y ? x : y;
            d = n - 1 - x < d ? n - 1 - x : d;
            d = n - 1 - y < d ? n - 1 - y : d;
            m[(size_t)x * n + y] = (d % 2) == 0;
        }
    }
    struct bmx_rle r = encode(m, n, n);
    struct bmx_polyset set;
    assert_int_equal(bmx__rle_to_polyset_exact(&r, &set, NULL), BMX_OK);
    assert_int_equal(set.count, 50); /* one ring per square, its hole bridged */
    assert_raster_equals(&set, &r);
    assert_true(bmx_polyset_area(&set) == (double)bmx_rle_area(&r));
    bmx_polyset_free(&set);
    bmx_rle_free(&r);
    free(m);
}

/* A random object: polygon (random vertices, sub-pixel, some outside the image),
 * RLE, or bare box. */
static struct bmx_object random_object(uint32_t h, uint32_t w)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = rnd(1000);
    o.iscrowd = rnd(8) == 0;
    uint32_t kind = rnd(3);
    if (kind == 0) {
        size_t n = 3 + rnd(6);
        double xy[18];
        for (size_t i = 0; i < n; i++) {
            xy[2 * i] = (double)rnd(4 * (w + 4)) / 4.0 - 2.0;
            xy[2 * i + 1] = (double)rnd(4 * (h + 4)) / 4.0 - 2.0;
        }
        o.seg_kind = BMX_SEG_POLYGON;
        o.polys = ring_set(xy, n);
        bmx_polyset_bbox(&o.polys, &o.bbox);
        o.area = bmx_polyset_area(&o.polys);
    } else if (kind == 1) {
        uint8_t *m = random_mask(h, w);
        o.seg_kind = BMX_SEG_RLE;
        o.rle = encode(m, h, w);
        free(m);
        bmx_rle_bbox(&o.rle, &o.bbox);
        o.area = (double)bmx_rle_area(&o.rle);
    } else {
        o.bbox.x = (double)rnd(4 * w) / 4.0;
        o.bbox.y = (double)rnd(4 * h) / 4.0;
        o.bbox.w = (double)rnd(4 * (w + 1)) / 4.0;
        o.bbox.h = (double)rnd(4 * (h + 1)) / 4.0;
        o.area = o.bbox.w * o.bbox.h;
    }
    o.has_area = true;
    return o;
}

static struct bmx_rle object_pixels(const struct bmx_object *o, uint32_t h, uint32_t w)
{
    struct bmx_rle r;
    if (o->seg_kind == BMX_SEG_POLYGON) {
        assert_int_equal(bmx_rle_from_polyset(&o->polys, h, w, &r, NULL), BMX_OK);
    } else if (o->seg_kind == BMX_SEG_RLE) {
        assert_int_equal(bmx_rle_copy(&o->rle, &r, NULL), BMX_OK);
    } else {
        assert_int_equal(bmx__rle_from_box_centres(o->bbox, h, w, &r, NULL), BMX_OK);
    }
    return r;
}

static void test_cut_random(void **state)
{
    (void)state;
    size_t touched = 0, traced = 0, dropped = 0;
    for (int it = 0; it < 4000; it++) {
        uint32_t h = 1 + rnd(20), w = 1 + rnd(20);
        struct bmx_cutmix_options opts = defaults();
        opts.mask_format = (enum bmx_mask_format)rnd(3);
        opts.min_size = (double)rnd(3);
        opts.min_visibility = (double)rnd(4) / 8.0;
        struct bmx_object in = random_object(h, w);
        uint8_t *mb = random_mask(h, w);
        struct bmx_rle mask = encode(mb, h, w);
        struct bmx_rle px = object_pixels(&in, h, w);
        uint8_t *ob = decode(&px);
        uint64_t orig = 0, vis = 0, cov = 0;
        for (size_t i = 0; i < (size_t)h * w; i++) {
            orig += ob[i];
            vis += ob[i] && !mb[i];
            cov += ob[i] && mb[i];
        }
        assert_int_equal(vis + cov, orig);

        struct bmx_object out;
        bool kept = false;
        struct bmx__verdict v;
        assert_int_equal(bmx__object_by_mask(&opts, &in, &mask, (int32_t)w, (int32_t)h, &out,
                                             &kept, &v, NULL, NULL),
                         BMX_OK);
        assert_true(v.visibility >= 0.0 && v.visibility <= 1.0);
        if (cov > 0) {
            touched++;
            assert_true(v.visible == (double)vis);
            assert_true(v.visibility == (double)vis / (double)orig);
            if (in.iscrowd && vis > 0) {
                assert_true(kept);
            }
            if (vis == 0) {
                assert_false(kept);
            }
        }
        if (kept && cov > 0) {
            assert_true(out.touched);
            assert_true(out.area == (double)vis);
            /* Every visible pixel in the new box. */
            for (uint32_t x = 0; x < w; x++) {
                for (uint32_t y = 0; y < h; y++) {
                    size_t i = (size_t)x * h + y;
                    if (ob[i] && !mb[i]) {
                        assert_true(x >= out.bbox.x && x + 1 <= out.bbox.x + out.bbox.w);
                        assert_true(y >= out.bbox.y && y + 1 <= out.bbox.y + out.bbox.h);
                    }
                }
            }
            struct bmx_rle want;
            assert_int_equal(bmx__rle_minus(&px, &mask, &want, NULL, NULL), BMX_OK);
            if (out.seg_kind == BMX_SEG_POLYGON) {
                traced++;
                assert_raster_equals(&out.polys, &want);
                assert_true(bmx_polyset_area(&out.polys) == (double)vis);
            } else if (out.seg_kind == BMX_SEG_RLE) {
                uint8_t *a = decode(&out.rle), *b = decode(&want);
                assert_memory_equal(a, b, (size_t)h * w);
                free(a);
                free(b);
            }
            bmx_rle_free(&want);
        } else if (!kept) {
            dropped++;
        }
        /* Copy-Paste's call, the mask's box given: the same verdict and object. */
        struct bmx_box mask_box;
        bmx_rle_bbox(&mask, &mask_box);
        struct bmx_object out2;
        bool kept2 = false;
        struct bmx__verdict v2;
        assert_int_equal(bmx__object_by_mask_boxed(&opts, &in, &mask, &mask_box, (int32_t)w,
                                                   (int32_t)h, &out2, &kept2, &v2, NULL, NULL),
                         BMX_OK);
        assert_int_equal(kept2, kept);
        assert_true(v2.visibility == v.visibility && v2.visible == v.visible);
        if (kept) {
            assert_memory_equal(&out2.bbox, &out.bbox, sizeof out.bbox);
            assert_int_equal(out2.seg_kind, out.seg_kind);
            bmx_object_free(&out2);
            bmx_object_free(&out);
        }
        bmx_object_free(&in);
        bmx_rle_free(&mask);
        bmx_rle_free(&px);
        free(mb);
        free(ob);
    }
    /* The random cases reach every branch. */
    assert_true(touched > 1000 && traced > 200 && dropped > 100);
}

/* The margin object_mask.c's quick test relies on: the COCO API's frPoly sets no
 * pixel farther than one pixel from the vertices' extent (two are allowed). */
static void test_raster_near_extent(void **state)
{
    (void)state;
    for (int it = 0; it < 3000; it++) {
        uint32_t h = 1 + rnd(30), w = 1 + rnd(30);
        size_t n = 3 + rnd(5);
        double xy[16];
        for (size_t i = 0; i < n; i++) {
            xy[2 * i] = (double)rnd(10 * (w + 6)) / 10.0 - 3.0;
            xy[2 * i + 1] = (double)rnd(10 * (h + 6)) / 10.0 - 3.0;
        }
        struct bmx_polyset set = ring_set(xy, n);
        struct bmx_box e;
        assert_true(bmx_polyset_bbox(&set, &e));
        struct bmx_rle r;
        assert_int_equal(bmx_rle_from_polyset(&set, h, w, &r, NULL), BMX_OK);
        uint8_t *m = decode(&r);
        for (uint32_t x = 0; x < w; x++) {
            for (uint32_t y = 0; y < h; y++) {
                if (m[(size_t)x * h + y]) {
                    assert_true(x + 1.0 > e.x - 1.0 && x < e.x + e.w + 1.0);
                    assert_true(y + 1.0 > e.y - 1.0 && y < e.y + e.h + 1.0);
                }
            }
        }
        free(m);
        bmx_rle_free(&r);
        bmx_polyset_free(&set);
    }
}

/* ------------------------------------------------------------------------- */

static int dump(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot write\n", path);
        return 1;
    }
    for (long it = 0; it < n; it++) {
        uint32_t h = 1 + rnd(24), w = 1 + rnd(24);
        uint8_t *m = random_mask(h, w);
        struct bmx_rle r;
        struct bmx_polyset set;
        if (bmx_rle_encode(m, h, w, &r, NULL) != BMX_OK ||
            bmx__rle_to_polyset_exact(&r, &set, NULL) != BMX_OK) {
            fclose(f);
            return 1;
        }
        fprintf(f, "{\"h\": %u, \"w\": %u, \"counts\": [", (unsigned)h, (unsigned)w);
        for (size_t j = 0; j < r.m; j++) {
            fprintf(f, "%s%u", j ? ", " : "", (unsigned)r.counts[j]);
        }
        fprintf(f, "], \"area\": %.17g, \"polygons\": [", bmx_polyset_area(&set));
        for (size_t i = 0; i < set.count; i++) {
            fprintf(f, "%s[", i ? ", " : "");
            for (size_t k = 0; k < 2 * set.rings[i].n; k++) {
                fprintf(f, "%s%.17g", k ? ", " : "", set.rings[i].xy[k]);
            }
            fprintf(f, "]");
        }
        fprintf(f, "]}\n");
        bmx_polyset_free(&set);
        bmx_rle_free(&r);
        free(m);
    }
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--dump") == 0) {
        return dump(argv[2], strtol(argv[3], NULL, 10));
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_covered_square),
        cmocka_unit_test(test_hole_is_kept),
        cmocka_unit_test(test_bare_box),
        cmocka_unit_test(test_untouched),
        cmocka_unit_test(test_rules_and_crowd),
        cmocka_unit_test(test_formats_and_keypoints),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_minus_random),
        cmocka_unit_test(test_trace_exact_random),
        cmocka_unit_test(test_trace_nested),
        cmocka_unit_test(test_cut_random),
        cmocka_unit_test(test_raster_near_extent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
