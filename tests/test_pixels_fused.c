/* SPDX-License-Identifier: MIT */
/* The one-pass pixel paths equal the paths they replace, byte for byte, over
 * random sizes: MixUp's blend with the fitted source (bmx__image_blend_fitted,
 * lib/image/blend.c) equals the source fitted whole (bmx__fit_source) then
 * blended (bmx__image_blend); Mosaic's output, written once (grey only where no
 * tile is), equals a grey canvas with each tile's input resized whole and copied
 * into its visible part. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ops.h"

#include <stdlib.h>
#include <string.h>

/* An image of random bytes with a stride of up to 4 spare bytes a row (the spare
 * bytes random too). */
static struct bmx_image noise(bmx_rng *r, int32_t w, int32_t h, int32_t c)
{
    size_t stride = (size_t)w * (size_t)c + (size_t)bmx_rng_below(r, 5);
    struct bmx_image img = {w, h, c, stride, malloc(stride * (size_t)h)};
    assert_non_null(img.data);
    for (size_t i = 0; i < stride * (size_t)h; i++) {
        img.data[i] = (uint8_t)bmx_rng_below(r, 256);
    }
    return img;
}

/* One case: `a` blended with `b` fitted by `fit`, both ways, and once more in
 * place (into a's own pixels); the strip buffer `work` (may be NULL) kept from
 * case to case as a caller that makes many outputs keeps it. */
static void blend_fitted_case(bmx_rng *r, enum bmx_source_fit fit, int32_t w, int32_t h,
                              int32_t bw, int32_t bh, int32_t c, uint32_t q, uint8_t **work,
                              size_t *work_cap)
{
    struct bmx_image a = noise(r, w, h, c);
    struct bmx_image self = a;
    self.data = malloc(a.stride * (size_t)h);
    assert_non_null(self.data);
    memcpy(self.data, a.data, a.stride * (size_t)h);
    struct bmx_sample src = {noise(r, bw, bh, c), 0, NULL}, fitted;
    assert_int_equal(bmx__fit_source(fit, &src, w, h, true, &fitted, NULL), BMX_OK);
    bmx__image_blend(&a, &fitted.image, q);

    struct bmx_image got;
    assert_int_equal(bmx__image_new_unset(w, h, c, &got, NULL), BMX_OK);
    memset(got.data, 0xA5, got.stride * (size_t)h); /* every byte must be written */
    int32_t sw, sh, ox, oy;
    bmx__fit_geometry(fit, bw, bh, w, h, &sw, &sh, &ox, &oy);
    assert_int_equal(bmx__image_blend_fitted(&a, &src.image, sw, sh, ox, oy, BMX__LETTERBOX_GREY,
                                             q, &got, work, work_cap, NULL),
                     BMX_OK);
    assert_int_equal(bmx__image_blend_fitted(&self, &src.image, sw, sh, ox, oy,
                                             BMX__LETTERBOX_GREY, q, &self, work, work_cap, NULL),
                     BMX_OK);
    for (int32_t y = 0; y < h; y++) {
        assert_memory_equal(got.data + (size_t)y * got.stride,
                            fitted.image.data + (size_t)y * fitted.image.stride,
                            (size_t)w * (size_t)c);
        assert_memory_equal(self.data + (size_t)y * self.stride,
                            fitted.image.data + (size_t)y * fitted.image.stride,
                            (size_t)w * (size_t)c);
    }
    bmx_image_free(&got);
    free(self.data);
    bmx_sample_free(&fitted);
    bmx_sample_free(&src);
    free(a.data);
}

static void blend_fitted_is_fit_then_blend(void **state)
{
    (void)state;
    bmx_rng r;
    bmx_rng_seed(&r, 17, 1);
    uint8_t *work = NULL;
    size_t work_cap = 0;
    for (int round = 0; round < 600; round++) {
        const enum bmx_source_fit fit = round % 2 == 0 ? BMX_FIT_RESIZE : BMX_FIT_LETTERBOX;
        int32_t w = 1 + (int32_t)bmx_rng_below(&r, 70), h = 1 + (int32_t)bmx_rng_below(&r, 70);
        int32_t bw, bh;
        switch (round % 5) {
        case 0: /* the base's own size: the source read directly */
            bw = w;
            bh = h;
            break;
        case 1: /* one side the same */
            bw = w;
            bh = 1 + (int32_t)bmx_rng_below(&r, 140);
            break;
        default:
            bw = 1 + (int32_t)bmx_rng_below(&r, 140);
            bh = 1 + (int32_t)bmx_rng_below(&r, 140);
            break;
        }
        const int32_t c = 1 + (int32_t)bmx_rng_below(&r, 4);
        const uint32_t qs[] = {0, 1024, 512, (uint32_t)bmx_rng_below(&r, 1025)};
        const bool keep = round % 3 != 0;
        blend_fitted_case(&r, fit, w, h, bw, bh, c, qs[round % 4], keep ? &work : NULL,
                          keep ? &work_cap : NULL);
    }
    /* Wide images: the resized source comes in several strips of rows. */
    for (int round = 0; round < 12; round++) {
        const enum bmx_source_fit fit = round % 2 == 0 ? BMX_FIT_RESIZE : BMX_FIT_LETTERBOX;
        int32_t w = 1500 + (int32_t)bmx_rng_below(&r, 1500);
        int32_t h = 100 + (int32_t)bmx_rng_below(&r, 100);
        int32_t bw = 200 + (int32_t)bmx_rng_below(&r, 3000);
        int32_t bh = 50 + (int32_t)bmx_rng_below(&r, 300);
        blend_fitted_case(&r, fit, w, h, bw, bh, 3, (uint32_t)bmx_rng_below(&r, 1025), &work,
                          &work_cap);
    }
    free(work);
}

