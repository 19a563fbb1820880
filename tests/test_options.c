/* SPDX-License-Identifier: MIT */
/* Unit tests of the option structs that carry a size (boxmix.h, "Options that
 * grow"): a program built against an older, smaller struct keeps working (the
 * library reads only its bytes and takes the defaults for the rest), a struct not
 * filled by its _init (size 0) or from a newer header (larger) is refused. */
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

#define SAMPLES BMX_SOURCE_ROOT "/samples/"

/* A copy of `full` as an older caller would pass it: exactly `size` bytes (so a
 * read past them is caught by the address sanitizer), its size field saying so. */
static void *older(const void *full, size_t size)
{
    unsigned char *p = malloc(size);
    assert_non_null(p);
    memcpy(p, full, size);
    memcpy(p, &size, sizeof size);
    return p;
}

/* A copy of `full` (`n` bytes) grown to `cap` bytes, its size field saying so, as
 * a program built against a newer boxmix.h would pass it. */
static void *newer(const void *full, size_t n, size_t cap)
{
    unsigned char *p = calloc(1, cap);
    assert_non_null(p);
    memcpy(p, full, n);
    memcpy(p, &cap, sizeof cap);
    return p;
}

static struct bmx_check_options samples_check(void)
{
    struct bmx_check_options o;
    bmx_check_options_init(&o);
    o.input.annotations = SAMPLES "coco/annotations.json";
    o.input.images = SAMPLES "images";
    return o;
}

/* Every _init sets the size to today's struct. */
static void init_sets_size(void **state)
{
    (void)state;
    struct bmx_input in;
    bmx_input_init(&in);
    assert_int_equal(in.size, sizeof in);
    assert_int_equal(in.format, BMX_DATASET_COCO);
    struct bmx_job_options jo;
    bmx_job_options_init(&jo);
    assert_int_equal(jo.size, sizeof jo);
    assert_int_equal(jo.input.size, sizeof jo.input);
    assert_int_equal(jo.cutmix.size, sizeof jo.cutmix);
    struct bmx_convert_job cj;
    bmx_convert_job_init(&cj);
    assert_int_equal(cj.size, sizeof cj);
    assert_int_equal(cj.input.size, sizeof cj.input);
    struct bmx_check_options co;
    bmx_check_options_init(&co);
    assert_int_equal(co.size, sizeof co);
    struct bmx_draw_job dj;
    bmx_draw_job_init(&dj);
    assert_int_equal(dj.size, sizeof dj);
    assert_int_equal(dj.draw.size, sizeof dj.draw);
    struct bmx_merge_options mo;
    bmx_merge_options_init(&mo);
    assert_int_equal(mo.size, sizeof mo);
    struct bmx_voc_options vo;
    bmx_voc_options_init(&vo);
    assert_int_equal(vo.size, sizeof vo);
}

/* A check options struct that ends before `limits` (an older caller's) is read up
 * to its size: the limits are the defaults, whatever lies past it. */
static void older_check_options_accepted(void **state)
{
    (void)state;
    struct bmx_check_options full = samples_check();
    struct bmx_check_summary want, got;
    bmx_error err = {0};
    assert_int_equal(bmx_check_run(&full, NULL, NULL, &want, &err), BMX_OK);

    struct bmx_check_options *old = older(&full, offsetof(struct bmx_check_options, limits));
    assert_int_equal(bmx_check_run(old, NULL, NULL, &got, &err), BMX_OK);
    assert_memory_equal(&got, &want, sizeof got);
    free(old);

    /* With a pixel limit of 1 the same run reports every image; cut off, the
     * limit is not read. */
    full.limits.max_image_pixels = 1;
    assert_int_equal(bmx_check_run(&full, NULL, NULL, &got, &err), BMX_OK);
    assert_true(got.errors > want.errors);
    old = older(&full, offsetof(struct bmx_check_options, limits));
    assert_int_equal(bmx_check_run(old, NULL, NULL, &got, &err), BMX_OK);
    assert_int_equal(got.errors, want.errors);
    free(old);
}

