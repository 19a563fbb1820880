/* SPDX-License-Identifier: MIT */
/* Internal: the decision log boxmix-augment --decisions writes, read back
 * (schemas/decisions.schema.json). */
#ifndef BMX_DECISIONS_H
#define BMX_DECISIONS_H

#include "boxmix.h"
#include "error.h"

/* One line of the log. */
struct bmx__decision_rec {
    uint64_t output;           /* the output index k */
    int64_t image_id;          /* the output image's id */
    struct bmx_decision d;     /* from, source annotation id, category, numbers, verdict */
};

/* Read a whole decision log: every line one record (an empty last line allowed).
 * A line that is not a JSON object of the schema's shape is refused
 * (BMX_E_PARSE or BMX_E_SCHEMA) naming the file, the line and the key. `*out` is
 * malloc'd (NULL when empty); the caller frees it (decisions_read.c). */
bmx_status bmx__decisions_read(const char *path, struct bmx__decision_rec **out, size_t *n,
                               bmx_error *err);

#endif
