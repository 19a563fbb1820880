/* SPDX-License-Identifier: MIT */
/* What the readers leave in a dataset beside the model: the records' JSON (top-level
 * keys, unknown fields), freed with it, and boxmix's provenance read from it. */
#include "coco.h"

#include <stdint.h>
#include <stdlib.h>

void bmx_dataset_free(bmx_dataset *ds)
{
    if (ds == NULL) {
        return;
    }
    for (size_t i = 0; i < ds->n_objects; i++) {
        bmx_object_free(&ds->objects[i]);
    }
    for (size_t i = 0; i < ds->n_strings; i++) {
        free(ds->strings[i]);
    }
    free(ds->strings);
    free(ds->objects);
    free(ds->obj_image);
    free(ds->file_order);
    free(ds->images);
    free(ds->img_first);
    free(ds->img_count);
    free(ds->cats);
    free(ds->skeletons);
    cJSON_Delete(ds->extras);
    cJSON_Delete(ds->root);
    free(ds->name);
    free(ds);
}

bool bmx_dataset_image_patch(const bmx_dataset *ds, size_t i, struct bmx_rect *out)
{
    if (ds == NULL || i >= ds->n_images) {
        return false;
    }
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive((const cJSON *)ds->images[i].extra, "boxmix");
    const cJSON *patch = cJSON_GetObjectItemCaseSensitive(bm, "patch");
    if (!cJSON_IsArray(patch) || cJSON_GetArraySize(patch) != 4) {
        return false;
    }
    double v[4];
    int k = 0;
    for (const cJSON *c = patch->child; c != NULL; c = c->next, k++) {
        if (!cJSON_IsNumber(c) || c->valuedouble < 0 || c->valuedouble > INT32_MAX) {
            return false;
        }
        v[k] = c->valuedouble;
    }
    *out = (struct bmx_rect){(int32_t)v[0], (int32_t)v[1], (int32_t)v[2], (int32_t)v[3]};
    return true;
}
