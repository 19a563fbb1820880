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

static void put_rect(struct bmx__buf *b, struct bmx_rect r)
{
    bmx__buf_printf(b, "[%d,%d,%d,%d]", (int)r.x, (int)r.y, (int)r.w, (int)r.h);
}

static const char *fit_name(enum bmx_source_fit fit)
{
    return fit == BMX_FIT_LETTERBOX ? "letterbox" : fit == BMX_FIT_CROP ? "crop" : "resize";
}

static const char *fill_name(enum bmx_fill fill)
{
    return fill == BMX_FILL_CONSTANT ? "constant" : fill == BMX_FILL_NOISE ? "noise" : "mean";
}

void bmx__coco_put_family_record(struct bmx__buf *b, const struct bmx_op_record *rec,
                                 uint64_t index, const struct bmx_image_info *const *inputs,
                                 uint64_t seed)
{
    bmx__buf_puts(b, "{\"op\":");
    bmx__buf_string(b, bmx_op_name(rec->op));
    bmx__buf_printf(b, ",\"index\":%" PRIu64 ",\"base_image_id\":", index);
    bmx__coco_put_image_id(b, inputs[0]);
    switch (rec->op) {
    case BMX_OP_CUTMIX:
        bmx__buf_puts(b, ",\"source_image_id\":");
        bmx__coco_put_image_id(b, inputs[1]);
        bmx__buf_puts(b, ",\"patch\":");
        put_rect(b, rec->patch);
        bmx__buf_puts(b, ",\"lambda\":");
        bmx__buf_number(b, rec->lambda);
        /* Only what differs from classic CutMix, whose records keep their bytes. */
        if (rec->source_fit != BMX_FIT_RESIZE) {
            bmx__buf_puts(b, ",\"source_fit\":");
            bmx__buf_string(b, fit_name(rec->source_fit));
        }
        if (rec->source_fit == BMX_FIT_CROP) {
            bmx__buf_puts(b, ",\"source_rect\":");
            put_rect(b, rec->source_rect);
        }
        if (rec->placement == BMX_PLACE_SOURCE_OBJECT) {
            bmx__buf_puts(b, ",\"placement\":\"source-object\",\"anchor_annotation_id\":");
            if (rec->has_anchor) {
                bmx__buf_int(b, rec->anchor_annotation_id);
            } else {
                bmx__buf_puts(b, "null");
            }
        }
        break;
    case BMX_OP_CUTOUT:
        bmx__buf_puts(b, ",\"holes\":[");
        for (size_t q = 0; q < rec->n_holes; q++) {
            if (q > 0) {
                bmx__buf_puts(b, ",");
            }
            put_rect(b, rec->holes[q]);
        }
        bmx__buf_puts(b, "],\"fill\":");
        bmx__buf_string(b, fill_name(rec->fill));
        if (rec->fill == BMX_FILL_CONSTANT) {
            /* The mean is the pixels' (a dry run has none): the fill names it. */
            bmx__buf_printf(b, ",\"fill_rgb\":[%d,%d,%d]", rec->fill_rgb[0], rec->fill_rgb[1],
                            rec->fill_rgb[2]);
        }
        bmx__buf_puts(b, ",\"lambda\":");
        bmx__buf_number(b, rec->lambda);
        break;
    case BMX_OP_MIXUP:
        bmx__buf_puts(b, ",\"source_image_id\":");
        bmx__coco_put_image_id(b, inputs[1]);
        bmx__buf_puts(b, ",\"source_fit\":");
        bmx__buf_string(b, fit_name(rec->source_fit));
        bmx__buf_puts(b, ",\"lambda\":");
        bmx__buf_number(b, rec->lambda);
        break;
    case BMX_OP_MOSAIC:
        bmx__buf_printf(b, ",\"mosaic_size\":%d,\"centre\":[%d,%d],\"tiles\":[",
                        (int)rec->mosaic_size, (int)rec->centre[0], (int)rec->centre[1]);
        for (size_t q = 0; q < 4; q++) {
            const struct bmx_mosaic_tile *t = &rec->tiles[q];
            bmx__buf_puts(b, q > 0 ? ",{\"image_id\":" : "{\"image_id\":");
            bmx__coco_put_image_id(b, inputs[t->input < 4 ? t->input : 0]);
            bmx__buf_puts(b, ",\"rect\":");
            put_rect(b, t->rect);
            bmx__buf_puts(b, ",\"scale\":");
            bmx__buf_number(b, t->scale);
            bmx__buf_puts(b, "}");
        }
        bmx__buf_puts(b, "]");
        break;
    case BMX_OP_COPYPASTE:
        bmx__buf_puts(b, ",\"source_image_id\":");
        bmx__coco_put_image_id(b, inputs[1]);
        bmx__buf_puts(b, ",\"source_fit\":");
        bmx__buf_string(b, fit_name(rec->source_fit));
        bmx__buf_puts(b, ",\"pasted_annotation_ids\":[");
        for (size_t q = 0; q < rec->n_pasted; q++) {
            if (q > 0) {
                bmx__buf_puts(b, ",");
            }
            bmx__buf_int(b, rec->pasted_annotation_ids[q]);
        }
        bmx__buf_puts(b, "]");
        break;
    }
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
                     : o->origin == BMX_FROM_TILE ? "{\"from\":\"tile\",\"visibility\":"
                                                  : "{\"from\":\"base\",\"visibility\":");
    bmx__buf_number(b, o->visibility);
    bmx__buf_puts(b, ",\"source_annotation_id\":");
    bmx__buf_int(b, o->id);
    if (o->origin == BMX_FROM_TILE) {
        bmx__buf_printf(b, ",\"tile\":%d", o->tile);
    }
    if (o->has_weight) {
        bmx__buf_puts(b, ",\"weight\":");
        bmx__buf_number(b, o->weight);
    }
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

