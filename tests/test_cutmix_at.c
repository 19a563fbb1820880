/* SPDX-License-Identifier: MIT */
/* The operation's own generator: bmx_rng_seed_op is a stream apart from the
 * pairing's, and output k of an augment run is bmx_cutmix_at(base, source, seed, k)
 * whatever the pairing drew. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <boxmix.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BMX_SOURCE_ROOT
#define BMX_SOURCE_ROOT ".."
#endif

/* Deterministic, and not the pairing's stream of the same (seed, k). */
static void op_stream_is_its_own(void **state)
{
    (void)state;
    for (uint64_t k = 0; k < 64; k++) {
        bmx_rng op, again, pairing;
        bmx_rng_seed_op(&op, 7, k);
        bmx_rng_seed_op(&again, 7, k);
        bmx_rng_seed(&pairing, 7, k);
        uint64_t x = bmx_rng_next(&op);
        assert_int_equal(x, bmx_rng_next(&again));
        assert_int_not_equal(x, bmx_rng_next(&pairing));
    }
    /* The documented seeding, pinned: a change would change every output. */
    bmx_rng op;
    bmx_rng_seed_op(&op, 7, 3);
    uint64_t first = bmx_rng_next(&op);
    bmx_rng_seed_op(&op, 7, 3);
    assert_int_equal(first, bmx_rng_next(&op));
    bmx_rng_seed_op(&op, 8, 3);
    assert_int_not_equal(first, bmx_rng_next(&op));
}

/* bmx_cutmix_at is bmx_cutmix with the operation's generator. */
static void cutmix_at_is_cutmix_with_op_rng(void **state)
{
    (void)state;
    bmx_dataset *ds = NULL;
    bmx_error err = {BMX_OK, ""};
    assert_int_equal(bmx_dataset_read_coco(BMX_SOURCE_ROOT "/samples/coco/annotations.json", &ds, &err),
                     BMX_OK);
    struct bmx_sample a, b, one, two;
    const char *root = BMX_SOURCE_ROOT "/samples/images";
    assert_int_equal(bmx_dataset_load_sample(ds, 1, root, NULL, &a, NULL), BMX_OK);
    assert_int_equal(bmx_dataset_load_sample(ds, 4, root, NULL, &b, NULL), BMX_OK);
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    bmx_rng rng;
    bmx_rng_seed_op(&rng, 11, 5);
    struct bmx_patch p1, p2;
    assert_int_equal(bmx_cutmix_at(&o, &a, &b, 11, 5, &one, &p1, NULL, &err), BMX_OK);
    assert_int_equal(bmx_cutmix(&o, &a, &b, &rng, &two, &p2, NULL, &err), BMX_OK);
    assert_memory_equal(&p1.rect, &p2.rect, sizeof p1.rect);
    assert_int_equal(one.n_objects, two.n_objects);
    assert_memory_equal(one.image.data, two.image.data, (size_t)one.image.h * one.image.stride);
    bmx_sample_free(&one);
    bmx_sample_free(&two);
    bmx_sample_free(&a);
    bmx_sample_free(&b);
    bmx_dataset_free(ds);
}

/* Every output of a run has the patch bmx_cutmix_at draws for its base and (seed, k):
 * the patch no longer depends on the draw of the source before it. */
static void job_output_k_is_cutmix_at_k(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/bmx_cutmix_at_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char out[256], ann[300], cmd[300];
    snprintf(out, sizeof out, "%s/run", tmpl);
    snprintf(ann, sizeof ann, "%s/annotations.json", out);
    for (int pl = 0; pl < 2; pl++) {
        struct bmx_job_options o;
        bmx_job_options_init(&o);
        o.input.annotations = BMX_SOURCE_ROOT "/samples/coco/annotations.json";
        o.input.images = BMX_SOURCE_ROOT "/samples/images";
        o.out = out;
        o.per_image = 3;
        o.seed = 7;
        o.dry_run = true;
        o.force = true;
        o.threads = 1;
        o.cutmix.placement = pl == 0 ? BMX_PLACE_ANYWHERE : BMX_PLACE_AVOID_BASE;
        bmx_error err = {BMX_OK, ""};
        bmx_dataset *in = NULL, *made = NULL;
        assert_int_equal(bmx_dataset_read_coco(o.input.annotations, &in, &err), BMX_OK);
        if (bmx_job_run(&o, NULL, &err) != BMX_OK) {
            fail_msg("%s", err.message);
        }
        assert_int_equal(bmx_dataset_read_coco(ann, &made, &err), BMX_OK);
        size_t n_in = bmx_dataset_image_count(in);
        assert_int_equal(bmx_dataset_image_count(made), 3 * n_in);
        for (size_t k = 0; k < bmx_dataset_image_count(made); k++) {
            size_t base = k % n_in;
            const struct bmx_image_info *bi = bmx_dataset_image(in, base);
            /* Patches do not look at the source: give the base as both. */
            struct bmx_sample a = {{bi->width, bi->height, 3, 0, NULL},
                                   bmx_dataset_object_count(in, base),
                                   (struct bmx_object *)bmx_dataset_objects(in, base)};
            struct bmx_sample mixed;
            struct bmx_patch patch;
            assert_int_equal(bmx_cutmix_at(&o.cutmix, &a, &a, o.seed, k, &mixed, &patch, NULL, &err),
                             BMX_OK);
            struct bmx_rect rec;
            assert_true(bmx_dataset_image_patch(made, k, &rec));
            assert_memory_equal(&rec, &patch.rect, sizeof rec);
            bmx_sample_free(&mixed);
        }
        bmx_dataset_free(made);
        bmx_dataset_free(in);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(op_stream_is_its_own),
        cmocka_unit_test(cutmix_at_is_cutmix_with_op_rng),
        cmocka_unit_test(job_output_k_is_cutmix_at_k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
