/* SPDX-License-Identifier: MIT */
/* Unit tests of COCO keypoints (lib/keypoints.c and their handling by the cut/clip
 * primitive, CutMix and the COCO reader and writer): hand-computed cases for each
 * rule, and a property test over random patches. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "coco.h"
#include "keypoints.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A box object of `n` keypoints given as x, y, v triples (copied). */
static struct bmx_object kp_object(double x, double y, double w, double h, const double *kp,
                                   size_t n)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = 1;
    o.category_id = 1;
    o.bbox = (struct bmx_box){x, y, w, h};
    o.area = w * h;
    o.has_area = true;
    o.seg_kind = BMX_SEG_NONE;
    o.keypoints = malloc(3 * n * sizeof *o.keypoints);
    assert_non_null(o.keypoints);
    memcpy(o.keypoints, kp, 3 * n * sizeof *o.keypoints);
    o.n_keypoints = n;
    o.has_keypoints = true;
    o.has_num_keypoints = true;
    for (size_t i = 0; i < n; i++) {
        o.num_keypoints += kp[3 * i + 2] > 0;
    }
    return o;
}

static bool by_rect(const struct bmx_object *in, struct bmx_rect r, bool inside, int32_t w,
                    int32_t h, struct bmx_object *out)
{
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    bool kept = false;
    bmx_error err = {BMX_OK, ""};
    if (bmx_object_by_rect(&o, in, r, inside, w, h, out, &kept, &err) != BMX_OK) {
        fail_msg("bmx_object_by_rect: %s", err.message);
    }
    return kept;
}

static void assert_point(const struct bmx_object *o, size_t i, double x, double y, double v)
{
    assert_float_equal(o->keypoints[3 * i], x, 0);
    assert_float_equal(o->keypoints[3 * i + 1], y, 0);
    assert_float_equal(o->keypoints[3 * i + 2], v, 0);
}

/* The base object's points under the patch [10, 30) x [10, 30) are hidden, by the
 * half-open rule: the top and left edges are the patch's, the bottom and right
 * ones are not. */
static void base_points_under_patch(void **state)
{
    (void)state;
    const double kp[] = {
        5,  5,  2, /* outside: stays */
        15, 15, 2, /* inside: hidden */
        10, 10, 1, /* on the top-left edge: inside, hidden (v = 1 too) */
        30, 15, 2, /* on the right edge: outside, stays */
        15, 30, 2, /* on the bottom edge: outside, stays */
        0,  0,  0, /* not labelled: stays as it is */
        29.5, 29.5, 2, /* inside */
    };
    struct bmx_object in = kp_object(0, 0, 40, 40, kp, 7), out;
    assert_true(by_rect(&in, (struct bmx_rect){10, 10, 20, 20}, false, 100, 100, &out));
    assert_point(&out, 0, 5, 5, 2);
    assert_point(&out, 1, 0, 0, 0);
    assert_point(&out, 2, 0, 0, 0);
    assert_point(&out, 3, 30, 15, 2);
    assert_point(&out, 4, 15, 30, 2);
    assert_point(&out, 5, 0, 0, 0);
    assert_point(&out, 6, 0, 0, 0);
    assert_int_equal(out.num_keypoints, 3);
    assert_int_equal(out.keypoints_hidden, 3);
    /* the input is not changed */
    assert_point(&in, 1, 15, 15, 2);
    assert_int_equal(in.num_keypoints, 6);
    bmx_object_free(&out);
    bmx_object_free(&in);
}

/* A source object keeps only the points inside the patch. */
static void source_points_outside_patch(void **state)
{
    (void)state;
    const double kp[] = {
        15, 15, 2, /* inside: stays */
        10, 10, 2, /* top-left corner: inside, stays */
        30, 15, 1, /* right edge: outside, hidden */
        5,  20, 2, /* outside: hidden */
        20, 29, 1, /* inside, v = 1: stays */
    };
    struct bmx_object in = kp_object(0, 0, 40, 40, kp, 5), out;
    assert_true(by_rect(&in, (struct bmx_rect){10, 10, 20, 20}, true, 100, 100, &out));
    assert_point(&out, 0, 15, 15, 2);
    assert_point(&out, 1, 10, 10, 2);
    assert_point(&out, 2, 0, 0, 0);
    assert_point(&out, 3, 0, 0, 0);
    assert_point(&out, 4, 20, 29, 1);
    assert_int_equal(out.num_keypoints, 3);
    assert_int_equal(out.keypoints_hidden, 2);
    bmx_object_free(&out);
    bmx_object_free(&in);
}

