/* SPDX-License-Identifier: MIT */
/* Mosaic (DESIGN.md, "Other operations"): a hand-computed mosaic of four flat
 * images, objects landing where scale and offset say, clipped to the window, and
 * properties over thousands of random draws. */
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

static struct bmx_sample rgb_sample(int32_t w, int32_t h, uint8_t r, uint8_t g, uint8_t b)
{
    struct bmx_sample s;
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx_image_new(w, h, 3, &s.image, NULL), BMX_OK);
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            uint8_t *p = s.image.data + (size_t)y * s.image.stride + (size_t)x * 3;
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
    }
    return s;
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    assert_true(fabs(b.x - x) < 1e-9);
    assert_true(fabs(b.y - y) < 1e-9);
    assert_true(fabs(b.w - w) < 1e-9);
    assert_true(fabs(b.h - h) < 1e-9);
}

static void assert_rect(struct bmx_rect r, int32_t x, int32_t y, int32_t w, int32_t h)
{
    assert_int_equal(r.x, x);
    assert_int_equal(r.y, y);
    assert_int_equal(r.w, w);
    assert_int_equal(r.h, h);
}

/* A generator whose Mosaic centre (s = 16) is (xc, yc) on the canvas: the centre
 * is the first two draws, lo + below(hi - lo + 1) each. */
static void rng_for_centre(bmx_rng *rng, int32_t xc, int32_t yc)
{
    for (uint64_t seed = 0; seed < 100000; seed++) {
        bmx_rng g;
        bmx_rng_seed(&g, seed, 0);
        bmx_rng probe = g;
        int32_t x = 8 + (int32_t)bmx_rng_below(&probe, 17);
        int32_t y = 8 + (int32_t)bmx_rng_below(&probe, 17);
        if (x == xc && y == yc) {
            *rng = g;
            return;
        }
    }
    fail_msg("no seed gives the centre (%d, %d)", (int)xc, (int)yc);
}

/* ------------------------------------------------------------------------- */
/* Hand-computed                                                              */
/* ------------------------------------------------------------------------- */

/* s = 16, centre (20, 12) on the canvas = (12, 4) in the output (window from 8).
 *   tile 0: 8x4 scaled x2 -> 16x8 at (12-16, 4-8) = (-4, -4): visible [0,0,12,4]
 *   tile 1: 4x8 scaled x2 -> 8x16 at (12, 4-16) = (12, -12):  visible [12,0,4,4]
 *   tile 2: 16x16 x1 -> 16x16 at (12-16, 4) = (-4, 4):        visible [0,4,12,12]
 *   tile 3: 32x8 x0.5 -> 16x4 at (12, 4):                     visible [12,4,4,4]
 * and grey 114 at [12,8,4,8], which no tile covers. */
static void four_flat_images(void **state)
{
    (void)state;
    struct bmx_sample in[4] = {rgb_sample(8, 4, 10, 20, 30), rgb_sample(4, 8, 40, 50, 60),
                               rgb_sample(16, 16, 70, 80, 90), rgb_sample(32, 8, 100, 110, 120)};
    const struct bmx_sample *inputs[4] = {&in[0], &in[1], &in[2], &in[3]};
    struct bmx_op_options o;
    bmx_op_options_init(&o);
    o.op = BMX_OP_MOSAIC;
    o.mosaic_size = 16;
    bmx_rng rng;
    rng_for_centre(&rng, 20, 12);
    struct bmx_sample out;
    struct bmx_op_record rec;
    assert_int_equal(bmx_op_apply(&o, inputs, 4, &rng, &out, &rec, NULL, NULL, NULL), BMX_OK);
    assert_int_equal(rec.op, BMX_OP_MOSAIC);
    assert_int_equal(rec.mosaic_size, 16);
    assert_int_equal(rec.centre[0], 20);
    assert_int_equal(rec.centre[1], 12);
    assert_rect(rec.tiles[0].rect, 0, 0, 12, 4);
    assert_rect(rec.tiles[1].rect, 12, 0, 4, 4);
    assert_rect(rec.tiles[2].rect, 0, 4, 12, 12);
    assert_rect(rec.tiles[3].rect, 12, 4, 4, 4);
    const double scales[4] = {2.0, 2.0, 1.0, 0.5};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(rec.tiles[k].input, (size_t)k);
        assert_true(rec.tiles[k].scale == scales[k]);
    }
    assert_int_equal(out.image.w, 16);
    assert_int_equal(out.image.h, 16);
    for (int32_t y = 0; y < 16; y++) {
        for (int32_t x = 0; x < 16; x++) {
            uint8_t want;
            if (y < 4) {
                want = x < 12 ? 10 : 40;
            } else if (x < 12) {
                want = 70;
            } else {
                want = y < 8 ? 100 : 114;
            }
            const uint8_t *p = out.image.data + (size_t)y * out.image.stride + (size_t)x * 3;
            assert_int_equal(p[0], want);
            assert_int_equal(p[1], want == 114 ? 114 : want + 10);
            assert_int_equal(p[2], want == 114 ? 114 : want + 20);
        }
    }
    bmx_sample_free(&out);
    for (int k = 0; k < 4; k++) {
        bmx_sample_free(&in[k]);
    }
}

