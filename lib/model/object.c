/* SPDX-License-Identifier: MIT */
/* Objects and samples: copying and freeing the geometry they own. */
#include "boxmix.h"
#include "error.h"
#include "keypoints.h"

#include <stdlib.h>
#include <string.h>

void bmx_object_free(struct bmx_object *obj)
{
    if (obj == NULL) {
        return;
    }
    bmx_polyset_free(&obj->polys);
    bmx_rle_free(&obj->rle);
    free(obj->keypoints);
    obj->keypoints = NULL;
}

bmx_status bmx_object_copy(const struct bmx_object *in, struct bmx_object *out, bmx_error *err)
{
    bmx_status st = BMX_OK;
    *out = *in;
    memset(&out->polys, 0, sizeof out->polys);
    memset(&out->rle, 0, sizeof out->rle);
    st = bmx__keypoints_copy(in, out, err);
    if (st != BMX_OK) {
        return st;
    }
    if (in->seg_kind == BMX_SEG_POLYGON) {
        st = bmx_polyset_copy(&in->polys, &out->polys, err);
    } else if (in->seg_kind == BMX_SEG_RLE) {
        st = bmx_rle_copy(&in->rle, &out->rle, err);
    }
    if (st != BMX_OK) {
        bmx_object_free(out);
    }
    return st;
}

void bmx_sample_free(struct bmx_sample *sample)
{
    if (sample == NULL) {
        return;
    }
    /* The pixels are a plain malloc'd buffer (bmx_image_free does the same): the
     * model does not call the image layer. */
    free(sample->image.data);
    for (size_t i = 0; i < sample->n_objects; i++) {
        bmx_object_free(&sample->objects[i]);
    }
    free(sample->objects);
    memset(sample, 0, sizeof *sample);
}
