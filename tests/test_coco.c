/* SPDX-License-Identifier: MIT */
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
#include "json.h"

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
    {"[]", BMX_E_SCHEMA, "$: expected an object (a COCO document), got an array"},
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
    {DOC(IMG, ANN(",\"area\":-1"), CAT), BMX_E_SCHEMA,
     "annotations[0].area: expected a number >= 0"},
    {DOC("{\"id\":1,\"width\":10,\"height\":10}", "", CAT), BMX_E_SCHEMA,
     "images[0].file_name: missing"},
    {DOC("{\"id\":1,\"file_name\":\"a\",\"width\":0,\"height\":10}", "", CAT), BMX_E_SCHEMA,
     "images[0].width: expected a positive integer"},
    {DOC("{\"id\":1.5,\"file_name\":\"a\",\"width\":1,\"height\":10}", "", CAT), BMX_E_SCHEMA,
     "images[0].id: expected an integer or a string, got 1.5"},
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

/* ---- the JSON parser (lib/json.c) ---- */

/* Parse `text` as one value (checking, then building); NULL when it fails. The
 * parser is left for the caller to inspect and free. */
static struct bmx__jnode *parse_text(struct bmx__json *p, const char *text, size_t len)
{
    bmx__json_init(p, text, len);
    size_t pos = 0;
    if (!bmx__json_value(p, &pos, 0, NULL)) {
        return NULL;
    }
    size_t end = pos;
    struct bmx__jnode *v = NULL;
    pos = 0;
    assert_true(bmx__json_value(p, &pos, 0, &v));
    assert_int_equal(pos, end);
    assert_false(p->failed);
    return v;
}

static void check_json_string(const char *json, const char *bytes)
{
    struct bmx__json p;
    struct bmx__jnode *v = parse_text(&p, json, strlen(json));
    if (v == NULL) {
        print_error("'%s' failed: %s\n", json, p.err_what);
        fail();
    }
    assert_int_equal(v->type, BMX__J_STRING);
    assert_int_equal(v->n, strlen(bytes));
    assert_string_equal(v->u.str, bytes);
    bmx__json_free(&p);
}

static void check_json_error(const char *json, size_t len, const char *what)
{
    struct bmx__json p;
    if (parse_text(&p, json, len) != NULL || strstr(p.err_what, what) == NULL) {
        print_error("'%s': expected error '%s', got '%s'\n", json, what,
                    p.failed ? p.err_what : "success");
        fail();
    }
    bmx__json_free(&p);
}

static void json_strings_unescape_and_check_utf8(void **state)
{
    (void)state;
    check_json_string("\"plain\"", "plain");
    check_json_string("\"\"", "");
    check_json_string("\"a\\n\\t\\r\\b\\f\\\"\\\\\\/z\"", "a\n\t\r\b\f\"\\/z");
    check_json_string("\"\\u0041\\u00e9\\u20AC\"", "A\xC3\xA9\xE2\x82\xAC");
    check_json_string("\"\\uD83D\\uDE00!\"", "\xF0\x9F\x98\x80!"); /* surrogate pair */
    check_json_string("\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF");
    check_json_string("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    check_json_error("\"\\uD800\"", 8, "unpaired surrogate");
    check_json_error("\"\\uDC00\"", 8, "unpaired surrogate");
    check_json_error("\"\\uD800\\u0041\"", 14, "unpaired surrogate");
    check_json_error("\"\\u12G4\"", 8, "invalid \\u escape");
    check_json_error("\"\\x\"", 4, "invalid escape");
    check_json_error("\"\\u0000\"", 8, "\\u0000");
    check_json_error("\"a\tb\"", 5, "control character");
    check_json_error("\"a\nb\"", 5, "control character");
    check_json_error("\"abc", 4, "unterminated string");
    check_json_error("\"\xC3\x28\"", 4, "invalid UTF-8");
    check_json_error("\"\xC0\x80\"", 4, "invalid UTF-8");         /* overlong */
    check_json_error("\"\xE0\x80\xAF\"", 5, "invalid UTF-8");     /* overlong */
    check_json_error("\"\xED\xA0\x80\"", 5, "invalid UTF-8");     /* a surrogate */
    check_json_error("\"\xF4\x90\x80\x80\"", 6, "invalid UTF-8"); /* above U+10FFFF */
    check_json_error("\"\xE2\x82\"", 4, "invalid UTF-8");         /* cut short */
    check_json_error("\"\xFF\"", 3, "invalid UTF-8");
    check_json_error("\"\x80\"", 3, "invalid UTF-8");
}

