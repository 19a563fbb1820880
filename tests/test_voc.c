/* SPDX-License-Identifier: MIT */
/* Pascal VOC reading and writing: the quirks of real files, coordinates on
 * hand-computed cases, unknown elements and provenance kept through round trips,
 * every kind of bad input reported with file, element and line, and the
 * whole-dataset conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boxmix.h"

#define DATA BMX_SOURCE_ROOT "/tests/data/voc/"
#define SAMPLES BMX_SOURCE_ROOT "/samples/"

/* ---- helpers ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmp(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/bmx_test_voc_XXXXXX");
    assert_non_null(mkdtemp(buf));
    return buf;
}

static void join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    assert_true(n > 0 && (size_t)n < cap);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    return b;
}

static void make_voc_dirs(const char *root)
{
    char p[512];
    join(p, sizeof p, root, "Annotations");
    assert_int_equal(mkdir(p, 0755), 0);
    join(p, sizeof p, root, "JPEGImages");
    assert_int_equal(mkdir(p, 0755), 0);
    join(p, sizeof p, root, "ImageSets");
    assert_int_equal(mkdir(p, 0755), 0);
    join(p, sizeof p, root, "ImageSets/Main");
    assert_int_equal(mkdir(p, 0755), 0);
}

static bmx_dataset *read_voc_ok(const char *path, const struct bmx_voc_options *opts)
{
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    bmx_status st = bmx_dataset_read_voc(path, opts, &ds, &err);
    if (st != BMX_OK) {
        fail_msg("%s: %s", path, err.message);
    }
    return ds;
}

static bmx_dataset *read_coco_text(const char *text)
{
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    bmx_status st = bmx_dataset_read_coco_buffer(text, strlen(text), "test.json", &ds, &err);
    if (st != BMX_OK) {
        fail_msg("%s", err.message);
    }
    return ds;
}

static void expect_voc_error(const char *path, const struct bmx_voc_options *opts,
                             bmx_status want, const char *message)
{
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    bmx_status st = bmx_dataset_read_voc(path, opts, &ds, &err);
    assert_null(ds);
    if (st != want || strstr(err.message, message) == NULL) {
        fail_msg("%s: status %d, message '%s'; wanted status %d and '%s'", path, (int)st,
                 err.message, (int)want, message);
    }
}

static const cJSON *field(const void *extra, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive((const cJSON *)extra, key);
}

static const char *str_field(const void *extra, const char *key)
{
    const cJSON *v = field(extra, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_field(const void *extra, const char *key)
{
    const cJSON *v = field(extra, key);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static void assert_box(struct bmx_box b, double x, double y, double w, double h)
{
    if (fabs(b.x - x) > 1e-12 || fabs(b.y - y) > 1e-12 || fabs(b.w - w) > 1e-12 ||
        fabs(b.h - h) > 1e-12) {
        fail_msg("box [%g, %g, %g, %g], wanted [%g, %g, %g, %g]", b.x, b.y, b.w, b.h, x, y, w, h);
    }
}

/* The printed JSON of an extra field (or "" when absent), for comparisons. */
static char *json_of(const void *extra)
{
    if (extra == NULL) {
        return strdup("");
    }
    char *s = cJSON_PrintUnformatted((const cJSON *)extra);
    assert_non_null(s);
    return s;
}

/* Same images, boxes, categories and fields in both datasets. */
static void assert_same_dataset(const bmx_dataset *a, const bmx_dataset *b)
{
    assert_int_equal(bmx_dataset_image_count(a), bmx_dataset_image_count(b));
    assert_int_equal(bmx_dataset_category_count(a), bmx_dataset_category_count(b));
    for (size_t c = 0; c < bmx_dataset_category_count(a); c++) {
        assert_string_equal(bmx_dataset_category(a, c)->name, bmx_dataset_category(b, c)->name);
    }
    for (size_t i = 0; i < bmx_dataset_image_count(a); i++) {
        const struct bmx_image_info *ia = bmx_dataset_image(a, i), *ib = bmx_dataset_image(b, i);
        assert_string_equal(ia->file_name, ib->file_name);
        assert_int_equal(ia->width, ib->width);
        assert_int_equal(ia->height, ib->height);
        char *ja = json_of(ia->extra), *jb = json_of(ib->extra);
        assert_string_equal(ja, jb);
        free(ja);
        free(jb);
        assert_int_equal(bmx_dataset_object_count(a, i), bmx_dataset_object_count(b, i));
        const struct bmx_object *oa = bmx_dataset_objects(a, i), *ob = bmx_dataset_objects(b, i);
        for (size_t k = 0; k < bmx_dataset_object_count(a, i); k++) {
            assert_box(ob[k].bbox, oa[k].bbox.x, oa[k].bbox.y, oa[k].bbox.w, oa[k].bbox.h);
            assert_string_equal(bmx_dataset_category_name(a, oa[k].category_id),
                                bmx_dataset_category_name(b, ob[k].category_id));
            ja = json_of(oa[k].extra);
            jb = json_of(ob[k].extra);
            assert_string_equal(ja, jb);
            free(ja);
            free(jb);
        }
    }
}

/* ---- reading the quirks of real files ---- */

