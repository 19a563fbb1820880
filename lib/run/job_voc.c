/* SPDX-License-Identifier: MIT */
/* The augment job's VOC output: the originals and every output's objects, kept in
 * memory as they were made, written by the VOC writer with no COCO text in
 * between. The records are those the COCO output would hold: the originals, then
 * the outputs in index order, annotations numbered in that order (the numbers
 * appear only in messages), and each image's and object's provenance as its
 * <boxmix> element. */
#include "job.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bmx__job_keep_for_voc(struct out_rec *rec, struct bmx_sample *out, size_t base, size_t source,
                           bool keep_geometry)
{
    /* VOC XML carries no mask and no keypoints: only what it writes is kept. YOLO
     * keeps the masks (segment rows). */
    for (size_t q = 0; !keep_geometry && q < out->n_objects; q++) {
        bmx_object_free(&out->objects[q]);
    }
    rec->objs = out->objects;
    rec->n_objs = out->n_objects;
    out->objects = NULL;
    out->n_objects = 0;
    rec->base = base;
    rec->source = source;
}

/* The records being assembled. */
struct voc_out {
    struct bmx_image_info *images;
    size_t *first, *count;
    struct bmx_object *objects;
    cJSON **image_bm, **object_bm;
    char (*names)[64];
    size_t n_images, n_objects;
};

static void voc_out_free(struct voc_out *v)
{
    for (size_t i = 0; v->image_bm != NULL && i < v->n_images; i++) {
        bmx__prov_value_free(v->image_bm[i]);
    }
    for (size_t k = 0; v->object_bm != NULL && k < v->n_objects; k++) {
        bmx__prov_value_free(v->object_bm[k]);
    }
    free(v->images);
    free(v->first);
    free(v->count);
    free(v->objects);
    free(v->image_bm);
    free(v->object_bm);
    free(v->names);
}

/* One image and its objects; each object's provenance from `prov(objs[q])`, or
 * for originals (prov NULL) from its own id. Objects are numbered on the way. */
static bool add_image(struct voc_out *v, const struct bmx_image_info *info, cJSON *image_bm,
                      const struct bmx_object *objs, size_t n, bool original)
{
    size_t i = v->n_images++;
    v->images[i] = *info;
    v->image_bm[i] = image_bm;
    v->first[i] = v->n_objects;
    v->count[i] = n;
    bool ok = image_bm != NULL;
    for (size_t q = 0; q < n; q++) {
        size_t k = v->n_objects++;
        v->object_bm[k] = original ? bmx__prov_original_object_value(objs[q].id)
                                   : bmx__prov_object_value(&objs[q]);
        ok = ok && v->object_bm[k] != NULL;
        v->objects[k] = objs[q];
        v->objects[k].id = (int64_t)(k + 1); /* the output's annotation id */
    }
    return ok;
}

bmx_status bmx__job_write_voc(struct run *r, bmx_error *err)
{
    const bmx_dataset *ds = r->ds;
    const struct bmx_job_options *opts = r->opts;
    struct voc_out v = {0};
    size_t n_images = 0, n_objects = 0;
    for (size_t i = 0; opts->include_originals && i < ds->n_images; i++) {
        if (bmx__job_owns_original(r, i)) {
            n_images++;
            n_objects += ds->img_count[i];
        }
    }
    for (uint64_t j = 0; j < r->n_local; j++) {
        n_images++;
        n_objects += r->recs[j].n_objs;
    }
    v.images = bmx__alloc_array(n_images, sizeof *v.images);
    v.first = bmx__alloc_array(n_images, sizeof *v.first);
    v.count = bmx__alloc_array(n_images, sizeof *v.count);
    v.image_bm = calloc(n_images ? n_images : 1, sizeof *v.image_bm);
    v.names = bmx__alloc_array(r->n_local, sizeof *v.names);
    v.objects = bmx__alloc_array(n_objects, sizeof *v.objects);
    v.object_bm = calloc(n_objects ? n_objects : 1, sizeof *v.object_bm);
    bool ok = v.images != NULL && v.first != NULL && v.count != NULL && v.image_bm != NULL &&
              v.names != NULL && v.objects != NULL && v.object_bm != NULL;
    for (size_t i = 0; ok && opts->include_originals && i < ds->n_images; i++) {
        if (bmx__job_owns_original(r, i)) {
            ok = add_image(&v, &ds->images[i], bmx__prov_original_value(i, &ds->images[i]),
                           ds->objects + ds->img_first[i], ds->img_count[i], true);
        }
    }
    for (uint64_t j = 0; ok && j < r->n_local; j++) {
        const struct out_rec *rec = &r->recs[j];
        const struct bmx_image_info *base = &ds->images[rec->base];
        uint64_t k = bmx__job_local_to_k(r, j);
        bmx__job_file_name(r, k, v.names[j], sizeof v.names[j]);
        /* As the COCO output's image record: a new id, the output's size, no other
         * field of the base's. */
        struct bmx_image_info info = {
            (int64_t)(r->id_offset + k + 1), NULL, v.names[j], rec->out_w, rec->out_h, NULL};
        (void)base;
        ok = add_image(&v, &info, bmx__prov_value_parse(rec->record), rec->objs, rec->n_objs,
                       false);
    }
    bmx_status st = BMX_OK;
    if (!ok) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory while assembling the annotations",
                       opts->out);
    } else {
        const struct bmx__voc_records recs = {"(output)", ds,         v.n_images,
                                              v.images,   v.first,    v.count,
                                              v.objects,  v.image_bm, v.object_bm};
        st = bmx__voc_write_records(&recs, r->od.fd, opts->out, opts->cancel, err);
    }
    voc_out_free(&v);
    return st;
}