static void check_json_number(const char *json, double want)
{
    struct bmx__json p;
    struct bmx__jnode *v = parse_text(&p, json, strlen(json));
    if (v == NULL || v->type != BMX__J_NUMBER || memcmp(&v->u.num, &want, sizeof want) != 0) {
        print_error("'%s': got %.17g, want %.17g\n", json, v ? v->u.num : 0.0, want);
        fail();
    }
    assert_false(p.has_nonfinite);
    bmx__json_free(&p);
}

static void json_numbers_follow_the_grammar_and_round_correctly(void **state)
{
    (void)state;
    check_json_number("0", 0.0);
    check_json_number("-0", -0.0);
    check_json_number("-0.0e5", -0.0);
    check_json_number("1", 1.0);
    check_json_number("-12", -12.0);
    check_json_number("0.1", 0.1);
    check_json_number("253.11", 253.11);
    check_json_number("1e308", 1e308);
    check_json_number("1.7976931348623157e308", 1.7976931348623157e308);
    check_json_number("2.2250738585072014e-308", 2.2250738585072014e-308);
    check_json_number("1e-320", strtod("1e-320", NULL)); /* subnormal */
    check_json_number("4.9e-324", strtod("4.9e-324", NULL));
    check_json_number("1e-400", 0.0);
    check_json_number("123456789012345678901234567890", 123456789012345678901234567890.0);
    check_json_number("9007199254740993", 9007199254740992.0); /* 2^53 + 1: ties to even */
    check_json_number("0.30000000000000004", 0.30000000000000004);
    check_json_number("33.33333333333333", 33.33333333333333);
    check_json_number("1E2", 100.0);
    check_json_number("1e+2", 100.0);
    check_json_number("12.5E-1", 1.25);
    check_json_number("0.000001234", 0.000001234);
    check_json_number("123.456789012345678", 123.456789012345678);
    check_json_number("1e22", 1e22);
    check_json_number("1e23", 1e23);
    check_json_number("4503599627370497.5", 4503599627370497.5);
    check_json_error("01", 2, "leading zero");
    check_json_error("-01", 3, "leading zero");
    check_json_error("1.", 2, "a digit must follow '.'");
    check_json_error("1.e5", 4, "a digit must follow '.'");
    check_json_error(".5", 2, "expected a value");
    check_json_error("+1", 2, "expected a value");
    check_json_error("-", 1, "invalid number");
    check_json_error("-a", 2, "invalid number");
    check_json_error("1e", 2, "exponent");
    check_json_error("1e+", 3, "exponent");
    check_json_error("[1 2]", 5, "expected ',' or ']'");
    check_json_error("[1,]", 4, "expected a value");
    check_json_error("{\"a\":1,}", 8, "expected a string key");
    check_json_error("{\"a\" 1}", 7, "expected ':'");
    check_json_error("{\"a\":1 \"b\":2}", 13, "expected ',' or '}'");
    check_json_error("tru", 3, "expected a value");
    check_json_error("", 0, "expected a value");
    check_json_error("NaN", 3, "expected a value");

    /* Too large for a double: not a syntax error, but noted for the reader. */
    const char *huge[] = {"1e400", "-1e400", "[0, 1e999]", "17976931348623159e292"};
    for (size_t i = 0; i < 4; i++) {
        struct bmx__json p;
        assert_non_null(parse_text(&p, huge[i], strlen(huge[i])));
        assert_true(p.has_nonfinite);
        bmx__json_free(&p);
    }

    /* Against strtod: random digit strings of every shape. */
    uint64_t z = 12345;
    char text[64];
    for (int k = 0; k < 100000; k++) {
        z = z * 6364136223846793005u + 1442695040888963407u;
        int ni = 1 + (int)(z >> 60), nf = (int)((z >> 55) & 31), ex = (int)((z >> 40) & 127) - 64;
        size_t n = 0;
        if (z & 1) {
            text[n++] = '-';
        }
        uint64_t d = z;
        for (int q = 0; q < ni; q++, d = d * 2862933555777941757u + 3037000493u) {
            text[n++] = (char)('0' + (q == 0 ? 1 + (d >> 60) % 9 : (d >> 59) % 10));
        }
        if (nf > 0) {
            text[n++] = '.';
            for (int q = 0; q < nf; q++, d = d * 2862933555777941757u + 3037000493u) {
                text[n++] = (char)('0' + (d >> 59) % 10);
            }
        }
        if (z & 2) {
            n += (size_t)snprintf(text + n, sizeof text - n, "e%d", ex);
        }
        text[n] = '\0';
        check_json_number(text, strtod(text, NULL));
    }
}

