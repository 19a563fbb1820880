/* SPDX-License-Identifier: MIT */
/* Copy-Paste (lib/ops/op_copypaste.c) through bmx_op_apply: a hand-computed case
 * (a square base polygon half covered by a pasted square), the draw order, objects
 * that are never pasted, dry runs, the source fits, and random cases checked pixel
 * by pixel against an independent computation of the union mask. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ops.h"
#include "test_objects.h"
#include "rle_mask_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n == 0 ? 0 : (uint32_t)(rng_state % n);
}

/* A bare box object, category 3. */
static struct bmx_object box_obj(int64_t id, double x, double y, double w, double h)
{
    struct bmx_object o = box_object(id, x, y, w, h);
    o.category_id = 3;
    return o;
}

static struct bmx_sample sample(struct bmx_image img, struct bmx_object *objs, size_t n)
{
    struct bmx_sample s;
    s.image = img;
    s.n_objects = n;
    s.objects = n > 0 ? malloc(n * sizeof *objs) : NULL;
    if (n > 0) {
        assert_non_null(s.objects);
        memcpy(s.objects, objs, n * sizeof *objs);
    }
    return s;
}

static struct bmx_op_options cp_options(double prob)
{
    struct bmx_op_options o;
    bmx_op_options_init(&o);
    o.op = BMX_OP_COPYPASTE;
    o.paste_prob = prob;
    return o;
}

static const uint8_t *px(const struct bmx_image *img, int32_t x, int32_t y)
{
    return img->data + (size_t)y * img->stride + (size_t)x * (size_t)img->channels;
}

/* Two outputs carry the same annotations. */
static void assert_same_objects(const struct bmx_sample *p, const struct bmx_sample *q)
{
    assert_int_equal(p->n_objects, q->n_objects);
    for (size_t i = 0; i < p->n_objects; i++) {
        const struct bmx_object *a = &p->objects[i], *b = &q->objects[i];
        assert_true(a->id == b->id && a->origin == b->origin && a->touched == b->touched);
        assert_memory_equal(&a->bbox, &b->bbox, sizeof a->bbox);
        assert_true(a->area == b->area && a->visibility == b->visibility);
        assert_int_equal(a->seg_kind, b->seg_kind);
        assert_int_equal(a->polys.count, b->polys.count);
        for (size_t r = 0; r < a->polys.count; r++) {
            assert_int_equal(a->polys.rings[r].n, b->polys.rings[r].n);
            assert_memory_equal(a->polys.rings[r].xy, b->polys.rings[r].xy,
                                2 * a->polys.rings[r].n * sizeof(double));
        }
        assert_int_equal(a->rle.m, b->rle.m);
        if (a->rle.m > 0) {
            assert_memory_equal(a->rle.counts, b->rle.counts, a->rle.m * sizeof(uint32_t));
        }
    }
}

/* The case: a 10x10 base square, a source square pasted over its right
 * half. */
