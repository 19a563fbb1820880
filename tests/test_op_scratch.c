/* SPDX-License-Identifier: MIT */
/* Every operation's entry given a scratch (bmx__op_apply_into, lib/ops/op_scratch.c),
 * as the augment job's workers give one: the output's pixels are the scratch's or,
 * when the base is given up, the base's own; byte for byte what bmx_op_apply makes
 * with pixels of their own; the base left alone when it is not given up or is also
 * another input; and a failure after the pixels were composed leaves `out` zeroed
 * and the scratch whole (the sanitizers see a scratch or base buffer freed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ops.h"
#include "prefault.h"
#include "test_objects.h"

#include <stdlib.h>
#include <string.h>

static struct bmx_image copy_of(const struct bmx_image *a)
{
    struct bmx_image img;
    assert_int_equal(bmx_image_new(a->w, a->h, a->channels, &img, NULL), BMX_OK);
    for (int32_t y = 0; y < a->h; y++) {
        memcpy(img.data + (size_t)y * img.stride, a->data + (size_t)y * a->stride,
               (size_t)a->w * (size_t)a->channels);
    }
    return img;
}

static void assert_same_pixels(const struct bmx_image *a, const struct bmx_image *b)
{
    assert_int_equal(a->w, b->w);
    assert_int_equal(a->h, b->h);
    assert_int_equal(a->channels, b->channels);
    for (int32_t y = 0; y < a->h; y++) {
        assert_memory_equal(a->data + (size_t)y * a->stride, b->data + (size_t)y * b->stride,
                            (size_t)a->w * (size_t)a->channels);
    }
}

/* A base of 48x36 and a source of 30x50 (another aspect: letterbox bars), each
 * with a polygon and an RLE object. */
static struct bmx_sample base_sample(void)
{
    struct bmx_sample s = {pattern(48, 36, 3), 2, NULL};
    s.objects = calloc(2, sizeof *s.objects);
    assert_non_null(s.objects);
    s.objects[0] = poly_obj(1, 4, 5, 30, 28);
    s.objects[1] = rle_obj(2, 36, 48, 20, 10, 44, 33);
    return s;
}

static struct bmx_sample source_sample(void)
{
    struct bmx_sample s = {pattern(30, 50, 101), 2, NULL};
    s.objects = calloc(2, sizeof *s.objects);
    assert_non_null(s.objects);
    s.objects[0] = poly_obj(11, 2, 3, 20, 30);
    s.objects[1] = rle_obj(12, 50, 30, 10, 20, 28, 47);
    return s;
}

struct config {
    enum bmx_op op;
    enum bmx_source_fit fit;
    enum bmx_placement placement;
    enum bmx_fill fill;
};