static void json_nesting_is_limited(void **state)
{
    (void)state;
    char deep[2 * 513 + 1];
    for (int depth = 512; depth <= 513; depth++) {
        memset(deep, '[', (size_t)depth);
        memset(deep + depth, ']', (size_t)depth);
        struct bmx__json p;
        struct bmx__jnode *v = parse_text(&p, deep, 2 * (size_t)depth);
        if (depth == 512) {
            assert_non_null(v);
        } else {
            assert_null(v);
            assert_string_equal(p.err_what, "nesting deeper than 512");
        }
        bmx__json_free(&p);
    }
}

static void json_errors_give_line_and_column(void **state)
{
    (void)state;
    const char *doc = "{\"images\": [],\n  \"annotations\": [1,,2]}";
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco_buffer(doc, strlen(doc), "e.json", &ds, &err), BMX_E_PARSE);
    assert_string_equal(err.message, "e.json: line 2, column 21: not valid JSON (expected a value)");
    const char *utf = DOC("{\"id\":1,\"file_name\":\"a\xFF.jpg\",\"width\":10,\"height\":10}", "", CAT);
    assert_int_equal(bmx_dataset_read_coco_buffer(utf, strlen(utf), "u.json", &ds, &err), BMX_E_PARSE);
    if (strstr(err.message, "u.json: line 1, column 34: not valid JSON (invalid UTF-8)") == NULL) {
        print_error("%s\n", err.message);
        fail();
    }
    assert_null(ds);
}

/* ---- the number printer ---- */

static char *print_number(double v, char *out)
{
    size_t n = bmx__json_format_number(out, v);
    assert_true(n <= BMX__NUMBER_MAX);
    out[n] = '\0';
    return out;
}