static void test_half_covered(void **state)
{
    (void)state;
    struct bmx_object ao = poly_obj(1, 10, 10, 20, 20);
    struct bmx_object bo = poly_obj(101, 15, 10, 25, 20);
    struct bmx_sample a = sample(flat(40, 40, 10), &ao, 1);
    struct bmx_sample b = sample(flat(40, 40, 200), &bo, 1);
    const struct bmx_sample *in[2] = {&a, &b};
    struct bmx_op_options opts = cp_options(1.0);
    struct bmx_sample out;
    struct bmx_op_record rec;
    struct bmx_cutmix_stats stats;
    struct bmx_decision d[2];
    bmx_rng rng;
    bmx_rng_seed(&rng, 1, 2);
    assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out, &rec, &stats, d, NULL), BMX_OK);
    /* Pixels: columns 15..24, rows 10..19 from the source. */
    for (int32_t y = 0; y < 40; y++) {
        for (int32_t x = 0; x < 40; x++) {
            bool in_m = x >= 15 && x < 25 && y >= 10 && y < 20;
            assert_int_equal(px(&out.image, x, y)[1], in_m ? 200 : 10);
        }
    }
    assert_int_equal(out.n_objects, 2);
    const struct bmx_object *o = &out.objects[0];
    assert_true(o->id == 1 && o->origin == BMX_FROM_BASE && o->touched);
    assert_true(o->visibility == 0.5 && o->area == 50.0);
    assert_true(o->bbox.x == 10 && o->bbox.y == 10 && o->bbox.w == 5 && o->bbox.h == 10);
    assert_int_equal(o->polys.count, 1);
    const double ring[8] = {10, 10, 15, 10, 15, 20, 10, 20};
    assert_int_equal(o->polys.rings[0].n, 4);
    assert_memory_equal(o->polys.rings[0].xy, ring, sizeof ring);
    const struct bmx_object *p = &out.objects[1];
    assert_true(p->id == 101 && p->origin == BMX_FROM_SOURCE && !p->touched);
    assert_true(p->visibility == 1.0 && p->area == 100.0);
    assert_memory_equal(p->polys.rings[0].xy, bo.polys.rings[0].xy, 8 * sizeof(double));
    /* Record, stats, decisions. */
    assert_int_equal(rec.op, BMX_OP_COPYPASTE);
    assert_int_equal(rec.n_pasted, 1);
    assert_true(rec.pasted_annotation_ids[0] == 101);
    assert_int_equal(rec.source_fit, BMX_FIT_RESIZE);
    assert_int_equal(rec.not_pasted_no_mask, 0);
    assert_int_equal(stats.clipped, 1);
    assert_int_equal(stats.kept_whole, 1);
    assert_int_equal(stats.masked, 2);
    assert_int_equal(d[0].kind, BMX_DECIDED_CLIPPED);
    assert_true(d[0].visibility == 0.5 && d[0].visible_area == 50.0 && d[0].input == 0);
    assert_int_equal(d[1].kind, BMX_DECIDED_KEPT);
    assert_true(d[1].from == BMX_FROM_SOURCE && d[1].input == 1);

    /* The dry run: the same annotations. */
    struct bmx_sample a0 = a, b0 = b, dry;
    a0.image.data = NULL;
    b0.image.data = NULL;
    const struct bmx_sample *in0[2] = {&a0, &b0};
    struct bmx_op_record rec0;
    bmx_rng_seed(&rng, 1, 2);
    assert_int_equal(bmx_op_apply(&opts, in0, 2, &rng, &dry, &rec0, NULL, NULL, NULL), BMX_OK);
    assert_null(dry.image.data);
    assert_true(dry.image.w == 40 && dry.image.h == 40);
    assert_same_objects(&out, &dry);
    assert_int_equal(rec0.n_pasted, 1);

    /* --mask-format rle: the cut base square as RLE of its 50 pixels. */
    opts.cutmix.mask_format = BMX_MASK_RLE;
    struct bmx_sample out2;
    assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out2, NULL, NULL, NULL, NULL), BMX_OK);
    assert_int_equal(out2.objects[0].seg_kind, BMX_SEG_RLE);
    assert_int_equal(bmx_rle_area(&out2.objects[0].rle), 50);
    assert_int_equal(out2.objects[1].seg_kind, BMX_SEG_RLE);
    assert_int_equal(bmx_rle_area(&out2.objects[1].rle), 100);

    bmx_sample_free(&out2);
    bmx_op_record_free(&rec0);
    bmx_sample_free(&dry);
    bmx_op_record_free(&rec);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* Boxes and crowd regions of the source are never pasted; a crowd region of the
 * base is cut and kept while a pixel is visible; the log shows the source objects
 * not pasted as dropped, no-area. */
