/* SPDX-License-Identifier: MIT */
/* The dataset checker: each broken dataset under tests/data/check/ (COCO) and
 * tests/data/check_voc/ (Pascal VOC) gives exactly the problems listed next to it,
 * the samples check clean, and a dataset the checker finds no error in is one the
 * strict reader accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boxmix.h"
#include "json.h"

#include <inttypes.h>
#include <math.h>

#ifndef BMX_SOURCE_ROOT
#define BMX_SOURCE_ROOT ".."
#endif

#define CASES BMX_SOURCE_ROOT "/tests/data/check"
#define VOC_CASES BMX_SOURCE_ROOT "/tests/data/check_voc"

/* The problems of one run, as "PATH: SEVERITY: MESSAGE [CODE]" lines. */
struct collected {
    const char *file;   /* the annotation path every problem must name */
    const char *images; /* replaced by "{images}" in messages */
    char *text;
    size_t len, cap;
    size_t lines;
    uint64_t errors, warnings;
};

static void append(struct collected *col, const char *s, size_t n)
{
    if (col->len + n + 1 > col->cap) {
        size_t cap = col->cap ? col->cap : 1024;
        while (cap < col->len + n + 1) {
            cap *= 2;
        }
        col->text = realloc(col->text, cap);
        assert_non_null(col->text);
        col->cap = cap;
    }
    memcpy(col->text + col->len, s, n);
    col->len += n;
    col->text[col->len] = '\0';
}

static void collect(const struct bmx_problem *p, void *ctx)
{
    struct collected *col = ctx;
    assert_string_equal(p->file, col->file);
    assert_true(p->severity == BMX_SEVERITY_ERROR || p->severity == BMX_SEVERITY_WARNING);
    assert_true(p->code[0] != '\0' && p->path[0] != '\0' && p->message[0] != '\0');
    char line[2048];
    snprintf(line, sizeof line, "%s: %s: %s [%s]\n", p->path, bmx_severity_name(p->severity),
             p->message, p->code);
    /* the images folder varies with the build: write it as {images} */
    const char *s = line;
    size_t il = col->images ? strlen(col->images) : 0;
    while (*s) {
        if (il > 0 && strncmp(s, col->images, il) == 0) {
            append(col, "{images}", 8);
            s += il;
        } else {
            append(col, s, 1);
            s++;
        }
    }
    col->lines++;
    if (p->severity == BMX_SEVERITY_ERROR) {
        col->errors++;
    } else {
        col->warnings++;
    }
}

/* VOC problems name several files: "FILE: PATH: SEVERITY: MESSAGE [CODE]" lines,
 * FILE relative to the case folder and the case folder written {case}. */
struct voc_collected {
    const char *dir; /* the case folder */
    struct collected col;
};

static void collect_voc(const struct bmx_problem *p, void *ctx)
{
    struct voc_collected *vc = ctx;
    size_t dl = strlen(vc->dir);
    assert_true(strncmp(p->file, vc->dir, dl) == 0 && p->file[dl] == '/');
    assert_true(p->severity == BMX_SEVERITY_ERROR || p->severity == BMX_SEVERITY_WARNING);
    assert_true(p->code[0] != '\0' && p->path[0] != '\0' && p->message[0] != '\0');
    char line[2600];
    snprintf(line, sizeof line, "%s: %s: %s: %s [%s]\n", p->file + dl + 1, p->path,
             bmx_severity_name(p->severity), p->message, p->code);
    for (const char *s = line; *s;) {
        if (strncmp(s, vc->dir, dl) == 0) {
            append(&vc->col, "{case}", 6);
            s += dl;
        } else {
            append(&vc->col, s, 1);
            s++;
        }
    }
    vc->col.lines++;
    if (p->severity == BMX_SEVERITY_ERROR) {
        vc->col.errors++;
    } else {
        vc->col.warnings++;
    }
}

/* The whole file, "" when it does not exist. */
static char *slurp(const char *path, bool *exists)
{
    FILE *f = fopen(path, "rb");
    if (exists != NULL) {
        *exists = f != NULL;
    }
    if (f == NULL) {
        char *e = calloc(1, 1);
        assert_non_null(e);
        return e;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    return b;
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static size_t count_severity(const char *text, const char *sev)
{
    size_t n = 0;
    char pat[32];
    snprintf(pat, sizeof pat, ": %s: ", sev);
    for (const char *p = text; (p = strstr(p, pat)) != NULL; p++) {
        n++;
    }
    return n;
}

/* Run one case and compare with its expected file; return the error count. */
static uint64_t run_case(const char *name, bool decode, const char *expected_file)
{
    char ann[512], images[512], exp_path[512];
    snprintf(ann, sizeof ann, CASES "/%s/annotations.json", name);
    snprintf(images, sizeof images, CASES "/%s/images", name);
    snprintf(exp_path, sizeof exp_path, CASES "/%s/%s", name, expected_file);

    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.annotations = ann;
    o.input.images = is_dir(images) ? images : NULL;
    o.decode = decode;
    struct collected col = {.file = ann, .images = o.input.images};
    struct bmx_check_summary sum;
    bmx_error err = {0};
    bmx_status st = bmx_check_run(&o, collect, &col, &sum, &err);
    if (st != BMX_OK) {
        fail_msg("%s: bmx_check_run failed: %s", name, err.message);
    }
    char *expected = slurp(exp_path, NULL);
    const char *got = col.text ? col.text : "";
    if (strcmp(got, expected) != 0) {
        print_error("case %s%s\n--- expected\n%s--- got\n%s", name, decode ? " (--decode)" : "",
                    expected, got);
        fail();
    }
    assert_int_equal(sum.errors, col.errors);
    assert_int_equal(sum.warnings, col.warnings);
    assert_int_equal(col.errors, count_severity(expected, "error"));
    assert_int_equal(col.warnings, count_severity(expected, "warning"));
    free(expected);
    free(col.text);
    return sum.errors;
}

/* Whether some error line of `expected` ("PATH: error: MESSAGE [CODE]") is one the
 * strict reader refuses a file for too: every code but the checker's own, which
 * hold files the reader takes to more (boxes and areas against their masks and
 * the image, file names outside the image folder, the image files themselves). */
static bool has_reader_error(const char *expected)
{
    static const char *const checker_only[] = {
        "bbox-outside-image", "bbox-mismatch",     "area-mismatch",
        "area-exceeds-box",   "file-name-escapes", "image-missing",
        "image-unreadable",   "image-undecodable", "image-size-mismatch",
    };
    for (const char *line = expected; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        const char *open = NULL;
        for (const char *p = line; p < line + len; p++) {
            if (*p == '[') {
                open = p;
            }
        }
        const char *sev = strstr(line, ": error: ");
        if (sev != NULL && sev < line + len && open != NULL && line[len - 1] == ']') {
            size_t n = (size_t)(line + len - 1 - (open + 1));
            bool own = false;
            for (size_t k = 0; k < sizeof checker_only / sizeof checker_only[0]; k++) {
                own = own ||
                      (strlen(checker_only[k]) == n && strncmp(open + 1, checker_only[k], n) == 0);
            }
            if (!own) {
                return true;
            }
        }
        line += len + (nl != NULL);
    }
    return false;
}

/* Every case, as listed in cases.txt. */
static void test_cases(void **state)
{
    (void)state;
    char *list = slurp(CASES "/cases.txt", NULL);
    size_t n = 0;
    for (char *name = strtok(list, "\n"); name != NULL; name = strtok(NULL, "\n")) {
        uint64_t errors = run_case(name, false, "expected.txt");
        char dec[512];
        snprintf(dec, sizeof dec, CASES "/%s/expected-decode.txt", name);
        bool has_decode;
        free(slurp(dec, &has_decode));
        if (has_decode) {
            run_case(name, true, "expected-decode.txt");
        }
        /* A file without errors is one the strict reader takes, with the default
         * limits (image files aside); and one with an error that is a rule of the
         * reader's is one it refuses. */
        char ann[512], exp_path[512];
        snprintf(ann, sizeof ann, CASES "/%s/annotations.json", name);
        snprintf(exp_path, sizeof exp_path, CASES "/%s/expected.txt", name);
        bmx_dataset *ds = NULL;
        bmx_error err = {0};
        bmx_status st = bmx_dataset_read_coco_limited(ann, NULL, &ds, &err);
        if (errors == 0 && st != BMX_OK) {
            fail_msg("case %s: the checker found no error, the reader says: %s", name, err.message);
        }
        char *expected = slurp(exp_path, NULL);
        if (st == BMX_OK && has_reader_error(expected)) {
            fail_msg("case %s: the checker found an error the reader refuses files for, but the "
                     "reader takes it",
                     name);
        }
        free(expected);
        bmx_dataset_free(ds);
        n++;
    }
    free(list);
    assert_true(n >= 40);
}

/* The many-problems case really holds many, of both severities. */
static void test_many_problems(void **state)
{
    (void)state;
    char *expected = slurp(CASES "/many-problems/expected.txt", NULL);
    assert_true(count_severity(expected, "error") >= 10);
    assert_true(count_severity(expected, "warning") >= 3);
    free(expected);
}

/* --strict: warnings are reported and counted as errors. */
static void test_strict(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.annotations = CASES "/bbox-off-by-one/annotations.json";
    o.strict = true;
    struct collected col = {.file = o.input.annotations};
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, collect, &col, &sum, NULL), BMX_OK);
    assert_int_equal(sum.errors, 1);
    assert_int_equal(sum.warnings, 0);
    assert_non_null(strstr(col.text, ": error: "));
    assert_non_null(strstr(col.text, "[bbox-off-by-one]"));
    free(col.text);
}