/* Any point outside the image is hidden (x = W is outside: pixels are 0..W-1). */
static void points_outside_image(void **state)
{
    (void)state;
    const double kp[] = {99, 10, 2, 100, 10, 2, -0.5, 10, 2, 10, 100, 1};
    struct bmx_object in = kp_object(50, 0, 50, 50, kp, 4), out;
    /* the patch is elsewhere; the box pokes out of the image, so it is touched */
    assert_true(by_rect(&in, (struct bmx_rect){0, 60, 10, 10}, false, 100, 100, &out));
    assert_point(&out, 0, 99, 10, 2);
    assert_point(&out, 1, 0, 0, 0);
    assert_point(&out, 2, 0, 0, 0);
    assert_point(&out, 3, 0, 0, 0);
    assert_int_equal(out.keypoints_hidden, 3);
    assert_int_equal(out.num_keypoints, 1);
    bmx_object_free(&out);
    bmx_object_free(&in);
}

/* An object the patch does not touch keeps its keypoints and count exactly. */
static void untouched_object_keeps_points(void **state)
{
    (void)state;
    const double kp[] = {12.25, 13.5, 2, 0, 0, 0, 20, 21, 1};
    struct bmx_object in = kp_object(10, 10, 15, 15, kp, 3), out;
    in.has_num_keypoints = false;
    in.num_keypoints = 2;
    assert_true(by_rect(&in, (struct bmx_rect){50, 50, 10, 10}, false, 100, 100, &out));
    assert_false(out.touched);
    assert_ptr_not_equal(out.keypoints, in.keypoints);
    assert_memory_equal(out.keypoints, kp, sizeof kp);
    assert_int_equal(out.num_keypoints, 2);
    assert_false(out.has_num_keypoints);
    assert_int_equal(out.keypoints_hidden, 0);
    bmx_object_free(&out);
    bmx_object_free(&in);
}

/* Keypoints never keep an object: one mostly under the patch is dropped even
 * with every point visible outside it; and they never drop one either. */
static void points_do_not_decide(void **state)
{
    (void)state;
    const double visible[] = {1, 1, 2, 39, 1, 2};
    struct bmx_object in = kp_object(0, 0, 40, 40, visible, 2), out;
    assert_false(by_rect(&in, (struct bmx_rect){0, 2, 40, 38}, false, 100, 100, &out));
    bmx_object_free(&in);
    const double hidden[] = {20, 20, 2, 21, 21, 2};
    in = kp_object(0, 0, 40, 40, hidden, 2);
    assert_true(by_rect(&in, (struct bmx_rect){15, 15, 10, 10}, false, 100, 100, &out));
    assert_int_equal(out.num_keypoints, 0);
    assert_int_equal(out.keypoints_hidden, 2);
    assert_float_equal(out.visibility, 1.0 - 100.0 / 1600.0, 1e-12);
    bmx_object_free(&out);
    bmx_object_free(&in);
}

static struct bmx_sample blank_sample(int32_t w, int32_t h, struct bmx_object *objs, size_t n)
{
    struct bmx_sample s;
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx_image_new(w, h, 3, &s.image, NULL), BMX_OK);
    s.objects = objs;
    s.n_objects = n;
    return s;
}

/* A source of another size: its points are scaled with it, then clipped. */
static void resized_source_points_scaled(void **state)
{
    (void)state;
    /* b is 50 x 40, a is 100 x 120: sx = 2, sy = 3 */
    const double kp[] = {10, 10, 2, 40, 30, 1, 5, 5, 0, 45, 5, 2};
    struct bmx_object bo = kp_object(0, 0, 50, 40, kp, 4);
    struct bmx_sample a = blank_sample(100, 120, NULL, 0);
    struct bmx_sample b = blank_sample(50, 40, &bo, 1);
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    struct bmx_patch p = {{0, 0, 85, 120}, 0};
    struct bmx_sample out;
    struct bmx_cutmix_stats stats;
    assert_int_equal(bmx_cutmix_apply(&o, &p, &a, &b, &out, &stats, NULL), BMX_OK);
    assert_int_equal(out.n_objects, 1);
    assert_point(&out.objects[0], 0, 20, 30, 2);
    assert_point(&out.objects[0], 1, 80, 90, 1);
    assert_point(&out.objects[0], 2, 5, 5, 0); /* not labelled: as it was */
    assert_point(&out.objects[0], 3, 0, 0, 0); /* 90 >= 85: outside the patch */
    assert_int_equal(out.objects[0].num_keypoints, 2);
    assert_int_equal(stats.with_keypoints, 1);
    assert_int_equal(stats.keypoints_hidden, 1);
    bmx_sample_free(&out);
    bmx_image_free(&a.image);
    bmx_image_free(&b.image);
    bmx_object_free(&bo);
}