static void number_printer_is_short_and_exact(void **state)
{
    (void)state;
    char buf[BMX__NUMBER_MAX + 1];
    static const struct {
        double v;
        const char *text;
    } fixed[] = {
        {0.0, "0"}, {-0.0, "0"}, {1.0, "1"}, {-7.0, "-7"}, {640.0, "640"},
        {0.1, "0.1"}, {-0.1, "-0.1"}, {123.45, "123.45"}, {0.5, "0.5"}, {253.11, "253.11"},
        {33.33333333333333, "33.33333333333333"}, {1e-5, "0.00001"}, {0.30000000000000004, "0.30000000000000004"},
        {999999999999999.0, "999999999999999"}, {1e15, "1e+15"}, {-2.5e-7, "-2.5e-07"},
        {123456.789, "123456.789"}, {1.5e300, "1.5e+300"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        assert_string_equal(print_number(fixed[i].v, buf), fixed[i].text);
    }
    assert_string_equal(print_number(1.0 / 0.0, buf), "null");
    assert_string_equal(print_number(nan(""), buf), "null");
    const double edge[] = {1e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                           0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 123.456789012345678, 9007199254740993.0,
                           4503599627370495.5, 1e15 - 0.5, 1e-5 * (1 - 1e-16), 0.99999999999999989};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        for (int s = 0; s < 2; s++) {
            double v = s ? -edge[i] : edge[i];
            assert_true(strtod(print_number(v, buf), NULL) == v);
        }
    }

    /* Decimals with 1 to 6 places print as they were written (the shortest). */
    uint64_t z = 99;
    char want[48];
    for (int k = 0; k < 500000; k++) {
        z = z * 6364136223846793005u + 1442695040888963407u;
        int places = 1 + (int)((z >> 61) % 6);
        long long whole = (long long)((z >> 20) % 100000000u);
        long long frac = (long long)((z >> 5) % 1000000u);
        int n = snprintf(want, sizeof want, "%s%lld.%06lld", (z & 1) ? "-" : "", whole, frac);
        want[n - 6 + places] = '\0';
        size_t len = strlen(want);
        while (want[len - 1] == '0') {
            want[--len] = '\0';
        }
        if (want[len - 1] == '.') {
            want[--len] = '\0';
        }
        double v = strtod(want, NULL);
        if (v == 0.0) {
            continue; /* "-0" prints as "0" */
        }
        print_number(v, buf);
        if (strcmp(buf, want) != 0) {
            print_error("%s printed as %s\n", want, buf);
            fail();
        }
    }
    /* As short as the shortest of %.15g, %.16g, %.17g that reads back. */
    for (int k = 0; k < 300000; k++) {
        z = z * 6364136223846793005u + 1442695040888963407u;
        double v = (double)(z >> 11) / (double)(1ull << (z & 63)) * ((z & 64) ? -1 : 1);
        char old[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(old, sizeof old, "%.*g", prec, v);
            if (strtod(old, NULL) == v) {
                break;
            }
        }
        print_number(v, buf);
        size_t digits_old = 0, digits_new = 0;
        for (const char *c = old; *c && *c != 'e'; c++) {
            digits_old += *c >= '0' && *c <= '9';
        }
        for (const char *c = buf; *c && *c != 'e'; c++) {
            digits_new += *c >= '0' && *c <= '9';
        }
        /* leading zeros of "0.000123" are no significant digits */
        for (const char *c = buf + (buf[0] == '-'); *c == '0' || *c == '.'; c++) {
            digits_new -= *c == '0';
        }
        for (const char *c = old + (old[0] == '-'); *c == '0' || *c == '.'; c++) {
            digits_old -= *c == '0';
        }
        if (strtod(buf, NULL) != v || digits_new > digits_old) {
            print_error("%s printed as %s\n", old, buf);
            fail();
        }
    }
    /* Any double reads back exactly. */
    for (int k = 0; k < 1000000; k++) {
        z = z * 6364136223846793005u + 1442695040888963407u;
        uint64_t bits = z ^ (z >> 29);
        double v;
        if (k & 1) {
            memcpy(&v, &bits, sizeof v);
        } else {
            /* values in the range the fast path covers */
            v = (double)(int64_t)(bits >> 12) / (double)(1ull << (bits & 63));
        }
        if (!isfinite(v)) {
            continue;
        }
        double back = strtod(print_number(v, buf), NULL);
        if (back != v) {
            print_error("%.17g printed as %s\n", v, buf);
            fail();
        }
    }
}

/* ---- reader behaviours of the streaming parser ---- */

static char *write_and_slurp(const bmx_dataset *ds, const char *tag)
{
    bmx_error err = {0};
    const char *p = tmp_path(tag);
    assert_int_equal(bmx_dataset_write_coco(ds, p, &err), BMX_OK);
    char *t = slurp(p);
    unlink(p);
    return t;
}

