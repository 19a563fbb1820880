/* SPDX-License-Identifier: MIT */
/* The dataset builder: samples in, a COCO or VOC dataset out (the in-memory API's
 * writer). Images are written as they come; the records wait in memory (COCO: as
 * JSON text; VOC: the image records and objects themselves, what VOC XML carries)
 * and the annotation files are written last. */
#include "provenance.h"
#include "voc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bmx_builder {
    const bmx_dataset *like;
    enum bmx_dataset_format format;
    struct bmx__outdir od;
    int img_fd;
    char *img_shown;
    struct bmx__buf images, anns; /* COCO: the records so far, comma-joined */
    size_t n_images, n_anns;
    /* VOC: every image's record and objects (masks and keypoints left out), and
     * the provenance of the objects an operation made */
    struct bmx_image_info *infos;
    size_t *first, *count;
    struct bmx_object *objs;
    cJSON **objs_bm;
    size_t cap_images, cap_objs;
    bool finished;
};

void bmx_builder_free(bmx_builder *b)
{
    if (b == NULL) {
        return;
    }
    if (b->img_fd >= 0) {
        close(b->img_fd);
    }
    bmx__outdir_close(&b->od);
    bmx__buf_free(&b->images);
    bmx__buf_free(&b->anns);
    for (size_t i = 0; b->infos != NULL && i < b->n_images; i++) {
        free((char *)b->infos[i].file_name);
    }
    for (size_t k = 0; b->objs_bm != NULL && k < b->n_anns; k++) {
        bmx__prov_value_free(b->objs_bm[k]);
    }
    free(b->infos);
    free(b->first);
    free(b->count);
    free(b->objs);
    free(b->objs_bm);
    free(b->img_shown);
    free(b);
}

bmx_status bmx_builder_new(const char *out_dir, const bmx_dataset *like,
                           enum bmx_dataset_format format, bmx_builder **out, bmx_error *err)
{
    if (out_dir == NULL || like == NULL || out == NULL ||
        (format != BMX_DATASET_COCO && format != BMX_DATASET_VOC)) {
        return bmx__fail(err, BMX_E_INVALID, "builder: NULL argument or unknown format");
    }
    *out = NULL;
    bmx_builder *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    b->like = like;
    b->format = format;
    b->img_fd = -1;
    b->od.fd = b->od.lock_fd = -1;
    const char *mark = format == BMX_DATASET_VOC ? "Annotations" : "annotations.json";
    const char *images = format == BMX_DATASET_VOC ? "JPEGImages" : "images";
    bmx_status st = bmx__outdir_open(&b->od, out_dir, err);
    if (st == BMX_OK && bmx__dir_has(b->od.fd, mark)) {
        st = bmx__fail(err, BMX_E_STATE, "%s: already holds a dataset (%s)", out_dir, mark);
    }
    if (st == BMX_OK) {
        b->img_shown = bmx__path_join(out_dir, images);
        st = b->img_shown == NULL ? bmx__fail(err, BMX_E_NOMEM, "out of memory")
                                  : bmx__dir_open(b->od.fd, out_dir, images, true, &b->img_fd, err);
    }
    if (st != BMX_OK) {
        bmx_builder_free(b);
        return st;
    }
    *out = b;
    return BMX_OK;
}

/* Room for one more image and n more objects in the VOC records. */
static bool voc_reserve(bmx_builder *b, size_t n)
{
    if (b->n_images == b->cap_images) {
        size_t cap = b->cap_images ? 2 * b->cap_images : 16;
        struct bmx_image_info *infos = bmx__realloc_array(b->infos, cap, sizeof *infos);
        b->infos = infos != NULL ? infos : b->infos;
        size_t *first = bmx__realloc_array(b->first, cap, sizeof *first);
        b->first = first != NULL ? first : b->first;
        size_t *count = bmx__realloc_array(b->count, cap, sizeof *count);
        b->count = count != NULL ? count : b->count;
        if (infos == NULL || first == NULL || count == NULL) {
            return false;
        }
        b->cap_images = cap;
    }
    if (n > b->cap_objs - b->n_anns) {
        size_t cap = b->cap_objs ? 2 * b->cap_objs : 64;
        while (cap - b->n_anns < n) {
            if (cap > SIZE_MAX / 2) {
                return false;
            }
            cap *= 2;
        }
        struct bmx_object *objs = bmx__realloc_array(b->objs, cap, sizeof *objs);
        b->objs = objs != NULL ? objs : b->objs;
        cJSON **bm = bmx__realloc_array(b->objs_bm, cap, sizeof *bm);
        b->objs_bm = bm != NULL ? bm : b->objs_bm;
        if (objs == NULL || bm == NULL) {
            return false;
        }
        b->cap_objs = cap;
    }
    return true;
}

