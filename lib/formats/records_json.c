/* SPDX-License-Identifier: MIT */
/* The records of a dataset and of an operation as JSON text, exactly as the COCO
 * writer writes them: what a binding (the Python module) turns into its own values,
 * so its numbers and fields are the tools' to the last digit. */
#include "coco.h"
#include "provenance.h"

#include <stdlib.h>
#include <string.h>

/* Hand the buffer's text to the caller, or fail with NOMEM. */
static bmx_status give(struct bmx__buf *b, char **out, size_t *len, bmx_error *err)
{
    if (b->failed || b->data == NULL) {
        bmx__buf_free(b);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory while writing a record");
    }
    *out = b->data;
    if (len != NULL) {
        *len = b->len;
    }
    return BMX_OK;
}

bmx_status bmx_object_to_json(const struct bmx_object *obj, char **out, size_t *len,
                              bmx_error *err)
{
    if (obj == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "object to json: NULL argument");
    }
    *out = NULL;
    struct bmx__buf b = {0}, prov = {0};
    bmx__buf_printf(&b, "{\"id\":%lld", (long long)obj->id);
    size_t cut = b.len;
    if (obj->origin != BMX_FROM_NONE) {
        bmx__coco_put_object_record(&prov, obj);
    }
    /* The writer's own record, whose image_id (the image's, not the object's) is
     * then taken out again: it is always `,"image_id":0` right after the id. */
    bmx__coco_put_annotation_rest(&b, obj, "0",
                                  obj->origin != BMX_FROM_NONE ? (prov.data != NULL ? prov.data : "null")
                                                               : NULL);
    b.failed = b.failed || prov.failed;
    bmx__buf_free(&prov);
    static const char drop[] = ",\"image_id\":0";
    if (!b.failed && b.len >= cut + sizeof drop - 1 &&
        memcmp(b.data + cut, drop, sizeof drop - 1) == 0) {
        memmove(b.data + cut, b.data + cut + sizeof drop - 1, b.len - cut - (sizeof drop - 1) + 1);
        b.len -= sizeof drop - 1;
    }
    return give(&b, out, len, err);
}

bmx_status bmx_dataset_image_to_json(const bmx_dataset *ds, size_t i, char **out, size_t *len,
                                     bmx_error *err)
{
    if (ds == NULL || out == NULL || i >= ds->n_images) {
        return bmx__fail(err, BMX_E_INVALID, "image to json: no image %zu", i);
    }
    *out = NULL;
    const struct bmx_image_info *info = &ds->images[i];
    struct bmx__buf b = {0}, id = {0};
    bmx__coco_put_image_id(&id, info);
    bmx__coco_put_image(&b, info, id.data != NULL ? id.data : "null", info->file_name, info->width,
                        info->height, true, NULL);
    b.failed = b.failed || id.failed;
    bmx__buf_free(&id);
    return give(&b, out, len, err);
}

bmx_status bmx_dataset_categories_to_json(const bmx_dataset *ds, char **out, size_t *len,
                                          bmx_error *err)
{
    if (ds == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "categories to json: NULL argument");
    }
    *out = NULL;
    struct bmx__buf b = {0};
    const cJSON *cats = ds->root != NULL ? cJSON_GetObjectItemCaseSensitive(ds->root, "categories")
                                         : NULL;
    if (cats != NULL) {
        bmx__buf_json(&b, cats);
    } else {
        bmx__buf_puts(&b, "[]");
    }
    return give(&b, out, len, err);
}

bmx_status bmx_cutmix_record_to_json(const struct bmx_image_info *base,
                                     const struct bmx_image_info *source,
                                     const struct bmx_patch *patch, uint64_t seed, uint64_t index,
                                     char **out, size_t *len, bmx_error *err)
{
    if (base == NULL || source == NULL || patch == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "cutmix record to json: NULL argument");
    }
    *out = NULL;
    struct bmx__buf b = {0};
    bmx__coco_put_op_record(&b, "cutmix", index, base, source, patch->rect, patch->lambda, seed);
    return give(&b, out, len, err);
}
