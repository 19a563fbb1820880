/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/ops/: patch drawing, pixel pasting, and the object rules of
 * DESIGN.md's "CutMix" section, on hand-computed cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "boxmix.h"
#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BMX_SOURCE_ROOT
#define BMX_SOURCE_ROOT ".."
#endif

#define EPS 1e-9

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

static struct bmx_cutmix_options defaults(void)
{
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    return o;
}

static struct bmx_rect rect(int32_t x, int32_t y, int32_t w, int32_t h)
{
    struct bmx_rect r = {x, y, w, h};
    return r;
}

static struct bmx_object box_object(int64_t id, double x, double y, double w, double h)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = id;
    o.category_id = 7;
    o.bbox.x = x;
    o.bbox.y = y;
    o.bbox.w = w;
    o.bbox.h = h;
    o.area = w * h;
    o.has_area = true;
    o.has_iscrowd = true;
    o.seg_kind = BMX_SEG_NONE;
    return o;
}

/* A polygon object of one ring given as x,y pairs; area/bbox as recorded by COCO. */
static struct bmx_object poly_object(int64_t id, const double *xy, size_t n)
{
    struct bmx_object o = box_object(id, 0, 0, 0, 0);
    o.seg_kind = BMX_SEG_POLYGON;
    o.polys.count = 1;
    o.polys.rings = calloc(1, sizeof *o.polys.rings);
    assert_non_null(o.polys.rings);
    o.polys.rings[0].n = n;
    o.polys.rings[0].xy = malloc(2 * n * sizeof(double));
    assert_non_null(o.polys.rings[0].xy);
    memcpy(o.polys.rings[0].xy, xy, 2 * n * sizeof(double));
    o.area = bmx_polyset_area(&o.polys);
    assert_true(bmx_polyset_bbox(&o.polys, &o.bbox));
    return o;
}

/* An RLE object of size [h, w] whose set pixels are the rectangle [x0,x1) x [y0,y1). */
static struct bmx_object rle_object(int64_t id, uint32_t h, uint32_t w, uint32_t x0, uint32_t y0,
                                    uint32_t x1, uint32_t y1)
{
    struct bmx_object o = box_object(id, x0, y0, x1 - x0, y1 - y0);
    uint8_t *mask = calloc((size_t)h * w, 1);
    assert_non_null(mask);
    for (uint32_t x = x0; x < x1; x++) {
        for (uint32_t y = y0; y < y1; y++) {
            mask[(size_t)x * h + y] = 1;
        }
    }
    o.seg_kind = BMX_SEG_RLE;
    o.rle_compressed = true;
    assert_int_equal(bmx_rle_encode(mask, h, w, &o.rle, NULL), BMX_OK);
    free(mask);
    o.area = (double)((x1 - x0) * (y1 - y0));
    return o;
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    assert_float_equal(b.x, x, EPS);
    assert_float_equal(b.y, y, EPS);
    assert_float_equal(b.w, w, EPS);
    assert_float_equal(b.h, h, EPS);
}

/* Run bmx_object_by_rect and return whether it kept the object. */
static bool by_rect(const struct bmx_cutmix_options *o, const struct bmx_object *in,
                    struct bmx_rect r, bool inside, int32_t w, int32_t h, struct bmx_object *out)
{
    bool kept = true;
    bmx_error err = {BMX_OK, ""};
    bmx_status st = bmx_object_by_rect(o, in, r, inside, w, h, out, &kept, &err);
    if (st != BMX_OK) {
        fail_msg("bmx_object_by_rect: %s", err.message);
    }
    return kept;
}

static uint8_t pattern(int seed, int x, int y, int c)
{
    return (uint8_t)((seed * 97 + x * 31 + y * 17 + c * 7) & 0xff);
}

static struct bmx_image make_image(int32_t w, int32_t h, int seed)
{
    struct bmx_image img;
    assert_int_equal(bmx_image_new(w, h, 3, &img, NULL), BMX_OK);
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            for (int c = 0; c < 3; c++) {
                img.data[(size_t)y * img.stride + (size_t)x * 3 + (size_t)c] =
                    pattern(seed, x, y, c);
            }
        }
    }
    return img;
}

/* A sample owning a copy of the given objects. */
static struct bmx_sample make_sample(int32_t w, int32_t h, int seed, const struct bmx_object *objs,
                                     size_t n)
{
    struct bmx_sample s;
    memset(&s, 0, sizeof s);
    s.image = make_image(w, h, seed);
    if (n > 0) {
        s.objects = calloc(n, sizeof *s.objects);
        assert_non_null(s.objects);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(bmx_object_copy(&objs[i], &s.objects[i], NULL), BMX_OK);
        }
        s.n_objects = n;
    }
    return s;
}

/* ------------------------------------------------------------------------- */
/* Options                                                                    */
/* ------------------------------------------------------------------------- */

static void test_options_defaults(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    assert_float_equal(o.alpha, 1.0, 0);
    assert_int_equal(o.mode, BMX_PATCH_BETA);
    assert_float_equal(o.ratio_lo, 0.3, 0);
    assert_float_equal(o.ratio_hi, 0.7, 0);
    assert_int_equal(o.placement, BMX_PLACE_ANYWHERE);
    assert_int_equal(o.tries, 10);
    assert_float_equal(o.min_visibility, 0.10, 0);
    assert_float_equal(o.min_area, 0.0, 0);
    assert_float_equal(o.min_size, 2.0, 0);
    assert_int_equal(o.mask_format, BMX_MASK_KEEP);
    assert_int_equal(bmx_cutmix_options_check(&o, NULL), BMX_OK);
}

static void expect_invalid(struct bmx_cutmix_options o, const char *needle)
{
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_cutmix_options_check(&o, &err), BMX_E_INVALID);
    assert_int_equal(err.status, BMX_E_INVALID);
    if (strstr(err.message, needle) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
    }
}

static void test_options_check(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    o.alpha = -1;
    expect_invalid(o, "alpha: must be a finite number > 0, got -1");
    o = defaults();
    o.alpha = 0;
    expect_invalid(o, "alpha");
    o = defaults();
    o.alpha = INFINITY;
    expect_invalid(o, "alpha");
    o = defaults();
    o.alpha = NAN;
    expect_invalid(o, "alpha");
    o = defaults();
    o.ratio_lo = 0;
    expect_invalid(o, "ratio_lo");
    o = defaults();
    o.ratio_hi = 1.5;
    expect_invalid(o, "ratio_hi");
    o = defaults();
    o.ratio_lo = 0.8;
    o.ratio_hi = 0.5;
    expect_invalid(o, "ratio_lo");
    o = defaults();
    o.tries = 0;
    expect_invalid(o, "tries");
    o.tries = 1001;
    expect_invalid(o, "tries");
    o = defaults();
    o.min_visibility = 1.01;
    expect_invalid(o, "min_visibility");
    o = defaults();
    o.min_area = -1;
    expect_invalid(o, "min_area");
    o = defaults();
    o.min_size = NAN;
    expect_invalid(o, "min_size");

    bmx_error err = {BMX_OK, ""};
    o = defaults();
    o.mask_format = BMX_MASK_POLYGON;
    assert_int_equal(bmx_cutmix_options_check(&o, &err), BMX_OK);
    o.mask_format = (enum bmx_mask_format)7;
    assert_int_equal(bmx_cutmix_options_check(&o, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "mask_format"));

    /* edges of the valid ranges */
    o = defaults();
    o.ratio_lo = o.ratio_hi = 1.0;
    o.tries = 1000;
    o.min_visibility = 1.0;
    o.mask_format = BMX_MASK_RLE;
    assert_int_equal(bmx_cutmix_options_check(&o, NULL), BMX_OK);
    o.min_visibility = 0.0;
    o.tries = 1;
    assert_int_equal(bmx_cutmix_options_check(&o, NULL), BMX_OK);
}

/* ------------------------------------------------------------------------- */
/* Patch drawing                                                              */
/* ------------------------------------------------------------------------- */

static void check_patch(const struct bmx_patch *p, int32_t w, int32_t h)
{
    const struct bmx_rect r = p->rect;
    assert_true(r.x >= 0 && r.y >= 0 && r.w >= 0 && r.h >= 0);
    assert_true(r.x + r.w <= w);
    assert_true(r.y + r.h <= h);
    assert_float_equal(p->lambda, 1.0 - (double)r.w * r.h / ((double)w * h), 1e-12);
}

