/* SPDX-License-Identifier: MIT */
/* bmx__fit_source (lib/ops/source_fit.c): the source brought to the base's size by
 * resize or letterbox, on hand-computed cases: sizes, offsets, grey, boxes,
 * polygons, keypoints and RLE masks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ops.h"
#include "test_objects.h"

#include <stdlib.h>
#include <string.h>

static struct bmx_polyset rect_poly(double x0, double y0, double x1, double y1)
{
    struct bmx_polyset s;
    s.count = 1;
    s.rings = calloc(1, sizeof *s.rings);
    assert_non_null(s.rings);
    s.rings[0].n = 4;
    s.rings[0].xy = malloc(8 * sizeof(double));
    assert_non_null(s.rings[0].xy);
    double xy[8] = {x0, y0, x1, y0, x1, y1, x0, y1};
    memcpy(s.rings[0].xy, xy, sizeof xy);
    return s;
}

/* A 4x2 source (value 50) with a box object (and a keypoint), a polygon object and
 * an RLE object (pixel x=1, y=0). */
static void make_source(struct bmx_sample *s)
{
    memset(s, 0, sizeof *s);
    s->image = flat(4, 2, 50);
    s->n_objects = 3;
    s->objects = calloc(3, sizeof *s->objects);
    assert_non_null(s->objects);
    struct bmx_object *o = s->objects;
    o[0].id = 10;
    o[0].bbox = (struct bmx_box){1, 0, 2, 1};
    o[0].area = 2;
    o[0].has_area = true;
    o[0].keypoints = malloc(6 * sizeof(double));
    assert_non_null(o[0].keypoints);
    double kp[6] = {1, 1, 2, 0, 0, 0};
    memcpy(o[0].keypoints, kp, sizeof kp);
    o[0].n_keypoints = 2;
    o[0].has_keypoints = true;
    o[1].id = 11;
    o[1].bbox = (struct bmx_box){0, 0, 4, 2};
    o[1].area = 8;
    o[1].seg_kind = BMX_SEG_POLYGON;
    o[1].polys = rect_poly(0, 0, 4, 2);
    o[2].id = 12;
    o[2].bbox = (struct bmx_box){1, 0, 1, 1};
    o[2].area = 1;
    o[2].seg_kind = BMX_SEG_RLE;
    uint8_t mask[8] = {0, 0, 1, 0, 0, 0, 0, 0}; /* column-major, h = 2 */
    assert_int_equal(bmx_rle_encode(mask, 2, 4, &o[2].rle, NULL), BMX_OK);
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    assert_true(b.x == x && b.y == y && b.w == w && b.h == h);
}

/* 4x2 into 8x8: width limits, scale 2, the content 8x4 at (0, 2); grey above and
 * below, the source's 50 inside. */
static void letterbox_wide(void **state)
{
    (void)state;
    struct bmx_sample src, out;
    make_source(&src);
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx__fit_source(BMX_FIT_LETTERBOX, &src, 8, 8, true, &out, &err), BMX_OK);
    assert_int_equal(out.image.w, 8);
    assert_int_equal(out.image.h, 8);
    for (int32_t y = 0; y < 8; y++) {
        for (int32_t x = 0; x < 24; x++) {
            uint8_t want = (y >= 2 && y < 6) ? 50 : 114;
            assert_int_equal(out.image.data[(size_t)y * out.image.stride + (size_t)x], want);
        }
    }
    assert_int_equal(out.n_objects, 3);
    assert_box(out.objects[0].bbox, 2, 2, 4, 2);
    assert_true(out.objects[0].area == 8.0);
    assert_true(out.objects[0].keypoints[0] == 2.0 && out.objects[0].keypoints[1] == 4.0);
    assert_true(out.objects[0].keypoints[3] == 0.0 && out.objects[0].keypoints[4] == 0.0);
    assert_int_equal(out.objects[0].id, 10);
    const double want_poly[8] = {0, 2, 8, 2, 8, 6, 0, 6};
    assert_int_equal(out.objects[1].polys.count, 1);
    assert_memory_equal(out.objects[1].polys.rings[0].xy, want_poly, sizeof want_poly);
    assert_true(out.objects[1].area == 32.0);
    /* The pixel (1, 0) becomes columns 2..3, rows 0..1 of the 8x4 content, rows 2..3 of
     * the frame: runs 18 zeros, 2 ones, 6 zeros, 2 ones, 36 zeros. */
    const struct bmx_rle *r = &out.objects[2].rle;
    assert_int_equal(r->h, 8);
    assert_int_equal(r->w, 8);
    const uint32_t want_runs[5] = {18, 2, 6, 2, 36};
    assert_int_equal(r->m, 5);
    assert_memory_equal(r->counts, want_runs, sizeof want_runs);
    assert_true(out.objects[2].area == 4.0);
    assert_box(out.objects[2].bbox, 2, 2, 2, 2);
    bmx_sample_free(&out);
    bmx_sample_free(&src);
}

/* 2x4 into 8x8 (via a transposed source): height limits, scale 2, content 4x8 at
 * (2, 0). And 3x1 into 4x4: sw = 4, sh = round(4/3) = 1, oy = floor(3/2) = 1. */