static void reader_keeps_order_escapes_and_duplicates(void **state)
{
    (void)state;
    /* Categories first, annotations before images, an escaped file name and
     * members in an order the writer must keep. */
    const char *doc =
        "{\"categories\":[{\"id\":1,\"name\":\"c\\u00e9\"}],\"info\":{\"v\":1},"
        "\"annotations\":[{\"id\":3,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2],"
        "\"note\":\"x\\ty\"}],"
        "\"images\":[{\"id\":1,\"file_name\":\"d\\u00e9j\\u00e0/\\ud83d\\ude00.jpg\",\"width\":10,\"height\":10}],"
        "\"licenses\":[]}";
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco_buffer(doc, strlen(doc), "o.json", &ds, &err), BMX_OK);
    assert_string_equal(bmx_dataset_image(ds, 0)->file_name, "d\xC3\xA9j\xC3\xA0/\xF0\x9F\x98\x80.jpg");
    assert_string_equal(bmx_dataset_category(ds, 0)->name, "c\xC3\xA9");
    const struct bmx_object *o = bmx_dataset_objects(ds, 0);
    assert_true(o->bbox.w == 2.0);
    char *t = write_and_slurp(ds, "order");
    const char *cat = strstr(t, "\"categories\""), *info = strstr(t, "\"info\""),
               *ann = strstr(t, "\"annotations\""), *img = strstr(t, "\"images\""),
               *lic = strstr(t, "\"licenses\"");
    assert_true(cat && info && ann && img && lic);
    assert_true(cat < info && info < ann && ann < img && img < lic);
    assert_non_null(strstr(t, "\"bbox\":[1,1,2,2]"));
    assert_non_null(strstr(t, ",\"note\":\"x\\ty\"}"));
    assert_non_null(strstr(t, "\"file_name\":\"d\xC3\xA9j\xC3\xA0/\xF0\x9F\x98\x80.jpg\""));
    free(t);
    bmx_dataset_free(ds);

    /* A repeated key, in a record or at the top: refused (Python keeps the last,
     * cJSON kept the first: a dataset must not mean two things). */
    const char *dup_ann = DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2],"
                                   "\"bbox\":[0,0,9,9]}", CAT);
    ds = NULL;
    assert_int_equal(bmx_dataset_read_coco_buffer(dup_ann, strlen(dup_ann), "d.json", &ds, &err),
                     BMX_E_PARSE);
    assert_null(ds);
    assert_non_null(strstr(err.message, "d.json: line 1, column "));
    assert_non_null(strstr(err.message, "a repeated key"));
    const char *dup_top = "{\"images\":[],\"annotations\":[],\"categories\":[],\"images\":[]}";
    assert_int_equal(bmx_dataset_read_coco_buffer(dup_top, strlen(dup_top), "d.json", &ds, &err),
                     BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "d.json: images: key repeated in one object"));
}

static void reader_error_precedence_is_kept(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        /* a syntax error anywhere comes before any content error */
        {DOC("{\"id\":1}", ANN(""), CAT) ",", BMX_E_PARSE, "text after the JSON document"},
        {"{\"images\":[{\"id\":1}],\"annotations\":[],\"categories\":[} ", BMX_E_PARSE,
         "line 1, column 53: not valid JSON (expected a value)"},
        /* then numbers beyond a double, with their path */
        {DOC("{\"id\":1}", "", "{\"id\":1,\"name\":\"c\",\"x\":{\"y\":[1,-1e999]}}"), BMX_E_SCHEMA,
         "bad.json: categories[0].x.y[1]: number out of range (not finite)"},
        {"{\"info\":{\"a b\":1e400},\"images\":5,\"annotations\":[],\"categories\":[]}",
         BMX_E_SCHEMA, "bad.json: info.a b: number out of range (not finite)"},
        /* then categories before images before annotations, whatever the order */
        {"{\"annotations\":[{\"id\":1}],\"images\":[{\"id\":1}],\"categories\":[{\"id\":1}]}",
         BMX_E_SCHEMA, "bad.json: categories[0].name: missing"},
        {"{\"annotations\":[{\"id\":1}],\"images\":[{\"id\":1}],\"categories\":[]}",
         BMX_E_SCHEMA, "bad.json: images[0].file_name: missing"},
        /* ids that stop growing are still checked for repeats */
        {DOC(IMG, ANN("") ",{\"id\":0,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2]},"
                          "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2]}", CAT),
         BMX_E_SCHEMA, "bad.json: annotations[2].id: duplicate id 1 (also annotations[0])"},
        {DOC(IMG, "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2],\"segmentation\":[[1,2,3,4,5,\"6\"]]}", CAT),
         BMX_E_SCHEMA, "bad.json: annotations[0].segmentation[0][5]: expected a number, got a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bmx_dataset *ds = (bmx_dataset *)(uintptr_t)1;
        bmx_error err = {0};
        bmx_status st = bmx_dataset_read_coco_buffer(cases[i].doc, strlen(cases[i].doc), "bad.json",
                                                     &ds, &err);
        if (st != cases[i].status || strstr(err.message, cases[i].message) == NULL) {
            print_error("case %zu: status %d, message '%s', expected '%s'\n", i, (int)st,
                        err.message, cases[i].message);
            fail();
        }
        assert_null(ds);
    }
}