static const struct config CONFIGS[] = {
    {BMX_OP_CUTMIX, BMX_FIT_RESIZE, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_CUTMIX, BMX_FIT_RESIZE, BMX_PLACE_SOURCE_OBJECT, BMX_FILL_MEAN},
    {BMX_OP_CUTMIX, BMX_FIT_LETTERBOX, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_CUTMIX, BMX_FIT_CROP, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_CUTMIX, BMX_FIT_CROP, BMX_PLACE_SOURCE_OBJECT, BMX_FILL_MEAN},
    {BMX_OP_CUTOUT, BMX_FIT_RESIZE, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_CUTOUT, BMX_FIT_RESIZE, BMX_PLACE_ANYWHERE, BMX_FILL_NOISE},
    {BMX_OP_MIXUP, BMX_FIT_RESIZE, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_MIXUP, BMX_FIT_LETTERBOX, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_MOSAIC, BMX_FIT_RESIZE, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_COPYPASTE, BMX_FIT_RESIZE, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
    {BMX_OP_COPYPASTE, BMX_FIT_LETTERBOX, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN},
};

static struct bmx_op_options options(const struct config *cf)
{
    struct bmx_op_options o;
    bmx_op_options_init(&o);
    o.op = cf->op;
    if (cf->op != BMX_OP_CUTOUT && cf->op != BMX_OP_MOSAIC) {
        o.source_fit = cf->fit;
    }
    o.cutmix.placement = cf->placement;
    o.cutmix.mode = BMX_PATCH_RATIO;
    o.cutmix.ratio_lo = 0.3;
    o.cutmix.ratio_hi = 0.8;
    o.holes = 3;
    o.fill = cf->fill;
    o.mosaic_size = 64;
    o.paste_prob = 0.7;
    return o;
}

/* The inputs: the base, then the source (Mosaic: base, source, base, source), or
 * the base again in every place when `same`. */
static size_t inputs_of(enum bmx_op op, const struct bmx_sample *a, const struct bmx_sample *b,
                        bool same, const struct bmx_sample **in)
{
    const size_t n = bmx_op_inputs(op);
    for (size_t k = 0; k < n; k++) {
        in[k] = k == 0 || same || k % 2 == 0 ? a : b;
    }
    return n;
}

/* The output, as the job lets it go: its pixels are not its own. */
static void let_go(struct bmx_sample *out, struct bmx_op_record *rec)
{
    out->image.data = NULL;
    bmx_sample_free(out);
    bmx_op_record_free(rec);
}

static void one_case(const struct config *cf, uint64_t index, bool same,
                     struct bmx__op_scratch *sc)
{
    const struct bmx_op_options o = options(cf);
    struct bmx_sample a = base_sample(), b = source_sample();
    const struct bmx_sample *in[4];
    const size_t n = inputs_of(cf->op, &a, &b, same, in);
    struct bmx_image before = copy_of(&a.image);
    bmx_rng rng;

    /* The reference: pixels of their own. */
    struct bmx_sample ref;
    struct bmx_op_record ref_rec;
    bmx_rng_seed_op(&rng, 21, index);
    assert_int_equal(bmx_op_apply(&o, in, n, &rng, &ref, &ref_rec, NULL, NULL, NULL), BMX_OK);
    assert_same_pixels(&a.image, &before);

    /* The scratch, the base kept. */
    struct bmx_sample out;
    struct bmx_op_record rec;
    sc->base_writable = false;
    bmx_rng_seed_op(&rng, 21, index);
    assert_int_equal(bmx__op_apply_into(&o, in, n, &rng, sc, &out, &rec, NULL, NULL, NULL),
                     BMX_OK);
    assert_ptr_equal(out.image.data, sc->out);
    assert_same_pixels(&out.image, &ref.image);
    assert_int_equal(out.n_objects, ref.n_objects);
    assert_same_pixels(&a.image, &before);
    let_go(&out, &rec);

    /* The base given up: composed in it, unless it is read as another input too
     * (or, for Mosaic, never: its output has another size). */
    sc->base_writable = true;
    bmx_rng_seed_op(&rng, 21, index);
    assert_int_equal(bmx__op_apply_into(&o, in, n, &rng, sc, &out, &rec, NULL, NULL, NULL),
                     BMX_OK);
    if (same || cf->op == BMX_OP_MOSAIC) {
        assert_ptr_equal(out.image.data, sc->out);
        assert_same_pixels(&a.image, &before);
    } else {
        assert_ptr_equal(out.image.data, a.image.data);
    }
    assert_same_pixels(&out.image, &ref.image);
    let_go(&out, &rec);

    bmx_sample_free(&ref);
    bmx_op_record_free(&ref_rec);
    bmx_image_free(&before);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

static void scratch_output_is_bmx_op_apply(void **state)
{
    (void)state;
    struct bmx__op_scratch sc;
    memset(&sc, 0, sizeof sc);
    for (size_t i = 0; i < sizeof CONFIGS / sizeof CONFIGS[0]; i++) {
        for (uint64_t index = 0; index < 12; index++) {
            one_case(&CONFIGS[i], index, false, &sc);
            if (bmx_op_inputs(CONFIGS[i].op) > 1) {
                one_case(&CONFIGS[i], index, true, &sc);
            }
        }
    }
    bmx__op_scratch_free(&sc);
    assert_null(sc.out);
    assert_null(sc.tmp);
}

/* A base object whose RLE is not of the image's size fails the operation after its
 * pixels were composed (CutOut, Mosaic, Copy-Paste cut the objects last). */
static void failure_after_pixels_leaves_out_zeroed(void **state)
{
    (void)state;
    static const enum bmx_op ops[] = {BMX_OP_CUTOUT, BMX_OP_MOSAIC, BMX_OP_COPYPASTE};
    struct bmx__op_scratch sc;
    memset(&sc, 0, sizeof sc);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        for (int mode = 0; mode < 3; mode++) {
            const struct config cf = {ops[i], BMX_FIT_RESIZE, BMX_PLACE_ANYWHERE, BMX_FILL_MEAN};
            const struct bmx_op_options o = options(&cf);
            struct bmx_sample a = base_sample(), b = source_sample();
            bmx_object_free(&a.objects[1]);
            a.objects[1] = rle_obj(2, 20, 20, 2, 2, 10, 10);
            const struct bmx_sample *in[4];
            const size_t n = inputs_of(cf.op, &a, &b, false, in);
            struct bmx__op_scratch *use = mode == 0 ? NULL : &sc;
            sc.base_writable = mode == 2;
            struct bmx_sample out, zero;
            struct bmx_op_record rec;
            memset(&zero, 0, sizeof zero);
            bmx_rng rng;
            bmx_rng_seed_op(&rng, 5, 0);
            bmx_error err;
            assert_int_not_equal(
                bmx__op_apply_into(&o, in, n, &rng, use, &out, &rec, NULL, NULL, &err), BMX_OK);
            assert_non_null(strstr(err.message, "RLE size"));
            assert_memory_equal(&out, &zero, sizeof out);
            bmx_op_record_free(&rec);
            bmx_sample_free(&a);
            bmx_sample_free(&b);
        }
    }
    /* The scratch still serves (its buffers were not let go). */
    one_case(&CONFIGS[0], 0, false, &sc);
    bmx__op_scratch_free(&sc);
}

/* Buffers above the bound are let go, the others kept; a view of a size the
 * library refuses gets bmx__image_new_unset's status, without a scratch or with. */
static void trim_and_refusals(void **state)
{
    (void)state;
    struct bmx__op_scratch sc;
    memset(&sc, 0, sizeof sc);
    struct bmx_image a, b;
    assert_int_equal(bmx__op_image(&sc, 64, 64, 3, &a, NULL), BMX_OK);
    assert_int_equal(bmx__op_tmp_image(&sc, 8, 8, 3, &b, NULL), BMX_OK);
    bmx__op_scratch_trim(&sc, 64 * 64 * 3 - 1);
    assert_null(sc.out);
    assert_int_equal(sc.out_cap, 0);
    assert_non_null(sc.tmp);
    assert_int_equal(sc.tmp_cap, 8 * 8 * 3);
    assert_int_equal(bmx__op_image(&sc, 64, 64, 3, &a, NULL), BMX_OK); /* made again */
    assert_int_equal(sc.out_cap, 64 * 64 * 3);
    const int32_t bad[][3] = {{0, 5, 3}, {5, -1, 3}, {5, 5, 0}, {5, 5, 5},
                              {INT32_MAX, INT32_MAX, 4}};
    for (size_t q = 0; q < sizeof bad / sizeof bad[0]; q++) {
        struct bmx_image x;
        bmx_status plain = bmx__image_new_unset(bad[q][0], bad[q][1], bad[q][2], &x, NULL);
        assert_int_not_equal(plain, BMX_OK);
        assert_int_equal(bmx__op_image(&sc, bad[q][0], bad[q][1], bad[q][2], &x, NULL), plain);
        assert_int_equal(bmx__op_tmp_image(&sc, bad[q][0], bad[q][1], bad[q][2], &x, NULL),
                         plain);
    }
    bmx__op_scratch_free(&sc);
    assert_null(sc.out);
    assert_null(sc.tmp);
}

/* With a huge page size, an output of 768 KiB and more is on whole huge pages,
 * aligned to them; a smaller one is ordinary memory of its size. */
static void large_buffers_on_huge_pages(void **state)
{
    (void)state;
    struct bmx__op_scratch sc;
    memset(&sc, 0, sizeof sc);
    sc.huge = bmx__huge_page_size();
    if (sc.huge == 0) {
        print_message("no transparent huge pages here: nothing to check\n");
        return;
    }
    struct bmx_image a, b;
    assert_int_equal(bmx__op_image(&sc, 640, 480, 3, &a, NULL), BMX_OK);
    assert_int_equal(sc.out_cap % sc.huge, 0);
    assert_true(sc.out_cap >= 640 * 480 * 3);
    assert_int_equal((uintptr_t)a.data % sc.huge, 0);
    memset(a.data, 7, 640 * 480 * 3);
    assert_int_equal(bmx__op_tmp_image(&sc, 100, 100, 3, &b, NULL), BMX_OK);
    assert_int_equal(sc.tmp_cap, 100 * 100 * 3);
    /* A larger output within the same pages keeps them. */
    uint8_t *before = sc.out;
    assert_int_equal(bmx__op_image(&sc, 640, 540, 3, &a, NULL), BMX_OK);
    assert_ptr_equal(sc.out, before);
    bmx__op_scratch_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scratch_output_is_bmx_op_apply),
        cmocka_unit_test(failure_after_pixels_leaves_out_zeroed),
        cmocka_unit_test(trim_and_refusals),
        cmocka_unit_test(large_buffers_on_huge_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
