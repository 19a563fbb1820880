/* SPDX-License-Identifier: MIT */
/* The dataset model: its accessors. The readers (lib/formats) fill it. */
#include "dataset.h"

#include <string.h>

size_t bmx_dataset_image_count(const bmx_dataset *ds)
{
    return ds ? ds->n_images : 0;
}

const struct bmx_image_info *bmx_dataset_image(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_images) ? &ds->images[i] : NULL;
}

size_t bmx_dataset_object_count(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_images) ? ds->img_count[i] : 0;
}

const struct bmx_object *bmx_dataset_objects(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_images) ? ds->objects + ds->img_first[i] : NULL;
}

size_t bmx_dataset_annotation_count(const bmx_dataset *ds)
{
    return ds ? ds->n_objects : 0;
}

size_t bmx_dataset_category_count(const bmx_dataset *ds)
{
    return ds ? ds->n_cats : 0;
}

const struct bmx_category *bmx_dataset_category(const bmx_dataset *ds, size_t i)
{
    return (ds && i < ds->n_cats) ? &ds->cats[i] : NULL;
}

const char *bmx_dataset_category_name(const bmx_dataset *ds, int64_t id)
{
    for (size_t i = 0; ds != NULL && i < ds->n_cats; i++) {
        if (ds->cats[i].id == id) {
            return ds->cats[i].name;
        }
    }
    return NULL;
}