static void test_patch_inside_image(void **state)
{
    (void)state;
    static const int32_t sizes[][2] = {{1, 1}, {3, 7}, {7, 3}, {2, 2}, {1, 9}, {640, 480}};
    static const double alphas[] = {0.1, 1.0, 4.0};
    bmx_rng rng;
    bmx_rng_seed(&rng, 1, 0);
    for (int mode = 0; mode < 2; mode++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
                struct bmx_cutmix_options o = defaults();
                o.mode = mode == 0 ? BMX_PATCH_BETA : BMX_PATCH_RATIO;
                o.alpha = alphas[a];
                o.ratio_lo = a == 0 ? 0.01 : 0.3;
                o.ratio_hi = a == 2 ? 1.0 : 0.7;
                for (int i = 0; i < 3000; i++) {
                    struct bmx_patch p;
                    assert_int_equal(bmx_cutmix_draw_patch(&o, sizes[s][0], sizes[s][1], NULL,
                                                           0, &rng, &p, NULL),
                                     BMX_OK);
                    check_patch(&p, sizes[s][0], sizes[s][1]);
                }
            }
        }
    }
}

static void test_patch_bad_size(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    bmx_rng rng;
    bmx_rng_seed(&rng, 1, 0);
    struct bmx_patch p;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_cutmix_draw_patch(&o, 0, 5, NULL, 0, &rng, &p, &err), BMX_E_INVALID);
    assert_int_equal(bmx_cutmix_draw_patch(&o, 5, -1, NULL, 0, &rng, &p, &err), BMX_E_INVALID);
    o.alpha = 0;
    assert_int_equal(bmx_cutmix_draw_patch(&o, 5, 5, NULL, 0, &rng, &p, &err), BMX_E_INVALID);
}

/* With alpha = 1, lambda is uniform, so the nominal patch covers half the image on
 * average. The patch is clipped to the image, though, and the effective lambda (the
 * share of A that stays) is larger: with side s = sqrt(1 - lambda) (in units of the
 * image side) and a uniform centre, the expected clipped side is s - s^2/4, so the
 * expected covered share is E[(s - s^2/4)^2] = E[u] - E[u^1.5]/2 + E[u^2]/16 with
 * u = 1 - lambda uniform: 1/2 - 1/5 + 1/48, hence E[effective lambda] = 0.679167.
 * The mean of the nominal draw is checked through the exact reproduction in
 * test_patch_beta_formula; this checks what the reported lambda averages to. */
static void test_patch_lambda_mean(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    bmx_rng rng;
    bmx_rng_seed(&rng, 2024, 3);
    double sum = 0.0;
    double nominal = 0.0;
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        bmx_rng replay = rng;
        struct bmx_patch p;
        assert_int_equal(bmx_cutmix_draw_patch(&o, 1000, 1000, NULL, 0, &rng, &p, NULL), BMX_OK);
        sum += p.lambda;
        nominal += bmx_rng_beta(&replay, 1.0, 1.0);
    }
    assert_float_equal(nominal / n, 0.5, 0.02);
    assert_float_equal(sum / n, 1.0 - (0.5 - 0.2 + 1.0 / 48.0), 0.02);
    /* and clearly not the nominal mean: the clipping is real */
    assert_true(sum / n > 0.6);
}

/* The draw is exactly: lambda, centre x, centre y; corners rounded half up, clamped. */
static void test_patch_beta_formula(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    o.alpha = 0.7;
    bmx_rng rng;
    bmx_rng_seed(&rng, 99, 1);
    const int32_t w = 37, h = 23;
    for (int i = 0; i < 500; i++) {
        bmx_rng replay = rng;
        double lambda = bmx_rng_beta(&replay, 0.7, 0.7);
        double cx = bmx_rng_uniform(&replay) * w;
        double cy = bmx_rng_uniform(&replay) * h;
        double cw = w * sqrt(1 - lambda), ch = h * sqrt(1 - lambda);
        double x0 = fmin(fmax(floor(cx - cw / 2 + 0.5), 0), w);
        double x1 = fmin(fmax(floor(cx + cw / 2 + 0.5), 0), w);
        double y0 = fmin(fmax(floor(cy - ch / 2 + 0.5), 0), h);
        double y1 = fmin(fmax(floor(cy + ch / 2 + 0.5), 0), h);
        struct bmx_patch p;
        assert_int_equal(bmx_cutmix_draw_patch(&o, w, h, NULL, 0, &rng, &p, NULL), BMX_OK);
        assert_int_equal(p.rect.x, (int32_t)x0);
        assert_int_equal(p.rect.y, (int32_t)y0);
        assert_int_equal(p.rect.w, (int32_t)(x1 - x0));
        assert_int_equal(p.rect.h, (int32_t)(y1 - y0));
        /* the generator advanced exactly as the replay did */
        assert_memory_equal(&rng, &replay, sizeof rng);
    }
}

static void test_patch_ratio_bounds(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    o.mode = BMX_PATCH_RATIO;
    bmx_rng rng;
    bmx_rng_seed(&rng, 5, 5);
    const int32_t w = 101, h = 57;
    /* sides: floor(W*r + 0.5) for r in [0.3, 0.7] */
    const int32_t wlo = 30, whi = 71, hlo = 17, hhi = 40;
    int32_t seen_wmin = w, seen_wmax = 0, seen_hmin = h, seen_hmax = 0;
    for (int i = 0; i < 5000; i++) {
        struct bmx_patch p;
        assert_int_equal(bmx_cutmix_draw_patch(&o, w, h, NULL, 0, &rng, &p, NULL), BMX_OK);
        check_patch(&p, w, h);
        assert_in_range(p.rect.w, wlo, whi);
        assert_in_range(p.rect.h, hlo, hhi);
        seen_wmin = p.rect.w < seen_wmin ? p.rect.w : seen_wmin;
        seen_wmax = p.rect.w > seen_wmax ? p.rect.w : seen_wmax;
        seen_hmin = p.rect.h < seen_hmin ? p.rect.h : seen_hmin;
        seen_hmax = p.rect.h > seen_hmax ? p.rect.h : seen_hmax;
    }
    /* the sides really spread over the range */
    assert_true(seen_wmin <= wlo + 2 && seen_wmax >= whi - 2);
    assert_true(seen_hmin <= hlo + 2 && seen_hmax >= hhi - 2);

    /* lo == hi: a fixed size, placed anywhere it fits (both extremes reached) */
    o.ratio_lo = o.ratio_hi = 0.5;
    bool at_left = false, at_right = false;
    for (int i = 0; i < 2000; i++) {
        struct bmx_patch p;
        assert_int_equal(bmx_cutmix_draw_patch(&o, 10, 4, NULL, 0, &rng, &p, NULL), BMX_OK);
        assert_int_equal(p.rect.w, 5);
        assert_int_equal(p.rect.h, 2);
        assert_in_range(p.rect.x, 0, 5);
        assert_in_range(p.rect.y, 0, 2);
        at_left |= p.rect.x == 0;
        at_right |= p.rect.x == 5;
    }
    assert_true(at_left && at_right);
}

/* The ratio draw is exactly: rw, rh, then x0 and y0 below the room left. */
static void test_patch_ratio_formula(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    o.mode = BMX_PATCH_RATIO;
    o.ratio_lo = 0.25;
    o.ratio_hi = 0.85;
    bmx_rng rng;
    bmx_rng_seed(&rng, 11, 2);
    const int32_t w = 37, h = 23;
    for (int i = 0; i < 500; i++) {
        bmx_rng replay = rng;
        double rw = 0.25 + 0.6 * bmx_rng_uniform(&replay);
        double rh = 0.25 + 0.6 * bmx_rng_uniform(&replay);
        int32_t pw = (int32_t)floor(w * rw + 0.5);
        int32_t ph = (int32_t)floor(h * rh + 0.5);
        int32_t x0 = (int32_t)bmx_rng_below(&replay, (uint64_t)(w - pw + 1));
        int32_t y0 = (int32_t)bmx_rng_below(&replay, (uint64_t)(h - ph + 1));
        struct bmx_patch p;
        assert_int_equal(bmx_cutmix_draw_patch(&o, w, h, NULL, 0, &rng, &p, NULL), BMX_OK);
        assert_int_equal(p.rect.x, x0);
        assert_int_equal(p.rect.y, y0);
        assert_int_equal(p.rect.w, pw);
        assert_int_equal(p.rect.h, ph);
        assert_memory_equal(&rng, &replay, sizeof rng);
    }
}