/* The samples: no error; the one minimal annotation (no area, no iscrowd, kept on
 * purpose to exercise optional fields) gives the only two warnings. */
static void test_samples(void **state)
{
    (void)state;
    static const char expected[] =
        "annotations[40].area: warning: missing (COCO evaluation reads every object's area) "
        "[missing-recommended-key]\n"
        "annotations[40].iscrowd: warning: missing (COCO evaluation reads every object's "
        "iscrowd) [missing-recommended-key]\n";
    for (int decode = 0; decode < 2; decode++) {
        struct bmx_check_options o;
        bmx_check_options_init(&o);
        o.input.annotations = BMX_SOURCE_ROOT "/samples/coco/annotations.json";
        o.input.images = BMX_SOURCE_ROOT "/samples/images";
        o.decode = decode != 0;
        struct collected col = {.file = o.input.annotations, .images = o.input.images};
        struct bmx_check_summary sum;
        bmx_error err = {0};
        assert_int_equal(bmx_check_run(&o, collect, &col, &sum, &err), BMX_OK);
        assert_string_equal(col.text, expected);
        assert_int_equal(sum.errors, 0);
        assert_int_equal(sum.warnings, 2);
        assert_int_equal(sum.images, 8);
        assert_int_equal(sum.annotations, 41);
        assert_int_equal(sum.categories, 4);
        assert_int_equal(sum.image_files, 8);
        free(col.text);
    }
}

/* Counting without a callback gives the same totals. */
static void test_no_callback(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.annotations = CASES "/many-problems/annotations.json";
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, NULL), BMX_OK);
    char *expected = slurp(CASES "/many-problems/expected.txt", NULL);
    assert_int_equal(sum.errors, count_severity(expected, "error"));
    assert_int_equal(sum.warnings, count_severity(expected, "warning"));
    assert_int_equal(sum.images, 4);
    assert_int_equal(sum.annotations, 6);
    assert_int_equal(sum.categories, 3);
    assert_int_equal(sum.image_files, 0);
    free(expected);
}

/* Failures to run are statuses, not problems. */
static void test_run_failures(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_error err = {0};
    struct bmx_check_summary sum;
    bmx_check_options_init(&o);
    assert_int_equal(o.input.format, BMX_DATASET_COCO);
    assert_null(o.input.images);
    assert_false(o.decode);
    assert_false(o.strict);
    assert_true(o.limits.max_image_pixels > 0);
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);

    o.input.annotations = CASES "/no-such-case/annotations.json";
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_IO);
    assert_non_null(strstr(err.message, "no-such-case/annotations.json"));

    o.input.annotations = CASES "/clean/annotations.json";
    o.decode = true;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);

    o.decode = false;
    o.input.format = (enum bmx_dataset_format)7;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);
}

/* An image over the pixel limit is reported when decoding. */
static void test_decode_limit(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.annotations = CASES "/images-clean/annotations.json";
    o.input.images = CASES "/images-clean/images";
    o.decode = true;
    o.limits.max_image_pixels = 5000; /* a.png is 100x80 = 8000 pixels */
    struct collected col = {.file = o.input.annotations, .images = o.input.images};
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, collect, &col, &sum, NULL), BMX_OK);
    /* the record declares as many pixels: the limited reader refuses it already */
    assert_int_equal(sum.errors, 2);
    assert_non_null(strstr(col.text, "images[0]: error: 100x80 = 8000 pixels, more than the limit "
                                     "of 5000 [image-too-large]\n"));
    assert_non_null(strstr(col.text, "images[0].file_name: error: {images}/a.png: "));
    free(col.text);
}

/* Run the checker (with `limits`, NULL: the defaults) on `json` written to a
 * temporary file; the problems go to *col. With `read_err`, the limited reader
 * reads the same file with the same limits: its status is returned, its message
 * left there. */
static bmx_status run_text_read(const char *json, const struct bmx_limits *limits,
                                struct collected *col, struct bmx_check_summary *sum,
                                bmx_error *read_err)
{
    char dir[] = "/tmp/bmx-check-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/a.json", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(json, 1, strlen(json), f), strlen(json));
    assert_int_equal(fclose(f), 0);
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    if (limits != NULL) {
        o.limits = *limits;
    }
    o.input.annotations = path;
    *col = (struct collected){.file = path};
    bmx_error err = {0};
    bmx_status st = bmx_check_run(&o, collect, col, sum, &err);
    bmx_status rst = BMX_OK;
    if (read_err != NULL) {
        bmx_dataset *ds = NULL;
        rst = bmx_dataset_read_coco_limited(path, &o.limits, &ds, read_err);
        bmx_dataset_free(ds);
    }
    remove(path);
    rmdir(dir);
    if (st != BMX_OK) {
        fail_msg("bmx_check_run failed: %s", err.message);
    }
    return rst;
}

/* Run the checker on `json` written to a temporary file; the problems go to *col. */
static void run_text(const char *json, struct collected *col, struct bmx_check_summary *sum)
{
    run_text_read(json, NULL, col, sum, NULL);
}

/* A growing text, for the large generated files. */
struct text {
    char *s;
    size_t n, cap;
};