/* VOC: keep the image record and the objects as VOC XML carries them. */
static bmx_status keep_for_voc(bmx_builder *b, const struct bmx_sample *sample,
                               const char *file_name, bmx_error *err)
{
    char *name = NULL;
    if (!voc_reserve(b, sample->n_objects) || (name = strdup(file_name)) == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "builder add: out of memory");
    }
    size_t i = b->n_images;
    b->infos[i] = (struct bmx_image_info){(int64_t)(i + 1), NULL, name, sample->image.w,
                                          sample->image.h,  NULL};
    b->first[i] = b->n_anns;
    b->count[i] = 0;
    b->n_images++;
    for (size_t q = 0; q < sample->n_objects; q++) {
        const struct bmx_object *o = &sample->objects[q];
        size_t k = b->n_anns;
        /* Made by an operation: its provenance; else its own fields, as they came. */
        b->objs_bm[k] = o->origin != BMX_FROM_NONE ? bmx__prov_object_value(o) : NULL;
        if (o->origin != BMX_FROM_NONE && b->objs_bm[k] == NULL) {
            return bmx__fail(err, BMX_E_NOMEM, "builder add: out of memory");
        }
        struct bmx_object *kept = &b->objs[k];
        *kept = *o;
        memset(&kept->polys, 0, sizeof kept->polys);
        memset(&kept->rle, 0, sizeof kept->rle);
        kept->keypoints = NULL;
        kept->n_keypoints = 0;
        kept->id = (int64_t)(k + 1); /* the annotation's id in the dataset built */
        b->n_anns++;
        b->count[i]++;
    }
    return BMX_OK;
}

bmx_status bmx_builder_add(bmx_builder *b, const struct bmx_sample *sample, const char *file_name,
                           enum bmx_format format, int quality, bmx_error *err)
{
    if (b == NULL || sample == NULL || file_name == NULL || b->finished) {
        return bmx__fail(err, BMX_E_INVALID, "builder add: NULL argument or a finished builder");
    }
    if (bmx__name_escapes(file_name)) {
        return bmx__fail(err, BMX_E_INVALID, "builder add: \"%s\" escapes the image folder",
                         file_name);
    }
    uint8_t *enc = NULL;
    size_t len = 0;
    bmx_status st = bmx_image_encode(&sample->image, format, quality, &enc, &len, err);
    if (st == BMX_OK) {
        st = bmx__outfile_write(b->img_fd, b->img_shown, file_name, enc, len, false, err);
    }
    free(enc);
    if (st != BMX_OK) {
        return st;
    }
    if (b->format == BMX_DATASET_VOC) {
        return keep_for_voc(b, sample, file_name, err);
    }
    char id[32];
    snprintf(id, sizeof id, "%zu", b->n_images + 1);
    struct bmx_image_info info = {(int64_t)(b->n_images + 1), NULL, file_name, sample->image.w,
                                  sample->image.h, NULL};
    bmx__buf_puts(&b->images, b->n_images++ ? ",\n" : "\n");
    bmx__coco_put_image(&b->images, &info, id, file_name, sample->image.w, sample->image.h, false,
                        NULL);
    for (size_t q = 0; q < sample->n_objects; q++) {
        const struct bmx_object *o = &sample->objects[q];
        struct bmx__buf prov = {0};
        if (o->origin != BMX_FROM_NONE) {
            bmx__coco_put_object_record(&prov, o);
        }
        bmx__buf_puts(&b->anns, b->n_anns++ ? ",\n" : "\n");
        bmx__coco_put_annotation(&b->anns, o, (int64_t)b->n_anns, id,
                                 o->origin != BMX_FROM_NONE ? prov.data : NULL);
        bool failed = prov.failed;
        bmx__buf_free(&prov);
        if (failed) {
            b->anns.failed = true;
        }
    }
    if (b->images.failed || b->anns.failed) {
        return bmx__fail(err, BMX_E_NOMEM, "builder add: out of memory");
    }
    return BMX_OK;
}

static void put_images(struct bmx__buf *out, void *ctx)
{
    const bmx_builder *b = ctx;
    bmx__buf_put(out, b->images.data != NULL ? b->images.data : "", b->images.len);
}

static void put_anns(struct bmx__buf *out, void *ctx)
{
    const bmx_builder *b = ctx;
    bmx__buf_put(out, b->anns.data != NULL ? b->anns.data : "", b->anns.len);
}

static void put_document(struct bmx__buf *out, void *ctx)
{
    const bmx_builder *b = ctx;
    bmx__coco_put_document(out, b->like, put_images, put_anns, ctx);
}

bmx_status bmx_builder_finish(bmx_builder *b, bmx_error *err)
{
    if (b == NULL || b->finished) {
        return bmx__fail(err, BMX_E_INVALID, "builder finish: NULL or finished already");
    }
    b->finished = true;
    if (b->format == BMX_DATASET_COCO) {
        return bmx__stream_document(b->od.fd, b->od.path, "annotations.json", put_document, b, NULL,
                                    NULL, NULL, err);
    }
    /* VOC: from the records kept, categories by `like`. */
    const struct bmx__voc_records recs = {"(built)", b->like, b->n_images, b->infos,  b->first,
                                          b->count,  b->objs, NULL,        b->objs_bm};
    return bmx__voc_write_records(&recs, b->od.fd, b->od.path, NULL, err);
}