/* CutMix options that end before `mask_format`: the default (keep) is used. */
static void older_cutmix_options_accepted(void **state)
{
    (void)state;
    struct bmx_cutmix_options full;
    bmx_cutmix_options_init(&full);
    full.min_visibility = 0.5;
    bmx_error err = {0};
    struct bmx_cutmix_options *old = older(&full, offsetof(struct bmx_cutmix_options, mask_format));
    assert_int_equal(bmx_cutmix_options_check(old, &err), BMX_OK);

    struct bmx_object obj;
    memset(&obj, 0, sizeof obj);
    obj.id = 1;
    obj.category_id = 1;
    obj.bbox = (struct bmx_box){10, 10, 20, 20};
    struct bmx_sample a = {{100, 100, 3, 0, NULL}, 1, &obj};
    struct bmx_sample b = {{100, 100, 3, 0, NULL}, 1, &obj};
    struct bmx_sample out_old = {0}, out_full = {0};
    bmx_rng r1, r2;
    bmx_rng_seed(&r1, 3, 0);
    bmx_rng_seed(&r2, 3, 0);
    struct bmx_patch p_old, p_full;
    assert_int_equal(bmx_cutmix(old, &a, &b, &r1, &out_old, &p_old, NULL, &err), BMX_OK);
    assert_int_equal(bmx_cutmix(&full, &a, &b, &r2, &out_full, &p_full, NULL, &err), BMX_OK);
    assert_memory_equal(&p_old, &p_full, sizeof p_old);
    assert_int_equal(out_old.n_objects, out_full.n_objects);
    bmx_sample_free(&out_old);
    bmx_sample_free(&out_full);
    free(old);
}

static void count_notice(const char *message, void *user)
{
    assert_non_null(strstr(message, "memory limit: "));
    (*(int *)user)++;
}

/* memory_limit and notice, the newest fields: 0 is refused; a limit below what
 * one output holds is raised and said once; a caller whose struct ends before
 * them gets the default limit (1 GiB) and no call, whatever lies past its size. */