static void text_printf(struct text *t, const char *fmt, ...)
{
    if (t->s == NULL) {
        t->cap = 1 << 20;
        t->s = malloc(t->cap);
        assert_non_null(t->s);
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        assert_true(k >= 0);
        if (t->n + (size_t)k < t->cap) {
            t->n += (size_t)k;
            return;
        }
        t->cap = 2 * t->cap + (size_t)k + 1;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
}

/* Records are checked categories, then images, then annotations, whatever their
 * order in the file; each record is parsed on its own, so the string ids and
 * file names kept for later records (and for the annotations) must not be the
 * record's passing text: images[2] repeats images[0]'s id and file name after
 * images[1] took its place in the parser's memory, and annotations[0] finds its
 * 100x80 image by string id. */
static void test_section_order(void **state)
{
    (void)state;
    static const char json[] =
        "{\"annotations\": [\n"
        "  {\"id\": 1, \"image_id\": \"img-a\", \"category_id\": 1, \"bbox\": [90, 10, 20, 10],"
        " \"area\": 200, \"iscrowd\": 0},\n"
        "  {\"id\": 2, \"image_id\": \"img-b\", \"category_id\": 2, \"bbox\": [10, 10, 20, 10],"
        " \"area\": 200, \"iscrowd\": 0, \"extra\": [1, 1e999]},\n"
        "  {\"id\": 1, \"image_id\": \"img-z\", \"category_id\": 9, \"bbox\": [1, 1, 2, 2],"
        " \"area\": 4, \"iscrowd\": 0},\n"
        "  {\"id\": 3, \"image_id\": 7, \"category_id\": 1, \"bbox\": [1, 1, 2, 2], \"area\": 4,"
        " \"iscrowd\": 0, \"id\": 4}\n"
        " ],\n"
        " \"info\": {\"version\": 1e400},\n"
        " \"images\": [\n"
        "  {\"id\": \"img-a\", \"file_name\": \"a.jpg\", \"width\": 100, \"height\": 80},\n"
        "  {\"id\": \"img-b\", \"file_name\": \"b.jpg\", \"width\": 640, \"height\": 480},\n"
        "  {\"id\": \"img-a\", \"file_name\": \"a.jpg\", \"width\": 50, \"height\": 50},\n"
        "  {\"id\": \"7\", \"file_name\": \"c.jpg\", \"width\": 30, \"height\": 30}\n"
        " ],\n"
        " \"categories\": [{\"id\": 1, \"name\": \"cat\"}, {\"id\": 2, \"name\": \"dog\"},"
        " {\"id\": 1, \"name\": 3}]\n"
        "}\n";
    static const char expected[] =
        "info.version: error: number out of range (not finite) [non-finite]\n"
        "categories[2].id: error: duplicate id 1 (also categories[0]) [duplicate-id]\n"
        "categories[2].name: error: expected a string, got a number [wrong-type]\n"
        "images[2].id: error: duplicate id \"img-a\" (also images[0]) [duplicate-id]\n"
        "images[2].file_name: warning: \"a.jpg\" is also the file of images[0] "
        "[duplicate-file-name]\n"
        "annotations[0].bbox: error: [90, 10, 20, 10] extends 10 px beyond the 100x80 image "
        "[bbox-outside-image]\n"
        "annotations[1].extra[1]: error: number out of range (not finite) [non-finite]\n"
        "annotations[2].id: error: duplicate id 1 (also annotations[0]) [duplicate-id]\n"
        "annotations[2].image_id: error: no image has id \"img-z\" [unknown-image-id]\n"
        "annotations[2].category_id: error: no category has id 9 [unknown-category-id]\n"
        "annotations[3].id: error: key repeated in one object (readers disagree on which value "
        "wins) [duplicate-key]\n"
        "annotations[3].image_id: warning: 7 names images[3] whose id is spelled as a string "
        "(other tools will not match them) [image-id-spelling]\n";
    struct collected col;
    struct bmx_check_summary sum;
    run_text(json, &col, &sum);
    assert_string_equal(col.text, expected);
    assert_int_equal(sum.errors, 10);
    assert_int_equal(sum.warnings, 2);
    assert_int_equal(sum.images, 4);
    assert_int_equal(sum.annotations, 4);
    assert_int_equal(sum.categories, 3);
    free(col.text);
}

/* Many records with string ids: every id outlives its record (a thousand images,
 * each id then referenced, one spelled differently, one repeated at the end). */
static void test_string_ids_many(void **state)
{
    (void)state;
    size_t cap = 1 << 20, n = 0;
    char *json = malloc(cap);
    assert_non_null(json);
    n += (size_t)snprintf(json + n, cap - n, "{\"categories\": [{\"id\": 1, \"name\": \"c\"}],"
                                             " \"images\": [");
    for (int i = 0; i < 1000; i++) {
        n += (size_t)snprintf(json + n, cap - n,
                              "%s{\"id\": \"image-%04d\", \"file_name\": \"f%d.jpg\","
                              " \"width\": %d, \"height\": 50}",
                              i ? ", " : "", i, i, 100 + i);
    }
    n += (size_t)snprintf(json + n, cap - n,
                          ", {\"id\": \"image-0500\", \"file_name\": \"g.jpg\", \"width\": 9,"
                          " \"height\": 9}], \"annotations\": [");
    for (int i = 0; i < 1000; i++) {
        /* the box ends 5 px past the right edge of its own image only */
        n += (size_t)snprintf(json + n, cap - n,
                              "%s{\"id\": %d, \"image_id\": \"image-%04d\", \"category_id\": 1,"
                              " \"bbox\": [%d, 0, 10, 10], \"area\": 100, \"iscrowd\": 0}",
                              i ? ", " : "", i, 999 - i, 100 + (999 - i) - 5);
    }
    n += (size_t)snprintf(json + n, cap - n, "]}");
    assert_true(n < cap);
    struct collected col;
    struct bmx_check_summary sum;
    run_text(json, &col, &sum);
    /* the repeated id, then each box is past its own image by exactly 5 px */
    assert_non_null(strstr(col.text, "images[1000].id: error: duplicate id \"image-0500\" "
                                     "(also images[500]) [duplicate-id]\n"));
    assert_int_equal(sum.errors, 1001);
    assert_int_equal(sum.warnings, 0);
    assert_int_equal(sum.images, 1001);
    assert_int_equal(sum.annotations, 1000);
    char line[256];
    snprintf(line, sizeof line,
             "annotations[0].bbox: error: [1094, 0, 10, 10] extends 5 px beyond the 1099x50 image "
             "[bbox-outside-image]\n");
    assert_non_null(strstr(col.text, line));
    snprintf(line, sizeof line,
             "annotations[999].bbox: error: [95, 0, 10, 10] extends 5 px beyond the 100x50 image "
             "[bbox-outside-image]\n");
    assert_non_null(strstr(col.text, line));
    free(col.text);
    free(json);
}

/* One id, one image: image ids that spell one number ("1" and 1, "07" and "7") are a
 * duplicate-id error, as the strict reader says; before, the checker passed them.
 * An annotation's image_id may still spell its image's id either way (a warning),
 * and every image id that is no duplicate is still known to the annotations. */
static void test_duplicate_id_spellings(void **state)
{
    (void)state;
    static const char json[] =
        "{\"categories\": [{\"id\": 1, \"name\": \"c\"}],\n"
        " \"images\": [\n"
        "  {\"id\": \"1\", \"file_name\": \"a.jpg\", \"width\": 10, \"height\": 10},\n"
        "  {\"id\": 2, \"file_name\": \"b.jpg\", \"width\": 10, \"height\": 10},\n"
        "  {\"id\": 7, \"file_name\": \"c.jpg\", \"width\": 10, \"height\": 10},\n"
        "  {\"id\": 1, \"file_name\": \"d.jpg\", \"width\": 10, \"height\": 10},\n"
        "  {\"id\": \"07\", \"file_name\": \"e.jpg\", \"width\": 10, \"height\": 10},\n"
        "  {\"id\": \"2\", \"file_name\": \"f.jpg\", \"width\": 10, \"height\": 10},\n"
        "  {\"id\": \"x7\", \"file_name\": \"g.jpg\", \"width\": 10, \"height\": 10}\n"
        " ],\n"
        " \"annotations\": [\n"
        "  {\"id\": 1, \"image_id\": \"1\", \"category_id\": 1, \"bbox\": [1, 1, 2, 2],"
        " \"area\": 4, \"iscrowd\": 0},\n"
        "  {\"id\": 2, \"image_id\": \"x7\", \"category_id\": 1, \"bbox\": [1, 1, 2, 2],"
        " \"area\": 4, \"iscrowd\": 0},\n"
        "  {\"id\": 3, \"image_id\": \"7\", \"category_id\": 1, \"bbox\": [1, 1, 2, 2],"
        " \"area\": 4, \"iscrowd\": 0}\n"
        " ]}\n";
    static const char expected[] =
        "images[3].id: error: duplicate id 1 (also images[0], spelled \"1\") [duplicate-id]\n"
        "images[4].id: error: duplicate id \"07\" (also images[2], spelled 7) [duplicate-id]\n"
        "images[5].id: error: duplicate id \"2\" (also images[1], spelled 2) [duplicate-id]\n"
        "annotations[2].image_id: warning: \"7\" names images[2] whose id is spelled as a number "
        "(other tools will not match them) [image-id-spelling]\n";
    struct collected col;
    struct bmx_check_summary sum;
    run_text(json, &col, &sum);
    assert_string_equal(col.text, expected);
    assert_int_equal(sum.errors, 3);
    assert_int_equal(sum.warnings, 1);
    free(col.text);
}

/* The checker applies the reader's limits (struct bmx_limits, the defaults): a
 * 100,001st annotation on one image is an error where the limited reader refuses
 * the file; before, the checker said nothing. Reported once, at the first one past
 * the limit, whichever way image_id spells the id. */
static void test_check_annotations_per_image_limit(void **state)
{
    (void)state;
    struct bmx_limits lim;
    bmx_limits_init(&lim);
    assert_true(lim.max_objects_per_image == 100000);
    struct text t = {0};
    text_printf(&t, "{\"categories\": [{\"id\": 1, \"name\": \"c\"}], \"images\": ["
                    "{\"id\": 3, \"file_name\": \"a.jpg\", \"width\": 10, \"height\": 10}, "
                    "{\"id\": 7, \"file_name\": \"b.jpg\", \"width\": 10, \"height\": 10}], "
                    "\"annotations\": [");
    /* image 3 gets one annotation, then image 7 100,002: its 100,001st is
     * annotations[100001] */
    text_printf(&t, "{\"id\": 1, \"image_id\": 3, \"category_id\": 1, \"bbox\": [0, 0, 1, 1],"
                    " \"area\": 1, \"iscrowd\": 0}");
    for (int i = 2; i <= 100003; i++) {
        text_printf(&t,
                    ",\n{\"id\": %d, \"image_id\": 7, \"category_id\": 1,"
                    " \"bbox\": [0, 0, 1, 1], \"area\": 1, \"iscrowd\": 0}",
                    i);
    }
    text_printf(&t, "]}\n");
    struct collected col;
    struct bmx_check_summary sum;
    bmx_error rerr = {0};
    assert_int_equal(run_text_read(t.s, NULL, &col, &sum, &rerr), BMX_E_LIMIT);
    assert_non_null(strstr(rerr.message, "annotations[100001].image_id: image 7 has more than "
                                         "100000 annotations (limit)"));
    assert_string_equal(col.text, "annotations[100001].image_id: error: image 7 has more than "
                                  "100000 annotations (limit) [limit-exceeded]\n");
    assert_int_equal(sum.errors, 1);
    assert_int_equal(sum.warnings, 0);
    free(col.text);

    /* exactly at the limit: both take it */
    char *cut = strstr(t.s, ",\n{\"id\": 100002,");
    assert_non_null(cut);
    memcpy(cut, "]}\n", 4);
    assert_int_equal(run_text_read(t.s, NULL, &col, &sum, &rerr), BMX_OK);
    assert_null(col.text);
    assert_int_equal(sum.errors, 0);

    /* a lower limit, and an image_id spelled as a string */
    static const char small[] =
        "{\"categories\": [{\"id\": 1, \"name\": \"c\"}], \"images\": ["
        "{\"id\": 7, \"file_name\": \"b.jpg\", \"width\": 10, \"height\": 10}], "
        "\"annotations\": ["
        "{\"id\": 1, \"image_id\": 7, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1,"
        " \"iscrowd\": 0},"
        "{\"id\": 2, \"image_id\": \"7\", \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1,"
        " \"iscrowd\": 0},"
        "{\"id\": 3, \"image_id\": 7, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1,"
        " \"iscrowd\": 0}]}";
    lim.max_objects_per_image = 1;
    assert_int_equal(run_text_read(small, &lim, &col, &sum, &rerr), BMX_E_LIMIT);
    assert_string_equal(col.text,
                        "annotations[1].image_id: warning: \"7\" names images[0] whose id is "
                        "spelled as a number (other tools will not match them) "
                        "[image-id-spelling]\n"
                        "annotations[1].image_id: error: image \"7\" has more than 1 annotations "
                        "(limit) [limit-exceeded]\n");
    free(col.text);
    free(t.s);
}

/* Likewise the limit of polygon vertices per annotation, counted over its rings:
 * 1,000,001 vertices (otherwise a clean polygon: box and area agree) are an error. */
static void test_check_polygon_vertex_limit(void **state)
{
    (void)state;
    struct bmx_limits lim;
    bmx_limits_init(&lim);
    assert_true(lim.max_polygon_vertices == 1000000);
    /* the 1000000 x 10 band with 999,998 more vertices along its top edge, down to
     * (2, 10): area 1e7 minus the triangle (0,0) (2,10) (0,10) */
    struct text t = {0};
    text_printf(&t, "{\"categories\": [{\"id\": 1, \"name\": \"c\"}], \"images\": ["
                    "{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 1000000, \"height\": 20}], "
                    "\"annotations\": ["
                    "{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 2, 2],"
                    " \"area\": 2, \"iscrowd\": 0, \"segmentation\": [[0, 0, 2, 0, 2, 2]]},\n"
                    "{\"id\": 2, \"image_id\": 1, \"category_id\": 1,"
                    " \"bbox\": [0, 0, 1000000, 10], \"area\": 9999990, \"iscrowd\": 0,"
                    " \"segmentation\": [[0, 0, 1000000, 0, 1000000, 10");
    for (int x = 999999; x >= 2; x--) {
        text_printf(&t, ", %d, 10", x);
    }
    text_printf(&t, "]]}]}\n");
    struct collected col;
    struct bmx_check_summary sum;
    bmx_error rerr = {0};
    assert_int_equal(run_text_read(t.s, NULL, &col, &sum, &rerr), BMX_E_LIMIT);
    assert_non_null(strstr(rerr.message, "annotations[1].segmentation: 1000001 polygon vertices"));
    assert_string_equal(col.text, "annotations[1].segmentation: error: 1000001 polygon vertices, "
                                  "more than the limit of 1000000 [limit-exceeded]\n");
    assert_int_equal(sum.errors, 1);
    free(col.text);

    /* over two rings, at and past a lower limit */
    static const char two[] =
        "{\"categories\": [{\"id\": 1, \"name\": \"c\"}], \"images\": ["
        "{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 10, \"height\": 10}], "
        "\"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1,"
        " \"bbox\": [0, 0, 4, 4], \"area\": 6, \"iscrowd\": 0,"
        " \"segmentation\": [[0, 0, 2, 0, 2, 2], [2, 2, 4, 2, 4, 4, 2, 4]]}]}";
    lim.max_polygon_vertices = 7;
    assert_int_equal(run_text_read(two, &lim, &col, &sum, &rerr), BMX_OK);
    assert_null(col.text);
    lim.max_polygon_vertices = 6;
    assert_int_equal(run_text_read(two, &lim, &col, &sum, &rerr), BMX_E_LIMIT);
    assert_string_equal(col.text, "annotations[0].segmentation: error: 7 polygon vertices, more "
                                  "than the limit of 6 [limit-exceeded]\n");
    free(col.text);
    free(t.s);
}

/* And the pixels an image record declares (the reader refuses the record before
 * any file is read). */
static void test_check_image_pixel_limit(void **state)
{
    (void)state;
    static const char json[] =
        "{\"categories\": [], \"annotations\": [], \"images\": ["
        "{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 13377, \"height\": 13378},"
        "{\"id\": 2, \"file_name\": \"b.jpg\", \"width\": 13377, \"height\": 13377}]}";
    struct collected col;
    struct bmx_check_summary sum;
    bmx_error rerr = {0};
    assert_int_equal(run_text_read(json, NULL, &col, &sum, &rerr), BMX_E_LIMIT);
    assert_non_null(strstr(rerr.message, "images[0]: 13377x13378 = 178957506 pixels, more than "
                                         "the limit of 178956970"));
    assert_string_equal(col.text, "images[0]: error: 13377x13378 = 178957506 pixels, more than "
                                  "the limit of 178956970 [image-too-large]\n");
    free(col.text);
}

/* ---- keypoints: the rules of lib/keypoints.h, applied as the reader applies them ---- */

/* The brief's own examples, with the sections in the other order: the annotations
 * come first, so the category's 17 keypoints and the image's size are known only
 * later in the file; the checker checks categories and images first. */
static void test_check_keypoints_sections_any_order(void **state)
{
    (void)state;
    struct text t = {0};
    text_printf(&t, "{\"annotations\": [\n"
                    " {\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [10, 10, 60, 50],"
                    " \"area\": 3000, \"iscrowd\": 0, \"keypoints\": [");
    for (int k = 0; k < 16; k++) {
        text_printf(&t, "%s%d, 20, 2", k ? ", " : "", 20 + k);
    }
    text_printf(&t, "]},\n {\"id\": 2, \"image_id\": 1, \"category_id\": 1,"
                    " \"bbox\": [10, 10, 60, 50], \"area\": 3000, \"iscrowd\": 0,"
                    " \"num_keypoints\": 17, \"keypoints\": [");
    for (int k = 0; k < 17; k++) {
        /* point 4 lies left of the box */
        text_printf(&t, "%s%d, 40, 2", k ? ", " : "", k == 4 ? 5 : 20 + k);
    }
    text_printf(&t, "]}],\n \"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 100,"
                    " \"height\": 80}],\n \"categories\": [{\"id\": 1, \"name\": \"person\","
                    " \"keypoints\": [");
    for (int k = 0; k < 17; k++) {
        text_printf(&t, "%s\"k%d\"", k ? ", " : "", k);
    }
    text_printf(&t, "], \"skeleton\": [[16, 14], [1, 17]]}]}\n");
    struct collected col;
    struct bmx_check_summary sum;
    bmx_error rerr = {0};
    assert_int_not_equal(run_text_read(t.s, NULL, &col, &sum, &rerr), BMX_OK);
    assert_non_null(strstr(rerr.message, "annotations[0].keypoints: expected 51 numbers"));
    assert_string_equal(col.text,
                        "annotations[0].keypoints: error: expected 51 numbers (x, y, v for each of "
                        "the category's 17 keypoints), got 48 [keypoints-count]\n"
                        "annotations[1].keypoints: warning: point 4: (5, 40) lies outside the "
                        "object's bbox (1 such point) [keypoint-outside-box]\n");
    assert_int_equal(sum.errors, 1);
    assert_int_equal(sum.warnings, 1);
    free(col.text);
    free(t.s);
}

/* A category without a list of keypoint names takes any whole number of x, y, v
 * triples (none included), and so does an annotation of an unknown category
 * (whose own error is reported); a count that is no multiple of 3 is an error. */
static void test_check_keypoints_no_category_list(void **state)
{
    (void)state;
    static const char *const lists[] = {"[]", "[1, 1, 2]", "[1, 1, 2, 0, 0, 0]",
                                        "[1, 1, 2, 2, 2, 1, 3, 3, 2, 4, 4, 2, 5, 5, 2, 6, 6, 2]"};
    char json[1024];
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        for (int cat = 1; cat <= 2; cat++) {
            snprintf(json, sizeof json,
                     "{\"categories\": [{\"id\": 1, \"name\": \"thing\"}], \"images\": [{\"id\": "
                     "1, \"file_name\": \"a.jpg\", \"width\": 10, \"height\": 10}], "
                     "\"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": %d, "
                     "\"bbox\": [0, 0, 8, 8], \"area\": 64, \"iscrowd\": 0, \"keypoints\": %s}]}",
                     cat == 1 ? 1 : 9, lists[i]);
            struct collected col;
            struct bmx_check_summary sum;
            bmx_error rerr = {0};
            bmx_status rst = run_text_read(json, NULL, &col, &sum, &rerr);
            if (cat == 1) {
                assert_int_equal(rst, BMX_OK);
                assert_null(col.text);
            } else {
                assert_int_not_equal(rst, BMX_OK);
                assert_string_equal(col.text, "annotations[0].category_id: error: no category has "
                                              "id 9 [unknown-category-id]\n");
            }
            free(col.text);
        }
    }
    snprintf(json, sizeof json,
             "{\"categories\": [{\"id\": 1, \"name\": \"thing\"}], \"images\": [{\"id\": 1, "
             "\"file_name\": \"a.jpg\", \"width\": 10, \"height\": 10}], \"annotations\": "
             "[{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 8, 8], "
             "\"area\": 64, \"iscrowd\": 0, \"keypoints\": [1, 1, 2, 3]}]}");
    struct collected col;
    struct bmx_check_summary sum;
    bmx_error rerr = {0};
    assert_int_not_equal(run_text_read(json, NULL, &col, &sum, &rerr), BMX_OK);
    assert_string_equal(col.text, "annotations[0].keypoints: error: expected x, y, v triples (a "
                                  "multiple of 3 numbers), got 4 [keypoints-count]\n");
    free(col.text);
}

