/* SPDX-License-Identifier: MIT */
/* What the readers leave in a dataset beside the model: the records' JSON (top-level
 * keys, unknown fields), freed with it, and read by name for the layers above. */
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

/* The member `key` of the object `member` among a record's fields. */
static const cJSON *extra_member(const void *extra, const char *member, const char *key)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive((const cJSON *)extra, member);
    return cJSON_IsObject(m) ? cJSON_GetObjectItemCaseSensitive(m, key) : NULL;
}

const char *bmx__extra_string(const void *extra, const char *member, const char *key)
{
    const cJSON *v = extra_member(extra, member, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool bmx__extra_numbers(const void *extra, const char *member, const char *key, double *out,
                        size_t n)
{
    const cJSON *v = extra_member(extra, member, key);
    if (n == 1 && cJSON_IsNumber(v)) {
        out[0] = v->valuedouble;
        return true;
    }
    if (!cJSON_IsArray(v) || (size_t)cJSON_GetArraySize(v) != n) {
        return false;
    }
    size_t k = 0;
    for (const cJSON *c = v->child; c != NULL; c = c->next, k++) {
        if (!cJSON_IsNumber(c)) {
            return false;
        }
        out[k] = c->valuedouble;
    }
    return true;
}
