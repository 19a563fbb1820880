/* SPDX-License-Identifier: MIT */
/* Internal: what the draw run's files share (drawjob.c, drawjob_inputs.c). */
#ifndef BMX_DRAWJOB_H
#define BMX_DRAWJOB_H

#include "boxmix.h"
#include "error.h"

/* "a" + "/" + "b" + suffix, malloc'd (no "/" after an empty or slash-ended "a"). */
char *bmx__draw_path_join3(const char *a, const char *b, const char *suffix);

/* The drawing's name of every image of `ds` (relative to the output folder): the
 * stem plus `ext`, "-<image id>" first where stems are shared; each malloc'd. */
bmx_status bmx__draw_output_names(const bmx_dataset *ds, const char *ext, char **names,
                                  bmx_error *err);

/* What image i's `boxmix` record adds to its drawing (readback_ops.c): holes,
 * tiles, the Mosaic centre in output pixels, the anchor object, and in `*pasted`
 * (malloc'd, NULL when the record names no pasted objects; m->pasted points at
 * it) which objects Copy-Paste pasted: those from the source whose
 * boxmix.source_annotation_id the record's pasted_annotation_ids lists. */
struct bmx__draw_marks;
bmx_status bmx__read_draw_marks(const bmx_dataset *ds, size_t i, struct bmx__draw_marks *m,
                                bool **pasted, bmx_error *err);

/* The dataset the drawn one was made from (bmx_draw_job.inputs): those of its
 * images that a drawn output names as base or source, to draw into
 * images/inputs/ of the report. `root` is set by the caller (its image folder). */
struct bmx__draw_inputs {
    bmx_dataset *ds;
    char *root;
    bool *sel;    /* per input image: to draw */
    char **names; /* its drawing, relative to the report folder */
    char **paths; /* its image file (selected ones) */
    size_t n, count;
};

/* Read job->inputs and choose what `ds` (whose drawn images `sel` marks) names
 * (drawjob_inputs.c). */
bmx_status bmx__draw_inputs_prepare(const struct bmx_draw_job *job, const bmx_dataset *ds,
                                    const bool *sel, struct bmx__draw_inputs *in, bmx_error *err);

/* Free everything, `root` included; zero the struct. */
void bmx__draw_inputs_free(struct bmx__draw_inputs *in);

#endif