static void test_patch_determinism(void **state)
{
    (void)state;
    for (int mode = 0; mode < 2; mode++) {
        struct bmx_cutmix_options o = defaults();
        o.mode = mode == 0 ? BMX_PATCH_BETA : BMX_PATCH_RATIO;
        bmx_rng r1, r2, r3;
        bmx_rng_seed(&r1, 42, 7);
        bmx_rng_seed(&r2, 42, 7);
        bmx_rng_seed(&r3, 42, 8);
        int differ = 0;
        for (int i = 0; i < 200; i++) {
            struct bmx_patch p1, p2, p3;
            assert_int_equal(bmx_cutmix_draw_patch(&o, 64, 48, NULL, 0, &r1, &p1, NULL), BMX_OK);
            assert_int_equal(bmx_cutmix_draw_patch(&o, 64, 48, NULL, 0, &r2, &p2, NULL), BMX_OK);
            assert_int_equal(bmx_cutmix_draw_patch(&o, 64, 48, NULL, 0, &r3, &p3, NULL), BMX_OK);
            assert_memory_equal(&p1.rect, &p2.rect, sizeof p1.rect);
            assert_true(p1.lambda == p2.lambda);
            differ += memcmp(&p1.rect, &p3.rect, sizeof p1.rect) != 0;
        }
        assert_true(differ > 100);
    }
}

static double cover(struct bmx_rect r, const struct bmx_box *boxes, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double ix = fmin(r.x + r.w, boxes[i].x + boxes[i].w) - fmax(r.x, boxes[i].x);
        double iy = fmin(r.y + r.h, boxes[i].y + boxes[i].h) - fmax(r.y, boxes[i].y);
        if (ix > 0 && iy > 0) {
            sum += ix * iy;
        }
    }
    return sum;
}

static void test_avoid_base_free(void **state)
{
    (void)state;
    /* A box over the left half of a 100x100 image; 30x30 patches. */
    const struct bmx_box boxes[] = {{0, 0, 50, 100}, {60, 60, 5, 5}};
    struct bmx_cutmix_options any = defaults();
    any.mode = BMX_PATCH_RATIO;
    any.ratio_lo = any.ratio_hi = 0.3;
    struct bmx_cutmix_options avoid = any;
    avoid.placement = BMX_PLACE_AVOID_BASE;
    avoid.tries = 20;
    int found = 0;
    for (uint64_t seed = 0; seed < 50; seed++) {
        bmx_rng rng, replay;
        bmx_rng_seed(&rng, seed, 0);
        replay = rng;
        /* The first free candidate among the same draws, found independently. */
        int first_free = -1;
        struct bmx_rect expect = {0, 0, 0, 0};
        double least = INFINITY;
        bmx_rng after_expect = replay;
        for (int t = 0; t < avoid.tries; t++) {
            struct bmx_patch c;
            assert_int_equal(bmx_cutmix_draw_patch(&any, 100, 100, NULL, 0, &replay, &c, NULL),
                             BMX_OK);
            double cv = cover(c.rect, boxes, 2);
            if (cv == 0.0) {
                first_free = t;
                expect = c.rect;
                after_expect = replay;
                break;
            }
            if (cv < least) {
                least = cv;
                expect = c.rect;
            }
            after_expect = replay;
        }
        struct bmx_patch p;
        assert_int_equal(bmx_cutmix_draw_patch(&avoid, 100, 100, boxes, 2, &rng, &p, NULL),
                         BMX_OK);
        assert_memory_equal(&p.rect, &expect, sizeof expect);
        /* it stops drawing at the first free candidate */
        assert_memory_equal(&rng, &after_expect, sizeof rng);
        if (first_free >= 0) {
            found++;
            assert_float_equal(cover(p.rect, boxes, 2), 0.0, 0);
            assert_true(p.rect.x >= 50);
        }
    }
    /* with 20 tries at ~30% each, nearly every seed finds a free patch */
    assert_true(found >= 45);
}

static void test_avoid_base_least_cover(void **state)
{
    (void)state;
    /* Boxes tile the whole image: no candidate is free. The least covering one is
     * the smallest patch; on ties, the earliest. */
    const struct bmx_box boxes[] = {{0, 0, 20, 40}, {20, 0, 20, 40}};
    struct bmx_cutmix_options any = defaults();
    struct bmx_cutmix_options avoid = any;
    avoid.placement = BMX_PLACE_AVOID_BASE;
    avoid.tries = 8;
    for (uint64_t seed = 0; seed < 30; seed++) {
        bmx_rng rng, replay;
        bmx_rng_seed(&rng, seed, 1);
        replay = rng;
        struct bmx_rect best = {0, 0, 0, 0};
        double least = INFINITY;
        bool empty_seen = false;
        for (int t = 0; t < avoid.tries && !empty_seen; t++) {
            struct bmx_patch c;
            assert_int_equal(bmx_cutmix_draw_patch(&any, 40, 40, NULL, 0, &replay, &c, NULL),
                             BMX_OK);
            double cv = cover(c.rect, boxes, 2);
            assert_float_equal(cv, (double)c.rect.w * c.rect.h, 1e-9);
            if (cv == 0.0) {
                empty_seen = true; /* an empty patch covers nothing: it is free */
                best = c.rect;
            } else if (cv < least) {
                least = cv;
                best = c.rect;
            }
        }
        struct bmx_patch p;
        assert_int_equal(bmx_cutmix_draw_patch(&avoid, 40, 40, boxes, 2, &rng, &p, NULL),
                         BMX_OK);
        assert_memory_equal(&p.rect, &best, sizeof best);
    }

    /* Ties: same-size patches over a fully covered image all cover the same area;
     * the earliest candidate wins. */
    avoid.mode = any.mode = BMX_PATCH_RATIO;
    avoid.ratio_lo = avoid.ratio_hi = any.ratio_lo = any.ratio_hi = 0.5;
    for (uint64_t seed = 0; seed < 10; seed++) {
        bmx_rng r1, r2;
        bmx_rng_seed(&r1, seed, 9);
        r2 = r1;
        struct bmx_patch p1, p2;
        assert_int_equal(bmx_cutmix_draw_patch(&avoid, 40, 40, boxes, 2, &r1, &p1, NULL),
                         BMX_OK);
        assert_int_equal(bmx_cutmix_draw_patch(&any, 40, 40, NULL, 0, &r2, &p2, NULL), BMX_OK);
        assert_memory_equal(&p1.rect, &p2.rect, sizeof p1.rect);
    }
    avoid.mode = any.mode = BMX_PATCH_BETA;

    /* tries = 1 gives the single candidate whatever it covers. */
    avoid.tries = 1;
    bmx_rng r1, r2;
    bmx_rng_seed(&r1, 3, 3);
    r2 = r1;
    struct bmx_patch p1, p2;
    assert_int_equal(bmx_cutmix_draw_patch(&avoid, 40, 40, boxes, 2, &r1, &p1, NULL), BMX_OK);
    assert_int_equal(bmx_cutmix_draw_patch(&any, 40, 40, NULL, 0, &r2, &p2, NULL), BMX_OK);
    assert_memory_equal(&p1.rect, &p2.rect, sizeof p1.rect);
}

/* ------------------------------------------------------------------------- */
/* Objects: boxes                                                             */
/* ------------------------------------------------------------------------- */

static void test_box_wholly_covered_dropped(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(1, 10, 10, 20, 20);
    struct bmx_object out;
    assert_false(by_rect(&o, &in, rect(5, 5, 40, 40), false, 100, 100, &out));
    /* exactly covered too */
    assert_false(by_rect(&o, &in, rect(10, 10, 20, 20), false, 100, 100, &out));
    /* even with every threshold off: nothing is visible */
    o.min_visibility = 0;
    o.min_size = 0;
    assert_false(by_rect(&o, &in, rect(10, 10, 20, 20), false, 100, 100, &out));
    in.iscrowd = 1;
    assert_false(by_rect(&o, &in, rect(10, 10, 20, 20), false, 100, 100, &out));
}

static void test_box_half_covered(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(3, 10, 10, 20, 20);
    struct bmx_object out;
    /* the patch covers x in [20, 50): the right half of the box */
    assert_true(by_rect(&o, &in, rect(20, 0, 30, 100), false, 100, 100, &out));
    assert_box(out.bbox, 10, 10, 10, 20);
    assert_float_equal(out.area, 200, EPS);
    assert_true(out.has_area);
    assert_float_equal(out.visibility, 0.5, EPS);
    assert_true(out.touched);
    assert_int_equal(out.id, 3);
    assert_int_equal(out.category_id, 7);
    bmx_object_free(&out);
}