static void test_never_pasted(void **state)
{
    (void)state;
    struct bmx_object ao[2] = {rle_obj(1, 30, 30, 0, 0, 10, 10), box_obj(2, 20, 20, 5, 5)};
    ao[0].iscrowd = 1;
    struct bmx_object bo[3] = {box_obj(11, 0, 0, 8, 8), rle_obj(12, 30, 30, 0, 0, 9, 10),
                               poly_obj(13, 0, 0, 30, 30)};
    bo[1].iscrowd = 1;
    bo[2].iscrowd = 1;
    struct bmx_sample a = sample(flat(30, 30, 1), ao, 2);
    struct bmx_sample b = sample(flat(30, 30, 2), bo, 3);
    const struct bmx_sample *in[2] = {&a, &b};
    struct bmx_op_options opts = cp_options(1.0);
    struct bmx_sample out;
    struct bmx_op_record rec;
    struct bmx_decision d[5];
    bmx_rng rng;
    bmx_rng_seed(&rng, 3, 4);
    assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out, &rec, NULL, d, NULL), BMX_OK);
    assert_int_equal(rec.n_pasted, 0);
    assert_null(rec.pasted_annotation_ids);
    assert_int_equal(rec.not_pasted_no_mask, 1);
    assert_memory_equal(out.image.data, a.image.data, 30 * 30 * 3);
    assert_int_equal(out.n_objects, 2);
    assert_false(out.objects[0].touched);
    for (int k = 2; k < 5; k++) {
        assert_int_equal(d[k].kind, BMX_DECIDED_DROPPED);
        assert_int_equal(d[k].rule, BMX_DROP_NO_AREA);
        assert_true(d[k].visibility == 0.0);
    }
    bmx_op_record_free(&rec);
    bmx_sample_free(&out);

    /* Now a pasted object covers the crowd region's first 9 columns: one column left,
     * the crowd region is kept with 10 pixels (visibility 0.1 but crowd). */
    bmx_object_free(&b.objects[1]);
    b.objects[1] = rle_obj(12, 30, 30, 0, 0, 9, 10);
    opts.cutmix.min_visibility = 0.5;
    assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out, &rec, NULL, d, NULL), BMX_OK);
    assert_int_equal(rec.n_pasted, 1);
    assert_int_equal(out.objects[0].id, 1);
    assert_true(out.objects[0].touched && out.objects[0].area == 10.0);
    assert_true(out.objects[0].bbox.x == 9.0 && out.objects[0].bbox.w == 1.0);
    assert_int_equal(px(&out.image, 8, 9)[0], 2);
    assert_int_equal(px(&out.image, 9, 9)[0], 1);
    bmx_op_record_free(&rec);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* The draws: one uniform per eligible object in order (chosen below paste_prob),
 * then, when none was chosen, one bmx_rng_below over the eligible ones. */
static void test_draw_order(void **state)
{
    (void)state;
    struct bmx_object bo[7];
    for (int k = 0; k < 7; k++) {
        bo[k] = poly_obj(100 + k, k * 4, 0, k * 4 + 3, 10);
    }
    bmx_object_free(&bo[2]);
    bo[2] = box_obj(102, 8, 0, 3, 10); /* no mask: no draw */
    bo[5].iscrowd = 1;                          /* crowd: no draw */
    struct bmx_object ao = box_obj(1, 0, 20, 5, 5);
    struct bmx_sample a = sample(flat(30, 30, 1), &ao, 1);
    struct bmx_sample b = sample(flat(30, 30, 2), bo, 7);
    const struct bmx_sample *in[2] = {&a, &b};
    for (int p = 0; p <= 4; p++) {
        double prob = p / 4.0;
        for (uint64_t seed = 0; seed < 50; seed++) {
            struct bmx_op_options opts = cp_options(prob);
            bmx_rng rng, ref;
            bmx_rng_seed(&rng, seed, 9);
            bmx_rng_seed(&ref, seed, 9);
            const int eligible[5] = {0, 1, 3, 4, 6};
            int64_t want[5];
            size_t n = 0;
            for (int k = 0; k < 5; k++) {
                if (bmx_rng_uniform(&ref) < prob) {
                    want[n++] = 100 + eligible[k];
                }
            }
            if (n == 0) {
                want[n++] = 100 + eligible[bmx_rng_below(&ref, 5)];
            }
            struct bmx_sample out;
            struct bmx_op_record rec;
            assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out, &rec, NULL, NULL, NULL),
                             BMX_OK);
            assert_int_equal(rec.n_pasted, n);
            assert_memory_equal(rec.pasted_annotation_ids, want, n * sizeof *want);
            assert_int_equal(rec.not_pasted_no_mask, 1);
            assert_int_equal(out.n_objects, 1 + n);
            /* The same next draw: nothing else was drawn. */
            assert_true(bmx_rng_next(&rng) == bmx_rng_next(&ref));
            bmx_op_record_free(&rec);
            bmx_sample_free(&out);
        }
    }
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* The source fits: the pasted pixels are the fitted source's (bmx__fit_source with
 * pixels), the pasted objects the fitted ones. */
