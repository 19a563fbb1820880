/* The dataset checker: each broken dataset under tests/data/check/ gives exactly
 * the problems listed next to it, the samples check clean, and a file the checker
 * finds no error in is one the strict reader accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boxmix.h"

#ifndef BMX_SOURCE_ROOT
#define BMX_SOURCE_ROOT ".."
#endif

#define CASES BMX_SOURCE_ROOT "/tests/data/check"

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
    o.annotations = ann;
    o.images = is_dir(images) ? images : NULL;
    o.decode = decode;
    struct collected col = {.file = ann, .images = o.images};
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
        /* A file without errors is one the strict reader takes (image files aside). */
        char ann[512];
        snprintf(ann, sizeof ann, CASES "/%s/annotations.json", name);
        bmx_dataset *ds = NULL;
        bmx_error err = {0};
        bmx_status st = bmx_dataset_read_coco(ann, &ds, &err);
        if (errors == 0 && st != BMX_OK) {
            fail_msg("case %s: the checker found no error, the reader says: %s", name, err.message);
        }
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
    o.annotations = CASES "/bbox-off-by-one/annotations.json";
    o.strict = true;
    struct collected col = {.file = o.annotations};
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
        o.annotations = BMX_SOURCE_ROOT "/samples/coco/annotations.json";
        o.images = BMX_SOURCE_ROOT "/samples/images";
        o.decode = decode != 0;
        struct collected col = {.file = o.annotations, .images = o.images};
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
    o.annotations = CASES "/many-problems/annotations.json";
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
    assert_int_equal(o.format, BMX_CHECK_COCO);
    assert_null(o.images);
    assert_false(o.decode);
    assert_false(o.strict);
    assert_true(o.limits.max_image_pixels > 0);
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);

    o.annotations = CASES "/no-such-case/annotations.json";
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_IO);
    assert_non_null(strstr(err.message, "no-such-case/annotations.json"));

    o.annotations = CASES "/clean/annotations.json";
    o.decode = true;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);

    o.decode = false;
    o.format = (enum bmx_check_format)7;
    assert_int_equal(bmx_check_run(&o, NULL, NULL, &sum, &err), BMX_E_INVALID);
}

/* An image over the pixel limit is reported when decoding. */
static void test_decode_limit(void **state)
{
    (void)state;
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.annotations = CASES "/images-clean/annotations.json";
    o.images = CASES "/images-clean/images";
    o.decode = true;
    o.limits.max_image_pixels = 5000; /* a.png is 100x80 = 8000 pixels */
    struct collected col = {.file = o.annotations, .images = o.images};
    struct bmx_check_summary sum;
    assert_int_equal(bmx_check_run(&o, collect, &col, &sum, NULL), BMX_OK);
    assert_int_equal(sum.errors, 1);
    assert_non_null(strstr(col.text, "images[0].file_name: error: {images}/a.png: "));
    assert_non_null(strstr(col.text, "[image-too-large]"));
    free(col.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),        cmocka_unit_test(test_many_problems),
        cmocka_unit_test(test_strict),       cmocka_unit_test(test_samples),
        cmocka_unit_test(test_no_callback),  cmocka_unit_test(test_run_failures),
        cmocka_unit_test(test_decode_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