static void test_box_side_shrinks(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(1, 10, 10, 20, 20);
    struct bmx_object out;
    /* the whole top side, 5 rows deep */
    assert_true(by_rect(&o, &in, rect(0, 0, 100, 15), false, 100, 100, &out));
    assert_box(out.bbox, 10, 15, 20, 15);
    assert_float_equal(out.area, 300, EPS);
    assert_float_equal(out.visibility, 0.75, EPS);
    /* the whole bottom side */
    assert_true(by_rect(&o, &in, rect(0, 22, 100, 78), false, 100, 100, &out));
    assert_box(out.bbox, 10, 10, 20, 12);
    assert_float_equal(out.area, 240, EPS);
    /* the left side, and beyond: the patch over the box's left 4 columns */
    assert_true(by_rect(&o, &in, rect(0, 0, 14, 100), false, 100, 100, &out));
    assert_box(out.bbox, 14, 10, 16, 20);
    assert_float_equal(out.area, 320, EPS);
}

static void test_box_hole_keeps_extent(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(1, 10, 10, 20, 20);
    struct bmx_object out;
    /* a 4x4 hole in the middle: the tight box of what remains is the whole box, the
     * visible area is the box's minus the hole's */
    assert_true(by_rect(&o, &in, rect(18, 18, 4, 4), false, 100, 100, &out));
    assert_box(out.bbox, 10, 10, 20, 20);
    assert_float_equal(out.area, 384, EPS);
    assert_float_equal(out.visibility, 384.0 / 400.0, EPS);
    assert_true(out.touched);
    /* a corner: an L remains, its extent is the box, its area 400 - 25 */
    assert_true(by_rect(&o, &in, rect(0, 0, 15, 15), false, 100, 100, &out));
    assert_box(out.bbox, 10, 10, 20, 20);
    assert_float_equal(out.area, 375, EPS);
}

static void test_source_box_clipped(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(9, 10.5, 10, 20, 20);
    struct bmx_object out;
    /* the patch [20, 50) x [15, 100): the box's part inside is [20, 30.5) x [15, 30) */
    assert_true(by_rect(&o, &in, rect(20, 15, 30, 85), true, 100, 100, &out));
    assert_box(out.bbox, 20, 15, 10.5, 15);
    assert_float_equal(out.area, 157.5, EPS);
    assert_float_equal(out.visibility, 157.5 / 400.0, EPS);
    assert_true(out.touched);
    /* wholly inside: untouched */
    assert_true(by_rect(&o, &in, rect(0, 0, 60, 60), true, 100, 100, &out));
    assert_false(out.touched);
    assert_box(out.bbox, 10.5, 10, 20, 20);
    /* wholly outside: gone */
    assert_false(by_rect(&o, &in, rect(50, 50, 10, 10), true, 100, 100, &out));
    /* empty patch: nothing of the source survives */
    assert_false(by_rect(&o, &in, rect(20, 20, 0, 0), true, 100, 100, &out));
}

static void test_untouched_exact(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    static const int marker = 0;
    struct bmx_object in = box_object(123456789012LL, 1.1, 2.2, 3.3, 4.4);
    in.area = 14.52000000000001; /* not w*h: must survive as it is */
    in.has_area = false;
    in.iscrowd = 0;
    in.has_iscrowd = false;
    in.extra = &marker;
    struct bmx_object out;
    assert_true(by_rect(&o, &in, rect(50, 50, 10, 10), false, 100, 100, &out));
    assert_false(out.touched);
    assert_float_equal(out.visibility, 1.0, 0);
    assert_memory_equal(&out.bbox, &in.bbox, sizeof in.bbox);
    assert_memory_equal(&out.area, &in.area, sizeof in.area);
    assert_int_equal(out.has_area, false);
    assert_int_equal(out.has_iscrowd, false);
    assert_int_equal(out.id, in.id);
    assert_int_equal(out.category_id, in.category_id);
    assert_ptr_equal(out.extra, &marker);
    assert_int_equal(out.seg_kind, BMX_SEG_NONE);
    /* a patch that only shares an edge does not touch it */
    struct bmx_object edge = box_object(2, 10, 10, 5, 5);
    assert_true(by_rect(&o, &edge, rect(0, 0, 10, 100), false, 100, 100, &out));
    assert_false(out.touched);
    assert_true(by_rect(&o, &edge, rect(15, 10, 10, 5), false, 100, 100, &out));
    assert_false(out.touched);

    /* an untouched polygon object: the very same numbers */
    const double xy[] = {10.25, 10.5, 30.125, 11, 29, 30.75, 9.5, 28};
    struct bmx_object pin = poly_object(5, xy, 4);
    pin.area = 333.5; /* as recorded */
    assert_true(by_rect(&o, &pin, rect(50, 50, 20, 20), false, 100, 100, &out));
    assert_false(out.touched);
    assert_memory_equal(&out.bbox, &pin.bbox, sizeof pin.bbox);
    assert_memory_equal(&out.area, &pin.area, sizeof pin.area);
    assert_int_equal(out.seg_kind, BMX_SEG_POLYGON);
    assert_int_equal(out.polys.count, 1);
    assert_int_equal(out.polys.rings[0].n, 4);
    assert_ptr_not_equal(out.polys.rings[0].xy, pin.polys.rings[0].xy);
    assert_memory_equal(out.polys.rings[0].xy, xy, sizeof xy);
    bmx_object_free(&out);
    bmx_object_free(&pin);
}

static void test_crowd_tiny_visibility(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(1, 0, 0, 100, 100);
    struct bmx_object out;
    /* 1% stays, and it is 1 px wide: a normal object goes, a crowd region stays */
    assert_false(by_rect(&o, &in, rect(0, 0, 99, 100), false, 100, 100, &out));
    in.iscrowd = 1;
    assert_true(by_rect(&o, &in, rect(0, 0, 99, 100), false, 100, 100, &out));
    assert_float_equal(out.visibility, 0.01, EPS);
    assert_box(out.bbox, 99, 0, 1, 100);
    assert_float_equal(out.area, 100, EPS);
    assert_int_equal(out.iscrowd, 1);
}

static void test_min_area_min_size(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    o.min_visibility = 0;
    struct bmx_object in = box_object(1, 0, 0, 10, 10);
    struct bmx_object out;
    /* 1 px wide strip left: below min_size 2 */
    assert_false(by_rect(&o, &in, rect(0, 0, 9, 10), false, 100, 100, &out));
    /* 2 px: enough */
    assert_true(by_rect(&o, &in, rect(0, 0, 8, 10), false, 100, 100, &out));
    assert_box(out.bbox, 8, 0, 2, 10);
    o.min_size = 0;
    assert_true(by_rect(&o, &in, rect(0, 0, 9, 10), false, 100, 100, &out));

    o = defaults();
    o.min_area = 60;
    assert_false(by_rect(&o, &in, rect(0, 0, 5, 10), false, 100, 100, &out));
    o.min_area = 50;
    assert_true(by_rect(&o, &in, rect(0, 0, 5, 10), false, 100, 100, &out));
    assert_float_equal(out.area, 50, EPS);

    /* min_visibility: 10% kept, just under dropped */
    o = defaults();
    o.min_size = 0;
    assert_true(by_rect(&o, &in, rect(0, 0, 9, 10), false, 100, 100, &out));
    assert_float_equal(out.visibility, 0.1, EPS);
    o.min_visibility = 0.11;
    assert_false(by_rect(&o, &in, rect(0, 0, 9, 10), false, 100, 100, &out));
}

static void test_box_outside_image(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    /* a box poking out of the right edge, far from the patch: clipped to the image */
    struct bmx_object in = box_object(1, 90, 10, 20, 10);
    struct bmx_object out;
    assert_true(by_rect(&o, &in, rect(0, 50, 10, 10), false, 100, 100, &out));
    assert_true(out.touched);
    assert_box(out.bbox, 90, 10, 10, 10);
    assert_float_equal(out.area, 100, EPS);
    assert_float_equal(out.visibility, 1.0, EPS);
    /* visibility relative to the part inside the image */
    assert_true(by_rect(&o, &in, rect(95, 0, 5, 100), false, 100, 100, &out));
    assert_box(out.bbox, 90, 10, 5, 10);
    assert_float_equal(out.visibility, 0.5, EPS);
    /* a box wholly outside the image is never written */
    struct bmx_object gone = box_object(2, 120, 10, 20, 10);
    assert_false(by_rect(&o, &gone, rect(0, 0, 1, 1), false, 100, 100, &out));
}