static void large_document_streams_through_the_buffer(void **state)
{
    (void)state;
    /* Well over the writer's flush size: the file is written in pieces. */
    size_t n = 40000;
    size_t cap = n * 200 + 4096;
    char *doc = malloc(cap);
    assert_non_null(doc);
    size_t len = (size_t)snprintf(doc, cap, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":640,\"height\":480}],\"annotations\":[");
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(doc + len, cap - len,
                                "%s{\"id\":%zu,\"image_id\":1,\"category_id\":1,\"bbox\":[%zu.25,1.5,2,2],"
                                "\"segmentation\":[[1.5,2.125,%zu.75,3,4,5.0625,6,7]],\"area\":%zu.5}",
                                i ? "," : "", i + 1, i % 600, i % 600, i);
    }
    len += (size_t)snprintf(doc + len, cap - len, "],\"categories\":[{\"id\":1,\"name\":\"c\"}]}");
    bmx_dataset *a = NULL, *b = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco_buffer(doc, len, "big.json", &a, &err), BMX_OK);
    const char *p1 = tmp_path("big1");
    assert_int_equal(bmx_dataset_write_coco(a, p1, &err), BMX_OK);
    assert_int_equal(bmx_dataset_read_coco(p1, &b, &err), BMX_OK);
    assert_int_equal(bmx_dataset_annotation_count(b), n);
    for (size_t q = 0; q < n; q++) {
        compare_objects(&bmx_dataset_objects(a, 0)[q], &bmx_dataset_objects(b, 0)[q]);
    }
    char *t = slurp(p1);
    assert_true(strlen(t) > ((size_t)4 << 20));
    assert_non_null(strstr(t, "\"bbox\":[599.25,1.5,2,2],\"area\":39599.5,\"segmentation\":[[1.5,2.125,599.75,3,4,5.0625,6,7]]"));
    free(t);
    unlink(p1);
    bmx_dataset_free(a);
    bmx_dataset_free(b);
    free(doc);
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

/* One id, one image: two images whose ids spell one number ("1" and 1) are a
 * duplicate, whichever comes first and wherever the annotations stand (the fast
 * reader reads annotations after the images, or at the end when they come first;
 * the checked one gives the message). Before, both were taken and annotations
 * given to one could end up on the other. An annotation may still spell its
 * image's id either way. */