/* The same layout with objects: each lands at scale * position + tile corner,
 * clipped to its tile's visible part, visibility the clipped share of the scaled
 * whole. */
static void objects_land_scaled_and_clipped(void **state)
{
    (void)state;
    struct bmx_sample in[4] = {rgb_sample(8, 4, 10, 20, 30), rgb_sample(4, 8, 40, 50, 60),
                               rgb_sample(16, 16, 70, 80, 90), rgb_sample(32, 8, 100, 110, 120)};
    /* tile 0 (x2, at (-4, -4)): [1,1,2,2] -> [2,2,4,4] -> [-2,-2,4,4] -> [0,0,2,2] */
    add_object(&in[0], box_object(1, 1, 1, 2, 2));
    /* tile 0: [6,0,2,1] -> [12,0,4,2] -> [8,-4,4,2]: above the window, dropped */
    add_object(&in[0], box_object(2, 6, 0, 2, 1));
    /* tile 1 (x2, at (12, -12)): a box with a keypoint, [0,6,1,2] -> [0,12,2,4] ->
     * [12,0,2,4] whole; keypoint (0.5, 7) -> (1, 14) -> (13, 2) */
    struct bmx_object kp = box_object(3, 0, 6, 1, 2);
    kp.keypoints = malloc(6 * sizeof(double));
    assert_non_null(kp.keypoints);
    const double pts[6] = {0.5, 7.0, 2.0, 0.5, 1.0, 2.0}; /* the second off the window */
    memcpy(kp.keypoints, pts, sizeof pts);
    kp.n_keypoints = 2;
    kp.has_keypoints = true;
    kp.num_keypoints = 2;
    kp.has_num_keypoints = true;
    add_object(&in[1], kp);
    /* tile 2 (x1, at (-4, 4)): polygon square [2,2,4,4] -> [-2,6,4,4] -> [0,6,2,4] */
    add_object(&in[2], square_polygon(4, 2, 2, 4, 4));
    /* tile 3 (x0.5, at (12, 4)): RLE pixels x 2..5, y 2..5 of 32x8 -> nearest
     * x 1..2, y 1..2 of 16x4 -> output [13,5,2,2], whole */
    add_object(&in[3], rect_rle(5, 32, 8, 2, 2, 4, 4));
    /* tile 3: RLE x 20..27 -> tile x 10..13 -> output 22..25: outside the window */
    add_object(&in[3], rect_rle(6, 32, 8, 20, 2, 8, 4));

    const struct bmx_sample *inputs[4] = {&in[0], &in[1], &in[2], &in[3]};
    struct bmx_op_options o;
    bmx_op_options_init(&o);
    o.op = BMX_OP_MOSAIC;
    o.mosaic_size = 16;
    bmx_rng rng;
    rng_for_centre(&rng, 20, 12);
    struct bmx_sample out;
    struct bmx_op_record rec;
    struct bmx_cutmix_stats stats;
    struct bmx_decision dec[6];
    assert_int_equal(bmx_op_apply(&o, inputs, 4, &rng, &out, &rec, &stats, dec, NULL), BMX_OK);
    assert_int_equal(out.n_objects, 4);
    assert_int_equal(stats.dropped, 2);

    const struct bmx_object *a = &out.objects[0];
    assert_int_equal(a->id, 1);
    assert_int_equal(a->origin, BMX_FROM_TILE);
    assert_int_equal(a->tile, 0);
    assert_box(a->bbox, 0, 0, 2, 2);
    assert_true(fabs(a->visibility - 0.25) < 1e-12);
    assert_true(a->touched);
    assert_int_equal(dec[0].input, 0);
    assert_int_equal(dec[0].from, BMX_FROM_TILE);
    assert_box(dec[0].before, -2, -2, 4, 4);
    assert_int_equal(dec[1].kind, BMX_DECIDED_DROPPED);

    const struct bmx_object *b = &out.objects[1];
    assert_int_equal(b->id, 3);
    assert_int_equal(b->tile, 1);
    assert_box(b->bbox, 12, 0, 2, 4);
    assert_false(b->touched);
    assert_true(b->keypoints[0] == 13.0 && b->keypoints[1] == 2.0 && b->keypoints[2] == 2.0);
    /* (2, 0.5) -> (4, 1) in the tile, outside its visible part [0,12,8,4]: hidden */
    assert_true(b->keypoints[3] == 0.0 && b->keypoints[4] == 0.0 && b->keypoints[5] == 0.0);
    assert_int_equal(b->num_keypoints, 1);
    assert_int_equal(dec[2].input, 1);

    const struct bmx_object *c = &out.objects[2];
    assert_int_equal(c->id, 4);
    assert_int_equal(c->tile, 2);
    assert_int_equal(c->seg_kind, BMX_SEG_POLYGON);
    assert_box(c->bbox, 0, 6, 2, 4);
    assert_true(fabs(c->area - 8.0) < 1e-12);
    assert_true(fabs(c->visibility - 0.5) < 1e-12);
    double e[4];
    bool fin = true;
    assert_true(bmx__polyset_extent(&c->polys, e, &fin));
    assert_true(e[0] == 0.0 && e[1] == 6.0 && e[2] == 2.0 && e[3] == 10.0);

    const struct bmx_object *d = &out.objects[3];
    assert_int_equal(d->id, 5);
    assert_int_equal(d->tile, 3);
    assert_int_equal(d->seg_kind, BMX_SEG_RLE);
    assert_int_equal(d->rle.h, 16);
    assert_int_equal(d->rle.w, 16);
    assert_int_equal(bmx_rle_area(&d->rle), 4);
    struct bmx_box rb;
    bmx_rle_bbox(&d->rle, &rb);
    assert_box(rb, 13, 5, 2, 2);
    assert_box(d->bbox, 13, 5, 2, 2);
    assert_true(d->visibility == 1.0);
    assert_int_equal(dec[5].kind, BMX_DECIDED_DROPPED);
    assert_int_equal(dec[5].input, 3);
    assert_int_equal(dec[5].index, 1);

    bmx_sample_free(&out);
    for (int k = 0; k < 4; k++) {
        bmx_sample_free(&in[k]);
    }
}