/* Where checker and reader could drift apart, one variant at a time: the checker
 * reports an error exactly when the reader refuses the file, and the expected
 * problem (when given) is among those reported. Category 1 names 3 keypoints;
 * the image is 100x80, the box [10, 10, 50, 50]. */
static void test_check_keypoints_agree_with_reader(void **state)
{
    (void)state;
    static const char three[] = ", \"keypoints\": [\"a\", \"b\", \"c\"], \"skeleton\": [[1, 2]]";
    static const struct {
        const char *cat;      /* category 1's keypoint fields */
        const char *image_id; /* the annotation's */
        const char *ann;      /* its keypoint fields */
        bool error;
        const char *line; /* a line of the report, or NULL */
    } v[] = {
        {three, "1", ", \"keypoints\": [20, 20, 2, 30, 30, 1, 0, 0, 0], \"num_keypoints\": 2",
         false, NULL},
        {three, "1", ", \"num_keypoints\": 5", false, NULL},
        {three, "1", ", \"keypoints\": [20, 20, 2, 30, 30, 1, 0, 0, -0.0], \"num_keypoints\": -0.0",
         true,
         "annotations[0].num_keypoints: error: num_keypoints is -0, but 2 points are "
         "labelled (v > 0) [num-keypoints]"},
        {three, "1", ", \"keypoints\": [20, 20, 2, 30, 30, 1, 0, 0, 0], \"num_keypoints\": 2.0",
         false, NULL},
        {three, "1", ", \"keypoints\": [0, 0, 1, 99.5, 79.5, 2, 0, 0, 0]", false,
         "annotations[0].keypoints: warning: point 0: (0, 0) lies outside the object's bbox (2 "
         "such points) [keypoint-outside-box]"},
        {three, "1", ", \"keypoints\": [20, 20, 2, 100, 30, 1, 0, 0, 0]", true,
         "annotations[0].keypoints: error: point 1: (100, 30) is labelled but outside the 100x80 "
         "image (1 such point) [keypoint-outside-image]"},
        {three, "1", ", \"keypoints\": [20, 20, 2, -0.5, 30, 1, 0, 0, 0]", true, NULL},
        {three, "\"1\"", ", \"keypoints\": [20, 20, 2, 30, 80, 1, 0, 0, 0]", true,
         "annotations[0].keypoints: error: point 1: (30, 80) is labelled but outside the 100x80 "
         "image (1 such point) [keypoint-outside-image]"},
        {three, "1", ", \"keypoints\": [20, 20, 2.5, 30, 30, 1, 0, 0, 0]", true,
         "annotations[0].keypoints: error: point 0: v = 2.5; v is 0 (not labelled), 1 or 2 (1 "
         "such point) [keypoint-visibility]"},
        {three, "1", ", \"keypoints\": []", true,
         "annotations[0].keypoints: error: expected 9 numbers (x, y, v for each of the "
         "category's 3 keypoints), got 0 [keypoints-count]"},
        {three, "1", ", \"keypoints\": null", true,
         "annotations[0].keypoints: error: expected a list of numbers (x, y, v triples), got null "
         "[wrong-type]"},
        {three, "1", ", \"keypoints\": [20, 20, 2, 30, 30, true, 0, 0, 0]", true,
         "annotations[0].keypoints[5]: error: expected a number, got a boolean [wrong-type]"},
        {three, "1", ", \"keypoints\": [20, 20, 2, 30, 30, 1e400, 0, 0, 0]", true,
         "annotations[0].keypoints[5]: error: number out of range (not finite) [non-finite]"},
        {three, "1", ", \"num_keypoints\": null", true,
         "annotations[0].num_keypoints: error: expected a whole number >= 0, got null "
         "[wrong-type]"},
        {three, "1", ", \"num_keypoints\": -1", true,
         "annotations[0].num_keypoints: error: expected a whole number >= 0, got -1 [bad-value]"},
        {three, "1", ", \"num_keypoints\": 1000000000", false, NULL},
        {three, "1", ", \"num_keypoints\": 1000000001", true,
         "annotations[0].num_keypoints: error: expected a whole number >= 0 (at most "
         "1000000000), got 1000000001 [bad-value]"},
        {", \"keypoints\": [1, 2, {}]", "1", ", \"keypoints\": [20, 20, 2, 30, 30, 1, 0, 0, 0]",
         false, NULL},
        {", \"keypoints\": [], \"skeleton\": []", "1", ", \"keypoints\": [20, 20, 2]", false, NULL},
        {", \"keypoints\": null", "1", ", \"keypoints\": [20, 20, 2]", true,
         "categories[0].keypoints: error: expected a list of keypoint names, got null "
         "[wrong-type]"},
        {", \"keypoints\": {\"a\": 1}, \"skeleton\": [[1, 2]]", "1",
         ", \"keypoints\": [20, 20, 2, 30, 30, 2]", true, NULL},
        {", \"keypoints\": [\"a\", \"b\"], \"skeleton\": null", "1", "", true,
         "categories[0].skeleton: error: expected a list of [a, b] pairs, got null [wrong-type]"},
        {", \"keypoints\": [\"a\", \"b\"], \"skeleton\": [[1, 2.0], [2, 1]]", "1", "", false, NULL},
        {", \"keypoints\": [\"a\", \"b\"], \"skeleton\": [[1, 2, 1]]", "1", "", true,
         "categories[0].skeleton[0]: error: expected a pair [a, b] of keypoint numbers, got 3 "
         "items [wrong-type]"},
        {", \"keypoints\": [\"a\", \"b\"], \"skeleton\": [[1, \"2\"]]", "1", "", true,
         "categories[0].skeleton[0]: error: expected a pair [a, b] of keypoint numbers, got a "
         "string [wrong-type]"},
        {", \"keypoints\": [\"a\", \"b\"], \"skeleton\": [[1, 1.5]]", "1", "", true,
         "categories[0].skeleton[0]: error: [1, 1.5] is not a pair of keypoint numbers 1..2 (the "
         "category has 2 keypoints) [bad-value]"},
        {", \"keypoints\": [\"a\"], \"skeleton\": [[1, 2147483648]]", "1", "", true,
         "categories[0].skeleton[0]: error: [1, 2147483648] is not a pair of keypoint numbers "
         "1..1 (the category has 1 keypoint) [bad-value]"},
        {", \"keypoints\": \"a b\", \"skeleton\": [[1, 2], [0, 1]]", "1", "", true,
         "categories[0].skeleton[1]: error: [0, 1] is not a pair of keypoint numbers (whole "
         "numbers from 1) [bad-value]"},
    };
    char json[1024];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        snprintf(json, sizeof json,
                 "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 100, \"height\": "
                 "80}], \"categories\": [{\"id\": 1, \"name\": \"person\"%s}], \"annotations\": "
                 "[{\"id\": 1, \"image_id\": %s, \"category_id\": 1, \"bbox\": [10, 10, 50, 50], "
                 "\"area\": 2500, \"iscrowd\": 0%s}]}",
                 v[i].cat, v[i].image_id, v[i].ann);
        struct collected col;
        struct bmx_check_summary sum;
        bmx_error rerr = {0};
        bmx_status rst = run_text_read(json, NULL, &col, &sum, &rerr);
        const char *got = col.text != NULL ? col.text : "";
        if ((sum.errors > 0) != v[i].error || (rst != BMX_OK) != v[i].error) {
            fail_msg("variant %zu: checker %" PRIu64 " errors, reader %s\n%s\n%s", i, sum.errors,
                     rst == BMX_OK ? "takes it" : rerr.message, json, got);
        }
        if (v[i].line != NULL) {
            char want[512];
            snprintf(want, sizeof want, "%s\n", v[i].line);
            if (strstr(got, want) == NULL) {
                fail_msg("variant %zu: no line\n%s\nin\n%s", i, v[i].line, got);
            }
        }
        free(col.text);
    }
}

