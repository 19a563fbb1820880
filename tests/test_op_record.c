/* SPDX-License-Identifier: MIT */
/* bmx_op_record_to_json: every operation's image record as the COCO writer writes
 * it (keys in their order, numbers as the writer prints them: ops-design), the
 * classic CutMix record byte for byte bmx_cutmix_record_to_json's, string ids, and
 * the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "boxmix.h"

static struct bmx_image_info info(int64_t id)
{
    struct bmx_image_info i;
    memset(&i, 0, sizeof i);
    i.id = id;
    i.file_name = "x.jpg";
    i.width = 100;
    i.height = 80;
    return i;
}

static void expect(const struct bmx_op_record *rec, const struct bmx_image_info *const *in,
                   size_t n, uint64_t seed, uint64_t index, const char *want)
{
    char *text = NULL;
    size_t len = 0;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_op_record_to_json(rec, in, n, seed, index, &text, &len, &err), BMX_OK);
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    free(text);
}

static void classic_cutmix_is_the_cutmix_record(void **state)
{
    (void)state;
    struct bmx_image_info a = info(3), b = info(9);
    const struct bmx_image_info *in[2] = {&a, &b};
    struct bmx_op_record rec;
    memset(&rec, 0, sizeof rec);
    rec.op = BMX_OP_CUTMIX;
    rec.patch = (struct bmx_rect){10, 20, 30, 40};
    rec.lambda = 0.85;
    for (int placement = 0; placement < 2; placement++) {
        rec.placement = (enum bmx_placement)placement;
        struct bmx_patch patch = {rec.patch, rec.lambda};
        char *classic = NULL;
        bmx_error err = {BMX_OK, ""};
        assert_int_equal(bmx_cutmix_record_to_json(&a, &b, &patch, 7, 12, &classic, NULL, &err),
                         BMX_OK);
        expect(&rec, in, 2, 7, 12, classic);
        expect(&rec, in, 2, 7, 12,
               "{\"op\":\"cutmix\",\"index\":12,\"base_image_id\":3,\"source_image_id\":9,"
               "\"patch\":[10,20,30,40],\"lambda\":0.85,\"seed\":7}");
        free(classic);
    }
}

static void cutmix_fits_and_source_object(void **state)
{
    (void)state;
    struct bmx_image_info a = info(3), b = info(9);
    b.id_str = "img-9";
    const struct bmx_image_info *in[2] = {&a, &b};
    struct bmx_op_record rec;
    memset(&rec, 0, sizeof rec);
    rec.op = BMX_OP_CUTMIX;
    rec.patch = (struct bmx_rect){0, 0, 50, 40};
    rec.lambda = 0.75;
    rec.source_fit = BMX_FIT_LETTERBOX;
    expect(&rec, in, 2, 1, 2,
           "{\"op\":\"cutmix\",\"index\":2,\"base_image_id\":3,\"source_image_id\":\"img-9\","
           "\"patch\":[0,0,50,40],\"lambda\":0.75,\"source_fit\":\"letterbox\",\"seed\":1}");
    rec.source_fit = BMX_FIT_CROP;
    rec.source_rect = (struct bmx_rect){5, 6, 50, 40};
    rec.placement = BMX_PLACE_SOURCE_OBJECT;
    expect(&rec, in, 2, 1, 2,
           "{\"op\":\"cutmix\",\"index\":2,\"base_image_id\":3,\"source_image_id\":\"img-9\","
           "\"patch\":[0,0,50,40],\"lambda\":0.75,\"source_fit\":\"crop\",\"source_rect\":"
           "[5,6,50,40],\"placement\":\"source-object\",\"anchor_annotation_id\":null,"
           "\"seed\":1}");
    rec.source_fit = BMX_FIT_RESIZE;
    rec.has_anchor = true;
    rec.anchor_annotation_id = 4411;
    expect(&rec, in, 2, 1, 2,
           "{\"op\":\"cutmix\",\"index\":2,\"base_image_id\":3,\"source_image_id\":\"img-9\","
           "\"patch\":[0,0,50,40],\"lambda\":0.75,\"placement\":\"source-object\","
           "\"anchor_annotation_id\":4411,\"seed\":1}");
}

static void cutout_record(void **state)
{
    (void)state;
    struct bmx_image_info a = info(5);
    const struct bmx_image_info *in[1] = {&a};
    struct bmx_op_record rec;
    memset(&rec, 0, sizeof rec);
    rec.op = BMX_OP_CUTOUT;
    rec.n_holes = 2;
    rec.holes[0] = (struct bmx_rect){1, 2, 3, 4};
    rec.holes[1] = (struct bmx_rect){50, 60, 10, 20};
    rec.fill = BMX_FILL_MEAN;
    rec.fill_rgb[0] = 120;
    rec.fill_rgb[1] = 115;
    rec.fill_rgb[2] = 98;
    rec.lambda = 0.97375;
    expect(&rec, in, 1, 0, 0,
           "{\"op\":\"cutout\",\"index\":0,\"base_image_id\":5,\"holes\":[[1,2,3,4],"
           "[50,60,10,20]],\"fill\":\"mean\",\"lambda\":0.97375,\"seed\":0}");
    rec.fill = BMX_FILL_CONSTANT;
    expect(&rec, in, 1, 0, 0,
           "{\"op\":\"cutout\",\"index\":0,\"base_image_id\":5,\"holes\":[[1,2,3,4],"
           "[50,60,10,20]],\"fill\":\"constant\",\"fill_rgb\":[120,115,98],\"lambda\":0.97375,"
           "\"seed\":0}");
    rec.fill = BMX_FILL_NOISE;
    expect(&rec, in, 1, 0, 0,
           "{\"op\":\"cutout\",\"index\":0,\"base_image_id\":5,\"holes\":[[1,2,3,4],"
           "[50,60,10,20]],\"fill\":\"noise\",\"lambda\":0.97375,\"seed\":0}");
}

static void mixup_record(void **state)
{
    (void)state;
    struct bmx_image_info a = info(1), b = info(2);
    const struct bmx_image_info *in[2] = {&a, &b};
    struct bmx_op_record rec;
    memset(&rec, 0, sizeof rec);
    rec.op = BMX_OP_MIXUP;
    rec.lambda = 522.0 / 1024.0;
    expect(&rec, in, 2, 18446744073709551615ULL, 3,
           "{\"op\":\"mixup\",\"index\":3,\"base_image_id\":1,\"source_image_id\":2,"
           "\"source_fit\":\"resize\",\"lambda\":0.509765625,\"seed\":18446744073709551615}");
    rec.source_fit = BMX_FIT_LETTERBOX;
    expect(&rec, in, 2, 4, 3,
           "{\"op\":\"mixup\",\"index\":3,\"base_image_id\":1,\"source_image_id\":2,"
           "\"source_fit\":\"letterbox\",\"lambda\":0.509765625,\"seed\":4}");
}

static void mosaic_record(void **state)
{
    (void)state;
    struct bmx_image_info i0 = info(10), i1 = info(11), i2 = info(12), i3 = info(13);
    const struct bmx_image_info *in[4] = {&i0, &i1, &i2, &i3};
    struct bmx_op_record rec;
    memset(&rec, 0, sizeof rec);
    rec.op = BMX_OP_MOSAIC;
    rec.mosaic_size = 640;
    rec.centre[0] = 700;
    rec.centre[1] = 500;
    const struct bmx_rect rects[4] = {
        {0, 0, 380, 180}, {380, 0, 260, 180}, {0, 180, 380, 460}, {380, 180, 260, 460}};
    for (size_t t = 0; t < 4; t++) {
        rec.tiles[t] = (struct bmx_mosaic_tile){t, rects[t], 1.0 + 0.5 * (double)t};
    }
    expect(&rec, in, 4, 2, 8,
           "{\"op\":\"mosaic\",\"index\":8,\"base_image_id\":10,\"mosaic_size\":640,"
           "\"centre\":[700,500],\"tiles\":[{\"image_id\":10,\"rect\":[0,0,380,180],"
           "\"scale\":1},{\"image_id\":11,\"rect\":[380,0,260,180],\"scale\":1.5},"
           "{\"image_id\":12,\"rect\":[0,180,380,460],\"scale\":2},{\"image_id\":13,"
           "\"rect\":[380,180,260,460],\"scale\":2.5}],\"seed\":2}");
}

static void copypaste_record(void **state)
{
    (void)state;
    struct bmx_image_info a = info(1), b = info(2);
    const struct bmx_image_info *in[2] = {&a, &b};
    struct bmx_op_record rec;
    memset(&rec, 0, sizeof rec);
    rec.op = BMX_OP_COPYPASTE;
    expect(&rec, in, 2, 0, 1,
           "{\"op\":\"copypaste\",\"index\":1,\"base_image_id\":1,\"source_image_id\":2,"
           "\"source_fit\":\"resize\",\"pasted_annotation_ids\":[],\"seed\":0}");
    int64_t ids[3] = {7, -2, 900000000000};
    rec.pasted_annotation_ids = ids;
    rec.n_pasted = 3;
    expect(&rec, in, 2, 0, 1,
           "{\"op\":\"copypaste\",\"index\":1,\"base_image_id\":1,\"source_image_id\":2,"
           "\"source_fit\":\"resize\",\"pasted_annotation_ids\":[7,-2,900000000000],"
           "\"seed\":0}");
}

static void refusals(void **state)
{
    (void)state;
    struct bmx_image_info a = info(1);
    const struct bmx_image_info *in[2] = {&a, NULL};
    struct bmx_op_record rec;
    memset(&rec, 0, sizeof rec);
    char *text = (char *)"untouched";
    bmx_error err = {BMX_OK, ""};
    rec.op = BMX_OP_MIXUP;
    assert_int_equal(bmx_op_record_to_json(&rec, in, 1, 0, 0, &text, NULL, &err), BMX_E_INVALID);
    assert_null(text);
    assert_non_null(strstr(err.message, "takes 2 inputs, got 1"));
    assert_int_equal(bmx_op_record_to_json(&rec, in, 2, 0, 0, &text, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "input 1 is NULL"));
    rec.op = (enum bmx_op)9;
    assert_int_equal(bmx_op_record_to_json(&rec, in, 1, 0, 0, &text, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "unknown operation 9"));
    assert_int_equal(bmx_op_record_to_json(NULL, in, 1, 0, 0, &text, NULL, &err), BMX_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classic_cutmix_is_the_cutmix_record),
        cmocka_unit_test(cutmix_fits_and_source_object),
        cmocka_unit_test(cutout_record),
        cmocka_unit_test(mixup_record),
        cmocka_unit_test(mosaic_record),
        cmocka_unit_test(copypaste_record),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
