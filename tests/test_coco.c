/* COCO reading and writing: every field kept through a round trip, real-world
 * quirks accepted, and each kind of bad input reported with its JSON path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boxmix.h"

static const char *full_doc =
    "{\"info\":null,\"licenses\":[{\"id\":1,\"name\":\"CC\"}],\"extra_top\":{\"k\":[1,2.5,\"x\"]},"
    "\"images\":["
    "{\"id\":1,\"file_name\":\"a.jpg\",\"width\":20,\"height\":10,\"coco_url\":\"http://x/a.jpg\"},"
    "{\"id\":\"img_b\",\"file_name\":\"sub/b.png\",\"width\":4,\"height\":3}],"
    "\"annotations\":["
    "{\"id\":5,\"image_id\":1,\"category_id\":2,\"bbox\":[1.5,2.25,3,4],\"area\":6.5,\"iscrowd\":0,"
    "\"segmentation\":[[1.5,2.25,4.5,2.25,4.5,6.25],[10,1,12,1,12,3,10,3]],"
    "\"attributes\":{\"occluded\":false},\"score\":0.9,\"keypoints\":[1,2,2],\"type\":\"polygon\"},"
    "{\"id\":6,\"image_id\":\"img_b\",\"category_id\":1,\"bbox\":[0,0,2,2],\"area\":3,\"iscrowd\":1,"
    "\"segmentation\":{\"size\":[3,4],\"counts\":[0,2,1,1,8]}},"
    "{\"id\":7,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,1,1],\"segmentation\":[]},"
    "{\"id\":8,\"image_id\":1,\"category_id\":2,\"bbox\":[3,3,2,2]},"
    "{\"id\":9,\"image_id\":\"img_b\",\"category_id\":2,\"bbox\":[1,1,1,1],\"area\":1,\"iscrowd\":0,"
    "\"segmentation\":{\"size\":[3,4],\"counts\":\"421O3\"}}],"
    "\"categories\":[{\"id\":1,\"name\":\"cat\",\"supercategory\":\"animal\"},{\"id\":2,\"name\":\"dog\"}]}";

static char *tmp_path(const char *tag)
{
    static char buf[4][256];
    static int i;
    char *p = buf[i++ % 4];
    snprintf(p, 256, "/tmp/bmx_test_coco_%ld_%s.json", (long)getpid(), tag);
    return p;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    return b;
}

static void compare_objects(const struct bmx_object *a, const struct bmx_object *b)
{
    assert_true(a->id == b->id);
    assert_true(a->category_id == b->category_id);
    assert_true(a->bbox.x == b->bbox.x && a->bbox.y == b->bbox.y && a->bbox.w == b->bbox.w &&
                a->bbox.h == b->bbox.h);
    assert_int_equal(a->has_area, b->has_area);
    assert_true(a->area == b->area);
    assert_int_equal(a->iscrowd, b->iscrowd);
    assert_int_equal(a->has_iscrowd, b->has_iscrowd);
    assert_int_equal(a->seg_kind, b->seg_kind);
    if (a->seg_kind == BMX_SEG_POLYGON) {
        assert_int_equal(a->polys.count, b->polys.count);
        for (size_t r = 0; r < a->polys.count; r++) {
            assert_int_equal(a->polys.rings[r].n, b->polys.rings[r].n);
            assert_memory_equal(a->polys.rings[r].xy, b->polys.rings[r].xy,
                                2 * a->polys.rings[r].n * sizeof(double));
        }
    }
    if (a->seg_kind == BMX_SEG_RLE) {
        assert_int_equal(a->rle_compressed, b->rle_compressed);
        assert_int_equal(a->rle.h, b->rle.h);
        assert_int_equal(a->rle.w, b->rle.w);
        assert_int_equal(a->rle.m, b->rle.m);
        assert_memory_equal(a->rle.counts, b->rle.counts, a->rle.m * sizeof(uint32_t));
    }
}

static void round_trip_keeps_values_and_fields(void **state)
{
    (void)state;
    bmx_dataset *a = NULL, *b = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco_buffer(full_doc, strlen(full_doc), "full.json", &a, &err),
                     BMX_OK);
    assert_int_equal(bmx_dataset_image_count(a), 2);
    assert_int_equal(bmx_dataset_annotation_count(a), 5);
    assert_int_equal(bmx_dataset_category_count(a), 2);
    const struct bmx_image_info *im1 = bmx_dataset_image(a, 1);
    assert_string_equal(im1->id_str, "img_b");
    assert_string_equal(im1->file_name, "sub/b.png");
    assert_int_equal(bmx_dataset_object_count(a, 0), 3);
    assert_int_equal(bmx_dataset_object_count(a, 1), 2);
    const struct bmx_object *o = bmx_dataset_objects(a, 0);
    assert_int_equal(o[0].seg_kind, BMX_SEG_POLYGON);
    assert_int_equal(o[0].polys.count, 2);
    assert_int_equal(o[1].seg_kind, BMX_SEG_EMPTY);
    assert_int_equal(o[2].seg_kind, BMX_SEG_NONE);
    assert_false(o[2].has_area);
    const struct bmx_object *ob = bmx_dataset_objects(a, 1);
    assert_int_equal(ob[0].seg_kind, BMX_SEG_RLE);
    assert_false(ob[0].rle_compressed);
    assert_int_equal(bmx_rle_area(&ob[0].rle), 3);
    assert_true(ob[1].rle_compressed);

    const char *p1 = tmp_path("rt1"), *p2 = tmp_path("rt2");
    assert_int_equal(bmx_dataset_write_coco(a, p1, &err), BMX_OK);
    assert_int_equal(bmx_dataset_read_coco(p1, &b, &err), BMX_OK);
    assert_int_equal(bmx_dataset_image_count(b), 2);
    for (size_t i = 0; i < 2; i++) {
        const struct bmx_image_info *x = bmx_dataset_image(a, i), *y = bmx_dataset_image(b, i);
        assert_true(x->id == y->id);
        assert_true((x->id_str == NULL) == (y->id_str == NULL));
        assert_string_equal(x->file_name, y->file_name);
        assert_int_equal(x->width, y->width);
        assert_int_equal(x->height, y->height);
        assert_int_equal(bmx_dataset_object_count(a, i), bmx_dataset_object_count(b, i));
        for (size_t q = 0; q < bmx_dataset_object_count(a, i); q++) {
            compare_objects(&bmx_dataset_objects(a, i)[q], &bmx_dataset_objects(b, i)[q]);
        }
    }
    /* The writer is a fixed point: writing what it read gives the same bytes, so
     * every unknown field (info: null, licenses, extra keys) came through. */
    assert_int_equal(bmx_dataset_write_coco(b, p2, &err), BMX_OK);
    char *t1 = slurp(p1), *t2 = slurp(p2);
    assert_string_equal(t1, t2);
    assert_non_null(strstr(t1, "\"info\":null"));
    assert_non_null(strstr(t1, "\"coco_url\":\"http://x/a.jpg\""));
    assert_non_null(strstr(t1, "\"attributes\":{\"occluded\":false}"));
    assert_non_null(strstr(t1, "\"score\":0.9"));
    assert_non_null(strstr(t1, "\"keypoints\":[1,2,2]"));
    assert_non_null(strstr(t1, "\"extra_top\":{\"k\":[1,2.5,\"x\"]}"));
    assert_non_null(strstr(t1, "\"image_id\":\"img_b\""));
    assert_non_null(strstr(t1, "\"counts\":\"421O3\""));
    assert_non_null(strstr(t1, "\"counts\":[0,2,1,1,8]"));
    assert_non_null(strstr(t1, "\"segmentation\":[]"));
    free(t1);
    free(t2);
    unlink(p1);
    unlink(p2);
    bmx_dataset_free(a);
    bmx_dataset_free(b);
}

