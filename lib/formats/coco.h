/* Internal: COCO records written piece by piece (the writer's parts the jobs and
 * merge assemble), and the reader's keypoint pass. */
#ifndef BMX_COCO_H
#define BMX_COCO_H

#include "dataset.h"
#include "jsonbuf.h"

/* Write a COCO id as it came: a number, or the string. */
void bmx__coco_put_image_id(struct bmx__buf *b, const struct bmx_image_info *info);

/* Write one annotation object. `image_id_json` is the literal to write for
 * image_id; `boxmix_json` (may be NULL) the literal of the "boxmix" field. */
void bmx__coco_put_annotation(struct bmx__buf *b, const struct bmx_object *obj, int64_t id,
                              const char *image_id_json, const char *boxmix_json);

/* Write one image object. `id_json` is the literal to write for id; the image's
 * unknown fields follow when `with_extra`; `boxmix_json` (may be NULL) last. */
void bmx__coco_put_image(struct bmx__buf *b, const struct bmx_image_info *info, const char *id_json,
                         const char *file_name, int32_t w, int32_t h, bool with_extra,
                         const char *boxmix_json);

/* Write `ds` itself as a COCO document (what bmx_dataset_write_coco writes). */
void bmx__coco_put_dataset(struct bmx__buf *b, const bmx_dataset *ds);

/* Write a whole COCO document shaped like `ds`: its top-level keys in their order,
 * with the contents of the images and annotations arrays written by the callbacks. */
void bmx__coco_put_document(struct bmx__buf *b, const bmx_dataset *ds,
                            void (*put_images)(struct bmx__buf *, void *),
                            void (*put_annotations)(struct bmx__buf *, void *), void *ctx);

/* After a COCO reader: each category's keypoint count and skeleton, each object's
 * keypoints, checked (keypoints.h). */
bmx_status bmx__coco_read_keypoints(bmx_dataset *ds, const char *name, bmx_error *err);

#endif