/* bmx__rle_place: a mask moved into a larger frame and partly off a smaller one. */
static void rle_place_moves_and_crops(void **state)
{
    (void)state;
    struct bmx_object o = rect_rle(1, 6, 5, 1, 1, 3, 3); /* 6 wide, 5 high */
    struct bmx_rle moved;
    assert_int_equal(bmx__rle_place(&o.rle, 10, 12, 4, 2, &moved, NULL), BMX_OK);
    assert_int_equal(moved.h, 10);
    assert_int_equal(moved.w, 12);
    struct bmx_box b;
    bmx_rle_bbox(&moved, &b);
    assert_box(b, 5, 3, 3, 3);
    assert_int_equal(bmx_rle_area(&moved), 9);
    bmx_rle_free(&moved);
    assert_int_equal(bmx__rle_place(&o.rle, 4, 4, -2, 2, &moved, NULL), BMX_OK);
    bmx_rle_bbox(&moved, &b);
    assert_box(b, 0, 3, 2, 1);
    assert_int_equal(bmx_rle_area(&moved), 2);
    assert_int_equal(bmx_rle_validate(&moved, NULL), BMX_OK);
    bmx_rle_free(&moved);
    /* A full-height mask: the columns' runs join where they meet. */
    struct bmx_object full = rect_rle(2, 2, 3, 0, 0, 2, 3);
    assert_int_equal(bmx__rle_place(&full.rle, 3, 3, 1, 0, &moved, NULL), BMX_OK);
    assert_int_equal(moved.m, 2);
    assert_int_equal(moved.counts[0], 3);
    assert_int_equal(moved.counts[1], 6);
    bmx_rle_free(&moved);
    bmx_object_free(&full);
    bmx_object_free(&o);
}

