/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the COCO reader (bmx_dataset_read_coco_buffer) and what a dataset
 * that reads goes through next: the accessors, a dry-run CutMix of a few image
 * pairs (the whole annotation path of boxmix-augment --dry-run, masks rasterised
 * or kept as the input bytes choose) and a write/read round trip.
 *
 * Properties: a failed read leaves a message and no dataset; the accessors agree
 * with each other; apply succeeds on what the reader accepted and returns objects
 * inside the image; what bmx_dataset_write_coco writes reads back with the same
 * counts.
 */
#include "fuzz.h"

#include "boxmix.h"

#include <stdbool.h>

/* Pairs mixed per input and the size above which a pair is skipped (a dry run
 * still rasterises masks at the image's size). */
#define FZ_MAX_PAIRS 4
#define FZ_MAX_MIX_PIXELS ((uint64_t)1 << 22)

static void check_accessors(const bmx_dataset *ds)
{
    size_t n_img = bmx_dataset_image_count(ds);
    size_t total = 0;
    for (size_t i = 0; i < n_img; i++) {
        const struct bmx_image_info *info = bmx_dataset_image(ds, i);
        FZ_CHECK(info != NULL && info->file_name != NULL);
        size_t n = bmx_dataset_object_count(ds, i);
        const struct bmx_object *objs = bmx_dataset_objects(ds, i);
        FZ_CHECK(n == 0 || objs != NULL);
        for (size_t k = 0; k < n; k++) {
            (void)bmx_dataset_category_name(ds, objs[k].category_id);
            if (objs[k].seg_kind == BMX_SEG_RLE) {
                FZ_CHECK(bmx_rle_validate(&objs[k].rle, NULL) == BMX_OK);
            }
        }
        struct bmx_rect patch;
        (void)bmx_dataset_image_patch(ds, i, &patch);
        total += n;
    }
    FZ_CHECK(bmx_dataset_image(ds, n_img) == NULL);
    FZ_CHECK(total == bmx_dataset_annotation_count(ds));
    for (size_t i = 0; i < bmx_dataset_category_count(ds); i++) {
        const struct bmx_category *cat = bmx_dataset_category(ds, i);
        FZ_CHECK(cat != NULL && cat->name != NULL);
    }
}

static void mix_pair(const bmx_dataset *ds, size_t ia, size_t ib, uint64_t hash)
{
    const struct bmx_image_info *A = bmx_dataset_image(ds, ia);
    const struct bmx_image_info *B = bmx_dataset_image(ds, ib);
    if ((uint64_t)A->width * (uint64_t)A->height > FZ_MAX_MIX_PIXELS ||
        (uint64_t)B->width * (uint64_t)B->height > FZ_MAX_MIX_PIXELS) {
        return;
    }
    /* Dry-run samples borrow the dataset's objects, as the job runner does. */
    struct bmx_sample a = {{A->width, A->height, 3, 0, NULL},
                           bmx_dataset_object_count(ds, ia),
                           (struct bmx_object *)bmx_dataset_objects(ds, ia)};
    struct bmx_sample b = {{B->width, B->height, 3, 0, NULL},
                           bmx_dataset_object_count(ds, ib),
                           (struct bmx_object *)bmx_dataset_objects(ds, ib)};
    struct bmx_cutmix_options opts;
    bmx_cutmix_options_init(&opts);
    opts.mask_format = (hash & 1) ? BMX_MASK_RLE : BMX_MASK_KEEP;
    opts.placement = (hash & 2) ? BMX_PLACE_AVOID_BASE : BMX_PLACE_ANYWHERE;
    opts.mode = (hash & 4) ? BMX_PATCH_RATIO : BMX_PATCH_BETA;

    struct bmx_box *boxes = calloc(a.n_objects + 1, sizeof *boxes);
    if (boxes == NULL) {
        return;
    }
    for (size_t k = 0; k < a.n_objects; k++) {
        boxes[k] = a.objects[k].bbox;
    }
    bmx_rng rng;
    bmx_rng_seed(&rng, hash, ia);
    struct bmx_patch patch;
    bmx_error err;
    bmx_status st =
        bmx_cutmix_draw_patch(&opts, A->width, A->height, boxes, a.n_objects, &rng, &patch, &err);
    free(boxes);
    if (st != BMX_OK) {
        fprintf(stderr, "draw_patch refused a dataset the reader accepted: %s\n", err.message);
        FZ_CHECK(st == BMX_OK);
    }
    struct bmx_sample out = {0};
    struct bmx_cutmix_stats stats;
    st = bmx_cutmix_apply(&opts, &patch, &a, &b, &out, &stats, &err);
    if (st != BMX_OK && st != BMX_E_NOMEM && st != BMX_E_LIMIT) {
        fprintf(stderr, "apply refused a dataset the reader accepted: %s\n", err.message);
        FZ_CHECK(st == BMX_OK);
    }
    if (st == BMX_OK) {
        FZ_CHECK(out.image.w == A->width && out.image.h == A->height);
        FZ_CHECK(out.image.data == NULL);
        FZ_CHECK(stats.kept_whole + stats.clipped + stats.dropped == a.n_objects + b.n_objects);
        FZ_CHECK(out.n_objects == stats.kept_whole + stats.clipped);
        for (size_t k = 0; k < out.n_objects; k++) {
            const struct bmx_object *o = &out.objects[k];
            FZ_CHECK(o->bbox.w >= 0 && o->bbox.h >= 0);
            FZ_CHECK(o->origin == BMX_FROM_BASE || o->origin == BMX_FROM_SOURCE);
            if (o->seg_kind == BMX_SEG_RLE) {
                FZ_CHECK(o->rle.h == (uint32_t)A->height && o->rle.w == (uint32_t)A->width);
                FZ_CHECK(bmx_rle_validate(&o->rle, NULL) == BMX_OK);
            }
        }
    }
    bmx_sample_free(&out);
}

static void round_trip(const bmx_dataset *ds)
{
    const char *path = fz_scratch_file("coco", "out.json");
    if (path == NULL) {
        return;
    }
    bmx_error err;
    if (bmx_dataset_write_coco(ds, path, &err) != BMX_OK) {
        return; /* I/O or memory only */
    }
    bmx_dataset *back = NULL;
    bmx_status st = bmx_dataset_read_coco(path, &back, &err);
    if (st != BMX_OK) {
        fprintf(stderr, "written dataset does not read back: %s\n", err.message);
        FZ_CHECK(st == BMX_OK);
    }
    FZ_CHECK(bmx_dataset_image_count(back) == bmx_dataset_image_count(ds));
    FZ_CHECK(bmx_dataset_annotation_count(back) == bmx_dataset_annotation_count(ds));
    FZ_CHECK(bmx_dataset_category_count(back) == bmx_dataset_category_count(ds));
    bmx_dataset_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bmx_dataset *ds = NULL;
    bmx_error err;
    bmx_status st = bmx_dataset_read_coco_buffer((const char *)data, size, "fuzz.json", &ds, &err);
    if (st != BMX_OK) {
        FZ_CHECK(ds == NULL);
        FZ_CHECK(err.message[0] != '\0');
        return 0;
    }
    FZ_CHECK(ds != NULL);
    check_accessors(ds);
    size_t n = bmx_dataset_image_count(ds);
    uint64_t hash = fz_hash(data, size);
    for (size_t i = 0; i < n && i < FZ_MAX_PAIRS; i++) {
        mix_pair(ds, i, (i + 1) % n, hash >> i);
    }
    round_trip(ds);
    bmx_dataset_free(ds);
    return 0;
}
