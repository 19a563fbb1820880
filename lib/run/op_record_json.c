/* SPDX-License-Identifier: MIT */
/* Any operation's image record (struct bmx_op_record) as the COCO writer's JSON
 * text (schemas/coco-output.schema.json: the keys in their order, numbers as the
 * writer prints them), for bindings: bmx_op_record_to_json, through the augment
 * job's own writer (bmx__coco_put_family_record). CutMix's record with the classic
 * options is bmx_cutmix_record_to_json's, byte for byte. */
#include "coco.h"
#include "provenance.h"

#include <inttypes.h>
#include <stdlib.h>

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
    bmx__coco_put_family_record(&b, record, index, inputs, seed);
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
