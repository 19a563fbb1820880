/* SPDX-License-Identifier: MIT */
/* Unit tests of the in-memory API's ends: a sample loaded from a dataset, CutMix
 * in one call, and the dataset builder writing COCO and VOC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <boxmix.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BMX_SOURCE_ROOT
#define BMX_SOURCE_ROOT ".."
#endif

static bmx_dataset *samples(void)
{
    bmx_dataset *ds = NULL;
    bmx_error err = {BMX_OK, ""};
    if (bmx_dataset_read_coco(BMX_SOURCE_ROOT "/samples/coco/annotations.json", &ds, &err) != BMX_OK) {
        fail_msg("%s", err.message);
    }
    return ds;
}

static void load_sample_pixels_and_objects(void **state)
{
    (void)state;
    bmx_dataset *ds = samples();
    struct bmx_sample s;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_dataset_load_sample(ds, 0, BMX_SOURCE_ROOT "/samples/images", NULL, &s, &err),
                     BMX_OK);
    assert_int_equal(s.image.w, bmx_dataset_image(ds, 0)->width);
    assert_int_equal(s.n_objects, bmx_dataset_object_count(ds, 0));
    assert_ptr_not_equal(s.objects, bmx_dataset_objects(ds, 0));
    assert_memory_equal(&s.objects[0].bbox, &bmx_dataset_objects(ds, 0)[0].bbox, sizeof s.objects[0].bbox);
    bmx_sample_free(&s);
    assert_int_equal(bmx_dataset_load_sample(ds, 99, BMX_SOURCE_ROOT "/samples/images", NULL, &s, &err),
                     BMX_E_INVALID);
    assert_int_not_equal(bmx_dataset_load_sample(ds, 0, "/nonexistent", NULL, &s, &err), BMX_OK);
    assert_non_null(strstr(err.message, "/nonexistent/"));
    bmx_dataset_free(ds);
}

/* bmx_cutmix is draw_patch then apply with the same generator. */
static void cutmix_in_one_call(void **state)
{
    (void)state;
    bmx_dataset *ds = samples();
    struct bmx_sample a, b, one, two;
    assert_int_equal(bmx_dataset_load_sample(ds, 2, BMX_SOURCE_ROOT "/samples/images", NULL, &a, NULL), BMX_OK);
    assert_int_equal(bmx_dataset_load_sample(ds, 5, BMX_SOURCE_ROOT "/samples/images", NULL, &b, NULL), BMX_OK);
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    bmx_rng r1, r2;
    bmx_rng_seed(&r1, 3, 9);
    bmx_rng_seed(&r2, 3, 9);
    struct bmx_patch p1, p2;
    assert_int_equal(bmx_cutmix(&o, &a, &b, &r1, &one, &p1, NULL, NULL), BMX_OK);
    struct bmx_box *boxes = calloc(a.n_objects, sizeof *boxes);
    for (size_t i = 0; i < a.n_objects; i++) {
        boxes[i] = a.objects[i].bbox;
    }
    assert_int_equal(bmx_cutmix_draw_patch(&o, a.image.w, a.image.h, boxes, a.n_objects, &r2, &p2, NULL), BMX_OK);
    assert_int_equal(bmx_cutmix_apply(&o, &p2, &a, &b, &two, NULL, NULL), BMX_OK);
    assert_memory_equal(&p1.rect, &p2.rect, sizeof p1.rect);
    assert_int_equal(one.n_objects, two.n_objects);
    assert_memory_equal(one.image.data, two.image.data, (size_t)one.image.h * one.image.stride);
    free(boxes);
    bmx_sample_free(&one);
    bmx_sample_free(&two);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
    bmx_dataset_free(ds);
}

static void builder_writes_coco_and_voc(void **state)
{
    (void)state;
    bmx_dataset *ds = samples();
    char tmpl[] = "/tmp/bmx_builder_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    for (int voc = 0; voc < 2; voc++) {
        char out[256];
        snprintf(out, sizeof out, "%s/%s", tmpl, voc ? "voc" : "coco");
        bmx_builder *b = NULL;
        bmx_error err = {BMX_OK, ""};
        assert_int_equal(bmx_builder_new(out, ds, voc ? BMX_DATASET_VOC : BMX_DATASET_COCO, &b, &err), BMX_OK);
        size_t objects = 0;
        for (size_t i = 0; i < 3; i++) {
            struct bmx_sample s;
            assert_int_equal(bmx_dataset_load_sample(ds, i, BMX_SOURCE_ROOT "/samples/images", NULL, &s, &err),
                             BMX_OK);
            char name[32];
            snprintf(name, sizeof name, "built_%zu.%s", i, i == 1 ? "png" : "jpg");
            assert_int_equal(bmx_builder_add(b, &s, name, i == 1 ? BMX_FORMAT_PNG : BMX_FORMAT_JPEG, 90, &err),
                             BMX_OK);
            objects += s.n_objects;
            bmx_sample_free(&s);
        }
        assert_int_equal(bmx_builder_add(b, NULL, "x.jpg", BMX_FORMAT_JPEG, 90, &err), BMX_E_INVALID);
        assert_int_equal(bmx_builder_finish(b, &err), BMX_OK);
        bmx_builder_free(b);
        /* a second builder into the same folder is refused: it holds a dataset */
        assert_int_equal(bmx_builder_new(out, ds, voc ? BMX_DATASET_VOC : BMX_DATASET_COCO, &b, &err), BMX_E_STATE);
        bmx_dataset *back = NULL;
        char path[300];
        if (voc) {
            struct bmx_voc_options vo;
            bmx_voc_options_init(&vo);
            assert_int_equal(bmx_dataset_read_voc(out, &vo, &back, &err), BMX_OK);
        } else {
            snprintf(path, sizeof path, "%s/annotations.json", out);
            assert_int_equal(bmx_dataset_read_coco(path, &back, &err), BMX_OK);
        }
        assert_int_equal(bmx_dataset_image_count(back), 3);
        assert_int_equal(bmx_dataset_annotation_count(back), objects);
        assert_string_equal(bmx_dataset_image(back, 1)->file_name, "built_1.png");
        snprintf(path, sizeof path, "%s/%s/built_1.png", out, voc ? "JPEGImages" : "images");
        struct bmx_image img;
        assert_int_equal(bmx_image_read(path, NULL, &img, &err), BMX_OK);
        assert_int_equal(img.w, bmx_dataset_image(ds, 1)->width);
        bmx_image_free(&img);
        bmx_dataset_free(back);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
    bmx_dataset_free(ds);
}