static void test_read_quirks(void **state)
{
    (void)state;
    bmx_dataset *ds = read_voc_ok(DATA "quirks.xml", NULL);
    assert_int_equal(bmx_dataset_image_count(ds), 1);
    const struct bmx_image_info *img = bmx_dataset_image(ds, 0);
    assert_int_equal(img->id, 1);
    /* <filename> disagrees with the XML's name and no image exists: kept. */
    assert_string_equal(img->file_name, "2008_000001.jpg");
    assert_int_equal(img->width, 500);
    assert_int_equal(img->height, 375);
    assert_string_equal(str_field(img->extra, "folder"), "VOC2008");
    assert_true(num_field(img->extra, "depth") == 3);
    assert_true(num_field(img->extra, "segmented") == 1);
    /* Unknown elements, in order, re-serialised compactly; entities stay escaped. */
    assert_string_equal(str_field(img->extra, "voc_extra"),
                        "<path>/home/someone/labelling/2008_000001.jpg</path>"
                        "<source><database>The VOC2008 Database</database>"
                        "<annotation>PASCAL VOC2008</annotation><image>flickr</image></source>"
                        "<owner><flickrid>someone &amp; co</flickrid><name>?</name></owner>");

    /* Categories: the names found, sorted. */
    assert_int_equal(bmx_dataset_category_count(ds), 2);
    assert_string_equal(bmx_dataset_category(ds, 0)->name, "dog");
    assert_int_equal(bmx_dataset_category(ds, 0)->id, 1);
    assert_string_equal(bmx_dataset_category(ds, 1)->name, "person");
    assert_int_equal(bmx_dataset_category(ds, 1)->id, 2);

    assert_int_equal(bmx_dataset_object_count(ds, 0), 2);
    const struct bmx_object *o = bmx_dataset_objects(ds, 0);
    /* Decimal coordinates: x = 10.5 - 1, w = 110.5 - 10.5 + 1. */
    assert_int_equal(o[0].id, 1);
    assert_int_equal(o[0].category_id, 2);
    assert_box(o[0].bbox, 9.5, 19.25, 101, 201.5);
    assert_true(o[0].has_area && o[0].area == 101 * 201.5);
    assert_true(o[0].has_iscrowd && o[0].iscrowd == 0);
    assert_int_equal(o[0].seg_kind, BMX_SEG_NONE);
    assert_string_equal(str_field(o[0].extra, "pose"), "Frontal");
    assert_true(num_field(o[0].extra, "truncated") == 0); /* <truncated/> */
    assert_true(num_field(o[0].extra, "difficult") == 0); /* <difficult/> */
    assert_true(num_field(o[0].extra, "occluded") == 1);
    /* Parts belong to their object: kept, never objects of their own. */
    assert_string_equal(str_field(o[0].extra, "voc_extra"),
                        "<part><name>head</name><bndbox><xmin>40</xmin><ymin>22</ymin>"
                        "<xmax>80</xmax><ymax>60</ymax></bndbox></part>"
                        "<part><name>hand</name><bndbox><xmin>12</xmin><ymin>100</ymin>"
                        "<xmax>30</xmax><ymax>120</ymax></bndbox></part>"
                        "<actions><jumping>0</jumping><phoning>1</phoning></actions>");

    assert_int_equal(o[1].id, 2);
    assert_int_equal(o[1].category_id, 1);
    assert_box(o[1].bbox, 0, 0, 500, 375);
    assert_null(field(o[1].extra, "pose"));
    assert_null(field(o[1].extra, "truncated"));
    assert_true(num_field(o[1].extra, "difficult") == 1);
    assert_string_equal(str_field(o[1].extra, "voc_extra"),
                        "<attributes kind=\"note\">a &lt;b&gt; c</attributes>");
    bmx_dataset_free(ds);
}

static void test_quirks_written_back(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    bmx_dataset *ds = read_voc_ok(DATA "quirks.xml", NULL);
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_write_voc(ds, tmp, &err), BMX_OK);
    join(p, sizeof p, tmp, "Annotations/2008_000001.xml");
    char *xml = slurp(p);
    /* Unknown elements come back pretty-printed at their level. */
    assert_non_null(strstr(xml, "  <filename>2008_000001.jpg</filename>\n"
                                "  <path>/home/someone/labelling/2008_000001.jpg</path>\n"
                                "  <source>\n"
                                "    <database>The VOC2008 Database</database>\n"));
    assert_non_null(strstr(xml, "    <flickrid>someone &amp; co</flickrid>\n"));
    assert_non_null(strstr(xml, "    <part>\n      <name>head</name>\n      <bndbox>\n"
                                "        <xmin>40</xmin>\n"));
    assert_non_null(strstr(xml, "    <attributes kind=\"note\">a &lt;b&gt; c</attributes>\n"));
    assert_non_null(strstr(xml, "<segmented>1</segmented>"));
    assert_non_null(strstr(xml, "<occluded>1</occluded>"));
    /* Decimal boxes are rounded outward: 10.5..110.5 covers pixels 10..111. */
    assert_non_null(strstr(xml, "<xmin>10</xmin>\n      <ymin>20</ymin>\n"
                                "      <xmax>111</xmax>\n      <ymax>221</ymax>"));
    assert_non_null(strstr(xml, "<pose>Unspecified</pose>"));
    free(xml);
    join(p, sizeof p, tmp, "ImageSets/Main/trainval.txt");
    xml = slurp(p);
    assert_string_equal(xml, "2008_000001\n");
    free(xml);

    /* Read back: every kept element is the same. */
    join(p, sizeof p, tmp, "Annotations/2008_000001.xml");
    bmx_dataset *back = read_voc_ok(p, NULL);
    const struct bmx_object *a = bmx_dataset_objects(ds, 0), *b = bmx_dataset_objects(back, 0);
    assert_string_equal(str_field(bmx_dataset_image(back, 0)->extra, "voc_extra"),
                        str_field(bmx_dataset_image(ds, 0)->extra, "voc_extra"));
    assert_string_equal(str_field(b[0].extra, "voc_extra"), str_field(a[0].extra, "voc_extra"));
    assert_string_equal(str_field(b[1].extra, "voc_extra"), str_field(a[1].extra, "voc_extra"));
    assert_string_equal(str_field(b[0].extra, "pose"), "Frontal");
    assert_box(b[0].bbox, 9, 19, 102, 202);
    assert_box(b[1].bbox, 0, 0, 500, 375);
    bmx_dataset_free(back);
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

