/* SPDX-License-Identifier: MIT */
/* MixUp and CutMix's source fits and source-object placement through bmx_op_apply
 * (lib/ops/op_mixup.c, op_cutmix.c, cutmix_crop.c): hand-computed cases, classic
 * CutMix equal to bmx_cutmix byte for byte, and properties over random draws. */
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

#ifndef BMX_SOURCE_ROOT
#define BMX_SOURCE_ROOT ".."
#endif

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */
/* ------------------------------------------------------------------------- */

/* Pixel (x, y) channel 0 = x + 16 y (mod 256), channel 1 = y, channel 2 = x. */
static struct bmx_image ramp(int32_t w, int32_t h)
{
    struct bmx_image img;
    assert_int_equal(bmx_image_new(w, h, 3, &img, NULL), BMX_OK);
    for (int32_t y = 0; y < h; y++) {
        for (int32_t x = 0; x < w; x++) {
            uint8_t *p = img.data + (size_t)y * img.stride + (size_t)x * 3;
            p[0] = (uint8_t)(x + 16 * y);
            p[1] = (uint8_t)y;
            p[2] = (uint8_t)x;
        }
    }
    return img;
}

static struct bmx_op_options options(enum bmx_op op)
{
    struct bmx_op_options o;
    bmx_op_options_init(&o);
    o.op = op;
    return o;
}

/* Fixed side ratio r: the patch is round(W r) x round(H r). */
static void fixed_ratio(struct bmx_op_options *o, double r)
{
    o->cutmix.mode = BMX_PATCH_RATIO;
    o->cutmix.ratio_lo = r;
    o->cutmix.ratio_hi = r;
}

static uint8_t px(const struct bmx_image *img, int32_t x, int32_t y, int k)
{
    return img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)k];
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    if (!(b.x == x && b.y == y && b.w == w && b.h == h)) {
        fail_msg("box [%g, %g, %g, %g], want [%g, %g, %g, %g]", b.x, b.y, b.w, b.h, x, y, w, h);
    }
}

static const struct bmx_object *find_id(const struct bmx_sample *s, int64_t id)
{
    for (size_t i = 0; i < s->n_objects; i++) {
        if (s->objects[i].id == id) {
            return &s->objects[i];
        }
    }
    return NULL;
}

static bmx_status apply2(const struct bmx_op_options *o, const struct bmx_sample *a,
                         const struct bmx_sample *b, uint64_t seed, struct bmx_sample *out,
                         struct bmx_op_record *rec, bmx_error *err)
{
    const struct bmx_sample *in[2] = {a, b};
    bmx_rng rng;
    bmx_rng_seed_op(&rng, seed, 0);
    return bmx_op_apply(o, in, 2, &rng, out, rec, NULL, NULL, err);
}

/* ------------------------------------------------------------------------- */
/* MixUp                                                                      */
/* ------------------------------------------------------------------------- */

/* Two flat images, mix_ratio 0.3: q = round(307.2) = 307, out = (307*200 + 717*40 +
 * 512) >> 10 = 88; the record says 307/1024; every object kept with its weight. */
static void mixup_flat_blend(void **state)
{
    (void)state;
    struct bmx_sample a = {0}, b = {0}, out;
    a.image = flat(8, 8, 200);
    b.image = flat(8, 8, 40);
    add_object(&a, box_object(1, 1, 1, 3, 3));
    add_object(&b, box_object(2, 2, 2, 1, 1)); /* below min_size: kept all the same */
    struct bmx_op_options o = options(BMX_OP_MIXUP);
    o.mix_ratio = 0.3;
    struct bmx_op_record rec;
    struct bmx_cutmix_stats stats;
    struct bmx_decision dec[2];
    bmx_rng rng;
    bmx_rng_seed_op(&rng, 1, 0);
    const struct bmx_sample *in[2] = {&a, &b};
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_op_apply(&o, in, 2, &rng, &out, &rec, &stats, dec, &err), BMX_OK);
    for (size_t i = 0; i < 8 * out.image.stride; i++) {
        assert_int_equal(out.image.data[i], 88);
    }
    assert_true(rec.lambda == 307.0 / 1024.0);
    assert_int_equal(rec.source_fit, BMX_FIT_RESIZE);
    assert_int_equal(out.n_objects, 2);
    assert_int_equal(out.objects[0].origin, BMX_FROM_BASE);
    assert_true(out.objects[0].has_weight && out.objects[0].weight == 307.0 / 1024.0);
    assert_true(out.objects[0].visibility == 1.0);
    assert_false(out.objects[0].touched);
    assert_int_equal(out.objects[1].origin, BMX_FROM_SOURCE);
    assert_true(out.objects[1].has_weight && out.objects[1].weight == 717.0 / 1024.0);
    assert_int_equal(stats.kept_whole, 2);
    assert_int_equal(dec[0].kind, BMX_DECIDED_KEPT);
    assert_int_equal(dec[1].kind, BMX_DECIDED_KEPT);
    assert_int_equal(dec[1].input, 1);
    bmx_sample_free(&out);

    /* Letterboxed source (4x2 into 8x8: rows 2..5 the source, the rest grey):
     * (307*200 + 717*114 + 512) >> 10 = 140 outside. */
    bmx_image_free(&b.image);
    b.image = flat(4, 2, 40);
    b.objects[0].bbox = (struct bmx_box){1, 0, 2, 1};
    o.source_fit = BMX_FIT_LETTERBOX;
    assert_int_equal(apply2(&o, &a, &b, 1, &out, &rec, &err), BMX_OK);
    for (int32_t y = 0; y < 8; y++) {
        assert_int_equal(px(&out.image, 5, y, 1), (y >= 2 && y < 6) ? 88 : 140);
    }
    assert_int_equal(rec.source_fit, BMX_FIT_LETTERBOX);
    assert_box(find_id(&out, 2)->bbox, 2, 2, 4, 2);
    bmx_sample_free(&out);

    /* A half exactly rounds up: mix_ratio 0.5, (512*200 + 512*41 + 512) >> 10 = 121
     * (120.5 before rounding). */
    bmx_image_free(&b.image);
    b.image = flat(8, 8, 41);
    o.source_fit = BMX_FIT_RESIZE;
    o.mix_ratio = 0.5;
    assert_int_equal(apply2(&o, &a, &b, 1, &out, &rec, &err), BMX_OK);
    assert_int_equal(px(&out.image, 4, 4, 2), 121);
    assert_true(rec.lambda == 0.5);
    bmx_sample_free(&out);

    /* mix_ratio 1 and 0: the base's and the source's bytes exactly. */
    o.source_fit = BMX_FIT_RESIZE;
    o.mix_ratio = 1.0;
    assert_int_equal(apply2(&o, &a, &b, 1, &out, &rec, &err), BMX_OK);
    assert_int_equal(px(&out.image, 0, 0, 0), 200);
    assert_true(find_id(&out, 2)->weight == 0.0);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* The blend's vector blocks and its scalar tail agree with the formula, byte for
 * byte, on rows of every length and with padded strides. */