static void numbers_round_trip_exactly(void **state)
{
    (void)state;
    const char *doc = "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":640,\"height\":480}],"
                      "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,"
                      "\"bbox\":[0.1,123.456789012345678,1e-7,33.33333333333333],\"area\":0.30000000000000004}],"
                      "\"categories\":[{\"id\":1,\"name\":\"c\"}]}";
    bmx_dataset *a = NULL, *b = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco_buffer(doc, strlen(doc), "n.json", &a, &err), BMX_OK);
    const char *p = tmp_path("num");
    assert_int_equal(bmx_dataset_write_coco(a, p, &err), BMX_OK);
    assert_int_equal(bmx_dataset_read_coco(p, &b, &err), BMX_OK);
    compare_objects(bmx_dataset_objects(a, 0), bmx_dataset_objects(b, 0));
    unlink(p);
    bmx_dataset_free(a);
    bmx_dataset_free(b);
}

struct bad_case {
    const char *doc;
    bmx_status status;
    const char *message;
};

#define IMG "{\"id\":1,\"file_name\":\"a.jpg\",\"width\":10,\"height\":10}"
#define CAT "{\"id\":1,\"name\":\"c\"}"
#define DOC(images, anns, cats) "{\"images\":[" images "],\"annotations\":[" anns "],\"categories\":[" cats "]}"
#define ANN(extra) "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2]" extra "}"