/* ---- the same records as JSON values (for the VOC writer's <boxmix>) ---- */

/* An image's id as the record above writes it: the string, or the number. */
static bool add_image_id(cJSON *rec, const char *key, const struct bmx_image_info *info)
{
    return info->id_str != NULL ? cJSON_AddStringToObject(rec, key, info->id_str) != NULL
                                : cJSON_AddNumberToObject(rec, key, (double)info->id) != NULL;
}

static cJSON *done(cJSON *rec, bool ok)
{
    if (!ok) {
        cJSON_Delete(rec);
        return NULL;
    }
    return rec;
}

cJSON *bmx__prov_op_value(const char *op, uint64_t index, const struct bmx_image_info *base,
                          const struct bmx_image_info *source, struct bmx_rect patch, double lambda,
                          uint64_t seed)
{
    cJSON *rec = cJSON_CreateObject();
    const int rect[4] = {(int)patch.x, (int)patch.y, (int)patch.w, (int)patch.h};
    bool ok = rec != NULL && cJSON_AddStringToObject(rec, "op", op) != NULL &&
              cJSON_AddNumberToObject(rec, "index", (double)index) != NULL &&
              add_image_id(rec, "base_image_id", base) &&
              add_image_id(rec, "source_image_id", source);
    if (ok) {
        cJSON *p = cJSON_CreateIntArray(rect, 4);
        ok = p != NULL && cJSON_AddItemToObject(rec, "patch", p);
        if (!ok) {
            cJSON_Delete(p);
        }
    }
    ok = ok && cJSON_AddNumberToObject(rec, "lambda", lambda) != NULL &&
         cJSON_AddNumberToObject(rec, "seed", (double)seed) != NULL;
    return done(rec, ok);
}

cJSON *bmx__prov_original_value(uint64_t index, const struct bmx_image_info *original)
{
    cJSON *rec = cJSON_CreateObject();
    bool ok = rec != NULL && cJSON_AddStringToObject(rec, "op", "original") != NULL &&
              cJSON_AddNumberToObject(rec, "index", (double)index) != NULL &&
              add_image_id(rec, "original_image_id", original);
    return done(rec, ok);
}

cJSON *bmx__prov_object_value(const struct bmx_object *o)
{
    cJSON *rec = cJSON_CreateObject();
    bool ok = rec != NULL &&
              cJSON_AddStringToObject(rec, "from",
                                      o->origin == BMX_FROM_SOURCE ? "source"
                                      : o->origin == BMX_FROM_TILE ? "tile"
                                                                   : "base") != NULL &&
              cJSON_AddNumberToObject(rec, "visibility", o->visibility) != NULL &&
              cJSON_AddNumberToObject(rec, "source_annotation_id", (double)o->id) != NULL;
    if (ok && o->origin == BMX_FROM_TILE) {
        ok = cJSON_AddNumberToObject(rec, "tile", (double)o->tile) != NULL;
    }
    if (ok && o->has_weight) {
        ok = cJSON_AddNumberToObject(rec, "weight", o->weight) != NULL;
    }
    if (ok && o->has_keypoints) {
        ok = cJSON_AddNumberToObject(rec, "keypoints_hidden", (double)o->keypoints_hidden) != NULL;
    }
    return done(rec, ok);
}

cJSON *bmx__prov_original_object_value(int64_t source_annotation_id)
{
    cJSON *rec = cJSON_CreateObject();
    bool ok =
        rec != NULL && cJSON_AddStringToObject(rec, "from", "original") != NULL &&
        cJSON_AddNumberToObject(rec, "source_annotation_id", (double)source_annotation_id) != NULL;
    return done(rec, ok);
}

cJSON *bmx__prov_value_parse(const char *text)
{
    return text != NULL ? cJSON_Parse(text) : NULL;
}

void bmx__prov_value_free(cJSON *rec)
{
    cJSON_Delete(rec);
}