static void test_zero_area_objects(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(1, 10, 10, 0, 5);
    struct bmx_object out;
    /* away from the patch: kept as it came */
    assert_true(by_rect(&o, &in, rect(50, 50, 10, 10), false, 100, 100, &out));
    assert_false(out.touched);
    /* under the patch: gone */
    assert_false(by_rect(&o, &in, rect(5, 5, 10, 10), false, 100, 100, &out));
    /* a source one outside the patch: gone; inside: kept as it came */
    assert_false(by_rect(&o, &in, rect(50, 50, 10, 10), true, 100, 100, &out));
    assert_true(by_rect(&o, &in, rect(5, 5, 10, 10), true, 100, 100, &out));
    assert_false(out.touched);
}

static void test_object_errors(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_object in = box_object(1, 10, 10, 5, 5);
    struct bmx_object out;
    bool kept = true;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_object_by_rect(&o, &in, rect(0, 0, 5, 5), false, 0, 10, &out, &kept, &err),
                     BMX_E_INVALID);
    assert_false(kept);
    in.bbox.w = NAN;
    assert_int_equal(
        bmx_object_by_rect(&o, &in, rect(0, 0, 5, 5), false, 10, 10, &out, &kept, &err),
        BMX_E_INVALID);
    /* mask format polygon is supported: a box object goes through unchanged */
    o.mask_format = BMX_MASK_POLYGON;
    in = box_object(1, 6, 6, 3, 3);
    assert_int_equal(
        bmx_object_by_rect(&o, &in, rect(0, 0, 5, 5), false, 10, 10, &out, &kept, &err),
        BMX_OK);
    assert_true(kept);
    assert_int_equal(out.seg_kind, BMX_SEG_NONE);
    bmx_object_free(&out);
    o.mask_format = (enum bmx_mask_format)7;
    assert_int_equal(
        bmx_object_by_rect(&o, &in, rect(0, 0, 5, 5), false, 10, 10, &out, &kept, &err),
        BMX_E_INVALID);
    assert_false(kept);
}

/* ------------------------------------------------------------------------- */
/* Objects: polygons and RLE                                                  */
/* ------------------------------------------------------------------------- */

static void test_polygon_cut(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    /* right triangle (0,0) (40,0) (0,40): area 800 */
    const double tri[] = {0, 0, 40, 0, 0, 40};
    struct bmx_object in = poly_object(4, tri, 3);
    assert_float_equal(in.area, 800, EPS);
    struct bmx_object out;

    /* cut the square [0,20]^2 (wholly inside the triangle): 400 left, in two
     * pieces whose extent is still the triangle's */
    assert_true(by_rect(&o, &in, rect(0, 0, 20, 20), false, 100, 100, &out));
    assert_true(out.touched);
    assert_int_equal(out.seg_kind, BMX_SEG_POLYGON);
    assert_float_equal(out.area, 400, 1e-9);
    assert_float_equal(out.area, bmx_polyset_area(&out.polys), 0);
    assert_float_equal(out.visibility, 0.5, 1e-12);
    assert_box(out.bbox, 0, 0, 40, 40);
    for (size_t i = 0; i < out.polys.count; i++) {
        assert_true(out.polys.rings[i].n >= 3);
    }
    bmx_object_free(&out);

    /* cut the band x in [10, 100): what remains is the trapezoid x in [0, 10] */
    assert_true(by_rect(&o, &in, rect(10, 0, 90, 100), false, 100, 100, &out));
    assert_float_equal(out.area, 800 - 0.5 * 30 * 30, 1e-9);
    assert_box(out.bbox, 0, 0, 10, 40);
    bmx_object_free(&out);

    /* clip to [10, 40)^2 (source side): the triangle (10,10) (30,10) (10,30) */
    assert_true(by_rect(&o, &in, rect(10, 10, 30, 30), true, 100, 100, &out));
    assert_float_equal(out.area, 200, 1e-9);
    assert_float_equal(out.visibility, 0.25, 1e-12);
    assert_box(out.bbox, 10, 10, 20, 20);
    bmx_object_free(&out);

    /* a patch inside the triangle's box but off the triangle itself: untouched */
    assert_true(by_rect(&o, &in, rect(30, 30, 10, 10), false, 100, 100, &out));
    assert_false(out.touched);
    assert_float_equal(out.area, 800, 0);
    bmx_object_free(&out);

    /* mask format RLE: a touched polygon becomes a compressed RLE of the image
     * frame, its area/bbox the mask's */
    o.mask_format = BMX_MASK_RLE;
    assert_true(by_rect(&o, &in, rect(10, 10, 30, 30), true, 100, 100, &out));
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_true(out.rle_compressed);
    assert_int_equal(out.rle.h, 100);
    assert_int_equal(out.rle.w, 100);
    assert_int_equal(out.polys.count, 0);
    assert_float_equal(out.area, (double)bmx_rle_area(&out.rle), 0);
    assert_true(out.area > 150 && out.area < 250);
    struct bmx_box rb;
    bmx_rle_bbox(&out.rle, &rb);
    assert_memory_equal(&out.bbox, &rb, sizeof rb);
    bmx_object_free(&out);
    /* untouched: rasterised too, but area/bbox stay as recorded */
    assert_true(by_rect(&o, &in, rect(30, 30, 10, 10), false, 100, 100, &out));
    assert_false(out.touched);
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_float_equal(out.area, 800, 0);
    assert_box(out.bbox, 0, 0, 40, 40);
    bmx_object_free(&out);

    bmx_object_free(&in);
}

static void test_polygon_outside_image(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    /* a square [80, 120] x [10, 30] on a 100 x 100 image: half of it is outside */
    const double sq[] = {80, 10, 120, 10, 120, 30, 80, 30};
    struct bmx_object in = poly_object(1, sq, 4);
    struct bmx_object out;
    assert_true(by_rect(&o, &in, rect(0, 50, 10, 10), false, 100, 100, &out));
    assert_true(out.touched);
    assert_float_equal(out.area, 400, 1e-9);
    assert_float_equal(out.visibility, 1.0, 1e-12);
    assert_box(out.bbox, 80, 10, 20, 20);
    bmx_object_free(&out);
    /* the patch over its left half of the visible part: visibility 0.5 */
    assert_true(by_rect(&o, &in, rect(80, 0, 10, 100), false, 100, 100, &out));
    assert_float_equal(out.visibility, 0.5, 1e-12);
    assert_box(out.bbox, 90, 10, 10, 20);
    bmx_object_free(&out);
    bmx_object_free(&in);
}

/* The next whitespace-separated token of *p (cut out in place), NULL at the end. */
static char *token(char **p)
{
    char *s = *p + strspn(*p, " \t");
    if (*s == '\0') {
        *p = s;
        return NULL;
    }
    char *e = s + strcspn(s, " \t");
    if (*e != '\0') {
        *e++ = '\0';
    }
    *p = e;
    return s;
}

static long token_long(char **p)
{
    char *t = token(p), *end;
    assert_non_null(t);
    long v = strtol(t, &end, 10);
    assert_true(*end == '\0');
    return v;
}

/*
 * With --mask-format rle, a polygon object is rasterised as the COCO API's frPoly
 * does (annToRLE: each ring, then their union) on the polygon as recorded, which
 * may reach past the image edge (labelme exports clicks a few tenths of a pixel
 * outside): before, boxmix clipped the polygon to the image first and lost pixels
 * along that edge. The "X" lines of tests/data/rle_vectors.txt, made by the COCO
 * API's rules (tests/gen_rle_vectors.py), give frPoly's mask with a rectangle
 * cleared (a base object the patch cuts; a rectangle that misses it leaves frPoly's
 * mask whole) or kept (a source object it clips): the object's RLE must be exactly
 * that, and its area and box those of that mask.
 */