/* An annotation whose image is unknown: the keypoints are still held to their
 * count, values and num_keypoints, but not to an image nobody knows the size of
 * (no made-up size in a message). */
static void test_check_keypoints_unknown_image(void **state)
{
    (void)state;
    static const char json[] =
        "{\"categories\": [{\"id\": 1, \"name\": \"p\", \"keypoints\": [\"a\", \"b\"]}],"
        " \"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 10, \"height\": 10}],"
        " \"annotations\": [{\"id\": 1, \"image_id\": 7, \"category_id\": 1,"
        " \"bbox\": [0, 0, 8, 8], \"area\": 64, \"iscrowd\": 0, \"num_keypoints\": 1,"
        " \"keypoints\": [-5, 3, 2, 500, 4, 2]},"
        " {\"id\": 2, \"image_id\": 8, \"category_id\": 1,"
        " \"bbox\": [0, 0, 8, 8], \"area\": 64, \"iscrowd\": 0, \"keypoints\": [1, 1, 4, 2, 2]}]}";
    struct collected col;
    struct bmx_check_summary sum;
    bmx_error rerr = {0};
    assert_int_not_equal(run_text_read(json, NULL, &col, &sum, &rerr), BMX_OK);
    assert_string_equal(col.text,
                        "annotations[0].image_id: error: no image has id 7 [unknown-image-id]\n"
                        "annotations[0].num_keypoints: error: num_keypoints is 1, but 2 points are "
                        "labelled (v > 0) [num-keypoints]\n"
                        "annotations[0].keypoints: warning: point 1: (500, 4) lies outside the "
                        "object's bbox (1 such point) [keypoint-outside-box]\n"
                        "annotations[1].image_id: error: no image has id 8 [unknown-image-id]\n"
                        "annotations[1].keypoints: error: expected 6 numbers (x, y, v for each of "
                        "the category's 2 keypoints), got 5 [keypoints-count]\n");
    free(col.text);
}