/* bmx__rle_place against the bitmap: random masks moved anywhere, partly or
 * wholly off the new frame. */
static void rle_place_matches_bitmap(void **state)
{
    (void)state;
    bmx_rng g;
    bmx_rng_seed(&g, 4, 4);
    for (int draw = 0; draw < 2000; draw++) {
        const uint32_t h = 1 + (uint32_t)bmx_rng_below(&g, 12);
        const uint32_t w = 1 + (uint32_t)bmx_rng_below(&g, 12);
        const uint32_t H = 1 + (uint32_t)bmx_rng_below(&g, 16);
        const uint32_t W = 1 + (uint32_t)bmx_rng_below(&g, 16);
        const int64_t dx = (int64_t)bmx_rng_below(&g, 30) - 14;
        const int64_t dy = (int64_t)bmx_rng_below(&g, 30) - 14;
        uint8_t m[12 * 12], want[16 * 16], got[16 * 16];
        const unsigned density = (unsigned)bmx_rng_below(&g, 4);
        for (uint32_t i = 0; i < h * w; i++) {
            m[i] = bmx_rng_below(&g, 4) < density;
        }
        memset(want, 0, sizeof want);
        for (uint32_t x = 0; x < w; x++) {
            for (uint32_t y = 0; y < h; y++) {
                int64_t X = (int64_t)x + dx, Y = (int64_t)y + dy;
                if (m[x * h + y] && X >= 0 && X < (int64_t)W && Y >= 0 && Y < (int64_t)H) {
                    want[(size_t)X * H + (size_t)Y] = 1;
                }
            }
        }
        struct bmx_rle in, out;
        assert_int_equal(bmx_rle_encode(m, h, w, &in, NULL), BMX_OK);
        assert_int_equal(bmx__rle_place(&in, H, W, dx, dy, &out, NULL), BMX_OK);
        assert_int_equal(bmx_rle_validate(&out, NULL), BMX_OK);
        assert_int_equal(bmx_rle_decode(&out, got, (size_t)H * W, NULL), BMX_OK);
        for (size_t i = 0; i < (size_t)H * W; i++) {
            assert_int_equal(got[i] != 0, want[i]);
        }
        /* The same runs as encoding the bitmap: canonical (adjacent runs joined). */
        struct bmx_rle ref;
        assert_int_equal(bmx_rle_encode(want, H, W, &ref, NULL), BMX_OK);
        assert_int_equal(ref.m, out.m);
        assert_memory_equal(ref.counts, out.counts, ref.m * sizeof(uint32_t));
        bmx_rle_free(&ref);
        bmx_rle_free(&in);
        bmx_rle_free(&out);
    }
}

/* ------------------------------------------------------------------------- */
/* Properties over random draws                                               */
/* ------------------------------------------------------------------------- */

static int32_t side(int32_t n, int32_t longer, int32_t s)
{
    int64_t v = (2 * (int64_t)n * s + longer) / (2 * (int64_t)longer);
    return v < 1 ? 1 : (int32_t)v;
}

static struct bmx_object random_object(bmx_rng *g, int32_t w, int32_t h, int64_t id)
{
    int32_t bw = 1 + (int32_t)bmx_rng_below(g, (uint64_t)w);
    int32_t bh = 1 + (int32_t)bmx_rng_below(g, (uint64_t)h);
    int32_t bx = (int32_t)bmx_rng_below(g, (uint64_t)(w - bw + 1));
    int32_t by = (int32_t)bmx_rng_below(g, (uint64_t)(h - bh + 1));
    switch (bmx_rng_below(g, 3)) {
    case 0:
        return box_object(id, bx, by, bw, bh);
    case 1: {
        struct bmx_object o = square_polygon(id, bx, by, bw, bh);
        o.polys.rings[0].n = 3;
        o.polys.rings[0].xy[4] = bx + bw * 0.5;
        o.polys.rings[0].xy[5] = by + bh + (bmx_rng_below(g, 4) == 0 ? 3.5 : 0.0);
        bmx_polyset_bbox(&o.polys, &o.bbox);
        o.area = bmx_polyset_area(&o.polys);
        return o;
    }
    default:
        return rect_rle(id, w, h, bx, by, bw, bh);
    }
}