static const struct bad_case bad_cases[] = {
    {"{\"images\": [", BMX_E_PARSE, "bad.json: line 1, column"},
    {"not json", BMX_E_PARSE, "not valid JSON"},
    {"[]", BMX_E_SCHEMA, "top level: expected an object, got an array"},
    {"{\"annotations\":[],\"categories\":[]}", BMX_E_SCHEMA, "bad.json: images: missing"},
    {"{\"images\":{},\"annotations\":[],\"categories\":[]}", BMX_E_SCHEMA,
     "images: expected an array, got an object"},
    {DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3]}", CAT), BMX_E_SCHEMA,
     "bad.json: annotations[0].bbox: expected 4 numbers, got 3"},
    {DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,\"3\",4]}", CAT),
     BMX_E_SCHEMA, "annotations[0].bbox[2]: expected a number, got a string"},
    {DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":1}", CAT), BMX_E_SCHEMA,
     "annotations[0].bbox: missing"},
    {DOC(IMG, "{\"id\":1,\"image_id\":99,\"category_id\":1,\"bbox\":[1,1,2,2]}", CAT), BMX_E_SCHEMA,
     "annotations[0].image_id: no image has id 99"},
    {DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":4,\"bbox\":[1,1,2,2]}", CAT), BMX_E_SCHEMA,
     "annotations[0].category_id: no category has id 4"},
    {DOC(IMG "," IMG, "", CAT), BMX_E_SCHEMA, "images[1].id: duplicate id 1 (also images[0])"},
    {DOC(IMG, ANN("") "," ANN(""), CAT), BMX_E_SCHEMA,
     "annotations[1].id: duplicate id 1 (also annotations[0])"},
    {DOC(IMG, "", CAT "," CAT), BMX_E_SCHEMA, "categories[1].id: duplicate id 1"},
    {DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1e999,2,2]}", CAT),
     BMX_E_SCHEMA, "annotations[0].bbox[1]: number out of range (not finite)"},
    {DOC(IMG, ANN(",\"segmentation\":[[1,2,3,4,5]]"), CAT), BMX_E_SCHEMA,
     "annotations[0].segmentation[0]: expected an even count"},
    {DOC(IMG, ANN(",\"segmentation\":[[1,2,3,4]]"), CAT), BMX_E_SCHEMA,
     "annotations[0].segmentation[0]: a polygon needs at least 3 points"},
    {DOC(IMG, ANN(",\"segmentation\":{\"size\":[10,10],\"counts\":[5,5]}"), CAT), BMX_E_SCHEMA,
     "annotations[0].segmentation.counts"},
    {DOC(IMG, ANN(",\"segmentation\":{\"size\":[9,10],\"counts\":[90]}"), CAT), BMX_E_SCHEMA,
     "annotations[0].segmentation.size: [9, 10] differs from its image's"},
    {DOC(IMG, ANN(",\"segmentation\":5"), CAT), BMX_E_SCHEMA,
     "annotations[0].segmentation: expected a list of polygons or an RLE object, got a number"},
    {DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,-2,2]}", CAT), BMX_E_SCHEMA,
     "annotations[0].bbox: negative width or height"},
    {DOC(IMG, ANN(",\"iscrowd\":2"), CAT), BMX_E_SCHEMA, "annotations[0].iscrowd: expected 0 or 1"},
    {DOC(IMG, ANN(",\"area\":-1"), CAT), BMX_E_SCHEMA, "annotations[0].area: expected a number >= 0"},
    {DOC("{\"id\":1,\"width\":10,\"height\":10}", "", CAT), BMX_E_SCHEMA,
     "images[0].file_name: missing"},
    {DOC("{\"id\":1,\"file_name\":\"a\",\"width\":0,\"height\":10}", "", CAT), BMX_E_SCHEMA,
     "images[0].width: expected a positive integer"},
    {DOC("{\"id\":1.5,\"file_name\":\"a\",\"width\":1,\"height\":10}", "", CAT), BMX_E_SCHEMA,
     "images[0].id: expected an integer or a string, got a number"},
    {DOC(IMG, "", "{\"id\":1}"), BMX_E_SCHEMA, "categories[0].name: missing"},
    {"{\"info\":3,\"images\":[],\"annotations\":[],\"categories\":[]}", BMX_E_SCHEMA,
     "info: expected an object or null, got a number"},
    {"{\"images\":[],\"annotations\":[],\"categories\":[]} x", BMX_E_PARSE,
     "text after the JSON document"},
};