static void test_fits(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        enum bmx_source_fit fit = f == 0 ? BMX_FIT_RESIZE : BMX_FIT_LETTERBOX;
        struct bmx_object ao = poly_obj(1, 4, 4, 30, 20);
        struct bmx_object bo[2] = {poly_obj(7, 2.5, 3, 11, 9.5),
                                   rle_obj(8, 16, 20, 12, 2, 18, 14)};
        struct bmx_sample a = sample(pattern(48, 32, 3), &ao, 1);
        struct bmx_sample b = sample(pattern(20, 16, 90), bo, 2);
        const struct bmx_sample *in[2] = {&a, &b};
        struct bmx_op_options opts = cp_options(1.0);
        opts.source_fit = fit;
        struct bmx_sample out, fitted;
        struct bmx_op_record rec;
        bmx_rng rng;
        bmx_rng_seed(&rng, 5, 6);
        assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out, &rec, NULL, NULL, NULL), BMX_OK);
        assert_int_equal(rec.source_fit, fit);
        assert_int_equal(bmx__fit_source(fit, &b, 48, 32, true, &fitted, NULL), BMX_OK);
        struct bmx_rle m[2], u;
        assert_int_equal(bmx_rle_from_polyset(&fitted.objects[0].polys, 32, 48, &m[0], NULL),
                         BMX_OK);
        assert_int_equal(bmx_rle_copy(&fitted.objects[1].rle, &m[1], NULL), BMX_OK);
        assert_int_equal(bmx_rle_merge(m, 2, false, &u, NULL), BMX_OK);
        for (int32_t y = 0; y < 32; y++) {
            for (int32_t x = 0; x < 48; x++) {
                const uint8_t *want = bmx__rle_at(&u, x, y) ? px(&fitted.image, x, y)
                                                            : px(&a.image, x, y);
                assert_memory_equal(px(&out.image, x, y), want, 3);
            }
        }
        assert_int_equal(out.n_objects, 3);
        assert_memory_equal(&out.objects[1].bbox, &fitted.objects[0].bbox,
                            sizeof(struct bmx_box));
        assert_memory_equal(&out.objects[2].bbox, &fitted.objects[1].bbox,
                            sizeof(struct bmx_box));
        bmx_rle_free(&m[0]);
        bmx_rle_free(&m[1]);
        bmx_rle_free(&u);
        bmx_sample_free(&fitted);
        bmx_op_record_free(&rec);
        bmx_sample_free(&out);
        bmx_sample_free(&a);
        bmx_sample_free(&b);
    }
}

/* Random samples: pixels outside M are the base's, inside the source's; a kept base
 * object never keeps a pixel of M, and its visible pixels are its own minus M;
 * pasted objects are whole; the dry run agrees. */
static struct bmx_object random_obj(int64_t id, uint32_t h, uint32_t w)
{
    uint32_t x0 = rnd(w), y0 = rnd(h);
    uint32_t x1 = x0 + 1 + rnd(w - x0), y1 = y0 + 1 + rnd(h - y0);
    struct bmx_object o;
    switch (rnd(3)) {
    case 0:
        o = poly_obj(id, x0 + rnd(4) / 4.0, y0 + rnd(4) / 4.0, x1, y1);
        break;
    case 1:
        o = rle_obj(id, h, w, x0, y0, x1, y1);
        break;
    default:
        o = box_obj(id, x0, y0, x1 - x0, y1 - y0);
        break;
    }
    o.iscrowd = rnd(6) == 0;
    return o;
}

static struct bmx_rle pixels_of(const struct bmx_object *o, uint32_t h, uint32_t w)
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