/* The keypoint sample (samples/make_keypoints.py): 17 COCO person keypoints and
 * the skeleton on every annotation, and not one problem. */
static void test_check_keypoints_samples(void **state)
{
    (void)state;
    for (int decode = 0; decode < 2; decode++) {
        struct bmx_check_options o;
        bmx_check_options_init(&o);
        o.input.annotations = BMX_SOURCE_ROOT "/samples/keypoints/annotations.json";
        o.input.images = BMX_SOURCE_ROOT "/samples/keypoints/images";
        o.decode = decode != 0;
        struct collected col = {.file = o.input.annotations, .images = o.input.images};
        struct bmx_check_summary sum;
        bmx_error err = {0};
        assert_int_equal(bmx_check_run(&o, collect, &col, &sum, &err), BMX_OK);
        assert_null(col.text);
        assert_int_equal(sum.errors, 0);
        assert_int_equal(sum.warnings, 0);
        assert_true(sum.annotations > 0 && sum.image_files == sum.images);
    }
    bmx_dataset *ds = NULL;
    bmx_error err = {0};
    assert_int_equal(
        bmx_dataset_read_coco(BMX_SOURCE_ROOT "/samples/keypoints/annotations.json", &ds, &err),
        BMX_OK);
    bmx_dataset_free(ds);
}

