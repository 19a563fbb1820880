/* SPDX-License-Identifier: MIT */
/* YOLO (Ultralytics) datasets: the label-row parser (detection and segmentation
 * rows, the more-than-five-coordinates rule, the 1% clamp, every bad row named by
 * file and line, CRLF and the UTF-8 BOM, duplicates), the data.yaml reader (names
 * as a list or a map, nc, anchors and aliases refused), the /images/ -> /labels/
 * rule, the ring bridge (area and pixels kept) and the writer (hand-computed rows
 * with Ultralytics' convert_coco formulas, crowd objects left out, RLE traced). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boxmix.h"
#include "dataset.h"
#include "yolo.h"

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
    snprintf(buf, cap, "/tmp/bmx_test_yolo_XXXXXX");
    assert_non_null(mkdtemp(buf));
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void mkdirs(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, 0755);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Problems collected from the sink. */
struct seen {
    int n, errors, warnings;
    char codes[16][40];
    char msgs[16][600];
    unsigned long lines[16];
};

static void collect(void *ctx, const struct bmx__yolo_problem *p)
{
    struct seen *s = ctx;
    if (s->n < 16) {
        snprintf(s->codes[s->n], sizeof s->codes[0], "%s", p->code);
        snprintf(s->msgs[s->n], sizeof s->msgs[0], "%s", p->message);
        s->lines[s->n] = p->line;
    }
    s->n++;
    if (p->error) {
        s->errors++;
    } else {
        s->warnings++;
    }
}

static bmx_status parse(const char *text, size_t nc, struct bmx__yolo_rows *rows, bmx_error *err)
{
    return bmx__yolo_parse_rows(text, strlen(text), "labels/train/x.txt", nc, 0, 0, false, NULL,
                                NULL, rows, err);
}

/* ---- label rows ---- */

static void test_rows_detect(void **state)
{
    (void)state;
    struct bmx__yolo_rows r;
    bmx_error err;
    assert_int_equal(parse("0 0.5 0.5 0.2 0.4\n\n  3\t0.1 0.2 0.05 0.06  \n", 5, &r, &err), BMX_OK);
    assert_false(r.segment);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rows[0].cls, 0);
    assert_int_equal(r.rows[0].n, 4);
    assert_true(r.rows[0].v[3] == 0.4);
    assert_int_equal(r.rows[1].cls, 3);
    assert_int_equal(r.rows[1].line, 3);
    assert_true(r.rows[1].v[0] == 0.1 && r.rows[1].v[3] == 0.06);
    bmx__yolo_rows_free(&r);
}

static void test_rows_segment_rule(void **state)
{
    (void)state;
    struct bmx__yolo_rows r;
    bmx_error err;
    /* More than five coordinates in one row: every row is a polygon. */
    assert_int_equal(parse("1 0.1 0.1 0.5 0.1 0.5 0.5\n0 0.2 0.2 0.3 0.2 0.3 0.3 0.2 0.3\n", 2, &r,
                           &err),
                     BMX_OK);
    assert_true(r.segment);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rows[1].n, 8);
    bmx__yolo_rows_free(&r);
    /* A four-coordinate row in a segmentation file is two points: refused. */
    assert_int_equal(parse("0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.5 0.1 0.5 0.5\n", 2, &r, &err),
                     BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "labels/train/x.txt:1: a polygon needs at least 3 points, got 2"));
    bmx__yolo_rows_free(&r);
    /* Five coordinates is not more than five: a detection file with a bad row. */
    assert_int_equal(parse("0 0.5 0.5 0.2 0.2 0.3\n", 2, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:1: odd count: 5 coordinates after the "
                                     "class (x y pairs expected)");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("0 0.5 0.5\n", 2, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message,
                        "labels/train/x.txt:1: expected 4 coordinates (cx cy w h), got 2");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("0 0.1 0.1 0.5 0.1 0.5 0.5 0.3\n", 2, &r, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, ":1: odd count: 7 coordinates"));
    bmx__yolo_rows_free(&r);
}