static void job_memory_limit_and_notice(void **state)
{
    (void)state;
    char dir[] = "/tmp/bmx_options_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[64];
    bmx_error err = {0};
    int notices = 0;
    struct bmx_job_options full;
    bmx_job_options_init(&full);
    assert_true(full.memory_limit == BMX_DEFAULT_MEMORY_LIMIT);
    assert_null(full.notice);
    full.input.annotations = SAMPLES "coco/annotations.json";
    full.input.images = SAMPLES "images";
    full.threads = 1;
    full.out = out;
    full.notice = count_notice;
    full.notice_user = &notices;

    snprintf(out, sizeof out, "%s/zero", dir);
    full.memory_limit = 0;
    assert_int_equal(bmx_job_run(&full, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "memory_limit"));
    assert_int_equal(notices, 0);

    snprintf(out, sizeof out, "%s/tiny", dir);
    full.memory_limit = 1;
    assert_int_equal(bmx_job_run(&full, NULL, &err), BMX_OK);
    assert_int_equal(notices, 1);

    /* Past an older caller's size: a limit of 0 and a notice that would fail. */
    snprintf(out, sizeof out, "%s/older", dir);
    full.memory_limit = 0;
    struct bmx_job_options *old = older(&full, offsetof(struct bmx_job_options, memory_limit));
    assert_int_equal(bmx_job_run(old, NULL, &err), BMX_OK);
    free(old);
    /* Cut before the notice: the raised limit is not said. */
    snprintf(out, sizeof out, "%s/older2", dir);
    full.memory_limit = 1;
    old = older(&full, offsetof(struct bmx_job_options, notice));
    assert_int_equal(bmx_job_run(old, NULL, &err), BMX_OK);
    free(old);
    assert_int_equal(notices, 1);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Size 0 (not filled by the _init) and a size larger than the library's are
 * refused, naming the struct. */
static void zero_and_larger_size_refused(void **state)
{
    (void)state;
    bmx_error err = {0};
    struct bmx_check_options co = samples_check();
    co.size = 0;
    assert_int_equal(bmx_check_run(&co, NULL, NULL, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_check_options: size is 0"));
    struct bmx_check_options good = samples_check();
    void *big = newer(&good, sizeof good, sizeof good + 16);
    assert_int_equal(bmx_check_run(big, NULL, NULL, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "newer boxmix.h"));
    free(big);

    /* An input inside that was not filled by bmx_input_init. */
    co = samples_check();
    co.input.size = 0;
    assert_int_equal(bmx_check_run(&co, NULL, NULL, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_check_options.input"));

    struct bmx_job_options jo;
    memset(&jo, 0, sizeof jo); /* no _init */
    jo.input.annotations = SAMPLES "coco/annotations.json";
    jo.input.images = SAMPLES "images";
    jo.out = "never-written";
    assert_int_equal(bmx_job_run(&jo, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_job_options: size is 0"));
    bmx_job_options_init(&jo);
    jo.cutmix.size = 0;
    assert_int_equal(bmx_job_run(&jo, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_job_options.cutmix"));

    struct bmx_convert_job cj;
    memset(&cj, 0, sizeof cj);
    assert_int_equal(bmx_convert_run(&cj, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_convert_job: size is 0"));

    struct bmx_draw_job dj;
    memset(&dj, 0, sizeof dj);
    assert_int_equal(bmx_draw_run(&dj, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_draw_job: size is 0"));

    struct bmx_merge_options mo;
    memset(&mo, 0, sizeof mo);
    assert_int_equal(bmx_merge_run(&mo, NULL, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_merge_options: size is 0"));

    struct bmx_cutmix_options cm;
    memset(&cm, 0, sizeof cm);
    assert_int_equal(bmx_cutmix_options_check(&cm, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_cutmix_options: size is 0"));

    struct bmx_voc_options vo;
    memset(&vo, 0, sizeof vo);
    bmx_dataset *ds = NULL;
    assert_int_equal(bmx_dataset_read_voc(SAMPLES "voc", &vo, &ds, &err), BMX_E_INVALID);
    assert_null(ds);
    assert_non_null(strstr(err.message, "struct bmx_voc_options: size is 0"));

    struct bmx_draw_options dopt;
    memset(&dopt, 0, sizeof dopt);
    struct bmx_image img = {0};
    assert_int_equal(bmx_image_new(4, 4, 3, &img, &err), BMX_OK);
    assert_int_equal(bmx_draw_objects(&img, NULL, 0, NULL, 0, NULL, &dopt, &err), BMX_E_INVALID);
    assert_non_null(strstr(err.message, "struct bmx_draw_options: size is 0"));
    bmx_image_free(&img);
}

/* The bytes of OUT/images/cutmix_000000.png after a PNG run of `o` into a fresh
 * folder, or NULL when the run fails (its status in *st). */
static unsigned char *png_run(const struct bmx_job_options *o, const char *tag, size_t *len,
                              bmx_status *st)
{
    char dir[] = "/tmp/bmx_options_XXXXXX";
    char out[256], img[300];
    assert_non_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/%s", dir, tag);
    struct bmx_job_options *w = (struct bmx_job_options *)o; /* only `out` changes */
    const char *was = w->out;
    w->out = out;
    bmx_error err = {0};
    *st = bmx_job_run(o, NULL, &err);
    w->out = was;
    unsigned char *data = NULL;
    *len = 0;
    if (*st == BMX_OK) {
        snprintf(img, sizeof img, "%s/images/cutmix_000000.png", out);
        FILE *f = fopen(img, "rb");
        assert_non_null(f);
        data = malloc(1 << 22);
        assert_non_null(data);
        *len = fread(data, 1, 1 << 22, f);
        fclose(f);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return data;
}

/* Job options that end before `png_level` (a program built before it existed)
 * write PNG at the default level, whatever lies past their size. */
static void older_job_options_png_level(void **state)
{
    (void)state;
    struct bmx_job_options full;
    bmx_job_options_init(&full);
    assert_int_equal(full.png_level, 1);
    full.input.annotations = SAMPLES "coco/annotations.json";
    full.input.images = SAMPLES "images";
    full.format = BMX_FORMAT_PNG;
    full.count = 1;
    full.threads = 1;
    size_t n_def = 0, n_old = 0, n_nine = 0;
    bmx_status st;
    unsigned char *def = png_run(&full, "default", &n_def, &st);
    assert_int_equal(st, BMX_OK);

    full.png_level = 9;
    struct bmx_job_options *old = older(&full, offsetof(struct bmx_job_options, png_level));
    unsigned char *cut = png_run(old, "older", &n_old, &st);
    assert_int_equal(st, BMX_OK);
    assert_int_equal(n_old, n_def);
    assert_memory_equal(cut, def, n_def);

    unsigned char *nine = png_run(&full, "nine", &n_nine, &st);
    if (bmx_have_spng()) {
        assert_int_equal(st, BMX_OK);
        assert_true(n_nine < n_def); /* level 9 read: smaller */
    } else {
        assert_int_equal(st, BMX_E_INVALID); /* only the default without libspng */
    }
    free(nine);
    free(cut);
    free(def);
    free(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_sets_size),
        cmocka_unit_test(older_check_options_accepted),
        cmocka_unit_test(older_cutmix_options_accepted),
        cmocka_unit_test(older_job_options_png_level),
        cmocka_unit_test(zero_and_larger_size_refused),
        cmocka_unit_test(job_memory_limit_and_notice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