static void test_random(void **state)
{
    (void)state;
    for (int it = 0; it < 400; it++) {
        uint32_t h = 4 + rnd(30), w = 4 + rnd(30);
        struct bmx_object ao[6], bo[6];
        size_t na = rnd(6), nbo = rnd(6);
        for (size_t i = 0; i < na; i++) {
            ao[i] = random_obj((int64_t)i + 1, h, w);
        }
        for (size_t i = 0; i < nbo; i++) {
            bo[i] = random_obj((int64_t)i + 100, h, w);
        }
        struct bmx_sample a = sample(pattern((int32_t)w, (int32_t)h, 1), ao, na);
        struct bmx_sample b = sample(pattern((int32_t)w, (int32_t)h, 77), bo, nbo);
        const struct bmx_sample *in[2] = {&a, &b};
        struct bmx_op_options opts = cp_options(rnd(5) / 4.0);
        opts.cutmix.mask_format = (enum bmx_mask_format)rnd(3);
        struct bmx_sample out, dry;
        struct bmx_op_record rec;
        struct bmx_decision d[12];
        bmx_rng rng;
        bmx_rng_seed(&rng, (uint64_t)it, 1);
        assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out, &rec, NULL, d, NULL), BMX_OK);
        /* M from the record. */
        struct bmx_rle u;
        assert_int_equal(bmx__rle_from_box_centres((struct bmx_box){0, 0, 0, 0}, h, w, &u, NULL),
                         BMX_OK);
        for (size_t k = 0; k < rec.n_pasted; k++) {
            for (size_t i = 0; i < nbo; i++) {
                if (bo[i].id == rec.pasted_annotation_ids[k]) {
                    assert_int_equal(bo[i].iscrowd, 0);
                    assert_true(bo[i].seg_kind != BMX_SEG_NONE);
                    struct bmx_rle pair[2] = {u, pixels_of(&bo[i], h, w)};
                    struct bmx_rle next;
                    assert_int_equal(bmx_rle_merge(pair, 2, false, &next, NULL), BMX_OK);
                    bmx_rle_free(&pair[0]);
                    bmx_rle_free(&pair[1]);
                    u = next;
                }
            }
        }
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                const struct bmx_image *src = bmx__rle_at(&u, x, y) ? &b.image : &a.image;
                assert_memory_equal(px(&out.image, (int32_t)x, (int32_t)y),
                                    px(src, (int32_t)x, (int32_t)y), 3);
            }
        }
        for (size_t i = 0; i < out.n_objects; i++) {
            const struct bmx_object *o = &out.objects[i];
            if (o->origin != BMX_FROM_BASE || !o->touched || o->seg_kind == BMX_SEG_NONE) {
                continue;
            }
            struct bmx_rle mine = pixels_of(o, h, w), under;
            uint64_t common = 1;
            assert_int_equal(bmx__rle_minus(&mine, &u, &under, &common, NULL), BMX_OK);
            assert_int_equal(common, 0);
            assert_true((double)bmx_rle_area(&mine) == o->area);
            bmx_rle_free(&mine);
            bmx_rle_free(&under);
        }
        for (size_t i = 0; i < na; i++) {
            assert_true(d[i].visibility >= 0.0 && d[i].visibility <= 1.0);
        }
        struct bmx_sample a0 = a, b0 = b;
        a0.image.data = NULL;
        b0.image.data = NULL;
        const struct bmx_sample *in0[2] = {&a0, &b0};
        bmx_rng_seed(&rng, (uint64_t)it, 1);
        assert_int_equal(bmx_op_apply(&opts, in0, 2, &rng, &dry, NULL, NULL, NULL, NULL), BMX_OK);
        assert_same_objects(&out, &dry);
        bmx_rle_free(&u);
        bmx_sample_free(&dry);
        bmx_op_record_free(&rec);
        bmx_sample_free(&out);
        bmx_sample_free(&a);
        bmx_sample_free(&b);
    }
}