static void blend_fitted_refuses_what_does_not_fit(void **state)
{
    (void)state;
    bmx_rng r;
    bmx_rng_seed(&r, 5, 5);
    struct bmx_image a = noise(&r, 8, 6, 3), b = noise(&r, 4, 4, 3), d;
    assert_int_equal(bmx__image_new_unset(8, 6, 3, &d, NULL), BMX_OK);
    bmx_error err;
    assert_int_equal(bmx__image_blend_fitted(&a, &b, 8, 6, 1, 0, 114, 300, &d, NULL, NULL, &err),
                     BMX_E_INVALID);
    assert_non_null(strstr(err.message, "does not fit"));
    assert_int_equal(bmx__image_blend_fitted(&a, &b, 0, 6, 0, 0, 114, 300, &d, NULL, NULL, NULL),
                     BMX_E_INVALID);
    bmx_image_free(&d);
    free(a.data);
    free(b.data);
}

/* The tile of side `s`'s scale: round(n * s / longer), halves up, at least 1
 * (DESIGN.md, Mosaic). */
static int32_t tile_side(int32_t n, int32_t longer, int32_t s)
{
    int64_t v = (2 * (int64_t)n * s + longer) / (2 * (int64_t)longer);
    return v < 1 ? 1 : (int32_t)v;
}

static void mosaic_is_canvas_then_tiles(void **state)
{
    (void)state;
    bmx_rng r;
    bmx_rng_seed(&r, 23, 2);
    for (int round = 0; round < 150; round++) {
        const int32_t s = 16 + (int32_t)bmx_rng_below(&r, 120);
        const int32_t c = 1 + (int32_t)bmx_rng_below(&r, 4);
        struct bmx_sample in[4];
        const struct bmx_sample *ps[4];
        for (int k = 0; k < 4; k++) {
            int32_t w = 1 + (int32_t)bmx_rng_below(&r, 200);
            int32_t h = round % 3 == 0 ? w : 1 + (int32_t)bmx_rng_below(&r, 200);
            in[k] = (struct bmx_sample){noise(&r, w, h, c), 0, NULL};
            ps[k] = &in[k];
        }
        /* Memory the output may be given, left non-grey. */
        uint8_t *junk = malloc((size_t)s * (size_t)s * (size_t)c);
        assert_non_null(junk);
        memset(junk, 0xA5, (size_t)s * (size_t)s * (size_t)c);
        free(junk);
        struct bmx_op_options o;
        bmx_op_options_init(&o);
        o.op = BMX_OP_MOSAIC;
        o.mosaic_size = s;
        struct bmx_sample out;
        struct bmx_op_record rec;
        struct bmx_cutmix_stats st;
        bmx_rng g;
        bmx_rng_seed_op(&g, 9, (uint64_t)round);
        assert_int_equal(bmx_op_apply(&o, ps, 4, &g, &out, &rec, &st, NULL, NULL), BMX_OK);
        assert_int_equal(out.image.w, s);
        assert_int_equal(out.image.h, s);

        uint8_t *want = malloc((size_t)s * (size_t)s * (size_t)c);
        assert_non_null(want);
        memset(want, 114, (size_t)s * (size_t)s * (size_t)c);
        const int32_t cx = rec.centre[0] - s / 2, cy = rec.centre[1] - s / 2;
        for (int k = 0; k < 4; k++) {
            const struct bmx_image *im = &in[k].image;
            const int32_t longer = im->w > im->h ? im->w : im->h;
            const int32_t tw = tile_side(im->w, longer, s), th = tile_side(im->h, longer, s);
            const int32_t tx = (k == 0 || k == 2) ? cx - tw : cx;
            const int32_t ty = (k == 0 || k == 1) ? cy - th : cy;
            struct bmx_image t;
            assert_int_equal(bmx_image_resize(im, tw, th, &t, NULL), BMX_OK);
            const struct bmx_rect v = rec.tiles[k].rect;
            for (int32_t y = v.y; y < v.y + v.h; y++) {
                memcpy(want + ((size_t)y * (size_t)s + (size_t)v.x) * (size_t)c,
                       t.data + (size_t)(y - ty) * t.stride + (size_t)(v.x - tx) * (size_t)c,
                       (size_t)v.w * (size_t)c);
            }
            bmx_image_free(&t);
        }
        for (int32_t y = 0; y < s; y++) {
            assert_memory_equal(out.image.data + (size_t)y * out.image.stride,
                                want + (size_t)y * (size_t)s * (size_t)c, (size_t)s * (size_t)c);
        }
        free(want);
        bmx_sample_free(&out);
        bmx_op_record_free(&rec);
        for (int k = 0; k < 4; k++) {
            free(in[k].image.data);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blend_fitted_is_fit_then_blend),
        cmocka_unit_test(blend_fitted_refuses_what_does_not_fit),
        cmocka_unit_test(mosaic_is_canvas_then_tiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
