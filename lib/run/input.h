/* SPDX-License-Identifier: MIT */
/* Internal: a job's input dataset (augment, draw, convert, check). */
#ifndef BMX_INPUT_H
#define BMX_INPUT_H

#include "guard.h"
#include "voc.h"

/* Read a job's input: the VOC folder or XML file `voc` when not NULL (with its
 * split, the category names of the labels file `labels_path` when not NULL, the
 * image folder `images_root`), else the COCO file `annotations`; `limits` apply. */
bmx_status bmx__read_input(const char *annotations, const char *voc, const char *split,
                           const char *labels_path, const char *images_root,
                           const struct bmx_limits *limits, bmx_dataset **out, bmx_error *err);

/* Register a job's input files with the guard: the annotation file or VOC folder
 * (or XML file), the labels file and the image folder, each may be NULL. */
bmx_status bmx__guard_input_files(struct bmx__guard *g, const char *annotations, const char *voc,
                                  const char *labels_path, const char *images_root, bmx_error *err);

/* Register with the guard every path a dataset folder `out` of `format` holds:
 * the annotation file (VOC: Annotations/ and ImageSets/), the image folder, the
 * journal and the lock file. */
bmx_status bmx__guard_dataset_out(struct bmx__guard *g, const char *out,
                                  enum bmx_dataset_format format, bmx_error *err);

/* BMX_E_STATE when the folder of a job's input holds an unfinished boxmix run. */
bmx_status bmx__check_input_finished(const char *annotations, const char *voc, bmx_error *err);

/* Read back the provenance boxmix wrote into a dataset's records (readback.c):
 * each object's origin and visibility from its `boxmix` field. */
void bmx__dataset_read_provenance(bmx_dataset *ds);

#endif