static void mask_rle_polygon_past_edge(void **state)
{
    (void)state;
    const char *path = BMX_SOURCE_ROOT "/tests/data/rle_vectors.txt";
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    struct bmx_cutmix_options o = defaults();
    o.mask_format = BMX_MASK_RLE;
    o.min_visibility = 0.0;
    o.min_size = 0.0;
    unsigned n_missed = 0, n_cut = 0, n_clipped = 0, line = 0;
    char buf[8192];
    while (fgets(buf, sizeof buf, f) != NULL) {
        line++;
        assert_non_null(strchr(buf, '\n'));
        buf[strcspn(buf, "\r\n")] = '\0';
        char *p = buf;
        char *kind = token(&p);
        if (kind == NULL || strcmp(kind, "X") != 0) {
            continue;
        }
        int32_t h = (int32_t)token_long(&p), w = (int32_t)token_long(&p);
        struct bmx_rect r;
        r.x = (int32_t)token_long(&p);
        r.y = (int32_t)token_long(&p);
        r.w = (int32_t)token_long(&p);
        r.h = (int32_t)token_long(&p);
        bool inside = token_long(&p) != 0;
        struct bmx_object in = box_object(1, 0, 0, 0, 0);
        in.seg_kind = BMX_SEG_POLYGON;
        in.polys.count = (size_t)token_long(&p);
        in.polys.rings = calloc(in.polys.count, sizeof *in.polys.rings);
        assert_non_null(in.polys.rings);
        bool past_edge = false;
        for (size_t k = 0; k < in.polys.count; k++) {
            struct bmx_poly *ring = &in.polys.rings[k];
            ring->n = (size_t)token_long(&p);
            ring->xy = calloc(2 * ring->n, sizeof *ring->xy);
            assert_non_null(ring->xy);
            for (size_t j = 0; j < 2 * ring->n; j++) {
                char *t = token(&p);
                assert_non_null(t);
                ring->xy[j] = strtod(t, NULL);
                double edge = j % 2 == 0 ? w : h;
                past_edge = past_edge || ring->xy[j] < 0 || ring->xy[j] > edge;
            }
        }
        assert_true(past_edge);
        in.area = bmx_polyset_area(&in.polys);
        assert_true(bmx_polyset_bbox(&in.polys, &in.bbox));
        const char *want = token(&p);
        long area = token_long(&p);
        double bx = (double)token_long(&p), by = (double)token_long(&p);
        double bw = (double)token_long(&p), bh = (double)token_long(&p);
        assert_non_null(want);
        assert_null(token(&p));

        struct bmx_object out;
        bool kept = by_rect(&o, &in, r, inside, w, h, &out);
        if (!kept) {
            fail_msg("line %u: the object was dropped", line);
        }
        assert_int_equal(out.seg_kind, BMX_SEG_RLE);
        assert_true(out.rle_compressed);
        char *got = NULL;
        assert_int_equal(bmx_rle_to_string(&out.rle, &got, NULL, NULL), BMX_OK);
        if (strcmp(got, want) != 0) {
            fail_msg("line %u: counts %s, expected frPoly's %s", line, got, want);
        }
        assert_int_equal(bmx_rle_area(&out.rle), (uint64_t)area);
        /* past the edge, the object changed (its polygons were restricted to the
         * image): area and box are the mask's */
        assert_true(out.touched);
        assert_float_equal(out.area, (double)area, 0);
        assert_box(out.bbox, bx, by, bw, bh);
        free(got);
        bmx_object_free(&out);

        /* what the rectangle does to the polygons clipped to the image */
        struct bmx_polyset clipped;
        struct bmx_box image = {0, 0, (double)w, (double)h};
        assert_int_equal(bmx_polyset_clip_rect(&in.polys, image, &clipped, NULL), BMX_OK);
        struct bmx_box ext;
        assert_true(bmx_polyset_bbox(&clipped, &ext));
        bool meets =
            ext.x < r.x + r.w && ext.x + ext.w > r.x && ext.y < r.y + r.h && ext.y + ext.h > r.y;
        if (inside) {
            n_clipped++;
        } else if (meets) {
            n_cut++;
        } else {
            n_missed++;
        }
        bmx_polyset_free(&clipped);
        bmx_object_free(&in);
    }
    fclose(f);
    /* an untouched object, cut ones and clipped ones were all seen */
    assert_true(n_missed >= 2);
    assert_true(n_cut >= 4);
    assert_true(n_clipped >= 4);
}

static void test_rle_cut(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    /* 20 rows x 30 columns, pixels x in [5, 15), y in [4, 12): 80 px */
    struct bmx_object in = rle_object(2, 20, 30, 5, 4, 15, 12);
    struct bmx_object out;
    /* cut columns [10, 20): x in [5, 10) stays */
    assert_true(by_rect(&o, &in, rect(10, 0, 10, 20), false, 30, 20, &out));
    assert_true(out.touched);
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_true(out.rle_compressed);
    assert_int_equal(bmx_rle_area(&out.rle), 40);
    assert_float_equal(out.area, 40, 0);
    assert_float_equal(out.visibility, 0.5, 0);
    assert_box(out.bbox, 5, 4, 5, 8);
    bmx_object_free(&out);
    /* clip to the same columns: x in [10, 15) */
    assert_true(by_rect(&o, &in, rect(10, 0, 10, 20), true, 30, 20, &out));
    assert_float_equal(out.area, 40, 0);
    assert_box(out.bbox, 10, 4, 5, 8);
    bmx_object_free(&out);
    /* a patch that misses the mask's pixels (but not its size): untouched */
    assert_true(by_rect(&o, &in, rect(20, 0, 10, 20), false, 30, 20, &out));
    assert_false(out.touched);
    assert_int_equal(out.rle.m, in.rle.m);
    assert_memory_equal(out.rle.counts, in.rle.counts, in.rle.m * sizeof(uint32_t));
    bmx_object_free(&out);
    /* a mask of another size than the image is an error */
    bool kept = true;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(
        bmx_object_by_rect(&o, &in, rect(0, 0, 5, 5), false, 31, 20, &out, &kept, &err),
        BMX_E_INVALID);
    assert_false(kept);
    bmx_object_free(&in);
}

/* ------------------------------------------------------------------------- */
/* Mask format polygon                                                        */
/* ------------------------------------------------------------------------- */

/* An RLE object of size [h, w]: the rectangle [x0,x1) x [y0,y1) minus the hole
 * [hx0,hx1) x [hy0,hy1) (an empty hole when hx0 == hx1). area/bbox as COCO records
 * them (pixel count, tight box). */
static struct bmx_object rle_frame_object(int64_t id, uint32_t h, uint32_t w, uint32_t x0,
                                          uint32_t y0, uint32_t x1, uint32_t y1, uint32_t hx0,
                                          uint32_t hy0, uint32_t hx1, uint32_t hy1)
{
    struct bmx_object o = rle_object(id, h, w, x0, y0, x1, y1);
    uint8_t *mask = calloc((size_t)h * w, 1);
    assert_non_null(mask);
    assert_int_equal(bmx_rle_decode(&o.rle, mask, (size_t)h * w, NULL), BMX_OK);
    for (uint32_t x = hx0; x < hx1; x++) {
        for (uint32_t y = hy0; y < hy1; y++) {
            mask[(size_t)x * h + y] = 0;
        }
    }
    bmx_rle_free(&o.rle);
    assert_int_equal(bmx_rle_encode(mask, h, w, &o.rle, NULL), BMX_OK);
    free(mask);
    o.area = (double)bmx_rle_area(&o.rle);
    return o;
}

static void assert_ring_xy(const struct bmx_poly *ring, const double *xy, size_t n)
{
    assert_int_equal(ring->n, n);
    for (size_t i = 0; i < 2 * n; i++) {
        assert_float_equal(ring->xy[i], xy[i], 0);
    }
}

