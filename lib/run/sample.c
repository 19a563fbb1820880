/* SPDX-License-Identifier: MIT */
/* A sample out of a dataset: one image's pixels and a copy of its objects, for
 * callers who mix samples themselves (the in-memory API). */
#include "coco.h"

#include <stdlib.h>
#include <string.h>

bmx_status bmx_dataset_load_sample(const bmx_dataset *ds, size_t i, const char *images_root,
                                   const struct bmx_limits *limits, struct bmx_sample *out,
                                   bmx_error *err)
{
    if (ds == NULL || images_root == NULL || out == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "load sample: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (i >= ds->n_images) {
        return bmx__fail(err, BMX_E_INVALID, "load sample: image %zu of %zu", i, ds->n_images);
    }
    const struct bmx_image_info *info = &ds->images[i];
    if (bmx__name_escapes(info->file_name)) {
        return bmx__fail(err, BMX_E_SCHEMA,
                         "%s: images[%zu].file_name: \"%s\" escapes the image folder (absolute or '..')",
                         ds->name, i, info->file_name);
    }
    struct bmx_limits defaults;
    if (limits == NULL) {
        bmx_limits_init(&defaults);
        limits = &defaults;
    }
    char *path = bmx__path_join(images_root, info->file_name);
    if (path == NULL) {
        return bmx__fail(err, BMX_E_NOMEM, "out of memory");
    }
    struct bmx_sample s;
    memset(&s, 0, sizeof s);
    bmx_status st = bmx_image_read(path, limits, &s.image, err);
    if (st == BMX_OK && (s.image.w != info->width || s.image.h != info->height)) {
        st = bmx__fail(err, BMX_E_SCHEMA,
                       "%s: decoded size %dx%d differs from images[%zu] width x height %dx%d", path,
                       (int)s.image.w, (int)s.image.h, i, (int)info->width, (int)info->height);
    }
    size_t n = ds->img_count[i];
    if (st == BMX_OK && n > 0) {
        s.objects = bmx__alloc_array(n, sizeof *s.objects);
        if (s.objects == NULL) {
            st = bmx__fail(err, BMX_E_NOMEM, "out of memory for %zu objects", n);
        }
    }
    for (size_t q = 0; st == BMX_OK && q < n; q++) {
        st = bmx_object_copy(&ds->objects[ds->img_first[i] + q], &s.objects[q], err);
        if (st == BMX_OK) {
            s.n_objects++;
        }
    }
    free(path);
    if (st != BMX_OK) {
        bmx_sample_free(&s);
        return st;
    }
    *out = s;
    return BMX_OK;
}