struct seen {
    int errors, warnings;
    char codes[256];
};

static void collect(void *ctx, bool error, const char *code, const char *message)
{
    struct seen *s = ctx;
    (void)message;
    if (error) {
        s->errors++;
    } else {
        s->warnings++;
    }
    strncat(s->codes, code, sizeof s->codes - strlen(s->codes) - 2);
    strcat(s->codes, " ");
}

/* The rule set every reader and the checker apply. */
static void rules(void **state)
{
    (void)state;
    struct bmx_box box = {10, 10, 20, 20};
    struct seen s;
    const double good[] = {15, 15, 2, 0, 0, 0, 29, 30, 1};
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx__keypoints_check(good, 9, 3, true, 2, 100, 100, &box, collect, &s), 0);
    assert_int_equal(s.warnings, 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx__keypoints_check(good, 8, 0, false, 0, 100, 100, &box, collect, &s), 1);
    assert_string_equal(s.codes, "keypoints-count ");
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx__keypoints_check(good, 9, 17, false, 0, 100, 100, &box, collect, &s), 1);
    assert_string_equal(s.codes, "keypoints-count ");
    const double bad_v[] = {15, 15, 3, 15, 15, 2};
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx__keypoints_check(bad_v, 6, 0, true, 1, 100, 100, &box, collect, &s), 1);
    assert_string_equal(s.codes, "keypoint-visibility ");
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx__keypoints_check(good, 9, 3, true, 3, 100, 100, &box, collect, &s), 1);
    assert_string_equal(s.codes, "num-keypoints ");
    const double out[] = {100, 5, 2, 5, -1, 1};
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx__keypoints_check(out, 6, 0, true, 2, 100, 100, NULL, collect, &s), 1);
    assert_string_equal(s.codes, "keypoint-outside-image ");
    const double odd[] = {3, 4, 0, 50, 50, 2};
    memset(&s, 0, sizeof s);
    assert_int_equal(bmx__keypoints_check(odd, 6, 2, true, 1, 100, 100, &box, collect, &s), 0);
    assert_string_equal(s.codes, "keypoint-unlabelled-position keypoint-outside-box ");
    assert_int_equal(s.warnings, 2);
}

/* The COCO reader reads and checks them; the writer puts them back in their
 * place, and an operation's hidden points come out as 0, 0, 0. */