static bool rect_holds(struct bmx_rect r, double x0, double y0, double x1, double y1)
{
    const double eps = 1e-9;
    return x0 >= r.x - eps && y0 >= r.y - eps && x1 <= r.x + r.w + eps && y1 <= r.y + r.h + eps;
}

static void random_draws_properties(void **state)
{
    (void)state;
    bmx_rng g;
    bmx_rng_seed(&g, 2026, 18);
    size_t kept_total = 0, dropped_total = 0, clipped_total = 0;
    for (int draw = 0; draw < 2000; draw++) {
        const int32_t s = 16 + (int32_t)bmx_rng_below(&g, 49);
        struct bmx_sample in[4];
        const struct bmx_sample *inputs[4];
        size_t total = 0;
        for (int k = 0; k < 4; k++) {
            memset(&in[k], 0, sizeof in[k]);
            const int32_t w = 4 + (int32_t)bmx_rng_below(&g, 80);
            const int32_t h = 4 + (int32_t)bmx_rng_below(&g, 80);
            in[k].image = (struct bmx_image){w, h, 3, 0, NULL};
            size_t n = (size_t)bmx_rng_below(&g, 4);
            for (size_t i = 0; i < n; i++) {
                add_object(&in[k], random_object(&g, w, h, 100 * k + (int64_t)i));
            }
            inputs[k] = &in[k];
            total += n;
        }
        struct bmx_op_options o;
        bmx_op_options_init(&o);
        o.op = BMX_OP_MOSAIC;
        o.mosaic_size = s;
        o.cutmix.mask_format = (enum bmx_mask_format)bmx_rng_below(&g, 3);
        if (bmx_rng_below(&g, 2) == 0) {
            o.cutmix.min_visibility = 0.0;
            o.cutmix.min_size = 0.0;
        }
        struct bmx_sample out;
        struct bmx_op_record rec;
        struct bmx_decision *dec = calloc(total + 1, sizeof *dec);
        assert_non_null(dec);
        bmx_rng rng;
        bmx_rng_seed_op(&rng, 3, (uint64_t)draw);
        assert_int_equal(bmx_op_apply(&o, inputs, 4, &rng, &out, &rec, NULL, dec, NULL), BMX_OK);
        assert_int_equal(out.image.w, s);
        assert_int_equal(out.image.h, s);
        assert_true(rec.centre[0] >= (s + 1) / 2 && rec.centre[0] <= 3 * s / 2);
        assert_true(rec.centre[1] >= (s + 1) / 2 && rec.centre[1] <= 3 * s / 2);
        /* The tiles: inside the window, disjoint, each where its corner says. */
        int64_t covered = 0;
        for (int k = 0; k < 4; k++) {
            struct bmx_rect r = rec.tiles[k].rect;
            assert_true(r.x >= 0 && r.y >= 0 && r.x + r.w <= s && r.y + r.h <= s);
            covered += (int64_t)r.w * r.h;
            const int32_t cx = rec.centre[0] - s / 2, cy = rec.centre[1] - s / 2;
            if (r.w > 0 && r.h > 0) {
                assert_int_equal((k == 0 || k == 2) ? r.x + r.w : r.x, cx);
                assert_int_equal((k == 0 || k == 1) ? r.y + r.h : r.y, cy);
            }
            const int32_t longer = in[k].image.w > in[k].image.h ? in[k].image.w : in[k].image.h;
            assert_true(rec.tiles[k].scale == (double)s / longer);
            assert_true(r.w <= side(in[k].image.w, longer, s));
            assert_true(r.h <= side(in[k].image.h, longer, s));
        }
        assert_true(covered <= (int64_t)s * s);

        size_t j = 0, at = 0;
        for (int k = 0; k < 4; k++) {
            const int32_t longer = in[k].image.w > in[k].image.h ? in[k].image.w : in[k].image.h;
            const int32_t tw = side(in[k].image.w, longer, s), th = side(in[k].image.h, longer, s);
            for (size_t i = 0; i < in[k].n_objects; i++, at++) {
                assert_int_equal(dec[at].input, k);
                assert_int_equal(dec[at].index, i);
                if (dec[at].kind == BMX_DECIDED_DROPPED) {
                    dropped_total++;
                    continue;
                }
                kept_total++;
                clipped_total += dec[at].kind == BMX_DECIDED_CLIPPED;
                const struct bmx_object *r = &out.objects[j++];
                const struct bmx_rect t = rec.tiles[k].rect;
                assert_int_equal(r->id, in[k].objects[i].id);
                assert_int_equal(r->tile, k);
                assert_int_equal(r->origin, BMX_FROM_TILE);
                assert_true(r->visibility > 0.0 && r->visibility <= 1.0);
                assert_true(rect_holds(t, r->bbox.x, r->bbox.y, r->bbox.x + r->bbox.w,
                                       r->bbox.y + r->bbox.h));
                /* Never more than the whole, scaled. */
                struct bmx_object sc;
                assert_int_equal(bmx__object_scale(&in[k].objects[i],
                                                   (double)tw / in[k].image.w,
                                                   (double)th / in[k].image.h, tw, th,
                                                   in[k].image.w, in[k].image.h, &sc, NULL),
                                 BMX_OK);
                double whole = sc.area;
                if (r->touched && r->seg_kind == BMX_SEG_RLE && sc.seg_kind == BMX_SEG_POLYGON) {
                    /* Cut and written as RLE: measured on the scaled polygons' raster
                     * (an untouched one keeps the area it came with). */
                    struct bmx_rle raster;
                    assert_int_equal(bmx_rle_from_polyset(&sc.polys, (uint32_t)th, (uint32_t)tw,
                                                          &raster, NULL),
                                     BMX_OK);
                    whole = (double)bmx_rle_area(&raster);
                    bmx_rle_free(&raster);
                }
                assert_true(r->area <= whole + 1e-9);
                bmx_object_free(&sc);
                if (r->seg_kind == BMX_SEG_RLE) {
                    assert_int_equal(r->rle.h, (uint32_t)s);
                    assert_int_equal(r->rle.w, (uint32_t)s);
                    assert_int_equal(bmx_rle_validate(&r->rle, NULL), BMX_OK);
                    struct bmx_box mb;
                    bmx_rle_bbox(&r->rle, &mb);
                    /* (An untouched polygon written as RLE may have no pixel: it
                     * keeps the box it came with.) */
                    assert_true(bmx_rle_area(&r->rle) == 0 ||
                                rect_holds(t, mb.x, mb.y, mb.x + mb.w, mb.y + mb.h));
                    assert_true(bmx_rle_area(&r->rle) > 0 || !r->touched);
                } else if (r->seg_kind == BMX_SEG_POLYGON && r->polys.count > 0) {
                    double e[4];
                    bool fin = true;
                    assert_true(bmx__polyset_extent(&r->polys, e, &fin));
                    assert_true(rect_holds(t, e[0], e[1], e[2], e[3]));
                }
                for (size_t q = 0; r->has_keypoints && q < r->n_keypoints; q++) {
                    if (r->keypoints[3 * q + 2] > 0.0) {
                        double x = r->keypoints[3 * q], y = r->keypoints[3 * q + 1];
                        assert_true(x >= t.x && x < t.x + t.w && y >= t.y && y < t.y + t.h);
                    }
                }
            }
        }
        assert_int_equal(j, out.n_objects);
        free(dec);
        bmx_sample_free(&out);
        for (int k = 0; k < 4; k++) {
            bmx_sample_free(&in[k]);
        }
    }
    assert_true(kept_total > 2000);
    assert_true(dropped_total > 500);
    assert_true(clipped_total > 500);
}

