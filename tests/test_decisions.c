/* SPDX-License-Identifier: MIT */
/* The decisions an operation reports (bmx_cutmix_apply_decided): one per object
 * considered, in order, each rule that drops an object named, and the same counts
 * as the operation's stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boxmix.h"

#define EPS 1e-9

static struct bmx_object box_object(int64_t id, double x, double y, double w, double h)
{
    struct bmx_object o;
    memset(&o, 0, sizeof o);
    o.id = id;
    o.category_id = id % 3 + 1;
    o.bbox = (struct bmx_box){x, y, w, h};
    o.area = w * h;
    o.has_area = true;
    o.seg_kind = BMX_SEG_NONE;
    return o;
}

/* Annotations only (no pixels): what a dry run computes. */
static struct bmx_sample sample(int32_t w, int32_t h, struct bmx_object *objs, size_t n)
{
    struct bmx_sample s;
    memset(&s, 0, sizeof s);
    s.image = (struct bmx_image){w, h, 3, 0, NULL};
    s.objects = objs;
    s.n_objects = n;
    return s;
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    assert_float_equal(b.x, x, EPS);
    assert_float_equal(b.y, y, EPS);
    assert_float_equal(b.w, w, EPS);
    assert_float_equal(b.h, h, EPS);
}

static void test_each_rule(void **state)
{
    (void)state;
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    o.min_area = 150;
    o.min_size = 6;
    struct bmx_object aobj[] = {
        box_object(10, 0, 0, 10, 10),   /* far from the patch: kept */
        box_object(11, 40, 40, 10, 10), /* under the patch: nothing left */
        box_object(12, 20, 40, 50, 10), /* 40 % left, 200 px: clipped */
        box_object(13, 25, 35, 10, 10), /* 5 px wide strip left, 50 %: min_area */
        box_object(14, 28, 40, 32, 10), /* 2 px left: 6.25 %: min_visibility */
    };
    struct bmx_object bobj[] = {
        box_object(20, 80, 80, 10, 10), /* outside the patch: nothing inside */
        box_object(21, 35, 35, 10, 10), /* wholly inside: kept */
        box_object(22, 55, 30, 30, 40), /* 5 x 30 inside, 150 px, 12.5 %: min_size */
    };
    struct bmx_sample a = sample(100, 100, aobj, 5);
    struct bmx_sample b = sample(100, 100, bobj, 3);
    struct bmx_patch p = {{30, 30, 30, 30}, 0.91};
    struct bmx_sample out;
    struct bmx_cutmix_stats st;
    struct bmx_decision d[8];
    assert_int_equal(bmx_cutmix_apply_decided(&o, &p, &a, &b, &out, &st, d, NULL), BMX_OK);

    const enum bmx_decision_kind kinds[8] = {
        BMX_DECIDED_KEPT,    BMX_DECIDED_DROPPED, BMX_DECIDED_CLIPPED, BMX_DECIDED_DROPPED,
        BMX_DECIDED_DROPPED, BMX_DECIDED_DROPPED, BMX_DECIDED_KEPT,    BMX_DECIDED_DROPPED};
    const enum bmx_drop_rule rules[8] = {
        BMX_DROP_NONE,    BMX_DROP_NO_AREA, BMX_DROP_NONE, BMX_DROP_MIN_AREA,
        BMX_DROP_MIN_VISIBILITY, BMX_DROP_NO_AREA, BMX_DROP_NONE, BMX_DROP_MIN_SIZE};
    size_t kept = 0, clipped = 0, dropped = 0;
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(d[i].kind, kinds[i]);
        assert_int_equal(d[i].rule, rules[i]);
        assert_int_equal(d[i].from, i < 5 ? BMX_FROM_BASE : BMX_FROM_SOURCE);
        assert_int_equal(d[i].index, i < 5 ? i : i - 5);
        assert_int_equal(d[i].annotation_id, i < 5 ? aobj[i].id : bobj[i - 5].id);
        assert_int_equal(d[i].category_id, i < 5 ? aobj[i].category_id : bobj[i - 5].category_id);
        kept += d[i].kind == BMX_DECIDED_KEPT;
        clipped += d[i].kind == BMX_DECIDED_CLIPPED;
        dropped += d[i].kind == BMX_DECIDED_DROPPED;
    }
    assert_int_equal(kept, st.kept_whole);
    assert_int_equal(clipped, st.clipped);
    assert_int_equal(dropped, st.dropped);
    assert_int_equal(out.n_objects, kept + clipped);

    /* The numbers behind each verdict. */
    assert_float_equal(d[0].visibility, 1.0, EPS);
    assert_float_equal(d[0].visible_area, 100, EPS);
    assert_box(d[0].box, 0, 0, 10, 10);
    assert_float_equal(d[1].visible_area, 0, EPS);
    assert_float_equal(d[2].visibility, 0.4, EPS);
    assert_float_equal(d[2].visible_area, 200, EPS);
    assert_box(d[2].box, out.objects[1].bbox.x, out.objects[1].bbox.y, out.objects[1].bbox.w,
               out.objects[1].bbox.h);
    assert_box(d[2].before, 20, 40, 50, 10);
    assert_float_equal(d[3].visible_area, 50, EPS);
    assert_box(d[3].box, 25, 35, 5, 10);
    assert_float_equal(d[4].visibility, 0.0625, EPS);
    assert_float_equal(d[7].visible_area, 150, EPS);
    assert_box(d[7].box, 55, 30, 5, 30);
    assert_box(d[7].before, 55, 30, 30, 40);
    assert_string_equal(bmx_decision_kind_name(d[7].kind), "dropped");
    assert_string_equal(bmx_drop_rule_name(d[7].rule), "min_size");
    assert_string_equal(bmx_drop_rule_name(d[1].rule), "no-area");
    assert_string_equal(bmx_drop_rule_name(d[3].rule), "min_area");
    assert_string_equal(bmx_drop_rule_name(d[4].rule), "min_visibility");
    assert_string_equal(bmx_decision_kind_name(BMX_DECIDED_CLIPPED), "clipped");
    bmx_sample_free(&out);
}

/* A source of another size: `before` is its box in the output's frame; a crowd
 * object stays while any of it is visible, however little. */
static void test_scaled_source_and_crowd(void **state)
{
    (void)state;
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    struct bmx_object aobj[] = {box_object(1, 28, 28, 40, 40)};
    aobj[0].iscrowd = 1; /* 2 px strips left: 7.75 % */
    struct bmx_object bobj[] = {box_object(2, 20, 20, 10, 10)};
    struct bmx_sample a = sample(100, 100, aobj, 1);
    struct bmx_sample b = sample(50, 50, bobj, 1);
    struct bmx_patch p = {{30, 30, 40, 40}, 0.84};
    struct bmx_sample out;
    struct bmx_decision d[2];
    assert_int_equal(bmx_cutmix_apply_decided(&o, &p, &a, &b, &out, NULL, d, NULL), BMX_OK);
    assert_int_equal(d[0].kind, BMX_DECIDED_CLIPPED);
    assert_int_equal(d[0].iscrowd, 1);
    assert_true(d[0].visibility < o.min_visibility);
    assert_int_equal(d[1].kind, BMX_DECIDED_KEPT);
    assert_box(d[1].before, 40, 40, 20, 20);
    assert_float_equal(d[1].visible_area, 400, EPS);
    bmx_sample_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_scaled_source_and_crowd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