static void coco_read_write(void **state)
{
    (void)state;
    const char *doc =
        "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":100,\"height\":80}],"
        "\"annotations\":[{\"id\":5,\"num_keypoints\":2,\"image_id\":1,\"category_id\":1,"
        "\"keypoints\":[10,12,2,0,0,0,30,40,1],\"bbox\":[5,5,40,40],\"area\":1600,\"iscrowd\":0,"
        "\"note\":\"x\"}],"
        "\"categories\":[{\"id\":1,\"name\":\"p\",\"keypoints\":[\"a\",\"b\",\"c\"],"
        "\"skeleton\":[[1,2],[2,3]]}]}";
    bmx_dataset *ds = NULL;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_dataset_read_coco_buffer(doc, strlen(doc), "t.json", &ds, &err), BMX_OK);
    const struct bmx_object *o = bmx_dataset_objects(ds, 0);
    assert_true(o->has_keypoints);
    assert_int_equal(o->n_keypoints, 3);
    assert_int_equal(o->num_keypoints, 2);
    assert_float_equal(o->keypoints[6], 30, 0);
    const struct bmx_category *cat = bmx_dataset_category(ds, 0);
    assert_int_equal(cat->n_keypoints, 3);
    assert_int_equal(cat->n_skeleton, 2);
    assert_int_equal(cat->skeleton[2], 2);
    assert_int_equal(cat->skeleton[3], 3);
    /* written back as it came, in the record's own key order */
    struct bmx__buf b = {0};
    bmx__coco_put_annotation(&b, o, 5, "1", NULL);
    assert_non_null(strstr(b.data, ",\"num_keypoints\":2,\"keypoints\":[10,12,2,0,0,0,30,40,1],\"note\":\"x\"}"));
    bmx__buf_free(&b);
    /* hidden by a patch over (10, 12): 0, 0, 0 and one fewer */
    struct bmx_object cut;
    assert_true(by_rect(o, (struct bmx_rect){0, 0, 20, 20}, false, 100, 80, &cut));
    bmx__coco_put_annotation(&b, &cut, 5, "1", NULL);
    assert_non_null(strstr(b.data, ",\"num_keypoints\":1,\"keypoints\":[0,0,0,0,0,0,30,40,1],"));
    bmx__buf_free(&b);
    bmx_object_free(&cut);
    bmx_dataset_free(ds);

    /* every rule error is refused with its place */
    struct {
        const char *kp, *num, *want;
    } bad[] = {
        {"[10,12,2,0,0]", "1", "annotations[0].keypoints: expected 9 numbers"},
        {"[10,12,2,0,0,0,30,40,7]", "2", "annotations[0].keypoints: point 2: v = 7"},
        {"[10,12,2,0,0,0]", "1", "annotations[0].keypoints: expected 9 numbers (x, y, v for each of the category's 3 keypoints), got 6"},
        {"[10,12,2,0,0,0,30,40,1]", "3", "annotations[0].num_keypoints: num_keypoints is 3, but 2 points are labelled (v > 0)"},
        {"[10,12,2,0,0,0,100,40,1]", "2", "annotations[0].keypoints: point 2: (100, 40) is labelled but outside the 100x80 image"},
        {"[10,12,2,0,0,0,30,\"x\",1]", "2", "annotations[0].keypoints[7]: expected a number, got a string"},
        {"7", "2", "annotations[0].keypoints: expected a list of numbers (x, y, v triples), got a number"},
        {"[10,12,2,0,0,0,30,40,1]", "1.5", "annotations[0].num_keypoints: expected a whole number >= 0, got 1.5"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":100,\"height\":80}],"
                 "\"annotations\":[{\"id\":5,\"image_id\":1,\"category_id\":1,\"bbox\":[5,5,40,40],"
                 "\"keypoints\":%s,\"num_keypoints\":%s}],"
                 "\"categories\":[{\"id\":1,\"name\":\"p\",\"keypoints\":[\"a\",\"b\",\"c\"]}]}",
                 bad[i].kp, bad[i].num);
        ds = NULL;
        assert_int_not_equal(bmx_dataset_read_coco_buffer(text, strlen(text), "t.json", &ds, &err),
                             BMX_OK);
        assert_null(ds);
        if (strstr(err.message, bad[i].want) == NULL) {
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message, bad[i].want);
        }
    }
    const char *bad_skeleton =
        "{\"images\":[],\"annotations\":[],"
        "\"categories\":[{\"id\":1,\"name\":\"p\",\"keypoints\":[\"a\",\"b\"],\"skeleton\":[[1,3]]}]}";
    assert_int_not_equal(bmx_dataset_read_coco_buffer(bad_skeleton, strlen(bad_skeleton), "t.json",
                                                      &ds, &err),
                         BMX_OK);
    assert_string_equal(err.message, "t.json: categories[0].skeleton[0]: [1, 3] is not a pair of "
                                     "keypoint numbers 1..2 (the category has 2 keypoints)");

    /* A keypoint problem is named after every other refusal of the document (here
     * a later annotation's bbox), as when the keypoints were read last; among
     * keypoint problems, the categories' come first. */
    const char *later =
        "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":100,\"height\":80}],"
        "\"annotations\":[{\"id\":5,\"image_id\":1,\"category_id\":1,\"bbox\":[5,5,40,40],"
        "\"keypoints\":[1,1,2]},"
        "{\"id\":6,\"image_id\":1,\"category_id\":1,\"bbox\":[5,5,-4,40]}],"
        "\"categories\":[{\"id\":1,\"name\":\"p\",\"keypoints\":[\"a\",\"b\",\"c\"]}]}";
    assert_int_equal(bmx_dataset_read_coco_buffer(later, strlen(later), "t.json", &ds, &err),
                     BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "t.json: annotations[1].bbox: "));
    const char *cat_first =
        "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":100,\"height\":80}],"
        "\"annotations\":[{\"id\":5,\"image_id\":1,\"category_id\":1,\"bbox\":[5,5,40,40],"
        "\"keypoints\":[1,1,2]}],"
        "\"categories\":[{\"id\":1,\"name\":\"p\",\"keypoints\":[\"a\",\"b\",\"c\"]},"
        "{\"id\":2,\"name\":\"q\",\"skeleton\":{}}]}";
    assert_int_equal(bmx_dataset_read_coco_buffer(cat_first, strlen(cat_first), "t.json", &ds, &err),
                     BMX_E_SCHEMA);
    assert_string_equal(err.message,
                        "t.json: categories[1].skeleton: expected a list of [a, b] pairs, got an object");
}