/* The codes of problems the strict VOC reader itself refuses. */
static bool reader_refuses(const char *expected)
{
    static const char *const codes[] = {
        "[voc-xml-syntax]",        "[voc-wrong-root]",   "[voc-entity]",
        "[voc-missing-element]",   "[voc-bad-value]",    "[voc-box-inverted]",
        "[voc-box-outside-image]", "[voc-size-unknown]", "[voc-xml-missing]",
        "[voc-split-bad-id]",      "[unknown-label]",    "[voc-unreadable]",
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (strstr(expected, codes[i]) != NULL) {
            return true;
        }
    }
    return false;
}

/* Every VOC case of cases.txt ("NAME [split=S] [labels=FILE]"): exactly its
 * problems, and the strict reader agrees on whether the dataset reads. */
static void test_voc_cases(void **state)
{
    (void)state;
    char *list = slurp(VOC_CASES "/cases.txt", NULL);
    size_t n = 0, with_problems = 0;
    char *save = NULL;
    for (char *line = strtok_r(list, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char dir[512], labels_path[600], exp_path[600];
        char *name = strtok(line, " ");
        const char *split = NULL, *labels = NULL;
        for (char *opt = strtok(NULL, " "); opt != NULL; opt = strtok(NULL, " ")) {
            if (strncmp(opt, "split=", 6) == 0) {
                split = opt + 6;
            } else if (strncmp(opt, "labels=", 7) == 0) {
                labels = opt + 7;
            } else {
                fail_msg("cases.txt: unknown option %s", opt);
            }
        }
        snprintf(dir, sizeof dir, VOC_CASES "/%s", name);
        snprintf(exp_path, sizeof exp_path, "%s/expected.txt", dir);
        if (labels != NULL) {
            snprintf(labels_path, sizeof labels_path, "%s/%s", dir, labels);
        }
        struct bmx_check_options o;
        bmx_check_options_init(&o);
        o.input.format = BMX_DATASET_VOC;
        o.input.annotations = dir;
        o.input.voc_split = split;
        o.input.labels = labels != NULL ? labels_path : NULL;
        struct voc_collected vc = {.dir = dir};
        struct bmx_check_summary sum;
        bmx_error err = {0};
        if (bmx_check_run(&o, collect_voc, &vc, &sum, &err) != BMX_OK) {
            fail_msg("%s: bmx_check_run failed: %s", name, err.message);
        }
        char *expected = slurp(exp_path, NULL);
        const char *got = vc.col.text ? vc.col.text : "";
        if (strcmp(got, expected) != 0) {
            print_error("VOC case %s\n--- expected\n%s--- got\n%s", name, expected, got);
            fail();
        }
        assert_int_equal(sum.errors, vc.col.errors);
        assert_int_equal(sum.warnings, vc.col.warnings);
        assert_int_equal(sum.errors, count_severity(expected, "error"));
        assert_int_equal(sum.warnings, count_severity(expected, "warning"));
        with_problems += vc.col.lines > 0;

        /* The reader takes what the checker finds no error in, and refuses what
         * the checker says it refuses. */
        struct bmx_labels lab = {0};
        struct bmx_voc_options vo;
        bmx_voc_options_init(&vo);
        vo.split = split;
        if (labels != NULL) {
            assert_int_equal(bmx_labels_read(labels_path, &lab, NULL), BMX_OK);
            vo.labels = &lab;
        }
        bmx_dataset *ds = NULL;
        bmx_status st = bmx_dataset_read_voc(dir, &vo, &ds, &err);
        if (sum.errors == 0 && st != BMX_OK) {
            fail_msg("VOC case %s: the checker found no error, the reader says: %s", name,
                     err.message);
        }
        if (reader_refuses(expected) && st == BMX_OK) {
            fail_msg("VOC case %s: the checker says the reader refuses it, but it reads", name);
        }
        bmx_dataset_free(ds);
        bmx_labels_free(&lab);
        free(expected);
        free(vc.col.text);
        n++;
    }
    free(list);
    assert_true(n >= 20);
    assert_true(with_problems >= 18);
}

/* The VOC many-problems case: several files, both severities, and its totals. */
static void test_voc_many_problems(void **state)
{
    (void)state;
    char *expected = slurp(VOC_CASES "/many-problems/expected.txt", NULL);
    assert_true(count_severity(expected, "error") >= 5);
    assert_true(count_severity(expected, "warning") >= 3);
    for (const char *f = "abcde"; *f; f++) {
        char name[32];
        snprintf(name, sizeof name, "Annotations/%c.xml: ", *f);
        assert_non_null(strstr(expected, name));
    }
    assert_non_null(strstr(expected, "ImageSets/Main/train.txt: line 4: "));
    assert_null(strstr(expected, "unlisted.xml")); /* not in the split: not read */

    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.format = BMX_DATASET_VOC;
    o.input.annotations = VOC_CASES "/many-problems";
    o.input.voc_split = "train";
    o.input.labels = VOC_CASES "/many-problems/labels.txt";
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, NULL), BMX_OK);
    assert_int_equal(sum.errors, count_severity(expected, "error"));
    assert_int_equal(sum.warnings, count_severity(expected, "warning"));
    assert_int_equal(sum.images, 5);      /* a b c d e: the missing one and the repeat not */
    assert_int_equal(sum.annotations, 4); /* a: 2, d: 1, e: 1 (b and c do not read) */
    assert_int_equal(sum.categories, 2);  /* the labels */
    assert_int_equal(sum.image_files, 3); /* a d e */
    free(expected);

    /* without the split, every XML: unlisted.xml is not XML */
    o.input.voc_split = NULL;
    struct voc_collected vc = {.dir = VOC_CASES "/many-problems"};
    assert_int_equal(bmx_check_run(&o, collect_voc, &vc, &sum, NULL), BMX_OK);
    assert_int_equal(sum.images, 6);
    assert_non_null(strstr(vc.col.text, "Annotations/unlisted.xml: /: error: line 1: "));
    assert_non_null(strstr(vc.col.text, "[voc-xml-syntax]"));
    free(vc.col.text);
}

/* The VOC samples check clean, with or without their split, with decoding. */
static void test_voc_samples(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        struct bmx_check_options o;
        bmx_check_options_init(&o);
        o.input.format = BMX_DATASET_VOC;
        o.input.annotations = BMX_SOURCE_ROOT "/samples/voc";
        o.input.images = BMX_SOURCE_ROOT "/samples/images";
        o.input.voc_split = variant >= 1 ? "train" : NULL;
        o.decode = variant == 2;
        struct voc_collected vc = {.dir = o.input.annotations};
        struct bmx_check_summary sum;
        bmx_error err = {0};
        assert_int_equal(bmx_check_run(&o, collect_voc, &vc, &sum, &err), BMX_OK);
        assert_null(vc.col.text);
        assert_int_equal(sum.errors, 0);
        assert_int_equal(sum.warnings, 0);
        assert_int_equal(sum.images, 8);
        assert_int_equal(sum.annotations, 41);
        assert_int_equal(sum.categories, 4);
        assert_int_equal(sum.image_files, 8);
    }
}