static void test_rows_class(void **state)
{
    (void)state;
    struct bmx__yolo_rows r;
    bmx_error err;
    assert_int_equal(parse("0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.1 0.1\n7 0.5 0.5 0.2 0.2\n", 5, &r, &err),
                     BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:3: class 7 is not below nc=5");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("-1 0.5 0.5 0.2 0.2\n", 5, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:1: class '-1' is not a whole number >= 0");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("1.5 0.5 0.5 0.2 0.2\n", 5, &r, &err), BMX_E_SCHEMA);
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("person 0.5 0.5 0.2 0.2\n", 5, &r, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "class 'person' is not a whole number"));
    bmx__yolo_rows_free(&r);
    /* "2.0" is the whole number 2, as Ultralytics reads it. */
    assert_int_equal(parse("2.0 0.5 0.5 0.2 0.2\n", 5, &r, &err), BMX_OK);
    assert_int_equal(r.rows[0].cls, 2);
    bmx__yolo_rows_free(&r);
}

static void test_rows_numbers(void **state)
{
    (void)state;
    struct bmx__yolo_rows r;
    bmx_error err;
    const char *bad[] = {"nan", "NaN", "inf", "-inf", "0x1p-2", "1e", "0.5.5", "", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "0 0.5 %s 0.2 0.2\n", bad[i]);
        if (bad[i][0] == '\0') {
            continue;
        }
        assert_int_equal(parse(text, 1, &r, &err), BMX_E_SCHEMA);
        char want[160];
        snprintf(want, sizeof want, "labels/train/x.txt:1: cy '%s' is not a number", bad[i]);
        assert_string_equal(err.message, want);
        bmx__yolo_rows_free(&r);
    }
    assert_int_equal(parse("0 0.1 0.1 0.5 0.1 nan 0.5\n", 1, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:1: x3 'nan' is not a number");
    bmx__yolo_rows_free(&r);
}

static void test_rows_clamp(void **state)
{
    (void)state;
    struct bmx__yolo_rows r;
    bmx_error err;
    struct seen s = {0};
    const char *t = "0 1.005 -0.01 0.2 0.2\n";
    assert_int_equal(bmx__yolo_parse_rows(t, strlen(t), "x.txt", 1, 0, 0, false, collect, &s, &r, &err),
                     BMX_OK);
    assert_true(r.rows[0].v[0] == 1.0 && r.rows[0].v[1] == 0.0);
    assert_false(signbit(r.rows[0].v[1]));
    assert_int_equal(r.clamped, 2);
    assert_int_equal(s.warnings, 1);
    assert_string_equal(s.codes[0], "yolo-clamped");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("0 1.0101 0.5 0.2 0.2\n", 1, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:1: cx 1.0101 is outside [0, 1] by more than 1%");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("0 0.1 0.1 0.5 0.1 0.5 0.5\n0 0.1 0.1 0.5 0.1 0.5 -3\n", 1, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:2: y3 -3 is outside [0, 1] by more than 1%");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("0 0.5 0.5 0 0.2\n", 1, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:1: the box has no area (w 0, h 0.2)");
    bmx__yolo_rows_free(&r);
    assert_int_equal(parse("0 0.1 0.1 0.2 0.2 0.3 0.3\n", 1, &r, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "labels/train/x.txt:1: the polygon has no area");
    bmx__yolo_rows_free(&r);
}

static void test_rows_crlf_bom(void **state)
{
    (void)state;
    struct bmx__yolo_rows r, plain;
    bmx_error err;
    assert_int_equal(parse("\xef\xbb\xbf"
                           "0 0.5 0.5 0.2 0.2\r\n1 0.25 0.75 0.1 0.3\r\n\r\n",
                           2, &r, &err),
                     BMX_OK);
    assert_int_equal(parse("0 0.5 0.5 0.2 0.2\n1 0.25 0.75 0.1 0.3\n", 2, &plain, &err), BMX_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(plain.n, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(r.rows[i].cls, plain.rows[i].cls);
        assert_memory_equal(r.rows[i].v, plain.rows[i].v, 4 * sizeof(double));
    }
    bmx__yolo_rows_free(&r);
    bmx__yolo_rows_free(&plain);
    /* A BOM elsewhere than at the start is not white space. */
    assert_int_equal(parse("0 0.5 0.5 0.2 0.2\n\xef\xbb\xbf"
                           "1 0.5 0.5 0.2 0.2\n",
                           2, &r, &err),
                     BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "x.txt:2: class"));
    bmx__yolo_rows_free(&r);
}

static void test_rows_duplicates(void **state)
{
    (void)state;
    struct bmx__yolo_rows r;
    bmx_error err;
    struct seen s = {0};
    /* The same numbers spelled differently are the same row, as Ultralytics'
     * np.unique over the parsed array sees it. */
    const char *t = "0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n0 0.50 0.5 2e-1 0.2\n0 0.5 0.5 0.2 0.2\n";
    assert_int_equal(bmx__yolo_parse_rows(t, strlen(t), "x.txt", 2, 0, 0, false, collect, &s, &r, &err),
                     BMX_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.duplicates, 2);
    assert_int_equal(s.warnings, 2);
    assert_string_equal(s.codes[0], "yolo-duplicate");
    assert_int_equal(s.lines[0], 3);
    assert_int_equal(s.lines[1], 4);
    bmx__yolo_rows_free(&r);
}

static void test_rows_keep_going_and_limits(void **state)
{
    (void)state;
    struct bmx__yolo_rows r;
    bmx_error err;
    struct seen s = {0};
    const char *t = "9 0.5 0.5 0.2 0.2\n0 nan 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2 0.1\n0 0.5 0.5 0.2 0.2\n";
    assert_int_equal(bmx__yolo_parse_rows(t, strlen(t), "x.txt", 2, 0, 0, true, collect, &s, &r, &err),
                     BMX_E_SCHEMA);
    assert_int_equal(s.errors, 3);
    assert_string_equal(s.codes[0], "yolo-class-range");
    assert_string_equal(s.codes[1], "yolo-not-number");
    assert_string_equal(s.codes[2], "yolo-odd-count");
    assert_int_equal(s.lines[2], 3);
    assert_int_equal(r.n, 1); /* the good row */
    assert_string_equal(err.message, "x.txt:1: class 9 is not below nc=2");
    bmx__yolo_rows_free(&r);
    const char *many = "0 0.5 0.5 0.2 0.2\n0 0.4 0.5 0.2 0.2\n0 0.3 0.5 0.2 0.2\n";
    assert_int_equal(bmx__yolo_parse_rows(many, strlen(many), "x.txt", 1, 2, 0, false, NULL, NULL, &r,
                                          &err),
                     BMX_E_LIMIT);
    assert_string_equal(err.message, "x.txt:3: more than 2 objects in one image");
    bmx__yolo_rows_free(&r);
    const char *pts = "0 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5\n";
    assert_int_equal(bmx__yolo_parse_rows(pts, strlen(pts), "x.txt", 1, 0, 3, false, NULL, NULL, &r,
                                          &err),
                     BMX_E_LIMIT);
    bmx__yolo_rows_free(&r);
}

/* ---- data.yaml ---- */

static bmx_status yaml(const char *text, struct bmx__yolo_yaml *y, bmx_error *err)
{
    return bmx__yolo_yaml_parse(text, strlen(text), "data.yaml", NULL, NULL, y, err);
}

static void test_yaml_names(void **state)
{
    (void)state;
    struct bmx__yolo_yaml y;
    bmx_error err;
    assert_int_equal(yaml("path: ../datasets/coco8\ntrain: images/train\nval: [images/val, extra.txt]\n"
                          "test:\nnc: 3\nnames: [person, 'bi cycle', car]\ndownload: x\n",
                          &y, &err),
                     BMX_OK);
    assert_string_equal(y.path, "../datasets/coco8");
    assert_int_equal(y.split[0].n, 1);
    assert_string_equal(y.split[0].v[0], "images/train");
    assert_int_equal(y.split[1].n, 2);
    assert_string_equal(y.split[1].v[1], "extra.txt");
    assert_int_equal(y.split[2].n, 0);
    assert_int_equal(y.names.n, 3);
    assert_string_equal(y.names.v[1], "bi cycle");
    assert_int_equal(y.nc, 3);
    bmx__yolo_yaml_free(&y);
    /* A map, keys in any order. */
    assert_int_equal(yaml("\xef\xbb\xbftrain: a\r\nnames:\r\n  1: dog\r\n  0: cat\r\n", &y, &err), BMX_OK);
    assert_int_equal(y.names.n, 2);
    assert_string_equal(y.names.v[0], "cat");
    assert_string_equal(y.names.v[1], "dog");
    assert_int_equal(y.nc, -1);
    bmx__yolo_yaml_free(&y);
}

static void test_yaml_bad(void **state)
{
    (void)state;
    struct bmx__yolo_yaml y;
    bmx_error err;
    assert_int_equal(yaml("train: a\nnc: 2\n", &y, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message,
                        "data.yaml: names: missing (the class names, a list or a map {0: name})");
    assert_int_equal(yaml("train: a\nnc: 3\nnames: [a, b]\n", &y, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "data.yaml:2: nc: 3, but names has 2 classes");
    assert_int_equal(yaml("names:\n  0: a\n  2: b\n", &y, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "data.yaml:3: names: key '2' is not a class number 0..1"));
    assert_int_equal(yaml("names: {0: a, 0: b}\n", &y, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "class 0 given twice"));
    assert_int_equal(yaml("names: [a, [b]]\n", &y, &err), BMX_E_SCHEMA);
    assert_int_equal(yaml("names: a\n", &y, &err), BMX_E_SCHEMA);
    assert_int_equal(yaml("- a\n- b\n", &y, &err), BMX_E_SCHEMA);
    assert_int_equal(yaml("", &y, &err), BMX_E_SCHEMA);
    assert_int_equal(yaml("train: [a\n", &y, &err), BMX_E_PARSE);
    assert_non_null(strstr(err.message, "data.yaml:2: not valid YAML"));
    assert_int_equal(yaml("names: [a]\nnames: [b]\n", &y, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "data.yaml:2: key 'names' given twice (also line 1)");
    /* Anchors and aliases: refused, so that no document can grow when read. */
    assert_int_equal(yaml("a: &x [1, 2]\nnames: *x\n", &y, &err), BMX_E_SCHEMA);
    assert_string_equal(err.message, "data.yaml:1: anchors (&name) are not accepted in a data.yaml");
    const char *bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "names: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    assert_int_equal(yaml(bomb, &y, &err), BMX_E_SCHEMA);
    assert_int_equal(yaml("names: *x\n", &y, &err), BMX_E_SCHEMA); /* an undefined alias */
    /* Nesting and size bounds. */
    char deep[200];
    memset(deep, '[', 100);
    deep[100] = '\0';
    assert_int_equal(yaml(deep, &y, &err), BMX_E_LIMIT);
    assert_non_null(strstr(err.message, "nested deeper than 16 levels"));
}

/* ---- paths ---- */

static void expect_label(const char *img, const char *want)
{
    char *got = bmx__yolo_label_path(img);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_path_rule(void **state)
{
    (void)state;
    expect_label("/d/images/train/x.jpg", "/d/labels/train/x.txt");
    expect_label("/d/images/a/images/b/x.png", "/d/images/a/labels/b/x.txt");
    expect_label("/d/train/images/x.JPEG", "/d/train/labels/x.txt");
    expect_label("/d/pics/x.jpeg", "/d/pics/x.txt");
    expect_label("/d/images/x", "/d/labels/x.txt");
    expect_label("/d/images.v1/x.tar.jpg", "/d/images.v1/x.tar.txt");
    expect_label("rel/images/x.y/z.png", "rel/labels/x.y/z.txt");
    char *n = bmx__yolo_norm_path("/a/b/../c/./d//e/..");
    assert_string_equal(n, "/a/c/d");
    free(n);
    n = bmx__yolo_norm_path("/../..");
    assert_string_equal(n, "/");
    free(n);
    assert_true(bmx__yolo_under("/a/b", "/a"));
    assert_true(bmx__yolo_under("/a", "/a"));
    assert_false(bmx__yolo_under("/ab", "/a"));
    assert_true(bmx__yolo_is_image_name("x.JPG"));
    assert_false(bmx__yolo_is_image_name("x.txt"));
    assert_false(bmx__yolo_is_image_name(".jpg"));
}

/* ---- the ring bridge ---- */

static struct bmx_poly ring(double *xy, size_t n)
{
    return (struct bmx_poly){n, xy};
}

static uint64_t raster_area(const double *xy, size_t n, uint32_t h, uint32_t w, struct bmx_rle *out)
{
    struct bmx_poly p = {n, (double *)xy};
    assert_int_equal(bmx_rle_from_poly(&p, h, w, out, NULL), BMX_OK);
    return bmx_rle_area(out);
}

static void test_bridge_two(void **state)
{
    (void)state;
    double a[] = {0, 0, 2, 0, 2, 2, 0, 2};
    double b[] = {5, 2, 7, 2, 7, 0, 5, 0}; /* the negative way: turned */
    struct bmx_poly rings[] = {ring(a, 4), ring(b, 4)};
    struct bmx_polyset set = {2, rings};
    double *xy;
    size_t n;
    assert_int_equal(bmx__yolo_bridge(&set, &xy, &n, NULL), BMX_OK);
    const double want[] = {2, 0, 2, 2, 0, 2, 0, 0, 2, 0, 5, 0, 7, 0, 7, 2, 5, 2, 5, 0};
    assert_int_equal(n, 10);
    assert_memory_equal(xy, want, sizeof want);
    struct bmx_poly joined = {n, xy};
    assert_true(bmx_poly_area(&joined) == 8.0);
    free(xy);
}

static void test_bridge_pixels(void **state)
{
    (void)state;
    /* Three rings of different sizes and orientations, one between the others. */
    double a[] = {1, 1, 6, 1, 6, 5, 1, 5};
    double b[] = {20, 3, 24, 12, 16, 12};
    double c[] = {10, 14, 10, 18, 13, 18, 13, 14};
    double d[] = {2, 20, 7, 20, 7, 28};
    struct bmx_poly rings[] = {ring(a, 4), ring(b, 3), ring(c, 4), ring(d, 3)};
    struct bmx_polyset set = {4, rings};
    double *xy;
    size_t n;
    assert_int_equal(bmx__yolo_bridge(&set, &xy, &n, NULL), BMX_OK);
    assert_int_equal(n, 4 + 3 + 4 + 3 + 2 * 3);
    struct bmx_poly joined = {n, xy};
    assert_true(fabs(bmx_poly_area(&joined) - bmx_polyset_area(&set)) < 1e-9);
    struct bmx_rle u, j;
    assert_int_equal(bmx_rle_from_polyset(&set, 32, 32, &u, NULL), BMX_OK);
    assert_int_equal(raster_area(xy, n, 32, 32, &j), bmx_rle_area(&u));
    assert_int_equal(u.m, j.m);
    assert_memory_equal(u.counts, j.counts, u.m * sizeof *u.counts);
    bmx_rle_free(&u);
    bmx_rle_free(&j);
    free(xy);
}

/* ---- the writer ---- */

static const char *COCO =
    "{\"images\":[{\"id\":1,\"file_name\":\"sub/a.jpg\",\"width\":640,\"height\":480},"
    "{\"id\":2,\"file_name\":\"b.png\",\"width\":100,\"height\":50}],"
    "\"categories\":[{\"id\":7,\"name\":\"dog\"},{\"id\":1,\"name\":\"per\\\"son\"},{\"id\":3,\"name\":\"car\"}],"
    "\"annotations\":["
    "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[10,20,100,50],\"area\":5000,\"iscrowd\":0},"
    "{\"id\":2,\"image_id\":1,\"category_id\":7,\"bbox\":[0,0,640,480],\"area\":1,\"iscrowd\":1,"
    "\"segmentation\":{\"size\":[480,640],\"counts\":[0,307200]}},"
    "{\"id\":3,\"image_id\":1,\"category_id\":3,\"bbox\":[100,100,40,20],\"area\":600,\"iscrowd\":0,"
    "\"segmentation\":[[100,100,140,100,140,120],[100,110,110,110,110,120,100,120]]},"
    "{\"id\":4,\"image_id\":2,\"category_id\":7,\"bbox\":[1,2,2,3],\"area\":6,\"iscrowd\":0,"
    "\"segmentation\":{\"size\":[50,100],\"counts\":[52,3,47,3,4895]}}]}";

static bmx_dataset *coco(void)
{
    bmx_dataset *ds = NULL;
    bmx_error err;
    bmx_status st = bmx_dataset_read_coco_buffer(COCO, strlen(COCO), "w.json", &ds, &err);
    if (st != BMX_OK) {
        fprintf(stderr, "%s\n", err.message);
    }
    assert_int_equal(st, BMX_OK);
    return ds;
}

static void test_write_detect(void **state)
{
    (void)state;
    char tmp[64], p[256];
    bmx_dataset *ds = coco();
    struct bmx_yolo_write_options o;
    struct bmx_yolo_write_summary sum;
    bmx_error err;
    bmx_yolo_write_options_init(&o);
    o.task = BMX_YOLO_TASK_DETECT;
    make_tmp(tmp, sizeof tmp);
    assert_int_equal(bmx_dataset_write_yolo(ds, tmp, &o, &sum, &err), BMX_OK);
    assert_int_equal(sum.task, BMX_YOLO_TASK_DETECT);
    assert_int_equal(sum.crowd, 1);
    assert_int_equal(sum.rows, 3);
    assert_int_equal(sum.masks_dropped, 2);
    /* Ultralytics' convert_coco: box[:2] += box[2:] / 2; x and w / W; y and h / H;
     * "%g". Category ids 1, 3, 7 are classes 0, 1, 2. */
    snprintf(p, sizeof p, "%s/labels/train/sub/a.txt", tmp);
    char *text = slurp(p);
    assert_string_equal(text, "0 0.09375 0.09375 0.15625 0.104167\n"
                              "1 0.1875 0.229167 0.0625 0.0416667\n");
    free(text);
    snprintf(p, sizeof p, "%s/labels/train/b.txt", tmp);
    text = slurp(p);
    assert_string_equal(text, "2 0.02 0.07 0.02 0.06\n");
    free(text);
    snprintf(p, sizeof p, "%s/data.yaml", tmp);
    text = slurp(p);
    assert_string_equal(text, "# YOLO (Ultralytics) dataset written by boxmix\npath: .\n"
                              "train: images/train\nval: images/train\nnc: 3\nnames:\n"
                              "  0: \"per\\\"son\"\n  1: \"car\"\n  2: \"dog\"\n");
    free(text);
    /* The yaml reads back with the names in class order. */
    struct bmx__yolo_yaml y;
    text = slurp(p);
    assert_int_equal(bmx__yolo_yaml_parse(text, strlen(text), p, NULL, NULL, &y, &err), BMX_OK);
    assert_string_equal(y.names.v[0], "per\"son");
    assert_int_equal(y.nc, 3);
    bmx__yolo_yaml_free(&y);
    free(text);
    rm_tree(tmp);
    bmx_dataset_free(ds);
}

static void test_write_segment(void **state)
{
    (void)state;
    char tmp[64], p[256];
    bmx_dataset *ds = coco();
    struct bmx_yolo_write_options o;
    struct bmx_yolo_write_summary sum;
    bmx_error err;
    bmx_yolo_write_options_init(&o);
    o.split = "val";
    make_tmp(tmp, sizeof tmp);
    assert_int_equal(bmx_dataset_write_yolo(ds, tmp, &o, &sum, &err), BMX_OK);
    assert_int_equal(sum.task, BMX_YOLO_TASK_SEGMENT); /* AUTO: masks present */
    assert_int_equal(sum.crowd, 1);
    assert_int_equal(sum.box_corners, 1);
    assert_int_equal(sum.bridged, 1);
    assert_int_equal(sum.traced, 1);
    snprintf(p, sizeof p, "%s/labels/val/sub/a.txt", tmp);
    char *text = slurp(p);
    /* Box-only: four corners; two rings: bridged between (100,110) and (100,100):
     * ring 2 (positive order 100,110 110,110 110,120 100,120) is the first ring's
     * nearest at its vertex 0 to ring 1's vertex 0. */
    assert_string_equal(text,
                        "0 0.015625 0.0416667 0.171875 0.0416667 0.171875 0.145833 0.015625 0.145833\n"
                        "1 0.15625 0.208333 0.21875 0.208333 0.21875 0.25 0.15625 0.208333 "
                        "0.15625 0.229167 0.171875 0.229167 0.171875 0.25 0.15625 0.25 0.15625 0.229167\n");
    free(text);
    /* RLE traced along pixel edges: the runs 52 zeros, 3 ones, 47 zeros, 3 ones
     * are columns 1 and 2, rows 2..4: the ring (1,2) (3,2) (3,5) (1,5). */
    snprintf(p, sizeof p, "%s/labels/val/b.txt", tmp);
    text = slurp(p);
    assert_string_equal(text, "2 0.01 0.04 0.03 0.04 0.03 0.1 0.01 0.1\n");
    free(text);
    snprintf(p, sizeof p, "%s/data.yaml", tmp);
    text = slurp(p);
    assert_non_null(strstr(text, "\nval: images/val\ntrain: images/val\nnc: 3\n"));
    free(text);
    rm_tree(tmp);
    bmx_dataset_free(ds);
}

static void test_write_collision(void **state)
{
    (void)state;
    const char *t = "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":4,\"height\":4},"
                    "{\"id\":2,\"file_name\":\"a.png\",\"width\":4,\"height\":4}],"
                    "\"categories\":[{\"id\":1,\"name\":\"x\"}],\"annotations\":[]}";
    bmx_dataset *ds = NULL;
    bmx_error err;
    char tmp[64];
    assert_int_equal(bmx_dataset_read_coco_buffer(t, strlen(t), "c.json", &ds, &err), BMX_OK);
    make_tmp(tmp, sizeof tmp);
    assert_int_equal(bmx_dataset_write_yolo(ds, tmp, NULL, NULL, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "would share the label file labels/train/a.txt"));
    char p[128];
    snprintf(p, sizeof p, "%s/data.yaml", tmp);
    assert_int_not_equal(access(p, F_OK), 0); /* nothing written */
    rm_tree(tmp);
    bmx_dataset_free(ds);
}

/* Category names a YAML reader would fold or refuse come back exactly (escaped);
 * a name that is not UTF-8 cannot be written (regression: a NEL in a name came back
 * as a space, found by fuzz_yolo_yaml). */
static void test_yaml_names_escaped(void **state)
{
    (void)state;
    const char *names[] = {"a\nb", "c\xc2\x85" "d", "e\xe2\x80\xa8", "\xef\xbb\xbf" "f", "g\"\\h\t",
                           "\xc2\x80", "\xf0\x9f\x98\x80"};
    size_t n = sizeof names / sizeof names[0];
    struct bmx_category cats[8];
    for (size_t i = 0; i < n; i++) {
        cats[i] = (struct bmx_category){.id = (int64_t)(i + 1), .name = names[i]};
    }
    bmx_dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.cats = cats;
    ds.n_cats = n;
    struct bmx__buf b = {0};
    assert_true(bmx__yolo_put_yaml(&b, &ds, "train"));
    struct bmx__yolo_yaml y;
    bmx_error err;
    assert_int_equal(bmx__yolo_yaml_parse(b.data, b.len, "w.yaml", NULL, NULL, &y, &err), BMX_OK);
    assert_int_equal(y.names.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(y.names.v[i], names[i]);
    }
    bmx__yolo_yaml_free(&y);
    bmx__buf_free(&b);
    cats[0].name = "bad\xff";
    assert_false(bmx__yolo_put_yaml(&b, &ds, "train"));
    bmx__buf_free(&b);
}

/* ---- reading a dataset (sizes from a caller's reader) ---- */

static bmx_status size_640x480(const uint8_t *buf, size_t len, int32_t *w, int32_t *h, bmx_error *err)
{
    (void)buf;
    (void)len;
    (void)err;
    *w = 640;
    *h = 480;
    return BMX_OK;
}

static void test_read_roundtrip(void **state)
{
    (void)state;
    char tmp[64], p[600], out[256];
    make_tmp(tmp, sizeof tmp);
    snprintf(p, sizeof p, "%s/ds/images/train", tmp);
    mkdirs(p);
    snprintf(p, sizeof p, "%s/ds/labels/train", tmp);
    mkdirs(p);
    const char *rows = "0 0.015625 0.0416667 0.171875 0.0416667 0.171875 0.145833 0.015625 "
                       "0.145833\n1 0.1 0.2 0.3 0.2 0.3 0.4 0.1 0.4\n";
    snprintf(p, sizeof p, "%s/ds/images/train/a.jpg", tmp);
    write_text(p, "not read");
    snprintf(p, sizeof p, "%s/ds/images/train/b.jpg", tmp);
    write_text(p, "not read");
    snprintf(p, sizeof p, "%s/ds/labels/train/a.txt", tmp);
    write_text(p, rows);
    snprintf(p, sizeof p, "%s/ds/data.yaml", tmp);
    write_text(p, "train: images/train\nval: images/train\nnames: {0: a, 1: b}\n");
    struct bmx_yolo_options yo;
    struct bmx_yolo_read_summary rs;
    bmx_yolo_options_init(&yo);
    yo.image_size = size_640x480;
    bmx_dataset *ds = NULL;
    bmx_error err;
    assert_int_equal(bmx_dataset_read_yolo(p, &yo, &ds, &rs, &err), BMX_OK);
    assert_int_equal(rs.images, 2);
    assert_int_equal(rs.unlabelled, 1);
    assert_int_equal(bmx_dataset_image_count(ds), 2);
    assert_string_equal(bmx_dataset_image(ds, 0)->file_name, "a.jpg");
    assert_int_equal(bmx_dataset_object_count(ds, 0), 2);
    assert_int_equal(bmx_dataset_object_count(ds, 1), 0);
    const struct bmx_object *o = bmx_dataset_objects(ds, 0);
    /* A segmentation file: both rows are polygons; class c is category c + 1. */
    assert_int_equal(o[0].seg_kind, BMX_SEG_POLYGON);
    assert_int_equal(o[0].category_id, 1);
    assert_int_equal(o[1].category_id, 2);
    assert_true(fabs(o[1].bbox.x - 64) < 1e-9 && fabs(o[1].bbox.w - 128) < 1e-9);
    assert_true(fabs(o[1].area - 128 * 96) < 1e-6);
    assert_string_equal(bmx_dataset_category(ds, 1)->name, "b");
    /* Written back: the same rows. */
    snprintf(out, sizeof out, "%s/out", tmp);
    assert_int_equal(bmx_dataset_write_yolo(ds, out, NULL, NULL, &err), BMX_OK);
    snprintf(p, sizeof p, "%s/labels/train/a.txt", out);
    char *text = slurp(p);
    assert_string_equal(text, rows);
    free(text);
    bmx_dataset_free(ds);
    /* A class out of range, named by file and line. */
    snprintf(p, sizeof p, "%s/ds/labels/train/b.txt", tmp);
    write_text(p, "0 0.5 0.5 0.1 0.1\n\n5 0.5 0.5 0.1 0.1\n");
    snprintf(p, sizeof p, "%s/ds/data.yaml", tmp);
    assert_int_equal(bmx_dataset_read_yolo(p, &yo, &ds, NULL, &err), BMX_E_SCHEMA);
    char want[600];
    snprintf(want, sizeof want, "%s/ds/labels/train/b.txt:3: class 5 is not below nc=2", tmp);
    assert_string_equal(err.message, want);
    assert_null(ds);
    /* A split path that climbs out of the root: refused unless allowed. */
    write_text(p, "train: ../elsewhere\nnames: [a, b]\n");
    snprintf(out, sizeof out, "%s/elsewhere", tmp);
    mkdirs(out);
    assert_int_equal(bmx_dataset_read_yolo(p, &yo, &ds, NULL, &err), BMX_E_SCHEMA);
    assert_non_null(strstr(err.message, "data.yaml:1: train: '../elsewhere' lies outside the dataset root"));
    yo.allow_outside = true;
    assert_int_equal(bmx_dataset_read_yolo(p, &yo, &ds, NULL, &err), BMX_OK);
    assert_int_equal(bmx_dataset_image_count(ds), 0);
    bmx_dataset_free(ds);
    rm_tree(tmp);
}

static void test_read_roboflow(void **state)
{
    (void)state;
    char tmp[64], p[512];
    make_tmp(tmp, sizeof tmp);
    const char *dirs[] = {"train/images", "train/labels", "valid/images", "valid/labels"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", tmp, dirs[i]);
        mkdirs(p);
    }
    snprintf(p, sizeof p, "%s/valid/images/v.png", tmp);
    write_text(p, "x");
    snprintf(p, sizeof p, "%s/valid/labels/v.txt", tmp);
    write_text(p, "1 0.5 0.5 0.5 0.5\r\n");
    snprintf(p, sizeof p, "%s/data.yaml", tmp);
    write_text(p, "train: ../train/images\nval: ../valid/images\ntest: ../test/images\n\nnc: 2\n"
                  "names: ['a', 'b']\n\nroboflow:\n  workspace: w\n  version: 1\n");
    struct bmx_yolo_options yo;
    bmx_yolo_options_init(&yo);
    yo.image_size = size_640x480;
    yo.split = "val";
    bmx_dataset *ds = NULL;
    bmx_error err;
    assert_int_equal(bmx_dataset_read_yolo(p, &yo, &ds, NULL, &err), BMX_OK);
    assert_int_equal(bmx_dataset_image_count(ds), 1);
    assert_int_equal(bmx_dataset_objects(ds, 0)[0].category_id, 2);
    assert_true(bmx_dataset_objects(ds, 0)[0].bbox.w == 320);
    bmx_dataset_free(ds);
    char *root = NULL;
    assert_int_equal(bmx_yolo_images_root(p, &yo, &root, &err), BMX_OK);
    snprintf(p, sizeof p, "%s/valid/images", tmp);
    assert_string_equal(root, p);
    free(root);
    rm_tree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_detect),
        cmocka_unit_test(test_rows_segment_rule),
        cmocka_unit_test(test_rows_class),
        cmocka_unit_test(test_rows_numbers),
        cmocka_unit_test(test_rows_clamp),
        cmocka_unit_test(test_rows_crlf_bom),
        cmocka_unit_test(test_rows_duplicates),
        cmocka_unit_test(test_rows_keep_going_and_limits),
        cmocka_unit_test(test_yaml_names),
        cmocka_unit_test(test_yaml_bad),
        cmocka_unit_test(test_path_rule),
        cmocka_unit_test(test_bridge_two),
        cmocka_unit_test(test_bridge_pixels),
        cmocka_unit_test(test_write_detect),
        cmocka_unit_test(test_write_segment),
        cmocka_unit_test(test_write_collision),
        cmocka_unit_test(test_yaml_names_escaped),
        cmocka_unit_test(test_read_roundtrip),
        cmocka_unit_test(test_read_roboflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