/* bmx_copypaste_at: bmx_op_apply with bmx_rng_seed_op(seed, index). */
static void test_at(void **state)
{
    (void)state;
    struct bmx_object ao = poly_obj(1, 10, 10, 20, 20);
    struct bmx_object bo = poly_obj(101, 15, 10, 25, 20);
    struct bmx_sample a = sample(flat(40, 40, 10), &ao, 1);
    struct bmx_sample b = sample(flat(40, 40, 200), &bo, 1);
    struct bmx_sample out;
    struct bmx_op_record rec;
    assert_int_equal(bmx_copypaste_at(NULL, &a, &b, 42, 3, &out, &rec, NULL, NULL), BMX_OK);
    assert_int_equal(rec.op, BMX_OP_COPYPASTE);
    assert_int_equal(rec.n_pasted, 1); /* the only eligible object: at least one */
    assert_int_equal(out.n_objects, 2);
    bmx_op_record_free(&rec);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

/* --dump: random polygon cases run as a dry run, inputs and outputs as JSON lines
 * for tests/coco_copypaste.py, which recomputes every base object's cut with the
 * Python port of the COCO API. */
static void dump_polys(FILE *f, const struct bmx_polyset *set)
{
    fprintf(f, "[");
    for (size_t i = 0; i < set->count; i++) {
        fprintf(f, "%s[", i ? ", " : "");
        for (size_t k = 0; k < 2 * set->rings[i].n; k++) {
            fprintf(f, "%s%.17g", k ? ", " : "", set->rings[i].xy[k]);
        }
        fprintf(f, "]");
    }
    fprintf(f, "]");
}

static struct bmx_object random_poly(int64_t id, uint32_t h, uint32_t w)
{
    struct bmx_object o = poly_obj(id, 0, 0, 1, 1);
    size_t n = 3 + rnd(6);
    double *xy = realloc(o.polys.rings[0].xy, 2 * n * sizeof(double));
    assert_non_null(xy);
    for (size_t i = 0; i < n; i++) {
        xy[2 * i] = (double)rnd(4 * (w + 2)) / 4.0 - 1.0;
        xy[2 * i + 1] = (double)rnd(4 * (h + 2)) / 4.0 - 1.0;
    }
    o.polys.rings[0].xy = xy;
    o.polys.rings[0].n = n;
    bmx_polyset_bbox(&o.polys, &o.bbox);
    o.area = bmx_polyset_area(&o.polys);
    return o;
}

static int dump(const char *path, long cases)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot write\n", path);
        return 1;
    }
    for (long it = 0; it < cases; it++) {
        uint32_t h = 8 + rnd(33), w = 8 + rnd(33);
        struct bmx_object ao[5], bo[5];
        size_t na = 1 + rnd(5), nb = 1 + rnd(5);
        for (size_t i = 0; i < na; i++) {
            ao[i] = random_poly((int64_t)i + 1, h, w);
        }
        for (size_t i = 0; i < nb; i++) {
            bo[i] = random_poly((int64_t)i + 100, h, w);
        }
        const struct bmx_image none = {(int32_t)w, (int32_t)h, 3, 0, NULL};
        struct bmx_sample a = sample(none, ao, na);
        struct bmx_sample b = sample(none, bo, nb);
        const struct bmx_sample *in[2] = {&a, &b};
        struct bmx_op_options opts = cp_options(0.5);
        struct bmx_sample out;
        struct bmx_op_record rec;
        bmx_rng rng;
        bmx_rng_seed(&rng, (uint64_t)it, 2);
        if (bmx_op_apply(&opts, in, 2, &rng, &out, &rec, NULL, NULL, NULL) != BMX_OK) {
            fclose(f);
            return 1;
        }
        fprintf(f, "{\"h\": %u, \"w\": %u, \"base\": [", (unsigned)h, (unsigned)w);
        for (size_t i = 0; i < na; i++) {
            fprintf(f, "%s{\"id\": %lld, \"polygons\": ", i ? ", " : "", (long long)ao[i].id);
            dump_polys(f, &ao[i].polys);
            fprintf(f, "}");
        }
        fprintf(f, "], \"source\": [");
        for (size_t i = 0; i < nb; i++) {
            fprintf(f, "%s{\"id\": %lld, \"polygons\": ", i ? ", " : "", (long long)bo[i].id);
            dump_polys(f, &bo[i].polys);
            fprintf(f, "}");
        }
        fprintf(f, "], \"pasted\": [");
        for (size_t k = 0; k < rec.n_pasted; k++) {
            fprintf(f, "%s%lld", k ? ", " : "", (long long)rec.pasted_annotation_ids[k]);
        }
        fprintf(f, "], \"out\": [");
        for (size_t i = 0; i < out.n_objects; i++) {
            const struct bmx_object *o = &out.objects[i];
            fprintf(f,
                    "%s{\"id\": %lld, \"from\": \"%s\", \"touched\": %s, \"area\": %.17g, "
                    "\"visibility\": %.17g, \"bbox\": [%.17g, %.17g, %.17g, %.17g], "
                    "\"polygons\": ",
                    i ? ", " : "", (long long)o->id,
                    o->origin == BMX_FROM_BASE ? "base" : "source", o->touched ? "true" : "false",
                    o->area, o->visibility, o->bbox.x, o->bbox.y, o->bbox.w, o->bbox.h);
            dump_polys(f, &o->polys);
            fprintf(f, "}");
        }
        fprintf(f, "]}\n");
        bmx_op_record_free(&rec);
        bmx_sample_free(&out);
        bmx_sample_free(&a);
        bmx_sample_free(&b);
    }
    return fclose(f) == 0 ? 0 : 1;
}

