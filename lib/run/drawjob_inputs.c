/* SPDX-License-Identifier: MIT */
/* The inputs a report links to: of the dataset a drawn one was made from
 * (boxmix-augment's input), the images that the drawn outputs name as base or
 * source, with their drawings' names under images/inputs/ (draw --inputs). */
#include "drawjob.h"
#include "input.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

void bmx__draw_inputs_free(struct bmx__draw_inputs *in)
{
    for (size_t j = 0; j < in->n; j++) {
        free(in->names != NULL ? in->names[j] : NULL);
        free(in->paths != NULL ? in->paths[j] : NULL);
    }
    free(in->names);
    free(in->paths);
    free(in->sel);
    free(in->root);
    bmx_dataset_free(in->ds);
    memset(in, 0, sizeof *in);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bmx_status bmx__draw_inputs_prepare(const struct bmx_draw_job *job, const bmx_dataset *ds,
                                    const bool *sel, struct bmx__draw_inputs *in, bmx_error *err)
{
    const size_t n_out = bmx_dataset_image_count(ds);
    double *ids = bmx__alloc_array(2 * n_out + 1, sizeof *ids);
    size_t n_ids = 0;
    bmx_status st = ids != NULL ? BMX_OK : bmx__fail(err, BMX_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n_out && st == BMX_OK; i++) {
        const void *extra = bmx_dataset_image(ds, i)->extra;
        if (sel[i] && bmx__extra_numbers(extra, "boxmix", "base_image_id", &ids[n_ids], 1)) {
            n_ids++;
        }
        if (sel[i] && bmx__extra_numbers(extra, "boxmix", "source_image_id", &ids[n_ids], 1)) {
            n_ids++;
        }
    }
    if (st == BMX_OK) {
        qsort(ids, n_ids, sizeof *ids, cmp_double);
        st = bmx__read_input(&job->inputs, in->root, &job->limits, &in->ds, NULL, err);
    }
    if (st == BMX_OK) {
        in->n = bmx_dataset_image_count(in->ds);
        in->sel = calloc(in->n ? in->n : 1, sizeof *in->sel);
        in->names = calloc(in->n ? in->n : 1, sizeof *in->names);
        in->paths = calloc(in->n ? in->n : 1, sizeof *in->paths);
        if (in->sel == NULL || in->names == NULL || in->paths == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu inputs", in->n);
        }
    }
    if (st == BMX_OK) {
        st = bmx__draw_output_names(in->ds, job->format == BMX_FORMAT_PNG ? "png" : "jpg", in->names, err);
    }
    for (size_t j = 0; j < in->n && st == BMX_OK; j++) {
        const struct bmx_image_info *info = bmx_dataset_image(in->ds, j);
        double id = (double)info->id;
        char *name = bmx__draw_path_join3("images/inputs", in->names[j], "");
        free(in->names[j]);
        in->names[j] = name;
        in->sel[j] = bsearch(&id, ids, n_ids, sizeof *ids, cmp_double) != NULL;
        if (name == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for names");
        } else if (in->sel[j] && bmx__name_escapes(info->file_name)) {
            st = bmx__fail(err, BMX_E_SCHEMA,
                           "%s: images[%zu].file_name: '%s' is absolute or has a '..' part",
                           job->inputs.annotations, j, info->file_name);
        } else if (in->sel[j]) {
            in->paths[j] = bmx__draw_path_join3(in->root, info->file_name, "");
            in->count++;
            if (in->paths[j] == NULL) {
                st = bmx__fail(err, BMX_E_NOMEM, "out of memory for paths");
            }
        }
    }
    free(ids);
    return st;
}
