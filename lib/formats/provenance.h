/* SPDX-License-Identifier: MIT */
/* Internal: boxmix's provenance records in the COCO output (provenance.c). */
#ifndef BMX_PROVENANCE_H
#define BMX_PROVENANCE_H

#include "coco.h"

/* An output image's record: the operation, its index k, base and source images,
 * the patch, the effective lambda and the run's seed. */
void bmx__coco_put_op_record(struct bmx__buf *b, const char *op, uint64_t index,
                             const struct bmx_image_info *base, const struct bmx_image_info *source,
                             struct bmx_rect patch, double lambda, uint64_t seed);

/* An output image's record for any operation of the family (the fields of
 * DESIGN.md, "Other operations"); `inputs` are the images of its inputs, base
 * first. For classic CutMix the same bytes as bmx__coco_put_op_record. */
void bmx__coco_put_family_record(struct bmx__buf *b, const struct bmx_op_record *rec,
                                 uint64_t index, const struct bmx_image_info *const *inputs,
                                 uint64_t seed);

/* A copied original's record: its place among the inputs and its own id. */
void bmx__coco_put_original_record(struct bmx__buf *b, uint64_t index,
                                   const struct bmx_image_info *original);

/* An object an operation made: from the base or the source, its visibility, the
 * annotation it came from, and (with keypoints) how many this operation hid. */
void bmx__coco_put_object_record(struct bmx__buf *b, const struct bmx_object *o);

/* An object of a copied original. */
void bmx__coco_put_original_object_record(struct bmx__buf *b, int64_t source_annotation_id);

/* The same four records as JSON values, for writers that take values (the VOC
 * writer's <boxmix> element): the numbers are those the text above reads back as.
 * NULL when out of memory; free with bmx__prov_value_free. */
cJSON *bmx__prov_op_value(const char *op, uint64_t index, const struct bmx_image_info *base,
                          const struct bmx_image_info *source, struct bmx_rect patch, double lambda,
                          uint64_t seed);
cJSON *bmx__prov_original_value(uint64_t index, const struct bmx_image_info *original);
cJSON *bmx__prov_object_value(const struct bmx_object *o);
cJSON *bmx__prov_original_object_value(int64_t source_annotation_id);
/* A record written as text above, as a value (NULL: out of memory or not JSON). */
cJSON *bmx__prov_value_parse(const char *text);
void bmx__prov_value_free(cJSON *rec);

#endif