/* Regression: a keypoint the pasted mask covers is hidden even when the mask takes
 * no pixel of its object (as CutMix hides a keypoint under the patch of an object
 * the patch misses): here a triangle whose labelled keypoint lies in the free
 * corner of its box, under a pasted square that misses the triangle's pixels. */
static void test_keypoint_under_paste_untouched(void **state)
{
    (void)state;
    struct bmx_object ao = poly_obj(1, 0, 0, 20, 20);
    /* The triangle (0,0) (20,0) (0,20): pixels with x + y < 20 or so. */
    const double tri[6] = {0, 0, 20, 0, 0, 20};
    ao.polys.rings[0].n = 3;
    memcpy(ao.polys.rings[0].xy, tri, sizeof tri);
    ao.area = 200.0;
    ao.has_keypoints = true;
    ao.n_keypoints = 2;
    ao.keypoints = malloc(6 * sizeof(double));
    assert_non_null(ao.keypoints);
    const double kp[6] = {18.5, 18.5, 2, 2.5, 2.5, 2};
    memcpy(ao.keypoints, kp, sizeof kp);
    ao.num_keypoints = 2;
    struct bmx_object bo = poly_obj(101, 16, 16, 24, 24);
    struct bmx_sample a = sample(flat(30, 30, 10), &ao, 1);
    struct bmx_sample b = sample(flat(30, 30, 200), &bo, 1);
    const struct bmx_sample *in[2] = {&a, &b};
    struct bmx_op_options opts = cp_options(1.0);
    struct bmx_sample out;
    struct bmx_cutmix_stats stats;
    bmx_rng rng;
    bmx_rng_seed(&rng, 5, 6);
    assert_int_equal(bmx_op_apply(&opts, in, 2, &rng, &out, NULL, &stats, NULL, NULL), BMX_OK);
    assert_int_equal(out.n_objects, 2);
    const struct bmx_object *o = &out.objects[0];
    assert_true(o->id == 1 && !o->touched);
    assert_non_null(o->keypoints);
    assert_true(o->keypoints[0] == 0.0 && o->keypoints[1] == 0.0 && o->keypoints[2] == 0.0);
    assert_true(o->keypoints[3] == 2.5 && o->keypoints[4] == 2.5 && o->keypoints[5] == 2.0);
    assert_int_equal(o->num_keypoints, 1);
    assert_int_equal(o->keypoints_hidden, 1);
    assert_int_equal(stats.keypoints_hidden, 1);
    bmx_sample_free(&out);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--dump") == 0) {
        return dump(argv[2], strtol(argv[3], NULL, 10));
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_covered), cmocka_unit_test(test_never_pasted),
        cmocka_unit_test(test_draw_order),   cmocka_unit_test(test_fits),
        cmocka_unit_test(test_random),       cmocka_unit_test(test_at),
        cmocka_unit_test(test_keypoint_under_paste_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