/* With pixels: each tile's visible part is the resize of its input (bmx_image_resize
 * to the tile's size, then that part), the rest 114; the annotations are those of
 * the dry run. */
static void pixels_and_dry_run(void **state)
{
    (void)state;
    bmx_rng g;
    bmx_rng_seed(&g, 5, 5);
    for (int draw = 0; draw < 120; draw++) {
        const int32_t s = 16 + (int32_t)bmx_rng_below(&g, 40);
        struct bmx_sample in[4], dry[4];
        const struct bmx_sample *inputs[4], *dry_inputs[4];
        for (int k = 0; k < 4; k++) {
            const int32_t w = 3 + (int32_t)bmx_rng_below(&g, 90);
            const int32_t h = 3 + (int32_t)bmx_rng_below(&g, 90);
            memset(&in[k], 0, sizeof in[k]);
            assert_int_equal(bmx_image_new(w, h, 3, &in[k].image, NULL), BMX_OK);
            for (int32_t y = 0; y < h; y++) {
                for (int32_t x = 0; x < 3 * w; x++) {
                    in[k].image.data[(size_t)y * in[k].image.stride + (size_t)x] =
                        (uint8_t)bmx_rng_below(&g, 256);
                }
            }
            for (size_t i = 0; i < 3; i++) {
                add_object(&in[k], random_object(&g, w, h, 10 * k + (int64_t)i));
            }
            dry[k] = in[k];
            dry[k].image.data = NULL;
            inputs[k] = &in[k];
            dry_inputs[k] = &dry[k];
        }
        struct bmx_op_options o;
        bmx_op_options_init(&o);
        o.mosaic_size = s;
        o.cutmix.mask_format = (enum bmx_mask_format)bmx_rng_below(&g, 3);
        struct bmx_sample out, out_dry;
        struct bmx_op_record rec, rec_dry;
        assert_int_equal(bmx_mosaic_at(&o, inputs, 9, (uint64_t)draw, &out, &rec, NULL, NULL),
                         BMX_OK);
        assert_int_equal(
            bmx_mosaic_at(&o, dry_inputs, 9, (uint64_t)draw, &out_dry, &rec_dry, NULL, NULL),
            BMX_OK);
        assert_null(out_dry.image.data);
        assert_memory_equal(rec.centre, rec_dry.centre, sizeof rec.centre);
        assert_memory_equal(rec.tiles, rec_dry.tiles, sizeof rec.tiles);
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
            }
        }
        /* The pixels. */
        bool tiled[64][64];
        memset(tiled, 0, sizeof tiled);
        for (int k = 0; k < 4; k++) {
            const int32_t w = in[k].image.w, h = in[k].image.h;
            const int32_t longer = w > h ? w : h;
            const int32_t tw = side(w, longer, s), th = side(h, longer, s);
            struct bmx_image full;
            assert_int_equal(bmx_image_resize(&in[k].image, tw, th, &full, NULL), BMX_OK);
            const struct bmx_rect r = rec.tiles[k].rect;
            const int32_t tx = (k == 0 || k == 2) ? r.x + r.w - tw : r.x;
            const int32_t ty = (k == 0 || k == 1) ? r.y + r.h - th : r.y;
            for (int32_t y = r.y; y < r.y + r.h; y++) {
                assert_memory_equal(out.image.data + (size_t)y * out.image.stride + (size_t)r.x * 3,
                                    full.data + (size_t)(y - ty) * full.stride +
                                        (size_t)(r.x - tx) * 3,
                                    (size_t)r.w * 3);
                for (int32_t x = r.x; x < r.x + r.w; x++) {
                    tiled[y][x] = true;
                }
            }
            bmx_image_free(&full);
        }
        for (int32_t y = 0; y < s; y++) {
            for (int32_t x = 0; x < s; x++) {
                const uint8_t *p = out.image.data + (size_t)y * out.image.stride + (size_t)x * 3;
                if (!tiled[y][x]) {
                    assert_true(p[0] == 114 && p[1] == 114 && p[2] == 114);
                }
            }
        }
        bmx_sample_free(&out);
        bmx_sample_free(&out_dry);
        for (int k = 0; k < 4; k++) {
            bmx_sample_free(&in[k]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_flat_images),
        cmocka_unit_test(objects_land_scaled_and_clipped),
        cmocka_unit_test(rle_place_moves_and_crops),
        cmocka_unit_test(rle_place_matches_bitmap),
        cmocka_unit_test(random_draws_properties),
        cmocka_unit_test(pixels_and_dry_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