static void blend_is_the_formula(void **state)
{
    (void)state;
    bmx_rng r;
    bmx_rng_seed(&r, 3, 3);
    for (int round = 0; round < 200; round++) {
        int32_t w = 1 + (int32_t)bmx_rng_below(&r, 120), h = 1 + (int32_t)bmx_rng_below(&r, 4);
        size_t stride = (size_t)w * 3 + (size_t)bmx_rng_below(&r, 5);
        uint8_t *pa = malloc(stride * (size_t)h), *pb = malloc(stride * (size_t)h);
        uint8_t *keep = malloc(stride * (size_t)h);
        assert_true(pa != NULL && pb != NULL && keep != NULL);
        for (size_t i = 0; i < stride * (size_t)h; i++) {
            pa[i] = (uint8_t)bmx_rng_below(&r, 256);
            pb[i] = (uint8_t)bmx_rng_below(&r, 256);
        }
        memcpy(keep, pb, stride * (size_t)h);
        uint32_t q = (uint32_t)bmx_rng_below(&r, 1025);
        struct bmx_image a = {w, h, 3, stride, pa}, b = {w, h, 3, stride, pb};
        bmx__image_blend(&a, &b, q);
        for (int32_t y = 0; y < h; y++) {
            for (size_t i = 0; i < stride; i++) {
                size_t at = (size_t)y * stride + i;
                uint8_t want = i < (size_t)w * 3
                                   ? (uint8_t)((q * pa[at] + (1024u - q) * keep[at] + 512u) >> 10)
                                   : keep[at];
                assert_int_equal(pb[at], want);
            }
        }
        free(pa);
        free(pb);
        free(keep);
    }
}

/* Drawn lambda: Beta(32, 32), quantised; the same with and without pixels (a dry
 * run gives the same objects and record, no data). */