static void read_whole(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    *data = malloc((size_t)n + 1);
    assert_non_null(*data);
    assert_int_equal(fread(*data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
}

static void assert_same_file(const char *a, const char *b)
{
    char *da, *db;
    size_t la, lb;
    read_whole(a, &da, &lb);
    la = lb;
    read_whole(b, &db, &lb);
    if (la != lb || memcmp(da, db, la) != 0) {
        fail_msg("%s and %s differ", a, b);
    }
    free(da);
    free(db);
}

/* The builder's VOC files are those its COCO file converts to: the same records,
 * provenance included (a CutMix sample's objects carry it, a loaded one's none). */
static void builder_voc_is_its_coco_converted(void **state)
{
    (void)state;
    bmx_dataset *ds = samples();
    char tmpl[] = "/tmp/bmx_builder_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    struct bmx_sample s[3], mixed;
    bmx_error err = {BMX_OK, ""};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(
            bmx_dataset_load_sample(ds, i, BMX_SOURCE_ROOT "/samples/images", NULL, &s[i], &err),
            BMX_OK);
    }
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    bmx_rng rng;
    bmx_rng_seed(&rng, 5, 1);
    assert_int_equal(bmx_cutmix(&o, &s[0], &s[2], &rng, &mixed, NULL, NULL, &err), BMX_OK);
    char out[2][256];
    for (int voc = 0; voc < 2; voc++) {
        snprintf(out[voc], sizeof out[voc], "%s/%s", tmpl, voc ? "voc" : "coco");
        bmx_builder *b = NULL;
        assert_int_equal(
            bmx_builder_new(out[voc], ds, voc ? BMX_DATASET_VOC : BMX_DATASET_COCO, &b, &err),
            BMX_OK);
        for (size_t i = 0; i < 4; i++) {
            char name[32];
            snprintf(name, sizeof name, "built_%zu.png", i);
            assert_int_equal(
                bmx_builder_add(b, i < 3 ? &s[i] : &mixed, name, BMX_FORMAT_PNG, 90, &err), BMX_OK);
        }
        assert_int_equal(bmx_builder_finish(b, &err), BMX_OK);
        bmx_builder_free(b);
    }
    char path[300], ref[400], got[400];
    snprintf(path, sizeof path, "%s/annotations.json", out[0]);
    bmx_dataset *coco = NULL;
    assert_int_equal(bmx_dataset_read_coco(path, &coco, &err), BMX_OK);
    snprintf(path, sizeof path, "%s/ref", tmpl);
    assert_int_equal(bmx_dataset_write_voc(coco, path, &err), BMX_OK);
    for (size_t i = 0; i < 5; i++) {
        const char *rel = "ImageSets/Main/trainval.txt";
        char xml[64];
        if (i < 4) {
            snprintf(xml, sizeof xml, "Annotations/built_%zu.xml", i);
            rel = xml;
        }
        snprintf(ref, sizeof ref, "%s/%s", path, rel);
        snprintf(got, sizeof got, "%s/%s", out[1], rel);
        assert_same_file(ref, got);
    }
    snprintf(got, sizeof got, "%s/Annotations/built_3.xml", out[1]);
    char *x;
    size_t n;
    read_whole(got, &x, &n);
    x[n] = '\0';
    assert_non_null(strstr(x, "<from>base</from>"));
    free(x);
    bmx_dataset_free(coco);
    bmx_sample_free(&mixed);
    for (size_t i = 0; i < 3; i++) {
        bmx_sample_free(&s[i]);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
    bmx_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_sample_pixels_and_objects),
        cmocka_unit_test(cutmix_in_one_call),
        cmocka_unit_test(builder_writes_coco_and_voc),
        cmocka_unit_test(builder_voc_is_its_coco_converted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