static void test_polygon_format_object(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    o.mask_format = BMX_MASK_POLYGON;
    /* 20 rows x 30 columns: x in [5, 15), y in [4, 12), minus the hole [8, 11) x [6, 9):
     * 80 - 9 = 71 px */
    struct bmx_object in = rle_frame_object(3, 20, 30, 5, 4, 15, 12, 8, 6, 11, 9);
    assert_float_equal(in.area, 71, 0);
    in.area = 70.5; /* as recorded, whatever it is */
    struct bmx_object out;

    /* untouched: the polygon segmentation (hole filled), recorded area and box */
    assert_true(by_rect(&o, &in, rect(20, 0, 10, 20), false, 30, 20, &out));
    assert_false(out.touched);
    assert_int_equal(out.seg_kind, BMX_SEG_POLYGON);
    assert_false(out.rle_compressed);
    assert_null(out.rle.counts);
    assert_int_equal(out.polys.count, 1);
    const double whole[] = {5, 4, 15, 4, 15, 12, 5, 12};
    assert_ring_xy(&out.polys.rings[0], whole, 4);
    assert_float_equal(out.area, 70.5, 0);
    assert_box(out.bbox, 5, 4, 10, 8);
    bmx_object_free(&out);

    /* touched, hole still enclosed: x in [5, 12) stays; area is the rings' (hole
     * filled), visibility the pixels' */
    assert_true(by_rect(&o, &in, rect(12, 0, 8, 20), false, 30, 20, &out));
    assert_true(out.touched);
    assert_int_equal(out.seg_kind, BMX_SEG_POLYGON);
    assert_int_equal(out.polys.count, 1);
    const double left[] = {5, 4, 12, 4, 12, 12, 5, 12};
    assert_ring_xy(&out.polys.rings[0], left, 4);
    assert_float_equal(out.area, 56, 0);
    assert_float_equal(out.visibility, 47.0 / 71.0, 1e-12);
    assert_box(out.bbox, 5, 4, 7, 8);
    bmx_object_free(&out);

    /* touched through the hole: x in [5, 10) is a C shape, area = pixel count */
    assert_true(by_rect(&o, &in, rect(10, 0, 10, 20), false, 30, 20, &out));
    assert_int_equal(out.polys.count, 1);
    const double c_shape[] = {5, 4, 10, 4, 10, 6, 8, 6, 8, 9, 10, 9, 10, 12, 5, 12};
    assert_ring_xy(&out.polys.rings[0], c_shape, 8);
    assert_float_equal(out.area, 34, 0);
    assert_box(out.bbox, 5, 4, 5, 8);
    bmx_object_free(&out);

    /* a cut leaving two pieces: two rings, in column-major order */
    assert_true(by_rect(&o, &in, rect(7, 0, 6, 20), false, 30, 20, &out));
    assert_int_equal(out.polys.count, 2);
    const double a[] = {5, 4, 7, 4, 7, 12, 5, 12};
    const double b[] = {13, 4, 15, 4, 15, 12, 13, 12};
    assert_ring_xy(&out.polys.rings[0], a, 4);
    assert_ring_xy(&out.polys.rings[1], b, 4);
    assert_float_equal(out.area, 32, 0);
    assert_box(out.bbox, 5, 4, 10, 8);
    bmx_object_free(&out);

    /* crowd objects keep their RLE, touched or not */
    in.iscrowd = 1;
    assert_true(by_rect(&o, &in, rect(20, 0, 10, 20), false, 30, 20, &out));
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_int_equal(out.polys.count, 0);
    bmx_object_free(&out);
    assert_true(by_rect(&o, &in, rect(12, 0, 8, 20), false, 30, 20, &out));
    assert_true(out.touched);
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    assert_float_equal(out.area, 47, 0);
    bmx_object_free(&out);
    bmx_object_free(&in);

    /* polygon objects stay polygons, untouched */
    const double tri[] = {0, 0, 40, 0, 0, 40};
    struct bmx_object pin = poly_object(4, tri, 3);
    assert_true(by_rect(&o, &pin, rect(30, 30, 10, 10), false, 100, 100, &out));
    assert_int_equal(out.seg_kind, BMX_SEG_POLYGON);
    assert_ring_xy(&out.polys.rings[0], tri, 3);
    bmx_object_free(&out);
    bmx_object_free(&pin);

    /* an empty mask has no polygon form: a zero-area object left alone stays RLE */
    struct bmx_object empty = rle_frame_object(5, 20, 30, 5, 4, 6, 5, 5, 4, 6, 5);
    assert_int_equal(bmx_rle_area(&empty.rle), 0);
    assert_true(by_rect(&o, &empty, rect(20, 0, 10, 20), false, 30, 20, &out));
    assert_int_equal(out.seg_kind, BMX_SEG_RLE);
    bmx_object_free(&out);
    bmx_object_free(&empty);
}

static void test_polygon_format_apply(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    o.mask_format = BMX_MASK_POLYGON;
    struct bmx_object aobj[3];
    aobj[0] = rle_frame_object(1, 20, 30, 5, 4, 15, 12, 8, 6, 11, 9); /* touched */
    aobj[1] = rle_frame_object(2, 20, 30, 22, 2, 28, 8, 24, 4, 26, 6); /* untouched */
    aobj[2] = rle_frame_object(3, 20, 30, 5, 14, 15, 20, 7, 16, 9, 18); /* crowd, touched */
    aobj[2].iscrowd = 1;
    struct bmx_object bobj = rle_frame_object(4, 20, 30, 12, 0, 19, 20, 14, 5, 16, 7);
    struct bmx_sample a = make_sample(30, 20, 1, aobj, 3);
    struct bmx_sample b = make_sample(30, 20, 2, &bobj, 1);
    struct bmx_patch p = {{12, 0, 8, 20}, 0};
    struct bmx_sample out;
    struct bmx_cutmix_stats st;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &b, &out, &st, &err), BMX_OK);
    assert_int_equal(out.n_objects, 4);
    assert_int_equal(out.objects[0].seg_kind, BMX_SEG_POLYGON);
    assert_float_equal(out.objects[0].area, 56, 0);
    assert_int_equal(out.objects[1].seg_kind, BMX_SEG_POLYGON);
    assert_false(out.objects[1].touched);
    assert_float_equal(out.objects[1].area, 32, 0); /* recorded pixel count kept */
    assert_float_equal(bmx_polyset_area(&out.objects[1].polys), 36, 0);
    assert_int_equal(out.objects[2].seg_kind, BMX_SEG_RLE);
    assert_int_equal(out.objects[3].seg_kind, BMX_SEG_POLYGON); /* source, whole */
    assert_int_equal(out.objects[3].origin, BMX_FROM_SOURCE);
    /* base 1 and 2 and the source each had one hole; the crowd's is not counted */
    assert_int_equal(st.holes_filled, 3);
    assert_int_equal(st.masked, 4);
    bmx_sample_free(&out);

    /* other formats fill nothing */
    o.mask_format = BMX_MASK_KEEP;
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &b, &out, &st, &err), BMX_OK);
    assert_int_equal(st.holes_filled, 0);
    assert_int_equal(out.objects[0].seg_kind, BMX_SEG_RLE);
    bmx_sample_free(&out);

    bmx_sample_free(&a);
    bmx_sample_free(&b);
    for (int i = 0; i < 3; i++) {
        bmx_object_free(&aobj[i]);
    }
    bmx_object_free(&bobj);
}

/* ------------------------------------------------------------------------- */
/* Apply                                                                      */
/* ------------------------------------------------------------------------- */

static void test_apply_pixels(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_sample a = make_sample(11, 9, 1, NULL, 0);
    struct bmx_sample b = make_sample(11, 9, 2, NULL, 0);
    struct bmx_patch p = {{3, 2, 5, 4}, 1.0 - 20.0 / 99.0};
    struct bmx_sample out;
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &b, &out, NULL, NULL), BMX_OK);
    assert_int_equal(out.image.w, 11);
    assert_int_equal(out.image.h, 9);
    assert_int_equal(out.image.channels, 3);
    for (int y = 0; y < 9; y++) {
        for (int x = 0; x < 11; x++) {
            bool in = x >= 3 && x < 8 && y >= 2 && y < 6;
            for (int c = 0; c < 3; c++) {
                uint8_t v = out.image.data[(size_t)y * out.image.stride + (size_t)x * 3 + c];
                assert_int_equal(v, pattern(in ? 2 : 1, x, y, c));
            }
        }
    }
    assert_int_equal(out.n_objects, 0);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

static void test_apply_objects(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    const struct bmx_object aobj[] = {
        box_object(10, 0, 0, 10, 10),   /* far from the patch: whole */
        box_object(11, 40, 40, 10, 10), /* under the patch: dropped */
        box_object(12, 20, 40, 50, 10), /* middle covered */
    };
    const struct bmx_object bobj[] = {
        box_object(20, 80, 80, 10, 10), /* outside the patch: dropped */
        box_object(21, 35, 35, 10, 10), /* wholly inside: whole */
        box_object(22, 25, 30, 20, 10), /* half inside */
    };
    struct bmx_sample a = make_sample(100, 100, 1, aobj, 3);
    struct bmx_sample b = make_sample(100, 100, 2, bobj, 3);
    struct bmx_patch p = {{30, 30, 30, 30}, 0.91};
    struct bmx_sample out;
    struct bmx_cutmix_stats st;
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &b, &out, &st, NULL), BMX_OK);
    assert_int_equal(out.n_objects, 4);
    assert_int_equal(out.objects[0].id, 10);
    assert_int_equal(out.objects[0].origin, BMX_FROM_BASE);
    assert_false(out.objects[0].touched);
    assert_int_equal(out.objects[1].id, 12);
    assert_int_equal(out.objects[1].origin, BMX_FROM_BASE);
    assert_box(out.objects[1].bbox, 20, 40, 50, 10); /* two ends remain: extent unchanged */
    assert_float_equal(out.objects[1].area, 200, EPS);
    assert_float_equal(out.objects[1].visibility, 0.4, EPS);
    assert_int_equal(out.objects[2].id, 21);
    assert_int_equal(out.objects[2].origin, BMX_FROM_SOURCE);
    assert_false(out.objects[2].touched);
    assert_int_equal(out.objects[3].id, 22);
    assert_int_equal(out.objects[3].origin, BMX_FROM_SOURCE);
    assert_box(out.objects[3].bbox, 30, 30, 15, 10);
    assert_float_equal(out.objects[3].area, 150, EPS);
    assert_int_equal(st.kept_whole, 2);
    assert_int_equal(st.clipped, 2);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.masked, 0);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

