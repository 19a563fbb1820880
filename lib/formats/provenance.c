/* SPDX-License-Identifier: MIT */
/* boxmix's provenance records as the COCO output carries them (the `boxmix` field
 * of images and annotations, schemas/coco-output.schema.json): which operation made
 * an image from which inputs, where each object came from and how much of it
 * stays. */
#include "provenance.h"

#include <inttypes.h>

void bmx__coco_put_op_record(struct bmx__buf *b, const char *op, uint64_t index,
                             const struct bmx_image_info *base, const struct bmx_image_info *source,
                             struct bmx_rect patch, double lambda, uint64_t seed)
{
    bmx__buf_puts(b, "{\"op\":");
    bmx__buf_string(b, op);
    bmx__buf_printf(b, ",\"index\":%" PRIu64 ",\"base_image_id\":", index);
    bmx__coco_put_image_id(b, base);
    bmx__buf_puts(b, ",\"source_image_id\":");
    bmx__coco_put_image_id(b, source);
    bmx__buf_printf(b, ",\"patch\":[%d,%d,%d,%d],\"lambda\":", (int)patch.x, (int)patch.y,
                    (int)patch.w, (int)patch.h);
    bmx__buf_number(b, lambda);
    bmx__buf_printf(b, ",\"seed\":%" PRIu64 "}", seed);
}

void bmx__coco_put_original_record(struct bmx__buf *b, uint64_t index,
                                   const struct bmx_image_info *original)
{
    bmx__buf_printf(b, "{\"op\":\"original\",\"index\":%" PRIu64 ",\"original_image_id\":", index);
    bmx__coco_put_image_id(b, original);
    bmx__buf_puts(b, "}");
}

void bmx__coco_put_object_record(struct bmx__buf *b, const struct bmx_object *o)
{
    bmx__buf_puts(b, o->origin == BMX_FROM_SOURCE ? "{\"from\":\"source\",\"visibility\":"
                                                  : "{\"from\":\"base\",\"visibility\":");
    bmx__buf_number(b, o->visibility);
    bmx__buf_puts(b, ",\"source_annotation_id\":");
    bmx__buf_int(b, o->id);
    if (o->has_keypoints) {
        bmx__buf_puts(b, ",\"keypoints_hidden\":");
        bmx__buf_int(b, (int64_t)o->keypoints_hidden);
    }
    bmx__buf_puts(b, "}");
}

void bmx__coco_put_original_object_record(struct bmx__buf *b, int64_t source_annotation_id)
{
    bmx__buf_puts(b, "{\"from\":\"original\",\"source_annotation_id\":");
    bmx__buf_int(b, source_annotation_id);
    bmx__buf_puts(b, "}");
}