static void mixup_drawn_and_dry(void **state)
{
    (void)state;
    struct bmx_sample a = {0}, b = {0}, out, dry;
    a.image = ramp(16, 12);
    b.image = ramp(10, 20);
    add_object(&a, box_object(1, 1, 1, 5, 5));
    add_object(&b, box_object(2, 0, 0, 10, 20));
    struct bmx_op_options o = options(BMX_OP_MIXUP);
    struct bmx_op_record rec, rec_dry;
    bmx_error err = {BMX_OK, ""};
    for (uint64_t seed = 0; seed < 50; seed++) {
        assert_int_equal(apply2(&o, &a, &b, seed, &out, &rec, &err), BMX_OK);
        double q = rec.lambda * 1024.0;
        assert_true(q == floor(q) && rec.lambda > 0.2 && rec.lambda < 0.8);
        struct bmx_sample ad = a, bd = b;
        ad.image.data = NULL;
        bd.image.data = NULL;
        assert_int_equal(apply2(&o, &ad, &bd, seed, &dry, &rec_dry, &err), BMX_OK);
        assert_null(dry.image.data);
        assert_int_equal(dry.image.w, 16);
        assert_true(rec_dry.lambda == rec.lambda);
        assert_int_equal(dry.n_objects, 2);
        assert_memory_equal(&dry.objects[1].bbox, &out.objects[1].bbox, sizeof(struct bmx_box));
        assert_true(out.objects[0].weight + out.objects[1].weight == 1.0);
        bmx_sample_free(&out);
        bmx_sample_free(&dry);
    }
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* ------------------------------------------------------------------------- */
/* CutMix: letterbox, crop, source-object                                     */
/* ------------------------------------------------------------------------- */

/* A patch of the whole image (side ratio 1) shows the letterboxed source: 4x2 into
 * 8x8 is the source at scale 2 in rows 2..5, grey elsewhere; its object at 2x. */
static void cutmix_letterbox_whole(void **state)
{
    (void)state;
    struct bmx_sample a = {0}, b = {0}, out;
    a.image = flat(8, 8, 200);
    b.image = flat(4, 2, 40);
    add_object(&a, box_object(1, 1, 1, 3, 3));
    add_object(&b, box_object(2, 1, 0, 2, 1));
    struct bmx_op_options o = options(BMX_OP_CUTMIX);
    fixed_ratio(&o, 1.0);
    o.source_fit = BMX_FIT_LETTERBOX;
    struct bmx_op_record rec;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(apply2(&o, &a, &b, 3, &out, &rec, &err), BMX_OK);
    for (int32_t y = 0; y < 8; y++) {
        assert_int_equal(px(&out.image, 3, y, 0), (y >= 2 && y < 6) ? 40 : 114);
    }
    assert_int_equal(out.n_objects, 1);
    assert_box(out.objects[0].bbox, 2, 2, 4, 2);
    assert_int_equal(rec.source_fit, BMX_FIT_LETTERBOX);
    assert_true(rec.lambda == 0.0);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* Crop, source larger than the patch: the patch's pixels are the source's at the
 * recorded source_rect; a source object inside the rectangle moves with it whole;
 * one across its edge is clipped to it. */
static void cutmix_crop_rect_and_translation(void **state)
{
    (void)state;
    struct bmx_sample a = {0}, b = {0}, out;
    a.image = flat(10, 10, 250);
    b.image = ramp(20, 20);
    add_object(&b, box_object(7, 0, 0, 20, 20)); /* the whole source */
    struct bmx_op_options o = options(BMX_OP_CUTMIX);
    fixed_ratio(&o, 0.5);
    o.source_fit = BMX_FIT_CROP;
    o.cutmix.min_visibility = 0.0;
    struct bmx_op_record rec;
    bmx_error err = {BMX_OK, ""};
    int seen_x[16] = {0};
    for (uint64_t seed = 0; seed < 200; seed++) {
        assert_int_equal(apply2(&o, &a, &b, seed, &out, &rec, &err), BMX_OK);
        const struct bmx_rect p = rec.patch, s = rec.source_rect;
        assert_int_equal(p.w, 5);
        assert_int_equal(p.h, 5);
        assert_int_equal(s.w, 5);
        assert_int_equal(s.h, 5);
        assert_true(s.x >= 0 && s.x <= 15 && s.y >= 0 && s.y <= 15);
        seen_x[s.x]++;
        for (int32_t y = 0; y < 10; y++) {
            for (int32_t x = 0; x < 10; x++) {
                bool in = x >= p.x && x < p.x + 5 && y >= p.y && y < p.y + 5;
                uint8_t want = in ? (uint8_t)(x - p.x + s.x) : 250;
                assert_int_equal(px(&out.image, x, y, 2), want);
                if (in) {
                    assert_int_equal(px(&out.image, x, y, 1), y - p.y + s.y);
                }
            }
        }
        assert_int_equal(out.n_objects, 1);
        assert_box(out.objects[0].bbox, p.x, p.y, 5, 5);
        assert_true(out.objects[0].visibility == 25.0 / 400.0);
        assert_int_equal(out.objects[0].origin, BMX_FROM_SOURCE);
        bmx_sample_free(&out);
    }
    /* Drawn uniformly: every left edge 0..15 turns up. */
    for (int k = 0; k < 16; k++) {
        assert_true(seen_x[k] > 0);
    }
    /* The decision log: the source object's box before (moved into the output's
     * frame with the rectangle) and after. */
    {
        const struct bmx_sample *in[2] = {&a, &b};
        bmx_rng rng;
        bmx_rng_seed_op(&rng, 4, 0);
        struct bmx_decision d;
        assert_int_equal(bmx_op_apply(&o, in, 2, &rng, &out, &rec, NULL, &d, &err), BMX_OK);
        assert_int_equal(d.input, 1);
        assert_int_equal(d.from, BMX_FROM_SOURCE);
        assert_int_equal(d.annotation_id, 7);
        assert_int_equal(d.kind, BMX_DECIDED_CLIPPED);
        assert_box(d.before, rec.patch.x - rec.source_rect.x, rec.patch.y - rec.source_rect.y,
                   20, 20);
        assert_box(d.box, rec.patch.x, rec.patch.y, 5, 5);
        assert_true(d.visibility == 25.0 / 400.0);
        bmx_sample_free(&out);
    }
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* Crop with source-object: the rectangle centred on the object (clamped into the
 * source), the object moved whole into the patch; and a source smaller than the
 * patch is scaled up (2x4 for a 5x5 patch: s = 2.5, 5x10). */
static void cutmix_crop_anchor_and_scale_up(void **state)
{
    (void)state;
    struct bmx_sample a = {0}, b = {0}, out;
    a.image = flat(10, 10, 250);
    b.image = ramp(20, 20);
    add_object(&b, box_object(5, 0, 0, 20, 20));
    b.objects[0].iscrowd = 1; /* never an anchor */
    add_object(&b, box_object(8, 12, 12, 4, 4));
    struct bmx_op_options o = options(BMX_OP_CUTMIX);
    fixed_ratio(&o, 0.5);
    o.source_fit = BMX_FIT_CROP;
    o.cutmix.placement = BMX_PLACE_SOURCE_OBJECT;
    struct bmx_op_record rec;
    bmx_error err = {BMX_OK, ""};
    for (uint64_t seed = 0; seed < 20; seed++) {
        assert_int_equal(apply2(&o, &a, &b, seed, &out, &rec, &err), BMX_OK);
        /* Centre (14, 14): x = floor(14 - 2.5 + 0.5) = 12. */
        assert_int_equal(rec.source_rect.x, 12);
        assert_int_equal(rec.source_rect.y, 12);
        assert_true(rec.has_anchor);
        assert_int_equal(rec.anchor_annotation_id, 8);
        assert_int_equal(rec.placement, BMX_PLACE_SOURCE_OBJECT);
        const struct bmx_object *m = find_id(&out, 8);
        assert_non_null(m);
        assert_box(m->bbox, rec.patch.x, rec.patch.y, 4, 4);
        assert_false(m->touched);
        bmx_sample_free(&out);
    }
    /* An object near the corner: the rectangle clamped inside the source. */
    b.objects[1].bbox = (struct bmx_box){18, 0, 2, 2};
    assert_int_equal(apply2(&o, &a, &b, 1, &out, &rec, &err), BMX_OK);
    assert_int_equal(rec.source_rect.x, 15);
    assert_int_equal(rec.source_rect.y, 0);
    bmx_sample_free(&out);

    /* A source so thin that covering the patch would make it larger than a mask can
     * be (1x60000 for 2000x2000: 2000 x 120000000): refused, naming the sizes. */
    {
        struct bmx_sample ta = {0}, tb = {0};
        ta.image = (struct bmx_image){2000, 2000, 3, 0, NULL};
        tb.image = (struct bmx_image){1, 60000, 3, 0, NULL};
        struct bmx_op_options t = options(BMX_OP_CUTMIX);
        fixed_ratio(&t, 1.0);
        t.source_fit = BMX_FIT_CROP;
        assert_int_equal(apply2(&t, &ta, &tb, 1, &out, &rec, &err), BMX_E_LIMIT);
        assert_non_null(strstr(err.message, "1x60000 source"));
        assert_null(out.objects);
    }

    /* Scale-up: a flat 2x4 source into a 5x5 patch. */
    bmx_sample_free(&b);
    memset(&b, 0, sizeof b);
    b.image = flat(2, 4, 60);
    add_object(&b, box_object(9, 0, 0, 2, 4));
    o.cutmix.placement = BMX_PLACE_ANYWHERE;
    o.cutmix.min_visibility = 0.0;
    for (uint64_t seed = 0; seed < 20; seed++) {
        assert_int_equal(apply2(&o, &a, &b, seed, &out, &rec, &err), BMX_OK);
        const struct bmx_rect s = rec.source_rect;
        assert_int_equal(s.x, 0);
        assert_true(s.y >= 0 && s.y <= 5);
        assert_int_equal(px(&out.image, rec.patch.x + 2, rec.patch.y + 2, 0), 60);
        /* The object is the whole 5x10 scaled source: the patch's 25 of its 50. */
        assert_int_equal(out.n_objects, 1);
        assert_box(out.objects[0].bbox, rec.patch.x, rec.patch.y, 5, 5);
        assert_true(out.objects[0].visibility == 0.5);
        bmx_sample_free(&out);
    }
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* Source-object: the patch (20x20) centred on the non-crowd object's centre, clipped
 * to the image; without a candidate, exactly anywhere's patch. */
static void source_object_centres_and_falls_back(void **state)
{
    (void)state;
    struct bmx_sample a = {0}, b = {0}, out;
    a.image = flat(100, 100, 1);
    b.image = flat(100, 100, 2);
    add_object(&b, box_object(3, 0, 0, 50, 50));
    b.objects[0].iscrowd = 1;
    add_object(&b, box_object(4, 60, 20, 10, 10));
    struct bmx_op_options o = options(BMX_OP_CUTMIX);
    fixed_ratio(&o, 0.2);
    o.cutmix.placement = BMX_PLACE_SOURCE_OBJECT;
    struct bmx_op_record rec;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(apply2(&o, &a, &b, 5, &out, &rec, &err), BMX_OK);
    assert_memory_equal(&rec.patch, (&(struct bmx_rect){55, 15, 20, 20}), sizeof rec.patch);
    assert_true(rec.has_anchor);
    assert_int_equal(rec.anchor_annotation_id, 4);
    assert_non_null(find_id(&out, 4));
    bmx_sample_free(&out);

    /* Near the corner: [88, 88, 12, 12]. */
    b.objects[1].bbox = (struct bmx_box){95, 95, 5, 5};
    assert_int_equal(apply2(&o, &a, &b, 5, &out, &rec, &err), BMX_OK);
    assert_memory_equal(&rec.patch, (&(struct bmx_rect){88, 88, 12, 12}), sizeof rec.patch);
    bmx_sample_free(&out);

    /* Beta sizes too: the patch's centre is the object's (within rounding). */
    o.cutmix.mode = BMX_PATCH_BETA;
    b.objects[1].bbox = (struct bmx_box){40, 40, 20, 20};
    for (uint64_t seed = 0; seed < 100; seed++) {
        assert_int_equal(apply2(&o, &a, &b, seed, &out, &rec, &err), BMX_OK);
        assert_true(fabs(rec.patch.x + rec.patch.w / 2.0 - 50.0) <= 1.0);
        assert_true(fabs(rec.patch.y + rec.patch.h / 2.0 - 50.0) <= 1.0);
        bmx_sample_free(&out);
    }

    /* Only a crowd object: no anchor, anywhere's patch from the same generator. */
    b.n_objects = 1;
    struct bmx_op_record any;
    for (uint64_t seed = 0; seed < 50; seed++) {
        o.cutmix.mode = seed % 2 ? BMX_PATCH_BETA : BMX_PATCH_RATIO;
        o.cutmix.placement = BMX_PLACE_SOURCE_OBJECT;
        assert_int_equal(apply2(&o, &a, &b, seed, &out, &rec, &err), BMX_OK);
        bmx_sample_free(&out);
        o.cutmix.placement = BMX_PLACE_ANYWHERE;
        assert_int_equal(apply2(&o, &a, &b, seed, &out, &any, &err), BMX_OK);
        bmx_sample_free(&out);
        assert_false(rec.has_anchor);
        assert_int_equal(rec.placement, BMX_PLACE_SOURCE_OBJECT);
        assert_memory_equal(&rec.patch, &any.patch, sizeof rec.patch);
    }
    b.n_objects = 2;
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* A patch too small to keep its anchor grows to the anchor's box: a 10 x 10 patch
 * centred on a 60 x 60 object would leave 100 / 3600 of it (below 0.10), so the
 * patch becomes the object's box, rounded outward, and the object comes whole. */
static void source_object_patch_grows_to_keep_its_anchor(void **state)
{
    (void)state;
    struct bmx_sample a = {0}, b = {0}, out;
    a.image = flat(100, 100, 1);
    b.image = flat(100, 100, 2);
    add_object(&b, box_object(7, 20.5, 20, 60, 59.5));
    struct bmx_op_options o = options(BMX_OP_CUTMIX);
    fixed_ratio(&o, 0.1);
    o.cutmix.placement = BMX_PLACE_SOURCE_OBJECT;
    struct bmx_op_record rec;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(apply2(&o, &a, &b, 3, &out, &rec, &err), BMX_OK);
    assert_memory_equal(&rec.patch, (&(struct bmx_rect){20, 20, 61, 60}), sizeof rec.patch);
    const struct bmx_object *kept = find_id(&out, 7);
    assert_non_null(kept);
    assert_true(kept->visibility == 1.0);
    assert_box(kept->bbox, 20.5, 20, 60, 59.5);
    assert_true(fabs(rec.lambda - (1.0 - 61.0 * 60.0 / 10000.0)) < 1e-12);
    bmx_sample_free(&out);
    /* A patch that keeps it already stays as drawn (0.5: 50 x 50 on the object). */
    fixed_ratio(&o, 0.5);
    assert_int_equal(apply2(&o, &a, &b, 3, &out, &rec, &err), BMX_OK);
    assert_int_equal(rec.patch.w, 50);
    assert_int_equal(rec.patch.h, 50);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* ------------------------------------------------------------------------- */
/* Classic CutMix through bmx_op_apply is bmx_cutmix                          */
/* ------------------------------------------------------------------------- */

static void assert_same_object(const struct bmx_object *x, const struct bmx_object *y)
{
    assert_int_equal(x->id, y->id);
    assert_memory_equal(&x->bbox, &y->bbox, sizeof x->bbox);
    assert_true(x->area == y->area || (isnan(x->area) && isnan(y->area)));
    assert_int_equal(x->seg_kind, y->seg_kind);
    assert_int_equal(x->origin, y->origin);
    assert_true(x->visibility == y->visibility);
    assert_int_equal(x->touched, y->touched);
    assert_int_equal(x->polys.count, y->polys.count);
    for (size_t r = 0; r < x->polys.count; r++) {
        assert_int_equal(x->polys.rings[r].n, y->polys.rings[r].n);
        assert_memory_equal(x->polys.rings[r].xy, y->polys.rings[r].xy,
                            2 * x->polys.rings[r].n * sizeof(double));
    }
    assert_int_equal(x->rle.m, y->rle.m);
    if (x->rle.m > 0) {
        assert_memory_equal(x->rle.counts, y->rle.counts, x->rle.m * sizeof(uint32_t));
    }
    assert_int_equal(x->n_keypoints, y->n_keypoints);
    if (x->n_keypoints > 0) {
        assert_memory_equal(x->keypoints, y->keypoints, 3 * x->n_keypoints * sizeof(double));
    }
}

static void assert_same_sample(const struct bmx_sample *x, const struct bmx_sample *y)
{
    assert_int_equal(x->image.w, y->image.w);
    assert_int_equal(x->image.h, y->image.h);
    for (int32_t r = 0; r < x->image.h; r++) {
        assert_memory_equal(x->image.data + (size_t)r * x->image.stride,
                            y->image.data + (size_t)r * y->image.stride,
                            (size_t)x->image.w * (size_t)x->image.channels);
    }
    assert_int_equal(x->n_objects, y->n_objects);
    for (size_t i = 0; i < x->n_objects; i++) {
        assert_same_object(&x->objects[i], &y->objects[i]);
    }
}

static void classic_is_bmx_cutmix(void **state)
{
    (void)state;
    bmx_dataset *ds = NULL;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(
        bmx_dataset_read_coco(BMX_SOURCE_ROOT "/samples/coco/annotations.json", &ds, &err),
        BMX_OK);
    const size_t n = bmx_dataset_image_count(ds);
    struct bmx_sample s[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(
            bmx_dataset_load_sample(ds, i, BMX_SOURCE_ROOT "/samples/images", NULL, &s[i], &err),
            BMX_OK);
    }
    const enum bmx_placement places[3] = {BMX_PLACE_ANYWHERE, BMX_PLACE_AVOID_BASE,
                                          BMX_PLACE_SOURCE_OBJECT};
    size_t compared = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            for (int pl = 0; pl < 3; pl++) {
                struct bmx_op_options o = options(BMX_OP_CUTMIX);
                o.cutmix.placement = places[pl];
                o.cutmix.mask_format = (enum bmx_mask_format)((i + j) % 3);
                uint64_t seed = 1000 * i + j;
                struct bmx_sample x, y;
                struct bmx_op_record rec;
                struct bmx_patch patch;
                assert_int_equal(apply2(&o, &s[i], &s[j], seed, &x, &rec, &err), BMX_OK);
                bmx_rng rng;
                bmx_rng_seed_op(&rng, seed, 0);
                assert_int_equal(bmx_cutmix(&o.cutmix, &s[i], &s[j], &rng, &y, &patch, NULL, &err),
                                 BMX_OK);
                assert_memory_equal(&rec.patch, &patch.rect, sizeof patch.rect);
                assert_true(rec.lambda == patch.lambda);
                assert_same_sample(&x, &y);
                bmx_sample_free(&x);
                bmx_sample_free(&y);
                compared++;
            }
        }
    }
    assert_true(compared >= 3 * 64);
    for (size_t i = 0; i < n; i++) {
        bmx_sample_free(&s[i]);
    }
    bmx_dataset_free(ds);
}

/* Letterbox computes the patch's pixels only: the same bytes as the whole source
 * letterboxed (bmx__fit_source) and the patch pasted from it, for sources larger
 * and smaller than the base. */
static void letterbox_patch_is_whole_fit(void **state)
{
    (void)state;
    bmx_rng r;
    bmx_rng_seed(&r, 7, 7);
    for (int round = 0; round < 300; round++) {
        struct bmx_sample a = {0}, b = {0}, out, fitted, want;
        a.image = ramp(4 + (int32_t)bmx_rng_below(&r, 90), 4 + (int32_t)bmx_rng_below(&r, 90));
        b.image = ramp(1 + (int32_t)bmx_rng_below(&r, 200), 1 + (int32_t)bmx_rng_below(&r, 200));
        add_object(&b, box_object(5, 0, 0, b.image.w, b.image.h));
        struct bmx_op_options o = options(BMX_OP_CUTMIX);
        o.source_fit = BMX_FIT_LETTERBOX;
        o.cutmix.placement = (enum bmx_placement)(round % 3);
        struct bmx_op_record rec;
        bmx_error err = {BMX_OK, ""};
        assert_int_equal(apply2(&o, &a, &b, (uint64_t)round, &out, &rec, &err), BMX_OK);
        assert_int_equal(
            bmx__fit_source(BMX_FIT_LETTERBOX, &b, a.image.w, a.image.h, true, &fitted, &err),
            BMX_OK);
        struct bmx_patch patch = {rec.patch, rec.lambda};
        assert_int_equal(bmx_cutmix_apply(&o.cutmix, &patch, &a, &fitted, &want, NULL, &err),
                         BMX_OK);
        assert_same_sample(&out, &want);
        bmx_sample_free(&out);
        bmx_sample_free(&want);
        bmx_sample_free(&fitted);
        bmx_sample_free(&a);
        bmx_sample_free(&b);
    }
}

/* ------------------------------------------------------------------------- */
/* Properties over random draws                                               */
/* ------------------------------------------------------------------------- */

/* A random object inside w x h: a box, a polygon (a triangle) or an RLE (a filled
 * rectangle), 1 in 8 a crowd. */
static struct bmx_object random_object(bmx_rng *r, int64_t id, int32_t w, int32_t h)
{
    double x0 = bmx_rng_uniform(r) * w, y0 = bmx_rng_uniform(r) * h;
    double x1 = x0 + bmx_rng_uniform(r) * (w - x0), y1 = y0 + bmx_rng_uniform(r) * (h - y0);
    struct bmx_object o = box_object(id, x0, y0, x1 - x0, y1 - y0);
    o.iscrowd = bmx_rng_below(r, 8) == 0;
    switch (bmx_rng_below(r, 3)) {
    case 1: {
        o.seg_kind = BMX_SEG_POLYGON;
        o.polys.count = 1;
        o.polys.rings = calloc(1, sizeof *o.polys.rings);
        assert_non_null(o.polys.rings);
        o.polys.rings[0].n = 3;
        o.polys.rings[0].xy = malloc(6 * sizeof(double));
        assert_non_null(o.polys.rings[0].xy);
        double xy[6] = {x0, y0, x1, y0, x0, y1};
        memcpy(o.polys.rings[0].xy, xy, sizeof xy);
        o.area = bmx_polyset_area(&o.polys);
        break;
    }
    case 2: {
        uint8_t *m = calloc((size_t)w * (size_t)h, 1);
        assert_non_null(m);
        for (int32_t x = (int32_t)x0; x < (int32_t)ceil(x1) && x < w; x++) {
            for (int32_t y = (int32_t)y0; y < (int32_t)ceil(y1) && y < h; y++) {
                m[(size_t)x * (size_t)h + (size_t)y] = 1;
            }
        }
        o.seg_kind = BMX_SEG_RLE;
        assert_int_equal(bmx_rle_encode(m, (uint32_t)h, (uint32_t)w, &o.rle, NULL), BMX_OK);
        free(m);
        o.area = (double)bmx_rle_area(&o.rle);
        bmx_rle_bbox(&o.rle, &o.bbox);
        break;
    }
    default:
        break;
    }
    return o;
}

static void random_sample(bmx_rng *r, struct bmx_sample *s, int64_t first_id, bool pixels)
{
    memset(s, 0, sizeof *s);
    int32_t w = 4 + (int32_t)bmx_rng_below(r, 60), h = 4 + (int32_t)bmx_rng_below(r, 60);
    if (pixels) {
        s->image = ramp(w, h);
    } else {
        s->image = (struct bmx_image){w, h, 3, 0, NULL};
    }
    size_t n = (size_t)bmx_rng_below(r, 6);
    for (size_t i = 0; i < n; i++) {
        add_object(s, random_object(r, first_id + (int64_t)i, w, h));
    }
}

/* Every box and mask inside the w x h image. */
static void assert_inside(const struct bmx_object *o, int32_t w, int32_t h)
{
    const double eps = 1e-9;
    assert_true(o->bbox.x >= -eps && o->bbox.y >= -eps);
    assert_true(o->bbox.x + o->bbox.w <= w + eps && o->bbox.y + o->bbox.h <= h + eps);
    if (o->seg_kind == BMX_SEG_RLE) {
        assert_int_equal(o->rle.w, (uint32_t)w);
        assert_int_equal(o->rle.h, (uint32_t)h);
    }
    if (o->seg_kind == BMX_SEG_POLYGON) {
        for (size_t r = 0; r < o->polys.count; r++) {
            for (size_t k = 0; k < o->polys.rings[r].n; k++) {
                double x = o->polys.rings[r].xy[2 * k], y = o->polys.rings[r].xy[2 * k + 1];
                assert_true(x >= -eps && x <= w + eps && y >= -eps && y <= h + eps);
            }
        }
    }
}

/* The area of object `id` in the source brought to the scale the operation used:
 * resize/letterbox: the fitted object's; crop: scaled by crop's factor (the source
 * at its own scale unless smaller than the patch). */
static double fitted_area(const struct bmx_op_options *o, const struct bmx_sample *b,
                          const struct bmx_op_record *rec, int32_t w, int32_t h, size_t i)
{
    struct bmx_sample f;
    int32_t tw = w, th = h;
    enum bmx_source_fit fit = o->source_fit;
    if (fit == BMX_FIT_CROP) {
        int32_t pw = rec->patch.w, ph = rec->patch.h;
        tw = b->image.w;
        th = b->image.h;
        if (tw < pw || th < ph) {
            double s = fmax((double)pw / tw, (double)ph / th);
            tw = (int32_t)fmax(pw, floor(b->image.w * s + 0.5));
            th = (int32_t)fmax(ph, floor(b->image.h * s + 0.5));
        }
        fit = BMX_FIT_RESIZE;
    }
    struct bmx_sample bd = *b;
    bd.image.data = NULL;
    assert_int_equal(bmx__fit_source(fit, &bd, tw, th, false, &f, NULL), BMX_OK);
    double area = f.objects[i].area;
    bmx_sample_free(&f);
    return area;
}

static void properties(void **state)
{
    (void)state;
    bmx_rng r;
    bmx_rng_seed(&r, 2026, 17);
    const int rounds = 3000;
    size_t anchored = 0, crops = 0, mixups = 0;
    for (int round = 0; round < rounds; round++) {
        const bool pixels = round % 4 == 0;
        struct bmx_sample a, b, out;
        random_sample(&r, &a, 1, pixels);
        random_sample(&r, &b, 100, pixels);
        struct bmx_op_options o = options(bmx_rng_below(&r, 2) ? BMX_OP_CUTMIX : BMX_OP_MIXUP);
        o.source_fit = (enum bmx_source_fit)bmx_rng_below(&r, o.op == BMX_OP_CUTMIX ? 3 : 2);
        o.cutmix.placement = (enum bmx_placement)bmx_rng_below(&r, 3);
        o.cutmix.mode = (enum bmx_patch_mode)bmx_rng_below(&r, 2);
        o.cutmix.mask_format = (enum bmx_mask_format)bmx_rng_below(&r, 3);
        o.cutmix.min_visibility = bmx_rng_uniform(&r) * 0.3;
        o.cutmix.min_size = (double)bmx_rng_below(&r, 3);
        if (bmx_rng_below(&r, 2)) {
            o.mix_ratio = bmx_rng_uniform(&r);
        }
        struct bmx_op_record rec;
        bmx_error err = {BMX_OK, ""};
        const struct bmx_sample *in[2] = {&a, &b};
        bmx_rng rng;
        bmx_rng_seed_op(&rng, 9, (uint64_t)round);
        struct bmx_decision dec[16];
        if (bmx_op_apply(&o, in, 2, &rng, &out, &rec, NULL, dec, &err) != BMX_OK) {
            fail_msg("round %d: %s", round, err.message);
        }
        const int32_t w = a.image.w, h = a.image.h;
        assert_int_equal(out.image.w, w);
        assert_int_equal(out.image.h, h);
        assert_true(pixels == (out.image.data != NULL));
        for (size_t i = 0; i < out.n_objects; i++) {
            const struct bmx_object *ob = &out.objects[i];
            assert_inside(ob, w, h);
            assert_true(ob->visibility >= 0.0 && ob->visibility <= 1.0);
            /* Visible area never grows. */
            const struct bmx_object *src = ob->origin == BMX_FROM_BASE
                                               ? &a.objects[ob->id - 1]
                                               : &b.objects[ob->id - 100];
            if (ob->seg_kind != src->seg_kind) {
                continue; /* measured another way (mask_format): pixels, not exact area */
            }
            double before = ob->origin == BMX_FROM_BASE
                                ? src->area
                                : fitted_area(&o, &b, &rec, w, h, (size_t)(ob->id - 100));
            if (!(ob->area <= before * (1.0 + 1e-9) + 1e-9)) {
                fail_msg("round %d: object %lld area %g grew from %g", round, (long long)ob->id,
                         ob->area, before);
            }
        }
        if (o.op == BMX_OP_CUTMIX) {
            /* lambda is the share of the base left. */
            assert_true(rec.lambda ==
                        1.0 - ((double)rec.patch.w * rec.patch.h) / ((double)w * (double)h));
            assert_true(rec.patch.x >= 0 && rec.patch.y >= 0 && rec.patch.x + rec.patch.w <= w &&
                        rec.patch.y + rec.patch.h <= h);
            anchored += rec.has_anchor;
            if (o.source_fit == BMX_FIT_CROP) {
                crops++;
                assert_int_equal(rec.source_rect.w, rec.patch.w);
                assert_int_equal(rec.source_rect.h, rec.patch.h);
            }
            if (rec.has_anchor) {
                const struct bmx_object *anchor = NULL;
                for (size_t i = 0; i < b.n_objects; i++) {
                    if (b.objects[i].id == rec.anchor_annotation_id) {
                        anchor = &b.objects[i];
                    }
                }
                assert_non_null(anchor);
                assert_int_equal(anchor->iscrowd, 0);
            } else if (o.cutmix.placement == BMX_PLACE_SOURCE_OBJECT) {
                for (size_t i = 0; i < b.n_objects; i++) {
                    assert_int_not_equal(b.objects[i].iscrowd, 0);
                }
            }
        } else {
            /* MixUp keeps every object, with weights summing to 1. */
            mixups++;
            if (out.n_objects != a.n_objects + b.n_objects) {
                /* Only a polygon sliver without a pixel, made RLE, may go. */
                assert_int_equal(o.cutmix.mask_format, BMX_MASK_RLE);
            }
            double q = rec.lambda * 1024.0;
            assert_true(q == floor(q) && q >= 0.0 && q <= 1024.0);
            for (size_t i = 0; i < out.n_objects; i++) {
                const struct bmx_object *ob = &out.objects[i];
                assert_true(ob->has_weight);
                assert_true(ob->weight ==
                            (ob->origin == BMX_FROM_BASE ? rec.lambda : 1.0 - rec.lambda));
            }
        }
        bmx_sample_free(&out);
        bmx_sample_free(&a);
        bmx_sample_free(&b);
    }
    assert_true(anchored > 100);
    assert_true(crops > 300);
    assert_true(mixups > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixup_flat_blend),
        cmocka_unit_test(blend_is_the_formula),
        cmocka_unit_test(mixup_drawn_and_dry),
        cmocka_unit_test(cutmix_letterbox_whole),
        cmocka_unit_test(cutmix_crop_rect_and_translation),
        cmocka_unit_test(cutmix_crop_anchor_and_scale_up),
        cmocka_unit_test(source_object_centres_and_falls_back),
        cmocka_unit_test(source_object_patch_grows_to_keep_its_anchor),
        cmocka_unit_test(classic_is_bmx_cutmix),
        cmocka_unit_test(letterbox_patch_is_whole_fit),
        cmocka_unit_test(properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