/* One XML file: its own folder's ../JPEGImages holds the images. */
static void test_voc_single_file(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.format = BMX_DATASET_VOC;
    o.input.annotations = VOC_CASES "/clean/Annotations/a.xml";
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, NULL), BMX_OK);
    assert_int_equal(sum.errors + sum.warnings, 0);
    assert_int_equal(sum.images, 1);
    assert_int_equal(sum.annotations, 2);
    assert_int_equal(sum.image_files, 1);

    o.input.annotations = VOC_CASES "/image-size-mismatch/Annotations/b.xml";
    struct voc_collected vc = {.dir = VOC_CASES "/image-size-mismatch"};
    assert_int_equal(bmx_check_run(&o, collect_voc, &vc, &sum, NULL), BMX_OK);
    assert_string_equal(vc.col.text, "Annotations/b.xml: annotation/filename: error: "
                                     "{case}/Annotations/../JPEGImages/b.png is 64x50, <size> "
                                     "says 64x48 [image-size-mismatch]\n");
    free(vc.col.text);
}

/* --strict: the 1-pixel box warning becomes an error. */
static void test_voc_strict(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.format = BMX_DATASET_VOC;
    o.input.annotations = VOC_CASES "/one-pixel-box";
    o.strict = true;
    struct voc_collected vc = {.dir = o.input.annotations};
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, collect_voc, &vc, &sum, NULL), BMX_OK);
    assert_int_equal(sum.errors, 1);
    assert_int_equal(sum.warnings, 0);
    assert_non_null(strstr(vc.col.text, ": error: [11, 11, 11, 30]: xmin equals xmax"));
    free(vc.col.text);
}

/* Elements nested past the limit: one problem, the reader's limit. */
static void test_voc_too_deep(void **state)
{
    (void)state;
    char dir[] = "/tmp/bmx_check_voc_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ann[64], xml[96];
    snprintf(ann, sizeof ann, "%s/Annotations", dir);
    snprintf(xml, sizeof xml, "%s/deep.xml", ann);
    assert_int_equal(mkdir(ann, 0755), 0);
    FILE *f = fopen(xml, "w");
    assert_non_null(f);
    fputs("<annotation><filename>x.jpg</filename>\n", f);
    for (int i = 0; i < 70; i++) {
        fputs("<e>", f);
    }
    for (int i = 0; i < 70; i++) {
        fputs("</e>", f);
    }
    fputs("\n</annotation>\n", f);
    fclose(f);
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.format = BMX_DATASET_VOC;
    o.input.annotations = dir;
    struct voc_collected vc = {.dir = dir};
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, collect_voc, &vc, &sum, NULL), BMX_OK);
    assert_string_equal(vc.col.text, "Annotations/deep.xml: annotation: error: line 2: elements "
                                     "nested deeper than 64 [voc-too-deep]\n");
    free(vc.col.text);
    unlink(xml);
    rmdir(ann);
    rmdir(dir);
}

/* VOC runs that cannot start are statuses, not problems. */
static void test_voc_run_failures(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_error err = {0};
    struct bmx_check_summary sum;
    bmx_check_options_init(&o);
    o.input.format = BMX_DATASET_VOC;
    o.input.annotations = VOC_CASES "/no-such-case";
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_IO);
    assert_non_null(strstr(err.message, "no-such-case"));

    o.input.annotations = VOC_CASES; /* a folder without Annotations/ */
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_IO);
    assert_non_null(strstr(err.message, "no Annotations folder"));

    o.input.annotations = VOC_CASES "/clean";
    o.input.voc_split = "val"; /* no ImageSets/Main/val.txt */
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_IO);
    assert_non_null(strstr(err.message, "ImageSets/Main/val.txt"));
    o.input.voc_split = "../x";
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);

    o.input.annotations = VOC_CASES "/clean/Annotations/a.xml";
    o.input.voc_split = "train"; /* a split needs a folder */
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);

    o.input.annotations = VOC_CASES "/clean";
    o.input.voc_split = NULL;
    o.input.labels = VOC_CASES "/clean/no-labels.txt";
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_IO);

    /* decoding needs images: samples/voc has no JPEGImages/ */
    o.input.labels = NULL;
    o.input.annotations = BMX_SOURCE_ROOT "/samples/voc";
    o.decode = true;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);

    /* a split or labels with COCO */
    bmx_check_options_init(&o);
    o.input.annotations = CASES "/clean/annotations.json";
    o.input.labels = VOC_CASES "/clean/labels.txt";
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);
}

/* The checker's number text is printf's "%.Ng", made without printf where that is
 * exact: compare the two on the values messages carry (areas, coordinates, ties at
 * the rounding digit, powers of ten, tiny and huge, negative) at every precision. */
static void test_format_g_is_printf(void **state)
{
    static const double fixed[] = {
        0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 0.125, 1.25, 9.5, 99.5, 999.5, 0.0001, 0.00012345,
        9.9999999999, 99999.99999, 1e10, 9999999999.5, 1e13, 1.5e14, 123456789012.5,
        689.4301, 1896.1267, 322.02, 108.11, 0.1, 0.2, 0.3, 1e-5, 5e-324, 1.7976931348623157e308,
        4503599627370496.5, 0.45, 1.005, 2.675, 1e15, 333.33333333333331, 0.000099999,
    };
    char got[64], want[64];
    (void)state;
    for (int prec = 1; prec <= 14; prec++) {
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            for (int sign = 0; sign < 2; sign++) {
                double v = sign ? -fixed[i] : fixed[i];
                snprintf(want, sizeof want, "%.*g", prec, v);
                bmx__format_g(got, sizeof got, v, prec);
                if (strcmp(got, want) != 0) {
                    fail_msg("%%.%dg of %.17g: got %s, printf %s", prec, v, got, want);
                }
            }
        }
    }
    /* Random values of every magnitude, and values on a 1/2^k grid (exact ties). */
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        switch (i % 3) {
        case 0:
            v = (double)(x >> 11) * 0x1p-53 * pow(10.0, (double)((int)(x % 24) - 6));
            break;
        case 1:
            v = (double)(x % 100000000) / (double)(1u << (x >> 60));
            break;
        default:
            v = (double)(x % 100000) / 100.0;
            break;
        }
        if (x & (1u << 20)) {
            v = -v;
        }
        int prec = 1 + (int)((x >> 32) % 14);
        snprintf(want, sizeof want, "%.*g", prec, v);
        bmx__format_g(got, sizeof got, v, prec);
        if (strcmp(got, want) != 0) {
            fail_msg("%%.%dg of %.17g: got %s, printf %s", prec, v, got, want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_many_problems),
        cmocka_unit_test(test_strict),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_no_callback),
        cmocka_unit_test(test_run_failures),
        cmocka_unit_test(test_decode_limit),
        cmocka_unit_test(test_voc_cases),
        cmocka_unit_test(test_voc_many_problems),
        cmocka_unit_test(test_voc_samples),
        cmocka_unit_test(test_voc_single_file),
        cmocka_unit_test(test_voc_strict),
        cmocka_unit_test(test_voc_too_deep),
        cmocka_unit_test(test_voc_run_failures),
        cmocka_unit_test(test_section_order),
        cmocka_unit_test(test_string_ids_many),
        cmocka_unit_test(test_duplicate_id_spellings),
        cmocka_unit_test(test_check_annotations_per_image_limit),
        cmocka_unit_test(test_check_polygon_vertex_limit),
        cmocka_unit_test(test_check_image_pixel_limit),
        cmocka_unit_test(test_check_keypoints_sections_any_order),
        cmocka_unit_test(test_check_keypoints_no_category_list),
        cmocka_unit_test(test_check_keypoints_agree_with_reader),
        cmocka_unit_test(test_check_keypoints_unknown_image),
        cmocka_unit_test(test_check_keypoints_samples),
        cmocka_unit_test(test_format_g_is_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
