/* SPDX-License-Identifier: MIT */
/* boxmix's own records read back from a dataset it wrote: each object's `boxmix`
 * field says where it came from and how much of it an operation left, each output
 * image's the patch. The readers keep these fields as they keep any unknown one;
 * what they mean is known here, beside the jobs that write them. */
#include "coco.h"
#include "input.h"

#include <stdint.h>
#include <string.h>

void bmx__dataset_read_provenance(bmx_dataset *ds)
{
    for (size_t q = 0; q < ds->n_objects; q++) {
        struct bmx_object *o = &ds->objects[q];
        const char *from = bmx__extra_string(o->extra, "boxmix", "from");
        if (from != NULL) {
            o->origin = strcmp(from, "source") == 0 ? BMX_FROM_SOURCE
                        : strcmp(from, "base") == 0 ? BMX_FROM_BASE
                        : strcmp(from, "tile") == 0 ? BMX_FROM_TILE
                                                    : BMX_FROM_NONE;
        }
        double v;
        o->visibility = bmx__extra_numbers(o->extra, "boxmix", "visibility", &v, 1) ? v : 1.0;
        /* MixUp's weight, Mosaic's tile (read as the records give them; boxmix-check
         * says when they are out of range). */
        o->has_weight = bmx__extra_numbers(o->extra, "boxmix", "weight", &v, 1);
        o->weight = o->has_weight ? v : 0.0;
        o->tile = bmx__extra_numbers(o->extra, "boxmix", "tile", &v, 1) && v >= 0 && v <= 3
                      ? (int)v
                      : 0;
    }
}

bool bmx_dataset_image_patch(const bmx_dataset *ds, size_t i, struct bmx_rect *out)
{
    double v[4];
    if (ds == NULL || i >= ds->n_images ||
        !bmx__extra_numbers(ds->images[i].extra, "boxmix", "patch", v, 4)) {
        return false;
    }
    for (int k = 0; k < 4; k++) {
        if (!(v[k] >= 0 && v[k] <= INT32_MAX)) {
            return false;
        }
    }
    *out = (struct bmx_rect){(int32_t)v[0], (int32_t)v[1], (int32_t)v[2], (int32_t)v[3]};
    return true;
}