static void letterbox_tall_and_rounded(void **state)
{
    (void)state;
    struct bmx_sample src, out;
    memset(&src, 0, sizeof src);
    src.image = flat(2, 4, 7);
    src.n_objects = 1;
    src.objects = calloc(1, sizeof *src.objects);
    assert_non_null(src.objects);
    src.objects[0].bbox = (struct bmx_box){0, 1, 1, 2};
    assert_int_equal(bmx__fit_source(BMX_FIT_LETTERBOX, &src, 8, 8, true, &out, NULL), BMX_OK);
    for (int32_t y = 0; y < 8; y++) {
        for (int32_t x = 0; x < 8; x++) {
            uint8_t want = (x >= 2 && x < 6) ? 7 : 114;
            assert_int_equal(out.image.data[(size_t)y * out.image.stride + (size_t)x * 3], want);
        }
    }
    assert_box(out.objects[0].bbox, 2, 2, 2, 4);
    assert_true(out.objects[0].area == 8.0);
    bmx_sample_free(&out);
    bmx_sample_free(&src);

    memset(&src, 0, sizeof src);
    src.image = flat(3, 1, 9);
    src.n_objects = 1;
    src.objects = calloc(1, sizeof *src.objects);
    assert_non_null(src.objects);
    src.objects[0].bbox = (struct bmx_box){0, 0, 3, 1};
    assert_int_equal(bmx__fit_source(BMX_FIT_LETTERBOX, &src, 4, 4, true, &out, NULL), BMX_OK);
    for (int32_t y = 0; y < 4; y++) {
        uint8_t want = y == 1 ? 9 : 114;
        for (int32_t x = 0; x < 12; x++) {
            assert_int_equal(out.image.data[(size_t)y * out.image.stride + (size_t)x], want);
        }
    }
    assert_box(out.objects[0].bbox, 0, 1, 4, 1);
    bmx_sample_free(&out);
    bmx_sample_free(&src);
}

/* Resize stretches each axis: 4x2 into 8x8 is sx = 2, sy = 4, no grey. */
static void resize_stretches(void **state)
{
    (void)state;
    struct bmx_sample src, out;
    make_source(&src);
    assert_int_equal(bmx__fit_source(BMX_FIT_RESIZE, &src, 8, 8, true, &out, NULL), BMX_OK);
    for (size_t i = 0; i < 8 * out.image.stride; i++) {
        assert_int_equal(out.image.data[i], 50);
    }
    assert_box(out.objects[0].bbox, 2, 0, 4, 4);
    assert_true(out.objects[0].area == 16.0);
    assert_true(out.objects[0].keypoints[0] == 2.0 && out.objects[0].keypoints[1] == 4.0);
    assert_true(out.objects[1].area == 64.0);
    /* Pixel (1, 0) -> columns 2..3, rows 0..3. */
    const uint32_t want_runs[5] = {16, 4, 4, 4, 36};
    assert_int_equal(out.objects[2].rle.m, 5);
    assert_memory_equal(out.objects[2].rle.counts, want_runs, sizeof want_runs);
    assert_box(out.objects[2].bbox, 2, 0, 2, 4);
    bmx_sample_free(&out);
    bmx_sample_free(&src);
}

/* Nothing moves (same size, either fit): objects exactly as they came (a recorded
 * area that disagrees with the box stays), pixels the source's. */
static void same_size_copies(void **state)
{
    (void)state;
    struct bmx_sample src, out;
    make_source(&src);
    src.objects[0].area = 99.0;
    for (int fit = 0; fit < 2; fit++) {
        assert_int_equal(
            bmx__fit_source((enum bmx_source_fit)fit, &src, 4, 2, true, &out, NULL), BMX_OK);
        assert_true(out.objects[0].area == 99.0);
        assert_true(out.objects[1].area == 8.0);
        assert_ptr_not_equal(out.objects[1].polys.rings, src.objects[1].polys.rings);
        assert_memory_equal(out.image.data, src.image.data, 2 * src.image.stride);
        bmx_sample_free(&out);
    }
    bmx_sample_free(&src);
}

/* Without pixels: the geometry alone, the output's size, no data. */
static void dry_run(void **state)
{
    (void)state;
    struct bmx_sample src, out;
    make_source(&src);
    free(src.image.data);
    src.image.data = NULL;
    assert_int_equal(bmx__fit_source(BMX_FIT_LETTERBOX, &src, 8, 8, false, &out, NULL), BMX_OK);
    assert_null(out.image.data);
    assert_int_equal(out.image.w, 8);
    assert_int_equal(out.image.h, 8);
    assert_box(out.objects[0].bbox, 2, 2, 4, 2);
    bmx_sample_free(&out);
    /* Pixels asked of a source without any: refused. */
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx__fit_source(BMX_FIT_LETTERBOX, &src, 8, 8, true, &out, &err),
                     BMX_E_INVALID);
    bmx_sample_free(&src);
}

/* Bad input: an RLE of another size than its image, crop (CutMix's own), empty
 * sizes: refused with a message, nothing allocated. */
static void refusals(void **state)
{
    (void)state;
    struct bmx_sample src, out;
    make_source(&src);
    src.objects[2].rle.h = 3;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx__fit_source(BMX_FIT_LETTERBOX, &src, 8, 8, true, &out, &err),
                     BMX_E_INVALID);
    assert_non_null(strstr(err.message, "source object 2 (id 12)"));
    assert_null(out.objects);
    src.objects[2].rle.h = 2;
    assert_int_equal(bmx__fit_source(BMX_FIT_CROP, &src, 8, 8, true, &out, &err), BMX_E_INVALID);
    assert_int_equal(bmx__fit_source(BMX_FIT_RESIZE, &src, 0, 8, true, &out, &err),
                     BMX_E_INVALID);
    bmx_sample_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(letterbox_wide),
        cmocka_unit_test(letterbox_tall_and_rounded),
        cmocka_unit_test(resize_stretches),
        cmocka_unit_test(same_size_copies),
        cmocka_unit_test(dry_run),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