/* ---- coordinates ---- */

static void test_coordinates_read(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    join(p, sizeof p, tmp, "c.xml");
    write_text(p, "<annotation><filename>c.jpg</filename>"
                  "<size><width>20</width><height>10</height></size>"
                  "<object><name>a</name><bndbox><xmin>1</xmin><ymin>5</ymin><xmax>10</xmax>"
                  "<ymax>5</ymax></bndbox></object>"
                  "<object><name>a</name><bndbox><xmin>20</xmin><ymin>1</ymin><xmax>20</xmax>"
                  "<ymax>10</ymax></bndbox></object></annotation>");
    bmx_dataset *ds = read_voc_ok(p, NULL);
    const struct bmx_object *o = bmx_dataset_objects(ds, 0);
    assert_box(o[0].bbox, 0, 4, 10, 1);  /* xmin=1, xmax=10 -> x=0, w=10 */
    assert_box(o[1].bbox, 19, 0, 1, 10); /* the last column, the full height */
    assert_true(o[1].area == 10);
    assert_false(field(bmx_dataset_image(ds, 0)->extra, "depth") != NULL);
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

static void test_coordinates_write(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    bmx_dataset *ds = read_coco_text(
        "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":20,\"height\":20}],"
        "\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0.5,1.2,3.1,4]},"
        "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[-0.5,18.5,3,3]},"
        "{\"id\":3,\"image_id\":1,\"category_id\":1,\"bbox\":[2,3,5,7]}],"
        "\"categories\":[{\"id\":1,\"name\":\"a\"}]}");
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_write_voc(ds, tmp, &err), BMX_OK);
    join(p, sizeof p, tmp, "Annotations/a.xml");
    char *xml = slurp(p);
    /* [0.5, 1.2, 3.1, 4]: xmin floor(0.5)+1 = 1, ymin floor(1.2)+1 = 2,
     * xmax ceil(3.6) = 4, ymax ceil(5.2) = 6. */
    assert_non_null(strstr(xml, "<xmin>1</xmin>\n      <ymin>2</ymin>\n      <xmax>4</xmax>\n"
                                "      <ymax>6</ymax>"));
    /* Clamped to [1, 20]: x -0.5 -> 1, y 18.5 + 3 -> 20. */
    assert_non_null(strstr(xml, "<xmin>1</xmin>\n      <ymin>19</ymin>\n      <xmax>3</xmax>\n"
                                "      <ymax>20</ymax>"));
    /* Whole pixels: [2, 3, 5, 7] -> 3..7, 4..10, and back to the same box. */
    assert_non_null(strstr(xml, "<xmin>3</xmin>\n      <ymin>4</ymin>\n      <xmax>7</xmax>\n"
                                "      <ymax>10</ymax>"));
    assert_non_null(strstr(xml, "<folder>VOC2012</folder>"));
    assert_non_null(strstr(xml, "<depth>3</depth>"));
    free(xml);
    bmx_dataset *back = read_voc_ok(p, NULL);
    assert_box(bmx_dataset_objects(back, 0)[2].bbox, 2, 3, 5, 7);
    assert_box(bmx_dataset_objects(back, 0)[0].bbox, 0, 1, 4, 5);
    bmx_dataset_free(back);
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

/* ---- attributes and provenance ---- */

static void test_attributes_written(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    bmx_dataset *ds = read_coco_text(
        "{\"images\":[{\"id\":1,\"file_name\":\"sub/b.png\",\"width\":50,\"height\":40,"
        "\"folder\":\"VOC2007\",\"depth\":1,\"segmented\":1}],"
        "\"annotations\":["
        "{\"id\":1,\"image_id\":1,\"category_id\":2,\"bbox\":[1,1,5,5],"
        "\"boxmix\":{\"from\":\"base\",\"visibility\":0.4,\"source_annotation_id\":9}},"
        "{\"id\":2,\"image_id\":1,\"category_id\":2,\"bbox\":[1,1,5,5],\"truncated\":1,\"pose\":\"Left\"},"
        "{\"id\":3,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,5,5],\"iscrowd\":1},"
        "{\"id\":4,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,5,5],\"difficult\":1,\"occluded\":0,"
        "\"boxmix\":{\"from\":\"source\",\"visibility\":1,\"source_annotation_id\":3}}],"
        "\"categories\":[{\"id\":1,\"name\":\"a & b\"},{\"id\":2,\"name\":\"<c>\"}]}");
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_write_voc(ds, tmp, &err), BMX_OK);
    join(p, sizeof p, tmp, "Annotations/b.xml");
    char *xml = slurp(p);
    assert_non_null(strstr(xml, "<folder>VOC2007</folder>\n  <filename>b.png</filename>"));
    assert_non_null(strstr(xml, "<depth>1</depth>"));
    assert_non_null(strstr(xml, "<segmented>1</segmented>"));
    /* CutMix clipped it (visibility < 1): truncated. */
    assert_non_null(strstr(xml, "<name>&lt;c&gt;</name>\n    <pose>Unspecified</pose>\n"
                                "    <truncated>1</truncated>\n    <difficult>0</difficult>\n"));
    assert_non_null(strstr(xml, "    <boxmix>\n      <from>base</from>\n"
                                "      <visibility>0.4</visibility>\n"
                                "      <source_annotation_id>9</source_annotation_id>\n"
                                "    </boxmix>\n"));
    assert_non_null(strstr(xml, "<name>&lt;c&gt;</name>\n    <pose>Left</pose>\n"
                                "    <truncated>1</truncated>\n    <difficult>0</difficult>\n"));
    /* A crowd region is difficult; an untouched object keeps truncated 0. */
    assert_non_null(strstr(xml, "<name>a &amp; b</name>\n    <pose>Unspecified</pose>\n"
                                "    <truncated>0</truncated>\n    <difficult>1</difficult>\n"
                                "    <bndbox>"));
    assert_non_null(strstr(xml, "<name>a &amp; b</name>\n    <pose>Unspecified</pose>\n"
                                "    <truncated>0</truncated>\n    <difficult>1</difficult>\n"
                                "    <occluded>0</occluded>\n"));
    free(xml);
    bmx_dataset *back = read_voc_ok(p, NULL);
    assert_string_equal(bmx_dataset_category(back, 0)->name, "<c>");
    assert_string_equal(bmx_dataset_category(back, 1)->name, "a & b");
    bmx_dataset_free(back);
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

static void test_boxmix_roundtrip(void **state)
{
    (void)state;
    char tmp[64], p[512], coco[512];
    make_tmp(tmp, sizeof tmp);
    bmx_dataset *ds = read_voc_ok(DATA "boxmix.xml", NULL);
    const struct bmx_image_info *img = bmx_dataset_image(ds, 0);
    const cJSON *bm = field(img->extra, "boxmix");
    assert_true(cJSON_IsObject(bm));
    assert_string_equal(str_field(bm, "op"), "cutmix");
    assert_true(num_field(bm, "index") == 3);
    assert_true(num_field(bm, "base_image_id") == 4);
    assert_true(num_field(bm, "source_image_id") == 7);
    assert_true(num_field(bm, "lambda") == 0.8958333333333334);
    assert_true(num_field(bm, "seed") == 7);
    const cJSON *patch = field(bm, "patch");
    assert_true(cJSON_IsArray(patch) && cJSON_GetArraySize(patch) == 4);
    assert_true(cJSON_GetArrayItem(patch, 2)->valuedouble == 100);
    struct bmx_rect r;
    assert_true(bmx_dataset_image_patch(ds, 0, &r));
    assert_true(r.x == 10 && r.y == 20 && r.w == 100 && r.h == 80);
    const struct bmx_object *o = bmx_dataset_objects(ds, 0);
    const cJSON *obm = field(o[0].extra, "boxmix");
    assert_string_equal(str_field(obm, "from"), "source");
    assert_true(num_field(obm, "visibility") == 0.5);
    assert_true(num_field(obm, "source_annotation_id") == 12);

    /* VOC -> COCO -> VOC -> COCO keeps the provenance. */
    bmx_error err = {0};
    join(coco, sizeof coco, tmp, "a.json");
    assert_int_equal(bmx_dataset_write_coco(ds, coco, &err), BMX_OK);
    char *json = slurp(coco);
    assert_non_null(strstr(json, "\"boxmix\":{\"op\":\"cutmix\",\"index\":3,\"base_image_id\":4,"
                                 "\"source_image_id\":7,\"patch\":[10,20,100,80],"
                                 "\"lambda\":0.8958333333333334,\"seed\":7}"));
    assert_non_null(strstr(json, "\"boxmix\":{\"from\":\"source\",\"visibility\":0.5,"
                                 "\"source_annotation_id\":12}"));
    free(json);
    bmx_dataset *c1 = NULL;
    assert_int_equal(bmx_dataset_read_coco(coco, &c1, &err), BMX_OK);
    join(p, sizeof p, tmp, "voc");
    assert_int_equal(bmx_dataset_write_voc(c1, p, &err), BMX_OK);
    join(p, sizeof p, tmp, "voc/Annotations/cutmix_000003.xml");
    bmx_dataset *again = read_voc_ok(p, NULL);
    assert_same_dataset(ds, again);
    bmx_dataset_free(again);
    bmx_dataset_free(c1);
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

/* ---- folders: no size, file name fallback, split, labels ---- */

static void write_png(const char *path, int32_t w, int32_t h)
{
    struct bmx_image img = {0};
    bmx_error err = {0};
    assert_int_equal(bmx_image_new(w, h, 3, &img, &err), BMX_OK);
    assert_int_equal(bmx_image_write(path, &img, BMX_FORMAT_PNG, 0, &err), BMX_OK);
    bmx_image_free(&img);
}

static void test_size_from_image(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    make_voc_dirs(tmp);
    join(p, sizeof p, tmp, "JPEGImages/p.png");
    write_png(p, 7, 5);
    join(p, sizeof p, tmp, "Annotations/p.xml");
    write_text(p, "<annotation><filename>p.png</filename><object><name>x</name>"
                  "<bndbox><xmin>2</xmin><ymin>2</ymin><xmax>7</xmax><ymax>5</ymax></bndbox>"
                  "</object></annotation>");
    bmx_dataset *ds = read_voc_ok(tmp, NULL);
    assert_int_equal(bmx_dataset_image(ds, 0)->width, 7);
    assert_int_equal(bmx_dataset_image(ds, 0)->height, 5);
    assert_box(bmx_dataset_objects(ds, 0)[0].bbox, 1, 1, 6, 4);
    bmx_dataset_free(ds);

    /* A size of 0 x 0 (written by some tools) also means: ask the image. */
    write_text(p, "<annotation><filename>p.png</filename><size><width>0</width>"
                  "<height>0</height><depth>3</depth></size><object><name>x</name>"
                  "<bndbox><xmin>2</xmin><ymin>2</ymin><xmax>8</xmax><ymax>5</ymax></bndbox>"
                  "</object></annotation>");
    expect_voc_error(tmp, NULL, BMX_E_SCHEMA,
                     "p.xml: annotation/object[1]/bndbox: xmax 8 is outside the image width 7");

    /* No size and no image: the message says both. */
    write_text(p, "<annotation><filename>p.jpg</filename></annotation>");
    expect_voc_error(tmp, NULL, BMX_E_IO, "p.xml: annotation/size: missing, and the image size cannot be read");
    rm_tree(tmp);
}

static void test_filename_fallback(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    make_voc_dirs(tmp);
    join(p, sizeof p, tmp, "JPEGImages/img7.png");
    write_png(p, 4, 4);
    join(p, sizeof p, tmp, "Annotations/img7.xml");
    write_text(p, "<annotation><filename>renamed.jpg</filename>"
                  "<size><width>4</width><height>4</height><depth>3</depth></size></annotation>");
    /* <filename> names no file, the XML's own name does: that image is used. */
    bmx_dataset *ds = read_voc_ok(tmp, NULL);
    assert_string_equal(bmx_dataset_image(ds, 0)->file_name, "img7.png");
    assert_int_equal(bmx_dataset_object_count(ds, 0), 0);
    bmx_dataset_free(ds);
    /* When <filename> exists, it wins. */
    join(p, sizeof p, tmp, "JPEGImages/renamed.jpg");
    write_text(p, "not really a jpeg");
    ds = read_voc_ok(tmp, NULL);
    assert_string_equal(bmx_dataset_image(ds, 0)->file_name, "renamed.jpg");
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

static void write_one(const char *root, const char *stem, const char *cls)
{
    char p[512], xml[512];
    snprintf(p, sizeof p, "%s/Annotations/%s.xml", root, stem);
    snprintf(xml, sizeof xml,
             "<annotation><filename>%s.jpg</filename><size><width>9</width><height>9</height>"
             "</size><object><name>%s</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>3</xmax>"
             "<ymax>3</ymax></bndbox></object></annotation>",
             stem, cls);
    write_text(p, xml);
}

static void test_split_and_labels(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    make_voc_dirs(tmp);
    write_one(tmp, "c", "bird");
    write_one(tmp, "a", "cat");
    write_one(tmp, "b", "dog");
    join(p, sizeof p, tmp, "ImageSets/Main/val.txt");
    write_text(p, "c\n b  -1\r\n\n");
    join(p, sizeof p, tmp, "Annotations/notes.txt");
    write_text(p, "not an annotation");

    /* No split: every XML, sorted by name. */
    bmx_dataset *ds = read_voc_ok(tmp, NULL);
    assert_int_equal(bmx_dataset_image_count(ds), 3);
    assert_string_equal(bmx_dataset_image(ds, 0)->file_name, "a.jpg");
    assert_string_equal(bmx_dataset_image(ds, 2)->file_name, "c.jpg");
    assert_int_equal(bmx_dataset_image(ds, 2)->id, 3);
    assert_string_equal(bmx_dataset_category(ds, 0)->name, "bird");
    bmx_dataset_free(ds);

    /* A split: its ids in its order; a labels file: its ids. */
    char *names[] = {"dog", "cat", "bird"};
    struct bmx_labels labels = {3, names};
    struct bmx_voc_options o;
    bmx_voc_options_init(&o);
    o.split = "val";
    o.labels = &labels;
    ds = read_voc_ok(tmp, &o);
    assert_int_equal(bmx_dataset_image_count(ds), 2);
    assert_string_equal(bmx_dataset_image(ds, 0)->file_name, "c.jpg");
    assert_string_equal(bmx_dataset_image(ds, 1)->file_name, "b.jpg");
    assert_int_equal(bmx_dataset_category_count(ds), 3);
    assert_string_equal(bmx_dataset_category(ds, 0)->name, "dog");
    assert_int_equal(bmx_dataset_objects(ds, 0)[0].category_id, 3);
    assert_int_equal(bmx_dataset_objects(ds, 1)[0].category_id, 1);
    assert_int_equal(bmx_dataset_objects(ds, 1)[0].id, 2);
    bmx_dataset_free(ds);

    /* A name missing from the labels is an error. */
    labels.count = 2;
    o.split = NULL;
    expect_voc_error(tmp, &o, BMX_E_SCHEMA,
                     "c.xml: annotation/object[1]/name: 'bird' is not in the labels file");
    o.split = "test";
    o.labels = NULL;
    expect_voc_error(tmp, &o, BMX_E_IO, "ImageSets/Main/test.txt: cannot open");
    rm_tree(tmp);
}

static void test_labels_file(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    join(p, sizeof p, tmp, "labels.txt");
    write_text(p, "aeroplane\r\n  bicycle \n\nbird");
    struct bmx_labels l;
    bmx_error err = {0};
    assert_int_equal(bmx_labels_read(p, &l, &err), BMX_OK);
    assert_int_equal(l.count, 3);
    assert_string_equal(l.names[0], "aeroplane");
    assert_string_equal(l.names[1], "bicycle");
    assert_string_equal(l.names[2], "bird");
    bmx_labels_free(&l);
    assert_null(l.names);
    write_text(p, "cat\ndog\ncat\n");
    assert_int_equal(bmx_labels_read(p, &l, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "labels.txt: line 3: 'cat' is listed twice"));
    bmx_labels_free(NULL);
    rm_tree(tmp);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
    (void)state;
    expect_voc_error(DATA "bad_xml.xml", NULL, BMX_E_PARSE,
                     "bad_xml.xml: line 14: not well-formed (invalid token)");
    expect_voc_error(DATA "missing_bndbox.xml", NULL, BMX_E_SCHEMA,
                     "missing_bndbox.xml: annotation/object[2]: missing bndbox (line 11)");
    expect_voc_error(DATA "xmax_lt_xmin.xml", NULL, BMX_E_SCHEMA,
                     "xmax_lt_xmin.xml: annotation/object[1]/bndbox: xmax 10 is less than xmin 20");
    expect_voc_error(DATA "outside.xml", NULL, BMX_E_SCHEMA,
                     "outside.xml: annotation/object[1]/bndbox: xmax 501 is outside the image width 500 (line 3)");
    expect_voc_error(DATA "missing_filename.xml", NULL, BMX_E_SCHEMA,
                     "missing_filename.xml: annotation: missing filename");
    expect_voc_error(DATA "nonnumeric.xml", NULL, BMX_E_SCHEMA,
                     "nonnumeric.xml: annotation/object[1]/bndbox/ymin: expected a number, got 'two' (line 6)");
    expect_voc_error(DATA "entity.xml", NULL, BMX_E_SCHEMA, "entity declarations are not supported");
    expect_voc_error(DATA "no_such_file.xml", NULL, BMX_E_IO, "no_such_file.xml: cannot open");

    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    join(p, sizeof p, tmp, "e.xml");
    write_text(p, "<annotation><filename>e.jpg</filename><size><width>9</width><height>9</height>"
                  "</size><object><name>x</name><bndbox><xmin>0</xmin><ymin>1</ymin><xmax>3</xmax>"
                  "<ymax>3</ymax></bndbox></object></annotation>");
    expect_voc_error(p, NULL, BMX_E_SCHEMA,
                     "annotation/object[1]/bndbox: xmin 0 is outside the image (VOC pixel indices start at 1)");
    write_text(p, "<annotation><filename>e.jpg</filename><size><width>9</width><height>9</height>"
                  "</size><object><name>x</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>3</xmax>"
                  "</bndbox></object></annotation>");
    expect_voc_error(p, NULL, BMX_E_SCHEMA, "annotation/object[1]/bndbox: missing ymax");
    write_text(p, "<annotation><filename>e.jpg</filename><size><width>9</width><height>9</height>"
                  "</size><object><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>3</xmax>"
                  "<ymax>3</ymax></bndbox></object></annotation>");
    expect_voc_error(p, NULL, BMX_E_SCHEMA, "annotation/object[1]: missing name");
    write_text(p, "<annotation><filename>e.jpg</filename><size><width>9</width><height>9</height>"
                  "</size><object><name>x</name><difficult>2</difficult></object></annotation>");
    expect_voc_error(p, NULL, BMX_E_SCHEMA, "annotation/object[1]/difficult: expected 0 or 1, got '2'");
    write_text(p, "<annotation><filename>e.jpg</filename><size><width>9.5</width></size></annotation>");
    expect_voc_error(p, NULL, BMX_E_SCHEMA, "annotation/size/width: expected a whole number of pixels, got '9.5'");
    write_text(p, "<annotations><filename>e.jpg</filename></annotations>");
    expect_voc_error(p, NULL, BMX_E_SCHEMA, "expected the root element <annotation>, got <annotations>");
    write_text(p, "");
    expect_voc_error(p, NULL, BMX_E_PARSE, "e.xml: line 1: no element found");

    /* Nesting deeper than 64 is refused, wherever it is. */
    char deep[2048] = "<annotation><filename>e.jpg</filename><object>";
    for (int i = 0; i < 70; i++) {
        strcat(deep, "<a>");
    }
    strcat(deep, "x");
    for (int i = 0; i < 70; i++) {
        strcat(deep, "</a>");
    }
    strcat(deep, "</object></annotation>");
    write_text(p, deep);
    expect_voc_error(p, NULL, BMX_E_LIMIT, "e.xml: elements nested deeper than 64");

    /* A file over 64 MB is refused before it is read (a sparse file: no disk used). */
    char big[512];
    join(big, sizeof big, tmp, "big.xml");
    FILE *bf = fopen(big, "wb");
    assert_non_null(bf);
    assert_int_equal(ftruncate(fileno(bf), (off_t)65 * 1024 * 1024), 0);
    fclose(bf);
    expect_voc_error(big, NULL, BMX_E_LIMIT, "big.xml: 68157440 bytes: larger than the 64 MB limit");

    /* A size over the pixel limit. */
    struct bmx_voc_options o;
    bmx_voc_options_init(&o);
    o.limits.max_image_pixels = 80;
    write_text(p, "<annotation><filename>e.jpg</filename><size><width>9</width><height>9</height>"
                  "</size></annotation>");
    expect_voc_error(p, &o, BMX_E_LIMIT, "annotation/size: 9 x 9 pixels exceeds the limit of 80");
    o.split = "train";
    expect_voc_error(p, &o, BMX_E_INVALID, "a split needs a VOC folder");
    rm_tree(tmp);
}

static void test_write_errors(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    bmx_dataset *ds = read_coco_text(
        "{\"images\":[{\"id\":1,\"file_name\":\"a/x.jpg\",\"width\":9,\"height\":9},"
        "{\"id\":2,\"file_name\":\"b/x.png\",\"width\":9,\"height\":9}],"
        "\"annotations\":[],\"categories\":[]}");
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_write_voc(ds, tmp, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "images[0].file_name 'a/x.jpg' and images[1].file_name "
                                        "'b/x.png' both give Annotations/x.xml"));
    join(p, sizeof p, tmp, "Annotations");
    assert_int_equal(access(p, F_OK), -1); /* nothing written */
    bmx_dataset_free(ds);

    ds = read_coco_text(
        "{\"images\":[{\"id\":1,\"file_name\":\"y.jpg\",\"width\":9,\"height\":9,"
        "\"voc_extra\":\"<source><database>x</source>\"}],"
        "\"annotations\":[],\"categories\":[]}");
    assert_int_equal(bmx_dataset_write_voc(ds, tmp, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "test.json: images[0].voc_extra: not well-formed XML elements"));
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

/* ---- the samples: VOC -> COCO -> VOC is the identity ---- */

static void test_samples_identity(void **state)
{
    (void)state;
    char tmp[64], coco[512], vocdir[512], p[512];
    make_tmp(tmp, sizeof tmp);
    struct bmx_voc_options o;
    bmx_voc_options_init(&o);
    o.images_dir = SAMPLES "images";
    bmx_dataset *ds = read_voc_ok(SAMPLES "voc", &o);
    assert_true(bmx_dataset_image_count(ds) >= 8);
    assert_true(bmx_dataset_annotation_count(ds) > 0);

    /* The same boxes as the COCO samples, where both describe an image. */
    bmx_dataset *ref = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco(SAMPLES "coco/annotations.json", &ref, &err), BMX_OK);
    for (size_t i = 0; i < bmx_dataset_image_count(ds); i++) {
        const struct bmx_image_info *a = bmx_dataset_image(ds, i);
        for (size_t j = 0; j < bmx_dataset_image_count(ref); j++) {
            const struct bmx_image_info *b = bmx_dataset_image(ref, j);
            if (strcmp(a->file_name, b->file_name) != 0) {
                continue;
            }
            assert_int_equal(a->width, b->width);
            assert_int_equal(a->height, b->height);
            assert_int_equal(bmx_dataset_object_count(ds, i), bmx_dataset_object_count(ref, j));
            const struct bmx_object *oa = bmx_dataset_objects(ds, i), *ob = bmx_dataset_objects(ref, j);
            for (size_t k = 0; k < bmx_dataset_object_count(ds, i); k++) {
                /* The VOC box holds the COCO box: rounded outward by less than a pixel. */
                assert_true(oa[k].bbox.x <= ob[k].bbox.x && oa[k].bbox.x > ob[k].bbox.x - 1);
                assert_true(oa[k].bbox.x + oa[k].bbox.w >= ob[k].bbox.x + ob[k].bbox.w - 1e-9);
                assert_true(oa[k].bbox.x + oa[k].bbox.w < ob[k].bbox.x + ob[k].bbox.w + 1);
                assert_string_equal(bmx_dataset_category_name(ds, oa[k].category_id),
                                    bmx_dataset_category_name(ref, ob[k].category_id));
            }
        }
    }
    bmx_dataset_free(ref);

    join(coco, sizeof coco, tmp, "annotations.json");
    assert_int_equal(bmx_dataset_write_coco(ds, coco, &err), BMX_OK);
    bmx_dataset *mid = NULL;
    assert_int_equal(bmx_dataset_read_coco(coco, &mid, &err), BMX_OK);
    join(vocdir, sizeof vocdir, tmp, "voc");
    assert_int_equal(bmx_dataset_write_voc(mid, vocdir, &err), BMX_OK);
    bmx_dataset *back = read_voc_ok(vocdir, &o);
    assert_same_dataset(ds, back);

    /* And the files themselves: the same XML, byte for byte, as the samples'. */
    for (size_t i = 0; i < bmx_dataset_image_count(ds); i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", bmx_dataset_image(ds, i)->file_name);
        *strrchr(name, '.') = '\0';
        char a_path[1024], b_path[1024];
        snprintf(a_path, sizeof a_path, SAMPLES "voc/Annotations/%s.xml", name);
        snprintf(b_path, sizeof b_path, "%s/Annotations/%s.xml", vocdir, name);
        char *a = slurp(a_path), *b = slurp(b_path);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    join(p, sizeof p, vocdir, "ImageSets/Main/trainval.txt");
    char *list = slurp(p);
    assert_non_null(strstr(list, "sample_01\nsample_02\n"));
    free(list);
    bmx_dataset_free(back);
    bmx_dataset_free(mid);
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

/* ---- the whole-dataset conversion ---- */

static void test_convert_run(void **state)
{
    (void)state;
    char tmp[64], out[512], p[512];
    make_tmp(tmp, sizeof tmp);
    join(out, sizeof out, tmp, "voc");
    struct bmx_convert_job job;
    bmx_convert_job_init(&job);
    assert_int_equal(job.input.format, BMX_DATASET_COCO);
    assert_int_equal(job.to, BMX_DATASET_VOC);
    job.input.annotations = SAMPLES "coco/annotations.json";
    job.input.images = SAMPLES "images";
    job.out = out;
    struct bmx_convert_summary sum;
    bmx_error err = {0};
    assert_int_equal(bmx_convert_run(&job, &sum, &err), BMX_OK);

    bmx_dataset *ref = NULL;
    assert_int_equal(bmx_dataset_read_coco(job.input.annotations, &ref, &err), BMX_OK);
    uint64_t masked = 0;
    for (size_t i = 0; i < bmx_dataset_image_count(ref); i++) {
        for (size_t k = 0; k < bmx_dataset_object_count(ref, i); k++) {
            enum bmx_seg_kind s = bmx_dataset_objects(ref, i)[k].seg_kind;
            masked += s == BMX_SEG_POLYGON || s == BMX_SEG_RLE;
        }
    }
    assert_true(masked > 0);
    assert_int_equal(sum.masked, masked);
    assert_int_equal(sum.images, bmx_dataset_image_count(ref));
    assert_int_equal(sum.objects, bmx_dataset_annotation_count(ref));
    assert_int_equal(sum.copied, sum.images);
    assert_int_equal(sum.not_jpeg, 1); /* sample_04.png */
    join(p, sizeof p, out, "JPEGImages/sample_04.png");
    assert_int_equal(access(p, R_OK), 0);

    /* The output now holds a dataset: refused, unless forced (and then linked). */
    assert_int_equal(bmx_convert_run(&job, &sum, &err), BMX_E_STATE);
    assert_non_null(strstr(err.message, "already holds a dataset"));
    job.force = true;
    job.link = true;
    assert_int_equal(bmx_convert_run(&job, &sum, &err), BMX_OK);
    assert_int_equal(sum.hard_linked + sum.sym_linked, sum.images);
    assert_int_equal(sum.copied, 0);

    /* Back to COCO: the boxes come back whole-pixel, the categories by name. */
    char coco_out[512];
    join(coco_out, sizeof coco_out, tmp, "coco");
    struct bmx_convert_job back;
    bmx_convert_job_init(&back);
    back.input.format = BMX_DATASET_VOC;
    back.to = BMX_DATASET_COCO;
    back.input.annotations = out;
    back.out = coco_out;
    assert_int_equal(bmx_convert_run(&back, &sum, &err), BMX_OK);
    assert_int_equal(sum.masked, 0);
    join(p, sizeof p, coco_out, "images/sample_01.jpg");
    assert_int_equal(access(p, R_OK), 0);
    bmx_dataset *ds = NULL;
    join(p, sizeof p, coco_out, "annotations.json");
    assert_int_equal(bmx_dataset_read_coco(p, &ds, &err), BMX_OK);
    assert_int_equal(bmx_dataset_annotation_count(ds), bmx_dataset_annotation_count(ref));
    bmx_dataset_free(ds);
    bmx_dataset_free(ref);

    /* The input image folder as output, and a file_name escaping its folder. */
    job.force = false;
    job.out = SAMPLES "images";
    assert_int_equal(bmx_convert_run(&job, &sum, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "input image folder"));
    join(p, sizeof p, tmp, "esc.json");
    write_text(p, "{\"images\":[{\"id\":1,\"file_name\":\"../x.jpg\",\"width\":9,\"height\":9}],"
                  "\"annotations\":[],\"categories\":[]}");
    job.input.annotations = p;
    join(out, sizeof out, tmp, "esc");
    job.out = out;
    assert_int_equal(bmx_convert_run(&job, &sum, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "esc.json: images[0].file_name: '../x.jpg' escapes the image folder"));
    assert_int_equal(access(out, F_OK), -1);
    job.input.format = job.to;
    assert_int_equal(bmx_convert_run(&job, &sum, &err), BMX_E_INVALID);
    rm_tree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_quirks),
        cmocka_unit_test(test_quirks_written_back),
        cmocka_unit_test(test_coordinates_read),
        cmocka_unit_test(test_coordinates_write),
        cmocka_unit_test(test_attributes_written),
        cmocka_unit_test(test_boxmix_roundtrip),
        cmocka_unit_test(test_size_from_image),
        cmocka_unit_test(test_filename_fallback),
        cmocka_unit_test(test_split_and_labels),
        cmocka_unit_test(test_labels_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_samples_identity),
        cmocka_unit_test(test_convert_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
