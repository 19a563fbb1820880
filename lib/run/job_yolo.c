/* SPDX-License-Identifier: MIT */
/* The augment job's YOLO output: images/<split>/ (written as the outputs are made),
 * then labels/<split>/ and data.yaml from the originals' and every output's objects
 * kept in memory with their masks (segment rows need them), by the YOLO writer. */
#include "job.h"
#include "yolo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bmx__job_yolo_split(const struct bmx_job_options *opts)
{
    if (opts->yolo_split != NULL) {
        return opts->yolo_split;
    }
    if (opts->input.format == BMX_DATASET_YOLO && opts->input.yolo_split != NULL) {
        return opts->input.yolo_split;
    }
    return "train";
}

bmx_status bmx__job_write_yolo(struct run *r, bmx_error *err)
{
    const bmx_dataset *ds = r->ds;
    const struct bmx_job_options *opts = r->opts;
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
    struct bmx_image_info *images = bmx__alloc_array(n_images ? n_images : 1, sizeof *images);
    size_t *first = bmx__alloc_array(n_images ? n_images : 1, sizeof *first);
    size_t *count = bmx__alloc_array(n_images ? n_images : 1, sizeof *count);
    struct bmx_object *objects = bmx__alloc_array(n_objects ? n_objects : 1, sizeof *objects);
    char (*names)[64] = bmx__alloc_array(r->n_local ? (size_t)r->n_local : 1, sizeof *names);
    bmx_status st = BMX_OK;
    if (images == NULL || first == NULL || count == NULL || objects == NULL || names == NULL) {
        st = bmx__fail(err, BMX_E_NOMEM, "%s: out of memory while assembling the labels",
                       opts->out);
        goto done;
    }
    /* The objects are borrowed (shallow copies): nothing here owns their geometry. */
    size_t ni = 0, no = 0;
    for (size_t i = 0; opts->include_originals && i < ds->n_images; i++) {
        if (!bmx__job_owns_original(r, i)) {
            continue;
        }
        images[ni] = ds->images[i];
        first[ni] = no;
        count[ni] = ds->img_count[i];
        if (ds->img_count[i] > 0) {
            memcpy(objects + no, ds->objects + ds->img_first[i],
                   ds->img_count[i] * sizeof *objects);
        }
        no += ds->img_count[i];
        ni++;
    }
    for (uint64_t j = 0; j < r->n_local; j++) {
        const struct out_rec *rec = &r->recs[j];
        const struct bmx_image_info *base = &ds->images[rec->base];
        uint64_t k = bmx__job_local_to_k(r, j);
        bmx__job_file_name(r, k, names[j], sizeof names[j]);
        images[ni] = (struct bmx_image_info){
            (int64_t)(r->id_offset + k + 1), NULL, names[j], rec->out_w, rec->out_h, NULL};
        (void)base;
        first[ni] = no;
        count[ni] = rec->n_objs;
        if (rec->n_objs > 0) {
            memcpy(objects + no, rec->objs, rec->n_objs * sizeof *objects);
        }
        no += rec->n_objs;
        ni++;
    }
    {
        const struct bmx__yolo_records recs = {"(output)", ds, ni, images, first, count, objects};
        struct bmx_yolo_write_options wo;
        struct bmx_yolo_write_summary ws;
        bmx_yolo_write_options_init(&wo);
        wo.task = (enum bmx_yolo_task)opts->yolo_task;
        wo.split = bmx__job_yolo_split(opts);
        st = bmx__yolo_write_records(&recs, &wo, r->od.fd, opts->out, opts->cancel, &ws, err);
        if (st == BMX_OK && opts->yolo_written != NULL) {
            *opts->yolo_written = ws;
        }
    }
done:
    free(images);
    free(first);
    free(count);
    free(objects);
    free(names);
    return st;
}