/* Over random patches, objects and points: every labelled output point lies
 * where its object stays visible (base: outside the patch; source: inside it;
 * both: in the image), num_keypoints counts them, and hidden + kept labelled
 * points make the labelled points the object came with. */
static void random_patches_property(void **state)
{
    (void)state;
    bmx_rng rng;
    bmx_rng_seed(&rng, 20, 0);
    size_t checked = 0;
    for (int trial = 0; trial < 4000; trial++) {
        int32_t w = 20 + (int32_t)bmx_rng_below(&rng, 200), h = 20 + (int32_t)bmx_rng_below(&rng, 200);
        double bx = bmx_rng_uniform(&rng) * w * 0.8, by = bmx_rng_uniform(&rng) * h * 0.8;
        double bw = 1 + bmx_rng_uniform(&rng) * (w - bx), bh = 1 + bmx_rng_uniform(&rng) * (h - by);
        double kp[17 * 3];
        int64_t labelled = 0;
        for (int i = 0; i < 17; i++) {
            int v = (int)bmx_rng_below(&rng, 3);
            kp[3 * i] = v ? floor(bx + bmx_rng_uniform(&rng) * bw) : 0;
            kp[3 * i + 1] = v ? floor(by + bmx_rng_uniform(&rng) * bh) : 0;
            kp[3 * i + 2] = v;
            labelled += v > 0;
        }
        struct bmx_object in = kp_object(bx, by, bw, bh, kp, 17), out;
        struct bmx_rect r = {(int32_t)bmx_rng_below(&rng, (uint64_t)w),
                             (int32_t)bmx_rng_below(&rng, (uint64_t)h), 0, 0};
        r.w = 1 + (int32_t)bmx_rng_below(&rng, (uint64_t)(w - r.x));
        r.h = 1 + (int32_t)bmx_rng_below(&rng, (uint64_t)(h - r.y));
        bool inside = trial % 2 == 1;
        if (by_rect(&in, r, inside, w, h, &out)) {
            int64_t left = 0;
            for (int i = 0; i < 17; i++) {
                double x = out.keypoints[3 * i], y = out.keypoints[3 * i + 1], v = out.keypoints[3 * i + 2];
                if (v > 0) {
                    bool in_r = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
                    assert_true(in_r == inside);
                    assert_true(x >= 0 && y >= 0 && x < w && y < h);
                    assert_float_equal(x, kp[3 * i], 0);
                    left++;
                } else {
                    assert_true(x == 0 && y == 0 && v == 0);
                }
            }
            assert_int_equal(out.num_keypoints, left);
            assert_int_equal((int64_t)out.keypoints_hidden + left, labelled);
            checked++;
            bmx_object_free(&out);
        }
        bmx_object_free(&in);
    }
    assert_true(checked > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base_points_under_patch),
        cmocka_unit_test(source_points_outside_patch),
        cmocka_unit_test(points_outside_image),
        cmocka_unit_test(untouched_object_keeps_points),
        cmocka_unit_test(points_do_not_decide),
        cmocka_unit_test(resized_source_points_scaled),
        cmocka_unit_test(rules),
        cmocka_unit_test(coco_read_write),
        cmocka_unit_test(random_patches_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
