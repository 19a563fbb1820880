/* SPDX-License-Identifier: MIT */
/* Internal: the dataset model (struct bmx_dataset behind the public opaque
 * handle). The readers in lib/formats fill it; its JSON parts (top-level keys,
 * unknown fields) are cJSON trees only lib/formats looks into. */
#ifndef BMX_DATASET_H
#define BMX_DATASET_H

#include "boxmix.h"
#include "error.h"

struct cJSON;

/* Invariants, for every reader (COCO, VOC) that fills one:
 * - `root` is a cJSON object holding the file's top-level keys in order, with
 *   "images" and "annotations" present as (empty) placeholder arrays whose place
 *   says where the writer puts them, and "categories" as the array of category
 *   objects ({"id", "name", ...}) that `cats` points into;
 * - images[i].extra is NULL or a cJSON object (owned through `extras`) holding the
 *   image's fields; the writer writes its keys other than id/file_name/width/height;
 * - every string a record points to is owned by the dataset: a cJSON item under
 *   `root`/`extras`, or an entry of `strings` (freed with the dataset);
 * - objects are grouped by image (img_first/img_count), obj_image gives each
 *   object's image, file_order the order the writer uses;
 * - objects[k].extra is NULL or a cJSON object (owned through `extras`) with the
 *   annotation's unknown fields only (known keys removed). */
struct bmx_dataset {
    char *name;         /* the file it came from, for messages */
    struct cJSON *root;        /* the top-level object; its images/annotations emptied */
    size_t n_images;
    struct bmx_image_info *images;
    size_t *img_first;  /* first object of image i in `objects` */
    size_t *img_count;
    size_t n_objects;
    struct bmx_object *objects; /* grouped by image, file order within an image */
    size_t *obj_image;  /* image index of each object */
    size_t *file_order; /* file order -> index in `objects` */
    size_t n_cats;
    struct bmx_category *cats;
    struct cJSON *extras;      /* owns every record's unknown fields (array of objects) */
    char **strings;     /* owned strings */
    size_t n_strings, cap_strings;
    int32_t *skeletons; /* every category's skeleton pairs, owned */
};

#endif