static void test_apply_masked_stats(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    const double sq[] = {10, 10, 30, 10, 30, 30, 10, 30};
    struct bmx_object aobj[2];
    aobj[0] = poly_object(1, sq, 4);
    aobj[1] = rle_object(2, 50, 60, 40, 5, 50, 15);
    struct bmx_sample a = make_sample(60, 50, 1, aobj, 2);
    struct bmx_sample b = make_sample(60, 50, 2, NULL, 0);
    struct bmx_patch p = {{20, 0, 5, 50}, 0};
    struct bmx_sample out;
    struct bmx_cutmix_stats st;
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &b, &out, &st, NULL), BMX_OK);
    assert_int_equal(out.n_objects, 2);
    assert_float_equal(out.objects[0].area, 300, 1e-9); /* 400 minus a 5 x 20 band */
    assert_box(out.objects[0].bbox, 10, 10, 20, 20);
    assert_false(out.objects[1].touched);
    assert_int_equal(st.masked, 2);
    assert_int_equal(st.clipped, 1);
    assert_int_equal(st.kept_whole, 1);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
    bmx_object_free(&aobj[0]);
    bmx_object_free(&aobj[1]);
}

static void test_apply_resized_source(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    const double tri[] = {0, 0, 10, 0, 0, 10};
    struct bmx_object bobj[3];
    bobj[0] = box_object(1, 5, 5, 10, 10);
    bobj[1] = poly_object(2, tri, 3);
    bobj[2] = rle_object(3, 40, 50, 20, 20, 30, 25);
    /* b is 50 x 40, a is 100 x 120: sx = 2, sy = 3 */
    struct bmx_sample a = make_sample(100, 120, 1, NULL, 0);
    struct bmx_sample b = make_sample(50, 40, 2, bobj, 3);
    struct bmx_patch p = {{0, 0, 100, 120}, 0};
    struct bmx_sample out;
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &b, &out, NULL, NULL), BMX_OK);
    assert_int_equal(out.image.w, 100);
    assert_int_equal(out.image.h, 120);
    assert_int_equal(out.n_objects, 3);
    /* every source object is wholly inside the full-image patch, in A's frame */
    assert_box(out.objects[0].bbox, 10, 15, 20, 30);
    assert_float_equal(out.objects[0].area, 600, EPS);
    assert_box(out.objects[1].bbox, 0, 0, 20, 30);
    assert_float_equal(out.objects[1].area, 300, EPS);
    assert_float_equal(out.objects[1].polys.rings[0].xy[2], 20, 0);
    assert_float_equal(out.objects[1].polys.rings[0].xy[5], 30, 0);
    /* the mask resampled nearest: rows y with floor((y + 0.5) / 3) in [20, 25) are
     * 60..74, columns 40..59 */
    assert_int_equal(out.objects[2].rle.h, 120);
    assert_int_equal(out.objects[2].rle.w, 100);
    assert_float_equal(out.objects[2].area, 300, 0);
    assert_box(out.objects[2].bbox, 40, 60, 20, 15);
    /* pixels: the whole patch is b resized bilinearly to a's size */
    struct bmx_image rb;
    assert_int_equal(bmx_image_resize(&b.image, 100, 120, &rb, NULL), BMX_OK);
    for (int y = 0; y < 120; y++) {
        assert_memory_equal(out.image.data + (size_t)y * out.image.stride,
                            rb.data + (size_t)y * rb.stride, 300);
    }
    bmx_image_free(&rb);
    bmx_sample_free(&out);

    /* half the patch: the scaled box [10, 15, 20, 30] clipped to x < 20 */
    struct bmx_patch half = {{0, 0, 20, 120}, 0};
    assert_int_equal(bmx_cutmix_apply(&o, &half, &a, &b, &out, NULL, NULL), BMX_OK);
    assert_box(out.objects[0].bbox, 10, 15, 10, 30);
    assert_float_equal(out.objects[0].visibility, 0.5, EPS);
    bmx_sample_free(&out);

    bmx_sample_free(&a);
    bmx_sample_free(&b);
    for (int i = 0; i < 3; i++) {
        bmx_object_free(&bobj[i]);
    }
}

static void test_apply_errors(void **state)
{
    (void)state;
    struct bmx_cutmix_options o = defaults();
    struct bmx_sample a = make_sample(10, 10, 1, NULL, 0);
    struct bmx_sample b = make_sample(10, 10, 2, NULL, 0);
    struct bmx_sample out;
    bmx_error err = {BMX_OK, ""};
    struct bmx_patch outside = {{5, 5, 6, 2}, 0};
    memset(&out, 0xab, sizeof out);
    assert_int_equal(bmx_cutmix_apply(&o, &outside, &a, &b, &out, NULL, &err), BMX_E_INVALID);
    assert_null(out.objects);
    assert_null(out.image.data);
    assert_int_equal(out.n_objects, 0);

    /* channel counts differ */
    struct bmx_sample g;
    memset(&g, 0, sizeof g);
    assert_int_equal(bmx_image_new(10, 10, 1, &g.image, NULL), BMX_OK);
    struct bmx_patch p = {{1, 1, 2, 2}, 0};
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &g, &out, NULL, &err), BMX_E_INVALID);
    assert_null(out.image.data);

    /* a failing object leaves nothing behind (and names the object) */
    struct bmx_object bad = rle_object(77, 5, 5, 0, 0, 2, 2); /* 5x5 mask on a 10x10 image */
    struct bmx_sample c = make_sample(10, 10, 3, &bad, 1);
    assert_int_equal(bmx_cutmix_apply(&o, &p, &c, &b, &out, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "base object 0 (id 77)"));
    assert_null(out.image.data);
    assert_null(out.objects);

    bmx_object_free(&bad);
    bmx_sample_free(&c);
    bmx_sample_free(&g);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_defaults),
        cmocka_unit_test(test_options_check),
        cmocka_unit_test(test_patch_inside_image),
        cmocka_unit_test(test_patch_bad_size),
        cmocka_unit_test(test_patch_lambda_mean),
        cmocka_unit_test(test_patch_beta_formula),
        cmocka_unit_test(test_patch_ratio_bounds),
        cmocka_unit_test(test_patch_ratio_formula),
        cmocka_unit_test(test_patch_determinism),
        cmocka_unit_test(test_avoid_base_free),
        cmocka_unit_test(test_avoid_base_least_cover),
        cmocka_unit_test(test_box_wholly_covered_dropped),
        cmocka_unit_test(test_box_half_covered),
        cmocka_unit_test(test_box_side_shrinks),
        cmocka_unit_test(test_box_hole_keeps_extent),
        cmocka_unit_test(test_source_box_clipped),
        cmocka_unit_test(test_untouched_exact),
        cmocka_unit_test(test_crowd_tiny_visibility),
        cmocka_unit_test(test_min_area_min_size),
        cmocka_unit_test(test_box_outside_image),
        cmocka_unit_test(test_zero_area_objects),
        cmocka_unit_test(test_object_errors),
        cmocka_unit_test(test_polygon_cut),
        cmocka_unit_test(test_polygon_outside_image),
        cmocka_unit_test(mask_rle_polygon_past_edge),
        cmocka_unit_test(test_rle_cut),
        cmocka_unit_test(test_polygon_format_object),
        cmocka_unit_test(test_polygon_format_apply),
        cmocka_unit_test(test_apply_pixels),
        cmocka_unit_test(test_apply_objects),
        cmocka_unit_test(test_apply_masked_stats),
        cmocka_unit_test(test_apply_resized_source),
        cmocka_unit_test(test_apply_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
