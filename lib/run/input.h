/* SPDX-License-Identifier: MIT */
/* Internal: a job's input dataset (augment, draw, convert, check). */
#ifndef BMX_INPUT_H
#define BMX_INPUT_H

#include "guard.h"
#include "sized.h"
#include "voc.h"

struct bmx__yolo_layout;

/* The layout of a YOLO input (its names file read): where its files are. */
bmx_status bmx__input_yolo_layout(const struct bmx_input *in, struct bmx__yolo_layout *l,
                                  bmx_error *err);

/* The image folder of `in`: a copy of in->images, or for VOC without one the
 * default (<folder>/JPEGImages). *out is malloc'd, NULL for COCO without images. */
bmx_status bmx__input_images_root(const struct bmx_input *in, char **out, bmx_error *err);

/* Read a job's input `in` (COCO or VOC, the VOC images in `images_root`) within
 * `limits`, refusing a folder a boxmix run has not finished writing. With `bytes`
 * (may be NULL) a COCO file's length and hash (coco.h). */
struct bmx__file_bytes;
bmx_status bmx__read_input(const struct bmx_input *in, const char *images_root,
                           const struct bmx_limits *limits, bmx_dataset **out,
                           struct bmx__file_bytes *bytes, bmx_error *err);

/* Register a job's input files with the guard: the annotation file or VOC folder
 * (or XML file), the labels file and the image folder `images_root` (may be NULL). */
bmx_status bmx__guard_input_files(struct bmx__guard *g, const struct bmx_input *in,
                                  const char *images_root, bmx_error *err);

/* Register with the guard every path a dataset folder `out` of `format` holds:
 * the annotation file (VOC: Annotations/ and ImageSets/), the image folder, the
 * journal and the lock file. */
bmx_status bmx__guard_dataset_out(struct bmx__guard *g, const char *out,
                                  enum bmx_dataset_format format, bmx_error *err);

/* BMX_E_STATE, naming the folder (`shown`) and the mark found, when the open
 * folder `dir` holds a dataset of any format: an annotation file, Annotations/, a
 * data.yaml; the mark `skip` (may be NULL) is left to the caller (input.c). */
bmx_status bmx__check_dataset_free(int dir, const char *shown, const char *skip,
                                   bmx_error *err);

/* A file a job writes beside its dataset (a report, a decision log): refused when it
 * exists and `replace` is false (BMX_E_STATE), or when a folder above it other than
 * the job's own output `own_out` (may be NULL) holds a dataset or a boxmix run
 * (BMX_E_INVALID). */
bmx_status bmx__check_side_file(const char *path, const char *what, const char *own_out,
                                bool replace, bmx_error *err);

/* BMX_E_STATE when the folder of a job's input holds an unfinished boxmix run. */
bmx_status bmx__check_input_finished(const struct bmx_input *in, bmx_error *err);

/* Check the `input` inside a job's options (`what` names it in messages) read by
 * bmx__sized_read from `given` bytes, the struct at `offset` in it: its size,
 * and a known format. */
bmx_status bmx__input_member(struct bmx_input *input, size_t offset, size_t given, const char *what,
                             bmx_error *err);

/* Read back the provenance boxmix wrote into a dataset's records (readback.c):
 * each object's origin and visibility from its `boxmix` field. */
void bmx__dataset_read_provenance(bmx_dataset *ds);

#endif