static void bad_inputs_name_the_place(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        bmx_dataset *ds = (bmx_dataset *)(uintptr_t)1;
        bmx_error err = {0};
        bmx_status st = bmx_dataset_read_coco_buffer(bad_cases[i].doc, strlen(bad_cases[i].doc),
                                                     "bad.json", &ds, &err);
        if (st != bad_cases[i].status || strstr(err.message, bad_cases[i].message) == NULL) {
            print_error("case %zu: status %d, message '%s', expected '%s'\n", i, (int)st,
                        err.message, bad_cases[i].message);
            fail();
        }
        assert_null(ds);
        assert_true(strncmp(err.message, "bad.json: ", 10) == 0);
    }
}

static void quirks_accepted(void **state)
{
    (void)state;
    /* image_id spelled as a string where the image id is a number, and the reverse. */
    const char *doc = DOC("{\"id\":3,\"file_name\":\"a.jpg\",\"width\":10,\"height\":10},"
                          "{\"id\":\"7\",\"file_name\":\"b.jpg\",\"width\":10,\"height\":10}",
                          "{\"id\":1,\"image_id\":\"3\",\"category_id\":1,\"bbox\":[1,1,2,2]},"
                          "{\"id\":2,\"image_id\":7,\"category_id\":1,\"bbox\":[1,1,2,2],\"iscrowd\":true}",
                          CAT);
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco_buffer(doc, strlen(doc), "q.json", &ds, &err), BMX_OK);
    assert_int_equal(bmx_dataset_object_count(ds, 0), 1);
    assert_int_equal(bmx_dataset_object_count(ds, 1), 1);
    assert_int_equal(bmx_dataset_objects(ds, 1)[0].iscrowd, 1);
    bmx_dataset_free(ds);
}

static void missing_file_is_io_error(void **state)
{
    (void)state;
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco("/nonexistent/x.json", &ds, &err), BMX_E_IO);
    assert_non_null(strstr(err.message, "/nonexistent/x.json"));
}

static void samples_file_reads(void **state)
{
    (void)state;
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    bmx_status st = bmx_dataset_read_coco(BMX_SOURCE_ROOT "/samples/coco/annotations.json", &ds, &err);
    if (st != BMX_OK) {
        print_error("%s\n", err.message);
    }
    assert_int_equal(st, BMX_OK);
    assert_true(bmx_dataset_image_count(ds) >= 6);
    bmx_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_keeps_values_and_fields),
        cmocka_unit_test(numbers_round_trip_exactly),
        cmocka_unit_test(bad_inputs_name_the_place),
        cmocka_unit_test(quirks_accepted),
        cmocka_unit_test(missing_file_is_io_error),
        cmocka_unit_test(samples_file_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