static void duplicate_id_spellings(void **state)
{
    (void)state;
#define IMG_ID(id, name) "{\"id\":" id ",\"file_name\":\"" name "\",\"width\":10,\"height\":10}"
    static const struct bad_case cases[] = {
        {DOC(IMG_ID("\"1\"", "a.jpg") "," IMG_ID("2", "b.jpg") "," IMG_ID("3", "c.jpg") ","
                 IMG_ID("1", "d.jpg"),
             ANN(""), CAT),
         BMX_E_SCHEMA, "bad.json: images[3].id: duplicate id 1 (also images[0], spelled \"1\")"},
        {DOC(IMG_ID("1", "a.jpg") "," IMG_ID("\"1\"", "b.jpg"), ANN(""), CAT), BMX_E_SCHEMA,
         "bad.json: images[1].id: duplicate id \"1\" (also images[0], spelled 1)"},
        {DOC(IMG_ID("\"7\"", "a.jpg") "," IMG_ID("\"07\"", "b.jpg"), "", CAT), BMX_E_SCHEMA,
         "bad.json: images[1].id: duplicate id \"07\" (also images[0], spelled \"7\")"},
        {"{\"annotations\":[" ANN("") "],\"images\":[" IMG_ID("\"1\"", "a.jpg") ","
             IMG_ID("1", "b.jpg") "],\"categories\":[" CAT "]}",
         BMX_E_SCHEMA, "bad.json: images[1].id: duplicate id 1 (also images[0], spelled \"1\")"},
        {"{\"categories\":[" CAT "],\"images\":[" IMG_ID("-4", "a.jpg") ","
             IMG_ID("\"-4\"", "b.jpg") "],\"annotations\":[]}",
         BMX_E_SCHEMA, "bad.json: images[1].id: duplicate id \"-4\" (also images[0], spelled -4)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bmx_dataset *ds = (bmx_dataset *)(uintptr_t)1;
        bmx_error err = {0};
        bmx_status st =
            bmx_dataset_read_coco_buffer(cases[i].doc, strlen(cases[i].doc), "bad.json", &ds, &err);
        if (st != cases[i].status || strstr(err.message, cases[i].message) == NULL) {
            print_error("case %zu: status %d, message '%s', expected '%s'\n", i, (int)st,
                        err.message, cases[i].message);
            fail();
        }
        assert_null(ds);
    }
    /* the same through a file and the limited reader */
    const char *p = tmp_path("spellings");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(cases[0].doc, f);
    fclose(f);
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    assert_int_equal(bmx_dataset_read_coco_limited(p, NULL, &ds, &err), BMX_E_SCHEMA);
    assert_null(ds);
    assert_non_null(
        strstr(err.message, "images[3].id: duplicate id 1 (also images[0], spelled \"1\")"));
    unlink(p);

    /* ids that only look alike are different ids; an annotation spells its image's
     * id either way and lands on that image */
    const char *ok = DOC(IMG_ID("\"7\"", "a.jpg") "," IMG_ID("\"7a\"", "b.jpg") ","
                             IMG_ID("\"x8\"", "c.jpg") "," IMG_ID("9", "d.jpg"),
                         "{\"id\":1,\"image_id\":7,\"category_id\":1,\"bbox\":[1,1,2,2]},"
                         "{\"id\":2,\"image_id\":\"7\",\"category_id\":1,\"bbox\":[1,1,2,2]},"
                         "{\"id\":3,\"image_id\":\"9\",\"category_id\":1,\"bbox\":[1,1,2,2]},"
                         "{\"id\":4,\"image_id\":\"7a\",\"category_id\":1,\"bbox\":[1,1,2,2]}",
                         CAT);
    assert_int_equal(bmx_dataset_read_coco_buffer(ok, strlen(ok), "ok.json", &ds, &err), BMX_OK);
    assert_int_equal(bmx_dataset_object_count(ds, 0), 2);
    assert_int_equal(bmx_dataset_object_count(ds, 1), 1);
    assert_int_equal(bmx_dataset_object_count(ds, 2), 0);
    assert_int_equal(bmx_dataset_object_count(ds, 3), 1);
    assert_int_equal(bmx_dataset_objects(ds, 3)[0].id, 3);
    bmx_dataset_free(ds);
#undef IMG_ID
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

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static void limits_refuse_what_would_be_made(void **state)
{
    (void)state;
    const char *p = tmp_path("limits");
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    struct bmx_limits lim;
    bmx_limits_init(&lim);
    assert_true(lim.max_image_pixels == 178956970u);
    assert_true(lim.max_polygon_vertices == 1000000u);
    assert_true(lim.max_objects_per_image == 100000u);

    /* A record claiming a 65535 x 65535 image: refused before any pixel exists. */
    write_text(p, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":65535,\"height\":65535}],"
                  "\"annotations\":[],\"categories\":[]}");
    assert_int_equal(bmx_dataset_read_coco_limited(p, NULL, &ds, &err), BMX_E_LIMIT);
    assert_null(ds);
    char want[600];
    snprintf(want, sizeof want,
             "%s: images[0]: 65535x65535 = 4294836225 pixels, more than the limit of 178956970", p);
    assert_string_equal(err.message, want);
    lim.max_image_pixels = 65535ull * 65535ull;
    assert_int_equal(bmx_dataset_read_coco_limited(p, &lim, &ds, &err), BMX_OK);
    bmx_dataset_free(ds);
    ds = NULL;

    /* Too many polygon vertices in one annotation, counted over its rings. */
    write_text(p, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":10,\"height\":10}],"
                  "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,2,2],"
                  "\"segmentation\":[[0,0,2,0,2,2],[0,0,1,0,1,1,0,1]]}],"
                  "\"categories\":[{\"id\":1,\"name\":\"c\"}]}");
    bmx_limits_init(&lim);
    lim.max_polygon_vertices = 6;
    assert_int_equal(bmx_dataset_read_coco_limited(p, &lim, &ds, &err), BMX_E_LIMIT);
    assert_non_null(strstr(err.message, "annotations[0].segmentation: 7 polygon vertices, more than the limit of 6"));
    lim.max_polygon_vertices = 7;
    assert_int_equal(bmx_dataset_read_coco_limited(p, &lim, &ds, &err), BMX_OK);
    bmx_dataset_free(ds);
    ds = NULL;
    lim.max_objects_per_image = 0;
    assert_int_equal(bmx_dataset_read_coco_limited(p, &lim, &ds, &err), BMX_E_LIMIT);
    assert_non_null(strstr(err.message, "annotations[0].image_id: image 1 has more than 0 annotations (limit)"));

    /* A limit is named after every other refusal of the document: here a bad
     * bbox in a later annotation, and a far vertex (a deferred refusal). */
    write_text(p, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":10,\"height\":10}],"
                  "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,2,2],"
                  "\"segmentation\":[[0,0,2,0,2,2,0,2]]},"
                  "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,-2,2]}],"
                  "\"categories\":[{\"id\":1,\"name\":\"c\"}]}");
    bmx_limits_init(&lim);
    lim.max_polygon_vertices = 3;
    assert_int_equal(bmx_dataset_read_coco_limited(p, &lim, &ds, &err), BMX_E_SCHEMA);
    assert_null(ds);
    assert_non_null(strstr(err.message, "annotations[1].bbox: "));
    write_text(p, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":10,\"height\":10}],"
                  "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,2,2],"
                  "\"segmentation\":[[0,0,2,0,2,2,0,2]]},"
                  "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,2,2],"
                  "\"segmentation\":[[0,0,500,0,500,2]]}],"
                  "\"categories\":[{\"id\":1,\"name\":\"c\"}]}");
    assert_int_equal(bmx_dataset_read_coco_limited(p, &lim, &ds, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "annotations[1].segmentation"));
    assert_null(strstr(err.message, "more than the limit"));
    /* without the far vertex, the limit */
    lim.max_polygon_vertices = 3;
    write_text(p, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":10,\"height\":10}],"
                  "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,2,2],"
                  "\"segmentation\":[[0,0,2,0,2,2,0,2]]}],"
                  "\"categories\":[{\"id\":1,\"name\":\"c\"}]}");
    assert_int_equal(bmx_dataset_read_coco_limited(p, &lim, &ds, &err), BMX_E_LIMIT);
    assert_non_null(strstr(err.message, "annotations[0].segmentation: 4 polygon vertices, more than the limit of 3"));
    /* the unlimited reader takes it */
    assert_int_equal(bmx_dataset_read_coco(p, &ds, &err), BMX_OK);
    bmx_dataset_free(ds);
    ds = NULL;
    unlink(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_keeps_values_and_fields),
        cmocka_unit_test(numbers_round_trip_exactly),
        cmocka_unit_test(bad_inputs_name_the_place),
        cmocka_unit_test(quirks_accepted),
        cmocka_unit_test(duplicate_id_spellings),
        cmocka_unit_test(missing_file_is_io_error),
        cmocka_unit_test(samples_file_reads),
        cmocka_unit_test(limits_refuse_what_would_be_made),
        cmocka_unit_test(json_strings_unescape_and_check_utf8),
        cmocka_unit_test(json_numbers_follow_the_grammar_and_round_correctly),
        cmocka_unit_test(json_nesting_is_limited),
        cmocka_unit_test(json_errors_give_line_and_column),
        cmocka_unit_test(number_printer_is_short_and_exact),
        cmocka_unit_test(reader_keeps_order_escapes_and_duplicates),
        cmocka_unit_test(reader_error_precedence_is_kept),
        cmocka_unit_test(large_document_streams_through_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
