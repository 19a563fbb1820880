/* SPDX-License-Identifier: MIT */
/* Any operation's image record (struct bmx_op_record) as the COCO writer's JSON
 * text (schemas/coco-output.schema.json: the keys in their order, numbers as the
 * writer prints them), for bindings: bmx_op_record_to_json. CutMix's record with
 * the classic options is bmx_cutmix_record_to_json's, byte for byte. */
#include "coco.h"

#include <inttypes.h>
#include <stdlib.h>

static const char *fit_name(enum bmx_source_fit f)
{
    return f == BMX_FIT_LETTERBOX ? "letterbox" : f == BMX_FIT_CROP ? "crop" : "resize";
}

static void put_rect(struct bmx__buf *b, struct bmx_rect r)
{
    bmx__buf_printf(b, "[%d,%d,%d,%d]", (int)r.x, (int)r.y, (int)r.w, (int)r.h);
}

static void put_id(struct bmx__buf *b, const char *key, const struct bmx_image_info *info)
{
    bmx__buf_printf(b, ",\"%s\":", key);
    bmx__coco_put_image_id(b, info);
}

/* The record of `rec` made from `in` (n of them, base first). */
static void put_record(struct bmx__buf *b, const struct bmx_op_record *rec,
                       const struct bmx_image_info *const *in, uint64_t seed, uint64_t index)
{
    bmx__buf_puts(b, "{\"op\":");
    bmx__buf_string(b, bmx_op_name(rec->op));
    bmx__buf_printf(b, ",\"index\":%" PRIu64, index);
    put_id(b, "base_image_id", in[0]);
    switch (rec->op) {
    case BMX_OP_CUTMIX:
        put_id(b, "source_image_id", in[1]);
        bmx__buf_puts(b, ",\"patch\":");
        put_rect(b, rec->patch);
        bmx__buf_puts(b, ",\"lambda\":");
        bmx__buf_number(b, rec->lambda);
        /* Only what is not classic: classic outputs keep their bytes. */
        if (rec->source_fit != BMX_FIT_RESIZE) {
            bmx__buf_printf(b, ",\"source_fit\":\"%s\"", fit_name(rec->source_fit));
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
        for (size_t k = 0; k < rec->n_holes && k < BMX_MAX_HOLES; k++) {
            bmx__buf_puts(b, k ? "," : "");
            put_rect(b, rec->holes[k]);
        }
        bmx__buf_printf(b, "],\"fill\":\"%s\"",
                        rec->fill == BMX_FILL_CONSTANT ? "constant"
                        : rec->fill == BMX_FILL_NOISE  ? "noise"
                                                       : "mean");
        if (rec->fill != BMX_FILL_NOISE) {
            bmx__buf_printf(b, ",\"fill_rgb\":[%d,%d,%d]", rec->fill_rgb[0], rec->fill_rgb[1],
                            rec->fill_rgb[2]);
        }
        bmx__buf_puts(b, ",\"lambda\":");
        bmx__buf_number(b, rec->lambda);
        break;
    case BMX_OP_MIXUP:
        put_id(b, "source_image_id", in[1]);
        bmx__buf_printf(b, ",\"source_fit\":\"%s\",\"lambda\":", fit_name(rec->source_fit));
        bmx__buf_number(b, rec->lambda);
        break;
    case BMX_OP_MOSAIC:
        bmx__buf_printf(b, ",\"mosaic_size\":%d,\"centre\":[%d,%d],\"tiles\":[",
                        (int)rec->mosaic_size, (int)rec->centre[0], (int)rec->centre[1]);
        for (size_t t = 0; t < 4; t++) {
            bmx__buf_puts(b, t ? ",{\"image_id\":" : "{\"image_id\":");
            bmx__coco_put_image_id(b, in[rec->tiles[t].input < 4 ? rec->tiles[t].input : 0]);
            bmx__buf_puts(b, ",\"rect\":");
            put_rect(b, rec->tiles[t].rect);
            bmx__buf_puts(b, ",\"scale\":");
            bmx__buf_number(b, rec->tiles[t].scale);
            bmx__buf_puts(b, "}");
        }
        bmx__buf_puts(b, "]");
        break;
    default: /* Copy-Paste */
        put_id(b, "source_image_id", in[1]);
        bmx__buf_printf(b, ",\"source_fit\":\"%s\",\"pasted_annotation_ids\":[",
                        fit_name(rec->source_fit));
        for (size_t k = 0; k < rec->n_pasted && rec->pasted_annotation_ids != NULL; k++) {
            bmx__buf_puts(b, k ? "," : "");
            bmx__buf_int(b, rec->pasted_annotation_ids[k]);
        }
        bmx__buf_puts(b, "]");
        break;
    }
    bmx__buf_printf(b, ",\"seed\":%" PRIu64 "}", seed);
}

bmx_status bmx_op_record_to_json(const struct bmx_op_record *record,
                                 const struct bmx_image_info *const *inputs, size_t n_inputs,
                                 uint64_t seed, uint64_t index, char **out, size_t *len,
                                 bmx_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (record == NULL || out == NULL || (inputs == NULL && n_inputs > 0)) {
        return bmx__fail(err, BMX_E_INVALID, "operation record to json: NULL argument");
    }
    const char *name = bmx_op_name(record->op);
    if (name == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "operation record to json: unknown operation %d",
                         (int)record->op);
    }
    if (n_inputs != bmx_op_inputs(record->op)) {
        return bmx__fail(err, BMX_E_INVALID, "%s record to json: takes %zu inputs, got %zu",
                         name, bmx_op_inputs(record->op), n_inputs);
    }
    for (size_t k = 0; k < n_inputs; k++) {
        if (inputs[k] == NULL) {
            return bmx__fail(err, BMX_E_INVALID, "%s record to json: input %zu is NULL", name,
                             k);
        }
    }
    struct bmx__buf b = {0};
    put_record(&b, record, inputs, seed, index);
    if (b.failed || b.data == NULL) {
        bmx__buf_free(&b);
        return bmx__fail(err, BMX_E_NOMEM, "out of memory while writing a record");
    }
    *out = b.data;
    if (len != NULL) {
        *len = b.len;
    }
    return BMX_OK;
}
